//! 1EdTech CASE (Competencies and Academic Standards Exchange) packages:
//! a `CFPackage` JSON document (CFDocument, CFItems, CFAssociations,
//! CFDefinitions), CASE 1.0 or 1.1, read into a [`Framework`] or refused
//! with every [`Problem`] located by JSON pointer, line and column.
//!
//! What the reader does with the quirks of real packages:
//!
//! * tolerated: the package wrapped in `{"CFPackage": …}` or not; a
//!   `lastChangeDateTime` without a time zone (read as UTC); a
//!   `sequenceNumber` written as a numeric string; the 1.0-era key
//!   `educationalLevel` for `educationLevel`; `null` where a text is
//!   optional; unknown keys (ignored); escaped slashes and irregular
//!   whitespace;
//! * refused: text that is not JSON (line and column), a missing
//!   CFDocument, missing required fields (`identifier`, `uri`, `title`,
//!   `fullStatement`, `associationType`, `originNodeURI`,
//!   `destinationNodeURI`), identifiers that are not 8-4-4-4-12 hex,
//!   identifiers used twice, unknown association types, and `isChildOf`
//!   associations whose ends are not in the package.
//!
//! Associations of other kinds may point outside the package (an
//! `exactMatchOf` to another framework is normal) and are kept as given.

use crate::Problem;
use std::collections::{HashMap, HashSet};

/// The CASE version a package follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseVersion {
    /// CASE 1.0 (no `caseVersion`, or `"1.0"`).
    V1p0,
    /// CASE 1.1.
    V1p1,
}

/// A framework read from a CASE package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framework {
    /// Which CASE version it follows.
    pub version: CaseVersion,
    /// The CFDocument.
    pub document: Document,
    /// The CFItems, in tree order: each parent before its children, siblings
    /// by `sequenceNumber` (then file order); items outside the tree last.
    pub items: Vec<Item>,
    /// The CFAssociations, in file order.
    pub associations: Vec<Association>,
}

/// A CFDocument: the framework itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Its identifier (lower-case UUID text).
    pub identifier: String,
    /// Its URI.
    pub uri: String,
    /// Title.
    pub title: String,
    /// Who made it.
    pub creator: String,
    /// Description, if any.
    pub description: String,
    /// `adoptionStatus` ("Draft", "Adopted", …), if any.
    pub adoption_status: String,
    /// Last changed (Unix ms), if given.
    pub last_change: Option<i64>,
}

/// A CFItem: one competency or standard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Its identifier (lower-case UUID text).
    pub identifier: String,
    /// Its URI.
    pub uri: String,
    /// What it says.
    pub full_statement: String,
    /// A short form, if any.
    pub abbreviated_statement: String,
    /// Its code ("6.RP.A.1"), if any.
    pub human_coding_scheme: String,
    /// Its type ("Standard", "Cluster"), if any.
    pub item_type: String,
    /// Grade levels it applies to.
    pub education_level: Vec<String>,
    /// Its parent in the tree (an item's identifier; `None` at the top or
    /// outside the tree).
    pub parent: Option<String>,
    /// Its depth in the tree (0 under the document).
    pub depth: usize,
}

/// A CFAssociation between two nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Association {
    /// Its identifier.
    pub identifier: String,
    /// `isChildOf`, `exactMatchOf`, `precedes`, …
    pub kind: String,
    /// The origin node's identifier.
    pub origin: String,
    /// The destination node's identifier.
    pub destination: String,
    /// Order among siblings, if given.
    pub sequence: Option<i64>,
}

/// The association types CASE 1.0 and 1.1 define.
pub const ASSOCIATION_TYPES: [&str; 11] = [
    "isChildOf",
    "isPeerOf",
    "isPartOf",
    "exactMatchOf",
    "precedes",
    "isRelatedTo",
    "replacedBy",
    "exemplar",
    "hasSkillLevel",
    "isTranslationOf",
    "isPartOfEx",
];

type Json = serde_json::Value;

