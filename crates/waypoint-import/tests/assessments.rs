//! Assessment exports: every real sample in `../shared/fixtures/assessments/`
//! reads through its vendor's preset (detected, or named), with demographic
//! columns dropped; malformed files are refused with every problem located.

use std::path::PathBuf;
use waypoint_import::assessments::{AssessmentFile, Format, read_assessments};

fn fixture(path: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/assessments")
        .join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn read(path: &str) -> AssessmentFile {
    read_assessments(path, &fixture(path), None).unwrap_or_else(|p| panic!("{path}: {p:#?}"))
}

#[test]
fn every_sample_reads_through_its_preset() {
    let samples = [
        (
            "edanalytics-earthmover-bundles/iready_diagnostic_ela.csv",
            Format::IreadyDiagnostic,
        ),
        (
            "edanalytics-earthmover-bundles/iready_diagnostic_math.csv",
            Format::IreadyDiagnostic,
        ),
        (
            "edanalytics-earthmover-bundles/nwea_map_growth_assessment_results.csv",
            Format::NweaMap,
        ),
        (
            "oea-iready-synthetic/diagnostic_results_ela.csv",
            Format::IreadyDiagnostic,
        ),
        (
            "oea-iready-synthetic/diagnostic_results_math.csv",
            Format::IreadyDiagnostic,
        ),
        (
            "oea-iready-synthetic/diagnostic_and_instruction_ela_ytd_window.csv",
            Format::IreadyYearToDate,
        ),
        (
            "oea-iready-synthetic/diagnostic_and_instruction_math_ytd_window.csv",
            Format::IreadyYearToDate,
        ),
    ];
    for (path, format) in samples {
        let f = read(path);
        assert_eq!(f.format, format, "{path}");
        assert!(!f.results.is_empty(), "{path}");
        assert!(f.results.iter().any(|r| r.domain == "Overall"), "{path}");
        assert!(
            f.results.iter().any(|r| r.domain != "Overall"),
            "{path}: domains too"
        );
        let named = read_assessments(path, &fixture(path), Some(format)).expect("named preset");
        assert_eq!(named.results, f.results, "{path}");
    }
}

#[test]
fn i_ready_rows_become_overall_and_domain_results() {
    let f = read("edanalytics-earthmover-bundles/iready_diagnostic_ela.csv");
    let first = &f.results[0];
    assert_eq!(
        (
            first.student.as_str(),
            first.subject.as_str(),
            first.domain.as_str(),
            first.date.as_str()
        ),
        ("605001", "Reading", "Overall", "2026-01-13")
    );
    assert_eq!((first.score, first.percentile), (424.0, Some(10)));
    assert_eq!(first.level, "2 Grade Levels Below");
    // "Not Assessed" domains (no score) give no result.
    let of_first: Vec<&str> = f
        .results
        .iter()
        .filter(|r| r.line == 2)
        .map(|r| r.domain.as_str())
        .collect();
    assert!(
        !of_first.contains(&"Phonological Awareness"),
        "{of_first:?}"
    );
    assert!(
        of_first.contains(&"Phonics") && of_first.contains(&"Comprehension: Informational Text")
    );
    assert_eq!(
        f.dropped_demographics,
        [
            "Sex",
            "Race",
            "Hispanic or Latino",
            "English Language Learner",
            "Special Education",
            "Economically Disadvantaged",
            "Migrant"
        ]
    );
    let math = read("oea-iready-synthetic/diagnostic_results_math.csv");
    assert!(math.results.iter().all(|r| r.subject == "Math"));
    assert!(math.results.iter().any(|r| r.domain == "Geometry"));
}

#[test]
fn the_year_to_date_export_gives_each_diagnostic_once() {
    let f = read("oea-iready-synthetic/diagnostic_and_instruction_math_ytd_window.csv");
    let first: Vec<(&str, f64)> = f
        .results
        .iter()
        .filter(|r| r.line == 2 && r.domain == "Overall")
        .map(|r| (r.date.as_str(), r.score))
        .collect();
    // Diagnostic 1 on 26 Aug, and the most recent (1 Dec) not among the numbered ones.
    assert_eq!(first, [("2021-08-26", 509.0), ("2021-12-01", 516.0)]);
    assert!(f.dropped_demographics.contains(&"Gender".to_owned()));
}

#[test]
fn nwea_rows_become_overall_and_goal_results() {
    let f = read("edanalytics-earthmover-bundles/nwea_map_growth_assessment_results.csv");
    let row: Vec<(&str, f64, &str)> = f
        .results
        .iter()
        .filter(|r| r.line == 2)
        .map(|r| (r.domain.as_str(), r.score, r.level.as_str()))
        .collect();
    assert_eq!(
        row,
        [
            ("Overall", 208.0, "Avg"),
            ("Matter, Force, Motion and Energy", 201.0, "LoAvg"),
            ("Earth and Space", 209.0, "Avg"),
            ("Organisms and Environments", 215.0, "HiAvg"),
        ]
    );
    let first = &f.results[0];
    assert_eq!(
        (
            first.student.as_str(),
            first.subject.as_str(),
            first.date.as_str(),
            first.percentile
        ),
        ("605000", "Science", "2021-09-16", Some(57))
    );
    assert_eq!(first.scale, "RIT");
}

#[test]
fn the_template_reads_and_bad_cells_are_located() {
    let good = "student_id,assessment,subject,domain,date,score,scale,level,percentile\n\
                s1,Spring benchmark,Math,Fractions,2026-04-02,71,percent correct,Meets,64\n\
                s2,Spring benchmark,Math,,4/2/2026,55,percent correct,Approaching,\n";
    let f = read_assessments("bench.csv", good.as_bytes(), None).expect("reads");
    assert_eq!(f.format, Format::Generic);
    assert_eq!(f.results[1].domain, "Overall");
    assert_eq!(f.results[1].date, "2026-04-02");
    let bad = "student_id,assessment,subject,domain,date,score,scale,level,percentile\n\
               s1,Spring benchmark,Math,Fractions,2026-13-02,seventy,,,64\n\
               ,Spring benchmark,Math,,2026-04-02,55,,,140\n";
    let problems = read_assessments("bench.csv", bad.as_bytes(), None).expect_err("refused");
    let located: Vec<(Option<u64>, Option<u64>, Option<String>)> = problems
        .iter()
        .map(|p| (p.line, p.column, p.field.clone()))
        .collect();
    assert_eq!(
        located,
        [
            (Some(2), Some(5), Some("date".to_owned())),
            (Some(2), Some(6), Some("score".to_owned())),
            (Some(3), Some(1), Some("student_id".to_owned())),
        ],
        "{problems:#?}"
    );
    assert!(
        problems[0].to_string().starts_with("bench.csv:2:5"),
        "{}",
        problems[0]
    );
    // The bad percentile on line 3 is not reached: the row stops at its missing student.
    let missing = "student_id,subject,date,score\ns1,Math,2026-04-02,1\n";
    let p = read_assessments("m.csv", missing.as_bytes(), None).expect_err("no assessment column");
    assert_eq!(p[0].field.as_deref(), Some("assessment"));
    let unknown = read_assessments("x.csv", b"a,b\n1,2\n", None).expect_err("no layout");
    assert!(unknown[0].message.contains("no known layout"));
}

#[test]
fn a_vendor_file_with_a_bad_score_is_refused_whole() {
    let text = String::from_utf8(fixture(
        "edanalytics-earthmover-bundles/nwea_map_growth_assessment_results.csv",
    ))
    .expect("utf-8");
    let broken = text.replacen("\"208\"", "\"two hundred\"", 1);
    assert_ne!(broken, text);
    let p = read_assessments("nwea.csv", broken.as_bytes(), None).expect_err("refused");
    assert_eq!(
        (p[0].line, p[0].field.as_deref()),
        (Some(2), Some("TestRITScore")),
        "{p:#?}"
    );
}
