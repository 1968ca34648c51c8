//! Classroom exercises in the app: signing in, every reply saved before the next frame,
//! resuming after the app is gone, the result file the grader accepts, and the sign-in and
//! results pages driven by their labels.
#![cfg(feature = "gui")]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bevy::prelude::*;
use bevy_egui::egui;
use changetalk::app::exercise::{ExerciseRun, WhichName};
use changetalk::app::screens::briefing::{BriefingAction, briefing_ui, exercise_start_ui};
use changetalk::app::screens::exercise::{ExerciseAction, SignInForm, sign_in_page};
use changetalk::app::screens::library::LibraryAction;
use changetalk::app::screens::report::ReportAction;
use changetalk::app::screens::session::{ReplyView, SessionAction, reply_ui};
use changetalk::app::screens::settings::SettingsAction;
use changetalk::app::settings::Settings;
use changetalk::app::state::{Catalog, ExercisePage, Mode, Play, Report, Screen, Selected};
use changetalk::app::theme::Palette;
use changetalk::app::{Options, prepare};
use changetalk_core::classroom::result::parse_result;
use changetalk_core::engine::best_index;
use common::{run, screen, send, stdout};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// An exercise of two bundled clients in `mode`, seed 11.
fn exercise(dir: &Path, mode: &str) -> PathBuf {
    common::two_client_exercise(dir, "week5", &["--mode", mode, "--seed", "11"])
}

/// A headless app on the exercise's sign-in page.
fn app_for(file: &Path, results: &Path) -> App {
    let run = ExerciseRun::open(file, Some(results.to_path_buf())).expect("loads");
    let mut app = common::headless_app(results, Screen::Exercise);
    app.insert_resource(run);
    app.update();
    app
}

/// The student signing in with this name and id.
fn sign_in(name: &str, id: &str) -> ExerciseAction {
    ExerciseAction::SignIn {
        name: name.into(),
        id: id.into(),
    }
}

/// "Start the conversation" on a client's briefing (the exercise fixes the mode: the one
/// sent is ignored).
fn begin(app: &mut App) {
    send(app, BriefingAction::Start(Mode::Practice));
}

/// The exercise open in the app.
fn run_of(app: &App) -> &ExerciseRun {
    app.world().resource::<ExerciseRun>()
}

/// (scenario index, turns played) of the session on screen.
fn position(app: &App) -> (usize, usize) {
    let play = app.world().resource::<Play>();
    (
        play.exercise.expect("an exercise session"),
        play.session.turns().len(),
    )
}

fn transcript_json(app: &App) -> String {
    let play = app.world().resource::<Play>();
    serde_json::to_string(&play.session.transcript()).unwrap()
}

fn progress_choices(path: &Path) -> Vec<Vec<usize>> {
    let rec = parse_result(&std::fs::read(path).expect("progress file")).expect("valid");
    assert!(!rec.complete);
    rec.scenarios
        .iter()
        .map(|r| r.choices.iter().map(|c| c.number).collect())
        .collect()
}

fn best_choice(app: &App) -> usize {
    let play = app.world().resource::<Play>();
    best_index(&play.session.current_ratings()) + 1
}

