//! A primal network simplex for minimum-cost flow, kept warm between solves.
//!
//! The optimal mechanism solves the same per-slot transportation problem hundreds of times with
//! slightly different arc costs. The network simplex suits that: after costs change, the spanning
//! tree it stopped with is still a feasible flow, so a re-solve only pivots as far as the change
//! requires.
//!
//! Conventions: node potentials `pi` make every tree arc's reduced cost
//! `cost + pi[source] − pi[target]` zero; a non-tree arc sits at its lower bound (flow 0) or its
//! upper bound (flow = capacity). The first tree joins every node to an artificial root by an
//! artificial arc of prohibitive cost, oriented so that it carries the node's supply; any flow
//! left on an artificial arc after solving means the supplies cannot be routed. The tree is kept
//! strongly feasible (ties for the leaving arc are broken as Cunningham's rule prescribes), which
//! rules out cycling on the many degenerate pivots of assignment problems.

/// Capacity that never binds.
pub(crate) const UNBOUNDED: i64 = i64::MAX / 4;
const NIL: u32 = u32::MAX;

/// Arc state: in the spanning tree, or out of it at one of its bounds.
const TREE: i8 = 0;
const LOWER: i8 = 1;
const UPPER: i8 = -1;

/// Index of an arc, as returned by [`Network::add_arc`].
pub(crate) type ArcIx = u32;

/// A min-cost-flow network and its current basis.
#[derive(Debug, Clone)]
pub(crate) struct Network {
    /// Real nodes; the artificial root is node `n`.
    n: usize,
    supply: Vec<i64>,
    src: Vec<u32>,
    dst: Vec<u32>,
    cap: Vec<i64>,
    cost: Vec<i64>,
    flow: Vec<i64>,
    state: Vec<i8>,
    /// Arcs added with [`Network::add_arc`]; the artificial arcs follow them.
    real_arcs: usize,
    art_cost: i64,
    parent: Vec<u32>,
    /// The tree arc joining a node to its parent.
    pred: Vec<u32>,
    /// Whether `pred` points from the node up to its parent.
    up: Vec<bool>,
    depth: Vec<u32>,
    first_child: Vec<u32>,
    next_sib: Vec<u32>,
    prev_sib: Vec<u32>,
    /// Potentials are sums of costs along tree paths; kept in 128 bits so that prohibitive
    /// costs on long paths cannot overflow.
    pi: Vec<i128>,
    potentials_stale: bool,
    started: bool,
    next_arc: usize,
    stack: Vec<u32>,
}

/// The supplies could not all be routed to the demands.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Infeasible;

impl Network {
    /// A network of `supply.len()` nodes with these supplies (positive: source, negative: sink;
    /// they must sum to zero). `art_cost` must exceed the cost of any simple path of real arcs.
    pub fn new(supply: Vec<i64>, art_cost: i64) -> Network {
        Network {
            n: supply.len(),
            supply,
            src: Vec::new(),
            dst: Vec::new(),
            cap: Vec::new(),
            cost: Vec::new(),
            flow: Vec::new(),
            state: Vec::new(),
            real_arcs: 0,
            art_cost,
            parent: Vec::new(),
            pred: Vec::new(),
            up: Vec::new(),
            depth: Vec::new(),
            first_child: Vec::new(),
            next_sib: Vec::new(),
            prev_sib: Vec::new(),
            pi: Vec::new(),
            potentials_stale: false,
            started: false,
            next_arc: 0,
            stack: Vec::new(),
        }
    }

    /// Add an arc `u → v`; only before the first [`Network::solve`].
    pub fn add_arc(&mut self, u: usize, v: usize, cap: i64, cost: i64) -> ArcIx {
        debug_assert!(!self.started, "arcs are fixed once solving starts");
        self.src.push(u as u32);
        self.dst.push(v as u32);
        self.cap.push(cap);
        self.cost.push(cost);
        self.flow.push(0);
        self.state.push(LOWER);
        self.real_arcs += 1;
        (self.real_arcs - 1) as ArcIx
    }

