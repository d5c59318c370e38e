//! Every assessment sample in `../shared/fixtures/assessments/` stores through
//! its vendor preset once its students are in the roster, on SQLite and on
//! PostgreSQL; storing it again changes nothing.

#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use std::path::PathBuf;
use support::{Backend, app};
use waypoint_domain::Role;
use waypoint_domain::roster::{BatchMode, RosterBatch, RosterRole};
use waypoint_import::assessments::read_assessments;

const SAMPLES: [&str; 7] = [
    "edanalytics-earthmover-bundles/iready_diagnostic_ela.csv",
    "edanalytics-earthmover-bundles/iready_diagnostic_math.csv",
    "edanalytics-earthmover-bundles/nwea_map_growth_assessment_results.csv",
    "oea-iready-synthetic/diagnostic_results_ela.csv",
    "oea-iready-synthetic/diagnostic_results_math.csv",
    "oea-iready-synthetic/diagnostic_and_instruction_ela_ytd_window.csv",
    "oea-iready-synthetic/diagnostic_and_instruction_math_ytd_window.csv",
];

async fn every_sample_stores_once(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let s = &app.store;
    let template = app
        .demo
        .roster
        .users
        .iter()
        .find(|u| u.primary_role() == RosterRole::Student)
        .unwrap()
        .clone();
    let mut total = 0;
    for sample in SAMPLES {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/fixtures/assessments")
            .join(sample);
        let file = read_assessments(sample, &std::fs::read(&path).unwrap(), None).unwrap();
        let new = waypoint_web::services::assessment_results(&file, sample, 1);
        // Unknown students are named, and nothing is stored.
        if total == 0 {
            let refused = s.save_results(&new).await.unwrap().unwrap_err();
            assert_eq!(refused[0].line, 2, "{refused:?}");
            assert_eq!(s.result_count(None).await.unwrap(), 0);
        }
        let mut keys: Vec<&str> = file.results.iter().map(|r| r.student.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        let mut batch = RosterBatch::new(BatchMode::Delta, "1.1");
        for k in &keys {
            if s.person_by_sourced_id(k).await.unwrap().is_some() {
                continue;
            }
            let mut u = template.clone();
            u.meta.sourced_id = (*k).to_owned();
            u.identifier = Some((*k).to_owned());
            u.username = format!("{k}@students.example.org");
            batch.users.push(u);
        }
        s.apply_roster(&batch).await.unwrap();
        let first = s.save_results(&new).await.unwrap().unwrap();
        assert_eq!(first.students, keys.len(), "{sample}");
        // A same-day retake gives a line that supersedes an earlier one.
        let stored = new.results.len() - first.superseded;
        assert_eq!(
            first.added + first.changed + first.unchanged,
            stored,
            "{sample}"
        );
        let again = s.save_results(&new).await.unwrap().unwrap();
        assert_eq!(
            (again.added, again.changed, again.unchanged),
            (0, 0, stored),
            "{sample}: a no-op"
        );
        total += first.added;
    }
    assert_eq!(
        s.result_count(None).await.unwrap(),
        i64::try_from(total).unwrap()
    );
    assert!(total > 5_000, "{total} results from the samples");
}

#[tokio::test]
async fn every_sample_stores_once_on_sqlite() {
    every_sample_stores_once(Backend::Sqlite).await;
}

#[tokio::test]
async fn every_sample_stores_once_on_postgres() {
    every_sample_stores_once(Backend::Postgres).await;
}

/// The administrator's upload page: unknown students are listed by line and
/// nothing stored; a template file naming a roster student is stored once.
async fn the_upload_page_imports_all_or_nothing(backend: Backend) {
    let Some(app) = app(backend).await else {
        return;
    };
    let mut admin = app.signed_in(&app.username(Role::Administrator)).await;
    admin.get("/admin/assessments").await;
    // Uploads are queued; a worker imports them and the import's page says
    // how it went.
    async fn upload(
        app: &support::App,
        admin: &mut support::Client,
        layout: &str,
        name: &str,
        bytes: &[u8],
    ) -> String {
        let r = admin
            .post_multipart(
                "/admin/assessments",
                &[("format", layout)],
                ("file", name, bytes),
            )
            .await;
        assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER, "{}", r.body);
        let page = r.location().to_owned();
        assert!(page.starts_with("/admin/imports/"), "{page}");
        assert!(
            waypoint_web::jobs::run_next(&app.store, "test-worker")
                .await
                .unwrap()
        );
        let r = admin.get(&page).await;
        assert_eq!(r.status, axum::http::StatusCode::OK);
        r.body
    }
    let nwea = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/fixtures/assessments/edanalytics-earthmover-bundles/nwea_map_growth_assessment_results.csv"),
    )
    .unwrap();
    let body = upload(&app, &mut admin, "", "nwea.csv", &nwea).await;
    assert!(body.contains("Refused"), "{body}");
    assert!(
        body.contains(
            "nwea.csv:2: student &#34;605000&#34; is not in the roster (and 1 more line)"
        ),
        "{body}"
    );
    assert_eq!(app.store.result_count(None).await.unwrap(), 0);
    let student = app
        .demo
        .roster
        .users
        .iter()
        .find(|u| u.primary_role() == RosterRole::Student)
        .unwrap()
        .meta
        .sourced_id
        .clone();
    let csv = format!(
        "student_id,assessment,subject,domain,date,score,scale,level,percentile\n{student},Spring benchmark,Math,Fractions,2026-04-02,71,percent correct,Meets,64\n"
    );
    let body = upload(&app, &mut admin, "generic", "bench.csv", csv.as_bytes()).await;
    assert!(body.contains("What was stored"), "{body}");
    assert!(body.contains("1 new, 0 changed, 0 already here"), "{body}");
    let body = upload(&app, &mut admin, "", "bench.csv", csv.as_bytes()).await;
    assert!(body.contains("0 new, 0 changed, 1 already here"), "{body}");
    assert_eq!(app.store.result_count(None).await.unwrap(), 1);
    // Survey answers take the same road.
    let survey = format!(
        "student_id,survey,date,question,answer\n{student},Climate,2026-10-01,I belong here,4\n"
    );
    let body = upload(&app, &mut admin, "survey", "climate.csv", survey.as_bytes()).await;
    assert!(
        body.contains("Survey answers: 1 answers from 1 students: 1 new"),
        "{body}"
    );
    // The history lists them all; a zip is refused before it is queued.
    let page = admin.get("/admin/assessments").await;
    assert!(page.body.contains("climate.csv") && page.body.contains("nwea.csv"));
    let r = admin
        .post_multipart(
            "/admin/assessments",
            &[("format", "")],
            ("file", "results.csv", b"PK\x03\x04rest-of-a-zip"),
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("this is not a CSV file"), "{}", r.body);
    let mut educator = app.signed_in(&app.username(Role::Educator)).await;
    assert_eq!(
        educator.get("/admin/assessments").await.status,
        axum::http::StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_upload_page_imports_all_or_nothing_on_sqlite() {
    the_upload_page_imports_all_or_nothing(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_upload_page_imports_all_or_nothing_on_postgres() {
    the_upload_page_imports_all_or_nothing(Backend::Postgres).await;
}
