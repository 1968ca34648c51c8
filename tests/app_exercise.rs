//! Classroom exercises in the app: signing in, every reply saved before the next frame,
//! resuming after the app is gone, the result file the grader accepts, and the sign-in and
//! results pages driven by their labels.
#![cfg(feature = "gui")]

mod common;

use std::path::{Path, PathBuf};

use bevy::prelude::*;
use bevy_egui::egui;
use changetalk::app::exercise::ExerciseRun;
use changetalk::app::screens::briefing::BriefingAction;
use changetalk::app::screens::exercise::{ExerciseAction, SignInForm, sign_in_page};
use changetalk::app::screens::library::LibraryAction;
use changetalk::app::screens::report::ReportAction;
use changetalk::app::screens::session::{ReplyView, SessionAction, reply_ui};
use changetalk::app::screens::settings::SettingsAction;
use changetalk::app::settings::Settings;
use changetalk::app::state::{Catalog, ExercisePage, Mode, Play, Report, Screen, Selected};
use changetalk::app::theme::Palette;
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
        if screen(&app) != Screen::Session {
            break;
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
    // Ending the first conversation early moves to the second client.
    send(&mut app, SessionAction::End);
    assert_eq!(screen(&app), Screen::Session);
    assert_eq!(position(&app), (1, 0));
    let rec = parse_result(&std::fs::read(&progress).unwrap()).unwrap();
    assert!(rec.scenarios[0].stopped);
    // Leaving for the exercise page keeps everything; ending the last one finishes.
    send(&mut app, SessionAction::Back);
    assert_eq!(screen(&app), Screen::Exercise);
    assert_eq!(page(&app), Some(ExercisePage::SignIn));
    send(&mut app, ExerciseAction::Continue);
    assert_eq!(position(&app), (1, 0));
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
