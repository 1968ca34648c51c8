//! Grading a class: replay every result's choices against the pinned scenarios, recompute the
//! scores, compare them with the stored ones, and flag whatever does not add up. Then the
//! gradebook (CSV rows an LMS imports), each metric's distribution, and an item analysis of
//! every decision point.
//!
//! Pure: the shell reads the files and passes their names and bytes; nothing here touches the
//! disk. A file that cannot be read or parsed becomes a [`FileProblem`] naming the file, and
//! grading goes on with the rest.

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::classroom::exercise::{CriterionCheck, Exercise, ExerciseMode};
use crate::classroom::printable::printable;
use crate::classroom::result::{
    ResultRecord, derive, id_in_file_name, is_valid_student_id, item_start, offset_timestamp,
    parse_result, replay_run_from, student_id_from_file_name, to_json_value,
};
use crate::engine::model::Scenario;
use crate::engine::{Session, Transcript};
use crate::miti::score::Score;
use crate::source::text::trim_num;

/// The exercise being graded, with its scenarios already checked against their hashes.
#[derive(Debug, Clone, Copy)]
pub struct Pinned<'a> {
    /// The exercise.
    pub exercise: &'a Exercise,
    /// SHA-256 of the exercise file.
    pub exercise_hash: &'a str,
    /// The exercise file's name without `.ron` (result files are `<stem>--<id>.json`).
    pub exercise_stem: &'a str,
    /// The pinned scenarios, in the exercise's order.
    pub scenarios: &'a [Arc<Scenario>],
    /// The offline coder typed replies are coded with again (none: a typed reply cannot be
    /// graded).
    pub coder: Option<&'a dyn crate::engine::typed::ReplyCoder>,
}

/// One file of the results folder.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// The file's name (as reports show it).
    pub name: String,
    /// Its bytes, or why it could not be read.
    pub bytes: Result<Vec<u8>, String>,
}

/// A student the instructor expects a result from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterEntry {
    /// The student's id.
    pub id: String,
    /// Display name (may be empty).
    pub name: String,
}

/// What can be wrong with a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    /// A stored score differs from the one recomputed from the choices.
    ScoreEdited,
    /// A scenario was played in a version whose hash is not the pinned one (or a pinned
    /// scenario is absent from the result, or an unknown one is present).
    ScenarioHash,
    /// The result was made with a different version of the exercise file.
    ExerciseChanged,
    /// A scenario was played with another seed than the exercise's.
    Seed,
    /// A recorded choice is not an option at its point: the choices cannot be replayed.
    InvalidChoices,
    /// A recorded option id does not match the option at that number.
    ChoiceMismatch,
    /// The result is not finished (a progress file, or `complete: false`).
    Incomplete,
    /// More than one result for this student.
    Duplicate,
    /// A student on the roster has no result.
    Missing,
    /// A result from a student who is not on the roster.
    NotOnRoster,
    /// The result names no student.
    NoStudent,
    /// The student's file is corrupt or truncated.
    Corrupt,
    /// Replies were chosen after the time limit.
    OverTime,
    /// More attempts than the exercise allows.
    Attempts,
    /// The file's name names another student than the id inside it (or no student).
    FileName,
    /// The same replies at the same milliseconds as another student's result.
    Copied,
    /// Reply times (`at_ms`) that a person's replies cannot have: all zero, decreasing, or
    /// out of range.
    Timing,
    /// `started_at`/`finished_at` missing, unreadable, out of range, or finished before started.
    Clock,
    /// The replies were played by the program (`--auto`, `--choices`), not chosen by a person.
    Scripted,
    /// A conversation was ended before its ending (by the student or the time limit).
    Stopped,
    /// The result was played in another mode (practice, assessment) than the exercise's.
    Mode,
    /// Typed replies were coded again with a coder model other than the one the exercise
    /// pins: the grade may differ from what the student saw.
    CoderChanged,
}

