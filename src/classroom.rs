//! Classroom exercises outside the pure core: finding an exercise's pinned scenarios on disk,
//! and a student's attempt — the progress file saved atomically after every turn, resuming,
//! attempts, the time limit and the final result file.
//!
//! [`Attempt`] is the one driver of an exercise: [`Attempt::next_conversation`] hands out the next
//! conversation, and [`Attempt::reply`], [`Attempt::take_back`], [`Attempt::end_early`] and
//! [`Attempt::finish`] play and record it. `changetalk exercise run` (typed, scripted or
//! `--auto`) and the app (clicked, or given on its command line) are thin shells over these
//! steps, so they write the same files.

use std::fs::{File, TryLockError};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use std::time::{SystemTime, UNIX_EPOCH};

use changetalk_core::AutoPolicy;
use changetalk_core::classroom::exercise::{Exercise, ExerciseMode};
use changetalk_core::classroom::exercise::{ScenarioRef, load_exercise, pin_hash};
use changetalk_core::classroom::printable::{is_unprintable, printable};
use changetalk_core::classroom::result::{
    self, ChoiceRecord, Derived, ExerciseInfo, MAX_RESULT_BYTES, ResultRecord, ScenarioRun,
    Student, is_valid_student_id, parse_result,
};
use changetalk_core::engine::{MAX_AUTO_TURNS, Session};
use changetalk_core::{Scenario, Transcript};

use crate::files::{
    FileError, clean_stray_temps, read_bytes_limited, read_text_limited, write_atomic,
};
use crate::library;

/// The coder typed replies are replayed with.
fn coder() -> &'static dyn changetalk_core::engine::typed::ReplyCoder {
    crate::free_text::OfflineCoder::shared()
}

/// Reads a result or progress file (the error says what is wrong, without the path): a
/// regular file of at most [`MAX_RESULT_BYTES`], checked before it is read.
pub fn read_record(path: &Path) -> Result<ResultRecord, String> {
    let bytes = read_bytes_limited(path, MAX_RESULT_BYTES as u64).map_err(|e| e.message)?;
    parse_result(&bytes)
}

/// The results folder the app and `exercise run` use: `$CHANGETALK_HOME/data/results`, or
/// the platform data folder's `results` (`~/.local/share/changetalk/results` on Linux).
pub fn default_results_dir() -> Option<PathBuf> {
    crate::files::data_dir().map(|d| d.join("results"))
}

/// Unix time now, in milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// An exercise file with its scenarios found and checked against their hashes.
#[derive(Debug, Clone)]
pub struct LoadedExercise {
    /// The exercise.
    pub exercise: Exercise,
    /// SHA-256 of the file.
    pub hash: String,
    /// File name without `.ron`.
    pub stem: String,
    /// File name.
    pub file_name: String,
    /// The pinned scenarios, in order.
    pub scenarios: Vec<Arc<Scenario>>,
}

/// Reads an exercise and finds every pinned scenario (see [`load_with`]); a scenario's `file`
/// must be inside the exercise's folder.
pub fn load(path: &Path) -> Result<LoadedExercise, String> {
    load_with(path, false)
}

/// Reads an exercise and finds every pinned scenario: the `file` next to the exercise, or a
/// bundled or user scenario with the id, whichever has the pinned hash. A `file` outside the
/// exercise's folder (an absolute path, `..` above it, or a link that leads out) is refused
/// unless `allow_outside` (`--allow-outside`): an exercise from someone else must not read
/// any file on the machine. Errors name the file, the line and column, and the fix.
pub fn load_with(path: &Path, allow_outside: bool) -> Result<LoadedExercise, String> {
    let shown = path.display().to_string();
    let text = read_text_limited(
        path,
        changetalk_core::classroom::exercise::MAX_EXERCISE_BYTES as u64,
    )?;
    let exercise =
        load_exercise(&text).map_err(|d| library::render(&d, &shown, &text).join("\n"))?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let mut library_entries: Option<Vec<library::Entry>> = None;
    let mut scenarios = Vec::new();
    for sref in &exercise.scenarios {
        scenarios.push(find_pinned(
            sref,
            &dir,
            &shown,
            &text,
            &mut library_entries,
            allow_outside,
        )?);
    }
    // A course's sessions: each must exist and follow the one before it.
    let counts: Vec<usize> = scenarios.iter().map(|s| s.session_count()).collect();
    let problems: Vec<String> = exercise
        .check_sessions(&counts)
        .into_iter()
        .map(|(i, m)| {
            let (line, col) =
                changetalk_core::LineIndex::new(&text).line_col(exercise.scenarios[i].span.start);
            format!("{shown}:{line}:{col}: error: {m}")
        })
        .collect();
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("exercise")
        .to_string();
    Ok(LoadedExercise {
        exercise,
        hash: pin_hash(&text),
        file_name: path
            .file_name()
            .and_then(|s| s.to_str())
            .unwrap_or("exercise.ron")
            .to_string(),
        stem,
        scenarios,
    })
}

