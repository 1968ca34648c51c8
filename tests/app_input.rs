//! The reply area under a trainee's hands, driven with egui_kittest as a real pointer and
//! keyboard would: one reply per decision whatever the double-clicks and double Enters, and
//! the shortcuts whenever no text field has focus.
#![cfg(feature = "gui")]

use std::sync::Arc;

use bevy_egui::egui;
use changetalk::app::screens::session::guard::SETTLE_SECONDS;
use changetalk::app::screens::session::{ReplyView, SessionAction, reply_ui};
use changetalk::app::state::Mode;
use changetalk::app::theme::Palette;
use changetalk::library;
use changetalk_core::{Scenario, Session};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn dui() -> Arc<Scenario> {
    library::resolve("court-ordered-dui").expect("bundled client")
}

/// The session, the mode and every action the reply area sent, applied as the app's flow
/// applies them (a reply is chosen, a take-back rewinds, ending stops).
struct Trainee {
    session: Session,
    mode: Mode,
    sent: Vec<SessionAction>,
}

/// A harness stepping `dt` seconds per frame (a fast human double-click is 0.1–0.2 s).
fn harness(mode: Mode, dt: f32) -> Harness<'static, Trainee> {
    Harness::builder()
        .with_size(egui::vec2(900.0, 900.0))
        .with_step_dt(dt)
        .build_ui_state(
            |ui, t: &mut Trainee| {
                let mut view = ReplyView::new(t.mode);
                // As in the app: ending early asks first.
                view.confirm_end = true;
                if let Some(a) = reply_ui(ui, &t.session, &view, &Palette::NORMAL) {
                    t.sent.push(a.clone());
                    match a {
                        SessionAction::Choose(n) => {
                            let _ = t.session.choose(n);
                        }
                        SessionAction::Rewind => {
                            let _ = t.session.rewind();
                        }
                        SessionAction::End => t.session.stop(),
                        _ => {}
                    }
                }
            },
            Trainee {
                session: Session::new(dui(), 1),
                mode,
                sent: Vec::new(),
            },
        )
}

/// Lets the decision on screen settle (a trainee reading it).
fn read(h: &mut Harness<'_, Trainee>) {
    let frames = (SETTLE_SECONDS / 0.02).ceil() as usize + 2;
    for _ in 0..frames {
        h.step();
    }
}

fn click_at(h: &Harness<'_, Trainee>, pos: egui::Pos2) {
    h.event(egui::Event::PointerMoved(pos));
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
    }
}

fn first_reply_centre(h: &Harness<'_, Trainee>) -> egui::Pos2 {
    let first = h.state().session.current_options()[0].text.clone();
    h.get_by_label_contains(&first).rect().center()
}

#[test]
fn a_double_click_on_a_reply_sends_exactly_one_reply() {
    let mut h = harness(Mode::Assessment, 0.02);
    read(&mut h);
    let at = first_reply_centre(&h);
    click_at(&h, at);
    click_at(&h, at);
    h.run();
    assert_eq!(h.state().sent, vec![SessionAction::Choose(1)]);
    assert_eq!(h.state().session.turns().len(), 1);
    // Once the new line and options have been read, a click is a reply again.
    read(&mut h);
    let at = first_reply_centre(&h);
    click_at(&h, at);
    h.run();
    assert_eq!(
        h.state().session.turns().len(),
        2,
        "a deliberate second reply counts"
    );
}

#[test]
fn a_double_enter_on_a_focused_reply_sends_exactly_one_reply() {
    let mut h = harness(Mode::Assessment, 0.02);
    read(&mut h);
    let first = h.state().session.current_options()[0].text.clone();
    h.get_by_label_contains(&first).focus();
    h.run();
    h.key_press(egui::Key::Enter);
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(h.state().sent, vec![SessionAction::Choose(1)]);
    assert_eq!(h.state().session.turns().len(), 1);
    // Focus moved to the first of the new replies, so the keyboard user goes on from there.
    read(&mut h);
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(h.state().session.turns().len(), 2);
}

#[test]
fn a_double_click_on_try_another_reply_never_ends_the_session() {
    let mut h = harness(Mode::Practice, 0.02);
    read(&mut h);
    h.key_press(egui::Key::Num2);
    h.run();
    read(&mut h);
    assert_eq!(h.state().session.turns().len(), 1);
    let at = h.get_by_label_contains("Try another reply").rect().center();
    click_at(&h, at);
    click_at(&h, at);
    h.run();
    read(&mut h);
    assert_eq!(
        h.state().sent,
        vec![SessionAction::Choose(2), SessionAction::Rewind]
    );
    assert_eq!(h.state().session.turns().len(), 0);
    assert!(!h.state().session.is_over());
}

