//! Progress tracking use cases (issue 10): monthly reports and their workflow, milestones, units,
//! and the KPI figures. Callers (HTTP handlers, the CLI, later helpers' export and reminder
//! code) pass an [`Actor`] and get domain values or a [`ProgressError`].
//!
//! Who may do what:
//! - write a report (create, edit, submit) or a milestone: a planner whose units include one of
//!   the project's `responsible_units`, or a planner with no unit (district-wide), or a
//!   reviewer or admin;
//! - approve, return or correct a report: a reviewer or admin;
//! - read reports: any signed-in user.

use crate::auth::{AuditEntry, Role, User};
use crate::progress::kpi::{GroupTally, Item, Tally};
use crate::progress::{
    derive_figures, BadTransition, Kpis, Milestone, MilestoneKind, MilestoneSignal, NewReport, Period, Report, ReportAction, ReportBody, ReportFigures,
    ReportId, ReportState, UnitName, UnitRow,
};
use crate::project::{FieldError, Invalid, NewProject, Page, Project, ProjectFilter, ProjectId, Stats, StatsBuilder, Towns, Wan};
use crate::store::{ReportChange, ReportQuery, RevisionMeta, Store, StoreError};
use chrono::{NaiveDate, Utc};
use futures::StreamExt;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// What can go wrong in a progress use case.
#[derive(Debug, thiserror::Error)]
pub enum ProgressError {
    /// Bad input, per field (422).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The caller may not do this (403).
    #[error("{0}")]
    Forbidden(String),
    /// Not signed in (401).
    #[error("this needs a signed-in user")]
    SignInRequired,
    /// The report's state does not allow the action (409).
    #[error(transparent)]
    Transition(#[from] BadTransition),
    /// The store said no (404, 409, 412, …).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Results.
pub type ProgressResult<T> = Result<T, ProgressError>;

/// The district's calendar day: the plan's dates are local (UTC+8, no daylight saving).
pub fn today() -> NaiveDate {
    local_day(Utc::now())
}

/// The district's calendar day of an instant.
pub fn local_day(t: chrono::DateTime<Utc>) -> NaiveDate {
    (t.naive_utc() + chrono::TimeDelta::hours(8)).date()
}

/// Who acts: the user, the units they report for, the client address for the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The signed-in user.
    pub user: User,
    /// Their units; empty = district-wide.
    pub units: Vec<UnitName>,
    /// Client address.
    pub address: Option<String>,
}

impl Actor {
    /// Loads the user's units.
    pub async fn load(store: &dyn Store, user: Option<&User>, address: Option<&str>) -> ProgressResult<Actor> {
        let user = user.ok_or(ProgressError::SignInRequired)?.clone();
        let units = store.user_units(user.id).await?;
        Ok(Actor { user, units, address: address.map(str::to_owned) })
    }

    fn name(&self) -> &str {
        self.user.name.as_str()
    }

    fn audit(&self, action: &str, detail: String) -> AuditEntry {
        AuditEntry::now(self.name(), action, None, self.address.as_deref(), Some(detail))
    }

    /// Whether the actor may write reports and milestones of `p`.
    pub fn may_report(&self, p: &Project) -> bool {
        if !self.user.can(Role::Planner) {
            return false;
        }
        if self.user.can(Role::Reviewer) || self.units.is_empty() {
            return true;
        }
        p.props.responsible_units.iter().any(|u| self.units.iter().any(|mine| mine.as_str() == u.trim()))
    }

    fn check_report(&self, p: &Project) -> ProgressResult<()> {
        if self.may_report(p) {
            return Ok(());
        }
        if !self.user.can(Role::Planner) {
            return Err(ProgressError::Forbidden(format!("user `{}` is a {}; writing reports needs the planner role or higher", self.name(), self.user.role)));
        }
        let mine: Vec<&str> = self.units.iter().map(UnitName::as_str).collect();
        Err(ProgressError::Forbidden(format!(
            "user `{}` reports for {}; project `{}` belongs to {}",
            self.name(),
            mine.join("、"),
            p.id,
            if p.props.responsible_units.is_empty() { "no unit".to_owned() } else { p.props.responsible_units.join("、") }
        )))
    }

