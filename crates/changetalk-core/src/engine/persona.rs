//! The client as a person: who they are, their starting state, their face, and how they
//! react to each class of counsellor reply.

use std::fmt;
use std::sync::OnceLock;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::engine::fields;
use crate::engine::state::{ClientState, StateVar};
use crate::miti::codes::MitiCode;
use crate::source::check::{id, int, opt_int, text};
use crate::source::diag::Span;

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

/// `reactions: Reactions(confront: (discord: 4), …)`: a field per [`ReactionClass`].
impl<'de> Deserialize<'de> for Reactions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> Visitor<'de> for Fields {
            type Value = Reactions;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("reactions by class of reply")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Reactions, A::Error> {
                let mut overrides = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let effects: Effects = map.next_value()?;
                    if let Some(class) = ReactionClass::all().into_iter().find(|c| c.name() == key)
                    {
                        overrides.push((class, effects));
                    }
                }
                overrides.sort_by_key(|(c, _)| *c);
                Ok(Reactions { overrides })
            }
        }
        static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
        let names = NAMES.get_or_init(|| ReactionClass::all().iter().map(|c| c.name()).collect());
        d.deserialize_struct("Reactions", names, Fields)
    }
}
