//! The model file: a small documented little-endian layout, and linear scoring.
//!
//! ```text
//! magic        8 bytes  "CTCODER\0"
//! format       u32      FORMAT (currently 3; format 2 files, without the client
//!                       decision section, still load)
//! hash_bits    u32
//! char_max     u32
//! w_word, w_char, w_prev, w_meta, w_rule   5 × f32
//! w_earlier, w_talk, w_topic, w_ctx, w_stack, w_char   6 × f32   (client, `ClientConfig`)
//! client decision (`ClientPrior`, format 3):
//!   lambda     f32      weight of the sequence prior (0: off)
//!   depth      u32      earlier client lines filtered (0..=8)
//!   trans      9 × f32  transition probabilities, row = previous line's class (each > 0)
//!   shares     3 × f32  class shares of the training lines (each > 0)
//!   offsets    3 × f32  logit offsets added after the prior (tuned for macro-F1)
//! n_heads      u32
//! per head:
//!   name_len   u32, name (UTF-8)
//!   classes    u32 (k, 1..=16)
//!   bias       k × f32
//!   scale      f32           weight = i16 × scale
//!   rows       u32           buckets with a non-zero weight
//!   per row:   bucket delta (LEB128 varint, from the previous bucket of this head; the first
//!              from 0), then k × i16 weights
//! ```
//!
//! Every length is checked against the bytes that remain, so a corrupt file is an error, never
//! a panic or a huge allocation.

use crate::features::{ClientConfig, FeatureConfig, SparseVec};

/// Magic bytes at the start of every model file.
pub const MAGIC: &[u8; 8] = b"CTCODER\0";
/// Layout version of the model file.
pub const FORMAT: u32 = 3;

/// One linear soft-max head (or a logistic head when `classes == 1`).
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    /// Head name, e.g. `main`.
    pub name: String,
    /// Number of output columns.
    pub classes: usize,
    /// Bias per class.
    pub bias: Vec<f32>,
    /// Sorted buckets with weights.
    pub buckets: Vec<u32>,
    /// Row-major weights: `buckets.len() × classes`.
    pub weights: Vec<f32>,
}

impl Head {
    /// Raw scores (logits): bias + Σ value × weight, summed in bucket order.
    pub fn logits(&self, x: &SparseVec) -> Vec<f32> {
        let mut z = self.bias.clone();
        // Both lists are sorted: binary-search each feature in what is left of the bucket
        // list. Sums run in feature order, so results are bit-identical on every run.
        let mut j = 0usize;
        for &(b, v) in x {
            j += self.buckets[j..].partition_point(|&k| k < b);
            if j == self.buckets.len() {
                break;
            }
            if self.buckets[j] == b {
                let row = &self.weights[j * self.classes..(j + 1) * self.classes];
                for (zc, w) in z.iter_mut().zip(row) {
                    *zc += v * w;
                }
            }
        }
        z
    }

    /// Soft-max probabilities (logistic for one column).
    pub fn probs(&self, x: &SparseVec) -> Vec<f32> {
        softmax(&self.logits(x))
    }
}

/// Soft-max of logits; for a single logit, the logistic function.
pub fn softmax(z: &[f32]) -> Vec<f32> {
    if z.len() == 1 {
        return vec![1.0 / (1.0 + (-z[0]).exp())];
    }
    let m = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let e: Vec<f32> = z.iter().map(|v| (v - m).exp()).collect();
    let s: f32 = e.iter().sum();
    e.iter().map(|v| v / s).collect()
}

/// How the client head's logits become a decision (format 3): an HMM-style prior from the
/// coder's own codings of the previous client lines, then per-class logit offsets.
///
/// For a line with earlier client lines, the oldest of the last `depth` lines is coded from its
/// own features; its distribution under the true class shares is `softmax(z + ln shares)`;
/// the prior of the next line is `Σ_y' f(y') trans[y'][y]`, entering that line's logits as
/// `lambda · (ln prior(y) − ln shares(y))`; and so on forward to the line being coded. Only
/// the coder's predictions for earlier lines are used, never labels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClientPrior {
    /// Weight of the sequence prior (0 turns it off).
    pub lambda: f32,
    /// How many earlier client lines are filtered.
    pub depth: u32,
    /// `trans[prev][next]`: transition probabilities between consecutive client lines.
    pub trans: [[f32; 3]; 3],
    /// Class shares of the training lines.
    pub shares: [f32; 3],
    /// Logit offsets, added last.
    pub offsets: [f32; 3],
}

impl Default for ClientPrior {
    fn default() -> Self {
        ClientPrior {
            lambda: 0.0,
            depth: 0,
            trans: [[1.0 / 3.0; 3]; 3],
            shares: [1.0 / 3.0; 3],
            offsets: [0.0; 3],
        }
    }
}

