//! CQL2-JSON (`filter-lang=cql2-json`) read into the same checked [`Expr`] as CQL2 text.
//!
//! Each JSON node is written out as its CQL2 text equivalent (properties double-quoted, text
//! single-quoted, GeoJSON geometries as WKT) and that text goes through the one text parser.
//! So both encodings accept exactly the same operators and queryables, with one set of type
//! checks, and lower to identical expressions (the tests below compare them). Errors name the
//! JSON pointer of the node at fault.
//!
//! Supported: `and`, `or`, `not`, `=`, `<>`, `<`, `<=`, `>`, `>=` (a property on either side),
//! `like`, `between`, `in`, `isNull`, `s_intersects`; literals: text, numbers, booleans,
//! `{"date": …}`, `{"timestamp": …}`, `{"bbox": […]}` and GeoJSON geometries.

use super::{Cql2Error, Expr};
use serde_json::Value;
use std::fmt::Write as _;

/// Deepest nesting of operators accepted (the text parser's limit, with room for its parentheses).
const MAX_DEPTH: usize = 50;

/// Parses a CQL2-JSON filter.
pub fn parse(text: &str) -> Result<Expr, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("the text is not JSON: {e}"))?;
    let mut out = String::new();
    boolean(&v, "", &mut out, 0)?;
    out.parse::<Expr>().map_err(|e: Cql2Error| format!("cannot be used: {}", e.message))
}

/// The CQL2 text of a CQL2-JSON filter (for tests and messages).
pub fn to_text(v: &Value) -> Result<String, String> {
    let mut out = String::new();
    boolean(v, "", &mut out, 0)?;
    Ok(out)
}

fn args<'a>(v: &'a Value, at: &str, op: &str, n: std::ops::RangeInclusive<usize>) -> Result<&'a [Value], String> {
    let a = v.get("args").and_then(Value::as_array).ok_or_else(|| format!("`{at}/args` must be a list (operator `{op}`)"))?;
    if !n.contains(&a.len()) {
        let want = if n.start() == n.end() {
            n.start().to_string()
        } else if *n.end() == usize::MAX {
            format!("at least {}", n.start())
        } else {
            format!("{}–{}", n.start(), n.end())
        };
        return Err(format!("`{at}/args` of `{op}` must hold {want} arguments; it holds {}", a.len()));
    }
    Ok(a)
}

