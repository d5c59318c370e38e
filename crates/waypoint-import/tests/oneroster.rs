//! OneRoster import through the public API, against the third-party
//! fixtures in `shared/fixtures/oneroster` and against our own variants of
//! them written to temporary folders (the fixtures themselves are never
//! changed).

#![expect(clippy::unwrap_used)]

use std::fs;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use waypoint_domain::org::OrgKind;
use waypoint_domain::roster::{
    BatchMode, ClassRecord, CourseRecord, EnrollmentRecord, Meta, OrgRecord, OrgRole, Origin,
    RosterBatch, RosterRole, SessionRecord, Status, UserRecord,
};
use waypoint_import::{
    ErrorKind, ImportError, MAX_PROBLEMS, PackageSource, Problem, Progress, read_package,
    read_zip_bytes, write_package,
};

const GRAND_BEND: &str = "edfi-lms-toolkit-grand-bend-v1p1";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/oneroster")
}

fn quiet() -> impl FnMut(Progress) {
    |_| {}
}

fn read(path: &Path) -> Result<RosterBatch, ImportError> {
    read_package(path, &mut quiet())
}

/// A folder under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "waypoint-import-test-{}-{name}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn write(&self, name: &str, content: &str) {
        fs::write(self.0.join(name), content).unwrap();
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A copy of a fixture package we are free to damage.
fn copy_fixture(name: &str) -> TempDir {
    let dir = TempDir::new(name);
    for entry in fs::read_dir(fixtures().join(name)).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

/// Replaces `from` by `to` on one 1-based line of a file.
fn edit_line(dir: &TempDir, file: &str, line: usize, from: &str, to: &str) {
    let path = dir.path().join(file);
    let text = fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
    let target = &mut lines[line - 1];
    assert!(
        target.contains(from),
        "{file}:{line} has no {from:?}: {target}"
    );
    *target = target.replacen(from, to, 1);
    fs::write(&path, lines.join("\n")).unwrap();
}

/// The problem located in `file` at `line`, or a panic listing them all.
fn problem_at<'e>(e: &'e ImportError, file: &str, line: u64) -> &'e Problem {
    e.problems
        .iter()
        .find(|p| p.file == file && p.line == Some(line))
        .unwrap_or_else(|| panic!("no problem at {file}:{line} in:\n{e}"))
}

fn strip_origins(mut b: RosterBatch) -> RosterBatch {
    fn clear(m: &mut Meta) {
        m.origin = Origin {
            file: String::new(),
            line: 0,
        };
    }
    b.orgs.iter_mut().for_each(|r| clear(&mut r.meta));
    b.sessions.iter_mut().for_each(|r| clear(&mut r.meta));
    b.courses.iter_mut().for_each(|r| clear(&mut r.meta));
    b.classes.iter_mut().for_each(|r| clear(&mut r.meta));
    b.users.iter_mut().for_each(|r| clear(&mut r.meta));
    b.enrollments.iter_mut().for_each(|r| clear(&mut r.meta));
    b
}

fn grand_bend() -> RosterBatch {
    read(&fixtures().join(GRAND_BEND)).unwrap()
}

