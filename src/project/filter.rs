//! `ProjectFilter`: what `/api/projects`, `/api/stats`, exports and the OGC API select by.
//!
//! Parsed once from the query string into domain types, so a store never sees raw text and
//! every bad value is reported with its parameter name and the values that would work.

use super::cql2::{CmpOp, Expr, Prop, Scalar};
use super::fields::{Action, Kind, Status, Task, Town, Towns};
use super::id::ProjectId;
use crate::geometry::Bbox;
use chrono::{DateTime, NaiveDate, Utc};

/// A query parameter that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("query parameter `{param}`: {reason}")]
pub struct BadFilter {
    /// The parameter's name.
    pub param: String,
    /// Why, and what is allowed.
    pub reason: String,
    /// For `filter`: the 1-based character where the CQL2 text goes wrong.
    pub position: Option<usize>,
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
    /// Touches one of these named islands (the derived `islands` of a project; a name no project
    /// touches selects nothing, as a `q` that matches no name does).
    pub islands: Vec<String>,
    /// Case-insensitive substring of `name_zh` or `name_en`.
    pub q: Option<String>,
    /// Only these ids.
    pub ids: Vec<ProjectId>,
    /// The map as it was at this instant (from revisions) instead of now.
    pub as_of: Option<DateTime<Utc>>,
    /// The project's time span overlaps this range (see [`DateRange`]).
    pub datetime: Option<DateRange>,
    /// A CQL2 filter (`filter=`, in `filter-lang=cql2-text` or `cql2-json`).
    pub cql: Option<Expr>,
    /// Only ids ordered after this one: the keyset cursor of a streamed or paged read, which costs
    /// the same on every page (an offset rereads every row before it) and never repeats or skips
    /// a project when another one is written between pages. Not a query parameter.
    pub after: Option<ProjectId>,
}

/// `datetime=`: an instant or an interval (`a/b`, `../b`, `a/..`), compared by calendar date.
///
/// A project's time span runs from `start_date` to `actual_completion`, or to
/// `planned_completion` when it is not finished, or is open-ended when neither is known. A
/// project with no `start_date` has no time span and never matches a `datetime` filter. The
/// span matches when it overlaps the range (ends included). Times of day are ignored: the date
/// as written is used (the plan's dates are local calendar dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    /// First day, or open.
    pub from: Option<NaiveDate>,
    /// Last day, or open.
    pub to: Option<NaiveDate>,
}

impl std::str::FromStr for DateRange {
    type Err = String;
    fn from_str(s: &str) -> Result<DateRange, String> {
        let day = |t: &str| -> Result<Option<NaiveDate>, String> {
            let t = t.trim();
            if t.is_empty() || t == ".." {
                return Ok(None);
            }
            let d = t.get(..10).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            let rest_ok = t.len() == 10 || t.as_bytes().get(10).is_some_and(|c| *c == b'T' || *c == b't' || *c == b' ');
            match d {
                Some(d) if rest_ok => Ok(Some(d)),
                _ => Err(format!("`{t}` is not a date or RFC 3339 time; write e.g. 2025-01-01, 2025-01-01T00:00:00Z, 2024-01-01/2025-12-31 or ../2025-12-31")),
            }
        };
        let r = match s.split_once('/') {
            None => {
                let d = day(s)?.ok_or_else(|| "an instant cannot be open (`..`)".to_owned())?;
                DateRange { from: Some(d), to: Some(d) }
            }
            Some((a, b)) => DateRange { from: day(a)?, to: day(b)? },
        };
        if let (Some(a), Some(b)) = (r.from, r.to) {
            if a > b {
                return Err(format!("the interval starts ({a}) after it ends ({b})"));
            }
        }
        Ok(r)
    }
}

