//! Import: a GeoJSON FeatureCollection in, a per-feature report out, all or nothing.
//!
//! Every feature is checked before anything is written; one rejected feature means nothing is
//! written (unless it is a dry run, which never writes). Used by `planmap import`, `planmap
//! demo-data`, the seed at start and `POST /api/import`. The size limits (features per file,
//! vertices per geometry) are checked here, before any geometry is parsed.

use super::ServiceError;
use crate::geometry::crs::Crs;
use crate::project::{FieldError, NewProject, ProjectId, Rules};
use crate::store::{BatchAction, BatchMode, RevisionMeta, Store, StoreError};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

/// Size limits on one import.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Features per file.
    pub max_features: usize,
    /// Vertices per geometry.
    pub max_vertices: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_features: 200_000, max_vertices: 100_000 }
    }
}

/// What happened (or would happen) to one feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Failed a rule.
    Rejected,
    /// Passed the rules (dry run, or not written because another feature was rejected).
    Valid,
    /// Written as new.
    Created,
    /// Replaced a stored project.
    Updated,
    /// Same as stored.
    Unchanged,
}

/// One feature's line in the report.
#[derive(Debug, Clone, Serialize)]
pub struct ItemReport {
    /// Position in the file, from 0.
    pub index: usize,
    /// The feature's id, when it has a readable one.
    pub id: Option<String>,
    /// Outcome.
    pub outcome: Outcome,
    /// Why it was rejected.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Whether anything was written.
    pub written: bool,
    /// Features read.
    pub total: usize,
    /// Features rejected.
    pub rejected: usize,
    /// Per feature, in file order.
    pub items: Vec<ItemReport>,
}

/// Positions in a GeoJSON geometry, counted without parsing it, so an oversized geometry is
/// refused before the validator spends time on it.
pub fn raw_vertex_count(geometry: &Value) -> usize {
    fn walk(v: &Value) -> usize {
        match v {
            Value::Array(a) if a.first().is_some_and(Value::is_number) => 1,
            Value::Array(a) => a.iter().map(walk).sum(),
            _ => 0,
        }
    }
    match geometry.get("coordinates") {
        Some(c) => walk(c),
        None => geometry.get("geometries").and_then(Value::as_array).map_or(0, |gs| gs.iter().map(raw_vertex_count).sum()),
    }
}

/// Checks every feature; returns the valid projects (only when all are valid) and the report lines.
pub fn check(collection: &Value, rules: &Rules, limits: Limits) -> Result<(Vec<NewProject>, Vec<ItemReport>), ServiceError> {
    check_in(collection, rules, limits, Crs::Wgs84)
}

/// `check` for a file in `crs`: positions are converted to WGS84 before the rules run.
pub fn check_in(collection: &Value, rules: &Rules, limits: Limits, crs: Crs) -> Result<(Vec<NewProject>, Vec<ItemReport>), ServiceError> {
    let features = match collection.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => {
            collection.get("features").and_then(Value::as_array).ok_or_else(|| ServiceError::NotACollection("`features` is not a list".into()))?
        }
        Some(t) => return Err(ServiceError::NotACollection(format!("`type` is `{t}`"))),
        None => return Err(ServiceError::NotACollection("`type` is missing".into())),
    };
    if features.len() > limits.max_features {
        return Err(ServiceError::TooManyFeatures { count: features.len(), max: limits.max_features });
    }
    let mut seen: HashMap<ProjectId, usize> = HashMap::new();
    let mut ok = Vec::with_capacity(features.len());
    let mut report = Vec::with_capacity(features.len());
    for (index, f) in features.iter().enumerate() {
        if let Some(g) = f.get("geometry") {
            let count = raw_vertex_count(g);
            if count > limits.max_vertices {
                return Err(ServiceError::TooManyVertices { index, count, max: limits.max_vertices });
            }
        }
    }
    for (index, f) in features.iter().enumerate() {
        let converted;
        let f = if crs == Crs::Wgs84 {
            f
        } else {
            let mut c = f.clone();
            if let Some(g) = c.get_mut("geometry") {
                crs.geometry_to_wgs84(g);
            }
            converted = c;
            &converted
        };
        let raw_id = f.get("id").or_else(|| f.get("properties").and_then(|p| p.get("id"))).and_then(Value::as_str).map(str::to_owned);
        let mut errors = Vec::new();
        match NewProject::from_feature(f, None, rules) {
            Ok(p) => {
                if let Some(first) = seen.get(&p.id) {
                    errors.push(FieldError {
                        pointer: "/id".into(),
                        field: "id".into(),
                        reason: format!("`{}` is also the id of feature {first}", p.id),
                        at: None,
                    });
                } else {
                    seen.insert(p.id.clone(), index);
                }
                if errors.is_empty() {
                    ok.push(p);
                }
            }
            Err(e) => errors = e.0,
        }
        let outcome = if errors.is_empty() { Outcome::Valid } else { Outcome::Rejected };
        report.push(ItemReport { index, id: raw_id, outcome, errors });
    }
    Ok((ok, report))
}

/// Checks, then writes everything in one transaction unless `dry_run` or any feature was rejected.
pub async fn run(
    store: &dyn Store,
    collection: &Value,
    rules: &Rules,
    limits: Limits,
    mode: BatchMode,
    dry_run: bool,
    meta: &RevisionMeta,
) -> Result<Report, ServiceError> {
    run_in(store, collection, rules, limits, Crs::Wgs84, mode, dry_run, meta).await
}

/// `run` for a file in `crs`. A dry run also tells, per feature, whether it would be created,
/// updated or left unchanged (and rejects ids that exist when `mode` is create-only), reading
/// the store but writing nothing.
#[expect(clippy::too_many_arguments, reason = "one call site per entry point; a struct would only rename them")]
pub async fn run_in(
    store: &dyn Store,
    collection: &Value,
    rules: &Rules,
    limits: Limits,
    crs: Crs,
    mode: BatchMode,
    dry_run: bool,
    meta: &RevisionMeta,
) -> Result<Report, ServiceError> {
    let (projects, mut items) = check_in(collection, rules, limits, crs)?;
    let mut rejected = items.iter().filter(|i| i.outcome == Outcome::Rejected).count();
    let total = items.len();
    if rejected > 0 {
        return Ok(Report { written: false, total, rejected, items });
    }
    if dry_run {
        for (item, p) in items.iter_mut().zip(&projects) {
            item.outcome = match store.get(&p.id).await {
                Err(StoreError::NotFound(_)) => Outcome::Created,
                Err(e) => return Err(e.into()),
                Ok(_) if mode == BatchMode::CreateOnly => {
                    item.errors.push(FieldError { pointer: "/id".into(), field: "id".into(), reason: format!("project `{}` already exists", p.id), at: None });
                    rejected += 1;
                    Outcome::Rejected
                }
                Ok(cur) if cur.props == p.props && cur.geometry.is(&p.geometry) => Outcome::Unchanged,
                Ok(_) => Outcome::Updated,
            };
        }
        return Ok(Report { written: false, total, rejected, items });
    }
    let outcome = store.apply_batch(&projects, mode, meta).await?;
    for (item, (_, action)) in items.iter_mut().zip(outcome.items) {
        item.outcome = match action {
            BatchAction::Created => Outcome::Created,
            BatchAction::Updated => Outcome::Updated,
            BatchAction::Unchanged => Outcome::Unchanged,
        };
    }
    Ok(Report { written: true, total, rejected, items })
}
