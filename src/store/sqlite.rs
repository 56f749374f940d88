//! `SqliteStore`: the embedded default. One file, WAL, an R*Tree for bbox candidates and `geo`
//! for the exact spatial test.
//!
//! The statements both stores share are in `project_sql.rs` and `auth_sql.rs`; this file holds
//! what is the embedded store's own: opening the file, the `dialect` those shared bodies read,
//! and the filtered reads (R*Tree prefilter, then the exact test and CQL2 in Rust).

use super::sql::{decode_snapshot, ids_within, push_conditions};
use super::{db, Page, StoreError, StoreResult};
use crate::geometry::Region;
use crate::project::{Project, ProjectFilter, ProjectId};
use crate::time::rfc3339;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

/// See `SqliteStore::walk_ids`.
const WALK_IDS_SHARE: f64 = 0.05;

/// The `islands` JSON array's members as rows with a `value` column (for `island=`).
const ISLANDS: &str = "json_each(islands)";

/// Candidates read as one text at most (a list with no limit, or exact tests rejecting many):
/// ~1 MB of text.
const READ_CHUNK: u64 = 1_000;

/// A build option that makes SQLite's connections share locks (see `.cargo/config.toml`).
fn slow_build(compile_options: &[String]) -> Option<&'static str> {
    if compile_options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT") {
        return Some("ENABLE_MEMORY_MANAGEMENT");
    }
    // Statistics are on unless built off.
    (!compile_options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0")).then_some("memory statistics")
}

/// The embedded store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pub(super) pool: SqlitePool,
    region: Region,
}

// The bodies both stores share, compiled once per backend against the `dialect` below.
#[allow(clippy::duplicate_mod)]
#[path = "auth_sql.rs"]
mod auth;
#[allow(clippy::duplicate_mod)]
#[path = "project_sql.rs"]
pub(super) mod project;

/// What the embedded store does differently from PostGIS, in one place; the statement bodies
/// shared by both stores (`project_sql.rs`, `auth_sql.rs`) read it.
pub(super) mod dialect {
    use crate::project::{NewProject, Wan};
    use crate::store::{db, Backend, StoreError, StoreResult};
    use chrono::{DateTime, Utc};
    use sqlx::Row as _;

    pub(super) type Db = sqlx::Sqlite;
    pub(super) type Conn = sqlx::SqliteConnection;
    pub(super) type Row = sqlx::sqlite::SqliteRow;
    pub(super) type Store = super::SqliteStore;
    pub(super) const BACKEND: Backend = Backend::Sqlite;
    /// A current read's columns (see `project::ROW`); `props` and `islands` are stored as text.
    pub(super) const ROW: &str = "id, version, props, islands, geometry_json, updated_at";
    /// Listed ids are read a page at a time, as the reader pages: larger reads were no faster
    /// here (100,000 projects, an 8-km box: 3,000 ids a read 13–14 vs 15–17 answers/s at one
    /// client) and raised the peak at 16 clients from 115 to 190 MiB.
    pub(super) const IDS_PER_READ: Option<u64> = None;
    /// Row locks for a read-then-write check: none needed, `BEGIN IMMEDIATE` already serialises writers.
    pub(super) const FOR_UPDATE: &str = "";

    /// Times are RFC 3339 text with microseconds and `Z`, so text order is time order.
    pub(super) fn time(t: DateTime<Utc>) -> String {
        crate::time::rfc3339(t)
    }

    pub(super) fn time_at(r: &Row, i: usize) -> StoreResult<DateTime<Utc>> {
        parse_time(r.get::<&str, _>(i))
    }

