//! The reply area: the options as large buttons with number keys, "try another reply",
//! ending early, and the question asked before a conversation is left unfinished.

use bevy_egui::egui::{self, RichText};
use changetalk_core::miti::codes::{codes_label, normalize_turn};

use super::chat::rating_colour;
use super::guard::{PendingExit, decision_id, settled};
use super::instructor::instructor_bar;
use super::{ReplyView, SessionAction, WhichDidYouMean};
use crate::app::conversation::Conversation;
use crate::app::state::Mode;
use crate::app::theme::{self, Palette};

/// The reply area: the options (with codes and ratings in instructor mode), or the ending's
/// next step. Every action is taken once for the decision the trainee saw (see
/// [`super::guard`]); Esc asks for [`SessionAction::Back`] (the caller asks first
/// mid-conversation).
pub fn reply_ui(
    ui: &mut egui::Ui,
    conversation: &(impl Conversation + ?Sized),
    view: &ReplyView,
    p: &Palette,
) -> Option<SessionAction> {
    let mut action = None;
    let practice = view.mode == Mode::Practice;
    let confirm_id = confirm_id();
    let pending_now = ui
        .data(|d| d.get_temp::<PendingExit>(confirm_id))
        .unwrap_or_default();
    let decision = decision_id(conversation, pending_now);
    let ready = settled(ui, decision);
    let engine = conversation.engine();
    if view.instructor
        && let Some(session) = engine
        && let Some(a) = instructor_bar(ui, session, p)
    {
        action = Some(a);
    }
    let over = conversation.is_over();
    let can_take_back = practice && conversation.can_take_back();
    let busy = conversation.busy();
    if let Some(which) = view.which.as_ref().filter(|_| !over) {
        if let Some(a) = which_ui(ui, which, p) {
            action = Some(a);
        }
        ui.add_space(6.0);
    }
    if !over {
        ui.horizontal_wrapped(|ui| {
            if can_take_back
                && ui
                    .button("Try another reply (B)")
                    .on_hover_text("Take your last reply back and choose again")
                    .clicked()
            {
                action = Some(SessionAction::Rewind);
            }
            if ui
                .button("End session (E)")
                .on_hover_text("Stop here and see the report")
                .clicked()
            {
                action = Some(SessionAction::End);
            }
        });
        let pending = ui
            .data(|d| d.get_temp::<PendingExit>(confirm_id))
            .unwrap_or_default();
        if view.confirm_end && pending != PendingExit::None {
            ui.horizontal_wrapped(|ui| {
                let (question, yes, yes_action) = if pending == PendingExit::Leave {
                    (
                        "Leave this conversation for the library? It is not finished, so it will not count as a score.",
                        "Yes, leave",
                        SessionAction::Back,
                    )
                } else {
                    (
                        "End this conversation now? It is not finished: the report marks it incomplete and its score counts only the part you played.",
                        "Yes, end it (E)",
                        SessionAction::End,
                    )
                };
                ui.label(RichText::new(question).color(p.bad));
                if ui.button(yes).clicked() {
                    action = Some(yes_action);
                }
                if ui.button("Keep talking (Esc)").clicked() {
                    ui.data_mut(|d| d.insert_temp(confirm_id, PendingExit::None));
                }
            });
        }
        if let Some(doing) = busy {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(RichText::new(doing).small().strong().color(p.accent));
            });
        } else if view.more_below {
            ui.label(
                RichText::new(
                    "Your reply — press a number or click. More replies below: scroll down.",
                )
                .small()
                .strong()
                .color(p.accent),
            );
        } else {
            ui.label(
                RichText::new("Your reply — press a number or click")
                    .small()
                    .color(p.muted),
            );
        }
        // Instructor mode (a conversation played here): each reply's codes and rating.
        let notes: Vec<(String, u8)> = match engine.filter(|_| view.instructor) {
            Some(session) => {
                let ratings = session.current_ratings();
                let line_target = session.current_target();
                session
                    .current_options()
                    .iter()
                    .enumerate()
                    .map(|(i, o)| {
                        let rating = ratings.get(i).copied().unwrap_or(0);
                        let codes = codes_label(&normalize_turn(&o.codes));
                        let target = o.responds_to.unwrap_or(line_target);
                        let note = format!(
                            "      {codes} · {rating}/5 · responds to {} · next: {}",
                            target.label(),
                            o.next
                        );
                        (note, rating)
                    })
                    .collect()
            }
            None => Vec::new(),
        };
        // A reply that had keyboard focus hands it to the first of the new replies (their
        // ids change with the decision, so focus never lands on an unread option).
        let focus_key = egui::Id::new("reply-had-focus");
        let carried = ui.data(|d| d.get_temp::<bool>(focus_key)).unwrap_or(false);
        let mut has_focus = false;
        let turn = conversation.exchange_count();
        for (i, o) in conversation.choices().into_iter().enumerate() {
            let n = i + 1;
            let text = RichText::new(format!("{n}   {}", o.text));
            let button = egui::Button::new(text)
                .wrap()
                .min_size(egui::vec2(ui.available_width(), 44.0))
                .fill(p.panel);
            let r = ui
                .push_id(("reply", turn, o.key), |ui| {
                    ui.add_enabled(busy.is_none(), button)
                })
                .inner;
            if i == 0 && carried && !ready && !r.has_focus() {
                r.request_focus();
            }
            has_focus |= r.has_focus();
            if r.clicked() {
                action = Some(SessionAction::Choose(n));
            }
            if let Some((note, rating)) = notes.get(i) {
                ui.label(RichText::new(note).small().color(rating_colour(p, *rating)));
            }
        }
        ui.data_mut(|d| d.insert_temp(focus_key, has_focus));
        if view.free_text
            && let Some(a) = typed_reply_ui(ui, view, turn, busy.is_some(), p)
        {
            action = Some(a);
        }
    } else {
        if let Some((title, _)) = conversation.ending() {
            ui.label(RichText::new(format!("The session has ended: {title}.")).strong());
        }
        if let Some(doing) = busy {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(RichText::new(doing).small().strong().color(p.accent));
            });
        }
        ui.horizontal(|ui| {
            if theme::primary_button(ui, p, &format!("{} (Enter)", view.finish_label)).clicked() {
                action = Some(SessionAction::ShowReport);
            }
            if can_take_back && ui.button("Try another reply (B)").clicked() {
                action = Some(SessionAction::Rewind);
            }
        });
    }
    // Keyboard shortcuts: whenever no text field has focus (a focused button does not stop
    // them). Enter opens the report only when no button has focus (Enter presses that one).
    let nothing_focused = ui.ctx().memory(|m| m.focused()).is_none();
    if !theme::typing(ui.ctx()) {
        ui.input(|i| {
            if !over
                && view.which.is_none()
                && let Some(n) = theme::number_key(i, conversation.choices().len())
            {
                action = Some(SessionAction::Choose(n));
            }
            if can_take_back && i.key_pressed(egui::Key::B) {
                action = Some(SessionAction::Rewind);
            }
            if i.key_pressed(egui::Key::E) && !over {
                action = Some(SessionAction::End);
            }
            if over && nothing_focused && i.key_pressed(egui::Key::Enter) {
                action = Some(SessionAction::ShowReport);
            }
        });
    }
    // Esc: withdraws a pending question first; otherwise back (asked first by the caller).
    if ui.input(|i| i.key_pressed(egui::Key::Escape)) {
        if pending_now == PendingExit::None {
            action = Some(SessionAction::Back);
        } else {
            ui.data_mut(|d| d.insert_temp(confirm_id, PendingExit::None));
        }
    }
    // One action per decision: nothing counts until the decision has been on screen a moment.
    // While a step is on its way to the server, nothing else is sent.
    if (!ready || busy.is_some()) && action.as_ref().is_some_and(SessionAction::changes_decision) {
        action = None;
    }
    // Mid-conversation the first "end" only asks; the second ends the conversation.
    match action {
        Some(SessionAction::End) if view.confirm_end && !over => {
            let asked =
                ui.data(|d| d.get_temp::<PendingExit>(confirm_id)) == Some(PendingExit::End);
            let next = if asked {
                PendingExit::None
            } else {
                PendingExit::End
            };
            ui.data_mut(|d| d.insert_temp(confirm_id, next));
            if !asked {
                action = None;
                ui.ctx().request_repaint();
            }
        }
        Some(_) => {
            ui.data_mut(|d| d.insert_temp(confirm_id, PendingExit::None));
        }
        None => {}
    }
    action
}

