//! The scenario file format: decoding the spanned RON tree into the model (every error at
//! its item's line:col), the semantic validator, and the commented template `changetalk new`
//! writes. Imports `source`, `miti` and `engine`.

pub mod course;
pub mod de;
pub mod load;
pub mod template;
pub mod validate;
