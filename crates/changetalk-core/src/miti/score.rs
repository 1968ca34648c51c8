//! MITI-style scoring of a coded conversation (mi-reference §1–2). Every number is explained,
//! with worked examples, in `docs/scoring.md`.
//!
//! Scoring works on a [`CodedSession`]: the counsellor's turns (codes and what each answered)
//! and the client's talk types. Simulator transcripts and hand-coded CSV role-plays both become
//! one, so the same conversation scores the same either way.

use serde::Serialize;

use crate::miti::codes::{CodeClass, MitiCode, normalize_turn};
use crate::miti::feedback::written_feedback;
use crate::miti::talk::Target;

/// One counsellor speaking turn, coded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodedTurn {
    /// Codes after the per-turn rules.
    pub codes: Vec<MitiCode>,
    /// What the turn answered.
    pub responds_to: Target,
    /// An open question asking for change talk (credits Cultivating Change Talk).
    pub evokes_change_talk: bool,
}

impl CodedTurn {
    /// A turn from raw codes (the per-turn rules are applied here).
    pub fn new(codes: &[MitiCode], responds_to: Target) -> Self {
        CodedTurn {
            codes: normalize_turn(codes),
            responds_to,
            evokes_change_talk: false,
        }
    }
    /// The same turn marked as an evocative question (only an open question can evoke).
    pub fn evoking(mut self, evokes: bool) -> Self {
        self.evokes_change_talk = evokes && self.has(MitiCode::OpenQuestion);
        self
    }
    fn has(&self, c: MitiCode) -> bool {
        self.codes.contains(&c)
    }
    fn non_adherent(&self) -> bool {
        self.codes
            .iter()
            .any(|c| c.class() == CodeClass::NonAdherent)
    }
    fn adherent(&self) -> bool {
        self.codes.iter().any(|c| c.class() == CodeClass::Adherent)
    }
}

/// A conversation reduced to what scoring needs.
#[derive(Debug, Clone, PartialEq)]
pub struct CodedSession {
    /// Counsellor turns in order.
    pub turns: Vec<CodedTurn>,
    /// Talk type of every client utterance.
    pub client: Vec<Target>,
    /// For a conversation stopped before an ending: the replies the model conversation still
    /// needed from there. `None` for a finished conversation (and a hand-coded role-play).
    pub remaining: Option<usize>,
    /// What the ending makes of the overall (1 when the conversation ended well, or has no
    /// ending to judge, as a hand-coded role-play): see [`Score::outcome_factor`].
    pub outcome_factor: f64,
}

impl Default for CodedSession {
    fn default() -> Self {
        CodedSession {
            turns: Vec::new(),
            client: Vec::new(),
            remaining: None,
            outcome_factor: 1.0,
        }
    }
}

/// Counts per code, after the per-turn rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counts {
    /// Giving Information.
    pub giving_information: u32,
    /// Persuade.
    pub persuade: u32,
    /// Persuade with Permission.
    pub persuade_with_permission: u32,
    /// Open questions.
    pub open_question: u32,
    /// Closed questions.
    pub closed_question: u32,
    /// Simple reflections.
    pub simple_reflection: u32,
    /// Complex reflections.
    pub complex_reflection: u32,
    /// Affirm.
    pub affirm: u32,
    /// Seeking Collaboration.
    pub seeking_collaboration: u32,
    /// Emphasizing Autonomy.
    pub emphasizing_autonomy: u32,
    /// Confront.
    pub confront: u32,
}

impl Counts {
    /// The count of one code.
    pub fn get(&self, c: MitiCode) -> u32 {
        match c {
            MitiCode::GivingInformation => self.giving_information,
            MitiCode::Persuade => self.persuade,
            MitiCode::PersuadeWithPermission => self.persuade_with_permission,
            MitiCode::OpenQuestion => self.open_question,
            MitiCode::ClosedQuestion => self.closed_question,
            MitiCode::SimpleReflection => self.simple_reflection,
            MitiCode::ComplexReflection => self.complex_reflection,
            MitiCode::Affirm => self.affirm,
            MitiCode::SeekingCollaboration => self.seeking_collaboration,
            MitiCode::EmphasizingAutonomy => self.emphasizing_autonomy,
            MitiCode::Confront => self.confront,
        }
    }
    fn bump(&mut self, c: MitiCode) {
        let slot = match c {
            MitiCode::GivingInformation => &mut self.giving_information,
            MitiCode::Persuade => &mut self.persuade,
            MitiCode::PersuadeWithPermission => &mut self.persuade_with_permission,
            MitiCode::OpenQuestion => &mut self.open_question,
            MitiCode::ClosedQuestion => &mut self.closed_question,
            MitiCode::SimpleReflection => &mut self.simple_reflection,
            MitiCode::ComplexReflection => &mut self.complex_reflection,
            MitiCode::Affirm => &mut self.affirm,
            MitiCode::SeekingCollaboration => &mut self.seeking_collaboration,
            MitiCode::EmphasizingAutonomy => &mut self.emphasizing_autonomy,
            MitiCode::Confront => &mut self.confront,
        };
        *slot += 1;
    }
}

