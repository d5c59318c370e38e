//! One slot as a transportation network: the people who need a seat in the slot on one side, its
//! sections on the other.
//!
//! ```text
//! person ──ranked / required course (rank cost + λ)──▶ section ──capacity──▶ sink
//!    └───────any other course (unranked weight)──▶ pool ──▶ section
//! ```
//!
//! Every unranked placement costs the same, so instead of an arc from each person to every
//! section they did not rank, they share one pool node. The pool cannot see a person's
//! exclusions (a course they lead or take in another slot), so which pool seat goes to whom is
//! decided afterwards by a bipartite matching that respects them. A person that matching cannot
//! place is rebuilt with explicit arcs to every section they may take.
//!
//! The same network serves two purposes. For the lower bound, arc costs carry the Lagrange
//! multipliers of the "never the same course twice" constraints, and the pool's blindness only
//! relaxes the problem further (the bound stays valid); its section potentials are capacity
//! prices that [`crate::market`] scores with the rule enforced. For assignments, arcs to courses
//! a person holds (or is to take) in another slot cost a prohibitive amount, as do all but a
//! required course that must be taken in this slot.

use crate::assignment::Costs;
use crate::model::{CourseIx, Instance, PersonIx, SectionIx, SlotIx};
use crate::netsimplex::{ArcIx, Network, UNBOUNDED};
use crate::state::{NONE, OVER, State};

/// No Lagrange multiplier on this arc.
pub(crate) const NO_PAIR: u32 = u32::MAX;
const POOL: u32 = u32::MAX;

/// Scale of all network costs: objective units × `SCALE`, so multipliers have fractional
/// resolution while every sum stays an exact integer.
pub(crate) const SCALE: i64 = 16;

/// What an arc costs: scaled rank costs (or none), a price per unranked placement, and the
/// multipliers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Prices<'l> {
    /// Multiplies each ranked placement's cost: [`SCALE`], or 0 to count only unranked ones.
    pub rank_scale: i64,
    /// Scaled cost of one unranked placement.
    pub unranked: i64,
    /// Per pair multipliers (scaled).
    pub lambda: Option<&'l [i64]>,
    /// Multiplies each multiplier.
    pub lambda_mul: i64,
}

/// The per-slot network and the bookkeeping to read an assignment out of it.
#[derive(Debug, Clone)]
pub(crate) struct SlotNet {
    pub t: SlotIx,
    net: Network,
    /// Local person index → person.
    people: Vec<PersonIx>,
    /// Local section index → section.
    secs: Vec<SectionIx>,
    /// Person arcs (ids `0..`): owner, local section (or [`POOL`]), multiplier, and the
    /// placement's cost in objective units (a rank cost; 0 for an unranked required course;
    /// unranked placements are marked instead and priced by the caller).
    arc_person: Vec<u32>,
    arc_sec: Vec<u32>,
    arc_pair: Vec<u32>,
    arc_rank_cost: Vec<i64>,
    arc_unranked: Vec<bool>,
    /// Arcs of local person `i` are `first[i]..first[i + 1]`.
    first: Vec<u32>,
    /// Pool → section arcs, with their local section.
    pool_arcs: Vec<(ArcIx, u32)>,
    /// Arcs in a simple path (people and sections alternate).
    path: i64,
    /// Prohibitive cost under the current prices: more than any legal rerouting of one person.
    block: i64,
    /// Scratch for pool matching.
    scratch_sec: Vec<u32>,
}

/// What the multipliers and the instance say about each (person, course) pair.
pub(crate) trait PairLookup {
    /// The multiplier index of `(p, c)`, or [`NO_PAIR`].
    fn pair(&self, p: PersonIx, c: CourseIx) -> u32;
}

