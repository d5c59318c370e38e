//! One CSV file as a header plus located rows, and the value checks every
//! OneRoster file shares (dates, timestamps, booleans, comma lists).
//!
//! Columns are matched by header name, so their order does not matter and
//! extension columns (`metadata.*`) or columns Waypoint does not store are
//! simply never looked at. Row shape is checked here rather than by the csv
//! crate so that the one quirk real exports have (a single extra, empty
//! trailing field) is tolerated while anything else is reported at its line.

use crate::Progress;
use crate::error::{Problem, Problems};
use csv::ByteRecord;
use time::format_description::well_known::Rfc3339;

/// How often (in rows) progress is reported.
const PROGRESS_EVERY: u64 = 1000;

/// A column a file reader asked for, resolved against the header.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Col {
    pub(crate) name: &'static str,
    idx: Option<usize>,
}

impl Col {
    /// The 1-based column number, when the header has the column.
    pub(crate) fn number(&self) -> Option<u64> {
        self.idx.map(|i| i as u64 + 1)
    }
}

/// A file's header line.
#[derive(Debug)]
pub(crate) struct Header {
    file: String,
    names: Vec<String>,
    /// False once a required column turned out to be missing.
    complete: bool,
}

impl Header {
    fn find(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// A column the header must have (whether its values may be empty is up
    /// to the reader: [`Row::req`] or [`Row::opt`]).
    pub(crate) fn column(&mut self, name: &'static str, p: &mut Problems) -> Col {
        let idx = self.find(name);
        if idx.is_none() {
            self.complete = false;
            p.push(
                Problem::new(&self.file, format!("missing required column \"{name}\""))
                    .at_line(1)
                    .in_field(name),
            );
        }
        Col { name, idx }
    }

    /// A column the header may lack (then every value is empty).
    pub(crate) fn optional(&self, name: &'static str) -> Col {
        Col {
            name,
            idx: self.find(name),
        }
    }

    /// Whether every required column was found.
    pub(crate) fn is_complete(&self) -> bool {
        self.complete
    }
}

/// One data row.
pub(crate) struct Row<'r> {
    pub(crate) file: &'r str,
    pub(crate) line: u64,
    rec: &'r ByteRecord,
}

impl<'r> Row<'r> {
    /// The trimmed value, `None` when empty or when the row is too short
    /// (already reported as a shape problem).
    fn value(&self, col: &Col, p: &mut Problems) -> Option<&'r str> {
        let raw = self.rec.get(col.idx?)?;
        match std::str::from_utf8(raw) {
            Ok(s) => Some(s.trim()).filter(|s| !s.is_empty()),
            Err(_) => {
                p.push(self.at(col, "value is not valid UTF-8 (save the file as UTF-8)"));
                None
            }
        }
    }

    /// A value that must not be empty; reports it when it is.
    pub(crate) fn req(&self, col: &Col, p: &mut Problems) -> Option<&'r str> {
        let v = self.value(col, p);
        let present = col.idx.is_some_and(|i| i < self.rec.len());
        if v.is_none() && present {
            p.push(self.at(col, "required value is empty"));
        }
        v
    }

    /// A value that may be empty.
    pub(crate) fn opt(&self, col: &Col, p: &mut Problems) -> Option<&'r str> {
        self.value(col, p)
    }

    /// A problem located at this row and `col`.
    pub(crate) fn at(&self, col: &Col, message: impl Into<String>) -> Problem {
        let p = Problem::new(self.file, message)
            .at_line(self.line)
            .in_field(col.name);
        match col.number() {
            Some(n) => p.at_column(n),
            None => p,
        }
    }

    /// A problem located at this row only.
    pub(crate) fn problem(&self, message: impl Into<String>) -> Problem {
        Problem::new(self.file, message).at_line(self.line)
    }
}

