//! Users and API tokens, managed once for `planmap user …`/`planmap token …` and
//! `/api/users`. Every change writes its audit line (actor: the admin, or `cli`) in the same
//! transaction as the change, so no change goes unlogged and no line is left for a failed change.

use super::{Actor, ServiceError, ServiceResult};
use crate::auth::{password, token, ApiToken, AuditEntry, Role, User, UserName};
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

/// Longest expiry a token may be given (ten years); longer is what "none" is for.
pub const MAX_TOKEN_DAYS: u32 = 3650;
/// Longest token label.
const MAX_LABEL_CHARS: usize = 200;

/// A new API token, shown once: only its digest is stored.
#[derive(Debug)]
pub struct NewToken {
    /// Whom it acts as.
    pub user: User,
    /// The secret, for `Authorization: Bearer …`.
    pub secret: String,
    /// How it is listed and revoked.
    pub info: ApiToken,
}

/// Issues an API token for a user, lasting `expires_days` days (1–[`MAX_TOKEN_DAYS`]) or until revoked.
pub async fn add_token(store: &dyn Store, by: &Actor, name: &str, label: Option<&str>, expires_days: Option<u32>) -> ServiceResult<NewToken> {
    let name = parse_name(name)?;
    if let Some(days) = expires_days.filter(|d| !(1..=MAX_TOKEN_DAYS).contains(d)) {
        return Err(ServiceError::BadToken(format!("`expires_days` must be 1–{MAX_TOKEN_DAYS}; got {days}")));
    }
    let label = label.map(str::trim).filter(|l| !l.is_empty());
    if label.is_some_and(|l| l.chars().count() > MAX_LABEL_CHARS || l.chars().any(char::is_control)) {
        return Err(ServiceError::BadToken(format!("`label` must be one line of at most {MAX_LABEL_CHARS} characters")));
    }
    let (user, _) = store.user_with_hash(&name).await?.ok_or_else(|| StoreError::UnknownUser(name.to_string()))?;
    let secret = token::new_api_token();
    let digest = token::digest(&secret);
    let now = crate::time::now_micros();
    let expires_at = expires_days.map(|d| now + chrono::Duration::days(i64::from(d)));
    let detail = match (label, expires_at) {
        (l, Some(t)) => Some(format!("{} expires {}", l.unwrap_or("-"), crate::time::rfc3339(t))),
        (l, None) => l.map(str::to_owned),
    };
    store.add_expiring_token(&digest, user.id, label, now, expires_at, &line(by, "token_add", name.as_str(), detail)).await?;
    let info = ApiToken { id: digest[..token::ID_LEN].to_owned(), label: label.map(str::to_owned), created_at: now, expires_at };
    Ok(NewToken { user, secret, info })
}

/// The user's API tokens, oldest first.
pub async fn tokens(store: &dyn Store, name: &str) -> ServiceResult<Vec<ApiToken>> {
    Ok(store.tokens(&parse_name(name)?).await?)
}

/// Revokes one of the user's API tokens by its id (as listed).
pub async fn revoke_token(store: &dyn Store, by: &Actor, name: &str, id: &str) -> ServiceResult<()> {
    let name = parse_name(name)?;
    let id = id.trim().to_ascii_lowercase();
    if !token::is_id(&id) {
        // Not an id at all: no token has it, said the same way as a well-formed id nobody has.
        return Err(StoreError::NoToken { user: name.to_string(), id }.into());
    }
    Ok(store.revoke_token(&name, &id, &line(by, "token_revoke", name.as_str(), Some(id.clone()))).await?)
}

/// The newest `limit` audit lines (at most 5000), newest first.
pub async fn audit_log(store: &dyn Store, limit: u64) -> ServiceResult<Vec<AuditEntry>> {
    Ok(store.audit_log(limit.min(5000)).await?)
}
