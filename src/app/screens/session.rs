//! The conversation: the client's face, the chat, and the replies as large buttons with
//! number-key shortcuts. Practice mode adds live meters and a feedback card after each reply.
//! The screen only reads the session; what the trainee does goes to the flow as
//! [`SessionAction`]s.

mod chat;
pub mod guard;
mod instructor;
mod replies;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use changetalk_core::engine::model::ClientState;
use egui::RichText;

pub use crate::app::conversation::Conversation;
pub use chat::{chat_ui, feedback_card, meters_ui};
pub use guard::PendingExit;
pub use instructor::instructor_bar;
pub use replies::{confirm_id, gate_leave, reply_ui};

use crate::app::class::ClassRun;
use crate::app::exercise::ExerciseRun;
use crate::app::hot_reload::{self, ReloadNotice};
use crate::app::settings::Settings;
use crate::app::state::{Catalog, FaceArea, Mode, Play, Screen};
use crate::app::theme::{self, HeaderClick, ScreenUi, header, palette, root_ui};

/// What the trainee did during the session.
#[derive(Message, Debug, Clone, PartialEq, Eq)]
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
    /// A class server's exercise: send the step that could not reach the server again.
    Retry,
    /// Reply in the trainee's own words.
    Say(String),
    /// The typed reply meant option `n` (as displayed): the coder was unsure between two.
    Meant(usize),
    /// Withdraw the typed reply the coder was unsure about (to rephrase it).
    Unsay,
}

impl SessionAction {
    /// Actions that answer the decision on screen (a reply, a take-back, ending, opening the
    /// report): each is accepted once per decision (see [`guard`]).
    pub fn changes_decision(&self) -> bool {
        matches!(
            self,
            SessionAction::Choose(_)
                | SessionAction::Rewind
                | SessionAction::End
                | SessionAction::ShowReport
                | SessionAction::Back
                | SessionAction::Say(_)
                | SessionAction::Meant(_)
        )
    }

    /// Instructor mode's tools (never in a classroom exercise).
    pub fn is_instructor_tool(&self) -> bool {
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
    /// Not every reply fits: the list scrolls, and the prompt above it says so.
    pub more_below: bool,
    /// Offer "Say it in your own words" under the options.
    pub free_text: bool,
    /// A typed reply the coder was unsure about: which of two options was meant.
    pub which: Option<WhichDidYouMean>,
}

/// "Which did you mean?": a typed reply and the two scripted replies nearest to it.
#[derive(Debug, Clone, PartialEq)]
pub struct WhichDidYouMean {
    /// What the trainee typed.
    pub text: String,
    /// How it was coded (practice only).
    pub coded_as: Option<String>,
    /// The two nearest options: number as displayed, and text.
    pub options: Vec<(usize, String)>,
}

impl ReplyView {
    /// A trainee's view in `mode`.
    pub fn new(mode: Mode) -> ReplyView {
        ReplyView {
            mode,
            instructor: false,
            finish_label: "See your report".to_string(),
            confirm_end: false,
            more_below: false,
            free_text: false,
            which: None,
        }
    }
}

/// What the session screen draws from.
#[derive(SystemParam)]
struct SessionData<'w> {
    settings: Res<'w, Settings>,
    play: Option<Res<'w, Play>>,
    class: Option<Res<'w, ClassRun>>,
    exercise: Option<Res<'w, ExerciseRun>>,
    catalog: Res<'w, Catalog>,
    notice: Res<'w, ReloadNotice>,
}