/// Reads one CSV file: `spec` resolves the columns the caller needs from the
/// header, then `each` sees every data row. Returns the header, or `None`
/// when the file has none. Rows are skipped when required columns are
/// missing (every row would repeat the same complaint) and once `p` has
/// dropped a problem for want of room.
///
/// Lines are counted here from record byte offsets, not taken from the csv
/// crate's positions, whose line numbers drift on CRLF files.
pub(crate) fn read_rows<S>(
    file: &str,
    bytes: &[u8],
    p: &mut Problems,
    progress: &mut dyn FnMut(Progress),
    spec: impl FnOnce(&mut Header, &mut Problems) -> S,
    mut each: impl FnMut(&S, &Row<'_>, &mut Problems),
) -> Option<Header> {
    let bytes = strip_bom(bytes);
    let estimate = estimate_rows(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rec = ByteRecord::new();

    match reader.read_byte_record(&mut rec) {
        Ok(true) => {}
        Ok(false) => {
            p.push(Problem::new(file, "file is empty: expected a header line").at_line(1));
            return None;
        }
        Err(e) => {
            p.push(Problem::new(file, format!("cannot read the header: {e}")).at_line(1));
            return None;
        }
    }
    let mut header = Header {
        file: file.to_owned(),
        names: Vec::with_capacity(rec.len()),
        complete: true,
    };
    for (i, raw) in rec.iter().enumerate() {
        let name = String::from_utf8_lossy(raw).trim().to_owned();
        if !name.is_empty() && header.names.contains(&name) {
            header.complete = false;
            p.push(
                Problem::new(file, format!("duplicate column \"{name}\""))
                    .at_line(1)
                    .at_column(i as u64 + 1)
                    .in_field(name.clone()),
            );
        }
        header.names.push(name);
    }
    let cols = spec(&mut header, p);
    let width = header.names.len();

    let mut done: u64 = 0;
    let mut lines = LineCounter::default();
    if header.complete {
        loop {
            if p.is_truncated() {
                break;
            }
            match reader.read_byte_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = lines.line_at(bytes, e.position().map_or(0, csv::Position::byte));
                    p.push(Problem::new(file, format!("unreadable CSV: {e}")).at_line(line));
                    break;
                }
            }
            let line = lines.line_at(bytes, rec.position().map_or(0, csv::Position::byte));
            let row = Row {
                file,
                line,
                rec: &rec,
            };
            check_shape(&row, width, p);
            each(&cols, &row, p);
            done += 1;
            if done.is_multiple_of(PROGRESS_EVERY) {
                progress(Progress {
                    file: file.to_owned(),
                    rows_done: done,
                    rows_total_estimate: Some(estimate.max(done)),
                });
            }
        }
    }
    progress(Progress {
        file: file.to_owned(),
        rows_done: done,
        rows_total_estimate: Some(done),
    });
    Some(header)
}

/// Turns byte offsets (visited in increasing order) into 1-based lines.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    newlines: u64,
}

impl LineCounter {
    fn line_at(&mut self, bytes: &[u8], offset: u64) -> u64 {
        let mut offset = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        // After a CRLF the csv crate reports a record as starting at the LF.
        while bytes
            .get(offset)
            .is_some_and(|b| *b == b'\r' || *b == b'\n')
        {
            offset += 1;
        }
        if offset > self.offset {
            let seen = bytes.get(self.offset..offset).unwrap_or_default();
            self.newlines += seen.iter().filter(|&&b| b == b'\n').count() as u64;
            self.offset = offset;
        }
        self.newlines + 1
    }
}

/// Reads only the header names of a file (for format detection).
pub(crate) fn header_names(bytes: &[u8]) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(strip_bom(bytes));
    let mut rec = ByteRecord::new();
    match reader.read_byte_record(&mut rec) {
        Ok(true) => rec
            .iter()
            .map(|raw| String::from_utf8_lossy(raw).trim().to_owned())
            .collect(),
        _ => Vec::new(),
    }
}