/// Reads a CASE package from `bytes`; `file` names it in problems.
///
/// # Errors
///
/// Every problem found (up to [`MAX_PROBLEMS`](crate::MAX_PROBLEMS)), each
/// located (JSON pointer in `field`, line and column of the value); nothing
/// is returned partly.
pub fn read_case(file: &str, bytes: &[u8]) -> Result<Framework, Vec<Problem>> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        vec![Problem::new(
            file,
            format!("the file is not UTF-8 text (at byte {})", e.valid_up_to()),
        )]
    })?;
    let root: Json = serde_json::from_str(text).map_err(|e| {
        vec![
            Problem::new(file, format!("this is not JSON: {e}"))
                .at_line(e.line() as u64)
                .at_column(e.column() as u64),
        ]
    })?;
    let mut r = Reader {
        file,
        problems: Vec::new(),
    };
    let (package, base) = match root.get("CFPackage") {
        Some(p) if p.is_object() => (p, "/CFPackage"),
        _ => (&root, ""),
    };
    let framework = r.package(package, base);
    if r.problems.is_empty()
        && let Some(f) = framework
    {
        return Ok(f);
    }
    let positions = positions(text);
    r.problems.truncate(crate::MAX_PROBLEMS);
    Err(r
        .problems
        .into_iter()
        .map(|mut p| {
            if let Some(&(line, column)) = p.field.as_ref().and_then(|f| nearest(&positions, f)) {
                p.line = Some(line);
                p.column = Some(column);
            }
            p
        })
        .collect())
}

struct Reader<'a> {
    file: &'a str,
    problems: Vec<Problem>,
}

