//! PD days: an event's lifecycle and the rules an educator's ranking
//! follows. Times are Unix milliseconds (UTC).

use crate::ids::CourseId;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt;

/// Where an event is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventState {
    /// The coordinator is setting it up (date, slots, rooms, audience).
    Setup,
    /// Educators in the audience propose sessions.
    Proposals,
    /// The programme is set; educators rank sessions until the window closes.
    Preferences,
    /// The window has closed; nobody can change their ranking.
    Closed,
    /// Seats are assigned; the coordinator reviews, adjusts and may re-run.
    Assigned,
    /// Everyone sees their schedule; drops and the waitlist are open.
    Published,
    /// The day is over; attendance and feedback are the record.
    Finished,
}

impl EventState {
    /// Every state, in lifecycle order.
    pub const ALL: [Self; 7] = [
        Self::Setup,
        Self::Proposals,
        Self::Preferences,
        Self::Closed,
        Self::Assigned,
        Self::Published,
        Self::Finished,
    ];

    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Setup => "setup",
            Self::Proposals => "proposals",
            Self::Preferences => "preferences",
            Self::Closed => "closed",
            Self::Assigned => "assigned",
            Self::Published => "published",
            Self::Finished => "finished",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// A human label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Setup => "Being set up",
            Self::Proposals => "Open for proposals",
            Self::Preferences => "Open for preferences",
            Self::Closed => "Preferences closed",
            Self::Assigned => "Assigned, not yet published",
            Self::Published => "Published",
            Self::Finished => "Finished",
        }
    }

    /// Whether sections may still be added to or taken out of the
    /// programme: until ranking closes (a hot session can get another
    /// section while people rank).
    pub const fn programme_editable(self) -> bool {
        matches!(self, Self::Setup | Self::Proposals | Self::Preferences)
    }

    /// Whether the coordinator may move an event from `self` to `to`.
    /// Going back is allowed where nothing promised to people is undone:
    /// proposals can reopen set-up, a closed window can reopen, and an
    /// unpublished assignment can be thrown away by closing again.
    pub fn can_move_to(self, to: Self) -> bool {
        use EventState::{Assigned, Closed, Finished, Preferences, Proposals, Published, Setup};
        matches!(
            (self, to),
            (Setup, Proposals | Preferences)
                | (Proposals, Setup | Preferences)
                | (Preferences, Closed)
                | (Closed, Preferences | Assigned)
                | (Assigned, Closed | Assigned | Published)
                | (Published, Finished)
        )
    }
}

impl fmt::Display for EventState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When educators may rank: from `opens_at` (inclusive) to `closes_at` (exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreferenceWindow {
    opens_at: i64,
    closes_at: i64,
}

/// A window that closes before it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the preference window must close after it opens")]
pub struct WindowError;

impl PreferenceWindow {
    /// A window, checked.
    pub fn new(opens_at: i64, closes_at: i64) -> Result<Self, WindowError> {
        if closes_at > opens_at {
            Ok(Self {
                opens_at,
                closes_at,
            })
        } else {
            Err(WindowError)
        }
    }

    /// When it opens.
    pub const fn opens_at(self) -> i64 {
        self.opens_at
    }

    /// When it closes.
    pub const fn closes_at(self) -> i64 {
        self.closes_at
    }

    /// Whether a ranking saved at `now` counts.
    pub const fn is_open(self, now: i64) -> bool {
        now >= self.opens_at && now < self.closes_at
    }
}

/// Who a PD day is for: staff placed in the organisation that runs it (or
/// in its schools), narrowed to some schools and some roster roles. An empty
/// list puts no limit of its kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audience {
    /// Only staff of these schools (empty: every school and the district office).
    pub schools: Vec<crate::OrgId>,
    /// Only staff with these roster roles ("teacher", "aide", …; empty: everyone).
    pub roles: Vec<String>,
}

impl Audience {
    /// Whether there is no limit at all.
    pub fn is_everyone(&self) -> bool {
        self.schools.is_empty() && self.roles.is_empty()
    }

