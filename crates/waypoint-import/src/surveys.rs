//! Student survey results from CSV, so what students say sits beside what
//! they do. Waypoint's template has one row per student, survey, day and
//! question:
//!
//! ```text
//! student_id,survey,date,question,answer,scale_max
//! S-1001,Spring climate survey,2026-04-14,I feel like I belong at this school.,4,5
//! S-1001,Spring climate survey,2026-04-14,What would make class better?,More group work,
//! ```
//!
//! An answer that is a whole number is a point on the question's scale
//! (1 up to `scale_max`, which is 5 when the column is missing or empty);
//! anything else is a written answer. Demographic columns are never read.
//! Every problem is located by line, column and header; a file with any
//! problem yields nothing.

use crate::assessments::Reader;
use crate::error::Problem;

/// The longest written answer kept, in characters.
pub const MAX_TEXT: usize = 2_000;

/// One student's answer to one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyAnswer {
    /// The line it came from (the header is line 1).
    pub line: u64,
    /// The student as the file names them (sourcedId or identifier).
    pub student: String,
    /// The survey's name.
    pub survey: String,
    /// When it was answered, `yyyy-mm-dd`.
    pub date: String,
    /// The question as asked.
    pub question: String,
    /// The answer.
    pub answer: Answer,
}

/// What a student answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A point on a scale from 1 to `max`.
    Scale {
        /// The point.
        value: u8,
        /// The scale's top.
        max: u8,
    },
    /// Written words.
    Text(String),
}

/// Reads a survey file; `file` names it in problems.
pub fn read_surveys(file: &str, bytes: &[u8]) -> Result<Vec<SurveyAnswer>, Vec<Problem>> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header: Vec<String> = match csv.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_owned()).collect(),
        Err(e) => {
            return Err(vec![
                Problem::new(file, format!("the file is not CSV: {e}")).at_line(1),
            ]);
        }
    };
    let mut r = Reader::new(file, &header);
    if !r.require(&["student_id", "survey", "date", "question", "answer"]) {
        return Err(r.problems);
    }
    let mut answers = Vec::new();
    for (n, row) in csv.records().enumerate() {
        let line = n as u64 + 2;
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                r.problem(line, None, "", format!("the row cannot be read: {e}"));
                continue;
            }
        };
        let mut missing = false;
        for name in ["student_id", "survey", "question", "answer"] {
            if r.get(&row, name).is_empty() {
                let col = r.col(name);
                r.problem(
                    line,
                    col,
                    name,
                    format!("the {} is missing", name.replace('_', " ")),
                );
                missing = true;
            }
        }
        let date = r.date(&row, line, "date");
        let max = match r.get(&row, "scale_max") {
            "" => Some(5),
            raw => match raw.parse::<u8>() {
                Ok(m) if (2..=10).contains(&m) => Some(m),
                _ => {
                    let col = r.col("scale_max");
                    r.problem(
                        line,
                        col,
                        "scale_max",
                        format!("\"{raw}\" is not a scale's top (2 to 10)"),
                    );
                    None
                }
            },
        };
        let raw = r.get(&row, "answer");
        let answer = match (raw.parse::<u8>(), max) {
            (Ok(value), Some(max)) if (1..=max).contains(&value) => {
                Some(Answer::Scale { value, max })
            }
            (Ok(value), Some(max)) => {
                let col = r.col("answer");
                r.problem(
                    line,
                    col,
                    "answer",
                    format!("{value} is off the scale of 1 to {max}"),
                );
                None
            }
            (Ok(_), None) => None,
            (Err(_), _) if raw.chars().count() > MAX_TEXT => {
                let col = r.col("answer");
                r.problem(
                    line,
                    col,
                    "answer",
                    format!("the answer is longer than {MAX_TEXT} characters"),
                );
                None
            }
            (Err(_), _) => Some(Answer::Text(raw.to_owned())),
        };
        if missing {
            continue;
        }
        if let (Some(date), Some(answer)) = (date, answer) {
            answers.push(SurveyAnswer {
                line,
                student: r.get(&row, "student_id").to_owned(),
                survey: r.get(&row, "survey").to_owned(),
                date,
                question: r.get(&row, "question").to_owned(),
                answer,
            });
        }
    }
    if r.problems.is_empty() {
        Ok(answers)
    } else {
        Err(r.problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_points_and_written_answers_are_read() {
        let file = "student_id,survey,date,question,answer,scale_max,Gender\n\
                    S1,Climate,2026-04-14,I belong here.,4,5,F\n\
                    S1,Climate,4/14/2026,What would help?,\"More time, please\",,F\n\
                    S2,Climate,2026-04-14,I belong here.,2,,M\n";
        let answers = read_surveys("s.csv", file.as_bytes()).expect("read");
        assert_eq!(answers.len(), 3);
        assert_eq!(answers[0].answer, Answer::Scale { value: 4, max: 5 });
        assert_eq!(answers[1].answer, Answer::Text("More time, please".into()));
        assert_eq!(answers[1].date, "2026-04-14");
        assert_eq!(answers[2].answer, Answer::Scale { value: 2, max: 5 });
    }

    #[test]
    fn bad_rows_are_located_and_nothing_is_read() {
        let file = "student_id,survey,date,question,answer,scale_max\n\
                    S1,Climate,2026-04-14,I belong here.,7,5\n\
                    ,Climate,2026-13-01,I belong here.,3,\n\
                    S3,Climate,2026-04-14,I belong here.,3,12\n";
        let problems = read_surveys("s.csv", file.as_bytes()).expect_err("refused");
        let at: Vec<(Option<u64>, Option<&str>)> = problems
            .iter()
            .map(|p| (p.line, p.field.as_deref()))
            .collect();
        assert_eq!(
            at,
            [
                (Some(2), Some("answer")),
                (Some(3), Some("student_id")),
                (Some(3), Some("date")),
                (Some(4), Some("scale_max")),
            ]
        );
        assert!(problems[0].message.contains("off the scale"));
        assert_eq!(problems[1].column, Some(1));
        let missing =
            read_surveys("s.csv", b"student_id,date\nS1,2026-01-01\n").expect_err("refused");
        assert_eq!(missing.len(), 3, "{missing:?}");
        assert_eq!(missing[0].line, Some(1));
    }
}
