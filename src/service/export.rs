//! Export: the filtered projects in one of the [`ExportFormat`]s, for the download
//! (`GET /api/export`) and for `planmap export` alike.
//!
//! This is the one paging loop. Streamed formats (GeoJSON, CSV, KML) read the store a page of
//! [`PAGE`] projects at a time and hand each page to the format's writer, so memory stays flat
//! however many projects match; whole-file formats (GeoPackage, Shapefile, FlatGeobuf) need every
//! project before the first byte, so they read all matches and build the file. The writers
//! themselves (`crate::formats`) take projects and never see the store.

use crate::formats::{self, ExportFormat, FormatError, PagedWriter};
use crate::project::{Page, ProjectFilter};
use crate::store::{Store, StoreError};
use futures::stream::{BoxStream, StreamExt};
use std::io::Write;
use std::sync::Arc;

/// Projects per store read while streaming.
pub const PAGE: u64 = 500;

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Reading the projects failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Encoding or writing the file failed.
    #[error(transparent)]
    Format(#[from] FormatError),
}

/// An export ready to send.
pub enum Export {
    /// Chunks in order, the first holding the format's head and the last its tail. After an
    /// error the stream ends: the file is incomplete and must not be offered as whole.
    Stream(BoxStream<'static, Result<Vec<u8>, ExportError>>),
    /// The whole file.
    File(Vec<u8>),
}

/// Starts the export of the projects `filter` selects. Streamed formats read nothing yet.
pub async fn export(store: Arc<dyn Store>, filter: ProjectFilter, format: ExportFormat) -> Result<Export, ExportError> {
    match formats::paged_writer(format) {
        Some(writer) => Ok(Export::Stream(pages(store, filter, writer).boxed())),
        None => {
            let items = store.list(&filter, Page::ALL).await?;
            Ok(Export::File(formats::write_file(format, &items).await?))
        }
    }
}

/// Exports into `out` (a file, stdout), page by page for the streamed formats.
pub async fn export_to<W: Write>(store: Arc<dyn Store>, filter: ProjectFilter, format: ExportFormat, out: &mut W) -> Result<(), ExportError> {
    let write = |out: &mut W, bytes: &[u8]| out.write_all(bytes).map_err(|e| ExportError::from(formats::io("writing the export")(e)));
    match export(store, filter, format).await? {
        Export::Stream(mut chunks) => {
            while let Some(chunk) = chunks.next().await {
                write(out, &chunk?)?;
            }
        }
        Export::File(bytes) => write(out, &bytes)?,
    }
    Ok(())
}

enum Phase {
    Head,
    Page(u64),
    Done,
}

type PageState = (Arc<dyn Store>, ProjectFilter, Box<dyn PagedWriter>, Phase);

// Fused: a body wrapper (the HTTP gzip layer) may poll again after the end, and a bare `unfold`
// panics when polled after it returned `None`.
fn pages(store: Arc<dyn Store>, filter: ProjectFilter, writer: Box<dyn PagedWriter>) -> impl futures::Stream<Item = Result<Vec<u8>, ExportError>> + Send {
    futures::stream::unfold((store, filter, writer, Phase::Head), |(store, filter, mut w, phase): PageState| async move {
        match phase {
            Phase::Head => match w.head() {
                Ok(head) => Some((Ok(head), (store, filter, w, Phase::Page(0)))),
                Err(e) => Some((Err(e.into()), (store, filter, w, Phase::Done))),
            },
            Phase::Done => None,
            Phase::Page(offset) => {
                let page = match store.list(&filter, Page { offset, limit: Some(PAGE) }).await {
                    Ok(p) => p,
                    Err(e) => return Some((Err(e.into()), (store, filter, w, Phase::Done))),
                };
                let mut buf = Vec::with_capacity(page.len() * 2048);
                for (i, p) in page.iter().enumerate() {
                    match w.item(offset + i as u64, p) {
                        Ok(b) => buf.extend(b),
                        Err(e) => return Some((Err(e.into()), (store, filter, w, Phase::Done))),
                    }
                }
                let next = if (page.len() as u64) < PAGE {
                    match w.tail() {
                        Ok(tail) => buf.extend(tail),
                        Err(e) => return Some((Err(e.into()), (store, filter, w, Phase::Done))),
                    }
                    Phase::Done
                } else {
                    Phase::Page(offset + PAGE)
                };
                Some((Ok(buf), (store, filter, w, next)))
            }
        }
    })
    .fuse()
}
