//! The contract every backend passes. Each function takes a freshly migrated,
//! empty store; [`contract_suite!`](crate::contract_suite) turns them into
//! `#[tokio::test]`s in a backend crate.

#![expect(
    clippy::missing_panics_doc,
    reason = "test helpers panic on failure by design"
)]

use crate::{
    AddSection, AuditEntry, Feedback, MoveRefused, NewCourse, NewEvent, NewImport, NewPerson,
    NewProgramme, NewProposal, NewSection, NewSlot, PageRequest, ProgrammeRefused, RunStatus, Seat,
    SeatSource, SessionRecord, Store, StoreError,
};
use std::collections::HashSet;
use std::sync::Arc;
use waypoint_domain::demo::{self, DemoSpec};
use waypoint_domain::pdday::{EventState, Ranking};
use waypoint_domain::roster::{BatchMode, Meta, Origin, RosterBatch, Status};
use waypoint_domain::{
    Actor, ClassId, CourseId, Grant, OrgId, OrgKind, PersonId, Policy, Role, Scope, StaffVisibility,
};

/// Generates one `#[tokio::test]` per contract function, each on a store made
/// by `$make` (an `async fn() -> Option<Arc<dyn Store>>`; `None` means the
/// backend is not configured here, and the test returns without asserting).
#[macro_export]
macro_rules! contract_suite {
    ($make:path) => {
        $crate::contract_suite!(@tests $make;
            migrations_are_idempotent, roster_import_and_reimport, delta_removes_and_rejects_dangling,
            accounts_and_sign_in_facts, sessions_round_trip, grants_and_directory_scope,
            roster_reads_are_audited, jobs_are_claimed_once, tokens_are_single_use_or_revocable,
            import_history_round_trip, pd_day_programme_and_rankings,
            pd_day_concurrent_saves_keep_the_last, pd_day_runs_store_seats,
            pd_day_proposals_become_courses_and_sections, follow_up_groups_invite_and_answer,
            pd_day_rooms_general_sessions_and_audience, frameworks_are_replaced_whole,
            system_goals_align_within_their_district, growth_plan_from_draft_to_carried_over,
            check_in_reminders_and_mail_go_once, assessment_results_are_all_or_nothing_and_idempotent,
            results_are_counted_by_band_and_read_with_an_audit_row);
    };
    (@tests $make:path; $($name:ident),*) => {
        $(
            #[tokio::test]
            async fn $name() {
                if let Some(store) = $make().await {
                    $crate::contract::$name(store).await;
                } else {
                    eprintln!("skipped: backend not configured");
                }
            }
        )*
    };
}

async fn load_small(store: &dyn Store) -> demo::Demo {
    let d = demo::generate(&DemoSpec::small());
    store
        .apply_roster(&d.roster)
        .await
        .expect("demo roster applies");
    store
        .apply_demo_grants(&d.grants)
        .await
        .expect("demo grants apply");
    d
}

fn origin(file: &str, line: u64) -> Origin {
    Origin {
        file: file.to_owned(),
        line,
    }
}

/// Migrating twice changes nothing and fails nothing.
pub async fn migrations_are_idempotent(store: Arc<dyn Store>) {
    store.migrate().await.expect("second migration run");
    store.ping().await.expect("ping");
}

/// A roster lands with the right totals; applying it again changes no row.
pub async fn roster_import_and_reimport(store: Arc<dyn Store>) {
    let v0 = store.roster_version().await.expect("version");
    let d = load_small(&*store).await;
    assert!(
        store.roster_version().await.expect("version") > v0,
        "an import moves the version"
    );
    let totals = store.roster_totals().await.expect("totals");
    let staff = d
        .roster
        .users
        .iter()
        .filter(|u| u.primary_role().is_staff())
        .count();
    assert_eq!(totals.staff as usize, staff);
    assert_eq!(totals.students as usize, d.roster.users.len() - staff);
    assert_eq!(totals.classes as usize, d.roster.classes.len());
    assert_eq!(totals.enrollments as usize, d.roster.enrollments.len());
    let before = store.roster_fingerprint().await.expect("fingerprint");
    let counts = store.apply_roster(&d.roster).await.expect("re-import");
    assert_eq!(counts.changed(), 0, "{counts:?}");
    assert_eq!(
        store.roster_fingerprint().await.expect("fingerprint"),
        before
    );

    // A changed name is one changed row.
    let mut renamed = d.roster.clone();
    renamed.users[3].family_name.push_str("-Ortega");
    let counts = store.apply_roster(&renamed).await.expect("rename");
    assert_eq!(counts.users.changed, 1);
    assert_eq!(counts.changed(), 1);
}

/// A delta marks rows deleted; a dangling reference rejects the whole batch.
pub async fn delta_removes_and_rejects_dangling(store: Arc<dyn Store>) {
    let d = load_small(&*store).await;
    let teacher = d
        .sign_ins
        .iter()
        .find(|s| s.role == Role::Educator)
        .expect("educator");
    let teacher_id = store
        .person_by_sourced_id(&teacher.user)
        .await
        .expect("lookup")
        .expect("exists");
    assert!(store.staff(teacher_id).await.expect("staff").is_some());
    assert!(
        !store
            .classes_taught_by(teacher_id)
            .await
            .expect("classes")
            .is_empty()
    );

    let mut delta = RosterBatch::new(BatchMode::Delta, "1.1");
    let mut gone = d
        .roster
        .users
        .iter()
        .find(|u| u.meta.sourced_id == teacher.user)
        .expect("user")
        .clone();
    gone.meta.status = Status::ToBeDeleted;
    delta.users.push(gone);
    let counts = store.apply_roster(&delta).await.expect("delta");
    assert_eq!(counts.users.deleted, 1);
    assert_eq!(
        store.signed_in(teacher_id).await.expect("signed in"),
        None,
        "removed people cannot act"
    );
    assert!(store.staff(teacher_id).await.expect("staff").is_none());
    assert!(
        store
            .account_by_username(&teacher.username)
            .await
            .expect("account")
            .is_none_or(|a| !a.enabled)
    );

    let before = store.roster_fingerprint().await.expect("fingerprint");
    let mut bad = RosterBatch::new(BatchMode::Delta, "1.1");
    let mut e = d.roster.enrollments[0].clone();
    e.meta = Meta {
        sourced_id: "enr-new".to_owned(),
        status: Status::Active,
        date_last_modified: None,
        origin: origin("enrollments.csv", 7),
    };
    e.class = "no-such-class".to_owned();
    bad.enrollments.push(e);
    let mut c = d.roster.classes[0].clone();
    c.title = "Changed before the failure".to_owned();
    bad.classes.push(c);
    match store.apply_roster(&bad).await {
        Err(StoreError::Rejected(problems)) => {
            assert_eq!(problems.len(), 1);
            assert_eq!(problems[0].file, "enrollments.csv");
            assert_eq!(problems[0].line, 7);
            assert_eq!(problems[0].field, "classSourcedId");
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(
        store.roster_fingerprint().await.expect("fingerprint"),
        before,
        "nothing half-written"
    );
}

/// Password facts, case-insensitive usernames, failure counting.
pub async fn accounts_and_sign_in_facts(store: Arc<dyn Store>) {
    let id = store
        .create_local_person(&NewPerson {
            username: "Admin@Example.org".to_owned(),
            given_name: "Ada".to_owned(),
            family_name: "Admin".to_owned(),
            email: None,
        })
        .await
        .expect("create");
    let dup = store
        .create_local_person(&NewPerson {
            username: "admin@example.org".to_owned(),
            given_name: "Other".to_owned(),
            family_name: "Admin".to_owned(),
            email: None,
        })
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    let a = store
        .account_by_username(" admin@EXAMPLE.org ")
        .await
        .expect("lookup")
        .expect("found");
    assert_eq!(a.person, id);
    assert_eq!(a.password_hash, None);
    store
        .set_password_hash(id, "$argon2id$fake", 1)
        .await
        .expect("set");
    assert_eq!(store.record_failed_sign_in(id).await.expect("fail"), 1);
    assert_eq!(store.record_failed_sign_in(id).await.expect("fail"), 2);
    store.lock_account(id, 99).await.expect("lock");
    store
        .lock_account(id, 50)
        .await
        .expect("a shorter lock never shortens");
    let a = store.account(id).await.expect("lookup").expect("found");
    assert_eq!(a.failed_sign_ins, 2);
    assert_eq!(a.locked_until, Some(99));
    assert_eq!(a.password_hash.as_deref(), Some("$argon2id$fake"));
    store.record_sign_in(id, 5).await.expect("ok");
    let a = store.account(id).await.expect("lookup").expect("found");
    assert_eq!((a.failed_sign_ins, a.locked_until), (0, None));
    store
        .add_grant(
            id,
            Grant::new(Role::Administrator, Scope::Installation).expect("grant"),
        )
        .await
        .expect("grant");
    let who = store
        .signed_in(id)
        .await
        .expect("signed in")
        .expect("active staff");
    assert_eq!(
        (who.display_name.as_str(), who.username.as_str()),
        ("Ada Admin", "Admin@Example.org")
    );
    assert_eq!(
        who.grants,
        vec![Grant::new(Role::Administrator, Scope::Installation).expect("grant")]
    );
    let listed = store
        .accounts("ada", PageRequest::first(10))
        .await
        .expect("accounts");
    assert_eq!(listed.total, 1);
    assert!(listed.items[0].has_password);
    assert_eq!(listed.items[0].last_sign_in, Some(5));
}

/// Sessions live server-side and die with the person's account.
pub async fn sessions_round_trip(store: Arc<dyn Store>) {
    let d = load_small(&*store).await;
    let p = store
        .person_by_sourced_id(&d.sign_ins[0].user)
        .await
        .expect("lookup")
        .expect("exists");
    let s = SessionRecord {
        id_hash: "h1".to_owned(),
        person: p,
        csrf_token: "c1".to_owned(),
        created_at: 10,
        last_seen_at: 10,
    };
    store.create_session(&s).await.expect("create");
    assert_eq!(store.session("h1").await.expect("get"), Some(s.clone()));
    store.touch_session("h1", 20).await.expect("touch");
    assert_eq!(
        store
            .session("h1")
            .await
            .expect("get")
            .expect("live")
            .last_seen_at,
        20
    );
    assert_eq!(store.purge_sessions(15, 0).await.expect("purge"), 0);
    assert_eq!(store.purge_sessions(25, 0).await.expect("purge"), 1);
    assert_eq!(store.session("h1").await.expect("get"), None);
    store.create_session(&s).await.expect("create");
    store.delete_sessions_of(p).await.expect("delete");
    assert_eq!(store.session("h1").await.expect("get"), None);
}

/// Roster-derived grants, manual grants, and the directory's scope.
pub async fn grants_and_directory_scope(store: Arc<dyn Store>) {
    let d = load_small(&*store).await;
    let by_role = |r: Role| {
        d.sign_ins
            .iter()
            .find(|s| s.role == r)
            .expect("sign-in")
            .user
            .clone()
    };
    let teacher = store
        .person_by_sourced_id(&by_role(Role::Educator))
        .await
        .expect("q")
        .expect("p");
    let grants = store.grants_of(teacher).await.expect("grants");
    let class = store.classes_taught_by(teacher).await.expect("classes")[0].id;
    let school = store
        .class(class)
        .await
        .expect("q")
        .expect("class")
        .placement
        .school
        .expect("school");
    assert_eq!(
        grants,
        vec![Grant::new(Role::Educator, Scope::School(school)).expect("grant")]
    );

    let actor = Actor {
        person: teacher,
        grants,
    };
    let vis = Policy::staff_visibility(&actor);
    let page = store
        .search_staff(&vis, teacher, "", PageRequest::first(500))
        .await
        .expect("search");
    assert!(page.total > 0 && page.items.len() as i64 == page.total);
    for row in &page.items {
        let detail = store.staff(row.id).await.expect("staff").expect("exists");
        assert!(
            detail.placements.iter().any(|p| p.school == Some(school)) || row.id == teacher,
            "{} is outside the teacher's school",
            row.username
        );
    }
    let at_school = store.staff_of_org(school).await.expect("staff of school");
    let narrowed = store
        .search_staff(
            &StaffVisibility::Within {
                districts: vec![],
                schools: vec![school],
            },
            PersonId::new(0),
            "",
            PageRequest::first(500),
        )
        .await
        .expect("narrowed search");
    assert_eq!(at_school, narrowed.items);
    let everyone = store
        .search_staff(&StaffVisibility::All, teacher, "", PageRequest::first(1))
        .await
        .expect("all");
    assert!(everyone.total > page.total);
    let none = store
        .search_staff(
            &StaffVisibility::Within {
                districts: vec![],
                schools: vec![],
            },
            teacher,
            "",
            PageRequest::first(5),
        )
        .await
        .expect("none");
    assert_eq!(none.total, 1, "only oneself");
    let found = store
        .search_staff(&StaffVisibility::All, teacher, "%", PageRequest::first(5))
        .await
        .expect("like");
    assert_eq!(found.total, 0, "wildcards are escaped");

    let g = Grant::new(Role::Coach, Scope::School(school)).expect("grant");
    store.add_grant(teacher, g).await.expect("add");
    store.add_grant(teacher, g).await.expect("idempotent");
    assert_eq!(store.grants_of(teacher).await.expect("grants").len(), 2);
    assert!(store.remove_grant(teacher, g).await.expect("remove"));
    assert!(!store.remove_grant(teacher, g).await.expect("remove"));

    let coordinator = store
        .person_by_sourced_id(&by_role(Role::DistrictCoordinator))
        .await
        .expect("q")
        .expect("p");
    let district = store
        .org_by_sourced_id("org-d1")
        .await
        .expect("q")
        .expect("district");
    let cg = store.grants_of(coordinator).await.expect("grants");
    assert!(cg.contains(
        &Grant::new(Role::DistrictCoordinator, Scope::District(district)).expect("grant")
    ));
    let schools = store.child_orgs(district).await.expect("children");
    assert_eq!(schools.len(), DemoSpec::small().schools);
    assert!(
        schools
            .iter()
            .all(|s| s.org.placement.district == Some(district) && s.students > 0)
    );
}

/// Reading a roster writes an audit row with the students shown.
pub async fn roster_reads_are_audited(store: Arc<dyn Store>) {
    let d = load_small(&*store).await;
    let teacher = store
        .person_by_sourced_id(
            &d.sign_ins
                .iter()
                .find(|s| s.role == Role::Educator)
                .expect("t")
                .user,
        )
        .await
        .expect("q")
        .expect("p");
    let classes = store.classes_taught_by(teacher).await.expect("classes");
    let class: ClassId = classes[0].id;
    let detail = store.class(class).await.expect("class").expect("exists");
    assert!(detail.teachers.iter().any(|t| t.id == teacher));
    assert_eq!(detail.placement.class, Some(class));
    let entry = AuditEntry {
        actor: teacher,
        role: "educator".to_owned(),
        scope: "class".to_owned(),
        subject: format!("class:{class} roster"),
        route: "/classes/{id}".to_owned(),
        request_id: "req-1".to_owned(),
        at: 42,
    };
    let students = store.class_students(class, &entry).await.expect("students");
    assert_eq!(students.len() as i64, classes[0].students);
    let log = store.audit_log(10).await.expect("log");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].request_id, "req-1");
    assert_eq!(log[0].students.split(',').count(), students.len());
    assert!(
        store
            .class(ClassId::new(999_999))
            .await
            .expect("q")
            .is_none()
    );
    assert!(store.org(OrgId::new(999_999)).await.expect("q").is_none());
}

