//! The scenario model and the session engine: a deterministic state machine over a scenario
//! with a seeded generator, its transcript, and the transcript's score. Imports `source` and
//! `miti`.

pub mod condition;
pub mod course;
pub(crate) mod fields;
pub mod memory;
pub mod model;
pub mod persona;
pub mod records;
pub mod rng;
pub mod scored;
pub mod session;
pub mod state;
pub mod typed;

pub use records::*;
pub use rng::SessionRng;
pub use scored::score_transcript;
pub use session::*;
