//! The system's goals for a school year: each district goal with the school
//! goals that serve it, then school goals of their own. District
//! coordinators set their district's and their schools' goals; principals
//! their school's; everyone on staff reads their district's and school's.

use super::require;
use crate::auth::CurrentUser;
use crate::error::{WebError, WebResult};
use crate::view::{Layout, render};
use crate::{AppState, now_ms};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;
use waypoint_domain::goals::{ResultsMeasure, SchoolYear, SystemGoalText};
use waypoint_domain::{Action, OrgId, OrgKind, Placement, Policy, Resource};
use waypoint_store::{NewSystemGoal, Org, SystemGoal};

/// A district goal and the school goals serving it.
pub struct GoalGroup {
    goal: SystemGoal,
    serving: Vec<SystemGoal>,
    removable: bool,
}

/// The goals page.
#[derive(Template)]
#[template(path = "goals.html")]
pub struct GoalsPage {
    layout: Layout,
    year: String,
    prev: String,
    next: String,
    district_goals: Vec<GoalGroup>,
    /// School goals serving no district goal: goal, removable.
    own: Vec<(SystemGoal, bool)>,
    /// Where the viewer may set goals: id, name.
    manageable: Vec<(i64, String)>,
    /// District goals a school goal may serve: id, district, statement.
    servable: Vec<(i64, String, String)>,
    /// The subjects and grades results are counted in, for a measure read
    /// from them.
    tested: (Vec<String>, Vec<String>),
    form: GoalForm,
    problems: Vec<String>,
}

/// What the new-goal form holds.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GoalForm {
    #[serde(default)]
    org: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    statement: String,
    #[serde(default)]
    measure: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    groups: String,
    #[serde(default)]
    serves: String,
    #[serde(default)]
    results_subject: String,
    #[serde(default)]
    results_grade: String,
    #[serde(default)]
    results_target: String,
}

/// Whether someone at `placements` is on the staff of `org` (placed there
/// or below).
pub(crate) fn placed_in(org: &Org, placements: &[Placement]) -> bool {
    placements.iter().any(|p| match org.kind {
        OrgKind::School => p.school == Some(org.id),
        _ => p.district == Some(org.id),
    })
}

fn goals_resource(org: &Org, placements: &[Placement]) -> Resource<'static> {
    Resource::Goals {
        placement: org.placement,
        placed: placed_in(org, placements),
    }
}

/// Where `user` is on staff.
async fn placements(state: &AppState, user: &CurrentUser) -> WebResult<Vec<Placement>> {
    super::growth::placements_of(state, user.actor.person).await
}

/// The districts and schools whose goals `user` reads, and those they set.
async fn scope(state: &AppState, user: &CurrentUser) -> WebResult<(Vec<Org>, Vec<Org>)> {
    let placements = placements(state, user).await?;
    let mut read = Vec::new();
    let mut manage = Vec::new();
    for org in state.store.orgs().await? {
        if !matches!(org.kind, OrgKind::District | OrgKind::School) {
            continue;
        }
        let r = goals_resource(&org, &placements);
        if Policy::can(&user.actor, Action::ManageGoals, &r) {
            manage.push(org.clone());
        }
        if Policy::can(&user.actor, Action::ViewGoals, &r) {
            read.push(org);
        }
    }
    Ok((read, manage))
}

/// The school year of today.
pub fn current_year() -> SchoolYear {
    let today = jiff::Timestamp::from_millisecond(now_ms())
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
        .unwrap_or_default();
    SchoolYear::of(
        i32::from(today.year()),
        u8::try_from(today.month()).unwrap_or(1),
    )
}

