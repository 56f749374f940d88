//! Base data and vocabularies: `/api/basemap`, `/api/basemap/attribution`, `/api/meta`, and the
//! plan's targets and unmapped programmes. All precomputed at start and served from memory,
//! except the project count in `/api/meta` (one `count`), which tells the page whether to work on tiles.

use super::AppState;
use crate::project::{Confidence, Kind, Status, ACTIONS};
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/basemap", get(basemap))
        .route("/api/basemap/attribution", get(|State(s): State<AppState>| async move { Json(s.geodata.attribution.clone()) }))
        .route("/api/plan/programmes", get(|State(s): State<AppState>| async move { Json(s.geodata.plan_programmes.clone()) }))
        .route("/api/meta", get(meta))
}

async fn basemap(State(s): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(super::reply::GEOJSON)), (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"))],
        s.geodata.basemap.clone(),
    )
        .into_response()
}

fn vocab<T: Copy>(all: &[T], wire: fn(T) -> &'static str, zh: fn(T) -> &'static str, en: fn(T) -> &'static str) -> Vec<Value> {
    all.iter().map(|v| json!({"value": wire(*v), "name_zh": zh(*v), "name_en": en(*v)})).collect()
}

async fn meta(State(s): State<AppState>) -> Result<Json<Value>, super::Problem> {
    let actions: Vec<Value> = ACTIONS.iter().map(|(n, zh, en, _)| json!({"n": n, "name_zh": zh, "name_en": en})).collect();
    let tasks: Vec<Value> = ACTIONS.iter().flat_map(|(a, _, _, ts)| ts.iter().map(move |(t, zh)| json!({"n": t, "action": a, "name_zh": zh}))).collect();
    Ok(Json(json!({
        "statuses": vocab(Status::ALL, Status::as_str, Status::label_zh, Status::label_en),
        "kinds": vocab(Kind::ALL, Kind::as_str, Kind::label_zh, Kind::label_en),
        "confidences": vocab(Confidence::ALL, Confidence::as_str, Confidence::label_zh, Confidence::label_en),
        "actions": actions,
        "tasks": tasks,
        "towns": s.rules.towns.names(),
        "region": s.rules.region.to_array(),
        // The district outline's extent (null without one): the map page opens fitted to it.
        "district_bbox": s.geodata.district_bbox.map(|b| b.to_array()),
        "store": s.store.backend(),
        // The page loads every project up to the threshold and works on tiles above it.
        "project_count": s.store.count(&crate::project::ProjectFilter::default()).await?,
        "tiles_threshold": s.tiles_threshold,
    })))
}
