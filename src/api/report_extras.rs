//! Photos, the monthly report table and reminders over HTTP (issue 10, items 6–8). Thin: parse,
//! call one use case, answer.
//!
//! | route | who | what |
//! |---|---|---|
//! | `POST /api/reports/{rid}/photos` | who may write the report, until approved | the image as the body (`Content-Type: image/jpeg\|png\|webp`) → 201 `{url, thumbnail_url, …}` |
//! | `GET /api/reports/{rid}/photos` | signed in | the report's photos with EXIF time and position |
//! | `GET /api/photos/{id}`, `/api/photos/{id}/thumbnail` | signed in | the image, `ETag` + immutable caching |
//! | `GET /api/reports/export?period=&format=xlsx\|csv` | signed in | the 月报表 |
//! | `GET /api/reports/reminders?period=` | signed in | units that have not reported, the deadline |
//! | `POST /api/reports/reminders/send?period=` | reviewer | posts that list to the configured group robot |

use super::extract::Caller;
use super::{AppState, Problem};
use crate::auth::Role;
use crate::progress::{Period, PhotoId, ReportId, PHOTO_MAX_BYTES};
use crate::service::progress::{today, Actor};
use crate::service::report_table::{self, TableFormat};
use crate::service::{photos, reminders};
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/reports/{rid}/photos", get(list_photos).post(upload))
        .route("/api/photos/{id}", get(|s, c, p, h| serve(s, c, p, h, false)))
        .route("/api/photos/{id}/thumbnail", get(|s, c, p, h| serve(s, c, p, h, true)))
        .route("/api/reports/export", get(export))
        .route("/api/reports/reminders", get(reminders_list))
        .route("/api/reports/reminders/send", post(reminders_send))
}

fn report_id(s: &str) -> Result<ReportId, Problem> {
    s.parse::<ReportId>().map_err(|e| Problem::new(StatusCode::NOT_FOUND, "Not found", e))
}

async fn upload(State(s): State<AppState>, c: Caller, Path(rid): Path<String>, req: Request) -> Result<Response, Problem> {
    c.require(Role::Planner)?;
    let id = report_id(&rid)?;
    let declared = req.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap_or("(not text)").to_owned());
    if declared.is_none() {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type required",
            "send the image as the body with Content-Type image/jpeg, image/png or image/webp",
        ));
    }
    let bytes = axum::body::to_bytes(req.into_body(), PHOTO_MAX_BYTES).await.map_err(|_| Problem::from(photos::PhotoError::TooLarge))?;
    let actor = Actor::load(s.store.as_ref(), c.user.as_ref(), c.address.as_deref()).await?;
    let photo = photos::add_photo(s.store.as_ref(), &actor, id, declared.as_deref(), bytes.to_vec()).await?;
    let mut res = (StatusCode::CREATED, Json(&photo)).into_response();
    if let Ok(loc) = HeaderValue::from_str(&photo.url) {
        res.headers_mut().insert(header::LOCATION, loc);
    }
    Ok(res)
}

async fn list_photos(State(s): State<AppState>, c: Caller, Path(rid): Path<String>) -> Result<Response, Problem> {
    c.require(Role::Viewer)?;
    let list = photos::photos(s.store.as_ref(), report_id(&rid)?).await?;
    Ok(Json(json!({ "photos": list })).into_response())
}

/// Photos never change (a new upload is a new id), so a browser keeps them; `private` because
/// they need a signed-in user.
const PHOTO_CACHE: &str = "private, max-age=31536000, immutable";

