//! The call for proposals and the programme built by hand: sessions the
//! audience proposes, the coordinator's review (an accepted proposal becomes
//! a course), and sections added to or taken out of the programme grid.

use crate::StoreResult;
use async_trait::async_trait;
use waypoint_domain::pdday::{ProposalStatus, ProposalText, Review};
use waypoint_domain::{CourseId, EventId, PersonId, ProposalId, SectionId, SlotId};

/// A proposal as its proposer sends it.
#[derive(Debug, Clone)]
pub struct NewProposal {
    /// The PD day it is for.
    pub event: EventId,
    /// Who proposes it (and would lead it).
    pub proposer: PersonId,
    /// What it is.
    pub text: ProposalText,
    /// Colleagues who would lead it with the proposer.
    pub leads: Vec<PersonId>,
    /// Slots the proposer would prefer (none: any).
    pub slots: Vec<SlotId>,
    /// Now (ms).
    pub now: i64,
}

/// A stored proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// Id.
    pub id: ProposalId,
    /// The PD day.
    pub event: EventId,
    /// Who proposed it, with their name.
    pub proposer: (PersonId, String),
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Who it is for.
    pub audience: String,
    /// Tags, `;`-separated.
    pub tags: String,
    /// What the room needs.
    pub room_needs: String,
    /// Co-facilitators with their names, by name.
    pub leads: Vec<(PersonId, String)>,
    /// Preferred slots.
    pub slots: Vec<SlotId>,
    /// Where its review is.
    pub status: ProposalStatus,
    /// The coordinator's latest note to the proposer.
    pub note: String,
    /// Who reviewed it last, with their name.
    pub reviewed_by: Option<(PersonId, String)>,
    /// When it was reviewed last (ms).
    pub reviewed_at: Option<i64>,
    /// The course it became, once accepted.
    pub course: Option<CourseId>,
    /// Sent (ms).
    pub created_at: i64,
}

impl Proposal {
    /// Whether `person` proposed it or is named to lead it.
    pub fn is_author(&self, person: PersonId) -> bool {
        self.proposer.0 == person || self.leads.iter().any(|l| l.0 == person)
    }

    /// Everyone who would lead it: the proposer, then the co-facilitators.
    pub fn facilitators(&self) -> Vec<PersonId> {
        std::iter::once(self.proposer.0)
            .chain(self.leads.iter().map(|l| l.0))
            .collect()
    }
}

/// A section added to an event's programme by hand.
#[derive(Debug, Clone)]
pub struct AddSection {
    /// Which course it runs.
    pub course: CourseId,
    /// In which slot.
    pub slot: SlotId,
    /// Room.
    pub room: String,
    /// Seats for attendees.
    pub capacity: i64,
    /// Who leads it.
    pub facilitators: Vec<PersonId>,
}

/// Why a change to the programme was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProgrammeRefused {
    /// Ranking has closed (or the event is gone).
    #[error("the programme can only change until ranking closes")]
    Locked,
    /// The course is not part of the event.
    #[error("that session is not part of this day")]
    UnknownCourse,
    /// The slot is not part of the event.
    #[error("that slot is not part of this day")]
    UnknownSlot,
    /// The section is not part of the event.
    #[error("that section is not part of this day")]
    UnknownSection,
    /// A facilitator already leads a section in that slot.
    #[error("a facilitator already leads another session in that slot")]
    FacilitatorBusy(PersonId),
    /// The course already runs in that slot.
    #[error("that session already runs in that slot")]
    AlreadyInSlot,
    /// Another section uses the room in that slot.
    #[error("another session uses that room in that slot")]
    RoomTaken,
}

/// Proposals and hand-built programmes. Every change is one transaction.
#[async_trait]
pub trait Proposals: Send + Sync {
    /// Stores a proposal; fails with a conflict unless the event is open
    /// for proposals (checked in the same statement).
    async fn submit_proposal(&self, new: &NewProposal) -> StoreResult<ProposalId>;
    /// Replaces a proposal's text, leads and slots, and sends it for review
    /// again; only its proposer may, and only while it is editable.
    /// `false`, and nothing changed, otherwise.
    async fn revise_proposal(
        &self,
        id: ProposalId,
        by: PersonId,
        text: &ProposalText,
        leads: &[PersonId],
        slots: &[SlotId],
        now: i64,
    ) -> StoreResult<bool>;
    /// Withdraws (deletes) a proposal its proposer may still edit; whether
    /// it was.
    async fn withdraw_proposal(&self, id: ProposalId, by: PersonId) -> StoreResult<bool>;
    /// One proposal.
    async fn proposal(&self, id: ProposalId) -> StoreResult<Option<Proposal>>;
    /// Every proposal of an event, oldest first.
    async fn proposals(&self, event: EventId) -> StoreResult<Vec<Proposal>>;
    /// Records the coordinator's decision, if the proposal is still
    /// reviewable (so two reviewers cannot both decide). Accepting adds a
    /// course made from it to the programme in the same transaction.
    /// Returns the new status, or `None` when it was no longer reviewable.
    async fn review_proposal(
        &self,
        id: ProposalId,
        review: Review,
        note: &str,
        by: PersonId,
        now: i64,
    ) -> StoreResult<Option<ProposalStatus>>;
    /// Adds a section to the programme, in one transaction holding the
    /// event: the event must still be editable, and its facilitators free
    /// in that slot. Its code is made from the course's.
    async fn add_section(
        &self,
        event: EventId,
        section: &AddSection,
        now: i64,
    ) -> StoreResult<Result<SectionId, ProgrammeRefused>>;
    /// Takes a section out of the programme while it is still editable.
    async fn remove_section(
        &self,
        event: EventId,
        section: SectionId,
        now: i64,
    ) -> StoreResult<Result<(), ProgrammeRefused>>;
}
