//! Monthly reports, milestones, units and the per-unit figures over HTTP (issue 10). Thin: each
//! handler parses the request, calls one use case in `service::progress`, answers.
//!
//! | route | who | what |
//! |---|---|---|
//! | `GET /api/projects/{id}/reports` | signed in | the project's reports |
//! | `POST /api/projects/{id}/reports` | its unit's planner, district-wide planner, reviewer | a draft → 201, `Location`, `ETag` |
//! | `GET /api/reports?period=&unit=&state=` | signed in | reports; `state=missing` lists projects due and not reported |
//! | `GET`/`PUT /api/reports/{rid}` | signed in / as POST | one report (`ETag`); edit a draft or returned one (`If-Match`) |
//! | `GET /api/reports/{rid}/history` | signed in | every version with action, author, reason |
//! | `POST /api/reports/{rid}/submit` | as POST | draft or returned → submitted (`If-Match`) |
//! | `POST /api/reports/{rid}/approve` | reviewer | submitted → approved; figures onto the project (`If-Match`) |
//! | `POST /api/reports/{rid}/return` | reviewer | submitted → returned, `{"reason"}` (`If-Match`) |
//! | `POST /api/reports/{rid}/correct` | reviewer | an approved report's figures, `{"reason", …}` (`If-Match`) |
//! | `GET /api/projects/{id}/milestones`, `PUT …/milestones/{kind}` | anyone / as POST | milestones with traffic lights |
//! | `GET /api/reports/due?period=` | signed in | the caller's projects due for the month (default: last month), each with its report or `missing` |
//! | `GET`/`PUT /api/users/{name}/units` | admin (GET: also the user) | the units a user reports for, `{"units": […]}`; none = district-wide |
//! | `GET /api/units` | anyone | the responsible units |
//! | `GET /api/stats/units?period=` | anyone | KPIs per unit and per town, with report counts |

use super::caller::{Body, Caller};
use super::projects::parse_id;
use super::session::json_body;
use super::{query_pairs, AppState, Problem};
use crate::auth::Role;
use crate::progress::{Period, Report, ReportId, UnitName};
use crate::service::progress::{self as svc, Actor, ListQuery, StateFilter};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{json, Value};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/projects/{id}/reports", get(project_reports).post(create))
        .route("/api/reports", get(list))
        .route("/api/reports/due", get(due))
        .route("/api/users/{name}/units", get(user_units).put(set_user_units))
        .route("/api/reports/{rid}", get(one).put(edit))
        .route("/api/reports/{rid}/history", get(history))
        .route("/api/reports/{rid}/submit", post(submit))
        .route("/api/reports/{rid}/approve", post(approve))
        .route("/api/reports/{rid}/return", post(return_report))
        .route("/api/reports/{rid}/correct", post(correct))
        .route("/api/projects/{id}/milestones", get(milestones))
        .route("/api/projects/{id}/milestones/{kind}", put(set_milestone))
        .route("/api/units", get(units))
        .route("/api/stats/units", get(unit_stats))
}

fn report_id(s: &str) -> Result<ReportId, Problem> {
    // Like a malformed project id: it names no report.
    s.parse::<ReportId>().map_err(|e| Problem::new(StatusCode::NOT_FOUND, "Not found", e))
}

/// The report version `If-Match` names; 428 when absent.
fn if_match(headers: &HeaderMap) -> Result<i64, Problem> {
    match headers.get(header::IF_MATCH) {
        Some(raw) => Ok(super::edit::parse_if_match(raw)?.0),
        None => Err(Problem::new(
            StatusCode::PRECONDITION_REQUIRED,
            "If-Match required",
            "send If-Match with the report's version (its ETag), so that nobody else's change is overwritten",
        )),
    }
}

fn report_response(status: StatusCode, r: &Report) -> Result<Response, Problem> {
    let etag = HeaderValue::from_str(&format!("\"{}\"", r.version)).map_err(|_| Problem::internal())?;
    let mut res = (status, [(header::ETAG, etag)], Json(r)).into_response();
    if status == StatusCode::CREATED {
        if let Ok(loc) = HeaderValue::from_str(&format!("/api/reports/{}", r.id)) {
            res.headers_mut().insert(header::LOCATION, loc);
        }
    }
    Ok(res)
}

async fn actor(s: &AppState, c: &Caller) -> Result<Actor, Problem> {
    c.require(Role::Viewer)?;
    Ok(Actor::load(s.store.as_ref(), c.user.as_ref(), c.address.as_deref()).await?)
}

async fn project_reports(State(s): State<AppState>, c: Caller, Path(id): Path<String>) -> Result<Response, Problem> {
    c.require(Role::Viewer)?;
    let reports = svc::project_reports(s.store.as_ref(), &parse_id(&id)?).await?;
    Ok(Json(json!({ "reports": reports })).into_response())
}

