//! The class-server screen (`gui --join URL`): the join code, each client's briefing and the
//! attempt's result, as the [`ClassPage`] sub-state; the conversations themselves are on the
//! session screen. The pages only draw and send [`ClassAction`]s; `flow.rs` sends the steps
//! to the server through [`ClassRun`].

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui::RichText;

use crate::app::class::ClassRun;
use crate::app::settings::Settings;
use crate::app::state::ClassPage;
use crate::app::theme::{self, HeaderClick, Palette, ScreenUi, header, palette, show_page};

/// What the student did on a class-server page.
#[derive(Message, Debug, Clone, PartialEq, Eq)]
pub enum ClassAction {
    /// Join with this code.
    Join(String),
    /// Back into the conversation in progress (or its briefing).
    Continue,
    /// The briefing is read: start the conversation.
    Start,
    /// Send the step that could not reach the server again.
    Retry,
    /// Leave the server for the library.
    Library,
    /// Open settings.
    Settings,
}

/// The join code as typed.
#[derive(Resource, Default, Debug, Clone, PartialEq, Eq)]
pub struct JoinForm(pub String);

fn mode_text(mode: &str) -> &'static str {
    if mode == "practice" {
        "Practice: feedback after every reply; you may take a reply back"
    } else {
        "Assessment: no hints or take-backs; your instructor sees the result"
    }
}

/// The header and the banners every page starts with; the page's body is `add`.
fn class_page(
    ui: &mut egui::Ui,
    run: &ClassRun,
    p: &Palette,
    add: impl FnOnce(&mut egui::Ui) -> Option<ClassAction>,
) -> Option<ClassAction> {
    let title = run
        .state
        .as_ref()
        .map_or("Class exercise", |s| s.exercise.title.as_str());
    let mut action = match header(ui, "‹ Library", title, &run.server, None, p) {
        Some(HeaderClick::Back) => Some(ClassAction::Library),
        Some(HeaderClick::Settings) => Some(ClassAction::Settings),
        _ => None,
    };
    ui.add_space(6.0);
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.set_max_width(880.0);
            if let Some(c) = run.connection() {
                theme::message_banner(ui, p, p.bad, &c, |_| {});
            }
            if let Some(m) = &run.problem {
                let retry = theme::message_banner(ui, p, p.bad, m, |ui| {
                    run.failed.is_some() && ui.button("Try again").clicked()
                });
                if retry {
                    action = Some(ClassAction::Retry);
                }
            }
            if let Some(a) = add(ui) {
                action = Some(a);
            }
            theme::keep_focus_in_view(ui);
        });
    action
}

fn busy_line(ui: &mut egui::Ui, run: &ClassRun, p: &Palette) {
    if let Some(step) = run.pending() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(RichText::new(step.doing()).strong().color(p.accent));
        });
    }
}

/// The join page: the code (or, once joined, where the attempt stands and "continue").
pub fn join_page(
    ui: &mut egui::Ui,
    run: &ClassRun,
    form: &mut JoinForm,
    p: &Palette,
) -> Option<ClassAction> {
    class_page(ui, run, p, |ui| {
        let mut action = None;
        theme::card(p).show(ui, |ui| {
            ui.set_width(ui.available_width());
            if let Some(st) = &run.state {
                ui.label(
                    RichText::new(format!(
                        "Joined as {} ({})",
                        st.student.name, st.student.id
                    ))
                    .strong(),
                );
                ui.label(mode_text(&st.exercise.mode));
                ui.label("Your replies are kept by the class server as you go.");
                if theme::primary_button(ui, p, "Continue the exercise (Enter)").clicked() {
                    action = Some(ClassAction::Continue);
                }
                if !ui.ctx().egui_wants_keyboard_input()
                    && ui.input(|i| i.key_pressed(egui::Key::Enter))
                {
                    action = Some(ClassAction::Continue);
                }
            } else {
                ui.label(RichText::new("Join your class exercise").strong());
                ui.label("Type the join code your instructor gave you.");
                let code = ui.add(
                    egui::TextEdit::singleline(&mut form.0)
                        .hint_text("e.g. K7QFA-2MXRB")
                        .desired_width(260.0)
                        .font(egui::TextStyle::Monospace),
                );
                // The cursor starts in the field, so typing works at once.
                let once = egui::Id::new("join-code-focused");
                if !ui.data(|d| d.get_temp::<bool>(once)).unwrap_or(false) {
                    code.request_focus();
                    ui.data_mut(|d| d.insert_temp(once, true));
                }
                let ready = !form.0.trim().is_empty() && run.pending().is_none();
                let join = ui
                    .add_enabled(
                        ready,
                        egui::Button::new(RichText::new("Join (Enter)").strong())
                            .fill(p.accent)
                            .min_size(egui::vec2(0.0, 38.0)),
                    )
                    .clicked();
                if join || (ready && ui.input(|i| i.key_pressed(egui::Key::Enter))) {
                    action = Some(ClassAction::Join(form.0.trim().to_string()));
                }
                ui.label(
                    RichText::new(
                        "If you have started before, the same code continues exactly where you left off.",
                    )
                    .small()
                    .color(p.muted),
                );
            }
            busy_line(ui, run, p);
            ui.label(
                RichText::new(format!("Class server: {}", run.server))
                    .small()
                    .color(p.muted),
            );
        });
        action
    })
}

