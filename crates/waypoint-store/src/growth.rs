//! Growth plans: personal goals and their versions and comments, evidence,
//! check-ins, competency ratings, and the notifications they send.

use crate::StoreResult;
use async_trait::async_trait;
use waypoint_domain::PersonId;
use waypoint_domain::goals::SchoolYear;
use waypoint_domain::growth::{EvidenceKind, GoalStatus, GoalText, RatingKind};

/// A goal to draft.
#[derive(Debug, Clone)]
pub struct NewPersonalGoal {
    /// The educator whose goal it is.
    pub owner: PersonId,
    /// For which school year.
    pub year: SchoolYear,
    /// The district or school goal it serves.
    pub system_goal: Option<i64>,
    /// Its words.
    pub text: GoalText,
    /// Focus competencies (framework item ids).
    pub competencies: Vec<i64>,
    /// Days between check-ins once agreed.
    pub cadence_days: i64,
    /// The goal of last year it carries on.
    pub carried_from: Option<i64>,
    /// Now (ms).
    pub now: i64,
}

/// A change to a goal's words by its owner.
#[derive(Debug, Clone)]
pub struct GoalEdit {
    /// The system goal it serves.
    pub system_goal: Option<i64>,
    /// Its words.
    pub text: GoalText,
    /// Focus competencies.
    pub competencies: Vec<i64>,
    /// Days between check-ins.
    pub cadence_days: i64,
}

/// A competency named on a goal or a piece of evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompetencyRef {
    /// The framework item.
    pub item: i64,
    /// Its human-readable code (may be empty).
    pub code: String,
    /// What it says.
    pub statement: String,
}

/// A stored personal goal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalGoal {
    /// Id.
    pub id: i64,
    /// The educator.
    pub owner: PersonId,
    /// Their name.
    pub owner_name: String,
    /// School year.
    pub year: SchoolYear,
    /// The system goal it serves, and what that says.
    pub system_goal: Option<(i64, String)>,
    /// The coach or principal co-constructing it, and their name.
    pub reviewer: Option<(PersonId, String)>,
    /// Where it is.
    pub status: GoalStatus,
    /// Its current words (the agreed version's, unless a change is in review).
    pub text: GoalText,
    /// Focus competencies.
    pub competencies: Vec<CompetencyRef>,
    /// Days between check-ins.
    pub cadence_days: i64,
    /// The closing reflection.
    pub reflection: String,
    /// The version last agreed.
    pub agreed_version: Option<i64>,
    /// The goal it carries on.
    pub carried_from: Option<i64>,
    /// The earliest check-in not yet held (`yyyy-mm-dd`).
    pub next_check_in: Option<String>,
    /// When evidence was last added (ms).
    pub last_evidence_at: Option<i64>,
    /// How much evidence it has.
    pub evidence_count: i64,
    /// Drafted (ms).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
}

/// Which goals to list.
#[derive(Debug, Clone)]
pub enum GoalFilter {
    /// One educator's, every year, newest first.
    Owner(PersonId),
    /// Those a coach or principal is named to review, open ones first.
    Reviewer(PersonId),
    /// The goals of these educators for a year.
    Owners(Vec<PersonId>, SchoolYear),
}

/// An agreed version of a goal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalVersion {
    /// 1, 2, …
    pub version: i64,
    /// Its words as agreed.
    pub text: GoalText,
    /// Who agreed it.
    pub agreed_by: String,
    /// When (ms).
    pub agreed_at: i64,
}

/// A comment on a goal, on one of its fields or on the whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalComment {
    /// Id.
    pub id: i64,
    /// The field it is on (`inquiry`, …), or empty for the whole goal.
    pub field: String,
    /// What it says.
    pub body: String,
    /// Who wrote it.
    pub author: PersonId,
    /// Their name.
    pub author_name: String,
    /// When (ms).
    pub created_at: i64,
}

/// A file carried by a piece of evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceFile {
    /// Its name as uploaded.
    pub name: String,
    /// The type it is served as (checked on upload).
    pub content_type: String,
    /// Its contents.
    pub bytes: Vec<u8>,
}

