//! Configuration: one clap struct per concern; every field has a flag, an environment variable
//! and a doc comment that becomes `--help`. Nothing outside this file reads the environment.

use crate::basemap::Basemaps;
use crate::geometry::Region;
use crate::project::Towns;
use crate::store::StoreUrl;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

/// planmap: development-plan projects on an island map.
#[derive(Debug, Parser)]
#[command(name = "planmap", version, about)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Settings shared by every command.
    #[command(flatten)]
    pub common: Common,
    /// Server settings (used by `serve`, also when no command is given).
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the map and API (the default).
    Serve(Box<ServeArgs>),
    /// Import a GeoJSON FeatureCollection or a GeoPackage, all or nothing, with a per-feature report.
    Import(ImportArgs),
    /// Write the projects as GeoJSON, CSV, GeoPackage, KML, Shapefile (zip) or FlatGeobuf.
    Export(ExportArgs),
    /// Apply the store's migrations and exit.
    Migrate,
    /// Generate deterministic synthetic projects for scale tests (marked `synthetic: true`).
    DemoData(DemoArgs),
    /// Manage users: add, list, disable, enable, reset-password, set-role.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens for scripts.
    #[command(subcommand)]
    Token(TokenCommand),
    /// The monthly reports: export the 月报表, list the units that have not reported, remind them.
    #[command(subcommand)]
    Report(ReportCommand),
}

/// `planmap report …`.
#[derive(Debug, Clone, Subcommand)]
pub enum ReportCommand {
    /// Write the monthly report table (月报表) of a month as XLSX or CSV.
    Export {
        /// The month, YYYY-MM.
        #[arg(long)]
        period: String,
        /// Output file; its extension (.xlsx, .csv) gives the format unless --format says.
        #[arg(long, short)]
        output: PathBuf,
        /// xlsx or csv.
        #[arg(long)]
        format: Option<String>,
    },
    /// List the units (and their projects) that have not reported a month.
    Missing {
        /// The month, YYYY-MM.
        #[arg(long)]
        period: String,
        /// Day of the following month the reports are due.
        #[arg(long, env = "PLANMAP_REPORT_DEADLINE_DAY", default_value_t = crate::service::reminders::DEFAULT_DEADLINE_DAY, value_parser = clap::value_parser!(u32).range(1..=31))]
        deadline_day: u32,
    },
    /// Post the list of units that have not reported to a group robot (DingTalk or WeCom).
    Remind {
        /// The month, YYYY-MM.
        #[arg(long)]
        period: String,
        /// The robot's webhook URL.
        #[arg(long, env = "PLANMAP_REMINDER_WEBHOOK")]
        webhook: String,
        /// Day of the following month the reports are due.
        #[arg(long, env = "PLANMAP_REPORT_DEADLINE_DAY", default_value_t = crate::service::reminders::DEFAULT_DEADLINE_DAY, value_parser = clap::value_parser!(u32).range(1..=31))]
        deadline_day: u32,
    },
}

/// `planmap user …`.
#[derive(Debug, Clone, Subcommand)]
pub enum UserCommand {
    /// Add a user. The password is read from standard input with `--password-stdin`; otherwise a
    /// random one is generated and printed once.
    Add {
        /// Sign-in name.
        name: String,
        /// viewer, planner, reviewer or admin.
        #[arg(long, default_value = "viewer")]
        role: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        /// A responsible unit (责任单位) the user reports for, as the plan names it, e.g.
        /// 区交通运输局; repeat for several. None: district-wide.
        #[arg(long = "unit")]
        units: Vec<String>,
    },
    /// Let a user record the plan's target values (a statistics user), or stop it with --off.
    Statistics {
        /// Sign-in name.
        name: String,
        /// Withdraw the designation.
        #[arg(long)]
        off: bool,
    },
    /// Replace the units a user reports for (none: district-wide).
    SetUnits {
        /// Sign-in name.
        name: String,
        /// A responsible unit; repeat for several.
        #[arg(long = "unit")]
        units: Vec<String>,
    },
    /// List the responsible units users can be tied to.
    Units,
    /// List users.
    List,
    /// Disable a user: no sign-in, and their sessions and tokens stop working at once.
    Disable {
        /// Sign-in name.
        name: String,
    },
    /// Enable a disabled user again.
    Enable {
        /// Sign-in name.
        name: String,
    },
    /// Set a new password (and end the user's sessions).
    ResetPassword {
        /// Sign-in name.
        name: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Change a user's role.
    SetRole {
        /// Sign-in name.
        name: String,
        /// viewer, planner, reviewer or admin.
        role: String,
    },
}

/// `planmap token …`.
#[derive(Debug, Clone, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for USER and print it once (only its digest is stored).
    Add {
        /// The user the token acts as.
        user: String,
        /// What the token is for.
        #[arg(long)]
        label: Option<String>,
        /// Days until the token stops working (1–3650); without it, it works until revoked.
        #[arg(long)]
        expires_days: Option<u32>,
    },
    /// List USER's tokens: id, label, issued, expiry (never the token itself).
    List {
        /// Whose tokens.
        user: String,
    },
    /// Revoke USER's token ID (the id from `planmap token list`).
    Revoke {
        /// Whose token.
        user: String,
        /// The token's id.
        id: String,
    },
}

