//! Use cases: what planmap does, independent of HTTP and of the CLI. Each returns a domain error
//! enum; `src/api/problem.rs` maps it to HTTP in one place.

pub mod progress;
