//! Feature in: the one reader from a GeoJSON Feature (HTTP body, import file, seed) to a
//! [`NewProject`]. Every property rule is here, and every failure is collected as a
//! [`FieldError`] with its JSON pointer rather than stopping at the first.

use super::{Action, Confidence, Kind, NewProject, ProjectId, ProjectProps, Source, Status, Task, Towns, Wan, YearInvestment};
use crate::geometry::{GeometryError, IslandIndex, Region, ValidGeometry};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value};
use std::fmt;
use std::sync::Arc;

/// One field that failed its rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldError {
    /// JSON pointer into the submitted Feature, e.g. `/properties/status` or `/geometry/coordinates/0/3`.
    pub pointer: String,
    /// Field name as a planner knows it, e.g. `status`, `geometry`.
    pub field: String,
    /// What is wrong and what would be accepted.
    pub reason: String,
    /// For geometry problems: the coordinate to mark on the map.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<[f64; 2]>,
}

/// A Feature that cannot become a project, with every reason.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{} problem(s): {}", .0.len(), .0.iter().map(|e| format!("{}: {}", e.field, e.reason)).collect::<Vec<_>>().join("; "))]
pub struct Invalid(pub Vec<FieldError>);

/// What input checking needs to know about the deployment.
#[derive(Debug, Clone)]
pub struct Rules {
    /// Geometries must lie inside.
    pub region: Region,
    /// Accepted towns.
    pub towns: Towns,
    /// For deriving `islands`.
    pub islands: Arc<IslandIndex>,
}

impl Default for Rules {
    fn default() -> Self {
        Rules { region: Region::DONGTOU, towns: Towns::default(), islands: Arc::new(IslandIndex::default()) }
    }
}

const MAX_TEXT: usize = 2000;
const MAX_LIST: usize = 100;
/// Properties the server adds to its output; accepted back on input (e.g. re-importing an export) and ignored.
const OUTPUT_ONLY: &[&str] = &["id", "islands", "version", "updated_at"];
const KNOWN: &[&str] = &[
    "name_zh",
    "name_en",
    "action",
    "task",
    "plan_ref",
    "kind",
    "status",
    "investment_total",
    "investment_completed",
    "investment_by_year",
    "progress_pct",
    "start_date",
    "planned_completion",
    "actual_completion",
    "responsible_units",
    "town",
    "targets",
    "description",
    "sources",
    "location_confidence",
    "synthetic",
];

impl NewProject {
    /// Checks a GeoJSON Feature. `url_id` is the id from the URL for PUT; when both are given they must agree.
    pub fn from_feature(feature: &Value, url_id: Option<&ProjectId>, rules: &Rules) -> Result<NewProject, Invalid> {
        let mut errs = Vec::new();
        let Some(obj) = feature.as_object() else {
            return Err(Invalid(vec![fe("", "feature", "expected a GeoJSON Feature object")]));
        };
        if obj.get("type").and_then(Value::as_str) != Some("Feature") {
            errs.push(fe("/type", "type", "must be \"Feature\""));
        }
        let id = match (obj.get("id").or_else(|| obj.get("properties").and_then(|p| p.get("id"))), url_id) {
            (Some(Value::String(s)), Some(u)) if s != u.as_str() => {
                errs.push(fe("/id", "id", &format!("the feature's id `{s}` differs from the id in the URL `{u}`")));
                None
            }
            (_, Some(u)) => Some(u.clone()),
            (Some(Value::String(s)), None) => match ProjectId::parse(s) {
                Ok(id) => Some(id),
                Err(e) => {
                    errs.push(fe("/id", "id", &e.to_string()));
                    None
                }
            },
            (Some(_), None) => {
                errs.push(fe("/id", "id", "must be a string slug such as zhuangyuanao-port-phase2"));
                None
            }
            (None, None) => {
                errs.push(fe("/id", "id", "is missing: every project needs a slug id such as zhuangyuanao-port-phase2"));
                None
            }
        };
        let geometry = match obj.get("geometry") {
            None | Some(Value::Null) => {
                errs.push(fe("/geometry", "geometry", "is missing: every project needs a Point, LineString or Polygon (or Multi-) geometry"));
                None
            }
            Some(g) => match ValidGeometry::parse(g, &rules.region) {
                Ok(g) => Some(g),
                Err(ge) => {
                    errs.extend(ge.into_iter().map(geometry_field_error));
                    None
                }
            },
        };
        let empty = Map::new();
        let props = match obj.get("properties") {
            Some(Value::Object(m)) => m,
            None | Some(Value::Null) => &empty,
            Some(_) => {
                errs.push(fe("/properties", "properties", "must be an object"));
                &empty
            }
        };
        let props = parse_props(props, rules, &mut errs);
        match (id, geometry, props) {
            (Some(id), Some(geometry), Some(props)) if errs.is_empty() => {
                let islands = rules.islands.islands_for(geometry.geo());
                Ok(NewProject { id, geometry, props, islands })
            }
            _ => Err(Invalid(errs)),
        }
    }
}