/// True when `file` (as written in the exercise) stays inside `dir`: relative, never above
/// `dir` with `..`, and, when it exists, still inside once links are followed.
pub fn file_is_inside(dir: &Path, file: &str) -> bool {
    let rel = Path::new(file);
    let mut depth: usize = 0;
    for c in rel.components() {
        match c {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    match (
        std::fs::canonicalize(dir),
        std::fs::canonicalize(dir.join(rel)),
    ) {
        (Ok(d), Ok(f)) => f.starts_with(d),
        // Not there (the error says so below), or the folder cannot be resolved.
        _ => true,
    }
}

fn find_pinned(
    sref: &ScenarioRef,
    dir: &Path,
    exercise_name: &str,
    exercise_text: &str,
    library_entries: &mut Option<Vec<library::Entry>>,
    allow_outside: bool,
) -> Result<Arc<Scenario>, String> {
    let (line, col) = changetalk_core::LineIndex::new(exercise_text).line_col(sref.span.start);
    let at = format!("{exercise_name}:{line}:{col}");
    let mut seen: Vec<String> = Vec::new();
    if let Some(f) = &sref.file {
        if !allow_outside && !file_is_inside(dir, f) {
            return Err(format!(
                "{at}: error: scenario `{}`: `file: \"{}\"` is outside the exercise's folder ({}); an exercise may only read scenarios beside it. Copy the scenario into the exercise's folder and re-pin it with `changetalk exercise new`, or, if you trust this exercise, give --allow-outside",
                sref.id,
                printable(f),
                dir.display()
            ));
        }
        let p = dir.join(f);
        match read_text_limited(&p, changetalk_core::format::load::MAX_FILE_BYTES as u64) {
            Ok(text) => {
                let h = pin_hash(&text);
                if h == sref.hash {
                    let entry = library::load_entry(library::Origin::File(p.clone()), text);
                    return pinned_entry(entry, sref, &at);
                }
                seen.push(format!("{} has hash {}…", p.display(), &h[..12]));
            }
            Err(e) => seen.push(e.to_string()),
        }
    }
    let entries = library_entries.get_or_insert_with(library::all);
    for e in entries.iter() {
        let id_matches = e.loaded.as_ref().is_ok_and(|s| s.id == sref.id);
        if !id_matches {
            continue;
        }
        let h = pin_hash(&e.text);
        if h == sref.hash {
            return pinned_entry(e.clone(), sref, &at);
        }
        seen.push(format!(
            "{} has hash {}…",
            e.origin.display_name(),
            &h[..12]
        ));
    }
    if seen.is_empty() {
        return Err(format!(
            "{at}: error: scenario `{}` not found: no `file` is given and no bundled or user scenario has this id; add `file: \"path/to/{}.ron\"` (relative to the exercise file)",
            sref.id, sref.id
        ));
    }
    Err(format!(
        "{at}: error: scenario `{}` has changed since the exercise was made: the exercise pins hash {}…, but {}. Restore the pinned version of the scenario, or re-pin it with `changetalk exercise new` (results made with the old version will then be flagged)",
        sref.id,
        &sref.hash[..12],
        seen.join("; ")
    ))
}

fn pinned_entry(
    entry: library::Entry,
    sref: &ScenarioRef,
    at: &str,
) -> Result<Arc<Scenario>, String> {
    match entry.loaded {
        Ok(s) if s.id == sref.id => Ok(s),
        Ok(s) => Err(format!(
            "{at}: error: the pinned file for scenario `{}` holds scenario `{}`; fix the `id` or the `file`",
            sref.id, s.id
        )),
        Err(errs) => Err(format!(
            "{}\n{at}: error: the pinned scenario `{}` does not load (errors above)",
            errs.join("\n"),
            sref.id
        )),
    }
}

/// A student's attempt at an exercise: the record being written and where it goes.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The exercise and its pinned scenarios.
    pub loaded: LoadedExercise,
    /// The progress record (complete once [`Attempt::finish`] has run).
    pub record: ResultRecord,
    /// When the attempt started (unix ms), for choice times and the time limit.
    pub started_ms: i64,
    /// `<results>/<stem>--<id>.progress.json`, saved after every turn.
    pub progress_path: PathBuf,
    /// `<results>/<stem>--<id>.json`, written at the end.
    pub result_path: PathBuf,
    /// True when the attempt continues saved progress.
    pub resumed: bool,
    /// Save the progress file after every step (on unless a scripted run writes only its
    /// result: then nothing is on disk until [`Attempt::finish`]).
    pub save_every_step: bool,
    /// The lock on this student's attempt, held from [`begin`] to [`Attempt::finish`].
    lock: Option<Arc<AttemptLock>>,
}

/// An exclusive advisory lock (`flock`/`LockFileEx`) on `<results>/.<stem>--<id>.lock`,
/// held while a student's attempt is open, so a second run of the same student — another
/// terminal, another app window — is refused instead of overwriting the first's progress or
/// result. Released when the attempt finishes or is dropped (or the process dies). The lock
/// file itself stays (an empty hidden file): removing it would race with a run opening it.
#[derive(Debug)]
pub struct AttemptLock {
    file: File,
    path: PathBuf,
}

impl Drop for AttemptLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// Locks held by this process, by lock file: one process (the app) opening the same
/// student's attempt twice shares its lock rather than refusing itself.
static HELD_LOCKS: Mutex<Vec<(PathBuf, Weak<AttemptLock>)>> = Mutex::new(Vec::new());

/// `<dir>/.<stem>--<id>.lock`.
pub fn lock_path(dir: &Path, stem: &str, id: &str) -> PathBuf {
    dir.join(format!(".{stem}--{id}.lock"))
}

/// Takes the lock on student `id`'s attempt, or says that another run holds it. Where the
/// file system cannot lock at all, the attempt goes on unlocked (finishing still never
/// replaces a newer result: see [`Attempt::finish`]).
fn lock_attempt(path: &Path, id: &str) -> Result<Option<Arc<AttemptLock>>, FileError> {
    let mut held = HELD_LOCKS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    held.retain(|(_, w)| w.strong_count() > 0);
    if let Some(l) = held
        .iter()
        .filter(|(p, _)| p == path)
        .find_map(|(_, w)| w.upgrade())
    {
        return Ok(Some(l));
    }
    let file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| {
            FileError::file(path, format!("cannot create the attempt's lock file: {e}"))
        })?;
    match file.try_lock() {
        Ok(()) => {
            let l = Arc::new(AttemptLock {
                file,
                path: path.to_path_buf(),
            });
            held.push((path.to_path_buf(), Arc::downgrade(&l)));
            Ok(Some(l))
        }
        Err(TryLockError::WouldBlock) => Err(FileError::file(
            path,
            format!(
                "student `{id}` is already taking this exercise in another window or terminal; finish or close that one first (two runs at once could overwrite each other's result)"
            ),
        )),
        Err(TryLockError::Error(e)) => {
            eprintln!(
                "{}: warning: this folder cannot lock files ({e}); do not run the same student twice at once",
                path.display()
            );
            Ok(None)
        }
    }
}