    fn check_reviewer(&self) -> ProgressResult<()> {
        if self.user.can(Role::Reviewer) {
            Ok(())
        } else {
            Err(ProgressError::Forbidden(format!(
                "user `{}` is a {}; approving, returning and correcting reports needs the reviewer role",
                self.name(),
                self.user.role
            )))
        }
    }
}

fn field_error(field: &str, reason: impl Into<String>) -> ProgressError {
    ProgressError::Invalid(Invalid(vec![FieldError { pointer: format!("/{field}"), field: field.to_owned(), reason: reason.into(), at: None }]))
}

fn period_of(body: &Value) -> ProgressResult<Period> {
    match body.get("period") {
        Some(Value::String(s)) => s.parse::<Period>().map_err(|e| field_error("period", e.to_string())),
        None | Some(Value::Null) => Err(field_error("period", "is required: the month reported, YYYY-MM, e.g. 2026-11")),
        Some(_) => Err(field_error("period", "must be text YYYY-MM, e.g. \"2026-11\"")),
    }
}

fn reason_of(body: &Value) -> ProgressResult<String> {
    match body.get("reason") {
        Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= 2000 => Ok(s.trim().to_owned()),
        Some(Value::String(s)) if !s.trim().is_empty() => Err(field_error("reason", "is longer than 2000 characters")),
        _ => Err(field_error("reason", "is required: say why, in a sentence")),
    }
}

/// Writes a draft report for `project` from a request body (`period` and the figures).
pub async fn create_report(store: &dyn Store, actor: &Actor, project: &ProjectId, body: &Value) -> ProgressResult<Report> {
    let p = store.get(project).await?;
    actor.check_report(&p)?;
    let figures = ReportFigures::from_json(body, &["period"]);
    let period = period_of(body);
    let (figures, period) = match (figures, period) {
        (Ok(f), Ok(p)) => (f, p),
        (Err(Invalid(mut a)), Err(ProgressError::Invalid(Invalid(b)))) => {
            a.retain(|e| e.field != "period");
            a.splice(0..0, b);
            return Err(Invalid(a).into());
        }
        (Err(e), _) => return Err(e.into()),
        (_, Err(e)) => return Err(e),
    };
    if period > Period::of(today()) {
        return Err(field_error("period", format!("{period} has not begun; report a month that has")));
    }
    let new = NewReport { project_id: p.id.clone(), period, body: ReportBody { figures, reporter: actor.name().to_owned(), ..blank_workflow() } };
    Ok(store.create_report(&new, &actor.audit("report_create", format!("project {} period {period}", p.id))).await?)
}

fn blank_workflow() -> ReportBody {
    ReportBody {
        figures: ReportFigures {
            investment_month: Wan::ZERO,
            investment_year_to_date: Wan::ZERO,
            investment_to_date: None,
            progress_pct: None,
            progress_text: None,
            problems: None,
            next_steps: None,
        },
        reporter: String::new(),
        submitted_by: None,
        submitted_at: None,
        reviewed_by: None,
        reviewed_at: None,
        return_reason: None,
        correction_reason: None,
    }
}

fn now_text() -> String {
    crate::time::rfc3339(crate::time::now_micros())
}

/// Changes the figures of a draft or returned report (it becomes a draft again).
pub async fn edit_report(store: &dyn Store, actor: &Actor, id: ReportId, expected: i64, body: &Value) -> ProgressResult<Report> {
    let r = store.report(id).await?;
    let state = r.state.after(ReportAction::Edit)?;
    let p = store.get(&r.project_id).await?;
    actor.check_report(&p)?;
    if body.get("period").is_some() && period_of(body)? != r.period {
        return Err(field_error("period", format!("a report's month cannot change (this one is {}); write a report for the other month", r.period)));
    }
    let figures = ReportFigures::from_json(body, &["period"])?;
    let next = ReportBody { figures, reporter: actor.name().to_owned(), ..r.body.clone() };
    let change = ReportChange { id, expected, action: ReportAction::Edit, state, body: &next, author: actor.name(), reason: None, project: None };
    Ok(store.change_report(&change, &actor.audit("report_edit", format!("version {expected}"))).await?)
}

/// Sends a draft or returned report for review.
pub async fn submit_report(store: &dyn Store, actor: &Actor, id: ReportId, expected: i64) -> ProgressResult<Report> {
    let r = store.report(id).await?;
    let state = r.state.after(ReportAction::Submit)?;
    let p = store.get(&r.project_id).await?;
    actor.check_report(&p)?;
    let next = ReportBody { submitted_by: Some(actor.name().to_owned()), submitted_at: Some(now_text()), ..r.body.clone() };
    let change = ReportChange { id, expected, action: ReportAction::Submit, state, body: &next, author: actor.name(), reason: None, project: None };
    Ok(store.change_report(&change, &actor.audit("report_submit", format!("project {} period {}", r.project_id, r.period))).await?)
}

/// Sends a submitted report back to its unit with a reason (`{"reason": "…"}`).
pub async fn return_report(store: &dyn Store, actor: &Actor, id: ReportId, expected: i64, body: &Value) -> ProgressResult<Report> {
    actor.check_reviewer()?;
    let r = store.report(id).await?;
    let state = r.state.after(ReportAction::Return)?;
    let reason = reason_of(body)?;
    let next = ReportBody { reviewed_by: Some(actor.name().to_owned()), reviewed_at: Some(now_text()), return_reason: Some(reason.clone()), ..r.body.clone() };
    let change = ReportChange { id, expected, action: ReportAction::Return, state, body: &next, author: actor.name(), reason: Some(&reason), project: None };
    Ok(store.change_report(&change, &actor.audit("report_return", reason.clone())).await?)
}

/// 累计完成投资 of a report: as reported, or the previous approved month's figure plus this
/// month, or (no earlier approved report) the project's figure before this report plus this
/// month, or (nothing known) this year's total.
async fn investment_to_date(store: &dyn Store, r: &Report, figures: &ReportFigures, project: &Project) -> ProgressResult<Wan> {
    if let Some(t) = figures.investment_to_date {
        return Ok(t);
    }
    let earlier = store.reports(&ReportQuery { project: Some(r.project_id.clone()), states: vec![ReportState::Approved], period: None }).await?;
    let prev = earlier.iter().filter(|e| e.period < r.period).max_by_key(|e| e.period);
    Ok(match (prev.and_then(|e| e.body.figures.investment_to_date), project.props.investment_completed) {
        (Some(t), _) => t.plus(figures.investment_month),
        (None, Some(c)) if prev.is_none() => c.plus(figures.investment_month),
        _ => figures.investment_year_to_date,
    })
}

/// The project write that goes with approving or correcting `r`, unless a later month is
/// already approved (then the project already shows newer figures and keeps them).
async fn project_write(store: &dyn Store, r: &Report, figures: &ReportFigures, to_date: Wan, project: &Project) -> ProgressResult<Option<NewProject>> {
    let approved = store.reports(&ReportQuery { project: Some(r.project_id.clone()), states: vec![ReportState::Approved], period: None }).await?;
    if approved.iter().any(|e| e.period > r.period) {
        return Ok(None);
    }
    // Typed values in, typed values out: the stored geometry and fields are valid already, and
    // the report's figures were checked when it was written.
    let geometry =
        project.geometry.valid().cloned().ok_or_else(|| StoreError::Corrupt { key: format!("project {}", project.id), reason: "geometry".into() })?;
    let props = derive_figures(&project.props, to_date, figures.progress_pct);
    Ok(Some(NewProject { id: project.id.clone(), geometry, props, islands: project.islands.clone() }))
}

/// Approves a submitted report: its figures go onto the project as a revision authored by the
/// reporter, in the same transaction.
pub async fn approve_report(store: &dyn Store, actor: &Actor, id: ReportId, expected: i64) -> ProgressResult<Report> {
    actor.check_reviewer()?;
    let r = store.report(id).await?;
    let state = r.state.after(ReportAction::Approve)?;
    let project = store.get(&r.project_id).await?;
    let to_date = investment_to_date(store, &r, &r.body.figures, &project).await?;
    let mut next = ReportBody { reviewed_by: Some(actor.name().to_owned()), reviewed_at: Some(now_text()), ..r.body.clone() };
    next.figures.investment_to_date = Some(to_date);
    let new = project_write(store, &r, &next.figures, to_date, &project).await?;
    let comment = format!("月报 {} approved by {} (report {id})", r.period, actor.name());
    let meta = RevisionMeta::by(&r.body.reporter, Some(&comment)).audited(actor.address.as_deref(), Some("report_approve"));
    let change = ReportChange {
        id,
        expected,
        action: ReportAction::Approve,
        state,
        body: &next,
        author: actor.name(),
        reason: None,
        project: new.as_ref().map(|n| (project.version, n, &meta)),
    };
    Ok(store.change_report(&change, &actor.audit("report_approve", format!("project {} period {}", r.project_id, r.period))).await?)
}

/// Corrects an approved report (`{"reason": "…", …figures}`): a new version of the report with
/// the reason, kept in its history, and a new project revision when it is the latest approved month.
pub async fn correct_report(store: &dyn Store, actor: &Actor, id: ReportId, expected: i64, body: &Value) -> ProgressResult<Report> {
    actor.check_reviewer()?;
    let r = store.report(id).await?;
    let state = r.state.after(ReportAction::Correct)?;
    let reason = reason_of(body)?;
    if body.get("period").is_some() && period_of(body)? != r.period {
        return Err(field_error("period", format!("a report's month cannot change (this one is {})", r.period)));
    }
    let figures = ReportFigures::from_json(body, &["period", "reason"])?;
    let project = store.get(&r.project_id).await?;
    let to_date = investment_to_date(store, &r, &figures, &project).await?;
    let mut next = ReportBody { figures, correction_reason: Some(reason.clone()), ..r.body.clone() };
    next.figures.investment_to_date = Some(to_date);
    let new = project_write(store, &r, &next.figures, to_date, &project).await?;
    let comment = format!("月报 {} corrected by {}: {reason}", r.period, actor.name());
    let meta = RevisionMeta::by(&r.body.reporter, Some(&comment)).audited(actor.address.as_deref(), Some("report_correct"));
    let change = ReportChange {
        id,
        expected,
        action: ReportAction::Correct,
        state,
        body: &next,
        author: actor.name(),
        reason: Some(&reason),
        project: new.as_ref().map(|n| (project.version, n, &meta)),
    };
    Ok(store.change_report(&change, &actor.audit("report_correct", reason.clone())).await?)
}

/// A state to list, `missing` included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateFilter {
    /// Reports in this state.
    Is(ReportState),
    /// Projects due for the month without a submitted or approved report.
    Missing,
}

