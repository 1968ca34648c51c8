//! Classroom exercises: the exercise file, result and progress records replayed from their
//! choices, grading a folder of results into a gradebook with class statistics and an item
//! analysis, and xAPI statements for a Learning Record Store. The top layer: it may import
//! every other layer.

pub mod exercise;
pub mod grade;
pub mod printable;
pub mod result;
pub mod roster;
pub mod xapi;
