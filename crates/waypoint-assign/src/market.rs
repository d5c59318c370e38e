//! The capacity relaxation: every section gets a price, and each person on their own takes the
//! bundle (one section in every slot they attend, never a course twice, their required courses
//! included) that costs them least at those prices.
//!
//! For any prices `π ≥ 0`,
//!
//! ```text
//! L(π) = Σ_people min_bundle (cost + π) − Σ_sections π × capacity  ≤  the optimum,
//! ```
//!
//! because a feasible assignment pays at least its own cost plus prices on at most `capacity`
//! seats per section. The best prices reach the same linear-programming bound as the multipliers
//! of "never the same course twice" in [`crate::optimal`], but there are only as many prices as
//! sections, and evaluating them takes one small search per person instead of a min-cost flow per
//! slot. The section potentials of the per-slot networks are such prices, so every evaluation of
//! the other relaxation can also be scored here, where the no-repeat rule holds exactly.
//!
//! The bundles chosen at good prices also say, for each course someone ranked that runs in
//! several slots, in which slot they should take it: that is how assignments are built from
//! prices.
//!
//! The same search also gives the smoothed demand that [`crate::smooth`] climbs on: each person's
//! bundles within a few temperatures of their cheapest, weighted by `exp(−extra cost / T)`, and
//! one bundle drawn from them per person, in turn, each draw steering clear of sections the
//! earlier draws have filled (so the drawn bundles nearly fit, and they are what assignments are
//! built from).

use crate::assignment::Costs;
use crate::model::{Instance, PersonIx};
use crate::slotnet::Prices;
use crate::state::NONE;

/// The result of one evaluation.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outcome {
    /// `Σ min bundle − Σ π × capacity` (scaled).
    pub total: i128,
    /// Bundles using each section.
    pub demand: Vec<u32>,
    /// Chosen section per person and slot (`NONE` where not seated).
    pub choice: Vec<u32>,
}

/// A person's options in one slot during the search.
#[derive(Debug, Clone, Copy)]
struct Opt {
    cost: i64,
    section: u32,
    course: u32,
    unranked: bool,
}

/// Expected seats at smoothed prices: each person takes each of their bundles with probability
/// proportional to `exp(−cost / temperature)` (bundles dearer than their cheapest by more than
/// [`SOFT_CUT`] temperatures are left out, and any beyond the first [`SOFT_BUNDLES`] found).
#[derive(Debug, Clone, Default)]
pub(crate) struct Soft {
    /// Expected bundles using each section.
    pub demand: Vec<f64>,
    /// Per section, `Σ p × (1 − p)` over people: how much its demand moves per unit of price
    /// (times the temperature).
    pub spread: Vec<f64>,
    /// Expected unranked placements, and the sum of their variances per person.
    pub unranked: f64,
    pub unranked_spread: f64,
    /// One bundle per person drawn with those probabilities, laid out like [`Outcome::choice`],
    /// people in turn, each draw steering clear of sections the earlier ones have filled.
    pub sample: Vec<u32>,
}

/// How far (in temperatures) above a person's cheapest bundle the smoothed demand looks.
const SOFT_CUT: f64 = 7.0;
/// At most this many bundles per person enter the smoothed demand.
const SOFT_BUNDLES: usize = 300;

/// Weight factor of a full section in the draw.
const FULL_DISCOUNT: f64 = 1e-3;

/// Scratch of one person's smoothed demand.
#[derive(Debug, Default)]
struct SoftScratch {
    temp: f64,
    floor: i64,
    limit: i64,
    /// Weight per (seated slot, option).
    weight: Vec<Vec<f64>>,
    z: f64,
    u1: f64,
    u2: f64,
    leaves: usize,
    /// The drawn bundle's options, and the state of the draw.
    drawn: Vec<usize>,
    drawn_z: f64,
    /// Seats the bundles drawn so far take, per section.
    seats: Vec<u32>,
    rng: u64,
}