fn boolean(v: &Value, at: &str, out: &mut String, depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!("nests more than {MAX_DEPTH} levels deep at `{at}`"));
    }
    let op = match v {
        Value::Bool(b) => {
            out.push_str(if *b { "TRUE" } else { "FALSE" });
            return Ok(());
        }
        Value::Object(o) => {
            o.get("op").and_then(Value::as_str).ok_or_else(|| format!("`{at}` must be an operation such as {{\"op\": \"=\", \"args\": […]}} or true/false"))?
        }
        _ => return Err(format!("`{at}` must be an operation such as {{\"op\": \"=\", \"args\": […]}} or true/false")),
    };
    let arg_at = |i: usize| format!("{at}/args/{i}");
    match op {
        "and" | "or" => {
            let a = args(v, at, op, 2..=usize::MAX)?;
            out.push('(');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(if op == "and" { " AND " } else { " OR " });
                }
                boolean(x, &arg_at(i), out, depth + 1)?;
            }
            out.push(')');
        }
        "not" => {
            let a = args(v, at, op, 1..=1)?;
            out.push_str("NOT (");
            boolean(&a[0], &arg_at(0), out, depth + 1)?;
            out.push(')');
        }
        "=" | "<>" | "<" | "<=" | ">" | ">=" => {
            let a = args(v, at, op, 2..=2)?;
            // The text grammar puts the property first; `5 < task` is `task > 5`.
            let (prop, lit, op, lit_at) = match (property(&a[0]), property(&a[1])) {
                (Some(p), _) => (p, &a[1], op.to_owned(), arg_at(1)),
                (None, Some(p)) => (p, &a[0], flipped(op).to_owned(), arg_at(0)),
                (None, None) => return Err(format!("`{at}`: one side of `{op}` must be a property such as {{\"property\": \"status\"}}")),
            };
            write!(out, "{} {op} ", quoted_name(prop)).ok();
            scalar(lit, &lit_at, out)?;
        }
        "like" => {
            let a = args(v, at, op, 2..=2)?;
            let prop = property(&a[0]).ok_or_else(|| format!("`{}` must be a property", arg_at(0)))?;
            let pattern = a[1].as_str().ok_or_else(|| format!("`{}` must be a text pattern such as \"%港%\"", arg_at(1)))?;
            write!(out, "{} LIKE {}", quoted_name(prop), quoted_text(pattern)).ok();
        }
        "between" => {
            let a = args(v, at, op, 3..=3)?;
            let prop = property(&a[0]).ok_or_else(|| format!("`{}` must be a property", arg_at(0)))?;
            write!(out, "{} BETWEEN ", quoted_name(prop)).ok();
            scalar(&a[1], &arg_at(1), out)?;
            out.push_str(" AND ");
            scalar(&a[2], &arg_at(2), out)?;
        }
        "in" => {
            let a = args(v, at, op, 2..=2)?;
            let prop = property(&a[0]).ok_or_else(|| format!("`{}` must be a property", arg_at(0)))?;
            let list = a[1].as_array().filter(|l| !l.is_empty()).ok_or_else(|| format!("`{}` must be a non-empty list of values", arg_at(1)))?;
            write!(out, "{} IN (", quoted_name(prop)).ok();
            for (i, x) in list.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                scalar(x, &format!("{}/{i}", arg_at(1)), out)?;
            }
            out.push(')');
        }
        "isNull" => {
            let a = args(v, at, op, 1..=1)?;
            let prop = property(&a[0]).ok_or_else(|| format!("`{}` must be a property", arg_at(0)))?;
            write!(out, "{} IS NULL", quoted_name(prop)).ok();
        }
        "s_intersects" => {
            let a = args(v, at, op, 2..=2)?;
            out.push_str("S_INTERSECTS(");
            spatial(&a[0], &arg_at(0), out)?;
            out.push_str(", ");
            spatial(&a[1], &arg_at(1), out)?;
            out.push(')');
        }
        other => {
            return Err(format!("`{at}/op`: `{other}` is not supported; supported: and, or, not, =, <>, <, <=, >, >=, like, between, in, isNull, s_intersects"))
        }
    }
    Ok(())
}

fn flipped(op: &str) -> &str {
    match op {
        "<" => ">",
        "<=" => ">=",
        ">" => "<",
        ">=" => "<=",
        same => same,
    }
}

fn property(v: &Value) -> Option<&str> {
    v.as_object().filter(|o| o.len() == 1)?.get("property")?.as_str()
}

