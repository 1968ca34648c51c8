//! What the app holds: the screen (a Bevy state, with the exercise page as its sub-state and
//! "the face is shown" computed from it), and the resources a screen shows. A resource that
//! only exists while there is something to show — the chosen client, the conversation, the
//! report, the open exercise — is inserted and removed by the flow (`flow.rs`), together
//! with the screen that shows it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy_egui::egui;
use changetalk_core::classroom::exercise::ExerciseMode;
use changetalk_core::engine::{Session, Transcript};
use changetalk_core::miti::score::Score;
use changetalk_core::{Scenario, score_transcript};

use crate::library::Entry;

/// The action handlers and navigation of [`crate::app::flow`], in this order each frame: the
/// exercise's time limit first (so no reply is recorded after it), then each screen's actions.
/// Here, with the other shared state, so that plugins that run after it need not import the
/// flow.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct FlowSet;

/// The screens.
#[derive(States, Default, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Screen {
    /// The client library.
    #[default]
    Library,
    /// The chosen client's briefing.
    Briefing,
    /// The conversation.
    Session,
    /// The end-of-session report.
    Report,
    /// Preferences.
    Settings,
    /// A classroom exercise: sign-in, then its results.
    Exercise,
    /// An exercise on a class server: the join code, each client's briefing, the result
    /// (its conversations are on [`Screen::Session`]).
    Class,
    /// The scenario editor (instructor mode).
    Editor,
}

/// The page of the exercise screen.
#[derive(SubStates, Default, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[source(Screen = Screen::Exercise)]
pub enum ExercisePage {
    /// Instructions and the student's name and id (or "continue").
    #[default]
    SignIn,
    /// The finished exercise's results.
    Results,
}

/// The page of the class-server screen.
#[derive(SubStates, Default, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[source(Screen = Screen::Class)]
pub enum ClassPage {
    /// The join code (or, once joined, where the attempt stands and "continue").
    #[default]
    Join,
    /// The next client's briefing.
    Briefing,
    /// The attempt's result.
    Results,
}

/// The client's face is on screen (the briefing and the conversation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FaceShown;

impl ComputedStates for FaceShown {
    type SourceStates = Screen;

    fn compute(screen: Screen) -> Option<Self> {
        matches!(screen, Screen::Briefing | Screen::Session).then_some(FaceShown)
    }
}

/// Practice or assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Meters, feedback after every reply, "try another reply".
    #[default]
    Practice,
    /// No hints until the report.
    Assessment,
}

impl From<ExerciseMode> for Mode {
    fn from(m: ExerciseMode) -> Self {
        match m {
            ExerciseMode::Practice => Mode::Practice,
            ExerciseMode::Assessment => Mode::Assessment,
        }
    }
}

impl Mode {
    /// "Practice" or "Assessment".
    pub fn name(self) -> &'static str {
        match self {
            Mode::Practice => "Practice",
            Mode::Assessment => "Assessment",
        }
    }
}

/// Every scenario file found: bundled clients, then the user's own.
#[derive(Resource, Default)]
pub struct Catalog(pub Vec<Entry>);

/// The client chosen in the library (present once one is chosen).
#[derive(Resource, Clone)]
pub struct Selected(pub Arc<Scenario>);

/// The conversation in progress (present while there is one).
#[derive(Resource)]
pub struct Play {
    /// The engine.
    pub session: Session,
    /// Practice or assessment.
    pub mode: Mode,
    /// The scenario's index in the open exercise, when this session is part of one.
    pub exercise: Option<usize>,
    /// Instructor mode was on at some point: the trainee saw every reply's rating, so the
    /// session sets no best score.
    pub previewed: bool,
    /// A typed reply the coder was unsure about, waiting for "which did you mean?".
    pub pending_typed: Option<crate::free_text::Understood>,
    /// The course this session belongs to, when the client has several sessions.
    pub course: Option<crate::app::course::InCourse>,
}

impl Play {
    /// A new session.
    pub fn new(scenario: Arc<Scenario>, seed: u64, mode: Mode) -> Play {
        Play {
            session: Session::new(scenario, seed),
            mode,
            exercise: None,
            previewed: false,
            pending_typed: None,
            course: None,
        }
    }

    /// The current session of a course (`None` once it has ended).
    pub fn in_course(
        course: &changetalk_core::engine::course::Course,
        key: String,
        mode: Mode,
    ) -> Option<Play> {
        let (ctx, session) = crate::app::course::InCourse::of(course, key)?;
        Some(Play {
            session,
            mode,
            exercise: None,
            previewed: false,
            pending_typed: None,
            course: Some(ctx),
        })
    }
}