    pub(in crate::store) fn parse_time(s: &str) -> StoreResult<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).map_err(|e| StoreError::Corrupt { key: format!("time {s}"), reason: e.to_string() })
    }

    /// Money is kept as its exact decimal text (SQLite has no decimal type).
    pub(super) fn money(w: Option<Wan>) -> Option<String> {
        w.map(|w| w.to_string())
    }

    /// `BEGIN IMMEDIATE`: a writer takes the lock before it reads; a deferred transaction that
    /// reads then writes can fail with SQLITE_BUSY whatever the busy timeout.
    pub(super) async fn begin_write(s: &Store) -> StoreResult<sqlx::Transaction<'static, Db>> {
        s.pool.begin_with("begin immediate").await.map_err(db("starting a write"))
    }

    /// No spatial column: the R*Tree is kept by [`index`] (and emptied by a trigger on delete).
    pub(super) fn spatial_columns(_geometry_param: usize) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    /// Files the written row's box in the R*Tree.
    pub(super) async fn index(conn: &mut Conn, new: &NewProject) -> StoreResult<()> {
        let [min_x, min_y, max_x, max_y] = new.geometry.bbox().to_array();
        sqlx::query("insert or replace into project_rtree (rid, min_x, max_x, min_y, max_y) select rid, $2, $3, $4, $5 from project where id = $1")
            .bind(new.id.as_str())
            .bind(min_x)
            .bind(max_x)
            .bind(min_y)
            .bind(max_y)
            .execute(&mut *conn)
            .await
            .map_err(db("indexing a geometry"))?;
        Ok(())
    }
}

use dialect::parse_time;
use project::ROW;

impl SqliteStore {
    /// Opens (creating the file and its folder when missing) and migrates.
    pub async fn open(url: &str, region: Region) -> StoreResult<SqliteStore> {
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Open(format!("`{url}` is not a SQLite URL: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        if let Some(parent) = opts.get_filename().parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| StoreError::Open(format!("cannot create {}: {e}", parent.display())))?;
            }
        }
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(opts).await.map_err(|e| StoreError::Open(format!("cannot open {url}: {e}")))?;
        sqlx::migrate!("migrations/sqlite").run(&pool).await.map_err(|e| StoreError::Open(format!("migrating {url}: {e}")))?;
        // The build options are the binary's, not the file's: warned about once, however many
        // stores the process opens (the tile side opens its own).
        static BUILD_CHECKED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
        if !BUILD_CHECKED.swap(true, std::sync::atomic::Ordering::Relaxed) {
            let options: Vec<String> = sqlx::query_scalar("pragma compile_options").fetch_all(&pool).await.map_err(db("reading SQLite's build options"))?;
            if let Some(slow) = slow_build(&options) {
                tracing::warn!(
                    option = slow,
                    "SQLite was built with {slow}: its connections take global locks (build from the repository, whose .cargo/config.toml sets LIBSQLITE3_FLAGS)"
                );
            }
        }
        Ok(SqliteStore { pool, region })
    }

    /// Every project as it was at `at` that passes `f`, ordered by id. Filtering happens in Rust
    /// on the snapshots (the same predicates as the SQL, see `ProjectFilter::matches_props`);
    /// revisions are few enough per district that this stays fast.
    async fn all_as_of(&self, f: &ProjectFilter, at: DateTime<Utc>) -> StoreResult<Vec<Project>> {
        let rows = sqlx::query(
            "select r.project_id, r.version, r.feature, r.created_at from project_revision r
             join (select project_id, max(version) as version from project_revision where created_at <= ? group by project_id) l
               on l.project_id = r.project_id and l.version = r.version
             where r.archived = 0 order by r.project_id",
        )
        .bind(rfc3339(at))
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading revisions as of an instant"))?;
        let mut out = Vec::new();
        for r in &rows {
            let p = decode_snapshot(r.get::<&str, _>(0), r.get(1), r.get::<&str, _>(2), parse_time(r.get::<&str, _>(3))?)?;
            if !f.matches_props(&p.id, &p.props) || !f.matches_islands(&p.islands) {
                continue;
            }
            let expr = f.expression();
            if f.bbox.is_some() || expr.is_some() {
                let Some(g) = p.geo() else { return Err(StoreError::Corrupt { key: format!("revision {} v{}", p.id, p.version), reason: "geometry".into() }) };
                if f.bbox.is_some_and(|b| !b.intersects(g)) {
                    continue;
                }
                if expr.as_ref().is_some_and(|e| !e.matches(&p.id, &p.props, Some(g))) {
                    continue;
                }
            }
            out.push(p);
        }
        Ok(out)
    }

