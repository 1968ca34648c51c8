//! `changetalk exercise new|check|run`: classroom exercises on the command line.
//!
//! `run` plays an exercise for one student, scripted (`--choices`, `--auto`) or interactively
//! from standard input. Interactive progress is saved atomically after every reply to
//! `RESULTS/<exercise-stem>--<student-id>.progress.json`; starting again resumes at exactly
//! that point. The finished result goes to `RESULTS/<exercise-stem>--<student-id>.json`.

use std::io::{BufRead, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use changetalk_core::classroom::exercise::{
    Exercise, ExerciseMode, PassCriteria, ScenarioRef, load_exercise, pin_hash,
};
use changetalk_core::classroom::result::{Derived, ResultRecord};
use changetalk_core::engine::Session;
use clap::{Args, Subcommand};

use super::text_report::{client_line, print_replies, score_text};
use super::{Auto, ModeArg};
use crate::classroom::{self, Attempt, Next, StepError, check_student_id};
use crate::classroom::{LoadedExercise, default_results_dir, load_with};
use crate::files::write_atomic;
use crate::library;
use changetalk_core::classroom::printable::printable;
use changetalk_core::miti::codes::codes_label;

/// Options of `changetalk exercise`.
#[derive(Debug, Args)]
pub struct ExerciseArgs {
    /// What to do with an exercise.
    #[command(subcommand)]
    pub command: ExerciseCommand,
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
        #[arg(long, value_enum, default_value_t = ModeArg::Assessment)]
        mode: ModeArg,
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
        /// Fewest replies each scenario needs to pass.
        #[arg(long)]
        min_turns: Option<u32>,
        /// Let students also reply in their own words, coded by the offline coder (its
        /// model is pinned by hash: the grader flags a different one).
        #[arg(long)]
        free_text: bool,
    },
    /// Check an exercise file and that every pinned scenario is available unchanged.
    Check {
        /// The exercise file.
        file: PathBuf,
        /// Read scenario `file:`s outside the exercise's folder (only for exercises you trust).
        #[arg(long)]
        allow_outside: bool,
    },
    /// Play an exercise as a student; without --choices or --auto, interactively. Scripted
    /// replies (--choices, --auto) are for practice exercises only, and the result says so.
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
        /// Read scenario `file:`s outside the exercise's folder (only for exercises you trust).
        #[arg(long)]
        allow_outside: bool,
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
            min_turns,
            free_text,
        } => new_exercise(NewOptions {
            scenarios,
            output,
            title,
            instructions,
            seed,
            mode: match mode {
                ModeArg::Assessment => ExerciseMode::Assessment,
                ModeArg::Practice => ExerciseMode::Practice,
            },
            pass: PassCriteria {
                overall: pass,
                min_reflection_to_question: min_rq,
                min_percent_complex_reflections: min_complex,
                min_percent_open_questions: min_open,
                max_non_adherent,
                min_turns,
                ..Default::default()
            },
            attempts,
            time_limit,
            free_text,
        }),
        ExerciseCommand::Check {
            file,
            allow_outside,
        } => check(&file, allow_outside),
        ExerciseCommand::Run {
            file,
            student,
            id,
            choices,
            auto,
            results,
            allow_outside,
        } => run_exercise(
            &file,
            &student,
            &id,
            Script { choices, auto },
            results,
            allow_outside,
        ),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{e}");
            1
        }
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
    free_text: bool,
}

