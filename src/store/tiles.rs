//! Where tiles come from and how a tile cache learns of writes, per backend.
//!
//! - Embedded: the projects of a tile are listed through the R*Tree prefilter like any bbox
//!   query and encoded in process (`crate::tiles::encode`). Writers are serialised by SQLite, so
//!   `project_revision.rowid` grows in commit order and is the change feed: a cache compares the
//!   highest rowid with what it has seen before answering, which also catches the command line
//!   writing to the same file.
//! - PostGIS: one `ST_AsMVT` query per tile. Row ids from a sequence do not grow in commit order,
//!   so the feed is `LISTEN/NOTIFY` instead: a trigger (migration 0010) announces every revision
//!   as `<project id> <version>` at commit, to every planmap instance on the database.

use super::tiles_postgis::PostgisTiles;
use super::tiles_sqlite::SqliteTiles;
use super::{StoreError, StoreResult, StoreUrl};
use crate::geometry::Region;
use crate::project::ProjectFilter;
use crate::tiles::TileId;

pub use super::tiles_postgis::{Heard, RevisionListener};

/// The tile side of a store.
#[derive(Debug)]
pub enum TileSource {
    /// Embedded SQLite.
    Sqlite(SqliteTiles),
    /// PostGIS.
    Postgis(PostgisTiles),
}

/// A revision named by a change announcement: project id and version.
pub type RevisionRef = (String, i64);

impl TileSource {
    /// Opens its own connections to the store at `url` (migrated already by the store itself);
    /// its tiles cluster when they hold more than `cluster_over` projects
    /// ([`crate::tiles::CLUSTER_OVER`]).
    pub async fn open(url: &StoreUrl, region: Region, cluster_over: u32) -> StoreResult<TileSource> {
        Ok(match url {
            StoreUrl::Sqlite(u) => TileSource::Sqlite(SqliteTiles::open(u, region, cluster_over).await?),
            StoreUrl::Postgres(u) => TileSource::Postgis(PostgisTiles::open(u, cluster_over).await?),
        })
    }

    /// The encoded tile (an empty vector when no project is in it).
    pub async fn tile(&self, tile: TileId, filter: &ProjectFilter) -> StoreResult<Vec<u8>> {
        match self {
            TileSource::Sqlite(s) => s.tile(tile, filter).await,
            TileSource::Postgis(s) => s.tile(tile, filter).await,
        }
    }

    /// Whether writes are announced (PostGIS) rather than found by comparing a mark (SQLite).
    pub fn announces(&self) -> bool {
        matches!(self, TileSource::Postgis(_))
    }

    /// Embedded: the highest revision row; grows with every accepted write.
    pub async fn revision_mark(&self) -> StoreResult<i64> {
        match self {
            TileSource::Sqlite(s) => s.revision_mark().await,
            TileSource::Postgis(_) => Err(unsupported()),
        }
    }

    /// Embedded: the geometries that revisions after `mark` put on or took off the map (each
    /// revision's own and its predecessor's), and the new mark.
    pub async fn changed_since(&self, mark: i64) -> StoreResult<(i64, Vec<geo::Geometry<f64>>)> {
        match self {
            TileSource::Sqlite(s) => s.changed_since(mark).await,
            TileSource::Postgis(_) => Err(unsupported()),
        }
    }

    /// PostGIS: a connection listening for revision announcements and for fence pings on
    /// `fence_channel` (one per instance).
    pub async fn listen(&self, fence_channel: &str) -> StoreResult<RevisionListener> {
        match self {
            TileSource::Postgis(s) => s.listen(fence_channel).await,
            TileSource::Sqlite(_) => Err(unsupported()),
        }
    }

    /// PostGIS: sends fence ping `n`; the listener hears it after every announcement committed
    /// before it, which is how a request learns it has seen all writes that preceded it.
    pub async fn ping(&self, fence_channel: &str, n: u64) -> StoreResult<()> {
        match self {
            TileSource::Postgis(s) => s.ping(fence_channel, n).await,
            TileSource::Sqlite(_) => Err(unsupported()),
        }
    }

    /// PostGIS: the geometries the named revisions put on or took off the map.
    pub async fn revision_geometries(&self, revisions: &[RevisionRef]) -> StoreResult<Vec<geo::Geometry<f64>>> {
        match self {
            TileSource::Postgis(s) => s.revision_geometries(revisions).await,
            TileSource::Sqlite(_) => Err(unsupported()),
        }
    }
}

fn unsupported() -> StoreError {
    StoreError::Open("this store has no such change feed".into())
}

/// A stored GeoJSON geometry as `geo`; revisions were checked on write, so failure is corruption
/// (named by `key`, which is only formatted then: tiles parse a geometry per row).
pub(super) fn parse_geometry(text: &str, key: impl Fn() -> String) -> StoreResult<geo::Geometry<f64>> {
    crate::geometry::read_text(text).map_err(|reason| StoreError::Corrupt { key: key(), reason })
}
