//! Typed extractors: what a handler may take from a request, each already checked, each
//! rejecting with problem+json that names the part of the request at fault.
//!
//! | extractor | what | rejection |
//! |---|---|---|
//! | [`Caller`], [`Planner`], [`Admin`] | who is calling; the latter two require the role | 401 / 403 |
//! | [`Body`], [`JsonBody`] | the body within `--max-body-bytes`; as JSON with a JSON media type, no NUL | 413 naming the limit; 400; 415 |
//! | [`Query<T>`] | query parameters known to `T` ([`FromQuery`]) | 400 naming the parameter and the allowed ones |
//! | [`Filter`] | the project filter shared by list, stats and export | 400 naming the parameter |
//! | [`PeriodFilter`] | the same plus `period=YYYY-MM` (stats) | 400 naming the parameter |
//! | [`IfMatch`] | the preconditions of a write (`If-Match`, `If-Unmodified-Since`) | 428 with `current_version`; 400 |
//! | [`ProjectPath`] | `{id}` as a project id | 404 (a malformed id names no project) |
//! | [`ReportPath`], [`ReportIfMatch`] | `{rid}` as a report id; the report version a workflow step is based on | 404; 428 with `current_version`, 400 |
//!
//! Handlers take these and call one use case in `crate::service`; they do not parse requests
//! by hand and do not import each other.

use super::{precondition, AppState, Problem};
use crate::auth::Role;
use crate::project::{ProjectFilter, ProjectId, Version};
use crate::service::edit::{Condition, VersionMatch};
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use serde_json::Value;

pub use super::caller::Caller;

/// Decodes a query string into pairs (repeated keys kept, in order).
pub(crate) fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    raw.map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default()
}

/// A caller who holds the planner role (or higher).
#[derive(Debug, Clone)]
pub struct Planner(pub Caller);

/// A caller who holds the admin role.
#[derive(Debug, Clone)]
pub struct Admin(pub Caller);

impl FromRequestParts<AppState> for Planner {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Planner, Problem> {
        let c = Caller::from_request_parts(parts, s).await?;
        c.require(Role::Planner)?;
        Ok(Planner(c))
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Admin, Problem> {
        let c = Caller::from_request_parts(parts, s).await?;
        c.require(Role::Admin)?;
        Ok(Admin(c))
    }
}

/// A JSON request body read up to `--max-body-bytes`; larger bodies are answered 413
/// problem+json naming the limit (axum's own rejection would be plain text). A body holding a
/// geometry of more than `--max-vertices` positions is answered 413 here too, from a scan of
/// the bytes, before it is parsed into a tree many times its size.
#[derive(Debug)]
pub struct Body(pub axum::body::Bytes);

impl FromRequest<AppState> for Body {
    type Rejection = Problem;
    async fn from_request(req: Request, s: &AppState) -> Result<Body, Problem> {
        let limit = s.max_body_bytes;
        let bytes = axum::body::to_bytes(req.into_body(), limit).await.map_err(|_| Problem::body_too_large(limit))?;
        let max = s.edit.max_vertices;
        if let Some(count) = crate::geometry::prescan::positions_over(&bytes, max) {
            return Err(crate::service::ServiceError::GeometryTooLarge { count, max }.into());
        }
        Ok(Body(bytes))
    }
}

/// Bodies larger than this are "large": parsing one takes tens of times its size in memory.
pub const LARGE_BODY_BYTES: u64 = 1024 * 1024;
/// Large bodies handled at once; further ones wait their turn (within the request timeout), so
/// many of them at the same moment cannot add up to an out-of-memory kill.
pub const LARGE_BODIES_AT_ONCE: usize = 2;

/// Holds a permit of `permits` for the whole request when its body is large (by
/// `Content-Length`, or of unknown length on a write).
pub async fn bound_large_bodies(
    axum::extract::State(permits): axum::extract::State<std::sync::Arc<tokio::sync::Semaphore>>,
    req: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let length = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    let large = match length {
        Some(n) => n > LARGE_BODY_BYTES,
        None => !req.method().is_safe() && req.headers().contains_key(header::TRANSFER_ENCODING),
    };
    if !large {
        return next.run(req).await;
    }
    // The semaphore is never closed; were it, the request would simply go ahead unbounded.
    let _permit = permits.acquire().await.ok();
    next.run(req).await
}

/// Bytes as JSON, a malformed body answered as problem+json naming the problem. A NUL character
/// anywhere in it is refused here, once for every body: PostgreSQL cannot store one in text and
/// KML/XML cannot carry one.
pub fn json(bytes: &[u8]) -> Result<Value, Problem> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| Problem::malformed_json(&e))?;
    match nul_at(&v, &mut String::new()) {
        Some(pointer) => Err(Problem::nul_in_body(&pointer)),
        None => Ok(v),
    }
}