impl std::str::FromStr for StateFilter {
    type Err = String;
    fn from_str(s: &str) -> Result<StateFilter, String> {
        if s == "missing" {
            return Ok(StateFilter::Missing);
        }
        s.parse::<ReportState>().map(StateFilter::Is).map_err(|_| format!("`{s}` is not a state; one of: draft, submitted, approved, returned, missing"))
    }
}

/// What `GET /api/reports` lists.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// The month (required with `missing`).
    pub period: Option<Period>,
    /// Projects naming this unit.
    pub unit: Option<UnitName>,
    /// Any of these (empty = every report, no missing rows).
    pub states: Vec<StateFilter>,
}

/// One row of the list: a report, or a project missing its report.
#[derive(Debug, Clone, Serialize)]
pub struct ListItem {
    /// `draft` … `returned`, or `missing`.
    pub state: String,
    /// The month.
    pub period: Period,
    /// The project.
    pub project_id: ProjectId,
    /// Its name.
    pub project_name: String,
    /// Its units.
    pub responsible_units: Vec<String>,
    /// The report (absent for a missing one without even a draft).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<Report>,
}

fn names_unit(p: &Project, unit: &UnitName) -> bool {
    p.props.responsible_units.iter().any(|u| u.trim() == unit.as_str())
}

