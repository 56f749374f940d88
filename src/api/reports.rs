//! Monthly reports, milestones, units and the per-unit figures over HTTP (issue 10). Thin: each
//! handler takes checked extractors, calls one use case in `service::progress`, answers.
//!
//! | route | who | what |
//! |---|---|---|
//! | `GET /api/projects/{id}/reports` | signed in | the project's reports |
//! | `POST /api/projects/{id}/reports` | its unit's planner, district-wide planner, reviewer | a draft → 201, `Location`, `ETag` |
//! | `GET /api/reports?period=&unit=&state=` | signed in | reports; `state=missing` lists projects due and not reported |
//! | `GET /api/reports/due?period=` | signed in | the caller's projects due for the month (default: last month), each with its report or `missing` |
//! | `GET`/`PUT /api/reports/{rid}` | signed in / as POST | one report (`ETag`); edit a draft or returned one (`If-Match`) |
//! | `GET /api/reports/{rid}/history` | signed in | every version with action, author, reason |
//! | `POST /api/reports/{rid}/submit` | as POST | draft or returned → submitted (`If-Match`) |
//! | `POST /api/reports/{rid}/approve` | reviewer | submitted → approved; figures onto the project (`If-Match`) |
//! | `POST /api/reports/{rid}/return` | reviewer | submitted → returned, `{"reason"}` (`If-Match`) |
//! | `POST /api/reports/{rid}/correct` | reviewer | an approved report's figures, `{"reason", …}` (`If-Match`) |
//! | `GET /api/projects/{id}/milestones`, `PUT …/milestones/{kind}` | anyone / as POST | milestones with traffic lights, the project's 滞后 verdict |
//! | `GET`/`PUT /api/users/{name}/units` | admin (GET: also the user) | the units a user reports for, `{"units": […]}`; none = district-wide |
//! | `GET /api/units` | anyone | the responsible units |
//! | `GET /api/stats/units?period=` | anyone | KPIs per unit and per town, with report counts |

use super::extract::{project_id, Admin, Caller, FromQuery, JsonBody, PeriodFilter, ProjectPath, Query, ReportIfMatch, ReportPath};
use super::reply::etag;
use super::{AppState, Problem};
use crate::auth::{Role, UserName};
use crate::progress::{Period, Report, UnitName};
use crate::project::{FieldError, Invalid, Version};
use crate::service::progress::{self as svc, Actor, ListQuery, ProgressError, StateFilter};
use crate::store::StoreError;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{json, Value};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/projects/{id}/reports", get(project_reports).post(create))
        .route("/api/reports", get(list))
        .route("/api/reports/due", get(due))
        .route("/api/reports/{rid}", get(one).put(edit))
        .route("/api/reports/{rid}/history", get(history))
        .route("/api/reports/{rid}/submit", post(submit))
        .route("/api/reports/{rid}/approve", post(approve))
        .route("/api/reports/{rid}/return", post(return_report))
        .route("/api/reports/{rid}/correct", post(correct))
        .route("/api/projects/{id}/milestones", get(milestones))
        .route("/api/projects/{id}/milestones/{kind}", put(set_milestone))
        .route("/api/users/{name}/units", get(user_units).put(set_user_units))
        .route("/api/units", get(units))
        .route("/api/stats/units", get(unit_stats))
}

fn report_response(status: StatusCode, r: &Report) -> Result<Response, Problem> {
    let mut res = (status, [(header::ETAG, etag(Version(r.version))?)], Json(r)).into_response();
    if status == StatusCode::CREATED {
        if let Ok(loc) = HeaderValue::from_str(&format!("/api/reports/{}", r.id)) {
            res.headers_mut().insert(header::LOCATION, loc);
        }
    }
    Ok(res)
}

/// The signed-in caller with their units.
async fn actor(s: &AppState, c: &Caller) -> Result<Actor, Problem> {
    c.require(Role::Viewer)?;
    Ok(Actor::load(s.store.as_ref(), c.user.as_ref(), c.address.as_deref()).await?)
}

async fn project_reports(State(s): State<AppState>, c: Caller, ProjectPath(id): ProjectPath) -> Result<Response, Problem> {
    c.require(Role::Viewer)?;
    let reports = svc::project_reports(s.store.as_ref(), &id).await?;
    Ok(Json(json!({ "reports": reports })).into_response())
}

