//! Reading projects and statistics, and the two stores answering alike.

use crate::support::{Kind, TestApp};
use serde_json::Value;

fn ids(fc: &Value) -> Vec<String> {
    fc["features"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_owned()).collect()
}

async fn seeded_store_serves_every_seed_project(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else { return };
    let seed: Value = serde_json::from_str(include_str!("../../geodata/projects.geojson")).unwrap();
    let r = app.get("/api/projects").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/geo+json");
    let fc: Value = r.json().await.unwrap();
    assert_eq!(fc["type"], "FeatureCollection");
    let mut want: Vec<String> = seed["features"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_owned()).collect();
    want.sort();
    assert_eq!(ids(&fc), want);
    let one = &fc["features"][0];
    assert_eq!(one["properties"]["version"], 1);
    assert!(one["properties"]["islands"].is_array());
}

#[tokio::test]
async fn seeded_sqlite_serves_every_seed_project() {
    seeded_store_serves_every_seed_project(Kind::Sqlite).await;
}

#[tokio::test]
async fn seeded_postgis_serves_every_seed_project() {
    seeded_store_serves_every_seed_project(Kind::Postgis).await;
}

async fn the_list_pages_on_the_server(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else { return };
    let (_, all) = app.get_json("/api/projects").await;
    let all = ids(&all);
    assert!(all.len() > 20);
    // Pages of 7 walk the id-ordered list exactly once, and each says how many match in all.
    let mut walked = Vec::new();
    for offset in (0..all.len()).step_by(7) {
        let r = app.get(&format!("/api/projects?limit=7&offset={offset}")).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["x-total-count"], all.len().to_string().as_str());
        let fc: Value = r.json().await.unwrap();
        walked.extend(ids(&fc));
    }
    assert_eq!(walked, all);
    // The filter narrows the slice and the count alike.
    let (_, port) = app.get_json("/api/projects?kind=port").await;
    let r = app.get("/api/projects?kind=port&limit=2&offset=1").await;
    assert_eq!(r.headers()["x-total-count"], ids(&port).len().to_string().as_str());
    let fc: Value = r.json().await.unwrap();
    assert_eq!(ids(&fc), ids(&port)[1..3]);
    // Without limit/offset there is no count: the whole list streams.
    assert!(app.get("/api/projects").await.headers().get("x-total-count").is_none());
    for (q, param) in [("limit=0", "limit"), ("limit=10001", "limit"), ("limit=x", "limit"), ("offset=-1", "offset"), ("page=2", "page")] {
        let r = app.get(&format!("/api/projects?{q}")).await;
        assert_eq!(r.status(), 400, "{q}");
        assert_eq!(r.headers()["content-type"], "application/problem+json", "{q}");
        let p: Value = r.json().await.unwrap();
        assert!(p["detail"].as_str().unwrap().contains(&format!("`{param}`")), "{q}: {p}");
    }
}

#[tokio::test]
async fn the_list_pages_on_the_server_on_sqlite() {
    the_list_pages_on_the_server(Kind::Sqlite).await;
}

#[tokio::test]
async fn the_list_pages_on_the_server_on_postgis() {
    the_list_pages_on_the_server(Kind::Postgis).await;
}

#[tokio::test]
async fn stats_group_by_responsible_unit() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let (status, st) = app.get_json("/api/stats").await;
    assert_eq!(status, 200);
    let units = st["by_unit"].as_array().unwrap();
    assert!(units.len() > 3, "{units:?}");
    let (_, all) = app.get_json("/api/projects").await;
    // Each unit's count is the number of projects that name it.
    let unit = units[0]["key"].as_str().unwrap();
    let naming = all["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["responsible_units"].as_array().is_some_and(|u| u.iter().any(|x| x == unit)))
        .count();
    assert_eq!(units[0]["count"], naming, "{unit}");
}

