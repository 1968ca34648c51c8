//! What a session records: the client's lines, the replies chosen, how it ended — the
//! transcript that serialises to the same JSON for the same scenario, seed and choices.

use serde::Serialize;

use crate::engine::model::{ClientState, Mood, Outcome, TalkType, Target};
use crate::miti::codes::MitiCode;
pub use crate::miti::score::BetterOption;

/// What the client said at a point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClientLineRecord {
    /// The decision point.
    pub point: String,
    /// The line variant's id.
    pub line: String,
    /// The words.
    pub text: String,
    /// Change, sustain, discord or neutral.
    pub talk: TalkType,
    /// The mood shown on the face.
    pub mood: Mood,
}

/// The reply the trainee chose.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplyRecord {
    /// The option's id.
    pub option: String,
    /// Its number as shown (1-based).
    pub number: usize,
    /// What the counsellor said.
    pub text: String,
    /// MITI codes after the per-turn rules.
    pub codes: Vec<MitiCode>,
    /// What the reply answered.
    pub responds_to: Target,
    /// The option is an open question that asks for change talk.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub evokes_change_talk: bool,
    /// 1–5 rating of the reply.
    pub rating: u8,
    /// The author's teaching note (for a typed reply: the matched option's).
    pub feedback: String,
    /// A reply typed in the trainee's own words: how sure the coder was of its codes (0–1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    /// A typed reply: the scripted option whose branch the client followed (its id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_option: Option<String>,
}

/// One exchange: the client spoke, the trainee replied.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TurnRecord {
    /// 1-based turn number.
    pub number: usize,
    /// What the client said.
    pub client: ClientLineRecord,
    /// What the trainee answered.
    pub reply: ReplyRecord,
    /// State before the reply.
    pub state_before: ClientState,
    /// State after the reply.
    pub state_after: ClientState,
    /// The best-rated option here, when it was rated above the chosen one.
    pub better: Option<BetterOption>,
}

/// Why the session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// A reply led to an ending.
    Reached,
    /// Discord reached the persona's walkout level.
    Walkout,
}

/// How the session ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EndingRecord {
    /// The ending's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Positive, mixed or disengaged.
    pub outcome: Outcome,
    /// What happens.
    pub text: String,
    /// The teaching debrief.
    pub debrief: String,
    /// Reached normally or by walkout.
    pub reason: EndReason,
}

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for the trainee's reply.
    InProgress,
    /// An ending was reached.
    Ended,
    /// The trainee stopped before an ending.
    StoppedEarly,
}

/// The full record of a session. Serialises to the same JSON for the same inputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transcript {
    /// Scenario id.
    pub scenario: String,
    /// Scenario title.
    pub title: String,
    /// Scenario version string.
    pub version: String,
    /// Seed of the session.
    pub seed: u64,
    /// The replies chosen, as 1-based option numbers.
    pub choices: Vec<usize>,
    /// State at the start.
    pub initial_state: ClientState,
    /// What the client said first... and every exchange after.
    pub turns: Vec<TurnRecord>,
    /// The client's line still waiting for a reply (when not ended).
    pub pending: Option<ClientLineRecord>,
    /// The ending, when reached.
    pub ending: Option<EndingRecord>,
    /// In progress, ended or stopped early.
    pub status: Status,
    /// State now.
    pub final_state: ClientState,
    /// For a conversation not yet at an ending: how many replies the model conversation would
    /// still need from where it stands ([`Session::model_remaining`]; scoring uses it to mark
    /// an early stop incomplete).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining: Option<usize>,
    /// The point an instructor's preview started from (absent for a normal session, which
    /// starts at the scenario's `start`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_point: Option<String>,
    /// In a course, or a client that remembers facts: everything remembered at the end of
    /// this session (absent when nothing is).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub memory: crate::engine::memory::Memory,
}

/// A mistake in driving a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionError {
    /// The session is over; no more replies.
    Over,
    /// No option with this number here.
    NoSuchOption {
        /// The number given.
        number: usize,
        /// How many options there are.
        available: usize,
        /// Turn at which it happened (1-based).
        turn: usize,
    },
    /// Nothing to rewind.
    NothingToRewind,
    /// A reply typed in the trainee's own words cannot be replayed without the coder.
    NoCoder,
}

impl std::fmt::Display for SessionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SessionError::Over => {
                f.write_str("the session has already ended; no more replies can be given")
            }
            SessionError::NoSuchOption {
                number,
                available,
                turn,
            } => write!(
                f,
                "turn {turn}: there is no option {number}; choose 1 to {available}"
            ),
            SessionError::NothingToRewind => f.write_str("there is no reply to take back yet"),
            SessionError::NoCoder => f.write_str(
                "a reply typed in the trainee's own words needs the offline coder to replay",
            ),
        }
    }
}

impl std::error::Error for SessionError {}

/// A reply the trainee typed, with the codes the coder gave it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypedReply {
    /// What the trainee typed.
    pub text: String,
    /// Its MITI codes, main first (empty: no MITI code).
    pub codes: Vec<MitiCode>,
    /// How sure the coder was of the main code (0–1).
    pub confidence: f32,
}
