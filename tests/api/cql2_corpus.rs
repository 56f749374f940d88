//! The `cql2` crate's published conformance corpus (`tests/fixtures/cql2`, see its README), run
//! through planmap.
//!
//! planmap serves one collection with fixed queryables, so the corpus cannot be loaded as it is.
//! What runs:
//! 1. Data: the 112 features of `cql2testdata.ndjson` become 112 projects, each corpus field that
//!    has a planmap queryable of a compatible type renamed to it (table [`FIELDS`]). Every query of
//!    `operators_expected.txt` that names only those fields and that planmap's CQL2 accepts is run
//!    through `/ogcapi/collections/projects/items`, as CQL2 text and as CQL2-JSON, on both stores,
//!    and must select exactly the expected features. Queries naming other fields (`geom` — the
//!    features lie outside planmap's region —, `ts_start`/`ts_end`, `intarrayfield`, `nfield`) or operators
//!    planmap does not implement (arithmetic, CASEI/ACCENTI, array, temporal and most spatial
//!    functions, property-to-property comparisons) are counted as skipped, by reason.
//! 2. Encodings: each OGC example that exists in both CQL2 text and CQL2-JSON, with its properties
//!    renamed the same way (table [`EXAMPLE_PROPS`]), goes through planmap's text and JSON parsers:
//!    both must accept it and lower to the same expression, or both refuse it.
//!
//! The counts are printed (`--nocapture`) and floors are asserted, so the run cannot pass by
//! skipping everything.

use crate::support::{Kind, TestApp};
use planmap::project::cql2::{json, Expr, Scalar};
use planmap::project::{NewProject, Rules};
use planmap::store::{BatchMode, RevisionMeta};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cql2");

/// Corpus field → planmap queryable (same kind of value).
const FIELDS: &[(&str, &str)] = &[
    ("intfield", "investment_completed"),
    ("floatfield", "investment_total"),
    ("textfield", "name_en"),
    ("datefield", "start_date"),
    ("boolfield", "synthetic"),
];

/// Corpus fields with no planmap counterpart: a query naming one is skipped. (`nfield` is a
/// boolean that may be missing; planmap's one boolean, `synthetic`, always has a value.)
const UNMAPPED: &[&str] = &["geom", "ts_start", "ts_end", "intarrayfield", "nfield"];

/// OGC example property → planmap queryable, by the kind of value the examples compare it with.
const EXAMPLE_PROPS: &[(&str, &str)] = &[
    ("name", "name_en"),
    ("owner", "name_en"),
    ("eo:instrument", "name_en"),
    ("landsat:scene_id", "name_en"),
    ("road_class", "name_en"),
    ("material", "name_en"),
    ("city", "name_en"),
    ("cityName", "name_en"),
    ("category", "name_en"),
    ("etat_vol", "name_en"),
    ("geophys:SURVEY_NAME", "name_en"),
    ("polarization", "name_en"),
    ("swathDirection", "name_en"),
    ("beamMode", "name_en"),
    ("value", "progress_pct"),
    ("floors", "progress_pct"),
    ("landsat:wrs_path", "progress_pct"),
    ("landsat:wrs_row", "progress_pct"),
    ("windSpeed", "progress_pct"),
    ("depth", "progress_pct"),
    ("vehicle_height", "progress_pct"),
    ("bridge_clearance", "progress_pct"),
    ("taxes", "progress_pct"),
    ("balance", "progress_pct"),
    ("eo:cloud_cover", "progress_pct"),
    ("swimming_pool", "synthetic"),
    ("starts_at", "start_date"),
    ("ends_at", "start_date"),
    ("updated_at", "start_date"),
    ("built", "start_date"),
    ("updated", "start_date"),
    ("touchdown", "start_date"),
    ("liftOff", "start_date"),
    ("event_time", "start_date"),
    ("footprint", "geometry"),
    ("location", "geometry"),
    ("road", "geometry"),
];

fn lookup<'a>(table: &[(&str, &'a str)], name: &str) -> Option<&'a str> {
    table.iter().find(|(from, _)| *from == name).map(|(_, to)| *to)
}

