//! `POST /api/import`: a GeoJSON FeatureCollection in, a per-feature report out; all or nothing.
//!
//! Query: `dry_run=true` (check and report, write nothing), `crs=wgs84|cgcs2000|gcj02|bd09`,
//! `mode=upsert|create_only`, `comment=`. Body size, feature count and vertices per geometry
//! are limited; each limit answers 413 with the limit in the message. The rules are
//! `service::import`, shared with `planmap import`.

use super::extract::{FromQuery, JsonBody, Planner, Query};
use super::{AppState, Problem};
use crate::geometry::crs::Crs;
use crate::service::import::{self, Limits};
use crate::store::{BatchMode, RevisionMeta};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/import", post(run))
}

/// The import's query parameters.
struct ImportQuery {
    dry_run: bool,
    crs: Crs,
    mode: BatchMode,
    comment: Option<String>,
}

impl Default for ImportQuery {
    fn default() -> Self {
        ImportQuery { dry_run: false, crs: Crs::Wgs84, mode: BatchMode::Upsert, comment: None }
    }
}

impl FromQuery for ImportQuery {
    const KNOWN: &'static [&'static str] = &["dry_run", "crs", "mode", "comment"];
    fn set(&mut self, key: &str, v: String) -> Result<(), Problem> {
        match key {
            "dry_run" => {
                self.dry_run = match v.as_str() {
                    "true" | "1" | "" => true,
                    "false" | "0" => false,
                    _ => return Err(Problem::bad_parameter(key, format!("`{v}` is not true or false"))),
                }
            }
            "crs" => self.crs = v.parse().map_err(|e: crate::geometry::crs::BadCrs| Problem::bad_parameter(key, e.to_string()))?,
            "mode" => {
                self.mode = match v.as_str() {
                    "upsert" => BatchMode::Upsert,
                    "create_only" => BatchMode::CreateOnly,
                    _ => return Err(Problem::bad_parameter(key, format!("`{v}` is not one of: upsert, create_only"))),
                }
            }
            _ => self.comment = Some(v),
        }
        Ok(())
    }
}

async fn run(State(s): State<AppState>, Planner(c): Planner, Query(q): Query<ImportQuery>, JsonBody(value): JsonBody) -> Result<Response, Problem> {
    let limits = Limits { max_features: s.edit.import_max_features, max_vertices: s.edit.max_vertices };
    let default_comment = format!("import ({})", q.crs);
    let meta = RevisionMeta::by(c.actor(), Some(q.comment.as_deref().unwrap_or(&default_comment))).audited(c.address.as_deref(), Some("import"));
    let report = import::run_in(s.store.as_ref(), &value, &s.rules, limits, q.crs, q.mode, q.dry_run, &meta).await?;
    // 200 even when features were rejected: the report is the answer, and says `written: false`.
    Ok(Json(report).into_response())
}
