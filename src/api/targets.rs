//! The plan's targets with their reported values (issue 10, item 10).
//!
//! | route | who | what |
//! |---|---|---|
//! | `GET /api/plan/targets` | anyone | the targets, each with `values`, `history`, `latest`, `track` |
//! | `GET /api/plan/targets/{id}/values` | anyone | every value recorded for one target, with source and who entered it |
//! | `POST /api/plan/targets/{id}/values` | reviewer, admin, designated statistics user | `{period, value, unit?, source}` → 201 |

use super::extract::{Caller, JsonBody};
use super::{AppState, Problem};
use crate::service::targets;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/plan/targets", get(list)).route("/api/plan/targets/{id}/values", get(values).post(add))
}

async fn list(State(s): State<AppState>) -> Result<Response, Problem> {
    Ok(Json(targets::with_values(s.store.as_ref(), &s.geodata.plan_targets).await?).into_response())
}

fn known(s: &AppState, id: &str) -> Result<(), Problem> {
    match targets::target(&s.geodata.plan_targets, id) {
        Some(_) => Ok(()),
        None => Err(Problem::new(StatusCode::NOT_FOUND, "Not found", format!("`{id}` is not one of the plan's targets; see GET /api/plan/targets"))),
    }
}

async fn values(State(s): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    known(&s, &id)?;
    let v = s.store.target_values(Some(&id)).await?;
    Ok(Json(json!({ "target": id, "values": v })).into_response())
}

async fn add(State(s): State<AppState>, c: Caller, Path(id): Path<String>, JsonBody(body): JsonBody) -> Result<Response, Problem> {
    c.require(crate::auth::Role::Viewer)?;
    known(&s, &id)?;
    let v = targets::add_value(s.store.as_ref(), &s.geodata.plan_targets, c.user.as_ref(), c.address.as_deref(), &id, &body).await?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}
