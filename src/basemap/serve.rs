//! The tiles behind `/basemap/{name}/{z}/{x}/{y}`: a proxy for remote services (keys stay on the
//! server) and readers for PMTiles and MBTiles files, with one byte-budgeted cache in front.
//!
//! Remote fetches have short timeouts and a size cap, and never pass an upstream URL into an
//! error message (it may hold a key). Concurrent requests for the same uncached tile wait for one
//! fetch (moka's `try_get_with`). Failures and missing tiles are not cached, so a service that
//! comes back is used at once.

use super::{Basemap, Basemaps, Crs, Origin, Rows, TileFormat, UrlTemplate};
use crate::store::mbtiles::Mbtiles;
use bytes::Bytes;
use pmtiles::{AsyncPmTilesReader, MmapBackend, TileCoord, TileType};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;

/// Largest tile accepted from an upstream service.
pub const MAX_TILE_BYTES: usize = 4 * 1024 * 1024;
/// Zoom range of a remote source that does not give one.
const DEFAULT_ZOOMS: (u8, u8) = (0, 18);

/// One tile, ready to send.
#[derive(Debug, Clone)]
pub struct Tile {
    /// The bytes as stored (possibly gzip-compressed vector data; see `encoding`).
    pub bytes: Bytes,
    /// Media type.
    pub media_type: Arc<str>,
    /// `Content-Encoding` of `bytes`, when they are compressed.
    pub encoding: Option<&'static str>,
    /// Strong validator: a digest of the bytes.
    pub etag: String,
}

impl Tile {
    fn new(bytes: Bytes, media_type: &str, encoding: Option<&'static str>) -> Tile {
        let digest = Sha256::digest(&bytes);
        let etag = format!("\"{}\"", digest.iter().take(12).map(|b| format!("{b:02x}")).collect::<String>());
        Tile { bytes, media_type: Arc::from(media_type), encoding, etag }
    }
}

/// Why a tile cannot be answered.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum TileError {
    /// No basemap of that name is configured.
    #[error("there is no basemap named `{0}`; GET /basemaps.json lists them")]
    UnknownBasemap(String),
    /// The tile lies outside the grid or the source's zoom range, or the source has none there.
    #[error("basemap `{name}` has no tile {z}/{x}/{y}")]
    NoTile {
        /// The basemap.
        name: String,
        /// Zoom.
        z: u8,
        /// Column.
        x: u32,
        /// Row.
        y: u32,
    },
    /// The upstream service failed (down, slow, an error status, or not a tile).
    #[error("the tile service of basemap `{name}` failed: {reason}")]
    Upstream {
        /// The basemap.
        name: String,
        /// What happened, without the upstream URL.
        reason: String,
    },
    /// A local archive could not be read.
    #[error("the tile file of basemap `{name}` could not be read: {reason}")]
    Local {
        /// The basemap.
        name: String,
        /// What happened.
        reason: String,
    },
}

/// What the page needs to draw a basemap (`/basemaps.json`): no key, no upstream URL.
#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    /// `/basemap/{name}/…`.
    pub name: String,
    /// Shown in the switcher.
    pub title: String,
    /// `raster` (imagery) or `vector`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The tile URL, relative to the page.
    pub tiles: String,
    /// Pixel size of a raster tile.
    pub tile_size: u16,
    /// Lowest zoom with tiles.
    pub minzoom: u8,
    /// Highest zoom with tiles (the map enlarges them beyond).
    pub maxzoom: u8,
    /// Credit for the map and prints.
    pub attribution: String,
    /// Coordinate system of the tiles.
    pub crs: &'static str,
    /// True when the tiles are offset from WGS84 (GCJ-02, BD-09): the page warns while it is on.
    pub offset: bool,
    /// Extent, west, south, east, north, when the source says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bounds: Option<[f64; 4]>,
    /// The layers of a vector source (TileJSON `vector_layers`), for the page's generic style.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vector_layers: Option<Value>,
    /// Why the source cannot be used now (a TileJSON that does not load), for a notice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unavailable: Option<String>,
}

/// What a source says about itself (files and TileJSON), merged with the configuration.
#[derive(Debug, Clone)]
struct Described {
    format: TileFormat,
    minzoom: u8,
    maxzoom: u8,
    bounds: Option<[f64; 4]>,
    vector_layers: Option<Value>,
    attribution: Option<String>,
}

