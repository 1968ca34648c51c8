//! MI facts as code: the MITI 4.2.1 behaviour codes and per-turn rules, client language
//! (talk types, DARN-CAT), the rating of one reply and the rule that gives it, and the scoring
//! of a coded conversation (summary scores, estimated globals, bands, overall). Hand-coded CSV role-plays are read
//! here too. Imports only `source`.

pub mod codes;
pub mod csv_transcript;
mod feedback;
pub mod rating;
pub mod score;
pub mod summary;
pub mod talk;
