//! The one seam between planmap and its databases.
//!
//! Both implementations must pass every case in `tests/store/cases.rs`. A behaviour that is not
//! in that file is not part of the contract, whatever one backend happens to do. Decided
//! semantics: bbox = exact intersection, touching counts; list order = by id; `q` = substring of
//! `name_zh`/`name_en`, ASCII case-insensitive; money exact; times in microseconds.
//!
//! Where things live: `project_sql.rs` and `auth_sql.rs` hold every statement both databases
//! accept as written (`$n` parameters work in SQLite too), compiled once per backend; each
//! backend file (`sqlite.rs`, `postgis.rs`) holds its `dialect` (time and money encoding, how a
//! write transaction starts, spatial bookkeeping) and its filtered reads (R*Tree + `geo` /
//! PostGIS SQL). `sql.rs` has the filter conditions and row decoding; `cql2_sql.rs` turns CQL2
//! into PostGIS SQL. A project field with its own column is added to `project_sql::columns` and
//! to both migration folders.

mod auth;
mod cql2_sql;
mod extras;
pub mod mbtiles;
mod postgis;
mod progress;
mod sql;
mod sqlite;
pub mod tiles;
mod tiles_postgis;
mod tiles_sqlite;

pub use auth::AuthStore;
pub use extras::ExtrasStore;
pub use postgis::PostgisStore;
pub use progress::{ProgressStore, ReportChange, ReportQuery, ReportRevision};
pub use sqlite::SqliteStore;

use crate::project::{NewProject, Page, Project, ProjectFilter, ProjectId, Stats, Towns, Version};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt;
use std::sync::Arc;

/// Which database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// Embedded SQLite file.
    Sqlite,
    /// PostgreSQL with PostGIS.
    Postgis,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgis => "postgis",
        })
    }
}

/// Who wrote and why; recorded with every revision, and in the audit log in the same
/// transaction, so no accepted write can be missing from either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionMeta {
    /// User name, or `seed` / `import` / `demo-data` for the CLI.
    pub author: String,
    /// Free text.
    pub comment: Option<String>,
    /// Client address, for the audit log.
    pub address: Option<String>,
    /// Audit action to record instead of the store's own (`create`, `replace`, `archive`), e.g. `patch`, `restore`, `import`.
    pub action: Option<&'static str>,
}

impl RevisionMeta {
    /// A revision by `author`.
    pub fn by(author: &str, comment: Option<&str>) -> RevisionMeta {
        RevisionMeta { author: author.to_owned(), comment: comment.map(str::to_owned), address: None, action: None }
    }
    /// The same, recording the client address and the action for the audit log.
    pub fn audited(mut self, address: Option<&str>, action: Option<&'static str>) -> RevisionMeta {
        self.address = address.map(str::to_owned);
        self.action = action;
        self
    }
}

/// One accepted write.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Revision {
    /// The project.
    pub project_id: ProjectId,
    /// The version this write produced.
    pub version: Version,
    /// Who.
    pub author: String,
    /// Why.
    pub comment: Option<String>,
    /// When (UTC, microseconds).
    #[serde(serialize_with = "ser_time")]
    pub created_at: DateTime<Utc>,
    /// This write archived the project.
    pub archived: bool,
    /// The Feature after the write (for an archive: the last state).
    pub feature: serde_json::Value,
}

fn ser_time<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::time::rfc3339(*t))
}

/// How a batch treats ids that already exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchMode {
    /// Every id must be new.
    CreateOnly,
    /// New ids are created, existing ones replaced (unchanged ones left alone).
    Upsert,
}

/// What a batch did, per id, in input order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchOutcome {
    /// `(id, what happened)`.
    pub items: Vec<(ProjectId, BatchAction)>,
}

/// What happened to one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BatchAction {
    /// New project.
    Created,
    /// Replaced an existing one.
    Updated,
    /// Identical to what was stored; nothing written.
    Unchanged,
}

/// How many live projects, real and synthetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Census {
    /// From the seed, imports and edits.
    pub real: u64,
    /// From `planmap demo-data`.
    pub synthetic: u64,
}

