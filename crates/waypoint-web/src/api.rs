//! The JSON API under `/api/v1`, authorized by the same policy as the pages
//! and authenticated by the same sessions or by per-user API tokens. The
//! OpenAPI document is generated from these handlers. PD-day rankings go
//! through the same checks and the same store call as the ranking form.

use crate::auth::{ApiUser, RequestId};
use crate::error::{ApiError, WebError};
use crate::pages::admin::enqueue_upload;
use crate::pages::directory::PAGE_SIZE;
use crate::pages::events::{self as event_pages, RankRefusal};
use crate::pages::orgs::audit_entry;
use crate::{AppState, now_ms};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use waypoint_domain::{Action, ClassId, CourseId, OrgId, PersonId, Policy, Resource};
use waypoint_store::{ClassDetail, Event, ImportRow, Org, PageRequest};

type ApiResult<T> = Result<Json<T>, ApiError>;

fn require(user: &ApiUser, action: Action, resource: &Resource<'_>) -> Result<(), ApiError> {
    if Policy::can(&user.0.actor, action, resource) {
        Ok(())
    } else {
        Err(ApiError(WebError::NotFound))
    }
}

/// A role held at a scope.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantDto {
    /// `educator`, `coach`, `principal`, `district_coordinator`, `regional_coordinator` or `administrator`.
    pub role: String,
    /// `installation`, `region`, `district`, `school` or `class`.
    pub scope_kind: String,
    /// The scoped object's id (0 for the installation).
    pub scope_id: i64,
}

/// The signed-in person.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeDto {
    /// Person id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Username.
    pub username: String,
    /// Roles at scopes.
    pub grants: Vec<GrantDto>,
}

/// An organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgDto {
    /// Id.
    pub id: i64,
    /// The roster's sourcedId.
    pub sourced_id: String,
    /// Name.
    pub name: String,
    /// `region`, `district`, `school` or `department`.
    pub kind: String,
    /// Parent organisation.
    pub parent_id: Option<i64>,
}

impl From<Org> for OrgDto {
    fn from(o: Org) -> Self {
        Self {
            id: o.id.get(),
            sourced_id: o.sourced_id,
            name: o.name,
            kind: o.kind.as_str().to_owned(),
            parent_id: o.parent.map(OrgId::get),
        }
    }
}

/// An organisation below another, with sizes.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgCountsDto {
    /// The organisation.
    pub org: OrgDto,
    /// Active staff.
    pub staff: i64,
    /// Active students.
    pub students: i64,
    /// Active classes.
    pub classes: i64,
}

/// An organisation and the ones directly below it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgDetailDto {
    /// The organisation.
    pub org: OrgDto,
    /// Schools of a district, districts of a region.
    pub children: Vec<OrgCountsDto>,
}

/// A person's name.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonRefDto {
    /// Id.
    pub id: i64,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
}

/// A class.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClassDto {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Class code.
    pub code: Option<String>,
    /// Grades (comma-separated).
    pub grades: String,
    /// Subjects (comma-separated).
    pub subjects: String,
    /// The school.
    pub school_id: i64,
    /// The school's name.
    pub school_name: String,
    /// Teachers.
    pub teachers: Vec<PersonRefDto>,
    /// Number of students.
    pub students: i64,
}

impl From<ClassDetail> for ClassDto {
    fn from(c: ClassDetail) -> Self {
        Self {
            id: c.summary.id.get(),
            title: c.summary.title,
            code: c.summary.code,
            grades: c.summary.grades,
            subjects: c.summary.subjects,
            school_id: c.summary.school.get(),
            school_name: c.summary.school_name,
            teachers: c
                .teachers
                .into_iter()
                .map(|t| PersonRefDto {
                    id: t.id.get(),
                    given_name: t.given_name,
                    family_name: t.family_name,
                })
                .collect(),
            students: c.summary.students,
        }
    }
}

