//! `filter-lang=cql2-json` on `/ogcapi/…/items` and `/api/projects`: each JSON filter selects
//! exactly what its CQL2 text form selects, on both stores, and a bad one is a 400 naming
//! `filter` and the JSON node at fault.

use crate::support::{Kind, TestApp};
use serde_json::{json, Value};

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn ids(app: &TestApp, path: &str) -> Vec<String> {
    let r = app.get(path).await;
    assert_eq!(r.status(), 200, "{path}");
    let v: Value = r.json().await.unwrap();
    v["features"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn cql2_json_selects_what_its_text_form_selects_on_both_stores() {
    let pairs = [
        (json!({"op": "=", "args": [{"property": "status"}, "under_construction"]}), "status = 'under_construction'"),
        (json!({"op": "like", "args": [{"property": "name_zh"}, "%港%"]}), "name_zh LIKE '%港%'"),
        (
            json!({"op": "and", "args": [
                {"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": [121.0, 27.8, 121.2, 27.9]}]},
                {"op": "not", "args": [{"op": "in", "args": [{"property": "kind"}, ["road"]]}]}
            ]}),
            "S_INTERSECTS(geometry, BBOX(121.0, 27.8, 121.2, 27.9)) AND NOT kind IN ('road')",
        ),
        (
            json!({"op": "or", "args": [{"op": ">", "args": [{"property": "investment_total"}, 10000]}, {"op": "isNull", "args": [{"property": "start_date"}]}]}),
            "investment_total > 10000 OR start_date IS NULL",
        ),
        (
            json!({"op": "between", "args": [{"property": "start_date"}, {"date": "2024-01-01"}, {"date": "2025-12-31"}]}),
            "start_date BETWEEN DATE('2024-01-01') AND DATE('2025-12-31')",
        ),
        (
            json!({"op": "s_intersects", "args": [{"property": "geometry"}, {"type": "Polygon", "coordinates": [[[121.0, 27.8], [121.2, 27.8], [121.2, 27.95], [121.0, 27.95], [121.0, 27.8]]]}]}),
            "S_INTERSECTS(geometry, POLYGON((121.0 27.8, 121.2 27.8, 121.2 27.95, 121.0 27.95, 121.0 27.8)))",
        ),
        (json!({"op": "<=", "args": [3, {"property": "action"}]}), "action >= 3"),
    ];
    let mut apps = vec![TestApp::spawn(Kind::Sqlite).await.unwrap()];
    if let Some(pg) = TestApp::spawn(Kind::Postgis).await {
        apps.push(pg);
    }
    let mut nonempty = 0;
    for (json_filter, text) in &pairs {
        let mut seen: Option<Vec<String>> = None;
        for app in &apps {
            let by_text = ids(app, &format!("/ogcapi/collections/projects/items?limit=1000&filter={}", enc(text))).await;
            let by_json =
                ids(app, &format!("/ogcapi/collections/projects/items?limit=1000&filter-lang=cql2-json&filter={}", enc(&json_filter.to_string()))).await;
            assert_eq!(by_json, by_text, "{json_filter}");
            // The language may come before or after the filter, and /api/projects reads it too.
            let api = ids(app, &format!("/api/projects?filter={}&filter-lang=cql2-json", enc(&json_filter.to_string()))).await;
            assert_eq!(api, by_text, "/api/projects {json_filter}");
            if let Some(s) = &seen {
                assert_eq!(s, &by_json, "the stores differ on {json_filter}");
            }
            seen = Some(by_json);
        }
        nonempty += usize::from(seen.is_some_and(|s| !s.is_empty()));
    }
    assert!(nonempty >= 5, "most filters must select something, or the comparison proves little");
}

#[tokio::test]
async fn a_bad_cql2_json_filter_is_400_naming_the_node() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    for (filter, needle) in [
        ("{\"op\":\"=\",\"args\":[{\"property\":\"task\"},\"five\"]}", "compared with text"),
        ("{\"op\":\"and\",\"args\":[true,{\"op\":\"t_after\",\"args\":[]}]}", "/args/1/op"),
        ("status = 'completed'", "not JSON"),
    ] {
        for base in ["/ogcapi/collections/projects/items", "/api/projects"] {
            let r = app.get(&format!("{base}?filter-lang=cql2-json&filter={}", enc(filter))).await;
            assert_eq!(r.status(), 400, "{base} {filter}");
            assert_eq!(r.headers()["content-type"], "application/problem+json");
            let p: Value = r.json().await.unwrap();
            assert_eq!(p["parameter"], "filter", "{p}");
            assert!(p["detail"].as_str().unwrap().contains(needle), "{filter}: {p}");
        }
    }
    let r = app.get("/api/projects?filter-lang=cql2-xml&filter=true").await;
    assert_eq!(r.status(), 400);
}
