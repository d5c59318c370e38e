//! Records the store reads and writes. Times are Unix milliseconds (UTC).

use serde::{Deserialize, Serialize};
use waypoint_domain::{ClassId, Grant, OrgId, OrgKind, PersonId, Placement};

/// A slice of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// Rows to skip.
    pub offset: i64,
    /// Rows to return at most.
    pub limit: i64,
}

impl PageRequest {
    /// The first `limit` rows.
    pub const fn first(limit: i64) -> Self {
        Self { offset: 0, limit }
    }
}

/// One page of a listing and the total it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The rows.
    pub items: Vec<T>,
    /// How many rows match in all.
    pub total: i64,
}

/// An organisation and where it sits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Org {
    /// Id.
    pub id: OrgId,
    /// sourcedId.
    pub sourced_id: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: OrgKind,
    /// External identifier.
    pub identifier: Option<String>,
    /// Parent organisation.
    pub parent: Option<OrgId>,
    /// Its own placement (its level filled with itself).
    pub placement: Placement,
}

/// An organisation with the sizes shown on listings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgWithCounts {
    /// The organisation.
    pub org: Org,
    /// Active staff placed there or below.
    pub staff: i64,
    /// Active students placed there or below.
    pub students: i64,
    /// Active classes there or below.
    pub classes: i64,
}

/// A person as listed next to a class or in the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonName {
    /// Id.
    pub id: PersonId,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
}

impl PersonName {
    /// "Given Family".
    pub fn full(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }
}

/// A class as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassSummary {
    /// Id.
    pub id: ClassId,
    /// Title.
    pub title: String,
    /// Class code.
    pub code: Option<String>,
    /// Grades, comma-separated.
    pub grades: String,
    /// Subjects, comma-separated.
    pub subjects: String,
    /// The school.
    pub school: OrgId,
    /// The school's name.
    pub school_name: String,
    /// Teachers' names, comma-separated.
    pub teachers: String,
    /// Enrolled students.
    pub students: i64,
}

/// A class with what its page shows (but not its students).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassDetail {
    /// The listing fields.
    pub summary: ClassSummary,
    /// sourcedId.
    pub sourced_id: String,
    /// The course title.
    pub course: String,
    /// Room.
    pub location: Option<String>,
    /// Periods, comma-separated.
    pub periods: String,
    /// Terms' titles, comma-separated.
    pub terms: String,
    /// Where the class sits.
    pub placement: Placement,
    /// Teachers.
    pub teachers: Vec<PersonName>,
}

/// A student as shown on a class roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Student {
    /// Id.
    pub id: PersonId,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// District identifier.
    pub identifier: Option<String>,
    /// Grades, comma-separated.
    pub grades: String,
}

/// A staff member as listed in the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffRow {
    /// Id.
    pub id: PersonId,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Username.
    pub username: String,
    /// E-mail.
    pub email: Option<String>,
    /// Primary roster role.
    pub roster_role: String,
    /// Organisations' names, comma-separated.
    pub orgs: String,
}

/// A staff member's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffDetail {
    /// The listing fields.
    pub row: StaffRow,
    /// sourcedId, or `None` for a local account.
    pub sourced_id: Option<String>,
    /// Each organisation the person is placed in, with its role there.
    pub memberships: Vec<(Org, String)>,
    /// Placements for the policy.
    pub placements: Vec<Placement>,
    /// Grants held.
    pub grants: Vec<Grant>,
}

/// A new person created outside any roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPerson {
    /// Username (unique, case-insensitive).
    pub username: String,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// E-mail.
    pub email: Option<String>,
}

/// What each request needs to know about the signed-in person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    /// Display name.
    pub display_name: String,
    /// Username.
    pub username: String,
    /// Grants held.
    pub grants: Vec<Grant>,
}

/// Sign-in facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The person.
    pub person: PersonId,
    /// Username.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Argon2id PHC string; `None` until a password is set.
    pub password_hash: Option<String>,
    /// Consecutive failed sign-ins.
    pub failed_sign_ins: i64,
    /// Locked until (ms), after too many failures.
    pub locked_until: Option<i64>,
    /// Whether the roster has the person enabled and active.
    pub enabled: bool,
    /// Whether the person is staff (students never sign in).
    pub is_staff: bool,
}

/// An account as the administrator lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountRow {
    /// The person.
    pub person: PersonId,
    /// Username.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Whether a password is set.
    pub has_password: bool,
    /// Last sign-in (ms).
    pub last_sign_in: Option<i64>,
    /// Grants held.
    pub grants: Vec<Grant>,
}

/// A server-side session. Only the hash of the session id is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// SHA-256 of the session id, hex.
    pub id_hash: String,
    /// Who is signed in.
    pub person: PersonId,
    /// The CSRF token bound to this session.
    pub csrf_token: String,
    /// Created (ms).
    pub created_at: i64,
    /// Last request (ms), updated at most once a minute.
    pub last_seen_at: i64,
}

