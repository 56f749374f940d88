//! Export: the filtered projects in one of the [`ExportFormat`]s, for the download
//! (`GET /api/export`) and for `planmap export` alike; and the page loop that `/api/projects`
//! and the OGC items share.
//!
//! This is the one paging loop ([`project_pages`]): the store is read a page of [`PAGE`]
//! projects at a time, after the first page by ids listed once or, where the store declines to
//! list them, continuing after the last id of the page before (keyset); either way a write
//! between pages neither repeats a project nor skips one that stays selected.
//! Streamed formats (GeoJSON, CSV, KML) hand each page to the format's writer and send it;
//! whole-file formats (GeoPackage, Shapefile, FlatGeobuf) write each page into a temporary file
//! and send the file when it is complete. Either way memory stays flat however many projects
//! match. The writers themselves (`crate::formats`) take projects and never see the store.

use crate::formats::{self, ExportFormat, FileWriter, FormatError, PagedWriter, TempFile};
use crate::project::{Page, Project, ProjectFilter, ProjectId};
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

/// At most this many ids are listed up front for a streamed read (see [`project_pages`]); a read
/// that selects more pages by keyset. 10,000 ids are ~400 KB per request.
const ID_LIST_CAP: usize = 10_000;

/// The projects `filter` selects within `page`, in id order, [`PAGE`] at a time. Only the first
/// read uses `page.offset`. When it comes back full, the ids of the rest are listed once
/// ([`Store::candidate_ids`]) and read [`PAGE`] ids at a time (or [`Store::ids_per_read`]): per
/// read a lookup by primary key, where running the filter again would scan the whole box for
/// every page (PostGIS, 100,000 projects, an 8-km box of 3,073: 22 ms per page, 7 pages; the
/// floor's one query 57 ms).
/// Past [`ID_LIST_CAP`] matches, or where the store declines (PostGIS, a box holding much of the
/// table, where walking the id index finds a page's rows quickly), every later read continues
/// after the last id read (keyset).
/// Either way a write between pages neither repeats a project nor skips one that stays selected.
pub fn project_pages(store: Arc<dyn Store>, filter: ProjectFilter, page: Page) -> BoxStream<'static, Result<Vec<Project>, StoreError>> {
    project_pages_listing(store, filter, page, ID_LIST_CAP)
}

/// [`project_pages`], listing at most `cap` ids (0: keyset pages only).
pub fn project_pages_listing(store: Arc<dyn Store>, filter: ProjectFilter, page: Page, cap: usize) -> BoxStream<'static, Result<Vec<Project>, StoreError>> {
    struct Cursor {
        store: Arc<dyn Store>,
        filter: ProjectFilter,
        offset: u64,
        remaining: Option<u64>,
        cap: usize,
        /// The ids still to read, once listed.
        ids: Option<std::vec::IntoIter<ProjectId>>,
        /// Whether the store was asked for them (it may have declined).
        asked: bool,
        done: bool,
    }
    impl Cursor {
        async fn next_page(&mut self) -> Result<Vec<Project>, StoreError> {
            let want = self.remaining.map_or(PAGE, |r| r.min(PAGE));
            let Some(ids) = &mut self.ids else {
                let items = self.store.list(&self.filter, Page { offset: self.offset, limit: Some(want) }).await?;
                self.offset = 0;
                self.done = (items.len() as u64) < want;
                self.filter.after = items.last().map(|p| p.id.clone());
                if !self.asked && !self.done && self.cap > 0 && self.remaining.is_none_or(|r| r > want) {
                    self.asked = true;
                    self.ids = self.store.candidate_ids(&self.filter, self.cap).await?.map(Vec::into_iter);
                }
                return Ok(items);
            };
            // A page of ids can select nothing (the embedded store lists candidates); go on to
            // the next until one does or the ids run out.
            let per_page = self.store.ids_per_read().unwrap_or(PAGE);
            let want = self.remaining.map_or(per_page, |r| r.min(per_page));
            loop {
                let chunk: Vec<ProjectId> = ids.by_ref().take(per_page as usize).collect();
                if chunk.is_empty() {
                    self.done = true;
                    return Ok(Vec::new());
                }
                let f = ProjectFilter { ids: chunk, after: None, ..self.filter.clone() };
                let items = self.store.list(&f, Page { offset: 0, limit: Some(want) }).await?;
                if !items.is_empty() {
                    return Ok(items);
                }
            }
        }
    }
    let start = Cursor { store, filter, offset: page.offset, remaining: page.limit, cap, ids: None, asked: false, done: false };
    // Fused: a body wrapper (the HTTP gzip layer) may poll again after the end, and a bare
    // `unfold` panics when polled after it returned `None`.
    futures::stream::unfold(start, |mut c| async move {
        if c.done || c.remaining == Some(0) {
            return None;
        }
        match c.next_page().await {
            Ok(items) if items.is_empty() => None,
            Ok(items) => {
                c.remaining = c.remaining.map(|r| r - items.len() as u64);
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
