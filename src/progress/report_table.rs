//! The monthly report table (月报表) a county sends up to the city: one row per project due that
//! month, with the approved report's figures. Written as XLSX and CSV by `service::report_table`.

use super::{Period, Report, ReportState};
use crate::project::{Project, ProjectId};
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::collections::HashMap;

/// The columns, in the order the city's template has them.
pub const COLUMNS: [&str; 10] = ["序号", "项目名称", "责任单位", "总投资", "年度计划投资", "本月完成", "本年累计", "完成率", "形象进度", "存在问题"];

/// What 形象进度 says when a project has no approved report for the month.
pub const NOT_REPORTED: &str = "未填报";
/// … and when its report waits for review.
pub const AWAITING_REVIEW: &str = "已报待审";

/// One row. Money in 万元; an absent figure stays empty, never 0.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// 序号, from 1.
    pub index: usize,
    /// 项目名称.
    pub name: String,
    /// 责任单位, joined with 、.
    pub units: String,
    /// 总投资.
    pub total: Option<Decimal>,
    /// 年度计划投资 of the month's year.
    pub annual_plan: Option<Decimal>,
    /// 本月完成.
    pub month: Option<Decimal>,
    /// 本年累计.
    pub year_to_date: Option<Decimal>,
    /// 完成率: 本年累计 / 年度计划投资, percent, one decimal.
    pub rate: Option<Decimal>,
    /// 形象进度.
    pub progress: String,
    /// 存在问题.
    pub problems: Option<String>,
}

/// The rows for `period`: every project due that month and every project with a report for it,
/// grouped by unit, then by id. Figures come from approved reports only.
pub fn rows(projects: &[Project], reports: &[Report], period: Period) -> Vec<Row> {
    let of_month: HashMap<&ProjectId, &Report> = reports.iter().filter(|r| r.period == period).map(|r| (&r.project_id, r)).collect();
    let mut chosen: Vec<&Project> = projects.iter().filter(|p| super::kpi::is_due(&p.props) || of_month.contains_key(&p.id)).collect();
    chosen.sort_by(|a, b| (a.props.responsible_units.join("、"), a.id.as_str()).cmp(&(b.props.responsible_units.join("、"), b.id.as_str())));
    chosen
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let annual_plan = p.props.investment_by_year.iter().find(|y| y.year == period.year()).and_then(|y| y.plan).map(|w| w.get());
            let approved = of_month.get(&p.id).filter(|r| r.state == ReportState::Approved);
            let f = approved.map(|r| &r.body.figures);
            let year_to_date = f.map(|f| f.investment_year_to_date.get());
            let rate = match (year_to_date, annual_plan) {
                (Some(done), Some(plan)) if plan > Decimal::ZERO => Some((done * Decimal::ONE_HUNDRED / plan).round_dp(1)),
                _ => None,
            };
            let progress = match (approved, f) {
                (Some(_), Some(f)) => match (&f.progress_text, f.progress_pct) {
                    (Some(t), Some(pct)) => format!("{t}（{pct}%）"),
                    (Some(t), None) => t.clone(),
                    (None, Some(pct)) => format!("{pct}%"),
                    (None, None) => String::new(),
                },
                _ if of_month.get(&p.id).is_some_and(|r| r.state == ReportState::Submitted) => AWAITING_REVIEW.to_owned(),
                _ => NOT_REPORTED.to_owned(),
            };
            Row {
                index: i + 1,
                name: p.props.name_zh.clone(),
                units: p.props.responsible_units.join("、"),
                total: p.props.investment_total.map(|w| w.get()),
                annual_plan,
                month: f.map(|f| f.investment_month.get()),
                year_to_date,
                rate,
                progress,
                problems: f.and_then(|f| f.problems.clone()),
            }
        })
        .collect()
}

/// Whether a spreadsheet would read `s` as a formula (or a DDE call) when the cell is edited
/// or the CSV opened: it starts with `=`, `+`, `-`, `@`, a tab or a carriage return.
pub fn looks_like_formula(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// `s` made inert for CSV: a leading `'` when it looks like a formula (OWASP's advice).
pub fn csv_text(s: &str) -> Cow<'_, str> {
    if looks_like_formula(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_text_is_guarded() {
        for s in ["=1+1", "+86 577", "-2", "@SUM(A1)", "\tx", "\r=x", "=HYPERLINK(\"http://x\")"] {
            assert!(looks_like_formula(s), "{s:?}");
            assert!(csv_text(s).starts_with('\''), "{s:?}");
        }
        for s in ["路基完成80%", "1+1=2", "", "完成 -2"] {
            assert!(!looks_like_formula(s), "{s:?}");
            assert_eq!(csv_text(s), s);
        }
    }
}
