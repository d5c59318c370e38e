//! The mutable working assignment the mechanisms build and improve: a seat per person per slot,
//! section loads, and the rule checks a single move needs.

use crate::assignment::Assignment;
use crate::model::{CourseIx, Infeasibility, Instance, PersonIx, SectionIx, SlotIx};

/// No seat (absent, or not yet placed).
pub(crate) const NONE: u32 = u32::MAX;
/// A virtual section of unlimited size per slot for people who could not be seated yet; the
/// local search prices it above everything else, so it empties whenever that is possible.
pub(crate) const OVER: u32 = u32::MAX - 1;

#[derive(Debug, Clone)]
pub(crate) struct State<'a> {
    pub inst: &'a Instance,
    pub nt: usize,
    pub seat: Vec<u32>,
    pub load: Vec<u32>,
}

impl<'a> State<'a> {
    /// Facilitators in their own sections, everyone else unplaced.
    pub fn new(inst: &'a Instance) -> State<'a> {
        let nt = inst.n_slots();
        let mut seat = vec![NONE; inst.people.len() * nt];
        for (p, row) in inst.leads.iter().enumerate() {
            for (t, lead) in row.iter().enumerate() {
                if let Some(s) = lead {
                    seat[p * nt + t] = *s as u32;
                }
            }
        }
        State {
            inst,
            nt,
            seat,
            load: vec![0; inst.sections.len()],
        }
    }

    pub fn get(&self, p: PersonIx, t: SlotIx) -> u32 {
        self.seat[p * self.nt + t]
    }

    /// Seat `p` in `s` (a real section or [`OVER`]) in slot `t`, leaving any previous seat.
    pub fn place(&mut self, p: PersonIx, t: SlotIx, s: u32) {
        self.unplace(p, t);
        if s != OVER && s != NONE {
            self.load[s as usize] += 1;
        }
        self.seat[p * self.nt + t] = s;
    }

    pub fn unplace(&mut self, p: PersonIx, t: SlotIx) {
        let old = self.seat[p * self.nt + t];
        if old != OVER && old != NONE {
            self.load[old as usize] -= 1;
        }
        self.seat[p * self.nt + t] = NONE;
    }

    pub fn course_at(&self, p: PersonIx, t: SlotIx) -> Option<CourseIx> {
        let s = self.get(p, t);
        (s != NONE && s != OVER).then(|| self.inst.sections[s as usize].course)
    }

    /// Whether `p` takes (or leads) course `c` in a slot other than `t`.
    pub fn holds_elsewhere(&self, p: PersonIx, c: CourseIx, t: SlotIx) -> bool {
        (0..self.nt).any(|u| u != t && self.course_at(p, u) == Some(c))
    }

    /// Whether `p` could sit in a section of course `c` in slot `t`, ignoring capacity.
    pub fn allowed(&self, p: PersonIx, c: CourseIx, t: SlotIx) -> bool {
        self.inst.may_take(p, c) && !self.holds_elsewhere(p, c, t)
    }

    pub fn has_room(&self, s: SectionIx) -> bool {
        self.load[s] < self.inst.sections[s].capacity
    }

    /// Seated slots of `p` as a bit set.
    pub fn seated_mask(&self, p: PersonIx) -> u32 {
        (0..self.nt)
            .filter(|&t| self.inst.is_seated(p, t))
            .fold(0, |m, t| m | 1 << t)
    }

    /// The finished assignment, or which slots still have unseatable people.
    pub fn finish(&self) -> Result<Assignment, Vec<Infeasibility>> {
        let mut over = vec![0u64; self.nt];
        for (i, &s) in self.seat.iter().enumerate() {
            let (p, t) = (i / self.nt, i % self.nt);
            if (s == OVER || s == NONE) && self.inst.is_seated(p, t) {
                over[t] += 1;
            }
        }
        let problems: Vec<_> = over
            .iter()
            .enumerate()
            .filter(|&(_, &n)| n > 0)
            .map(|(t, &n)| Infeasibility::Unseatable {
                slot: self.inst.slots[t].clone(),
                people: n,
            })
            .collect();
        if !problems.is_empty() {
            return Err(problems);
        }
        let seats = self
            .seat
            .iter()
            .map(|&s| (s != NONE).then_some(s as SectionIx))
            .collect();
        Ok(Assignment::from_seats(self.nt, seats))
    }
}
