//! Assessment results from CSV: Waypoint's own template and the exports of
//! NWEA MAP Growth (AssessmentResults, CombinedAssessmentResults) and
//! Curriculum Associates i-Ready (diagnostic results, and diagnostic and
//! instruction year-to-date). Each file becomes one row per student, test,
//! and domain (the overall score and each domain's), with the score, its
//! scale, a performance level and a percentile where the vendor gives one.
//!
//! Only the columns named here are read; everything else is dropped, and
//! demographic columns (sex, race, programme flags and the like) are
//! counted as dropped so the caller can say so. Every problem is located
//! by line, column and header; a file with any problem yields nothing.

use crate::error::{MAX_PROBLEMS, Problem};
use std::collections::HashMap;

/// Which layout a file has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `student_id,assessment,subject,domain,date,score,scale,level,percentile`.
    Generic,
    /// NWEA MAP Growth AssessmentResults or CombinedAssessmentResults.
    NweaMap,
    /// i-Ready diagnostic results (one row per diagnostic taken).
    IreadyDiagnostic,
    /// i-Ready diagnostic and instruction, year to date (up to five
    /// diagnostics and the most recent per row).
    IreadyYearToDate,
}

impl Format {
    /// Every format, for the CLI and forms.
    pub const ALL: [Self; 4] = [
        Self::Generic,
        Self::NweaMap,
        Self::IreadyDiagnostic,
        Self::IreadyYearToDate,
    ];

    /// The stable name (`--format` in the CLI).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Generic => "generic",
            Self::NweaMap => "nwea-map",
            Self::IreadyDiagnostic => "iready-diagnostic",
            Self::IreadyYearToDate => "iready-ytd",
        }
    }

    /// Reads a stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// How people read it.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Generic => "Waypoint assessment template",
            Self::NweaMap => "NWEA MAP Growth",
            Self::IreadyDiagnostic => "i-Ready diagnostic results",
            Self::IreadyYearToDate => "i-Ready diagnostic and instruction (year to date)",
        }
    }

    /// The layout a header row has, if any.
    pub fn detect(header: &[String]) -> Option<Self> {
        let has = |name: &str| header.iter().any(|h| h == name);
        if has("TestRITScore") && has("StudentID") {
            Some(Self::NweaMap)
        } else if has("Diagnostic: Overall Scale Score (Most Recent)") {
            Some(Self::IreadyYearToDate)
        } else if has("Overall Scale Score") && has("Student ID") {
            Some(Self::IreadyDiagnostic)
        } else if has("student_id") && has("score") {
            Some(Self::Generic)
        } else {
            None
        }
    }
}

/// One result: a student's score on one domain of one test.
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentResult {
    /// The line it came from (the header is line 1).
    pub line: u64,
    /// The student as the file names them (matched to the roster's
    /// sourcedId or identifier).
    pub student: String,
    /// "NWEA MAP Growth", "i-Ready Diagnostic", or the template's name.
    pub assessment: String,
    /// "Math", "Reading", "ELA", "Science", …
    pub subject: String,
    /// "Overall", or the standard or domain ("Phonics", "Geometry", …).
    pub domain: String,
    /// When it was taken, `yyyy-mm-dd`.
    pub date: String,
    /// The score.
    pub score: f64,
    /// The score's scale ("RIT", "i-Ready scale score", …).
    pub scale: String,
    /// A performance level, where given ("Avg", "Early On Grade Level", …).
    pub level: String,
    /// A national percentile, where given.
    pub percentile: Option<u8>,
}

/// A file read whole.
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentFile {
    /// Its layout.
    pub format: Format,
    /// Every result, in file order.
    pub results: Vec<AssessmentResult>,
    /// Demographic columns present in the file and not read.
    pub dropped_demographics: Vec<String>,
}

/// Columns that describe who a student is rather than what they did; never
/// read, always reported as dropped.
const DEMOGRAPHICS: [&str; 16] = [
    "Sex",
    "Gender",
    "StudentGender",
    "Race",
    "StudentEthnicGroup",
    "Hispanic or Latino",
    "English Language Learner",
    "Special Education",
    "Economically Disadvantaged",
    "Migrant",
    "StudentDateOfBirth",
    "Date of Birth",
    "EnglishLanguageLearner",
    "IEP",
    "Section504",
    "FreeReducedLunch",
];

