//! Goals a school system sets: a district's and a school's, by school year.

use crate::StoreResult;
use async_trait::async_trait;
use waypoint_domain::goals::{ResultsMeasure, SchoolYear, SystemGoalText};
use waypoint_domain::{OrgId, PersonId};

/// A goal to set.
#[derive(Debug, Clone)]
pub struct NewSystemGoal {
    /// The district or school that sets it.
    pub org: OrgId,
    /// For which school year.
    pub year: SchoolYear,
    /// What it says.
    pub text: SystemGoalText,
    /// The district goal a school goal serves.
    pub aligned_to: Option<i64>,
    /// The results its measure watches, when it names them.
    pub results: Option<ResultsMeasure>,
    /// Who sets it.
    pub by: PersonId,
    /// Now (ms).
    pub now: i64,
}

/// A stored goal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemGoal {
    /// Id.
    pub id: i64,
    /// The district or school.
    pub org: OrgId,
    /// Its name.
    pub org_name: String,
    /// School year.
    pub year: SchoolYear,
    /// What it says.
    pub text: SystemGoalText,
    /// The district goal it serves.
    pub aligned_to: Option<i64>,
    /// The results its measure watches, when it names them.
    pub results: Option<ResultsMeasure>,
    /// Set (ms).
    pub created_at: i64,
}

/// Goal storage.
#[async_trait]
pub trait Goals: Send + Sync {
    /// Sets a goal. A school goal may serve a goal of its own district for
    /// the same year (checked in the same transaction; a conflict otherwise).
    async fn create_system_goal(&self, new: &NewSystemGoal) -> StoreResult<i64>;
    /// One goal.
    async fn system_goal(&self, id: i64) -> StoreResult<Option<SystemGoal>>;
    /// The goals of these organisations for a year, by organisation then
    /// when set.
    async fn system_goals(&self, orgs: &[OrgId], year: SchoolYear) -> StoreResult<Vec<SystemGoal>>;
    /// Removes a goal (school goals serving it keep their words); whether
    /// it was there.
    async fn remove_system_goal(&self, id: i64) -> StoreResult<bool>;
}
