//! SQL that reads the same on SQLite and PostgreSQL, written once.
//!
//! [`portable_store!`](crate::portable_store) expands the whole [`Store`](crate::Store)
//! implementation for a backend's concrete sqlx driver; both drivers accept
//! `$n` placeholders, `ON CONFLICT … DO UPDATE`, `RETURNING`, `IS DISTINCT
//! FROM` and `string_agg`. What differs — bulk upserts (multi-row `VALUES` on
//! SQLite, `UNNEST` arrays on PostgreSQL), claiming a job, migrations — each
//! backend supplies itself: a crate-level `bulk_upsert` function and the extra
//! trait methods passed to the macro.

use crate::{RosterProblem, StoreError};
use std::collections::HashMap;
use waypoint_domain::pdday::EventState;
use waypoint_domain::roster::{Meta, Origin, RosterBatch, RosterRole, Status};
use waypoint_domain::{
    EventId, Grant, OrgId, OrgKind, PersonId, Placement, Role, Scope, SectionId, SlotId,
};

/// The type of a bulk-upserted column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Text (nullable).
    Text,
    /// 64-bit integer (nullable).
    Int,
    /// Boolean.
    Bool,
}

/// A value in a bulk-upserted row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlValue {
    /// Text or NULL.
    Text(Option<String>),
    /// Integer or NULL.
    Int(Option<i64>),
    /// Boolean.
    Bool(bool),
}

/// Which table and columns a bulk upsert writes.
#[derive(Debug, Clone, Copy)]
pub struct UpsertSpec {
    /// Table name.
    pub table: &'static str,
    /// Columns in row order.
    pub columns: &'static [(&'static str, ColumnType)],
    /// The conflict column; `None` means "insert, ignoring duplicates".
    pub key: Option<&'static str>,
}

impl UpsertSpec {
    /// `ON CONFLICT …` clause: update changed rows only, so an identical
    /// re-import touches nothing.
    pub fn conflict_clause(&self) -> String {
        let Some(key) = self.key else {
            return " ON CONFLICT DO NOTHING".to_owned();
        };
        let others: Vec<&str> = self
            .columns
            .iter()
            .map(|(c, _)| *c)
            .filter(|c| *c != key)
            .collect();
        let set: Vec<String> = others
            .iter()
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        let differs: Vec<String> = others
            .iter()
            .map(|c| format!("{t}.{c} IS DISTINCT FROM excluded.{c}", t = self.table))
            .collect();
        format!(
            " ON CONFLICT ({key}) DO UPDATE SET {} WHERE {}",
            set.join(", "),
            differs.join(" OR ")
        )
    }

    /// Comma-separated column names.
    pub fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|(c, _)| *c)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

use ColumnType::{Bool, Int, Text};