/// i-Ready's domains: math, then reading.
const IREADY_DOMAINS: [&str; 13] = [
    "Number and Operations",
    "Algebra and Algebraic Thinking",
    "Measurement and Data",
    "Geometry",
    "Phonological Awareness",
    "Phonics",
    "High-Frequency Words",
    "Vocabulary",
    "Comprehension: Overall",
    "Comprehension: Literature",
    "Comprehension: Informational Text",
    "Reading Comprehension: Literature",
    "Reading Comprehension: Informational Text",
];

/// Reads cells of a CSV file by header name and collects located problems
/// (shared with [`crate::surveys`]).
pub(crate) struct Reader<'a> {
    file: &'a str,
    index: HashMap<String, usize>,
    pub(crate) problems: Vec<Problem>,
}

impl<'a> Reader<'a> {
    /// A reader of `file`, whose header row is `header`.
    pub(crate) fn new(file: &'a str, header: &[String]) -> Self {
        Reader {
            file,
            index: header
                .iter()
                .enumerate()
                .map(|(i, h)| (h.clone(), i))
                .collect(),
            problems: Vec::new(),
        }
    }

    pub(crate) fn col(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    pub(crate) fn problem(&mut self, line: u64, col: Option<usize>, field: &str, message: String) {
        if self.problems.len() < MAX_PROBLEMS {
            let mut p = Problem::new(self.file, message)
                .at_line(line)
                .in_field(field);
            if let Some(c) = col {
                p = p.at_column(c as u64 + 1);
            }
            self.problems.push(p);
        }
    }

    pub(crate) fn require(&mut self, names: &[&str]) -> bool {
        let missing: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| self.col(n).is_none())
            .collect();
        for m in &missing {
            self.problems.push(
                Problem::new(self.file, format!("the column \"{m}\" is missing"))
                    .at_line(1)
                    .in_field(*m),
            );
        }
        missing.is_empty()
    }

    pub(crate) fn get<'r>(&self, row: &'r csv::StringRecord, name: &str) -> &'r str {
        self.col(name)
            .and_then(|i| row.get(i))
            .map_or("", str::trim)
    }

    /// A date as `m/d/yyyy`, `mm/dd/yyyy` or `yyyy-mm-dd`.
    pub(crate) fn date(
        &mut self,
        row: &csv::StringRecord,
        line: u64,
        name: &str,
    ) -> Option<String> {
        let raw = self.get(row, name);
        let parsed = if let Some((m, rest)) = raw.split_once('/') {
            rest.split_once('/').and_then(|(d, y)| {
                Some((
                    y.parse::<i32>().ok()?,
                    m.parse::<u8>().ok()?,
                    d.parse::<u8>().ok()?,
                ))
            })
        } else {
            let mut parts = raw.splitn(3, '-');
            (|| {
                Some((
                    parts.next()?.parse::<i32>().ok()?,
                    parts.next()?.parse::<u8>().ok()?,
                    parts.next()?.parse::<u8>().ok()?,
                ))
            })()
        };
        match parsed.and_then(|(y, m, d)| {
            let month = time::Month::try_from(m).ok()?;
            time::Date::from_calendar_date(y, month, d).ok()
        }) {
            Some(d) if (1990..=2100).contains(&d.year()) => Some(format!(
                "{:04}-{:02}-{:02}",
                d.year(),
                u8::from(d.month()),
                d.day()
            )),
            _ => {
                let col = self.col(name);
                self.problem(
                    line,
                    col,
                    name,
                    format!("\"{raw}\" is not a date (expected 9/16/2021 or 2021-09-16)"),
                );
                None
            }
        }
    }

    /// A score, or nothing when the cell is empty.
    fn score(&mut self, row: &csv::StringRecord, line: u64, name: &str) -> Option<Option<f64>> {
        let raw = self.get(row, name);
        if raw.is_empty() {
            return Some(None);
        }
        match raw.parse::<f64>() {
            Ok(v) if v.is_finite() && (-10_000.0..=100_000.0).contains(&v) => Some(Some(v)),
            _ => {
                let col = self.col(name);
                self.problem(line, col, name, format!("\"{raw}\" is not a score"));
                None
            }
        }
    }

    fn percentile(&mut self, row: &csv::StringRecord, line: u64, name: &str) -> Option<u8> {
        let raw = self.get(row, name);
        if raw.is_empty() {
            return None;
        }
        match raw.parse::<u8>() {
            Ok(p) if p <= 99 => Some(p),
            _ => {
                let col = self.col(name);
                self.problem(
                    line,
                    col,
                    name,
                    format!("\"{raw}\" is not a percentile (0 to 99)"),
                );
                None
            }
        }
    }
}