/// Checks a student id as typed; the error says how to fix it.
pub fn check_student_id(id: &str) -> Result<(), FileError> {
    if is_valid_student_id(id) {
        return Ok(());
    }
    let id = printable(id);
    Err(FileError::plain(format!(
        "student id `{id}` cannot be used: write 1 to 128 letters, digits, `-`, `_`, `.`, `@` or `+` (the id your LMS knows, e.g. a student number or e-mail)"
    )))
}

/// Checks a student's name as typed; returns it trimmed.
pub fn check_student_name(name: &str) -> Result<String, FileError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(is_unprintable) {
        return Err(FileError::plain(
            "the student's name must be 1 to 200 characters on one line",
        ));
    }
    Ok(name.to_string())
}

/// True when two names are the same name typed differently (case, spaces): a student who
/// resumes under it is not asked which name to keep.
pub fn same_student_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    norm(a) == norm(b)
}

/// Starts or resumes student `id`'s attempt at `loaded`, with results in `dir` (created if
/// needed). Saved progress for this student is resumed exactly; a finished result counts as
/// an attempt, and starting beyond the attempts allowed is an error.
pub fn begin(
    loaded: LoadedExercise,
    name: &str,
    id: &str,
    dir: &Path,
) -> Result<Attempt, FileError> {
    // The id must be valid; the name only matters for a new attempt (saved progress keeps
    // the name it was started with unless the student chooses the new one: the app asks, see
    // `Attempt::set_student_name`).
    check_student_id(id)?;
    std::fs::create_dir_all(dir)
        .map_err(|e| FileError::file(dir, format!("cannot create the results folder: {e}")))?;
    // Leftovers of saves that were interrupted (a crash, kill -9) go first.
    clean_stray_temps(dir);
    // One run of a student at a time: the lock is taken before anything is read.
    let lock = lock_attempt(&lock_path(dir, &loaded.stem, id), id)?;
    let result_path = dir.join(result::result_file_name(&loaded.stem, id));
    let progress_path = dir.join(result::progress_file_name(&loaded.stem, id));

    // Attempts: a finished result of this exercise counts.
    let mut attempt = 1;
    if result_path.exists() {
        let prev = read_record(&result_path).map_err(|e| {
            FileError::file(&result_path, format!("a result file exists but cannot be read ({e}); move it away before starting again"))
        })?;
        let same =
            prev.exercise.hash == loaded.hash || prev.exercise.title == loaded.exercise.title;
        if !same {
            return Err(FileError::file(
                &result_path,
                format!(
                    "a result of another exercise (`{}`) is in the way: its file name is the one this exercise uses; move it to another folder first",
                    printable(&prev.exercise.title)
                ),
            ));
        }
        if prev.attempt >= loaded.exercise.attempts {
            return Err(FileError::plain(format!(
                "student `{id}` has used {} of {} attempt{} at this exercise; the result is in {}",
                prev.attempt,
                loaded.exercise.attempts,
                if loaded.exercise.attempts == 1 {
                    ""
                } else {
                    "s"
                },
                result_path.display()
            )));
        }
        attempt = prev.attempt + 1;
    }

    if progress_path.exists() {
        let rec = read_record(&progress_path).map_err(|e| {
            FileError::file(&progress_path, format!("the saved progress cannot be read ({e}); delete the file to start this exercise again"))
        })?;
        if rec.exercise.hash != loaded.hash {
            return Err(FileError::file(
                &progress_path,
                format!(
                    "this progress was saved with a different version of {}; ask your instructor (delete the progress file to start over with the new version)",
                    loaded.file_name
                ),
            ));
        }
        if rec.student.id != id {
            return Err(FileError::file(
                &progress_path,
                format!(
                    "this progress belongs to student `{}`, not `{id}`",
                    printable(&rec.student.id)
                ),
            ));
        }
        // The record must describe this exercise's scenarios, in order, with their seeds.
        let fits = rec.scenarios.len() <= loaded.scenarios.len()
            && rec.scenarios.iter().enumerate().all(|(i, run)| {
                run.id == loaded.exercise.scenarios[i].id
                    && run.hash == loaded.exercise.scenarios[i].hash
                    && run.seed == loaded.exercise.seed_of(i)
            });
        if !fits {
            return Err(FileError::file(
                &progress_path,
                "the saved progress does not match this exercise's scenarios; delete the file to start this exercise again",
            ));
        }
        let started_ms = rec.started_ms().unwrap_or_else(now_ms);
        let a = Attempt {
            loaded,
            record: rec,
            started_ms,
            progress_path,
            result_path,
            resumed: true,
            save_every_step: true,
            lock,
        };
        // Every saved reply must still replay.
        for i in 0..a.record.scenarios.len() {
            a.session(i)?;
        }
        return Ok(a);
    }
    let name = check_student_name(name)?;
    let started_ms = now_ms();
    let record = ResultRecord::new(
        Student {
            name,
            id: id.to_string(),
        },
        ExerciseInfo {
            title: loaded.exercise.title.clone(),
            hash: loaded.hash.clone(),
            file: loaded.file_name.clone(),
        },
        &loaded.exercise,
        env!("CARGO_PKG_VERSION"),
        started_ms,
        attempt,
    );
    Ok(Attempt {
        loaded,
        record,
        started_ms,
        progress_path,
        result_path,
        resumed: false,
        save_every_step: true,
        lock,
    })
}

