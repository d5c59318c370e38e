//! The greedy mechanisms: first-come-first-served (each arrival takes their best still-open choice
//! slot by slot) and random serial dictatorship (each arrival takes their best still-feasible
//! bundle). Both seat required courses first, as a registration system does with pre-assignments,
//! and end with a repair that only moves people when someone could not be seated at all.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::assignment::Costs;
use crate::bundle::{BundleSolver, Choice};
use crate::improve::{Mode, improve_slot};
use crate::model::{Infeasibility, Instance, PersonIx, SectionIx, SlotIx};
use crate::state::{NONE, OVER, State};

/// The arrival order: the given one, or a shuffle seeded by `seed`.
pub(crate) fn arrival_order(
    inst: &Instance,
    seed: u64,
    given: Option<&[PersonIx]>,
) -> Vec<PersonIx> {
    match given {
        Some(o) => o.to_vec(),
        None => {
            let mut o: Vec<PersonIx> = (0..inst.people.len()).collect();
            o.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
            o
        }
    }
}

/// Sections per slot that still have a free seat, largest rooms first.
struct OpenSections {
    by_slot: Vec<Vec<SectionIx>>,
}

impl OpenSections {
    fn new(inst: &Instance) -> OpenSections {
        let by_slot = (0..inst.n_slots())
            .map(|t| {
                let mut v: Vec<SectionIx> = inst
                    .slot_sections(t)
                    .iter()
                    .copied()
                    .filter(|&s| inst.sections[s].capacity > 0)
                    .collect();
                v.sort_by_key(|&s| std::cmp::Reverse(inst.sections[s].capacity));
                v
            })
            .collect();
        OpenSections { by_slot }
    }
    fn refresh(&mut self, st: &State<'_>, t: SlotIx) {
        self.by_slot[t].retain(|&s| st.has_room(s));
    }
    /// Seat `p` in section `s` of slot `t` (or, with none, in the overflow the repair empties),
    /// keeping the open list current.
    fn seat(&mut self, st: &mut State<'_>, p: PersonIx, t: SlotIx, s: Option<SectionIx>) {
        match s {
            Some(s) => {
                st.place(p, t, s as u32);
                if !st.has_room(s) {
                    self.refresh(st, t);
                }
            }
            None => st.place(p, t, OVER),
        }
    }
    /// First open section in `t` that `p` may take and does not rank (ranked ones are offered
    /// separately), skipping courses in `skip`.
    fn unranked_for(
        &self,
        st: &State<'_>,
        p: PersonIx,
        t: SlotIx,
        skip: &[usize],
    ) -> Option<SectionIx> {
        let person = &st.inst.people[p];
        self.by_slot[t].iter().copied().find(|&s| {
            let c = st.inst.sections[s].course;
            st.has_room(s)
                && !skip.contains(&c)
                && person.rank_of(c).is_none()
                && st.allowed(p, c, t)
        })
    }
}

