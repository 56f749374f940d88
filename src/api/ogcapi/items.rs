//! `/collections/{id}/items` and `/items/{fid}`: filtered, paged features in the requested CRS.

use super::collections::Collection;
use super::crs::Crs;
use super::{base_url, cell, esc, html_page, link, negotiate, self_links, with_query, Format, Islands, GEOJSON, JSON, LIMIT_DEFAULT, LIMIT_MAX, OFFSET_MAX};
use crate::api::extract::query_pairs;
use crate::api::{AppState, Problem};
use crate::formats::{FormatError, PagedWriter};
use crate::project::cql2::{Expr, Prop};
use crate::project::{Page, Project, ProjectFilter};
use crate::service::export::{encoded, project_pages};
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures::{StreamExt, TryStreamExt};
use serde_json::{json, Value};
use std::sync::Arc;

/// What the OGC layer reads itself; everything else goes to `ProjectFilter::from_pairs`.
const OGC_ONLY: &[&str] = &["limit", "offset", "f", "crs", "bbox", "bbox-crs", "filter-crs"];

/// The paging and CRS part of an items request.
struct ItemsQuery {
    pairs: Vec<(String, String)>,
    limit: u64,
    offset: u64,
    crs: Crs,
    f: Option<String>,
    bbox: Option<crate::geometry::Bbox>,
}

fn read_query(raw: Option<&str>) -> Result<ItemsQuery, Problem> {
    let pairs = query_pairs(raw);
    let mut q = ItemsQuery { pairs: pairs.clone(), limit: LIMIT_DEFAULT, offset: 0, crs: Crs::Crs84, f: None, bbox: None };
    let mut bbox_text = None;
    let mut bbox_crs = Crs::Crs84;
    let crs_err = |p: &str, v: &str| {
        let known: Vec<&str> = super::crs::SUPPORTED.iter().map(|c| c.uri()).collect();
        Problem::bad_parameter(p, format!("`{v}` is not a supported CRS; use one of {}", known.join(", ")))
    };
    for (k, v) in &pairs {
        match k.as_str() {
            "limit" => {
                let n: u64 = v.trim().parse().map_err(|_| Problem::bad_parameter("limit", format!("`{v}` is not a whole number from 1 to {LIMIT_MAX}")))?;
                if n == 0 {
                    return Err(Problem::bad_parameter("limit", format!("must be from 1 to {LIMIT_MAX}")));
                }
                q.limit = n.min(LIMIT_MAX);
            }
            "offset" => {
                q.offset = v
                    .trim()
                    .parse()
                    .ok()
                    .filter(|n| *n <= OFFSET_MAX)
                    .ok_or_else(|| Problem::bad_parameter("offset", format!("`{v}` is not a whole number from 0 to {OFFSET_MAX}")))?;
            }
            "f" => q.f = Some(v.clone()),
            "crs" => q.crs = Crs::parse(v).ok_or_else(|| crs_err("crs", v))?,
            "bbox-crs" => bbox_crs = Crs::parse(v).ok_or_else(|| crs_err("bbox-crs", v))?,
            "filter-crs" if Crs::parse(v) != Some(Crs::Crs84) => {
                return Err(Problem::bad_parameter("filter-crs", "only CRS84 (http://www.opengis.net/def/crs/OGC/1.3/CRS84) is supported in filters"));
            }
            "bbox" => bbox_text = Some(v.clone()),
            _ => {}
        }
    }
    if let Some(t) = bbox_text {
        q.bbox = Some(bbox_crs.bbox_to_lonlat(&t).map_err(|e| Problem::bad_parameter("bbox", e))?);
    }
    Ok(q)
}

/// Projects: the same filter as `/api/projects` (property filters, `q`, `datetime`, `filter`).
/// Queryables that `ProjectFilter::from_pairs` reads itself (as comma-separated lists).
const LIST_FILTERS: &[&str] = &["status", "kind", "town", "action", "task"];