/// The student's finished result of this exercise when every attempt is used up: the record
/// and each scenario's transcript, replayed from the recorded choices (so what is shown is
/// what the grader will compute). `None` when there is none, or attempts are left.
pub fn completed_result(
    loaded: &LoadedExercise,
    id: &str,
    dir: &Path,
) -> Option<(ResultRecord, PathBuf, Vec<Transcript>)> {
    let path = dir.join(result::result_file_name(&loaded.stem, id));
    let rec = read_record(&path).ok()?;
    if !rec.complete || rec.exercise.hash != loaded.hash || rec.attempt < loaded.exercise.attempts {
        return None;
    }
    let mut transcripts = Vec::new();
    for (i, run) in rec.scenarios.iter().enumerate() {
        let scenario = loaded.scenarios.get(i)?;
        let session =
            result::replay_run(Arc::clone(scenario), run.seed, run, Some(coder())).ok()?;
        transcripts.push(session.transcript());
    }
    Some((rec, path, transcripts))
}

/// What comes next in an attempt (see [`Attempt::next_conversation`]).
#[derive(Debug)]
pub enum Next {
    /// Scenario `index`'s conversation, replayed from the record.
    Conversation {
        /// The scenario's index in the exercise.
        index: usize,
        /// Its session, at the point the record reached.
        session: Box<Session>,
    },
    /// Every scenario is over: [`Attempt::finish`] writes the result.
    AllOver,
    /// The time limit has passed: [`Attempt::finish`] ends every conversation not over.
    TimeUp,
}