/// A TileJSON resolved to a template.
#[derive(Debug)]
struct Resolved {
    template: UrlTemplate,
    described: Described,
}

enum Backend {
    Remote { template: UrlTemplate, described: Described },
    TileJson { url: String, resolved: tokio::sync::OnceCell<Resolved> },
    Pmtiles { reader: AsyncPmTilesReader<MmapBackend>, encoding: Option<&'static str>, described: Described },
    Mbtiles { file: Mbtiles, described: Described },
}

struct Entry {
    basemap: Basemap,
    backend: Backend,
}

/// Every configured basemap, opened, and the tile cache.
pub struct Service {
    entries: Vec<Entry>,
    cache: Option<moka::future::Cache<(usize, u8, u32, u32), Tile>>,
    client: reqwest::Client,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.entries.iter().map(|e| e.basemap.name.as_ref()).collect();
        f.debug_struct("Service").field("basemaps", &names).finish_non_exhaustive()
    }
}

/// Why the basemaps could not be opened at start; names the entry.
#[derive(Debug, thiserror::Error)]
#[error("basemap \"{name}\": {reason}")]
pub struct OpenError {
    /// The entry.
    pub name: String,
    /// What failed.
    pub reason: String,
}

fn described_from_config(b: &Basemap, found: Option<Described>) -> Described {
    let (min, max) = b.zooms();
    let mut d = found.unwrap_or(Described {
        format: TileFormat::Png,
        minzoom: DEFAULT_ZOOMS.0,
        maxzoom: DEFAULT_ZOOMS.1,
        bounds: None,
        vector_layers: None,
        attribution: None,
    });
    if let Some(f) = b.format() {
        d.format = f;
    }
    d.minzoom = min.unwrap_or(d.minzoom);
    d.maxzoom = max.unwrap_or(d.maxzoom).max(d.minzoom);
    d
}

fn bounds_of(v: &Value) -> Option<[f64; 4]> {
    let a: Vec<f64> = match v {
        Value::Array(a) => a.iter().filter_map(Value::as_f64).collect(),
        Value::String(s) => s.split(',').filter_map(|p| p.trim().parse().ok()).collect(),
        _ => return None,
    };
    (a.len() == 4).then(|| [a[0], a[1], a[2], a[3]])
}

