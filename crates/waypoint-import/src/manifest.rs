//! `manifest.csv`: the OneRoster version and, per file, whether it is sent
//! in full (`bulk`), as changes (`delta`) or not at all (`absent`).

use crate::Progress;
use crate::error::{ErrorKind, ImportError, Problem, Problems};
use crate::table::read_rows;
use std::collections::HashMap;

/// File name of the manifest.
pub(crate) const MANIFEST: &str = "manifest.csv";

/// The OneRoster versions Waypoint reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    V1_1,
    V1_2,
}

impl Version {
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Self::V1_1 => "1.1",
            Self::V1_2 => "1.2",
        }
    }
}

/// How the manifest declares one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Declared {
    Bulk,
    Delta,
    Absent,
}

/// A parsed manifest.
#[derive(Debug)]
pub(crate) struct Manifest {
    pub(crate) version: Version,
    /// `file.X` entries keyed by lower-cased `X`, with their line.
    files: HashMap<String, (Declared, u64)>,
}

impl Manifest {
    /// How `stem` (e.g. `users`) is declared, and on which line; `None`
    /// when the manifest does not mention it.
    pub(crate) fn declared(&self, stem: &str) -> Option<(Declared, u64)> {
        self.files.get(&stem.to_ascii_lowercase()).copied()
    }
}

/// Parses the manifest. Structural problems go to `p`; an unreadable or
/// unsupported manifest is returned as the error straight away.
pub(crate) fn parse(
    bytes: &[u8],
    p: &mut Problems,
    progress: &mut dyn FnMut(Progress),
) -> Result<Manifest, ImportError> {
    let mut version: Option<(String, u64, Option<u64>)> = None;
    let mut files = HashMap::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let header = read_rows(
        MANIFEST,
        bytes,
        p,
        progress,
        |h, p| (h.column("propertyName", p), h.column("value", p)),
        |(name_col, value_col), row, p| {
            let Some(name) = row.req(name_col, p) else {
                return;
            };
            let value = row.opt(value_col, p).unwrap_or_default();
            if let Some(first) = seen.get(name) {
                p.push(row.at(
                    name_col,
                    format!("duplicate property \"{name}\" (first on line {first})"),
                ));
                return;
            }
            seen.insert(name.to_owned(), row.line);
            if name == "oneroster.version" {
                version = Some((value.to_owned(), row.line, value_col.number()));
            } else if let Some(stem) = name.strip_prefix("file.") {
                let declared = match value.to_ascii_lowercase().as_str() {
                    "bulk" => Declared::Bulk,
                    "delta" => Declared::Delta,
                    "absent" => Declared::Absent,
                    _ => {
                        p.push(row.at(
                            value_col,
                            format!("unknown value \"{value}\" for {name}: expected bulk, delta or absent"),
                        ));
                        return;
                    }
                };
                files.insert(stem.to_ascii_lowercase(), (declared, row.line));
            }
        },
    );
    if header.is_none_or(|h| !h.is_complete()) {
        return Err(std::mem::take(p).into_error(ErrorKind::Invalid));
    }
    let Some((value, line, column)) = version else {
        p.push(
            Problem::new(
                MANIFEST,
                "no oneroster.version property (expected 1.1 or 1.2)",
            )
            .in_field("oneroster.version"),
        );
        return Err(std::mem::take(p).into_error(ErrorKind::Invalid));
    };
    let version = match value.as_str() {
        "1.1" => Version::V1_1,
        "1.2" => Version::V1_2,
        other => {
            let hint = if other.starts_with("1.0") {
                "OneRoster 1.0 is not supported: export OneRoster 1.1 or 1.2 CSV instead"
            } else {
                "Waypoint reads OneRoster 1.1 and 1.2"
            };
            let mut problem = Problem::new(
                MANIFEST,
                format!("unsupported oneroster.version \"{other}\": {hint}"),
            )
            .at_line(line)
            .in_field("value");
            if let Some(column) = column {
                problem = problem.at_column(column);
            }
            return Err(ImportError::single(ErrorKind::Unsupported, problem));
        }
    };
    Ok(Manifest { version, files })
}
