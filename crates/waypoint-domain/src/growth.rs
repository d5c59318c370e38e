//! An educator's growth plan: a personal goal co-constructed with a coach or
//! principal, the evidence gathered along the way, the check-ins that keep
//! it moving, and competency levels from a starting point to a target.

use crate::pdday::FieldProblem;
use serde::{Deserialize, Serialize};

/// Where a personal goal is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    /// The educator is writing it.
    Draft,
    /// With the coach or principal, who comments and agrees.
    InReview,
    /// Agreed: this version is what is tracked.
    Agreed,
    /// Agreed and under way (evidence or a check-in recorded).
    InProgress,
    /// Closed with a reflection.
    Complete,
    /// Closed and carried into the next school year.
    CarriedOver,
}

impl GoalStatus {
    /// Every status, in the order a goal moves through them.
    pub const ALL: [Self; 6] = [
        Self::Draft,
        Self::InReview,
        Self::Agreed,
        Self::InProgress,
        Self::Complete,
        Self::CarriedOver,
    ];

    /// The stable name used in storage and the API.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::InReview => "in_review",
            Self::Agreed => "agreed",
            Self::InProgress => "in_progress",
            Self::Complete => "complete",
            Self::CarriedOver => "carried_over",
        }
    }

    /// Reads a stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// How people read it.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::InReview => "In review",
            Self::Agreed => "Agreed",
            Self::InProgress => "In progress",
            Self::Complete => "Reflected and complete",
            Self::CarriedOver => "Carried over",
        }
    }

    /// Whether the goal has been agreed and is being worked on.
    pub const fn is_active(self) -> bool {
        matches!(self, Self::Agreed | Self::InProgress)
    }

    /// Whether the goal is closed.
    pub const fn is_closed(self) -> bool {
        matches!(self, Self::Complete | Self::CarriedOver)
    }

    /// Whether its owner may still change its words (a change to an agreed
    /// goal goes back for review).
    pub const fn is_editable(self) -> bool {
        !self.is_closed()
    }
}

/// One field of a goal's words: its stable name and how a form labels it.
pub const GOAL_FIELDS: [(&str, &str); 7] = [
    ("inquiry", "Inquiry question"),
    ("strengths", "Where I start (point A)"),
    ("success", "Success criteria (point B)"),
    ("students", "Students it is for"),
    ("actions", "Actions"),
    ("supports", "Support I want"),
    ("timeline", "Timeline"),
];

/// The label of a goal field, or "the whole goal" for a comment on none.
pub fn field_label(field: &str) -> &'static str {
    GOAL_FIELDS
        .iter()
        .find(|(f, _)| *f == field)
        .map_or("The whole goal", |(_, l)| l)
}

/// A personal goal's words, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalText {
    /// "How can I … so that my students …?"
    pub inquiry: String,
    /// The strengths the educator starts from (point A).
    pub strengths: String,
    /// What success looks like (point B).
    pub success: String,
    /// The students or group it targets (optional).
    pub students: String,
    /// What they will do.
    pub actions: String,
    /// The support they want (coaching, release time, a PLC).
    pub supports: String,
    /// When (optional).
    pub timeline: String,
}

impl GoalText {
    /// Checks the words; every problem is named by field. The inquiry
    /// question, point A, point B and the actions are needed.
    pub fn new(
        inquiry: &str,
        strengths: &str,
        success: &str,
        students: &str,
        actions: &str,
        supports: &str,
        timeline: &str,
    ) -> Result<Self, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut field = |name: &'static str, v: &str, max: usize, required: bool| {
            FieldProblem::check(&mut problems, name, v, max, required)
        };
        let text = Self {
            inquiry: field("inquiry", inquiry, 500, true),
            strengths: field("strengths", strengths, 2_000, true),
            success: field("success", success, 2_000, true),
            students: field("students", students, 500, false),
            actions: field("actions", actions, 4_000, true),
            supports: field("supports", supports, 2_000, false),
            timeline: field("timeline", timeline, 500, false),
        };
        if problems.is_empty() {
            Ok(text)
        } else {
            Err(problems)
        }
    }

    /// The value of a field by its stable name.
    pub fn get(&self, field: &str) -> &str {
        match field {
            "inquiry" => &self.inquiry,
            "strengths" => &self.strengths,
            "success" => &self.success,
            "students" => &self.students,
            "actions" => &self.actions,
            "supports" => &self.supports,
            "timeline" => &self.timeline,
            _ => "",
        }
    }
}

