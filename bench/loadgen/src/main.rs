//! planmap's benchmark driver, called by `bench/run`.
//!
//! * `run`: drives a fixed, deterministic list of bbox queries at one target (planmap over HTTP,
//!   pygeoapi or tipg over HTTP, or the bare-SQL floor straight against PostGIS) at several concurrency
//!   levels for a bounded time each, and appends one JSON line per (zoom, clients) to a results file.
//! * `record`: appends a load time or a note to the results file.
//! * `report`: turns the results file into the table `bench/run` prints and writes to
//!   `bench/results/latest.md`.
//!
//! Every loop is bounded by a deadline and by a request count; only loopback addresses are used.

use anyhow::{bail, ensure, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Synthetic projects lie in this lon/lat box (`src/demo_data.rs`).
const DISTRICT: [f64; 4] = [120.80, 27.65, 121.30, 28.05];
/// Boxes per zoom level (the whole-district level has one).
const BOXES_PER_ZOOM: usize = 64;
/// Upper bound on requests in one measured run, whatever the duration.
const MAX_REQUESTS_PER_RUN: usize = 2_000_000;
/// Queries checked (status, body shape, feature count) before each measured run; also the warm-up.
const CHECKED_QUERIES: usize = 8;

#[derive(Parser)]
#[command(about = "planmap benchmark driver (see bench/README.md)")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Measure one target.
    Run(RunArgs),
    /// Append a load time or a note to the results file.
    Record(RecordArgs),
    /// Print the table and write it as Markdown.
    Report(ReportArgs),
    /// Print the query list (for inspection).
    Queries,
    /// Print a free TCP port on 127.0.0.1.
    FreePort,
    /// Split a FeatureCollection into files of at most `chunk` features (PREFIX-000.geojson, …);
    /// prints their paths.
    Split {
        file: PathBuf,
        prefix: String,
        #[arg(long, default_value_t = 10000)]
        chunk: usize,
    },
    /// Edits projects through two planmap instances on one PostGIS, alternately, and after each
    /// write fetches the edited project's zoom-14 tile from the *other* instance (cached there
    /// just before the write); counts tiles that do not show the write yet. Appends a note.
    StaleCheck {
        /// First instance.
        #[arg(long)]
        a: String,
        /// Second instance.
        #[arg(long)]
        b: String,
        /// A planner's API token.
        #[arg(long)]
        token: String,
        #[arg(long, default_value_t = 1000)]
        edits: usize,
        #[arg(long)]
        out: PathBuf,
    },
    /// Wait until `GET url` answers 2xx (at most `timeout` seconds); exit 1 otherwise.
    Wait {
        url: String,
        #[arg(long, default_value_t = 60)]
        timeout: u64,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum, Serialize, Deserialize, Debug)]
#[serde(rename_all = "lowercase")]
enum Kind {
    /// `GET {url}/api/projects?bbox=…`
    Planmap,
    /// `GET {url}/collections/{collection}/items?bbox=…&limit=…&f=json`
    Pygeoapi,
    /// `GET {url}/collections/{collection}/items?bbox=…&limit=…&geom-column=geom&properties=…`
    /// (tipg's OGC API – Features items, the properties planmap serves).
    #[value(name = "tipg-items")]
    #[serde(rename = "tipg-items")]
    TipgItems,
    /// The same bbox query in SQL against PostGIS, GeoJSON built by PostgreSQL (`ST_AsGeoJSON`,
    /// `json_agg`): the floor every ratio is taken against.
    Floor,
    /// The same, but concatenating the GeoJSON text planmap stores (`geometry_json`, `props`)
    /// with `string_agg` instead of encoding it: the least work the database can do.
    #[value(name = "floor-stored")]
    #[serde(rename = "floor-stored")]
    FloorStored,
    /// `GET {url}/tiles/projects/{z}/{x}/{y}.mvt` (planmap's vector tiles).
    #[value(name = "planmap-tiles")]
    #[serde(rename = "planmap-tiles")]
    PlanmapTiles,
    /// `GET {url}/{source}/{z}/{x}/{y}` (Martin).
    Martin,
    /// `GET {url}/collections/{collection}/tiles/WebMercatorQuad/{z}/{x}/{y}?properties=…` (tipg).
    Tipg,
    /// The tile in SQL against PostGIS (`ST_AsMVTGeom` + `ST_AsMVT`, no clustering): what a tile
    /// costs the database alone.
    #[value(name = "floor-mvt")]
    #[serde(rename = "floor-mvt")]
    FloorMvt,
}

impl Kind {
    fn tiles(self) -> bool {
        matches!(self, Kind::PlanmapTiles | Kind::Martin | Kind::Tipg | Kind::FloorMvt)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum, Serialize, Deserialize, Debug)]
#[serde(rename_all = "lowercase")]
enum Zoom {
    /// ~2 km × 2 km boxes: one island.
    Island,
    /// ~8 km × 8 km boxes: a town.
    Town,
    /// The whole district box.
    District,
    /// Tiles at zoom 8 (one or two cover the district).
    Z8,
    /// Tiles at zoom 10.
    Z10,
    /// Tiles at zoom 12.
    Z12,
    /// Tiles at zoom 14 (up to 64 of the ~400 over the district).
    Z14,
}