/// Why a step of an attempt did not happen, or was not saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepError {
    /// The session refused the step (no such option, nothing to take back, replies are final
    /// in an assessment); nothing changed.
    Refused(String),
    /// The time limit has passed; nothing was recorded.
    TimeUp,
    /// The saved replies no longer replay (the error names the file and the fix).
    Replay(String),
    /// The step was taken and is in the record, but the progress file could not be written.
    NotSaved(String),
}

impl std::fmt::Display for StepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StepError::Refused(e) | StepError::Replay(e) | StepError::NotSaved(e) => f.write_str(e),
            StepError::TimeUp => f.write_str("the time limit has passed"),
        }
    }
}

impl Attempt {
    /// Writes the progress file atomically.
    pub fn save_progress(&self) -> Result<(), FileError> {
        write_atomic(&self.progress_path, self.record.to_json().as_bytes())
    }

    /// Records that the replies are played by the program, not chosen by a person
    /// (`"choices"`, `"auto best"`…): the result says so and the grader flags it.
    pub fn mark_scripted(&mut self, how: &str) {
        if self.record.scripted.is_none() {
            self.record.scripted = Some(how.to_string());
        }
    }

    /// The lock file this attempt holds (see [`AttemptLock`]); `None` once finished, or where
    /// the file system cannot lock.
    pub fn lock_file(&self) -> Option<&Path> {
        self.lock.as_deref().map(|l| l.path.as_path())
    }

    /// Puts the attempt under another student name (checked as typed), for a student who
    /// resumes and says the name saved is wrong; the next save writes it (the id, the key of
    /// the attempt, never changes).
    pub fn set_student_name(&mut self, name: &str) -> Result<(), FileError> {
        self.record.student.name = check_student_name(name)?;
        Ok(())
    }

    /// Saves after a step, unless this run writes only its result.
    fn save_step(&self) -> Result<(), StepError> {
        if self.save_every_step {
            self.save_progress()
                .map_err(|e| StepError::NotSaved(e.to_string()))
        } else {
            Ok(())
        }
    }

    /// Milliseconds since the attempt started.
    pub fn elapsed_ms(&self) -> u64 {
        (now_ms() - self.started_ms).max(0) as u64
    }

    /// Milliseconds left before the time limit, if the exercise has one (0 when time is up).
    pub fn remaining_ms(&self) -> Option<u64> {
        self.loaded
            .exercise
            .time_limit_minutes
            .map(|m| (u64::from(m) * 60_000).saturating_sub(self.elapsed_ms()))
    }

    /// True when the exercise's time limit has passed.
    pub fn time_is_up(&self) -> bool {
        self.remaining_ms() == Some(0)
    }

