//! Reported values of the plan's targets (issue 10, item 10): recorded by a reviewer, an admin or
//! a user an admin designated for statistics, kept with their history, and judged against a
//! straight path to the 2027 target. The sourced values in geodata (`reported` lists) are seeded.

use super::progress::{ProgressError, ProgressResult};
use crate::auth::{AuditEntry, Role, User};
use crate::progress::{track, Direction, NewTargetValue, TargetPeriod, TargetValue, Track};
use crate::project::{FieldError, Invalid};
use crate::store::Store;
use rust_decimal::Decimal;
use serde_json::{json, Value};

fn field(field: &str, reason: impl Into<String>) -> FieldError {
    FieldError { pointer: format!("/{field}"), field: field.to_owned(), reason: reason.into(), at: None }
}

/// The target with this id in plan-targets.json.
pub fn target<'a>(targets: &'a Value, id: &str) -> Option<&'a Value> {
    targets.as_array()?.iter().find(|t| t.get("id").and_then(Value::as_str) == Some(id))
}

fn decimal(v: &Value) -> Option<Decimal> {
    match v {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.to_string().parse().ok(),
        _ => None,
    }
}

/// The `reported` lists of the plan's targets as values to seed (entries that fail the rules are
/// skipped with a warning: the seed is data, and a bad entry must not stop the server).
pub fn seed_values(targets: &Value) -> Vec<NewTargetValue> {
    let mut out = Vec::new();
    for t in targets.as_array().into_iter().flatten() {
        let Some(id) = t.get("id").and_then(Value::as_str) else { continue };
        for r in t.get("reported").and_then(Value::as_array).into_iter().flatten() {
            let period = r.get("period").and_then(Value::as_str).and_then(|p| p.parse::<TargetPeriod>().ok());
            let value = r.get("value").and_then(decimal);
            let unit = r.get("unit").and_then(Value::as_str).or_else(|| t.get("unit").and_then(Value::as_str)).unwrap_or("");
            match (period, value, r.get("source")) {
                (Some(period), Some(value), Some(source)) if !source.is_null() => out.push(NewTargetValue {
                    target_id: id.to_owned(),
                    period,
                    value,
                    unit: unit.to_owned(),
                    source: source.clone(),
                    entered_by: r.get("entered_by").and_then(Value::as_str).unwrap_or("data-import").to_owned(),
                }),
                _ => tracing::warn!(target = id, entry = %r, "plan-targets.json: a reported value without period, value or source was skipped"),
            }
        }
    }
    out
}

/// Records the sourced values of geodata not yet in the store.
pub async fn seed(store: &dyn Store, targets: &Value) -> ProgressResult<u64> {
    Ok(store.seed_target_values(&seed_values(targets)).await?)
}

/// The targets with their recorded values: `values` (history, oldest first), `latest` (the
/// newest period's last entry, or null) and `track` (met, on_track, behind, unknown).
pub async fn with_values(store: &dyn Store, targets: &Value) -> ProgressResult<Value> {
    let values = store.target_values(None).await?;
    let mut out = Vec::new();
    for t in targets.as_array().into_iter().flatten() {
        let id = t.get("id").and_then(Value::as_str).unwrap_or("");
        let mine: Vec<&TargetValue> = values.iter().filter(|v| v.target_id == id).collect();
        // Per period the last entry counts; earlier ones are its history.
        let mut current: Vec<&TargetValue> = Vec::new();
        for v in &mine {
            match current.iter_mut().find(|c| c.period == v.period) {
                Some(c) if c.id < v.id => *c = v,
                Some(_) => {}
                None => current.push(v),
            }
        }
        current.sort_by_key(|v| v.period);
        let latest = current.last().copied();
        let judged = match (t.get("target_value").and_then(decimal), t.get("direction").and_then(Value::as_str).and_then(|d| d.parse::<Direction>().ok())) {
            (Some(goal), Some(dir)) => {
                let points: Vec<(TargetPeriod, Decimal)> = current.iter().filter_map(|v| v.value.parse().ok().map(|d| (v.period, d))).collect();
                let unit = t.get("unit").and_then(Value::as_str).unwrap_or("");
                let year = t.get("year").and_then(Value::as_i64).and_then(|y| i32::try_from(y).ok()).unwrap_or(2027);
                track(&points, unit, goal, dir, year)
            }
            _ => Track::Unknown,
        };
        let mut t = t.clone();
        if let Some(o) = t.as_object_mut() {
            o.insert("values".into(), json!(current));
            o.insert("history".into(), json!(mine));
            o.insert("latest".into(), json!(latest));
            o.insert("track".into(), json!(judged));
        }
        out.push(t);
    }
    Ok(Value::Array(out))
}

