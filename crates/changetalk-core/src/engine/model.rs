//! The scenario model: a client persona, decision points, counsellor options and endings.
//!
//! Values here come from [`crate::format::load::load_scenario`], which fills in every span so the
//! validator and linter can point at the exact item in the source file. The model derives
//! `Deserialize`: fields name their checks (`crate::source::check`, `engine::fields`) and receive
//! their spans through the decoder's `$span`/`$spans` fields (see `crate::format::de`).

use serde::{Deserialize, Serialize};

use crate::engine::condition::Condition;
use crate::engine::fields;
use crate::engine::memory::{self, Fact};
pub use crate::engine::persona::{
    Effects, Face, HairStyle, Persona, PersonaSpans, ReactionClass, Reactions, Walkout,
};
pub use crate::engine::state::{ClientState, STATE_MAX, STATE_MIN, StateVar};
use crate::miti::codes::MitiCode;
pub use crate::miti::talk::{DarnCat, TalkType, Target};
use crate::source::check::{ListRules, list};
use crate::source::check::{id, ids, int, text, texts};
use crate::source::diag::Span;
use serde::Deserializer;

/// A whole client: metadata, persona, decision points and endings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Scenario {
    /// Stable id, lowercase letters, digits and dashes (`court-ordered-dui`).
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// Title shown on the library card.
    #[serde(deserialize_with = "text")]
    pub title: String,
    /// Author's version string.
    #[serde(default = "fields::version")]
    pub version: String,
    /// Who wrote it.
    #[serde(default)]
    pub author: String,
    /// One-paragraph summary for the library.
    #[serde(deserialize_with = "text")]
    pub summary: String,
    /// What the trainee should practise.
    #[serde(default, deserialize_with = "texts")]
    pub objectives: Vec<String>,
    /// Substance or behaviour (`alcohol`, `opioids`, `gambling`).
    #[serde(default)]
    pub topic: String,
    /// The client's stage of change.
    pub stage: Stage,
    /// How hard the client is to engage.
    pub difficulty: Difficulty,
    /// Estimated minutes to play.
    #[serde(default = "fields::minutes", deserialize_with = "int::<_, _, 1, 240>")]
    pub minutes: u32,
    /// Free tags for search.
    #[serde(default, deserialize_with = "texts")]
    pub tags: Vec<String>,
    /// Who the client is and how they react.
    pub persona: Persona,
    /// Id of the first decision point.
    #[serde(deserialize_with = "id")]
    pub start: String,
    /// Decision points in file order.
    #[serde(deserialize_with = "points")]
    pub points: Vec<Point>,
    /// Endings in file order.
    #[serde(deserialize_with = "endings")]
    pub endings: Vec<Ending>,
    /// A course's title for its first session (the points and endings above), shown before
    /// it ("After the relapse"); only meaningful with `sessions`.
    #[serde(
        default,
        deserialize_with = "fields::opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub session_title: Option<String>,
    /// The later sessions of a course, in the order they are played ("a week later"); empty
    /// for a single-session client. See [`CourseSession`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sessions: Vec<CourseSession>,
    /// What a course's part ([`Scenario::part`]) starts out remembering: the facts of the
    /// sessions before it. Never read from a file; empty for a file as loaded. A session over
    /// this scenario starts with it ([`crate::engine::Session::new`]).
    #[serde(skip)]
    pub carried: memory::Memory,
    /// Source locations of top-level fields.
    #[serde(rename = "$spans", default, skip_serializing)]
    pub spans: ScenarioSpans,
}

/// Where the scenario's top-level items are in the file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ScenarioSpans {
    /// The whole document.
    #[serde(rename = "$span")]
    pub whole: Span,
    /// The `start` value.
    pub start: Span,
    /// The `id` value.
    pub id: Span,
    /// The `session_title` value.
    pub session_title: Span,
}