    /// Scenario `i`'s session, replayed from the record (a fresh session when not started).
    pub fn session(&self, i: usize) -> Result<Session, FileError> {
        self.sessions_upto(i)?
            .into_iter()
            .nth(i)
            .ok_or_else(|| FileError::plain(format!("the exercise has no scenario {}", i + 1)))
    }

    /// Scenarios `0..=last`'s sessions, replayed from the record in order, once each: a
    /// course's later session starts where the one before it ended.
    fn sessions_upto(&self, last: usize) -> Result<Vec<Session>, FileError> {
        let ex = &self.loaded.exercise;
        let mut out: Vec<Session> = Vec::with_capacity(last + 1);
        for i in 0..(last + 1).min(self.loaded.scenarios.len()) {
            let scenario = Arc::clone(&self.loaded.scenarios[i]);
            let previous = ex.previous_session(i).and_then(|j| out.get(j));
            let (start, _) = result::item_start(ex, i, scenario, previous);
            let session = match self.record.scenarios.get(i) {
                None => start,
                Some(run) => result::replay_run_from(start, run, Some(coder())).map_err(|e| {
                    FileError::file(
                        &self.progress_path,
                        format!(
                            "the saved replies of scenario `{}` do not replay ({e}); delete the file to start again",
                            run.id
                        ),
                    )
                })?,
            };
            out.push(session);
        }
        Ok(out)
    }

    /// Makes sure the record lists scenarios `0..=i`.
    fn ensure_run(&mut self, i: usize) {
        while self.record.scenarios.len() <= i {
            let k = self.record.scenarios.len();
            let sref = &self.loaded.exercise.scenarios[k];
            self.record.scenarios.push(ScenarioRun {
                id: sref.id.clone(),
                hash: sref.hash.clone(),
                seed: self.loaded.exercise.seed_of(k),
                choices: Vec::new(),
                stopped: false,
                session: sref.session,
                transcript: None,
            });
        }
    }

    /// The first scenario not yet over (its ending reached or stopped); `None` when every
    /// scenario is over.
    fn current_scenario(&self) -> Result<Option<usize>, String> {
        let n = self.loaded.scenarios.len();
        let all = self.sessions_upto(n.saturating_sub(1))?;
        Ok(all.iter().position(|s| !s.is_over()))
    }

    /// What comes next: the first conversation not over, replayed from the record, or the
    /// end. Nothing starts unless its progress can be saved (a crash would otherwise lose it).
    pub fn next_conversation(&mut self) -> Result<Next, StepError> {
        if self.time_is_up() {
            return Ok(Next::TimeUp);
        }
        let Some(index) = self.current_scenario().map_err(StepError::Replay)? else {
            return Ok(Next::AllOver);
        };
        self.ensure_run(index);
        self.save_step()?;
        let session = Box::new(
            self.session(index)
                .map_err(|e| StepError::Replay(e.to_string()))?,
        );
        Ok(Next::Conversation { index, session })
    }

    /// Plays reply `number` (as displayed) in conversation `index` and records it.
    pub fn reply(
        &mut self,
        index: usize,
        session: &mut Session,
        number: usize,
    ) -> Result<(), StepError> {
        if self.time_is_up() {
            return Err(StepError::TimeUp);
        }
        let turn = session
            .choose(number)
            .map_err(|e| StepError::Refused(e.to_string()))?;
        let choice = ChoiceRecord {
            number: turn.reply.number,
            option_id: turn.reply.option.clone(),
            at_ms: self.elapsed_ms(),
            typed: None,
        };
        self.ensure_run(index);
        self.record.scenarios[index].choices.push(choice);
        self.save_step()
    }

    /// Plays a reply typed in the student's own words in conversation `index`, answered
    /// along option `number` (the nearest scripted reply, or the one the student said they
    /// meant), and records its text. Refused when the exercise allows only the options.
    pub fn say(
        &mut self,
        index: usize,
        session: &mut Session,
        reply: changetalk_core::engine::typed::TypedReply,
        number: usize,
    ) -> Result<(), StepError> {
        if self.loaded.exercise.coder.is_none() {
            return Err(StepError::Refused(
                "this exercise takes the listed replies only (its file pins no coder)".into(),
            ));
        }
        if self.time_is_up() {
            return Err(StepError::TimeUp);
        }
        let text = reply.text.clone();
        let turn = session
            .say(reply, number)
            .map_err(|e| StepError::Refused(e.to_string()))?;
        let choice = ChoiceRecord {
            number: turn.reply.number,
            option_id: turn.reply.option.clone(),
            at_ms: self.elapsed_ms(),
            typed: Some(text),
        };
        self.ensure_run(index);
        self.record.scenarios[index].choices.push(choice);
        self.save_step()
    }

