//! OGC API – Features Part 4 (create, replace, update, delete) on `/collections/projects/items`,
//! so that QGIS can edit planmap directly. Every write goes through `service::edit`, the same path
//! as `/api/projects`: planner role, the same validation (422 with per-field errors), one
//! revision with the author per accepted write, and an archive (never a hard delete) for DELETE.
//!
//! `If-Match` and `If-Unmodified-Since` are honoured when sent (RFC 9110: a list of tags, `*`,
//! weak tags compared weakly; 412 with `current_version` when they do not hold, 404 first when
//! the feature does not exist; Part 4's "optimistic locking" with ETags or timestamps). QGIS
//! sends neither, so here their absence is accepted: the write layer then reads the current
//! version and still writes by compare-and-swap, so a racing writer gets 412 rather than being
//! overwritten, and the overwritten state stays in the history either way.
//!
//! `POST` takes a GeoJSON Feature whose id is the top-level `id` or `properties.id`. QGIS sends
//! new features without one, so an absent (or null/empty) id is generated as `p-` plus twelve
//! hex digits of a random UUID (a valid slug); a present id must be a valid slug (422 naming
//! `id` otherwise) and not taken (409).
//!
//! `OPTIONS` answers 200 with an `Allow` header listing the methods the *resource* supports, as
//! RFC 9110 defines `Allow` and as the OpenAPI document lists them (QGIS offers editing when
//! `POST` is listed on the items and `PUT`/`PATCH`/`DELETE` on an item; a caller who may not
//! write then gets 401/403 on the write itself), and on the projects `Accept-Post`/`Accept-Patch`
//! with the body media types (Part 4 draft). The `islands` collection is read-only: writes there
//! are 405 with `Allow`.

use super::base_url;
use super::collections::Collection;
use super::crs::Crs;
use super::Islands;
use crate::api::extract::{json, json_media_types, project_id, require_json_media, Body, Caller};
use crate::api::precondition;
use crate::api::reply::etag;
use crate::api::{AppState, Problem};
use crate::auth::Role;
use crate::project::{Project, Version};
use crate::service::edit::{take_comment, Condition};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde_json::Value;
use std::sync::Arc;

/// `Allow` of a read-only resource (the islands).
pub(super) const READ: &str = "GET, HEAD, OPTIONS";
/// `Allow` of the projects' items.
pub(super) const ITEMS_WRITE: &str = "GET, HEAD, OPTIONS, POST";
/// `Allow` of one project.
pub(super) const ITEM_WRITE: &str = "GET, HEAD, OPTIONS, PUT, PATCH, DELETE";

fn allow(methods: &'static str) -> [(header::HeaderName, HeaderValue); 1] {
    [(header::ALLOW, HeaderValue::from_static(methods))]
}

/// 405 for writes to a read-only collection, with `Allow`.
fn read_only(c: Collection) -> Response {
    let p = Problem::read_only(format!("the `{}` collection is base data and cannot be edited", c.id()));
    (allow(READ), p).into_response()
}

/// `OPTIONS /collections/{cid}/items`.
pub(super) async fn options_items(Path(cid): Path<String>) -> Result<Response, Problem> {
    let col = Collection::parse(&cid)?;
    let writable = col == Collection::Projects;
    let mut res = (StatusCode::OK, allow(if writable { ITEMS_WRITE } else { READ })).into_response();
    if writable {
        res.headers_mut().insert(HeaderName::from_static("accept-post"), accepted(&Method::POST));
    }
    Ok(res)
}

/// The media types a write body may have, as an `Accept-Post`/`Accept-Patch` value.
fn accepted(method: &Method) -> HeaderValue {
    HeaderValue::from_str(&json_media_types(method).join(", ")).unwrap_or(HeaderValue::from_static("application/json"))
}