/// Seat everyone's required courses, in arrival order.
fn place_requirements(
    st: &mut State<'_>,
    order: &[PersonIx],
    solver: &mut BundleSolver,
) -> Result<(), Vec<Infeasibility>> {
    let inst = st.inst;
    let mut problems = Vec::new();
    for &p in order {
        let reqs: Vec<usize> = inst.open_requirements(p).collect();
        if reqs.is_empty() {
            continue;
        }
        let seated = st.seated_mask(p);
        solver.clear();
        for &c in &reqs {
            for t in (0..st.nt).filter(|&t| seated & (1 << t) != 0) {
                if let Some(&s) = inst
                    .course_sections_in(c, t)
                    .iter()
                    .find(|&&s| st.has_room(s) && inst.may_take(p, c))
                {
                    solver.push(Choice {
                        slot: t,
                        course: c,
                        section: s,
                        value: 0.0,
                    });
                }
            }
        }
        // A stand-in per slot lets the requirements take any subset of the slots.
        for t in (0..st.nt).filter(|&t| seated & (1 << t) != 0) {
            solver.push(Choice {
                slot: t,
                course: usize::MAX - t,
                section: usize::MAX,
                value: 0.0,
            });
        }
        if solver.solve(seated, &reqs).is_some() {
            for &(t, s) in &solver.bundle {
                if s != usize::MAX {
                    st.place(p, t, s as u32);
                }
            }
        } else {
            for &c in &reqs {
                problems.push(Infeasibility::RequiredNotReachable {
                    person: inst.people[p].id.clone(),
                    course: inst.courses[c].id.clone(),
                    why: "its sections filled before they could be placed",
                });
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Move people only as far as needed to seat those left unseated: chains of moves within a slot,
/// and new bundles for the unseated themselves.
pub(crate) fn repair(st: &mut State<'_>, costs: &Costs) {
    if !st.seat.contains(&OVER) {
        return;
    }
    let mut solver = BundleSolver::default();
    loop {
        let mut changed = false;
        for t in 0..st.nt {
            changed |= improve_slot(st, t, Mode::Repair, None).0;
        }
        changed |= crate::optimal::rebundle(st, costs, &mut solver, true);
        if !changed {
            changed = eject(st, costs, &mut solver);
        }
        if !changed || !st.seat.contains(&OVER) {
            break;
        }
    }
}

/// First come, first served.
pub(crate) fn fcfs<'a>(
    inst: &'a Instance,
    order: &[PersonIx],
    costs: &Costs,
) -> Result<State<'a>, Vec<Infeasibility>> {
    let mut st = State::new(inst);
    let mut solver = BundleSolver::default();
    place_requirements(&mut st, order, &mut solver)?;
    let mut open = OpenSections::new(inst);
    for &p in order {
        for t in 0..st.nt {
            if !inst.is_seated(p, t) || st.get(p, t) != NONE {
                continue;
            }
            let ranked = inst.people[p].ranked.iter().find_map(|&(c, _)| {
                if !st.allowed(p, c, t) {
                    return None;
                }
                inst.course_sections_in(c, t)
                    .iter()
                    .copied()
                    .find(|&s| st.has_room(s))
            });
            let s = ranked.or_else(|| open.unranked_for(&st, p, t, &[]));
            open.seat(&mut st, p, t, s);
        }
    }
    repair(&mut st, costs);
    Ok(st)
}

/// Serial dictatorship over bundles: each arrival takes the bundle minimising the sum of
/// `value(p, section)` among sections with a free seat. With rank costs this is random serial
/// dictatorship; the optimal mechanism also uses it, with prices added, for its first assignment.
pub(crate) fn serial<'a>(
    inst: &'a Instance,
    order: &[PersonIx],
    costs: &Costs,
    price: Option<&[f64]>,
) -> Result<State<'a>, Vec<Infeasibility>> {
    let mut st = State::new(inst);
    let mut solver = BundleSolver::default();
    place_requirements(&mut st, order, &mut solver)?;
    let mut open = OpenSections::new(inst);
    let value = |p: PersonIx, s: SectionIx| {
        costs.of(inst, p, inst.sections[s].course) as f64 + price.map_or(0.0, |pr| pr[s])
    };
    for &p in order {
        let free: u32 = (0..st.nt)
            .filter(|&t| inst.is_seated(p, t) && st.get(p, t) == NONE)
            .fold(0, |m, t| m | 1 << t);
        if free == 0 {
            continue;
        }
        solver.clear();
        for &(c, _) in &inst.people[p].ranked {
            for t in (0..st.nt).filter(|&t| free & (1 << t) != 0) {
                if !st.allowed(p, c, t) {
                    continue;
                }
                let best = inst
                    .course_sections_in(c, t)
                    .iter()
                    .copied()
                    .filter(|&s| st.has_room(s))
                    .map(|s| (value(p, s), s))
                    .min_by(|a, b| a.0.total_cmp(&b.0));
                if let Some((v, s)) = best {
                    solver.push(Choice {
                        slot: t,
                        course: c,
                        section: s,
                        value: v,
                    });
                }
            }
        }
        let mut found = solver.solve(free, &[]).is_some();
        if !found {
            let n_free = free.count_ones() as usize;
            for t in (0..st.nt).filter(|&t| free & (1 << t) != 0) {
                let mut skip = Vec::new();
                while skip.len() < n_free {
                    let Some(s) = open.unranked_for(&st, p, t, &skip) else {
                        break;
                    };
                    let c = inst.sections[s].course;
                    skip.push(c);
                    solver.push(Choice {
                        slot: t,
                        course: c,
                        section: s,
                        value: value(p, s),
                    });
                }
            }
            found = solver.solve(free, &[]).is_some();
        }
        if found {
            for &(t, s) in &solver.bundle {
                open.seat(&mut st, p, t, Some(s));
            }
        } else {
            // No full bundle is left: seat slot by slot and let the repair finish the job.
            for t in (0..st.nt).filter(|&t| free & (1 << t) != 0) {
                let s = open.unranked_for(&st, p, t, &[]).or_else(|| {
                    inst.people[p].ranked.iter().find_map(|&(c, _)| {
                        if !st.allowed(p, c, t) {
                            return None;
                        }
                        inst.course_sections_in(c, t)
                            .iter()
                            .copied()
                            .find(|&s| st.has_room(s))
                    })
                });
                open.seat(&mut st, p, t, s);
            }
        }
    }
    repair(&mut st, costs);
    Ok(st)
}