impl FlagKind {
    /// The code written in the gradebook's `flags` column.
    pub fn code(self) -> &'static str {
        match self {
            FlagKind::ScoreEdited => "score_edited",
            FlagKind::ScenarioHash => "scenario_hash",
            FlagKind::ExerciseChanged => "exercise_changed",
            FlagKind::Seed => "seed",
            FlagKind::InvalidChoices => "invalid_choices",
            FlagKind::ChoiceMismatch => "choice_mismatch",
            FlagKind::Incomplete => "incomplete",
            FlagKind::Duplicate => "duplicate",
            FlagKind::Missing => "missing",
            FlagKind::NotOnRoster => "not_on_roster",
            FlagKind::NoStudent => "no_student",
            FlagKind::Corrupt => "corrupt",
            FlagKind::OverTime => "over_time",
            FlagKind::Attempts => "attempts",
            FlagKind::FileName => "file_name",
            FlagKind::Copied => "copied",
            FlagKind::Timing => "timing",
            FlagKind::Clock => "clock",
            FlagKind::Scripted => "scripted",
            FlagKind::Stopped => "stopped",
            FlagKind::Mode => "mode",
            FlagKind::CoderChanged => "coder_changed",
        }
    }
}

/// One flag on a result, with the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    /// What kind.
    pub kind: FlagKind,
    /// The evidence in words ("score.overall: stored 91, recomputed 38").
    pub detail: String,
}

/// A reply as the item analysis needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnDigest {
    /// The decision point.
    pub point: String,
    /// The client line said there.
    pub line: String,
    /// The option chosen, by id (its displayed number depends on the shuffle).
    pub option: String,
    /// A better-rated option existed.
    pub missed: bool,
}

/// One scenario of one student's result.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioGrade {
    /// Scenario id.
    pub id: String,
    /// The recomputed score (none when the choices could not be replayed).
    pub score: Option<Score>,
    /// Whether it met the pass criteria.
    pub passed: Option<bool>,
    /// Each criterion.
    pub checks: Vec<CriterionCheck>,
    /// The replies, for the item analysis.
    pub turns: Vec<TurnDigest>,
    /// Time from the scenario's start to its last reply.
    pub duration_ms: Option<u64>,
    /// Unix time of the scenario's last reply.
    pub finished_ms: Option<i64>,
}

/// One gradebook row: one student.
#[derive(Debug, Clone, PartialEq)]
pub struct GradeRow {
    /// The student's id.
    pub student_id: String,
    /// The student's name.
    pub student_name: String,
    /// The result file graded (none for a missing student).
    pub file: Option<String>,
    /// Per scenario, in the exercise's order (empty when nothing could be graded).
    pub scenarios: Vec<ScenarioGrade>,
    /// Mean overall (none when not every scenario could be scored, or the result is
    /// incomplete).
    pub total: Option<f64>,
    /// Pass or fail.
    pub passed: Option<bool>,
    /// Everything that is not clean.
    pub flags: Vec<Flag>,
    /// Attempt number.
    pub attempt: u32,
    /// When it started and finished (unix ms).
    pub started_ms: Option<i64>,
    /// When it finished (unix ms).
    pub finished_ms: Option<i64>,
    /// Version of the program that wrote the result.
    pub app_version: String,
    /// SHA-256 of the replies and their times, to find copied results.
    fingerprint: Option<[u8; 32]>,
}

impl GradeRow {
    fn new(id: &str, name: &str, file: Option<&str>) -> GradeRow {
        GradeRow {
            student_id: id.to_string(),
            student_name: name.to_string(),
            file: file.map(str::to_string),
            scenarios: Vec::new(),
            total: None,
            passed: None,
            flags: Vec::new(),
            attempt: 1,
            started_ms: None,
            finished_ms: None,
            app_version: String::new(),
            fingerprint: None,
        }
    }

    fn flag(&mut self, kind: FlagKind, detail: impl Into<String>) {
        self.flags.push(Flag {
            kind,
            detail: detail.into(),
        });
    }

