//! The organisation tree (region → district → school → class) and where a
//! thing sits in it.

use crate::ids::{ClassId, OrgId};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The kind of an organisation, from the widest to the narrowest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// A group of districts (a regional council, a state or a national body).
    Region,
    /// A school district.
    District,
    /// A school.
    School,
    /// A department or other unit inside a school or district.
    Department,
}

impl OrgKind {
    /// The stable lowercase name used in storage and URLs.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Region => "region",
            Self::District => "district",
            Self::School => "school",
            Self::Department => "department",
        }
    }

    /// A human label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Region => "Region",
            Self::District => "District",
            Self::School => "School",
            Self::Department => "Department",
        }
    }
}

impl fmt::Display for OrgKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored org kind that is not one of ours.
#[derive(Debug, thiserror::Error)]
#[error("unknown organisation kind {0:?}")]
pub struct UnknownOrgKind(pub String);

impl FromStr for OrgKind {
    type Err = UnknownOrgKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "region" => Self::Region,
            "district" => Self::District,
            "school" => Self::School,
            "department" => Self::Department,
            other => return Err(UnknownOrgKind(other.to_owned())),
        })
    }
}

/// Where something sits in the tree. Every level that applies is filled, so a
/// scope check is a comparison at the scope's own level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Placement {
    /// The region, when the district belongs to one.
    pub region: Option<OrgId>,
    /// The district.
    pub district: Option<OrgId>,
    /// The school.
    pub school: Option<OrgId>,
    /// The class.
    pub class: Option<ClassId>,
}

impl Placement {
    /// The placement of a class inside a school placement.
    pub const fn with_class(self, class: ClassId) -> Self {
        Self {
            class: Some(class),
            ..self
        }
    }
}
