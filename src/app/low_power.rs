//! Reactive, low-power redraw: an idle window draws nothing.
//!
//! Bevy's `WinitSettings` already sleeps until input arrives. bevy_egui 0.42, however, writes an
//! `egui::Event::ModifiersChanged` into egui's input on *every* frame, even when the modifier
//! keys did not change; egui treats any input event as a reason to repaint, bevy_egui turns that
//! repaint request into a `RequestRedraw`, and the app never sleeps (~30 redraws a second).
//!
//! The fix is in how the app feeds egui: after bevy_egui has written the frame's input and
//! before the egui pass begins, drop `ModifiersChanged` events that repeat the modifiers egui
//! already knows. Real modifier changes still reach egui.

use std::time::Duration;

use bevy::prelude::*;
use bevy::winit::{UpdateMode, WinitSettings};
use bevy_egui::{EguiInput, EguiPreUpdateSet, egui};

/// Removes `ModifiersChanged` events equal to `last`, updating `last` with real changes.
/// Returns how many events were removed.
pub fn drop_repeated_modifiers(
    events: &mut Vec<egui::Event>,
    last: &mut Option<egui::Modifiers>,
) -> usize {
    let before = events.len();
    events.retain(|e| match e {
        egui::Event::ModifiersChanged(m) => {
            if *last == Some(*m) {
                false
            } else {
                *last = Some(*m);
                true
            }
        }
        _ => true,
    });
    before - events.len()
}

fn filter_egui_input(
    mut inputs: Query<(Entity, &mut EguiInput)>,
    mut last: Local<bevy::platform::collections::HashMap<Entity, egui::Modifiers>>,
) {
    for (entity, mut input) in &mut inputs {
        let mut known = last.get(&entity).copied();
        // Only touch the component when something must be removed.
        let repeats = input
            .0
            .events
            .iter()
            .any(|e| matches!(e, egui::Event::ModifiersChanged(m) if known == Some(*m)));
        if repeats {
            drop_repeated_modifiers(&mut input.0.events, &mut known);
        } else {
            for e in &input.0.events {
                if let egui::Event::ModifiersChanged(m) = e {
                    known = Some(*m);
                }
            }
        }
        if let Some(k) = known {
            last.insert(entity, k);
        }
    }
}

/// The idle update policy: sleep until input, waking at most every few seconds.
pub fn idle_settings() -> WinitSettings {
    WinitSettings {
        focused_mode: UpdateMode::reactive_low_power(Duration::from_secs(60)),
        unfocused_mode: UpdateMode::reactive_low_power(Duration::from_secs(60)),
    }
}

/// Installs reactive rendering and the input filter.
pub fn plugin(app: &mut App) {
    app.insert_resource(idle_settings());
    app.add_systems(
        PreUpdate,
        filter_egui_input
            .after(EguiPreUpdateSet::ProcessInput)
            .before(EguiPreUpdateSet::BeginPass),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_frame(ctx: &egui::Context, events: Vec<egui::Event>) -> bool {
        let input = egui::RawInput {
            events,
            ..Default::default()
        };
        let _ = ctx.run_ui(input, |ui| {
            ui.label("idle");
        });
        ctx.has_requested_repaint()
    }

    #[test]
    fn repeated_modifiers_no_longer_keep_egui_awake() {
        let ctx = egui::Context::default();
        // Let egui settle (first frames always repaint).
        for _ in 0..3 {
            run_frame(&ctx, vec![]);
        }
        assert!(
            !run_frame(&ctx, vec![]),
            "an idle egui frame should not ask for a repaint"
        );
        // What bevy_egui feeds every frame: egui repaints forever.
        assert!(run_frame(
            &ctx,
            vec![egui::Event::ModifiersChanged(egui::Modifiers::NONE)]
        ));
        // Through the filter: the first frame passes the event on, later identical ones are dropped.
        let mut last = None;
        for frame in 0..5 {
            let mut events = vec![egui::Event::ModifiersChanged(egui::Modifiers::NONE)];
            let removed = drop_repeated_modifiers(&mut events, &mut last);
            assert_eq!(removed, usize::from(frame > 0));
        }
        let mut events = vec![egui::Event::ModifiersChanged(egui::Modifiers::NONE)];
        drop_repeated_modifiers(&mut events, &mut last);
        run_frame(&ctx, vec![]);
        assert!(
            !run_frame(&ctx, events),
            "filtered input must let egui sleep"
        );
        // A real change still reaches egui.
        let mut events = vec![egui::Event::ModifiersChanged(egui::Modifiers::SHIFT)];
        assert_eq!(drop_repeated_modifiers(&mut events, &mut last), 0);
        assert_eq!(events.len(), 1);
    }
}
