//! Learning groups: a course, a book group or a PLC that continues a PD-day
//! session, created with its leads and the people invited to it.

use crate::StoreResult;
use async_trait::async_trait;
use waypoint_domain::group::{GroupKind, MemberStatus};
use waypoint_domain::{GroupId, OrgId, PersonId, SectionId};

/// A group to create.
#[derive(Debug, Clone)]
pub struct NewGroup {
    /// The organisation it belongs to (the PD day's).
    pub org: OrgId,
    /// What kind of learning it is.
    pub kind: GroupKind,
    /// Its name.
    pub title: String,
    /// What it will do.
    pub description: String,
    /// The session it continues, if any.
    pub from_section: Option<SectionId>,
    /// Who creates it.
    pub created_by: PersonId,
    /// Who leads it (joined from the start).
    pub leads: Vec<PersonId>,
    /// Who is invited to join.
    pub invite: Vec<PersonId>,
    /// Now (ms).
    pub now: i64,
}

/// A stored group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Id.
    pub id: GroupId,
    /// Its organisation.
    pub org: OrgId,
    /// Kind.
    pub kind: GroupKind,
    /// Name.
    pub title: String,
    /// What it will do.
    pub description: String,
    /// The session it continues.
    pub from_section: Option<SectionId>,
    /// Created (ms).
    pub created_at: i64,
}

/// Someone invited to a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Who.
    pub person: PersonId,
    /// Their name.
    pub name: String,
    /// Whether they lead it.
    pub lead: bool,
    /// Where they stand.
    pub status: MemberStatus,
}

/// Learning-group storage. Every multi-row change is one transaction.
#[async_trait]
pub trait Groups: Send + Sync {
    /// Creates a group with its leads (joined) and invitations, in one transaction.
    async fn create_group(&self, new: &NewGroup) -> StoreResult<GroupId>;
    /// One group.
    async fn group(&self, id: GroupId) -> StoreResult<Option<Group>>;
    /// Its members: leads first, then by name.
    async fn group_members(&self, id: GroupId) -> StoreResult<Vec<Member>>;
    /// The groups `person` was invited to, newest first, with where they stand.
    async fn groups_of(&self, person: PersonId) -> StoreResult<Vec<(Group, MemberStatus)>>;
    /// The session a group continues: its event, the event's title and the
    /// session's title.
    async fn group_origin(
        &self,
        id: GroupId,
    ) -> StoreResult<Option<(waypoint_domain::EventId, String, String)>>;
    /// Every group of an organisation, newest first.
    async fn groups_in(&self, org: OrgId) -> StoreResult<Vec<Group>>;
    /// The groups that continue a section, oldest first.
    async fn groups_from(&self, section: SectionId) -> StoreResult<Vec<Group>>;
    /// Records `person`'s answer to an invitation (joining or declining;
    /// they may change their mind); `false` if they were not invited.
    async fn answer_invitation(
        &self,
        group: GroupId,
        person: PersonId,
        join: bool,
        now: i64,
    ) -> StoreResult<bool>;
}