/// Estimated MITI global ratings (1–5) and the two summary globals.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Globals {
    /// Cultivating Change Talk, 1–5.
    pub cultivating_change_talk: u8,
    /// Softening Sustain Talk, 1–5.
    pub softening_sustain_talk: u8,
    /// Partnership, 1–5.
    pub partnership: u8,
    /// Empathy, 1–5.
    pub empathy: u8,
    /// (Cultivating + Softening) / 2.
    pub technical: f64,
    /// (Partnership + Empathy) / 2.
    pub relational: f64,
}

/// Where a metric falls against its published thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// Below the fair (MITI 3: beginning proficiency) threshold.
    BelowFair,
    /// At or above fair, below good.
    Fair,
    /// At or above good (MITI 3: competency).
    Good,
}

impl Band {
    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            Band::BelowFair => "below fair",
            Band::Fair => "fair",
            Band::Good => "good",
        }
    }
}

/// One banded metric: its value, band and thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BandedMetric {
    /// The value (null when it has no denominator).
    pub value: Option<f64>,
    /// The band (null when the value is null).
    pub band: Option<Band>,
    /// Fair threshold.
    pub fair: f64,
    /// Good threshold.
    pub good: f64,
    /// Where the thresholds come from.
    pub source: &'static str,
}

impl BandedMetric {
    fn new(value: Option<f64>, fair: f64, good: f64, source: &'static str) -> Self {
        let band = value.map(|v| {
            if v >= good {
                Band::Good
            } else if v >= fair {
                Band::Fair
            } else {
                Band::BelowFair
            }
        });
        BandedMetric {
            value,
            band,
            fair,
            good,
            source,
        }
    }
}

/// Every banded metric.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bands {
    /// Relational global (MITI 4.2.1: fair 3.5, good 4).
    pub relational: BandedMetric,
    /// Technical global (MITI 4.2.1: fair 3, good 4).
    pub technical: BandedMetric,
    /// % complex reflections (fair 40, good 50).
    pub percent_complex_reflections: BandedMetric,
    /// Reflection-to-question ratio (fair 1, good 2).
    pub reflection_to_question: BandedMetric,
    /// % open questions (MITI 3.1.1: 50 beginning, 70 competent).
    pub percent_open_questions: BandedMetric,
    /// % MI-adherent of adherent + non-adherent (MITI 3.1.1: 90, 100).
    pub percent_mi_adherent: BandedMetric,
}

/// Feedback in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Feedback {
    /// What went well, with the evidence.
    pub strengths: Vec<String>,
    /// What to work on, with the principle.
    pub growth_areas: Vec<String>,
    /// Turns where a better-rated option existed.
    pub missed_moments: Vec<MissedMoment>,
}

/// A turn where a better reply was available.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissedMoment {
    /// 1-based turn number.
    pub turn: usize,
    /// What the client said.
    pub client: String,
    /// What the trainee said.
    pub chosen: String,
    /// Rating of the chosen reply.
    pub chosen_rating: u8,
    /// The better reply and why it works.
    pub better: BetterOption,
}

