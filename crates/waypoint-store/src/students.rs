//! Student information: assessment results, matched to the roster's
//! students and stored all or nothing.

use crate::StoreResult;
use async_trait::async_trait;
use waypoint_domain::PersonId;

/// One result to store, naming its student as the file did.
#[derive(Debug, Clone, PartialEq)]
pub struct NewResult {
    /// The file's line (for problems).
    pub line: u64,
    /// The student's sourcedId or identifier.
    pub student: String,
    /// The test.
    pub assessment: String,
    /// Its subject.
    pub subject: String,
    /// "Overall", or a standard or domain.
    pub domain: String,
    /// When (`yyyy-mm-dd`).
    pub taken_on: String,
    /// The score.
    pub score: f64,
    /// Its scale.
    pub scale: String,
    /// Performance level.
    pub level: String,
    /// National percentile.
    pub percentile: Option<u8>,
}

/// A file of results to store.
#[derive(Debug, Clone)]
pub struct NewResults {
    /// Where they came from.
    pub source: String,
    /// The results.
    pub results: Vec<NewResult>,
    /// Now (ms).
    pub now: i64,
}

/// What storing a file did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResultsSummary {
    /// Results new to the store.
    pub added: usize,
    /// Results whose score, scale, level or percentile changed.
    pub changed: usize,
    /// Results already there as they are.
    pub unchanged: usize,
    /// Distinct students.
    pub students: usize,
    /// Lines given up for a later line of the same student, test, subject,
    /// domain and day.
    pub superseded: usize,
}

/// A student the roster does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownStudent {
    /// The first line naming them.
    pub line: u64,
    /// How the file named them.
    pub student: String,
    /// How many lines name them.
    pub lines: usize,
}

/// Student-information storage.
#[async_trait]
pub trait StudentData: Send + Sync {
    /// Stores a file's results in one transaction: every student must be a
    /// student of the roster (by sourcedId, then identifier), or nothing is
    /// stored and the unknown ones are listed. A result already stored for
    /// the same student, test, subject, domain and day is updated, so
    /// storing the same file again changes nothing.
    async fn save_results(
        &self,
        new: &NewResults,
    ) -> StoreResult<Result<ResultsSummary, Vec<UnknownStudent>>>;
    /// How many results a student has (for tests and the admin page).
    async fn result_count(&self, student: Option<PersonId>) -> StoreResult<i64>;
}
