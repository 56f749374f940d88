//! `PostgisStore`: production. Geometry in `geometry(Geometry, 4326)` with a GIST index; the
//! bbox test is `&&` plus `ST_Intersects` in SQL. Several planmap instances may share one
//! database: every write is a compare-and-swap inside a transaction, nothing is cached here.
//!
//! The statements both stores share are in `project_sql.rs` and `auth_sql.rs`; this file holds
//! what is PostGIS's own: connecting, the `dialect` those shared bodies read, and the filtered
//! reads (spatial test, CQL2 and as-of all in SQL).

use super::sql::{decode_snapshot, ids_within, push_conditions};
use super::{db, Page, StoreError, StoreResult};
use crate::geometry::Region;
use crate::project::{Project, ProjectFilter, ProjectId};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Postgres, QueryBuilder, Row};
use std::str::FromStr;
use std::time::Duration;

/// How long a request waits for a connection before the store counts as unavailable.
pub(super) const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

/// The PostGIS store.
#[derive(Debug, Clone)]
pub struct PostgisStore {
    pub(super) pool: PgPool,
}

// The bodies both stores share, compiled once per backend against the `dialect` below.
#[allow(clippy::duplicate_mod)]
#[path = "auth_sql.rs"]
mod auth;
#[allow(clippy::duplicate_mod)]
#[path = "project_sql.rs"]
pub(super) mod project;

/// What PostGIS does differently from the embedded store, in one place; the statement bodies
/// shared by both stores (`project_sql.rs`, `auth_sql.rs`) read it.
pub(super) mod dialect {
    use crate::project::{NewProject, Wan};
    use crate::store::{db, Backend, StoreResult};
    use chrono::{DateTime, Utc};
    use rust_decimal::Decimal;
    use sqlx::Row as _;

    pub(super) type Db = sqlx::Postgres;
    pub(super) type Conn = sqlx::PgConnection;
    pub(super) type Row = sqlx::postgres::PgRow;
    pub(super) type Store = super::PostgisStore;
    pub(super) const BACKEND: Backend = Backend::Postgis;
    /// Row locks for a read-then-write check under read committed (e.g. "is another admin left?").
    pub(super) const FOR_UPDATE: &str = " for update";
    /// A current read's columns (see `project::ROW`): `props` as the text PostgreSQL keeps beside
    /// the jsonb (migration 0013), so that no read turns jsonb into text row by row.
    pub(super) const ROW: &str = "id, version, props_text, cast(islands as text), geometry_json, updated_at";

    /// Listed ids read 3,000 at a time (`Store::ids_per_read`), not a 500-project page: a read
    /// costs ~1.5 ms before its first row, and past ~2,000 ids PostgreSQL finds them by searching
    /// the box once more and checking a hashed id list, cheaper per row than as many primary-key
    /// lookups (100,000 projects, an 8-km box of 3,073: 5.3 ms per 500 by id, 19.4 ms for the
    /// 2,630 after the first page; answers/s 0.90–0.97 → 0.97–1.16 of the SQL floor at 1, 16 and
    /// 64 clients). Memory: ~2 MB of projects per answer in flight instead of ~0.4.
    pub(super) const IDS_PER_READ: Option<u64> = Some(3_000);

    /// Times are `timestamptz` (microseconds).
    pub(super) fn time(t: DateTime<Utc>) -> DateTime<Utc> {
        t
    }

    pub(super) fn time_at(r: &Row, i: usize) -> StoreResult<DateTime<Utc>> {
        r.try_get(i).map_err(db("reading a time"))
    }

    /// Money is `numeric`: exact, and summable in SQL.
    pub(super) fn money(w: Option<Wan>) -> Option<Decimal> {
        w.map(|w| w.get())
    }

    /// Read committed; every write is a compare-and-swap or relies on a unique key.
    pub(super) async fn begin_write(s: &Store) -> StoreResult<sqlx::Transaction<'static, Db>> {
        s.pool.begin().await.map_err(db("starting a write"))
    }

    /// `geom`, the geometry for spatial SQL, computed from the GeoJSON text parameter.
    pub(super) fn spatial_columns(geometry_param: usize) -> Vec<(&'static str, String)> {
        vec![("geom", format!("st_setsrid(st_geomfromgeojson(${geometry_param}), 4326)"))]
    }

    /// Nothing to do: the GIST index follows `geom`.
    pub(super) async fn index(_conn: &mut Conn, _new: &NewProject) -> StoreResult<()> {
        Ok(())
    }
}