/// Renames identifiers (bare, or double-quoted) outside single-quoted text in a CQL2 text.
fn rename_text(text: &str, table: &[(&str, &str)]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            // Copy a text literal as it is ('' is an escaped quote inside it).
            out.push(c);
            i += 1;
            while i < chars.len() {
                out.push(chars[i]);
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        out.push('\'');
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            i += 1;
        } else if c == '"' {
            let end = chars[i + 1..].iter().position(|c| *c == '"').map_or(chars.len(), |p| i + 1 + p);
            let name: String = chars[i + 1..end.min(chars.len())].iter().collect();
            out.push('"');
            out.push_str(lookup(table, &name).unwrap_or(&name));
            out.push('"');
            i = end + 1;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == ':') {
                i += 1;
            }
            let name: String = chars[start..i].iter().collect();
            out.push_str(lookup(table, &name).unwrap_or(&name));
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Renames `{"property": …}` members in a CQL2-JSON value.
fn rename_json(v: &mut Value, table: &[(&str, &str)]) {
    match v {
        Value::Object(o) => {
            if let Some(Value::String(p)) = o.get_mut("property") {
                if let Some(to) = lookup(table, p) {
                    *p = to.to_owned();
                }
            }
            o.values_mut().for_each(|x| rename_json(x, table));
        }
        Value::Array(a) => a.iter_mut().for_each(|x| rename_json(x, table)),
        _ => {}
    }
}

/// The CQL2-JSON encoding of a checked expression.
fn to_json(e: &Expr) -> Value {
    let prop = |p: &planmap::project::cql2::Prop| json!({"property": p.name()});
    let scalar = |s: &Scalar| match s {
        Scalar::Text(t) => json!(t),
        Scalar::Int(i) => json!(i),
        Scalar::Dec(d) => serde_json::from_str(&d.to_string()).unwrap(),
        Scalar::Num(n) => json!(n),
        Scalar::Date(d) => json!({"date": d.to_string()}),
        Scalar::Bool(b) => json!(b),
    };
    match e {
        Expr::And(v) => json!({"op": "and", "args": v.iter().map(to_json).collect::<Vec<_>>()}),
        Expr::Or(v) => json!({"op": "or", "args": v.iter().map(to_json).collect::<Vec<_>>()}),
        Expr::Not(x) => json!({"op": "not", "args": [to_json(x)]}),
        Expr::Compare { prop: p, op, value } => json!({"op": op.sql(), "args": [prop(p), scalar(value)]}),
        Expr::Like { prop: p, pattern } => json!({"op": "like", "args": [prop(p), pattern]}),
        Expr::Between { prop: p, low, high } => json!({"op": "between", "args": [prop(p), scalar(low), scalar(high)]}),
        Expr::In { prop: p, values } => json!({"op": "in", "args": [prop(p), values.iter().map(scalar).collect::<Vec<_>>()]}),
        Expr::IsNull(p) => json!({"op": "isNull", "args": [prop(p)]}),
        Expr::Intersects(g) => json!({"op": "s_intersects", "args": [{"property": "geometry"}, geojson::Geometry::new(geojson::Value::from(g))]}),
        Expr::Literal(b) => json!(b),
    }
}

/// The corpus features as projects: mapped fields, one point in the district each.
fn projects() -> Vec<NewProject> {
    let text = std::fs::read_to_string(Path::new(DIR).join("cql2testdata.ndjson")).unwrap();
    let rules = Rules::default();
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let item: Value = serde_json::from_str(line).unwrap();
        let n = item["intfield"].as_i64().unwrap();
        let mut props = json!({
            "name_zh": format!("语料 {n}"),
            "kind": "other",
            "sources": [{"title": "cql2 corpus", "url": null}],
            "location_confidence": "low",
        });
        for (from, to) in FIELDS {
            let v = &item[*from];
            let v = match (*from, v) {
                // Money is exact decimal text.
                ("intfield" | "floatfield", Value::Number(x)) => Value::from(x.to_string()),
                (_, v) => v.clone(),
            };
            if !v.is_null() {
                props[*to] = v;
            }
        }
        let feature =
            json!({"type": "Feature", "id": format!("item-{n:03}"), "geometry": {"type": "Point", "coordinates": [121.1, 27.9]}, "properties": props});
        out.push(NewProject::from_feature(&feature, None, &rules).unwrap_or_else(|e| panic!("item {n}: {e}")));
    }
    out
}

