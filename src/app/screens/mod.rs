//! One file per screen, each a plugin of draw systems: a screen draws what the app holds and
//! sends what the trainee did as its action message; `flow.rs` handles every action and
//! every change of screen.

pub mod briefing;
pub mod class;
pub mod editor;
pub mod exercise;
pub mod library;
pub mod report;
pub mod session;
pub mod settings;

use bevy::prelude::*;

/// Registers every screen.
pub fn plugin(app: &mut App) {
    app.add_plugins((
        library::plugin,
        briefing::plugin,
        session::plugin,
        report::plugin,
        settings::plugin,
        exercise::plugin,
        class::plugin,
        editor::plugin,
    ));
}
