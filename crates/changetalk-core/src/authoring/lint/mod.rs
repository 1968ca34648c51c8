//! Teaching checks beyond validity (`changetalk lint`): a scenario can be valid and still teach
//! motivational interviewing poorly. Every check returns a warning at the offending item; the
//! checks and the MI reasons behind them are listed in `docs/authoring.md`, "Lint checks".
//!
//! The linter expects a scenario that loaded without errors (the CLI validates first).

mod dead_line;
mod feedback;
mod ruler;
mod validity;

use crate::authoring::course;
use crate::authoring::model_path::path_span;
pub use crate::authoring::model_path::{
    BEST_PATH_SEED, best_path_session, point_ratings, point_target,
};
use crate::engine::model::{Outcome, ReplyOption, Scenario};
use crate::engine::score_transcript;
use crate::engine::{EndReason, reply_effect};
use crate::miti::codes::MitiCode;
use crate::miti::score::BandedMetric;
use crate::source::diag::{Diagnostic, sort_diagnostics};
pub use dead_line::{Range, Reach, Turns, reachable};
pub use feedback::{MIN_FEEDBACK_WORDS, VERDICT_WORDS, thin_feedback};
pub use ruler::{rating_in, ruler_of};
pub use validity::{MAX_BEST_IS_LONGEST, MAX_BEST_WORDS_RATIO, MAX_EXTREME_IS_WEAK, MAX_ONE_SHAPE};
use validity::{
    check_cue_tells, check_deaf_client, check_length_tell, check_naive_strategy, check_one_shape,
};

/// Fewest decision points the best path should have by default. Short enough for a first
/// scenario; the bundled clients have 12 or more.
pub const DEFAULT_MIN_POINTS: usize = 8;

/// A rating at or above this is MI-consistent (HRQ level 3: a plain restatement, an open
/// question, an adherent move — `docs/scoring.md` §7).
pub const CONSISTENT_RATING: u8 = 3;

/// An option rated below this is a "weaker" reply the trainee can learn from.
pub const STRONG_RATING: u8 = 4;

/// Settings of the linter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LintConfig {
    /// Fewest decision points the best path must pass through.
    pub min_points: usize,
}

impl Default for LintConfig {
    fn default() -> Self {
        LintConfig {
            min_points: DEFAULT_MIN_POINTS,
        }
    }
}

/// Every teaching problem of a scenario, as warnings sorted by position. Each session of a
/// course is linted as the model conversation meets it ([`course::model_parts`]; the minimum
/// number of points applies to the first session, later ones are follow-ups), then the course
/// as a whole ([`course::lint_course`]).
pub fn lint(s: &Scenario, cfg: &LintConfig) -> Vec<Diagnostic> {
    let mut d = Vec::new();
    if s.is_course() {
        for (i, part) in course::model_parts(s) {
            lint_session(&part, cfg, i == 0, &mut d);
        }
    } else {
        lint_session(s, cfg, true, &mut d);
    }
    course::lint_course(s, &mut d);
    sort_diagnostics(&mut d);
    d.dedup();
    d
}

/// The teaching checks of one session; `first` applies the minimum number of points.
fn lint_session(s: &Scenario, cfg: &LintConfig, first: bool, d: &mut Vec<Diagnostic>) {
    check_option_spread(s, d);
    for p in &s.points {
        for o in &p.options {
            check_question_mark(o, d);
            check_affirm(o, d);
            feedback::check_thin_feedback(o, d);
        }
        for l in &p.lines {
            if !l.spans.talk_written() {
                d.push(Diagnostic::warning(
                    l.spans.whole,
                    format!(
                        "line `{}` has no `talk`, so it counts as Neutral: say what kind of client language it is — Change(Kind), Sustain(Kind), Discord or Neutral — because ratings, scoring and the client's reactions depend on it",
                        l.id
                    ),
                ));
            }
        }
    }
    check_endings_reached(s, d);
    check_can_lose(s, d);
    check_best_path(s, cfg, first, d);
    check_length_tell(s, d);
    check_cue_tells(s, d);
    check_one_shape(s, d);
    check_deaf_client(s, d);
    check_naive_strategy(s, d);
    ruler::check_ruler_numbers(s, d);
    dead_line::check_dead_lines(s, first, d);
}

