//! Student information: assessment results, matched to the roster's
//! students and stored all or nothing, read back student by student (every
//! read audited in its own transaction) or as counts by band.

use crate::{AuditEntry, StoreResult, Student};
use async_trait::async_trait;
use waypoint_domain::results::{Band, Targeted};
use waypoint_domain::{ClassId, GroupId, OrgId, PersonId};

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

/// What storing a file of results or answers did.
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

/// One stored result, as the class and student views read it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResult {
    /// The student.
    pub student: PersonId,
    /// The test.
    pub assessment: String,
    /// Its subject.
    pub subject: String,
    /// "Overall", or a standard or domain.
    pub domain: String,
    /// When (`yyyy-mm-dd`).
    pub taken_on: String,
    /// The testing window ([`waypoint_domain::results::Term::key`]).
    pub term: String,
    /// The score.
    pub score: f64,
    /// Its scale.
    pub scale: String,
    /// Performance level, as the file gave it.
    pub level: String,
    /// National percentile.
    pub percentile: Option<u8>,
    /// Where the result places the student, when the file says.
    pub band: Option<Band>,
}

/// A class's students, every result they have and what they said.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClassResults {
    /// The active students, by name.
    pub students: Vec<Student>,
    /// Their results, by student and date.
    pub results: Vec<StoredResult>,
    /// Their survey answers, by survey, day and question.
    pub answers: Vec<StoredAnswer>,
}

/// One survey answer to store, naming its student as the file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAnswer {
    /// The file's line (for problems).
    pub line: u64,
    /// The student's sourcedId or identifier.
    pub student: String,
    /// The survey.
    pub survey: String,
    /// When (`yyyy-mm-dd`).
    pub asked_on: String,
    /// The question.
    pub question: String,
    /// A point on the scale and the scale's top; `None` for written words.
    pub scale: Option<(u8, u8)>,
    /// Written words.
    pub text: Option<String>,
}

/// A file of survey answers to store.
#[derive(Debug, Clone)]
pub struct NewAnswers {
    /// Where they came from.
    pub source: String,
    /// The answers.
    pub answers: Vec<NewAnswer>,
    /// Now (ms).
    pub now: i64,
}

/// A stored survey answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    /// The student.
    pub student: PersonId,
    /// The survey.
    pub survey: String,
    /// When (`yyyy-mm-dd`).
    pub asked_on: String,
    /// The question.
    pub question: String,
    /// A point on the scale and the scale's top.
    pub scale: Option<(u8, u8)>,
    /// Written words.
    pub text: Option<String>,
}

/// How [`StudentData::band_counts`] groups an organisation's students.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountsBy {
    /// A school's or a district's students by grade.
    Grade,
    /// A school's students by class (a student counts in each class).
    Class,
    /// A district's students by school.
    School,
    /// A region's students by district.
    District,
}

/// How many students' latest result in a window falls in a band, for one
/// group, subject and domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BandCount {
    /// The group: a class, school or district id (0 for grades).
    pub group: i64,
    /// Its name, or the grade.
    pub label: String,
    /// Subject.
    pub subject: String,
    /// Domain ("Overall" for the whole test).
    pub domain: String,
    /// Testing window key.
    pub term: String,
    /// Band.
    pub band: Band,
    /// Students.
    pub students: i64,
}

/// How a school's staff are learning this year, beside its students'
/// counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchoolLearning {
    /// The school.
    pub school: OrgId,
    /// Active staff placed there.
    pub staff: i64,
    /// Of them, those with a goal agreed this school year (agreed, in
    /// progress or complete).
    pub with_goal: i64,
    /// Of them, those who attended a PD-day session since the year began.
    pub attended: i64,
}

/// How many of a school's students gave one answer on a survey's scale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyCount {
    /// The school and its name.
    pub school: (OrgId, String),
    /// Its district and the district's name.
    pub district: Option<(OrgId, String)>,
    /// The survey.
    pub survey: String,
    /// When (`yyyy-mm-dd`).
    pub asked_on: String,
    /// The question.
    pub question: String,
    /// The point and the scale's top.
    pub point: (u8, u8),
    /// Students.
    pub students: i64,
}

