//! Wiring: open the store, load base data, seed an empty store, bind, serve, shut down on signal.

use crate::api::{self, AppState};
use crate::config::Config;
use crate::geodata::Geodata;
use crate::project::Rules;
use crate::service::import::{self, Limits};
use crate::store::{self, BatchMode, RevisionMeta, Store};
use anyhow::Context;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// A bound, ready server.
pub struct App {
    listener: TcpListener,
    router: axum::Router,
    state: AppState,
}

impl App {
    /// Opens the store (migrating it), loads base data, seeds an empty store, binds the port.
    pub async fn build(config: Config) -> anyhow::Result<App> {
        let geodata = Geodata::load(config.geodata.as_deref()).map_err(anyhow::Error::msg).context("loading base data")?;
        let rules = Rules { region: config.region, towns: config.towns.clone(), islands: Arc::new(geodata.islands.clone()) };
        let store = store::open(&config.database_url, config.region).await.with_context(|| format!("opening {}", config.database_url))?;
        if config.seed {
            seed_if_empty(store.as_ref(), &geodata, &rules).await?;
        }
        // Units are the plan's, whatever the projects: users can be tied to them from the start.
        crate::service::progress::seed_units(store.as_ref(), &geodata.plan_units()).await.map_err(|e| anyhow::anyhow!("registering the plan's units: {e}"))?;
        // The sourced values of the plan's targets (geodata `reported` lists), once each.
        crate::service::targets::seed(store.as_ref(), &geodata.plan_targets)
            .await
            .map_err(|e| anyhow::anyhow!("recording the plan's reported target values: {e}"))?;
        let source = store::tiles::TileSource::open(&config.database_url, config.region, config.tile_cluster_over).await.context("opening the tile source")?;
        let tiles = crate::tiles::TileCache::new(source, config.tile_cache_bytes).await.context("starting the tile cache")?;
        let basemaps = crate::basemap::serve::Service::open(&config.basemaps, config.basemap_cache_bytes).await.context("opening the configured basemaps")?;
        let state = AppState {
            store,
            rules: Arc::new(rules),
            geodata: Arc::new(geodata),
            edit: Arc::new(config.edit.clone()),
            max_body_bytes: config.max_body_bytes,
            tiles,
            basemaps: Arc::new(basemaps),
            tiles_threshold: config.tiles_threshold,
        };
        let router = api::router(state.clone(), config.max_body_bytes, Duration::from_secs(config.request_timeout));
        let listener = TcpListener::bind(config.bind).await.with_context(|| format!("binding {}", config.bind))?;
        Ok(App { listener, router, state })
    }

    /// The address actually bound (port 0 becomes a real port).
    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// Shared state (for tests that reach the store directly).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        use axum::serve::ListenerExt;
        // Nagle's algorithm delays small responses on keep-alive connections by up to 40 ms.
        let listener = self.listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        // Connect info gives handlers the client address (audit log, sign-in rate limits).
        axum::serve(listener, self.router.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown).await?;
        Ok(())
    }
}

/// Loads `projects.geojson` when the store holds no project at all. The seed is planmap's own
/// data, so any rejected feature stops the start with the report rather than half-seeding.
pub async fn seed_if_empty(store: &dyn Store, geodata: &Geodata, rules: &Rules) -> anyhow::Result<()> {
    let census = store.census().await?;
    if census.real + census.synthetic > 0 {
        return Ok(());
    }
    let Some(text) = &geodata.projects else {
        tracing::warn!("geodata has no projects.geojson; starting with an empty store");
        return Ok(());
    };
    let value: serde_json::Value = serde_json::from_str(text).context("geodata/projects.geojson is not JSON")?;
    let report =
        import::run(store, &value, rules, Limits::default(), BatchMode::CreateOnly, false, &RevisionMeta::by("seed", Some("geodata/projects.geojson"))).await?;
    if !report.written {
        let bad: Vec<String> = report.items.iter().filter(|i| !i.errors.is_empty()).map(|i| format!("{:?}: {:?}", i.id, i.errors)).collect();
        anyhow::bail!("geodata/projects.geojson has {} invalid feature(s): {}", report.rejected, bad.join("; "));
    }
    tracing::info!(projects = report.total, "seeded the store from geodata/projects.geojson");
    // A sourced start or completion is a milestone that has happened: recorded with its source.
    let today = crate::service::progress::today();
    let milestones =
        crate::service::sourced_milestones::seed(store, today).await.map_err(|e| anyhow::anyhow!("recording the seed's sourced milestones: {e}"))?;
    tracing::info!(milestones, "recorded the seed's sourced start and completion dates as milestones");
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}