#[test]
fn grand_bend_1_1_parses_with_the_fixture_counts() {
    let b = grand_bend();
    assert_eq!(b.mode, BatchMode::Bulk);
    assert_eq!(b.version, "1.1");
    assert_eq!(
        (
            b.orgs.len(),
            b.sessions.len(),
            b.courses.len(),
            b.classes.len(),
            b.users.len(),
            b.enrollments.len()
        ),
        (2, 3, 2, 2, 10, 24)
    );
    assert_eq!(b.orgs[0].kind, OrgKind::District);
    assert_eq!(b.orgs[1].kind, OrgKind::School);
    assert_eq!(b.orgs[1].parent.as_deref(), Some("255901"));
    // Leading zeros survive; quoted comma lists split.
    assert!(b.courses.iter().any(|c| c.meta.sourced_id == "03100500"));
    assert_eq!(
        b.classes[0].terms,
        [
            "255901001_2021_2020-2021_Fall",
            "255901001_2021_2020-2021_Spring"
        ]
    );
    let teachers: Vec<&UserRecord> = b
        .users
        .iter()
        .filter(|u| u.primary_role() == RosterRole::Teacher)
        .collect();
    assert_eq!(teachers.len(), 2, "the two 19-field teacher rows are kept");
    assert_eq!(
        teachers[0].roles,
        [OrgRole {
            org: "255901001".into(),
            role: RosterRole::Teacher,
            primary: true
        }]
    );
    let mary = &b.users[0];
    assert_eq!(mary.username, "Mary Archer");
    assert_eq!(mary.grades, ["09"]);
    assert!(mary.enabled);
    assert_eq!(mary.meta.status, Status::Active);
    assert_eq!(
        mary.meta.origin,
        Origin {
            file: "users.csv".into(),
            line: 2
        }
    );
    let students = b
        .enrollments
        .iter()
        .filter(|e| e.role == RosterRole::Student)
        .count();
    assert_eq!((students, b.enrollments.len() - students), (20, 4));
    assert_eq!(b.enrollments[0].begin_date.as_deref(), Some("2020-08-17"));
}

#[test]
fn the_summary_names_files_not_read_and_progress_reaches_each_file_end() {
    let mut events = Vec::new();
    let imported = PackageSource::from_path(&fixtures().join(GRAND_BEND))
        .import(&mut |p| events.push(p))
        .unwrap();
    assert_eq!(imported.summary.ignored_files, ["demographics.csv"]);
    assert_eq!(imported.summary.guardians_dropped, 0);
    let last = events
        .iter()
        .rfind(|p| p.file == "enrollments.csv")
        .unwrap();
    assert_eq!((last.rows_done, last.rows_total_estimate), (24, Some(24)));
    assert!(
        events
            .iter()
            .any(|p| p.file == "users.csv" && p.rows_done == 10)
    );
    assert!(!events.iter().any(|p| p.file == "demographics.csv"));
}

#[test]
fn oneroster_1_0_is_refused_as_unsupported() {
    let e = read(&fixtures().join("edfi-lms-toolkit-grand-bend-v1p0")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unsupported);
    assert_eq!(e.problems.len(), 1);
    assert!(
        e.problems[0].message.contains("looks like OneRoster 1.0"),
        "{e}"
    );
    assert!(e.problems[0].message.contains("\"userId\""), "{e}");
}

#[test]
fn microsoft_sds_exports_are_refused_and_named() {
    for (dir, flavour) in [
        ("microsoft-sds-v2-sample", "(SDS v2)"),
        ("microsoft-sds-v2p1-sample", "(SDS v2.1)"),
    ] {
        let e = read(&fixtures().join(dir)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotOneRoster, "{dir}");
        let text = e.to_string();
        assert!(text.contains("Microsoft School Data Sync"), "{text}");
        assert!(text.contains(flavour), "{text}");
        assert!(text.contains("Export OneRoster 1.1 or 1.2 CSV"), "{text}");
    }
}

#[test]
fn a_package_without_manifest_is_not_oneroster() {
    let dir = copy_fixture(GRAND_BEND);
    fs::remove_file(dir.path().join("manifest.csv")).unwrap();
    let e = read(dir.path()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotOneRoster);
    assert!(
        e.problems[0].message.contains("manifest.csv is missing"),
        "{e}"
    );

    let empty = TempDir::new("empty");
    assert_eq!(
        read(empty.path()).unwrap_err().kind,
        ErrorKind::NotOneRoster
    );
}

#[test]
fn a_manifest_declaring_1_0_is_unsupported() {
    let dir = copy_fixture(GRAND_BEND);
    edit_line(&dir, "manifest.csv", 3, "1.1", "1.0");
    let e = read(dir.path()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unsupported);
    let p = problem_at(&e, "manifest.csv", 3);
    assert_eq!((p.column, p.field.as_deref()), (Some(2), Some("value")));
}

#[test]
fn a_declared_file_must_exist() {
    let dir = copy_fixture(GRAND_BEND);
    fs::remove_file(dir.path().join("classes.csv")).unwrap();
    let e = read(dir.path()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Invalid);
    let p = problem_at(&e, "manifest.csv", 9);
    assert_eq!(p.field.as_deref(), Some("file.classes"));
}