/// The leadership figures are summed over the store a page at a time: with more projects than one
/// page holds, every project still counts once, on both stores, in `/api/stats` and per unit.
async fn figures_count_every_project_past_the_first_page(kind: Kind) {
    use planmap::store::{BatchMode, RevisionMeta};
    let Some(app) = TestApp::spawn_with(kind, |c| c.seed = false).await else { return };
    let n = planmap::service::export::PAGE as usize * 2 + 37;
    let items: Vec<_> = (0..n)
        .map(|i| {
            let extra = serde_json::json!({
                "status": if i % 2 == 0 { "under_construction" } else { "preparing" },
                "investment_total": 10, "investment_completed": 1,
                "planned_completion": if i % 5 == 0 { "2020-01-31" } else { "2099-12-31" },
                "responsible_units": [if i % 3 == 0 { "区交通运输局" } else { "区住建局" }],
            });
            crate::support::project(&format!("page-{i:05}"), crate::support::point(121.0 + i as f64 * 1e-5, 27.9), extra)
        })
        .collect();
    app.store.apply_batch(&items, BatchMode::CreateOnly, &RevisionMeta::by("test", None)).await.unwrap();
    let (status, st) = app.get_json("/api/stats").await;
    assert_eq!(status, 200, "{st}");
    let k = &st["kpis"];
    assert_eq!((st["count"].as_u64(), k["count"].as_u64()), (Some(n as u64), Some(n as u64)));
    assert_eq!(k["investment_total"]["projects"], n);
    assert_eq!(k["investment_total"]["value"], 10 * n);
    assert_eq!(k["under_construction"], n.div_ceil(2));
    let late = n.div_ceil(5);
    assert_eq!(k["late"], late);
    assert_eq!(k["late_ids"].as_array().unwrap().len(), late);
    assert_eq!(k["late_ids"][late - 1], format!("page-{:05}", (late - 1) * 5));
    let (status, units) = app.get_json("/api/stats/units").await;
    assert_eq!(status, 200, "{units}");
    assert_eq!(units["total"]["count"], n);
    let row = |key: &str| units["units"].as_array().unwrap().iter().find(|r| r["key"] == key).unwrap()["count"].clone();
    assert_eq!((row("区交通运输局"), row("区住建局")), (serde_json::json!(n.div_ceil(3)), serde_json::json!(n - n.div_ceil(3))));
    // A filter still narrows what is summed.
    let (_, some) = app.get_json("/api/stats?status=preparing").await;
    assert_eq!(some["kpis"]["count"], n / 2);
    // A box streamed over several pages: every project in it once, in id order, none outside.
    // On SQLite a box this small reads its continuation pages from the R*Tree's rid set, the
    // district-wide one walks the id index (`SqliteStore::walk_ids`).
    for (bbox, from, to) in [("120.99,27.89,121.02,27.91", 0, n), ("121.0029995,27.89,121.0090005,27.91", 300, 901), ("120.6,27.6,121.4,28.1", 0, n)] {
        let (status, fc) = app.get_json(&format!("/api/projects?bbox={bbox}")).await;
        assert_eq!(status, 200, "{fc}");
        let ids: Vec<&str> = fc["features"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
        let want: Vec<String> = (from..to).map(|i| format!("page-{i:05}")).collect();
        assert_eq!(ids, want.iter().map(String::as_str).collect::<Vec<_>>(), "bbox {bbox}");
        // The same through the page loop itself: with the ids listed (the answer above), with
        // too low a cap, so that the store declines and pages continue by keyset, and with none.
        for cap in [0, 100] {
            use futures::TryStreamExt;
            let filter = planmap::project::ProjectFilter { bbox: Some(bbox.parse().unwrap()), ..Default::default() };
            let pages: Vec<_> =
                planmap::service::export::project_pages_listing(app.store.clone(), filter, planmap::project::Page::ALL, cap).try_collect().await.unwrap();
            let got: Vec<String> = pages.iter().flatten().map(|p| p.id.as_str().to_owned()).collect();
            assert_eq!(got, want, "bbox {bbox}, at most {cap} ids listed");
        }
    }
}

#[tokio::test]
async fn figures_count_every_project_past_the_first_page_on_sqlite() {
    figures_count_every_project_past_the_first_page(Kind::Sqlite).await;
}

#[tokio::test]
async fn figures_count_every_project_past_the_first_page_on_postgis() {
    figures_count_every_project_past_the_first_page(Kind::Postgis).await;
}

#[tokio::test]
async fn one_project_is_a_feature_with_its_version_as_etag() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let r = app.get("/api/projects/zhuangyuanao-port-phase2").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "\"1\"");
    let f: Value = r.json().await.unwrap();
    assert_eq!(f["type"], "Feature");
    assert_eq!(f["properties"]["plan_ref"], "二(二)5");
    assert!(f["properties"]["islands"].as_array().unwrap().iter().any(|i| i == "状元岙岛"), "{}", f["properties"]["islands"]);
    let (status, h) = app.get_json("/api/projects/zhuangyuanao-port-phase2/history").await;
    assert_eq!(status, 200);
    assert_eq!(h[0]["author"], "seed");
}

