//! Training (feature `train`): L2-regularised multinomial logistic regression on hashed sparse
//! features, optimised with argmin's L-BFGS.
//!
//! Why not `linfa-logistic`: it takes a dense `Array2` design matrix, and the hashed n-gram
//! features here have about a million columns (some 10^5 in use per head); a dense matrix of
//! 4,000 × 10^5 is gigabytes. So the design matrix is a `sprs` CSR matrix and only the
//! objective (soft-max cross-entropy and its gradient, a few lines below) is written here;
//! the optimiser (L-BFGS with a More–Thuente line search) is argmin's.
//!
//! Everything runs on one thread in a fixed order, so a fit is bit-for-bit reproducible.

use std::cell::RefCell;

use argmin::core::{CostFunction, Error, Executor, Gradient, State};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use ndarray::{Array2, ArrayView2};
use sprs::CsMat;

use crate::features::SparseVec;

/// One training example.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Features.
    pub x: SparseVec,
    /// Class index.
    pub y: usize,
    /// Example weight (class weighting).
    pub w: f64,
}

/// A fitted head over the buckets seen in training.
#[derive(Debug, Clone)]
pub struct Fitted {
    /// Sorted buckets (columns).
    pub buckets: Vec<u32>,
    /// Row-major `buckets.len() × k` weights.
    pub weights: Vec<f32>,
    /// Bias per class.
    pub bias: Vec<f32>,
    /// Classes.
    pub k: usize,
}

impl Fitted {
    /// Logits of one example (same arithmetic as `model::Head::logits`, in f64).
    #[allow(clippy::needless_range_loop)]
    pub fn logits(&self, x: &SparseVec) -> Vec<f64> {
        let mut z: Vec<f64> = self.bias.iter().map(|b| f64::from(*b)).collect();
        for &(b, v) in x {
            if let Ok(j) = self.buckets.binary_search(&b) {
                for c in 0..self.k {
                    z[c] += f64::from(v) * f64::from(self.weights[j * self.k + c]);
                }
            }
        }
        z
    }
}

struct Problem {
    x: CsMat<f64>,
    y: Vec<usize>,
    w: Vec<f64>,
    k: usize,
    l2: f64,
    cache: RefCell<Option<Cached>>,
}

/// Parameters, cost and gradient of the last evaluation.
type Cached = (Vec<f64>, f64, Vec<f64>);

impl Problem {
    /// Cost and gradient together (cached: the line search asks for both at one point).
    fn eval(&self, p: &[f64]) -> Result<(f64, Vec<f64>), Error> {
        if let Some((cp, c, g)) = self.cache.borrow().as_ref()
            && cp.as_slice() == p
        {
            return Ok((*c, g.clone()));
        }
        let m = self.x.cols();
        let k = self.k;
        let wv = ArrayView2::from_shape((m, k), &p[..m * k])?;
        let bias = &p[m * k..];
        let z: Array2<f64> = &self.x * &wv;
        let wsum: f64 = self.w.iter().sum();
        let mut g = Array2::<f64>::zeros((self.y.len(), k));
        let mut loss = 0.0;
        let mut gb = vec![0.0; k];
        for (i, row) in z.outer_iter().enumerate() {
            let zi: Vec<f64> = row.iter().zip(bias).map(|(a, b)| a + b).collect();
            let mx = zi.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let se: f64 = zi.iter().map(|v| (v - mx).exp()).sum();
            let lse = mx + se.ln();
            let wi = self.w[i] / wsum;
            loss += wi * (lse - zi[self.y[i]]);
            for c in 0..k {
                let pc = (zi[c] - lse).exp();
                let d = wi * (pc - if c == self.y[i] { 1.0 } else { 0.0 });
                g[[i, c]] = d;
                gb[c] += d;
            }
        }
        let gw: Array2<f64> = &self.x.transpose_view() * &g;
        let mut grad: Vec<f64> = Vec::with_capacity(p.len());
        let mut reg = 0.0;
        for (gv, pv) in gw.iter().zip(&p[..m * k]) {
            grad.push(gv + self.l2 * pv);
            reg += pv * pv;
        }
        grad.extend_from_slice(&gb);
        let cost = loss + 0.5 * self.l2 * reg;
        *self.cache.borrow_mut() = Some((p.to_vec(), cost, grad.clone()));
        Ok((cost, grad))
    }
}

impl CostFunction for Problem {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, p: &Self::Param) -> Result<f64, Error> {
        Ok(self.eval(p)?.0)
    }
}

impl Gradient for Problem {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, p: &Self::Param) -> Result<Vec<f64>, Error> {
        Ok(self.eval(p)?.1)
    }
}