#[test]
fn every_reply_is_saved_and_a_new_app_resumes_at_the_same_point() {
    let dir = tempfile::tempdir().unwrap();
    let file = exercise(dir.path(), "assessment");
    let results = dir.path().join("results");
    let progress = results.join("week5--s100.progress.json");

    let mut app = app_for(&file, &results);
    send(&mut app, sign_in("Sam Lee", "s100"));
    assert_eq!(
        screen(&app),
        Screen::Briefing,
        "each client is briefed first"
    );
    begin(&mut app);
    assert_eq!(screen(&app), Screen::Session);
    assert_eq!(position(&app), (0, 0));
    send(&mut app, SessionAction::Choose(2));
    assert_eq!(progress_choices(&progress), vec![vec![2]]);
    send(&mut app, SessionAction::Choose(1));
    assert_eq!(
        progress_choices(&progress),
        vec![vec![2, 1]],
        "saved after every reply"
    );
    send(&mut app, SessionAction::Rewind);
    assert_eq!(position(&app), (0, 2), "no take-backs in an assessment");
    let before = transcript_json(&app);
    drop(app); // the app is gone, as after a crash: only the files remain

    let mut app = app_for(&file, &results);
    send(&mut app, sign_in("", "s100"));
    assert_eq!(screen(&app), Screen::Session);
    assert_eq!(position(&app), (0, 2), "resumed at the same turn");
    assert_eq!(transcript_json(&app), before, "the same conversation");
    let attempt = run_of(&app).attempt.as_ref().expect("signed in");
    assert_eq!(
        attempt.record.student.name, "Sam Lee",
        "the saved name is kept"
    );

    // Play both clients to the end with the best replies; the second starts on its own.
    for _ in 0..200 {
        match screen(&app) {
            Screen::Briefing => {
                begin(&mut app);
                continue;
            }
            Screen::Session => {}
            _ => break,
        }
        let over = app.world().resource::<Play>().session.is_over();
        if over {
            send(&mut app, SessionAction::ShowReport);
        } else {
            let c = best_choice(&app);
            send(&mut app, SessionAction::Choose(c));
        }
    }
    assert_eq!(screen(&app), Screen::Exercise);
    assert_eq!(page(&app), Some(ExercisePage::Results));
    assert!(!app.world().contains_resource::<Play>());
    let ex = run_of(&app);
    let outcome = ex.outcome.as_ref().expect("finished");
    assert_eq!(outcome.derived.scores.len(), 2);
    assert!(
        !progress.exists(),
        "the progress file is removed at the end"
    );
    let result = results.join("week5--s100.json");
    assert_eq!(outcome.result_path, result);
    let rec = parse_result(&std::fs::read(&result).unwrap()).unwrap();
    assert!(rec.complete);
    assert_eq!(rec.student.name, "Sam Lee");
    assert_eq!(
        &rec.scenarios[0].choices[..2]
            .iter()
            .map(|c| c.number)
            .collect::<Vec<_>>(),
        &[2, 1]
    );
    assert!(
        rec.scenarios
            .iter()
            .all(|r| !r.stopped && !r.choices.is_empty())
    );

    // The grader accepts the app's file as a clean result.
    let csv = dir.path().join("gradebook.csv");
    let o = run(&[
        "grade",
        file.to_str().unwrap(),
        results.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    assert!(stdout(&o).contains("1 graded"), "{}", stdout(&o));
    let text = std::fs::read_to_string(&csv).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = text.lines().nth(1).unwrap().split(',').collect();
    let flags = header.iter().position(|h| *h == "flags").unwrap();
    assert_eq!(row[flags], "", "a clean result has no flags: {text}");
}

#[test]
fn practice_exercise_records_take_backs_and_ending_early_moves_on() {
    let dir = tempfile::tempdir().unwrap();
    let file = exercise(dir.path(), "practice");
    let results = dir.path().join("results");
    let progress = results.join("week5--p7.progress.json");
    let mut app = app_for(&file, &results);
    send(&mut app, sign_in("Pat", "p7"));
    begin(&mut app);
    send(&mut app, SessionAction::Choose(1));
    send(&mut app, SessionAction::Choose(1));
    send(&mut app, SessionAction::Rewind);
    assert_eq!(progress_choices(&progress), vec![vec![1]]);
    // Instructor tools do nothing in an exercise.
    send(&mut app, SessionAction::Jump(3));
    send(&mut app, SessionAction::Restart);
    send(&mut app, SessionAction::ToggleInstructor);
    assert_eq!(position(&app), (0, 1));
    assert!(!app.world().resource::<Settings>().instructor_mode);
    // Ending the first conversation early moves to the second client's briefing.
    send(&mut app, SessionAction::End);
    assert_eq!(screen(&app), Screen::Briefing);
    assert_eq!(position(&app), (1, 0));
    begin(&mut app);
    assert_eq!(screen(&app), Screen::Session);
    let rec = parse_result(&std::fs::read(&progress).unwrap()).unwrap();
    assert!(rec.scenarios[0].stopped);
    // Leaving for the exercise page keeps everything; ending the last one finishes.
    send(&mut app, SessionAction::Back);
    assert_eq!(screen(&app), Screen::Exercise);
    assert_eq!(page(&app), Some(ExercisePage::SignIn));
    send(&mut app, ExerciseAction::Continue);
    assert_eq!(position(&app), (1, 0));
    assert_eq!(screen(&app), Screen::Briefing, "not begun: briefed again");
    begin(&mut app);
    send(&mut app, SessionAction::End);
    assert_eq!(screen(&app), Screen::Exercise);
    assert!(results.join("week5--p7.json").exists());
    // A second start is refused (one attempt); the student sees their results instead.
    let mut again = app_for(&file, &results);
    send(&mut again, sign_in("Pat", "p7"));
    assert_eq!(screen(&again), Screen::Exercise);
    assert_eq!(page(&again), Some(ExercisePage::Results));
    let ex = run_of(&again);
    assert!(
        ex.notice
            .as_deref()
            .is_some_and(|m| m.contains("You have completed this exercise (1 of 1 attempt used)")),
        "{:?} {:?}",
        ex.notice,
        ex.message
    );
    let outcome = ex.outcome.as_ref().expect("the results are shown");
    assert_eq!(outcome.derived.scores.len(), 2);
    assert_eq!(outcome.transcripts[0].choices, vec![1]);
    assert!(ex.attempt.is_none(), "no new attempt was started");
}

#[test]
fn sign_in_page_needs_a_name_and_id_and_shows_bad_ids() {
    let dir = tempfile::tempdir().unwrap();
    let file = exercise(dir.path(), "assessment");
    let run = ExerciseRun::open(&file, Some(dir.path().join("r"))).unwrap();
    let mut harness = Harness::new_ui_state(
        |ui, state: &mut (ExerciseRun, SignInForm, Option<ExerciseAction>)| {
            if let Some(a) = sign_in_page(ui, &state.0, &mut state.1, &Palette::NORMAL) {
                state.2 = Some(a);
            }
        },
        (run, SignInForm::default(), None),
    );
    harness.set_size(egui::vec2(1024.0, 640.0));
    harness.run();
    harness.get_by_label_contains("— Rick Delgado, 47");
    harness.get_by_label_contains("Assessment: no hints");
    // Disabled until both are filled in.
    harness.get_by_label("Start the exercise (Enter)").click();
    harness.run();
    assert_eq!(harness.state().2, None);
    harness.state_mut().1.name = "Sam Lee".into();
    harness.state_mut().1.id = "s 100".into();
    harness.run();
    harness.get_by_label("Start the exercise (Enter)").click();
    harness.run();
    assert_eq!(harness.state().2, Some(sign_in("Sam Lee", "s 100")));
    // The app shows why an id is refused.
    let state = harness.state_mut();
    assert!(state.0.sign_in("Sam Lee", "s 100").is_none());
    harness.run();
    harness.get_by_label_contains("student id `s 100` cannot be used");
}

#[test]
fn ending_a_conversation_in_an_exercise_asks_first() {
    let scenario = changetalk::library::resolve("court-ordered-dui").unwrap();
    let session = changetalk_core::Session::new(scenario, 1);
    let mut view = ReplyView::new(Mode::Assessment);
    view.confirm_end = true;
    let mut harness = Harness::new_ui_state(
        |ui, state: &mut (changetalk_core::Session, ReplyView, Vec<SessionAction>)| {
            if let Some(a) = reply_ui(ui, &state.0, &state.1, &Palette::NORMAL) {
                state.2.push(a);
            }
        },
        (session, view, Vec::new()),
    );
    harness.get_by_label("End session (E)").click();
    harness.run();
    assert!(harness.state().2.is_empty(), "the first press only asks");
    harness.get_by_label_contains("End this conversation now?");
    harness.get_by_label("Keep talking (Esc)").click();
    harness.run();
    assert!(
        harness
            .query_by_label_contains("End this conversation now?")
            .is_none()
    );
    harness.get_by_label("End session (E)").click();
    harness.run();
    harness.get_by_label("Yes, end it (E)").click();
    harness.run();
    assert_eq!(harness.state().2, vec![SessionAction::End]);
}

/// An exercise with a 1-minute limit.
fn timed_exercise(dir: &Path) -> PathBuf {
    common::two_client_exercise(dir, "quiz", &["--time-limit", "1"])
}

#[test]
fn after_the_time_limit_no_reply_is_recorded_and_the_result_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = timed_exercise(dir.path());
    let results = dir.path().join("results");
    let mut app = app_for(&file, &results);
    send(&mut app, sign_in("Tim", "t1"));
    begin(&mut app);
    send(&mut app, SessionAction::Choose(1));
    // Two minutes pass.
    {
        let mut ex = app.world_mut().resource_mut::<ExerciseRun>();
        let attempt = ex.attempt.as_mut().unwrap();
        attempt.started_ms -= 120_000;
    }
    send(&mut app, SessionAction::Choose(1));
    assert_eq!(screen(&app), Screen::Exercise);
    assert_eq!(page(&app), Some(ExercisePage::Results));
    let ex = run_of(&app);
    assert!(ex.outcome.is_some());
    assert!(
        ex.notice
            .as_deref()
            .is_some_and(|m| m.starts_with("Time is up")),
        "{:?} {:?}",
        ex.notice,
        ex.message
    );
    let rec = parse_result(&std::fs::read(results.join("quiz--t1.json")).unwrap()).unwrap();
    assert_eq!(
        rec.scenarios[0].choices.len(),
        1,
        "the late reply is not recorded"
    );
    assert!(rec.scenarios.iter().all(|r| r.stopped));
}

#[test]
fn reopening_after_the_time_limit_finishes_and_a_mismatched_progress_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = timed_exercise(dir.path());
    let results = dir.path().join("results");
    let progress = results.join("quiz--t2.progress.json");
    let mut app = app_for(&file, &results);
    send(&mut app, sign_in("Tia", "t2"));
    begin(&mut app);
    send(&mut app, SessionAction::Choose(2));
    drop(app);
    // A progress file whose seed was changed by hand does not resume.
    let text = std::fs::read_to_string(&progress).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["scenarios"][0]["seed"] = serde_json::json!(999);
    std::fs::write(&progress, serde_json::to_string(&v).unwrap()).unwrap();
    let mut app = app_for(&file, &results);
    send(&mut app, sign_in("Tia", "t2"));
    {
        let ex = run_of(&app);
        assert!(
            ex.message
                .as_deref()
                .is_some_and(|m| m.contains("does not match")),
            "{:?}",
            ex.message
        );
    }
    // Restored, but started two hours ago: reopening ends it at once.
    v["scenarios"][0]["seed"] = serde_json::json!(1);
    v["started_at"] = serde_json::json!("2020-01-01T00:00:00.000Z");
    std::fs::write(&progress, serde_json::to_string(&v).unwrap()).unwrap();
    let mut app = app_for(&file, &results);
    send(&mut app, sign_in("Tia", "t2"));
    assert_eq!(screen(&app), Screen::Exercise);
    let ex = run_of(&app);
    assert!(ex.outcome.is_some(), "{:?}", ex.message);
    let rec = parse_result(&std::fs::read(results.join("quiz--t2.json")).unwrap()).unwrap();
    assert_eq!(rec.scenarios[0].choices[0].number, 2);
}