/// Concurrent claimers never share a job; an expired lease is reclaimed.
pub async fn jobs_are_claimed_once(store: Arc<dyn Store>) {
    let mut ids = Vec::new();
    for i in 0..20 {
        ids.push(
            store
                .enqueue_job("test", &format!("{{\"n\":{i}}}"), 1)
                .await
                .expect("enqueue"),
        );
    }
    let mut handles = Vec::new();
    for w in 0..4 {
        let store = Arc::clone(&store);
        handles.push(tokio::spawn(async move {
            let worker = format!("w{w}");
            let mut mine = Vec::new();
            while let Some(job) = store.claim_job(&worker, 2, 60_000).await.expect("claim") {
                store
                    .finish_job(job.id, &worker, None, 3)
                    .await
                    .expect("finish");
                mine.push(job.id);
            }
            mine
        }));
    }
    let mut claimed = Vec::new();
    for h in handles {
        claimed.extend(h.await.expect("join"));
    }
    claimed.sort_unstable();
    assert_eq!(claimed, ids, "each job exactly once");
    assert_eq!(
        store
            .job(ids[0])
            .await
            .expect("job")
            .expect("exists")
            .status,
        "done"
    );

    let id = store.enqueue_job("test", "{}", 10).await.expect("enqueue");
    let first = store
        .claim_job("dead", 10, 100)
        .await
        .expect("claim")
        .expect("job");
    assert_eq!(first.id, id);
    assert!(
        store
            .claim_job("other", 50, 100)
            .await
            .expect("claim")
            .is_none(),
        "lease still held"
    );
    let again = store
        .claim_job("other", 200, 100)
        .await
        .expect("claim")
        .expect("reclaimed");
    assert_eq!((again.id, again.attempts), (id, 2));
    store
        .finish_job(id, "dead", Some("late"), 201)
        .await
        .expect("stale finish is ignored");
    store
        .finish_job(id, "other", Some("boom"), 202)
        .await
        .expect("finish");
    let j = store.job(id).await.expect("job").expect("exists");
    assert_eq!(
        (j.status.as_str(), j.error.as_deref()),
        ("failed", Some("boom"))
    );
}

/// Reset tokens work once and expire; API tokens can be revoked.
pub async fn tokens_are_single_use_or_revocable(store: Arc<dyn Store>) {
    let p = store
        .create_local_person(&NewPerson {
            username: "t@example.org".to_owned(),
            given_name: "T".to_owned(),
            family_name: "Oken".to_owned(),
            email: None,
        })
        .await
        .expect("create");
    store.create_reset_token(p, "r1", 100).await.expect("reset");
    assert_eq!(
        store.reset_token_person("r1", 50).await.expect("peek"),
        Some(p)
    );
    assert_eq!(
        store.reset_token_person("r1", 150).await.expect("peek"),
        None,
        "expired"
    );
    assert_eq!(
        store
            .consume_reset_token("r1", "$hash", 60)
            .await
            .expect("use"),
        Some(p)
    );
    assert_eq!(
        store
            .consume_reset_token("r1", "$hash2", 61)
            .await
            .expect("reuse"),
        None
    );
    assert_eq!(
        store
            .account(p)
            .await
            .expect("a")
            .expect("a")
            .password_hash
            .as_deref(),
        Some("$hash")
    );

    let id = store
        .create_api_token(p, "laptop", "th", 1)
        .await
        .expect("token");
    assert_eq!(
        store.api_token_owner("th", 2).await.expect("owner"),
        Some(p)
    );
    assert_eq!(
        store.api_tokens(p).await.expect("list")[0].last_used_at,
        Some(2)
    );
    assert!(store.revoke_api_token(p, id, 3).await.expect("revoke"));
    assert_eq!(store.api_token_owner("th", 4).await.expect("owner"), None);
}

/// Import history keeps counts and problems.
pub async fn import_history_round_trip(store: Arc<dyn Store>) {
    let id = store
        .create_import(&NewImport {
            kind: "oneroster".to_owned(),
            source: "pkg.zip".to_owned(),
            requested_by: None,
            started_at: 1,
        })
        .await
        .expect("create");
    store
        .import_progress(id, "users.csv: 10 rows")
        .await
        .expect("progress");
    let row = store.import(id).await.expect("q").expect("exists");
    assert_eq!(row.status, crate::ImportStatus::Running);
    store
        .finish_import(
            id,
            &crate::ImportOutcome {
                status: crate::ImportStatus::Rejected,
                counts: None,
                problems: vec!["users.csv:3:2: bad".to_owned()],
                summary: None,
                finished_at: 2,
            },
        )
        .await
        .expect("finish");
    let rows = store.imports(10).await.expect("list");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].problems, vec!["users.csv:3:2: bad".to_owned()]);
    let up = store.put_upload("a.zip", b"PK", 1).await.expect("upload");
    assert_eq!(
        store.upload(up).await.expect("read"),
        Some(("a.zip".to_owned(), b"PK".to_vec()))
    );
    store.delete_upload(up).await.expect("delete");
    assert_eq!(store.upload(up).await.expect("read"), None);
    let queued = store
        .enqueue_upload_import(
            &NewImport {
                kind: "oneroster".to_owned(),
                source: "b.zip".to_owned(),
                requested_by: None,
                started_at: 3,
            },
            b"PK2",
            "import.test",
            &|import, upload| format!("{{\"import\":{import},\"upload\":{upload}}}"),
        )
        .await
        .expect("enqueue");
    let row = store.import(queued).await.expect("q").expect("row");
    assert_eq!(row.status, crate::ImportStatus::Queued);
    let job = store
        .claim_job("w", 4, 1000)
        .await
        .expect("claim")
        .expect("job");
    let payload: serde_json::Value = serde_json::from_str(&job.payload).expect("json");
    assert_eq!(payload["import"], queued);
    let upload = payload["upload"].as_i64().expect("upload id");
    let kept = store.upload(upload).await.expect("read").expect("kept");
    assert_eq!(kept, ("b.zip".to_owned(), b"PK2".to_vec()));
}

/// A district and three of its staff from the small demo, for PD-day tests.
async fn pd_day_setup(store: &dyn Store) -> (OrgId, Vec<PersonId>) {
    load_small(store).await;
    let orgs = store.orgs().await.expect("orgs");
    let district = orgs
        .iter()
        .find(|o| o.kind == OrgKind::District)
        .expect("a district");
    let school = orgs
        .iter()
        .find(|o| o.kind == OrgKind::School && o.parent == Some(district.id))
        .expect("a school in it");
    let staff = store.staff_of_org(school.id).await.expect("staff");
    assert!(staff.len() >= 3, "enough staff");
    (district.id, staff.iter().take(3).map(|s| s.id).collect())
}

fn new_event(org: OrgId, by: PersonId) -> NewEvent {
    NewEvent {
        org,
        title: "Spring PD day".to_owned(),
        day: "2027-03-12".to_owned(),
        timezone: "America/Chicago".to_owned(),
        venue: "Central High School".to_owned(),
        ranks: 9,
        window: None,
        created_by: by,
        now: 1_000,
    }
}