/// The score of a conversation. `play --json`, `score-transcript --json` and result files
/// all carry this object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// Counsellor turns scored.
    pub turns: usize,
    /// Counts per code.
    pub counts: Counts,
    /// Simple + complex reflections.
    pub reflections: u32,
    /// Open + closed questions.
    pub questions: u32,
    /// Reflections / questions (null with no questions).
    pub reflection_to_question: Option<f64>,
    /// 100 × complex / all reflections (null with no reflections).
    pub percent_complex_reflections: Option<f64>,
    /// 100 × open / all questions (null with no questions).
    pub percent_open_questions: Option<f64>,
    /// Affirm + Seeking Collaboration + Emphasizing Autonomy.
    pub mi_adherent: u32,
    /// Persuade + Confront.
    pub mi_non_adherent: u32,
    /// 100 × adherent / (adherent + non-adherent) (null when both are 0).
    pub percent_mi_adherent: Option<f64>,
    /// Client change-talk utterances.
    pub change_talk: u32,
    /// Client sustain-talk utterances.
    pub sustain_talk: u32,
    /// Client discord utterances.
    pub discord: u32,
    /// change / (change + sustain), 0–1 (null when both are 0).
    pub change_talk_share: Option<f64>,
    /// Estimated global ratings.
    pub globals: Globals,
    /// Band per metric with thresholds.
    pub bands: Bands,
    /// Overall score 0–100. For a conversation stopped before an ending, the score of the
    /// part played times `completion`.
    pub overall: f64,
    /// The conversation reached an ending (false when the trainee stopped early or time ran
    /// out: the report, JSON and exports mark it incomplete).
    pub complete: bool,
    /// How much of the conversation was done, 0–1: replies given / (replies given + the
    /// replies the model conversation still needed from there). 1 for a finished conversation.
    pub completion: f64,
    /// How the ending weighs on the overall: 1 for a good ending (and for a role-play without
    /// one), 0.85 when the client leaves with little movement (Mixed), 0.6 when they shut down
    /// or walk out (Disengaged). The client's response is the simulator's verdict on the whole
    /// conversation, which the codes alone can miss (a reflection that steps past a suicide cue
    /// codes well).
    pub outcome_factor: f64,
    /// Where the global ratings come from: `estimated_from_codes` — computed from the
    /// behaviour codes by fixed rules (`docs/scoring.md`), not a human coder's gestalt.
    pub globals_source: &'static str,
    /// Strengths, growth areas and missed moments.
    pub feedback: Feedback,
}

/// The `globals_source` of every score: the globals are estimated from the codes.
pub const GLOBALS_SOURCE: &str = "estimated_from_codes";

/// Rounds to `places` decimals, half away from zero.
pub(crate) fn round_to(x: f64, places: i32) -> f64 {
    let m = 10f64.powi(places);
    (x * m).round() / m
}

/// A 1–5 global from per-item credits (each 0–100): 1 + 4 × mean credit / 100, rounded half up,
/// computed in integers; 3 (the MITI default) when there are no items.
pub fn global_from_credits(credits: &[u32]) -> u8 {
    if credits.is_empty() {
        return 3;
    }
    let n = credits.len() as u64;
    let sum: u64 = credits.iter().map(|c| u64::from(*c)).sum();
    // 1 + floor((4·sum + 50·n) / (100·n))
    (1 + (4 * sum + 50 * n) / (100 * n)) as u8
}

/// Credit a turn earns toward Cultivating Change Talk: full credit for a complex reflection
/// or an open question that asks for change talk.
pub fn cct_credit(t: &CodedTurn) -> u32 {
    use MitiCode::*;
    if t.non_adherent() {
        0
    } else if t.has(ComplexReflection) || t.evokes_change_talk {
        100
    } else if t.has(SimpleReflection) || t.has(OpenQuestion) {
        75
    } else if t.adherent() {
        50
    } else {
        25
    }
}

/// Credit a turn earns toward Softening Sustain Talk.
pub fn sst_credit(t: &CodedTurn) -> u32 {
    use MitiCode::*;
    if t.non_adherent() {
        0
    } else if t.has(ComplexReflection) || t.has(EmphasizingAutonomy) {
        100
    } else if t.has(SimpleReflection) || t.adherent() {
        50
    } else {
        25
    }
}

/// Credit a turn earns toward Partnership.
pub fn partnership_credit(t: &CodedTurn) -> u32 {
    use MitiCode::*;
    if t.non_adherent() {
        0
    } else if t.has(SeekingCollaboration) || t.has(EmphasizingAutonomy) {
        100
    } else if t.has(ComplexReflection) || t.has(Affirm) {
        75
    } else if t.has(SimpleReflection) || t.has(OpenQuestion) || t.has(PersuadeWithPermission) {
        50
    } else {
        25
    }
}

/// Credit a turn earns toward Empathy.
pub fn empathy_credit(t: &CodedTurn) -> u32 {
    use MitiCode::*;
    if t.non_adherent() {
        0
    } else if t.has(ComplexReflection) {
        100
    } else if t.has(SimpleReflection) || t.has(Affirm) || t.has(OpenQuestion) {
        50
    } else {
        25
    }
}

fn ratio(num: u32, den: u32) -> Option<f64> {
    (den > 0).then(|| f64::from(num) / f64::from(den))
}

