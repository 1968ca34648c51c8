//! Settings: text size (to 200%), high contrast, reduced motion. Saved between runs.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui::RichText;

use super::settings::Settings;
use super::theme::{self, Palette};
use super::{Screen, ScreenUi, palette, show_page};

/// The screen to go back to from settings.
#[derive(Resource, Debug, Clone, Copy, Default)]
pub struct ReturnTo(pub Option<Screen>);

/// Draws the settings; returns true when the trainee chose "Back".
pub fn settings_ui(ui: &mut egui::Ui, s: &mut Settings, p: &Palette) -> bool {
    let mut back = false;
    ui.horizontal(|ui| {
        if ui.button("‹ Back").clicked() {
            back = true;
        }
        ui.heading("Settings");
    });
    ui.add_space(8.0);
    theme::card(p).show(ui, |ui| {
        ui.set_max_width(640.0);
        ui.label(RichText::new("Text size").strong());
        let mut percent = (s.text_scale * 100.0).round();
        if ui
            .add(egui::Slider::new(&mut percent, 100.0..=200.0).step_by(10.0).suffix("%"))
            .changed()
        {
            s.text_scale = percent / 100.0;
        }
        ui.label(RichText::new("All text grows; screens reflow and scroll so nothing is cut off.").small().color(p.muted));
        ui.separator();
        ui.checkbox(&mut s.high_contrast, "High-contrast theme");
        ui.label(RichText::new("Black text on white, stronger outlines and focus rings.").small().color(p.muted));
        ui.separator();
        ui.checkbox(&mut s.reduced_motion, "Reduce motion");
        ui.label(RichText::new("The client's face changes without animation, and does not blink or sway.").small().color(p.muted));
        ui.separator();
        ui.checkbox(&mut s.show_talk_labels, "Show the client's talk type before I reply");
        ui.label(RichText::new("Practice: label what the client just said as change talk, sustain talk or discord straight away. Off, the label appears once you have replied, so hearing change talk is part of the practice.").small().color(p.muted));
        ui.separator();
        ui.checkbox(&mut s.instructor_mode, "Instructor mode");
        ui.label(RichText::new("For writing and checking clients: every reply shows its MITI codes and rating, you can jump to any decision point, and scenario files reload when you save them. Not available in classroom exercises.").small().color(p.muted));
        ui.separator();
        ui.label(RichText::new("Keyboard: Tab moves focus, Space or Enter activates; in a session 1–9 pick a reply, B takes it back (practice), Esc leaves.").small());
    });
    back || ui.input(|i| i.key_pressed(egui::Key::Escape))
}

fn settings_system(
    mut contexts: EguiContexts,
    mut settings: ResMut<Settings>,
    ret: Res<ReturnTo>,
    mut next: ResMut<NextState<Screen>>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let p = palette(&settings);
    let mut edited = settings.clone();
    let back = show_page(ctx, &p, |ui| {
        egui::ScrollArea::vertical()
            .show(ui, |ui| settings_ui(ui, &mut edited, &p))
            .inner
    });
    if edited != *settings {
        *settings = edited;
    }
    if back {
        next.set(ret.0.unwrap_or(Screen::Library));
    }
    Ok(())
}

/// Opens settings from `from`, remembering where to come back to.
pub fn open_settings(from: Screen, ret: &mut ReturnTo, next: &mut NextState<Screen>) {
    ret.0 = Some(from);
    next.set(Screen::Settings);
}

/// Registers the settings screen.
pub fn plugin(app: &mut App) {
    app.init_resource::<ReturnTo>();
    app.add_systems(
        EguiPrimaryContextPass,
        settings_system
            .run_if(in_state(Screen::Settings))
            .in_set(ScreenUi),
    );
}
