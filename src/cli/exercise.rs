//! `changetalk exercise new|check|run`: classroom exercises on the command line.
//!
//! `run` plays an exercise for one student, scripted (`--choices`, `--auto`) or interactively
//! from standard input. Interactive progress is saved atomically after every reply to
//! `RESULTS/<exercise-stem>--<student-id>.progress.json`; starting again resumes at exactly
//! that point. The finished result goes to `RESULTS/<exercise-stem>--<student-id>.json`.

use std::io::{BufRead, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use changetalk_core::engine::Session;
use changetalk_core::exercise::{
    Exercise, ExerciseMode, PassCriteria, ScenarioRef, content_hash, load_exercise,
};
use changetalk_core::result::{
    self, ChoiceRecord, ExerciseInfo, MAX_RESULT_BYTES, ResultRecord, ScenarioRun, Student,
    is_valid_student_id, parse_result,
};
use changetalk_core::{AutoPolicy, Scenario, Transcript};
use clap::{Args, Subcommand, ValueEnum};

use super::Auto;
use super::text_report::{client_line, codes_label, score_text};
use crate::files::{read_text_limited, write_atomic};
use crate::library;

/// Options of `changetalk exercise`.
#[derive(Debug, Args)]
pub struct ExerciseArgs {
    /// What to do with an exercise.
    #[command(subcommand)]
    pub command: ExerciseCommand,
}

/// `--mode` of `exercise new`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ModeChoice {
    /// Feedback only at the end; replies are final.
    Assessment,
    /// Feedback after every reply; `b` takes a reply back.
    Practice,
}

/// The `exercise` subcommands.
#[derive(Debug, Subcommand)]
pub enum ExerciseCommand {
    /// Write a new exercise file with the scenarios pinned by content hash.
    New {
        /// Scenario ids or files, in the order students play them.
        #[arg(long = "scenario", required = true, num_args = 1..)]
        scenarios: Vec<String>,
        /// The exercise file to write (never overwritten).
        #[arg(short, long)]
        output: PathBuf,
        /// Title (gradebook columns are named after it).
        #[arg(long)]
        title: Option<String>,
        /// What students are asked to do.
        #[arg(long, default_value = "")]
        instructions: String,
        /// Seed every student plays with.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Assessment (feedback at the end) or practice.
        #[arg(long, value_enum, default_value_t = ModeChoice::Assessment)]
        mode: ModeChoice,
        /// Minimum overall score (0–100) to pass.
        #[arg(long, default_value_t = 60.0)]
        pass: f64,
        /// Minimum reflection-to-question ratio to pass.
        #[arg(long)]
        min_rq: Option<f64>,
        /// Minimum % complex reflections to pass.
        #[arg(long)]
        min_complex: Option<f64>,
        /// Minimum % open questions to pass.
        #[arg(long)]
        min_open: Option<f64>,
        /// Most MI-non-adherent replies (persuade, confront) allowed.
        #[arg(long)]
        max_non_adherent: Option<u32>,
        /// Attempts each student may make.
        #[arg(long, default_value_t = 1)]
        attempts: u32,
        /// Time limit in minutes.
        #[arg(long)]
        time_limit: Option<u32>,
    },
    /// Check an exercise file and that every pinned scenario is available unchanged.
    Check {
        /// The exercise file.
        file: PathBuf,
    },
    /// Play an exercise as a student; without --choices or --auto, interactively.
    Run {
        /// The exercise file.
        file: PathBuf,
        /// The student's name.
        #[arg(long)]
        student: String,
        /// The student's id in the LMS (student number, ID number or e-mail).
        #[arg(long)]
        id: String,
        /// Replies as option numbers, once per scenario in order: --choices 1,2 --choices 3,1.
        #[arg(long, conflicts_with = "auto")]
        choices: Option<Vec<String>>,
        /// Play the best- or worst-rated reply at every point.
        #[arg(long, value_enum)]
        auto: Option<Auto>,
        /// Results folder (default: the app's, `<data>/results`).
        #[arg(long)]
        results: Option<PathBuf>,
    },
}

