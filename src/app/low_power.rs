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
//!
//! This module is also the one writer of `WinitSettings`: the face says when it next needs a
//! frame, a screenshot or a start-up measurement asks for continuous frames, all through
//! [`Redraw`], and [`apply_redraw`] turns that into the window's schedule.

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

/// When the window draws: the one input to `WinitSettings`.
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct Redraw {
    /// Frames as fast as they come (a screenshot is being taken, or start-up is timed).
    pub continuous: bool,
    /// Otherwise: sleep until input, or until this much time has passed (the face's next
    /// blink, sway or transition; a minute when it rests).
    pub wake_after: Duration,
}

impl Default for Redraw {
    fn default() -> Self {
        Redraw {
            continuous: false,
            wake_after: Duration::from_secs(60),
        }
    }
}

impl Redraw {
    /// The window's schedule: the same focused or not (a visible window beside another app
    /// still blinks).
    pub fn settings(&self) -> WinitSettings {
        if self.continuous {
            return WinitSettings::continuous();
        }
        let mode = UpdateMode::reactive_low_power(self.wake_after);
        WinitSettings {
            focused_mode: mode,
            unfocused_mode: mode,
        }
    }
}

/// Writes [`Redraw`] into `WinitSettings` when it changes (a new schedule forces a frame, so
/// it is written only when it differs).
pub fn apply_redraw(redraw: Res<Redraw>, mut winit: ResMut<WinitSettings>) {
    if !redraw.is_changed() {
        return;
    }
    let want = redraw.settings();
    if winit.focused_mode != want.focused_mode || winit.unfocused_mode != want.unfocused_mode {
        *winit = want;
    }
}

/// True when `CHANGETALK_FIRST_FRAME_EXIT` asks to exit once the first frame is rendered (used
/// by `scripts/measure-app.sh` to time start-up against a bare bevy_egui window).
pub fn first_frame_exit_requested() -> bool {
    std::env::var_os("CHANGETALK_FIRST_FRAME_EXIT").is_some()
}

/// Exits once the first frame has been rendered.
fn exit_after_first_frame(app: &mut App) {
    app.add_systems(
        Last,
        |mut frames: Local<u32>, mut exit: MessageWriter<AppExit>| {
            *frames += 1;
            // Frame 1 is extracted and rendered while frame 2 updates: by the end of update 2
            // the first frame has been presented.
            if *frames == 2 {
                exit.write(AppExit::Success);
            }
        },
    );
}

/// For a bare bevy_egui app without this module's plugin (`examples/bare_egui.rs`): with
/// `CHANGETALK_FIRST_FRAME_EXIT=1`, continuous frames and an exit after the first, exactly as
/// the app does.
pub fn first_frame_exit(app: &mut App) {
    if first_frame_exit_requested() {
        app.insert_resource(WinitSettings::continuous());
        exit_after_first_frame(app);
    }
}

/// Installs reactive rendering, its one writer, and the input filter.
pub fn plugin(app: &mut App) {
    if first_frame_exit_requested() {
        exit_after_first_frame(app);
        app.world_mut()
            .get_resource_or_insert_with(Redraw::default)
            .continuous = true;
    }
    let redraw = *app.world_mut().get_resource_or_insert_with(Redraw::default);
    app.insert_resource(redraw.settings())
        .add_systems(Last, apply_redraw);
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
