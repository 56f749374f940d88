//! `PostgisStore`: production. Geometry in `geometry(Geometry, 4326)` with a GIST index; the
//! bbox test is `&&` plus `ST_Intersects` in SQL. Several planmap instances may share one
//! database: every write is a compare-and-swap inside a transaction, nothing is cached here.

use super::sql::{batch_step, decode, decode_snapshot, props_json, push_conditions, BatchStep};
use super::{db, Backend, BatchAction, BatchMode, BatchOutcome, Census, Revision, RevisionMeta, Store, StoreError, StoreResult};
use crate::geometry::Region;
use crate::project::{NewProject, Page, Project, ProjectFilter, ProjectId, Version};
use crate::time::now_micros;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnection, PgPool, PgPoolOptions};
use sqlx::{Postgres, QueryBuilder, Row};
use std::time::Duration;

/// The PostGIS store.
#[derive(Debug, Clone)]
pub struct PostgisStore {
    pub(super) pool: PgPool,
}

const COLUMNS: &str = "select id, version, props::text, islands::text, geometry_json, updated_at from project";
/// What an as-of read selects from the revision CTE (see `filtered`).
const AS_OF_COLUMNS: &str = "select id, version, feature::text, created_at from project";

fn row_to_project(r: &sqlx::postgres::PgRow) -> StoreResult<Project> {
    decode(r.get(0), r.get(1), r.get::<&str, _>(2), r.get::<&str, _>(3), r.get(4), r.get(5))
}

