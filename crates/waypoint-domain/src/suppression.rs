//! Small-cell suppression for aggregates shown outside a teacher's own
//! classes. A table of student counts (rows × columns, with row totals,
//! column totals and a grand total) is shown with every count from 1 to
//! `min_n − 1` hidden (primary suppression), and then enough other entries
//! hidden that no hidden one can be recovered by subtracting the shown
//! entries of a row or column from its total (complementary suppression):
//! every row and every column, totals included, ends with either no hidden
//! entry or at least two.
//!
//! Percentages near 0 or 100 are top- and bottom-coded, so "0%" or "100%"
//! of a group never tells who is in it.

use serde::{Deserialize, Serialize};

/// The smallest count an aggregate shows: 10 unless the installation says
/// otherwise, and never below 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinN(u32);

impl MinN {
    /// The floor no installation may go below.
    pub const FLOOR: u32 = 5;

    /// The installation's minimum, raised to the floor.
    pub const fn new(n: u32) -> Self {
        if n < Self::FLOOR {
            Self(Self::FLOOR)
        } else {
            Self(n)
        }
    }

    /// The minimum.
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl Default for MinN {
    fn default() -> Self {
        Self(10)
    }
}

/// A table as shown: each entry its count, or `None` where hidden. Row
/// `r`'s total is `cells[r][cols]`, column `c`'s is `cells[rows][c]`, and
/// the grand total is `cells[rows][cols]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// `(rows + 1) × (cols + 1)` entries, margins last.
    pub cells: Vec<Vec<Option<u32>>>,
}

/// Suppresses a table of counts (`counts[r][c]`, every row the same
/// length); margins are computed here.
pub fn suppress(counts: &[Vec<u32>], min_n: MinN) -> Shown {
    let rows = counts.len();
    let cols = counts.first().map_or(0, Vec::len);
    // The full grid with margins.
    let mut grid = vec![vec![0u32; cols + 1]; rows + 1];
    for (r, row) in counts.iter().enumerate() {
        for (c, &n) in row.iter().enumerate().take(cols) {
            grid[r][c] = n;
            grid[r][cols] += n;
            grid[rows][c] += n;
            grid[rows][cols] += n;
        }
    }
    let small = |n: u32| n >= 1 && n < min_n.get();
    let mut hidden: Vec<Vec<bool>> = grid
        .iter()
        .map(|row| row.iter().map(|&n| small(n)).collect())
        .collect();
    // Every row and column of the grid (margins included) is a line whose
    // entries sum to its last entry; a line with exactly one hidden entry
    // gives it away. Hide the line's smallest shown entry (a cell before its
    // total) until no line does.
    let lines: Vec<Vec<(usize, usize)>> = (0..=rows)
        .map(|r| (0..=cols).map(|c| (r, c)).collect())
        .chain((0..=cols).map(|c| (0..=rows).map(|r| (r, c)).collect()))
        .collect();
    loop {
        let mut changed = false;
        for line in &lines {
            if line.iter().filter(|&&(r, c)| hidden[r][c]).count() != 1 {
                continue;
            }
            let partner = line
                .iter()
                .copied()
                .filter(|&(r, c)| !hidden[r][c])
                .min_by_key(|&(r, c)| {
                    let is_total = r == rows || c == cols;
                    // Prefer a positive cell, then a zero, then a total.
                    (is_total, grid[r][c] == 0, grid[r][c])
                });
            if let Some((r, c)) = partner {
                hidden[r][c] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    Shown {
        cells: grid
            .iter()
            .zip(&hidden)
            .map(|(row, h)| {
                row.iter()
                    .zip(h)
                    .map(|(&n, &hide)| (!hide).then_some(n))
                    .collect()
            })
            .collect(),
    }
}

/// A share as shown: "<5%" and ">95%" at the ends, a whole percent between;
/// nothing for an empty group.
pub fn percent_label(part: u32, whole: u32) -> Option<String> {
    if whole == 0 {
        return None;
    }
    let p = f64::from(part) * 100.0 / f64::from(whole);
    Some(if p < 5.0 {
        "<5%".to_owned()
    } else if p > 95.0 {
        ">95%".to_owned()
    } else {
        format!("{}%", p.round())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lines(s: &Shown) -> Vec<Vec<Option<u32>>> {
        let rows = s.cells.len();
        let cols = s.cells[0].len();
        (0..rows)
            .map(|r| s.cells[r].clone())
            .chain((0..cols).map(|c| (0..rows).map(|r| s.cells[r][c]).collect()))
            .collect()
    }

    #[test]
    fn a_small_cell_and_its_partner_are_hidden() {
        // Row 0 has a 3: hidden, and with it the row's smallest other cell;
        // the columns then need partners too.
        let shown = suppress(&[vec![3, 20, 30], vec![15, 25, 35]], MinN::default());
        assert_eq!(shown.cells[0][0], None);
        for line in lines(&shown) {
            assert_ne!(line.iter().filter(|x| x.is_none()).count(), 1, "{shown:?}");
        }
        assert_eq!(
            shown.cells[1][2],
            Some(35),
            "what need not be hidden is shown"
        );
        assert_eq!(MinN::new(3).get(), 5, "never below 5");
        assert_eq!(percent_label(1, 40).as_deref(), Some("<5%"));
        assert_eq!(percent_label(40, 40).as_deref(), Some(">95%"));
        assert_eq!(percent_label(13, 40).as_deref(), Some("33%"));
        assert_eq!(percent_label(0, 0), None);
    }

    proptest! {
        #[test]
        fn no_small_count_shows_and_no_hidden_one_is_recoverable(
            table in (1usize..6, 1usize..6).prop_flat_map(|(r, c)| {
                proptest::collection::vec(proptest::collection::vec(
                    prop_oneof![3 => 0u32..12, 2 => 0u32..60], c), r)
            }),
            min in 5u32..15,
        ) {
            let min_n = MinN::new(min);
            let shown = suppress(&table, min_n);
            for row in &shown.cells {
                for n in row.iter().flatten() {
                    prop_assert!(*n == 0 || *n >= min_n.get(), "a small count shows: {shown:?}");
                }
            }
            for line in lines(&shown) {
                let hidden = line.iter().filter(|x| x.is_none()).count();
                prop_assert!(hidden != 1, "a hidden entry is one subtraction away: {line:?} in {shown:?}");
            }
            // What is shown is the truth.
            for (r, row) in table.iter().enumerate() {
                for (c, &n) in row.iter().enumerate() {
                    if let Some(v) = shown.cells[r][c] {
                        prop_assert_eq!(v, n);
                    }
                }
            }
        }
    }
}
