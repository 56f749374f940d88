//! The tile cache: encoded tiles kept in memory within a byte budget, each under its tile and
//! filter, and dropped exactly when a write touches them.
//!
//! Which tiles a write touches: every cached tile whose buffered square (Web Mercator) the old
//! or the new geometry intersects, at whatever zoom it was cached — the same test that decides
//! whether a project is encoded into a tile at all, so nothing stale stays and nothing else goes.
//!
//! Races: a tile rendered from data read before a write must not be stored after that write's
//! eviction ran. Every eviction bumps `epoch` under a write lock; a render notes the epoch
//! before reading and is stored only if the epoch is unchanged, checked under the read lock.
//!
//! How writes are learnt (see `crate::store::tiles`): on SQLite every request compares the
//! revision mark with the one last seen and catches up first. On PostGIS a listener task hears
//! the announcements of every instance's writes and evicts; before answering from memory, a
//! request waits for a *fence*: a NOTIFY this instance sends to itself, which PostgreSQL
//! delivers after every announcement committed before it, so once the listener has applied the
//! batch holding the ping, every write that finished before the request arrived is applied.
//! Requests arriving while a ping is in flight share the next one, so under load one round trip
//! serves many. Either way an answer is never older than a write committed before the request
//! came in; when the listener is down or a fence is late, tiles are rendered and not stored.

use super::TileId;
use crate::project::ProjectFilter;
use crate::store::tiles::{RevisionListener, TileSource};
use crate::store::StoreResult;
use bytes::Bytes;
use geo::{BoundingRect, Intersects};
use rstar::{primitives::GeomWithData, primitives::Rectangle, RTree, AABB};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// A tile and the filter it was drawn with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    tile: TileId,
    /// The parsed filter's canonical text (lists sorted and deduplicated by the parser).
    filter: Arc<str>,
    /// Drawn `as_of` a past instant: no later write changes it, so no write evicts it.
    frozen: bool,
}

/// An encoded tile.
#[derive(Debug, Clone)]
struct Entry {
    /// gzip of the protobuf; empty for a tile without features.
    gzip: Bytes,
    etag: Arc<str>,
}

/// What the cache answers with.
#[derive(Debug, Clone)]
pub struct TileReply {
    /// gzip-compressed tile; empty when the tile has no feature.
    pub gzip: Bytes,
    /// Strong validator: a digest of the tile's bytes (equal on every instance).
    pub etag: Arc<str>,
    /// Drawn as of a past instant: it will not change.
    pub frozen: bool,
    /// How it was answered.
    pub freshness: Freshness,
}

/// How a tile was answered, for the `X-Cache` header and the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// From memory.
    Hit,
    /// Rendered and stored.
    Miss,
    /// Rendered and not stored (cache off, recent `as_of`, or writes being applied).
    Bypass,
}

impl Freshness {
    /// Header text.
    pub fn as_str(self) -> &'static str {
        match self {
            Freshness::Hit => "hit",
            Freshness::Miss => "miss",
            Freshness::Bypass => "bypass",
        }
    }
}

/// Tiles with exact invalidation. One per process; cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct TileCache {
    source: TileSource,
    cache: Option<moka::sync::Cache<Key, Entry>>,
    /// Bumped by every eviction; see the module comment.
    epoch: RwLock<u64>,
    /// SQLite: the revision mark already applied.
    mark: AtomicI64,
    /// Serialises catching up so two requests do not apply the same revisions twice.
    catching_up: tokio::sync::Mutex<()>,
    /// PostGIS: the listener is connected.
    listening: AtomicBool,
    /// PostGIS: fence pings (see the module comment).
    fence: Fence,
    /// Tiles evicted by writes since start (for logs and tests).
    evicted: AtomicU64,
}

impl TileCache {
    /// A cache of at most `budget_bytes` (0: no cache, every tile rendered) over `source`.
    pub async fn new(source: TileSource, budget_bytes: u64) -> StoreResult<Arc<TileCache>> {
        let cache = (budget_bytes > 0).then(|| {
            moka::sync::Cache::builder()
                .max_capacity(budget_bytes)
                .weigher(|k: &Key, v: &Entry| u32::try_from(v.gzip.len() + k.filter.len() + 96).unwrap_or(u32::MAX))
                .build()
        });
        let mark = if source.announces() { 0 } else { source.revision_mark().await? };
        let fence = Fence {
            channel: format!("planmap_fence_{}", uuid::Uuid::new_v4().simple()),
            slot: std::sync::Mutex::new(FenceSlot::default()),
            sending: tokio::sync::Mutex::new(()),
            applied: tokio::sync::watch::channel(0).0,
        };
        // Start listening before serving, so that no write after start goes unheard.
        let listener = if source.announces() && cache.is_some() { Some(source.listen(&fence.channel).await?) } else { None };
        let me = Arc::new(TileCache {
            source,
            cache,
            epoch: RwLock::new(0),
            mark: AtomicI64::new(mark),
            catching_up: tokio::sync::Mutex::new(()),
            listening: AtomicBool::new(listener.is_some()),
            fence,
            evicted: AtomicU64::new(0),
        });
        if let Some(l) = listener {
            tokio::spawn(listen(Arc::downgrade(&me), l));
        }
        Ok(me)
    }

