//! Competency frameworks: the list every staff member can read, a page per
//! framework with its items as a tree, and the import of a CASE package
//! (1.0 or 1.1 JSON) for PD coordinators and administrators — refused with
//! every problem located, or stored whole in one transaction.

use super::require;
use crate::auth::CurrentUser;
use crate::error::{WebError, WebResult};
use crate::middleware::MultipartCsrf;
use crate::view::{Layout, datetime, render};
use crate::{AppState, now_ms};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use waypoint_domain::{Action, Policy, Resource};
use waypoint_import::case::{CaseVersion, Framework};
use waypoint_store::{
    FrameworkItem, FrameworkSummary, NewFramework, NewFrameworkAssociation, NewFrameworkItem,
};

/// The frameworks list, with the import form for those who may import.
#[derive(Template)]
#[template(path = "frameworks.html")]
pub struct FrameworksPage {
    layout: Layout,
    frameworks: Vec<FrameworkSummary>,
    can_import: bool,
    /// Located problems of a refused package: where, what.
    problems: Vec<(String, String)>,
    /// The refused file's name.
    refused: String,
}

/// A framework as a store record, from a package read by the importer.
pub fn to_store(
    f: &Framework,
    source: &str,
    by: Option<waypoint_domain::PersonId>,
) -> NewFramework {
    NewFramework {
        identifier: f.document.identifier.clone(),
        uri: f.document.uri.clone(),
        title: f.document.title.clone(),
        creator: f.document.creator.clone(),
        description: f.document.description.clone(),
        adoption_status: f.document.adoption_status.clone(),
        case_version: match f.version {
            CaseVersion::V1p0 => "1.0",
            CaseVersion::V1p1 => "1.1",
        }
        .to_owned(),
        source: source.to_owned(),
        last_change: f.document.last_change,
        items: f
            .items
            .iter()
            .map(|i| NewFrameworkItem {
                identifier: i.identifier.clone(),
                uri: i.uri.clone(),
                depth: i64::try_from(i.depth).unwrap_or(i64::MAX),
                parent: i.parent.clone(),
                code: i.human_coding_scheme.clone(),
                statement: i.full_statement.clone(),
                abbreviated: i.abbreviated_statement.clone(),
                item_type: i.item_type.clone(),
                levels: i.education_level.join(", "),
            })
            .collect(),
        associations: f
            .associations
            .iter()
            .map(|a| NewFrameworkAssociation {
                identifier: a.identifier.clone(),
                kind: a.kind.clone(),
                origin: a.origin.clone(),
                destination: a.destination.clone(),
                sequence: a.sequence,
            })
            .collect(),
        imported_by: by,
        now: now_ms(),
    }
}

fn page(
    user: &CurrentUser,
    frameworks: Vec<FrameworkSummary>,
    problems: Vec<(String, String)>,
    refused: String,
) -> FrameworksPage {
    FrameworksPage {
        layout: Layout::for_user(user, "Competency frameworks", "/frameworks"),
        frameworks,
        can_import: Policy::can(
            &user.actor,
            Action::ManageFrameworks,
            &Resource::Installation,
        ),
        problems,
        refused,
    }
}

/// GET /frameworks
pub async fn frameworks(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    require(&user.actor, Action::ViewFrameworks, &Resource::Installation)?;
    let list = state.store.frameworks().await?;
    Ok(render(&page(&user, list, Vec::new(), String::new())))
}

/// POST /frameworks (multipart: `_csrf`, then the `package` file).
pub async fn import(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: Option<axum::Extension<MultipartCsrf>>,
    multipart: Multipart,
) -> WebResult<Response> {
    require(
        &user.actor,
        Action::ManageFrameworks,
        &Resource::Installation,
    )?;
    let form = crate::middleware::read_upload(csrf.as_deref(), multipart, &["package"]).await?;
    let Some((name, bytes)) = form.file("package").filter(|(_, b)| !b.is_empty()) else {
        return Err(WebError::Unprocessable(
            "Choose a CASE package (a .json file) to import.".to_owned(),
        ));
    };
    let name = if name.is_empty() {
        "framework.json"
    } else {
        name
    }
    .to_owned();
    match waypoint_import::case::read_case(&name, bytes) {
        Ok(framework) => {
            let (id, replaced) = state
                .store
                .save_framework(&to_store(&framework, &name, Some(user.actor.person)))
                .await?;
            let how = if replaced { "replaced" } else { "imported" };
            Ok(Redirect::to(&format!("/frameworks/{id}?{how}")).into_response())
        }
        Err(problems) => {
            let located = problems
                .into_iter()
                .map(|p| {
                    let mut at = Vec::new();
                    if let Some(l) = p.line {
                        at.push(format!("line {l}"));
                    }
                    if let Some(c) = p.column {
                        at.push(format!("column {c}"));
                    }
                    if let Some(f) = p.field {
                        at.push(f);
                    }
                    (at.join(", "), p.message)
                })
                .collect();
            let list = state.store.frameworks().await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&page(&user, list, located, name)),
            )
                .into_response())
        }
    }
}

