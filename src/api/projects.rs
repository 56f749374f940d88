//! `/api/projects`, `/api/projects/{id}`, its history, and `/api/stats`: reads, straight from the store.

use super::extract::{query_pairs, PeriodFilter, ProjectPath};
use super::reply::{self, GEOJSON};
use super::{AppState, Problem};
use crate::formats::{paged_writer, ExportFormat};
use crate::project::{Page, ProjectFilter};
use crate::service::export::{encoded, project_pages};
use crate::service::progress;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures::{StreamExt, TryStreamExt};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/projects", get(list))
        .route("/api/projects/{id}", get(one))
        .route("/api/projects/{id}/history", get(history))
        .route("/api/stats", get(stats))
}

/// Query parameters `/api/projects` reads besides the filter: a slice of the id-ordered list,
/// for a table paged on the server.
const PAGING: &[&str] = &["limit", "offset"];

/// Largest `limit=`; without `limit` every match is sent (streamed).
const LIMIT_MAX: u64 = 10_000;

fn paging(pairs: &[(String, String)]) -> Result<Page, Problem> {
    let mut page = Page::ALL;
    for (k, v) in pairs {
        match k.as_str() {
            "limit" => {
                let n: u64 = v.trim().parse().map_err(|_| Problem::bad_parameter("limit", format!("`{v}` is not a whole number from 1 to {LIMIT_MAX}")))?;
                if !(1..=LIMIT_MAX).contains(&n) {
                    return Err(Problem::bad_parameter("limit", format!("must be from 1 to {LIMIT_MAX}; leave it out for every project")));
                }
                page.limit = Some(n);
            }
            "offset" => page.offset = v.trim().parse().map_err(|_| Problem::bad_parameter("offset", format!("`{v}` is not a whole number ≥ 0")))?,
            _ => {}
        }
    }
    Ok(page)
}

/// The matching projects as a FeatureCollection, written a page at a time as the store is read,
/// so the answer's size does not set the server's memory. With `limit`/`offset`, one slice of
/// the id-ordered list and `X-Total-Count`, the number of matches.
async fn list(State(s): State<AppState>, RawQuery(q): RawQuery) -> Result<Response, Problem> {
    let pairs = query_pairs(q.as_deref());
    let filter = ProjectFilter::from_pairs(&pairs, &s.rules.towns, PAGING)?;
    let page = paging(&pairs)?;
    let total = if page == Page::ALL { None } else { Some(s.store.count(&filter).await?) };
    let mut pages = project_pages(s.store.clone(), filter, page);
    // The first page is read before the headers go, so a failing store still answers with a
    // problem rather than a cut-off body.
    let first = pages.try_next().await?;
    let pages = futures::stream::iter(first.map(Ok)).chain(pages).boxed();
    let writer = paged_writer(ExportFormat::GeoJson).ok_or_else(Problem::internal)?;
    let body = encoded(pages, writer).map(|chunk| {
        chunk.map(Bytes::from).map_err(|e| {
            // Headers are gone already: all that is left is to cut the body short.
            tracing::error!(error = %e, cause = ?std::error::Error::source(&e), "listing projects stopped");
            std::io::Error::other("listing projects stopped")
        })
    });
    let mut r = ([(header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON))], Body::from_stream(body)).into_response();
    if let Some(n) = total {
        r.headers_mut().insert(header::HeaderName::from_static("x-total-count"), HeaderValue::from(n));
    }
    Ok(r)
}

async fn one(State(s): State<AppState>, ProjectPath(id): ProjectPath) -> Result<Response, Problem> {
    reply::feature(&s.store.get(&id).await?)
}

async fn history(State(s): State<AppState>, ProjectPath(id): ProjectPath) -> Result<Response, Problem> {
    Ok(Json(s.store.history(&id).await?).into_response())
}

async fn stats(State(s): State<AppState>, PeriodFilter { filter, period }: PeriodFilter) -> Result<Response, Problem> {
    // The leadership figures (issue 10) next to the counts, decided on the server.
    let (stats, kpis) = progress::stats_and_kpis(&s.store, &filter, period, &s.rules.towns).await?;
    Ok(Json(StatsReply { stats, kpis }).into_response())
}

#[derive(serde::Serialize)]
struct StatsReply {
    #[serde(flatten)]
    stats: crate::project::Stats,
    kpis: crate::progress::Kpis,
}
