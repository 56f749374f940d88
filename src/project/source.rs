//! Citations: where a project's location and figures come from.
//!
//! A source may say which properties it states (`fields`) in its own words (`quote`), what kind of
//! publisher it is and on which day the cited copy was read. That makes every figure traceable to
//! one page (field-level provenance) instead of to the feature as a whole: a reader of
//! `investment_total` sees the one source that gives it, not a list of pages that mostly do not.

use super::feature_in::MAX_TEXT;
use super::{FieldError, SourceKind};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Properties a source can be cited for: the figures a planner reports, not the plan's own text.
pub const FIGURE_FIELDS: &[&str] =
    &["status", "investment_total", "investment_completed", "investment_by_year", "progress_pct", "start_date", "planned_completion", "actual_completion"];

const SOURCE_KEYS: &[&str] = &["title", "url", "kind", "retrieved", "fields", "quote"];

/// A citation for a location or a figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// What the source is (document title, page name).
    pub title: String,
    /// Where to read it, when it is online.
    pub url: Option<String>,
    /// Plan, government, news or aggregator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<SourceKind>,
    /// The day the cited copy was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retrieved: Option<NaiveDate>,
    /// The properties (from [`FIGURE_FIELDS`]) whose values this source states.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// The source's own words for those values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
}

impl Source {
    /// A plain citation: a title and perhaps a link.
    pub fn titled(title: impl Into<String>, url: Option<String>) -> Source {
        Source { title: title.into(), url, kind: None, retrieved: None, fields: Vec::new(), quote: None }
    }
    /// Whether this source is cited for `field`.
    pub fn states(&self, field: &str) -> bool {
        self.fields.iter().any(|f| f == field)
    }
}

/// Reads `sources`: a list of `{title, url, kind, retrieved, fields, quote}` objects or plain
/// titles, or one title as text (spreadsheets). Every bad entry is recorded with its pointer.
pub(super) fn read_sources(value: Option<&Value>, errs: &mut Vec<FieldError>) -> Vec<Source> {
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.iter().enumerate().filter_map(|(i, v)| read_one(i, v, errs)).collect(),
        Some(Value::String(s)) if !s.trim().is_empty() => vec![Source::titled(s.trim(), None)],
        Some(_) => {
            errs.push(bad("sources", "must be a list of {title, url}"));
            Vec::new()
        }
    }
}

fn bad(field: &str, reason: impl Into<String>) -> FieldError {
    FieldError { pointer: format!("/properties/{field}"), field: field.to_owned(), reason: reason.into(), at: None }
}

fn read_one(i: usize, v: &Value, errs: &mut Vec<FieldError>) -> Option<Source> {
    let here = format!("sources/{i}");
    let o = match v {
        Value::String(s) if !s.trim().is_empty() => return Some(Source::titled(s.trim(), None)),
        Value::Object(o) => o,
        _ => {
            errs.push(bad(&here, "each source needs a non-empty `title` (and optionally `url`)"));
            return None;
        }
    };
    let before = errs.len();
    for k in o.keys().filter(|k| !SOURCE_KEYS.contains(&k.as_str())) {
        errs.push(bad(&format!("{here}/{k}"), format!("is not a source property; known: {}", SOURCE_KEYS.join(", "))));
    }
    let title = o.get("title").and_then(Value::as_str).map(str::trim).filter(|t| !t.is_empty());
    if title.is_none() {
        errs.push(bad(&here, "each source needs a non-empty `title` (and optionally `url`)"));
    }
    let url = o.get("url").and_then(Value::as_str).map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned);
    // Pages and exports turn a source into a link: only web addresses, never `javascript:`,
    // `data:` or a file path.
    let web = |u: &str| u.get(..8).is_some_and(|p| p.eq_ignore_ascii_case("https://")) || u.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("http://"));
    if url.as_deref().is_some_and(|u| !web(u)) {
        errs.push(bad(&format!("{here}/url"), "must be an http:// or https:// address"));
    }
    let kind = text(o, "kind", &here, errs).and_then(|s| s.parse::<SourceKind>().map_err(|e| errs.push(bad(&format!("{here}/kind"), e.to_string()))).ok());
    let retrieved = text(o, "retrieved", &here, errs).and_then(|s| {
        NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .map_err(|_| errs.push(bad(&format!("{here}/retrieved"), format!("`{s}` is not a date; write YYYY-MM-DD, the day the source was read"))))
            .ok()
    });
    let quote = text(o, "quote", &here, errs);
    if quote.as_ref().is_some_and(|q| q.chars().count() > MAX_TEXT) {
        errs.push(bad(&format!("{here}/quote"), format!("is longer than {MAX_TEXT} characters")));
    }
    let fields = match o.get("fields") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .filter_map(|(j, f)| match f.as_str() {
                Some(name) if FIGURE_FIELDS.contains(&name) => Some(name.to_owned()),
                _ => {
                    errs.push(bad(&format!("{here}/fields/{j}"), format!("must name a reported property: {}", FIGURE_FIELDS.join(", "))));
                    None
                }
            })
            .collect(),
        Some(_) => {
            errs.push(bad(&format!("{here}/fields"), "must be a list of property names, e.g. [\"investment_total\"]"));
            Vec::new()
        }
    };
    if errs.len() > before {
        return None;
    }
    Some(Source { title: title?.to_owned(), url, kind, retrieved, fields, quote })
}

/// A trimmed text value; absent, null or blank is `None`, a non-text value an error.
fn text(o: &Map<String, Value>, key: &str, here: &str, errs: &mut Vec<FieldError>) -> Option<String> {
    match o.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Some(_) => {
            errs.push(bad(&format!("{here}/{key}"), "must be text"));
            None
        }
    }
}
