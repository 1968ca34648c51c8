//! What the app is asked to do when it opens. The command line fills this in from
//! `changetalk gui`'s arguments; the app knows nothing of the command line.

use std::path::PathBuf;

use changetalk_core::AutoPolicy;

use super::state::{Mode, Screen};

/// How to open the app.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Render the screen to this PNG and exit once it is written.
    pub screenshot: Option<PathBuf>,
    /// The screen to open (by default the library; with a scenario, its briefing; with
    /// replies to play, the session).
    pub screen: Option<Screen>,
    /// The scenario (file or id) for the briefing, session and report screens.
    pub scenario: Option<String>,
    /// Replies to play first, as option numbers.
    pub choices: Option<Vec<usize>>,
    /// Play the best- or worst-rated reply at every point first.
    pub auto: Option<AutoPolicy>,
    /// Window size in logical pixels (default 1280×800).
    pub size: Option<(u32, u32)>,
    /// Seed of the session.
    pub seed: u64,
    /// Practice or assessment.
    pub mode: Mode,
    /// A classroom exercise file to open (the student signs in with name and id).
    pub exercise: Option<PathBuf>,
    /// With `exercise`: the student's name (skips the sign-in page, with `id`).
    pub student: Option<String>,
    /// With `exercise`: the student's id.
    pub id: Option<String>,
    /// With `exercise`: the results folder (default: `<data>/results`).
    pub results: Option<PathBuf>,
    /// Turn instructor mode on.
    pub instructor: bool,
    /// Text size for this run (1.0 to 2.0), instead of the saved setting.
    pub text_scale: Option<f32>,
    /// With `screenshot`: also write the frame's widget rectangles here, as JSON.
    pub layout: Option<PathBuf>,
    /// A class server to join (the student types the join code).
    pub join: Option<String>,
    /// With `join`: the join code, sent at once.
    pub join_code: Option<String>,
    /// A scenario file to open in the editor.
    pub edit: Option<std::path::PathBuf>,
    /// With `edit`: the point to show.
    pub edit_point: Option<String>,
    /// With a course: the session (1-based) to open, after the model conversation of the
    /// earlier ones.
    pub session: Option<usize>,
    /// Replies typed in the trainee's own words, played after `choices`.
    pub say: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            screenshot: None,
            screen: None,
            scenario: None,
            choices: None,
            session: None,
            edit: None,
            edit_point: None,
            auto: None,
            size: None,
            seed: 1,
            mode: Mode::Practice,
            exercise: None,
            student: None,
            id: None,
            results: None,
            instructor: false,
            text_scale: None,
            layout: None,
            join: None,
            join_code: None,
            say: Vec::new(),
        }
    }
}
