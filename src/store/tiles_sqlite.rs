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
use sqlx::Row;
use std::collections::HashMap;

/// What a tile shows of a project, as one JSON array per row led by its `rid` (see
/// [`AttributeRow`]). SQLite escapes the text in it, and a stored geometry is compact JSON, so
/// neither holds the raw tab and newline that [`lines`] splits on.
const ATTRIBUTES: &str = "json_array(rid, id, name_zh, name_en, status, kind, action, town, investment_total, planned_completion)";

/// From this zoom on, a tile's rows leave SQLite as one text value (`lines`) rather than one row
/// at a time: sqlx hands every row from its SQLite thread to ours over a channel, and that
/// hand-off cost more than SQLite's read (perf, 100,000 projects, z12, 3,500 rows a tile: a
/// quarter of the time in futex waits and wake-ups, SQLite ~9 of ~48 ms). One text made z12 and
/// z14 1.5–1.9× faster; reading the attributes in the same statement, another 1.2–1.4× at z12.
/// Below this zoom a tile may hold every project of a city, too much to hold as one text, so rows
/// stream into the encoder.
const ONE_TEXT_FROM_ZOOM: u8 = 12;

/// [`ATTRIBUTES`] as read back.
#[derive(serde::Deserialize)]
struct AttributeRow(i64, String, String, Option<String>, Option<String>, String, Option<i64>, Option<String>, Option<String>, Option<String>);

impl AttributeRow {
    fn parse(json: &str) -> StoreResult<(i64, Tags)> {
        let corrupt = |key: String, reason: String| StoreError::Corrupt { key, reason };
        let r: AttributeRow = serde_json::from_str(json).map_err(|e| corrupt("a tile's project row".into(), e.to_string()))?;
        let key = || format!("project {}", r.1);
        let investment = r.8.as_deref().map(str::parse::<Wan>).transpose().map_err(|e| corrupt(key(), format!("investment_total: {e}")))?;
        let planned_completion = r.9.as_deref().map(str::parse::<NaiveDate>).transpose().map_err(|e| corrupt(key(), format!("planned_completion: {e}")))?;
        let action = r.6.map(u64::try_from).transpose().map_err(|e| corrupt(key(), format!("action: {e}")))?;
        let tags = Attributes {
            id: &r.1,
            name_zh: &r.2,
            name_en: r.3.as_deref(),
            status: r.4.as_deref(),
            kind: &r.5,
            action,
            town: r.7.as_deref(),
            investment_total: investment.and_then(|w| w.get().to_f64()),
            planned_completion,
        }
        .tags();
        Ok((r.0, tags))
    }
}

/// The lines of a [`ONE_TEXT_FROM_ZOOM`] read, each split at its first tab: the project's
/// [`ATTRIBUTES`] array and its geometry's text.
fn lines(text: &str) -> impl Iterator<Item = StoreResult<(&str, &str)>> {
    text.split('\n').filter(|l| !l.is_empty()).map(|l| {
        l.split_once('\t').ok_or_else(|| StoreError::Corrupt {
            key: "a tile's project row".into(),
            reason: format!("no geometry after `{}`", l.chars().take(40).collect::<String>()),
        })
    })
}

/// Up to this many features and cells, a tile is encoded on the async thread that read it:
/// handing it to the blocking pool and back cost more than the encoding (10,000 projects, z14,
/// ~20 features a tile, 16 clients: thread wake-ups were the largest item in perf).
const INLINE_ENCODE_UP_TO: usize = 64;

/// Runs the encoder's CPU work off the async threads, unless it is small (`parts`: features and
/// cells the tile holds; see [`INLINE_ENCODE_UP_TO`]).
async fn encode(tile: TileId, parts: usize, work: impl FnOnce() -> Vec<u8> + Send + 'static) -> StoreResult<Vec<u8>> {
    let stopped = |e: &dyn std::fmt::Display| StoreError::Corrupt { key: format!("tile {tile}"), reason: format!("encoder stopped: {e}") };
    if parts <= INLINE_ENCODE_UP_TO {
        // As on the blocking pool, a panic in geo's clipping answers an error for this tile.
        return std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).map_err(|_| stopped(&"panicked"));
    }
    tokio::task::spawn_blocking(work).await.map_err(|e| stopped(&e))
}