impl Reader<'_> {
    fn problem(&mut self, pointer: &str, message: impl Into<String>) {
        self.problems
            .push(Problem::new(self.file, message).in_field(pointer.to_owned()));
    }

    /// A text field: `Some` with its trimmed text (empty when `null` or
    /// absent), or `None` after reporting that it is not text.
    fn field(&mut self, obj: &Json, at: &str, key: &str) -> Option<String> {
        match obj.get(key) {
            None | Some(Json::Null) => Some(String::new()),
            Some(Json::String(s)) => Some(s.trim().to_owned()),
            Some(_) => {
                self.problem(&format!("{at}/{key}"), format!("{key} must be text"));
                None
            }
        }
    }

    /// An optional text field (`null` or absent is empty).
    fn text(&mut self, obj: &Json, at: &str, key: &str) -> String {
        self.field(obj, at, key).unwrap_or_default()
    }

    /// A required text field.
    fn required(&mut self, obj: &Json, at: &str, key: &str) -> String {
        let v = self.field(obj, at, key);
        if v.as_deref() == Some("") {
            self.problem(&format!("{at}/{key}"), format!("{key} is required"));
        }
        v.unwrap_or_default()
    }

    /// A required identifier, checked for its 8-4-4-4-12 hex shape.
    fn identifier(&mut self, obj: &Json, at: &str) -> String {
        let id = self.required(obj, at, "identifier");
        if !id.is_empty() && !is_uuid(&id) {
            self.problem(
                &format!("{at}/identifier"),
                format!("identifier \"{id}\" is not a UUID (8-4-4-4-12 hexadecimal digits)"),
            );
        }
        id.to_ascii_lowercase()
    }

    fn when(&mut self, obj: &Json, at: &str) -> Option<i64> {
        let raw = self.text(obj, at, "lastChangeDateTime");
        if raw.is_empty() {
            return None;
        }
        let parsed = raw.parse::<stamp::Stamp>().map(|s| s.0).ok();
        if parsed.is_none() {
            self.problem(
                &format!("{at}/lastChangeDateTime"),
                format!(
                    "lastChangeDateTime \"{raw}\" is not a date and time (YYYY-MM-DDThh:mm:ss)"
                ),
            );
        }
        parsed
    }

    /// The identifier inside a LinkURI object (`originNodeURI`, …).
    fn link(&mut self, obj: &Json, at: &str, key: &str) -> String {
        let here = format!("{at}/{key}");
        match obj.get(key) {
            Some(link @ Json::Object(_)) => self.identifier(link, &here),
            Some(Json::String(uri)) => {
                // 1.0-era packages sometimes give the URI alone; its last
                // path segment is the identifier.
                let id = uri
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                if !is_uuid(&id) {
                    self.problem(&here, format!("{key} must name a node by identifier"));
                }
                id
            }
            _ => {
                self.problem(&here, format!("{key} is required"));
                String::new()
            }
        }
    }

    fn array<'j>(&mut self, obj: &'j Json, at: &str, key: &str) -> &'j [Json] {
        match obj.get(key) {
            None | Some(Json::Null) => &[],
            Some(Json::Array(v)) => v,
            Some(_) => {
                self.problem(&format!("{at}/{key}"), format!("{key} must be a list"));
                &[]
            }
        }
    }

    fn package(&mut self, package: &Json, base: &str) -> Option<Framework> {
        if !package.is_object() {
            self.problem(base, "a CASE package is a JSON object");
            return None;
        }
        let Some(doc) = package.get("CFDocument").filter(|d| d.is_object()) else {
            self.problem(&format!("{base}/CFDocument"), "CFDocument is required");
            return None;
        };
        let at = format!("{base}/CFDocument");
        let version = match doc.get("caseVersion").and_then(Json::as_str) {
            Some("1.1") => CaseVersion::V1p1,
            None | Some("1.0") => CaseVersion::V1p0,
            Some(other) => {
                self.problem(
                    &format!("{at}/caseVersion"),
                    format!("CASE version \"{other}\" is not 1.0 or 1.1"),
                );
                CaseVersion::V1p0
            }
        };
        let document = Document {
            identifier: self.identifier(doc, &at),
            uri: self.required(doc, &at, "uri"),
            title: self.required(doc, &at, "title"),
            creator: self.text(doc, &at, "creator"),
            description: self.text(doc, &at, "description"),
            adoption_status: self.text(doc, &at, "adoptionStatus"),
            last_change: self.when(doc, &at),
        };
        let mut seen: HashMap<String, String> = HashMap::new();
        seen.insert(document.identifier.clone(), at.clone());
        let mut items = Vec::new();
        for (i, item) in self.array(package, base, "CFItems").iter().enumerate() {
            let at = format!("{base}/CFItems/{i}");
            if !item.is_object() {
                self.problem(&at, "a CFItem is a JSON object");
                continue;
            }
            let identifier = self.identifier(item, &at);
            self.once(&mut seen, &identifier, &at);
            let level_key = if item.get("educationLevel").is_some() {
                "educationLevel"
            } else {
                "educationalLevel"
            };
            let education_level = match item.get(level_key) {
                Some(Json::Array(v)) => v
                    .iter()
                    .filter_map(Json::as_str)
                    .map(str::to_owned)
                    .collect(),
                Some(Json::String(s)) => s
                    .split(',')
                    .map(|x| x.trim().to_owned())
                    .filter(|x| !x.is_empty())
                    .collect(),
                _ => Vec::new(),
            };
            let _ = self.when(item, &at);
            items.push(Item {
                uri: self.required(item, &at, "uri"),
                full_statement: self.required(item, &at, "fullStatement"),
                abbreviated_statement: self.text(item, &at, "abbreviatedStatement"),
                human_coding_scheme: self.text(item, &at, "humanCodingScheme"),
                item_type: self.text(item, &at, "CFItemType"),
                education_level,
                parent: None,
                depth: 0,
                identifier,
            });
        }
        let mut associations = Vec::new();
        for (i, a) in self
            .array(package, base, "CFAssociations")
            .iter()
            .enumerate()
        {
            let at = format!("{base}/CFAssociations/{i}");
            if !a.is_object() {
                self.problem(&at, "a CFAssociation is a JSON object");
                continue;
            }
            let identifier = self.identifier(a, &at);
            self.once(&mut seen, &identifier, &at);
            let kind = self.required(a, &at, "associationType");
            if !kind.is_empty() && !ASSOCIATION_TYPES.contains(&kind.as_str()) {
                self.problem(
                    &format!("{at}/associationType"),
                    format!("\"{kind}\" is not a CASE association type"),
                );
            }
            let sequence = match a.get("sequenceNumber") {
                None | Some(Json::Null) => None,
                Some(Json::Number(n)) => n.as_i64(),
                Some(Json::String(s)) if s.trim().parse::<i64>().is_ok() => s.trim().parse().ok(),
                Some(_) => {
                    self.problem(
                        &format!("{at}/sequenceNumber"),
                        "sequenceNumber must be a whole number",
                    );
                    None
                }
            };
            associations.push(Association {
                origin: self.link(a, &at, "originNodeURI"),
                destination: self.link(a, &at, "destinationNodeURI"),
                identifier,
                kind,
                sequence,
            });
        }
        let items = self.tree(&document, items, &associations, base);
        Some(Framework {
            version,
            document,
            items,
            associations,
        })
    }

    fn once(&mut self, seen: &mut HashMap<String, String>, id: &str, at: &str) {
        if id.is_empty() {
            return;
        }
        if let Some(first) = seen.get(id) {
            let first = first.clone();
            self.problem(
                &format!("{at}/identifier"),
                format!("identifier {id} is used twice (first at {first})"),
            );
        } else {
            seen.insert(id.to_owned(), at.to_owned());
        }
    }

    /// Orders items into their `isChildOf` tree; every such association
    /// must join nodes of this package.
    fn tree(
        &mut self,
        doc: &Document,
        mut items: Vec<Item>,
        associations: &[Association],
        base: &str,
    ) -> Vec<Item> {
        let index: HashMap<String, usize> = items
            .iter()
            .enumerate()
            .map(|(i, it)| (it.identifier.clone(), i))
            .collect();
        let mut children: HashMap<String, Vec<(Option<i64>, usize, usize)>> = HashMap::new();
        let mut has_parent = HashSet::new();
        for (k, a) in associations.iter().enumerate() {
            if a.kind != "isChildOf" || a.origin.is_empty() || a.destination.is_empty() {
                continue;
            }
            let at = format!("{base}/CFAssociations/{k}");
            let Some(&child) = index.get(&a.origin) else {
                self.problem(
                    &format!("{at}/originNodeURI"),
                    format!(
                        "isChildOf from {}, which is not an item of this package",
                        a.origin
                    ),
                );
                continue;
            };
            if a.destination != doc.identifier && !index.contains_key(&a.destination) {
                self.problem(
                    &format!("{at}/destinationNodeURI"),
                    format!(
                        "isChildOf to {}, which is not in this package",
                        a.destination
                    ),
                );
                continue;
            }
            if has_parent.insert(child) {
                children
                    .entry(a.destination.clone())
                    .or_default()
                    .push((a.sequence, k, child));
            }
        }
        for list in children.values_mut() {
            list.sort_by_key(|&(seq, k, _)| (seq.unwrap_or(i64::MAX), k));
        }
        // Pre-order from the document: a parent before its children,
        // siblings in order; a cycle cannot loop, as each item is placed once.
        let mut placed = vec![false; items.len()];
        let mut order = Vec::with_capacity(items.len());
        let mut stack: Vec<(String, usize)> = vec![(doc.identifier.clone(), 0)];
        while let Some((node, depth)) = stack.pop() {
            for &(_, _, child) in children.get(&node).into_iter().flatten().rev() {
                if placed[child] {
                    continue;
                }
                placed[child] = true;
                items[child].parent = (node != doc.identifier).then(|| node.clone());
                items[child].depth = depth;
                stack.push((items[child].identifier.clone(), depth + 1));
            }
            if let Some(&i) = index.get(&node) {
                order.push(i);
            }
        }
        let mut slots: Vec<Option<Item>> = items.into_iter().map(Some).collect();
        let mut out: Vec<Item> = order.into_iter().filter_map(|i| slots[i].take()).collect();
        out.extend(slots.into_iter().flatten());
        out
    }
}

fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Where each value starts, by JSON pointer: (line, column), 1-based.
fn positions(text: &str) -> HashMap<String, (u64, u64)> {
    #[derive(Clone)]
    enum Frame {
        Object(Option<String>),
        Array(usize),
    }
    let mut out = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    let (mut line, mut col) = (1u64, 0u64);
    let mut chars = text.chars().peekable();
    let mut expect_key = false;
    let pointer = |stack: &[Frame]| {
        let mut p = String::new();
        for f in stack {
            match f {
                Frame::Object(Some(k)) => {
                    p.push('/');
                    p.push_str(&k.replace('~', "~0").replace('/', "~1"));
                }
                Frame::Object(None) => {}
                Frame::Array(i) => {
                    p.push('/');
                    p.push_str(&i.to_string());
                }
            }
        }
        p
    };
    let value_start =
        |stack: &[Frame], line: u64, col: u64, out: &mut HashMap<String, (u64, u64)>| {
            out.entry(pointer(stack)).or_insert((line, col));
        };
    value_start(&stack, 1, 1, &mut out);
    while let Some(c) = chars.next() {
        if c == '\n' {
            line += 1;
            col = 0;
            continue;
        }
        col += 1;
        match c {
            '{' => {
                if !matches!(stack.last(), Some(Frame::Object(None))) {
                    value_start(&stack, line, col, &mut out);
                }
                stack.push(Frame::Object(None));
                expect_key = true;
            }
            '[' => {
                value_start(&stack, line, col, &mut out);
                stack.push(Frame::Array(0));
            }
            '}' | ']' => {
                stack.pop();
                if let Some(Frame::Object(k)) = stack.last_mut() {
                    *k = None;
                }
            }
            ',' => match stack.last_mut() {
                Some(Frame::Array(i)) => *i += 1,
                Some(Frame::Object(k)) => {
                    *k = None;
                    expect_key = true;
                }
                None => {}
            },
            '"' => {
                let (start_line, start_col) = (line, col);
                let mut s = String::new();
                while let Some(d) = chars.next() {
                    col += 1;
                    match d {
                        '\\' => {
                            if let Some(e) = chars.next() {
                                col += 1;
                                s.push(match e {
                                    'n' => '\n',
                                    't' => '\t',
                                    '/' => '/',
                                    other => other,
                                });
                            }
                        }
                        '"' => break,
                        '\n' => {
                            line += 1;
                            col = 0;
                            s.push(d);
                        }
                        other => s.push(other),
                    }
                }
                if expect_key && matches!(stack.last(), Some(Frame::Object(None))) {
                    if let Some(Frame::Object(k)) = stack.last_mut() {
                        *k = Some(s);
                    }
                    expect_key = false;
                } else {
                    value_start(&stack, start_line, start_col, &mut out);
                }
            }
            ':' | ' ' | '\t' | '\r' => {}
            _ => {
                // A number, true, false or null starts here.
                if !matches!(stack.last(), Some(Frame::Object(None))) {
                    value_start(&stack, line, col, &mut out);
                }
                while let Some(&d) = chars.peek() {
                    if d == ',' || d == '}' || d == ']' || d.is_whitespace() {
                        break;
                    }
                    chars.next();
                    col += 1;
                }
            }
        }
    }
    out
}