fn programme(lead: PersonId, drop_course: bool) -> NewProgramme {
    let slot = |label: &str, h: i64| NewSlot {
        label: label.to_owned(),
        starts_at: h * 3_600_000,
        ends_at: h * 3_600_000 + 2_700_000,
    };
    let course = |code: &str, title: &str| NewCourse {
        code: code.to_owned(),
        title: title.to_owned(),
        description: format!("About {title}."),
        tags: "literacy;k-5".to_owned(),
        audience: "Elementary (K–5)".to_owned(),
    };
    let section =
        |code: &str, course: &str, slot: &str, cap: i64, leads: Vec<PersonId>| NewSection {
            code: code.to_owned(),
            course: course.to_owned(),
            slot: slot.to_owned(),
            room: format!("Room {code}"),
            capacity: cap,
            facilitators: leads,
        };
    let mut p = NewProgramme {
        slots: vec![slot("Slot 1", 9), slot("Slot 2", 10)],
        courses: vec![
            course("C1", "Fractions with number lines"),
            course("C2", "Restorative circles"),
        ],
        sections: vec![
            section("S1", "C1", "Slot 1", 20, vec![lead]),
            section("S2", "C2", "Slot 1", 25, vec![]),
            section("S3", "C1", "Slot 2", 20, vec![lead]),
        ],
    };
    if !drop_course {
        p.courses.push(course("C3", "Phonics routines"));
        p.sections.push(section("S4", "C3", "Slot 2", 30, vec![]));
        p.sections.push(section("S5", "C3", "Slot 2", 1, vec![]));
    }
    p
}

/// An event moves only along its lifecycle; its programme is replaced whole
/// or not at all; a ranking saves, reads back and survives a programme change
/// for the courses that remain.
pub async fn pd_day_programme_and_rankings(store: Arc<dyn Store>) {
    let (district, staff) = pd_day_setup(&*store).await;
    let id = store
        .create_event(&new_event(district, staff[0]))
        .await
        .expect("create");
    let e = store.event(id).await.expect("event").expect("exists");
    assert_eq!((e.state, e.ranks, e.sequence), (EventState::Setup, 9, 0));
    assert_eq!(store.events().await.expect("events").len(), 1);

    store
        .replace_programme(id, &programme(staff[1], false))
        .await
        .expect("programme");
    let p = store.programme(id).await.expect("programme");
    assert_eq!(
        (p.slots.len(), p.courses.len(), p.sections.len()),
        (2, 3, 5)
    );
    assert_eq!(p.slots[0].label, "Slot 1");
    let s1 = p.sections.iter().find(|s| s.code == "S1").expect("S1");
    assert_eq!(s1.facilitators.len(), 1);
    assert!(
        p.courses.iter().all(|c| c.audience == "Elementary (K–5)"),
        "audience read back"
    );
    assert_eq!(s1.facilitators[0].0, staff[1]);

    // A section naming a course that is not there: nothing changes.
    let mut bad = programme(staff[1], false);
    bad.sections[1].course = "C9".to_owned();
    bad.slots.push(NewSlot {
        label: "Slot 3".to_owned(),
        starts_at: 0,
        ends_at: 1,
    });
    let err = store
        .replace_programme(id, &bad)
        .await
        .expect_err("dangling course");
    assert!(
        matches!(&err, StoreError::Conflict(m) if m.contains("S2") && m.contains("C9")),
        "{err}"
    );
    assert_eq!(store.programme(id).await.expect("programme"), p);
    // Created with a programme that does not resolve: no event either.
    let err = store
        .create_event_with_programme(&new_event(district, staff[0]), &bad)
        .await
        .expect_err("dangling course");
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert_eq!(
        store.events().await.expect("events").len(),
        1,
        "nothing half-written"
    );

    assert!(
        !store
            .move_event(id, EventState::Preferences, EventState::Closed, 2)
            .await
            .expect("move"),
        "not in preferences yet"
    );
    assert!(
        store
            .move_event(id, EventState::Setup, EventState::Preferences, 2)
            .await
            .expect("move")
    );
    store.set_window(id, 5, 10_000, 3).await.expect("window");

    let code = |code: &str| {
        p.courses
            .iter()
            .find(|c| c.code == code)
            .expect("course")
            .id
    };
    let offered: HashSet<CourseId> = p.courses.iter().map(|c| c.id).collect();
    let first = Ranking::new(vec![code("C1"), code("C3")], 9, &offered).expect("ranking");
    let second =
        Ranking::new(vec![code("C3"), code("C2"), code("C1")], 9, &offered).expect("ranking");
    assert_eq!(
        store.ranking(id, staff[2]).await.expect("ranking"),
        (vec![], 0)
    );
    assert_eq!(
        store
            .save_ranking(id, staff[2], &first, 10)
            .await
            .expect("save"),
        1
    );
    assert_eq!(
        store
            .save_ranking(id, staff[2], &second, 11)
            .await
            .expect("save"),
        2
    );
    assert_eq!(
        store.ranking(id, staff[2]).await.expect("ranking"),
        (second.choices().to_vec(), 2)
    );
    store
        .save_ranking(id, staff[0], &first, 12)
        .await
        .expect("save");
    assert_eq!(store.ranked_count(id).await.expect("count"), 2);
    assert_eq!(store.preferences(id).await.expect("prefs").len(), 5);

    // C3 leaves the programme: its preferences go, the rest keep their courses.
    store
        .replace_programme(id, &programme(staff[1], true))
        .await
        .expect("programme");
    let left = store.ranking(id, staff[2]).await.expect("ranking").0;
    assert_eq!(left, vec![code("C2"), code("C1")]);

    // Ranking nothing is a save too: a new revision with no choices.
    let none = Ranking::new(vec![], 9, &offered).expect("ranking");
    assert_eq!(
        store
            .save_ranking(id, staff[2], &none, 13)
            .await
            .expect("save"),
        3
    );
    assert_eq!(
        store.ranking(id, staff[2]).await.expect("ranking"),
        (vec![], 3)
    );
}

/// Concurrent saves of one person's ranking leave exactly the last one.
pub async fn pd_day_concurrent_saves_keep_the_last(store: Arc<dyn Store>) {
    let (district, staff) = pd_day_setup(&*store).await;
    let id = store
        .create_event(&new_event(district, staff[0]))
        .await
        .expect("create");
    store
        .replace_programme(id, &programme(staff[1], false))
        .await
        .expect("programme");
    let p = store.programme(id).await.expect("programme");
    let offered: HashSet<CourseId> = p.courses.iter().map(|c| c.id).collect();
    let courses: Vec<CourseId> = p.courses.iter().map(|c| c.id).collect();
    let who = staff[2];
    let mut handles = Vec::new();
    for i in 0..24usize {
        let store = Arc::clone(&store);
        // Every save is different: a rotation and a length.
        let mut pick = courses.clone();
        pick.rotate_left(i % 3);
        pick.truncate(1 + i % 3);
        let ranking = Ranking::new(pick, 9, &offered).expect("ranking");
        handles.push(tokio::spawn(async move {
            let rev = store
                .save_ranking(id, who, &ranking, 100 + i as i64)
                .await
                .expect("save");
            (rev, ranking)
        }));
    }
    // Reads while the saves commit: each sees one whole save, its revision
    // with its choices.
    let mut reads = Vec::new();
    for _ in 0..8 {
        let store = Arc::clone(&store);
        reads.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            for _ in 0..6 {
                seen.push(store.ranking(id, who).await.expect("ranking"));
                tokio::task::yield_now().await;
            }
            seen
        }));
    }
    let mut saves = Vec::new();
    for h in handles {
        saves.push(h.await.expect("join"));
    }
    for r in reads {
        for (choices, rev) in r.await.expect("join") {
            let want = saves
                .iter()
                .find(|s| s.0 == rev)
                .map_or(vec![], |s| s.1.choices().to_vec());
            assert_eq!(
                choices, want,
                "revision {rev} read with another save's choices"
            );
        }
    }
    let mut revs: Vec<i64> = saves.iter().map(|s| s.0).collect();
    revs.sort_unstable();
    assert_eq!(revs, (1..=24).collect::<Vec<_>>(), "each save one revision");
    let last = saves
        .iter()
        .find(|s| s.0 == 24)
        .expect("the last save")
        .1
        .clone();
    assert_eq!(
        store.ranking(id, who).await.expect("ranking"),
        (last.choices().to_vec(), 24)
    );
    assert_eq!(
        store.preferences(id).await.expect("prefs").len(),
        last.choices().len(),
        "no rows of earlier saves are left"
    );
}

