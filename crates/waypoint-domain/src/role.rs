//! Roles held at scopes. A person may hold several grants at once (a teacher
//! who coaches and facilitates).

use crate::ids::{ClassId, OrgId};
use crate::org::Placement;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a person does in Waypoint. Distinct from the roster's roles
/// (teacher, student, …), from which some grants are derived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Teacher, specialist or support staff.
    Educator,
    /// Coach or mentor.
    Coach,
    /// Principal or school leader.
    Principal,
    /// District professional-learning coordinator or district leader.
    DistrictCoordinator,
    /// Regional council coordinator.
    RegionalCoordinator,
    /// Installation administrator.
    Administrator,
}

impl Role {
    /// Every role, in display order.
    pub const ALL: [Self; 6] = [
        Self::Educator,
        Self::Coach,
        Self::Principal,
        Self::DistrictCoordinator,
        Self::RegionalCoordinator,
        Self::Administrator,
    ];

    /// The stable name used in storage, the CLI and the API.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Educator => "educator",
            Self::Coach => "coach",
            Self::Principal => "principal",
            Self::DistrictCoordinator => "district_coordinator",
            Self::RegionalCoordinator => "regional_coordinator",
            Self::Administrator => "administrator",
        }
    }

    /// A human label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Educator => "Educator",
            Self::Coach => "Coach",
            Self::Principal => "Principal",
            Self::DistrictCoordinator => "District PL coordinator",
            Self::RegionalCoordinator => "Regional coordinator",
            Self::Administrator => "Administrator",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role or scope name that Waypoint does not know.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GrantParseError {
    /// Not a role name.
    #[error(
        "unknown role {0:?}; expected one of educator, coach, principal, district_coordinator, regional_coordinator, administrator"
    )]
    Role(String),
    /// Not a scope kind.
    #[error("unknown scope kind {0:?}; expected installation, region, district, school or class")]
    ScopeKind(String),
    /// The role cannot be held at that kind of scope.
    #[error("a {role} cannot be granted at {scope} scope")]
    Mismatch {
        /// The role.
        role: &'static str,
        /// The scope kind.
        scope: &'static str,
    },
}

impl FromStr for Role {
    type Err = GrantParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| GrantParseError::Role(s.to_owned()))
    }
}

/// Where a grant applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Scope {
    /// The whole installation (administrators).
    Installation,
    /// A region and its districts.
    Region(OrgId),
    /// A district and its schools.
    District(OrgId),
    /// A school and its classes.
    School(OrgId),
    /// One class.
    Class(ClassId),
}

impl Scope {
    /// The scope kind's stable name.
    pub const fn kind(self) -> &'static str {
        match self {
            Self::Installation => "installation",
            Self::Region(_) => "region",
            Self::District(_) => "district",
            Self::School(_) => "school",
            Self::Class(_) => "class",
        }
    }

    /// The raw id of the scoped object (0 for the installation).
    pub const fn raw_id(self) -> i64 {
        match self {
            Self::Installation => 0,
            Self::Region(o) | Self::District(o) | Self::School(o) => o.get(),
            Self::Class(c) => c.get(),
        }
    }

    /// Rebuilds a scope from its stored parts.
    pub fn from_parts(kind: &str, id: i64) -> Result<Self, GrantParseError> {
        Ok(match kind {
            "installation" => Self::Installation,
            "region" => Self::Region(OrgId::new(id)),
            "district" => Self::District(OrgId::new(id)),
            "school" => Self::School(OrgId::new(id)),
            "class" => Self::Class(ClassId::new(id)),
            other => return Err(GrantParseError::ScopeKind(other.to_owned())),
        })
    }

    /// Whether something at `placement` lies inside this scope.
    pub fn covers(self, placement: &Placement) -> bool {
        match self {
            Self::Installation => true,
            Self::Region(r) => placement.region == Some(r),
            Self::District(d) => placement.district == Some(d),
            Self::School(s) => placement.school == Some(s),
            Self::Class(c) => placement.class == Some(c),
        }
    }
}

/// A role held at a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Grant {
    /// The role.
    pub role: Role,
    /// Where it applies.
    pub scope: Scope,
}

impl Grant {
    /// A grant, checked for a sensible pairing of role and scope kind: an
    /// administrator holds the installation, a regional coordinator a region,
    /// a district coordinator a district, principals a school, coaches a
    /// school or district, educators a school or class.
    pub fn new(role: Role, scope: Scope) -> Result<Self, GrantParseError> {
        let ok = matches!(
            (role, scope),
            (Role::Administrator, Scope::Installation)
                | (Role::RegionalCoordinator, Scope::Region(_))
                | (Role::DistrictCoordinator, Scope::District(_))
                | (Role::Principal, Scope::School(_))
                | (Role::Coach, Scope::School(_) | Scope::District(_))
                | (Role::Educator, Scope::School(_) | Scope::Class(_))
        );
        if ok {
            Ok(Self { role, scope })
        } else {
            Err(GrantParseError::Mismatch {
                role: role.as_str(),
                scope: scope.kind(),
            })
        }
    }
}
