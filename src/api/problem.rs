//! RFC 9457 problem details: the one place where errors become HTTP.
//!
//! Every handler returns `Result<_, Problem>`; the `From` impls below are the only mapping from
//! domain, use-case ([`ServiceError`]) and store errors to status codes, and the named
//! constructors are the only other problems (request shape: sign-in, `If-Match`, body size,
//! malformed JSON, unknown parameters). No other file builds a status code into a problem.
//! Internal errors are logged with their cause chain and answered with a generic text, never
//! the database's message.

use crate::project::{BadFilter, FieldError, Invalid};
use crate::service::ServiceError;
use crate::store::StoreError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

/// The extension member that carries a 429's or 503's wait; [`Problem::into_response`] copies
/// it into the `Retry-After` header, so the two never disagree.
pub const RETRY_AFTER: &str = "retry_after_seconds";

/// What a client is told to wait when the store is out of reach: long enough for a PostgreSQL
/// restart, short enough that a fail-over is not noticed.
const STORE_RETRY_SECONDS: u64 = 5;

/// A problem+json body.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// A URI naming the kind of problem; `about:blank` when the status says it all.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary.
    pub title: String,
    /// HTTP status.
    #[serde(serialize_with = "ser_status")]
    pub status: StatusCode,
    /// What went wrong in this request, as a sentence.
    pub detail: String,
    /// Per-field problems, each with a JSON pointer.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The offending query parameter, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// Extra members (e.g. `current_version` on 412).
    #[serde(flatten, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, Value>,
}

fn ser_status<S: serde::Serializer>(s: &StatusCode, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_u16(s.as_u16())
}

