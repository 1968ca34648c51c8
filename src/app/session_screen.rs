//! The conversation: the client's face, the chat, and the replies as large buttons with
//! number-key shortcuts. Practice mode adds live meters and a feedback card after each reply.

use std::sync::Arc;

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use changetalk_core::codes::{codes_label, normalize_turn};
use changetalk_core::engine::{Session, TurnRecord};
use changetalk_core::model::{ClientState, Target};
use egui::{Color32, RichText};

use super::exercise_screen::ActiveExercise;
use super::hot_reload::{self, ReloadNotice};
use super::settings::{Paths, Progress, Settings};
use super::settings_screen::{ReturnTo, open_settings};
use super::theme::{self, HeaderClick, Palette, header};
use super::{
    ActiveSession, Catalog, FaceArea, Mode, Report, ReportData, Screen, ScreenUi, palette, root_ui,
};
use crate::classroom::StepError;

/// What the trainee did during the session.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionAction {
    /// Reply with option `n` (1-based).
    Choose(usize),
    /// Take back the last reply (practice only).
    Rewind,
    /// End the session now and see the report.
    End,
    /// Open the report of a finished session.
    ShowReport,
    /// Back to the library.
    Back,
    /// Open settings.
    Settings,
    /// Instructor mode: start a preview at decision point `i` (index in the scenario) with
    /// the client's current state.
    Jump(usize),
    /// Instructor mode: start the conversation again from the beginning.
    Restart,
    /// Turn instructor mode on or off (not in a classroom exercise).
    ToggleInstructor,
    /// Instructor mode: save the scenario's decision graph as SVG.
    ExportGraph,
    /// Instructor mode: preview the current point again with the client in this state (to
    /// try a line's `when` condition).
    PreviewState(ClientState),
}

impl SessionAction {
    /// Instructor mode's tools (never in a classroom exercise).
    pub fn is_instructor_tool(self) -> bool {
        matches!(
            self,
            SessionAction::Jump(_)
                | SessionAction::Restart
                | SessionAction::PreviewState(_)
                | SessionAction::ToggleInstructor
                | SessionAction::ExportGraph
        )
    }
}

/// How the reply area is shown.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplyView {
    /// Practice or assessment.
    pub mode: Mode,
    /// Instructor mode: codes and rating on every reply, and the jump list.
    pub instructor: bool,
    /// The button shown once the conversation is over.
    pub finish_label: String,
    /// Ending early needs a second press (classroom exercises: it cannot be undone).
    pub confirm_end: bool,
}

impl ReplyView {
    /// A trainee's view in `mode`.
    pub fn new(mode: Mode) -> ReplyView {
        ReplyView {
            mode,
            instructor: false,
            finish_label: "See your report".to_string(),
            confirm_end: false,
        }
    }
}

const NUMBER_KEYS: [egui::Key; 9] = [
    egui::Key::Num1,
    egui::Key::Num2,
    egui::Key::Num3,
    egui::Key::Num4,
    egui::Key::Num5,
    egui::Key::Num6,
    egui::Key::Num7,
    egui::Key::Num8,
    egui::Key::Num9,
];

fn talk_colour(p: &Palette, t: Target) -> Color32 {
    match t {
        Target::ChangeTalk => p.good,
        Target::SustainTalk => p.fair,
        Target::Discord => p.bad,
        Target::Neutral => p.muted,
    }
}

fn rating_colour(p: &Palette, rating: u8) -> Color32 {
    match rating {
        5 | 4 => p.good,
        3 => p.fair,
        _ => p.bad,
    }
}

fn bubble(ui: &mut egui::Ui, fill: Color32, right: bool, add: impl FnOnce(&mut egui::Ui)) {
    let layout = if right {
        egui::Layout::right_to_left(egui::Align::Min)
    } else {
        egui::Layout::left_to_right(egui::Align::Min)
    };
    ui.with_layout(layout, |ui| {
        let max = (ui.available_width() * 0.86).max(200.0);
        egui::Frame::new()
            .fill(fill)
            .corner_radius(egui::CornerRadius::same(12))
            .inner_margin(egui::Margin::symmetric(12, 8))
            .show(ui, |ui| {
                ui.set_max_width(max);
                ui.with_layout(egui::Layout::top_down(egui::Align::Min), add);
            });
    });
}