/// Evidence to add to a goal.
#[derive(Debug, Clone)]
pub struct NewEvidence {
    /// The goal.
    pub goal: i64,
    /// What it is.
    pub kind: EvidenceKind,
    /// A title.
    pub title: String,
    /// Notes or the reflection itself.
    pub body: String,
    /// A web address.
    pub link: Option<String>,
    /// A file.
    pub file: Option<EvidenceFile>,
    /// The competencies it shows.
    pub competencies: Vec<i64>,
    /// Who adds it.
    pub by: PersonId,
    /// Now (ms).
    pub now: i64,
}

/// A stored piece of evidence (without its file's contents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// Id.
    pub id: i64,
    /// The goal.
    pub goal: i64,
    /// What it is.
    pub kind: EvidenceKind,
    /// Title.
    pub title: String,
    /// Notes.
    pub body: String,
    /// A web address.
    pub link: Option<String>,
    /// The file's name, type and size.
    pub file: Option<(String, String, i64)>,
    /// The competencies it shows.
    pub competencies: Vec<CompetencyRef>,
    /// Who added it.
    pub added_by: PersonId,
    /// Their name.
    pub added_by_name: String,
    /// When (ms).
    pub created_at: i64,
}

/// A check-in, scheduled or held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckIn {
    /// Id.
    pub id: i64,
    /// The goal.
    pub goal: i64,
    /// When it is due (`yyyy-mm-dd`).
    pub due_on: String,
    /// When it was held.
    pub held_on: Option<String>,
    /// What was discussed.
    pub discussed: String,
    /// Progress toward point B (1-4).
    pub progress: Option<i64>,
    /// Next steps.
    pub next_steps: String,
    /// Who recorded it.
    pub recorded_by: Option<String>,
}

/// What a held check-in records.
#[derive(Debug, Clone)]
pub struct CheckInRecord {
    /// The scheduled check-in.
    pub check_in: i64,
    /// Its goal.
    pub goal: i64,
    /// When it was held (`yyyy-mm-dd`).
    pub held_on: String,
    /// What was discussed.
    pub discussed: String,
    /// Progress toward point B (1-4).
    pub progress: i64,
    /// Next steps.
    pub next_steps: String,
    /// When the next one is due, if the goal goes on.
    pub next_due: Option<String>,
    /// Who records it.
    pub by: PersonId,
    /// Now (ms).
    pub now: i64,
}

/// A check-in not yet held, for a home page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueCheckIn {
    /// The check-in.
    pub id: i64,
    /// Its goal.
    pub goal: i64,
    /// The goal's educator.
    pub owner: PersonId,
    /// Their name.
    pub owner_name: String,
    /// The goal's question.
    pub inquiry: String,
    /// When it is due.
    pub due_on: String,
}

/// A competency rating to record.
#[derive(Debug, Clone)]
pub struct NewRating {
    /// The educator rated.
    pub person: PersonId,
    /// The competency.
    pub item: i64,
    /// The goal it belongs with.
    pub goal: Option<i64>,
    /// What kind of rating.
    pub kind: RatingKind,
    /// The level (1-4).
    pub level: i64,
    /// Why.
    pub note: String,
    /// The evidence it rests on.
    pub evidence: Option<i64>,
    /// Who gives it.
    pub by: PersonId,
    /// Now (ms).
    pub now: i64,
}

/// A stored rating; none is ever replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    /// Id.
    pub id: i64,
    /// The educator.
    pub person: PersonId,
    /// The competency.
    pub competency: CompetencyRef,
    /// The goal.
    pub goal: Option<i64>,
    /// Kind.
    pub kind: RatingKind,
    /// Level (1-4).
    pub level: i64,
    /// Why.
    pub note: String,
    /// The evidence it rests on, and its title.
    pub evidence: Option<(i64, String)>,
    /// Who gave it.
    pub rated_by: String,
    /// Who confirmed a claim, and when (ms).
    pub confirmed: Option<(String, i64)>,
    /// When (ms).
    pub created_at: i64,
}

/// An in-app notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Id.
    pub id: i64,
    /// What happened.
    pub body: String,
    /// Where to look.
    pub link: String,
    /// When (ms).
    pub created_at: i64,
    /// When it was read.
    pub read_at: Option<i64>,
}