/// Organisations (parents are linked afterwards).
pub const ORGS: UpsertSpec = UpsertSpec {
    table: "orgs",
    columns: &[
        ("sourced_id", Text),
        ("status", Text),
        ("date_last_modified", Text),
        ("name", Text),
        ("kind", Text),
        ("identifier", Text),
        ("parent_sourced_id", Text),
    ],
    key: Some("sourced_id"),
};
/// Academic sessions.
pub const SESSIONS: UpsertSpec = UpsertSpec {
    table: "academic_sessions",
    columns: &[
        ("sourced_id", Text),
        ("status", Text),
        ("date_last_modified", Text),
        ("title", Text),
        ("kind", Text),
        ("start_date", Text),
        ("end_date", Text),
        ("parent_sourced_id", Text),
        ("school_year", Text),
    ],
    key: Some("sourced_id"),
};
/// Courses.
pub const COURSES: UpsertSpec = UpsertSpec {
    table: "courses",
    columns: &[
        ("sourced_id", Text),
        ("status", Text),
        ("date_last_modified", Text),
        ("title", Text),
        ("code", Text),
        ("org_id", Int),
        ("grades", Text),
        ("subjects", Text),
    ],
    key: Some("sourced_id"),
};
/// Classes.
pub const CLASSES: UpsertSpec = UpsertSpec {
    table: "classes",
    columns: &[
        ("sourced_id", Text),
        ("status", Text),
        ("date_last_modified", Text),
        ("title", Text),
        ("code", Text),
        ("class_type", Text),
        ("location", Text),
        ("course_id", Int),
        ("school_id", Int),
        ("terms", Text),
        ("grades", Text),
        ("subjects", Text),
        ("periods", Text),
    ],
    key: Some("sourced_id"),
};
/// People.
pub const PEOPLE: UpsertSpec = UpsertSpec {
    table: "people",
    columns: &[
        ("sourced_id", Text),
        ("status", Text),
        ("date_last_modified", Text),
        ("enabled", Bool),
        ("username", Text),
        ("given_name", Text),
        ("family_name", Text),
        ("middle_name", Text),
        ("identifier", Text),
        ("email", Text),
        ("grades", Text),
        ("roster_role", Text),
        ("is_staff", Bool),
    ],
    key: Some("sourced_id"),
};
/// People's organisations.
pub const PERSON_ORGS: UpsertSpec = UpsertSpec {
    table: "person_orgs",
    columns: &[
        ("person_id", Int),
        ("org_id", Int),
        ("role", Text),
        ("is_primary", Bool),
    ],
    key: None,
};
/// Enrollments.
pub const ENROLLMENTS: UpsertSpec = UpsertSpec {
    table: "enrollments",
    columns: &[
        ("sourced_id", Text),
        ("status", Text),
        ("date_last_modified", Text),
        ("class_id", Int),
        ("person_id", Int),
        ("role", Text),
        ("is_primary", Bool),
        ("begin_date", Text),
        ("end_date", Text),
    ],
    key: Some("sourced_id"),
};
/// Roster-derived grants.
pub const GRANTS: UpsertSpec = UpsertSpec {
    table: "grants",
    columns: &[
        ("person_id", Int),
        ("role", Text),
        ("scope_kind", Text),
        ("scope_id", Int),
        ("source", Text),
    ],
    key: None,
};

fn text(s: &str) -> SqlValue {
    SqlValue::Text(Some(s.to_owned()))
}
fn opt(s: Option<&String>) -> SqlValue {
    SqlValue::Text(s.cloned())
}
fn list(v: &[String]) -> SqlValue {
    SqlValue::Text(Some(v.join(",")))
}
fn head(m: &Meta) -> [SqlValue; 3] {
    [
        text(&m.sourced_id),
        text(Status::Active.as_str()),
        opt(m.date_last_modified.as_ref()),
    ]
}

/// Accumulates references that do not resolve.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<RosterProblem>);

impl Problems {
    /// Records that `field` at `origin` names a missing `what`.
    pub fn missing(&mut self, origin: &Origin, field: &str, what: &str, id: &str) {
        if self.0.len() < 100 {
            self.0.push(RosterProblem {
                file: origin.file.clone(),
                line: origin.line,
                field: field.to_owned(),
                message: format!("no {what} with sourcedId \"{id}\" in the package or the store"),
            });
        }
    }

    /// `Err(Rejected)` if anything was recorded.
    pub fn into_result(self) -> Result<(), StoreError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Rejected(self.0))
        }
    }
}

fn active<'a, T>(
    items: &'a [T],
    meta: impl Fn(&T) -> &Meta + 'a,
) -> impl Iterator<Item = &'a T> + 'a {
    items
        .iter()
        .filter(move |x| meta(x).status == Status::Active)
}

/// sourcedIds of records marked `tobedeleted`.
pub fn deleted_ids<T>(items: &[T], meta: impl Fn(&T) -> &Meta) -> Vec<String> {
    items
        .iter()
        .filter(|x| meta(x).status == Status::ToBeDeleted)
        .map(|x| meta(x).sourced_id.clone())
        .collect()
}

