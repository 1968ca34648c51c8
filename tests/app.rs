//! The desktop app without a window: screen logic in a headless Bevy `App`, and the screens'
//! egui functions driven through their accessibility tree with egui_kittest.
#![cfg(feature = "gui")]

mod common;

use std::sync::Arc;

use bevy::prelude::*;
use bevy_egui::egui;
use changetalk::app::screens::briefing::BriefingAction;
use changetalk::app::screens::library::{
    ExercisePicker, LibraryAction, LibraryFilter, exercise_picker_ui, library_ui,
};
use changetalk::app::screens::session::{
    self as session_screen, ReplyView, SessionAction, reply_ui,
};
use changetalk::app::screens::settings::settings_ui;
use changetalk::app::settings::{Progress, Settings};
use changetalk::app::state::{Mode, Play, Report, Screen, Selected};
use changetalk::app::theme::Palette;
use changetalk::library;
use changetalk_core::{Scenario, Session};
use common::{screen, send};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn dui() -> Arc<Scenario> {
    library::resolve("court-ordered-dui").expect("bundled client")
}

/// A headless app on the briefing of the DUI client.
fn headless(dir: &std::path::Path) -> App {
    let mut app = common::headless_app(dir, Screen::Briefing);
    app.insert_resource(Selected(dui()));
    app.update();
    app
}

fn turns(app: &App) -> usize {
    app.world()
        .get_resource::<Play>()
        .map_or(0, |p| p.session.turns().len())
}

#[test]
fn choosing_replies_advances_and_practice_can_rewind() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = headless(dir.path());
    send(&mut app, BriefingAction::Start(Mode::Practice));
    assert_eq!(screen(&app), Screen::Session);
    send(&mut app, SessionAction::Choose(1));
    send(&mut app, SessionAction::Choose(2));
    assert_eq!(turns(&app), 2);
    send(&mut app, SessionAction::Rewind);
    assert_eq!(turns(&app), 1, "practice mode takes the last reply back");
    send(&mut app, SessionAction::Choose(99));
    assert_eq!(
        turns(&app),
        1,
        "an option that does not exist changes nothing"
    );
}

#[test]
fn assessment_cannot_rewind_and_ending_early_scores_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = headless(dir.path());
    send(&mut app, BriefingAction::Start(Mode::Assessment));
    send(&mut app, SessionAction::Choose(1));
    send(&mut app, SessionAction::Rewind);
    assert_eq!(turns(&app), 1, "assessment mode has no take-backs");
    send(&mut app, SessionAction::End);
    assert_eq!(screen(&app), Screen::Report);
    let data = app.world().resource::<Report>();
    assert_eq!(data.transcript.turns.len(), 1);
    assert_eq!(data.mode, Mode::Assessment);
    // Ending early is incomplete: scored by completion, never the library's best score.
    assert!(!data.score.complete);
    assert!(data.score.completion < 0.2, "{}", data.score.completion);
    let progress = app.world().resource::<Progress>();
    assert_eq!(progress.best.get("court-ordered-dui"), None);
    assert!(!dir.path().join("data/progress.json").exists());
}

#[test]
fn a_finished_conversation_sets_the_best_score() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = headless(dir.path());
    send(&mut app, BriefingAction::Start(Mode::Assessment));
    for _ in 0..64 {
        let next = app
            .world()
            .get_resource::<Play>()
            .and_then(|p| p.session.auto_choice(changetalk_core::AutoPolicy::Best));
        let Some(n) = next else { break };
        send(&mut app, SessionAction::Choose(n));
    }
    send(&mut app, SessionAction::ShowReport);
    assert_eq!(screen(&app), Screen::Report);
    let data = app.world().resource::<Report>();
    assert!(data.score.complete);
    let progress = app.world().resource::<Progress>();
    assert_eq!(
        progress.best.get("court-ordered-dui"),
        Some(&data.score.overall)
    );
    assert!(dir.path().join("data/progress.json").exists());
}

