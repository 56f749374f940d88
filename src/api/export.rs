//! `GET /api/export?format=…`: the filtered projects as a dated download. The paging and the
//! writers are the export use case's (`service/export.rs`); this handler reads the query and
//! turns the export into a response. GeoJSON, CSV and KML are streamed as they are written;
//! GeoPackage, Shapefile and FlatGeobuf are written to a temporary file and streamed from it.

use super::extract::query_pairs;
use super::{AppState, Problem};
use crate::formats::ExportFormat;
use crate::project::ProjectFilter;
use crate::service::export::{self, Export};
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures::StreamExt;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/export", get(download))
}

async fn download(State(s): State<AppState>, RawQuery(q): RawQuery) -> Result<Response, Problem> {
    let pairs = query_pairs(q.as_deref());
    let filter = ProjectFilter::from_pairs(&pairs, &s.rules.towns, &["format"])?;
    let format: ExportFormat = match pairs.iter().find(|(k, _)| k == "format") {
        Some((_, v)) => v.parse().map_err(|e: String| Problem::bad_parameter("format", e))?,
        None => ExportFormat::GeoJson,
    };
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", format.file_name())).map_err(|_| Problem::internal())?;
    let headers = [(header::CONTENT_TYPE, HeaderValue::from_static(format.media_type())), (header::CONTENT_DISPOSITION, disposition)];
    Ok(match export::export(s.store.clone(), filter, format).await? {
        Export::Stream(chunks) => {
            let body = chunks.map(|chunk| {
                chunk.map(Bytes::from).map_err(|e| {
                    // Headers are gone already: all that is left is to cut the body short.
                    tracing::error!(error = %e, cause = ?std::error::Error::source(&e), "export stopped");
                    std::io::Error::other("export stopped")
                })
            });
            (headers, Body::from_stream(body)).into_response()
        }
        Export::File(f) => {
            let (file, len, dir) = f.into_parts();
            // The folder goes with the body: it is removed once the last byte has been read.
            let body = tokio_util::io::ReaderStream::with_capacity(tokio::fs::File::from_std(file), 64 * 1024).map(move |chunk| {
                let _keep = &dir;
                chunk
            });
            let mut r = (headers, Body::from_stream(body)).into_response();
            r.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(len));
            r
        }
    })
}
