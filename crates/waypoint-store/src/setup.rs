//! A PD day's set-up beyond its programme: the venue's rooms and their
//! seats, the general sessions everyone attends, and who the day is for.

use crate::StoreResult;
use async_trait::async_trait;
use waypoint_domain::EventId;
use waypoint_domain::pdday::Audience;

/// A room of the venue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    /// Id.
    pub id: i64,
    /// Name, unique in the event ("Library", "Room 101").
    pub name: String,
    /// Seats.
    pub capacity: i64,
    /// What it has (projector, lab benches, movable tables).
    pub features: String,
}

/// A session everyone attends: an opening, a keynote, a closing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneralSession {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Starts (ms, UTC).
    pub starts_at: i64,
    /// Ends (ms, UTC).
    pub ends_at: i64,
    /// Where (a room or hall).
    pub location: String,
}

/// Rooms, general sessions and audience. Every change is one transaction.
#[async_trait]
pub trait EventSetup: Send + Sync {
    /// The event's rooms, by name.
    async fn rooms(&self, event: EventId) -> StoreResult<Vec<Room>>;
    /// Adds a room; a conflict when the event has one of that name.
    async fn add_room(
        &self,
        event: EventId,
        name: &str,
        capacity: i64,
        features: &str,
    ) -> StoreResult<i64>;
    /// Removes a room (sections keep their room's name); whether it was there.
    async fn remove_room(&self, event: EventId, room: i64) -> StoreResult<bool>;
    /// The event's general sessions, in time order.
    async fn general_sessions(&self, event: EventId) -> StoreResult<Vec<GeneralSession>>;
    /// Adds a general session (ends after it starts, or a conflict).
    async fn add_general_session(
        &self,
        event: EventId,
        title: &str,
        starts_at: i64,
        ends_at: i64,
        location: &str,
    ) -> StoreResult<i64>;
    /// Removes a general session; whether it was there.
    async fn remove_general_session(&self, event: EventId, id: i64) -> StoreResult<bool>;
    /// Who the day is for.
    async fn event_audience(&self, event: EventId) -> StoreResult<Audience>;
    /// Replaces who the day is for, in one transaction.
    async fn set_event_audience(&self, event: EventId, audience: &Audience) -> StoreResult<()>;
}