/// A row as long as the header is fine; so is one extra empty field (Ed-Fi's
/// `users.csv` has a trailing comma on some rows). Anything else is reported.
fn check_shape(row: &Row<'_>, width: usize, p: &mut Problems) {
    let n = row.rec.len();
    if n < width {
        p.push(
            row.problem(format!(
                "row has {n} field{} but the header has {width} columns",
                if n == 1 { "" } else { "s" }
            ))
            .at_column(n as u64 + 1),
        );
    } else if n > width {
        let extra = row
            .rec
            .iter()
            .enumerate()
            .skip(width)
            .find(|(_, v)| !v.iter().all(u8::is_ascii_whitespace));
        if let Some((i, _)) = extra {
            p.push(
                row.problem(format!(
                    "row has {n} fields but the header has {width} columns \
                     (unexpected value after the last column)"
                ))
                .at_column(i as u64 + 1),
            );
        } else if n > width + 1 {
            p.push(
                row.problem(format!(
                    "row has {n} fields but the header has {width} columns"
                ))
                .at_column(width as u64 + 2),
            );
        }
    }
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Data rows, counted as line breaks (quoted line breaks make it an estimate).
fn estimate_rows(bytes: &[u8]) -> u64 {
    let newlines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
    let unterminated = u64::from(!bytes.is_empty() && !bytes.ends_with(b"\n"));
    (newlines + unterminated).saturating_sub(1)
}

/// Checks a `YYYY-MM-DD` calendar date.
pub(crate) fn check_date(s: &str) -> Result<(), String> {
    let b = s.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return Err(format!("invalid date \"{s}\": expected YYYY-MM-DD"));
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u16>().ok());
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return Err(format!("invalid date \"{s}\": expected YYYY-MM-DD"));
    };
    let month = u8::try_from(m)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .ok_or_else(|| format!("invalid date \"{s}\": there is no month {m}"))?;
    let day = u8::try_from(d).map_err(|_| format!("invalid date \"{s}\""))?;
    time::Date::from_calendar_date(i32::from(y), month, day)
        .map(|_| ())
        .map_err(|_| format!("invalid date \"{s}\": {month} {y} has no day {d}"))
}

/// Checks an RFC 3339 timestamp (`dateLastModified`).
pub(crate) fn check_timestamp(s: &str) -> Result<(), String> {
    time::OffsetDateTime::parse(s, &Rfc3339)
        .map(|_| ())
        .map_err(|_| {
            format!("invalid timestamp \"{s}\": expected RFC 3339, e.g. 2026-08-17T12:00:00Z")
        })
}

/// Parses `true` / `false` in any case.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Splits a multi-value field (`"a,b"`), dropping empty items.
pub(crate) fn split_list(s: Option<&str>) -> Vec<String> {
    s.map(|s| {
        s.split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_real_calendar_dates() {
        assert!(check_date("2026-02-28").is_ok());
        assert!(check_date("2024-02-29").is_ok());
        assert!(check_date("2026-02-30").is_err());
        assert!(check_date("2026-13-01").is_err());
        assert!(check_date("2026-00-10").is_err());
        assert!(check_date("2026-1-01").is_err());
        assert!(check_date("2026/01/01").is_err());
        assert!(check_date("+026-01-01").is_err());
    }

    #[test]
    fn timestamps_are_rfc3339() {
        assert!(check_timestamp("2020-08-17T00:00:00.000Z").is_ok());
        assert!(check_timestamp("2020-08-17T10:00:00+02:00").is_ok());
        assert!(check_timestamp("2020-08-17").is_err());
    }

    #[test]
    fn booleans_and_lists() {
        assert_eq!(parse_bool("TRUE"), Some(true));
        assert_eq!(parse_bool("False"), Some(false));
        assert_eq!(parse_bool("yes"), None);
        assert_eq!(split_list(Some("a, b,,c")), vec!["a", "b", "c"]);
        assert!(split_list(None).is_empty());
    }

    #[test]
    fn lines_count_from_record_offsets() {
        let bytes = b"h\r\na\r\n\r\nb";
        let mut lines = LineCounter::default();
        assert_eq!(lines.line_at(bytes, 2), 2);
        assert_eq!(lines.line_at(bytes, 6), 4);
    }

    #[test]
    fn row_estimate_counts_data_lines() {
        assert_eq!(estimate_rows(b"h\n1\n2"), 2);
        assert_eq!(estimate_rows(b"h\r\n1\r\n2\r\n"), 2);
        assert_eq!(estimate_rows(b""), 0);
    }
}