/// What a piece of evidence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// The educator's own reflection.
    Reflection,
    /// A lesson plan, a video, a photo: a file or a link.
    Artifact,
    /// Notes from an observation.
    Observation,
    /// Samples of student work.
    StudentWork,
    /// Results of the targeted students.
    StudentImpact,
}

impl EvidenceKind {
    /// Every kind, in the order a form offers them.
    pub const ALL: [Self; 5] = [
        Self::Reflection,
        Self::Artifact,
        Self::Observation,
        Self::StudentWork,
        Self::StudentImpact,
    ];

    /// The stable name used in storage and the API.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Reflection => "reflection",
            Self::Artifact => "artifact",
            Self::Observation => "observation",
            Self::StudentWork => "student_work",
            Self::StudentImpact => "student_impact",
        }
    }

    /// Reads a stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// How people read it.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Reflection => "Reflection",
            Self::Artifact => "Artifact",
            Self::Observation => "Observation notes",
            Self::StudentWork => "Student work",
            Self::StudentImpact => "Student impact",
        }
    }
}

/// The levels every competency is rated on, lowest first (stored as 1-4).
pub const LEVELS: [&str; 4] = ["Beginning", "Developing", "Proficient", "Accomplished"];

/// The name of a level (1-4), or "" out of range.
pub fn level_label(level: i64) -> &'static str {
    usize::try_from(level - 1)
        .ok()
        .and_then(|i| LEVELS.get(i))
        .copied()
        .unwrap_or("")
}

/// The progress scale of a check-in (stored as 1-4).
pub const PROGRESS: [&str; 4] = [
    "Just starting",
    "Some progress",
    "Good progress",
    "Point B reached",
];

/// The name of a progress step (1-4), or "" out of range.
pub fn progress_label(step: i64) -> &'static str {
    usize::try_from(step - 1)
        .ok()
        .and_then(|i| PROGRESS.get(i))
        .copied()
        .unwrap_or("")
}

/// What a competency rating says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingKind {
    /// The educator's own starting point.
    SelfAssessed,
    /// Where the educator aims to be.
    Target,
    /// A move the educator claims, resting on evidence, for a reviewer to
    /// confirm.
    Claim,
    /// A reviewer's own judgement.
    Review,
}

impl RatingKind {
    /// Every kind.
    pub const ALL: [Self; 4] = [Self::SelfAssessed, Self::Target, Self::Claim, Self::Review];

    /// The stable name used in storage and the API.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SelfAssessed => "self",
            Self::Target => "target",
            Self::Claim => "claim",
            Self::Review => "review",
        }
    }

    /// Reads a stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// How people read it.
    pub const fn label(self) -> &'static str {
        match self {
            Self::SelfAssessed => "Self-assessed",
            Self::Target => "Target",
            Self::Claim => "Claimed with evidence",
            Self::Review => "Reviewer's rating",
        }
    }
}

/// The kinds of file evidence may carry, by extension: the type it is
/// served as, and the bytes it must start with (empty: UTF-8 text).
const FILE_TYPES: [(&str, &str, &[u8]); 11] = [
    ("pdf", "application/pdf", b"%PDF-"),
    ("png", "image/png", b"\x89PNG\r\n\x1a\n"),
    ("jpg", "image/jpeg", b"\xff\xd8\xff"),
    ("jpeg", "image/jpeg", b"\xff\xd8\xff"),
    ("gif", "image/gif", b"GIF8"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        b"PK\x03\x04",
    ),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        b"PK\x03\x04",
    ),
    ("txt", "text/plain; charset=utf-8", b""),
    ("csv", "text/csv; charset=utf-8", b""),
    ("md", "text/markdown; charset=utf-8", b""),
];

