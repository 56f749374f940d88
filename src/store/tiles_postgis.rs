//! Tiles on PostGIS: the whole tile in one statement (`ST_AsMVTGeom` + `ST_AsMVT`), and the
//! revision announcements (`LISTEN planmap_revision`).
//!
//! The statement follows the embedded encoder's rules (`crate::tiles`): rows that intersect the
//! buffered tile in Web Mercator; below the cluster zoom, geometries smaller than a cell are
//! grouped by the cell of their box centre and a cell of two or more becomes one point at the
//! mean centre with `point_count`.

use super::postgis::PostgisStore;
use super::tiles::{parse_geometry, RevisionRef};
use super::{db, StoreError, StoreResult};
use crate::project::ProjectFilter;
use crate::tiles::{TileId, BUFFER, EXTENT, LAYER};
use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};
use sqlx::Row;

/// The channel the trigger of migration 0010 announces revisions on.
const CHANNEL: &str = "planmap_revision";

/// The PostGIS tile side.
#[derive(Debug)]
pub struct PostgisTiles {
    pool: PgPool,
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
    pub(super) async fn open(url: &str) -> StoreResult<PostgisTiles> {
        let pool = PgPoolOptions::new()
            .max_connections(8)
            // As the main pool: an outage answers 503 quickly instead of holding the request.
            .acquire_timeout(super::postgis::ACQUIRE_TIMEOUT)
            .connect(url)
            .await
            .map_err(|e| StoreError::Open(format!("cannot connect to PostgreSQL for tiles: {e}")))?;
        Ok(PostgisTiles { pool })
    }

    pub(super) async fn tile(&self, tile: TileId, filter: &ProjectFilter) -> StoreResult<Vec<u8>> {
        let (z, x, y) = (tile.z(), tile.x(), tile.y());
        let b = tile.bounds();
        let ll = tile.buffered_lonlat();
        let cell = tile.cell_size();
        let margin = f64::from(BUFFER) / f64::from(EXTENT);
        let small = if tile.clusters() { format!("st_xmax(g) - st_xmin(g) < {cell} and st_ymax(g) - st_ymin(g) < {cell}") } else { "false".into() };
        // Every number below comes from a checked TileId, never from request text; user input
        // reaches the statement only as binds (pushed by `filtered`).
        let head = format!(
            "select coalesce((select st_asmvt(q, '{LAYER}', {EXTENT}, 'geom') from (
               select st_asmvtgeom(case when n > 1 then st_point(ax, ay, 3857) else g end, st_tileenvelope({z}, {x}, {y}), {EXTENT}, {BUFFER}, true) as geom,
                 case when n = 1 then id end as id, case when n = 1 then name_zh end as name_zh, case when n = 1 then name_en end as name_en,
                 case when n = 1 then status end as status, case when n = 1 then kind end as kind, case when n = 1 then action end as action,
                 case when n = 1 then town end as town, case when n = 1 then investment_total end as investment_total,
                 case when n = 1 then planned_completion end as planned_completion,
                 case when n > 1 then n end as point_count, case when n > 1 then true end as cluster
               from (
                 select *, count(*) over w as n, avg(cx) over w as ax, avg(cy) over w as ay, row_number() over (w order by id) as rn
                 from (
                   select r.*, case when {small}
                     then floor((cx - {minx}) / {cell})::bigint::text || ',' || floor(({maxy} - cy) / {cell})::bigint::text
                     else 'p:' || id end as cell
                   from (
                     select id, name_zh, name_en, status, kind, action, town, investment_total::float8 as investment_total,
                            props->>'planned_completion' as planned_completion, g,
                            (st_xmin(g) + st_xmax(g)) / 2 as cx, (st_ymin(g) + st_ymax(g)) / 2 as cy
                     from (select *, st_transform(geom, 3857) as g from project",
            minx = b.min().x,
            maxy = b.max().y,
        );
        let mut qb = PostgisStore::filtered(&head, filter);
        qb.push(format!(
            " and geom && st_makeenvelope({}, {}, {}, {}, 4326)) r0
                     where st_intersects(g, st_tileenvelope({z}, {x}, {y}, margin => {margin}))
                   ) r
                 ) r1 window w as (partition by cell)
               ) r2 where rn = 1
             ) q), ''::bytea)",
            ll.min().x,
            ll.min().y,
            ll.max().x,
            ll.max().y,
        ));
        let bytes: Vec<u8> = qb.build_query_scalar().persistent(false).fetch_one(&self.pool).await.map_err(db("encoding a tile"))?;
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
                let key = format!("revision of {}", r.get::<&str, _>(0));
                out.push(parse_geometry(r.get::<&str, _>(1), &key)?);
                // The predecessor was on the map unless it archived the project.
                if let (Some(g), Some(false)) = (r.get::<Option<&str>, _>(2), r.get::<Option<bool>, _>(3)) {
                    out.push(parse_geometry(g, &key)?);
                }
            }
        }
        Ok(out)
    }
}
