//! Grading a class: replay every result's choices against the pinned scenarios, recompute the
//! scores, compare them with the stored ones, and flag whatever does not add up. Then the
//! gradebook (CSV rows an LMS imports), each metric's distribution, and an item analysis of
//! every decision point.
//!
//! Pure: the shell reads the files and passes their names and bytes; nothing here touches the
//! disk. A file that cannot be read or parsed becomes a [`FileProblem`] naming the file, and
//! grading goes on with the rest.

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::classroom::exercise::{CriterionCheck, Exercise};
use crate::classroom::result::{
    ResultRecord, derive, parse_result, replay_run, student_id_from_file_name, to_json_value,
};
use crate::engine::Transcript;
use crate::engine::model::Scenario;
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