impl SlotNet {
    /// Build slot `t`'s network. `explicit(p)` says whether `p` gets explicit arcs to every
    /// section they may take instead of an arc to the pool.
    pub fn build(
        inst: &Instance,
        costs: &Costs,
        t: SlotIx,
        pairs: &dyn PairLookup,
        explicit: &dyn Fn(PersonIx) -> bool,
    ) -> SlotNet {
        let secs: Vec<SectionIx> = inst
            .slot_sections(t)
            .iter()
            .copied()
            .filter(|&s| inst.sections[s].capacity > 0)
            .collect();
        let mut local = vec![u32::MAX; inst.sections.len()];
        for (i, &s) in secs.iter().enumerate() {
            local[s] = i as u32;
        }
        let people: Vec<PersonIx> = (0..inst.people.len())
            .filter(|&p| inst.is_seated(p, t))
            .collect();
        let (np, ns) = (people.len(), secs.len());
        let pool = np + ns;
        let sink = pool + 1;
        // A simple path alternates people and sections, so it has at most this many arcs.
        let path = 2 * (ns as i64 + 3);
        // Artificial arcs must cost more than any path at any prices the callers use (placement
        // costs and multipliers never exceed twice the scaled unranked weight).
        let art = (2 * costs.unranked())
            .saturating_mul(SCALE)
            .saturating_mul(path)
            .saturating_add(1);
        let mut supply = vec![1i64; np];
        supply.extend(std::iter::repeat_n(0, ns + 1));
        supply.push(-(np as i64));
        let mut net = Network::new(supply, art);
        let mut sn = SlotNet {
            t,
            net: Network::new(Vec::new(), 0),
            people,
            secs,
            arc_person: Vec::new(),
            arc_sec: Vec::new(),
            arc_pair: Vec::new(),
            arc_rank_cost: Vec::new(),
            arc_unranked: Vec::new(),
            first: Vec::with_capacity(np + 1),
            pool_arcs: Vec::new(),
            path,
            block: art,
            scratch_sec: Vec::new(),
        };
        let unranked = costs.unranked();
        let push = |sn: &mut SlotNet, net: &mut Network, i: usize, ls: u32, pair, cost: i64| {
            let to = if ls == POOL { pool } else { np + ls as usize };
            net.add_arc(i, to, 1, 0);
            sn.arc_person.push(i as u32);
            sn.arc_sec.push(ls);
            sn.arc_pair.push(pair);
            sn.arc_rank_cost
                .push(if cost == unranked { 0 } else { cost });
            sn.arc_unranked.push(cost == unranked);
        };
        let mut listed: Vec<CourseIx> = Vec::new();
        for i in 0..np {
            let p = sn.people[i];
            sn.first.push(sn.arc_person.len() as u32);
            let person = &inst.people[p];
            listed.clear();
            let choices = person
                .ranked
                .iter()
                .map(|&(c, _)| c)
                .chain(inst.open_requirements(p));
            for c in choices {
                if listed.contains(&c) || !inst.may_take(p, c) {
                    continue;
                }
                listed.push(c);
                let cost = costs.of(inst, p, c);
                let pair = pairs.pair(p, c);
                for &s in inst.course_sections_in(c, t) {
                    let ls = local[s];
                    if ls != u32::MAX {
                        push(&mut sn, &mut net, i, ls, pair, cost);
                    }
                }
            }
            // Unranked courses the pool cannot offer: those with an audience, or all of them
            // for people the pool could not serve.
            let all = explicit(p);
            for (ls, &s) in sn.secs.clone().iter().enumerate() {
                let c = inst.sections[s].course;
                if listed.contains(&c) || !inst.may_take(p, c) {
                    continue;
                }
                if all || inst.courses[c].audience.is_some() {
                    push(&mut sn, &mut net, i, ls as u32, NO_PAIR, unranked);
                }
            }
            if !all {
                push(&mut sn, &mut net, i, POOL, NO_PAIR, unranked);
            }
        }
        sn.first.push(sn.arc_person.len() as u32);
        for (ls, &s) in sn.secs.iter().enumerate() {
            if inst.courses[inst.sections[s].course].audience.is_none() {
                let a = net.add_arc(pool, np + ls, UNBOUNDED, 0);
                sn.pool_arcs.push((a, ls as u32));
            }
        }
        for (ls, &s) in sn.secs.iter().enumerate() {
            net.add_arc(np + ls, sink, i64::from(inst.sections[s].capacity), 0);
        }
        sn.net = net;
        sn
    }

    /// The cost of arc `a` at `prices`, before blocking.
    fn priced(&self, a: usize, prices: &Prices<'_>) -> i64 {
        let base = if self.arc_unranked[a] {
            prices.unranked
        } else {
            self.arc_rank_cost[a] * prices.rank_scale
        };
        match prices.lambda {
            Some(l) if self.arc_pair[a] != NO_PAIR => {
                base + l[self.arc_pair[a] as usize] * prices.lambda_mul
            }
            _ => base,
        }
    }

    /// Set every arc's cost to its price: for the lower bound.
    pub fn set_costs(&mut self, prices: &Prices<'_>) {
        for a in 0..self.arc_person.len() {
            let c = self.priced(a, prices);
            self.net.set_cost(a as ArcIx, c);
        }
    }

    /// Set the costs for an assignment of this slot given the other slots in `st`: arcs to
    /// courses held elsewhere are blocked, and when `must(p)` names a course `p` has to take
    /// here, so is everything else of theirs; so are courses `barred(p, c)` keeps from this slot.
    pub fn set_assign_costs(
        &mut self,
        inst: &Instance,
        st: &State<'_>,
        prices: &Prices<'_>,
        must: &dyn Fn(PersonIx) -> Option<CourseIx>,
        barred: &dyn Fn(PersonIx, CourseIx) -> bool,
    ) {
        let t = self.t;
        let top = (0..self.arc_person.len())
            .map(|a| self.priced(a, prices).abs())
            .max()
            .unwrap_or(0);
        self.block = top.saturating_mul(self.path).saturating_add(1);
        for i in 0..self.people.len() {
            let p = self.people[i];
            let forced = must(p);
            for a in self.first[i] as usize..self.first[i + 1] as usize {
                let ls = self.arc_sec[a];
                let course = (ls != POOL).then(|| inst.sections[self.secs[ls as usize]].course);
                let blocked = match (course, forced) {
                    (Some(c), Some(f)) => c != f,
                    (None, Some(_)) => true,
                    (Some(c), None) => st.holds_elsewhere(p, c, t) || barred(p, c),
                    (None, None) => false,
                };
                let c = if blocked {
                    self.block
                } else {
                    self.priced(a, prices)
                };
                self.net.set_cost(a as ArcIx, c);
            }
        }
    }

