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

pub use crate::text::{normalize, tokens};

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
    let norm = normalize(text);
    let mut out: SparseVec = Vec::with_capacity(8 * norm.len() + 64);
    base_groups(cfg, cfg.w_char, text, &norm, prev, &mut out);
    merge(out)
}

/// The groups shared by every head (words, characters, previous turn, meta, rule cues).
fn base_groups(
    cfg: &FeatureConfig,
    w_char: f32,
    text: &str,
    norm: &str,
    prev: Option<&str>,
    out: &mut SparseVec,
) {
    let mask = mask_of(cfg);
    let toks = tokens(norm);

    // Words.
    let mut g = Group::new();
    let mut prevw = "<s>";
    for t in &toks {
        g.add(mask, b'w', &[t]);
        g.add(mask, b'b', &[prevw, t]);
        prevw = t;
    }
    g.add(mask, b'b', &[prevw, "</s>"]);
    g.finish(cfg.w_word, out);

    // Characters (on chars, not bytes, so any UTF-8 is safe).
    let mut g = Group::new();
    if w_char != 0.0 {
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
    }
    g.finish(w_char, out);

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
    g.finish(cfg.w_prev, out);

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
    g.finish(cfg.w_meta, out);

    // Rule cues (each family one binary feature).
    let mut g = Group::new();
    for name in crate::rules::cues(text).names() {
        g.add(mask, b'r', &[name]);
    }
    g.finish(cfg.w_rule, out);
}

fn mask_of(cfg: &FeatureConfig) -> u64 {
    (1u64 << cfg.hash_bits.clamp(8, 30)) - 1
}

/// Groups may collide: sort and merge once more (fixed order → fixed sums).
fn merge(mut out: SparseVec) -> SparseVec {
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

/// Extra feature groups of the client-talk head (stored in the model file). A weight of 0
/// turns its group off.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ClientConfig {
    /// Word 1–2-grams of the client's own previous line ("e:" namespace).
    pub w_earlier: f32,
    /// Talk cues: first-person DARN-CAT patterns with their polarity ("I want" / "I don't
    /// want"), negation-scoped words, change and sustain word families.
    pub w_talk: f32,
    /// Word 1–3-grams that contain a target-behaviour word, with the word replaced by a
    /// placeholder ("want to stop <t>"), so cues carry across topics.
    pub w_topic: f32,
    /// Conversation context: position bin (number of earlier client lines) and the talk cues
    /// of the two previous client lines.
    pub w_ctx: f32,
    /// Stacking: the client head's own first-stage probabilities for the two previous client
    /// lines (see [`stack_features`]); 0 means a single-stage head.
    pub w_stack: f32,
    /// Weight of the character n-gram group for client lines (replaces
    /// [`FeatureConfig::w_char`], which the counsellor heads use).
    pub w_char: f32,
}

impl ClientConfig {
    /// The six weights in file order.
    pub fn to_array(self) -> [f32; 6] {
        [
            self.w_earlier,
            self.w_talk,
            self.w_topic,
            self.w_ctx,
            self.w_stack,
            self.w_char,
        ]
    }
    /// From the six weights in file order.
    pub fn from_array(w: [f32; 6]) -> ClientConfig {
        ClientConfig {
            w_earlier: w[0],
            w_talk: w[1],
            w_topic: w[2],
            w_ctx: w[3],
            w_stack: w[4],
            w_char: w[5],
        }
    }
}