/// A class in a listing.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClassSummaryDto {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Teachers' names (comma-separated).
    pub teachers: String,
    /// Number of students.
    pub students: i64,
}

/// A student on a class roster.
#[derive(Debug, Serialize, ToSchema)]
pub struct StudentDto {
    /// Id.
    pub id: i64,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// District identifier.
    pub identifier: Option<String>,
    /// Grades.
    pub grades: String,
}

/// A staff member.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffDto {
    /// Id.
    pub id: i64,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Username.
    pub username: String,
    /// E-mail.
    pub email: Option<String>,
    /// Roster role.
    pub role: String,
    /// Organisations (comma-separated names).
    pub orgs: String,
}

/// A page of staff.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffPageDto {
    /// The rows.
    pub items: Vec<StaffDto>,
    /// Matches in all.
    pub total: i64,
}

/// An import-history entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportDto {
    /// Id.
    pub id: i64,
    /// What was imported.
    pub kind: String,
    /// File name.
    pub source: String,
    /// `queued`, `running`, `succeeded`, `rejected` or `failed`.
    pub status: String,
    /// Started (Unix ms).
    pub started_at: i64,
    /// Finished (Unix ms).
    pub finished_at: Option<i64>,
    /// Counts per record kind, when applied.
    #[schema(value_type = Option<Object>)]
    pub counts: Option<serde_json::Value>,
    /// Problems, when refused.
    pub problems: Vec<String>,
    /// What a running import is doing.
    pub progress: Option<String>,
}

impl From<ImportRow> for ImportDto {
    fn from(r: ImportRow) -> Self {
        Self {
            id: r.id,
            kind: r.kind,
            source: r.source,
            status: r.status.as_str().to_owned(),
            started_at: r.started_at,
            finished_at: r.finished_at,
            counts: r.counts.and_then(|c| serde_json::to_value(c).ok()),
            problems: r.problems,
            progress: r.progress,
        }
    }
}

/// The id of a queued import.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueuedDto {
    /// Poll `/api/v1/imports/{id}` for its outcome.
    pub import_id: i64,
}

/// `?q=&page=`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PeopleQuery {
    /// Matches names, usernames and e-mails.
    #[serde(default)]
    q: String,
    /// 1-based page of 50.
    page: Option<i64>,
}

/// The signed-in person and their roles.
#[utoipa::path(get, path = "/api/v1/me", tag = "people",
    responses((status = 200, body = MeDto), (status = 401, description = "Not signed in")))]
pub async fn me(user: ApiUser) -> ApiResult<MeDto> {
    let u = user.0;
    Ok(Json(MeDto {
        id: u.actor.person.get(),
        name: u.name,
        username: u.username,
        grants: u
            .actor
            .grants
            .iter()
            .map(|g| GrantDto {
                role: g.role.as_str().to_owned(),
                scope_kind: g.scope.kind().to_owned(),
                scope_id: g.scope.raw_id(),
            })
            .collect(),
    }))
}

/// Organisations the caller may see.
#[utoipa::path(get, path = "/api/v1/orgs", tag = "organisations",
    responses((status = 200, body = Vec<OrgDto>), (status = 401, description = "Not signed in")))]
pub async fn orgs(State(state): State<AppState>, user: ApiUser) -> ApiResult<Vec<OrgDto>> {
    let all = state.store.orgs().await?;
    Ok(Json(
        all.into_iter()
            .filter(|o| Policy::can(&user.0.actor, Action::ViewOrg, &Resource::Org(o.placement)))
            .map(OrgDto::from)
            .collect(),
    ))
}

/// One organisation and its children with sizes.
#[utoipa::path(get, path = "/api/v1/orgs/{id}", tag = "organisations",
    params(("id" = i64, Path, description = "Organisation id")),
    responses((status = 200, body = OrgDetailDto), (status = 404, description = "Missing or out of scope")))]
