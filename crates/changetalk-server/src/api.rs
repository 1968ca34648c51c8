//! The JSON the class server and its clients exchange. The student-facing types carry, during
//! an assessment, only what a student may see: the client's line, the options in that
//! student's order (number and text), the briefing and the clock — never codes, ratings, the
//! options' `next`, feedback or the graph. Practice exercises add [`PracticeFeedback`].

use serde::{Deserialize, Serialize};

/// `POST /api/exercises`: an exercise file and the scenario files it pins.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PublishRequest {
    /// The exercise file's text (RON).
    pub exercise: String,
    /// The exercise file's name (`week3.ron`), for messages and the result records.
    #[serde(default)]
    pub file_name: String,
    /// The text of every scenario file the exercise pins (matched by content hash).
    pub scenarios: Vec<String>,
}

/// The answer to [`PublishRequest`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PublishResponse {
    /// The exercise's id on this server.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its scenarios' ids, in order.
    pub scenarios: Vec<String>,
}

/// One student's join code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeRow {
    /// The student's id.
    pub id: String,
    /// The student's name.
    pub name: String,
    /// The join code.
    pub code: String,
}

/// The answer to `POST /api/exercises/{id}/roster`: every student of the exercise.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RosterResponse {
    /// The exercise's id.
    pub exercise: String,
    /// Students added by this upload.
    pub added: usize,
    /// Every student with a code, sorted by id.
    pub students: Vec<CodeRow>,
}

/// An exercise in `GET /api/exercises`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExerciseSummary {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// When it was published (ISO 8601 UTC).
    pub created_at: String,
    /// Students on its roster.
    pub students: usize,
}

/// `POST /api/join`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JoinRequest {
    /// The join code (case, spaces and dashes do not matter).
    pub code: String,
    /// A random id the client chose for itself: a join repeated by the same client (its
    /// first answer was lost) is not refused as a second session.
    #[serde(default)]
    pub client: String,
}

/// The answer to [`JoinRequest`]: the session token and where the attempt stands.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JoinResponse {
    /// Send as `Authorization: Bearer TOKEN` on every later request.
    pub token: String,
    /// True when this join continues an attempt in progress.
    pub resumed: bool,
    /// Where the attempt stands.
    pub state: PlayState,
}

/// `POST /api/reply`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReplyRequest {
    /// The option's number as displayed (1-based).
    pub number: usize,
    /// The `turn` of the state the reply answers. A request repeated after a lost answer
    /// gets the recorded result back; a reply is never recorded twice.
    pub expect_turn: u64,
}

/// `POST /api/end` and `POST /api/back`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StepRequest {
    /// The `turn` of the state the step applies to (as in [`ReplyRequest`]).
    pub expect_turn: u64,
}

/// The answer to a reply, an early end or a take-back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StepResponse {
    /// True when this step had been recorded before (the request was a retry).
    pub replayed: bool,
    /// True when the step came after the time limit (the attempt is now closed).
    pub late: bool,
    /// The ending this step reached, if it ended a conversation at an ending.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ending: Option<EndingView>,
    /// Practice exercises only: how the reply was coded and rated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub practice: Option<PracticeFeedback>,
    /// Where the attempt stands now.
    pub state: PlayState,
}

/// Where a student's attempt stands: all a client needs to draw the next turn.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlayState {
    /// The exercise.
    pub exercise: ExerciseView,
    /// The student.
    pub student: StudentView,
    /// `playing` or `finished`.
    pub status: String,
    /// Why the attempt finished: `done` (every conversation over) or `time_up`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed: Option<String>,
    /// The step the next reply answers: send it back as `expect_turn`.
    pub turn: u64,
    /// Seconds left before the time limit (absent without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining_s: Option<u64>,
    /// The conversation in progress.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario: Option<ScenarioView>,
    /// The conversation in progress so far: the client's lines and the student's replies
    /// (a client that joins again redraws it). Codes and ratings only in practice.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<ExchangeView>,
    /// What the client just said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<LineView>,
    /// The replies to choose from, in this student's order.
    pub options: Vec<OptionView>,
    /// Once finished: the total and whether it passed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<ResultView>,
}

