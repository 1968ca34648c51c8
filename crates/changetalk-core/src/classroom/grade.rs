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
use std::fmt::Write as _;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::classroom::exercise::{CriterionCheck, Exercise, trim_num};
use crate::classroom::result::{
    ResultRecord, derive, parse_result, replay_run, student_id_from_file_name, to_json_value,
};
use crate::engine::model::Scenario;
use crate::engine::{Transcript, option_ratings};
use crate::miti::score::{Band, BandedMetric, Score};

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
        group.sort_by(|a, b| {
            (b.total.is_some(), b.finished_ms, &a.file).cmp(&(
                a.total.is_some(),
                a.finished_ms,
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
    if rec.student.id.trim().is_empty() {
        row.flag(
            FlagKind::NoStudent,
            format!("{}: the result names no student id", f.name),
        );
    }
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
    grade_record(p, &f.name, &rec, &mut row);
    Outcome::Row(Box::new(row))
}

fn short(h: &str) -> &str {
    h.get(..12).unwrap_or(h)
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
    let mut all_replayed = true;
    let mut prev_end_ms: u64 = 0;
    for (i, sref) in ex.scenarios.iter().enumerate() {
        let Some(scenario) = p.scenarios.get(i) else {
            all_replayed = false;
            continue;
        };
        let mut g = ScenarioGrade {
            id: sref.id.clone(),
            score: None,
            passed: None,
            checks: Vec::new(),
            turns: Vec::new(),
            duration_ms: None,
            finished_ms: None,
        };
        let Some(run) = rec.scenarios.iter().find(|r| r.id == sref.id) else {
            row.flag(
                FlagKind::ScenarioHash,
                format!(
                    "{file}: scenario `{}` of the exercise was not played",
                    sref.id
                ),
            );
            all_replayed = false;
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
            g.duration_ms = Some(last.at_ms.saturating_sub(prev_end_ms));
            g.finished_ms = row.started_ms.map(|s| s + last.at_ms as i64);
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
        let mut session = match replay_run(Arc::clone(scenario), seed, run) {
            Ok(s) => s,
            Err(e) => {
                row.flag(
                    FlagKind::InvalidChoices,
                    format!(
                        "{file}: scenario `{}`: the recorded choices cannot be replayed: {e}",
                        sref.id
                    ),
                );
                all_replayed = false;
                row.scenarios.push(g);
                continue;
            }
        };
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

fn minutes_seconds(ms: u64) -> String {
    let s = ms / 1000;
    format!("{}m{:02}s", s / 60, s % 60)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn show(v: &Value) -> String {
    let s = match v.as_f64() {
        Some(x) => trim_num(x),
        None => v.to_string(),
    };
    if s.chars().count() > 40 {
        let cut: String = s.chars().take(37).collect();
        format!("{cut}…")
    } else {
        s
    }
}

/// Records where `stored` differs from `fresh` (numbers within one part in 10⁹ are equal).
fn diff_json(path: &str, stored: &Value, fresh: &Value, out: &mut Vec<String>) {
    if out.len() > 8 {
        return;
    }
    match (stored, fresh) {
        (Value::Number(a), Value::Number(b)) => {
            let (Some(x), Some(y)) = (a.as_f64(), b.as_f64()) else {
                return;
            };
            if !close(x, y) {
                out.push(format!(
                    "{path}: stored {}, recomputed {}",
                    trim_num(x),
                    trim_num(y)
                ));
            }
        }
        (Value::Object(a), Value::Object(b)) => {
            for (k, fv) in b {
                match a.get(k) {
                    Some(sv) => diff_json(&format!("{path}.{k}"), sv, fv, out),
                    None => out.push(format!("{path}.{k}: removed from the file")),
                }
            }
            for k in a.keys() {
                if !b.contains_key(k) {
                    out.push(format!("{path}.{k}: added to the file"));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                out.push(format!(
                    "{path}: {} entries stored, {} recomputed",
                    a.len(),
                    b.len()
                ));
                return;
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                diff_json(&format!("{path}[{i}]"), x, y, out);
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(format!(
            "{path}: stored {}, recomputed {}",
            show(a),
            show(b)
        )),
    }
}

// ---------------------------------------------------------------------------------------
// The gradebook CSV
// ---------------------------------------------------------------------------------------

/// The gradebook's header: the five identity columns Canvas exports and imports (`Student`,
/// `ID`, `SIS User ID`, `SIS Login ID`, `Section`), then the grade columns, then `flags`.
/// The student's id is written as `SIS User ID` (map it to Moodle's "ID number").
pub fn csv_header(ex: &Exercise) -> Vec<String> {
    let mut h: Vec<String> = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    h.push(format!("{} total", ex.title));
    for s in &ex.scenarios {
        h.push(format!("{}: {} overall", ex.title, s.id));
    }
    h.push(format!("{} pass", ex.title));
    h.push("flags".to_string());
    h
}

/// One CSV field: quoted when needed (RFC 4180), and a text starting with `=`, `+`, `-`, `@`
/// (which spreadsheets run as a formula) prefixed with `'`.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// A score as the gradebook writes it: one decimal.
fn grade_num(x: f64) -> String {
    format!("{x:.1}")
}

/// The gradebook: a header and one row per student (CRLF line ends, as RFC 4180 asks).
pub fn gradebook_csv(ex: &Exercise, book: &Gradebook) -> String {
    let mut out = String::new();
    let line = |out: &mut String, fields: Vec<String>| {
        let joined: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&joined.join(","));
        out.push_str("\r\n");
    };
    line(&mut out, csv_header(ex));
    for r in &book.rows {
        let mut f = vec![
            r.student_name.clone(),
            String::new(),
            r.student_id.clone(),
            String::new(),
            String::new(),
        ];
        f.push(r.total.map(grade_num).unwrap_or_default());
        for (i, _) in ex.scenarios.iter().enumerate() {
            f.push(
                r.scenarios
                    .get(i)
                    .and_then(|g| g.score.as_ref())
                    .map(|s| grade_num(s.overall))
                    .unwrap_or_default(),
            );
        }
        f.push(match r.passed {
            Some(true) => "pass".to_string(),
            Some(false) => "fail".to_string(),
            None => String::new(),
        });
        f.push(r.flag_codes());
        line(&mut out, f);
    }
    out
}

// ---------------------------------------------------------------------------------------
// Class statistics
// ---------------------------------------------------------------------------------------

/// How one metric is spread over the class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Distribution {
    /// Scenario id (none for the exercise total).
    pub scenario: Option<String>,
    /// The metric's key in the Score object (`overall`, `reflection_to_question`, …).
    pub metric: &'static str,
    /// Human label.
    pub label: &'static str,
    /// Students with a value.
    pub n: usize,
    /// Students without one (no denominator).
    pub missing: usize,
    /// Mean.
    pub mean: Option<f64>,
    /// Smallest.
    pub min: Option<f64>,
    /// First quartile.
    pub q1: Option<f64>,
    /// Median.
    pub median: Option<f64>,
    /// Third quartile.
    pub q3: Option<f64>,
    /// Largest.
    pub max: Option<f64>,
    /// Lower and upper ends of the histogram.
    pub range: (f64, f64),
    /// Ten equal bins over `range` (values outside go to the end bins).
    pub histogram: Vec<usize>,
    /// Students below fair, fair, good (for banded metrics).
    pub bands: Option<[usize; 3]>,
    /// The fair and good thresholds (for banded metrics).
    pub thresholds: Option<(f64, f64)>,
}

type Getter = fn(&Score) -> (Option<f64>, Option<BandedMetric>);

const METRICS: &[(&str, &str, (f64, f64), Getter)] = &[
    ("overall", "Overall score", (0.0, 100.0), |s| {
        (Some(s.overall), None)
    }),
    ("relational", "Relational global (1–5)", (1.0, 5.0), |s| {
        (Some(s.globals.relational), Some(s.bands.relational))
    }),
    ("technical", "Technical global (1–5)", (1.0, 5.0), |s| {
        (Some(s.globals.technical), Some(s.bands.technical))
    }),
    (
        "reflection_to_question",
        "Reflection-to-question ratio",
        (0.0, 4.0),
        |s| {
            (
                s.reflection_to_question,
                Some(s.bands.reflection_to_question),
            )
        },
    ),
    (
        "percent_complex_reflections",
        "% complex reflections",
        (0.0, 100.0),
        |s| {
            (
                s.percent_complex_reflections,
                Some(s.bands.percent_complex_reflections),
            )
        },
    ),
    (
        "percent_open_questions",
        "% open questions",
        (0.0, 100.0),
        |s| {
            (
                s.percent_open_questions,
                Some(s.bands.percent_open_questions),
            )
        },
    ),
    ("percent_mi_adherent", "% MI-adherent", (0.0, 100.0), |s| {
        (s.percent_mi_adherent, Some(s.bands.percent_mi_adherent))
    }),
    (
        "mi_non_adherent",
        "MI-non-adherent codes",
        (0.0, 10.0),
        |s| (Some(f64::from(s.mi_non_adherent)), None),
    ),
    (
        "change_talk_share",
        "Client change-talk share",
        (0.0, 1.0),
        |s| (s.change_talk_share, None),
    ),
];

fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let frac = pos - lo as f64;
    Some(sorted[lo] + (sorted[hi] - sorted[lo]) * frac)
}

fn distribution(
    scenario: Option<String>,
    metric: &'static str,
    label: &'static str,
    range: (f64, f64),
    values: &[(Option<f64>, Option<BandedMetric>)],
) -> Distribution {
    let mut v: Vec<f64> = values
        .iter()
        .filter_map(|(x, _)| *x)
        .filter(|x| x.is_finite())
        .collect();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let mut histogram = vec![0usize; 10];
    let width = (range.1 - range.0) / 10.0;
    for x in &v {
        let bin = if width > 0.0 {
            ((x - range.0) / width).floor().clamp(0.0, 9.0) as usize
        } else {
            0
        };
        histogram[bin] += 1;
    }
    let banded: Vec<&BandedMetric> = values.iter().filter_map(|(_, b)| b.as_ref()).collect();
    let (bands, thresholds) = if banded.is_empty() {
        (None, None)
    } else {
        let mut c = [0usize; 3];
        for b in &banded {
            match b.band {
                Some(Band::BelowFair) => c[0] += 1,
                Some(Band::Fair) => c[1] += 1,
                Some(Band::Good) => c[2] += 1,
                None => {}
            }
        }
        (Some(c), Some((banded[0].fair, banded[0].good)))
    };
    Distribution {
        scenario,
        metric,
        label,
        n,
        missing: values.len() - n,
        mean: (n > 0).then(|| v.iter().sum::<f64>() / n as f64),
        min: v.first().copied(),
        q1: quantile(&v, 0.25),
        median: quantile(&v, 0.5),
        q3: quantile(&v, 0.75),
        max: v.last().copied(),
        range,
        histogram,
        bands,
        thresholds,
    }
}

/// Each metric's distribution: the exercise total, then every metric of every scenario, over
/// the students who count in the statistics.
pub fn distributions(ex: &Exercise, book: &Gradebook) -> Vec<Distribution> {
    let rows: Vec<&GradeRow> = book
        .rows
        .iter()
        .filter(|r| r.counts_in_statistics())
        .collect();
    let mut out = Vec::new();
    let totals: Vec<(Option<f64>, Option<BandedMetric>)> =
        rows.iter().map(|r| (r.total, None)).collect();
    out.push(distribution(
        None,
        "total",
        "Exercise total",
        (0.0, 100.0),
        &totals,
    ));
    for (i, s) in ex.scenarios.iter().enumerate() {
        for (metric, label, range, get) in METRICS {
            let values: Vec<(Option<f64>, Option<BandedMetric>)> = rows
                .iter()
                .filter_map(|r| r.scenarios.get(i).and_then(|g| g.score.as_ref()))
                .map(get)
                .collect();
            out.push(distribution(
                Some(s.id.clone()),
                metric,
                label,
                *range,
                &values,
            ));
        }
    }
    out
}

/// How often one option was chosen at a point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionStat {
    /// Position in the scenario file (1-based); students saw the options in a shuffled order,
    /// so options are counted by id.
    pub number: usize,
    /// Option id.
    pub id: String,
    /// What it says.
    pub text: String,
    /// Its 1–5 rating (for the line most often said here).
    pub rating: u8,
    /// The best-rated option here.
    pub best: bool,
    /// Times chosen.
    pub count: usize,
    /// count / visits.
    pub share: f64,
}

/// One decision point across the class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemStat {
    /// Scenario id.
    pub scenario: String,
    /// Point id.
    pub point: String,
    /// What the client said there (the line most often drawn).
    pub client: String,
    /// Times the point was answered (a student who came back counts again).
    pub visits: usize,
    /// Students who reached it.
    pub students: usize,
    /// Answers where a better-rated option existed.
    pub missed: usize,
    /// missed / visits.
    pub missed_share: f64,
    /// Every option with its share.
    pub options: Vec<OptionStat>,
}

/// The item analysis: for every decision point reached, the share of students choosing each
/// option; most-missed moments first (then most visited, then file order).
pub fn item_analysis(p: &Pinned, book: &Gradebook) -> Vec<ItemStat> {
    struct Acc {
        visits: usize,
        students: usize,
        missed: usize,
        options: HashMap<String, usize>,
        lines: HashMap<String, usize>,
    }
    let mut acc: HashMap<(usize, String), Acc> = HashMap::new();
    for r in book.rows.iter().filter(|r| r.counts_in_statistics()) {
        for (si, g) in r.scenarios.iter().enumerate() {
            let mut seen: Vec<&str> = Vec::new();
            for t in &g.turns {
                let a = acc.entry((si, t.point.clone())).or_insert_with(|| Acc {
                    visits: 0,
                    students: 0,
                    missed: 0,
                    options: HashMap::new(),
                    lines: HashMap::new(),
                });
                a.visits += 1;
                if !seen.contains(&t.point.as_str()) {
                    seen.push(&t.point);
                    a.students += 1;
                }
                a.missed += usize::from(t.missed);
                *a.options.entry(t.option.clone()).or_default() += 1;
                *a.lines.entry(t.line.clone()).or_default() += 1;
            }
        }
    }
    let mut out: Vec<(usize, usize, ItemStat)> = Vec::new();
    for ((si, point_id), a) in acc {
        let Some(scenario) = p.scenarios.get(si) else {
            continue;
        };
        let Some(pi) = scenario.point_index(&point_id) else {
            continue;
        };
        let point = &scenario.points[pi];
        let line_id = a
            .lines
            .iter()
            .max_by(|x, y| x.1.cmp(y.1).then_with(|| y.0.cmp(x.0)))
            .map(|(l, _)| l.clone())
            .unwrap_or_default();
        let line = point.lines.iter().find(|l| l.id == line_id);
        let target = line.map_or(crate::engine::model::Target::Neutral, |l| l.talk.target());
        let ratings = option_ratings(point, target);
        let best_rating = ratings.iter().copied().max().unwrap_or(0);
        let options = point
            .options
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let count = a.options.get(&o.id).copied().unwrap_or(0);
                OptionStat {
                    number: i + 1,
                    id: o.id.clone(),
                    text: o.text.clone(),
                    rating: ratings[i],
                    best: ratings[i] == best_rating,
                    count,
                    share: count as f64 / a.visits.max(1) as f64,
                }
            })
            .collect();
        out.push((
            si,
            pi,
            ItemStat {
                scenario: scenario.id.clone(),
                point: point_id,
                client: line.map(|l| l.text.clone()).unwrap_or_default(),
                visits: a.visits,
                students: a.students,
                missed: a.missed,
                missed_share: a.missed as f64 / a.visits.max(1) as f64,
                options,
            },
        ));
    }
    out.sort_by(|(sa, pa, a), (sb, pb, b)| {
        b.missed_share
            .total_cmp(&a.missed_share)
            .then(b.visits.cmp(&a.visits))
            .then(sa.cmp(sb))
            .then(pa.cmp(pb))
    });
    out.into_iter().map(|(_, _, s)| s).collect()
}

/// A one-line summary of the class, for the terminal.
pub fn summary_line(book: &Gradebook) -> String {
    let graded: Vec<&GradeRow> = book.rows.iter().filter(|r| r.total.is_some()).collect();
    let mut s = format!(
        "{} student{}, {} graded",
        book.rows.len(),
        if book.rows.len() == 1 { "" } else { "s" },
        graded.len()
    );
    if !graded.is_empty() {
        let mean = graded.iter().filter_map(|r| r.total).sum::<f64>() / graded.len() as f64;
        let passed = graded.iter().filter(|r| r.passed == Some(true)).count();
        let _ = write!(s, ", mean total {mean:.1}, {passed} passed");
    }
    let _ = write!(
        s,
        ", {} flagged, {} file{} not gradable",
        book.flagged(),
        book.problems.len(),
        if book.problems.len() == 1 { "" } else { "s" }
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_differences_are_named_by_path() {
        let mut out = Vec::new();
        diff_json(
            "score",
            &json!({"overall": 91.0, "counts": {"affirm": 1}, "x": [1, 2]}),
            &json!({"overall": 38.5, "counts": {"affirm": 1}, "x": [1, 3]}),
            &mut out,
        );
        assert_eq!(
            out,
            vec![
                "score.overall: stored 91, recomputed 38.5".to_string(),
                "score.x[1]: stored 2, recomputed 3".to_string()
            ]
        );
        out.clear();
        diff_json("s", &json!({"a": 0.1 + 0.2}), &json!({"a": 0.3}), &mut out);
        assert!(out.is_empty(), "{out:?}");
        diff_json("s", &json!({"a": null}), &json!({"a": 1.0}), &mut out);
        assert_eq!(out, vec!["s.a: stored null, recomputed 1".to_string()]);
    }

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("Doe, Jane"), "\"Doe, Jane\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }

    fn class() -> (Exercise, Vec<Arc<Scenario>>) {
        let text = include_str!("../../../../scenarios/court-ordered-dui.ron");
        let scenario = Arc::new(crate::load_scenario(text).expect("bundled scenario loads"));
        let ex = Exercise {
            title: "Week 3".into(),
            instructions: String::new(),
            scenarios: vec![crate::classroom::exercise::ScenarioRef {
                id: scenario.id.clone(),
                hash: crate::classroom::exercise::content_hash(text.as_bytes()),
                file: None,
                seed: None,
                span: Default::default(),
            }],
            seed: 42,
            mode: crate::classroom::exercise::ExerciseMode::Assessment,
            pass: crate::classroom::exercise::PassCriteria {
                overall: 60.0,
                ..Default::default()
            },
            attempts: 1,
            time_limit_minutes: Some(30),
        };
        (ex, vec![scenario])
    }

    fn result_file(
        ex: &Exercise,
        sc: &[Arc<Scenario>],
        id: &str,
        policy: crate::AutoPolicy,
    ) -> ResultRecord {
        let mut s = crate::Session::new(Arc::clone(&sc[0]), ex.seed);
        s.auto_play(policy, 1000);
        let mut rec = ResultRecord::new(
            crate::classroom::result::Student {
                name: id.to_uppercase(),
                id: id.into(),
            },
            crate::classroom::result::ExerciseInfo {
                title: ex.title.clone(),
                hash: "h".repeat(64),
                file: "week3.ron".into(),
            },
            ex,
            "test",
            1_700_000_000_000,
            1,
        );
        rec.scenarios.push(crate::classroom::result::ScenarioRun {
            id: sc[0].id.clone(),
            hash: ex.scenarios[0].hash.clone(),
            seed: ex.seed,
            choices: s
                .turns()
                .iter()
                .map(|t| crate::classroom::result::ChoiceRecord {
                    number: t.reply.number,
                    option_id: t.reply.option.clone(),
                    at_ms: 10_000 * t.number as u64,
                })
                .collect(),
            stopped: false,
            transcript: None,
        });
        rec.finish(ex, &[s.transcript()], 1_700_000_300_000);
        rec
    }

    fn file(name: &str, rec: &ResultRecord) -> InputFile {
        InputFile {
            name: name.into(),
            bytes: Ok(rec.to_json().into_bytes()),
        }
    }

    #[test]
    fn grading_replays_compares_and_flags() {
        let (ex, sc) = class();
        let hash = "h".repeat(64);
        let p = Pinned {
            exercise: &ex,
            exercise_hash: &hash,
            exercise_stem: "week3",
            scenarios: &sc,
        };
        let best = result_file(&ex, &sc, "a", crate::AutoPolicy::Best);
        let worst = result_file(&ex, &sc, "b", crate::AutoPolicy::Worst);
        let mut edited = worst.clone();
        edited.student.id = "c".into();
        edited.score = best.score.clone();
        let mut late = best.clone();
        late.student.id = "d".into();
        if let Some(c) = late.scenarios[0].choices.last_mut() {
            c.at_ms = 31 * 60_000;
        }
        let files = vec![
            file("week3--a.json", &best),
            file("week3--b.json", &worst),
            file("week3--c.json", &edited),
            file("week3--d.json", &late),
            file("copy-of-a.json", &best),
            InputFile {
                name: "week3--e.json".into(),
                bytes: Ok(b"{\"format\": \"changetalk-result/1\"".to_vec()),
            },
            InputFile {
                name: "unreadable.json".into(),
                bytes: Err("permission denied".into()),
            },
        ];
        let roster = [
            RosterEntry {
                id: "a".into(),
                name: "Ann".into(),
            },
            RosterEntry {
                id: "z".into(),
                name: "Zed".into(),
            },
        ];
        let book = grade(&p, &files, Some(&roster[..]));
        let codes = |id: &str| {
            book.rows
                .iter()
                .find(|r| r.student_id == id)
                .map(GradeRow::flag_codes)
                .unwrap_or_else(|| panic!("no row for {id}"))
        };
        assert_eq!(codes("a"), "duplicate");
        assert_eq!(codes("b"), "not_on_roster");
        assert_eq!(codes("c"), "score_edited;not_on_roster");
        assert_eq!(codes("d"), "not_on_roster;over_time");
        assert_eq!(codes("e"), "not_on_roster;corrupt");
        assert_eq!(codes("z"), "missing");
        assert_eq!(book.problems.len(), 2);
        assert!(
            book.problems[0].file == "unreadable.json"
                || book.problems[1].file == "unreadable.json"
        );
        // The gradebook uses the recomputed score, not the edited one.
        let row_b = book
            .rows
            .iter()
            .find(|r| r.student_id == "b")
            .map(|r| r.total);
        let row_c = book
            .rows
            .iter()
            .find(|r| r.student_id == "c")
            .map(|r| r.total);
        assert_eq!(row_b, row_c);
        // Statistics and the item analysis use the replayed rows.
        let dists = distributions(&ex, &book);
        assert_eq!(dists[0].metric, "total");
        assert!(dists[0].n >= 3);
        let items = item_analysis(&p, &book);
        assert!(!items.is_empty());
        assert!(
            items
                .windows(2)
                .all(|w| w[0].missed_share >= w[1].missed_share)
        );
        for it in &items {
            let chosen: usize = it.options.iter().map(|o| o.count).sum();
            assert_eq!(chosen, it.visits);
        }
        let csv = gradebook_csv(&ex, &book);
        assert!(csv.starts_with("Student,ID,SIS User ID,SIS Login ID,Section,Week 3 total,"));
        assert_eq!(csv.lines().count(), book.rows.len() + 1);
        // xAPI: two statements per replayed student.
        let st = crate::classroom::xapi::statements(
            &p,
            &book,
            &crate::classroom::xapi::XapiOptions {
                home_page: "https://lms.example.edu".into(),
                activity_base: "https://x.example.org/xapi".into(),
                platform: "test".into(),
            },
        );
        let counted = book
            .rows
            .iter()
            .filter(|r| r.counts_in_statistics())
            .count();
        assert_eq!(st.len(), 2 * counted);
        assert!(st.iter().all(|s| s.result.duration.starts_with("PT")));
    }

    #[test]
    fn quantiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.5), Some(2.5));
        assert_eq!(quantile(&v, 0.0), Some(1.0));
        assert_eq!(quantile(&v, 1.0), Some(4.0));
        assert_eq!(quantile(&[], 0.5), None);
    }
}
