//! `waypoint import assessments`: a vendor export whose students are not in
//! the roster is refused by line and student, a malformed file by line,
//! column and field; either way exit code 2 and nothing stored.

use std::path::PathBuf;
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/assessments")
        .join(name)
}

#[test]
fn unknown_students_and_bad_cells_are_refused_with_their_lines() {
    let dir = std::env::temp_dir().join(format!(
        "waypoint-import-assessments-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = format!("sqlite:{}", dir.join("a.db").display());
    let run = |args: &[&str], path: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_waypoint"))
            .args(["import", "assessments", "--database-url", &db])
            .args(args)
            .arg(path)
            .output()
            .expect("waypoint runs")
    };
    let nwea = fixture("edanalytics-earthmover-bundles/nwea_map_growth_assessment_results.csv");
    let refused = run(&[], &nwea);
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("nothing was stored")
            && err.contains(":2: student \"605000\" is not in the roster"),
        "{err}"
    );
    let wrong = run(&["--format", "iready-ytd"], &nwea);
    assert_eq!(wrong.status.code(), Some(2), "the named layout is held to");
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("\"Student ID\" is missing"));
    let bad = dir.join("bench.csv");
    std::fs::write(
        &bad,
        "student_id,assessment,subject,domain,date,score,scale,level,percentile\ns1,Benchmark,Math,,2026-02-30,5,,,\n",
    )
    .expect("write");
    let refused = run(&[], &bad);
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("bench.csv:2:5 (field \"date\")"), "{err}");
    let unknown_format = run(&["--format", "excel"], &bad);
    assert!(!unknown_format.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}