    /// True when the row has no flag.
    pub fn is_clean(&self) -> bool {
        self.flags.is_empty()
    }

    /// True when the row has this flag.
    pub fn has(&self, kind: FlagKind) -> bool {
        self.flags.iter().any(|f| f.kind == kind)
    }

    /// The flag codes, sorted and without repeats, joined with `;`.
    pub fn flag_codes(&self) -> String {
        let mut kinds: Vec<FlagKind> = self.flags.iter().map(|f| f.kind).collect();
        kinds.sort();
        kinds.dedup();
        kinds.iter().map(|k| k.code()).collect::<Vec<_>>().join(";")
    }

    /// True when the replies were replayed against the pinned scenarios and can be counted
    /// in the class statistics.
    pub fn counts_in_statistics(&self) -> bool {
        self.total.is_some()
            && !self.has(FlagKind::ScenarioHash)
            && !self.has(FlagKind::InvalidChoices)
    }
}

/// A file that could not be graded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileProblem {
    /// The file's name.
    pub file: String,
    /// What is wrong and what to do.
    pub message: String,
}

/// The whole class.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Gradebook {
    /// One row per student, sorted by student id.
    pub rows: Vec<GradeRow>,
    /// Files that could not be graded, sorted by name.
    pub problems: Vec<FileProblem>,
    /// Files looked at.
    pub files_read: usize,
}

impl Gradebook {
    /// Rows with at least one flag.
    pub fn flagged(&self) -> usize {
        self.rows.iter().filter(|r| !r.is_clean()).count()
    }
}

enum Outcome {
    Row(Box<GradeRow>),
    Progress(Box<GradeRow>),
    Problem(FileProblem, Option<Box<GradeRow>>),
}

/// Grades every file. Never fails: unreadable files are reported, and every other file is
/// graded. Files are taken one at a time (a shell can read them lazily), and only what the
/// gradebook needs is kept.
pub fn grade<F: Borrow<InputFile>>(
    p: &Pinned,
    files: impl IntoIterator<Item = F>,
    roster: Option<&[RosterEntry]>,
) -> Gradebook {
    let mut book = Gradebook::default();
    let mut rows: Vec<GradeRow> = Vec::new();
    let mut progress: Vec<GradeRow> = Vec::new();
    for f in files {
        book.files_read += 1;
        match grade_file(p, f.borrow()) {
            Outcome::Row(r) => rows.push(*r),
            Outcome::Progress(r) => progress.push(*r),
            Outcome::Problem(prob, row) => {
                book.problems.push(prob);
                if let Some(r) = row {
                    rows.push(*r);
                }
            }
        }
    }
    // One row per student: the best-evidenced result stands, the others are named.
    let mut by_id: BTreeMap<String, Vec<GradeRow>> = BTreeMap::new();
    for r in rows {
        by_id.entry(r.student_id.clone()).or_default().push(r);
    }
    let mut merged: Vec<GradeRow> = Vec::new();
    for (id, mut group) in by_id {
        if id.is_empty() {
            // Results without a student cannot be merged with each other.
            merged.extend(group);
            continue;
        }
        // The finished, latest, properly named one first.
        let named = |r: &GradeRow| !r.has(FlagKind::FileName);
        group.sort_by(|a, b| {
            (b.total.is_some(), b.finished_ms, named(b), &a.file).cmp(&(
                a.total.is_some(),
                a.finished_ms,
                named(a),
                &b.file,
            ))
        });
        let mut keep = group.remove(0);
        if !group.is_empty() {
            let others: Vec<String> = group.iter().filter_map(|r| r.file.clone()).collect();
            keep.flag(
                FlagKind::Duplicate,
                format!(
                    "{} result files for student `{id}`: graded {}; also {}",
                    group.len() + 1,
                    keep.file.as_deref().unwrap_or("?"),
                    others.join(", ")
                ),
            );
        }
        merged.push(keep);
    }
    flag_copies(&mut merged);
    // Students who started but have no finished result.
    for pr in progress {
        if !merged.iter().any(|r| r.student_id == pr.student_id) {
            merged.push(pr);
        }
    }
    if let Some(roster) = roster {
        for r in merged.iter_mut() {
            match roster.iter().find(|e| e.id == r.student_id) {
                Some(e) => {
                    if r.student_name.is_empty() {
                        r.student_name = e.name.clone();
                    }
                }
                None => {
                    let id = r.student_id.clone();
                    r.flag(
                        FlagKind::NotOnRoster,
                        format!("student id `{id}` is not on the roster"),
                    );
                }
            }
        }
        for e in roster {
            if !merged.iter().any(|r| r.student_id == e.id) {
                let mut row = GradeRow::new(&e.id, &e.name, None);
                row.flag(
                    FlagKind::Missing,
                    format!("no result file for student `{}`", e.id),
                );
                merged.push(row);
            }
        }
    }
    merged.sort_by(|a, b| (&a.student_id, &a.file).cmp(&(&b.student_id, &b.file)));
    book.rows = merged;
    book.problems.sort_by(|a, b| a.file.cmp(&b.file));
    book
}