/// "Say it in your own words": a line to type a reply in, sent with Enter or "Say it".
fn typed_reply_ui(
    ui: &mut egui::Ui,
    view: &ReplyView,
    turn: usize,
    busy: bool,
    p: &Palette,
) -> Option<SessionAction> {
    let mut action = None;
    ui.add_space(6.0);
    ui.label(
        RichText::new("Or say it in your own words")
            .small()
            .strong()
            .color(p.muted),
    );
    // The draft belongs to this turn: a new client line starts an empty one.
    let key = egui::Id::new(("typed-reply", turn));
    let mut text: String = ui.data(|d| d.get_temp(key)).unwrap_or_default();
    let waiting = view.which.is_some();
    // The button keeps the width its label needs at any text size; the field takes the rest.
    let label_width = ui.fonts_mut(|f| {
        f.layout_no_wrap(
            "Say it".to_string(),
            egui::TextStyle::Button.resolve(ui.style()),
            egui::Color32::WHITE,
        )
        .size()
        .x
    });
    let button_width =
        label_width + 2.0 * ui.spacing().button_padding.x + 2.0 * ui.spacing().item_spacing.x + 4.0;
    let (edit, send) = ui
        .horizontal(|ui| {
            let edit = ui.add_enabled(
                !busy && !waiting,
                egui::TextEdit::singleline(&mut text)
                    .hint_text("Type what you would say, then Enter")
                    .desired_width((ui.available_width() - button_width).max(120.0)),
            );
            let ready = !text.trim().is_empty() && !busy && !waiting;
            let send = ui.add_enabled(ready, egui::Button::new("Say it"));
            (edit, send)
        })
        .inner;
    let entered = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    if (send.clicked() || entered) && !text.trim().is_empty() {
        action = Some(SessionAction::Say(text.trim().to_string()));
        text.clear();
    }
    ui.data_mut(|d| d.insert_temp(key, text));
    action
}

