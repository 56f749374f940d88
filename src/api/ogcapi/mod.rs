//! OGC API – Features (Parts 1, 2, 3 and 4) rooted at `/ogcapi`: a second view of the same store
//! and filters as `/api/projects`, plus the basemap's island outlines.
//!
//! | route | what |
//! |---|---|
//! | `GET /ogcapi` | landing page (`service-desc`, `conformance`, `data` links) |
//! | `GET /ogcapi/conformance` | conformance classes ([`CONFORMANCE`]) |
//! | `GET /ogcapi/api` | OpenAPI 3.0 document (`application/vnd.oai.openapi+json;version=3.0`) |
//! | `GET /ogcapi/collections` | `projects` and `islands`, with extents and CRSs |
//! | `GET /ogcapi/collections/{id}` | one collection |
//! | `GET /ogcapi/collections/{id}/queryables` | JSON Schema of the filterable properties |
//! | `GET /ogcapi/collections/{id}/items` | features: `bbox`, `bbox-crs`, `crs`, `datetime`, `limit`, `offset`, `filter`, property filters |
//! | `GET /ogcapi/collections/{id}/items/{fid}` | one feature (`ETag` = version for projects) |
//! | `OPTIONS …/items`, `…/items/{fid}` | `Allow`: the methods this caller may use |
//! | `POST /ogcapi/collections/projects/items` | Part 4 create (planner): 201, `Location` |
//! | `PUT`/`PATCH`/`DELETE /ogcapi/collections/projects/items/{fid}` | Part 4 replace, merge-patch, archive (planner; `If-Match` optional): 204 |
//!
//! Every response is JSON (`application/json`, `application/geo+json` for features) or HTML, by
//! `f=json|geojson|html` or the `Accept` header. Unknown query parameters are a 400.

mod collections;
mod crs;
mod islands;
mod items;
mod landing;
mod openapi;
mod tx;

pub use islands::Islands;

use super::{AppState, Problem};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::{json, Value};
use std::sync::Arc;

/// Conformance classes: Part 1 (core, OpenAPI 3.0, GeoJSON, HTML), Part 2 (CRS), Part 3,
/// CQL2 and Part 4 (create/replace/delete and update, on features; planner role, see `tx`). `basic-spatial-operators` is the pre-release name of `basic-spatial-functions`; QGIS
/// still checks for it, so both are listed.
pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-operators",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/features",
    // OGC API – Tiles Part 1 and the tile matrix set standard (see `api::tiles`).
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/tms/2.0/conf/tilematrixset",
    "http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
];

/// The OpenAPI media type clients look for on `rel=service-desc`.
pub const OPENAPI_JSON: &str = "application/vnd.oai.openapi+json;version=3.0";
/// GeoJSON.
pub const GEOJSON: &str = "application/geo+json";
/// JSON.
pub const JSON: &str = "application/json";
/// HTML.
pub const HTML: &str = "text/html";
/// JSON Schema (queryables).
pub const SCHEMA_JSON: &str = "application/schema+json";

/// Items per page when `limit` is absent, and the most a page may hold.
pub const LIMIT_DEFAULT: u64 = 10;
/// The largest `limit`; larger values are lowered to it.
pub const LIMIT_MAX: u64 = 10_000;

/// The routes, with the island outlines parsed once from the base data.
pub(super) fn router(islands: Arc<Islands>) -> Router<AppState> {
    Router::new()
        .route("/ogcapi", get(landing::landing))
        .route("/ogcapi/", get(landing::landing))
        .route("/ogcapi/conformance", get(landing::conformance))
        .route("/ogcapi/api", get(openapi::document))
        .route("/ogcapi/collections", get(collections::list))
        .route("/ogcapi/collections/{cid}", get(collections::one))
        .route("/ogcapi/collections/{cid}/queryables", get(collections::queryables))
        .route("/ogcapi/collections/{cid}/items", get(items::list).post(tx::create).options(tx::options_items))
        .route("/ogcapi/collections/{cid}/items/{fid}", get(items::one).put(tx::replace).patch(tx::patch).delete(tx::delete).options(tx::options_item))
        .layer(Extension(islands))
}

/// What the client gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// `application/json`.
    Json,
    /// `application/geo+json`.
    GeoJson,
    /// `text/html`.
    Html,
}

impl Format {
    fn media(self) -> &'static str {
        match self {
            Format::Json => JSON,
            Format::GeoJson => GEOJSON,
            Format::Html => HTML,
        }
    }
    fn f(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::GeoJson => "geojson",
            Format::Html => "html",
        }
    }
}

