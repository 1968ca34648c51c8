//! ChangeTalk's pure core: the scenario format and its loader, the validator, the session
//! engine and MITI scoring. No Bevy and no I/O: every function takes text or values and returns
//! values, so the CLI, the desktop app and the grader all compute exactly the same thing.
//!
//! Layers, each importing only those before it (ARCHITECTURE.md at the repository root):
//! [`source`] → [`miti`] → [`engine`] → [`format`] → [`authoring`] → [`classroom`].

pub mod authoring;
pub mod classroom;
pub mod engine;
pub mod format;
pub mod miti;
pub mod source;

pub use engine::model::Scenario;
pub use engine::{AutoPolicy, Session, Transcript, score_transcript};
pub use format::load::load_scenario;
pub use format::template::TEMPLATE;
pub use miti::codes::MitiCode;
pub use miti::score::{Score, score};
pub use source::diag::{Diagnostic, LineIndex, Severity};
