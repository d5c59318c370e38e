//! The optimal mechanism: a primal assignment improved to local optimality by exact per-slot
//! min-cost-flow steps and whole-bundle moves, and a certified lower bound from the Lagrangian
//! relaxation of the section capacities.
//!
//! Relaxing capacities with prices `π ≥ 0` splits the problem into one tiny problem per person (the
//! best bundle at `cost + π`, solved exactly by [`BundleSolver`]), so
//! `g(π) = Σ_p min_bundle (cost + π) − Σ_s π_s·cap_s` is a lower bound on the optimum for any `π`.
//! Its maximum equals the linear-programming bound. Prices start from the per-slot duals the
//! primal search leaves behind and are refined by projected subgradient steps (Polyak step sizes
//! against the best assignment). Costs are integers, so the bound is rounded up; when it meets the
//! assignment's objective the assignment is proven optimal, otherwise the gap is reported.

use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::assignment::Costs;
use crate::bundle::{BundleSolver, Choice};
use crate::exact;
use crate::greedy::serial;
use crate::improve::{Mode, improve_slot};
use crate::model::{Infeasibility, Instance, PersonIx, SectionIx};
use crate::state::{NONE, State};
use crate::{Progress, Tracker};

/// The bound a run of the optimal mechanism proved.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Proof {
    pub lower: f64,
}

/// Evaluate the Lagrangian `g(π)`; `demand` receives how many people's best bundles use each
/// section. `None` when someone has no bundle even without capacities (the instance is infeasible).
pub(crate) fn lagrangian(
    inst: &Instance,
    costs: &Costs,
    price: &[f64],
    demand: &mut [i64],
    solver: &mut BundleSolver,
) -> Option<f64> {
    demand.fill(0);
    let nt = inst.n_slots();
    let usable = |s: SectionIx| inst.sections[s].capacity > 0;
    let by_price: Vec<Vec<SectionIx>> = (0..nt)
        .map(|t| {
            let mut v: Vec<SectionIx> = inst
                .slot_sections(t)
                .iter()
                .copied()
                .filter(|&s| usable(s))
                .collect();
            v.sort_by(|&a, &b| price[a].total_cmp(&price[b]).then(a.cmp(&b)));
            v
        })
        .collect();
    let mut total = 0.0;
    let mut reqs = Vec::new();
    let mut seen = Vec::new();
    for p in 0..inst.people.len() {
        let seated = (0..nt)
            .filter(|&t| inst.is_seated(p, t))
            .fold(0u32, |m, t| m | 1 << t);
        if seated == 0 {
            continue;
        }
        reqs.clear();
        reqs.extend(inst.open_requirements(p));
        solver.clear();
        let person = &inst.people[p];
        for c in person
            .ranked
            .iter()
            .map(|&(c, _)| c)
            .chain(reqs.iter().copied())
        {
            if !inst.may_take(p, c) || solver.has_course(c) {
                continue;
            }
            let cost = costs.of(inst, p, c) as f64;
            for t in (0..nt).filter(|&t| seated & (1 << t) != 0) {
                let best = inst
                    .course_sections_in(c, t)
                    .iter()
                    .copied()
                    .filter(|&s| usable(s))
                    .min_by(|&a, &b| price[a].total_cmp(&price[b]));
                if let Some(s) = best {
                    solver.push(Choice {
                        slot: t,
                        course: c,
                        section: s,
                        value: cost + price[s],
                    });
                }
            }
        }
        let n_seated = seated.count_ones() as usize;
        let unranked = costs.unranked() as f64;
        for t in (0..nt).filter(|&t| seated & (1 << t) != 0) {
            seen.clear();
            for &s in &by_price[t] {
                let c = inst.sections[s].course;
                if seen.contains(&c)
                    || person.rank_of(c).is_some()
                    || reqs.contains(&c)
                    || !inst.may_take(p, c)
                {
                    continue;
                }
                seen.push(c);
                solver.push(Choice {
                    slot: t,
                    course: c,
                    section: s,
                    value: unranked + price[s],
                });
                if seen.len() >= n_seated {
                    break;
                }
            }
        }
        let v = solver.solve(seated, &reqs)?;
        total += v;
        for &(_, s) in &solver.bundle {
            demand[s] += 1;
        }
    }
    let charged: f64 = inst
        .sections
        .iter()
        .enumerate()
        .map(|(s, sec)| price[s] * f64::from(sec.capacity))
        .sum();
    Some(total - charged)
}

