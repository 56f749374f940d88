//! Tiles on the embedded store: list through the R*Tree, encode in process.

use super::sqlite::SqliteStore;
use super::tiles::parse_geometry;
use super::{db, Store, StoreError, StoreResult};
use crate::geometry::{Bbox, Region};
use crate::project::{Page, ProjectFilter};
use crate::tiles::TileId;
use geo::Intersects;
use sqlx::Row;

/// The embedded store's tile side.
#[derive(Debug)]
pub struct SqliteTiles {
    store: SqliteStore,
}

impl SqliteTiles {
    pub(super) async fn open(url: &str, region: Region) -> StoreResult<SqliteTiles> {
        Ok(SqliteTiles { store: SqliteStore::open(url, region).await? })
    }

    pub(super) async fn tile(&self, tile: TileId, filter: &ProjectFilter) -> StoreResult<Vec<u8>> {
        let area = Bbox::from_rect(tile.buffered_lonlat());
        let wanted = filter.bbox;
        if wanted.is_some_and(|b| !b.rect().intersects(&area.rect())) {
            return Ok(Vec::new());
        }
        // The tile's box goes to the store (R*Tree prefilter, exact test); a `bbox` the caller
        // asked for is a second condition on the same rows, checked here.
        let mut f = filter.clone();
        f.bbox = Some(area);
        let mut projects = self.store.list(&f, Page::ALL).await?;
        if let Some(b) = wanted {
            projects.retain(|p| p.geo().is_some_and(|g| b.intersects(g)));
        }
        tokio::task::spawn_blocking(move || crate::tiles::encode(tile, &projects))
            .await
            .map_err(|e| StoreError::Corrupt { key: format!("tile {tile}"), reason: format!("encoder stopped: {e}") })
    }

    pub(super) async fn revision_mark(&self) -> StoreResult<i64> {
        sqlx::query_scalar("select coalesce(max(rowid), 0) from project_revision").fetch_one(&self.store.pool).await.map_err(db("reading the revision mark"))
    }

    pub(super) async fn changed_since(&self, mark: i64) -> StoreResult<(i64, Vec<geo::Geometry<f64>>)> {
        let rows = sqlx::query(
            "select r.rowid, json_extract(r.feature, '$.geometry'), json_extract(p.feature, '$.geometry'), p.archived
             from project_revision r
             left join project_revision p on p.project_id = r.project_id and p.version = r.version - 1
             where r.rowid > ? order by r.rowid",
        )
        .bind(mark)
        .fetch_all(&self.store.pool)
        .await
        .map_err(db("reading new revisions"))?;
        let mut last = mark;
        let mut out = Vec::with_capacity(rows.len() * 2);
        for r in &rows {
            last = r.get(0);
            let key = format!("revision row {last}");
            out.push(parse_geometry(r.get::<&str, _>(1), &key)?);
            // The predecessor was on the map unless it archived the project.
            if let (Some(g), Some(false)) = (r.get::<Option<&str>, _>(2), r.get::<Option<bool>, _>(3)) {
                out.push(parse_geometry(g, &key)?);
            }
        }
        Ok((last, out))
    }
}