    /// Change an arc's cost; the next [`Network::solve`] starts from the current basis.
    pub fn set_cost(&mut self, a: ArcIx, cost: i64) {
        let a = a as usize;
        if self.cost[a] != cost {
            self.cost[a] = cost;
            if self.state[a] == TREE {
                self.potentials_stale = true;
            }
        }
    }

    /// The cost of an arc.
    pub fn cost(&self, a: ArcIx) -> i64 {
        self.cost[a as usize]
    }

    /// The potential of node `v` in the current basis (after [`Network::solve`]).
    pub fn potential(&self, v: usize) -> i128 {
        self.pi[v]
    }

    /// Flow on an arc in the current solution.
    pub fn flow(&self, a: ArcIx) -> i64 {
        self.flow[a as usize]
    }

    /// `Σ cost × flow` over the real arcs.
    pub fn total_cost(&self) -> i128 {
        self.cost[..self.real_arcs]
            .iter()
            .zip(&self.flow)
            .map(|(&c, &f)| i128::from(c) * i128::from(f))
            .sum()
    }

    fn start(&mut self) {
        let n = self.n;
        let root = n as u32;
        self.parent = vec![NIL; n + 1];
        self.pred = vec![NIL; n + 1];
        self.up = vec![false; n + 1];
        self.depth = vec![0; n + 1];
        self.first_child = vec![NIL; n + 1];
        self.next_sib = vec![NIL; n + 1];
        self.prev_sib = vec![NIL; n + 1];
        self.pi = vec![0; n + 1];
        for u in 0..n {
            let b = self.supply[u];
            let a = self.src.len() as u32;
            if b >= 0 {
                self.src.push(u as u32);
                self.dst.push(root);
                self.flow.push(b);
                self.up[u] = true;
                self.pi[u] = -i128::from(self.art_cost);
            } else {
                self.src.push(root);
                self.dst.push(u as u32);
                self.flow.push(-b);
                self.up[u] = false;
                self.pi[u] = i128::from(self.art_cost);
            }
            self.cap.push(UNBOUNDED);
            self.cost.push(self.art_cost);
            self.state.push(TREE);
            self.pred[u] = a;
            self.depth[u] = 1;
            self.add_child(root, u as u32);
        }
        self.started = true;
    }

    fn add_child(&mut self, p: u32, v: u32) {
        let p = p as usize;
        let head = self.first_child[p];
        self.next_sib[v as usize] = head;
        self.prev_sib[v as usize] = NIL;
        if head != NIL {
            self.prev_sib[head as usize] = v;
        }
        self.first_child[p] = v;
        self.parent[v as usize] = p as u32;
    }

    fn remove_child(&mut self, v: u32) {
        let (p, prev, next) = (
            self.parent[v as usize],
            self.prev_sib[v as usize],
            self.next_sib[v as usize],
        );
        if prev == NIL {
            self.first_child[p as usize] = next;
        } else {
            self.next_sib[prev as usize] = next;
        }
        if next != NIL {
            self.prev_sib[next as usize] = prev;
        }
        self.parent[v as usize] = NIL;
    }

    /// Recompute every potential from the root along the tree.
    fn refresh_potentials(&mut self) {
        let root = self.n as u32;
        self.pi[root as usize] = 0;
        self.stack.clear();
        self.stack.push(root);
        while let Some(u) = self.stack.pop() {
            let mut c = self.first_child[u as usize];
            while c != NIL {
                let a = self.pred[c as usize] as usize;
                let cu = self.pi[u as usize];
                let ca = i128::from(self.cost[a]);
                self.pi[c as usize] = if self.up[c as usize] {
                    cu - ca
                } else {
                    cu + ca
                };
                self.stack.push(c);
                c = self.next_sib[c as usize];
            }
        }
        self.potentials_stale = false;
    }

    #[inline]
    fn reduced(&self, a: usize) -> i128 {
        i128::from(self.cost[a]) + self.pi[self.src[a] as usize] - self.pi[self.dst[a] as usize]
    }

