//! Small-cell suppression for committee reports: which cells and totals of a published table
//! must be hidden so that no count of children's cases below the threshold can be read or worked
//! out from the totals.
//!
//! The table is treated with its margins as one (rows+1)×(columns+1) grid: row r is its cells
//! plus the row total, column c its cells plus the column total, the totals column is the row
//! totals plus the grand total and the totals row the column totals plus the grand total. In each
//! of these lines the last entry is the sum of the others, so a line with exactly one hidden
//! non-zero entry gives it away, whether that entry is a cell (margin minus the visible cells) or
//! the margin itself (the sum of the visible cells). That is the one condition suppression must
//! avoid; zero entries are shown and never count as hiding anything.

use serde::{Deserialize, Serialize};

pub const DEFAULT_THRESHOLD: u64 = 5;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppressed {
    /// Same shape as the input, true = hidden.
    pub cells: Vec<Vec<bool>>,
    /// One per row (the row's margin), true = hidden.
    pub row_totals: Vec<bool>,
    /// One per column (as many as the longest row).
    pub col_totals: Vec<bool>,
    pub grand_total: bool,
}

impl Suppressed {
    pub fn any(&self) -> bool {
        self.count() > 0
    }

    /// Hidden entries, margins included.
    pub fn count(&self) -> usize {
        self.cells.iter().flatten().filter(|&&h| h).count()
            + self.row_totals.iter().filter(|&&h| h).count()
            + self.col_totals.iter().filter(|&&h| h).count()
            + usize::from(self.grand_total)
    }
}

/// The table with its margins: `value[r][c]` for r ≤ rows, c ≤ cols, the last row and column
/// being the totals.
struct Grid {
    rows: usize,
    cols: usize,
    value: Vec<Vec<u64>>,
    hidden: Vec<Vec<bool>>,
}

/// One additive line: `cells` sum to `margin`.
struct Line {
    cells: Vec<(usize, usize)>,
    margin: (usize, usize),
}

impl Grid {
    /// Ragged input is read as padded with zeros (nothing to hide there).
    fn new(counts: &[Vec<u64>]) -> Grid {
        let rows = counts.len();
        let cols = counts.iter().map(Vec::len).max().unwrap_or(0);
        let mut value = vec![vec![0u64; cols + 1]; rows + 1];
        for (r, row) in counts.iter().enumerate() {
            for (c, &v) in row.iter().enumerate() {
                value[r][c] = v;
                value[r][cols] = value[r][cols].saturating_add(v);
                value[rows][c] = value[rows][c].saturating_add(v);
                value[rows][cols] = value[rows][cols].saturating_add(v);
            }
        }
        let hidden = vec![vec![false; cols + 1]; rows + 1];
        Grid {
            rows,
            cols,
            value,
            hidden,
        }
    }

    /// Rows first, then columns, then the totals column, then the totals row. The order decides
    /// which complement is picked when several would do, so it is part of the rule.
    fn lines(&self) -> Vec<Line> {
        let (rows, cols) = (self.rows, self.cols);
        let mut lines = Vec::with_capacity(rows + cols + 2);
        for r in 0..rows {
            lines.push(Line {
                cells: (0..cols).map(|c| (r, c)).collect(),
                margin: (r, cols),
            });
        }
        for c in 0..cols {
            lines.push(Line {
                cells: (0..rows).map(|r| (r, c)).collect(),
                margin: (rows, c),
            });
        }
        lines.push(Line {
            cells: (0..rows).map(|r| (r, cols)).collect(),
            margin: (rows, cols),
        });
        lines.push(Line {
            cells: (0..cols).map(|c| (rows, c)).collect(),
            margin: (rows, cols),
        });
        lines
    }

    fn value(&self, (r, c): (usize, usize)) -> u64 {
        self.value[r][c]
    }

    fn is_hidden(&self, (r, c): (usize, usize)) -> bool {
        self.hidden[r][c]
    }

