//! The scenario model: a client persona, decision points, counsellor options and endings.
//!
//! Values here come from [`crate::format::load::load_scenario`], which fills in every span so the
//! validator and linter can point at the exact item in the source file. The model derives
//! `Deserialize`: fields name their checks (`crate::source::check`, `engine::fields`) and receive
//! their spans through the decoder's `$span`/`$spans` fields (see `crate::format::de`).

use serde::{Deserialize, Serialize};

use crate::engine::condition::Condition;
use crate::engine::fields;
pub use crate::engine::state::{ClientState, STATE_MAX, STATE_MIN, StateVar};
use crate::miti::codes::MitiCode;
pub use crate::miti::talk::{DarnCat, TalkType, Target};
use crate::source::check::{id, ids, int, opt_int, text, texts};
use crate::source::diag::Span;

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
    #[serde(deserialize_with = "fields::points")]
    pub points: Vec<Point>,
    /// Endings in file order.
    #[serde(deserialize_with = "fields::endings")]
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

/// The client as a person.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Persona {
    /// Display name.
    #[serde(deserialize_with = "text")]
    pub name: String,
    /// Age in years.
    #[serde(deserialize_with = "int::<_, _, 1, 120>")]
    pub age: u32,
    /// Pronouns (`she/her`).
    #[serde(default)]
    pub pronouns: String,
    /// Life history the trainee reads in the briefing.
    #[serde(deserialize_with = "text")]
    pub background: String,
    /// Why they are here today.
    #[serde(deserialize_with = "text")]
    pub situation: String,
    /// State at the start of the session.
    pub initial: ClientState,
    /// How the app draws the face.
    #[serde(default)]
    pub face: Face,
    /// Optional portrait image for the library card, relative to the scenario's folder.
    #[serde(default)]
    pub portrait: Option<String>,
    /// Default reactions per class of counsellor response.
    #[serde(default)]
    pub reactions: Reactions,
    /// When discord gets this high the client leaves.
    #[serde(default)]
    pub walkout: Option<Walkout>,
    /// Source locations.
    #[serde(rename = "$spans", default, skip_serializing)]
    pub spans: PersonaSpans,
}

/// Where persona fields are.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PersonaSpans {
    /// The `portrait` value.
    pub portrait: Span,
    /// The walkout `ending` value.
    #[serde(rename = "walkout.ending")]
    pub walkout_ending: Span,
}

/// Changes to client state; a missing value means "use the default".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Effects {
    /// Change to engagement.
    #[serde(deserialize_with = "opt_int::<_, _, -10, 10>")]
    pub engagement: Option<i32>,
    /// Change to discord.
    #[serde(deserialize_with = "opt_int::<_, _, -10, 10>")]
    pub discord: Option<i32>,
    /// Change to importance.
    #[serde(deserialize_with = "opt_int::<_, _, -10, 10>")]
    pub importance: Option<i32>,
    /// Change to confidence.
    #[serde(deserialize_with = "opt_int::<_, _, -10, 10>")]
    pub confidence: Option<i32>,
}

impl Effects {
    /// The delta for one variable, if set.
    pub fn get(&self, var: StateVar) -> Option<i32> {
        match var {
            StateVar::Engagement => self.engagement,
            StateVar::Discord => self.discord,
            StateVar::Importance => self.importance,
            StateVar::Confidence => self.confidence,
        }
    }
    /// Sets the delta for one variable.
    pub fn set(&mut self, var: StateVar, v: Option<i32>) {
        match var {
            StateVar::Engagement => self.engagement = v,
            StateVar::Discord => self.discord = v,
            StateVar::Importance => self.importance = v,
            StateVar::Confidence => self.confidence = v,
        }
    }
    /// Shorthand for a fully specified effect.
    pub const fn of(engagement: i32, discord: i32, importance: i32, confidence: i32) -> Effects {
        Effects {
            engagement: Some(engagement),
            discord: Some(discord),
            importance: Some(importance),
            confidence: Some(confidence),
        }
    }
}

/// A class of counsellor response that a persona reacts to by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ReactionClass {
    /// A turn that holds this MITI code.
    Code(MitiCode),
    /// A reflection that answers change talk (bonus on top of the code's reaction).
    ReflectingChangeTalk,
    /// A reflection that answers sustain talk.
    ReflectingSustainTalk,
}

