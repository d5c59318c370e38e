//! What a PD day stores: the event, its programme, everyone's ranking, the
//! assignment runs and the seats they gave. Backends implement [`PdDays`]
//! with [`portable_pd_days!`](crate::portable_pd_days).

use crate::{StoreResult, async_trait};
use serde::{Deserialize, Serialize};
use waypoint_domain::pdday::{EventState, Ranking};
use waypoint_domain::{CourseId, EventId, OrgId, PersonId, SectionId, SlotId};

/// A PD day as the coordinator creates it.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// The district (or school) that runs it; its staff are the audience.
    pub org: OrgId,
    /// What people call it ("Spring district PD day").
    pub title: String,
    /// The date, `YYYY-MM-DD`, in the event's time zone.
    pub day: String,
    /// IANA time zone name of the venue ("America/Chicago").
    pub timezone: String,
    /// Where it happens.
    pub venue: String,
    /// How many sessions each educator ranks.
    pub ranks: i64,
    /// When ranking opens and closes (ms), once known.
    pub window: Option<(i64, i64)>,
    /// The coordinator.
    pub created_by: PersonId,
    /// Now (ms).
    pub now: i64,
}

/// A stored PD day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// Its id.
    pub id: EventId,
    /// The organisation that runs it.
    pub org: OrgId,
    /// That organisation's name.
    pub org_name: String,
    /// Title.
    pub title: String,
    /// Date (`YYYY-MM-DD`).
    pub day: String,
    /// IANA time zone.
    pub timezone: String,
    /// Venue.
    pub venue: String,
    /// Where it is in its lifecycle.
    pub state: EventState,
    /// Sessions each educator ranks.
    pub ranks: i64,
    /// Ranking opens (ms).
    pub opens_at: Option<i64>,
    /// Ranking closes (ms).
    pub closes_at: Option<i64>,
    /// Bumped whenever published schedules change (the calendar SEQUENCE).
    pub sequence: i64,
    /// When schedules were first published (ms).
    pub published_at: Option<i64>,
    /// Created (ms).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
}

/// A breakout slot to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSlot {
    /// Label, unique in the event ("Slot 1", "9:00").
    pub label: String,
    /// Starts (ms, UTC).
    pub starts_at: i64,
    /// Ends (ms, UTC).
    pub ends_at: i64,
}

/// A course (session topic) to create.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewCourse {
    /// The programme's code for it, unique in the event.
    pub code: String,
    /// Title.
    pub title: String,
    /// Description for the catalogue.
    pub description: String,
    /// Tags, separated by `;`.
    pub tags: String,
    /// Who it is for (a grade band, a subject, a role); empty: anyone.
    pub audience: String,
}

/// A section to create: one running of a course in one slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSection {
    /// The programme's code for it, unique in the event.
    pub code: String,
    /// Its course's code.
    pub course: String,
    /// Its slot's label.
    pub slot: String,
    /// Room name.
    pub room: String,
    /// Seats for attendees (facilitators do not take one).
    pub capacity: i64,
    /// Who leads it.
    pub facilitators: Vec<PersonId>,
}

/// A whole programme, replaced in one transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewProgramme {
    /// Slots in time order.
    pub slots: Vec<NewSlot>,
    /// Courses.
    pub courses: Vec<NewCourse>,
    /// Sections.
    pub sections: Vec<NewSection>,
}

/// A stored slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slot {
    /// Id.
    pub id: SlotId,
    /// Order in the day (0-based).
    pub position: i64,
    /// Label.
    pub label: String,
    /// Starts (ms, UTC).
    pub starts_at: i64,
    /// Ends (ms, UTC).
    pub ends_at: i64,
}

/// A stored course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Course {
    /// Id.
    pub id: CourseId,
    /// Programme code.
    pub code: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Tags (`;`-separated).
    pub tags: String,
    /// Who it is for; empty: anyone.
    pub audience: String,
}

/// A stored section with its facilitators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    /// Id.
    pub id: SectionId,
    /// Its course.
    pub course: CourseId,
    /// Its slot.
    pub slot: SlotId,
    /// Programme code.
    pub code: String,
    /// Room.
    pub room: String,
    /// Seats.
    pub capacity: i64,
    /// Facilitators: id and display name, by name.
    pub facilitators: Vec<(PersonId, String)>,
}