/// A run is queued with its job; its seats are stored only while the event
/// is closed or assigned, all at once; publishing bumps the sequence.
pub async fn pd_day_runs_store_seats(store: Arc<dyn Store>) {
    let (district, staff) = pd_day_setup(&*store).await;
    let id = store
        .create_event(&new_event(district, staff[0]))
        .await
        .expect("create");
    store
        .replace_programme(id, &programme(staff[1], false))
        .await
        .expect("programme");
    let p = store.programme(id).await.expect("programme");
    assert!(
        store
            .move_event(id, EventState::Setup, EventState::Preferences, 2)
            .await
            .expect("move")
    );
    let run = store
        .queue_run(id, Some(staff[0]), "pd-assign", 3)
        .await
        .expect("queue");
    assert_eq!(run.status, RunStatus::Queued);
    let job = store
        .job(run.job.expect("job id"))
        .await
        .expect("job")
        .expect("exists");
    assert_eq!(
        (job.kind.as_str(), job.payload),
        ("pd-assign", run.id.to_string())
    );
    store
        .run_progress(run.id, "solving")
        .await
        .expect("progress");
    let latest = store.latest_run(id).await.expect("latest").expect("run");
    assert_eq!(
        (latest.status, latest.progress.as_deref()),
        (RunStatus::Running, Some("solving"))
    );

    let section = |code: &str| p.sections.iter().find(|s| s.code == code).expect("section");
    let seat = |person: PersonId, code: &str, rank: Option<i64>, facilitating: bool| {
        let s = section(code);
        Seat {
            person,
            slot: s.slot,
            section: s.id,
            rank,
            facilitating,
            source: SeatSource::Engine,
        }
    };
    let seats = vec![
        seat(staff[1], "S1", None, true),
        seat(staff[1], "S4", Some(2), false),
        seat(staff[2], "S2", Some(1), false),
        seat(staff[2], "S3", None, false),
    ];
    assert!(
        !store
            .finish_run(run.id, &seats, "{}", 4)
            .await
            .expect("finish"),
        "not while preferences are open"
    );
    assert!(store.seats(id).await.expect("seats").is_empty());
    assert!(
        store
            .move_event(id, EventState::Preferences, EventState::Closed, 5)
            .await
            .expect("move")
    );
    assert!(
        store
            .finish_run(run.id, &seats, "{\"ok\":true}", 6)
            .await
            .expect("finish")
    );
    let e = store.event(id).await.expect("event").expect("exists");
    assert_eq!(e.state, EventState::Assigned);
    assert_eq!(store.seats(id).await.expect("seats").len(), 4);
    assert_eq!(
        store.seats_of(id, staff[2]).await.expect("seats"),
        vec![seats[2], seats[3]]
    );
    let done = store.run(run.id).await.expect("run").expect("exists");
    assert_eq!(
        (done.status, done.report.as_deref(), done.finished_at),
        (RunStatus::Done, Some("{\"ok\":true}"), Some(6))
    );
    assert!(
        store
            .move_event(id, EventState::Assigned, EventState::Published, 7)
            .await
            .expect("publish")
    );
    let e = store.event(id).await.expect("event").expect("exists");
    assert_eq!((e.sequence, e.published_at), (1, Some(7)));

    // Moves by hand: every rule still applies, and a published day's sequence moves.
    let mv = |person: PersonId, code: &str| {
        let store = Arc::clone(&store);
        let target = section(code).id;
        async move { store.move_seat(id, person, target, 8).await.expect("move") }
    };
    assert_eq!(
        mv(staff[2], "S1").await,
        Err(MoveRefused::Duplicate),
        "C1 is held in slot 2"
    );
    assert_eq!(mv(staff[1], "S2").await, Err(MoveRefused::Facilitating));
    assert_eq!(mv(staff[0], "S2").await, Err(MoveRefused::NotSeated));
    // Two moves race for the last seat: one wins, the other is told it is full.
    let (a, b) = tokio::join!(mv(staff[2], "S5"), mv(staff[1], "S5"));
    let winner = match (a, b) {
        (Ok(_), Err(MoveRefused::Full)) => staff[2],
        (Err(MoveRefused::Full), Ok(_)) => staff[1],
        other => panic!("one seat, one winner: {other:?}"),
    };
    let moved = store.seats_of(id, winner).await.expect("seats");
    assert_eq!(
        (moved[1].section, moved[1].source),
        (section("S5").id, SeatSource::Manual)
    );
    let roster = store
        .section_roster(section("S5").id)
        .await
        .expect("roster");
    assert_eq!(
        roster.iter().map(|r| r.person).collect::<Vec<_>>(),
        vec![winner]
    );
    assert!(
        store
            .section_roster(section("S1").id)
            .await
            .expect("roster")
            .is_empty(),
        "facilitators are not on their own roster"
    );
    let e = store.event(id).await.expect("event").expect("exists");
    assert_eq!(e.sequence, 2, "calendars see the change");

    // The loser waits for the full section; when the winner leaves it, the seat is theirs.
    // The winner goes back to where they came from.
    let (loser, back) = if winner == staff[2] {
        (staff[1], "S3")
    } else {
        (staff[2], "S4")
    };
    let s5 = section("S5").id;
    assert_eq!(
        store
            .join_waitlist(id, staff[2], section("S4").id, 9)
            .await
            .expect("join"),
        Err(MoveRefused::SeatsFree),
        "a session with free seats is taken, not waited for"
    );
    assert_eq!(
        store.join_waitlist(id, loser, s5, 9).await.expect("join"),
        Ok(())
    );
    assert_eq!(
        store.waitlists_of(id, loser).await.expect("lists"),
        vec![s5]
    );
    let moved = store
        .take_seat(id, winner, section(back).id, 10)
        .await
        .expect("take");
    assert_eq!(
        moved,
        Ok(vec![loser]),
        "the freed seat went to the waiting list"
    );
    let now_in = store.seats_of(id, loser).await.expect("seats");
    assert_eq!(
        (now_in[1].section, now_in[1].source),
        (s5, SeatSource::Waitlist)
    );
    assert!(
        store
            .waitlists_of(id, loser)
            .await
            .expect("lists")
            .is_empty()
    );
    let counts: std::collections::HashMap<_, _> = store
        .seat_counts(id)
        .await
        .expect("counts")
        .into_iter()
        .collect();
    assert_eq!(counts.get(&s5), Some(&1), "never above capacity");

    // The day: a check-in code per section, and marks by a facilitator.
    let s2 = section("S2").id;
    store
        .set_checkin_code(id, s2, "ABC123")
        .await
        .expect("code");
    assert_eq!(
        store.checkin_code(s2).await.expect("code").as_deref(),
        Some("ABC123")
    );
    let taken = store
        .set_checkin_code(id, section("S4").id, "ABC123")
        .await
        .expect_err("codes are unique in a day");
    assert!(matches!(taken, StoreError::Conflict(_)), "{taken}");
    assert_eq!(
        store
            .check_in(id, staff[1], "ABC123", 11)
            .await
            .expect("check in"),
        None,
        "only people seated there"
    );
    for _ in 0..2 {
        assert_eq!(
            store
                .check_in(id, staff[2], "ABC123", 11)
                .await
                .expect("check in"),
            Some(s2)
        );
    }
    store
        .mark_attendance(s2, staff[0], true, staff[1], 12)
        .await
        .expect("mark");
    store
        .mark_attendance(s2, staff[0], false, staff[1], 13)
        .await
        .expect("unmark");
    assert_eq!(
        store.attendance(s2).await.expect("attendance"),
        vec![staff[2]]
    );

    // After: feedback only from people who were there; a second answer replaces the first.
    let answer = |n: i64, text: &str| Feedback {
        relevant: n,
        well_run: n,
        will_use: n,
        will_try: text.to_owned(),
    };
    assert!(
        !store
            .save_feedback(s2, staff[0], &answer(5, "x"), 14)
            .await
            .expect("save"),
        "not there, no feedback"
    );
    for (n, text) in [(3, "circles"), (4, "morning circles")] {
        assert!(
            store
                .save_feedback(s2, staff[2], &answer(n, text), 14 + n)
                .await
                .expect("save")
        );
    }
    assert_eq!(
        store.feedback_on(s2).await.expect("feedback"),
        vec![answer(4, "morning circles")]
    );
    assert_eq!(
        store.my_feedback(s2, staff[2]).await.expect("mine"),
        Some(answer(4, "morning circles"))
    );
    assert_eq!(
        store.attended(id, staff[2]).await.expect("attended"),
        vec![s2]
    );
    // A late arrival gets the best open seat in every slot, never the same course twice.
    let offered: HashSet<CourseId> = p.courses.iter().map(|c| c.id).collect();
    let c3 = p.courses.iter().find(|c| c.code == "C3").expect("C3").id;
    let c1 = p.courses.iter().find(|c| c.code == "C1").expect("C1").id;
    let ranking = Ranking::new(vec![c3, c1], 9, &offered).expect("ranking");
    store
        .save_ranking(id, staff[0], &ranking, 16)
        .await
        .expect("rank");
    let late = store.place_late(id, staff[0], 17).await.expect("late");
    let codes: Vec<&str> = late
        .iter()
        .map(|s| {
            p.sections
                .iter()
                .find(|x| x.id == s.section)
                .expect("section")
                .code
                .as_str()
        })
        .collect();
    // Slot 1 offers C1 (S1) and C2 (S2): C1 is ranked. Slot 2: C3 is ranked first, S4 has seats (S5 is full).
    assert_eq!(codes, vec!["S1", "S4"]);
    assert_eq!(late[1].rank, Some(1));
    assert!(
        store
            .place_late(id, staff[0], 18)
            .await
            .expect("late")
            .is_empty(),
        "only once"
    );
}

/// A proposal is taken only while the day calls for them, read back with its
/// co-facilitators and slots, revised by its proposer alone, decided once;
/// accepting it adds a course, which the coordinator then places in slots
/// (never with a facilitator in two places at once) until ranking closes.
pub async fn pd_day_proposals_become_courses_and_sections(store: Arc<dyn Store>) {
    use waypoint_domain::pdday::{ProposalStatus, ProposalText, Review};
    let (district, staff) = pd_day_setup(&*store).await;
    let id = store
        .create_event(&new_event(district, staff[2]))
        .await
        .expect("create");
    store
        .replace_programme(id, &programme(staff[1], false))
        .await
        .expect("programme");
    let p = store.programme(id).await.expect("programme");
    let (slot1, slot2) = (p.slots[0].id, p.slots[1].id);
    let text = |title: &str| {
        ProposalText::new(
            title,
            "Ten-minute daily routines.",
            "Grades 3-5",
            "math;fluency",
            "",
        )
        .expect("text")
    };
    let new = NewProposal {
        event: id,
        proposer: staff[0],
        text: text("Number talks"),
        leads: vec![staff[1], staff[0], staff[1]],
        slots: vec![slot1, slot1],
        now: 10,
    };
    let err = store.submit_proposal(&new).await.expect_err("not open yet");
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert!(store.proposals(id).await.expect("list").is_empty());
    assert!(
        store
            .move_event(id, EventState::Setup, EventState::Proposals, 11)
            .await
            .expect("open")
    );
    let pid = store.submit_proposal(&new).await.expect("submit");
    let got = store.proposal(pid).await.expect("read").expect("exists");
    assert_eq!(got.status, ProposalStatus::Submitted);
    assert_eq!(
        got.leads.iter().map(|l| l.0).collect::<Vec<_>>(),
        vec![staff[1]]
    );
    assert_eq!(got.slots, vec![slot1]);
    assert_eq!(got.facilitators(), vec![staff[0], staff[1]]);
    assert!(got.is_author(staff[1]) && !got.is_author(staff[2]));

    // Only the proposer revises, and a revision goes back for review.
    assert!(
        !store
            .revise_proposal(pid, staff[1], &text("Hijacked"), &[], &[], 12)
            .await
            .expect("revise")
    );
    assert_eq!(
        store
            .review_proposal(
                pid,
                Review::AskForChanges,
                "Say which grades.",
                staff[2],
                13
            )
            .await
            .expect("review"),
        Some(ProposalStatus::ChangesRequested)
    );
    let got = store.proposal(pid).await.expect("read").expect("exists");
    assert_eq!(
        (got.note.as_str(), got.reviewed_at),
        ("Say which grades.", Some(13))
    );
    assert_eq!(got.reviewed_by.map(|r| r.0), Some(staff[2]));
    assert!(
        store
            .revise_proposal(
                pid,
                staff[0],
                &text("Number talks, grades 3-5"),
                &[staff[1]],
                &[slot2],
                14
            )
            .await
            .expect("revise")
    );
    let got = store.proposal(pid).await.expect("read").expect("exists");
    assert_eq!(
        (got.status, got.title.as_str()),
        (ProposalStatus::Submitted, "Number talks, grades 3-5")
    );
    assert_eq!(got.slots, vec![slot2]);

    // Accepted once: a course appears; a second decision changes nothing.
    assert_eq!(
        store
            .review_proposal(pid, Review::Accept, "", staff[2], 15)
            .await
            .expect("review"),
        Some(ProposalStatus::Accepted)
    );
    assert_eq!(
        store
            .review_proposal(pid, Review::Decline, "No", staff[2], 16)
            .await
            .expect("review"),
        None
    );
    assert!(
        !store
            .withdraw_proposal(pid, staff[0])
            .await
            .expect("withdraw"),
        "decided"
    );
    let got = store.proposal(pid).await.expect("read").expect("exists");
    let course = got.course.expect("a course");
    let p = store.programme(id).await.expect("programme");
    let c = p
        .courses
        .iter()
        .find(|c| c.id == course)
        .expect("in the programme");
    assert_eq!(
        (c.code.clone(), c.title.as_str(), c.tags.as_str()),
        (
            format!("P{pid}"),
            "Number talks, grades 3-5",
            "math;fluency"
        )
    );
    assert_eq!(c.audience, "Grades 3-5", "who it is for comes along");

    // Another proposal is withdrawn by its proposer.
    let other = store
        .submit_proposal(&NewProposal {
            proposer: staff[2],
            text: text("Read-alouds"),
            leads: vec![],
            slots: vec![],
            ..new.clone()
        })
        .await
        .expect("submit");
    assert!(
        !store
            .withdraw_proposal(other, staff[0])
            .await
            .expect("withdraw"),
        "not theirs"
    );
    assert!(
        store
            .withdraw_proposal(other, staff[2])
            .await
            .expect("withdraw")
    );
    assert_eq!(store.proposals(id).await.expect("list").len(), 1);

    // Sections by hand: staff[1] already leads S1 in slot 1.
    let add = |slot, facilitators: Vec<PersonId>| AddSection {
        course,
        slot,
        room: "Library".to_owned(),
        capacity: 24,
        facilitators,
    };
    assert_eq!(
        store
            .add_section(id, &add(slot1, got.facilitators()), 17)
            .await
            .expect("add"),
        Err(ProgrammeRefused::FacilitatorBusy(staff[1]))
    );
    let s = store
        .add_section(id, &add(slot1, vec![staff[0]]), 17)
        .await
        .expect("add")
        .expect("added");
    assert_eq!(
        store
            .add_section(id, &add(slot1, vec![]), 17)
            .await
            .expect("add"),
        Err(ProgrammeRefused::AlreadyInSlot)
    );
    assert_eq!(
        store
            .add_section(
                id,
                &AddSection {
                    course: CourseId::new(999_999),
                    ..add(slot2, vec![])
                },
                17
            )
            .await
            .expect("add"),
        Err(ProgrammeRefused::UnknownCourse)
    );
    let s2 = store
        .add_section(id, &add(slot2, vec![staff[0]]), 17)
        .await
        .expect("add")
        .expect("added");
    let c2 = p.courses.iter().find(|c| c.code == "C2").expect("C2").id;
    assert_eq!(
        store
            .add_section(
                id,
                &AddSection {
                    course: c2,
                    ..add(slot2, vec![])
                },
                17
            )
            .await
            .expect("add"),
        Err(ProgrammeRefused::RoomTaken),
        "the library hosts one session a slot"
    );
    let p = store.programme(id).await.expect("programme");
    let mine: Vec<_> = p.sections.iter().filter(|x| x.course == course).collect();
    assert_eq!(mine.len(), 2);
    assert_eq!(mine[0].code, format!("P{pid}-1"));
    assert_eq!((mine[0].room.as_str(), mine[0].capacity), ("Library", 24));
    assert_eq!(
        mine[0].facilitators.iter().map(|f| f.0).collect::<Vec<_>>(),
        vec![staff[0]]
    );
    assert_eq!(
        store.remove_section(id, s2, 18).await.expect("remove"),
        Ok(())
    );
    assert_eq!(
        store.remove_section(id, s2, 18).await.expect("remove"),
        Err(ProgrammeRefused::UnknownSection)
    );

    // Once ranking has closed, the programme stands.
    assert!(
        store
            .move_event(id, EventState::Proposals, EventState::Preferences, 19)
            .await
            .expect("move")
    );
    assert!(
        store
            .move_event(id, EventState::Preferences, EventState::Closed, 20)
            .await
            .expect("move")
    );
    assert_eq!(
        store.remove_section(id, s, 21).await.expect("remove"),
        Err(ProgrammeRefused::Locked)
    );
    assert_eq!(
        store
            .add_section(id, &add(slot2, vec![]), 21)
            .await
            .expect("add"),
        Err(ProgrammeRefused::Locked)
    );
}

