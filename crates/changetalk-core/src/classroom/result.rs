//! Result records: one file per student and exercise, and the progress file that is the same
//! record with `complete: false`, saved after every turn.
//!
//! A record holds what is needed to recompute everything: the student, the exercise's file
//! hash, each scenario's id, hash and seed, and every choice with its time. The scores it
//! also carries (`scores`, `score`, `total`, `passed`) are for people reading the file; the
//! grader recomputes them from the choices and flags any difference.
//!
//! Scores for an exercise (the same everywhere: the app, `exercise run` and `grade`):
//! * `scores[i]` — scenario `i`'s [`Score`], the same object as `play --json`;
//! * `score` — with one scenario, that scenario's Score; with several, the Score of all
//!   turns of all scenarios scored as one conversation (missed moments numbered across the
//!   exercise);
//! * `total` — the mean of the scenarios' overall scores, rounded to 0.1 (with one scenario,
//!   its overall);
//! * `passed` — every scenario meets every pass criterion of the exercise.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::classroom::exercise::{CriterionCheck, Exercise, ExerciseMode};
use crate::engine::model::Scenario;
use crate::engine::score_transcript;
use crate::engine::typed::ReplyCoder;
use crate::engine::{Session, SessionError, Transcript};
use crate::miti::score::{CodedSession, MissedMoment, Score, score};

/// The `format` value of result and progress files.
pub const RESULT_FORMAT: &str = "changetalk-result/1";

/// Largest result file read, in bytes.
pub const MAX_RESULT_BYTES: usize = 4 * 1024 * 1024;

/// Who played.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Student {
    /// Display name.
    pub name: String,
    /// The identifier the LMS knows (student number, ID number or e-mail).
    pub id: String,
}

/// Which exercise was played.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExerciseInfo {
    /// The exercise's title.
    pub title: String,
    /// SHA-256 (hex) of the exercise file's bytes.
    pub hash: String,
    /// The exercise file's name (informational).
    #[serde(default)]
    pub file: String,
}

/// One reply the student chose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceRecord {
    /// The option's number as shown (1-based).
    pub number: usize,
    /// The option's id in the scenario (checked by the grader).
    pub option_id: String,
    /// Milliseconds since `started_at` when the reply was chosen.
    pub at_ms: u64,
    /// A reply typed in the student's own words: the text (`number` and `option_id` are then
    /// the scripted option it was matched to). The grader codes it again with the pinned
    /// coder; the codes are never taken from the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typed: Option<String>,
}

/// One scenario as played.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioRun {
    /// Scenario id.
    pub id: String,
    /// SHA-256 (hex) of the scenario file played.
    pub hash: String,
    /// Seed played with.
    pub seed: u64,
    /// The replies, in order.
    pub choices: Vec<ChoiceRecord>,
    /// The student ended this conversation before an ending (or time ran out).
    #[serde(default)]
    pub stopped: bool,
    /// The course session (1-based) played, as the exercise's entry names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<usize>,
    /// The transcript, when a shell chose to include it (never used for grading).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript: Option<serde_json::Value>,
}

/// A result (or, with `complete: false`, progress) record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultRecord {
    /// Always [`RESULT_FORMAT`].
    pub format: String,
    /// Who played.
    pub student: Student,
    /// Which exercise.
    pub exercise: ExerciseInfo,
    /// Practice or assessment.
    pub mode: ExerciseMode,
    /// The exercise's seed.
    pub seed: u64,
    /// Version of the program that wrote the file.
    pub app_version: String,
    /// 1 for the first attempt.
    #[serde(default = "one")]
    pub attempt: u32,
    /// When the attempt started (ISO 8601 UTC).
    pub started_at: String,
    /// When it was finished (ISO 8601 UTC); null while in progress.
    pub finished_at: Option<String>,
    /// False for a progress file.
    pub complete: bool,
    /// How the replies were played when they were not chosen by a person: `"auto best"`,
    /// `"auto worst"` or `"choices"` (`exercise run --auto`/`--choices`, or the app's). Absent
    /// for a person's replies. The grader flags a scripted result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scripted: Option<String>,
    /// Each scenario of the exercise, in order (progress files list those started).
    pub scenarios: Vec<ScenarioRun>,
    /// Each scenario's Score (the `play --json` object), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scores: Vec<serde_json::Value>,
    /// The exercise's Score (see the module documentation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<serde_json::Value>,
    /// Mean overall of the scenarios.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<f64>,
    /// Whether every scenario met the pass criteria.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passed: Option<bool>,
}

