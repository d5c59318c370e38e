//! The home page: one panel per role the person holds, each showing their
//! scope — a teacher's classes, a principal's school, a coordinator's
//! district, a regional coordinator's member districts, an administrator's
//! installation.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebResult;
use crate::services::{Overview, overview};
use crate::view::{Layout, datetime, render};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use waypoint_domain::{OrgId, Role, Scope};
use waypoint_store::{
    ClassSummary, ImportRow, Org, OrgWithCounts, RosterTotals, StaffRow, StoreError,
};

/// A bar in a horizontal bar chart (widths precomputed, in percent).
#[derive(Debug, Clone)]
pub struct Bar {
    /// Label.
    pub label: String,
    /// Link.
    pub href: String,
    /// The value shown.
    pub value: String,
    /// Width in percent of the widest bar.
    pub width: u32,
}

/// A school, district or region panel with its children.
pub struct OrgPanel {
    /// The organisation.
    pub org: Org,
    /// Its size, when known.
    pub staff: i64,
    /// Students.
    pub students: i64,
    /// Classes.
    pub classes: i64,
    /// Children (schools of a district, districts of a region).
    pub children: Vec<OrgWithCounts>,
    /// Chart of students per child.
    pub bars: Vec<Bar>,
    /// Classes (a principal's school).
    pub class_list: Vec<ClassSummary>,
    /// Staff (a principal's school).
    pub staff_list: Vec<StaffRow>,
}

/// The home page.
#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    layout: Layout,
    first_name: String,
    my_classes: Option<Vec<ClassSummary>>,
    schools: Vec<OrgPanel>,
    coaching: Vec<OrgPanel>,
    districts: Vec<OrgPanel>,
    regions: Vec<OrgPanel>,
    admin: Option<(RosterTotals, Vec<(ImportRow, String)>)>,
    /// Check-ins not yet held on goals the person owns or reviews, with
    /// whether each is overdue.
    check_ins: Vec<(waypoint_store::DueCheckIn, bool)>,
    /// Unread notifications.
    notifications: Vec<waypoint_store::Notification>,
    /// The signed-in person (their own check-ins read without their name).
    layout_person: waypoint_domain::PersonId,
    /// A principal's schools' growth: id, name, staff, with an agreed goal,
    /// with a check-in overdue.
    school_growth: Vec<(OrgId, String, usize, usize, usize)>,
}

async fn panel(
    state: &AppState,
    id: OrgId,
    with_classes: bool,
) -> Result<Option<OrgPanel>, StoreError> {
    let store = &*state.store;
    let Some(org) = state.listings.org(store, id).await? else {
        return Ok(None);
    };
    let Overview {
        totals: (staff, students, classes),
        children,
        bars,
    } = overview(state, &org).await?;
    let staff_list = if with_classes {
        crate::services::staff_of_school(state, id).await?
    } else {
        Vec::new()
    };
    let class_list = if with_classes {
        (*state.listings.classes_of_school(store, id).await?).clone()
    } else {
        Vec::new()
    };
    Ok(Some(OrgPanel {
        org,
        staff,
        students,
        classes,
        children,
        bars,
        class_list,
        staff_list,
    }))
}

/// GET /home
pub async fn home(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    let store = &*state.store;
    let mut page = HomePage {
        layout: Layout::for_user(&user, "Home", "/home"),
        first_name: user.name.split(' ').next().unwrap_or("").to_owned(),
        my_classes: None,
        schools: Vec::new(),
        coaching: Vec::new(),
        districts: Vec::new(),
        regions: Vec::new(),
        admin: None,
        check_ins: Vec::new(),
        notifications: Vec::new(),
        layout_person: user.actor.person,
        school_growth: Vec::new(),
    };
    let today = crate::pages::growth::today().to_string();
    page.check_ins = store
        .due_check_ins(user.actor.person)
        .await?
        .into_iter()
        .map(|d| {
            let late = d.due_on < today;
            (d, late)
        })
        .collect();
    page.notifications = store
        .notifications(user.actor.person, 5)
        .await?
        .into_iter()
        .filter(|n| n.read_at.is_none())
        .collect();
    if user.holds(Role::Educator) {
        page.my_classes = Some(
            (*state
                .listings
                .classes_taught_by(store, user.actor.person)
                .await?)
                .clone(),
        );
    }
    for g in user.grants() {
        match (g.role, g.scope) {
            (Role::Principal, Scope::School(id)) => {
                let (staff, agreed, overdue) =
                    crate::pages::growth::school_counts(&state, id, user.actor.person).await?;
                if let Some(p) = panel(&state, id, true).await? {
                    page.school_growth
                        .push((id, p.org.name.clone(), staff, agreed, overdue));
                    page.schools.push(p);
                }
            }
            (Role::Coach, Scope::School(id) | Scope::District(id)) => {
                page.coaching.extend(panel(&state, id, false).await?);
            }
            (Role::DistrictCoordinator, Scope::District(id)) => {
                page.districts.extend(panel(&state, id, false).await?)
            }
            (Role::RegionalCoordinator, Scope::Region(id)) => {
                page.regions.extend(panel(&state, id, false).await?)
            }
            _ => {}
        }
    }
    if user.holds(Role::Administrator) {
        let imports = store.imports(5).await?.into_iter().map(|i| {
            let started = datetime(i.started_at);
            (i, started)
        });
        page.admin = Some((store.roster_totals().await?, imports.collect()));
    }
    Ok(render(&page))
}
