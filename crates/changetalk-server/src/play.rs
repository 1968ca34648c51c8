//! An attempt rebuilt from its log: every scenario's `Session` replayed from the exercise's
//! seed and the recorded replies (the engine is deterministic, so the same log always gives
//! the same conversation), the student's view of it, and the result record the file-based
//! grader reads.

use std::sync::Arc;

use changetalk_core::Scenario;
use changetalk_core::classroom::exercise::{Exercise, ExerciseMode};
use changetalk_core::classroom::result::{
    ChoiceRecord, ExerciseInfo, ResultRecord, ScenarioRun, Student, derive,
};
use changetalk_core::engine::{Session, Transcript};

use crate::api::{
    EndingView, ExchangeView, ExerciseView, LineView, OptionView, PlayState, PracticeFeedback,
    ResultView, ScenarioView, StudentView,
};
use crate::store::{AttemptRow, Event, StudentRow};

/// The program that rebuilds the records (their `app_version`).
pub const SERVER_VERSION: &str = concat!("changetalk-server ", env!("CARGO_PKG_VERSION"));

/// A published exercise, parsed once.
#[derive(Debug)]
pub struct LoadedEx {
    /// Its id on the server (the stem of its result names).
    pub id: String,
    /// The exercise.
    pub exercise: Exercise,
    /// SHA-256 of its text.
    pub hash: String,
    /// The file name it was published from.
    pub file_name: String,
    /// Its text.
    pub source: String,
    /// The pinned scenarios, in order.
    pub scenarios: Vec<Arc<Scenario>>,
    /// Their texts.
    pub scenario_sources: Vec<String>,
}

impl LoadedEx {
    /// When an attempt started at `started_ms` must end (unix ms), if there is a limit.
    pub fn deadline(&self, started_ms: i64) -> Option<i64> {
        self.exercise
            .time_limit_minutes
            .map(|m| started_ms + i64::from(m) * 60_000)
    }
}

/// An attempt, replayed.
#[derive(Debug, Clone)]
pub struct Replayed {
    /// Each scenario's session (a fresh one for those not reached).
    pub sessions: Vec<Session>,
    /// Each scenario's recorded replies (after take-backs).
    pub choices: Vec<Vec<ChoiceRecord>>,
    /// Each scenario ended early by the student (or the clock).
    pub stopped: Vec<bool>,
    /// The steps (replies, take-backs, early ends) in order: their log entries.
    pub steps: Vec<Event>,
    /// The closing entry, once the attempt is over.
    pub closed: Option<Event>,
    /// Replies recorded after the deadline.
    pub late_replies: usize,
}

impl Replayed {
    /// The conversation in progress: the first scenario not over.
    pub fn current(&self) -> Option<usize> {
        if self.closed.is_some() {
            return None;
        }
        self.sessions.iter().position(|s| !s.is_over())
    }

    /// Every conversation is over.
    pub fn all_over(&self) -> bool {
        self.sessions.iter().all(Session::is_over)
    }

    /// The turn the next step answers.
    pub fn turn(&self) -> u64 {
        self.steps.len() as u64 + 1
    }

    /// Replies recorded.
    pub fn replies(&self) -> usize {
        self.choices.iter().map(Vec::len).sum()
    }
}