impl ClientPrior {
    /// The prior term of a line whose earlier client lines have the logits `earlier` (oldest
    /// first, most recent last; only the last `depth` are used).
    #[allow(clippy::needless_range_loop)] // classes by index, as in the formula
    pub fn term(&self, earlier: &[[f32; 3]]) -> [f32; 3] {
        let mut term = [0.0f32; 3];
        if self.lambda == 0.0 || self.depth == 0 {
            return term;
        }
        let d = (self.depth as usize).min(earlier.len());
        for z in &earlier[earlier.len() - d..] {
            let mut l = [0.0f32; 3];
            for c in 0..3 {
                l[c] = z[c] + self.shares[c].ln() + term[c];
            }
            let f = softmax(&l);
            for c in 0..3 {
                let pr: f32 = (0..3).map(|a| f[a] * self.trans[a][c]).sum();
                term[c] = self.lambda * (pr.ln() - self.shares[c].ln());
            }
        }
        term
    }

    fn to_bytes(self, out: &mut Vec<u8>) {
        push_f32(out, self.lambda);
        push_u32(out, self.depth);
        for row in self.trans {
            for v in row {
                push_f32(out, v);
            }
        }
        for v in self.shares.into_iter().chain(self.offsets) {
            push_f32(out, v);
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<ClientPrior, String> {
        let lambda = r.f32()?;
        let depth = r.u32()?;
        if depth > 8 {
            return Err(format!("client prior depth {depth} out of range 0..=8"));
        }
        let mut trans = [[0.0f32; 3]; 3];
        for row in trans.iter_mut() {
            for v in row.iter_mut() {
                *v = r.f32()?;
            }
        }
        let mut shares = [0.0f32; 3];
        let mut offsets = [0.0f32; 3];
        for v in shares.iter_mut().chain(offsets.iter_mut()) {
            *v = r.f32()?;
        }
        let positive = trans.iter().flatten().chain(&shares);
        if !lambda.is_finite()
            || offsets.iter().any(|v| !v.is_finite())
            || positive.clone().any(|v| !(v.is_finite() && *v > 0.0))
        {
            return Err("client prior: non-finite or non-positive values".into());
        }
        Ok(ClientPrior {
            lambda,
            depth,
            trans,
            shares,
            offsets,
        })
    }
}

/// A complete model: feature settings and heads.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// How features are built.
    pub cfg: FeatureConfig,
    /// The client head's extra feature groups.
    pub client: ClientConfig,
    /// The client head's sequence prior and offsets.
    pub prior: ClientPrior,
    /// The heads, in file order.
    pub heads: Vec<Head>,
}

fn push_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn push_f32(out: &mut Vec<u8>, v: f32) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn push_varint(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

impl Model {
    /// Serialises the model, quantising each head's weights to i16 with one scale per head.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        push_u32(&mut out, FORMAT);
        push_u32(&mut out, self.cfg.hash_bits);
        push_u32(&mut out, self.cfg.char_max);
        for w in [
            self.cfg.w_word,
            self.cfg.w_char,
            self.cfg.w_prev,
            self.cfg.w_meta,
            self.cfg.w_rule,
        ] {
            push_f32(&mut out, w);
        }
        for w in self.client.to_array() {
            push_f32(&mut out, w);
        }
        self.prior.to_bytes(&mut out);
        push_u32(&mut out, self.heads.len() as u32);
        for h in &self.heads {
            push_u32(&mut out, h.name.len() as u32);
            out.extend_from_slice(h.name.as_bytes());
            push_u32(&mut out, h.classes as u32);
            for b in &h.bias {
                push_f32(&mut out, *b);
            }
            let max = h.weights.iter().fold(0.0f32, |m, w| m.max(w.abs()));
            let scale = if max > 0.0 { max / 32767.0 } else { 1.0 };
            push_f32(&mut out, scale);
            // Rows whose weights all quantise to zero are dropped.
            let q: Vec<i16> = h
                .weights
                .iter()
                .map(|w| (w / scale).round().clamp(-32767.0, 32767.0) as i16)
                .collect();
            let rows: Vec<usize> = (0..h.buckets.len())
                .filter(|&r| {
                    q[r * h.classes..(r + 1) * h.classes]
                        .iter()
                        .any(|v| *v != 0)
                })
                .collect();
            push_u32(&mut out, rows.len() as u32);
            let mut last = 0u32;
            for r in rows {
                push_varint(&mut out, h.buckets[r] - last);
                last = h.buckets[r];
                for v in &q[r * h.classes..(r + 1) * h.classes] {
                    out.extend_from_slice(&v.to_le_bytes());
                }
            }
        }
        out
    }

    /// Parses a model file; every inconsistency is an error message.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, String> {
        let mut r = Reader { b: bytes, at: 0 };
        if r.take(8)? != MAGIC {
            return Err("not a ChangeTalk coder model (bad magic bytes)".into());
        }
        let format = r.u32()?;
        if format != FORMAT && format != 2 {
            return Err(format!(
                "model format {format} is not supported (expected {FORMAT} or 2)"
            ));
        }
        let hash_bits = r.u32()?;
        if !(8..=30).contains(&hash_bits) {
            return Err(format!("hash_bits {hash_bits} out of range 8..=30"));
        }
        let char_max = r.u32()?;
        if !(2..=8).contains(&char_max) {
            return Err(format!("char_max {char_max} out of range 2..=8"));
        }
        let mut w = [0.0f32; 5];
        for x in w.iter_mut() {
            *x = r.f32()?;
        }
        let cfg = FeatureConfig {
            hash_bits,
            w_word: w[0],
            w_char: w[1],
            w_prev: w[2],
            w_meta: w[3],
            w_rule: w[4],
            char_max,
        };
        let mut cw = [0.0f32; 6];
        for x in cw.iter_mut() {
            *x = r.f32()?;
        }
        let client = ClientConfig::from_array(cw);
        // Format 2 had no client decision section: no prior, offsets in the head's bias.
        let prior = if format == 2 {
            ClientPrior::default()
        } else {
            ClientPrior::read(&mut r)?
        };
        let n_heads = r.u32()? as usize;
        if n_heads > 64 {
            return Err(format!("{n_heads} heads is implausible"));
        }
        let mut heads = Vec::with_capacity(n_heads);
        for _ in 0..n_heads {
            let nl = r.u32()? as usize;
            let name = std::str::from_utf8(r.take(nl)?)
                .map_err(|_| "head name is not UTF-8".to_string())?
                .to_string();
            let classes = r.u32()? as usize;
            if !(1..=16).contains(&classes) {
                return Err(format!("head `{name}`: {classes} classes out of range"));
            }
            let mut bias = Vec::with_capacity(classes);
            for _ in 0..classes {
                bias.push(r.f32()?);
            }
            let scale = r.f32()?;
            let n_rows = r.u32()? as usize;
            // Each row takes at least 1 + 2k bytes: refuse counts the file cannot hold.
            if n_rows.saturating_mul(1 + 2 * classes) > r.left() {
                return Err(format!(
                    "head `{name}`: row count {n_rows} exceeds the file"
                ));
            }
            let mut buckets = Vec::with_capacity(n_rows);
            let mut weights = Vec::with_capacity(n_rows * classes);
            let mut last = 0u64;
            for i in 0..n_rows {
                let d = u64::from(r.varint()?);
                let b = last + d;
                if (i > 0 && d == 0) || b >= (1u64 << hash_bits) {
                    return Err(format!("head `{name}`: bucket list is corrupt"));
                }
                last = b;
                buckets.push(b as u32);
                for _ in 0..classes {
                    let q = i16::from_le_bytes([r.u8()?, r.u8()?]);
                    weights.push(f32::from(q) * scale);
                }
            }
            if bias.iter().chain(&weights).any(|v| !v.is_finite()) {
                return Err(format!("head `{name}`: non-finite weights"));
            }
            heads.push(Head {
                name,
                classes,
                bias,
                buckets,
                weights,
            });
        }
        if r.left() != 0 {
            return Err(format!("{} trailing bytes after the last head", r.left()));
        }
        if [cfg.w_word, cfg.w_char, cfg.w_prev, cfg.w_meta, cfg.w_rule]
            .iter()
            .chain(&cw)
            .any(|v| !v.is_finite())
        {
            return Err("non-finite feature weights".into());
        }
        Ok(Model {
            cfg,
            client,
            prior,
            heads,
        })
    }

    /// The head called `name`.
    pub fn head(&self, name: &str) -> Option<&Head> {
        self.heads.iter().find(|h| h.name == name)
    }
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn left(&self) -> usize {
        self.b.len() - self.at
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if n > self.left() {
            return Err(format!("model file truncated at byte {}", self.at));
        }
        let s = &self.b[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, String> {
        let s = self.take(4)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn f32(&mut self) -> Result<f32, String> {
        Ok(f32::from_bits(self.u32()?))
    }
    fn varint(&mut self) -> Result<u32, String> {
        let mut v: u32 = 0;
        for shift in [0u32, 7, 14, 21, 28] {
            let b = self.u8()?;
            let part = u32::from(b & 0x7f);
            if shift == 28 && part > 0x0f {
                return Err("varint overflow".into());
            }
            v |= part << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("varint too long".into())
    }
}