pub async fn org(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<OrgDetailDto> {
    let org = state
        .store
        .org(OrgId::new(id))
        .await?
        .ok_or(WebError::NotFound)?;
    require(&user, Action::ViewOrg, &Resource::Org(org.placement))?;
    let children = state.store.child_orgs(org.id).await?;
    Ok(Json(OrgDetailDto {
        org: org.into(),
        children: children
            .into_iter()
            .map(|c| OrgCountsDto {
                org: c.org.into(),
                staff: c.staff,
                students: c.students,
                classes: c.classes,
            })
            .collect(),
    }))
}

/// The classes of a school.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/classes", tag = "classes",
    params(("id" = i64, Path, description = "School id")),
    responses((status = 200, body = Vec<ClassSummaryDto>), (status = 404, description = "Missing or out of scope")))]
pub async fn org_classes(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Vec<ClassSummaryDto>> {
    let org = state
        .store
        .org(OrgId::new(id))
        .await?
        .ok_or(WebError::NotFound)?;
    require(&user, Action::ListClasses, &Resource::Org(org.placement))?;
    let classes = state.store.classes_of_school(org.id).await?;
    Ok(Json(
        classes
            .into_iter()
            .map(|c| ClassSummaryDto {
                id: c.id.get(),
                title: c.title,
                teachers: c.teachers,
                students: c.students,
            })
            .collect(),
    ))
}

/// One class.
#[utoipa::path(get, path = "/api/v1/classes/{id}", tag = "classes",
    params(("id" = i64, Path, description = "Class id")),
    responses((status = 200, body = ClassDto), (status = 404, description = "Missing or out of scope")))]
pub async fn class(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<ClassDto> {
    let class = state
        .store
        .class(ClassId::new(id))
        .await?
        .ok_or(WebError::NotFound)?;
    let teachers: Vec<PersonId> = class.teachers.iter().map(|t| t.id).collect();
    require(
        &user,
        Action::ViewClass,
        &Resource::Class {
            placement: class.placement,
            teachers: &teachers,
        },
    )?;
    Ok(Json(class.into()))
}

/// A class's students. Student-level data: every call is audited.
#[utoipa::path(get, path = "/api/v1/classes/{id}/students", tag = "classes",
    params(("id" = i64, Path, description = "Class id")),
    responses((status = 200, body = Vec<StudentDto>), (status = 404, description = "Missing or out of scope")))]
pub async fn class_students(
    State(state): State<AppState>,
    user: ApiUser,
    request_id: RequestId,
    Path(id): Path<i64>,
) -> ApiResult<Vec<StudentDto>> {
    let class = state
        .store
        .class(ClassId::new(id))
        .await?
        .ok_or(WebError::NotFound)?;
    let teachers: Vec<PersonId> = class.teachers.iter().map(|t| t.id).collect();
    require(
        &user,
        Action::ViewClassRoster,
        &Resource::Class {
            placement: class.placement,
            teachers: &teachers,
        },
    )?;
    let entry = audit_entry(
        &user.0,
        &class,
        &teachers,
        "/api/v1/classes/{id}/students",
        &request_id.0,
    );
    let students = state.store.class_students(class.summary.id, &entry).await?;
    Ok(Json(
        students
            .into_iter()
            .map(|s| StudentDto {
                id: s.id.get(),
                given_name: s.given_name,
                family_name: s.family_name,
                identifier: s.identifier,
                grades: s.grades,
            })
            .collect(),
    ))
}

/// Staff the caller may see, searched by name, username or e-mail.
#[utoipa::path(get, path = "/api/v1/people", tag = "people", params(PeopleQuery),
    responses((status = 200, body = StaffPageDto), (status = 401, description = "Not signed in")))]
