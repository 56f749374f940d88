//! `/collections/{id}/schema` (OGC API – Features Part 5, "Schemas"): the JSON Schema (2020-12)
//! of a collection's features as GeoJSON serves them — every property with its type, the roles
//! Part 5 names (`x-ogc-role`: `id`, `primary-geometry`, `primary-instant`) and the members the
//! server maintains marked `readOnly` (a write may leave them out; what it sends is ignored).
//!
//! The projects' properties are those of `ProjectProps` plus the server-added ones written by
//! `project::feature_out`; the closed vocabularies are enumerated from the same lists the input
//! rules check against, so the schema cannot list a value the server would refuse.

use super::collections::Collection;
use super::landing::only_f;
use super::{base_url, cell, html_page, html_table, json_response, link, negotiate, Format, Islands, SCHEMA_JSON};
use crate::api::{AppState, Problem};
use crate::project::{Action, Confidence, Kind, SourceKind, Status, Task, FIGURE_FIELDS};
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Extension;
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// JSON Schema's 2020-12 dialect, which Part 5 uses.
pub(super) const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// A value or null: JSON Schema's spelling of an optional member.
fn nullable(mut schema: Value) -> Value {
    if let Some(ty) = schema.get("type").and_then(Value::as_str).map(str::to_owned) {
        schema["type"] = json!([ty, "null"]);
    }
    if let Some(Value::Array(values)) = schema.get_mut("enum") {
        values.push(Value::Null);
    }
    schema
}

fn wire<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| f(*v)).collect()
}

/// An amount of 万元: an exact decimal, at most 4 places, from 0 to 10^11.
fn money(title: &str) -> Value {
    nullable(json!({"title": title, "type": "number", "minimum": 0, "maximum": 100_000_000_000_i64}))
}

