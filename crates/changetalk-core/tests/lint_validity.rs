//! The validity lint checks (`length-tell`, `cue-tell`, `one-shape`, `deaf-client`,
//! `naive-strategy`), each on a deliberately flawed copy of a bundled client, reported at the
//! offending option's line:col. The unflawed client lints clean.

use changetalk_core::authoring::lint::{LintConfig, lint, point_ratings};
use changetalk_core::{LineIndex, Scenario, load_scenario};

const BASE: &str = include_str!("../../../scenarios/court-ordered-dui.ron");

fn load(text: &str) -> Scenario {
    load_scenario(text).unwrap_or_else(|e| panic!("{e:?}"))
}

/// The rendered warnings of a file.
fn warnings(text: &str) -> Vec<String> {
    let idx = LineIndex::new(text);
    lint(&load(text), &LintConfig::default())
        .iter()
        .map(|d| d.render("flawed.ron", &idx))
        .collect()
}

/// `flawed.ron:LINE:COL:` of a byte offset.
fn at(text: &str, offset: usize) -> String {
    let (line, col) = LineIndex::new(text).line_col(offset);
    format!("flawed.ron:{line}:{col}:")
}

fn has(w: &[String], check: &str, place: &str) {
    assert!(
        w.iter().any(|m| m.starts_with(place) && m.contains(check)),
        "no `{check}` at {place} in {w:#?}"
    );
}

/// Byte ranges to replace, applied from the end so earlier offsets stay valid.
fn edit(text: &str, mut edits: Vec<(usize, usize, String)>) -> String {
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (start, end, with) in edits {
        out.replace_range(start..end, &with);
    }
    out
}

/// The best option of each point with two or more options, in file order.
fn best_options(s: &Scenario) -> Vec<(usize, usize)> {
    s.points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.options.len() >= 2)
        .map(|(pi, p)| {
            let r = point_ratings(p);
            let max = r.iter().copied().max().unwrap_or(0);
            (pi, r.iter().position(|x| *x == max).unwrap_or(0))
        })
        .collect()
}

/// The base with `words` appended inside the text of every best option.
fn with_best_suffix(words: &str) -> (String, usize) {
    let s = load(BASE);
    let bests = best_options(&s);
    let first = s.points[bests[0].0].options[bests[0].1].spans.text.start;
    let edits = bests
        .iter()
        .map(|&(pi, oi)| {
            let span = s.points[pi].options[oi].spans.text;
            // Before the closing quote.
            (span.end - 1, span.end - 1, words.to_string())
        })
        .collect();
    (edit(BASE, edits), first)
}

#[test]
fn the_bundled_client_has_none_of_the_validity_warnings() {
    let w: Vec<String> = warnings(BASE).into_iter().collect();
    assert!(w.is_empty(), "{w:#?}");
}

#[test]
fn length_tell_and_naive_strategy_when_the_best_reply_is_the_longest() {
    let (text, first) = with_best_suffix(
        " And I say that knowing how much of this has been building for years, long before that night on the road home.",
    );
    let w = warnings(&text);
    // At the first best option's text: the best is the longest everywhere.
    has(
        &w,
        "length-tell: the best option is the longest at 17 of 17 points",
        &at(&text, first),
    );
    has(&w, "length-tell: best options average", &at(&text, first));
    // …so always picking the longest reply plays the model conversation (at `start`).
    let start = load(&text).spans.start.start;
    has(&w, "naive-strategy: always longest", &at(&text, start));
}

#[test]
fn cue_tell_when_every_best_reply_says_your_call() {
    let (text, first) = with_best_suffix(" Your call, though.");
    let w = warnings(&text);
    has(
        &w,
        "cue-tell: \"your call\" appears in 17 options and every one is the best reply",
        &at(&text, first),
    );
}

#[test]
fn one_shape_when_every_best_reply_is_a_complex_reflection() {
    let s = load(BASE);
    let bests = best_options(&s);
    let edits = bests
        .iter()
        .map(|&(pi, oi)| {
            let span = s.points[pi].options[oi].spans.codes;
            (span.start, span.end, "[ComplexReflection]".to_string())
        })
        .collect();
    let text = edit(BASE, edits);
    let w = warnings(&text);
    let s2 = load(&text);
    let (pi, oi) = best_options(&s2)[0];
    has(
        &w,
        "one-shape: 100% of the 17 best options are coded Complex reflection",
        &at(&text, s2.points[pi].options[oi].spans.text.start),
    );
}

#[test]
fn deaf_client_when_a_roadblock_gets_the_best_replys_line() {
    // Remove a line that answers one weak reply (`after: [that reply]`): the client no longer
    // hears it, and the reply gets the best reply's line.
    let s = load(BASE);
    let weak_of = |id: &str| {
        s.points.iter().any(|p| {
            let r = point_ratings(p);
            p.options.iter().zip(r).any(|(o, r)| o.id == id && r <= 2)
        })
    };
    // At a point without `when` lines, so no other line can answer the reply instead.
    let line = s
        .points
        .iter()
        .filter(|p| p.lines.iter().all(|l| l.when.is_none()))
        .flat_map(|p| &p.lines)
        .find(|l| l.after.len() == 1 && weak_of(&l.after[0]))
        .expect("a line answering one weak reply")
        .clone();
    let weak = line.after[0].clone();
    let text = edit(
        BASE,
        vec![(
            line.spans.whole.start,
            line.spans.whole.end + 1,
            String::new(),
        )],
    );
    let s2 = load(&text);
    let option = s2
        .points
        .iter()
        .flat_map(|p| &p.options)
        .find(|o| o.id == weak)
        .unwrap();
    let w = warnings(&text);
    has(
        &w,
        &format!("deaf-client: weak option `{weak}`"),
        &at(&text, option.spans.id.start),
    );
}
