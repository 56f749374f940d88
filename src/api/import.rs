//! `POST /api/import`: a GeoJSON FeatureCollection in, a per-feature report out; all or nothing.
//!
//! Query: `dry_run=true` (check and report, write nothing), `crs=wgs84|cgcs2000|gcj02|bd09`,
//! `mode=upsert|create_only`, `comment=`. Body size, feature count and vertices per geometry
//! are limited; each limit answers 413 with the limit in the message.

use super::caller::{Body, Caller};
use super::session::json_body;
use super::{AppState, Problem};
use crate::auth::Role;
use crate::geometry::crs::Crs;
use crate::import::{self, Limits};
use crate::store::{BatchMode, RevisionMeta};
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/import", post(run))
}

async fn run(State(s): State<AppState>, c: Caller, RawQuery(q): RawQuery, Body(body): Body) -> Result<Response, Problem> {
    c.require(Role::Planner)?;
    let (mut dry_run, mut crs, mut mode, mut comment) = (false, Crs::Wgs84, BatchMode::Upsert, None);
    for (k, v) in super::query_pairs(q.as_deref()) {
        match k.as_str() {
            "dry_run" => {
                dry_run = match v.as_str() {
                    "true" | "1" | "" => true,
                    "false" | "0" => false,
                    _ => return Err(Problem::bad_parameter("dry_run", format!("`{v}` is not true or false"))),
                }
            }
            "crs" => crs = v.parse().map_err(|e: crate::geometry::crs::BadCrs| Problem::bad_parameter("crs", e.to_string()))?,
            "mode" => {
                mode = match v.as_str() {
                    "upsert" => BatchMode::Upsert,
                    "create_only" => BatchMode::CreateOnly,
                    _ => return Err(Problem::bad_parameter("mode", format!("`{v}` is not one of: upsert, create_only"))),
                }
            }
            "comment" => comment = Some(v),
            other => return Err(Problem::bad_parameter(other, "is not a known parameter; known: dry_run, crs, mode, comment")),
        }
    }
    let value = json_body(&body)?;
    let limits = Limits { max_features: s.edit.import_max_features, max_vertices: s.edit.max_vertices };
    let default_comment = format!("import ({crs})");
    let meta = RevisionMeta::by(c.actor(), Some(comment.as_deref().unwrap_or(&default_comment))).audited(c.address.as_deref(), Some("import"));
    let report = import::run_in(s.store.as_ref(), &value, &s.rules, limits, crs, mode, dry_run, &meta).await?;
    // 200 even when features were rejected: the report is the answer, and says `written: false`.
    Ok(Json(report).into_response())
}
