//! Administration: roster imports (upload and history), accounts (roles at
//! scopes, reset links) and the audit log.

use super::require;
use crate::auth::{CurrentUser, random_token, token_hash};
use crate::error::{WebError, WebResult};
use crate::jobs::{IMPORT_ONEROSTER, ImportJob};
use crate::middleware::MultipartCsrf;
use crate::view::{Layout, datetime, maybe_datetime, render, thousands};
use crate::{AppState, now_ms};
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use waypoint_domain::{Action, Grant, OrgId, OrgKind, PersonId, Resource, Role, Scope};
use waypoint_store::{
    AccountRow, AuditRow, ImportRow, ImportStatus, NewImport, Org, PageRequest, RosterTotals,
};

/// How long a password-reset link works.
pub const RESET_LINK_HOURS: i64 = 72;

fn admin(user: &CurrentUser) -> WebResult<()> {
    require(&user.actor, Action::ManageRoster, &Resource::Installation)
}

/// The imports page.
#[derive(Template)]
#[template(path = "admin_imports.html")]
pub struct ImportsPage {
    layout: Layout,
    totals: RosterTotals,
    imports: Vec<ImportLine>,
    error: Option<String>,
}

/// An import with its display strings.
pub struct ImportLine {
    /// The stored row.
    pub row: ImportRow,
    /// Badge text.
    pub status: &'static str,
    /// Badge tone.
    pub tone: &'static str,
    /// One-line result.
    pub summary: String,
    /// Started.
    pub started: String,
    /// Finished.
    pub finished: String,
}

impl ImportLine {
    /// Display strings for `row`.
    pub fn new(row: ImportRow) -> Self {
        Self {
            status: Self::status(&row),
            tone: Self::tone(&row),
            summary: Self::summary(&row),
            started: datetime(row.started_at),
            finished: maybe_datetime(row.finished_at),
            row,
        }
    }

    /// Status badge text.
    fn status(row: &ImportRow) -> &'static str {
        match row.status {
            ImportStatus::Queued => "Queued",
            ImportStatus::Running => "Running",
            ImportStatus::Succeeded => "Imported",
            ImportStatus::Rejected => "Refused",
            ImportStatus::Failed => "Failed",
        }
    }
    /// Status badge class.
    fn tone(row: &ImportRow) -> &'static str {
        match row.status {
            ImportStatus::Queued | ImportStatus::Running => "info",
            ImportStatus::Succeeded => "ok",
            ImportStatus::Rejected | ImportStatus::Failed => "bad",
        }
    }
    /// "1,024 changed of 9,001"
    fn summary(row: &ImportRow) -> String {
        match &row.counts {
            Some(c) => {
                let received = c.orgs.received
                    + c.sessions.received
                    + c.courses.received
                    + c.classes.received
                    + c.users.received
                    + c.enrollments.received;
                format!(
                    "{} records, {} changed",
                    thousands(i64::try_from(received).unwrap_or(0)),
                    thousands(i64::try_from(c.changed()).unwrap_or(0))
                )
            }
            None if !row.problems.is_empty() => {
                format!("{} problem(s)", row.problems.len().saturating_sub(1).max(1))
            }
            None => row.progress.clone().unwrap_or_default(),
        }
    }
}

/// GET /admin/imports
pub async fn imports(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    admin(&user)?;
    Ok(render(&ImportsPage {
        layout: Layout::for_user(&user, "Roster imports", "/admin/imports"),
        totals: state.store.roster_totals().await?,
        imports: state
            .store
            .imports(50)
            .await?
            .into_iter()
            .filter(|i| i.kind == "oneroster")
            .map(ImportLine::new)
            .collect(),
        error: None,
    }))
}

/// POST /admin/imports (multipart, field `package`): stores the upload and
/// queues the import; any server's worker may run it.
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: Option<axum::Extension<MultipartCsrf>>,
    multipart: Multipart,
) -> WebResult<Response> {
    admin(&user)?;
    let form = crate::middleware::read_upload(csrf.as_deref(), multipart, &["package"]).await?;
    let file = form.file("package").map(|(n, b)| {
        (
            if n.is_empty() { "upload.zip" } else { n }.to_owned(),
            b.to_vec(),
        )
    });
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Ok(render(&ImportsPage {
            layout: Layout::for_user(&user, "Roster imports", "/admin/imports"),
            totals: state.store.roster_totals().await?,
            imports: state
                .store
                .imports(50)
                .await?
                .into_iter()
                .map(ImportLine::new)
                .collect(),
            error: Some("Choose a OneRoster .zip package to upload.".to_owned()),
        }));
    };
    let id = enqueue_upload(&state, &name, &bytes, Some(user.actor.person)).await?;
    Ok(Redirect::to(&format!("/admin/imports/{id}")).into_response())
}