/// Rows for [`ORGS`].
pub fn org_rows(batch: &RosterBatch) -> Vec<Vec<SqlValue>> {
    active(&batch.orgs, |o| &o.meta)
        .map(|o| {
            let mut r = head(&o.meta).to_vec();
            r.extend([
                text(&o.name),
                text(o.kind.as_str()),
                opt(o.identifier.as_ref()),
                opt(o.parent.as_ref()),
            ]);
            r
        })
        .collect()
}

/// Rows for [`SESSIONS`].
pub fn session_rows(batch: &RosterBatch) -> Vec<Vec<SqlValue>> {
    active(&batch.sessions, |s| &s.meta)
        .map(|s| {
            let mut r = head(&s.meta).to_vec();
            r.extend([
                text(&s.title),
                text(&s.kind),
                text(&s.start_date),
                text(&s.end_date),
                opt(s.parent.as_ref()),
                text(&s.school_year),
            ]);
            r
        })
        .collect()
}

/// Rows for [`COURSES`], resolving organisations.
pub fn course_rows(
    batch: &RosterBatch,
    orgs: &HashMap<String, i64>,
    problems: &mut Problems,
) -> Vec<Vec<SqlValue>> {
    let mut rows = Vec::new();
    for c in active(&batch.courses, |c| &c.meta) {
        let Some(&org) = orgs.get(&c.org) else {
            problems.missing(&c.meta.origin, "orgSourcedId", "organisation", &c.org);
            continue;
        };
        let mut r = head(&c.meta).to_vec();
        r.extend([
            text(&c.title),
            opt(c.code.as_ref()),
            SqlValue::Int(Some(org)),
            list(&c.grades),
            list(&c.subjects),
        ]);
        rows.push(r);
    }
    rows
}

/// Rows for [`CLASSES`], resolving courses and schools.
pub fn class_rows(
    batch: &RosterBatch,
    orgs: &HashMap<String, i64>,
    courses: &HashMap<String, i64>,
    problems: &mut Problems,
) -> Vec<Vec<SqlValue>> {
    let mut rows = Vec::new();
    for c in active(&batch.classes, |c| &c.meta) {
        let course = courses.get(&c.course);
        let school = orgs.get(&c.school);
        if course.is_none() {
            problems.missing(&c.meta.origin, "courseSourcedId", "course", &c.course);
        }
        if school.is_none() {
            problems.missing(&c.meta.origin, "schoolSourcedId", "school", &c.school);
        }
        let (Some(&course), Some(&school)) = (course, school) else {
            continue;
        };
        let mut r = head(&c.meta).to_vec();
        r.extend([
            text(&c.title),
            opt(c.code.as_ref()),
            text(&c.class_type),
            opt(c.location.as_ref()),
            SqlValue::Int(Some(course)),
            SqlValue::Int(Some(school)),
            list(&c.terms),
            list(&c.grades),
            list(&c.subjects),
            list(&c.periods),
        ]);
        rows.push(r);
    }
    rows
}

/// Rows for [`PEOPLE`]. Guardians are never stored.
pub fn people_rows(batch: &RosterBatch) -> Vec<Vec<SqlValue>> {
    active(&batch.users, |u| &u.meta)
        .filter(|u| u.primary_role() != RosterRole::Guardian)
        .map(|u| {
            let role = u.primary_role();
            let mut r = head(&u.meta).to_vec();
            r.extend([
                SqlValue::Bool(u.enabled),
                text(&u.username),
                text(&u.given_name),
                text(&u.family_name),
                opt(u.middle_name.as_ref()),
                opt(u.identifier.as_ref()),
                opt(u.email.as_ref()),
                list(&u.grades),
                text(role.as_str()),
                SqlValue::Bool(role.is_staff()),
            ]);
            r
        })
        .collect()
}