/// Each person's options, laid out flat, and the scratch space of the per-person search.
#[derive(Debug)]
pub(crate) struct Market<'a> {
    inst: &'a Instance,
    nt: usize,
    /// Options of (person, slot) `k = p × nt + t` are `start[k]..start[k + 1]`: sections of
    /// ranked or required courses.
    start: Vec<u32>,
    opt_section: Vec<u32>,
    opt_course: Vec<u32>,
    /// Placement cost in objective units (a rank cost; 0 for an unranked required course).
    opt_cost: Vec<i64>,
    /// Courses of person `p` that are ranked or required (never offered as unranked):
    /// `listed[listed_start[p]..listed_start[p + 1]]`.
    listed_start: Vec<u32>,
    listed: Vec<u32>,
    /// Open requirements of person `p`, laid out like `listed`.
    req_start: Vec<u32>,
    req: Vec<u32>,
    /// Sections with seats, per slot.
    slot_sections: Vec<Vec<u32>>,
    /// Per slot: sections ordered by price (rebuilt per evaluation).
    by_price: Vec<Vec<u32>>,
    /// Search scratch: options per seated slot.
    opts: Vec<Vec<Opt>>,
    slots: Vec<usize>,
    chosen: Vec<usize>,
    best: Vec<usize>,
    used: Vec<u32>,
    soft: SoftScratch,
}

impl<'a> Market<'a> {
    pub fn new(inst: &'a Instance, costs: &Costs) -> Market<'a> {
        let nt = inst.n_slots();
        let np = inst.people.len();
        let mut m = Market {
            inst,
            nt,
            start: Vec::with_capacity(np * nt + 1),
            opt_section: Vec::new(),
            opt_course: Vec::new(),
            opt_cost: Vec::new(),
            listed_start: Vec::with_capacity(np + 1),
            listed: Vec::new(),
            req_start: Vec::with_capacity(np + 1),
            req: Vec::new(),
            slot_sections: (0..nt)
                .map(|t| {
                    inst.slot_sections(t)
                        .iter()
                        .filter(|&&s| inst.sections[s].capacity > 0)
                        .map(|&s| s as u32)
                        .collect()
                })
                .collect(),
            by_price: vec![Vec::new(); nt],
            opts: vec![Vec::new(); nt],
            slots: Vec::new(),
            chosen: Vec::new(),
            best: Vec::new(),
            used: Vec::new(),
            soft: SoftScratch::default(),
        };
        for p in 0..np {
            m.listed_start.push(m.listed.len() as u32);
            m.req_start.push(m.req.len() as u32);
            let first = m.listed.len();
            let person = &inst.people[p];
            let reqs: Vec<usize> = inst.open_requirements(p).collect();
            for c in person
                .ranked
                .iter()
                .map(|&(c, _)| c)
                .chain(reqs.iter().copied())
            {
                if !m.listed[first..].contains(&(c as u32)) {
                    m.listed.push(c as u32);
                }
            }
            m.req.extend(reqs.iter().map(|&c| c as u32));
            for t in 0..nt {
                m.start.push(m.opt_section.len() as u32);
                if !inst.is_seated(p, t) {
                    continue;
                }
                for k in first..m.listed.len() {
                    let c = m.listed[k] as usize;
                    if !inst.may_take(p, c) {
                        continue;
                    }
                    let cost = costs.of(inst, p, c);
                    for &s in inst.course_sections_in(c, t) {
                        if inst.sections[s].capacity > 0 {
                            m.opt_section.push(s as u32);
                            m.opt_course.push(c as u32);
                            m.opt_cost.push(cost);
                        }
                    }
                }
            }
        }
        m.start.push(m.opt_section.len() as u32);
        m.listed_start.push(m.listed.len() as u32);
        m.req_start.push(m.req.len() as u32);
        m
    }

    pub fn inst(&self) -> &'a Instance {
        self.inst
    }

    /// Evaluate `price` (one per section, `≥ 0`, scaled like `pricing`): the bound and everyone's
    /// bundle. Multipliers in `pricing` do not apply: here the rule they price holds exactly. `Err(person)` when someone has no bundle at all.
    pub fn evaluate(
        &mut self,
        price: &[i64],
        pricing: &Prices<'_>,
        out: &mut Outcome,
    ) -> Result<(), PersonIx> {
        self.pass(price, pricing, out, None)
    }

    /// [`Market::evaluate`], and also the smoothed demand at `temperature` (scaled like the
    /// prices) into `soft`; `seed` drives the draw of each person's bundle.
    pub fn evaluate_soft(
        &mut self,
        price: &[i64],
        pricing: &Prices<'_>,
        (temperature, seed): (f64, u64),
        out: &mut Outcome,
        soft: &mut Soft,
    ) -> Result<(), PersonIx> {
        self.soft.temp = temperature;
        self.soft.rng = seed | 1;
        self.pass(price, pricing, out, Some(soft))
    }

