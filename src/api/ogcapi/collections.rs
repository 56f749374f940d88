//! `/collections`, `/collections/{id}` and `/collections/{id}/queryables`.

use super::crs::{Crs, SUPPORTED};
use super::landing::only_f;
use super::{base_url, cell, esc, html_page, html_table, json_response, link, negotiate, self_links, Format, Islands, GEOJSON, HTML, JSON, SCHEMA_JSON};
use crate::api::{AppState, Problem};
use crate::project::cql2::Prop;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Extension;
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// The two collections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Collection {
    Projects,
    Islands,
}

impl Collection {
    pub(super) fn parse(id: &str) -> Result<Collection, Problem> {
        match id {
            "projects" => Ok(Collection::Projects),
            "islands" => Ok(Collection::Islands),
            other => Err(Problem::not_found(format!("there is no collection `{other}`; collections: projects, islands"))),
        }
    }
    pub(super) fn id(self) -> &'static str {
        match self {
            Collection::Projects => "projects",
            Collection::Islands => "islands",
        }
    }
}

fn crs_list() -> Vec<&'static str> {
    SUPPORTED.iter().map(|c| c.uri()).collect()
}

/// Spatial and temporal extent, count and the collection's JSON.
async fn describe(s: &AppState, islands: &Islands, c: Collection, base: &str) -> Result<Value, Problem> {
    let (title, description, bbox, interval, count) = match c {
        Collection::Projects => {
            // Computed by the store from the current rows (so it is always true) without listing them.
            let e = s.store.extent().await?;
            let (bbox, first, last, open) = (e.bbox, e.first_start, e.last_end, e.open_ended);
            let end = if open { Value::Null } else { last.map_or(Value::Null, |d| json!(format!("{d}T23:59:59Z"))) };
            let interval = json!([[first.map_or(Value::Null, |d| json!(format!("{d}T00:00:00Z"))), end]]);
            (
                "洞头区规划项目 Development-plan projects",
                "Projects of Dongtou District's 2024–2027 plan. Temporal property: start_date to actual_completion (else planned_completion; open while unknown).",
                bbox,
                interval,
                e.count,
            )
        }
        Collection::Islands => (
            "海岛岸线 Island outlines",
            "The basemap's island coastlines (base data, read-only).",
            islands.extent,
            json!([[null, null]]),
            islands.items.len() as u64,
        ),
    };
    let region = s.rules.region.to_array();
    let bbox = bbox.map_or(region, |b| b.to_array());
    let url = format!("{base}/collections/{}", c.id());
    let mut value = json!({
        "id": c.id(),
        "title": title,
        "description": description,
        "itemType": "feature",
        "extent": {
            "spatial": {"bbox": [bbox], "crs": Crs::Crs84.uri()},
            "temporal": {"interval": interval, "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}
        },
        "crs": crs_list(),
        "storageCrs": Crs::Crs84.uri(),
        "itemCount": count,
        "license": "see /api/basemap/attribution and geodata/README.md",
        "keywords": ["洞头", "Dongtou", "规划", "plan"],
        "links": [
            link(url.clone(), "self", JSON, "this collection"),
            link(format!("{url}?f=html"), "alternate", HTML, "this collection as HTML"),
            link(format!("{url}/items"), "items", GEOJSON, "the features as GeoJSON"),
            link(format!("{url}/items?f=html"), "items", HTML, "the features as HTML"),
            link(format!("{url}/queryables"), "http://www.opengis.net/def/rel/ogc/1.0/queryables", SCHEMA_JSON, "filterable properties"),
            link(format!("{url}/queryables"), "queryables", SCHEMA_JSON, "filterable properties"),
            link(format!("{url}/schema"), "http://www.opengis.net/def/rel/ogc/1.0/schema", SCHEMA_JSON, "the features' schema (Part 5)"),
            link(format!("{url}/schema"), "describedby", SCHEMA_JSON, "the features' schema (Part 5)"),
        ]
    });
    if c.id() == "projects" {
        if let Some(links) = value["links"].as_array_mut() {
            links.push(link(format!("{url}/tiles"), "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", JSON, "vector tiles"));
        }
    }
    Ok(value)
}

pub(super) async fn list(
    State(s): State<AppState>,
    Extension(islands): Extension<Arc<Islands>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, Problem> {
    let (pairs, f) = only_f(q.as_deref())?;
    let fmt = negotiate(f.as_deref(), &headers, false)?;
    let base = base_url(&headers);
    let collections = vec![describe(&s, &islands, Collection::Projects, &base).await?, describe(&s, &islands, Collection::Islands, &base).await?];
    let links = self_links(&format!("{base}/collections"), &pairs, fmt, &[Format::Json, Format::Html]);
    if fmt == Format::Html {
        let body: String = collections
            .iter()
            .map(|c| {
                let id = c["id"].as_str().unwrap_or("");
                format!("<h2><a href=\"{base}/collections/{id}?f=html\">{}</a></h2><p>{}</p>", esc(&cell(&c["title"])), esc(&cell(&c["description"])))
            })
            .collect();
        return Ok(html_page("Collections", &links, &body));
    }
    Ok(json_response(&json!({"collections": collections, "crs": crs_list(), "links": links}), JSON))
}

pub(super) async fn one(
    State(s): State<AppState>,
    Extension(islands): Extension<Arc<Islands>>,
    Path(cid): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, Problem> {
    let c = Collection::parse(&cid)?;
    let (_, f) = only_f(q.as_deref())?;
    let fmt = negotiate(f.as_deref(), &headers, false)?;
    let base = base_url(&headers);
    let d = describe(&s, &islands, c, &base).await?;
    if fmt == Format::Html {
        let links: Vec<Value> = d["links"].as_array().cloned().unwrap_or_default();
        let rows: Vec<(String, String)> = ["id", "description", "itemCount", "extent", "storageCrs"].iter().map(|k| ((*k).to_owned(), cell(&d[*k]))).collect();
        return Ok(html_page(&cell(&d["title"]), &links, &html_table(&rows)));
    }
    Ok(json_response(&d, JSON))
}

pub(super) async fn queryables(Path(cid): Path<String>, headers: HeaderMap, RawQuery(q): RawQuery) -> Result<Response, Problem> {
    let c = Collection::parse(&cid)?;
    let (_, f) = only_f(q.as_deref())?;
    let fmt = negotiate(f.as_deref(), &headers, false)?;
    let base = base_url(&headers);
    let mut props = Map::new();
    if c == Collection::Projects {
        for p in Prop::ALL {
            let (ty, format) = p.ty().json_schema();
            let mut schema = json!({"title": p.title(), "type": ty});
            if let Some(fmt) = format {
                schema["format"] = json!(fmt);
            }
            props.insert(p.name().to_owned(), schema);
        }
    }
    // Part 3: a spatial queryable is described by its `format` (any geometry type here).
    props.insert("geometry".into(), json!({"title": "位置 location", "format": "geometry-any", "x-ogc-role": "primary-geometry"}));
    let url = format!("{base}/collections/{}/queryables", c.id());
    let doc = json!({
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "$id": url,
        "type": "object",
        "title": format!("{} queryables", c.id()),
        "properties": props,
        "additionalProperties": false
    });
    if fmt == Format::Html {
        let rows: Vec<(String, String)> = props.iter().map(|(k, v)| (k.clone(), cell(&v["type"]) + " " + &cell(&v["title"]))).collect();
        return Ok(html_page(&format!("{} queryables", c.id()), &[link(url, "self", SCHEMA_JSON, "as JSON Schema")], &html_table(&rows)));
    }
    Ok(json_response(&doc, SCHEMA_JSON))
}
