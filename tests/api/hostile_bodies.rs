//! Memory under hostile writes: a body with a million vertices is refused 413 from a scan of
//! its bytes on every JSON write route (planmap's own, OGC items, import), naming the limit,
//! while a geometry at the limit still gets through to the ordinary checks.

use crate::support::{Kind, TestApp};
use planmap::auth::Role;
use reqwest::Method;
use serde_json::Value;

/// A Feature whose LineString has `n` positions, written as text (no tree built here either).
fn line_feature(id: &str, n: usize) -> String {
    let mut coords = String::with_capacity(n * 16);
    for i in 0..n {
        if i > 0 {
            coords.push(',');
        }
        // Inside the region, so a body at the limit is judged on its merits.
        coords.push_str(&format!("[121.{:06},27.9]", i % 1_000_000));
    }
    format!(
        r#"{{"type":"Feature","id":"{id}","geometry":{{"type":"LineString","coordinates":[{coords}]}},"properties":{{"name_zh":"测试","kind":"other","sources":[{{"title":"t","url":null}}],"location_confidence":"low"}}}}"#
    )
}

#[tokio::test]
async fn a_million_vertex_body_is_413_before_it_is_parsed_on_every_write_route() {
    let app = TestApp::spawn_with(Kind::Sqlite, |c| c.max_body_bytes = 32 * 1024 * 1024).await.unwrap();
    let t = app.user("planner1", Role::Planner).await;
    let huge = line_feature("huge-line", 1_000_000);
    let collection = format!(r#"{{"type":"FeatureCollection","features":[{huge}]}}"#);
    let routes = [
        (Method::POST, "/api/projects", huge.clone(), "application/json"),
        (Method::POST, "/ogcapi/collections/projects/items", huge.clone(), "application/geo+json"),
        (Method::POST, "/api/import?dry_run=true", collection, "application/json"),
    ];
    for (method, path, body, ct) in routes {
        let r = app.req(method.clone(), path, Some(&t)).header("content-type", ct).body(body).send().await.unwrap();
        assert_eq!(r.status(), 413, "{method} {path}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["limit"], 50_000, "{p}");
        assert!(p["detail"].as_str().unwrap().contains("at most 50000"), "{p}");
    }
    // One past the limit is refused, the limit itself is not refused for its size.
    let r = app
        .req(Method::POST, "/api/projects", Some(&t))
        .header("content-type", "application/json")
        .body(line_feature("over-line", 50_001))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let r = app
        .req(Method::POST, "/api/projects", Some(&t))
        .header("content-type", "application/json")
        .body(line_feature("at-limit-line", 50_000))
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), 413, "{}", r.text().await.unwrap());
}

/// Many large bodies at once are taken a few at a time, and every one is answered.
#[tokio::test]
async fn concurrent_large_bodies_are_all_answered() {
    let app = TestApp::spawn_with(Kind::Sqlite, |c| c.max_body_bytes = 32 * 1024 * 1024).await.unwrap();
    let t = app.user("planner1", Role::Planner).await;
    let body = line_feature("big-line", 300_000);
    assert!(body.len() as u64 > planmap::api::extract::LARGE_BODY_BYTES);
    let sends = (0..8).map(|_| app.req(Method::POST, "/api/projects", Some(&t)).header("content-type", "application/json").body(body.clone()).send());
    for r in futures::future::join_all(sends).await {
        assert_eq!(r.unwrap().status(), 413);
    }
}
