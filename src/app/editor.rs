//! The scenario editor's state: the file being edited as a [`Draft`] (its text is the truth;
//! every form field edits one value of it, so comments and layout survive and an untouched
//! file saves byte for byte), what is selected, the text of fields being typed in, the
//! checks of the current text, and a preview conversation.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use bevy::prelude::*;
use changetalk_core::authoring::draft::{Draft, Step};
use changetalk_core::authoring::lint::{Range, Reach, reachable};
use changetalk_core::engine::Session;
use changetalk_core::engine::state::StateVar;
use changetalk_core::source::diag::{Diagnostic, Span};
use changetalk_core::{LineIndex, Scenario};

/// What the form shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Selection {
    /// The persona.
    #[default]
    Client,
    /// Point `point` of session `session` (0: the file's own `points`).
    Point {
        /// Session (0-based).
        session: usize,
        /// Point index in that session.
        point: usize,
    },
    /// Ending `ending` of session `session`.
    Ending {
        /// Session (0-based).
        session: usize,
        /// Ending index in that session.
        ending: usize,
    },
}

/// One problem with the text, as the editor lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// `line:col`.
    pub at: String,
    /// Where in the text (to tell which point it belongs to).
    pub span: Span,
    /// An error (the file does not load) rather than a lint warning.
    pub error: bool,
    /// The message.
    pub message: String,
}

/// The editor (present while the editor screen is open).
#[derive(Resource)]
pub struct Editor {
    /// The file.
    pub path: PathBuf,
    /// Its text and history.
    pub draft: Draft,
    /// What the form shows.
    pub selected: Selection,
    /// Text typed into fields, kept until the field loses focus (then it becomes one edit).
    pub typing: HashMap<String, String>,
    /// The preview conversation, from the selected point.
    pub preview: Option<Session>,
    /// The client's state the preview starts in (the persona's `initial` until changed).
    pub preview_state: Option<changetalk_core::engine::model::ClientState>,
    /// The audit, with the draft's revision it was run on (run on demand: it plays many
    /// sessions).
    pub audit: Option<(u64, Vec<changetalk_core::authoring::audit::AuditReport>)>,
    /// The last save, edit or preview problem, in words.
    pub message: Option<(String, bool)>,
    /// "Find and replace": the words to find and what replaces them.
    pub find_replace: (String, String),
    /// The checks, with the draft's revision they are of.
    checked: Option<(u64, Arc<Checked>)>,
}

/// The checks of one text.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The scenario, when the text loads.
    pub scenario: Option<Arc<Scenario>>,
    /// Errors (it does not load) or lint warnings.
    pub problems: Vec<Problem>,
    /// Every reply's rating and why, when the text loads.
    pub ratings: Vec<changetalk_core::authoring::ratings::RatingRow>,
    /// A client-type template's client still named in the words of a file about someone else:
    /// (the name, how many times).
    pub template_leftover: Option<(String, usize)>,
    /// For each session, for each of its points: the client states a conversation can reach
    /// it in (`None`: no conversation reaches it), as the dead-line check works them out.
    pub reach: Vec<Vec<Option<Reach>>>,
}

/// Each session's reachable states, point by point.
fn reach_of(s: &Scenario) -> Vec<Vec<Option<Reach>>> {
    (0..s.session_count())
        .map(|i| {
            let initial = match i {
                0 => StateVar::ALL.map(|v| Range::exactly(s.persona.initial.get(v))),
                _ => [Range::SCALE; 4],
            };
            s.part(i, s.persona.initial, Default::default())
                .map(|part| reachable(&part, initial))
                .unwrap_or_default()
        })
        .collect()
}

/// The first word of a client's name ("Sam" of "Sam Lee"): how lines name them.
pub fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or("")
}

/// The template clients' first names, read once.
fn template_names() -> &'static [String] {
    static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    NAMES.get_or_init(changetalk_core::format::template::template_client_names)
}

impl Editor {
    /// The editor on `text`, read from `path`.
    pub fn open(path: PathBuf, text: String) -> Editor {
        Editor {
            path,
            draft: Draft::open(text),
            selected: Selection::Client,
            typing: HashMap::new(),
            preview: None,
            preview_state: None,
            audit: None,
            message: None,
            find_replace: (String::new(), String::new()),
            checked: None,
        }
    }

    /// The checks of the current text (worked out once per revision; shared, not copied, by
    /// every frame that draws them).
    pub fn checked(&mut self) -> Arc<Checked> {
        let revision = self.draft.revision();
        if let Some((r, c)) = &self.checked
            && *r == revision
        {
            return Arc::clone(c);
        }
        {
            let mut c = check(self.draft.text());
            if let Some(s) = &c.scenario {
                let own = first_name(&s.persona.name);
                c.template_leftover = template_names()
                    .iter()
                    .filter(|n| n.as_str() != own)
                    .map(|n| (n.clone(), self.draft.count_in_words(n)))
                    .find(|(_, k)| *k > 0);
            }
            let c = Arc::new(c);
            self.checked = Some((revision, Arc::clone(&c)));
            c
        }
    }

