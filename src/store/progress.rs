//! `ProgressStore`: responsible units, users' units, monthly reports with their history, and
//! milestones (issue 10).
//!
//! The SQL is written once: both stores keep these tables with the same column types (times as
//! RFC 3339 UTC text with microseconds, which sorts as time; the report body as JSON text with
//! money as decimal strings), and [`progress_store!`] expands the one implementation for each
//! backend. What differs is passed in: the placeholder style, how a write transaction starts,
//! how the audit log's time is bound, and the project write of an approval.

use super::{StoreError, StoreResult};
use crate::auth::{AuditEntry, UserName};
use crate::progress::{Milestone, MilestoneKind, NewReport, Period, Report, ReportAction, ReportBody, ReportId, ReportState, UnitName};
use crate::project::{NewProject, ProjectId, Version};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::borrow::Cow;

/// Which reports to list. Every member narrows; the default lists all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportQuery {
    /// One month.
    pub period: Option<Period>,
    /// One project.
    pub project: Option<ProjectId>,
    /// Any of these states (empty = all).
    pub states: Vec<ReportState>,
}

/// One change of a report, applied as a compare-and-swap on its version.
#[derive(Debug, Clone)]
pub struct ReportChange<'a> {
    /// The report.
    pub id: ReportId,
    /// The version the change is based on (`If-Match`).
    pub expected: i64,
    /// What is done (recorded in the report's history).
    pub action: ReportAction,
    /// The state after.
    pub state: ReportState,
    /// The body after.
    pub body: &'a ReportBody,
    /// Who.
    pub author: &'a str,
    /// Why (return, correction).
    pub reason: Option<&'a str>,
    /// The project write that goes with the change (approval, correction): replaced when the
    /// project is at the given version, in the same transaction, so the figures on the map and
    /// the approved report cannot disagree.
    pub project: Option<(Version, &'a NewProject, &'a super::RevisionMeta)>,
}

/// One version of a report, as its history keeps it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportRevision {
    /// The version.
    pub version: i64,
    /// The state it left the report in.
    pub state: ReportState,
    /// `create`, `edit`, `submit`, `approve`, `return`, `correct`.
    pub action: String,
    /// Who.
    pub author: String,
    /// Why (return, correction).
    pub reason: Option<String>,
    /// The report's body after it.
    pub body: ReportBody,
    /// When (RFC 3339).
    pub created_at: String,
}

/// The progress-tracking half of the storage contract (cases in `tests/store/progress.rs`, run on both stores).
#[async_trait::async_trait]
pub trait ProgressStore: Send + Sync {
    /// Adds the units not yet known (`origin`: plan, projects, cli); returns how many were added.
    async fn ensure_units(&self, units: &[UnitName], origin: &str) -> StoreResult<u64>;
    /// Every unit, by name.
    async fn units(&self) -> StoreResult<Vec<UnitName>>;
    /// Replaces the units a user reports for (none = district-wide), with its audit line in the
    /// same transaction. `UnknownUser`, or `UnknownUnit` for a unit that is not known.
    async fn set_user_units(&self, user: &UserName, units: &[UnitName], audit: &AuditEntry) -> StoreResult<Vec<UnitName>>;
    /// The units of a user, by name.
    async fn user_units(&self, user_id: i64) -> StoreResult<Vec<UnitName>>;

    /// Writes a draft (version 1) with its first history line and audit line. `ReportExists`
    /// when the project already has a report for the month.
    async fn create_report(&self, new: &NewReport, audit: &AuditEntry) -> StoreResult<Report>;
    /// One report; `NoReport` when there is none.
    async fn report(&self, id: ReportId) -> StoreResult<Report>;
    /// Reports matching `q`, by period then project.
    async fn reports(&self, q: &ReportQuery) -> StoreResult<Vec<Report>>;
    /// Every version of a report, oldest first.
    async fn report_history(&self, id: ReportId) -> StoreResult<Vec<ReportRevision>>;
    /// Applies a change when the report is at `change.expected` (else `ReportVersion`), appends
    /// its history line, writes the project when asked (`VersionMismatch` when the project moved)
    /// and the audit line: all or nothing.
    async fn change_report(&self, change: &ReportChange<'_>, audit: &AuditEntry) -> StoreResult<Report>;

    /// Milestones of one project, or of every project; by project then kind.
    async fn milestones(&self, project: Option<&ProjectId>) -> StoreResult<Vec<Milestone>>;
    /// Sets (inserts or replaces) one milestone, with its audit line in the same transaction.
    async fn set_milestone(&self, m: &Milestone, audit: &AuditEntry) -> StoreResult<Milestone>;
}

const REPORT_COLUMNS: &str = "select id, project_id, period, version, state, body, created_at, updated_at from report";

fn time_text(t: DateTime<Utc>) -> String {
    crate::time::rfc3339(t)
}

fn parse_time(s: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).map_err(|e| StoreError::Corrupt { key: format!("time {s}"), reason: e.to_string() })
}

