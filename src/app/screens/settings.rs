//! Settings: text size (to 200%), high contrast, reduced motion, talk labels, instructor
//! mode. The flow applies them (and they are saved between runs).

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui::RichText;

use crate::app::settings::Settings;
use crate::app::state::Screen;
use crate::app::theme::{self, Palette, ScreenUi, palette, show_page};

/// What the trainee did on the settings screen.
#[derive(Message, Debug, Clone, PartialEq)]
pub enum SettingsAction {
    /// The settings as edited.
    Change(Settings),
    /// Back to the screen settings were opened from.
    Back,
}

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
        let heading = ui.label(RichText::new("Text size").strong());
        let mut percent = (s.text_scale * 100.0).round();
        // The theme sizes the rail and handle from the text size and fills the rail up to the
        // handle, so the slider shows and grows like the text it controls.
        let slider = egui::Slider::new(&mut percent, 100.0..=200.0)
            .step_by(10.0)
            .fixed_decimals(0)
            .suffix("%")
            .trailing_fill(true);
        if ui.add(slider).labelled_by(heading.id).changed() {
            s.text_scale = percent / 100.0;
        }
        ui.label(RichText::new("All text grows; screens reflow and scroll so nothing is cut off.").small().color(p.muted));
        ui.separator();
        theme::checkbox(ui, p, &mut s.high_contrast, "High-contrast theme");
        ui.label(RichText::new("Black text on white, stronger outlines and focus rings.").small().color(p.muted));
        ui.separator();
        theme::checkbox(ui, p, &mut s.reduced_motion, "Reduce motion");
        ui.label(RichText::new("The client's face changes without animation, and does not blink or sway.").small().color(p.muted));
        ui.separator();
        theme::checkbox(ui, p, &mut s.show_talk_labels, "Show the client's talk type before I reply");
        ui.label(RichText::new("Practice: label what the client just said as change talk, sustain talk or discord straight away. Off, the label appears once you have replied, so hearing change talk is part of the practice.").small().color(p.muted));
        ui.separator();
        theme::checkbox(ui, p, &mut s.instructor_mode, "Instructor mode");
        ui.label(RichText::new("For writing and checking clients: the library offers \"Write a new client\" (from a client-type template, in the scenario editor); in a session every reply shows its MITI codes and rating, you can jump to any decision point, and scenario files reload when you save them. Not available in classroom exercises.").small().color(p.muted));
        ui.separator();
        ui.label(RichText::new("Keyboard: Tab moves focus, Space or Enter activates; in a session 1–9 pick a reply, B takes it back (practice), Esc leaves.").small());
    });
    back || ui.input(|i| i.key_pressed(egui::Key::Escape))
}

fn settings_system(
    mut contexts: EguiContexts,
    settings: Res<Settings>,
    mut actions: MessageWriter<SettingsAction>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let p = palette(&settings);
    let mut edited = settings.clone();
    let back = show_page(ctx, &p, |ui| {
        egui::ScrollArea::vertical()
            .show(ui, |ui| {
                let back = settings_ui(ui, &mut edited, &p);
                theme::keep_focus_in_view(ui);
                back
            })
            .inner
    });
    if edited != *settings {
        actions.write(SettingsAction::Change(edited));
        ctx.request_repaint();
    }
    if back {
        actions.write(SettingsAction::Back);
        ctx.request_repaint();
    }
    Ok(())
}

/// Registers the settings screen.
pub fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        settings_system
            .run_if(in_state(Screen::Settings))
            .in_set(ScreenUi),
    );
}
