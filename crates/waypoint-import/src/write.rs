//! Writing a [`RosterBatch`] as a OneRoster 1.1 CSV package, for benchmarks
//! (large generated rosters) and round-trip tests.
//!
//! What 1.1 cannot say, and what is written instead:
//!
//! * one role per user: a user with different roles at different orgs is
//!   written with their primary role at all their orgs (primary org first);
//! * roles 1.1 lacks (principal, counselor, district and system
//!   administrators) are written with their OneRoster 1.2 names, which this
//!   crate's reader accepts in 1.1 files too; site administrators are
//!   written as `administrator` and other staff as `proctor`;
//! * the batch's version is not kept: the package always says `1.1`.
//!
//! A [`BatchMode::Delta`] batch is written with its files declared `delta`.

use std::fs;
use std::io;
use std::path::Path;
use waypoint_domain::org::OrgKind;
use waypoint_domain::roster::{BatchMode, Meta, RosterBatch, RosterRole};

/// Output buffer per file; large enough that writing 500,000 enrollments is
/// bound by formatting, not system calls.
const BUFFER: usize = 1 << 16;

/// Writes `batch` into `dir` (created if needed) as a OneRoster 1.1 package:
/// `manifest.csv`, `orgs.csv`, `academicSessions.csv`, `courses.csv`,
/// `classes.csv`, `users.csv` and `enrollments.csv`.
///
/// Reading the folder back with [`crate::read_package`] gives the same batch
/// except for record origins (and the version, always `1.1`), provided the
/// batch is one 1.1 can express (see the module notes).
///
/// # Errors
///
/// Any I/O error creating or writing the files.
pub fn write_package(batch: &RosterBatch, dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let mode = match batch.mode {
        BatchMode::Bulk => "bulk",
        BatchMode::Delta => "delta",
    };

    let mut w = writer(dir, "manifest.csv")?;
    w.write_record(["propertyName", "value"])?;
    for (name, value) in [
        ("manifest.version", "1.0"),
        ("oneroster.version", "1.1"),
        ("source.systemName", "Waypoint"),
        ("source.systemCode", "waypoint"),
        ("file.academicSessions", mode),
        ("file.categories", "absent"),
        ("file.classes", mode),
        ("file.classResources", "absent"),
        ("file.courses", mode),
        ("file.courseResources", "absent"),
        ("file.demographics", "absent"),
        ("file.enrollments", mode),
        ("file.lineItems", "absent"),
        ("file.orgs", mode),
        ("file.resources", "absent"),
        ("file.results", "absent"),
        ("file.users", mode),
    ] {
        w.write_record([name, value])?;
    }
    w.flush()?;

    let mut w = writer(dir, "orgs.csv")?;
    w.write_record([
        "sourcedId",
        "status",
        "dateLastModified",
        "name",
        "type",
        "identifier",
        "parentSourcedId",
    ])?;
    for o in &batch.orgs {
        let (id, status, modified) = meta(&o.meta);
        let kind = match o.kind {
            OrgKind::Region => "state",
            OrgKind::District => "district",
            OrgKind::School => "school",
            OrgKind::Department => "department",
        };
        w.write_record([
            id,
            status,
            modified,
            &o.name,
            kind,
            opt(&o.identifier),
            opt(&o.parent),
        ])?;
    }
    w.flush()?;

    let mut w = writer(dir, "academicSessions.csv")?;
    w.write_record([
        "sourcedId",
        "status",
        "dateLastModified",
        "title",
        "type",
        "startDate",
        "endDate",
        "parentSourcedId",
        "schoolYear",
    ])?;
    for s in &batch.sessions {
        let (id, status, modified) = meta(&s.meta);
        w.write_record([
            id,
            status,
            modified,
            &s.title,
            &s.kind,
            &s.start_date,
            &s.end_date,
            opt(&s.parent),
            &s.school_year,
        ])?;
    }
    w.flush()?;

    let mut w = writer(dir, "courses.csv")?;
    w.write_record([
        "sourcedId",
        "status",
        "dateLastModified",
        "schoolYearSourcedId",
        "title",
        "courseCode",
        "grades",
        "orgSourcedId",
        "subjects",
        "subjectCodes",
    ])?;
    for c in &batch.courses {
        let (id, status, modified) = meta(&c.meta);
        w.write_record([
            id,
            status,
            modified,
            "",
            &c.title,
            opt(&c.code),
            &c.grades.join(","),
            &c.org,
            &c.subjects.join(","),
            "",
        ])?;
    }
    w.flush()?;

    let mut w = writer(dir, "classes.csv")?;
    w.write_record([
        "sourcedId",
        "status",
        "dateLastModified",
        "title",
        "grades",
        "courseSourcedId",
        "classCode",
        "classType",
        "location",
        "schoolSourcedId",
        "termSourcedIds",
        "subjects",
        "subjectCodes",
        "periods",
    ])?;
    for c in &batch.classes {
        let (id, status, modified) = meta(&c.meta);
        w.write_record([
            id,
            status,
            modified,
            &c.title,
            &c.grades.join(","),
            &c.course,
            opt(&c.code),
            &c.class_type,
            opt(&c.location),
            &c.school,
            &c.terms.join(","),
            &c.subjects.join(","),
            "",
            &c.periods.join(","),
        ])?;
    }
    w.flush()?;

    let mut w = writer(dir, "users.csv")?;
    w.write_record([
        "sourcedId",
        "status",
        "dateLastModified",
        "enabledUser",
        "orgSourcedIds",
        "role",
        "username",
        "userIds",
        "givenName",
        "familyName",
        "middleName",
        "identifier",
        "email",
        "sms",
        "phone",
        "agentSourcedIds",
        "grades",
        "password",
    ])?;
    let mut orgs: Vec<&str> = Vec::new();
    for u in &batch.users {
        let (id, status, modified) = meta(&u.meta);
        orgs.clear();
        let primary = u.roles.iter().filter(|r| r.primary);
        for r in primary.chain(u.roles.iter().filter(|r| !r.primary)) {
            if !orgs.contains(&r.org.as_str()) {
                orgs.push(&r.org);
            }
        }
        w.write_record([
            id,
            status,
            modified,
            if u.enabled { "true" } else { "false" },
            &orgs.join(","),
            role_v1_1(u.primary_role()),
            &u.username,
            "",
            &u.given_name,
            &u.family_name,
            opt(&u.middle_name),
            opt(&u.identifier),
            opt(&u.email),
            "",
            "",
            "",
            &u.grades.join(","),
            "",
        ])?;
    }
    w.flush()?;

    let mut w = writer(dir, "enrollments.csv")?;
    w.write_record([
        "sourcedId",
        "status",
        "dateLastModified",
        "classSourcedId",
        "schoolSourcedId",
        "userSourcedId",
        "role",
        "primary",
        "beginDate",
        "endDate",
    ])?;
    for e in &batch.enrollments {
        let (id, status, modified) = meta(&e.meta);
        w.write_record([
            id,
            status,
            modified,
            &e.class,
            &e.school,
            &e.user,
            role_v1_1(e.role),
            if e.primary { "true" } else { "false" },
            opt(&e.begin_date),
            opt(&e.end_date),
        ])?;
    }
    w.flush()?;
    Ok(())
}

fn writer(dir: &Path, name: &str) -> io::Result<csv::Writer<fs::File>> {
    let file = fs::File::create(dir.join(name))?;
    Ok(csv::WriterBuilder::new()
        .buffer_capacity(BUFFER)
        .from_writer(file))
}

fn meta(m: &Meta) -> (&str, &'static str, &str) {
    (&m.sourced_id, m.status.as_str(), opt(&m.date_last_modified))
}

fn opt(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

/// The role's name in a 1.1 file (see the module notes for 1.2 names).
fn role_v1_1(role: RosterRole) -> &'static str {
    match role {
        RosterRole::SiteAdministrator => "administrator",
        RosterRole::OtherStaff => "proctor",
        other => other.as_str(),
    }
}
