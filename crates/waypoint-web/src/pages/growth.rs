//! Growth plans: an educator's own page (goals, check-ins, competency
//! growth), a goal co-constructed with its reviewer (inline comments,
//! agreement as versions, evidence and files, check-ins, competency levels
//! confirmed by a reviewer), a coach's caseload and a school's overview.
//! Every route asks the policy about the plan's owner first; anything out
//! of scope is the same 404 as a missing goal.

use super::require;
use crate::auth::CurrentUser;
use crate::error::{WebError, WebResult};
use crate::middleware::MultipartCsrf;
use crate::view::{Layout, datetime, render};
use crate::{AppState, now_ms};
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use waypoint_domain::growth::{
    EvidenceKind, GOAL_FIELDS, GoalStatus, GoalText, LEVELS, PROGRESS, RatingKind, field_label,
    level_label, progress_label,
};
use waypoint_domain::{Action, OrgId, OrgKind, PersonId, Placement, Policy, Resource, Role, Scope};
use waypoint_store::{
    CheckIn, CheckInRecord, DueCheckIn, Evidence, EvidenceFile, GoalComment, GoalEdit, GoalFilter,
    GoalVersion, NewEvidence, NewPersonalGoal, NewRating, Notification, PersonalGoal, Rating,
};

/// Days between check-ins unless the goal says otherwise.
const DEFAULT_CADENCE_DAYS: i64 = 21;
/// Weeks without evidence before a school's overview flags it.
const QUIET_WEEKS: i64 = 4;

/// Today (UTC) as `yyyy-mm-dd`.
pub fn today() -> jiff::civil::Date {
    jiff::Timestamp::from_millisecond(now_ms())
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
        .unwrap_or_default()
}

/// `date` plus `days`, as `yyyy-mm-dd`.
fn plus_days(date: jiff::civil::Date, days: i64) -> String {
    date.checked_add(jiff::Span::new().days(days))
        .unwrap_or(date)
        .to_string()
}

/// "12 Oct 2026" from `yyyy-mm-dd` (as given when it does not parse).
pub(crate) fn day_label(day: &str) -> String {
    day.parse::<jiff::civil::Date>()
        .map(|d| d.strftime("%-d %b %Y").to_string())
        .unwrap_or_else(|_| day.to_owned())
}

/// Where `person` is on staff.
pub(crate) async fn placements_of(state: &AppState, person: PersonId) -> WebResult<Vec<Placement>> {
    Ok(state
        .store
        .staff(person)
        .await?
        .map(|s| s.placements)
        .unwrap_or_default())
}

fn plan<'a>(user: &CurrentUser, goal: &PersonalGoal, placements: &'a [Placement]) -> Resource<'a> {
    plan_of(
        user,
        goal.owner,
        goal.reviewer.as_ref().map(|r| r.0),
        placements,
    )
}

fn plan_of<'a>(
    user: &CurrentUser,
    owner: PersonId,
    reviewer: Option<PersonId>,
    placements: &'a [Placement],
) -> Resource<'a> {
    Resource::Growth {
        placements,
        owner: owner == user.actor.person,
        reviewer: reviewer == Some(user.actor.person),
    }
}

