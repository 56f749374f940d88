//! Sign-in and sign-out (`/api/session`): the cookie here, the rules (rate limits, decoy
//! hashing, audit lines) in `service::session`.

use super::caller::SESSION_COOKIE;
use super::extract::{Caller, JsonBody};
use super::{AppState, Problem};
use crate::service::session::{self, Policy};
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/session", get(current).post(sign_in).delete(sign_out))
}

async fn current(c: Caller) -> Json<Value> {
    Json(json!({ "user": c.user }))
}

async fn sign_in(State(s): State<AppState>, c: Caller, body: JsonBody) -> Result<Response, Problem> {
    let name = body.text("name")?;
    let pw = body.text("password")?.to_owned();
    let policy = Policy { max_failed_sign_ins: s.edit.max_failed_sign_ins, session_hours: s.edit.session_hours };
    let signed = session::sign_in(s.store.as_ref(), policy, &c.acting(), name, pw).await?;
    let secure = if c.secure_cookie(s.edit.cookie_secure) { "; Secure" } else { "" };
    let set = format!("{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}", signed.secret, signed.hours * 3600);
    let set = HeaderValue::from_str(&set).map_err(|_| Problem::internal())?;
    Ok(([(header::SET_COOKIE, set), (header::CACHE_CONTROL, HeaderValue::from_static("no-store"))], Json(json!({ "user": signed.user }))).into_response())
}

async fn sign_out(State(s): State<AppState>, c: Caller) -> Result<Response, Problem> {
    if let Some(d) = &c.session_digest {
        session::sign_out(s.store.as_ref(), &c.acting(), d, c.user.is_some()).await?;
    }
    let clear = HeaderValue::from_static("planmap_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear)]).into_response())
}