    /// Tiles evicted by writes so far.
    pub fn evicted(&self) -> u64 {
        self.evicted.load(Ordering::Relaxed)
    }

    /// Whether PostGIS announcements are being heard (always true on SQLite or without a cache).
    pub fn ready(&self) -> bool {
        !self.source.announces() || self.cache.is_none() || self.listening.load(Ordering::Acquire)
    }

    /// The tile for `filter`, from memory when nothing it shows has changed since it was drawn.
    pub async fn get(&self, tile: TileId, filter: &ProjectFilter) -> StoreResult<TileReply> {
        let now = chrono::Utc::now();
        // A past instant's map cannot change; one within the last minute still can (a write
        // stamped before it may not have committed yet).
        let frozen = filter.as_of.is_some_and(|t| t < now - chrono::Duration::minutes(1));
        let mut usable = self.cache.is_some() && (filter.as_of.is_none() || frozen);
        if usable && !self.source.announces() {
            let mark = self.source.revision_mark().await?;
            if mark != self.mark.load(Ordering::Acquire) {
                self.catch_up().await?;
            }
        }
        let key = Key { tile, filter: Arc::from(format!("{filter:?}")), frozen };
        // Only a hit needs the fence: a render reads the database after the request arrived.
        if usable && !frozen && self.source.announces() && self.cache.as_ref().is_some_and(|c| c.contains_key(&key)) {
            usable = self.fence().await;
        }
        if usable && self.source.announces() && !self.listening.load(Ordering::Acquire) {
            usable = false;
        }
        let epoch = self.current_epoch();
        if usable {
            if let Some(e) = self.cache.as_ref().and_then(|c| c.get(&key)) {
                return Ok(TileReply { gzip: e.gzip, etag: e.etag, frozen, freshness: Freshness::Hit });
            }
        }
        let raw = self.source.tile(tile, filter).await?;
        // Compressing a small tile takes less than handing it to another thread would.
        let entry = if raw.len() <= INLINE_PACK_BYTES {
            pack(&raw)
        } else {
            // A panic while packing answers an error; an empty entry here would be stored as
            // the tile and served as "no projects" until the next write touched it.
            tokio::task::spawn_blocking(move || pack(&raw))
                .await
                .map_err(|e| crate::store::StoreError::Corrupt { key: format!("tile {tile}"), reason: format!("compressing stopped: {e}") })?
        };
        let mut freshness = Freshness::Bypass;
        if usable {
            if let Some(c) = &self.cache {
                let guard = self.epoch.read().unwrap_or_else(|e| e.into_inner());
                if *guard == epoch {
                    c.insert(key, entry.clone());
                    freshness = Freshness::Miss;
                }
            }
        }
        Ok(TileReply { gzip: entry.gzip, etag: entry.etag, frozen, freshness })
    }

    /// PostGIS: waits until every write committed before this call has been applied. `false`
    /// when that cannot be known (listener down, or no answer within two seconds).
    async fn fence(&self) -> bool {
        if !self.listening.load(Ordering::Acquire) {
            return false;
        }
        let f = &self.fence;
        let (target, mine) = {
            let mut s = f.slot.lock().unwrap_or_else(|e| e.into_inner());
            match s.queued {
                Some(t) => (t, false),
                None => {
                    s.issued += 1;
                    s.queued = Some(s.issued);
                    (s.issued, true)
                }
            }
        };
        let mut rx = f.applied.subscribe();
        let wait = async {
            if mine {
                // One ping in flight at a time; whoever arrives meanwhile joins the queued one.
                let _sending = f.sending.lock().await;
                f.slot.lock().unwrap_or_else(|e| e.into_inner()).queued = None;
                if let Err(e) = self.source.ping(&f.channel, target).await {
                    tracing::warn!(error = %e, "tile cache fence ping failed; rendering");
                    return false;
                }
                rx.wait_for(|v| *v >= target).await.is_ok()
            } else {
                rx.wait_for(|v| *v >= target).await.is_ok()
            }
        };
        tokio::time::timeout(Duration::from_secs(2), wait).await.unwrap_or(false)
    }

    fn current_epoch(&self) -> u64 {
        *self.epoch.read().unwrap_or_else(|e| e.into_inner())
    }

    /// SQLite: applies the revisions written since the last mark.
    async fn catch_up(&self) -> StoreResult<()> {
        let _one = self.catching_up.lock().await;
        let from = self.mark.load(Ordering::Acquire);
        let (to, geometries) = self.source.changed_since(from).await?;
        if to < from {
            // The file was replaced under us: nothing cached can be trusted.
            self.flush();
        } else {
            self.evict(&geometries);
        }
        self.mark.store(to, Ordering::Release);
        Ok(())
    }