/// The embedded store's tile side.
#[derive(Debug)]
pub struct SqliteTiles {
    store: SqliteStore,
    cluster_over: u32,
}

impl SqliteTiles {
    pub(super) async fn open(url: &str, region: Region, cluster_over: u32) -> StoreResult<SqliteTiles> {
        Ok(SqliteTiles { store: SqliteStore::open(url, region).await?, cluster_over })
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
            let cluster_over = self.cluster_over;
            return encode(tile, usize::MAX, move || {
                let mut e = Encoder::new(tile, cluster_over);
                for (i, g) in projects.iter().enumerate().filter_map(|(i, p)| p.geo().map(|g| (i, g))) {
                    if wanted(g) {
                        e.push(g, i);
                    }
                }
                e.finish(|i| Attributes::of(&projects[i]).tags())
            })
            .await;
        }
        if tile.z() < ONE_TEXT_FROM_ZOOM {
            let mut tx = self.store.pool.begin().await.map_err(db("starting a tile read"))?;
            return self.clustered(tile, &f, wanted, &mut tx).await;
        }
        // From z12 one statement reads every candidate with its attributes, which are parsed
        // only for the projects the tile draws on their own: one round trip to SQLite's thread
        // and one snapshot, where reading attributes afterwards took four (begin, geometries,
        // attributes, end).
        let mut e = Encoder::new(tile, self.cluster_over);
        let mut qb = self.store.candidates_sql(&format!("group_concat({ATTRIBUTES} || char(9) || geometry_json, char(10))"), &f);
        let text: Option<String> = qb.build_query_scalar().fetch_one(&self.store.pool).await.map_err(db("listing a tile's projects"))?;
        let text = text.unwrap_or_default();
        let mut attributes = Vec::new();
        for line in lines(&text) {
            let (a, geometry) = line?;
            let g = parse_geometry(geometry, || format!("project row {}", a.split(',').next().unwrap_or_default().trim_start_matches('[')))?;
            if wanted(&g) {
                e.push(&g, attributes.len());
                attributes.push(a);
            }
        }
        let mut tags: Vec<Option<Tags>> = std::iter::repeat_with(|| None).take(attributes.len()).collect();
        for &i in e.drawn() {
            tags[i] = Some(AttributeRow::parse(attributes[i])?.1);
        }
        encode(tile, e.parts(), move || e.finish(|i| tags.get_mut(i).and_then(Option::take).unwrap_or_default())).await
    }

    /// A tile below [`ONE_TEXT_FROM_ZOOM`], read in one snapshot (`tx`): in a dense tile most
    /// projects end up as a count, so rows carry geometries only, and the attributes of the
    /// projects the tile draws on their own are read afterwards, as one text.
    async fn clustered(
        &self,
        tile: TileId,
        f: &ProjectFilter,
        wanted: impl Fn(&geo::Geometry<f64>) -> bool,
        tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    ) -> StoreResult<Vec<u8>> {
        let mut e = Encoder::new(tile, self.cluster_over);
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
        let text: Option<String> =
            sqlx::query_scalar(&format!("select group_concat({ATTRIBUTES}, char(10)) from project where rid in (select value from json_each(?))"))
                .bind(rids)
                .fetch_one(&mut **tx)
                .await
                .map_err(db("reading a tile's attributes"))?;
        let mut tags = HashMap::new();
        for line in text.as_deref().unwrap_or_default().split('\n').filter(|l| !l.is_empty()) {
            let (rid, t) = AttributeRow::parse(line)?;
            tags.insert(rid, t);
        }
        encode(tile, e.parts(), move || e.finish(|rid| tags.remove(&rid).unwrap_or_default())).await
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
