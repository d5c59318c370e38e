//! Infeasible instances are refused with what is missing where, and nothing is assigned.

use waypoint_assign::{InstanceBuilder, Mechanism, SolveError, SolveOptions, solve};

fn opts(m: Mechanism) -> SolveOptions {
    SolveOptions {
        mechanism: m,
        ..SolveOptions::default()
    }
}

#[test]
fn too_few_seats_in_a_slot_says_how_many_to_add() {
    let mut b = InstanceBuilder::new();
    let t1 = b.slot("1");
    let t2 = b.slot("2");
    let x = b.course("X", "x");
    let y = b.course("Y", "y");
    b.section("S1", x, t1, 964, vec![]).expect("section");
    b.section("S2", y, t2, 950, vec![]).expect("section");
    for i in 0..964 {
        b.person(&format!("P{i}"));
    }
    let inst = b.build(false).expect("valid");
    for m in [Mechanism::Optimal, Mechanism::Fcfs, Mechanism::Rsd] {
        let e = solve(&inst, &opts(m), &mut |_| {}).expect_err("infeasible");
        let SolveError::Infeasible(problems) = &e;
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].to_string(),
            "slot 2: 964 people, 950 seats; add 14 seats"
        );
        assert!(e.to_string().contains("add 14 seats"));
    }
}

#[test]
fn required_course_over_capacity_is_named() {
    let mut b = InstanceBuilder::new();
    let t1 = b.slot("morning");
    let x = b.course("SAFETY", "Required training");
    let y = b.course("Y", "y");
    b.section("S1", x, t1, 2, vec![]).expect("section");
    b.section("S2", y, t1, 10, vec![]).expect("section");
    for i in 0..3 {
        let p = b.person(&format!("P{i}"));
        b.require(p, x);
    }
    let inst = b.build(false).expect("valid");
    let SolveError::Infeasible(problems) =
        solve(&inst, &opts(Mechanism::Optimal), &mut |_| {}).expect_err("infeasible");
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        text.contains(&"course SAFETY: 3 people must take it, 2 seats; add 1 seats".to_owned()),
        "{text:?}"
    );
}

#[test]
fn required_course_in_an_absent_slot_is_named() {
    let mut b = InstanceBuilder::new();
    let t1 = b.slot("1");
    let t2 = b.slot("2");
    let x = b.course("X", "x");
    let y = b.course("Y", "y");
    b.section("S1", x, t1, 5, vec![]).expect("section");
    b.section("S2", y, t1, 5, vec![]).expect("section");
    b.section("S3", y, t2, 5, vec![]).expect("section");
    let p = b.person("P1");
    b.require(p, x);
    b.absent(p, t1);
    let inst = b.build(false).expect("valid");
    let SolveError::Infeasible(problems) =
        solve(&inst, &opts(Mechanism::Rsd), &mut |_| {}).expect_err("infeasible");
    assert_eq!(
        problems[0].to_string(),
        "person P1 must take course X, but it runs only in slots where they are absent or facilitating"
    );
}

#[test]
fn seats_left_only_in_forbidden_courses_are_reported_by_slot() {
    // Two slots, one course each slot... the same course: the second slot cannot be filled.
    let mut b = InstanceBuilder::new();
    let t1 = b.slot("1");
    let t2 = b.slot("2");
    let x = b.course("X", "x");
    b.section("S1", x, t1, 5, vec![]).expect("section");
    b.section("S2", x, t2, 5, vec![]).expect("section");
    b.person("P1");
    let inst = b.build(false).expect("valid");
    let SolveError::Infeasible(problems) =
        solve(&inst, &opts(Mechanism::Optimal), &mut |_| {}).expect_err("infeasible");
    assert!(
        problems[0].to_string().contains("could not be seated"),
        "{}",
        problems[0]
    );
}