/// Re-choose each person's whole bundle among sections with a free seat (plus their own); catches
/// improvements that swap courses between slots, which the per-slot search cannot see.
pub(crate) fn rebundle(
    st: &mut State<'_>,
    costs: &Costs,
    solver: &mut BundleSolver,
    only_unseated: bool,
) -> bool {
    let inst = st.inst;
    let mut changed = false;
    for p in 0..inst.people.len() {
        let seated = st.seated_mask(p);
        if seated == 0 {
            continue;
        }
        let old: Vec<(usize, u32)> = (0..st.nt)
            .filter(|&t| seated & (1 << t) != 0)
            .map(|t| (t, st.get(p, t)))
            .collect();
        let old_cost: i64 = old
            .iter()
            .map(|&(_, s)| {
                if s == NONE || s == crate::state::OVER {
                    costs.overflow()
                } else {
                    costs.of(inst, p, inst.sections[s as usize].course)
                }
            })
            .sum();
        // Only people not at their ideal can gain.
        let ideal: i64 = {
            let mut r: Vec<i64> = inst.people[p]
                .ranked
                .iter()
                .map(|&(_, r)| costs.rank_cost().of(r))
                .collect();
            r.sort_unstable();
            r.iter().take(old.len()).sum()
        };
        let unseated = old
            .iter()
            .any(|&(_, s)| s == NONE || s == crate::state::OVER);
        if old_cost <= ideal || (only_unseated && !unseated) {
            continue;
        }
        for &(t, _) in &old {
            st.unplace(p, t);
        }
        solver.clear();
        let reqs: Vec<usize> = inst.open_requirements(p).collect();
        for c in inst.people[p]
            .ranked
            .iter()
            .map(|&(c, _)| c)
            .chain(reqs.iter().copied())
        {
            if !inst.may_take(p, c) || solver.has_course(c) {
                continue;
            }
            let v = costs.of(inst, p, c) as f64;
            for &(t, _) in &old {
                if let Some(&s) = inst
                    .course_sections_in(c, t)
                    .iter()
                    .find(|&&s| st.has_room(s))
                {
                    solver.push(Choice {
                        slot: t,
                        course: c,
                        section: s,
                        value: v,
                    });
                }
            }
        }
        // Keep the current seats available as options so the old bundle is always feasible.
        for &(t, s) in &old {
            if s != NONE && s != crate::state::OVER {
                let c = inst.sections[s as usize].course;
                if !solver.has(c, t) {
                    solver.push(Choice {
                        slot: t,
                        course: c,
                        section: s as usize,
                        value: costs.of(inst, p, c) as f64,
                    });
                }
            }
        }
        let better = solver
            .solve(seated, &reqs)
            .filter(|&v| v < old_cost as f64 - 0.5)
            .is_some();
        if better {
            let bundle = solver.bundle.clone();
            for (t, s) in bundle {
                st.place(p, t, s as u32);
            }
            changed = true;
        } else {
            for &(t, s) in &old {
                st.place(p, t, s);
            }
        }
    }
    changed
}

/// Run the local search to a fixed point; returns the last complete set of per-slot prices.
fn local_search(
    st: &mut State<'_>,
    costs: &Costs,
    deadline: Option<Instant>,
    tracker: &mut Tracker<'_>,
) -> Option<Vec<f64>> {
    let mut solver = BundleSolver::default();
    let mut prices = vec![0.0; st.inst.sections.len()];
    loop {
        let mut changed = false;
        let mut complete = true;
        for t in 0..st.nt {
            let (c, pr) = improve_slot(st, t, Mode::Full(costs), deadline);
            changed |= c;
            match pr {
                Some(pr) => {
                    for (s, v) in pr {
                        prices[s] = v;
                    }
                }
                None => complete = false,
            }
        }
        let obj = objective_of(st, costs);
        tracker.report(Progress {
            phase: "local search",
            elapsed: Duration::ZERO,
            objective: Some(obj),
            lower_bound: None,
        });
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return complete.then_some(prices);
        }
        changed |= rebundle(st, costs, &mut solver, false);
        if !changed {
            return complete.then_some(prices);
        }
    }
}

pub(crate) fn objective_of(st: &State<'_>, costs: &Costs) -> i128 {
    let mut total = 0i128;
    for p in 0..st.inst.people.len() {
        for t in 0..st.nt {
            if !st.inst.is_seated(p, t) {
                continue;
            }
            let s = st.get(p, t);
            total += i128::from(if s == NONE || s == crate::state::OVER {
                costs.overflow()
            } else {
                costs.of(st.inst, p, st.inst.sections[s as usize].course)
            });
        }
    }
    total
}

/// Solve to optimality or until `time_limit`; returns the best assignment and its proof.
/// Projected subgradient ascent on the Lagrangian from `price`, with Polyak steps against `ub`.
/// Keeps the best bound and its prices; stops after `iters`, at `deadline`, or when the bound
/// proves `ub` optimal.
struct Dual {
    best_lb: f64,
    best_price: Vec<f64>,
    demand: Vec<i64>,
    solver: BundleSolver,
}

