//! The exercise screen: its sign-in page (instructions, the clients in order, the student's
//! name and id) and its results page, as the [`ExercisePage`] sub-state. The pages only draw
//! and send [`ExerciseAction`]s; `flow.rs` starts, continues and closes the exercise.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use changetalk_core::classroom::exercise::ExerciseMode;
use egui::RichText;

use crate::app::exercise::{ExerciseRun, NameConflict, WhichName};
use crate::app::settings::Settings;
use crate::app::state::ExercisePage;
use crate::app::theme::{self, HeaderClick, Palette, ScreenUi, header, palette, show_page};

/// What the student did on the exercise page.
#[derive(Message, Debug, Clone, PartialEq, Eq)]
pub enum ExerciseAction {
    /// Start, or resume, the attempt of the student with this name and id.
    SignIn {
        /// The name as typed.
        name: String,
        /// The id as typed.
        id: String,
    },
    /// Continue the attempt signed in to.
    Continue,
    /// Continue saved progress found under another name, under this name.
    UseName(WhichName),
    /// The saved progress found is not this student's: back to the form.
    NotMe,
    /// Open scenario `i`'s report (finished exercises).
    ViewReport(usize),
    /// Close the exercise and go to the library.
    Library,
    /// Open settings.
    Settings,
}

/// The name and id typed on the sign-in page.
#[derive(Resource, Default, Debug, Clone, PartialEq, Eq)]
pub struct SignInForm {
    /// The student's name.
    pub name: String,
    /// The student's id.
    pub id: String,
}

fn mode_text(mode: ExerciseMode) -> &'static str {
    match mode {
        ExerciseMode::Assessment => "Assessment: no hints or take-backs; feedback at the end",
        ExerciseMode::Practice => "Practice: feedback after every reply; you may take a reply back",
    }
}

/// The header and the problem and news banners every exercise page starts with; the page's
/// body is `add`. Returns the action chosen.
fn exercise_page(
    ui: &mut egui::Ui,
    run: &ExerciseRun,
    p: &Palette,
    add: impl FnOnce(&mut egui::Ui) -> Option<ExerciseAction>,
) -> Option<ExerciseAction> {
    let mut action = match header(
        ui,
        "‹ Library",
        &run.loaded.exercise.title,
        "Classroom exercise",
        None,
        p,
    ) {
        Some(HeaderClick::Back) => Some(ExerciseAction::Library),
        Some(HeaderClick::Settings) => Some(ExerciseAction::Settings),
        _ => None,
    };
    ui.add_space(6.0);
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.set_max_width(880.0);
            for (text, colour) in [(&run.message, p.bad), (&run.notice, p.accent)] {
                if let Some(text) = text {
                    theme::message_banner(ui, p, colour, text, |_| {});
                }
            }
            if let Some(a) = add(ui) {
                action = Some(a);
            }
            theme::keep_focus_in_view(ui);
        });
    action
}

/// The sign-in page: the instructions, the clients in order and the student's name and id
/// (or "continue" once signed in).
pub fn sign_in_page(
    ui: &mut egui::Ui,
    run: &ExerciseRun,
    form: &mut SignInForm,
    p: &Palette,
) -> Option<ExerciseAction> {
    exercise_page(ui, run, p, |ui| {
        about_ui(ui, run, p);
        ui.add_space(8.0);
        sign_in_ui(ui, run, form, p)
    })
}

/// The results page: the verdict, each client's score against the criteria, and where the
/// result file is.
pub fn results_page(ui: &mut egui::Ui, run: &ExerciseRun, p: &Palette) -> Option<ExerciseAction> {
    exercise_page(ui, run, p, |ui| results_ui(ui, run, p))
}