async fn create(State(s): State<AppState>, c: Caller, ProjectPath(id): ProjectPath, JsonBody(body): JsonBody) -> Result<Response, Problem> {
    let a = actor(&s, &c).await?;
    let r = svc::create_report(s.store.as_ref(), &a, &id, &body).await?;
    report_response(StatusCode::CREATED, &r)
}

/// `GET /api/reports` parameters.
#[derive(Debug, Default)]
struct ListParams(ListQuery);

impl FromQuery for ListParams {
    const KNOWN: &'static [&'static str] = &["period", "unit", "state"];
    fn set(&mut self, key: &str, v: String) -> Result<(), Problem> {
        match key {
            "period" => self.0.period = Some(v.parse::<Period>().map_err(|e| Problem::bad_parameter("period", e.to_string()))?),
            "unit" => self.0.unit = Some(UnitName::parse(&v).map_err(|e| Problem::bad_parameter("unit", e.to_string()))?),
            _ => {
                for part in v.split(',').filter(|p| !p.trim().is_empty()) {
                    self.0.states.push(part.trim().parse::<StateFilter>().map_err(|e| Problem::bad_parameter("state", e))?);
                }
            }
        }
        Ok(())
    }
}

async fn list(State(s): State<AppState>, c: Caller, Query(ListParams(q)): Query<ListParams>) -> Result<Response, Problem> {
    c.require(Role::Viewer)?;
    if q.states.contains(&StateFilter::Missing) && q.period.is_none() {
        return Err(Problem::bad_parameter("period", "is required with state=missing: missing for which month?"));
    }
    let items = svc::list_reports(s.store.as_ref(), &q).await?;
    Ok(Json(json!({ "count": items.len(), "items": items })).into_response())
}

/// `period=YYYY-MM` alone.
#[derive(Debug, Default)]
struct PeriodParam(Option<Period>);

impl FromQuery for PeriodParam {
    const KNOWN: &'static [&'static str] = &["period"];
    fn set(&mut self, _: &str, v: String) -> Result<(), Problem> {
        self.0 = Some(v.parse::<Period>().map_err(|e| Problem::bad_parameter("period", e.to_string()))?);
        Ok(())
    }
}

async fn due(State(s): State<AppState>, c: Caller, Query(PeriodParam(period)): Query<PeriodParam>) -> Result<Response, Problem> {
    let a = actor(&s, &c).await?;
    // Reports are written for the month just ended: that is the default.
    let period = period.unwrap_or_else(|| Period::of(svc::today()).prev());
    let items = svc::due_reports(s.store.as_ref(), &a, period).await?;
    Ok(Json(json!({ "period": period, "count": items.len(), "items": items })).into_response())
}

async fn one(State(s): State<AppState>, c: Caller, ReportPath(id): ReportPath) -> Result<Response, Problem> {
    c.require(Role::Viewer)?;
    report_response(StatusCode::OK, &s.store.report(id).await?)
}

async fn history(State(s): State<AppState>, c: Caller, ReportPath(id): ReportPath) -> Result<Response, Problem> {
    c.require(Role::Viewer)?;
    Ok(Json(json!({ "versions": s.store.report_history(id).await? })).into_response())
}

async fn edit(
    State(s): State<AppState>,
    c: Caller,
    ReportPath(id): ReportPath,
    ReportIfMatch(v): ReportIfMatch,
    JsonBody(body): JsonBody,
) -> Result<Response, Problem> {
    let a = actor(&s, &c).await?;
    report_response(StatusCode::OK, &svc::edit_report(s.store.as_ref(), &a, id, v, &body).await?)
}

async fn submit(State(s): State<AppState>, c: Caller, ReportPath(id): ReportPath, ReportIfMatch(v): ReportIfMatch) -> Result<Response, Problem> {
    let a = actor(&s, &c).await?;
    report_response(StatusCode::OK, &svc::submit_report(s.store.as_ref(), &a, id, v).await?)
}

async fn approve(State(s): State<AppState>, c: Caller, ReportPath(id): ReportPath, ReportIfMatch(v): ReportIfMatch) -> Result<Response, Problem> {
    let a = actor(&s, &c).await?;
    report_response(StatusCode::OK, &svc::approve_report(s.store.as_ref(), &a, id, v).await?)
}