impl Zoom {
    fn tile_zoom(self) -> Option<u32> {
        match self {
            Zoom::Z8 => Some(8),
            Zoom::Z10 => Some(10),
            Zoom::Z12 => Some(12),
            Zoom::Z14 => Some(14),
            _ => None,
        }
    }
}

#[derive(Parser)]
struct RunArgs {
    #[arg(long, value_enum)]
    kind: Kind,
    /// Row label in the table, e.g. `planmap/sqlite`.
    #[arg(long)]
    label: String,
    /// Base URL of an HTTP target (loopback only).
    #[arg(long)]
    url: Option<String>,
    /// PostGIS URL for the floor (loopback only).
    #[arg(long)]
    database_url: Option<String>,
    /// pygeoapi / tipg collection name, Martin source id.
    #[arg(long, default_value = "projects")]
    collection: String,
    /// Label suffix for the table: `cold` (cache off) or `warm`.
    #[arg(long)]
    cache: Option<String>,
    /// pygeoapi / tipg items `limit` (each server caps it: pygeoapi's `max_items`, tipg's
    /// `TIPG_MAX_FEATURES_PER_QUERY`).
    #[arg(long, default_value_t = 10000)]
    limit: u32,
    /// Number of projects in the store (for the table).
    #[arg(long)]
    n: u64,
    #[arg(long, value_enum, value_delimiter = ',', default_value = "island,town,district")]
    zooms: Vec<Zoom>,
    #[arg(long, value_delimiter = ',', default_value = "1,16")]
    concurrency: Vec<usize>,
    /// Seconds per measured run.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Server process ids whose VmRSS/VmHWM are summed (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pids: Vec<u32>,
    /// The servers' RSS right after they started, KiB (read now when not given).
    #[arg(long)]
    rss_idle_kib: Option<u64>,
    /// Results file (JSON lines), appended to.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Parser)]
struct RecordArgs {
    #[arg(long)]
    out: PathBuf,
    /// A load: store label.
    #[arg(long)]
    load_store: Option<String>,
    #[arg(long)]
    n: Option<u64>,
    #[arg(long)]
    seconds: Option<f64>,
    /// Free text note printed under the table.
    #[arg(long)]
    note: Option<String>,
}

#[derive(Parser)]
struct ReportArgs {
    /// Results file (JSON lines).
    results: PathBuf,
    /// Write the Markdown here too.
    #[arg(long)]
    markdown: Option<PathBuf>,
    /// Date line for the report.
    #[arg(long, default_value = "")]
    date: String,
    /// Wall time of the whole run, seconds.
    #[arg(long)]
    wall: Option<f64>,
}

#[derive(Serialize, Deserialize, Debug, Clone)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Line {
    Measure(Measure),
    Load { store: String, n: u64, seconds: f64 },
    Note { text: String },
}

#[derive(Serialize, Deserialize, Debug, Clone)]
struct Measure {
    label: String,
    kind: Kind,
    n: u64,
    zoom: Zoom,
    clients: usize,
    seconds: f64,
    requests: u64,
    errors: u64,
    rps: f64,
    // A measurement where every request failed has no latencies: NaN, which JSON writes as null.
    #[serde(deserialize_with = "nan_if_null")]
    p50_ms: f64,
    #[serde(deserialize_with = "nan_if_null")]
    p99_ms: f64,
    #[serde(deserialize_with = "nan_if_null")]
    max_ms: f64,
    #[serde(deserialize_with = "nan_if_null")]
    bytes_per_response: f64,
    #[serde(deserialize_with = "nan_if_null")]
    features_per_response: f64,
    rss_idle_kib: Option<u64>,
    rss_after_kib: Option<u64>,
    hwm_kib: Option<u64>,
}