/// Stores an upload, its queued import entry and its job, in one
/// transaction: either the import will run or nothing was recorded.
pub async fn enqueue_upload(
    state: &AppState,
    name: &str,
    bytes: &[u8],
    by: Option<PersonId>,
) -> WebResult<i64> {
    let import = NewImport {
        kind: "oneroster".to_owned(),
        source: name.to_owned(),
        requested_by: by,
        started_at: now_ms(),
    };
    let payload = |import_id, upload_id| {
        serde_json::to_string(&ImportJob {
            import_id,
            upload_id,
        })
        .unwrap_or_default()
    };
    Ok(state
        .store
        .enqueue_upload_import(&import, bytes, IMPORT_ONEROSTER, &payload)
        .await?)
}

/// One import's page.
#[derive(Template)]
#[template(path = "admin_import.html")]
pub struct ImportPage {
    layout: Layout,
    import: ImportRow,
    line: ImportLine,
    running: bool,
    /// Assessment results or survey answers, not a roster.
    student_data: bool,
    rows: Vec<(&'static str, u64, u64, u64)>,
}

/// GET /admin/imports/{id}
pub async fn import(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    admin(&user)?;
    let import = state.store.import(id).await?.ok_or(WebError::NotFound)?;
    let rows = import.counts.map_or_else(Vec::new, |c| {
        vec![
            (
                "Organisations",
                c.orgs.received,
                c.orgs.changed,
                c.orgs.deleted,
            ),
            (
                "Academic sessions",
                c.sessions.received,
                c.sessions.changed,
                c.sessions.deleted,
            ),
            (
                "Courses",
                c.courses.received,
                c.courses.changed,
                c.courses.deleted,
            ),
            (
                "Classes",
                c.classes.received,
                c.classes.changed,
                c.classes.deleted,
            ),
            ("Users", c.users.received, c.users.changed, c.users.deleted),
            (
                "Enrollments",
                c.enrollments.received,
                c.enrollments.changed,
                c.enrollments.deleted,
            ),
        ]
    });
    let title = format!("Import #{id}: {}", import.source);
    let (section, list) = if import.kind == "oneroster" {
        ("/admin/imports", "Roster imports")
    } else {
        ("/admin/assessments", "Assessment results")
    };
    Ok(render(&ImportPage {
        layout: Layout::for_user(&user, title.clone(), section).with_crumbs(vec![
            (section.to_owned(), list.to_owned()),
            (String::new(), title),
        ]),
        student_data: import.kind != "oneroster",
        running: matches!(import.status, ImportStatus::Queued | ImportStatus::Running),
        line: ImportLine::new(import.clone()),
        import,
        rows,
    }))
}

/// `?q=`
#[derive(Debug, Deserialize, Default)]
pub struct AccountsQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: Option<i64>,
}

/// Accounts per page.
const ACCOUNTS_PAGE: i64 = 100;

