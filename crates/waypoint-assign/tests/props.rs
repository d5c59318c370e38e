//! Properties of the mechanisms on random instances: every output is feasible, the optimal
//! objective is no worse than fcfs's and rsd's, and on tiny instances it equals brute force.

use proptest::prelude::*;
use waypoint_assign::{Costs, Instance, InstanceBuilder, Mechanism, RankCost, SolveOptions, solve};

#[derive(Debug, Clone)]
struct Tiny {
    slots: usize,
    /// (course, slot, capacity, facilitator?)
    sections: Vec<(usize, usize, u32, bool)>,
    /// Per person: ranked courses (deduplicated in order), absent slot.
    people: Vec<(Vec<usize>, Option<usize>)>,
    required: Option<(usize, usize)>,
}

fn tiny(max_people: usize) -> impl Strategy<Value = Tiny> {
    (2usize..=3, 2usize..=5, 1usize..=max_people).prop_flat_map(move |(slots, courses, people)| {
        let section = (
            0..courses,
            0..slots,
            0u32..=3,
            proptest::bool::weighted(0.15),
        );
        let person = (
            proptest::collection::vec(0..courses, 0..=4),
            proptest::option::weighted(0.15, 0..slots),
        );
        (
            Just(slots),
            proptest::collection::vec(section, slots..=slots * 3),
            proptest::collection::vec(person, people..=people),
            proptest::option::weighted(0.2, (0..people, 0..courses)),
        )
            .prop_map(|(slots, sections, people, required)| Tiny {
                slots,
                sections,
                people,
                required,
            })
    })
}

fn build(t: &Tiny) -> Option<Instance> {
    let mut b = InstanceBuilder::new();
    for s in 0..t.slots {
        b.slot(&s.to_string());
    }
    let n_courses = t.sections.iter().map(|s| s.0).max().unwrap_or(0) + 1;
    let courses: Vec<usize> = (0..n_courses.max(5))
        .map(|c| b.course(&format!("C{c}"), ""))
        .collect();
    let mut people = Vec::new();
    for (i, (ranked, absent)) in t.people.iter().enumerate() {
        let p = b.person(&format!("P{i}"));
        let mut seen = Vec::new();
        for &c in ranked {
            if !seen.contains(&c) {
                seen.push(c);
                b.rank(p, courses[c], seen.len() as u16).ok()?;
            }
        }
        if let Some(a) = absent {
            b.absent(p, *a);
        }
        people.push(p);
    }
    let mut fac = 0;
    for (i, &(c, slot, cap, has_fac)) in t.sections.iter().enumerate() {
        let f = if has_fac {
            fac += 1;
            vec![format!("F{fac}")]
        } else {
            vec![]
        };
        b.section(&format!("S{i}"), courses[c], slot, cap, f).ok()?;
    }
    if let Some((p, c)) = t.required {
        b.require(people[p], courses[c]);
    }
    b.build(true).ok()
}

/// Exhaustive minimum of the weighted objective, or `None` when infeasible.
fn brute_force(inst: &Instance, costs: &Costs) -> Option<i128> {
    let nt = inst.n_slots();
    let slots: Vec<(usize, usize)> = (0..inst.people().len())
        .flat_map(|p| (0..nt).map(move |t| (p, t)))
        .filter(|&(p, t)| inst.is_seated(p, t))
        .collect();
    let mut load = vec![0u32; inst.sections().len()];
    let mut taken: Vec<Vec<usize>> = (0..inst.people().len())
        .map(|p| {
            (0..nt)
                .filter_map(|t| inst.leads(p, t).map(|s| inst.sections()[s].course()))
                .collect()
        })
        .collect();
    let mut best = None;
    #[expect(
        clippy::too_many_arguments,
        reason = "a plain recursive enumeration reads best flat"
    )]
    fn go(
        i: usize,
        acc: i128,
        slots: &[(usize, usize)],
        inst: &Instance,
        costs: &Costs,
        load: &mut [u32],
        taken: &mut [Vec<usize>],
        best: &mut Option<i128>,
    ) {
        if best.is_some_and(|b| acc >= b) {
            return;
        }
        let Some(&(p, t)) = slots.get(i) else {
            let reqs_met = (0..inst.people().len()).all(|q| {
                inst.people()[q]
                    .required()
                    .iter()
                    .all(|c| taken[q].contains(c))
            });
            if reqs_met {
                *best = Some(acc);
            }
            return;
        };
        for &s in inst.slot_sections(t) {
            let sec = &inst.sections()[s];
            let c = sec.course();
            if load[s] >= sec.capacity() || taken[p].contains(&c) || !inst.may_take(p, c) {
                continue;
            }
            load[s] += 1;
            taken[p].push(c);
            go(
                i + 1,
                acc + i128::from(costs.of(inst, p, c)),
                slots,
                inst,
                costs,
                load,
                taken,
                best,
            );
            taken[p].pop();
            load[s] -= 1;
        }
    }
    if slots.is_empty() {
        return Some(0);
    }
    go(0, 0, &slots, inst, costs, &mut load, &mut taken, &mut best);
    best
}