/// `OPTIONS /collections/{cid}/items/{fid}`: 404 for a feature that does not exist, as a GET.
pub(super) async fn options_item(
    State(s): State<AppState>,
    Extension(islands): Extension<Arc<Islands>>,
    Path((cid, fid)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let col = Collection::parse(&cid)?;
    match col {
        Collection::Projects => {
            s.store.get(&project_id(&fid)?).await?;
        }
        Collection::Islands => {
            if !fid.parse::<u64>().is_ok_and(|n| islands.items.iter().any(|i| i.id == n)) {
                return Err(Problem::not_found(format!("there is no island {fid}; ids are 1–{}", islands.items.len())));
            }
        }
    }
    let writable = col == Collection::Projects;
    let mut res = (StatusCode::OK, allow(if writable { ITEM_WRITE } else { READ })).into_response();
    if writable {
        res.headers_mut().insert(HeaderName::from_static("accept-patch"), accepted(&Method::PATCH));
    }
    Ok(res)
}

/// Brings the body's geometry to lon/lat when `Content-Crs` names another supported CRS.
fn to_storage_crs(headers: &HeaderMap, feature: &mut Value) -> Result<(), Problem> {
    let Some(raw) = headers.get("content-crs") else { return Ok(()) };
    let text = raw.to_str().unwrap_or("");
    let crs = Crs::parse(text).ok_or_else(|| {
        let known: Vec<&str> = super::crs::SUPPORTED.iter().map(|c| c.uri()).collect();
        Problem::unsupported_content_crs(text, &known)
    })?;
    if !crs.is_storage() {
        if let Some(coords) = feature.get_mut("geometry").and_then(|g| g.get_mut("coordinates")) {
            unproject(crs, coords);
        }
    }
    Ok(())
}

fn unproject(crs: Crs, v: &mut Value) {
    let Value::Array(items) = v else { return };
    if let (Some(x), Some(y)) = (items.first().and_then(Value::as_f64), items.get(1).and_then(Value::as_f64)) {
        let c = crs.unproject(geo::Coord { x, y });
        items[0] = Value::from(c.x);
        items[1] = Value::from(c.y);
    } else {
        items.iter_mut().for_each(|i| unproject(crs, i));
    }
}

/// Gives a POSTed feature an id when it carries none (QGIS never sends one).
fn ensure_id(feature: &mut Value) {
    let blank = |v: Option<&Value>| match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(_) => false,
    };
    let Some(obj) = feature.as_object_mut() else { return };
    let top_blank = blank(obj.get("id"));
    let prop_blank = blank(obj.get("properties").and_then(|p| p.get("id")));
    if top_blank {
        obj.remove("id");
    }
    if prop_blank {
        if let Some(Value::Object(p)) = obj.get_mut("properties") {
            p.remove("id");
        }
    }
    if top_blank && prop_blank {
        let hex = uuid::Uuid::new_v4().simple().to_string();
        obj.insert("id".into(), Value::from(format!("p-{}", &hex[..12])));
    }
}

fn item_url(headers: &HeaderMap, p: &Project) -> String {
    format!("{}/collections/projects/items/{}", base_url(headers), p.id)
}

/// `POST /collections/projects/items`: 201 with `Location`, `ETag` and the stored feature.
pub(super) async fn create(State(s): State<AppState>, c: Caller, Path(cid): Path<String>, headers: HeaderMap, Body(body): Body) -> Result<Response, Problem> {
    let col = Collection::parse(&cid)?;
    if col != Collection::Projects {
        return Ok(read_only(col));
    }
    c.require(Role::Planner)?;
    require_json_media(&Method::POST, &headers)?;
    let mut v = json(&body)?;
    let comment = take_comment(&mut v)?;
    to_storage_crs(&headers, &mut v)?;
    ensure_id(&mut v);
    let p = s.edits().create(&c.acting(), &v, comment.as_deref()).await?;
    let mut buf = Vec::new();
    p.write_feature(&mut buf).map_err(|_| Problem::internal())?;
    let location = HeaderValue::from_str(&item_url(&headers, &p)).map_err(|_| Problem::internal())?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location), (header::ETAG, etag(p.version)?), (header::CONTENT_TYPE, HeaderValue::from_static(super::GEOJSON))],
        buf,
    )
        .into_response())
}

/// 204 with the new version as `ETag`.
fn written(v: Version) -> Result<Response, Problem> {
    Ok((StatusCode::NO_CONTENT, [(header::ETAG, etag(v)?)]).into_response())
}