/// Rebuilds an attempt from its log. An entry that does not replay is an error (the log
/// was written by this server, so it means the exercise changed under it).
pub fn replay(ex: &LoadedEx, attempt: &AttemptRow, events: &[Event]) -> Result<Replayed, String> {
    let n = ex.scenarios.len();
    let mut r = Replayed {
        sessions: (0..n)
            .map(|i| Session::new(Arc::clone(&ex.scenarios[i]), ex.exercise.seed_of(i)))
            .collect(),
        choices: vec![Vec::new(); n],
        stopped: vec![false; n],
        steps: Vec::new(),
        closed: None,
        late_replies: 0,
    };
    let deadline = ex.deadline(attempt.started_ms);
    for e in events {
        if r.closed.is_some() {
            break;
        }
        let i = e.scenario.clamp(0, n as i64 - 1) as usize;
        let bad = |what: &str| {
            format!(
                "attempt {} entry {}: {what} does not replay against exercise {}",
                attempt.id, e.seq, ex.id
            )
        };
        match e.kind.as_str() {
            "join" => {}
            "reply" => {
                let s = &mut r.sessions[i];
                let number = usize::try_from(e.number).map_err(|_| bad("the reply"))?;
                let turn = s.choose(number).map_err(|_| bad("the reply"))?;
                if turn.reply.option != e.option_id {
                    return Err(bad("the reply's option"));
                }
                r.choices[i].push(ChoiceRecord {
                    number,
                    option_id: e.option_id.clone(),
                    at_ms: (e.at_ms - attempt.started_ms).max(0) as u64,
                    typed: None,
                });
                if deadline.is_some_and(|d| e.at_ms > d) {
                    r.late_replies += 1;
                }
                r.steps.push(e.clone());
            }
            "back" => {
                r.sessions[i].rewind().map_err(|_| bad("the take-back"))?;
                r.choices[i].pop();
                r.steps.push(e.clone());
            }
            "end" => {
                r.sessions[i].stop();
                r.stopped[i] = true;
                r.steps.push(e.clone());
            }
            "close" => r.closed = Some(e.clone()),
            other => return Err(bad(&format!("an entry of kind `{other}`"))),
        }
    }
    if r.closed.is_some() {
        stop_all(&mut r);
    }
    Ok(r)
}

/// Marks every conversation not over as ended early (the attempt is closed).
pub fn stop_all(r: &mut Replayed) {
    for (i, s) in r.sessions.iter_mut().enumerate() {
        if !s.is_over() {
            s.stop();
            r.stopped[i] = true;
        }
    }
}

/// The exercise's mode as the API writes it.
pub fn mode_name(m: ExerciseMode) -> &'static str {
    match m {
        ExerciseMode::Assessment => "assessment",
        ExerciseMode::Practice => "practice",
    }
}

/// The result record of an attempt, as a file-based attempt would have written it, with
/// server times: complete (and scored) once closed, else a progress record.
pub fn record(
    ex: &LoadedEx,
    student: &StudentRow,
    attempt: &AttemptRow,
    r: &Replayed,
    finished_ms: Option<i64>,
) -> (ResultRecord, Option<Vec<Transcript>>) {
    let mut rec = ResultRecord::new(
        Student {
            name: student.name.clone(),
            id: student.student_id.clone(),
        },
        ExerciseInfo {
            title: ex.exercise.title.clone(),
            hash: ex.hash.clone(),
            file: ex.file_name.clone(),
        },
        &ex.exercise,
        SERVER_VERSION,
        attempt.started_ms,
        attempt.number,
    );
    // Progress lists the scenarios reached; a finished record lists them all.
    let reached = match finished_ms {
        Some(_) => ex.scenarios.len(),
        None => r
            .current()
            .map_or(ex.scenarios.len(), |c| c + 1)
            .min(ex.scenarios.len()),
    };
    for i in 0..reached {
        let sref = &ex.exercise.scenarios[i];
        rec.scenarios.push(ScenarioRun {
            id: sref.id.clone(),
            hash: sref.hash.clone(),
            seed: ex.exercise.seed_of(i),
            choices: r.choices[i].clone(),
            stopped: r.stopped[i] || (finished_ms.is_some() && !r.sessions[i].is_over()),
            session: sref.session,
            transcript: None,
        });
    }
    match finished_ms {
        Some(at) => {
            let mut sessions = r.sessions.clone();
            for s in &mut sessions {
                s.stop();
            }
            let transcripts: Vec<Transcript> = sessions.iter().map(Session::transcript).collect();
            rec.finish(&ex.exercise, &transcripts, at);
            (rec, Some(transcripts))
        }
        None => (rec, None),
    }
}