/// Runs `exercise …`; returns the exit code.
pub fn run(args: ExerciseArgs) -> i32 {
    let outcome = match args.command {
        ExerciseCommand::New {
            scenarios,
            output,
            title,
            instructions,
            seed,
            mode,
            pass,
            min_rq,
            min_complex,
            min_open,
            max_non_adherent,
            attempts,
            time_limit,
        } => new_exercise(NewOptions {
            scenarios,
            output,
            title,
            instructions,
            seed,
            mode: match mode {
                ModeChoice::Assessment => ExerciseMode::Assessment,
                ModeChoice::Practice => ExerciseMode::Practice,
            },
            pass: PassCriteria {
                overall: pass,
                min_reflection_to_question: min_rq,
                min_percent_complex_reflections: min_complex,
                min_percent_open_questions: min_open,
                max_non_adherent,
                ..Default::default()
            },
            attempts,
            time_limit,
        }),
        ExerciseCommand::Check { file } => check(&file),
        ExerciseCommand::Run {
            file,
            student,
            id,
            choices,
            auto,
            results,
        } => run_exercise(&file, &student, &id, choices, auto, results),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

/// The results folder the app and `exercise run` use: `$CHANGETALK_HOME/data/results`, or
/// the platform data folder's `results` (`~/.local/share/changetalk/results` on Linux).
pub fn default_results_dir() -> Option<PathBuf> {
    if let Ok(home) = std::env::var("CHANGETALK_HOME") {
        return Some(PathBuf::from(home).join("data").join("results"));
    }
    directories::ProjectDirs::from("org", "ChangeTalk", "changetalk")
        .map(|d| d.data_dir().join("results"))
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

/// Reads an exercise and finds every pinned scenario: the `file` next to the exercise, or a
/// bundled or user scenario with the id, whichever has the pinned hash. Errors name the
/// file, the line and column, and the fix.
pub fn load(path: &Path) -> Result<LoadedExercise, String> {
    let shown = path.display().to_string();
    let text = read_text_limited(path, changetalk_core::exercise::MAX_EXERCISE_BYTES as u64)?;
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
        )?);
    }
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("exercise")
        .to_string();
    Ok(LoadedExercise {
        exercise,
        hash: content_hash(text.as_bytes()),
        file_name: path
            .file_name()
            .and_then(|s| s.to_str())
            .unwrap_or("exercise.ron")
            .to_string(),
        stem,
        scenarios,
    })
}

