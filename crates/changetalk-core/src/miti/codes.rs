//! MITI 4.2.1 behaviour codes (questions split open/closed as in MITI 3), the per-turn coding
//! rules, and the 1–5 rating of a single reply (mi-reference §1 and §3).

use serde::{Deserialize, Serialize};

/// A counsellor behaviour code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MitiCode {
    /// Neutral facts, feedback or opinion, without pressure.
    GivingInformation,
    /// Argument, warning or advice aimed at change with no permission or autonomy support.
    Persuade,
    /// Persuasion after permission or hedged with autonomy.
    PersuadeWithPermission,
    /// A question that invites a wide range of answers.
    OpenQuestion,
    /// A question answered yes/no or with a fact.
    ClosedQuestion,
    /// Gives back what the client said, adding little.
    SimpleReflection,
    /// Adds meaning: feeling, inference, metaphor, amplified or double-sided.
    ComplexReflection,
    /// Genuine, specific recognition of a strength, effort or value.
    Affirm,
    /// Shares power: asks permission, asks the client's ideas, negotiates the agenda.
    SeekingCollaboration,
    /// Puts choice and responsibility with the client.
    EmphasizingAutonomy,
    /// Argues, corrects, labels, shames, moralises, warns, doubts honesty.
    Confront,
}

/// MI class of a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeClass {
    /// Counts toward the MI-adherent total.
    Adherent,
    /// Counts toward the MI-non-adherent total.
    NonAdherent,
    /// Neither.
    Neutral,
}

impl MitiCode {
    /// All codes, in the order reports list them.
    pub const ALL: [MitiCode; 11] = [
        MitiCode::GivingInformation,
        MitiCode::Persuade,
        MitiCode::PersuadeWithPermission,
        MitiCode::OpenQuestion,
        MitiCode::ClosedQuestion,
        MitiCode::SimpleReflection,
        MitiCode::ComplexReflection,
        MitiCode::Affirm,
        MitiCode::SeekingCollaboration,
        MitiCode::EmphasizingAutonomy,
        MitiCode::Confront,
    ];

    /// The RON spelling (`ComplexReflection`).
    pub fn ron_name(self) -> &'static str {
        match self {
            MitiCode::GivingInformation => "GivingInformation",
            MitiCode::Persuade => "Persuade",
            MitiCode::PersuadeWithPermission => "PersuadeWithPermission",
            MitiCode::OpenQuestion => "OpenQuestion",
            MitiCode::ClosedQuestion => "ClosedQuestion",
            MitiCode::SimpleReflection => "SimpleReflection",
            MitiCode::ComplexReflection => "ComplexReflection",
            MitiCode::Affirm => "Affirm",
            MitiCode::SeekingCollaboration => "SeekingCollaboration",
            MitiCode::EmphasizingAutonomy => "EmphasizingAutonomy",
            MitiCode::Confront => "Confront",
        }
    }

    /// The snake_case spelling used in JSON and CSV (`complex_reflection`).
    pub fn json_name(self) -> &'static str {
        match self {
            MitiCode::GivingInformation => "giving_information",
            MitiCode::Persuade => "persuade",
            MitiCode::PersuadeWithPermission => "persuade_with_permission",
            MitiCode::OpenQuestion => "open_question",
            MitiCode::ClosedQuestion => "closed_question",
            MitiCode::SimpleReflection => "simple_reflection",
            MitiCode::ComplexReflection => "complex_reflection",
            MitiCode::Affirm => "affirm",
            MitiCode::SeekingCollaboration => "seeking_collaboration",
            MitiCode::EmphasizingAutonomy => "emphasizing_autonomy",
            MitiCode::Confront => "confront",
        }
    }

    /// A short human label (`Complex reflection`).
    pub fn label(self) -> &'static str {
        match self {
            MitiCode::GivingInformation => "Giving information",
            MitiCode::Persuade => "Persuade",
            MitiCode::PersuadeWithPermission => "Persuade with permission",
            MitiCode::OpenQuestion => "Open question",
            MitiCode::ClosedQuestion => "Closed question",
            MitiCode::SimpleReflection => "Simple reflection",
            MitiCode::ComplexReflection => "Complex reflection",
            MitiCode::Affirm => "Affirm",
            MitiCode::SeekingCollaboration => "Seeking collaboration",
            MitiCode::EmphasizingAutonomy => "Emphasizing autonomy",
            MitiCode::Confront => "Confront",
        }
    }

    /// The principle behind the code, for a trainee's feedback (Moyers et al., MITI 4.2.1;
    /// Miller & Rollnick, *Motivational Interviewing*, 4th ed.).
    pub fn principle(self) -> &'static str {
        match self {
            MitiCode::GivingInformation => {
                "Giving information is neutral: facts offered without pressure. Ask first what the client already knows, and what they make of it after."
            }
            MitiCode::Persuade => {
                "Persuading without permission is MI-non-adherent: unasked-for advice or argument invites the client to argue the other side (the righting reflex)."
            }
            MitiCode::PersuadeWithPermission => {
                "Advice after asking permission, or hedged with the client's choice, keeps the client in charge of what they do with it."
            }
            MitiCode::OpenQuestion => {
                "An open question invites the client to tell their story; the best ones ask for their own reasons for change."
            }
            MitiCode::ClosedQuestion => {
                "A closed question gets a yes, a no or a fact. Useful now and then, but a run of them turns the session into an interview."
            }
            MitiCode::SimpleReflection => {
                "A simple reflection shows you listened. Adding meaning (a feeling, what it matters for) makes it complex and moves the conversation forward."
            }
            MitiCode::ComplexReflection => {
                "A complex reflection adds meaning to what the client said; reflecting sustain talk this way lowers defensiveness and lets them hear their own ambivalence."
            }
            MitiCode::Affirm => {
                "An affirmation names a genuine, specific strength or effort of the client's: it builds confidence without judging."
            }
            MitiCode::SeekingCollaboration => {
                "Seeking collaboration shares power: asking permission, or asking the client's own ideas, makes the session a partnership."
            }
            MitiCode::EmphasizingAutonomy => {
                "Emphasizing autonomy puts the choice with the client, which lowers their need to defend the status quo."
            }
            MitiCode::Confront => {
                "Confronting (arguing, labelling, warning, shaming) is MI-non-adherent: it raises discord, and clients defend what is attacked."
            }
        }
    }

    /// Looks a code up by its snake_case spelling.
    pub fn from_json_name(s: &str) -> Option<MitiCode> {
        MitiCode::ALL.into_iter().find(|c| c.json_name() == s)
    }

    /// Adherent, non-adherent or neutral (mi-reference §1).
    pub fn class(self) -> CodeClass {
        match self {
            MitiCode::Affirm | MitiCode::SeekingCollaboration | MitiCode::EmphasizingAutonomy => {
                CodeClass::Adherent
            }
            MitiCode::Persuade | MitiCode::Confront => CodeClass::NonAdherent,
            _ => CodeClass::Neutral,
        }
    }

    /// True for simple and complex reflections.
    pub fn is_reflection(self) -> bool {
        matches!(
            self,
            MitiCode::SimpleReflection | MitiCode::ComplexReflection
        )
    }

    /// True for open and closed questions.
    pub fn is_question(self) -> bool {
        matches!(self, MitiCode::OpenQuestion | MitiCode::ClosedQuestion)
    }
}