fn about_ui(ui: &mut egui::Ui, run: &ExerciseRun, p: &Palette) {
    let ex = &run.loaded.exercise;
    theme::card(p).show(ui, |ui| {
        ui.set_width(ui.available_width());
        if !ex.instructions.trim().is_empty() {
            ui.label(RichText::new("Instructions").strong());
            ui.label(ex.instructions.trim());
            ui.add_space(4.0);
        }
        ui.label(RichText::new("Clients, in order").strong());
        for (i, s) in run.loaded.scenarios.iter().enumerate() {
            ui.label(format!(
                "{}.  {} — {}, {}",
                i + 1,
                s.title,
                s.persona.name,
                s.persona.age
            ));
        }
        ui.add_space(4.0);
        ui.label(mode_text(ex.mode));
        let mut facts = vec![format!(
            "To pass: overall at least {}",
            changetalk_core::classroom::exercise::trim_num(ex.pass.overall)
        )];
        facts.push(format!(
            "{} attempt{}",
            ex.attempts,
            if ex.attempts == 1 { "" } else { "s" }
        ));
        if let Some(t) = ex.time_limit_minutes {
            facts.push(format!("{t}-minute time limit"));
        }
        ui.label(RichText::new(facts.join(" · ")).color(p.muted));
    });
}

fn sign_in_ui(
    ui: &mut egui::Ui,
    run: &ExerciseRun,
    form: &mut SignInForm,
    p: &Palette,
) -> Option<ExerciseAction> {
    let mut action = None;
    let sign_in = |form: &SignInForm| ExerciseAction::SignIn {
        name: form.name.clone(),
        id: form.id.clone(),
    };
    if let Some(c) = &run.conflict {
        return name_question_ui(ui, c, p);
    }
    theme::card(p).show(ui, |ui| {
        ui.set_width(ui.available_width());
        if let Some(a) = &run.attempt {
            ui.label(
                RichText::new(format!(
                    "Signed in as {} ({})",
                    a.record.student.name, a.record.student.id
                ))
                .strong(),
            );
            ui.label("Your progress is saved after every reply.");
            if theme::primary_button(ui, p, "Continue the exercise (Enter)").clicked() {
                action = Some(ExerciseAction::Continue);
            }
        } else {
            ui.label(RichText::new("Who is taking this exercise?").strong());
            egui::Grid::new("student-form")
                .num_columns(2)
                .spacing([12.0, 8.0])
                .show(ui, |ui| {
                    ui.label("Your name");
                    let name = ui.add(
                        egui::TextEdit::singleline(&mut form.name)
                            .hint_text("as your instructor knows you")
                            .desired_width(320.0),
                    );
                    // The cursor starts in the name field, so typing works at once.
                    let once = egui::Id::new("exercise-name-focused");
                    if !ui.data(|d| d.get_temp::<bool>(once)).unwrap_or(false) {
                        name.request_focus();
                        ui.data_mut(|d| d.insert_temp(once, true));
                    }
                    ui.end_row();
                    ui.label("Student ID");
                    ui.add(
                        egui::TextEdit::singleline(&mut form.id)
                            .hint_text("student number or e-mail")
                            .desired_width(320.0),
                    );
                    ui.end_row();
                });
            ui.label(
                RichText::new(
                    "If you have started this exercise before, the same ID continues exactly where you left off.",
                )
                .small()
                .color(p.muted),
            );
            let ready = !form.name.trim().is_empty() && !form.id.trim().is_empty();
            if ui
                .add_enabled(
                    ready,
                    egui::Button::new(RichText::new("Start the exercise (Enter)").strong())
                        .fill(p.accent)
                        .min_size(egui::vec2(0.0, 38.0)),
                )
                .clicked()
            {
                action = Some(sign_in(form));
            }
            if ready && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                action = Some(sign_in(form));
            }
        }
        ui.label(
            RichText::new(format!("Results folder: {}", run.results_dir.display()))
                .small()
                .color(p.muted),
        );
    });
    if run.attempt.is_some()
        && !ui.ctx().egui_wants_keyboard_input()
        && ui.input(|i| i.key_pressed(egui::Key::Enter))
    {
        action = Some(ExerciseAction::Continue);
    }
    action
}