fn new_exercise(o: NewOptions) -> Result<i32, String> {
    let shown = o.output.display().to_string();
    if o.output.symlink_metadata().is_ok() {
        return Err(format!(
            "{shown}: error: already exists; `exercise new` never overwrites a file: choose another name with -o FILE"
        ));
    }
    let out_dir = o
        .output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let mut refs: Vec<ScenarioRef> = Vec::new();
    let mut titles: Vec<String> = Vec::new();
    let mut outside: Vec<String> = Vec::new();
    // The bundled and user scenarios are read once, when the first id needs them.
    let mut entries: Option<Vec<library::Entry>> = None;
    for arg in &o.scenarios {
        let (entry, file) = if library::looks_like_path(arg) {
            let path = Path::new(arg);
            (
                library::load_file(path),
                Some(relative_path(path, &out_dir)),
            )
        } else {
            let all = entries.get_or_insert_with(library::all);
            let found = library::find_entry(arg, all).map_err(|e| e.to_string())?;
            (found.clone(), None)
        };
        let scenario = entry.loaded.map_err(|e| e.join("\n"))?;
        let text = entry.text;
        if let Some(f) = &file
            && !classroom::file_is_inside(&out_dir, f)
        {
            outside.push(f.clone());
        }
        if refs.iter().any(|r| r.id == scenario.id) {
            return Err(format!(
                "error: scenario `{}` is named twice; each scenario may appear once",
                scenario.id
            ));
        }
        titles.push(scenario.title.clone());
        // A course is pinned once per session, in order: every session is played and graded.
        let sessions: Vec<Option<usize>> = if scenario.is_course() {
            (1..=scenario.session_count()).map(Some).collect()
        } else {
            vec![None]
        };
        let hash = pin_hash(&text);
        for session in sessions {
            refs.push(ScenarioRef {
                id: scenario.id.clone(),
                hash: hash.clone(),
                file: file.clone(),
                seed: None,
                session,
                span: Default::default(),
            });
        }
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
        coder: o.free_text.then(|| {
            changetalk_core::engine::typed::ReplyCoder::model_hash(
                crate::free_text::OfflineCoder::shared(),
            )
        }),
    };
    let text = ex.to_ron();
    // Check what is about to be written with the same reader that will read it.
    if let Err(d) = load_exercise(&text) {
        return Err(library::render(&d, &shown, &text).join("\n"));
    }
    write_atomic(&o.output, text.as_bytes())?;
    for f in &outside {
        eprintln!(
            "{shown}: warning: scenario file `{f}` is outside the exercise's folder: `exercise run`, `exercise check` and `grade` refuse it unless given --allow-outside (and the app refuses it). Copy the scenario into the exercise's folder and create the exercise again"
        );
    }
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

fn check(file: &Path, allow_outside: bool) -> Result<i32, String> {
    let l = load_with(file, allow_outside)?;
    let ex = &l.exercise;
    println!(
        "{}: ok (`{}`, {} mode, seed {}, {} attempt{}{})",
        file.display(),
        printable(&ex.title),
        ex.mode.ron_name().to_lowercase(),
        ex.seed,
        ex.attempts,
        if ex.attempts == 1 { "" } else { "s" },
        ex.time_limit_minutes
            .map(|t| format!(", {t}-minute limit"))
            .unwrap_or_default()
    );
    for (r, s) in ex.scenarios.iter().zip(&l.scenarios) {
        println!("  {} — {}: found, hash matches", r.id, printable(&s.title));
    }
    Ok(0)
}

// ---------------------------------------------------------------------------------------
// exercise run
// ---------------------------------------------------------------------------------------

/// Scripted replies given to `exercise run`.
struct Script {
    choices: Option<Vec<String>>,
    auto: Option<Auto>,
}

impl Script {
    /// How the result names a scripted run (`"choices"`, `"auto best"`), or `None`.
    fn how(&self) -> Option<&'static str> {
        match (&self.choices, self.auto) {
            (Some(_), _) => Some("choices"),
            (None, Some(Auto::Best)) => Some("auto best"),
            (None, Some(Auto::Worst)) => Some("auto worst"),
            (None, None) => None,
        }
    }
}