fn grade_file(p: &Pinned, f: &InputFile) -> Outcome {
    let is_progress = f.name.ends_with(".progress.json");
    let named_id = student_id_from_file_name(p.exercise_stem, &f.name);
    let problem = |message: String| {
        let row = named_id.as_ref().filter(|_| !is_progress).map(|id| {
            let mut r = GradeRow::new(id, "", Some(&f.name));
            r.flag(FlagKind::Corrupt, format!("{}: {message}", f.name));
            Box::new(r)
        });
        Outcome::Problem(
            FileProblem {
                file: f.name.clone(),
                message,
            },
            row,
        )
    };
    let bytes = match &f.bytes {
        Ok(b) => b,
        Err(e) => return problem(format!("cannot read: {e}")),
    };
    let rec = match parse_result(bytes) {
        Ok(r) => r,
        Err(e) => return problem(e),
    };
    let ex = p.exercise;
    if rec.exercise.hash != p.exercise_hash && rec.exercise.title != ex.title {
        return Outcome::Problem(
            FileProblem {
                file: f.name.clone(),
                message: format!(
                    "a result of another exercise (`{}`); not graded",
                    rec.exercise.title
                ),
            },
            None,
        );
    }
    let mut row = GradeRow::new(&rec.student.id, &rec.student.name, Some(&f.name));
    row.attempt = rec.attempt;
    row.started_ms = rec.started_ms();
    row.finished_ms = rec.finished_ms();
    row.app_version = rec.app_version.clone();
    check_identity(p, &f.name, &rec, &mut row);
    if rec.exercise.hash != p.exercise_hash {
        row.flag(
            FlagKind::ExerciseChanged,
            format!(
                "{}: played with exercise file {}…, this one is {}…",
                f.name,
                short(&rec.exercise.hash),
                short(p.exercise_hash)
            ),
        );
    }
    if rec.attempt > ex.attempts {
        row.flag(
            FlagKind::Attempts,
            format!(
                "{}: attempt {} of {} allowed",
                f.name, rec.attempt, ex.attempts
            ),
        );
    }
    if is_progress || !rec.complete {
        let replies: usize = rec.scenarios.iter().map(|s| s.choices.len()).sum();
        row.flag(
            FlagKind::Incomplete,
            format!(
                "{}: not finished ({replies} repl{} saved)",
                f.name,
                if replies == 1 { "y" } else { "ies" }
            ),
        );
        return if is_progress {
            Outcome::Progress(Box::new(row))
        } else {
            Outcome::Row(Box::new(row))
        };
    }
    check_times(&f.name, &rec, &mut row);
    row.fingerprint = fingerprint(&rec);
    grade_record(p, &f.name, &rec, &mut row);
    Outcome::Row(Box::new(row))
}

