//! Who is calling: the signed-in user (session cookie or Bearer token), the client address, and
//! whether the request came over TLS. Resolved once per request by the `identify` middleware and
//! read by handlers through the `Caller` extractor.

use super::{AppState, Problem};
use crate::auth::{token, Role, User};
use crate::config::{CookieSecure, ReadAccess};
use crate::service::Actor;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::net::SocketAddr;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "planmap_session";

/// The caller of one request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The enabled user behind the session or token; `None` when anonymous.
    pub user: Option<User>,
    /// Client address (from the socket, or X-Forwarded-For with `--trust-proxy`).
    pub address: Option<String>,
    /// Digest of the session cookie, when one was sent (for sign-out).
    pub session_digest: Option<String>,
    /// The request came over TLS (per X-Forwarded-Proto with `--trust-proxy`).
    pub tls: bool,
}

impl Caller {
    /// The user, when they hold `role`; 401 when anonymous, 403 when their role is too low.
    pub fn require(&self, role: Role) -> Result<&User, Problem> {
        match &self.user {
            None => Err(Problem::sign_in_required(format!("this needs a signed-in {role}; sign in at /signin.html or send a Bearer token"))),
            Some(u) if !u.can(role) => Err(Problem::not_allowed(format!("user `{}` is a {}; this needs the {role} role or higher", u.name, u.role))),
            Some(u) => Ok(u),
        }
    }

    /// Name for the audit log.
    pub fn actor(&self) -> &str {
        self.user.as_ref().map_or("anonymous", |u| u.name.as_str())
    }

    /// The caller as the use cases see them: a name and an address.
    pub fn acting(&self) -> Actor {
        Actor { name: self.actor().to_owned(), address: self.address.clone() }
    }

    /// Whether the session cookie should carry `Secure`.
    pub fn secure_cookie(&self, setting: CookieSecure) -> bool {
        match setting {
            CookieSecure::Always => true,
            CookieSecure::Never => false,
            CookieSecure::Auto => self.tls,
        }
    }
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
}

async fn resolve(s: &AppState, parts: &Parts) -> Result<Caller, Problem> {
    let trust = s.edit.trust_proxy;
    let forwarded_for = || parts.headers.get("x-forwarded-for")?.to_str().ok()?.split(',').next().map(|a| a.trim().to_owned());
    let socket = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
    let address = if trust { forwarded_for().or(socket) } else { socket };
    let tls = parts.uri.scheme_str() == Some("https")
        || (trust && parts.headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|p| p.eq_ignore_ascii_case("https")));
    if let Some(t) = bearer(&parts.headers) {
        // A token that was sent but does not work is an error, never a silent downgrade to anonymous.
        let user = s.store.token_user(&token::digest(t)).await?;
        let Some(user) = user else {
            return Err(Problem::invalid_token());
        };
        return Ok(Caller { user: Some(user), address, session_digest: None, tls });
    }
    let session_digest = cookie(&parts.headers, SESSION_COOKIE).filter(|v| !v.is_empty()).map(token::digest);
    let user = match &session_digest {
        Some(d) => s.store.session_user(d, crate::time::now_micros()).await?,
        None => None,
    };
    Ok(Caller { user, address, session_digest, tls })
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Caller, Problem> {
        if let Some(c) = parts.extensions.get::<Caller>() {
            return Ok(c.clone());
        }
        resolve(s, parts).await
    }
}

/// Paths anyone may fetch even when reads are sign-in-only: the sign-in page and what it loads.
fn always_open(path: &str) -> bool {
    matches!(path, "/api/session" | "/healthz" | "/readyz" | "/signin.html" | "/signin.js" | "/style.css" | "/edit.css" | "/favicon.ico")
}

/// The `Origin` (else the `Referer`'s origin) of a request when it is not this service's own
/// host, which then is a page on another site riding the session cookie. A request with neither
/// is let through: every browser sends `Origin` on a cross-origin write, and the ones too old to
/// do so are kept from sending the cookie by `SameSite=Strict`; tools without either use tokens
/// or cookies they were handed on purpose.
fn foreign_origin(headers: &HeaderMap, trust_proxy: bool) -> Option<String> {
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let source = match text(header::ORIGIN) {
        Some(o) => o.to_owned(),
        None => text(header::REFERER)?.to_owned(),
    };
    let host = trust_proxy.then(|| text(header::HeaderName::from_static("x-forwarded-host"))).flatten().or_else(|| text(header::HOST));
    let authority = url_authority(&source);
    match (authority, host) {
        (Some(a), Some(h)) if a.eq_ignore_ascii_case(h.split(',').next().unwrap_or(h).trim()) => None,
        _ => Some(source),
    }
}

/// `host[:port]` of an absolute http(s) URL; `None` for `null`, other schemes and junk.
fn url_authority(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&rest[..end]).filter(|a| !a.is_empty() && !a.contains('@'))
}

/// Resolves the caller once, stores it for handlers, and (with `--read-access signed-in`) turns
/// anonymous reads away: pages are redirected to the sign-in page, API calls get 401.
pub async fn identify(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let caller = match resolve(&s, &parts).await {
        Ok(c) => c,
        Err(p) => return p.into_response(),
    };
    if s.edit.read_access == ReadAccess::SignedIn && caller.user.is_none() && !always_open(parts.uri.path()) {
        let path = parts.uri.path();
        if path.starts_with("/api/") || path.starts_with("/ogcapi") || path.starts_with("/tiles/") || path.starts_with("/basemap") {
            return Problem::sign_in_required("this planmap is configured for signed-in users only; sign in at /signin.html").into_response();
        }
        return Redirect::to("/signin.html").into_response();
    }
    if caller.user.is_some() && caller.session_digest.is_some() && !parts.method.is_safe() {
        if let Some(foreign) = foreign_origin(&parts.headers, s.edit.trust_proxy) {
            return Problem::cross_site(&foreign).into_response();
        }
    }
    parts.extensions.insert(caller);
    next.run(Request::from_parts(parts, body)).await
}