fn run_exercise(
    file: &Path,
    name: &str,
    id: &str,
    script: Script,
    results: Option<PathBuf>,
    allow_outside: bool,
) -> Result<i32, String> {
    // Check the student first: a typo in the id should not wait for the scenarios to load.
    check_student_id(id)?;
    let loaded = load_with(file, allow_outside)?;
    let scripted = script.how();
    if let Some(how) = scripted
        && loaded.exercise.mode == ExerciseMode::Assessment
    {
        return Err(format!(
            "{}: error: this exercise is an assessment: replies must be the student's own, so --{} is refused. Play it without --choices and --auto; to try scripted replies, make a practice copy (`changetalk exercise new … --mode practice`)",
            file.display(),
            if how == "choices" { "choices" } else { "auto" }
        ));
    }
    let dir = match results {
        Some(d) => d,
        None => default_results_dir().ok_or(
            "error: cannot find a data folder for results on this system; give --results DIR",
        )?,
    };
    let mut play = classroom::begin(loaded, name, id, &dir)?;
    if scripted.is_some() && play.resumed {
        return Err(format!(
            "{}: error: student `{id}` has an exercise in progress; continue it interactively (without --choices or --auto), or delete the file to start over",
            play.progress_path.display()
        ));
    }
    if let Some(how) = scripted {
        play.mark_scripted(how);
        scripted_play(&mut play, script.choices, script.auto)?;
    } else if !interactive_play(&mut play)? {
        return Ok(0);
    }
    let (_, derived) = play.finish()?;
    print_summary(&play.loaded, &play.record, &derived, scripted.is_some());
    println!("result saved to {}", play.result_path.display());
    Ok(0)
}

/// `--choices` (one list per scenario) or `--auto`: every reply through the same steps as a
/// typed run, written only as the final result (a run that fails part-way leaves nothing).
fn scripted_play(
    play: &mut Attempt,
    choices: Option<Vec<String>>,
    auto: Option<Auto>,
) -> Result<(), String> {
    let ex = play.loaded.exercise.clone();
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
    play.save_every_step = false;
    while let Next::Conversation {
        index: i,
        mut session,
    } = play.next_conversation().map_err(step)?
    {
        let id = &ex.scenarios[i].id;
        match (&groups, auto) {
            (Some(groups), _) => {
                let g = &groups[i];
                for (k, c) in g.iter().enumerate() {
                    if session.is_over() {
                        return Err(format!(
                            "error: scenario `{id}` ended after {}, but {} given; remove the extra {}",
                            super::text_report::count(k, "reply", "replies"),
                            super::text_report::count(g.len(), "choice was", "choices were"),
                            g.len() - k
                        ));
                    }
                    play.reply(i, &mut session, *c)
                        .map_err(|e| format!("error: scenario `{id}`: {e}"))?;
                }
            }
            (None, Some(policy)) => {
                while !session.is_over()
                    && play
                        .auto_reply(i, &mut session, policy.into())
                        .map_err(step)?
                {}
            }
            (None, None) => {}
        }
        // A conversation the replies do not finish counts as ended early.
        if !session.is_over() {
            play.end_early(i, &mut session).map_err(step)?;
        }
    }
    Ok(())
}

/// A step's error for the terminal.
fn step(e: StepError) -> String {
    e.to_string()
}