impl Problem {
    /// A problem with a status, title and detail.
    pub fn new(status: StatusCode, title: &str, detail: impl Into<String>) -> Problem {
        Problem {
            kind: "about:blank".into(),
            title: title.into(),
            status,
            detail: detail.into(),
            errors: Vec::new(),
            parameter: None,
            extra: serde_json::Map::new(),
        }
    }
    /// 400 for a bad query parameter.
    pub fn bad_parameter(param: &str, reason: impl Into<String>) -> Problem {
        let reason = reason.into();
        let mut p = Problem::new(StatusCode::BAD_REQUEST, "Invalid query parameter", format!("query parameter `{param}`: {reason}"));
        p.parameter = Some(param.to_owned());
        p
    }
    /// A 500 that tells the client nothing about internals.
    pub fn internal() -> Problem {
        Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal error", "the server failed to answer; the cause is in its log")
    }
    /// 400 for a query parameter this resource does not take, listing those it does.
    pub fn unknown_parameter(param: &str, known: &[&str]) -> Problem {
        Problem::bad_parameter(param, format!("is not a known parameter; known: {}", known.join(", ")))
    }
    /// 400 for a body that is not JSON.
    pub fn malformed_json(e: &serde_json::Error) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "Malformed JSON", format!("the request body is not valid JSON: {e}"))
    }
    /// 400 for a required text member missing from a JSON body.
    pub fn missing_field(name: &str) -> Problem {
        let mut p = Problem::new(StatusCode::BAD_REQUEST, "Missing field", format!("`{name}` is required (text)"));
        p.errors.push(FieldError { pointer: format!("/{name}"), field: name.into(), reason: "is required".into(), at: None });
        p
    }
    /// 404.
    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "Not found", detail)
    }
    /// 401: anonymous where a signed-in user is needed.
    pub fn sign_in_required(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::UNAUTHORIZED, "Sign-in required", detail)
    }
    /// 403: signed in, but the role is too low.
    pub fn not_allowed(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::FORBIDDEN, "Not allowed", detail)
    }
    /// 401: a Bearer token that does not work (never a silent downgrade to anonymous).
    pub fn invalid_token() -> Problem {
        Problem::new(StatusCode::UNAUTHORIZED, "Invalid token", "the Bearer token is unknown, or its user is disabled")
    }
    /// 413 for a body over `--max-body-bytes`, naming the limit.
    pub fn body_too_large(limit: usize) -> Problem {
        Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "Body too large", format!("the request body is larger than the limit of {limit} bytes (--max-body-bytes)"))
            .with("limit", Value::from(limit))
    }
    /// 428: a write without `If-Match` (or `If-Unmodified-Since`). Telling the current version saves the client a round
    /// trip, and is no secret: GET shows it.
    pub fn if_match_required(current_version: Option<i64>) -> Problem {
        let p = Problem::new(
            StatusCode::PRECONDITION_REQUIRED,
            "If-Match required",
            "send If-Match with the version (ETag) you edited, so that nobody else's change is overwritten",
        );
        match current_version {
            Some(v) => p.with("current_version", Value::from(v)),
            None => p,
        }
    }
    /// 400: an `If-Match` that is not `*` or a list of entity-tags (RFC 9110 §13.1.1).
    pub fn malformed_if_match(text: &str) -> Problem {
        let mut p = Problem::new(
            StatusCode::BAD_REQUEST,
            "Malformed If-Match",
            format!("If-Match must be `*` or a comma-separated list of entity-tags such as \"3\" or W/\"3\" (the ETag); got `{text}`"),
        );
        p.parameter = Some("If-Match".into());
        p
    }
    /// 422: a restore without the version to restore.
    pub fn missing_version() -> Problem {
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "Missing version", "send {\"version\": N}: the revision to restore")
    }
    /// 405: a write to base data.
    pub fn read_only(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::METHOD_NOT_ALLOWED, "Read-only collection", detail)
    }
    /// 400: a `Content-Crs` header naming a CRS that is not supported.
    pub fn unsupported_content_crs(text: &str, known: &[&str]) -> Problem {
        let mut p =
            Problem::new(StatusCode::BAD_REQUEST, "Unsupported Content-Crs", format!("`{text}` is not a supported CRS; use one of {}", known.join(", ")));
        p.parameter = Some("Content-Crs".into());
        p
    }
    /// 503: the store does not answer (readiness).
    pub fn store_unreachable(backend: &str) -> Problem {
        Problem::new(StatusCode::SERVICE_UNAVAILABLE, "Store unreachable", format!("the {backend} store does not answer"))
            .with(RETRY_AFTER, Value::from(STORE_RETRY_SECONDS))
    }
    /// 400 (no `Content-Type`) or 415 (another one) for a write body; names the accepted types.
    pub fn unsupported_media_type(sent: Option<&str>, accepted: &[&str]) -> Problem {
        let list = accepted.join(", ");
        let mut p = match sent {
            None => Problem::new(StatusCode::BAD_REQUEST, "Missing Content-Type", format!("send the body with `Content-Type` one of {list}")),
            Some(t) => Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Unsupported media type", format!("`{t}` is not accepted here; use one of {list}")),
        };
        p.parameter = Some("Content-Type".into());
        p.with("accepted", Value::from(accepted.iter().map(|a| Value::from(*a)).collect::<Vec<_>>()))
    }
    /// 403: a cookie-authenticated write sent from another site's page (CSRF).
    pub fn cross_site(origin: &str) -> Problem {
        Problem::new(
            StatusCode::FORBIDDEN,
            "Cross-site request refused",
            format!("a write signed in by cookie must come from this service's own pages, not from `{origin}`; scripts use a Bearer token"),
        )
    }
    /// 400: a NUL character in a query parameter.
    pub fn nul_in_parameter(param: &str) -> Problem {
        Problem::bad_parameter(param, "contains a NUL character (U+0000), which no value may hold")
    }
    /// 400: a NUL character in a JSON body, at a JSON pointer.
    pub fn nul_in_body(pointer: &str) -> Problem {
        let mut p =
            Problem::new(StatusCode::BAD_REQUEST, "NUL character", format!("the body holds a NUL character (U+0000) at `{pointer}`, which no value may hold"));
        p.extra.insert("pointer".into(), Value::from(pointer));
        p
    }
    /// Adds an extension member.
    pub fn with(mut self, key: &str, value: Value) -> Problem {
        self.extra.insert(key.to_owned(), value);
        self
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status;
        let retry_after = self.extra.get(RETRY_AFTER).and_then(Value::as_u64);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut res = (status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"))], body).into_response();
        if let Some(secs) = retry_after {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

impl From<BadFilter> for Problem {
    fn from(e: BadFilter) -> Problem {
        let p = Problem::bad_parameter(&e.param, e.reason);
        match e.position {
            Some(pos) => p.with("position", Value::from(pos)),
            None => p,
        }
    }
}

impl From<Invalid> for Problem {
    fn from(e: Invalid) -> Problem {
        let mut p = Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "Invalid project", e.to_string());
        p.kind = "https://planmap.dev/problems/invalid-project".into();
        p.errors = e.0;
        p
    }
}

impl From<crate::service::export::ExportError> for Problem {
    fn from(e: crate::service::export::ExportError) -> Problem {
        match e {
            crate::service::export::ExportError::Store(s) => Problem::from(s),
            crate::service::export::ExportError::Format(f) => {
                tracing::error!(error = %f, cause = ?std::error::Error::source(&f), "export error");
                Problem::internal()
            }
        }
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Problem {
        match &e {
            StoreError::NotFound(_) | StoreError::NoRevision(..) => Problem::new(StatusCode::NOT_FOUND, "Not found", e.to_string()),
            StoreError::AlreadyExists(_) => Problem::new(StatusCode::CONFLICT, "Already exists", e.to_string()),
            StoreError::UserExists(_) => Problem::new(StatusCode::CONFLICT, "User exists", e.to_string()),
            StoreError::UnknownUser(_) => Problem::new(StatusCode::NOT_FOUND, "No such user", e.to_string()),
            StoreError::VersionMismatch { current, .. } => {
                Problem::new(StatusCode::PRECONDITION_FAILED, "Version mismatch", e.to_string()).with("current_version", Value::from(current.0))
            }
            StoreError::LastAdmin(_) => Problem::new(StatusCode::CONFLICT, "Last admin", e.to_string()),
            StoreError::NoToken { .. } => Problem::new(StatusCode::NOT_FOUND, "No such token", e.to_string()),
            StoreError::UnknownUnit(_) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "No such unit", e.to_string()),
            StoreError::NoReport(_) | StoreError::NoPhoto(_) => Problem::new(StatusCode::NOT_FOUND, "Not found", e.to_string()),
            StoreError::ReportExists { .. } => Problem::new(StatusCode::CONFLICT, "Report exists", e.to_string()),
            StoreError::ReportVersion { current, .. } => {
                Problem::new(StatusCode::PRECONDITION_FAILED, "Version mismatch", e.to_string()).with("current_version", Value::from(*current))
            }
            StoreError::Unavailable { .. } => {
                tracing::warn!(error = %e, cause = ?std::error::Error::source(&e), "store unavailable");
                Problem::new(StatusCode::SERVICE_UNAVAILABLE, "Store unavailable", "the database does not answer; try again shortly")
                    .with(RETRY_AFTER, Value::from(STORE_RETRY_SECONDS))
            }
            StoreError::Corrupt { .. } | StoreError::Open(_) | StoreError::Database { .. } => {
                tracing::error!(error = %e, cause = ?std::error::Error::source(&e), "store error");
                Problem::internal()
            }
        }
    }
}

impl From<crate::service::progress::ProgressError> for Problem {
    fn from(e: crate::service::progress::ProgressError) -> Problem {
        use crate::service::progress::ProgressError as E;
        match e {
            E::Invalid(inv) => {
                let mut p = Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "Invalid input", inv.to_string());
                p.errors = inv.0;
                p
            }
            E::Forbidden(why) => Problem::new(StatusCode::FORBIDDEN, "Not allowed", why),
            E::SignInRequired => Problem::new(StatusCode::UNAUTHORIZED, "Sign-in required", "sign in at /signin.html or send a Bearer token"),
            E::Transition(t) => Problem::new(StatusCode::CONFLICT, "Not in that state", t.to_string()).with("state", Value::from(t.from.as_str())),
            E::Store(s) => s.into(),
        }
    }
}

impl From<crate::service::photos::PhotoError> for Problem {
    fn from(e: crate::service::photos::PhotoError) -> Problem {
        use crate::service::photos::PhotoError as E;
        match e {
            E::Unsupported(why) => Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Not an accepted image", why)
                .with("accepted", Value::from(vec!["image/jpeg", "image/png", "image/webp"])),
            E::TooLarge => {
                Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "Photo too large", e.to_string()).with("limit", Value::from(crate::progress::PHOTO_MAX_BYTES))
            }
            E::Undecodable(_) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "Unreadable image", e.to_string()),
            E::Locked(why) => Problem::new(StatusCode::CONFLICT, "Report approved", why),
            E::Progress(p) => p.into(),
        }
    }
}