impl ReactionClass {
    /// The field name in the `reactions` block.
    pub fn name(self) -> &'static str {
        match self {
            ReactionClass::Code(c) => c.json_name(),
            ReactionClass::ReflectingChangeTalk => "reflecting_change_talk",
            ReactionClass::ReflectingSustainTalk => "reflecting_sustain_talk",
        }
    }
    /// All classes, in the order the docs list them.
    pub fn all() -> Vec<ReactionClass> {
        let mut v: Vec<ReactionClass> = MitiCode::ALL
            .iter()
            .map(|c| ReactionClass::Code(*c))
            .collect();
        v.push(ReactionClass::ReflectingChangeTalk);
        v.push(ReactionClass::ReflectingSustainTalk);
        v
    }
    /// The built-in default reaction (documented in `docs/scoring.md`, "How the client reacts").
    pub fn builtin(self) -> Effects {
        use MitiCode::*;
        match self {
            ReactionClass::Code(c) => match c {
                SimpleReflection => Effects::of(1, 0, 0, 0),
                ComplexReflection => Effects::of(1, -1, 0, 0),
                Affirm => Effects::of(1, 0, 0, 1),
                SeekingCollaboration => Effects::of(1, -1, 0, 0),
                EmphasizingAutonomy => Effects::of(0, -2, 0, 0),
                OpenQuestion => Effects::of(0, 0, 0, 0),
                ClosedQuestion => Effects::of(-1, 0, 0, 0),
                GivingInformation => Effects::of(0, 0, 0, 0),
                PersuadeWithPermission => Effects::of(0, 0, 1, 0),
                Persuade => Effects::of(-1, 2, -1, 0),
                Confront => Effects::of(-2, 3, -1, -1),
            },
            ReactionClass::ReflectingChangeTalk => Effects::of(0, 0, 1, 0),
            ReactionClass::ReflectingSustainTalk => Effects::of(0, 0, 0, 0),
        }
    }
}

/// Persona-level default reactions: the built-in table with the author's overrides.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Reactions {
    /// Overrides written in the file, by class.
    pub overrides: Vec<(ReactionClass, Effects)>,
}

impl Reactions {
    /// The effective reaction of this persona to a class: the built-in default with the
    /// author's values replacing it variable by variable.
    pub fn effective(&self, class: ReactionClass) -> [i32; 4] {
        let builtin = class.builtin();
        let over = self
            .overrides
            .iter()
            .find(|(c, _)| *c == class)
            .map(|(_, e)| *e);
        let mut out = [0; 4];
        for (i, var) in StateVar::ALL.into_iter().enumerate() {
            out[i] = over
                .and_then(|e| e.get(var))
                .or(builtin.get(var))
                .unwrap_or(0);
        }
        out
    }
}

/// When the client walks out.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Walkout {
    /// Discord at or above which the session ends early.
    #[serde(deserialize_with = "int::<_, _, 1, 10>")]
    pub discord: i32,
    /// The ending shown when it does.
    #[serde(deserialize_with = "id")]
    pub ending: String,
}

/// Parameters for the face the app draws. Colours are `#rrggbb`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Face {
    /// Skin tone.
    #[serde(deserialize_with = "fields::colour")]
    pub skin: String,
    /// Hair colour.
    #[serde(deserialize_with = "fields::colour")]
    pub hair: String,
    /// Iris colour.
    #[serde(deserialize_with = "fields::colour")]
    pub eyes: String,
    /// Hair cut.
    pub hair_style: HairStyle,
    /// Wears glasses.
    pub glasses: bool,
    /// Has a beard.
    pub beard: bool,
    /// Age lines, 0 (none) to 3 (deep).
    #[serde(deserialize_with = "int::<_, _, 0, 3>")]
    pub lines: u32,
}

impl Default for Face {
    fn default() -> Self {
        Face {
            skin: "#d8a47f".into(),
            hair: "#3b2a20".into(),
            eyes: "#4a3a2a".into(),
            hair_style: HairStyle::Short,
            glasses: false,
            beard: false,
            lines: 1,
        }
    }
}

/// Hair cuts the face renderer knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HairStyle {
    /// Short, neat.
    Short,
    /// Shoulder length.
    Long,
    /// Curly volume.
    Curly,
    /// Tied up.
    Bun,
    /// Very short.
    Buzz,
    /// None.
    Bald,
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
    #[serde(default = "fields::calm")]
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
