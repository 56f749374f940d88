//! Monthly reports (月报): what a unit reports for one project and month, and the workflow
//! draft → submitted → approved | returned.

use super::Period;
use crate::project::{FieldError, Invalid, ProjectId, ProjectProps, Status, Wan};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;
use std::str::FromStr;

/// A report's store key; public in URLs (`/api/reports/{id}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReportId(pub i64);

impl fmt::Display for ReportId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for ReportId {
    type Err = String;
    fn from_str(s: &str) -> Result<ReportId, String> {
        s.parse::<i64>().ok().filter(|n| *n >= 1).map(ReportId).ok_or_else(|| format!("`{s}` is not a report id (a positive whole number)"))
    }
}

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportState {
    /// Being written by the unit; only the unit and reviewers see it.
    Draft,
    /// Sent to the plan office for review.
    Submitted,
    /// Accepted; its figures are on the project. Immutable except by a correction.
    Approved,
    /// Sent back to the unit with a reason; edited and submitted again.
    Returned,
}

impl ReportState {
    /// Every state.
    pub const ALL: &'static [ReportState] = &[ReportState::Draft, ReportState::Submitted, ReportState::Approved, ReportState::Returned];
    /// The wire form.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportState::Draft => "draft",
            ReportState::Submitted => "submitted",
            ReportState::Approved => "approved",
            ReportState::Returned => "returned",
        }
    }
    /// Submitted or approved: the unit has reported for the month.
    pub fn is_reported(self) -> bool {
        matches!(self, ReportState::Submitted | ReportState::Approved)
    }
    /// The state after `action`, or why the action does not apply.
    pub fn after(self, action: ReportAction) -> Result<ReportState, BadTransition> {
        use ReportAction as A;
        use ReportState as S;
        match (self, action) {
            (S::Draft | S::Returned, A::Edit) => Ok(S::Draft),
            (S::Draft | S::Returned, A::Submit) => Ok(S::Submitted),
            (S::Submitted, A::Approve) => Ok(S::Approved),
            (S::Submitted, A::Return) => Ok(S::Returned),
            (S::Approved, A::Correct) => Ok(S::Approved),
            (from, action) => Err(BadTransition { from, action }),
        }
    }
}

impl FromStr for ReportState {
    type Err = String;
    fn from_str(s: &str) -> Result<ReportState, String> {
        ReportState::ALL
            .iter()
            .copied()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("`{s}` is not a report state; one of: draft, submitted, approved, returned"))
    }
}

impl fmt::Display for ReportState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is done to a report; recorded with each of its versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportAction {
    /// Written as a draft.
    Create,
    /// A draft or returned report changed.
    Edit,
    /// Sent for review.
    Submit,
    /// Accepted by a reviewer.
    Approve,
    /// Sent back by a reviewer, with a reason.
    Return,
    /// An approved report's figures changed by a reviewer, with a reason.
    Correct,
}

impl ReportAction {
    /// The wire form, also the audit action's suffix (`report_submit`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ReportAction::Create => "create",
            ReportAction::Edit => "edit",
            ReportAction::Submit => "submit",
            ReportAction::Approve => "approve",
            ReportAction::Return => "return",
            ReportAction::Correct => "correct",
        }
    }
    /// What the action needs the report to be.
    fn needs(self) -> &'static str {
        match self {
            ReportAction::Create => "no report for the month yet",
            ReportAction::Edit | ReportAction::Submit => "a draft or returned report",
            ReportAction::Approve | ReportAction::Return => "a submitted report",
            ReportAction::Correct => "an approved report",
        }
    }
}

/// An action that does not apply in the report's state (HTTP 409).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the report is {from}; `{}` needs {}", action.as_str(), action.needs())]
pub struct BadTransition {
    /// The state the report is in.
    pub from: ReportState,
    /// What was asked.
    pub action: ReportAction,
}

/// The reported figures (万元, exact).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportFigures {
    /// 本月完成投资.
    pub investment_month: Wan,
    /// 本年累计完成投资.
    pub investment_year_to_date: Wan,
    /// 累计完成投资 since the start; when not given, derived on approval (previous approved
    /// report's figure + this month).
    pub investment_to_date: Option<Wan>,
    /// 形象进度 %, 0–100, one decimal.
    pub progress_pct: Option<f64>,
    /// 形象进度 as text.
    pub progress_text: Option<String>,
    /// 存在问题.
    pub problems: Option<String>,
    /// 下步计划.
    pub next_steps: Option<String>,
}

const MAX_TEXT: usize = 2000;
const FIELDS: &[&str] = &["investment_month", "investment_year_to_date", "investment_to_date", "progress_pct", "progress_text", "problems", "next_steps"];

