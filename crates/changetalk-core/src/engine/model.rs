//! The scenario model: a client persona, decision points, counsellor options and endings.
//!
//! Values here come from [`crate::format::load::load_scenario`], which fills in every span so the
//! validator and linter can point at the exact item in the source file. The model derives
//! `Deserialize`: fields name their checks (`crate::source::check`, `engine::fields`) and receive
//! their spans through the decoder's `$span`/`$spans` fields (see `crate::format::de`).

use serde::{Deserialize, Serialize};

use crate::engine::condition::Condition;
use crate::engine::fields;
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