const V1_2_MANIFEST: &str = "propertyName,value\n\
manifest.version,1.0\n\
oneroster.version,1.2\n\
file.academicSessions,bulk\n\
file.orgs,bulk\n\
file.courses,bulk\n\
file.classes,bulk\n\
file.users,bulk\n\
file.roles,bulk\n\
file.enrollments,bulk\n\
file.demographics,absent\n\
file.userProfiles,absent\n";

/// A small hand-written OneRoster 1.2 package (columns in spec order, with
/// 1.2-only columns we ignore).
fn v1_2_package() -> TempDir {
    let dir = TempDir::new("v1p2");
    dir.write("manifest.csv", V1_2_MANIFEST);
    dir.write(
        "orgs.csv",
        "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n\
         d1,active,2026-01-05T08:00:00Z,River District,district,,\n\
         s1,active,2026-01-05T08:00:00Z,River High,school,RH-1,d1\n\
         s2,active,2026-01-05T08:00:00Z,River Middle,school,RM-1,d1\n",
    );
    dir.write(
        "academicSessions.csv",
        "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear\n\
         y1,active,,2026-2027,schoolYear,2026-08-24,2027-06-11,,2027\n",
    );
    dir.write(
        "courses.csv",
        "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,subjectCodes\n\
         c1,active,,y1,Biology,BIO,\"09,10\",d1,Science,\n",
    );
    dir.write(
        "classes.csv",
        "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n\
         k1,active,,Biology 1,09,c1,BIO-1,scheduled,Lab 2,s1,y1,Science,,\"1,2\"\n",
    );
    dir.write(
        "users.csv",
        "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,resourceSourcedIds,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns\n\
         u1,active,,true,ada@river.example,,Ada,Lovelace,,T-1,ada@river.example,,,,,,,,,,,s1,\n\
         u2,active,,FALSE,bo@river.example,,Bo,Chen,,T-2,,,,,,,,,,,,s1,\n\
         u3,active,,true,cy@river.example,,Cy,Diaz,,S-1,,,555-0100,g1,09,secret,,,,,,s1,\n\
         g1,active,,true,gil@mail.example,,Gil,Diaz,,,,,,,,,,,,,,,\n",
    );
    dir.write(
        "roles.csv",
        "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId\n\
         r1,active,,u1,primary,teacher,2026-08-24,,s1,\n\
         r2,active,,u2,secondary,teacher,,,s2,\n\
         r3,active,,u2,primary,principal,,,s1,\n\
         r4,active,,u3,primary,student,,,s1,\n\
         r5,active,,g1,primary,guardian,,,s1,\n\
         r6,tobedeleted,,u1,secondary,aide,,,s2,\n",
    );
    dir.write(
        "enrollments.csv",
        "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n\
         e1,active,,k1,s1,u1,teacher,true,2026-08-24,2027-06-11\n\
         e2,active,,k1,s1,u3,student,false,,\n\
         e3,active,,k1,s1,g1,guardian,,,\n",
    );
    dir
}

#[test]
fn a_1_2_package_with_roles_csv_parses() {
    let dir = v1_2_package();
    let imported = PackageSource::Folder(dir.path().to_owned())
        .import(&mut quiet())
        .unwrap();
    let b = imported.batch;
    assert_eq!((b.version.as_str(), b.mode), ("1.2", BatchMode::Bulk));
    assert_eq!(b.users.len(), 3, "the guardian is dropped");
    assert_eq!(imported.summary.guardians_dropped, 1);
    assert_eq!(imported.summary.guardian_enrollments_dropped, 1);
    assert_eq!(b.enrollments.len(), 2);
    let bo = &b.users[1];
    assert!(!bo.enabled);
    assert_eq!(bo.primary_role(), RosterRole::Principal);
    assert_eq!(
        bo.roles,
        [
            OrgRole {
                org: "s1".into(),
                role: RosterRole::Principal,
                primary: true
            },
            OrgRole {
                org: "s2".into(),
                role: RosterRole::Teacher,
                primary: false
            },
        ]
    );
    // The deleted aide role is not kept.
    assert_eq!(b.users[0].roles.len(), 1);
    assert_eq!(b.courses[0].grades, ["09", "10"]);
    assert_eq!(b.classes[0].periods, ["1", "2"]);
    assert!(b.enrollments[0].primary);
    assert_eq!(
        b.orgs[0].meta.date_last_modified.as_deref(),
        Some("2026-01-05T08:00:00Z")
    );
}

