//! The checks that keep a menu honest (issue "scores that measure MI skill"): no length or
//! cue tells, more than one shape of best reply, a client who answers every reply, and no
//! strategy that knows no MI scoring near the model conversation.

use crate::authoring::audit;
use crate::authoring::model_path::path_span;
use crate::engine::model::Scenario;
use crate::source::diag::Diagnostic;

/// Largest share of points where the best option may be the longest (`length-tell`).
pub const MAX_BEST_IS_LONGEST: f64 = 0.40;

/// Largest share of points where the longest (or the shortest) option may be a weak one
/// (`length-tell` turned around: "never pick the longest").
pub const MAX_EXTREME_IS_WEAK: f64 = 0.60;

/// Largest ratio of best options' mean words to the others' (`length-tell`).
pub const MAX_BEST_WORDS_RATIO: f64 = 1.3;

/// Largest share of best options that may share one code (`one-shape`).
pub const MAX_ONE_SHAPE: f64 = 0.70;

/// `length-tell`: a trainee who always picks the longest reply must not find the best one.
pub(super) fn check_length_tell(s: &Scenario, d: &mut Vec<Diagnostic>) {
    let l = audit::length_tell(s);
    if l.points < 3 {
        return;
    }
    let span = l.first_span.unwrap_or_else(|| path_span(s));
    if l.share > MAX_BEST_IS_LONGEST {
        d.push(Diagnostic::warning(
            span,
            format!(
                "length-tell: the best option is the longest at {} of {} points ({:.0}%, at most {:.0}%: {}): a trainee who always picks the longest reply plays the model conversation; write weak replies as long and specific as strong ones (a warm unasked lecture, a stack of questions, premature problem-solving) and let some best replies be short",
                l.best_is_longest,
                l.points,
                100.0 * l.share,
                100.0 * MAX_BEST_IS_LONGEST,
                l.best_is_longest_at
                    .iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    for (what, n) in [
        ("longest", l.longest_is_weak),
        ("shortest", l.shortest_is_weak),
    ] {
        let share = n as f64 / l.points as f64;
        if share > MAX_EXTREME_IS_WEAK {
            d.push(Diagnostic::warning(
                path_span(s),
                format!(
                    "length-tell: the {what} option is a weak reply at {n} of {} points ({:.0}%, at most {:.0}%): the tell turned around — \"never pick the {what}\" finds the good replies; let a strong reply be the {what} at more points",
                    l.points,
                    100.0 * share,
                    100.0 * MAX_EXTREME_IS_WEAK
                ),
            ));
        }
    }
    if l.ratio > MAX_BEST_WORDS_RATIO {
        d.push(Diagnostic::warning(
            span,
            format!(
                "length-tell: best options average {:.1} words and the others {:.1} ({:.2}×, at most {MAX_BEST_WORDS_RATIO}×): length alone points to the best reply; lengthen the weak replies or shorten the strong ones",
                l.best_words, l.other_words, l.ratio
            ),
        ));
    }
}

/// `cue-tell`: a phrase, mark, question word or name found only on best (or only on weak)
/// replies teaches the cue, not the skill.
pub(super) fn check_cue_tells(s: &Scenario, d: &mut Vec<Diagnostic>) {
    for c in audit::cue_tells(s) {
        d.push(Diagnostic::warning(
            c.span,
            format!(
                "cue-tell: {} appears in {} options and every one is {}, first here in `{}`: a trainee can pick by the cue without knowing MI; use it in {} replies too, or vary the wording",
                c.cue,
                c.options,
                if c.all == "best" { "the best reply at its point" } else { "a weak reply (rated 2 or less)" },
                c.first_option,
                if c.all == "best" { "weak" } else { "strong" }
            ),
        ));
    }
}

/// `one-shape`: when most best replies share one code, a rule of thumb ("always reflect")
/// replaces judgement.
pub(super) fn check_one_shape(s: &Scenario, d: &mut Vec<Diagnostic>) {
    let Some((code, share, n, span)) = audit::dominant_best_code(s) else {
        return;
    };
    if n >= 4 && share > MAX_ONE_SHAPE {
        d.push(Diagnostic::warning(
            span,
            format!(
                "one-shape: {:.0}% of the {n} best options are coded {} (at most {:.0}%): the menu teaches a rule of thumb instead of judgement; add points where the best move is an open question, a simple reflection, an affirmation, a summary, asking permission, or persuasion with permission after the client asks",
                100.0 * share,
                code.label(),
                100.0 * MAX_ONE_SHAPE
            ),
        ));
    }
}

/// `deaf-client`: a weak reply that the client answers exactly as the best one teaches that
/// the reply does not matter.
pub(super) fn check_deaf_client(s: &Scenario, d: &mut Vec<Diagnostic>) {
    for session in audit::first_visits(s) {
        let (_, deaf) = audit::deaf_at(&session);
        let Some(point) = session.current_point() else {
            continue;
        };
        for id in deaf {
            let Some(o) = point.options.iter().find(|o| o.id == id) else {
                continue;
            };
            d.push(Diagnostic::warning(
                o.spans.id,
                format!(
                    "deaf-client: weak option `{id}` leads to the same point and the same client line as the best option at `{}`: the client does not answer the reply; give it its own line (`after: [\"{id}\"]`) or point, with the sustain talk or discord it would bring",
                    point.id
                ),
            ));
        }
    }
}

/// `naive-strategy`: what `changetalk audit` fails for — a strategy that knows no MI scoring
/// within 25 points of the model conversation, or reaching its ending.
pub(super) fn check_naive_strategy(s: &Scenario, d: &mut Vec<Diagnostic>) {
    let report = audit::audit(s);
    for r in &report.strategies {
        for why in &r.fails {
            d.push(Diagnostic::warning(
                path_span(s),
                format!(
                    "naive-strategy: {why} (the audit shows the table: `changetalk audit`, or \"Run the audit\" in the editor): a trainee who knows no MI should score far below the model conversation; make the reply that the strategy picks a weak one at more points, and let weak paths lead to worse endings"
                ),
            ));
        }
    }
}
