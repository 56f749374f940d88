//! `SqliteStore`: the embedded default. One file, WAL, an R*Tree for bbox candidates and `geo`
//! for the exact spatial test.
//!
//! Writes open with `BEGIN IMMEDIATE` so a writer takes the lock before reading; a deferred
//! transaction that reads then writes can fail with SQLITE_BUSY no matter the busy timeout.

use super::sql::{batch_step, decode, decode_snapshot, props_json, push_conditions, BatchStep};
use super::{db, Backend, BatchAction, BatchMode, BatchOutcome, Census, Revision, RevisionMeta, Store, StoreError, StoreResult};
use crate::geometry::Region;
use crate::project::{NewProject, Page, Project, ProjectFilter, ProjectId, Version};
use crate::time::{now_micros, rfc3339};
use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

/// The embedded store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pub(super) pool: SqlitePool,
}

const COLUMNS: &str = "select id, version, props, islands, geometry, updated_at from project";

pub(super) fn parse_time(s: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).map_err(|e| StoreError::Corrupt { key: format!("time {s}"), reason: e.to_string() })
}

fn row_to_project(r: &sqlx::sqlite::SqliteRow) -> StoreResult<Project> {
    let t: String = r.get(5);
    decode(r.get(0), r.get(1), r.get::<&str, _>(2), r.get::<&str, _>(3), r.get(4), parse_time(&t)?)
}

impl SqliteStore {
    /// Opens (creating the file and its folder when missing) and migrates.
    pub async fn open(url: &str, _region: Region) -> StoreResult<SqliteStore> {
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
        Ok(SqliteStore { pool })
    }

    async fn current(conn: &mut SqliteConnection, id: &ProjectId) -> StoreResult<Option<Project>> {
        let row = sqlx::query(&format!("{COLUMNS} where id = ?")).bind(id.as_str()).fetch_optional(&mut *conn).await.map_err(db("reading a project"))?;
        row.as_ref().map(row_to_project).transpose()
    }

    async fn next_version(conn: &mut SqliteConnection, id: &ProjectId) -> StoreResult<i64> {
        let v: Option<i64> = sqlx::query_scalar("select max(version) from project_revision where project_id = ?")
            .bind(id.as_str())
            .fetch_one(&mut *conn)
            .await
            .map_err(db("reading the last revision"))?;
        Ok(v.unwrap_or(0) + 1)
    }