/// An event's programme.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Programme {
    /// Slots in time order.
    pub slots: Vec<Slot>,
    /// Courses by title.
    pub courses: Vec<Course>,
    /// Sections by slot, then course title.
    pub sections: Vec<Section>,
}

/// One educator's choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Preference {
    /// Who.
    pub person: PersonId,
    /// 1 = most wanted.
    pub rank: i64,
    /// Which course.
    pub course: CourseId,
}

/// Where an assignment run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Waiting for a worker.
    Queued,
    /// Being solved.
    Running,
    /// Its seats are stored.
    Done,
    /// It stopped with an error; the previous seats (if any) stand.
    Failed,
}

impl RunStatus {
    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Queued, Self::Running, Self::Done, Self::Failed]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// One run of the assignment engine for an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Run {
    /// Id.
    pub id: i64,
    /// The event.
    pub event: EventId,
    /// The background job that runs it.
    pub job: Option<i64>,
    /// Where it is.
    pub status: RunStatus,
    /// The engine's last progress line.
    pub progress: Option<String>,
    /// The engine's JSON report, once done.
    pub report: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// Who asked for it.
    pub requested_by: Option<PersonId>,
    /// Asked (ms).
    pub created_at: i64,
    /// Finished (ms).
    pub finished_at: Option<i64>,
}

/// How a seat was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeatSource {
    /// By the assignment engine.
    Engine,
    /// Moved by the coordinator.
    Manual,
    /// Chosen by the person after publication.
    SelfService,
    /// Given from the waiting list when a seat freed.
    Waitlist,
    /// Given to someone who arrived after the assignment.
    Late,
}

impl SeatSource {
    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Engine => "engine",
            Self::Manual => "manual",
            Self::SelfService => "self",
            Self::Waitlist => "waitlist",
            Self::Late => "late",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Engine,
            Self::Manual,
            Self::SelfService,
            Self::Waitlist,
            Self::Late,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// One person's place in one slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Seat {
    /// Who.
    pub person: PersonId,
    /// Which slot.
    pub slot: SlotId,
    /// Which section.
    pub section: SectionId,
    /// The rank they gave its course, if any.
    pub rank: Option<i64>,
    /// Leading it rather than attending.
    pub facilitating: bool,
    /// How it was given.
    pub source: SeatSource,
}

/// Someone seated in a section, for its facilitators' roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RosterLine {
    /// Who.
    pub person: PersonId,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// E-mail, when the roster has one.
    pub email: Option<String>,
    /// The rank they gave the session, if any.
    pub rank: Option<i64>,
}

/// Why a coordinator's move was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoveRefused {
    /// The section is not part of the event.
    #[error("that session is not part of this day")]
    UnknownSection,
    /// The person has no seat in that section's slot.
    #[error("that person has no seat in that slot")]
    NotSeated,
    /// The person leads a session in that slot.
    #[error("that person leads a session in that slot")]
    Facilitating,
    /// The section is full.
    #[error("that session is full")]
    Full,
    /// The person already takes that course in another slot.
    #[error("that person already takes this session in another slot")]
    Duplicate,
    /// The section has free seats, so there is nothing to wait for.
    #[error("that session has free seats")]
    SeatsFree,
}

/// An attendee's reaction to a session (Guskey's first level): agreement
/// from 1 (strongly disagree) to 5 (strongly agree) with three statements,
/// and what they will try with their students.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Feedback {
    /// "The session was relevant to my work."
    pub relevant: i64,
    /// "The session was well run and made good use of the time."
    pub well_run: i64,
    /// "I will use what I learned with my students."
    pub will_use: i64,
    /// "What will you try with your students?"
    pub will_try: String,
}