/// The position of `pointer`, or of the nearest enclosing value that has
/// one (a missing field is reported where its object starts).
fn nearest<'a>(
    positions: &'a HashMap<String, (u64, u64)>,
    pointer: &str,
) -> Option<&'a (u64, u64)> {
    let mut p = pointer;
    loop {
        if let Some(at) = positions.get(p) {
            return Some(at);
        }
        match p.rfind('/') {
            Some(i) => p = &p[..i],
            None => return positions.get(""),
        }
    }
}

/// Timestamps as CASE packages write them.
mod stamp {
    /// A parsed `lastChangeDateTime`, as Unix milliseconds.
    pub struct Stamp(pub i64);

    impl std::str::FromStr for Stamp {
        type Err = ();

        /// `YYYY-MM-DDThh:mm:ss` with optional fraction and an optional
        /// zone (`Z` or `±hh:mm`); without one it is read as UTC.
        fn from_str(s: &str) -> Result<Self, ()> {
            use time::format_description::well_known::Rfc3339;
            if let Ok(t) = time::OffsetDateTime::parse(s, &Rfc3339) {
                return Ok(Self((t.unix_timestamp_nanos() / 1_000_000) as i64));
            }
            let fmt =
                time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
            let base = s.split('.').next().unwrap_or(s);
            time::PrimitiveDateTime::parse(base, &fmt)
                .map(|t| Self((t.assume_utc().unix_timestamp_nanos() / 1_000_000) as i64))
                .map_err(|_| ())
        }
    }
}