    /// Plays the best- or worst-rated reply (`--auto`); `Ok(false)` when there is none, or the
    /// conversation has run to [`MAX_AUTO_TURNS`] (a scenario whose top replies loop).
    pub fn auto_reply(
        &mut self,
        index: usize,
        session: &mut Session,
        policy: AutoPolicy,
    ) -> Result<bool, StepError> {
        if session.turns().len() >= MAX_AUTO_TURNS {
            return Ok(false);
        }
        let Some(number) = session.auto_choice(policy) else {
            return Ok(false);
        };
        self.mark_scripted(match policy {
            AutoPolicy::Best => "auto best",
            AutoPolicy::Worst => "auto worst",
        });
        self.reply(index, session, number).map(|()| true)
    }

    /// Takes back the last reply of conversation `index` (practice exercises only).
    pub fn take_back(&mut self, index: usize, session: &mut Session) -> Result<(), StepError> {
        if self.loaded.exercise.mode != ExerciseMode::Practice {
            return Err(StepError::Refused(
                "replies are final in an assessment".to_string(),
            ));
        }
        if self.time_is_up() {
            return Err(StepError::TimeUp);
        }
        session
            .rewind()
            .map_err(|e| StepError::Refused(e.to_string()))?;
        self.ensure_run(index);
        self.record.scenarios[index].choices.pop();
        self.save_step()
    }

    /// Ends conversation `index` before its ending (the student, or the time limit).
    pub fn end_early(&mut self, index: usize, session: &mut Session) -> Result<(), StepError> {
        session.stop();
        self.ensure_run(index);
        self.record.scenarios[index].stopped = true;
        self.save_step()
    }

    /// Every scenario's session replayed from the record; scenarios not over are stopped
    /// (they count as ended early).
    fn sessions(&mut self) -> Result<Vec<Session>, String> {
        let n = self.loaded.scenarios.len();
        self.ensure_run(n.saturating_sub(1));
        let mut v = self.sessions_upto(n.saturating_sub(1))?;
        for (i, s) in v.iter_mut().enumerate() {
            if !s.is_over() {
                s.stop();
                self.record.scenarios[i].stopped = true;
            }
        }
        Ok(v)
    }

    /// Completes the attempt: scores it, writes the result file atomically and removes the
    /// progress file. Returns the transcripts and their scores. A result already on disk from
    /// this attempt or a later one (another run that was not locked out: a file system without
    /// locks) is never replaced: the error says so, and the progress stays saved.
    pub fn finish(&mut self) -> Result<(Vec<Transcript>, Derived), String> {
        // (An attempt that has finished before — the app saving again — rewrites its own.)
        if !self.record.complete
            && let Ok(prev) = read_record(&self.result_path)
            && prev.complete
            && prev.student.id == self.record.student.id
            && (prev.exercise.hash == self.loaded.hash
                || prev.exercise.title == self.loaded.exercise.title)
            && prev.attempt >= self.record.attempt
        {
            if self.save_every_step {
                let _ = self.save_progress();
            }
            return Err(FileError::file(
                &self.result_path,
                format!(
                    "another run of student `{}` saved attempt {} while this one (attempt {}) was open; it is kept, and this attempt's result is not written over it",
                    printable(&self.record.student.id),
                    prev.attempt,
                    self.record.attempt
                ),
            )
            .to_string());
        }
        let sessions = self.sessions()?;
        let transcripts: Vec<Transcript> = sessions.iter().map(Session::transcript).collect();
        let derived = self
            .record
            .finish(&self.loaded.exercise, &transcripts, now_ms());
        write_atomic(&self.result_path, self.record.to_json().as_bytes())?;
        if self.progress_path.exists()
            && let Err(e) = std::fs::remove_file(&self.progress_path)
        {
            eprintln!(
                "{}: warning: cannot remove the progress file ({e}); the result is saved",
                self.progress_path.display()
            );
        }
        // The attempt is over: another may start (with attempts left).
        self.lock = None;
        Ok((transcripts, derived))
    }
}