#[test]
fn a_1_2_package_checks_roles() {
    let dir = v1_2_package();
    edit_line(&dir, "roles.csv", 2, "primary", "main");
    edit_line(&dir, "roles.csv", 5, "u3", "nobody");
    edit_line(&dir, "roles.csv", 4, ",s1,", ",s9,");
    let e = read(dir.path()).unwrap_err();
    let p = problem_at(&e, "roles.csv", 2);
    assert_eq!((p.column, p.field.as_deref()), (Some(5), Some("roleType")));
    let p = problem_at(&e, "roles.csv", 5);
    assert_eq!(
        (p.column, p.field.as_deref()),
        (Some(4), Some("userSourcedId"))
    );
    let p = problem_at(&e, "roles.csv", 4);
    assert_eq!(
        (p.column, p.field.as_deref()),
        (Some(9), Some("orgSourcedId"))
    );
    // u3 lost its only role.
    assert!(
        problem_at(&e, "users.csv", 4)
            .message
            .contains("has no role"),
        "{e}"
    );
}

#[test]
fn a_renamed_column_is_a_missing_required_column() {
    let dir = copy_fixture(GRAND_BEND);
    edit_line(&dir, "classes.csv", 1, "classType", "classKind");
    let e = read(dir.path()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Invalid);
    assert_eq!(e.problems.len(), 1, "{e}");
    let p = problem_at(&e, "classes.csv", 1);
    assert_eq!((p.column, p.field.as_deref()), (None, Some("classType")));
    assert_eq!(
        p.to_string(),
        "classes.csv:1 (field \"classType\"): missing required column \"classType\""
    );
}

#[test]
fn a_duplicate_header_column_is_located() {
    let dir = copy_fixture(GRAND_BEND);
    edit_line(&dir, "orgs.csv", 1, "identifier", "name");
    let e = read(dir.path()).unwrap_err();
    let p = problem_at(&e, "orgs.csv", 1);
    assert_eq!((p.column, p.field.as_deref()), (Some(6), Some("name")));
    assert!(p.message.contains("duplicate column"));
}

#[test]
fn a_dangling_reference_is_located_at_the_referencing_cell() {
    let dir = copy_fixture(GRAND_BEND);
    edit_line(
        &dir,
        "enrollments.csv",
        3,
        "25590100102Trad220ALG112011",
        "NOPE",
    );
    let e = read(dir.path()).unwrap_err();
    assert_eq!(e.problems.len(), 1, "{e}");
    let p = problem_at(&e, "enrollments.csv", 3);
    assert_eq!(
        (p.column, p.field.as_deref()),
        (Some(4), Some("classSourcedId"))
    );
    assert!(p.message.starts_with("unknown class \"NOPE\""), "{p}");
}

#[test]
fn impossible_dates_are_located() {
    let dir = copy_fixture(GRAND_BEND);
    edit_line(&dir, "academicSessions.csv", 2, "2020-08-17", "2026-13-01");
    edit_line(&dir, "enrollments.csv", 2, "2020-08-17", "2026-02-30");
    let e = read(dir.path()).unwrap_err();
    let p = problem_at(&e, "academicSessions.csv", 2);
    assert_eq!((p.column, p.field.as_deref()), (Some(6), Some("startDate")));
    let p = problem_at(&e, "enrollments.csv", 2);
    assert_eq!((p.column, p.field.as_deref()), (Some(9), Some("beginDate")));
}