#[test]
fn reply_buttons_are_found_and_clicked_by_their_labels() {
    let session = Session::new(dui(), 1);
    // The first option shown (the order is shuffled from the seed).
    let first = session.current_options()[0].text.clone();
    let mut harness = Harness::new_ui_state(
        |ui, state: &mut (Session, Option<SessionAction>)| {
            if let Some(a) = reply_ui(
                ui,
                &state.0,
                &ReplyView::new(Mode::Practice),
                &Palette::NORMAL,
            ) {
                state.1 = Some(a);
            }
        },
        (session, None),
    );
    harness.get_by_label_contains(&first).click();
    harness.run();
    assert_eq!(harness.state().1, Some(SessionAction::Choose(1)));
    // Number keys pick replies too.
    harness.state_mut().1 = None;
    harness.key_press(egui::Key::Num3);
    harness.run();
    assert_eq!(harness.state().1, Some(SessionAction::Choose(3)));
}

#[test]
fn try_another_reply_appears_only_after_a_reply_in_practice() {
    let mut session = Session::new(dui(), 1);
    session.choose(2).unwrap();
    let mut harness = Harness::new_ui_state(
        |ui, state: &mut (Session, Mode, Option<SessionAction>)| {
            if let Some(a) = reply_ui(ui, &state.0, &ReplyView::new(state.1), &Palette::NORMAL) {
                state.2 = Some(a);
            }
        },
        (session.clone(), Mode::Practice, None),
    );
    harness.get_by_label("Try another reply (B)").click();
    harness.run();
    assert_eq!(harness.state().2, Some(SessionAction::Rewind));
    let harness = Harness::new_ui_state(
        |ui, state: &mut (Session, Mode)| {
            reply_ui(ui, &state.0, &ReplyView::new(state.1), &Palette::NORMAL);
        },
        (session, Mode::Assessment),
    );
    assert!(harness.query_by_label("Try another reply (B)").is_none());
}

#[test]
fn library_cards_open_the_briefing_and_search_filters() {
    let entries = library::bundled();
    let progress = Progress::default();
    let courses = changetalk::app::course_views::CourseViews::of(&entries, &progress);
    let mut harness = Harness::new_ui_state(
        |ui, state: &mut (LibraryFilter, Option<LibraryAction>)| {
            if let Some(a) = library_ui(
                ui,
                &entries,
                &progress,
                &courses,
                &mut state.0,
                &Palette::NORMAL,
            ) {
                state.1 = Some(a);
            }
        },
        (LibraryFilter::default(), None),
    );
    // Tall enough that every card is on screen (a click needs the widget to be visible).
    harness.set_size(egui::vec2(1024.0, 2400.0));
    harness.run();
    let idx = entries
        .iter()
        .position(|e| e.loaded.as_ref().is_ok_and(|s| s.id == "recovery-burnout"))
        .unwrap();
    let name = entries[idx].loaded.as_ref().unwrap().persona.name.clone();
    harness.get_by_label(&format!("Meet {name}")).click();
    harness.run();
    assert_eq!(harness.state().1, Some(LibraryAction::Open(idx)));
    // The course has a card of its own, with the sessions and where the trainee is.
    let course = entries
        .iter()
        .position(|e| {
            e.loaded
                .as_ref()
                .is_ok_and(|s| s.id == "recovery-burnout-course")
        })
        .unwrap();
    harness.get_by_label("3 sessions · not started");
    harness
        .get_by_label(&format!("Start the course with {name}"))
        .click();
    harness.run();
    assert_eq!(harness.state().1, Some(LibraryAction::Open(course)));
    // Searching narrows the cards.
    harness.state_mut().0.query = "court".into();
    harness.run();
    assert!(harness.query_by_label(&format!("Meet {name}")).is_none());
}

