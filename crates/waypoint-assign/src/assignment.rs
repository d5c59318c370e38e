//! An assignment of people to sections, its feasibility check, its objective value, and
//! `assignments.csv`.

use std::io::Write;

use serde::Serialize;

use crate::model::{CourseIx, Instance, PersonIx, RankCost, SectionIx, SlotIx};

/// Placement costs for one instance: the configured rank cost, and a weight for unranked
/// placements larger than any possible total of ranked ones, which makes the single weighted sum
/// equal to the lexicographic objective.
#[derive(Debug, Clone)]
pub struct Costs {
    rank: RankCost,
    unranked: i64,
    overflow: i64,
}

impl Costs {
    /// Costs for `inst` under `rank`.
    pub fn new(inst: &Instance, rank: RankCost) -> Costs {
        let max_rank = inst
            .people
            .iter()
            .flat_map(|p| p.ranked.iter().map(|&(_, r)| rank.of(r)))
            .max()
            .unwrap_or(1);
        let placements = inst.placements_needed() as i64;
        let unranked = max_rank.saturating_mul(placements).saturating_add(1);
        // Overflow (an unseatable person) must dominate everything else but still leave room for
        // path sums over a few thousand arcs.
        let overflow = unranked
            .saturating_mul(placements.saturating_add(1))
            .min(i64::MAX >> 14);
        Costs {
            rank,
            unranked,
            overflow,
        }
    }
    /// The rank cost function.
    pub fn rank_cost(&self) -> &RankCost {
        &self.rank
    }
    /// The weight of one unranked placement (more than all ranked placements together).
    pub fn unranked(&self) -> i64 {
        self.unranked
    }
    pub(crate) fn overflow(&self) -> i64 {
        self.overflow
    }
    /// Cost of seating `p` in a section of course `c`: the rank cost if ranked, zero for an
    /// unranked required course (it is not a choice), the unranked weight otherwise.
    pub fn of(&self, inst: &Instance, p: PersonIx, c: CourseIx) -> i64 {
        let person = &inst.people[p];
        match person.rank_of(c) {
            Some(r) => self.rank.of(r),
            None if person.required.contains(&c) => 0,
            None => self.unranked,
        }
    }
}

/// The value of an assignment under the lexicographic objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Objective {
    /// Placements in courses the person did not rank (required courses excluded).
    pub unranked: u64,
    /// Sum of rank costs over ranked placements.
    pub rank_cost: i64,
    /// `unranked × weight + rank_cost`, the single number the solver minimises.
    pub weighted: i128,
}

/// Who sits where: for each person and slot, a section (their own when facilitating) or nothing
/// when absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    n_slots: usize,
    seats: Vec<Option<SectionIx>>,
}

impl Assignment {
    pub(crate) fn from_seats(n_slots: usize, seats: Vec<Option<SectionIx>>) -> Assignment {
        Assignment { n_slots, seats }
    }
    /// The section `p` is in during `t`, if any.
    pub fn section(&self, p: PersonIx, t: SlotIx) -> Option<SectionIx> {
        self.seats[p * self.n_slots + t]
    }

    /// Check every rule of the model; returns the violations found (empty when feasible).
    pub fn violations(&self, inst: &Instance) -> Vec<String> {
        let mut out = Vec::new();
        let n_t = inst.n_slots();
        if self.n_slots != n_t || self.seats.len() != inst.people.len() * n_t {
            out.push("assignment does not match the instance's shape".to_owned());
            return out;
        }
        let mut load = vec![0u32; inst.sections.len()];
        for (p, person) in inst.people.iter().enumerate() {
            let mut taken: Vec<CourseIx> = Vec::new();
            for t in 0..n_t {
                let got = self.section(p, t);
                if let Some(lead) = inst.leads[p][t] {
                    if got != Some(lead) {
                        out.push(format!(
                            "{} must be in their own section in slot {t}",
                            person.id
                        ));
                    }
                    continue;
                }
                if person.is_absent(t) {
                    if got.is_some() {
                        out.push(format!("{} is absent from slot {t} but placed", person.id));
                    }
                    continue;
                }
                let Some(s) = got else {
                    out.push(format!("{} has no section in slot {t}", person.id));
                    continue;
                };
                let sec = &inst.sections[s];
                if sec.slot != t {
                    out.push(format!(
                        "{}: section {} is not in slot {t}",
                        person.id, sec.id
                    ));
                }
                if !inst.may_take(p, sec.course) {
                    out.push(format!(
                        "{} may not take course {}",
                        person.id, inst.courses[sec.course].id
                    ));
                }
                if taken.contains(&sec.course) {
                    out.push(format!(
                        "{} takes course {} twice",
                        person.id, inst.courses[sec.course].id
                    ));
                }
                taken.push(sec.course);
                load[s] += 1;
            }
            for c in inst.open_requirements(p) {
                if !taken.contains(&c) {
                    out.push(format!(
                        "{} misses required course {}",
                        person.id, inst.courses[c].id
                    ));
                }
            }
        }
        for (s, &l) in load.iter().enumerate() {
            if l > inst.sections[s].capacity {
                out.push(format!(
                    "section {} has {l} people for {} seats",
                    inst.sections[s].id, inst.sections[s].capacity
                ));
            }
        }
        out
    }

    /// The objective value under `costs`.
    pub fn objective(&self, inst: &Instance, costs: &Costs) -> Objective {
        let mut unranked = 0u64;
        let mut rank_cost = 0i64;
        for p in 0..inst.people.len() {
            for t in 0..inst.n_slots() {
                if !inst.is_seated(p, t) {
                    continue;
                }
                if let Some(s) = self.section(p, t) {
                    let c = costs.of(inst, p, inst.sections[s].course);
                    if c == costs.unranked() {
                        unranked += 1;
                    } else {
                        rank_cost += c;
                    }
                }
            }
        }
        Objective {
            unranked,
            rank_cost,
            weighted: i128::from(unranked) * i128::from(costs.unranked()) + i128::from(rank_cost),
        }
    }

    /// Write `assignments.csv`: `person_id,slot,section_id,course_id,rank`, one row per person per
    /// slot they attend (absent slots have no row); rank is empty when unranked or facilitating.
    pub fn write_csv<W: Write>(&self, inst: &Instance, out: W) -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(out);
        writeln!(w, "person_id,slot,section_id,course_id,rank")?;
        for (p, person) in inst.people.iter().enumerate() {
            for t in 0..inst.n_slots() {
                let Some(s) = self.section(p, t) else {
                    continue;
                };
                let sec = &inst.sections[s];
                let rank = if inst.leads[p][t].is_some() {
                    None
                } else {
                    person.rank_of(sec.course)
                };
                let rank = rank.map(|r| r.to_string()).unwrap_or_default();
                writeln!(
                    w,
                    "{},{},{},{},{}",
                    csv_field(&person.id),
                    csv_field(&inst.slots[t]),
                    csv_field(&sec.id),
                    csv_field(&inst.courses[sec.course].id),
                    rank
                )?;
            }
        }
        w.flush()
    }
}

/// Quote a field when it contains a delimiter, quote or line break.
pub(crate) fn csv_field(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        std::borrow::Cow::Owned(format!("\"{}\"", s.replace('"', "\"\"")))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}