/// A follow-up group starts with its leads joined and the rest invited;
/// each invited person answers (and may change their mind), leads do not.
pub async fn follow_up_groups_invite_and_answer(store: Arc<dyn Store>) {
    use crate::NewGroup;
    use waypoint_domain::group::{GroupKind, MemberStatus};
    let (district, staff) = pd_day_setup(&*store).await;
    let id = store
        .create_event(&new_event(district, staff[0]))
        .await
        .expect("create");
    store
        .replace_programme(id, &programme(staff[0], false))
        .await
        .expect("programme");
    let section = store.programme(id).await.expect("programme").sections[0].id;
    let g = store
        .create_group(&NewGroup {
            org: district,
            kind: GroupKind::BookGroup,
            title: "Reading 'Make It Stick'".to_owned(),
            description: "Six meetings, a chapter each.".to_owned(),
            from_section: Some(section),
            created_by: staff[0],
            leads: vec![staff[0]],
            invite: vec![staff[0], staff[1], staff[2], staff[2]],
            now: 5,
        })
        .await
        .expect("group");
    let got = store.group(g).await.expect("read").expect("exists");
    assert_eq!(
        (got.kind, got.from_section, got.org),
        (GroupKind::BookGroup, Some(section), district)
    );
    let members = store.group_members(g).await.expect("members");
    assert_eq!(members.len(), 3);
    assert!(
        members[0].lead
            && members[0].person == staff[0]
            && members[0].status == MemberStatus::Joined
    );
    assert!(
        members[1..]
            .iter()
            .all(|m| !m.lead && m.status == MemberStatus::Invited)
    );
    assert_eq!(
        store.groups_of(staff[1]).await.expect("of"),
        vec![(got.clone(), MemberStatus::Invited)]
    );
    assert_eq!(
        store.groups_from(section).await.expect("from"),
        vec![got.clone()]
    );

    assert!(
        store
            .answer_invitation(g, staff[1], true, 6)
            .await
            .expect("answer")
    );
    assert!(
        store
            .answer_invitation(g, staff[2], false, 6)
            .await
            .expect("answer")
    );
    assert!(
        store
            .answer_invitation(g, staff[2], true, 7)
            .await
            .expect("answer"),
        "a change of mind"
    );
    assert!(
        !store
            .answer_invitation(g, staff[0], false, 7)
            .await
            .expect("answer"),
        "a lead stays"
    );
    let outsider = PersonId::new(999_999);
    assert!(
        !store
            .answer_invitation(g, outsider, true, 7)
            .await
            .expect("answer"),
        "not invited"
    );
    let joined = store
        .group_members(g)
        .await
        .expect("members")
        .iter()
        .filter(|m| m.status == MemberStatus::Joined)
        .count();
    assert_eq!(joined, 3);
}

/// Rooms are named once per day; general sessions end after they start and
/// move a published day's calendar sequence; the audience is replaced whole.
pub async fn pd_day_rooms_general_sessions_and_audience(store: Arc<dyn Store>) {
    use waypoint_domain::pdday::Audience;
    let (district, staff) = pd_day_setup(&*store).await;
    let id = store
        .create_event(&new_event(district, staff[0]))
        .await
        .expect("create");
    let lib = store
        .add_room(id, "Library", 40, "projector")
        .await
        .expect("room");
    store.add_room(id, "Room 101", 25, "").await.expect("room");
    let err = store
        .add_room(id, "Library", 10, "")
        .await
        .expect_err("named twice");
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    let rooms = store.rooms(id).await.expect("rooms");
    assert_eq!(
        rooms
            .iter()
            .map(|r| (r.name.as_str(), r.capacity))
            .collect::<Vec<_>>(),
        [("Library", 40), ("Room 101", 25)]
    );
    assert!(store.remove_room(id, lib).await.expect("remove"));
    assert!(!store.remove_room(id, lib).await.expect("remove"));

    let err = store
        .add_general_session(id, "Backwards", 10, 5, "")
        .await
        .expect_err("ends first");
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    let closing = store
        .add_general_session(id, "Closing", 5_000, 6_000, "Gym")
        .await
        .expect("add");
    store
        .add_general_session(id, "Opening", 1_000, 2_000, "Auditorium")
        .await
        .expect("add");
    let g = store.general_sessions(id).await.expect("list");
    assert_eq!(
        g.iter().map(|s| s.title.as_str()).collect::<Vec<_>>(),
        ["Opening", "Closing"]
    );
    assert_eq!(
        store
            .event(id)
            .await
            .expect("event")
            .expect("exists")
            .sequence,
        0,
        "not published"
    );
    assert!(
        store
            .remove_general_session(id, closing)
            .await
            .expect("remove")
    );
    assert_eq!(store.general_sessions(id).await.expect("list").len(), 1);

    assert!(
        store
            .event_audience(id)
            .await
            .expect("audience")
            .is_everyone()
    );
    let school = store
        .orgs()
        .await
        .expect("orgs")
        .into_iter()
        .find(|o| o.parent == Some(district))
        .expect("a school")
        .id;
    let some = Audience {
        schools: vec![school, school],
        roles: vec!["teacher".to_owned()],
    };
    store.set_event_audience(id, &some).await.expect("set");
    assert_eq!(
        store.event_audience(id).await.expect("audience"),
        Audience {
            schools: vec![school],
            roles: vec!["teacher".to_owned()]
        }
    );
    store
        .set_event_audience(id, &Audience::default())
        .await
        .expect("set");
    assert!(
        store
            .event_audience(id)
            .await
            .expect("audience")
            .is_everyone()
    );
}

/// A framework is stored whole, listed with its counts, read back in tree
/// order, replaced whole by a re-import, and a bad re-import changes nothing.
pub async fn frameworks_are_replaced_whole(store: Arc<dyn Store>) {
    use crate::{NewFramework, NewFrameworkAssociation, NewFrameworkItem};
    let item = |id: &str, depth: i64, code: &str| NewFrameworkItem {
        identifier: id.to_owned(),
        uri: format!("http://x/{id}"),
        depth,
        parent: None,
        code: code.to_owned(),
        statement: format!("Statement {code}"),
        ..NewFrameworkItem::default()
    };
    let mut new = NewFramework {
        identifier: "d0".to_owned(),
        uri: "http://x/d0".to_owned(),
        title: "Teaching framework".to_owned(),
        case_version: "1.0".to_owned(),
        source: "framework.json".to_owned(),
        items: vec![item("i2", 0, "B"), item("i1", 1, "B.1")],
        associations: vec![NewFrameworkAssociation {
            identifier: "a1".to_owned(),
            kind: "isChildOf".to_owned(),
            origin: "i1".to_owned(),
            destination: "i2".to_owned(),
            sequence: Some(1),
        }],
        now: 10,
        ..NewFramework::default()
    };
    let (id, replaced) = store.save_framework(&new).await.expect("save");
    assert!(!replaced);
    let listed = store.frameworks().await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (
            listed[0].items,
            listed[0].associations,
            listed[0].title.as_str()
        ),
        (2, 1, "Teaching framework")
    );
    let codes: Vec<String> = store
        .framework_items(id)
        .await
        .expect("items")
        .into_iter()
        .map(|i| i.code)
        .collect();
    assert_eq!(codes, ["B", "B.1"], "tree order as given");

    new.items = vec![item("i3", 0, "C")];
    new.associations.clear();
    new.title = "Teaching framework, 2nd edition".to_owned();
    assert_eq!(store.save_framework(&new).await.expect("save"), (id, true));
    let got = store.framework(id).await.expect("one").expect("exists");
    assert_eq!(
        (got.items, got.associations, got.title.as_str()),
        (1, 0, "Teaching framework, 2nd edition")
    );

    let mut bad = new.clone();
    bad.items = vec![item("i4", 0, "D"), item("i4", 0, "D again")];
    let err = store
        .save_framework(&bad)
        .await
        .expect_err("duplicate item");
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    let codes: Vec<String> = store
        .framework_items(id)
        .await
        .expect("items")
        .into_iter()
        .map(|i| i.code)
        .collect();
    assert_eq!(codes, ["C"], "nothing half-written");
}

