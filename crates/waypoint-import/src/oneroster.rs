//! OneRoster 1.1 / 1.2 CSV files into roster records: which files to read,
//! the columns and values each must have, and (in bulk packages) whether
//! every reference resolves inside the package.

use crate::error::{ErrorKind, ImportError, Problem, Problems};
use crate::manifest::{self, Declared, MANIFEST, Version};
use crate::source::Files;
use crate::table::{
    Col, Header, Row, check_date, check_timestamp, parse_bool, read_rows, split_list,
};
use crate::{ImportSummary, Imported, Progress, detect};
use std::collections::{HashMap, HashSet};
use waypoint_domain::org::OrgKind;
use waypoint_domain::roster::{
    BatchMode, ClassRecord, CourseRecord, EnrollmentRecord, Meta, OrgRecord, OrgRole, Origin,
    RosterBatch, RosterRole, SessionRecord, Status, UserRecord,
};

const ORGS: &str = "orgs";
const SESSIONS: &str = "academicSessions";
const COURSES: &str = "courses";
const CLASSES: &str = "classes";
const USERS: &str = "users";
const ROLES: &str = "roles";
const ENROLLMENTS: &str = "enrollments";

/// sourcedId → line, per file: duplicate detection and reference targets.
type Seen = HashMap<String, u64>;

/// Reads a package that may or may not have a manifest.
pub(crate) fn import(
    files: &mut dyn Files,
    progress: &mut dyn FnMut(Progress),
) -> Result<Imported, ImportError> {
    let Some(manifest_name) = files.find(MANIFEST) else {
        return Err(detect::without_manifest(files));
    };
    let bytes = files
        .read(&manifest_name)
        .map_err(|e| ImportError::single(ErrorKind::Invalid, e))?;
    let mut p = Problems::default();
    let manifest = manifest::parse(&bytes, &mut p, progress)?;
    let version = manifest.version;

    let mut stems = vec![ORGS, SESSIONS, COURSES, CLASSES, USERS, ENROLLMENTS];
    if version == Version::V1_2 {
        stems.push(ROLES);
    }
    let mut plan: HashMap<&'static str, (BatchMode, String)> = HashMap::new();
    for &stem in &stems {
        let name = format!("{stem}.csv");
        let actual = files.find(&name);
        match (manifest.declared(stem), actual) {
            (Some((Declared::Bulk, _)), Some(actual)) => {
                plan.insert(stem, (BatchMode::Bulk, actual));
            }
            (Some((Declared::Delta, _)), Some(actual)) => {
                plan.insert(stem, (BatchMode::Delta, actual));
            }
            (Some((declared, line)), None) if declared != Declared::Absent => p.push(
                Problem::new(
                    MANIFEST,
                    format!("declares {name} but the package has no {name}"),
                )
                .at_line(line)
                .in_field(format!("file.{stem}")),
            ),
            (Some((_, line)), Some(actual)) => p.push(Problem::new(
                actual,
                format!(
                    "manifest.csv declares this file absent (line {line}) but the package has \
                     it: fix the manifest or remove the file"
                ),
            )),
            (None, Some(actual)) => p.push(Problem::new(
                actual,
                format!("manifest.csv does not declare this file: add file.{stem},bulk (or delta)"),
            )),
            _ => {}
        }
    }
    if plan.is_empty() && p.is_empty() {
        p.push(Problem::new(
            MANIFEST,
            "declares no roster file (orgs, academicSessions, courses, classes, users, \
             enrollments) as bulk or delta",
        ));
    }

    let mut summary = ImportSummary::default();
    let read_names: HashSet<String> = plan
        .values()
        .map(|(_, n)| n.to_ascii_lowercase())
        .chain([manifest_name.to_ascii_lowercase()])
        .collect();
    let mut ignored: Vec<String> = files
        .names()
        .iter()
        .filter(|n| n.to_ascii_lowercase().ends_with(".csv"))
        .filter(|n| !read_names.contains(&n.to_ascii_lowercase()))
        .cloned()
        .collect();
    ignored.sort();
    summary.ignored_files = ignored;

    let mode = if plan.values().any(|(m, _)| *m == BatchMode::Delta) {
        BatchMode::Delta
    } else {
        BatchMode::Bulk
    };
    let mut batch = RosterBatch::new(mode, version.as_str());
    let mut reader = Reader {
        files,
        p,
        progress,
        plan,
        headers: HashMap::new(),
        skip_refs: false,
    };
    let mut ids = Ids::default();
    reader.orgs(&mut ids.orgs, &mut batch.orgs);
    reader.sessions(&mut ids.sessions, &mut batch.sessions);
    reader.courses(&mut ids.courses, &mut batch.courses);
    reader.classes(&mut ids.classes, &mut batch.classes);
    let mut dropped = HashSet::new();
    let mut role_refs = Vec::new();
    match version {
        Version::V1_1 => {
            reader.users_v1_1(&mut ids.users, &mut batch.users, &mut dropped, &mut summary);
        }
        Version::V1_2 => reader.users_v1_2(
            mode,
            &mut ids.users,
            &mut batch.users,
            &mut dropped,
            &mut summary,
            &mut role_refs,
        ),
    }
    reader.enrollments(
        &mut ids.enrollments,
        &mut batch.enrollments,
        &dropped,
        &mut summary,
    );

    if mode == BatchMode::Bulk && !reader.skip_refs {
        check_refs(
            &batch,
            &ids,
            &reader.headers,
            &role_refs,
            version,
            &mut reader.p,
        );
    }
    if reader.p.is_empty() {
        Ok(Imported { batch, summary })
    } else {
        Err(reader.p.into_error(ErrorKind::Invalid))
    }
}

