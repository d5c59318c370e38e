//! Growth plans in the JSON API: goals, their versions, comments, evidence
//! and check-ins, competency ratings and notifications, with the same
//! policy and the same checks as the pages.

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, WebError};
use crate::pages::growth as pages;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use waypoint_domain::PersonId;
use waypoint_domain::growth::level_label;
use waypoint_store::{GoalFilter, PersonalGoal};

/// The goals of `person`: the caller's own, or someone's whose plan the
/// caller reads (404 otherwise).
async fn goals_of(
    state: &AppState,
    user: &ApiUser,
    person: PersonId,
) -> Result<Vec<PersonalGoal>, ApiError> {
    if person == user.0.actor.person {
        return Ok(state
            .store
            .personal_goals(&GoalFilter::Owner(person))
            .await?);
    }
    Ok(pages::readable_person(state, &user.0, person).await?.1)
}

type ApiResult<T> = Result<Json<T>, ApiError>;

/// A competency named on a goal or evidence.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompetencyDto {
    /// The framework item's id.
    pub item_id: i64,
    /// Its code (may be empty).
    pub code: String,
    /// What it says.
    pub statement: String,
}

/// A personal goal.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonalGoalDto {
    /// Id.
    pub id: i64,
    /// The educator whose goal it is.
    pub owner_id: i64,
    /// Their name.
    pub owner_name: String,
    /// School year, `2026-27`.
    pub school_year: String,
    /// `draft`, `in_review`, `agreed`, `in_progress`, `complete` or `carried_over`.
    pub status: String,
    /// The inquiry question.
    pub inquiry: String,
    /// Where the educator starts (point A).
    pub strengths: String,
    /// Success criteria (point B).
    pub success_criteria: String,
    /// The students it is for.
    pub students: String,
    /// The actions planned.
    pub actions: String,
    /// The support wanted.
    pub supports: String,
    /// The timeline.
    pub timeline: String,
    /// The district or school goal it serves.
    pub serves: Option<i64>,
    /// The coach or principal co-constructing it.
    pub reviewer_id: Option<i64>,
    /// Their name.
    pub reviewer_name: Option<String>,
    /// Focus competencies.
    pub competencies: Vec<CompetencyDto>,
    /// Days between check-ins.
    pub cadence_days: i64,
    /// The closing reflection.
    pub reflection: String,
    /// The version last agreed.
    pub agreed_version: Option<i64>,
    /// The goal it carries on from last year.
    pub carried_from: Option<i64>,
    /// The next check-in not yet held, `yyyy-mm-dd`.
    pub next_check_in: Option<String>,
    /// How much evidence it has.
    pub evidence_count: i64,
    /// When evidence was last added (Unix ms).
    pub last_evidence_at: Option<i64>,
    /// Last changed (Unix ms).
    pub updated_at: i64,
}

impl PersonalGoalDto {
    fn new(g: PersonalGoal) -> Self {
        Self {
            id: g.id,
            owner_id: g.owner.get(),
            owner_name: g.owner_name,
            school_year: g.year.to_string(),
            status: g.status.as_str().to_owned(),
            inquiry: g.text.inquiry,
            strengths: g.text.strengths,
            success_criteria: g.text.success,
            students: g.text.students,
            actions: g.text.actions,
            supports: g.text.supports,
            timeline: g.text.timeline,
            serves: g.system_goal.map(|s| s.0),
            reviewer_id: g.reviewer.as_ref().map(|r| r.0.get()),
            reviewer_name: g.reviewer.map(|r| r.1),
            competencies: g
                .competencies
                .into_iter()
                .map(|c| CompetencyDto {
                    item_id: c.item,
                    code: c.code,
                    statement: c.statement,
                })
                .collect(),
            cadence_days: g.cadence_days,
            reflection: g.reflection,
            agreed_version: g.agreed_version,
            carried_from: g.carried_from,
            next_check_in: g.next_check_in,
            evidence_count: g.evidence_count,
            last_evidence_at: g.last_evidence_at,
            updated_at: g.updated_at,
        }
    }
}

/// An agreed version.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoalVersionDto {
    /// 1, 2, …
    pub version: i64,
    /// The question as agreed.
    pub inquiry: String,
    /// Point B as agreed.
    pub success_criteria: String,
    /// Who agreed it.
    pub agreed_by: String,
    /// When (Unix ms).
    pub agreed_at: i64,
}

