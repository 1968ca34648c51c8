//! The class server over HTTP, on SQLite in a temporary folder (and on PostgreSQL when
//! `CHANGETALK_TEST_POSTGRES` names a database): publishing with a private scenario, join
//! codes, one live session per student, idempotent replies, the time limit on server time,
//! finished-only passing, the gradebook from the log, and no secrets in assessment answers.

use std::net::SocketAddr;
use std::sync::Arc;

use changetalk_core::classroom::exercise::{
    Exercise, ExerciseMode, PassCriteria, ScenarioRef, content_hash,
};
use changetalk_core::{AutoPolicy, Scenario, Session, TEMPLATE, load_scenario};
use changetalk_server::{Config, OffsetClock, spawn};
use serde_json::{Value, json};

fn private_scenario() -> String {
    TEMPLATE.replace("__ID__", "private-sam")
}

fn exercise_text(scenario: &str, mode: ExerciseMode) -> String {
    Exercise {
        title: "Week 5: Sam".into(),
        instructions: "Talk with Sam.".into(),
        scenarios: vec![ScenarioRef {
            id: "private-sam".into(),
            hash: content_hash(scenario.as_bytes()),
            file: None,
            seed: None,
            session: None,
            span: Default::default(),
        }],
        seed: 7,
        mode,
        pass: PassCriteria {
            overall: 60.0,
            ..Default::default()
        },
        attempts: 1,
        time_limit_minutes: Some(30),
        coder: None,
    }
    .to_ron()
}

struct Http {
    agent: ureq::Agent,
    base: String,
}

impl Http {
    fn new(addr: SocketAddr) -> Http {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .build()
            .into();
        Http {
            agent,
            base: format!("http://{addr}"),
        }
    }

    fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, String) {
        let url = format!("{}{path}", self.base);
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut resp = match (method, body) {
            ("GET", _) => {
                let mut r = self.agent.get(&url);
                if let Some(a) = &auth {
                    r = r.header("Authorization", a);
                }
                r.call().unwrap()
            }
            (_, Some(Value::String(text))) => {
                let mut r = self.agent.post(&url);
                if let Some(a) = &auth {
                    r = r.header("Authorization", a);
                }
                r.content_type("text/csv").send(text.as_str()).unwrap()
            }
            (_, body) => {
                let mut r = self.agent.post(&url);
                if let Some(a) = &auth {
                    r = r.header("Authorization", a);
                }
                r.send_json(body.unwrap_or(json!({}))).unwrap()
            }
        };
        let status = resp.status().as_u16();
        (status, resp.body_mut().read_to_string().unwrap())
    }

    fn json(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let (s, text) = self.send(method, path, token, body);
        (
            s,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

/// Everything a student must never see during an assessment: key names, and the scenario's
/// codes, `next` targets, option ids and feedback texts.
struct Secrets {
    values: Vec<String>,
    feedback: Vec<String>,
}

impl Secrets {
    fn of(s: &Scenario) -> Secrets {
        let mut values = Vec::new();
        let mut feedback = Vec::new();
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
                if o.feedback.trim().len() > 10 {
                    feedback.push(o.feedback.clone());
                }
            }
        }
        Secrets { values, feedback }
    }

    fn check(&self, v: &Value, what: &str) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    for bad in [
                        "codes",
                        "code",
                        "rating",
                        "ratings",
                        "next",
                        "feedback",
                        "better",
                        "talk",
                        "graph",
                        "options_ids",
                    ] {
                        assert_ne!(
                            k, bad,
                            "{what}: a student-facing answer has the key `{k}`: {v}"
                        );
                    }
                    self.check(x, what);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| self.check(x, what)),
            Value::String(s) => {
                assert!(
                    !self.values.contains(s),
                    "{what}: `{s}` leaks a code, option id or `next`"
                );
                for f in &self.feedback {
                    assert!(!s.contains(f.as_str()), "{what}: feedback text leaked: {s}");
                }
            }
            _ => {}
        }
    }
}

fn start(
    dir: &std::path::Path,
    database: Option<String>,
) -> (changetalk_server::Running, Arc<OffsetClock>) {
    let clock = Arc::new(OffsetClock::default());
    let mut config = Config::new(dir);
    config.database = database;
    config.clock = clock.clone();
    let running = spawn(config, "127.0.0.1:0".parse().unwrap()).unwrap();
    (running, clock)
}

