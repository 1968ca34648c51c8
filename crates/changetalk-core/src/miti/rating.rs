//! The 1–5 rating of one reply, and the rule of the rating table that gives it, so that
//! authoring tools can say *why* an option rates what it does (`docs/scoring.md` §7).

use serde::Serialize;

use crate::miti::codes::{CodeClass, MitiCode, normalize_turn};
use crate::miti::talk::Target;

/// The row of the rating table that rates a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingRule {
    /// 1: a Persuade or Confront anywhere in the turn.
    NonAdherent,
    /// 5: a complex reflection together with an adherent move.
    ComplexReflectionWithAdherentMove,
    /// 5: a complex reflection of change talk or of discord.
    ComplexReflectionOfChangeTalkOrDiscord,
    /// 4: a complex reflection of sustain talk or neutral talk.
    ComplexReflection,
    /// 4: a simple reflection together with an adherent move.
    SimpleReflectionWithAdherentMove,
    /// 4: a simple reflection with an open question that evokes change talk.
    SimpleReflectionWithEvocativeQuestion,
    /// 4: a simple reflection of change talk.
    SimpleReflectionOfChangeTalk,
    /// 3: a simple reflection of sustain talk, discord or neutral talk.
    SimpleReflection,
    /// 4: an open question together with an adherent move.
    OpenQuestionWithAdherentMove,
    /// 4: an open question marked `evokes_change_talk`.
    EvocativeOpenQuestion,
    /// 3: an open question.
    OpenQuestion,
    /// 3: an adherent move (Affirm, Seeking collaboration, Emphasizing autonomy) without a
    /// reflection or an open question.
    AdherentMove,
    /// 3: persuasion with permission.
    PersuadeWithPermission,
    /// 2: a closed question, information, or nothing codable.
    NoMiMove,
}

impl RatingRule {
    /// The rating this rule gives.
    pub fn rating(self) -> u8 {
        use RatingRule::*;
        match self {
            NonAdherent => 1,
            NoMiMove => 2,
            SimpleReflection | OpenQuestion | AdherentMove | PersuadeWithPermission => 3,
            ComplexReflection
            | SimpleReflectionWithAdherentMove
            | SimpleReflectionWithEvocativeQuestion
            | SimpleReflectionOfChangeTalk
            | OpenQuestionWithAdherentMove
            | EvocativeOpenQuestion => 4,
            ComplexReflectionWithAdherentMove | ComplexReflectionOfChangeTalkOrDiscord => 5,
        }
    }

    /// Why a reply with these codes, answering `responds_to`, rates what it does, in words
    /// for an instructor: "a complex reflection of change talk".
    pub fn explain(self, codes: &[MitiCode], responds_to: Target) -> String {
        use RatingRule::*;
        let codes = normalize_turn(codes);
        let of = match responds_to {
            Target::Neutral => "neutral talk",
            t => t.label(),
        };
        let named = |class: CodeClass| {
            codes
                .iter()
                .filter(|c| c.class() == class)
                .map(|c| c.label().to_lowercase())
                .collect::<Vec<_>>()
                .join(" and ")
        };
        match self {
            NonAdherent => format!(
                "{} is MI-non-adherent (the righting reflex): any Persuade or Confront rates 1",
                sentence_case(&named(CodeClass::NonAdherent))
            ),
            ComplexReflectionWithAdherentMove => format!(
                "a complex reflection (of {of}) with an adherent move ({})",
                named(CodeClass::Adherent)
            ),
            ComplexReflectionOfChangeTalkOrDiscord | ComplexReflection => {
                format!("a complex reflection of {of}")
            }
            SimpleReflectionWithAdherentMove => format!(
                "a simple reflection (of {of}) with an adherent move ({})",
                named(CodeClass::Adherent)
            ),
            SimpleReflectionWithEvocativeQuestion => {
                "a simple reflection with an open question that evokes change talk".into()
            }
            SimpleReflectionOfChangeTalk | SimpleReflection => {
                format!("a simple reflection of {of}")
            }
            OpenQuestionWithAdherentMove => format!(
                "an open question with an adherent move ({})",
                named(CodeClass::Adherent)
            ),
            EvocativeOpenQuestion => "an open question that evokes change talk".into(),
            OpenQuestion => "an open question".into(),
            AdherentMove => format!(
                "an adherent move ({}) without a reflection or an open question",
                named(CodeClass::Adherent)
            ),
            PersuadeWithPermission => "persuasion with permission".into(),
            NoMiMove if codes.is_empty() => {
                "nothing MITI codes: no reflection, question or adherent move".into()
            }
            NoMiMove => format!(
                "{} alone: no reflection, open question or adherent move",
                codes
                    .iter()
                    .map(|c| c.label().to_lowercase())
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
        }
    }
}

fn sentence_case(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}

/// The rule of the rating table that rates a reply (see [`rate_reply`]).
pub fn rating_rule(
    codes: &[MitiCode],
    responds_to: Target,
    evokes_change_talk: bool,
) -> RatingRule {
    use MitiCode::*;
    let codes = normalize_turn(codes);
    let has = |c: MitiCode| codes.contains(&c);
    if codes.iter().any(|c| c.class() == CodeClass::NonAdherent) {
        return RatingRule::NonAdherent;
    }
    let adherent = codes.iter().any(|c| c.class() == CodeClass::Adherent);
    if has(ComplexReflection) {
        return if adherent {
            RatingRule::ComplexReflectionWithAdherentMove
        } else if matches!(responds_to, Target::ChangeTalk | Target::Discord) {
            RatingRule::ComplexReflectionOfChangeTalkOrDiscord
        } else {
            RatingRule::ComplexReflection
        };
    }
    if has(SimpleReflection) {
        // A restatement never lowers what the rest of the turn earns: reflect-then-ask with an
        // evocative question is still an evocative question.
        return if adherent {
            RatingRule::SimpleReflectionWithAdherentMove
        } else if evokes_change_talk && has(OpenQuestion) {
            RatingRule::SimpleReflectionWithEvocativeQuestion
        } else if responds_to == Target::ChangeTalk {
            RatingRule::SimpleReflectionOfChangeTalk
        } else {
            RatingRule::SimpleReflection
        };
    }
    if has(OpenQuestion) {
        return if adherent {
            RatingRule::OpenQuestionWithAdherentMove
        } else if evokes_change_talk {
            RatingRule::EvocativeOpenQuestion
        } else {
            RatingRule::OpenQuestion
        };
    }
    if adherent {
        return RatingRule::AdherentMove;
    }
    if has(PersuadeWithPermission) {
        return RatingRule::PersuadeWithPermission;
    }
    RatingRule::NoMiMove
}

/// The 1–5 rating of one reply, adapted from the Helpful Responses Questionnaire levels
/// (mi-reference §3) and what the reply answers (§4–5). `docs/scoring.md` has the table.
///
/// - 1: a roadblock — Persuade or Confront anywhere in the turn.
/// - 2: neither a reflection nor an MI-adherent move: closed question, information,
///   or nothing codable.
/// - 3: an open question, persuasion with permission, a simple reflection of sustain talk,
///   discord or neutral talk, or an adherent move alone.
/// - 4: a simple reflection of change talk; a complex reflection of sustain talk or neutral
///   talk; an open question that evokes change talk (`evokes_change_talk`), with or without a
///   simple reflection; an open question
///   or simple reflection with an adherent move.
/// - 5: a complex reflection of change talk or of discord, or any complex reflection together
///   with an adherent move.
///
/// A simple restatement of neutral talk rates below a complex reflection of it (HRQ levels 3
/// and 4): adding meaning is the stronger reply.
pub fn rate_reply(codes: &[MitiCode], responds_to: Target, evokes_change_talk: bool) -> u8 {
    rating_rule(codes, responds_to, evokes_change_talk).rating()
}

#[cfg(test)]
mod tests {
    use super::*;
    use MitiCode::*;

