//! Vector tiles of the projects, for MapLibre, QGIS and OGC API – Tiles clients.
//!
//! | route | what |
//! |---|---|
//! | `GET /tiles/projects.json` | TileJSON 3.0.0; its tile URL carries the same filter |
//! | `GET /tiles/projects/{z}/{x}/{y}.mvt` | one tile |
//! | `GET /ogcapi/collections/projects/tiles` | the tilesets of the collection (one: WebMercatorQuad) |
//! | `GET /ogcapi/collections/projects/tiles/WebMercatorQuad` | tileset metadata |
//! | `GET /ogcapi/collections/projects/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}` | one tile |
//! | `GET /ogcapi/tileMatrixSets`, `/ogcapi/tileMatrixSets/WebMercatorQuad` | the tiling scheme |
//!
//! Tiles take the filters of `/api/projects` as query parameters. Answers carry a strong `ETag`
//! (a digest of the tile, equal on every instance) and `Cache-Control: no-cache`, so clients
//! revalidate and get `304` until a write changes the tile; tiles `as_of` a past instant never
//! change and are cacheable for a year. Empty tiles are `204`.

use super::extract::query_pairs;
use super::ogcapi::{base_url, link, JSON};
use super::{AppState, Problem};
use crate::project::ProjectFilter;
use crate::tiles::{BadTile, TileId, TileReply, LAYER, MAX_ZOOM, MVT};
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::io::Read;

/// The one tile matrix set served.
const TMS: &str = "WebMercatorQuad";
const TMS_URI: &str = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad";
const CRS_3857: &str = "http://www.opengis.net/def/crs/EPSG/0/3857";

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/tiles/projects.json", get(tilejson))
        .route("/tiles/projects/{z}/{x}/{y}", get(xyz))
        .route("/ogcapi/collections/projects/tiles", get(tilesets))
        .route("/ogcapi/collections/projects/tiles/{tms}", get(tileset))
        .route("/ogcapi/collections/projects/tiles/{tms}/{matrix}/{row}/{col}", get(ogc_tile))
        .route("/ogcapi/tileMatrixSets", get(matrix_sets))
        .route("/ogcapi/tileMatrixSets/{tms}", get(matrix_set))
}

impl From<BadTile> for Problem {
    fn from(e: BadTile) -> Problem {
        match &e {
            BadTile::NotANumber { part, .. } => Problem::bad_parameter(part, e.to_string()),
            // Outside the grid: the tile does not exist (OGC API – Tiles answers 404).
            BadTile::Zoom(_) => Problem::new(StatusCode::NOT_FOUND, "No such tile", e.to_string()).with("parameter", Value::from("zoom")),
            BadTile::Range { part, .. } => Problem::new(StatusCode::NOT_FOUND, "No such tile", e.to_string()).with("parameter", Value::from(*part)),
        }
    }
}

/// The project filter from the query; `also` names extra parameters the route reads itself.
fn parse_filter(s: &AppState, raw: Option<&str>, also: &[&str]) -> Result<ProjectFilter, Problem> {
    Ok(ProjectFilter::from_pairs(&query_pairs(raw), &s.rules.towns, also)?)
}

/// The origin (`http://host`) as the client addressed us.
fn origin(headers: &HeaderMap) -> String {
    base_url(headers).trim_end_matches("/ogcapi").to_owned()
}

/// The filter part of the query, re-encoded, to carry into tile URLs.
fn filter_query(raw: Option<&str>) -> String {
    let pairs = query_pairs(raw);
    if pairs.is_empty() {
        return String::new();
    }
    let mut s = form_urlencoded::Serializer::new(String::from("?"));
    for (k, v) in &pairs {
        s.append_pair(k, v);
    }
    s.finish().replacen("?&", "?", 1)
}

/// The attributes in a tile: name, JSON Schema type, what it holds.
const FIELDS: [(&str, &str, &str); 11] = [
    ("id", "string", "the project's id"),
    ("name_zh", "string", "name (Chinese)"),
    ("name_en", "string", "name (English)"),
    ("status", "string", "status code"),
    ("kind", "string", "kind code"),
    ("action", "integer", "plan action 1–5"),
    ("town", "string", "town code"),
    ("investment_total", "number", "total investment, 万元"),
    ("planned_completion", "string", "planned completion date"),
    ("point_count", "integer", "projects gathered in a cluster (zoom < 14)"),
    ("cluster", "boolean", "a cluster of two or more projects"),
];

