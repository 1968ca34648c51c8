//! Where the decision graph's arrows run, for any drawing of it (the SVG, the app's graph
//! window), so that no arrow crosses a box it does not join.
//!
//! The layout is a grid: every column is as wide as a box, every row as tall as one, so the
//! gaps between columns and between rows are free of boxes all the way across. An arrow runs
//! only through those gaps:
//! - to the next column: one curve across the gap between the two columns;
//! - further right: across the gap after its own column into the row gap nearest to both
//!   ends, straight along it, and across the gap before the target's column;
//! - up or down its own column, or to itself: a bulge into the gap after the column;
//! - back to an earlier column: across the gap after its own column into the row gap just
//!   below the target, straight along it, and up into the target's bottom.
//!
//! Arrows that share a row gap run in separate lanes; arrows between the same two boxes are
//! spread apart.

use std::collections::HashMap;

use super::layout::GraphLayout;

/// Sizes of the drawing, in its own units (pixels or points).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometry {
    /// Left of column 0.
    pub x0: f64,
    /// Top of row 0.
    pub y0: f64,
    /// A box's width.
    pub node_w: f64,
    /// A box's height.
    pub node_h: f64,
    /// Space between columns.
    pub col_gap: f64,
    /// Space between rows.
    pub row_gap: f64,
}

/// A point of the drawing.
pub type Xy = (f64, f64);

/// One arrow: cubic Bézier pieces, end to end (a straight piece has its control points on the
/// line), ending at the target box, and where its option number goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// The pieces: start, two control points, end.
    pub pieces: Vec<[Xy; 4]>,
    /// Where the label sits: in a gap just after the source box, where no box can hide it.
    pub label: Xy,
}

impl Route {
    /// The point at `t` (0–1) of piece `k`.
    pub fn at(&self, k: usize, t: f64) -> Xy {
        bezier(self.pieces[k], t)
    }
}

/// The point at `t` of a cubic Bézier curve.
pub fn bezier(p: [Xy; 4], t: f64) -> Xy {
    let u = 1.0 - t;
    let w = [u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t];
    (
        w[0] * p[0].0 + w[1] * p[1].0 + w[2] * p[2].0 + w[3] * p[3].0,
        w[0] * p[0].1 + w[1] * p[1].1 + w[2] * p[2].1 + w[3] * p[3].1,
    )
}

/// A curve from `a` to `b` that leaves and arrives horizontally.
fn s_curve(a: Xy, b: Xy) -> [Xy; 4] {
    let dx = (b.0 - a.0) / 2.0;
    [a, (a.0 + dx, a.1), (b.0 - dx, b.1), b]
}

/// A straight piece.
fn straight(a: Xy, b: Xy) -> [Xy; 4] {
    let third = ((b.0 - a.0) / 3.0, (b.1 - a.1) / 3.0);
    [
        a,
        (a.0 + third.0, a.1 + third.1),
        (b.0 - third.0, b.1 - third.1),
        b,
    ]
}

impl Geometry {
    /// Left, top, right, bottom of the box in `slot` (column, row).
    pub fn rect(&self, slot: (usize, usize)) -> [f64; 4] {
        let x = self.x0 + slot.0 as f64 * (self.node_w + self.col_gap);
        let y = self.y0 + slot.1 as f64 * (self.node_h + self.row_gap);
        [x, y, x + self.node_w, y + self.node_h]
    }

    /// The middle of the gap after column `col`.
    fn gap_after(&self, col: usize) -> f64 {
        self.x0 + col as f64 * (self.node_w + self.col_gap) + self.node_w + self.col_gap / 2.0
    }

    /// The middle of the gap below row `row`.
    fn gap_below(&self, row: usize) -> f64 {
        self.y0 + row as f64 * (self.node_h + self.row_gap) + self.node_h + self.row_gap / 2.0
    }
}

