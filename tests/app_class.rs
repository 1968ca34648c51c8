//! `gui --join URL`: the app as a client of the class server, driven headless through its
//! flow (the same messages the pages and the session screen send). A student joins with a
//! code, reads each briefing, plays both clients of an assessment and sees the server's
//! result; the app is closed mid-exercise and a new one resumes at the same point with the
//! conversation redrawn; the server is stopped under a reply, the app says so and keeps the
//! step, and "Try again" once it is back records the reply exactly once. Nothing the app
//! receives in the assessment carries a code or a rating.
#![cfg(feature = "gui")]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use bevy::prelude::*;
use changetalk::app::Screen;
use changetalk::app::class::{ClassRun, ClassStage};
use changetalk::app::screens::class::ClassAction;
use changetalk::app::screens::session::{Conversation, SessionAction};
use changetalk::app::state::ClassPage;
use changetalk::class_client::Client;
use changetalk_server::{Config, Running, spawn};
use common::{screen, send};
use serde_json::Value;

/// Runs frames until the step on its way is answered (at most 30 s).
fn settle(app: &mut App) {
    let start = Instant::now();
    loop {
        app.update();
        if app.world().resource::<ClassRun>().pending().is_none() {
            app.update();
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the server did not answer"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn run_of(app: &App) -> &ClassRun {
    app.world().resource::<ClassRun>()
}

fn page(app: &App) -> ClassPage {
    *app.world().resource::<State<ClassPage>>().get()
}

/// A headless app on the join page of the server at `url`; a dropped connection is retried
/// for `retry` only.
fn app_for(dir: &Path, url: &str, retry: Duration) -> App {
    let mut app = common::headless_app(dir, Screen::Class);
    let client = Client::new(url)
        .expect("an http address")
        .retrying_for(retry);
    app.insert_resource(ClassRun::with_client(client));
    app.update();
    app
}

fn join(app: &mut App, code: &str) {
    send(app, ClassAction::Join(code.to_string()));
    settle(app);
}

fn reply(app: &mut App, n: usize) {
    send(app, SessionAction::Choose(n));
    settle(app);
}

fn exchanges(app: &App) -> usize {
    run_of(app)
        .shown
        .as_ref()
        .map_or(0, |c| c.exchanges().len())
}

fn admin_get(url: &str, token: &str, path: &str) -> Value {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let text = agent
        .get(format!("{url}{path}"))
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .expect("the server answers")
        .body_mut()
        .read_to_string()
        .expect("a body");
    serde_json::from_str(&text).expect("JSON")
}

fn start_server(dir: &Path, listen: &str) -> Running {
    spawn(
        Config::new(dir.join("server")),
        listen.parse().expect("an address"),
    )
    .expect("starts")
}

#[test]
fn a_student_plays_an_assessment_on_the_class_server_from_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    let server = start_server(work, "127.0.0.1:0");
    let url = server.url();
    let listen = url.trim_start_matches("http://").to_string();
    let admin = server
        .admin_token
        .clone()
        .expect("a first start prints the token");
    let exercise = common::two_client_exercise(work, "week6", &["--mode", "assessment"]);
    std::fs::write(
        work.join("roster.csv"),
        "id,name\ns1,Ana Ruiz\ns2,Bo Chen\n",
    )
    .unwrap();
    let codes = work.join("codes.csv");
    let out = common::run(&[
        "class",
        "create",
        exercise.to_str().unwrap(),
        "--server",
        &url,
        "--token",
        &admin,
        "--roster",
        work.join("roster.csv").to_str().unwrap(),
        "-o",
        codes.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let codes_text = std::fs::read_to_string(&codes).unwrap();
    let code = codes_text
        .lines()
        .find(|l| l.starts_with("s1,"))
        .and_then(|l| l.rsplit(',').next())
        .expect("s1's code")
        .to_string();

    // A wrong code is refused on the join page, which stays.
    let mut app = app_for(work, &url, Duration::from_secs(60));
    join(&mut app, "NOPE-NOPE");
    assert_eq!(screen(&app), Screen::Class);
    assert_eq!(page(&app), ClassPage::Join);
    assert!(run_of(&app).problem.is_some(), "a wrong code is explained");

    // The right code: the first client's briefing, then the conversation.
    join(&mut app, &code);
    assert_eq!(run_of(&app).stage, ClassStage::Briefing);
    assert_eq!(page(&app), ClassPage::Briefing);
    send(&mut app, ClassAction::Start);
    assert_eq!(screen(&app), Screen::Session);
    let first = run_of(&app).shown.clone().expect("a conversation");
    assert_eq!(first.index, 0);
    assert!(first.waiting().is_some() && !first.choices().is_empty());
    reply(&mut app, 1);
    assert_eq!(exchanges(&app), 1);
    // In an assessment the app never learns how a reply was coded.
    let shown = run_of(&app).shown.clone().unwrap();
    assert!(shown.exchanges().iter().all(|e| e.coding.is_none()));
    assert!(shown.history.iter().all(|e| e.practice.is_none()));

    // The app is closed; a new one joins with the same code and resumes at the same point,
    // with the conversation so far redrawn.
    drop(app);
    let mut app = app_for(work, &url, Duration::from_secs(60));
    join(&mut app, &code);
    assert!(run_of(&app).resumed);
    assert_eq!(run_of(&app).stage, ClassStage::Conversation);
    assert_eq!(screen(&app), Screen::Session);
    assert_eq!(exchanges(&app), 1);

    // The server goes away under a reply: the app says so and keeps the step.
    let before = run_of(&app).state.as_ref().unwrap().turn;
    let retry = Duration::from_secs(2);
    drop(app);
    let mut app = app_for(work, &url, retry);
    join(&mut app, &code);
    server.stop();
    reply(&mut app, 2);
    assert!(run_of(&app).failed.is_some(), "the failed reply is kept");
    assert!(
        run_of(&app)
            .problem
            .as_deref()
            .is_some_and(|m| m.contains("kept by the server")),
        "{:?}",
        run_of(&app).problem
    );
    assert_eq!(exchanges(&app), 1);
    // Back again (same data, same address): "Try again" records the reply once.
    let server = start_server(work, &listen);
    send(&mut app, SessionAction::Retry);
    settle(&mut app);
    assert!(run_of(&app).failed.is_none() && run_of(&app).problem.is_none());
    assert_eq!(exchanges(&app), 2);
    assert_eq!(run_of(&app).state.as_ref().unwrap().turn, before + 1);

    // Play on to the end: each conversation ends on screen, "Next client" opens the next
    // briefing, and the last one leads to the server's result.
    let mut guard = 0;
    while run_of(&app).stage != ClassStage::Results {
        guard += 1;
        assert!(guard < 200, "the exercise never ended");
        match run_of(&app).stage {
            ClassStage::Briefing => send(&mut app, ClassAction::Start),
            ClassStage::Conversation => {
                let over = run_of(&app).shown.as_ref().is_some_and(|c| c.over);
                if over {
                    send(&mut app, SessionAction::ShowReport);
                } else {
                    reply(&mut app, 1);
                }
            }
            other => panic!("unexpected stage {other:?}"),
        }
    }
    assert_eq!(page(&app), ClassPage::Results);
    let state = run_of(&app).state.clone().unwrap();
    assert_eq!(state.status, "finished");
    // Every step was a reply (no take-backs or early ends in this run).
    let replies = state.turn - 1;
    let result = state.result.expect("a finished attempt has a result");
    assert!(result.total > 0.0);

    // The server's log holds every reply once: as many as the app sent.
    let list = admin_get(&url, &admin, "/api/exercises");
    let id = list[0]["id"].as_str().expect("an exercise id").to_string();
    let status = admin_get(&url, &admin, &format!("/api/exercises/{id}/status"));
    let s1 = status["students"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "s1")
        .expect("s1")
        .clone();
    assert_eq!(s1["status"], "finished");
    assert_eq!(s1["replies"].as_u64(), Some(replies));
    drop(server);
}
