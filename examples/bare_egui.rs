//! A bare bevy_egui window with the app's Bevy features and profile: the baseline for
//! `scripts/measure-app.sh` (time to first frame). With `CHANGETALK_FIRST_FRAME_EXIT=1` it exits
//! once its first frame has been rendered, exactly like the app does.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPlugin, EguiPrimaryContextPass, egui};

fn main() {
    let mut app = App::new();
    app.add_plugins(DefaultPlugins.set(bevy::log::LogPlugin {
        level: bevy::log::Level::ERROR,
        ..default()
    }))
    .add_plugins(EguiPlugin::default())
    .insert_resource(bevy::winit::WinitSettings::desktop_app())
    .add_systems(Startup, |mut commands: Commands| {
        commands.spawn(Camera2d);
    })
    .add_systems(EguiPrimaryContextPass, ui);
    changetalk::app::first_frame_exit(&mut app);
    app.run();
}

fn ui(mut contexts: EguiContexts) -> Result {
    egui::CentralPanel::default().show(&mut changetalk::app::root_ui(contexts.ctx_mut()?), |ui| {
        ui.label("bare bevy_egui window");
    });
    Ok(())
}