/// Rows for [`PERSON_ORGS`] and the roster-derived [`GRANTS`]; also the ids of
/// the people whose memberships are replaced.
pub fn membership_rows(
    batch: &RosterBatch,
    people: &HashMap<String, i64>,
    orgs: &HashMap<String, i64>,
    kinds: &HashMap<i64, OrgKind>,
    problems: &mut Problems,
) -> (Vec<i64>, Vec<Vec<SqlValue>>, Vec<Vec<SqlValue>>) {
    let mut ids = Vec::new();
    let mut memberships = Vec::new();
    let mut grants = Vec::new();
    for u in active(&batch.users, |u| &u.meta) {
        if u.primary_role() == RosterRole::Guardian {
            continue;
        }
        let Some(&person) = people.get(&u.meta.sourced_id) else {
            continue;
        };
        ids.push(person);
        for role in &u.roles {
            let Some(&org) = orgs.get(&role.org) else {
                problems.missing(&u.meta.origin, "orgSourcedIds", "organisation", &role.org);
                continue;
            };
            memberships.push(vec![
                SqlValue::Int(Some(person)),
                SqlValue::Int(Some(org)),
                text(role.role.as_str()),
                SqlValue::Bool(role.primary),
            ]);
            if let Some(grant) = derived_grant(role.role, org, kinds.get(&org).copied()) {
                grants.push(vec![
                    SqlValue::Int(Some(person)),
                    text(grant.role.as_str()),
                    text(grant.scope.kind()),
                    SqlValue::Int(Some(grant.scope.raw_id())),
                    text("roster"),
                ]);
            }
        }
    }
    (ids, memberships, grants)
}

/// The grant a roster role at an organisation implies: staff at a school are
/// its educators, principals and site administrators its principals. Other
/// grants (coaches, coordinators) are given by people, not rosters.
pub fn derived_grant(role: RosterRole, org: i64, kind: Option<OrgKind>) -> Option<Grant> {
    if kind != Some(OrgKind::School) {
        return None;
    }
    let school = Scope::School(OrgId::new(org));
    let role = match role {
        RosterRole::Teacher | RosterRole::Aide | RosterRole::Counselor | RosterRole::OtherStaff => {
            Role::Educator
        }
        RosterRole::Principal | RosterRole::SiteAdministrator => Role::Principal,
        _ => return None,
    };
    Grant::new(role, school).ok()
}

/// Rows for [`ENROLLMENTS`], resolving classes and people.
pub fn enrollment_rows(
    batch: &RosterBatch,
    classes: &HashMap<String, i64>,
    people: &HashMap<String, i64>,
    problems: &mut Problems,
) -> Vec<Vec<SqlValue>> {
    let mut rows = Vec::with_capacity(batch.enrollments.len());
    for e in active(&batch.enrollments, |e| &e.meta) {
        let class = classes.get(&e.class);
        let person = people.get(&e.user);
        if class.is_none() {
            problems.missing(&e.meta.origin, "classSourcedId", "class", &e.class);
        }
        if person.is_none() {
            problems.missing(&e.meta.origin, "userSourcedId", "user", &e.user);
        }
        let (Some(&class), Some(&person)) = (class, person) else {
            continue;
        };
        let mut r = head(&e.meta).to_vec();
        r.extend([
            SqlValue::Int(Some(class)),
            SqlValue::Int(Some(person)),
            text(e.role.as_str()),
            SqlValue::Bool(e.primary),
            opt(e.begin_date.as_ref()),
            opt(e.end_date.as_ref()),
        ]);
        rows.push(r);
    }
    rows
}

/// A stored organisation as the tree walk needs it.
#[derive(Debug, Clone)]
pub struct OrgNode {
    /// Id.
    pub id: i64,
    /// Kind.
    pub kind: OrgKind,
    /// Parent's sourcedId.
    pub parent_sourced_id: Option<String>,
}

/// Each organisation's parent id and placement, walking parents by sourcedId.
/// Cycles are cut rather than followed.
pub fn placements(nodes: &HashMap<String, OrgNode>) -> HashMap<i64, (Option<i64>, Placement)> {
    let mut out = HashMap::with_capacity(nodes.len());
    for node in nodes.values() {
        let parent = node
            .parent_sourced_id
            .as_ref()
            .and_then(|p| nodes.get(p))
            .map(|p| p.id);
        let mut placement = Placement::default();
        let mut cursor = Some(node);
        let mut steps = 0;
        while let Some(n) = cursor {
            let id = Some(OrgId::new(n.id));
            match n.kind {
                OrgKind::Region => placement.region = placement.region.or(id),
                OrgKind::District => placement.district = placement.district.or(id),
                OrgKind::School => placement.school = placement.school.or(id),
                OrgKind::Department => {}
            }
            steps += 1;
            if steps > 16 {
                break;
            }
            cursor = n.parent_sourced_id.as_ref().and_then(|p| nodes.get(p));
        }
        out.insert(node.id, (parent, placement));
    }
    out
}