/// Seat `p` in their best bundle of sections with a free seat (unranked ones included); leaves
/// them unplaced and returns false when there is none.
fn roomy_bundle(st: &mut State<'_>, p: PersonIx, costs: &Costs, solver: &mut BundleSolver) -> bool {
    let inst = st.inst;
    let seated = st.seated_mask(p);
    let slots: Vec<SlotIx> = (0..st.nt).filter(|&t| seated & (1 << t) != 0).collect();
    let reqs: Vec<usize> = inst.open_requirements(p).collect();
    solver.clear();
    for t in slots.iter().copied() {
        let mut distinct_unranked = 0;
        for &s in inst.slot_sections(t) {
            let c = inst.sections[s].course;
            if !st.has_room(s) || !inst.may_take(p, c) || solver.has(c, t) {
                continue;
            }
            let ranked = inst.people[p].rank_of(c).is_some() || reqs.contains(&c);
            if !ranked {
                if distinct_unranked >= slots.len() {
                    continue;
                }
                distinct_unranked += 1;
            }
            solver.push(Choice {
                slot: t,
                course: c,
                section: s,
                value: costs.of(inst, p, c) as f64,
            });
        }
    }
    if solver.solve(seated, &reqs).is_none() {
        return false;
    }
    for &(t, s) in &solver.bundle.clone() {
        st.place(p, t, s as u32);
    }
    true
}

/// Seat one unseated person by taking a full section's seat from someone who can be given a
/// whole new bundle elsewhere.
fn eject(st: &mut State<'_>, costs: &Costs, solver: &mut BundleSolver) -> bool {
    let inst = st.inst;
    let Some(pos) = st.seat.iter().position(|&s| s == OVER) else {
        return false;
    };
    let (p, t) = (pos / st.nt, pos % st.nt);
    for &s in inst.slot_sections(t) {
        let c = inst.sections[s].course;
        if st.has_room(s) || !st.allowed(p, c, t) {
            continue;
        }
        let occupants: Vec<PersonIx> = (0..inst.people.len())
            .filter(|&q| q != p && inst.is_seated(q, t) && st.get(q, t) == s as u32)
            .collect();
        for q in occupants {
            if inst.open_requirements(q).any(|r| r == c) {
                continue;
            }
            let saved: Vec<(SlotIx, u32)> = (0..st.nt)
                .filter(|&u| inst.is_seated(q, u))
                .map(|u| (u, st.get(q, u)))
                .collect();
            for &(u, _) in &saved {
                st.unplace(q, u);
            }
            st.place(p, t, s as u32);
            if roomy_bundle(st, q, costs, solver) {
                return true;
            }
            st.place(p, t, OVER);
            for &(u, old) in &saved {
                st.place(q, u, old);
            }
        }
    }
    false
}
