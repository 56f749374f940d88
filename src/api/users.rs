//! Users and the audit log, for admins: `GET`/`POST /api/users`, `PATCH /api/users/{name}`
//! (role, disabled, password), `GET /api/audit`. The rules are `service::users`, shared with
//! `planmap user …`.

use super::extract::{Admin, FromQuery, JsonBody, Query};
use super::{AppState, Problem};
use crate::service::users::{self, Change};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/users", get(list_users).post(add_user))
        .route("/api/users/{name}", axum::routing::patch(change_user))
        .route("/api/audit", get(audit_log))
}

async fn list_users(State(s): State<AppState>, _: Admin) -> Result<Json<Value>, Problem> {
    Ok(Json(json!({ "users": users::list(s.store.as_ref()).await? })))
}

async fn add_user(State(s): State<AppState>, Admin(c): Admin, body: JsonBody) -> Result<Response, Problem> {
    let (name, role, pw) = (body.text("name")?, body.text("role")?, body.text("password")?);
    let user = users::add(s.store.as_ref(), &c.acting(), name, role, pw.to_owned()).await?;
    Ok((StatusCode::CREATED, Json(json!({ "user": user }))).into_response())
}

async fn change_user(State(s): State<AppState>, Admin(c): Admin, Path(name): Path<String>, JsonBody(v): JsonBody) -> Result<Json<Value>, Problem> {
    let change = Change {
        role: v.get("role").and_then(Value::as_str).map(str::to_owned),
        disabled: v.get("disabled").and_then(Value::as_bool),
        password: v.get("password").and_then(Value::as_str).map(str::to_owned),
    };
    let user = users::change(s.store.as_ref(), &c.acting(), &name, change).await?;
    Ok(Json(json!({ "user": user })))
}

/// `?limit=` of the audit log (default 200, at most 5000).
#[derive(Default)]
struct AuditQuery {
    limit: Option<u64>,
}

impl FromQuery for AuditQuery {
    const KNOWN: &'static [&'static str] = &["limit"];
    fn set(&mut self, key: &str, value: String) -> Result<(), Problem> {
        self.limit = Some(value.trim().parse().map_err(|_| Problem::bad_parameter(key, format!("`{value}` is not a count (0, 1, 2, …)")))?);
        Ok(())
    }
}

async fn audit_log(State(s): State<AppState>, _: Admin, Query(q): Query<AuditQuery>) -> Result<Json<Value>, Problem> {
    Ok(Json(json!({ "entries": users::audit_log(s.store.as_ref(), q.limit.unwrap_or(200)).await? })))
}
