//! The leadership figures (年度计划投资, 累计完成投资, 投资完成率, 开工率, 在建/建成, 滞后, reports
//! due/in/missing) for a set of projects, with the number of projects each figure covers: a sum
//! over nobody is "no data" (`projects: 0`), never a 0 the page could show as a fact.

use super::{lateness, Milestone, Period, ReportState, UnitName};
use crate::project::{ProjectId, ProjectProps, Status, Wan};
use chrono::NaiveDate;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// A sum of 万元 and how many projects reported a value to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Sum {
    /// Exact sum.
    pub value: Wan,
    /// Projects that reported a value.
    pub projects: u64,
}

impl Sum {
    fn add(&mut self, w: Option<Wan>) {
        if let Some(w) = w {
            self.value = self.value.plus(w);
            self.projects += 1;
        }
    }
}

/// A share (0–1) and how many projects it is computed over; `value` is `None` when none.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Ratio {
    /// The share.
    pub value: Option<f64>,
    /// Projects it covers.
    pub projects: u64,
}

/// How a month's reports stand for a set of projects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ReportCounts {
    /// The month.
    pub period: Option<Period>,
    /// Projects that must report (not completed, not suspended).
    pub due: u64,
    /// Of those: a draft only.
    pub draft: u64,
    /// Submitted, waiting for review.
    pub submitted: u64,
    /// Approved.
    pub approved: u64,
    /// Returned to the unit.
    pub returned: u64,
    /// Not reported: no report, or only a draft or a returned one.
    pub missing: u64,
}

/// The figures for one set of projects.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kpis {
    /// Projects in the set.
    pub count: u64,
    /// The day the figures are for (lateness, start rate).
    pub as_of: NaiveDate,
    /// The year of 年度计划投资.
    pub year: i32,
    /// 年度计划投资 of `year`.
    pub annual_plan: Sum,
    /// 总投资.
    pub investment_total: Sum,
    /// 累计完成投资.
    pub investment_completed: Sum,
    /// 投资完成率: completed / total over the projects that report both.
    pub completion_rate: Ratio,
    /// 开工率: started (在建 or 建成) / due to have started, over projects with a status.
    pub start_rate: Ratio,
    /// 在建.
    pub under_construction: u64,
    /// 建成.
    pub completed: u64,
    /// Projects with a status (the rest are 未填报).
    pub status_reported: u64,
    /// 滞后.
    pub late: u64,
    /// Projects whose lateness could be judged.
    pub late_known: u64,
    /// Which are late.
    pub late_ids: Vec<ProjectId>,
    /// The month's reports, when a month was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reports: Option<ReportCounts>,
}

/// One row of `/api/stats/units`: a unit or a town and its figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitRow {
    /// The unit or town; `None` = no unit named (only placeholders) or 未填报 town.
    pub key: Option<String>,
    /// Its figures.
    #[serde(flatten)]
    pub kpis: Kpis,
}

/// A project with what the figures need.
pub struct Item<'a> {
    /// The project.
    pub id: &'a ProjectId,
    /// Its fields.
    pub props: &'a ProjectProps,
    /// Its milestones.
    pub milestones: Vec<&'a Milestone>,
    /// The state of its report for the month asked for, if it has one.
    pub report: Option<ReportState>,
}

/// A project must report monthly unless it is completed or suspended.
pub fn is_due(p: &ProjectProps) -> bool {
    !matches!(p.status, Some(Status::Completed | Status::Suspended))
}

/// The figures gathered one project at a time, so that a caller can walk the store page by page
/// and hold only the running sums, never every project at once.
#[derive(Debug, Clone)]
pub struct Tally {
    k: Kpis,
    both_total: Sum,
    both_done: Sum,
    should_start: u64,
    started: u64,
}

impl Tally {
    /// Nothing counted yet, for the day `as_of`; `period` adds the month's report counts.
    pub fn new(as_of: NaiveDate, period: Option<Period>) -> Tally {
        Tally {
            k: Kpis {
                count: 0,
                as_of,
                year: chrono::Datelike::year(&as_of),
                annual_plan: Sum::default(),
                investment_total: Sum::default(),
                investment_completed: Sum::default(),
                completion_rate: Ratio::default(),
                start_rate: Ratio::default(),
                under_construction: 0,
                completed: 0,
                status_reported: 0,
                late: 0,
                late_known: 0,
                late_ids: Vec::new(),
                reports: period.map(|p| ReportCounts { period: Some(p), ..ReportCounts::default() }),
            },
            both_total: Sum::default(),
            both_done: Sum::default(),
            should_start: 0,
            started: 0,
        }
    }