fn suite(database: Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let (server, clock) = start(dir.path(), database.clone());
    let admin = server
        .admin_token
        .clone()
        .expect("a new server creates an admin token");
    let token_file = std::fs::read_to_string(dir.path().join("admin-token")).unwrap();
    assert_eq!(token_file.trim(), admin);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.path().join("admin-token"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let http = Http::new(server.addr);
    let scenario_text = private_scenario();
    let scenario = Arc::new(load_scenario(&scenario_text).unwrap());
    let secrets = Secrets::of(&scenario);

    // Instructor endpoints need the token.
    let (s, _) = http.json("GET", "/api/exercises", None, None);
    assert_eq!(s, 401);
    let (s, _) = http.json("GET", "/api/exercises", Some("wrong"), None);
    assert_eq!(s, 403);

    // A scenario file that is not the pinned one is refused.
    let ex_text = exercise_text(&scenario_text, ExerciseMode::Assessment);
    let (s, body) = http.json(
        "POST",
        "/api/exercises",
        Some(&admin),
        Some(json!({"exercise": ex_text, "file_name": "week5.ron", "scenarios": [scenario_text.replace("Sam", "Sal")]})),
    );
    assert_eq!(s, 422, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("private-sam"),
        "{body}"
    );

    let (s, body) = http.json(
        "POST",
        "/api/exercises",
        Some(&admin),
        Some(json!({"exercise": ex_text, "file_name": "week5.ron", "scenarios": [scenario_text]})),
    );
    assert_eq!(s, 201, "{body}");
    let ex_id = body["id"].as_str().unwrap().to_string();

    let roster = "\"Student\",\"ID\",\"SIS User ID\",\"SIS Login ID\",\"Section\"\n\
                  Points Possible,,,,\n\
                  \"Ruiz, Ana\",1,s1,ar,A\n\
                  Bo Chen,2,s2,bc,A\n\
                  Cy Diaz,3,s3,cd,A\n";
    let (s, body) = http.json(
        "POST",
        &format!("/api/exercises/{ex_id}/roster"),
        Some(&admin),
        Some(Value::String(roster.into())),
    );
    assert_eq!(s, 200, "{body}");
    let students = body["students"].as_array().unwrap().clone();
    assert_eq!(students.len(), 3);
    assert_eq!(students[0]["name"], "Ruiz, Ana");
    let code = |i: usize| students[i]["code"].as_str().unwrap().to_string();

    // Student 1 joins; a second join while the first session is live is refused.
    let (s, j1) = http.json(
        "POST",
        "/api/join",
        None,
        Some(json!({"code": code(0).to_lowercase()})),
    );
    assert_eq!(s, 200, "{j1}");
    secrets.check(&j1, "join");
    let (s, again) = http.json("POST", "/api/join", None, Some(json!({"code": code(0)})));
    assert_eq!(s, 409, "{again}");
    let t1 = j1["token"].as_str().unwrap().to_string();

    // The options are in the order the exercise's seed fixes: the same as a local session.
    let mut local = Session::new(Arc::clone(&scenario), 7);
    let mut state = j1["state"].clone();
    let mut replies = 0;
    while state["status"] == "playing" {
        let texts: Vec<&str> = state["options"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["text"].as_str().unwrap())
            .collect();
        let want: Vec<&str> = local
            .current_options()
            .iter()
            .map(|o| o.text.as_str())
            .collect();
        assert_eq!(texts, want);
        assert_eq!(
            state["line"]["text"].as_str().unwrap(),
            local.current_line().unwrap().text
        );
        let n = local.auto_choice(AutoPolicy::Best).unwrap();
        let turn = state["turn"].as_u64().unwrap();
        let (s, r) = http.json(
            "POST",
            "/api/reply",
            Some(&t1),
            Some(json!({"number": n, "expect_turn": turn})),
        );
        assert_eq!(s, 200, "{r}");
        secrets.check(&r, "reply");
        assert_eq!(r["replayed"], false);
        // The same request again (a client retrying after a lost answer) is not recorded twice.
        let (s, r2) = http.json(
            "POST",
            "/api/reply",
            Some(&t1),
            Some(json!({"number": n, "expect_turn": turn})),
        );
        assert_eq!(s, 200, "{r2}");
        assert_eq!(r2["replayed"], true);
        assert_eq!(r2["state"]["turn"], r["state"]["turn"]);
        // A different reply to an answered turn is refused.
        let other = if n == 1 { 2 } else { 1 };
        let (s, _) = http.json(
            "POST",
            "/api/reply",
            Some(&t1),
            Some(json!({"number": other, "expect_turn": turn})),
        );
        assert_eq!(s, 409);
        local.choose(n).unwrap();
        replies += 1;
        let (s, p) = http.json("GET", "/api/play", Some(&t1), None);
        assert_eq!(s, 200);
        secrets.check(&p, "play");
        state = p;
    }
    assert_eq!(replies, local.turns().len());
    assert_eq!(state["closed"], "done");
    assert_eq!(state["result"]["passed"], true, "{state}");
    // Attempts are used up.
    let (s, body) = http.json("POST", "/api/join", None, Some(json!({"code": code(0)})));
    assert_eq!(s, 403, "{body}");

    // Student 2: one reply, then gone.
    let (_, j2) = http.json("POST", "/api/join", None, Some(json!({"code": code(1)})));
    let t2 = j2["token"].as_str().unwrap().to_string();
    let (s, _) = http.json(
        "POST",
        "/api/reply",
        Some(&t2),
        Some(json!({"number": 1, "expect_turn": 1})),
    );
    assert_eq!(s, 200);

    // Student 3: one reply in time, one after the limit.
    let (_, j3) = http.json("POST", "/api/join", None, Some(json!({"code": code(2)})));
    let t3 = j3["token"].as_str().unwrap().to_string();
    let (s, _) = http.json(
        "POST",
        "/api/reply",
        Some(&t3),
        Some(json!({"number": 1, "expect_turn": 1})),
    );
    assert_eq!(s, 200);
    let (s, st) = http.json(
        "GET",
        &format!("/api/exercises/{ex_id}/status"),
        Some(&admin),
        None,
    );
    assert_eq!(s, 200);
    let statuses: Vec<&str> = st["students"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["finished", "playing", "playing"], "{st}");
    clock.advance_ms(31 * 60_000);
    let (s, late) = http.json(
        "POST",
        "/api/reply",
        Some(&t3),
        Some(json!({"number": 1, "expect_turn": 2})),
    );
    assert_eq!(s, 200, "{late}");
    assert_eq!(late["late"], true);
    assert_eq!(late["state"]["status"], "finished");
    assert_eq!(late["state"]["closed"], "time_up");
    let (s, _) = http.json(
        "POST",
        "/api/reply",
        Some(&t3),
        Some(json!({"number": 1, "expect_turn": 3})),
    );
    assert_eq!(s, 409);

    let (s, st) = http.json(
        "GET",
        &format!("/api/exercises/{ex_id}/status"),
        Some(&admin),
        None,
    );
    assert_eq!(s, 200);
    let statuses: Vec<&str> = st["students"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["finished", "overdue", "finished"], "{st}");

    let (s, csv) = http.send(
        "GET",
        &format!("/api/exercises/{ex_id}/gradebook.csv"),
        Some(&admin),
        None,
    );
    assert_eq!(s, 200);
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 4, "{csv}");
    assert!(
        rows[1].contains("s1") && rows[1].contains(",pass,"),
        "{csv}"
    );
    assert!(
        rows[2].contains("s2") && !rows[2].contains(",pass,"),
        "{csv}"
    );
    assert!(
        rows[3].contains("s3") && rows[3].contains("over_time") && !rows[3].contains(",pass,"),
        "{csv}"
    );
    assert!(
        !rows[1].contains("over_time") && rows[1].ends_with(','),
        "s1 is clean: {csv}"
    );

    // The records grade the same with the file-based grader's input: one per student.
    let (s, export) = http.json(
        "GET",
        &format!("/api/exercises/{ex_id}/results"),
        Some(&admin),
        None,
    );
    assert_eq!(s, 200);
    assert_eq!(export["results"].as_array().unwrap().len(), 3, "{export}");

    // The log survives a restart: the same server data gives the same gradebook.
    drop(http);
    server.stop();
    let (server, clock2) = start(dir.path(), database);
    clock2.advance_ms(31 * 60_000);
    assert!(server.admin_token.is_none(), "the token is created once");
    let http = Http::new(server.addr);
    let (_, csv2) = http.send(
        "GET",
        &format!("/api/exercises/{ex_id}/gradebook.csv"),
        Some(&admin),
        None,
    );
    assert_eq!(csv2, csv);
}

