//! Tools for the people who write clients: the teaching lint, every option's rating and why,
//! the gameability audit (what a trainee who knows no MI would score), and the decision graph
//! as DOT or SVG. Imports `source`, `miti`, `engine` and `format`.

pub mod audit;
pub mod course;
pub mod draft;
pub mod graph;
pub mod lint;
pub mod model_path;
pub mod ratings;
