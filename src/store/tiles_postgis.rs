//! Tiles on PostGIS: the whole tile in one statement (`ST_AsMVTGeom` + `ST_AsMVT`), and the
//! revision announcements (`LISTEN planmap_revision`).
//!
//! The statement follows the embedded encoder's rules (`crate::tiles`): rows that intersect the
//! buffered tile in Web Mercator (the stored `geom_3857`, so no row is transformed per tile);
//! below the cluster zoom, in a tile of more projects than the clustering threshold, geometries
//! smaller than a cell are grouped by the cell of their box centre and a cell of two or more
//! becomes one point at the mean centre with `point_count`.

use super::postgis::PostgisStore;
use super::tiles::{parse_geometry, RevisionRef};
use super::{db, StoreError, StoreResult};
use crate::project::ProjectFilter;
use crate::tiles::{TileId, BUFFER, EXTENT, LAYER};
use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};
use sqlx::{Postgres, QueryBuilder, Row};

/// What a tile shows of a project, as columns of `project`.
const ATTRIBUTES: &str = "id, name_zh, name_en, status, kind, action, town, investment_total::float8 as investment_total, planned_completion";
/// The same, by name, once selected.
const COLUMNS: &str = "id, name_zh, name_en, status, kind, action, town, investment_total, planned_completion";

/// Tile statements running at once; the pool has two connections more, for fence pings and the
/// revisions a listener reads. A tile beyond them waits its turn here, with no deadline but the
/// request's own, rather than on the pool, whose short acquire timeout is there to report an
/// outage promptly: under load (100,000 projects, z10 tiles, 64 clients) tiles were answered 503
/// while the database was fine, only busy.
const RENDERS: usize = 6;

/// The channel the trigger of migration 0010 announces revisions on.
const CHANNEL: &str = "planmap_revision";

/// The PostGIS tile side.
#[derive(Debug)]
pub struct PostgisTiles {
    pool: PgPool,
    cluster_over: u32,
    /// Turns to run a tile statement ([`RENDERS`]).
    renders: tokio::sync::Semaphore,
}

/// A connection that hears every revision committed by any writer on the database, and this
/// instance's fence pings.
#[derive(Debug)]
pub struct RevisionListener {
    listener: PgListener,
    fence_channel: String,
}

/// What one wake-up of the listener brought, in commit order.
#[derive(Debug, Default)]
pub struct Heard {
    /// Revisions announced.
    pub revisions: Vec<RevisionRef>,
    /// The highest fence ping among them: every announcement committed before it is in
    /// `revisions` or was in an earlier batch, since PostgreSQL delivers in commit order.
    pub fence: Option<u64>,
}

impl RevisionListener {
    /// Waits for the next notification and returns it with any already buffered behind it.
    /// `Ok(None)`: the connection was lost, so announcements may have been missed.
    pub async fn next_batch(&mut self) -> StoreResult<Option<Heard>> {
        let Some(first) = self.listener.try_recv().await.map_err(db("listening for revisions"))? else { return Ok(None) };
        let mut heard = Heard::default();
        let mut take = |n: &sqlx::postgres::PgNotification| {
            if n.channel() == self.fence_channel {
                if let Ok(v) = n.payload().parse::<u64>() {
                    heard.fence = Some(heard.fence.map_or(v, |f| f.max(v)));
                }
            } else if let Some((id, v)) = n.payload().rsplit_once(' ') {
                if let Ok(v) = v.parse() {
                    heard.revisions.push((id.to_owned(), v));
                }
            }
        };
        take(&first);
        while let Some(n) = self.listener.next_buffered() {
            take(&n);
        }
        Ok(Some(heard))
    }
}

impl PostgisTiles {
    pub(super) async fn open(url: &str, cluster_over: u32) -> StoreResult<PostgisTiles> {
        let pool = PgPoolOptions::new()
            .max_connections(RENDERS as u32 + 2)
            // As the main pool: an outage answers 503 quickly instead of holding the request.
            .acquire_timeout(super::postgis::ACQUIRE_TIMEOUT)
            .connect(url)
            .await
            .map_err(|e| StoreError::Open(format!("cannot connect to PostgreSQL for tiles: {e}")))?;
        Ok(PostgisTiles { pool, cluster_over, renders: tokio::sync::Semaphore::new(RENDERS) })
    }