/// Reports (and, with `missing`, the projects that have not reported) matching `q`.
pub async fn list_reports(store: &dyn Store, q: &ListQuery) -> ProgressResult<Vec<ListItem>> {
    let wants_missing = q.states.contains(&StateFilter::Missing);
    let states: Vec<ReportState> = q.states.iter().filter_map(|s| if let StateFilter::Is(st) = s { Some(*st) } else { None }).collect();
    let projects: HashMap<ProjectId, Project> = store.list(&ProjectFilter::default(), Page::ALL).await?.into_iter().map(|p| (p.id.clone(), p)).collect();
    let mut out = Vec::new();
    if q.states.is_empty() || !states.is_empty() {
        for r in store.reports(&ReportQuery { period: q.period, project: None, states }).await? {
            let Some(p) = projects.get(&r.project_id) else { continue };
            if q.unit.as_ref().is_some_and(|u| !names_unit(p, u)) {
                continue;
            }
            out.push(ListItem {
                state: r.state.as_str().to_owned(),
                period: r.period,
                project_id: r.project_id.clone(),
                project_name: p.props.name_zh.clone(),
                responsible_units: p.props.responsible_units.clone(),
                report: Some(r),
            });
        }
    }
    if wants_missing {
        let Some(period) = q.period else { return Err(field_error("period", "is required to list missing reports")) };
        let of_month: HashMap<ProjectId, Report> =
            store.reports(&ReportQuery { period: Some(period), ..ReportQuery::default() }).await?.into_iter().map(|r| (r.project_id.clone(), r)).collect();
        let mut ids: Vec<&ProjectId> = projects.keys().collect();
        ids.sort();
        for id in ids {
            let p = &projects[id];
            if !crate::progress::kpi::is_due(&p.props) || q.unit.as_ref().is_some_and(|u| !names_unit(p, u)) {
                continue;
            }
            let r = of_month.get(id);
            if r.is_some_and(|r| r.state.is_reported()) {
                continue;
            }
            out.push(ListItem {
                state: "missing".into(),
                period,
                project_id: id.clone(),
                project_name: p.props.name_zh.clone(),
                responsible_units: p.props.responsible_units.clone(),
                report: r.cloned(),
            });
        }
    }
    Ok(out)
}