/// Projects: the same filter as `/api/projects` (property filters, `q`, `datetime`, `filter`),
/// plus every other queryable as an equality test (`plan_ref=…`, `start_date=…`).
fn project_filter(s: &AppState, q: &ItemsQuery) -> Result<ProjectFilter, Problem> {
    let mut rest = Vec::new();
    let mut equal = Vec::new();
    for (k, v) in q.pairs.iter().filter(|(k, _)| !OGC_ONLY.contains(&k.as_str())) {
        match Prop::by_name(k).filter(|_| !LIST_FILTERS.contains(&k.as_str())) {
            Some(p) => equal.push(p.equals(v).map_err(|e| Problem::bad_parameter(k, e))?),
            None => rest.push((k.clone(), v.clone())),
        }
    }
    let mut f = ProjectFilter::from_pairs(&rest, &s.rules.towns, &[])?;
    f.bbox = q.bbox;
    if !equal.is_empty() {
        if let Some(e) = f.cql.take() {
            equal.push(e);
        }
        f.cql = Some(Expr::And(equal));
    }
    Ok(f)
}

/// The feature with its geometry in `crs`.
fn project_feature(p: &Project, crs: Crs, buf: &mut Vec<u8>) -> Result<(), Problem> {
    let res = if crs.is_storage() {
        p.write_feature(&mut *buf)
    } else {
        let Some(g) = p.geo() else {
            tracing::error!(project = %p.id, "stored geometry cannot be read");
            return Err(Problem::internal());
        };
        let mut q = p.clone();
        let text = serde_json::to_string(&geojson::Geometry::from(&crs.geometry(g))).map_err(|_| Problem::internal())?;
        q.geometry = crate::geometry::StoredGeometry::from_text(text);
        q.write_feature(&mut *buf)
    };
    res.map_err(|e| {
        tracing::error!(error = %e, project = %p.id, "encoding a feature");
        Problem::internal()
    })
}

fn island_feature(i: &super::islands::Island, crs: Crs) -> Value {
    let g = if crs.is_storage() { geojson::Geometry::from(&i.geo) } else { geojson::Geometry::from(&crs.geometry(&i.geo)) };
    json!({"type": "Feature", "id": i.id, "geometry": g, "properties": i.properties})
}

fn with_headers(fmt: Format, crs: Crs, body: impl Into<Body>) -> Response {
    let ct = if fmt == Format::Json { JSON } else { GEOJSON };
    let content_crs = HeaderValue::from_str(&crs.header()).unwrap_or(HeaderValue::from_static("<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"));
    ([(header::CONTENT_TYPE, HeaderValue::from_static(ct)), (header::HeaderName::from_static("content-crs"), content_crs)], body.into()).into_response()
}

/// `self`/`alternate`, `next` and `prev` (offset paging, as OGC API – Features has it), `collection`.
fn page_links(q: &ItemsQuery, url: &str, base: &str, c: Collection, fmt: Format, matched: u64, returned: u64) -> Vec<Value> {
    let paging = |offset: u64| {
        let mut p: Vec<(String, String)> = q.pairs.iter().filter(|(k, _)| k != "offset" && k != "limit").cloned().collect();
        p.push(("limit".into(), q.limit.to_string()));
        p.push(("offset".into(), offset.to_string()));
        p
    };
    let mut links = self_links(url, &q.pairs, fmt, &[Format::GeoJson, Format::Html]);
    if q.offset + returned < matched && returned > 0 {
        links.push(link(with_query(url, &paging(q.offset + returned)), "next", GEOJSON, "next page"));
    }
    if q.offset > 0 {
        links.push(link(with_query(url, &paging(q.offset.saturating_sub(q.limit))), "prev", GEOJSON, "previous page"));
    }
    links.push(link(format!("{base}/collections/{}", c.id()), "collection", JSON, "the collection"));
    links
}

/// The items FeatureCollection, written as the pages are read: the head (counts, links) is
/// known before the first feature, `numberReturned` is counted on the way and closes it.
struct ItemsWriter {
    head: Vec<u8>,
    crs: Crs,
    returned: u64,
}