    /// Whether a staff member placed at `placements` with `roster_role` is
    /// in the audience of a day run by `org`.
    pub fn admits(
        &self,
        org: crate::OrgId,
        placements: &[crate::Placement],
        roster_role: &str,
    ) -> bool {
        let placed = placements.iter().any(|p| {
            if self.schools.is_empty() {
                p.district == Some(org) || p.school == Some(org)
            } else {
                p.school.is_some_and(|s| self.schools.contains(&s))
            }
        });
        placed && (self.roles.is_empty() || self.roles.iter().any(|r| r == roster_role))
    }
}

/// The default number of sessions an educator ranks.
pub const DEFAULT_CHOICES: usize = 9;

/// An educator's ranked choices: distinct offered courses, most wanted
/// first, at most the event's number of choices. Ranking nothing is allowed
/// (they are still placed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ranking(Vec<CourseId>);

/// Why a ranking cannot be saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RankingError {
    /// The same course twice.
    #[error("session {0} is ranked twice; rank each session once")]
    Duplicate(CourseId),
    /// More choices than the event asks for.
    #[error("rank at most {max} sessions")]
    TooMany {
        /// The event's number of choices.
        max: usize,
    },
    /// A course the event does not offer (or that the person may not attend).
    #[error("session {0} is not offered to you at this event")]
    NotOffered(CourseId),
}

impl Ranking {
    /// Checks `choices` (most wanted first) against the event's offer.
    pub fn new(
        choices: Vec<CourseId>,
        max: usize,
        offered: &HashSet<CourseId>,
    ) -> Result<Self, RankingError> {
        if choices.len() > max {
            return Err(RankingError::TooMany { max });
        }
        let mut seen = HashSet::with_capacity(choices.len());
        for c in &choices {
            if !offered.contains(c) {
                return Err(RankingError::NotOffered(*c));
            }
            if !seen.insert(*c) {
                return Err(RankingError::Duplicate(*c));
            }
        }
        Ok(Self(choices))
    }

    /// The choices, most wanted first (rank = index + 1).
    pub fn choices(&self) -> &[CourseId] {
        &self.0
    }

    /// The rank of `course` (1-based), if ranked.
    pub fn rank_of(&self, course: CourseId) -> Option<usize> {
        self.0.iter().position(|c| *c == course).map(|i| i + 1)
    }
}

/// A proposal's review state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    /// Waiting for the coordinator.
    Submitted,
    /// The coordinator asked for changes; the proposer may edit and resubmit.
    ChangesRequested,
    /// Accepted: it becomes a course in the programme.
    Accepted,
    /// Declined, with a note.
    Declined,
}

impl ProposalStatus {
    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::ChangesRequested => "changes_requested",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Every status, in review order.
    pub const ALL: [Self; 4] = [
        Self::Submitted,
        Self::ChangesRequested,
        Self::Accepted,
        Self::Declined,
    ];

    /// A human label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Submitted => "Waiting for review",
            Self::ChangesRequested => "Changes asked for",
            Self::Accepted => "Accepted",
            Self::Declined => "Declined",
        }
    }

    /// The badge class that shows it.
    pub const fn badge(self) -> &'static str {
        match self {
            Self::Submitted => "badge-info",
            Self::ChangesRequested => "badge-warn",
            Self::Accepted => "badge-ok",
            Self::Declined => "badge-muted",
        }
    }

    /// Whether the proposer may still edit it.
    pub const fn editable(self) -> bool {
        matches!(self, Self::Submitted | Self::ChangesRequested)
    }

    /// Whether the coordinator may decide on it now (a decision is final
    /// once accepted or declined).
    pub const fn reviewable(self) -> bool {
        matches!(self, Self::Submitted | Self::ChangesRequested)
    }
}

/// What a coordinator decides about a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Review {
    /// It becomes a course in the programme.
    Accept,
    /// The proposer is asked to change it and send it again.
    AskForChanges,
    /// It will not be offered.
    Decline,
}