/// The projects `actor` must report for `period` (due, and theirs to report: their units', or
/// all for a district-wide user), each with its report for the month or `missing`.
pub async fn due_reports(store: &dyn Store, actor: &Actor, period: Period) -> ProgressResult<Vec<ListItem>> {
    let of_month: HashMap<ProjectId, Report> =
        store.reports(&ReportQuery { period: Some(period), ..ReportQuery::default() }).await?.into_iter().map(|r| (r.project_id.clone(), r)).collect();
    let mut out = Vec::new();
    for p in store.list(&ProjectFilter::default(), Page::ALL).await? {
        if !crate::progress::kpi::is_due(&p.props) || !actor.may_report(&p) {
            continue;
        }
        let r = of_month.get(&p.id).cloned();
        out.push(ListItem {
            state: r.as_ref().map_or("missing", |r| r.state.as_str()).to_owned(),
            period,
            project_id: p.id.clone(),
            project_name: p.props.name_zh.clone(),
            responsible_units: p.props.responsible_units.clone(),
            report: r,
        });
    }
    Ok(out)
}

/// A project's reports, oldest month first.
pub async fn project_reports(store: &dyn Store, project: &ProjectId) -> ProgressResult<Vec<Report>> {
    store.get(project).await?;
    Ok(store.reports(&ReportQuery { project: Some(project.clone()), ..ReportQuery::default() }).await?)
}

/// One milestone as shown: every kind, set or not, with its traffic light.
#[derive(Debug, Clone, Serialize)]
pub struct MilestoneView {
    /// Which.
    pub kind: MilestoneKind,
    /// 立项/可研批复 …
    pub label_zh: &'static str,
    /// English label.
    pub label_en: &'static str,
    /// Planned date.
    pub planned: Option<NaiveDate>,
    /// Actual date.
    pub actual: Option<NaiveDate>,
    /// Note.
    pub note: Option<String>,
    /// done, overdue (red), due_soon (amber), on_track, unplanned.
    pub signal: MilestoneSignal,
    /// Who set it last.
    pub updated_by: Option<String>,
}

/// A project's milestones and whether it is late (滞后), on a day.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectProgress {
    /// All five kinds, set or not.
    pub milestones: Vec<MilestoneView>,
    /// The 滞后 verdict and its reasons.
    pub lateness: crate::progress::Lateness,
}

