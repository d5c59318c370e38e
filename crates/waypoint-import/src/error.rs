//! Located problems and the one error an import returns.
//!
//! An import reads the whole package and reports every problem it finds (up
//! to [`MAX_PROBLEMS`]), each pointing at a file, line, column and field, so a
//! district can fix its export in one round instead of one error at a time.

use std::fmt;

/// The most problems one [`ImportError`] keeps; beyond it `truncated` is set.
pub const MAX_PROBLEMS: usize = 100;

/// One thing wrong with a package, located as precisely as possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file inside the package (`users.csv`), or the package path itself.
    pub file: String,
    /// The 1-based line in that file (the header is line 1).
    pub line: Option<u64>,
    /// The 1-based column (field position in the row).
    pub column: Option<u64>,
    /// The column's header name, e.g. `role`.
    pub field: Option<String>,
    /// What is wrong, and where it helps, what was expected.
    pub message: String,
}

impl Problem {
    /// A problem with a whole file (no line).
    pub fn new(file: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            line: None,
            column: None,
            field: None,
            message: message.into(),
        }
    }

    /// The same problem, located at `line`.
    #[must_use]
    pub fn at_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    /// The same problem, located at `column`.
    #[must_use]
    pub fn at_column(mut self, column: u64) -> Self {
        self.column = Some(column);
        self
    }

    /// The same problem, naming the column's header.
    #[must_use]
    pub fn in_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        if let Some(field) = &self.field {
            write!(f, " (field \"{field}\")")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Why a package was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Not a OneRoster package at all (no manifest, a Microsoft School Data
    /// Sync export, not a zip archive, …).
    NotOneRoster,
    /// A OneRoster version Waypoint does not read (1.0, or a future one).
    Unsupported,
    /// A OneRoster 1.1 / 1.2 package with invalid content, or one that could
    /// not be read.
    Invalid,
}

impl ErrorKind {
    /// A short human summary of the kind.
    pub const fn summary(self) -> &'static str {
        match self {
            Self::NotOneRoster => "not a OneRoster 1.1/1.2 CSV package",
            Self::Unsupported => "unsupported OneRoster package",
            Self::Invalid => "invalid OneRoster package",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.summary())
    }
}

/// A refused package: every problem found (up to [`MAX_PROBLEMS`]).
///
/// Displays as a summary line followed by one problem per line, each like
/// `users.csv:12:5 (field "role"): unknown role "wizard"`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", render(self))]
pub struct ImportError {
    /// The problems, in the order they were found.
    pub problems: Vec<Problem>,
    /// Whether more problems were found than [`MAX_PROBLEMS`].
    pub truncated: bool,
    /// Why the package was refused.
    pub kind: ErrorKind,
}

impl ImportError {
    /// An error holding a single problem.
    pub fn single(kind: ErrorKind, problem: Problem) -> Self {
        Self {
            problems: vec![problem],
            truncated: false,
            kind,
        }
    }
}

fn render(e: &ImportError) -> String {
    let n = e.problems.len();
    let mut out = format!(
        "{} ({n} problem{}{})",
        e.kind,
        if n == 1 { "" } else { "s" },
        if e.truncated { ", more not shown" } else { "" }
    );
    for p in &e.problems {
        out.push_str("\n  ");
        out.push_str(&p.to_string());
    }
    out
}

/// Collects problems up to [`MAX_PROBLEMS`].
#[derive(Debug, Default)]
pub(crate) struct Problems {
    list: Vec<Problem>,
    truncated: bool,
}

impl Problems {
    pub(crate) fn push(&mut self, problem: Problem) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(problem);
        } else {
            self.truncated = true;
        }
    }

    /// Whether a problem has already been dropped; readers stop early then.
    pub(crate) fn is_truncated(&self) -> bool {
        self.truncated
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub(crate) fn into_error(self, kind: ErrorKind) -> ImportError {
        ImportError {
            problems: self.list,
            truncated: self.truncated,
            kind,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_display_is_located() {
        let p = Problem::new("users.csv", "unknown role \"wizard\"")
            .at_line(12)
            .at_column(5)
            .in_field("role");
        assert_eq!(
            p.to_string(),
            "users.csv:12:5 (field \"role\"): unknown role \"wizard\""
        );
        assert_eq!(
            Problem::new("manifest.csv", "missing").to_string(),
            "manifest.csv: missing"
        );
    }

    #[test]
    fn problems_truncate_at_the_limit() {
        let mut ps = Problems::default();
        for i in 0..(MAX_PROBLEMS + 5) {
            ps.push(Problem::new("x.csv", format!("p{i}")));
        }
        assert!(ps.is_truncated());
        let e = ps.into_error(ErrorKind::Invalid);
        assert_eq!(e.problems.len(), MAX_PROBLEMS);
        assert!(e.truncated);
        assert!(
            e.to_string()
                .starts_with("invalid OneRoster package (100 problems, more not shown)")
        );
    }
}