/// 204 with the new version as `ETag` and its time as `Last-Modified`.
fn replaced(p: &Project) -> Result<Response, Problem> {
    let mut r = written(p.version)?;
    if let Some(lm) = precondition::last_modified(p.updated_at) {
        r.headers_mut().insert(header::LAST_MODIFIED, lm);
    }
    Ok(r)
}

/// What PUT and PATCH on an item share: a writable collection, a planner, and a body read as
/// JSON in the storage CRS with its history comment taken out.
struct ItemWrite {
    id: crate::project::ProjectId,
    cond: Condition,
    body: Value,
    comment: Option<String>,
}

/// `Ok(Err(response))` when the collection is read-only (answered as such, not as an error).
fn item_write(c: &Caller, method: &Method, cid: &str, fid: &str, headers: &HeaderMap, body: &[u8]) -> Result<Result<ItemWrite, Response>, Problem> {
    let col = Collection::parse(cid)?;
    if col != Collection::Projects {
        return Ok(Err(read_only(col)));
    }
    c.require(Role::Planner)?;
    let id = project_id(fid)?;
    let cond = precondition::condition(headers)?;
    require_json_media(method, headers)?;
    let mut v = json(body)?;
    let comment = take_comment(&mut v)?;
    to_storage_crs(headers, &mut v)?;
    Ok(Ok(ItemWrite { id, cond, body: v, comment }))
}

/// `PUT /collections/projects/items/{fid}`: replaces the feature; 204.
pub(super) async fn replace(
    State(s): State<AppState>,
    c: Caller,
    Path((cid, fid)): Path<(String, String)>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, Problem> {
    let w = match item_write(&c, &Method::PUT, &cid, &fid, &headers, &body)? {
        Ok(w) => w,
        Err(read_only) => return Ok(read_only),
    };
    let p = s.edits().replace(&c.acting(), &w.id, &w.cond, &w.body, w.comment.as_deref()).await?;
    replaced(&p)
}

/// `PATCH /collections/projects/items/{fid}`: a JSON merge patch of `properties`/`geometry`; 204.
pub(super) async fn patch(
    State(s): State<AppState>,
    c: Caller,
    Path((cid, fid)): Path<(String, String)>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, Problem> {
    let w = match item_write(&c, &Method::PATCH, &cid, &fid, &headers, &body)? {
        Ok(w) => w,
        Err(read_only) => return Ok(read_only),
    };
    let p = s.edits().patch(&c.acting(), &w.id, &w.cond, &w.body, w.comment.as_deref()).await?;
    replaced(&p)
}

/// `DELETE /collections/projects/items/{fid}`: archives the project (its history stays); 204.
pub(super) async fn delete(State(s): State<AppState>, c: Caller, Path((cid, fid)): Path<(String, String)>, headers: HeaderMap) -> Result<Response, Problem> {
    let col = Collection::parse(&cid)?;
    if col != Collection::Projects {
        return Ok(read_only(col));
    }
    c.require(Role::Planner)?;
    let id = project_id(&fid)?;
    let cond = precondition::condition(&headers)?;
    let v = s.edits().archive(&c.acting(), &id, &cond, None).await?;
    written(v)
}

#[cfg(test)]
mod tests {
    use super::{ensure_id, unproject, Crs};
    use serde_json::json;

    #[test]
    fn a_missing_or_blank_id_is_generated_as_a_slug() {
        for mut f in [json!({"type":"Feature"}), json!({"type":"Feature","id":null,"properties":{"id":""}})] {
            ensure_id(&mut f);
            let id = f["id"].as_str().unwrap().to_owned();
            assert!(crate::project::ProjectId::parse(&id).is_ok(), "{id}");
            assert!(f.pointer("/properties/id").is_none());
        }
        let mut f = json!({"type":"Feature","properties":{"id":"given-id"}});
        ensure_id(&mut f);
        assert!(f.get("id").is_none());
    }

    #[test]
    fn content_crs_coordinates_are_brought_to_lon_lat() {
        let mut c = json!([[27.8, 121.1], [27.9, 121.2]]);
        unproject(Crs::Epsg4326, &mut c);
        assert_eq!(c, json!([[121.1, 27.8], [121.2, 27.9]]));
    }
}
