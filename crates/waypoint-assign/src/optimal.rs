//! The optimal mechanism: an assignment and a certified lower bound from two Lagrangian
//! relaxations, of "never the same course twice" and of the section capacities.
//!
//! Without that rule the slots are independent, and each is a transportation problem (people →
//! sections with capacities) that [`SlotNet`] solves exactly. Pricing each (person, course) pair
//! that could repeat with a multiplier `λ ≥ 0` (free for required courses, whose rule is "exactly
//! once") gives, for any `λ`,
//!
//! ```text
//! L(λ) = Σ_slots min-cost-flow(cost + λ) − Σ λ  ≤  the optimum,
//! ```
//!
//! and the best `λ` reaches the linear-programming bound of the whole model. The multipliers are
//! found by projected subgradient ascent with Polyak steps; all costs are integers scaled by
//! [`SCALE`], so each bound is an exact integer rounded up, not a floating-point estimate.
//!
//! Each evaluation's section potentials (the capacity prices of the per-slot solutions) are also
//! scored in the capacity relaxation of [`crate::market`], where the rule holds exactly: that
//! bound is never below the multipliers' own, and between multiplier steps the prices climb on
//! their own there, a step costing one pass over everyone's choices instead of a min-cost flow
//! per slot.
//!
//! Before any of that, the prices climb on a smoothed version of the market ([`crate::smooth`]),
//! which needs no networks at all: first against the number of unranked placements, then against
//! the rank cost. On the 20,000-person conference that is where the bound and the assignments
//! come from; the multipliers follow only where it leaves a gap (on the 1,000-person day they
//! close the last few units).
//!
//! The objective is lexicographic, so the bound comes in two stages: first on the number of
//! unranked placements (ranked placements cost nothing), then on the rank cost of assignments
//! with no more unranked placements than the best one, where that count is priced by its own
//! multiplier `ν` rather than by the huge weight that makes the single weighted sum
//! lexicographic (with it the steps would be badly scaled).
//!
//! Assignments come from the same solutions, two ways: slots are fixed one after another at
//! `cost + λ`, a course taken in a fixed slot blocked in later ones; or each person's bundle at
//! some prices (drawn at the smoothed ones, the cheapest at the scored ones) says in which slot
//! they take a course that runs in several, the course is barred from their other slots, and the
//! slots are fixed on the true costs. Either way each slot
//! is then re-solved exactly with the others held (block coordinate descent on the true costs)
//! until none improves, and whole bundles are re-chosen person by person. The best assignment
//! found is kept; when the bound meets it, it is proven optimal; otherwise the gap is reported.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::assignment::Costs;
use crate::bundle::{BundleSolver, Choice};
use crate::exact;
use crate::market::{Market, Outcome};
use crate::model::{CourseIx, Infeasibility, Instance, PersonIx};
use crate::slotnet::{NO_PAIR, PairLookup, Prices, SCALE, SlotNet};
use crate::smooth::SmoothAscent;
use crate::state::{NONE, State};
use crate::{Progress, Tracker};

/// The bound a run of the optimal mechanism proved.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Proof {
    /// No feasible assignment has a smaller weighted objective.
    pub lower: i128,
}

/// The (person, course) pairs whose "at most once" (or, for required courses, "exactly once")
/// rule is priced.
struct Pairs {
    index: HashMap<(PersonIx, CourseIx), u32>,
    /// Whether the pair's rule is "exactly once" (a required course): its multiplier may be
    /// negative.
    required: Vec<bool>,
}

impl Pairs {
    fn new(inst: &Instance) -> Pairs {
        let mut index = HashMap::new();
        let mut required = Vec::new();
        for p in 0..inst.people.len() {
            let reqs: Vec<CourseIx> = inst.open_requirements(p).collect();
            let ranked = inst.people[p].ranked.iter().map(|&(c, _)| c);
            for c in ranked.chain(reqs.iter().copied()) {
                if index.contains_key(&(p, c)) || !inst.may_take(p, c) {
                    continue;
                }
                let is_required = reqs.contains(&c);
                let slots = (0..inst.n_slots())
                    .filter(|&t| inst.is_seated(p, t) && !inst.course_sections_in(c, t).is_empty())
                    .count();
                if slots >= 2 || is_required {
                    index.insert((p, c), required.len() as u32);
                    required.push(is_required);
                }
            }
        }
        Pairs { index, required }
    }
    fn len(&self) -> usize {
        self.required.len()
    }
}

impl PairLookup for Pairs {
    fn pair(&self, p: PersonIx, c: CourseIx) -> u32 {
        self.index.get(&(p, c)).copied().unwrap_or(NO_PAIR)
    }
}