fn run(inst: &Instance, m: Mechanism, seed: u64) -> Option<waypoint_assign::Outcome> {
    let opts = SolveOptions {
        mechanism: m,
        seed,
        ..SolveOptions::default()
    };
    solve(inst, &opts, &mut |_| {}).ok()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn optimal_matches_brute_force_and_beats_baselines(t in tiny(4), seed in 0u64..1000) {
        let Some(inst) = build(&t) else { return Ok(()) };
        let costs = Costs::new(&inst, RankCost::Squared);
        let brute = brute_force(&inst, &costs);
        let opt = run(&inst, Mechanism::Optimal, seed);
        match (&brute, &opt) {
            (None, None) => {}
            (None, Some(o)) => prop_assert!(false, "optimal found {:?} on an infeasible instance", o.objective),
            (Some(b), None) => prop_assert!(false, "optimal failed on a feasible instance (brute force {b})"),
            (Some(b), Some(o)) => {
                prop_assert!(o.assignment.violations(&inst).is_empty(), "{:?}", o.assignment.violations(&inst));
                prop_assert_eq!(o.objective.weighted, *b);
                let bound = o.bound.expect("optimal has a bound");
                prop_assert!(bound.lower <= *b);
            }
        }
        for m in [Mechanism::Fcfs, Mechanism::Rsd] {
            if let Some(o) = run(&inst, m, seed) {
                prop_assert!(o.assignment.violations(&inst).is_empty(), "{:?}: {:?}", m, o.assignment.violations(&inst));
                let b = brute.expect("a mechanism found an assignment, so one exists");
                prop_assert!(b <= o.objective.weighted);
            }
        }
    }

}

proptest! {
    // Each case solves a 60-person day three ways; fewer cases keep the debug suite quick.
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn every_mechanism_is_feasible_and_optimal_is_best(seed in 0u64..10_000) {
        let spec = waypoint_assign::generate::Spec {
            people: 60, slots: 3, sections: 12, courses: 9, facilitators: 10,
            capacity: (5, 30), ..waypoint_assign::generate::Spec::pd_day()
        };
        let inst = waypoint_assign::generate::generate(&spec, seed);
        // Small random days are occasionally infeasible (seats left only in courses people
        // already have); then no mechanism may claim an assignment the optimal one cannot find.
        let opt = run(&inst, Mechanism::Optimal, seed);
        for m in [Mechanism::Fcfs, Mechanism::Rsd] {
            let o = run(&inst, m, seed);
            match (&opt, o) {
                (Some(opt), Some(o)) => {
                    prop_assert!(o.assignment.violations(&inst).is_empty(), "{:?}", o.assignment.violations(&inst));
                    prop_assert!(opt.objective.weighted <= o.objective.weighted);
                }
                (None, Some(_)) => prop_assert!(false, "{:?} seated everyone but optimal did not", m),
                (_, None) => {}
            }
        }
        let Some(opt) = opt else { return Ok(()) };
        prop_assert!(opt.assignment.violations(&inst).is_empty());
        let b = opt.bound.expect("bound");
        prop_assert!(b.lower <= opt.objective.weighted);
    }

    #[test]
    fn same_seed_same_assignment(seed in 0u64..1000) {
        let spec = waypoint_assign::generate::Spec {
            people: 40, slots: 2, sections: 8, courses: 6, facilitators: 6,
            capacity: (5, 30), ..waypoint_assign::generate::Spec::pd_day()
        };
        let inst = waypoint_assign::generate::generate(&spec, seed);
        for m in [Mechanism::Optimal, Mechanism::Fcfs, Mechanism::Rsd] {
            let a = run(&inst, m, seed).map(|o| o.assignment);
            let b = run(&inst, m, seed).map(|o| o.assignment);
            prop_assert_eq!(a, b);
        }
    }
}
