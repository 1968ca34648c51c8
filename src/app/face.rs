//! The client's face, drawn in the Bevy 2D scene from simple shapes and animated from the
//! client's state: brows, eyes, mouth and posture follow engagement, discord and the mood of
//! the last line, with smooth transitions, blinking and a little idle motion. With "reduced
//! motion" (or while taking a screenshot) it holds still and changes instantly.
//!
//! Expression is a pure function ([`expression`]) of mood and state, so it is testable without
//! rendering; the systems only move shapes toward it.

use std::time::Duration;

use bevy::prelude::*;
use bevy::winit::{UpdateMode, WinitSettings};
use changetalk_core::model::{ClientState, Face, HairStyle, Mood};

use super::settings::Settings;
use super::{ActiveSession, FaceArea, Screen, Selected, screenshot::ScreenshotMode};

/// The expression the face shows; every field is roughly −1..1 or 0..1.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Expression {
    /// Inner brow ends: −1 pulled down (anger), +1 raised (sadness, worry).
    pub brow_inner: f32,
    /// Whole brow height: −1 lowered, +1 raised.
    pub brow_raise: f32,
    /// Eye opening, 0 (closed) to 1 (wide).
    pub eye_open: f32,
    /// Mouth corners: −1 frown, +1 smile.
    pub mouth_curve: f32,
    /// Mouth tension: 0 relaxed, 1 lips pressed thin.
    pub mouth_press: f32,
    /// Head tilt in radians (positive leans left).
    pub tilt: f32,
    /// Head drop: 0 upright, 1 slumped.
    pub droop: f32,
    /// Gaze: −1 looks away to the side, 0 at the counsellor.
    pub gaze_away: f32,
    /// Gaze down, 0..1.
    pub gaze_down: f32,
    /// Red flush of anger, 0..1.
    pub flush: f32,
    /// Leaning in (engaged) 0..1.
    pub lean: f32,
}

impl Expression {
    fn lerp(&self, to: &Expression, t: f32) -> Expression {
        let l = |a: f32, b: f32| a + (b - a) * t;
        Expression {
            brow_inner: l(self.brow_inner, to.brow_inner),
            brow_raise: l(self.brow_raise, to.brow_raise),
            eye_open: l(self.eye_open, to.eye_open),
            mouth_curve: l(self.mouth_curve, to.mouth_curve),
            mouth_press: l(self.mouth_press, to.mouth_press),
            tilt: l(self.tilt, to.tilt),
            droop: l(self.droop, to.droop),
            gaze_away: l(self.gaze_away, to.gaze_away),
            gaze_down: l(self.gaze_down, to.gaze_down),
            flush: l(self.flush, to.flush),
            lean: l(self.lean, to.lean),
        }
    }

    fn distance(&self, o: &Expression) -> f32 {
        [
            self.brow_inner - o.brow_inner,
            self.brow_raise - o.brow_raise,
            self.eye_open - o.eye_open,
            self.mouth_curve - o.mouth_curve,
            self.mouth_press - o.mouth_press,
            self.tilt - o.tilt,
            self.droop - o.droop,
            self.gaze_away - o.gaze_away,
            self.gaze_down - o.gaze_down,
            self.flush - o.flush,
            self.lean - o.lean,
        ]
        .iter()
        .map(|d| d.abs())
        .fold(0.0, f32::max)
    }
}