/// Where and when the live projects are, for `/collections` (OGC API – Features).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Extent {
    /// Live projects.
    pub count: u64,
    /// A box containing every geometry; `None` when there are no projects. The embedded store
    /// reads it from its R*Tree, whose boxes are rounded outward to 32-bit floats: it may be a
    /// few metres larger than the tightest box, never smaller.
    pub bbox: Option<crate::geometry::Bbox>,
    /// The earliest `start_date`.
    pub first_start: Option<chrono::NaiveDate>,
    /// The latest end (`actual_completion`, else `planned_completion`) of the projects with a `start_date`.
    pub last_end: Option<chrono::NaiveDate>,
    /// Some project with a `start_date` has no end yet: the interval is open.
    pub open_ended: bool,
}

impl Extent {
    pub(crate) fn from_parts(count: i64, bbox: [Option<f64>; 4], first: Option<String>, last: Option<String>, open: bool) -> StoreResult<Extent> {
        let date = |s: Option<String>| -> StoreResult<Option<chrono::NaiveDate>> {
            s.map(|s| chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|e| StoreError::Corrupt { key: format!("date {s}"), reason: e.to_string() }))
                .transpose()
        };
        let bbox = match bbox {
            [Some(a), Some(b), Some(c), Some(d)] => Some(crate::geometry::Bbox::from_rect(geo::Rect::new((a, b), (c, d)))),
            _ => None,
        };
        Ok(Extent { count: count.max(0) as u64, bbox, first_start: date(first)?, last_end: date(last)?, open_ended: open })
    }
}

/// What can go wrong in a store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No live project with that id.
    #[error("project `{0}` does not exist")]
    NotFound(ProjectId),
    /// No such revision.
    #[error("project `{0}` has no version {1}")]
    NoRevision(ProjectId, Version),
    /// Create on an id that is live.
    #[error("project `{0}` already exists")]
    AlreadyExists(ProjectId),
    /// Compare-and-swap failed.
    #[error("project `{id}` is at version {current}; the request was based on version {expected}")]
    VersionMismatch {
        /// The project.
        id: ProjectId,
        /// What the writer had.
        expected: Version,
        /// What is stored.
        current: Version,
    },
    /// Adding a user whose name is taken.
    #[error("a user named `{0}` already exists")]
    UserExists(String),
    /// No user of that name.
    #[error("there is no user named `{0}`")]
    UnknownUser(String),
    /// The change would leave no enabled admin to manage users.
    #[error("`{0}` is the last enabled admin; make another user an admin first")]
    LastAdmin(String),
    /// The user has no API token with that id.
    #[error("user `{user}` has no API token `{id}`; see `planmap token list {user}`")]
    NoToken {
        /// The user.
        user: String,
        /// The id asked for.
        id: String,
    },
    /// No unit of that name.
    #[error("there is no unit named `{0}`; see `planmap unit list` or GET /api/units")]
    UnknownUnit(String),
    /// No report with that id.
    #[error("there is no report {0}")]
    NoReport(crate::progress::ReportId),
    /// One report per project and month.
    #[error("project `{project}` already has a report for {period}")]
    ReportExists {
        /// The project.
        project: ProjectId,
        /// The month.
        period: crate::progress::Period,
    },
    /// Compare-and-swap on a report failed.
    #[error("report {id} is at version {current}; the request was based on version {expected}")]
    ReportVersion {
        /// The report.
        id: crate::progress::ReportId,
        /// What the writer had.
        expected: i64,
        /// What is stored.
        current: i64,
    },
    /// No photo with that id.
    #[error("there is no photo {0}")]
    NoPhoto(crate::progress::PhotoId),
    /// A stored row fails planmap's own rules.
    #[error("stored row {key} cannot be read back: {reason}")]
    Corrupt {
        /// Which row.
        key: String,
        /// Why.
        reason: String,
    },
    /// The store cannot be opened or set up (bad URL, missing PostGIS, migrations).
    #[error("cannot open the store: {0}")]
    Open(String),
    /// The database cannot be reached (down, restarting, refusing connections, or every
    /// connection busy past the acquire timeout): worth retrying shortly, unlike `Database`.
    #[error("the database is unavailable while {action}")]
    Unavailable {
        /// What planmap was doing.
        action: &'static str,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// Anything the database reported.
    #[error("database error while {action}")]
    Database {
        /// What planmap was doing.
        action: &'static str,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
}

/// Store results.
pub type StoreResult<T> = Result<T, StoreError>;

pub(crate) fn db(action: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| if is_outage(&source) { StoreError::Unavailable { action, source } } else { StoreError::Database { action, source } }
}

/// Whether a driver error means the database is out of reach rather than that it refused this
/// statement: no connection within the acquire timeout, a socket error, or a server-side
/// connection failure (SQLSTATE class 08, 57P01–57P03 shutdown / restart, 53300 too many connections).
fn is_outage(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(d) => d.code().is_some_and(|c| c.starts_with("08") || c.starts_with("57P") || c == "53300"),
        _ => false,
    }
}

