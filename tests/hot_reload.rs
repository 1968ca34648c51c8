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
            .as_ref()
            .is_some_and(|n| n.text.contains("Saved the decision graph") && !n.problem)
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

/// Plays the session on screen to its end with the best replies, then opens the report.
fn play_to_the_report(app: &mut App) {
    for _ in 0..64 {
        let next = play(app)
            .session
            .auto_choice(changetalk_core::AutoPolicy::Best);
        let Some(n) = next else { break };
        common::send(app, SessionAction::Choose(n));
    }
    common::send(app, SessionAction::ShowReport);
    assert_eq!(common::screen(app), Screen::Report);
}

#[test]
fn a_draft_broken_at_start_replaces_its_card_once_fixed_with_a_best_score_of_its_own() {
    use changetalk::app::screens::library::LibraryAction;
    use changetalk::app::settings::Progress;
    let dir = tempfile::tempdir().unwrap();
    // A user's copy of a bundled client (same id), broken when the app starts.
    let file = dir.path().join("dui-copy.ron");
    write(&file, &DUI.replacen("persona:", "persona_typo:", 1));
    let mut catalog = library::bundled();
    let bundled = catalog
        .iter()
        .position(|e| e.playable().is_some_and(|s| s.id == "court-ordered-dui"))
        .unwrap();
    catalog.push(library::load_file(&file));
    let cards = catalog.len();
    let draft = cards - 1;
    assert!(catalog[draft].loaded.is_err());
    let mut app = common::headless_app(dir.path(), Screen::Library);
    let mut progress = Progress::default();
    progress.best.insert("court-ordered-dui".into(), 91.0);
    app.insert_resource(Catalog(catalog))
        .insert_resource(progress);
    app.add_plugins(hot_reload::logic_plugin);
    let mut list = WatchList::default();
    list.files.insert(file.clone());
    app.insert_resource(FileWatcher::start(list, None));
    app.update();

    // Fixed: the broken card becomes the client, in its place; no second card.
    write(&file, DUI);
    until(&mut app, Duration::from_secs(5), |app| {
        app.world().resource::<Catalog>().0[draft].loaded.is_ok()
    })
    .expect("the fixed file reloads");
    let catalog = &app.world().resource::<Catalog>().0;
    assert_eq!(catalog.len(), cards, "the card is replaced, not added");
    assert_eq!(catalog[draft].path(), Some(file.as_path()));
    let progress = app.world().resource::<Progress>();
    assert_eq!(progress.best_of(&catalog[bundled]), Some(91.0));
    assert_eq!(
        progress.best_of(&catalog[draft]),
        None,
        "the copy does not share the bundled client's best"
    );

    // Played to the end, the copy gets a best of its own; the bundled client keeps its own.
    common::send(&mut app, LibraryAction::Open(draft));
    assert_eq!(common::screen(&app), Screen::Briefing);
    let fixed = Arc::clone(catalog_entry(&app, draft));
    assert!(Arc::ptr_eq(&app.world().resource::<Selected>().0, &fixed));
    common::send(&mut app, BriefingAction::Start(Mode::Practice));
    play_to_the_report(&mut app);
    let overall = app
        .world()
        .resource::<changetalk::app::state::Report>()
        .score
        .overall;
    let catalog = &app.world().resource::<Catalog>().0;
    let progress = app.world().resource::<Progress>();
    assert_eq!(progress.best_of(&catalog[draft]), Some(overall));
    assert_eq!(progress.best_of(&catalog[bundled]), Some(91.0));
    let saved = std::fs::read_to_string(dir.path().join("data/progress.json")).unwrap();
    let key = catalog[draft].progress_key().unwrap();
    assert!(
        key.starts_with("file:") && key.ends_with("#court-ordered-dui"),
        "{key}"
    );
    assert!(saved.contains("\"court-ordered-dui\": 91"), "{saved}");
    assert!(saved.contains("dui-copy.ron#court-ordered-dui"), "{saved}");
}

