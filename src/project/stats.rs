//! `Stats`: counts and investment by status, action, town and kind.
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
fn grouped(items: &[&ProjectProps], key: impl Fn(&ProjectProps) -> Option<(usize, String)>) -> Vec<Bucket> {
    let mut m: BTreeMap<(usize, Option<String>), Acc> = BTreeMap::new();
    for p in items {
        let k = match key(p) {
            Some((rank, s)) => (rank, Some(s)),
            None => (usize::MAX, None),
        };
        m.entry(k).or_default().add(p);
    }
    m.into_iter().map(|((_, k), acc)| acc.bucket(k)).collect()
}

impl Stats {
    /// Aggregates the given projects.
    pub fn from_props<'a>(items: impl IntoIterator<Item = &'a ProjectProps>, towns: &Towns) -> Stats {
        let items: Vec<&ProjectProps> = items.into_iter().collect();
        let mut all = Acc::default();
        for p in &items {
            all.add(p);
        }
        let rank_of = |list: &[Status], s: Status| list.iter().position(|x| *x == s).unwrap_or(0);
        Stats {
            count: all.count,
            investment_total: all.total,
            investment_completed: all.completed,
            investment_reported: all.reported,
            by_status: grouped(&items, |p| p.status.map(|s| (rank_of(Status::ALL, s), s.as_str().to_owned()))),
            by_action: grouped(&items, |p| p.action.map(|a| (usize::from(a.get()), a.get().to_string()))),
            by_town: grouped(&items, |p| {
                p.town.as_ref().map(|t| (towns.names().iter().position(|n| n == t.as_str()).unwrap_or(usize::MAX - 1), t.as_str().to_owned()))
            }),
            by_kind: grouped(&items, |p| Some((Kind::ALL.iter().position(|k| *k == p.kind).unwrap_or(0), p.kind.as_str().to_owned()))),
        }
    }
}