    fn pass(
        &mut self,
        price: &[i64],
        pricing: &Prices<'_>,
        out: &mut Outcome,
        mut soft: Option<&mut Soft>,
    ) -> Result<(), PersonIx> {
        let inst = self.inst;
        let nt = self.nt;
        for t in 0..nt {
            let mut order = std::mem::take(&mut self.by_price[t]);
            order.clone_from(&self.slot_sections[t]);
            order.sort_by_key(|&s| (price[s as usize], s));
            self.by_price[t] = order;
        }
        out.demand.clear();
        out.demand.resize(inst.sections.len(), 0);
        out.choice.clear();
        out.choice.resize(inst.people.len() * nt, NONE);
        if let Some(soft) = soft.as_deref_mut() {
            soft.demand.clear();
            soft.demand.resize(inst.sections.len(), 0.0);
            soft.spread.clear();
            soft.spread.resize(inst.sections.len(), 0.0);
            soft.unranked = 0.0;
            soft.unranked_spread = 0.0;
            soft.sample.clear();
            soft.sample.resize(inst.people.len() * nt, NONE);
            self.soft.seats.clear();
            self.soft.seats.resize(inst.sections.len(), 0);
        }
        let mut total: i128 = 0;
        for p in 0..inst.people.len() {
            let cost = self.person(p, price, pricing).ok_or(p)?;
            total += i128::from(cost);
            for (k, &t) in self.slots.iter().enumerate() {
                let o = self.opts[k][self.best[k]];
                out.choice[p * nt + t] = o.section;
                out.demand[o.section as usize] += 1;
            }
            if let Some(soft) = soft.as_deref_mut() {
                self.smooth(p, cost, soft);
            }
        }
        for (s, sec) in inst.sections.iter().enumerate() {
            total -= i128::from(price[s]) * i128::from(sec.capacity);
        }
        out.total = total;
        Ok(())
    }

    fn is_listed(&self, p: PersonIx, c: u32) -> bool {
        let r = self.listed_start[p] as usize..self.listed_start[p + 1] as usize;
        self.listed[r].contains(&c)
    }

    /// The cheapest bundle of person `p`; its options are left in `opts`/`best` per seated slot.
    fn person(&mut self, p: PersonIx, price: &[i64], pricing: &Prices<'_>) -> Option<i64> {
        let inst = self.inst;
        let nt = self.nt;
        self.slots.clear();
        for t in 0..nt {
            if !inst.is_seated(p, t) {
                continue;
            }
            let k = self.slots.len();
            self.slots.push(t);
            let mut list = std::mem::take(&mut self.opts[k]);
            list.clear();
            let r = self.start[p * nt + t] as usize..self.start[p * nt + t + 1] as usize;
            for i in r {
                let s = self.opt_section[i];
                list.push(Opt {
                    cost: self.opt_cost[i] * pricing.rank_scale + price[s as usize],
                    section: s,
                    course: self.opt_course[i],
                    unranked: false,
                });
            }
            // Unranked: the cheapest sections of as many different courses as there are slots
            // (other slots can rule out at most all but one of them, so the best bundle is
            // among these).
            let want = nt;
            let mut found = 0;
            let first_unranked = list.len();
            for &s in &self.by_price[t] {
                let c = inst.sections[s as usize].course as u32;
                if self.is_listed(p, c)
                    || !inst.may_take(p, c as usize)
                    || list[first_unranked..].iter().any(|o| o.course == c)
                {
                    continue;
                }
                list.push(Opt {
                    cost: pricing.unranked + price[s as usize],
                    section: s,
                    course: c,
                    unranked: true,
                });
                found += 1;
                if found == want {
                    break;
                }
            }
            list.sort_by_key(|o| o.cost);
            self.opts[k] = list;
        }
        let m = self.slots.len();
        if m == 0 {
            self.best.clear();
            return Some(0);
        }
        if self.opts[..m].iter().any(|o| o.is_empty()) {
            return None;
        }
        // Fast path: the cheapest option in every slot, when they are different courses and
        // cover the requirements.
        self.chosen.clear();
        self.chosen.resize(m, 0);
        self.used.clear();
        let mut cost = 0i64;
        let mut clash = false;
        for k in 0..m {
            let o = self.opts[k][0];
            clash |= self.used.contains(&o.course);
            self.used.push(o.course);
            cost += o.cost;
        }
        let reqs = self.req_start[p] as usize..self.req_start[p + 1] as usize;
        if !clash && self.req[reqs.clone()].iter().all(|c| self.used.contains(c)) {
            self.best.clone_from(&self.chosen);
            return Some(cost);
        }
        // Otherwise a depth-first search with the sum of the remaining slots' cheapest options
        // as the bound.
        let mut rest = vec![0i64; m + 1];
        for k in (0..m).rev() {
            rest[k] = rest[k + 1] + self.opts[k][0].cost;
        }
        let mut best = i64::MAX;
        self.used.clear();
        self.search(0, 0, &rest, reqs, &mut best);
        (best < i64::MAX).then_some(best)
    }

