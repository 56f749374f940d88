//! Use cases: what planmap does, once, for every door it is asked through.
//!
//! The HTTP handlers (`src/api/`) and the command line (`src/main.rs`) both call these
//! functions; neither holds edit, import, user or sign-in logic of its own. A use case takes
//! the store (and who is acting) and returns [`ServiceError`], which knows nothing of HTTP:
//! `src/api/problem.rs` maps it to problem+json in one place, the CLI prints it.
//!
//! | rule | where |
//! |---|---|
//! | create, replace, merge-patch, archive, restore, diff; `If-Match`-less writes are still compare-and-swap | [`edit`] |
//! | bulk import: all or nothing, per-feature report, dry run | [`import`] |
//! | users and API tokens, each change with its audit line | [`users`] |
//! | sign-in rate limits, decoy hashing, sessions, sign-out | [`session`] |
//! | export: one paging loop feeding a format writer (its own `ExportError`) | [`export`] |
//! | monthly reports and their workflow, milestones, users' units, KPIs (its own `ProgressError`) | [`progress`] |
//! | report photos: sniffed, thumbnailed, EXIF (its own `PhotoError`) | [`photos`] |
//! | the 月报表 as XLSX and CSV | [`report_table`] |
//! | late units, the deadline, the group-robot message (its own `WebhookError`) | [`reminders`] |
//! | the plan's target values, their seed and on-track judgement | [`targets`] |
//! | synthetic reports and milestones for `planmap demo-data` | [`demo_progress`] |
//! | the seed's sourced start and completion dates as milestones | [`sourced_milestones`] |

pub mod demo_progress;
pub mod edit;
pub mod export;
pub mod import;
pub mod photos;
pub mod progress;
pub mod reminders;
pub mod report_table;
pub mod session;
pub mod sourced_milestones;
pub mod targets;
pub mod users;

use crate::auth::{BadRole, BadUserName};
use crate::project::{Invalid, ProjectId, Version};
use crate::store::StoreError;

/// Who is acting, for revisions and the audit log: a user name (or `cli`, `anonymous`) and the
/// client address when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Name written as author and audit actor.
    pub name: String,
    /// Client address, for the audit log.
    pub address: Option<String>,
}

impl Actor {
    /// The command line: actor `cli`, no address.
    pub fn cli() -> Actor {
        Actor { name: "cli".into(), address: None }
    }
}

/// Why a use case refused or failed. Display texts are the sentences users read (the HTTP
/// `detail`, the CLI's error line).
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A project that breaks the rules, per field.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// One geometry with more vertices than allowed (counted before it is parsed).
    #[error("the geometry has {count} vertices; at most {max} are accepted per geometry")]
    GeometryTooLarge {
        /// Found.
        count: usize,
        /// Limit.
        max: usize,
    },
    /// A revision comment that is not short text.
    #[error("`comment` must be text of at most 2000 characters")]
    BadComment,
    /// A diff bound naming a version the project does not have.
    #[error("project `{id}` has no version {version} (latest is {latest})")]
    NoSuchVersion {
        /// The query parameter that named it (`from` or `to`).
        param: &'static str,
        /// The project.
        id: ProjectId,
        /// The version asked for.
        version: Version,
        /// The newest version.
        latest: Version,
    },
    /// A write whose `If-Match` / `If-Unmodified-Since` does not hold for the current state.
    #[error("project `{id}`: {reason}")]
    Precondition {
        /// The project.
        id: ProjectId,
        /// Its current version (or latest revision's).
        current: Version,
        /// Which precondition failed, and why.
        reason: String,
    },
    /// An import that is not a FeatureCollection.
    #[error("expected a GeoJSON FeatureCollection: {0}")]
    NotACollection(String),
    /// An import with too many features.
    #[error("the file has {count} features; at most {max} are accepted in one import")]
    TooManyFeatures {
        /// Found.
        count: usize,
        /// Limit.
        max: usize,
    },
    /// An import with an oversized geometry (checked before parsing it).
    #[error("feature {index} has {count} vertices; at most {max} are accepted per geometry")]
    TooManyVertices {
        /// Position in the file.
        index: usize,
        /// Found.
        count: usize,
        /// Limit.
        max: usize,
    },
    /// A user name that breaks the rules.
    #[error(transparent)]
    BadUserName(#[from] BadUserName),
    /// Not one of the three roles.
    #[error(transparent)]
    BadRole(#[from] BadRole),
    /// A password that cannot be used (too short).
    #[error(transparent)]
    BadPassword(#[from] crate::auth::password::BadPassword),
    /// An API token request that cannot be met (expiry out of range, unusable label).
    #[error("{0}")]
    BadToken(String),
    /// A user change that changes nothing.
    #[error("send `role`, `disabled` and/or `password`")]
    NothingToChange,
    /// Too many failed sign-ins for one account from this address: wait.
    #[error("too many failed sign-ins for `{name}` from this address; try again in {seconds} s, or ask an admin")]
    AccountLocked {
        /// The name tried.
        name: String,
        /// Seconds to wait.
        seconds: u64,
    },
    /// Too many failed sign-ins from one address, whatever the account: wait.
    #[error("too many failed sign-ins from this address; try again in {seconds} s")]
    AddressLocked {
        /// Seconds to wait.
        seconds: u64,
    },
    /// Unknown user, wrong password or disabled account (deliberately not told apart).
    #[error("unknown user, wrong password, or disabled account")]
    SignInFailed,
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Results of use cases.
pub type ServiceResult<T> = Result<T, ServiceError>;
