//! Hot reload under a running app: a scenario file is changed on disk and the change is on
//! screen within 2 s; then the file is broken, and the diagnostic shows while the last good
//! version stays playable. Also the instructor's view of the replies.
#![cfg(feature = "gui")]

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bevy::prelude::*;
use changetalk::app::hot_reload::{self, FileWatcher, WatchList, file_problems};
use changetalk::app::screens::briefing::BriefingAction;
use changetalk::app::screens::session::{ReplyView, SessionAction, reply_ui};
use changetalk::app::settings::Settings;
use changetalk::app::state::{Catalog, Mode, Play, Screen, Selected};
use changetalk::app::theme::Palette;
use changetalk::app::theme::file_errors_banner;
use changetalk::library;
use changetalk_core::Session;
use changetalk_core::engine::model::Target;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

const DUI: &str = include_str!("../scenarios/court-ordered-dui.ron");

/// A headless app playing `file`, with the real file watcher running.
fn app_playing(file: &Path, home: &Path) -> App {
    let entry = library::load_file(file);
    let scenario = entry.loaded.clone().expect("the copy loads");
    let mut app = common::headless_app(home, Screen::Briefing);
    app.insert_resource(Catalog(vec![entry]))
        .insert_resource(Selected(scenario));
    app.add_plugins(hot_reload::logic_plugin);
    let mut list = WatchList::default();
    list.files.insert(file.to_path_buf());
    app.insert_resource(FileWatcher::start(list, None));
    app.update();
    app.world_mut()
        .write_message(BriefingAction::Start(Mode::Practice));
    app.update();
    app.update();
    app
}

fn play(app: &App) -> &Play {
    app.world().resource::<Play>()
}

/// Runs the app until `done` holds; the time it took.
fn until(app: &mut App, limit: Duration, done: impl Fn(&App) -> bool) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < limit {
        app.update();
        if done(app) {
            return Some(start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

/// Writes a file so that its modification time surely differs from the last write.
fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_saved_edit_appears_within_two_seconds_and_a_broken_one_keeps_the_last_good_version() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dui-draft.ron");
    write(&file, DUI);
    let mut app = app_playing(&file, dir.path());
    assert_eq!(
        *app.world().resource::<State<Screen>>().get(),
        Screen::Session
    );
    // One reply in, so the reload must replay it.
    app.world_mut().write_message(SessionAction::Choose(1));
    app.update();
    let line = play(&app).session.current_line().unwrap().text.clone();
    assert!(
        DUI.contains(&line),
        "the line is written literally in the file"
    );

    // 1. A good edit of the line on screen.
    let edited = format!("EDITED — {line}");
    let first_choice_turn = play(&app).session.turns()[0].clone();
    write(&file, &DUI.replacen(&line, &edited, 1));
    let took = until(&mut app, Duration::from_secs(5), |app| {
        play(app).session.current_line().map(|l| l.text.as_str()) == Some(edited.as_str())
    })
    .expect("the edited line appears");
    assert!(took < Duration::from_secs(2), "took {took:?}");
    assert_eq!(
        play(&app).session.turns()[0].reply.option,
        first_choice_turn.reply.option,
        "the reply was replayed on the new version"
    );
    let good = Arc::clone(play(&app).session.scenario());
    assert!(Arc::ptr_eq(&app.world().resource::<Selected>().0, &good));

    // 2. A broken edit: the diagnostic appears, the good version stays.
    let broken = DUI
        .replacen(&line, &edited, 1)
        .replacen("persona:", "persona_typo:", 1);
    write(&file, &broken);
    let took = until(&mut app, Duration::from_secs(5), |app| {
        app.world().resource::<Catalog>().0[0].loaded.is_err()
    })
    .expect("the broken file is noticed");
    assert!(took < Duration::from_secs(2), "took {took:?}");
    let catalog = app.world().resource::<Catalog>();
    let (entry, errors) = file_problems(&catalog.0, &good).expect("problems reported");
    let name = file.display().to_string();
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with(&format!("{name}:")) && e.contains("persona_typo")),
        "{errors:?}"
    );
    assert!(Arc::ptr_eq(entry.playable().unwrap(), &good));
    let errors = errors.to_vec();
    // Still playable: the old version answers.
    let turns = play(&app).session.turns().len();
    app.world_mut().write_message(SessionAction::Choose(1));
    app.update();
    assert_eq!(play(&app).session.turns().len(), turns + 1);
    assert!(Arc::ptr_eq(play(&app).session.scenario(), &good));

    // The banner the session screen shows for it.
    let harness = Harness::new_ui(|ui| file_errors_banner(ui, &name, &errors, &Palette::NORMAL));
    harness.get_by_label_contains("you are playing the last version that loaded");
    harness.get_by_label_contains("persona_typo");

    // 3. Fixed again: the fixed version replaces the old one.
    write(&file, DUI);
    until(&mut app, Duration::from_secs(5), |app| {
        app.world().resource::<Catalog>().0[0].loaded.is_ok()
    })
    .expect("the fixed file reloads");
    assert!(!Arc::ptr_eq(play(&app).session.scenario(), &good));
}