fn fe(field: &str, reason: impl Into<String>) -> FieldError {
    FieldError { pointer: format!("/{field}"), field: field.to_owned(), reason: reason.into(), at: None }
}

fn amount(m: &Map<String, Value>, field: &str, errs: &mut Vec<FieldError>) -> Option<Wan> {
    let text = match m.get(field) {
        None | Some(Value::Null) => return None,
        Some(Value::String(s)) if s.trim().is_empty() => return None,
        Some(Value::String(s)) => s.clone(),
        // The number's own text ("120.5"), not a binary float.
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => {
            errs.push(fe(field, "must be a decimal amount of 万元, e.g. \"120.5\""));
            return None;
        }
    };
    match text.parse::<Wan>() {
        Ok(w) => Some(w),
        Err(e) => {
            errs.push(fe(field, e.to_string()));
            None
        }
    }
}

fn text(m: &Map<String, Value>, field: &str, errs: &mut Vec<FieldError>) -> Option<String> {
    match m.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) if s.chars().count() > MAX_TEXT => {
            errs.push(fe(field, format!("is longer than {MAX_TEXT} characters")));
            None
        }
        Some(Value::String(s)) => Some(s.trim().to_owned()),
        Some(_) => {
            errs.push(fe(field, "must be text"));
            None
        }
    }
}

impl ReportFigures {
    /// Reads the figures from a request body's members, recording every problem. `extra` names
    /// the other members the caller accepts (e.g. `period`).
    pub fn from_json(v: &Value, extra: &[&str]) -> Result<ReportFigures, Invalid> {
        let Some(m) = v.as_object() else {
            return Err(Invalid(vec![FieldError { pointer: String::new(), field: "report".into(), reason: "expected a JSON object".into(), at: None }]));
        };
        let mut errs = Vec::new();
        for k in m.keys() {
            if !FIELDS.contains(&k.as_str()) && !extra.contains(&k.as_str()) {
                errs.push(fe(k, format!("is not a report member; known: {}", FIELDS.iter().chain(extra).copied().collect::<Vec<_>>().join(", "))));
            }
        }
        let month = amount(m, "investment_month", &mut errs);
        if month.is_none() && !errs.iter().any(|e| e.field == "investment_month") {
            errs.push(fe("investment_month", "is required: 本月完成投资 in 万元 (0 when nothing was invested this month)"));
        }
        let ytd = amount(m, "investment_year_to_date", &mut errs);
        if ytd.is_none() && !errs.iter().any(|e| e.field == "investment_year_to_date") {
            errs.push(fe("investment_year_to_date", "is required: 本年累计完成投资 in 万元"));
        }
        let to_date = amount(m, "investment_to_date", &mut errs);
        if let (Some(mo), Some(y)) = (month, ytd) {
            if y < mo {
                errs.push(fe("investment_year_to_date", format!("{y} is less than this month's {mo}; the year's total includes the month")));
            }
        }
        if let (Some(y), Some(t)) = (ytd, to_date) {
            if t < y {
                errs.push(fe("investment_to_date", format!("{t} is less than this year's {y}; the total since the start includes the year")));
            }
        }
        let progress_pct = match m.get("progress_pct") {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_f64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())) {
                Some(p) if p.is_finite() && (0.0..=100.0).contains(&p) => Some((p * 10.0).round() / 10.0),
                _ => {
                    errs.push(fe("progress_pct", "must be a number from 0 to 100"));
                    None
                }
            },
        };
        let progress_text = text(m, "progress_text", &mut errs);
        let problems = text(m, "problems", &mut errs);
        let next_steps = text(m, "next_steps", &mut errs);
        match (month, ytd) {
            (Some(investment_month), Some(investment_year_to_date)) if errs.is_empty() => {
                Ok(ReportFigures { investment_month, investment_year_to_date, investment_to_date: to_date, progress_pct, progress_text, problems, next_steps })
            }
            _ => Err(Invalid(errs)),
        }
    }
}

/// Everything a report holds besides its key, project, period, state and version: stored as one
/// JSON text so both stores keep it alike.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportBody {
    /// The figures.
    #[serde(flatten)]
    pub figures: ReportFigures,
    /// Who wrote it (the author of the project revision its approval writes).
    pub reporter: String,
    /// Who submitted it last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_by: Option<String>,
    /// When it was submitted last (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<String>,
    /// The reviewer who approved or returned it last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_by: Option<String>,
    /// When (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_at: Option<String>,
    /// Why it was returned, the last time it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_reason: Option<String>,
    /// Why it was corrected after approval, the last time it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correction_reason: Option<String>,
}

