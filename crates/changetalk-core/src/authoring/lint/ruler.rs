//! `ruler-number`: the client's answer to an importance or confidence ruler must be the number
//! the meters show. The meters show the client's state; a line that says "a four" while the
//! confidence meter can read 7 contradicts the client's own words, and the trainee cannot tell
//! which to believe. A line that names its number must have a `when` that pins the ruler's
//! variable to that number (`when: "confidence == 4"`); the line said when no `when` holds
//! names no number.

use std::collections::BTreeSet;

use crate::engine::condition::{Condition, Expr, Var};
use crate::engine::model::{Line, Point, Scenario};
use crate::engine::state::{ClientState, STATE_MAX, STATE_MIN, StateVar};
use crate::source::diag::Diagnostic;

/// Words that make a counsellor's question a 0–10 ruler (lowercase).
const SCALE_PHRASES: &[&str] = &[
    "zero to ten",
    "0 to 10",
    "0-10",
    "0–10",
    "one to ten",
    "1 to 10",
    "1-10",
    "1–10",
    "scale of",
    "on a scale",
    "out of ten",
    "out of 10",
];

/// The number words a ruler answer may use, by value.
const NUMBER_WORDS: [&str; 11] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
];

/// Words before a number that make it a rating when a full stop or comma follows ("maybe
/// three.", "say five,").
const HEDGES: &[&str] = &[
    "maybe", "say", "about", "probably", "perhaps", "like", "around", "honestly",
];

/// Words that may follow "a four" in a rating ("a four out of ten", "a four on a good day").
const AFTER_RATING: &[&str] = &[
    "out", "or", "maybe", "on", "at", "tops", "now", "today", "probably", "if", "but", "and", "i",
    "max", "most",
];

/// The meter a counsellor's reply asks the client to rate, when it is a 0–10 ruler: the
/// reply names a scale ("from zero to ten", "on a scale of") and exactly one of importance
/// ("important") or confidence ("confident").
pub fn ruler_of(text: &str) -> Option<StateVar> {
    let t = text.to_lowercase();
    if !SCALE_PHRASES.iter().any(|p| t.contains(p)) {
        return None;
    }
    match (t.contains("confiden"), t.contains("importan")) {
        (true, false) => Some(StateVar::Confidence),
        (false, true) => Some(StateVar::Importance),
        _ => None,
    }
}

/// A word of the text with where it starts and ends (byte offsets).
struct Word<'a> {
    text: &'a str,
    start: usize,
    end: usize,
}

fn words_of(text: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let in_word = c.is_alphanumeric() || c == '\'' || c == '’';
        match (in_word, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(Word {
                    text: &text[s..i],
                    start: s,
                    end: i,
                });
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(Word {
            text: &text[s..],
            start: s,
            end: text.len(),
        });
    }
    out
}

fn number_value(word: &str) -> Option<i32> {
    let w = word.to_lowercase();
    if let Some(v) = NUMBER_WORDS.iter().position(|n| *n == w) {
        return Some(v as i32);
    }
    w.parse::<i32>()
        .ok()
        .filter(|v| (STATE_MIN..=STATE_MAX).contains(v))
}

/// True when the character ends a phrase: the number before it stands on its own.
fn ends_phrase(c: char) -> bool {
    matches!(
        c,
        '.' | ',' | ';' | ':' | '?' | '!' | '…' | ')' | '—' | '–' | '"' | '”'
    )
}

