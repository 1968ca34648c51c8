//! The briefing: who the client is, what to practise, and practice or assessment. In a
//! classroom exercise each client's briefing comes before its conversation, with one way to
//! start: the exercise fixes the mode.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use changetalk_core::Scenario;
use egui::RichText;

use crate::app::course::CourseView;
use crate::app::course_views::CourseViews;
use crate::app::exercise::ExerciseRun;
use crate::app::hot_reload;
use crate::app::screens::session::guard::settled;
use crate::app::settings::Settings;
use crate::app::state::{Catalog, FaceArea, Mode, Play, Screen, Selected};
use crate::app::theme::{self, HeaderClick, Palette, ScreenUi, header, palette, root_ui};

/// What the trainee chose on the briefing.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub enum BriefingAction {
    /// Back to the library.
    Back,
    /// Open settings.
    Settings,
    /// Start a session in this mode (in an exercise: start the conversation, in the
    /// exercise's mode).
    Start(Mode),
}

/// The details column: who the client is and what to practise; for a course, first which
/// session comes next, its scene and the plan to follow up on.
pub fn briefing_ui(ui: &mut egui::Ui, s: &Scenario, course: Option<&CourseView>, p: &Palette) {
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            if let Some(c) = course {
                course_ui(ui, s, c, p);
            }
            let persona = &s.persona;
            let who = if persona.pronouns.is_empty() {
                format!("{}, {}", persona.name, persona.age)
            } else {
                format!("{}, {} ({})", persona.name, persona.age, persona.pronouns)
            };
            ui.heading(who);
            theme::scenario_chips(ui, p, s);
            ui.add_space(4.0);
            ui.label(RichText::new("Why they are here").strong());
            ui.label(&persona.situation);
            ui.label(RichText::new("Background").strong());
            ui.label(&persona.background);
            if !s.objectives.is_empty() {
                ui.label(RichText::new("What you will practise").strong());
                for o in &s.objectives {
                    ui.label(format!("•  {o}"));
                }
            }
            theme::keep_focus_in_view(ui);
        });
}

/// Where the course stands: the next session, its scene, the plan so far; or how it ended
/// (starting again begins a new course).
fn course_ui(ui: &mut egui::Ui, s: &Scenario, c: &CourseView, p: &Palette) {
    theme::card(p).show(ui, |ui| {
        ui.set_width(ui.available_width());
        match &c.ended {
            Some(end) => {
                ui.label(RichText::new(format!("A course of {} sessions", c.total)).strong());
                ui.label(RichText::new(end).color(p.muted));
                ui.label("Starting begins the course again, from the first session.");
            }
            None => {
                let what = if c.replies > 0 { "Continue" } else { "Next" };
                ui.label(
                    RichText::new(format!(
                        "{what}: session {} of {} — {}",
                        c.number, c.total, c.title
                    ))
                    .strong(),
                );
                if let Some(intro) = &c.intro {
                    ui.label(intro);
                }
                if c.replies > 0 {
                    ui.label(
                        RichText::new(format!(
                            "You have given {} in this session; it goes on from there.",
                            theme::count(c.replies, "reply", "replies")
                        ))
                        .color(p.muted),
                    );
                } else if c.number == 1 {
                    ui.label(
                        RichText::new(format!(
                            "{} comes back for {} more session{} after this one; what you agree is remembered.",
                            s.persona.name,
                            c.total - 1,
                            if c.total == 2 { "" } else { "s" }
                        ))
                        .color(p.muted),
                    );
                }
            }
        }
    });
    if c.ended.is_none() && !c.plan.is_empty() {
        ui.add_space(4.0);
        theme::plan_card(ui, p, &c.plan);
    }
    ui.add_space(6.0);
}