    #[test]
    fn rules_explain_the_rating_in_words() {
        let why = |codes: &[MitiCode], t: Target, evokes: bool| {
            let rule = rating_rule(codes, t, evokes);
            (rule.rating(), rule.explain(codes, t))
        };
        assert_eq!(
            why(&[ComplexReflection], Target::ChangeTalk, false),
            (5, "a complex reflection of change talk".into())
        );
        assert_eq!(
            why(
                &[SimpleReflection, ComplexReflection],
                Target::Neutral,
                false
            ),
            (4, "a complex reflection of neutral talk".into())
        );
        assert_eq!(
            why(&[ClosedQuestion, Confront], Target::SustainTalk, false),
            (
                1,
                "Confront is MI-non-adherent (the righting reflex): any Persuade or Confront rates 1"
                    .into()
            )
        );
        assert_eq!(
            why(
                &[OpenQuestion, SeekingCollaboration],
                Target::SustainTalk,
                false
            ),
            (
                4,
                "an open question with an adherent move (seeking collaboration)".into()
            )
        );
        assert_eq!(
            why(&[ClosedQuestion], Target::SustainTalk, false),
            (
                2,
                "closed question alone: no reflection, open question or adherent move".into()
            )
        );
        assert_eq!(
            why(&[], Target::Neutral, false).1,
            "nothing MITI codes: no reflection, question or adherent move"
        );
    }

    /// The rating as it was computed before the rules were named, kept to pin them.
    fn reference(codes: &[MitiCode], responds_to: Target, evokes_change_talk: bool) -> u8 {
        let codes = normalize_turn(codes);
        let has = |c: MitiCode| codes.contains(&c);
        if codes.iter().any(|c| c.class() == CodeClass::NonAdherent) {
            return 1;
        }
        let adherent = codes.iter().any(|c| c.class() == CodeClass::Adherent);
        if has(ComplexReflection) {
            if adherent || matches!(responds_to, Target::ChangeTalk | Target::Discord) {
                return 5;
            }
            return 4;
        }
        if has(SimpleReflection) {
            let evokes = evokes_change_talk && has(OpenQuestion);
            if adherent || evokes || responds_to == Target::ChangeTalk {
                return 4;
            }
            return 3;
        }
        if has(OpenQuestion) {
            return if adherent || evokes_change_talk { 4 } else { 3 };
        }
        if adherent || has(PersuadeWithPermission) {
            return 3;
        }
        2
    }

    #[test]
    fn every_rule_gives_the_rating_of_the_table() {
        // Every set of codes, for every target, with and without `evokes_change_talk`: the
        // rule's rating is the rating, and its words name a move.
        for mask in 0u32..(1 << MitiCode::ALL.len()) {
            let codes: Vec<MitiCode> = MitiCode::ALL
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, c)| *c)
                .collect();
            for t in Target::ALL {
                for evokes in [false, true] {
                    let rule = rating_rule(&codes, t, evokes);
                    let r = rate_reply(&codes, t, evokes);
                    assert_eq!(r, reference(&codes, t, evokes), "{codes:?} {t:?} {evokes}");
                    assert_eq!(rule.rating(), r, "{codes:?} {t:?} {evokes}");
                    assert!(!rule.explain(&codes, t).is_empty());
                }
            }
        }
    }
}
