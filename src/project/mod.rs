//! Projects: the plan's items as planmap holds them.
//!
//! `NewProject::from_feature` is the one conversion from outside input (a GeoJSON Feature from
//! HTTP, an import file or the seed) into a project. It checks every field and returns all the
//! problems at once, each naming its field, so a planner fixes a file in one pass.
//!
//! Where each rule lives:
//! - `types.rs`: what a project is (`ProjectProps`, `NewProject`, `Project`); a new field starts
//!   here, then gets its rule in `feature_in.rs`;
//! - `feature_in.rs`: the property reader and every input rule (required fields, lengths, ranges,
//!   task ↔ action, date order, citations), with the error shape (`FieldError`, `Invalid`);
//! - `feature_out.rs`: the GeoJSON Feature a project is served and exported as;
//! - `revision.rs`: the `Version` sent as the `ETag`;
//! - `fields.rs`, `money.rs`, `id.rs`: the value types that validate on construction;
//! - `source.rs`: citations, with the figures each one states (field-level provenance);
//! - `filter.rs`: list filters and paging from query parameters; `cql2/`: CQL2 text filters;
//! - `stats.rs`: the dashboard's sums and counts.
//!
//! Time (microsecond stamps, `as_of` in Dongtou time) lives in `crate::time`.

pub mod cql2;
mod feature_in;
mod feature_out;
mod fields;
mod filter;
mod id;
mod money;
mod revision;
mod source;
mod stats;
mod types;

pub use feature_in::{FieldError, Invalid, Rules};
pub use fields::{Action, Confidence, Kind, NotOneOf, OutOfRange, SourceKind, Status, Task, Town, Towns, ACTIONS, DEFAULT_TOWNS};
pub use filter::{BadFilter, DateRange, Page, ProjectFilter};
pub use id::{BadProjectId, ProjectId};
pub use money::{BadAmount, Wan};
pub use revision::Version;
pub use source::{Source, FIGURE_FIELDS};
pub use stats::{Bucket, Stats, StatsBuilder};
pub use types::{NewProject, Project, ProjectProps, YearInvestment};

#[cfg(test)]
mod tests;
