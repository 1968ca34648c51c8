//! The class server end to end, as issue 12 asks: a server on SQLite (then on a PostgreSQL
//! this test starts itself), an exercise with a private scenario published with
//! `changetalk class create` for three students, and each student played through the terminal
//! client `changetalk exercise run --server URL --code CODE`:
//!
//! * one finishes (through a relay that drops the connection once after the server recorded
//!   a reply: the client retries and the reply is recorded once);
//! * one stops after one reply;
//! * one answers after the time limit (the server's clock is moved on).
//!
//! The gradebook then passes only the finished one and flags `over_time` for the late one; a
//! second session for a code in use is refused; and every answer the client received during
//! the assessment is searched for codes, ratings, `next`, option ids and feedback.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use changetalk_core::{AutoPolicy, Scenario, Session, TEMPLATE, load_scenario};
use changetalk_server::{Config, OffsetClock, spawn};
use serde_json::{Value, json};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_changetalk")
}

fn changetalk(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env_remove("CHANGETALK_TOKEN")
        .output()
        .unwrap()
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
        .build()
        .into()
}

fn get_json(url: &str, token: &str) -> Value {
    let mut r = agent()
        .get(url)
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .unwrap();
    serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap()
}

/// A TCP relay in front of the server: it keeps every byte the server sent to clients, and
/// (once armed) cuts the connection of the next reply after the server has answered it, so
/// the client never sees that answer.
struct Relay {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<u8>>>,
    drop_next_reply: Arc<AtomicBool>,
    dropped: Arc<AtomicBool>,
}

impl Relay {
    fn start(server: SocketAddr) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let drop_next_reply = Arc::new(AtomicBool::new(false));
        let dropped = Arc::new(AtomicBool::new(false));
        let (s, d, dd) = (seen.clone(), drop_next_reply.clone(), dropped.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { break };
                let (s, d, dd) = (s.clone(), d.clone(), dd.clone());
                std::thread::spawn(move || relay(client, server, s, d, dd));
            }
        });
        Relay {
            addr,
            seen,
            drop_next_reply,
            dropped,
        }
    }
}

fn relay(
    mut client: TcpStream,
    server: SocketAddr,
    seen: Arc<Mutex<Vec<u8>>>,
    drop_next_reply: Arc<AtomicBool>,
    dropped: Arc<AtomicBool>,
) {
    let Ok(mut upstream) = TcpStream::connect(server) else {
        return;
    };
    // Server → client, recorded.
    let mut up = upstream.try_clone().unwrap();
    let mut down = client.try_clone().unwrap();
    let cut = Arc::new(AtomicBool::new(false));
    let cut2 = cut.clone();
    let seen2 = seen.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 16384];
        loop {
            let n = match up.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if cut2.load(Ordering::SeqCst) {
                // The answer to the cut request: the client never gets it.
                let _ = down.shutdown(std::net::Shutdown::Both);
                break;
            }
            seen2.lock().unwrap().extend_from_slice(&buf[..n]);
            if down.write_all(&buf[..n]).is_err() {
                break;
            }
        }
    });
    // Client → server.
    let mut buf = [0u8; 16384];
    loop {
        let n = match client.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if buf[..n].starts_with(b"POST /api/reply") && drop_next_reply.swap(false, Ordering::SeqCst)
        {
            cut.store(true, Ordering::SeqCst);
            dropped.store(true, Ordering::SeqCst);
        }
        if upstream.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = upstream.shutdown(std::net::Shutdown::Both);
}

/// The JSON bodies in a recorded byte stream of HTTP answers.
fn json_bodies(bytes: &[u8]) -> Vec<Value> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = Vec::new();
    let mut rest: &str = &text;
    while let Some(i) = rest.find("\r\n\r\n{") {
        let body = &rest[i + 4..];
        let mut de = serde_json::Deserializer::from_str(body).into_iter::<Value>();
        match de.next() {
            Some(Ok(v)) => {
                out.push(v);
                rest = &body[de.byte_offset()..];
            }
            _ => rest = &body[1..],
        }
    }
    out
}

