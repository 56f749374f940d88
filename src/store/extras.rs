//! `ExtrasStore`: report photos, the plan's target values with their history, and the users an
//! admin lets enter those values (issue 10, items 6 and 10).
//!
//! Like `progress.rs`, the SQL is written once and [`extras_store!`] expands it for each backend;
//! the tables have the same column types on both (see migrations/*/0005_photos_targets.sql).

use super::progress::{pg_sql, sqlite_sql};
use super::{StoreError, StoreResult};
use crate::auth::{AuditEntry, UserName};
use crate::progress::{NewPhoto, NewTargetValue, Photo, PhotoId, Position, ReportId, TargetValue};

/// The photo, target-value and statistics-user part of the storage contract (cases in
/// `tests/store/extras.rs`, run on both stores).
#[async_trait::async_trait]
pub trait ExtrasStore: Send + Sync {
    /// Stores a photo of a report (`NoReport` when there is none), with its audit line.
    async fn add_photo(&self, photo: &NewPhoto, audit: &AuditEntry) -> StoreResult<Photo>;
    /// The photos of a report, oldest first.
    async fn photos(&self, report: ReportId) -> StoreResult<Vec<Photo>>;
    /// One photo and its image (or thumbnail) bytes; `NoPhoto` when there is none.
    async fn photo_bytes(&self, id: PhotoId, thumbnail: bool) -> StoreResult<(Photo, Vec<u8>)>;

    /// Records a target value, with its audit line when a person entered it.
    async fn add_target_value(&self, value: &NewTargetValue, audit: Option<&AuditEntry>) -> StoreResult<TargetValue>;
    /// Records the values not yet recorded (same target, period, value and enterer); returns how many.
    async fn seed_target_values(&self, values: &[NewTargetValue]) -> StoreResult<u64>;
    /// Every recorded value (of one target), by target, period, then the order entered.
    async fn target_values(&self, target: Option<&str>) -> StoreResult<Vec<TargetValue>>;

    /// Lets a user enter target values, or stops it, with the audit line. `UnknownUser`.
    async fn set_statistics_user(&self, user: &UserName, on: bool, audit: &AuditEntry) -> StoreResult<()>;
    /// Whether an admin let this user enter target values.
    async fn is_statistics_user(&self, user_id: i64) -> StoreResult<bool>;
}

// The size as bigint: PostgreSQL's length() of bytea is a 4-byte integer.
const PHOTO_FIELDS: &str = "id, report_id, content_type, cast(length(bytes) as bigint), sha256, width, height, taken_at, lon, lat, uploaded_by, created_at";
const VALUE_COLUMNS: &str = "select id, target_id, period, value, unit, source, entered_by, created_at from plan_target_value";

fn corrupt(key: String, reason: impl ToString) -> StoreError {
    StoreError::Corrupt { key, reason: reason.to_string() }
}

#[allow(clippy::too_many_arguments)]
fn decode_photo(
    id: i64,
    report: i64,
    content_type: String,
    size: i64,
    sha256: String,
    width: i64,
    height: i64,
    taken_at: Option<String>,
    lon: Option<f64>,
    lat: Option<f64>,
    by: String,
    at: String,
) -> Photo {
    let id = PhotoId(id);
    let (url, thumbnail_url) = Photo::urls(id);
    Photo {
        id,
        report_id: ReportId(report),
        content_type,
        size,
        sha256,
        width,
        height,
        taken_at,
        position: lon.zip(lat).and_then(|(lon, lat)| Position::new(lon, lat)),
        uploaded_by: by,
        created_at: at,
        url,
        thumbnail_url,
    }
}

#[allow(clippy::too_many_arguments)]
fn decode_value(id: i64, target: String, period: &str, value: String, unit: String, source: &str, by: String, at: String) -> StoreResult<TargetValue> {
    let key = format!("plan_target_value {id}");
    Ok(TargetValue {
        id,
        target_id: target,
        period: period.parse().map_err(|e: String| corrupt(key.clone(), e))?,
        value,
        unit,
        source: serde_json::from_str(source).map_err(|e| corrupt(key, e))?,
        entered_by: by,
        created_at: at,
    })
}

fn now_text() -> String {
    crate::time::rfc3339(crate::time::now_micros())
}

