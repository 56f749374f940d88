//! HTTP semantics of writes and reads, on both stores: RFC 9110 preconditions (`If-Match` as a
//! list, `*`, weak tags, tags naming no version; `If-Unmodified-Since`; 404 before 412; 400 for
//! a malformed `If-Match`) on the OGC API's Part 4 writes and on `/api/projects`;
//! `Last-Modified`; money as JSON numbers; the Part 5 schema and the Part 3 `Link` header.

use crate::support::{Kind, TestApp};
use planmap::auth::Role;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, SystemTime};

const ID: &str = "zhuangyuanao-port-phase2";
const ITEM: &str = "/ogcapi/collections/projects/items/zhuangyuanao-port-phase2";

fn header(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers().get(name).map(|v| v.to_str().unwrap().to_owned())
}

/// Sends a PATCH of `progress_pct` with extra headers; returns the status and response.
async fn patch(app: &TestApp, t: &str, path: &str, headers: &[(&str, &str)], pct: u32) -> reqwest::Response {
    let mut b = app.req(Method::PATCH, path, Some(t)).json(&json!({"properties": {"progress_pct": pct}}));
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.send().await.unwrap()
}

async fn problem(r: reqwest::Response) -> Value {
    assert_eq!(header(&r, "content-type").as_deref(), Some("application/problem+json"));
    r.json().await.unwrap()
}

async fn ogc_preconditions(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else { return };
    let t = app.user("planner1", Role::Planner).await;

    // A feature's GET: ETag (the version) and Last-Modified (a valid HTTP-date).
    let r = app.get(ITEM).await;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "etag").as_deref(), Some("\"1\""));
    let lm = header(&r, "last-modified").expect("Last-Modified");
    let modified = httpdate::parse_http_date(&lm).unwrap();

    // A list matches when any member does; weak tags compare weakly; `*` matches what exists.
    let r = patch(&app, &t, ITEM, &[("if-match", "\"7\", \"1\"")], 11).await;
    assert_eq!(r.status(), 204);
    assert_eq!(header(&r, "etag").as_deref(), Some("\"2\""));
    let lm2 = header(&r, "last-modified").expect("a replace answers its new Last-Modified");
    assert!(httpdate::parse_http_date(&lm2).unwrap() >= modified);
    let r = patch(&app, &t, ITEM, &[("if-match", "W/\"2\"")], 12).await;
    assert_eq!((r.status(), header(&r, "etag").as_deref()), (reqwest::StatusCode::NO_CONTENT, Some("\"3\"")));
    let r = patch(&app, &t, ITEM, &[("if-match", "*")], 13).await;
    assert_eq!((r.status(), header(&r, "etag").as_deref()), (reqwest::StatusCode::NO_CONTENT, Some("\"4\"")));
    let r = patch(&app, &t, ITEM, &[("if-match", "\"1\"\t,\"4\"")], 14).await;
    assert_eq!(r.status(), 204, "tabs around list commas are whitespace");

    // Well-formed tags that do not match (stale, or naming no version at all): 412 with the
    // current version, and nothing written.
    for tag in ["\"4\"", "\"0\"", "\"abc\"", "W/\"xyz\", \"-1\""] {
        let r = patch(&app, &t, ITEM, &[("if-match", tag)], 50).await;
        assert_eq!(r.status(), 412, "{tag}");
        assert_eq!(problem(r).await["current_version"], 5, "{tag}");
    }
    for (m, body) in [(Method::PUT, Some(app.get_json(&format!("/api/projects/{ID}")).await.1)), (Method::DELETE, None)] {
        let mut b = app.req(m.clone(), ITEM, Some(&t)).header("if-match", "\"3\"");
        if let Some(body) = body {
            b = b.json(&body);
        }
        assert_eq!(b.send().await.unwrap().status(), 412, "{m}");
    }
    assert_eq!(app.get_json(&format!("/api/projects/{ID}")).await.1["properties"]["progress_pct"], 14.0);

    // Malformed: 400 naming the header.
    for bad in ["5", "\"5", "*, \"5\"", "w/\"5\"", "\"5\" \"6\""] {
        let r = patch(&app, &t, ITEM, &[("if-match", bad)], 50).await;
        assert_eq!(r.status(), 400, "{bad:?}");
        assert_eq!(problem(r).await["parameter"], "If-Match", "{bad:?}");
    }

    // A missing feature is 404 whatever the precondition says.
    let missing = "/ogcapi/collections/projects/items/no-such-project";
    for tag in ["\"xyz\"", "*", "\"1\""] {
        assert_eq!(patch(&app, &t, missing, &[("if-match", tag)], 1).await.status(), 404, "{tag}");
        let r = app.req(Method::DELETE, missing, Some(&t)).header("if-match", tag).send().await.unwrap();
        assert_eq!(r.status(), 404, "{tag}");
    }
    let f = app.get_json(&format!("/api/projects/{ID}")).await.1;
    let mut other = f.clone();
    other["id"] = json!("no-such-project");
    let r = app.req(Method::PUT, missing, Some(&t)).header("if-match", "\"xyz\"").json(&other).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(app.get(missing).await.status(), 404, "nothing created");

    // If-Unmodified-Since: a time before the last change fails, the Last-Modified value holds.
    let r = app.get(ITEM).await;
    let lm = header(&r, "last-modified").unwrap();
    let before = httpdate::fmt_http_date(httpdate::parse_http_date(&lm).unwrap() - Duration::from_secs(86_400));
    let r = patch(&app, &t, ITEM, &[("if-unmodified-since", &before)], 60).await;
    assert_eq!(r.status(), 412);
    assert_eq!(problem(r).await["current_version"], 5);
    let r = app.req(Method::DELETE, ITEM, Some(&t)).header("if-unmodified-since", &before).send().await.unwrap();
    assert_eq!(r.status(), 412);
    let r = patch(&app, &t, ITEM, &[("if-unmodified-since", &lm)], 61).await;
    assert_eq!(r.status(), 204);
    // Ignored when If-Match is sent, and when it is not an HTTP-date (RFC 9110 §13.1.4).
    let r = patch(&app, &t, ITEM, &[("if-match", "\"6\""), ("if-unmodified-since", &before)], 62).await;
    assert_eq!(r.status(), 204);
    let r = patch(&app, &t, ITEM, &[("if-unmodified-since", "last tuesday")], 63).await;
    assert_eq!(r.status(), 204);
    let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3600));
    let r = app.req(Method::DELETE, ITEM, Some(&t)).header("if-unmodified-since", &later).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(app.get(ITEM).await.status(), 404);
}