/// Asserts that no key or value a student must not see during an assessment is in `v`.
fn assert_no_secrets(v: &Value, s: &Scenario) {
    let mut values: Vec<String> = Vec::new();
    let mut feedback: Vec<&str> = Vec::new();
    for p in &s.points {
        for o in &p.options {
            values.push(o.next.clone());
            values.push(o.id.clone());
            for c in &o.codes {
                values.push(
                    serde_json::to_value(c)
                        .unwrap()
                        .as_str()
                        .unwrap()
                        .to_string(),
                );
            }
            if o.feedback.len() > 10 {
                feedback.push(&o.feedback);
            }
        }
    }
    fn walk(v: &Value, values: &[String], feedback: &[&str]) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    assert!(
                        ![
                            "codes", "rating", "ratings", "next", "feedback", "better", "talk"
                        ]
                        .contains(&k.as_str()),
                        "a student-facing answer has the key `{k}`"
                    );
                    walk(x, values, feedback);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, values, feedback)),
            Value::String(s) => {
                assert!(
                    !values.contains(s),
                    "`{s}` (a code, option id or `next`) reached a student"
                );
                assert!(
                    !feedback.iter().any(|f| s.contains(f)),
                    "feedback reached a student: {s}"
                );
            }
            _ => {}
        }
    }
    walk(v, &values, &feedback);
}

/// A student's terminal client, typed into line by line.
struct Student {
    child: Child,
}

impl Student {
    fn start(url: &str, code: &str, dir: &Path) -> Student {
        let child = Command::new(bin())
            .args(["exercise", "run", "--server", url, "--code", code])
            .current_dir(dir)
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env("CHANGETALK_RETRY_SECONDS", "20")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        Student { child }
    }