#[test]
fn the_same_number_key_twice_in_a_row_is_one_reply() {
    let mut h = harness(Mode::Practice, 0.02);
    read(&mut h);
    h.key_press(egui::Key::Num1);
    h.key_press(egui::Key::Num1);
    h.run();
    assert_eq!(h.state().session.turns().len(), 1);
}

#[test]
fn shortcuts_work_while_a_button_has_focus() {
    let mut h = harness(Mode::Practice, 0.02);
    read(&mut h);
    // Tab puts focus on a button (as after Enter on a reply).
    h.key_press(egui::Key::Tab);
    h.run();
    assert!(
        h.ctx.memory(|m| m.focused()).is_some(),
        "Tab focuses a button"
    );
    h.key_press(egui::Key::Num3);
    h.run();
    assert_eq!(h.state().sent, vec![SessionAction::Choose(3)]);
    read(&mut h);
    h.key_press(egui::Key::B);
    h.run();
    assert_eq!(h.state().sent.last(), Some(&SessionAction::Rewind));
    read(&mut h);
    // E asks first mid-conversation; E again ends.
    h.key_press(egui::Key::E);
    h.run();
    read(&mut h);
    assert!(!h.state().session.is_over(), "the first E only asks");
    h.get_by_label_contains("End this conversation now?");
    h.key_press(egui::Key::E);
    h.run();
    assert!(h.state().session.is_over(), "the second E ends it");
}

#[test]
fn esc_withdraws_the_question_then_asks_to_leave() {
    let mut h = harness(Mode::Practice, 0.02);
    read(&mut h);
    h.key_press(egui::Key::E);
    h.run();
    read(&mut h);
    h.get_by_label_contains("End this conversation now?");
    h.key_press(egui::Key::Escape);
    h.run();
    read(&mut h);
    assert!(
        h.query_by_label_contains("End this conversation now?")
            .is_none(),
        "Esc withdraws the question"
    );
    h.key_press(egui::Key::Escape);
    h.run();
    assert_eq!(
        h.state().sent,
        vec![SessionAction::Back],
        "Esc then means back"
    );
}

#[test]
fn number_keys_do_nothing_while_typing_in_a_text_field() {
    let mut h = Harness::builder()
        .with_size(egui::vec2(900.0, 900.0))
        .with_step_dt(0.02)
        .build_ui_state(
            |ui, t: &mut (Session, String, Vec<SessionAction>)| {
                ui.text_edit_singleline(&mut t.1);
                if let Some(a) =
                    reply_ui(ui, &t.0, &ReplyView::new(Mode::Practice), &Palette::NORMAL)
                {
                    t.2.push(a);
                }
            },
            (Session::new(dui(), 1), String::new(), Vec::new()),
        );
    for _ in 0..20 {
        h.step();
    }
    h.get_by_role(egui::accesskit::Role::TextInput).focus();
    h.run();
    h.key_press(egui::Key::Num2);
    h.event(egui::Event::Text("2".into()));
    h.run();
    assert!(
        h.state().2.is_empty(),
        "typing a digit is text, not a reply"
    );
    assert_eq!(h.state().1, "2");
}

#[test]
fn tabbing_to_a_card_below_the_fold_scrolls_it_into_view() {
    use changetalk::app::screens::library::{LibraryAction, LibraryFilter, library_ui};
    use changetalk::app::settings::Progress;
    let entries = library::bundled();
    let progress = Progress::default();
    let courses = changetalk::app::course_views::CourseViews::of(&entries, &progress);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1024.0, 640.0))
        .build_ui_state(
            move |ui, state: &mut (LibraryFilter, Option<LibraryAction>)| {
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
    // The app's theme at 200% text: one card per row, most of them below the window.
    changetalk::app::theme::apply(&h.ctx, &Palette::NORMAL, 2.0, false);
    h.run();
    let last = library::bundled()
        .last()
        .and_then(|e| e.playable().map(|s| format!("Meet {}", s.persona.name)))
        .expect("a bundled client");
    let below = h.get_by_label(&last).rect();
    assert!(
        below.min.y > 640.0,
        "the last card starts below the window: {below:?}"
    );
    // Tab until the last card's button has focus.
    let mut reached = false;
    for _ in 0..40 {
        h.key_press(egui::Key::Tab);
        h.run();
        if h.get_by_label(&last).is_focused() {
            reached = true;
            break;
        }
    }
    assert!(reached, "Tab reaches {last}");
    let r = h.get_by_label(&last).rect();
    assert!(
        r.min.y >= 0.0 && r.max.y <= 640.0,
        "the focused button is scrolled into view: {r:?}"
    );
}
