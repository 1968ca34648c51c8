//! Hashed text features shared by training and inference.
//!
//! An utterance and the previous turn of the other speaker become a sparse vector of
//! `(bucket, value)` pairs, sorted by bucket with duplicates summed, so that scoring adds the
//! same numbers in the same order on every run and platform:
//!
//! - `word`: word 1- and 2-grams of the utterance (with `<s>`/`</s>` boundaries);
//! - `char`: character 2–5-grams of the lower-cased utterance, padded with spaces;
//! - `prev`: word 1- and 2-grams of the previous turn of the other speaker, in their own
//!   namespace (the "prev:" prefix of the literature);
//! - `rule`: the phrase families of `rules` (affirm, confront, permission, autonomy…);
//! - `meta`: question marks, first and last words, length bins, and how much of the
//!   utterance repeats the previous turn (a strong cue for reflections).
//!
//! Each group is weighted sublinearly (`1 + ln tf`), scaled to unit L2 norm and multiplied by
//! its group weight from [`FeatureConfig`]. Buckets come from 64-bit FNV-1a, which is fixed by
//! its definition, modulo `2^hash_bits`.

/// How features are built; stored in the model file so that inference matches training.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeatureConfig {
    /// Number of hash buckets is `2^hash_bits`.
    pub hash_bits: u32,
    /// Weight of the word n-gram group.
    pub w_word: f32,
    /// Weight of the character n-gram group.
    pub w_char: f32,
    /// Weight of the previous-turn group.
    pub w_prev: f32,
    /// Weight of the meta group.
    pub w_meta: f32,
    /// Weight of the rule-cue group (phrase families from `rules`).
    pub w_rule: f32,
    /// Longest character n-gram (2..=this).
    pub char_max: u32,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            hash_bits: 20,
            w_word: 1.0,
            w_char: 1.0,
            w_prev: 0.5,
            w_meta: 0.5,
            w_rule: 0.3,
            char_max: 5,
        }
    }
}

/// A sparse feature vector: buckets strictly increasing.
pub type SparseVec = Vec<(u32, f32)>;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn fnv1a(ns: u8, parts: &[&str]) -> u64 {
    let mut h = FNV_OFFSET;
    let mut eat = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    };
    eat(ns);
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            eat(0x1f);
        }
        for b in p.bytes() {
            eat(b);
        }
    }
    h
}

/// Lower-cases, unifies apostrophes and quotes, collapses whitespace.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = true;
    for ch in text.chars() {
        let ch = match ch {
            '\u{2018}' | '\u{2019}' | '`' => '\'',
            '\u{201c}' | '\u{201d}' => '"',
            '\u{2013}' | '\u{2014}' => '-',
            c => c,
        };
        if ch.is_whitespace() {
            if !space {
                out.push(' ');
                space = true;
            }
        } else {
            for l in ch.to_lowercase() {
                out.push(l);
            }
            space = false;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Word tokens of normalised text: runs of letters, digits and inner apostrophes; `?` and `!`
/// are tokens of their own.
pub fn tokens(norm: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, ch) in norm.char_indices() {
        let word = ch.is_alphanumeric() || ch == '\'';
        if word {
            if start.is_none() {
                start = Some(i);
            }
        } else {
            if let Some(s) = start.take() {
                push_word(&mut out, &norm[s..i]);
            }
            if ch == '?' || ch == '!' {
                out.push(&norm[i..i + ch.len_utf8()]);
            }
        }
    }
    if let Some(s) = start {
        push_word(&mut out, &norm[s..]);
    }
    out
}

fn push_word<'a>(out: &mut Vec<&'a str>, w: &'a str) {
    let w = w.trim_matches('\'');
    if !w.is_empty() {
        out.push(w);
    }
}

/// Collects hashed counts of one group, then weights them.
struct Group {
    items: Vec<(u32, f32)>,
}

impl Group {
    fn new() -> Self {
        Group { items: Vec::new() }
    }
    fn add(&mut self, mask: u64, ns: u8, parts: &[&str]) {
        self.items.push(((fnv1a(ns, parts) & mask) as u32, 1.0));
    }
    /// Merges duplicates (sublinear tf), L2-normalises, scales by `w`, appends to `out`.
    fn finish(mut self, w: f32, out: &mut SparseVec) {
        if self.items.is_empty() || w == 0.0 {
            return;
        }
        self.items.sort_by_key(|a| a.0);
        let mut merged: SparseVec = Vec::with_capacity(self.items.len());
        for (b, v) in self.items {
            match merged.last_mut() {
                Some((lb, lv)) if *lb == b => *lv += v,
                _ => merged.push((b, v)),
            }
        }
        let mut norm = 0.0f32;
        for (_, v) in merged.iter_mut() {
            *v = 1.0 + v.ln();
            norm += *v * *v;
        }
        let scale = w / norm.sqrt();
        out.extend(merged.into_iter().map(|(b, v)| (b, v * scale)));
    }
}

fn len_bin(n: usize) -> &'static str {
    match n {
        0 => "0",
        1 => "1",
        2 => "2",
        3..=4 => "3-4",
        5..=8 => "5-8",
        9..=16 => "9-16",
        17..=32 => "17-32",
        33..=64 => "33-64",
        _ => "65+",
    }
}

const SHORT: [&str; 24] = [
    "a", "an", "the", "and", "or", "but", "to", "of", "in", "on", "it", "is", "that", "so", "uh",
    "um", "i", "you", "be", "do", "for", "with", "at", "as",
];