impl From<crate::basemap::serve::TileError> for Problem {
    fn from(e: crate::basemap::serve::TileError) -> Problem {
        use crate::basemap::serve::TileError as E;
        match &e {
            E::UnknownBasemap(_) | E::NoTile { .. } => Problem::new(StatusCode::NOT_FOUND, "No such tile", e.to_string()),
            // The page shows a notice for these instead of a broken map.
            E::Upstream { name, .. } => {
                tracing::warn!(error = %e, "basemap upstream failed");
                let mut p = Problem::new(StatusCode::BAD_GATEWAY, "Basemap service failed", e.to_string()).with("basemap", Value::from(name.as_str()));
                p.kind = "https://planmap.dev/problems/basemap-upstream".into();
                p
            }
            E::Local { .. } => {
                tracing::error!(error = %e, "basemap file");
                Problem::internal()
            }
        }
    }
}

impl From<crate::service::reminders::WebhookError> for Problem {
    fn from(e: crate::service::reminders::WebhookError) -> Problem {
        Problem::new(StatusCode::BAD_GATEWAY, "Webhook failed", e.to_string())
    }
}

impl From<axum::extract::rejection::PathRejection> for Problem {
    fn from(e: axum::extract::rejection::PathRejection) -> Problem {
        let status = e.status();
        Problem::new(status, status.canonical_reason().unwrap_or("Error"), e.body_text())
    }
}