/// Draws the session; it only reads it — changes go through [`SessionAction`] messages.
fn session_system(
    mut contexts: EguiContexts,
    data: SessionData,
    mut area: ResMut<FaceArea>,
    mut actions: MessageWriter<SessionAction>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let SessionData {
        settings,
        play,
        class,
        exercise,
        catalog,
        notice,
    } = &data;
    // A conversation played here, or one held by a class server.
    let (play, class) = match (play.as_deref(), class.as_deref()) {
        (Some(play), _) => (Some(play), None),
        (None, Some(class)) => match &class.shown {
            Some(shown) => (None, Some((class, shown))),
            None => return Ok(()),
        },
        (None, None) => return Ok(()),
    };
    let conversation: &dyn Conversation = match (play, class) {
        (Some(play), _) => &play.session,
        (None, Some((_, shown))) => shown,
        (None, None) => return Ok(()),
    };
    let p = palette(settings);
    let mut root = root_ui(ctx);
    let mut action = None;
    let mode = match (play, class) {
        (Some(play), _) => play.mode,
        (None, Some((class, _))) => class.mode(),
        (None, None) => Mode::Practice,
    };
    let in_exercise = play.and_then(|play| play.exercise.zip(exercise.as_deref()));
    // Leaving keeps everything in an exercise (here or on a server); a free session asks.
    let keeps_progress = in_exercise.is_some() || class.is_some();
    let mut view = ReplyView::new(mode);
    // Instructor tools belong to practice: never in an assessment or an exercise.
    let tools_allowed = !keeps_progress && mode == Mode::Practice;
    view.instructor = settings.instructor_mode && tools_allowed;
    // Ending a conversation before an ending always asks first (it scores as incomplete).
    view.confirm_end = true;
    // Typed replies: in free sessions, and in exercises whose file pins a coder (not yet in
    // exercises on a class server).
    // Not yet in courses: a course is saved and resumed by its scripted replies.
    let typed_allowed = match (play, in_exercise) {
        (Some(play), None) => class.is_none() && play.course.is_none(),
        (Some(_), Some((_, run))) => run.allows_free_text(),
        _ => false,
    };
    if let Some(play) = play.filter(|_| typed_allowed) {
        view.free_text = true;
        view.which = play.pending_typed.as_ref().map(|u| WhichDidYouMean {
            text: u.reply.text.clone(),
            coded_as: (mode == Mode::Practice).then(|| u.coded_as()),
            options: u
                .two_nearest()
                .into_iter()
                .filter_map(|n| {
                    let o = play.session.current_options();
                    o.get(n - 1).map(|o| (n, o.text.clone()))
                })
                .collect(),
        });
    }
    if let Some((i, run)) = in_exercise {
        view.finish_label = if i + 1 < run.len() {
            "Next client".to_string()
        } else {
            "Finish the exercise".to_string()
        };
    }
    if let Some((class, shown)) = class {
        let total = class.state.as_ref().map_or(0, |s| s.exercise.scenarios);
        view.finish_label = if shown.index + 1 < total {
            "Next client".to_string()
        } else {
            "Finish the exercise".to_string()
        };
    }
    let (title, problems) = match (play, class) {
        (Some(play), _) => {
            let scenario = play.session.scenario();
            (
                scenario.title.clone(),
                hot_reload::file_problems(&catalog.0, scenario),
            )
        }
        (None, Some((_, shown))) => (shown.title.clone(), None),
        (None, None) => return Ok(()),
    };
    egui::Panel::top("session-top")
        .frame(
            egui::Frame::new()
                .fill(p.panel)
                .inner_margin(egui::Margin::symmetric(14, 8)),
        )
        .show(&mut root, |ui| {
            let mode = mode.name();
            let (back_label, subtitle) = match (in_exercise, class) {
                (Some((i, run)), _) => ("‹ Exercise", format!("{mode} · {}", run.status(i))),
                (None, Some((class, shown))) => ("‹ Exercise", class_status(class, shown, mode)),
                (None, None) => match play.and_then(|p| p.course.as_ref()) {
                    Some(c) => ("‹ Library", format!("{mode} · {}", c.label())),
                    None => ("‹ Library", mode.to_string()),
                },
            };
            let toggle = tools_allowed.then_some(view.instructor);
            match header(ui, back_label, &title, &subtitle, toggle, &p) {
                // In an exercise "‹ Exercise" keeps everything; elsewhere leaving asks first.
                Some(HeaderClick::Back) if keeps_progress || gate_leave(ui.ctx(), conversation) => {
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
            if let Some((class, _)) = class {
                class_problems(ui, class, &p, &mut action);
            }
            if let Some((entry, errors)) = problems {
                theme::file_errors_banner(ui, &entry.origin.display_name(), errors, &p);
            }
            if !keeps_progress && let Some(n) = &notice.0 {
                n.show(ui, if n.problem { p.bad } else { p.muted });
            }
        });
    let width = theme::text_column_width(&root, 0.58, 430.0);
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
                    chat_ui(ui, conversation, mode, label_pending, &p)
                });
            ui.add_space(6.0);
            let mut needed = reply_h;
            let more_id = ui.id().with("more-replies-below");
            view.more_below = ui.data(|d| d.get_temp(more_id)).unwrap_or(false);
            let replies = egui::ScrollArea::vertical()
                .id_salt("replies")
                .auto_shrink([false, true])
                .max_height(max_reply)
                .show(ui, |ui| {
                    let top = ui.min_rect().top();
                    match reply_ui(ui, conversation, &view, &p) {
                        // Esc or "Yes, leave": in an exercise "‹ Exercise" keeps everything;
                        // elsewhere leaving mid-conversation asks first.
                        Some(SessionAction::Back)
                            if !keeps_progress && !gate_leave(ui.ctx(), conversation) => {}
                        Some(a) => action = Some(a),
                        None => {}
                    }
                    needed = (ui.min_rect().bottom() - top + 4.0).min(max_reply);
                    theme::keep_focus_in_view(ui);
                });
            // When not every reply fits, the prompt above them says so (next frame).
            let hidden =
                replies.content_size.y - replies.inner_rect.height() - replies.state.offset.y;
            if (hidden > 8.0) != view.more_below {
                ui.data_mut(|d| d.insert_temp(more_id, hidden > 8.0));
                ui.ctx().request_repaint();
            }
            if (needed - prev).abs() > 1.0 {
                ui.data_mut(|d| d.insert_temp(id, needed));
                ui.ctx().request_repaint();
            }
        });
    // The meters need the engine: a conversation on a server shows none.
    let meters = conversation
        .engine()
        .filter(|_| mode == Mode::Practice || view.instructor);
    let face_rect = egui::CentralPanel::no_frame()
        .show(&mut root, |ui| {
            // The face is drawn by Bevy; a screen reader gets it as a described image.
            if let Some(mood) = conversation.mood() {
                let name = conversation.client_name().to_string();
                ui.ctx()
                    .accesskit_node_builder(ui.id().with("client-face"), |n| {
                        n.set_role(egui::accesskit::Role::Image);
                        n.set_label(format!("{name}'s face: {}", mood.name().to_lowercase()));
                    });
            }
            // A course: the change plan as remembered so far, to follow up on.
            if let Some(play) = play.filter(|p| p.course.is_some()) {
                let plan = crate::app::course::plan_card(
                    play.session.memory(),
                    &play.session.scenario().persona.name,
                );
                if !plan.is_empty() {
                    egui::Panel::top("session-plan")
                        .resizable(false)
                        .frame(egui::Frame::new().inner_margin(egui::Margin::same(12)))
                        .show(ui, |ui| theme::plan_card(ui, &p, &plan));
                }
            }
            if let Some(session) = meters {
                egui::Panel::bottom("session-meters")
                    .resizable(false)
                    .frame(egui::Frame::new().inner_margin(egui::Margin::same(12)))
                    .show(ui, |ui| meters_ui(ui, session, &p));
            }
            ui.available_rect_before_wrap()
        })
        .inner;
    if area.0 != face_rect {
        area.0 = face_rect;
    }
    if let Some(a) = action {
        actions.write(a);
        ctx.request_repaint();
    }
    Ok(())
}