async fn return_report(
    State(s): State<AppState>,
    c: Caller,
    ReportPath(id): ReportPath,
    ReportIfMatch(v): ReportIfMatch,
    JsonBody(body): JsonBody,
) -> Result<Response, Problem> {
    let a = actor(&s, &c).await?;
    report_response(StatusCode::OK, &svc::return_report(s.store.as_ref(), &a, id, v, &body).await?)
}

async fn correct(
    State(s): State<AppState>,
    c: Caller,
    ReportPath(id): ReportPath,
    ReportIfMatch(v): ReportIfMatch,
    JsonBody(body): JsonBody,
) -> Result<Response, Problem> {
    let a = actor(&s, &c).await?;
    report_response(StatusCode::OK, &svc::correct_report(s.store.as_ref(), &a, id, v, &body).await?)
}

async fn milestones(State(s): State<AppState>, ProjectPath(id): ProjectPath) -> Result<Response, Problem> {
    Ok(Json(svc::milestones(s.store.as_ref(), &id, svc::today()).await?).into_response())
}

async fn set_milestone(State(s): State<AppState>, c: Caller, Path((id, kind)): Path<(String, String)>, JsonBody(body): JsonBody) -> Result<Response, Problem> {
    let id = project_id(&id)?;
    let a = actor(&s, &c).await?;
    Ok(Json(svc::set_milestone(s.store.as_ref(), &a, &id, &kind, &body).await?).into_response())
}

fn user_name(s: &str) -> Result<UserName, Problem> {
    UserName::parse(s).map_err(|e| Problem::new(StatusCode::NOT_FOUND, "No such user", e.to_string()))
}

async fn user_units(State(s): State<AppState>, c: Caller, Path(name): Path<String>) -> Result<Response, Problem> {
    let name = user_name(&name)?;
    let me = c.require(Role::Viewer)?;
    if me.name != name {
        c.require(Role::Admin)?;
    }
    let (user, _) = s.store.user_with_hash(&name).await?.ok_or_else(|| StoreError::UnknownUser(name.to_string()))?;
    let units = s.store.user_units(user.id).await?;
    Ok(Json(json!({ "user": user.name, "units": units })).into_response())
}

/// Field errors of a request that is not a project: "Invalid input", not "Invalid project".
fn invalid(errors: Vec<FieldError>) -> Problem {
    ProgressError::from(Invalid(errors)).into()
}

async fn set_user_units(State(s): State<AppState>, Admin(c): Admin, Path(name): Path<String>, JsonBody(v): JsonBody) -> Result<Response, Problem> {
    let name = user_name(&name)?;
    let Some(list) = v.get("units").and_then(Value::as_array) else {
        return Err(invalid(vec![FieldError {
            pointer: "/units".into(),
            field: "units".into(),
            reason: "is required: a list of unit names, [] for district-wide".into(),
            at: None,
        }]));
    };
    let mut units = Vec::new();
    let mut errs = Vec::new();
    for (i, u) in list.iter().enumerate() {
        match u.as_str().map(UnitName::parse) {
            Some(Ok(u)) => units.push(u),
            Some(Err(e)) => errs.push(FieldError { pointer: format!("/units/{i}"), field: "units".into(), reason: e.to_string(), at: None }),
            None => errs.push(FieldError { pointer: format!("/units/{i}"), field: "units".into(), reason: "must be text".into(), at: None }),
        }
    }
    if !errs.is_empty() {
        return Err(invalid(errs));
    }
    let units = svc::set_user_units(s.store.as_ref(), c.actor(), c.address.as_deref(), &name, &units).await?;
    Ok(Json(json!({ "user": name, "units": units })).into_response())
}

async fn units(State(s): State<AppState>) -> Result<Response, Problem> {
    Ok(Json(json!({ "units": s.store.units().await? })).into_response())
}

async fn unit_stats(State(s): State<AppState>, PeriodFilter { filter, period }: PeriodFilter) -> Result<Response, Problem> {
    Ok(Json(svc::unit_stats(&s.store, &filter, period, s.rules.towns.names()).await?).into_response())
}