#[tokio::test]
async fn filters_narrow_the_map_and_the_numbers_alike() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let (_, all) = app.get_json("/api/projects").await;
    let (_, port) = app.get_json("/api/projects?kind=port").await;
    let (_, stats) = app.get_json("/api/stats?kind=port").await;
    let n = port["features"].as_array().unwrap().len();
    assert!(n > 0 && n < all["features"].as_array().unwrap().len());
    assert_eq!(stats["count"], n);
    assert!(port["features"].as_array().unwrap().iter().all(|f| f["properties"]["kind"] == "port"));
    let (_, action2) = app.get_json("/api/projects?action=2&bbox=121.0,27.85,121.15,27.95").await;
    assert!(action2["features"].as_array().unwrap().iter().all(|f| f["properties"]["action"] == 2));
    assert!(ids(&action2).contains(&"zhuangyuanao-port-phase2".to_owned()));
}

/// The foundation's promise: the same binary on PostGIS answers exactly what it answers embedded.
#[tokio::test]
async fn both_stores_answer_identically() {
    let sqlite = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let Some(postgis) = TestApp::spawn(Kind::Postgis).await else { return };
    let queries = [
        "/api/projects",
        "/api/projects?bbox=121.05,27.80,121.20,27.90",
        "/api/projects?bbox=121.0,27.95,121.2,28.05&kind=port,energy",
        "/api/projects?status=under_construction,completed",
        "/api/projects?action=3&task=8",
        "/api/projects?town=北岙街道",
        "/api/projects?q=%E7%8E%AF%E5%B2%9B",
        "/api/projects?q=ROAD",
        "/api/stats",
        "/api/stats?action=1",
        "/api/stats?bbox=121.0,27.8,121.2,27.9",
        "/api/projects/zhuangyuanao-port-phase2",
    ];
    for q in queries {
        let (s1, a) = sqlite.get_json(q).await;
        let (s2, b) = postgis.get_json(q).await;
        assert_eq!(s1, 200, "{q}");
        assert_eq!(s2, 200, "{q}");
        let strip = |mut v: Value| {
            // updated_at is the moment each store was seeded; everything else must match.
            if let Some(fs) = v.get_mut("features").and_then(Value::as_array_mut) {
                for f in fs {
                    f["properties"]["updated_at"] = Value::Null;
                }
            } else if v.get("properties").is_some() {
                v["properties"]["updated_at"] = Value::Null;
            }
            v
        };
        assert_eq!(strip(a), strip(b), "{q}");
    }
}

#[tokio::test]
async fn basemap_meta_and_plan_data_are_served() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let (s, basemap) = app.get_json("/api/basemap").await;
    assert_eq!(s, 200);
    let layers: std::collections::BTreeSet<&str> = basemap["features"].as_array().unwrap().iter().filter_map(|f| f["properties"]["layer"].as_str()).collect();
    assert_eq!(layers.into_iter().collect::<Vec<_>>(), ["district", "island", "land2017"]);
    let (_, attribution) = app.get_json("/api/basemap/attribution").await;
    assert!(attribution.to_string().contains("GSHHG"));
    let (_, meta) = app.get_json("/api/meta").await;
    assert_eq!(meta["statuses"].as_array().unwrap().len(), 5);
    assert_eq!(meta["tasks"].as_array().unwrap().len(), 16);
    assert_eq!(meta["store"], "sqlite");
    // The district outline's extent (geodata/district.geojson), which the page opens fitted to.
    let b: Vec<f64> = meta["district_bbox"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let want = [120.829, 27.681, 121.269, 28.014];
    assert!(b.iter().zip(want).all(|(got, want)| (got - want).abs() < 1e-3), "district_bbox {b:?}, want ≈ {want:?}");
    let (_, targets) = app.get_json("/api/plan/targets").await;
    assert!(targets.to_string().contains("240"));
    let (s, ready) = app.get_json("/readyz").await;
    assert_eq!((s, ready["store"].as_str()), (200, Some("sqlite")));
}