/// Builds assignments from multipliers and keeps the best.
struct Primal<'a, 'p> {
    inst: &'a Instance,
    costs: &'a Costs,
    pairs: &'p Pairs,
    nets: Vec<SlotNet>,
    /// Per slot and person: served by explicit arcs instead of the pool.
    explicit: Vec<Vec<bool>>,
    best: Option<(State<'a>, i128)>,
    bundles: BundleSolver,
    runs: usize,
    /// The longest a run has taken: with a deadline, no run starts that would likely overrun it.
    run_time: Duration,
    /// The longest a run from bundles has taken (they skip the multipliers' networks).
    bundle_run_time: Duration,
    /// Consecutive runs that did not improve the best assignment.
    misses: u32,
}

impl<'a> Primal<'a, '_> {
    /// The true costs, scaled.
    fn true_prices(&self) -> Prices<'static> {
        Prices {
            rank_scale: SCALE,
            unranked: self.costs.unranked() * SCALE,
            lambda: None,
            lambda_mul: 1,
        }
    }

    /// Solve slot `t` of `st` at `prices` and write it back; rebuilds the slot with explicit
    /// arcs for anyone the pool could not place. `false` when the slot cannot be filled.
    fn fill_slot(
        &mut self,
        st: &mut State<'a>,
        t: usize,
        prices: &Prices<'_>,
        must: &dyn Fn(&State<'_>, PersonIx) -> Option<CourseIx>,
        barred: &dyn Fn(PersonIx, CourseIx) -> bool,
    ) -> bool {
        loop {
            let net = &mut self.nets[t];
            let held: &State<'_> = st;
            net.set_assign_costs(self.inst, held, prices, &|p| must(held, p), barred);
            if net.solve().is_none() {
                return false;
            }
            match net.extract(st) {
                Err(()) => return false,
                Ok(unmatched) if unmatched.is_empty() => return true,
                Ok(unmatched) => {
                    for p in unmatched {
                        self.explicit[t][p] = true;
                    }
                    let explicit = &self.explicit[t];
                    self.nets[t] =
                        SlotNet::build(self.inst, self.costs, t, self.pairs, &|p| explicit[p]);
                }
            }
        }
    }

    /// An assignment from the bound's current solution: starting from the bound's networks
    /// (warm), slots are fixed in `order` at `prices`, then improved on the true costs.
    fn run(
        &mut self,
        from: &[SlotNet],
        prices: &Prices<'_>,
        order: &[usize],
        deadline: Option<Instant>,
    ) {
        self.nets.clone_from_slice(from);
        self.fix(prices, &[], order, deadline);
    }

    /// An assignment from the bundles people chose at some section prices (`choice`, per person
    /// and slot): a course someone's bundle takes in one slot is barred from their other slots,
    /// and the slots are fixed in `order` on the true costs, then improved.
    fn run_bundles(&mut self, choice: &[u32], order: &[usize], deadline: Option<Instant>) {
        let prices = self.true_prices();
        self.fix(&prices, choice, order, deadline);
    }

    /// Fix the slots in `order` at `prices`, keeping each person's courses where `choice` (when
    /// not empty) puts them; then improve on the true costs and keep the result if it is best.
    fn fix(
        &mut self,
        prices: &Prices<'_>,
        choice: &[u32],
        order: &[usize],
        deadline: Option<Instant>,
    ) {
        let started = Instant::now();
        let expected = if choice.is_empty() {
            self.run_time
        } else {
            self.bundle_run_time
        };
        if deadline.is_some_and(|d| started >= d || (self.best.is_some() && started + expected > d))
        {
            return;
        }
        self.runs += 1;
        let inst = self.inst;
        let nt = inst.n_slots();
        let mut st = State::new(inst);
        let mut ok = true;
        for (k, &t) in order.iter().enumerate() {
            let later = &order[k + 1..];
            // A required course must be taken here when no later slot offers it.
            let must = |st: &State<'_>, p: PersonIx| {
                inst.open_requirements(p).find(|&c| {
                    !st.holds_elsewhere(p, c, t)
                        && !later.iter().any(|&u| {
                            inst.is_seated(p, u)
                                && inst
                                    .course_sections_in(c, u)
                                    .iter()
                                    .any(|&s| inst.sections[s].capacity > 0)
                        })
                })
            };
            let barred = |p: PersonIx, c: CourseIx| {
                !choice.is_empty()
                    && (0..nt).any(|u| {
                        let s = choice[p * nt + u];
                        u != t && s != NONE && inst.sections[s as usize].course == c
                    })
            };
            if !self.fill_slot(&mut st, t, prices, &must, &barred) {
                ok = false;
                break;
            }
        }
        if ok {
            let mut obj = objective_of(&st, self.costs);
            self.descend(&mut st, &mut obj, deadline);
            self.keep(st, obj);
        } else {
            self.misses += 1;
        }
        self.run_time = self.run_time.max(started.elapsed());
        if !choice.is_empty() {
            self.bundle_run_time = self.bundle_run_time.max(started.elapsed());
        }
    }

    /// Block coordinate descent on the true costs (each slot re-solved exactly with the others
    /// held), then whole-bundle moves, until neither improves.
    fn descend(&mut self, st: &mut State<'a>, obj: &mut i128, deadline: Option<Instant>) {
        let inst = self.inst;
        let prices = self.true_prices();
        loop {
            let before = *obj;
            for t in 0..inst.n_slots() {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    return;
                }
                // Required courses not held in another slot have to stay (or be placed) here.
                let must_here = |st: &State<'_>, p: PersonIx| {
                    inst.open_requirements(p)
                        .find(|&c| !st.holds_elsewhere(p, c, t))
                };
                let saved = st.clone();
                if !self.fill_slot(st, t, &prices, &must_here, &|_, _| false) {
                    *st = saved;
                    continue;
                }
                let now = objective_of(st, self.costs);
                if now > *obj {
                    *st = saved;
                } else {
                    *obj = now;
                }
            }
            if rebundle(st, self.costs, &mut self.bundles, false) {
                *obj = objective_of(st, self.costs);
            }
            if *obj >= before {
                return;
            }
        }
    }

    fn keep(&mut self, st: State<'a>, obj: i128) {
        if st.finish().is_err() {
            self.misses += 1;
            return;
        }
        if self.best.as_ref().is_none_or(|(_, b)| obj < *b) {
            self.best = Some((st, obj));
            self.misses = 0;
        } else {
            self.misses += 1;
        }
    }

    /// The best assignment's (unranked placements, rank cost).
    fn best_split(&self) -> Option<(i128, i128)> {
        let m = i128::from(self.costs.unranked());
        self.best.as_ref().map(|(_, b)| (b / m, b % m))
    }
}

