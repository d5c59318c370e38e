//! The people directory (staff only, limited to the viewer's scope) and a
//! staff member's page.

use super::require;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{WebError, WebResult};
use crate::view::{Layout, grant_label, render, roster_role_label};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use waypoint_domain::{Action, PersonId, Policy, Resource};
use waypoint_store::{ClassSummary, PageRequest, StaffDetail, StaffRow};

/// Rows per directory page.
pub const PAGE_SIZE: i64 = 50;

/// `?q=…&page=…`
#[derive(Debug, Deserialize, Default)]
pub struct DirectoryQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: Option<i64>,
}

/// The directory page.
#[derive(Template)]
#[template(path = "people.html")]
pub struct PeoplePage {
    layout: Layout,
    q: String,
    rows: Vec<StaffRow>,
    total: i64,
    page: i64,
    pages: i64,
    first_shown: i64,
    last_shown: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

fn page_href(q: &str, page: i64) -> String {
    let query =
        serde_urlencoded::to_string([("q", q), ("page", &page.to_string())]).unwrap_or_default();
    format!("/people?{query}")
}

/// GET /people
pub async fn people(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<DirectoryQuery>,
) -> WebResult<Response> {
    let visibility = Policy::staff_visibility(&user.actor);
    let page = query.page.unwrap_or(1).clamp(1, 10_000);
    let q = query.q.trim().chars().take(100).collect::<String>();
    let found = state
        .store
        .search_staff(
            &visibility,
            user.actor.person,
            &q,
            PageRequest {
                offset: (page - 1) * PAGE_SIZE,
                limit: PAGE_SIZE,
            },
        )
        .await?;
    let pages = ((found.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let shown = i64::try_from(found.items.len()).unwrap_or(0);
    let first_shown = if shown == 0 {
        0
    } else {
        (page - 1) * PAGE_SIZE + 1
    };
    Ok(render(&PeoplePage {
        layout: Layout::for_user(&user, "People", "/people"),
        prev_href: (page > 1).then(|| page_href(&q, page - 1)),
        next_href: (page < pages).then(|| page_href(&q, page + 1)),
        q,
        rows: found.items,
        total: found.total,
        page,
        pages,
        first_shown,
        last_shown: first_shown + shown - 1,
    }))
}

/// A staff member's page.
#[derive(Template)]
#[template(path = "person.html")]
pub struct PersonPage {
    layout: Layout,
    person: StaffDetail,
    grants: Vec<String>,
    classes: Vec<ClassSummary>,
    is_me: bool,
}

/// GET /people/{id}
pub async fn person(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let id = PersonId::new(id);
    let person = state.store.staff(id).await?.ok_or(WebError::NotFound)?;
    require(
        &user.actor,
        Action::ViewStaff,
        &Resource::Staff {
            person: id,
            placements: &person.placements,
        },
    )?;
    let mut grants = Vec::new();
    for g in &person.grants {
        let place = match g.scope.raw_id() {
            0 => String::new(),
            raw => match g.scope {
                waypoint_domain::Scope::Class(c) => state
                    .store
                    .class(c)
                    .await?
                    .map_or_else(|| format!("class {raw}"), |c| c.summary.title),
                _ => state
                    .store
                    .org(waypoint_domain::OrgId::new(raw))
                    .await?
                    .map_or_else(|| format!("organisation {raw}"), |o| o.name),
            },
        };
        grants.push(grant_label(g, &place));
    }
    let mut classes = Vec::new();
    for c in state.store.classes_taught_by(id).await? {
        let detail = state.store.class(c.id).await?;
        let visible = detail.is_some_and(|d| {
            let teachers: Vec<PersonId> = d.teachers.iter().map(|t| t.id).collect();
            Policy::can(
                &user.actor,
                Action::ViewClass,
                &Resource::Class {
                    placement: d.placement,
                    teachers: &teachers,
                },
            )
        });
        if visible {
            classes.push(c);
        }
    }
    let title = format!("{} {}", person.row.given_name, person.row.family_name);
    Ok(render(&PersonPage {
        layout: Layout::for_user(&user, title.clone(), "/people").with_crumbs(vec![
            ("/people".to_owned(), "People".to_owned()),
            (String::new(), title),
        ]),
        is_me: id == user.actor.person,
        person,
        grants,
        classes,
    }))
}

/// Template helper: a roster role's label.
pub fn role_label(role: &str) -> &'static str {
    roster_role_label(role)
}