/// A comment on a goal.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoalCommentDto {
    /// Id.
    pub id: i64,
    /// The field it is on (`inquiry`, `strengths`, `success`, `students`,
    /// `actions`, `supports`, `timeline`), or empty for the whole goal.
    pub field: String,
    /// What it says.
    pub body: String,
    /// Who wrote it.
    pub author: String,
    /// When (Unix ms).
    pub created_at: i64,
}

/// A piece of evidence (its file is at `file_url`).
#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceDto {
    /// Id.
    pub id: i64,
    /// `reflection`, `artifact`, `observation`, `student_work` or `student_impact`.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Notes.
    pub body: String,
    /// A web address.
    pub link: Option<String>,
    /// The file's name.
    pub file_name: Option<String>,
    /// Where to download the file (signed in).
    pub file_url: Option<String>,
    /// The competencies it shows (item ids).
    pub competencies: Vec<i64>,
    /// Who added it.
    pub added_by: String,
    /// When (Unix ms).
    pub created_at: i64,
}

/// A check-in.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckInDto {
    /// Id.
    pub id: i64,
    /// Due, `yyyy-mm-dd`.
    pub due_on: String,
    /// Held, `yyyy-mm-dd`.
    pub held_on: Option<String>,
    /// What was discussed.
    pub discussed: String,
    /// Progress toward point B, 1-4.
    pub progress: Option<i64>,
    /// Next steps.
    pub next_steps: String,
}

/// A goal with its history.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoalDetailDto {
    /// The goal.
    pub goal: PersonalGoalDto,
    /// Its agreed versions, oldest first.
    pub versions: Vec<GoalVersionDto>,
    /// Its comments, oldest first.
    pub comments: Vec<GoalCommentDto>,
    /// Its evidence, newest first.
    pub evidence: Vec<EvidenceDto>,
    /// Its check-ins by due date.
    pub check_ins: Vec<CheckInDto>,
}

/// A competency rating; none is ever replaced.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingDto {
    /// Id.
    pub id: i64,
    /// The competency's item id.
    pub item_id: i64,
    /// Its code and words.
    pub competency: String,
    /// The goal it belongs with.
    pub goal_id: Option<i64>,
    /// `self`, `target`, `claim` or `review`.
    pub kind: String,
    /// 1-4.
    pub level: i64,
    /// `Beginning`, `Developing`, `Proficient` or `Accomplished`.
    pub level_name: String,
    /// Why.
    pub note: String,
    /// The evidence it rests on.
    pub evidence_id: Option<i64>,
    /// Who gave it.
    pub rated_by: String,
    /// Who confirmed a claim.
    pub confirmed_by: Option<String>,
    /// When it was confirmed (Unix ms).
    pub confirmed_at: Option<i64>,
    /// When (Unix ms).
    pub created_at: i64,
}

/// An in-app notification.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationDto {
    /// Id.
    pub id: i64,
    /// What happened.
    pub body: String,
    /// The page to look at.
    pub link: String,
    /// When (Unix ms).
    pub created_at: i64,
    /// When it was read.
    pub read_at: Option<i64>,
}

/// Query of the goals list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct GoalsQuery {
    /// Whose goals (the caller's when absent).
    pub person: Option<i64>,
}

/// An educator's goals, every year, newest first.
#[utoipa::path(get, path = "/api/v1/growth/goals", tag = "growth", params(GoalsQuery),
    responses((status = 200, body = Vec<PersonalGoalDto>), (status = 401, description = "Not signed in"),
              (status = 404, description = "Not someone whose plan the caller reads")))]
pub async fn goals(
    State(state): State<AppState>,
    user: ApiUser,
    Query(q): Query<GoalsQuery>,
) -> ApiResult<Vec<PersonalGoalDto>> {
    let person = q.person.map_or(user.0.actor.person, PersonId::new);
    let goals = goals_of(&state, &user, person).await?;
    Ok(Json(goals.into_iter().map(PersonalGoalDto::new).collect()))
}

