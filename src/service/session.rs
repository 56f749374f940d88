//! Sign-in and sign-out.
//!
//! Failed sign-ins are counted in the store per account and per client address over a
//! 15-minute window, so the limit holds across every instance behind a load balancer. A locked
//! account is refused without checking the password, so guessing cannot go on in the dark, and
//! unknown names are checked against a decoy hash so they take as long as wrong passwords.
//! Every attempt (refused, failed, accepted) and every sign-out leaves an audit line.

use super::{Actor, ServiceError, ServiceResult};
use crate::auth::{password, token, AuditEntry, User, UserName};
use crate::store::Store;
use crate::time::now_micros;

/// The window failed sign-ins are counted over.
pub const WINDOW_MINUTES: i64 = 15;
/// Failed sign-ins from one address within the window before it is refused (several people may share an office NAT).
pub const MAX_FAILURES_PER_ADDRESS: u64 = 30;

/// How sign-ins are limited and how long a session lasts (from the configuration).
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Failed sign-ins per account within the window before it is locked.
    pub max_failed_sign_ins: u32,
    /// Session lifetime.
    pub session_hours: u32,
}

/// A new session: the user and the secret for the cookie (only its digest is stored).
#[derive(Debug)]
pub struct SignedIn {
    /// Who signed in.
    pub user: User,
    /// The session secret, for the cookie.
    pub secret: String,
    /// Hours until the session ends.
    pub hours: i64,
}

// A sign-in and a failed attempt write their audit line in the same transaction as the session
// or the failure count. Refusals and sign-outs have no write of their own to join: the answer is
// already decided, so a failing audit insert is logged loudly rather than turned into another answer.
async fn log(store: &dyn Store, by: &Actor, action: &str, target: Option<&str>, detail: Option<String>) {
    let e = AuditEntry::now(&by.name, action, target, by.address.as_deref(), detail);
    if let Err(err) = store.audit(&e).await {
        tracing::error!(error = %err, action, "cannot write the audit log");
    }
}

/// Checks a name and password; on success stores a session. `by` is the caller as they were
/// before signing in (usually anonymous) and supplies the address the failures are counted for.
pub async fn sign_in(store: &dyn Store, policy: Policy, by: &Actor, name_text: &str, pw: String) -> ServiceResult<SignedIn> {
    let since = now_micros() - chrono::Duration::minutes(WINDOW_MINUTES);
    let user_key = format!("user:{}", name_text.trim());
    let addr_key = format!("addr:{}", by.address.as_deref().unwrap_or("unknown"));
    if store.failures_since(&user_key, since).await? >= u64::from(policy.max_failed_sign_ins) {
        log(store, by, "sign_in_refused", Some(name_text), Some("account locked after failed sign-ins".into())).await;
        return Err(ServiceError::AccountLocked { name: name_text.to_owned(), minutes: WINDOW_MINUTES });
    }
    if store.failures_since(&addr_key, since).await? >= MAX_FAILURES_PER_ADDRESS {
        log(store, by, "sign_in_refused", Some(name_text), Some("address locked after failed sign-ins".into())).await;
        return Err(ServiceError::AddressLocked { minutes: WINDOW_MINUTES });
    }
    let found = match UserName::parse(name_text.trim()) {
        Ok(n) => store.user_with_hash(&n).await?,
        Err(_) => None,
    };
    let (user, stored) = match found {
        Some((u, h)) => (Some(u), h),
        None => (None, password::decoy()),
    };
    let ok = password::verify_blocking(pw, stored).await;
    let user = match user {
        Some(u) if ok && !u.disabled => u,
        _ => {
            let audit = AuditEntry::now(&by.name, "sign_in_failed", Some(name_text), by.address.as_deref(), None);
            store.record_failure(&[user_key, addr_key], now_micros(), &audit).await?;
            return Err(ServiceError::SignInFailed);
        }
    };
    store.clear_failures(&user_key).await?;
    let secret = token::random_secret();
    let now = now_micros();
    let hours = i64::from(policy.session_hours.max(1));
    let audit = AuditEntry::now(user.name.as_str(), "sign_in", Some(user.name.as_str()), by.address.as_deref(), None);
    store.add_session(&token::digest(&secret), user.id, now, now + chrono::Duration::hours(hours), &audit).await?;
    Ok(SignedIn { user, secret, hours })
}

/// Ends the session with this digest; a sign-out of a live session is audited.
pub async fn sign_out(store: &dyn Store, by: &Actor, session_digest: &str, signed_in: bool) -> ServiceResult<()> {
    store.remove_session(session_digest).await?;
    if signed_in {
        log(store, by, "sign_out", None, None).await;
    }
    Ok(())
}