/// The students of one of its owner's classes a personal goal targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalGroup {
    /// The class.
    pub class: ClassId,
    /// Its title.
    pub class_title: String,
    /// The tested subject.
    pub subject: String,
    /// Which of the class's students.
    pub who: Targeted,
}

/// The students of a professional learning community's members: each
/// member's classes, which students are in which, and what they have.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TeamResults {
    /// The classes the joined members teach: id, title, and the members
    /// teaching it.
    pub classes: Vec<(ClassId, String, Vec<PersonId>)>,
    /// Which class each student is in (a student may be in several).
    pub enrolled: Vec<(ClassId, PersonId)>,
    /// The students, their results and what they said.
    pub data: ClassResults,
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
    /// Stores a file of survey answers like [`save_results`](Self::save_results):
    /// all or nothing, unknown students listed, the same file again a no-op.
    async fn save_answers(
        &self,
        new: &NewAnswers,
    ) -> StoreResult<Result<ResultsSummary, Vec<UnknownStudent>>>;
    /// How many results a student has (for tests and the admin page).
    async fn result_count(&self, student: Option<PersonId>) -> StoreResult<i64>;
    /// A class's students and their results, writing `audit` (naming every
    /// student read) in the same transaction: no audit row, no data.
    async fn class_results(&self, class: ClassId, audit: &AuditEntry) -> StoreResult<ClassResults>;
    /// One student of a class and their results, audited like
    /// [`class_results`](Self::class_results); `None` (and no audit row)
    /// when they are not an active student of the class.
    async fn student_results(
        &self,
        class: ClassId,
        student: PersonId,
        audit: &AuditEntry,
    ) -> StoreResult<Option<(Student, Vec<StoredResult>)>>;
    /// The audit log's rows whose viewer is on the staff of a district (at
    /// the district or one of its schools), newest first.
    async fn audit_log_of_district(
        &self,
        district: OrgId,
        limit: i64,
    ) -> StoreResult<Vec<crate::AuditRow>>;
    /// For each school of a district: its staff, how many have an agreed goal
    /// in the school year starting in `year`, and how many attended a PD day
    /// since that year began.
    async fn learning_by_school(
        &self,
        district: OrgId,
        year: i32,
    ) -> StoreResult<Vec<SchoolLearning>>;
    /// Students by band under an organisation, grouped `by`: counts only,
    /// never who.
    async fn band_counts(&self, org: OrgId, by: CountsBy) -> StoreResult<Vec<BandCount>>;
    /// What the students of an organisation (a school, or every school of
    /// a district or region) said on surveys' scales, per school: counts
    /// only, never who.
    async fn survey_counts(&self, org: OrgId) -> StoreResult<Vec<SurveyCount>>;
    /// The subjects and grades results are counted in, each sorted.
    async fn tested_subjects_and_grades(&self) -> StoreResult<(Vec<String>, Vec<String>)>;
    /// Sets (or, with `None`, clears) the students a personal goal targets.
    /// The class must be one its owner teaches (a conflict otherwise).
    async fn set_goal_group(
        &self,
        goal: i64,
        group: Option<(ClassId, &str, Targeted)>,
        now: i64,
    ) -> StoreResult<()>;
    /// The students a personal goal targets, if it names them.
    async fn goal_group(&self, goal: i64) -> StoreResult<Option<GoalGroup>>;
    /// How a goal's targeted students moved over the school year starting
    /// in `year` (see [`waypoint_domain::results::group_progress`]). Counts
    /// only.
    async fn goal_group_progress(
        &self,
        group: &GoalGroup,
        year: i32,
    ) -> StoreResult<waypoint_domain::results::GroupProgress>;
    /// The students of a learning group's joined members' classes and
    /// their results, writing `audit` (naming every student read) in the
    /// same transaction; empty (and no audit row) when it has none.
    async fn team_results(&self, group: GroupId, audit: &AuditEntry) -> StoreResult<TeamResults>;
}
