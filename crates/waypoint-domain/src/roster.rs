//! Normalized roster records: what a OneRoster package (or the demo
//! generator) says about organisations, terms, courses, classes, people and
//! enrollments, in a form every store can persist.
//!
//! Records keep the line they came from so a store can report a reference it
//! cannot resolve at its source. Sensitive columns (demographics, passwords,
//! phone numbers) have no field here, so they cannot be stored by accident.

use crate::org::OrgKind;
use serde::{Deserialize, Serialize};

/// Whether a package replaces the roster or changes part of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchMode {
    /// Every file is complete (OneRoster "bulk").
    Bulk,
    /// Only changed rows, with `tobedeleted` marking removals (OneRoster "delta").
    Delta,
}

/// A OneRoster record status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Present (or empty `status` in a bulk file).
    Active,
    /// To be removed.
    ToBeDeleted,
}

impl Status {
    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::ToBeDeleted => "tobedeleted",
        }
    }
}

/// Where a record came from, for located errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The file name inside the package, e.g. `enrollments.csv`.
    pub file: String,
    /// The 1-based line of the record.
    pub line: u64,
}

/// Common header of every record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// The record's sourcedId (unique per file).
    pub sourced_id: String,
    /// Active or to be deleted.
    pub status: Status,
    /// `dateLastModified`, as given (RFC 3339), when present.
    pub date_last_modified: Option<String>,
    /// Where it came from.
    pub origin: Origin,
}

/// An organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRecord {
    /// Header.
    pub meta: Meta,
    /// Display name.
    pub name: String,
    /// Kind in Waypoint's tree.
    pub kind: OrgKind,
    /// External identifier (e.g. a state school code).
    pub identifier: Option<String>,
    /// The parent organisation's sourcedId.
    pub parent: Option<String>,
}

/// An academic session (school year, semester, term, grading period).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// Header.
    pub meta: Meta,
    /// Title, e.g. "2026-2027" or "Fall".
    pub title: String,
    /// `schoolYear`, `semester`, `term` or `gradingPeriod`.
    pub kind: String,
    /// First day (`YYYY-MM-DD`).
    pub start_date: String,
    /// Last day (`YYYY-MM-DD`).
    pub end_date: String,
    /// Parent session's sourcedId.
    pub parent: Option<String>,
    /// The school year, e.g. `2027`.
    pub school_year: String,
}

/// A course (the catalogue entry a class is a section of).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseRecord {
    /// Header.
    pub meta: Meta,
    /// Title.
    pub title: String,
    /// Course code.
    pub code: Option<String>,
    /// The organisation offering it.
    pub org: String,
    /// Grades.
    pub grades: Vec<String>,
    /// Subjects.
    pub subjects: Vec<String>,
}

/// A class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassRecord {
    /// Header.
    pub meta: Meta,
    /// Title.
    pub title: String,
    /// Class code.
    pub code: Option<String>,
    /// `homeroom` or `scheduled`.
    pub class_type: String,
    /// Room or location.
    pub location: Option<String>,
    /// The course's sourcedId.
    pub course: String,
    /// The school's sourcedId.
    pub school: String,
    /// Term sourcedIds.
    pub terms: Vec<String>,
    /// Grades.
    pub grades: Vec<String>,
    /// Subjects.
    pub subjects: Vec<String>,
    /// Periods.
    pub periods: Vec<String>,
}

/// A role as the roster states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RosterRole {
    /// Teacher.
    Teacher,
    /// Student.
    Student,
    /// Aide.
    Aide,
    /// Counselor.
    Counselor,
    /// Principal.
    Principal,
    /// Site administrator.
    SiteAdministrator,
    /// District administrator.
    DistrictAdministrator,
    /// System administrator.
    SystemAdministrator,
    /// Any other staff role (administrator in 1.1, proctor, …).
    OtherStaff,
    /// Guardian, parent or relative: never imported as a person.
    Guardian,
}