/// Builds the feature vector of a client line: the shared groups of [`extract`] (with the
/// counsellor turn it answers as the previous turn) plus the client groups of `ccfg`, using
/// the client's own earlier lines (oldest first, most recent last).
pub fn extract_client(
    cfg: &FeatureConfig,
    ccfg: &ClientConfig,
    text: &str,
    prev: Option<&str>,
    earlier: &[&str],
) -> SparseVec {
    let norm = normalize(text);
    let mut out: SparseVec = Vec::with_capacity(10 * norm.len() + 96);
    base_groups(cfg, ccfg.w_char, text, &norm, prev, &mut out);
    let mask = mask_of(cfg);

    if ccfg.w_earlier != 0.0
        && let Some(last) = earlier.last()
    {
        let en = normalize(last);
        let et = tokens(&en);
        let mut g = Group::new();
        let mut pw = "<s>";
        for t in &et {
            g.add(mask, b'e', &[t]);
            g.add(mask, b'f', &[pw, t]);
            pw = t;
        }
        g.finish(ccfg.w_earlier, &mut out);
    }

    if ccfg.w_talk != 0.0 {
        let mut g = Group::new();
        for f in talk_cues(&norm) {
            g.add(mask, b't', &[&f]);
        }
        g.finish(ccfg.w_talk, &mut out);
    }

    if ccfg.w_topic != 0.0 {
        let toks = tokens(&norm);
        let tt: Vec<&str> = toks
            .iter()
            .map(|t| if is_topic(t) { "<t>" } else { t })
            .collect();
        let mut g = Group::new();
        for i in 0..tt.len() {
            for n in 1..=3 {
                if i + n > tt.len() {
                    break;
                }
                let w = &tt[i..i + n];
                if w.contains(&"<t>") {
                    g.add(mask, b'z', w);
                }
            }
        }
        g.finish(ccfg.w_topic, &mut out);
    }

    if ccfg.w_ctx != 0.0 {
        let mut g = Group::new();
        g.add(mask, b'x', &["pos", len_bin(earlier.len())]);
        for (lag, line) in earlier.iter().rev().take(2).enumerate() {
            let tag = ["1", "2"][lag];
            for f in talk_cues(&normalize(line)) {
                g.add(mask, b'x', &[tag, &f]);
            }
        }
        g.finish(ccfg.w_ctx, &mut out);
    }
    merge(out)
}

/// Adds the stacking features to a client vector: for the previous client line (lag 1) and
/// the one before (lag 2), the first-stage probability of each talk class (value `w × p`) and
/// a binary feature for its arg-max. `prev_probs[0]` is the most recent line.
pub fn stack_features(
    cfg: &FeatureConfig,
    w: f32,
    x: SparseVec,
    prev_probs: &[[f32; 3]],
) -> SparseVec {
    if w == 0.0 {
        return x;
    }
    let mask = mask_of(cfg);
    let mut out = x;
    let classes = ["change", "neutral", "sustain"];
    for (lag, p) in prev_probs.iter().take(2).enumerate() {
        let tag = ["1", "2"][lag];
        let mut best = 0;
        for c in 0..3 {
            out.push(((fnv1a(b's', &[tag, classes[c]]) & mask) as u32, w * p[c]));
            if p[c] > p[best] {
                best = c;
            }
        }
        out.push(((fnv1a(b's', &[tag, "arg", classes[best]]) & mask) as u32, w));
    }
    if prev_probs.is_empty() {
        out.push(((fnv1a(b's', &["none"]) & mask) as u32, w));
    }
    merge(out)
}

/// Words naming the target behaviour in AnnoMI's topics (alcohol, smoking, drugs, diet,
/// exercise, medication, gambling…).
const TOPIC: &[&str] = &[
    "alcohol",
    "beer",
    "beers",
    "booze",
    "cannabis",
    "cig",
    "cigarette",
    "cigarettes",
    "cigs",
    "cocaine",
    "diet",
    "drank",
    "drink",
    "drinking",
    "drinks",
    "drug",
    "drugs",
    "eat",
    "eating",
    "exercise",
    "exercising",
    "food",
    "gamble",
    "gambling",
    "heroin",
    "insulin",
    "junk",
    "marijuana",
    "medication",
    "medicine",
    "meds",
    "pills",
    "pot",
    "smoke",
    "smoked",
    "smokes",
    "smoking",
    "soda",
    "sugar",
    "vape",
    "vaping",
    "weed",
    "weight",
    "wine",
];

fn is_topic(t: &str) -> bool {
    TOPIC.binary_search(&t).is_ok()
}

fn is_negator(t: &str) -> bool {
    matches!(
        t,
        "not" | "no" | "never" | "nothing" | "nobody" | "none" | "cannot" | "hardly" | "nah"
    ) || t.ends_with("n't")
}

/// DARN-CAT category of a verb-ish token after a first-person subject.
fn talk_category(t: &str, next: Option<&str>, after_would: bool) -> Option<&'static str> {
    Some(match t {
        "want" | "wanna" | "wish" | "hope" | "prefer" => "desire",
        "like" | "love" if after_would => "desire",
        "like" | "love" | "enjoy" => "enjoy",
        "can" | "could" | "able" | "manage" | "cannot" | "can't" | "couldn't" => "ability",
        "need" | "must" | "should" | "gotta" | "shouldn't" | "needn't" => "need",
        "have" | "got" if next == Some("to") => "need",
        "will" | "won't" | "gonna" | "plan" | "planning" | "intend" | "promise" | "decided"
        | "ready" | "willing" | "commit" | "committed" => "commit",
        "going" if next == Some("to") => "commit",
        "started" | "stopped" | "quit" | "cut" | "tried" | "trying" | "managed" | "reduced" => {
            "steps"
        }
        "think" | "believe" | "guess" | "suppose" => "think",
        "know" => "know",
        "worry" | "worried" | "scared" | "afraid" | "concerned" => "worry",
        "feel" | "felt" => "feel",
        _ => return None,
    })
}

