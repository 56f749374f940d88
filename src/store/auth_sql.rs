//! `AuthStore`, written once for both stores.
//!
//! This file is compiled twice, as `sqlite::auth` and `postgis::auth` (`#[path]` in each), and
//! reads the few things that differ from the backend's `dialect` module beside it: the database
//! types, how a time is kept (RFC 3339 text / `timestamptz`) and how a write transaction starts.
//! Everything else — every statement's text (`$n` parameters, which SQLite accepts too), its
//! binds and its decoding — exists once. `disabled` is written `false` and tested `not …`, which
//! both databases read the same way.
//!
//! Every change (user, session, token, failed sign-in) writes its audit line in the same
//! transaction: a change is never without its line, and a refused change leaves none.

use super::dialect::{self as d, Conn};
use crate::auth::{token, ApiToken, AuditEntry, Role, User, UserName};
use crate::store::{db, read_twice, AuthStore, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use futures::TryFutureExt;
use sqlx::Row;

const USER_COLUMNS: &str = "select id, name, role, disabled, created_at, password_hash from app_user";

fn row_to_user(r: &d::Row) -> StoreResult<User> {
    let name: String = r.get(1);
    let role: String = r.get(2);
    let corrupt = |reason: String| StoreError::Corrupt { key: format!("user {name}"), reason };
    Ok(User {
        id: r.get(0),
        name: UserName::parse(&name).map_err(|e| corrupt(e.to_string()))?,
        role: role.parse::<Role>().map_err(|e| corrupt(e.to_string()))?,
        disabled: r.get(3),
        created_at: d::time_at(r, 4)?,
    })
}

async fn user_by_name(conn: &mut Conn, name: &UserName) -> StoreResult<User> {
    let row = sqlx::query(&format!("{USER_COLUMNS} where name = $1"))
        .bind(name.as_str())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db("reading a user"))?
        .ok_or_else(|| StoreError::UnknownUser(name.to_string()))?;
    row_to_user(&row)
}

/// Appends one audit line on `conn` (the caller's transaction, when there is one).
pub(super) async fn insert_audit(conn: &mut Conn, e: &AuditEntry) -> StoreResult<()> {
    sqlx::query("insert into audit_log (at, actor, action, target, address, detail) values ($1, $2, $3, $4, $5, $6)")
        .bind(d::time(e.at))
        .bind(&e.actor)
        .bind(&e.action)
        .bind(&e.target)
        .bind(&e.address)
        .bind(&e.detail)
        .execute(&mut *conn)
        .await
        .map_err(db("writing the audit log"))?;
    Ok(())
}

/// What a user change takes away besides itself.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ends {
    /// Nothing (a role change, re-enabling).
    Nothing,
    /// Every session and every API token of the user: they were issued to whoever held the
    /// account before, and must not come back when it is enabled again.
    Credentials,
}

/// Enabled admins, with their rows locked (PostGIS) so two concurrent demotions cannot each see
/// the other's admin as the one left.
async fn enabled_admins(conn: &mut Conn) -> StoreResult<i64> {
    let ids: Vec<i64> = sqlx::query_scalar(&format!("select id from app_user where role = 'admin' and not disabled order by id{}", d::FOR_UPDATE))
        .fetch_all(&mut *conn)
        .await
        .map_err(db("counting admins"))?;
    Ok(ids.len() as i64)
}

/// `update app_user set … where name = …` for one column, then what it `ends`, then the audit
/// line; `UnknownUser` (and no line) when there is no such user, `LastAdmin` (and no change)
/// when the change leaves no enabled admin where there was one.
async fn change_user<'q, T>(
    store: &d::Store,
    sql: &'q str,
    value: T,
    name: &'q UserName,
    ends: Ends,
    audit: &AuditEntry,
    action: &'static str,
) -> StoreResult<User>
where
    T: 'q + Send + sqlx::Encode<'q, d::Db> + sqlx::Type<d::Db>,
{
    let mut tx = d::begin_write(store).await?;
    let admins_before = enabled_admins(&mut tx).await?;
    let id: Option<i64> = sqlx::query_scalar(sql).bind(value).bind(name.as_str()).fetch_optional(&mut *tx).await.map_err(db(action))?;
    let id = id.ok_or_else(|| StoreError::UnknownUser(name.to_string()))?;
    if admins_before > 0 && enabled_admins(&mut tx).await? == 0 {
        // Dropping the transaction rolls the change back.
        return Err(StoreError::LastAdmin(name.to_string()));
    }
    if ends == Ends::Credentials {
        sqlx::query("delete from user_session where user_id = $1").bind(id).execute(&mut *tx).await.map_err(db("ending sessions"))?;
        sqlx::query("delete from api_token where user_id = $1").bind(id).execute(&mut *tx).await.map_err(db("revoking tokens"))?;
    }
    insert_audit(&mut tx, audit).await?;
    let user = user_by_name(&mut tx, name).await?;
    tx.commit().await.map_err(db("committing a user change"))?;
    Ok(user)
}