/// `$start, $start+1, …` — `n` numbered placeholders.
pub fn placeholders(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Maps a unique-constraint failure to a named conflict.
pub fn conflict_or(e: sqlx::Error, what: &str) -> StoreError {
    if let sqlx::Error::Database(db) = &e
        && db.is_unique_violation()
    {
        return StoreError::Conflict(what.to_owned());
    }
    StoreError::Database(e)
}

/// Parses a stored org kind.
pub fn kind(s: &str) -> Result<OrgKind, StoreError> {
    s.parse()
        .map_err(|e: waypoint_domain::org::UnknownOrgKind| StoreError::Corrupt(e.to_string()))
}

/// Parses a stored grant.
pub fn grant(role: &str, scope_kind: &str, scope_id: i64) -> Result<Grant, StoreError> {
    let role: Role = role
        .parse()
        .map_err(|e: waypoint_domain::role::GrantParseError| StoreError::Corrupt(e.to_string()))?;
    let scope =
        Scope::from_parts(scope_kind, scope_id).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(Grant { role, scope })
}

/// Builds a placement from stored columns.
pub fn placement(region: Option<i64>, district: Option<i64>, school: Option<i64>) -> Placement {
    Placement {
        region: region.map(OrgId::new),
        district: district.map(OrgId::new),
        school: school.map(OrgId::new),
        class: None,
    }
}

/// Columns of an organisation row, in [`ORG_COLUMNS`] order.
pub type OrgTuple = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);
/// The select list matching [`OrgTuple`] for table alias `o`.
pub const ORG_COLUMNS: &str = "o.id, o.sourced_id, o.name, o.kind, o.identifier, o.parent_id, o.region_id, o.district_id, o.school_id";

/// Builds an [`Org`](crate::Org) from its row.
pub fn org_from(t: OrgTuple) -> Result<crate::Org, StoreError> {
    Ok(crate::Org {
        id: OrgId::new(t.0),
        sourced_id: t.1,
        name: t.2,
        kind: kind(&t.3)?,
        identifier: t.4,
        parent: t.5.map(OrgId::new),
        placement: placement(t.6, t.7, t.8),
    })
}

/// Columns of a class listing row, in [`CLASS_COLUMNS`] order.
pub type ClassTuple = (
    i64,
    String,
    Option<String>,
    String,
    String,
    i64,
    String,
    String,
    i64,
);
/// The select list matching [`ClassTuple`] for class alias `c` joined to its school `o`.
pub const CLASS_COLUMNS: &str = "c.id, c.title, c.code, c.grades, c.subjects, c.school_id, o.name, \
     COALESCE((SELECT string_agg(p.given_name || ' ' || p.family_name, ', ' ORDER BY p.family_name, p.given_name) \
       FROM enrollments e JOIN people p ON p.id = e.person_id \
       WHERE e.class_id = c.id AND e.role = 'teacher' AND e.status = 'active' AND p.status = 'active'), ''), \
     (SELECT COUNT(DISTINCT e.person_id) FROM enrollments e JOIN people p ON p.id = e.person_id \
       WHERE e.class_id = c.id AND e.role = 'student' AND e.status = 'active' AND p.status = 'active')";

/// Builds a [`ClassSummary`](crate::ClassSummary) from its row.
pub fn class_from(t: ClassTuple) -> crate::ClassSummary {
    crate::ClassSummary {
        id: waypoint_domain::ClassId::new(t.0),
        title: t.1,
        code: t.2,
        grades: t.3,
        subjects: t.4,
        school: OrgId::new(t.5),
        school_name: t.6,
        teachers: t.7,
        students: t.8,
    }
}