/// Settings every command needs.
#[derive(Debug, Clone, Args)]
pub struct Common {
    /// Where the data lives: `sqlite:PATH` (embedded, the default) or `postgres://…` (PostGIS).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite:data/planmap.db", global = true)]
    pub database_url: StoreUrl,
    /// Geometries must lie in this lon/lat box: minLon,minLat,maxLon,maxLat. Default: Dongtou with a margin.
    #[arg(long, env = "PLANMAP_REGION", default_value = "120.55,27.55,121.45,28.15", global = true)]
    pub region: Region,
    /// Comma-separated list of accepted towns (街道/镇/乡). Default: Dongtou's eight.
    #[arg(long, env = "PLANMAP_TOWNS", value_delimiter = ',', global = true)]
    pub towns: Vec<String>,
    /// Read base data (outlines, seed) from this folder instead of the copy built into the binary.
    #[arg(long, env = "PLANMAP_GEODATA", global = true)]
    pub geodata: Option<PathBuf>,
    /// Log format.
    #[arg(long, env = "PLANMAP_LOG_FORMAT", value_enum, default_value = "pretty", global = true)]
    pub log_format: LogFormat,
}

impl Common {
    /// The configured towns, or the default list.
    pub fn towns(&self) -> Result<Towns, String> {
        if self.towns.is_empty() {
            Ok(Towns::default())
        } else {
            Towns::new(self.towns.clone())
        }
    }
}

/// Log output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// For people.
    Pretty,
    /// One JSON object per line, for collectors.
    Json,
}

/// Server settings.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address and port to listen on. Use 0.0.0.0:8080 to serve the intranet.
    #[arg(long, env = "PLANMAP_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Load `geodata/projects.geojson` into an empty store at start.
    #[arg(long, env = "PLANMAP_SEED", default_value_t = true, action = clap::ArgAction::Set)]
    pub seed: bool,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "PLANMAP_MAX_BODY_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Seconds a request may take before it is answered 408.
    #[arg(long, env = "PLANMAP_REQUEST_TIMEOUT", default_value_t = 60)]
    pub request_timeout: u64,
    /// Memory for cached vector tiles, in MiB; 0 turns the tile cache off.
    #[arg(long, env = "PLANMAP_TILE_CACHE_MB", default_value_t = 256, value_parser = clap::value_parser!(u64).range(0..=65_536))]
    pub tile_cache_mb: u64,
    /// Below zoom 14, a vector tile holding more than this many projects gathers its small
    /// geometries into clusters; a sparser one draws every project. 0: always cluster.
    #[arg(long, env = "PLANMAP_TILE_CLUSTER_OVER", default_value_t = crate::tiles::CLUSTER_OVER, value_parser = clap::value_parser!(u32).range(0..=100_000))]
    pub tile_cluster_over: u32,
    /// A basemaps.toml listing imagery/vector basemaps (天地图 WMTS, XYZ/TMS, TileJSON, PMTiles,
    /// MBTiles); `${NAME}` in it is read from the environment. None: the offline outline only.
    #[arg(long, env = "PLANMAP_BASEMAP_CONFIG")]
    pub basemap_config: Option<PathBuf>,
    /// Memory for cached basemap tiles (proxied and local), in MiB; 0 turns that cache off.
    #[arg(long, env = "PLANMAP_BASEMAP_CACHE_MB", default_value_t = 128, value_parser = clap::value_parser!(u64).range(0..=65_536))]
    pub basemap_cache_mb: u64,
    /// Above this many projects the map page draws them from vector tiles, takes its figures
    /// from `/api/stats` and pages its table on the server, instead of loading every project.
    #[arg(long, env = "PLANMAP_TILES_THRESHOLD", default_value_t = 2000)]
    pub tiles_threshold: u64,
    /// Sign-in, sessions and editing limits.
    #[command(flatten)]
    pub edit: EditConfig,
}