#[tokio::test]
async fn ogc_preconditions_on_sqlite() {
    ogc_preconditions(Kind::Sqlite).await;
}

#[tokio::test]
async fn ogc_preconditions_on_postgis() {
    ogc_preconditions(Kind::Postgis).await;
}

async fn api_preconditions(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else { return };
    let t = app.user("planner1", Role::Planner).await;
    let path = format!("/api/projects/{ID}");

    let r = app.get(&path).await;
    let lm = header(&r, "last-modified").expect("Last-Modified on /api/projects/{id}");
    httpdate::parse_http_date(&lm).unwrap();

    // Still required: neither precondition is a 428 with the current version.
    let r = patch(&app, &t, &path, &[], 10).await;
    assert_eq!(r.status(), 428);
    assert_eq!(problem(r).await["current_version"], 1);
    // A list, a weak tag and `*` are accepted; a tag naming no version is 412, a malformed one 400.
    for (tag, want) in [("\"9\", \"1\"", 200), ("W/\"2\"", 200), ("*", 200), ("\"abc\"", 412), ("\"3\"", 412), ("3", 400)] {
        let r = patch(&app, &t, &path, &[("if-match", tag)], 20).await;
        assert_eq!(r.status(), want, "{tag}");
    }
    // If-Unmodified-Since alone is a precondition too.
    let lm = header(&app.get(&path).await, "last-modified").unwrap();
    let before = httpdate::fmt_http_date(httpdate::parse_http_date(&lm).unwrap() - Duration::from_secs(60));
    assert_eq!(patch(&app, &t, &path, &[("if-unmodified-since", &before)], 21).await.status(), 412);
    let r = patch(&app, &t, &path, &[("if-unmodified-since", &lm)], 22).await;
    assert_eq!(r.status(), 200);
    assert!(header(&r, "last-modified").is_some());
    // 404 before the precondition.
    assert_eq!(patch(&app, &t, "/api/projects/no-such-project", &[("if-match", "\"1\"")], 1).await.status(), 404);
    // Restore checks the precondition against the latest revision, archived or not.
    let v = app.version(ID).await;
    let r = app.req(Method::DELETE, &path, Some(&t)).header("if-match", format!("\"{v}\"")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let restore = format!("{path}/restore");
    let r = app.req(Method::POST, &restore, Some(&t)).header("if-match", format!("\"{v}\"")).json(&json!({"version": 1})).send().await.unwrap();
    assert_eq!(r.status(), 412);
    let r = app.req(Method::POST, &restore, Some(&t)).header("if-match", "*").json(&json!({"version": 1})).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn api_preconditions_on_sqlite() {
    api_preconditions(Kind::Sqlite).await;
}

#[tokio::test]
async fn api_preconditions_on_postgis() {
    api_preconditions(Kind::Postgis).await;
}

async fn money_as_numbers(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else { return };
    let t = app.user("planner1", Role::Planner).await;
    let path = format!("/api/projects/{ID}");
    // Strings and numbers both accepted on the way in; numbers with the exact decimal text out.
    let body = json!({"properties": {"investment_total": "99999999999.9999", "investment_completed": 3200.1,
                                     "investment_by_year": [{"year": 2025, "plan": "1200.50", "actual": 7}]}});
    let r = app.req(Method::PATCH, &path, Some(&t)).header("if-match", "*").json(&body).send().await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    for url in [path.clone(), ITEM.to_owned(), "/api/projects".to_owned(), "/ogcapi/collections/projects/items?limit=100".to_owned()] {
        let text = app.get(&url).await.text().await.unwrap();
        for want in [r#""investment_total":99999999999.9999"#, r#""investment_completed":3200.1"#, r#""plan":1200.5"#, r#""actual":7"#] {
            assert!(text.contains(want), "{url}: {want}");
        }
    }
    // CSV carries the plain decimal.
    let csv = app.get("/api/export?format=csv").await.text().await.unwrap();
    assert!(csv.contains(",99999999999.9999,3200.1,"), "CSV money columns");
}

#[tokio::test]
async fn money_is_a_json_number_on_sqlite() {
    money_as_numbers(Kind::Sqlite).await;
}

#[tokio::test]
async fn money_is_a_json_number_on_postgis() {
    money_as_numbers(Kind::Postgis).await;
}

#[tokio::test]
async fn schema_queryables_link_and_conformance() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let r = app.get("/ogcapi/collections/projects/schema").await;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "content-type").as_deref(), Some("application/schema+json"));
    let s: Value = r.json().await.unwrap();
    assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    let p = &s["properties"];
    assert_eq!(p["id"]["x-ogc-role"], "id");
    assert_eq!((p["geometry"]["x-ogc-role"].as_str(), p["geometry"]["format"].as_str()), (Some("primary-geometry"), Some("geometry-any")));
    assert_eq!((p["updated_at"]["x-ogc-role"].as_str(), p["updated_at"]["readOnly"].as_bool()), (Some("primary-instant"), Some(true)));
    for ro in ["version", "islands"] {
        assert_eq!(p[ro]["readOnly"], true, "{ro}");
    }
    assert_eq!(p["investment_total"]["type"], json!(["number", "null"]));
    assert_eq!(p["status"]["enum"].as_array().unwrap().last(), Some(&Value::Null));
    // Every property a served feature has is in the schema.
    let f = app.get_json(&format!("/api/projects/{ID}")).await.1;
    for k in f["properties"].as_object().unwrap().keys() {
        assert!(p.get(k).is_some(), "{k} missing from the schema");
    }
    assert_eq!(app.get("/ogcapi/collections/islands/schema").await.status(), 200);
    assert_eq!(app.get("/ogcapi/collections/nope/schema").await.status(), 404);
    assert_eq!(app.get("/ogcapi/collections/projects/schema?x=1").await.status(), 400);

    let (_, q) = app.get_json("/ogcapi/collections/projects/queryables").await;
    assert_eq!(q["properties"]["geometry"]["format"], "geometry-any");

    let r = app.get("/ogcapi/collections/projects/items?limit=1").await;
    let link = header(&r, "link").expect("Link header on /items");
    assert!(link.contains("/ogcapi/collections/projects/queryables>"), "{link}");
    assert!(link.contains("rel=\"http://www.opengis.net/def/rel/ogc/1.0/queryables\""), "{link}");

    let (_, c) = app.get_json("/ogcapi/collections/projects").await;
    assert!(c["links"].as_array().unwrap().iter().any(|l| l["rel"] == "http://www.opengis.net/def/rel/ogc/1.0/schema"));

    let (_, c) = app.get_json("/ogcapi/conformance").await;
    let classes: Vec<&str> = c["conformsTo"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    for class in [
        "ogcapi-common-5/1.0/conf/create-replace-delete",
        "ogcapi-common-5/1.0/conf/update",
        "ogcapi-common-5/1.0/conf/optimistic-locking-etags",
        "ogcapi-common-5/1.0/conf/optimistic-locking-timestamps",
        "ogcapi-features-4/1.0/conf/features",
        "ogcapi-features-5/1.0/conf/schemas",
    ] {
        assert!(classes.contains(&format!("http://www.opengis.net/spec/{class}").as_str()), "{class}");
    }
    assert!(!classes.iter().any(|c| c.ends_with("/conf/handling")), "Prefer: handling is not implemented");
}