/// A report to create (as a draft).
#[derive(Debug, Clone, PartialEq)]
pub struct NewReport {
    /// The project.
    pub project_id: ProjectId,
    /// The month.
    pub period: Period,
    /// Figures and reporter.
    pub body: ReportBody,
}

/// A stored report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Key.
    pub id: ReportId,
    /// The project.
    pub project_id: ProjectId,
    /// The month.
    pub period: Period,
    /// Where it stands.
    pub state: ReportState,
    /// +1 on every change; the ETag.
    pub version: i64,
    /// Figures and workflow.
    #[serde(flatten)]
    pub body: ReportBody,
    /// Written (RFC 3339).
    #[serde(serialize_with = "ser_time")]
    pub created_at: DateTime<Utc>,
    /// Last changed (RFC 3339).
    #[serde(serialize_with = "ser_time")]
    pub updated_at: DateTime<Utc>,
}

fn ser_time<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::time::rfc3339(*t))
}

/// The project's fields after an approved report: 累计完成投资 and 形象进度 as reported, and
/// 在建 once work is reported on a project that had not started (a completed or suspended
/// project keeps its status: that is a decision, not a figure).
pub fn derive_figures(props: &ProjectProps, to_date: Wan, progress_pct: Option<f64>) -> ProjectProps {
    let mut out = props.clone();
    out.investment_completed = Some(to_date);
    if progress_pct.is_some() {
        out.progress_pct = progress_pct;
    }
    let work_reported = to_date > Wan::ZERO || progress_pct.is_some_and(|p| p > 0.0);
    if work_reported && matches!(props.status, None | Some(Status::Planned | Status::Preparing)) {
        out.status = Some(Status::UnderConstruction);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_workflow_allows_only_its_transitions() {
        use ReportAction as A;
        use ReportState as S;
        assert_eq!(S::Draft.after(A::Submit), Ok(S::Submitted));
        assert_eq!(S::Returned.after(A::Submit), Ok(S::Submitted));
        assert_eq!(S::Submitted.after(A::Approve), Ok(S::Approved));
        assert_eq!(S::Submitted.after(A::Return), Ok(S::Returned));
        assert_eq!(S::Approved.after(A::Correct), Ok(S::Approved));
        assert!(S::Approved.after(A::Approve).is_err());
        assert!(S::Draft.after(A::Approve).is_err());
        assert!(S::Approved.after(A::Edit).is_err());
        assert!(S::Submitted.after(A::Edit).is_err());
        assert_eq!(S::Approved.after(A::Approve).unwrap_err().to_string(), "the report is approved; `approve` needs a submitted report");
    }

    #[test]
    fn figures_parse_exactly_and_name_every_bad_field() {
        let f = ReportFigures::from_json(&json!({"investment_month": 120.5, "investment_year_to_date": "800", "progress_pct": 35, "problems": " 用地 "}), &[])
            .unwrap();
        assert_eq!(f.investment_month.to_string(), "120.5");
        assert_eq!(f.investment_to_date, None);
        assert_eq!(f.problems.as_deref(), Some("用地"));
        let e = ReportFigures::from_json(&json!({"investment_month": "-1", "progress_pct": 101, "colour": "red"}), &[]).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["colour", "investment_month", "investment_year_to_date", "progress_pct"]);
        let e = ReportFigures::from_json(&json!({"investment_month": "100", "investment_year_to_date": "50", "investment_to_date": "10"}), &[]).unwrap_err();
        assert_eq!(e.0.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["investment_year_to_date", "investment_to_date"]);
    }

    #[test]
    fn approval_sets_the_figures_and_starts_a_project_that_reports_work() {
        let props: ProjectProps = serde_json::from_value(json!({
            "name_zh": "测试", "name_en": null, "action": null, "task": null, "plan_ref": null, "kind": "road", "status": "preparing",
            "investment_total": "1000", "investment_completed": null, "investment_by_year": [], "progress_pct": null,
            "start_date": null, "planned_completion": null, "actual_completion": null, "responsible_units": [], "town": null,
            "targets": [], "description": null, "sources": [{"title": "t", "url": null}], "location_confidence": "low"
        }))
        .unwrap();
        let after = derive_figures(&props, "800".parse().unwrap(), Some(35.0));
        assert_eq!(after.investment_completed.map(|w| w.to_string()).as_deref(), Some("800"));
        assert_eq!(after.progress_pct, Some(35.0));
        assert_eq!(after.status, Some(Status::UnderConstruction));
        let nothing = derive_figures(&props, Wan::ZERO, None);
        assert_eq!(nothing.status, Some(Status::Preparing));
        let mut done = props.clone();
        done.status = Some(Status::Completed);
        assert_eq!(derive_figures(&done, "5".parse().unwrap(), Some(100.0)).status, Some(Status::Completed));
    }
}