/// One framework and its items.
#[derive(Template)]
#[template(path = "framework.html")]
pub struct FrameworkPage {
    layout: Layout,
    framework: FrameworkSummary,
    imported: String,
    items: Vec<FrameworkItem>,
    notice: Option<&'static str>,
    /// Written here and changeable by the viewer.
    editable: bool,
}

/// GET /frameworks/{id}
pub async fn framework(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    require(&user.actor, Action::ViewFrameworks, &Resource::Installation)?;
    let framework = state.store.framework(id).await?.ok_or(WebError::NotFound)?;
    let items = state.store.framework_items(id).await?;
    let notice = if query.contains_key("imported") {
        Some("The framework is imported.")
    } else if query.contains_key("replaced") {
        Some("The framework is imported and replaces its earlier version.")
    } else if query.contains_key("saved") {
        Some("The framework is saved.")
    } else {
        None
    };
    Ok(render(&FrameworkPage {
        layout: Layout::for_user(&user, framework.title.clone(), "/frameworks").with_crumbs(vec![
            ("/frameworks".to_owned(), "Competency frameworks".to_owned()),
            (String::new(), framework.title.clone()),
        ]),
        imported: datetime(framework.imported_at),
        editable: framework.source == AUTHORED
            && Policy::can(
                &user.actor,
                Action::ManageFrameworks,
                &Resource::Installation,
            ),
        framework,
        items,
        notice,
    }))
}

/// A stored framework read back as a CASE framework, for export.
async fn as_case(state: &AppState, id: i64) -> WebResult<Framework> {
    use waypoint_import::case::{Association, Document, Item};
    let f = state.store.framework(id).await?.ok_or(WebError::NotFound)?;
    let items = state.store.framework_items(id).await?;
    let associations = state.store.framework_associations(id).await?;
    Ok(Framework {
        version: CaseVersion::V1p1,
        document: Document {
            identifier: f.identifier,
            uri: f.uri,
            title: f.title,
            creator: f.creator,
            description: f.description,
            adoption_status: f.adoption_status,
            last_change: f.last_change,
        },
        items: items
            .into_iter()
            .map(|i| Item {
                identifier: i.identifier,
                uri: i.uri,
                full_statement: i.statement,
                abbreviated_statement: String::new(),
                human_coding_scheme: i.code,
                item_type: i.item_type,
                education_level: i
                    .levels
                    .split(',')
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect(),
                parent: i.parent,
                depth: usize::try_from(i.depth).unwrap_or(0),
            })
            .collect(),
        associations: associations
            .into_iter()
            .map(|a| Association {
                identifier: a.identifier,
                kind: a.kind,
                origin: a.origin,
                destination: a.destination,
                sequence: a.sequence,
            })
            .collect(),
    })
}

/// GET /frameworks/{id}/case.json: the framework as a CASE 1.1 package.
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    require(&user.actor, Action::ViewFrameworks, &Resource::Installation)?;
    let f = as_case(&state, id).await?;
    let body = waypoint_import::case::write_case(&f, now_ms());
    let name: String = f
        .document
        .title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/json".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}.case.json\"",
                    name.trim_matches('-')
                ),
            ),
        ],
        body.to_string(),
    )
        .into_response())
}

/// A random (version 4) UUID.
fn new_uuid() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// One competency of a framework being written: its line's indentation,
/// code and statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutlineLine {
    /// Nesting level (two spaces or one tab per level).
    pub depth: usize,
    /// Code before a `|`, if any.
    pub code: String,
    /// What it says.
    pub statement: String,
}

