//! Users and the audit log, for admins: `GET`/`POST /api/users`, `PATCH /api/users/{name}`
//! (role, disabled, password), `GET`/`POST /api/users/{name}/tokens`,
//! `DELETE /api/users/{name}/tokens/{id}`, `GET /api/audit`. The rules are `service::users`, shared with
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
        .route("/api/users/{name}/tokens", get(list_tokens).post(add_token))
        .route("/api/users/{name}/tokens/{id}", axum::routing::delete(revoke_token))
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

async fn list_tokens(State(s): State<AppState>, _: Admin, Path(name): Path<String>) -> Result<Json<Value>, Problem> {
    Ok(Json(json!({ "tokens": users::tokens(s.store.as_ref(), &name).await? })))
}

/// `{"label": "…", "expires_days": N}` (both optional); answers the token once.
async fn add_token(State(s): State<AppState>, Admin(c): Admin, Path(name): Path<String>, JsonBody(v): JsonBody) -> Result<Response, Problem> {
    let label = match v.get("label") {
        None | Some(Value::Null) => None,
        Some(Value::String(l)) => Some(l.as_str()),
        Some(_) => return Err(Problem::from(crate::service::ServiceError::BadToken("`label` must be text".into()))),
    };
    let days = match v.get("expires_days") {
        None | Some(Value::Null) => None,
        Some(d) => Some(d.as_u64().and_then(|d| u32::try_from(d).ok()).ok_or_else(|| {
            Problem::from(crate::service::ServiceError::BadToken(format!("`expires_days` must be a whole number of days (1–{})", users::MAX_TOKEN_DAYS)))
        })?),
    };
    let t = users::add_token(s.store.as_ref(), &c.acting(), &name, label, days).await?;
    let body = json!({ "token": t.secret, "id": t.info.id, "label": t.info.label, "expires_at": t.info.expires_at.map(crate::time::rfc3339), "user": t.user });
    Ok((StatusCode::CREATED, [(axum::http::header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}

async fn revoke_token(State(s): State<AppState>, Admin(c): Admin, Path((name, id)): Path<(String, String)>) -> Result<StatusCode, Problem> {
    users::revoke_token(s.store.as_ref(), &c.acting(), &name, &id).await?;
    Ok(StatusCode::NO_CONTENT)
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
