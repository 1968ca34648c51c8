//! The client's inner state — engagement, discord, importance, confidence, 0–10 each — that
//! conditions read, replies change and the face shows.

use serde::{Deserialize, Serialize};

use crate::source::check::int;

/// Lowest value of a client-state variable.
pub const STATE_MIN: i32 = 0;

/// Highest value of a client-state variable.
pub const STATE_MAX: i32 = 10;

/// The client's inner state, 0–10 each. Conditions and the face read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename = "State")]
pub struct ClientState {
    /// Willingness to talk openly with the counsellor.
    #[serde(deserialize_with = "int::<_, _, 0, 10>")]
    pub engagement: i32,
    /// Friction in the relationship (mi-reference §4: discord is about the relationship).
    #[serde(deserialize_with = "int::<_, _, 0, 10>")]
    pub discord: i32,
    /// How important change feels to the client.
    #[serde(deserialize_with = "int::<_, _, 0, 10>")]
    pub importance: i32,
    /// How confident the client is that they could change.
    #[serde(deserialize_with = "int::<_, _, 0, 10>")]
    pub confidence: i32,
}

impl ClientState {
    /// The value of a named variable.
    pub fn get(&self, var: StateVar) -> i32 {
        match var {
            StateVar::Engagement => self.engagement,
            StateVar::Discord => self.discord,
            StateVar::Importance => self.importance,
            StateVar::Confidence => self.confidence,
        }
    }

    /// Adds `delta` to a variable, keeping it within 0–10.
    pub fn add(&mut self, var: StateVar, delta: i32) {
        let slot = match var {
            StateVar::Engagement => &mut self.engagement,
            StateVar::Discord => &mut self.discord,
            StateVar::Importance => &mut self.importance,
            StateVar::Confidence => &mut self.confidence,
        };
        *slot = (*slot + delta).clamp(STATE_MIN, STATE_MAX);
    }
}

/// A client-state variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StateVar {
    /// See [`ClientState::engagement`].
    Engagement,
    /// See [`ClientState::discord`].
    Discord,
    /// See [`ClientState::importance`].
    Importance,
    /// See [`ClientState::confidence`].
    Confidence,
}

impl StateVar {
    /// All variables.
    pub const ALL: [StateVar; 4] = [
        StateVar::Engagement,
        StateVar::Discord,
        StateVar::Importance,
        StateVar::Confidence,
    ];
    /// The name used in files and conditions.
    pub fn name(self) -> &'static str {
        match self {
            StateVar::Engagement => "engagement",
            StateVar::Discord => "discord",
            StateVar::Importance => "importance",
            StateVar::Confidence => "confidence",
        }
    }
    /// Looks a variable up by name.
    pub fn from_name(s: &str) -> Option<StateVar> {
        StateVar::ALL.into_iter().find(|v| v.name() == s)
    }
}