/// District and school goals by year; a school goal serves only its own
/// district's goal of the same year.
pub async fn system_goals_align_within_their_district(store: Arc<dyn Store>) {
    use crate::NewSystemGoal;
    use waypoint_domain::goals::{SchoolYear, SystemGoalText};
    let (district, staff) = pd_day_setup(&*store).await;
    let orgs = store.orgs().await.expect("orgs");
    let school = orgs
        .iter()
        .find(|o| o.parent == Some(district))
        .expect("a school")
        .id;
    let far_school = orgs
        .iter()
        .find(|o| o.kind == OrgKind::School && o.parent != Some(district))
        .expect("another district's school")
        .id;
    let year = SchoolYear::starting(2026);
    let text = |s: &str| SystemGoalText::new(s, "Spring benchmark", "80%", "").expect("text");
    let goal = |org, s: &str, aligned_to, year| NewSystemGoal {
        org,
        year,
        text: text(s),
        aligned_to,
        results: (s == "Read by grade 3").then(|| waypoint_domain::goals::ResultsMeasure {
            subject: "Reading".to_owned(),
            grade: Some("03".to_owned()),
            target_percent: Some(80),
        }),
        by: staff[0],
        now: 5,
    };
    let d = store
        .create_system_goal(&goal(district, "Read by grade 3", None, year))
        .await
        .expect("district goal");
    let s = store
        .create_system_goal(&goal(school, "Daily small-group reading", Some(d), year))
        .await
        .expect("school goal");
    let err = store
        .create_system_goal(&goal(far_school, "Elsewhere", Some(d), year))
        .await
        .expect_err("another district's goal");
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    let err = store
        .create_system_goal(&goal(
            school,
            "Next year",
            Some(d),
            SchoolYear::starting(2027),
        ))
        .await
        .expect_err("another year");
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    let got = store
        .system_goals(&[district, school], year)
        .await
        .expect("goals");
    assert_eq!(got.iter().map(|g| g.id).collect::<Vec<_>>(), [d, s]);
    assert_eq!((got[1].aligned_to, got[1].year), (Some(d), year));
    let measure = got[0]
        .results
        .as_ref()
        .expect("the district goal's measure");
    assert_eq!(
        (
            measure.subject.as_str(),
            measure.grade.as_deref(),
            measure.target_percent
        ),
        ("Reading", Some("03"), Some(80))
    );
    assert_eq!(got[1].results, None);
    assert!(
        store
            .system_goals(&[district], SchoolYear::starting(2027))
            .await
            .expect("goals")
            .is_empty()
    );
    assert!(store.remove_system_goal(d).await.expect("remove"));
    let left = store.system_goal(s).await.expect("read").expect("kept");
    assert_eq!(
        left.aligned_to, None,
        "a served goal gone, the school's stays"
    );
}

/// A personal goal's whole life: drafted, reviewed with comments, agreed as
/// version 1 with a check-in scheduled, evidence with a file, a check-in
/// held, a competency claim confirmed, a change agreed as version 2, then
/// carried over; every step tells the other side.
pub async fn growth_plan_from_draft_to_carried_over(store: Arc<dyn Store>) {
    use crate::{
        CheckInRecord, EvidenceFile, GoalEdit, GoalFilter, NewEvidence, NewPersonalGoal, NewRating,
        NewSystemGoal,
    };
    use waypoint_domain::goals::{SchoolYear, SystemGoalText};
    use waypoint_domain::growth::{EvidenceKind, GoalStatus, GoalText, RatingKind};
    let (district, staff) = pd_day_setup(&*store).await;
    let (owner, coach) = (staff[0], staff[1]);
    let year = SchoolYear::starting(2026);
    let served = store
        .create_system_goal(&NewSystemGoal {
            org: district,
            year,
            text: SystemGoalText::new("Read by grade 3", "Benchmark", "80%", "").expect("text"),
            aligned_to: None,
            results: None,
            by: coach,
            now: 1,
        })
        .await
        .expect("system goal");
    let (framework, _) = store
        .save_framework(&crate::NewFramework {
            identifier: "g0000000-0000-0000-0000-000000000000".into(),
            uri: "http://x/g".into(),
            title: "Teaching".into(),
            case_version: "1.0".into(),
            source: "t.json".into(),
            now: 1,
            items: vec![crate::NewFrameworkItem {
                identifier: "i1".into(),
                uri: "http://x/i1".into(),
                code: "2a".into(),
                statement: "Questioning and discussion".into(),
                ..crate::NewFrameworkItem::default()
            }],
            ..crate::NewFramework::default()
        })
        .await
        .expect("framework");
    let item = store.framework_items(framework).await.expect("items")[0].id;
    let text = |q: &str| {
        GoalText::new(
            q,
            "Strong routines",
            "Students explain",
            "Grade 4",
            "Talk moves",
            "",
            "",
        )
        .expect("text")
    };
    let err = store
        .create_personal_goal(&NewPersonalGoal {
            owner,
            year,
            system_goal: Some(served),
            text: text("How?"),
            competencies: vec![item + 1000],
            cadence_days: 21,
            carried_from: None,
            now: 2,
        })
        .await
        .expect_err("an unknown competency");
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    let goal = store
        .create_personal_goal(&NewPersonalGoal {
            owner,
            year,
            system_goal: Some(served),
            text: text("How can I get every student talking?"),
            competencies: vec![item],
            cadence_days: 21,
            carried_from: None,
            now: 2,
        })
        .await
        .expect("draft");
    let g = store
        .personal_goal(goal)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(
        (g.status, g.owner, g.competencies.len()),
        (GoalStatus::Draft, owner, 1)
    );
    assert_eq!(g.system_goal.as_ref().map(|s| s.0), Some(served));
    // Nobody reviews their own goal, and only a goal in review is agreed.
    assert!(store.submit_personal_goal(goal, owner, 3).await.is_err());
    assert!(
        store
            .agree_personal_goal(goal, coach, "2026-10-01", 3)
            .await
            .is_err()
    );
    store
        .submit_personal_goal(goal, coach, 3)
        .await
        .expect("submit");
    let c = store
        .comment_on_goal(goal, "success", "How will you know?", coach, 4)
        .await
        .expect("comment");
    assert_eq!(store.goal_comments(goal).await.expect("comments")[0].id, c);
    assert!(
        store
            .agree_personal_goal(goal, owner, "2026-10-01", 5)
            .await
            .is_err()
    );
    assert_eq!(
        store
            .agree_personal_goal(goal, coach, "2026-10-01", 5)
            .await
            .expect("agree"),
        1
    );
    let g = store
        .personal_goal(goal)
        .await
        .expect("read")
        .expect("there");
    assert_eq!((g.status, g.agreed_version), (GoalStatus::Agreed, Some(1)));
    assert_eq!(g.next_check_in.as_deref(), Some("2026-10-01"));
    let due = store.due_check_ins(coach).await.expect("due");
    assert_eq!(due.len(), 1);
    assert_eq!(store.due_check_ins(owner).await.expect("due"), due);
    // Evidence with a file moves the goal on; the file comes back whole.
    let e = store
        .add_evidence(&NewEvidence {
            goal,
            kind: EvidenceKind::Artifact,
            title: "Lesson plan".into(),
            body: String::new(),
            link: None,
            file: Some(EvidenceFile {
                name: "plan.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: b"%PDF-1.7 plan".to_vec(),
            }),
            competencies: vec![item],
            by: owner,
            now: 6,
        })
        .await
        .expect("evidence");
    let got = store.evidence(e).await.expect("read").expect("there");
    assert_eq!(
        got.file,
        Some(("plan.pdf".into(), "application/pdf".into(), 13))
    );
    assert_eq!(got.competencies[0].item, item);
    assert_eq!(
        store
            .evidence_file(e)
            .await
            .expect("file")
            .expect("there")
            .bytes,
        b"%PDF-1.7 plan"
    );
    assert_eq!(
        store
            .personal_goal(goal)
            .await
            .expect("r")
            .expect("t")
            .status,
        GoalStatus::InProgress
    );
    let check_in = store.check_ins(goal).await.expect("check-ins")[0].id;
    let record = CheckInRecord {
        check_in,
        goal,
        held_on: "2026-10-02".into(),
        discussed: "Talk moves".into(),
        progress: 2,
        next_steps: "Try turn and talk".into(),
        next_due: Some("2026-10-23".into()),
        by: coach,
        now: 7,
    };
    store.record_check_in(&record).await.expect("record");
    assert!(
        store.record_check_in(&record).await.is_err(),
        "recorded once"
    );
    let cs = store.check_ins(goal).await.expect("check-ins");
    assert_eq!(cs.len(), 2);
    assert_eq!((cs[0].progress, cs[1].held_on.as_deref()), (Some(2), None));
    // Ratings: a self-assessment, a claim on evidence, confirmed by another.
    let rate = |kind, level, evidence| NewRating {
        person: owner,
        item,
        goal: Some(goal),
        kind,
        level,
        note: String::new(),
        evidence,
        by: owner,
        now: 8,
    };
    store
        .rate_competency(&rate(RatingKind::SelfAssessed, 2, None))
        .await
        .expect("self");
    let claim = store
        .rate_competency(&rate(RatingKind::Claim, 3, Some(e)))
        .await
        .expect("claim");
    assert!(
        !store.confirm_rating(claim, owner, 9).await.expect("own"),
        "not by oneself"
    );
    assert!(
        store
            .confirm_rating(claim, coach, 9)
            .await
            .expect("confirm")
    );
    assert!(
        !store.confirm_rating(claim, coach, 9).await.expect("again"),
        "once"
    );
    let ratings = store.ratings_of(owner).await.expect("ratings");
    assert_eq!(ratings.len(), 2, "every rating is kept");
    assert_eq!(ratings[1].evidence.as_ref().map(|x| x.0), Some(e));
    assert!(ratings[1].confirmed.is_some());
    // A change to an agreed goal is agreed again as version 2.
    let after = store
        .edit_personal_goal(
            goal,
            &GoalEdit {
                system_goal: Some(served),
                text: text("How can I get every student talking and listening?"),
                competencies: vec![item],
                cadence_days: 14,
            },
            10,
        )
        .await
        .expect("edit");
    assert_eq!(after, GoalStatus::InReview);
    assert_eq!(
        store
            .agree_personal_goal(goal, coach, "2026-11-01", 11)
            .await
            .expect("agree"),
        2
    );
    let g = store.personal_goal(goal).await.expect("r").expect("t");
    assert_eq!(g.status, GoalStatus::InProgress, "already under way");
    assert_eq!(
        store.check_ins(goal).await.expect("c").len(),
        2,
        "the open check-in stands"
    );
    let versions = store.goal_versions(goal).await.expect("versions");
    assert_eq!(versions.len(), 2);
    assert_eq!(
        versions[0].text.inquiry,
        "How can I get every student talking?"
    );
    // The story, shared to the district's showcase with the file as evidence.
    let share = |evidence: Vec<i64>, what: &str| crate::NewStory {
        goal,
        org: district,
        what_tried: what.into(),
        evidence,
        now: 11,
    };
    let story = store
        .share_story(&share(vec![e], "Talk moves"))
        .await
        .expect("share");
    assert_eq!(
        store
            .share_story(&share(vec![e], "Talk moves, then wait time"))
            .await
            .expect("again"),
        story,
        "one story a goal"
    );
    let got = store
        .story_of_goal(goal)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(
        (got.id, got.evidence.clone(), got.what_tried.as_str()),
        (story, vec![e], "Talk moves, then wait time")
    );
    assert_eq!(store.stories(&[district]).await.expect("showcase").len(), 1);
    assert_eq!(
        store.stories_showing(e).await.expect("showing")[0].id,
        story
    );
    let err = store
        .share_story(&share(vec![e + 1000], "x"))
        .await
        .expect_err("another goal's evidence");
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    store
        .comment_on_story(story, coach, "Trying this next week", 12)
        .await
        .expect("comment");
    assert_eq!(
        store.story_comments(story).await.expect("comments")[0].body,
        "Trying this next week"
    );
    assert!(
        store
            .notifications(owner, 50)
            .await
            .expect("n")
            .iter()
            .any(|n| n.body.contains("your story"))
    );
    // Carried over: closed, and drafted again for next year.
    let next = store
        .close_personal_goal(goal, GoalStatus::CarriedOver, "Halfway there.", 12)
        .await
        .expect("close")
        .expect("next year's");
    assert!(
        store
            .close_personal_goal(goal, GoalStatus::Complete, "", 13)
            .await
            .is_err()
    );
    assert!(
        store
            .edit_personal_goal(
                goal,
                &GoalEdit {
                    system_goal: None,
                    text: text("x?"),
                    competencies: vec![],
                    cadence_days: 21
                },
                13
            )
            .await
            .is_err()
    );
    let n = store.personal_goal(next).await.expect("r").expect("t");
    assert_eq!(
        (n.status, n.year, n.carried_from),
        (GoalStatus::Draft, SchoolYear::starting(2027), Some(goal))
    );
    assert_eq!(n.competencies.len(), 1);
    assert!(
        store.due_check_ins(owner).await.expect("due").is_empty(),
        "open check-ins dropped"
    );
    let mine = store
        .personal_goals(&GoalFilter::Owner(owner))
        .await
        .expect("mine");
    assert_eq!(mine.iter().map(|g| g.id).collect::<Vec<_>>(), [next, goal]);
    assert_eq!(
        store
            .personal_goals(&GoalFilter::Reviewer(coach))
            .await
            .expect("caseload")
            .len(),
        2
    );
    let of = store
        .personal_goals(&GoalFilter::Owners(vec![owner, coach], year))
        .await
        .expect("school");
    assert_eq!(of.len(), 1);
    // Each side heard of the other's steps.
    let to_coach = store.notifications(coach, 50).await.expect("notes");
    let to_owner = store.notifications(owner, 50).await.expect("notes");
    assert!(
        to_coach.iter().any(|n| n.body.contains("review a goal")),
        "{to_coach:?}"
    );
    assert!(
        to_coach
            .iter()
            .any(|n| n.body.contains("confirm a competency")),
        "{to_coach:?}"
    );
    assert!(
        to_owner.iter().any(|n| n.body.contains("agreed your goal")),
        "{to_owner:?}"
    );
    assert!(
        to_owner.iter().any(|n| n.body.contains("commented")),
        "{to_owner:?}"
    );
    store
        .mark_notifications_read(owner, 20)
        .await
        .expect("read");
    assert!(
        store
            .notifications(owner, 50)
            .await
            .expect("n")
            .iter()
            .all(|n| n.read_at == Some(20))
    );
    // Re-importing the framework keeps the item (and what names it); an
    // item dropped from it while rated is retired, not deleted.
    let again = |items: Vec<crate::NewFrameworkItem>| crate::NewFramework {
        identifier: "g0000000-0000-0000-0000-000000000000".into(),
        uri: "http://x/g".into(),
        title: "Teaching".into(),
        case_version: "1.0".into(),
        source: "t.json".into(),
        now: 30,
        items,
        ..crate::NewFramework::default()
    };
    let item_named = |id: &str, s: &str| crate::NewFrameworkItem {
        identifier: id.into(),
        uri: format!("http://x/{id}"),
        statement: s.into(),
        ..crate::NewFrameworkItem::default()
    };
    store
        .save_framework(&again(vec![
            item_named("i1", "Questioning, renamed"),
            item_named("i2", "Feedback"),
        ]))
        .await
        .expect("re-import");
    let items = store.framework_items(framework).await.expect("items");
    assert_eq!(items[0].id, item, "the same item");
    assert_eq!(items.len(), 2);
    assert_eq!(
        store.ratings_of(owner).await.expect("ratings").len(),
        2,
        "ratings kept"
    );
    store
        .save_framework(&again(vec![item_named("i2", "Feedback")]))
        .await
        .expect("drop i1");
    let items = store.framework_items(framework).await.expect("items");
    assert_eq!(
        items
            .iter()
            .map(|i| i.identifier.as_str())
            .collect::<Vec<_>>(),
        ["i2"]
    );
    assert_eq!(
        store.ratings_of(owner).await.expect("ratings").len(),
        2,
        "a retired item's ratings stay"
    );
    assert_eq!(
        store
            .personal_goal(goal)
            .await
            .expect("r")
            .expect("t")
            .competencies
            .len(),
        1
    );
    assert_eq!(
        store
            .framework(framework)
            .await
            .expect("f")
            .expect("t")
            .items,
        1
    );
    let err = store
        .save_framework(&again(vec![item_named("i2", "A"), item_named("i2", "B")]))
        .await
        .expect_err("twice");
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
}

