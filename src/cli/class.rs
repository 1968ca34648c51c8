//! The class server's command-line clients: `changetalk class create|grade|status` for the
//! instructor, and the student's terminal client behind `exercise run --server URL --code
//! CODE`.
//!
//! Every request goes through [`Client`]: a blocking HTTP client (ureq) that honours
//! `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` and `NO_PROXY`, and retries when the connection
//! drops. Student steps carry the turn they answer, so a retried reply returns the result the
//! server recorded: a reply is never asked for or recorded twice.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use changetalk_core::classroom::exercise::{content_hash, load_exercise};
use changetalk_core::classroom::grade::{self, InputFile, Pinned, RosterEntry};
use changetalk_core::classroom::xapi::XapiOptions;
use changetalk_core::load_scenario;
use changetalk_core::source::csv::csv_record;
use changetalk_server::api::{
    CodeRow, ErrorBody, ExerciseSummary, JoinRequest, JoinResponse, PlayState, PublishRequest,
    PublishResponse, ReplyRequest, ResultsExport, RosterResponse, StatusResponse, StepRequest,
    StepResponse,
};
use clap::{Args, Subcommand};
use serde::Serialize;
use serde::de::DeserializeOwned;

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
            report,
            xapi,
            xapi_home_page,
            xapi_activity_base,
        } => class_grade(
            &server,
            exercise,
            GradeOutputs {
                csv,
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

/// Text from the server or a student, safe to print: control characters (terminal escapes,
/// line breaks) removed.
pub fn printable(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

// ---------------------------------------------------------------------------------------
// The HTTP client
// ---------------------------------------------------------------------------------------

/// A blocking client of one class server.
pub struct Client {
    agent: ureq::Agent,
    base: String,
    /// At least one request has reached the server (before that, a wrong address fails fast).
    reached: AtomicBool,
    /// How long to keep retrying a request whose connection failed.
    retry_for: Duration,
}

/// A request's failure.
#[derive(Debug)]
pub enum CallError {
    /// The server answered with an error status and this message.
    Status(u16, String),
    /// The server could not be reached (after retrying).
    Unreachable(String),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Status(_, m) => f.write_str(&printable(m)),
            CallError::Unreachable(m) => f.write_str(m),
        }
    }
}

enum Payload<'a> {
    None,
    Json(serde_json::Value),
    Text(&'a str),
}

impl Client {
    /// A client of the server at `server` (`http://…` or `https://…`).
    pub fn new(server: &str) -> Result<Client, String> {
        let base = server.trim().trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(format!(
                "error: --server `{}` must be an address starting with http:// or https://",
                printable(server)
            ));
        }
        // The proxy comes from the environment (ureq's default), NO_PROXY included.
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let retry_for = std::env::var("CHANGETALK_RETRY_SECONDS")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .map_or(Duration::from_secs(120), Duration::from_secs);
        Ok(Client {
            agent,
            base,
            reached: AtomicBool::new(false),
            retry_for,
        })
    }

    fn once(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        payload: &Payload,
    ) -> Result<(u16, String), ureq::Error> {
        let url = format!("{}{path}", self.base);
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut resp = if method == "GET" {
            let mut r = self.agent.get(&url);
            if let Some(a) = &auth {
                r = r.header("Authorization", a);
            }
            r.call()?
        } else {
            let mut r = self.agent.post(&url);
            if let Some(a) = &auth {
                r = r.header("Authorization", a);
            }
            match payload {
                Payload::None => r.send_empty()?,
                Payload::Json(v) => r.send_json(v)?,
                Payload::Text(t) => r.content_type("text/csv; charset=utf-8").send(*t)?,
            }
        };
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(256 * 1024 * 1024)
            .read_to_string()?;
        Ok((status, body))
    }

    /// One request, retried while the connection fails (or a proxy says the server is
    /// unavailable); the answer's status and body.
    fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        payload: Payload,
    ) -> Result<(u16, String), CallError> {
        let start = Instant::now();
        let budget = if self.reached.load(Ordering::SeqCst) {
            self.retry_for
        } else {
            self.retry_for.min(Duration::from_secs(10))
        };
        let mut wait = Duration::from_millis(250);
        let mut said = false;
        loop {
            let failure = match self.once(method, path, token, &payload) {
                Ok((s, body)) if !matches!(s, 502..=504) => {
                    self.reached.store(true, Ordering::SeqCst);
                    if said {
                        eprintln!("(connected again)");
                    }
                    return Ok((s, body));
                }
                Ok((s, _)) => format!("the server is unavailable (HTTP {s})"),
                Err(e) => e.to_string(),
            };
            if start.elapsed() >= budget {
                return Err(CallError::Unreachable(format!(
                    "error: cannot reach the class server at {}: {failure}",
                    self.base
                )));
            }
            if !said {
                eprintln!("(the connection to the server failed: {failure}; retrying…)");
                said = true;
            }
            std::thread::sleep(wait);
            wait = (wait * 2).min(Duration::from_secs(4));
        }
    }

    fn decode<T: DeserializeOwned>(status: u16, body: &str) -> Result<T, CallError> {
        if (200..300).contains(&status) {
            serde_json::from_str(body).map_err(|e| {
                CallError::Unreachable(format!(
                    "error: the server's answer is not what this version of ChangeTalk reads ({e}); is it a ChangeTalk class server of the same version?"
                ))
            })
        } else {
            let msg = serde_json::from_str::<ErrorBody>(body)
                .map(|b| b.error)
                .unwrap_or_else(|_| format!("HTTP {status}: {}", body.trim()));
            Err(CallError::Status(status, msg))
        }
    }

    fn get<T: DeserializeOwned>(&self, path: &str, token: Option<&str>) -> Result<T, CallError> {
        let (s, body) = self.call("GET", path, token, Payload::None)?;
        Self::decode(s, &body)
    }

    fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&str>,
        body: &B,
    ) -> Result<T, CallError> {
        let v = serde_json::to_value(body).unwrap_or(serde_json::Value::Null);
        let (s, text) = self.call("POST", path, token, Payload::Json(v))?;
        Self::decode(s, &text)
    }

    fn get_text(&self, path: &str, token: Option<&str>) -> Result<String, CallError> {
        let (s, body) = self.call("GET", path, token, Payload::None)?;
        if (200..300).contains(&s) {
            Ok(body)
        } else {
            Err(Self::decode::<serde_json::Value>(s, &body).unwrap_err())
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
                .filter(|t| content_hash(t.as_bytes()) == sref.hash)
        });
        let found = from_file.or_else(|| {
            entries
                .get_or_insert_with(library::all)
                .iter()
                .find(|e| content_hash(e.text.as_bytes()) == sref.hash)
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
        client.base,
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
        client.base
    );
    println!(
        "status:    changetalk class status --server {} --exercise {}",
        client.base, published.id
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
        hash: content_hash(export.exercise.as_bytes()),
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
        write_atomic(p, csv.as_bytes()).map_err(|e| e.to_string())?;
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
    let me = changetalk_server::token::random_token()?;
    let joined: JoinResponse = client
        .post(
            "/api/join",
            None,
            &JoinRequest {
                code: code.to_string(),
                client: me,
            },
        )
        .map_err(err)?;
    let token = joined.token.clone();
    let mut st = joined.state;
    let stop = Arc::new(AtomicBool::new(false));
    let beat = heartbeat(Arc::clone(&client), token.clone(), Arc::clone(&stop));
    let result = play(&client, &token, &mut st, joined.resumed);
    stop.store(true, Ordering::SeqCst);
    let _ = beat.join();
    // Release the session, so that joining again works at once.
    let _ = client.once("POST", "/api/leave", Some(&token), &Payload::None);
    result
}

/// Keeps the session marked as live while the student reads and thinks.
fn heartbeat(
    client: Arc<Client>,
    token: String,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut last = Instant::now();
        while !stop.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(200));
            if last.elapsed() >= Duration::from_secs(15) {
                last = Instant::now();
                let _ = client.once("POST", "/api/heartbeat", Some(&token), &Payload::None);
            }
        }
    })
}

fn play(client: &Client, token: &str, st: &mut PlayState, resumed: bool) -> Result<i32, String> {
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
            "end" => client.post(
                "/api/end",
                Some(token),
                &StepRequest {
                    expect_turn: st.turn,
                },
            ),
            "b" | "back" if practice => client.post(
                "/api/back",
                Some(token),
                &StepRequest {
                    expect_turn: st.turn,
                },
            ),
            other => match other.parse::<usize>() {
                Ok(n) if (1..=st.options.len()).contains(&n) => client.post(
                    "/api/reply",
                    Some(token),
                    &ReplyRequest {
                        number: n,
                        expect_turn: st.turn,
                    },
                ),
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
                *st = client.get("/api/play", Some(token)).map_err(err)?;
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