/// A project's milestones (all five kinds) and lateness on `today`.
pub async fn milestones(store: &dyn Store, project: &ProjectId, today: NaiveDate) -> ProgressResult<ProjectProgress> {
    let p = store.get(project).await?;
    let set = store.milestones(Some(project)).await?;
    let lateness = crate::progress::lateness(&p.props, &set.iter().collect::<Vec<_>>(), today);
    let milestones = MilestoneKind::ALL
        .iter()
        .map(|k| {
            let m = set.iter().find(|m| m.kind == *k);
            let blank =
                Milestone { project_id: project.clone(), kind: *k, planned: None, actual: None, note: None, updated_by: String::new(), updated_at: Utc::now() };
            let shown = m.unwrap_or(&blank);
            MilestoneView {
                kind: *k,
                label_zh: k.label_zh(),
                label_en: k.label_en(),
                planned: shown.planned,
                actual: shown.actual,
                note: shown.note.clone(),
                signal: shown.signal(today),
                updated_by: m.map(|m| m.updated_by.clone()),
            }
        })
        .collect();
    Ok(ProjectProgress { milestones, lateness })
}

fn date_of(body: &Value, field: &str, errs: &mut Vec<FieldError>) -> Option<NaiveDate> {
    match body.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => match s.trim().parse::<NaiveDate>() {
            Ok(d) if (1990..=2100).contains(&chrono::Datelike::year(&d)) => Some(d),
            _ => {
                errs.push(FieldError { pointer: format!("/{field}"), field: field.into(), reason: format!("`{s}` is not a date; write YYYY-MM-DD"), at: None });
                None
            }
        },
        Some(_) => {
            errs.push(FieldError { pointer: format!("/{field}"), field: field.into(), reason: "must be a date YYYY-MM-DD or null".into(), at: None });
            None
        }
    }
}

/// Sets one milestone of a project from `{"planned": "YYYY-MM-DD"|null, "actual": …, "note": …}`.
pub async fn set_milestone(store: &dyn Store, actor: &Actor, project: &ProjectId, kind: &str, body: &Value) -> ProgressResult<MilestoneView> {
    let p = store.get(project).await?;
    actor.check_report(&p)?;
    let kind: MilestoneKind = kind.parse().map_err(|e: crate::progress::BadMilestone| field_error("kind", e.to_string()))?;
    let mut errs = Vec::new();
    if let Some(o) = body.as_object() {
        for k in o.keys().filter(|k| !matches!(k.as_str(), "planned" | "actual" | "note")) {
            errs.push(FieldError {
                pointer: format!("/{k}"),
                field: k.clone(),
                reason: "is not a milestone member; known: planned, actual, note".into(),
                at: None,
            });
        }
    } else {
        return Err(field_error("milestone", "expected a JSON object {planned, actual, note}"));
    }
    let planned = date_of(body, "planned", &mut errs);
    let actual = date_of(body, "actual", &mut errs);
    if let Some(a) = actual.filter(|a| *a > today()) {
        errs.push(FieldError {
            pointer: "/actual".into(),
            field: "actual".into(),
            reason: crate::progress::BadMilestone::ActualInFuture(a).to_string(),
            at: None,
        });
    }
    let note = match body.get("note") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.chars().count() <= 2000 => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Some(_) => {
            errs.push(FieldError { pointer: "/note".into(), field: "note".into(), reason: "must be text of at most 2000 characters".into(), at: None });
            None
        }
    };
    if !errs.is_empty() {
        return Err(Invalid(errs).into());
    }
    let m = Milestone { project_id: p.id.clone(), kind, planned, actual, note, updated_by: actor.name().to_owned(), updated_at: crate::time::now_micros() };
    let mut audit = actor.audit("milestone_set", format!("{kind} planned {planned:?} actual {actual:?}"));
    audit.target = Some(p.id.to_string());
    store.set_milestone(&m, &audit).await?;
    let day = today();
    Ok(MilestoneView {
        kind,
        label_zh: kind.label_zh(),
        label_en: kind.label_en(),
        planned,
        actual,
        note: m.note.clone(),
        signal: m.signal(day),
        updated_by: Some(m.updated_by.clone()),
    })
}

/// The day figures are computed for: today, or the end of an earlier month asked for.
pub fn as_of_day(period: Option<Period>) -> NaiveDate {
    let t = today();
    match period {
        Some(p) if p.last_day() < t => p.last_day(),
        _ => t,
    }
}

/// The KPIs of the projects matching `filter` (with the month's reports when `period` is given).
pub async fn kpis(store: &Arc<dyn Store>, filter: &ProjectFilter, period: Option<Period>) -> ProgressResult<Kpis> {
    let mut tally = Tally::new(kpi_day(filter, period), period);
    each_item(store, filter, period, |it| tally.add(it)).await?;
    Ok(tally.finish())
}