fn find_pinned(
    sref: &ScenarioRef,
    dir: &Path,
    exercise_name: &str,
    exercise_text: &str,
    library_entries: &mut Option<Vec<library::Entry>>,
) -> Result<Arc<Scenario>, String> {
    let (line, col) = changetalk_core::LineIndex::new(exercise_text).line_col(sref.span.start);
    let at = format!("{exercise_name}:{line}:{col}");
    let mut seen: Vec<String> = Vec::new();
    if let Some(f) = &sref.file {
        let p = dir.join(f);
        match read_text_limited(&p, changetalk_core::load::MAX_FILE_BYTES as u64) {
            Ok(text) => {
                let h = content_hash(text.as_bytes());
                if h == sref.hash {
                    let entry = library::load_entry(library::Origin::File(p.clone()), text);
                    return pinned_entry(entry, sref, &at);
                }
                seen.push(format!("{} has hash {}…", p.display(), &h[..12]));
            }
            Err(e) => seen.push(e),
        }
    }
    let entries = library_entries.get_or_insert_with(library::all);
    for e in entries.iter() {
        let id_matches = e.loaded.as_ref().is_ok_and(|s| s.id == sref.id);
        if !id_matches {
            continue;
        }
        let h = content_hash(e.text.as_bytes());
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

// ---------------------------------------------------------------------------------------
// exercise new / check
// ---------------------------------------------------------------------------------------

struct NewOptions {
    scenarios: Vec<String>,
    output: PathBuf,
    title: Option<String>,
    instructions: String,
    seed: u64,
    mode: ExerciseMode,
    pass: PassCriteria,
    attempts: u32,
    time_limit: Option<u32>,
}

fn new_exercise(o: NewOptions) -> Result<i32, String> {
    let shown = o.output.display().to_string();
    if o.output.symlink_metadata().is_ok() {
        return Err(format!(
            "{shown}: error: already exists; `exercise new` never overwrites a file: choose another name with -o FILE"
        ));
    }
    if o.seed > i64::MAX as u64 {
        return Err(format!("error: --seed must be at most {}", i64::MAX));
    }
    let out_dir = o
        .output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let mut refs: Vec<ScenarioRef> = Vec::new();
    let mut titles: Vec<String> = Vec::new();
    for arg in &o.scenarios {
        let path = Path::new(arg);
        let looks_like_path =
            path.exists() || arg.ends_with(".ron") || arg.contains(std::path::MAIN_SEPARATOR);
        let (scenario, text, file) = if looks_like_path {
            let entry = library::load_file(path);
            let s = entry.loaded.map_err(|e| e.join("\n"))?;
            (s, entry.text, Some(relative_path(path, &out_dir)))
        } else {
            let entries = library::all();
            let ids: Vec<String> = entries
                .iter()
                .filter_map(|e| e.loaded.as_ref().ok().map(|s| s.id.clone()))
                .collect();
            let Some(e) = entries
                .into_iter()
                .find(|e| e.loaded.as_ref().is_ok_and(|s| s.id == *arg))
            else {
                let hint = changetalk_core::load::suggest(arg, ids.iter().map(String::as_str));
                return Err(format!(
                    "error: no scenario file or id `{arg}`{hint}; known ids: {}",
                    ids.join(", ")
                ));
            };
            let s = e.loaded.map_err(|e| e.join("\n"))?;
            (s, e.text, None)
        };
        if refs.iter().any(|r| r.id == scenario.id) {
            return Err(format!(
                "error: scenario `{}` is named twice; each scenario may appear once",
                scenario.id
            ));
        }
        titles.push(scenario.title.clone());
        refs.push(ScenarioRef {
            id: scenario.id.clone(),
            hash: content_hash(text.as_bytes()),
            file,
            seed: None,
            span: Default::default(),
        });
    }
    let ex = Exercise {
        title: o.title.unwrap_or_else(|| titles.join(" + ")),
        instructions: o.instructions,
        scenarios: refs,
        seed: o.seed,
        mode: o.mode,
        pass: o.pass,
        attempts: o.attempts,
        time_limit_minutes: o.time_limit,
    };
    let text = ex.to_ron();
    // Check what is about to be written with the same reader that will read it.
    if let Err(d) = load_exercise(&text) {
        return Err(library::render(&d, &shown, &text).join("\n"));
    }
    write_atomic(&o.output, text.as_bytes())?;
    println!(
        "wrote {shown}: `{}`, {} scenario{} pinned by SHA-256",
        ex.title,
        ex.scenarios.len(),
        if ex.scenarios.len() == 1 { "" } else { "s" }
    );
    for s in &ex.scenarios {
        println!("  {}  {}", s.id, s.hash);
    }
    println!("next:  changetalk exercise check {shown}");
    println!("       changetalk exercise run {shown} --student NAME --id ID");
    println!("       changetalk grade {shown} RESULTS_DIR --csv gradebook.csv");
    Ok(0)
}

/// `target` relative to `base` when both resolve, else `target` as given; `/` separators.
fn relative_path(target: &Path, base: &Path) -> String {
    let abs = |p: &Path| std::fs::canonicalize(p).ok();
    let rel = (|| {
        let t = abs(target)?;
        let b = abs(base)?;
        let tc: Vec<Component> = t.components().collect();
        let bc: Vec<Component> = b.components().collect();
        let common = tc.iter().zip(&bc).take_while(|(a, b)| a == b).count();
        let mut parts: Vec<String> = Vec::new();
        for _ in common..bc.len() {
            parts.push("..".to_string());
        }
        for c in &tc[common..] {
            parts.push(c.as_os_str().to_string_lossy().into_owned());
        }
        Some(parts.join("/"))
    })();
    rel.unwrap_or_else(|| target.display().to_string())
}

fn check(file: &Path) -> Result<i32, String> {
    let l = load(file)?;
    let ex = &l.exercise;
    println!(
        "{}: ok (`{}`, {} mode, seed {}, {} attempt{}{})",
        file.display(),
        ex.title,
        ex.mode.ron_name().to_lowercase(),
        ex.seed,
        ex.attempts,
        if ex.attempts == 1 { "" } else { "s" },
        ex.time_limit_minutes
            .map(|t| format!(", {t}-minute limit"))
            .unwrap_or_default()
    );
    for (r, s) in ex.scenarios.iter().zip(&l.scenarios) {
        println!("  {} — {}: found, hash matches", r.id, s.title);
    }
    Ok(0)
}

// ---------------------------------------------------------------------------------------
// exercise run
// ---------------------------------------------------------------------------------------

struct Play<'a> {
    loaded: &'a LoadedExercise,
    record: ResultRecord,
    started_ms: i64,
    progress_path: PathBuf,
}

impl Play<'_> {
    fn save_progress(&self) -> Result<(), String> {
        write_atomic(&self.progress_path, self.record.to_json().as_bytes())
    }

    fn elapsed_ms(&self) -> u64 {
        (now_ms() - self.started_ms).max(0) as u64
    }

    fn session(&self, i: usize) -> Result<Session, String> {
        let run = &self.record.scenarios[i];
        result::replay_run(
            Arc::clone(&self.loaded.scenarios[i]),
            self.loaded.exercise.seed_of(i),
            run,
        )
        .map_err(|e| {
            format!(
                "{}: error: the saved replies of scenario `{}` do not replay ({e}); delete the file to start again",
                self.progress_path.display(),
                run.id
            )
        })
    }

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
                transcript: None,
            });
        }
    }
}