/// Which row gap an arrow runs along, if any.
fn corridor(l: &GraphLayout, from: usize, to: usize) -> Option<usize> {
    let ((fc, fr), (tc, tr)) = (l.slots[from], l.slots[to]);
    if tc > fc + 1 {
        // The row gap nearest the middle of both ends: below row ⌊(fr + tr) / 2⌋.
        Some(((fr + tr) / 2).min(l.rows.saturating_sub(1)))
    } else if tc < fc {
        Some(tr)
    } else {
        None
    }
}

impl GraphLayout {
    /// Every edge's route, in the order of [`GraphLayout::edges`].
    pub fn routes(&self, g: &Geometry) -> Vec<Route> {
        // Arrows between the same two boxes, and arrows along the same row gap, side by side.
        let mut pairs: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
        let mut lanes: HashMap<usize, Vec<usize>> = HashMap::new();
        for (k, e) in self.edges.iter().enumerate() {
            pairs.entry((e.from, e.to)).or_default().push(k);
            if let Some(r) = corridor(self, e.from, e.to) {
                lanes.entry(r).or_default().push(k);
            }
        }
        let spread = |group: &[usize], k: usize, step: f64| {
            let i = group.iter().position(|x| *x == k).unwrap_or(0) as f64;
            (i - (group.len() as f64 - 1.0) / 2.0) * step
        };
        self.edges
            .iter()
            .enumerate()
            .map(|(k, e)| {
                let pair = &pairs[&(e.from, e.to)];
                let off = spread(pair, k, (g.node_h / 6.0).min(12.0));
                let idx = pair.iter().position(|x| *x == k).unwrap_or(0) as f64;
                let (a, b) = (g.rect(self.slots[e.from]), g.rect(self.slots[e.to]));
                let ((fc, _), (tc, _)) = (self.slots[e.from], self.slots[e.to]);
                let (ya, yb) = ((a[1] + a[3]) / 2.0 + off, (b[1] + b[3]) / 2.0 + off);
                let lane = |r: usize| {
                    let group = &lanes[&r];
                    g.gap_below(r) + spread(group, k, g.row_gap / (group.len() as f64 + 1.0))
                };
                if tc == fc + 1 {
                    let piece = s_curve((a[2], ya), (b[0], yb));
                    // The label in the middle of the gap (x is monotonic along the curve).
                    let target = a[2] + g.col_gap / 2.0;
                    let (mut lo, mut hi) = (0.0, 1.0);
                    for _ in 0..30 {
                        let mid = (lo + hi) / 2.0;
                        if bezier(piece, mid).0 < target {
                            lo = mid;
                        } else {
                            hi = mid;
                        }
                    }
                    Route {
                        label: bezier(piece, lo),
                        pieces: vec![piece],
                    }
                } else if let Some(r) = corridor(self, e.from, e.to) {
                    let y = lane(r);
                    let p1 = (g.gap_after(fc), y);
                    let mut pieces = vec![s_curve((a[2], ya), p1)];
                    if tc > fc {
                        let p2 = (g.gap_after(tc - 1), y);
                        pieces.push(straight(p1, p2));
                        pieces.push(s_curve(p2, (b[0], yb)));
                    } else {
                        // Along the gap below the target, then up into its bottom.
                        let bx = (b[0] + b[2]) / 2.0 + off;
                        let turn = (g.node_w / 6.0).min((p1.0 - bx).abs());
                        let p2 = (bx + turn, y);
                        pieces.push(straight(p1, p2));
                        pieces.push([p2, (bx, y), (bx, y), (bx, b[3])]);
                    }
                    Route { label: p1, pieces }
                } else {
                    // The same column: a bulge into the gap after it.
                    let x = a[2];
                    let (y1, y2) = if e.from == e.to {
                        (a[1] + g.node_h / 4.0 + off, a[3] - g.node_h / 4.0 + off)
                    } else {
                        (ya, yb)
                    };
                    let c = x + (g.col_gap * 0.4 + idx * 6.0).min(g.col_gap * 0.6);
                    let piece = [(x, y1), (c, y1), (c, y2), (x, y2)];
                    Route {
                        label: bezier(piece, 0.5),
                        pieces: vec![piece],
                    }
                }
            })
            .collect()
    }
}
