//! Writes and history over HTTP: `POST /api/projects`, `PUT`/`PATCH`/`DELETE /api/projects/{id}`
//! (each needs `If-Match` or `If-Unmodified-Since`), one revision, a diff of two, and restore. Planner role required for
//! every write. The work itself is in `service::edit`, shared with the OGC API's writes.

use super::extract::{version, FromQuery, IfMatch, JsonBody, Planner, ProjectPath, Query};
use super::reply::{self, etag};
use super::{AppState, Problem};
use crate::project::Version;
use crate::service::edit;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{json, Value};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/projects", post(create))
        .route("/api/projects/{id}", put(replace).patch(patch).delete(archive))
        .route("/api/projects/{id}/history/{version}", get(revision))
        .route("/api/projects/{id}/diff", get(diff))
        .route("/api/projects/{id}/restore", post(restore))
        .route("/api/archived", get(archived))
}

async fn create(State(s): State<AppState>, Planner(c): Planner, mut body: JsonBody) -> Result<Response, Problem> {
    let comment = body.take_comment()?;
    let p = s.edits().create(&c.acting(), &body.0, comment.as_deref()).await?;
    reply::created(&p, &format!("/api/projects/{}", p.id))
}

async fn replace(
    State(s): State<AppState>,
    Planner(c): Planner,
    ProjectPath(id): ProjectPath,
    IfMatch(cond): IfMatch,
    mut body: JsonBody,
) -> Result<Response, Problem> {
    let comment = body.take_comment()?;
    reply::feature(&s.edits().replace(&c.acting(), &id, &cond, &body.0, comment.as_deref()).await?)
}

async fn patch(
    State(s): State<AppState>,
    Planner(c): Planner,
    ProjectPath(id): ProjectPath,
    IfMatch(cond): IfMatch,
    mut body: JsonBody,
) -> Result<Response, Problem> {
    let comment = body.take_comment()?;
    reply::feature(&s.edits().patch(&c.acting(), &id, &cond, &body.0, comment.as_deref()).await?)
}

/// `?comment=` on DELETE (it has no body).
#[derive(Default)]
struct CommentQuery {
    comment: Option<String>,
}

impl FromQuery for CommentQuery {
    const KNOWN: &'static [&'static str] = &["comment"];
    fn set(&mut self, _: &str, value: String) -> Result<(), Problem> {
        self.comment = Some(value);
        Ok(())
    }
}

async fn archive(
    State(s): State<AppState>,
    Planner(c): Planner,
    ProjectPath(id): ProjectPath,
    IfMatch(cond): IfMatch,
    Query(q): Query<CommentQuery>,
) -> Result<Response, Problem> {
    let v = s.edits().archive(&c.acting(), &id, &cond, q.comment.as_deref()).await?;
    Ok(([(header::ETAG, etag(v)?)], Json(json!({"id": id, "version": v, "archived": true}))).into_response())
}

async fn revision(State(s): State<AppState>, Path((id, v)): Path<(String, String)>) -> Result<Response, Problem> {
    let id = super::extract::project_id(&id)?;
    let r = s.store.revision(&id, version("version", &v)?).await?;
    Ok(([(header::ETAG, etag(r.version)?)], Json(r)).into_response())
}

/// `?from=&to=` of a diff.
#[derive(Default)]
struct DiffQuery {
    from: Option<Version>,
    to: Option<Version>,
}

impl FromQuery for DiffQuery {
    const KNOWN: &'static [&'static str] = &["from", "to"];
    fn set(&mut self, key: &str, value: String) -> Result<(), Problem> {
        let v = Some(version(key, &value)?);
        if key == "from" {
            self.from = v;
        } else {
            self.to = v;
        }
        Ok(())
    }
}

async fn diff(State(s): State<AppState>, ProjectPath(id): ProjectPath, Query(q): Query<DiffQuery>) -> Result<Response, Problem> {
    Ok(Json(edit::diff(s.store.as_ref(), &id, q.from, q.to).await?).into_response())
}

/// The archived projects, for planners to find one again and restore it.
async fn archived(State(s): State<AppState>, Planner(_): Planner) -> Result<Response, Problem> {
    Ok(Json(edit::archived(s.store.as_ref()).await?).into_response())
}

async fn restore(
    State(s): State<AppState>,
    Planner(c): Planner,
    ProjectPath(id): ProjectPath,
    IfMatch(cond): IfMatch,
    mut body: JsonBody,
) -> Result<Response, Problem> {
    let comment = body.take_comment()?;
    let version = match body.0.get("version") {
        Some(Value::Number(n)) => n.as_i64().filter(|n| *n >= 1).map(Version),
        _ => None,
    }
    .ok_or_else(Problem::missing_version)?;
    reply::feature(&s.edits().restore(&c.acting(), &id, &cond, version, comment.as_deref()).await?)
}
