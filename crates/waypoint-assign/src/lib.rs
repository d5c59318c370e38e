//! Waypoint's PD-day assignment engine: who goes to which breakout session.
//!
//! Pure: bytes or values in, an [`Assignment`] and a [`Report`] out; no HTTP, no SQL, no clock but
//! the run-time limit. The same inputs and seed give the same assignment.
//!
//! ```text
//! sessions.csv ─┐
//! preferences.csv ─ parse::parse_instance ─ Instance ─ solve(Mechanism) ─ Outcome ─┬ Assignment::write_csv
//! people.csv ───┘                                                                   └ Report (text / JSON)
//! ```
//!
//! - [`model`]: slots, courses, sections, people; [`Instance::infeasibilities`].
//! - [`parse`]: the CSV formats, with errors located by file, line and column.
//! - [`solve`] with [`Mechanism::Optimal`] (lexicographic objective, certified lower bound),
//!   [`Mechanism::Fcfs`] or [`Mechanism::Rsd`].
//! - [`metrics`]: profile, shares, worst rank, envy; text and JSON reports.
//! - [`generate`]: seeded PD days shaped like a real one, and larger conferences.

pub mod assignment;
mod bundle;
mod exact;
pub mod generate;
mod greedy;
mod improve;
mod market;
pub mod metrics;
pub mod model;
mod netsimplex;
mod optimal;
pub mod parse;
mod slotnet;
mod smooth;
mod state;

use std::time::{Duration, Instant};

use serde::Serialize;

pub use assignment::{Assignment, Costs, Objective};
pub use metrics::Report;
pub use model::{Infeasibility, Instance, InstanceBuilder, ModelError, RankCost};
pub use parse::{ParseError, Source, parse_instance, read_instance};

/// How seats are handed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mechanism {
    /// Minimise unranked placements, then the sum of rank costs; with a certified lower bound.
    Optimal,
    /// First come, first served: each arrival takes their best still-open choice slot by slot.
    Fcfs,
    /// Random serial dictatorship: each arrival takes their best still-feasible bundle.
    Rsd,
}

impl Mechanism {
    /// Parse `optimal`, `fcfs` or `rsd`.
    pub fn parse(s: &str) -> Option<Mechanism> {
        match s {
            "optimal" => Some(Mechanism::Optimal),
            "fcfs" => Some(Mechanism::Fcfs),
            "rsd" => Some(Mechanism::Rsd),
            _ => None,
        }
    }
    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::Optimal => "optimal",
            Mechanism::Fcfs => "fcfs",
            Mechanism::Rsd => "rsd",
        }
    }
}

/// Parameters of a run.
#[derive(Debug, Clone)]
pub struct SolveOptions {
    /// Which mechanism.
    pub mechanism: Mechanism,
    /// Seed for arrival orders and tie-breaking.
    pub seed: u64,
    /// Stop improving after this long; the optimal mechanism then reports its gap.
    pub time_limit: Option<Duration>,
    /// The cost of a placement at each rank.
    pub rank_cost: RankCost,
    /// Arrival order for `fcfs`/`rsd` (person indices); a seeded shuffle when `None`.
    pub arrival_order: Option<Vec<usize>>,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            mechanism: Mechanism::Optimal,
            seed: 0,
            time_limit: None,
            rank_cost: RankCost::Squared,
            arrival_order: None,
        }
    }
}

/// A progress note from a running solve.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// What the solver is doing.
    pub phase: &'static str,
    /// Time since the solve started.
    pub elapsed: Duration,
    /// Best assignment's weighted objective so far.
    pub objective: Option<i128>,
    /// Best lower bound so far.
    pub lower_bound: Option<f64>,
}

/// Forwards progress notes with the elapsed time filled in.
pub(crate) struct Tracker<'a> {
    start: Instant,
    sink: &'a mut dyn FnMut(&Progress),
}

impl Tracker<'_> {
    pub(crate) fn report(&mut self, mut p: Progress) {
        p.elapsed = self.start.elapsed();
        (self.sink)(&p);
    }
}