/// A later session of a course: the same client, another day. It has its own decision points
/// and endings (ids unique in the whole file) and starts with the state the last session
/// left, relaxed toward the persona's baseline ([`crate::engine::course::drift`]), and with
/// everything remembered so far.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Session")]
pub struct CourseSession {
    /// Stable id, unique among the file's ids (`week-later`).
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// Short title ("A week later").
    #[serde(deserialize_with = "text")]
    pub title: String,
    /// The scene the trainee reads before the client speaks ("A week later, Denise is back…").
    #[serde(deserialize_with = "text")]
    pub intro: String,
    /// Id of this session's first decision point.
    #[serde(deserialize_with = "id")]
    pub start: String,
    /// This session's decision points.
    #[serde(deserialize_with = "points")]
    pub points: Vec<Point>,
    /// This session's endings.
    #[serde(deserialize_with = "endings")]
    pub endings: Vec<Ending>,
    /// When discord gets this high the client leaves; names one of this session's endings.
    #[serde(default)]
    pub walkout: Option<Walkout>,
    /// Source locations.
    #[serde(rename = "$spans", default, skip_serializing)]
    pub spans: CourseSessionSpans,
}

/// Where a later session's parts are.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CourseSessionSpans {
    /// The whole session.
    #[serde(rename = "$span")]
    pub whole: Span,
    /// The `id` value.
    pub id: Span,
    /// The `start` value.
    pub start: Span,
    /// The walkout `ending` value.
    #[serde(rename = "walkout.ending")]
    pub walkout_ending: Span,
}

/// Stage of change (transtheoretical model), per mi-reference §6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Not considering change; may not see a problem.
    Precontemplation,
    /// Ambivalent: weighing change.
    Contemplation,
    /// Intending to act soon; planning steps.
    Preparation,
    /// Actively changing.
    Action,
    /// Sustaining change over time.
    Maintenance,
    /// Returned to the old behaviour after a period of change.
    Relapse,
}

impl Stage {
    /// All stages in order.
    pub const ALL: [Stage; 6] = [
        Stage::Precontemplation,
        Stage::Contemplation,
        Stage::Preparation,
        Stage::Action,
        Stage::Maintenance,
        Stage::Relapse,
    ];
    /// The RON spelling.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Precontemplation => "Precontemplation",
            Stage::Contemplation => "Contemplation",
            Stage::Preparation => "Preparation",
            Stage::Action => "Action",
            Stage::Maintenance => "Maintenance",
            Stage::Relapse => "Relapse",
        }
    }
}

/// How hard a client is to engage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Difficulty {
    /// Forgiving: recovers quickly from a misstep.
    Beginner,
    /// Pushes back; needs reflective listening.
    Intermediate,
    /// Quick to discord; punishes the righting reflex.
    Advanced,
}

impl Difficulty {
    /// All levels in order.
    pub const ALL: [Difficulty; 3] = [
        Difficulty::Beginner,
        Difficulty::Intermediate,
        Difficulty::Advanced,
    ];
    /// The RON spelling.
    pub fn name(self) -> &'static str {
        match self {
            Difficulty::Beginner => "Beginner",
            Difficulty::Intermediate => "Intermediate",
            Difficulty::Advanced => "Advanced",
        }
    }
}

/// One moment in the conversation: the client speaks, the trainee picks a reply.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Point {
    /// Stable id, unique among points and endings.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// Variants of what the client says here.
    pub lines: Vec<Line>,
    /// What the trainee may answer (the loader reports a point without any).
    #[serde(default)]
    pub options: Vec<ReplyOption>,
    /// Source locations.
    #[serde(rename = "$spans", default, skip_serializing)]
    pub spans: PointSpans,
}

impl Point {
    /// The line the client says here when nothing special holds: the first without `when`
    /// or `after`, else the first.
    pub fn default_line(&self) -> Option<&Line> {
        self.lines
            .iter()
            .find(|l| l.when.is_none() && l.after.is_empty())
            .or(self.lines.first())
    }
}

