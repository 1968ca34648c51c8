//! Replies typed in the trainee's own words. The coder (outside the core) gives the reply's
//! MITI codes; here the reply is matched to the scripted options at the decision point —
//! codes first, then meaning — so the client can answer along the branch of the option it
//! matches best ([`crate::Session::say`]). Pure and deterministic.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::session::Session;
use crate::miti::codes::{MitiCode, normalize_turn};

pub use crate::engine::records::TypedReply;

/// What codes a typed reply: the offline coder, outside the core (the grader and the
/// exercise driver replay typed replies through it).
pub trait ReplyCoder: std::fmt::Debug {
    /// The reply `text`, coded as an answer to the client's line `after`.
    fn code_reply(&self, text: &str, after: Option<&str>) -> TypedReply;
    /// SHA-256 of the coder's model (exercise files pin it).
    fn model_hash(&self) -> String;
}

/// How close a typed reply is to one scripted option.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OptionMatch {
    /// The option's number as displayed (1-based).
    pub number: usize,
    /// Agreement of the codes, 0–1 (the same main code counts most).
    pub codes: f32,
    /// Similarity of the words, 0–1 (cosine of content-word counts).
    pub meaning: f32,
    /// The ranking score: codes first, then meaning.
    pub score: f32,
}

/// Below this coder confidence, or with the two nearest options this close, the trainee is
/// asked which of the two they meant.
pub const UNSURE_CONFIDENCE: f32 = 0.5;
/// See [`UNSURE_CONFIDENCE`].
pub const UNSURE_MARGIN: f32 = 0.1;

const STOP_WORDS: [&str; 40] = [
    "a", "an", "and", "are", "as", "at", "be", "but", "do", "for", "have", "i", "if", "in", "is",
    "it", "its", "it's", "just", "me", "my", "of", "on", "or", "so", "that", "the", "this", "to",
    "was", "we", "what", "with", "you", "your", "you're", "you've", "you'd", "about", "can",
];

/// Content words, lower case, with their counts.
fn words(text: &str) -> BTreeMap<String, f32> {
    let mut out = BTreeMap::new();
    for w in text
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .map(|w| w.trim_matches(|c| c == '\'' || c == '’').to_lowercase())
        .filter(|w| !w.is_empty() && !STOP_WORDS.contains(&w.as_str()))
    {
        *out.entry(w).or_insert(0.0) += 1.0;
    }
    out
}

/// Cosine similarity of two texts' content words (0 when either has none).
pub fn meaning_similarity(a: &str, b: &str) -> f32 {
    let (a, b) = (words(a), words(b));
    let dot: f32 = a.iter().filter_map(|(w, x)| b.get(w).map(|y| x * y)).sum();
    let norm = |m: &BTreeMap<String, f32>| m.values().map(|v| v * v).sum::<f32>().sqrt();
    let d = norm(&a) * norm(&b);
    if d == 0.0 { 0.0 } else { dot / d }
}

/// Agreement of two codings: 0.6 for the same main code, plus 0.4 × the overlap of the rest
/// (Jaccard over the normalised codes). Two replies with no code agree fully.
pub fn code_agreement(typed: &[MitiCode], option: &[MitiCode]) -> f32 {
    let (t, o) = (normalize_turn(typed), normalize_turn(option));
    if t.is_empty() && o.is_empty() {
        return 1.0;
    }
    let main = if typed
        .first()
        .is_some_and(|m| option.first() == Some(m) || o.first() == Some(m))
    {
        0.6
    } else {
        0.0
    };
    let both = t.iter().filter(|c| o.contains(c)).count() as f32;
    let either = (t.len() + o.len()) as f32 - both;
    main + 0.4 * if either == 0.0 { 0.0 } else { both / either }
}

/// The options at the session's current point ranked by how well `reply` matches them: codes
/// first (×2), then meaning; ties go to the lower number. Empty when the session is over.
pub fn match_options(session: &Session, reply: &TypedReply) -> Vec<OptionMatch> {
    let mut out: Vec<OptionMatch> = session
        .current_options()
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let codes = code_agreement(&reply.codes, &o.codes);
            let meaning = meaning_similarity(&reply.text, &o.text);
            OptionMatch {
                number: i + 1,
                codes,
                meaning,
                score: 2.0 * codes + meaning,
            }
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.number.cmp(&b.number)));
    out
}

/// The coder is unsure, or the two nearest options are too close to tell apart: the trainee
/// should pick which of the two they meant.
pub fn is_unsure(reply: &TypedReply, matches: &[OptionMatch]) -> bool {
    let close = matches
        .get(1)
        .is_some_and(|second| matches[0].score - second.score < UNSURE_MARGIN);
    reply.confidence < UNSURE_CONFIDENCE || close
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Session, TEMPLATE, load_scenario};
    use std::sync::Arc;

    fn session() -> Session {
        let s = load_scenario(&TEMPLATE.replace("__ID__", "typed-test")).unwrap();
        Session::new(Arc::new(s), 3)
    }

    #[test]
    fn the_same_codes_and_words_match_the_option_best() {
        let s = session();
        let options = s.current_options();
        let target = options[1];
        let reply = TypedReply {
            text: target.text.clone(),
            codes: target.codes.clone(),
            confidence: 0.9,
        };
        let m = match_options(&s, &reply);
        assert_eq!(m[0].number, 2);
        assert!(m[0].meaning > 0.99);
        assert_eq!(match_options(&s, &reply), m, "deterministic");
    }

    #[test]
    fn a_typed_reply_is_rated_by_its_own_codes_and_follows_the_matched_branch() {
        let mut s = session();
        let mut scripted = session();
        let options = s.current_options();
        let n = 1;
        let next = options[n - 1].id.clone();
        let reply = TypedReply {
            text: "You're in denial about all of this.".into(),
            codes: vec![MitiCode::Confront],
            confidence: 0.8,
        };
        let t = s.say(reply.clone(), n).unwrap().clone();
        assert_eq!(
            t.reply.rating, 1,
            "a roadblock rates 1 whatever option it matched"
        );
        assert_eq!(t.reply.text, reply.text);
        assert_eq!(t.reply.matched_option.as_deref(), Some(next.as_str()));
        assert_eq!(t.reply.confidence, Some(0.8));
        scripted.choose(n).unwrap();
        assert_eq!(
            s.current_point().map(|p| &p.id),
            scripted.current_point().map(|p| &p.id),
            "the client answers along the matched option's branch"
        );
        // Taking it back replays the typed reply's predecessors exactly.
        s.rewind().unwrap();
        assert!(s.turns().is_empty());
        assert!(s.typed().is_empty());
    }

    #[test]
    fn unsure_when_the_coder_doubts_or_two_options_tie() {
        let r = TypedReply {
            text: "x".into(),
            codes: vec![],
            confidence: 0.3,
        };
        assert!(is_unsure(&r, &[]));
        let sure = TypedReply {
            confidence: 0.9,
            ..r
        };
        let m = |n, score| OptionMatch {
            number: n,
            codes: 0.0,
            meaning: 0.0,
            score,
        };
        assert!(is_unsure(&sure, &[m(1, 1.0), m(2, 0.95)]));
        assert!(!is_unsure(&sure, &[m(1, 1.0), m(2, 0.5)]));
    }
}