impl PostgisStore {
    /// Connects and migrates (creating the PostGIS extension when the role may).
    pub async fn open(url: &str, _region: Region) -> StoreResult<PostgisStore> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(|e| StoreError::Open(format!("cannot connect to PostgreSQL: {e}")))?;
        sqlx::migrate!("migrations/postgis").run(&pool).await.map_err(|e| {
            StoreError::Open(format!(
                "migrating the PostGIS schema failed ({e}); is PostGIS installed (Debian: postgresql-15-postgis-3) and may this role create extensions?"
            ))
        })?;
        Ok(PostgisStore { pool })
    }

    async fn current(conn: &mut PgConnection, id: &ProjectId) -> StoreResult<Option<Project>> {
        let row = sqlx::query(&format!("{COLUMNS} where id = $1")).bind(id.as_str()).fetch_optional(&mut *conn).await.map_err(db("reading a project"))?;
        row.as_ref().map(row_to_project).transpose()
    }

    async fn insert(conn: &mut PgConnection, new: &NewProject, version: i64, now: DateTime<Utc>) -> StoreResult<()> {
        let p = &new.props;
        let geometry = new.geometry.to_geojson_string();
        sqlx::query(
            "insert into project (id, version, name_zh, name_en, action, task, kind, status, town, synthetic,
                 investment_total, investment_completed, props, islands, geometry_json, geom, updated_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14::jsonb, $15, st_setsrid(st_geomfromgeojson($15), 4326), $16)",
        )
        .bind(new.id.as_str())
        .bind(version)
        .bind(&p.name_zh)
        .bind(&p.name_en)
        .bind(p.action.map(|a| i32::from(a.get())))
        .bind(p.task.map(|t| i32::from(t.get())))
        .bind(p.kind.as_str())
        .bind(p.status.map(|s| s.as_str()))
        .bind(p.town.as_ref().map(|t| t.as_str()))
        .bind(p.synthetic)
        .bind(p.investment_total.map(|w| w.get()))
        .bind(p.investment_completed.map(|w| w.get()))
        .bind(props_json(p))
        .bind(serde_json::to_string(&new.islands).unwrap_or_else(|_| "[]".into()))
        .bind(&geometry)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::AlreadyExists(new.id.clone()),
            _ => StoreError::Database { action: "inserting a project", source: e },
        })?;
        Ok(())
    }

    async fn update(conn: &mut PgConnection, expected: Version, new: &NewProject, now: DateTime<Utc>) -> StoreResult<bool> {
        let p = &new.props;
        let geometry = new.geometry.to_geojson_string();
        let done = sqlx::query(
            "update project set version = version + 1, name_zh = $3, name_en = $4, action = $5, task = $6, kind = $7, status = $8,
                 town = $9, synthetic = $10, investment_total = $11, investment_completed = $12, props = $13::jsonb,
                 islands = $14::jsonb, geometry_json = $15, geom = st_setsrid(st_geomfromgeojson($15), 4326), updated_at = $16
             where id = $1 and version = $2",
        )
        .bind(new.id.as_str())
        .bind(expected.0)
        .bind(&p.name_zh)
        .bind(&p.name_en)
        .bind(p.action.map(|a| i32::from(a.get())))
        .bind(p.task.map(|t| i32::from(t.get())))
        .bind(p.kind.as_str())
        .bind(p.status.map(|s| s.as_str()))
        .bind(p.town.as_ref().map(|t| t.as_str()))
        .bind(p.synthetic)
        .bind(p.investment_total.map(|w| w.get()))
        .bind(p.investment_completed.map(|w| w.get()))
        .bind(props_json(p))
        .bind(serde_json::to_string(&new.islands).unwrap_or_else(|_| "[]".into()))
        .bind(&geometry)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(db("updating a project"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn revise(conn: &mut PgConnection, p: &Project, meta: &RevisionMeta, action: &'static str, version: i64, now: DateTime<Utc>) -> StoreResult<()> {
        let archived = action == "archive";
        sqlx::query(
            "insert into project_revision (project_id, version, author, comment, created_at, archived, feature) values ($1, $2, $3, $4, $5, $6, $7::jsonb)",
        )
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
        sqlx::query("insert into audit_log (at, actor, action, target, address, detail) values ($1, $2, $3, $4, $5, $6)")
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

    async fn create_in(conn: &mut PgConnection, new: &NewProject, meta: &RevisionMeta, now: DateTime<Utc>) -> StoreResult<Project> {
        // Two creators of one id may both read the same last revision number; the unique key on
        // `project.id` makes the second wait for the first and then fail as AlreadyExists. (No
        // advisory lock per id: a batch of 100k creates would hold 100k locks and exhaust
        // max_locks_per_transaction.)
        let last: Option<i64> = sqlx::query_scalar("select max(version) from project_revision where project_id = $1")
            .bind(new.id.as_str())
            .fetch_one(&mut *conn)
            .await
            .map_err(db("reading the last revision"))?;
        let version = last.unwrap_or(0) + 1;
        Self::insert(conn, new, version, now).await?;
        let p = Self::current(conn, &new.id).await?.ok_or_else(|| StoreError::NotFound(new.id.clone()))?;
        Self::revise(conn, &p, meta, "create", version, now).await?;
        Ok(p)
    }

    async fn replace_in(conn: &mut PgConnection, expected: Version, new: &NewProject, meta: &RevisionMeta, now: DateTime<Utc>) -> StoreResult<Project> {
        if !Self::update(conn, expected, new, now).await? {
            let current: Option<i64> = sqlx::query_scalar("select version from project where id = $1")
                .bind(new.id.as_str())
                .fetch_optional(&mut *conn)
                .await
                .map_err(db("reading a version"))?;
            return Err(match current {
                Some(c) => StoreError::VersionMismatch { id: new.id.clone(), expected, current: Version(c) },
                None => StoreError::NotFound(new.id.clone()),
            });
        }
        let p = Self::current(conn, &new.id).await?.ok_or_else(|| StoreError::NotFound(new.id.clone()))?;
        Self::revise(conn, &p, meta, "replace", p.version.0, now).await?;
        Ok(p)
    }

    fn filtered(select: &str, f: &ProjectFilter) -> QueryBuilder<'static, Postgres> {
        let mut qb = QueryBuilder::new("");
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
                          (r.feature->'properties'->>'investment_total')::numeric as investment_total,
                          (r.feature->'properties'->>'investment_completed')::numeric as investment_completed,
                          coalesce((r.feature->'properties'->>'synthetic')::boolean, false) as synthetic,
                          st_setsrid(st_geomfromgeojson(r.feature->'geometry'), 4326) as geom
                   from (select distinct on (project_id) * from project_revision where created_at <= ",
            )
            .push_bind(at)
            .push(" order by project_id, version desc) r where not r.archived) ");
        }
        qb.push(select);
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
            envelope(&mut qb);
            qb.push(" and st_intersects(geom, ");
            envelope(&mut qb);
            qb.push(")");
        }
        push_conditions(&mut qb, f, "strpos");
        if let Some(e) = f.expression() {
            qb.push(" and ");
            super::cql2_sql::push_expr(&mut qb, &e);
        }
        qb
    }
}