/// Where a point's parts are.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PointSpans {
    /// The whole point.
    #[serde(rename = "$span")]
    pub whole: Span,
    /// The `id` value.
    pub id: Span,
    /// The `options` value.
    pub options: Span,
    /// The `lines` value.
    pub lines: Span,
}

/// One thing the client may say at a point.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Line {
    /// Stable id, unique in the file.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// The words.
    #[serde(deserialize_with = "text")]
    pub text: String,
    /// The kind of client language (mi-reference §4).
    #[serde(default = "fields::neutral", deserialize_with = "fields::talk")]
    pub talk: TalkType,
    /// How the client feels saying it (drives the face).
    #[serde(default = "calm")]
    pub mood: Mood,
    /// Only said when this holds.
    #[serde(default, deserialize_with = "fields::condition")]
    pub when: Option<Condition>,
    /// Option ids this line answers: when non-empty, the line is said only right after one
    /// of these replies (and then wins over the point's other lines).
    #[serde(default, deserialize_with = "ids")]
    pub after: Vec<String>,
    /// Facts the client remembers once they say this line (see [`crate::engine::memory`]).
    #[serde(
        default,
        deserialize_with = "memory::facts",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub remember: Vec<Fact>,
    /// Source locations.
    #[serde(rename = "$spans", default, skip_serializing)]
    pub spans: LineSpans,
}

/// Where a line's parts are.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LineSpans {
    /// The whole line.
    #[serde(rename = "$span")]
    pub whole: Span,
    /// The `id` value.
    pub id: Span,
    /// The `text` value.
    pub text: Span,
    /// The `talk` value; empty (the default) when the file does not write `talk`.
    pub talk: Span,
    /// The `after` value, one span per listed option id.
    pub after: Vec<Span>,
    /// The `when` value.
    pub when: Span,
    /// The `remember` value, one span per fact.
    pub remember: Vec<Span>,
}

impl LineSpans {
    /// True when the file wrote this line's `talk` (the loader defaults a missing one to
    /// Neutral; `lint` asks authors to write it).
    pub fn talk_written(&self) -> bool {
        self.talk.end > self.talk.start
    }
}

/// A counsellor reply the trainee can choose.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Option")]
pub struct ReplyOption {
    /// Stable id, unique in the file.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// What the counsellor says.
    #[serde(deserialize_with = "text")]
    pub text: String,
    /// MITI behaviour codes of the whole turn.
    #[serde(deserialize_with = "fields::codes")]
    pub codes: Vec<MitiCode>,
    /// What the reply answers; when absent, the talk type of the line just said.
    #[serde(default)]
    pub responds_to: Option<Target>,
    /// An open question that asks for change talk (DARN: "What would be different if…?"):
    /// it credits Cultivating Change Talk and rates as a strong reply.
    #[serde(default)]
    pub evokes_change_talk: bool,
    /// Author's overrides of the persona's default reaction.
    #[serde(default)]
    pub effects: Effects,
    /// Next point or ending id.
    #[serde(deserialize_with = "id")]
    pub next: String,
    /// Why this reply is or is not MI-consistent.
    #[serde(deserialize_with = "text")]
    pub feedback: String,
    /// Facts the course remembers once the trainee gives this reply (an agreement, a plan
    /// step, a promise; see [`crate::engine::memory`]).
    #[serde(
        default,
        deserialize_with = "memory::facts",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub remember: Vec<Fact>,
    /// Source locations.
    #[serde(rename = "$spans", default, skip_serializing)]
    pub spans: OptionSpans,
}

/// Where an option's parts are.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OptionSpans {
    /// The whole option.
    #[serde(rename = "$span")]
    pub whole: Span,
    /// The `id` value.
    pub id: Span,
    /// The `text` value.
    pub text: Span,
    /// The `codes` value.
    pub codes: Span,
    /// The `next` value.
    pub next: Span,
    /// The `feedback` value.
    pub feedback: Span,
    /// The `remember` value, one span per fact.
    pub remember: Vec<Span>,
}