fn short(h: &str) -> &str {
    h.get(..12).unwrap_or(h)
}

/// Who the result is of, and how it was played: the student id (present, usable, the one
/// the file's name gives), scripted replies, and the mode.
fn check_identity(p: &Pinned, file: &str, rec: &ResultRecord, row: &mut GradeRow) {
    let id = rec.student.id.as_str();
    if id.trim().is_empty() {
        row.flag(
            FlagKind::NoStudent,
            format!("{file}: the result names no student id"),
        );
    } else if !is_valid_student_id(id) {
        row.flag(
            FlagKind::NoStudent,
            format!(
                "{file}: the student id `{}` is not a usable id (1–128 letters, digits, `-`, `_`, `.`, `@`, `+`)",
                printable(id)
            ),
        );
    }
    let expected = format!("{}--{}.json", p.exercise_stem, printable(id));
    match id_in_file_name(p.exercise_stem, file) {
        // Without an id there is nothing to compare (flagged `no_student` above).
        _ if id.trim().is_empty() => {}
        Some(named) if named == id => {}
        Some(named) => row.flag(
            FlagKind::FileName,
            format!(
                "{file}: the file's name gives student `{}`, but the file holds the result of student `{}`",
                printable(named),
                printable(id)
            ),
        ),
        None => row.flag(
            FlagKind::FileName,
            format!(
                "{file}: the file's name gives no student; a result of student `{}` is named `{expected}`",
                printable(id)
            ),
        ),
    }
    if let Some(how) = &rec.scripted {
        row.flag(
            FlagKind::Scripted,
            format!(
                "{file}: the replies were played by the program ({}), not chosen by a person",
                printable(how)
            ),
        );
    }
    if rec.mode != p.exercise.mode {
        let name = |m: ExerciseMode| match m {
            ExerciseMode::Assessment => "assessment",
            ExerciseMode::Practice => "practice",
        };
        row.flag(
            FlagKind::Mode,
            format!(
                "{file}: played in {} mode, but the exercise is {} {}",
                name(rec.mode),
                if p.exercise.mode == ExerciseMode::Assessment {
                    "an"
                } else {
                    "a"
                },
                name(p.exercise.mode)
            ),
        );
    }
}

/// How far a reply may be timed after `finished_at`, for clocks that moved a little.
const CLOCK_SLACK_MS: u64 = 60_000;

