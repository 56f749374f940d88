//! Sign-in and sign-out (`/api/session`).
//!
//! Failed sign-ins are counted in the store per account and per client address over a
//! 15-minute window, so the limit holds across every instance behind a load balancer. A locked
//! account answers 429 without checking the password, so guessing cannot go on in the dark.

use super::caller::{Body, Caller, SESSION_COOKIE};
use super::{AppState, Problem};
use crate::auth::{password, token, AuditEntry, UserName};
use crate::time::now_micros;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

/// The window failed sign-ins are counted over.
const WINDOW_MINUTES: i64 = 15;
/// Failed sign-ins from one address within the window before it is refused (several people may share an office NAT).
const MAX_FAILURES_PER_ADDRESS: u64 = 30;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/session", get(current).post(sign_in).delete(sign_out))
}

/// A JSON body, with a malformed one answered as problem+json naming the problem.
pub(crate) fn json_body(bytes: &[u8]) -> Result<Value, Problem> {
    serde_json::from_slice(bytes).map_err(|e| Problem::new(StatusCode::BAD_REQUEST, "Malformed JSON", format!("the request body is not valid JSON: {e}")))
}

pub(super) fn field<'a>(v: &'a Value, name: &str) -> Result<&'a str, Problem> {
    v.get(name).and_then(Value::as_str).ok_or_else(|| {
        let mut p = Problem::new(StatusCode::BAD_REQUEST, "Missing field", format!("`{name}` is required (text)"));
        p.errors.push(crate::project::FieldError { pointer: format!("/{name}"), field: name.into(), reason: "is required".into(), at: None });
        p
    })
}

pub(crate) async fn audit(s: &AppState, c: &Caller, action: &str, target: Option<&str>, detail: Option<String>) {
    let e = AuditEntry::now(c.actor(), action, target, c.address.as_deref(), detail);
    // The write already happened and is in the project's history; a failing audit insert is
    // logged loudly rather than reported as a failed write.
    if let Err(err) = s.store.audit(&e).await {
        tracing::error!(error = %err, action, "cannot write the audit log");
    }
}

async fn current(c: Caller) -> Json<Value> {
    Json(json!({ "user": c.user }))
}

fn too_many(detail: String) -> Problem {
    Problem::new(StatusCode::TOO_MANY_REQUESTS, "Too many failed sign-ins", detail).with("retry_after_seconds", Value::from(WINDOW_MINUTES * 60))
}

async fn sign_in(State(s): State<AppState>, c: Caller, Body(body): Body) -> Result<Response, Problem> {
    let v = json_body(&body)?;
    let name_text = field(&v, "name")?;
    let pw = field(&v, "password")?.to_owned();
    let since = now_micros() - chrono::Duration::minutes(WINDOW_MINUTES);
    let user_key = format!("user:{}", name_text.trim());
    let addr_key = format!("addr:{}", c.address.as_deref().unwrap_or("unknown"));
    if s.store.failures_since(&user_key, since).await? >= u64::from(s.edit.max_failed_sign_ins) {
        audit(&s, &c, "sign_in_refused", Some(name_text), Some("account locked after failed sign-ins".into())).await;
        return Err(too_many(format!("too many failed sign-ins for `{name_text}`; try again in {WINDOW_MINUTES} minutes or ask an admin")));
    }
    if s.store.failures_since(&addr_key, since).await? >= MAX_FAILURES_PER_ADDRESS {
        audit(&s, &c, "sign_in_refused", Some(name_text), Some("address locked after failed sign-ins".into())).await;
        return Err(too_many(format!("too many failed sign-ins from this address; try again in {WINDOW_MINUTES} minutes")));
    }
    let found = match UserName::parse(name_text.trim()) {
        Ok(n) => s.store.user_with_hash(&n).await?,
        Err(_) => None,
    };
    // Unknown names are checked against a decoy hash so they take as long as wrong passwords.
    let (user, stored) = match found {
        Some((u, h)) => (Some(u), h),
        None => (None, password::decoy()),
    };
    let ok = password::verify_blocking(pw, stored).await;
    let user = match user {
        Some(u) if ok && !u.disabled => u,
        _ => {
            s.store.record_failure(&[user_key, addr_key], now_micros()).await?;
            audit(&s, &c, "sign_in_failed", Some(name_text), None).await;
            return Err(Problem::new(StatusCode::UNAUTHORIZED, "Sign-in failed", "unknown user, wrong password, or disabled account"));
        }
    };
    s.store.clear_failures(&user_key).await?;
    let secret = token::random_secret();
    let now = now_micros();
    let hours = i64::from(s.edit.session_hours.max(1));
    s.store.add_session(&token::digest(&secret), user.id, now, now + chrono::Duration::hours(hours)).await?;
    let c = Caller { user: Some(user.clone()), ..c };
    audit(&s, &c, "sign_in", Some(user.name.as_str()), None).await;
    let secure = if c.secure_cookie(s.edit.cookie_secure) { "; Secure" } else { "" };
    let set = format!("{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}", hours * 3600);
    let set = HeaderValue::from_str(&set).map_err(|_| Problem::internal())?;
    Ok(([(header::SET_COOKIE, set), (header::CACHE_CONTROL, HeaderValue::from_static("no-store"))], Json(json!({ "user": user }))).into_response())
}

async fn sign_out(State(s): State<AppState>, c: Caller) -> Result<Response, Problem> {
    if let Some(d) = &c.session_digest {
        s.store.remove_session(d).await?;
        if c.user.is_some() {
            audit(&s, &c, "sign_out", None, None).await;
        }
    }
    let clear = HeaderValue::from_static("planmap_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear)]).into_response())
}