/// Scores a coded conversation. Pure and deterministic.
pub fn score(s: &CodedSession) -> Score {
    let mut counts = Counts::default();
    for t in &s.turns {
        for c in &t.codes {
            counts.bump(*c);
        }
    }
    let reflections = counts.simple_reflection + counts.complex_reflection;
    let questions = counts.open_question + counts.closed_question;
    let mi_adherent = counts.affirm + counts.seeking_collaboration + counts.emphasizing_autonomy;
    let mi_non_adherent = counts.persuade + counts.confront;
    let change_talk = s
        .client
        .iter()
        .filter(|t| **t == Target::ChangeTalk)
        .count() as u32;
    let sustain_talk = s
        .client
        .iter()
        .filter(|t| **t == Target::SustainTalk)
        .count() as u32;
    let discord = s.client.iter().filter(|t| **t == Target::Discord).count() as u32;

    let rq = ratio(reflections, questions);
    let pcr = ratio(counts.complex_reflection, reflections).map(|x| 100.0 * x);
    let poq = ratio(counts.open_question, questions).map(|x| 100.0 * x);
    let padh = ratio(mi_adherent, mi_adherent + mi_non_adherent).map(|x| 100.0 * x);
    let cts = ratio(change_talk, change_talk + sustain_talk);

    let cct_items: Vec<u32> = s
        .turns
        .iter()
        .filter(|t| {
            t.responds_to == Target::ChangeTalk || t.has(MitiCode::Persuade) || t.evokes_change_talk
        })
        .map(cct_credit)
        .collect();
    let sst_items: Vec<u32> = s
        .turns
        .iter()
        .filter(|t| matches!(t.responds_to, Target::SustainTalk | Target::Discord))
        .map(sst_credit)
        .collect();
    let p_items: Vec<u32> = s.turns.iter().map(partnership_credit).collect();
    let e_items: Vec<u32> = s.turns.iter().map(empathy_credit).collect();
    let cct = global_from_credits(&cct_items);
    let sst = global_from_credits(&sst_items);
    let partnership = global_from_credits(&p_items);
    let empathy = global_from_credits(&e_items);
    let globals = Globals {
        cultivating_change_talk: cct,
        softening_sustain_talk: sst,
        partnership,
        empathy,
        technical: f64::from(cct + sst) / 2.0,
        relational: f64::from(partnership + empathy) / 2.0,
    };

    let bands = Bands {
        relational: BandedMetric::new(Some(globals.relational), 3.5, 4.0, "MITI 4.2.1"),
        technical: BandedMetric::new(Some(globals.technical), 3.0, 4.0, "MITI 4.2.1"),
        percent_complex_reflections: BandedMetric::new(
            pcr.map(|x| round_to(x, 1)),
            40.0,
            50.0,
            "MITI 4.2.1",
        ),
        reflection_to_question: BandedMetric::new(
            rq.map(|x| round_to(x, 2)),
            1.0,
            2.0,
            "MITI 4.2.1",
        ),
        percent_open_questions: BandedMetric::new(
            poq.map(|x| round_to(x, 1)),
            50.0,
            70.0,
            "MITI 3.1.1",
        ),
        percent_mi_adherent: BandedMetric::new(
            padh.map(|x| round_to(x, 1)),
            90.0,
            100.0,
            "MITI 3.1.1",
        ),
    };

    let evidence = Evidence {
        cct: !cct_items.is_empty(),
        sst: !sst_items.is_empty(),
        relational: !s.turns.is_empty(),
    };
    let completion = match s.remaining {
        None => 1.0,
        Some(left) => {
            let done = s.turns.len() as f64;
            done / (done + left.max(1) as f64)
        }
    };
    let outcome_factor = if s.outcome_factor.is_finite() {
        s.outcome_factor.clamp(0.0, 1.0)
    } else {
        1.0
    };
    let overall = round_to(
        overall_score(s, &globals, evidence, &counts, cts) * completion * outcome_factor,
        1,
    );

    let mut score = Score {
        turns: s.turns.len(),
        counts,
        reflections,
        questions,
        reflection_to_question: rq.map(|x| round_to(x, 2)),
        percent_complex_reflections: pcr.map(|x| round_to(x, 1)),
        percent_open_questions: poq.map(|x| round_to(x, 1)),
        mi_adherent,
        mi_non_adherent,
        percent_mi_adherent: padh.map(|x| round_to(x, 1)),
        change_talk,
        sustain_talk,
        discord,
        change_talk_share: cts.map(|x| round_to(x, 3)),
        globals,
        bands,
        overall,
        complete: s.remaining.is_none(),
        completion: round_to(completion, 3),
        globals_source: GLOBALS_SOURCE,
        outcome_factor: round_to(outcome_factor, 2),
        feedback: Feedback {
            strengths: Vec::new(),
            growth_areas: Vec::new(),
            missed_moments: Vec::new(),
        },
    };
    let (strengths, growth) = written_feedback(&score, s);
    score.feedback.strengths = strengths;
    score.feedback.growth_areas = growth;
    score
}