/// The JSON pointer of the first string (or member name) holding U+0000.
fn nul_at(v: &Value, at: &mut String) -> Option<String> {
    let here = at.len();
    let found = match v {
        Value::String(t) => t.contains('\0').then(|| at.clone()),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            at.truncate(here);
            at.push_str(&format!("/{i}"));
            nul_at(item, at)
        }),
        Value::Object(map) => map.iter().find_map(|(k, item)| {
            at.truncate(here);
            at.push('/');
            at.push_str(&k.replace('~', "~0").replace('/', "~1"));
            if k.contains('\0') {
                return Some(at.clone());
            }
            nul_at(item, at)
        }),
        _ => None,
    };
    at.truncate(here);
    found
}

/// Media types a JSON write body may be sent as: a merge patch for `PATCH`, JSON or GeoJSON
/// otherwise. Anything else (notably `text/plain` and form types, which any web page can send
/// without asking) is refused before the body is read.
pub fn json_media_types(method: &Method) -> &'static [&'static str] {
    if method == Method::PATCH {
        &["application/merge-patch+json", "application/json"]
    } else {
        &["application/json", "application/geo+json"]
    }
}

/// Checks a write's `Content-Type` against [`json_media_types`]: none is 400, another 415.
pub fn require_json_media(method: &Method, headers: &HeaderMap) -> Result<(), Problem> {
    let accepted = json_media_types(method);
    let Some(raw) = headers.get(header::CONTENT_TYPE) else {
        return Err(Problem::unsupported_media_type(None, accepted));
    };
    let text = raw.to_str().unwrap_or("");
    let essence = text.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if accepted.contains(&essence.as_str()) {
        Ok(())
    } else {
        Err(Problem::unsupported_media_type(Some(text), accepted))
    }
}

/// Refuses a request whose query string decodes to a NUL character, for every route at once:
/// PostgreSQL would fail on it (a 500), SQLite would store it.
pub async fn refuse_nul_query(req: Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::response::IntoResponse;
    if let Some((k, _)) = query_pairs(req.uri().query()).into_iter().find(|(k, v)| k.contains('\0') || v.contains('\0')) {
        return Problem::nul_in_parameter(&k.replace('\0', "\\0")).into_response();
    }
    next.run(req).await
}

/// A JSON body (any JSON; the use case checks its shape).
#[derive(Debug)]
pub struct JsonBody(pub Value);

impl FromRequest<AppState> for JsonBody {
    type Rejection = Problem;
    async fn from_request(req: Request, s: &AppState) -> Result<JsonBody, Problem> {
        require_json_media(req.method(), req.headers())?;
        let Body(bytes) = Body::from_request(req, s).await?;
        json(&bytes).map(JsonBody)
    }
}

impl JsonBody {
    /// A required text member.
    pub fn text(&self, name: &str) -> Result<&str, Problem> {
        self.0.get(name).and_then(Value::as_str).ok_or_else(|| Problem::missing_field(name))
    }
    /// Splits off the optional top-level `comment` (short text) that goes into the history.
    pub fn take_comment(&mut self) -> Result<Option<String>, Problem> {
        Ok(crate::service::edit::take_comment(&mut self.0)?)
    }
}

/// Query parameters a resource takes: the names, and how each value is read.
pub trait FromQuery: Default {
    /// Every parameter name accepted; any other is a 400 listing these.
    const KNOWN: &'static [&'static str];
    /// Reads one value; a bad one is a 400 naming `key`.
    fn set(&mut self, key: &str, value: String) -> Result<(), Problem>;
}

/// Typed query parameters; unknown names are answered as everywhere else.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T: FromQuery, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Query<T>, Problem> {
        let mut t = T::default();
        for (k, v) in query_pairs(parts.uri.query()) {
            if !T::KNOWN.contains(&k.as_str()) {
                return Err(Problem::unknown_parameter(&k, T::KNOWN));
            }
            t.set(&k, v)?;
        }
        Ok(Query(t))
    }
}

/// A version in a query or path (1, 2, …).
pub fn version(param: &str, v: &str) -> Result<Version, Problem> {
    v.trim().parse::<i64>().ok().filter(|n| *n >= 1).map(Version).ok_or_else(|| Problem::bad_parameter(param, format!("`{v}` is not a version (1, 2, …)")))
}