pub async fn people(
    State(state): State<AppState>,
    user: ApiUser,
    Query(q): Query<PeopleQuery>,
) -> ApiResult<StaffPageDto> {
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let found = state
        .store
        .search_staff(
            &Policy::staff_visibility(&user.0.actor),
            user.0.actor.person,
            &q.q,
            PageRequest {
                offset: (page - 1) * PAGE_SIZE,
                limit: PAGE_SIZE,
            },
        )
        .await?;
    Ok(Json(StaffPageDto {
        total: found.total,
        items: found.items.into_iter().map(staff_dto).collect(),
    }))
}

fn staff_dto(r: waypoint_store::StaffRow) -> StaffDto {
    StaffDto {
        id: r.id.get(),
        given_name: r.given_name,
        family_name: r.family_name,
        username: r.username,
        email: r.email,
        role: r.roster_role,
        orgs: r.orgs,
    }
}

/// One staff member.
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people",
    params(("id" = i64, Path, description = "Person id")),
    responses((status = 200, body = StaffDto), (status = 404, description = "Missing or out of scope")))]
pub async fn person(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<StaffDto> {
    let id = PersonId::new(id);
    let staff = state.store.staff(id).await?.ok_or(WebError::NotFound)?;
    require(
        &user,
        Action::ViewStaff,
        &Resource::Staff {
            person: id,
            placements: &staff.placements,
        },
    )?;
    Ok(Json(staff_dto(staff.row)))
}

/// Import history (administrators).
#[utoipa::path(get, path = "/api/v1/imports", tag = "imports",
    responses((status = 200, body = Vec<ImportDto>), (status = 404, description = "Not an administrator")))]
pub async fn imports(State(state): State<AppState>, user: ApiUser) -> ApiResult<Vec<ImportDto>> {
    require(&user, Action::ManageRoster, &Resource::Installation)?;
    Ok(Json(
        state
            .store
            .imports(100)
            .await?
            .into_iter()
            .map(ImportDto::from)
            .collect(),
    ))
}

/// One import (administrators).
#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "imports",
    params(("id" = i64, Path, description = "Import id")),
    responses((status = 200, body = ImportDto), (status = 404, description = "Missing, or not an administrator")))]
pub async fn import(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<ImportDto> {
    require(&user, Action::ManageRoster, &Resource::Installation)?;
    Ok(Json(
        state
            .store
            .import(id)
            .await?
            .ok_or(WebError::NotFound)?
            .into(),
    ))
}

/// Queues a OneRoster package (the request body is the `.zip`; name it in
/// `x-filename`). Answers at once; poll the import for its outcome.
#[utoipa::path(post, path = "/api/v1/imports", tag = "imports",
    request_body(content = Vec<u8>, content_type = "application/zip"),
    responses((status = 202, body = QueuedDto), (status = 404, description = "Not an administrator"),
              (status = 422, description = "Empty body")))]
pub async fn create_import(
    State(state): State<AppState>,
    user: ApiUser,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    require(&user, Action::ManageRoster, &Resource::Installation)?;
    if body.is_empty() {
        return Err(ApiError(WebError::Unprocessable(
            "The request body must be a OneRoster .zip package.".to_owned(),
        )));
    }
    let name = headers
        .get("x-filename")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("upload.zip")
        .to_owned();
    let id = enqueue_upload(&state, &name, &body, Some(user.0.actor.person)).await?;
    Ok((StatusCode::ACCEPTED, Json(QueuedDto { import_id: id })).into_response())
}

/// A PD day the caller may attend.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventDto {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// The organisation that runs it.
    pub org_id: i64,
    /// That organisation's name.
    pub org_name: String,
    /// The date (`YYYY-MM-DD`) in the event's time zone.
    pub day: String,
    /// IANA time zone.
    pub timezone: String,
    /// Venue.
    pub venue: String,
    /// `setup`, `proposals`, `preferences`, `closed`, `assigned`, `published` or `finished`.
    pub state: String,
    /// How many sessions each educator may rank.
    pub choices_allowed: i64,
    /// Ranking opens (Unix ms).
    pub opens_at: Option<i64>,
    /// Ranking closes (Unix ms).
    pub closes_at: Option<i64>,
    /// Whether a ranking saved now would be taken.
    pub ranking_open: bool,
    /// Whether the caller may manage the event.
    pub manage: bool,
}