/// Network cost units per unranked placement while bounding their number: multipliers have a
/// resolution of 1/256 of a placement.
const UNRANKED_SCALE: i64 = 256;
/// Iterations without a better bound before the step size is halved.
const PATIENCE: usize = 20;

/// Which part of the lexicographic objective a run of the ascent bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// The number of unranked placements (ranked placements cost nothing).
    Unranked,
    /// The rank cost of assignments with no more unranked placements than the best one; the
    /// unranked count is priced by its own multiplier `ν`.
    RankCost,
}

/// Section prices climbing on their own in the capacity relaxation ([`crate::market`]), between
/// the multiplier steps.
struct PriceAscent {
    price: Vec<i64>,
    price_f: Vec<f64>,
    grad: Vec<f64>,
    theta: f64,
    stall: usize,
    best: i128,
}

impl PriceAscent {
    /// Start again from `price`.
    fn reset(&mut self, price: Vec<i64>) {
        self.price_f = price.iter().map(|&p| p as f64).collect();
        self.grad.resize(price.len(), 0.0);
        self.price = price;
        self.theta = 1.0;
        self.stall = 0;
        self.best = i128::MIN;
    }
}

/// The multipliers and the networks that evaluate the Lagrangian, and the market that scores the
/// networks' section prices.
struct Ascent<'a, 'p> {
    pairs: &'p Pairs,
    nets: Vec<SlotNet>,
    market: Market<'a>,
    outcome: Outcome,
    /// Section prices of the networks' current solutions.
    net_price: Vec<i64>,
    /// The longest one evaluation of all the networks has taken.
    net_time: Duration,
    prices: PriceAscent,
    /// Price steps per multiplier step.
    price_steps: usize,
    lam: Vec<i64>,
    lam_f: Vec<f64>,
    count: Vec<i32>,
    /// Multiplier of "no more unranked placements than the best assignment" (scaled).
    nu: f64,
    max_rank_cost: i64,
    unranked_weight: i64,
    /// The first stage's bound on unranked placements, once known (for progress reports).
    unranked_floor: i128,
}

/// The outcome of one stage of the ascent.
struct StageBound {
    /// Best bound found (objective units, rounded up).
    lower: i128,
    /// The multipliers of the iteration that gave it.
    lam: Vec<i64>,
    nu: i64,
    /// Everyone's bundle at the section prices that gave it.
    choice: Vec<u32>,
}

impl Ascent<'_, '_> {
    /// Score `price` in the capacity relaxation at this stage's costs: the bound in objective
    /// units (rounded up), with the bundles left in `self.outcome`; `None` when someone has no
    /// bundle at all.
    fn score(
        &mut self,
        stage: Stage,
        price: &[i64],
        prices: &Prices<'_>,
        u_star: Option<i128>,
    ) -> Option<i128> {
        self.market
            .evaluate(price, prices, &mut self.outcome)
            .ok()?;
        let mut total = self.outcome.total;
        if stage == Stage::RankCost {
            total -= i128::from(prices.unranked) * u_star.unwrap_or(0);
        }
        Some(div_ceil(total, Self::scale(stage)))
    }

