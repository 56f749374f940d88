//! Configured basemaps (see `crate::basemap`): the list the page draws its switcher from, and the
//! tiles, proxied or read from a local archive.
//!
//! | route | what |
//! |---|---|
//! | `GET /basemaps.json` | `{"basemaps": [...]}`: name, title, raster/vector, tile URL, zooms, attribution, CRS and offset flag; no keys, no upstream URLs |
//! | `GET /basemap/{name}/{z}/{x}/{y}` | one tile; strong `ETag`, `304` on `If-None-Match`; `404` outside the source, `502` when the upstream fails |

use super::{AppState, Problem};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/basemaps.json", get(list)).route("/basemap/{name}/{z}/{x}/{y}", get(tile))
}

async fn list(State(s): State<AppState>) -> Response {
    // The list changes only with the configuration (a restart), but a TileJSON source may come
    // back: let the browser revalidate.
    ([(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))], Json(json!({ "basemaps": s.basemaps.listing().await }))).into_response()
}

fn number<T: std::str::FromStr>(part: &str, text: &str) -> Result<T, Problem> {
    text.parse().map_err(|_| Problem::bad_parameter(part, format!("`{text}` is not a tile number (a whole number such as 12)")))
}

async fn tile(State(s): State<AppState>, headers: HeaderMap, Path((name, z, x, y)): Path<(String, String, String, String)>) -> Result<Response, Problem> {
    let (z, x, y) = (number::<u8>("z", &z)?, number::<u32>("x", &x)?, number::<u32>("y", &y)?);
    let t = s.basemaps.tile(&name, z, x, y).await?;
    let etag = HeaderValue::from_str(&t.etag).map_err(|_| Problem::internal())?;
    // An hour: imagery changes rarely, and the cache above keeps upstream load down anyway.
    let cache = HeaderValue::from_static("public, max-age=3600");
    let fresh = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| v.split(',').any(|e| e.trim() == t.etag || e.trim() == "*"));
    if fresh {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag), (header::CACHE_CONTROL, cache)]).into_response());
    }
    let media = HeaderValue::from_str(&t.media_type).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let mut r = ([(header::CONTENT_TYPE, media), (header::ETAG, etag), (header::CACHE_CONTROL, cache)], t.bytes).into_response();
    if let Some(enc) = t.encoding {
        r.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static(enc));
    }
    Ok(r)
}