/// The exercise page the app shows, if it is on the exercise screen.
fn page(app: &App) -> Option<ExercisePage> {
    app.world()
        .get_resource::<State<ExercisePage>>()
        .map(|s| *s.get())
}

/// Fails unless the screen shown has what it shows: the flow opens a screen only together
/// with its data (there is no fallback for an empty screen).
#[track_caller]
fn assert_screen_has_its_data(app: &App, step: usize) {
    let w = app.world();
    let has = match screen(app) {
        Screen::Session => w.contains_resource::<Play>(),
        Screen::Briefing => w.contains_resource::<Selected>(),
        Screen::Report => w.contains_resource::<Report>(),
        Screen::Exercise => {
            let run = w.get_resource::<ExerciseRun>();
            let results = run.is_some_and(|r| r.outcome.is_some());
            let want = if results {
                ExercisePage::Results
            } else {
                ExercisePage::SignIn
            };
            run.is_some() && page(app) == Some(want)
        }
        Screen::Class => w.contains_resource::<changetalk::app::class::ClassRun>(),
        Screen::Editor => w.contains_resource::<changetalk::app::editor::Editor>(),
        Screen::Library | Screen::Settings => true,
    };
    assert!(has, "step {step}: {:?} without its data", screen(app));
}

#[test]
fn every_screen_the_flow_opens_has_what_it_shows() {
    let dir = tempfile::tempdir().unwrap();
    let file = exercise(dir.path(), "practice");
    let results = dir.path().join("results");
    let mut app = app_for(&file, &results);
    app.insert_resource(Catalog(changetalk::library::bundled()));
    // A fixed pseudo-random walk over what a student can do on each screen: first through
    // the exercise to its results, then the library's clients.
    let mut rng = 0x9E37_79B9_7F4A_7C15_u64;
    let mut seen = std::collections::BTreeSet::new();
    let mut finished = 0;
    for step in 0..800 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let r = (rng >> 33) as usize;
        let here = screen(&app);
        seen.insert(format!("{here:?}"));
        match here {
            Screen::Exercise => match r % 12 {
                0 if step > 500 => send(&mut app, ExerciseAction::Library),
                1 => send(&mut app, ExerciseAction::Settings),
                2 | 3 => send(&mut app, ExerciseAction::ViewReport(r % 3)),
                4..=6 => send(&mut app, ExerciseAction::Continue),
                _ => send(&mut app, sign_in("Kim", &format!("k{}", r % 4))),
            },
            Screen::Session => match r % 10 {
                0 => send(&mut app, SessionAction::Back),
                1 => send(&mut app, SessionAction::Settings),
                2 => send(&mut app, SessionAction::Rewind),
                3 | 4 => send(&mut app, SessionAction::End),
                5 => send(&mut app, SessionAction::ShowReport),
                _ => send(&mut app, SessionAction::Choose(1 + r % 4)),
            },
            Screen::Report => match r % 2 {
                0 => send(&mut app, ReportAction::Again),
                _ => send(&mut app, ReportAction::Library),
            },
            Screen::Settings => send(&mut app, SettingsAction::Back),
            Screen::Class => panic!("step {step}: no class server in this walk"),
            Screen::Editor => panic!("step {step}: the bundled clients have no Edit button"),
            Screen::Library => match r % 4 {
                0 => send(&mut app, LibraryAction::Settings),
                _ => send(&mut app, LibraryAction::Open(r % 6)),
            },
            Screen::Briefing => match r % 5 {
                0 => send(&mut app, BriefingAction::Back),
                1 => send(&mut app, BriefingAction::Settings),
                2 => send(&mut app, BriefingAction::Start(Mode::Assessment)),
                _ => send(&mut app, BriefingAction::Start(Mode::Practice)),
            },
        }
        assert_screen_has_its_data(&app, step);
        if here == Screen::Session && page(&app) == Some(ExercisePage::Results) {
            finished += 1;
        }
    }
    assert_eq!(finished, 1, "the student finishes the exercise");
    assert_eq!(seen.len(), 6, "the walk visits every screen: {seen:?}");
}