    /// `steps` steps of projected subgradient ascent on the section prices alone (at the
    /// current `ν`), towards `ub`; `best` is raised when one of them bounds better.
    fn price_steps(
        &mut self,
        stage: Stage,
        prices: &Prices<'_>,
        u_star: Option<i128>,
        ub: i128,
        best: &mut StageBound,
        (steps, deadline): (usize, Option<Instant>),
    ) {
        let inst = self.market.inst();
        let scale = Self::scale(stage);
        for _ in 0..steps {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return;
            }
            let price = std::mem::take(&mut self.prices.price);
            let lb = self.score(stage, &price, prices, u_star);
            self.prices.price = price;
            let Some(lb) = lb else {
                return;
            };
            if lb > best.lower {
                best.lower = lb;
                best.choice.clone_from(&self.outcome.choice);
            }
            let pa = &mut self.prices;
            if lb > pa.best {
                pa.best = lb;
                pa.stall = 0;
            } else {
                pa.stall += 1;
                if pa.stall >= PATIENCE / 2 {
                    pa.theta *= 0.7;
                    pa.stall = 0;
                }
            }
            let mut norm2 = 0.0;
            for (s, sec) in inst.sections.iter().enumerate() {
                let x = f64::from(self.outcome.demand[s]) - f64::from(sec.capacity);
                let g = if pa.price_f[s] <= 0.0 && x < 0.0 {
                    0.0
                } else {
                    x
                };
                pa.grad[s] = g;
                norm2 += g * g;
            }
            if norm2 == 0.0 || pa.theta < 1e-3 {
                return;
            }
            let step = pa.theta * ((ub - lb).max(1) * scale) as f64 / norm2;
            for s in 0..pa.price.len() {
                pa.price_f[s] = (pa.price_f[s] + step * pa.grad[s]).max(0.0);
                pa.price[s] = pa.price_f[s].round() as i64;
            }
        }
    }

    fn prices<'l>(&self, stage: Stage, lam: &'l [i64], nu: i64) -> Prices<'l> {
        match stage {
            Stage::Unranked => Prices {
                rank_scale: 0,
                unranked: UNRANKED_SCALE,
                lambda: Some(lam),
                lambda_mul: 1,
            },
            Stage::RankCost => Prices {
                rank_scale: SCALE,
                unranked: nu,
                lambda: Some(lam),
                lambda_mul: 1,
            },
        }
    }

    /// Prices for building an assignment from this stage's solution: the second stage prices
    /// unranked placements at `ν`, which trades them for rank cost; assignments must not, so they
    /// are fixed at the true unranked weight.
    fn fixing_prices<'l>(&self, stage: Stage, lam: &'l [i64], nu: i64) -> Prices<'l> {
        match stage {
            Stage::Unranked => self.prices(stage, lam, nu),
            Stage::RankCost => Prices {
                unranked: self.unranked_weight * SCALE,
                ..self.prices(stage, lam, nu)
            },
        }
    }

    /// Re-solve the relaxation at a stage's best multipliers and build one more assignment from
    /// it; `Err(slot)` when a slot cannot seat everyone.
    fn assign_at(
        &mut self,
        stage: Stage,
        bound: &StageBound,
        primal: &mut Primal<'_, '_>,
        order: &[usize],
        deadline: Option<Instant>,
    ) -> Result<(), usize> {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Ok(());
        }
        let prices = self.prices(stage, &bound.lam, bound.nu);
        for net in &mut self.nets {
            net.set_costs(&prices);
            net.solve().ok_or(net.t)?;
        }
        let fixing = self.fixing_prices(stage, &bound.lam, bound.nu);
        primal.run(&self.nets, &fixing, order, deadline);
        if !bound.choice.is_empty() {
            primal.run_bundles(&bound.choice, order, deadline);
        }
        Ok(())
    }

    /// The largest multiplier magnitude worth having at this stage: beyond it the priced arc is
    /// never used and the bound only loses.
    fn cap(&self, stage: Stage) -> f64 {
        match stage {
            Stage::Unranked => UNRANKED_SCALE as f64,
            Stage::RankCost => self.nu + (self.max_rank_cost * SCALE) as f64,
        }
    }

    /// Network cost units per objective unit at this stage.
    fn scale(stage: Stage) -> i128 {
        match stage {
            Stage::Unranked => i128::from(UNRANKED_SCALE),
            Stage::RankCost => i128::from(SCALE),
        }
    }

    /// Projected subgradient ascent for one stage; assignments are built along the way.
    fn run(
        &mut self,
        stage: Stage,
        primal: &mut Primal<'_, '_>,
        orders: &[Vec<usize>],
        deadline: Option<Instant>,
        tracker: &mut Tracker<'_>,
    ) -> Result<StageBound, usize> {
        let n = self.pairs.len();
        let mut best = StageBound {
            lower: i128::MIN,
            lam: self.lam.clone(),
            nu: self.nu.round() as i64,
            choice: Vec::new(),
        };
        // The second stage starts from the first stage's multipliers: smaller steps.
        let mut theta = match stage {
            Stage::Unranked => 1.0f64,
            Stage::RankCost if self.lam.iter().all(|&l| l == 0) => 1.0,
            Stage::RankCost => 0.25,
        };
        let mut stall = 0usize;
        let mut last_primal = 0usize;
        let mut stage_runs = 0usize;
        let nu_max = (self.unranked_weight * SCALE) as f64;
        for iter in 0usize.. {
            let started = Instant::now();
            if (iter > 0 || primal.best.is_some()) && deadline.is_some_and(|d| started >= d) {
                return Ok(best);
            }
            let nu = self.nu.round() as i64;
            let prices = self.prices(stage, &self.lam, nu);
            // A stage's first evaluation starts from the previous stage's flows at very
            // different costs and takes about three times as long as later ones; it is worth
            // it only with time left to build an assignment from it.
            let need = if iter == 0 {
                self.net_time * 3 + primal.run_time
            } else {
                self.net_time
            };
            if primal.best.is_some() && deadline.is_some_and(|d| started + need > d) {
                // No time for the networks (again): what is left goes to the prices, which step
                // in far smaller units of time, and to one assignment from the bundles they
                // choose when there is time for it.
                if let Some(d) = deadline
                    && let Some((u_best, _)) = primal.best_split()
                {
                    if iter == 0 {
                        self.prices.reset(vec![0; self.net_price.len()]);
                    }
                    let flat = Prices {
                        lambda: None,
                        ..prices
                    };
                    let ub = |primal: &Primal<'_, '_>| {
                        primal.best_split().map_or(i128::MAX, |(u, r)| match stage {
                            Stage::Unranked => u,
                            Stage::RankCost => r,
                        })
                    };
                    let for_prices = d.checked_sub(primal.run_time * 5 / 4).filter(|_| iter == 0);
                    if let Some(until) = for_prices {
                        let top = ub(primal);
                        self.price_steps(
                            stage,
                            &flat,
                            Some(u_best),
                            top,
                            &mut best,
                            (usize::MAX, Some(until)),
                        );
                        if best.lower < top && !best.choice.is_empty() {
                            primal.run_bundles(&best.choice, &orders[0], deadline);
                        }
                    }
                    let top = ub(primal);
                    self.price_steps(
                        stage,
                        &flat,
                        Some(u_best),
                        top,
                        &mut best,
                        (usize::MAX, deadline),
                    );
                }
                return Ok(best);
            }
            self.count.fill(0);
            let mut total: i128 = 0;
            let mut unranked: i64 = 0;
            for net in &mut self.nets {
                net.set_costs(&prices);
                total += net.solve().ok_or(net.t)?;
                unranked += net.count_pairs(&mut self.count);
            }
            self.net_time = self.net_time.max(started.elapsed());
            total -= self.lam.iter().map(|&l| i128::from(l)).sum::<i128>();
            let u_star = primal.best_split().map(|(u, _)| u);
            if stage == Stage::RankCost {
                total -= i128::from(nu) * u_star.unwrap_or(0);
            }
            let scale = Self::scale(stage);
            // The networks' section prices, scored where "never the same course twice" holds
            // exactly, bound at least as well as the multipliers do.
            for net in &self.nets {
                net.section_prices(&mut self.net_price);
            }
            let flat = Prices {
                lambda: None,
                ..prices
            };
            let net_price = std::mem::take(&mut self.net_price);
            let scored = self.score(stage, &net_price, &flat, u_star);
            self.net_price = net_price;
            let lb = div_ceil(total, scale).max(scored.unwrap_or(i128::MIN));
            if lb > best.lower {
                best = StageBound {
                    lower: lb,
                    lam: self.lam.clone(),
                    nu,
                    choice: if scored.is_some() {
                        self.outcome.choice.clone()
                    } else {
                        Vec::new()
                    },
                };
                stall = 0;
            } else {
                stall += 1;
            }
            if iter == 0 {
                // The prices' own ascent starts where the networks are.
                self.prices.reset(self.net_price.clone());
            }
            // Subgradient, projected: a pair at multiplier 0 whose rule has slack stays at 0.
            let g: Vec<i32> = (0..n)
                .map(|k| {
                    let x = self.count[k] - 1;
                    if !self.pairs.required[k] && self.lam_f[k] <= 0.0 && x < 0 {
                        0
                    } else {
                        x
                    }
                })
                .collect();
            let mut g_nu: f64 = match (stage, u_star) {
                (Stage::RankCost, Some(u)) => (i128::from(unranked) - u) as f64,
                _ => 0.0,
            };
            if self.nu <= 0.0 && g_nu < 0.0 {
                g_nu = 0.0;
            }
            let norm2: f64 = g.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>();
            // Build assignments now and then, less often while they stop improving (a rule on
            // iterations, not time, so that a seed always gives the same result).
            let interval = 10 << primal.misses.min(3);
            let due = iter == 0 || (norm2 == 0.0 && g_nu == 0.0) || iter - last_primal >= interval;
            if due {
                last_primal = iter;
                let order = &orders[primal.runs % orders.len()];
                // Alternately from the bundles at the networks' prices and by fixing slots at
                // the multipliers.
                stage_runs += 1;
                if scored.is_some() && stage_runs % 2 == 1 {
                    let choice = std::mem::take(&mut self.outcome.choice);
                    primal.run_bundles(&choice, order, deadline);
                    self.outcome.choice = choice;
                } else {
                    let fixing = self.fixing_prices(stage, &self.lam, nu);
                    primal.run(&self.nets, &fixing, order, deadline);
                }
            }
            let Some((u_best, r_best)) = primal.best_split() else {
                return Ok(best);
            };
            let ub = match stage {
                Stage::Unranked => u_best,
                Stage::RankCost => r_best,
            };
            if best.lower < ub {
                let u_star = primal.best_split().map(|(u, _)| u);
                self.price_steps(
                    stage,
                    &flat,
                    u_star,
                    ub,
                    &mut best,
                    (self.price_steps, deadline),
                );
            }
            tracker.report(Progress {
                phase: match stage {
                    Stage::Unranked => "bounding unranked placements",
                    Stage::RankCost => "bounding rank cost",
                },
                elapsed: Duration::ZERO,
                objective: primal.best.as_ref().map(|(_, b)| *b),
                // As a bound on the weighted objective, like the objective beside it.
                lower_bound: Some(match stage {
                    Stage::Unranked => {
                        (best.lower.max(0) * i128::from(self.unranked_weight)) as f64
                    }
                    Stage::RankCost => {
                        (self.unranked_floor * i128::from(self.unranked_weight) + best.lower.max(0))
                            as f64
                    }
                }),
            });
            if best.lower >= ub
                || (norm2 == 0.0 && g_nu == 0.0)
                || deadline.is_some_and(|d| Instant::now() >= d)
            {
                return Ok(best);
            }
            if stall >= PATIENCE {
                theta *= 0.5;
                stall = 0;
                self.lam_f = best.lam.iter().map(|&l| l as f64).collect();
                self.nu = best.nu as f64;
                if theta < 0.004 {
                    return Ok(best);
                }
            }
            let gap = (ub * scale - total).max(scale) as f64;
            // Polyak steps; the multiplier of the unranked count gets its own, so that its
            // (large) subgradient does not shrink everyone else's.
            let step = if norm2 > 0.0 {
                theta * gap / norm2
            } else {
                0.0
            };
            let cap = self.cap(stage);
            for (k, &gk) in g.iter().enumerate() {
                let lo = if self.pairs.required[k] { -cap } else { 0.0 };
                let v = (self.lam_f[k] + step * f64::from(gk)).clamp(lo, cap);
                self.lam_f[k] = v;
                self.lam[k] = v.round() as i64;
            }
            if stage == Stage::RankCost && g_nu != 0.0 {
                // The unranked count reacts steeply to its price: move it by at most a few
                // percent per step.
                let f = 1.0 + 0.05 * theta;
                self.nu = if g_nu > 0.0 { self.nu * f } else { self.nu / f }.clamp(1.0, nu_max);
            }
        }
        Ok(best)
    }
}

