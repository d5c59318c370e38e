//! Exact improvement of one slot with the other slots held fixed.
//!
//! Within a slot the problem is a transportation problem (people → sections with capacities), and
//! an assignment of it is optimal exactly when its residual graph has no negative cycle. The
//! residual graph is aggregated onto sections: an arc `a → b` costs the cheapest move of one person
//! from `a` to `b`, a virtual node `Z` links every section (a seat may be freed anywhere) and is
//! reached from sections with a free seat. Cycles are found with a queue-based Bellman–Ford that
//! checks its predecessor graph for cycles as it goes, cancelled one at a time, and only the rows of
//! the sections a cancellation touched are rebuilt.
//!
//! When no negative cycle is left, the shortest-path distances from `Z` are prices (dual values)
//! for the slot's sections under which every person's seat is a best one; the optimal mechanism
//! uses them to start its lower bound.

use std::time::Instant;

use crate::model::{CourseIx, PersonIx, SectionIx, SlotIx};
use crate::state::{OVER, State};

const INF: i64 = i64::MAX / 4;
const NOBODY: u32 = u32::MAX;

/// What the search minimises.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Mode {
    /// Only the number of unseated people; used to repair the greedy mechanisms without changing
    /// anyone's placement more than needed.
    Repair,
}

impl Mode {
    fn cost(&self, _st: &State<'_>, _p: PersonIx, _c: CourseIx) -> i64 {
        match self {
            Mode::Repair => 0,
        }
    }
    fn unranked(&self) -> i64 {
        match self {
            Mode::Repair => 0,
        }
    }
    fn over(&self) -> i64 {
        match self {
            Mode::Repair => 1,
        }
    }
}

struct SlotGraph {
    t: SlotIx,
    /// Local index → section; the overflow node is `n`, `Z` is `n + 1`.
    secs: Vec<SectionIx>,
    n1: usize,
    w: Vec<i64>,
    who: Vec<u32>,
    members: Vec<Vec<PersonIx>>,
    unranked_arcs: bool,
    scratch: Vec<(i64, PersonIx)>,
}

fn is_locked(st: &State<'_>, p: PersonIx, c: CourseIx) -> bool {
    st.inst.open_requirements(p).any(|r| r == c)
}

impl SlotGraph {
    fn new(st: &State<'_>, t: SlotIx, mode: Mode, local: &mut [u32]) -> SlotGraph {
        let secs = st.inst.slot_sections(t).to_vec();
        for (i, &s) in secs.iter().enumerate() {
            local[s] = i as u32;
        }
        let n = secs.len();
        let n1 = n + 2;
        let mut members = vec![Vec::new(); n + 1];
        let mut unranked_arcs = false;
        for p in 0..st.inst.people.len() {
            if !st.inst.is_seated(p, t) {
                continue;
            }
            let s = st.get(p, t);
            let i = if s == OVER {
                unranked_arcs = true;
                n
            } else if s == crate::state::NONE {
                continue;
            } else {
                let c = st.inst.sections[s as usize].course;
                if mode.cost(st, p, c) == mode.unranked() && mode.unranked() > 0 {
                    unranked_arcs = true;
                }
                local[s as usize] as usize
            };
            members[i].push(p);
        }
        if matches!(mode, Mode::Repair) {
            unranked_arcs = true;
        }
        let mut w = vec![INF; n1 * n1];
        // Z → every node at cost 0: a seat may be freed anywhere.
        for x in &mut w[(n1 - 1) * n1..n1 * n1 - 1] {
            *x = 0;
        }
        SlotGraph {
            t,
            secs,
            n1,
            w,
            who: vec![NOBODY; n1 * n1],
            members,
            unranked_arcs,
            scratch: Vec::new(),
        }
    }

    fn z(&self) -> usize {
        self.n1 - 1
    }

    fn cur_cost(&self, st: &State<'_>, mode: Mode, p: PersonIx, i: usize) -> i64 {
        if i == self.secs.len() {
            mode.over()
        } else {
            mode.cost(st, p, st.inst.sections[self.secs[i]].course)
        }
    }