/// A goal's story to share.
#[derive(Debug, Clone)]
pub struct NewStory {
    /// The goal.
    pub goal: i64,
    /// The school or district whose showcase it goes to.
    pub org: waypoint_domain::OrgId,
    /// What the educator tried and what happened.
    pub what_tried: String,
    /// The evidence they choose to show (of this goal).
    pub evidence: Vec<i64>,
    /// Now (ms).
    pub now: i64,
}

/// A shared story.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Story {
    /// Id.
    pub id: i64,
    /// The goal.
    pub goal: i64,
    /// The educator.
    pub owner: PersonId,
    /// Their name.
    pub owner_name: String,
    /// The showcase's school or district.
    pub org: waypoint_domain::OrgId,
    /// Its name.
    pub org_name: String,
    /// The goal's question.
    pub inquiry: String,
    /// The competencies the goal focuses on.
    pub competencies: Vec<CompetencyRef>,
    /// What they tried.
    pub what_tried: String,
    /// The evidence shown.
    pub evidence: Vec<i64>,
    /// How many comments.
    pub comments: i64,
    /// Shared (ms).
    pub shared_at: i64,
}

/// A comment on a story.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoryComment {
    /// Id.
    pub id: i64,
    /// Who wrote it.
    pub author_name: String,
    /// What it says.
    pub body: String,
    /// When (ms).
    pub created_at: i64,
}

/// The installation's SMTP relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSettings {
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// The sender, e.g. `Waypoint <waypoint@district.example.org>`.
    pub from: String,
    /// Whether mail is sent.
    pub enabled: bool,
    /// Since when it has been on: only notifications from then are mailed.
    pub enabled_at: Option<i64>,
}

/// A notification waiting to be e-mailed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// The notification.
    pub notification: i64,
    /// The person's name.
    pub to_name: String,
    /// Their address.
    pub to_email: String,
    /// What happened.
    pub body: String,
    /// Where to look (a path).
    pub link: String,
}

