//! Parser behaviour: valid inputs round-trip; bad inputs fail with file, line and column.

use waypoint_assign::generate::{Spec, generate, write_inputs};
use waypoint_assign::{ParseError, Source, parse_instance};

const SESSIONS: &str = "section_id,course_id,title,slot,capacity,facilitators
S1,MIND,Mindfulness,1,2,F1
S2,MATH,Math talk,1,2,
S3,MIND,Mindfulness,2,2,F2
S4,HAM,Hamilton,2,2,
";
const PREFS: &str = "person_id,rank,course_id
A,1,MIND
A,2,MATH
B,1,HAM
";

fn parse(
    ses: &str,
    prefs: &str,
    people: Option<&str>,
) -> Result<waypoint_assign::Instance, ParseError> {
    parse_instance(
        Source {
            name: "sessions.csv",
            bytes: ses.as_bytes(),
        },
        Source {
            name: "preferences.csv",
            bytes: prefs.as_bytes(),
        },
        people.map(|p| Source {
            name: "people.csv",
            bytes: p.as_bytes(),
        }),
    )
}

fn located(e: &ParseError) -> String {
    match e.location() {
        Some(at) => at.to_string(),
        None => panic!("expected a located error, got {e}"),
    }
}

#[test]
fn parses_a_small_day() {
    let inst = parse(SESSIONS, PREFS, None).expect("valid");
    assert_eq!(inst.slots(), ["1", "2"]);
    assert_eq!(inst.sections().len(), 4);
    assert_eq!(inst.courses().len(), 3);
    // A, B from preferences; F1, F2 from facilitators.
    assert_eq!(inst.people().len(), 4);
    let a = &inst.people()[0];
    assert_eq!(a.id(), "A");
    assert_eq!(a.ranked().len(), 2);
}

#[test]
fn integer_slots_are_ordered_numerically() {
    let ses = "section_id,course_id,title,slot,capacity,facilitators\nS1,X,x,10,5,\nS2,Y,y,9,5,\n";
    let inst = parse(ses, "person_id,rank,course_id\n", None).expect("valid");
    assert_eq!(inst.slots(), ["9", "10"]);
}

#[test]
fn capacity_that_is_not_a_number_names_line_and_column() {
    let ses = SESSIONS.replace("S2,MATH,Math talk,1,2,", "S2,MATH,Math talk,1,lots,");
    let e = parse(&ses, PREFS, None).expect_err("bad capacity");
    assert_eq!(located(&e), "sessions.csv:3: column 5 (capacity)");
    assert!(e.to_string().contains("\"lots\""), "{e}");
}

#[test]
fn missing_column_is_reported() {
    let ses = SESSIONS.replace(",capacity", ",seats");
    let e = parse(&ses, PREFS, None).expect_err("missing column");
    assert_eq!(located(&e), "sessions.csv:1");
    assert!(e.to_string().contains("missing column \"capacity\""), "{e}");
}

#[test]
fn unknown_course_in_preferences_is_located() {
    let prefs = format!("{PREFS}B,2,KNITTING\n");
    let e = parse(SESSIONS, &prefs, None).expect_err("unknown course");
    assert_eq!(located(&e), "preferences.csv:5: column 3 (course_id)");
    assert!(e.to_string().contains("unknown course \"KNITTING\""), "{e}");
}

#[test]
fn duplicate_rank_is_located() {
    let prefs = format!("{PREFS}B,1,MATH\n");
    let e = parse(SESSIONS, &prefs, None).expect_err("duplicate rank");
    assert_eq!(located(&e), "preferences.csv:5: column 2 (rank)");
    assert!(e.to_string().contains("two courses at rank 1"), "{e}");
}

#[test]
fn rank_must_be_a_positive_number() {
    let prefs = format!("{PREFS}B,zero,MATH\n");
    let e = parse(SESSIONS, &prefs, None).expect_err("bad rank");
    assert_eq!(located(&e), "preferences.csv:5: column 2 (rank)");
}