/// The times of a finished result: `started_at` and `finished_at` readable and in order, and
/// every reply's `at_ms` possible for a person (not all zero, never decreasing, within the
/// attempt and within 1970–9999).
fn check_times(file: &str, rec: &ResultRecord, row: &mut GradeRow) {
    let started = rec.started_ms();
    let finished = rec.finished_ms();
    if started.is_none() {
        row.flag(
            FlagKind::Clock,
            format!(
                "{file}: started_at `{}` is not a time from 1970 to 9999 (YYYY-MM-DDTHH:MM:SS.sssZ)",
                printable(&rec.started_at)
            ),
        );
    }
    match &rec.finished_at {
        None => row.flag(
            FlagKind::Clock,
            format!("{file}: the result is marked finished but has no finished_at"),
        ),
        Some(t) if finished.is_none() => row.flag(
            FlagKind::Clock,
            format!(
                "{file}: finished_at `{}` is not a time from 1970 to 9999 (YYYY-MM-DDTHH:MM:SS.sssZ)",
                printable(t)
            ),
        ),
        Some(_) => {}
    }
    let span = match (started, finished) {
        (Some(s), Some(f)) if f < s => {
            row.flag(
                FlagKind::Clock,
                format!(
                    "{file}: finished_at {} is before started_at {}",
                    printable(rec.finished_at.as_deref().unwrap_or("")),
                    printable(&rec.started_at)
                ),
            );
            None
        }
        (Some(s), Some(f)) => Some((f - s) as u64),
        _ => None,
    };
    let replies: Vec<(&str, usize, u64)> = rec
        .scenarios
        .iter()
        .flat_map(|r| {
            r.choices
                .iter()
                .enumerate()
                .map(move |(k, c)| (r.id.as_str(), k + 1, c.at_ms))
        })
        .collect();
    if !replies.is_empty() && replies.iter().all(|(_, _, t)| *t == 0) {
        row.flag(
            FlagKind::Timing,
            format!(
                "{file}: every reply is timed at 0 ms after the start: no person replies that fast (a scripted run, or edited times)"
            ),
        );
    }
    if let Some(w) = replies.windows(2).find(|w| w[1].2 < w[0].2) {
        let ((s0, k0, t0), (s1, k1, t1)) = (w[0], w[1]);
        row.flag(
            FlagKind::Timing,
            format!(
                "{file}: scenario `{}` reply {k1} is timed at {t1} ms, before scenario `{}` reply {k0} at {t0} ms: times only go forward",
                printable(s1),
                printable(s0)
            ),
        );
    }
    let base = started.unwrap_or(0);
    let out_of_range = replies.iter().find(|(_, _, t)| {
        offset_timestamp(base, *t).is_none() || span.is_some_and(|sp| *t > sp + CLOCK_SLACK_MS)
    });
    if let Some((sid, k, t)) = out_of_range {
        let why = match span {
            Some(sp) if offset_timestamp(base, *t).is_some() => format!(
                "after the attempt finished ({} after the start)",
                minutes_seconds(sp)
            ),
            _ => "outside any possible time (1970 to 9999)".to_string(),
        };
        row.flag(
            FlagKind::Timing,
            format!(
                "{file}: scenario `{}` reply {k} is timed {t} ms after the start, {why}",
                printable(sid)
            ),
        );
    }
}

/// SHA-256 of every scenario's replies and their times, for results with at least three
/// replies (fewer could match by chance).
fn fingerprint(rec: &ResultRecord) -> Option<[u8; 32]> {
    let n: usize = rec.scenarios.iter().map(|r| r.choices.len()).sum();
    if n < 3 {
        return None;
    }
    let mut h = Sha256::new();
    for r in &rec.scenarios {
        h.update((r.id.len() as u64).to_le_bytes());
        h.update(r.id.as_bytes());
        h.update((r.choices.len() as u64).to_le_bytes());
        for c in &r.choices {
            h.update((c.number as u64).to_le_bytes());
            h.update(c.at_ms.to_le_bytes());
        }
    }
    Some(h.finalize().into())
}

/// Flags every row whose replies and reply times are identical to another student's: people
/// do not choose the same replies at the same milliseconds.
fn flag_copies(rows: &mut [GradeRow]) {
    let mut groups: HashMap<[u8; 32], Vec<usize>> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if let Some(fp) = r.fingerprint {
            groups.entry(fp).or_default().push(i);
        }
    }
    let mut groups: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
    groups.sort();
    for g in groups {
        for &i in &g {
            // Name up to three of the others (a class may hand in hundreds of one file).
            let mut others: Vec<String> = g
                .iter()
                .filter(|&&j| j != i)
                .take(3)
                .map(|&j| {
                    format!(
                        "{} (student `{}`)",
                        rows[j].file.as_deref().unwrap_or("?"),
                        printable(&rows[j].student_id)
                    )
                })
                .collect();
            if g.len() - 1 > others.len() {
                others.push(format!("{} more", g.len() - 1 - others.len()));
            }
            let file = rows[i].file.clone().unwrap_or_default();
            rows[i].flag(
                FlagKind::Copied,
                format!(
                    "{file}: the same replies at the same milliseconds as {}: a copied result",
                    others.join(", ")
                ),
            );
        }
    }
}

