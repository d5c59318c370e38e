//! Section prices for the capacity relaxation of [`crate::market`], found on a smoothed version
//! of it.
//!
//! The bound `L(π)` is concave but piecewise linear: at most prices a small change moves nobody,
//! and subgradient steps crawl. Here each person instead takes every bundle with probability
//! proportional to `exp(−cost / T)`, so the demand for a section changes smoothly with the
//! prices, and the function being climbed,
//!
//! ```text
//! Σ_people −T log Σ_bundles exp(−cost / T) − Σ_sections π × capacity,
//! ```
//!
//! has the expected demand minus capacity as its gradient. Each step moves every price by its
//! section's excess demand divided by how fast that demand reacts to the price (a diagonal
//! Newton step: the sum over people of `p (1 − p) / T`), clipped to a few temperatures, plus a
//! share of its previous move (momentum: prices that keep rising rise faster). The temperature
//! shrinks step by step, so the smoothed function approaches `L` itself. In the second stage the
//! price `ν` of an unranked placement moves the same way, against the bound on their number.
//!
//! The smoothing only finds the prices: every bound reported is the exact integer `L(π)` that the
//! market computes at the (rounded) prices of the step.

use crate::market::{Market, Outcome, Soft};
use crate::slotnet::Prices;

/// Price units per objective unit.
const SMOOTH_SCALE: i64 = 256;
/// Share of a price's previous move carried into the next (heavy-ball momentum).
const MOMENTUM: f64 = 0.8;
/// No price moves by more than this many temperatures in one step.
const CLIP: f64 = 3.0;
/// Temperature factor per step, and the temperatures (objective units) of the first and the
/// coldest steps.
const COOLING: f64 = 0.975;
const TEMP_START: f64 = 4.0;
const TEMP_END: f64 = 0.002;

/// The state of the ascent.
#[derive(Debug)]
pub(crate) struct SmoothAscent {
    price_f: Vec<f64>,
    price: Vec<i64>,
    /// Price of one unranked placement (scaled); moved only when their number is bounded.
    nu_f: f64,
    temp: f64,
    temp_end: f64,
    /// Ranked placements cost their rank cost (1) or nothing (0).
    rank_scale: i64,
    soft: Soft,
    pub outcome: Outcome,
    steps: u64,
    /// Each price's last move.
    velocity: Vec<f64>,
}

impl SmoothAscent {
    /// Start at zero prices; `nu` is the price of an unranked placement in objective units, and
    /// temperatures are scaled by `temp_unit`.
    pub fn new(sections: usize, rank_scale: i64, nu: f64, temp_unit: f64) -> SmoothAscent {
        SmoothAscent {
            price_f: vec![0.0; sections],
            price: vec![0; sections],
            nu_f: nu * SMOOTH_SCALE as f64,
            temp: TEMP_START * temp_unit * SMOOTH_SCALE as f64,
            temp_end: TEMP_END * temp_unit * SMOOTH_SCALE as f64,
            rank_scale,
            soft: Soft::default(),
            outcome: Outcome::default(),
            steps: 0,
            velocity: vec![0.0; sections],
        }
    }

    /// Whether the temperature has reached its floor.
    pub fn is_cold(&self) -> bool {
        self.temp <= self.temp_end
    }

    /// The bundles drawn at the last step's smoothed prices, per person and slot.
    pub fn sample(&self) -> &[u32] {
        &self.soft.sample
    }

    /// One step: the exact bound at the current prices (objective units, rounded up; `None` when
    /// someone has no bundle at all), then the prices move. With `u_star`, assignments may have
    /// at most that many unranked placements and their price moves too.
    pub fn step(&mut self, market: &mut Market<'_>, u_star: Option<i128>) -> Option<i128> {
        let inst = market.inst();
        let nu = self.nu_f.round() as i64;
        let pricing = Prices {
            rank_scale: self.rank_scale * SMOOTH_SCALE,
            unranked: nu,
            lambda: None,
            lambda_mul: 1,
        };
        self.steps += 1;
        market
            .evaluate_soft(
                &self.price,
                &pricing,
                (self.temp, self.steps),
                &mut self.outcome,
                &mut self.soft,
            )
            .ok()?;
        let mut total = self.outcome.total;
        if let Some(u) = u_star {
            total -= i128::from(nu) * u;
        }
        let lower = total.div_euclid(i128::from(SMOOTH_SCALE))
            + i128::from(total.rem_euclid(i128::from(SMOOTH_SCALE)) != 0);
        let t = self.temp;
        for (s, sec) in inst.sections.iter().enumerate() {
            let excess = self.soft.demand[s] - f64::from(sec.capacity);
            let move_by = (t * excess / (self.soft.spread[s] + 1.0)).clamp(-CLIP * t, CLIP * t);
            self.velocity[s] = MOMENTUM * self.velocity[s] + move_by;
            let moved = (self.price_f[s] + self.velocity[s]).max(0.0);
            self.velocity[s] = moved - self.price_f[s];
            self.price_f[s] = moved;
            self.price[s] = self.price_f[s].round() as i64;
        }
        if let Some(u) = u_star {
            let excess = self.soft.unranked - u as f64;
            let move_by =
                (t * excess / (self.soft.unranked_spread + 1.0)).clamp(-CLIP * t, CLIP * t);
            self.nu_f = (self.nu_f + move_by).max(0.0);
        }
        self.temp = (self.temp * COOLING).max(self.temp_end);
        Some(lower)
    }
}