#[test]
fn an_extra_non_empty_field_is_located_but_an_empty_one_is_not() {
    let dir = copy_fixture(GRAND_BEND);
    edit_line(&dir, "users.csv", 2, ",09,", ",09,,x");
    edit_line(&dir, "users.csv", 3, ",09,", ",09,,");
    let e = read(dir.path()).unwrap_err();
    assert_eq!(e.problems.len(), 1, "{e}");
    let p = problem_at(&e, "users.csv", 2);
    assert_eq!(p.column, Some(19));
    assert!(
        p.message
            .contains("19 fields but the header has 18 columns"),
        "{p}"
    );
}

#[test]
fn a_short_row_is_located() {
    let dir = copy_fixture(GRAND_BEND);
    edit_line(&dir, "orgs.csv", 3, ",,255901,,,,,", "");
    let e = read(dir.path()).unwrap_err();
    let p = problem_at(&e, "orgs.csv", 3);
    assert_eq!(p.column, Some(6));
    assert!(p.message.contains("5 fields but the header has 12"), "{p}");
}

#[test]
fn all_problems_are_reported_together() {
    let dir = copy_fixture(GRAND_BEND);
    edit_line(&dir, "users.csv", 3, "student", "wizard");
    edit_line(&dir, "users.csv", 4, ",09,", ",09,,x");
    edit_line(&dir, "academicSessions.csv", 3, "2020-12-18", "2020-12-32");
    edit_line(&dir, "enrollments.csv", 6, "604918", "ghost");
    edit_line(&dir, "classes.csv", 3, "scheduled", "lecture");
    edit_line(&dir, "orgs.csv", 2, "district", "");
    let e = read(dir.path()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Invalid);
    assert!(!e.truncated);
    assert_eq!(
        problem_at(&e, "users.csv", 3).to_string(),
        "users.csv:3:6 (field \"role\"): unknown role \"wizard\" (expected administrator, aide, \
         counselor, districtAdministrator, guardian, parent, principal, proctor, relative, \
         siteAdministrator, student, systemAdministrator or teacher)"
    );
    assert_eq!(problem_at(&e, "users.csv", 4).column, Some(19));
    assert_eq!(problem_at(&e, "academicSessions.csv", 3).column, Some(7));
    assert_eq!(problem_at(&e, "enrollments.csv", 6).column, Some(6));
    assert_eq!(problem_at(&e, "classes.csv", 3).column, Some(8));
    let p = problem_at(&e, "orgs.csv", 2);
    assert_eq!(
        (p.column, p.message.as_str()),
        (Some(5), "required value is empty")
    );
}

#[test]
fn problems_stop_at_the_limit() {
    let dir = copy_fixture(GRAND_BEND);
    let mut text = fs::read_to_string(dir.path().join("enrollments.csv")).unwrap();
    for i in 0..150 {
        text.push_str(&format!(
            "\nX{i},,,25590100101Trad120ENG112011,255901001,604863,wizard,,,"
        ));
    }
    dir.write("enrollments.csv", &text);
    let e = read(dir.path()).unwrap_err();
    assert_eq!(e.problems.len(), MAX_PROBLEMS);
    assert!(e.truncated);
    assert!(e.to_string().contains("more not shown"));
}

#[test]
fn a_duplicate_sourced_id_is_reported_at_its_second_occurrence() {
    let dir = copy_fixture(GRAND_BEND);
    let mut text = fs::read_to_string(dir.path().join("courses.csv")).unwrap();
    let first = text.lines().nth(1).unwrap().to_owned();
    text.push('\n');
    text.push_str(&first);
    dir.write("courses.csv", &text);
    let e = read(dir.path()).unwrap_err();
    let p = problem_at(&e, "courses.csv", 4);
    assert_eq!((p.column, p.field.as_deref()), (Some(1), Some("sourcedId")));
    assert!(p.message.contains("first on line 2"), "{p}");
}