    /// Selects the point with this id (in any session); false when there is none.
    pub fn select_point(&mut self, id: &str) -> bool {
        let Ok(s) = self.draft.scenario() else {
            return false;
        };
        for session in 0..s.session_count() {
            if let Some(point) = s.session_points(session).iter().position(|p| p.id == id) {
                self.selected = Selection::Point { session, point };
                return true;
            }
        }
        false
    }

    /// The path of the points list of session `session`.
    pub fn points_path(session: usize) -> Vec<Step> {
        match session {
            0 => vec![Step::Field("points")],
            s => vec![
                Step::Field("sessions"),
                Step::Item(s - 1),
                Step::Field("points"),
            ],
        }
    }

    /// The path of point `point` of session `session`.
    pub fn point_path(session: usize, point: usize) -> Vec<Step> {
        let mut p = Editor::points_path(session);
        p.push(Step::Item(point));
        p
    }

    /// The path of ending `ending` of session `session`.
    pub fn ending_path(session: usize, ending: usize) -> Vec<Step> {
        let mut p = match session {
            0 => vec![Step::Field("endings")],
            s => vec![
                Step::Field("sessions"),
                Step::Item(s - 1),
                Step::Field("endings"),
            ],
        };
        p.push(Step::Item(ending));
        p
    }

    /// The span of the selected point or ending in the text, if one is selected.
    pub fn selected_span(&self) -> Option<Span> {
        let path = match self.selected {
            Selection::Client => return None,
            Selection::Point { session, point } => Editor::point_path(session, point),
            Selection::Ending { session, ending } => Editor::ending_path(session, ending),
        };
        self.draft.span(&path)
    }

    /// Applies an edit, keeping its error (if any) as the message.
    pub fn apply(&mut self, r: Result<(), changetalk_core::authoring::draft::EditError>) {
        match r {
            Ok(()) => self.message = None,
            Err(e) => self.message = Some((e.to_string(), true)),
        }
    }
}

/// Reads the text: errors when it does not load, else lint warnings.
pub fn check(text: &str) -> Checked {
    let idx = LineIndex::new(text);
    let problem = |d: &Diagnostic, error: bool| {
        let (l, c) = idx.line_col(d.span.start);
        Problem {
            at: format!("{l}:{c}"),
            span: d.span,
            error,
            message: d.message.clone(),
        }
    };
    match changetalk_core::load_scenario(text) {
        Ok(s) => {
            let lint = changetalk_core::authoring::lint::lint(&s, &Default::default());
            Checked {
                problems: lint.iter().map(|d| problem(d, false)).collect(),
                ratings: changetalk_core::authoring::ratings::ratings(&s),
                template_leftover: None,
                reach: reach_of(&s),
                scenario: Some(Arc::new(s)),
            }
        }
        Err(diags) => Checked {
            scenario: None,
            ratings: Vec::new(),
            template_leftover: None,
            reach: Vec::new(),
            problems: diags.iter().map(|d| problem(d, true)).collect(),
        },
    }
}

/// A new point for the editor's "+ Point": one neutral line and one option leading to the
/// first ending, with ids made unique from `n`.
pub fn new_point(n: usize, first_ending: &str) -> String {
    format!(
        "Point(\n    id: \"point-{n}\",\n    lines: [\n        Line(id: \"point-{n}.a\", text: \"What the client says here.\", talk: Neutral),\n    ],\n    options: [\n        Option(\n            id: \"point-{n}.reply\",\n            text: \"What the trainee can say.\",\n            codes: [OpenQuestion],\n            next: \"{first_ending}\",\n            feedback: \"Open question: say what it does and what would be better.\",\n        ),\n    ],\n)"
    )
}

/// A new line for "+ Line" of a point with id `point`, made unique by `n`.
pub fn new_line(point: &str, n: usize) -> String {
    format!(
        "Line(id: \"{point}.line-{n}\", text: \"Another thing the client may say.\", talk: Neutral)"
    )
}

/// A new option for "+ Option", leading where `next` says.
pub fn new_option(point: &str, n: usize, next: &str) -> String {
    format!(
        "Option(\n    id: \"{point}.reply-{n}\",\n    text: \"Another reply.\",\n    codes: [ClosedQuestion],\n    next: \"{next}\",\n    feedback: \"Closed question: say what it does and what would be better.\",\n)"
    )
}

/// The talk types a line may have, as RON.
pub const TALK_TYPES: [&str; 16] = [
    "Change(Desire)",
    "Change(Ability)",
    "Change(Reasons)",
    "Change(Need)",
    "Change(Commitment)",
    "Change(Activation)",
    "Change(TakingSteps)",
    "Sustain(Desire)",
    "Sustain(Ability)",
    "Sustain(Reasons)",
    "Sustain(Need)",
    "Sustain(Commitment)",
    "Sustain(Activation)",
    "Sustain(TakingSteps)",
    "Discord",
    "Neutral",
];