fn nan_if_null<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.cmd {
        Cmd::Run(a) => tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run(a)),
        Cmd::Record(a) => record(a),
        Cmd::Report(a) => report(a),
        Cmd::Split { file, prefix, chunk } => {
            let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&file)?)?;
            let features = v["features"].as_array_mut().context("not a FeatureCollection")?;
            for (i, part) in std::mem::take(features).chunks(chunk.max(1)).enumerate() {
                let path = format!("{prefix}-{i:03}.geojson");
                std::fs::write(&path, serde_json::to_vec(&serde_json::json!({"type": "FeatureCollection", "features": part}))?)?;
                println!("{path}");
            }
            Ok(())
        }
        Cmd::FreePort => {
            let l = std::net::TcpListener::bind("127.0.0.1:0")?;
            println!("{}", l.local_addr()?.port());
            Ok(())
        }
        Cmd::StaleCheck { a, b, token, edits, out } => {
            tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(stale_check(&a, &b, &token, edits, &out))
        }
        Cmd::Wait { url, timeout } => tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(wait(&url, timeout)),
        Cmd::Queries => {
            for z in [Zoom::Island, Zoom::Town, Zoom::District] {
                for b in boxes(z) {
                    println!("{z:?} {b}");
                }
            }
            for z in [8, 10, 12, 14] {
                for (z, x, y) in tiles(z) {
                    println!("tile {z}/{x}/{y}");
                }
            }
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The query list

/// SplitMix64: a fixed, dependency-free sequence, so the query list never changes.
struct SplitMix(u64);
impl SplitMix {
    fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The bbox parameters (`minLon,minLat,maxLon,maxLat`, 5 decimals) of one zoom level. Every target
/// gets exactly these strings; the floor parses them back, so all see the same numbers.
fn boxes(zoom: Zoom) -> Vec<String> {
    let [x0, y0, x1, y1] = DISTRICT;
    // At 27.85°N one degree of longitude is ~98.4 km, one of latitude ~110.9 km.
    let (w, h) = match zoom {
        Zoom::Island => (2.0 / 98.4, 2.0 / 110.9),
        Zoom::Town => (8.0 / 98.4, 8.0 / 110.9),
        Zoom::District => return vec![format!("{x0:.5},{y0:.5},{x1:.5},{y1:.5}")],
        Zoom::Z8 | Zoom::Z10 | Zoom::Z12 | Zoom::Z14 => return Vec::new(),
    };
    let mut rng = SplitMix(match zoom {
        Zoom::Island => 0x15_1a_4d,
        _ => 0x70_3e,
    });
    (0..BOXES_PER_ZOOM)
        .map(|_| {
            let x = x0 + rng.next_f64() * (x1 - x0 - w);
            let y = y0 + rng.next_f64() * (y1 - y0 - h);
            format!("{:.5},{:.5},{:.5},{:.5}", x, y, x + w, y + h)
        })
        .collect()
}

/// The tiles of one zoom that cover the district (all of them, or 64 drawn with a fixed seed).
fn tiles(z: u32) -> Vec<(u32, u32, u32)> {
    let [x0, y0, x1, y1] = DISTRICT;
    let n = f64::from(1u32 << z);
    let tx = |lon: f64| ((lon + 180.0) / 360.0 * n) as u32;
    let ty = |lat: f64| {
        let r = f64::to_radians(lat);
        ((1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0 * n) as u32
    };
    let mut all = Vec::new();
    for x in tx(x0)..=tx(x1) {
        for y in ty(y1)..=ty(y0) {
            all.push((z, x, y));
        }
    }
    if all.len() <= BOXES_PER_ZOOM {
        return all;
    }
    let mut rng = SplitMix(0x7_11e5 + u64::from(z));
    (0..BOXES_PER_ZOOM).map(|_| all[(rng.next_f64() * all.len() as f64) as usize]).collect()
}

/// The floor tile: rows of the tile's buffered envelope, `ST_AsMVTGeom` and `ST_AsMVT` with the
/// attributes planmap's tiles carry; no clustering.
const FLOOR_MVT_SQL: &str = "select coalesce((select st_asmvt(q, 'projects', 4096, 'geom') from (
  select st_asmvtgeom(st_transform(geom, 3857), st_tileenvelope($1, $2, $3), 4096, 64, true) as geom,
         id, name_zh, name_en, status, kind, action, town, investment_total::float8 as investment_total, props->>'planned_completion' as planned_completion
  from project
  where geom && st_transform(st_tileenvelope($1, $2, $3, margin => 0.015625), 4326)
) q where geom is not null), ''::bytea)";

/// The attributes planmap's tiles carry, asked of tipg so that it encodes the same columns.
const TILE_PROPERTIES: &str = "id,name_zh,name_en,status,kind,action,town,investment_total";

/// The properties planmap's `/api/projects` answers carry (`props` holds every field), asked of
/// the OGC API – Features peers so that every answer carries the same information; `pygeoapi.config.yml`
/// lists the same ones.
const ITEM_PROPERTIES: &str = "props,islands,version,updated_at";

fn parse_box(s: &str) -> Result<[f64; 4]> {
    let v: Vec<f64> = s.split(',').map(str::parse).collect::<Result<_, _>>()?;
    ensure!(v.len() == 4, "bad bbox {s}");
    Ok([v[0], v[1], v[2], v[3]])
}

// ---------------------------------------------------------------------------------------------
// Targets

/// The bare-SQL floor: the same spatial test planmap's PostGIS store runs (`&&` then
/// `ST_Intersects`, ordered by id), the FeatureCollection built by PostgreSQL with
/// `ST_AsGeoJSON`, `json_build_object` and `json_agg`; one text value per request.
const FLOOR_SQL: &str = "select json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(f.feature order by f.id), '[]'::json))::text
from (
  select id, json_build_object('type', 'Feature', 'id', id, 'geometry', st_asgeojson(geom)::json,
           'properties', props || jsonb_build_object('islands', islands, 'version', version, 'updated_at', updated_at)) as feature
  from project
  where geom && st_makeenvelope($1, $2, $3, $4, 4326) and st_intersects(geom, st_makeenvelope($1, $2, $3, $4, 4326))
) f";

/// The cheapest SQL answer: the stored GeoJSON text glued together, nothing encoded.
const FLOOR_STORED_SQL: &str = "select '{\"type\":\"FeatureCollection\",\"features\":[' || coalesce(string_agg(
    '{\"type\":\"Feature\",\"id\":' || to_json(id)::text || ',\"geometry\":' || geometry_json || ',\"properties\":'
      || (props || jsonb_build_object('islands', islands, 'version', version, 'updated_at', updated_at))::text || '}', ',' order by id), '') || ']}'