    /// Add person `p`'s smoothed demand to `soft`, their cheapest bundle costing `floor` (its
    /// options still in `opts`).
    fn smooth(&mut self, p: PersonIx, floor: i64, soft: &mut Soft) {
        let m = self.slots.len();
        if m == 0 {
            return;
        }
        let mut sc = std::mem::take(&mut self.soft);
        sc.floor = floor;
        sc.limit = floor.saturating_add((SOFT_CUT * sc.temp).ceil() as i64);
        sc.weight.resize_with(m.max(sc.weight.len()), Vec::new);
        for k in 0..m {
            sc.weight[k].clear();
            sc.weight[k].resize(self.opts[k].len(), 0.0);
        }
        sc.z = 0.0;
        sc.u1 = 0.0;
        sc.u2 = 0.0;
        sc.leaves = 0;
        sc.drawn.clone_from(&self.best);
        sc.drawn_z = 0.0;
        let mut rest = vec![0i64; m + 1];
        for k in (0..m).rev() {
            rest[k] = rest[k + 1] + self.opts[k][0].cost;
        }
        let reqs = self.req_start[p] as usize..self.req_start[p + 1] as usize;
        self.used.clear();
        self.enumerate(0, 0, &rest, reqs, &mut sc);
        let nt = self.nt;
        if sc.z > 0.0 {
            for k in 0..m {
                for (i, &w) in sc.weight[k].iter().enumerate() {
                    if w > 0.0 {
                        let q = w / sc.z;
                        let s = self.opts[k][i].section as usize;
                        soft.demand[s] += q;
                        soft.spread[s] += q * (1.0 - q);
                    }
                }
            }
            let mean = sc.u1 / sc.z;
            soft.unranked += mean;
            soft.unranked_spread += (sc.u2 / sc.z - mean * mean).max(0.0);
        }
        for (k, &t) in self.slots.iter().enumerate() {
            let s = self.opts[k][sc.drawn[k]].section;
            soft.sample[p * nt + t] = s;
            sc.seats[s as usize] += 1;
        }
        self.soft = sc;
    }

    /// Every bundle costing at most `sc.limit`, weighted into `sc`.
    fn enumerate(
        &mut self,
        k: usize,
        acc: i64,
        rest: &[i64],
        reqs: std::ops::Range<usize>,
        sc: &mut SoftScratch,
    ) {
        let m = self.slots.len();
        if sc.leaves >= SOFT_BUNDLES {
            return;
        }
        if k == m {
            if !self.req[reqs].iter().all(|c| self.used.contains(c)) {
                return;
            }
            sc.leaves += 1;
            let w = (-((acc - sc.floor) as f64) / sc.temp).exp();
            let mut u = 0.0;
            for j in 0..m {
                let i = self.chosen[j];
                sc.weight[j][i] += w;
                u += f64::from(u8::from(self.opts[j][i].unranked));
            }
            sc.z += w;
            sc.u1 += w * u;
            sc.u2 += w * u * u;
            // The draw mostly avoids sections the earlier draws have filled: keep this bundle
            // with probability w / z, both discounted for every full section (xorshift).
            let mut wd = w;
            for j in 0..m {
                let s = self.opts[j][self.chosen[j]].section as usize;
                if sc.seats[s] >= self.inst.sections[s].capacity {
                    wd *= FULL_DISCOUNT;
                }
            }
            sc.drawn_z += wd;
            sc.rng ^= sc.rng << 13;
            sc.rng ^= sc.rng >> 7;
            sc.rng ^= sc.rng << 17;
            if ((sc.rng >> 11) as f64) * (1.0 / (1u64 << 53) as f64) * sc.drawn_z < wd {
                sc.drawn.clone_from(&self.chosen);
            }
            return;
        }
        for i in 0..self.opts[k].len() {
            let o = self.opts[k][i];
            if acc + o.cost + rest[k + 1] > sc.limit {
                break;
            }
            if self.used.contains(&o.course) {
                continue;
            }
            self.chosen[k] = i;
            self.used.push(o.course);
            self.enumerate(k + 1, acc + o.cost, rest, reqs.clone(), sc);
            self.used.pop();
        }
    }