/// The expression for a mood, shaded by the client's state: discord hardens the face and turns
/// the gaze away; engagement lifts the posture and leans in.
pub fn expression(mood: Mood, state: &ClientState) -> Expression {
    let mut e = match mood {
        Mood::Calm => Expression {
            eye_open: 0.85,
            mouth_curve: 0.15,
            ..Default::default()
        },
        Mood::Guarded => Expression {
            brow_inner: -0.2,
            brow_raise: -0.2,
            eye_open: 0.7,
            mouth_curve: -0.1,
            mouth_press: 0.6,
            ..Default::default()
        },
        Mood::Defensive => Expression {
            brow_inner: -0.5,
            brow_raise: 0.1,
            eye_open: 0.8,
            mouth_curve: -0.3,
            mouth_press: 0.5,
            tilt: -0.05,
            ..Default::default()
        },
        Mood::Irritated => Expression {
            brow_inner: -0.75,
            brow_raise: -0.3,
            eye_open: 0.6,
            mouth_curve: -0.45,
            mouth_press: 0.8,
            flush: 0.3,
            ..Default::default()
        },
        Mood::Angry => Expression {
            brow_inner: -1.0,
            brow_raise: -0.5,
            eye_open: 0.75,
            mouth_curve: -0.8,
            mouth_press: 1.0,
            flush: 0.8,
            ..Default::default()
        },
        Mood::Sad => Expression {
            brow_inner: 0.8,
            brow_raise: 0.1,
            eye_open: 0.6,
            mouth_curve: -0.55,
            droop: 0.5,
            gaze_down: 0.7,
            tilt: 0.06,
            ..Default::default()
        },
        Mood::Hopeless => Expression {
            brow_inner: 0.9,
            brow_raise: -0.1,
            eye_open: 0.45,
            mouth_curve: -0.65,
            droop: 1.0,
            gaze_down: 1.0,
            tilt: 0.1,
            ..Default::default()
        },
        Mood::Anxious => Expression {
            brow_inner: 0.7,
            brow_raise: 0.5,
            eye_open: 1.0,
            mouth_curve: -0.3,
            mouth_press: 0.7,
            ..Default::default()
        },
        Mood::Thoughtful => Expression {
            brow_inner: 0.2,
            brow_raise: 0.2,
            eye_open: 0.8,
            gaze_away: 0.4,
            gaze_down: 0.3,
            tilt: 0.08,
            ..Default::default()
        },
        Mood::Hopeful => Expression {
            brow_inner: 0.3,
            brow_raise: 0.4,
            eye_open: 0.95,
            mouth_curve: 0.45,
            ..Default::default()
        },
        Mood::Relieved => Expression {
            brow_inner: 0.2,
            brow_raise: 0.2,
            eye_open: 0.8,
            mouth_curve: 0.6,
            tilt: 0.05,
            ..Default::default()
        },
        Mood::Warm => Expression {
            brow_raise: 0.25,
            eye_open: 0.85,
            mouth_curve: 0.8,
            lean: 0.6,
            ..Default::default()
        },
    };
    let discord = state.discord as f32 / 10.0;
    let engagement = state.engagement as f32 / 10.0;
    // High discord: brows harden, gaze slides away, a hint of flush.
    e.brow_inner = (e.brow_inner - 0.4 * (discord - 0.3).max(0.0)).clamp(-1.0, 1.0);
    e.gaze_away = (e.gaze_away + 0.9 * (discord - 0.4).max(0.0)).clamp(0.0, 1.0);
    e.flush = (e.flush + 0.5 * (discord - 0.6).max(0.0)).clamp(0.0, 1.0);
    // Engagement: sits up and leans in; disengaged clients slump and tilt away.
    e.lean = (e.lean + 0.6 * (engagement - 0.5).max(0.0) * 2.0).clamp(0.0, 1.0);
    e.droop = (e.droop + 0.6 * (0.4 - engagement).max(0.0)).clamp(0.0, 1.0);
    e.tilt += -0.12 * (0.3 - engagement).max(0.0);
    e
}

/// How long the face keeps blinking and swaying after the last thing the trainee did; then it
/// rests, so an idle app draws nothing at all.
pub const LIVELY_SECONDS: f64 = 15.0;

/// When the window should next wake, as the face sees it.
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
    /// Look parameters currently built.
    built_for: Option<Face>,
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
            built_for: None,
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

/// Marks the face's root entity.
#[derive(Component)]
struct FaceRoot;

/// A part of the face and how it moves.
#[derive(Component, Clone, Copy, Debug, PartialEq)]
enum Part {
    /// Static shape at a base offset.
    Fixed,
    /// Eyelid of the left (−1) or right (+1) eye.
    Lid(f32),
    /// Iris and pupil of an eye.
    Iris(f32),
    /// Brow on a side.
    Brow(f32),
    /// Mouth segment `i` of `n`.
    Mouth(usize),
    /// Anger flush on a cheek.
    Flush,
    /// The head group (everything above the shoulders).
    Head,
}

const MOUTH_SEGMENTS: usize = 7;
const EYE_X: f32 = 40.0;
const EYE_Y: f32 = 18.0;

fn hex(c: &str) -> Color {
    let v = u32::from_str_radix(c.trim_start_matches('#'), 16).unwrap_or(0x808080);
    Color::srgb_u8((v >> 16) as u8, (v >> 8) as u8, v as u8)
}