/// The sourcedIds each file defined.
#[derive(Default)]
struct Ids {
    orgs: Seen,
    sessions: Seen,
    courses: Seen,
    classes: Seen,
    users: Seen,
    enrollments: Seen,
}

/// A reference from a `roles.csv` row, checked once every file is read.
struct RoleRef {
    file: String,
    line: u64,
    column: Option<u64>,
    field: &'static str,
    org: String,
}

struct Reader<'a> {
    files: &'a mut dyn Files,
    p: Problems,
    progress: &'a mut dyn FnMut(Progress),
    /// The files to read: how each is declared and its name in the package.
    plan: HashMap<&'static str, (BatchMode, String)>,
    /// Headers of the files read, for locating reference problems.
    headers: HashMap<&'static str, Header>,
    /// Set when a file could not be read in full: reference checks would
    /// then only repeat that problem many times over.
    skip_refs: bool,
}

impl Reader<'_> {
    /// Reads the file for `stem`, if the package has it.
    fn rows<S>(
        &mut self,
        stem: &'static str,
        spec: impl FnOnce(&mut Header, &mut Problems) -> S,
        mut each: impl FnMut(&S, &Row<'_>, &mut Problems, BatchMode),
    ) {
        let Some((mode, name)) = self.plan.get(stem).cloned() else {
            return;
        };
        let bytes = match self.files.read(&name) {
            Ok(bytes) => bytes,
            Err(problem) => {
                self.p.push(problem);
                self.skip_refs = true;
                return;
            }
        };
        let header = read_rows(
            &name,
            &bytes,
            &mut self.p,
            &mut *self.progress,
            spec,
            |s, row, p| {
                each(s, row, p, mode);
            },
        );
        match header {
            Some(h) if h.is_complete() => {
                self.headers.insert(stem, h);
            }
            _ => self.skip_refs = true,
        }
    }

    fn orgs(&mut self, seen: &mut Seen, out: &mut Vec<OrgRecord>) {
        struct Cols {
            meta: MetaCols,
            name: Col,
            kind: Col,
            identifier: Col,
            parent: Col,
        }
        self.rows(
            ORGS,
            |h, p| Cols {
                meta: MetaCols::new(h, p),
                name: h.column("name", p),
                kind: h.column("type", p),
                identifier: h.optional("identifier"),
                parent: h.optional("parentSourcedId"),
            },
            |c, row, p, mode| {
                let meta = meta(row, &c.meta, mode, seen, p);
                let name = row.req(&c.name, p);
                let kind = pick(
                    row,
                    &c.kind,
                    p,
                    "org type",
                    "national, state, local, district, school or department",
                    org_kind,
                );
                let identifier = row.opt(&c.identifier, p);
                let parent = row.opt(&c.parent, p);
                if let (Some(meta), Some(name), Some(kind)) = (meta, name, kind) {
                    out.push(OrgRecord {
                        meta,
                        name: name.to_owned(),
                        kind,
                        identifier: identifier.map(str::to_owned),
                        parent: parent.map(str::to_owned),
                    });
                }
            },
        );
    }

    fn sessions(&mut self, seen: &mut Seen, out: &mut Vec<SessionRecord>) {
        struct Cols {
            meta: MetaCols,
            title: Col,
            kind: Col,
            start: Col,
            end: Col,
            parent: Col,
            year: Col,
        }
        self.rows(
            SESSIONS,
            |h, p| Cols {
                meta: MetaCols::new(h, p),
                title: h.column("title", p),
                kind: h.column("type", p),
                start: h.column("startDate", p),
                end: h.column("endDate", p),
                parent: h.optional("parentSourcedId"),
                year: h.column("schoolYear", p),
            },
            |c, row, p, mode| {
                let meta = meta(row, &c.meta, mode, seen, p);
                let title = row.req(&c.title, p);
                let kind = pick(
                    row,
                    &c.kind,
                    p,
                    "session type",
                    "schoolYear, semester, term or gradingPeriod",
                    |s| {
                        ["schoolYear", "semester", "term", "gradingPeriod"]
                            .contains(&s)
                            .then_some(s)
                    },
                );
                let start = req_date(row, &c.start, p);
                let end = req_date(row, &c.end, p);
                let parent = row.opt(&c.parent, p);
                let year = row.req(&c.year, p).filter(|y| {
                    let ok = y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit());
                    if !ok {
                        p.push(row.at(
                            &c.year,
                            format!("invalid school year \"{y}\": expected YYYY"),
                        ));
                    }
                    ok
                });
                if let (Some(meta), Some(title), Some(kind), Some(start), Some(end), Some(year)) =
                    (meta, title, kind, start, end, year)
                {
                    out.push(SessionRecord {
                        meta,
                        title: title.to_owned(),
                        kind: kind.to_owned(),
                        start_date: start.to_owned(),
                        end_date: end.to_owned(),
                        parent: parent.map(str::to_owned),
                        school_year: year.to_owned(),
                    });
                }
            },
        );
    }

    fn courses(&mut self, seen: &mut Seen, out: &mut Vec<CourseRecord>) {
        struct Cols {
            meta: MetaCols,
            title: Col,
            code: Col,
            org: Col,
            grades: Col,
            subjects: Col,
        }
        self.rows(
            COURSES,
            |h, p| Cols {
                meta: MetaCols::new(h, p),
                title: h.column("title", p),
                code: h.optional("courseCode"),
                org: h.column("orgSourcedId", p),
                grades: h.optional("grades"),
                subjects: h.optional("subjects"),
            },
            |c, row, p, mode| {
                let meta = meta(row, &c.meta, mode, seen, p);
                let title = row.req(&c.title, p);
                let code = row.opt(&c.code, p);
                let org = row.req(&c.org, p);
                let grades = split_list(row.opt(&c.grades, p));
                let subjects = split_list(row.opt(&c.subjects, p));
                if let (Some(meta), Some(title), Some(org)) = (meta, title, org) {
                    out.push(CourseRecord {
                        meta,
                        title: title.to_owned(),
                        code: code.map(str::to_owned),
                        org: org.to_owned(),
                        grades,
                        subjects,
                    });
                }
            },
        );
    }

    fn classes(&mut self, seen: &mut Seen, out: &mut Vec<ClassRecord>) {
        struct Cols {
            meta: MetaCols,
            title: Col,
            code: Col,
            kind: Col,
            location: Col,
            course: Col,
            school: Col,
            terms: Col,
            grades: Col,
            subjects: Col,
            periods: Col,
        }
        self.rows(
            CLASSES,
            |h, p| Cols {
                meta: MetaCols::new(h, p),
                title: h.column("title", p),
                code: h.optional("classCode"),
                kind: h.column("classType", p),
                location: h.optional("location"),
                course: h.column("courseSourcedId", p),
                school: h.column("schoolSourcedId", p),
                terms: h.column("termSourcedIds", p),
                grades: h.optional("grades"),
                subjects: h.optional("subjects"),
                periods: h.optional("periods"),
            },
            |c, row, p, mode| {
                let meta = meta(row, &c.meta, mode, seen, p);
                let title = row.req(&c.title, p);
                let code = row.opt(&c.code, p);
                let kind = pick(
                    row,
                    &c.kind,
                    p,
                    "class type",
                    "homeroom or scheduled",
                    |s| ["homeroom", "scheduled"].contains(&s).then_some(s),
                );
                let location = row.opt(&c.location, p);
                let course = row.req(&c.course, p);
                let school = row.req(&c.school, p);
                let terms = req_list(row, &c.terms, p);
                let grades = split_list(row.opt(&c.grades, p));
                let subjects = split_list(row.opt(&c.subjects, p));
                let periods = split_list(row.opt(&c.periods, p));
                if let (
                    Some(meta),
                    Some(title),
                    Some(kind),
                    Some(course),
                    Some(school),
                    Some(terms),
                ) = (meta, title, kind, course, school, terms)
                {
                    out.push(ClassRecord {
                        meta,
                        title: title.to_owned(),
                        code: code.map(str::to_owned),
                        class_type: kind.to_owned(),
                        location: location.map(str::to_owned),
                        course: course.to_owned(),
                        school: school.to_owned(),
                        terms,
                        grades,
                        subjects,
                        periods,
                    });
                }
            },
        );
    }

    /// OneRoster 1.1: one `role` per user, held at every org in
    /// `orgSourcedIds` (the first is primary).
    fn users_v1_1(
        &mut self,
        seen: &mut Seen,
        out: &mut Vec<UserRecord>,
        dropped: &mut HashSet<String>,
        summary: &mut ImportSummary,
    ) {
        struct Cols {
            person: PersonCols,
            orgs: Col,
            role: Col,
        }
        self.rows(
            USERS,
            |h, p| Cols {
                person: PersonCols::new(h, p),
                orgs: h.column("orgSourcedIds", p),
                role: h.column("role", p),
            },
            |c, row, p, mode| {
                let user = person(row, &c.person, mode, seen, p);
                let orgs = req_list(row, &c.orgs, p);
                let role = pick(row, &c.role, p, "role", ROLES_EXPECTED, parse_role);
                let (Some(mut user), Some(orgs), Some(role)) = (user, orgs, role) else {
                    return;
                };
                if role == RosterRole::Guardian {
                    summary.guardians_dropped += 1;
                    dropped.insert(user.meta.sourced_id);
                    return;
                }
                user.roles = orgs
                    .into_iter()
                    .enumerate()
                    .map(|(i, org)| OrgRole {
                        org,
                        role,
                        primary: i == 0,
                    })
                    .collect();
                out.push(user);
            },
        );
    }

    /// OneRoster 1.2: users first, then their roles from `roles.csv`.
    fn users_v1_2(
        &mut self,
        mode: BatchMode,
        seen: &mut Seen,
        out: &mut Vec<UserRecord>,
        dropped: &mut HashSet<String>,
        summary: &mut ImportSummary,
        role_refs: &mut Vec<RoleRef>,
    ) {
        struct Cols {
            person: PersonCols,
            primary_org: Col,
        }
        let mut users: Vec<(UserRecord, Option<String>)> = Vec::new();
        self.rows(
            USERS,
            |h, p| Cols {
                person: PersonCols::new(h, p),
                primary_org: h.optional("primaryOrgSourcedId"),
            },
            |c, row, p, mode| {
                let user = person(row, &c.person, mode, seen, p);
                let primary_org = row.opt(&c.primary_org, p);
                if let (Some(user), Some(org)) = (&user, primary_org) {
                    role_refs.push(RoleRef {
                        file: user.meta.origin.file.clone(),
                        line: row.line,
                        column: c.primary_org.number(),
                        field: c.primary_org.name,
                        org: org.to_owned(),
                    });
                }
                if let Some(user) = user {
                    users.push((user, primary_org.map(str::to_owned)));
                }
            },
        );
        let index: HashMap<String, usize> = users
            .iter()
            .enumerate()
            .map(|(i, (u, _))| (u.meta.sourced_id.clone(), i))
            .collect();
        let mut guardian = vec![false; users.len()];

        struct RoleCols {
            id: Col,
            status: Col,
            modified: Col,
            user: Col,
            role_type: Col,
            role: Col,
            org: Col,
            begin: Col,
            end: Col,
        }
        let mut seen_roles = Seen::new();
        self.rows(
            ROLES,
            |h, p| RoleCols {
                id: h.optional("sourcedId"),
                status: h.optional("status"),
                modified: h.optional("dateLastModified"),
                user: h.column("userSourcedId", p),
                role_type: h.column("roleType", p),
                role: h.column("role", p),
                org: h.column("orgSourcedId", p),
                begin: h.optional("beginDate"),
                end: h.optional("endDate"),
            },
            |c, row, p, _| {
                if let Some(id) = row.opt(&c.id, p) {
                    note_id(row, &c.id, id, &mut seen_roles, p);
                }
                let deleted = match row.opt(&c.status, p) {
                    None => false,
                    Some(s) => parse_status(row, &c.status, s, p) == Some(Status::ToBeDeleted),
                };
                if let Some(m) = row.opt(&c.modified, p)
                    && let Err(e) = check_timestamp(m)
                {
                    p.push(row.at(&c.modified, e));
                }
                let user = row.req(&c.user, p);
                let primary = pick(
                    row,
                    &c.role_type,
                    p,
                    "roleType",
                    "primary or secondary",
                    |s| match s {
                        "primary" => Some(true),
                        "secondary" => Some(false),
                        _ => None,
                    },
                );
                let role = pick(row, &c.role, p, "role", ROLES_EXPECTED, parse_role);
                let org = row.req(&c.org, p);
                opt_date(row, &c.begin, p);
                opt_date(row, &c.end, p);
                let (Some(user), Some(primary), Some(role), Some(org)) = (user, primary, role, org)
                else {
                    return;
                };
                let Some(&i) = index.get(user) else {
                    let message = if mode == BatchMode::Bulk {
                        format!("unknown user \"{user}\": no row in users.csv has this sourcedId")
                    } else {
                        format!(
                            "user \"{user}\" is not in this package's users.csv: a delta package \
                             that changes a user's roles must also send the user's row"
                        )
                    };
                    p.push(row.at(&c.user, message));
                    return;
                };
                if role == RosterRole::Guardian {
                    guardian[i] = true;
                    return;
                }
                if deleted {
                    return;
                }
                role_refs.push(RoleRef {
                    file: row.file.to_owned(),
                    line: row.line,
                    column: c.org.number(),
                    field: c.org.name,
                    org: org.to_owned(),
                });
                if let Some((u, _)) = users.get_mut(i) {
                    u.roles.push(OrgRole {
                        org: org.to_owned(),
                        role,
                        primary,
                    });
                }
            },
        );

        for ((mut user, primary_org), guardian) in users.into_iter().zip(guardian) {
            if user.roles.is_empty() {
                if guardian {
                    summary.guardians_dropped += 1;
                    dropped.insert(user.meta.sourced_id);
                } else if user.meta.status == Status::Active {
                    self.p.push(
                        Problem::new(
                            &user.meta.origin.file,
                            format!(
                                "user \"{}\" has no role: roles.csv has no active row for them",
                                user.meta.sourced_id
                            ),
                        )
                        .at_line(user.meta.origin.line),
                    );
                } else {
                    // A deletion needs no roles.
                    out.push(user);
                }
                continue;
            }
            if !user.roles.iter().any(|r| r.primary) {
                let at = primary_org
                    .as_deref()
                    .and_then(|o| user.roles.iter().position(|r| r.org == o))
                    .unwrap_or(0);
                if let Some(r) = user.roles.get_mut(at) {
                    r.primary = true;
                }
            }
            user.roles.sort_by_key(|r| !r.primary);
            out.push(user);
        }
    }

    fn enrollments(
        &mut self,
        seen: &mut Seen,
        out: &mut Vec<EnrollmentRecord>,
        dropped: &HashSet<String>,
        summary: &mut ImportSummary,
    ) {
        struct Cols {
            meta: MetaCols,
            class: Col,
            school: Col,
            user: Col,
            role: Col,
            primary: Col,
            begin: Col,
            end: Col,
        }
        self.rows(
            ENROLLMENTS,
            |h, p| Cols {
                meta: MetaCols::new(h, p),
                class: h.column("classSourcedId", p),
                school: h.column("schoolSourcedId", p),
                user: h.column("userSourcedId", p),
                role: h.column("role", p),
                primary: h.optional("primary"),
                begin: h.optional("beginDate"),
                end: h.optional("endDate"),
            },
            |c, row, p, mode| {
                let meta = meta(row, &c.meta, mode, seen, p);
                let class = row.req(&c.class, p);
                let school = row.req(&c.school, p);
                let user = row.req(&c.user, p);
                let role = pick(row, &c.role, p, "role", ROLES_EXPECTED, parse_role);
                let primary = opt_bool(row, &c.primary, p).unwrap_or(false);
                let begin = opt_date(row, &c.begin, p);
                let end = opt_date(row, &c.end, p);
                let (Some(meta), Some(class), Some(school), Some(user), Some(role)) =
                    (meta, class, school, user, role)
                else {
                    return;
                };
                if role == RosterRole::Guardian || dropped.contains(user) {
                    summary.guardian_enrollments_dropped += 1;
                    return;
                }
                out.push(EnrollmentRecord {
                    meta,
                    class: class.to_owned(),
                    school: school.to_owned(),
                    user: user.to_owned(),
                    role,
                    primary,
                    begin_date: begin.map(str::to_owned),
                    end_date: end.map(str::to_owned),
                });
            },
        );
    }
}