    /// Solve from the current basis; the total cost (scaled), or `None` when not everyone can be
    /// seated.
    pub fn solve(&mut self) -> Option<i128> {
        self.net.solve().ok()?;
        Some(self.net.total_cost())
    }

    /// The capacity price of each of this slot's sections in the current solution (the dual of
    /// its capacity, scaled like the costs): what one more seat there would save. Written to
    /// `price[section]`.
    pub fn section_prices(&self, price: &mut [i64]) {
        let np = self.people.len();
        let sink = np + self.secs.len() + 1;
        let top = self.net.potential(sink);
        for (ls, &s) in self.secs.iter().enumerate() {
            let p = top - self.net.potential(np + ls);
            price[s] = p.clamp(0, i128::from(i64::MAX / 4)) as i64;
        }
    }

    /// Add one to `count[pair]` for each multiplier pair this slot's solution uses; returns the
    /// number of unranked placements in it.
    pub fn count_pairs(&self, count: &mut [i32]) -> i64 {
        let mut unranked = 0;
        for a in 0..self.arc_person.len() {
            if self.net.flow(a as ArcIx) == 0 {
                continue;
            }
            let pair = self.arc_pair[a];
            if pair != NO_PAIR {
                count[pair as usize] += 1;
            }
            if self.arc_unranked[a] {
                unranked += 1;
            }
        }
        unranked
    }

    /// Write this slot's solution into `st`. Pool seats are matched to pool people respecting
    /// each person's exclusions; returns the people that matching could not place (they need
    /// explicit arcs), or `Err(())` when the solution uses a blocked arc.
    pub fn extract(&mut self, st: &mut State<'_>) -> Result<Vec<PersonIx>, ()> {
        let inst = st.inst;
        let t = self.t;
        for &p in &self.people {
            st.unplace(p, t);
        }
        let mut pooled = Vec::new();
        for i in 0..self.people.len() {
            let p = self.people[i];
            let arc = (self.first[i] as usize..self.first[i + 1] as usize)
                .find(|&a| self.net.flow(a as ArcIx) > 0);
            let Some(a) = arc else {
                return Err(());
            };
            if self.net.cost(a as ArcIx) >= self.block {
                return Err(());
            }
            match self.arc_sec[a] {
                POOL => pooled.push(p),
                ls => st.place(p, t, self.secs[ls as usize] as u32),
            }
        }
        // Seats the pool hands out, per local section.
        let mut seats = vec![0u32; self.secs.len()];
        for &(a, ls) in &self.pool_arcs {
            seats[ls as usize] = self.net.flow(a) as u32;
        }
        let mut holders: Vec<Vec<PersonIx>> = vec![Vec::new(); self.secs.len()];
        let mut unmatched = Vec::new();
        let mut visited = std::mem::take(&mut self.scratch_sec);
        for &p in &pooled {
            let fits = |ls: usize, st: &State<'_>| {
                let c = inst.sections[self.secs[ls]].course;
                inst.may_take(p, c) && !st.holds_elsewhere(p, c, t)
            };
            if let Some(ls) = (0..self.secs.len())
                .find(|&ls| holders[ls].len() < seats[ls] as usize && fits(ls, st))
            {
                holders[ls].push(p);
                continue;
            }
            visited.clear();
            visited.resize(self.secs.len(), 0);
            if !self.augment(inst, st, p, &seats, &mut holders, &mut visited) {
                unmatched.push(p);
            }
        }
        self.scratch_sec = visited;
        for (ls, hs) in holders.iter().enumerate() {
            for &p in hs {
                st.place(p, t, self.secs[ls] as u32);
            }
        }
        for &p in &unmatched {
            st.place(p, t, OVER);
        }
        debug_assert!(self.people.iter().all(|&p| st.get(p, t) != NONE));
        Ok(unmatched)
    }

    /// Kuhn's augmenting path for the pool matching: seat `p`, moving earlier holders along.
    fn augment(
        &self,
        inst: &Instance,
        st: &State<'_>,
        p: PersonIx,
        seats: &[u32],
        holders: &mut [Vec<PersonIx>],
        visited: &mut [u32],
    ) -> bool {
        let t = self.t;
        for ls in 0..self.secs.len() {
            if visited[ls] != 0 || seats[ls] == 0 {
                continue;
            }
            let c = inst.sections[self.secs[ls]].course;
            if !inst.may_take(p, c) || st.holds_elsewhere(p, c, t) {
                continue;
            }
            visited[ls] = 1;
            if holders[ls].len() < seats[ls] as usize {
                holders[ls].push(p);
                return true;
            }
            for k in 0..holders[ls].len() {
                let q = holders[ls][k];
                if self.augment(inst, st, q, seats, holders, visited) {
                    holders[ls][k] = p;
                    return true;
                }
            }
        }
        false
    }
}