/// Reads a framework outline: one competency per line, nested by two
/// spaces (or a tab) per level under the line above, with an optional
/// code before `|` ("2a | Questioning and discussion"). Every problem is
/// named by line.
pub fn read_outline(text: &str) -> Result<Vec<OutlineLine>, Vec<String>> {
    let mut out: Vec<OutlineLine> = Vec::new();
    let mut problems = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line_no = n + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let indent: usize = raw
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .map(|c| if c == '\t' { 2 } else { 1 })
            .sum();
        let depth = indent / 2;
        let (code, statement) = match raw.trim().split_once('|') {
            Some((c, s)) => (c.trim().to_owned(), s.trim().to_owned()),
            None => (String::new(), raw.trim().to_owned()),
        };
        let above = out.last().map_or(0, |l| l.depth + 1);
        if depth > above {
            problems.push(format!(
                "line {line_no}: nested deeper than the line above allows (indent it by at most one more level)"
            ));
        }
        if statement.is_empty() {
            problems.push(format!(
                "line {line_no}: the competency has no words after the code"
            ));
        } else if statement.chars().count() > 1_000 {
            problems.push(format!(
                "line {line_no}: keep a competency to 1,000 characters"
            ));
        }
        if code.chars().count() > 40 {
            problems.push(format!("line {line_no}: keep the code to 40 characters"));
        }
        out.push(OutlineLine {
            depth: depth.min(above),
            code,
            statement,
        });
    }
    if out.is_empty() {
        problems.push("List at least one competency, one per line.".to_owned());
    }
    if out.len() > 1_000 {
        problems.push("A framework written here holds at most 1,000 competencies.".to_owned());
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// The form for writing a framework.
#[derive(Template)]
#[template(path = "framework_form.html")]
pub struct FrameworkFormPage {
    layout: Layout,
    action: String,
    title: String,
    creator: String,
    description: String,
    outline: String,
    problems: Vec<String>,
}

/// What the framework form holds.
#[derive(Debug, Default, serde::Deserialize)]
pub struct FrameworkForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    creator: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    outline: String,
}

fn form_page(
    user: &CurrentUser,
    action: String,
    form: FrameworkForm,
    problems: Vec<String>,
) -> FrameworkFormPage {
    FrameworkFormPage {
        layout: Layout::for_user(user, "Write a framework", "/frameworks").with_crumbs(vec![
            ("/frameworks".to_owned(), "Competency frameworks".to_owned()),
            (String::new(), "Write a framework".to_owned()),
        ]),
        action,
        title: form.title,
        creator: form.creator,
        description: form.description,
        outline: form.outline,
        problems,
    }
}

/// GET /frameworks/new
pub async fn new_form(user: CurrentUser) -> WebResult<Response> {
    require(
        &user.actor,
        Action::ManageFrameworks,
        &Resource::Installation,
    )?;
    Ok(render(&form_page(
        &user,
        "/frameworks/new".to_owned(),
        FrameworkForm::default(),
        Vec::new(),
    )))
}

