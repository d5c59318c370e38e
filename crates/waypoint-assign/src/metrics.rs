//! How good an assignment is for the people in it: the outcome profile, first-choice and top-3
//! shares, the worst rank, the objective under each rank cost, the bound and gap, and envy.
//! Rendered as a one-screen text report or serialised as JSON.

use std::fmt::Write as _;

use serde::Serialize;

use crate::assignment::Objective;
use crate::model::{Instance, RankCost};
use crate::{Bound, Outcome};

/// Envy among participants of a slot: `p` envies `q` in slot `t` when `p` ranks `q`'s course above
/// their own and the two could swap without breaking any rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Envy {
    /// People with at least one such envy.
    pub people: u64,
    /// Envious `(p, q, slot)` triples.
    pub pairs: u64,
}

/// Everything reported about one outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Mechanism name.
    pub mechanism: &'static str,
    /// People in the instance.
    pub people: usize,
    /// Slots.
    pub slots: usize,
    /// Sections.
    pub sections: usize,
    /// Seated placements (excluding facilitating and absences).
    pub placements: u64,
    /// Facilitating placements.
    pub facilitating: u64,
    /// `profile[r - 1]`: placements at rank `r`.
    pub profile: Vec<u64>,
    /// Placements in required courses the person did not rank.
    pub required_unranked: u64,
    /// Placements in courses the person did not rank (and was not required to take).
    pub unranked: u64,
    /// Share of people with a ranked list who got their first choice in some slot.
    pub first_choice_share: f64,
    /// Share of people with seated placements whose placements are all ranked 1–3.
    pub all_top3_share: f64,
    /// Worst rank anyone got among ranked placements (`None` when no one got a ranked one).
    pub worst_rank: Option<u16>,
    /// The rank cost the objective uses.
    pub rank_cost: RankCost,
    /// The objective (unranked placements, then rank cost).
    pub objective: Objective,
    /// Sum of rank costs of this same assignment under each rank-cost choice.
    pub rank_cost_under: Vec<(RankCost, i64)>,
    /// For the optimal mechanism: lower bound, gap, whether proven optimal.
    pub bound: Option<Bound>,
    /// Envy counts.
    pub envy: Envy,
    /// Solve time in milliseconds.
    pub elapsed_ms: f64,
}

/// Compute the report for an outcome.
pub fn report(inst: &Instance, out: &Outcome) -> Report {
    let a = &out.assignment;
    let nt = inst.n_slots();
    let mut profile: Vec<u64> = Vec::new();
    let (mut placements, mut facilitating, mut unranked, mut required_unranked) = (0, 0, 0, 0);
    let (mut with_list, mut got_first, mut with_seats, mut all_top3) = (0u64, 0u64, 0u64, 0u64);
    let mut worst: Option<u16> = None;
    let alternatives = [RankCost::Squared, RankCost::Linear, RankCost::Exponential];
    let mut under = vec![0i64; alternatives.len()];
    for (p, person) in inst.people.iter().enumerate() {
        let first = person.ranked.first().map(|&(c, _)| c);
        let mut had_first = false;
        let mut seated = 0;
        let mut top3 = true;
        for t in 0..nt {
            let Some(s) = a.section(p, t) else { continue };
            if inst.leads(p, t).is_some() {
                facilitating += 1;
                continue;
            }
            placements += 1;
            seated += 1;
            let c = inst.sections[s].course;
            if Some(c) == first {
                had_first = true;
            }
            match person.rank_of(c) {
                Some(r) => {
                    let i = usize::from(r) - 1;
                    if profile.len() <= i {
                        profile.resize(i + 1, 0);
                    }
                    profile[i] += 1;
                    worst = Some(worst.map_or(r, |w| w.max(r)));
                    if r > 3 {
                        top3 = false;
                    }
                    for (k, rc) in alternatives.iter().enumerate() {
                        under[k] += rc.of(r);
                    }
                }
                None if person.required.contains(&c) => required_unranked += 1,
                None => {
                    unranked += 1;
                    top3 = false;
                }
            }
        }
        if !person.ranked.is_empty() && seated > 0 {
            with_list += 1;
            got_first += u64::from(had_first);
        }
        if seated > 0 {
            with_seats += 1;
            all_top3 += u64::from(top3);
        }
    }
    let share = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    Report {
        mechanism: out.mechanism.name(),
        people: inst.people.len(),
        slots: nt,
        sections: inst.sections.len(),
        placements,
        facilitating,
        profile,
        required_unranked,
        unranked,
        first_choice_share: share(got_first, with_list),
        all_top3_share: share(all_top3, with_seats),
        worst_rank: worst,
        rank_cost: out.costs.rank_cost().clone(),
        objective: out.objective,
        rank_cost_under: alternatives.into_iter().zip(under).collect(),
        bound: out.bound,
        envy: envy(inst, out),
        elapsed_ms: out.elapsed.as_secs_f64() * 1e3,
    }
}

