//! OGC API – Features Part 4 on `/ogcapi/collections/projects/items`: what QGIS needs to edit
//! (Allow on OPTIONS, POST → 201 + Location, writes without If-Match), on the editing API's
//! roles, validation and history.

use crate::support::{feature, point, Kind, TestApp};
use planmap::auth::Role;
use reqwest::Method;
use serde_json::{json, Value};

const ID: &str = "zhuangyuanao-port-phase2";
const ITEMS: &str = "/ogcapi/collections/projects/items";

fn allow(r: &reqwest::Response) -> Vec<String> {
    let mut m: Vec<String> = r.headers()["allow"].to_str().unwrap().split(',').map(|s| s.trim().to_owned()).collect();
    m.sort();
    m
}

async fn history(app: &TestApp, id: &str) -> Vec<Value> {
    let (s, h) = app.get_json(&format!("/api/projects/{id}/history")).await;
    assert_eq!(s, 200, "{h}");
    h.as_array().unwrap().clone()
}

#[tokio::test]
async fn options_lists_the_methods_the_resource_supports() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let viewer = app.user("viewer1", Role::Viewer).await;
    let planner = app.user("planner1", Role::Planner).await;
    let item = format!("{ITEMS}/{ID}");
    // `Allow` is the resource's (RFC 9110, and what the OpenAPI document lists), whoever asks;
    // who may write is answered by the write itself (401/403).
    for (who, token) in [("anonymous", None), ("viewer", Some(viewer.as_str())), ("planner", Some(planner.as_str()))] {
        let r = app.req(Method::OPTIONS, ITEMS, token).send().await.unwrap();
        // The Part 4 draft: 200, and the body types of the writes.
        assert_eq!(r.status(), 200, "{who}");
        let header = |r: &reqwest::Response, name: &str| r.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(header(&r, "accept-post").as_deref(), Some("application/json, application/geo+json"), "{who} items");
        assert_eq!(allow(&r), ["GET", "HEAD", "OPTIONS", "POST"], "{who} items");
        let r = app.req(Method::OPTIONS, &item, token).send().await.unwrap();
        assert_eq!(r.status(), 200, "{who}");
        assert_eq!(header(&r, "accept-patch").as_deref(), Some("application/merge-patch+json, application/json"), "{who} item");
        assert_eq!(allow(&r), ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "PUT"], "{who} item");
    }
    // Islands stay read-only, even for a planner.
    let r = app.req(Method::OPTIONS, "/ogcapi/collections/islands/items", Some(&planner)).send().await.unwrap();
    assert_eq!(allow(&r), ["GET", "HEAD", "OPTIONS"]);
    let r = app
        .req(Method::POST, "/ogcapi/collections/islands/items", Some(&planner))
        .json(&feature("new-island", point(121.1, 27.8), json!({})))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(allow(&r), ["GET", "HEAD", "OPTIONS"]);
    let r = app.req(Method::DELETE, "/ogcapi/collections/islands/items/1", Some(&planner)).send().await.unwrap();
    assert_eq!(r.status(), 405);
    // The conformance classes and the OpenAPI document announce the writes.
    let (_, c) = app.get_json("/ogcapi/conformance?f=json").await;
    let classes: Vec<&str> = c["conformsTo"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    for class in ["create-replace-delete", "update", "features"] {
        assert!(classes.contains(&format!("http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/{class}").as_str()), "{class}");
    }
    let (_, doc) = app.get_json("/ogcapi/api").await;
    assert_eq!(doc["paths"]["/collections/projects/items"]["post"]["operationId"], "createFeature");
    for m in ["put", "patch", "delete"] {
        assert!(doc["paths"]["/collections/projects/items/{featureId}"][m].is_object(), "{m}");
        assert!(doc["paths"]["/collections/islands/items/{featureId}"].get(m).is_none(), "{m}");
    }
}

#[tokio::test]
async fn viewers_and_anonymous_callers_cannot_write() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let viewer = app.user("viewer1", Role::Viewer).await;
    let item = format!("{ITEMS}/{ID}");
    for (token, want) in [(None, 401), (Some(viewer.as_str()), 403)] {
        let r = app.req(Method::POST, ITEMS, token).json(&feature("not-allowed", point(121.1, 27.8), json!({}))).send().await.unwrap();
        assert_eq!(r.status(), want);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let r = app.req(Method::PATCH, &item, token).json(&json!({"properties":{"status":"suspended"}})).send().await.unwrap();
        assert_eq!(r.status(), want);
        let f = app.get_json(&format!("/api/projects/{ID}")).await.1;
        let r = app.req(Method::PUT, &item, token).json(&f).send().await.unwrap();
        assert_eq!(r.status(), want);
        let r = app.req(Method::DELETE, &item, token).send().await.unwrap();
        assert_eq!(r.status(), want);
    }
    assert_eq!(history(&app, ID).await.len(), 1);
    assert_eq!(app.get("/api/projects/not-allowed").await.status(), 404);
}