impl EventDto {
    fn new(e: Event, manage: bool, now: i64) -> Self {
        Self {
            ranking_open: event_pages::ranking_open(&e, now),
            id: e.id.get(),
            title: e.title,
            org_id: e.org.get(),
            org_name: e.org_name,
            day: e.day,
            timezone: e.timezone,
            venue: e.venue,
            state: e.state.as_str().to_owned(),
            choices_allowed: e.ranks,
            opens_at: e.opens_at,
            closes_at: e.closes_at,
            manage,
        }
    }
}

/// The caller's ranking of a PD day's sessions.
#[derive(Debug, Serialize, ToSchema)]
pub struct RankingDto {
    /// The event.
    pub event_id: i64,
    /// The event's state (see [`EventDto::state`]).
    pub state: String,
    /// Whether a ranking saved now would be taken.
    pub open: bool,
    /// Ranking closes (Unix ms).
    pub closes_at: Option<i64>,
    /// How many sessions may be ranked.
    pub choices_allowed: i64,
    /// Course ids, most wanted first.
    pub choices: Vec<i64>,
    /// How many times the ranking has been saved (0 before the first save);
    /// each save answers with the revision it committed.
    pub revision: i64,
}

impl RankingDto {
    fn new(e: &Event, choices: &[CourseId], revision: i64, now: i64) -> Self {
        Self {
            event_id: e.id.get(),
            state: e.state.as_str().to_owned(),
            open: event_pages::ranking_open(e, now),
            closes_at: e.closes_at,
            choices_allowed: e.ranks,
            choices: choices.iter().map(|c| c.get()).collect(),
            revision,
        }
    }
}

/// A new ranking.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RankingInput {
    /// Course ids, most wanted first; an empty list clears the ranking.
    pub choices: Vec<i64>,
}

/// A competency framework.
#[derive(Debug, Serialize, ToSchema)]
pub struct FrameworkDto {
    /// Id.
    pub id: i64,
    /// The CASE CFDocument identifier.
    pub identifier: String,
    /// Title.
    pub title: String,
    /// Who made it.
    pub creator: String,
    /// Adoption status.
    pub adoption_status: String,
    /// CASE version ("1.0" or "1.1").
    pub case_version: String,
    /// How many items.
    pub items: i64,
    /// Imported (Unix ms).
    pub imported_at: i64,
}

impl From<waypoint_store::FrameworkSummary> for FrameworkDto {
    fn from(f: waypoint_store::FrameworkSummary) -> Self {
        Self {
            id: f.id,
            identifier: f.identifier,
            title: f.title,
            creator: f.creator,
            adoption_status: f.adoption_status,
            case_version: f.case_version,
            items: f.items,
            imported_at: f.imported_at,
        }
    }
}

/// One item of a framework, in tree order.
#[derive(Debug, Serialize, ToSchema)]
pub struct FrameworkItemDto {
    /// The CASE CFItem identifier.
    pub identifier: String,
    /// Depth in the tree (0 at the top).
    pub depth: i64,
    /// Its code ("6.RP.A.1").
    pub code: String,
    /// What it says.
    pub statement: String,
    /// Its type ("Standard").
    pub item_type: String,
    /// Grade levels, comma-separated.
    pub levels: String,
}

/// A framework with its items.
#[derive(Debug, Serialize, ToSchema)]
pub struct FrameworkDetailDto {
    /// The framework.
    pub framework: FrameworkDto,
    /// Its items, parents before children.
    pub items: Vec<FrameworkItemDto>,
}