/// The optimal mechanism's certificate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bound {
    /// A proven lower bound on the weighted objective of any feasible assignment.
    pub lower: i128,
    /// The larger of the two levels' relative gaps: unranked placements against
    /// [`Bound::min_unranked`], rank cost against [`Bound::min_rank_cost`]; 0 when proven optimal.
    pub gap: f64,
    /// Whether the assignment is proven optimal.
    pub proven_optimal: bool,
    /// A proven lower bound on the number of unranked placements.
    pub min_unranked: u64,
    /// A proven lower bound on the rank cost of any assignment with no more unranked placements
    /// than this one.
    pub min_rank_cost: i64,
}

/// The result of [`solve`].
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The mechanism that produced it.
    pub mechanism: Mechanism,
    /// Who sits where.
    pub assignment: Assignment,
    /// Its objective value.
    pub objective: Objective,
    /// For the optimal mechanism: the lower bound and gap.
    pub bound: Option<Bound>,
    /// Wall time of the solve.
    pub elapsed: Duration,
    /// The costs the objective was measured with.
    pub costs: Costs,
}

impl Outcome {
    /// Metrics and the one-screen / JSON report for this outcome.
    pub fn report(&self, inst: &Instance) -> Report {
        metrics::report(inst, self)
    }
}

/// Why no assignment was produced.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SolveError {
    /// The instance has no feasible assignment; each entry says what is missing where.
    #[error("no feasible assignment:\n{}", .0.iter().map(|i| format!("  - {i}")).collect::<Vec<_>>().join("\n"))]
    Infeasible(Vec<Infeasibility>),
}

/// Assign everyone with the chosen mechanism. `progress` is called now and then (at phase changes
/// and every few iterations); callers decide what to show.
pub fn solve(
    inst: &Instance,
    opts: &SolveOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Outcome, SolveError> {
    let start = Instant::now();
    let problems = inst.infeasibilities();
    if !problems.is_empty() {
        return Err(SolveError::Infeasible(problems));
    }
    let costs = Costs::new(inst, opts.rank_cost.clone());
    let mut tracker = Tracker {
        start,
        sink: progress,
    };
    let (state, proof) = match opts.mechanism {
        Mechanism::Optimal => {
            let (st, proof) =
                optimal::optimal(inst, &costs, opts.seed, opts.time_limit, &mut tracker)
                    .map_err(SolveError::Infeasible)?;
            (st, Some(proof))
        }
        Mechanism::Fcfs => {
            let order = greedy::arrival_order(inst, opts.seed, opts.arrival_order.as_deref());
            (
                greedy::fcfs(inst, &order, &costs).map_err(SolveError::Infeasible)?,
                None,
            )
        }
        Mechanism::Rsd => {
            let order = greedy::arrival_order(inst, opts.seed, opts.arrival_order.as_deref());
            (
                greedy::serial(inst, &order, &costs, None).map_err(SolveError::Infeasible)?,
                None,
            )
        }
    };
    let assignment = state.finish().map_err(SolveError::Infeasible)?;
    let objective = assignment.objective(inst, &costs);
    let bound = proof.map(|p| {
        let ub = objective.weighted;
        let lower = p.lower.clamp(0, ub);
        let m = i128::from(costs.unranked());
        // The bound is `u·m + r` with r < m: at least u unranked placements, and at least r rank
        // cost for any assignment with no more unranked placements than this one.
        let min_unranked = (lower / m) as u64;
        let min_rank_cost = (lower % m) as i64;
        let rel = |have: f64, least: f64| {
            if have <= least {
                0.0
            } else {
                (have - least) / have
            }
        };
        let gap = rel(objective.unranked as f64, min_unranked as f64)
            .max(rel(objective.rank_cost as f64, min_rank_cost as f64));
        Bound {
            lower,
            gap,
            proven_optimal: lower >= ub,
            min_unranked,
            min_rank_cost,
        }
    });
    Ok(Outcome {
        mechanism: opts.mechanism,
        assignment,
        objective,
        bound,
        elapsed: start.elapsed(),
        costs,
    })
}