#[test]
fn instructor_mode_shows_codes_and_ratings_and_jumps() {
    let scenario = library::resolve("court-ordered-dui").unwrap();
    let session = Session::new(Arc::clone(&scenario), 1);
    let mut view = ReplyView::new(Mode::Practice);
    view.instructor = true;
    let point = session.current_point().unwrap().clone();
    let mut harness = Harness::new_ui_state(
        |ui, state: &mut (Session, ReplyView, Option<SessionAction>)| {
            if let Some(a) = reply_ui(ui, &state.0, &state.1, &Palette::NORMAL) {
                state.2 = Some(a);
            }
        },
        (session.clone(), view, None),
    );
    harness.set_size(bevy_egui::egui::vec2(900.0, 900.0));
    harness.run();
    let ratings = session.current_ratings();
    assert_eq!(
        harness
            .get_all_by_label_contains("/5 · responds to")
            .count(),
        point.options.len(),
        "one line of codes per reply"
    );
    for (i, o) in point.options.iter().enumerate() {
        let target = match o.responds_to.unwrap_or(session.current_target()) {
            Target::ChangeTalk => "change talk",
            Target::SustainTalk => "sustain talk",
            Target::Discord => "discord",
            Target::Neutral => "neutral",
        };
        let want = format!("{}/5 · responds to {target} · next: {}", ratings[i], o.next);
        assert!(
            harness.get_all_by_label_contains(&want).count() >= 1,
            "option {} shows `{want}`",
            i + 1
        );
    }
    harness.get_by_label_contains(&format!("at `{}`", point.id));
    // Jump through the list.
    harness.get_by_value("Jump to point…").click();
    harness.run();
    let target = &scenario.points[3];
    harness
        .get_by_label_contains(&format!("{}  —  ", target.id))
        .click();
    harness.run();
    assert_eq!(harness.state().2, Some(SessionAction::Jump(3)));
    // A trainee sees none of it.
    let plain = Harness::new_ui(|ui| {
        reply_ui(
            ui,
            &session,
            &ReplyView::new(Mode::Practice),
            &Palette::NORMAL,
        );
    });
    assert!(plain.query_by_label_contains("/5 · responds to").is_none());
    assert!(plain.query_by_value("Jump to point…").is_none());
}

#[test]
fn jumping_in_a_free_session_starts_a_preview_there() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dui.ron");
    write(&file, DUI);
    let mut app = app_playing(&file, dir.path());
    let target = play(&app).session.scenario().points[4].id.clone();
    app.world_mut().write_message(SessionAction::Jump(4));
    app.update();
    assert_eq!(play(&app).session.current_point().unwrap().id, target);
    assert_eq!(play(&app).session.preview_start(), Some(target.as_str()));
    // The same point again with the client in another state (for trying `when` lines).
    let mut state = play(&app).session.state();
    state.discord = 9;
    app.world_mut()
        .write_message(SessionAction::PreviewState(state));
    app.update();
    assert_eq!(play(&app).session.current_point().unwrap().id, target);
    assert_eq!(play(&app).session.state(), state);
    app.world_mut().write_message(SessionAction::Restart);
    app.update();
    assert_eq!(play(&app).session.preview_start(), None);
    assert_eq!(play(&app).session.turns().len(), 0);
    // The header's toggle turns instructor mode on (and it is saved like any setting).
    app.world_mut()
        .write_message(SessionAction::ToggleInstructor);
    app.update();
    assert!(app.world().resource::<Settings>().instructor_mode);
    // The decision graph is saved as SVG next to the reports.
    app.world_mut().write_message(SessionAction::ExportGraph);
    app.update();
    let svg = dir.path().join("data/reports/court-ordered-dui-graph.svg");
    let text = std::fs::read_to_string(&svg).expect("graph saved");
    assert!(
        text.starts_with("<svg") || text.starts_with("<?xml"),
        "{}",
        &text[..40]
    );
    let notice = app.world().resource::<hot_reload::ReloadNotice>();
    assert!(
        notice
            .0
            .as_deref()
            .is_some_and(|m| m.contains("Saved the decision graph"))
    );
}

#[test]
fn reload_keeps_vanished_files_and_adds_new_ones() {
    use changetalk::app::hot_reload::{Reloaded, reload};
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.ron");
    write(&file, DUI);
    let mut catalog = vec![library::load_file(&file)];
    // Unchanged text: nothing to do.
    assert!(matches!(reload(&mut catalog, &file), Reloaded::Unchanged));
    // An editor that saves by renaming makes the file vanish for a moment: nothing changes.
    std::fs::remove_file(&file).unwrap();
    assert!(matches!(reload(&mut catalog, &file), Reloaded::Gone));
    assert!(catalog[0].loaded.is_ok());
    // A new broken file is listed with its errors; a new good one is added.
    let broken = dir.path().join("b.ron");
    write(&broken, "Scenario(");
    assert!(matches!(
        reload(&mut catalog, &broken),
        Reloaded::Broken { kept: false, .. }
    ));
    let good = dir.path().join("c.ron");
    write(
        &good,
        &DUI.replacen("id: \"court-ordered-dui\"", "id: \"dui-copy\"", 1),
    );
    assert!(matches!(reload(&mut catalog, &good), Reloaded::Added(_)));
    assert_eq!(catalog.len(), 3);
}
