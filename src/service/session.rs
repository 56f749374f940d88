//! Sign-in and sign-out.
//!
//! Failed sign-ins are counted in the store over a 15-minute window, so the limits hold across
//! every instance behind a load balancer, under two keys:
//! - per account *and* address (`pair:ADDR NAME`): after `max_failed_sign_ins` failures that
//!   address must wait before trying that account again, 30 s and doubling with each further
//!   failure up to the window. Someone typing the owner's name elsewhere therefore never locks
//!   the owner out: the owner's own address has its own count.
//! - per address (`addr:ADDR`, any account): a much higher allowance
//!   ([`ADDRESS_ALLOWANCE_FACTOR`] × the account one) with the same backoff, so one address
//!   cannot sweep many accounts, while an office behind one NAT does not lock everyone out after
//!   a few colleagues mistype.
//!
//! A throttled attempt is refused without checking the password (guessing cannot go on in the
//! dark) and answered 429 with `Retry-After`. Unknown names are checked against a decoy hash so
//! they take as long as wrong passwords. Every attempt (refused, failed, accepted) and every
//! sign-out leaves an audit line.

use super::{Actor, ServiceError, ServiceResult};
use crate::auth::{password, token, AuditEntry, User, UserName};
use crate::store::Store;
use crate::time::now_micros;
use chrono::{DateTime, Utc};

/// The window failed sign-ins are counted over, and the longest wait.
pub const WINDOW_MINUTES: i64 = 15;
/// The per-address allowance is this many times the per-account one (several people may share an office NAT).
pub const ADDRESS_ALLOWANCE_FACTOR: u64 = 20;
/// The wait after the first failure past an allowance; it doubles with each further one.
const FIRST_WAIT_SECONDS: i64 = 30;

/// How sign-ins are limited and how long a session lasts (from the configuration).
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Failed sign-ins per account and address within the window before backoff starts.
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

/// Seconds still to wait after `failures` failures within the window, the latest at `last`,
/// when `allowance` are free; `None` when a try is allowed now.
pub fn backoff(failures: u64, allowance: u64, last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<u64> {
    let last = last?;
    if failures < allowance.max(1) {
        return None;
    }
    let doublings = (failures - allowance.max(1)).min(16) as u32;
    let wait = (FIRST_WAIT_SECONDS << doublings).min(WINDOW_MINUTES * 60);
    let left = (last + chrono::Duration::seconds(wait) - now).num_milliseconds();
    // Rounded up, so a client that waits exactly `Retry-After` is let in.
    (left > 0).then(|| (left as u64).div_ceil(1000))
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
    let now = now_micros();
    let since = now - chrono::Duration::minutes(WINDOW_MINUTES);
    let address = by.address.as_deref().unwrap_or("unknown");
    let pair_key = format!("pair:{address} {}", name_text.trim());
    let addr_key = format!("addr:{address}");
    let per_account = u64::from(policy.max_failed_sign_ins);
    let (n, last) = store.failures(&pair_key, since).await?;
    if let Some(seconds) = backoff(n, per_account, last, now) {
        log(store, by, "sign_in_refused", Some(name_text), Some(format!("{n} failed sign-ins for this account from this address; wait {seconds} s"))).await;
        return Err(ServiceError::AccountLocked { name: name_text.to_owned(), seconds });
    }
    let (n, last) = store.failures(&addr_key, since).await?;
    if let Some(seconds) = backoff(n, per_account * ADDRESS_ALLOWANCE_FACTOR, last, now) {
        log(store, by, "sign_in_refused", Some(name_text), Some(format!("{n} failed sign-ins from this address; wait {seconds} s"))).await;
        return Err(ServiceError::AddressLocked { seconds });
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
            store.record_failure(&[pair_key, addr_key], now_micros(), &audit).await?;
            return Err(ServiceError::SignInFailed);
        }
    };
    store.clear_failures(&pair_key).await?;
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

#[cfg(test)]
mod tests {
    use super::backoff;
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn the_wait_starts_past_the_allowance_doubles_and_is_capped_at_the_window() {
        let last = Utc.with_ymd_and_hms(2026, 1, 1, 8, 0, 0).unwrap();
        assert_eq!(backoff(4, 5, Some(last), last), None, "within the allowance");
        assert_eq!(backoff(0, 5, None, last), None);
        assert_eq!(backoff(5, 5, Some(last), last), Some(30));
        assert_eq!(backoff(6, 5, Some(last), last), Some(60));
        assert_eq!(backoff(7, 5, Some(last), last), Some(120));
        assert_eq!(backoff(40, 5, Some(last), last), Some(15 * 60), "capped at the window");
        assert_eq!(backoff(5, 5, Some(last), last + Duration::seconds(29)), Some(1));
        assert_eq!(backoff(5, 5, Some(last), last + Duration::milliseconds(29_001)), Some(1), "rounded up");
        assert_eq!(backoff(5, 5, Some(last), last + Duration::seconds(30)), None, "waited long enough");
    }
}
