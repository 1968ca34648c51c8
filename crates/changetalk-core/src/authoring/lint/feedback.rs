//! `thin-feedback`: the feedback a trainee reads after choosing a reply is where the practice
//! teaches (feedback after practice is what builds skill, mi-reference §7). "Good." or "Wrong
//! reply." says whether, not why: it names no skill and no reason the reply helps or hurts this
//! client. The rule is deliberately conservative, so that it never fires on feedback that
//! teaches: fewer than [`MIN_FEEDBACK_WORDS`] words, or nothing but verdict words.

use crate::engine::model::ReplyOption;
use crate::source::diag::Diagnostic;
use crate::source::text::words;

/// Fewest words an option's feedback should have: enough to name the move and why it helps
/// or hurts ("A complex reflection of the worry keeps Sam talking." is 9).
pub const MIN_FEEDBACK_WORDS: usize = 8;

/// Words that judge a reply without teaching anything (lowercase). Feedback made of nothing
/// else, however long, names no skill and no reason.
pub const VERDICT_WORDS: &[&str] = &[
    "a",
    "again",
    "an",
    "and",
    "answer",
    "awesome",
    "bad",
    "best",
    "better",
    "bit",
    "choice",
    "correct",
    "done",
    "excellent",
    "fine",
    "good",
    "great",
    "incorrect",
    "is",
    "it",
    "it's",
    "job",
    "nice",
    "no",
    "not",
    "ok",
    "okay",
    "one",
    "option",
    "perfect",
    "poor",
    "quite",
    "really",
    "reply",
    "response",
    "right",
    "so",
    "that",
    "that's",
    "the",
    "this",
    "too",
    "try",
    "very",
    "was",
    "well",
    "worse",
    "worst",
    "wrong",
    "yes",
    "you",
    "your",
];

/// Why a feedback text is too thin to teach from, if it is.
pub fn thin_feedback(text: &str) -> Option<String> {
    let w = words(text);
    if w.len() < MIN_FEEDBACK_WORDS {
        let n = w.len();
        let s = if n == 1 { "" } else { "s" };
        return Some(format!("it has {n} word{s}"));
    }
    w.iter()
        .all(|x| VERDICT_WORDS.contains(&x.as_str()))
        .then(|| "it only says whether the reply was good or bad".to_string())
}

/// Warns at an option whose feedback is too thin to teach from.
pub(super) fn check_thin_feedback(o: &ReplyOption, d: &mut Vec<Diagnostic>) {
    let Some(why) = thin_feedback(&o.feedback) else {
        return;
    };
    d.push(Diagnostic::warning(
        o.spans.feedback,
        format!(
            "thin-feedback: the feedback of option `{}` is too thin to teach from: {why}; the trainee reads it after choosing this reply, so name the MI skill or roadblock and why it helps or hurts with this client, in {MIN_FEEDBACK_WORDS} words or more",
            o.id
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_or_verdict_only_feedback_is_thin_and_teaching_feedback_is_not() {
        assert_eq!(thin_feedback("Reflects."), Some("it has 1 word".into()));
        assert_eq!(thin_feedback(""), Some("it has 0 words".into()));
        assert_eq!(
            thin_feedback("Good reply, really very good, well done, nice one!"),
            Some("it only says whether the reply was good or bad".into())
        );
        assert_eq!(
            thin_feedback("A complex reflection of the worry keeps Sam talking."),
            None
        );
        assert_eq!(
            thin_feedback("Wrong: a warning is the righting reflex, and Sam digs in."),
            None
        );
    }
}
