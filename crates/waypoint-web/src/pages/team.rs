//! A professional learning community's shared view of its members'
//! students: what the team's students need, class by class and student by
//! student, so the team plans together for the students it shares.
//!
//! Only the members who joined read it, and every read writes an audit row
//! naming every student, in the same transaction as the read. Counts over
//! the team, and over a colleague's class, are suppressed like every count
//! outside a teacher's own classes; the viewer's own classes show exactly.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::groups::load_group;
use super::require;
use super::students::{
    BandRow, InSubject, OVERALL, StudentLine, band_index, in_subject, latest, single_row,
    student_lines, term_label,
};
use crate::AppState;
use crate::auth::{CurrentUser, RequestId};
use crate::error::{WebError, WebResult};
use crate::view::{Layout, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use waypoint_domain::group::{GroupKind, MemberStatus};
use waypoint_domain::results::Band;
use waypoint_domain::{Action, ClassId, GroupId, PersonId, Resource};
use waypoint_store::{AuditEntry, Group};

/// A student's name, and where their profile opens for the viewer.
pub type Named = (String, Option<String>);

/// One of the team's classes.
#[derive(Debug, Clone)]
pub struct TeamClass {
    /// Title.
    pub title: String,
    /// Its members teaching it.
    pub teachers: String,
    /// Whether the viewer teaches it (its counts exact, its students open).
    pub own: bool,
    /// Its students in the latest window, whole test.
    pub row: BandRow,
}

/// A student of the team's, with their class.
#[derive(Debug, Clone)]
pub struct TeamStudent {
    /// The student's line (name, grade, latest, band, change).
    pub line: StudentLine,
    /// Their classes in the team, by title.
    pub classes: String,
    /// Where their profile opens, for the viewer's own students.
    pub href: Option<String>,
}

/// The team's students.
#[derive(Template)]
#[template(path = "team_students.html")]
pub struct TeamPage {
    layout: Layout,
    group: Group,
    subjects: Vec<(String, bool)>,
    subject: String,
    term: String,
    min_n: u32,
    whole: Option<BandRow>,
    domains: Vec<BandRow>,
    classes: Vec<TeamClass>,
    groups: Vec<(String, Vec<Named>)>,
    students: Vec<TeamStudent>,
}

/// GET /groups/{id}/students
pub async fn students(
    State(state): State<AppState>,
    user: CurrentUser,
    request_id: RequestId,
    Path(id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let store = &*state.store;
    let (group, members) = load_group(&state, &user, id).await?;
    if group.kind != GroupKind::Plc {
        return Err(WebError::NotFound);
    }
    let joined = members
        .iter()
        .any(|m| m.person == user.actor.person && m.status == MemberStatus::Joined);
    require(
        &user.actor,
        Action::ViewTeamStudents,
        &Resource::Team { joined },
    )?;
    let entry = AuditEntry {
        actor: user.actor.person,
        role: if joined {
            "plc member"
        } else {
            "administrator"
        }
        .to_owned(),
        scope: format!("group:{}", group.id),
        subject: format!("group:{} students", group.id),
        route: "/groups/{id}/students".to_owned(),
        request_id: request_id.0.clone(),
        at: crate::now_ms(),
    };
    let team = store.team_results(GroupId::new(id), &entry).await?;
    let names: HashMap<PersonId, &str> = members
        .iter()
        .map(|m| (m.person, m.name.as_str()))
        .collect();
    let InSubject {
        subjects,
        subject,
        results: of_subject,
        term,
    } = in_subject(
        team.data.results,
        team.classes.iter().map(|(_, title, _)| title.as_str()),
        &query,
    );
    let latest = latest(&of_subject);
    let min_n = state.config.min_cell;
    let own_classes: BTreeSet<ClassId> = team
        .classes
        .iter()
        .filter(|(_, _, teachers)| teachers.contains(&user.actor.person))
        .map(|(c, _, _)| *c)
        .collect();
    // Counts over the whole team are exact only when every class is the
    // viewer's own.
    let team_min = (own_classes.len() < team.classes.len()).then_some(min_n);

    // The team's students by domain in the latest window; each row its own
    // table, suppressed.
    let mut by_domain: BTreeMap<&str, [u32; 3]> = BTreeMap::new();
    let mut needing: BTreeMap<&str, Vec<PersonId>> = BTreeMap::new();
    let mut band_of: HashMap<PersonId, Band> = HashMap::new();
    for ((_, domain, t, student), r) in &latest {
        if *t != term {
            continue;
        }
        if let Some(b) = r.band {
            by_domain.entry(domain).or_default()[band_index(b)] += 1;
            if *domain == OVERALL {
                band_of.insert(*student, b);
            } else if b == Band::NeedsSupport {
                needing.entry(domain).or_default().push(*student);
            }
        }
    }
    let whole = by_domain
        .get(OVERALL)
        .map(|c| single_row("The team's students".to_owned(), *c, team_min));
    let mut domains: Vec<BandRow> = by_domain
        .iter()
        .filter(|(d, _)| **d != OVERALL)
        .map(|(d, c)| single_row((*d).to_owned(), *c, team_min))
        .collect();
    domains.sort_by(|a, b| a.on_track.cmp(&b.on_track).then(a.label.cmp(&b.label)));

    // Class by class: the viewer's own exactly, a colleague's suppressed.
    let mut in_class: HashMap<ClassId, Vec<PersonId>> = HashMap::new();
    let mut classes_of: HashMap<PersonId, Vec<ClassId>> = HashMap::new();
    for (class, student) in &team.enrolled {
        in_class.entry(*class).or_default().push(*student);
        classes_of.entry(*student).or_default().push(*class);
    }
    let titles: HashMap<ClassId, &str> = team
        .classes
        .iter()
        .map(|(c, t, _)| (*c, t.as_str()))
        .collect();
    let classes = team
        .classes
        .iter()
        .map(|(class, title, teachers)| {
            let mut counts = [0u32; 3];
            for s in in_class.get(class).into_iter().flatten() {
                if let Some(b) = band_of.get(s) {
                    counts[band_index(*b)] += 1;
                }
            }
            let own = own_classes.contains(class);
            TeamClass {
                title: title.clone(),
                teachers: teachers
                    .iter()
                    .filter_map(|t| names.get(t).copied())
                    .collect::<Vec<_>>()
                    .join(", "),
                own,
                row: single_row(title.clone(), counts, (!own).then_some(min_n)),
            }
        })
        .collect();

    // Each student: their classes, and a link to the profile where the
    // viewer teaches them.
    let href = |s: PersonId| {
        classes_of
            .get(&s)
            .and_then(|cs| cs.iter().find(|c| own_classes.contains(c)))
            .map(|c| format!("/students/classes/{c}/students/{s}"))
    };
    let class_names = |s: PersonId| {
        classes_of
            .get(&s)
            .map(|cs| {
                cs.iter()
                    .filter_map(|c| titles.get(c).copied())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    let display: HashMap<PersonId, String> = team
        .data
        .students
        .iter()
        .map(|s| (s.id, format!("{} {}", s.given_name, s.family_name)))
        .collect();
    let mut groups: Vec<(String, Vec<Named>)> = needing
        .into_iter()
        .map(|(d, ids)| {
            let mut list: Vec<(String, Option<String>)> = ids
                .into_iter()
                .filter_map(|s| display.get(&s).map(|n| (n.clone(), href(s))))
                .collect();
            list.sort();
            (d.to_owned(), list)
        })
        .filter(|g| !g.1.is_empty())
        .collect();
    groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    let students = student_lines(&team.data.students, &of_subject, &term)
        .into_iter()
        .map(|line| TeamStudent {
            classes: class_names(line.id),
            href: href(line.id),
            line,
        })
        .collect();

    Ok(render(&TeamPage {
        layout: Layout::for_user(&user, format!("{} · students", group.title), "/groups")
            .with_crumbs(vec![
                ("/groups".to_owned(), "Learning groups".to_owned()),
                (format!("/groups/{}", group.id), group.title.clone()),
                (String::new(), "Our students".to_owned()),
            ]),
        group,
        subjects,
        subject,
        term: term_label(&term),
        min_n: min_n.get(),
        whole,
        domains,
        classes,
        groups,
        students,
    }))
}