/// The progress file's bytes.
fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("the file is there")
}

#[test]
fn each_client_is_briefed_first_and_the_briefing_changes_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = exercise(dir.path(), "assessment");
    let results = dir.path().join("results");
    let progress = results.join("week5--b1.progress.json");
    let mut app = app_for(&file, &results);
    send(&mut app, sign_in("Bo", "b1"));
    // The first client's briefing, with its conversation ready in the exercise's mode.
    assert_eq!(screen(&app), Screen::Briefing);
    let ex = run_of(&app);
    let first = Arc::clone(&ex.loaded.scenarios[0]);
    let second = Arc::clone(&ex.loaded.scenarios[1]);
    assert!(Arc::ptr_eq(&app.world().resource::<Selected>().0, &first));
    assert_eq!(position(&app), (0, 0));
    let saved = bytes(&progress);
    // Away and back: still the briefing, nothing written.
    send(&mut app, BriefingAction::Settings);
    assert_eq!(screen(&app), Screen::Settings);
    send(&mut app, SettingsAction::Back);
    assert_eq!(screen(&app), Screen::Briefing);
    send(&mut app, BriefingAction::Back);
    assert_eq!(screen(&app), Screen::Exercise);
    assert_eq!(page(&app), Some(ExercisePage::SignIn));
    send(&mut app, ExerciseAction::Continue);
    assert_eq!(screen(&app), Screen::Briefing);
    assert_eq!(bytes(&progress), saved, "the briefing writes nothing");
    // Starting asks for no mode: the exercise's is used (a practice start is not taken).
    send(&mut app, BriefingAction::Start(Mode::Practice));
    assert_eq!(screen(&app), Screen::Session);
    assert_eq!(app.world().resource::<Play>().mode, Mode::Assessment);
    assert_eq!(bytes(&progress), saved, "starting writes nothing either");
    send(&mut app, SessionAction::Choose(1));
    // The first conversation over: the second client's briefing.
    send(&mut app, SessionAction::End);
    assert_eq!(screen(&app), Screen::Briefing);
    assert_eq!(position(&app), (1, 0));
    assert!(Arc::ptr_eq(&app.world().resource::<Selected>().0, &second));
    let saved = bytes(&progress);
    begin(&mut app);
    assert_eq!(bytes(&progress), saved);
    send(&mut app, SessionAction::Choose(2));
    drop(app);
    // Resumed mid-conversation: straight back into it, nothing lost.
    let mut app = app_for(&file, &results);
    send(&mut app, sign_in("Bo", "b1"));
    assert_eq!(screen(&app), Screen::Session);
    assert_eq!(position(&app), (1, 1));
    assert_eq!(progress_choices(&progress), vec![vec![1], vec![2]]);
}