fn run_exercise(
    file: &Path,
    name: &str,
    id: &str,
    choices: Option<Vec<String>>,
    auto: Option<Auto>,
    results: Option<PathBuf>,
) -> Result<i32, String> {
    if !is_valid_student_id(id) {
        return Err(format!(
            "error: student id `{id}` cannot be used: write 1 to 128 letters, digits, `-`, `_`, `.`, `@` or `+` (the id your LMS knows, e.g. a student number or e-mail)"
        ));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(
            "error: --student must be the student's name (1 to 200 characters, one line)"
                .to_string(),
        );
    }
    let loaded = load(file)?;
    let dir = match results {
        Some(d) => d,
        None => default_results_dir().ok_or(
            "error: cannot find a data folder for results on this system; give --results DIR",
        )?,
    };
    std::fs::create_dir_all(&dir).map_err(|e| {
        format!(
            "{}: error: cannot create the results folder: {e}",
            dir.display()
        )
    })?;
    let result_path = dir.join(result::result_file_name(&loaded.stem, id));
    let progress_path = dir.join(result::progress_file_name(&loaded.stem, id));

    // Attempts: a finished result of this exercise counts.
    let mut attempt = 1;
    if result_path.exists() {
        let prev = read_record(&result_path).map_err(|e| {
            format!(
                "{}: error: a result file exists but cannot be read ({e}); move it away before starting again",
                result_path.display()
            )
        })?;
        if prev.exercise.hash == loaded.hash || prev.exercise.title == loaded.exercise.title {
            if prev.attempt >= loaded.exercise.attempts {
                return Err(format!(
                    "error: student `{id}` has used {} of {} attempt{} at this exercise; the result is in {}",
                    prev.attempt,
                    loaded.exercise.attempts,
                    if loaded.exercise.attempts == 1 {
                        ""
                    } else {
                        "s"
                    },
                    result_path.display()
                ));
            }
            attempt = prev.attempt + 1;
        }
    }

    let existing = if progress_path.exists() {
        Some(read_record(&progress_path).map_err(|e| {
            format!(
                "{}: error: the saved progress cannot be read ({e}); delete the file to start this exercise again",
                progress_path.display()
            )
        })?)
    } else {
        None
    };
    let scripted = choices.is_some() || auto.is_some();
    if scripted && existing.is_some() {
        return Err(format!(
            "{}: error: student `{id}` has an exercise in progress; continue it interactively (without --choices or --auto), or delete the file to start over",
            progress_path.display()
        ));
    }
    let (record, started_ms) = match existing {
        Some(rec) => {
            if rec.exercise.hash != loaded.hash {
                return Err(format!(
                    "{}: error: this progress was saved with a different version of {}; ask your instructor (delete the progress file to start over with the new version)",
                    progress_path.display(),
                    file.display()
                ));
            }
            if rec.student.id != id {
                return Err(format!(
                    "{}: error: this progress belongs to student `{}`, not `{id}`",
                    progress_path.display(),
                    rec.student.id
                ));
            }
            let started = rec.started_ms().unwrap_or_else(now_ms);
            (rec, started)
        }
        None => {
            let started = now_ms();
            let rec = ResultRecord::new(
                Student {
                    name: name.to_string(),
                    id: id.to_string(),
                },
                ExerciseInfo {
                    title: loaded.exercise.title.clone(),
                    hash: loaded.hash.clone(),
                    file: loaded.file_name.clone(),
                },
                &loaded.exercise,
                env!("CARGO_PKG_VERSION"),
                started,
                attempt,
            );
            (rec, started)
        }
    };
    let mut play = Play {
        loaded: &loaded,
        record,
        started_ms,
        progress_path,
    };
    let sessions = if scripted {
        scripted_play(&mut play, choices, auto)?
    } else {
        match interactive_play(&mut play)? {
            Some(s) => s,
            None => return Ok(0),
        }
    };
    let transcripts: Vec<Transcript> = sessions.iter().map(Session::transcript).collect();
    play.record.finish(&loaded.exercise, &transcripts, now_ms());
    write_atomic(&result_path, play.record.to_json().as_bytes())?;
    if play.progress_path.exists()
        && let Err(e) = std::fs::remove_file(&play.progress_path)
    {
        eprintln!(
            "{}: warning: cannot remove the progress file ({e}); the result is saved",
            play.progress_path.display()
        );
    }
    print_summary(&loaded, &play.record, &transcripts, scripted);
    println!("result saved to {}", result_path.display());
    Ok(0)
}