    fn hide(&mut self, (r, c): (usize, usize)) {
        self.hidden[r][c] = true;
    }

    fn hidden_nonzero(&self, line: &Line) -> usize {
        line.cells
            .iter()
            .chain(std::iter::once(&line.margin))
            .filter(|&&at| self.is_hidden(at) && self.value(at) > 0)
            .count()
    }

    /// Hides a second entry in a line that gives its single hidden entry away: the smallest
    /// non-zero visible cell (the first of equals), else the margin. Returns whether anything
    /// changed.
    fn protect(&mut self, line: &Line) -> bool {
        if self.hidden_nonzero(line) != 1 {
            return false;
        }
        let complement = line
            .cells
            .iter()
            .copied()
            .filter(|&at| !self.is_hidden(at) && self.value(at) > 0)
            .min_by_key(|&at| self.value(at));
        match complement {
            Some(at) => {
                self.hide(at);
                true
            }
            // Only reachable when the hidden one is a cell; its margin is then non-zero.
            None if !self.is_hidden(line.margin) => {
                self.hide(line.margin);
                true
            }
            None => false,
        }
    }
}

/// `counts[r][c]` is the number of cases behind a published cell; the row totals (Σ_c), column
/// totals (Σ_r) and the grand total are published too (a one-row table is a list with its total).
///
/// Primary suppression: a cell (or margin) with 0 < n < threshold. Zero cells are shown (nothing
/// to reveal) but never count as protection. Complementary suppression: in every line (a row
/// together with its row total, a column with its column total, the row-totals column with the
/// grand total, the column-totals row with the grand total) a single hidden non-zero entry could
/// be recovered — a cell by subtraction from its visible margin, a margin by adding up its
/// visible cells — so a second entry is hidden: the smallest non-zero visible cell in that line
/// (ties: the first); if the line has no such cell, the line's margin is hidden instead. Lines
/// are visited rows, columns, totals column, totals row, and the visits repeat until nothing
/// changes.
pub fn suppress(counts: &[Vec<u64>], threshold: u64) -> Suppressed {
    let mut grid = Grid::new(counts);
    for r in 0..=grid.rows {
        for c in 0..=grid.cols {
            let v = grid.value[r][c];
            if v > 0 && v < threshold {
                grid.hidden[r][c] = true;
            }
        }
    }
    let lines = grid.lines();
    // Every pass that changes something hides one more entry, so this ends.
    loop {
        let mut changed = false;
        for line in &lines {
            changed |= grid.protect(line);
        }
        if !changed {
            break;
        }
    }
    let (rows, cols) = (grid.rows, grid.cols);
    Suppressed {
        cells: counts
            .iter()
            .enumerate()
            .map(|(r, row)| (0..row.len()).map(|c| grid.hidden[r][c]).collect())
            .collect(),
        row_totals: (0..rows).map(|r| grid.hidden[r][cols]).collect(),
        col_totals: (0..cols).map(|c| grid.hidden[rows][c]).collect(),
        grand_total: grid.hidden[rows][cols],
    }
}

/// Convenience for a list with a total (one row). The total is hidden when either of its two
/// appearances (row total, grand total) is.
pub fn suppress_list(counts: &[u64], threshold: u64) -> (Vec<bool>, bool /* total hidden */) {
    let s = suppress(&[counts.to_vec()], threshold);
    let total_hidden = s.grand_total || s.row_totals.first().copied().unwrap_or(false);
    (s.cells.into_iter().next().unwrap_or_default(), total_hidden)
}