/// Competency frameworks, by title.
#[utoipa::path(get, path = "/api/v1/frameworks", tag = "frameworks",
    responses((status = 200, body = Vec<FrameworkDto>), (status = 401, description = "Not signed in")))]
pub async fn frameworks(
    State(state): State<AppState>,
    user: ApiUser,
) -> ApiResult<Vec<FrameworkDto>> {
    if !Policy::can(
        &user.0.actor,
        Action::ViewFrameworks,
        &Resource::Installation,
    ) {
        return Err(WebError::NotFound.into());
    }
    Ok(Json(
        state
            .store
            .frameworks()
            .await?
            .into_iter()
            .map(FrameworkDto::from)
            .collect(),
    ))
}

/// One framework and its items in tree order.
#[utoipa::path(get, path = "/api/v1/frameworks/{id}", tag = "frameworks",
    params(("id" = i64, Path, description = "Framework id")),
    responses((status = 200, body = FrameworkDetailDto), (status = 401, description = "Not signed in"),
              (status = 404, description = "No such framework")))]
pub async fn framework(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<FrameworkDetailDto> {
    if !Policy::can(
        &user.0.actor,
        Action::ViewFrameworks,
        &Resource::Installation,
    ) {
        return Err(WebError::NotFound.into());
    }
    let f = state.store.framework(id).await?.ok_or(WebError::NotFound)?;
    let items = state
        .store
        .framework_items(id)
        .await?
        .into_iter()
        .map(|i| FrameworkItemDto {
            identifier: i.identifier,
            depth: i.depth,
            code: i.code,
            statement: i.statement,
            item_type: i.item_type,
            levels: i.levels,
        })
        .collect();
    Ok(Json(FrameworkDetailDto {
        framework: f.into(),
        items,
    }))
}

/// A district's or school's goal for a school year.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoalDto {
    /// Id.
    pub id: i64,
    /// The district or school.
    pub org_id: i64,
    /// Its name.
    pub org_name: String,
    /// School year, `2026-27`.
    pub school_year: String,
    /// The goal.
    pub statement: String,
    /// The measure watched.
    pub measure: String,
    /// The target.
    pub target: String,
    /// The students it concerns (empty: all).
    pub student_groups: String,
    /// The district goal it serves.
    pub serves: Option<i64>,
}

/// Query of the goals list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct GoalsQuery {
    /// School year, `2026-27` (the current one when absent).
    pub year: Option<String>,
}

/// The goals of the districts and schools the caller reads, for a school year.
#[utoipa::path(get, path = "/api/v1/goals", tag = "goals", params(GoalsQuery),
    responses((status = 200, body = Vec<GoalDto>), (status = 401, description = "Not signed in"),
              (status = 422, description = "The year is not written as 2026-27")))]
pub async fn goals(
    State(state): State<AppState>,
    user: ApiUser,
    Query(q): Query<GoalsQuery>,
) -> ApiResult<Vec<GoalDto>> {
    let year = match q.year.as_deref() {
        Some(y) => waypoint_domain::goals::SchoolYear::parse(y).ok_or_else(|| {
            WebError::Unprocessable("Give the school year as 2026-27.".to_owned())
        })?,
        None => crate::pages::goals::current_year(),
    };
    Ok(Json(
        crate::pages::goals::visible(&state, &user.0, year)
            .await?
            .into_iter()
            .map(|g| GoalDto {
                id: g.id,
                org_id: g.org.get(),
                org_name: g.org_name,
                school_year: g.year.to_string(),
                statement: g.text.statement,
                measure: g.text.measure,
                target: g.text.target,
                student_groups: g.text.groups,
                serves: g.aligned_to,
            })
            .collect(),
    ))
}

/// PD days the caller may attend, soonest first.
#[utoipa::path(get, path = "/api/v1/events", tag = "pd-days",
    responses((status = 200, body = Vec<EventDto>), (status = 401, description = "Not signed in")))]