/// A goal `user` may read, with its owner's placements; 404 otherwise.
pub(crate) async fn readable_goal(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> WebResult<(PersonalGoal, Vec<Placement>)> {
    let goal = state
        .store
        .personal_goal(id)
        .await?
        .ok_or(WebError::NotFound)?;
    let placements = placements_of(state, goal.owner).await?;
    require(
        &user.actor,
        Action::ViewGrowth,
        &plan(user, &goal, &placements),
    )?;
    Ok((goal, placements))
}

/// A goal `user` may read and do `action` on; 404 unless readable, 403
/// when readable but not theirs to change.
pub(crate) async fn goal_for(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    actions: &[Action],
) -> WebResult<(PersonalGoal, Vec<Placement>)> {
    let (goal, placements) = readable_goal(state, user, id).await?;
    let r = plan(user, &goal, &placements);
    if actions.iter().any(|a| Policy::can(&user.actor, *a, &r)) {
        Ok((goal, placements))
    } else {
        Err(WebError::Forbidden(
            "This is not yours to change.".to_owned(),
        ))
    }
}

/// The coaches and principals who may review a goal of someone placed at
/// `placements`: those whose grant covers one of their schools.
async fn reviewers_for(
    state: &AppState,
    owner: PersonId,
    placements: &[Placement],
) -> WebResult<Vec<(PersonId, String, &'static str)>> {
    let mut orgs: Vec<OrgId> = placements
        .iter()
        .flat_map(|p| [p.school, p.district])
        .flatten()
        .collect();
    orgs.sort_unstable();
    orgs.dedup();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for org in orgs {
        for s in state.store.staff_of_org(org).await? {
            if s.id == owner || !seen.insert(s.id) {
                continue;
            }
            let Some(detail) = state.store.staff(s.id).await? else {
                continue;
            };
            let role = detail.grants.iter().find_map(|g| {
                let covers = placements.iter().any(|p| g.scope.covers(p));
                match g.role {
                    Role::Coach if covers => Some("Coach"),
                    Role::Principal if covers => Some("Principal"),
                    _ => None,
                }
            });
            if let Some(role) = role {
                out.push((s.id, format!("{} {}", s.given_name, s.family_name), role));
            }
        }
    }
    out.sort_by(|a, b| a.2.cmp(b.2).then(a.1.cmp(&b.1)));
    Ok(out)
}

/// A line of a growth chart: one competency's levels over time.
pub struct ChartLine {
    /// The competency.
    pub label: String,
    /// SVG polyline points.
    pub points: String,
    /// Each point: x, y, what it was.
    pub dots: Vec<(f64, f64, String)>,
    /// The target's height, if set.
    pub target_y: Option<f64>,
    /// The class picking its colour.
    pub class: String,
}

/// One competency on a person's page: levels as they stand, and history.
pub struct CompetencyView {
    /// The item.
    pub item: i64,
    /// Its code and words.
    pub label: String,
    /// Self-assessed starting level.
    pub start: Option<i64>,
    /// Target.
    pub target: Option<i64>,
    /// Latest confirmed or reviewer-given level.
    pub current: Option<i64>,
    /// Claims waiting for a reviewer.
    pub pending: Vec<Rating>,
    /// Every rating, oldest first.
    pub history: Vec<Rating>,
}

const CHART_W: f64 = 640.0;
const CHART_H: f64 = 180.0;
const CHART_PAD: f64 = 28.0;

fn level_y(level: i64) -> f64 {
    let f = (level.clamp(1, 4) - 1) as f64 / 3.0;
    CHART_H - CHART_PAD - f * (CHART_H - 2.0 * CHART_PAD)
}

/// Levels by competency, from every rating an educator has.
fn competencies(ratings: &[Rating]) -> Vec<CompetencyView> {
    let mut by: BTreeMap<i64, CompetencyView> = BTreeMap::new();
    for r in ratings {
        let c = by
            .entry(r.competency.item)
            .or_insert_with(|| CompetencyView {
                item: r.competency.item,
                label: competency_label(&r.competency.code, &r.competency.statement),
                start: None,
                target: None,
                current: None,
                pending: Vec::new(),
                history: Vec::new(),
            });
        match r.kind {
            RatingKind::SelfAssessed => {
                if c.start.is_none() {
                    c.start = Some(r.level);
                }
            }
            RatingKind::Target => c.target = Some(r.level),
            RatingKind::Claim if r.confirmed.is_some() => c.current = Some(r.level),
            RatingKind::Claim => c.pending.push(r.clone()),
            RatingKind::Review => c.current = Some(r.level),
        }
        c.history.push(r.clone());
    }
    by.into_values().collect()
}

/// "2a Questioning" or the statement alone.
fn competency_label(code: &str, statement: &str) -> String {
    let short: String = statement.chars().take(80).collect();
    let short = if statement.chars().count() > 80 {
        format!("{short}…")
    } else {
        short
    };
    if code.is_empty() {
        short
    } else {
        format!("{code} {short}")
    }
}

/// The growth chart: each competency's self-assessed start, then every
/// confirmed level, over time; the target dashed.
fn chart(views: &[CompetencyView]) -> (Vec<ChartLine>, Vec<(f64, String)>) {
    let when = |r: &Rating| match (&r.kind, &r.confirmed) {
        (RatingKind::Claim, Some((_, at))) => *at,
        _ => r.created_at,
    };
    let shown = |r: &Rating| match r.kind {
        RatingKind::SelfAssessed | RatingKind::Review => true,
        RatingKind::Claim => r.confirmed.is_some(),
        RatingKind::Target => false,
    };
    let times: Vec<i64> = views
        .iter()
        .flat_map(|v| v.history.iter().filter(|r| shown(r)).map(when))
        .collect();
    let (Some(lo), Some(hi)) = (times.iter().min().copied(), times.iter().max().copied()) else {
        return (Vec::new(), Vec::new());
    };
    let span = (hi - lo).max(86_400_000) as f64;
    let x = |t: i64| CHART_PAD * 2.0 + (t - lo) as f64 / span * (CHART_W - CHART_PAD * 3.0);
    let lines = views
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let mut pts: Vec<(i64, &Rating)> = v
                .history
                .iter()
                .filter(|r| shown(r))
                .map(|r| (when(r), r))
                .collect();
            pts.sort_by_key(|p| p.0);
            if pts.is_empty() {
                return None;
            }
            let dots: Vec<(f64, f64, String)> = pts
                .iter()
                .map(|(t, r)| {
                    (
                        x(*t),
                        level_y(r.level),
                        format!(
                            "{}: {} ({}), {}",
                            v.label,
                            level_label(r.level),
                            r.kind.label(),
                            datetime(*t).get(..10).unwrap_or_default()
                        ),
                    )
                })
                .collect();
            Some(ChartLine {
                label: v.label.clone(),
                points: dots
                    .iter()
                    .map(|(x, y, _)| format!("{x:.1},{y:.1}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                dots,
                target_y: v.target.map(level_y),
                class: format!("series-{}", i % 4),
            })
        })
        .collect();
    let levels = (1..=4)
        .map(|l| (level_y(l), level_label(l).to_owned()))
        .collect();
    (lines, levels)
}

/// A goal in a list.
pub struct GoalRow {
    goal: PersonalGoal,
    overdue: bool,
}

fn row(goal: PersonalGoal, today: &str) -> GoalRow {
    let overdue =
        goal.status.is_active() && goal.next_check_in.as_deref().is_some_and(|d| d < today);
    GoalRow { goal, overdue }
}

/// An educator's growth page (their own, or theirs seen by a reviewer).
#[derive(Template)]
#[template(path = "growth.html")]
pub struct GrowthPage {
    layout: Layout,
    own: bool,
    name: String,
    goals: Vec<GoalRow>,
    due: Vec<(DueCheckIn, bool)>,
    competencies: Vec<CompetencyView>,
    lines: Vec<ChartLine>,
    levels: Vec<(f64, String)>,
    notifications: Vec<Notification>,
    unread: usize,
}

fn growth_layout(user: &CurrentUser, title: &str, section: &str) -> Layout {
    Layout::for_user(user, title, section)
}

/// GET /growth
pub async fn mine(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    let me = user.actor.person;
    let placements = placements_of(&state, me).await?;
    require(
        &user.actor,
        Action::ViewGrowth,
        &plan_of(&user, me, None, &placements),
    )?;
    let today = today().to_string();
    let goals = state.store.personal_goals(&GoalFilter::Owner(me)).await?;
    let due = state
        .store
        .due_check_ins(me)
        .await?
        .into_iter()
        .filter(|d| d.owner == me)
        .map(|d| {
            let late = d.due_on < today;
            (d, late)
        })
        .collect();
    let ratings = state.store.ratings_of(me).await?;
    let views = competencies(&ratings);
    let (lines, levels) = chart(&views);
    let notifications = state.store.notifications(me, 8).await?;
    let unread = notifications.iter().filter(|n| n.read_at.is_none()).count();
    Ok(render(&GrowthPage {
        layout: growth_layout(&user, "My growth", "/growth"),
        own: true,
        name: user.name.clone(),
        goals: goals.into_iter().map(|g| row(g, &today)).collect(),
        due,
        competencies: views,
        lines,
        levels,
        notifications,
        unread,
    }))
}

/// A person whose plan `user` reads (themselves, a reviewer of any of
/// their goals, or by the policy), with their goals; 404 otherwise.
pub(crate) async fn readable_person(
    state: &AppState,
    user: &CurrentUser,
    who: PersonId,
) -> WebResult<(waypoint_store::StaffDetail, Vec<PersonalGoal>)> {
    let detail = state.store.staff(who).await?.ok_or(WebError::NotFound)?;
    let goals = state.store.personal_goals(&GoalFilter::Owner(who)).await?;
    let reviews = goals.iter().any(|g| {
        g.reviewer
            .as_ref()
            .is_some_and(|r| r.0 == user.actor.person)
    });
    require(
        &user.actor,
        Action::ViewGrowth,
        &Resource::Growth {
            placements: &detail.placements,
            owner: who == user.actor.person,
            reviewer: reviews,
        },
    )?;
    Ok((detail, goals))
}

/// GET /growth/people/{id}
pub async fn person(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let who = PersonId::new(id);
    if who == user.actor.person {
        return Ok(Redirect::to("/growth").into_response());
    }
    let (detail, goals) = readable_person(&state, &user, who).await?;
    let today = today().to_string();
    let due = goals
        .iter()
        .filter(|g| g.status.is_active())
        .filter_map(|g| {
            g.next_check_in.as_ref().map(|d| {
                (
                    DueCheckIn {
                        id: 0,
                        goal: g.id,
                        owner: who,
                        owner_name: g.owner_name.clone(),
                        inquiry: g.text.inquiry.clone(),
                        due_on: d.clone(),
                    },
                    *d < today,
                )
            })
        })
        .collect();
    let ratings = state.store.ratings_of(who).await?;
    let views = competencies(&ratings);
    let (lines, levels) = chart(&views);
    let name = format!("{} {}", detail.row.given_name, detail.row.family_name);
    Ok(render(&GrowthPage {
        layout: growth_layout(&user, &format!("Growth of {name}"), "/growth/school").with_crumbs(
            vec![
                ("/growth/caseload".to_owned(), "Caseload".to_owned()),
                (String::new(), name.clone()),
            ],
        ),
        own: false,
        name,
        goals: goals.into_iter().map(|g| row(g, &today)).collect(),
        due,
        competencies: views,
        lines,
        levels,
        notifications: Vec::new(),
        unread: 0,
    }))
}

/// POST /notifications/read
pub async fn read_notifications(
    State(state): State<AppState>,
    user: CurrentUser,
) -> WebResult<Response> {
    state
        .store
        .mark_notifications_read(user.actor.person, now_ms())
        .await?;
    Ok(Redirect::to("/growth").into_response())
}

/// What the goal form holds.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GoalForm {
    #[serde(default)]
    pub(crate) inquiry: String,
    #[serde(default)]
    pub(crate) strengths: String,
    #[serde(default)]
    pub(crate) success: String,
    #[serde(default)]
    pub(crate) students: String,
    #[serde(default)]
    pub(crate) actions: String,
    #[serde(default)]
    pub(crate) supports: String,
    #[serde(default)]
    pub(crate) timeline: String,
    #[serde(default)]
    pub(crate) serves: String,
    #[serde(default)]
    pub(crate) cadence: String,
    /// Focus competencies: item ids, one `competency` field per choice.
    #[serde(default)]
    pub(crate) competency: Vec<String>,
}