/// Reads an assessment file in `format` (detected from its header when
/// `None`). `file` names it in problems.
pub fn read_assessments(
    file: &str,
    bytes: &[u8],
    format: Option<Format>,
) -> Result<AssessmentFile, Vec<Problem>> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    // Vendor exports are not always rectangular (an NWEA sample's last row is
    // one field short): a short row's missing cells read as empty, and what
    // a row needs is checked cell by cell.
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header: Vec<String> = match csv.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_owned()).collect(),
        Err(e) => {
            return Err(vec![
                Problem::new(file, format!("the file is not CSV: {e}")).at_line(1),
            ]);
        }
    };
    let Some(format) = format.or_else(|| Format::detect(&header)) else {
        return Err(vec![Problem::new(
            file,
            "the columns match no known layout: use Waypoint's template (student_id, assessment, subject, domain, date, score, scale, level, percentile) or an NWEA MAP or i-Ready export",
        )
        .at_line(1)]);
    };
    let mut r = Reader::new(file, &header);
    let required: &[&str] = match format {
        Format::Generic => &["student_id", "assessment", "subject", "date", "score"],
        Format::NweaMap => &["StudentID", "Subject", "TestStartDate", "TestRITScore"],
        Format::IreadyDiagnostic => &["Student ID", "Completion Date", "Overall Scale Score"],
        Format::IreadyYearToDate => &["Student ID", "Subject"],
    };
    if !r.require(required) {
        return Err(r.problems);
    }
    let dropped_demographics = DEMOGRAPHICS
        .iter()
        .filter(|d| r.col(d).is_some())
        .map(|d| (*d).to_owned())
        .collect();
    // i-Ready diagnostic results name the subject only by their measure.
    let iready_subject = if r.col("Quantile Measure").is_some() {
        "Math"
    } else {
        "Reading"
    };
    let mut results = Vec::new();
    for (n, row) in csv.records().enumerate() {
        let line = n as u64 + 2;
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                r.problem(line, None, "", format!("the row cannot be read: {e}"));
                continue;
            }
        };
        let mut push = |student: &str,
                        subject: &str,
                        domain: &str,
                        date: &Option<String>,
                        score: Option<f64>,
                        scale: &str,
                        level: &str,
                        percentile: Option<u8>,
                        assessment: &str| {
            if let (Some(date), Some(score)) = (date, score) {
                results.push(AssessmentResult {
                    line,
                    student: student.to_owned(),
                    assessment: assessment.to_owned(),
                    subject: subject.to_owned(),
                    domain: domain.to_owned(),
                    date: date.clone(),
                    score,
                    scale: scale.to_owned(),
                    level: level.to_owned(),
                    percentile,
                });
            }
        };
        match format {
            Format::Generic => {
                let student = r.get(&row, "student_id").to_owned();
                if student.is_empty() {
                    let col = r.col("student_id");
                    r.problem(line, col, "student_id", "the student is missing".to_owned());
                    continue;
                }
                let date = r.date(&row, line, "date");
                let score = r.score(&row, line, "score");
                if matches!(score, Some(None)) {
                    let col = r.col("score");
                    r.problem(line, col, "score", "the score is missing".to_owned());
                }
                let percentile = r.percentile(&row, line, "percentile");
                let domain = match r.get(&row, "domain") {
                    "" => "Overall".to_owned(),
                    d => d.to_owned(),
                };
                let (assessment, subject, scale, level) = (
                    r.get(&row, "assessment").to_owned(),
                    r.get(&row, "subject").to_owned(),
                    r.get(&row, "scale").to_owned(),
                    r.get(&row, "level").to_owned(),
                );
                push(
                    &student,
                    &subject,
                    &domain,
                    &date,
                    score.flatten(),
                    &scale,
                    &level,
                    percentile,
                    &assessment,
                );
            }
            Format::NweaMap => {
                let student = r.get(&row, "StudentID").to_owned();
                let subject = r.get(&row, "Subject").to_owned();
                let date = r.date(&row, line, "TestStartDate");
                let score = r.score(&row, line, "TestRITScore").flatten();
                if score.is_none() {
                    let col = r.col("TestRITScore");
                    r.problem(
                        line,
                        col,
                        "TestRITScore",
                        "the RIT score is missing".to_owned(),
                    );
                }
                let percentile = r.percentile(&row, line, "TestPercentile");
                let level = r.get(&row, "AchievementQuintile").to_owned();
                push(
                    &student,
                    &subject,
                    "Overall",
                    &date,
                    score,
                    "RIT",
                    &level,
                    percentile,
                    "NWEA MAP Growth",
                );
                for g in 1..=8 {
                    let name = r.get(&row, &format!("Goal{g}Name")).to_owned();
                    if name.is_empty() {
                        continue;
                    }
                    let score = r.score(&row, line, &format!("Goal{g}RitScore")).flatten();
                    let level = r.get(&row, &format!("Goal{g}Adjective")).to_owned();
                    push(
                        &student,
                        &subject,
                        &name,
                        &date,
                        score,
                        "RIT",
                        &level,
                        None,
                        "NWEA MAP Growth",
                    );
                }
            }
            Format::IreadyDiagnostic => {
                let student = r.get(&row, "Student ID").to_owned();
                let date = r.date(&row, line, "Completion Date");
                let score = r.score(&row, line, "Overall Scale Score").flatten();
                if score.is_none() {
                    let col = r.col("Overall Scale Score");
                    r.problem(
                        line,
                        col,
                        "Overall Scale Score",
                        "the scale score is missing".to_owned(),
                    );
                }
                let percentile = r.percentile(&row, line, "Percentile");
                let level = r.get(&row, "Overall Relative Placement").to_owned();
                push(
                    &student,
                    iready_subject,
                    "Overall",
                    &date,
                    score,
                    "i-Ready scale score",
                    &level,
                    percentile,
                    "i-Ready Diagnostic",
                );
                for d in IREADY_DOMAINS {
                    let col = format!("{d} Scale Score");
                    if r.col(&col).is_none() {
                        continue;
                    }
                    let score = r.score(&row, line, &col).flatten();
                    let level = r.get(&row, &format!("{d} Relative Placement")).to_owned();
                    push(
                        &student,
                        iready_subject,
                        d,
                        &date,
                        score,
                        "i-Ready scale score",
                        &level,
                        None,
                        "i-Ready Diagnostic",
                    );
                }
            }
            Format::IreadyYearToDate => {
                let student = r.get(&row, "Student ID").to_owned();
                let subject = match r.get(&row, "Subject") {
                    "ELA" | "Reading" => "Reading".to_owned(),
                    s => s.to_owned(),
                };
                // Each diagnostic numbered 1 to 5, then the most recent unless
                // it is one of those (same completion date).
                let mut seen_dates: Vec<String> = Vec::new();
                for k in ["1", "2", "3", "4", "5", "Most Recent"] {
                    let key = |what: &str| format!("Diagnostic: {what} ({k})");
                    if k == "Most Recent"
                        && seen_dates
                            .iter()
                            .any(|d| d == r.get(&row, &key("Completion Date")))
                    {
                        continue;
                    }
                    seen_dates.push(r.get(&row, &key("Completion Date")).to_owned());
                    if r.get(&row, &key("Overall Scale Score")).is_empty() {
                        continue;
                    }
                    let date = r.date(&row, line, &key("Completion Date"));
                    let score = r.score(&row, line, &key("Overall Scale Score")).flatten();
                    let percentile = r.percentile(&row, line, &key("Percentile"));
                    let level = r.get(&row, &key("Overall Relative Placement")).to_owned();
                    push(
                        &student,
                        &subject,
                        "Overall",
                        &date,
                        score,
                        "i-Ready scale score",
                        &level,
                        percentile,
                        "i-Ready Diagnostic",
                    );
                    for d in IREADY_DOMAINS {
                        let col = key(&format!("{d} Scale Score"));
                        if r.col(&col).is_none() {
                            continue;
                        }
                        let score = r.score(&row, line, &col).flatten();
                        let level = r
                            .get(&row, &key(&format!("{d} Relative Placement")))
                            .to_owned();
                        push(
                            &student,
                            &subject,
                            d,
                            &date,
                            score,
                            "i-Ready scale score",
                            &level,
                            None,
                            "i-Ready Diagnostic",
                        );
                    }
                }
            }
        }
        if r.get(
            &row,
            match format {
                Format::Generic => "student_id",
                Format::NweaMap => "StudentID",
                _ => "Student ID",
            },
        )
        .is_empty()
            && format != Format::Generic
        {
            let field = if format == Format::NweaMap {
                "StudentID"
            } else {
                "Student ID"
            };
            let col = r.col(field);
            r.problem(line, col, field, "the student is missing".to_owned());
        }
    }
    if r.problems.is_empty() {
        Ok(AssessmentFile {
            format,
            results,
            dropped_demographics,
        })
    } else {
        Err(r.problems)
    }
}