fn read_record(path: &Path) -> Result<ResultRecord, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() > MAX_RESULT_BYTES {
        return Err("the file is too large to be a result".to_string());
    }
    parse_result(&bytes)
}

fn scripted_play(
    play: &mut Play,
    choices: Option<Vec<String>>,
    auto: Option<Auto>,
) -> Result<Vec<Session>, String> {
    let ex = &play.loaded.exercise;
    let n = ex.scenarios.len();
    let groups: Option<Vec<Vec<usize>>> = match choices {
        Some(groups) => {
            if groups.len() != n {
                return Err(format!(
                    "error: this exercise has {n} scenario{}; give --choices once per scenario, in order ({} given)",
                    if n == 1 { "" } else { "s" },
                    groups.len()
                ));
            }
            let mut parsed = Vec::new();
            for g in &groups {
                let mut v = Vec::new();
                for part in g.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    v.push(part.parse::<usize>().map_err(|_| {
                        format!("error: --choices `{g}`: `{part}` is not an option number")
                    })?);
                }
                parsed.push(v);
            }
            Some(parsed)
        }
        None => None,
    };
    let mut sessions = Vec::new();
    for i in 0..n {
        play.ensure_run(i);
        let mut s = Session::new(Arc::clone(&play.loaded.scenarios[i]), ex.seed_of(i));
        match (&groups, auto) {
            (Some(groups), _) => {
                let g = &groups[i];
                for (k, c) in g.iter().enumerate() {
                    if s.is_over() {
                        return Err(format!(
                            "error: scenario `{}` ended after {k} replies, but {} choices were given; remove the extra {}",
                            ex.scenarios[i].id,
                            g.len(),
                            g.len() - k
                        ));
                    }
                    s.choose(*c)
                        .map_err(|e| format!("error: scenario `{}`: {e}", ex.scenarios[i].id))?;
                }
            }
            (None, Some(policy)) => s.auto_play(AutoPolicy::from(policy), 10_000),
            (None, None) => {}
        }
        let at = play.elapsed_ms();
        let run = &mut play.record.scenarios[i];
        run.choices = s
            .turns()
            .iter()
            .map(|t| ChoiceRecord {
                number: t.reply.number,
                option_id: t.reply.option.clone(),
                at_ms: at,
            })
            .collect();
        if !s.is_over() {
            s.stop();
            run.stopped = true;
        }
        sessions.push(s);
    }
    Ok(sessions)
}

