//! The OpenAPI 3.0 document, generated from the same tables the handlers validate against
//! ([`ITEM_PARAMS`], [`Prop::ALL`], [`CONFORMANCE`](super::CONFORMANCE)), so the description
//! and the behaviour cannot drift apart. GDAL and QGIS read `components.parameters.limit.schema`
//! (`default`, `maximum`) to size their pages, and the items path's simple `in: query`
//! parameters to offer server-side filters.

use super::landing::only_f;
use super::{base_url, html_page, json_response, link, LIMIT_DEFAULT, LIMIT_MAX, OPENAPI_JSON};
use crate::api::Problem;
use crate::project::cql2::Prop;
use axum::extract::RawQuery;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Map, Value};

/// Every query parameter `/items` accepts: (name, JSON schema, description). The property
/// filters (`status`, `kind`, …) are the same as `/api/projects`.
pub(super) fn item_params() -> Vec<(&'static str, Value, &'static str)> {
    let crs_uris: Vec<&str> = super::crs::SUPPORTED.iter().map(|c| c.uri()).collect();
    let mut params = vec![
        (
            "limit",
            json!({"type": "integer", "minimum": 1, "maximum": LIMIT_MAX, "default": LIMIT_DEFAULT}),
            "items per page; values above the maximum are lowered to it",
        ),
        ("offset", json!({"type": "integer", "minimum": 0, "default": 0}), "items to skip (the `next` link pages for you)"),
        (
            "bbox",
            json!({"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}),
            "minx,miny,maxx,maxy in `bbox-crs` (default CRS84 lon/lat); touching counts",
        ),
        ("bbox-crs", json!({"type": "string", "format": "uri", "enum": crs_uris}), "CRS of `bbox`"),
        ("crs", json!({"type": "string", "format": "uri", "enum": crs_uris}), "CRS of the returned geometries (EPSG:4326 and EPSG:4490 are latitude first)"),
        (
            "datetime",
            json!({"type": "string"}),
            "date or interval (a/b, ../b, a/..); a project's time runs from start_date to actual (else planned) completion",
        ),
        ("filter", json!({"type": "string"}), "CQL2 text over the queryables"),
        ("filter-lang", json!({"type": "string", "enum": ["cql2-text", "cql2-json"], "default": "cql2-text"}), "filter language"),
        ("filter-crs", json!({"type": "string", "format": "uri", "enum": [super::crs::Crs::Crs84.uri()]}), "CRS of geometries in `filter` (CRS84 only)"),
        ("f", json!({"type": "string", "enum": ["json", "geojson", "html"]}), "response format (instead of the Accept header)"),
        ("status", json!({"type": "string"}), "status equals one of (comma-separated)"),
        ("kind", json!({"type": "string"}), "kind equals one of (comma-separated)"),
        ("town", json!({"type": "string"}), "town equals one of (comma-separated)"),
        ("action", json!({"type": "integer"}), "action (1–5) equals one of (comma-separated)"),
        ("task", json!({"type": "integer"}), "task (1–16) equals one of (comma-separated)"),
        ("ids", json!({"type": "string"}), "project ids (comma-separated)"),
        ("q", json!({"type": "string"}), "substring of name_zh or name_en, ASCII case-insensitive"),
    ];
    // Every other queryable is an equality filter (Part 3, queryables as query parameters).
    let listed: Vec<&str> = params.iter().map(|(n, ..)| *n).collect();
    for p in Prop::ALL.iter().filter(|p| !listed.contains(&p.name())) {
        let (ty, format) = p.ty().json_schema();
        let mut schema = json!({"type": ty});
        if let Some(f) = format {
            schema["format"] = json!(f);
        }
        params.push((p.name(), schema, p.title()));
    }
    params
}

fn param(name: &str, schema: Value, description: &str) -> Value {
    json!({"name": name, "in": "query", "required": false, "style": "form", "explode": false, "description": description, "schema": schema})
}

fn response(description: &str, media: &[&str]) -> Value {
    let mut content = Map::new();
    for m in media {
        content.insert((*m).to_owned(), json!({"schema": {"type": "object"}}));
    }
    json!({"description": description, "content": content})
}

/// A GeoJSON Feature request body (with an optional top-level `comment` for the history).
fn feature_body(media: &str) -> Value {
    json!({"required": true, "content": {media: {"schema": {"type": "object", "required": ["type"], "properties": {
        "type": {"type": "string", "enum": ["Feature"]}, "id": {"type": "string"}, "geometry": {"type": "object"},
        "properties": {"type": "object"}, "comment": {"type": "string", "maxLength": 2000}}}}}})
}

fn problem() -> Value {
    json!({"description": "problem details (RFC 9457)", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}})
}

/// The whole document.
pub fn build(base: &str) -> Value {
    let mut components_params = Map::new();
    let mut item_refs = vec![json!({"$ref": "#/components/parameters/collectionId"})];
    for (name, schema, description) in item_params() {
        components_params.insert(name.to_owned(), param(name, schema, description));
        item_refs.push(json!({"$ref": format!("#/components/parameters/{name}")}));
    }
    components_params.insert(
        "collectionId".into(),
        json!({"name": "collectionId", "in": "path", "required": true, "schema": {"type": "string", "enum": ["projects", "islands"]}}),
    );
    components_params.insert("featureId".into(), json!({"name": "featureId", "in": "path", "required": true, "schema": {"type": "string"}}));
    let f_only = || vec![json!({"$ref": "#/components/parameters/f"})];
    let crs_f = || {
        vec![
            json!({"$ref": "#/components/parameters/collectionId"}),
            json!({"$ref": "#/components/parameters/featureId"}),
            json!({"$ref": "#/components/parameters/crs"}),
            json!({"$ref": "#/components/parameters/f"}),
        ]
    };
    components_params.insert(
        "ifMatch".into(),
        json!({"name": "If-Match", "in": "header", "required": false, "schema": {"type": "string"},
               "description": "the version (ETag) edited; 412 when another write came first. Without it the current version is assumed"}),
    );
    components_params.insert(
        "contentCrs".into(),
        json!({"name": "Content-Crs", "in": "header", "required": false, "schema": {"type": "string"},
               "description": "CRS of the body's geometry, e.g. <http://www.opengis.net/def/crs/EPSG/0/3857>; default CRS84"}),
    );
    let write_params = || {
        vec![
            json!({"$ref": "#/components/parameters/collectionId"}),
            json!({"$ref": "#/components/parameters/featureId"}),
            json!({"$ref": "#/components/parameters/ifMatch"}),
            json!({"$ref": "#/components/parameters/contentCrs"}),
        ]
    };
    // A write with a body also answers 415 for a body not sent as JSON (400 when `Content-Type` is missing).
    let written = |body: bool| {
        let mut r = json!({"204": {"description": "written; `ETag` is the new version", "headers": {"ETag": {"schema": {"type": "string"}}}},
               "400": problem(), "401": problem(), "403": problem(), "404": problem(), "405": problem(), "412": problem(), "413": problem(), "422": problem()});
        if body {
            r["415"] = problem();
        }
        r
    };
    let queryables: Vec<&str> = Prop::ALL.iter().map(|p| p.name()).collect();
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "planmap OGC API – Features",
            "version": env!("CARGO_PKG_VERSION"),
            "description": format!("Dongtou District development-plan projects and island outlines. Queryables: {}.", queryables.join(", ")),
            "contact": {"name": "planmap", "url": base},
            "license": {"name": "MIT"}
        },
        "servers": [{"url": base}],
        "paths": {
            "/": {"get": {"operationId": "getLandingPage", "summary": "landing page", "parameters": f_only(),
                "responses": {"200": response("links to the API definition, conformance and collections", &["application/json", "text/html"]), "400": problem()}}},
            "/conformance": {"get": {"operationId": "getConformance", "summary": "conformance classes", "parameters": f_only(),
                "responses": {"200": response("the conformance classes", &["application/json", "text/html"]), "400": problem()}}},
            "/api": {"get": {"operationId": "getApi", "summary": "this document", "parameters": f_only(),
                "responses": {"200": response("OpenAPI 3.0", &[OPENAPI_JSON, "text/html"])}}},
            "/collections": {"get": {"operationId": "getCollections", "summary": "the collections", "parameters": f_only(),
                "responses": {"200": response("projects and islands with extents and CRSs", &["application/json", "text/html"]), "400": problem()}}},
            "/collections/{collectionId}": {"get": {"operationId": "describeCollection", "summary": "one collection",
                "parameters": [{"$ref": "#/components/parameters/collectionId"}, {"$ref": "#/components/parameters/f"}],
                "responses": {"200": response("the collection", &["application/json", "text/html"]), "404": problem()}}},
            "/collections/{collectionId}/queryables": {"get": {"operationId": "getQueryables", "summary": "filterable properties",
                "parameters": [{"$ref": "#/components/parameters/collectionId"}, {"$ref": "#/components/parameters/f"}],
                "responses": {"200": response("JSON Schema of the queryables", &["application/schema+json", "text/html"]), "404": problem()}}},
            "/collections/{collectionId}/items": {"get": {"operationId": "getFeatures", "summary": "features, filtered and paged",
                "parameters": item_refs,
                "responses": {"200": response("a FeatureCollection with numberMatched, numberReturned, timeStamp and next/prev links", &["application/geo+json", "application/json", "text/html"]),
                              "400": problem(), "404": problem()}},
                "post": {"operationId": "createFeature", "summary": "add a project (Part 4; planner role; projects only)",
                "description": "The id is the Feature's `id` or `properties.id` (a slug); when absent one is generated as `p-` and 12 hex digits. Geometries in another CRS need `Content-Crs`.",
                "parameters": [{"$ref": "#/components/parameters/collectionId"}, {"$ref": "#/components/parameters/contentCrs"}],
                "requestBody": feature_body("application/geo+json"),
                "responses": {"201": {"description": "created; `Location` is the new feature's URL, `ETag` its version",
                                      "headers": {"Location": {"schema": {"type": "string"}}, "ETag": {"schema": {"type": "string"}}},
                                      "content": {"application/geo+json": {"schema": {"type": "object"}}}},
                              "400": problem(), "401": problem(), "403": problem(), "405": problem(), "409": problem(), "413": problem(), "415": problem(), "422": problem()}},
                "options": {"operationId": "optionsFeatures", "summary": "the methods this caller may use (`Allow`)",
                "parameters": [{"$ref": "#/components/parameters/collectionId"}],
                "responses": {"200": {"description": "`Allow` lists GET, HEAD, OPTIONS and, for planners on projects, POST (then `Accept-Post` names the body types)", "headers": {"Allow": {"schema": {"type": "string"}}, "Accept-Post": {"schema": {"type": "string"}}}}, "404": problem()}}},
            "/collections/{collectionId}/items/{featureId}": {"get": {"operationId": "getFeature", "summary": "one feature", "parameters": crs_f(),
                "responses": {"200": {"description": "a Feature; for projects `ETag` is its version",
                                      "headers": {"ETag": {"schema": {"type": "string"}}},
                                      "content": {"application/geo+json": {"schema": {"type": "object"}}, "application/json": {"schema": {"type": "object"}}, "text/html": {"schema": {"type": "object"}}}},
                              "404": problem()}},
                "put": {"operationId": "replaceFeature", "summary": "replace a project (Part 4; planner role)",
                "parameters": write_params(),
                "requestBody": feature_body("application/geo+json"),
                "responses": written(true)},
                "patch": {"operationId": "updateFeature", "summary": "update a project by JSON merge patch of `properties` and/or `geometry` (Part 4; planner role)",
                "parameters": write_params(),
                "requestBody": feature_body("application/merge-patch+json"),
                "responses": written(true)},
                "delete": {"operationId": "deleteFeature", "summary": "archive a project: it leaves the map, its history stays (Part 4; planner role)",
                "parameters": write_params(),
                "responses": written(false)},
                "options": {"operationId": "optionsFeature", "summary": "the methods this caller may use (`Allow`)",
                "parameters": [{"$ref": "#/components/parameters/collectionId"}, {"$ref": "#/components/parameters/featureId"}],
                "responses": {"200": {"description": "`Allow` lists GET, HEAD, OPTIONS and, for planners on projects, PUT, PATCH, DELETE (then `Accept-Patch` names the patch types)", "headers": {"Allow": {"schema": {"type": "string"}}, "Accept-Patch": {"schema": {"type": "string"}}}}, "404": problem()}}}
        },
        "components": {
            "parameters": components_params,
            "schemas": {"Problem": {"type": "object", "properties": {
                "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"}, "parameter": {"type": "string"},
                "errors": {"type": "array", "items": {"type": "object"}}, "current_version": {"type": "integer"}}}}
        }
    })
}

pub(super) async fn document(headers: HeaderMap, RawQuery(q): RawQuery) -> Result<Response, Problem> {
    let (_, f) = only_f(q.as_deref())?;
    let base = base_url(&headers);
    let doc = build(&base);
    if f.as_deref() == Some("html") {
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        let links = [link(format!("{base}/api"), "alternate", OPENAPI_JSON, "as OpenAPI JSON")];
        return Ok(html_page("planmap OGC API – Features: OpenAPI 3.0", &links, &format!("<pre>{}</pre>", super::esc(&text))));
    }
    if let Some(other) = f.as_deref().filter(|f| *f != "json") {
        return Err(Problem::bad_parameter("f", format!("`{other}` is not a format here; use json or html")));
    }
    Ok(json_response(&doc, OPENAPI_JSON))
}