#[test]
fn broken_scenario_shows_as_a_card_with_its_diagnostic() {
    let entries = vec![library::load_entry(
        library::Origin::File("broken.ron".into()),
        "Scenario(id: \"x\"".into(),
    )];
    let progress = Progress::default();
    let courses = changetalk::app::course_views::CourseViews::of(&entries, &progress);
    let harness = Harness::new_ui_state(
        |ui, filter: &mut LibraryFilter| {
            library_ui(ui, &entries, &progress, &courses, filter, &Palette::NORMAL);
        },
        LibraryFilter::default(),
    );
    harness.get_by_label_contains("broken.ron could not be loaded");
    harness.get_by_label_contains("broken.ron:1:");
}

#[test]
fn settings_toggle_contrast_and_motion() {
    let mut harness = Harness::new_ui_state(
        |ui, s: &mut Settings| {
            settings_ui(ui, s, &Palette::NORMAL);
        },
        Settings::default(),
    );
    harness.get_by_label("High-contrast theme").click();
    harness.get_by_label("Reduce motion").click();
    harness.run();
    assert!(harness.state().high_contrast && harness.state().reduced_motion);
}

#[test]
fn a_broken_edit_keeps_the_card_playable_and_says_why() {
    let mut entry = library::load_entry(
        library::Origin::File("draft.ron".into()),
        "Scenario(id: \"x\"".into(),
    );
    entry.previous = Some(dui());
    let entries = vec![entry];
    let progress = Progress::default();
    let courses = changetalk::app::course_views::CourseViews::of(&entries, &progress);
    let mut harness = Harness::new_ui_state(
        |ui, state: &mut (LibraryFilter, Option<LibraryAction>)| {
            if let Some(a) = library_ui(
                ui,
                &entries,
                &progress,
                &courses,
                &mut state.0,
                &Palette::NORMAL,
            ) {
                state.1 = Some(a);
            }
        },
        (LibraryFilter::default(), None),
    );
    harness.set_size(egui::vec2(1024.0, 640.0));
    harness.run();
    harness.get_by_label_contains("draft.ron has 1 error; the last version that loaded is shown");
    harness.get_by_label("Meet Rick Delgado").click();
    harness.run();
    assert_eq!(harness.state().1, Some(LibraryAction::Open(0)));
}

#[test]
fn exercises_in_the_folder_open_from_the_library() {
    let mut picker = ExercisePicker {
        found: vec![("/x/week5.ron".into(), "Week 5".into())],
        ..Default::default()
    };
    picker.typed.clear();
    let mut harness = Harness::new_ui_state(
        |ui, state: &mut (ExercisePicker, Option<LibraryAction>)| {
            if let Some(a) = exercise_picker_ui(ui, &mut state.0, None, &Palette::NORMAL) {
                state.1 = Some(a);
            }
        },
        (picker, None),
    );
    harness.get_by_label("📋 Week 5").click();
    harness.run();
    assert_eq!(
        harness.state().1,
        Some(LibraryAction::OpenExercise("/x/week5.ron".into()))
    );
    // A typed path opens too.
    harness.state_mut().1 = None;
    harness.state_mut().0.typed = "/elsewhere/quiz.ron".into();
    harness.run();
    harness.get_by_label("Open exercise").click();
    harness.run();
    assert_eq!(
        harness.state().1,
        Some(LibraryAction::OpenExercise("/elsewhere/quiz.ron".into()))
    );
}