fn one() -> u32 {
    1
}

impl ResultRecord {
    /// A new, empty progress record.
    pub fn new(
        student: Student,
        exercise: ExerciseInfo,
        ex: &Exercise,
        app_version: &str,
        started_unix_ms: i64,
        attempt: u32,
    ) -> ResultRecord {
        ResultRecord {
            format: RESULT_FORMAT.to_string(),
            student,
            exercise,
            mode: ex.mode,
            seed: ex.seed,
            app_version: app_version.to_string(),
            attempt,
            started_at: format_timestamp(started_unix_ms),
            finished_at: None,
            complete: false,
            scripted: None,
            scenarios: Vec::new(),
            scores: Vec::new(),
            score: None,
            total: None,
            passed: None,
        }
    }

    /// Start time in unix milliseconds, when the timestamp is readable.
    pub fn started_ms(&self) -> Option<i64> {
        parse_timestamp(&self.started_at)
    }

    /// Finish time in unix milliseconds.
    pub fn finished_ms(&self) -> Option<i64> {
        self.finished_at.as_deref().and_then(parse_timestamp)
    }

    /// Pretty JSON, ending with a newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_else(|e| {
            // Serialising plain data cannot fail; keep a readable trace if it ever does.
            format!("{{\"format\": \"{RESULT_FORMAT}\", \"error\": \"{e}\"}}")
        });
        s.push('\n');
        s
    }

    /// Completes the record: fills the derived scores from the sessions and marks it done.
    /// Returns what was derived (for a shell to show without scoring again).
    pub fn finish(
        &mut self,
        ex: &Exercise,
        transcripts: &[Transcript],
        finished_unix_ms: i64,
    ) -> Derived {
        let d = derive(ex, transcripts);
        self.scores = d.scores.iter().map(to_json_value).collect();
        self.score = Some(to_json_value(&d.score));
        self.total = Some(d.total);
        self.passed = Some(d.passed);
        self.finished_at = Some(format_timestamp(finished_unix_ms));
        self.complete = true;
        d
    }
}

/// A value as the JSON a result file holds (the grader compares numbers with a tolerance of
/// one part in 10⁹, so the last bit of a float read back from text does not matter).
pub fn to_json_value<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// Reads a result or progress file. The error says what is wrong in words: truncated, not
/// JSON, not a ChangeTalk result, or a missing or mistyped field (with line and column).
pub fn parse_result(bytes: &[u8]) -> Result<ResultRecord, String> {
    if bytes.len() > MAX_RESULT_BYTES {
        return Err(format!(
            "file is {:.1} MB; result files are far smaller — is this the right file?",
            bytes.len() as f64 / 1_048_576.0
        ));
    }
    // A result copied through a Windows editor may start with a byte-order mark.
    let text = std::str::from_utf8(crate::source::text::strip_bom_bytes(bytes))
        .map_err(|_| "not UTF-8 text: this is not a ChangeTalk result file".to_string())?;
    if text.trim().is_empty() {
        return Err("empty file (truncated when it was written or copied?)".to_string());
    }
    // First as plain JSON, to tell a damaged file from a different kind of file.
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        if e.is_eof() {
            format!(
                "truncated: the JSON ends early at line {} column {}; copy the file again from the student",
                e.line(),
                e.column()
            )
        } else {
            format!(
                "corrupt: not valid JSON at line {} column {}: {}",
                e.line(),
                e.column(),
                strip_position(&e.to_string())
            )
        }
    })?;
    match value.get("format").and_then(|f| f.as_str()) {
        Some(f) if f == RESULT_FORMAT => {}
        Some(f) if f.starts_with("changetalk-result/") => {
            return Err(format!(
                "written in result format `{f}`, which this version does not read; grade it with a newer ChangeTalk"
            ));
        }
        _ => {
            return Err(format!(
                "not a ChangeTalk result: it has no `\"format\": \"{RESULT_FORMAT}\"`"
            ));
        }
    }
    serde_json::from_value(value).map_err(|e| format!("corrupt: {e}"))
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// True for a student id usable in a file name and an LMS: 1–128 characters of letters,
/// digits, `-`, `_`, `.`, `@` and `+`, not starting with `.`.
pub fn is_valid_student_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && !id.starts_with('.')
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'@' | b'+'))
}

