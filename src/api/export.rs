//! `GET /api/export?format=…`: the filtered projects as a dated download. GeoJSON, CSV and KML
//! are streamed a store page at a time (constant memory); GeoPackage, Shapefile and FlatGeobuf
//! are whole-file formats built in a temporary file.

use super::extract::query_pairs;
use super::{AppState, Problem};
use crate::formats::{self, ExportFormat, PagedWriter, PAGE};
use crate::project::{Page, ProjectFilter};
use crate::store::Store;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/export", get(export))
}

enum Phase {
    Head,
    Page(u64),
    Done,
}

type StreamState = (Arc<dyn Store>, ProjectFilter, Box<dyn PagedWriter>, Phase);

// Fused: a body wrapper (the gzip compression layer) may poll again after the end, and a bare
// `unfold` panics when polled after it returned `None` (the download was cut short).
fn stream(store: Arc<dyn Store>, filter: ProjectFilter, writer: Box<dyn PagedWriter>) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send {
    futures::StreamExt::fuse(futures::stream::unfold((store, filter, writer, Phase::Head), |(store, filter, mut w, phase): StreamState| async move {
        match phase {
            Phase::Head => Some((Ok(Bytes::from(w.head())), (store, filter, w, Phase::Page(0)))),
            Phase::Done => None,
            Phase::Page(offset) => {
                let page = match store.list(&filter, Page { offset, limit: Some(PAGE) }).await {
                    Ok(p) => p,
                    Err(e) => {
                        // Headers are gone already: all that is left is to cut the body short.
                        tracing::error!(error = %e, cause = ?std::error::Error::source(&e), "export stopped");
                        return Some((Err(std::io::Error::other("export stopped")), (store, filter, w, Phase::Done)));
                    }
                };
                let mut buf = Vec::with_capacity(page.len() * 2048);
                for (i, p) in page.iter().enumerate() {
                    match w.item(offset + i as u64, p) {
                        Ok(b) => buf.extend(b),
                        Err(e) => {
                            tracing::error!(error = %e, "export stopped");
                            return Some((Err(std::io::Error::other("export stopped")), (store, filter, w, Phase::Done)));
                        }
                    }
                }
                let next = if (page.len() as u64) < PAGE {
                    buf.extend(w.tail());
                    Phase::Done
                } else {
                    Phase::Page(offset + PAGE)
                };
                Some((Ok(Bytes::from(buf)), (store, filter, w, next)))
            }
        }
    }))
}

async fn export(State(s): State<AppState>, RawQuery(q): RawQuery) -> Result<Response, Problem> {
    let pairs = query_pairs(q.as_deref());
    let filter = ProjectFilter::from_pairs(&pairs, &s.rules.towns, &["format"])?;
    let format: ExportFormat = match pairs.iter().find(|(k, _)| k == "format") {
        Some((_, v)) => v.parse().map_err(|e: String| Problem::bad_parameter("format", e))?,
        None => ExportFormat::GeoJson,
    };
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", format.file_name())).map_err(|_| Problem::internal())?;
    let headers = [(header::CONTENT_TYPE, HeaderValue::from_static(format.media_type())), (header::CONTENT_DISPOSITION, disposition)];
    if let Some(w) = formats::paged_writer(format) {
        return Ok((headers, Body::from_stream(stream(s.store.clone(), filter, w))).into_response());
    }
    let items = s.store.list(&filter, Page::ALL).await?;
    let bytes = formats::write_file(format, &items).await?;
    Ok((headers, bytes).into_response())
}
