//! `/api/projects`, `/api/projects/{id}`, its history, and `/api/stats`: reads, straight from the store.

use super::extract::{Filter, PeriodFilter, ProjectPath};
use super::reply::{self, feature_collection, GEOJSON};
use super::{AppState, Problem};
use crate::project::Page;
use crate::service::progress;
use axum::extract::State;
use axum::http::{header, HeaderValue};
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

async fn list(State(s): State<AppState>, Filter(filter): Filter) -> Result<Response, Problem> {
    let items = s.store.list(&filter, Page::ALL).await?;
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON))], feature_collection(&items)?).into_response())
}

async fn one(State(s): State<AppState>, ProjectPath(id): ProjectPath) -> Result<Response, Problem> {
    reply::feature(&s.store.get(&id).await?)
}

async fn history(State(s): State<AppState>, ProjectPath(id): ProjectPath) -> Result<Response, Problem> {
    Ok(Json(s.store.history(&id).await?).into_response())
}

async fn stats(State(s): State<AppState>, PeriodFilter { filter, period }: PeriodFilter) -> Result<Response, Problem> {
    let stats = s.store.stats(&filter, &s.rules.towns).await?;
    // The leadership figures (issue 10) next to the counts, decided on the server.
    let kpis = progress::kpis(s.store.as_ref(), &filter, period).await?;
    Ok(Json(StatsReply { stats, kpis }).into_response())
}

#[derive(serde::Serialize)]
struct StatsReply {
    #[serde(flatten)]
    stats: crate::project::Stats,
    kpis: crate::progress::Kpis,
}