/// The header columns every record has.
struct MetaCols {
    id: Col,
    status: Col,
    modified: Col,
}

impl MetaCols {
    fn new(h: &mut Header, p: &mut Problems) -> Self {
        Self {
            id: h.column("sourcedId", p),
            status: h.column("status", p),
            modified: h.column("dateLastModified", p),
        }
    }
}

/// Reads a record's header; `None` (with problems reported) when invalid.
fn meta(
    row: &Row<'_>,
    c: &MetaCols,
    mode: BatchMode,
    seen: &mut Seen,
    p: &mut Problems,
) -> Option<Meta> {
    let id = row.req(&c.id, p);
    if let Some(id) = id {
        note_id(row, &c.id, id, seen, p);
    }
    let status = match row.opt(&c.status, p) {
        Some(s) => parse_status(row, &c.status, s, p),
        None if mode == BatchMode::Bulk => Some(Status::Active),
        None => {
            p.push(row.at(
                &c.status,
                "status is required in a delta file (active or tobedeleted)",
            ));
            None
        }
    };
    let modified = row
        .opt(&c.modified, p)
        .filter(|m| match check_timestamp(m) {
            Ok(()) => true,
            Err(e) => {
                p.push(row.at(&c.modified, e));
                false
            }
        });
    Some(Meta {
        sourced_id: id?.to_owned(),
        status: status?,
        date_last_modified: modified.map(str::to_owned),
        origin: Origin {
            file: row.file.to_owned(),
            line: row.line,
        },
    })
}