/// The projects' feature schema.
fn projects(s: &AppState) -> Map<String, Value> {
    let date = |title: &str| nullable(json!({"title": title, "type": "string", "format": "date"}));
    let texts = |title: &str| json!({"title": title, "type": "array", "items": {"type": "string"}});
    // The range `Action` and `Task` accept.
    let actions: Vec<u8> = (1..=5).filter(|n| Action::try_from(i64::from(*n)).is_ok()).collect();
    let tasks: Vec<u8> = (1..=16).filter(|n| Task::try_from(i64::from(*n)).is_ok()).collect();
    let towns: Vec<&str> = s.rules.towns.names().iter().map(String::as_str).collect();
    // One `json!` per member: the whole object at once passes the macro's recursion limit.
    let members: Vec<(&str, Value)> = vec![
        (
            "id",
            json!({"title": "项目编号 id (slug)", "type": "string", "minLength": 3, "maxLength": 80, "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "x-ogc-role": "id"}),
        ),
        ("geometry", json!({"title": "位置 location (CRS84 lon/lat)", "format": "geometry-any", "x-ogc-role": "primary-geometry"})),
        ("name_zh", json!({"title": "项目名称 Chinese name", "type": "string", "minLength": 1})),
        ("name_en", nullable(json!({"title": "English name", "type": "string"}))),
        ("action", nullable(json!({"title": "行动 action", "type": "integer", "enum": actions}))),
        ("task", nullable(json!({"title": "任务 task", "type": "integer", "enum": tasks}))),
        ("plan_ref", nullable(json!({"title": "规划条目 plan section", "type": "string"}))),
        ("kind", json!({"title": "类型 kind", "type": "string", "enum": wire(Kind::ALL, Kind::as_str)})),
        ("status", nullable(json!({"title": "状态 status (null: 未填报)", "type": "string", "enum": wire(Status::ALL, Status::as_str)}))),
        ("investment_total", money("总投资 (万元)")),
        ("investment_completed", money("累计完成投资 (万元)")),
        (
            "investment_by_year",
            json!({"title": "分年度投资 (万元)", "type": "array", "items": {
            "type": "object", "required": ["year"], "properties": {
                "year": {"type": "integer"}, "plan": money("年度计划投资"), "actual": money("年度完成投资")}}}),
        ),
        ("progress_pct", nullable(json!({"title": "形象进度 %", "type": "number", "minimum": 0, "maximum": 100}))),
        ("start_date", date("开工日期")),
        ("planned_completion", date("计划完工日期")),
        ("actual_completion", date("实际完工日期")),
        ("responsible_units", texts("责任单位")),
        ("town", nullable(json!({"title": "街道/镇/乡", "type": "string", "enum": towns}))),
        ("targets", texts("目标 targets")),
        ("description", nullable(json!({"title": "说明", "type": "string"}))),
        (
            "sources",
            json!({"title": "来源 sources (at least one)", "type": "array", "minItems": 1, "items": {"oneOf": [
            {"type": "string"},
            {"type": "object", "required": ["title"], "properties": {
                "title": {"type": "string"}, "url": {"type": ["string", "null"], "format": "uri"},
                "kind": {"type": "string", "enum": wire(SourceKind::ALL, SourceKind::as_str)}, "retrieved": {"type": "string", "format": "date"},
                "fields": {"type": "array", "items": {"type": "string", "enum": FIGURE_FIELDS}}, "quote": {"type": "string"}}}]}}),
        ),
        ("location_confidence", json!({"title": "位置可信度", "type": "string", "enum": wire(Confidence::ALL, Confidence::as_str)})),
        ("synthetic", json!({"title": "synthetic demo data (absent when false)", "type": "boolean", "default": false})),
        ("islands", json!({"title": "涉及海岛 islands the geometry touches (derived)", "type": "array", "items": {"type": "string"}, "readOnly": true})),
        ("version", json!({"title": "版本 version (the ETag)", "type": "integer", "minimum": 1, "readOnly": true})),
        ("updated_at", json!({"title": "更新时间 last change", "type": "string", "format": "date-time", "readOnly": true, "x-ogc-role": "primary-instant"})),
    ];
    members.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// The islands' feature schema: the properties the base data carries.
fn islands(islands: &Islands) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), json!({"title": "1-based position in the base data", "type": "integer", "minimum": 1, "x-ogc-role": "id", "readOnly": true}));
    m.insert("geometry".into(), json!({"title": "coastline", "format": "geometry-any", "x-ogc-role": "primary-geometry", "readOnly": true}));
    for i in &islands.items {
        for (k, v) in &i.properties {
            let ty = match v {
                Value::String(_) => "string",
                Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
                Value::Number(_) => "number",
                Value::Bool(_) => "boolean",
                _ => continue,
            };
            m.entry(k.clone()).or_insert_with(|| nullable(json!({"title": k, "type": ty, "readOnly": true})));
        }
    }
    m
}

/// `GET /collections/{id}/schema`.
pub(super) async fn schema(
    State(s): State<AppState>,
    Extension(isl): Extension<Arc<Islands>>,
    Path(cid): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, Problem> {
    let c = Collection::parse(&cid)?;
    let (_, f) = only_f(q.as_deref())?;
    let fmt = negotiate(f.as_deref(), &headers, false)?;
    let url = format!("{}/collections/{}/schema", base_url(&headers), c.id());
    let props = match c {
        Collection::Projects => projects(&s),
        Collection::Islands => islands(&isl),
    };
    if fmt == Format::Html {
        let rows: Vec<(String, String)> = props.iter().map(|(k, v)| (k.clone(), format!("{} {}", cell(&v["type"]), cell(&v["title"])))).collect();
        return Ok(html_page(&format!("{} schema", c.id()), &[link(url, "self", SCHEMA_JSON, "as JSON Schema")], &html_table(&rows)));
    }
    let required: Vec<&str> = if c == Collection::Projects { vec!["id", "geometry", "name_zh", "kind", "sources", "location_confidence"] } else { vec![] };
    let doc = json!({
        "$schema": DIALECT,
        "$id": url,
        "title": format!("{} features", c.id()),
        "type": "object",
        "required": required,
        "properties": props,
    });
    Ok(json_response(&doc, SCHEMA_JSON))
}