/// Plays interactively from standard input; false when the student paused (progress kept).
fn interactive_play(play: &mut Attempt) -> Result<bool, String> {
    let ex = play.loaded.exercise.clone();
    let n = ex.scenarios.len();
    let restored: usize = play.record.scenarios.iter().map(|r| r.choices.len()).sum();
    println!("{}", printable(&ex.title));
    if !ex.instructions.trim().is_empty() {
        for line in ex.instructions.trim().lines() {
            println!("{}", printable(line));
        }
    }
    println!(
        "Student: {} ({}) · {} · attempt {} of {}{}",
        printable(&play.record.student.name),
        printable(&play.record.student.id),
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
    if ex.coder.is_some() {
        println!("You may also type a reply in your own words instead of a number.");
    }
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
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let time_up = |limit: Option<u32>| {
        println!(
            "\nTime is up ({}): the exercise ends here.",
            super::text_report::count(limit.unwrap_or(0) as usize, "minute", "minutes")
        );
        // Finishing marks every conversation not over as ended early.
        Ok(true)
    };
    let paused = |play: &Attempt| {
        println!(
            "Progress saved to {}; run the same command to continue.",
            play.progress_path.display()
        );
        Ok(false)
    };
    loop {
        let (i, mut session) = match play.next_conversation().map_err(step)? {
            Next::Conversation { index, session } => (index, *session),
            Next::AllOver => break,
            Next::TimeUp => return time_up(ex.time_limit_minutes),
        };
        let scenario = Arc::clone(&play.loaded.scenarios[i]);
        let who = scenario.persona.name.clone();
        // A course's later session: its title and scene instead of the first meeting's.
        let session_no = ex.scenarios[i].session.filter(|k| *k > 1);
        let scene = match session_no.and_then(|k| scenario.sessions.get(k - 2)) {
            Some(later) => later.intro.clone(),
            None => scenario.persona.situation.clone(),
        };
        let title = match session_no {
            Some(k) => format!(
                "{}, session {k} of {}: {}",
                scenario.title,
                scenario.session_count(),
                scenario.session_title_of(k - 1)
            ),
            None => scenario.title.clone(),
        };
        println!(
            "=== Scenario {} of {n}: {title} — {who} ===\n{scene}\n",
            i + 1
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
        while !session.is_over() {
            let Some(line) = session.current_line().cloned() else {
                break;
            };
            println!("Turn {}", session.choices().len() + 1);
            println!("{}", client_line(&who, &line));
            let shown = print_replies(&session);
            print!("> ");
            let _ = std::io::stdout().flush();
            let input = match lines.next() {
                Some(Ok(l)) => l,
                _ => {
                    println!();
                    return paused(play);
                }
            };
            if play.time_is_up() {
                return time_up(ex.time_limit_minutes);
            }
            let done = match input.trim() {
                "q" | "quit" => return paused(play),
                "end" => play
                    .end_early(i, &mut session)
                    .map(|()| "(conversation ended)\n".to_string()),
                "b" | "back" => play
                    .take_back(i, &mut session)
                    .map(|()| "(took back the last reply)\n".to_string()),
                other => match other.parse::<usize>() {
                    Ok(k) => play.reply(i, &mut session, k).map(|()| {
                        let turn = session.turns().last().expect("the reply just played");
                        if ex.mode == ExerciseMode::Practice {
                            format!(
                                "  [{} · rating {}/5] {}\n",
                                codes_label(&turn.reply.codes),
                                turn.reply.rating,
                                turn.reply.feedback
                            )
                        } else {
                            "  (reply recorded)\n".to_string()
                        }
                    }),
                    Err(_) if ex.coder.is_some() && !other.is_empty() => {
                        typed_reply(play, i, &mut session, other, ex.mode)
                    }
                    Err(_) => Err(StepError::Refused(format!(
                        "type a number from 1 to {}, `end` or `q`",
                        shown
                    ))),
                },
            };
            match done {
                Ok(said) => println!("{said}"),
                Err(StepError::Refused(e)) => println!("({e})\n"),
                Err(StepError::TimeUp) => return time_up(ex.time_limit_minutes),
                Err(e) => return Err(e.to_string()),
            }
        }
        if let Some(e) = session.ending() {
            println!("ENDING: {}\n{}\n", e.title, e.text);
        }
    }
    Ok(true)
}

/// A reply typed in the student's own words: coded, answered along the nearest scripted
/// reply (said so when the coder was unsure) and recorded with its text.
fn typed_reply(
    play: &mut Attempt,
    i: usize,
    session: &mut Session,
    text: &str,
    mode: ExerciseMode,
) -> Result<String, StepError> {
    let coder = crate::free_text::coder();
    let u = crate::free_text::understand(coder, session, text);
    let Some(number) = u.nearest() else {
        return Err(StepError::Refused("the conversation is over".into()));
    };
    let nearest = crate::free_text::nearest_lines(&u, session, 1);
    play.say(i, session, u.reply.clone(), number)?;
    let mut out = String::new();
    if mode == ExerciseMode::Practice {
        for l in crate::free_text::feedback_lines(&u, session) {
            out.push_str(&format!("  {l}\n"));
        }
    } else {
        out.push_str("  (reply recorded)\n");
    }
    if u.unsure
        && let Some(n) = nearest.first()
    {
        out.push_str(&format!(
            "  (the coder was unsure; the client answered as to: {n})\n"
        ));
    }
    Ok(out)
}

fn print_summary(loaded: &LoadedExercise, record: &ResultRecord, d: &Derived, scripted: bool) {
    let ex = &loaded.exercise;
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
            ex.scenarios[i].label(),
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
        printable(&ex.title),
        printable(&record.student.name),
        printable(&record.student.id),
        d.total,
        if d.passed { "PASS" } else { "FAIL" }
    );
}