/// Records a sourcedId, reporting it at its second occurrence.
fn note_id(row: &Row<'_>, col: &Col, id: &str, seen: &mut Seen, p: &mut Problems) {
    if let Some(first) = seen.get(id) {
        p.push(row.at(
            col,
            format!("duplicate sourcedId \"{id}\" (first on line {first})"),
        ));
    } else {
        seen.insert(id.to_owned(), row.line);
    }
}

fn parse_status(row: &Row<'_>, col: &Col, s: &str, p: &mut Problems) -> Option<Status> {
    if s.eq_ignore_ascii_case("active") {
        Some(Status::Active)
    } else if s.eq_ignore_ascii_case("tobedeleted") {
        Some(Status::ToBeDeleted)
    } else {
        p.push(row.at(
            col,
            format!("unknown status \"{s}\" (expected active or tobedeleted)"),
        ));
        None
    }
}

/// The person columns shared by OneRoster 1.1 and 1.2 `users.csv`.
struct PersonCols {
    meta: MetaCols,
    enabled: Col,
    username: Col,
    given: Col,
    family: Col,
    middle: Col,
    identifier: Col,
    email: Col,
    grades: Col,
}

impl PersonCols {
    fn new(h: &mut Header, p: &mut Problems) -> Self {
        Self {
            meta: MetaCols::new(h, p),
            enabled: h.optional("enabledUser"),
            username: h.column("username", p),
            given: h.column("givenName", p),
            family: h.column("familyName", p),
            middle: h.optional("middleName"),
            identifier: h.optional("identifier"),
            email: h.optional("email"),
            grades: h.optional("grades"),
        }
    }
}