fn catalog_entry(app: &App, i: usize) -> &Arc<changetalk_core::Scenario> {
    app.world().resource::<Catalog>().0[i].playable().unwrap()
}

#[test]
fn old_progress_files_keyed_by_id_keep_their_scores_where_they_belong() {
    use changetalk::app::settings::Progress;
    let dir = tempfile::tempdir().unwrap();
    let old: Progress =
        serde_json::from_str(r#"{"best": {"court-ordered-dui": 80.0, "my-draft": 70.0}}"#).unwrap();
    let bundled = library::bundled()
        .into_iter()
        .find(|e| e.playable().is_some_and(|s| s.id == "court-ordered-dui"))
        .unwrap();
    assert_eq!(old.best_of(&bundled), Some(80.0));
    let copy = dir.path().join("copy.ron");
    write(&copy, DUI);
    assert_eq!(
        old.best_of(&library::load_file(&copy)),
        None,
        "a copy of a bundled client never had the bundled score"
    );
    let own = dir.path().join("mine.ron");
    write(
        &own,
        &DUI.replacen("id: \"court-ordered-dui\"", "id: \"my-draft\"", 1),
    );
    let own = library::load_file(&own);
    assert_eq!(
        old.best_of(&own),
        Some(70.0),
        "a user's own client keeps its score"
    );
    // A new best is kept under the file's key; a lower one changes nothing.
    let paths = changetalk::app::settings::Paths {
        config: None,
        data: None,
    };
    let mut p = old.clone();
    let key = own.progress_key().unwrap();
    p.record(&paths, &key, 65.0).unwrap();
    assert_eq!(p.best_of(&own), Some(70.0));
    p.record(&paths, &key, 75.0).unwrap();
    assert_eq!(p.best_of(&own), Some(75.0));
    assert_eq!(p.best.get("my-draft"), Some(&70.0));
}

#[test]
fn the_graph_button_shows_the_decision_graph_and_still_saves_it() {
    use changetalk::app::screens::session::instructor_bar;
    let scenario = library::resolve("court-ordered-dui").unwrap();
    let session = Session::new(Arc::clone(&scenario), 1);
    let mut harness = Harness::new_ui_state(
        |ui, state: &mut (Session, Vec<SessionAction>)| {
            if let Some(a) = instructor_bar(ui, &state.0, &Palette::NORMAL) {
                state.1.push(a);
            }
        },
        (session, Vec::new()),
    );
    harness.set_size(bevy_egui::egui::vec2(1400.0, 1000.0));
    harness.run();
    assert!(harness.query_by_label("Save as SVG").is_none());
    harness.get_by_label("Graph").click();
    harness.run();
    harness.get_by_label("Decision graph");
    harness.get_by_label(&scenario.title);
    // Every point and every ending is drawn, and where the conversation is.
    for pt in &scenario.points {
        harness.get_by_label_contains(&format!("point `{}`", pt.id));
    }
    for e in &scenario.endings {
        harness.get_by_label_contains(&format!("ending `{}`", e.id));
    }
    harness.get_by_label_contains(&format!(
        "point `{}` (start) (the conversation is here)",
        scenario.start
    ));
    assert!(
        harness.state().1.is_empty(),
        "showing the graph saves nothing"
    );
    // A point one step from the start: a click jumps there.
    let start = scenario.point(&scenario.start).unwrap();
    let next = start
        .options
        .iter()
        .find_map(|o| scenario.point_index(&o.next))
        .unwrap();
    harness
        .get_by_label_contains(&format!("point `{}` ", scenario.points[next].id))
        .click();
    harness.run();
    harness.get_by_label("Save as SVG").click();
    harness.run();
    assert_eq!(
        harness.state().1,
        vec![SessionAction::Jump(next), SessionAction::ExportGraph]
    );
}

#[test]
fn notices_fade_out_after_six_seconds_and_wake_the_app_only_once() {
    use bevy_egui::egui;
    use changetalk::app::hot_reload::next_notice_change;
    use changetalk::app::state::Notice;
    let ago = |ms: u64| {
        Instant::now()
            .checked_sub(Duration::from_millis(ms))
            .unwrap()
    };
    let n = Notice::new("Saved the decision graph");
    let t0 = n.since;
    let at = |ms: u64| t0 + Duration::from_millis(ms);
    assert_eq!(n.opacity(t0), Some(1.0));
    assert_eq!(n.opacity(at(5_000)), Some(1.0));
    let fading = n.opacity(at(5_600)).unwrap();
    assert!(fading > 0.0 && fading < 1.0, "{fading}");
    assert_eq!(n.opacity(at(6_000)), None, "gone after six seconds");
    // One wake-up, when the fade starts; none after.
    assert_eq!(n.next_change(t0), Some(at(5_200)));
    assert_eq!(n.next_change(at(5_300)), None);
    let later = Notice {
        since: at(1_000),
        ..n.clone()
    };
    assert_eq!(next_notice_change([&later, &n], t0), Some(at(5_200)));
    // A problem stays until it is replaced.
    let problem = Notice::problem("Could not save: disk full");
    assert_eq!(
        problem.opacity(problem.since + Duration::from_secs(600)),
        Some(1.0)
    );
    assert_eq!(problem.next_change(problem.since), None);

    // Drawn: a fresh notice asks for no frames (the app sleeps until the wake-up), a fading
    // one asks for the next frame, one that has gone is not drawn and asks for nothing.
    let frame = |ctx: &egui::Context, n: &Notice| {
        let _ = ctx.run_ui(egui::RawInput::default(), |ui| {
            n.show(ui, egui::Color32::GRAY);
        });
        ctx.has_requested_repaint()
    };
    for (since, repaints) in [
        (Instant::now(), false),
        (ago(5_500), true),
        (ago(7_000), false),
    ] {
        let ctx = egui::Context::default();
        let n = Notice { since, ..n.clone() };
        for _ in 0..3 {
            frame(&ctx, &n);
        }
        assert_eq!(frame(&ctx, &n), repaints, "{:?} old", since.elapsed());
    }
    let fresh =
        Harness::new_ui(|ui| Notice::new("Reloaded draft.ron.").show(ui, egui::Color32::GRAY));
    fresh.get_by_label("Reloaded draft.ron.");
    let old = Notice {
        since: ago(7_000),
        ..Notice::new("Reloaded draft.ron.")
    };
    let gone = Harness::new_ui(move |ui| old.show(ui, egui::Color32::GRAY));
    assert!(gone.query_by_label("Reloaded draft.ron.").is_none());
}

#[test]
fn the_report_export_message_fades_but_a_failure_stays() {
    use changetalk::app::screens::report::report_ui;
    use changetalk::app::state::{Notice, Report};
    let scenario = library::resolve("court-ordered-dui").unwrap();
    let mut play = Play::new(scenario, 1, Mode::Practice);
    play.session.choose(1).unwrap();
    let mut report = Report::from_play(&play);
    let long_ago = Instant::now().checked_sub(Duration::from_secs(30)).unwrap();
    for (notice, shown) in [
        (Notice::new("Saved /tmp/r.html"), true),
        (
            Notice {
                since: long_ago,
                ..Notice::new("Saved /tmp/r.html")
            },
            false,
        ),
        (
            Notice {
                since: long_ago,
                ..Notice::problem("Could not save: read-only")
            },
            true,
        ),
    ] {
        let text = notice.text.clone();
        report.export_message = Some(notice);
        let mut harness = Harness::new_ui_state(
            |ui, r: &mut Report| {
                report_ui(ui, r, &Palette::NORMAL);
            },
            report,
        );
        harness.set_size(bevy_egui::egui::vec2(1024.0, 800.0));
        harness.run_steps(2);
        assert_eq!(harness.query_by_label(&text).is_some(), shown, "{text}");
        report = harness.into_state();
    }
}
