//! Goals a school system sets for a school year: a district's, and a
//! school's (optionally serving one of its district's). Personal goals
//! connect to these.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A school year, written `2026-27`: it starts in the autumn of its first
/// calendar year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SchoolYear(i32);

impl SchoolYear {
    /// Reads `2026-27` or `2026-2027` (the second year must follow the first).
    pub fn parse(s: &str) -> Option<Self> {
        let (a, b) = s.trim().split_once(['-', '–', '/'])?;
        let first: i32 = a.trim().parse().ok()?;
        let second: i32 = b.trim().parse().ok()?;
        let follows = match b.trim().len() {
            2 => second == (first + 1) % 100,
            4 => second == first + 1,
            _ => false,
        };
        ((1990..=2100).contains(&first) && follows).then_some(Self(first))
    }

    /// The year starting in the autumn of `year`.
    pub const fn starting(year: i32) -> Self {
        Self(year)
    }

    /// The calendar year it starts in.
    pub const fn start(self) -> i32 {
        self.0
    }

    /// The school year a date (year, month) falls in: from July on it is the
    /// year starting then.
    pub const fn of(year: i32, month: u8) -> Self {
        if month >= 7 {
            Self(year)
        } else {
            Self(year - 1)
        }
    }
}

impl fmt::Display for SchoolYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.0, (self.0 + 1) % 100)
    }
}

/// A system goal's words, checked: what it aims at, the measure watched,
/// the target, and the students it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemGoalText {
    /// "All students read at grade level by grade 3."
    pub statement: String,
    /// "Spring reading benchmark, grade 3."
    pub measure: String,
    /// "80% at or above benchmark."
    pub target: String,
    /// "Multilingual learners; students with IEPs" (empty: all students).
    pub groups: String,
}

impl SystemGoalText {
    /// Checks the words; every problem is named by field.
    pub fn new(
        statement: &str,
        measure: &str,
        target: &str,
        groups: &str,
    ) -> Result<Self, Vec<crate::pdday::FieldProblem>> {
        use crate::pdday::FieldProblem;
        let mut problems = Vec::new();
        let mut field = |name: &'static str, v: &str, max: usize, required: bool| {
            FieldProblem::check(&mut problems, name, v, max, required)
        };
        let text = Self {
            statement: field("statement", statement, 1_000, true),
            measure: field("measure", measure, 500, true),
            target: field("target", target, 500, true),
            groups: field("groups", groups, 500, false),
        };
        if problems.is_empty() {
            Ok(text)
        } else {
            Err(problems)
        }
    }
}

/// What a system goal's measure reads from the imported results: the share
/// of students on track in a subject's whole test, for one grade or all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultsMeasure {
    /// The tested subject, as results name it ("Reading").
    pub subject: String,
    /// One grade ("03"), or every grade.
    pub grade: Option<String>,
    /// The share on track aimed for, percent.
    pub target_percent: Option<u8>,
}

impl ResultsMeasure {
    /// How a page says it: "Share on track in Reading, grade 3, aiming
    /// for 80%".
    pub fn label(&self) -> String {
        let grade = match self.grade.as_deref() {
            None => "every grade".to_owned(),
            Some("KG" | "K") => "kindergarten".to_owned(),
            Some(g) => format!("grade {}", g.trim_start_matches('0')),
        };
        let aim = self
            .target_percent
            .map(|p| format!(", aiming for {p}%"))
            .unwrap_or_default();
        format!("Share on track in {}, {grade}{aim}", self.subject)
    }

    /// Reads the goal form's fields: no subject, no measure; a grade and a
    /// target are optional, the target a whole percent from 1 to 100.
    pub fn from_form(
        subject: &str,
        grade: &str,
        target: &str,
    ) -> Result<Option<Self>, crate::pdday::FieldProblem> {
        let subject = subject.trim();
        if subject.is_empty() {
            return Ok(None);
        }
        let target = target.trim().trim_end_matches('%').trim();
        let target_percent = if target.is_empty() {
            None
        } else {
            match target.parse::<u8>() {
                Ok(p @ 1..=100) => Some(p),
                _ => {
                    return Err(crate::pdday::FieldProblem {
                        field: "results_target",
                        message:
                            "give the share on track aimed for as a whole percent from 1 to 100"
                                .to_owned(),
                    });
                }
            }
        };
        let grade = Some(grade.trim())
            .filter(|g| !g.is_empty())
            .map(str::to_owned);
        Ok(Some(Self {
            subject: subject.to_owned(),
            grade,
            target_percent,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_results_measure_is_read_from_the_form() {
        assert_eq!(ResultsMeasure::from_form(" ", "03", "80"), Ok(None));
        assert_eq!(
            ResultsMeasure::from_form("Reading", "03", "80 %"),
            Ok(Some(ResultsMeasure {
                subject: "Reading".to_owned(),
                grade: Some("03".to_owned()),
                target_percent: Some(80),
            }))
        );
        assert_eq!(
            ResultsMeasure::from_form("Reading", "", "")
                .ok()
                .flatten()
                .map(|m| (m.grade, m.target_percent)),
            Some((None, None))
        );
        let m = ResultsMeasure::from_form("Reading", "03", "80")
            .ok()
            .flatten();
        assert_eq!(
            m.map(|m| m.label()).as_deref(),
            Some("Share on track in Reading, grade 3, aiming for 80%")
        );
        for bad in ["0", "101", "eighty", "-5"] {
            assert!(
                ResultsMeasure::from_form("Reading", "", bad).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn school_years_read_and_print() {
        assert_eq!(
            SchoolYear::parse("2026-27"),
            Some(SchoolYear::starting(2026))
        );
        assert_eq!(
            SchoolYear::parse("2026-2027"),
            Some(SchoolYear::starting(2026))
        );
        assert_eq!(
            SchoolYear::parse("2099-00"),
            Some(SchoolYear::starting(2099))
        );
        assert_eq!(SchoolYear::parse("2026-28"), None);
        assert_eq!(SchoolYear::parse("26-27"), None);
        assert_eq!(SchoolYear::starting(2026).to_string(), "2026-27");
        assert_eq!(SchoolYear::of(2027, 3), SchoolYear::starting(2026));
        assert_eq!(SchoolYear::of(2026, 9), SchoolYear::starting(2026));
    }

    #[test]
    fn goal_text_names_each_problem() {
        let e = SystemGoalText::new("", "Benchmark", "", "").expect_err("empty");
        let fields: Vec<&str> = e.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["statement", "target"]);
        assert!(SystemGoalText::new(" Read by 3 ", "Benchmark", "80%", "").is_ok());
    }
}