    pub(super) async fn tile(&self, tile: TileId, filter: &ProjectFilter) -> StoreResult<Vec<u8>> {
        // Every value is a bind, so the statement's text depends only on the filter's shape and
        // on whether the zoom clusters: each connection prepares it once, not per tile.
        let (z, x, y) = (i32::from(tile.z()), tile.x() as i32, tile.y() as i32);
        let margin = f64::from(BUFFER) / f64::from(EXTENT);
        let envelope = |qb: &mut QueryBuilder<'static, Postgres>, buffered: bool| {
            qb.push("st_tileenvelope(").push_bind(z).push(", ").push_bind(x).push(", ").push_bind(y);
            if buffered {
                qb.push(", margin => ").push_bind(margin);
            }
            qb.push(")");
        };
        let mut qb = QueryBuilder::new("");
        let more = PostgisStore::push_as_of(&mut qb, filter);
        qb.push(if more { ", " } else { "with " });
        // The rows that intersect the buffered tile, in Web Mercator (`geom_3857`, migration 0012).
        let clusters = tile.clusters();
        let rows = |qb: &mut QueryBuilder<'static, Postgres>, columns: &str, extra: &dyn Fn(&mut QueryBuilder<'static, Postgres>)| {
            qb.push("select ").push(columns);
            extra(qb);
            qb.push(" from project");
            PostgisStore::push_where(qb, filter);
            qb.push(" and geom_3857 && ");
            envelope(qb, true);
            // Clusters count only what the tile really holds; unclustered, a row that only
            // overlaps by its box clips to nothing and ST_AsMVT leaves it out anyway.
            if clusters {
                qb.push(" and st_intersects(geom_3857, ");
                envelope(qb, true);
                qb.push(")");
            }
        };
        let sparse_first = clusters && self.cluster_over > 0;
        if sparse_first {
            // A tile of at most `cluster_over` projects is not clustered: the first rows, up to
            // one more than that, with their attributes, drawn as they are if that is all. Only a
            // denser tile runs the clustering statement below, inside `else` (PostgreSQL runs a
            // CASE branch's subquery only when the branch is taken).
            let over = i64::from(self.cluster_over);
            qb.push("few as materialized (");
            rows(&mut qb, &format!("{ATTRIBUTES}, geom_3857 as g"), &|_| {});
            qb.push(" limit ").push_bind(over + 1);
            qb.push(") select case when (select count(*) from few) <= ").push_bind(over);
            qb.push(format!(" then coalesce((select st_asmvt(q, '{LAYER}', {EXTENT}, 'geom') from (select st_asmvtgeom(g, "));
            envelope(&mut qb, false);
            qb.push(format!(", {EXTENT}, {BUFFER}, true) as geom, {COLUMNS} from few) q), ''::bytea) else (with "));
        }
        if clusters {
            // Below the cluster zoom, geometries smaller than a cell are grouped by the cell of
            // their box centre; a cell of two or more becomes one point at the mean centre.
            // The scan carries a row's address and box centre only: geometries and attributes
            // are read afterwards for what the tile draws on its own, by `ctid` (the same
            // snapshot, no index descent). 100,000 projects, z12 tiles of ~3,500 (most drawn on
            // their own): 20–30 % faster than joining by id and carrying geometries through the
            // grouping; z8 and z10 no slower. Attributes for every row instead cost z8 10–20 %.
            // `as_of` reads a CTE named `project`, which has no `ctid`.
            let key = if filter.as_of.is_some() { "id" } else { "ctid" };
            let cell = tile.cell_size();
            let b = tile.bounds();
            qb.push("hit as materialized (select h.*, case when small then floor((cx - ").push_bind(b.min().x).push(") / ").push_bind(cell);
            qb.push(")::int end as ix, case when small then floor((").push_bind(b.max().y).push(" - cy) / ").push_bind(cell).push(")::int end as iy from (");
            rows(&mut qb, &format!("{key} as k"), &|qb| {
                qb.push(", (st_xmin(geom_3857) + st_xmax(geom_3857)) / 2 as cx, (st_ymin(geom_3857) + st_ymax(geom_3857)) / 2 as cy");
                qb.push(", st_xmax(geom_3857) - st_xmin(geom_3857) < ").push_bind(cell);
                qb.push(" and st_ymax(geom_3857) - st_ymin(geom_3857) < ").push_bind(cell).push(" as small");
            });
            // Rows too big to cluster pass through; the small ones are grouped by cell. A cell of
            // one is that row; of more, a point with the count and no row, which joins to nothing.
            qb.push(
                ") h), drawn as (select k as dk, null::geometry as pt, null::bigint as n from hit where ix is null
                 union all select case when n = 1 then k end, case when n > 1 then st_point(ax, ay, 3857) end, case when n > 1 then n end
                 from (select count(*) as n, avg(cx) as ax, avg(cy) as ay, (array_agg(k))[1] as k from hit where ix is not null group by ix, iy) c)",
            );
            qb.push(format!(" select coalesce((select st_asmvt(q, '{LAYER}', {EXTENT}, 'geom') from (select st_asmvtgeom(coalesce(pt, geom_3857), "));
            envelope(&mut qb, false);
            qb.push(format!(
                ", {EXTENT}, {BUFFER}, true) as geom, {ATTRIBUTES}, n as point_count, case when n is not null then true end as cluster
                 from drawn left join project on {key} = dk) q), ''::bytea)"
            ));
            if sparse_first {
                qb.push(") end");
            }
        } else {
            qb.push("hit as (");
            rows(&mut qb, &format!("{ATTRIBUTES}, geom_3857 as g"), &|_| {});
            qb.push(format!(") select coalesce((select st_asmvt(q, '{LAYER}', {EXTENT}, 'geom') from (select st_asmvtgeom(g, "));
            envelope(&mut qb, false);
            qb.push(format!(", {EXTENT}, {BUFFER}, true) as geom, {COLUMNS} from hit) q), ''::bytea)"));
        }
        let _turn = self.renders.acquire().await;
        let bytes: Vec<u8> = qb.build_query_scalar().fetch_one(&self.pool).await.map_err(db("encoding a tile"))?;
        Ok(bytes)
    }

    pub(super) async fn listen(&self, fence_channel: &str) -> StoreResult<RevisionListener> {
        let mut listener = PgListener::connect_with(&self.pool).await.map_err(db("connecting a listener"))?;
        listener.listen_all([CHANNEL, fence_channel]).await.map_err(db("listening for revisions"))?;
        Ok(RevisionListener { listener, fence_channel: fence_channel.to_owned() })
    }

    /// Sends fence ping `n` on `channel`; it reaches the listener after every announcement
    /// committed before it.
    pub(super) async fn ping(&self, channel: &str, n: u64) -> StoreResult<()> {
        sqlx::query("select pg_notify($1, $2)").bind(channel).bind(n.to_string()).execute(&self.pool).await.map_err(db("sending a fence ping"))?;
        Ok(())
    }

    pub(super) async fn revision_geometries(&self, revisions: &[RevisionRef]) -> StoreResult<Vec<geo::Geometry<f64>>> {
        let mut out = Vec::with_capacity(revisions.len() * 2);
        for chunk in revisions.chunks(5000) {
            let ids: Vec<&str> = chunk.iter().map(|(id, _)| id.as_str()).collect();
            let versions: Vec<i64> = chunk.iter().map(|(_, v)| *v).collect();
            let rows = sqlx::query(
                "select c.id, (r.feature->'geometry')::text, (p.feature->'geometry')::text, p.archived
                 from unnest($1::text[], $2::bigint[]) as c(id, v)
                 join project_revision r on r.project_id = c.id and r.version = c.v
                 left join project_revision p on p.project_id = c.id and p.version = c.v - 1",
            )
            .bind(&ids)
            .bind(&versions)
            .fetch_all(&self.pool)
            .await
            .map_err(db("reading announced revisions"))?;
            for r in &rows {
                let key = || format!("revision of {}", r.get::<&str, _>(0));
                out.push(parse_geometry(r.get::<&str, _>(1), key)?);
                // The predecessor was on the map unless it archived the project.
                if let (Some(g), Some(false)) = (r.get::<Option<&str>, _>(2), r.get::<Option<bool>, _>(3)) {
                    out.push(parse_geometry(g, key)?);
                }
            }
        }
        Ok(out)
    }
}