/// A goal with its versions, comments, evidence and check-ins.
#[utoipa::path(get, path = "/api/v1/growth/goals/{id}", tag = "growth",
    params(("id" = i64, Path, description = "Goal id")),
    responses((status = 200, body = GoalDetailDto), (status = 401, description = "Not signed in"),
              (status = 404, description = "Missing, or not a plan the caller reads")))]
pub async fn goal(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<GoalDetailDto> {
    let (goal, _) = pages::readable_goal(&state, &user.0, id).await?;
    let store = &state.store;
    Ok(Json(GoalDetailDto {
        versions: store
            .goal_versions(id)
            .await?
            .into_iter()
            .map(|v| GoalVersionDto {
                version: v.version,
                inquiry: v.text.inquiry,
                success_criteria: v.text.success,
                agreed_by: v.agreed_by,
                agreed_at: v.agreed_at,
            })
            .collect(),
        comments: store
            .goal_comments(id)
            .await?
            .into_iter()
            .map(|c| GoalCommentDto {
                id: c.id,
                field: c.field,
                body: c.body,
                author: c.author_name,
                created_at: c.created_at,
            })
            .collect(),
        evidence: store
            .evidence_of(id)
            .await?
            .into_iter()
            .map(|e| EvidenceDto {
                file_url: e
                    .file
                    .as_ref()
                    .map(|_| format!("/growth/evidence/{}/file", e.id)),
                id: e.id,
                kind: e.kind.as_str().to_owned(),
                title: e.title,
                body: e.body,
                link: e.link,
                file_name: e.file.map(|f| f.0),
                competencies: e.competencies.into_iter().map(|c| c.item).collect(),
                added_by: e.added_by_name,
                created_at: e.created_at,
            })
            .collect(),
        check_ins: store
            .check_ins(id)
            .await?
            .into_iter()
            .map(|c| CheckInDto {
                id: c.id,
                due_on: c.due_on,
                held_on: c.held_on,
                discussed: c.discussed,
                progress: c.progress,
                next_steps: c.next_steps,
            })
            .collect(),
        goal: PersonalGoalDto::new(goal),
    }))
}

/// A goal to draft.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewGoalInput {
    /// "How can I … so that my students …?"
    pub inquiry: String,
    /// Where the educator starts (point A).
    pub strengths: String,
    /// Success criteria (point B).
    pub success_criteria: String,
    /// The students it is for.
    #[serde(default)]
    pub students: String,
    /// The actions planned.
    pub actions: String,
    /// The support wanted.
    #[serde(default)]
    pub supports: String,
    /// The timeline.
    #[serde(default)]
    pub timeline: String,
    /// A district or school goal of this year it serves.
    #[serde(default)]
    pub serves: Option<i64>,
    /// Weeks between check-ins, 1-12 (3 when absent).
    #[serde(default)]
    pub cadence_weeks: Option<i64>,
    /// Focus competencies (framework item ids), at most five.
    #[serde(default)]
    pub competencies: Vec<i64>,
}

/// Drafts a goal for the caller, with the same checks as the form.
#[utoipa::path(post, path = "/api/v1/growth/goals", tag = "growth", request_body = NewGoalInput,
    responses((status = 201, body = PersonalGoalDto, description = "Drafted"),
              (status = 401, description = "Not signed in"),
              (status = 422, description = "A needed field missing, a field too long, or a goal served that the caller cannot read")))]
pub async fn create_goal(
    State(state): State<AppState>,
    user: ApiUser,
    body: Bytes,
) -> Result<(StatusCode, Json<PersonalGoalDto>), ApiError> {
    let input: NewGoalInput = serde_json::from_slice(&body)
        .map_err(|e| WebError::Unprocessable(format!("The body is not a goal: {e}.")))?;
    let form = pages::GoalForm {
        inquiry: input.inquiry,
        strengths: input.strengths,
        success: input.success_criteria,
        students: input.students,
        actions: input.actions,
        supports: input.supports,
        timeline: input.timeline,
        serves: input.serves.map(|s| s.to_string()).unwrap_or_default(),
        cadence: input.cadence_weeks.unwrap_or(3).to_string(),
        competency: input.competencies.iter().map(ToString::to_string).collect(),
    };
    let id = pages::create_for(&state, &user.0, &form)
        .await?
        .map_err(|problems| WebError::Unprocessable(problems.join(" ")))?;
    let goal = state
        .store
        .personal_goal(id)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok((StatusCode::CREATED, Json(PersonalGoalDto::new(goal))))
}

