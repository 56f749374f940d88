//! The map page and its vendored libraries, built into the binary from `web/`.
//!
//! Lookups go by exact key into the embedded table, never to the file system, and any path with
//! a `..`, backslash or empty segment is refused first, so no request can reach outside `web/`.

use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use rust_embed::Embed;

#[derive(Embed)]
#[folder = "web/"]
#[exclude = "node_modules/*"]
struct Assets;

/// Serves `/` as `index.html` and every other path from the embedded `web/` folder.
pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    let decoded = percent_decode(path);
    let safe = decoded.as_deref().filter(|p| !p.split('/').any(|seg| seg.is_empty() || seg == ".." || seg == ".") && !p.contains('\\') && !p.contains('\0'));
    let Some(key) = safe else { return not_found() };
    let Some(file) = Assets::get(key) else { return not_found() };
    let mime = mime_guess::from_path(key).first_or_octet_stream();
    // Vendored files are pinned by version, so they may be cached for long; the page itself not.
    let cache = if key.starts_with("vendor/") { "public, max-age=86400" } else { "no-cache" };
    let etag = format!("\"{}\"", hex(&file.metadata.sha256_hash()[..12]));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_str(mime.as_ref()).unwrap_or(HeaderValue::from_static("application/octet-stream"))),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            (header::ETAG, HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"0\""))),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        ],
        file.data.into_owned(),
    )
        .into_response()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes: Vec<u8> = form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes()).next().map(|(_, v)| v.into_owned().into_bytes())?;
    String::from_utf8(bytes).ok()
}

fn not_found() -> Response {
    crate::api::Problem::new(StatusCode::NOT_FOUND, "Not found", "no such page or file").into_response()
}