async fn create(State(s): State<AppState>, c: Caller, Path(id): Path<String>, Body(body): Body) -> Result<Response, Problem> {
    let a = actor(&s, &c).await?;
    let id = parse_id(&id)?;
    let r = svc::create_report(s.store.as_ref(), &a, &id, &json_body(&body)?).await?;
    report_response(StatusCode::CREATED, &r)
}

fn list_query(raw: Option<&str>) -> Result<ListQuery, Problem> {
    let mut q = ListQuery::default();
    for (k, v) in query_pairs(raw) {
        match k.as_str() {
            "period" => q.period = Some(v.parse::<Period>().map_err(|e| Problem::bad_parameter("period", e.to_string()))?),
            "unit" => q.unit = Some(UnitName::parse(&v).map_err(|e| Problem::bad_parameter("unit", e.to_string()))?),
            "state" => {
                for part in v.split(',').filter(|p| !p.trim().is_empty()) {
                    q.states.push(part.trim().parse::<StateFilter>().map_err(|e| Problem::bad_parameter("state", e))?);
                }
            }
            other => return Err(Problem::bad_parameter(other, "is not a known parameter; known: period, unit, state")),
        }
    }
    if q.states.contains(&StateFilter::Missing) && q.period.is_none() {
        return Err(Problem::bad_parameter("period", "is required with state=missing: missing for which month?"));
    }
    Ok(q)
}

async fn list(State(s): State<AppState>, c: Caller, RawQuery(raw): RawQuery) -> Result<Response, Problem> {
    c.require(Role::Viewer)?;
    let q = list_query(raw.as_deref())?;
    let items = svc::list_reports(s.store.as_ref(), &q).await?;
    Ok(Json(json!({ "count": items.len(), "items": items })).into_response())
}

async fn due(State(s): State<AppState>, c: Caller, RawQuery(raw): RawQuery) -> Result<Response, Problem> {
    let a = actor(&s, &c).await?;
    if let Some((k, _)) = query_pairs(raw.as_deref()).into_iter().find(|(k, _)| k != "period") {
        return Err(Problem::bad_parameter(&k, "is not a known parameter; known: period"));
    }
    // Reports are written for the month just ended: that is the default.
    let period = period_param(raw.as_deref())?.unwrap_or_else(|| Period::of(svc::today()).prev());
    let items = svc::due_reports(s.store.as_ref(), &a, period).await?;
    Ok(Json(json!({ "period": period, "count": items.len(), "items": items })).into_response())
}

trait IntoProblem {
    fn into_problem(self) -> Problem;
}

/// Field errors of a request that is not a project: "Invalid input", not "Invalid project".
impl IntoProblem for crate::project::Invalid {
    fn into_problem(self) -> Problem {
        svc::ProgressError::from(self).into()
    }
}

fn user_name(s: &str) -> Result<crate::auth::UserName, Problem> {
    crate::auth::UserName::parse(s).map_err(|e| Problem::new(StatusCode::NOT_FOUND, "No such user", e.to_string()))
}

async fn user_units(State(s): State<AppState>, c: Caller, Path(name): Path<String>) -> Result<Response, Problem> {
    let name = user_name(&name)?;
    let me = c.require(Role::Viewer)?;
    if me.name != name {
        c.require(Role::Admin)?;
    }
    let (user, _) = s.store.user_with_hash(&name).await?.ok_or_else(|| crate::store::StoreError::UnknownUser(name.to_string()))?;
    let units = s.store.user_units(user.id).await?;
    Ok(Json(json!({ "user": user.name, "units": units })).into_response())
}

async fn set_user_units(State(s): State<AppState>, c: Caller, Path(name): Path<String>, Body(body): Body) -> Result<Response, Problem> {
    c.require(Role::Admin)?;
    let name = user_name(&name)?;
    let v = json_body(&body)?;
    let Some(list) = v.get("units").and_then(Value::as_array) else {
        return Err(crate::project::Invalid(vec![crate::project::FieldError {
            pointer: "/units".into(),
            field: "units".into(),
            reason: "is required: a list of unit names, [] for district-wide".into(),
            at: None,
        }])
        .into_problem());
    };
    let mut units = Vec::new();
    let mut errs = Vec::new();
    for (i, u) in list.iter().enumerate() {
        match u.as_str().map(UnitName::parse) {
            Some(Ok(u)) => units.push(u),
            Some(Err(e)) => errs.push(crate::project::FieldError { pointer: format!("/units/{i}"), field: "units".into(), reason: e.to_string(), at: None }),
            None => errs.push(crate::project::FieldError { pointer: format!("/units/{i}"), field: "units".into(), reason: "must be text".into(), at: None }),
        }
    }
    if !errs.is_empty() {
        return Err(crate::project::Invalid(errs).into_problem());
    }
    let units = svc::set_user_units(s.store.as_ref(), c.actor(), c.address.as_deref(), &name, &units).await?;
    Ok(Json(json!({ "user": name, "units": units })).into_response())
}