fn envy(inst: &Instance, out: &Outcome) -> Envy {
    let a = &out.assignment;
    let nt = inst.n_slots();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); inst.sections.len()];
    for p in 0..inst.people.len() {
        for t in 0..nt {
            if let Some(s) = a.section(p, t).filter(|_| inst.is_seated(p, t)) {
                members[s].push(p);
            }
        }
    }
    let holds_elsewhere = |p: usize, c: usize, t: usize| {
        (0..nt).any(|u| {
            u != t
                && a.section(p, u)
                    .is_some_and(|s| inst.sections[s].course == c)
        })
    };
    let mut e = Envy::default();
    for (p, person) in inst.people.iter().enumerate() {
        let mut envious = false;
        for t in 0..nt {
            if !inst.is_seated(p, t) {
                continue;
            }
            let Some(mine) = a.section(p, t) else {
                continue;
            };
            let my_course = inst.sections[mine].course;
            if inst.open_requirements(p).any(|r| r == my_course) {
                continue;
            }
            let my_rank = person.rank_of(my_course).unwrap_or(u16::MAX);
            for &(c, r) in &person.ranked {
                if r >= my_rank {
                    break;
                }
                if !inst.may_take(p, c) || holds_elsewhere(p, c, t) {
                    continue;
                }
                for &s in inst.course_sections_in(c, t) {
                    for &q in &members[s] {
                        let q_locked = inst.open_requirements(q).any(|r| r == c);
                        if !q_locked
                            && inst.may_take(q, my_course)
                            && !holds_elsewhere(q, my_course, t)
                        {
                            e.pairs += 1;
                            envious = true;
                        }
                    }
                }
            }
        }
        e.people += u64::from(envious);
    }
    e
}

impl Report {
    /// One screen of text.
    pub fn text(&self) -> String {
        let mut s = String::new();
        let pct = |x: f64| format!("{:.1}%", x * 100.0);
        let _ = writeln!(
            s,
            "mechanism {}: {} people, {} slots, {} sections, {} placements (+{} facilitating), {:.0} ms",
            self.mechanism,
            self.people,
            self.slots,
            self.sections,
            self.placements,
            self.facilitating,
            self.elapsed_ms
        );
        let _ = writeln!(s, "outcome profile:");
        let max = self
            .profile
            .iter()
            .copied()
            .chain([self.unranked])
            .max()
            .unwrap_or(1)
            .max(1);
        let bar = |n: u64| "#".repeat(((n * 40).div_ceil(max)) as usize);
        for (i, &n) in self.profile.iter().enumerate() {
            let _ = writeln!(s, "  rank {:>2}: {:>7}  {}", i + 1, n, bar(n));
        }
        let _ = writeln!(
            s,
            "  unranked: {:>6}  {}",
            self.unranked,
            bar(self.unranked)
        );
        if self.required_unranked > 0 {
            let _ = writeln!(s, "  required (unranked): {}", self.required_unranked);
        }
        let _ = writeln!(
            s,
            "first choice somewhere: {}   all in top 3: {}   worst rank: {}",
            pct(self.first_choice_share),
            pct(self.all_top3_share),
            match (self.unranked, self.worst_rank) {
                (0, Some(w)) => w.to_string(),
                (0, None) => "-".to_owned(),
                (_, _) => "unranked".to_owned(),
            }
        );
        let _ = writeln!(
            s,
            "objective ({:?}): {} unranked, rank cost {}",
            self.rank_cost, self.objective.unranked, self.objective.rank_cost
        );
        let alts: Vec<String> = self
            .rank_cost_under
            .iter()
            .map(|(rc, v)| format!("{rc:?} {v}"))
            .collect();
        let _ = writeln!(s, "rank cost of this assignment under: {}", alts.join(", "));
        if let Some(b) = &self.bound {
            if b.proven_optimal {
                let _ = writeln!(s, "proven optimal: no assignment does better");
            } else {
                let _ = writeln!(
                    s,
                    "bound: every assignment has at least {} unranked placements, and with no more \
                     than {} a rank cost of at least {}; gap {:.4}%",
                    b.min_unranked,
                    self.objective.unranked,
                    b.min_rank_cost,
                    b.gap * 100.0
                );
            }
        }
        let _ = writeln!(
            s,
            "envy: {} people envy a swappable seat ({} pairs)",
            self.envy.people, self.envy.pairs
        );
        s
    }

    /// Pretty-printed JSON.
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}