/// The coder was unsure which scripted reply a typed one meant: the trainee picks.
fn which_ui(ui: &mut egui::Ui, which: &WhichDidYouMean, p: &Palette) -> Option<SessionAction> {
    let mut action = None;
    theme::card(p).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new(format!("You said: “{}”", which.text)).strong());
        if let Some(coded) = &which.coded_as {
            ui.label(RichText::new(format!("Coded as {coded}.")).small());
        }
        ui.label("Which of these is closest to what you meant?");
        for (n, text) in &which.options {
            let button = egui::Button::new(RichText::new(format!("{n}   {text}")))
                .wrap()
                .min_size(egui::vec2(ui.available_width(), 36.0));
            if ui.add(button).clicked() {
                action = Some(SessionAction::Meant(*n));
            }
        }
        if ui.button("Neither: let me say it again").clicked() {
            action = Some(SessionAction::Unsay);
        }
    });
    action
}

/// The id under which the pending question is kept in egui's memory.
pub fn confirm_id() -> egui::Id {
    egui::Id::new("confirm-end-session")
}

/// Mid-conversation, "‹ Library" first asks (the answer is drawn under the replies); the
/// second click, or "Yes, leave", goes.
pub fn gate_leave(ctx: &egui::Context, conversation: &(impl Conversation + ?Sized)) -> bool {
    if conversation.is_over() || conversation.exchange_count() == 0 {
        return true;
    }
    let id = confirm_id();
    let asked = ctx.data(|d| d.get_temp::<PendingExit>(id)) == Some(PendingExit::Leave);
    let next = if asked {
        PendingExit::None
    } else {
        PendingExit::Leave
    };
    ctx.data_mut(|d| d.insert_temp(id, next));
    ctx.request_repaint();
    asked
}
