//! Competency frameworks (from CASE packages): each kept whole, its items in
//! tree order, replaced whole when the same framework is imported again.

use crate::StoreResult;
use async_trait::async_trait;
use waypoint_domain::PersonId;

/// A framework to store, with all its items and associations.
#[derive(Debug, Clone, Default)]
pub struct NewFramework {
    /// The CFDocument identifier (what makes a re-import replace it).
    pub identifier: String,
    /// Its URI.
    pub uri: String,
    /// Title.
    pub title: String,
    /// Who made it.
    pub creator: String,
    /// Description.
    pub description: String,
    /// Adoption status.
    pub adoption_status: String,
    /// "1.0" or "1.1".
    pub case_version: String,
    /// Where it came from (a file name).
    pub source: String,
    /// The framework's own last change (ms).
    pub last_change: Option<i64>,
    /// Items in tree order.
    pub items: Vec<NewFrameworkItem>,
    /// Associations.
    pub associations: Vec<NewFrameworkAssociation>,
    /// Who imported it.
    pub imported_by: Option<PersonId>,
    /// Now (ms).
    pub now: i64,
}

/// An item to store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewFrameworkItem {
    /// Identifier.
    pub identifier: String,
    /// URI.
    pub uri: String,
    /// Depth in the tree (0 at the top).
    pub depth: i64,
    /// The parent item's identifier.
    pub parent: Option<String>,
    /// Code ("6.RP.A.1").
    pub code: String,
    /// Full statement.
    pub statement: String,
    /// Short statement.
    pub abbreviated: String,
    /// Item type.
    pub item_type: String,
    /// Grade levels, comma-separated.
    pub levels: String,
}

/// An association to store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewFrameworkAssociation {
    /// Identifier.
    pub identifier: String,
    /// Kind (`isChildOf`, …).
    pub kind: String,
    /// Origin node identifier.
    pub origin: String,
    /// Destination node identifier.
    pub destination: String,
    /// Sequence among siblings.
    pub sequence: Option<i64>,
}

/// A stored framework, as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameworkSummary {
    /// Id.
    pub id: i64,
    /// Its URI.
    pub uri: String,
    /// The framework's own last change (ms).
    pub last_change: Option<i64>,
    /// CFDocument identifier.
    pub identifier: String,
    /// Title.
    pub title: String,
    /// Creator.
    pub creator: String,
    /// Description.
    pub description: String,
    /// Adoption status.
    pub adoption_status: String,
    /// CASE version.
    pub case_version: String,
    /// Source file.
    pub source: String,
    /// How many items.
    pub items: i64,
    /// How many associations.
    pub associations: i64,
    /// Imported (ms).
    pub imported_at: i64,
}

/// A stored item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameworkItem {
    /// The stored item's id (what goals and ratings name).
    pub id: i64,
    /// Identifier.
    pub identifier: String,
    /// Its URI.
    pub uri: String,
    /// The identifier of the item it sits under.
    pub parent: Option<String>,
    /// Depth (0 at the top).
    pub depth: i64,
    /// Code.
    pub code: String,
    /// Full statement.
    pub statement: String,
    /// Item type.
    pub item_type: String,
    /// Grade levels.
    pub levels: String,
}

/// Framework storage.
#[async_trait]
pub trait Frameworks: Send + Sync {
    /// Stores a framework in one transaction, replacing the one with the
    /// same identifier if there is one; its id and whether it replaced one.
    async fn save_framework(&self, new: &NewFramework) -> StoreResult<(i64, bool)>;
    /// Every framework, by title.
    async fn frameworks(&self) -> StoreResult<Vec<FrameworkSummary>>;
    /// One framework.
    async fn framework(&self, id: i64) -> StoreResult<Option<FrameworkSummary>>;
    /// A framework's items in tree order.
    async fn framework_items(&self, id: i64) -> StoreResult<Vec<FrameworkItem>>;
    /// A framework's associations, as imported.
    async fn framework_associations(&self, id: i64) -> StoreResult<Vec<NewFrameworkAssociation>>;
}
