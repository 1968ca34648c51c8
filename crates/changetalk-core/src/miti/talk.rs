//! Client language (MI reference §4): change talk and sustain talk with their DARN-CAT kind,
//! discord, neutral talk — and what a counsellor's reply answers.

use serde::{Deserialize, Serialize};

/// Client talk type with DARN-CAT kind (mi-reference §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "kind")]
pub enum TalkType {
    /// Toward change.
    Change(DarnCat),
    /// Against change.
    Sustain(DarnCat),
    /// About the relationship (pushing back on the counsellor).
    Discord,
    /// Neither.
    Neutral,
}

impl TalkType {
    /// What a reply to this line responds to.
    pub fn target(self) -> Target {
        match self {
            TalkType::Change(_) => Target::ChangeTalk,
            TalkType::Sustain(_) => Target::SustainTalk,
            TalkType::Discord => Target::Discord,
            TalkType::Neutral => Target::Neutral,
        }
    }
    /// The flat name used in CSV and JSON summaries.
    pub fn flat_name(self) -> &'static str {
        self.target().json_name()
    }
}

/// DARN-CAT: kinds of change (or sustain) talk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DarnCat {
    /// "I want…"
    Desire,
    /// "I could…"
    Ability,
    /// "I'd have more money…"
    Reasons,
    /// "I have to…"
    Need,
    /// "I will…"
    Commitment,
    /// "I'm ready to…"
    Activation,
    /// "I poured it out last night."
    TakingSteps,
}

impl DarnCat {
    /// All kinds.
    pub const ALL: [DarnCat; 7] = [
        DarnCat::Desire,
        DarnCat::Ability,
        DarnCat::Reasons,
        DarnCat::Need,
        DarnCat::Commitment,
        DarnCat::Activation,
        DarnCat::TakingSteps,
    ];
    /// The RON spelling.
    pub fn name(self) -> &'static str {
        match self {
            DarnCat::Desire => "Desire",
            DarnCat::Ability => "Ability",
            DarnCat::Reasons => "Reasons",
            DarnCat::Need => "Need",
            DarnCat::Commitment => "Commitment",
            DarnCat::Activation => "Activation",
            DarnCat::TakingSteps => "TakingSteps",
        }
    }
}

/// What a counsellor reply responds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Change talk.
    ChangeTalk,
    /// Sustain talk.
    SustainTalk,
    /// Discord.
    Discord,
    /// Neutral talk.
    Neutral,
}

impl Target {
    /// All targets.
    pub const ALL: [Target; 4] = [
        Target::ChangeTalk,
        Target::SustainTalk,
        Target::Discord,
        Target::Neutral,
    ];
    /// The RON spelling.
    pub fn name(self) -> &'static str {
        match self {
            Target::ChangeTalk => "ChangeTalk",
            Target::SustainTalk => "SustainTalk",
            Target::Discord => "Discord",
            Target::Neutral => "Neutral",
        }
    }
    /// The snake_case spelling used in JSON and CSV.
    pub fn json_name(self) -> &'static str {
        match self {
            Target::ChangeTalk => "change_talk",
            Target::SustainTalk => "sustain_talk",
            Target::Discord => "discord",
            Target::Neutral => "neutral",
        }
    }
    /// In words, for people: "change talk".
    pub fn label(self) -> &'static str {
        match self {
            Target::ChangeTalk => "change talk",
            Target::SustainTalk => "sustain talk",
            Target::Discord => "discord",
            Target::Neutral => "neutral",
        }
    }
}