/// `<exercise-stem>--<student-id>.json`.
pub fn result_file_name(exercise_stem: &str, student_id: &str) -> String {
    format!("{exercise_stem}--{student_id}.json")
}

/// `<exercise-stem>--<student-id>.progress.json`.
pub fn progress_file_name(exercise_stem: &str, student_id: &str) -> String {
    format!("{exercise_stem}--{student_id}.progress.json")
}

/// The student id in a result or progress file name of this exercise, if it is one.
pub fn student_id_from_file_name(exercise_stem: &str, file_name: &str) -> Option<String> {
    let rest = file_name.strip_prefix(exercise_stem)?.strip_prefix("--")?;
    let id = rest
        .strip_suffix(".progress.json")
        .or_else(|| rest.strip_suffix(".json"))?;
    is_valid_student_id(id).then(|| id.to_string())
}

/// The student id a result or progress file's name gives, read from its end: the text
/// between the last `<exercise-stem>--` and `.json` (or `.progress.json`), so a name an LMS
/// prefixed on download (`Ada Lovelace_123_assignsubmission_file_week3--s1.json`) still
/// names `s1`. `None` when the name does not follow the pattern. The id is not checked.
pub fn id_in_file_name<'a>(exercise_stem: &str, file_name: &'a str) -> Option<&'a str> {
    let marker = format!("{exercise_stem}--");
    let at = file_name.rfind(&marker)?;
    let rest = &file_name[at + marker.len()..];
    rest.strip_suffix(".progress.json")
        .or_else(|| rest.strip_suffix(".json"))
        .filter(|id| !id.is_empty())
}

/// Replays one scenario run against its scenario with `seed`: the session after every
/// recorded choice (stopped if the run was stopped), or the first choice that is not an
/// option. Typed replies are coded again with `coder` (an error without one).
pub fn replay_run(
    scenario: Arc<Scenario>,
    seed: u64,
    run: &ScenarioRun,
    coder: Option<&dyn ReplyCoder>,
) -> Result<Session, SessionError> {
    replay_run_from(Session::new(scenario, seed), run, coder)
}

/// Where an exercise entry's conversation starts: a fresh session of its scenario, or, for a
/// course's session k > 1, that session in the state and with the memory that `previous`
/// (the entry of session k − 1, replayed) left, after the documented drift
/// ([`crate::engine::course::drift`]). When the course does not reach session k — the client
/// did not come back, the previous session was ended early, or the course went elsewhere —
/// the session is returned already stopped, with why in words.
pub fn item_start(
    ex: &Exercise,
    i: usize,
    scenario: Arc<Scenario>,
    previous: Option<&Session>,
) -> (Session, Option<String>) {
    use crate::engine::course::drift;
    let seed = ex.seed_of(i);
    let index = ex.scenarios.get(i).map_or(0, |r| r.session_index());
    if index == 0 {
        return (Session::new(scenario, seed), None);
    }
    let name = scenario.persona.name.clone();
    let (state, memory, why) = match previous {
        None => (
            scenario.persona.initial,
            Default::default(),
            Some(format!("session {index} of it is not in the exercise")),
        ),
        Some(prev) => {
            use crate::engine::course::{Follows, follows};
            let why = match prev.ending() {
                // The session before was itself not reached.
                None if prev.turns().is_empty() => {
                    Some(format!("the course ended before session {index}"))
                }
                None => Some(format!("session {index} was ended before its ending")),
                Some(e) => match follows(&scenario, index - 1, &e.id) {
                    Follows::Session(next) if next == index => None,
                    Follows::Session(next) => Some(format!(
                        "after session {index} the course went on to session {}",
                        next + 1
                    )),
                    Follows::DidNotReturn => {
                        Some(format!("{name} did not come back after session {index}"))
                    }
                    Follows::Completed => Some(format!("the course ended after session {index}")),
                },
            };
            (
                drift(prev.state(), scenario.persona.initial),
                prev.memory().clone(),
                why,
            )
        }
    };
    let part = scenario
        .part(index, state, memory)
        .map(Arc::new)
        .unwrap_or_else(|| Arc::clone(&scenario));
    let mut session = Session::new(part, seed);
    if why.is_some() {
        session.stop();
    }
    (session, why)
}

