//! What scoring works on and gives back: a conversation reduced to its coded turns, and the
//! Score — counts, ratios, estimated globals, bands, overall and feedback — that `play --json`,
//! `score-transcript --json` and result files carry.

use serde::Serialize;

use crate::miti::codes::{CodeClass, MitiCode, normalize_turn};
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
    pub(crate) fn has(&self, c: MitiCode) -> bool {
        self.codes.contains(&c)
    }
    pub(crate) fn non_adherent(&self) -> bool {
        self.codes
            .iter()
            .any(|c| c.class() == CodeClass::NonAdherent)
    }
    pub(crate) fn adherent(&self) -> bool {
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
    pub(crate) fn bump(&mut self, c: MitiCode) {
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
    pub(crate) fn new(value: Option<f64>, fair: f64, good: f64, source: &'static str) -> Self {
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