use project::{row_to_project, ROW};

/// What an as-of read selects from the revision CTE (see `filtered`).
const AS_OF_COLUMNS: &str = "select id, version, feature::text, created_at from project";

/// The largest share of the table a streamed read lists by id (see `candidate_ids_filtered`)…
const ID_LIST_SHARE: f64 = 0.2;
/// …unless that is fewer ids than this.
const ID_LIST_FLOOR: usize = 1_000;

impl PostgisStore {
    /// Connects and migrates (creating the PostGIS extension when the role may).
    pub async fn open(url: &str, _region: Region) -> StoreResult<PostgisStore> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Open(format!("cannot read DATABASE_URL: {e}")))?
            // No parallel workers for our reads: they are pages of at most a few thousand rows,
            // and with workers the planner chose a parallel id-index walk that spent ~18 ms
            // starting them for a 3 ms page (100,000 projects, the district box: 26–29 → 3–4 ms a
            // page, 200 pages an answer). And every execution planned for its own values: a
            // filter's best plan depends on its box (see `list_filtered`); prepared rather than
            // sent unprepared, that keeps the plan and saves the parse and a round trip (10,000
            // projects, island boxes: 1,260–1,280 → 1,380–1,560 answers/s). Settings per
            // connection, so the database's own defaults stay as its administrator left them.
            .options([("max_parallel_workers_per_gather", "0"), ("plan_cache_mode", "force_custom_plan")]);
        let pool = PgPoolOptions::new()
            .max_connections(16)
            // Short, so that a database outage is a prompt 503 with Retry-After (see
            // `StoreError::Unavailable`) rather than every request hanging for its own timeout.
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Open(format!("cannot connect to PostgreSQL: {e}")))?;
        sqlx::migrate!("migrations/postgis").run(&pool).await.map_err(|e| {
            StoreError::Open(format!(
                "migrating the PostGIS schema failed ({e}); is PostGIS installed (Debian: postgresql-15-postgis-3) and may this role create extensions?"
            ))
        })?;
        Ok(PostgisStore { pool })
    }

    pub(super) fn filtered(select: &str, f: &ProjectFilter) -> QueryBuilder<'static, Postgres> {
        let mut qb = QueryBuilder::new("");
        if Self::push_as_of(&mut qb, f) {
            qb.push(" ");
        }
        qb.push(select);
        Self::push_where(&mut qb, f);
        qb
    }

    /// As of an instant, opens the statement with `with project as (…)` and returns true: the
    /// caller may add CTEs after a comma. Otherwise pushes nothing.
    pub(super) fn push_as_of(qb: &mut QueryBuilder<'static, Postgres>, f: &ProjectFilter) -> bool {
        if let Some(at) = f.as_of {
            // As of an instant, `project` is the latest revision per id written at or before it,
            // unarchived, with the filterable columns pulled out of the snapshot under their
            // usual names: the CTE shadows the table, so the conditions below apply unchanged.
            qb.push(
                "with project as (
                   select r.project_id as id, r.version, r.created_at, r.feature,
                          r.feature->'properties'->>'name_zh' as name_zh, r.feature->'properties'->>'name_en' as name_en,
                          (r.feature->'properties'->>'action')::int as action, (r.feature->'properties'->>'task')::int as task,
                          r.feature->'properties'->>'kind' as kind, r.feature->'properties'->>'status' as status,
                          r.feature->'properties'->>'town' as town, r.feature->'properties' as props,
                          coalesce(r.feature->'properties'->'islands', '[]'::jsonb) as islands,
                          (r.feature->'properties'->>'investment_total')::numeric as investment_total,
                          (r.feature->'properties'->>'investment_completed')::numeric as investment_completed,
                          r.feature->'properties'->>'planned_completion' as planned_completion,
                          coalesce((r.feature->'properties'->>'synthetic')::boolean, false) as synthetic,
                          st_setsrid(st_geomfromgeojson(r.feature->'geometry'), 4326) as geom,
                          st_transform(st_setsrid(st_geomfromgeojson(r.feature->'geometry'), 4326), 3857) as geom_3857
                   from (select distinct on (project_id) * from project_revision where created_at <= ",
            )
            .push_bind(at)
            .push(" order by project_id, version desc) r where not r.archived)");
            return true;
        }
        false
    }

    /// ` where true and …` for every condition of `f` on the rows of `project`.
    pub(super) fn push_where(qb: &mut QueryBuilder<'static, Postgres>, f: &ProjectFilter) {
        qb.push(" where true");
        if let Some(b) = f.bbox {
            let [min_x, min_y, max_x, max_y] = b.to_array();
            let envelope = |qb: &mut QueryBuilder<'static, Postgres>| {
                qb.push("st_makeenvelope(")
                    .push_bind(min_x)
                    .push(", ")
                    .push_bind(min_y)
                    .push(", ")
                    .push_bind(max_x)
                    .push(", ")
                    .push_bind(max_y)
                    .push(", 4326)");
            };
            qb.push(" and geom && ");
            envelope(qb);
            qb.push(" and st_intersects(geom, ");
            envelope(qb);
            qb.push(")");
        }
        push_conditions(qb, f, "strpos", "jsonb_array_elements_text(islands) as island(value)");
        if let Some(e) = f.expression() {
            qb.push(" and ");
            super::cql2_sql::push_expr(qb, &e);
        }
    }

    pub(super) async fn list_filtered(&self, filter: &ProjectFilter, page: Page) -> StoreResult<Vec<Project>> {
        let current = format!("select {ROW} from project");
        let select = if filter.as_of.is_some() { AS_OF_COLUMNS } else { &current };
        let mut qb = Self::filtered(select, filter);
        qb.push(" order by id");
        if let Some(l) = page.limit {
            qb.push(" limit ").push_bind(l as i64);
        }
        qb.push(" offset ").push_bind(page.offset as i64);
        // Planned for this page's own values (`plan_cache_mode`, set at connect): a generic plan
        // cannot tell a box holding the whole district from one holding an island, and for the
        // former it chose the GIST index and a sort of every match on every page of a streamed
        // answer (50× slower at 100,000 projects than walking the id index).
        let rows = qb.build().fetch_all(&self.pool).await.map_err(db("listing projects"))?;
        if filter.as_of.is_some() {
            return rows.iter().map(|r| decode_snapshot(r.get::<&str, _>(0), r.get(1), r.get::<&str, _>(2), r.get(3))).collect();
        }
        rows.iter().map(row_to_project).collect()
    }

    pub(super) async fn candidate_ids_filtered(&self, filter: &ProjectFilter, cap: usize) -> StoreResult<Option<Vec<ProjectId>>> {
        // Past a share of the table, pages continue after the last id instead: the planner walks
        // the id index and meets a page's rows within a few pages' worth, where 500 ids looked up
        // one by one cost more (10,000 projects, the whole district: 6.6 → 4.7 answers/s by id).
        // `reltuples` is the planner's own estimate (-1 before the first analyze). A small table
        // is listed whatever the share: either way costs little there.
        let rows: f32 = sqlx::query_scalar("select reltuples from pg_class where oid = 'project'::regclass")
            .fetch_one(&self.pool)
            .await
            .map_err(db("estimating the projects"))?;
        let cap = cap.min(((f64::from(rows) * ID_LIST_SHARE) as usize).max(ID_LIST_FLOOR));
        // `project` is the as-of CTE when there is one, so this reads the same rows as a list.
        let mut qb = Self::filtered("select id from project", filter);
        qb.push(" order by id limit ").push_bind(cap as i64 + 1);
        let ids: Vec<String> = qb.build_query_scalar().fetch_all(&self.pool).await.map_err(db("listing project ids"))?;
        ids_within(ids, cap)
    }

    /// `ST_Extent` over the GIST-indexed column; the dates from the stored props.
    pub(super) async fn extent_of_live(&self) -> StoreResult<super::Extent> {
        let r = sqlx::query(
            "select count(*), st_xmin(st_extent(geom)), st_ymin(st_extent(geom)), st_xmax(st_extent(geom)), st_ymax(st_extent(geom)),
                    min(props->>'start_date'),
                    max(coalesce(props->>'actual_completion', props->>'planned_completion')) filter (where props->>'start_date' is not null),
                    coalesce(bool_or(coalesce(props->>'actual_completion', props->>'planned_completion') is null)
                             filter (where props->>'start_date' is not null), false)
             from project",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db("computing the extent"))?;
        super::Extent::from_parts(r.get(0), [r.get(1), r.get(2), r.get(3), r.get(4)], r.get(5), r.get(6), r.get(7))
    }

    pub(super) async fn count_filtered(&self, filter: &ProjectFilter) -> StoreResult<u64> {
        let mut qb = Self::filtered("select count(*) from project", filter);
        let n: i64 = qb.build_query_scalar().fetch_one(&self.pool).await.map_err(db("counting projects"))?;
        Ok(n as u64)
    }
}