/// The finished session the report screen shows (present once there is one).
#[derive(Resource)]
pub struct Report {
    /// The client.
    pub scenario: Arc<Scenario>,
    /// The conversation.
    pub transcript: Transcript,
    /// Its score.
    pub score: Score,
    /// Practice or assessment.
    pub mode: Mode,
    /// Result of the last export, shown to the trainee (a success fades, a failure stays).
    pub export_message: Option<Notice>,
    /// A scenario of a classroom exercise (no "play again"; back goes to the results).
    pub from_exercise: bool,
    /// Played with instructor mode on (or from a jumped-to point): not a best score.
    pub previewed: bool,
    /// The course, when this session was one of a course: which session, and where the
    /// course stands after it.
    pub course: Option<(crate::app::course::InCourse, crate::app::course::CourseView)>,
}

impl Report {
    /// Scores a finished (or stopped) session.
    pub fn from_play(play: &Play) -> Report {
        let transcript = play.session.transcript();
        let score = score_transcript(&transcript);
        Report {
            scenario: Arc::clone(play.session.scenario()),
            transcript,
            score,
            mode: play.mode,
            export_message: None,
            from_exercise: play.exercise.is_some(),
            previewed: play.previewed || play.session.preview_start().is_some(),
            course: play.course.as_ref().and_then(|c| {
                let view = crate::app::course::after_session(
                    Arc::clone(&c.scenario),
                    &c.save(&play.session),
                )?;
                Some((c.clone(), view))
            }),
        }
    }
}

/// A passing message — a file reloaded, a report or graph saved — shown for
/// [`Notice::SHOWN`] and fading out over its last [`Notice::FADE`]. A problem (an export that
/// failed) stays until it is replaced. The app wakes once when a notice starts to fade (see
/// `hot_reload::wake_for_notices`) and draws the fade frame by frame; it never polls.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// What to say.
    pub text: String,
    /// Something went wrong: drawn in the problem colour, and it does not fade.
    pub problem: bool,
    /// When it was raised.
    pub since: Instant,
}

impl Notice {
    /// How long a notice is on screen, its fade included.
    pub const SHOWN: Duration = Duration::from_secs(6);
    /// How long it takes to fade out, at the end of [`Notice::SHOWN`].
    pub const FADE: Duration = Duration::from_millis(800);

    /// A notice raised now.
    pub fn new(text: impl Into<String>) -> Notice {
        Notice {
            text: text.into(),
            problem: false,
            since: Instant::now(),
        }
    }

    /// A problem raised now (it stays).
    pub fn problem(text: impl Into<String>) -> Notice {
        Notice {
            problem: true,
            ..Notice::new(text)
        }
    }

    /// A notice for what was done, or a problem for why not.
    pub fn from_result(r: Result<String, String>) -> Notice {
        match r {
            Ok(m) => Notice::new(m),
            Err(m) => Notice::problem(m),
        }
    }

    /// How opaque the notice is at `now`: 1 until its fade, then down to 0; `None` once it is
    /// gone. (A fade is not motion: reduced motion keeps it.)
    pub fn opacity(&self, now: Instant) -> Option<f32> {
        if self.problem {
            return Some(1.0);
        }
        let age = now.saturating_duration_since(self.since);
        if age >= Notice::SHOWN {
            return None;
        }
        let fade_at = Notice::SHOWN - Notice::FADE;
        if age <= fade_at {
            return Some(1.0);
        }
        Some(1.0 - (age - fade_at).as_secs_f32() / Notice::FADE.as_secs_f32())
    }

    /// When the notice next changes on screen by itself: when its fade starts. `None` for a
    /// problem, and once the fade has started (the drawing asks for each frame of the fade,
    /// the last of which no longer shows it).
    pub fn next_change(&self, now: Instant) -> Option<Instant> {
        if self.problem {
            return None;
        }
        let at = self.since + (Notice::SHOWN - Notice::FADE);
        (at > now).then_some(at)
    }

    /// Draws the notice as a small line in `colour` (faded), or nothing once it is gone; asks
    /// for the next frame while it fades.
    pub fn show(&self, ui: &mut egui::Ui, colour: egui::Color32) {
        let now = Instant::now();
        let Some(alpha) = self.opacity(now) else {
            return;
        };
        ui.label(
            egui::RichText::new(&self.text)
                .small()
                .color(colour.gamma_multiply(alpha)),
        );
        if !self.problem && self.next_change(now).is_none() {
            // Fading: the next frame draws it fainter (or not at all).
            ui.ctx().request_repaint();
        }
    }
}

/// The screen settings return to.
#[derive(Resource, Debug, Clone, Copy, Default)]
pub struct ReturnTo(pub Screen);

/// The free central area of the screen showing the face, in logical pixels (drawn there
/// while [`FaceShown`]).
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct FaceArea(pub egui::Rect);

impl Default for FaceArea {
    fn default() -> Self {
        FaceArea(egui::Rect::NOTHING)
    }
}

/// Registers the exercise page and the face's state; the app inserts [`Screen`] first, on
/// the screen it opens.
pub fn plugin(app: &mut App) {
    app.add_sub_state::<ExercisePage>()
        .add_sub_state::<ClassPage>()
        .add_computed_state::<FaceShown>()
        .init_resource::<ReturnTo>()
        .init_resource::<FaceArea>()
        .init_resource::<Catalog>();
}