    fn type_line(&mut self, line: &str) {
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    fn finish(mut self) -> String {
        drop(self.child.stdin.take());
        let out = self.child.wait_with_output().unwrap();
        ok(&out)
    }
}

fn wait_until(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting until {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn suite(database: Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    let clock = Arc::new(OffsetClock::default());
    let mut config = Config::new(work.join("server"));
    config.database = database;
    config.clock = clock.clone();
    let server = spawn(config, "127.0.0.1:0".parse().unwrap()).unwrap();
    let admin = server.admin_token.clone().unwrap();
    let url = server.url();

    // A private scenario: only the instructor's file and the server ever hold it.
    let scenario_text = TEMPLATE.replace("__ID__", "private-sam");
    std::fs::write(work.join("private-sam.ron"), &scenario_text).unwrap();
    let scenario = Arc::new(load_scenario(&scenario_text).unwrap());
    ok(&changetalk(
        &[
            "exercise",
            "new",
            "--scenario",
            "private-sam.ron",
            "-o",
            "week5.ron",
            "--title",
            "Week 5",
            "--seed",
            "7",
            "--pass",
            "60",
            "--time-limit",
            "30",
        ],
        work,
    ));
    std::fs::write(
        work.join("roster.csv"),
        "id,name\ns1,\"Ruiz, Ana\"\ns2,Bo Chen\ns3,Cy Diaz\n",
    )
    .unwrap();
    // Instructor commands need the token.
    let denied = changetalk(
        &[
            "class",
            "create",
            "week5.ron",
            "--server",
            &url,
            "--roster",
            "roster.csv",
            "-o",
            "codes.csv",
        ],
        work,
    );
    assert!(!denied.status.success());
    assert!(String::from_utf8_lossy(&denied.stderr).contains("CHANGETALK_TOKEN"));
    let out = ok(&changetalk(
        &[
            "class",
            "create",
            "week5.ron",
            "--server",
            &url,
            "--roster",
            "roster.csv",
            "-o",
            "codes.csv",
            "--token",
            &admin,
        ],
        work,
    ));
    assert!(out.contains("3 join codes written to codes.csv"), "{out}");
    let codes_csv = std::fs::read_to_string(work.join("codes.csv")).unwrap();
    let lines: Vec<&str> = codes_csv.lines().collect();
    assert_eq!(lines[0], "id,name,code");
    assert_eq!(lines.len(), 4, "{codes_csv}");
    assert!(lines[1].starts_with("s1,\"Ruiz, Ana\","), "{codes_csv}");
    let code = |i: usize| lines[i].rsplit(',').next().unwrap().to_string();
    let status_url = {
        let list: Value = get_json(&format!("{url}/api/exercises"), &admin);
        format!(
            "{url}/api/exercises/{}/status",
            list[0]["id"].as_str().unwrap()
        )
    };
    let student_status = |i: usize| get_json(&status_url, &admin)["students"][i].clone();

    // Student 1 finishes, through the relay.
    let relay = Relay::start(server.addr);
    let relay_url = format!("http://{}", relay.addr);
    let mut local = Session::new(Arc::clone(&scenario), 7);
    local.auto_play(AutoPolicy::Best, 100);
    let choices = local.choices().to_vec();
    assert!(local.ending().is_some());
    let mut s1 = Student::start(&relay_url, &code(1), work);
    wait_until("student 1 has joined", || {
        student_status(0)["status"] == "playing"
    });
    // A second session for the same code is refused while the first is live.
    let mut second = agent()
        .post(&format!("{url}/api/join"))
        .send_json(json!({"code": code(1)}))
        .unwrap();
    assert_eq!(second.status().as_u16(), 409);
    assert!(
        second
            .body_mut()
            .read_to_string()
            .unwrap()
            .contains("in use")
    );
    let again = changetalk(
        &["exercise", "run", "--server", &url, "--code", &code(1)],
        work,
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("in use in another window"));
    // The connection drops once after the second reply was recorded.
    for (k, c) in choices.iter().enumerate() {
        if k == 1 {
            relay.drop_next_reply.store(true, Ordering::SeqCst);
        }
        s1.type_line(&c.to_string());
    }
    let out1 = s1.finish();
    assert!(
        relay.dropped.load(Ordering::SeqCst),
        "the relay cut a connection"
    );
    assert!(out1.contains("PASS"), "{out1}");
    assert_eq!(
        out1.matches("(reply recorded)").count(),
        choices.len(),
        "{out1}"
    );
    let st = student_status(0);
    assert_eq!(st["status"], "finished");
    assert_eq!(
        st["replies"],
        choices.len(),
        "each reply recorded once: {st}"
    );

    // Every answer the client received: no codes, ratings, `next`, ids or feedback.
    let bodies = json_bodies(&relay.seen.lock().unwrap());
    assert!(
        bodies.len() > choices.len(),
        "{} answers recorded",
        bodies.len()
    );
    for b in &bodies {
        assert_no_secrets(b, &scenario);
    }
    assert!(bodies.iter().any(|b| b["state"]["options"].is_array()));

    // Student 2 stops after one reply.
    let mut s2 = Student::start(&url, &code(2), work);
    s2.type_line("1");
    s2.type_line("q");
    let out2 = s2.finish();
    assert!(out2.contains("Paused"), "{out2}");
    assert_eq!(student_status(1)["replies"], 1);

    // Student 3 answers once in time and once after the limit.
    let mut s3 = Student::start(&url, &code(3), work);
    s3.type_line("1");
    wait_until("student 3's first reply", || {
        student_status(2)["replies"] == 1
    });
    clock.advance_ms(31 * 60_000);
    s3.type_line("1");
    let out3 = s3.finish();
    assert!(out3.contains("Time is up"), "{out3}");
    assert!(out3.contains("FAIL"), "{out3}");

    // Status and gradebook, from the log.
    let out = ok(&changetalk(
        &["class", "status", "--server", &url, "--token", &admin],
        work,
    ));
    let row = |id: &str| {
        out.lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        row("s1").contains("finished") && row("s1").contains("pass"),
        "{out}"
    );
    assert!(row("s2").contains("overdue"), "{out}");
    assert!(row("s3").contains("finished"), "{out}");
    let out = Command::new(bin())
        .args([
            "class",
            "grade",
            "--server",
            &url,
            "--csv",
            "book.csv",
            "--report",
            "class.html",
        ])
        .current_dir(work)
        .env("CHANGETALK_TOKEN", &admin)
        .env("NO_PROXY", "127.0.0.1,localhost")
        .output()
        .unwrap();
    ok(&out);
    let book = std::fs::read_to_string(work.join("book.csv")).unwrap();
    let rows: Vec<&str> = book.lines().collect();
    assert_eq!(rows.len(), 4, "{book}");
    assert!(
        rows[1].contains(",s1,") && rows[1].ends_with(",pass,"),
        "{book}"
    );
    assert!(
        rows[2].contains(",s2,") && rows[2].contains(",fail,"),
        "{book}"
    );
    assert!(
        rows[3].contains(",s3,") && rows[3].contains(",fail,over_time"),
        "{book}"
    );
    assert!(
        std::fs::read_to_string(work.join("class.html"))
            .unwrap()
            .contains("Week 5")
    );
    server.stop();
}

#[test]
fn class_server_on_sqlite() {
    suite(None);
}

/// PostgreSQL's server programs: on the PATH, or where Debian's `postgresql` puts them.
fn pg_bin(name: &str) -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    on_path.or_else(|| {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path().join("bin").join(name)))
            .filter(|p| p.is_file())
            .collect();
        dirs.sort();
        dirs.pop()
    })
}