    fn relax(&mut self, i: usize, j: usize, w: i64, p: PersonIx) {
        let k = i * self.n1 + j;
        if w < self.w[k] {
            self.w[k] = w;
            self.who[k] = p as u32;
        }
    }

    /// Recompute every arc out of local node `i` (and its arc to `Z`).
    fn rebuild_row(&mut self, st: &State<'_>, mode: Mode, local: &[u32], i: usize) {
        let n = self.secs.len();
        let n1 = self.n1;
        for k in i * n1..(i + 1) * n1 {
            self.w[k] = INF;
            self.who[k] = NOBODY;
        }
        let t = self.t;
        let members = std::mem::take(&mut self.members[i]);
        let mut sorted = std::mem::take(&mut self.scratch);
        sorted.clear();
        for &p in &members {
            let cc = self.cur_cost(st, mode, p, i);
            if i < n {
                let c = st.inst.sections[self.secs[i]].course;
                if is_locked(st, p, c) {
                    for &s2 in st.inst.course_sections_in(c, t) {
                        let j = local[s2] as usize;
                        if j != i {
                            self.relax(i, j, 0, p);
                        }
                    }
                    continue;
                }
            }
            let person = &st.inst.people[p];
            let choices = person
                .ranked
                .iter()
                .map(|&(c, _)| c)
                .chain(st.inst.open_requirements(p));
            for c in choices {
                let secs = st.inst.course_sections_in(c, t);
                if secs.is_empty() || !st.allowed(p, c, t) {
                    continue;
                }
                let w = mode.cost(st, p, c) - cc;
                for &s2 in secs {
                    let j = local[s2] as usize;
                    if j != i {
                        self.relax(i, j, w, p);
                    }
                }
            }
            sorted.push((cc, p));
        }
        if self.unranked_arcs && !sorted.is_empty() {
            // Most expensive current seat first: the first eligible person gives the arc.
            sorted.sort_unstable_by(|a, b| b.cmp(a));
            for j in 0..n {
                if j == i {
                    continue;
                }
                let c = st.inst.sections[self.secs[j]].course;
                for &(cc, p) in &sorted {
                    let person = &st.inst.people[p];
                    if person.rank_of(c).is_some()
                        || person.required.contains(&c)
                        || !st.allowed(p, c, t)
                    {
                        continue;
                    }
                    self.relax(i, j, mode.unranked() - cc, p);
                    break;
                }
            }
        }
        self.scratch = sorted;
        self.members[i] = members;
        if i < n && st.has_room(self.secs[i]) {
            let z = self.z();
            self.relax(i, z, 0, 0);
        }
    }

    /// Find a negative cycle; returns its nodes in arc order, or the distances from `Z` when none.
    fn negative_cycle(&self) -> Result<Vec<usize>, Vec<i64>> {
        let n1 = self.n1;
        let z = self.z();
        let mut dist = vec![INF; n1];
        let mut pred = vec![usize::MAX; n1];
        let mut inq = vec![false; n1];
        let mut queue = std::collections::VecDeque::with_capacity(n1);
        dist[z] = 0;
        // Z reaches every node at cost 0.
        for (j, d) in dist.iter_mut().enumerate().take(n1 - 1) {
            *d = 0;
            pred[j] = z;
            queue.push_back(j);
            inq[j] = true;
        }
        let mut pops = 0usize;
        let mut mark = vec![0usize; n1];
        let mut round = 0usize;
        while let Some(u) = queue.pop_front() {
            inq[u] = false;
            pops += 1;
            let du = dist[u];
            let row = &self.w[u * n1..(u + 1) * n1];
            for (v, &w) in row.iter().enumerate() {
                if w >= INF {
                    continue;
                }
                let nd = du + w;
                if nd < dist[v] {
                    dist[v] = nd;
                    pred[v] = u;
                    if !inq[v] {
                        inq[v] = true;
                        queue.push_back(v);
                    }
                }
            }
            if pops.is_multiple_of(n1) {
                round += 1;
                if let Some(c) = pred_cycle(&pred, &mut mark, round) {
                    return Ok(c);
                }
            }
        }
        round += 1;
        if let Some(c) = pred_cycle(&pred, &mut mark, round) {
            return Ok(c);
        }
        Err(dist)
    }
}