/// Which globals had items to rate.
#[derive(Debug, Clone, Copy)]
struct Evidence {
    cct: bool,
    sst: bool,
    relational: bool,
}

/// The overall 0–100 score: a weighted sum of rates (see `docs/scoring.md`).
fn overall_score(
    s: &CodedSession,
    g: &Globals,
    evidence: Evidence,
    counts: &Counts,
    cts: Option<f64>,
) -> f64 {
    let reflections = counts.simple_reflection + counts.complex_reflection;
    let questions = counts.open_question + counts.closed_question;
    let (complex, open) = (counts.complex_reflection, counts.open_question);
    let turns = s.turns.len().max(1) as f64;
    let non_adherent_turns = s.turns.iter().filter(|t| t.non_adherent()).count() as f64;
    let adherence_part = if s.turns.is_empty() {
        0.0
    } else {
        1.0 - non_adherent_turns / turns
    };
    // Globals enter only when there was evidence for them (a global with no items shows the
    // MITI default of 3 in the report, but earns nothing here).
    let evidenced = |pairs: &[(bool, u8)]| -> f64 {
        let used: Vec<f64> = pairs
            .iter()
            .filter(|(e, _)| *e)
            .map(|(_, g)| f64::from(*g))
            .collect();
        if used.is_empty() {
            0.0
        } else {
            (used.iter().sum::<f64>() / used.len() as f64 - 1.0) / 4.0
        }
    };
    let technical_part = evidenced(&[
        (evidence.cct, g.cultivating_change_talk),
        (evidence.sst, g.softening_sustain_talk),
    ]);
    let relational_part = evidenced(&[
        (evidence.relational, g.partnership),
        (evidence.relational, g.empathy),
    ]);
    let cr_part = if reflections > 0 {
        (f64::from(complex) / f64::from(reflections) / 0.5).min(1.0)
    } else {
        0.0
    };
    let (rq_part, oq_part) = if questions > 0 {
        (
            (f64::from(reflections) / f64::from(questions) / 2.0).min(1.0),
            (f64::from(open) / f64::from(questions) / 0.7).min(1.0),
        )
    } else if reflections > 0 {
        (1.0, 1.0)
    } else {
        (0.0, 0.0)
    };
    let total = 20.0 * relational_part
        + 20.0 * technical_part
        + 15.0 * cr_part
        + 15.0 * rq_part
        + 15.0 * adherence_part
        + 5.0 * oq_part
        + 10.0 * cts.unwrap_or(0.0);
    round_to(total, 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use MitiCode::*;

    #[test]
    fn globals_round_half_up_in_integers() {
        assert_eq!(global_from_credits(&[]), 3);
        assert_eq!(global_from_credits(&[0]), 1);
        assert_eq!(global_from_credits(&[100]), 5);
        // mean 62.5 → 1 + 2.5 = 3.5 → 4
        assert_eq!(global_from_credits(&[100, 25]), 4);
        // mean 37.5 → 2.5 → 3
        assert_eq!(global_from_credits(&[50, 25]), 3);
    }

    #[test]
    fn zero_denominators_are_null() {
        let s = score(&CodedSession {
            turns: vec![CodedTurn::new(&[Affirm], Target::Neutral)],
            client: vec![Target::Neutral],
            remaining: None,
            outcome_factor: 1.0,
        });
        assert_eq!(s.reflection_to_question, None);
        assert_eq!(s.percent_complex_reflections, None);
        assert_eq!(s.change_talk_share, None);
        assert_eq!(s.bands.reflection_to_question.band, None);
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains("\"reflection_to_question\":null"));
        assert!(!json.contains("NaN"));
    }
}

/// A better reply the trainee could have chosen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BetterOption {
    /// The option's id.
    pub option: String,
    /// Its number as shown (1-based).
    pub number: usize,
    /// What it says.
    pub text: String,
    /// MITI codes after the per-turn rules.
    pub codes: Vec<MitiCode>,
    /// Its 1–5 rating.
    pub rating: u8,
    /// Why it works.
    pub feedback: String,
}