/// Replays and compares one complete record.
fn grade_record(p: &Pinned, file: &str, rec: &ResultRecord, row: &mut GradeRow) {
    let ex = p.exercise;
    for run in &rec.scenarios {
        if !ex.scenarios.iter().any(|s| s.id == run.id) {
            row.flag(
                FlagKind::ScenarioHash,
                format!("{file}: scenario `{}` is not part of this exercise", run.id),
            );
        }
    }
    let mut transcripts: Vec<Transcript> = Vec::with_capacity(ex.scenarios.len());
    // Each entry's replayed session: a course's later session starts from the one before.
    let mut replayed: Vec<Option<Session>> = Vec::with_capacity(ex.scenarios.len());
    let mut all_replayed = true;
    let mut prev_end_ms: u64 = 0;
    for (i, sref) in ex.scenarios.iter().enumerate() {
        let Some(scenario) = p.scenarios.get(i) else {
            all_replayed = false;
            replayed.push(None);
            continue;
        };
        let label = sref.label();
        let mut g = ScenarioGrade {
            id: label.clone(),
            score: None,
            passed: None,
            checks: Vec::new(),
            turns: Vec::new(),
            duration_ms: None,
            finished_ms: None,
        };
        let Some(run) = rec
            .scenarios
            .iter()
            .find(|r| r.id == sref.id && r.session.unwrap_or(1) == sref.session.unwrap_or(1))
        else {
            row.flag(
                FlagKind::ScenarioHash,
                format!("{file}: scenario `{label}` of the exercise was not played"),
            );
            all_replayed = false;
            replayed.push(None);
            row.scenarios.push(g);
            continue;
        };
        if run.hash != sref.hash {
            row.flag(
                FlagKind::ScenarioHash,
                format!(
                    "{file}: scenario `{}` was played in version {}…, the exercise pins {}…",
                    sref.id,
                    short(&run.hash),
                    short(&sref.hash)
                ),
            );
        }
        let seed = ex.seed_of(i);
        if run.seed != seed {
            row.flag(
                FlagKind::Seed,
                format!(
                    "{file}: scenario `{}` was played with seed {}, the exercise's is {seed}",
                    sref.id, run.seed
                ),
            );
        }
        if let Some(last) = run.choices.last() {
            // Times already flagged as impossible give no duration or time of day.
            if !row.has(FlagKind::Timing) {
                g.duration_ms = Some(last.at_ms.saturating_sub(prev_end_ms));
                g.finished_ms = row.started_ms.and_then(|s| offset_timestamp(s, last.at_ms));
            }
            prev_end_ms = last.at_ms;
        }
        if let Some(limit) = ex.time_limit_minutes {
            let limit_ms = u64::from(limit) * 60_000;
            if let Some(late) = run.choices.iter().find(|c| c.at_ms > limit_ms) {
                row.flag(
                    FlagKind::OverTime,
                    format!(
                        "{file}: scenario `{}`: a reply was chosen {} after the start, over the {limit}-minute limit",
                        sref.id,
                        minutes_seconds(late.at_ms)
                    ),
                );
            }
        }
        if run.choices.iter().any(|c| c.typed.is_some()) {
            match (&ex.coder, p.coder) {
                (None, _) => row.flag(
                    FlagKind::InvalidChoices,
                    format!(
                        "{file}: scenario `{}`: replies typed in the student's own words, but the exercise does not allow them (it pins no coder)",
                        sref.id
                    ),
                ),
                (Some(pinned), Some(coder)) if *pinned != coder.model_hash() => row.flag(
                    FlagKind::CoderChanged,
                    format!(
                        "{file}: scenario `{}`: typed replies coded again with coder model {}, but the exercise pins {pinned}; the grade may differ from what the student saw",
                        sref.id,
                        coder.model_hash()
                    ),
                ),
                _ => {}
            }
        }
        let previous = ex
            .previous_session(i)
            .and_then(|j| replayed.get(j))
            .and_then(Option::as_ref);
        let (start, not_reached) = item_start(ex, i, Arc::clone(scenario), previous);
        let mut session = match replay_run_from(start, run, p.coder) {
            Ok(s) => s,
            Err(e) => {
                row.flag(
                    FlagKind::InvalidChoices,
                    format!(
                        "{file}: scenario `{label}`: the recorded choices cannot be replayed: {e}"
                    ),
                );
                all_replayed = false;
                replayed.push(None);
                row.scenarios.push(g);
                continue;
            }
        };
        replayed.push(Some(session.clone()));
        if let Some(why) = &not_reached {
            row.flag(
                FlagKind::Stopped,
                format!("{file}: scenario `{label}` was not reached: {why}"),
            );
        } else if session.ending().is_none() {
            let n = run.choices.len();
            row.flag(
                FlagKind::Stopped,
                if run.stopped {
                    format!(
                        "{file}: scenario `{}` was ended after {n} repl{}, before its ending",
                        sref.id,
                        if n == 1 { "y" } else { "ies" }
                    )
                } else {
                    format!(
                        "{file}: scenario `{}` stops after {n} repl{} without an ending, yet is not marked stopped (replies removed?)",
                        sref.id,
                        if n == 1 { "y" } else { "ies" }
                    )
                },
            );
        }
        session.stop();
        let t = session.transcript();
        for (turn, c) in t.turns.iter().zip(&run.choices) {
            if turn.reply.option != c.option_id {
                row.flag(
                    FlagKind::ChoiceMismatch,
                    format!(
                        "{file}: scenario `{}` turn {}: option {} is `{}` but the file says `{}`",
                        sref.id, turn.number, c.number, turn.reply.option, c.option_id
                    ),
                );
                break;
            }
        }
        g.turns = t
            .turns
            .iter()
            .map(|x| TurnDigest {
                point: x.client.point.clone(),
                line: x.client.line.clone(),
                option: x.reply.option.clone(),
                missed: x.better.is_some(),
            })
            .collect();
        row.scenarios.push(g);
        transcripts.push(t);
    }
    if !all_replayed {
        return;
    }
    let d = derive(ex, &transcripts);
    for (i, g) in row.scenarios.iter_mut().enumerate() {
        g.score = d.scores.get(i).cloned();
        g.passed = d.scenario_passed.get(i).copied();
        g.checks = d.checks.get(i).cloned().unwrap_or_default();
    }
    row.total = Some(d.total);
    row.passed = Some(d.passed);
    // Compare what the file says with what the choices give.
    let mut edits: Vec<String> = Vec::new();
    let fresh_scores = Value::Array(d.scores.iter().map(to_json_value).collect());
    let stored_scores = Value::Array(rec.scores.clone());
    diff_json("scores", &stored_scores, &fresh_scores, &mut edits);
    match &rec.score {
        Some(s) => diff_json("score", s, &to_json_value(&d.score), &mut edits),
        None => edits.push("score: removed from the file".to_string()),
    }
    match rec.total {
        Some(t) if close(t, d.total) => {}
        Some(t) => edits.push(format!(
            "total: stored {}, recomputed {}",
            trim_num(t),
            trim_num(d.total)
        )),
        None => edits.push("total: removed from the file".to_string()),
    }
    match rec.passed {
        Some(p) if p == d.passed => {}
        Some(p) => edits.push(format!("passed: stored {p}, recomputed {}", d.passed)),
        None => edits.push("passed: removed from the file".to_string()),
    }
    if !edits.is_empty() {
        let n = edits.len();
        edits.truncate(3);
        let more = if n > 3 {
            format!(" (and {} more)", n - 3)
        } else {
            String::new()
        };
        row.flag(
            FlagKind::ScoreEdited,
            format!(
                "{file}: stored scores differ from the recorded choices: {}{more}",
                edits.join("; ")
            ),
        );
    }
}

mod diff;
mod gradebook;
mod items;
mod stats;
#[cfg(test)]
mod tests;

use diff::{close, diff_json, minutes_seconds};
pub use gradebook::{csv_field, csv_header, gradebook_csv};
pub use items::{ItemStat, OptionStat, item_analysis};
pub use stats::{Distribution, distributions, summary_line};