/// A cycle in the predecessor graph, if any (then it has negative weight).
fn pred_cycle(pred: &[usize], mark: &mut [usize], round: usize) -> Option<Vec<usize>> {
    // mark[v] = round * n + start marks nodes visited from `start` in this round.
    let n = pred.len();
    let base = round * n;
    for start in 0..n {
        if mark[start] >= base {
            continue;
        }
        let mut v = start;
        while v != usize::MAX && mark[v] < base {
            mark[v] = base + start;
            v = pred[v];
        }
        if v != usize::MAX && mark[v] == base + start {
            // v is on a cycle found in this walk.
            let mut cyc = vec![v];
            let mut u = pred[v];
            while u != v {
                cyc.push(u);
                u = pred[u];
            }
            cyc.reverse();
            return Some(cyc);
        }
    }
    None
}

/// Improve slot `t` until its residual graph has no negative cycle (or `deadline` passes).
/// Returns whether anything changed, and the slot's section prices when it finished.
pub(crate) fn improve_slot(
    st: &mut State<'_>,
    t: SlotIx,
    mode: Mode,
    deadline: Option<Instant>,
) -> (bool, Option<Vec<(SectionIx, f64)>>) {
    let mut local = vec![u32::MAX; st.inst.sections.len()];
    let mut g = SlotGraph::new(st, t, mode, &mut local);
    let n = g.secs.len();
    for i in 0..=n {
        g.rebuild_row(st, mode, &local, i);
    }
    let mut changed = false;
    loop {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return (changed, None);
        }
        match g.negative_cycle() {
            Err(dist) => {
                let prices = g
                    .secs
                    .iter()
                    .enumerate()
                    .map(|(i, &s)| (s, (-dist[i]).max(0) as f64))
                    .collect();
                return (changed, Some(prices));
            }
            Ok(cycle) => {
                let z = g.z();
                let k = cycle.len();
                let mut moves = Vec::with_capacity(k);
                for idx in 0..k {
                    let (u, v) = (cycle[idx], cycle[(idx + 1) % k]);
                    if u == z || v == z {
                        continue;
                    }
                    let p = g.who[u * g.n1 + v];
                    moves.push((p as PersonIx, u, v));
                }
                let newly_unranked = apply_moves(st, &mut g, mode, &moves);
                changed = true;
                if newly_unranked && !g.unranked_arcs {
                    g.unranked_arcs = true;
                    for i in 0..=n {
                        g.rebuild_row(st, mode, &local, i);
                    }
                } else {
                    let mut touched: Vec<usize> =
                        moves.iter().flat_map(|&(_, u, v)| [u, v]).collect();
                    touched.sort_unstable();
                    touched.dedup();
                    for i in touched {
                        g.rebuild_row(st, mode, &local, i);
                    }
                }
            }
        }
    }
}

fn apply_moves(
    st: &mut State<'_>,
    g: &mut SlotGraph,
    mode: Mode,
    moves: &[(PersonIx, usize, usize)],
) -> bool {
    let n = g.secs.len();
    let mut newly_unranked = false;
    for &(p, u, v) in moves {
        debug_assert!(v < n, "nobody moves into the overflow node");
        let s = g.secs[v];
        st.place(p, g.t, s as u32);
        if let Some(pos) = g.members[u].iter().position(|&q| q == p) {
            g.members[u].swap_remove(pos);
        }
        g.members[v].push(p);
        let c = st.inst.sections[s].course;
        if mode.unranked() > 0 && mode.cost(st, p, c) == mode.unranked() {
            newly_unranked = true;
        }
    }
    newly_unranked
}
