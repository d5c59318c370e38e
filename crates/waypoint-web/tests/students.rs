//! Student information pages on SQLite and on PostgreSQL: a teacher's class
//! and a student's profile are audited in the read's own transaction (and
//! refused when the audit log cannot be written); a school, district and
//! region see counts only, with small cells hidden.

#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use axum::http::StatusCode;
use support::{App, Backend, app};
use waypoint_domain::Role;
use waypoint_store::{NewResult, NewResults};

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() { super::$name(super::Backend::Sqlite).await; })*
        }
        mod postgres {
            $(#[tokio::test] async fn $name() { super::$name(super::Backend::Postgres).await; })*
        }
    };
}

on_both_backends!(
    class_and_student_views_are_audited,
    a_failed_audit_write_fails_the_request,
    leaders_see_counts_with_small_cells_hidden,
    suggestions_follow_the_students_needs_with_their_reasons,
    goals_read_their_measures_and_targeted_students_from_results,
    a_plc_reads_its_members_students_with_an_audit_row,
    what_students_say_is_counted_above_the_class,
);

/// Gives every student of the demo a fall and a winter result in
/// mathematics (overall and two domains); returns the demo educator's first
/// class and its students' ids.
async fn with_results(app: &App) -> (i64, Vec<i64>) {
    with_results_in(app, 2026).await
}

/// [`with_results`] in the school year starting in `year`.
async fn with_results_in(app: &App, year: i32) -> (i64, Vec<i64>) {
    let s = &app.store;
    let (fall, winter) = (format!("{year}-09-15"), format!("{}-01-20", year + 1));
    let educator = app.person(Role::Educator).await;
    let class = s.classes_taught_by(educator).await.unwrap()[0].id;
    let mut results = Vec::new();
    let students: Vec<_> = app
        .demo
        .roster
        .users
        .iter()
        .filter(|u| u.primary_role() == waypoint_domain::roster::RosterRole::Student)
        .collect();
    for (i, u) in students.iter().enumerate() {
        for (day, gain) in [(fall.as_str(), 0.0), (winter.as_str(), 6.0)] {
            for (d, domain) in ["Overall", "Fractions", "Geometry"].iter().enumerate() {
                // Spread students over the bands: percentiles 5 … 95.
                let percentile = ((i * 7 + d * 13) % 19) as u8 * 5 + 5;
                results.push(NewResult {
                    line: 2 + i as u64,
                    student: u.meta.sourced_id.clone(),
                    assessment: "MAP Growth".into(),
                    subject: "Mathematics".into(),
                    domain: (*domain).into(),
                    taken_on: day.into(),
                    score: 200.0 + f64::from(percentile) / 2.0 + gain,
                    scale: "RIT".into(),
                    level: String::new(),
                    percentile: Some(percentile),
                });
            }
        }
    }
    let new = NewResults {
        source: "test.csv".into(),
        results,
        now: 1,
    };
    s.save_results(&new).await.unwrap().unwrap();
    let ids = read_class(app, class.get())
        .await
        .students
        .iter()
        .map(|s| s.id.get())
        .collect();
    (class.get(), ids)
}

/// The class's results as its teacher reads them (an audited read).
async fn read_class(app: &App, class: i64) -> waypoint_store::ClassResults {
    let educator = app.person(Role::Educator).await;
    app.store
        .class_results(
            waypoint_domain::ClassId::new(class),
            &waypoint_store::AuditEntry {
                actor: educator,
                role: "educator".into(),
                scope: format!("class:{class}"),
                subject: "test".into(),
                route: "test".into(),
                request_id: "test".into(),
                at: 1,
            },
        )
        .await
        .unwrap()
}

/// Where a class sits.
async fn placement_of(app: &App, class: i64) -> waypoint_domain::Placement {
    app.store
        .class(waypoint_domain::ClassId::new(class))
        .await
        .unwrap()
        .unwrap()
        .placement
}