impl RosterRole {
    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Teacher => "teacher",
            Self::Student => "student",
            Self::Aide => "aide",
            Self::Counselor => "counselor",
            Self::Principal => "principal",
            Self::SiteAdministrator => "siteAdministrator",
            Self::DistrictAdministrator => "districtAdministrator",
            Self::SystemAdministrator => "systemAdministrator",
            Self::OtherStaff => "staff",
            Self::Guardian => "guardian",
        }
    }

    /// Parses a stored name.
    pub fn from_stored(s: &str) -> Option<Self> {
        [
            Self::Teacher,
            Self::Student,
            Self::Aide,
            Self::Counselor,
            Self::Principal,
            Self::SiteAdministrator,
            Self::DistrictAdministrator,
            Self::SystemAdministrator,
            Self::OtherStaff,
            Self::Guardian,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }

    /// Whether people with this role are staff (not students, not family).
    pub const fn is_staff(self) -> bool {
        !matches!(self, Self::Student | Self::Guardian)
    }
}

/// One role a user holds at one organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRole {
    /// The organisation's sourcedId.
    pub org: String,
    /// The role there.
    pub role: RosterRole,
    /// Whether this is the user's primary role.
    pub primary: bool,
}

/// A user (staff member or student).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRecord {
    /// Header.
    pub meta: Meta,
    /// Whether the account is enabled.
    pub enabled: bool,
    /// Username (often the district e-mail).
    pub username: String,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Middle name.
    pub middle_name: Option<String>,
    /// District identifier (e.g. student number).
    pub identifier: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Grades (students).
    pub grades: Vec<String>,
    /// Roles at organisations; never empty.
    pub roles: Vec<OrgRole>,
}

impl UserRecord {
    /// The primary role (the first if none is marked primary).
    pub fn primary_role(&self) -> RosterRole {
        self.roles
            .iter()
            .find(|r| r.primary)
            .or_else(|| self.roles.first())
            .map_or(RosterRole::OtherStaff, |r| r.role)
    }
}

/// A person's enrollment in a class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentRecord {
    /// Header.
    pub meta: Meta,
    /// The class's sourcedId.
    pub class: String,
    /// The school's sourcedId.
    pub school: String,
    /// The user's sourcedId.
    pub user: String,
    /// Role in the class (teacher, student, aide, …).
    pub role: RosterRole,
    /// Primary teacher of the class.
    pub primary: bool,
    /// First day (`YYYY-MM-DD`).
    pub begin_date: Option<String>,
    /// Last day (`YYYY-MM-DD`).
    pub end_date: Option<String>,
}

/// Everything one package says, ready to persist in one transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterBatch {
    /// Bulk or delta.
    pub mode: BatchMode,
    /// OneRoster version the package declared (`1.1`, `1.2`), or `generated`.
    pub version: String,
    /// Organisations, parents before children is not required.
    pub orgs: Vec<OrgRecord>,
    /// Academic sessions.
    pub sessions: Vec<SessionRecord>,
    /// Courses.
    pub courses: Vec<CourseRecord>,
    /// Classes.
    pub classes: Vec<ClassRecord>,
    /// Users. Guardians are dropped by importers.
    pub users: Vec<UserRecord>,
    /// Enrollments.
    pub enrollments: Vec<EnrollmentRecord>,
}

impl RosterBatch {
    /// An empty batch.
    pub fn new(mode: BatchMode, version: impl Into<String>) -> Self {
        Self {
            mode,
            version: version.into(),
            orgs: Vec::new(),
            sessions: Vec::new(),
            courses: Vec::new(),
            classes: Vec::new(),
            users: Vec::new(),
            enrollments: Vec::new(),
        }
    }

    /// Total number of records.
    pub fn len(&self) -> usize {
        self.orgs.len()
            + self.sessions.len()
            + self.courses.len()
            + self.classes.len()
            + self.users.len()
            + self.enrollments.len()
    }

    /// Whether the batch holds no records.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