/// TileJSON's `fields`: name → description.
fn fields() -> Value {
    FIELDS.iter().map(|(name, kind, about)| ((*name).to_owned(), json!(format!("{}: {about}", capitalised(kind))))).collect::<serde_json::Map<_, _>>().into()
}

/// OGC API – Tiles' `propertiesSchema.properties`: a JSON Schema per attribute.
fn property_schemas() -> Value {
    FIELDS.iter().map(|(name, kind, about)| ((*name).to_owned(), json!({"type": kind, "description": about}))).collect::<serde_json::Map<_, _>>().into()
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

async fn tilejson(State(s): State<AppState>, headers: HeaderMap, RawQuery(q): RawQuery) -> Result<Response, Problem> {
    parse_filter(&s, q.as_deref(), &[])?;
    let [w, so, e, n] = s.rules.region.to_array();
    let url = format!("{}/tiles/projects/{{z}}/{{x}}/{{y}}.mvt{}", origin(&headers), filter_query(q.as_deref()));
    Ok(Json(json!({
        "tilejson": "3.0.0",
        "name": "planmap projects",
        "description": "Development-plan projects; clusters below zoom 14",
        "scheme": "xyz",
        "tiles": [url],
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "bounds": [w, so, e, n],
        "center": [(w + e) / 2.0, (so + n) / 2.0, 11],
        "vector_layers": [{"id": LAYER, "fields": fields(), "minzoom": 0, "maxzoom": MAX_ZOOM}]
    }))
    .into_response())
}

async fn xyz(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((z, x, y)): Path<(String, String, String)>,
    RawQuery(q): RawQuery,
) -> Result<Response, Problem> {
    let Some(y) = y.strip_suffix(".mvt") else {
        return Err(Problem::new(StatusCode::NOT_FOUND, "Not found", "tiles are at /tiles/projects/{z}/{x}/{y}.mvt"));
    };
    serve(&s, &headers, TileId::parse(&z, &x, y)?, q.as_deref()).await
}

async fn ogc_tile(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((tms, matrix, row, col)): Path<(String, String, String, String)>,
    RawQuery(q): RawQuery,
) -> Result<Response, Problem> {
    known_tms(&tms)?;
    let tile = TileId::parse(&matrix, &col, &row).map_err(|e| match e {
        // Name the parts as the OGC path does.
        BadTile::NotANumber { part, value } => {
            let name = match part {
                "zoom" => "tileMatrix",
                "column" => "tileCol",
                _ => "tileRow",
            };
            Problem::bad_parameter(name, format!("`{value}` is not a whole number"))
        }
        other => other.into(),
    })?;
    serve(&s, &headers, tile, q.as_deref()).await
}

fn known_tms(tms: &str) -> Result<(), Problem> {
    if tms == TMS {
        Ok(())
    } else {
        Err(Problem::new(
            StatusCode::NOT_FOUND,
            "No such tile matrix set",
            format!("`{}` is not served; the one tile matrix set is {TMS}", tms.chars().take(60).collect::<String>()),
        ))
    }
}

async fn serve(s: &AppState, headers: &HeaderMap, tile: TileId, raw: Option<&str>) -> Result<Response, Problem> {
    let filter = parse_filter(s, raw, &[])?;
    let reply = s.tiles.get(tile, &filter).await?;
    respond(headers, reply)
}

fn respond(headers: &HeaderMap, reply: TileReply) -> Result<Response, Problem> {
    let etag = HeaderValue::from_str(&reply.etag).map_err(|_| Problem::internal())?;
    let cache_control = HeaderValue::from_static(if reply.frozen { "public, max-age=31536000, immutable" } else { "no-cache" });
    let common = [
        (header::ETAG, etag),
        (header::CACHE_CONTROL, cache_control),
        (header::HeaderName::from_static("x-cache"), HeaderValue::from_static(reply.freshness.as_str())),
    ];
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == "*" || t.trim().trim_start_matches("W/") == &*reply.etag));
    if matches {
        return Ok((StatusCode::NOT_MODIFIED, common).into_response());
    }
    if reply.gzip.is_empty() {
        return Ok((StatusCode::NO_CONTENT, common).into_response());
    }
    let gzip_ok = headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).any(|v| v.split(',').any(|c| c.trim().starts_with("gzip")));
    let mut res = if gzip_ok {
        (common, [(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"))], Body::from(reply.gzip)).into_response()
    } else {
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(&reply.gzip[..]).read_to_end(&mut raw).map_err(|_| Problem::internal())?;
        (common, Body::from(raw)).into_response()
    };
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(MVT));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    Ok(res)
}

async fn tilesets(State(s): State<AppState>, headers: HeaderMap, RawQuery(q): RawQuery) -> Result<Response, Problem> {
    parse_filter(&s, q.as_deref(), &["f"])?;
    let base = base_url(&headers);
    let url = format!("{base}/collections/projects/tiles");
    Ok(Json(json!({
        "links": [link(url.clone(), "self", JSON, "tilesets of the projects")],
        "tilesets": [{
            "title": "projects (vector)",
            "dataType": "vector",
            "crs": CRS_3857,
            "tileMatrixSetURI": TMS_URI,
            "links": [
                link(format!("{url}/{TMS}"), "self", JSON, "WebMercatorQuad tileset"),
                link(format!("{base}/tileMatrixSets/{TMS}"), "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", JSON, "the tiling scheme"),
            ]
        }]
    }))
    .into_response())
}

async fn tileset(State(s): State<AppState>, headers: HeaderMap, Path(tms): Path<String>, RawQuery(q): RawQuery) -> Result<Response, Problem> {
    known_tms(&tms)?;
    parse_filter(&s, q.as_deref(), &["f"])?;
    let base = base_url(&headers);
    let url = format!("{base}/collections/projects/tiles/{TMS}");
    let template = format!("{url}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}{}", filter_query(q.as_deref()));
    let [w, so, e, n] = s.rules.region.to_array();
    Ok(Json(json!({
        "title": "projects",
        "dataType": "vector",
        "crs": CRS_3857,
        "tileMatrixSetURI": TMS_URI,
        "boundingBox": {"lowerLeft": [w, so], "upperRight": [e, n], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"},
        "layers": [{"id": LAYER, "dataType": "vector", "minTileMatrix": "0", "maxTileMatrix": MAX_ZOOM.to_string(), "propertiesSchema": {"type": "object", "properties": property_schemas()}}],
        "links": [
            link(url.clone(), "self", JSON, "this tileset"),
            link(format!("{base}/tileMatrixSets/{TMS}"), "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", JSON, "the tiling scheme"),
            link(format!("{base}/collections/projects"), "collection", JSON, "the projects collection"),
            {"href": template, "rel": "item", "type": MVT, "title": "a tile", "templated": true},
        ]
    }))
    .into_response())
}

async fn matrix_sets(headers: HeaderMap) -> Response {
    let base = base_url(&headers);
    Json(json!({
        "tileMatrixSets": [{"id": TMS, "title": "Google Maps compatible for the World", "uri": TMS_URI,
            "links": [link(format!("{base}/tileMatrixSets/{TMS}"), "self", JSON, TMS)]}]
    }))
    .into_response()
}

/// The WebMercatorQuad definition (OGC 17-083r4, annex D.1) for the zooms served.
async fn matrix_set(Path(tms): Path<String>) -> Result<Response, Problem> {
    known_tms(&tms)?;
    const HALF: f64 = 20_037_508.342_789_244;
    let matrices: Vec<Value> = (0..=MAX_ZOOM)
        .map(|z| {
            let n = 1u64 << z;
            let cell = 2.0 * HALF / (256.0 * n as f64);
            json!({
                "id": z.to_string(),
                "scaleDenominator": cell / 0.00028,
                "cellSize": cell,
                "cornerOfOrigin": "topLeft",
                "pointOfOrigin": [-HALF, HALF],
                "tileWidth": 256, "tileHeight": 256,
                "matrixWidth": n, "matrixHeight": n
            })
        })
        .collect();
    Ok(Json(json!({
        "id": TMS,
        "title": "Google Maps compatible for the World",
        "uri": TMS_URI,
        "crs": CRS_3857,
        "orderedAxes": ["E", "N"],
        "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
        "tileMatrices": matrices
    }))
    .into_response())
}