/// Solve to optimality or until `time_limit`; returns the best assignment and its proof.
pub(crate) fn optimal<'a>(
    inst: &'a Instance,
    costs: &'a Costs,
    seed: u64,
    time_limit: Option<Duration>,
    tracker: &mut Tracker<'_>,
) -> Result<(State<'a>, Proof), Vec<Infeasibility>> {
    let start = Instant::now();
    let deadline = time_limit.map(|d| start + d);
    let nt = inst.n_slots();
    let pairs = Pairs::new(inst);
    let nets: Vec<SlotNet> = (0..nt)
        .map(|t| SlotNet::build(inst, costs, t, &pairs, &|_| false))
        .collect();
    let max_rank_cost = inst
        .people
        .iter()
        .flat_map(|p| p.ranked.iter().map(|&(_, r)| costs.rank_cost().of(r)))
        .max()
        .unwrap_or(1);
    let mut ascent = Ascent {
        pairs: &pairs,
        nets,
        market: Market::new(inst, costs),
        outcome: Outcome::default(),
        net_price: vec![0; inst.sections.len()],
        net_time: Duration::ZERO,
        prices: PriceAscent {
            price: Vec::new(),
            price_f: Vec::new(),
            grad: Vec::new(),
            theta: 1.0,
            stall: 0,
            best: i128::MIN,
        },
        // A price step costs about one pass over everyone's choices; a multiplier step, a
        // min-cost flow per slot, which grows faster than that.
        price_steps: (inst.placements_needed() / 2_000).clamp(1, 40),
        lam: vec![0; pairs.len()],
        lam_f: vec![0.0; pairs.len()],
        count: vec![0; pairs.len()],
        nu: (4 * max_rank_cost * SCALE) as f64,
        max_rank_cost,
        unranked_weight: costs.unranked(),
        unranked_floor: 0,
    };
    let mut primal = Primal {
        inst,
        costs,
        pairs: &pairs,
        nets: Vec::new(),
        explicit: vec![vec![false; inst.people.len()]; nt],
        best: None,
        bundles: BundleSolver::default(),
        runs: 0,
        run_time: Duration::ZERO,
        bundle_run_time: Duration::ZERO,
        misses: 0,
    };
    primal.nets.clone_from(&ascent.nets);
    let orders = slot_orders(nt, seed);
    let unseatable = |t: usize| {
        vec![Infeasibility::Unseatable {
            slot: inst.slots[t].clone(),
            people: 1,
        }]
    };

    // With a time limit, the first stage gets at most half of it.
    let deadline_a = time_limit.map(|d| start + d / 2);
    // The smoothed market bounds both stages first, building assignments as it goes; the
    // networks take over where it leaves a gap (they close it on small days).
    let smooth_unranked = smooth_unranked(
        &mut ascent.market,
        ascent.unranked_weight,
        deadline_a,
        tracker,
    );
    let mut lower_unranked = smooth_unranked.unwrap_or(0).max(0);
    let mut lower_rank = 0i128;
    if smooth_unranked.is_some() {
        ascent.unranked_floor = lower_unranked;
        lower_rank = smooth_rank_cost(&mut ascent, &mut primal, &orders, deadline, tracker).max(0);
    }
    if primal.best_split().is_none_or(|(u, _)| u > lower_unranked) {
        let bound_a = ascent
            .run(Stage::Unranked, &mut primal, &orders, deadline_a, tracker)
            .map_err(unseatable)?;
        if bound_a.lower > lower_unranked {
            // The rank-cost bound so far was for fewer unranked placements than any
            // assignment has.
            lower_unranked = bound_a.lower;
            lower_rank = 0;
        }
        ascent.unranked_floor = lower_unranked;
        let time_left = deadline.is_none_or(|d| Instant::now() < d);
        // One more assignment from the best multipliers of the first stage, unless the best
        // one already meets its bound.
        if time_left && primal.best_split().is_some_and(|(u, _)| u > lower_unranked) {
            ascent
                .assign_at(
                    Stage::Unranked,
                    &bound_a,
                    &mut primal,
                    &orders[0],
                    deadline_a,
                )
                .map_err(unseatable)?;
        }
        // Start the second stage from the first stage's multipliers, converted from units of
        // one unranked placement to units of its price `ν`.
        let per = ascent.nu / UNRANKED_SCALE as f64;
        for k in 0..pairs.len() {
            ascent.lam_f[k] = bound_a.lam[k] as f64 * per;
            ascent.lam[k] = ascent.lam_f[k].round() as i64;
        }
    }
    let time_left = deadline.is_none_or(|d| Instant::now() < d);
    let open = |primal: &Primal<'_, '_>, lower_rank: i128| {
        primal
            .best_split()
            .is_some_and(|(u, r)| u > lower_unranked || r > lower_rank)
    };
    if time_left && open(&primal, lower_rank) {
        let bound_b = ascent
            .run(Stage::RankCost, &mut primal, &orders, deadline, tracker)
            .map_err(unseatable)?;
        lower_rank = lower_rank.max(bound_b.lower);
        if open(&primal, lower_rank) {
            ascent
                .assign_at(Stage::RankCost, &bound_b, &mut primal, &orders[0], deadline)
                .map_err(unseatable)?;
        }
    }
    let (mut st, ub) = match primal.best.take() {
        Some(best) => best,
        None => fallback(inst, costs, seed)?,
    };
    let m = i128::from(costs.unranked());
    // Any assignment has at least `lower_unranked` unranked placements; those with no more than
    // the best one's also have rank cost at least `lower_rank`, and those with more cost at least
    // one more unranked weight, which exceeds any rank cost.
    lower_unranked = lower_unranked.min(ub / m);
    let mut lower = lower_unranked * m + lower_rank.min(m - 1);
    if lower < ub
        && let Some(opt) = exact::solve_small(&mut st, costs, ub)
    {
        lower = lower.max(opt);
    }
    tracker.report(Progress {
        phase: "done",
        elapsed: Duration::ZERO,
        objective: Some(objective_of(&st, costs)),
        lower_bound: Some(lower as f64),
    });
    Ok((st, Proof { lower }))
}

