//! The face in motion: it follows the client's mood and state with smooth transitions,
//! blinks and sways a little while the trainee is active, then rests; and it tells the window
//! when to wake next. With "reduced motion" (or while taking a screenshot) it holds still and
//! changes at once.

use std::time::Duration;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use changetalk_core::engine::model::{ClientState, Mood};

use super::expression::{Expression, ending_mood, expression};
use super::{EYE_X, EYE_Y, FaceRoot, MOUTH_SEGMENTS, Part, ShownClient};
use crate::app::class::ClassRun;
use crate::app::conversation::Conversation;
use crate::app::low_power::Redraw;
use crate::app::screenshot::ScreenshotMode;
use crate::app::settings::Settings;
use crate::app::state::{FaceShown, Play, Screen};

/// How long the face keeps blinking and swaying after the last thing the trainee did; then it
/// rests, so an idle app draws nothing at all.
pub const LIVELY_SECONDS: f64 = 15.0;

/// When the window should next wake, as the face sees it (passed on as [`Redraw`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WakePlan {
    /// Animating now: a frame every `interval` seconds.
    Animate(f32),
    /// Nothing moves until this absolute time (seconds since start).
    Until(f64),
    /// Nothing moves until input arrives.
    Rest,
}

/// The face's animation state.
#[derive(Resource, Debug, Clone)]
pub struct FaceAnim {
    /// What is drawn now.
    pub current: Expression,
    /// Where it is heading.
    pub target: Expression,
    /// Absolute time of the next blink.
    blink_at: f64,
    /// Absolute time the eyes open again (during a blink).
    blink_until: f64,
    /// Idle sway, its target and the time of the next shift.
    sway: f32,
    sway_target: f32,
    sway_at: f64,
    /// Blinks and sway run until this time; extended by any interaction.
    lively_until: f64,
    /// The plan last given to the window (changing it forces a frame, so it only changes when
    /// the plan does).
    plan: Option<WakePlan>,
    /// Simple generator for blink and sway timing (UI only; never affects a session).
    rng: u64,
}

impl Default for FaceAnim {
    fn default() -> Self {
        let neutral = expression(
            Mood::Guarded,
            &ClientState {
                engagement: 5,
                discord: 3,
                importance: 3,
                confidence: 5,
            },
        );
        FaceAnim {
            current: neutral,
            target: neutral,
            blink_at: 2.5,
            blink_until: 0.0,
            sway: 0.0,
            sway_target: 0.0,
            sway_at: 6.0,
            lively_until: LIVELY_SECONDS,
            plan: None,
            rng: 0x2545_F491_4F6C_DD1D,
        }
    }
}