    /// Block search: the most violating arc within the first block that has one.
    fn entering(&mut self) -> Option<usize> {
        let m = self.src.len();
        let block = ((m as f64).sqrt() as usize).max(10);
        let mut best = 0i128;
        let mut best_arc = None;
        let mut seen = 0;
        let mut a = self.next_arc;
        for _ in 0..m {
            let s = self.state[a];
            if s != TREE {
                let c = i128::from(s) * self.reduced(a);
                if c < best {
                    best = c;
                    best_arc = Some(a);
                }
            }
            a += 1;
            if a == m {
                a = 0;
            }
            seen += 1;
            if seen == block {
                if best_arc.is_some() {
                    break;
                }
                seen = 0;
            }
        }
        self.next_arc = a;
        best_arc
    }

    fn join(&self, mut u: u32, mut v: u32) -> u32 {
        while u != v {
            if self.depth[u as usize] > self.depth[v as usize] {
                u = self.parent[u as usize];
            } else if self.depth[v as usize] > self.depth[u as usize] {
                v = self.parent[v as usize];
            } else {
                u = self.parent[u as usize];
                v = self.parent[v as usize];
            }
        }
        u
    }

    /// Solve from the current basis.
    pub fn solve(&mut self) -> Result<(), Infeasible> {
        if !self.started {
            self.start();
        }
        if self.potentials_stale {
            self.refresh_potentials();
        }
        while let Some(e) = self.entering() {
            self.pivot(e);
        }
        let any_art = self.flow[self.real_arcs..].iter().any(|&f| f > 0);
        if any_art { Err(Infeasible) } else { Ok(()) }
    }

    fn pivot(&mut self, e: usize) {
        let (first, second) = if self.state[e] == LOWER {
            (self.src[e], self.dst[e])
        } else {
            (self.dst[e], self.src[e])
        };
        let join = self.join(first, second);
        // Find the leaving arc: the bottleneck of the cycle, the last one met in the cycle's
        // direction on ties (this keeps the tree strongly feasible).
        let mut delta = self.cap[e];
        let mut out = NIL;
        let mut out_first_side = false;
        let mut u = first;
        while u != join {
            let a = self.pred[u as usize] as usize;
            let d = if self.up[u as usize] {
                self.flow[a]
            } else {
                residual(self.cap[a], self.flow[a])
            };
            if d < delta {
                delta = d;
                out = u;
                out_first_side = true;
            }
            u = self.parent[u as usize];
        }
        let mut u = second;
        while u != join {
            let a = self.pred[u as usize] as usize;
            let d = if self.up[u as usize] {
                residual(self.cap[a], self.flow[a])
            } else {
                self.flow[a]
            };
            if d <= delta {
                delta = d;
                out = u;
                out_first_side = false;
            }
            u = self.parent[u as usize];
        }
        if delta > 0 {
            let sign = i64::from(self.state[e]);
            self.flow[e] += sign * delta;
            let mut u = first;
            while u != join {
                let a = self.pred[u as usize] as usize;
                self.flow[a] += if self.up[u as usize] { -delta } else { delta };
                u = self.parent[u as usize];
            }
            let mut u = second;
            while u != join {
                let a = self.pred[u as usize] as usize;
                self.flow[a] += if self.up[u as usize] { delta } else { -delta };
                u = self.parent[u as usize];
            }
        }
        if out == NIL {
            // The entering arc is its own bottleneck: it moves to its other bound.
            self.state[e] = -self.state[e];
            return;
        }
        let leaving = self.pred[out as usize] as usize;
        self.state[leaving] = if self.flow[leaving] == 0 {
            LOWER
        } else {
            UPPER
        };
        self.state[e] = TREE;
        // The subtree under `out` hangs from the entering arc's endpoint inside it.
        let (u_in, v_in) = if out_first_side {
            (first, second)
        } else {
            (second, first)
        };
        self.rehang(out, u_in, v_in, e as u32);
    }