async fn one(State(s): State<AppState>, c: Caller, Path(rid): Path<String>) -> Result<Response, Problem> {
    c.require(Role::Viewer)?;
    let r = s.store.report(report_id(&rid)?).await?;
    report_response(StatusCode::OK, &r)
}

async fn history(State(s): State<AppState>, c: Caller, Path(rid): Path<String>) -> Result<Response, Problem> {
    c.require(Role::Viewer)?;
    let h = s.store.report_history(report_id(&rid)?).await?;
    Ok(Json(json!({ "versions": h })).into_response())
}

async fn edit(State(s): State<AppState>, c: Caller, Path(rid): Path<String>, headers: HeaderMap, Body(body): Body) -> Result<Response, Problem> {
    let a = actor(&s, &c).await?;
    let id = report_id(&rid)?;
    let expected = if_match(&headers)?;
    let r = svc::edit_report(s.store.as_ref(), &a, id, expected, &json_body(&body)?).await?;
    report_response(StatusCode::OK, &r)
}

async fn submit(State(s): State<AppState>, c: Caller, Path(rid): Path<String>, headers: HeaderMap) -> Result<Response, Problem> {
    let a = actor(&s, &c).await?;
    let id = report_id(&rid)?;
    let r = svc::submit_report(s.store.as_ref(), &a, id, if_match(&headers)?).await?;
    report_response(StatusCode::OK, &r)
}

async fn approve(State(s): State<AppState>, c: Caller, Path(rid): Path<String>, headers: HeaderMap) -> Result<Response, Problem> {
    let a = actor(&s, &c).await?;
    let id = report_id(&rid)?;
    let r = svc::approve_report(s.store.as_ref(), &a, id, if_match(&headers)?).await?;
    report_response(StatusCode::OK, &r)
}

async fn return_report(State(s): State<AppState>, c: Caller, Path(rid): Path<String>, headers: HeaderMap, Body(body): Body) -> Result<Response, Problem> {
    let a = actor(&s, &c).await?;
    let id = report_id(&rid)?;
    let expected = if_match(&headers)?;
    let r = svc::return_report(s.store.as_ref(), &a, id, expected, &json_body(&body)?).await?;
    report_response(StatusCode::OK, &r)
}

async fn correct(State(s): State<AppState>, c: Caller, Path(rid): Path<String>, headers: HeaderMap, Body(body): Body) -> Result<Response, Problem> {
    let a = actor(&s, &c).await?;
    let id = report_id(&rid)?;
    let expected = if_match(&headers)?;
    let r = svc::correct_report(s.store.as_ref(), &a, id, expected, &json_body(&body)?).await?;
    report_response(StatusCode::OK, &r)
}

async fn milestones(State(s): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    let progress = svc::milestones(s.store.as_ref(), &parse_id(&id)?, svc::today()).await?;
    Ok(Json(progress).into_response())
}

async fn set_milestone(State(s): State<AppState>, c: Caller, Path((id, kind)): Path<(String, String)>, Body(body): Body) -> Result<Response, Problem> {
    let a = actor(&s, &c).await?;
    let m = svc::set_milestone(s.store.as_ref(), &a, &parse_id(&id)?, &kind, &json_body(&body)?).await?;
    Ok(Json(m).into_response())
}

async fn units(State(s): State<AppState>) -> Result<Response, Problem> {
    let units = s.store.units().await?;
    Ok(Json(json!({ "units": units })).into_response())
}

/// `period` plus the project filters of `/api/projects`.
pub(crate) fn period_param(raw: Option<&str>) -> Result<Option<Period>, Problem> {
    query_pairs(raw)
        .into_iter()
        .find(|(k, _)| k == "period")
        .map(|(_, v)| v.parse::<Period>().map_err(|e| Problem::bad_parameter("period", e.to_string())))
        .transpose()
}

async fn unit_stats(State(s): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, Problem> {
    let filter = super::projects::parse_filter(&s, raw.as_deref(), &["period"])?;
    let period = period_param(raw.as_deref())?;
    let stats = svc::unit_stats(s.store.as_ref(), &filter, period, s.rules.towns.names()).await?;
    Ok(Json(stats).into_response())
}

/// The `kpis` member `/api/stats` adds to its counts.
pub(crate) async fn kpis_value(s: &AppState, filter: &crate::project::ProjectFilter, period: Option<Period>) -> Result<Value, Problem> {
    let k = svc::kpis(s.store.as_ref(), filter, period).await?;
    serde_json::to_value(k).map_err(|_| Problem::internal())
}