/// How the client feels; the face shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mood {
    /// At ease.
    Calm,
    /// Wary, holding back.
    Guarded,
    /// Justifying, on the back foot.
    Defensive,
    /// Annoyed.
    Irritated,
    /// Openly angry.
    Angry,
    /// Low, tearful.
    Sad,
    /// Given up.
    Hopeless,
    /// Worried.
    Anxious,
    /// Weighing things up.
    Thoughtful,
    /// Seeing a way forward.
    Hopeful,
    /// Unburdened.
    Relieved,
    /// Warm toward the counsellor.
    Warm,
}

impl Mood {
    /// All moods.
    pub const ALL: [Mood; 12] = [
        Mood::Calm,
        Mood::Guarded,
        Mood::Defensive,
        Mood::Irritated,
        Mood::Angry,
        Mood::Sad,
        Mood::Hopeless,
        Mood::Anxious,
        Mood::Thoughtful,
        Mood::Hopeful,
        Mood::Relieved,
        Mood::Warm,
    ];
    /// The RON spelling.
    pub fn name(self) -> &'static str {
        match self {
            Mood::Calm => "Calm",
            Mood::Guarded => "Guarded",
            Mood::Defensive => "Defensive",
            Mood::Irritated => "Irritated",
            Mood::Angry => "Angry",
            Mood::Sad => "Sad",
            Mood::Hopeless => "Hopeless",
            Mood::Anxious => "Anxious",
            Mood::Thoughtful => "Thoughtful",
            Mood::Hopeful => "Hopeful",
            Mood::Relieved => "Relieved",
            Mood::Warm => "Warm",
        }
    }
}

/// How a conversation ended.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ending {
    /// Stable id, unique among points and endings.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// Short title ("Mark agrees to come back").
    #[serde(deserialize_with = "text")]
    pub title: String,
    /// Good, mixed or disengaged.
    pub outcome: Outcome,
    /// What happens: the client's last words or the scene.
    #[serde(deserialize_with = "text")]
    pub text: String,
    /// What the trainee should take away; names the MI skill at stake.
    #[serde(deserialize_with = "text")]
    pub debrief: String,
    /// In a course: the session played after this ending (a later one's id); without it, the
    /// next session in the file.
    #[serde(
        default,
        deserialize_with = "fields::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_session: Option<String>,
    /// In a course: the client does not come back after this ending (a walkout); the course
    /// ends here, and is shown as ending so.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ends_course: bool,
    /// Source locations.
    #[serde(rename = "$spans", default, skip_serializing)]
    pub spans: EndingSpans,
}

/// Where an ending's parts are.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EndingSpans {
    /// The whole ending.
    #[serde(rename = "$span")]
    pub whole: Span,
    /// The `id` value.
    pub id: Span,
    /// The `next_session` value.
    pub next_session: Span,
    /// The `ends_course` value.
    pub ends_course: Span,
}

/// The kind of ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The client moved toward change.
    Positive,
    /// The door stays open; little movement.
    Mixed,
    /// The client shut down or walked out.
    Disengaged,
}

impl Outcome {
    /// All outcomes.
    pub const ALL: [Outcome; 3] = [Outcome::Positive, Outcome::Mixed, Outcome::Disengaged];
    /// The RON spelling.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Positive => "Positive",
            Outcome::Mixed => "Mixed",
            Outcome::Disengaged => "Disengaged",
        }
    }
}

impl Scenario {
    /// The point with this id.
    pub fn point(&self, id: &str) -> Option<&Point> {
        self.points.iter().find(|p| p.id == id)
    }
    /// Index of the point with this id.
    pub fn point_index(&self, id: &str) -> Option<usize> {
        self.points.iter().position(|p| p.id == id)
    }
    /// The ending with this id.
    pub fn ending(&self, id: &str) -> Option<&Ending> {
        self.endings.iter().find(|e| e.id == id)
    }