impl StoreError {
    /// The connection the statement ran on was lost (not merely none free): a second try on a
    /// fresh connection is likely to work, e.g. after a PostgreSQL restart.
    fn connection_dropped(&self) -> bool {
        matches!(self, StoreError::Unavailable { source, .. } if !matches!(source, sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed))
    }
}

/// Runs a read, and once more when its connection was dropped under it. Only reads: a write
/// whose connection dropped may or may not have committed, and its caller must find out.
pub(crate) async fn read_twice<T, F, Fut>(read: F) -> StoreResult<T>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = StoreResult<T>>,
{
    match read().await {
        Err(e) if e.connection_dropped() => {
            tracing::warn!(error = %e, "a read lost its database connection; trying once more");
            read().await
        }
        r => r,
    }
}

/// The storage contract. Credentials are the [`AuthStore`] part and progress tracking the
/// [`ProgressStore`] part, so one `Arc<dyn Store>` serves all.
#[async_trait::async_trait]
pub trait Store: AuthStore + ProgressStore + ExtrasStore + Send + Sync + fmt::Debug + 'static {
    /// Which database, for logs and /readyz.
    fn backend(&self) -> Backend;
    /// A cheap round trip.
    async fn ping(&self) -> StoreResult<()>;

    /// Live projects matching `filter`, ordered by id, sliced by `page`. With `filter.as_of`, the
    /// projects as they were at that instant: per project the latest revision written at or
    /// before it, unless that revision archived the project.
    async fn list(&self, filter: &ProjectFilter, page: Page) -> StoreResult<Vec<Project>>;
    /// The ids of the live projects `filter` selects, in id order. `None` when more than `cap`
    /// match, or when the store finds pages after the last id cheaper (PostGIS, past a fifth of
    /// the table) or has no cheaper way to the ids than listing the projects (the embedded
    /// store as of an instant). The list may hold ids the filter does not select (the embedded
    /// store decides boxes and CQL2 exactly only on reading the projects), never leaves out one
    /// that it does. A streamed read lists these once and then reads its pages by id, rather
    /// than running the filter again for every page.
    async fn candidate_ids(&self, filter: &ProjectFilter, cap: usize) -> StoreResult<Option<Vec<ProjectId>>>;
    /// How many of those ids a streamed read looks up per read, when the store prefers a number
    /// of its own to the reader's page.
    fn ids_per_read(&self) -> Option<u64>;
    /// How many live projects match.
    async fn count(&self, filter: &ProjectFilter) -> StoreResult<u64>;
    /// One live project.
    async fn get(&self, id: &ProjectId) -> StoreResult<Project>;
    /// Live projects by kind of origin.
    async fn census(&self) -> StoreResult<Census>;
    /// Every revision of a project (archived ones too), oldest first.
    async fn history(&self, id: &ProjectId) -> StoreResult<Vec<Revision>>;
    /// The projects archived now (not live again): per project its archiving revision (who, when,
    /// and in `feature` its last state), the most recently archived first.
    async fn archived(&self) -> StoreResult<Vec<Revision>>;
    /// One revision; `NoRevision` when the project has none with that version, `NotFound` when it has none at all.
    async fn revision(&self, id: &ProjectId, version: Version) -> StoreResult<Revision> {
        // Default over `history`: projects have tens of revisions, not thousands.
        self.history(id).await?.into_iter().find(|r| r.version == version).ok_or_else(|| StoreError::NoRevision(id.clone(), version))
    }

    /// Creates; fails with `AlreadyExists` on a live id. Appends one revision.
    async fn create(&self, new: &NewProject, meta: &RevisionMeta) -> StoreResult<Project>;
    /// Replaces when the stored version is `expected`. Appends one revision.
    async fn replace(&self, expected: Version, new: &NewProject, meta: &RevisionMeta) -> StoreResult<Project>;
    /// Archives when the stored version is `expected`: gone from reads, kept in history.
    async fn archive(&self, id: &ProjectId, expected: Version, meta: &RevisionMeta) -> StoreResult<Version>;
    /// Writes every item or none.
    async fn apply_batch(&self, items: &[NewProject], mode: BatchMode, meta: &RevisionMeta) -> StoreResult<BatchOutcome>;

    /// The spatial and temporal extent of the live projects, computed in the database.
    async fn extent(&self) -> StoreResult<Extent>;

    /// Counts and investment of the matching projects. Default: aggregate the listed rows in
    /// Rust, so both stores share one definition of every number (money sums exactly, which
    /// SQLite's `sum` would not), a page at a time after the last id read, so memory stays flat.
    async fn stats(&self, filter: &ProjectFilter, towns: &Towns) -> StoreResult<Stats> {
        const PAGE: u64 = 1000;
        let mut acc = crate::project::StatsBuilder::new(towns);
        let mut f = filter.clone();
        loop {
            let page = self.list(&f, Page { offset: 0, limit: Some(PAGE) }).await?;
            for p in &page {
                acc.add(&p.props);
            }
            match page.last() {
                Some(last) if page.len() as u64 == PAGE => f.after = Some(last.id.clone()),
                _ => return Ok(acc.finish()),
            }
        }
    }
}

