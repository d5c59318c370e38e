//! Database-assigned identifiers, typed so that a class id cannot be passed
//! where a person id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            /// Wraps a raw database key.
            pub const fn new(raw: i64) -> Self {
                Self(raw)
            }

            /// The raw database key.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A person: staff member or student.
    PersonId
);
id_type!(
    /// An organisation: region, district, school or other unit.
    OrgId
);
id_type!(
    /// A class (a section of a course taught in a school).
    ClassId
);
id_type!(
    /// A PD day (or any professional-learning event with breakout slots).
    EventId
);
id_type!(
    /// A session topic offered at an event (runs as one or more sections).
    CourseId
);
id_type!(
    /// One running of a course in one slot and room.
    SectionId
);
id_type!(
    /// A breakout slot of an event.
    SlotId
);
id_type!(
    /// A session proposed for an event, before (and after) review.
    ProposalId
);
id_type!(
    /// A learning group: a course, a book group or a PLC.
    GroupId
);