fn zip_of(dir: &Path, folder: &str) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    if !folder.is_empty() {
        zip.add_directory(folder, options).unwrap();
    }
    let mut entries: Vec<_> = fs::read_dir(dir).unwrap().map(|e| e.unwrap()).collect();
    entries.sort_by_key(fs::DirEntry::file_name);
    for entry in entries {
        let name = entry.file_name().into_string().unwrap();
        zip.start_file(format!("{folder}{name}"), options).unwrap();
        zip.write_all(&fs::read(entry.path()).unwrap()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn zip_packages_work_at_top_level_and_in_one_folder() {
    let expected = grand_bend();
    let dir = fixtures().join(GRAND_BEND);
    let top = zip_of(&dir, "");
    assert_eq!(read_zip_bytes(&top, &mut quiet()).unwrap(), expected);
    let nested = zip_of(&dir, "grand-bend/");
    assert_eq!(read_zip_bytes(&nested, &mut quiet()).unwrap(), expected);

    let tmp = TempDir::new("zipfile");
    let path = tmp.path().join("package.zip");
    fs::write(&path, &nested).unwrap();
    assert_eq!(read(&path).unwrap(), expected);

    let sds = zip_of(&fixtures().join("microsoft-sds-v2p1-sample"), "");
    let e = read_zip_bytes(&sds, &mut quiet()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotOneRoster);

    let e = read_zip_bytes(b"not a zip", &mut quiet()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotOneRoster);
}

#[test]
fn bom_and_crlf_are_tolerated() {
    let dir = copy_fixture(GRAND_BEND);
    for entry in fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, format!("\u{feff}{}", text.replace('\n', "\r\n"))).unwrap();
    }
    assert_eq!(read(dir.path()).unwrap(), grand_bend());
}

#[test]
fn columns_may_come_in_any_order() {
    let dir = copy_fixture(GRAND_BEND);
    for entry in fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(&path)
            .unwrap();
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        let width = rows[0].len();
        let mut writer = csv::Writer::from_path(&path).unwrap();
        for mut row in rows {
            row.truncate(width);
            row.reverse();
            writer.write_record(&row).unwrap();
        }
        writer.flush().unwrap();
    }
    assert_eq!(read(dir.path()).unwrap(), grand_bend());
}

#[test]
fn written_packages_read_back_equal() {
    let original = grand_bend();
    let dir = TempDir::new("roundtrip");
    write_package(&original, dir.path()).unwrap();
    let again = read(dir.path()).unwrap();
    assert_eq!(strip_origins(again), strip_origins(original));
}

fn meta(id: &str, status: Status) -> Meta {
    Meta {
        sourced_id: id.into(),
        status,
        date_last_modified: Some("2026-03-01T09:30:00Z".into()),
        origin: Origin {
            file: String::new(),
            line: 0,
        },
    }
}

