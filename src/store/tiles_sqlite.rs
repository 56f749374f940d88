//! Tiles on the embedded store: list through the R*Tree, encode in process.

use super::sqlite::SqliteStore;
use super::tiles::parse_geometry;
use super::{db, Store, StoreError, StoreResult};
use crate::geometry::{Bbox, Region};
use crate::project::Wan;
use crate::project::{Page, ProjectFilter};
use crate::tiles::{Attributes, Encoder, Tags, TileId};
use chrono::NaiveDate;
use futures::TryStreamExt;
use geo::Intersects;
use rust_decimal::prelude::ToPrimitive;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use std::collections::HashMap;

/// What a tile shows of a project, read straight from the columns (see `attributes`).
const TILE_ATTRIBUTES: &str = "id, name_zh, name_en, status, kind, action, town, investment_total, json_extract(props, '$.planned_completion')";

/// The tags of [`TILE_ATTRIBUTES`], read from column `at` on.
fn attributes(r: &SqliteRow, at: usize) -> StoreResult<Tags> {
    let id: &str = r.get(at);
    let corrupt = |reason: String| StoreError::Corrupt { key: format!("project {id}"), reason };
    let investment = r.get::<Option<&str>, _>(at + 7).map(str::parse::<Wan>).transpose().map_err(|e| corrupt(format!("investment_total: {e}")))?;
    let planned_completion =
        r.get::<Option<&str>, _>(at + 8).map(str::parse::<NaiveDate>).transpose().map_err(|e| corrupt(format!("planned_completion: {e}")))?;
    let action = r.get::<Option<i64>, _>(at + 5).map(u64::try_from).transpose().map_err(|e| corrupt(format!("action: {e}")))?;
    Ok(Attributes {
        id,
        name_zh: r.get(at + 1),
        name_en: r.get(at + 2),
        status: r.get(at + 3),
        kind: r.get(at + 4),
        action,
        town: r.get(at + 6),
        investment_total: investment.and_then(|w| w.get().to_f64()),
        planned_completion,
    }
    .tags())
}

/// Runs the encoder's CPU work off the async threads.
async fn encode(tile: TileId, work: impl FnOnce() -> Vec<u8> + Send + 'static) -> StoreResult<Vec<u8>> {
    tokio::task::spawn_blocking(work).await.map_err(|e| StoreError::Corrupt { key: format!("tile {tile}"), reason: format!("encoder stopped: {e}") })
}

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
        // The tile's box goes to the store (R*Tree prefilter); a `bbox` the caller asked for is a
        // second condition on the same rows, checked here. The encoder makes the exact test.
        let mut f = filter.clone();
        f.bbox = Some(area);
        let wanted = move |g: &geo::Geometry<f64>| wanted.is_none_or(|b| b.intersects(g));
        if f.as_of.is_some() || f.expression().is_some() {
            // Revisions and CQL2 are decided on whole projects.
            let projects = self.store.list(&f, Page::ALL).await?;
            if let Some(p) = projects.iter().find(|p| p.geo().is_none()) {
                return Err(StoreError::Corrupt { key: format!("project {}", p.id), reason: "geometry".into() });
            }
            return encode(tile, move || {
                let mut e = Encoder::new(tile);
                for (i, g) in projects.iter().enumerate().filter_map(|(i, p)| p.geo().map(|g| (i, g))) {
                    if wanted(g) {
                        e.push(g, i);
                    }
                }
                e.finish(|i| Attributes::of(&projects[i]).tags())
            })
            .await;
        }
        if tile.clusters() {
            let mut tx = self.store.pool.begin().await.map_err(db("starting a tile read"))?;
            return self.clustered(tile, &f, wanted, &mut tx).await;
        }
        // Rows are streamed into the encoder, so the tile holds what it draws, not every row read.
        let mut e = Encoder::new(tile);
        let mut qb = self.store.candidates_sql(&format!("{TILE_ATTRIBUTES}, geometry_json"), &f);
        let mut rows = qb.build().fetch(&self.store.pool);
        while let Some(r) = rows.try_next().await.map_err(db("listing a tile's projects"))? {
            let g = parse_geometry(r.get(9), || format!("project {}", r.get::<&str, _>(0)))?;
            if wanted(&g) {
                e.push(&g, attributes(&r, 0)?);
            }
        }
        encode(tile, move || e.finish(|t| t)).await
    }

    /// A tile that clusters, read in one snapshot (`tx`): most projects end up as a count, so
    /// rows carry geometries only, and the attributes of the projects the tile draws on their own
    /// are read afterwards.
    async fn clustered(
        &self,
        tile: TileId,
        f: &ProjectFilter,
        wanted: impl Fn(&geo::Geometry<f64>) -> bool,
        tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    ) -> StoreResult<Vec<u8>> {
        let mut e = Encoder::new(tile);
        let mut qb = self.store.candidates_sql("rid, geometry_json", f);
        let mut rows = qb.build().fetch(&mut **tx);
        while let Some(r) = rows.try_next().await.map_err(db("listing a tile's projects"))? {
            let rid: i64 = r.get(0);
            let g = parse_geometry(r.get(1), || format!("project row {rid}"))?;
            if wanted(&g) {
                e.push(&g, rid);
            }
        }
        drop(rows);
        let rids = serde_json::to_string(&e.drawn().collect::<Vec<_>>()).unwrap_or_default();
        let rows = sqlx::query(&format!("select rid, {TILE_ATTRIBUTES} from project where rid in (select value from json_each(?))"))
            .bind(rids)
            .fetch_all(&mut **tx)
            .await
            .map_err(db("reading a tile's attributes"))?;
        let mut tags = HashMap::with_capacity(rows.len());
        for r in &rows {
            tags.insert(r.get::<i64, _>(0), attributes(r, 1)?);
        }
        encode(tile, move || e.finish(|rid| tags.remove(&rid).unwrap_or_default())).await
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
            let key = || format!("revision row {last}");
            out.push(parse_geometry(r.get::<&str, _>(1), key)?);
            // The predecessor was on the map unless it archived the project.
            if let (Some(g), Some(false)) = (r.get::<Option<&str>, _>(2), r.get::<Option<bool>, _>(3)) {
                out.push(parse_geometry(g, key)?);
            }
        }
        Ok((last, out))
    }
}