fn corrupt(key: String) -> impl Fn(String) -> StoreError {
    move |reason| StoreError::Corrupt { key: key.clone(), reason }
}

#[allow(clippy::too_many_arguments)]
fn decode_report(id: i64, project: &str, period: &str, version: i64, state: &str, body: &str, created: &str, updated: &str) -> StoreResult<Report> {
    let bad = corrupt(format!("report {id}"));
    Ok(Report {
        id: ReportId(id),
        project_id: ProjectId::parse(project).map_err(|e| bad(e.to_string()))?,
        period: period.parse().map_err(|e: crate::progress::BadPeriod| bad(e.to_string()))?,
        state: state.parse().map_err(&bad)?,
        version,
        body: serde_json::from_str(body).map_err(|e| bad(e.to_string()))?,
        created_at: parse_time(created)?,
        updated_at: parse_time(updated)?,
    })
}

fn decode_milestone(
    project: &str,
    kind: &str,
    planned: Option<String>,
    actual: Option<String>,
    note: Option<String>,
    by: String,
    at: &str,
) -> StoreResult<Milestone> {
    let bad = corrupt(format!("milestone {project} {kind}"));
    let date = |s: Option<String>| s.map(|s| s.parse::<NaiveDate>().map_err(|e| bad(e.to_string()))).transpose();
    Ok(Milestone {
        project_id: ProjectId::parse(project).map_err(|e| bad(e.to_string()))?,
        kind: kind.parse::<MilestoneKind>().map_err(|e| bad(e.to_string()))?,
        planned: date(planned)?,
        actual: date(actual)?,
        note,
        updated_by: by,
        updated_at: parse_time(at)?,
    })
}

fn body_json(b: &ReportBody) -> String {
    serde_json::to_string(b).unwrap_or_else(|_| "{}".into())
}

/// `?` placeholders as SQLite takes them.
pub(super) fn sqlite_sql(sql: &str) -> Cow<'_, str> {
    Cow::Borrowed(sql)
}

/// `?` placeholders as PostgreSQL's `$1, $2, …` (none of this module's SQL has a `?` in a literal).
pub(super) fn pg_sql(sql: &str) -> Cow<'_, str> {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