    /// Drops every cached tile (not frozen ones) that one of `geometries` (lon/lat) touches.
    pub fn evict(&self, geometries: &[geo::Geometry<f64>]) {
        let mut epoch = self.epoch.write().unwrap_or_else(|e| e.into_inner());
        *epoch += 1;
        let Some(cache) = &self.cache else { return };
        if geometries.is_empty() {
            return;
        }
        let merc: Vec<geo::Geometry<f64>> = geometries.iter().map(super::mercator).collect();
        let boxes: Vec<GeomWithData<Rectangle<[f64; 2]>, usize>> = merc
            .iter()
            .enumerate()
            .filter_map(|(i, g)| g.bounding_rect().map(|r| GeomWithData::new(Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]), i)))
            .collect();
        let index = RTree::bulk_load(boxes);
        let mut n = 0u64;
        for (key, _) in cache.iter() {
            if key.frozen {
                continue;
            }
            let r = key.tile.buffered();
            let env = AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
            if index.locate_in_envelope_intersecting(&env).any(|c| merc[c.data].intersects(&r)) {
                cache.invalidate(&*key);
                n += 1;
            }
        }
        self.evicted.fetch_add(n, Ordering::Relaxed);
        tracing::debug!(geometries = geometries.len(), tiles = n, "evicted tiles touched by writes");
    }

    /// Drops everything but frozen tiles (announcements may have been missed).
    fn flush(&self) {
        let mut epoch = self.epoch.write().unwrap_or_else(|e| e.into_inner());
        *epoch += 1;
        if let Some(c) = &self.cache {
            // Predicates run lazily; a plain sweep is immediate.
            for (key, _) in c.iter() {
                if !key.frozen {
                    c.invalidate(&*key);
                }
            }
        }
    }
}

/// Tiles up to this size are compressed on the request's own task.
const INLINE_PACK_BYTES: usize = 16 * 1024;

fn pack(raw: &[u8]) -> Entry {
    let etag: String = Sha256::digest(raw).iter().take(12).map(|b| format!("{b:02x}")).collect();
    let gzip = if raw.is_empty() {
        Bytes::new()
    } else {
        let mut enc = flate2::write::GzEncoder::new(Vec::with_capacity(raw.len() / 2 + 64), flate2::Compression::fast());
        // Writing to a Vec cannot fail.
        let _ = enc.write_all(raw);
        Bytes::from(enc.finish().unwrap_or_default())
    };
    Entry { gzip, etag: Arc::from(format!("\"{etag}\"")) }
}

/// PostGIS: hears announcements and evicts, and publishes fences; reconnects (flushing, since
/// announcements made while disconnected are lost) until the cache is dropped.
async fn listen(me: std::sync::Weak<TileCache>, first: RevisionListener) {
    let mut backoff = Duration::from_millis(200);
    let mut next = Some(first);
    loop {
        let Some(cache) = me.upgrade() else { return };
        let mut listener = match next.take() {
            Some(l) => l,
            None => match cache.source.listen(&cache.fence.channel).await {
                Ok(l) => {
                    // Anything cached before this point may predate writes nobody announced to
                    // us; fences sent while disconnected are void, and their waiters can go on.
                    cache.flush();
                    let issued = cache.fence.slot.lock().unwrap_or_else(|e| e.into_inner()).issued;
                    cache.fence.applied.send_modify(|v| *v = (*v).max(issued));
                    cache.listening.store(true, Ordering::Release);
                    backoff = Duration::from_millis(200);
                    l
                }
                Err(e) => {
                    tracing::warn!(error = %e, "tile cache cannot listen for writes; serving tiles uncached until it can");
                    drop(cache);
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                    continue;
                }
            },
        };
        drop(cache);
        loop {
            let batch = listener.next_batch().await;
            let Some(cache) = me.upgrade() else { return };
            match batch {
                Ok(Some(heard)) => {
                    if !heard.revisions.is_empty() {
                        match cache.source.revision_geometries(&heard.revisions).await {
                            Ok(geoms) => cache.evict(&geoms),
                            Err(e) => {
                                tracing::warn!(error = %e, "cannot read announced revisions; flushing the tile cache");
                                cache.flush();
                            }
                        }
                    }
                    if let Some(n) = heard.fence {
                        cache.fence.applied.send_modify(|v| *v = (*v).max(n));
                    }
                }
                Ok(None) | Err(_) => {
                    tracing::warn!("tile cache lost its database listener; reconnecting");
                    cache.listening.store(false, Ordering::Release);
                    cache.flush();
                    break;
                }
            }
        }
    }
}

/// Fence pings of one instance.
#[derive(Debug)]
struct Fence {
    /// This instance's NOTIFY channel.
    channel: String,
    slot: std::sync::Mutex<FenceSlot>,
    /// Held while a ping is in flight.
    sending: tokio::sync::Mutex<()>,
    /// The highest ping the listener has applied.
    applied: tokio::sync::watch::Sender<u64>,
}

#[derive(Debug, Default)]
struct FenceSlot {
    /// Pings numbered so far.
    issued: u64,
    /// A ping numbered but not yet sent: later arrivals may share it.
    queued: Option<u64>,
}