/// At most this many steps of the smoothed ascent on the number of unranked placements, which
/// stops early after [`SMOOTH_UNRANKED_PATIENCE`] steps without a better bound.
const SMOOTH_UNRANKED_STEPS: usize = 60;
const SMOOTH_UNRANKED_PATIENCE: usize = 2;
/// Temperatures of that ascent relative to the second stage's: its costs count unranked
/// placements, one each, where the second stage's count rank costs, several units a rank step.
const SMOOTH_UNRANKED_TEMP: f64 = 1.0 / 256.0;

/// The first stage's bound from the smoothed capacity relaxation: the fewest unranked placements
/// (ranked placements cost nothing); `None` when someone has no bundle at all. At zero prices it
/// counts the slots people cannot fill with courses they ranked, which on the generated
/// conferences is already the minimum; where it is not, the networks' first stage follows.
fn smooth_unranked(
    market: &mut Market<'_>,
    unranked_weight: i64,
    deadline: Option<Instant>,
    tracker: &mut Tracker<'_>,
) -> Option<i128> {
    let sections = market.inst().sections.len();
    let mut smooth = SmoothAscent::new(sections, 0, 1.0, SMOOTH_UNRANKED_TEMP);
    let mut best = smooth.step(market, None)?;
    let mut since = 0;
    for _ in 1..SMOOTH_UNRANKED_STEPS {
        if since >= SMOOTH_UNRANKED_PATIENCE || deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let lower = smooth.step(market, None)?;
        if lower > best {
            best = lower;
            since = 0;
        } else {
            since += 1;
        }
    }
    tracker.report(Progress {
        phase: "bounding unranked placements",
        elapsed: Duration::ZERO,
        objective: None,
        lower_bound: Some((best.max(0) * i128::from(unranked_weight)) as f64),
    });
    Some(best)
}

