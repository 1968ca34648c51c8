//! ChangeTalk's pure core: the scenario format and its loader, the validator, the session
//! engine and MITI scoring. No Bevy and no I/O: every function takes text or values and returns
//! values, so the CLI, the desktop app and the grader all compute exactly the same thing.

pub mod audit;
pub mod codes;
pub mod condition;
pub mod csv_transcript;
mod decode;
pub mod diag;
pub mod engine;
pub mod exercise;
pub mod grade;
pub mod graph;
pub mod lint;
pub mod load;
pub mod model;
pub mod result;
pub mod ron_tree;
pub mod score;
pub mod template;
pub mod validate;
pub mod xapi;

pub use codes::MitiCode;
pub use diag::{Diagnostic, LineIndex, Severity};
pub use engine::{AutoPolicy, Session, Transcript};
pub use load::load_scenario;
pub use model::Scenario;
pub use score::{Score, score, score_transcript};
pub use template::TEMPLATE;