/// Picks the format from `f=` or `Accept`. `features` says whether GeoJSON is the natural form.
pub(crate) fn negotiate(f: Option<&str>, headers: &HeaderMap, features: bool) -> Result<Format, Problem> {
    let default = if features { Format::GeoJson } else { Format::Json };
    if let Some(f) = f {
        return match f {
            "json" => Ok(if features { Format::GeoJson } else { Format::Json }),
            "geojson" => Ok(if features { Format::GeoJson } else { Format::Json }),
            "html" => Ok(Format::Html),
            other => Err(Problem::bad_parameter("f", format!("`{other}` is not a format; use json, geojson or html"))),
        };
    }
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else { return Ok(default) };
    let mut best: Option<(f32, Format)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or("").to_ascii_lowercase();
        let q = parts.find_map(|p| p.strip_prefix("q=").and_then(|v| v.parse::<f32>().ok())).unwrap_or(1.0);
        let fmt = match media.as_str() {
            "application/geo+json" => Some(default),
            "application/json" => Some(if features { Format::GeoJson } else { Format::Json }),
            "text/html" | "application/xhtml+xml" => Some(Format::Html),
            "*/*" | "application/*" => Some(default),
            _ => None,
        };
        if let Some(fmt) = fmt {
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, fmt));
            }
        }
    }
    // A client asking only for `application/json` on features gets that content type.
    if features && accept.contains("application/json") && !accept.contains("geo+json") && best.is_some_and(|b| b.1 == Format::GeoJson) {
        return Ok(Format::Json);
    }
    Ok(best.map_or(default, |b| b.1))
}

/// `http://host` as the client addressed this server (honours `X-Forwarded-Proto`/`-Host`).
pub(crate) fn base_url(headers: &HeaderMap) -> String {
    let get = |h: &str| headers.get(h).and_then(|v| v.to_str().ok()).map(|s| s.split(',').next().unwrap_or("").trim().to_owned());
    let proto = get("x-forwarded-proto").filter(|p| p == "https" || p == "http").unwrap_or_else(|| "http".into());
    let host = get("x-forwarded-host").or_else(|| get("host")).filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c)));
    format!("{proto}://{}/ogcapi", host.unwrap_or_else(|| "localhost".into()))
}

/// One link object.
pub(crate) fn link(href: impl Into<String>, rel: &str, ty: &str, title: &str) -> Value {
    json!({"href": href.into(), "rel": rel, "type": ty, "title": title})
}

/// `self` plus an `alternate` for each other format of the same resource.
pub(crate) fn self_links(url: &str, query: &[(String, String)], current: Format, formats: &[Format]) -> Vec<Value> {
    formats
        .iter()
        .map(|fmt| {
            let mut q: Vec<(String, String)> = query.iter().filter(|(k, _)| k != "f").cloned().collect();
            q.push(("f".into(), fmt.f().into()));
            let rel = if *fmt == current { "self" } else { "alternate" };
            let title = match fmt {
                Format::Json => "this document as JSON",
                Format::GeoJson => "this document as GeoJSON",
                Format::Html => "this document as HTML",
            };
            link(with_query(url, &q), rel, fmt.media(), title)
        })
        .collect()
}

/// `url?k=v&…` with proper encoding.
pub(crate) fn with_query(url: &str, q: &[(String, String)]) -> String {
    if q.is_empty() {
        return url.to_owned();
    }
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in q {
        s.append_pair(k, v);
    }
    format!("{url}?{}", s.finish())
}

/// A JSON body with its content type.
pub(crate) fn json_response(value: &Value, media: &'static str) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_default();
    ([(header::CONTENT_TYPE, HeaderValue::from_static(media))], body).into_response()
}

/// Escapes text for HTML.
pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// A minimal HTML page: the JSON's title, its links, and a body.
pub(crate) fn html_page(title: &str, links: &[Value], body: &str) -> Response {
    let mut s = String::with_capacity(4096 + body.len());
    s.push_str("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>");
    s.push_str(&esc(title));
    s.push_str("</title><style>body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}</style></head><body><h1>");
    s.push_str(&esc(title));
    s.push_str("</h1><ul>");
    for l in links {
        let href = l["href"].as_str().unwrap_or("");
        let text = l["title"].as_str().unwrap_or(l["rel"].as_str().unwrap_or(""));
        s.push_str(&format!(
            "<li><a href=\"{}\">{}</a> <small>({}, {})</small></li>",
            esc(href),
            esc(text),
            esc(l["rel"].as_str().unwrap_or("")),
            esc(l["type"].as_str().unwrap_or(""))
        ));
    }
    s.push_str("</ul>");
    s.push_str(body);
    s.push_str("</body></html>");
    ([(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"))], s).into_response()
}

/// A JSON value as an HTML table of its members (one level deep).
pub(crate) fn html_table(rows: &[(String, String)]) -> String {
    let mut s = String::from("<table>");
    for (k, v) in rows {
        s.push_str(&format!("<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(v)));
    }
    s.push_str("</table>");
    s
}

/// Text of a JSON value for an HTML cell.
pub(crate) fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