fn geometry_field_error(e: GeometryError) -> FieldError {
    FieldError { pointer: format!("/geometry{}", e.pointer), field: "geometry".into(), reason: e.message, at: e.at }
}

fn fe(pointer: &str, field: &str, reason: &str) -> FieldError {
    FieldError { pointer: pointer.to_owned(), field: field.to_owned(), reason: reason.to_owned(), at: None }
}

/// Reads one property at a time, recording what is wrong instead of stopping at the first problem.
struct Reader<'a> {
    map: &'a Map<String, Value>,
    errs: &'a mut Vec<FieldError>,
}

impl Reader<'_> {
    fn bad(&mut self, field: &str, reason: impl Into<String>) {
        self.errs.push(FieldError { pointer: format!("/properties/{field}"), field: field.to_owned(), reason: reason.into(), at: None });
    }
    /// `None` for absent, null or blank; an error for a non-string.
    fn text(&mut self, field: &str) -> Option<String> {
        match self.map.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(Value::String(s)) if s.chars().count() > MAX_TEXT => {
                self.bad(field, format!("is longer than {MAX_TEXT} characters"));
                None
            }
            Some(Value::String(s)) => Some(s.trim().to_owned()),
            Some(_) => {
                self.bad(field, "must be text");
                None
            }
        }
    }
    fn parsed<T, E: fmt::Display>(&mut self, field: &str, f: impl FnOnce(&str) -> Result<T, E>) -> Option<T> {
        let s = self.text(field)?;
        match f(&s) {
            Ok(v) => Some(v),
            Err(e) => {
                self.bad(field, e.to_string());
                None
            }
        }
    }
    fn int<T, E: fmt::Display>(&mut self, field: &str, f: impl FnOnce(i64) -> Result<T, E>) -> Option<T> {
        match self.map.get(field) {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_i64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())) {
                Some(n) => match f(n) {
                    Ok(t) => Some(t),
                    Err(e) => {
                        self.bad(field, e.to_string());
                        None
                    }
                },
                None => {
                    self.bad(field, "must be a whole number");
                    None
                }
            },
        }
    }
    fn amount(&mut self, field: &str, v: Option<&Value>) -> Option<Wan> {
        let text = match v {
            None | Some(Value::Null) => return None,
            Some(Value::String(s)) if s.trim().is_empty() => return None,
            Some(Value::String(s)) => s.clone(),
            // A JSON number's own text keeps what the file said ("3200.5"), not a binary float.
            Some(Value::Number(n)) => n.to_string(),
            Some(_) => {
                self.bad(field, "must be a decimal amount of 万元, e.g. \"12500\"");
                return None;
            }
        };
        match text.parse::<Wan>() {
            Ok(w) => Some(w),
            Err(e) => {
                self.bad(field, e.to_string());
                None
            }
        }
    }
    fn date(&mut self, field: &str) -> Option<NaiveDate> {
        self.parsed(field, |s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("`{s}` is not a date; write YYYY-MM-DD, e.g. 2025-06-30")).and_then(|d| {
                if (1990..=2100).contains(&chrono::Datelike::year(&d)) {
                    Ok(d)
                } else {
                    Err(format!("{d} is outside 1990–2100"))
                }
            })
        })
    }
    fn texts(&mut self, field: &str) -> Vec<String> {
        match self.map.get(field) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) if a.len() > MAX_LIST => {
                self.bad(field, format!("has more than {MAX_LIST} entries"));
                Vec::new()
            }
            Some(Value::Array(a)) => {
                let mut out = Vec::new();
                for (i, v) in a.iter().enumerate() {
                    match v.as_str().map(str::trim) {
                        Some(s) if !s.is_empty() && s.chars().count() <= MAX_TEXT => out.push(s.to_owned()),
                        _ => self.errs.push(FieldError {
                            pointer: format!("/properties/{field}/{i}"),
                            field: field.to_owned(),
                            reason: format!("entry {i} must be non-empty text of at most {MAX_TEXT} characters"),
                            at: None,
                        }),
                    }
                }
                out
            }
            // Spreadsheets and shapefiles carry lists as one text with separators.
            Some(Value::String(s)) => s.split(['、', ';', '；', '|']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect(),
            Some(_) => {
                self.bad(field, "must be a list of text");
                Vec::new()
            }
        }
    }
}

