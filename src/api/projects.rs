//! `/api/projects`, `/api/projects/{id}`, its history, and `/api/stats`.

use super::{query_pairs, AppState, Problem};
use crate::project::{Page, Project, ProjectFilter, ProjectId};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/projects", get(list))
        .route("/api/projects/{id}", get(one))
        .route("/api/projects/{id}/history", get(history))
        .route("/api/stats", get(stats))
}

/// Content type of GeoJSON (RFC 7946).
pub(crate) const GEOJSON: &str = "application/geo+json";

pub(crate) fn parse_filter(s: &AppState, raw: Option<&str>, also_allowed: &[&str]) -> Result<ProjectFilter, Problem> {
    Ok(ProjectFilter::from_pairs(&query_pairs(raw), &s.rules.towns, also_allowed)?)
}

pub(crate) fn parse_id(id: &str) -> Result<ProjectId, Problem> {
    // A malformed id cannot name a project, so it is answered like any unknown id.
    ProjectId::parse(id).map_err(|e| Problem::new(StatusCode::NOT_FOUND, "Not found", e.to_string()))
}

/// Writes projects as a FeatureCollection without building a JSON tree per feature.
pub(crate) fn feature_collection(items: &[Project]) -> Result<Vec<u8>, Problem> {
    let mut buf = Vec::with_capacity(items.len() * 1024 + 64);
    buf.extend_from_slice(br#"{"type":"FeatureCollection","features":["#);
    for (i, p) in items.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        p.write_feature(&mut buf).map_err(|e| {
            tracing::error!(error = %e, project = %p.id, "encoding a feature");
            Problem::internal()
        })?;
    }
    buf.extend_from_slice(b"]}");
    Ok(buf)
}

async fn list(State(s): State<AppState>, RawQuery(q): RawQuery) -> Result<Response, Problem> {
    let filter = parse_filter(&s, q.as_deref(), &[])?;
    let items = s.store.list(&filter, Page::ALL).await?;
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON))], feature_collection(&items)?).into_response())
}

async fn one(State(s): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    let p = s.store.get(&parse_id(&id)?).await?;
    let mut body = Vec::new();
    p.write_feature(&mut body).map_err(|_| Problem::internal())?;
    let etag = HeaderValue::from_str(&format!("\"{}\"", p.version)).map_err(|_| Problem::internal())?;
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON)), (header::ETAG, etag)], body).into_response())
}

async fn history(State(s): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    let revs = s.store.history(&parse_id(&id)?).await?;
    Ok(Json(revs).into_response())
}

async fn stats(State(s): State<AppState>, RawQuery(q): RawQuery) -> Result<Response, Problem> {
    let filter = parse_filter(&s, q.as_deref(), &["period"])?;
    let stats = s.store.stats(&filter, &s.rules.towns).await?;
    // The leadership figures (issue 10) next to the counts, decided on the server.
    let period = super::reports::period_param(q.as_deref())?;
    let mut body = serde_json::to_value(stats).map_err(|_| Problem::internal())?;
    body["kpis"] = super::reports::kpis_value(&s, &filter, period).await?;
    Ok(Json(body).into_response())
}