/// A user without roles.
fn person(
    row: &Row<'_>,
    c: &PersonCols,
    mode: BatchMode,
    seen: &mut Seen,
    p: &mut Problems,
) -> Option<UserRecord> {
    let meta = meta(row, &c.meta, mode, seen, p);
    let enabled = opt_bool(row, &c.enabled, p).unwrap_or(true);
    let username = row.req(&c.username, p);
    let given = row.req(&c.given, p);
    let family = row.req(&c.family, p);
    let middle = row.opt(&c.middle, p);
    let identifier = row.opt(&c.identifier, p);
    let email = row.opt(&c.email, p);
    let grades = split_list(row.opt(&c.grades, p));
    Some(UserRecord {
        meta: meta?,
        enabled,
        username: username?.to_owned(),
        given_name: given?.to_owned(),
        family_name: family?.to_owned(),
        middle_name: middle.map(str::to_owned),
        identifier: identifier.map(str::to_owned),
        email: email.map(str::to_owned),
        grades,
        roles: Vec::new(),
    })
}

/// A required enumeration value.
fn pick<'r, T>(
    row: &Row<'r>,
    col: &Col,
    p: &mut Problems,
    what: &str,
    expected: &str,
    parse: impl Fn(&'r str) -> Option<T>,
) -> Option<T> {
    let v = row.req(col, p)?;
    let parsed = parse(v);
    if parsed.is_none() {
        p.push(row.at(col, format!("unknown {what} \"{v}\" (expected {expected})")));
    }
    parsed
}