#[test]
fn the_time_limit_ends_the_exercise_on_a_briefing_too() {
    let dir = tempfile::tempdir().unwrap();
    let file = timed_exercise(dir.path());
    let results = dir.path().join("results");
    let mut app = app_for(&file, &results);
    send(&mut app, sign_in("Tam", "t3"));
    assert_eq!(screen(&app), Screen::Briefing);
    app.world_mut()
        .resource_mut::<ExerciseRun>()
        .attempt
        .as_mut()
        .unwrap()
        .started_ms -= 120_000;
    app.update();
    app.update();
    assert_eq!(screen(&app), Screen::Exercise);
    assert_eq!(page(&app), Some(ExercisePage::Results));
    assert!(results.join("quiz--t3.json").exists());
}

#[test]
fn an_exercise_briefing_offers_one_start_in_the_exercise_mode() {
    use changetalk::app::screens::session::guard::SETTLE_SECONDS;
    let scenario = changetalk::library::resolve("court-ordered-dui").unwrap();
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1024.0, 640.0))
        .with_step_dt(0.02)
        .build_ui_state(briefing_ui_for_test, Vec::new());
    // The second Enter of a double Enter (the first signed in) does not skip the briefing.
    harness.step();
    harness.key_press(egui::Key::Enter);
    harness.step();
    assert!(
        harness.state().is_empty(),
        "too soon: the briefing was not seen"
    );
    let read = (SETTLE_SECONDS / 0.02).ceil() as usize + 2;
    for _ in 0..read {
        harness.step();
    }
    // Who the client is and what to practise, as on any briefing.
    let background: String = scenario.persona.background.chars().take(30).collect();
    harness.get_by_label_contains(&background);
    harness.get_by_label("What you will practise");
    harness.get_by_label_contains("Client 1 of 2: Rick Delgado");
    harness.get_by_label_contains("Assessment: no hints");
    // No choice of mode.
    assert!(harness.query_by_label("Start practice (P)").is_none());
    assert!(harness.query_by_label("Start assessment (A)").is_none());
    harness
        .get_by_label("Start the conversation (Enter)")
        .click();
    harness.step();
    assert_eq!(
        harness.state().as_slice(),
        &[BriefingAction::Start(Mode::Assessment)]
    );
    harness.state_mut().clear();
    harness.key_press(egui::Key::P);
    harness.step();
    assert!(harness.state().is_empty(), "P chooses nothing here");
    harness.key_press(egui::Key::Enter);
    harness.step();
    assert_eq!(
        harness.state().as_slice(),
        &[BriefingAction::Start(Mode::Assessment)]
    );
    harness.key_press(egui::Key::Escape);
    harness.step();
    assert_eq!(harness.state().last(), Some(&BriefingAction::Back));
}