/// Whether a published table is safe: `s` has the table's shape, no visible cell or margin has
/// 0 < n < threshold, and no line (as in [`suppress`]) has exactly one hidden non-zero entry —
/// neither a hidden cell whose margin is shown and whose line mates give it away, nor a hidden
/// margin whose cells are all shown. Used by tests that scan reports.
///
/// Written independently of [`suppress`] (plain sums, no shared line code), so that a test that
/// runs one against the other checks something.
pub fn is_safe(counts: &[Vec<u64>], s: &Suppressed, threshold: u64) -> bool {
    let rows = counts.len();
    let cols = counts.iter().map(Vec::len).max().unwrap_or(0);
    if s.cells.len() != rows
        || s.row_totals.len() != rows
        || s.col_totals.len() != cols
        || counts.iter().zip(&s.cells).any(|(c, h)| c.len() != h.len())
    {
        return false;
    }
    let cell = |r: usize, c: usize| counts[r].get(c).copied().unwrap_or(0);
    let cell_hidden = |r: usize, c: usize| s.cells[r].get(c).copied().unwrap_or(false);
    let row_total: Vec<u64> = counts
        .iter()
        .map(|row| row.iter().fold(0u64, |a, &v| a.saturating_add(v)))
        .collect();
    let col_total: Vec<u64> = (0..cols)
        .map(|c| (0..rows).fold(0u64, |a, r| a.saturating_add(cell(r, c))))
        .collect();
    let grand = row_total.iter().fold(0u64, |a, &v| a.saturating_add(v));

    let small = |v: u64| v > 0 && v < threshold;
    let counted = |hidden: bool, v: u64| usize::from(hidden && v > 0);

    let margin_counted = |totals: &[u64], hidden: &[bool]| -> Vec<usize> {
        totals
            .iter()
            .zip(hidden)
            .map(|(&v, &h)| counted(h, v))
            .collect()
    };
    let row_margin = margin_counted(&row_total, &s.row_totals);
    let col_margin = margin_counted(&col_total, &s.col_totals);

    let small_visible = (0..rows)
        .any(|r| (0..cols).any(|c| !cell_hidden(r, c) && small(cell(r, c))))
        || row_total
            .iter()
            .zip(&s.row_totals)
            .any(|(&v, &h)| !h && small(v))
        || col_total
            .iter()
            .zip(&s.col_totals)
            .any(|(&v, &h)| !h && small(v))
        || (!s.grand_total && small(grand));
    if small_visible {
        return false;
    }

    let row_leaks = row_margin.iter().enumerate().any(|(r, &margin)| {
        (0..cols)
            .map(|c| counted(cell_hidden(r, c), cell(r, c)))
            .sum::<usize>()
            + margin
            == 1
    });
    let col_leaks = col_margin.iter().enumerate().any(|(c, &margin)| {
        (0..rows)
            .map(|r| counted(cell_hidden(r, c), cell(r, c)))
            .sum::<usize>()
            + margin
            == 1
    });
    if row_leaks || col_leaks {
        return false;
    }
    let grand_counted = counted(s.grand_total, grand);
    let totals_column = row_margin.iter().sum::<usize>() + grand_counted;
    let totals_row = col_margin.iter().sum::<usize>() + grand_counted;
    totals_column != 1 && totals_row != 1
}

