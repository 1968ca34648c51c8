//! The expression the face shows: a pure function of the client's mood and state, so it is
//! testable without rendering.

use changetalk_core::engine::model::{ClientState, Mood, Outcome};

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

/// How a mood holds the brows, which the client's state never overturns: sadness and worry
/// raise the inner brows, hostility pulls them down, and an open face keeps them level or
/// raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Guarded, defensive, irritated, angry: inner brows down; discord hardens them and, at
    /// its height, flushes the cheeks.
    Hostile,
    /// Sad, hopeless, anxious: inner brows raised; discord turns the gaze away and presses the
    /// lips, never into anger.
    Distressed,
    /// Calm, thoughtful, hopeful, relieved, warm: discord only softens the smile and the brows
    /// toward neutral.
    Open,
}

impl Family {
    /// The family of a mood.
    pub fn of(mood: Mood) -> Family {
        match mood {
            Mood::Guarded | Mood::Defensive | Mood::Irritated | Mood::Angry => Family::Hostile,
            Mood::Sad | Mood::Hopeless | Mood::Anxious => Family::Distressed,
            Mood::Calm | Mood::Thoughtful | Mood::Hopeful | Mood::Relieved | Mood::Warm => {
                Family::Open
            }
        }
    }
}

/// The mood the face shows once the conversation has ended, from the last line's mood: a
/// client who walks out keeps a low or hostile mood (sad is not angry) and otherwise looks
/// guarded; a good ending shows relief unless the client already looked warm or hopeful.
pub fn ending_mood(last: Mood, outcome: Outcome) -> Mood {
    match outcome {
        Outcome::Disengaged => match Family::of(last) {
            Family::Open => Mood::Guarded,
            Family::Hostile | Family::Distressed => last,
        },
        Outcome::Positive => match last {
            Mood::Warm | Mood::Hopeful | Mood::Relieved => last,
            _ => Mood::Relieved,
        },
        Outcome::Mixed => last,
    }
}

/// The base expression of a mood, before the state shades it.
fn base(mood: Mood) -> Expression {
    match mood {
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
    }
}