const CHANGE_WORDS: &[&str] = &[
    "better",
    "change",
    "concerned",
    "cut",
    "damage",
    "danger",
    "dangerous",
    "die",
    "fed",
    "harm",
    "health",
    "healthier",
    "healthy",
    "hurt",
    "hurting",
    "less",
    "quit",
    "quitting",
    "reduce",
    "sick",
    "stop",
    "stopping",
    "tired",
    "worried",
    "worry",
    "worse",
];
const SUSTAIN_WORDS: &[&str] = &[
    "anyway",
    "bored",
    "boring",
    "calm",
    "cope",
    "deal",
    "difficult",
    "enjoy",
    "everybody",
    "everyone",
    "fine",
    "fun",
    "hard",
    "normal",
    "okay",
    "relax",
    "relaxes",
    "relaxing",
    "social",
    "stress",
    "stressed",
    "whatever",
];

/// Talk-cue names of a normalised client line: first-person DARN-CAT patterns with polarity,
/// negation-scoped words, and change / sustain word families (flipped under negation).
pub fn talk_cues(norm: &str) -> Vec<String> {
    let mut out = Vec::new();
    for clause in norm.split(['.', ',', ';', ':', '!', '?']) {
        let toks = tokens(clause);
        // Negation scope: up to five words after a negator, within the clause.
        let mut scope = vec![false; toks.len()];
        for (i, t) in toks.iter().enumerate() {
            if is_negator(t) {
                for s in scope.iter_mut().skip(i + 1).take(5) {
                    *s = true;
                }
            }
        }
        for (i, t) in toks.iter().enumerate() {
            if scope[i] {
                out.push(format!("n:{t}"));
            }
            let neg = if scope[i] || is_negator(t) {
                ":neg"
            } else {
                ""
            };
            if CHANGE_WORDS.binary_search(t).is_ok() {
                out.push(format!("lex:change{neg}"));
            }
            if SUSTAIN_WORDS.binary_search(t).is_ok() {
                out.push(format!("lex:sustain{neg}"));
            }
        }
        // First-person patterns: subject, then the first category word within four tokens.
        for (i, t) in toks.iter().enumerate() {
            let (subj_cat, after_would) = match *t {
                "i" | "we" | "i'm" | "im" | "we're" | "i've" | "we've" => (None, false),
                "i'll" | "we'll" => (Some("commit"), false),
                "i'd" | "we'd" => (None, true),
                _ => continue,
            };
            let mut neg = false;
            let mut would = after_would;
            let mut found = subj_cat.map(|c| (c, "'ll"));
            for j in i + 1..toks.len().min(i + 5) {
                let w = toks[j];
                if matches!(w, "i" | "we" | "you" | "he" | "she" | "they") {
                    break;
                }
                if is_negator(w) {
                    neg = true;
                }
                if w == "would" {
                    would = true;
                }
                if let Some(c) = talk_category(w, toks.get(j + 1).copied(), would) {
                    if w.ends_with("n't") || w == "cannot" {
                        neg = true;
                    }
                    found = Some((c, w));
                    break;
                }
            }
            if let Some((c, w)) = found {
                let pol = if neg { "neg" } else { "pos" };
                out.push(format!("fp:{c}:{pol}"));
                out.push(format!("fpw:{w}:{pol}"));
            }
        }
    }
    out
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

    #[test]
    fn word_lists_are_sorted() {
        for l in [TOPIC, CHANGE_WORDS, SUSTAIN_WORDS] {
            assert!(l.windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn talk_cue_polarity() {
        let c = talk_cues(&normalize("I don't want to stop drinking."));
        assert!(c.contains(&"fp:desire:neg".to_string()));
        let c = talk_cues(&normalize("I really want to stop."));
        assert!(c.contains(&"fp:desire:pos".to_string()));
        let c = talk_cues(&normalize("I'm going to quit, I'd like to try."));
        assert!(c.contains(&"fp:commit:pos".to_string()));
        assert!(c.contains(&"fp:desire:pos".to_string()));
        let c = talk_cues(&normalize("I can't do it."));
        assert!(c.contains(&"fp:ability:neg".to_string()));
    }
}