fn parse_props(map: &Map<String, Value>, rules: &Rules, errs: &mut Vec<FieldError>) -> Option<ProjectProps> {
    for k in map.keys() {
        if !KNOWN.contains(&k.as_str()) && !OUTPUT_ONLY.contains(&k.as_str()) {
            errs.push(fe(&format!("/properties/{k}"), k, &format!("is not a planmap property; known properties: {}", KNOWN.join(", "))));
        }
    }
    let mut r = Reader { map, errs };
    let name_zh = r.text("name_zh");
    if name_zh.is_none() && !r.errs.iter().any(|e| e.field == "name_zh") {
        r.bad("name_zh", "is required: the project's Chinese name as the plan writes it");
    }
    if name_zh.as_ref().is_some_and(|n| n.chars().count() > 200) {
        r.bad("name_zh", "is longer than 200 characters");
    }
    let name_en = r.text("name_en");
    let action = r.int("action", Action::try_from);
    let task = r.int("task", Task::try_from);
    if let (Some(a), Some(t)) = (action, task) {
        if t.action() != a {
            r.bad("task", format!("task {} belongs to action {}, not action {}", t.get(), t.action().get(), a.get()));
        }
    }
    // A task implies its action; filling it in keeps per-action statistics complete.
    let action = action.or(task.map(Task::action));
    let plan_ref = r.text("plan_ref");
    let kind = match r.text("kind") {
        None => {
            if !r.errs.iter().any(|e| e.field == "kind") {
                r.bad("kind", format!("is required; one of: {}", Kind::allowed().join(", ")));
            }
            None
        }
        Some(s) => match s.parse::<Kind>() {
            Ok(k) => Some(k),
            Err(e) => {
                r.bad("kind", e.to_string());
                None
            }
        },
    };
    let status = r.parsed("status", str::parse::<Status>);
    let investment_total = r.amount("investment_total", map.get("investment_total"));
    let investment_completed = r.amount("investment_completed", map.get("investment_completed"));
    let investment_by_year = match map.get("investment_by_year") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => {
            let mut out: Vec<YearInvestment> = Vec::new();
            for (i, v) in a.iter().enumerate() {
                let field = format!("investment_by_year/{i}");
                let Some(o) = v.as_object() else {
                    r.bad(&field, "must be an object {year, plan, actual}");
                    continue;
                };
                let year = o.get("year").and_then(Value::as_i64).filter(|y| (2000..=2100).contains(y));
                let Some(year) = year else {
                    r.bad(&format!("{field}/year"), "must be a year such as 2025");
                    continue;
                };
                let plan = r.amount(&format!("{field}/plan"), o.get("plan"));
                let actual = r.amount(&format!("{field}/actual"), o.get("actual"));
                if out.iter().any(|y| i64::from(y.year) == year) {
                    r.bad(&format!("{field}/year"), format!("{year} appears twice"));
                    continue;
                }
                out.push(YearInvestment { year: year as i32, plan, actual });
            }
            out.sort_by_key(|y| y.year);
            out
        }
        Some(_) => {
            r.bad("investment_by_year", "must be a list of {year, plan, actual}");
            Vec::new()
        }
    };
    let progress_pct = match map.get("progress_pct") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_f64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())) {
            Some(p) if p.is_finite() && (0.0..=100.0).contains(&p) => Some((p * 10.0).round() / 10.0),
            _ => {
                r.bad("progress_pct", "must be a number from 0 to 100");
                None
            }
        },
    };
    let start_date = r.date("start_date");
    let planned_completion = r.date("planned_completion");
    let actual_completion = r.date("actual_completion");
    if let (Some(s), Some(p)) = (start_date, planned_completion) {
        if p < s {
            r.bad("planned_completion", format!("{p} is before the start date {s}"));
        }
    }
    if let (Some(s), Some(a)) = (start_date, actual_completion) {
        if a < s {
            r.bad("actual_completion", format!("{a} is before the start date {s}"));
        }
    }
    let responsible_units = r.texts("responsible_units");
    let town = r.parsed("town", |s| rules.towns.parse(s));
    let targets = r.texts("targets");
    let description = r.text("description");
    let sources = match map.get("sources") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => {
            let mut out = Vec::new();
            for (i, v) in a.iter().enumerate() {
                let src = match v {
                    Value::String(s) if !s.trim().is_empty() => Some(Source { title: s.trim().to_owned(), url: None }),
                    Value::Object(o) => match o.get("title").and_then(Value::as_str).map(str::trim).filter(|t| !t.is_empty()) {
                        Some(t) => {
                            let url = o.get("url").and_then(Value::as_str).map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned);
                            // Pages and exports turn a source into a link: only web addresses,
                            // never `javascript:`, `data:` or a file path.
                            let web = |u: &str| {
                                u.get(..8).is_some_and(|p| p.eq_ignore_ascii_case("https://")) || u.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("http://"))
                            };
                            match url {
                                Some(u) if !web(&u) => {
                                    r.bad(&format!("sources/{i}/url"), "must be an http:// or https:// address");
                                    Some(Source { title: t.to_owned(), url: None })
                                }
                                url => Some(Source { title: t.to_owned(), url }),
                            }
                        }
                        None => None,
                    },
                    _ => None,
                };
                match src {
                    Some(s) => out.push(s),
                    None => r.bad(&format!("sources/{i}"), "each source needs a non-empty `title` (and optionally `url`)"),
                }
            }
            out
        }
        Some(Value::String(s)) if !s.trim().is_empty() => vec![Source { title: s.trim().to_owned(), url: None }],
        Some(_) => {
            r.bad("sources", "must be a list of {title, url}");
            Vec::new()
        }
    };
    if sources.is_empty() && !r.errs.iter().any(|e| e.field.starts_with("sources")) {
        r.bad("sources", "needs at least one citation {title, url}: where the location and figures come from");
    }
    let location_confidence = match r.text("location_confidence") {
        None => {
            r.bad("location_confidence", "is required; one of: high, medium, low");
            None
        }
        Some(s) => match s.parse::<Confidence>() {
            Ok(c) => Some(c),
            Err(e) => {
                r.bad("location_confidence", e.to_string());
                None
            }
        },
    };
    let synthetic = match map.get("synthetic") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            r.bad("synthetic", "must be true or false");
            false
        }
    };
    Some(ProjectProps {
        name_zh: name_zh?,
        name_en,
        action,
        task,
        plan_ref,
        kind: kind?,
        status,
        investment_total,
        investment_completed,
        investment_by_year,
        progress_pct,
        start_date,
        planned_completion,
        actual_completion,
        responsible_units,
        town,
        targets,
        description,
        sources,
        location_confidence: location_confidence?,
        synthetic,
    })
}
