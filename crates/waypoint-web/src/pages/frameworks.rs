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
    mut multipart: Multipart,
) -> WebResult<Response> {
    require(
        &user.actor,
        Action::ManageFrameworks,
        &Resource::Installation,
    )?;
    let mut token_ok = csrf.is_none();
    let mut file = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| WebError::Unprocessable(format!("The form could not be read: {e}")))?
    {
        match field.name().unwrap_or_default() {
            "_csrf" => {
                let value = field.text().await.unwrap_or_default();
                token_ok = csrf.as_ref().is_none_or(|c| c.accepts(&value));
            }
            "package" if token_ok => {
                let name = field
                    .file_name()
                    .filter(|n| !n.is_empty())
                    .unwrap_or("framework.json")
                    .to_owned();
                let bytes = field.bytes().await.map_err(|e| {
                    WebError::Unprocessable(format!("The file could not be read: {e}"))
                })?;
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    if !token_ok {
        return Err(WebError::Forbidden(
            "This form has expired or did not come from Waypoint. Go back, reload the page and try again.".to_owned(),
        ));
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Err(WebError::Unprocessable(
            "Choose a CASE package (a .json file) to import.".to_owned(),
        ));
    };
    match waypoint_import::case::read_case(&name, &bytes) {
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
    } else {
        None
    };
    Ok(render(&FrameworkPage {
        layout: Layout::for_user(&user, framework.title.clone(), "/frameworks").with_crumbs(vec![
            ("/frameworks".to_owned(), "Competency frameworks".to_owned()),
            (String::new(), framework.title.clone()),
        ]),
        imported: datetime(framework.imported_at),
        framework,
        items,
        notice,
    }))
}