/// The conversation so far, as chat bubbles. In practice each client line carries its talk
/// type once the trainee has replied to it; the line waiting for a reply shows it only when
/// `label_pending` (the "show talk type" setting, or instructor mode).
pub fn chat_ui(ui: &mut egui::Ui, session: &Session, mode: Mode, label_pending: bool, p: &Palette) {
    let name = session.scenario().persona.name.clone();
    let practice = mode == Mode::Practice;
    let client = |ui: &mut egui::Ui, text: &str, talk: Target, labelled: bool| {
        bubble(ui, p.client_bubble, false, |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(&name).strong().small());
                if practice && labelled {
                    ui.label(
                        RichText::new(talk.label())
                            .small()
                            .color(talk_colour(p, talk)),
                    );
                }
            });
            ui.label(text);
        });
    };
    let last = session.turns().len();
    for turn in session.turns() {
        client(ui, &turn.client.text, turn.client.talk.target(), true);
        bubble(ui, p.trainee_bubble, true, |ui| {
            ui.label(RichText::new("You").strong().small());
            ui.label(&turn.reply.text);
            if practice {
                ui.label(
                    RichText::new(format!(
                        "{} · {}/5",
                        codes_label(&turn.reply.codes),
                        turn.reply.rating
                    ))
                    .small()
                    .color(rating_colour(p, turn.reply.rating)),
                );
            }
        });
        if practice && turn.number == last {
            feedback_card(ui, turn, p);
        }
    }
    if let Some(line) = session.current_line() {
        client(ui, &line.text, line.talk.target(), label_pending);
    }
    if let Some(end) = session.ending() {
        ui.add_space(6.0);
        theme::card(p).show(ui, |ui| {
            ui.label(RichText::new(&end.title).strong());
            ui.label(&end.text);
        });
    }
}

/// The feedback card shown in practice mode after a reply.
pub fn feedback_card(ui: &mut egui::Ui, turn: &TurnRecord, p: &Palette) {
    let colour = rating_colour(p, turn.reply.rating);
    egui::Frame::new()
        .fill(p.panel)
        .stroke(egui::Stroke::new(2.0, colour))
        .corner_radius(egui::CornerRadius::same(10))
        .inner_margin(egui::Margin::same(10))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new("Your last reply:").strong());
                theme::chip(ui, &codes_label(&turn.reply.codes), colour);
                ui.label(
                    RichText::new(format!("{}/5", turn.reply.rating))
                        .strong()
                        .color(colour),
                );
            });
            ui.label(&turn.reply.feedback);
            if let Some(b) = &turn.better {
                ui.add_space(2.0);
                ui.label(
                    RichText::new(format!("A stronger reply ({}/5): “{}”", b.rating, b.text))
                        .color(p.good),
                );
                ui.label(RichText::new(&b.feedback).small());
            }
        });
}

