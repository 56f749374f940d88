//! The project half of `Store`, written once for both stores.
//!
//! Compiled twice, as `sqlite::project` and `postgis::project` (`#[path]` in each), like
//! `auth_sql.rs`; what differs lives in the backend's `dialect` module: time and money encoding,
//! how a write transaction starts, the spatial bookkeeping after a write (R*Tree / `geom`), and
//! the filtered reads (`list`, `count`: R*Tree + `geo` / PostGIS SQL).
//!
//! [`columns`] is the one list of a project's stored columns and their values; the insert and the
//! update are both built from it. A new field that needs its own column is added there and in the
//! two migrations (a field that lives only in `props` needs no change here at all).

use super::dialect::{self as d, Conn};
use crate::project::{NewProject, Project, ProjectId, Version, Wan};
use crate::project::{Page, ProjectFilter};
use crate::store::sql::{batch_step, decode, BatchStep};
use crate::store::{db, read_twice, Backend, BatchAction, BatchMode, BatchOutcome, Census, Revision, RevisionMeta, Store, StoreError, StoreResult};
use crate::time::now_micros;
use chrono::{DateTime, Utc};
use serde_json::value::RawValue;
use sqlx::Row;

/// The columns a current read selects (`select {ROW} from project …`); [`row_to_project`] decodes them.
pub(super) const ROW: &str = d::ROW;

pub(super) fn row_to_project(r: &d::Row) -> StoreResult<Project> {
    decode(r.get(0), r.get(1), r.get::<&str, _>(2), r.get::<&str, _>(3), r.get(4), d::time_at(r, 5)?)
}

/// One stored value, typed so each backend binds it its own way (money, time).
enum Col {
    Text(Option<String>),
    Int(Option<i32>),
    Bool(bool),
    Money(Option<Wan>),
    /// `jsonb` on PostGIS, text on SQLite (sqlx's `Json` binds each).
    Json(Box<RawValue>),
    Time(DateTime<Utc>),
}

fn json<T: serde::Serialize>(v: &T) -> Col {
    let text = serde_json::to_string(v).unwrap_or_else(|_| "null".into());
    Col::Json(RawValue::from_string(text).unwrap_or_else(|_| RawValue::NULL.to_owned()))
}

/// Every column of a project row after `id` and `version`, with its value: the one bind list.
fn columns(new: &NewProject, now: DateTime<Utc>) -> Vec<(&'static str, Col)> {
    let p = &new.props;
    vec![
        ("name_zh", Col::Text(Some(p.name_zh.clone()))),
        ("name_en", Col::Text(p.name_en.clone())),
        ("action", Col::Int(p.action.map(|a| i32::from(a.get())))),
        ("task", Col::Int(p.task.map(|t| i32::from(t.get())))),
        ("kind", Col::Text(Some(p.kind.as_str().to_owned()))),
        ("status", Col::Text(p.status.map(|s| s.as_str().to_owned()))),
        ("town", Col::Text(p.town.as_ref().map(|t| t.as_str().to_owned()))),
        ("synthetic", Col::Bool(p.synthetic)),
        ("investment_total", Col::Money(p.investment_total)),
        ("investment_completed", Col::Money(p.investment_completed)),
        ("planned_completion", Col::Text(p.planned_completion.map(|d| d.to_string()))),
        ("props", json(p)),
        ("islands", json(&new.islands)),
        ("geometry_json", Col::Text(Some(new.geometry.to_geojson_string()))),
        ("updated_at", Col::Time(now)),
    ]
}

type Query<'q> = sqlx::query::Query<'q, d::Db, <d::Db as sqlx::Database>::Arguments<'q>>;