fn quoted_name(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn quoted_text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A literal compared with a property: text, number, boolean, `{"date"}` or `{"timestamp"}`.
fn scalar(v: &Value, at: &str, out: &mut String) -> Result<(), String> {
    match v {
        Value::String(s) => out.push_str(&quoted_text(s)),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
        Value::Object(o) if o.len() == 1 && o.get("date").is_some_and(Value::is_string) => {
            write!(out, "DATE({})", quoted_text(o["date"].as_str().unwrap_or_default())).ok();
        }
        Value::Object(o) if o.len() == 1 && o.get("timestamp").is_some_and(Value::is_string) => {
            write!(out, "TIMESTAMP({})", quoted_text(o["timestamp"].as_str().unwrap_or_default())).ok();
        }
        _ => return Err(format!("`{at}` must be a value: text, a number, true/false, {{\"date\": \"YYYY-MM-DD\"}} or {{\"timestamp\": \"…\"}}")),
    }
    Ok(())
}

/// An argument of `s_intersects`: the geometry property, `{"bbox": […]}` or a GeoJSON geometry.
fn spatial(v: &Value, at: &str, out: &mut String) -> Result<(), String> {
    if let Some(p) = property(v) {
        out.push_str(&quoted_name(p));
        return Ok(());
    }
    if let Some(b) = v.get("bbox").and_then(Value::as_array) {
        let nums: Option<Vec<String>> = b.iter().map(|x| x.as_f64().filter(|f| f.is_finite()).map(|f| f.to_string())).collect();
        let nums = nums.ok_or_else(|| format!("`{at}/bbox` must hold numbers"))?;
        write!(out, "BBOX({})", nums.join(", ")).ok();
        return Ok(());
    }
    let g = geojson::Geometry::from_json_value(v.clone()).map_err(|e| format!("`{at}` is not a property, bbox or GeoJSON geometry: {e}"))?;
    let g: geo::Geometry<f64> = g.try_into().map_err(|e: geojson::Error| format!("`{at}` cannot be used as a geometry: {e}"))?;
    out.push_str(&wkt::ToWkt::wkt_string(&g));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn same(json_filter: Value, text: &str) {
        let from_json = parse(&json_filter.to_string()).unwrap_or_else(|e| panic!("{json_filter}: {e}"));
        let from_text: Expr = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(from_json, from_text, "{json_filter} vs {text}");
    }

    #[test]
    fn each_json_form_lowers_to_the_expression_of_its_text_form() {
        same(json!({"op": "=", "args": [{"property": "status"}, "completed"]}), "status = 'completed'");
        same(json!({"op": "<", "args": [5, {"property": "task"}]}), "task > 5");
        same(
            json!({"op": "and", "args": [{"op": ">=", "args": [{"property": "investment_total"}, 100.5]}, {"op": "not", "args": [{"op": "like", "args": [{"property": "name_zh"}, "%港%"]}]}]}),
            "investment_total >= 100.5 AND NOT name_zh LIKE '%港%'",
        );
        same(
            json!({"op": "or", "args": [{"op": "in", "args": [{"property": "task"}, [1, 2]]}, {"op": "isNull", "args": [{"property": "town"}]}]}),
            "task IN (1, 2) OR town IS NULL",
        );
        same(
            json!({"op": "between", "args": [{"property": "start_date"}, {"date": "2024-01-01"}, {"timestamp": "2025-12-31T00:00:00Z"}]}),
            "start_date BETWEEN DATE('2024-01-01') AND TIMESTAMP('2025-12-31T00:00:00Z')",
        );
        same(
            json!({"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": [121.0, 27.8, 121.2, 27.9]}]}),
            "S_INTERSECTS(geometry, BBOX(121.0, 27.8, 121.2, 27.9))",
        );
        same(
            json!({"op": "s_intersects", "args": [{"property": "geometry"}, {"type": "Polygon", "coordinates": [[[121.0, 27.8], [121.2, 27.8], [121.2, 27.9], [121.0, 27.8]]]}]}),
            "S_INTERSECTS(geometry, POLYGON((121 27.8, 121.2 27.8, 121.2 27.9, 121 27.8)))",
        );
        same(json!({"op": "=", "args": [{"property": "name_en"}, "O'Neil"]}), "name_en = 'O''Neil'");
        same(json!({"op": "=", "args": [{"property": "synthetic"}, true]}), "synthetic = TRUE");
        same(json!(true), "TRUE");
    }

    #[test]
    fn bad_json_filters_name_the_node_at_fault() {
        let cases: &[(&str, &str)] = &[
            ("{", "not JSON"),
            ("{\"op\": \"=\", \"args\": [{\"property\": \"status\"}]}", "must hold 2 arguments"),
            ("{\"op\": \"and\", \"args\": [true, {\"op\": \"~\", \"args\": []}]}", "/args/1/op"),
            ("{\"op\": \"=\", \"args\": [{\"property\": \"task\"}, \"five\"]}", "compared with text"),
            ("{\"op\": \"=\", \"args\": [{\"property\": \"colour\"}, \"red\"]}", "not a queryable"),
            ("{\"op\": \"=\", \"args\": [1, 2]}", "must be a property"),
            ("{\"op\": \"in\", \"args\": [{\"property\": \"task\"}, []]}", "non-empty list"),
            ("{\"op\": \"s_intersects\", \"args\": [{\"property\": \"geometry\"}, {\"type\": \"Pointy\"}]}", "/args/1"),
            ("\"status\"", "must be an operation"),
        ];
        for (text, needle) in cases {
            let e = parse(text).unwrap_err();
            assert!(e.contains(needle), "{text}: {e}");
        }
        let mut deep = json!(true);
        for _ in 0..60 {
            deep = json!({"op": "not", "args": [deep]});
        }
        assert!(parse(&deep.to_string()).unwrap_err().contains("levels deep"));
    }
}