/// A comment.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CommentInput {
    /// The field it is on, or empty for the whole goal.
    #[serde(default)]
    pub field: String,
    /// What it says (up to 2,000 characters).
    pub body: String,
}

/// Comments on a goal: its owner, its reviewer, or a coach or principal of
/// the owner's school.
#[utoipa::path(post, path = "/api/v1/growth/goals/{id}/comments", tag = "growth",
    params(("id" = i64, Path, description = "Goal id")), request_body = CommentInput,
    responses((status = 201, body = GoalCommentDto, description = "Commented"),
              (status = 401, description = "Not signed in"),
              (status = 403, description = "A reader who may not comment"),
              (status = 404, description = "Missing, or not a plan the caller reads"),
              (status = 422, description = "An empty or too long comment")))]
pub async fn comment(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<(StatusCode, Json<GoalCommentDto>), ApiError> {
    let input: CommentInput = serde_json::from_slice(&body)
        .map_err(|e| WebError::Unprocessable(format!("The body is not a comment: {e}.")))?;
    let cid = pages::comment_for(&state, &user.0, id, &input.field, &input.body).await?;
    let c = state
        .store
        .goal_comments(id)
        .await?
        .into_iter()
        .find(|c| c.id == cid)
        .ok_or(WebError::NotFound)?;
    Ok((
        StatusCode::CREATED,
        Json(GoalCommentDto {
            id: c.id,
            field: c.field,
            body: c.body,
            author: c.author_name,
            created_at: c.created_at,
        }),
    ))
}

/// Agrees a goal in review (its reviewer, or a coach or principal of the
/// owner's school); schedules its first check-in.
#[utoipa::path(post, path = "/api/v1/growth/goals/{id}/agree", tag = "growth",
    params(("id" = i64, Path, description = "Goal id")),
    responses((status = 200, body = PersonalGoalDto, description = "Agreed"),
              (status = 401, description = "Not signed in"),
              (status = 403, description = "A reader who may not agree it, or its owner"),
              (status = 404, description = "Missing, or not a plan the caller reads"),
              (status = 409, description = "Not in review")))]
pub async fn agree(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<PersonalGoalDto> {
    pages::agree_for(&state, &user.0, id).await?;
    let goal = state
        .store
        .personal_goal(id)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(Json(PersonalGoalDto::new(goal)))
}

/// Every competency rating of an educator, oldest first.
#[utoipa::path(get, path = "/api/v1/growth/people/{id}/ratings", tag = "growth",
    params(("id" = i64, Path, description = "Person id")),
    responses((status = 200, body = Vec<RatingDto>), (status = 401, description = "Not signed in"),
              (status = 404, description = "Not someone whose plan the caller reads")))]
pub async fn ratings(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Vec<RatingDto>> {
    let person = PersonId::new(id);
    goals_of(&state, &user, person).await?;
    Ok(Json(
        state
            .store
            .ratings_of(person)
            .await?
            .into_iter()
            .map(|r| RatingDto {
                id: r.id,
                item_id: r.competency.item,
                competency: format!("{} {}", r.competency.code, r.competency.statement)
                    .trim()
                    .to_owned(),
                goal_id: r.goal,
                kind: r.kind.as_str().to_owned(),
                level: r.level,
                level_name: level_label(r.level).to_owned(),
                note: r.note,
                evidence_id: r.evidence.map(|e| e.0),
                rated_by: r.rated_by,
                confirmed_by: r.confirmed.as_ref().map(|c| c.0.clone()),
                confirmed_at: r.confirmed.map(|c| c.1),
                created_at: r.created_at,
            })
            .collect(),
    ))
}

/// The caller's latest notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "growth",
    responses((status = 200, body = Vec<NotificationDto>), (status = 401, description = "Not signed in")))]
pub async fn notifications(
    State(state): State<AppState>,
    user: ApiUser,
) -> ApiResult<Vec<NotificationDto>> {
    Ok(Json(
        state
            .store
            .notifications(user.0.actor.person, 50)
            .await?
            .into_iter()
            .map(|n| NotificationDto {
                id: n.id,
                body: n.body,
                link: n.link,
                created_at: n.created_at,
                read_at: n.read_at,
            })
            .collect(),
    ))
}
