//! Phrase cues for the codes AnnoMI does not annotate (Affirm, Confront, Persuade with
//! Permission) and for autonomy and permission language.
//!
//! The cue lists come from the MITI 4.2.1 definitions (mi-reference §1) and Gordon's
//! roadblocks: recognition of a specific strength or effort (Affirm); labelling, arguing,
//! doubting honesty, shaming (Confront); asking permission or hedging advice with autonomy
//! (Persuade with Permission). Matching is on normalised text (lower case, straight
//! apostrophes, single spaces), with word boundaries.

use crate::text::normalize;

/// Which cue families a reply contains.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cues {
    /// Recognition of a strength, effort or value.
    pub affirm: bool,
    /// Labels, arguing, shaming, doubting honesty.
    pub confront: bool,
    /// Asks or refers to permission ("would it be OK if I…", "since you asked").
    pub permission: bool,
    /// Puts the choice with the client ("it's up to you").
    pub autonomy: bool,
    /// Hedged suggestion ("some people find…", "you might consider…").
    pub hedge: bool,
    /// Directive advice ("you should", "you need to", "you have to").
    pub directive: bool,
}

const AFFIRM: &[&str] = &[
    "took courage",
    "takes courage",
    "took a lot of courage",
    "takes a lot of courage",
    "took guts",
    "takes guts",
    "took strength",
    "takes strength",
    "big step",
    "huge step",
    "important step",
    "real step",
    "brave",
    "courage",
    "courageous",
    "well done",
    "good for you",
    "proud of",
    "credit",
    "resourceful",
    "determined",
    "determination",
    "persistence",
    "persistent",
    "dedication",
    "dedicated",
    "hard work",
    "worked hard",
    "working hard",
    "impressive",
    "remarkable",
    "admire",
    "you've managed",
    "you managed",
    "you've stuck",
    "you stuck with",
    "you've kept",
    "you kept going",
    "you've done a lot",
    "you've done really well",
    "you did really well",
    "you've worked",
    "you've come a long way",
    "you've made real",
    "you've made a lot",
    "that's a real strength",
    "a real strength",
    "your strength",
    "you're clearly someone",
    "you're someone who",
    "you are someone who",
    "you really care",
    "you care a lot",
    "you care deeply",
    "you obviously care",
    "you clearly care",
    "thank you for being",
    "thanks for being",
    "thank you for sharing",
    "thanks for sharing",
    "i appreciate",
    "honesty",
    "you've been honest",
    "great job",
    "good job",
    "nice job",
    "achievement",
    "accomplishment",
    "you've achieved",
    "you've accomplished",
];

const CONFRONT: &[&str] = &[
    "alcoholic",
    "addict",
    "junkie",
    "in denial",
    "denial",
    "kidding yourself",
    "fooling yourself",
    "lying to yourself",
    "lying to me",
    "you're lying",
    "making excuses",
    "just excuses",
    "an excuse",
    "excuses",
    "be honest with yourself",
    "let's be honest",
    "face facts",
    "face the facts",
    "face reality",
    "face it",
    "wake up",
    "come on",
    "admit it",
    "you have to admit",
    "you need to admit",
    "admit that",
    "that's not true",
    "that isn't true",
    "you're wrong",
    "irresponsible",
    "selfish",
    "ashamed",
    "shame on",
    "what were you thinking",
    "how could you",
    "don't you see",
    "don't you realise",
    "don't you realize",
    "don't you care",
    "can't you see",
    "no concerns at all",
    "no problem at all",
    "stop blaming",
    "blaming everyone",
    "the real problem is you",
    "you're the problem",
    "you have a problem",
    "you've got a problem",
    "you obviously have",
    "you clearly have a",
    "you're just",
    "seriously",
];