/// A point needs an MI-consistent option to model, and a weaker one to learn from.
fn check_option_spread(s: &Scenario, d: &mut Vec<Diagnostic>) {
    for p in &s.points {
        if p.options.is_empty() {
            continue;
        }
        let ratings = point_ratings(p);
        let best = ratings.iter().copied().max().unwrap_or(0);
        let worst = ratings.iter().copied().min().unwrap_or(0);
        if best < CONSISTENT_RATING {
            d.push(Diagnostic::warning(
                p.spans.id,
                format!(
                    "point `{}` has no MI-consistent option: the best reply is rated {best} of 5; add a reflection, an open question or an adherent move (rated 3 or more) so the trainee can see what to do here",
                    p.id
                ),
            ));
        } else if worst >= STRONG_RATING {
            d.push(Diagnostic::warning(
                p.spans.id,
                format!(
                    "point `{}` has no weaker option: every reply is rated 4 or 5, so there is nothing to learn by choosing; add a tempting reply rated 3 or less (a closed question, unasked advice, the righting reflex)",
                    p.id
                ),
            ));
        }
    }
}

/// The text without trailing spaces and closing quotes.
fn trimmed_end(text: &str) -> &str {
    text.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, '"' | '\'' | '“' | '”' | '‘' | '’' | '«' | '»')
    })
}

/// True when the text, ignoring trailing spaces and quotes, ends with a question mark.
pub fn ends_with_question_mark(text: &str) -> bool {
    trimmed_end(text).ends_with('?')
}

/// A question reads as a question; a reflection is a statement (mi-reference §1). A turn
/// coded Confront is skipped: a confronting question is coded Confront, not Question.
fn check_question_mark(o: &ReplyOption, d: &mut Vec<Diagnostic>) {
    let has = |c: MitiCode| o.codes.contains(&c);
    if has(MitiCode::Confront) {
        return;
    }
    let question = o.codes.iter().find(|c| c.is_question());
    let ends_q = ends_with_question_mark(&o.text);
    if let Some(q) = question {
        if !ends_q {
            d.push(Diagnostic::warning(
                o.spans.text,
                format!(
                    "option `{}` is coded {} but its text does not end with \"?\": end the question with a question mark, or code what it really is",
                    o.id,
                    q.ron_name()
                ),
            ));
        }
    } else if o.codes.iter().any(|c| c.is_reflection()) && ends_q {
        d.push(Diagnostic::warning(
            o.spans.text,
            format!(
                "option `{}` is coded as a reflection but its text ends with \"?\": a reflection is a statement whose voice goes down at the end; end it with a full stop, or code it as a question",
                o.id
            ),
        ));
    }
}

/// Phrases of generic praise (matched as whole words, case-insensitive, after the text is
/// reduced to lowercase words).
pub const GENERIC_PRAISE: &[&str] = &[
    "good job",
    "great job",
    "well done",
    "you're doing great",
    "you are doing great",
    "that's great",
    "amazing",
    "awesome",
    "proud of you",
    "you're strong",
    "you are strong",
    "good for you",
    "great work",
    "nice work",
    "fantastic",
];

/// Irregular past tenses that, after "you", name something the client did.
const IRREGULAR_PAST: &[&str] = &[
    "did", "went", "came", "kept", "chose", "made", "got", "took", "held", "told", "stood",
    "found", "gave", "brought", "said", "sought", "fought", "thought", "began", "ran", "left",
    "quit", "drove", "rang", "wrote", "spoke", "sat", "put", "let", "stuck", "felt", "knew", "saw",
    "won", "met", "set", "built", "spent", "paid", "slept",
];

use crate::source::text::words;

