//! Progress tracking (issue 10): the monthly reporting cycle of the plan's projects.
//!
//! Responsible units (责任单位) report each of their projects every month (月报); the plan office
//! (a reviewer) approves or returns the reports; approval writes the reported figures onto the
//! project. Milestones carry planned and actual dates, and the lateness (滞后) and KPI rules the
//! leadership view shows are decided here, on the server, once.
//!
//! Pure domain: imports neither the store, the services nor HTTP.

pub mod kpi;
mod milestone;
mod period;
mod photo;
mod report;
pub mod report_table;
mod target;
mod unit;

pub use kpi::{Kpis, Ratio, ReportCounts, Sum, UnitRow};
pub use milestone::{lateness, BadMilestone, Lateness, Milestone, MilestoneKind, MilestoneSignal, AMBER_DAYS};
pub use period::{BadPeriod, Period};
pub use photo::{ImageType, NewPhoto, Photo, PhotoId, Position, PHOTO_MAX_BYTES, PHOTO_MAX_EDGE, THUMBNAIL_EDGE};
pub use report::{derive_figures, BadTransition, NewReport, Report, ReportAction, ReportBody, ReportFigures, ReportId, ReportState};
pub use target::{track, Direction, NewTargetValue, TargetPeriod, TargetValue, Track, BASELINE_YEAR};
pub use unit::{plan_units, BadUnitName, UnitName};
