//! Milestones (里程碑) and the lateness rule (滞后), decided once on the server.

use crate::project::{ProjectId, ProjectProps, Status};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A milestone due within this many days is amber.
pub const AMBER_DAYS: i64 = 30;

/// The milestones every project has, in the order a project passes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneKind {
    /// 立项/可研批复.
    Approval,
    /// 用地用海审批.
    LandSea,
    /// 开工.
    Start,
    /// 主体完工.
    MainWorks,
    /// 竣工验收.
    Acceptance,
}

impl MilestoneKind {
    /// Every kind, in order.
    pub const ALL: &'static [MilestoneKind] =
        &[MilestoneKind::Approval, MilestoneKind::LandSea, MilestoneKind::Start, MilestoneKind::MainWorks, MilestoneKind::Acceptance];
    /// The wire form.
    pub fn as_str(self) -> &'static str {
        match self {
            MilestoneKind::Approval => "approval",
            MilestoneKind::LandSea => "land_sea",
            MilestoneKind::Start => "start",
            MilestoneKind::MainWorks => "main_works",
            MilestoneKind::Acceptance => "acceptance",
        }
    }
    /// The label county reports use.
    pub fn label_zh(self) -> &'static str {
        match self {
            MilestoneKind::Approval => "立项/可研批复",
            MilestoneKind::LandSea => "用地用海审批",
            MilestoneKind::Start => "开工",
            MilestoneKind::MainWorks => "主体完工",
            MilestoneKind::Acceptance => "竣工验收",
        }
    }
    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            MilestoneKind::Approval => "Project approval / feasibility study",
            MilestoneKind::LandSea => "Land and sea-use approval",
            MilestoneKind::Start => "Construction start",
            MilestoneKind::MainWorks => "Main works complete",
            MilestoneKind::Acceptance => "Completion acceptance",
        }
    }
}

impl FromStr for MilestoneKind {
    type Err = BadMilestone;
    fn from_str(s: &str) -> Result<MilestoneKind, BadMilestone> {
        MilestoneKind::ALL.iter().copied().find(|k| k.as_str() == s).ok_or_else(|| BadMilestone::Kind(s.to_owned()))
    }
}

impl fmt::Display for MilestoneKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a milestone cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadMilestone {
    /// Not one of the kinds.
    #[error("`{0}` is not a milestone kind; one of: approval, land_sea, start, main_works, acceptance")]
    Kind(String),
    /// An actual date in the future.
    #[error("the actual date {0} is in the future; record it when it has happened")]
    ActualInFuture(NaiveDate),
}

/// One milestone of one project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    /// The project.
    pub project_id: ProjectId,
    /// Which.
    pub kind: MilestoneKind,
    /// 计划时间.
    pub planned: Option<NaiveDate>,
    /// 实际时间.
    pub actual: Option<NaiveDate>,
    /// Free text.
    pub note: Option<String>,
    /// Who set it.
    pub updated_by: String,
    /// When.
    #[serde(serialize_with = "ser_time", deserialize_with = "de_time")]
    pub updated_at: DateTime<Utc>,
}

fn ser_time<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::time::rfc3339(*t))
}

fn de_time<'de, D: serde::Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    let s = String::deserialize(d)?;
    DateTime::parse_from_rfc3339(&s).map(|t| t.with_timezone(&Utc)).map_err(serde::de::Error::custom)
}

/// A milestone's traffic light.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneSignal {
    /// Has an actual date.
    Done,
    /// Past its planned date without an actual one (red).
    Overdue,
    /// Due within [`AMBER_DAYS`] days (amber).
    DueSoon,
    /// Planned later (green).
    OnTrack,
    /// No planned date: nothing to judge.
    Unplanned,
}

impl Milestone {
    /// The traffic light on `today`.
    pub fn signal(&self, today: NaiveDate) -> MilestoneSignal {
        match (self.actual, self.planned) {
            (Some(_), _) => MilestoneSignal::Done,
            (None, None) => MilestoneSignal::Unplanned,
            (None, Some(p)) if p < today => MilestoneSignal::Overdue,
            (None, Some(p)) if (p - today).num_days() <= AMBER_DAYS => MilestoneSignal::DueSoon,
            (None, Some(_)) => MilestoneSignal::OnTrack,
        }
    }
}

/// Whether a project is late (滞后) on a day, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lateness {
    /// 滞后.
    pub late: bool,
    /// Past its planned completion and not completed.
    pub overdue: bool,
    /// Progress trails elapsed time by this many percentage points (one decimal).
    pub behind_pts: Option<f64>,
    /// Elapsed share of start → planned completion, 0–100 (one decimal).
    pub elapsed_pct: Option<f64>,
    /// Milestones past their planned date without an actual one.
    pub overdue_milestones: Vec<MilestoneKind>,
    /// Whether the inputs to judge were there; an unknown project counts neither as late nor as on time.
    pub known: bool,
}