macro_rules! progress_store {
    ($store:ty, $db:ty, $conn:ty, sql: $sql:path, begin: $begin:expr, audit_time: $atime:path, replace: $replace:path) => {
        impl $store {
            /// Writes one audit line inside the caller's transaction (also used by `extras.rs`).
            pub(in crate::store) async fn audit_in_tx(conn: &mut $conn, e: &AuditEntry) -> StoreResult<()> {
                sqlx::query(&$sql("insert into audit_log (at, actor, action, target, address, detail) values (?, ?, ?, ?, ?, ?)"))
                    .bind($atime(e.at))
                    .bind(&e.actor)
                    .bind(&e.action)
                    .bind(&e.target)
                    .bind(&e.address)
                    .bind(&e.detail)
                    .execute(&mut *conn)
                    .await
                    .map_err(crate::store::db("writing the audit log"))?;
                Ok(())
            }

            async fn report_in(conn: &mut $conn, id: ReportId) -> StoreResult<Report> {
                let sql = format!("{REPORT_COLUMNS} where id = ?");
                let row = sqlx::query(&$sql(&sql))
                    .bind(id.0)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(crate::store::db("reading a report"))?
                    .ok_or(StoreError::NoReport(id))?;
                decode_report(
                    row.get(0),
                    row.get::<&str, _>(1),
                    row.get::<&str, _>(2),
                    row.get(3),
                    row.get::<&str, _>(4),
                    row.get::<&str, _>(5),
                    row.get::<&str, _>(6),
                    row.get::<&str, _>(7),
                )
            }

            #[allow(clippy::too_many_arguments)]
            async fn report_revision_in(
                conn: &mut $conn,
                id: ReportId,
                version: i64,
                state: ReportState,
                action: ReportAction,
                author: &str,
                reason: Option<&str>,
                body: &str,
                now: &str,
            ) -> StoreResult<()> {
                sqlx::query(&$sql(
                    "insert into report_revision (report_id, version, state, action, author, reason, body, created_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
                ))
                .bind(id.0)
                .bind(version)
                .bind(state.as_str())
                .bind(action.as_str())
                .bind(author)
                .bind(reason)
                .bind(body)
                .bind(now)
                .execute(&mut *conn)
                .await
                .map_err(crate::store::db("appending a report revision"))?;
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl ProgressStore for $store {
            async fn ensure_units(&self, units: &[UnitName], origin: &str) -> StoreResult<u64> {
                let mut tx = $begin(&self.pool).await?;
                let now = time_text(crate::time::now_micros());
                let mut added = 0;
                for u in units {
                    let done = sqlx::query(&$sql("insert into unit (name, origin, created_at) values (?, ?, ?) on conflict (name) do nothing"))
                        .bind(u.as_str())
                        .bind(origin)
                        .bind(&now)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::store::db("adding a unit"))?;
                    added += done.rows_affected();
                }
                tx.commit().await.map_err(crate::store::db("committing units"))?;
                Ok(added)
            }

            async fn units(&self) -> StoreResult<Vec<UnitName>> {
                let names: Vec<String> =
                    sqlx::query_scalar(&$sql("select name from unit order by name")).fetch_all(&self.pool).await.map_err(crate::store::db("listing units"))?;
                names.iter().map(|n| UnitName::parse(n).map_err(|e| StoreError::Corrupt { key: format!("unit {n}"), reason: e.to_string() })).collect()
            }

            async fn set_user_units(&self, user: &UserName, units: &[UnitName], audit: &AuditEntry) -> StoreResult<Vec<UnitName>> {
                let mut tx = $begin(&self.pool).await?;
                let id: Option<i64> = sqlx::query_scalar(&$sql("select id from app_user where name = ?"))
                    .bind(user.as_str())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(crate::store::db("reading a user"))?;
                let id = id.ok_or_else(|| StoreError::UnknownUser(user.to_string()))?;
                for u in units {
                    let known: Option<String> = sqlx::query_scalar(&$sql("select name from unit where name = ?"))
                        .bind(u.as_str())
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(crate::store::db("reading a unit"))?;
                    if known.is_none() {
                        return Err(StoreError::UnknownUnit(u.to_string()));
                    }
                }
                sqlx::query(&$sql("delete from user_unit where user_id = ?"))
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(crate::store::db("replacing a user's units"))?;
                for u in units {
                    sqlx::query(&$sql("insert into user_unit (user_id, unit) values (?, ?) on conflict do nothing"))
                        .bind(id)
                        .bind(u.as_str())
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::store::db("replacing a user's units"))?;
                }
                Self::audit_in_tx(&mut tx, audit).await?;
                tx.commit().await.map_err(crate::store::db("committing a user's units"))?;
                self.user_units(id).await
            }

            async fn user_units(&self, user_id: i64) -> StoreResult<Vec<UnitName>> {
                let names: Vec<String> = sqlx::query_scalar(&$sql("select unit from user_unit where user_id = ? order by unit"))
                    .bind(user_id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(crate::store::db("reading a user's units"))?;
                names.iter().map(|n| UnitName::parse(n).map_err(|e| StoreError::Corrupt { key: format!("unit {n}"), reason: e.to_string() })).collect()
            }

            async fn create_report(&self, new: &NewReport, audit: &AuditEntry) -> StoreResult<Report> {
                let mut tx = $begin(&self.pool).await?;
                let now = time_text(crate::time::now_micros());
                let body = body_json(&new.body);
                let id: i64 = sqlx::query_scalar(&$sql(
                    "insert into report (project_id, period, version, state, body, created_at, updated_at) values (?, ?, 1, 'draft', ?, ?, ?) returning id",
                ))
                .bind(new.project_id.as_str())
                .bind(new.period.to_string())
                .bind(&body)
                .bind(&now)
                .bind(&now)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| match &e {
                    sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::ReportExists { project: new.project_id.clone(), period: new.period },
                    _ => crate::store::db("writing a report")(e),
                })?;
                let id = ReportId(id);
                Self::report_revision_in(&mut tx, id, 1, ReportState::Draft, ReportAction::Create, &new.body.reporter, None, &body, &now).await?;
                let mut audit = audit.clone();
                audit.target = Some(format!("report {id}"));
                Self::audit_in_tx(&mut tx, &audit).await?;
                let r = Self::report_in(&mut tx, id).await?;
                tx.commit().await.map_err(crate::store::db("committing a report"))?;
                Ok(r)
            }

            async fn report(&self, id: ReportId) -> StoreResult<Report> {
                let mut conn = self.pool.acquire().await.map_err(crate::store::db("connecting"))?;
                Self::report_in(&mut conn, id).await
            }

            async fn reports(&self, q: &ReportQuery) -> StoreResult<Vec<Report>> {
                let mut qb = sqlx::QueryBuilder::<$db>::new(REPORT_COLUMNS);
                qb.push(" where 1 = 1");
                if let Some(p) = q.period {
                    qb.push(" and period = ").push_bind(p.to_string());
                }
                if let Some(id) = &q.project {
                    qb.push(" and project_id = ").push_bind(id.as_str().to_owned());
                }
                if !q.states.is_empty() {
                    qb.push(" and state in (");
                    let mut sep = qb.separated(", ");
                    for s in &q.states {
                        sep.push_bind(s.as_str());
                    }
                    qb.push(")");
                }
                qb.push(" order by period, project_id");
                let rows = qb.build().fetch_all(&self.pool).await.map_err(crate::store::db("listing reports"))?;
                rows.iter()
                    .map(|r| {
                        decode_report(
                            r.get(0),
                            r.get::<&str, _>(1),
                            r.get::<&str, _>(2),
                            r.get(3),
                            r.get::<&str, _>(4),
                            r.get::<&str, _>(5),
                            r.get::<&str, _>(6),
                            r.get::<&str, _>(7),
                        )
                    })
                    .collect()
            }

            async fn report_history(&self, id: ReportId) -> StoreResult<Vec<ReportRevision>> {
                let rows = sqlx::query(&$sql(
                    "select version, state, action, author, reason, body, created_at from report_revision where report_id = ? order by version",
                ))
                .bind(id.0)
                .fetch_all(&self.pool)
                .await
                .map_err(crate::store::db("reading a report's history"))?;
                if rows.is_empty() {
                    return Err(StoreError::NoReport(id));
                }
                let bad = corrupt(format!("report {id}"));
                rows.iter()
                    .map(|r| {
                        Ok(ReportRevision {
                            version: r.get(0),
                            state: r.get::<&str, _>(1).parse().map_err(&bad)?,
                            action: r.get(2),
                            author: r.get(3),
                            reason: r.get(4),
                            body: serde_json::from_str(r.get::<&str, _>(5)).map_err(|e| bad(e.to_string()))?,
                            created_at: r.get(6),
                        })
                    })
                    .collect()
            }

            async fn change_report(&self, c: &ReportChange<'_>, audit: &AuditEntry) -> StoreResult<Report> {
                let mut tx = $begin(&self.pool).await?;
                let at = crate::time::now_micros();
                let now = time_text(at);
                let body = body_json(c.body);
                let version: Option<i64> = sqlx::query_scalar(&$sql(
                    "update report set version = version + 1, state = ?, body = ?, updated_at = ? where id = ? and version = ? returning version",
                ))
                .bind(c.state.as_str())
                .bind(&body)
                .bind(&now)
                .bind(c.id.0)
                .bind(c.expected)
                .fetch_optional(&mut *tx)
                .await
                .map_err(crate::store::db("changing a report"))?;
                let Some(version) = version else {
                    let current = Self::report_in(&mut tx, c.id).await?;
                    return Err(StoreError::ReportVersion { id: c.id, expected: c.expected, current: current.version });
                };
                Self::report_revision_in(&mut tx, c.id, version, c.state, c.action, c.author, c.reason, &body, &now).await?;
                if let Some((expected, new, meta)) = c.project {
                    $replace(&mut tx, expected, new, meta, at).await?;
                }
                let mut audit = audit.clone();
                audit.target = Some(format!("report {}", c.id));
                Self::audit_in_tx(&mut tx, &audit).await?;
                let r = Self::report_in(&mut tx, c.id).await?;
                tx.commit().await.map_err(crate::store::db("committing a report change"))?;
                Ok(r)
            }

            async fn milestones(&self, project: Option<&ProjectId>) -> StoreResult<Vec<Milestone>> {
                let mut qb = sqlx::QueryBuilder::<$db>::new("select project_id, kind, planned, actual, note, updated_by, updated_at from milestone");
                if let Some(p) = project {
                    qb.push(" where project_id = ").push_bind(p.as_str().to_owned());
                }
                qb.push(" order by project_id");
                let rows = qb.build().fetch_all(&self.pool).await.map_err(crate::store::db("reading milestones"))?;
                let mut out = rows
                    .iter()
                    .map(|r| decode_milestone(r.get::<&str, _>(0), r.get::<&str, _>(1), r.get(2), r.get(3), r.get(4), r.get(5), r.get::<&str, _>(6)))
                    .collect::<StoreResult<Vec<_>>>()?;
                // The kinds' own order (approval … acceptance), not their names'.
                out.sort_by(|a, b| (a.project_id.as_str(), a.kind).cmp(&(b.project_id.as_str(), b.kind)));
                Ok(out)
            }

            async fn set_milestone(&self, m: &Milestone, audit: &AuditEntry) -> StoreResult<Milestone> {
                let mut tx = $begin(&self.pool).await?;
                sqlx::query(&$sql(
                    "insert into milestone (project_id, kind, planned, actual, note, updated_by, updated_at) values (?, ?, ?, ?, ?, ?, ?)
                     on conflict (project_id, kind) do update set planned = excluded.planned, actual = excluded.actual, note = excluded.note,
                         updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                ))
                .bind(m.project_id.as_str())
                .bind(m.kind.as_str())
                .bind(m.planned.map(|d| d.to_string()))
                .bind(m.actual.map(|d| d.to_string()))
                .bind(&m.note)
                .bind(&m.updated_by)
                .bind(time_text(m.updated_at))
                .execute(&mut *tx)
                .await
                .map_err(crate::store::db("writing a milestone"))?;
                Self::audit_in_tx(&mut tx, audit).await?;
                tx.commit().await.map_err(crate::store::db("committing a milestone"))?;
                Ok(m.clone())
            }
        }
    };
}