pub async fn events(State(state): State<AppState>, user: ApiUser) -> ApiResult<Vec<EventDto>> {
    let now = now_ms();
    Ok(Json(
        event_pages::visible_events(&state, &user.0)
            .await?
            .into_iter()
            .map(|(e, manage, _)| EventDto::new(e, manage, now))
            .collect(),
    ))
}

/// The caller's ranking of an event, with the window's state and the revision.
#[utoipa::path(get, path = "/api/v1/events/{id}/ranking", tag = "pd-days",
    params(("id" = i64, Path, description = "Event id")),
    responses((status = 200, body = RankingDto), (status = 401, description = "Not signed in"),
              (status = 404, description = "Missing, or not an event the caller attends")))]
pub async fn ranking(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<RankingDto> {
    let l = event_pages::load(&state, &user.0, id).await?;
    let (choices, revision) = state.store.ranking(l.event.id, user.0.actor.person).await?;
    Ok(Json(RankingDto::new(
        &l.event,
        &choices,
        revision,
        now_ms(),
    )))
}

/// Replaces the caller's ranking, with the same rules as the ranking page.
/// A 200 is sent only once the ranking has committed; its `revision` is the
/// one saved.
#[utoipa::path(put, path = "/api/v1/events/{id}/ranking", tag = "pd-days",
    params(("id" = i64, Path, description = "Event id")),
    request_body = RankingInput,
    responses((status = 200, body = RankingDto, description = "Saved"),
              (status = 401, description = "Not signed in"),
              (status = 404, description = "Missing, or not an event the caller attends"),
              (status = 409, description = "The ranking window is not open"),
              (status = 422, description = "A session twice, too many, one not offered or one the caller leads, or a body that is not a ranking"),
              (status = 503, description = "Too busy; retry after the `Retry-After` seconds")))]
pub async fn save_ranking(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<RankingDto> {
    let l = event_pages::load(&state, &user.0, id).await?;
    let input: RankingInput = serde_json::from_slice(&body).map_err(|e| {
        WebError::Unprocessable(format!(
            "The body must be {{\"choices\": [course ids]}}: {e}."
        ))
    })?;
    let picked = input.choices.into_iter().map(CourseId::new).collect();
    let now = now_ms();
    match event_pages::save_choices(&state, &user.0, &l, picked, now).await? {
        Ok((ranking, revision)) => Ok(Json(RankingDto::new(
            &l.event,
            ranking.choices(),
            revision,
            now,
        ))),
        Err(RankRefusal::Closed(m)) => Err(ApiError(WebError::Conflict(m))),
        Err(RankRefusal::Invalid(m)) => Err(ApiError(WebError::Unprocessable(m))),
    }
}

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A personal API token from Settings or `waypoint users token`.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::middleware::SESSION_COOKIE,
            ))),
        );
        openapi.security = Some(vec![
            utoipa::openapi::security::SecurityRequirement::new("token", Vec::<String>::new()),
            utoipa::openapi::security::SecurityRequirement::new("session", Vec::<String>::new()),
        ]);
    }
}

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Waypoint API", description = "Organisations, classes, people, roster imports, PD-day rankings, competency frameworks and goals, scoped by role."),
    paths(me, orgs, org, org_classes, class, class_students, people, person, imports, import, create_import,
          events, ranking, save_ranking, frameworks, framework, goals,
          crate::growth_api::goals, crate::growth_api::goal, crate::growth_api::create_goal,
          crate::growth_api::comment, crate::growth_api::agree, crate::growth_api::ratings,
          crate::growth_api::notifications),
    modifiers(&SecuritySchemes),
    tags((name = "people"), (name = "organisations"), (name = "classes"), (name = "imports"), (name = "pd-days"),
         (name = "frameworks"), (name = "goals"), (name = "growth"))
)]
pub struct ApiDoc;

/// GET /api/v1/openapi.json
pub async fn openapi() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}