/// The exercise as a student sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExerciseView {
    /// Title.
    pub title: String,
    /// What the student is asked to do.
    pub instructions: String,
    /// `assessment` or `practice`.
    pub mode: String,
    /// How many conversations.
    pub scenarios: usize,
    /// This attempt's number (1 for the first).
    pub attempt: u32,
    /// Attempts allowed.
    pub attempts: u32,
    /// The time limit, in minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_limit_minutes: Option<u32>,
}

/// The student.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StudentView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
}

/// The conversation in progress: its briefing and how far it is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScenarioView {
    /// Its position in the exercise (0-based).
    pub index: usize,
    /// Its title.
    pub title: String,
    /// The client's name.
    pub client: String,
    /// Why the client is here today.
    pub situation: String,
    /// The turn within this conversation (1-based).
    pub turn: usize,
    /// How the client looks (colours and features the app's face is drawn with).
    #[serde(default)]
    pub face: changetalk_core::engine::persona::Face,
}

/// A client line.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LineView {
    /// What the client says.
    pub text: String,
    /// How the client looks (the app's face shows it).
    pub mood: String,
}

/// One exchange of the conversation in progress: a client line and the student's reply.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExchangeView {
    /// What the client said.
    pub client: String,
    /// How the client looked.
    pub mood: String,
    /// What the student replied.
    pub reply: String,
    /// Practice exercises only: how the reply was coded and rated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub practice: Option<PracticeFeedback>,
}

/// A reply to choose.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OptionView {
    /// The number to send.
    pub number: usize,
    /// What the counsellor says.
    pub text: String,
}

/// An ending reached.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EndingView {
    /// Its title.
    pub title: String,
    /// What happens.
    pub text: String,
}

/// A finished attempt's result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResultView {
    /// The exercise total (mean of the conversations' overall scores).
    pub total: f64,
    /// Whether it met the pass criteria (only a finished conversation can pass).
    pub passed: bool,
    /// The replies recorded after the time limit.
    pub late_replies: usize,
}

/// How a reply was coded and rated: practice exercises only.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PracticeFeedback {
    /// The reply's MITI codes.
    pub codes: Vec<String>,
    /// Its rating, 1–5.
    pub rating: u8,
    /// The scenario's feedback on it.
    pub feedback: String,
}

/// One student in `GET /api/exercises/{id}/status`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StudentStatus {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// `not_started`, `playing`, `finished` or `overdue` (time is up, not finished).
    pub status: String,
    /// The latest attempt's number (0 before the first).
    pub attempt: u32,
    /// Replies recorded in that attempt.
    pub replies: usize,
    /// Whether a client holds the session now.
    pub connected: bool,
    /// When the attempt started (ISO 8601 UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// When it finished.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    /// Its total, once finished.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<f64>,
    /// Whether it passed, once finished.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passed: Option<bool>,
}

/// `GET /api/exercises/{id}/status`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusResponse {
    /// The exercise's id.
    pub exercise: String,
    /// Its title.
    pub title: String,
    /// The server's time (ISO 8601 UTC).
    pub now: String,
    /// Every student on the roster, sorted by id.
    pub students: Vec<StudentStatus>,
}

/// One result record rebuilt from the log, as the file-based grader reads it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResultFile {
    /// `<exercise id>--<student id>.json`, or `….progress.json` for an attempt in progress.
    pub name: String,
    /// The record (`changetalk-result/1` JSON).
    pub json: String,
}

/// `GET /api/exercises/{id}/results`: everything `changetalk grade` needs, for the
/// instructor's own reports (the class report, xAPI).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResultsExport {
    /// The exercise's id (the stem of the result names).
    pub id: String,
    /// The exercise file's name.
    pub file_name: String,
    /// The exercise file's text.
    pub exercise: String,
    /// The pinned scenarios' texts, in the exercise's order.
    pub scenarios: Vec<String>,
    /// The roster.
    pub roster: Vec<CodeRow>,
    /// The result records rebuilt from the log.
    pub results: Vec<ResultFile>,
}

/// Every error: a sentence for the person at the client.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What went wrong and what to do.
    pub error: String,
}
