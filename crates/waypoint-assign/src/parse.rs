//! Parsers for `sessions.csv`, `preferences.csv` and the optional `people.csv`: bytes in, an
//! [`Instance`] or a [`ParseError`] naming file, line and column out.
//!
//! Formats (headers required, column order free, surrounding spaces trimmed):
//! - `sessions.csv`: `section_id,course_id,title,slot,capacity,facilitators[,audience]` —
//!   facilitators and the optional audience are `;`-separated person ids; slot is an integer or a
//!   label (all-integer slots are ordered numerically, labels by first appearance).
//! - `preferences.csv`: `person_id,rank,course_id`.
//! - `people.csv`: `person_id[,absent_slots][,required_courses]` (`;`-separated). When given, it
//!   is the list of people, and every other file may only name people listed in it.

use std::collections::HashMap;
use std::path::Path;

use crate::model::{Instance, InstanceBuilder, ModelError};

/// One input file: a name for messages and its bytes.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// File name used in error messages.
    pub name: &'a str,
    /// Contents.
    pub bytes: &'a [u8],
}

/// Where in which file an input problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// File name.
    pub file: String,
    /// 1-based line.
    pub line: u64,
    /// 1-based column number and its header name, when the problem is in one field.
    pub column: Option<(usize, String)>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)?;
        if let Some((n, name)) = &self.column {
            write!(f, ": column {n} ({name})")?;
        }
        Ok(())
    }
}

/// Bad input, located.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// A problem at a place in a file.
    #[error("{at}: {message}")]
    At {
        /// Where.
        at: Location,
        /// What.
        message: String,
    },
    /// A file could not be read.
    #[error("{file}: {message}")]
    Io {
        /// File name.
        file: String,
        /// The I/O error.
        message: String,
    },
    /// A model rule broken by the inputs as a whole.
    #[error(transparent)]
    Model(#[from] ModelError),
}

impl ParseError {
    /// The location, when the error has one.
    pub fn location(&self) -> Option<&Location> {
        match self {
            ParseError::At { at, .. } => Some(at),
            _ => None,
        }
    }
}

struct Table<'a> {
    file: &'a str,
    headers: Vec<String>,
    rows: Vec<(u64, csv::StringRecord)>,
}

impl<'a> Table<'a> {
    fn read(src: Source<'a>) -> Result<Table<'a>, ParseError> {
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(src.bytes);
        let headers = rdr
            .headers()
            .map_err(|e| csv_error(src.name, &e))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_owned())
            .collect();
        let mut rows = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| csv_error(src.name, &e))?;
            if rec.iter().all(str::is_empty) {
                continue;
            }
            let line = rec.position().map_or(0, csv::Position::line);
            rows.push((line, rec));
        }
        Ok(Table {
            file: src.name,
            headers,
            rows,
        })
    }

    fn column(&self, name: &str, required: bool) -> Result<Option<usize>, ParseError> {
        match self.headers.iter().position(|h| h == name) {
            Some(i) => Ok(Some(i)),
            None if required => Err(ParseError::At {
                at: Location {
                    file: self.file.to_owned(),
                    line: 1,
                    column: None,
                },
                message: format!(
                    "missing column {name:?} (header has: {})",
                    self.headers.join(",")
                ),
            }),
            None => Ok(None),
        }
    }

    fn err(&self, line: u64, col: usize, message: String) -> ParseError {
        ParseError::At {
            at: Location {
                file: self.file.to_owned(),
                line,
                column: Some((col + 1, self.headers[col].clone())),
            },
            message,
        }
    }
}

fn csv_error(file: &str, e: &csv::Error) -> ParseError {
    let line = e.position().map_or(0, csv::Position::line);
    ParseError::At {
        at: Location {
            file: file.to_owned(),
            line,
            column: None,
        },
        message: match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!("expected {expected_len} fields, found {len}"),
            _ => e.to_string(),
        },
    }
}

fn list(field: &str) -> impl Iterator<Item = &str> {
    field.split(';').map(str::trim).filter(|s| !s.is_empty())
}

fn field(rec: &csv::StringRecord, col: usize) -> &str {
    rec.get(col).unwrap_or("")
}

