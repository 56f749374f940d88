//! `ProjectFilter`: what `/api/projects`, `/api/stats`, exports and the OGC API select by.
//!
//! Parsed once from the query string into domain types, so a store never sees raw text and
//! every bad value is reported with its parameter name and the values that would work.

use super::fields::{Action, Kind, Status, Task, Town, Towns};
use super::id::ProjectId;
use crate::geometry::Bbox;
use chrono::{DateTime, Utc};

/// A query parameter that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("query parameter `{param}`: {reason}")]
pub struct BadFilter {
    /// The parameter's name.
    pub param: String,
    /// Why, and what is allowed.
    pub reason: String,
}

/// Conditions combined with AND; a list parameter matches any of its values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProjectFilter {
    /// Geometry intersects the box (touching counts).
    pub bbox: Option<Bbox>,
    /// Status is one of these.
    pub statuses: Vec<Status>,
    /// Action is one of these.
    pub actions: Vec<Action>,
    /// Task is one of these.
    pub tasks: Vec<Task>,
    /// Kind is one of these.
    pub kinds: Vec<Kind>,
    /// Town is one of these.
    pub towns: Vec<Town>,
    /// Case-insensitive substring of `name_zh` or `name_en`.
    pub q: Option<String>,
    /// Only these ids.
    pub ids: Vec<ProjectId>,
    /// The map as it was at this instant (from revisions) instead of now.
    pub as_of: Option<DateTime<Utc>>,
}

/// Which slice of the ordered (by id) result to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return at most; `None` is all.
    pub limit: Option<u64>,
}

impl Page {
    /// Everything.
    pub const ALL: Page = Page { offset: 0, limit: None };
}

/// The filter parameters, for error messages and API docs.
pub const FILTER_PARAMS: &[&str] = &["bbox", "status", "action", "task", "kind", "town", "q", "ids", "as_of"];

impl ProjectFilter {
    /// Reads the filter parameters from decoded query pairs. Parameters in `also_allowed` are left
    /// to the caller; any other unknown parameter is an error rather than silently ignored.
    pub fn from_pairs(pairs: &[(String, String)], towns: &Towns, also_allowed: &[&str]) -> Result<ProjectFilter, BadFilter> {
        let mut f = ProjectFilter::default();
        for (k, v) in pairs {
            let bad = |reason: String| BadFilter { param: k.clone(), reason };
            let values = || v.split(',').map(str::trim).filter(|s| !s.is_empty());
            match k.as_str() {
                "bbox" => {
                    if f.bbox.is_some() {
                        return Err(bad("given more than once".into()));
                    }
                    f.bbox = Some(v.parse().map_err(|e: crate::geometry::BadBbox| bad(e.to_string()))?);
                }
                "status" => {
                    for s in values() {
                        f.statuses.push(s.parse().map_err(|e: super::NotOneOf| bad(e.to_string()))?);
                    }
                }
                "kind" => {
                    for s in values() {
                        f.kinds.push(s.parse().map_err(|e: super::NotOneOf| bad(e.to_string()))?);
                    }
                }
                "town" => {
                    for s in values() {
                        f.towns.push(towns.parse(s).map_err(|e| bad(e.to_string()))?);
                    }
                }
                "action" => {
                    for s in values() {
                        let n: i64 = s.parse().map_err(|_| bad(format!("`{s}` is not a number; actions are 1–5")))?;
                        f.actions.push(Action::try_from(n).map_err(|e| bad(format!("{e} (the plan has actions 1–5)")))?);
                    }
                }
                "task" => {
                    for s in values() {
                        let n: i64 = s.parse().map_err(|_| bad(format!("`{s}` is not a number; tasks are 1–16")))?;
                        f.tasks.push(Task::try_from(n).map_err(|e| bad(format!("{e} (the plan has tasks 1–16)")))?);
                    }
                }
                "q" => {
                    let q = v.trim();
                    if q.chars().count() > 200 {
                        return Err(bad("is longer than 200 characters".into()));
                    }
                    f.q = (!q.is_empty()).then(|| q.to_owned());
                }
                "ids" => {
                    for s in values() {
                        f.ids.push(ProjectId::parse(s).map_err(|e| bad(e.to_string()))?);
                    }
                }
                "as_of" => {
                    if f.as_of.is_some() {
                        return Err(bad("given more than once".into()));
                    }
                    f.as_of = Some(super::dates::parse_as_of(v).map_err(bad)?);
                }
                other if also_allowed.contains(&other) => {}
                other => {
                    let mut known: Vec<&str> = FILTER_PARAMS.to_vec();
                    known.extend_from_slice(also_allowed);
                    return Err(BadFilter { param: other.to_owned(), reason: format!("is not a known parameter; known: {}", known.join(", ")) });
                }
            }
        }
        f.statuses.sort();
        f.statuses.dedup();
        f.actions.sort();
        f.actions.dedup();
        f.tasks.sort();
        f.tasks.dedup();
        f.kinds.sort();
        f.kinds.dedup();
        f.towns.sort();
        f.towns.dedup();
        Ok(f)
    }

    /// Whether a project's fields pass every non-spatial condition. Used where filtering happens
    /// in Rust (the embedded store's exact pass, as-of reads); the SQL in both stores must agree.
    pub fn matches_props(&self, id: &ProjectId, p: &super::ProjectProps) -> bool {
        (self.statuses.is_empty() || p.status.is_some_and(|s| self.statuses.contains(&s)))
            && (self.actions.is_empty() || p.action.is_some_and(|a| self.actions.contains(&a)))
            && (self.tasks.is_empty() || p.task.is_some_and(|t| self.tasks.contains(&t)))
            && (self.kinds.is_empty() || self.kinds.contains(&p.kind))
            && (self.towns.is_empty() || p.town.as_ref().is_some_and(|t| self.towns.contains(t)))
            && (self.ids.is_empty() || self.ids.contains(id))
            && self.q.as_ref().is_none_or(|q| {
                // ASCII folding only, exactly like the SQL both stores run (SQLite's lower() knows no other).
                let q = q.to_ascii_lowercase();
                p.name_zh.to_ascii_lowercase().contains(&q) || p.name_en.as_ref().is_some_and(|n| n.to_ascii_lowercase().contains(&q))
            })
    }
}