from project
where geom && st_makeenvelope($1, $2, $3, $4, 4326) and st_intersects(geom, st_makeenvelope($1, $2, $3, $4, 4326))";

#[derive(Clone)]
enum Target {
    Http { client: reqwest::Client, urls: Arc<Vec<String>> },
    Sql { pool: sqlx::PgPool, boxes: Arc<Vec<[f64; 4]>>, sql: &'static str },
    SqlTile { pool: sqlx::PgPool, tiles: Arc<Vec<(u32, u32, u32)>> },
}

impl Target {
    fn len(&self) -> usize {
        match self {
            Target::Http { urls, .. } => urls.len(),
            Target::Sql { boxes, .. } => boxes.len(),
            Target::SqlTile { tiles, .. } => tiles.len(),
        }
    }

    /// One request; the whole body is read. Returns the body length, or an error text.
    async fn call(&self, i: usize, keep: bool) -> Result<(usize, Option<Vec<u8>>)> {
        match self {
            Target::Http { client, urls } => {
                let r = client.get(&urls[i]).send().await?;
                let status = r.status();
                let body = r.bytes().await?;
                if !status.is_success() {
                    bail!("HTTP {status} for {}: {}", urls[i], String::from_utf8_lossy(&body[..body.len().min(300)]));
                }
                Ok((body.len(), keep.then(|| body.to_vec())))
            }
            Target::Sql { pool, boxes, sql } => {
                let [a, b, c, d] = boxes[i];
                let text: String = sqlx::query_scalar(sql).bind(a).bind(b).bind(c).bind(d).fetch_one(pool).await?;
                Ok((text.len(), keep.then(|| text.into_bytes())))
            }
            Target::SqlTile { pool, tiles } => {
                let (z, x, y) = tiles[i];
                let bytes: Vec<u8> = sqlx::query_scalar(FLOOR_MVT_SQL).bind(z as i32).bind(x as i32).bind(y as i32).fetch_one(pool).await?;
                Ok((bytes.len(), keep.then_some(bytes)))
            }
        }
    }
}

fn loopback_only(url: &str) -> Result<()> {
    let ok = ["://127.0.0.1", "://localhost", "://[::1]", "@127.0.0.1", "@localhost"].iter().any(|p| url.contains(p));
    ensure!(ok, "only loopback targets are allowed, got {url}");
    Ok(())
}

fn read_mem(pids: &[u32]) -> (Option<u64>, Option<u64>) {
    if pids.is_empty() {
        return (None, None);
    }
    let (mut rss, mut hwm) = (0, 0);
    for pid in pids {
        let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/status")) else { return (None, None) };
        for line in s.lines() {
            let kib = || line.split_whitespace().nth(1).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
            if line.starts_with("VmRSS:") {
                rss += kib();
            } else if line.starts_with("VmHWM:") {
                hwm += kib();
            }
        }
    }
    (Some(rss), Some(hwm))
}

async fn stale_check(a: &str, b: &str, token: &str, edits: usize, out: &Path) -> Result<()> {
    loopback_only(a)?;
    loopback_only(b)?;
    let client = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(60)).build()?;
    let items: serde_json::Value =
        serde_json::from_slice(&client.get(format!("{a}/ogcapi/collections/projects/items?limit=1000&f=json")).send().await?.bytes().await?)?;
    let features = items["features"].as_array().context("no features")?;
    ensure!(!features.is_empty(), "no projects to edit");
    let first_coord = |g: &serde_json::Value| -> Option<(f64, f64)> {
        let mut c = &g["coordinates"];
        while c.get(0).is_some_and(serde_json::Value::is_array) {
            c = &c[0];
        }
        Some((c.get(0)?.as_f64()?, c.get(1)?.as_f64()?))
    };
    let mut rng = SplitMix(0x57a1e);
    let (mut stale, mut done) = (0usize, 0usize);
    let t0 = Instant::now();
    for k in 0..edits {
        let f = &features[(rng.next_f64() * features.len() as f64) as usize];
        let id = f["id"].as_str().context("feature without id")?;
        let Some((lon, lat)) = first_coord(&f["geometry"]) else { continue };
        let n = f64::from(1u32 << 14);
        let r = lat.to_radians();
        let (x, y) = (((lon + 180.0) / 360.0 * n) as u32, ((1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0 * n) as u32);
        let (writer, reader) = if k % 2 == 0 { (a, b) } else { (b, a) };
        let tile = format!("{reader}/tiles/projects/14/{x}/{y}.mvt");
        client.get(&tile).send().await?.bytes().await?; // cached on the reader now
        let r = client.get(format!("{writer}/api/projects/{id}")).send().await?;
        let etag = r.headers().get("etag").context("no ETag")?.to_str()?.to_owned();
        let marker = format!("stale-check-{k}-{}", rng.next_f64());
        let r = client
            .patch(format!("{writer}/api/projects/{id}"))
            .bearer_auth(token)
            .header("if-match", etag)
            .json(&serde_json::json!({"properties": {"name_en": marker}}))
            .send()
            .await?;
        ensure!(r.status().is_success(), "PATCH {id}: HTTP {}", r.status());
        let body = client.get(&tile).send().await?.bytes().await?;
        if !body.windows(marker.len()).any(|w| w == marker.as_bytes()) {
            stale += 1;
        }
        done += 1;
    }
    let text = format!(
        "Stale-tile check: {done} edits (PATCH name_en) alternating between two planmap instances on one PostGIS; right after each write the edited project's z14 tile, cached on the other instance just before, was fetched from that instance: {stale} stale ({:.1} s).",
        t0.elapsed().as_secs_f64()
    );
    eprintln!("{text}");
    append(out, &Line::Note { text })?;
    ensure!(stale == 0, "{stale} stale tiles");
    Ok(())
}

async fn wait(url: &str, timeout: u64) -> Result<()> {
    loopback_only(url)?;
    let client = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(5)).build()?;
    let deadline = Instant::now() + Duration::from_secs(timeout);
    while Instant::now() < deadline {
        if let Ok(r) = client.get(url).send().await {
            if r.status().is_success() {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    bail!("{url} did not answer within {timeout} s")
}

async fn run(a: RunArgs) -> Result<()> {
    let max_clients = a.concurrency.iter().copied().max().unwrap_or(1);
    let rss_idle = a.rss_idle_kib.or_else(|| read_mem(&a.pids).0);
    let label = match &a.cache {
        Some(c) => format!("{} {c}", a.label),
        None => a.label.clone(),
    };
    for zoom in a.zooms.clone() {
        ensure!(a.kind.tiles() == zoom.tile_zoom().is_some(), "{:?} does not go with zoom {zoom:?}", a.kind);
        let qs = if zoom.tile_zoom().is_some() { Vec::new() } else { boxes(zoom) };
        let tile_list = zoom.tile_zoom().map(tiles).unwrap_or_default();
        let target = match a.kind {
            Kind::PlanmapTiles | Kind::Martin | Kind::Tipg => {
                let base = a.url.as_deref().context("--url is required")?.trim_end_matches('/');
                loopback_only(base)?;
                let urls = tile_list
                    .iter()
                    .map(|(z, x, y)| match a.kind {
                        Kind::PlanmapTiles => format!("{base}/tiles/projects/{z}/{x}/{y}.mvt"),
                        Kind::Martin => format!("{base}/{}/{z}/{x}/{y}", a.collection),
                        _ => format!("{base}/collections/{}/tiles/WebMercatorQuad/{z}/{x}/{y}?properties={TILE_PROPERTIES}", a.collection),
                    })
                    .collect();
                // Tiles travel gzip-compressed between servers and map clients; ask for it as they do.
                let mut headers = reqwest::header::HeaderMap::new();
                headers.insert(reqwest::header::ACCEPT_ENCODING, reqwest::header::HeaderValue::from_static("gzip"));
                let client = reqwest::Client::builder()
                    .pool_max_idle_per_host(max_clients)
                    .tcp_nodelay(true)
                    .default_headers(headers)
                    .timeout(Duration::from_secs(120))
                    .no_proxy()
                    .build()?;
                Target::Http { client, urls: Arc::new(urls) }
            }
            Kind::FloorMvt => {
                let url = a.database_url.as_deref().context("--database-url is required")?;
                loopback_only(url)?;
                let pool =
                    sqlx::postgres::PgPoolOptions::new().max_connections(max_clients as u32).acquire_timeout(Duration::from_secs(30)).connect(url).await?;
                Target::SqlTile { pool, tiles: Arc::new(tile_list.clone()) }
            }
            Kind::Planmap | Kind::Pygeoapi | Kind::TipgItems => {
                let base = a.url.as_deref().context("--url is required")?.trim_end_matches('/');
                loopback_only(base)?;
                let urls = qs
                    .iter()
                    .map(|b| match a.kind {
                        Kind::Planmap => format!("{base}/api/projects?bbox={b}"),
                        // tipg's `f=json` is a plain JSON list of rows, not GeoJSON: leave `f` out
                        // (GeoJSON by default). It has two geometry columns (`geom`, the generated
                        // `geom_3857`): name the 4326 one, which the bbox test then uses as is.
                        Kind::TipgItems => format!(
                            "{base}/collections/{}/items?bbox={b}&limit={}&geom-column=geom&properties={ITEM_PROPERTIES}",
                            a.collection, a.limit
                        ),
                        _ => format!("{base}/collections/{}/items?bbox={b}&limit={}&f=json", a.collection, a.limit),
                    })
                    .collect();
                let client =
                    reqwest::Client::builder().pool_max_idle_per_host(max_clients).tcp_nodelay(true).timeout(Duration::from_secs(120)).no_proxy().build()?;
                Target::Http { client, urls: Arc::new(urls) }
            }
            Kind::Floor | Kind::FloorStored => {
                let url = a.database_url.as_deref().context("--database-url is required")?;
                loopback_only(url)?;
                let pool =
                    sqlx::postgres::PgPoolOptions::new().max_connections(max_clients as u32).acquire_timeout(Duration::from_secs(30)).connect(url).await?;
                let sql = if a.kind == Kind::Floor { FLOOR_SQL } else { FLOOR_STORED_SQL };
                Target::Sql { pool, boxes: Arc::new(qs.iter().map(|b| parse_box(b)).collect::<Result<_>>()?), sql }
            }
        };

        // Check (and warm up): every checked answer must be a FeatureCollection; count features.
        // Tiles: every tile is fetched once (a warm cache is warm for the whole list); features
        // are not counted (the answers are protobuf).
        let checked = if a.kind.tiles() { 0 } else { target.len().min(CHECKED_QUERIES) };
        if a.kind.tiles() {
            for i in 0..target.len() {
                target.call(i, false).await.with_context(|| format!("{label}: tile {i} at {zoom:?}"))?;
            }
        }
        let mut features = 0usize;
        for i in 0..checked {
            let (_, body) = target.call(i, true).await.with_context(|| format!("{}: checking query {i} at {zoom:?}", a.label))?;
            let v: serde_json::Value = serde_json::from_slice(&body.unwrap_or_default())?;
            ensure!(v["type"] == "FeatureCollection", "{}: answer is not a FeatureCollection", a.label);
            let returned = v["features"].as_array().map_or(0, Vec::len);
            // tipg is configured (bench/run) to answer every match in one page, so that its rows are
            // like for like with the floor's: an answer cut short by `limit` is a set-up error.
            // (pygeoapi stopping at its `max_items` is known and marked † in the report instead.)
            if a.kind == Kind::TipgItems {
                let matched = v["numberMatched"].as_u64().context("tipg answer without numberMatched")?;
                ensure!(
                    returned as u64 == matched,
                    "{}: query {i} at {zoom:?} returned {returned} of {matched} matching features (limit {}; raise TIPG_MAX_FEATURES_PER_QUERY)",
                    a.label,
                    a.limit
                );
                let props = &v["features"][0]["properties"];
                ensure!(returned == 0 || props.get("props").is_some(), "{}: features carry no `props` ({props})", a.label);
            }
            features += returned;
        }
        let features_per_response = if checked == 0 { 0.0 } else { features as f64 / checked as f64 };

        for &clients in &a.concurrency {
            let m = measure(&target, clients, Duration::from_secs_f64(a.duration)).await;
            let (rss_after, hwm) = read_mem(&a.pids);
            let line = Measure {
                label: label.clone(),
                kind: a.kind,
                n: a.n,
                zoom,
                clients,
                seconds: m.seconds,
                requests: m.ok,
                errors: m.errors,
                rps: m.ok as f64 / m.seconds,
                p50_ms: m.pct(0.50),
                p99_ms: m.pct(0.99),
                max_ms: m.pct(1.0),
                bytes_per_response: if m.ok > 0 { m.bytes as f64 / m.ok as f64 } else { 0.0 },
                features_per_response,
                rss_idle_kib: rss_idle,
                rss_after_kib: rss_after,
                hwm_kib: hwm,
            };
            eprintln!(
                "  {:<18} N={:<6} {:<8} clients={:<2} {:>9.1} req/s  p50 {:>8.2} ms  p99 {:>8.2} ms  {:>7.0} features  {} errors{}",
                line.label,
                line.n,
                format!("{zoom:?}").to_lowercase(),
                clients,
                line.rps,
                line.p50_ms,
                line.p99_ms,
                features_per_response,
                line.errors,
                m.first_error.as_deref().map(|e| format!(" (first: {e})")).unwrap_or_default()
            );
            append(&a.out, &Line::Measure(line))?;
        }
    }
    Ok(())
}

struct Measured {
    seconds: f64,
    ok: u64,
    errors: u64,
    bytes: u64,
    /// Sorted, microseconds.
    latencies: Vec<u32>,
    first_error: Option<String>,
}

impl Measured {
    fn pct(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let i = ((self.latencies.len() as f64 * p).ceil() as usize).clamp(1, self.latencies.len()) - 1;
        f64::from(self.latencies[i]) / 1000.0
    }
}

/// `clients` workers, each one request at a time on its own keep-alive connection, walking the
/// query list from its own starting point, until the deadline or the request cap.
async fn measure(target: &Target, clients: usize, duration: Duration) -> Measured {
    let start = Instant::now();
    let deadline = start + duration;
    let cap = MAX_REQUESTS_PER_RUN / clients;
    let n = target.len();
    let mut tasks = Vec::new();
    for w in 0..clients {
        let t = target.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let (mut ok, mut errors, mut bytes, mut first_error) = (0u64, 0u64, 0u64, None);
            let mut i = (w * 7) % n;
            while lat.len() + (errors as usize) < cap && Instant::now() < deadline {
                let t0 = Instant::now();
                match t.call(i, false).await {
                    Ok((len, _)) => {
                        lat.push(t0.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
                        ok += 1;
                        bytes += len as u64;
                    }
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert_with(|| format!("{e:#}"));
                        // An erroring target must not spin: back off a little.
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
                i = (i + 1) % n;
            }
            (lat, ok, errors, bytes, first_error)
        }));
    }
    let mut m = Measured { seconds: 0.0, ok: 0, errors: 0, bytes: 0, latencies: Vec::new(), first_error: None };
    for t in tasks {
        if let Ok((lat, ok, errors, bytes, fe)) = t.await {
            m.latencies.extend(lat);
            m.ok += ok;
            m.errors += errors;
            m.bytes += bytes;
            if m.first_error.is_none() {
                m.first_error = fe;
            }
        }
    }
    m.seconds = start.elapsed().as_secs_f64();
    m.latencies.sort_unstable();
    m
}

// ---------------------------------------------------------------------------------------------
// Results file

fn append(path: &Path, line: &Line) -> Result<()> {
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path).with_context(|| format!("opening {}", path.display()))?;
    writeln!(f, "{}", serde_json::to_string(line)?)?;
    Ok(())
}

fn record(a: RecordArgs) -> Result<()> {
    if let Some(text) = a.note {
        append(&a.out, &Line::Note { text })?;
    }
    if let Some(store) = a.load_store {
        append(&a.out, &Line::Load { store, n: a.n.context("--n")?, seconds: a.seconds.context("--seconds")? })?;
    }
    Ok(())
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split(':').nth(1)).map(|m| m.trim().to_owned()))
        .unwrap_or_else(|| "unknown CPU".into());
    let mem_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("MemTotal:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse::<f64>().ok()))
        .map_or(0.0, |kib| kib / 1024.0 / 1024.0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").map(|s| s.trim().to_owned()).unwrap_or_default();
    format!("{cpus} CPUs ({model}), {mem_gib:.1} GiB memory, Linux {kernel}")
}

fn mib(k: Option<u64>) -> String {
    k.map_or("—".into(), |k| format!("{:.0}", k as f64 / 1024.0))
}

fn fmt_ms(v: f64) -> String {
    if v.is_nan() {
        "—".into()
    } else if v < 10.0 {
        format!("{v:.2}")
    } else if v < 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

fn fmt_rps(v: f64) -> String {
    if v < 10.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.0}")
    }
}