/// The accounts page.
#[derive(Template)]
#[template(path = "admin_users.html")]
pub struct AccountsPage {
    layout: Layout,
    q: String,
    rows: Vec<(AccountRow, String, String)>,
    total: i64,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

async fn grant_labels(state: &AppState, grants: &[Grant]) -> WebResult<Vec<String>> {
    let mut out = Vec::new();
    for g in grants {
        let place = match g.scope {
            Scope::Installation => String::new(),
            Scope::Class(c) => state
                .store
                .class(c)
                .await?
                .map_or_else(|| c.to_string(), |c| c.summary.title),
            Scope::Region(o) | Scope::District(o) | Scope::School(o) => state
                .store
                .org(o)
                .await?
                .map_or_else(|| o.to_string(), |o| o.name),
        };
        out.push(crate::view::grant_label(g, &place));
    }
    Ok(out)
}

/// GET /admin/users
pub async fn accounts(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AccountsQuery>,
) -> WebResult<Response> {
    require(&user.actor, Action::ManageAccounts, &Resource::Installation)?;
    let number = q.page.unwrap_or(1).clamp(1, 10_000);
    let page = state
        .store
        .accounts(
            &q.q,
            PageRequest {
                offset: (number - 1) * ACCOUNTS_PAGE,
                limit: ACCOUNTS_PAGE,
            },
        )
        .await?;
    let pages = ((page.total + ACCOUNTS_PAGE - 1) / ACCOUNTS_PAGE).max(1);
    let href = |n: i64| {
        let query = serde_urlencoded::to_string([("q", q.q.as_str()), ("page", &n.to_string())])
            .unwrap_or_default();
        format!("/admin/users?{query}")
    };
    let mut rows = Vec::new();
    for a in page.items {
        let labels = grant_labels(&state, &a.grants).await?.join("; ");
        let last = maybe_datetime(a.last_sign_in);
        rows.push((a, labels, last));
    }
    Ok(render(&AccountsPage {
        layout: Layout::for_user(&user, "Accounts", "/admin/users"),
        prev_href: (number > 1).then(|| href(number - 1)),
        next_href: (number < pages).then(|| href(number + 1)),
        q: q.q,
        rows,
        total: page.total,
        page: number,
        pages,
    }))
}

/// One account's administration page.
#[derive(Template)]
#[template(path = "admin_user.html")]
pub struct AccountPage {
    layout: Layout,
    id: PersonId,
    name: String,
    username: String,
    has_password: bool,
    grants: Vec<(Grant, String)>,
    orgs: Vec<Org>,
    roles: Vec<Role>,
    reset_link: Option<String>,
    error: Option<String>,
}

async fn account_page(
    state: &AppState,
    user: &CurrentUser,
    id: PersonId,
) -> WebResult<AccountPage> {
    require(&user.actor, Action::ManageAccounts, &Resource::Installation)?;
    let account = state.store.account(id).await?.ok_or(WebError::NotFound)?;
    let grants = state.store.grants_of(id).await?;
    let labels = grant_labels(state, &grants).await?;
    let orgs = state
        .store
        .orgs()
        .await?
        .into_iter()
        .filter(|o| o.kind != OrgKind::Department)
        .collect();
    Ok(AccountPage {
        layout: Layout::for_user(user, account.display_name.clone(), "/admin/users").with_crumbs(
            vec![
                ("/admin/users".to_owned(), "Accounts".to_owned()),
                (String::new(), account.display_name.clone()),
            ],
        ),
        id,
        name: account.display_name,
        username: account.username,
        has_password: account.password_hash.is_some(),
        grants: grants.into_iter().zip(labels).collect(),
        orgs,
        roles: Role::ALL.to_vec(),
        reset_link: None,
        error: None,
    })
}

/// GET /admin/users/{id}
pub async fn account(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    Ok(render(
        &account_page(&state, &user, PersonId::new(id)).await?,
    ))
}

/// The grant form: a role and where (`installation` or `org:<id>`).
#[derive(Debug, Deserialize)]
pub struct GrantForm {
    role: String,
    scope: String,
}

async fn parse_grant(state: &AppState, form: &GrantForm) -> WebResult<Result<Grant, String>> {
    let Ok(role) = form.role.parse::<Role>() else {
        return Ok(Err("Choose a role.".to_owned()));
    };
    let scope = if form.scope == "installation" {
        Scope::Installation
    } else {
        let Some(org) = form
            .scope
            .strip_prefix("org:")
            .and_then(|s| s.parse::<i64>().ok())
            .map(OrgId::new)
        else {
            return Ok(Err("Choose where the role applies.".to_owned()));
        };
        let Some(org) = state.store.org(org).await? else {
            return Ok(Err("That organisation no longer exists.".to_owned()));
        };
        match org.kind {
            OrgKind::Region => Scope::Region(org.id),
            OrgKind::District => Scope::District(org.id),
            _ => Scope::School(org.id),
        }
    };
    Ok(Grant::new(role, scope).map_err(|e| {
        let mut m = e.to_string();
        if let Some(first) = m.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        format!("{m}.")
    }))
}

/// POST /admin/users/{id}/grants
pub async fn add_grant(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<GrantForm>,
) -> WebResult<Response> {
    let mut page = account_page(&state, &user, PersonId::new(id)).await?;
    match parse_grant(&state, &form).await? {
        Ok(grant) => {
            state.store.add_grant(page.id, grant).await?;
            tracing::info!(by = %user.actor.person, person = id, role = %grant.role, scope = grant.scope.kind(), "role granted");
            Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
        }
        Err(message) => {
            page.error = Some(message);
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

/// The remove-grant form: the grant's stored parts.
#[derive(Debug, Deserialize)]
pub struct RemoveGrantForm {
    role: String,
    scope_kind: String,
    scope_id: i64,
}

/// POST /admin/users/{id}/grants/remove
pub async fn remove_grant(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<RemoveGrantForm>,
) -> WebResult<Response> {
    let page = account_page(&state, &user, PersonId::new(id)).await?;
    // Removed exactly as stored, so a grant at an organisation that has
    // since left the roster can still be taken away.
    let grant = form
        .role
        .parse::<Role>()
        .ok()
        .zip(Scope::from_parts(&form.scope_kind, form.scope_id).ok())
        .map(|(role, scope)| Grant { role, scope })
        .ok_or_else(|| WebError::Unprocessable("That role is not recognised.".to_owned()))?;
    if !state.store.remove_grant(page.id, grant).await? {
        return Err(WebError::NotFound);
    }
    tracing::info!(by = %user.actor.person, person = id, role = %grant.role, "role removed");
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

/// POST /admin/users/{id}/reset-link — shown once on the response.
pub async fn reset_link(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let mut page = account_page(&state, &user, PersonId::new(id)).await?;
    let link = issue_reset_link(&state, page.id).await?;
    page.reset_link = Some(link);
    Ok(render(&page))
}

/// Creates a single-use reset token and returns its full link.
pub async fn issue_reset_link(state: &AppState, person: PersonId) -> WebResult<String> {
    let token = random_token();
    state
        .store
        .create_reset_token(
            person,
            &token_hash(&token),
            now_ms() + RESET_LINK_HOURS * 3_600_000,
        )
        .await?;
    Ok(format!(
        "{}/reset/{token}",
        state.config.public_url.trim_end_matches('/')
    ))
}

/// The audit log page.
#[derive(Template)]
#[template(path = "admin_audit.html")]
pub struct AuditPage {
    layout: Layout,
    csv: String,
    rows: Vec<(AuditRow, String, usize)>,
}

/// GET /admin/audit
pub async fn audit(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    require(&user.actor, Action::ManageAccounts, &Resource::Installation)?;
    let rows = state.store.audit_log(500).await?;
    Ok(render(&audit_page(
        &user,
        "Audit log",
        "/admin/audit",
        "/admin/audit.csv",
        rows,
    )))
}

/// GET /admin/audit.csv
pub async fn audit_csv(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    require(&user.actor, Action::ManageAccounts, &Resource::Installation)?;
    Ok(audit_csv_response(
        state.store.audit_log(100_000).await?,
        "waypoint-audit.csv",
    ))
}

/// The district whose audit log `user` may review.
async fn audited_district(state: &AppState, user: &CurrentUser, id: i64) -> WebResult<Org> {
    let org = state
        .store
        .org(OrgId::new(id))
        .await?
        .ok_or(WebError::NotFound)?;
    require(
        &user.actor,
        Action::ReviewAudit,
        &Resource::Org(org.placement),
    )?;
    Ok(org)
}

/// GET /orgs/{id}/audit: views of student data by the district's staff.
pub async fn district_audit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let org = audited_district(&state, &user, id).await?;
    let rows = state.store.audit_log_of_district(org.id, 500).await?;
    Ok(render(&audit_page(
        &user,
        &format!("Audit log: {}", org.name),
        "/students",
        &format!("/orgs/{}/audit.csv", org.id),
        rows,
    )))
}

/// GET /orgs/{id}/audit.csv
pub async fn district_audit_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let org = audited_district(&state, &user, id).await?;
    let rows = state.store.audit_log_of_district(org.id, 100_000).await?;
    Ok(audit_csv_response(
        rows,
        &format!("waypoint-audit-{}.csv", org.id),
    ))
}

fn audit_page(
    user: &CurrentUser,
    title: &str,
    section: &str,
    csv: &str,
    rows: Vec<AuditRow>,
) -> AuditPage {
    AuditPage {
        layout: Layout::for_user(user, title, section),
        csv: csv.to_owned(),
        rows: rows
            .into_iter()
            .map(|r| {
                let at = datetime(r.at);
                let n = r.students.split(',').filter(|s| !s.is_empty()).count();
                (r, at, n)
            })
            .collect(),
    }
}

fn audit_csv_response(rows: Vec<AuditRow>, filename: &str) -> Response {
    let mut out =
        String::from("id,at_utc,actor_id,actor,role,scope,subject,students,route,request_id\n");
    for r in rows {
        let fields = [
            r.id.to_string(),
            datetime(r.at),
            r.actor.to_string(),
            r.actor_name,
            r.role,
            r.scope,
            r.subject,
            r.students,
            r.route,
            r.request_id,
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        out,
    )
        .into_response()
}

/// Quotes a CSV field when needed, and defuses spreadsheet formulas.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The e-mail settings page.
#[derive(Template)]
#[template(path = "admin_mail.html")]
pub struct MailPage {
    layout: Layout,
    host: String,
    port: String,
    from: String,
    enabled: bool,
    since: Option<String>,
    notice: Option<String>,
    problem: Option<String>,
    my_email: Option<String>,
}

/// What the e-mail form holds.
#[derive(Debug, Default, Deserialize)]
pub struct MailForm {
    #[serde(default)]
    host: String,
    #[serde(default)]
    port: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    enabled: Option<String>,
}

async fn mail_page(
    state: &AppState,
    user: &CurrentUser,
    notice: Option<String>,
    problem: Option<String>,
) -> WebResult<MailPage> {
    let settings = state.store.mail_settings().await?;
    let my_email = state
        .store
        .staff(user.actor.person)
        .await?
        .and_then(|s| s.row.email)
        .filter(|e| !e.is_empty());
    Ok(MailPage {
        layout: Layout::for_user(user, "E-mail", "/admin/mail"),
        host: settings
            .as_ref()
            .map(|s| s.host.clone())
            .unwrap_or_default(),
        port: settings
            .as_ref()
            .map_or_else(|| "25".to_owned(), |s| s.port.to_string()),
        from: settings
            .as_ref()
            .map(|s| s.from.clone())
            .unwrap_or_default(),
        enabled: settings.as_ref().is_some_and(|s| s.enabled),
        since: settings.and_then(|s| s.enabled_at).map(datetime),
        notice,
        problem,
        my_email,
    })
}

/// GET /admin/mail
pub async fn mail(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> WebResult<Response> {
    require(&user.actor, Action::ManageAccounts, &Resource::Installation)?;
    let notice = query.contains_key("saved").then(|| "Saved.".to_owned());
    Ok(render(&mail_page(&state, &user, notice, None).await?))
}

/// POST /admin/mail
pub async fn save_mail(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<MailForm>,
) -> WebResult<Response> {
    require(&user.actor, Action::ManageAccounts, &Resource::Installation)?;
    let host = form.host.trim();
    let port = form.port.trim().parse::<u16>().ok().filter(|p| *p > 0);
    let from = form.from.trim();
    let mut problems = Vec::new();
    if host.is_empty() || host.len() > 253 || host.chars().any(char::is_whitespace) {
        problems.push("Host: give the relay's host name or address.");
    }
    if port.is_none() {
        problems.push("Port: a number from 1 to 65535 (25 or 587 for most relays).");
    }
    if from.parse::<lettre::message::Mailbox>().is_err() {
        problems.push("Sender: an address like Waypoint <waypoint@district.example.org>.");
    }
    let Some(port) = port.filter(|_| problems.is_empty()) else {
        let page = mail_page(&state, &user, None, Some(problems.join(" "))).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response());
    };
    state
        .store
        .save_mail_settings(
            &waypoint_store::MailSettings {
                host: host.to_owned(),
                port,
                from: from.to_owned(),
                enabled: form.enabled.is_some(),
                enabled_at: None,
            },
            user.actor.person,
            now_ms(),
        )
        .await?;
    Ok(Redirect::to("/admin/mail?saved").into_response())
}

/// POST /admin/mail/test: a message to the administrator's own address.
pub async fn test_mail(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    require(&user.actor, Action::ManageAccounts, &Resource::Installation)?;
    let Some(settings) = state.store.mail_settings().await? else {
        return Err(WebError::Conflict(
            "Save the relay's settings first.".to_owned(),
        ));
    };
    let page = mail_page(&state, &user, None, None).await?;
    let Some(to) = page.my_email.clone() else {
        return Err(WebError::Conflict(
            "Your account has no e-mail address to send the test to.".to_owned(),
        ));
    };
    let text = "This is a test message from Waypoint. Reminders and notifications will arrive like this one.\n".to_owned();
    let (notice, problem) =
        match crate::mail::send(&settings, &user.name, &to, "Waypoint: test message", text).await {
            Ok(()) => (Some(format!("A test message went to {to}.")), None),
            Err(e) => (None, Some(format!("The test message was not sent: {e:#}."))),
        };
    Ok(render(&MailPage {
        notice,
        problem,
        ..page
    }))
}

/// The assessment-results import page.
#[derive(Template)]
#[template(path = "admin_assessments.html")]
pub struct AssessmentsPage {
    layout: Layout,
    stored: i64,
    formats: Vec<(&'static str, &'static str)>,
    /// Earlier imports of results and survey answers, newest first.
    recent: Vec<ImportLine>,
    /// Located problems of a refused file.
    problems: Vec<String>,
    refused: String,
}

async fn assessments_page(
    state: &AppState,
    user: &CurrentUser,
    problems: Vec<String>,
    refused: String,
) -> WebResult<AssessmentsPage> {
    use waypoint_import::assessments::Format;
    Ok(AssessmentsPage {
        layout: Layout::for_user(user, "Assessment results", "/admin/assessments"),
        stored: state.store.result_count(None).await?,
        formats: Format::ALL
            .iter()
            .map(|f| (f.as_str(), f.label()))
            .collect(),
        recent: state
            .store
            .imports(50)
            .await?
            .into_iter()
            .filter(|i| i.kind != "oneroster")
            .map(ImportLine::new)
            .collect(),
        problems,
        refused,
    })
}

/// GET /admin/assessments
pub async fn assessments(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    require(&user.actor, Action::ManageRoster, &Resource::Installation)?;
    Ok(render(
        &assessments_page(&state, &user, Vec::new(), String::new()).await?,
    ))
}

/// POST /admin/assessments (multipart: `_csrf`, `format`, then `file`):
/// queues the file's import and shows its progress. District files run to a
/// million rows, so the work happens in the background; the import's page
/// says what was stored, or why nothing was.
pub async fn import_assessments(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: Option<axum::Extension<MultipartCsrf>>,
    multipart: Multipart,
) -> WebResult<Response> {
    require(&user.actor, Action::ManageRoster, &Resource::Installation)?;
    let form = crate::middleware::read_upload(csrf.as_deref(), multipart, &["file"]).await?;
    let layout = form.text("format").to_owned();
    let Some((name, bytes)) = form
        .file("file")
        .filter(|(_, b)| !b.is_empty())
        .map(|(n, b)| (if n.is_empty() { "results.csv" } else { n }.to_owned(), b))
    else {
        return Err(WebError::Unprocessable(
            "Choose a results file (CSV) to import.".to_owned(),
        ));
    };
    // A zip or a spreadsheet under a .csv name is refused at once.
    let head = &bytes[..bytes.len().min(8_192)];
    let text = match std::str::from_utf8(head) {
        Ok(_) => true,
        // A multi-byte character cut at the end of the sample is still text.
        Err(e) => e.error_len().is_none(),
    };
    if head.starts_with(b"PK\x03\x04") || !text {
        let problems = vec![format!(
            "{name}: this is not a CSV file (a zip or a spreadsheet?). Export the results as CSV, UTF-8."
        )];
        let page = assessments_page(&state, &user, problems, name.clone()).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response());
    }
    let import = NewImport {
        kind: if layout == crate::services::SURVEY_LAYOUT {
            "surveys"
        } else {
            "assessments"
        }
        .to_owned(),
        source: name.clone(),
        requested_by: Some(user.actor.person),
        started_at: now_ms(),
    };
    let payload = |import_id, upload_id| {
        serde_json::to_string(&crate::jobs::StudentDataJob {
            import_id,
            upload_id,
            layout: layout.clone(),
        })
        .unwrap_or_default()
    };
    let id = state
        .store
        .enqueue_upload_import(&import, bytes, crate::jobs::IMPORT_STUDENT_DATA, &payload)
        .await?;
    Ok(Redirect::to(&format!("/admin/imports/{id}")).into_response())
}
