//! Writes and history over HTTP: `POST /api/projects`, `PUT`/`PATCH`/`DELETE /api/projects/{id}`
//! (each needs `If-Match`), one revision, a diff of two, and restore. Planner role required for
//! every write. The work itself is in `write.rs`, shared with other write routes.

use super::caller::{Body, Caller};
use super::projects::{parse_id, GEOJSON};
use super::session::json_body;
use super::{write, AppState, Problem};
use crate::auth::Role;
use crate::project::{Project, ProjectId, Version};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/projects", post(create))
        .route("/api/projects/{id}", put(replace).patch(patch).delete(archive))
        .route("/api/projects/{id}/history/{version}", get(revision))
        .route("/api/projects/{id}/diff", get(diff))
        .route("/api/projects/{id}/restore", post(restore))
}

/// The version named by `If-Match` (`"3"`, `W/"3"` or `3`); 428 when absent.
async fn if_match(s: &AppState, headers: &HeaderMap, id: &ProjectId) -> Result<Version, Problem> {
    let Some(raw) = headers.get(header::IF_MATCH) else {
        // Telling the current version saves the client a round trip, and is no secret: GET shows it.
        let current = s.store.history(id).await.ok().and_then(|h| h.last().map(|r| r.version.0));
        let mut p = Problem::new(
            StatusCode::PRECONDITION_REQUIRED,
            "If-Match required",
            "send If-Match with the version (ETag) you edited, so that nobody else's change is overwritten",
        );
        if let Some(v) = current {
            p = p.with("current_version", Value::from(v));
        }
        return Err(p);
    };
    parse_if_match(raw)
}

/// The version named by an `If-Match` value (`"3"`, `W/"3"` or `3`); 400 when it names none.
pub(crate) fn parse_if_match(raw: &HeaderValue) -> Result<Version, Problem> {
    let text = raw.to_str().unwrap_or("").trim();
    let digits = text.trim_start_matches("W/").trim_matches('"');
    digits.parse::<i64>().ok().filter(|v| *v >= 1).map(Version).ok_or_else(|| {
        let mut p = Problem::new(StatusCode::BAD_REQUEST, "Malformed If-Match", format!("If-Match must be a version such as \"3\" (the ETag); got `{text}`"));
        p.parameter = Some("If-Match".into());
        p
    })
}

/// Splits the optional top-level `comment` member off a request body.
pub(crate) fn take_comment(v: &mut Value) -> Result<Option<String>, Problem> {
    match v.as_object_mut().and_then(|o| o.remove("comment")) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.chars().count() <= 2000 => Ok(Some(s)),
        Some(_) => Err(Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "Invalid comment", "`comment` must be text of at most 2000 characters")),
    }
}

fn etag(v: Version) -> Result<HeaderValue, Problem> {
    HeaderValue::from_str(&format!("\"{v}\"")).map_err(|_| Problem::internal())
}

fn feature_response(status: StatusCode, p: &Project) -> Result<Response, Problem> {
    let mut body = Vec::new();
    p.write_feature(&mut body).map_err(|_| Problem::internal())?;
    let mut r = (status, [(header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON)), (header::ETAG, etag(p.version)?)], body).into_response();
    if status == StatusCode::CREATED {
        if let Ok(loc) = HeaderValue::from_str(&format!("/api/projects/{}", p.id)) {
            r.headers_mut().insert(header::LOCATION, loc);
        }
    }
    Ok(r)
}

async fn create(State(s): State<AppState>, c: Caller, Body(body): Body) -> Result<Response, Problem> {
    c.require(Role::Planner)?;
    let mut v = json_body(&body)?;
    let comment = take_comment(&mut v)?;
    let p = write::create(&s, &c, &v, comment.as_deref()).await?;
    feature_response(StatusCode::CREATED, &p)
}

async fn replace(State(s): State<AppState>, c: Caller, Path(id): Path<String>, headers: HeaderMap, Body(body): Body) -> Result<Response, Problem> {
    c.require(Role::Planner)?;
    let id = parse_id(&id)?;
    let expected = if_match(&s, &headers, &id).await?;
    let mut v = json_body(&body)?;
    let comment = take_comment(&mut v)?;
    let p = write::replace(&s, &c, &id, Some(expected), &v, comment.as_deref()).await?;
    feature_response(StatusCode::OK, &p)
}

async fn patch(State(s): State<AppState>, c: Caller, Path(id): Path<String>, headers: HeaderMap, Body(body): Body) -> Result<Response, Problem> {
    c.require(Role::Planner)?;
    let id = parse_id(&id)?;
    let expected = if_match(&s, &headers, &id).await?;
    let mut v = json_body(&body)?;
    let comment = take_comment(&mut v)?;
    let p = write::patch(&s, &c, &id, Some(expected), &v, comment.as_deref()).await?;
    feature_response(StatusCode::OK, &p)
}

