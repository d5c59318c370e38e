//! Storage behind one trait. Backends (`waypoint-store-sqlite`,
//! `waypoint-store-postgres`) implement [`Store`]; the web layer and the
//! binary only ever hold an `Arc<dyn Store>`. [`contract`] is the test suite
//! both backends must pass.

pub mod contract;
pub mod frameworks;
mod frameworks_macros;
pub mod goals;
mod goals_macros;
pub mod groups;
mod groups_macros;
pub mod growth;
mod growth_macros;
mod macros;
pub mod model;
pub mod pdday;
mod pdday_macros;
#[doc(hidden)]
pub mod portable;
pub mod proposals;
mod proposals_macros;
pub mod setup;
mod setup_macros;
pub mod students;
mod students_macros;

pub use async_trait::async_trait;
pub use frameworks::*;
pub use goals::*;
pub use groups::*;
pub use growth::*;
pub use model::*;
pub use pdday::*;
pub use proposals::*;
pub use setup::*;
/// Re-exported so backend crates expand [`portable_store!`] against the same sqlx.
pub use sqlx;
pub use students::*;

use waypoint_domain::demo::DemoGrant;
use waypoint_domain::roster::RosterBatch;
use waypoint_domain::{ClassId, Grant, OrgId, PersonId, StaffVisibility};

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness or state constraint the caller can act on, named.
    #[error("{0}")]
    Conflict(String),
    /// A roster batch referenced rows that neither it nor the store holds.
    #[error("the roster refers to records that do not exist ({} problems)", .0.len())]
    Rejected(Vec<RosterProblem>),
    /// A stored value that the domain cannot read.
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
    /// The database said no.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Shorthand.
pub type StoreResult<T> = Result<T, StoreError>;

