//! The class computed from the log: every attempt replayed, turned into the result record a
//! file-based attempt would have written (with server times), and graded by the core's
//! grader (`classroom::grade`), so the server's gradebook is exactly `changetalk grade`'s.

use changetalk_core::classroom::grade::{
    Gradebook, InputFile, Pinned, RosterEntry, grade, gradebook_csv,
};
use changetalk_core::classroom::result::{format_timestamp, progress_file_name, result_file_name};

use crate::api::{ResultFile, StudentStatus};
use crate::play::{LoadedEx, Replayed, record, replay, stop_all};
use crate::store::{AttemptRow, Store, StudentRow};

/// One attempt, replayed, as of `now`.
#[derive(Debug, Clone)]
pub struct AttemptSnapshot {
    /// The attempt.
    pub attempt: AttemptRow,
    /// Its log, replayed (closed when its time ran out).
    pub replayed: Replayed,
    /// When it finished: its closing entry, or the deadline it passed.
    pub finished_ms: Option<i64>,
    /// Time ran out before it finished.
    pub overdue: bool,
}

/// A student and their attempts.
#[derive(Debug, Clone)]
pub struct StudentSnapshot {
    /// The student.
    pub student: StudentRow,
    /// Their attempts, in order.
    pub attempts: Vec<AttemptSnapshot>,
    /// Whether a client holds the latest attempt's session.
    pub connected: bool,
}

/// Every student of an exercise, with every attempt replayed.
pub async fn snapshot(
    store: &Store,
    ex: &LoadedEx,
    now_ms: i64,
    live_window_ms: i64,
) -> Result<Vec<StudentSnapshot>, String> {
    let students = store.students(&ex.id).await?;
    let all = store.exercise_attempts(&ex.id).await?;
    let mut out = Vec::with_capacity(students.len());
    for s in students {
        let mine: Vec<AttemptRow> = all
            .iter()
            .filter(|a| a.student_id == s.student_id)
            .cloned()
            .collect();
        out.push(student_snapshot(store, ex, s, &mine, now_ms, live_window_ms).await?);
    }
    Ok(out)
}

/// One student with their attempts (in order) replayed, as of `now`.
pub async fn student_snapshot(
    store: &Store,
    ex: &LoadedEx,
    student: StudentRow,
    their_attempts: &[AttemptRow],
    now_ms: i64,
    live_window_ms: i64,
) -> Result<StudentSnapshot, String> {
    let mut attempts = Vec::new();
    let mut connected = false;
    for a in their_attempts {
        let events = store.events(&a.id).await?;
        let mut r = replay(ex, a, &events)?;
        let mut finished_ms = r.closed.as_ref().map(|c| c.at_ms);
        let mut overdue = false;
        if finished_ms.is_none()
            && let Some(d) = ex.deadline(a.started_ms)
            && now_ms > d
        {
            stop_all(&mut r);
            finished_ms = Some(d);
            overdue = true;
        }
        connected = finished_ms.is_none()
            && store
                .live(&a.id)
                .await?
                .is_some_and(|l| now_ms - l.last_seen_ms <= live_window_ms);
        attempts.push(AttemptSnapshot {
            attempt: a.clone(),
            replayed: r,
            finished_ms,
            overdue,
        });
    }
    Ok(StudentSnapshot {
        student,
        attempts,
        connected,
    })
}

/// The result records: for each student, the latest finished attempt as
/// `<exercise>--<id>.json` and an attempt in progress as `….progress.json` — the folder a
/// class of file-based attempts would hand in.
pub fn result_files(ex: &LoadedEx, class: &[StudentSnapshot]) -> Vec<ResultFile> {
    let mut out = Vec::new();
    for s in class {
        let finished = s.attempts.iter().rev().find(|a| a.finished_ms.is_some());
        if let Some(a) = finished {
            let (rec, _) = record(ex, &s.student, &a.attempt, &a.replayed, a.finished_ms);
            out.push(ResultFile {
                name: result_file_name(&ex.id, &s.student.student_id),
                json: rec.to_json(),
            });
        }
        if let Some(a) = s.attempts.last().filter(|a| a.finished_ms.is_none()) {
            let (rec, _) = record(ex, &s.student, &a.attempt, &a.replayed, None);
            out.push(ResultFile {
                name: progress_file_name(&ex.id, &s.student.student_id),
                json: rec.to_json(),
            });
        }
    }
    out
}

/// The roster as the grader reads it.
pub fn roster(class: &[StudentSnapshot]) -> Vec<RosterEntry> {
    class
        .iter()
        .map(|s| RosterEntry {
            id: s.student.student_id.clone(),
            name: s.student.name.clone(),
        })
        .collect()
}

/// Grades the class with the core's grader.
pub fn gradebook(ex: &LoadedEx, class: &[StudentSnapshot]) -> Gradebook {
    let files: Vec<InputFile> = result_files(ex, class)
        .into_iter()
        .map(|f| InputFile {
            name: f.name,
            bytes: Ok(f.json.into_bytes()),
        })
        .collect();
    let pinned = Pinned {
        exercise: &ex.exercise,
        exercise_hash: &ex.hash,
        exercise_stem: &ex.id,
        scenarios: &ex.scenarios,
        coder: None,
    };
    let roster = roster(class);
    grade(&pinned, files, Some(&roster))
}

/// The gradebook CSV, as `changetalk grade --csv` writes it.
pub fn gradebook_text(ex: &LoadedEx, class: &[StudentSnapshot]) -> String {
    gradebook_csv(&ex.exercise, &gradebook(ex, class))
}

/// Who is playing, finished or overdue.
pub fn status(ex: &LoadedEx, class: &[StudentSnapshot]) -> Vec<StudentStatus> {
    class
        .iter()
        .map(|s| {
            let mut st = StudentStatus {
                id: s.student.student_id.clone(),
                name: s.student.name.clone(),
                status: "not_started".into(),
                attempt: 0,
                replies: 0,
                connected: s.connected,
                started_at: None,
                finished_at: None,
                total: None,
                passed: None,
            };
            if let Some(a) = s.attempts.last() {
                st.attempt = a.attempt.number;
                st.replies = a.replayed.replies();
                st.started_at = Some(format_timestamp(a.attempt.started_ms));
                st.finished_at = a.finished_ms.map(format_timestamp);
                st.status = match (a.finished_ms, a.overdue) {
                    (None, _) => "playing",
                    (Some(_), true) => "overdue",
                    (Some(_), false) => "finished",
                }
                .into();
                if a.finished_ms.is_some() {
                    let (rec, _) = record(ex, &s.student, &a.attempt, &a.replayed, a.finished_ms);
                    st.total = rec.total;
                    st.passed = rec.passed;
                }
            }
            st
        })
        .collect()
}