/// PD-day storage. Every multi-row change is one transaction.
#[async_trait]
pub trait PdDays: Send + Sync {
    /// Creates an event in [`EventState::Setup`].
    async fn create_event(&self, new: &NewEvent) -> StoreResult<EventId>;
    /// Creates an event with its whole programme in one transaction: if the
    /// programme does not resolve (see [`replace_programme`](Self::replace_programme)),
    /// nothing is written, the event included.
    async fn create_event_with_programme(
        &self,
        new: &NewEvent,
        programme: &NewProgramme,
    ) -> StoreResult<EventId>;
    /// One event.
    async fn event(&self, id: EventId) -> StoreResult<Option<Event>>;
    /// Every event, soonest first.
    async fn events(&self) -> StoreResult<Vec<Event>>;
    /// Moves an event from `from` to `to` if it is still in `from` (so two
    /// coordinators cannot both close a window); `false` if it was not.
    /// Publishing, and re-publishing after a change, bumps the sequence.
    async fn move_event(
        &self,
        id: EventId,
        from: EventState,
        to: EventState,
        now: i64,
    ) -> StoreResult<bool>;
    /// Sets when ranking opens and closes.
    async fn set_window(
        &self,
        id: EventId,
        opens_at: i64,
        closes_at: i64,
        now: i64,
    ) -> StoreResult<()>;
    /// Replaces the event's whole programme (and with it any rankings of
    /// courses that are gone) in one transaction. Fails with
    /// [`StoreError::Conflict`](crate::StoreError::Conflict) naming the first
    /// reference that does not resolve; nothing is written then.
    async fn replace_programme(&self, id: EventId, programme: &NewProgramme) -> StoreResult<()>;
    /// The event's programme.
    async fn programme(&self, id: EventId) -> StoreResult<Programme>;
    /// Saves a person's ranking, replacing any earlier one, in one
    /// transaction; of concurrent saves exactly the last to commit stands.
    /// Returns the saved revision (1 for the first save).
    async fn save_ranking(
        &self,
        event: EventId,
        person: PersonId,
        ranking: &Ranking,
        now: i64,
    ) -> StoreResult<i64>;
    /// A person's ranking, most wanted first, with its revision (0 before
    /// any save).
    async fn ranking(&self, event: EventId, person: PersonId) -> StoreResult<(Vec<CourseId>, i64)>;
    /// Every preference of the event, by person then rank.
    async fn preferences(&self, event: EventId) -> StoreResult<Vec<Preference>>;
    /// How many people have saved a ranking.
    async fn ranked_count(&self, event: EventId) -> StoreResult<i64>;
    /// Queues an assignment run and the background job that performs it, in
    /// one transaction; `requested_by` is `None` when the window closed on
    /// its own.
    async fn queue_run(
        &self,
        event: EventId,
        requested_by: Option<PersonId>,
        job_kind: &str,
        now: i64,
    ) -> StoreResult<Run>;
    /// One run.
    async fn run(&self, id: i64) -> StoreResult<Option<Run>>;
    /// The event's latest run.
    async fn latest_run(&self, event: EventId) -> StoreResult<Option<Run>>;
    /// Records a run's progress line (and that it is running).
    async fn run_progress(&self, id: i64, progress: &str) -> StoreResult<()>;
    /// Marks a run failed; the seats it would have replaced stand.
    async fn fail_run(&self, id: i64, error: &str, now: i64) -> StoreResult<()>;
    /// Stores a finished run's seats in one transaction: they replace the
    /// event's seats, the run is done with `report`, and the event moves to
    /// [`EventState::Assigned`] (from closed or assigned; otherwise nothing
    /// is written and `false` comes back).
    async fn finish_run(
        &self,
        id: i64,
        seats: &[Seat],
        report: &str,
        now: i64,
    ) -> StoreResult<bool>;
    /// Every seat of the event.
    async fn seats(&self, event: EventId) -> StoreResult<Vec<Seat>>;
    /// One person's seats at the event, by slot.
    async fn seats_of(&self, event: EventId, person: PersonId) -> StoreResult<Vec<Seat>>;
    /// The attendees seated in a section (facilitators not included), by
    /// family name.
    async fn section_roster(&self, section: SectionId) -> StoreResult<Vec<RosterLine>>;
    /// Moves `person` into `section` (in that section's slot) by hand, in one
    /// transaction that holds the event while it counts: capacity and "never
    /// the same course twice" still apply, and the seat left behind goes to
    /// the waiting list. Moving into the section already held is a no-op.
    /// The event's sequence is bumped when it is published, so calendars
    /// update. Returns the people the waiting list moved.
    async fn move_seat(
        &self,
        event: EventId,
        person: PersonId,
        section: SectionId,
        now: i64,
    ) -> StoreResult<Result<Vec<PersonId>, MoveRefused>>;
    /// As [`move_seat`](Self::move_seat), asked for by the person themselves.
    async fn take_seat(
        &self,
        event: EventId,
        person: PersonId,
        section: SectionId,
        now: i64,
    ) -> StoreResult<Result<Vec<PersonId>, MoveRefused>>;
    /// Puts `person` on the waiting list of a full section (the rules of a
    /// move apply; a section with free seats is refused: take one instead).
    async fn join_waitlist(
        &self,
        event: EventId,
        person: PersonId,
        section: SectionId,
        now: i64,
    ) -> StoreResult<Result<(), MoveRefused>>;
    /// Takes `person` off a section's waiting list; whether they were on it.
    async fn leave_waitlist(
        &self,
        event: EventId,
        person: PersonId,
        section: SectionId,
    ) -> StoreResult<bool>;
    /// The sections whose waiting list `person` is on.
    async fn waitlists_of(&self, event: EventId, person: PersonId) -> StoreResult<Vec<SectionId>>;
    /// Seats someone who has none at the event (they arrived after the
    /// assignment): in each slot, the best-ranked session with an open seat
    /// that they do not take elsewhere, else the open session with the most
    /// seats left. One transaction holding the event. Returns the seats
    /// given (none if they had seats already or a slot has no open seat, in
    /// which case nothing is written).
    async fn place_late(
        &self,
        event: EventId,
        person: PersonId,
        now: i64,
    ) -> StoreResult<Vec<Seat>>;
    /// Attendees seated per section (sections with nobody are absent).
    async fn seat_counts(&self, event: EventId) -> StoreResult<Vec<(SectionId, i64)>>;
    /// Marks `person` present in (or, with `present` false, absent from) a
    /// section, as `by` saw; idempotent.
    async fn mark_attendance(
        &self,
        section: SectionId,
        person: PersonId,
        present: bool,
        by: PersonId,
        now: i64,
    ) -> StoreResult<()>;
    /// Who was there, in a section.
    async fn attendance(&self, section: SectionId) -> StoreResult<Vec<PersonId>>;
    /// A section's check-in code, if one was made.
    async fn checkin_code(&self, section: SectionId) -> StoreResult<Option<String>>;
    /// Gives a section a check-in code (replacing any earlier one); fails
    /// with a conflict when another section of the event has it.
    async fn set_checkin_code(
        &self,
        event: EventId,
        section: SectionId,
        code: &str,
    ) -> StoreResult<()>;
    /// Saves (or replaces) `person`'s feedback on a section; `false`, and
    /// nothing stored, unless they are recorded as having attended it.
    async fn save_feedback(
        &self,
        section: SectionId,
        person: PersonId,
        feedback: &Feedback,
        now: i64,
    ) -> StoreResult<bool>;
    /// Every response on a section, in no particular order (never with who gave it).
    async fn feedback_on(&self, section: SectionId) -> StoreResult<Vec<Feedback>>;
    /// `person`'s own feedback on a section.
    async fn my_feedback(
        &self,
        section: SectionId,
        person: PersonId,
    ) -> StoreResult<Option<Feedback>>;
    /// Sections of the event `person` attended.
    async fn attended(&self, event: EventId, person: PersonId) -> StoreResult<Vec<SectionId>>;
    /// Sets `person`'s private calendar-feed token (by hash), replacing any
    /// earlier one.
    async fn set_feed_token(&self, person: PersonId, hash: &str, now: i64) -> StoreResult<()>;
    /// The owner of a feed token, by hash.
    async fn feed_token_owner(&self, hash: &str) -> StoreResult<Option<PersonId>>;
    /// The events where `person` has seats, published or finished.
    async fn events_seated(&self, person: PersonId) -> StoreResult<Vec<EventId>>;
    /// Checks `person` in with a code: the section of the event with that
    /// code, when they are seated in it; `None` otherwise.
    async fn check_in(
        &self,
        event: EventId,
        person: PersonId,
        code: &str,
        now: i64,
    ) -> StoreResult<Option<SectionId>>;
}