fn zoom_of(v: Option<&Value>) -> Option<u8> {
    let z = match v? {
        Value::Number(n) => n.as_u64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    u8::try_from(z).ok().filter(|z| *z <= super::MAX_ZOOM)
}

async fn open_pmtiles(b: &Basemap, path: &std::path::Path) -> Result<Backend, String> {
    let backend = MmapBackend::try_from(path).await.map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let reader = AsyncPmTilesReader::try_from_source(backend).await.map_err(|e| format!("{} is not a PMTiles v3 archive: {e}", path.display()))?;
    let h = reader.get_header();
    let format = match h.tile_type {
        TileType::Png => TileFormat::Png,
        TileType::Jpeg => TileFormat::Jpeg,
        TileType::Webp => TileFormat::Webp,
        TileType::Mvt => TileFormat::Mvt,
        other => return Err(format!("{} holds {other:?} tiles; planmap draws png, jpeg, webp and mvt", path.display())),
    };
    let meta: Value = reader.get_metadata().await.ok().and_then(|m| serde_json::from_str(&m).ok()).unwrap_or(Value::Null);
    let found = Described {
        format,
        minzoom: h.min_zoom,
        maxzoom: h.max_zoom,
        bounds: Some([h.min_longitude, h.min_latitude, h.max_longitude, h.max_latitude]),
        vector_layers: meta.get("vector_layers").cloned(),
        attribution: meta.get("attribution").and_then(Value::as_str).map(str::to_owned),
    };
    // Sent as stored, with its Content-Encoding: browsers decompress gzip, br and zstd themselves.
    let encoding = h.tile_compression.content_encoding();
    Ok(Backend::Pmtiles { reader, encoding, described: described_from_config(b, Some(found)) })
}

async fn open_mbtiles(b: &Basemap, path: &std::path::Path) -> Result<Backend, String> {
    let file = Mbtiles::open(path).await.map_err(|e| e.to_string())?;
    let meta = file.metadata().await.map_err(|e| e.to_string())?;
    let format = match meta.get("format").map(String::as_str) {
        Some(f) => TileFormat::parse(f).map_err(|r| format!("{}: metadata format {r}", path.display()))?,
        None => TileFormat::Png,
    };
    let json: Value = meta.get("json").and_then(|j| serde_json::from_str(j).ok()).unwrap_or(Value::Null);
    let found = Described {
        format,
        minzoom: zoom_of(meta.get("minzoom").map(|s| Value::from(s.as_str())).as_ref()).unwrap_or(0),
        maxzoom: zoom_of(meta.get("maxzoom").map(|s| Value::from(s.as_str())).as_ref()).unwrap_or(DEFAULT_ZOOMS.1),
        bounds: meta.get("bounds").and_then(|s| bounds_of(&Value::from(s.as_str()))),
        vector_layers: json.get("vector_layers").cloned(),
        attribution: meta.get("attribution").cloned(),
    };
    Ok(Backend::Mbtiles { file, described: described_from_config(b, Some(found)) })
}

impl Service {
    /// Opens every configured source (files are checked now, remote services on first use) and
    /// a cache of `cache_bytes` (0: no cache).
    pub async fn open(basemaps: &Basemaps, cache_bytes: u64) -> Result<Service, OpenError> {
        let mut entries = Vec::new();
        for b in basemaps.iter() {
            let err = |reason: String| OpenError { name: b.name.to_string(), reason };
            let backend = match b.origin() {
                Origin::Template(t) => Backend::Remote { template: t.clone(), described: described_from_config(b, None) },
                Origin::TileJson(url) => Backend::TileJson { url: url.clone(), resolved: tokio::sync::OnceCell::new() },
                Origin::Pmtiles(path) => open_pmtiles(b, path).await.map_err(err)?,
                Origin::Mbtiles(path) => open_mbtiles(b, path).await.map_err(err)?,
            };
            entries.push(Entry { basemap: b.clone(), backend });
        }
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(10))
            .user_agent(concat!("planmap/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| OpenError { name: "(all)".into(), reason: format!("cannot start the HTTP client: {e}") })?;
        let cache = (cache_bytes > 0).then(|| {
            moka::future::Cache::builder()
                .max_capacity(cache_bytes)
                .weigher(|_k, t: &Tile| u32::try_from(t.bytes.len() + 96).unwrap_or(u32::MAX))
                // Upstream imagery changes rarely, but a day bounds how stale a proxied tile gets.
                .time_to_live(Duration::from_secs(24 * 3600))
                .build()
        });
        Ok(Service { entries, cache, client })
    }

    /// Whether no basemap is configured.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// What `/basemaps.json` shows, in configuration order. A TileJSON source is loaded here
    /// when it has not been yet; one that fails is listed with `unavailable`.
    pub async fn listing(&self) -> Vec<Listing> {
        let mut out = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            let b = &e.basemap;
            // A TileJSON that does not answer must not hold the page up: the list waits 3 s at most.
            let (described, unavailable) = match tokio::time::timeout(Duration::from_secs(3), self.described(i)).await {
                Ok(Ok(d)) => (d, None),
                Ok(Err(err)) => (described_from_config(b, None), Some(err.to_string())),
                Err(_) => (described_from_config(b, None), Some(format!("the TileJSON of basemap `{}` did not answer in time", b.name))),
            };
            let attribution = if b.attribution().is_empty() { described.attribution.clone().unwrap_or_default() } else { b.attribution().to_owned() };
            out.push(Listing {
                name: b.name.to_string(),
                title: b.title().to_owned(),
                kind: if described.format.is_vector() { "vector" } else { "raster" },
                tiles: format!("basemap/{}/{{z}}/{{x}}/{{y}}", b.name),
                tile_size: b.tile_size(),
                minzoom: described.minzoom,
                maxzoom: described.maxzoom,
                attribution,
                crs: b.crs().as_str(),
                offset: b.crs() != Crs::Wgs84,
                bounds: described.bounds,
                vector_layers: described.vector_layers,
                unavailable,
            });
        }
        out
    }

    async fn described(&self, i: usize) -> Result<Described, TileError> {
        let e = &self.entries[i];
        Ok(match &e.backend {
            Backend::Remote { described, .. } | Backend::Pmtiles { described, .. } | Backend::Mbtiles { described, .. } => described.clone(),
            Backend::TileJson { .. } => self.resolve(i).await?.described.clone(),
        })
    }

    /// Loads a TileJSON once; a failure is not remembered, so the next request tries again.
    async fn resolve(&self, i: usize) -> Result<&Resolved, TileError> {
        let e = &self.entries[i];
        let Backend::TileJson { url, resolved } = &e.backend else {
            return Err(TileError::Local { name: e.basemap.name.to_string(), reason: "not a TileJSON source".into() });
        };
        let name = e.basemap.name.to_string();
        resolved
            .get_or_try_init(|| async {
                let up = |reason: String| TileError::Upstream { name: name.clone(), reason };
                let bytes = self.get(&e.basemap, url).await?.ok_or_else(|| up("its TileJSON URL answers 404".into()))?.0;
                let tj: Value = serde_json::from_slice(&bytes).map_err(|_| up("its TileJSON is not JSON".into()))?;
                let first = tj.get("tiles").and_then(Value::as_array).and_then(|a| a.first()).and_then(Value::as_str);
                let first = first.ok_or_else(|| up("its TileJSON has no `tiles` URL".into()))?;
                // Tile URLs in a TileJSON may be relative to the document.
                let absolute = reqwest::Url::parse(url).and_then(|base| base.join(first)).map_err(|_| up("its TileJSON tile URL is not a URL".into()))?;
                // `join` percent-encodes the braces of the placeholders; put them back.
                let text = absolute.as_str().replace("%7B", "{").replace("%7D", "}");
                let rows = if tj.get("scheme").and_then(Value::as_str) == Some("tms") { Rows::FromBottom } else { Rows::FromTop };
                let template = UrlTemplate::parse(&text, Vec::new(), rows).map_err(|r| up(format!("its TileJSON tile URL {r}")))?;
                let vector_layers = tj.get("vector_layers").cloned();
                let format = match tj.get("format").and_then(Value::as_str).map(TileFormat::parse) {
                    Some(Ok(f)) => f,
                    _ if vector_layers.is_some() => TileFormat::Mvt,
                    _ => TileFormat::Png,
                };
                let found = Described {
                    format,
                    minzoom: zoom_of(tj.get("minzoom")).unwrap_or(0),
                    maxzoom: zoom_of(tj.get("maxzoom")).unwrap_or(DEFAULT_ZOOMS.1),
                    bounds: tj.get("bounds").and_then(bounds_of),
                    vector_layers,
                    attribution: tj.get("attribution").and_then(Value::as_str).map(str::to_owned),
                };
                Ok(Resolved { template, described: described_from_config(&e.basemap, Some(found)) })
            })
            .await
    }

    /// Tile z/x/y (XYZ numbering) of the basemap `name`.
    pub async fn tile(&self, name: &str, z: u8, x: u32, y: u32) -> Result<Tile, TileError> {
        let i = self.entries.iter().position(|e| e.basemap.name.as_ref() == name).ok_or_else(|| TileError::UnknownBasemap(name.to_owned()))?;
        let none = || TileError::NoTile { name: name.to_owned(), z, x, y };
        if z > super::MAX_ZOOM || u64::from(x) >= 1u64 << z || u64::from(y) >= 1u64 << z {
            return Err(none());
        }
        let d = self.described(i).await?;
        if z < d.minzoom || z > d.maxzoom {
            return Err(none());
        }
        match &self.cache {
            Some(c) => c.try_get_with((i, z, x, y), self.load(i, z, x, y)).await.map_err(|e| (*e).clone()),
            None => self.load(i, z, x, y).await,
        }
    }

    async fn load(&self, i: usize, z: u8, x: u32, y: u32) -> Result<Tile, TileError> {
        let e = &self.entries[i];
        let name = e.basemap.name.to_string();
        let none = || TileError::NoTile { name: name.clone(), z, x, y };
        let local = |reason: String| TileError::Local { name: name.clone(), reason };
        match &e.backend {
            Backend::Remote { template, described } => self.fetch_tile(&e.basemap, &template.fill(z, x, y), described.format).await?.ok_or_else(none),
            Backend::TileJson { .. } => {
                let r = self.resolve(i).await?;
                self.fetch_tile(&e.basemap, &r.template.fill(z, x, y), r.described.format).await?.ok_or_else(none)
            }
            Backend::Pmtiles { reader, encoding, described } => {
                let coord = TileCoord::new(z, x, y).map_err(|_| none())?;
                let bytes = reader.get_tile(coord).await.map_err(|err| local(err.to_string()))?.ok_or_else(none)?;
                Ok(Tile::new(bytes, described.format.media_type(), *encoding))
            }
            Backend::Mbtiles { file, described } => {
                let bytes = file.tile(z, x, y).await.map_err(|err| local(err.to_string()))?.ok_or_else(none)?;
                // MBTiles vector tiles are gzip-compressed by convention; images never are.
                let encoding = (described.format.is_vector() && bytes.starts_with(&[0x1f, 0x8b])).then_some("gzip");
                Ok(Tile::new(Bytes::from(bytes), described.format.media_type(), encoding))
            }
        }
    }

    async fn fetch_tile(&self, b: &Basemap, url: &str, format: TileFormat) -> Result<Option<Tile>, TileError> {
        let Some((bytes, media_type, encoding)) = self.get(b, url).await? else { return Ok(None) };
        let media_type = media_type.unwrap_or_else(|| format.media_type().to_owned());
        // A WMTS error (a bad key, an unknown layer) often comes as XML with status 200.
        let fits = if format.is_vector() { !media_type.starts_with("text/") } else { media_type.starts_with("image/") };
        if !fits {
            return Err(TileError::Upstream {
                name: b.name.to_string(),
                reason: format!("answered {media_type} instead of a tile (check the key and the layer)"),
            });
        }
        Ok(Some(Tile::new(bytes, &media_type, encoding)))
    }

    /// One GET upstream: body, media type, content encoding; `None` for 404 and 204 (no tile).
    async fn get(&self, b: &Basemap, url: &str) -> Result<Option<Fetched>, TileError> {
        let name = b.name.to_string();
        let up = |reason: String| TileError::Upstream { name: name.clone(), reason };
        let mut req = self.client.get(url);
        for (k, v) in b.headers() {
            req = req.header(k.as_str(), v.as_str());
        }
        // `without_url`: the URL may carry the key, and this text reaches the log and the client.
        let resp = req.send().await.map_err(|e| up(describe(&e.without_url())))?;
        let status = resp.status();
        if status == reqwest::StatusCode::NOT_FOUND || status == reqwest::StatusCode::NO_CONTENT {
            return Ok(None);
        }
        if !status.is_success() {
            return Err(up(format!("answered HTTP {}", status.as_u16())));
        }
        if resp.content_length().is_some_and(|n| n > MAX_TILE_BYTES as u64) {
            return Err(up(format!("sent more than {MAX_TILE_BYTES} bytes for one tile")));
        }
        let header = |h: reqwest::header::HeaderName| resp.headers().get(h).and_then(|v| v.to_str().ok()).map(|s| s.trim().to_ascii_lowercase());
        let media_type = header(reqwest::header::CONTENT_TYPE).map(|t| t.split(';').next().unwrap_or_default().trim().to_owned());
        // reqwest has no decompression features on: a compressed body arrives as sent.
        let encoding = match header(reqwest::header::CONTENT_ENCODING).as_deref() {
            None | Some("identity") => None,
            Some("gzip") => Some("gzip"),
            Some("br") => Some("br"),
            Some("deflate") => Some("deflate"),
            Some(other) => return Err(up(format!("sent a body encoded as {other}"))),
        };
        let bytes = resp.bytes().await.map_err(|e| up(describe(&e.without_url())))?;
        if bytes.len() > MAX_TILE_BYTES {
            return Err(up(format!("sent more than {MAX_TILE_BYTES} bytes for one tile")));
        }
        Ok(Some((bytes, media_type, encoding)))
    }
}

/// An upstream answer: body, media type, content encoding.
type Fetched = (Bytes, Option<String>, Option<&'static str>);

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "did not answer in time".into()
    } else if e.is_connect() {
        "cannot be reached".into()
    } else {
        let mut s = e.to_string();
        let mut src = std::error::Error::source(e);
        while let Some(c) = src {
            s.push_str(": ");
            s.push_str(&c.to_string());
            src = std::error::Error::source(c);
        }
        s
    }
}