    async fn insert(conn: &mut SqliteConnection, new: &NewProject, version: i64, now: &str) -> StoreResult<i64> {
        let p = &new.props;
        let rid: i64 = sqlx::query_scalar(
            "insert into project (id, version, name_zh, name_en, action, task, kind, status, town, synthetic, props, islands, geometry, updated_at)
             values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning rid",
        )
        .bind(new.id.as_str())
        .bind(version)
        .bind(&p.name_zh)
        .bind(&p.name_en)
        .bind(p.action.map(|a| i64::from(a.get())))
        .bind(p.task.map(|t| i64::from(t.get())))
        .bind(p.kind.as_str())
        .bind(p.status.map(|s| s.as_str()))
        .bind(p.town.as_ref().map(|t| t.as_str()))
        .bind(p.synthetic)
        .bind(props_json(p))
        .bind(serde_json::to_string(&new.islands).unwrap_or_else(|_| "[]".into()))
        .bind(new.geometry.to_geojson_string())
        .bind(now)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::AlreadyExists(new.id.clone()),
            _ => StoreError::Database { action: "inserting a project", source: e },
        })?;
        Self::index(conn, rid, new).await?;
        Ok(rid)
    }

    async fn index(conn: &mut SqliteConnection, rid: i64, new: &NewProject) -> StoreResult<()> {
        let [min_x, min_y, max_x, max_y] = new.geometry.bbox().to_array();
        sqlx::query("insert or replace into project_rtree (rid, min_x, max_x, min_y, max_y) values (?, ?, ?, ?, ?)")
            .bind(rid)
            .bind(min_x)
            .bind(max_x)
            .bind(min_y)
            .bind(max_y)
            .execute(&mut *conn)
            .await
            .map_err(db("indexing a geometry"))?;
        Ok(())
    }

    /// CAS update; `Ok(None)` when the version did not match.
    async fn update(conn: &mut SqliteConnection, expected: Version, new: &NewProject, now: &str) -> StoreResult<Option<i64>> {
        let p = &new.props;
        let rid: Option<i64> = sqlx::query_scalar(
            "update project set version = version + 1, name_zh = ?, name_en = ?, action = ?, task = ?, kind = ?, status = ?, town = ?,
                 synthetic = ?, props = ?, islands = ?, geometry = ?, updated_at = ?
             where id = ? and version = ? returning rid",
        )
        .bind(&p.name_zh)
        .bind(&p.name_en)
        .bind(p.action.map(|a| i64::from(a.get())))
        .bind(p.task.map(|t| i64::from(t.get())))
        .bind(p.kind.as_str())
        .bind(p.status.map(|s| s.as_str()))
        .bind(p.town.as_ref().map(|t| t.as_str()))
        .bind(p.synthetic)
        .bind(props_json(p))
        .bind(serde_json::to_string(&new.islands).unwrap_or_else(|_| "[]".into()))
        .bind(new.geometry.to_geojson_string())
        .bind(now)
        .bind(new.id.as_str())
        .bind(expected.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db("updating a project"))?;
        if let Some(rid) = rid {
            Self::index(conn, rid, new).await?;
        }
        Ok(rid)
    }

    async fn revise(conn: &mut SqliteConnection, p: &Project, meta: &RevisionMeta, action: &'static str, version: i64, now: &str) -> StoreResult<()> {
        let archived = action == "archive";
        sqlx::query("insert into project_revision (project_id, version, author, comment, created_at, archived, feature) values (?, ?, ?, ?, ?, ?, ?)")
            .bind(p.id.as_str())
            .bind(version)
            .bind(&meta.author)
            .bind(&meta.comment)
            .bind(now)
            .bind(archived)
            .bind(p.to_feature().to_string())
            .execute(&mut *conn)
            .await
            .map_err(db("appending a revision"))?;
        // Same transaction as the write: the audit log cannot miss an accepted write.
        sqlx::query("insert into audit_log (at, actor, action, target, address, detail) values (?, ?, ?, ?, ?, ?)")
            .bind(now)
            .bind(&meta.author)
            .bind(meta.action.unwrap_or(action))
            .bind(p.id.as_str())
            .bind(&meta.address)
            .bind(format!("version {version}"))
            .execute(&mut *conn)
            .await
            .map_err(db("writing the audit log"))?;
        Ok(())
    }

    async fn mismatch_or_missing(conn: &mut SqliteConnection, id: &ProjectId, expected: Version) -> StoreError {
        match sqlx::query_scalar::<_, i64>("select version from project where id = ?").bind(id.as_str()).fetch_optional(&mut *conn).await {
            Ok(Some(current)) => StoreError::VersionMismatch { id: id.clone(), expected, current: Version(current) },
            Ok(None) => StoreError::NotFound(id.clone()),
            Err(e) => StoreError::Database { action: "reading a version", source: e },
        }
    }

    async fn create_in(conn: &mut SqliteConnection, new: &NewProject, meta: &RevisionMeta, now: &str) -> StoreResult<Project> {
        let version = Self::next_version(conn, &new.id).await?;
        Self::insert(conn, new, version, now).await?;
        let p = Self::current(conn, &new.id).await?.ok_or_else(|| StoreError::NotFound(new.id.clone()))?;
        Self::revise(conn, &p, meta, "create", version, now).await?;
        Ok(p)
    }

    async fn replace_in(conn: &mut SqliteConnection, expected: Version, new: &NewProject, meta: &RevisionMeta, now: &str) -> StoreResult<Project> {
        if Self::update(conn, expected, new, now).await?.is_none() {
            return Err(Self::mismatch_or_missing(conn, &new.id, expected).await);
        }
        let p = Self::current(conn, &new.id).await?.ok_or_else(|| StoreError::NotFound(new.id.clone()))?;
        Self::revise(conn, &p, meta, "replace", p.version.0, now).await?;
        Ok(p)
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
            if !f.matches_props(&p.id, &p.props) {
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

    fn candidates_sql(f: &ProjectFilter) -> QueryBuilder<'static, Sqlite> {
        let mut qb = QueryBuilder::new(COLUMNS);
        qb.push(" where 1 = 1");
        if let Some(b) = f.bbox {
            let [min_x, min_y, max_x, max_y] = b.to_array();
            qb.push(" and rid in (select rid from project_rtree where max_x >= ").push_bind(min_x);
            qb.push(" and min_x <= ").push_bind(max_x).push(" and max_y >= ").push_bind(min_y).push(" and min_y <= ").push_bind(max_y).push(")");
        }
        push_conditions(&mut qb, f, "instr");
        qb.push(" order by id");
        qb
    }
}