/// The goals of a school year that `user` reads.
pub(crate) async fn visible(
    state: &AppState,
    user: &CurrentUser,
    year: SchoolYear,
) -> WebResult<Vec<SystemGoal>> {
    let (read, _) = scope(state, user).await?;
    let ids: Vec<OrgId> = read.iter().map(|o| o.id).collect();
    Ok(state.store.system_goals(&ids, year).await?)
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    year: SchoolYear,
    form: GoalForm,
    problems: Vec<String>,
) -> WebResult<GoalsPage> {
    let (read, manage) = scope(state, user).await?;
    let ids: Vec<OrgId> = read.iter().map(|o| o.id).collect();
    let all = state.store.system_goals(&ids, year).await?;
    let kind: HashMap<OrgId, OrgKind> = read.iter().map(|o| (o.id, o.kind)).collect();
    let can_remove = |g: &SystemGoal| manage.iter().any(|o| o.id == g.org);
    let mut district_goals: Vec<GoalGroup> = all
        .iter()
        .filter(|g| kind.get(&g.org) == Some(&OrgKind::District))
        .map(|g| GoalGroup {
            goal: g.clone(),
            serving: Vec::new(),
            removable: can_remove(g),
        })
        .collect();
    let mut own = Vec::new();
    for g in all
        .iter()
        .filter(|g| kind.get(&g.org) == Some(&OrgKind::School))
    {
        match g
            .aligned_to
            .and_then(|to| district_goals.iter_mut().find(|d| d.goal.id == to))
        {
            Some(group) => group.serving.push(g.clone()),
            None => own.push((g.clone(), can_remove(g))),
        }
    }
    let servable = district_goals
        .iter()
        .map(|d| {
            (
                d.goal.id,
                d.goal.org_name.clone(),
                d.goal.text.statement.clone(),
            )
        })
        .collect();
    Ok(GoalsPage {
        layout: Layout::for_user(user, "Goals", "/goals"),
        year: year.to_string(),
        prev: SchoolYear::starting(year.start() - 1).to_string(),
        next: SchoolYear::starting(year.start() + 1).to_string(),
        district_goals,
        own,
        manageable: manage
            .iter()
            .map(|o| (o.id.get(), o.name.clone()))
            .collect(),
        servable,
        tested: if manage.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            state.store.tested_subjects_and_grades().await?
        },
        form: GoalForm {
            year: if form.year.is_empty() {
                year.to_string()
            } else {
                form.year
            },
            ..form
        },
        problems,
    })
}

/// GET /goals (`?year=2026-27`; the current school year by default)
pub async fn goals(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let year = query
        .get("year")
        .and_then(|y| SchoolYear::parse(y))
        .unwrap_or_else(current_year);
    Ok(render(
        &page(&state, &user, year, GoalForm::default(), Vec::new()).await?,
    ))
}

/// POST /goals
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<GoalForm>,
) -> WebResult<Response> {
    let (_, manage) = scope(&state, &user).await?;
    if manage.is_empty() {
        return Err(WebError::NotFound);
    }
    let mut problems = Vec::new();
    let org = form
        .org
        .parse::<i64>()
        .ok()
        .and_then(|id| manage.iter().find(|o| o.id.get() == id));
    if org.is_none() {
        problems.push("Choose the district or school the goal is for.".to_owned());
    }
    let year = SchoolYear::parse(&form.year);
    if year.is_none() {
        problems.push("Give the school year as 2026-27.".to_owned());
    }
    let text = SystemGoalText::new(&form.statement, &form.measure, &form.target, &form.groups)
        .map_err(|ps| {
            problems.extend(ps.iter().map(|p| {
                let field = match p.field {
                    "statement" => "Goal",
                    "measure" => "Measure",
                    "target" => "Target",
                    _ => "Student groups",
                };
                format!("{field}: {}.", p.message)
            }));
        })
        .ok();
    let results = ResultsMeasure::from_form(
        &form.results_subject,
        &form.results_grade,
        &form.results_target,
    )
    .map_err(|p| problems.push(format!("Share on track aimed for: {}.", p.message)))
    .ok()
    .flatten();
    let serves = form.serves.parse::<i64>().ok();
    if let (Some(o), Some(_)) = (org, serves)
        && o.kind != OrgKind::School
    {
        problems.push("Only a school's goal serves a district goal.".to_owned());
    }
    let (Some(org), Some(year), Some(text), true) = (org, year, text, problems.is_empty()) else {
        let year = year.unwrap_or_else(current_year);
        let page = page(&state, &user, year, form, problems).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response());
    };
    state
        .store
        .create_system_goal(&NewSystemGoal {
            org: org.id,
            year,
            text,
            aligned_to: serves,
            results,
            by: user.actor.person,
            now: now_ms(),
        })
        .await?;
    Ok(Redirect::to(&format!("/goals?year={year}")).into_response())
}

/// POST /goals/{id}/remove
pub async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let goal = state
        .store
        .system_goal(id)
        .await?
        .ok_or(WebError::NotFound)?;
    let org = state.store.org(goal.org).await?.ok_or(WebError::NotFound)?;
    let placements = placements(&state, &user).await?;
    let r = goals_resource(&org, &placements);
    require(&user.actor, Action::ViewGoals, &r)?;
    require(&user.actor, Action::ManageGoals, &r)?;
    state.store.remove_system_goal(id).await?;
    Ok(Redirect::to(&format!("/goals?year={}", goal.year)).into_response())
}
