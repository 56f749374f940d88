//! `AuthStore`: users, sessions, API tokens, failed sign-ins and the audit log.
//!
//! A part of the store, not of the process, so that several planmap instances behind a load
//! balancer share sign-ins, sign-outs, rate limits and one audit log. Keys are token digests
//! (see `auth::token`); the store never sees a secret.
//!
//! Every method that changes something takes the audit line describing the change and writes it
//! in the same transaction (`tests/store/cases.rs`: a refused change leaves no line). Both stores
//! implement it from one body, `auth_sql.rs`.

use super::StoreResult;
use crate::auth::{ApiToken, AuditEntry, Role, User, UserName};
use chrono::{DateTime, Utc};

/// The credentials half of the storage contract (every case in `tests/store/cases.rs` runs on both stores).
#[async_trait::async_trait]
pub trait AuthStore: Send + Sync {
    /// Adds a user and writes `audit`; `UserExists` (and no audit line) when the name is taken.
    async fn add_user(&self, name: &UserName, role: Role, password_hash: &str, audit: &AuditEntry) -> StoreResult<User>;
    /// A user and their password hash.
    async fn user_with_hash(&self, name: &UserName) -> StoreResult<Option<(User, String)>>;
    /// Every user, by name.
    async fn users(&self) -> StoreResult<Vec<User>>;
    /// Disables or re-enables and writes `audit`; `UnknownUser` (and no audit line) when there is
    /// no such user. Disabling ends every session and revokes every API token of the user, so
    /// enabling again revives none of them. `LastAdmin` (and no change) when it would leave no
    /// enabled admin.
    async fn set_disabled(&self, name: &UserName, disabled: bool, audit: &AuditEntry) -> StoreResult<User>;
    /// Replaces the password hash, ends every session and revokes every API token of the user
    /// (whoever knew the old password may have made one) and writes `audit`; `UnknownUser` as above.
    async fn set_password(&self, name: &UserName, password_hash: &str, audit: &AuditEntry) -> StoreResult<User>;
    /// Changes the role and writes `audit`; `UnknownUser` as above; `LastAdmin` when it would
    /// leave no enabled admin.
    async fn set_role(&self, name: &UserName, role: Role, audit: &AuditEntry) -> StoreResult<User>;

    /// A sign-in: stores a session (dropping expired ones) and writes `audit`.
    async fn add_session(&self, token_hash: &str, user_id: i64, now: DateTime<Utc>, expires_at: DateTime<Utc>, audit: &AuditEntry) -> StoreResult<()>;
    /// The enabled user a live session belongs to.
    async fn session_user(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<User>>;
    /// Ends a session (no error when it does not exist).
    async fn remove_session(&self, token_hash: &str) -> StoreResult<()>;

    /// Stores an API token that lasts until revoked and writes `audit`.
    async fn add_token(&self, token_hash: &str, user_id: i64, label: Option<&str>, now: DateTime<Utc>, audit: &AuditEntry) -> StoreResult<()> {
        self.add_expiring_token(token_hash, user_id, label, now, None, audit).await
    }
    /// Stores an API token that stops working at `expires_at` (never when `None`) and writes `audit`.
    async fn add_expiring_token(
        &self,
        token_hash: &str,
        user_id: i64,
        label: Option<&str>,
        now: DateTime<Utc>,
        expires_at: Option<DateTime<Utc>>,
        audit: &AuditEntry,
    ) -> StoreResult<()>;
    /// The enabled user an unexpired API token belongs to.
    async fn token_user(&self, token_hash: &str) -> StoreResult<Option<User>>;
    /// The user's API tokens (expired ones too, until revoked), oldest first; `UnknownUser`.
    async fn tokens(&self, user: &UserName) -> StoreResult<Vec<ApiToken>>;
    /// Revokes the user's token with this id (see [`ApiToken::id`]) and writes `audit`;
    /// `NoToken` (and no audit line) when the user has none with it.
    async fn revoke_token(&self, user: &UserName, id: &str, audit: &AuditEntry) -> StoreResult<()>;

    /// Records one failed sign-in under each key (`user:NAME`, `addr:IP`) and writes `audit`.
    async fn record_failure(&self, keys: &[String], at: DateTime<Utc>, audit: &AuditEntry) -> StoreResult<()>;
    /// Failed sign-ins under `key` at or after `since`.
    async fn failures_since(&self, key: &str, since: DateTime<Utc>) -> StoreResult<u64>;
    /// The latest failed sign-in under `key` at or after `since`, and how many there were.
    async fn failures(&self, key: &str, since: DateTime<Utc>) -> StoreResult<(u64, Option<DateTime<Utc>>)>;
    /// Forgets the failures under `key` (after a good sign-in).
    async fn clear_failures(&self, key: &str) -> StoreResult<()>;

    /// Appends to the audit log on its own, for what changes nothing in the store (a refused
    /// sign-in, a sign-out) and for callers not yet passing the line to their write.
    async fn audit(&self, entry: &AuditEntry) -> StoreResult<()>;
    /// The newest `limit` entries, newest first.
    async fn audit_log(&self, limit: u64) -> StoreResult<Vec<AuditEntry>>;
}