/// The exercise briefing's two parts, as the screen lays them out.
fn briefing_ui_for_test(ui: &mut egui::Ui, actions: &mut Vec<BriefingAction>) {
    let scenario = changetalk::library::resolve("court-ordered-dui").unwrap();
    let p = Palette::NORMAL;
    egui::Panel::bottom("start").show(ui, |ui| {
        if let Some(a) = exercise_start_ui(ui, Mode::Assessment, "Client 1 of 2: Rick Delgado", &p)
        {
            actions.push(a);
        }
    });
    egui::CentralPanel::no_frame().show(ui, |ui| briefing_ui(ui, &scenario, None, &p));
}

#[test]
fn a_returning_student_who_types_another_name_chooses_the_name() {
    let dir = tempfile::tempdir().unwrap();
    let file = exercise(dir.path(), "practice");
    let results = dir.path().join("results");
    let progress = results.join("week5--n1.progress.json");
    let mut app = app_for(&file, &results);
    send(&mut app, sign_in("Sam Lee", "n1"));
    begin(&mut app);
    send(&mut app, SessionAction::Choose(1));
    drop(app);
    let saved = bytes(&progress);

    // The same name typed differently continues at once, under the saved name.
    let mut app = app_for(&file, &results);
    send(&mut app, sign_in("  sam   LEE ", "n1"));
    assert_eq!(screen(&app), Screen::Session);
    assert_eq!(
        run_of(&app).attempt.as_ref().unwrap().record.student.name,
        "Sam Lee"
    );
    drop(app);

    // Another name: nothing continues until the student says which name is right.
    let mut app = app_for(&file, &results);
    send(&mut app, sign_in("Samuel Lee", "n1"));
    assert_eq!(screen(&app), Screen::Exercise);
    assert_eq!(page(&app), Some(ExercisePage::SignIn));
    {
        let ex = run_of(&app);
        assert!(ex.attempt.is_none());
        let c = ex.conflict.as_ref().expect("asked");
        assert_eq!(
            (c.saved.as_str(), c.typed.as_str()),
            ("Sam Lee", "Samuel Lee")
        );
        assert_eq!(c.id(), "n1");
    }
    assert_eq!(bytes(&progress), saved, "asking writes nothing");
    // "Not my progress": back to the form, nothing changed.
    send(&mut app, ExerciseAction::NotMe);
    let ex = run_of(&app);
    assert!(ex.conflict.is_none() && ex.attempt.is_none());
    assert!(
        ex.message
            .as_deref()
            .is_some_and(|m| m.contains("check your student ID")),
        "{:?}",
        ex.message
    );
    assert_eq!(bytes(&progress), saved);
    // Signed in again, the student keeps the name typed: the progress and the result carry it.
    send(&mut app, sign_in("Samuel Lee", "n1"));
    send(&mut app, ExerciseAction::UseName(WhichName::Typed));
    assert_eq!(screen(&app), Screen::Session);
    assert_eq!(position(&app), (0, 1), "the progress continues");
    let rec = parse_result(&bytes(&progress)).unwrap();
    assert_eq!(rec.student.name, "Samuel Lee");
    assert_eq!(rec.student.id, "n1");
    send(&mut app, SessionAction::End);
    begin(&mut app);
    send(&mut app, SessionAction::End);
    let rec = parse_result(&bytes(&results.join("week5--n1.json"))).unwrap();
    assert!(rec.complete);
    assert_eq!(
        rec.student.name, "Samuel Lee",
        "the grade names the student"
    );

    // Keeping the saved name leaves it as it was.
    let mut app = app_for(&file, &results);
    send(&mut app, sign_in("Ann", "n2"));
    begin(&mut app);
    send(&mut app, SessionAction::Choose(1));
    drop(app);
    let mut app = app_for(&file, &results);
    send(&mut app, sign_in("Anne Other", "n2"));
    send(&mut app, ExerciseAction::UseName(WhichName::Saved));
    assert_eq!(screen(&app), Screen::Session);
    let rec = parse_result(&bytes(&results.join("week5--n2.progress.json"))).unwrap();
    assert_eq!(rec.student.name, "Ann");
}