/// Parse the three inputs into an [`Instance`].
pub fn parse_instance(
    sessions: Source<'_>,
    preferences: Source<'_>,
    people: Option<Source<'_>>,
) -> Result<Instance, ParseError> {
    let mut b = InstanceBuilder::new();
    let ses = Table::read(sessions)?;
    let c_section = ses.column("section_id", true)?.unwrap_or(0);
    let c_course = ses.column("course_id", true)?.unwrap_or(0);
    let c_title = ses.column("title", true)?.unwrap_or(0);
    let c_slot = ses.column("slot", true)?.unwrap_or(0);
    let c_cap = ses.column("capacity", true)?.unwrap_or(0);
    let c_fac = ses.column("facilitators", true)?.unwrap_or(0);
    let c_aud = ses.column("audience", false)?;

    // Slots first, so that integer slots are ordered numerically whatever the row order.
    let mut labels: Vec<&str> = Vec::new();
    for (line, rec) in &ses.rows {
        let l = field(rec, c_slot);
        if l.is_empty() {
            return Err(ses.err(*line, c_slot, "empty slot".to_owned()));
        }
        if !labels.contains(&l) {
            labels.push(l);
        }
    }
    if labels.iter().all(|l| l.parse::<i64>().is_ok()) {
        labels.sort_by_key(|l| l.parse::<i64>().unwrap_or(0));
    }
    for l in &labels {
        b.slot(l);
    }

    let mut facilitator_refs: Vec<(u64, String)> = Vec::new();
    let mut audiences: HashMap<usize, (u64, Vec<String>)> = HashMap::new();
    for (line, rec) in &ses.rows {
        let line = *line;
        let sid = field(rec, c_section);
        if sid.is_empty() {
            return Err(ses.err(line, c_section, "empty section id".to_owned()));
        }
        let cid = field(rec, c_course);
        if cid.is_empty() {
            return Err(ses.err(line, c_course, "empty course id".to_owned()));
        }
        let course = b.course(cid, field(rec, c_title));
        let slot = b.slot_index(field(rec, c_slot)).unwrap_or(0);
        let cap_s = field(rec, c_cap);
        let capacity: u32 = cap_s.parse().map_err(|_| {
            ses.err(
                line,
                c_cap,
                format!("capacity {cap_s:?} is not a non-negative whole number"),
            )
        })?;
        let facs: Vec<String> = list(field(rec, c_fac)).map(str::to_owned).collect();
        for f in &facs {
            facilitator_refs.push((line, f.clone()));
        }
        b.section(sid, course, slot, capacity, facs)
            .map_err(|e| ses.err(line, c_section, e.to_string()))?;
        if let Some(ca) = c_aud {
            let aud: Vec<String> = list(field(rec, ca)).map(str::to_owned).collect();
            if !aud.is_empty() {
                let entry = audiences
                    .entry(course)
                    .or_insert_with(|| (line, Vec::new()));
                entry.1.extend(aud);
            }
        }
    }

    let strict = people.is_some();
    if let Some(src) = people {
        let ppl = Table::read(src)?;
        let c_pid = ppl.column("person_id", true)?.unwrap_or(0);
        let c_abs = ppl.column("absent_slots", false)?;
        let c_req = ppl.column("required_courses", false)?;
        for (line, rec) in &ppl.rows {
            let line = *line;
            let pid = field(rec, c_pid);
            if pid.is_empty() {
                return Err(ppl.err(line, c_pid, "empty person id".to_owned()));
            }
            if b.person_index(pid).is_some() {
                return Err(ppl.err(line, c_pid, format!("person {pid:?} listed twice")));
            }
            let p = b.person(pid);
            if let Some(ca) = c_abs {
                for l in list(field(rec, ca)) {
                    let t = b
                        .slot_index(l)
                        .ok_or_else(|| ppl.err(line, ca, format!("unknown slot {l:?}")))?;
                    b.absent(p, t);
                }
            }
            if let Some(cr) = c_req {
                for cid in list(field(rec, cr)) {
                    let c = b
                        .course_index(cid)
                        .ok_or_else(|| ppl.err(line, cr, format!("unknown course {cid:?}")))?;
                    b.require(p, c);
                }
            }
        }
        for (line, f) in &facilitator_refs {
            if b.person_index(f).is_none() {
                return Err(ses.err(
                    *line,
                    c_fac,
                    format!("facilitator {f:?} is not listed in {}", src.name),
                ));
            }
        }
    }

    let pref = Table::read(preferences)?;
    let c_pid = pref.column("person_id", true)?.unwrap_or(0);
    let c_rank = pref.column("rank", true)?.unwrap_or(0);
    let c_pc = pref.column("course_id", true)?.unwrap_or(0);
    for (line, rec) in &pref.rows {
        let line = *line;
        let pid = field(rec, c_pid);
        if pid.is_empty() {
            return Err(pref.err(line, c_pid, "empty person id".to_owned()));
        }
        let p = match b.person_index(pid) {
            Some(p) => p,
            None if strict => {
                return Err(pref.err(
                    line,
                    c_pid,
                    format!("unknown person {pid:?} (not in people file)"),
                ));
            }
            None => b.person(pid),
        };
        let rank_s = field(rec, c_rank);
        let rank: u16 = rank_s.parse().ok().filter(|&r| r >= 1).ok_or_else(|| {
            pref.err(
                line,
                c_rank,
                format!("rank {rank_s:?} is not a whole number ≥ 1"),
            )
        })?;
        let cid = field(rec, c_pc);
        let c = b
            .course_index(cid)
            .ok_or_else(|| pref.err(line, c_pc, format!("unknown course {cid:?}")))?;
        b.rank(p, c, rank).map_err(|e| match e {
            ModelError::Invalid(m) => pref.err(line, c_rank, m),
            other => pref.err(line, c_pc, other.to_string()),
        })?;
    }

    // Audiences are resolved against the final list of people.
    let mut auds: Vec<_> = audiences.into_iter().collect();
    auds.sort_by_key(|(c, _)| *c);
    for (course, (line, ids)) in auds {
        if let Some(bad) = ids.iter().find(|id| b.person_index(id).is_none()) {
            let col = c_aud.unwrap_or(0);
            return Err(ses.err(line, col, format!("unknown person {bad:?} in audience")));
        }
        b.audience(course, ids);
    }
    Ok(b.build(!strict)?)
}

/// Read and parse the files at these paths (see [`parse_instance`]).
pub fn read_instance(
    sessions: &Path,
    preferences: &Path,
    people: Option<&Path>,
) -> Result<Instance, ParseError> {
    let read = |p: &Path| {
        std::fs::read(p).map_err(|e| ParseError::Io {
            file: p.display().to_string(),
            message: e.to_string(),
        })
    };
    let (sn, pn) = (
        sessions.display().to_string(),
        preferences.display().to_string(),
    );
    let sb = read(sessions)?;
    let pb = read(preferences)?;
    let people_file = people.map(|p| (p.display().to_string(), read(p)));
    let people_src = match &people_file {
        Some((name, Ok(bytes))) => Some(Source { name, bytes }),
        Some((_, Err(e))) => return Err(e.clone()),
        None => None,
    };
    parse_instance(
        Source {
            name: &sn,
            bytes: &sb,
        },
        Source {
            name: &pn,
            bytes: &pb,
        },
        people_src,
    )
}
