//! The expression the face shows: a pure function of the client's mood and state, so it is
//! testable without rendering.

use changetalk_core::engine::model::{ClientState, Mood};

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
    pub(super) fn lerp(&self, to: &Expression, t: f32) -> Expression {
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

    pub(super) fn distance(&self, o: &Expression) -> f32 {
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
}
