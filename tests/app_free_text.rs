//! "Say it in your own words" in the app: the field under the replies sends what was typed;
//! the flow codes it offline, rates it by its own codes and goes on along the nearest
//! scripted reply; when the coder is unsure the trainee picks which of the two nearest
//! replies they meant (or says it again); the chat shows it was typed and how sure the
//! coder was. Classroom exercises offer no field (they record scripted replies).
#![cfg(feature = "gui")]

mod common;

use std::sync::Arc;

use bevy_egui::egui;
use changetalk::app::Screen;
use changetalk::app::screens::session::{ReplyView, SessionAction, WhichDidYouMean, reply_ui};
use changetalk::app::state::{Mode, Play};
use changetalk::app::theme::Palette;
use changetalk_core::Session;
use common::send;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn dui() -> Arc<changetalk_core::Scenario> {
    changetalk::library::resolve("court-ordered-dui").expect("bundled")
}

fn free_app(mode: Mode) -> bevy::prelude::App {
    let dir = tempfile::tempdir().unwrap();
    let mut app = common::headless_app(dir.path(), Screen::Session);
    app.insert_resource(Play::new(dui(), 1, mode));
    app.update();
    app
}

fn play(app: &bevy::prelude::App) -> &Play {
    app.world().resource::<Play>()
}

#[test]
fn a_typed_reply_is_coded_rated_and_answered() {
    let mut app = free_app(Mode::Practice);
    send(
        &mut app,
        SessionAction::Say(
            "You're in denial. You're an alcoholic and you need to admit it.".into(),
        ),
    );
    // Two roadblocks may be about as near: then the trainee says which one was meant.
    if let Some(u) = play(&app).pending_typed.clone() {
        send(&mut app, SessionAction::Meant(u.two_nearest()[0]));
    }
    let p = play(&app);
    assert!(p.pending_typed.is_none());
    let t = p.session.turns().last().expect("a turn");
    assert_eq!(t.reply.rating, 1, "a roadblock rates 1");
    assert!(t.reply.confidence.is_some() && t.reply.matched_option.is_some());
    assert!(p.session.current_line().is_some(), "the client answered");
    // Taking it back works as for a scripted reply.
    send(&mut app, SessionAction::Rewind);
    assert!(play(&app).session.turns().is_empty());
}

#[test]
fn when_the_coder_is_unsure_the_trainee_picks_the_reply_they_meant() {
    let mut app = free_app(Mode::Assessment);
    // A reply close to two options at once: a question about the court and a reflection.
    let mut asked = None;
    for text in [
        "Hmm.",
        "Okay, so tell me.",
        "Right, the court.",
        "I hear you.",
    ] {
        send(&mut app, SessionAction::Say(text.into()));
        if let Some(u) = &play(&app).pending_typed {
            asked = Some(u.clone());
            break;
        }
        send(&mut app, SessionAction::Rewind);
        // Assessment has no take-back: start again instead.
        app.insert_resource(Play::new(dui(), 1, Mode::Assessment));
        app.update();
    }
    let u = asked.expect("one of the vague replies leaves the coder unsure");
    assert_eq!(play(&app).session.turns().len(), 0, "nothing is sent yet");
    let second = u.two_nearest()[1];
    send(&mut app, SessionAction::Meant(second));
    let p = play(&app);
    assert!(p.pending_typed.is_none());
    let t = p.session.turns().last().expect("the reply was sent");
    assert_eq!(t.reply.number, second, "the client answers the reply meant");
    assert_eq!(t.reply.text, u.reply.text);
}

#[test]
fn the_field_sends_what_was_typed_and_the_question_offers_both_replies() {
    let session = Session::new(dui(), 1);
    let mut view = ReplyView::new(Mode::Practice);
    view.free_text = true;
    let mut harness = Harness::new_ui_state(
        |ui, state: &mut (Session, ReplyView, Option<SessionAction>)| {
            if let Some(a) = reply_ui(ui, &state.0, &state.1, &Palette::NORMAL) {
                state.2 = Some(a);
            }
        },
        (session.clone(), view, None),
    );
    // Input counts once the decision has been on screen a moment.
    harness.step();
    std::thread::sleep(std::time::Duration::from_millis(350));
    harness.run();
    let field = harness.get_by_role(egui::accesskit::Role::TextInput);
    field.click();
    harness.run();
    harness
        .get_by_role(egui::accesskit::Role::TextInput)
        .type_text("What brings you here today?");
    harness.run();
    harness.get_by_label("Say it").click();
    harness.run();
    assert_eq!(
        harness.state().2,
        Some(SessionAction::Say("What brings you here today?".into()))
    );

    let mut view = ReplyView::new(Mode::Practice);
    view.free_text = true;
    let options = session.current_options();
    view.which = Some(WhichDidYouMean {
        text: "Okay.".into(),
        coded_as: Some("not coded (40% sure)".into()),
        options: vec![(2, options[1].text.clone()), (3, options[2].text.clone())],
    });
    let mut harness = Harness::new_ui_state(
        |ui, state: &mut (Session, ReplyView, Option<SessionAction>)| {
            if let Some(a) = reply_ui(ui, &state.0, &state.1, &Palette::NORMAL) {
                state.2 = Some(a);
            }
        },
        (session.clone(), view, None),
    );
    harness.step();
    std::thread::sleep(std::time::Duration::from_millis(350));
    harness.run();
    assert!(harness.query_by_label_contains("Which of these").is_some());
    harness.get_by_label("Neither: let me say it again").click();
    harness.run();
    assert_eq!(harness.state().2, Some(SessionAction::Unsay));
}

#[test]
fn classroom_exercises_offer_no_field() {
    // The session screen offers the field only to free sessions: an exercise's Play has
    // `exercise` set, and the view leaves `free_text` off (see screens/session.rs).
    let view = ReplyView::new(Mode::Practice);
    assert!(!view.free_text, "off unless the screen turns it on");
}