impl Dual {
    #[expect(
        clippy::too_many_arguments,
        reason = "the ascent's inputs are independent; a struct would only rename them"
    )]
    fn ascend(
        &mut self,
        inst: &Instance,
        costs: &Costs,
        mut price: Vec<f64>,
        ub: i128,
        iters: usize,
        deadline: Option<Instant>,
        tracker: &mut Tracker<'_>,
    ) {
        let n_sec = inst.sections.len();
        let mut theta = 1.0f64;
        let mut since_best = 0;
        for it in 0..iters {
            if deadline.is_some_and(|d| Instant::now() >= d) || proven(self.best_lb, ub) {
                return;
            }
            let Some(g) = lagrangian(inst, costs, &price, &mut self.demand, &mut self.solver)
            else {
                return;
            };
            if g > self.best_lb + 1e-9 {
                self.best_lb = g;
                self.best_price.clone_from(&price);
                since_best = 0;
            } else {
                since_best += 1;
            }
            if it % 10 == 0 {
                tracker.report(Progress {
                    phase: "lower bound",
                    elapsed: Duration::ZERO,
                    objective: Some(ub),
                    lower_bound: Some(self.best_lb),
                });
            }
            if since_best >= 8 {
                theta *= 0.5;
                since_best = 0;
                price.clone_from(&self.best_price);
                if theta < 1e-3 {
                    return;
                }
                continue;
            }
            let subgradient: Vec<f64> = (0..n_sec)
                .map(|s| (self.demand[s] - i64::from(inst.sections[s].capacity)) as f64)
                .collect();
            let norm2: f64 = subgradient
                .iter()
                .zip(&price)
                .filter(|&(&sub, &pr)| pr > 0.0 || sub > 0.0)
                .map(|(&sub, _)| sub * sub)
                .sum();
            if norm2 == 0.0 {
                return;
            }
            let step = theta * ((ub as f64) - g).max(1.0) / norm2;
            for (pr, sub) in price.iter_mut().zip(&subgradient) {
                *pr = (*pr + step * sub).max(0.0);
            }
        }
    }
}

fn proven(lb: f64, ub: i128) -> bool {
    (lb - 1e-6).ceil() as i128 >= ub
}

/// Solve to optimality or until `time_limit`; returns the best assignment and its proof.
pub(crate) fn optimal<'a>(
    inst: &'a Instance,
    costs: &Costs,
    seed: u64,
    time_limit: Option<Duration>,
    tracker: &mut Tracker<'_>,
) -> Result<(State<'a>, Proof), Vec<Infeasibility>> {
    let start = Instant::now();
    let deadline = time_limit.map(|d| start + d);
    let mut order: Vec<PersonIx> = (0..inst.people.len()).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let n_sec = inst.sections.len();
    let mut dual = Dual {
        best_lb: f64::NEG_INFINITY,
        best_price: vec![0.0; n_sec],
        demand: vec![0; n_sec],
        solver: BundleSolver::default(),
    };

    // Candidate starts: the serial dictatorship with this seed's order (the rsd outcome) and
    // first-come-first-served with the same order; the search only improves on its start, so the
    // result is never worse than either mechanism.
    let mut st = serial(inst, &order, costs, None).unwrap_or_else(|_| State::new(inst));
    if let Ok(st2) = crate::greedy::fcfs(inst, &order, costs)
        && objective_of(&st2, costs) < objective_of(&st, costs)
    {
        st = st2;
    }
    // A first pass of the dual gives congestion prices; an assignment built at those prices is
    // usually a much better start than either greedy one.
    let ub0 = objective_of(&st, costs);
    dual.ascend(inst, costs, vec![0.0; n_sec], ub0, 40, deadline, tracker);
    if let Ok(st2) = serial(inst, &order, costs, Some(&dual.best_price))
        && objective_of(&st2, costs) < ub0
    {
        st = st2;
    }
    let prices = local_search(&mut st, costs, deadline, tracker);
    let incumbent = objective_of(&st, costs);
    if let Some(opt) = exact::solve_small(&mut st, costs, incumbent) {
        dual.best_lb = dual.best_lb.max(opt as f64);
    }
    st.finish()?;
    let mut ub = objective_of(&st, costs);

    // Refine the bound from the local search's per-slot prices, then from the best so far; when
    // the bound stalls, rebuild an assignment at the best prices and search again.
    if let Some(p) = prices {
        dual.ascend(inst, costs, p, ub, 200, deadline, tracker);
    }
    for _ in 0..2 {
        if proven(dual.best_lb, ub) || deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        if let Ok(mut st2) = serial(inst, &order, costs, Some(&dual.best_price)) {
            local_search(&mut st2, costs, deadline, tracker);
            let ub2 = objective_of(&st2, costs);
            if ub2 < ub && st2.finish().is_ok() {
                st = st2;
                ub = ub2;
            }
        }
        let from = dual.best_price.clone();
        dual.ascend(inst, costs, from, ub, 200, deadline, tracker);
    }
    tracker.report(Progress {
        phase: "done",
        elapsed: Duration::ZERO,
        objective: Some(ub),
        lower_bound: Some(dual.best_lb),
    });
    Ok((
        st,
        Proof {
            lower: dual.best_lb,
        },
    ))
}