    /// Cut the subtree rooted at `out` and re-root it at `u_in`, which now hangs from `v_in` by
    /// arc `e`; shift the subtree's potentials and depths to match.
    fn rehang(&mut self, out: u32, u_in: u32, v_in: u32, e: u32) {
        // Reverse the path u_in → … → out.
        let mut x = u_in;
        let mut new_parent = v_in;
        let mut new_pred = e;
        let mut new_up = self.src[e as usize] == u_in;
        loop {
            let old_parent = self.parent[x as usize];
            let old_pred = self.pred[x as usize];
            let old_up = self.up[x as usize];
            self.remove_child(x);
            self.add_child(new_parent, x);
            self.pred[x as usize] = new_pred;
            self.up[x as usize] = new_up;
            if x == out {
                break;
            }
            new_parent = x;
            new_pred = old_pred;
            new_up = !old_up;
            x = old_parent;
        }
        // Shift potentials so the entering arc has zero reduced cost; fix depths.
        let a = e as usize;
        let want = if self.src[a] == u_in {
            self.pi[self.dst[a] as usize] - i128::from(self.cost[a])
        } else {
            self.pi[self.src[a] as usize] + i128::from(self.cost[a])
        };
        let sigma = want - self.pi[u_in as usize];
        self.stack.clear();
        self.stack.push(u_in);
        while let Some(u) = self.stack.pop() {
            self.pi[u as usize] += sigma;
            self.depth[u as usize] = self.depth[self.parent[u as usize] as usize] + 1;
            let mut c = self.first_child[u as usize];
            while c != NIL {
                self.stack.push(c);
                c = self.next_sib[c as usize];
            }
        }
    }
}

fn residual(cap: i64, flow: i64) -> i64 {
    if cap >= UNBOUNDED {
        UNBOUNDED
    } else {
        cap - flow
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force over all 0/1 flows of a tiny transportation problem.
    fn brute(costs: &[Vec<Option<i64>>], caps: &[i64]) -> Option<i64> {
        fn go(
            p: usize,
            costs: &[Vec<Option<i64>>],
            load: &mut Vec<i64>,
            caps: &[i64],
            acc: i64,
        ) -> Option<i64> {
            if p == costs.len() {
                return Some(acc);
            }
            let mut best = None;
            for (s, c) in costs[p].iter().enumerate() {
                if let Some(c) = c
                    && load[s] < caps[s]
                {
                    load[s] += 1;
                    if let Some(v) = go(p + 1, costs, load, caps, acc + c) {
                        best = Some(best.map_or(v, |b: i64| b.min(v)));
                    }
                    load[s] -= 1;
                }
            }
            best
        }
        go(0, costs, &mut vec![0; caps.len()], caps, 0)
    }

    fn net(costs: &[Vec<Option<i64>>], caps: &[i64]) -> (Network, Vec<(usize, usize, ArcIx)>) {
        let (np, ns) = (costs.len(), caps.len());
        let mut supply = vec![1; np];
        supply.extend(std::iter::repeat_n(0, ns));
        supply.push(-(np as i64));
        let mut net = Network::new(supply, 1_000_000);
        let mut arcs = Vec::new();
        for (p, row) in costs.iter().enumerate() {
            for (s, c) in row.iter().enumerate() {
                if let Some(c) = c {
                    arcs.push((p, s, net.add_arc(p, np + s, 1, *c)));
                }
            }
        }
        for (s, &cap) in caps.iter().enumerate() {
            net.add_arc(np + s, np + ns, cap, 0);
        }
        (net, arcs)
    }

    #[test]
    fn matches_brute_force_and_stays_optimal_after_cost_changes() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..300 {
            let np = 1 + (next() % 6) as usize;
            let ns = 1 + (next() % 4) as usize;
            let caps: Vec<i64> = (0..ns).map(|_| (next() % 3) as i64).collect();
            let mut costs: Vec<Vec<Option<i64>>> = (0..np)
                .map(|_| {
                    (0..ns)
                        .map(|_| (next() % 4 != 0).then(|| (next() % 20) as i64 - 5))
                        .collect()
                })
                .collect();
            let (mut n, arcs) = net(&costs, &caps);
            let want = brute(&costs, &caps);
            assert_eq!(n.solve().ok().map(|()| n.total_cost() as i64), want);
            if want.is_none() {
                continue;
            }
            // Warm re-solve after changing some costs.
            for &(p, s, a) in &arcs {
                if next() % 3 == 0 {
                    let c = (next() % 30) as i64 - 10;
                    costs[p][s] = Some(c);
                    n.set_cost(a, c);
                }
            }
            let want = brute(&costs, &caps);
            assert_eq!(n.solve().ok().map(|()| n.total_cost() as i64), want);
        }
    }
}