impl GoalForm {
    fn from_goal(g: &PersonalGoal) -> Self {
        let t = &g.text;
        Self {
            inquiry: t.inquiry.clone(),
            strengths: t.strengths.clone(),
            success: t.success.clone(),
            students: t.students.clone(),
            actions: t.actions.clone(),
            supports: t.supports.clone(),
            timeline: t.timeline.clone(),
            serves: g
                .system_goal
                .as_ref()
                .map(|s| s.0.to_string())
                .unwrap_or_default(),
            cadence: (g.cadence_days / 7).to_string(),
            competency: g.competencies.iter().map(|c| c.item.to_string()).collect(),
        }
    }

    fn value(&self, field: &str) -> &str {
        match field {
            "inquiry" => &self.inquiry,
            "strengths" => &self.strengths,
            "success" => &self.success,
            "students" => &self.students,
            "actions" => &self.actions,
            "supports" => &self.supports,
            "timeline" => &self.timeline,
            _ => "",
        }
    }
}

/// Reads a urlencoded body where a field may repeat.
fn parse_goal_form(body: &[u8]) -> GoalForm {
    let mut form = GoalForm::default();
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    for (k, v) in pairs {
        match k.as_str() {
            "inquiry" => form.inquiry = v,
            "strengths" => form.strengths = v,
            "success" => form.success = v,
            "students" => form.students = v,
            "actions" => form.actions = v,
            "supports" => form.supports = v,
            "timeline" => form.timeline = v,
            "serves" => form.serves = v,
            "cadence" => form.cadence = v,
            "competency" => form.competency.push(v),
            _ => {}
        }
    }
    form
}

/// A form field with its label, value and hint.
pub struct FieldInput {
    name: &'static str,
    label: &'static str,
    value: String,
    hint: &'static str,
    required: bool,
    rows: u8,
}

fn field_inputs(form: &GoalForm) -> Vec<FieldInput> {
    GOAL_FIELDS
        .iter()
        .map(|(name, label)| {
            let (hint, required, rows) = match *name {
                "inquiry" => ("How can I … so that my students …?", true, 2),
                "strengths" => ("What you already do well and build on.", true, 3),
                "success" => (
                    "What you and your students will do or show when you are there.",
                    true,
                    3,
                ),
                "students" => (
                    "A class or group of your own students, if the goal is for some.",
                    false,
                    1,
                ),
                "actions" => ("What you will try, one step per line.", true, 4),
                "supports" => (
                    "Coaching, observing a colleague, a PLC, release time, resources.",
                    false,
                    2,
                ),
                _ => ("e.g. October to March", false, 1),
            };
            FieldInput {
                name,
                label,
                value: form.value(name).to_owned(),
                hint,
                required,
                rows,
            }
        })
        .collect()
}

/// A competency to choose: item id, label, depth in its framework, chosen.
type Choice = (i64, String, i64, bool);

/// The new-goal and edit-goal form.
#[derive(Template)]
#[template(path = "growth_goal_form.html")]
pub struct GoalFormPage {
    layout: Layout,
    action: String,
    editing: Option<(i64, GoalStatus)>,
    fields: Vec<FieldInput>,
    /// System goals of the year: id, whose, statement.
    servable: Vec<(i64, String, String)>,
    serves: String,
    cadence: String,
    /// Competencies by framework: title, items.
    frameworks: Vec<(String, Vec<Choice>)>,
    problems: Vec<String>,
}

async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    editing: Option<&PersonalGoal>,
    form: GoalForm,
    problems: Vec<String>,
) -> WebResult<GoalFormPage> {
    let year = editing.map_or_else(super::goals::current_year, |g| g.year);
    let servable = super::goals::visible(state, user, year)
        .await?
        .into_iter()
        .map(|g| (g.id, g.org_name, g.text.statement))
        .collect();
    let chosen: HashSet<&str> = form.competency.iter().map(String::as_str).collect();
    let mut frameworks = Vec::new();
    for f in state.store.frameworks().await? {
        let items = state
            .store
            .framework_items(f.id)
            .await?
            .into_iter()
            .map(|i| {
                let on = chosen.contains(i.id.to_string().as_str());
                (i.id, competency_label(&i.code, &i.statement), i.depth, on)
            })
            .collect();
        frameworks.push((f.title, items));
    }
    let (action, title) = match editing {
        Some(g) => (format!("/growth/goals/{}/edit", g.id), "Change the goal"),
        None => ("/growth/goals".to_owned(), "Draft a goal"),
    };
    Ok(GoalFormPage {
        layout: growth_layout(user, title, "/growth").with_crumbs(vec![
            ("/growth".to_owned(), "My growth".to_owned()),
            (String::new(), title.to_owned()),
        ]),
        action,
        editing: editing.map(|g| (g.id, g.status)),
        fields: field_inputs(&form),
        servable,
        serves: form.serves.clone(),
        cadence: if form.cadence.is_empty() {
            (DEFAULT_CADENCE_DAYS / 7).to_string()
        } else {
            form.cadence.clone()
        },
        frameworks,
        problems,
    })
}

