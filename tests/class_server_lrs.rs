//! Live xAPI against a real Learning Record Store, as issue 12 asks: Ralph (`ralph-malph`
//! from PyPI) started by this test on a free port with its file-system backend, and
//! `changetalk serve --lrs URL --lrs-auth USER:PASS`.
//!
//! 1. The server starts with the LRS down: a student plays an assessment through, and every
//!    reply is answered at once (sending never holds a reply up).
//! 2. The server is killed (nothing was delivered), Ralph starts, and the server starts again
//!    on the same data: what was not delivered is sent. A second student then plays through
//!    live.
//! 3. Ralph then holds, for each student, one `responded` statement per reply (actor = the
//!    student's account, object = the scenario, parent = the exercise) and the completion
//!    (`completed` plus `passed` or `failed`), each once.
//!
//! Needs `python3 -m pip install 'ralph-malph[cli,lrs]'` (`.ci/run` installs it).

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use changetalk_core::TEMPLATE;
use serde_json::{Value, json};

const INSTALL: &str = "python3 -m pip install 'ralph-malph[cli,lrs]==5.1.0'";
const BASE: &str = "https://changetalk.example.org/xapi";
const HOME: &str = "https://lms.example.edu";

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_changetalk")
}

fn ok(out: &std::process::Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{stdout}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// A request with a JSON answer: (status, body).
fn call(method: &str, url: &str, auth: Option<&str>, body: Option<Value>) -> (u16, Value) {
    let a = agent();
    let mut r = match (method, body) {
        ("GET", _) => {
            let mut req = a.get(url);
            if let Some(t) = auth {
                req = req.header("Authorization", t);
            }
            req.call()
        }
        (_, b) => {
            let mut req = a.post(url);
            if let Some(t) = auth {
                req = req.header("Authorization", t);
            }
            req.send_json(b.unwrap_or(Value::Null))
        }
    }
    .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Ralph on a free port with its file-system backend, in its own folder.
struct Ralph {
    child: Child,
    url: String,
}

impl Ralph {
    fn env(cmd: &mut Command, dir: &Path) {
        cmd.env("RALPH_APP_DIR", dir.join("app"))
            .env("RALPH_AUTH_FILE", dir.join("app/auth.json"))
            .env("RALPH_RUNSERVER_BACKEND", "fs")
            .env(
                "RALPH_BACKENDS__DATA__FS__DEFAULT_DIRECTORY_PATH",
                dir.join("data"),
            )
            .env("NO_PROXY", "127.0.0.1,localhost");
    }

    /// Writes the users file (`ralph auth`, bcrypt-hashed).
    fn add_user(dir: &Path, user: &str, pass: &str) {
        std::fs::create_dir_all(dir.join("app")).unwrap();
        std::fs::create_dir_all(dir.join("data")).unwrap();
        let mut cmd = Command::new("python3");
        cmd.args([
            "-m",
            "ralph",
            "auth",
            "--username",
            user,
            "--password",
            pass,
            "--scope",
            "all",
            "--agent-ifi-mbox",
            "mailto:changetalk@example.org",
            "-w",
        ]);
        Ralph::env(&mut cmd, dir);
        ok(&cmd.output().expect("python3"));
        assert!(
            dir.join("app/auth.json").exists(),
            "ralph auth wrote no auth.json"
        );
    }

    /// Ralph's app (`ralph.api:app`) served by uvicorn, as `ralph runserver -b fs` serves
    /// it but without its auto-reload child process (so that killing it stops it). One
    /// change: Ralph 5.1's file-system LRS backend creates its one file `fs_lrs.jsonl` on the
    /// first POST and answers every later POST with 500 ("already exists and overwrite is
    /// not allowed"); here it appends, as an LRS must.
    fn start(dir: &Path, port: u16) -> Ralph {
        let script = format!(
            "import uvicorn\n\
             from ralph.backends.data.base import BaseOperationType\n\
             from ralph.backends.lrs.fs import FSLRSBackend\n\
             FSLRSBackend.default_operation_type = BaseOperationType.APPEND\n\
             from ralph.api import app\n\
             uvicorn.run(app, host='127.0.0.1', port={port}, log_level='info')\n"
        );
        let mut cmd = Command::new("python3");
        cmd.args(["-c", &script])
            .env(
                "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH",
                dir.join("data"),
            )
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("ralph.log")).unwrap());
        Ralph::env(&mut cmd, dir);
        let child = cmd.spawn().expect("python3");
        let url = format!("http://127.0.0.1:{port}");
        let start = Instant::now();
        loop {
            let up = agent()
                .get(&format!("{url}/__heartbeat__"))
                .call()
                .is_ok_and(|r| r.status().as_u16() == 200);
            if up {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "Ralph did not start; its log:\n{}",
                std::fs::read_to_string(dir.join("ralph.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        Ralph { child, url }
    }

    /// Every statement it holds (following `more`).
    fn statements(&self, auth: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut next = format!("{}/xAPI/statements?limit=100", self.url);
        loop {
            let (status, body) = call("GET", &next, Some(auth), None);
            assert_eq!(status, 200, "GET {next}: {body}");
            out.extend(body["statements"].as_array().cloned().unwrap_or_default());
            match body["more"].as_str() {
                Some(m) if !m.is_empty() => {
                    next = if m.starts_with("http") {
                        m.to_string()
                    } else {
                        format!("{}{m}", self.url)
                    };
                }
                _ => break,
            }
        }
        out
    }
}

impl Drop for Ralph {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `changetalk serve` in the background; its address from its first line.
struct Server {
    child: Child,
    url: String,
    stderr: PathBuf,
}

impl Server {
    fn start(data: &Path, lrs: &str, log: &Path) -> Server {
        let mut child = Command::new(bin())
            .args(["serve", "--data"])
            .arg(data)
            .args([
                "--listen",
                "127.0.0.1:0",
                "--lrs",
                lrs,
                "--lrs-auth",
                "ct:secret",
            ])
            .env("NO_PROXY", "127.0.0.1,localhost")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .unwrap();
        let mut first = String::new();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        out.read_line(&mut first).unwrap();
        // Keep reading, or its next line would meet a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        let url = first
            .trim()
            .rsplit(' ')
            .next()
            .filter(|u| u.starts_with("http://"))
            .unwrap_or_else(|| panic!("unexpected first line from serve: {first:?}"))
            .to_string();
        Server {
            child,
            url,
            stderr: log.to_path_buf(),
        }
    }

    /// Stops it as a crash would (SIGKILL).
    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Plays a student through, always the first option; returns how many replies were sent.
fn play(url: &str, code: &str) -> usize {
    let (status, joined) = call(
        "POST",
        &format!("{url}/api/join"),
        None,
        Some(json!({"code": code, "client": format!("test-{code}")})),
    );
    assert_eq!(status, 200, "join: {joined}");
    let auth = format!("Bearer {}", joined["token"].as_str().unwrap());
    let mut state = joined["state"].clone();
    let mut replies = 0;
    while state["status"] == "playing" {
        assert!(replies < 200, "the conversation does not end");
        let started = Instant::now();
        let (status, step) = call(
            "POST",
            &format!("{url}/api/reply"),
            Some(&auth),
            Some(json!({"number": 1, "expect_turn": state["turn"]})),
        );
        assert_eq!(status, 200, "reply: {step}");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "a reply took {:?}: sending to the LRS must not hold it up",
            started.elapsed()
        );
        replies += 1;
        state = step["state"].clone();
    }
    replies
}

#[test]
fn every_reply_and_completion_reaches_ralph() {
    let have_ralph = Command::new("python3")
        .args(["-c", "import ralph.cli"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        have_ralph,
        "this test needs the Ralph LRS (Python): install it with `{INSTALL}`"
    );
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    let ralph_dir = work.join("ralph");
    Ralph::add_user(&ralph_dir, "ct", "secret");
    let port = free_port();
    let lrs = format!("http://127.0.0.1:{port}");

    // The exercise: one scenario, three students.
    std::fs::write(
        work.join("sam.ron"),
        TEMPLATE.replace("__ID__", "private-sam"),
    )
    .unwrap();
    ok(&Command::new(bin())
        .args([
            "exercise",
            "new",
            "--scenario",
            "sam.ron",
            "-o",
            "week5.ron",
            "--title",
            "Week 5",
            "--seed",
            "7",
            "--pass",
            "60",
        ])
        .current_dir(work)
        .output()
        .unwrap());

    // 1. The LRS is down.
    let data = work.join("server");
    let server = Server::start(&data, &lrs, &work.join("serve1.log"));
    let admin = format!(
        "Bearer {}",
        std::fs::read_to_string(data.join("admin-token"))
            .unwrap()
            .trim()
    );
    let (status, published) = call(
        "POST",
        &format!("{}/api/exercises", server.url),
        Some(&admin),
        Some(json!({
            "exercise": std::fs::read_to_string(work.join("week5.ron")).unwrap(),
            "file_name": "week5.ron",
            "scenarios": [std::fs::read_to_string(work.join("sam.ron")).unwrap()],
        })),
    );
    assert_eq!(status, 201, "publish: {published}");
    let exercise_id = published["id"].as_str().unwrap().to_string();
    let mut r = agent()
        .post(&format!(
            "{}/api/exercises/{exercise_id}/roster",
            server.url
        ))
        .header("Authorization", &admin)
        .send("id,name\ns1,Ana Ruiz\ns2,Bo Chen\ns3,Cy Diaz\n")
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let roster: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    let code = |id: &str| {
        roster["students"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()["code"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let s1_replies = play(&server.url, &code("s1"));
    server.kill();

    // 2. Ralph starts; the server restarts and sends what it could not.
    let ralph = Ralph::start(&ralph_dir, port);
    let server = Server::start(&data, &lrs, &work.join("serve2.log"));
    let s2_replies = play(&server.url, &code("s2"));

    // 3. Everything arrives, once.
    let auth = "Basic Y3Q6c2VjcmV0"; // ct:secret
    let expected = s1_replies + s2_replies + 4;
    let start = Instant::now();
    let statements = loop {
        let s = ralph.statements(auth);
        if s.len() >= expected || start.elapsed() > Duration::from_secs(60) {
            break s;
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    let log = || std::fs::read_to_string(&server.stderr).unwrap_or_default();
    assert_eq!(
        statements.len(),
        expected,
        "Ralph holds {} statements, expected {expected} ({s1_replies} + {s2_replies} replies and 2 completions × 2); the server's log:\n{}",
        statements.len(),
        log()
    );
    let scenario_iri = format!("{BASE}/scenarios/private-sam");
    let exercise_iri = format!("{BASE}/exercises/{exercise_id}");
    for (student, replies) in [("s1", s1_replies), ("s2", s2_replies)] {
        let mine: Vec<&Value> = statements
            .iter()
            .filter(|s| s["actor"]["account"]["name"] == student)
            .collect();
        for s in &mine {
            assert_eq!(s["actor"]["account"]["homePage"], HOME, "{s}");
            assert_eq!(s["object"]["id"], scenario_iri.as_str(), "{s}");
            assert_eq!(
                s["context"]["contextActivities"]["parent"][0]["id"],
                exercise_iri.as_str(),
                "{s}"
            );
        }
        let verb = |v: &str| {
            mine.iter()
                .filter(|s| s["verb"]["id"] == format!("http://adlnet.gov/expapi/verbs/{v}"))
                .count()
        };
        assert_eq!(
            verb("responded"),
            replies,
            "{student}: one statement per reply"
        );
        assert!(
            mine.iter()
                .filter(|s| s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/responded")
                .all(|s| s["result"]["response"]
                    .as_str()
                    .is_some_and(|r| !r.is_empty())),
            "{student}: each reply statement names the option"
        );
        assert_eq!(verb("completed"), 1, "{student}: the completion");
        assert_eq!(
            verb("passed") + verb("failed"),
            1,
            "{student}: passed or failed"
        );
    }
    // s3 never played: nothing about them.
    assert!(
        !statements
            .iter()
            .any(|s| s["actor"]["account"]["name"] == "s3")
    );
    // The statement ids are unique (nothing was stored twice).
    let mut ids: Vec<&str> = statements.iter().filter_map(|s| s["id"].as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), statements.len());
    drop(server);
    drop(ralph);
}