async fn serve(State(s): State<AppState>, c: Caller, Path(id): Path<String>, headers: HeaderMap, thumbnail: bool) -> Result<Response, Problem> {
    c.require(Role::Viewer)?;
    let id = id.parse::<PhotoId>().map_err(|e| Problem::new(StatusCode::NOT_FOUND, "Not found", e))?;
    let (photo, bytes) = photos::photo(s.store.as_ref(), c.user.as_ref(), id, thumbnail).await?;
    let etag = format!("\"{}{}\"", photo.sha256, if thumbnail { "-320" } else { "" });
    let etag = HeaderValue::from_str(&etag).map_err(|_| Problem::internal())?;
    let cache = [(header::ETAG, etag.clone()), (header::CACHE_CONTROL, HeaderValue::from_static(PHOTO_CACHE))];
    let seen = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if seen {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    let mime =
        if thumbnail { "image/jpeg" } else { crate::progress::ImageType::from_mime(&photo.content_type).map_or("application/octet-stream", |t| t.mime()) };
    Ok((
        StatusCode::OK,
        cache,
        [(header::CONTENT_TYPE, HeaderValue::from_static(mime)), (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"))],
        bytes,
    )
        .into_response())
}

fn period_and(raw: Option<&str>, known: &[&str], default: Option<Period>) -> Result<(Period, Vec<(String, String)>), Problem> {
    let mut period = None;
    let mut rest = Vec::new();
    let pairs: Vec<(String, String)> = raw.map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default();
    for (k, v) in pairs {
        if k == "period" {
            period = Some(v.parse::<Period>().map_err(|e| Problem::bad_parameter("period", e.to_string()))?);
        } else if known.contains(&k.as_str()) {
            rest.push((k, v));
        } else {
            let mut all = vec!["period"];
            all.extend(known);
            return Err(Problem::bad_parameter(&k, format!("is not a known parameter; known: {}", all.join(", "))));
        }
    }
    let period = period.or(default).ok_or_else(|| Problem::bad_parameter("period", "is required: the month, YYYY-MM, e.g. 2026-11"))?;
    Ok((period, rest))
}

async fn export(State(s): State<AppState>, c: Caller, RawQuery(raw): RawQuery) -> Result<Response, Problem> {
    c.require(Role::Viewer)?;
    let (period, rest) = period_and(raw.as_deref(), &["format"], None)?;
    let format = match rest.iter().find(|(k, _)| k == "format") {
        Some((_, f)) => f.parse::<TableFormat>().map_err(|e| Problem::bad_parameter("format", e))?,
        None => TableFormat::Xlsx,
    };
    let rows = report_table::rows(s.store.as_ref(), period).await?;
    let bytes = match format {
        TableFormat::Xlsx => report_table::xlsx(&rows, period).map_err(|e| {
            tracing::error!(error = %e, "writing the XLSX");
            Problem::internal()
        })?,
        TableFormat::Csv => report_table::csv(&rows).map_err(|e| {
            tracing::error!(error = %e, "writing the CSV");
            Problem::internal()
        })?,
    };
    // An ASCII name for old clients, the Chinese one per RFC 6266 / 5987 for the rest.
    let name = report_table::file_name(period, format);
    let encoded: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
    let disposition = format!("attachment; filename=\"report-{period}.{}\"; filename*=UTF-8''{encoded}", format.extension());
    let disposition = HeaderValue::from_str(&disposition).map_err(|_| Problem::internal())?;
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static(format.mime())), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response())
}

fn due_month() -> Period {
    Period::of(today()).prev()
}

async fn reminders_list(State(s): State<AppState>, c: Caller, RawQuery(raw): RawQuery) -> Result<Response, Problem> {
    c.require(Role::Viewer)?;
    let (period, _) = period_and(raw.as_deref(), &[], Some(due_month()))?;
    let r = reminders::missing(s.store.as_ref(), period, today(), s.edit.report_deadline_day).await?;
    Ok(Json(json!({ "reminder": r, "message": reminders::message(&r), "webhook_configured": s.edit.reminder_webhook.is_some() })).into_response())
}

async fn reminders_send(State(s): State<AppState>, c: Caller, RawQuery(raw): RawQuery) -> Result<Response, Problem> {
    let user = c.require(Role::Reviewer)?;
    let (period, _) = period_and(raw.as_deref(), &[], Some(due_month()))?;
    let Some(url) = s.edit.reminder_webhook.as_deref() else {
        return Err(Problem::new(StatusCode::CONFLICT, "No webhook", "no group-robot webhook is configured; start planmap with --reminder-webhook URL"));
    };
    let r = reminders::missing(s.store.as_ref(), period, today(), s.edit.report_deadline_day).await?;
    let text = reminders::message(&r);
    reminders::post(url, &text).await?;
    tracing::info!(actor = %user.name, period = %period, units = r.units.len(), "reminder posted");
    Ok(Json(json!({ "sent": true, "units": r.units.len(), "message": text })).into_response())
}