/// Replays a run's choices from `start` (see [`replay_run`]).
pub fn replay_run_from(
    start: Session,
    run: &ScenarioRun,
    coder: Option<&dyn ReplyCoder>,
) -> Result<Session, SessionError> {
    let mut s = start;
    for c in &run.choices {
        match &c.typed {
            None => {
                s.choose(c.number)?;
            }
            Some(text) => {
                let coder = coder.ok_or(SessionError::NoCoder)?;
                let after = s.current_line().map(|l| l.text.clone());
                let reply = coder.code_reply(text, after.as_deref());
                s.say(reply, c.number)?;
            }
        }
    }
    if run.stopped {
        s.stop();
    }
    Ok(s)
}

/// Everything computed from an exercise's transcripts.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    /// Each scenario's score.
    pub scores: Vec<Score>,
    /// The exercise's score.
    pub score: Score,
    /// Mean overall, rounded to 0.1.
    pub total: f64,
    /// Each scenario's criterion checks.
    pub checks: Vec<Vec<CriterionCheck>>,
    /// Whether each scenario passed.
    pub scenario_passed: Vec<bool>,
    /// Whether the exercise passed.
    pub passed: bool,
}

/// Computes the scores of an exercise from its finished transcripts (see the module docs).
pub fn derive(ex: &Exercise, transcripts: &[Transcript]) -> Derived {
    let scores: Vec<Score> = transcripts.iter().map(score_transcript).collect();
    let score = exercise_score(transcripts, &scores);
    let total = if scores.is_empty() {
        0.0
    } else {
        crate::miti::score::round_to(
            scores.iter().map(|s| s.overall).sum::<f64>() / scores.len() as f64,
            1,
        )
    };
    let checks: Vec<Vec<CriterionCheck>> = scores.iter().map(|s| ex.pass.check(s)).collect();
    let scenario_passed: Vec<bool> = checks.iter().map(|c| c.iter().all(|x| x.met)).collect();
    let passed = !scenario_passed.is_empty() && scenario_passed.iter().all(|p| *p);
    Derived {
        scores,
        score,
        total,
        checks,
        scenario_passed,
        passed,
    }
}

/// The exercise's Score: the one scenario's, or all turns scored as one conversation.
fn exercise_score(transcripts: &[Transcript], scores: &[Score]) -> Score {
    if transcripts.len() == 1
        && let Some(s) = scores.first()
    {
        return s.clone();
    }
    let mut coded = CodedSession::default();
    let mut factors: Vec<f64> = Vec::new();
    let mut missed: Vec<MissedMoment> = Vec::new();
    let mut offset = 0usize;
    for (t, s) in transcripts.iter().zip(scores) {
        let c = CodedSession::from_transcript(t);
        coded.turns.extend(c.turns);
        coded.client.extend(c.client);
        if let Some(left) = c.remaining {
            coded.remaining = Some(coded.remaining.unwrap_or(0) + left);
        }
        factors.push(c.outcome_factor);
        missed.extend(s.feedback.missed_moments.iter().map(|m| MissedMoment {
            turn: m.turn + offset,
            ..m.clone()
        }));
        offset += t.turns.len();
    }
    if !factors.is_empty() {
        coded.outcome_factor = factors.iter().sum::<f64>() / factors.len() as f64;
    }
    let mut sc = score(&coded);
    sc.feedback.missed_moments = missed;
    sc
}

