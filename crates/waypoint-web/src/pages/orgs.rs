//! Organisation pages (region, district, school) and class pages. What a
//! page lists depends on the policy: a regional coordinator sees sizes only,
//! a principal their school's classes and staff, a class's teachers and
//! principal its roster — and every roster view is audited.

use super::home::Bar;
use super::require;
use crate::auth::{CurrentUser, RequestId};
use crate::error::{WebError, WebResult};
use crate::services::{Overview, crumbs, overview};
use crate::view::{Layout, render};
use crate::{AppState, now_ms};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use waypoint_domain::{Action, ClassId, OrgId, OrgKind, PersonId, Policy, Resource, Role};
use waypoint_store::{
    AuditEntry, ClassDetail, ClassSummary, Org, OrgWithCounts, StaffRow, Student,
};

/// An organisation's page.
#[derive(Template)]
#[template(path = "org.html")]
pub struct OrgPage {
    layout: Layout,
    org: Org,
    kind_label: &'static str,
    children: Vec<OrgWithCounts>,
    child_label: &'static str,
    bars: Vec<Bar>,
    classes: Option<Vec<ClassSummary>>,
    staff: Option<Vec<StaffRow>>,
    staff_total: i64,
    totals: (i64, i64, i64),
}

/// GET /orgs/{id}
pub async fn org(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let store = &*state.store;
    let org = store.org(OrgId::new(id)).await?.ok_or(WebError::NotFound)?;
    require(&user.actor, Action::ViewOrg, &Resource::Org(org.placement))?;
    let Overview {
        totals,
        children,
        bars,
    } = overview(&state, &org).await?;
    let is_school = org.kind == OrgKind::School;
    let classes = if is_school
        && Policy::can(
            &user.actor,
            Action::ListClasses,
            &Resource::Org(org.placement),
        ) {
        Some((*state.listings.classes_of_school(store, org.id).await?).clone())
    } else {
        None
    };
    let (staff, staff_total) = if is_school
        && Policy::can(
            &user.actor,
            Action::ListStaff,
            &Resource::Org(org.placement),
        ) {
        let staff = crate::services::staff_of_school(&state, org.id).await?;
        let total = i64::try_from(staff.len()).unwrap_or(0);
        (Some(staff), total)
    } else {
        (None, 0)
    };
    let mut trail = crumbs(store, &org.placement).await?;
    if let Some(last) = trail.last_mut() {
        last.0 = String::new();
    }
    Ok(render(&OrgPage {
        layout: Layout::for_user(&user, org.name.clone(), &format!("/orgs/{}", org.id))
            .with_crumbs(trail),
        kind_label: org.kind.label(),
        child_label: match org.kind {
            OrgKind::Region => "Member districts",
            _ => "Schools",
        },
        org,
        children,
        bars,
        classes,
        staff,
        staff_total,
        totals,
    }))
}

/// A class's page.
#[derive(Template)]
#[template(path = "class.html")]
pub struct ClassPage {
    layout: Layout,
    class: ClassDetail,
    roster: Option<Vec<Student>>,
}

/// GET /classes/{id}
pub async fn class(
    State(state): State<AppState>,
    user: CurrentUser,
    request_id: RequestId,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let store = &*state.store;
    let class = store
        .class(ClassId::new(id))
        .await?
        .ok_or(WebError::NotFound)?;
    let teachers: Vec<PersonId> = class.teachers.iter().map(|t| t.id).collect();
    let resource = Resource::Class {
        placement: class.placement,
        teachers: &teachers,
    };
    require(&user.actor, Action::ViewClass, &resource)?;
    let roster = if Policy::can(&user.actor, Action::ViewClassRoster, &resource) {
        let entry = audit_entry(&user, &class, &teachers, "/classes/{id}", &request_id.0);
        Some(store.class_students(class.summary.id, &entry).await?)
    } else {
        None
    };
    let mut trail = crumbs(store, &class.placement).await?;
    trail.push((String::new(), class.summary.title.clone()));
    Ok(render(&ClassPage {
        layout: Layout::for_user(&user, class.summary.title.clone(), "").with_crumbs(trail),
        class,
        roster,
    }))
}

/// The audit row for a roster view: which role justified it, at which scope.
pub fn audit_entry(
    user: &CurrentUser,
    class: &ClassDetail,
    teachers: &[PersonId],
    route: &str,
    request_id: &str,
) -> AuditEntry {
    // The grant that the policy accepted for ViewClassRoster, in the same
    // order the policy tries them.
    let class_scope = waypoint_domain::Scope::Class(class.summary.id);
    let justifying = user.grants().iter().find(|g| {
        (g.role == Role::Administrator && g.scope == waypoint_domain::Scope::Installation)
            || (g.role == Role::Principal && g.scope.covers(&class.placement))
            || (g.role == Role::Educator && g.scope == class_scope)
    });
    let (role, scope) = if teachers.contains(&user.actor.person) {
        ("educator".to_owned(), format!("class:{}", class.summary.id))
    } else {
        justifying.map_or_else(
            || ("unknown".to_owned(), String::new()),
            |g| {
                (
                    g.role.as_str().to_owned(),
                    format!("{}:{}", g.scope.kind(), g.scope.raw_id()),
                )
            },
        )
    };
    AuditEntry {
        actor: user.actor.person,
        role,
        scope,
        subject: format!("class:{} roster", class.summary.id),
        route: route.to_owned(),
        request_id: request_id.to_owned(),
        at: now_ms(),
    }
}
