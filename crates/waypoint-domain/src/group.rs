//! Learning groups that carry a PD-day session on: a course, a book group or
//! a professional learning community, and where each invited person stands.

use serde::{Deserialize, Serialize};

/// What kind of learning a group is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    /// A course of several sessions.
    Course,
    /// A group reading and discussing a book.
    BookGroup,
    /// A professional learning community working on a shared question.
    Plc,
}

impl GroupKind {
    /// Every kind, in the order a form offers them.
    pub const ALL: [Self; 3] = [Self::Plc, Self::BookGroup, Self::Course];

    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Course => "course",
            Self::BookGroup => "book_group",
            Self::Plc => "plc",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// A human label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Course => "Course",
            Self::BookGroup => "Book group",
            Self::Plc => "Professional learning community",
        }
    }

    /// A short label, for names and badges.
    pub const fn short(self) -> &'static str {
        match self {
            Self::Course => "Course",
            Self::BookGroup => "Book group",
            Self::Plc => "PLC",
        }
    }
}

/// Where an invited person stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    /// Invited, not yet answered.
    Invited,
    /// In the group.
    Joined,
    /// Said no.
    Declined,
}

impl MemberStatus {
    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Invited => "invited",
            Self::Joined => "joined",
            Self::Declined => "declined",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Invited, Self::Joined, Self::Declined]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    /// A human label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Invited => "Invited",
            Self::Joined => "Joined",
            Self::Declined => "Declined",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in GroupKind::ALL {
            assert_eq!(GroupKind::parse(k.as_str()), Some(k));
        }
        for s in [
            MemberStatus::Invited,
            MemberStatus::Joined,
            MemberStatus::Declined,
        ] {
            assert_eq!(MemberStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(GroupKind::parse("club"), None);
    }
}