/// The filter of `/api/projects`, `/api/stats` (the project filter parameters, nothing else).
#[derive(Debug)]
pub struct Filter(pub ProjectFilter);

impl FromRequestParts<AppState> for Filter {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Filter, Problem> {
        Ok(Filter(ProjectFilter::from_pairs(&query_pairs(parts.uri.query()), &s.rules.towns, &[])?))
    }
}

/// The project filter plus `period=YYYY-MM` (the month whose reports `/api/stats` and
/// `/api/stats/units` count).
#[derive(Debug)]
pub struct PeriodFilter {
    /// The project filter.
    pub filter: ProjectFilter,
    /// The month, when given.
    pub period: Option<crate::progress::Period>,
}

impl FromRequestParts<AppState> for PeriodFilter {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<PeriodFilter, Problem> {
        let pairs = query_pairs(parts.uri.query());
        let filter = ProjectFilter::from_pairs(&pairs, &s.rules.towns, &["period"])?;
        let period = pairs
            .iter()
            .find(|(k, _)| k == "period")
            .map(|(_, v)| v.parse::<crate::progress::Period>().map_err(|e| Problem::bad_parameter("period", e.to_string())))
            .transpose()?;
        Ok(PeriodFilter { filter, period })
    }
}

/// A project id from a path segment; a malformed id cannot name a project, so it is answered
/// like any unknown id.
pub fn project_id(id: &str) -> Result<ProjectId, Problem> {
    ProjectId::parse(id).map_err(|e| Problem::not_found(e.to_string()))
}

/// `{id}` of a `/api/projects/{id}…` route.
#[derive(Debug, Clone)]
pub struct ProjectPath(pub ProjectId);

impl<S: Send + Sync> FromRequestParts<S> for ProjectPath {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<ProjectPath, Problem> {
        let Path(id) = Path::<String>::from_request_parts(parts, s).await?;
        project_id(&id).map(ProjectPath)
    }
}

/// The preconditions of a write on `/api/projects/{id}`: `If-Match` (or, instead, a valid
/// `If-Unmodified-Since`) is required — 428, telling the current version, when neither is
/// sent; 400 when `If-Match` is malformed. Evaluated by the use case, after the project is
/// found (see `service::edit::Condition`).
#[derive(Debug, Clone)]
pub struct IfMatch(pub Condition);

impl FromRequestParts<AppState> for IfMatch {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<IfMatch, Problem> {
        let cond = precondition::condition(&parts.headers)?;
        if cond.is_given() {
            return Ok(IfMatch(cond));
        }
        let current = match ProjectPath::from_request_parts(parts, s).await {
            Ok(ProjectPath(id)) => s.store.history(&id).await.ok().and_then(|h| h.last().map(|r| r.version.0)),
            Err(_) => None,
        };
        Err(Problem::if_match_required(current))
    }
}

/// `{rid}` of a `/api/reports/{rid}…` route; a malformed id names no report (404).
#[derive(Debug, Clone, Copy)]
pub struct ReportPath(pub crate::progress::ReportId);

impl<S: Send + Sync> FromRequestParts<S> for ReportPath {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<ReportPath, Problem> {
        let Path(id) = Path::<String>::from_request_parts(parts, s).await?;
        id.parse().map(ReportPath).map_err(Problem::not_found)
    }
}

/// The report version a workflow step is based on: `If-Match` is required (428, telling the
/// report's current version, when absent). `*` or a list naming the current version resolves to
/// it; a list that does not is passed on as its first version (0 when it names none), which the
/// step refuses with 412 as stale.
#[derive(Debug, Clone, Copy)]
pub struct ReportIfMatch(pub i64);

impl FromRequestParts<AppState> for ReportIfMatch {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<ReportIfMatch, Problem> {
        let asked = precondition::if_match(&parts.headers)?;
        let current = match ReportPath::from_request_parts(parts, s).await {
            Ok(ReportPath(id)) => s.store.report(id).await.ok().map(|r| r.version),
            Err(_) => None,
        };
        let Some(asked) = asked else { return Err(Problem::if_match_required(current)) };
        Ok(ReportIfMatch(match (asked, current) {
            (VersionMatch::Any, Some(c)) => c,
            (VersionMatch::OneOf(vs), Some(c)) if vs.iter().any(|v| v.0 == c) => c,
            (VersionMatch::OneOf(vs), _) => vs.first().map_or(0, |v| v.0),
            // No such report: the step answers 404 before it looks at the version.
            (VersionMatch::Any, None) => 0,
        }))
    }
}
