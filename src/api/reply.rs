//! Response pieces several handlers share: the GeoJSON media type, `ETag` from a version, a
//! Feature answer, a FeatureCollection written without a JSON tree per feature.

use super::Problem;
use crate::project::{Project, Version};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Content type of GeoJSON (RFC 7946).
pub(crate) const GEOJSON: &str = "application/geo+json";

/// `ETag` for a version: `"3"`.
pub(crate) fn etag(v: Version) -> Result<HeaderValue, Problem> {
    HeaderValue::from_str(&format!("\"{v}\"")).map_err(|_| Problem::internal())
}

/// One project as a GeoJSON Feature, with its version as `ETag` and its time as `Last-Modified`.
pub(crate) fn feature(p: &Project) -> Result<Response, Problem> {
    let mut body = Vec::new();
    p.write_feature(&mut body).map_err(|_| Problem::internal())?;
    let mut r = ([(header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON)), (header::ETAG, etag(p.version)?)], body).into_response();
    if let Some(lm) = super::precondition::last_modified(p.updated_at) {
        r.headers_mut().insert(header::LAST_MODIFIED, lm);
    }
    Ok(r)
}

/// A new project: 201 with its `Location`.
pub(crate) fn created(p: &Project, location: &str) -> Result<Response, Problem> {
    let mut r = feature(p)?;
    *r.status_mut() = StatusCode::CREATED;
    if let Ok(loc) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, loc);
    }
    Ok(r)
}

/// Writes projects as a FeatureCollection without building a JSON tree per feature.
pub(crate) fn feature_collection(items: &[Project]) -> Result<Vec<u8>, Problem> {
    let mut buf = Vec::with_capacity(items.len() * 1024 + 64);
    buf.extend_from_slice(br#"{"type":"FeatureCollection","features":["#);
    for (i, p) in items.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        p.write_feature(&mut buf).map_err(|e| {
            tracing::error!(error = %e, project = %p.id, "encoding a feature");
            Problem::internal()
        })?;
    }
    buf.extend_from_slice(b"]}");
    Ok(buf)
}
