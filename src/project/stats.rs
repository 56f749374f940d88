//! `Stats`: counts and investment by status, action, town, kind and responsible unit.
//!
//! Computed from the same filtered rows the map shows, so the numbers and the map never disagree.

use super::fields::{Kind, Status, Towns};
use super::money::Wan;
use super::ProjectProps;
use serde::Serialize;
use std::collections::BTreeMap;

/// One group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bucket {
    /// The group's value (`under_construction`, `3`, `北岙街道`); `None` = 未填报.
    pub key: Option<String>,
    /// Projects in it.
    pub count: u64,
    /// Sum of the reported 总投资 (万元).
    pub investment_total: Wan,
    /// Sum of the reported 累计完成投资 (万元).
    pub investment_completed: Wan,
    /// How many projects in it report a 总投资 (the rest are 未填报, not zero).
    pub investment_reported: u64,
}

/// Totals and breakdowns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Projects matched.
    pub count: u64,
    /// Sum of reported 总投资.
    pub investment_total: Wan,
    /// Sum of reported 累计完成投资.
    pub investment_completed: Wan,
    /// How many report a 总投资.
    pub investment_reported: u64,
    /// By status (plan order, then 未填报).
    pub by_status: Vec<Bucket>,
    /// By action 1–5.
    pub by_action: Vec<Bucket>,
    /// By town (configured order).
    pub by_town: Vec<Bucket>,
    /// By kind.
    pub by_kind: Vec<Bucket>,
    /// By responsible unit (责任单位), by name, then 未填报. A project counts in each of its
    /// units, so these groups add up to more than the total when projects share units.
    pub by_unit: Vec<Bucket>,
}

#[derive(Default)]
struct Acc {
    count: u64,
    total: Wan,
    completed: Wan,
    reported: u64,
}

impl Acc {
    fn add(&mut self, p: &ProjectProps) {
        self.count += 1;
        if let Some(t) = p.investment_total {
            self.total = self.total.plus(t);
            self.reported += 1;
        }
        if let Some(c) = p.investment_completed {
            self.completed = self.completed.plus(c);
        }
    }
    fn bucket(&self, key: Option<String>) -> Bucket {
        Bucket { key, count: self.count, investment_total: self.total, investment_completed: self.completed, investment_reported: self.reported }
    }
}

/// Groups keyed by a sort rank then the key text; `None` sorts last.
#[derive(Default)]
struct Groups(BTreeMap<(usize, Option<String>), Acc>);

impl Groups {
    fn add(&mut self, key: Option<(usize, String)>, p: &ProjectProps) {
        let k = match key {
            Some((rank, s)) => (rank, Some(s)),
            None => (usize::MAX, None),
        };
        self.0.entry(k).or_default().add(p);
    }
    fn buckets(self) -> Vec<Bucket> {
        self.0.into_iter().map(|((_, k), acc)| acc.bucket(k)).collect()
    }
}

/// Builds [`Stats`] one project at a time, so a store can aggregate page by page.
pub struct StatsBuilder<'t> {
    towns: &'t Towns,
    all: Acc,
    status: Groups,
    action: Groups,
    town: Groups,
    kind: Groups,
    unit: Groups,
}

impl<'t> StatsBuilder<'t> {
    /// Nothing counted yet; towns sort in `towns`' order.
    pub fn new(towns: &'t Towns) -> StatsBuilder<'t> {
        StatsBuilder {
            towns,
            all: Acc::default(),
            status: Groups::default(),
            action: Groups::default(),
            town: Groups::default(),
            kind: Groups::default(),
            unit: Groups::default(),
        }
    }

    /// Counts one project.
    pub fn add(&mut self, p: &ProjectProps) {
        let rank_of = |list: &[Status], s: Status| list.iter().position(|x| *x == s).unwrap_or(0);
        self.all.add(p);
        self.status.add(p.status.map(|s| (rank_of(Status::ALL, s), s.as_str().to_owned())), p);
        self.action.add(p.action.map(|a| (usize::from(a.get()), a.get().to_string())), p);
        let towns = self.towns.names();
        self.town.add(p.town.as_ref().map(|t| (towns.iter().position(|n| n == t.as_str()).unwrap_or(usize::MAX - 1), t.as_str().to_owned())), p);
        self.kind.add(Some((Kind::ALL.iter().position(|k| *k == p.kind).unwrap_or(0), p.kind.as_str().to_owned())), p);
        if p.responsible_units.is_empty() {
            self.unit.add(None, p);
        }
        // A project counts once in each of its units (rank 0: units sort by name).
        let mut units: Vec<&String> = p.responsible_units.iter().collect();
        units.sort();
        units.dedup();
        for u in units {
            self.unit.add(Some((0, u.clone())), p);
        }
    }

    /// The totals and groups.
    pub fn finish(self) -> Stats {
        Stats {
            count: self.all.count,
            investment_total: self.all.total,
            investment_completed: self.all.completed,
            investment_reported: self.all.reported,
            by_status: self.status.buckets(),
            by_action: self.action.buckets(),
            by_town: self.town.buckets(),
            by_kind: self.kind.buckets(),
            by_unit: self.unit.buckets(),
        }
    }
}

impl Stats {
    /// Aggregates the given projects.
    pub fn from_props<'a>(items: impl IntoIterator<Item = &'a ProjectProps>, towns: &Towns) -> Stats {
        let mut b = StatsBuilder::new(towns);
        for p in items {
            b.add(p);
        }
        b.finish()
    }
}