/// GET /growth/goals/new
pub async fn new_goal(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    let me = user.actor.person;
    let placements = placements_of(&state, me).await?;
    require(
        &user.actor,
        Action::EditGrowth,
        &plan_of(&user, me, None, &placements),
    )?;
    Ok(render(
        &form_page(&state, &user, None, GoalForm::default(), Vec::new()).await?,
    ))
}

/// Checks the form: the goal's words, the system goal it serves (one the
/// educator can read), its cadence and competencies.
async fn check_form(
    state: &AppState,
    user: &CurrentUser,
    form: &GoalForm,
    year: waypoint_domain::goals::SchoolYear,
) -> WebResult<Result<GoalEdit, Vec<String>>> {
    let mut problems = Vec::new();
    let text = GoalText::new(
        &form.inquiry,
        &form.strengths,
        &form.success,
        &form.students,
        &form.actions,
        &form.supports,
        &form.timeline,
    )
    .map_err(|ps| {
        problems.extend(
            ps.iter()
                .map(|p| format!("{}: {}.", field_label(p.field), p.message)),
        );
    })
    .ok();
    let system_goal = match form.serves.trim() {
        "" => None,
        s => {
            let id = s.parse::<i64>().ok();
            let visible = super::goals::visible(state, user, year).await?;
            if id.is_none_or(|id| !visible.iter().any(|g| g.id == id)) {
                problems.push("Choose a goal of your district or school for this year.".to_owned());
            }
            id
        }
    };
    let weeks = form
        .cadence
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|w| (1..=12).contains(w));
    if weeks.is_none() {
        problems.push("Check-ins: every 1 to 12 weeks.".to_owned());
    }
    let mut competencies = Vec::new();
    for c in &form.competency {
        match c.parse::<i64>() {
            Ok(id) if !competencies.contains(&id) => competencies.push(id),
            Ok(_) => {}
            Err(_) => problems.push("Choose focus competencies from the list.".to_owned()),
        }
    }
    if competencies.len() > 5 {
        problems.push("Focus on at most five competencies.".to_owned());
    }
    if !competencies.is_empty() {
        let mut known = HashSet::new();
        for f in state.store.frameworks().await? {
            known.extend(
                state
                    .store
                    .framework_items(f.id)
                    .await?
                    .into_iter()
                    .map(|i| i.id),
            );
        }
        if competencies.iter().any(|c| !known.contains(c)) {
            problems.push("Choose focus competencies from the frameworks listed.".to_owned());
        }
    }
    Ok(match (text, weeks, problems.is_empty()) {
        (Some(text), Some(weeks), true) => Ok(GoalEdit {
            system_goal,
            text,
            competencies,
            cadence_days: weeks * 7,
        }),
        _ => Err(problems),
    })
}

/// Drafts the goal the form describes for `user`: its id, or what is wrong.
pub(crate) async fn create_for(
    state: &AppState,
    user: &CurrentUser,
    form: &GoalForm,
) -> WebResult<Result<i64, Vec<String>>> {
    let me = user.actor.person;
    let placements = placements_of(state, me).await?;
    require(
        &user.actor,
        Action::EditGrowth,
        &plan_of(user, me, None, &placements),
    )?;
    let year = super::goals::current_year();
    Ok(match check_form(state, user, form, year).await? {
        Ok(edit) => Ok(state
            .store
            .create_personal_goal(&NewPersonalGoal {
                owner: me,
                year,
                system_goal: edit.system_goal,
                text: edit.text,
                competencies: edit.competencies,
                cadence_days: edit.cadence_days,
                carried_from: None,
                now: now_ms(),
            })
            .await?),
        Err(problems) => Err(problems),
    })
}

