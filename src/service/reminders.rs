//! Reminders (issue 10, item 8): which units have not reported a month by the deadline (a
//! configurable day of the following month), for the dashboard, the CLI and a group robot.

use super::progress::{list_reports, ListQuery, ProgressResult, StateFilter};
use crate::progress::Period;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;

/// Day of the following month by which a month must be reported, when not configured.
pub const DEFAULT_DEADLINE_DAY: u32 = 10;

/// A project a unit has not reported.
#[derive(Debug, Clone, Serialize)]
pub struct Missing {
    /// The project.
    pub project_id: String,
    /// Its name.
    pub project_name: String,
    /// `draft` or `returned` when started but not submitted; absent when nothing was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_state: Option<String>,
}

/// One unit's missing reports.
#[derive(Debug, Clone, Serialize)]
pub struct UnitMissing {
    /// The unit, or `未明确责任单位` for projects that name none.
    pub unit: String,
    /// Its projects without a submitted or approved report.
    pub projects: Vec<Missing>,
}

/// Who has not reported a month.
#[derive(Debug, Clone, Serialize)]
pub struct Reminder {
    /// The month.
    pub period: Period,
    /// The last day to report it.
    pub deadline: NaiveDate,
    /// The deadline has passed (`today` after it).
    pub overdue: bool,
    /// Projects due and not reported.
    pub missing_count: usize,
    /// Per unit, by name.
    pub units: Vec<UnitMissing>,
}

/// Label for projects that name no responsible unit.
pub const NO_UNIT: &str = "未明确责任单位";

/// The deadline of `period`: `day` of the following month (the month's last day when shorter).
pub fn deadline(period: Period, day: u32) -> NaiveDate {
    let next = period.last_day().succ_opt().unwrap_or_else(|| period.last_day());
    let last = Period::of(next).last_day().day();
    NaiveDate::from_ymd_opt(next.year(), next.month(), day.clamp(1, last)).unwrap_or(next)
}

/// Units with projects due in `period` and not reported, on `today`.
pub async fn missing(store: &dyn crate::store::Store, period: Period, today: NaiveDate, deadline_day: u32) -> ProgressResult<Reminder> {
    let items = list_reports(store, &ListQuery { period: Some(period), unit: None, states: vec![StateFilter::Missing] }).await?;
    let mut units: BTreeMap<String, Vec<Missing>> = BTreeMap::new();
    let missing_count = items.len();
    for item in items {
        let m = Missing {
            project_id: item.project_id.to_string(),
            project_name: item.project_name.clone(),
            report_state: item.report.as_ref().map(|r| r.state.as_str().to_owned()),
        };
        let names: Vec<String> = item.responsible_units.iter().map(|u| u.trim().to_owned()).filter(|u| !u.is_empty()).collect();
        if names.is_empty() {
            units.entry(NO_UNIT.to_owned()).or_default().push(m);
        } else {
            for u in names {
                units.entry(u).or_default().push(m.clone());
            }
        }
    }
    let deadline = deadline(period, deadline_day);
    Ok(Reminder {
        period,
        deadline,
        overdue: today > deadline,
        missing_count,
        units: units.into_iter().map(|(unit, projects)| UnitMissing { unit, projects }).collect(),
    })
}

/// The reminder as the text a group robot posts.
pub fn message(r: &Reminder) -> String {
    if r.units.is_empty() {
        return format!("【月报提醒】{} 月报已全部报送。", r.period);
    }
    let mut s = format!(
        "【月报提醒】{} 月报{}截止日 {}，以下 {} 个单位尚有 {} 个项目未报送：",
        r.period,
        if r.overdue { "已过" } else { "" },
        r.deadline,
        r.units.len(),
        r.missing_count
    );
    for u in &r.units {
        s.push_str(&format!("\n· {}（{} 个）：", u.unit, u.projects.len()));
        s.push_str(&u.projects.iter().map(|p| p.project_name.as_str()).collect::<Vec<_>>().join("、"));
    }
    s
}

/// What can go wrong posting to a group robot.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The URL is not an http(s) URL.
    #[error("the webhook URL `{0}` is not an http:// or https:// URL")]
    BadUrl(String),
    /// The robot could not be reached.
    #[error("posting to the webhook failed: {0}")]
    Send(String),
    /// The robot answered with an error.
    #[error("the webhook answered {status}: {body}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// Its answer (DingTalk and WeCom say `errcode`/`errmsg`).
        body: String,
    },
}

/// The body DingTalk and WeCom group robots both take for a text message.
pub fn robot_body(text: &str) -> serde_json::Value {
    serde_json::json!({ "msgtype": "text", "text": { "content": text } })
}

/// Posts `text` to a group robot. Both robots answer 200 with `errcode` 0 when they accept it.
pub async fn post(url: &str, text: &str) -> Result<(), WebhookError> {
    let parsed = reqwest::Url::parse(url).map_err(|_| WebhookError::BadUrl(url.to_owned()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(WebhookError::BadUrl(url.to_owned()));
    }
    let client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(15)).build().map_err(|e| WebhookError::Send(e.to_string()))?;
    let res = client.post(parsed).json(&robot_body(text)).send().await.map_err(|e| WebhookError::Send(e.to_string()))?;
    let status = res.status().as_u16();
    let body = res.text().await.unwrap_or_default();
    let errcode = serde_json::from_str::<serde_json::Value>(&body).ok().and_then(|v| v.get("errcode").and_then(serde_json::Value::as_i64));
    if !(200..300).contains(&status) || errcode.is_some_and(|c| c != 0) {
        return Err(WebhookError::Refused { status, body: body.chars().take(500).collect() });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deadline_is_a_day_of_the_following_month() {
        let p = |s: &str| s.parse::<Period>().expect("period");
        assert_eq!(deadline(p("2026-11"), 10).to_string(), "2026-12-10");
        assert_eq!(deadline(p("2026-12"), 5).to_string(), "2027-01-05");
        // February is short: day 31 is its last day.
        assert_eq!(deadline(p("2027-01"), 31).to_string(), "2027-02-28");
        assert_eq!(deadline(p("2026-11"), 0).to_string(), "2026-12-01");
    }

    #[test]
    fn robots_get_a_text_message() {
        let b = robot_body("x");
        assert_eq!(b["msgtype"], "text");
        assert_eq!(b["text"]["content"], "x");
    }
}