/// A due check-in is reminded once, to the educator and the reviewer; mail
/// goes only once switched on, for what happened since, each notification once.
pub async fn check_in_reminders_and_mail_go_once(store: Arc<dyn Store>) {
    use crate::{MailSettings, NewPersonalGoal};
    use waypoint_domain::goals::SchoolYear;
    use waypoint_domain::growth::GoalText;
    let (_, staff) = pd_day_setup(&*store).await;
    let (owner, coach) = (staff[0], staff[1]);
    let goal = store
        .create_personal_goal(&NewPersonalGoal {
            owner,
            year: SchoolYear::starting(2026),
            system_goal: None,
            text: GoalText::new("How?", "A", "B", "", "Try", "", "").expect("text"),
            competencies: vec![],
            cadence_days: 21,
            carried_from: None,
            now: 1,
        })
        .await
        .expect("goal");
    store
        .submit_personal_goal(goal, coach, 2)
        .await
        .expect("submit");
    assert!(store.mail_settings().await.expect("settings").is_none());
    assert!(
        store.outgoing_mail(10).await.expect("outbox").is_empty(),
        "no relay, no mail"
    );
    store
        .save_mail_settings(
            &MailSettings {
                host: "127.0.0.1".into(),
                port: 2525,
                from: "Waypoint <waypoint@example.org>".into(),
                enabled: true,
                enabled_at: None,
            },
            coach,
            100,
        )
        .await
        .expect("save");
    let settings = store.mail_settings().await.expect("read").expect("set");
    assert_eq!((settings.port, settings.enabled_at), (2525, Some(100)));
    assert!(
        store.outgoing_mail(10).await.expect("outbox").is_empty(),
        "nothing from before"
    );
    store
        .agree_personal_goal(goal, coach, "2026-10-01", 101)
        .await
        .expect("agree");
    assert_eq!(
        store
            .remind_check_ins("2026-09-30", 102)
            .await
            .expect("remind"),
        0,
        "not due yet"
    );
    assert_eq!(
        store
            .remind_check_ins("2026-10-01", 103)
            .await
            .expect("remind"),
        1
    );
    assert_eq!(
        store
            .remind_check_ins("2026-10-05", 104)
            .await
            .expect("remind"),
        0,
        "once"
    );
    let out = store.outgoing_mail(10).await.expect("outbox");
    let bodies: Vec<&str> = out.iter().map(|m| m.body.as_str()).collect();
    assert!(
        bodies.iter().any(|b| b.contains("agreed your goal")),
        "{bodies:?}"
    );
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("Your check-in is due on 2026-10-01")),
        "{bodies:?}"
    );
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("check-in is due on 2026-10-01") && !b.starts_with("Your")),
        "{bodies:?}"
    );
    for m in &out {
        store.mark_emailed(m.notification, 105).await.expect("sent");
    }
    assert!(
        store.outgoing_mail(10).await.expect("outbox").is_empty(),
        "each once"
    );
    // Switched off, nothing goes; on again, it starts from then.
    let off = MailSettings {
        enabled: false,
        ..settings.clone()
    };
    store
        .save_mail_settings(&off, coach, 106)
        .await
        .expect("off");
    store
        .comment_on_goal(goal, "", "Hello", coach, 107)
        .await
        .expect("comment");
    assert!(store.outgoing_mail(10).await.expect("outbox").is_empty());
    store
        .save_mail_settings(&settings, coach, 108)
        .await
        .expect("on");
    assert!(
        store.outgoing_mail(10).await.expect("outbox").is_empty(),
        "the comment came while off"
    );
}

/// Results name students by sourcedId or identifier; one unknown student
/// refuses the whole file; the same file again changes nothing.
pub async fn assessment_results_are_all_or_nothing_and_idempotent(store: Arc<dyn Store>) {
    use crate::{NewResult, NewResults};
    let d = load_small(&*store).await;
    let students: Vec<&waypoint_domain::roster::UserRecord> = d
        .roster
        .users
        .iter()
        .filter(|u| u.primary_role() == waypoint_domain::roster::RosterRole::Student)
        .take(2)
        .collect();
    let by_sourced_id = students[0].meta.sourced_id.clone();
    let second = students[1]
        .identifier
        .clone()
        .unwrap_or_else(|| students[1].meta.sourced_id.clone());
    let result = |line: u64, student: &str, domain: &str, score: f64| NewResult {
        line,
        student: student.to_owned(),
        assessment: "i-Ready Diagnostic".to_owned(),
        subject: "Math".to_owned(),
        domain: domain.to_owned(),
        taken_on: "2026-09-15".to_owned(),
        score,
        scale: "i-Ready scale score".to_owned(),
        level: "Early On Grade Level".to_owned(),
        percentile: Some(55),
    };
    let file = |results| NewResults {
        source: "diagnostic.csv".to_owned(),
        results,
        now: 1,
    };
    let refused = store
        .save_results(&file(vec![
            result(2, &by_sourced_id, "Overall", 480.0),
            result(3, "nobody-here", "Overall", 470.0),
            result(4, "nobody-here", "Geometry", 471.0),
        ]))
        .await
        .expect("save")
        .expect_err("an unknown student");
    assert_eq!(
        refused,
        [crate::UnknownStudent {
            line: 3,
            student: "nobody-here".to_owned(),
            lines: 2
        }]
    );
    assert_eq!(
        store.result_count(None).await.expect("count"),
        0,
        "nothing stored"
    );
    let good = vec![
        result(2, &by_sourced_id, "Overall", 480.0),
        result(2, &by_sourced_id, "Geometry", 470.0),
        result(3, &second, "Overall", 455.5),
    ];
    let first = store
        .save_results(&file(good.clone()))
        .await
        .expect("save")
        .expect("stored");
    assert_eq!(
        (first.added, first.changed, first.unchanged, first.students),
        (3, 0, 0, 2)
    );
    let again = store
        .save_results(&file(good.clone()))
        .await
        .expect("save")
        .expect("stored");
    assert_eq!(
        (again.added, again.changed, again.unchanged),
        (0, 0, 3),
        "the same file changes nothing"
    );
    let mut corrected = good;
    corrected[2].score = 460.0;
    let third = store
        .save_results(&file(corrected))
        .await
        .expect("save")
        .expect("stored");
    assert_eq!((third.added, third.changed, third.unchanged), (0, 1, 2));
    assert_eq!(store.result_count(None).await.expect("count"), 3);
}