async fn selected(app: &TestApp, query: &str) -> Result<String, String> {
    let r = app.get(&format!("/ogcapi/collections/projects/items?limit=1000&{query}")).await;
    let status = r.status().as_u16();
    let v: Value = r.json().await.unwrap();
    if status != 200 {
        return Err(format!("{status} {v}"));
    }
    let mut ns: Vec<i64> = v["features"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().trim_start_matches("item-").parse().unwrap()).collect();
    ns.sort_unstable();
    Ok(ns.iter().map(i64::to_string).collect::<Vec<_>>().join(" "))
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn the_cql2_crate_corpus_selects_the_expected_features_on_both_stores() {
    let mut apps = vec![("sqlite", TestApp::spawn_with(Kind::Sqlite, |c| c.seed = false).await.unwrap())];
    if let Some(pg) = TestApp::spawn_with(Kind::Postgis, |c| c.seed = false).await {
        apps.push(("postgis", pg));
    }
    let items = projects();
    assert_eq!(items.len(), 112);
    for (_, app) in &apps {
        app.store.apply_batch(&items, BatchMode::CreateOnly, &RevisionMeta::by("corpus", None)).await.unwrap();
    }
    let expected = std::fs::read_to_string(Path::new(DIR).join("operators_expected.txt")).unwrap();
    let lines: Vec<&str> = expected.lines().collect();
    let (mut ran, mut skipped, mut failures) = (0, BTreeMap::<String, usize>::new(), Vec::new());
    for pair in lines.chunks(2) {
        let [query, want] = pair else { panic!("odd number of lines in operators_expected.txt") };
        if let Some(field) = UNMAPPED.iter().find(|f| query.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').any(|w| w == **f)) {
            *skipped.entry(format!("names `{field}`")).or_default() += 1;
            continue;
        }
        let text = rename_text(query, FIELDS);
        let expr = match text.parse::<Expr>() {
            Ok(e) => e,
            Err(e) => {
                // Which construct planmap lacks, in a word: the start of the message.
                let why = e.message.split([';', '(']).next().unwrap_or("").trim().to_owned();
                *skipped.entry(format!("not in planmap's CQL2: {why}")).or_default() += 1;
                continue;
            }
        };
        let as_json = to_json(&expr).to_string();
        assert_eq!(json::parse(&as_json).as_ref(), Ok(&expr), "{query}: the JSON form lowers differently: {as_json}");
        ran += 1;
        for (store, app) in &apps {
            for (lang, q) in [("cql2-text", format!("filter={}", enc(&text))), ("cql2-json", format!("filter-lang=cql2-json&filter={}", enc(&as_json)))] {
                match selected(app, &q).await {
                    Ok(got) if got == *want => {}
                    Ok(got) => failures.push(format!("{store} {lang} `{query}` (as `{text}`): got [{got}], expected [{want}]")),
                    Err(e) => failures.push(format!("{store} {lang} `{query}`: {e}")),
                }
            }
        }
    }
    let total = lines.len() / 2;
    println!("cql2 corpus: {total} queries; {ran} run as text and JSON on {} store(s); skipped: {skipped:#?}", apps.len());
    assert!(failures.is_empty(), "{} of {ran} queries select other features:\n{}", failures.len(), failures.join("\n"));
    assert!(ran >= 35, "only {ran} corpus queries could run (39 when written)");
}

#[tokio::test]
async fn the_ogc_examples_lower_to_one_expression_from_text_and_from_json() {
    let dir = Path::new(DIR).join("examples");
    let mut names: Vec<String> = std::fs::read_dir(dir.join("json")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().replace(".json", "")).collect();
    names.sort();
    let (mut same, mut both_refused, mut disagree) = (0, 0, Vec::new());
    for name in &names {
        let Ok(text) = std::fs::read_to_string(dir.join("text").join(format!("{name}.txt"))) else { continue };
        let mut v: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("json").join(format!("{name}.json"))).unwrap()).unwrap();
        rename_json(&mut v, EXAMPLE_PROPS);
        let text = rename_text(text.trim(), EXAMPLE_PROPS);
        match (text.parse::<Expr>(), json::parse(&v.to_string())) {
            (Ok(a), Ok(b)) if a == b => same += 1,
            (Err(_), Err(_)) => both_refused += 1,
            (a, b) => disagree.push(format!("{name}: text `{text}` → {a:?}\n  json {v} → {b:?}")),
        }
    }
    println!("OGC examples: {} pairs; {same} lower to the same expression, {both_refused} refused by both", names.len());
    assert!(disagree.is_empty(), "text and JSON disagree:\n{}", disagree.join("\n"));
    assert!(same >= 35, "only {same} examples could be compared (43 when written)");
}
