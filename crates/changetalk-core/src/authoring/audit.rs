//! Teaching validity, measured: can a trainee who knows no MI score well on this menu?
//!
//! `changetalk audit` plays the strategies of such a trainee — always the longest reply,
//! always the shortest, always the first or last shown, a random reply — and two rules of
//! thumb that are skill-shaped (never ask a question, always reflect), each over the same
//! [`AUDIT_RUNS`] seeds, and sets their overall scores and endings beside the model
//! conversation's. It also measures the menu's surface tells (is the best reply the longest?
//! do phrases, punctuation, question words or the client's name give it away?) and how often
//! the client answers a weak reply exactly as it answers the best one. `docs/authoring.md`,
//! "Auditing a client", explains every figure.
//!
//! Pure and deterministic: the same scenario gives the same report.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use serde::Serialize;

use crate::engine::model::{ReplyOption, Scenario};
use crate::engine::score_transcript;
use crate::engine::{AutoPolicy, Session, SessionRng, auto_turn_limit, best_index, option_ratings};
use crate::miti::codes::{MitiCode, normalize_turn};
use crate::miti::score::round_to;
use crate::source::diag::Span;

/// Seeded runs per strategy (seeds `0..AUDIT_RUNS`).
pub const AUDIT_RUNS: u64 = 200;

/// A surface strategy fails the audit when its mean overall comes within this many points of
/// the model conversation's.
pub const SURFACE_MARGIN: f64 = 25.0;

/// A reply rated at or below this is weak (HRQ levels 1–2: a roadblock, or neither a
/// roadblock nor a reflection).
pub const WEAK_RATING: u8 = 2;

/// How a strategy picks a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// The top-rated reply at every point (the model conversation).
    Model,
    /// The reply with the most words.
    AlwaysLongest,
    /// The reply with the fewest words.
    AlwaysShortest,
    /// The first reply shown.
    AlwaysFirst,
    /// The last reply shown.
    AlwaysLast,
    /// A reply at random.
    Random,
    /// Anything but the longest reply (at random among the rest): the tell turned around.
    AvoidLongest,
    /// The second-longest reply.
    SecondLongest,
    /// The first reply shown that is not a question (any, if all are).
    NeverAskAQuestion,
    /// The first reply shown that is a reflection (any, if none is).
    AlwaysReflect,
}

impl Strategy {
    /// Every strategy, in report order.
    pub const ALL: [Strategy; 10] = [
        Strategy::Model,
        Strategy::AlwaysLongest,
        Strategy::AlwaysShortest,
        Strategy::AlwaysFirst,
        Strategy::AlwaysLast,
        Strategy::Random,
        Strategy::AvoidLongest,
        Strategy::SecondLongest,
        Strategy::NeverAskAQuestion,
        Strategy::AlwaysReflect,
    ];

    /// In words, for the report.
    pub fn label(self) -> &'static str {
        match self {
            Strategy::Model => "model conversation",
            Strategy::AlwaysLongest => "always longest",
            Strategy::AlwaysShortest => "always shortest",
            Strategy::AlwaysFirst => "always first",
            Strategy::AlwaysLast => "always last",
            Strategy::Random => "random",
            Strategy::AvoidLongest => "never the longest",
            Strategy::SecondLongest => "second longest",
            Strategy::NeverAskAQuestion => "never ask a question",
            Strategy::AlwaysReflect => "always reflect",
        }
    }

    /// Surface strategies need no MI knowledge at all; the audit fails when one scores near
    /// the model conversation. Skill-shaped ones (a rule of thumb) are reported only.
    pub fn is_surface(self) -> bool {
        matches!(
            self,
            Strategy::AlwaysLongest
                | Strategy::AlwaysShortest
                | Strategy::AlwaysFirst
                | Strategy::AlwaysLast
                | Strategy::Random
                | Strategy::AvoidLongest
                | Strategy::SecondLongest
        )
    }
}

/// The words of a reply, as a trainee counts them.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