impl ServeArgs {
    /// The flags of `planmap [FLAGS] serve [FLAGS]` as one set: a flag typed after `serve` wins,
    /// then one typed before it, then the environment or default (the same on both sides).
    /// `sub` was parsed from the `serve` subcommand, whose matches are `sub_matches`.
    pub fn merge(top: &ServeArgs, sub: &ServeArgs, sub_matches: &clap::ArgMatches) -> ServeArgs {
        let typed =
            |id: &str| sub_matches.try_get_raw(id).ok().flatten().is_some() && sub_matches.value_source(id) == Some(clap::parser::ValueSource::CommandLine);
        let mut out = top.clone();
        macro_rules! take {
            ($($field:ident).+ = $id:literal) => {
                if typed($id) {
                    out.$($field).+ = sub.$($field).+.clone();
                }
            };
        }
        take!(bind = "bind");
        take!(seed = "seed");
        take!(max_body_bytes = "max_body_bytes");
        take!(request_timeout = "request_timeout");
        take!(tile_cache_mb = "tile_cache_mb");
        take!(tile_cluster_over = "tile_cluster_over");
        take!(basemap_config = "basemap_config");
        take!(basemap_cache_mb = "basemap_cache_mb");
        take!(tiles_threshold = "tiles_threshold");
        take!(edit.read_access = "read_access");
        take!(edit.session_hours = "session_hours");
        take!(edit.cookie_secure = "cookie_secure");
        take!(edit.trust_proxy = "trust_proxy");
        take!(edit.max_failed_sign_ins = "max_failed_sign_ins");
        take!(edit.import_max_features = "import_max_features");
        take!(edit.max_vertices = "max_vertices");
        out
    }
}

/// Who may read, how sessions behave, and the limits of one import (issue 4, editing).
#[derive(Debug, Clone, Args)]
pub struct EditConfig {
    /// `public`: anyone may read the map; `signed-in`: reads need a signed-in user (any role).
    #[arg(long, env = "PLANMAP_READ_ACCESS", value_enum, default_value = "public")]
    pub read_access: ReadAccess,
    /// Hours a browser session lasts after sign-in.
    #[arg(long, env = "PLANMAP_SESSION_HOURS", default_value_t = 12)]
    pub session_hours: u32,
    /// Mark the session cookie `Secure`: `auto` when the request came over TLS (per
    /// X-Forwarded-Proto when `--trust-proxy`), `always`, or `never`.
    #[arg(long, env = "PLANMAP_COOKIE_SECURE", value_enum, default_value = "auto")]
    pub cookie_secure: CookieSecure,
    /// Believe X-Forwarded-For / X-Forwarded-Proto (set only behind your own load balancer).
    #[arg(long, env = "PLANMAP_TRUST_PROXY", default_value_t = false, action = clap::ArgAction::Set)]
    pub trust_proxy: bool,
    /// Failed sign-ins per account from one address within 15 minutes before that address must
    /// wait (429 with Retry-After: 30 s, doubling per further failure, at most 15 min). One
    /// address gets 20 times as many over all accounts.
    #[arg(long, env = "PLANMAP_MAX_FAILED_SIGN_INS", default_value_t = 5)]
    pub max_failed_sign_ins: u32,
    /// Features accepted in one import.
    #[arg(long, env = "PLANMAP_IMPORT_MAX_FEATURES", default_value_t = 5000)]
    pub import_max_features: usize,
    /// Vertices accepted in one geometry (writes and imports).
    #[arg(long, env = "PLANMAP_MAX_VERTICES", default_value_t = 50_000)]
    pub max_vertices: usize,
    /// Day of the following month by which a month's reports are due (1–31; the month's last
    /// day when it is shorter). Units without a report after it are listed as late.
    #[arg(long, env = "PLANMAP_REPORT_DEADLINE_DAY", default_value_t = crate::service::reminders::DEFAULT_DEADLINE_DAY, value_parser = clap::value_parser!(u32).range(1..=31))]
    pub report_deadline_day: u32,
    /// Group-robot webhook (DingTalk or WeCom) that `POST /api/reports/reminders/send` and
    /// `planmap report remind` post the list of units that have not reported to.
    #[arg(long, env = "PLANMAP_REMINDER_WEBHOOK")]
    pub reminder_webhook: Option<String>,
}

impl Default for EditConfig {
    fn default() -> Self {
        EditConfig {
            read_access: ReadAccess::Public,
            session_hours: 12,
            cookie_secure: CookieSecure::Auto,
            trust_proxy: false,
            max_failed_sign_ins: 5,
            import_max_features: 5000,
            max_vertices: 50_000,
            report_deadline_day: crate::service::reminders::DEFAULT_DEADLINE_DAY,
            reminder_webhook: None,
        }
    }
}