/// Whether `user` may record target values: a reviewer or admin, or a designated statistics user.
pub async fn may_enter(store: &dyn Store, user: &User) -> ProgressResult<bool> {
    Ok(user.can(Role::Reviewer) || store.is_statistics_user(user.id).await?)
}

/// Records a value of target `id` from `{"period", "value", "unit"?, "source"}`.
pub async fn add_value(store: &dyn Store, targets: &Value, user: Option<&User>, address: Option<&str>, id: &str, body: &Value) -> ProgressResult<TargetValue> {
    let user = user.ok_or(ProgressError::SignInRequired)?;
    if !may_enter(store, user).await? {
        return Err(ProgressError::Forbidden(format!(
            "user `{}` is a {}; recording target values needs the reviewer role or an admin's designation (planmap user statistics {} --on)",
            user.name, user.role, user.name
        )));
    }
    let Some(t) = target(targets, id) else {
        return Err(Invalid(vec![field("target", format!("`{id}` is not one of the plan's targets; see GET /api/plan/targets"))]).into());
    };
    let mut errs = Vec::new();
    let Some(o) = body.as_object() else { return Err(Invalid(vec![field("value", "expected a JSON object {period, value, unit, source}")]).into()) };
    for k in o.keys().filter(|k| !matches!(k.as_str(), "period" | "value" | "unit" | "source")) {
        errs.push(field(k, "is not a member of a target value; known: period, value, unit, source"));
    }
    let period = match o.get("period").and_then(Value::as_str) {
        Some(p) => p.parse::<TargetPeriod>().map_err(|e| errs.push(field("period", e))).ok(),
        None => {
            errs.push(field("period", "is required: a year (2025) or a month (2026-11)"));
            None
        }
    };
    let value = match o.get("value") {
        Some(v) => match decimal(v) {
            Some(d) => Some(d),
            None => {
                errs.push(field("value", "must be a number or decimal text, e.g. \"231.5\""));
                None
            }
        },
        None => {
            errs.push(field("value", "is required"));
            None
        }
    };
    let target_unit = t.get("unit").and_then(Value::as_str).unwrap_or("");
    let unit = match o.get("unit") {
        None | Some(Value::Null) => target_unit.to_owned(),
        Some(Value::String(u)) if !u.trim().is_empty() && u.chars().count() <= 20 => u.trim().to_owned(),
        Some(_) => {
            errs.push(field("unit", "must be text of 1–20 characters, e.g. 亿元"));
            String::new()
        }
    };
    let source = match o.get("source") {
        Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= 2000 => json!({ "title": s.trim() }),
        Some(Value::Object(m)) if m.get("title").and_then(Value::as_str).is_some_and(|s| !s.trim().is_empty()) && m.len() <= 8 => Value::Object(m.clone()),
        _ => {
            errs.push(field("source", "is required: where the value comes from, as text or {title, url, quote}"));
            Value::Null
        }
    };
    let (Some(period), Some(value), true) = (period, value, errs.is_empty()) else { return Err(Invalid(errs).into()) };
    let new = NewTargetValue { target_id: id.to_owned(), period, value, unit, source, entered_by: user.name.to_string() };
    let audit = AuditEntry::now(user.name.as_str(), "target_value", None, address, Some(format!("{id} {period} = {value}")));
    Ok(store.add_target_value(&new, Some(&audit)).await?)
}