/// Builds the feature vector of `text` given the previous turn of the other speaker.
pub fn extract(cfg: &FeatureConfig, text: &str, prev: Option<&str>) -> SparseVec {
    let mask: u64 = (1u64 << cfg.hash_bits.clamp(8, 30)) - 1;
    let norm = normalize(text);
    let toks = tokens(&norm);
    let mut out: SparseVec = Vec::with_capacity(8 * norm.len() + 64);

    // Words.
    let mut g = Group::new();
    let mut prevw = "<s>";
    for t in &toks {
        g.add(mask, b'w', &[t]);
        g.add(mask, b'b', &[prevw, t]);
        prevw = t;
    }
    g.add(mask, b'b', &[prevw, "</s>"]);
    g.finish(cfg.w_word, &mut out);

    // Characters (on chars, not bytes, so any UTF-8 is safe).
    let mut g = Group::new();
    let padded_str = format!(" {norm} ");
    let padded: Vec<(usize, char)> = padded_str.char_indices().collect();
    let maxn = cfg.char_max.clamp(2, 8) as usize;
    for i in 0..padded.len() {
        for n in 2..=maxn {
            if i + n > padded.len() {
                break;
            }
            let s = padded[i].0;
            let e = padded.get(i + n).map_or(padded_str.len(), |x| x.0);
            g.add(mask, b'c', &[&padded_str[s..e]]);
        }
    }
    g.finish(cfg.w_char, &mut out);

    // Previous turn of the other speaker.
    let pnorm = prev.map(normalize);
    let ptoks: Vec<&str> = pnorm.as_deref().map(tokens).unwrap_or_default();
    let mut g = Group::new();
    let mut pw = "<s>";
    for t in &ptoks {
        g.add(mask, b'p', &[t]);
        g.add(mask, b'q', &[pw, t]);
        pw = t;
    }
    if !ptoks.is_empty() {
        g.add(mask, b'q', &[pw, "</s>"]);
    }
    g.finish(cfg.w_prev, &mut out);

    // Meta.
    let mut g = Group::new();
    let nq = toks.iter().filter(|t| **t == "?").count();
    g.add(mask, b'm', &["nq", len_bin(nq)]);
    if norm.ends_with('?') {
        g.add(mask, b'm', &["ends?"]);
    }
    let words: Vec<&str> = toks
        .iter()
        .copied()
        .filter(|t| *t != "?" && *t != "!")
        .collect();
    g.add(mask, b'm', &["len", len_bin(words.len())]);
    g.add(
        mask,
        b'm',
        &["f1", words.first().copied().unwrap_or("<none>")],
    );
    if words.len() >= 2 {
        g.add(mask, b'm', &["f2", words[0], words[1]]);
    }
    g.add(
        mask,
        b'm',
        &["l1", words.last().copied().unwrap_or("<none>")],
    );
    // The opening word of the last sentence (questions often follow a reflection).
    let last_sent = norm
        .trim_end_matches(['?', '.', '!', ' '])
        .rsplit(['.', '?', '!'])
        .next()
        .unwrap_or("");
    let ls_toks = tokens(last_sent);
    if let Some(f) = ls_toks.first() {
        g.add(mask, b'm', &["s1", f]);
    }
    match pnorm.as_deref() {
        None => g.add(mask, b'm', &["noprev"]),
        Some(_) => {
            let pwords: Vec<&str> = ptoks
                .iter()
                .copied()
                .filter(|t| *t != "?" && *t != "!")
                .collect();
            g.add(mask, b'm', &["plen", len_bin(pwords.len())]);
            if ptoks.last() == Some(&"?") {
                g.add(mask, b'm', &["prev?"]);
            }
            // Share of the utterance's content words that repeat the previous turn.
            let content: Vec<&str> = words
                .iter()
                .copied()
                .filter(|w| w.len() > 2 && !SHORT.contains(w))
                .collect();
            if !content.is_empty() {
                let mut pset: Vec<&str> = pwords.clone();
                pset.sort_unstable();
                pset.dedup();
                let hits = content
                    .iter()
                    .filter(|w| pset.binary_search(w).is_ok())
                    .count();
                let bin = (hits * 5).div_ceil(content.len());
                let b = ["0", "1", "2", "3", "4", "5"][bin.min(5)];
                g.add(mask, b'm', &["ovl", b]);
            }
        }
    }
    g.finish(cfg.w_meta, &mut out);

    // Rule cues (each family one binary feature).
    let mut g = Group::new();
    for name in crate::rules::cues(text).names() {
        g.add(mask, b'r', &[name]);
    }
    g.finish(cfg.w_rule, &mut out);

    // Groups may collide: sort and merge once more (fixed order → fixed sums).
    out.sort_by_key(|a| a.0);
    let mut merged: SparseVec = Vec::with_capacity(out.len());
    for (b, v) in out {
        match merged.last_mut() {
            Some((lb, lv)) if *lb == b => *lv += v,
            _ => merged.push((b, v)),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_normalize() {
        let n = normalize("  You’re   WORRIED?  ");
        assert_eq!(n, "you're worried?");
        assert_eq!(tokens(&n), vec!["you're", "worried", "?"]);
    }

    #[test]
    fn sorted_unique_and_deterministic() {
        let cfg = FeatureConfig::default();
        let a = extract(&cfg, "So you feel stuck, é?", Some("I feel stuck."));
        let b = extract(&cfg, "So you feel stuck, é?", Some("I feel stuck."));
        assert_eq!(a, b);
        assert!(a.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(extract(&cfg, "", None).len() < 10);
    }
}
