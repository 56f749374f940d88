//! The OpenAPI 3.0 document, generated from the same tables the handlers validate against
//! ([`ITEM_PARAMS`], [`Prop::ALL`], [`CONFORMANCE`](super::CONFORMANCE)), so the description
//! and the behaviour cannot drift apart. GDAL and QGIS read `components.parameters.limit.schema`
//! (`default`, `maximum`) to size their pages, and the items path's simple `in: query`
//! parameters to offer server-side filters.

use super::landing::only_f;
use super::{base_url, html_page, json_response, link, LIMIT_DEFAULT, LIMIT_MAX, OPENAPI_JSON};
use crate::api::{AppState, Problem};
use crate::project::cql2::{Prop, PropType};
use crate::project::{Kind, Status};
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Map, Value};

/// Every query parameter `/items` accepts: (name, JSON schema, description). The property
/// filters (`status`, `kind`, …) are the same as `/api/projects`.
pub(super) fn item_params(towns: &[String]) -> Vec<(&'static str, Value, &'static str)> {
    let crs_uris: Vec<&str> = super::crs::SUPPORTED.iter().map(|c| c.uri()).collect();
    let mut params = vec![
        (
            "limit",
            json!({"type": "integer", "minimum": 1, "maximum": LIMIT_MAX, "default": LIMIT_DEFAULT}),
            "items per page; values above the maximum are lowered to it",
        ),
        ("offset", json!({"type": "integer", "minimum": 0, "maximum": super::OFFSET_MAX, "default": 0}), "items to skip (the `next` link pages for you)"),
        (
            "bbox",
            // Part 1's own definition (4 to 6 numbers; OGC's test suite checks it), narrowed to 4 or 6.
            json!({"type": "array", "minItems": 4, "maxItems": 6, "oneOf": [{"maxItems": 4}, {"minItems": 6}], "items": {"type": "number"}}),
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
        ("status", list(&wire(Status::ALL, Status::as_str)), "status equals one of (comma-separated)"),
        ("kind", list(&wire(Kind::ALL, Kind::as_str)), "kind equals one of (comma-separated)"),
        ("town", list(&towns.iter().map(String::as_str).collect::<Vec<_>>()), "town equals one of (comma-separated)"),
        (
            "island",
            json!({"type": "string", "maxLength": 200, "pattern": "^[^,]{0,40}(,[^,]{0,40})*$"}),
            "touches one of these named islands (comma-separated, as in a project's `islands`)",
        ),
        ("action", list(&["1", "2", "3", "4", "5"]), "action (1–5) equals one of (comma-separated)"),
        (
            "task",
            list(&(1..=16).map(|n| n.to_string()).collect::<Vec<_>>().iter().map(String::as_str).collect::<Vec<_>>()),
            "task (1–16) equals one of (comma-separated)",
        ),
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
        if p.ty() == PropType::Decimal {
            // Read as exact decimal text (no exponent), not as a float.
            schema = json!({"type": "string", "pattern": "^ *-?[0-9]{1,15}(\\.[0-9]{1,4})? *$"});
        }
        params.push((p.name(), schema, p.title()));
    }
    params
}

/// A comma-separated list of `values`, as `ProjectFilter` reads it (spaces and empty members
/// allowed, no other text).
fn list(values: &[&str]) -> Value {
    let one = values.iter().map(|v| regex_escape(v)).collect::<Vec<_>>().join("|");
    json!({"type": "string", "pattern": format!("^[ ,]*(({one})( *,[ ,]*({one}))*)?[ ,]*$")})
}

fn regex_escape(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || !c.is_ascii() { c.to_string() } else { format!("\\{c}") }).collect()
}

fn wire<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| f(*v)).collect()
}

/// The `/items` parameters the islands take (they have no properties to filter by).
const ISLAND_PARAMS: &[&str] = &["limit", "offset", "bbox", "bbox-crs", "crs", "datetime", "filter-crs", "f"];

fn param(name: &str, schema: Value, description: &str) -> Value {
    json!({"name": name, "in": "query", "required": false, "style": "form", "explode": false, "description": description, "schema": schema})
}