const PERMISSION: &[&str] = &[
    "would it be ok if",
    "would it be okay if",
    "would it be all right if",
    "would it be alright if",
    "is it ok if",
    "is it okay if",
    "is it all right if",
    "would you mind if",
    "do you mind if",
    "can i share",
    "could i share",
    "may i share",
    "can i tell you",
    "could i tell you",
    "can i offer",
    "could i offer",
    "may i offer",
    "can i make a suggestion",
    "could i make a suggestion",
    "may i",
    "with your permission",
    "would you like to hear",
    "would you like me to",
    "would it help if i",
    "since you asked",
    "you asked",
    "you've asked",
    "as you asked",
    "if you're interested",
    "if you are interested",
    "if you'd like",
    "if you would like",
    "if that's ok",
    "if that's okay",
    "if it's ok",
    "if it's okay",
];

const AUTONOMY: &[&str] = &[
    "up to you",
    "your choice",
    "your decision",
    "your call",
    "you decide",
    "you get to decide",
    "you choose",
    "your own choice",
    "your own decision",
    "only you can",
    "it's your life",
    "whatever you decide",
    "whatever you choose",
    "you know yourself",
    "you know best",
    "you're the expert",
    "you're the best judge",
    "the best judge",
    "may or may not",
    "might or might not",
    "may not fit",
    "might not fit",
    "if it fits",
    "doesn't fit you",
    "in charge",
    "nobody can make you",
    "no one can make you",
    "can't make you",
    "on your terms",
    "your own terms",
    "yours to decide",
    "for you to decide",
    "your hands",
    "entirely yours",
    "it's yours",
];

const HEDGE: &[&str] = &[
    "some people find",
    "some people have found",
    "some people",
    "other people have",
    "others have found",
    "one option",
    "one thing some",
    "you might consider",
    "you could consider",
    "you might want to",
    "you might try",
    "might be worth",
    "could be worth",
    "one idea",
    "an idea",
];

const DIRECTIVE: &[&str] = &[
    "you should",
    "you shouldn't",
    "you need to",
    "you have to",
    "you've got to",
    "you must",
    "you ought to",
    "you'd better",
    "you had better",
    "i want you to",
    "i'd like you to",
    "stop drinking",
    "stop using",
    "stop smoking",
    "quit",
    "just stop",
    "just don't",
    "don't",
    "make sure",
    "the best thing",
    "the only way",
    "if you don't",
    "if you keep",
    "you'll end up",
    "you will end up",
    "you're going to end up",
];

/// The client asked for, or agreed to hear, the counsellor's view: advice after these is
/// Persuade with Permission (MITI 4.2.1).
const PERMISSION_GIVEN: &[&str] = &[
    "since you ask",
    "since you asked",
    "since you're asking",
    "since you are asking",
    "as you asked",
    "as you ask",
    "you asked me",
    "you wanted to know",
    "you mentioned wanting",
    "you said you wanted",
    "you'd like some ideas",
    "with your permission",
    "if you're interested",
    "if you are interested",
    "if you'd like",
    "if you would like",
    "if you want my",
    "if you're open to",
    "if you are open to",
];

/// Autonomy hedges that soften advice ("this may or may not fit you, but…").
const HEDGED_AUTONOMY: &[&str] = &[
    "may or may not",
    "might or might not",
    "may not fit",
    "might not fit",
    "doesn't fit",
    "does not fit",
    "if it fits",
    "which fits",
    "if any, fits",
    "if any fits",
    "take it or leave it",
    "feel free to ignore",
    "feel free to disagree",
    "tell me if this doesn't",
    "tell me if that doesn't",
    "i don't know if this will",
    "i don't know if that will",
    "not sure if this will",
    "not sure this will",
    "see what you think",
    "see if it fits",
    "you know your own life",
    "you know yourself best",
    "you know yourself",
    "you know best",
    "you'd judge",
    "you'll judge",
    "you're the judge",
    "you're the best judge",
    "you're the expert",
    "not everyone",
    "not for everyone",
    "may not be for you",
    "might not be for you",
];

/// Plain autonomy phrases: they soften advice only when it is not a directive.
const WEAK_AUTONOMY: &[&str] = &["up to you", "your call", "your choice", "your decision"];