impl Review {
    /// Parses a form value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "accept" => Some(Self::Accept),
            "changes" => Some(Self::AskForChanges),
            "decline" => Some(Self::Decline),
            _ => None,
        }
    }

    /// The status it leaves the proposal in.
    pub const fn status(self) -> ProposalStatus {
        match self {
            Self::Accept => ProposalStatus::Accepted,
            Self::AskForChanges => ProposalStatus::ChangesRequested,
            Self::Decline => ProposalStatus::Declined,
        }
    }

    /// Whether a note to the proposer must come with it (a decline or a
    /// request for changes says why).
    pub const fn needs_note(self) -> bool {
        !matches!(self, Self::Accept)
    }
}

/// The longest title a session may have.
pub const MAX_TITLE: usize = 200;
/// The longest description a session may have.
pub const MAX_DESCRIPTION: usize = 4_000;
/// The longest short field (audience, room needs, a note).
pub const MAX_SHORT: usize = 500;

/// A session proposal as the proposer wrote it, checked: a title and a
/// description, the audience it is for, its tags, and what it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalText {
    title: String,
    description: String,
    audience: String,
    tags: String,
    room_needs: String,
}

/// A field of a proposal that cannot be accepted, with why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldProblem {
    /// The form field.
    pub field: &'static str,
    /// What is wrong, in plain words.
    pub message: String,
}

impl FieldProblem {
    /// Checks one field of a form's text: trimmed, needed when `required`,
    /// at most `max` characters. A problem is added to `problems`; the
    /// trimmed value is given either way.
    pub fn check(
        problems: &mut Vec<Self>,
        field: &'static str,
        value: &str,
        max: usize,
        required: bool,
    ) -> String {
        let value = value.trim();
        if required && value.is_empty() {
            problems.push(Self {
                field,
                message: "this is needed".to_owned(),
            });
        } else if value.chars().count() > max {
            problems.push(Self {
                field,
                message: format!("keep it to {max} characters"),
            });
        }
        value.to_owned()
    }
}

