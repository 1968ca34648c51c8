//! The class server's command-line clients: `changetalk class create|grade|status` for the
//! instructor, and the student's terminal client behind `exercise run --server URL --code
//! CODE`. Both talk through [`crate::class_client`] (the app's `gui --join` does too).

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use changetalk_core::classroom::exercise::{load_exercise, pin_hash};
use changetalk_core::classroom::grade::{self, InputFile, Pinned, RosterEntry};
use changetalk_core::classroom::xapi::XapiOptions;
use changetalk_core::load_scenario;
use changetalk_core::source::csv::csv_record;
use changetalk_server::api::{
    CodeRow, ExerciseSummary, PlayState, PublishRequest, PublishResponse, ResultsExport,
    RosterResponse, StatusResponse, StepResponse,
};
use clap::{Args, Subcommand};

pub use crate::class_client::printable;
use crate::class_client::{CallError, Client, Payload, StudentLink};
use crate::classroom::LoadedExercise;
use crate::files::{read_text_limited, write_atomic};
use crate::library;

/// Options of `changetalk class`.
#[derive(Debug, Args)]
pub struct ClassArgs {
    /// What to do on the class server.
    #[command(subcommand)]
    pub command: ClassCommand,
}

/// Where the server is and the admin token.
#[derive(Debug, Clone, Args)]
pub struct ServerArgs {
    /// The class server's address, e.g. http://class.example.edu:8080.
    #[arg(long)]
    pub server: String,
    /// The server's admin token (default: the CHANGETALK_TOKEN environment variable).
    #[arg(long)]
    pub token: Option<String>,
}