#[test]
fn the_sign_in_page_asks_which_name_to_use() {
    let dir = tempfile::tempdir().unwrap();
    let file = exercise(dir.path(), "assessment");
    let results = dir.path().join("r");
    let mut run = ExerciseRun::open(&file, Some(results.clone())).unwrap();
    let mut play = run.sign_in("Sam Lee", "q1").expect("started");
    run.reply(&mut play, 1).unwrap();
    let mut run = ExerciseRun::open(&file, Some(results)).unwrap();
    assert!(run.sign_in("Samuel", "q1").is_none());
    let mut harness = Harness::new_ui_state(
        |ui, state: &mut (ExerciseRun, SignInForm, Vec<ExerciseAction>)| {
            if let Some(a) = sign_in_page(ui, &state.0, &mut state.1, &Palette::NORMAL) {
                state.2.push(a);
            }
        },
        (run, SignInForm::default(), Vec::new()),
    );
    harness.set_size(egui::vec2(1024.0, 640.0));
    harness.run();
    harness.get_by_label_contains("Which name should your result carry?");
    harness.get_by_label_contains("started under the name \"Sam Lee\". You typed \"Samuel\"");
    assert!(
        harness
            .query_by_label("Start the exercise (Enter)")
            .is_none(),
        "no form while asking"
    );
    harness.get_by_label("Continue as Samuel").click();
    harness.run();
    harness.get_by_label("Continue as Sam Lee").click();
    harness.run();
    harness.get_by_label("This is not my progress").click();
    harness.run();
    assert_eq!(
        harness.state().2,
        vec![
            ExerciseAction::UseName(WhichName::Typed),
            ExerciseAction::UseName(WhichName::Saved),
            ExerciseAction::NotMe,
        ]
    );
}