/// The reply (index into `options`, displayed order) a strategy picks.
fn pick(strategy: Strategy, options: &[&ReplyOption], rng: &mut SessionRng) -> usize {
    let n = options.len();
    let by_words = |longest: bool| {
        let mut best = 0;
        for (i, o) in options.iter().enumerate() {
            let (w, b) = (word_count(&o.text), word_count(&options[best].text));
            if (longest && w > b) || (!longest && w < b) {
                best = i;
            }
        }
        best
    };
    let first_with = |f: &dyn Fn(&ReplyOption) -> bool| options.iter().position(|o| f(o));
    // Displayed positions from longest to shortest (first shown wins a tie).
    let mut by_length: Vec<usize> = (0..n).collect();
    by_length.sort_by_key(|&i| std::cmp::Reverse(word_count(&options[i].text)));
    match strategy {
        Strategy::Model => 0,
        Strategy::AlwaysLongest => by_words(true),
        Strategy::AlwaysShortest => by_words(false),
        Strategy::AlwaysFirst => 0,
        Strategy::AlwaysLast => n.saturating_sub(1),
        Strategy::Random => rng.below(n),
        Strategy::AvoidLongest => {
            if n < 2 {
                0
            } else {
                by_length[1 + rng.below(n - 1)]
            }
        }
        Strategy::SecondLongest => by_length.get(1).copied().unwrap_or(0),
        Strategy::NeverAskAQuestion => {
            first_with(&|o| !normalize_turn(&o.codes).iter().any(|c| c.is_question())).unwrap_or(0)
        }
        Strategy::AlwaysReflect => {
            first_with(&|o| o.codes.iter().any(|c| c.is_reflection())).unwrap_or(0)
        }
    }
}

/// How one run ended.
#[derive(Debug, Clone, PartialEq)]
struct Run {
    overall: f64,
    ending: Option<String>,
}

fn play(s: &Arc<Scenario>, strategy: Strategy, seed: u64) -> Run {
    let mut session = Session::new(Arc::clone(s), seed);
    let mut rng = SessionRng::new(seed ^ 0x005E_ED0F_A0D1);
    let limit = auto_turn_limit(s);
    while !session.is_over() && session.turns().len() < limit {
        let number = if strategy == Strategy::Model {
            match session.auto_choice(AutoPolicy::Best) {
                Some(n) => n,
                None => break,
            }
        } else {
            let options = session.current_options();
            if options.is_empty() {
                break;
            }
            pick(strategy, &options, &mut rng) + 1
        };
        if session.choose(number).is_err() {
            break;
        }
    }
    if !session.is_over() {
        session.stop();
    }
    let t = session.transcript();
    Run {
        overall: score_transcript(&t).overall,
        ending: t.ending.map(|e| e.id),
    }
}

/// One strategy's results over the audit's seeds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrategyResult {
    /// Which strategy.
    pub strategy: Strategy,
    /// In words.
    pub label: &'static str,
    /// Surface (fails the audit near the model) or skill-shaped (reported only).
    pub surface: bool,
    /// Mean overall score over the runs, 0–100.
    pub overall: f64,
    /// 95th percentile of the overall score over the runs.
    pub p95: f64,
    /// The ending reached most often (`null`: most runs reached none).
    pub ending: Option<String>,
    /// Share of runs (0–1) that reached the model conversation's ending.
    pub reaches_model_ending: f64,
    /// The model's mean overall minus this strategy's.
    pub gap: f64,
    /// Why this strategy fails the audit; empty when it does not.
    pub fails: Vec<String>,
}

/// A phrase, mark, question word or name that tells best replies from weak ones.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CueTell {
    /// The cue as a trainee would notice it ("your call", "!", "leading `what`", "the name Rick").
    pub cue: String,
    /// How many options carry it.
    pub options: usize,
    /// `best` when every one of them is the best reply at its point, `weak` when every one is
    /// rated 2 or less.
    pub all: &'static str,
    /// The first option with the cue.
    pub first_option: String,
    /// Where that option is in the file.
    #[serde(skip)]
    pub span: Span,
}

/// The menu's length tell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LengthTell {
    /// Points with at least two options.
    pub points: usize,
    /// Of those, points where the best option has the most words (ties included).
    pub best_is_longest: usize,
    /// `best_is_longest / points`.
    pub share: f64,
    /// Mean words of best options.
    pub best_words: f64,
    /// Mean words of every other option.
    pub other_words: f64,
    /// `best_words / other_words`.
    pub ratio: f64,
    /// Points where the longest option (the first of equals in the file) is weak — the tell
    /// turned around: "never pick the longest".
    pub longest_is_weak: usize,
    /// Points where the shortest option is weak.
    pub shortest_is_weak: usize,
    /// The first best option that is the longest at its point.
    #[serde(skip)]
    pub first_span: Option<Span>,
    /// The points where the best option is the longest, in file order (for messages).
    #[serde(skip)]
    pub best_is_longest_at: Vec<String>,
}