/// The reply area: the options (with codes and ratings in instructor mode), or the ending's
/// next step.
pub fn reply_ui(
    ui: &mut egui::Ui,
    session: &Session,
    view: &ReplyView,
    p: &Palette,
) -> Option<SessionAction> {
    let mut action = None;
    let practice = view.mode == Mode::Practice;
    let confirm_id = confirm_id();
    if view.instructor
        && let Some(a) = instructor_bar(ui, session, p)
    {
        action = Some(a);
    }
    if session.current_point().is_some() {
        ui.horizontal_wrapped(|ui| {
            if practice
                && !session.turns().is_empty()
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
        ui.label(
            RichText::new("Your reply — press a number or click")
                .small()
                .color(p.muted),
        );
        let ratings = session.current_ratings();
        let line_target = session.current_target();
        for (i, o) in session.current_options().into_iter().enumerate() {
            let n = i + 1;
            let text = RichText::new(format!("{n}   {}", o.text));
            let button = egui::Button::new(text)
                .wrap()
                .min_size(egui::vec2(ui.available_width(), 44.0))
                .fill(p.panel);
            let r = ui.add(button);
            if r.clicked() {
                action = Some(SessionAction::Choose(n));
            }
            if view.instructor {
                let rating = ratings.get(i).copied().unwrap_or(0);
                let codes = codes_label(&normalize_turn(&o.codes));
                let target = o.responds_to.unwrap_or(line_target);
                ui.label(
                    RichText::new(format!(
                        "      {codes} · {rating}/5 · responds to {} · next: {}",
                        target.label(),
                        o.next
                    ))
                    .small()
                    .color(rating_colour(p, rating)),
                );
            }
        }
    } else if session.is_over() {
        if let Some(end) = session.ending() {
            ui.label(RichText::new(format!("The session has ended: {}.", end.title)).strong());
        }
        ui.horizontal(|ui| {
            if theme::primary_button(ui, p, &format!("{} (Enter)", view.finish_label)).clicked() {
                action = Some(SessionAction::ShowReport);
            }
            if practice
                && !session.turns().is_empty()
                && ui.button("Try another reply (B)").clicked()
            {
                action = Some(SessionAction::Rewind);
            }
        });
    }
    if view.confirm_end
        && ui.input(|i| i.key_pressed(egui::Key::Escape))
        && ui
            .data(|d| d.get_temp::<PendingExit>(confirm_id))
            .is_some_and(|p| p != PendingExit::None)
    {
        ui.data_mut(|d| d.insert_temp(confirm_id, PendingExit::None));
    }
    // Keyboard shortcuts (ignored while typing in a text field).
    if !ui.ctx().egui_wants_keyboard_input() {
        ui.input(|i| {
            if session.current_point().is_some() {
                let shown = session.current_options().len();
                for (k, key) in NUMBER_KEYS.iter().enumerate().take(shown) {
                    if i.key_pressed(*key) {
                        action = Some(SessionAction::Choose(k + 1));
                    }
                }
            }
            if practice && i.key_pressed(egui::Key::B) && !session.turns().is_empty() {
                action = Some(SessionAction::Rewind);
            }
            if i.key_pressed(egui::Key::E) && !session.is_over() {
                action = Some(SessionAction::End);
            }
            if session.is_over() && i.key_pressed(egui::Key::Enter) {
                action = Some(SessionAction::ShowReport);
            }
        });
    }
    // Mid-conversation the first "end" only asks; the second ends the conversation.
    match action {
        Some(SessionAction::End) if view.confirm_end && !session.is_over() => {
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

/// A question waiting under the replies before a conversation is left unfinished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PendingExit {
    /// Nothing asked.
    #[default]
    None,
    /// "End this conversation now?"
    End,
    /// "Leave this conversation for the library?"
    Leave,
}

/// The id under which the pending question is kept in egui's memory.
pub fn confirm_id() -> egui::Id {
    egui::Id::new("confirm-end-session")
}

/// Mid-conversation, "‹ Library" first asks (the answer is drawn under the replies); the
/// second click, or "Yes, leave", goes.
pub fn gate_leave(ctx: &egui::Context, session: &Session) -> bool {
    if session.is_over() || session.turns().is_empty() {
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

/// Instructor mode's tools above the replies: where the conversation is, jump to any point,
/// restart.
pub fn instructor_bar(ui: &mut egui::Ui, session: &Session, p: &Palette) -> Option<SessionAction> {
    let mut action = None;
    let scenario = session.scenario();
    egui::Frame::new()
        .fill(p.panel)
        .stroke(egui::Stroke::new(1.0, p.accent))
        .corner_radius(egui::CornerRadius::same(8))
        .inner_margin(egui::Margin::same(8))
        .show(ui, |ui| {
            ui.set_max_width(ui.available_width());
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new("Instructor").strong().color(p.accent));
                let here = session
                    .current_point()
                    .map_or_else(|| "ended".to_string(), |pt| pt.id.clone());
                ui.label(RichText::new(format!("at `{here}`")).monospace());
                if let Some(line) = session.current_line() {
                    ui.label(
                        RichText::new(format!(
                            "line `{}` · {}",
                            line.line,
                            line.talk.target().label()
                        ))
                        .small()
                        .color(p.muted),
                    );
                }
            });
            let current = session
                .current_point()
                .and_then(|pt| scenario.point_index(&pt.id));
            ui.horizontal(|ui| {
                let width = (ui.available_width() - 190.0).clamp(120.0, 360.0);
                egui::ComboBox::from_id_salt("jump-to-point")
                    .selected_text("Jump to point…")
                    .width(width)
                    .show_ui(ui, |ui| {
                        for (i, pt) in scenario.points.iter().enumerate() {
                            let first = pt.lines.first().map_or("", |l| l.text.as_str());
                            let short: String = first.chars().take(48).collect();
                            let ellipsis = if first.chars().count() > 48 { "…" } else { "" };
                            if ui
                                .selectable_label(
                                    current == Some(i),
                                    format!("{}  —  {short}{ellipsis}", pt.id),
                                )
                                .clicked()
                            {
                                action = Some(SessionAction::Jump(i));
                            }
                        }
                    });
                if ui
                    .button("Restart")
                    .on_hover_text("Start the conversation again from the beginning")
                    .clicked()
                {
                    action = Some(SessionAction::Restart);
                }
                if ui
                    .button("Graph")
                    .on_hover_text("Save the decision graph as SVG (like `changetalk graph`)")
                    .clicked()
                {
                    action = Some(SessionAction::ExportGraph);
                }
            });
            egui::CollapsingHeader::new("Client state for a preview…")
                .id_salt("preview-state")
                .show(ui, |ui| {
                    if let Some(a) = state_editor(ui, session) {
                        action = Some(a);
                    }
                });
            if let Some(start) = session.preview_start() {
                ui.label(
                    RichText::new(format!(
                        "Preview from `{start}` with the client's state at the jump; not scored as practice."
                    ))
                    .small()
                    .color(p.muted),
                );
            }
        });
    action
}

/// The meters (practice mode).
pub fn meters_ui(ui: &mut egui::Ui, session: &Session, p: &Palette) {
    let s = session.state();
    theme::card(p).show(ui, |ui| {
        ui.set_width(ui.available_width());
        theme::meter(ui, p, "Engagement", s.engagement, p.accent);
        theme::meter(ui, p, "Discord", s.discord, p.bad);
        theme::meter(ui, p, "Importance", s.importance, p.good);
        theme::meter(ui, p, "Confidence", s.confidence, p.fair);
    });
}

/// Applies an action to the session; returns the screen to go to, if it changes.
pub fn apply(action: SessionAction, play: &mut super::Play) -> Option<Screen> {
    match action {
        SessionAction::Jump(i) => {
            let s = &play.session;
            if let Some(point) = s.scenario().points.get(i)
                && let Some(p) =
                    Session::preview_from(Arc::clone(s.scenario()), s.seed(), &point.id, s.state())
            {
                play.session = p;
            }
            None
        }
        SessionAction::PreviewState(state) => {
            let s = &play.session;
            if let Some(point) = s.current_point()
                && let Some(p) =
                    Session::preview_from(Arc::clone(s.scenario()), s.seed(), &point.id, state)
            {
                play.session = p;
            }
            None
        }
        SessionAction::Restart => {
            play.session = Session::new(Arc::clone(play.session.scenario()), play.session.seed());
            None
        }
        SessionAction::Choose(n) => {
            let _ = play.session.choose(n);
            None
        }
        SessionAction::Rewind => {
            if play.mode == Mode::Practice {
                let _ = play.session.rewind();
            }
            None
        }
        SessionAction::End => {
            play.session.stop();
            Some(Screen::Report)
        }
        SessionAction::ShowReport => Some(Screen::Report),
        SessionAction::Back => Some(Screen::Library),
        // These change settings or files, not the session: `handle_session_actions` does them.
        SessionAction::Settings | SessionAction::ToggleInstructor | SessionAction::ExportGraph => {
            None
        }
    }
}

/// Draws the session; it only reads it — changes go through [`SessionAction`] messages.
// A Bevy system takes each resource it uses as a parameter.
#[allow(clippy::too_many_arguments)]
fn session_system(
    mut contexts: EguiContexts,
    settings: Res<Settings>,
    active: Res<ActiveSession>,
    exercise: Res<ActiveExercise>,
    catalog: Res<Catalog>,
    notice: Res<ReloadNotice>,
    mut area: ResMut<FaceArea>,
    mut actions: MessageWriter<SessionAction>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let p = palette(&settings);
    let Some(play) = active.0.as_ref() else {
        // Nothing to draw; `leave_empty_session` has already chosen where to go.
        return Ok(());
    };
    let mut root = root_ui(ctx);
    let mut action = None;
    let scenario = play.session.scenario().clone();
    let in_exercise = play.exercise.zip(exercise.0.as_ref());
    let mut view = ReplyView::new(play.mode);
    view.instructor = settings.instructor_mode && in_exercise.is_none();
    // Ending a conversation before an ending always asks first (it scores as incomplete).
    view.confirm_end = true;
    if let Some((i, run)) = in_exercise {
        view.finish_label = if i + 1 < run.len() {
            "Next client".to_string()
        } else {
            "Finish the exercise".to_string()
        };
    }
    let problems = hot_reload::file_problems(&catalog.0, &scenario);
    egui::Panel::top("session-top")
        .frame(
            egui::Frame::new()
                .fill(p.panel)
                .inner_margin(egui::Margin::symmetric(14, 8)),
        )
        .show(&mut root, |ui| {
            let mode = play.mode.name();
            let (back_label, subtitle) = match in_exercise {
                Some((i, run)) => ("‹ Exercise", format!("{mode} · {}", run.status(i))),
                None => ("‹ Library", mode.to_string()),
            };
            let toggle = in_exercise.is_none().then_some(view.instructor);
            match header(ui, back_label, &scenario.title, &subtitle, toggle, &p) {
                // In an exercise "‹ Exercise" keeps everything; elsewhere leaving asks first.
                Some(HeaderClick::Back)
                    if in_exercise.is_some() || gate_leave(ui.ctx(), &play.session) =>
                {
                    action = Some(SessionAction::Back)
                }
                Some(HeaderClick::Back) => {}
                Some(HeaderClick::Settings) => action = Some(SessionAction::Settings),
                Some(HeaderClick::Instructor) => action = Some(SessionAction::ToggleInstructor),
                None => {}
            }
            if let Some((_, run)) = in_exercise
                && let Some(m) = &run.message
            {
                ui.label(RichText::new(m).color(p.bad));
            }
            if let Some((entry, errors)) = problems {
                theme::file_errors_banner(ui, &entry.origin.display_name(), errors, &p);
            }
            if in_exercise.is_none()
                && let Some(m) = &notice.0
            {
                ui.label(RichText::new(m).small().color(p.muted));
            }
        });
    let width = (root.available_width() * 0.58).max(430.0);
    egui::Panel::right("session-chat")
        .exact_size(width)
        .resizable(false)
        .frame(
            egui::Frame::new()
                .fill(p.bg)
                .inner_margin(egui::Margin::same(12)),
        )
        .show(&mut root, |ui| {
            // Chat above, replies below. The replies take the height they needed last
            // frame (at most 60%), so the options are never hidden behind a tiny panel.
            let id = ui.id().with("reply-height");
            let total = ui.available_height();
            let max_reply = total * 0.6;
            let prev: f32 = ui.data(|d| d.get_temp(id)).unwrap_or(total * 0.45);
            let reply_h = prev.min(max_reply);
            let chat_h = (total - reply_h - 12.0).max(60.0);
            egui::ScrollArea::vertical()
                .id_salt("chat")
                .stick_to_bottom(true)
                .auto_shrink([false, false])
                .max_height(chat_h)
                .min_scrolled_height(chat_h)
                .show(ui, |ui| {
                    let label_pending = settings.show_talk_labels || view.instructor;
                    chat_ui(ui, &play.session, play.mode, label_pending, &p)
                });
            ui.add_space(6.0);
            let mut needed = reply_h;
            egui::ScrollArea::vertical()
                .id_salt("replies")
                .auto_shrink([false, true])
                .max_height(max_reply)
                .show(ui, |ui| {
                    let top = ui.min_rect().top();
                    if let Some(a) = reply_ui(ui, &play.session, &view, &p) {
                        action = Some(a);
                    }
                    needed = (ui.min_rect().bottom() - top + 4.0).min(max_reply);
                });
            if (needed - prev).abs() > 1.0 {
                ui.data_mut(|d| d.insert_temp(id, needed));
                ui.ctx().request_repaint();
            }
        });
    let show_meters = play.mode == Mode::Practice || view.instructor;
    let face_rect = egui::CentralPanel::no_frame()
        .show(&mut root, |ui| {
            let full = ui.max_rect();
            if show_meters {
                egui::Panel::bottom("session-meters")
                    .resizable(false)
                    .frame(egui::Frame::new().inner_margin(egui::Margin::same(12)))
                    .show(ui, |ui| meters_ui(ui, &play.session, &p));
                ui.available_rect_before_wrap()
            } else {
                full
            }
        })
        .inner;
    if area.0 != Some(face_rect) {
        area.0 = Some(face_rect);
    }
    if let Some(a) = action {
        actions.write(a);
        ctx.request_repaint();
    }
    Ok(())
}

/// Sliders for the four state variables, starting from the client's state now; "Preview
/// here" replays the current point with them, so a line's `when` condition can be tried.
fn state_editor(ui: &mut egui::Ui, session: &Session) -> Option<SessionAction> {
    let mut action = None;
    let id = ui.id().with("edited-state");
    let now = session.state();
    // (the state the edit started from, the edited state): a reply moves the client on, and
    // the sliders follow it.
    let (base, mut st): (ClientState, ClientState) =
        ui.data(|d| d.get_temp(id)).unwrap_or((now, now));
    if base != now {
        st = now;
    }
    egui::Grid::new("state-editor")
        .num_columns(2)
        .show(ui, |ui| {
            for (label, v) in [
                ("Engagement", &mut st.engagement),
                ("Discord", &mut st.discord),
                ("Importance", &mut st.importance),
                ("Confidence", &mut st.confidence),
            ] {
                ui.label(label);
                ui.add(egui::Slider::new(v, 0..=10));
                ui.end_row();
            }
        });
    ui.horizontal_wrapped(|ui| {
        if ui
            .add_enabled(
                session.current_point().is_some(),
                egui::Button::new("Preview here"),
            )
            .on_hover_text("Start this point again with the client in this state")
            .clicked()
        {
            action = Some(SessionAction::PreviewState(st));
        }
        if ui.button("Back to the state now").clicked() {
            st = now;
        }
    });
    ui.data_mut(|d| d.insert_temp(id, (now, st)));
    action
}

/// Saves the scenario's decision graph as `<reports>/<id>-graph.svg` (atomically); says
/// where, or why not.
pub fn export_graph(scenario: &changetalk_core::Scenario, paths: &Paths) -> String {
    let svg = changetalk_core::graph::to_svg(scenario);
    match paths.save_to_reports(&format!("{}-graph.svg", scenario.id), svg.as_bytes()) {
        Ok(path) => format!("Saved the decision graph to {}", path.display()),
        Err(e) => format!("Could not save the graph: {e}"),
    }
}

/// Applies the trainee's actions to the session: the screen's logic, separate from drawing
/// so it runs (and is tested) without a window. In a classroom exercise every reply,
/// take-back and early end is saved to the progress file before the next frame.
// A Bevy system takes each resource it uses as a parameter.
#[allow(clippy::too_many_arguments)]
pub fn handle_session_actions(
    mut actions: MessageReader<SessionAction>,
    paths: Res<Paths>,
    mut settings: ResMut<Settings>,
    mut notice: ResMut<ReloadNotice>,
    mut progress: ResMut<Progress>,
    mut active: ResMut<ActiveSession>,
    mut exercise: ResMut<ActiveExercise>,
    mut report: ResMut<Report>,
    mut next: ResMut<NextState<Screen>>,
    mut ret: ResMut<ReturnTo>,
) {
    for a in actions.read() {
        let Some(play) = active.0.as_mut() else {
            return;
        };
        // Instructor tools never touch a classroom exercise.
        if play.exercise.is_some() && a.is_instructor_tool() {
            continue;
        }
        match a {
            SessionAction::Settings => {
                open_settings(Screen::Session, &mut ret, &mut next);
                continue;
            }
            SessionAction::ToggleInstructor => {
                settings.instructor_mode = !settings.instructor_mode;
                continue;
            }
            SessionAction::ExportGraph => {
                notice.0 = Some(export_graph(play.session.scenario(), &paths));
                continue;
            }
            _ => {}
        }
        if let (Some(_), Some(run)) = (play.exercise, exercise.0.as_mut()) {
            // Some(true): on to the next conversation; Some(false): the exercise has ended.
            let moved = match a {
                SessionAction::Choose(n) => {
                    (run.reply(play, *n) == Err(StepError::TimeUp)).then_some(false)
                }
                SessionAction::Rewind => {
                    (run.take_back(play) == Err(StepError::TimeUp)).then_some(false)
                }
                SessionAction::End => {
                    let _ = run.end_conversation(play);
                    Some(true)
                }
                SessionAction::ShowReport => play.session.is_over().then_some(true),
                SessionAction::Back => {
                    next.set(Screen::Exercise);
                    None
                }
                _ => None,
            };
            let next_play = match moved {
                Some(true) => run.next_play(),
                _ => None,
            };
            match (moved, next_play) {
                (None, _) => {}
                (Some(_), Some(p)) => *play = p,
                (Some(_), None) => {
                    active.0 = None;
                    next.set(Screen::Exercise);
                    return;
                }
            }
            continue;
        }
        if let Some(screen) = apply(*a, play) {
            if screen == Screen::Report {
                let data = ReportData::from_play(play);
                // Previews from a jumped-to point are not practice sessions.
                // Only a finished conversation counts toward the best score.
                if play.session.preview_start().is_none()
                    && data.score.complete
                    && let Err(e) = progress.record(&paths, &data.scenario.id, data.score.overall)
                {
                    warn!("cannot save progress: {e}");
                }
                report.0 = Some(data);
            }
            next.set(screen);
        }
    }
}

/// Leaves a screen that has nothing to show (the session just finished an exercise, time
/// ran out, a report or client is gone): the exercise's page when an exercise is open, else
/// the library. The one place for this fallback; it runs after the screens' actions, so a
/// screen they chose is kept, and the drawing systems never change the screen themselves.
pub fn leave_empty_screen(
    screen: Res<State<Screen>>,
    active: Res<ActiveSession>,
    selected: Res<super::Selected>,
    report: Res<Report>,
    exercise: Res<ActiveExercise>,
    mut next: ResMut<NextState<Screen>>,
) {
    let empty = match screen.get() {
        Screen::Session => active.0.is_none(),
        Screen::Briefing => selected.0.is_none(),
        Screen::Report => report.0.is_none(),
        Screen::Exercise => exercise.0.is_none(),
        Screen::Library | Screen::Settings => false,
    };
    if empty && matches!(*next, NextState::Unchanged) {
        next.set(if exercise.0.is_some() {
            Screen::Exercise
        } else {
            Screen::Library
        });
    }
}

/// The session logic without any drawing (used by tests and by [`plugin`]).
pub fn logic_plugin(app: &mut App) {
    app.init_resource::<ActiveExercise>();
    app.init_resource::<ReloadNotice>();
    app.add_message::<SessionAction>();
    app.add_systems(
        Update,
        (handle_session_actions, leave_empty_screen)
            .chain()
            .after(super::briefing::handle_briefing_actions)
            .after(super::exercise_screen::handle_exercise_actions),
    );
}

/// Registers the session screen.
pub fn plugin(app: &mut App) {
    logic_plugin(app);
    app.add_systems(
        EguiPrimaryContextPass,
        session_system
            .run_if(in_state(Screen::Session))
            .in_set(ScreenUi),
    );
}