/// The `class` subcommands.
#[derive(Debug, Subcommand)]
pub enum ClassCommand {
    /// Publish an exercise (with its scenario files, which students never receive) and write
    /// one join code per student of the roster.
    Create {
        /// The exercise file.
        exercise: PathBuf,
        #[command(flatten)]
        server: ServerArgs,
        /// The roster CSV: a Canvas or Moodle export, or `id,name` lines.
        #[arg(long)]
        roster: PathBuf,
        /// Where to write the codes (CSV with the columns id,name,code).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Grade the class from the server's log: the gradebook CSV, and optionally the class
    /// report and xAPI statements.
    Grade {
        #[command(flatten)]
        server: ServerArgs,
        /// The exercise's id on the server (default: the latest published).
        #[arg(long)]
        exercise: Option<String>,
        /// Write the gradebook CSV (Moodle and Canvas import it).
        #[arg(long)]
        csv: Option<PathBuf>,
        /// Start the gradebook CSV with a UTF-8 byte-order mark, for Excel.
        #[arg(long, requires = "csv")]
        csv_bom: bool,
        /// Write the class report (HTML).
        #[arg(long)]
        report: Option<PathBuf>,
        /// Write xAPI 1.0.3 statements (a JSON array).
        #[arg(long)]
        xapi: Option<PathBuf>,
        /// The LMS address that student ids belong to (xAPI `actor.account.homePage`).
        #[arg(long, default_value = "https://lms.example.edu")]
        xapi_home_page: String,
        /// Base IRI of xAPI activities.
        #[arg(long, default_value = "https://changetalk.example.org/xapi")]
        xapi_activity_base: String,
    },
    /// Who is playing, finished or overdue.
    Status {
        #[command(flatten)]
        server: ServerArgs,
        /// The exercise's id on the server (default: the latest published).
        #[arg(long)]
        exercise: Option<String>,
        /// Print the status as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `class …`; returns the exit code.
pub fn run(args: ClassArgs) -> i32 {
    let outcome = match args.command {
        ClassCommand::Create {
            exercise,
            server,
            roster,
            output,
        } => create(&exercise, &server, &roster, &output),
        ClassCommand::Grade {
            server,
            exercise,
            csv,
            csv_bom,
            report,
            xapi,
            xapi_home_page,
            xapi_activity_base,
        } => class_grade(
            &server,
            exercise,
            GradeOutputs {
                csv,
                csv_bom,
                report,
                xapi,
                xapi_home_page,
                xapi_activity_base,
            },
        ),
        ClassCommand::Status {
            server,
            exercise,
            json,
        } => status(&server, exercise, json),
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
// Instructors
// ---------------------------------------------------------------------------------------

fn admin_token(s: &ServerArgs) -> Result<String, String> {
    s.token
        .clone()
        .or_else(|| std::env::var("CHANGETALK_TOKEN").ok())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            "error: instructor commands need the server's admin token: give --token TOKEN or set CHANGETALK_TOKEN (the server printed it at its first start; it is in its DATA/admin-token)".to_string()
        })
}

fn err(e: CallError) -> String {
    match e {
        CallError::Status(_, m) => format!("error: {}", printable(&m)),
        CallError::Unreachable(m) => m,
    }
}

/// The texts of the scenario files an exercise pins: its `file:` next to it, else a bundled
/// scenario or one in the user's folder with the pinned hash.
fn pinned_texts(exercise: &Path, text: &str) -> Result<Vec<String>, String> {
    let shown = exercise.display().to_string();
    let ex = load_exercise(text).map_err(|d| library::render(&d, &shown, text).join("\n"))?;
    let dir = exercise
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let mut entries: Option<Vec<library::Entry>> = None;
    let mut out = Vec::new();
    for sref in &ex.scenarios {
        let from_file = sref.file.as_ref().and_then(|f| {
            read_text_limited(&dir.join(f), 8 * 1024 * 1024)
                .ok()
                .filter(|t| pin_hash(t) == sref.hash)
        });
        let found = from_file.or_else(|| {
            entries
                .get_or_insert_with(library::all)
                .iter()
                .find(|e| pin_hash(&e.text) == sref.hash)
                .map(|e| e.text.clone())
        });
        match found {
            Some(t) => out.push(t),
            None => {
                return Err(format!(
                    "{shown}: error: scenario `{}` (pinned to {}…) is not found unchanged: {}check with `changetalk exercise check {shown}`",
                    sref.id,
                    &sref.hash[..12.min(sref.hash.len())],
                    sref.file
                        .as_ref()
                        .map(|f| format!("`{f}` is missing or changed; "))
                        .unwrap_or_default()
                ));
            }
        }
    }
    Ok(out)
}

fn create(
    exercise: &Path,
    server: &ServerArgs,
    roster: &Path,
    output: &Path,
) -> Result<i32, String> {
    let token = admin_token(server)?;
    let client = Client::new(&server.server)?;
    let text = read_text_limited(
        exercise,
        changetalk_core::classroom::exercise::MAX_EXERCISE_BYTES as u64,
    )?;
    let scenarios = pinned_texts(exercise, &text)?;
    let roster_text = read_text_limited(roster, 16 * 1024 * 1024)?;
    // Check the roster here too, so its mistakes name the file.
    changetalk_core::classroom::roster::parse_roster(&roster_text)
        .map_err(|d| library::render(&d, &roster.display().to_string(), &roster_text).join("\n"))?;
    let file_name = exercise.file_name().map_or_else(
        || "exercise.ron".to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let published: PublishResponse = client
        .post(
            "/api/exercises",
            Some(&token),
            &PublishRequest {
                exercise: text,
                file_name,
                scenarios,
            },
        )
        .map_err(err)?;
    let (s, body) = client
        .call(
            "POST",
            &format!("/api/exercises/{}/roster", published.id),
            Some(&token),
            Payload::Text(&roster_text),
        )
        .map_err(err)?;
    let codes: RosterResponse = Client::decode(s, &body).map_err(err)?;
    write_codes(output, &codes.students)?;
    println!(
        "published `{}` as exercise {} on {} ({} scenario{}, held by the server)",
        printable(&published.title),
        published.id,
        client.base(),
        published.scenarios.len(),
        if published.scenarios.len() == 1 {
            ""
        } else {
            "s"
        }
    );
    println!(
        "{} join code{} written to {}",
        codes.students.len(),
        if codes.students.len() == 1 { "" } else { "s" },
        output.display()
    );
    println!(
        "students:  changetalk exercise run --server {} --code CODE",
        client.base()
    );
    println!(
        "status:    changetalk class status --server {} --exercise {}",
        client.base(),
        published.id
    );
    Ok(0)
}

/// `codes.csv`: `id,name,code`.
fn write_codes(path: &Path, rows: &[CodeRow]) -> Result<(), String> {
    let mut out = csv_record(&["id", "name", "code"]);
    for r in rows {
        out.push_str(&csv_record(&[&r.id, &r.name, &r.code]));
    }
    write_atomic(path, out.as_bytes()).map_err(|e| e.to_string())
}

/// The exercise meant: the one given, or the latest published.
fn exercise_id(client: &Client, token: &str, given: Option<String>) -> Result<String, String> {
    if let Some(id) = given {
        return Ok(id);
    }
    let list: Vec<ExerciseSummary> = client.get("/api/exercises", Some(token)).map_err(err)?;
    match list.first() {
        Some(e) => {
            if list.len() > 1 {
                eprintln!(
                    "note: {} exercises on this server; using the latest, {} (`{}`); choose another with --exercise ID",
                    list.len(),
                    e.id,
                    printable(&e.title)
                );
            }
            Ok(e.id.clone())
        }
        None => Err("error: no exercise is published on this server yet: `changetalk class create` publishes one".into()),
    }
}

struct GradeOutputs {
    csv: Option<PathBuf>,
    csv_bom: bool,
    report: Option<PathBuf>,
    xapi: Option<PathBuf>,
    xapi_home_page: String,
    xapi_activity_base: String,
}

fn class_grade(
    server: &ServerArgs,
    exercise: Option<String>,
    o: GradeOutputs,
) -> Result<i32, String> {
    let token = admin_token(server)?;
    let client = Client::new(&server.server)?;
    let id = exercise_id(&client, &token, exercise)?;
    // The server's gradebook, and the records it was computed from (for the reports).
    let export: ResultsExport = client
        .get(&format!("/api/exercises/{id}/results"), Some(&token))
        .map_err(err)?;
    let exercise = load_exercise(&export.exercise)
        .map_err(|d| library::render(&d, &export.file_name, &export.exercise).join("\n"))?;
    let mut scenarios = Vec::new();
    for (sref, text) in exercise.scenarios.iter().zip(&export.scenarios) {
        let s = load_scenario(text)
            .map_err(|d| library::render(&d, &format!("{}.ron", sref.id), text).join("\n"))?;
        scenarios.push(Arc::new(s));
    }
    let loaded = LoadedExercise {
        hash: pin_hash(&export.exercise),
        stem: export.id.clone(),
        file_name: export.file_name.clone(),
        exercise,
        scenarios,
    };
    let pinned = Pinned {
        exercise: &loaded.exercise,
        exercise_hash: &loaded.hash,
        exercise_stem: &loaded.stem,
        scenarios: &loaded.scenarios,
        coder: Some(crate::free_text::OfflineCoder::shared()),
    };
    let roster: Vec<RosterEntry> = export
        .roster
        .iter()
        .map(|r| RosterEntry {
            id: r.id.clone(),
            name: r.name.clone(),
        })
        .collect();
    let book = grade::grade(
        &pinned,
        export.results.iter().map(|f| InputFile {
            name: f.name.clone(),
            bytes: Ok(f.json.clone().into_bytes()),
        }),
        Some(&roster),
    );
    super::grade::print_table(&book);
    if let Some(p) = &o.csv {
        // The server's own gradebook (the same grader over the same records).
        let csv = client
            .get_text(&format!("/api/exercises/{id}/gradebook.csv"), Some(&token))
            .map_err(err)?;
        write_atomic(p, &super::grade::csv_bytes(&csv, o.csv_bom)).map_err(|e| e.to_string())?;
        println!("gradebook written to {}", p.display());
    }
    let opts = XapiOptions {
        home_page: o.xapi_home_page.clone(),
        activity_base: o.xapi_activity_base.clone(),
        platform: format!("ChangeTalk {}", env!("CARGO_PKG_VERSION")),
    };
    super::grade::write_report_and_xapi(
        &loaded,
        &pinned,
        &book,
        o.report.as_deref(),
        o.xapi.as_deref(),
        &opts,
    )?;
    Ok(0)
}

fn status(server: &ServerArgs, exercise: Option<String>, json: bool) -> Result<i32, String> {
    let token = admin_token(server)?;
    let client = Client::new(&server.server)?;
    let id = exercise_id(&client, &token, exercise)?;
    let st: StatusResponse = client
        .get(&format!("/api/exercises/{id}/status"), Some(&token))
        .map_err(err)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&st).unwrap_or_default());
        return Ok(0);
    }
    println!("{} ({}) at {}", printable(&st.title), st.exercise, st.now);
    let mut counts: Vec<(String, usize)> = Vec::new();
    for s in &st.students {
        println!(
            "{:<24} {:<28} {:<11} attempt {:<2} {:>3} repl{}  {}{}",
            printable(&s.id),
            printable(&s.name),
            s.status,
            s.attempt,
            s.replies,
            if s.replies == 1 { "y  " } else { "ies" },
            match (s.total, s.passed) {
                (Some(t), Some(p)) => format!("{t:.1} {}", if p { "pass" } else { "fail" }),
                _ => String::new(),
            },
            if s.connected { " (connected)" } else { "" }
        );
        match counts.iter_mut().find(|(k, _)| *k == s.status) {
            Some((_, n)) => *n += 1,
            None => counts.push((s.status.clone(), 1)),
        }
    }
    println!(
        "{} students: {}",
        st.students.len(),
        counts
            .iter()
            .map(|(k, n)| format!("{n} {}", k.replace('_', " ")))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(0)
}

// ---------------------------------------------------------------------------------------
// Students: `exercise run --server URL --code CODE`
// ---------------------------------------------------------------------------------------

/// Plays an exercise held by a class server in the terminal; returns the exit code.
pub fn run_student(server: &str, code: &str) -> i32 {
    match student(server, code) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

fn student(server: &str, code: &str) -> Result<i32, String> {
    let client = Arc::new(Client::new(server)?);
    let (link, joined) = StudentLink::join(client, code).map_err(err)?;
    let mut st = joined.state;
    play(&link, &mut st, joined.resumed)
    // Dropping the link stops the heartbeat and releases the session.
}

fn play(link: &StudentLink, st: &mut PlayState, resumed: bool) -> Result<i32, String> {
    let ex = st.exercise.clone();
    let practice = ex.mode == "practice";
    println!("{}", printable(&ex.title));
    if !ex.instructions.trim().is_empty() {
        println!("{}", printable(ex.instructions.trim()));
    }
    println!(
        "Student: {} ({}) · {} · attempt {} of {}{}",
        printable(&st.student.name),
        printable(&st.student.id),
        if practice {
            "practice: feedback after every reply"
        } else {
            "assessment: feedback at the end"
        },
        ex.attempt,
        ex.attempts,
        ex.time_limit_minutes
            .map(|t| format!(" · {t}-minute limit"))
            .unwrap_or_default()
    );
    println!(
        "Type the number of your reply{}; `end` ends this conversation; `q` quits (join again with your code to continue).\n",
        if practice {
            "; `b` takes back the last reply"
        } else {
            ""
        }
    );
    if resumed {
        println!("Resuming where you left off: your replies are kept by the server.\n");
    }
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut shown_scenario: Option<usize> = None;
    loop {
        if st.status != "playing" {
            return Ok(finished(st));
        }
        let Some(sc) = st.scenario.clone() else {
            return Ok(finished(st));
        };
        if shown_scenario != Some(sc.index) {
            println!(
                "=== Scenario {} of {}: {} — {} ===\n{}\n",
                sc.index + 1,
                ex.scenarios,
                printable(&sc.title),
                printable(&sc.client),
                printable(&sc.situation)
            );
            shown_scenario = Some(sc.index);
        }
        println!("Turn {}", sc.turn);
        if let Some(l) = &st.line {
            println!("{}: {}", printable(&sc.client), printable(&l.text));
        }
        for o in &st.options {
            println!("  {}. {}", o.number, printable(&o.text));
        }
        if let Some(r) = st.remaining_s {
            println!("({} left)", minutes_seconds(r));
        }
        print!("> ");
        let _ = std::io::stdout().flush();
        let input = match lines.next() {
            Some(Ok(l)) => l,
            _ => {
                println!();
                println!(
                    "Paused: your replies are kept by the server; run the same command to continue."
                );
                return Ok(0);
            }
        };
        let answer: Result<StepResponse, CallError> = match input.trim() {
            "q" | "quit" => {
                println!(
                    "Paused: your replies are kept by the server; run the same command to continue."
                );
                return Ok(0);
            }
            "end" => link.end(st.turn),
            "b" | "back" if practice => link.back(st.turn),
            other => match other.parse::<usize>() {
                Ok(n) if (1..=st.options.len()).contains(&n) => link.reply(n, st.turn),
                _ => {
                    println!(
                        "(type a number from 1 to {}, `end`{} or `q`)\n",
                        st.options.len(),
                        if practice { ", `b`" } else { "" }
                    );
                    continue;
                }
            },
        };
        match answer {
            Ok(r) => {
                if let Some(p) = &r.practice {
                    println!(
                        "  [{} · rating {}/5] {}",
                        p.codes.join(", "),
                        p.rating,
                        printable(&p.feedback)
                    );
                } else if input.trim() == "end" {
                    println!("(conversation ended)");
                } else if input.trim().starts_with('b') {
                    println!("(took back the last reply)");
                } else {
                    println!("  (reply recorded)");
                }
                if r.late {
                    println!("\nTime is up: the exercise ended with this reply.");
                }
                if let Some(e) = &r.ending {
                    println!("\nENDING: {}\n{}", printable(&e.title), printable(&e.text));
                }
                println!();
                *st = r.state;
            }
            // Another window answered, or the state moved on: load it again.
            Err(CallError::Status(409, m)) => {
                println!("({})\n", printable(&m));
                *st = link.state().map_err(err)?;
            }
            Err(CallError::Status(422, m)) => println!("({})\n", printable(&m)),
            Err(e) => return Err(err(e)),
        }
    }
}

fn finished(st: &PlayState) -> i32 {
    if st.closed.as_deref() == Some("time_up") {
        println!("Time is up: the exercise has ended.");
    }
    match &st.result {
        Some(r) => {
            println!(
                "{} — {} ({}): total {:.1}, {}{}",
                printable(&st.exercise.title),
                printable(&st.student.name),
                printable(&st.student.id),
                r.total,
                if r.passed { "PASS" } else { "FAIL" },
                if r.late_replies > 0 {
                    format!(
                        " ({} repl{} after the time limit)",
                        r.late_replies,
                        if r.late_replies == 1 { "y" } else { "ies" }
                    )
                } else {
                    String::new()
                }
            );
            println!("Your result is kept by the server; your instructor grades it from there.");
        }
        None => println!("The exercise is over."),
    }
    0
}

fn minutes_seconds(s: u64) -> String {
    format!("{}:{:02}", s / 60, s % 60)
}

// ---------------------------------------------------------------------------------------
// `exercise run --server URL --code CODE`: flags added to the `exercise run` command
// ---------------------------------------------------------------------------------------

/// Adds `--server` and `--code` to `exercise run` (whose other arguments are then not
/// needed): applied to the command line in `cli/mod.rs`.
pub fn add_server_flags(exercise: clap::Command) -> clap::Command {
    exercise.mut_subcommand("run", |run| {
        run.arg(
            clap::Arg::new("server")
                .long("server")
                .value_name("URL")
                .help("Play on a class server (the exercise is held there): its address")
                .requires("code"),
        )
        .arg(
            clap::Arg::new("code")
                .long("code")
                .value_name("CODE")
                .help("With --server: your join code")
                .requires("server"),
        )
        .mut_arg("file", |a| {
            a.required(false)
                .required_unless_present("server")
                .default_value(".")
                .hide_default_value(true)
        })
        .mut_arg("student", |a| {
            a.required(false)
                .required_unless_present("server")
                .default_value("")
                .hide_default_value(true)
        })
        .mut_arg("id", |a| {
            a.required(false)
                .required_unless_present("server")
                .default_value("")
                .hide_default_value(true)
        })
    })
}

/// `--server URL --code CODE` as given to `exercise run`, read from the process's arguments
/// (clap has already checked them).
pub fn server_flags_given() -> Option<(String, String)> {
    let args: Vec<String> = std::env::args().collect();
    let value = |name: &str| {
        let flag = format!("--{name}");
        let eq = format!("--{name}=");
        args.iter().enumerate().find_map(|(i, a)| {
            if *a == flag {
                args.get(i + 1).cloned()
            } else {
                a.strip_prefix(&eq).map(str::to_string)
            }
        })
    };
    // Only for `exercise run`.
    let pos = args.iter().position(|a| a == "exercise")?;
    if args.get(pos + 1).map(String::as_str) != Some("run") {
        return None;
    }
    Some((value("server")?, value("code")?))
}
