//! The briefing: who the client is, what to practise, and practice or assessment.

use std::sync::Arc;

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use changetalk_core::Scenario;
use egui::RichText;

use super::hot_reload;
use super::settings::Settings;
use super::settings_screen::{ReturnTo, open_settings};
use super::theme::{self, HeaderClick, Palette, header};
use super::{
    ActiveSession, Catalog, FaceArea, Mode, Play, Screen, ScreenUi, Selected, palette, root_ui,
};

/// What the trainee chose on the briefing.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub enum BriefingAction {
    /// Back to the library.
    Back,
    /// Open settings.
    Settings,
    /// Start a session in this mode.
    Start(Mode),
}

/// The details column: who the client is and what to practise.
pub fn briefing_ui(ui: &mut egui::Ui, s: &Scenario, p: &Palette) {
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
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
        });
}

/// The two ways to start, always visible under the details.
pub fn start_ui(ui: &mut egui::Ui, p: &Palette) -> Option<BriefingAction> {
    let mut action = None;
    ui.columns(2, |cols| {
        theme::card(p).show(&mut cols[0], |ui| {
            ui.label(RichText::new("Practice").strong());
            ui.label(
                RichText::new(
                    "Live meters, feedback after every reply, and \"try another reply\".",
                )
                .small(),
            );
            if theme::primary_button(ui, p, "Start practice (P)").clicked() {
                action = Some(BriefingAction::Start(Mode::Practice));
            }
        });
        theme::card(p).show(&mut cols[1], |ui| {
            ui.label(RichText::new("Assessment").strong());
            ui.label(
                RichText::new("No hints or taking back; feedback in the report at the end.")
                    .small(),
            );
            if ui
                .add(
                    egui::Button::new(RichText::new("Start assessment (A)").strong())
                        .min_size(egui::vec2(0.0, 38.0)),
                )
                .clicked()
            {
                action = Some(BriefingAction::Start(Mode::Assessment));
            }
        });
    });
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

fn briefing_system(
    mut contexts: EguiContexts,
    selected: Res<Selected>,
    catalog: Res<Catalog>,
    settings: Res<Settings>,
    mut area: ResMut<FaceArea>,
    mut actions: MessageWriter<BriefingAction>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let p = palette(&settings);
    let Some(scenario) = selected.0.clone() else {
        return Ok(()); // `leave_empty_screen` goes elsewhere
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
            match header(ui, "‹ Library", &scenario.title, "Briefing", None, &p) {
                Some(HeaderClick::Back) => action = Some(BriefingAction::Back),
                Some(HeaderClick::Settings) => action = Some(BriefingAction::Settings),
                _ => {}
            }
            if let Some((entry, errors)) = hot_reload::file_problems(&catalog.0, &scenario) {
                theme::file_errors_banner(ui, &entry.origin.display_name(), errors, &p);
            }
        });
    let width = (root.available_width() * 0.56).max(420.0);
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
                    if let Some(a) = start_ui(ui, &p) {
                        action = Some(a);
                    }
                });
            egui::CentralPanel::no_frame().show(ui, |ui| briefing_ui(ui, &scenario, &p));
        });
    let face = egui::CentralPanel::no_frame()
        .show(&mut root, |ui| ui.max_rect())
        .inner;
    if area.0 != Some(face) {
        area.0 = Some(face);
    }
    if let Some(a) = action {
        actions.write(a);
        ctx.request_repaint();
    }
    Ok(())
}

/// Seed for a free practice session: varies run to run (the transcript records it).
fn fresh_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
}

/// Starts sessions and navigates from the briefing.
pub fn handle_briefing_actions(
    mut actions: MessageReader<BriefingAction>,
    selected: Res<Selected>,
    mut active: ResMut<ActiveSession>,
    mut next: ResMut<NextState<Screen>>,
    mut ret: ResMut<ReturnTo>,
) {
    for a in actions.read() {
        match a {
            BriefingAction::Back => next.set(Screen::Library),
            BriefingAction::Settings => open_settings(Screen::Briefing, &mut ret, &mut next),
            BriefingAction::Start(mode) => {
                if let Some(scenario) = &selected.0 {
                    active.0 = Some(Play::new(Arc::clone(scenario), fresh_seed(), *mode));
                    next.set(Screen::Session);
                }
            }
        }
    }
}

/// The briefing logic without drawing.
pub fn logic_plugin(app: &mut App) {
    app.add_message::<BriefingAction>();
    app.add_systems(Update, handle_briefing_actions);
}

/// Registers the briefing screen.
pub fn plugin(app: &mut App) {
    logic_plugin(app);
    app.add_systems(
        EguiPrimaryContextPass,
        briefing_system
            .run_if(in_state(Screen::Briefing))
            .in_set(ScreenUi),
    );
}