#[test]
fn leaving_mid_conversation_asks_first_and_talk_labels_wait_for_the_reply() {
    let mut session = Session::new(dui(), 1);
    // Before any reply there is nothing to lose: leaving does not ask.
    let ctx = egui::Context::default();
    assert!(session_screen::gate_leave(&ctx, &session));
    session.choose(1).unwrap();
    let mut view = ReplyView::new(Mode::Practice);
    view.confirm_end = true;
    let mut harness = Harness::new_ui_state(
        |ui, state: &mut (Session, ReplyView, Vec<SessionAction>, bool)| {
            if state.3 {
                state.3 = false;
                if session_screen::gate_leave(ui.ctx(), &state.0) {
                    state.2.push(SessionAction::Back);
                }
            }
            if let Some(a) = reply_ui(ui, &state.0, &state.1, &Palette::NORMAL) {
                state.2.push(a);
            }
        },
        (session, view, Vec::new(), true),
    );
    harness.run();
    assert!(
        harness.state().2.is_empty(),
        "the first ‹ Library only asks"
    );
    harness.get_by_label_contains("Leave this conversation for the library?");
    harness.get_by_label("Yes, leave").click();
    harness.run();
    assert_eq!(harness.state().2, vec![SessionAction::Back]);

    // Practice hides the pending line's talk type until the trainee replies.
    let session = Session::new(dui(), 1);
    let label = session
        .current_line()
        .unwrap()
        .talk
        .target()
        .label()
        .to_string();
    let shown = |label_pending: bool| {
        let mut h = Harness::new_ui_state(
            move |ui, s: &mut Session| {
                session_screen::chat_ui(ui, s, Mode::Practice, label_pending, &Palette::NORMAL)
            },
            session.clone(),
        );
        h.run();
        h.query_by_label(&label).is_some()
    };
    assert!(!shown(false), "no `{label}` label before the reply");
    assert!(shown(true), "the setting shows `{label}`");
}

/// Plays the best reply at every point to the end and opens the report.
fn play_to_the_end(app: &mut App) {
    for _ in 0..64 {
        let next = app
            .world()
            .get_resource::<Play>()
            .and_then(|p| p.session.auto_choice(changetalk_core::AutoPolicy::Best));
        let Some(n) = next else { break };
        send(app, SessionAction::Choose(n));
    }
    send(app, SessionAction::ShowReport);
}

#[test]
fn assessment_ignores_instructor_tools() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = headless(dir.path());
    send(&mut app, BriefingAction::Start(Mode::Assessment));
    send(&mut app, SessionAction::Choose(1));
    let point = |app: &App| {
        app.world()
            .resource::<Play>()
            .session
            .current_point()
            .map(|p| p.id.clone())
    };
    let before = point(&app);
    send(&mut app, SessionAction::ToggleInstructor);
    assert!(
        !app.world().resource::<Settings>().instructor_mode,
        "instructor mode cannot be turned on during an assessment"
    );
    send(&mut app, SessionAction::Jump(0));
    send(&mut app, SessionAction::Restart);
    assert_eq!(
        point(&app),
        before,
        "no jumping or restarting in an assessment"
    );
    assert_eq!(turns(&app), 1);
}

#[test]
fn a_practice_session_with_instructor_mode_on_sets_no_best_score() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = headless(dir.path());
    send(&mut app, BriefingAction::Start(Mode::Practice));
    send(&mut app, SessionAction::ToggleInstructor);
    assert!(app.world().resource::<Settings>().instructor_mode);
    // Turned off again: the session was still previewed (every rating was on screen).
    send(&mut app, SessionAction::ToggleInstructor);
    play_to_the_end(&mut app);
    assert_eq!(screen(&app), Screen::Report);
    let report = app.world().resource::<Report>();
    assert!(report.score.complete);
    assert!(report.previewed, "the report says it was a preview");
    let progress = app.world().resource::<Progress>();
    assert_eq!(progress.best_for_key("court-ordered-dui"), None);
    assert!(!dir.path().join("data/progress.json").exists());
    // The same conversation without instructor mode counts.
    send(
        &mut app,
        changetalk::app::screens::report::ReportAction::Again,
    );
    play_to_the_end(&mut app);
    let report = app.world().resource::<Report>();
    assert!(!report.previewed);
    let best = app
        .world()
        .resource::<Progress>()
        .best_for_key("court-ordered-dui");
    assert_eq!(best, Some(report.score.overall));
}