    /// Whether a continuation page (`after`) of a box this large is cheaper walked in id order
    /// with an R*Tree lookup per row than from the box's rid set: the set is rebuilt for every
    /// page, which for a box holding much of the district costs the whole table per page (23 s
    /// for a 100,000-project district), while for a town-sized box walking the id index meets
    /// mostly rows outside it (4× slower than the set at 100,000). The share of the region's area
    /// stands in for the share of projects. A read of named ids (a streamed page, see
    /// [`super::Store::candidate_ids`]) looks up only those rows, whatever the box.
    fn walk_ids(&self, f: &ProjectFilter) -> bool {
        let area = |[x0, y0, x1, y1]: [f64; 4]| (x1 - x0).max(0.0) * (y1 - y0).max(0.0);
        !f.ids.is_empty() || f.after.is_some() && f.bbox.is_some_and(|b| area(b.to_array()) >= WALK_IDS_SHARE * area(self.region.to_array()))
    }

    /// `select {columns} from project` with `f`'s conditions (its bbox through the R*Tree,
    /// boxes only: the exact test is the caller's), unordered.
    pub(super) fn candidates_sql(&self, columns: &str, f: &ProjectFilter) -> QueryBuilder<'static, Sqlite> {
        let mut qb = QueryBuilder::new(format!("select {columns}"));
        self.push_candidates(&mut qb, f);
        qb
    }

    /// ` from project where …`: [`Self::candidates_sql`] after its column list.
    fn push_candidates(&self, qb: &mut QueryBuilder<'static, Sqlite>, f: &ProjectFilter) {
        let walk_ids = self.walk_ids(f);
        qb.push(" from project where 1 = 1");
        if let Some(b) = f.bbox {
            let [min_x, min_y, max_x, max_y] = b.to_array();
            if walk_ids {
                qb.push(" and exists (select 1 from project_rtree r where r.rid = project.rid and r.max_x >= ").push_bind(min_x);
            } else {
                qb.push(" and rid in (select rid from project_rtree where max_x >= ").push_bind(min_x);
            }
            qb.push(" and min_x <= ").push_bind(max_x).push(" and max_y >= ").push_bind(min_y).push(" and min_y <= ").push_bind(max_y).push(")");
        }
        push_conditions(qb, f, "instr", ISLANDS);
    }

    pub(super) async fn list_filtered(&self, filter: &ProjectFilter, page: Page) -> StoreResult<Vec<Project>> {
        if let Some(at) = filter.as_of {
            let it = self.all_as_of(filter, at).await?.into_iter().skip(page.offset as usize);
            return Ok(match page.limit {
                Some(l) => it.take(l as usize).collect(),
                None => it.collect(),
            });
        }
        let mut out = Vec::new();
        self.scan(filter, page, |p| out.push(p)).await?;
        Ok(out)
    }

    /// Hands `visit` the live projects `filter` selects within `page`, in id order (not as of an
    /// instant). bbox and CQL2/datetime conditions are decided exactly here, after SQL's
    /// prefilter (R*Tree boxes); so pages are cut here too: candidates are read in id order a
    /// chunk at a time until the page is full, and a streamed read (`after` + a limit) costs
    /// about one page of rows, not the rest of the table.
    async fn scan(&self, filter: &ProjectFilter, page: Page, mut visit: impl FnMut(Project)) -> StoreResult<()> {
        let expr = filter.expression();
        let exact = filter.bbox.is_some() || expr.is_some();
        if let (false, Some(limit)) = (exact, page.limit) {
            // Without exact tests SQL does all the filtering, so it also pages.
            self.read_rows(filter, limit, page.offset, &mut |p| {
                visit(p);
                Ok(())
            })
            .await?;
            return Ok(());
        }
        let (mut skip, mut left) = (page.offset, page.limit.unwrap_or(u64::MAX));
        let mut chunk = page.limit.map_or(READ_CHUNK, |l| l.saturating_add(page.offset).clamp(1, READ_CHUNK));
        let mut f = filter.clone();
        while left > 0 {
            let mut sink = |p: Project| {
                if exact {
                    let Some(g) = p.geo() else { return Err(StoreError::Corrupt { key: format!("project {}", p.id), reason: "geometry".into() }) };
                    // The R*Tree found boxes that overlap; keep only geometries that really intersect.
                    if filter.bbox.is_some_and(|b| !b.intersects(g)) || expr.as_ref().is_some_and(|e| !e.matches(&p.id, &p.props, Some(g))) {
                        return Ok(());
                    }
                }
                if skip > 0 {
                    skip -= 1;
                } else if left > 0 {
                    left -= 1;
                    visit(p);
                }
                Ok(())
            };
            let (read, last) = self.read_rows(&f, chunk, 0, &mut sink).await?;
            if read < chunk {
                break;
            }
            f.after = last;
            // A CQL2 filter SQL cannot apply may keep few of them.
            chunk = chunk.saturating_mul(2).min(READ_CHUNK);
        }
        Ok(())
    }

    /// Reads up to `limit` candidates of `f` after `offset` as one text split here, and hands
    /// them to `sink` in id order; returns how many were read and the last id read. One text
    /// because rows cross from SQLite's thread one message each, and for a page that hand-off
    /// cost more than reading it (perf, 100,000 projects, 8-km boxes at 16 clients: a fifth of
    /// the time in thread wake-ups). Fields are split on ASCII unit and record separators, which
    /// stored JSON text cannot hold unescaped.
    async fn read_rows(
        &self,
        f: &ProjectFilter,
        limit: u64,
        offset: u64,
        sink: &mut impl FnMut(Project) -> StoreResult<()>,
    ) -> StoreResult<(u64, Option<ProjectId>)> {
        let mut qb = QueryBuilder::new(format!(
            "select count(*), group_concat(id || char(31) || version || char(31) || props || char(31) || islands || char(31) || geometry_json || char(31) || updated_at, char(30)) from (select {ROW}"
        ));
        self.push_candidates(&mut qb, f);
        qb.push(" order by id limit ").push_bind(i64::try_from(limit).unwrap_or(i64::MAX)).push(" offset ").push_bind(offset as i64).push(")");
        let (rows, text): (i64, Option<String>) = qb.build_query_as().fetch_one(&self.pool).await.map_err(db("listing projects"))?;
        let mut read = Vec::with_capacity(rows as usize);
        for record in text.as_deref().unwrap_or_default().split('\x1e').filter(|r| !r.is_empty()) {
            let corrupt = || StoreError::Corrupt { key: format!("project row {}", record.split('\x1f').next().unwrap_or_default()), reason: "fields".into() };
            let mut field = record.split('\x1f');
            let mut next = || field.next().ok_or_else(corrupt);
            let (id, version, props, islands, geometry, updated_at) = (next()?, next()?, next()?, next()?, next()?, next()?);
            let version = version.parse().map_err(|_| corrupt())?;
            read.push(super::sql::decode(id.to_owned(), version, props, islands, geometry.to_owned(), parse_time(updated_at)?)?);
        }
        if read.len() as i64 != rows {
            // A NULL column drops its row from the text.
            return Err(StoreError::Corrupt { key: "projects".into(), reason: format!("{rows} rows read as {}", read.len()) });
        }
        // group_concat's order is not promised; the rows are the first `limit` by id all the same.
        read.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        let last = read.last().map(|p| p.id.clone());
        let n = read.len() as u64;
        for p in read {
            sink(p)?;
        }
        Ok((n, last))
    }

    pub(super) async fn candidate_ids_filtered(&self, filter: &ProjectFilter, cap: usize) -> StoreResult<Option<Vec<ProjectId>>> {
        if filter.as_of.is_some() {
            // Revisions are read whole per list anyway; there is no cheaper id list to offer.
            return Ok(None);
        }
        // One text, not a row per id: rows cross from SQLite's thread one at a time (see
        // `tiles_sqlite`). SQLite compares text bytewise, as `str` does, so sorting here keeps
        // its id order.
        let mut qb = QueryBuilder::new("select group_concat(id, char(10)) from (select id");
        self.push_candidates(&mut qb, filter);
        qb.push(" order by id limit ").push_bind(cap as i64 + 1).push(")");
        let text: Option<String> = qb.build_query_scalar().fetch_one(&self.pool).await.map_err(db("listing project ids"))?;
        let mut ids: Vec<String> = text.as_deref().unwrap_or_default().split('\n').filter(|id| !id.is_empty()).map(str::to_owned).collect();
        ids.sort_unstable();
        ids_within(ids, cap)
    }

    /// The box from the R*Tree (no geometry is parsed); the dates from the stored props.
    pub(super) async fn extent_of_live(&self) -> StoreResult<super::Extent> {
        let r = sqlx::query(
            "select (select count(*) from project),
                    (select min(min_x) from project_rtree), (select min(min_y) from project_rtree),
                    (select max(max_x) from project_rtree), (select max(max_y) from project_rtree),
                    min(s), max(case when s is not null then e end), coalesce(max(s is not null and e is null), 0)
             from (select json_extract(props, '$.start_date') as s,
                          coalesce(json_extract(props, '$.actual_completion'), json_extract(props, '$.planned_completion')) as e
                   from project)",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db("computing the extent"))?;
        super::Extent::from_parts(r.get(0), [r.get(1), r.get(2), r.get(3), r.get(4)], r.get(5), r.get(6), r.get::<i64, _>(7) != 0)
    }

    pub(super) async fn count_filtered(&self, filter: &ProjectFilter) -> StoreResult<u64> {
        if let Some(at) = filter.as_of {
            return Ok(self.all_as_of(filter, at).await?.len() as u64);
        }
        if filter.bbox.is_some() || filter.cql.is_some() || filter.datetime.is_some() {
            let mut n = 0;
            self.scan(filter, Page::ALL, |_| n += 1).await?;
            return Ok(n);
        }
        let mut qb = QueryBuilder::<Sqlite>::new("select count(*) from project where 1 = 1");
        push_conditions(&mut qb, filter, "instr", ISLANDS);
        let n: i64 = qb.build_query_scalar().fetch_one(&self.pool).await.map_err(db("counting projects"))?;
        Ok(n as u64)
    }
}

#[cfg(test)]
mod tests {
    /// The repository's build of SQLite (`.cargo/config.toml`) has per-connection page caches
    /// and no memory statistics: a build without them is a sixth slower under load.
    #[tokio::test]
    async fn sqlite_is_built_without_global_locks() {
        let store = super::SqliteStore::open("sqlite::memory:", crate::geometry::Region::default()).await.expect("an in-memory store opens");
        let options: Vec<String> = sqlx::query_scalar("pragma compile_options").fetch_all(&store.pool).await.expect("compile options");
        assert!(options.iter().any(|o| o == "THREADSAFE=1"), "{options:?}");
        assert_eq!(super::slow_build(&options), None, "{options:?}");
        assert_eq!(super::slow_build(&["ENABLE_MEMORY_MANAGEMENT".into(), "DEFAULT_MEMSTATUS=0".into()]), Some("ENABLE_MEMORY_MANAGEMENT"));
        assert_eq!(super::slow_build(&["THREADSAFE=1".into()]), Some("memory statistics"));
    }
}
