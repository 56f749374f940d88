//! `/healthz` (the process answers) and `/readyz` (the store answers too), for load balancers.

use super::{AppState, Problem};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(|| async { Json(json!({"status": "ok"})) })).route("/readyz", get(readyz))
}

async fn readyz(State(s): State<AppState>) -> Result<Json<Value>, Problem> {
    match s.store.ping().await {
        Ok(()) => Ok(Json(json!({"status": "ready", "store": s.store.backend()}))),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            Err(Problem::store_unreachable(&s.store.backend().to_string()))
        }
    }
}