/// The number a client line gives as a 0–10 rating, if it gives one: the first of "a four",
/// "an eight", "maybe three.", or a number standing on its own ("...Two.", "One, if I'm
/// honest"). A number in a compound ("three-hour"), before a noun ("three years") or after
/// another word ("year one", "not zero, anyway") is not a rating.
pub fn rating_in(text: &str) -> Option<i32> {
    let words = words_of(text);
    for (i, w) in words.iter().enumerate() {
        let Some(value) = number_value(w.text) else {
            continue;
        };
        let rest = &text[w.end..];
        let next_char = rest.chars().next();
        if next_char.is_some_and(|c| c == '-' || c == '‐') {
            continue;
        }
        let after = rest.trim_start().chars().next();
        let stands_alone = after.is_none_or(ends_phrase);
        let next_word = words
            .get(i + 1)
            .map(|n| n.text.to_lowercase())
            .unwrap_or_default();
        let prev = i.checked_sub(1).map(|p| &words[p]);
        let prev_word = prev.map(|p| p.text.to_lowercase()).unwrap_or_default();
        let starts_phrase = {
            let before = prev.map_or(&text[..w.start], |p| &text[p.end..w.start]);
            prev.is_none() || before.trim().chars().last().is_some_and(ends_phrase)
        };
        let rated = match prev_word.as_str() {
            "a" | "an" if !starts_phrase => {
                stands_alone || AFTER_RATING.contains(&next_word.as_str())
            }
            p if HEDGES.contains(&p) && !starts_phrase => stands_alone,
            _ => starts_phrase && stands_alone,
        };
        if rated {
            return Some(value);
        }
    }
    None
}

/// The `turn` values a set of conditions can tell apart: 0 and each constant they compare
/// `turn` with, and its neighbours.
fn turn_candidates<'a>(conds: impl Iterator<Item = &'a Condition>) -> BTreeSet<usize> {
    fn walk(e: &Expr, out: &mut BTreeSet<usize>) {
        match e {
            Expr::And(a, b) | Expr::Or(a, b) => {
                walk(a, out);
                walk(b, out);
            }
            Expr::Not(a) => walk(a, out),
            Expr::Compare(Var::Turn, _, v) => {
                for t in [*v - 1, *v, *v + 1] {
                    if let Ok(t) = usize::try_from(t) {
                        out.insert(t);
                    }
                }
            }
            Expr::Compare(..) | Expr::Remembered { .. } => {}
        }
    }
    let mut out = BTreeSet::from([0]);
    for c in conds {
        walk(&c.expr, &mut out);
    }
    out
}

/// Every client state, each variable 0–10.
fn all_states() -> impl Iterator<Item = ClientState> {
    let r = STATE_MIN..=STATE_MAX;
    r.clone().flat_map(move |engagement| {
        let r = STATE_MIN..=STATE_MAX;
        r.clone().flat_map(move |discord| {
            let r = STATE_MIN..=STATE_MAX;
            r.clone().flat_map(move |importance| {
                (STATE_MIN..=STATE_MAX).map(move |confidence| ClientState {
                    engagement,
                    discord,
                    importance,
                    confidence,
                })
            })
        })
    })
}

/// The values of `var` with which `point` may say `line`: a line with `after` or `when` is
/// said while its `when` holds; a plain line while no other line's `when` holds.
fn values_said(point: &Point, line: &Line, var: StateVar) -> BTreeSet<i32> {
    let turns = turn_candidates(point.lines.iter().filter_map(|l| l.when.as_ref()));
    let conditional: Vec<&Condition> = point
        .lines
        .iter()
        .filter(|l| l.after.is_empty())
        .filter_map(|l| l.when.as_ref())
        .collect();
    let mut out = BTreeSet::new();
    for s in all_states() {
        if out.contains(&s.get(var)) {
            continue;
        }
        let said = turns.iter().any(|&t| match &line.when {
            Some(c) => c.eval(&s, t),
            None if line.after.is_empty() => !conditional.iter().any(|c| c.eval(&s, t)),
            None => true,
        });
        if said {
            out.insert(s.get(var));
        }
    }
    out
}