/// POST /growth/goals
pub async fn create_goal(
    State(state): State<AppState>,
    user: CurrentUser,
    body: axum::body::Bytes,
) -> WebResult<Response> {
    let form = parse_goal_form(&body);
    match create_for(&state, &user, &form).await? {
        Ok(id) => Ok(Redirect::to(&format!("/growth/goals/{id}")).into_response()),
        Err(problems) => {
            let page = form_page(&state, &user, None, form, problems).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

/// GET /growth/goals/{id}/edit
pub async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let (goal, _) = goal_for(&state, &user, id, &[Action::EditGrowth]).await?;
    if !goal.status.is_editable() {
        return Err(WebError::Conflict(
            "A closed goal cannot change.".to_owned(),
        ));
    }
    let form = GoalForm::from_goal(&goal);
    Ok(render(
        &form_page(&state, &user, Some(&goal), form, Vec::new()).await?,
    ))
}

/// POST /growth/goals/{id}/edit
pub async fn edit_goal(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> WebResult<Response> {
    let (goal, _) = goal_for(&state, &user, id, &[Action::EditGrowth]).await?;
    let form = parse_goal_form(&body);
    match check_form(&state, &user, &form, goal.year).await? {
        Ok(edit) => {
            state.store.edit_personal_goal(id, &edit, now_ms()).await?;
            Ok(Redirect::to(&format!("/growth/goals/{id}")).into_response())
        }
        Err(problems) => {
            let page = form_page(&state, &user, Some(&goal), form, problems).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

/// A field of the goal with its comments.
pub struct FieldView {
    name: &'static str,
    label: &'static str,
    value: String,
    changed: bool,
    comments: Vec<GoalComment>,
}

/// A goal's page.
#[derive(Template)]
#[template(path = "growth_goal.html")]
pub struct GoalPage {
    layout: Layout,
    goal: PersonalGoal,
    own: bool,
    can_edit: bool,
    can_review: bool,
    can_submit: bool,
    can_agree: bool,
    can_close: bool,
    can_add: bool,
    can_record: bool,
    fields: Vec<FieldView>,
    general: Vec<GoalComment>,
    versions: Vec<GoalVersion>,
    evidence: Vec<Evidence>,
    check_ins: Vec<(CheckIn, bool)>,
    next_due: String,
    competencies: Vec<CompetencyView>,
    reviewers: Vec<(PersonId, String, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    levels: Vec<(i64, &'static str)>,
    progress: Vec<(i64, &'static str)>,
    today: String,
    extensions: String,
    notice: Option<&'static str>,
    can_share: bool,
    story: Option<waypoint_store::Story>,
    /// Where the story may go: id, name, chosen.
    audiences: Vec<(i64, String, bool)>,
    /// The students the goal targets, and how they moved.
    students: Option<super::targets::TargetView>,
    /// The form that chooses them (the goal's educator).
    target_form: Option<super::targets::TargetForm>,
}

/// GET /growth/goals/{id}
pub async fn goal(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let (goal, placements) = readable_goal(&state, &user, id).await?;
    let r = plan(&user, &goal, &placements);
    let own = goal.owner == user.actor.person;
    let can_edit = Policy::can(&user.actor, Action::EditGrowth, &r);
    let can_review = Policy::can(&user.actor, Action::ReviewGrowth, &r);
    let comments = state.store.goal_comments(id).await?;
    let versions = state.store.goal_versions(id).await?;
    let agreed = versions.last().map(|v| v.text.clone());
    let fields = GOAL_FIELDS
        .iter()
        .map(|(name, label)| FieldView {
            name,
            label,
            value: goal.text.get(name).to_owned(),
            changed: agreed
                .as_ref()
                .is_some_and(|a| a.get(name) != goal.text.get(name)),
            comments: comments
                .iter()
                .filter(|c| c.field == *name)
                .cloned()
                .collect(),
        })
        .collect();
    let general = comments
        .into_iter()
        .filter(|c| c.field.is_empty())
        .collect();
    let today = today();
    let today_s = today.to_string();
    let check_ins = state
        .store
        .check_ins(id)
        .await?
        .into_iter()
        .map(|c| {
            let late = c.held_on.is_none() && c.due_on < today_s;
            (c, late)
        })
        .collect();
    let ratings = state.store.ratings_of(goal.owner).await?;
    let focus: HashSet<i64> = goal.competencies.iter().map(|c| c.item).collect();
    let mut views: Vec<CompetencyView> = competencies(&ratings)
        .into_iter()
        .filter(|v| focus.contains(&v.item))
        .collect();
    for c in &goal.competencies {
        if !views.iter().any(|v| v.item == c.item) {
            views.push(CompetencyView {
                item: c.item,
                label: competency_label(&c.code, &c.statement),
                start: None,
                target: None,
                current: None,
                pending: Vec::new(),
                history: Vec::new(),
            });
        }
    }
    let reviewers = if can_edit && matches!(goal.status, GoalStatus::Draft | GoalStatus::InReview) {
        reviewers_for(&state, goal.owner, &placements).await?
    } else {
        Vec::new()
    };
    let notice = match query.keys().next().map(String::as_str) {
        Some("submitted") => Some("Sent for review. Your reviewer has been told."),
        Some("agreed") => Some("Agreed. The first check-in is scheduled."),
        Some("recorded") => Some("Check-in recorded, and the next one scheduled."),
        Some("added") => Some("Evidence added."),
        Some("rated") => Some("Level recorded."),
        Some("confirmed") => Some("Level confirmed."),
        Some("closed") => Some("The goal is closed."),
        _ => None,
    };
    let next_due = plus_days(today, goal.cadence_days);
    let can_share = can_edit && (goal.status.is_active() || goal.status.is_closed());
    let story = state.store.story_of_goal(id).await?;
    let audiences = if can_share {
        super::showcase::audiences(&state, &placements)
            .await?
            .into_iter()
            .map(|o| {
                let on = story.as_ref().is_some_and(|s| s.org == o.id);
                (o.id.get(), o.name, on)
            })
            .collect()
    } else {
        Vec::new()
    };
    let (students, target_form) =
        super::targets::view(&state, &user, &goal, can_edit && !goal.status.is_closed()).await?;
    Ok(render(&GoalPage {
        students,
        target_form,
        can_share,
        story,
        audiences,
        layout: growth_layout(
            &user,
            "Goal",
            if own { "/growth" } else { "/growth/caseload" },
        )
        .with_crumbs(vec![
            if own {
                ("/growth".to_owned(), "My growth".to_owned())
            } else {
                (
                    format!("/growth/people/{}", goal.owner),
                    goal.owner_name.clone(),
                )
            },
            (String::new(), format!("Goal {}", goal.year)),
        ]),
        can_submit: can_edit && matches!(goal.status, GoalStatus::Draft | GoalStatus::InReview),
        can_agree: can_review && goal.status == GoalStatus::InReview,
        can_close: can_edit && goal.status.is_active(),
        can_add: (can_edit || can_review) && !goal.status.is_closed(),
        can_record: (can_edit || can_review) && goal.status.is_active(),
        can_edit: can_edit && goal.status.is_editable(),
        can_review,
        own,
        fields,
        general,
        versions,
        evidence: state.store.evidence_of(id).await?,
        check_ins,
        next_due,
        competencies: views,
        reviewers,
        kinds: EvidenceKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        levels: (1..=4).zip(LEVELS).collect(),
        progress: (1..=4).zip(PROGRESS).collect(),
        today: today_s,
        extensions: waypoint_domain::growth::evidence_extensions(),
        notice,
        goal,
    }))
}

/// The submit form.
#[derive(Debug, Deserialize)]
pub struct SubmitForm {
    #[serde(default)]
    reviewer: String,
}

/// POST /growth/goals/{id}/submit
pub async fn submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<SubmitForm>,
) -> WebResult<Response> {
    let (goal, placements) = goal_for(&state, &user, id, &[Action::EditGrowth]).await?;
    let reviewers = reviewers_for(&state, goal.owner, &placements).await?;
    let Some(reviewer) = form
        .reviewer
        .parse::<i64>()
        .ok()
        .and_then(|r| reviewers.iter().find(|x| x.0.get() == r))
    else {
        return Err(WebError::Unprocessable(
            "Choose the coach or principal to review the goal with.".to_owned(),
        ));
    };
    state
        .store
        .submit_personal_goal(id, reviewer.0, now_ms())
        .await?;
    Ok(Redirect::to(&format!("/growth/goals/{id}?submitted")).into_response())
}

/// The comment form.
#[derive(Debug, Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    field: String,
    #[serde(default)]
    body: String,
}

/// Comments on a goal as `user`: the comment's id.
pub(crate) async fn comment_for(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    field: &str,
    body: &str,
) -> WebResult<i64> {
    goal_for(state, user, id, &[Action::EditGrowth, Action::ReviewGrowth]).await?;
    let body = body.trim();
    if body.is_empty() || body.chars().count() > 2_000 {
        return Err(WebError::Unprocessable(
            "Write a comment of up to 2,000 characters.".to_owned(),
        ));
    }
    let field = if GOAL_FIELDS.iter().any(|(f, _)| *f == field) {
        field
    } else {
        ""
    };
    Ok(state
        .store
        .comment_on_goal(id, field, body, user.actor.person, now_ms())
        .await?)
}

/// POST /growth/goals/{id}/comments
pub async fn comment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<CommentForm>,
) -> WebResult<Response> {
    let cid = comment_for(&state, &user, id, &form.field, &form.body).await?;
    Ok(Redirect::to(&format!("/growth/goals/{id}#comment-{cid}")).into_response())
}

/// Agrees a goal in review as `user`, scheduling its check-in.
pub(crate) async fn agree_for(state: &AppState, user: &CurrentUser, id: i64) -> WebResult<()> {
    let (goal, _) = goal_for(state, user, id, &[Action::ReviewGrowth]).await?;
    let due = plus_days(today(), goal.cadence_days);
    state
        .store
        .agree_personal_goal(id, user.actor.person, &due, now_ms())
        .await?;
    Ok(())
}

/// POST /growth/goals/{id}/agree
pub async fn agree(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    agree_for(&state, &user, id).await?;
    Ok(Redirect::to(&format!("/growth/goals/{id}?agreed")).into_response())
}

/// The closing form.
#[derive(Debug, Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    reflection: String,
}

/// POST /growth/goals/{id}/close
pub async fn close(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<CloseForm>,
) -> WebResult<Response> {
    goal_for(&state, &user, id, &[Action::EditGrowth]).await?;
    let outcome = match form.outcome.as_str() {
        "complete" => GoalStatus::Complete,
        "carried_over" => GoalStatus::CarriedOver,
        _ => {
            return Err(WebError::Unprocessable(
                "Choose whether the goal is complete or carries over.".to_owned(),
            ));
        }
    };
    let reflection = form.reflection.trim();
    if reflection.is_empty() || reflection.chars().count() > 4_000 {
        return Err(WebError::Unprocessable(
            "Write a closing reflection (up to 4,000 characters): what you tried, what changed for your students, what is next.".to_owned(),
        ));
    }
    let next = state
        .store
        .close_personal_goal(id, outcome, reflection, now_ms())
        .await?;
    Ok(match next {
        Some(n) => Redirect::to(&format!("/growth/goals/{n}")),
        None => Redirect::to(&format!("/growth/goals/{id}?closed")),
    }
    .into_response())
}

/// POST /growth/evidence (multipart: `_csrf`, `goal`, `kind`, `title`,
/// `body`, `link`, `competency`…, then an optional `file`).
pub async fn add_evidence(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: Option<axum::Extension<MultipartCsrf>>,
    multipart: Multipart,
) -> WebResult<Response> {
    let form = crate::middleware::read_upload(csrf.as_deref(), multipart, &["file"]).await?;
    let mut chosen: Vec<i64> = form
        .texts("competency")
        .filter_map(|v| v.parse().ok())
        .collect();
    let file = form.file("file").map(|(n, b)| (n.to_owned(), b.to_vec()));
    let id = form
        .text("goal")
        .parse::<i64>()
        .map_err(|_| WebError::NotFound)?;
    let (goal, _) = goal_for(
        &state,
        &user,
        id,
        &[Action::EditGrowth, Action::ReviewGrowth],
    )
    .await?;
    let get = |k: &str| form.text(k);
    let mut problems = Vec::new();
    let kind = EvidenceKind::parse(get("kind"));
    if kind.is_none() {
        problems.push("Choose what kind of evidence it is.".to_owned());
    }
    let title = get("title");
    if title.is_empty() || title.chars().count() > 200 {
        problems.push("Give the evidence a title of up to 200 characters.".to_owned());
    }
    let body = get("body");
    if body.chars().count() > 10_000 {
        problems.push("Keep the notes to 10,000 characters.".to_owned());
    }
    let link = match get("link") {
        "" => None,
        l => match waypoint_domain::growth::evidence_link(l) {
            Ok(l) => Some(l),
            Err(e) => {
                problems.push(format!("Link: {e}."));
                None
            }
        },
    };
    let file = match file {
        None => None,
        Some((name, bytes)) => {
            let clean: String = name
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_control() && *c != '"')
                .take(200)
                .collect();
            match waypoint_domain::growth::evidence_file_type(&clean, &bytes) {
                Ok(content_type) => Some(EvidenceFile {
                    name: clean,
                    content_type: content_type.to_owned(),
                    bytes,
                }),
                Err(e) => {
                    problems.push(format!("File {clean}: {e}."));
                    None
                }
            }
        }
    };
    if body.is_empty() && link.is_none() && file.is_none() && problems.is_empty() {
        problems.push("Add notes, a link or a file.".to_owned());
    }
    let focus: HashSet<i64> = goal.competencies.iter().map(|c| c.item).collect();
    chosen.retain(|c| focus.contains(c));
    let Some(kind) = kind.filter(|_| problems.is_empty()) else {
        return Err(WebError::Unprocessable(problems.join(" ")));
    };
    let eid = state
        .store
        .add_evidence(&NewEvidence {
            goal: id,
            kind,
            title: title.to_owned(),
            body: body.to_owned(),
            link,
            file,
            competencies: chosen,
            by: user.actor.person,
            now: now_ms(),
        })
        .await?;
    Ok(Redirect::to(&format!("/growth/goals/{id}?added#evidence-{eid}")).into_response())
}

/// GET /growth/evidence/{id}/file
pub async fn evidence_file(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let evidence = state.store.evidence(id).await?.ok_or(WebError::NotFound)?;
    // Its goal's readers open it, and so do the readers of a story showing it.
    if let Err(e) = readable_goal(&state, &user, evidence.goal).await
        && !super::showcase::shown_to(&state, &user, id).await?
    {
        return Err(e);
    }
    let file = state
        .store
        .evidence_file(id)
        .await?
        .ok_or(WebError::NotFound)?;
    let disposition = format!(
        "attachment; filename=\"{}\"",
        file.name.replace(|c: char| !c.is_ascii() || c == '"', "_")
    );
    let mut r = file.bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&file.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    Ok(r)
}

/// The check-in form.
#[derive(Debug, Deserialize)]
pub struct CheckInForm {
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    discussed: String,
    #[serde(default)]
    progress: String,
    #[serde(default)]
    next_steps: String,
    #[serde(default)]
    next_due: String,
}

/// POST /growth/goals/{id}/check-ins/{check_in}
pub async fn record_check_in(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, check_in)): Path<(i64, i64)>,
    Form(form): Form<CheckInForm>,
) -> WebResult<Response> {
    goal_for(
        &state,
        &user,
        id,
        &[Action::EditGrowth, Action::ReviewGrowth],
    )
    .await?;
    let mut problems = Vec::new();
    let held = form.held_on.trim().parse::<jiff::civil::Date>().ok();
    if held.is_none_or(|d| d > today()) {
        problems.push("Give the day the check-in was held (not in the future).");
    }
    let progress = form
        .progress
        .parse::<i64>()
        .ok()
        .filter(|p| (1..=4).contains(p));
    if progress.is_none() {
        problems.push("Choose the progress toward point B.");
    }
    let discussed = form.discussed.trim();
    if discussed.is_empty() || discussed.chars().count() > 4_000 {
        problems.push("Note what was discussed (up to 4,000 characters).");
    }
    let next_steps = form.next_steps.trim();
    if next_steps.chars().count() > 4_000 {
        problems.push("Keep the next steps to 4,000 characters.");
    }
    let next_due = match form.next_due.trim() {
        "" => None,
        d => match d.parse::<jiff::civil::Date>() {
            Ok(d) if held.is_some_and(|h| d > h) => Some(d.to_string()),
            _ => {
                problems.push("The next check-in must come after this one.");
                None
            }
        },
    };
    let (Some(held), Some(progress), true) = (held, progress, problems.is_empty()) else {
        return Err(WebError::Unprocessable(problems.join(" ")));
    };
    state
        .store
        .record_check_in(&CheckInRecord {
            check_in,
            goal: id,
            held_on: held.to_string(),
            discussed: discussed.to_owned(),
            progress,
            next_steps: next_steps.to_owned(),
            next_due,
            by: user.actor.person,
            now: now_ms(),
        })
        .await?;
    Ok(Redirect::to(&format!("/growth/goals/{id}?recorded#check-ins")).into_response())
}

/// The rating form.
#[derive(Debug, Deserialize)]
pub struct RatingForm {
    #[serde(default)]
    item: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    evidence: String,
    #[serde(default)]
    note: String,
}

/// POST /growth/goals/{id}/ratings: the educator sets a starting point or
/// a target, or claims a level on evidence; a reviewer gives a level.
pub async fn rate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<RatingForm>,
) -> WebResult<Response> {
    let (goal, placements) = goal_for(
        &state,
        &user,
        id,
        &[Action::EditGrowth, Action::ReviewGrowth],
    )
    .await?;
    let own = Policy::can(
        &user.actor,
        Action::EditGrowth,
        &plan(&user, &goal, &placements),
    );
    let kind = RatingKind::parse(&form.kind)
        .ok_or_else(|| WebError::Unprocessable("Choose what kind of rating this is.".to_owned()))?;
    if own == (kind == RatingKind::Review) {
        return Err(WebError::Forbidden(
            "Educators set their start, target and claims; reviewers give their own rating."
                .to_owned(),
        ));
    }
    let item = form
        .item
        .parse::<i64>()
        .ok()
        .filter(|i| goal.competencies.iter().any(|c| c.item == *i))
        .ok_or_else(|| {
            WebError::Unprocessable("Choose one of the goal's competencies.".to_owned())
        })?;
    let level = form
        .level
        .parse::<i64>()
        .ok()
        .filter(|l| (1..=4).contains(l))
        .ok_or_else(|| WebError::Unprocessable("Choose a level.".to_owned()))?;
    let evidence =
        match form.evidence.trim() {
            "" => None,
            e => Some(e.parse::<i64>().map_err(|_| {
                WebError::Unprocessable("Choose evidence from the list.".to_owned())
            })?),
        };
    if kind == RatingKind::Claim && evidence.is_none() {
        return Err(WebError::Unprocessable(
            "A new level rests on evidence: choose the evidence that shows it.".to_owned(),
        ));
    }
    if let Some(e) = evidence
        && state.store.evidence(e).await?.is_none_or(|x| x.goal != id)
    {
        return Err(WebError::Unprocessable(
            "Choose evidence of this goal.".to_owned(),
        ));
    }
    let note = form.note.trim();
    if note.chars().count() > 2_000 {
        return Err(WebError::Unprocessable(
            "Keep the note to 2,000 characters.".to_owned(),
        ));
    }
    state
        .store
        .rate_competency(&NewRating {
            person: goal.owner,
            item,
            goal: Some(id),
            kind,
            level,
            note: note.to_owned(),
            evidence,
            by: user.actor.person,
            now: now_ms(),
        })
        .await?;
    Ok(Redirect::to(&format!("/growth/goals/{id}?rated#competencies")).into_response())
}

/// POST /growth/ratings/{id}/confirm
pub async fn confirm(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let rating = state.store.rating(id).await?.ok_or(WebError::NotFound)?;
    let goal = rating.goal.ok_or(WebError::NotFound)?;
    goal_for(&state, &user, goal, &[Action::ReviewGrowth]).await?;
    if !state
        .store
        .confirm_rating(id, user.actor.person, now_ms())
        .await?
    {
        return Err(WebError::Conflict(
            "This level has already been confirmed.".to_owned(),
        ));
    }
    Ok(Redirect::to(&format!("/growth/goals/{goal}?confirmed#competencies")).into_response())
}

/// A coach's or principal's caseload.
#[derive(Template)]
#[template(path = "growth_caseload.html")]
pub struct CaseloadPage {
    layout: Layout,
    waiting: Vec<GoalRow>,
    active: Vec<GoalRow>,
    closed: Vec<GoalRow>,
    due: Vec<(DueCheckIn, bool)>,
    overdue: usize,
    overseen: Vec<(i64, String)>,
}

/// The schools `user` oversees.
async fn overseen(
    state: &AppState,
    user: &CurrentUser,
) -> WebResult<Vec<(OrgId, String, Placement)>> {
    let mut out = Vec::new();
    for org in state.store.orgs().await? {
        if org.kind == OrgKind::School
            && Policy::can(
                &user.actor,
                Action::OverseeGrowth,
                &Resource::Org(org.placement),
            )
            && (user
                .actor
                .grants
                .iter()
                .any(|g| g.scope.covers(&org.placement)))
        {
            out.push((org.id, org.name, org.placement));
        }
    }
    Ok(out)
}

/// GET /growth/caseload
pub async fn caseload(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    if !user.holds(Role::Coach) && !user.holds(Role::Principal) {
        return Err(WebError::NotFound);
    }
    let me = user.actor.person;
    let today = today().to_string();
    let mut waiting = Vec::new();
    let mut active = Vec::new();
    let mut closed = Vec::new();
    for g in state
        .store
        .personal_goals(&GoalFilter::Reviewer(me))
        .await?
    {
        let r = row(g, &today);
        match r.goal.status {
            GoalStatus::Draft | GoalStatus::InReview => waiting.push(r),
            GoalStatus::Agreed | GoalStatus::InProgress => active.push(r),
            _ => closed.push(r),
        }
    }
    let due: Vec<(DueCheckIn, bool)> = state
        .store
        .due_check_ins(me)
        .await?
        .into_iter()
        .filter(|d| d.owner != me)
        .map(|d| {
            let late = d.due_on < today;
            (d, late)
        })
        .collect();
    Ok(render(&CaseloadPage {
        overdue: due.iter().filter(|d| d.1).count(),
        layout: growth_layout(&user, "Caseload", "/growth/caseload"),
        waiting,
        active,
        closed,
        due,
        overseen: overseen(&state, &user)
            .await?
            .into_iter()
            .map(|(id, name, _)| (id.get(), name))
            .collect(),
    }))
}

/// One educator on a school's overview.
pub struct OverviewRow {
    person: i64,
    name: String,
    role: String,
    goal: Option<GoalRow>,
    quiet: bool,
    last_evidence: String,
}

/// A school's growth plans at a glance.
#[derive(Template)]
#[template(path = "growth_school.html")]
pub struct SchoolPage {
    layout: Layout,
    school: String,
    schools: Vec<(i64, String, bool)>,
    rows: Vec<OverviewRow>,
    staff: usize,
    agreed: usize,
    overdue: usize,
    quiet: usize,
    no_goal: usize,
    weeks: i64,
    by_status: Vec<(&'static str, usize, u32)>,
}

/// One row per staff member of `school` (but `viewer`) with the goal that
/// matters now, and how many goals are in each status.
async fn school_rows(
    state: &AppState,
    school: OrgId,
    viewer: PersonId,
) -> WebResult<(Vec<OverviewRow>, HashMap<GoalStatus, usize>)> {
    let year = super::goals::current_year();
    let staff: Vec<_> = state
        .store
        .staff_of_org(school)
        .await?
        .into_iter()
        .filter(|s| s.id != viewer)
        .collect();
    let goals = state
        .store
        .personal_goals(&GoalFilter::Owners(
            staff.iter().map(|s| s.id).collect(),
            year,
        ))
        .await?;
    let today = today().to_string();
    let now = now_ms();
    let quiet_ms = QUIET_WEEKS * 7 * 86_400_000;
    let mut rows = Vec::new();
    let mut counts: HashMap<GoalStatus, usize> = HashMap::new();
    for s in &staff {
        // The goal that matters now: the open one, else the latest.
        let mine: Vec<&PersonalGoal> = goals.iter().filter(|g| g.owner == s.id).collect();
        let current = mine
            .iter()
            .find(|g| !g.status.is_closed())
            .or_else(|| mine.last())
            .map(|g| row((*g).clone(), &today));
        if let Some(g) = &current {
            *counts.entry(g.goal.status).or_default() += 1;
        }
        let last = mine.iter().filter_map(|g| g.last_evidence_at).max();
        let quiet = current.as_ref().is_some_and(|g| g.goal.status.is_active())
            && last.is_none_or(|t| now - t > quiet_ms);
        rows.push(OverviewRow {
            person: s.id.get(),
            name: format!("{}, {}", s.family_name, s.given_name),
            role: crate::view::roster_role_label(&s.roster_role).to_owned(),
            last_evidence: last.map_or_else(
                || "None yet".to_owned(),
                |t| {
                    let days = (now - t) / 86_400_000;
                    match days {
                        0 => "Today".to_owned(),
                        1 => "Yesterday".to_owned(),
                        d if d < 14 => format!("{d} days ago"),
                        d => format!("{} weeks ago", d / 7),
                    }
                },
            ),
            goal: current,
            quiet,
        });
    }
    Ok((rows, counts))
}

/// A school's growth at a glance, for a home page: staff, with an agreed
/// goal, with an overdue check-in.
pub(crate) async fn school_counts(
    state: &AppState,
    school: OrgId,
    viewer: PersonId,
) -> WebResult<(usize, usize, usize)> {
    let (rows, _) = school_rows(state, school, viewer).await?;
    let agreed = rows
        .iter()
        .filter(|r| {
            r.goal
                .as_ref()
                .is_some_and(|g| g.goal.status.is_active() || g.goal.status.is_closed())
        })
        .count();
    let overdue = rows
        .iter()
        .filter(|r| r.goal.as_ref().is_some_and(|g| g.overdue))
        .count();
    Ok((rows.len(), agreed, overdue))
}

/// GET /growth/school (`?org=` one of the schools the viewer oversees)
pub async fn school(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let schools = overseen(&state, &user).await?;
    let chosen = match query.get("org").and_then(|o| o.parse::<i64>().ok()) {
        Some(id) => schools.iter().find(|s| s.0.get() == id),
        None => schools.first(),
    }
    .ok_or(WebError::NotFound)?;
    let (mut rows, counts) = school_rows(&state, chosen.0, user.actor.person).await?;
    let agreed = rows
        .iter()
        .filter(|r| {
            r.goal
                .as_ref()
                .is_some_and(|g| g.goal.status.is_active() || g.goal.status.is_closed())
        })
        .count();
    let overdue = rows
        .iter()
        .filter(|r| r.goal.as_ref().is_some_and(|g| g.overdue))
        .count();
    let quiet = rows.iter().filter(|r| r.quiet).count();
    let no_goal = rows.iter().filter(|r| r.goal.is_none()).count();
    let total = rows.len().max(1);
    let mut by_status: Vec<(&'static str, usize, u32)> = GoalStatus::ALL
        .iter()
        .map(|s| {
            let n = counts.get(s).copied().unwrap_or(0);
            (s.label(), n, u32::try_from(n * 100 / total).unwrap_or(100))
        })
        .collect();
    by_status.insert(
        0,
        (
            "No goal yet",
            no_goal,
            u32::try_from(no_goal * 100 / total).unwrap_or(100),
        ),
    );
    // Who needs attention first: overdue, then quiet, then no goal.
    rows.sort_by_key(|r| {
        (
            !r.goal.as_ref().is_some_and(|g| g.overdue),
            !r.quiet,
            r.goal.is_some(),
            r.name.clone(),
        )
    });
    Ok(render(&SchoolPage {
        layout: growth_layout(&user, &format!("Growth at {}", chosen.1), "/growth/school"),
        school: chosen.1.clone(),
        schools: schools
            .iter()
            .map(|s| (s.0.get(), s.1.clone(), s.0 == chosen.0))
            .collect(),
        staff: rows.len(),
        rows,
        agreed,
        overdue,
        quiet,
        no_goal,
        weeks: QUIET_WEEKS,
        by_status,
    }))
}

/// Whether `user` may see the school overview anywhere (for navigation).
pub(crate) fn oversees(user: &CurrentUser) -> bool {
    user.grants().iter().any(|g| {
        matches!(
            g.role,
            Role::Coach | Role::Principal | Role::DistrictCoordinator | Role::Administrator
        ) && matches!(
            g.scope,
            Scope::School(_) | Scope::District(_) | Scope::Installation
        )
    })
}

/// A level's name, for templates.
pub(crate) fn level_name(level: &i64) -> &'static str {
    level_label(*level)
}

/// A progress step's name, for templates.
pub(crate) fn progress_name(step: &i64) -> &'static str {
    progress_label(*step)
}

/// "840 bytes", "12 KB", "3.4 MB".
pub(crate) fn size_label(bytes: &i64) -> String {
    match *bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1_048_576 => format!("{} KB", b / 1024),
        b => format!("{:.1} MB", b as f64 / 1_048_576.0),
    }
}