/// Writes a framework as a CASE 1.1 `CFPackage`: its document, its items
/// and its associations (an `isChildOf` for each item's parent when the
/// framework carries none). Node links name the document or item they point
/// at; a node outside the framework is linked by its identifier. `changed`
/// (Unix ms) stands in for every record's `lastChangeDateTime`.
pub fn write_case(f: &Framework, changed: i64) -> serde_json::Value {
    use serde_json::{Map, Value, json};
    let stamp = |ms: i64| {
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
            .ok()
            .and_then(|t| {
                t.replace_nanosecond(0)
                    .ok()?
                    .format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
    };
    let when = stamp(f.document.last_change.unwrap_or(changed));
    let d = &f.document;
    let link = |id: &str| -> Value {
        if id == d.identifier {
            return json!({"title": d.title, "identifier": d.identifier, "uri": d.uri});
        }
        match f.items.iter().find(|i| i.identifier == id) {
            Some(i) => {
                let title = if i.human_coding_scheme.is_empty() {
                    i.full_statement.clone()
                } else {
                    i.human_coding_scheme.clone()
                };
                json!({"title": title, "identifier": i.identifier, "uri": i.uri})
            }
            None => json!({"title": id, "identifier": id, "uri": format!("urn:uuid:{id}")}),
        }
    };
    let mut document = Map::new();
    document.insert("identifier".into(), json!(d.identifier));
    document.insert("uri".into(), json!(d.uri));
    document.insert("creator".into(), json!(d.creator));
    document.insert("title".into(), json!(d.title));
    document.insert("lastChangeDateTime".into(), json!(when));
    document.insert("caseVersion".into(), json!("1.1"));
    if !d.description.is_empty() {
        document.insert("description".into(), json!(d.description));
    }
    if !d.adoption_status.is_empty() {
        document.insert("adoptionStatus".into(), json!(d.adoption_status));
    }
    let items: Vec<Value> = f
        .items
        .iter()
        .map(|i| {
            let mut m = Map::new();
            m.insert("identifier".into(), json!(i.identifier));
            m.insert("fullStatement".into(), json!(i.full_statement));
            m.insert("uri".into(), json!(i.uri));
            m.insert("lastChangeDateTime".into(), json!(when));
            if !i.human_coding_scheme.is_empty() {
                m.insert("humanCodingScheme".into(), json!(i.human_coding_scheme));
            }
            if !i.abbreviated_statement.is_empty() {
                m.insert(
                    "abbreviatedStatement".into(),
                    json!(i.abbreviated_statement),
                );
            }
            if !i.item_type.is_empty() {
                m.insert("CFItemType".into(), json!(i.item_type));
            }
            if !i.education_level.is_empty() {
                m.insert("educationLevel".into(), json!(i.education_level));
            }
            Value::Object(m)
        })
        .collect();
    let derived;
    let associations: &[Association] = if f.associations.is_empty() {
        derived = f
            .items
            .iter()
            .enumerate()
            .map(|(n, i)| Association {
                identifier: derived_identifier(&d.identifier, &i.identifier),
                kind: "isChildOf".to_owned(),
                origin: i.identifier.clone(),
                destination: i.parent.clone().unwrap_or_else(|| d.identifier.clone()),
                sequence: i64::try_from(n + 1).ok(),
            })
            .collect::<Vec<_>>();
        &derived
    } else {
        &f.associations
    };
    let associations: Vec<Value> = associations
        .iter()
        .map(|a| {
            let mut m = Map::new();
            m.insert("identifier".into(), json!(a.identifier));
            m.insert("associationType".into(), json!(a.kind));
            m.insert("uri".into(), json!(format!("urn:uuid:{}", a.identifier)));
            m.insert("originNodeURI".into(), link(&a.origin));
            m.insert("destinationNodeURI".into(), link(&a.destination));
            m.insert("lastChangeDateTime".into(), json!(when));
            if let Some(s) = a.sequence {
                m.insert("sequenceNumber".into(), json!(s));
            }
            Value::Object(m)
        })
        .collect();
    json!({
        "CFDocument": Value::Object(document),
        "CFItems": items,
        "CFAssociations": associations,
    })
}

/// A stable UUID-shaped identifier for the association between two nodes
/// (FNV-1a of both, spread over 128 bits, marked as version 4 variant 1).
fn derived_identifier(a: &str, b: &str) -> String {
    let mut h: [u64; 2] = [0xcbf2_9ce4_8422_2325, 0x8422_2325_cbf2_9ce4];
    for (k, lane) in h.iter_mut().enumerate() {
        for byte in a.bytes().chain([0xff]).chain(b.bytes()).chain([k as u8]) {
            *lane ^= u64::from(byte);
            *lane = lane.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&h[0].to_be_bytes());
    bytes[8..].copy_from_slice(&h[1].to_be_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}