// ---------------------------------------------------------------------------------------
// Timestamps: ISO 8601 in UTC, computed from unix time without a date library.
// ---------------------------------------------------------------------------------------

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The latest time a result may carry: 9999-12-31T23:59:59.999Z (ISO 8601's four-digit years).
/// The earliest is the unix epoch, 1970-01-01T00:00:00.000Z.
pub const MAX_TIMESTAMP_MS: i64 = 253_402_300_799_999;

/// True for a unix time in milliseconds that [`format_timestamp`] writes as it is (from 1970
/// to the end of 9999).
pub fn timestamp_in_range(unix_ms: i64) -> bool {
    (0..=MAX_TIMESTAMP_MS).contains(&unix_ms)
}

/// `start + at_ms` when both make a time in range; `None` for a sum that would overflow or
/// leave 1970–9999 (a hostile `at_ms` near `i64::MAX` must not wrap into the year −292274998).
pub fn offset_timestamp(start_ms: i64, at_ms: u64) -> Option<i64> {
    let at = i64::try_from(at_ms).ok()?;
    start_ms.checked_add(at).filter(|t| timestamp_in_range(*t))
}

/// `2025-03-01T09:30:05.123Z` for a unix time in milliseconds, clamped to 1970–9999 (so the
/// text is always a valid ISO 8601 timestamp; check [`timestamp_in_range`] to flag a value).
pub fn format_timestamp(unix_ms: i64) -> String {
    let unix_ms = unix_ms.clamp(0, MAX_TIMESTAMP_MS);
    let secs = unix_ms.div_euclid(1000);
    let ms = unix_ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    )
}

