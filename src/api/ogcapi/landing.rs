//! The landing page and `/conformance`.

use super::{base_url, html_page, json_response, link, negotiate, self_links, Format, CONFORMANCE, GEOJSON, HTML, JSON, OPENAPI_JSON};
use crate::api::extract::query_pairs;
use crate::api::Problem;
use axum::extract::RawQuery;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;

/// Decoded query pairs and the `f` value.
pub(super) type FQuery = (Vec<(String, String)>, Option<String>);

/// Only `f` is accepted on the non-feature resources.
pub(super) fn only_f(raw: Option<&str>) -> Result<FQuery, Problem> {
    let pairs = query_pairs(raw);
    let mut f = None;
    for (k, v) in &pairs {
        match k.as_str() {
            "f" => f = Some(v.clone()),
            other => return Err(Problem::unknown_parameter(other, &["f"])),
        }
    }
    Ok((pairs, f))
}

pub(super) async fn landing(headers: HeaderMap, RawQuery(q): RawQuery) -> Result<Response, Problem> {
    let (pairs, f) = only_f(q.as_deref())?;
    let fmt = negotiate(f.as_deref(), &headers, false)?;
    let base = base_url(&headers);
    let mut links = self_links(&base, &pairs, fmt, &[Format::Json, Format::Html]);
    links.extend([
        link(format!("{base}/api"), "service-desc", OPENAPI_JSON, "the API definition (OpenAPI 3.0)"),
        link(format!("{base}/api?f=html"), "service-doc", HTML, "the API definition as a page"),
        link(format!("{base}/conformance"), "conformance", JSON, "conformance classes implemented"),
        link(format!("{base}/collections"), "data", JSON, "the collections: projects, islands"),
        link(format!("{base}/collections/projects/items"), "items", GEOJSON, "projects"),
    ]);
    let title = "planmap — 洞头区规划项目 (Dongtou development-plan projects)";
    let description = "OGC API – Features view of planmap's projects and the basemap island outlines. Connect QGIS, ArcGIS or GDAL (OAPIF:<this URL>).";
    if fmt == Format::Html {
        return Ok(html_page(title, &links, &format!("<p>{}</p>", super::esc(description))));
    }
    Ok(json_response(&json!({"title": title, "description": description, "links": links}), JSON))
}

pub(super) async fn conformance(headers: HeaderMap, RawQuery(q): RawQuery) -> Result<Response, Problem> {
    let (pairs, f) = only_f(q.as_deref())?;
    let fmt = negotiate(f.as_deref(), &headers, false)?;
    let base = base_url(&headers);
    let links = self_links(&format!("{base}/conformance"), &pairs, fmt, &[Format::Json, Format::Html]);
    if fmt == Format::Html {
        let list: String = CONFORMANCE.iter().map(|c| format!("<li>{}</li>", super::esc(c))).collect();
        return Ok(html_page("Conformance", &links, &format!("<ul>{list}</ul>")));
    }
    Ok(json_response(&json!({"conformsTo": CONFORMANCE, "links": links}), JSON))
}
