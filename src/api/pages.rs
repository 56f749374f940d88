//! Everything that is not an API route: the web page and vendored files (`crate::web`).

use super::Problem;
use axum::http::{header, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};

/// Serves `/` as `index.html` and every other path from the embedded `web/` folder.
pub(super) async fn serve(uri: Uri) -> Response {
    let Some(a) = crate::web::asset(uri.path()) else {
        return Problem::not_found("no such page or file").into_response();
    };
    let mut res = (
        [
            (header::CONTENT_TYPE, HeaderValue::from_str(&a.mime).unwrap_or(HeaderValue::from_static("application/octet-stream"))),
            (header::CACHE_CONTROL, HeaderValue::from_static(a.cache)),
            (header::ETAG, HeaderValue::from_str(&a.etag).unwrap_or(HeaderValue::from_static("\"0\""))),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        ],
        a.data.clone().into_owned(),
    )
        .into_response();
    if a.mime.starts_with("text/html") {
        let hashes = crate::web::inline_script_hashes(&String::from_utf8_lossy(&a.data));
        if let Ok(v) = HeaderValue::from_str(&content_security_policy(&hashes)) {
            res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    res
}

/// The policy of every HTML answer: scripts, styles, data only from this service (MapLibre's
/// workers and images come as `blob:`/`data:`; chart tooltips and the map set inline styles),
/// inline scripts only those listed by hash, no framing by other sites, no plugins.
pub(super) fn content_security_policy(script_hashes: &[String]) -> String {
    let scripts = std::iter::once("'self'".to_owned()).chain(script_hashes.iter().cloned()).collect::<Vec<_>>().join(" ");
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
         worker-src 'self' blob:; child-src 'self' blob:; connect-src 'self'; font-src 'self' data:; object-src 'none'; \
         base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Headers on every answer: no `Referer` beyond this origin, no framing (for browsers that
/// predate `frame-ancestors`), and a Content-Security-Policy on HTML that lacks one (the OGC
/// API's HTML pages).
pub(super) async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let html = h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("text/html"));
    if html && !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        if let Ok(v) = HeaderValue::from_str(&content_security_policy(&[])) {
            h.insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    res
}