/// Row order within a group: planmap, then the peer, then the floors.
fn order(k: Kind) -> u8 {
    match k {
        Kind::Planmap | Kind::PlanmapTiles => 0,
        Kind::Pygeoapi | Kind::TipgItems | Kind::Martin => 1,
        Kind::FloorStored | Kind::Tipg => 2,
        Kind::Floor | Kind::FloorMvt => 3,
    }
}

fn report(a: ReportArgs) -> Result<()> {
    let text = std::fs::read_to_string(&a.results).with_context(|| format!("reading {}", a.results.display()))?;
    let lines: Vec<Line> = text.lines().filter(|l| !l.trim().is_empty()).map(serde_json::from_str).collect::<Result<_, _>>()?;
    let measures: Vec<&Measure> = lines.iter().filter_map(|l| if let Line::Measure(m) = l { Some(m) } else { None }).collect();
    let floor: BTreeMap<(u64, Zoom, usize), (f64, f64)> =
        measures.iter().filter(|m| m.kind == Kind::Floor).map(|m| ((m.n, m.zoom, m.clients), (m.rps, m.features_per_response))).collect();
    let tipg: BTreeMap<(u64, Zoom, usize), f64> =
        measures.iter().filter(|m| m.kind == Kind::TipgItems).map(|m| ((m.n, m.zoom, m.clients), m.rps)).collect();
    let mut unlike = false;

    let mut out = String::new();
    out.push_str("# planmap benchmark: `/api/projects?bbox=…`\n\n");
    if !a.date.is_empty() {
        out.push_str(&format!("Run {}", a.date));
        if let Some(w) = a.wall {
            out.push_str(&format!(", {:.0} s wall time", w));
        }
        out.push_str(".  \n");
    }
    out.push_str(&format!("Machine: {}. Load generator, servers and PostgreSQL on the same machine.\n\n", machine()));

    let loads: Vec<(&String, u64, f64)> =
        lines.iter().filter_map(|l| if let Line::Load { store, n, seconds } = l { Some((store, *n, *seconds)) } else { None }).collect();
    if !loads.is_empty() {
        out.push_str("## Loading `planmap demo-data --count N --seed 1`\n\n| store | N | seconds | projects/s |\n|---|---:|---:|---:|\n");
        for (s, n, secs) in loads {
            out.push_str(&format!("| {s} | {n} | {secs:.1} | {:.0} |\n", n as f64 / secs));
        }
        out.push('\n');
    }

    let bbox_rows = measures.iter().any(|m| !m.kind.tiles());
    if bbox_rows {
        out.push_str("## Bbox queries\n\n");
        out.push_str("`÷ floor` = throughput ÷ the bare-SQL floor's (GeoJSON built by PostGIS) for the same N, zoom and clients; ");
        out.push_str("`÷ tipg` = throughput ÷ tipg's (OGC API – Features items on the same table, every match in one answer) for the same N, zoom and clients. ");
        out.push_str(
            "`features` = mean features per answer over the first queries (pygeoapi stops at `limit`). RSS in MiB: idle after start → after this run (peak).\n\n",
        );
        out.push_str("| N | zoom | clients | target | req/s | p50 ms | p99 ms | KiB/answer | features | ÷ floor | ÷ tipg | RSS MiB | errors |\n");
        out.push_str("|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|\n");
        let mut sorted: Vec<&Measure> = measures.iter().copied().filter(|m| !m.kind.tiles()).collect();
        sorted.sort_by(|x, y| (x.n, x.zoom, x.clients, order(x.kind), &x.label).cmp(&(y.n, y.zoom, y.clients, order(y.kind), &y.label)));
        for m in sorted {
            let ratio = match (m.kind, floor.get(&(m.n, m.zoom, m.clients))) {
                (Kind::Floor, _) => "1".into(),
                (_, Some((f, feats))) if *f > 0.0 => {
                    // Not the same work when the answers carry different numbers of features (pygeoapi's limit).
                    if (m.features_per_response - feats).abs() > 0.01 * feats.max(1.0) {
                        unlike = true;
                        format!("{:.2}†", m.rps / f)
                    } else {
                        format!("{:.2}", m.rps / f)
                    }
                }
                _ => "—".into(),
            };
            let per_tipg = match (m.kind, tipg.get(&(m.n, m.zoom, m.clients))) {
                (Kind::TipgItems, _) => "1".into(),
                (_, Some(t)) if *t > 0.0 => format!("{:.2}", m.rps / t),
                _ => "—".into(),
            };
            let rss =
                if m.rss_idle_kib.is_some() { format!("{} → {} ({})", mib(m.rss_idle_kib), mib(m.rss_after_kib), mib(m.hwm_kib)) } else { "—".into() };
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {:.1} | {:.0} | {} | {} | {} | {} |\n",
                m.n,
                format!("{:?}", m.zoom).to_lowercase(),
                m.clients,
                m.label,
                fmt_rps(m.rps),
                fmt_ms(m.p50_ms),
                fmt_ms(m.p99_ms),
                m.bytes_per_response / 1024.0,
                m.features_per_response,
                ratio,
                per_tipg,
                rss,
                m.errors
            ));
        }
    }
    if unlike {
        out.push_str("\n† Not like for like: this target's answers carry a different number of features than the floor's (pygeoapi stops at `limit`).\n");
    }
    let mut tiles: Vec<&Measure> = measures.iter().copied().filter(|m| m.kind.tiles()).collect();
    if !tiles.is_empty() {
        // Martin runs twice: `cold` with its tile cache off (`cache_size_mb: 0`), `warm` with its
        // default cache; an unlabelled Martin (older result files) counts as cold.
        let martin = |warm: bool| -> BTreeMap<(u64, Zoom, usize), f64> {
            tiles.iter().filter(|m| m.kind == Kind::Martin && m.label.ends_with(" warm") == warm).map(|m| ((m.n, m.zoom, m.clients), m.rps)).collect()
        };
        let (martin_cold, martin_warm) = (martin(false), martin(true));
        let floor_mvt: BTreeMap<(u64, Zoom, usize), f64> =
            tiles.iter().filter(|m| m.kind == Kind::FloorMvt).map(|m| ((m.n, m.zoom, m.clients), m.rps)).collect();
        out.push_str("\n## Vector tiles\n\n");
        out.push_str("Every tile of the list fetched once before measuring (so `warm` is warm; `cold` = planmap started with `--tile-cache-mb 0`). ");
        out.push_str("Martin runs twice on the same table: `cold` with its tile cache off (`cache_size_mb: 0`), `warm` with its default 512 MB cache. ");
        out.push_str("`÷ martin cold`, `÷ martin warm` and `÷ floor-mvt` = throughput ÷ that Martin's / the bare `ST_AsMVT` query's for the same N, zoom and clients. KiB/tile as sent (gzip where the server compresses).\n\n");
        out.push_str("| N | zoom | clients | target | req/s | p50 ms | p99 ms | KiB/tile | ÷ martin cold | ÷ martin warm | ÷ floor-mvt | RSS MiB | errors |\n");
        out.push_str("|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|\n");
        tiles.sort_by(|x, y| (x.n, x.zoom, x.clients, order(x.kind), &x.label).cmp(&(y.n, y.zoom, y.clients, order(y.kind), &y.label)));
        for m in tiles {
            let key = (m.n, m.zoom, m.clients);
            let ratio = |r: Option<&f64>| r.filter(|r| **r > 0.0).map_or("—".into(), |r| format!("{:.2}", m.rps / r));
            let rss =
                if m.rss_idle_kib.is_some() { format!("{} → {} ({})", mib(m.rss_idle_kib), mib(m.rss_after_kib), mib(m.hwm_kib)) } else { "—".into() };
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {:.1} | {} | {} | {} | {} | {} |\n",
                m.n,
                format!("{:?}", m.zoom).to_lowercase(),
                m.clients,
                m.label,
                fmt_rps(m.rps),
                fmt_ms(m.p50_ms),
                fmt_ms(m.p99_ms),
                m.bytes_per_response / 1024.0,
                ratio(martin_cold.get(&key)),
                ratio(martin_warm.get(&key)),
                ratio(floor_mvt.get(&key)),
                rss,
                m.errors
            ));
        }
    }
    let notes: Vec<&String> = lines.iter().filter_map(|l| if let Line::Note { text } = l { Some(text) } else { None }).collect();
    if !notes.is_empty() {
        out.push_str("\nNotes:\n\n");
        for n in notes {
            out.push_str(&format!("- {n}\n"));
        }
    }
    print!("{out}");
    if let Some(p) = a.markdown {
        std::fs::write(&p, &out).with_context(|| format!("writing {}", p.display()))?;
    }
    Ok(())
}