/// Whether reads need a signed-in user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReadAccess {
    /// Anyone may read.
    Public,
    /// Reads need a signed-in user of any role.
    SignedIn,
}

/// When the session cookie carries `Secure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CookieSecure {
    /// When the request came over TLS.
    Auto,
    /// Always (the site is only reached over TLS).
    Always,
    /// Never (plain-HTTP intranet).
    Never,
}

/// `planmap import`.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// A GeoJSON FeatureCollection or a GeoPackage (.gpkg) file.
    pub file: PathBuf,
    /// Check and report only; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Refuse ids that already exist instead of replacing them.
    #[arg(long)]
    pub create_only: bool,
    /// Comment recorded in every revision.
    #[arg(long)]
    pub comment: Option<String>,
    /// Coordinate system of the file: wgs84, cgcs2000, gcj02 (Amap, Tencent) or bd09 (Baidu).
    #[arg(long, default_value = "wgs84")]
    pub crs: String,
}

/// `planmap export`.
#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// geojson, csv, gpkg, kml, shp (zipped) or fgb.
    #[arg(long, short, default_value = "geojson")]
    pub format: crate::formats::ExportFormat,
    /// Only projects matching this CQL2 text filter, e.g. "status = 'completed'".
    #[arg(long)]
    pub filter: Option<String>,
    /// Output file; standard output when omitted.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// `planmap demo-data`.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// How many projects.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=2_000_000))]
    pub count: u32,
    /// Random seed; the same seed gives the same projects.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write a FeatureCollection here instead of loading the store.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// How many of the synthetic projects also get milestones and monthly reports (0: none).
    #[arg(long, default_value_t = 200)]
    pub report_projects: usize,
    /// How many months before this one get reports.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=36))]
    pub report_months: u32,
}

/// Everything `App::build` needs, constructed directly by tests.
#[derive(Debug, Clone)]
pub struct Config {
    /// Store.
    pub database_url: StoreUrl,
    /// Listen address.
    pub bind: SocketAddr,
    /// Region for the geometry rules.
    pub region: Region,
    /// Accepted towns.
    pub towns: Towns,
    /// Base data folder override.
    pub geodata: Option<PathBuf>,
    /// Seed an empty store.
    pub seed: bool,
    /// Body limit.
    pub max_body_bytes: usize,
    /// Request timeout in seconds.
    pub request_timeout: u64,
    /// Tile cache budget in bytes (0: off).
    pub tile_cache_bytes: u64,
    /// Tiles of more projects than this cluster (below zoom 14).
    pub tile_cluster_over: u32,
    /// Configured basemaps (none: the offline outline only).
    pub basemaps: Basemaps,
    /// Basemap tile cache budget in bytes (0: off).
    pub basemap_cache_bytes: u64,
    /// Projects above which the page works on tiles.
    pub tiles_threshold: u64,
    /// Sign-in, sessions and editing limits.
    pub edit: EditConfig,
}

impl Config {
    /// From the parsed command line.
    pub fn from_cli(common: &Common, serve: &ServeArgs) -> Result<Config, String> {
        Ok(Config {
            database_url: common.database_url.clone(),
            bind: serve.bind,
            region: common.region,
            towns: common.towns()?,
            geodata: common.geodata.clone(),
            seed: serve.seed,
            max_body_bytes: serve.max_body_bytes,
            request_timeout: serve.request_timeout,
            tile_cache_bytes: serve.tile_cache_mb * 1024 * 1024,
            tile_cluster_over: serve.tile_cluster_over,
            basemaps: match &serve.basemap_config {
                // `${NAME}` keys come from the environment, read here like every other setting.
                Some(path) => Basemaps::load(path, &|name| std::env::var(name).ok()).map_err(|e| format!("{}: {e}", path.display()))?,
                None => Basemaps::none(),
            },
            basemap_cache_bytes: serve.basemap_cache_mb * 1024 * 1024,
            tiles_threshold: serve.tiles_threshold,
            edit: serve.edit.clone(),
        })
    }

    /// For tests: the given store, a random port on loopback, seeding on, defaults otherwise.
    pub fn for_tests(database_url: StoreUrl) -> Config {
        Config {
            database_url,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            region: Region::DONGTOU,
            towns: Towns::default(),
            geodata: None,
            seed: true,
            max_body_bytes: 10 * 1024 * 1024,
            request_timeout: 60,
            tile_cache_bytes: 64 * 1024 * 1024,
            tile_cluster_over: crate::tiles::CLUSTER_OVER,
            basemaps: Basemaps::none(),
            basemap_cache_bytes: 16 * 1024 * 1024,
            tiles_threshold: 2000,
            edit: EditConfig::default(),
        }
    }
}