/// Which published counts to hide when they are linked by sums. `lines` are sums a reader can
/// do: a total and the parts it is the sum of (a question within its section, a section within
/// the round, a team within the round figure, …). Primary: every count with 0 < n < threshold.
/// Complementary: a line in which exactly one non-zero entry (a part or the total) is hidden
/// gives it away by addition or subtraction, so the smallest visible non-zero part is hidden
/// too, or the total when no part is left. Repeated until nothing changes. Zero counts are
/// shown and never protect anything. [`suppress`] is the special case of a table with margins.
pub fn suppress_lines(counts: &[u64], lines: &[(usize, Vec<usize>)], threshold: u64) -> Vec<bool> {
    let mut hide: Vec<bool> = counts.iter().map(|n| *n > 0 && *n < threshold).collect();
    loop {
        let mut changed = false;
        for (total, parts) in lines {
            let hidden = std::iter::once(total)
                .chain(parts)
                .filter(|p| hide[**p] && counts[**p] > 0)
                .count();
            if hidden != 1 {
                continue;
            }
            let next = parts
                .iter()
                .filter(|p| !hide[**p] && counts[**p] > 0)
                .min_by_key(|p| counts[**p]);
            match next {
                Some(p) => hide[*p] = true,
                None if !hide[*total] => hide[*total] = true,
                // The hidden entry is the total and every part is zero or hidden: the total is
                // then not recoverable.
                None => continue,
            }
            changed = true;
        }
        if !changed {
            return hide;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const T: bool = true;
    const F: bool = false;

    #[test]
    fn a_small_cell_in_a_list_hides_a_second_in_the_same_line() {
        // 10 3 8 12 | 33. Primary: 3 (and its column total, also 3). The total 33 would give
        // the 3 away (33 − 10 − 8 − 12), so the smallest other non-zero cell, 8, goes too. In
        // a list a column total is the cell itself, so the 8's column total follows it.
        let counts = [vec![10, 3, 8, 12]];
        let s = suppress(&counts, 5);
        assert_eq!(s.cells, vec![vec![F, T, T, F]]);
        assert_eq!(s.row_totals, vec![F]);
        assert_eq!(s.col_totals, vec![F, T, T, F]);
        assert!(!s.grand_total);
        assert_eq!(s.count(), 4);
        assert!(s.any());
        assert!(is_safe(&counts, &s, 5));
        assert_eq!(suppress_list(&[10, 3, 8, 12], 5), (vec![F, T, T, F], false));
    }

    #[test]
    fn the_complement_skips_zeros_even_when_only_one_cell_is_left() {
        // 0 3 0 20 | 23. The 3 is hidden; the zeros reveal nothing and protect nothing, so the
        // complement is the only other non-zero cell, 20, although it is the largest.
        let (cells, total) = suppress_list(&[0, 3, 0, 20], 5);
        assert_eq!(cells, vec![F, T, F, T]);
        assert!(!total);
        let counts = [vec![0, 3, 0, 20]];
        assert!(is_safe(&counts, &suppress(&counts, 5), 5));
    }

    #[test]
    fn a_complement_in_a_row_cascades_into_the_columns() {
        //  2 10 20 |  32
        //  9 11 30 |  50
        // 12 40 40 |  92
        // 23 61 90 | 174
        // Primary: the 2. Row 0: complement 10 (smaller than 20). Column 0 now has the 2 alone
        // against 23: complement 9 (smaller than 12). Column 1 has the 10 alone against 61:
        // complement 11. Row 1 then has 9 and 11 hidden, two, so it is safe; nothing else
        // changes. The hidden block is rows 0–1 × columns 0–1.
        let counts = [vec![2, 10, 20], vec![9, 11, 30], vec![12, 40, 40]];
        let s = suppress(&counts, 5);
        assert_eq!(s.cells, vec![vec![T, T, F], vec![T, T, F], vec![F, F, F]]);
        assert_eq!(s.row_totals, vec![F, F, F]);
        assert_eq!(s.col_totals, vec![F, F, F]);
        assert!(!s.grand_total);
        assert!(is_safe(&counts, &s, 5));
    }

    #[test]
    fn a_row_whose_only_count_is_small_hides_its_total_and_the_totals_column_is_protected() {
        //  0  3  0 |  3
        //  6 10 12 | 28
        //  7  9 20 | 36
        // 13 22 32 | 67
        // Primary: the 3 and its row total 3; row 0 then has two hidden entries. Pass 1:
        // column 1 has the 3 alone against 22 → complement 9 (smaller than 10); the totals
        // column has the row total 3 alone against 67 → complement 28 (smaller than 36).
        // Pass 2: row 1's total 28 is hidden but its cells are all shown (they would add up
        // to it) → complement 6 (the smallest); row 2 has the 9 alone against 36 → complement
        // 7. Pass 3 changes nothing: every line has 0, 2 or 3 hidden entries.
        let counts = [vec![0, 3, 0], vec![6, 10, 12], vec![7, 9, 20]];
        let s = suppress(&counts, 5);
        assert_eq!(s.cells, vec![vec![F, T, F], vec![T, F, F], vec![T, T, F]]);
        assert_eq!(s.row_totals, vec![T, T, F]);
        assert_eq!(s.col_totals, vec![F, F, F]);
        assert!(!s.grand_total);
        assert_eq!(s.count(), 6);
        assert!(is_safe(&counts, &s, 5));
    }

    #[test]
    fn a_table_of_small_counts_hides_every_non_zero_entry() {
        // 1 2 | 3
        // 0 1 | 1
        // 1 3 | 4: every non-zero entry is below 5; the zero stays visible.
        let counts = [vec![1, 2], vec![0, 1]];
        let s = suppress(&counts, 5);
        assert_eq!(s.cells, vec![vec![T, T], vec![F, T]]);
        assert_eq!(s.row_totals, vec![T, T]);
        assert_eq!(s.col_totals, vec![T, T]);
        assert!(s.grand_total);
        assert_eq!(s.count(), 8);
        assert!(is_safe(&counts, &s, 5));
    }

    #[test]
    fn ragged_rows_read_as_zero_padded() {
        //  3 10 | 13
        // 20  – | 20   (the missing cell is 0)
        // 23 10 | 33
        // Pass 1: row 0 → complement 10; column 0 has the 3 alone against 23 → complement 20;
        // column 1 has the 10 alone and no other non-zero cell → its total 10; the totals row
        // then has that 10 alone against 33 → complement 23. Pass 2: row 1 has the 20 alone
        // against 20 and no other non-zero cell → its total; the totals column then has that
        // 20 alone against 33 → complement 13. Pass 3: nothing changes.
        let counts = [vec![3, 10], vec![20]];
        let s = suppress(&counts, 5);
        assert_eq!(s.cells, vec![vec![T, T], vec![T]]);
        assert_eq!(s.row_totals, vec![T, T]);
        assert_eq!(s.col_totals, vec![T, T]);
        assert!(!s.grand_total);
        assert!(is_safe(&counts, &s, 5));
    }

    #[test]
    fn threshold_one_or_zero_hides_nothing() {
        let counts = [vec![1, 2], vec![0, 3]];
        for t in [0, 1] {
            let s = suppress(&counts, t);
            assert!(!s.any());
            assert_eq!(s.count(), 0);
            assert!(is_safe(&counts, &s, t));
        }
    }

    #[test]
    fn an_all_large_table_hides_nothing() {
        let counts = [vec![10, 20, 30], vec![40, 50, 0]];
        let s = suppress(&counts, DEFAULT_THRESHOLD);
        assert!(!s.any());
        assert_eq!(s.cells, vec![vec![F, F, F], vec![F, F, F]]);
        assert!(is_safe(&counts, &s, DEFAULT_THRESHOLD));
        let empty: [Vec<u64>; 0] = [];
        let s = suppress(&empty, 5);
        assert!(!s.any());
        assert!(is_safe(&empty, &s, 5));
        assert_eq!(suppress_list(&[], 5), (vec![], false));
    }

    #[test]
    fn is_safe_catches_each_kind_of_leak() {
        let counts = [vec![3, 10, 8], vec![9, 11, 30]];
        let shown = |cells: Vec<Vec<bool>>, rows: Vec<bool>, cols: Vec<bool>| Suppressed {
            cells,
            row_totals: rows,
            col_totals: cols,
            grand_total: false,
        };
        // The 3 in plain sight.
        let s = shown(
            vec![vec![F, F, F], vec![F, F, F]],
            vec![F, F],
            vec![F, F, F],
        );
        assert!(!is_safe(&counts, &s, 5));
        // The 3 hidden alone in its row: 21 − 10 − 8.
        let s = shown(
            vec![vec![T, F, F], vec![T, F, F]],
            vec![F, F],
            vec![F, F, F],
        );
        assert!(!is_safe(&counts, &s, 5));
        // Rows are fine, but column 1 has the 10 alone against 21.
        let s = shown(
            vec![vec![T, T, F], vec![T, F, F]],
            vec![F, F],
            vec![F, F, F],
        );
        assert!(!is_safe(&counts, &s, 5));
        // A hidden row total whose cells are all shown.
        let s = shown(
            vec![vec![T, T, F], vec![T, T, F]],
            vec![F, T],
            vec![F, F, F],
        );
        assert!(!is_safe(&counts, &s, 5));
        // The 2×2 block is safe.
        let s = shown(
            vec![vec![T, T, F], vec![T, T, F]],
            vec![F, F],
            vec![F, F, F],
        );
        assert!(is_safe(&counts, &s, 5));
        // Hiding a zero protects nothing: the 7 and the 0 beside it hidden, row total 7 shown.
        let zeros = [vec![7, 0], vec![6, 9]];
        let s = shown(vec![vec![T, T], vec![F, F]], vec![F, F], vec![F, F]);
        assert!(!is_safe(&zeros, &s, 5));
        // A shape that does not match is not safe.
        let s = shown(vec![vec![F, F]], vec![F], vec![F, F]);
        assert!(!is_safe(&zeros, &s, 5));
    }

    proptest! {
        #[test]
        fn suppression_is_always_safe(
            counts in prop::collection::vec(prop::collection::vec(0u64..15, 1..5), 1..5),
            threshold in 0u64..9,
        ) {
            let s = suppress(&counts, threshold);
            prop_assert!(is_safe(&counts, &s, threshold));
            for (row, hidden) in counts.iter().zip(&s.cells) {
                prop_assert_eq!(row.len(), hidden.len());
                for (&v, &h) in row.iter().zip(hidden) {
                    // Nothing small is visible, and nothing zero is hidden.
                    prop_assert!(h || v == 0 || v >= threshold);
                    prop_assert!(!h || v > 0);
                }
            }
            if counts.iter().flatten().all(|&v| v == 0 || v >= threshold) {
                prop_assert!(!s.any());
            }
            let (list, total) = suppress_list(&counts[0], threshold);
            let one = suppress(&counts[..1], threshold);
            prop_assert_eq!(&list, &one.cells[0]);
            prop_assert_eq!(total, one.row_totals[0] || one.grand_total);
        }

        /// The general solver over the lines of a table with margins is safe by the table's
        /// own check, which shares no code with it.
        #[test]
        fn lines_over_a_table_are_safe(
            counts in prop::collection::vec(prop::collection::vec(0u64..15, 3), 1..5),
            threshold in 0u64..9,
        ) {
            let (r, c) = (counts.len(), 3);
            // Ids: cells r*c, then row totals, column totals, grand total.
            let mut flat: Vec<u64> = counts.iter().flatten().copied().collect();
            let row_total = |i: usize| r * c + i;
            let col_total = |j: usize| r * c + r + j;
            let grand = r * c + r + c;
            flat.extend(counts.iter().map(|row| row.iter().sum::<u64>()));
            flat.extend((0..c).map(|j| counts.iter().map(|row| row[j]).sum::<u64>()));
            flat.push(counts.iter().flatten().sum());
            let mut lines = vec![];
            for i in 0..r {
                lines.push((row_total(i), (0..c).map(|j| i * c + j).collect::<Vec<_>>()));
            }
            for j in 0..c {
                lines.push((col_total(j), (0..r).map(|i| i * c + j).collect()));
            }
            lines.push((grand, (0..r).map(row_total).collect()));
            lines.push((grand, (0..c).map(col_total).collect()));
            let h = suppress_lines(&flat, &lines, threshold);
            let s = Suppressed {
                cells: (0..r).map(|i| (0..c).map(|j| h[i * c + j]).collect()).collect(),
                row_totals: (0..r).map(|i| h[row_total(i)]).collect(),
                col_totals: (0..c).map(|j| h[col_total(j)]).collect(),
                grand_total: h[grand],
            };
            prop_assert!(is_safe(&counts, &s, threshold), "{:?} {:?}", counts, s);
        }
    }
}
