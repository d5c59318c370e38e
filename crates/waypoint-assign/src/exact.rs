//! Exhaustive branch and bound for small instances (a workshop, a test case): closes whatever gap
//! the Lagrangian bound leaves by proving the incumbent optimal or finding a better one. Bounded
//! by a node budget; when the budget runs out nothing is claimed.

use crate::assignment::Costs;
use crate::model::{CourseIx, Instance, PersonIx, SlotIx};
use crate::state::State;

/// Instances with more seated placements than this are left to the bound.
pub(crate) const MAX_PLACEMENTS: usize = 40;
const NODE_BUDGET: u64 = 3_000_000;

struct Search<'a> {
    inst: &'a Instance,
    costs: &'a Costs,
    slots: Vec<(PersonIx, SlotIx)>,
    /// Cheapest possible cost of each remaining placement, suffix-summed.
    rest: Vec<i128>,
    load: Vec<u32>,
    taken: Vec<Vec<CourseIx>>,
    pick: Vec<usize>,
    best: i128,
    best_pick: Option<Vec<usize>>,
    nodes: u64,
}

impl Search<'_> {
    fn go(&mut self, i: usize, acc: i128) {
        self.nodes += 1;
        if self.nodes > NODE_BUDGET || acc + self.rest[i] >= self.best {
            return;
        }
        let Some(&(p, t)) = self.slots.get(i) else {
            let met = (0..self.inst.people.len()).all(|q| {
                self.inst
                    .open_requirements(q)
                    .all(|c| self.taken[q].contains(&c))
            });
            if met {
                self.best = acc;
                self.best_pick = Some(self.pick.clone());
            }
            return;
        };
        let mut options: Vec<(i64, usize)> = self
            .inst
            .slot_sections(t)
            .iter()
            .copied()
            .filter(|&s| {
                let sec = &self.inst.sections[s];
                self.load[s] < sec.capacity
                    && !self.taken[p].contains(&sec.course)
                    && self.inst.may_take(p, sec.course)
            })
            .map(|s| (self.costs.of(self.inst, p, self.inst.sections[s].course), s))
            .collect();
        options.sort_unstable();
        for (c, s) in options {
            let course = self.inst.sections[s].course;
            self.load[s] += 1;
            self.taken[p].push(course);
            self.pick.push(s);
            self.go(i + 1, acc + i128::from(c));
            self.pick.pop();
            self.taken[p].pop();
            self.load[s] -= 1;
        }
    }
}

/// Search for an assignment cheaper than `incumbent`. Returns `Some(proven optimum)` when the
/// search finished (updating `st` if it found a better assignment), `None` when it gave up.
pub(crate) fn solve_small(st: &mut State<'_>, costs: &Costs, incumbent: i128) -> Option<i128> {
    let inst = st.inst;
    let nt = inst.n_slots();
    let slots: Vec<(PersonIx, SlotIx)> = (0..inst.people.len())
        .flat_map(|p| (0..nt).map(move |t| (p, t)))
        .filter(|&(p, t)| inst.is_seated(p, t))
        .collect();
    if slots.len() > MAX_PLACEMENTS {
        return None;
    }
    let mut rest = vec![0i128; slots.len() + 1];
    for i in (0..slots.len()).rev() {
        let (p, t) = slots[i];
        let min = inst
            .slot_sections(t)
            .iter()
            .filter(|&&s| inst.may_take(p, inst.sections[s].course))
            .map(|&s| costs.of(inst, p, inst.sections[s].course))
            .min()
            .unwrap_or(0);
        rest[i] = rest[i + 1] + i128::from(min);
    }
    let taken = (0..inst.people.len())
        .map(|p| {
            (0..nt)
                .filter_map(|t| inst.leads(p, t).map(|s| inst.sections[s].course))
                .collect()
        })
        .collect();
    let mut search = Search {
        inst,
        costs,
        slots,
        rest,
        load: vec![0; inst.sections.len()],
        taken,
        pick: Vec::new(),
        best: incumbent,
        best_pick: None,
        nodes: 0,
    };
    search.go(0, 0);
    if search.nodes > NODE_BUDGET {
        return None;
    }
    if let Some(pick) = search.best_pick {
        for (&(p, t), &s) in search.slots.iter().zip(&pick) {
            st.place(p, t, s as u32);
        }
    }
    Some(search.best)
}