/// The two ways to start, always visible under the details: side by side when there is
/// room for both, one above the other with large text or a narrow window.
pub fn start_ui(ui: &mut egui::Ui, p: &Palette) -> Option<BriefingAction> {
    let mut action = None;
    let practice = (
        "Practice",
        "Live meters, feedback after every reply, and \"try another reply\".",
        "Start practice (P)",
        true,
        Mode::Practice,
    );
    let assessment = (
        "Assessment",
        "No hints or taking back; feedback in the report at the end.",
        "Start assessment (A)",
        false,
        Mode::Assessment,
    );
    let em = ui.style().text_styles[&egui::TextStyle::Body].size;
    if ui.available_width() >= 30.0 * em {
        ui.columns(2, |cols| {
            for (col, (title, text, button, primary, mode)) in
                cols.iter_mut().zip([practice, assessment])
            {
                if mode_card(col, p, title, text, button, primary) {
                    action = Some(BriefingAction::Start(mode));
                }
            }
        });
    } else {
        // Narrow: one compact card, so the briefing above keeps most of the height.
        theme::card(p).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
                ui.horizontal_wrapped(|ui| {
                    if theme::primary_button(ui, p, practice.2).clicked() {
                        action = Some(BriefingAction::Start(Mode::Practice));
                    }
                    if ui
                        .add(
                            egui::Button::new(RichText::new(assessment.2).strong())
                                .min_size(egui::vec2(0.0, 38.0)),
                        )
                        .clicked()
                    {
                        action = Some(BriefingAction::Start(Mode::Assessment));
                    }
                });
                ui.label(
                    RichText::new(format!(
                        "{}: {} {}: {}",
                        practice.0, practice.1, assessment.0, assessment.1
                    ))
                    .small(),
                );
            });
        });
    }
    ui.input(|i| {
        if i.key_pressed(egui::Key::P) {
            action = Some(BriefingAction::Start(Mode::Practice));
        } else if i.key_pressed(egui::Key::A) {
            action = Some(BriefingAction::Start(Mode::Assessment));
        } else if i.key_pressed(egui::Key::Escape) {
            action = Some(BriefingAction::Back);
        }
    });
    action
}

/// One way to start: its name, what it means, and its button; true when pressed. Its text is
/// laid out ragged-right (a justified column stretches the letters apart).
fn mode_card(
    ui: &mut egui::Ui,
    p: &Palette,
    title: &str,
    text: &str,
    button: &str,
    primary: bool,
) -> bool {
    theme::card(p)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
                ui.label(RichText::new(title).strong());
                ui.label(RichText::new(text).small());
                if primary {
                    theme::primary_button(ui, p, button).clicked()
                } else {
                    ui.add(
                        egui::Button::new(RichText::new(button).strong())
                            .min_size(egui::vec2(0.0, 38.0)),
                    )
                    .clicked()
                }
            })
            .inner
        })
        .inner
}

/// An exercise's way to start, under the details: the mode the exercise fixes, and one
/// button (Enter); Esc goes back to the exercise page. A start that comes before the briefing
/// has been on screen for a moment (the second Enter of a double Enter on the sign-in page or
/// at the end of the last conversation) is ignored, so the briefing is never skipped unseen.
pub fn exercise_start_ui(
    ui: &mut egui::Ui,
    mode: Mode,
    next: &str,
    p: &Palette,
) -> Option<BriefingAction> {
    let mut action = None;
    let ready = settled(ui, egui::Id::new(("exercise-briefing", next)));
    theme::card(p).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new(next).strong());
        ui.label(
            RichText::new(match mode {
                Mode::Assessment => {
                    "Assessment: no hints or taking back; feedback at the end of the exercise."
                }
                Mode::Practice => {
                    "Practice: feedback after every reply; you may take a reply back."
                }
            })
            .small(),
        );
        if theme::primary_button(ui, p, "Start the conversation (Enter)").clicked() && ready {
            action = Some(BriefingAction::Start(mode));
        }
    });
    if !ui.ctx().egui_wants_keyboard_input() {
        ui.input(|i| {
            if i.key_pressed(egui::Key::Enter) {
                if ready {
                    action = Some(BriefingAction::Start(mode));
                }
            } else if i.key_pressed(egui::Key::Escape) {
                action = Some(BriefingAction::Back);
            }
        });
    }
    action
}