/// The header's line for a conversation on a class server: mode, which client, the clock.
fn class_status(
    class: &ClassRun,
    shown: &crate::app::class::ServerConversation,
    mode: &str,
) -> String {
    let Some(state) = &class.state else {
        return mode.to_string();
    };
    let mut s = format!(
        "{mode} · class server · scenario {} of {} · {}",
        shown.index + 1,
        state.exercise.scenarios,
        state.student.name
    );
    if let Some(left) = class.remaining_s() {
        s.push_str(&format!(" · {} min left", left.div_ceil(60)));
    }
    s
}

/// A class server's trouble: a dropped connection being retried, or a step that failed (with
/// "Try again").
fn class_problems(
    ui: &mut egui::Ui,
    class: &ClassRun,
    p: &theme::Palette,
    action: &mut Option<SessionAction>,
) {
    if let Some(c) = class.connection() {
        ui.label(RichText::new(c).color(p.bad));
    }
    if let Some(m) = &class.problem {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(m).color(p.bad));
            if class.failed.is_some() && ui.button("Try again").clicked() {
                *action = Some(SessionAction::Retry);
            }
        });
    }
}

/// Registers the session screen.
pub fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        session_system
            .run_if(in_state(Screen::Session))
            .run_if(resource_exists::<Play>.or_else(resource_exists::<ClassRun>))
            .in_set(ScreenUi),
    );
}