macro_rules! extras_store {
    ($store:ty, $conn:ty, sql: $sql:path, begin: $begin:expr) => {
        impl $store {
            async fn value_in(conn: &mut $conn, v: &NewTargetValue) -> StoreResult<TargetValue> {
                let source = serde_json::to_string(&v.source).map_err(|e| corrupt(format!("target {}", v.target_id), e))?;
                let id: i64 = sqlx::query_scalar(&$sql(
                    "insert into plan_target_value (target_id, period, value, unit, source, entered_by, created_at) values (?, ?, ?, ?, ?, ?, ?) returning id",
                ))
                .bind(&v.target_id)
                .bind(v.period.to_string())
                .bind(v.value.normalize().to_string())
                .bind(&v.unit)
                .bind(&source)
                .bind(&v.entered_by)
                .bind(now_text())
                .fetch_one(&mut *conn)
                .await
                .map_err(crate::store::db("recording a target value"))?;
                let r = sqlx::query(&$sql(&format!("{VALUE_COLUMNS} where id = ?")))
                    .bind(id)
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(crate::store::db("reading a target value"))?;
                decode_value(r.get(0), r.get(1), r.get::<&str, _>(2), r.get(3), r.get(4), r.get::<&str, _>(5), r.get(6), r.get(7))
            }
        }

        #[async_trait::async_trait]
        impl ExtrasStore for $store {
            async fn add_photo(&self, p: &NewPhoto, audit: &AuditEntry) -> StoreResult<Photo> {
                let mut tx = $begin(&self.pool).await?;
                let known: Option<i64> = sqlx::query_scalar(&$sql("select id from report where id = ?"))
                    .bind(p.report_id.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(crate::store::db("reading a report"))?;
                if known.is_none() {
                    return Err(StoreError::NoReport(p.report_id));
                }
                let id: i64 = sqlx::query_scalar(&$sql(
                    "insert into report_photo (report_id, content_type, sha256, bytes, thumbnail, width, height, taken_at, lon, lat, uploaded_by, created_at)
                     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id",
                ))
                .bind(p.report_id.0)
                .bind(p.image_type.mime())
                .bind(&p.sha256)
                .bind(&p.bytes)
                .bind(&p.thumbnail)
                .bind(i64::from(p.width))
                .bind(i64::from(p.height))
                .bind(&p.taken_at)
                .bind(p.position.map(|q| q.lon))
                .bind(p.position.map(|q| q.lat))
                .bind(&p.uploaded_by)
                .bind(now_text())
                .fetch_one(&mut *tx)
                .await
                .map_err(crate::store::db("storing a photo"))?;
                let mut audit = audit.clone();
                audit.target = Some(format!("report {} photo {id}", p.report_id));
                Self::audit_in_tx(&mut tx, &audit).await?;
                tx.commit().await.map_err(crate::store::db("committing a photo"))?;
                Ok(self.photo_bytes(PhotoId(id), true).await?.0)
            }

            async fn photos(&self, report: ReportId) -> StoreResult<Vec<Photo>> {
                let rows = sqlx::query(&$sql(&format!("select {PHOTO_FIELDS} from report_photo where report_id = ? order by id")))
                    .bind(report.0)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(crate::store::db("listing photos"))?;
                Ok(rows
                    .iter()
                    .map(|r| {
                        decode_photo(r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5), r.get(6), r.get(7), r.get(8), r.get(9), r.get(10), r.get(11))
                    })
                    .collect())
            }

            async fn photo_bytes(&self, id: PhotoId, thumbnail: bool) -> StoreResult<(Photo, Vec<u8>)> {
                let column = if thumbnail { "thumbnail" } else { "bytes" };
                let sql = format!("select {PHOTO_FIELDS}, {column} from report_photo where id = ?");
                let r = sqlx::query(&$sql(&sql))
                    .bind(id.0)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(crate::store::db("reading a photo"))?
                    .ok_or(StoreError::NoPhoto(id))?;
                let photo =
                    decode_photo(r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5), r.get(6), r.get(7), r.get(8), r.get(9), r.get(10), r.get(11));
                Ok((photo, r.get(12)))
            }

            async fn add_target_value(&self, v: &NewTargetValue, audit: Option<&AuditEntry>) -> StoreResult<TargetValue> {
                let mut tx = $begin(&self.pool).await?;
                let out = Self::value_in(&mut tx, v).await?;
                if let Some(a) = audit {
                    let mut a = a.clone();
                    a.target = Some(format!("target {} period {}", v.target_id, v.period));
                    Self::audit_in_tx(&mut tx, &a).await?;
                }
                tx.commit().await.map_err(crate::store::db("committing a target value"))?;
                Ok(out)
            }

            async fn seed_target_values(&self, values: &[NewTargetValue]) -> StoreResult<u64> {
                let mut tx = $begin(&self.pool).await?;
                let mut added = 0;
                for v in values {
                    let seen: Option<i64> =
                        sqlx::query_scalar(&$sql("select id from plan_target_value where target_id = ? and period = ? and value = ? and entered_by = ?"))
                            .bind(&v.target_id)
                            .bind(v.period.to_string())
                            .bind(v.value.normalize().to_string())
                            .bind(&v.entered_by)
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(crate::store::db("reading target values"))?;
                    if seen.is_none() {
                        Self::value_in(&mut tx, v).await?;
                        added += 1;
                    }
                }
                tx.commit().await.map_err(crate::store::db("committing target values"))?;
                Ok(added)
            }

            async fn target_values(&self, target: Option<&str>) -> StoreResult<Vec<TargetValue>> {
                let rows = match target {
                    Some(t) => sqlx::query(&$sql(&format!("{VALUE_COLUMNS} where target_id = ? order by id"))).bind(t.to_owned()).fetch_all(&self.pool).await,
                    None => sqlx::query(&$sql(&format!("{VALUE_COLUMNS} order by id"))).fetch_all(&self.pool).await,
                }
                .map_err(crate::store::db("reading target values"))?;
                let mut out = rows
                    .iter()
                    .map(|r| decode_value(r.get(0), r.get(1), r.get::<&str, _>(2), r.get(3), r.get(4), r.get::<&str, _>(5), r.get(6), r.get(7)))
                    .collect::<StoreResult<Vec<_>>>()?;
                // Periods in time order (a year after its months), not as text.
                out.sort_by(|a, b| (&a.target_id, a.period, a.id).cmp(&(&b.target_id, b.period, b.id)));
                Ok(out)
            }

            async fn set_statistics_user(&self, user: &UserName, on: bool, audit: &AuditEntry) -> StoreResult<()> {
                let mut tx = $begin(&self.pool).await?;
                let id: i64 = sqlx::query_scalar(&$sql("select id from app_user where name = ?"))
                    .bind(user.as_str())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(crate::store::db("reading a user"))?
                    .ok_or_else(|| StoreError::UnknownUser(user.to_string()))?;
                if on {
                    sqlx::query(&$sql("insert into statistics_user (user_id, designated_by, created_at) values (?, ?, ?) on conflict (user_id) do nothing"))
                        .bind(id)
                        .bind(&audit.actor)
                        .bind(now_text())
                        .execute(&mut *tx)
                        .await
                } else {
                    sqlx::query(&$sql("delete from statistics_user where user_id = ?")).bind(id).execute(&mut *tx).await
                }
                .map_err(crate::store::db("designating a statistics user"))?;
                Self::audit_in_tx(&mut tx, audit).await?;
                tx.commit().await.map_err(crate::store::db("committing a statistics user"))?;
                Ok(())
            }

            async fn is_statistics_user(&self, user_id: i64) -> StoreResult<bool> {
                let found: Option<i64> = sqlx::query_scalar(&$sql("select user_id from statistics_user where user_id = ?"))
                    .bind(user_id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(crate::store::db("reading statistics users"))?;
                Ok(found.is_some())
            }
        }
    };
}

mod sqlite_impl {
    use super::*;
    use crate::store::sqlite::SqliteStore;
    use sqlx::{Row, Sqlite, SqliteConnection, SqlitePool, Transaction};

    async fn begin(pool: &SqlitePool) -> StoreResult<Transaction<'static, Sqlite>> {
        // IMMEDIATE: take the write lock before the first read (see sqlite.rs).
        pool.begin_with("begin immediate").await.map_err(crate::store::db("starting a write"))
    }

    extras_store!(SqliteStore, SqliteConnection, sql: sqlite_sql, begin: begin);
}

mod postgis_impl {
    use super::*;
    use crate::store::postgis::PostgisStore;
    use sqlx::{PgConnection, PgPool, Postgres, Row, Transaction};

    async fn begin(pool: &PgPool) -> StoreResult<Transaction<'static, Postgres>> {
        pool.begin().await.map_err(crate::store::db("starting a write"))
    }

    extras_store!(PostgisStore, PgConnection, sql: pg_sql, begin: begin);
}