/// Results are counted by band for each grouping (the latest result of a
/// window counting once per student), and read student by student only
/// with an audit row written in the same transaction.
pub async fn results_are_counted_by_band_and_read_with_an_audit_row(store: Arc<dyn Store>) {
    use crate::{CountsBy, NewResult, NewResults};
    use waypoint_domain::results::Band;
    let d = load_small(&*store).await;
    let mut found = None;
    for org in store.orgs().await.expect("orgs") {
        if org.kind != OrgKind::School {
            continue;
        }
        found = store
            .classes_of_school(org.id)
            .await
            .expect("classes")
            .into_iter()
            .find(|c| c.students >= 2);
        if found.is_some() {
            break;
        }
    }
    let class = found.expect("a class with students");
    let detail = store.class(class.id).await.expect("class").expect("found");
    let teacher = detail.teachers[0].id;
    let audit = |actor: PersonId, subject: &str| AuditEntry {
        actor,
        role: "educator".into(),
        scope: format!("class:{}", class.id),
        subject: subject.into(),
        route: "/test".into(),
        request_id: "r-1".into(),
        at: 5,
    };
    let roster = store
        .class_results(class.id, &audit(teacher, "roster"))
        .await
        .expect("read");
    assert!(roster.results.is_empty());
    let ids: Vec<PersonId> = roster.students.iter().map(|s| s.id).collect();
    let sourced: Vec<String> = d
        .roster
        .users
        .iter()
        .filter(|u| u.primary_role() == waypoint_domain::roster::RosterRole::Student)
        .map(|u| u.meta.sourced_id.clone())
        .collect();
    let mut keys = Vec::new();
    for id in &ids {
        for s in &sourced {
            if store.person_by_sourced_id(s).await.expect("person") == Some(*id) {
                keys.push(s.clone());
            }
        }
    }
    let r = |line, student: &str, day: &str, level: &str| NewResult {
        line,
        student: student.to_owned(),
        assessment: "i-Ready Diagnostic".to_owned(),
        subject: "Math".to_owned(),
        domain: "Overall".to_owned(),
        taken_on: day.to_owned(),
        score: 450.0,
        scale: "scale".to_owned(),
        level: level.to_owned(),
        percentile: None,
    };
    // The first student retakes in the fall window: the later one counts.
    let results = vec![
        r(2, &keys[0], "2026-09-10", "Two Grade Levels Below"),
        r(3, &keys[0], "2026-10-01", "Early On Grade Level"),
        r(4, &keys[1], "2026-09-10", "One Grade Level Below"),
        r(5, &keys[1], "2027-01-15", "Mid or Above Grade Level"),
    ];
    let version = store.roster_version().await.expect("version");
    let file = NewResults {
        source: "t.csv".into(),
        results,
        now: 1,
    };
    store
        .save_results(&file)
        .await
        .expect("save")
        .expect("stored");
    // New results move the version cached counts are checked against; the
    // same file again does not.
    let moved = store.roster_version().await.expect("version");
    assert!(moved > version);
    store
        .save_results(&file)
        .await
        .expect("again")
        .expect("stored");
    assert_eq!(store.roster_version().await.expect("version"), moved);
    let fall = "2026-1-fall";
    let count = |rows: &[crate::BandCount], term: &str, band: Band| -> i64 {
        rows.iter()
            .filter(|c| c.term == term && c.band == band)
            .map(|c| c.students)
            .sum()
    };
    let school = detail.placement.school.expect("school");
    for by in [CountsBy::Grade, CountsBy::Class] {
        let rows = store.band_counts(school, by).await.expect("counts");
        assert_eq!(count(&rows, fall, Band::OnTrack), 1, "{by:?}");
        assert_eq!(count(&rows, fall, Band::Approaching), 1, "{by:?}");
        assert_eq!(
            count(&rows, fall, Band::NeedsSupport),
            0,
            "{by:?}: superseded"
        );
        assert_eq!(count(&rows, "2026-2-winter", Band::OnTrack), 1, "{by:?}");
    }
    let district = detail.placement.district.expect("district");
    let rows = store
        .band_counts(district, CountsBy::School)
        .await
        .expect("counts");
    assert!(rows.iter().all(|c| c.group == school.get()));
    assert_eq!(count(&rows, fall, Band::OnTrack), 1);
    if let Some(region) = detail.placement.region {
        let rows = store
            .band_counts(region, CountsBy::District)
            .await
            .expect("counts");
        assert!(rows.iter().all(|c| c.group == district.get()));
        assert_eq!(count(&rows, fall, Band::Approaching), 1);
    }

    let before = store.audit_log(100).await.expect("log").len();
    let read = store
        .class_results(class.id, &audit(teacher, "class results"))
        .await
        .expect("read");
    assert_eq!(read.results.len(), 4);
    let retaken = read
        .results
        .iter()
        .find(|r| r.student == ids[0] && r.taken_on == "2026-09-10")
        .expect("the first sitting");
    assert_eq!(retaken.band, Some(Band::NeedsSupport));
    assert_eq!(retaken.term, fall);
    let log = store.audit_log(100).await.expect("log");
    assert_eq!(log.len(), before + 1);
    let named: Vec<String> = ids.iter().map(ToString::to_string).collect();
    assert_eq!(log[0].students, named.join(","));
    assert_eq!(log[0].subject, "class results");
    let (who, theirs) = store
        .student_results(class.id, ids[1], &audit(teacher, "one"))
        .await
        .expect("read")
        .expect("in the class");
    assert_eq!((who.id, theirs.len()), (ids[1], 2));
    assert_eq!(
        store.audit_log(100).await.expect("log")[0].students,
        ids[1].to_string()
    );
    // Someone outside the class: nothing, and nothing audited.
    let outside = PersonId::new(ids.iter().map(|i| i.get()).max().unwrap_or(0) + 100_000);
    assert!(
        store
            .student_results(class.id, outside, &audit(teacher, "none"))
            .await
            .expect("read")
            .is_none()
    );
    assert_eq!(store.audit_log(100).await.expect("log").len(), before + 2);
    // An audit row that cannot be written (its actor does not exist) takes
    // the read with it.
    let nobody = PersonId::new(i64::from(i32::MAX));
    assert!(
        store
            .class_results(class.id, &audit(nobody, "x"))
            .await
            .is_err()
    );
    assert!(
        store
            .student_results(class.id, ids[0], &audit(nobody, "x"))
            .await
            .is_err()
    );
    assert_eq!(store.audit_log(100).await.expect("log").len(), before + 2);

    // What students say is counted per school: scale answers only.
    let answer = |line, student: &str, point: Option<(u8, u8)>| crate::NewAnswer {
        line,
        student: student.to_owned(),
        survey: "Climate".to_owned(),
        asked_on: "2026-10-01".to_owned(),
        question: "I belong here".to_owned(),
        scale: point,
        text: point.is_none().then(|| "Words".to_owned()),
    };
    let answers = crate::NewAnswers {
        source: "s.csv".into(),
        answers: vec![
            answer(2, &keys[0], Some((5, 5))),
            answer(3, &keys[1], Some((5, 5))),
        ],
        now: 1,
    };
    store
        .save_answers(&answers)
        .await
        .expect("save")
        .expect("stored");
    let said = store.survey_counts(district).await.expect("survey counts");
    assert_eq!(said.len(), 1, "{said:?}");
    assert_eq!(
        (said[0].school.0, said[0].point, said[0].students),
        (school, (5, 5), 2)
    );
    assert_eq!(said[0].district.as_ref().map(|d| d.0), Some(district));
    assert_eq!(store.survey_counts(school).await.expect("school"), said);

    // A district's counts by grade sum its schools'.
    let by_grade = store
        .band_counts(district, CountsBy::Grade)
        .await
        .expect("counts");
    assert_eq!(count(&by_grade, fall, Band::OnTrack), 1);
    let (subjects, grades) = store.tested_subjects_and_grades().await.expect("tested");
    assert_eq!(subjects, ["Math"]);
    assert!(!grades.is_empty());

    // A personal goal targets the class's students not on track at their
    // first result of the year: both of them.
    let goal = store
        .create_personal_goal(&crate::NewPersonalGoal {
            owner: teacher,
            year: waypoint_domain::goals::SchoolYear::starting(2026),
            system_goal: None,
            text: waypoint_domain::growth::GoalText::new(
                "How can I?",
                "Strengths",
                "Success",
                "",
                "Actions",
                "",
                "",
            )
            .expect("text"),
            competencies: Vec::new(),
            cadence_days: 14,
            carried_from: None,
            now: 1,
        })
        .await
        .expect("goal");
    use waypoint_domain::results::Targeted;
    assert_eq!(store.goal_group(goal).await.expect("group"), None);
    store
        .set_goal_group(goal, Some((class.id, "Math", Targeted::NotOnTrack)), 2)
        .await
        .expect("set");
    let group = store.goal_group(goal).await.expect("group").expect("set");
    assert_eq!((group.class, group.who), (class.id, Targeted::NotOnTrack));
    let progress = store
        .goal_group_progress(&group, 2026)
        .await
        .expect("progress");
    // The first student starts needing support; the second starts
    // approaching and is on track in the winter.
    assert_eq!((progress.start, progress.now), ([0, 1, 1], [2, 0, 0]));
    assert_eq!(
        progress.windows,
        [
            ("2026-1-fall".to_owned(), [1, 1, 0]),
            ("2026-2-winter".to_owned(), [1, 0, 0])
        ]
    );
    let all = crate::GoalGroup {
        who: Targeted::All,
        ..group.clone()
    };
    assert_eq!(
        store
            .goal_group_progress(&all, 2026)
            .await
            .expect("all")
            .start,
        [0, 1, 1]
    );
    // Only a class the owner teaches; a refused change keeps the old one.
    let other = store
        .orgs()
        .await
        .expect("orgs")
        .into_iter()
        .filter(|o| o.kind == OrgKind::School && o.id != school)
        .map(|o| o.id)
        .next();
    let elsewhere = match other {
        Some(o) => store
            .classes_of_school(o)
            .await
            .expect("classes")
            .first()
            .map(|c| c.id),
        None => None,
    };
    if let Some(elsewhere) = elsewhere {
        let err = store
            .set_goal_group(goal, Some((elsewhere, "Math", Targeted::All)), 3)
            .await
            .expect_err("not theirs");
        assert!(matches!(err, StoreError::Conflict(_)), "{err}");
        assert_eq!(store.goal_group(goal).await.expect("group"), Some(group));
    }
    store.set_goal_group(goal, None, 4).await.expect("clear");
    assert_eq!(store.goal_group(goal).await.expect("group"), None);

    // A PLC the teacher joined reads their classes' students, audited.
    let plc = store
        .create_group(&crate::NewGroup {
            org: school,
            kind: waypoint_domain::group::GroupKind::Plc,
            title: "Grade team".to_owned(),
            description: String::new(),
            from_section: None,
            created_by: teacher,
            leads: vec![teacher],
            invite: Vec::new(),
            now: 5,
        })
        .await
        .expect("plc");
    let log_before = store.audit_log(100).await.expect("log").len();
    let team = store
        .team_results(plc, &audit(teacher, "team"))
        .await
        .expect("team");
    assert!(
        team.classes
            .iter()
            .any(|c| c.0 == class.id && c.2 == [teacher])
    );
    assert!(
        ids.iter()
            .all(|id| team.enrolled.contains(&(class.id, *id)))
    );
    assert_eq!(team.data.results.len(), 4);
    let log = store.audit_log(100).await.expect("log");
    assert_eq!(log.len(), log_before + 1);
    let everyone: Vec<String> = {
        let mut v: Vec<i64> = team.data.students.iter().map(|s| s.id.get()).collect();
        v.sort_unstable();
        v.iter().map(ToString::to_string).collect()
    };
    assert_eq!(log[0].students, everyone.join(","));
    assert!(
        store.team_results(plc, &audit(nobody, "x")).await.is_err(),
        "no audit row, no data"
    );
}