fn darker(c: Color, f: f32) -> Color {
    let s = c.to_srgba();
    Color::srgb(s.red * f, s.green * f, s.blue * f)
}

/// Builds the face for the selected client (again when the client changes).
// A Bevy system takes each resource it uses as a parameter.
#[allow(clippy::too_many_arguments)]
fn build_face(
    mut commands: Commands,
    selected: Res<Selected>,
    active: Res<ActiveSession>,
    screen: Res<State<Screen>>,
    mut anim: ResMut<FaceAnim>,
    roots: Query<Entity, With<FaceRoot>>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<ColorMaterial>>,
) {
    // The client in the conversation (a classroom exercise moves from client to client),
    // otherwise the one chosen in the library.
    let in_session = match (screen.get(), &active.0) {
        (Screen::Session, Some(play)) => Some(play.session.scenario()),
        _ => None,
    };
    let Some(scenario) = in_session.or(selected.0.as_ref()) else {
        return;
    };
    let look = &scenario.persona.face;
    if anim.built_for.as_ref() == Some(look) && !roots.is_empty() {
        return;
    }
    for e in &roots {
        commands.entity(e).despawn();
    }
    anim.built_for = Some(look.clone());
    let skin = hex(&look.skin);
    let hair = hex(&look.hair);
    let eyes = hex(&look.eyes);
    let mut mat = |c: Color| materials.add(ColorMaterial::from_color(c));
    let shirt = mat(Color::srgb(0.33, 0.42, 0.55));
    let skin_m = mat(skin);
    let skin_shadow = mat(darker(skin, 0.86));
    let hair_m = mat(hair);
    let white = mat(Color::srgb(0.97, 0.97, 0.96));
    let iris_m = mat(eyes);
    let pupil = mat(Color::srgb(0.06, 0.06, 0.08));
    let brow_m = mat(darker(hair, 0.8));
    let lip = mat(Color::srgb(0.55, 0.25, 0.25));
    let line_m = mat(darker(skin, 0.72));
    let flush_m = mat(Color::srgba(0.85, 0.2, 0.2, 0.0));
    let frame_m = mat(Color::srgb(0.15, 0.15, 0.18));

    let mut shape = |m: Mesh| meshes.add(m);
    let root = commands
        .spawn((
            FaceRoot,
            Transform::default(),
            Visibility::Hidden,
            Name::new("face"),
        ))
        .id();
    let child = |commands: &mut Commands,
                 mesh: Handle<Mesh>,
                 material: Handle<ColorMaterial>,
                 pos: Vec3,
                 part: Part,
                 parent: Entity| {
        let e = commands
            .spawn((
                Mesh2d(mesh),
                MeshMaterial2d(material),
                Transform::from_translation(pos),
                part,
            ))
            .id();
        commands.entity(parent).add_child(e);
        e
    };
    // Shoulders and neck (not part of the head group, so the head can tilt over them).
    child(
        &mut commands,
        shape(Ellipse::new(165.0, 95.0).into()),
        shirt.clone(),
        Vec3::new(0.0, -205.0, 0.0),
        Part::Fixed,
        root,
    );
    child(
        &mut commands,
        shape(Rectangle::new(62.0, 70.0).into()),
        skin_shadow.clone(),
        Vec3::new(0.0, -120.0, 0.1),
        Part::Fixed,
        root,
    );
    let head = commands
        .spawn((Transform::default(), Visibility::Inherited, Part::Head))
        .id();
    commands.entity(root).add_child(head);
    // Hair behind the head.
    match look.hair_style {
        HairStyle::Long => {
            child(
                &mut commands,
                shape(Ellipse::new(100.0, 140.0).into()),
                hair_m.clone(),
                Vec3::new(0.0, -20.0, 0.2),
                Part::Fixed,
                head,
            );
        }
        HairStyle::Curly => {
            for (x, y, r) in [
                (-70.0, 60.0, 42.0),
                (70.0, 60.0, 42.0),
                (-40.0, 95.0, 45.0),
                (40.0, 95.0, 45.0),
                (0.0, 110.0, 45.0),
                (-85.0, 20.0, 34.0),
                (85.0, 20.0, 34.0),
            ] {
                child(
                    &mut commands,
                    shape(Circle::new(r).into()),
                    hair_m.clone(),
                    Vec3::new(x, y, 0.2),
                    Part::Fixed,
                    head,
                );
            }
        }
        HairStyle::Bun => {
            child(
                &mut commands,
                shape(Circle::new(38.0).into()),
                hair_m.clone(),
                Vec3::new(0.0, 128.0, 0.2),
                Part::Fixed,
                head,
            );
        }
        _ => {}
    }
    // Ears and head.
    for side in [-1.0, 1.0] {
        child(
            &mut commands,
            shape(Ellipse::new(16.0, 26.0).into()),
            skin_shadow.clone(),
            Vec3::new(side * 82.0, 8.0, 0.3),
            Part::Fixed,
            head,
        );
    }
    child(
        &mut commands,
        shape(Ellipse::new(84.0, 108.0).into()),
        skin_m.clone(),
        Vec3::new(0.0, 0.0, 0.4),
        Part::Fixed,
        head,
    );
    // Hair on top.
    match look.hair_style {
        HairStyle::Short | HairStyle::Long | HairStyle::Bun | HairStyle::Curly => {
            child(
                &mut commands,
                shape(Ellipse::new(86.0, 50.0).into()),
                hair_m.clone(),
                Vec3::new(0.0, 78.0, 0.5),
                Part::Fixed,
                head,
            );
        }
        HairStyle::Buzz => {
            let buzz = materials.add(ColorMaterial::from_color(hair.with_alpha(0.55)));
            child(
                &mut commands,
                shape(Ellipse::new(82.0, 42.0).into()),
                buzz,
                Vec3::new(0.0, 80.0, 0.5),
                Part::Fixed,
                head,
            );
        }
        HairStyle::Bald => {}
    }
    // Age lines on the forehead.
    for i in 0..look.lines.min(3) {
        let line = child(
            &mut commands,
            shape(Capsule2d::new(1.3, 46.0).into()),
            line_m.clone(),
            Vec3::new(0.0, 50.0 - i as f32 * 7.0, 0.55),
            Part::Fixed,
            head,
        );
        commands.entity(line).insert(
            Transform::from_xyz(0.0, 50.0 - i as f32 * 7.0, 0.55)
                .with_rotation(Quat::from_rotation_z(std::f32::consts::FRAC_PI_2)),
        );
    }
    // Beard under the mouth.
    if look.beard {
        child(
            &mut commands,
            shape(Ellipse::new(64.0, 44.0).into()),
            hair_m.clone(),
            Vec3::new(0.0, -72.0, 0.55),
            Part::Fixed,
            head,
        );
    }
    // Cheek flush.
    for side in [-1.0, 1.0] {
        child(
            &mut commands,
            shape(Circle::new(17.0).into()),
            flush_m.clone(),
            Vec3::new(side * 48.0, -22.0, 0.56),
            Part::Flush,
            head,
        );
    }
    // Nose.
    child(
        &mut commands,
        shape(Ellipse::new(10.0, 16.0).into()),
        skin_shadow.clone(),
        Vec3::new(0.0, -12.0, 0.6),
        Part::Fixed,
        head,
    );
    for side in [-1.0, 1.0] {
        // Eye white, iris+pupil, lid (skin, above the eye: invisible outside the eye), lash line.
        child(
            &mut commands,
            shape(Ellipse::new(17.0, 10.5).into()),
            white.clone(),
            Vec3::new(side * EYE_X, EYE_Y, 0.6),
            Part::Fixed,
            head,
        );
        let iris = child(
            &mut commands,
            shape(Circle::new(7.5).into()),
            iris_m.clone(),
            Vec3::new(side * EYE_X, EYE_Y, 0.7),
            Part::Iris(side),
            head,
        );
        let p = commands
            .spawn((
                Mesh2d(shape(Circle::new(3.6).into())),
                MeshMaterial2d(pupil.clone()),
                Transform::from_xyz(0.0, 0.0, 0.05),
            ))
            .id();
        commands.entity(iris).add_child(p);
        child(
            &mut commands,
            shape(Rectangle::new(40.0, 24.0).into()),
            skin_m.clone(),
            Vec3::new(side * EYE_X, EYE_Y + 22.0, 0.8),
            Part::Lid(side),
            head,
        );
        child(
            &mut commands,
            shape(Capsule2d::new(2.4, 30.0).into()),
            brow_m.clone(),
            Vec3::new(side * EYE_X, EYE_Y + 24.0, 0.9),
            Part::Brow(side),
            head,
        );
        if look.glasses {
            child(
                &mut commands,
                shape(Annulus::new(19.0, 22.5).into()),
                frame_m.clone(),
                Vec3::new(side * EYE_X, EYE_Y, 0.95),
                Part::Fixed,
                head,
            );
        }
    }
    if look.glasses {
        child(
            &mut commands,
            shape(Rectangle::new(16.0, 3.0).into()),
            frame_m.clone(),
            Vec3::new(0.0, EYE_Y + 2.0, 0.95),
            Part::Fixed,
            head,
        );
    }
    // Mouth: overlapping rounded segments along a curve.
    for i in 0..MOUTH_SEGMENTS {
        child(
            &mut commands,
            shape(Capsule2d::new(3.2, 9.0).into()),
            lip.clone(),
            Vec3::new(0.0, -52.0, 0.9),
            Part::Mouth(i),
            head,
        );
    }
}

