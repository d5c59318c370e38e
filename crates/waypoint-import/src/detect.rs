//! Naming what a package without `manifest.csv` is, so the refusal tells the
//! district what to export instead of a list of missing columns.
//!
//! Two near misses are common: OneRoster 1.0 (which had no manifest) and
//! Microsoft School Data Sync v2 / v2.1 exports, which use OneRoster file
//! names and `sourcedId` columns but different columns otherwise.

use crate::error::{ErrorKind, ImportError, Problem};
use crate::source::Files;
use crate::table::header_names;

/// The error for a package that has no `manifest.csv`.
pub(crate) fn without_manifest(files: &mut dyn Files) -> ImportError {
    let mut header = |name: &str| {
        let actual = files.find(name)?;
        files.read(&actual).ok().map(|b| header_names(&b))
    };
    let users = header("users.csv");
    let classes = header("classes.csv");
    let courses = header("courses.csv");
    let orgs = header("orgs.csv");
    let enrollments = header("enrollments.csv");
    let roles = header("roles.csv");
    let sds21_only = ["relationships.csv", "userflags.csv", "roles.csv"]
        .iter()
        .any(|n| files.find(n).is_some());
    let any_csv = files
        .names()
        .iter()
        .any(|n| n.to_ascii_lowercase().ends_with(".csv"));

    let has =
        |h: &Option<Vec<String>>, col: &str| h.as_ref().is_some_and(|h| h.iter().any(|c| c == col));
    let lacks = |h: &Option<Vec<String>>, col: &str| {
        h.as_ref().is_some_and(|h| !h.iter().any(|c| c == col))
    };

    let mut v10 = Vec::new();
    for (h, file, col) in [
        (&users, "users.csv", "userId"),
        (&users, "users.csv", "agents"),
        (&classes, "classes.csv", "termSourcedId"),
        (&courses, "courses.csv", "schoolYearId"),
    ] {
        if has(h, col) {
            v10.push(format!("{file} has a \"{col}\" column"));
        }
    }
    if !v10.is_empty() {
        return ImportError::single(
            ErrorKind::Unsupported,
            Problem::new(
                "package",
                format!(
                    "this looks like OneRoster 1.0 (no manifest.csv; {}), which Waypoint does not \
                     read: export OneRoster 1.1 or 1.2 CSV from the student information system \
                     instead",
                    v10.join("; ")
                ),
            ),
        );
    }

    let mut sds = Vec::new();
    if has(&roles, "isPrimary") {
        sds.push("roles are in roles.csv with an \"isPrimary\" column".to_owned());
    }
    if lacks(&users, "status") && lacks(&users, "dateLastModified") {
        sds.push("users.csv has no status/dateLastModified columns".to_owned());
    }
    if lacks(&orgs, "status") && lacks(&orgs, "dateLastModified") && sds.is_empty() {
        sds.push("orgs.csv has no status/dateLastModified columns".to_owned());
    }
    if lacks(&enrollments, "sourcedId") {
        sds.push("enrollments.csv has no sourcedId column".to_owned());
    }
    if !sds.is_empty() {
        let flavour = if sds21_only || files.find("academicSessions.csv").is_some() {
            "SDS v2.1"
        } else {
            "SDS v2"
        };
        return ImportError::single(
            ErrorKind::NotOneRoster,
            Problem::new(
                "package",
                format!(
                    "this looks like a Microsoft School Data Sync ({flavour}) CSV export, not \
                     OneRoster (no manifest.csv; {}). SDS files reuse OneRoster file names but \
                     not its columns. Export OneRoster 1.1 or 1.2 CSV from the student \
                     information system instead (the OneRoster export, not the SDS one)",
                    sds.join("; ")
                ),
            ),
        );
    }

    let message = if any_csv {
        "manifest.csv is missing: a OneRoster 1.1/1.2 CSV package has a manifest.csv declaring \
         oneroster.version and which files are bulk, delta or absent"
    } else {
        "no CSV files found: expected a OneRoster 1.1/1.2 CSV package (manifest.csv, orgs.csv, \
         users.csv, …) at the top level or in one folder"
    };
    ImportError::single(
        ErrorKind::NotOneRoster,
        Problem::new("manifest.csv", message),
    )
}