async fn qgis_style_editing(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else { return };
    let t = app.user("planner1", Role::Planner).await;

    // POST with an id in the body: 201, Location, readable there, one revision by the author.
    let r = app.req(Method::POST, ITEMS, Some(&t)).json(&feature("qgis-new-pier", point(121.12, 27.84), json!({}))).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(loc, app.url(&format!("{ITEMS}/qgis-new-pier")));
    assert_eq!(r.headers()["etag"], "\"1\"");
    let r = app.client.get(&loc).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "\"1\"");
    let f: Value = r.json().await.unwrap();
    assert_eq!(f["id"], "qgis-new-pier");
    assert_eq!(f["geometry"]["coordinates"], json!([121.12, 27.84]));
    let h = history(&app, "qgis-new-pier").await;
    assert_eq!(h.len(), 1);
    assert_eq!(h[0]["author"], "planner1");

    // QGIS sends no id: one is generated, and Location names it.
    let mut anon = feature("x", point(121.13, 27.85), json!({}));
    anon.as_object_mut().unwrap().remove("id");
    let r = app.req(Method::POST, ITEMS, Some(&t)).json(&anon).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    let new_id = loc.rsplit('/').next().unwrap().to_owned();
    assert!(new_id.starts_with("p-") && new_id.len() == 14, "{new_id}");
    assert_eq!(app.client.get(&loc).send().await.unwrap().status(), 200);
    // An id that is no slug is a 422 naming `id`; a taken one is 409.
    let r = app.req(Method::POST, ITEMS, Some(&t)).json(&feature("Not A Slug", point(121.13, 27.85), json!({}))).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "id", "{p}");
    let r = app.req(Method::POST, ITEMS, Some(&t)).json(&feature(ID, point(121.13, 27.85), json!({}))).send().await.unwrap();
    assert_eq!(r.status(), 409);

    // PUT and PATCH without If-Match: accepted, each one more revision.
    let item = format!("{ITEMS}/{ID}");
    let mut f = app.get_json(&format!("/api/projects/{ID}")).await.1;
    f["properties"]["progress_pct"] = json!(55);
    let r = app.req(Method::PUT, &item, Some(&t)).json(&f).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(r.headers()["etag"], "\"2\"");
    let r = app
        .req(Method::PATCH, &item, Some(&t))
        .header("content-type", "application/merge-patch+json")
        .body(json!({"properties":{"status":"suspended"}}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(r.headers()["etag"], "\"3\"");
    let (_, now) = app.get_json(&format!("/api/projects/{ID}")).await;
    assert_eq!((now["properties"]["progress_pct"].as_f64(), now["properties"]["status"].as_str()), (Some(55.0), Some("suspended")));
    let h = history(&app, ID).await;
    assert_eq!(h.len(), 3);
    assert!(h[1..].iter().all(|r| r["author"] == "planner1"));

    // A stale If-Match is refused with the current version; a fresh one goes through.
    for (m, body) in [(Method::PUT, f.clone()), (Method::PATCH, json!({"properties":{"progress_pct":60}}))] {
        let r = app.req(m.clone(), &item, Some(&t)).header("if-match", "\"1\"").json(&body).send().await.unwrap();
        assert_eq!(r.status(), 412, "{m}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["current_version"], 3, "{p}");
    }
    let r = app.req(Method::DELETE, &item, Some(&t)).header("if-match", "\"2\"").send().await.unwrap();
    assert_eq!(r.status(), 412);
    let r = app.req(Method::PATCH, &item, Some(&t)).header("if-match", "\"3\"").json(&json!({"properties":{"progress_pct":60}})).send().await.unwrap();
    assert_eq!(r.status(), 204);

    // Geometry in Web Mercator via Content-Crs is stored as lon/lat.
    let r = app
        .req(Method::PATCH, &item, Some(&t))
        .header("content-crs", "<http://www.opengis.net/def/crs/EPSG/0/3857>")
        .json(&json!({"geometry":{"type":"Point","coordinates":[13_481_903.5, 3_226_298.8]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let (_, now) = app.get_json(&format!("/api/projects/{ID}")).await;
    let c = &now["geometry"]["coordinates"];
    assert!((c[0].as_f64().unwrap() - 121.11).abs() < 1e-5 && (c[1].as_f64().unwrap() - 27.82).abs() < 1e-5, "{c}");

    // Invalid geometry: 422 with per-field errors, nothing written.
    let bowtie = json!({"type":"Polygon","coordinates":[[[121.1,27.8],[121.2,27.9],[121.2,27.8],[121.1,27.9],[121.1,27.8]]]});
    let r = app.req(Method::PATCH, &item, Some(&t)).json(&json!({"geometry": bowtie, "properties": {"progress_pct": 140}})).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    let mut fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    fields.sort();
    assert_eq!(fields, ["geometry", "progress_pct"], "{p}");
    let r = app.req(Method::POST, ITEMS, Some(&t)).json(&feature("bow-tie", bowtie, json!({}))).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(history(&app, ID).await.len(), 5);

    // DELETE archives: gone from the map and the OGC items, history kept.
    let r = app.req(Method::DELETE, &item, Some(&t)).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(app.get(&item).await.status(), 404);
    assert_eq!(app.get(&format!("/api/projects/{ID}")).await.status(), 404);
    let h = history(&app, ID).await;
    assert_eq!(h.len(), 6);
    assert_eq!(h[5]["archived"], true);
    assert_eq!(h[5]["author"], "planner1");
    let r = app.req(Method::DELETE, &item, Some(&t)).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn qgis_style_editing_on_sqlite() {
    qgis_style_editing(Kind::Sqlite).await;
}

#[tokio::test]
async fn qgis_style_editing_on_postgis() {
    qgis_style_editing(Kind::Postgis).await;
}