#[test]
fn class_server_on_sqlite() {
    suite(None);
}

#[test]
fn practice_shows_feedback_and_takes_back() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _clock) = start(dir.path(), None);
    let admin = server.admin_token.clone().unwrap();
    let http = Http::new(server.addr);
    let text = private_scenario();
    let ex = exercise_text(&text, ExerciseMode::Practice);
    let (_, body) = http.json(
        "POST",
        "/api/exercises",
        Some(&admin),
        Some(json!({"exercise": ex, "scenarios": [text]})),
    );
    let id = body["id"].as_str().unwrap();
    let (_, body) = http.json(
        "POST",
        &format!("/api/exercises/{id}/roster"),
        Some(&admin),
        Some(Value::String("s9\n".into())),
    );
    let code = body["students"][0]["code"].as_str().unwrap();
    let (_, j) = http.json("POST", "/api/join", None, Some(json!({"code": code})));
    let t = j["token"].as_str().unwrap();
    let first = j["state"]["line"]["text"].clone();
    let (s, r) = http.json(
        "POST",
        "/api/reply",
        Some(t),
        Some(json!({"number": 1, "expect_turn": 1})),
    );
    assert_eq!(s, 200);
    assert!(r["practice"]["rating"].as_u64().is_some(), "{r}");
    let (s, b) = http.json(
        "POST",
        "/api/back",
        Some(t),
        Some(json!({"expect_turn": 2})),
    );
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["state"]["line"]["text"], first);
    assert_eq!(b["state"]["turn"], 3);
}

#[test]
fn class_server_on_postgres() {
    let Ok(url) = std::env::var("CHANGETALK_TEST_POSTGRES") else {
        eprintln!(
            "skipped: set CHANGETALK_TEST_POSTGRES=postgres://… (tests/class_server.rs starts its own)"
        );
        return;
    };
    suite(Some(url));
}
