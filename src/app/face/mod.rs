//! The client's face, drawn in the Bevy 2D scene from simple shapes and animated from the
//! client's state: brows, eyes, mouth and posture follow engagement, discord and the mood of
//! the last line, with smooth transitions, blinking and a little idle motion. With "reduced
//! motion" (or while taking a screenshot) it holds still and changes instantly.
//!
//! [`expression`] is a pure function of mood and state; `build` makes the shapes for a
//! client's look, and `anim` moves them toward the expression. It is shown on the screens
//! where [`FaceShown`] holds.

mod anim;
mod build;
pub mod expression;

use std::sync::Arc;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use changetalk_core::{Scenario, Session};

pub use anim::{FaceAnim, LIVELY_SECONDS, WakePlan};
pub use expression::{Expression, expression};

use crate::app::class::{ClassRun, ServerConversation};
use crate::app::state::{FaceArea, FaceShown, Play, Screen, Selected};
use changetalk_core::engine::persona::Face;

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

/// The client whose face is shown: the one in the conversation (a classroom exercise moves
/// from client to client), otherwise the one chosen in the library.
#[derive(SystemParam)]
struct ShownClient<'w> {
    screen: Res<'w, State<Screen>>,
    play: Option<Res<'w, Play>>,
    selected: Option<Res<'w, Selected>>,
    class: Option<Res<'w, ClassRun>>,
}

impl ShownClient<'_> {
    /// The conversation on screen, if it is.
    fn session(&self) -> Option<&Session> {
        match (self.screen.get(), &self.play) {
            (Screen::Session, Some(play)) => Some(&play.session),
            _ => None,
        }
    }

    /// The client shown.
    fn scenario(&self) -> Option<&Arc<Scenario>> {
        self.session()
            .map(Session::scenario)
            .or(self.selected.as_ref().map(|s| &s.0))
    }

    /// The conversation on screen when a class server holds it.
    fn on_server(&self) -> Option<&ServerConversation> {
        match (self.screen.get(), &self.play, &self.class) {
            (Screen::Session, None, Some(class)) => class.shown.as_ref(),
            _ => None,
        }
    }

    /// How the client shown looks.
    fn look(&self) -> Option<&Face> {
        match self.on_server() {
            Some(c) => Some(&c.face),
            None => self.scenario().map(|s| &s.persona.face),
        }
    }
}

/// Places the face in the free area the screen left for it (while [`FaceShown`]).
fn place_face(
    area: Res<FaceArea>,
    windows: Query<&Window>,
    mut roots: Query<(&mut Transform, &mut Visibility), With<FaceRoot>>,
) {
    let Ok(window) = windows.single() else { return };
    let rect = area.0;
    let fits = rect.width() > 80.0 && rect.height() > 80.0;
    for (mut tf, mut vis) in &mut roots {
        if !fits {
            if *vis != Visibility::Hidden {
                *vis = Visibility::Hidden;
            }
            continue;
        }
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
}

/// Hides the face when the screen has none.
fn hide_face(mut roots: Query<&mut Visibility, With<FaceRoot>>) {
    for mut vis in &mut roots {
        *vis = Visibility::Hidden;
    }
}

/// Registers the face.
pub fn plugin(app: &mut App) {
    app.init_resource::<FaceAnim>()
        .init_resource::<build::BuiltFor>();
    app.add_systems(
        Update,
        (
            (build::build_face, anim::follow_client).run_if(in_state(FaceShown)),
            anim::wake_on_interaction,
            anim::animate,
            anim::pose_face,
            place_face.run_if(in_state(FaceShown)),
        )
            .chain(),
    );
    app.add_systems(OnExit(FaceShown), hide_face);
}
