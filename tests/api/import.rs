//! `POST /api/import`: dry run, all-or-nothing, coordinate systems and limits.

use crate::support::{feature, point, Kind, TestApp};
use planmap::auth::Role;
use planmap::geometry::crs;
use reqwest::Method;
use serde_json::{json, Value};

const ID: &str = "zhuangyuanao-port-phase2";

async fn import(app: &TestApp, token: &str, query: &str, body: &Value) -> (u16, Value) {
    let r = app.req(Method::POST, &format!("/api/import{query}"), Some(token)).json(body).send().await.unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap())
}

fn outcomes(report: &Value) -> Vec<&str> {
    report["items"].as_array().unwrap().iter().map(|i| i["outcome"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn a_dry_run_reports_every_feature_and_writes_nothing() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let t = app.user("planner1", Role::Planner).await;
    let (_, current) = app.get_json(&format!("/api/projects/{ID}")).await;
    let mut changed = current.clone();
    changed["properties"]["progress_pct"] = json!(77);
    let fc = json!({"type":"FeatureCollection","features":[current, changed.clone(), feature("brand-new", point(121.1, 27.8), json!({}))]});
    // The same id twice is itself an error; keep one of each kind instead.
    let fc_ok = json!({"type":"FeatureCollection","features":[app.get_json("/api/projects/chengyi-health-park").await.1, changed, feature("brand-new", point(121.1, 27.8), json!({}))]});
    let (s, dup) = import(&app, &t, "?dry_run=true", &fc).await;
    assert_eq!(s, 200);
    assert_eq!(dup["written"], false);
    assert_eq!(outcomes(&dup)[1], "rejected");
    let (s, r) = import(&app, &t, "?dry_run=true", &fc_ok).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(outcomes(&r), ["unchanged", "updated", "created"]);
    assert_eq!(r["written"], false);
    assert_eq!(app.get("/api/projects/brand-new").await.status(), 404);
    assert_eq!(app.version(ID).await, 1);
    let (_, r) = import(&app, &t, "", &fc_ok).await;
    assert_eq!(outcomes(&r), ["unchanged", "updated", "created"]);
    assert_eq!(r["written"], true);
    assert_eq!(app.version(ID).await, 2);
    assert_eq!(app.get("/api/projects/brand-new").await.status(), 200);
}

#[tokio::test]
async fn one_rejected_feature_means_nothing_is_written() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let t = app.user("planner1", Role::Planner).await;
    let (_, count_before) = app.get_json("/api/stats").await;
    let fc = json!({"type":"FeatureCollection","features":[
        feature("good-one", point(121.1, 27.8), json!({})),
        feature("bad-one", point(121.1, 27.8), json!({"status":"done"})),
        feature("swapped", point(27.8, 121.1), json!({})),
    ]});
    let (s, r) = import(&app, &t, "", &fc).await;
    assert_eq!(s, 200);
    assert_eq!(r["written"], false);
    assert_eq!(r["rejected"], 2);
    assert_eq!(outcomes(&r), ["valid", "rejected", "rejected"]);
    assert_eq!(r["items"][1]["errors"][0]["field"], "status");
    assert_eq!(app.get("/api/projects/good-one").await.status(), 404);
    let (_, count_after) = app.get_json("/api/stats").await;
    assert_eq!(count_before["count"], count_after["count"]);
    // create_only refuses existing ids in a dry run too, naming them.
    let (_, r) = import(
        &app,
        &t,
        "?dry_run=true&mode=create_only",
        &json!({"type":"FeatureCollection","features":[app.get_json(&format!("/api/projects/{ID}")).await.1]}),
    )
    .await;
    assert_eq!(outcomes(&r), ["rejected"]);
    assert!(r["items"][0]["errors"][0]["reason"].as_str().unwrap().contains("already exists"));
}

/// A planner copies a point from Amap (GCJ-02) or Baidu (BD-09); planmap stores WGS84.
#[tokio::test]
async fn gcj02_and_bd09_coordinates_are_stored_as_wgs84() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let t = app.user("planner1", Role::Planner).await;
    let wgs = (121.15, 27.84);
    let gcj = crs::wgs84_to_gcj02(wgs.0, wgs.1);
    let bd = crs::gcj02_to_bd09(gcj.0, gcj.1);
    for (name, query, (x, y)) in [("from-amap", "?crs=gcj02", gcj), ("from-baidu", "?crs=bd09", bd)] {
        let (s, r) = import(&app, &t, query, &json!({"type":"FeatureCollection","features":[feature(name, point(x, y), json!({}))]})).await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(r["written"], true, "{r}");
        let (_, f) = app.get_json(&format!("/api/projects/{name}")).await;
        let c = f["geometry"]["coordinates"].as_array().unwrap();
        // Stored with 7 decimals (about 1 cm).
        assert!((c[0].as_f64().unwrap() - wgs.0).abs() < 2e-7 && (c[1].as_f64().unwrap() - wgs.1).abs() < 2e-7, "{name}: {c:?}");
    }
    let (s, p) = import(&app, &t, "?crs=mercator", &json!({"type":"FeatureCollection","features":[]})).await;
    assert_eq!((s, p["parameter"].as_str()), (400, Some("crs")));
}

#[tokio::test]
async fn limits_answer_413_naming_the_limit() {
    let app = TestApp::spawn_with(Kind::Sqlite, |c| {
        c.edit.import_max_features = 3;
        c.edit.max_vertices = 50;
        c.max_body_bytes = 20_000;
    })
    .await
    .unwrap();
    let t = app.user("planner1", Role::Planner).await;
    let many: Vec<Value> = (0..4).map(|i| feature(&format!("many-{i}"), point(121.1, 27.8), json!({}))).collect();
    let (s, p) = import(&app, &t, "", &json!({"type":"FeatureCollection","features":many})).await;
    assert_eq!(s, 413);
    assert!(p["detail"].as_str().unwrap().contains("at most 3"), "{p}");
    let ring: Vec<Value> = (0..60).map(|i| json!([121.1 + 0.001 * f64::from(i % 30), 27.8 + if i < 30 { 0.0 } else { 0.01 }])).collect();
    let line = json!({"type":"LineString","coordinates":ring});
    let (s, p) = import(&app, &t, "", &json!({"type":"FeatureCollection","features":[feature("too-detailed", line.clone(), json!({}))]})).await;
    assert_eq!(s, 413);
    assert!(p["detail"].as_str().unwrap().contains("at most 50"), "{p}");
    let r = app.req(Method::POST, "/api/projects", Some(&t)).json(&feature("too-detailed", line, json!({}))).send().await.unwrap();
    assert_eq!(r.status(), 413);
    let big = json!({"type":"FeatureCollection","features":[feature("big-one", point(121.1, 27.8), json!({"description": "x".repeat(1500)}))], "padding": "y".repeat(30_000)});
    let (s, p) = import(&app, &t, "", &big).await;
    assert_eq!(s, 413);
    assert!(p["detail"].as_str().unwrap().contains("20000 bytes"), "{p}");
}
