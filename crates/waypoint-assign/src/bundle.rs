//! One person's best bundle: a section in each slot they need a seat in, no course twice, every
//! open requirement covered, minimising the sum of option values. A small dynamic programme over
//! candidate courses with the set of filled slots (and met requirements) as state; used by the
//! serial dictatorship, the Lagrangian bound and the repair step.

use crate::model::{CourseIx, SectionIx, SlotIx};

/// One option: take `course` in `slot` via `section`, at `value`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Choice {
    pub slot: SlotIx,
    pub course: CourseIx,
    pub section: SectionIx,
    pub value: f64,
}

/// Reusable scratch space for [`BundleSolver::solve`].
#[derive(Debug, Default)]
pub(crate) struct BundleSolver {
    options: Vec<Choice>,
    dp: Vec<f64>,
    next: Vec<f64>,
    /// Per layer and state: option index + 1 taken to reach it (0 = skipped).
    choice: Vec<u32>,
    layers: Vec<(usize, usize)>,
    pub bundle: Vec<(SlotIx, SectionIx)>,
}

impl BundleSolver {
    pub fn clear(&mut self) {
        self.options.clear();
    }

    /// Add an option; for each `(course, slot)` only the first or cheapest matters.
    pub fn push(&mut self, o: Choice) {
        self.options.push(o);
    }

    /// Whether an option for `course` in `slot` has been added.
    pub fn has(&self, course: CourseIx, slot: SlotIx) -> bool {
        self.options
            .iter()
            .any(|o| o.course == course && o.slot == slot)
    }

    /// Whether any option for `course` has been added.
    pub fn has_course(&self, course: CourseIx) -> bool {
        self.options.iter().any(|o| o.course == course)
    }

    /// Solve; `seated` is the bit set of slots to fill, `required` the courses that must appear.
    /// On success `self.bundle` holds the chosen `(slot, section)` pairs and the total is returned.
    pub fn solve(&mut self, seated: u32, required: &[CourseIx]) -> Option<f64> {
        self.bundle.clear();
        if seated == 0 {
            return if required.is_empty() { Some(0.0) } else { None };
        }
        // Group options by course (stable), so each course is one DP layer.
        self.options.sort_by_key(|o| o.course);
        self.layers.clear();
        let mut i = 0;
        while i < self.options.len() {
            let c = self.options[i].course;
            let mut j = i;
            while j < self.options.len() && self.options[j].course == c {
                j += 1;
            }
            self.layers.push((i, j));
            i = j;
        }
        let n_slot_bits = 32 - seated.leading_zeros();
        let rbits = required.len() as u32;
        let n_states = 1usize << (n_slot_bits + rbits);
        let full = seated as usize | (((1usize << rbits) - 1) << n_slot_bits);
        self.dp.clear();
        self.dp.resize(n_states, f64::INFINITY);
        self.dp[0] = 0.0;
        self.choice.clear();
        self.choice.resize(n_states * self.layers.len(), 0);
        for (li, &(a, b)) in self.layers.iter().enumerate() {
            let course = self.options[a].course;
            let rbit = required
                .iter()
                .position(|&c| c == course)
                .map_or(0, |k| 1usize << (n_slot_bits as usize + k));
            self.next.clear();
            self.next.extend_from_slice(&self.dp);
            let base = li * n_states;
            for state in 0..n_states {
                let v = self.dp[state];
                if v == f64::INFINITY {
                    continue;
                }
                for (k, o) in self.options[a..b].iter().enumerate() {
                    let bit = 1usize << o.slot;
                    if state & bit != 0 || seated as usize & bit == 0 {
                        continue;
                    }
                    let ns = state | bit | rbit;
                    let nv = v + o.value;
                    if nv < self.next[ns] {
                        self.next[ns] = nv;
                        self.choice[base + ns] = (a + k + 1) as u32;
                    }
                }
            }
            std::mem::swap(&mut self.dp, &mut self.next);
        }
        let best = self.dp[full];
        if best == f64::INFINITY {
            return None;
        }
        // Walk back: at layer li, state s was reached by its recorded option or by skipping.
        let mut state = full;
        for li in (0..self.layers.len()).rev() {
            let ch = self.choice[li * n_states + state];
            if ch == 0 {
                continue;
            }
            let o = self.options[ch as usize - 1];
            self.bundle.push((o.slot, o.section));
            let rbit = required
                .iter()
                .position(|&c| c == o.course)
                .map_or(0, |k| 1usize << (n_slot_bits as usize + k));
            state &= !(1usize << o.slot);
            state &= !rbit;
        }
        Some(best)
    }
}