fn row_to_token(r: &d::Row) -> StoreResult<ApiToken> {
    let digest: String = r.get(0);
    Ok(ApiToken {
        id: digest.chars().take(token::ID_LEN).collect(),
        label: r.get(1),
        created_at: d::time_at(r, 2)?,
        expires_at: match r.try_get_raw(3).map(|v| sqlx::ValueRef::is_null(&v)) {
            Ok(false) => Some(d::time_at(r, 3)?),
            _ => None,
        },
    })
}

#[async_trait::async_trait]
impl AuthStore for d::Store {
    async fn add_user(&self, name: &UserName, role: Role, password_hash: &str, audit: &AuditEntry) -> StoreResult<User> {
        let mut tx = d::begin_write(self).await?;
        sqlx::query("insert into app_user (name, role, password_hash, disabled, created_at) values ($1, $2, $3, false, $4)")
            .bind(name.as_str())
            .bind(role.as_str())
            .bind(password_hash)
            .bind(d::time(crate::time::now_micros()))
            .execute(&mut *tx)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(x) if x.is_unique_violation() => StoreError::UserExists(name.to_string()),
                _ => db("adding a user")(e),
            })?;
        insert_audit(&mut tx, audit).await?;
        let user = user_by_name(&mut tx, name).await?;
        tx.commit().await.map_err(db("committing a new user"))?;
        Ok(user)
    }

    async fn user_with_hash(&self, name: &UserName) -> StoreResult<Option<(User, String)>> {
        let row = sqlx::query(&format!("{USER_COLUMNS} where name = $1")).bind(name.as_str()).fetch_optional(&self.pool).await.map_err(db("reading a user"))?;
        row.map(|r| Ok((row_to_user(&r)?, r.get(5)))).transpose()
    }

    async fn users(&self) -> StoreResult<Vec<User>> {
        let rows = sqlx::query(&format!("{USER_COLUMNS} order by name")).fetch_all(&self.pool).await.map_err(db("listing users"))?;
        rows.iter().map(row_to_user).collect()
    }

    async fn set_disabled(&self, name: &UserName, disabled: bool, audit: &AuditEntry) -> StoreResult<User> {
        let ends = if disabled { Ends::Credentials } else { Ends::Nothing };
        change_user(self, "update app_user set disabled = $1 where name = $2 returning id", disabled, name, ends, audit, "disabling a user").await
    }

    async fn set_password(&self, name: &UserName, password_hash: &str, audit: &AuditEntry) -> StoreResult<User> {
        // Whoever knew the old password is signed out, and any token they made with it stops.
        let sql = "update app_user set password_hash = $1 where name = $2 returning id";
        change_user(self, sql, password_hash, name, Ends::Credentials, audit, "setting a password").await
    }

    async fn set_role(&self, name: &UserName, role: Role, audit: &AuditEntry) -> StoreResult<User> {
        change_user(self, "update app_user set role = $1 where name = $2 returning id", role.as_str(), name, Ends::Nothing, audit, "changing a role").await
    }

    async fn add_session(&self, token_hash: &str, user_id: i64, now: DateTime<Utc>, expires_at: DateTime<Utc>, audit: &AuditEntry) -> StoreResult<()> {
        let mut tx = d::begin_write(self).await?;
        sqlx::query("delete from user_session where expires_at <= $1").bind(d::time(now)).execute(&mut *tx).await.map_err(db("dropping old sessions"))?;
        sqlx::query("insert into user_session (token_hash, user_id, created_at, expires_at) values ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(user_id)
            .bind(d::time(now))
            .bind(d::time(expires_at))
            .execute(&mut *tx)
            .await
            .map_err(db("adding a session"))?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db("committing a sign-in"))?;
        Ok(())
    }

    async fn session_user(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<User>> {
        let row = read_twice(|| {
            sqlx::query(
                "select u.id, u.name, u.role, u.disabled, u.created_at from user_session s join app_user u on u.id = s.user_id
                 where s.token_hash = $1 and s.expires_at > $2 and not u.disabled",
            )
            .bind(token_hash)
            .bind(d::time(now))
            .fetch_optional(&self.pool)
            .map_err(db("reading a session"))
        })
        .await?;
        row.as_ref().map(row_to_user).transpose()
    }

    async fn remove_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("delete from user_session where token_hash = $1").bind(token_hash).execute(&self.pool).await.map_err(db("ending a session"))?;
        Ok(())
    }

    async fn add_expiring_token(
        &self,
        token_hash: &str,
        user_id: i64,
        label: Option<&str>,
        now: DateTime<Utc>,
        expires_at: Option<DateTime<Utc>>,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        let mut tx = d::begin_write(self).await?;
        sqlx::query("insert into api_token (token_hash, user_id, label, created_at, expires_at) values ($1, $2, $3, $4, $5)")
            .bind(token_hash)
            .bind(user_id)
            .bind(label)
            .bind(d::time(now))
            .bind(expires_at.map(d::time))
            .execute(&mut *tx)
            .await
            .map_err(db("adding a token"))?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db("committing a token"))?;
        Ok(())
    }

    async fn token_user(&self, token_hash: &str) -> StoreResult<Option<User>> {
        let now = crate::time::now_micros();
        let row = read_twice(|| {
            sqlx::query(
                "select u.id, u.name, u.role, u.disabled, u.created_at from api_token t join app_user u on u.id = t.user_id
                 where t.token_hash = $1 and not u.disabled and (t.expires_at is null or t.expires_at > $2)",
            )
            .bind(token_hash)
            .bind(d::time(now))
            .fetch_optional(&self.pool)
            .map_err(db("reading a token"))
        })
        .await?;
        row.as_ref().map(row_to_user).transpose()
    }

    async fn tokens(&self, user: &UserName) -> StoreResult<Vec<ApiToken>> {
        let mut conn = self.pool.acquire().await.map_err(db("connecting"))?;
        let u = user_by_name(&mut conn, user).await?;
        let rows = sqlx::query("select token_hash, label, created_at, expires_at from api_token where user_id = $1 order by created_at, token_hash")
            .bind(u.id)
            .fetch_all(&mut *conn)
            .await
            .map_err(db("listing tokens"))?;
        rows.iter().map(row_to_token).collect()
    }

    async fn revoke_token(&self, user: &UserName, id: &str, audit: &AuditEntry) -> StoreResult<()> {
        let mut tx = d::begin_write(self).await?;
        let u = user_by_name(&mut tx, user).await?;
        let gone = sqlx::query("delete from api_token where user_id = $1 and substr(token_hash, 1, $2) = $3")
            .bind(u.id)
            .bind(token::ID_LEN as i32)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db("revoking a token"))?
            .rows_affected();
        if gone == 0 {
            return Err(StoreError::NoToken { user: user.to_string(), id: id.to_owned() });
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db("committing a revocation"))?;
        Ok(())
    }

    async fn record_failure(&self, keys: &[String], at: DateTime<Utc>, audit: &AuditEntry) -> StoreResult<()> {
        let mut tx = d::begin_write(self).await?;
        for k in keys {
            sqlx::query("insert into login_failure (key, at) values ($1, $2)")
                .bind(k)
                .bind(d::time(at))
                .execute(&mut *tx)
                .await
                .map_err(db("recording a failed sign-in"))?;
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db("committing a failed sign-in"))?;
        Ok(())
    }

    async fn failures_since(&self, key: &str, since: DateTime<Utc>) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("select count(*) from login_failure where key = $1 and at >= $2")
            .bind(key)
            .bind(d::time(since))
            .fetch_one(&self.pool)
            .await
            .map_err(db("counting failed sign-ins"))?;
        Ok(n as u64)
    }

    async fn failures(&self, key: &str, since: DateTime<Utc>) -> StoreResult<(u64, Option<DateTime<Utc>>)> {
        let r = sqlx::query("select count(*), max(at) from login_failure where key = $1 and at >= $2")
            .bind(key)
            .bind(d::time(since))
            .fetch_one(&self.pool)
            .await
            .map_err(db("reading failed sign-ins"))?;
        let n: i64 = r.get(0);
        let last = if n > 0 { Some(d::time_at(&r, 1)?) } else { None };
        Ok((n as u64, last))
    }

    async fn clear_failures(&self, key: &str) -> StoreResult<()> {
        sqlx::query("delete from login_failure where key = $1").bind(key).execute(&self.pool).await.map_err(db("clearing failed sign-ins"))?;
        Ok(())
    }

    async fn audit(&self, e: &AuditEntry) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(db("connecting"))?;
        insert_audit(&mut conn, e).await
    }

    async fn audit_log(&self, limit: u64) -> StoreResult<Vec<AuditEntry>> {
        let rows = sqlx::query("select at, actor, action, target, address, detail from audit_log order by id desc limit $1")
            .bind(limit as i64)
            .fetch_all(&self.pool)
            .await
            .map_err(db("reading the audit log"))?;
        rows.iter()
            .map(|r| Ok(AuditEntry { at: d::time_at(r, 0)?, actor: r.get(1), action: r.get(2), target: r.get(3), address: r.get(4), detail: r.get(5) }))
            .collect()
    }
}