/// Which backend a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// Everything Waypoint persists. Methods are grouped by the feature they
/// serve; every multi-row change is one transaction.
#[async_trait]
pub trait Store:
    PdDays
    + Proposals
    + Groups
    + EventSetup
    + Frameworks
    + Goals
    + Growth
    + StudentData
    + Send
    + Sync
    + 'static
{
    /// Which backend this is.
    fn backend(&self) -> Backend;
    /// Applies pending migrations; safe to call from several processes at once.
    async fn migrate(&self) -> StoreResult<()>;
    /// Checks that the database answers.
    async fn ping(&self) -> StoreResult<()>;

    // --- roster -----------------------------------------------------------

    /// Persists a roster batch in one transaction: upserts by sourcedId,
    /// applies `tobedeleted`, derives roster grants. Changes nothing and
    /// returns [`StoreError::Rejected`] if a reference cannot be resolved.
    async fn apply_roster(&self, batch: &RosterBatch) -> StoreResult<ImportCounts>;
    /// Adds the demo's extra grants (resolved by sourcedId) in one transaction.
    async fn apply_demo_grants(&self, grants: &[DemoGrant]) -> StoreResult<()>;
    /// A number that changes whenever a roster import commits, so roster-
    /// derived listings can be cached until it moves.
    async fn roster_version(&self) -> StoreResult<i64>;
    /// The active staff placed at one organisation, by family name.
    async fn staff_of_org(&self, org: OrgId) -> StoreResult<Vec<StaffRow>>;
    /// Counts of what the store holds, for the admin page and tests.
    async fn roster_totals(&self) -> StoreResult<RosterTotals>;
    /// A digest of every roster row, to prove a re-import changed nothing.
    async fn roster_fingerprint(&self) -> StoreResult<String>;

    // --- organisations, classes, people -------------------------------------

    /// One organisation.
    async fn org(&self, id: OrgId) -> StoreResult<Option<Org>>;
    /// All active organisations, widest first.
    async fn orgs(&self) -> StoreResult<Vec<Org>>;
    /// The schools (or districts) directly below an organisation, with counts.
    async fn child_orgs(&self, id: OrgId) -> StoreResult<Vec<OrgWithCounts>>;
    /// One class with its teachers.
    async fn class(&self, id: ClassId) -> StoreResult<Option<ClassDetail>>;
    /// The students of a class, writing `audit` in the same transaction
    /// (fails closed: no audit row, no data).
    async fn class_students(&self, id: ClassId, audit: &AuditEntry) -> StoreResult<Vec<Student>>;
    /// The classes of a school.
    async fn classes_of_school(&self, school: OrgId) -> StoreResult<Vec<ClassSummary>>;
    /// The classes a person teaches.
    async fn classes_taught_by(&self, person: PersonId) -> StoreResult<Vec<ClassSummary>>;
    /// One staff member (students are never returned here).
    async fn staff(&self, id: PersonId) -> StoreResult<Option<StaffDetail>>;
    /// Staff the viewer may see whose name, username or e-mail matches `query`.
    async fn search_staff(
        &self,
        visibility: &StaffVisibility,
        viewer: PersonId,
        query: &str,
        page: PageRequest,
    ) -> StoreResult<Page<StaffRow>>;
    /// Resolves a person by sourcedId.
    async fn person_by_sourced_id(&self, sourced_id: &str) -> StoreResult<Option<PersonId>>;
    /// Resolves an organisation by sourcedId.
    async fn org_by_sourced_id(&self, sourced_id: &str) -> StoreResult<Option<OrgId>>;
    /// Creates a staff member who is not in any roster (e.g. an installation
    /// administrator). Fails with [`StoreError::Conflict`] on a taken username.
    async fn create_local_person(&self, new: &NewPerson) -> StoreResult<PersonId>;

    // --- accounts ----------------------------------------------------------

    /// Sign-in facts for a username (case-insensitive).
    async fn account_by_username(&self, username: &str) -> StoreResult<Option<Account>>;
    /// Sign-in facts for a person.
    async fn account(&self, person: PersonId) -> StoreResult<Option<Account>>;
    /// Counts a failed sign-in atomically and returns the new count of
    /// consecutive failures.
    async fn record_failed_sign_in(&self, person: PersonId) -> StoreResult<i64>;
    /// Locks an account until `until` (ms), never shortening a longer lock.
    async fn lock_account(&self, person: PersonId, until: i64) -> StoreResult<()>;
    /// Clears the failure counter after a good sign-in.
    async fn record_sign_in(&self, person: PersonId, now: i64) -> StoreResult<()>;
    /// Sets a person's password hash (PHC string).
    async fn set_password_hash(&self, person: PersonId, hash: &str, now: i64) -> StoreResult<()>;
    /// Who a signed-in person is, in one round trip: their display name,
    /// username and grants; `None` unless they are active, enabled staff.
    async fn signed_in(&self, person: PersonId) -> StoreResult<Option<SignedIn>>;
    /// The grants a person holds.
    async fn grants_of(&self, person: PersonId) -> StoreResult<Vec<Grant>>;
    /// Adds a grant (idempotent).
    async fn add_grant(&self, person: PersonId, grant: Grant) -> StoreResult<()>;
    /// Removes a grant; returns whether it existed.
    async fn remove_grant(&self, person: PersonId, grant: Grant) -> StoreResult<bool>;
    /// Accounts for the administrator's list: people who hold a grant or a password.
    async fn accounts(&self, query: &str, page: PageRequest) -> StoreResult<Page<AccountRow>>;

    // --- sessions and tokens ---------------------------------------------------

    /// Stores a new server-side session.
    async fn create_session(&self, session: &SessionRecord) -> StoreResult<()>;
    /// Looks up a session by the hash of its id.
    async fn session(&self, id_hash: &str) -> StoreResult<Option<SessionRecord>>;
    /// Moves a session's last-seen time forward.
    async fn touch_session(&self, id_hash: &str, now: i64) -> StoreResult<()>;
    /// Ends a session.
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()>;
    /// Ends every session of a person (after a password change).
    async fn delete_sessions_of(&self, person: PersonId) -> StoreResult<()>;
    /// Deletes sessions idle or older than the limits; returns how many.
    async fn purge_sessions(&self, idle_before: i64, created_before: i64) -> StoreResult<u64>;
    /// Stores a new API token (by hash).
    async fn create_api_token(
        &self,
        person: PersonId,
        name: &str,
        hash: &str,
        now: i64,
    ) -> StoreResult<i64>;
    /// A person's API tokens (never their secrets).
    async fn api_tokens(&self, person: PersonId) -> StoreResult<Vec<ApiToken>>;
    /// Revokes one of a person's tokens; returns whether it was theirs and live.
    async fn revoke_api_token(&self, person: PersonId, id: i64, now: i64) -> StoreResult<bool>;
    /// The owner of a live token, recording its use.
    async fn api_token_owner(&self, hash: &str, now: i64) -> StoreResult<Option<PersonId>>;
    /// Stores a single-use password-reset token (by hash).
    async fn create_reset_token(
        &self,
        person: PersonId,
        hash: &str,
        expires_at: i64,
    ) -> StoreResult<()>;
    /// The person a live reset token is for, without using it.
    async fn reset_token_person(&self, hash: &str, now: i64) -> StoreResult<Option<PersonId>>;
    /// Uses a reset token and sets the new password hash atomically; `None`
    /// if the token is unknown, used or expired.
    async fn consume_reset_token(
        &self,
        hash: &str,
        password_hash: &str,
        now: i64,
    ) -> StoreResult<Option<PersonId>>;

    // --- imports, uploads, jobs ---------------------------------------------------

    /// Starts an import-history entry.
    async fn create_import(&self, new: &NewImport) -> StoreResult<i64>;
    /// Records an import's progress message.
    async fn import_progress(&self, id: i64, progress: &str) -> StoreResult<()>;
    /// Closes an import-history entry.
    async fn finish_import(&self, id: i64, outcome: &ImportOutcome) -> StoreResult<()>;
    /// Import history, newest first.
    async fn imports(&self, limit: i64) -> StoreResult<Vec<ImportRow>>;
    /// One import.
    async fn import(&self, id: i64) -> StoreResult<Option<ImportRow>>;
    /// Keeps uploaded bytes so any server can process them.
    async fn put_upload(&self, name: &str, bytes: &[u8], now: i64) -> StoreResult<i64>;
    /// Reads an upload (kept until its import has finished, so a worker that
    /// dies mid-import leaves it for the next one).
    async fn upload(&self, id: i64) -> StoreResult<Option<(String, Vec<u8>)>>;
    /// Deletes an upload.
    async fn delete_upload(&self, id: i64) -> StoreResult<()>;
    /// Stores an upload, its queued import entry and the job that will run
    /// it, in one transaction; `payload(import_id, upload_id)` builds the
    /// job's payload. Returns the import id.
    async fn enqueue_upload_import(
        &self,
        import: &NewImport,
        bytes: &[u8],
        job_kind: &str,
        payload: &(dyn Fn(i64, i64) -> String + Sync),
    ) -> StoreResult<i64>;
    /// Queues a background job.
    async fn enqueue_job(&self, kind: &str, payload: &str, now: i64) -> StoreResult<i64>;
    /// Claims the oldest runnable job for `worker`; a job whose lease ran out
    /// (its worker died) is runnable again. Never hands one job to two workers.
    async fn claim_job(&self, worker: &str, now: i64, lease_ms: i64) -> StoreResult<Option<Job>>;
    /// Marks a claimed job done or failed.
    async fn finish_job(
        &self,
        id: i64,
        worker: &str,
        error: Option<&str>,
        now: i64,
    ) -> StoreResult<()>;
    /// One job.
    async fn job(&self, id: i64) -> StoreResult<Option<Job>>;

    // --- audit ---------------------------------------------------------------

    /// The audit log, newest first.
    async fn audit_log(&self, limit: i64) -> StoreResult<Vec<AuditRow>>;
}