fn one_decimal(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The 滞后 rule (formerly in `web/format.js`): a project that is not completed is late on
/// `today` when its planned completion is past, when one of its milestones is overdue, or when
/// its progress trails the elapsed share of start → planned completion.
pub fn lateness(p: &ProjectProps, milestones: &[&Milestone], today: NaiveDate) -> Lateness {
    let mut out = Lateness { late: false, overdue: false, behind_pts: None, elapsed_pct: None, overdue_milestones: Vec::new(), known: false };
    if p.status == Some(Status::Completed) {
        out.known = true;
        return out;
    }
    if let Some(planned) = p.planned_completion {
        if planned < today {
            out.known = true;
            out.late = true;
            out.overdue = true;
        }
    }
    for m in milestones {
        match m.signal(today) {
            MilestoneSignal::Overdue => {
                out.known = true;
                out.late = true;
                out.overdue_milestones.push(m.kind);
            }
            MilestoneSignal::Done | MilestoneSignal::DueSoon | MilestoneSignal::OnTrack => out.known = true,
            MilestoneSignal::Unplanned => {}
        }
    }
    if let (Some(start), Some(planned), Some(progress)) = (p.start_date, p.planned_completion, p.progress_pct) {
        if planned > start {
            out.known = true;
            let elapsed = ((today - start).num_days() as f64 / (planned - start).num_days() as f64 * 100.0).clamp(0.0, 100.0);
            out.elapsed_pct = Some(one_decimal(elapsed));
            let gap = one_decimal(elapsed - progress);
            if gap > 0.0 {
                out.late = true;
                out.behind_pts = Some(gap);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn props(extra: serde_json::Value) -> ProjectProps {
        let mut v = json!({
            "name_zh": "测试", "name_en": null, "action": null, "task": null, "plan_ref": null, "kind": "road", "status": "under_construction",
            "investment_total": null, "investment_completed": null, "investment_by_year": [], "progress_pct": null,
            "start_date": null, "planned_completion": null, "actual_completion": null, "responsible_units": [], "town": null,
            "targets": [], "description": null, "sources": [{"title": "t", "url": null}], "location_confidence": "low"
        });
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        serde_json::from_value(v).unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn ms(kind: MilestoneKind, planned: Option<&str>, actual: Option<&str>) -> Milestone {
        Milestone {
            project_id: crate::project::ProjectId::parse("p-1").unwrap(),
            kind,
            planned: planned.map(day),
            actual: actual.map(day),
            note: None,
            updated_by: "t".into(),
            updated_at: Utc::now(),
        }
    }

    // The cases of tests/browser/format.test.mjs's lateness tests, which the page used to decide.
    #[test]
    fn lateness_matches_the_rule_the_page_used() {
        let today = day("2026-06-30");
        let unknown = lateness(&props(json!({})), &[], today);
        assert!(!unknown.known && !unknown.late);
        let overdue = lateness(&props(json!({"planned_completion": "2026-06-29"})), &[], today);
        assert!(overdue.late && overdue.overdue && overdue.known);
        let due_today = lateness(&props(json!({"planned_completion": "2026-06-30"})), &[], today);
        assert!(!due_today.overdue);
        let done = lateness(&props(json!({"status": "completed", "planned_completion": "2025-01-01"})), &[], today);
        assert!(done.known && !done.late);
        // Half the time gone, 40 % done: 10 points behind.
        let behind = lateness(&props(json!({"start_date": "2026-01-01", "planned_completion": "2026-12-31", "progress_pct": 40})), &[], day("2026-07-02"));
        assert_eq!(behind.elapsed_pct, Some(50.0));
        assert_eq!(behind.behind_pts, Some(10.0));
        assert!(behind.late && !behind.overdue);
        let ahead = lateness(&props(json!({"start_date": "2026-01-01", "planned_completion": "2026-12-31", "progress_pct": 60})), &[], day("2026-07-02"));
        assert!(ahead.known && !ahead.late && ahead.behind_pts.is_none());
        let before_start = lateness(&props(json!({"start_date": "2027-01-01", "planned_completion": "2027-12-31", "progress_pct": 0})), &[], today);
        assert_eq!(before_start.elapsed_pct, Some(0.0));
        assert!(!before_start.late);
    }

    #[test]
    fn an_overdue_milestone_makes_a_project_late_and_a_near_one_amber() {
        let today = day("2026-11-15");
        let start = ms(MilestoneKind::Start, Some("2026-10-31"), None);
        let land = ms(MilestoneKind::LandSea, Some("2026-12-10"), None);
        let approval = ms(MilestoneKind::Approval, Some("2026-01-10"), Some("2026-02-01"));
        let later = ms(MilestoneKind::Acceptance, Some("2027-06-30"), None);
        assert_eq!(start.signal(today), MilestoneSignal::Overdue);
        assert_eq!(land.signal(today), MilestoneSignal::DueSoon);
        assert_eq!(ms(MilestoneKind::LandSea, Some("2026-12-15"), None).signal(today), MilestoneSignal::DueSoon);
        assert_eq!(ms(MilestoneKind::LandSea, Some("2026-12-16"), None).signal(today), MilestoneSignal::OnTrack);
        assert_eq!(approval.signal(today), MilestoneSignal::Done);
        assert_eq!(later.signal(today), MilestoneSignal::OnTrack);
        let l = lateness(&props(json!({})), &[&start, &land, &approval], today);
        assert!(l.late && l.known && !l.overdue);
        assert_eq!(l.overdue_milestones, [MilestoneKind::Start]);
        let fine = lateness(&props(json!({})), &[&land, &approval], today);
        assert!(fine.known && !fine.late);
    }
}