/// Steps of the smoothed price ascent between assignments built from its bundles.
const SMOOTH_PRIMAL_EVERY: usize = 40;
/// Once cold, the smoothed ascent stops when this many steps raise the bound by less than
/// [`SMOOTH_MIN_GAIN`] of it.
const SMOOTH_WINDOW: usize = 50;
const SMOOTH_MIN_GAIN: f64 = 1e-5;

/// The second stage's bound from the smoothed capacity relaxation ([`crate::smooth`]), for
/// assignments with no more unranked placements than the first stage's bound; assignments are
/// built now and then from the bundles drawn at its prices, and once more at the end.
fn smooth_rank_cost(
    ascent: &mut Ascent<'_, '_>,
    primal: &mut Primal<'_, '_>,
    orders: &[Vec<usize>],
    deadline: Option<Instant>,
    tracker: &mut Tracker<'_>,
) -> i128 {
    let inst = ascent.market.inst();
    let u_star = ascent.unranked_floor;
    let mut smooth = SmoothAscent::new(inst.sections.len(), 1, ascent.nu / SCALE as f64, 1.0);
    let mut best = i128::MIN;
    let mut history: Vec<i128> = Vec::new();
    let ub = |primal: &Primal<'_, '_>| primal.best_split().map_or(i128::MAX, |(_, r)| r);
    let mut last_run = 0;
    let mut step_time = Duration::ZERO;
    for step in 1.. {
        let now = Instant::now();
        let run_time = if primal.bundle_run_time.is_zero() {
            primal.run_time
        } else {
            primal.bundle_run_time
        };
        // With time for one more assignment only: build it, unless the last one came from
        // nearly the same prices; then the steps go on for the bound alone.
        if deadline.is_some_and(|d| now + run_time * 5 / 4 >= d) {
            if primal.best.is_none() || step - last_run > SMOOTH_PRIMAL_EVERY / 4 {
                break;
            }
            if deadline.is_some_and(|d| now + step_time >= d) {
                return best;
            }
        }
        let Some(lower) = smooth.step(&mut ascent.market, Some(u_star)) else {
            break;
        };
        step_time = step_time.max(now.elapsed());
        best = best.max(lower);
        history.push(best);
        let time_to_run = deadline.is_none_or(|d| Instant::now() + run_time * 5 / 4 < d);
        if step % SMOOTH_PRIMAL_EVERY == 0 && time_to_run {
            let sample = smooth.sample().to_vec();
            primal.run_bundles(&sample, &orders[primal.runs % orders.len()], deadline);
            last_run = step;
        }
        tracker.report(Progress {
            phase: "bounding rank cost",
            elapsed: Duration::ZERO,
            objective: primal.best.as_ref().map(|(_, b)| *b),
            lower_bound: Some((u_star * i128::from(ascent.unranked_weight) + best.max(0)) as f64),
        });
        if best >= ub(primal) {
            return best;
        }
        let n = history.len();
        if smooth.is_cold()
            && n > SMOOTH_WINDOW
            && ((best - history[n - 1 - SMOOTH_WINDOW]) as f64) < SMOOTH_MIN_GAIN * best as f64
        {
            break;
        }
    }
    if best < ub(primal) && !smooth.sample().is_empty() {
        let sample = smooth.sample().to_vec();
        primal.run_bundles(&sample, &orders[primal.runs % orders.len()], deadline);
    }
    best
}