/// The next client's briefing: who they are, and how the exercise runs.
pub fn briefing_page(ui: &mut egui::Ui, run: &ClassRun, p: &Palette) -> Option<ClassAction> {
    class_page(ui, run, p, |ui| {
        let mut action = None;
        let (Some(st), Some(c)) = (&run.state, &run.shown) else {
            return None;
        };
        if c.index == 0 && !st.exercise.instructions.trim().is_empty() {
            theme::card(p).show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.label(RichText::new("Instructions").strong());
                ui.label(st.exercise.instructions.trim());
            });
            ui.add_space(6.0);
        }
        theme::card(p).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(
                RichText::new(format!(
                    "Scenario {} of {}",
                    c.index + 1,
                    st.exercise.scenarios
                ))
                .small()
                .color(p.muted),
            );
            ui.heading(&c.client);
            ui.label(RichText::new(&c.title).strong());
            ui.add_space(4.0);
            ui.label(RichText::new("Why they are here").strong());
            ui.label(&c.situation);
            ui.add_space(4.0);
            ui.label(mode_text(&st.exercise.mode));
            let mut facts = vec![format!(
                "attempt {} of {}",
                st.exercise.attempt, st.exercise.attempts
            )];
            if let Some(left) = run.remaining_s() {
                facts.push(format!("{} min left", left.div_ceil(60)));
            }
            ui.label(RichText::new(facts.join(" · ")).color(p.muted));
            ui.add_space(4.0);
            if theme::primary_button(ui, p, "Start the conversation (Enter)").clicked() {
                action = Some(ClassAction::Start);
            }
        });
        if !ui.ctx().egui_wants_keyboard_input() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            action = Some(ClassAction::Start);
        }
        action
    })
}

/// The attempt's result, as the server computed it.
pub fn results_page(ui: &mut egui::Ui, run: &ClassRun, p: &Palette) -> Option<ClassAction> {
    class_page(ui, run, p, |ui| {
        let st = run.state.as_ref()?;
        if st.closed.as_deref() == Some("time_up") {
            ui.label(RichText::new("Time is up: the exercise has ended.").strong());
        }
        match &st.result {
            Some(r) => {
                let (verdict, colour) = if r.passed {
                    ("Exercise complete — passed", p.good)
                } else {
                    ("Exercise complete — not passed", p.bad)
                };
                theme::banner(p, colour).show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    ui.label(RichText::new(verdict).heading().color(colour));
                    ui.label(
                        RichText::new(format!("Total: {} / 100", theme::score_text(r.total)))
                            .strong(),
                    );
                    if r.late_replies > 0 {
                        ui.label(format!(
                            "{} repl{} came after the time limit.",
                            r.late_replies,
                            if r.late_replies == 1 { "y" } else { "ies" }
                        ));
                    }
                    ui.label(
                        RichText::new(format!(
                            "{} ({}): your result is kept by the class server; your instructor grades it from there.",
                            st.student.name, st.student.id
                        ))
                        .small()
                        .color(p.muted),
                    );
                });
            }
            None => {
                ui.label("The exercise is over.");
            }
        }
        None
    })
}

/// What the pages draw from.
#[derive(SystemParam)]
struct PageData<'w> {
    settings: Res<'w, Settings>,
    run: Res<'w, ClassRun>,
    page: Res<'w, State<ClassPage>>,
}

fn class_system(
    mut contexts: EguiContexts,
    data: PageData,
    mut form: ResMut<JoinForm>,
    mut actions: MessageWriter<ClassAction>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let p = palette(&data.settings);
    let run = &data.run;
    let action = show_page(ctx, &p, |ui| match data.page.get() {
        ClassPage::Join => join_page(ui, run, &mut form, &p),
        ClassPage::Briefing => briefing_page(ui, run, &p),
        ClassPage::Results => results_page(ui, run, &p),
    });
    if let Some(a) = action {
        actions.write(a);
        ctx.request_repaint();
    }
    Ok(())
}

/// Registers the class-server pages.
pub fn plugin(app: &mut App) {
    app.init_resource::<JoinForm>();
    app.add_systems(
        EguiPrimaryContextPass,
        class_system
            .run_if(resource_exists::<ClassRun>)
            .run_if(resource_exists::<State<ClassPage>>)
            .in_set(ScreenUi),
    );
}