    /// Counts one project.
    pub fn add(&mut self, it: &Item<'_>) {
        let (as_of, p) = (self.k.as_of, it.props);
        let k = &mut self.k;
        k.count += 1;
        k.annual_plan.add(p.investment_by_year.iter().find(|y| y.year == k.year).and_then(|y| y.plan));
        k.investment_total.add(p.investment_total);
        k.investment_completed.add(p.investment_completed);
        if let (Some(t), Some(c)) = (p.investment_total, p.investment_completed) {
            self.both_total.add(Some(t));
            self.both_done.add(Some(c));
        }
        if let Some(status) = p.status {
            k.status_reported += 1;
            let is_started = matches!(status, Status::UnderConstruction | Status::Completed);
            if is_started || p.start_date.is_some_and(|d| d <= as_of) {
                self.should_start += 1;
                self.started += u64::from(is_started);
            }
            k.under_construction += u64::from(status == Status::UnderConstruction);
            k.completed += u64::from(status == Status::Completed);
        }
        let l = lateness(p, &it.milestones, as_of);
        k.late_known += u64::from(l.known);
        if l.late {
            k.late += 1;
            k.late_ids.push(it.id.clone());
        }
        if let Some(r) = k.reports.as_mut() {
            if is_due(p) {
                r.due += 1;
                match it.report {
                    Some(ReportState::Draft) => r.draft += 1,
                    Some(ReportState::Submitted) => r.submitted += 1,
                    Some(ReportState::Approved) => r.approved += 1,
                    Some(ReportState::Returned) => r.returned += 1,
                    None => {}
                }
                if !it.report.is_some_and(ReportState::is_reported) {
                    r.missing += 1;
                }
            }
        }
    }

    /// The figures of everything counted.
    pub fn finish(self) -> Kpis {
        let Tally { mut k, both_total, both_done, should_start, started } = self;
        let total = both_total.value.get().to_f64().unwrap_or(0.0);
        k.completion_rate = Ratio {
            value: (both_total.projects > 0 && total > 0.0).then(|| both_done.value.get().to_f64().unwrap_or(0.0) / total),
            projects: both_total.projects,
        };
        k.start_rate = Ratio { value: (should_start > 0).then(|| started as f64 / should_start as f64), projects: should_start };
        k
    }
}

/// The figures for all, per responsible unit and per town, gathered one project at a time.
#[derive(Debug, Clone)]
pub struct GroupTally {
    total: Tally,
    units: BTreeMap<(bool, String), Tally>,
    towns: HashMap<Option<String>, Tally>,
}

impl GroupTally {
    /// Nothing counted yet.
    pub fn new(as_of: NaiveDate, period: Option<Period>) -> GroupTally {
        GroupTally { total: Tally::new(as_of, period), units: BTreeMap::new(), towns: HashMap::new() }
    }

    /// Counts one project in the total, in each unit it names (placeholders such as 各有关单位 are
    /// not units; a project naming none counts in the row without a key) and in its town.
    pub fn add(&mut self, it: &Item<'_>) {
        let (as_of, period) = (self.total.k.as_of, self.total.k.reports.and_then(|r| r.period));
        let fresh = || Tally::new(as_of, period);
        self.total.add(it);
        let units: Vec<String> =
            it.props.responsible_units.iter().filter_map(|u| UnitName::parse(u).ok()).filter(|u| !u.is_placeholder()).map(String::from).collect();
        if units.is_empty() {
            self.units.entry((true, String::new())).or_insert_with(fresh).add(it);
        }
        for u in units {
            self.units.entry((false, u)).or_insert_with(fresh).add(it);
        }
        self.towns.entry(it.props.town.as_ref().map(|t| t.as_str().to_owned())).or_insert_with(fresh).add(it);
    }

