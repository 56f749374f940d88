//! Users, roles and credentials: who may read, edit and manage planmap.
//!
//! Four roles in increasing power: a viewer reads (needed only when reads are sign-in-only), a
//! planner also writes projects and its units' monthly reports, a reviewer (the plan office) also
//! approves and returns reports, an admin also manages users. Secrets never reach the store:
//! passwords are kept as argon2id hashes, session and API tokens as SHA-256 digests, so a copy of
//! the database grants nobody access.

pub mod password;
pub mod token;

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// What a user may do. Ordered: every role may do what the roles before it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads the map (matters only when reads are sign-in-only).
    Viewer,
    /// Also creates, edits, archives, restores and imports projects, and writes the monthly
    /// reports of its units (or of every project, with no unit).
    Planner,
    /// The plan office (区发改局): also approves, returns and corrects monthly reports.
    Reviewer,
    /// Also manages users and reads the audit log.
    Admin,
}

impl Role {
    /// The wire form.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Planner => "planner",
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is not one of the four.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a role; one of: viewer, planner, reviewer, admin")]
pub struct BadRole(pub String);

impl FromStr for Role {
    type Err = BadRole;
    fn from_str(s: &str) -> Result<Role, BadRole> {
        match s.trim() {
            "viewer" => Ok(Role::Viewer),
            "planner" => Ok(Role::Planner),
            "reviewer" => Ok(Role::Reviewer),
            "admin" => Ok(Role::Admin),
            other => Err(BadRole(other.to_owned())),
        }
    }
}

/// A sign-in name that breaks the rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a user name: use 2–64 characters of letters, digits, `.`, `_`, `-` or `@`")]
pub struct BadUserName(pub String);

/// A sign-in name. Letters include CJK, so planners may sign in as 张三; no spaces or control
/// characters, which would make audit lines and the CLI ambiguous.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct UserName(String);

impl UserName {
    /// Checks the rules.
    pub fn parse(s: &str) -> Result<UserName, BadUserName> {
        let n = s.chars().count();
        let ok = (2..=64).contains(&n) && s.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
        if ok {
            Ok(UserName(s.to_owned()))
        } else {
            Err(BadUserName(s.to_owned()))
        }
    }
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for UserName {
    type Err = BadUserName;
    fn from_str(s: &str) -> Result<UserName, BadUserName> {
        UserName::parse(s)
    }
}

/// A user as the store keeps it (without the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Store key.
    pub id: i64,
    /// Sign-in name.
    pub name: UserName,
    /// What the user may do.
    pub role: Role,
    /// Disabled users cannot sign in, and their sessions and tokens stop working.
    pub disabled: bool,
    /// When the user was added.
    #[serde(serialize_with = "ser_time")]
    pub created_at: DateTime<Utc>,
}

impl User {
    /// Whether the user may act with `role`'s rights.
    pub fn can(&self, role: Role) -> bool {
        !self.disabled && self.role >= role
    }
}

fn ser_time<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::time::rfc3339(*t))
}

/// An API token as listed (never the secret: only what identifies and limits it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    /// The first [`token::ID_LEN`] hex digits of the token's digest: enough to name it for
    /// `revoke`, useless for finding the token.
    pub id: String,
    /// What it is for.
    pub label: Option<String>,
    /// When it was issued.
    #[serde(serialize_with = "ser_time")]
    pub created_at: DateTime<Utc>,
    /// When it stops working; `None`: when revoked.
    #[serde(serialize_with = "ser_opt_time")]
    pub expires_at: Option<DateTime<Utc>>,
}

fn ser_opt_time<S: serde::Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&crate::time::rfc3339(*t)),
        None => s.serialize_none(),
    }
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// When (UTC, microseconds).
    #[serde(serialize_with = "ser_time")]
    pub at: DateTime<Utc>,
    /// User name, `cli`, or `anonymous`.
    pub actor: String,
    /// `sign_in`, `sign_in_failed`, `create`, `replace`, `archive`, `restore`, `import`, `user_add`, …
    pub action: String,
    /// Project id or user name.
    pub target: Option<String>,
    /// Client address.
    pub address: Option<String>,
    /// Version written, reason of a failure, …
    pub detail: Option<String>,
}

impl AuditEntry {
    /// An entry stamped now.
    pub fn now(actor: &str, action: &str, target: Option<&str>, address: Option<&str>, detail: Option<String>) -> AuditEntry {
        AuditEntry {
            at: crate::time::now_micros(),
            actor: actor.to_owned(),
            action: action.to_owned(),
            target: target.map(str::to_owned),
            address: address.map(str::to_owned),
            detail,
        }
    }
}