/// Plays interactively from standard input; `None` when the student paused (progress kept).
fn interactive_play(play: &mut Play) -> Result<Option<Vec<Session>>, String> {
    let ex = play.loaded.exercise.clone();
    let n = ex.scenarios.len();
    let restored: usize = play.record.scenarios.iter().map(|r| r.choices.len()).sum();
    println!("{}", ex.title);
    if !ex.instructions.trim().is_empty() {
        println!("{}", ex.instructions.trim());
    }
    println!(
        "Student: {} ({}) · {} · attempt {} of {}{}",
        play.record.student.name,
        play.record.student.id,
        match ex.mode {
            ExerciseMode::Assessment => "assessment: feedback at the end",
            ExerciseMode::Practice => "practice: feedback after every reply",
        },
        play.record.attempt,
        ex.attempts,
        ex.time_limit_minutes
            .map(|t| format!(" · {t}-minute limit"))
            .unwrap_or_default()
    );
    println!(
        "Type the number of your reply{}; `end` ends this conversation; `q` saves and quits (run the same command to continue).\n",
        if ex.mode == ExerciseMode::Practice {
            "; `b` takes back the last reply"
        } else {
            ""
        }
    );
    if restored > 0 {
        println!(
            "Resuming: {restored} earlier repl{} restored from {}.\n",
            if restored == 1 { "y" } else { "ies" },
            play.progress_path.display()
        );
    }
    play.ensure_run(0);
    play.save_progress()?;
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut sessions: Vec<Session> = Vec::new();
    let mut time_up = false;
    for i in 0..n {
        play.ensure_run(i);
        let mut session = play.session(i)?;
        if time_up && !session.is_over() {
            play.record.scenarios[i].stopped = true;
            session.stop();
        }
        if session.is_over() {
            sessions.push(session);
            continue;
        }
        let scenario = Arc::clone(&play.loaded.scenarios[i]);
        let who = scenario.persona.name.clone();
        println!(
            "=== Scenario {} of {n}: {} — {} ===\n{}\n",
            i + 1,
            scenario.title,
            who,
            scenario.persona.situation
        );
        if !session.choices().is_empty() {
            println!(
                "Continuing at turn {} ({} earlier repl{} restored).\n",
                session.choices().len() + 1,
                session.choices().len(),
                if session.choices().len() == 1 {
                    "y"
                } else {
                    "ies"
                }
            );
        }
        play.save_progress()?;
        while !session.is_over() {
            let (Some(point), Some(line)) = (
                session.current_point().cloned(),
                session.current_line().cloned(),
            ) else {
                break;
            };
            println!("Turn {}", session.choices().len() + 1);
            println!("{}", client_line(&who, &line));
            for (k, o) in point.options.iter().enumerate() {
                println!("  {}) {}", k + 1, o.text);
            }
            print!("> ");
            let _ = std::io::stdout().flush();
            let input = match lines.next() {
                Some(Ok(l)) => l,
                _ => {
                    println!();
                    println!(
                        "Progress saved to {}; run the same command to continue.",
                        play.progress_path.display()
                    );
                    return Ok(None);
                }
            };
            if let Some(limit) = ex.time_limit_minutes
                && play.elapsed_ms() > u64::from(limit) * 60_000
            {
                println!("\nTime is up ({limit} minutes): the exercise ends here.");
                time_up = true;
                play.record.scenarios[i].stopped = true;
                session.stop();
                play.save_progress()?;
                break;
            }
            match input.trim() {
                "q" | "quit" => {
                    println!(
                        "Progress saved to {}; run the same command to continue.",
                        play.progress_path.display()
                    );
                    return Ok(None);
                }
                "end" => {
                    play.record.scenarios[i].stopped = true;
                    session.stop();
                    play.save_progress()?;
                    println!("(conversation ended)\n");
                }
                "b" | "back" if ex.mode == ExerciseMode::Practice => match session.rewind() {
                    Ok(()) => {
                        play.record.scenarios[i].choices.pop();
                        play.save_progress()?;
                        println!("(took back the last reply)\n");
                    }
                    Err(e) => println!("({e})\n"),
                },
                "b" | "back" => println!("(replies are final in an assessment)\n"),
                other => match other.parse::<usize>() {
                    Ok(k) => match session.choose(k) {
                        Ok(turn) => {
                            let option_id = turn.reply.option.clone();
                            let feedback = format!(
                                "  [{} · rating {}/5] {}\n",
                                codes_label(&turn.reply.codes),
                                turn.reply.rating,
                                turn.reply.feedback
                            );
                            let at_ms = play.elapsed_ms();
                            play.record.scenarios[i].choices.push(ChoiceRecord {
                                number: k,
                                option_id,
                                at_ms,
                            });
                            play.save_progress()?;
                            if ex.mode == ExerciseMode::Practice {
                                println!("{feedback}");
                            } else {
                                println!("  (reply recorded)\n");
                            }
                        }
                        Err(e) => println!("({e})\n"),
                    },
                    Err(_) => println!(
                        "(type a number from 1 to {}, `end` or `q`)\n",
                        point.options.len()
                    ),
                },
            }
        }
        if let Some(e) = session.ending() {
            println!("ENDING: {}\n{}\n", e.title, e.text);
        }
        sessions.push(session);
    }
    Ok(Some(sessions))
}

fn print_summary(
    loaded: &LoadedExercise,
    record: &ResultRecord,
    transcripts: &[Transcript],
    scripted: bool,
) {
    let ex = &loaded.exercise;
    let d = result::derive(ex, transcripts);
    if !scripted {
        for (i, s) in d.scores.iter().enumerate() {
            println!("--- {} ---", ex.scenarios[i].id);
            print!("{}", score_text(s));
        }
    }
    for (i, s) in d.scores.iter().enumerate() {
        let failed: Vec<&str> = d.checks[i]
            .iter()
            .filter(|c| !c.met)
            .map(|c| c.criterion.as_str())
            .collect();
        println!(
            "{}: overall {:.1} — {}{}",
            ex.scenarios[i].id,
            s.overall,
            if d.scenario_passed[i] { "pass" } else { "fail" },
            if failed.is_empty() {
                String::new()
            } else {
                format!(" (not met: {})", failed.join(", "))
            }
        );
    }
    println!(
        "{} — {} ({}): total {:.1}, {}",
        ex.title,
        record.student.name,
        record.student.id,
        d.total,
        if d.passed { "PASS" } else { "FAIL" }
    );
}
