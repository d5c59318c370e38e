//! `waypoint import case`: a real CASE sample is stored, a malformed package
//! is refused with located problems (exit code 2) and nothing stored.

use std::path::PathBuf;
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/case/opensalt")
        .join(name)
}

#[test]
fn a_case_package_imports_and_a_broken_one_is_refused() {
    let dir = std::env::temp_dir().join(format!("waypoint-import-case-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = format!("sqlite:{}", dir.join("case.db").display());
    let run = |path: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_waypoint"))
            .args(["import", "case", "--database-url", &db])
            .arg(path)
            .output()
            .expect("waypoint runs")
    };
    let ok = run(&fixture("Ordering.json"));
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let said = String::from_utf8_lossy(&ok.stdout);
    assert!(
        said.contains("Imported \"ACT Holistic Framework, Math\"") && said.contains("28 items"),
        "{said}"
    );
    let again = run(&fixture("Ordering.json"));
    assert!(
        String::from_utf8_lossy(&again.stdout).starts_with("Replaced"),
        "a re-import replaces"
    );

    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        "{\"CFDocument\": {\"identifier\": \"x\", \"uri\": \"u\"}}",
    )
    .expect("write");
    let refused = run(&bad);
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("nothing was stored")
            && err.contains(":1:")
            && err.contains("/CFDocument/title"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