/// `/api/stats`: the counts and sums of [`Store::stats`] and the KPIs of [`kpis`], from one walk
/// over the projects (the page on tiles waits for these figures; two walks took twice as long).
pub async fn stats_and_kpis(store: &Arc<dyn Store>, filter: &ProjectFilter, period: Option<Period>, towns: &Towns) -> ProgressResult<(Stats, Kpis)> {
    let mut tally = Tally::new(kpi_day(filter, period), period);
    let mut stats = StatsBuilder::new(towns);
    each_item(store, filter, period, |it| {
        tally.add(it);
        stats.add(it.props);
    })
    .await?;
    Ok((stats.finish(), tally.finish()))
}

/// With `as_of` the map is as it was then, and so is the day lateness is judged on.
fn kpi_day(filter: &ProjectFilter, period: Option<Period>) -> NaiveDate {
    filter.as_of.map_or_else(|| as_of_day(period), local_day)
}

/// Calls `f` with every project `filter` selects, its milestones and its report for `period`,
/// reading the store a page at a time: a district with 100,000 projects is summed without holding
/// them all. Pages are separate reads, as in exports: an edit landing mid-walk may or may not count.
async fn each_item(store: &Arc<dyn Store>, filter: &ProjectFilter, period: Option<Period>, mut f: impl FnMut(&Item<'_>)) -> ProgressResult<()> {
    let mut by_project: HashMap<ProjectId, Vec<Milestone>> = HashMap::new();
    for m in store.milestones(None).await? {
        by_project.entry(m.project_id.clone()).or_default().push(m);
    }
    let reports: HashMap<ProjectId, ReportState> = match period {
        Some(p) => store.reports(&ReportQuery { period: Some(p), ..ReportQuery::default() }).await?.into_iter().map(|r| (r.project_id, r.state)).collect(),
        None => HashMap::new(),
    };
    let mut pages = super::export::project_pages(Arc::clone(store), filter.clone(), Page::ALL);
    while let Some(page) = pages.next().await {
        for p in &page? {
            f(&Item {
                id: &p.id,
                props: &p.props,
                milestones: by_project.get(&p.id).map_or_else(Vec::new, |ms| ms.iter().collect()),
                report: reports.get(&p.id).copied(),
            });
        }
    }
    Ok(())
}

/// `/api/stats/units`: the figures per responsible unit and per town, and for all.
#[derive(Debug, Clone, Serialize)]
pub struct UnitStats {
    /// The month of the report counts.
    pub period: Option<Period>,
    /// The day of the figures.
    pub as_of: NaiveDate,
    /// Every project.
    pub total: Kpis,
    /// Per unit (a project counts in each of its units, so rows do not add up to the total).
    pub units: Vec<UnitRow>,
    /// Per town.
    pub towns: Vec<UnitRow>,
}

/// Figures per unit and per town for `period` (default: this month).
pub async fn unit_stats(store: &Arc<dyn Store>, filter: &ProjectFilter, period: Option<Period>, towns: &[String]) -> ProgressResult<UnitStats> {
    let period = period.unwrap_or_else(|| Period::of(today()));
    let as_of = as_of_day(Some(period));
    let mut tally = GroupTally::new(as_of, Some(period));
    each_item(store, filter, Some(period), |it| tally.add(it)).await?;
    let (total, units, towns) = tally.finish(towns);
    Ok(UnitStats { period: Some(period), as_of, total, units, towns })
}

/// Registers the plan's units in the store (those already there are left alone).
pub async fn seed_units(store: &dyn Store, units: &[UnitName]) -> ProgressResult<u64> {
    Ok(store.ensure_units(units, "plan").await?)
}

/// Ties a user to units (replacing earlier ones; none = district-wide).
pub async fn set_user_units(
    store: &dyn Store,
    actor_name: &str,
    address: Option<&str>,
    user: &crate::auth::UserName,
    units: &[UnitName],
) -> ProgressResult<Vec<UnitName>> {
    let detail = if units.is_empty() { "district-wide".to_owned() } else { units.iter().map(UnitName::as_str).collect::<Vec<_>>().join("、") };
    let audit = AuditEntry::now(actor_name, "user_units", Some(user.as_str()), address, Some(detail));
    Ok(store.set_user_units(user, units, &audit).await?)
}