/// Advice or persuasive content (what Persuade with Permission offers).
const ADVICE: &[&str] = &[
    "you should",
    "you need to",
    "you have to",
    "you could try",
    "you might try",
    "you could consider",
    "you might consider",
    "you might think about",
    "you might want to",
    "try",
    "i'd suggest",
    "i would suggest",
    "i suggest",
    "my suggestion",
    "i'd recommend",
    "i would recommend",
    "i recommend",
    "my advice",
    "the advice is",
    "i'd encourage",
    "i'd really encourage",
    "i would encourage",
    "i'd like to suggest",
    "i'd urge",
    "it would help",
    "it would really help",
    "would really help",
    "can help",
    "could help",
    "might help",
    "helps",
    "helped",
    "has helped",
    "works",
    "worked for",
    "what works",
    "makes a big difference",
    "make a big difference",
    "people find",
    "people have found",
    "people who",
    "many people",
    "most people",
    "a lot of people",
    "lots of people",
    "some people",
    "others",
    "one thing",
    "one option",
    "options",
    "set a",
    "keep",
    "tell your",
    "talk to your",
    "ask your",
    "ask her",
    "ask him",
    "get rid of",
    "cut down",
    "cut back",
    "cutting down",
    "cutting back",
];

/// True when a reply offers advice or a persuasive view *with permission*: the client asked
/// or agreed ("since you ask", "with your permission", "if you're interested"), or the advice
/// is hedged with autonomy ("this may or may not fit you", "take it or leave it"), or the
/// reply asks permission and then goes on to give its view ("Would it be OK if I shared…?
/// Some people find…"). `p_persuade` is the learned persuade head's probability: advice
/// content is either that head above 0.35 or an advice phrase.
pub fn persuade_with_permission(reply: &str, p_persuade: f32) -> bool {
    let n = normalize(reply);
    // The permission or autonomy side first: most replies have none, and then the advice
    // phrases are never scanned.
    let advice = |h: &str| p_persuade > 0.35 || any(h, ADVICE);
    if any(&n, PERMISSION_GIVEN) || any(&n, HEDGED_AUTONOMY) {
        return advice(&n);
    }
    // A bare "it's up to you" softens advice only when the advice is not a directive: "It's
    // up to you, but pick a date and stop" is still Persuade.
    if any(&n, WEAK_AUTONOMY) && !any(&n, DIRECTIVE) {
        return advice(&n);
    }
    // "Would it be OK if I shared…? [advice]": a permission question followed by more text.
    if let Some(q) = n.find('?') {
        let (ask, rest) = n.split_at(q + 1);
        return any(ask, PERMISSION)
            && !any(ask, &["talk", "talked", "discuss", "ask you"])
            && rest.split_whitespace().count() >= 4
            && advice(&n)
            && any(rest, ADVICE);
    }
    false
}

/// Unambiguous labels and honesty challenges: Confront whatever the learned head says.
const LABELS: &[&str] = &[
    "in denial",
    "you're an alcoholic",
    "you are an alcoholic",
    "you're an addict",
    "you are an addict",
    "you're a junkie",
    "kidding yourself",
    "fooling yourself",
    "lying to yourself",
    "you're lying",
    "lying to me",
    "making excuses",
    "shame on you",
    "irresponsible",
    "selfish",
];

/// True when the reply labels the client or doubts their honesty ("you're in denial").
pub fn labels(reply: &str) -> bool {
    any(&normalize(reply), LABELS)
}

/// Feeling words: a reflection that names a feeling the client did not name adds meaning
/// (a complex reflection in MITI 4.2.1).
const FEELING: &[&str] = &[
    "scares you",
    "scared",
    "afraid",
    "frightened",
    "fear",
    "worried",
    "worries you",
    "anxious",
    "frustrated",
    "frustrating",
    "angry",
    "annoyed",
    "sad",
    "hurt",
    "hurts",
    "ashamed",
    "guilty",
    "embarrassed",
    "lonely",
    "alone",
    "overwhelmed",
    "exhausted",
    "tired of",
    "fed up",
    "hopeless",
    "stuck",
    "trapped",
    "torn",
    "relieved",
    "proud",
    "upset",
    "disappointed",
    "resentful",
    "resent",
    "resents",
    "unfair",
    "insult",
    "insulting",
    "humiliating",
    "humiliated",
    "sting",
    "stings",
    "betrayed",
    "judged",
];