/// A required, non-empty comma list.
fn req_list(row: &Row<'_>, col: &Col, p: &mut Problems) -> Option<Vec<String>> {
    let raw = row.req(col, p)?;
    let list = split_list(Some(raw));
    if list.is_empty() {
        p.push(row.at(col, "required value is empty"));
        return None;
    }
    Some(list)
}

fn req_date<'r>(row: &Row<'r>, col: &Col, p: &mut Problems) -> Option<&'r str> {
    let v = row.req(col, p)?;
    valid_date(row, col, v, p)
}

/// An optional date; `None` when empty or invalid (then reported).
fn opt_date<'r>(row: &Row<'r>, col: &Col, p: &mut Problems) -> Option<&'r str> {
    let v = row.opt(col, p)?;
    valid_date(row, col, v, p)
}

fn valid_date<'r>(row: &Row<'r>, col: &Col, v: &'r str, p: &mut Problems) -> Option<&'r str> {
    match check_date(v) {
        Ok(()) => Some(v),
        Err(e) => {
            p.push(row.at(col, e));
            None
        }
    }
}

fn opt_bool(row: &Row<'_>, col: &Col, p: &mut Problems) -> Option<bool> {
    let v = row.opt(col, p)?;
    let b = parse_bool(v);
    if b.is_none() {
        p.push(row.at(
            col,
            format!("invalid boolean \"{v}\" (expected true or false)"),
        ));
    }
    b
}

