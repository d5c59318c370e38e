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
);

/// Gives every student of the demo a fall and a winter result in
/// mathematics (overall and two domains); returns the demo educator's first
/// class and its students' ids.
async fn with_results(app: &App) -> (i64, Vec<i64>) {
    let s = &app.store;
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
        for (day, gain) in [("2026-09-15", 0.0), ("2027-01-20", 6.0)] {
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