/// A batch using every field and every kind the 1.1 writer can express.
fn varied_batch(mode: BatchMode) -> RosterBatch {
    let mut b = RosterBatch::new(mode, "1.1");
    for (id, kind, parent) in [
        ("st", OrgKind::Region, None),
        ("d", OrgKind::District, Some("st")),
        ("s", OrgKind::School, Some("d")),
        ("dep", OrgKind::Department, Some("s")),
    ] {
        b.orgs.push(OrgRecord {
            meta: meta(id, Status::Active),
            name: format!("Org, \"{id}\""),
            kind,
            identifier: Some(format!("ID-{id}")),
            parent: parent.map(str::to_owned),
        });
    }
    b.sessions.push(SessionRecord {
        meta: meta("y", Status::Active),
        title: "2026-2027".into(),
        kind: "schoolYear".into(),
        start_date: "2026-08-24".into(),
        end_date: "2027-06-11".into(),
        parent: None,
        school_year: "2027".into(),
    });
    b.sessions.push(SessionRecord {
        meta: meta("t1", Status::ToBeDeleted),
        title: "Fall".into(),
        kind: "term".into(),
        start_date: "2026-08-24".into(),
        end_date: "2026-12-18".into(),
        parent: Some("y".into()),
        school_year: "2027".into(),
    });
    b.courses.push(CourseRecord {
        meta: meta("c", Status::Active),
        title: "Chemistry".into(),
        code: None,
        org: "d".into(),
        grades: vec!["10".into(), "11".into()],
        subjects: vec!["Science".into()],
    });
    b.classes.push(ClassRecord {
        meta: meta("k", Status::Active),
        title: "Chem 1".into(),
        code: Some("CH-1".into()),
        class_type: "homeroom".into(),
        location: None,
        course: "c".into(),
        school: "s".into(),
        terms: vec!["y".into(), "t1".into()],
        grades: vec![],
        subjects: vec![],
        periods: vec!["3".into()],
    });
    let roles = [
        RosterRole::Teacher,
        RosterRole::Student,
        RosterRole::Aide,
        RosterRole::Counselor,
        RosterRole::Principal,
        RosterRole::SiteAdministrator,
        RosterRole::DistrictAdministrator,
        RosterRole::SystemAdministrator,
        RosterRole::OtherStaff,
    ];
    for (i, role) in roles.into_iter().enumerate() {
        b.users.push(UserRecord {
            meta: meta(&format!("u{i}"), Status::Active),
            enabled: i % 2 == 0,
            username: format!("user{i}@example.org"),
            given_name: "Given".into(),
            family_name: "Family".into(),
            middle_name: (i == 1).then(|| "Middle".into()),
            identifier: Some(format!("{i:04}")),
            email: None,
            grades: vec![],
            roles: vec![
                OrgRole {
                    org: "s".into(),
                    role,
                    primary: true,
                },
                OrgRole {
                    org: "dep".into(),
                    role,
                    primary: false,
                },
            ],
        });
        b.enrollments.push(EnrollmentRecord {
            meta: meta(&format!("e{i}"), Status::Active),
            class: "k".into(),
            school: "s".into(),
            user: format!("u{i}"),
            role,
            primary: i == 0,
            begin_date: Some("2026-08-24".into()),
            end_date: None,
        });
    }
    b
}

#[test]
fn every_field_and_kind_round_trips() {
    for mode in [BatchMode::Bulk, BatchMode::Delta] {
        let batch = varied_batch(mode);
        let dir = TempDir::new("varied");
        write_package(&batch, dir.path()).unwrap();
        let again = read(dir.path()).unwrap();
        assert_eq!(strip_origins(again), batch, "{mode:?}");
    }
}

#[test]
fn a_delta_package_keeps_deletions_and_does_not_check_references() {
    let dir = TempDir::new("delta");
    dir.write(
        "manifest.csv",
        "propertyName,value\r\nmanifest.version,1.0\r\noneroster.version,1.1\r\n\
         file.academicSessions,absent\r\nfile.orgs,absent\r\nfile.courses,absent\r\n\
         file.classes,absent\r\nfile.users,delta\r\nfile.enrollments,delta\r\n",
    );
    dir.write(
        "users.csv",
        "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,givenName,familyName\n\
         u1,active,2026-03-01T09:30:00Z,true,school-elsewhere,teacher,ann,Ann,Ames\n\
         u2,tobedeleted,2026-03-01T09:30:00Z,false,school-elsewhere,student,ben,Ben,Bell\n\
         p1,active,,true,school-elsewhere,parent,pat,Pat,Bell\n",
    );
    dir.write(
        "enrollments.csv",
        "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n\
         e1,tobedeleted,,class-elsewhere,school-elsewhere,u2,student,,,\n\
         e2,active,,class-elsewhere,school-elsewhere,u1,teacher,TRUE,,\n",
    );
    let b = read(dir.path()).unwrap();
    assert_eq!(b.mode, BatchMode::Delta);
    assert!(b.orgs.is_empty() && b.classes.is_empty());
    let statuses: Vec<Status> = b.users.iter().map(|u| u.meta.status).collect();
    assert_eq!(statuses, [Status::Active, Status::ToBeDeleted]);
    assert_eq!(b.enrollments[0].meta.status, Status::ToBeDeleted);
    assert!(b.enrollments[1].primary);

    // In a delta file the status is required.
    edit_line(&dir, "enrollments.csv", 3, "e2,active,", "e2,,");
    let e = read(dir.path()).unwrap_err();
    let p = problem_at(&e, "enrollments.csv", 3);
    assert_eq!((p.column, p.field.as_deref()), (Some(2), Some("status")));
}