fn org_kind(s: &str) -> Option<OrgKind> {
    match s {
        "national" | "state" | "local" => Some(OrgKind::Region),
        "district" => Some(OrgKind::District),
        "school" => Some(OrgKind::School),
        "department" => Some(OrgKind::Department),
        _ => None,
    }
}

const ROLES_EXPECTED: &str = "administrator, aide, counselor, districtAdministrator, guardian, \
    parent, principal, proctor, relative, siteAdministrator, student, systemAdministrator or teacher";

/// OneRoster 1.1 and 1.2 role names (1.1's `administrator` is a site
/// administrator; `proctor` is other staff; family roles are guardians).
fn parse_role(s: &str) -> Option<RosterRole> {
    Some(match s {
        "teacher" => RosterRole::Teacher,
        "student" => RosterRole::Student,
        "aide" => RosterRole::Aide,
        "counselor" => RosterRole::Counselor,
        "principal" => RosterRole::Principal,
        "administrator" | "siteAdministrator" => RosterRole::SiteAdministrator,
        "districtAdministrator" => RosterRole::DistrictAdministrator,
        "systemAdministrator" => RosterRole::SystemAdministrator,
        "proctor" => RosterRole::OtherStaff,
        "guardian" | "parent" | "relative" => RosterRole::Guardian,
        _ => return None,
    })
}