async fn class_and_student_views_are_audited(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let (class, students) = with_results(&app).await;
    assert!(!students.is_empty());
    let before = app.store.audit_log(100).await.unwrap().len();
    let mut teacher = app.signed_in(&app.username(Role::Educator)).await;

    let landing = teacher.get("/students").await;
    assert_eq!(landing.status, StatusCode::OK);
    assert!(landing.body.contains(&format!("/students/classes/{class}")));

    let page = teacher.get(&format!("/students/classes/{class}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("recorded in the audit log"));
    assert!(page.body.contains("By domain"));
    assert!(page.body.contains("Fractions"));
    assert!(page.body.contains("Over the year"));
    let log = app.store.audit_log(100).await.unwrap();
    assert_eq!(log.len(), before + 1);
    let row = &log[0];
    assert_eq!(row.subject, format!("class:{class} results"));
    assert_eq!(row.route, "/students/classes/{id}");
    assert_eq!(row.role, "educator");
    assert!(!row.request_id.is_empty());
    let listed: Vec<i64> = row
        .students
        .split(',')
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(listed, students, "every student read is named");

    let one = students[0];
    let profile = teacher
        .get(&format!("/students/classes/{class}/students/{one}"))
        .await;
    assert_eq!(profile.status, StatusCode::OK);
    assert!(profile.body.contains("Every result as imported"));
    let log = app.store.audit_log(100).await.unwrap();
    assert_eq!(log.len(), before + 2);
    assert_eq!(log[0].students, one.to_string());
    assert_eq!(log[0].subject, format!("student:{one} results"));

    // A student who is not in the class: no page and no audit row.
    let stranger = app
        .store
        .person_by_sourced_id(&app.demo.roster.users.last().unwrap().meta.sourced_id)
        .await
        .unwrap()
        .unwrap();
    if !students.contains(&stranger.get()) {
        let r = teacher
            .get(&format!("/students/classes/{class}/students/{stranger}"))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(app.store.audit_log(100).await.unwrap().len(), before + 2);
    }

    // A school's counts name nobody and are not student-level reads.
    let mut principal = app.signed_in(&app.username(Role::Principal)).await;
    let school = placement_of(&app, class).await.school.unwrap();
    let counts = principal.get(&format!("/students/orgs/{school}")).await;
    assert_eq!(counts.status, StatusCode::OK);
    let first = read_class(&app, class).await.students[0].clone();
    assert!(!counts.body.contains(&first.family_name));
    assert_eq!(app.store.audit_log(100).await.unwrap().len(), before + 3);

    // The district's coordinator reviews and exports its staff's views.
    let district = placement_of(&app, class).await.district.unwrap();
    let mut coordinator = app
        .signed_in(&app.username(Role::DistrictCoordinator))
        .await;
    assert!(
        coordinator
            .get("/students")
            .await
            .body
            .contains(&format!("/orgs/{district}/audit"))
    );
    let log = coordinator.get(&format!("/orgs/{district}/audit")).await;
    assert_eq!(log.status, StatusCode::OK);
    assert!(log.body.contains(&format!("class:{class} results")));
    let csv = coordinator
        .get(&format!("/orgs/{district}/audit.csv"))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with("id,at_utc,actor_id"));
    assert!(csv.body.contains(&format!("student:{one} results")));
}

async fn a_failed_audit_write_fails_the_request(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let (class, students) = with_results(&app).await;
    let mut teacher = app.signed_in(&app.username(Role::Educator)).await;
    assert_eq!(
        teacher
            .get(&format!("/students/classes/{class}"))
            .await
            .status,
        StatusCode::OK
    );
    let before = app.store.audit_log(1000).await.unwrap().len();
    app.database.break_audit_log().await;
    for path in [
        format!("/students/classes/{class}"),
        format!("/students/classes/{class}/students/{}", students[0]),
        format!("/classes/{class}"),
    ] {
        let r = teacher.get(&path).await;
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        assert!(!r.body.contains("Every result"), "{path}: no data");
        assert!(!r.body.contains("By domain"), "{path}: no data");
    }
    assert_eq!(app.store.audit_log(1000).await.unwrap().len(), before);
}

async fn leaders_see_counts_with_small_cells_hidden(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let (class, _) = with_results(&app).await;
    let placement = placement_of(&app, class).await;
    let (school, district, region) = (
        placement.school.unwrap(),
        placement.district.unwrap(),
        placement.region.unwrap(),
    );
    let mut principal = app.signed_in(&app.username(Role::Principal)).await;
    let page = principal.get(&format!("/students/orgs/{school}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("By grade") && page.body.contains("By class"));
    assert!(page.body.contains("Hidden to protect privacy"));
    // No shown count is below the minimum: every number in a band cell
    // is 0 or at least 10.
    for cell in page.body.split("<td class=\"num\" data-sort=\"").skip(1) {
        let n: i64 = cell.split('"').next().unwrap().parse().unwrap();
        assert!(n == -1 || n == 0 || n >= 10, "a shown count of {n}");
    }
    // The principal may open a class of their school.
    assert!(page.body.contains(&format!("/students/classes/{class}")));

    let mut coordinator = app
        .signed_in(&app.username(Role::DistrictCoordinator))
        .await;
    let page = coordinator.get(&format!("/students/orgs/{district}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("By school"));
    assert!(page.body.contains("Professional learning beside it"));
    assert!(
        page.body
            .contains(&format!("/students/orgs/{school}?subject="))
    );
    assert!(!page.body.contains("/students/classes/"));

    let mut regional = app
        .signed_in(&app.username(Role::RegionalCoordinator))
        .await;
    let page = regional.get(&format!("/students/orgs/{region}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("By district"));
    // A region never sees a district's schools, or a school.
    for org in [district, school] {
        let r = regional.get(&format!("/students/orgs/{org}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
}

async fn suggestions_follow_the_students_needs_with_their_reasons(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    with_results(&app).await;
    let coordinator = app.person(Role::DistrictCoordinator).await;
    let educator = app.person(Role::Educator).await;
    let district = app
        .store
        .staff(coordinator)
        .await
        .unwrap()
        .unwrap()
        .placements[0]
        .district
        .unwrap();
    waypoint_web::pdday::demo::seed(&app.store, district, coordinator, educator)
        .await
        .unwrap();
    let mut teacher = app.signed_in(&app.username(Role::Educator)).await;
    let page = teacher.get("/growth/recommendations").await;
    assert_eq!(page.status, StatusCode::OK);
    // What the students need is named, and a PD-day session on fractions
    // is suggested because of it, saying so.
    assert!(
        page.body.contains("need support in Fractions"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Fractions on the number line"));
    let reason = page
        .body
        .split("Fractions on the number line")
        .nth(1)
        .unwrap();
    assert!(
        reason.contains("need support in Fractions; this session is about"),
        "{reason}"
    );
    // Counts of one's own classes name nobody: no audit row.
    let before = app.store.audit_log(1000).await.unwrap().len();
    teacher.get("/growth/recommendations").await;
    assert_eq!(app.store.audit_log(1000).await.unwrap().len(), before);
}

async fn goals_read_their_measures_and_targeted_students_from_results(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let year = waypoint_web::pages::goals::current_year();
    let (class, _) = with_results_in(&app, year.start()).await;
    let school = placement_of(&app, class).await.school.unwrap();

    // A school goal whose measure is read from the results.
    let mut coordinator = app
        .signed_in(&app.username(Role::DistrictCoordinator))
        .await;
    let goal_form = |target: &'static str| {
        vec![
            ("org", school.to_string()),
            ("year", year.to_string()),
            ("statement", "Every student grows in mathematics".to_owned()),
            ("measure", "MAP Growth, each window".to_owned()),
            ("target", "Half on track".to_owned()),
            ("results_subject", "Mathematics".to_owned()),
            ("results_grade", String::new()),
            ("results_target", target.to_owned()),
        ]
    };
    let fields = |v: &[(&'static str, String)]| -> Vec<(&'static str, String)> { v.to_vec() };
    let bad = fields(&goal_form("150"));
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = coordinator.post_form("/goals", &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Share on track aimed for"), "{}", r.body);
    let good = fields(&goal_form("50"));
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = coordinator.post_form("/goals", &good).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut principal = app.signed_in(&app.username(Role::Principal)).await;
    let page = principal.get(&format!("/students/orgs/{school}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Every student grows in mathematics"));
    assert!(
        page.body
            .contains("Share on track in Mathematics, every grade, aiming for 50%")
    );
    assert!(page.body.contains("measure, window by window"));

    // The educator's goal targets the class's students not on track.
    let educator = app.person(Role::Educator).await;
    let goal = app
        .store
        .create_personal_goal(&waypoint_store::NewPersonalGoal {
            owner: educator,
            year,
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
            .unwrap(),
            competencies: Vec::new(),
            cadence_days: 14,
            carried_from: None,
            now: 1,
        })
        .await
        .unwrap();
    let mut teacher = app.signed_in(&app.username(Role::Educator)).await;
    let page = teacher.get(&format!("/growth/goals/{goal}")).await;
    assert!(page.body.contains("Choose the students"));
    let path = format!("/growth/goals/{goal}/students");
    let class_s = class.to_string();
    let r = teacher
        .post_form(
            &path,
            &[
                ("class", &class_s),
                ("subject", "Mathematics"),
                ("who", "not_on_track"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = teacher.get(&format!("/growth/goals/{goal}")).await;
    assert!(page.body.contains("The students it is for"));
    assert!(page.body.contains("On track at the start"));
    assert!(page.body.contains("On track now"));
    assert!(!page.body.contains("Only the class's teachers"));
    // A class the educator does not teach, or a subject never tested.
    let taught: Vec<waypoint_domain::ClassId> = app
        .store
        .classes_taught_by(educator)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    let other = app
        .store
        .classes_of_school(school)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .find(|c| !taught.contains(c))
        .unwrap();
    let other_s = other.to_string();
    let r = teacher
        .post_form(
            &path,
            &[
                ("class", &other_s),
                ("subject", "Mathematics"),
                ("who", "all"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = teacher
        .post_form(
            &path,
            &[("class", &class_s), ("subject", "Latin"), ("who", "all")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The principal reads the goal's counts suppressed, and cannot change them.
    let page = principal.get(&format!("/growth/goals/{goal}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("The students it is for"));
    assert!(page.body.contains("Only the class's teachers"));
    assert!(
        !page.body.contains("Choose the students") && !page.body.contains("Change the students")
    );
    let r = principal
        .post_form(
            &path,
            &[
                ("class", &class_s),
                ("subject", "Mathematics"),
                ("who", "all"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = teacher.post_form(&path, &[("clear", "1")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.store.goal_group(goal).await.unwrap(), None);
}

async fn a_plc_reads_its_members_students_with_an_audit_row(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let (class, students) = with_results(&app).await;
    let school = placement_of(&app, class).await.school.unwrap();
    let educator = app.person(Role::Educator).await;
    let coach = app.person(Role::Coach).await;
    let group = |kind| waypoint_store::NewGroup {
        org: school,
        kind,
        title: "Grade team".to_owned(),
        description: String::new(),
        from_section: None,
        created_by: educator,
        leads: vec![educator],
        invite: vec![coach],
        now: 1,
    };
    let plc = app
        .store
        .create_group(&group(waypoint_domain::group::GroupKind::Plc))
        .await
        .unwrap();
    let books = app
        .store
        .create_group(&group(waypoint_domain::group::GroupKind::BookGroup))
        .await
        .unwrap();
    let mut teacher = app.signed_in(&app.username(Role::Educator)).await;
    assert!(
        teacher
            .get(&format!("/groups/{plc}"))
            .await
            .body
            .contains(&format!("/groups/{plc}/students"))
    );
    let before = app.store.audit_log(100).await.unwrap().len();
    let page = teacher.get(&format!("/groups/{plc}/students")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Class by class"));
    assert!(page.body.contains("Students with the same need"));
    let first = read_class(&app, class).await.students[0].clone();
    assert!(page.body.contains(&first.family_name));
    assert!(
        page.body
            .contains(&format!("/students/classes/{class}/students/"))
    );
    let log = app.store.audit_log(100).await.unwrap();
    // The read of the class above is one row; the page another.
    let row = log
        .iter()
        .find(|r| r.subject == format!("group:{plc} students"))
        .expect("the page's audit row");
    assert_eq!(log.len(), before + 2);
    assert_eq!(row.route, "/groups/{id}/students");
    assert_eq!(row.scope, format!("group:{plc}"));
    let listed: Vec<i64> = row
        .students
        .split(',')
        .map(|s| s.parse().unwrap())
        .collect();
    assert!(
        students.iter().all(|s| listed.contains(s)),
        "every student read is named"
    );

    // Invited but not joined: no page, no audit row. A book group has no
    // such page.
    let mut invited = app.signed_in(&app.username(Role::Coach)).await;
    let count = app.store.audit_log(100).await.unwrap().len();
    let r = invited.get(&format!("/groups/{plc}/students")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = teacher.get(&format!("/groups/{books}/students")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.store.audit_log(100).await.unwrap().len(), count);

    // No audit row, no page.
    app.database.break_audit_log().await;
    let r = teacher.get(&format!("/groups/{plc}/students")).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!r.body.contains(&first.family_name));
}

async fn what_students_say_is_counted_above_the_class(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let (class, _) = with_results(&app).await;
    let placement = placement_of(&app, class).await;
    let answers: Vec<waypoint_store::NewAnswer> = app
        .demo
        .roster
        .users
        .iter()
        .filter(|u| u.primary_role() == waypoint_domain::roster::RosterRole::Student)
        .enumerate()
        .map(|(i, u)| waypoint_store::NewAnswer {
            line: 2 + i as u64,
            student: u.meta.sourced_id.clone(),
            survey: "Climate".into(),
            asked_on: "2026-10-05".into(),
            question: "Adults here listen to me".into(),
            scale: Some(((i % 5) as u8 + 1, 5)),
            text: None,
        })
        .collect();
    app.store
        .save_answers(&waypoint_store::NewAnswers {
            source: "climate.csv".into(),
            answers,
            now: 1,
        })
        .await
        .unwrap()
        .unwrap();
    let mut principal = app.signed_in(&app.username(Role::Principal)).await;
    let school = placement.school.unwrap();
    let page = principal.get(&format!("/students/orgs/{school}")).await;
    assert!(page.body.contains("What students say"));
    assert!(page.body.contains("Adults here listen to me"));
    for cell in page.body.split("<td class=\"num\" data-sort=\"").skip(1) {
        let n: i64 = cell.split('"').next().unwrap().parse().unwrap();
        assert!(n == -1 || n == 0 || n >= 10, "a shown count of {n}");
    }
    let mut coordinator = app
        .signed_in(&app.username(Role::DistrictCoordinator))
        .await;
    let page = coordinator
        .get(&format!("/students/orgs/{}", placement.district.unwrap()))
        .await;
    assert!(page.body.contains("Adults here listen to me"));
}