/// GET /frameworks/{id}/edit: a framework written here, as its outline.
pub async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    require(
        &user.actor,
        Action::ManageFrameworks,
        &Resource::Installation,
    )?;
    let f = state.store.framework(id).await?.ok_or(WebError::NotFound)?;
    if f.source != AUTHORED {
        return Err(WebError::Conflict(
            "An imported framework changes by importing its package again.".to_owned(),
        ));
    }
    let outline = state
        .store
        .framework_items(id)
        .await?
        .iter()
        .map(|i| {
            let pad = "  ".repeat(usize::try_from(i.depth).unwrap_or(0));
            if i.code.is_empty() {
                format!("{pad}{}", i.statement)
            } else {
                format!("{pad}{} | {}", i.code, i.statement)
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    Ok(render(&form_page(
        &user,
        format!("/frameworks/{id}/edit"),
        FrameworkForm {
            title: f.title,
            creator: f.creator,
            description: f.description,
            outline,
        },
        Vec::new(),
    )))
}

/// What a framework written in Waypoint records as its source.
const AUTHORED: &str = "written in Waypoint";

/// Saves a written framework: new (`existing` none) or replacing one
/// written here, keeping the identifiers of competencies whose line (code
/// and words) is unchanged, so what names them keeps naming them.
async fn save_written(
    state: &AppState,
    user: &CurrentUser,
    existing: Option<i64>,
    form: FrameworkForm,
) -> WebResult<Response> {
    let action = existing.map_or_else(
        || "/frameworks/new".to_owned(),
        |id| format!("/frameworks/{id}/edit"),
    );
    let title = form.title.trim().to_owned();
    let mut problems = Vec::new();
    if title.is_empty() || title.chars().count() > 300 {
        problems.push("Title: give the framework a title of up to 300 characters.".to_owned());
    }
    let lines = match read_outline(&form.outline) {
        Ok(l) => Some(l),
        Err(p) => {
            problems.extend(p);
            None
        }
    };
    let (Some(lines), true) = (lines, problems.is_empty()) else {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&form_page(user, action, form, problems)),
        )
            .into_response());
    };
    let (identifier, uri, mut keep) = match existing {
        Some(id) => {
            let f = state.store.framework(id).await?.ok_or(WebError::NotFound)?;
            if f.source != AUTHORED {
                return Err(WebError::Conflict(
                    "An imported framework changes by importing its package again.".to_owned(),
                ));
            }
            let keep: HashMap<(String, String), String> = state
                .store
                .framework_items(id)
                .await?
                .into_iter()
                .map(|i| ((i.code, i.statement), i.identifier))
                .collect();
            (f.identifier, f.uri, keep)
        }
        None => {
            let id = new_uuid();
            let uri = format!(
                "{}/frameworks/{id}",
                state.config.public_url.trim_end_matches('/')
            );
            (id, uri, HashMap::new())
        }
    };
    let base = uri.trim_end_matches('/').to_owned();
    let mut stack: Vec<String> = Vec::new();
    let mut items = Vec::new();
    for l in lines {
        stack.truncate(l.depth);
        let id = keep
            .remove(&(l.code.clone(), l.statement.clone()))
            .unwrap_or_else(new_uuid);
        items.push(NewFrameworkItem {
            uri: format!("{base}/items/{id}"),
            depth: i64::try_from(l.depth).unwrap_or(0),
            parent: stack.last().cloned(),
            code: l.code,
            statement: l.statement,
            abbreviated: String::new(),
            item_type: "Competency".to_owned(),
            levels: String::new(),
            identifier: id.clone(),
        });
        stack.push(id);
    }
    let (id, _) = state
        .store
        .save_framework(&NewFramework {
            identifier,
            uri,
            title,
            creator: form.creator.trim().to_owned(),
            description: form.description.trim().to_owned(),
            adoption_status: "Draft".to_owned(),
            case_version: "1.1".to_owned(),
            source: AUTHORED.to_owned(),
            last_change: Some(now_ms()),
            items,
            associations: Vec::new(),
            imported_by: Some(user.actor.person),
            now: now_ms(),
        })
        .await?;
    Ok(Redirect::to(&format!("/frameworks/{id}?saved")).into_response())
}

/// POST /frameworks/new
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::Form(form): axum::Form<FrameworkForm>,
) -> WebResult<Response> {
    require(
        &user.actor,
        Action::ManageFrameworks,
        &Resource::Installation,
    )?;
    save_written(&state, &user, None, form).await
}

/// POST /frameworks/{id}/edit
pub async fn edit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<FrameworkForm>,
) -> WebResult<Response> {
    require(
        &user.actor,
        Action::ManageFrameworks,
        &Resource::Installation,
    )?;
    save_written(&state, &user, Some(id), form).await
}

#[cfg(test)]
mod tests {
    use super::read_outline;

    #[test]
    fn outlines_nest_by_indentation_and_name_bad_lines() {
        let l = read_outline("1 | Planning\n  1a | For every learner\n\n2 | Discussion\n")
            .expect("valid");
        assert_eq!(
            l.iter()
                .map(|x| (x.depth, x.code.as_str()))
                .collect::<Vec<_>>(),
            [(0, "1"), (1, "1a"), (0, "2")]
        );
        assert_eq!(l[1].statement, "For every learner");
        let e = read_outline("    Too deep\nOk\n3 |").expect_err("bad");
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(
            e[0].starts_with("line 1:") && e[1].starts_with("line 3:"),
            "{e:?}"
        );
        assert!(read_outline("\n \n").is_err());
    }
}
