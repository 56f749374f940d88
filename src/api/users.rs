//! Users and the audit log, for admins: `GET`/`POST /api/users`, `PATCH /api/users/{name}`
//! (role, disabled, password), `GET /api/audit`.

use super::caller::{Body, Caller};
use super::session::json_body;
use super::{AppState, Problem};
use crate::auth::{password, AuditEntry, Role, UserName};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/users", get(list_users).post(add_user))
        .route("/api/users/{name}", axum::routing::patch(change_user))
        .route("/api/audit", get(audit_log))
}

async fn list_users(State(s): State<AppState>, c: Caller) -> Result<Json<Value>, Problem> {
    c.require(Role::Admin)?;
    Ok(Json(json!({ "users": s.store.users().await? })))
}

fn parse_name(s: &str) -> Result<UserName, Problem> {
    UserName::parse(s.trim()).map_err(|e| Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "Invalid user name", e.to_string()))
}

fn parse_role(s: &str) -> Result<Role, Problem> {
    s.parse::<Role>().map_err(|e| Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "Invalid role", e.to_string()))
}

/// The audit line for a user change, written by the store in the change's transaction.
fn line(c: &Caller, action: &str, name: &UserName, detail: Option<String>) -> AuditEntry {
    AuditEntry::now(c.actor(), action, Some(name.as_str()), c.address.as_deref(), detail)
}

async fn add_user(State(s): State<AppState>, c: Caller, Body(body): Body) -> Result<Response, Problem> {
    c.require(Role::Admin)?;
    let v = json_body(&body)?;
    let name = parse_name(super::session::field(&v, "name")?)?;
    let role = parse_role(super::session::field(&v, "role")?)?;
    let hash = password::hash_blocking(super::session::field(&v, "password")?.to_owned())
        .await
        .map_err(|e| Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "Unusable password", e.to_string()))?;
    let user = s.store.add_user(&name, role, &hash, &line(&c, "user_add", &name, Some(format!("role {role}")))).await?;
    Ok((StatusCode::CREATED, Json(json!({ "user": user }))).into_response())
}

async fn change_user(State(s): State<AppState>, c: Caller, Path(name): Path<String>, Body(body): Body) -> Result<Json<Value>, Problem> {
    c.require(Role::Admin)?;
    let name = parse_name(&name)?;
    let v = json_body(&body)?;
    let mut user = None;
    if let Some(role) = v.get("role").and_then(Value::as_str) {
        user = Some(s.store.set_role(&name, parse_role(role)?, &line(&c, "user_role", &name, Some(role.to_owned()))).await?);
    }
    if let Some(d) = v.get("disabled").and_then(Value::as_bool) {
        user = Some(s.store.set_disabled(&name, d, &line(&c, if d { "user_disable" } else { "user_enable" }, &name, None)).await?);
    }
    if let Some(pw) = v.get("password").and_then(Value::as_str) {
        let hash =
            password::hash_blocking(pw.to_owned()).await.map_err(|e| Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "Unusable password", e.to_string()))?;
        user = Some(s.store.set_password(&name, &hash, &line(&c, "user_password", &name, None)).await?);
    }
    let user = user.ok_or_else(|| Problem::new(StatusCode::BAD_REQUEST, "Nothing to change", "send `role`, `disabled` and/or `password`"))?;
    Ok(Json(json!({ "user": user })))
}

#[derive(Deserialize)]
struct AuditQuery {
    limit: Option<u64>,
}

async fn audit_log(
    State(s): State<AppState>,
    c: Caller,
    q: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, Problem> {
    c.require(Role::Admin)?;
    let limit = q.map_err(|e| Problem::bad_parameter("limit", e.body_text()))?.0.limit.unwrap_or(200).min(5000);
    Ok(Json(json!({ "entries": s.store.audit_log(limit).await? })))
}
