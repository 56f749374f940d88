//! `AuthStore` for the embedded store. Times are RFC 3339 text with microseconds and `Z`, so
//! text comparison is time comparison.

use super::sqlite::{parse_time, SqliteStore};
use super::{db, AuthStore, StoreError, StoreResult};
use crate::auth::{AuditEntry, Role, User, UserName};
use crate::time::{now_micros, rfc3339};
use chrono::{DateTime, Utc};
use sqlx::Row;

const USER_COLUMNS: &str = "select id, name, role, disabled, created_at, password_hash from app_user";

fn row_to_user(r: &sqlx::sqlite::SqliteRow) -> StoreResult<User> {
    let name: String = r.get(1);
    let role: String = r.get(2);
    let corrupt = |reason: String| StoreError::Corrupt { key: format!("user {name}"), reason };
    Ok(User {
        id: r.get(0),
        name: UserName::parse(&name).map_err(|e| corrupt(e.to_string()))?,
        role: role.parse::<Role>().map_err(|e| corrupt(e.to_string()))?,
        disabled: r.get(3),
        created_at: parse_time(r.get::<&str, _>(4))?,
    })
}

impl SqliteStore {
    async fn user_by_name(&self, name: &UserName) -> StoreResult<User> {
        let row = sqlx::query(&format!("{USER_COLUMNS} where name = ?"))
            .bind(name.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(db("reading a user"))?
            .ok_or_else(|| StoreError::UnknownUser(name.to_string()))?;
        row_to_user(&row)
    }
}

#[async_trait::async_trait]
impl AuthStore for SqliteStore {
    async fn add_user(&self, name: &UserName, role: Role, password_hash: &str) -> StoreResult<User> {
        sqlx::query("insert into app_user (name, role, password_hash, disabled, created_at) values (?, ?, ?, 0, ?)")
            .bind(name.as_str())
            .bind(role.as_str())
            .bind(password_hash)
            .bind(rfc3339(now_micros()))
            .execute(&self.pool)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::UserExists(name.to_string()),
                _ => StoreError::Database { action: "adding a user", source: e },
            })?;
        self.user_by_name(name).await
    }

    async fn user_with_hash(&self, name: &UserName) -> StoreResult<Option<(User, String)>> {
        let row = sqlx::query(&format!("{USER_COLUMNS} where name = ?")).bind(name.as_str()).fetch_optional(&self.pool).await.map_err(db("reading a user"))?;
        row.map(|r| Ok((row_to_user(&r)?, r.get(5)))).transpose()
    }

    async fn users(&self) -> StoreResult<Vec<User>> {
        let rows = sqlx::query(&format!("{USER_COLUMNS} order by name")).fetch_all(&self.pool).await.map_err(db("listing users"))?;
        rows.iter().map(row_to_user).collect()
    }

    async fn set_disabled(&self, name: &UserName, disabled: bool) -> StoreResult<User> {
        let done = sqlx::query("update app_user set disabled = ? where name = ?")
            .bind(disabled)
            .bind(name.as_str())
            .execute(&self.pool)
            .await
            .map_err(db("disabling a user"))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::UnknownUser(name.to_string()));
        }
        self.user_by_name(name).await
    }

    async fn set_password(&self, name: &UserName, password_hash: &str) -> StoreResult<User> {
        let mut tx = self.pool.begin_with("begin immediate").await.map_err(db("starting a write"))?;
        let id: Option<i64> = sqlx::query_scalar("update app_user set password_hash = ? where name = ? returning id")
            .bind(password_hash)
            .bind(name.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db("setting a password"))?;
        let id = id.ok_or_else(|| StoreError::UnknownUser(name.to_string()))?;
        sqlx::query("delete from user_session where user_id = ?").bind(id).execute(&mut *tx).await.map_err(db("ending sessions"))?;
        tx.commit().await.map_err(db("committing a password"))?;
        self.user_by_name(name).await
    }

    async fn set_role(&self, name: &UserName, role: Role) -> StoreResult<User> {
        let done = sqlx::query("update app_user set role = ? where name = ?")
            .bind(role.as_str())
            .bind(name.as_str())
            .execute(&self.pool)
            .await
            .map_err(db("changing a role"))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::UnknownUser(name.to_string()));
        }
        self.user_by_name(name).await
    }

    async fn add_session(&self, token_hash: &str, user_id: i64, now: DateTime<Utc>, expires_at: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("delete from user_session where expires_at <= ?").bind(rfc3339(now)).execute(&self.pool).await.map_err(db("dropping old sessions"))?;
        sqlx::query("insert into user_session (token_hash, user_id, created_at, expires_at) values (?, ?, ?, ?)")
            .bind(token_hash)
            .bind(user_id)
            .bind(rfc3339(now))
            .bind(rfc3339(expires_at))
            .execute(&self.pool)
            .await
            .map_err(db("adding a session"))?;
        Ok(())
    }

    async fn session_user(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<User>> {
        let row = sqlx::query(
            "select u.id, u.name, u.role, u.disabled, u.created_at from user_session s join app_user u on u.id = s.user_id
             where s.token_hash = ? and s.expires_at > ? and u.disabled = 0",
        )
        .bind(token_hash)
        .bind(rfc3339(now))
        .fetch_optional(&self.pool)
        .await
        .map_err(db("reading a session"))?;
        row.as_ref().map(row_to_user).transpose()
    }

    async fn remove_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("delete from user_session where token_hash = ?").bind(token_hash).execute(&self.pool).await.map_err(db("ending a session"))?;
        Ok(())
    }

    async fn add_token(&self, token_hash: &str, user_id: i64, label: Option<&str>, now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("insert into api_token (token_hash, user_id, label, created_at) values (?, ?, ?, ?)")
            .bind(token_hash)
            .bind(user_id)
            .bind(label)
            .bind(rfc3339(now))
            .execute(&self.pool)
            .await
            .map_err(db("adding a token"))?;
        Ok(())
    }

    async fn token_user(&self, token_hash: &str) -> StoreResult<Option<User>> {
        let row = sqlx::query(
            "select u.id, u.name, u.role, u.disabled, u.created_at from api_token t join app_user u on u.id = t.user_id
             where t.token_hash = ? and u.disabled = 0",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db("reading a token"))?;
        row.as_ref().map(row_to_user).transpose()
    }

    async fn record_failure(&self, keys: &[String], at: DateTime<Utc>) -> StoreResult<()> {
        for k in keys {
            sqlx::query("insert into login_failure (key, at) values (?, ?)")
                .bind(k)
                .bind(rfc3339(at))
                .execute(&self.pool)
                .await
                .map_err(db("recording a failed sign-in"))?;
        }
        Ok(())
    }

    async fn failures_since(&self, key: &str, since: DateTime<Utc>) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("select count(*) from login_failure where key = ? and at >= ?")
            .bind(key)
            .bind(rfc3339(since))
            .fetch_one(&self.pool)
            .await
            .map_err(db("counting failed sign-ins"))?;
        Ok(n as u64)
    }

    async fn clear_failures(&self, key: &str) -> StoreResult<()> {
        sqlx::query("delete from login_failure where key = ?").bind(key).execute(&self.pool).await.map_err(db("clearing failed sign-ins"))?;
        Ok(())
    }

    async fn audit(&self, e: &AuditEntry) -> StoreResult<()> {
        sqlx::query("insert into audit_log (at, actor, action, target, address, detail) values (?, ?, ?, ?, ?, ?)")
            .bind(rfc3339(e.at))
            .bind(&e.actor)
            .bind(&e.action)
            .bind(&e.target)
            .bind(&e.address)
            .bind(&e.detail)
            .execute(&self.pool)
            .await
            .map_err(db("writing the audit log"))?;
        Ok(())
    }

    async fn audit_log(&self, limit: u64) -> StoreResult<Vec<AuditEntry>> {
        let rows = sqlx::query("select at, actor, action, target, address, detail from audit_log order by id desc limit ?")
            .bind(limit as i64)
            .fetch_all(&self.pool)
            .await
            .map_err(db("reading the audit log"))?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    at: parse_time(r.get::<&str, _>(0))?,
                    actor: r.get(1),
                    action: r.get(2),
                    target: r.get(3),
                    address: r.get(4),
                    detail: r.get(5),
                })
            })
            .collect()
    }
}