    fn search(
        &mut self,
        k: usize,
        acc: i64,
        rest: &[i64],
        reqs: std::ops::Range<usize>,
        best: &mut i64,
    ) {
        let m = self.slots.len();
        if k == m {
            if self.req[reqs.clone()].iter().all(|c| self.used.contains(c)) && acc < *best {
                *best = acc;
                self.best.clone_from(&self.chosen);
            }
            return;
        }
        for i in 0..self.opts[k].len() {
            let o = self.opts[k][i];
            if acc + o.cost + rest[k + 1] >= *best {
                break;
            }
            if self.used.contains(&o.course) {
                continue;
            }
            self.chosen[k] = i;
            self.used.push(o.course);
            self.search(k + 1, acc + o.cost, rest, reqs.clone(), best);
            self.used.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::exact;
    use crate::model::{InstanceBuilder, RankCost};
    use crate::state::State;

    /// A small random day: 2–3 slots, a few courses (some in several slots), a facilitator now
    /// and then, absences, one required course.
    fn day(rng: &mut ChaCha8Rng) -> Option<Instance> {
        let mut b = InstanceBuilder::new();
        let nt = rng.gen_range(2..=3);
        for t in 0..nt {
            b.slot(&t.to_string());
        }
        let nc = rng.gen_range(3..=5);
        let courses: Vec<usize> = (0..nc).map(|c| b.course(&format!("C{c}"), "")).collect();
        let np = rng.gen_range(1..=4);
        let mut people = Vec::new();
        for i in 0..np {
            let p = b.person(&format!("P{i}"));
            let mut ranked: Vec<usize> = (0..nc).collect();
            ranked.retain(|_| rng.gen_bool(0.6));
            for (r, &c) in ranked.iter().enumerate() {
                b.rank(p, courses[c], r as u16 + 1).ok()?;
            }
            if rng.gen_bool(0.15) {
                b.absent(p, rng.gen_range(0..nt));
            }
            people.push(p);
        }
        for i in 0..rng.gen_range(nt..=nt * 3) {
            let fac = if rng.gen_bool(0.15) {
                vec![format!("F{i}")]
            } else {
                vec![]
            };
            let c = courses[rng.gen_range(0..nc)];
            b.section(
                &format!("S{i}"),
                c,
                rng.gen_range(0..nt),
                rng.gen_range(0..=3),
                fac,
            )
            .ok()?;
        }
        if rng.gen_bool(0.3) {
            b.require(people[rng.gen_range(0..np)], courses[rng.gen_range(0..nc)]);
        }
        b.build(true).ok()
    }

    /// Every bundle of `p`, by exhaustion: the cheapest at `price`.
    fn cheapest(inst: &Instance, costs: &Costs, p: PersonIx, price: &[i64]) -> Option<i64> {
        fn go(
            inst: &Instance,
            costs: &Costs,
            p: PersonIx,
            price: &[i64],
            t: usize,
            used: &mut Vec<usize>,
        ) -> Option<i64> {
            if t == inst.n_slots() {
                let covered = inst.open_requirements(p).all(|c| used.contains(&c));
                return covered.then_some(0);
            }
            if !inst.is_seated(p, t) {
                return go(inst, costs, p, price, t + 1, used);
            }
            let mut best: Option<i64> = None;
            for &s in inst.slot_sections(t) {
                let c = inst.sections[s].course;
                if inst.sections[s].capacity == 0 || !inst.may_take(p, c) || used.contains(&c) {
                    continue;
                }
                used.push(c);
                if let Some(rest) = go(inst, costs, p, price, t + 1, used) {
                    let v = costs.of(inst, p, c) + price[s] + rest;
                    best = Some(best.map_or(v, |b| b.min(v)));
                }
                used.pop();
            }
            best
        }
        go(inst, costs, p, price, 0, &mut Vec::new())
    }

    #[test]
    fn bundles_are_cheapest_and_the_bound_holds() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut checked = 0;
        for _ in 0..400 {
            let Some(inst) = day(&mut rng) else { continue };
            let costs = Costs::new(&inst, RankCost::Squared);
            let pricing = Prices {
                rank_scale: 1,
                unranked: costs.unranked(),
                lambda: None,
                lambda_mul: 1,
            };
            let price: Vec<i64> = (0..inst.sections.len())
                .map(|_| {
                    if rng.gen_bool(0.5) {
                        0
                    } else {
                        rng.gen_range(0..40)
                    }
                })
                .collect();
            let mut market = Market::new(&inst, &costs);
            let mut out = Outcome::default();
            let expected: Option<Vec<i64>> = (0..inst.people.len())
                .map(|p| cheapest(&inst, &costs, p, &price))
                .collect();
            let got = market.evaluate(&price, &pricing, &mut out);
            let Some(expected) = expected else {
                assert!(
                    got.is_err(),
                    "someone has no bundle, but evaluate found one"
                );
                continue;
            };
            assert!(got.is_ok());
            let seats: i128 = inst
                .sections
                .iter()
                .enumerate()
                .map(|(s, sec)| i128::from(price[s]) * i128::from(sec.capacity))
                .sum();
            let sum: i128 = expected.iter().map(|&v| i128::from(v)).sum();
            assert_eq!(out.total, sum - seats, "{inst:?}");
            let mut st = State::new(&inst);
            if let Some(opt) = exact::solve_small(&mut st, &costs, i128::MAX) {
                assert!(
                    out.total <= opt,
                    "bound {} above the optimum {opt}",
                    out.total
                );
                checked += 1;
            }
        }
        assert!(checked > 50, "only {checked} feasible days");
    }

    #[test]
    fn smoothed_demand_adds_up_and_draws_are_bundles() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut checked = 0;
        for _ in 0..400 {
            let Some(inst) = day(&mut rng) else { continue };
            let costs = Costs::new(&inst, RankCost::Squared);
            let pricing = Prices {
                rank_scale: 1,
                unranked: costs.unranked(),
                lambda: None,
                lambda_mul: 1,
            };
            let price: Vec<i64> = (0..inst.sections.len())
                .map(|_| rng.gen_range(0..40))
                .collect();
            let temp = f64::from(rng.gen_range(1..60));
            let mut market = Market::new(&inst, &costs);
            let (mut hard, mut out, mut soft) =
                (Outcome::default(), Outcome::default(), Soft::default());
            if market.evaluate(&price, &pricing, &mut hard).is_err() {
                continue;
            }
            let drawn = market.evaluate_soft(&price, &pricing, (temp, 3), &mut out, &mut soft);
            assert!(drawn.is_ok());
            assert_eq!(out.total, hard.total);
            assert_eq!(out.choice, hard.choice);
            let nt = inst.n_slots();
            let seated: usize = (0..inst.people.len())
                .map(|p| (0..nt).filter(|&t| inst.is_seated(p, t)).count())
                .sum();
            let demand: f64 = soft.demand.iter().sum();
            assert!(
                (demand - seated as f64).abs() < 1e-9,
                "{demand} != {seated}"
            );
            assert!(soft.spread.iter().all(|&v| v >= 0.0));
            for p in 0..inst.people.len() {
                let mut courses = Vec::new();
                for t in 0..nt {
                    let s = soft.sample[p * nt + t];
                    if !inst.is_seated(p, t) {
                        assert_eq!(s, NONE);
                        continue;
                    }
                    let sec = &inst.sections[s as usize];
                    assert_eq!(sec.slot, t);
                    assert!(inst.may_take(p, sec.course) && !courses.contains(&sec.course));
                    courses.push(sec.course);
                }
                assert!(inst.open_requirements(p).all(|c| courses.contains(&c)));
            }
            checked += 1;
        }
        assert!(
            checked > 50,
            "only {checked} days with bundles for everyone"
        );
    }
}