#[test]
fn ragged_row_is_located() {
    let prefs = format!("{PREFS}B,2\n");
    let e = parse(SESSIONS, &prefs, None).expect_err("short row");
    assert_eq!(located(&e), "preferences.csv:5");
}

#[test]
fn people_file_makes_ids_strict() {
    let people = "person_id,absent_slots,required_courses\nA,,\nF1,,\nF2,,\n";
    let e = parse(SESSIONS, PREFS, Some(people)).expect_err("B is not listed");
    assert_eq!(located(&e), "preferences.csv:4: column 1 (person_id)");

    let people = "person_id,absent_slots,required_courses\nA,3,\nB,,\nF1,,\nF2,,\n";
    let e = parse(SESSIONS, PREFS, Some(people)).expect_err("unknown slot");
    assert_eq!(located(&e), "people.csv:2: column 2 (absent_slots)");

    let people = "person_id,absent_slots,required_courses\nA,,\nB,,YOGA\nF1,,\nF2,,\n";
    let e = parse(SESSIONS, PREFS, Some(people)).expect_err("unknown course");
    assert_eq!(located(&e), "people.csv:3: column 3 (required_courses)");

    let people = "person_id,absent_slots,required_courses\nA,,\nB,,\nF1,,\n";
    let e = parse(SESSIONS, PREFS, Some(people)).expect_err("F2 not listed");
    assert_eq!(located(&e), "sessions.csv:4: column 6 (facilitators)");
}

#[test]
fn people_file_adds_people_without_preferences() {
    let people = "person_id,absent_slots,required_courses\nA,2,\nB,,HAM\nC,,\nF1,,\nF2,,\n";
    let inst = parse(SESSIONS, PREFS, Some(people)).expect("valid");
    assert_eq!(inst.people().len(), 5);
    let a = &inst.people()[0];
    assert!(a.is_absent(1) && !a.is_absent(0));
    assert_eq!(inst.people()[1].required().len(), 1);
}

#[test]
fn audience_column_restricts_a_course() {
    let ses = "section_id,course_id,title,slot,capacity,facilitators,audience\nS1,X,x,1,5,,A\nS2,Y,y,1,5,,\n";
    let inst = parse(ses, "person_id,rank,course_id\nA,1,X\nB,1,Y\n", None).expect("valid");
    assert!(inst.courses()[0].admits(0));
    assert!(!inst.courses()[0].admits(1));
    assert!(inst.courses()[1].admits(1));
}

#[test]
fn generated_inputs_round_trip() {
    let spec = Spec {
        people: 120,
        sections: 18,
        courses: 14,
        facilitators: 20,
        ..Spec::pd_day()
    };
    let inst = generate(&spec, 7);
    let dir = std::env::temp_dir().join(format!("waypoint-assign-rt-{}", std::process::id()));
    write_inputs(&inst, &dir).expect("write");
    let read = |f: &str| std::fs::read(dir.join(f)).expect("read");
    let (s, p, q) = (
        read("sessions.csv"),
        read("preferences.csv"),
        read("people.csv"),
    );
    let back = parse_instance(
        Source {
            name: "sessions.csv",
            bytes: &s,
        },
        Source {
            name: "preferences.csv",
            bytes: &p,
        },
        Some(Source {
            name: "people.csv",
            bytes: &q,
        }),
    )
    .expect("parse back");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(back.people().len(), inst.people().len());
    assert_eq!(back.sections().len(), inst.sections().len());
    for (a, b) in inst.people().iter().zip(back.people()) {
        assert_eq!(a.id(), b.id());
        assert_eq!(a.ranked(), b.ranked());
    }
    for (a, b) in inst.sections().iter().zip(back.sections()) {
        assert_eq!(
            (a.id(), a.capacity(), a.slot()),
            (b.id(), b.capacity(), b.slot())
        );
    }
}
