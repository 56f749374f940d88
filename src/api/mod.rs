//! HTTP: routes, shared state and layers. Handlers are thin: typed extractors (`extract`) turn
//! the request into domain types, one use case (`crate::service`) or store read does the work,
//! `reply` and `problem` answer. Handler files do not import each other; what they share is in
//! `extract` (requests), `reply` (responses), `problem` (every error → HTTP) and `caller` (who).
//! Route table:
//!
//! | route | what |
//! |---|---|
//! | `GET /api/projects` | FeatureCollection, filtered, streamed; `limit`/`offset` page it (`X-Total-Count`) |
//! | `GET /api/projects/{id}` | one Feature, `ETag` = version |
//! | `GET /api/projects/{id}/history` | revisions |
//! | `GET /api/stats` | counts and investment by status, action, town, kind, unit; `kpis` (年度计划投资 … 滞后, `period=` adds report counts) |
//! | `/api/reports…`, `/api/projects/{id}/reports`, `…/milestones`, `/api/units`, `/api/stats/units` | monthly reports and milestones (see `reports`) |
//! | `GET /api/basemap`, `/api/basemap/attribution` | outlines and their credits |
//! | `GET /basemaps.json`, `/basemap/{name}/{z}/{x}/{y}` | configured basemaps and their tiles, proxied or from a local archive (see `basemaps`) |
//! | `GET /api/meta` | vocabularies (statuses, kinds, actions, tasks, towns), region, the district outline's extent, project count and the page's tiles threshold |
//! | `GET /api/plan/targets`, `/api/plan/programmes` | the plan's targets (with reported values, see `targets`) and unmapped programmes |
//! | `/api/reports/{rid}/photos`, `/api/photos/{id}`, `/api/reports/export`, `/api/reports/reminders` | photos, 月报表, reminders (see `report_extras`) |
//! | `POST /api/projects`, `PUT`/`PATCH`/`DELETE /api/projects/{id}` | writes (planner; `If-Match`) |
//! | `GET /api/projects/{id}/history/{version}`, `/diff?from=&to=`; `POST …/restore` | history |
//! | `GET /api/archived` | archived projects: who archived each and when (planner) |
//! | `POST /api/import?dry_run=&crs=&mode=` | bulk import report (planner) |
//! | `GET`/`POST`/`DELETE /api/session` | who am I, sign in, sign out |
//! | `GET`/`POST /api/users`, `PATCH /api/users/{name}`, `GET`/`POST`/`DELETE /api/users/{name}/tokens…`, `GET /api/audit` | admin |
//! | `GET /healthz`, `/readyz` | process alive; store reachable |
//! | `GET /api/export?format=` | geojson, csv, gpkg, kml, shp (zip), fgb; same filters; dated file name |
//! | `GET /tiles/projects/{z}/{x}/{y}.mvt`, `/tiles/projects.json`, `/ogcapi/collections/projects/tiles…` | vector tiles, TileJSON, OGC API – Tiles (see `tiles`) |
//! | `GET /ogcapi/…`; `POST`/`PUT`/`PATCH`/`DELETE` on `/ogcapi/collections/projects/items…` | OGC API – Features, Part 4 writes via `service::edit` (see `ogcapi`) |
//! | everything else | the web page and vendored files |

mod basemaps;
pub mod caller;
mod edit;
mod export;
pub mod extract;
mod health;
mod import;
mod meta;
mod ogcapi;
mod pages;
pub mod precondition;
mod problem;
mod projects;
mod reply;
mod report_extras;
mod reports;
mod session;
mod targets;
mod tiles;
mod users;

pub use problem::Problem;

use crate::config::EditConfig;
use crate::geodata::Geodata;
use crate::project::Rules;
use crate::service::edit::Edits;
use crate::store::Store;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// What every handler can reach. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub store: Arc<dyn Store>,
    /// Input rules (region, towns, islands).
    pub rules: Arc<Rules>,
    /// Base data.
    pub geodata: Arc<Geodata>,
    /// Sign-in, sessions and editing limits.
    pub edit: Arc<EditConfig>,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// Vector tiles and their cache.
    pub tiles: Arc<crate::tiles::TileCache>,
    /// Configured basemaps: the tile proxy and local archives.
    pub basemaps: Arc<crate::basemap::serve::Service>,
    /// Above this many projects the map page works on tiles (`/api/meta` tells it).
    pub tiles_threshold: u64,
}

/// The whole HTTP surface.
pub fn router(state: AppState, max_body_bytes: usize, timeout: Duration) -> Router {
    Router::new()
        .merge(projects::router())
        .merge(meta::router())
        .merge(health::router())
        .merge(edit::router())
        .merge(import::router())
        .merge(session::router())
        .merge(users::router())
        .merge(export::router())
        .merge(tiles::router())
        .merge(basemaps::router())
        .merge(reports::router())
        .merge(report_extras::router())
        .merge(targets::router())
        .merge(ogcapi::router(Arc::new(ogcapi::Islands::from_geodata(&state.geodata))))
        .route("/api", get(|| async { Problem::not_found("see /api/projects, /api/stats, /api/basemap, /api/meta") }))
        .fallback(pages::serve)
        .layer(axum::middleware::from_fn_with_state(state.clone(), caller::identify))
        .layer(axum::middleware::from_fn_with_state(Arc::new(tokio::sync::Semaphore::new(extract::LARGE_BODIES_AT_ONCE)), extract::bound_large_bodies))
        .with_state(state)
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        // Outside every route and the timeout, so that axum's own rejections (bad path encoding,
        // 405, 408, 413) leave as problem+json like every other error.
        .layer(axum::middleware::map_response(problem::ensure_problem))
        .layer(axum::middleware::map_response(pages::security_headers))
        .layer(axum::middleware::from_fn(extract::refuse_nul_query))
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}

impl AppState {
    /// The project edit use cases over this state's store, rules and vertex limit.
    pub fn edits(&self) -> Edits<'_> {
        Edits { store: self.store.as_ref(), rules: &self.rules, max_vertices: self.edit.max_vertices }
    }
}