/// Bulk packages only: every reference must name a record in the package.
fn check_refs(
    batch: &RosterBatch,
    ids: &Ids,
    headers: &HashMap<&'static str, Header>,
    role_refs: &[RoleRef],
    version: Version,
    p: &mut Problems,
) {
    let mut check = |stem: &str,
                     origin: &Origin,
                     field: &'static str,
                     id: &str,
                     target: &Seen,
                     target_stem: &str,
                     what: &str| {
        if target.contains_key(id) {
            return;
        }
        let mut problem = Problem::new(
            &origin.file,
            format!("unknown {what} \"{id}\": no row in {target_stem}.csv has this sourcedId"),
        )
        .at_line(origin.line)
        .in_field(field);
        if let Some(column) = headers.get(stem).and_then(|h| h.optional(field).number()) {
            problem = problem.at_column(column);
        }
        p.push(problem);
    };
    for o in &batch.orgs {
        if let Some(parent) = &o.parent {
            check(
                ORGS,
                &o.meta.origin,
                "parentSourcedId",
                parent,
                &ids.orgs,
                ORGS,
                "parent org",
            );
        }
    }
    for s in &batch.sessions {
        if let Some(parent) = &s.parent {
            check(
                SESSIONS,
                &s.meta.origin,
                "parentSourcedId",
                parent,
                &ids.sessions,
                SESSIONS,
                "parent session",
            );
        }
    }
    for c in &batch.courses {
        check(
            COURSES,
            &c.meta.origin,
            "orgSourcedId",
            &c.org,
            &ids.orgs,
            ORGS,
            "org",
        );
    }
    for c in &batch.classes {
        let o = &c.meta.origin;
        check(
            CLASSES,
            o,
            "courseSourcedId",
            &c.course,
            &ids.courses,
            COURSES,
            "course",
        );
        check(
            CLASSES,
            o,
            "schoolSourcedId",
            &c.school,
            &ids.orgs,
            ORGS,
            "school",
        );
        for t in &c.terms {
            check(
                CLASSES,
                o,
                "termSourcedIds",
                t,
                &ids.sessions,
                SESSIONS,
                "term",
            );
        }
    }
    if version == Version::V1_1 {
        for u in &batch.users {
            for r in &u.roles {
                check(
                    USERS,
                    &u.meta.origin,
                    "orgSourcedIds",
                    &r.org,
                    &ids.orgs,
                    ORGS,
                    "org",
                );
            }
        }
    }
    for e in &batch.enrollments {
        let o = &e.meta.origin;
        check(
            ENROLLMENTS,
            o,
            "classSourcedId",
            &e.class,
            &ids.classes,
            CLASSES,
            "class",
        );
        check(
            ENROLLMENTS,
            o,
            "schoolSourcedId",
            &e.school,
            &ids.orgs,
            ORGS,
            "school",
        );
        check(
            ENROLLMENTS,
            o,
            "userSourcedId",
            &e.user,
            &ids.users,
            USERS,
            "user",
        );
    }
    for r in role_refs {
        if !ids.orgs.contains_key(&r.org) {
            let mut problem = Problem::new(
                &r.file,
                format!(
                    "unknown org \"{}\": no row in orgs.csv has this sourcedId",
                    r.org
                ),
            )
            .at_line(r.line)
            .in_field(r.field);
            if let Some(column) = r.column {
                problem = problem.at_column(column);
            }
            p.push(problem);
        }
    }
}