/// The feature buckets present in at least `min_df` of `samples`, sorted: the columns of a fit.
pub fn frequent_buckets(samples: &[&Sample], min_df: u32) -> Vec<u32> {
    let mut all: Vec<u32> = samples
        .iter()
        .flat_map(|s| s.x.iter().map(|(b, _)| *b))
        .collect();
    all.sort_unstable();
    let mut buckets: Vec<u32> = Vec::new();
    for run in all.chunk_by(|a, b| a == b) {
        if run.len() as u32 >= min_df {
            buckets.push(run[0]);
        }
    }
    buckets
}

/// Fits a `k`-class soft-max regression with L2 penalty `l2` (on the weights, not the bias)
/// to the mean weighted cross-entropy. `min_df` drops buckets seen in fewer examples.
pub fn fit_softmax(
    samples: &[&Sample],
    k: usize,
    l2: f64,
    min_df: u32,
    max_iters: u64,
) -> Result<Fitted, String> {
    // Columns: buckets present in at least `min_df` examples, sorted.
    let buckets = frequent_buckets(samples, min_df);
    let m = buckets.len();
    let mut indptr = vec![0usize];
    let mut indices = Vec::new();
    let mut data = Vec::new();
    for s in samples {
        for &(b, v) in &s.x {
            if let Ok(c) = buckets.binary_search(&b) {
                indices.push(c);
                data.push(f64::from(v));
            }
        }
        indptr.push(indices.len());
    }
    let x = CsMat::new((samples.len(), m), indptr, indices, data);
    let problem = Problem {
        x,
        y: samples.iter().map(|s| s.y).collect(),
        w: samples.iter().map(|s| s.w).collect(),
        k,
        l2,
        cache: RefCell::new(None),
    };
    let init = vec![0.0; m * k + k];
    let ls = MoreThuenteLineSearch::new();
    let solver = LBFGS::new(ls, 10)
        .with_tolerance_grad(1e-6)
        .map_err(|e| e.to_string())?
        .with_tolerance_cost(1e-9)
        .map_err(|e| e.to_string())?;
    let res = Executor::new(problem, solver)
        .configure(|st| st.param(init).max_iters(max_iters))
        .run()
        .map_err(|e| e.to_string())?;
    let p = res
        .state()
        .get_best_param()
        .cloned()
        .ok_or("L-BFGS returned no parameters")?;
    Ok(Fitted {
        buckets,
        weights: p[..m * k].iter().map(|v| *v as f32).collect(),
        bias: p[m * k..].iter().map(|v| *v as f32).collect(),
        k,
    })
}

/// Macro-F1 of (gold, predicted) pairs over `k` classes.
pub fn macro_f1(pairs: &[(usize, usize)], k: usize) -> f64 {
    let mut f = 0.0;
    for c in 0..k {
        let tp = pairs.iter().filter(|(g, p)| *g == c && *p == c).count() as f64;
        let pred = pairs.iter().filter(|(_, p)| *p == c).count() as f64;
        let gold = pairs.iter().filter(|(g, _)| *g == c).count() as f64;
        if tp > 0.0 {
            let pr = tp / pred;
            let rc = tp / gold;
            f += 2.0 * pr * rc / (pr + rc);
        }
    }
    f / k as f64
}

fn argmax(z: &[f64]) -> usize {
    let mut b = 0;
    for (i, v) in z.iter().enumerate() {
        if *v > z[b] {
            b = i;
        }
    }
    b
}

/// Predictions of logits plus per-class offsets.
pub fn predict(logits: &[Vec<f64>], offsets: &[f64]) -> Vec<usize> {
    logits
        .iter()
        .map(|z| {
            let s: Vec<f64> = z.iter().zip(offsets).map(|(a, b)| a + b).collect();
            argmax(&s)
        })
        .collect()
}

/// Per-class logit offsets that maximise macro-F1 on out-of-fold logits: coordinate ascent
/// over a fixed grid (−1.5…1.5 in steps of 0.05), class 0 fixed at 0, three sweeps.
pub fn tune_offsets(logits: &[Vec<f64>], gold: &[usize], k: usize) -> Vec<f64> {
    let mut off = vec![0.0; k];
    let score = |off: &[f64]| {
        let p = predict(logits, off);
        let pairs: Vec<(usize, usize)> = gold.iter().copied().zip(p).collect();
        macro_f1(&pairs, k)
    };
    let mut best = score(&off);
    for _ in 0..3 {
        for c in 1..k {
            for step in -30..=30 {
                let mut t = off.clone();
                t[c] = f64::from(step) * 0.05;
                let s = score(&t);
                if s > best + 1e-12 {
                    best = s;
                    off = t;
                }
            }
        }
    }
    off
}