    /// The total; the unit rows by unit name, the row without a unit last; the town rows in the
    /// order of `towns`, then other towns by name, then 未填报.
    pub fn finish(self, towns: &[String]) -> (Kpis, Vec<UnitRow>, Vec<UnitRow>) {
        let units = self.units.into_iter().map(|((none, key), t)| UnitRow { key: (!none).then_some(key), kpis: t.finish() }).collect();
        let mut town_rows: Vec<UnitRow> = self.towns.into_iter().map(|(key, t)| UnitRow { key, kpis: t.finish() }).collect();
        let rank = |k: &Option<String>| match k {
            None => (2, usize::MAX, String::new()),
            Some(t) => match towns.iter().position(|n| n == t) {
                Some(i) => (0, i, String::new()),
                None => (1, 0, t.clone()),
            },
        };
        town_rows.sort_by_key(|r| rank(&r.key));
        (self.total.finish(), units, town_rows)
    }
}

impl Kpis {
    /// The figures for `items` on `as_of`; `period` adds the month's report counts.
    pub fn compute(items: &[&Item<'_>], as_of: NaiveDate, period: Option<Period>) -> Kpis {
        let mut t = Tally::new(as_of, period);
        items.iter().for_each(|it| t.add(it));
        t.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn props(extra: serde_json::Value) -> ProjectProps {
        let mut v = json!({
            "name_zh": "测试", "name_en": null, "action": null, "task": null, "plan_ref": null, "kind": "road", "status": null,
            "investment_total": null, "investment_completed": null, "investment_by_year": [], "progress_pct": null,
            "start_date": null, "planned_completion": null, "actual_completion": null, "responsible_units": [], "town": null,
            "targets": [], "description": null, "sources": [{"title": "t", "url": null}], "location_confidence": "low"
        });
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn figures_say_how_many_projects_they_cover_and_nobody_is_not_zero() {
        let ids: Vec<ProjectId> = ["a-1", "b-2", "c-3"].iter().map(|s| ProjectId::parse(s).unwrap()).collect();
        let ps = [
            props(json!({"status": "under_construction", "investment_total": "1000", "investment_completed": "250.5",
                         "investment_by_year": [{"year": 2026, "plan": "300", "actual": null}], "responsible_units": ["区交通运输局", "各有关单位"]})),
            props(json!({"status": "preparing", "start_date": "2026-03-01", "investment_total": "500", "responsible_units": ["区交通运输局"]})),
            props(json!({"responsible_units": ["各有关部门"]})),
        ];
        let items: Vec<Item> = ids
            .iter()
            .zip(&ps)
            .zip([Some(ReportState::Approved), Some(ReportState::Draft), None])
            .map(|((id, props), report)| Item { id, props, milestones: Vec::new(), report })
            .collect();
        let refs: Vec<&Item> = items.iter().collect();
        let k = Kpis::compute(&refs, "2026-11-30".parse().unwrap(), Some("2026-11".parse().unwrap()));
        assert_eq!(k.count, 3);
        assert_eq!((k.annual_plan.value.to_string(), k.annual_plan.projects), ("300".into(), 1));
        assert_eq!((k.investment_completed.value.to_string(), k.investment_completed.projects), ("250.5".into(), 1));
        assert_eq!(k.completion_rate.projects, 1);
        assert!((k.completion_rate.value.unwrap() - 0.2505).abs() < 1e-12);
        // b-2 was due to start in March and has not: 1 of 2.
        assert_eq!((k.start_rate.value, k.start_rate.projects), (Some(0.5), 2));
        let r = k.reports.unwrap();
        assert_eq!((r.due, r.approved, r.draft, r.missing), (3, 1, 1, 2));

        let nobody = Kpis::compute(&[&items[2]], "2026-11-30".parse().unwrap(), None);
        assert_eq!(nobody.investment_completed.projects, 0);
        assert_eq!(nobody.completion_rate.value, None);
        assert_eq!(nobody.start_rate.value, None);

        let mut groups = GroupTally::new("2026-11-30".parse().unwrap(), Some("2026-11".parse().unwrap()));
        items.iter().for_each(|it| groups.add(it));
        let (total, rows, towns) = groups.finish(&[]);
        assert_eq!(total, k);
        assert_eq!(towns.iter().map(|r| (r.key.clone(), r.kpis.count)).collect::<Vec<_>>(), [(None, 3)]);
        let keys: Vec<Option<&str>> = rows.iter().map(|r| r.key.as_deref()).collect();
        assert_eq!(keys, [Some("区交通运输局"), None]);
        assert_eq!(rows[0].kpis.count, 2);
        assert_eq!(rows[0].kpis.reports.unwrap().missing, 1);
    }
}