/// True when the text names something specific: a number, or "you" followed by a past
/// tense ("you kept", "you called", "you stopped": a listed irregular verb, or a word of four
/// letters or more ending in "ed" but not "eed"), or "you've".
pub fn has_specific_reference(text: &str) -> bool {
    if text.chars().any(|c| c.is_ascii_digit()) {
        return true;
    }
    let w = words(text);
    w.iter().any(|x| x == "you've")
        || w.windows(2).any(|p| {
            p[0] == "you"
                && (IRREGULAR_PAST.contains(&p[1].as_str())
                    || (p[1].len() > 3 && p[1].ends_with("ed") && !p[1].ends_with("eed")))
        })
}

/// True when the text is generic praise: it holds a phrase of [`GENERIC_PRAISE`] and no
/// [`has_specific_reference`].
pub fn is_generic_praise(text: &str) -> bool {
    let joined = format!(" {} ", words(text).join(" "));
    GENERIC_PRAISE
        .iter()
        .any(|p| joined.contains(&format!(" {p} ")))
        && !has_specific_reference(text)
}

/// An Affirm recognises a specific strength or effort, not generic praise (mi-reference §1).
fn check_affirm(o: &ReplyOption, d: &mut Vec<Diagnostic>) {
    if o.codes.contains(&MitiCode::Affirm) && is_generic_praise(&o.text) {
        d.push(Diagnostic::warning(
            o.spans.text,
            format!(
                "option `{}` is coded Affirm but reads as generic praise: an affirmation names a specific strength or effort of this client (\"you kept going to the meetings even after the slip\"); make it specific, or remove the Affirm code",
                o.id
            ),
        ));
    }
}

/// Every ending should be reachable: by an option's `next`, or as the walkout ending.
fn check_endings_reached(s: &Scenario, d: &mut Vec<Diagnostic>) {
    let walkout = s.persona.walkout.as_ref().map(|w| w.ending.as_str());
    for e in &s.endings {
        let led_to = s
            .points
            .iter()
            .flat_map(|p| &p.options)
            .any(|o| o.next == e.id);
        if !led_to && walkout != Some(e.id.as_str()) {
            d.push(Diagnostic::warning(
                e.spans.id,
                format!(
                    "ending `{}` can never be reached: no option leads to it and it is not the walkout ending; point an option's `next` at it or remove it",
                    e.id
                ),
            ));
        }
    }
}

/// True when some reply can raise discord, for any line its point may say.
fn some_reply_raises_discord(s: &Scenario) -> bool {
    let discord = crate::engine::model::StateVar::ALL
        .iter()
        .position(|v| *v == crate::engine::model::StateVar::Discord)
        .unwrap_or(1);
    s.points.iter().any(|p| {
        p.options.iter().any(|o| {
            p.lines.iter().any(|l| {
                let target = o.responds_to.unwrap_or_else(|| l.talk.target());
                reply_effect(&s.persona, o, target)[discord] > 0
            })
        })
    })
}

/// A resistant client must be losable: some Disengaged ending must be reachable.
fn check_can_lose(s: &Scenario, d: &mut Vec<Diagnostic>) {
    let by_option = s.points.iter().flat_map(|p| &p.options).any(|o| {
        s.ending(&o.next)
            .is_some_and(|e| e.outcome == Outcome::Disengaged)
    });
    if by_option {
        return;
    }
    let walkout_ending = s.persona.walkout.as_ref().and_then(|w| s.ending(&w.ending));
    let walkout_disengaged = walkout_ending.is_some_and(|e| e.outcome == Outcome::Disengaged);
    if walkout_disengaged && some_reply_raises_discord(s) {
        return;
    }
    let (span, why) = match (&s.persona.walkout, walkout_ending) {
        (Some(_), Some(e)) if e.outcome == Outcome::Disengaged => (
            s.persona.spans.walkout_ending,
            format!(
                "the walkout ending `{}` can never happen, because no reply raises discord",
                e.id
            ),
        ),
        _ => (
            s.endings.first().map_or(s.spans.whole, |e| e.spans.whole),
            "no option leads to an ending with outcome Disengaged, and there is no Disengaged walkout".to_string(),
        ),
    };
    d.push(Diagnostic::warning(
        span,
        format!(
            "there is no way to lose this client: {why}; let the righting reflex (Persuade, Confront) raise discord toward a walkout, or lead to a Disengaged ending"
        ),
    ));
}