/// `gui --exercise FILE --student NAME --id ID [--choices …]`, resolved as the app starts.
fn gui_options(file: &Path, results: &Path, name: &str, id: &str) -> Options {
    Options {
        exercise: Some(file.to_path_buf()),
        student: Some(name.into()),
        id: Some(id.into()),
        results: Some(results.to_path_buf()),
        ..Options::default()
    }
}

#[test]
fn a_finished_student_passing_student_and_id_sees_their_results() {
    let dir = tempfile::tempdir().unwrap();
    let file = exercise(dir.path(), "assessment");
    let results = dir.path().join("results");
    // A first start opens the first client's briefing.
    let opts = gui_options(&file, &results, "Fin", "f1");
    let start = prepare(&opts, Vec::new()).expect("starts");
    assert_eq!(start.screen, Screen::Briefing);
    assert!(start.selected.is_some() && start.play.is_some());
    // Replies given on the command line leave it mid-conversation.
    let start = prepare(
        &Options {
            choices: Some(vec![1]),
            ..opts.clone()
        },
        Vec::new(),
    )
    .expect("plays");
    assert_eq!(start.screen, Screen::Session);
    // Finished with --auto.
    let start = prepare(
        &Options {
            auto: Some(changetalk_core::AutoPolicy::Best),
            ..opts.clone()
        },
        Vec::new(),
    )
    .expect("finishes");
    assert_eq!(start.screen, Screen::Exercise);
    assert!(results.join("week5--f1.json").exists());
    // Again, as the finished student: the results page, with or without replies to play.
    for extra in [None, Some(vec![1, 2])] {
        let start = prepare(
            &Options {
                choices: extra.clone(),
                ..opts.clone()
            },
            Vec::new(),
        )
        .unwrap_or_else(|e| panic!("{extra:?}: `{e}`"));
        assert_eq!(start.screen, Screen::Exercise);
        assert_eq!(start.exercise_page(), ExercisePage::Results);
        let ex = start.exercise.as_ref().unwrap();
        assert_eq!(ex.outcome.as_ref().unwrap().derived.scores.len(), 2);
        assert!(
            ex.notice
                .as_deref()
                .is_some_and(|m| m.contains("You have completed this exercise")),
            "{:?}",
            ex.notice
        );
        assert_eq!(
            start.notes.iter().any(|n| n.contains("already completed")),
            extra.is_some(),
            "{:?}",
            start.notes
        );
    }
    // A student who cannot start is told why, in words.
    let e = match prepare(&gui_options(&file, &results, "X", "bad id"), Vec::new()) {
        Err(e) => e,
        Ok(_) => panic!("a bad id starts nothing"),
    };
    assert!(
        e.starts_with("error: student id `bad id` cannot be used"),
        "{e}"
    );
}

#[test]
fn a_changed_name_on_the_command_line_is_asked_in_the_window_or_refused_for_scripts() {
    let dir = tempfile::tempdir().unwrap();
    let file = exercise(dir.path(), "assessment");
    let results = dir.path().join("results");
    let opts = Options {
        choices: Some(vec![1]),
        ..gui_options(&file, &results, "Ada", "c1")
    };
    prepare(&opts, Vec::new()).expect("started");
    let other = gui_options(&file, &results, "Ada Lovelace", "c1");
    let start = prepare(&other, Vec::new()).expect("opens");
    assert_eq!(start.screen, Screen::Exercise);
    assert_eq!(start.exercise_page(), ExercisePage::SignIn);
    assert!(start.exercise.as_ref().unwrap().conflict.is_some());
    let e = match prepare(
        &Options {
            choices: Some(vec![1]),
            ..other
        },
        Vec::new(),
    ) {
        Err(e) => e,
        Ok(_) => panic!("scripts do not guess the name"),
    };
    assert!(e.contains("under the name `Ada`"), "{e}");
    assert!(e.starts_with("error: "), "{e}");
}