/// Days in a month of the proleptic Gregorian calendar.
fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Reads `YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)` into unix milliseconds; `None` for a text
/// that is not such a timestamp, names a day that does not exist, or falls outside
/// 1970–9999 ([`timestamp_in_range`]).
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        if !t.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        t.parse().ok()
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=days_in_month(y, mo)).contains(&d) {
        return None;
    }
    if h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut i = 19;
    let mut ms = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
        let frac = &s[start..i.min(start + 3)];
        ms = frac.parse::<i64>().ok()? * 10i64.pow(3 - frac.len() as u32);
    }
    let offset_min = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if i + 6 == b.len() && b[i + 3] == b':' => {
            let oh = num(i + 1..i + 3)?;
            let om = num(i + 4..i + 6)?;
            if oh > 23 || om > 59 {
                return None;
            }
            let v = oh * 60 + om;
            if *sign == b'+' { v } else { -v }
        }
        _ => return None,
    };
    let days = days_from_civil(y, mo as u32, d as u32);
    let secs = days * 86_400 + h * 3600 + mi * 60 + se - offset_min * 60;
    Some(secs * 1000 + ms).filter(|t| timestamp_in_range(*t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_and_match_known_dates() {
        assert_eq!(format_timestamp(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            format_timestamp(951_782_400_000),
            "2000-02-29T00:00:00.000Z"
        );
        assert_eq!(
            format_timestamp(1_700_000_000_123),
            "2023-11-14T22:13:20.123Z"
        );
        for ms in [
            0i64,
            1,
            999,
            86_399_999,
            951_782_400_000,
            1_700_000_000_123,
            4_102_444_800_000,
        ] {
            assert_eq!(parse_timestamp(&format_timestamp(ms)), Some(ms));
        }
        assert_eq!(
            parse_timestamp("2023-11-14T23:13:20+01:00"),
            Some(1_700_000_000_000)
        );
        assert_eq!(
            parse_timestamp("2023-11-14T22:13:20.5Z"),
            Some(1_700_000_000_500)
        );
        for bad in [
            "",
            "2023-11-14",
            "2023-13-14T22:13:20Z",
            "2023-11-14T22:13:20",
            "x023-11-14T22:13:20Z",
            "2023-11-14T22:13:20.Z",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn hostile_times_are_clamped_or_refused_never_wrapped() {
        assert_eq!(format_timestamp(i64::MAX), "9999-12-31T23:59:59.999Z");
        assert_eq!(format_timestamp(i64::MIN), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_timestamp(-1), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            parse_timestamp(&format_timestamp(MAX_TIMESTAMP_MS)),
            Some(MAX_TIMESTAMP_MS)
        );
        let start = 1_700_000_000_000;
        assert_eq!(offset_timestamp(start, 1_500), Some(start + 1_500));
        for at in [i64::MAX as u64 - 3, i64::MAX as u64, u64::MAX, 1 << 62] {
            assert_eq!(offset_timestamp(start, at), None, "{at}");
        }
        assert_eq!(offset_timestamp(-5, 1), None);
        for bad in [
            "0000-01-01T00:00:00Z",
            "1969-12-31T23:59:59.999Z",
            "2023-02-29T00:00:00Z",
            "2023-04-31T00:00:00Z",
            "2023-11-14T22:13:20+99:00",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
        assert!(parse_timestamp("2024-02-29T00:00:00Z").is_some());
    }

    #[test]
    fn the_id_a_file_name_gives_is_read_from_its_end() {
        assert_eq!(id_in_file_name("week3", "week3--s1.json"), Some("s1"));
        assert_eq!(
            id_in_file_name("week3", "week3--s1.progress.json"),
            Some("s1")
        );
        assert_eq!(
            id_in_file_name("week3", "Ada L_12_assignsubmission_file_week3--s1.json"),
            Some("s1")
        );
        assert_eq!(id_in_file_name("week3", "s1.json"), None);
        assert_eq!(id_in_file_name("week3", "week3--.json"), None);
        assert_eq!(id_in_file_name("week3", "week3--s1.txt"), None);
    }

    #[test]
    fn file_names_and_student_ids() {
        assert!(is_valid_student_id("s1234"));
        assert!(is_valid_student_id("ada.lovelace@uni.example"));
        for bad in ["", "../x", "a/b", ".hidden", "a b", "é"] {
            assert!(!is_valid_student_id(bad), "{bad}");
        }
        assert_eq!(result_file_name("week3", "s1"), "week3--s1.json");
        assert_eq!(
            student_id_from_file_name("week3", "week3--s1.progress.json").as_deref(),
            Some("s1")
        );
        assert_eq!(
            student_id_from_file_name("week3", "week3--s1.json").as_deref(),
            Some("s1")
        );
        assert_eq!(student_id_from_file_name("week3", "week4--s1.json"), None);
    }

    #[test]
    fn damaged_files_are_described() {
        assert!(parse_result(b"").unwrap_err().contains("empty"));
        assert!(
            parse_result(b"{\"format\": \"changetalk-result/1\", \"stu")
                .unwrap_err()
                .starts_with("truncated")
        );
        assert!(parse_result(b"{]").unwrap_err().starts_with("corrupt"));
        assert!(
            parse_result(b"{\"a\": 1}")
                .unwrap_err()
                .contains("not a ChangeTalk result")
        );
        assert!(parse_result(b"\xff\xfe").unwrap_err().contains("UTF-8"));
        assert!(
            parse_result(b"{\"format\": \"changetalk-result/1\"}")
                .unwrap_err()
                .contains("missing field")
        );
    }

    #[test]
    fn a_byte_order_mark_and_crlf_are_read_past_not_called_corrupt() {
        // The same damage with and without Windows' mark and line endings reads the same: the
        // mark is skipped, CRLF is whitespace to JSON.
        let plain = b"{\n  \"format\": \"changetalk-result/1\"\n}\n".to_vec();
        let mut windows = b"\xEF\xBB\xBF".to_vec();
        windows.extend(plain.iter().flat_map(|b| {
            if *b == b'\n' {
                vec![b'\r', b'\n']
            } else {
                vec![*b]
            }
        }));
        let e = parse_result(&windows).unwrap_err();
        assert!(e.contains("missing field"), "{e}");
        assert!(!e.contains("corrupt: not valid JSON"), "{e}");
    }
}
