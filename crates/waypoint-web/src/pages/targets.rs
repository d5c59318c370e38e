//! A personal goal's targeted students: one of the educator's classes in
//! one tested subject (all of it, or those not on track at the start of the
//! year), and how that group moved from the year's first window to now.
//!
//! The goal page shows counts only, never who. The class's teachers see
//! them exactly; anyone else reading the goal (a coach, a principal) sees
//! each window suppressed like every other count outside a teacher's own
//! classes.

use super::growth::goal_for;
use super::students::{BandRow, single_row};
use crate::auth::CurrentUser;
use crate::error::{WebError, WebResult};
use crate::{AppState, now_ms};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use waypoint_domain::results::{Targeted, Term};
use waypoint_domain::{Action, ClassId};
use waypoint_store::{GoalGroup, PersonalGoal};

/// What the goal page shows of the targeted students.
#[derive(Debug, Clone)]
pub struct TargetView {
    /// Who they are.
    pub group: GoalGroup,
    /// Each student's first result of the year, when there is one.
    pub start: Option<BandRow>,
    /// Each one's latest result, when any was tested again.
    pub now: Option<BandRow>,
    /// The start and now, as table rows.
    pub compare: Vec<BandRow>,
    /// Every window of the year.
    pub rows: Vec<BandRow>,
    /// Whether the counts are exact (the viewer teaches the class).
    pub exact: bool,
}

/// The form that sets them (for the goal's educator).
#[derive(Debug, Clone, Default)]
pub struct TargetForm {
    /// Their classes: id, title.
    pub classes: Vec<(i64, String)>,
    /// The tested subjects.
    pub subjects: Vec<String>,
    /// Which students: stored name, label.
    pub whos: Vec<(&'static str, &'static str)>,
}

/// The targeted students of `goal` as `user` may see them, and the form
/// to set them when `editable`.
pub(crate) async fn view(
    state: &AppState,
    user: &CurrentUser,
    goal: &PersonalGoal,
    editable: bool,
) -> WebResult<(Option<TargetView>, Option<TargetForm>)> {
    let store = &*state.store;
    let view = match store.goal_group(goal.id).await? {
        None => None,
        Some(group) => {
            let teaches = store
                .class(group.class)
                .await?
                .is_some_and(|c| c.teachers.iter().any(|t| t.id == user.actor.person));
            let progress = store.goal_group_progress(&group, goal.year.start()).await?;
            let min_n = state.config.min_cell;
            let shown =
                |label: String, counts| single_row(label, counts, (!teaches).then_some(min_n));
            let rows: Vec<BandRow> = progress
                .windows
                .into_iter()
                .map(|(term, counts)| {
                    let label = Term::from_key(&term).map_or(term, Term::label);
                    shown(label, counts)
                })
                .collect();
            let tested = progress.start.iter().sum::<u32>() > 0;
            let start = tested.then(|| shown("At the start".to_owned(), progress.start));
            let now = progress
                .retested
                .then(|| shown("Now".to_owned(), progress.now));
            Some(TargetView {
                compare: start.iter().chain(now.iter()).cloned().collect(),
                start,
                now,
                rows,
                exact: teaches,
                group,
            })
        }
    };
    let form = if editable {
        Some(TargetForm {
            classes: store
                .classes_taught_by(goal.owner)
                .await?
                .into_iter()
                .map(|c| (c.id.get(), c.title))
                .collect(),
            subjects: store.tested_subjects_and_grades().await?.0,
            whos: Targeted::ALL
                .iter()
                .map(|t| (t.as_str(), t.label()))
                .collect(),
        })
    } else {
        None
    };
    Ok((view, form))
}

/// The targeted-students form.
#[derive(Debug, Deserialize)]
pub struct TargetFields {
    #[serde(default)]
    class: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    who: String,
    #[serde(default)]
    clear: String,
}

/// POST /growth/goals/{id}/students (the goal's educator)
pub async fn set(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<TargetFields>,
) -> WebResult<Response> {
    let (goal, _) = goal_for(&state, &user, id, &[Action::EditGrowth]).await?;
    if goal.status.is_closed() {
        return Err(WebError::Conflict(
            "A closed goal's students stay as they were.".to_owned(),
        ));
    }
    let store = &*state.store;
    if !form.clear.is_empty() {
        store.set_goal_group(goal.id, None, now_ms()).await?;
        return Ok(Redirect::to(&format!("/growth/goals/{id}#students")).into_response());
    }
    let class = form
        .class
        .parse::<i64>()
        .ok()
        .map(ClassId::new)
        .ok_or_else(|| WebError::Unprocessable("Choose one of your classes.".to_owned()))?;
    let subjects = store.tested_subjects_and_grades().await?.0;
    let subject = subjects
        .iter()
        .find(|s| **s == form.subject)
        .ok_or_else(|| {
            WebError::Unprocessable("Choose a subject your students are tested in.".to_owned())
        })?;
    let who = Targeted::parse(&form.who)
        .ok_or_else(|| WebError::Unprocessable("Choose which students.".to_owned()))?;
    store
        .set_goal_group(goal.id, Some((class, subject, who)), now_ms())
        .await
        .map_err(|e| match e {
            waypoint_store::StoreError::Conflict(_) => {
                WebError::Unprocessable("Choose one of the classes you teach.".to_owned())
            }
            e => e.into(),
        })?;
    Ok(Redirect::to(&format!("/growth/goals/{id}#students")).into_response())
}