impl DateRange {
    /// The same condition as a CQL2 expression, so both stores reuse their CQL2 evaluation.
    pub fn to_expr(self) -> Expr {
        let date = |prop, op, d| Expr::Compare { prop, op, value: Scalar::Date(d) };
        let mut parts = vec![Expr::Not(Box::new(Expr::IsNull(Prop::StartDate)))];
        if let Some(to) = self.to {
            parts.push(date(Prop::StartDate, CmpOp::Le, to));
        }
        if let Some(from) = self.from {
            // Ends on or after `from`: the actual end when known, else the planned one, else open.
            parts.push(Expr::Or(vec![
                date(Prop::ActualCompletion, CmpOp::Ge, from),
                Expr::And(vec![
                    Expr::IsNull(Prop::ActualCompletion),
                    Expr::Or(vec![Expr::IsNull(Prop::PlannedCompletion), date(Prop::PlannedCompletion, CmpOp::Ge, from)]),
                ]),
            ]));
        }
        Expr::And(parts)
    }
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

/// The longest island name `island=` takes (the gazetteer's longest is a few characters).
const ISLAND_NAME_MAX: usize = 40;

/// The filter parameters, for error messages and API docs.
pub const FILTER_PARAMS: &[&str] = &["bbox", "status", "action", "task", "kind", "town", "island", "q", "ids", "as_of", "datetime", "filter", "filter-lang"];

impl ProjectFilter {
    /// Reads the filter parameters from decoded query pairs. Parameters in `also_allowed` are left
    /// to the caller; any other unknown parameter is an error rather than silently ignored.
    pub fn from_pairs(pairs: &[(String, String)], towns: &Towns, also_allowed: &[&str]) -> Result<ProjectFilter, BadFilter> {
        let mut f = ProjectFilter::default();
        // `filter` is read once its language is known, wherever `filter-lang` stands.
        let mut filter_text: Option<&str> = None;
        let mut json_lang = false;
        for (k, v) in pairs {
            let bad = |reason: String| BadFilter { param: k.clone(), reason, position: None };
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
                "island" => {
                    for s in values() {
                        if s.chars().count() > ISLAND_NAME_MAX {
                            return Err(bad(format!("`{s}` is longer than {ISLAND_NAME_MAX} characters; islands are named as in `islands` (e.g. 洞头岛)")));
                        }
                        f.islands.push(s.to_owned());
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
                    f.as_of = Some(crate::time::parse_as_of(v).map_err(bad)?);
                }
                "datetime" => {
                    f.datetime = Some(v.parse().map_err(bad)?);
                }
                "filter" => {
                    if filter_text.is_some() {
                        return Err(bad("given more than once".into()));
                    }
                    filter_text = Some(v.as_str());
                }
                "filter-lang" => match v.as_str() {
                    "cql2-text" => json_lang = false,
                    "cql2-json" => json_lang = true,
                    _ => return Err(bad(format!("`{v}` is not supported; use cql2-text or cql2-json"))),
                },
                other if also_allowed.contains(&other) => {}
                other => {
                    let mut known: Vec<&str> = FILTER_PARAMS.to_vec();
                    known.extend_from_slice(also_allowed);
                    return Err(BadFilter {
                        param: other.to_owned(),
                        reason: format!("is not a known parameter; known: {}", known.join(", ")),
                        position: None,
                    });
                }
            }
        }
        if let Some(text) = filter_text {
            let param = "filter".to_owned();
            f.cql = Some(if json_lang {
                super::cql2::json::parse(text).map_err(|e| BadFilter { param, reason: format!("is not usable CQL2-JSON: {e}"), position: None })?
            } else {
                text.parse().map_err(|e: super::cql2::Cql2Error| BadFilter {
                    param,
                    reason: format!("is not valid CQL2 text: {e}"),
                    position: Some(e.position),
                })?
            });
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
        f.islands.sort();
        f.islands.dedup();
        Ok(f)
    }

    /// The conditions a store evaluates as a CQL2 expression (`filter` and `datetime`), if any.
    pub fn expression(&self) -> Option<Expr> {
        match (&self.cql, self.datetime) {
            (None, None) => None,
            (Some(e), None) => Some(e.clone()),
            (None, Some(d)) => Some(d.to_expr()),
            (Some(e), Some(d)) => Some(Expr::And(vec![e.clone(), d.to_expr()])),
        }
    }

    /// Whether a project touching `islands` passes `island=` (the one condition not on its props).
    pub fn matches_islands(&self, islands: &[String]) -> bool {
        self.islands.is_empty() || islands.iter().any(|i| self.islands.contains(i))
    }

    /// Whether a project's fields pass every non-spatial condition but `island=`. Used where
    /// filtering happens in Rust (as-of reads); the SQL in both stores must agree.
    pub fn matches_props(&self, id: &ProjectId, p: &super::ProjectProps) -> bool {
        (self.statuses.is_empty() || p.status.is_some_and(|s| self.statuses.contains(&s)))
            && (self.actions.is_empty() || p.action.is_some_and(|a| self.actions.contains(&a)))
            && (self.tasks.is_empty() || p.task.is_some_and(|t| self.tasks.contains(&t)))
            && (self.kinds.is_empty() || self.kinds.contains(&p.kind))
            && (self.towns.is_empty() || p.town.as_ref().is_some_and(|t| self.towns.contains(t)))
            && (self.ids.is_empty() || self.ids.contains(id))
            && self.after.as_ref().is_none_or(|a| id.as_str() > a.as_str())
            && self.q.as_ref().is_none_or(|q| {
                // ASCII folding only, exactly like the SQL both stores run (SQLite's lower() knows no other).
                let q = q.to_ascii_lowercase();
                p.name_zh.to_ascii_lowercase().contains(&q) || p.name_en.as_ref().is_some_and(|n| n.to_ascii_lowercase().contains(&q))
            })
    }
}