/// A reply's codes for people: "Complex reflection + Affirm", or "not coded".
pub fn codes_label(codes: &[MitiCode]) -> String {
    if codes.is_empty() {
        return "not coded".to_string();
    }
    codes
        .iter()
        .map(|c| c.label())
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Applies the MITI per-turn rules to the codes of one speaking turn (mi-reference §1):
/// each code at most once; one question per turn (open if any question was open); a simple
/// and a complex reflection in one turn count as complex; Confront beats Question;
/// Persuade with Permission beats Persuade. The result is sorted in [`MitiCode::ALL`] order.
pub fn normalize_turn(codes: &[MitiCode]) -> Vec<MitiCode> {
    use MitiCode::*;
    let has = |c: MitiCode| codes.contains(&c);
    let mut out: Vec<MitiCode> = Vec::with_capacity(codes.len());
    for c in MitiCode::ALL {
        if !has(c) {
            continue;
        }
        let keep = match c {
            ClosedQuestion => !has(OpenQuestion) && !has(Confront),
            OpenQuestion => !has(Confront),
            SimpleReflection => !has(ComplexReflection),
            Persuade => !has(PersuadeWithPermission),
            _ => true,
        };
        if keep {
            out.push(c);
        }
    }
    out
}

pub use crate::miti::rating::rate_reply;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::miti::talk::Target;
    use MitiCode::*;

    #[test]
    fn per_turn_rules() {
        assert_eq!(
            normalize_turn(&[SimpleReflection, ComplexReflection]),
            vec![ComplexReflection]
        );
        assert_eq!(
            normalize_turn(&[ClosedQuestion, OpenQuestion]),
            vec![OpenQuestion]
        );
        assert_eq!(
            normalize_turn(&[OpenQuestion, OpenQuestion]),
            vec![OpenQuestion]
        );
        assert_eq!(normalize_turn(&[ClosedQuestion, Confront]), vec![Confront]);
        assert_eq!(
            normalize_turn(&[Persuade, PersuadeWithPermission]),
            vec![PersuadeWithPermission]
        );
        assert_eq!(
            normalize_turn(&[Affirm, EmphasizingAutonomy]),
            vec![Affirm, EmphasizingAutonomy]
        );
    }

    #[test]
    fn ratings() {
        assert_eq!(
            rate_reply(&[ComplexReflection, Confront], Target::SustainTalk, false),
            1
        );
        assert_eq!(rate_reply(&[ClosedQuestion], Target::SustainTalk, false), 2);
        assert_eq!(rate_reply(&[GivingInformation], Target::Neutral, false), 2);
        assert_eq!(rate_reply(&[], Target::Neutral, false), 2);
        assert_eq!(rate_reply(&[OpenQuestion], Target::SustainTalk, false), 3);
        assert_eq!(
            rate_reply(&[SimpleReflection], Target::SustainTalk, false),
            3
        );
        assert_eq!(
            rate_reply(&[SimpleReflection], Target::ChangeTalk, false),
            4
        );
        assert_eq!(
            rate_reply(&[ComplexReflection], Target::SustainTalk, false),
            4
        );
        assert_eq!(
            rate_reply(&[ComplexReflection], Target::ChangeTalk, false),
            5
        );
        assert_eq!(
            rate_reply(
                &[ComplexReflection, EmphasizingAutonomy],
                Target::SustainTalk,
                false
            ),
            5
        );
        assert_eq!(rate_reply(&[Affirm], Target::Neutral, false), 3);
        assert_eq!(
            rate_reply(&[OpenQuestion, Affirm], Target::Neutral, false),
            4
        );
        assert_eq!(rate_reply(&[OpenQuestion], Target::Neutral, true), 4);
        // Adding a restatement to an evocative question does not lower it.
        assert_eq!(
            rate_reply(&[SimpleReflection, OpenQuestion], Target::SustainTalk, true),
            4
        );
        // A plain restatement of neutral talk rates below a complex reflection of it.
        assert_eq!(rate_reply(&[SimpleReflection], Target::Neutral, false), 3);
        assert_eq!(rate_reply(&[ComplexReflection], Target::Neutral, false), 4);
    }
}