/// An API token as listed (the secret is shown once, at creation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    /// Id.
    pub id: i64,
    /// The owner's label.
    pub name: String,
    /// Created (ms).
    pub created_at: i64,
    /// Last used (ms).
    pub last_used_at: Option<i64>,
    /// Revoked (ms).
    pub revoked_at: Option<i64>,
}

/// How many rows of one kind an import touched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityCounts {
    /// Rows in the package.
    pub received: u64,
    /// Active rows inserted or changed.
    pub changed: u64,
    /// Rows newly marked deleted.
    pub deleted: u64,
}

/// What an import did, per kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCounts {
    /// Organisations.
    pub orgs: EntityCounts,
    /// Academic sessions.
    pub sessions: EntityCounts,
    /// Courses.
    pub courses: EntityCounts,
    /// Classes.
    pub classes: EntityCounts,
    /// Users.
    pub users: EntityCounts,
    /// Enrollments.
    pub enrollments: EntityCounts,
}

impl ImportCounts {
    /// Rows inserted, changed or newly marked deleted, across all kinds.
    pub fn changed(&self) -> u64 {
        [
            self.orgs,
            self.sessions,
            self.courses,
            self.classes,
            self.users,
            self.enrollments,
        ]
        .iter()
        .map(|c| c.changed + c.deleted)
        .sum()
    }
}

/// Active rows per kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RosterTotals {
    /// Organisations.
    pub orgs: i64,
    /// Classes.
    pub classes: i64,
    /// Staff.
    pub staff: i64,
    /// Students.
    pub students: i64,
    /// Enrollments.
    pub enrollments: i64,
}

/// A reference a roster batch makes that cannot be resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterProblem {
    /// File inside the package.
    pub file: String,
    /// Line.
    pub line: u64,
    /// Field.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for RosterProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{} (field \"{}\"): {}",
            self.file, self.line, self.field, self.message
        )
    }
}

/// A new import-history entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewImport {
    /// What is imported, e.g. `oneroster`.
    pub kind: String,
    /// File or folder name.
    pub source: String,
    /// Who asked (`None` from the CLI).
    pub requested_by: Option<PersonId>,
    /// Started (ms).
    pub started_at: i64,
}

/// Import states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    /// Waiting for a worker.
    Queued,
    /// Being read or written.
    Running,
    /// Applied.
    Succeeded,
    /// Refused as a whole; nothing changed.
    Rejected,
    /// An internal failure; nothing changed.
    Failed,
}

impl ImportStatus {
    /// Stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Rejected => "rejected",
            Self::Failed => "failed",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => Self::Queued,
            "running" => Self::Running,
            "succeeded" => Self::Succeeded,
            "rejected" => Self::Rejected,
            "failed" => Self::Failed,
            _ => return None,
        })
    }
}

/// How an import ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOutcome {
    /// Final state.
    pub status: ImportStatus,
    /// Counts, when applied.
    pub counts: Option<ImportCounts>,
    /// Problems, when refused (already located and formatted).
    pub problems: Vec<String>,
    /// What an import that counts no roster records did, in words (kept as
    /// the entry's last progress message).
    pub summary: Option<String>,
    /// Finished (ms).
    pub finished_at: i64,
}

/// An import-history entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportRow {
    /// Id.
    pub id: i64,
    /// What was imported.
    pub kind: String,
    /// File or folder name.
    pub source: String,
    /// State.
    pub status: ImportStatus,
    /// Who asked.
    pub requested_by: Option<String>,
    /// Started (ms).
    pub started_at: i64,
    /// Finished (ms).
    pub finished_at: Option<i64>,
    /// Latest progress message; once finished, the summary, if any.
    pub progress: Option<String>,
    /// Counts.
    pub counts: Option<ImportCounts>,
    /// Problems.
    pub problems: Vec<String>,
}

/// A background job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Job {
    /// Id.
    pub id: i64,
    /// Kind, e.g. `import.oneroster`.
    pub kind: String,
    /// JSON payload.
    pub payload: String,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    /// Times claimed.
    pub attempts: i64,
    /// The worker holding it.
    pub locked_by: Option<String>,
    /// Error text, if failed.
    pub error: Option<String>,
}

/// Who saw which students, written with the read that showed them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// The viewer.
    pub actor: PersonId,
    /// The role that justified the view.
    pub role: String,
    /// The scope it was held at, e.g. `school:12`.
    pub scope: String,
    /// What was viewed, e.g. `class:41 roster`.
    pub subject: String,
    /// The route.
    pub route: String,
    /// The request id.
    pub request_id: String,
    /// When (ms).
    pub at: i64,
}

/// An audit-log row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRow {
    /// Id.
    pub id: i64,
    /// When (ms).
    pub at: i64,
    /// Viewer.
    pub actor: PersonId,
    /// Viewer's name.
    pub actor_name: String,
    /// Role.
    pub role: String,
    /// Scope.
    pub scope: String,
    /// Subject.
    pub subject: String,
    /// Students shown (ids, comma-separated).
    pub students: String,
    /// Route.
    pub route: String,
    /// Request id.
    pub request_id: String,
}