/// Where the data lives, parsed from `DATABASE_URL`.
#[derive(Clone, PartialEq, Eq)]
pub enum StoreUrl {
    /// `sqlite:path` or `sqlite://path`.
    Sqlite(String),
    /// `postgres://…` or `postgresql://…`.
    Postgres(String),
}

impl fmt::Debug for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

/// Prints the URL with any password replaced, so it can go in logs.
impl fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreUrl::Sqlite(s) => f.write_str(s),
            StoreUrl::Postgres(s) => {
                // postgres://user:secret@host → postgres://user:***@host
                match (s.find("://"), s.rfind('@')) {
                    (Some(scheme), Some(at)) if at > scheme => {
                        let userinfo = &s[scheme + 3..at];
                        match userinfo.find(':') {
                            Some(c) => write!(f, "{}{}:***{}", &s[..scheme + 3], &userinfo[..c], &s[at..]),
                            None => f.write_str(s),
                        }
                    }
                    _ => f.write_str(s),
                }
            }
        }
    }
}

impl std::str::FromStr for StoreUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.starts_with("sqlite:") {
            Ok(StoreUrl::Sqlite(s.to_owned()))
        } else if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Ok(StoreUrl::Postgres(s.to_owned()))
        } else {
            Err(format!("DATABASE_URL must start with sqlite: or postgres://; got `{}`", s.split(':').next().unwrap_or("")))
        }
    }
}

/// Opens the store the URL names and applies its migrations.
pub async fn open(url: &StoreUrl, region: crate::geometry::Region) -> StoreResult<Arc<dyn Store>> {
    Ok(match url {
        StoreUrl::Sqlite(u) => Arc::new(SqliteStore::open(u, region).await?),
        StoreUrl::Postgres(u) => Arc::new(PostgisStore::open(u, region).await?),
    })
}