/// How often the client answers a weak reply as it answers the best one, along the model
/// conversation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeafClient {
    /// Weak replies (rated 2 or less) available along the model conversation.
    pub weak_replies: usize,
    /// Of those, how many get the same next client line (or the same ending) as the best.
    pub answered_like_best: usize,
    /// `answered_like_best / weak_replies` (0 with no weak replies).
    pub share: f64,
    /// The option ids answered like the best reply.
    pub options: Vec<String>,
}

/// The whole audit of one scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditReport {
    /// Scenario id.
    pub scenario: String,
    /// Seeded runs per strategy.
    pub runs: u64,
    /// Every strategy, the model conversation first.
    pub strategies: Vec<StrategyResult>,
    /// Is the best reply the longest?
    pub length: LengthTell,
    /// Cues shared only by best or only by weak replies (5 or more options each).
    pub cue_tells: Vec<CueTell>,
    /// Does the client answer the reply?
    pub deaf_client: DeafClient,
    /// True when no surface strategy fails.
    pub pass: bool,
}

/// Plays every strategy and measures the menu. Pure; about 1,600 sessions.
pub fn audit(s: &Scenario) -> AuditReport {
    let arc = Arc::new(s.clone());
    let mut results: Vec<(Strategy, Vec<Run>)> = Strategy::ALL
        .iter()
        .map(|&st| {
            (
                st,
                (0..AUDIT_RUNS).map(|seed| play(&arc, st, seed)).collect(),
            )
        })
        .collect();
    let model_runs = results.remove(0).1;
    let model_mean = mean(&model_runs);
    let model_ending = modal_ending(&model_runs);
    let mut strategies = vec![summarise(
        Strategy::Model,
        &model_runs,
        model_mean,
        &model_ending,
    )];
    for (st, runs) in &results {
        strategies.push(summarise(*st, runs, model_mean, &model_ending));
    }
    let pass = strategies.iter().all(|r| r.fails.is_empty());
    AuditReport {
        scenario: s.id.clone(),
        runs: AUDIT_RUNS,
        strategies,
        length: length_tell(s),
        cue_tells: cue_tells(s),
        deaf_client: deaf_client(s),
        pass,
    }
}

fn mean(runs: &[Run]) -> f64 {
    if runs.is_empty() {
        return 0.0;
    }
    runs.iter().map(|r| r.overall).sum::<f64>() / runs.len() as f64
}

fn modal_ending(runs: &[Run]) -> Option<String> {
    let mut counts: BTreeMap<Option<&str>, usize> = BTreeMap::new();
    for r in runs {
        *counts.entry(r.ending.as_deref()).or_default() += 1;
    }
    let mut best: Option<(Option<&str>, usize)> = None;
    for (k, v) in counts {
        if best.is_none_or(|(_, b)| v > b) {
            best = Some((k, v));
        }
    }
    best.and_then(|(k, _)| k.map(str::to_string))
}

fn summarise(
    st: Strategy,
    runs: &[Run],
    model_mean: f64,
    model_ending: &Option<String>,
) -> StrategyResult {
    let overall = mean(runs);
    let mut sorted: Vec<f64> = runs.iter().map(|r| r.overall).collect();
    sorted.sort_by(f64::total_cmp);
    let p95 = sorted
        .get((sorted.len() * 95).div_ceil(100).saturating_sub(1))
        .copied()
        .unwrap_or(0.0);
    let reaches = if runs.is_empty() {
        0.0
    } else {
        runs.iter()
            .filter(|r| model_ending.is_some() && r.ending == *model_ending)
            .count() as f64
            / runs.len() as f64
    };
    let gap = model_mean - overall;
    let mut fails = Vec::new();
    if st.is_surface() {
        if gap < SURFACE_MARGIN {
            fails.push(format!(
                "{} scores {:.1}, within {SURFACE_MARGIN:.0} points of the model conversation's {:.1}",
                st.label(),
                overall,
                model_mean
            ));
        }
        if st != Strategy::Random && reaches >= 0.5 {
            fails.push(format!(
                "{} reaches the model conversation's ending `{}` in {:.0}% of runs",
                st.label(),
                model_ending.as_deref().unwrap_or("-"),
                100.0 * reaches
            ));
        }
    }
    StrategyResult {
        strategy: st,
        label: st.label(),
        surface: st.is_surface(),
        overall: round_to(overall, 1),
        p95: round_to(p95, 1),
        ending: modal_ending(runs),
        reaches_model_ending: round_to(reaches, 3),
        gap: round_to(gap, 1),
        fails,
    }
}

