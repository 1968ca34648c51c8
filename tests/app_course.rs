//! Courses in the app: a multi-session client is in the library; its briefing, conversation
//! and report know which session it is; the change plan made in session 1 is on the card in
//! session 2; and the place in the course is saved after every reply, so a closed (or killed)
//! app resumes it — the next session, or mid-session — exactly where it was.
#![cfg(feature = "gui")]

mod common;

use bevy::prelude::App;
use changetalk::app::Screen;
use changetalk::app::screens::briefing::BriefingAction;
use changetalk::app::screens::library::LibraryAction;
use changetalk::app::screens::report::ReportAction;
use changetalk::app::screens::session::SessionAction;
use changetalk::app::settings::{Paths, Progress};
use changetalk::app::state::{Catalog, Mode, Play, Report};
use changetalk_core::engine::session::AutoPolicy;
use common::{screen, send};

const COURSE: &str = "recovery-burnout-course";

/// The app as it starts on `dir`: the bundled library and whatever progress was saved.
fn app_on(dir: &std::path::Path) -> App {
    let mut app = common::headless_app(dir, Screen::Library);
    let paths = app.world().resource::<Paths>().clone();
    app.insert_resource(Progress::load(&paths));
    app.insert_resource(Catalog(changetalk::library::bundled()));
    app.update();
    app
}

/// Opens the course's card and starts (or continues) it in practice.
fn open_course(app: &mut App) {
    let i = app
        .world()
        .resource::<Catalog>()
        .0
        .iter()
        .position(|e| e.loaded.as_ref().is_ok_and(|s| s.id == COURSE))
        .expect("the course is in the library");
    send(app, LibraryAction::Open(i));
    assert_eq!(screen(app), Screen::Briefing);
    send(app, BriefingAction::Start(Mode::Practice));
    assert_eq!(screen(app), Screen::Session);
}

fn play(app: &App) -> &Play {
    app.world().resource::<Play>()
}

/// Gives the best-rated reply until the session reaches its ending.
fn play_best(app: &mut App) {
    for _ in 0..60 {
        let p = play(app);
        if p.session.is_over() {
            return;
        }
        let n = p
            .session
            .auto_choice(AutoPolicy::Best)
            .expect("a reply is offered");
        send(app, SessionAction::Choose(n));
    }
    panic!("the session did not end");
}

#[test]
fn a_course_goes_on_to_the_next_session_with_the_plan_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(dir.path());
    open_course(&mut app);
    let c = play(&app).course.clone().expect("played as a course");
    assert_eq!((c.number, c.total), (1, 3));
    play_best(&mut app);
    send(&mut app, SessionAction::ShowReport);
    assert_eq!(screen(&app), Screen::Report);
    let (session, view) = app
        .world()
        .resource::<Report>()
        .course
        .clone()
        .expect("the report knows the course");
    assert_eq!(session.number, 1);
    assert_eq!((view.number, view.ended.clone()), (2, None), "{view:?}");
    assert_eq!(view.replies, 0);
    assert_eq!(view.chart.len(), 2, "session 1, and session 2 as it starts");
    assert!(
        view.plan
            .iter()
            .any(|i| i.label == "Step" && i.text.contains("tomatoes")),
        "{:?}",
        view.plan
    );
    // The place is on disk before anything else happens.
    let saved = std::fs::read_to_string(dir.path().join("data/progress.json")).unwrap();
    assert!(saved.contains(COURSE), "{saved}");
    send(&mut app, ReportAction::NextSession);
    assert_eq!(screen(&app), Screen::Briefing);
    drop(app);

    // A new app (the old one closed or killed): the card, then session 2 where it was.
    let mut app = app_on(dir.path());
    open_course(&mut app);
    let p = play(&app);
    let c = p.course.clone().expect("a course");
    assert_eq!(c.number, 2, "session 2 follows");
    assert!(p.session.memory().contains_key("plan.chose_own"));
    let opening = &p.session.current_line().expect("the client speaks").text;
    assert!(opening.contains("We did it"), "{opening}");
    // One reply, then the app dies mid-session: it resumes after that reply.
    let n = p.session.auto_choice(AutoPolicy::Best).unwrap();
    send(&mut app, SessionAction::Choose(n));
    let before = play(&app).session.transcript();
    drop(app);
    let mut app = app_on(dir.path());
    open_course(&mut app);
    let p = play(&app);
    assert_eq!(p.course.as_ref().map(|c| c.number), Some(2));
    assert_eq!(p.session.choices(), &[n]);
    assert_eq!(
        p.session.transcript(),
        before,
        "the same client lines, word for word"
    );
}

#[test]
fn a_client_who_walked_out_does_not_come_back_and_the_course_can_start_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(dir.path());
    open_course(&mut app);
    for _ in 0..60 {
        let p = play(&app);
        if p.session.is_over() {
            break;
        }
        let n = p.session.auto_choice(AutoPolicy::Worst).unwrap();
        send(&mut app, SessionAction::Choose(n));
    }
    send(&mut app, SessionAction::ShowReport);
    let (_, view) = app.world().resource::<Report>().course.clone().unwrap();
    let ended = view.ended.expect("the course ended");
    assert!(ended.contains("did not come back"), "{ended}");
    drop(app);
    // Opening the card again starts a new course at session 1.
    let mut app = app_on(dir.path());
    open_course(&mut app);
    let p = play(&app);
    assert_eq!(p.course.as_ref().map(|c| c.number), Some(1));
    assert!(p.session.choices().is_empty());
}
