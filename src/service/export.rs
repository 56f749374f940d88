//! Export: the filtered projects in one of the [`ExportFormat`]s, for the download
//! (`GET /api/export`) and for `planmap export` alike; and the page loop that `/api/projects`
//! and the OGC items share.
//!
//! This is the one paging loop ([`project_pages`]): the store is read a page of [`PAGE`]
//! projects at a time, each page continuing after the last id of the one before (keyset, so
//! every page costs the same and a write between pages neither repeats nor skips a project).
//! Streamed formats (GeoJSON, CSV, KML) hand each page to the format's writer and send it;
//! whole-file formats (GeoPackage, Shapefile, FlatGeobuf) write each page into a temporary file
//! and send the file when it is complete. Either way memory stays flat however many projects
//! match. The writers themselves (`crate::formats`) take projects and never see the store.

use crate::formats::{self, ExportFormat, FileWriter, FormatError, PagedWriter, TempFile};
use crate::project::{Page, Project, ProjectFilter};
use crate::store::{Store, StoreError};
use futures::stream::{BoxStream, StreamExt, TryStreamExt};
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
    /// The whole file, on disk.
    File(TempFile),
}

/// Starts the export of the projects `filter` selects. Streamed formats read nothing yet;
/// whole-file formats are written completely (to disk) before this returns.
pub async fn export(store: Arc<dyn Store>, filter: ProjectFilter, format: ExportFormat) -> Result<Export, ExportError> {
    if let Some(writer) = formats::paged_writer(format) {
        return Ok(Export::Stream(encoded(project_pages(store, filter, Page::ALL), writer)));
    }
    let Some(mut file) = FileWriter::create(format).await? else {
        return Err(FormatError::Encode { format: "export", reason: format!("no writer for {format}") }.into());
    };
    let mut pages = project_pages(store, filter, Page::ALL);
    while let Some(page) = pages.try_next().await? {
        file.add(page).await?;
    }
    Ok(Export::File(file.finish().await?))
}

/// Exports into `out` (a file, stdout), page by page.
pub async fn export_to<W: Write>(store: Arc<dyn Store>, filter: ProjectFilter, format: ExportFormat, out: &mut W) -> Result<(), ExportError> {
    let io = |e| ExportError::from(formats::io("writing the export")(e));
    match export(store, filter, format).await? {
        Export::Stream(mut chunks) => {
            while let Some(chunk) = chunks.next().await {
                out.write_all(&chunk?).map_err(io)?;
            }
        }
        Export::File(f) => {
            let (mut file, _, _dir) = f.into_parts();
            std::io::copy(&mut file, out).map_err(io)?;
        }
    }
    Ok(())
}

/// The projects `filter` selects within `page`, in id order, [`PAGE`] at a time. Only the first
/// read uses `page.offset`; every later one continues after the last id read.
pub fn project_pages(store: Arc<dyn Store>, filter: ProjectFilter, page: Page) -> BoxStream<'static, Result<Vec<Project>, StoreError>> {
    struct Cursor {
        store: Arc<dyn Store>,
        filter: ProjectFilter,
        offset: u64,
        remaining: Option<u64>,
        done: bool,
    }
    let start = Cursor { store, filter, offset: page.offset, remaining: page.limit, done: false };
    // Fused: a body wrapper (the HTTP gzip layer) may poll again after the end, and a bare
    // `unfold` panics when polled after it returned `None`.
    futures::stream::unfold(start, |mut c| async move {
        if c.done || c.remaining == Some(0) {
            return None;
        }
        let want = c.remaining.map_or(PAGE, |r| r.min(PAGE));
        match c.store.list(&c.filter, Page { offset: c.offset, limit: Some(want) }).await {
            Ok(items) => {
                c.done = (items.len() as u64) < want;
                c.offset = 0;
                c.remaining = c.remaining.map(|r| r - items.len() as u64);
                c.filter.after = items.last().map(|p| p.id.clone());
                if items.is_empty() {
                    return None;
                }
                Some((Ok(items), c))
            }
            Err(e) => {
                c.done = true;
                Some((Err(e), c))
            }
        }
    })
    .fuse()
    .boxed()
}

/// Pages through a format's writer: head, every project, tail. Stops after the first error.
pub fn encoded(pages: BoxStream<'static, Result<Vec<Project>, StoreError>>, writer: Box<dyn PagedWriter>) -> BoxStream<'static, Result<Vec<u8>, ExportError>> {
    enum Phase {
        Head,
        Items(u64),
        Done,
    }
    futures::stream::unfold((pages, writer, Phase::Head), |(mut pages, mut w, phase)| async move {
        match phase {
            Phase::Done => None,
            Phase::Head => match w.head() {
                Ok(head) => Some((Ok(head), (pages, w, Phase::Items(0)))),
                Err(e) => Some((Err(e.into()), (pages, w, Phase::Done))),
            },
            Phase::Items(index) => match pages.next().await {
                None => match w.tail() {
                    Ok(tail) => Some((Ok(tail), (pages, w, Phase::Done))),
                    Err(e) => Some((Err(e.into()), (pages, w, Phase::Done))),
                },
                Some(Err(e)) => Some((Err(e.into()), (pages, w, Phase::Done))),
                Some(Ok(page)) => {
                    let mut buf = Vec::with_capacity(page.len() * 2048);
                    for (i, p) in page.iter().enumerate() {
                        match w.item(index + i as u64, p) {
                            Ok(b) => buf.extend(b),
                            Err(e) => return Some((Err(e.into()), (pages, w, Phase::Done))),
                        }
                    }
                    Some((Ok(buf), (pages, w, Phase::Items(index + page.len() as u64))))
                }
            },
        }
    })
    .fuse()
    .boxed()
}