/// The largest file evidence may carry.
pub const MAX_EVIDENCE_BYTES: usize = 10 * 1024 * 1024;

/// The extensions evidence files may have, for a form's hint.
pub fn evidence_extensions() -> String {
    FILE_TYPES
        .iter()
        .map(|(e, _, _)| format!(".{e}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks an evidence file: its size, its extension, and that its bytes
/// are what the extension says. Gives the type to serve it as.
pub fn evidence_file_type(name: &str, bytes: &[u8]) -> Result<&'static str, String> {
    if bytes.is_empty() {
        return Err("the file is empty".to_owned());
    }
    if bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(format!(
            "the file is {:.1} MB; the limit is {} MB",
            bytes.len() as f64 / 1_048_576.0,
            MAX_EVIDENCE_BYTES / 1_048_576
        ));
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let Some((_, mime, magic)) = FILE_TYPES.iter().find(|(e, _, _)| *e == ext) else {
        return Err(format!(
            "files of this type cannot be added; use one of {}",
            evidence_extensions()
        ));
    };
    let fits = if magic.is_empty() {
        std::str::from_utf8(bytes).is_ok()
    } else {
        bytes.starts_with(magic)
    };
    if fits {
        Ok(mime)
    } else {
        Err(format!("the file's contents are not a .{ext} file"))
    }
}

/// Checks a link given as evidence: http or https only.
pub fn evidence_link(link: &str) -> Result<String, String> {
    let link = link.trim();
    let lower = link.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) || link.len() < 10 {
        return Err("give a full web address starting with https://".to_owned());
    }
    if link.chars().count() > 2_000 || link.chars().any(char::is_whitespace) {
        return Err("the web address is not valid".to_owned());
    }
    Ok(link.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_kinds_round_trip() {
        for s in GoalStatus::ALL {
            assert_eq!(GoalStatus::parse(s.as_str()), Some(s));
        }
        for k in EvidenceKind::ALL {
            assert_eq!(EvidenceKind::parse(k.as_str()), Some(k));
        }
        for k in RatingKind::ALL {
            assert_eq!(RatingKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(GoalStatus::parse("agreed!"), None);
    }

    #[test]
    fn goal_text_names_each_problem() {
        let e = GoalText::new("", "Strong routines", "", "", "Try it", "", "").expect_err("empty");
        let fields: Vec<&str> = e.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["inquiry", "success"]);
        let t = GoalText::new(" How? ", "A", "B", "", "Do", "", "").expect("valid");
        assert_eq!(t.get("inquiry"), "How?");
        assert_eq!(field_label("success"), "Success criteria (point B)");
        assert_eq!(field_label(""), "The whole goal");
    }

    #[test]
    fn files_are_checked_by_extension_and_contents() {
        assert_eq!(
            evidence_file_type("plan.PDF", b"%PDF-1.7 ..."),
            Ok("application/pdf")
        );
        assert!(evidence_file_type("plan.pdf", b"<html>").is_err());
        assert!(evidence_file_type("run.exe", b"MZ").is_err());
        assert!(evidence_file_type("notes.txt", b"\xff\xfe").is_err());
        assert!(evidence_file_type("notes.txt", b"").is_err());
        assert!(evidence_file_type("notes.txt", "ok".as_bytes()).is_ok());
        let big = vec![b'a'; MAX_EVIDENCE_BYTES + 1];
        assert!(evidence_file_type("big.txt", &big).is_err());
    }

    #[test]
    fn links_must_be_web_addresses() {
        assert!(evidence_link("https://example.org/lesson").is_ok());
        assert!(evidence_link("javascript:alert(1)").is_err());
        assert!(evidence_link("https://a b.org").is_err());
        assert_eq!(level_label(3), "Proficient");
        assert_eq!(level_label(0), "");
        assert_eq!(progress_label(4), "Point B reached");
    }
}