#[async_trait::async_trait]
impl Store for PostgisStore {
    fn backend(&self) -> Backend {
        Backend::Postgis
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("select 1").execute(&self.pool).await.map_err(db("pinging"))?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn list(&self, filter: &ProjectFilter, page: Page) -> StoreResult<Vec<Project>> {
        let select = if filter.as_of.is_some() { AS_OF_COLUMNS } else { COLUMNS };
        let mut qb = Self::filtered(select, filter);
        qb.push(" order by id");
        if let Some(l) = page.limit {
            qb.push(" limit ").push_bind(l as i64);
        }
        qb.push(" offset ").push_bind(page.offset as i64);
        let rows = qb.build().fetch_all(&self.pool).await.map_err(db("listing projects"))?;
        if filter.as_of.is_some() {
            return rows.iter().map(|r| decode_snapshot(r.get::<&str, _>(0), r.get(1), r.get::<&str, _>(2), r.get(3))).collect();
        }
        rows.iter().map(row_to_project).collect()
    }

    async fn count(&self, filter: &ProjectFilter) -> StoreResult<u64> {
        let mut qb = Self::filtered("select count(*) from project", filter);
        let n: i64 = qb.build_query_scalar().fetch_one(&self.pool).await.map_err(db("counting projects"))?;
        Ok(n as u64)
    }

    async fn get(&self, id: &ProjectId) -> StoreResult<Project> {
        let mut conn = self.pool.acquire().await.map_err(db("connecting"))?;
        Self::current(&mut conn, id).await?.ok_or_else(|| StoreError::NotFound(id.clone()))
    }

    async fn census(&self) -> StoreResult<Census> {
        let (real, synthetic): (i64, i64) = sqlx::query_as("select count(*) filter (where not synthetic), count(*) filter (where synthetic) from project")
            .fetch_one(&self.pool)
            .await
            .map_err(db("counting projects"))?;
        Ok(Census { real: real as u64, synthetic: synthetic as u64 })
    }

    async fn history(&self, id: &ProjectId) -> StoreResult<Vec<Revision>> {
        let rows =
            sqlx::query("select version, author, comment, created_at, archived, feature::text from project_revision where project_id = $1 order by version")
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
                    created_at: r.get(3),
                    archived: r.get(4),
                    feature: serde_json::from_str(&feature).map_err(|e| StoreError::Corrupt { key: format!("revision of {id}"), reason: e.to_string() })?,
                })
            })
            .collect()
    }

    async fn archived(&self) -> StoreResult<Vec<Revision>> {
        // The last revision of each project, when that revision archived it.
        let rows = sqlx::query(
            "select r.project_id, r.version, r.author, r.comment, r.created_at, r.archived, feature::text from project_revision r \
             where r.archived = true and r.version = (select max(x.version) from project_revision x where x.project_id = r.project_id) \
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
                    created_at: r.get(4),
                    archived: r.get(5),
                    feature: serde_json::from_str(&feature).map_err(|e| StoreError::Corrupt { key: format!("revision of {id}"), reason: e.to_string() })?,
                })
            })
            .collect()
    }

    #[tracing::instrument(skip_all, fields(project.id = %new.id))]
    async fn create(&self, new: &NewProject, meta: &RevisionMeta) -> StoreResult<Project> {
        let mut tx = self.pool.begin().await.map_err(db("starting a write"))?;
        let p = Self::create_in(&mut tx, new, meta, now_micros()).await?;
        tx.commit().await.map_err(db("committing a create"))?;
        Ok(p)
    }

    #[tracing::instrument(skip_all, fields(project.id = %new.id))]
    async fn replace(&self, expected: Version, new: &NewProject, meta: &RevisionMeta) -> StoreResult<Project> {
        let mut tx = self.pool.begin().await.map_err(db("starting a write"))?;
        let p = Self::replace_in(&mut tx, expected, new, meta, now_micros()).await?;
        tx.commit().await.map_err(db("committing a replace"))?;
        Ok(p)
    }

    #[tracing::instrument(skip_all, fields(project.id = %id))]
    async fn archive(&self, id: &ProjectId, expected: Version, meta: &RevisionMeta) -> StoreResult<Version> {
        let mut tx = self.pool.begin().await.map_err(db("starting a write"))?;
        let row =
            sqlx::query(&format!("{COLUMNS} where id = $1 for update")).bind(id.as_str()).fetch_optional(&mut *tx).await.map_err(db("reading a project"))?;
        let Some(p) = row.as_ref().map(row_to_project).transpose()? else { return Err(StoreError::NotFound(id.clone())) };
        if p.version != expected {
            return Err(StoreError::VersionMismatch { id: id.clone(), expected, current: p.version });
        }
        sqlx::query("delete from project where id = $1").bind(id.as_str()).execute(&mut *tx).await.map_err(db("archiving"))?;
        let version = p.version.0 + 1;
        Self::revise(&mut tx, &p, meta, "archive", version, now_micros()).await?;
        tx.commit().await.map_err(db("committing an archive"))?;
        Ok(Version(version))
    }

    async fn apply_batch(&self, items: &[NewProject], mode: BatchMode, meta: &RevisionMeta) -> StoreResult<BatchOutcome> {
        let mut tx = self.pool.begin().await.map_err(db("starting a batch"))?;
        let now = now_micros();
        let mut out = Vec::with_capacity(items.len());
        for new in items {
            let current = Self::current(&mut tx, &new.id).await?;
            let action = match batch_step(current.as_ref(), new, mode)? {
                BatchStep::Create => {
                    Self::create_in(&mut tx, new, meta, now).await?;
                    BatchAction::Created
                }
                BatchStep::Replace(version) => {
                    Self::replace_in(&mut tx, version, new, meta, now).await?;
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