impl FaceAnim {
    fn next_random(&mut self) -> f32 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// The state the face assumes for a conversation held by a class server (which shows a
/// student the client's mood but not the meters).
const SERVER_STATE: ClientState = ClientState {
    engagement: 5,
    discord: 2,
    importance: 4,
    confidence: 4,
};

/// Reads the client's mood and state into the target expression: the conversation's, or on
/// the briefing the client's state before it.
pub(super) fn follow_client(client: ShownClient, mut anim: ResMut<FaceAnim>) {
    let target = match client.session() {
        Some(s) => {
            let mood = s
                .current_line()
                .map(|l| l.mood)
                .or_else(|| s.turns().last().map(|t| t.client.mood))
                .unwrap_or(Mood::Guarded);
            let mood = match s.ending() {
                Some(e) => ending_mood(mood, e.outcome),
                None => mood,
            };
            expression(mood, &s.state())
        }
        None => match (client.on_server(), client.scenario()) {
            // The server shows the mood, not the client's inner state: a middling one.
            (Some(c), _) => expression(c.mood().unwrap_or(Mood::Guarded), &SERVER_STATE),
            (None, Some(sc)) => expression(Mood::Guarded, &sc.persona.initial),
            (None, None) => return,
        },
    };
    if anim.target != target {
        anim.target = target;
    }
}

/// Keys, clicks and the wheel this frame.
#[derive(SystemParam)]
pub(super) struct UserInput<'w, 's> {
    keys: MessageReader<'w, 's, bevy::input::keyboard::KeyboardInput>,
    buttons: MessageReader<'w, 's, bevy::input::mouse::MouseButtonInput>,
    wheel: MessageReader<'w, 's, bevy::input::mouse::MouseWheel>,
}

impl UserInput<'_, '_> {
    fn any(&self) -> bool {
        !self.keys.is_empty() || !self.buttons.is_empty() || !self.wheel.is_empty()
    }
}

/// Marks the face lively again after any interaction (input, a reply, a new screen).
pub(super) fn wake_on_interaction(
    time: Res<Time<Real>>,
    mut anim: ResMut<FaceAnim>,
    input: UserInput,
    play: Option<Res<Play>>,
    class: Option<Res<ClassRun>>,
    screen: Res<State<Screen>>,
) {
    // The screens only read the session (changes arrive as messages), so a change flag here
    // means the conversation really moved.
    let moved = play.is_some_and(|p| p.is_changed()) || class.is_some_and(|c| c.is_changed());
    if input.any() || moved || screen.is_changed() {
        let now = time.elapsed_secs_f64();
        anim.lively_until = now + LIVELY_SECONDS;
        if anim.blink_at < now {
            anim.blink_at = now + 2.0;
        }
    }
}

/// Advances transitions, blinks and idle sway, and tells the window when to wake next.
pub(super) fn animate(
    time: Res<Time<Real>>,
    settings: Res<Settings>,
    shot: Option<Res<ScreenshotMode>>,
    mut anim: ResMut<FaceAnim>,
    mut redraw: ResMut<Redraw>,
    shown: Option<Res<State<FaceShown>>>,
) {
    let still = settings.reduced_motion || shot.is_some();
    let now = time.elapsed_secs_f64();
    let dt = time.delta_secs().min(0.1);
    let face_shown = shown.is_some();
    let mut animating: Option<f32> = None;
    if anim.current.distance(&anim.target) > 0.002 {
        if still {
            anim.current = anim.target;
        } else {
            let k = 1.0 - (-dt * 7.0).exp();
            let target = anim.target;
            anim.current = anim.current.lerp(&target, k);
            animating = Some(1.0 / 60.0);
        }
    }
    let lively = !still && face_shown && now < anim.lively_until;
    if !lively {
        anim.blink_until = 0.0;
        if (anim.sway - anim.sway_target).abs() > 0.0 {
            anim.sway_target = 0.0;
        }
    }
    if lively {
        // Blinks: eyes shut for ~0.12 s every 3–6 s.
        if anim.blink_until > now {
            animating = Some(animating.map_or(0.12, |a| a.min(0.12)));
        } else if now >= anim.blink_at {
            anim.blink_until = now + 0.12;
            anim.blink_at = now + 3.0 + 3.0 * f64::from(anim.next_random());
            animating = Some(animating.map_or(0.12, |a| a.min(0.12)));
        }
        // Idle sway: a small shift every 6–10 s, eased in at 20 frames a second.
        if now >= anim.sway_at {
            anim.sway_target = anim.next_random() * 2.0 - 1.0;
            anim.sway_at = now + 6.0 + 4.0 * f64::from(anim.next_random());
        }
    }
    if (anim.sway - anim.sway_target).abs() > 0.02 && !still {
        let k = 1.0 - (-dt * 2.5).exp();
        anim.sway += (anim.sway_target - anim.sway) * k;
        animating = Some(animating.map_or(0.05, |a| a.min(0.05)));
    } else if still {
        anim.sway = 0.0;
        anim.sway_target = 0.0;
    }
    let plan = match animating {
        Some(interval) => WakePlan::Animate(interval),
        None if lively => WakePlan::Until(anim.blink_at.min(anim.sway_at).min(anim.lively_until)),
        None => WakePlan::Rest,
    };
    if anim.plan == Some(plan) {
        return;
    }
    anim.plan = Some(plan);
    let wait = match plan {
        WakePlan::Animate(i) => f64::from(i),
        WakePlan::Until(t) => (t - now).max(0.016),
        WakePlan::Rest => 60.0,
    };
    // The same schedule when unfocused: a visible window beside another app still blinks.
    redraw.wake_after = Duration::from_secs_f64(wait);
}

/// Where the mouth segment `i` sits, and its angle, for a curve value.
pub(super) fn mouth_segment(i: usize, curve: f32, press: f32) -> (Vec2, f32) {
    let half = 30.0 - 4.0 * press;
    let t = i as f32 / (MOUTH_SEGMENTS - 1) as f32 * 2.0 - 1.0; // −1..1
    let x = t * half;
    // Corners rise for a smile: y = curve * depth * t².
    let depth = 11.0;
    let y = -52.0 + curve * depth * t * t - curve * 3.0;
    let slope = 2.0 * curve * depth * t / half;
    (Vec2::new(x, y), slope.atan() + std::f32::consts::FRAC_PI_2)
}

/// Where the brow on `side` (−1 left, +1 right) sits and its angle. The brow is a vertical
/// capsule turned a quarter to lie flat; raising the inner brow (`brow_inner` > 0, sadness and
/// worry) lifts the end toward the nose, pulling it down (< 0, anger) lowers it into a V.
pub(super) fn brow_pose(side: f32, brow_inner: f32, brow_raise: f32) -> (f32, f32) {
    let y =
        EYE_Y + 22.0 + 7.0 * brow_raise + 3.0 * brow_inner.max(0.0) - 3.0 * (-brow_inner).max(0.0);
    // A counter-clockwise turn lifts the end on the right; the inner end of the right brow
    // (+1) is on its left, so a raised inner end turns it clockwise.
    (y, std::f32::consts::FRAC_PI_2 - side * 0.38 * brow_inner)
}

/// The face's moving parts: what each is, where it is, and its colour (the flush fades).
type Parts<'w, 's> = Query<
    'w,
    's,
    (
        &'static Part,
        &'static mut Transform,
        Option<&'static MeshMaterial2d<ColorMaterial>>,
    ),
    Without<FaceRoot>,
>;

/// Sets the shapes from the current expression.
pub(super) fn pose_face(
    time: Res<Time<Real>>,
    anim: Res<FaceAnim>,
    mut parts: Parts,
    mut materials: ResMut<Assets<ColorMaterial>>,
) {
    let e = anim.current;
    let blinking = anim.blink_until > time.elapsed_secs_f64();
    let eye_open = if blinking { 0.05 } else { e.eye_open };
    let sway = anim.sway;
    for (part, mut tf, mat) in &mut parts {
        match *part {
            Part::Head => {
                tf.translation.y = -14.0 * e.droop + 4.0 * e.lean;
                tf.translation.x =
                    10.0 * e.tilt.signum() * e.tilt.abs().min(0.15) / 0.15 * 0.4 + 6.0 * sway;
                tf.rotation = Quat::from_rotation_z(e.tilt + 0.025 * sway);
                let s = 1.0 + 0.05 * e.lean;
                tf.scale = Vec3::splat(s);
            }
            Part::Lid(_) => {
                // The lid's bottom edge: at the top of the eye when wide open, at the middle when closed.
                let bottom = EYE_Y + 10.5
                    - 21.0 * (1.0 - eye_open.clamp(0.0, 1.0)) * 0.55
                    - if blinking { 6.0 } else { 0.0 };
                tf.translation.y = bottom + 12.0;
            }
            Part::Iris(_) => {
                tf.translation.x =
                    tf.translation.x.signum() * EYE_X + 7.0 * e.gaze_away + 1.5 * sway;
                tf.translation.y = EYE_Y - 4.0 * e.gaze_down;
            }
            Part::Brow(side) => {
                let (y, angle) = brow_pose(side, e.brow_inner, e.brow_raise);
                tf.translation.y = y;
                tf.rotation = Quat::from_rotation_z(angle);
            }
            Part::Mouth(i) => {
                let (p, angle) = mouth_segment(i, e.mouth_curve, e.mouth_press);
                tf.translation.x = p.x;
                tf.translation.y = p.y;
                tf.rotation = Quat::from_rotation_z(angle);
                let thin = 1.0 - 0.35 * e.mouth_press;
                tf.scale = Vec3::new(thin, 1.0, 1.0);
            }
            Part::Flush => {
                if let Some(m) = mat
                    && let Some(mut material) = materials.get_mut(&m.0)
                {
                    let a = 0.45 * e.flush;
                    if (material.color.alpha() - a).abs() > 0.01 {
                        material.color.set_alpha(a);
                    }
                }
            }
            Part::Fixed => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The height of a brow's inner (toward the nose) and outer ends, from its pose.
    fn brow_ends(side: f32, brow_inner: f32) -> (f32, f32) {
        let (y, angle) = brow_pose(side, brow_inner, 0.0);
        // The capsule's long axis, (0, 1) before the turn.
        let axis = Vec2::new(-angle.sin(), angle.cos());
        let x = side * EYE_X;
        let (a, b) = (Vec2::new(x, y) + axis * 15.0, Vec2::new(x, y) - axis * 15.0);
        // The inner end is the one nearer the middle (x = 0).
        if a.x.abs() < b.x.abs() {
            (a.y, b.y)
        } else {
            (b.y, a.y)
        }
    }

    #[test]
    fn raised_inner_brows_rise_toward_the_nose_and_anger_makes_a_v() {
        for side in [-1.0, 1.0] {
            let (inner, outer) = brow_ends(side, 0.8);
            assert!(
                inner > outer + 3.0,
                "sad brow on side {side}: {inner} vs {outer}"
            );
            let (inner, outer) = brow_ends(side, -1.0);
            assert!(
                inner < outer - 3.0,
                "angry brow on side {side}: {inner} vs {outer}"
            );
            let (inner, outer) = brow_ends(side, 0.0);
            assert!((inner - outer).abs() < 0.01);
        }
    }

    #[test]
    fn smile_raises_the_corners() {
        let (corner_smile, _) = mouth_segment(0, 1.0, 0.0);
        let (mid_smile, _) = mouth_segment(MOUTH_SEGMENTS / 2, 1.0, 0.0);
        let (corner_frown, _) = mouth_segment(0, -1.0, 0.0);
        assert!(corner_smile.y > mid_smile.y);
        assert!(corner_frown.y < mid_smile.y);
    }
}