impl ProposalText {
    /// Checks a proposal's text; every problem is reported, by field. Tags
    /// may be separated by `;` or `,` and are kept trimmed, distinct and
    /// `;`-separated.
    pub fn new(
        title: &str,
        description: &str,
        audience: &str,
        tags: &str,
        room_needs: &str,
    ) -> Result<Self, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut check = |field: &'static str, value: &str, max: usize, required: bool| {
            FieldProblem::check(&mut problems, field, value, max, required)
        };
        let title = check("title", title, MAX_TITLE, true);
        let description = check("description", description, MAX_DESCRIPTION, true);
        let audience = check("audience", audience, MAX_SHORT, false);
        let room_needs = check("room_needs", room_needs, MAX_SHORT, false);
        let tags = check("tags", tags, MAX_SHORT, false);
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut seen = HashSet::new();
        let tags = tags
            .split([';', ','])
            .map(str::trim)
            .filter(|t| !t.is_empty() && seen.insert(t.to_lowercase()))
            .collect::<Vec<_>>()
            .join(";");
        Ok(Self {
            title,
            description,
            audience,
            tags,
            room_needs,
        })
    }

    /// The session's title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// What it is about, for the catalogue.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Who it is for (a grade band, a subject, a role).
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// Tags or competencies, `;`-separated.
    pub fn tags(&self) -> &str {
        &self.tags
    }

    /// What the room needs (projector, lab, movable tables).
    pub fn room_needs(&self) -> &str {
        &self.room_needs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[i64]) -> Vec<CourseId> {
        v.iter().map(|i| CourseId::new(*i)).collect()
    }

    #[test]
    fn states_round_trip_and_move_forward() {
        for s in EventState::ALL {
            assert_eq!(EventState::parse(s.as_str()), Some(s));
            assert!(!s.can_move_to(EventState::Setup) || s == EventState::Proposals);
        }
        assert!(EventState::Setup.can_move_to(EventState::Preferences));
        assert!(
            EventState::Closed.can_move_to(EventState::Preferences),
            "a window can reopen"
        );
        assert!(
            EventState::Assigned.can_move_to(EventState::Assigned),
            "re-run"
        );
        assert!(
            !EventState::Published.can_move_to(EventState::Assigned),
            "published schedules stand"
        );
        assert!(
            !EventState::Preferences.can_move_to(EventState::Assigned),
            "close first"
        );
        assert!(
            EventState::ALL
                .iter()
                .all(|s| !EventState::Finished.can_move_to(*s))
        );
    }

    #[test]
    fn windows_are_half_open() {
        assert_eq!(PreferenceWindow::new(10, 10), Err(WindowError));
        let w = PreferenceWindow::new(10, 20).expect("valid");
        assert!(!w.is_open(9) && w.is_open(10) && w.is_open(19) && !w.is_open(20));
    }

    #[test]
    fn rankings_are_distinct_offered_and_bounded() {
        let offered: HashSet<CourseId> = ids(&[1, 2, 3, 4]).into_iter().collect();
        let r = Ranking::new(ids(&[3, 1]), 9, &offered).expect("valid");
        assert_eq!(
            (r.rank_of(CourseId::new(3)), r.rank_of(CourseId::new(1))),
            (Some(1), Some(2))
        );
        assert_eq!(r.rank_of(CourseId::new(4)), None);
        assert!(
            Ranking::new(Vec::new(), 9, &offered).is_ok(),
            "ranking nothing is allowed"
        );
        assert_eq!(
            Ranking::new(ids(&[1, 1]), 9, &offered),
            Err(RankingError::Duplicate(CourseId::new(1)))
        );
        assert_eq!(
            Ranking::new(ids(&[1, 2, 3]), 2, &offered),
            Err(RankingError::TooMany { max: 2 })
        );
        assert_eq!(
            Ranking::new(ids(&[7]), 9, &offered),
            Err(RankingError::NotOffered(CourseId::new(7)))
        );
    }

    #[test]
    fn proposal_text_is_checked_by_field() {
        let t = ProposalText::new(
            " Number talks ",
            "Daily routines",
            "K-5",
            "math; Fluency,math ;",
            "",
        )
        .expect("valid");
        assert_eq!((t.title(), t.tags()), ("Number talks", "math;Fluency"));
        let e = ProposalText::new("", &"x".repeat(MAX_DESCRIPTION + 1), "", "", "")
            .expect_err("empty title, long description");
        let fields: Vec<&str> = e.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["title", "description"]);
        assert!(Review::Decline.needs_note() && !Review::Accept.needs_note());
        assert_eq!(
            Review::parse("changes").map(Review::status),
            Some(ProposalStatus::ChangesRequested)
        );
    }

    #[test]
    fn an_audience_narrows_by_school_and_role() {
        use crate::{OrgId, Placement};
        let at = |district: i64, school: Option<i64>| Placement {
            district: Some(OrgId::new(district)),
            school: school.map(OrgId::new),
            ..Placement::default()
        };
        let d = OrgId::new(10);
        let everyone = Audience::default();
        assert!(everyone.is_everyone());
        assert!(everyone.admits(d, &[at(10, Some(100))], "aide"));
        assert!(everyone.admits(d, &[at(10, None)], "districtAdministrator"));
        assert!(
            !everyone.admits(d, &[at(11, Some(110))], "teacher"),
            "another district"
        );
        let some = Audience {
            schools: vec![OrgId::new(100)],
            roles: vec!["teacher".to_owned()],
        };
        assert!(some.admits(d, &[at(10, Some(101)), at(10, Some(100))], "teacher"));
        assert!(
            !some.admits(d, &[at(10, Some(101))], "teacher"),
            "another school"
        );
        assert!(
            !some.admits(d, &[at(10, None)], "teacher"),
            "the district office"
        );
        assert!(
            !some.admits(d, &[at(10, Some(100))], "aide"),
            "another role"
        );
    }

    #[test]
    fn proposals_are_reviewed_once() {
        for s in [ProposalStatus::Submitted, ProposalStatus::ChangesRequested] {
            assert!(s.editable() && s.reviewable());
        }
        for s in [ProposalStatus::Accepted, ProposalStatus::Declined] {
            assert!(!s.editable() && !s.reviewable());
            assert_eq!(ProposalStatus::parse(s.as_str()), Some(s));
        }
    }
}