/// When no assignment came out of the multipliers (slot-by-slot fixing can paint itself into a
/// corner on small, tight days): the better of the two greedy mechanisms, or for a small day an
/// exhaustive search; otherwise the greedy mechanism's account of what cannot be seated.
fn fallback<'a>(
    inst: &'a Instance,
    costs: &Costs,
    seed: u64,
) -> Result<(State<'a>, i128), Vec<Infeasibility>> {
    let order = crate::greedy::arrival_order(inst, seed, None);
    let serial = crate::greedy::serial(inst, &order, costs, None);
    let fcfs = crate::greedy::fcfs(inst, &order, costs);
    let mut best: Option<(State<'a>, i128)> = None;
    let mut problems = Vec::new();
    for candidate in [serial, fcfs] {
        match candidate.map(|st| st.finish().map(|_| st)) {
            Ok(Ok(st)) => {
                let obj = objective_of(&st, costs);
                if best.as_ref().is_none_or(|(_, b)| obj < *b) {
                    best = Some((st, obj));
                }
            }
            Ok(Err(p)) | Err(p) => problems = p,
        }
    }
    if let Some(best) = best {
        return Ok(best);
    }
    let mut st = State::new(inst);
    if exact::solve_small(&mut st, costs, i128::MAX).is_some() && st.finish().is_ok() {
        let obj = objective_of(&st, costs);
        return Ok((st, obj));
    }
    Err(problems)
}

/// Slot orders for successive assignment attempts: forward, backward, then seeded rotations.
fn slot_orders(nt: usize, seed: u64) -> Vec<Vec<usize>> {
    let forward: Vec<usize> = (0..nt).collect();
    let mut out = vec![forward.clone(), forward.iter().rev().copied().collect()];
    for r in 1..nt {
        let k = (r + seed as usize) % nt;
        let mut o = forward.clone();
        o.rotate_left(k);
        if !out.contains(&o) {
            out.push(o);
        }
    }
    out
}

fn div_ceil(a: i128, b: i128) -> i128 {
    let q = a.div_euclid(b);
    if a.rem_euclid(b) == 0 { q } else { q + 1 }
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