/// What the briefing draws from.
#[derive(SystemParam)]
struct BriefingData<'w> {
    selected: Res<'w, Selected>,
    catalog: Res<'w, Catalog>,
    settings: Res<'w, Settings>,
    play: Option<Res<'w, Play>>,
    exercise: Option<Res<'w, ExerciseRun>>,
    courses: Res<'w, CourseViews>,
}

fn briefing_system(
    mut contexts: EguiContexts,
    data: BriefingData,
    mut area: ResMut<FaceArea>,
    mut actions: MessageWriter<BriefingAction>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let p = palette(&data.settings);
    // An exercise's next client: its conversation is ready, in the exercise's mode.
    let in_exercise = data
        .play
        .as_deref()
        .and_then(|play| Some((play, play.exercise?, data.exercise.as_deref()?)));
    let scenario = match in_exercise {
        Some((play, ..)) => play.session.scenario(),
        None => &data.selected.0,
    };
    let mut root = root_ui(ctx);
    let mut action = None;
    egui::Panel::top("briefing-top")
        .frame(
            egui::Frame::new()
                .fill(p.panel)
                .inner_margin(egui::Margin::symmetric(14, 8)),
        )
        .show(&mut root, |ui| {
            let (back, subtitle) = match in_exercise {
                Some((play, i, run)) => (
                    "‹ Exercise",
                    format!("Briefing · {} · {}", play.mode.name(), run.status(i)),
                ),
                None => ("‹ Library", "Briefing".to_string()),
            };
            match header(ui, back, &scenario.title, &subtitle, None, &p) {
                Some(HeaderClick::Back) => action = Some(BriefingAction::Back),
                Some(HeaderClick::Settings) => action = Some(BriefingAction::Settings),
                _ => {}
            }
            if let Some((entry, errors)) = hot_reload::file_problems(&data.catalog.0, scenario) {
                theme::file_errors_banner(ui, &entry.origin.display_name(), errors, &p);
            }
        });
    let width = theme::text_column_width(&root, 0.56, 420.0);
    egui::Panel::right("briefing-details")
        .exact_size(width)
        .resizable(false)
        .frame(
            egui::Frame::new()
                .fill(p.bg)
                .inner_margin(egui::Margin::same(16)),
        )
        .show(&mut root, |ui| {
            egui::Panel::bottom("briefing-start")
                .resizable(false)
                .frame(egui::Frame::new().inner_margin(egui::Margin::symmetric(0, 8)))
                .show(ui, |ui| {
                    let started = match in_exercise {
                        Some((play, i, run)) => {
                            let next = format!(
                                "Client {} of {}: {}",
                                i + 1,
                                run.len(),
                                scenario.persona.name
                            );
                            exercise_start_ui(ui, play.mode, &next, &p)
                        }
                        None => start_ui(ui, &p),
                    };
                    if let Some(a) = started {
                        action = Some(a);
                    }
                });
            // A course (not in an exercise): where the trainee is in it.
            let course = data
                .courses
                .get(&data.catalog.0, scenario)
                .filter(|_| in_exercise.is_none());
            egui::CentralPanel::no_frame().show(ui, |ui| briefing_ui(ui, scenario, course, &p));
        });
    let face = egui::CentralPanel::no_frame()
        .show(&mut root, |ui| ui.max_rect())
        .inner;
    if area.0 != face {
        area.0 = face;
    }
    if let Some(a) = action {
        actions.write(a);
        ctx.request_repaint();
    }
    Ok(())
}

/// Registers the briefing screen.
pub fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        briefing_system
            .run_if(in_state(Screen::Briefing))
            .run_if(resource_exists::<Selected>)
            .in_set(ScreenUi),
    );
}