/// Columns of a staff listing row, in [`STAFF_COLUMNS`] order.
pub type StaffTuple = (i64, String, String, String, Option<String>, String, String);
/// The select list matching [`StaffTuple`] for people alias `p`.
pub const STAFF_COLUMNS: &str = "p.id, p.given_name, p.family_name, p.username, p.email, p.roster_role, \
     COALESCE((SELECT string_agg(o.name, ', ' ORDER BY o.name) FROM person_orgs po JOIN orgs o ON o.id = po.org_id \
       WHERE po.person_id = p.id AND o.status = 'active'), '')";

/// Builds a [`StaffRow`](crate::StaffRow) from its row.
pub fn staff_from(t: StaffTuple) -> crate::StaffRow {
    crate::StaffRow {
        id: PersonId::new(t.0),
        given_name: t.1,
        family_name: t.2,
        username: t.3,
        email: t.4,
        roster_role: t.5,
        orgs: t.6,
    }
}

/// A `LIKE` pattern matching `query` anywhere, case-folded, with wildcards escaped.
pub fn contains_pattern(query: &str) -> String {
    let mut out = String::from("%");
    for ch in query.trim().to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

/// The directory's scope filter for people alias `p`, with placeholders from
/// `$first`; returns the clause and the ids to bind after the viewer id.
pub fn visibility_clause(v: &waypoint_domain::StaffVisibility, first: usize) -> (String, Vec<i64>) {
    match v {
        waypoint_domain::StaffVisibility::All => ("TRUE".to_owned(), Vec::new()),
        waypoint_domain::StaffVisibility::Within { districts, schools } => {
            let mut ids: Vec<i64> = districts.iter().map(|d| d.get()).collect();
            let d = if districts.is_empty() {
                "FALSE".to_owned()
            } else {
                format!(
                    "o.district_id IN ({})",
                    placeholders(first + 1, districts.len())
                )
            };
            let s = if schools.is_empty() {
                "FALSE".to_owned()
            } else {
                format!(
                    "o.school_id IN ({})",
                    placeholders(first + 1 + districts.len(), schools.len())
                )
            };
            ids.extend(schools.iter().map(|s| s.get()));
            (
                format!(
                    "(p.id = ${first} OR p.id IN (SELECT po.person_id FROM person_orgs po JOIN orgs o ON o.id = po.org_id \
                     WHERE {d} OR {s}))"
                ),
                ids,
            )
        }
    }
}

/// Recomputes `org_sizes` for every organisation: `;`-separated statements,
/// run in the roster import's transaction.
pub const ORG_SIZES_REFRESH: &str = include_str!("org_sizes.sql");

/// Columns of a job row: id, kind, payload, status, attempts, locked_by, error.
pub type JobTuple = (
    i64,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
);

/// Builds a [`Job`](crate::Job) from its row.
pub fn job_from(t: JobTuple) -> crate::Job {
    crate::Job {
        id: t.0,
        kind: t.1,
        payload: t.2,
        status: t.3,
        attempts: t.4,
        locked_by: t.5,
        error: t.6,
    }
}

/// The columns of an [`Event`](crate::Event), with its organisation's name.
pub const EVENT_SELECT: &str = "SELECT e.id, e.org_id, o.name, e.title, e.day, e.timezone, e.venue, e.state, e.ranks, \
     e.opens_at, e.closes_at, e.sequence, e.published_at, e.created_at, e.updated_at \
     FROM pd_events e JOIN orgs o ON o.id = e.org_id";

/// A row of [`EVENT_SELECT`].
pub type EventTuple = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    i64,
    Option<i64>,
    i64,
    i64,
);