impl PagedWriter for ItemsWriter {
    fn head(&mut self) -> Result<Vec<u8>, FormatError> {
        Ok(std::mem::take(&mut self.head))
    }
    fn item(&mut self, index: u64, p: &Project) -> Result<Vec<u8>, FormatError> {
        let mut buf = Vec::with_capacity(1024);
        if index > 0 {
            buf.push(b',');
        }
        project_feature(p, self.crs, &mut buf).map_err(|_| FormatError::Encode { format: "GeoJSON", reason: format!("project {}", p.id) })?;
        self.returned += 1;
        Ok(buf)
    }
    fn tail(&mut self) -> Result<Vec<u8>, FormatError> {
        Ok(format!(r#"],"numberReturned":{}}}"#, self.returned).into_bytes())
    }
}

pub(super) async fn list(
    State(s): State<AppState>,
    Extension(islands): Extension<Arc<Islands>>,
    Path(cid): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let c = Collection::parse(&cid)?;
    let q = read_query(raw.as_deref())?;
    let fmt = negotiate(q.f.as_deref(), &headers, true)?;
    let base = base_url(&headers);
    let url = format!("{base}/collections/{}/items", c.id());
    let page = Page { offset: q.offset, limit: Some(q.limit) };

    if c == Collection::Projects && fmt != Format::Html {
        let filter = project_filter(&s, &q)?;
        let matched = s.store.count(&filter).await?;
        // The paging links go before the features: they are written for the number the count
        // promises; `numberReturned`, after the features, is the number actually sent.
        let links = page_links(&q, &url, &base, c, fmt, matched, q.limit.min(matched.saturating_sub(q.offset)));
        let mut head = Vec::with_capacity(1024);
        head.extend_from_slice(br#"{"type":"FeatureCollection","numberMatched":"#);
        head.extend_from_slice(matched.to_string().as_bytes());
        head.extend_from_slice(br#","timeStamp":"#);
        head.extend_from_slice(json!(crate::time::rfc3339(crate::time::now_micros())).to_string().as_bytes());
        head.extend_from_slice(br#","links":"#);
        head.extend_from_slice(&serde_json::to_vec(&links).unwrap_or_default());
        head.extend_from_slice(br#","features":["#);
        let mut pages = project_pages(s.store.clone(), filter, page);
        // The first page is read before the headers go, so a failing store still answers with a problem.
        let first = pages.try_next().await?;
        let pages = futures::stream::iter(first.map(Ok)).chain(pages).boxed();
        let body = encoded(pages, Box::new(ItemsWriter { head, crs: q.crs, returned: 0 })).map(|chunk| {
            chunk.map(Bytes::from).map_err(|e| {
                // Headers are gone already: all that is left is to cut the body short.
                tracing::error!(error = %e, cause = ?std::error::Error::source(&e), "items stopped");
                std::io::Error::other("items stopped")
            })
        });
        return Ok(with_queryables_link(with_headers(fmt, q.crs, Body::from_stream(body)), &base, c));
    }

    // Features as JSON text, one per element, plus the number matched.
    let (features, matched): (Vec<Vec<u8>>, u64) = match c {
        Collection::Projects => {
            let filter = project_filter(&s, &q)?;
            let matched = s.store.count(&filter).await?;
            let items = s.store.list(&filter, page).await?;
            let mut out = Vec::with_capacity(items.len());
            for p in &items {
                let mut buf = Vec::with_capacity(1024);
                project_feature(p, q.crs, &mut buf)?;
                out.push(buf);
            }
            (out, matched)
        }
        Collection::Islands => {
            if let Some((k, _)) = q.pairs.iter().find(|(k, _)| !OGC_ONLY.contains(&k.as_str()) && k != "datetime") {
                let known: Vec<&str> = OGC_ONLY.iter().copied().chain(["datetime"]).collect();
                return Err(Problem::unknown_parameter(k, &known));
            }
            // Islands are base data without time: every datetime matches them.
            let matching: Vec<&super::islands::Island> = islands.items.iter().filter(|i| q.bbox.is_none_or(|b| b.intersects(&i.geo))).collect();
            let out = matching
                .iter()
                .skip(q.offset as usize)
                .take(q.limit as usize)
                .map(|i| serde_json::to_vec(&island_feature(i, q.crs)).unwrap_or_default())
                .collect();
            (out, matching.len() as u64)
        }
    };

    let returned = features.len() as u64;
    let links = page_links(&q, &url, &base, c, fmt, matched, returned);

    if fmt == Format::Html {
        let mut rows = String::from("<table><tr><th>id</th><th>properties</th></tr>");
        for f in &features {
            let v: Value = serde_json::from_slice(f).unwrap_or(Value::Null);
            let id = cell(&v["id"]);
            let props: String = v["properties"]
                .as_object()
                .map(|m| m.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| format!("<b>{}</b>: {}<br>", esc(k), esc(&cell(v)))).collect())
                .unwrap_or_default();
            rows.push_str(&format!("<tr><td><a href=\"{url}/{}?f=html\">{}</a></td><td>{props}</td></tr>", esc(&id), esc(&id)));
        }
        rows.push_str("</table>");
        let title = format!("{} — {matched} matched, {} from {}", c.id(), returned, q.offset + 1);
        return Ok(with_queryables_link(html_page(&title, &links, &rows), &base, c));
    }

    let mut body = Vec::with_capacity(features.iter().map(Vec::len).sum::<usize>() + 1024);
    body.extend_from_slice(br#"{"type":"FeatureCollection","numberMatched":"#);
    body.extend_from_slice(matched.to_string().as_bytes());
    body.extend_from_slice(br#","numberReturned":"#);
    body.extend_from_slice(returned.to_string().as_bytes());
    body.extend_from_slice(br#","timeStamp":"#);
    body.extend_from_slice(json!(crate::time::rfc3339(crate::time::now_micros())).to_string().as_bytes());
    body.extend_from_slice(br#","links":"#);
    body.extend_from_slice(&serde_json::to_vec(&links).unwrap_or_default());
    body.extend_from_slice(br#","features":["#);
    for (i, f) in features.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(f);
    }
    body.extend_from_slice(b"]}");
    Ok(with_queryables_link(with_headers(fmt, q.crs, body), &base, c))
}

/// Part 3: the items point, in a `Link` header, to what they can be filtered by (every answer
/// of `/items`, streamed, paged or HTML).
fn with_queryables_link(mut r: Response, base: &str, c: Collection) -> Response {
    let link =
        format!("<{base}/collections/{}/queryables>; rel=\"http://www.opengis.net/def/rel/ogc/1.0/queryables\"; type=\"application/schema+json\"", c.id());
    if let Ok(v) = HeaderValue::from_str(&link) {
        r.headers_mut().insert(header::LINK, v);
    }
    r
}

pub(super) async fn one(
    State(s): State<AppState>,
    Extension(islands): Extension<Arc<Islands>>,
    Path((cid, fid)): Path<(String, String)>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let c = Collection::parse(&cid)?;
    let q = read_query(raw.as_deref())?;
    if let Some((k, _)) = q.pairs.iter().find(|(k, _)| k != "f" && k != "crs") {
        return Err(Problem::unknown_parameter(k, &["f", "crs"]));
    }
    let fmt = negotiate(q.f.as_deref(), &headers, true)?;
    let base = base_url(&headers);
    let url = format!("{base}/collections/{}/items/{fid}", c.id());
    // The feature's JSON text as written (money stays the exact decimal text it was written
    // as), its version and time for `ETag` / `Last-Modified` (projects only).
    let (text, stamp) = match c {
        Collection::Projects => {
            let p = s.store.get(&crate::api::extract::project_id(&fid)?).await?;
            let mut buf = Vec::new();
            project_feature(&p, q.crs, &mut buf)?;
            (buf, Some((p.version, p.updated_at)))
        }
        Collection::Islands => {
            let not_found = || Problem::not_found(format!("there is no island {fid}; ids are 1–{}", islands.items.len()));
            let n: u64 = fid.parse().map_err(|_| not_found())?;
            let i = islands.items.iter().find(|i| i.id == n).ok_or_else(not_found)?;
            (serde_json::to_vec(&island_feature(i, q.crs)).map_err(|_| Problem::internal())?, None)
        }
    };
    let mut links = self_links(&url, &q.pairs, fmt, &[Format::GeoJson, Format::Html]);
    links.push(link(format!("{base}/collections/{}", c.id()), "collection", JSON, "the collection"));
    if fmt == Format::Html {
        let feature: Value = serde_json::from_slice(&text).map_err(|_| Problem::internal())?;
        let rows: Vec<(String, String)> = feature["properties"].as_object().map(|m| m.iter().map(|(k, v)| (k.clone(), cell(v))).collect()).unwrap_or_default();
        return Ok(html_page(&format!("{} {}", c.id(), fid), &links, &super::html_table(&rows)));
    }
    // `links` goes in as text before the Feature's closing brace: no JSON tree in between.
    let mut body = text;
    if body.pop() != Some(b'}') {
        return Err(Problem::internal());
    }
    body.extend_from_slice(br#","links":"#);
    body.extend_from_slice(&serde_json::to_vec(&links).map_err(|_| Problem::internal())?);
    body.push(b'}');
    let mut r = with_headers(fmt, q.crs, body);
    // The version and time, for `If-Match` / `If-Unmodified-Since` on the Part 4 writes.
    if let Some((version, at)) = stamp {
        r.headers_mut().insert(header::ETAG, crate::api::reply::etag(version)?);
        if let Some(lm) = crate::api::precondition::last_modified(at) {
            r.headers_mut().insert(header::LAST_MODIFIED, lm);
        }
    }
    Ok(r)
}
