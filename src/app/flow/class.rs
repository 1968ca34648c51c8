//! The flow of an exercise on a class server (`gui --join`): the class pages' actions and the
//! session's actions while its conversation is held by the server. Each step goes to the
//! server through [`ClassRun`]; the screen follows where the attempt stands once the answer
//! comes.

use bevy::prelude::*;

use super::Nav;
use crate::app::class::{ClassRun, ClassStage, Step};
use crate::app::screens::class::ClassAction;
use crate::app::screens::session::SessionAction;
use crate::app::state::{ClassPage, Play, Screen};

/// The screen and page that show `stage`.
fn show(stage: ClassStage, nav: &mut Nav, page: &mut NextState<ClassPage>) {
    match stage {
        ClassStage::Conversation => nav.go(Screen::Session),
        ClassStage::Join => {
            nav.go(Screen::Class);
            page.set(ClassPage::Join);
        }
        ClassStage::Briefing => {
            nav.go(Screen::Class);
            page.set(ClassPage::Briefing);
        }
        ClassStage::Results => {
            nav.go(Screen::Class);
            page.set(ClassPage::Results);
        }
    }
}

/// The class pages: join, continue, start a conversation, try again, leave.
fn class_pages(
    mut actions: MessageReader<ClassAction>,
    run: Option<ResMut<ClassRun>>,
    mut commands: Commands,
    mut nav: Nav,
    mut page: ResMut<NextState<ClassPage>>,
) {
    let Some(mut run) = run else {
        return;
    };
    for a in actions.read() {
        match a {
            ClassAction::Join(code) => run.send(Step::Join(code.clone())),
            ClassAction::Continue => show(run.stage, &mut nav, &mut page),
            ClassAction::Start => {
                run.start();
                show(run.stage, &mut nav, &mut page);
            }
            ClassAction::Retry => run.retry(),
            ClassAction::Settings => nav.settings(),
            ClassAction::Library => {
                // Dropping the run releases the session; the server keeps every reply.
                commands.remove_resource::<ClassRun>();
                nav.go(Screen::Library);
                return;
            }
        }
    }
}

/// The session's actions while its conversation is on the server: each step is sent, and
/// the screen moves once it is answered.
fn class_session(
    mut actions: MessageReader<SessionAction>,
    play: Option<Res<Play>>,
    run: Option<ResMut<ClassRun>>,
    mut nav: Nav,
    mut page: ResMut<NextState<ClassPage>>,
) {
    let Some(mut run) = run.filter(|_| play.is_none()) else {
        return;
    };
    for a in actions.read() {
        match a {
            SessionAction::Choose(n) => run.send(Step::Reply(*n)),
            SessionAction::Rewind => run.send(Step::Back),
            SessionAction::End => run.send(Step::End),
            SessionAction::Retry => run.retry(),
            SessionAction::ShowReport if run.shown.as_ref().is_some_and(|c| c.over) => {
                run.next();
                show(run.stage, &mut nav, &mut page);
            }
            // "‹ Exercise" keeps everything: the join page continues where it stopped.
            SessionAction::Back => show(ClassStage::Join, &mut nav, &mut page),
            SessionAction::Settings => nav.settings(),
            _ => {}
        }
    }
}

/// Takes the server's answer when it comes, and shows the stage it leads to.
fn receive(
    run: Option<ResMut<ClassRun>>,
    mut nav: Nav,
    mut page: ResMut<NextState<ClassPage>>,
    screen: Res<State<Screen>>,
) {
    let Some(mut run) = run else {
        return;
    };
    let before = run.stage;
    run.check_clock();
    if !run.poll() {
        return;
    }
    // A conversation just over stays on screen with its ending until "Next client"; the
    // settings screen is left alone.
    if run.stage != before && *screen.get() != Screen::Settings {
        show(run.stage, &mut nav, &mut page);
    }
}

/// Back from settings to the class screen: the page of where the attempt stands.
pub fn back_from_settings(run: &ClassRun, nav: &mut Nav, page: &mut NextState<ClassPage>) {
    show(run.stage, nav, page);
}

/// Registers the class flow (inside the flow's set).
pub fn plugin(app: &mut App) {
    app.add_message::<ClassAction>().add_systems(
        Update,
        (receive, class_pages, class_session)
            .chain()
            .in_set(super::FlowSet),
    );
}