/// Where the mouth segment `i` sits, and its angle, for a curve value.
fn mouth_segment(i: usize, curve: f32, press: f32) -> (Vec2, f32) {
    let half = 30.0 - 4.0 * press;
    let t = i as f32 / (MOUTH_SEGMENTS - 1) as f32 * 2.0 - 1.0; // −1..1
    let x = t * half;
    // Corners rise for a smile: y = curve * depth * t².
    let depth = 11.0;
    let y = -52.0 + curve * depth * t * t - curve * 3.0;
    let slope = 2.0 * curve * depth * t / half;
    (Vec2::new(x, y), slope.atan() + std::f32::consts::FRAC_PI_2)
}

/// Sets the shapes from the current expression.
#[allow(clippy::type_complexity)]
fn pose_face(
    time: Res<Time<Real>>,
    anim: Res<FaceAnim>,
    mut parts: Query<
        (
            &Part,
            &mut Transform,
            Option<&MeshMaterial2d<ColorMaterial>>,
        ),
        Without<FaceRoot>,
    >,
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
                tf.translation.y = EYE_Y + 22.0 + 7.0 * e.brow_raise + 3.0 * e.brow_inner.max(0.0)
                    - 3.0 * (-e.brow_inner).max(0.0);
                // Inner end is toward the nose: for the right brow (+1) the inner end is on the left.
                tf.rotation =
                    Quat::from_rotation_z(std::f32::consts::FRAC_PI_2 + side * 0.38 * e.brow_inner);
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

/// Reads the client's mood and state into the target expression.
fn follow_client(
    active: Res<ActiveSession>,
    selected: Res<Selected>,
    screen: Res<State<Screen>>,
    mut anim: ResMut<FaceAnim>,
) {
    let target = match (screen.get(), &active.0) {
        (Screen::Session, Some(play)) => {
            let s = &play.session;
            let mood = s
                .current_line()
                .map(|l| l.mood)
                .or_else(|| s.turns().last().map(|t| t.client.mood))
                .unwrap_or(Mood::Guarded);
            let mood = match s.ending() {
                Some(e) if e.outcome == changetalk_core::model::Outcome::Disengaged => Mood::Angry,
                Some(e) if e.outcome == changetalk_core::model::Outcome::Positive => Mood::Relieved,
                _ => mood,
            };
            expression(mood, &s.state())
        }
        _ => match &selected.0 {
            Some(sc) => expression(Mood::Guarded, &sc.persona.initial),
            None => return,
        },
    };
    if anim.target != target {
        anim.target = target;
    }
}

/// Marks the face lively again after any interaction (input, a reply, a new screen).
#[allow(clippy::too_many_arguments)]
fn wake_on_interaction(
    time: Res<Time<Real>>,
    mut anim: ResMut<FaceAnim>,
    keys: MessageReader<bevy::input::keyboard::KeyboardInput>,
    buttons: MessageReader<bevy::input::mouse::MouseButtonInput>,
    wheel: MessageReader<bevy::input::mouse::MouseWheel>,
    active: Res<ActiveSession>,
    screen: Res<State<Screen>>,
) {
    // The screens only read the session (changes arrive as messages), so a change flag here
    // means the conversation really moved.
    if !keys.is_empty()
        || !buttons.is_empty()
        || !wheel.is_empty()
        || active.is_changed()
        || screen.is_changed()
    {
        let now = time.elapsed_secs_f64();
        anim.lively_until = now + LIVELY_SECONDS;
        if anim.blink_at < now {
            anim.blink_at = now + 2.0;
        }
    }
}

/// Advances transitions, blinks and idle sway, and tells the window when to wake next.
fn animate(
    time: Res<Time<Real>>,
    settings: Res<Settings>,
    shot: Option<Res<ScreenshotMode>>,
    mut anim: ResMut<FaceAnim>,
    mut winit: ResMut<WinitSettings>,
    screen: Res<State<Screen>>,
) {
    let still = settings.reduced_motion || shot.is_some();
    let now = time.elapsed_secs_f64();
    let dt = time.delta_secs().min(0.1);
    let face_shown = matches!(screen.get(), Screen::Session | Screen::Briefing);
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
    if shot.is_some() || anim.plan == Some(plan) {
        return;
    }
    anim.plan = Some(plan);
    let wait = match plan {
        WakePlan::Animate(i) => f64::from(i),
        WakePlan::Until(t) => (t - now).max(0.016),
        WakePlan::Rest => 60.0,
    };
    let mode = UpdateMode::reactive_low_power(Duration::from_secs_f64(wait));
    // The same schedule when unfocused: a visible window beside another app still blinks.
    winit.focused_mode = mode;
    winit.unfocused_mode = mode;
}

/// Places the face in the free area the screen left for it.
fn place_face(
    area: Res<FaceArea>,
    windows: Query<&Window>,
    mut roots: Query<(&mut Transform, &mut Visibility), With<FaceRoot>>,
    screen: Res<State<Screen>>,
) {
    let Ok(window) = windows.single() else { return };
    let shown = matches!(screen.get(), Screen::Session | Screen::Briefing);
    for (mut tf, mut vis) in &mut roots {
        match (area.0, shown) {
            (Some(rect), true) if rect.width() > 80.0 && rect.height() > 80.0 => {
                let (w, h) = (window.width(), window.height());
                let c = rect.center();
                // The drawing is about 420×520 units; fit it into the area.
                let scale = (rect.width() / 420.0).min(rect.height() / 520.0).min(1.6);
                let t = Vec3::new(c.x - w / 2.0, h / 2.0 - c.y + 40.0 * scale, 0.0);
                if tf.translation != t || tf.scale.x != scale {
                    tf.translation = t;
                    tf.scale = Vec3::splat(scale);
                }
                if *vis != Visibility::Inherited {
                    *vis = Visibility::Inherited;
                }
            }
            _ => {
                if *vis != Visibility::Hidden {
                    *vis = Visibility::Hidden;
                }
            }
        }
    }
}

/// Registers the face.
pub fn plugin(app: &mut App) {
    app.init_resource::<FaceAnim>();
    app.add_systems(
        Update,
        (
            build_face,
            follow_client,
            wake_on_interaction,
            animate,
            pose_face,
            place_face,
        )
            .chain(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(engagement: i32, discord: i32) -> ClientState {
        ClientState {
            engagement,
            discord,
            importance: 3,
            confidence: 5,
        }
    }

    #[test]
    fn moods_read_as_they_should() {
        let angry = expression(Mood::Angry, &st(3, 8));
        let warm = expression(Mood::Warm, &st(8, 1));
        let sad = expression(Mood::Hopeless, &st(3, 2));
        assert!(angry.brow_inner < -0.9 && angry.mouth_curve < 0.0 && angry.flush > 0.5);
        assert!(warm.mouth_curve > 0.5 && warm.lean > 0.5);
        assert!(sad.brow_inner > 0.5 && sad.droop > 0.9 && sad.gaze_down > 0.9);
    }

    #[test]
    fn discord_turns_the_gaze_away_and_engagement_lifts_posture() {
        let calm = expression(Mood::Guarded, &st(5, 2));
        let pushed = expression(Mood::Guarded, &st(5, 9));
        assert!(pushed.gaze_away > calm.gaze_away && pushed.brow_inner < calm.brow_inner);
        let low = expression(Mood::Calm, &st(1, 3));
        let high = expression(Mood::Calm, &st(9, 3));
        assert!(low.droop > high.droop && high.lean > low.lean);
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