mod sqlite_impl {
    use super::*;
    use crate::store::sqlite::SqliteStore;
    use crate::store::RevisionMeta;
    use sqlx::{Row, Sqlite, SqliteConnection, SqlitePool, Transaction};

    async fn begin(pool: &SqlitePool) -> StoreResult<Transaction<'static, Sqlite>> {
        // IMMEDIATE: take the write lock before the first read (see sqlite.rs).
        pool.begin_with("begin immediate").await.map_err(crate::store::db("starting a write"))
    }

    async fn replace(
        conn: &mut SqliteConnection,
        expected: Version,
        new: &NewProject,
        meta: &RevisionMeta,
        at: DateTime<Utc>,
    ) -> StoreResult<crate::project::Project> {
        crate::store::sqlite::project::replace_in(conn, expected, new, meta, at).await
    }

    progress_store!(SqliteStore, Sqlite, SqliteConnection, sql: sqlite_sql, begin: begin, audit_time: time_text, replace: replace);
}

mod postgis_impl {
    use super::*;
    use crate::store::postgis::PostgisStore;
    use crate::store::RevisionMeta;
    use sqlx::{PgConnection, PgPool, Postgres, Row, Transaction};

    async fn begin(pool: &PgPool) -> StoreResult<Transaction<'static, Postgres>> {
        pool.begin().await.map_err(crate::store::db("starting a write"))
    }

    fn audit_time(t: DateTime<Utc>) -> DateTime<Utc> {
        t
    }

    async fn replace(
        conn: &mut PgConnection,
        expected: Version,
        new: &NewProject,
        meta: &RevisionMeta,
        at: DateTime<Utc>,
    ) -> StoreResult<crate::project::Project> {
        crate::store::postgis::project::replace_in(conn, expected, new, meta, at).await
    }

    progress_store!(PostgisStore, Postgres, PgConnection, sql: pg_sql, begin: begin, audit_time: audit_time, replace: replace);
}