fn bind(q: Query<'_>, c: Col) -> Query<'_> {
    match c {
        Col::Text(v) => q.bind(v),
        Col::Int(v) => q.bind(v),
        Col::Bool(v) => q.bind(v),
        Col::Money(v) => q.bind(d::money(v)),
        Col::Json(v) => q.bind(sqlx::types::Json(v)),
        Col::Time(v) => q.bind(d::time(v)),
    }
}

/// `insert` (`update: false`) or compare-and-swap `update` of one project row; `$1` is the id,
/// `$2` the new version (insert) or the expected one (update), then [`columns`] in order.
/// `Ok(false)`: the update matched no row.
async fn write_row(conn: &mut Conn, new: &NewProject, version: i64, now: DateTime<Utc>, update: bool) -> StoreResult<bool> {
    let cols = columns(new, now);
    let geometry_param = 3 + cols.iter().position(|(c, _)| *c == "geometry_json").unwrap_or_default();
    let mut names: Vec<String> = cols.iter().map(|(c, _)| (*c).to_owned()).collect();
    let mut values: Vec<String> = (0..cols.len()).map(|i| format!("${}", i + 3)).collect();
    for (c, v) in d::spatial_columns(geometry_param) {
        names.push(c.to_owned());
        values.push(v);
    }
    let sql = if update {
        let set: Vec<String> = names.iter().zip(&values).map(|(c, v)| format!("{c} = {v}")).collect();
        format!("update project set version = version + 1, {} where id = $1 and version = $2", set.join(", "))
    } else {
        format!("insert into project (id, version, {}) values ($1, $2, {})", names.join(", "), values.join(", "))
    };
    let mut q = sqlx::query(&sql).bind(new.id.as_str()).bind(version);
    for (_, c) in cols {
        q = bind(q, c);
    }
    let done = q.execute(&mut *conn).await.map_err(|e| match &e {
        sqlx::Error::Database(x) if !update && x.is_unique_violation() => StoreError::AlreadyExists(new.id.clone()),
        _ => db(if update { "updating a project" } else { "inserting a project" })(e),
    })?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    d::index(conn, new).await?;
    Ok(true)
}

async fn current(conn: &mut Conn, id: &ProjectId) -> StoreResult<Option<Project>> {
    let row =
        sqlx::query(&format!("select {ROW} from project where id = $1")).bind(id.as_str()).fetch_optional(&mut *conn).await.map_err(db("reading a project"))?;
    row.as_ref().map(row_to_project).transpose()
}

/// Appends the revision and, in the same transaction, the audit line: no accepted write can be
/// missing from either.
async fn revise(conn: &mut Conn, p: &Project, meta: &RevisionMeta, action: &'static str, version: i64, now: DateTime<Utc>) -> StoreResult<()> {
    sqlx::query("insert into project_revision (project_id, version, author, comment, created_at, archived, feature) values ($1, $2, $3, $4, $5, $6, $7)")
        .bind(p.id.as_str())
        .bind(version)
        .bind(&meta.author)
        .bind(&meta.comment)
        .bind(d::time(now))
        .bind(action == "archive")
        .bind(sqlx::types::Json(p.to_feature()))
        .execute(&mut *conn)
        .await
        .map_err(db("appending a revision"))?;
    let line = crate::auth::AuditEntry {
        at: now,
        actor: meta.author.clone(),
        action: meta.action.unwrap_or(action).to_owned(),
        target: Some(p.id.to_string()),
        address: meta.address.clone(),
        detail: Some(format!("version {version}")),
    };
    super::auth::insert_audit(conn, &line).await
}

async fn mismatch_or_missing(conn: &mut Conn, id: &ProjectId, expected: Version) -> StoreError {
    match sqlx::query_scalar::<_, i64>("select version from project where id = $1").bind(id.as_str()).fetch_optional(&mut *conn).await {
        Ok(Some(current)) => StoreError::VersionMismatch { id: id.clone(), expected, current: Version(current) },
        Ok(None) => StoreError::NotFound(id.clone()),
        Err(e) => db("reading a version")(e),
    }
}

async fn create_in(conn: &mut Conn, new: &NewProject, meta: &RevisionMeta, now: DateTime<Utc>) -> StoreResult<Project> {
    // Two creators of one id may both read the same last revision number; the unique key on
    // `project.id` makes the second fail as AlreadyExists. (No lock per id: a batch of 100k
    // creates would hold 100k locks.)
    let last: Option<i64> = sqlx::query_scalar("select max(version) from project_revision where project_id = $1")
        .bind(new.id.as_str())
        .fetch_one(&mut *conn)
        .await
        .map_err(db("reading the last revision"))?;
    let version = last.unwrap_or(0) + 1;
    write_row(conn, new, version, now, false).await?;
    let p = current(conn, &new.id).await?.ok_or_else(|| StoreError::NotFound(new.id.clone()))?;
    revise(conn, &p, meta, "create", version, now).await?;
    Ok(p)
}

/// A compare-and-swap replace inside the caller's transaction (also the project write of a
/// report approval, `progress.rs`).
pub(in crate::store) async fn replace_in(
    conn: &mut Conn,
    expected: Version,
    new: &NewProject,
    meta: &RevisionMeta,
    now: DateTime<Utc>,
) -> StoreResult<Project> {
    if !write_row(conn, new, expected.0, now, true).await? {
        return Err(mismatch_or_missing(conn, &new.id, expected).await);
    }
    let p = current(conn, &new.id).await?.ok_or_else(|| StoreError::NotFound(new.id.clone()))?;
    revise(conn, &p, meta, "replace", p.version.0, now).await?;
    Ok(p)
}

#[async_trait::async_trait]
impl Store for d::Store {
    fn backend(&self) -> Backend {
        d::BACKEND
    }

    async fn ping(&self) -> StoreResult<()> {
        // Bounded well below a load balancer's probe interval: /readyz must turn false within a
        // second or two of the database going away, not after the pool's acquire timeout.
        let ping = sqlx::query("select 1").execute(&self.pool);
        match tokio::time::timeout(std::time::Duration::from_millis(1500), ping).await {
            Ok(r) => r.map(|_| ()).map_err(db("pinging")),
            Err(_) => Err(db("pinging")(sqlx::Error::PoolTimedOut)),
        }
    }

    #[tracing::instrument(skip_all)]
    async fn list(&self, filter: &ProjectFilter, page: Page) -> StoreResult<Vec<Project>> {
        read_twice(|| self.list_filtered(filter, page)).await
    }

    async fn candidate_ids(&self, filter: &ProjectFilter, cap: usize) -> StoreResult<Option<Vec<ProjectId>>> {
        read_twice(|| self.candidate_ids_filtered(filter, cap)).await
    }

    fn ids_per_read(&self) -> Option<u64> {
        d::IDS_PER_READ
    }

    async fn count(&self, filter: &ProjectFilter) -> StoreResult<u64> {
        read_twice(|| self.count_filtered(filter)).await
    }

    async fn extent(&self) -> StoreResult<super::super::Extent> {
        self.extent_of_live().await
    }

    async fn get(&self, id: &ProjectId) -> StoreResult<Project> {
        read_twice(|| async {
            let mut conn = self.pool.acquire().await.map_err(db("connecting"))?;
            current(&mut conn, id).await?.ok_or_else(|| StoreError::NotFound(id.clone()))
        })
        .await
    }

    async fn census(&self) -> StoreResult<Census> {
        let (real, synthetic): (i64, i64) = sqlx::query_as(
            "select coalesce(sum(case when synthetic then 0 else 1 end), 0), coalesce(sum(case when synthetic then 1 else 0 end), 0) from project",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db("counting projects"))?;
        Ok(Census { real: real as u64, synthetic: synthetic as u64 })
    }

    async fn history(&self, id: &ProjectId) -> StoreResult<Vec<Revision>> {
        let rows = sqlx::query(
            "select version, author, comment, created_at, archived, cast(feature as text) from project_revision where project_id = $1 order by version",
        )
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
                    created_at: d::time_at(r, 3)?,
                    archived: r.get(4),
                    feature: serde_json::from_str(&feature).map_err(|e| StoreError::Corrupt { key: format!("revision of {id}"), reason: e.to_string() })?,
                })
            })
            .collect()
    }

    async fn archived(&self) -> StoreResult<Vec<Revision>> {
        // The last revision of each project, when that revision archived it (and no live row came
        // back since: a restore or a re-create is a later revision, so that holds twice over).
        let rows = sqlx::query(
            "select r.project_id, r.version, r.author, r.comment, r.created_at, r.archived, cast(r.feature as text) from project_revision r \
             where r.archived and r.version = (select max(x.version) from project_revision x where x.project_id = r.project_id) \
             and not exists (select 1 from project p where p.id = r.project_id) \
             order by r.created_at desc, r.project_id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading archived projects"))?;
        rows.iter()
            .map(|r| {
                let id: String = r.get(0);
                let corrupt = |reason: String| StoreError::Corrupt { key: format!("revision of {id}"), reason };
                let feature: String = r.get(6);
                Ok(Revision {
                    project_id: ProjectId::parse(&id).map_err(|e| corrupt(e.to_string()))?,
                    version: Version(r.get(1)),
                    author: r.get(2),
                    comment: r.get(3),
                    created_at: d::time_at(r, 4)?,
                    archived: r.get(5),
                    feature: serde_json::from_str(&feature).map_err(|e| corrupt(e.to_string()))?,
                })
            })
            .collect()
    }

    #[tracing::instrument(skip_all, fields(project.id = %new.id))]
    async fn create(&self, new: &NewProject, meta: &RevisionMeta) -> StoreResult<Project> {
        let mut tx = d::begin_write(self).await?;
        let p = create_in(&mut tx, new, meta, now_micros()).await?;
        tx.commit().await.map_err(db("committing a create"))?;
        Ok(p)
    }

    #[tracing::instrument(skip_all, fields(project.id = %new.id))]
    async fn replace(&self, expected: Version, new: &NewProject, meta: &RevisionMeta) -> StoreResult<Project> {
        let mut tx = d::begin_write(self).await?;
        let p = replace_in(&mut tx, expected, new, meta, now_micros()).await?;
        tx.commit().await.map_err(db("committing a replace"))?;
        Ok(p)
    }

    #[tracing::instrument(skip_all, fields(project.id = %id))]
    async fn archive(&self, id: &ProjectId, expected: Version, meta: &RevisionMeta) -> StoreResult<Version> {
        let mut tx = d::begin_write(self).await?;
        // Compare-and-swap delete; the row it returns is the last state, kept in the revision.
        let row = sqlx::query(&format!("delete from project where id = $1 and version = $2 returning {ROW}"))
            .bind(id.as_str())
            .bind(expected.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db("archiving"))?;
        let Some(row) = row else { return Err(mismatch_or_missing(&mut tx, id, expected).await) };
        let p = row_to_project(&row)?;
        let version = p.version.0 + 1;
        revise(&mut tx, &p, meta, "archive", version, now_micros()).await?;
        tx.commit().await.map_err(db("committing an archive"))?;
        Ok(Version(version))
    }

    async fn apply_batch(&self, items: &[NewProject], mode: BatchMode, meta: &RevisionMeta) -> StoreResult<BatchOutcome> {
        let mut tx = d::begin_write(self).await?;
        let now = now_micros();
        let mut out = Vec::with_capacity(items.len());
        for new in items {
            let current = current(&mut tx, &new.id).await?;
            let action = match batch_step(current.as_ref(), new, mode)? {
                BatchStep::Create => {
                    create_in(&mut tx, new, meta, now).await?;
                    BatchAction::Created
                }
                BatchStep::Replace(version) => {
                    replace_in(&mut tx, version, new, meta, now).await?;
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