fn band_warning(name: &str, m: &BandedMetric, fmt_value: impl Fn(f64) -> String) -> Option<String> {
    match m.value {
        Some(v) if v >= m.fair => None,
        Some(v) => Some(format!(
            "{name} is {}, below the fair threshold {} ({})",
            fmt_value(v),
            fmt_value(m.fair),
            m.source
        )),
        None => Some(format!(
            "{name} cannot be computed (n/a), so it does not reach the fair threshold {} ({})",
            fmt_value(m.fair),
            m.source
        )),
    }
}

/// The model conversation — the best-rated reply at every point — must model good MI: reach a
/// good ending, reach the fair band in R:Q and %CR, and be long enough to practise on.
fn check_best_path(s: &Scenario, cfg: &LintConfig, first: bool, d: &mut Vec<Diagnostic>) {
    let Some((session, limit)) = best_path_session(s) else {
        return;
    };
    let t = session.transcript();
    let sc = score_transcript(&t);
    let span = path_span(s);
    let what = "the best path (the top-rated reply at every point, seed 1)";
    match &t.ending {
        None => d.push(Diagnostic::warning(
            span,
            format!(
                "{what} reaches no ending within {limit} replies: its top-rated replies loop; let the best reply at some point on the loop lead on"
            ),
        )),
        Some(e) if e.reason == EndReason::Walkout => d.push(Diagnostic::warning(
            span,
            format!(
                "{what} ends with the client walking out (`{}`): even the best replies raise discord to the walkout level; lower the persona's reactions or the options' discord effects",
                e.id
            ),
        )),
        Some(e) if e.outcome == Outcome::Disengaged => d.push(Diagnostic::warning(
            span,
            format!(
                "{what} ends in the Disengaged ending `{}`: the model conversation should keep the client",
                e.id
            ),
        )),
        Some(_) => {}
    }
    if let Some(m) = band_warning(
        "its reflection-to-question ratio (R:Q)",
        &sc.bands.reflection_to_question,
        |v| format!("{v:.2}"),
    ) {
        d.push(Diagnostic::warning(
            span,
            format!(
                "{what} does not model good listening: {m}; make reflections the best reply at more points, and include at least one question"
            ),
        ));
    }
    if let Some(m) = band_warning(
        "its share of complex reflections (%CR)",
        &sc.bands.percent_complex_reflections,
        |v| format!("{v:.1}%"),
    ) {
        d.push(Diagnostic::warning(
            span,
            format!(
                "{what} does not model deep listening: {m}; make complex reflections (feeling, meaning, double-sided) the best reply at more points"
            ),
        ));
    }
    let n = t.turns.len();
    if first && n < cfg.min_points {
        d.push(Diagnostic::warning(
            span,
            format!(
                "{what} passes through {n} decision point{}, fewer than the minimum of {}: add points so a trainee gets enough practice (or lower it with --min-points)",
                if n == 1 { "" } else { "s" },
                cfg.min_points
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::load::load_scenario;

    #[test]
    fn the_template_lints_clean() {
        let text = crate::format::template::template_for("my-client_2.0").unwrap();
        let s = load_scenario(&text).expect("template is valid");
        let idx = crate::source::diag::LineIndex::new(&text);
        let shown: Vec<String> = lint(&s, &LintConfig::default())
            .iter()
            .map(|d| d.render("t", &idx))
            .collect();
        assert!(shown.is_empty(), "{shown:#?}");
    }

    #[test]
    fn question_marks_ignore_trailing_quotes_and_space() {
        assert!(ends_with_question_mark("What matters most? "));
        assert!(ends_with_question_mark("You said \"why me?\""));
        assert!(ends_with_question_mark("Is it “enough?”"));
        assert!(!ends_with_question_mark("Tell me more."));
        assert!(!ends_with_question_mark(""));
    }

    #[test]
    fn generic_praise_is_caught_and_specific_affirmations_pass() {
        for generic in [
            "Good job!",
            "Well done, really.",
            "You’re doing great.",
            "That's great — I'm proud of you.",
            "Awesome.",
            "You're strong.",
        ] {
            assert!(is_generic_praise(generic), "{generic}");
        }
        for specific in [
            "Well done: you kept going to meetings after the slip.",
            "That's great — you called your sponsor instead of drinking.",
            "Amazing that you've stayed dry for 3 weeks.",
            "You stopped on Tuesday even with the whole crew there. Well done.",
            "It took courage to come here today.",
            "You care a lot about your daughter.",
        ] {
            assert!(!is_generic_praise(specific), "{specific}");
        }
        // Word boundaries: "amazingly" is not "amazing"; "wonderful job" is not in the list.
        assert!(!is_generic_praise("It went amazingly quickly"));
    }

    #[test]
    fn specific_references() {
        assert!(has_specific_reference("Two years, 730 days"));
        assert!(has_specific_reference("you managed it"));
        assert!(has_specific_reference("You’ve kept at it"));
        assert!(!has_specific_reference("you are great"));
        assert!(!has_specific_reference("you need it"));
    }

    const MINIMAL: &str = include_str!("../../../tests/data/minimal.ron");

    fn warnings(text: &str, cfg: LintConfig) -> Vec<String> {
        let s = load_scenario(text).expect("valid");
        lint(&s, &cfg).into_iter().map(|d| d.message).collect()
    }

    fn one_point() -> LintConfig {
        LintConfig { min_points: 1 }
    }

    /// The minimal scenario with an open question on its best path, so that R:Q is defined,
    /// a Confront as long as the best replies (no length tell), and the closed question
    /// answered with its own, weaker ending (the client hears it).
    fn clean() -> String {
        let text = MINIMAL
            .replacen(
                "text: \"You feel fine as you are.\", codes: [SimpleReflection]",
                "text: \"What brings you here today?\", codes: [OpenQuestion]",
                1,
            )
            .replacen(
                "text: \"You're in denial.\"",
                "text: \"You're in denial, and the sooner you admit it the better.\"",
                1,
            )
            .replacen(
                "codes: [ClosedQuestion], next: \"good\"",
                "codes: [ClosedQuestion], next: \"so-so\"",
                1,
            )
            .replacen(
                "Ending(id: \"gone\"",
                "Ending(id: \"so-so\", title: \"Answers, no more\", outcome: Mixed, text: \"Two.\", debrief: \"Facts, not reasons.\"),\n        Ending(id: \"gone\"",
                1,
            );
        assert_eq!(text.matches("so-so").count(), 2);
        // Feedback that teaches (`thin-feedback`), and no line that needs discord 6 at the
        // start, where it is 3 (`dead-line`).
        let mut text = text.replacen(
            "                Line(id: \"a.2\", text: \"Leave it.\", talk: Discord, mood: Irritated, when: \"discord >= 6\"),\n",
            "",
            1,
        );
        for (short, full) in FEEDBACK {
            assert!(text.contains(short), "{short}");
            text = text.replacen(short, full, 1);
        }
        text
    }

    /// The minimal client's feedback, and feedback of a length that teaches.
    const FEEDBACK: [(&str, &str); 4] = [
        (
            "feedback: \"Reflects.\"",
            "feedback: \"A simple reflection shows Pat you heard the wish to be fine.\"",
        ),
        (
            "feedback: \"Labels.\"",
            "feedback: \"Labelling Pat as in denial confronts, and discord rises.\"",
        ),
        (
            "feedback: \"Reflects change talk.\"",
            "feedback: \"A complex reflection of change talk invites Pat to say more.\"",
        ),
        (
            "feedback: \"Fact-finding.\"",
            "feedback: \"A closed question gets a number, not Pat's own reasons.\"",
        ),
    ];

    #[test]
    fn clean_scenario_lints_clean_with_a_low_minimum_and_flags_a_short_path_by_default() {
        assert_eq!(warnings(&clean(), one_point()), Vec::<String>::new());
        let w = warnings(&clean(), LintConfig::default());
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("passes through 2 decision points, fewer than the minimum of 8"));
    }

    #[test]
    fn each_check_fires_on_its_flaw() {
        let cases: [(&str, &str, &str); 8] = [
            // No MI-consistent option at point b.
            (
                "codes: [ComplexReflection], next: \"good\"",
                "codes: [GivingInformation], next: \"good\"",
                "point `b` has no MI-consistent option",
            ),
            // No weaker option at point b.
            (
                "codes: [ClosedQuestion]",
                "codes: [SimpleReflection]",
                "point `b` has no weaker option",
            ),
            // A question without a question mark.
            (
                "text: \"How many drinks a day?\"",
                "text: \"How many drinks a day.\"",
                "coded ClosedQuestion but its text does not end with",
            ),
            // A reflection with one.
            (
                "text: \"Part of you wonders about it.\"",
                "text: \"Part of you wonders about it?\"",
                "coded as a reflection but its text ends with",
            ),
            // Generic praise coded Affirm.
            (
                "text: \"How many drinks a day?\", codes: [ClosedQuestion]",
                "text: \"Great job!\", codes: [Affirm]",
                "reads as generic praise",
            ),
            // A line without talk.
            (", talk: Change(Reasons),", ",", "line `b.1` has no `talk`"),
            // An ending nobody reaches.
            (
                "Ending(id: \"gone\"",
                "Ending(id: \"never\", title: \"No\", outcome: Mixed, text: \"-\", debrief: \"-\"),\n        Ending(id: \"gone\"",
                "ending `never` can never be reached",
            ),
            // The best path reaches %CR only with simple reflections.
            (
                "codes: [ComplexReflection], next: \"good\"",
                "codes: [SimpleReflection], next: \"good\"",
                "%CR",
            ),
        ];
        for (from, to, expect) in cases {
            let base = clean();
            let text = base.replacen(from, to, 1);
            assert_ne!(text, base, "edit {from:?} did not apply");
            let w = warnings(&text, one_point());
            assert!(
                w.iter().any(|m| m.contains(expect)),
                "{expect:?} not in {w:#?}"
            );
        }
    }

    #[test]
    fn a_client_that_cannot_be_lost_is_flagged() {
        // No option leads to `gone`, and nothing raises discord toward the walkout.
        let text = clean().replace(
            "text: \"You're in denial, and the sooner you admit it the better.\", codes: [Confront], next: \"gone\"",
            "text: \"Have you had a drink today?\", codes: [ClosedQuestion], next: \"b\"",
        );
        let w = warnings(&text, one_point());
        assert!(
            w.iter().any(|m| m.contains("no way to lose this client")
                && m.contains("walkout ending `gone` can never happen")),
            "{w:#?}"
        );
        // With a Confront that raises discord, the walkout can happen.
        let text = clean().replace(
            "next: \"gone\", feedback: \"Labelling",
            "next: \"b\", feedback: \"Labelling",
        );
        let w = warnings(&text, one_point());
        assert!(!w.iter().any(|m| m.contains("no way to lose")), "{w:#?}");
    }

    #[test]
    fn best_path_without_questions_has_no_r_q() {
        // The minimal scenario's best path reflects twice and asks nothing: R:Q is n/a.
        let w = warnings(MINIMAL, one_point());
        assert!(
            w.iter().any(|m| m.contains("R:Q") && m.contains("n/a")),
            "{w:#?}"
        );
    }
}