    /// True when the file holds more than one session (a course).
    pub fn is_course(&self) -> bool {
        !self.sessions.is_empty()
    }

    /// How many sessions the file holds: 1 plus its later `sessions`.
    pub fn session_count(&self) -> usize {
        1 + self.sessions.len()
    }

    /// The title of session `index` (0-based): `session_title` (or "Session 1") for the first,
    /// the session's `title` for a later one.
    pub fn session_title_of(&self, index: usize) -> String {
        match index {
            0 => self
                .session_title
                .clone()
                .unwrap_or_else(|| "Session 1".to_string()),
            i => self
                .sessions
                .get(i - 1)
                .map_or_else(|| format!("Session {}", i + 1), |s| s.title.clone()),
        }
    }

    /// The points of session `index` (0-based): the file's `points` for the first, a later
    /// session's own; none past the last.
    pub fn session_points(&self, index: usize) -> &[Point] {
        match index {
            0 => &self.points,
            i => self.sessions.get(i - 1).map_or(&[], |s| &s.points),
        }
    }

    /// The endings of session `index` (0-based), like [`Scenario::session_points`].
    pub fn session_endings(&self, index: usize) -> &[Ending] {
        match index {
            0 => &self.endings,
            i => self.sessions.get(i - 1).map_or(&[], |s| &s.endings),
        }
    }

    /// The index (0-based) of the session with this id; the first session has none.
    pub fn session_index(&self, id: &str) -> Option<usize> {
        self.sessions.iter().position(|s| s.id == id).map(|i| i + 1)
    }

    /// Session `index` (0-based) of a course as a scenario of its own: the same metadata and
    /// persona, that session's points, endings, start and walkout, `initial` as the client's
    /// state at its start and `carried` as what it starts out remembering. Session 0 is this
    /// scenario without its later sessions. `None` past the last session. The session engine,
    /// the linter and the audit treat a part like any scenario.
    pub fn part(
        &self,
        index: usize,
        initial: ClientState,
        carried: memory::Memory,
    ) -> Option<Scenario> {
        let mut s = Scenario {
            sessions: Vec::new(),
            carried,
            ..self.clone_head()
        };
        s.persona.initial = initial;
        if index == 0 {
            s.points = self.points.clone();
            s.endings = self.endings.clone();
            return Some(s);
        }
        let later = self.sessions.get(index - 1)?;
        s.start = later.start.clone();
        s.spans.start = later.spans.start;
        s.points = later.points.clone();
        s.endings = later.endings.clone();
        s.persona.walkout = later.walkout.clone();
        s.persona.spans.walkout_ending = later.spans.walkout_ending;
        Some(s)
    }

    /// A copy without the (possibly large) points, endings and sessions.
    fn clone_head(&self) -> Scenario {
        Scenario {
            id: self.id.clone(),
            title: self.title.clone(),
            version: self.version.clone(),
            author: self.author.clone(),
            summary: self.summary.clone(),
            objectives: self.objectives.clone(),
            topic: self.topic.clone(),
            stage: self.stage,
            difficulty: self.difficulty,
            minutes: self.minutes,
            tags: self.tags.clone(),
            persona: self.persona.clone(),
            start: self.start.clone(),
            points: Vec::new(),
            endings: Vec::new(),
            session_title: self.session_title.clone(),
            sessions: Vec::new(),
            carried: memory::Memory::new(),
            spans: self.spans.clone(),
        }
    }
}

pub(crate) fn calm() -> Mood {
    Mood::Calm
}

/// The decision points: at least one.
pub(crate) fn points<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Point>, D::Error> {
    static RULES: ListRules<Point> =
        ListRules::nonempty("`points` is empty: a scenario needs at least one decision point");
    list(d, &RULES)
}

/// The endings: at least one.
pub(crate) fn endings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Ending>, D::Error> {
    static RULES: ListRules<Ending> =
        ListRules::nonempty("`endings` is empty: a scenario needs at least one ending");
    list(d, &RULES)
}
