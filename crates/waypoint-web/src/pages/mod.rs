//! Server-rendered pages, one module per area. Handlers are thin: extract,
//! ask the policy, call the store or a service, fill a template.

pub mod admin;
pub mod assets;
pub mod directory;
pub mod events;
pub mod frameworks;
pub mod goals;
pub mod groups;
pub mod growth;
pub mod home;
pub mod orgs;
pub mod proposals;
pub mod recommend;
pub mod session;
pub mod settings;
pub mod setup;
pub mod showcase;
pub mod students;
pub mod targets;
pub mod team;

use crate::error::WebError;
use waypoint_domain::{Action, Actor, Policy, Resource};

/// Refuses with the same 404 a missing object gets.
pub fn require(actor: &Actor, action: Action, resource: &Resource<'_>) -> Result<(), WebError> {
    if Policy::can(actor, action, resource) {
        Ok(())
    } else {
        Err(WebError::NotFound)
    }
}
