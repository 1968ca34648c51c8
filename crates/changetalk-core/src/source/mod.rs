//! The bottom layer: source text and where things are in it. Diagnostics with spans and
//! line:col, the spanned RON tree every file format is read through, and small text helpers
//! (ids, "did you mean", number formatting), and the value checks the models decode with.
//! Imports nothing else of the crate.

pub mod check;
pub mod csv;
pub mod diag;
pub mod ron_tree;
pub mod text;
