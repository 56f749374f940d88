//! Synthetic monthly reports and milestones for synthetic projects (`planmap demo-data`), so a
//! populated 进度 view can be seen and benchmarked. Only projects marked `synthetic` get them;
//! every report's reporter and every milestone's author is `demo-data`, and each milestone's note
//! says it is synthetic.

use crate::auth::AuditEntry;
use crate::progress::{Milestone, MilestoneKind, NewReport, Period, ReportAction, ReportBody, ReportFigures, ReportState};
use crate::project::{Page, ProjectFilter, Wan};
use crate::store::{ReportChange, Store, StoreResult};
use chrono::{NaiveDate, TimeDelta};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;

/// Who the synthetic rows are by.
pub const AUTHOR: &str = "demo-data";

/// What was generated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Generated {
    /// Reports written.
    pub reports: u64,
    /// Milestones written.
    pub milestones: u64,
}

fn wan(x: i64) -> Wan {
    Wan::new(Decimal::from(x.max(0))).unwrap_or(Wan::ZERO)
}

/// For at most `max_projects` synthetic projects: five milestones each, and reports for the
/// `months` months before `today`'s (mostly approved; some submitted, returned or missing).
pub async fn generate(store: &dyn Store, seed: u64, today: NaiveDate, max_projects: usize, months: u32) -> StoreResult<Generated> {
    // A stream of its own ("monthly"), so the projects of a seed stay the same with or without reports.
    let mut rng = SmallRng::seed_from_u64(seed ^ 0x006d_6f6e_7468_6c79);
    let projects = store.list(&ProjectFilter::default(), Page::ALL).await?;
    let mut periods = Vec::new();
    let mut p = Period::of(today);
    for _ in 0..months {
        p = p.prev();
        periods.push(p);
    }
    periods.reverse();
    let mut out = Generated::default();
    let start = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap_or(today);
    for project in projects.iter().filter(|p| p.props.synthetic).take(max_projects) {
        let offset = TimeDelta::days(rng.gen_range(0..400));
        for (k, kind) in MilestoneKind::ALL.iter().enumerate() {
            let planned = start + offset + TimeDelta::days(i64::try_from(k).unwrap_or(0) * rng.gen_range(120..300));
            let actual = planned + TimeDelta::days(rng.gen_range(-30..90));
            let m = Milestone {
                project_id: project.id.clone(),
                kind: *kind,
                planned: Some(planned),
                actual: (actual <= today && rng.gen_bool(0.8)).then_some(actual),
                note: Some("synthetic (planmap demo-data)".into()),
                updated_by: AUTHOR.into(),
                updated_at: crate::time::now_micros(),
            };
            let audit = AuditEntry::now(AUTHOR, "milestone_set", Some(project.id.as_str()), None, Some("synthetic".into()));
            store.set_milestone(&m, &audit).await?;
            out.milestones += 1;
        }
        let total = project.props.investment_total.map_or(10_000, |w| w.get().round().try_into().unwrap_or(10_000i64)).max(12);
        let mut to_date = project.props.investment_completed.map_or(0, |w| w.get().round().try_into().unwrap_or(0i64));
        let mut year_to_date = 0i64;
        let mut progress = project.props.progress_pct.unwrap_or(0.0);
        for period in &periods {
            if period.month() == 1 {
                year_to_date = 0;
            }
            let roll: f64 = rng.gen();
            if roll < 0.1 {
                continue;
            }
            let month = rng.gen_range(0..=total / 12);
            year_to_date += month;
            to_date += month;
            progress = (progress + rng.gen_range(0.0..8.0_f64)).min(100.0).round();
            let figures = ReportFigures {
                investment_month: wan(month),
                investment_year_to_date: wan(year_to_date),
                investment_to_date: Some(wan(to_date)),
                progress_pct: Some(progress),
                progress_text: Some(format!("合成数据：形象进度 {progress}%")),
                problems: rng.gen_bool(0.2).then(|| "合成数据：用地报批待省厅批复".to_owned()),
                next_steps: Some("合成数据：按计划推进".into()),
            };
            let body = ReportBody {
                figures,
                reporter: AUTHOR.into(),
                submitted_by: None,
                submitted_at: None,
                reviewed_by: None,
                reviewed_at: None,
                return_reason: None,
                correction_reason: None,
            };
            let audit = AuditEntry::now(AUTHOR, "report_create", None, None, Some("synthetic".into()));
            let r = store.create_report(&NewReport { project_id: project.id.clone(), period: *period, body: body.clone() }, &audit).await?;
            out.reports += 1;
            let mut steps = vec![(ReportAction::Submit, ReportState::Submitted)];
            if roll < 0.15 {
                steps.push((ReportAction::Return, ReportState::Returned));
            } else if roll >= 0.25 {
                steps.push((ReportAction::Approve, ReportState::Approved));
            }
            let mut version = r.version;
            for (action, state) in steps {
                let reason = (action == ReportAction::Return).then_some("合成数据：请补充现场照片");
                let change = ReportChange { id: r.id, expected: version, action, state, body: &body, author: AUTHOR, reason, project: None };
                let audit = AuditEntry::now(AUTHOR, action.as_str(), None, None, Some("synthetic".into()));
                version = store.change_report(&change, &audit).await?.version;
            }
        }
    }
    Ok(out)
}