/// The expression for a mood, shaded subtly by the client's state. The mood comes first: the
/// state never flips the sign of the brows or the mouth, and only a hostile mood flushes.
/// Discord turns the gaze away (every mood), hardens a hostile face, presses a distressed
/// one's lips and softens an open one's smile; engagement lifts the posture and leans in,
/// disengagement slumps.
pub fn expression(mood: Mood, state: &ClientState) -> Expression {
    let mut e = base(mood);
    let discord = (state.discord as f32 / 10.0).clamp(0.0, 1.0);
    let engagement = (state.engagement as f32 / 10.0).clamp(0.0, 1.0);
    // 0 up to discord 3, 1 at discord 10.
    let hard = ((discord - 0.3) / 0.7).max(0.0);
    match Family::of(mood) {
        Family::Hostile => {
            e.brow_inner = (e.brow_inner - 0.25 * hard).clamp(-1.0, 0.0);
            e.mouth_press = (e.mouth_press + 0.2 * hard).min(1.0);
            e.flush = (e.flush + 0.5 * (discord - 0.6).max(0.0)).clamp(0.0, 1.0);
        }
        Family::Distressed => {
            e.mouth_press = (e.mouth_press + 0.2 * hard).min(1.0);
            e.flush = 0.0;
        }
        Family::Open => {
            e.brow_inner *= 1.0 - 0.4 * hard;
            e.mouth_curve *= 1.0 - 0.4 * hard;
            e.flush = 0.0;
        }
    }
    e.gaze_away = (e.gaze_away + 0.9 * (discord - 0.4).max(0.0)).clamp(0.0, 1.0);
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

    /// Every state a client can be in, as far as the face is concerned.
    fn grid() -> impl Iterator<Item = ClientState> {
        (0..=10).flat_map(|e| (0..=10).map(move |d| st(e, d)))
    }

    /// The features that make a mood read as itself; they must hold in every state.
    fn reads_as_its_mood(mood: Mood, e: &Expression) -> Result<(), String> {
        let ok = match mood {
            Mood::Calm => e.brow_inner >= 0.0 && e.mouth_curve >= 0.0 && e.flush == 0.0,
            Mood::Guarded => e.brow_inner < 0.0 && e.mouth_curve <= 0.0 && e.mouth_press >= 0.5,
            Mood::Defensive => e.brow_inner < 0.0 && e.mouth_curve < 0.0,
            Mood::Irritated => e.brow_inner < -0.5 && e.mouth_curve < 0.0 && e.flush > 0.0,
            Mood::Angry => e.brow_inner < -0.9 && e.mouth_curve < -0.5 && e.flush >= 0.8,
            Mood::Sad => {
                e.brow_inner > 0.5 && e.mouth_curve < 0.0 && e.gaze_down > 0.5 && e.flush == 0.0
            }
            Mood::Hopeless => {
                e.brow_inner > 0.5 && e.droop > 0.9 && e.gaze_down > 0.9 && e.flush == 0.0
            }
            Mood::Anxious => {
                e.brow_inner > 0.5 && e.brow_raise > 0.3 && e.eye_open > 0.9 && e.flush == 0.0
            }
            Mood::Thoughtful => {
                e.brow_inner > 0.0 && e.mouth_curve >= 0.0 && e.gaze_away > 0.3 && e.flush == 0.0
            }
            Mood::Hopeful => e.brow_inner > 0.0 && e.mouth_curve > 0.2 && e.flush == 0.0,
            Mood::Relieved => e.brow_inner > 0.0 && e.mouth_curve > 0.3 && e.flush == 0.0,
            Mood::Warm => e.brow_inner >= 0.0 && e.mouth_curve > 0.4 && e.flush == 0.0,
        };
        if ok {
            Ok(())
        } else {
            Err(format!("{mood:?} does not read as itself: {e:?}"))
        }
    }

    #[test]
    fn every_mood_reads_as_itself_in_every_state() {
        for mood in Mood::ALL {
            for s in grid() {
                let e = expression(mood, &s);
                if let Err(m) = reads_as_its_mood(mood, &e) {
                    panic!("{m} (engagement {}, discord {})", s.engagement, s.discord);
                }
            }
        }
    }

    #[test]
    fn the_state_never_flips_a_moods_brows_or_mouth() {
        for mood in Mood::ALL {
            let b = base(mood);
            for s in grid() {
                let e = expression(mood, &s);
                let same_sign = |a: f32, b: f32| a == 0.0 && b == 0.0 || a * b > 0.0;
                assert!(
                    same_sign(e.brow_inner, b.brow_inner),
                    "{mood:?} brows flip at {s:?}: {} vs {}",
                    e.brow_inner,
                    b.brow_inner
                );
                assert!(
                    same_sign(e.mouth_curve, b.mouth_curve),
                    "{mood:?} mouth flips at {s:?}"
                );
                // Subtle: the state moves the brows and mouth by a third at most.
                assert!(
                    (e.brow_inner - b.brow_inner).abs() <= 0.3,
                    "{mood:?} at {s:?}"
                );
                assert!(
                    (e.mouth_curve - b.mouth_curve).abs() <= 0.33,
                    "{mood:?} at {s:?}"
                );
            }
        }
    }

    #[test]
    fn sad_is_not_angry() {
        for s in grid() {
            for low in [Mood::Sad, Mood::Hopeless, Mood::Anxious] {
                let e = expression(low, &s);
                assert_eq!(Family::of(low), Family::Distressed);
                assert!(
                    e.brow_inner > 0.5 && e.flush == 0.0,
                    "{low:?} at {s:?}: {e:?}"
                );
                for hostile in [Mood::Irritated, Mood::Angry] {
                    let h = expression(hostile, &s);
                    assert!(h.brow_inner < 0.0 && h.flush > 0.0);
                    assert!(e.brow_inner - h.brow_inner > 1.0);
                }
            }
        }
    }

    #[test]
    fn only_hostile_moods_flush() {
        for mood in Mood::ALL {
            for s in grid() {
                let e = expression(mood, &s);
                if Family::of(mood) != Family::Hostile {
                    assert_eq!(e.flush, 0.0, "{mood:?} at {s:?}");
                }
            }
        }
    }

    #[test]
    fn discord_turns_the_gaze_away_and_engagement_lifts_posture() {
        let calm = expression(Mood::Guarded, &st(5, 2));
        let pushed = expression(Mood::Guarded, &st(5, 9));
        assert!(pushed.gaze_away > calm.gaze_away && pushed.brow_inner < calm.brow_inner);
        let sad = expression(Mood::Sad, &st(5, 2));
        let pushed_sad = expression(Mood::Sad, &st(5, 9));
        assert!(pushed_sad.gaze_away > sad.gaze_away);
        assert_eq!(pushed_sad.brow_inner, sad.brow_inner);
        let low = expression(Mood::Calm, &st(1, 3));
        let high = expression(Mood::Calm, &st(9, 3));
        assert!(low.droop > high.droop && high.lean > low.lean);
    }

    #[test]
    fn an_ending_keeps_the_last_mood_where_it_fits() {
        assert_eq!(ending_mood(Mood::Sad, Outcome::Disengaged), Mood::Sad);
        assert_eq!(ending_mood(Mood::Angry, Outcome::Disengaged), Mood::Angry);
        assert_eq!(ending_mood(Mood::Warm, Outcome::Disengaged), Mood::Guarded);
        assert_eq!(
            ending_mood(Mood::Guarded, Outcome::Positive),
            Mood::Relieved
        );
        assert_eq!(ending_mood(Mood::Hopeful, Outcome::Positive), Mood::Hopeful);
        assert_eq!(
            ending_mood(Mood::Thoughtful, Outcome::Mixed),
            Mood::Thoughtful
        );
        for mood in Mood::ALL {
            assert_ne!(
                Family::of(ending_mood(mood, Outcome::Positive)),
                Family::Hostile
            );
        }
    }
}