#[async_trait::async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("select 1").execute(&self.pool).await.map_err(db("pinging"))?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn list(&self, filter: &ProjectFilter, page: Page) -> StoreResult<Vec<Project>> {
        if let Some(at) = filter.as_of {
            let it = self.all_as_of(filter, at).await?.into_iter().skip(page.offset as usize);
            return Ok(match page.limit {
                Some(l) => it.take(l as usize).collect(),
                None => it.collect(),
            });
        }
        let mut qb = Self::candidates_sql(filter);
        // bbox and CQL2/datetime conditions are decided exactly in Rust after the SQL prefilter.
        let expr = filter.expression();
        let exact = filter.bbox.is_some() || expr.is_some();
        if !exact {
            // Without them SQL does all the filtering, so it can also do the paging.
            qb.push(" limit ").push_bind(page.limit.map_or(-1, |l| l as i64)).push(" offset ").push_bind(page.offset as i64);
        }
        let rows = qb.build().fetch_all(&self.pool).await.map_err(db("listing projects"))?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let p = row_to_project(r)?;
            if exact {
                let Some(g) = p.geo() else { return Err(StoreError::Corrupt { key: format!("project {}", p.id), reason: "geometry".into() }) };
                // The R*Tree found boxes that overlap; keep only geometries that really intersect.
                if filter.bbox.is_some_and(|b| !b.intersects(g)) {
                    continue;
                }
                if expr.as_ref().is_some_and(|e| !e.matches(&p.id, &p.props, Some(g))) {
                    continue;
                }
            }
            out.push(p);
        }
        if exact {
            let it = out.into_iter().skip(page.offset as usize);
            out = match page.limit {
                Some(l) => it.take(l as usize).collect(),
                None => it.collect(),
            };
        }
        Ok(out)
    }

    async fn count(&self, filter: &ProjectFilter) -> StoreResult<u64> {
        if let Some(at) = filter.as_of {
            return Ok(self.all_as_of(filter, at).await?.len() as u64);
        }
        if filter.bbox.is_some() || filter.cql.is_some() || filter.datetime.is_some() {
            return Ok(self.list(filter, Page::ALL).await?.len() as u64);
        }
        let mut qb = QueryBuilder::<Sqlite>::new("select count(*) from project where 1 = 1");
        push_conditions(&mut qb, filter, "instr");
        let n: i64 = qb.build_query_scalar().fetch_one(&self.pool).await.map_err(db("counting projects"))?;
        Ok(n as u64)
    }

    async fn get(&self, id: &ProjectId) -> StoreResult<Project> {
        let mut conn = self.pool.acquire().await.map_err(db("connecting"))?;
        Self::current(&mut conn, id).await?.ok_or_else(|| StoreError::NotFound(id.clone()))
    }

    async fn census(&self) -> StoreResult<Census> {
        let (real, synthetic): (i64, i64) = sqlx::query_as("select coalesce(sum(synthetic = 0), 0), coalesce(sum(synthetic = 1), 0) from project")
            .fetch_one(&self.pool)
            .await
            .map_err(db("counting projects"))?;
        Ok(Census { real: real as u64, synthetic: synthetic as u64 })
    }

    async fn history(&self, id: &ProjectId) -> StoreResult<Vec<Revision>> {
        let rows = sqlx::query("select version, author, comment, created_at, archived, feature from project_revision where project_id = ? order by version")
            .bind(id.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(db("reading history"))?;
        if rows.is_empty() {
            return Err(StoreError::NotFound(id.clone()));
        }
        rows.iter()
            .map(|r| {
                let feature: String = r.get(5);
                Ok(Revision {
                    project_id: id.clone(),
                    version: Version(r.get(0)),
                    author: r.get(1),
                    comment: r.get(2),
                    created_at: parse_time(r.get::<&str, _>(3))?,
                    archived: r.get(4),
                    feature: serde_json::from_str(&feature).map_err(|e| StoreError::Corrupt { key: format!("revision of {id}"), reason: e.to_string() })?,
                })
            })
            .collect()
    }

    async fn archived(&self) -> StoreResult<Vec<Revision>> {
        // The last revision of each project, when that revision archived it.
        let rows = sqlx::query(
            "select r.project_id, r.version, r.author, r.comment, r.created_at, r.archived, feature from project_revision r \
             where r.archived = 1 and r.version = (select max(x.version) from project_revision x where x.project_id = r.project_id) \
             and not exists (select 1 from project p where p.id = r.project_id) \
             order by r.created_at desc, r.project_id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading archived projects"))?;
        rows.iter()
            .map(|r| {
                let id: String = r.get(0);
                let feature: String = r.get(6);
                Ok(Revision {
                    project_id: ProjectId::parse(&id).map_err(|e| StoreError::Corrupt { key: format!("revision of {id}"), reason: e.to_string() })?,
                    version: Version(r.get(1)),
                    author: r.get(2),
                    comment: r.get(3),
                    created_at: parse_time(r.get::<&str, _>(4))?,
                    archived: r.get(5),
                    feature: serde_json::from_str(&feature).map_err(|e| StoreError::Corrupt { key: format!("revision of {id}"), reason: e.to_string() })?,
                })
            })
            .collect()
    }

    #[tracing::instrument(skip_all, fields(project.id = %new.id))]
    async fn create(&self, new: &NewProject, meta: &RevisionMeta) -> StoreResult<Project> {
        let mut tx = self.pool.begin_with("begin immediate").await.map_err(db("starting a write"))?;
        let p = Self::create_in(&mut tx, new, meta, &rfc3339(now_micros())).await?;
        tx.commit().await.map_err(db("committing a create"))?;
        Ok(p)
    }

    #[tracing::instrument(skip_all, fields(project.id = %new.id))]
    async fn replace(&self, expected: Version, new: &NewProject, meta: &RevisionMeta) -> StoreResult<Project> {
        let mut tx = self.pool.begin_with("begin immediate").await.map_err(db("starting a write"))?;
        let p = Self::replace_in(&mut tx, expected, new, meta, &rfc3339(now_micros())).await?;
        tx.commit().await.map_err(db("committing a replace"))?;
        Ok(p)
    }

    #[tracing::instrument(skip_all, fields(project.id = %id))]
    async fn archive(&self, id: &ProjectId, expected: Version, meta: &RevisionMeta) -> StoreResult<Version> {
        let mut tx = self.pool.begin_with("begin immediate").await.map_err(db("starting a write"))?;
        let Some(p) = Self::current(&mut tx, id).await? else { return Err(StoreError::NotFound(id.clone())) };
        if p.version != expected {
            return Err(StoreError::VersionMismatch { id: id.clone(), expected, current: p.version });
        }
        let rid: i64 =
            sqlx::query_scalar("delete from project where id = ? returning rid").bind(id.as_str()).fetch_one(&mut *tx).await.map_err(db("archiving"))?;
        sqlx::query("delete from project_rtree where rid = ?").bind(rid).execute(&mut *tx).await.map_err(db("archiving"))?;
        let version = p.version.0 + 1;
        Self::revise(&mut tx, &p, meta, "archive", version, &rfc3339(now_micros())).await?;
        tx.commit().await.map_err(db("committing an archive"))?;
        Ok(Version(version))
    }

    async fn apply_batch(&self, items: &[NewProject], mode: BatchMode, meta: &RevisionMeta) -> StoreResult<BatchOutcome> {
        let mut tx = self.pool.begin_with("begin immediate").await.map_err(db("starting a batch"))?;
        let now = rfc3339(now_micros());
        let mut out = Vec::with_capacity(items.len());
        for new in items {
            let current = Self::current(&mut tx, &new.id).await?;
            let action = match batch_step(current.as_ref(), new, mode)? {
                BatchStep::Create => {
                    Self::create_in(&mut tx, new, meta, &now).await?;
                    BatchAction::Created
                }
                BatchStep::Replace(version) => {
                    Self::replace_in(&mut tx, version, new, meta, &now).await?;
                    BatchAction::Updated
                }
                BatchStep::Unchanged => BatchAction::Unchanged,
            };
            out.push((new.id.clone(), action));
        }
        tx.commit().await.map_err(db("committing a batch"))?;
        Ok(BatchOutcome { items: out })
    }
}
