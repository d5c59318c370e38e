//! Waypoint's domain: the values every other crate speaks in.
//!
//! Nothing here performs I/O. Identifiers, the organisation tree, roles held
//! at scopes, the one authorization [`policy`], the normalized roster records
//! that importers produce and stores persist, and the seeded demo generator.

pub mod demo;
pub mod goals;
pub mod group;
pub mod growth;
pub mod ids;
pub mod org;
pub mod pdday;
pub mod policy;
pub mod recommend;
pub mod results;
pub mod role;
pub mod roster;
pub mod suppression;

pub use ids::{
    ClassId, CourseId, EventId, GroupId, OrgId, PersonId, ProposalId, SectionId, SlotId,
};
pub use org::{OrgKind, Placement};
pub use policy::{Action, Actor, Policy, Resource, StaffVisibility};
pub use role::{Grant, Role, Scope};