fn response(description: &str, media: &[&str]) -> Value {
    let mut content = Map::new();
    for m in media {
        let ty = if *m == "text/html" { "string" } else { "object" };
        content.insert((*m).to_owned(), json!({"schema": {"type": ty}}));
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

/// The whole document; `towns` are the town names the `town` filter accepts.
pub fn build(base: &str, towns: &[String]) -> Value {
    let mut components_params = Map::new();
    let mut item_refs = Vec::new();
    let mut island_refs = Vec::new();
    for (name, schema, description) in item_params(towns) {
        components_params.insert(name.to_owned(), param(name, schema, description));
        let r = json!({"$ref": format!("#/components/parameters/{name}")});
        // Islands are base data: paging, space, time and CRS, no property filters.
        if ISLAND_PARAMS.contains(&name) {
            island_refs.push(r.clone());
        }
        item_refs.push(r);
    }
    components_params.insert(
        "collectionId".into(),
        json!({"name": "collectionId", "in": "path", "required": true, "schema": {"type": "string", "enum": ["projects", "islands"]}}),
    );
    components_params.insert("featureId".into(), json!({"name": "featureId", "in": "path", "required": true, "schema": {"type": "string"}}));
    components_params.insert(
        "islandId".into(),
        json!({"name": "featureId", "in": "path", "required": true, "description": "1-based position in the base data", "schema": {"type": "integer", "minimum": 1}}),
    );
    let f_only = || vec![json!({"$ref": "#/components/parameters/f"})];
    let crs_f = |id: &str| {
        vec![
            json!({"$ref": format!("#/components/parameters/{id}")}),
            json!({"$ref": "#/components/parameters/crs"}),
            json!({"$ref": "#/components/parameters/f"}),
        ]
    };
    components_params.insert(
        "ifMatch".into(),
        json!({"name": "If-Match", "in": "header", "required": false, "schema": {"type": "string"},
               "description": "RFC 9110: `*` or a list of entity-tags, the version(s) (ETag, e.g. \"3\") the edit was based on; weak tags (W/\"3\") compare weakly. \
                               412 when none is current, 400 when malformed. Without it (and without If-Unmodified-Since) the current version is assumed"}),
    );
    components_params.insert(
        "ifUnmodifiedSince".into(),
        json!({"name": "If-Unmodified-Since", "in": "header", "required": false, "schema": {"type": "string"},
               "description": "an HTTP-date (the feature's Last-Modified); 412 when the feature changed after it. Ignored when If-Match is sent or when not a valid HTTP-date (RFC 9110)"}),
    );
    components_params.insert(
        "contentCrs".into(),
        json!({"name": "Content-Crs", "in": "header", "required": false, "schema": {"type": "string"},
               "description": "CRS of the body's geometry, e.g. <http://www.opengis.net/def/crs/EPSG/0/3857>; default CRS84"}),
    );
    let write_params = || {
        vec![
            json!({"$ref": "#/components/parameters/featureId"}),
            json!({"$ref": "#/components/parameters/ifMatch"}),
            json!({"$ref": "#/components/parameters/ifUnmodifiedSince"}),
            json!({"$ref": "#/components/parameters/contentCrs"}),
        ]
    };
    // A write with a body also answers 415 for a body not sent as JSON (400 when `Content-Type` is missing).
    let written = |body: bool| {
        let mut r = json!({"204": {"description": "written; `ETag` is the new version (and, for PUT and PATCH, `Last-Modified` its time)",
                                   "headers": {"ETag": {"schema": {"type": "string"}}, "Last-Modified": {"schema": {"type": "string"}}}},
               "400": problem(), "401": problem(), "403": problem(), "404": problem(), "405": problem(), "412": problem(), "413": problem(), "422": problem()});
        if body {
            r["415"] = problem();
        }
        r
    };
    let queryables: Vec<&str> = Prop::ALL.iter().map(|p| p.name()).collect();
    let mut doc = json!({
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
                "responses": {"200": response("OpenAPI 3.0", &[OPENAPI_JSON, "text/html"]), "400": problem()}}},
            "/collections": {"get": {"operationId": "getCollections", "summary": "the collections", "parameters": f_only(),
                "responses": {"200": response("projects and islands with extents and CRSs", &["application/json", "text/html"]), "400": problem()}}},
            "/collections/{collectionId}": {"get": {"operationId": "describeCollection", "summary": "one collection",
                "parameters": [{"$ref": "#/components/parameters/collectionId"}, {"$ref": "#/components/parameters/f"}],
                "responses": {"200": response("the collection", &["application/json", "text/html"]), "400": problem(), "404": problem()}}},
            "/collections/{collectionId}/queryables": {"get": {"operationId": "getQueryables", "summary": "filterable properties",
                "parameters": [{"$ref": "#/components/parameters/collectionId"}, {"$ref": "#/components/parameters/f"}],
                "responses": {"200": response("JSON Schema of the queryables", &["application/schema+json", "text/html"]), "400": problem(), "404": problem()}}},
            "/collections/{collectionId}/schema": {"get": {"operationId": "getSchema", "summary": "the features' schema (Part 5): JSON Schema 2020-12 with x-ogc-role",
                "parameters": [{"$ref": "#/components/parameters/collectionId"}, {"$ref": "#/components/parameters/f"}],
                "responses": {"200": response("JSON Schema of the features", &["application/schema+json", "text/html"]), "400": problem(), "404": problem()}}}
        },
        "components": {
            "parameters": components_params,
            "schemas": {"Problem": {"type": "object", "properties": {
                "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"}, "parameter": {"type": "string"},
                "errors": {"type": "array", "items": {"type": "object"}}, "current_version": {"type": "integer"}}}}
        }
    });
    // The items paths are written out per collection rather than as `{collectionId}`, so that each
    // lists exactly the methods and parameters it takes (the islands are read-only, without
    // property filters) and `Allow` agrees with the document.
    let options_items = |id: &str, allow: &str| {
        json!({"operationId": format!("options{id}Features"), "summary": "the methods this resource supports (`Allow`)",
            "responses": {"200": {"description": format!("`Allow: {allow}`"), "headers": {"Allow": {"schema": {"type": "string"}}, "Accept-Post": {"schema": {"type": "string"}}}}}})
    };
    let items_get = |id: &str, params: &Vec<Value>| {
        json!({"operationId": format!("get{id}Features"), "summary": "features, filtered and paged", "parameters": params,
            "responses": {"200": {"description": "a FeatureCollection with numberMatched, numberReturned, timeStamp and next/prev links; `Link` names the queryables",
                                  "headers": {"Link": {"schema": {"type": "string"}}, "Content-Crs": {"schema": {"type": "string"}}},
                                  "content": {"application/geo+json": {"schema": {"type": "object"}}, "application/json": {"schema": {"type": "object"}}, "text/html": {"schema": {"type": "string"}}}},
                          "400": problem()}})
    };
    let item_get = |id: &str, param: &str| {
        json!({"operationId": format!("get{id}Feature"), "summary": "one feature", "parameters": crs_f(param),
            "responses": {"200": {"description": "a Feature; for projects `ETag` is its version and `Last-Modified` its time",
                                  "headers": {"ETag": {"schema": {"type": "string"}}, "Last-Modified": {"schema": {"type": "string"}}, "Content-Crs": {"schema": {"type": "string"}}},
                                  "content": {"application/geo+json": {"schema": {"type": "object"}}, "application/json": {"schema": {"type": "object"}}, "text/html": {"schema": {"type": "string"}}}},
                          "400": problem(), "404": problem()}})
    };
    let options_item = |id: &str, param: &str, allow: &str| {
        json!({"operationId": format!("options{id}Feature"), "summary": "the methods this resource supports (`Allow`)",
            "parameters": [{"$ref": format!("#/components/parameters/{param}")}],
            "responses": {"200": {"description": format!("`Allow: {allow}`"), "headers": {"Allow": {"schema": {"type": "string"}}, "Accept-Patch": {"schema": {"type": "string"}}}}, "404": problem()}})
    };
    let paths = &mut doc["paths"];
    paths["/collections/projects/items"] = json!({
        "get": items_get("Projects", &item_refs),
        "post": {"operationId": "createFeature", "summary": "add a project (Part 4; planner role)",
            "description": "The id is the Feature's `id` or `properties.id` (a slug); when absent one is generated as `p-` and 12 hex digits. Geometries in another CRS need `Content-Crs`.",
            "parameters": [{"$ref": "#/components/parameters/contentCrs"}],
            "requestBody": feature_body("application/geo+json"),
            "responses": {"201": {"description": "created; `Location` is the new feature's URL, `ETag` its version",
                                  "headers": {"Location": {"schema": {"type": "string"}}, "ETag": {"schema": {"type": "string"}}},
                                  "content": {"application/geo+json": {"schema": {"type": "object"}}}},
                          "400": problem(), "401": problem(), "403": problem(), "409": problem(), "413": problem(), "415": problem(), "422": problem()}},
        "options": options_items("Projects", super::tx::ITEMS_WRITE),
    });
    paths["/collections/projects/items/{featureId}"] = json!({
        "get": item_get("Projects", "featureId"),
        "put": {"operationId": "replaceFeature", "summary": "replace a project (Part 4; planner role)",
            "parameters": write_params(), "requestBody": feature_body("application/geo+json"), "responses": written(true)},
        "patch": {"operationId": "updateFeature", "summary": "update a project by JSON merge patch of `properties` and/or `geometry` (Part 4; planner role)",
            "parameters": write_params(), "requestBody": feature_body("application/merge-patch+json"), "responses": written(true)},
        "delete": {"operationId": "deleteFeature", "summary": "archive a project: it leaves the map, its history stays (Part 4; planner role)",
            "parameters": write_params(), "responses": written(false)},
        "options": options_item("Projects", "featureId", super::tx::ITEM_WRITE),
    });
    paths["/collections/islands/items"] = json!({"get": items_get("Islands", &island_refs), "options": options_items("Islands", super::tx::READ)});
    paths["/collections/islands/items/{featureId}"] =
        json!({"get": item_get("Islands", "islandId"), "options": options_item("Islands", "islandId", super::tx::READ)});
    doc
}

pub(super) async fn document(State(s): State<AppState>, headers: HeaderMap, RawQuery(q): RawQuery) -> Result<Response, Problem> {
    let (_, f) = only_f(q.as_deref())?;
    let base = base_url(&headers);
    let doc = build(&base, s.rules.towns.names());
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