/// What a student sees of an attempt.
pub fn state(
    ex: &LoadedEx,
    student: &StudentRow,
    attempt: &AttemptRow,
    r: &Replayed,
    now_ms: i64,
) -> PlayState {
    let e = &ex.exercise;
    let current = r.current();
    let remaining_s = ex.deadline(attempt.started_ms).map(|d| {
        let left = if r.closed.is_some() { 0 } else { d - now_ms };
        (left.max(0) as u64).div_ceil(1000)
    });
    let mut st = PlayState {
        exercise: ExerciseView {
            title: e.title.clone(),
            instructions: e.instructions.clone(),
            mode: mode_name(e.mode).to_string(),
            scenarios: e.scenarios.len(),
            attempt: attempt.number,
            attempts: e.attempts,
            time_limit_minutes: e.time_limit_minutes,
        },
        student: StudentView {
            id: student.student_id.clone(),
            name: student.name.clone(),
        },
        status: if r.closed.is_some() {
            "finished"
        } else {
            "playing"
        }
        .to_string(),
        closed: r.closed.as_ref().map(|c| c.option_id.clone()),
        turn: r.turn(),
        remaining_s,
        scenario: None,
        history: Vec::new(),
        line: None,
        options: Vec::new(),
        result: None,
    };
    if let Some(i) = current {
        let s = &r.sessions[i];
        let sc = s.scenario();
        st.scenario = Some(ScenarioView {
            index: i,
            title: sc.title.clone(),
            client: sc.persona.name.clone(),
            situation: sc.persona.situation.clone(),
            turn: s.turns().len() + 1,
            face: sc.persona.face.clone(),
        });
        let practice = e.mode == ExerciseMode::Practice;
        st.history = s
            .turns()
            .iter()
            .map(|t| ExchangeView {
                client: t.client.text.clone(),
                mood: enum_name(&t.client.mood),
                reply: t.reply.text.clone(),
                practice: practice.then(|| feedback_of(t)),
            })
            .collect();
        st.line = s.current_line().map(|l| LineView {
            text: l.text.clone(),
            mood: enum_name(&l.mood),
        });
        st.options = s
            .current_options()
            .iter()
            .enumerate()
            .map(|(k, o)| OptionView {
                number: k + 1,
                text: o.text.clone(),
            })
            .collect();
    }
    if r.closed.is_some() {
        let transcripts: Vec<Transcript> = r.sessions.iter().map(Session::transcript).collect();
        let d = derive(e, &transcripts);
        st.result = Some(ResultView {
            total: d.total,
            passed: d.passed,
            late_replies: r.late_replies,
        });
    }
    st
}

/// The ending scenario `i` reached, if any.
pub fn ending(r: &Replayed, i: usize) -> Option<EndingView> {
    r.sessions.get(i)?.ending().map(|e| EndingView {
        title: e.title.clone(),
        text: e.text.clone(),
    })
}

/// How the last reply of scenario `i` was coded and rated (practice only).
pub fn practice_feedback(ex: &LoadedEx, r: &Replayed, i: usize) -> Option<PracticeFeedback> {
    if ex.exercise.mode != ExerciseMode::Practice {
        return None;
    }
    let t = r.sessions.get(i)?.turns().last()?;
    Some(feedback_of(t))
}

/// How a reply was coded and rated, as a practice exercise shows it.
fn feedback_of(t: &changetalk_core::engine::TurnRecord) -> PracticeFeedback {
    PracticeFeedback {
        codes: t.reply.codes.iter().map(enum_name).collect(),
        rating: t.reply.rating,
        feedback: t.reply.feedback.clone(),
    }
}

/// A unit enum's serde name (`calm`, `simple_reflection`).
fn enum_name<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}