/// Warns at each client line that answers a ruler with a number its `when` does not pin.
pub(super) fn check_ruler_numbers(s: &Scenario, d: &mut Vec<Diagnostic>) {
    // (point index, variable, ruler option id) for each ruler question.
    let mut rulers: Vec<(usize, StateVar, &str)> = Vec::new();
    for p in &s.points {
        for o in &p.options {
            if let (Some(var), Some(pi)) = (
                ruler_of(&o.text),
                s.points.iter().position(|q| q.id == o.next),
            ) {
                rulers.push((pi, var, o.id.as_str()));
            }
        }
    }
    let mut seen: BTreeSet<(usize, usize, &str)> = BTreeSet::new();
    for &(pi, var, _) in &rulers {
        let point = &s.points[pi];
        for (li, line) in point.lines.iter().enumerate() {
            // A line said only after some replies answers a ruler when one of them is one.
            let answers = line.after.is_empty()
                || rulers
                    .iter()
                    .any(|&(q, v, id)| q == pi && v == var && line.after.iter().any(|a| a == id));
            if !answers || !seen.insert((pi, li, var.name())) {
                continue;
            }
            let Some(number) = rating_in(&line.text) else {
                continue;
            };
            let others: Vec<String> = values_said(point, line, var)
                .into_iter()
                .filter(|v| *v != number)
                .map(|v| v.to_string())
                .collect();
            if others.is_empty() {
                continue;
            }
            let name = var.name();
            d.push(Diagnostic::warning(
                line.spans.text,
                format!(
                    "ruler-number: line `{}` answers the {name} ruler with {number}, but it can be said while {name} is {}, and the {name} meter would then contradict the client's words; pin it with `when: \"{name} == {number}\"` and give each other number the client can reach a line of its own, or let this line name no number",
                    line.id,
                    others.join(", ")
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ruler_questions_name_a_scale_and_one_meter() {
        assert_eq!(
            ruler_of("From zero to ten, how confident are you that you could stop?"),
            Some(StateVar::Confidence)
        );
        assert_eq!(
            ruler_of("On a scale of 0 to 10, how important is it to you?"),
            Some(StateVar::Importance)
        );
        assert_eq!(ruler_of("How confident are you?"), None);
        assert_eq!(ruler_of("Why not a ten?"), None);
        assert_eq!(
            ruler_of("From zero to ten, how important is it, and how confident are you?"),
            None
        );
    }

    #[test]
    fn ratings_are_found_and_other_numbers_are_not() {
        for (text, n) in [
            ("A four. Maybe a three on a bad night.", Some(4)),
            ("Confident? (She thinks about it.) A five, maybe.", Some(5)),
            ("A number? ...Two. Maybe a two. On a good day.", Some(2)),
            ("A number? ...One. If I am honest, one.", Some(1)),
            (
                "Honestly? Maybe a seven. I'm not the person who tried in year one.",
                Some(7),
            ),
            ("I'd say a 6 out of 10.", Some(6)),
            ("An eight, today.", Some(8)),
            ("Zero. Some nights, zero.", Some(0)),
            ("Honestly, six.", Some(6)),
            (
                "Not zero, anyway. I'm not the person who tried in year one.",
                None,
            ),
            (
                "I sit through three-hour regression runs sober every week.",
                None,
            ),
            ("Three years of hard things. Huh.", None),
            ("I did eleven days once.", None),
            ("One thing, though: I miss it.", None),
            ("I don't know. Somewhere in the middle.", None),
        ] {
            assert_eq!(rating_in(text), n, "{text}");
        }
    }

    /// The minimal client with a confidence ruler leading to point `b`, whose line is
    /// replaced by `lines`; `more` edits the text further.
    fn scenario(lines: &str, more: &[(&str, &str)]) -> Scenario {
        let mut text = include_str!("../../../tests/data/minimal.ron")
            .replacen(
                "text: \"You feel fine as you are.\", codes: [SimpleReflection]",
                "text: \"From zero to ten, how confident are you that you could cut down?\", codes: [ClosedQuestion]",
                1,
            )
            .replacen(
                "Line(id: \"b.1\", text: \"Maybe I drink a bit much.\", talk: Change(Reasons), mood: Thoughtful),",
                lines,
                1,
            );
        for (from, to) in more {
            let edited = text.replacen(from, to, 1);
            assert_ne!(edited, text, "edit {from:?} did not apply");
            text = edited;
        }
        crate::format::load::load_scenario(&text).expect("valid")
    }

    fn ruler_warnings(lines: &str) -> Vec<String> {
        let mut d = Vec::new();
        check_ruler_numbers(&scenario(lines, &[]), &mut d);
        d.into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn a_number_the_meter_may_not_show_is_flagged() {
        // The minimal client starts at confidence 5; a plain line naming a number can be said
        // at any confidence.
        let w = ruler_warnings(
            "Line(id: \"b.1\", text: \"A four, maybe.\", talk: Change(Ability), mood: Thoughtful),",
        );
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].starts_with("ruler-number: line `b.1` answers the confidence ruler with 4")
                && w[0].contains("0, 1, 2, 3, 5, 6, 7, 8, 9, 10"),
            "{w:?}"
        );
        // A `when` that admits more than its number is flagged too.
        let w = ruler_warnings(
            "Line(id: \"b.1\", text: \"I don't know. Somewhere in the middle.\", talk: Neutral, mood: Thoughtful),
                Line(id: \"b.2\", text: \"A seven. I think I could.\", talk: Change(Ability), mood: Hopeful, when: \"confidence >= 7\"),",
        );
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("line `b.2` answers the confidence ruler with 7, but it can be said while confidence is 8, 9, 10"), "{w:?}");
    }

    #[test]
    fn pinned_numbers_and_a_fallback_without_one_pass() {
        let w = ruler_warnings(
            "Line(id: \"b.1\", text: \"I don't know. Somewhere in the middle.\", talk: Neutral, mood: Thoughtful),
                Line(id: \"b.2\", text: \"A five. Not zero, anyway.\", talk: Change(Ability), mood: Thoughtful, when: \"confidence == 5\"),
                Line(id: \"b.3\", text: \"Six, maybe. Walking in I'd have said a five.\", talk: Change(Ability), mood: Hopeful, when: \"confidence >= 6 and confidence <= 6\"),",
        );
        assert_eq!(w, Vec::<String>::new());
        // A fallback that names a number is fine when the `when` lines cover every other value.
        let w = ruler_warnings(
            "Line(id: \"b.1\", text: \"A five.\", talk: Neutral, mood: Thoughtful),
                Line(id: \"b.2\", text: \"I don't know.\", talk: Neutral, mood: Guarded, when: \"confidence != 5\"),",
        );
        assert_eq!(w, Vec::<String>::new());
    }

    #[test]
    fn lines_that_answer_other_replies_are_not_ruler_answers() {
        // The Confront (no ruler) leads to `b` too, and `b.2` is said only after it.
        let s = scenario(
            "Line(id: \"b.1\", text: \"I don't know. Somewhere in the middle.\", talk: Neutral, mood: Thoughtful),
                Line(id: \"b.2\", text: \"A four? Who cares.\", talk: Discord, mood: Irritated, after: [\"a.c\"]),",
            &[("next: \"gone\", feedback: \"Labels.\"", "next: \"b\", feedback: \"Labels.\"")],
        );
        let mut d = Vec::new();
        check_ruler_numbers(&s, &mut d);
        assert!(d.is_empty(), "{d:?}");
        // Said after the ruler itself, it is an answer.
        let s = scenario(
            "Line(id: \"b.1\", text: \"I don't know. Somewhere in the middle.\", talk: Neutral, mood: Thoughtful),
                Line(id: \"b.2\", text: \"A four.\", talk: Neutral, mood: Guarded, after: [\"a.r\"]),",
            &[],
        );
        let mut d = Vec::new();
        check_ruler_numbers(&s, &mut d);
        assert_eq!(d.len(), 1, "{d:?}");
    }
}