/// The best option of each point (file order on ties), with the point's ratings, for points
/// with at least two options. Ratings answer the point's default line (as `lint` does).
fn points_with_best(s: &Scenario) -> Vec<(usize, Vec<u8>, usize)> {
    s.points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.options.len() >= 2)
        .map(|(i, p)| {
            let ratings = option_ratings(p, crate::authoring::model_path::point_target(p));
            let best = best_index(&ratings);
            (i, ratings, best)
        })
        .collect()
}

/// Is the best option the longest, and how much longer are best options?
pub fn length_tell(s: &Scenario) -> LengthTell {
    let mut points = 0;
    let mut longest = 0;
    let (mut longest_weak, mut shortest_weak) = (0, 0);
    let mut first_span = None;
    let mut best_is_longest_at = Vec::new();
    let (mut best_words, mut best_n, mut other_words, mut other_n) =
        (0usize, 0usize, 0usize, 0usize);
    for (pi, ratings, best) in points_with_best(s) {
        let p = &s.points[pi];
        points += 1;
        let words: Vec<usize> = p.options.iter().map(|o| word_count(&o.text)).collect();
        let max = words.iter().copied().max().unwrap_or(0);
        let min = words.iter().copied().min().unwrap_or(0);
        if words
            .iter()
            .zip(&ratings)
            .any(|(w, r)| *w == max && *r <= WEAK_RATING)
        {
            longest_weak += 1;
        }
        if words
            .iter()
            .zip(&ratings)
            .any(|(w, r)| *w == min && *r <= WEAK_RATING)
        {
            shortest_weak += 1;
        }
        if words[best] == max {
            longest += 1;
            first_span.get_or_insert(p.options[best].spans.text);
            best_is_longest_at.push(p.id.clone());
        }
        for (i, w) in words.iter().enumerate() {
            if i == best {
                best_words += w;
                best_n += 1;
            } else {
                other_words += w;
                other_n += 1;
            }
        }
    }
    let avg = |w: usize, n: usize| if n == 0 { 0.0 } else { w as f64 / n as f64 };
    let (bw, ow) = (avg(best_words, best_n), avg(other_words, other_n));
    LengthTell {
        points,
        best_is_longest: longest,
        share: round_to(avg(longest, points), 3),
        best_words: round_to(bw, 1),
        other_words: round_to(ow, 1),
        ratio: round_to(if ow > 0.0 { bw / ow } else { 0.0 }, 2),
        longest_is_weak: longest_weak,
        shortest_is_weak: shortest_weak,
        first_span,
        best_is_longest_at,
    }
}

/// Words a question usually starts with.
const QUESTION_WORDS: [&str; 20] = [
    "what", "how", "why", "when", "where", "who", "which", "do", "does", "did", "is", "are",
    "have", "has", "can", "could", "would", "will", "should", "was",
];

/// Every cue of one option: its word pairs, its marks, a leading question word, the name.
fn cues_of(text: &str, names: &[String]) -> HashSet<String> {
    let w = crate::source::text::words(text);
    let mut out: HashSet<String> = w
        .windows(2)
        .map(|p| format!("\"{} {}\"", p[0], p[1]))
        .collect();
    for mark in ['!', '?'] {
        if text.contains(mark) {
            out.insert(format!("\"{mark}\""));
        }
    }
    if let Some(first) = w.first()
        && QUESTION_WORDS.contains(&first.as_str())
    {
        out.insert(format!("a leading \"{first}\""));
    }
    for n in names {
        if w.iter().any(|x| x == n) {
            out.insert(format!("the client's name \"{n}\""));
        }
    }
    out
}

/// Cues (two-word phrases, "!" and "?", a leading question word, the client's name) that
/// appear in 5 or more options, all of them best or all of them weak.
pub fn cue_tells(s: &Scenario) -> Vec<CueTell> {
    let names: Vec<String> = s
        .persona
        .name
        .split_whitespace()
        .take(1)
        .map(str::to_lowercase)
        .collect();
    // cue -> (options, all best, all weak, first option)
    let mut table: BTreeMap<String, (usize, bool, bool, usize, usize)> = BTreeMap::new();
    for (pi, ratings, best) in points_with_best(s) {
        let p = &s.points[pi];
        for (oi, o) in p.options.iter().enumerate() {
            let is_best = oi == best;
            let is_weak = ratings[oi] <= WEAK_RATING;
            for cue in cues_of(&o.text, &names) {
                let e = table.entry(cue).or_insert((0, true, true, pi, oi));
                e.0 += 1;
                e.1 &= is_best;
                e.2 &= is_weak;
            }
        }
    }
    table
        .into_iter()
        .filter(|(_, (n, all_best, all_weak, _, _))| *n >= 5 && (*all_best || *all_weak))
        .map(|(cue, (n, all_best, _, pi, oi))| {
            let o = &s.points[pi].options[oi];
            CueTell {
                cue,
                options: n,
                all: if all_best { "best" } else { "weak" },
                first_option: o.id.clone(),
                span: o.spans.text,
            }
        })
        .collect()
}