/// Double-sided and inferential openings.
const COMPLEX: &[&str] = &[
    "on the one hand",
    "on the other hand",
    "part of you",
    "a part of you",
    "and yet",
    "at the same time",
    "it's as if",
    "as though",
    "deep down",
    "what matters to you",
    "matters to you",
    "important to you",
    "must feel",
    "must be hard",
    "must be tough",
    "must have been",
];

/// True when a reflection adds meaning to `previous_client`: it names a feeling the client
/// did not name, or it is double-sided or inferential.
pub fn adds_meaning(reply: &str, previous_client: Option<&str>) -> bool {
    let r = normalize(reply);
    let p = previous_client.map(normalize).unwrap_or_default();
    any(&r, COMPLEX)
        || FEELING
            .iter()
            .any(|f| has_phrase(&r, f) && !has_phrase(&p, f))
}

/// The byte offsets where `phrase` starts in `hay` at word boundaries.
fn occurrences<'a>(hay: &'a str, phrase: &'a str) -> impl Iterator<Item = usize> + 'a {
    let hb = hay.as_bytes();
    let mut from = 0;
    std::iter::from_fn(move || {
        while from < hay.len() {
            let s = from + hay[from..].find(phrase)?;
            let e = s + phrase.len();
            from = s + 1;
            while from < hay.len() && !hay.is_char_boundary(from) {
                from += 1;
            }
            let left = s == 0 || !is_word_byte(hb[s - 1]);
            let right = e == hb.len() || !is_word_byte(hb[e]);
            if left && right {
                return Some(s);
            }
        }
        None
    })
}

/// True when `phrase` occurs in `hay` at word boundaries.
fn has_phrase(hay: &str, phrase: &str) -> bool {
    occurrences(hay, phrase).next().is_some()
}

/// True when `phrase` occurs in `hay` as the speaker's own assertion, not inside a report of
/// what the client thinks or a question ("you don't think you have a problem", "whether you
/// have a problem"): the few words before it hold no negation, belief or condition.
fn asserted(hay: &str, phrase: &str) -> bool {
    const NOT_ASSERTED: [&str; 7] = ["think", "not", "n't", "whether", "if", "wonder", "believe"];
    occurrences(hay, phrase).any(|s| {
        let mut start = s.saturating_sub(24);
        while !hay.is_char_boundary(start) {
            start -= 1;
        }
        let before = &hay[start..s];
        !NOT_ASSERTED.iter().any(|w| before.contains(w))
    })
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'\'' || b >= 0x80
}

fn any(hay: &str, list: &[&str]) -> bool {
    list.iter().any(|p| has_phrase(hay, p))
}

/// Finds the cue families in a reply.
pub fn cues(text: &str) -> Cues {
    let n = normalize(text);
    Cues {
        affirm: any(&n, AFFIRM),
        confront: CONFRONT.iter().any(|p| asserted(&n, p)),
        permission: any(&n, PERMISSION),
        autonomy: any(&n, AUTONOMY),
        hedge: any(&n, HEDGE),
        directive: any(&n, DIRECTIVE),
    }
}

impl Cues {
    /// Names of the families present, in a fixed order (used as model features).
    pub fn names(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        for (on, name) in [
            (self.affirm, "affirm"),
            (self.confront, "confront"),
            (self.permission, "permission"),
            (self.autonomy, "autonomy"),
            (self.hedge, "hedge"),
            (self.directive, "directive"),
        ] {
            if on {
                v.push(name);
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_boundaries() {
        assert!(has_phrase("you're in denial.", "in denial"));
        assert!(!has_phrase("an addiction", "addict"));
        assert!(has_phrase("é addict", "addict"));
        assert!(cues("You took a big step coming here today.").affirm);
        assert!(cues("It's completely your decision what you do next.").autonomy);
        assert!(cues("You're in denial; you're an alcoholic.").confront);
        assert!(persuade_with_permission(
            "Since you ask: some people find a drink diary helps. What do you make of that?",
            0.0
        ));
        assert!(!persuade_with_permission(
            "It's completely up to you what you do next.",
            0.0
        ));
        assert!(!persuade_with_permission(
            "Would it be OK if we talked about your drinking for a few minutes?",
            0.9
        ));
    }
}
