//! Users and API tokens, managed once for `planmap user …`/`planmap token …` and
//! `/api/users`. Every change writes its audit line (actor: the admin, or `cli`) in the same
//! transaction as the change, so no change goes unlogged and no line is left for a failed change.

use super::{Actor, ServiceError, ServiceResult};
use crate::auth::{password, token, AuditEntry, Role, User, UserName};
use crate::store::{Store, StoreError};

/// A user name as typed (surrounding space ignored).
pub fn parse_name(s: &str) -> ServiceResult<UserName> {
    Ok(UserName::parse(s.trim())?)
}

/// A role as typed.
pub fn parse_role(s: &str) -> ServiceResult<Role> {
    Ok(s.parse::<Role>()?)
}

fn line(by: &Actor, action: &str, target: &str, detail: Option<String>) -> AuditEntry {
    AuditEntry::now(&by.name, action, Some(target), by.address.as_deref(), detail)
}

/// Every user, by name.
pub async fn list(store: &dyn Store) -> ServiceResult<Vec<User>> {
    Ok(store.users().await?)
}

/// Adds a user with a new password (hashed here; the store never sees it).
pub async fn add(store: &dyn Store, by: &Actor, name: &str, role: &str, password: String) -> ServiceResult<User> {
    let name = parse_name(name)?;
    let role = parse_role(role)?;
    let hash = password::hash_blocking(password).await?;
    Ok(store.add_user(&name, role, &hash, &line(by, "user_add", name.as_str(), Some(format!("role {role}")))).await?)
}

/// What one change to a user may set; applied in this order (role, disabled, password).
#[derive(Debug, Default)]
pub struct Change {
    /// New role, as typed.
    pub role: Option<String>,
    /// Disable (`true`) or re-enable.
    pub disabled: Option<bool>,
    /// New password; ends the user's sessions.
    pub password: Option<String>,
}

/// Changes a user; `NothingToChange` when the change sets nothing.
pub async fn change(store: &dyn Store, by: &Actor, name: &str, change: Change) -> ServiceResult<User> {
    let name = parse_name(name)?;
    let mut user = None;
    if let Some(role) = &change.role {
        let role = parse_role(role)?;
        user = Some(store.set_role(&name, role, &line(by, "user_role", name.as_str(), Some(role.to_string()))).await?);
    }
    if let Some(d) = change.disabled {
        let action = if d { "user_disable" } else { "user_enable" };
        user = Some(store.set_disabled(&name, d, &line(by, action, name.as_str(), None)).await?);
    }
    if let Some(pw) = change.password {
        let hash = password::hash_blocking(pw).await?;
        user = Some(store.set_password(&name, &hash, &line(by, "user_password", name.as_str(), None)).await?);
    }
    user.ok_or(ServiceError::NothingToChange)
}

/// Issues an API token for a user; returns the user and the token (shown once: only its digest is stored).
pub async fn add_token(store: &dyn Store, by: &Actor, name: &str, label: Option<&str>) -> ServiceResult<(User, String)> {
    let name = parse_name(name)?;
    let (user, _) = store.user_with_hash(&name).await?.ok_or_else(|| StoreError::UnknownUser(name.to_string()))?;
    let t = token::new_api_token();
    let audit = line(by, "token_add", name.as_str(), label.map(str::to_owned));
    store.add_token(&token::digest(&t), user.id, label, crate::time::now_micros(), &audit).await?;
    Ok((user, t))
}

/// The newest `limit` audit lines (at most 5000), newest first.
pub async fn audit_log(store: &dyn Store, limit: u64) -> ServiceResult<Vec<AuditEntry>> {
    Ok(store.audit_log(limit.min(5000)).await?)
}