/// A throwaway PostgreSQL cluster on a free port, stopped when dropped.
struct Postgres {
    dir: PathBuf,
    pg_ctl: PathBuf,
    as_user: Option<String>,
    url: String,
}

impl Postgres {
    fn command(as_user: &Option<String>, program: &Path) -> Command {
        match as_user {
            Some(u) => {
                let mut c = Command::new("runuser");
                c.args(["-u", u, "--"]).arg(program);
                c
            }
            None => Command::new(program),
        }
    }

    fn start() -> Option<Postgres> {
        let initdb = pg_bin("initdb")?;
        let pg_ctl = pg_bin("pg_ctl")?;
        // initdb refuses to run as root: then the cluster belongs to Debian's `postgres` user.
        let root = Command::new("id").arg("-u").output().ok()?.stdout == b"0\n";
        let as_user = root.then(|| "postgres".to_string());
        let dir = std::env::temp_dir().join(format!("changetalk-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).ok()?;
        if root {
            let ok = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&dir)
                .status()
                .ok()?;
            assert!(ok.success(), "chown of the PostgreSQL folder failed");
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let data = dir.join("data");
        let out = Self::command(&as_user, &initdb)
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8"])
            .output()
            .ok()?;
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = Self::command(&as_user, &pg_ctl)
            .arg("-D")
            .arg(&data)
            .arg("-o")
            .arg(format!(
                "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
                dir.display()
            ))
            .arg("-l")
            .arg(dir.join("log"))
            .args(["-w", "start"])
            .output()
            .ok()?;
        assert!(
            out.status.success(),
            "pg_ctl start: {}{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(dir.join("log")).unwrap_or_default()
        );
        Some(Postgres {
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            dir,
            pg_ctl,
            as_user,
        })
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = Self::command(&self.as_user, &self.pg_ctl)
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn class_server_on_postgres() {
    let Some(pg) = Postgres::start() else {
        eprintln!("skipped: PostgreSQL's initdb is not installed (apt-get install postgresql)");
        return;
    };
    suite(Some(pg.url.clone()));
}
