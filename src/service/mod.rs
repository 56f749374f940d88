//! Use cases: what planmap does, as functions over the `Store`, returning domain errors that know
//! nothing of HTTP. The HTTP handlers (`src/api/`) and the CLI (`src/main.rs`) both call them;
//! `src/api/problem.rs` maps each error enum to HTTP in one place.

pub mod demo_progress;
pub mod export;
pub mod photos;
pub mod progress;
pub mod reminders;
pub mod report_table;
pub mod targets;