fn comment_param(q: Option<&str>) -> Result<Option<String>, Problem> {
    let mut comment = None;
    for (k, v) in super::query_pairs(q) {
        match k.as_str() {
            "comment" => comment = Some(v),
            other => return Err(Problem::bad_parameter(other, "is not a known parameter; known: comment")),
        }
    }
    Ok(comment)
}

async fn archive(State(s): State<AppState>, c: Caller, Path(id): Path<String>, headers: HeaderMap, RawQuery(q): RawQuery) -> Result<Response, Problem> {
    c.require(Role::Planner)?;
    let id = parse_id(&id)?;
    let expected = if_match(&s, &headers, &id).await?;
    let comment = comment_param(q.as_deref())?;
    let v = write::archive(&s, &c, &id, Some(expected), comment.as_deref()).await?;
    Ok(([(header::ETAG, etag(v)?)], Json(json!({"id": id, "version": v, "archived": true}))).into_response())
}

fn parse_version(param: &str, v: &str) -> Result<Version, Problem> {
    v.trim().parse::<i64>().ok().filter(|n| *n >= 1).map(Version).ok_or_else(|| Problem::bad_parameter(param, format!("`{v}` is not a version (1, 2, …)")))
}

async fn revision(State(s): State<AppState>, Path((id, version)): Path<(String, String)>) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let version = parse_version("version", &version)?;
    let r = s.store.revision(&id, version).await?;
    Ok(([(header::ETAG, etag(r.version)?)], Json(r)).into_response())
}

/// What changed between two snapshots: each property that differs, and the geometry if it does.
pub fn diff_features(a: &Value, b: &Value) -> Vec<Value> {
    // Server-maintained members change on every write and say nothing about the edit.
    const SKIP: &[&str] = &["version", "updated_at"];
    let empty = Map::new();
    let pa = a.get("properties").and_then(Value::as_object).unwrap_or(&empty);
    let pb = b.get("properties").and_then(Value::as_object).unwrap_or(&empty);
    let mut keys: Vec<&String> = pa.keys().chain(pb.keys()).filter(|k| !SKIP.contains(&k.as_str())).collect();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for k in keys {
        let (x, y) = (pa.get(k).unwrap_or(&Value::Null), pb.get(k).unwrap_or(&Value::Null));
        if x != y {
            out.push(json!({"field": k, "pointer": format!("/properties/{k}"), "from": x, "to": y}));
        }
    }
    let (ga, gb) = (a.get("geometry").unwrap_or(&Value::Null), b.get("geometry").unwrap_or(&Value::Null));
    if ga != gb {
        out.push(json!({"field": "geometry", "pointer": "/geometry", "from": ga, "to": gb}));
    }
    out
}

async fn diff(State(s): State<AppState>, Path(id): Path<String>, RawQuery(q): RawQuery) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let (mut from, mut to) = (None, None);
    for (k, v) in super::query_pairs(q.as_deref()) {
        match k.as_str() {
            "from" => from = Some(parse_version("from", &v)?),
            "to" => to = Some(parse_version("to", &v)?),
            other => return Err(Problem::bad_parameter(other, "is not a known parameter; known: from, to")),
        }
    }
    let history = s.store.history(&id).await?;
    let latest = history.last().map_or(Version(1), |r| r.version);
    let to = to.unwrap_or(latest);
    let from = from.unwrap_or(Version((to.0 - 1).max(1)));
    let find = |v: Version, param: &str| {
        history.iter().find(|r| r.version == v).ok_or_else(|| Problem::bad_parameter(param, format!("project `{id}` has no version {v} (latest is {latest})")))
    };
    let (a, b) = (find(from, "from")?, find(to, "to")?);
    Ok(Json(json!({
        "id": id, "from": from, "to": to,
        "from_revision": {"author": a.author, "created_at": crate::time::rfc3339(a.created_at), "comment": a.comment, "archived": a.archived},
        "to_revision": {"author": b.author, "created_at": crate::time::rfc3339(b.created_at), "comment": b.comment, "archived": b.archived},
        "changes": diff_features(&a.feature, &b.feature),
    }))
    .into_response())
}

async fn restore(State(s): State<AppState>, c: Caller, Path(id): Path<String>, headers: HeaderMap, Body(body): Body) -> Result<Response, Problem> {
    c.require(Role::Planner)?;
    let id = parse_id(&id)?;
    let expected = if_match(&s, &headers, &id).await?;
    let mut v = json_body(&body)?;
    let comment = take_comment(&mut v)?;
    let version = match v.get("version") {
        Some(Value::Number(n)) => n.as_i64().filter(|n| *n >= 1).map(Version),
        _ => None,
    }
    .ok_or_else(|| Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "Missing version", "send {\"version\": N}: the revision to restore"))?;
    let p = write::restore(&s, &c, &id, Some(expected), version, comment.as_deref()).await?;
    feature_response(StatusCode::OK, &p)
}