/// Reads a row of [`EVENT_SELECT`].
pub fn event_from(r: EventTuple) -> Result<crate::Event, StoreError> {
    let state = EventState::parse(&r.7)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown event state {:?}", r.7)))?;
    Ok(crate::Event {
        id: EventId::new(r.0),
        org: OrgId::new(r.1),
        org_name: r.2,
        title: r.3,
        day: r.4,
        timezone: r.5,
        venue: r.6,
        state,
        ranks: r.8,
        opens_at: r.9,
        closes_at: r.10,
        sequence: r.11,
        published_at: r.12,
        created_at: r.13,
        updated_at: r.14,
    })
}

/// The columns of a [`Run`](crate::Run).
pub const RUN_SELECT: &str = "SELECT id, event_id, job_id, status, progress, report, error, requested_by, \
     created_at, finished_at FROM pd_runs";

/// A row of [`RUN_SELECT`].
pub type RunTuple = (
    i64,
    i64,
    Option<i64>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    i64,
    Option<i64>,
);

/// Reads a row of [`RUN_SELECT`].
pub fn run_from(r: RunTuple) -> Result<crate::Run, StoreError> {
    let status = crate::RunStatus::parse(&r.3)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown run status {:?}", r.3)))?;
    Ok(crate::Run {
        id: r.0,
        event: EventId::new(r.1),
        job: r.2,
        status,
        progress: r.4,
        report: r.5,
        error: r.6,
        requested_by: r.7.map(PersonId::new),
        created_at: r.8,
        finished_at: r.9,
    })
}

/// The columns of a [`Seat`](crate::Seat) (`a` is `pd_assignments`, `t` its slot).
pub const SEAT_SELECT: &str = "SELECT a.person_id, a.slot_id, a.section_id, a.rank, a.facilitating, a.source \
     FROM pd_assignments a JOIN pd_slots t ON t.id = a.slot_id";

/// A row of [`SEAT_SELECT`].
pub type SeatTuple = (i64, i64, i64, Option<i64>, bool, String);

/// Reads a row of [`SEAT_SELECT`].
pub fn seat_from(r: SeatTuple) -> Result<crate::Seat, StoreError> {
    let source = crate::SeatSource::parse(&r.5)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown seat source {:?}", r.5)))?;
    Ok(crate::Seat {
        person: PersonId::new(r.0),
        slot: SlotId::new(r.1),
        section: SectionId::new(r.2),
        rank: r.3,
        facilitating: r.4,
        source,
    })
}

/// A framework row as [`portable_frameworks!`](crate::portable_frameworks) selects it.
pub type FrameworkTuple = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    String,
    Option<i64>,
);

/// A framework summary from its row.
pub fn framework_from(
    (
        id,
        identifier,
        title,
        creator,
        description,
        adoption_status,
        case_version,
        source,
        items,
        associations,
        imported_at,
        uri,
        last_change,
    ): FrameworkTuple,
) -> crate::FrameworkSummary {
    crate::FrameworkSummary {
        uri,
        last_change,
        id,
        identifier,
        title,
        creator,
        description,
        adoption_status,
        case_version,
        source,
        items,
        associations,
        imported_at,
    }
}

/// A goal row as [`portable_goals!`](crate::portable_goals) selects it.
pub type GoalTuple = (
    i64,
    i64,
    String,
    i64,
    String,
    String,
    String,
    String,
    Option<i64>,
    i64,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// A goal from its row.
pub fn goal_from(
    (
        id,
        org,
        org_name,
        year,
        statement,
        measure,
        target,
        groups,
        aligned_to,
        created_at,
        subject,
        grade,
        target_percent,
    ): GoalTuple,
) -> Result<crate::SystemGoal, StoreError> {
    let year =
        i32::try_from(year).map_err(|_| StoreError::Corrupt(format!("school year {year}")))?;
    Ok(crate::SystemGoal {
        id,
        org: OrgId::new(org),
        org_name,
        year: waypoint_domain::goals::SchoolYear::starting(year),
        text: waypoint_domain::goals::SystemGoalText {
            statement,
            measure,
            target,
            groups,
        },
        aligned_to,
        results: subject.map(|subject| waypoint_domain::goals::ResultsMeasure {
            subject,
            grade,
            target_percent: target_percent.and_then(|p| u8::try_from(p).ok()),
        }),
        created_at,
    })
}