/// Saved progress under another name: which name goes into the result (the id is the key,
/// so the progress is continued either way), or "not me" for a mistyped id.
fn name_question_ui(ui: &mut egui::Ui, c: &NameConflict, p: &Palette) -> Option<ExerciseAction> {
    let mut action = None;
    theme::card(p).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new("Which name should your result carry?").strong());
        ui.label(format!(
            "Student ID {} already has saved progress in this exercise, started under the name \"{}\". You typed \"{}\".",
            c.id(),
            c.saved,
            c.typed
        ));
        ui.label(
            RichText::new(
                "Your instructor finds your result by your ID and sees the name you choose here. Your progress continues either way.",
            )
            .small()
            .color(p.muted),
        );
        ui.add_space(4.0);
        ui.horizontal_wrapped(|ui| {
            if theme::primary_button(ui, p, &format!("Continue as {}", c.saved)).clicked() {
                action = Some(ExerciseAction::UseName(WhichName::Saved));
            }
            if ui
                .add(
                    egui::Button::new(RichText::new(format!("Continue as {}", c.typed)).strong())
                        .min_size(egui::vec2(0.0, 38.0)),
                )
                .clicked()
            {
                action = Some(ExerciseAction::UseName(WhichName::Typed));
            }
            if ui
                .add(egui::Button::new("This is not my progress").min_size(egui::vec2(0.0, 38.0)))
                .on_hover_text("Go back and check your student ID")
                .clicked()
            {
                action = Some(ExerciseAction::NotMe);
            }
        });
    });
    action
}

fn results_ui(ui: &mut egui::Ui, run: &ExerciseRun, p: &Palette) -> Option<ExerciseAction> {
    let mut action = None;
    let Some(o) = &run.outcome else {
        return None;
    };
    let (verdict, colour) = if o.derived.passed {
        ("Exercise complete — passed", p.good)
    } else {
        ("Exercise complete — not passed", p.bad)
    };
    theme::banner(p, colour).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new(verdict).heading().color(colour));
        ui.label(
            RichText::new(format!(
                "Total: {} / 100",
                theme::score_text(o.derived.total)
            ))
            .strong(),
        );
        ui.label(
            RichText::new(format!(
                "Your result is saved in {}. Your instructor grades it from the replies you chose.",
                o.result_path.display()
            ))
            .small()
            .color(p.muted),
        );
    });
    ui.add_space(6.0);
    for (i, score) in o.derived.scores.iter().enumerate() {
        let s = &run.loaded.scenarios[i];
        let checks = &o.derived.checks[i];
        theme::card(p).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(format!("{}. {}", i + 1, s.title)).strong());
                ui.label(
                    RichText::new(format!("{}/100", theme::score_text(score.overall))).strong(),
                );
            });
            for c in checks {
                let colour = if c.met { p.good } else { p.bad };
                let value = c.value.map_or("no value".to_string(), |v| {
                    if c.criterion.starts_with("overall") {
                        theme::score_text(v)
                    } else {
                        changetalk_core::classroom::exercise::trim_num((v * 100.0).round() / 100.0)
                    }
                });
                ui.label(
                    RichText::new(format!(
                        "{} {} (yours: {value})",
                        if c.met { "✔" } else { "✘" },
                        c.criterion
                    ))
                    .color(colour),
                );
            }
            if ui
                .button(format!("See the report for {}", s.persona.name))
                .clicked()
            {
                action = Some(ExerciseAction::ViewReport(i));
            }
        });
        ui.add_space(4.0);
    }
    action
}

/// What the exercise pages draw from.
#[derive(SystemParam)]
struct PageData<'w> {
    settings: Res<'w, Settings>,
    run: Res<'w, ExerciseRun>,
}

fn sign_in_system(
    mut contexts: EguiContexts,
    data: PageData,
    mut form: ResMut<SignInForm>,
    mut actions: MessageWriter<ExerciseAction>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let p = palette(&data.settings);
    if let Some(a) = show_page(ctx, &p, |ui| sign_in_page(ui, &data.run, &mut form, &p)) {
        actions.write(a);
        ctx.request_repaint();
    }
    Ok(())
}

fn results_system(
    mut contexts: EguiContexts,
    data: PageData,
    mut actions: MessageWriter<ExerciseAction>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let p = palette(&data.settings);
    if let Some(a) = show_page(ctx, &p, |ui| results_page(ui, &data.run, &p)) {
        actions.write(a);
        ctx.request_repaint();
    }
    Ok(())
}

/// Registers the exercise screen's pages.
pub fn plugin(app: &mut App) {
    app.init_resource::<SignInForm>();
    app.add_systems(
        EguiPrimaryContextPass,
        (
            sign_in_system.run_if(in_state(ExercisePage::SignIn)),
            results_system.run_if(in_state(ExercisePage::Results)),
        )
            .run_if(resource_exists::<ExerciseRun>)
            .in_set(ScreenUi),
    );
}