/// Growth-plan storage. Every change that tells someone writes their
/// notification in the same transaction.
#[async_trait]
pub trait Growth: Send + Sync {
    /// Drafts a goal. Its competencies must exist and its system goal be of
    /// the same year (a conflict otherwise).
    async fn create_personal_goal(&self, new: &NewPersonalGoal) -> StoreResult<i64>;
    /// One goal.
    async fn personal_goal(&self, id: i64) -> StoreResult<Option<PersonalGoal>>;
    /// Goals by owner, by reviewer, or of several educators for a year.
    async fn personal_goals(&self, filter: &GoalFilter) -> StoreResult<Vec<PersonalGoal>>;
    /// Changes a goal's words. A change to an agreed goal goes back to its
    /// reviewer; a closed goal cannot change. Gives the status after.
    async fn edit_personal_goal(
        &self,
        id: i64,
        edit: &GoalEdit,
        now: i64,
    ) -> StoreResult<GoalStatus>;
    /// Sends a draft (or a change) to a reviewer; tells them.
    async fn submit_personal_goal(&self, id: i64, reviewer: PersonId, now: i64) -> StoreResult<()>;
    /// Comments on a goal (a field of it, or the whole); tells the other side.
    async fn comment_on_goal(
        &self,
        id: i64,
        field: &str,
        body: &str,
        author: PersonId,
        now: i64,
    ) -> StoreResult<i64>;
    /// A goal's comments, oldest first.
    async fn goal_comments(&self, id: i64) -> StoreResult<Vec<GoalComment>>;
    /// Agrees the goal in review as its next version, by someone other than
    /// its owner; schedules a check-in on `check_in_due` unless one is open;
    /// tells the owner. Gives the version.
    async fn agree_personal_goal(
        &self,
        id: i64,
        by: PersonId,
        check_in_due: &str,
        now: i64,
    ) -> StoreResult<i64>;
    /// A goal's agreed versions, oldest first.
    async fn goal_versions(&self, id: i64) -> StoreResult<Vec<GoalVersion>>;
    /// Closes an agreed goal as complete or carried over, with a
    /// reflection; open check-ins are dropped. Carrying over drafts the
    /// same goal for the next school year and gives its id.
    async fn close_personal_goal(
        &self,
        id: i64,
        outcome: GoalStatus,
        reflection: &str,
        now: i64,
    ) -> StoreResult<Option<i64>>;
    /// Adds evidence to an open goal (an agreed one is then in progress);
    /// tells the other side.
    async fn add_evidence(&self, new: &NewEvidence) -> StoreResult<i64>;
    /// A goal's evidence, newest first.
    async fn evidence_of(&self, goal: i64) -> StoreResult<Vec<Evidence>>;
    /// One piece of evidence.
    async fn evidence(&self, id: i64) -> StoreResult<Option<Evidence>>;
    /// The file of a piece of evidence.
    async fn evidence_file(&self, id: i64) -> StoreResult<Option<EvidenceFile>>;
    /// Schedules a check-in.
    async fn schedule_check_in(&self, goal: i64, due_on: &str, now: i64) -> StoreResult<i64>;
    /// A goal's check-ins by due date.
    async fn check_ins(&self, goal: i64) -> StoreResult<Vec<CheckIn>>;
    /// Records a scheduled check-in as held (an agreed goal is then in
    /// progress) and schedules the next.
    async fn record_check_in(&self, record: &CheckInRecord) -> StoreResult<()>;
    /// Check-ins not yet held on the active goals `person` owns or reviews.
    async fn due_check_ins(&self, person: PersonId) -> StoreResult<Vec<DueCheckIn>>;
    /// Records a rating; a claim tells the goal's reviewer.
    async fn rate_competency(&self, new: &NewRating) -> StoreResult<i64>;
    /// Confirms a claim, by someone other than the educator; whether it was
    /// a claim waiting.
    async fn confirm_rating(&self, id: i64, by: PersonId, now: i64) -> StoreResult<bool>;
    /// Every rating of an educator, oldest first.
    async fn ratings_of(&self, person: PersonId) -> StoreResult<Vec<Rating>>;
    /// One rating.
    async fn rating(&self, id: i64) -> StoreResult<Option<Rating>>;
    /// A person's latest notifications, newest first.
    async fn notifications(&self, person: PersonId, limit: i64) -> StoreResult<Vec<Notification>>;
    /// Marks a person's notifications read.
    async fn mark_notifications_read(&self, person: PersonId, now: i64) -> StoreResult<()>;
    /// Shares (or updates) a goal's story; the evidence shown must be the
    /// goal's own. Gives the story's id.
    async fn share_story(&self, new: &NewStory) -> StoreResult<i64>;
    /// One story.
    async fn story(&self, id: i64) -> StoreResult<Option<Story>>;
    /// The story of a goal, if shared.
    async fn story_of_goal(&self, goal: i64) -> StoreResult<Option<Story>>;
    /// The stories shared to these schools' and districts' showcases,
    /// newest first.
    async fn stories(&self, orgs: &[waypoint_domain::OrgId]) -> StoreResult<Vec<Story>>;
    /// The stories showing a piece of evidence.
    async fn stories_showing(&self, evidence: i64) -> StoreResult<Vec<Story>>;
    /// Takes a story down (its comments go with it); whether it was there.
    async fn unshare_story(&self, id: i64) -> StoreResult<bool>;
    /// Comments on a story; tells its educator.
    async fn comment_on_story(
        &self,
        id: i64,
        author: PersonId,
        body: &str,
        now: i64,
    ) -> StoreResult<i64>;
    /// A story's comments, oldest first.
    async fn story_comments(&self, id: i64) -> StoreResult<Vec<StoryComment>>;
    /// Tells the educator and the reviewer of each active goal whose open
    /// check-in is due on or before `due_by` (`yyyy-mm-dd`), once per
    /// check-in; how many check-ins were reminded.
    async fn remind_check_ins(&self, due_by: &str, now: i64) -> StoreResult<usize>;
    /// The SMTP relay, if set.
    async fn mail_settings(&self) -> StoreResult<Option<MailSettings>>;
    /// Sets the SMTP relay; switching it on starts mailing notifications
    /// from now.
    async fn save_mail_settings(
        &self,
        settings: &MailSettings,
        by: PersonId,
        now: i64,
    ) -> StoreResult<()>;
    /// Notifications not yet e-mailed since mail was switched on, to people
    /// with an address, oldest first.
    async fn outgoing_mail(&self, limit: i64) -> StoreResult<Vec<OutgoingMail>>;
    /// Marks a notification e-mailed.
    async fn mark_emailed(&self, notification: i64, now: i64) -> StoreResult<()>;
}