impl From<ServiceError> for Problem {
    fn from(e: ServiceError) -> Problem {
        let unprocessable = |title: &str, e: &ServiceError| Problem::new(StatusCode::UNPROCESSABLE_ENTITY, title, e.to_string());
        match e {
            ServiceError::Invalid(i) => i.into(),
            ServiceError::Store(s) => s.into(),
            ServiceError::GeometryTooLarge { max, .. } => {
                Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "Geometry too large", e.to_string()).with("limit", Value::from(max))
            }
            ServiceError::TooManyFeatures { max, .. } | ServiceError::TooManyVertices { max, .. } => {
                Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "Import too large", e.to_string()).with("limit", Value::from(max))
            }
            ServiceError::NotACollection(_) => unprocessable("Not a FeatureCollection", &e),
            ServiceError::BadComment => unprocessable("Invalid comment", &e),
            ServiceError::BadUserName(_) => unprocessable("Invalid user name", &e),
            ServiceError::BadRole(_) => unprocessable("Invalid role", &e),
            ServiceError::BadPassword(_) => unprocessable("Unusable password", &e),
            ServiceError::BadToken(_) => unprocessable("Invalid token request", &e),
            ServiceError::NoSuchVersion { param, .. } => Problem::bad_parameter(param, e.to_string()),
            ServiceError::Precondition { current, .. } => {
                Problem::new(StatusCode::PRECONDITION_FAILED, "Precondition failed", e.to_string()).with("current_version", Value::from(current.0))
            }
            ServiceError::NothingToChange => Problem::new(StatusCode::BAD_REQUEST, "Nothing to change", e.to_string()),
            ServiceError::AccountLocked { seconds, .. } | ServiceError::AddressLocked { seconds } => {
                Problem::new(StatusCode::TOO_MANY_REQUESTS, "Too many failed sign-ins", e.to_string()).with(RETRY_AFTER, Value::from(seconds))
            }
            ServiceError::SignInFailed => Problem::new(StatusCode::UNAUTHORIZED, "Sign-in failed", e.to_string()),
        }
    }
}

/// Turns any error response that is not already JSON (axum's plain-text rejections, an empty 405
/// or 408) into problem+json, keeping its status and using its text as the detail.
pub async fn ensure_problem(res: Response) -> Response {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/problem+json") || ct.starts_with("application/json") || ct.starts_with("text/html"));
    if is_json {
        return res;
    }
    let (parts, body) = res.into_parts();
    // Rejection texts are a line or two; anything longer is not one of them and is cut.
    let text = axum::body::to_bytes(body, 4096).await.map(|b| String::from_utf8_lossy(&b).trim().to_owned()).unwrap_or_default();
    let title = status.canonical_reason().unwrap_or("Error");
    let detail = if text.is_empty() { title.to_lowercase() } else { text };
    let mut out = Problem::new(status, title, detail).into_response();
    for name in [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(v) = parts.headers.get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Problem, ServiceError, StatusCode};

    #[test]
    fn use_case_errors_map_to_their_status_with_the_sentence_as_detail() {
        let cases = [
            (ServiceError::GeometryTooLarge { count: 9, max: 8 }, StatusCode::PAYLOAD_TOO_LARGE),
            (ServiceError::TooManyFeatures { count: 9, max: 8 }, StatusCode::PAYLOAD_TOO_LARGE),
            (ServiceError::NotACollection("`type` is missing".into()), StatusCode::UNPROCESSABLE_ENTITY),
            (ServiceError::BadComment, StatusCode::UNPROCESSABLE_ENTITY),
            (ServiceError::NothingToChange, StatusCode::BAD_REQUEST),
            (ServiceError::AddressLocked { seconds: 30 }, StatusCode::TOO_MANY_REQUESTS),
            (ServiceError::SignInFailed, StatusCode::UNAUTHORIZED),
        ];
        for (e, status) in cases {
            let text = e.to_string();
            let p = Problem::from(e);
            assert_eq!(p.status, status, "{text}");
            assert_eq!(p.detail, text);
        }
        let p = Problem::from(ServiceError::GeometryTooLarge { count: 9, max: 8 });
        assert_eq!(p.extra["limit"], 8);
        let p = Problem::from(ServiceError::AccountLocked { name: "x".into(), seconds: 900 });
        assert_eq!(p.extra["retry_after_seconds"], 900);
        let res = axum::response::IntoResponse::into_response(p);
        assert_eq!(res.headers()[axum::http::header::RETRY_AFTER], "900");
    }
}