/// Where the client goes after a reply: the next point and line, or the ending.
fn answer_to(session: &Session, option_id: &str) -> Option<String> {
    let number = session.displayed_number(option_id)?;
    let mut s = session.clone();
    s.choose(number).ok()?;
    Some(match (s.ending(), s.current_line()) {
        (Some(e), _) => format!("ending {}", e.id),
        (None, Some(l)) => format!("{} / {}", l.point, l.line),
        (None, None) => "nothing".to_string(),
    })
}

/// Weak options at the session's current point that the client answers exactly as it answers
/// the best one: `(weak option ids, deaf option ids)`.
pub fn deaf_at(session: &Session) -> (Vec<String>, Vec<String>) {
    let Some(point) = session.current_point() else {
        return (Vec::new(), Vec::new());
    };
    let ratings = option_ratings(point, session.current_target());
    let best = best_index(&ratings);
    let best_answer = answer_to(session, &point.options[best].id);
    let mut weak = Vec::new();
    let mut deaf = Vec::new();
    for (i, o) in point.options.iter().enumerate() {
        if i == best || ratings[i] > WEAK_RATING {
            continue;
        }
        weak.push(o.id.clone());
        if answer_to(session, &o.id) == best_answer {
            deaf.push(o.id.clone());
        }
    }
    (weak, deaf)
}

/// Along the model conversation (seed 1), how often a weak reply gets the best reply's answer.
pub fn deaf_client(s: &Scenario) -> DeafClient {
    let mut session = Session::new(
        Arc::new(s.clone()),
        crate::authoring::model_path::BEST_PATH_SEED,
    );
    let limit = auto_turn_limit(s);
    let (mut weak_n, mut options) = (0, Vec::new());
    while !session.is_over() && session.turns().len() < limit {
        let (weak, deaf) = deaf_at(&session);
        weak_n += weak.len();
        options.extend(deaf);
        let Some(n) = session.auto_choice(AutoPolicy::Best) else {
            break;
        };
        if session.choose(n).is_err() {
            break;
        }
    }
    let same = options.len();
    DeafClient {
        weak_replies: weak_n,
        answered_like_best: same,
        share: round_to(
            if weak_n == 0 {
                0.0
            } else {
                same as f64 / weak_n as f64
            },
            3,
        ),
        options,
    }
}

/// Every point a session can reach, each with the first session (breadth-first over replies)
/// that reaches it; seed 1. The linter checks each point in the state it is first met in.
pub fn first_visits(s: &Scenario) -> Vec<Session> {
    let mut out = Vec::new();
    if s.point(&s.start).is_none() {
        return out;
    }
    let mut seen: HashSet<String> = HashSet::new();
    let mut queue = std::collections::VecDeque::new();
    queue.push_back(Session::new(
        Arc::new(s.clone()),
        crate::authoring::model_path::BEST_PATH_SEED,
    ));
    while let Some(session) = queue.pop_front() {
        let Some(point) = session.current_point() else {
            continue;
        };
        if !seen.insert(point.id.clone()) {
            continue;
        }
        for n in 1..=session.current_options().len() {
            let mut next = session.clone();
            if next.choose(n).is_ok() && !next.is_over() {
                queue.push_back(next);
            }
        }
        out.push(session);
    }
    out
}

/// The code most best options share, with its share (0–1) and the first best option that has
/// it — for `one-shape`.
pub fn dominant_best_code(s: &Scenario) -> Option<(MitiCode, f64, usize, Span)> {
    let bests: Vec<&ReplyOption> = points_with_best(s)
        .into_iter()
        .map(|(pi, _, b)| &s.points[pi].options[b])
        .collect();
    if bests.is_empty() {
        return None;
    }
    let mut top: Option<(MitiCode, usize, Span)> = None;
    for c in MitiCode::ALL {
        let with: Vec<&&ReplyOption> = bests
            .iter()
            .filter(|o| normalize_turn(&o.codes).contains(&c))
            .collect();
        if let Some(first) = with.first()
            && top.is_none_or(|(_, n, _)| with.len() > n)
        {
            top = Some((c, with.len(), first.spans.text));
        }
    }
    top.map(|(c, n, span)| (c, n as f64 / bests.len() as f64, bests.len(), span))
}
