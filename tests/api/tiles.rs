//! Vector tiles on both stores: contents decoded from the MVT (features and attributes, not just
//! status codes), filters, clustering, ETag/304, exact invalidation after writes, and a second
//! instance on one PostGIS that never serves a tile older than a write made through the first.

use crate::support::{feature, point, Kind, TestApp};
use geozero::mvt::{tile, Message, Tile};
use planmap::auth::Role;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// One decoded feature: geometry type, first point in tile units, attributes.
#[derive(Debug, Clone)]
struct Feat {
    kind: i32,
    first: (i64, i64),
    props: BTreeMap<String, Value>,
}

fn decode(bytes: &[u8]) -> Vec<Feat> {
    let t = Tile::decode(bytes).expect("an MVT");
    assert_eq!(t.layers.len(), 1, "one layer");
    let l = &t.layers[0];
    assert_eq!(l.name, "projects");
    assert_eq!(l.extent, Some(4096));
    l.features
        .iter()
        .map(|f| {
            let mut props = BTreeMap::new();
            for kv in f.tags.chunks(2) {
                let v: &tile::Value = &l.values[kv[1] as usize];
                let value = if let Some(s) = &v.string_value {
                    json!(s)
                } else if let Some(d) = v.double_value {
                    json!(d)
                } else if let Some(d) = v.float_value {
                    json!(d)
                } else if let Some(i) = v.int_value {
                    json!(i)
                } else if let Some(u) = v.uint_value {
                    json!(u)
                } else if let Some(i) = v.sint_value {
                    json!(i)
                } else {
                    json!(v.bool_value)
                };
                props.insert(l.keys[kv[0] as usize].clone(), value);
            }
            // First MoveTo: zigzag-encoded x, y.
            let zz = |n: u32| i64::from((n >> 1) as i32 ^ -((n & 1) as i32));
            Feat { kind: f.r#type.unwrap_or(0), first: (zz(f.geometry[1]), zz(f.geometry[2])), props }
        })
        .collect()
}

/// The tile (x, y) holding a lon/lat at zoom z, and the point's position in tile units.
fn tile_of(lon: f64, lat: f64, z: u32) -> (u32, u32, (f64, f64)) {
    let n = f64::from(1u32 << z);
    let fx = (lon + 180.0) / 360.0 * n;
    let lat_r = lat.to_radians();
    let fy = (1.0 - (lat_r.tan() + 1.0 / lat_r.cos()).ln() / std::f64::consts::PI) / 2.0 * n;
    (fx as u32, fy as u32, ((fx - fx.floor()) * 4096.0, (fy - fy.floor()) * 4096.0))
}

struct Fetched {
    status: u16,
    etag: String,
    cache: String,
    features: Vec<Feat>,
}

async fn fetch(app: &TestApp, path: &str) -> Fetched {
    let r = app.get(path).await;
    let status = r.status().as_u16();
    let etag = r.headers().get("etag").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    let cache = r.headers().get("x-cache").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    if status == 200 {
        assert_eq!(r.headers()["content-type"], "application/vnd.mapbox-vector-tile", "{path}");
        assert_eq!(r.headers()["cache-control"], "no-cache", "{path}");
    }
    let body = r.bytes().await.unwrap();
    let features = if status == 200 { decode(&body) } else { Vec::new() };
    Fetched { status, etag, cache, features }
}

/// Fetches until the tile is stored (a render that overlaps an eviction is not stored, and on
/// PostGIS the announcement of the set-up write may land during the first render), then checks
/// the next fetch is a hit with the same validator.
async fn cached(app: &TestApp, path: &str) -> Fetched {
    for _ in 0..50 {
        let t = fetch(app, path).await;
        if t.cache == "miss" {
            let again = fetch(app, path).await;
            assert_eq!((again.cache.as_str(), &again.etag), ("hit", &t.etag), "{path}");
            return t;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("{path} was never stored");
}

fn xyz(lon: f64, lat: f64, z: u32) -> String {
    let (x, y, _) = tile_of(lon, lat, z);
    format!("/tiles/projects/{z}/{x}/{y}.mvt")
}

fn ids(f: &Fetched) -> Vec<String> {
    f.features.iter().filter_map(|f| f.props.get("id").and_then(Value::as_str).map(str::to_owned)).collect()
}

// Empty sea inside the region's box, away from every seeded project.
const A: (f64, f64) = (121.401, 28.121);
const B: (f64, f64) = (121.421, 28.131);

async fn contents_filters_and_clusters(kind: Kind) {
    // Tiles of more than two projects cluster, so that a few probes show both sides.
    let Some(app) = TestApp::spawn_with(kind, |c| c.tile_cluster_over = 2).await else { return };
    let planner = app.user("planner1", Role::Planner).await;
    let post = |id: &str, lon: f64, lat: f64, extra: Value| app.req(Method::POST, "/api/projects", Some(&planner)).json(&feature(id, point(lon, lat), extra));
    let r = post(
        "tile-probe-one",
        A.0,
        A.1,
        json!({"status":"completed","action":2,"investment_total":"1234.5","name_en":"Probe","planned_completion":"2026-06-30"}),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 201);

    // z14: the point with the attributes the map draws, at the right place in the tile.
    let t = fetch(&app, &xyz(A.0, A.1, 14)).await;
    assert_eq!(t.status, 200);
    assert_eq!(ids(&t), ["tile-probe-one"]);
    let f = &t.features[0];
    assert_eq!(f.kind, 1, "a point");
    let (_, _, (px, py)) = tile_of(A.0, A.1, 14);
    assert!((f.first.0 as f64 - px).abs() <= 1.0 && (f.first.1 as f64 - py).abs() <= 1.0, "{:?} vs {px},{py}", f.first);
    assert_eq!(f.props["status"], "completed");
    assert_eq!(f.props["kind"], "other");
    assert_eq!(f.props["name_zh"], "测试项目 tile-probe-one");
    assert_eq!(f.props["name_en"], "Probe");
    assert_eq!(f.props["action"], 2);
    assert_eq!(f.props["investment_total"], 1234.5);
    assert_eq!(f.props["planned_completion"], "2026-06-30");
    assert!(!f.props.contains_key("town") && !f.props.contains_key("description"), "absent or undrawn fields stay out: {:?}", f.props);

    // Alone in its cell at clustering zooms, it carries the same attributes (read separately
    // there, for the projects drawn on their own).
    for z in [10, 12, 13] {
        let t = fetch(&app, &xyz(A.0, A.1, z)).await;
        let alone = t.features.iter().find(|g| g.props.get("id").is_some_and(|v| v == "tile-probe-one"));
        assert_eq!(alone.map(|g| &g.props), Some(&f.props), "z{z}: {:?}", t.features);
    }

    // The same filters as /api/projects.
    assert_eq!(ids(&fetch(&app, &format!("{}?status=completed", xyz(A.0, A.1, 14))).await), ["tile-probe-one"]);
    assert_eq!(fetch(&app, &format!("{}?status=planned", xyz(A.0, A.1, 14))).await.status, 204);
    assert_eq!(ids(&fetch(&app, &format!("{}?filter=action%3D2", xyz(A.0, A.1, 14))).await), ["tile-probe-one"]);
    assert_eq!(fetch(&app, &format!("{}?bbox=120.6,27.6,120.7,27.7", xyz(A.0, A.1, 14))).await.status, 204);
    let r = app.get(&format!("{}?status=finished", xyz(A.0, A.1, 14))).await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    assert_eq!(r.json::<Value>().await.unwrap()["parameter"], "status");
    // Bad addresses.
    let (status, body) = app.get_json("/tiles/projects/23/0/0.mvt").await;
    assert_eq!((status, body["parameter"].as_str()), (404, Some("zoom")));
    let (status, body) = app.get_json("/tiles/projects/3/8/0.mvt").await;
    assert_eq!((status, body["parameter"].as_str()), (404, Some("column")));
    let (status, body) = app.get_json("/tiles/projects/3/x/0.mvt").await;
    assert_eq!((status, body["parameter"].as_str()), (400, Some("column")));
    assert_eq!(app.get("/tiles/projects/3/1/0.png").await.status(), 404);

    // Points a metre apart (the probes are alone in their z10 tile, east of every seeded
    // project): two are drawn on their own in a tile of at most two projects; with a third, the
    // tile clusters them into one point below zoom 14, while zoom 14 draws three features.
    let r = post("tile-probe-two", A.0 + 0.00001, A.1, json!({})).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let sparse = fetch(&app, &xyz(A.0, A.1, 10)).await;
    let mut drawn = ids(&sparse);
    drawn.sort();
    assert_eq!(drawn, ["tile-probe-one", "tile-probe-two"], "{:?}", sparse.features);
    assert!(sparse.features.iter().all(|f| !f.props.contains_key("point_count")), "{:?}", sparse.features);
    let r = post("tile-probe-three", A.0, A.1 + 0.00001, json!({})).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let low = fetch(&app, &xyz(A.0, A.1, 10)).await;
    let clusters: Vec<&Feat> = low.features.iter().filter(|f| f.props.contains_key("point_count")).collect();
    assert_eq!(clusters.len(), 1, "{:?}", low.features);
    assert_eq!(clusters[0].props["point_count"], 3);
    assert_eq!(clusters[0].props["cluster"], true);
    assert!(!clusters[0].props.contains_key("id"));
    assert!(ids(&low).is_empty(), "{:?}", low.features);
    let mut high = ids(&fetch(&app, &xyz(A.0, A.1, 14)).await);
    high.sort();
    assert_eq!(high, ["tile-probe-one", "tile-probe-three", "tile-probe-two"]);

    // A seeded polygon is drawn as a polygon at zoom 14, clipped into the buffered tile.
    let seeded = app.get_json("/api/projects/zhuangyuanao-port-phase2").await.1;
    let c = seeded["geometry"]["coordinates"].clone();
    let first = if seeded["geometry"]["type"] == "Point" { c.clone() } else { c[0][0].clone() };
    let (lon, lat) = (first[0].as_f64().unwrap(), first[1].as_f64().unwrap());
    let t = fetch(&app, &xyz(lon, lat, 15)).await;
    assert!(ids(&t).contains(&"zhuangyuanao-port-phase2".to_owned()), "{:?}", ids(&t));
    for f in &t.features {
        assert!((-64..=4160).contains(&f.first.0) && (-64..=4160).contains(&f.first.1), "clipped to the buffer: {:?}", f.first);
    }
}

#[tokio::test]
async fn tiles_carry_the_projects_filters_and_clusters_on_sqlite() {
    contents_filters_and_clusters(Kind::Sqlite).await;
}

#[tokio::test]
async fn tiles_carry_the_projects_filters_and_clusters_on_postgis() {
    contents_filters_and_clusters(Kind::Postgis).await;
}

/// `island=` (the page's island filter, which on tiles must be the server's): the list, its
/// count, the figures, an as-of read and the tiles all select the projects touching the island.
async fn the_island_filter(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else { return };
    let (_, all) = app.get_json("/api/projects").await;
    let touching = |island: &str| -> Vec<&Value> {
        all["features"].as_array().unwrap().iter().filter(|f| f["properties"]["islands"].as_array().unwrap().iter().any(|i| i == island)).collect()
    };
    let ids_of = |fc: &Value| -> Vec<String> { fc["features"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_owned()).collect() };
    let (island, other) = ("状元岙岛", "鹿西岛");
    let want: Vec<String> = touching(island).iter().map(|f| f["id"].as_str().unwrap().to_owned()).collect();
    let either: usize =
        all["features"].as_array().unwrap().iter().filter(|f| f["properties"]["islands"].as_array().unwrap().iter().any(|i| i == island || i == other)).count();
    assert!(!want.is_empty() && want.len() < either && either < all["features"].as_array().unwrap().len(), "{} / {either}", want.len());
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let (status, got) = app.get_json(&format!("/api/projects?island={}", enc(island))).await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(ids_of(&got), want);
    let (_, both) = app.get_json(&format!("/api/projects?island={}", enc(&format!("{island},{other}")))).await;
    assert_eq!(ids_of(&both).len(), either, "a list matches any of its islands");
    let r = app.get(&format!("/api/projects?island={}&limit=2", enc(island))).await;
    assert_eq!(r.headers()["x-total-count"], want.len().to_string().as_str());
    let (_, stats) = app.get_json(&format!("/api/stats?island={}", enc(island))).await;
    assert_eq!((stats["count"].as_u64(), stats["kpis"]["count"].as_u64()), (Some(want.len() as u64), Some(want.len() as u64)));
    // As of now (read from the revisions) the same projects; to the millisecond, as the seed was
    // written within the last second.
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ");
    let (_, then) = app.get_json(&format!("/api/projects?island={}&as_of={now}", enc(island))).await;
    assert_eq!(ids_of(&then), want);
    let (_, none) = app.get_json(&format!("/api/projects?island={}", enc("无此岛"))).await;
    assert_eq!(ids_of(&none).len(), 0, "an island no project touches selects nothing");
    let (status, bad) = app.get_json(&format!("/api/projects?island={}", "x".repeat(41))).await;
    assert_eq!((status, bad["parameter"].as_str()), (400, Some("island")), "{bad}");
    // The tile of a project on the island has it with `island=`, not with another island.
    let f = touching(island).into_iter().find(|f| !f["properties"]["islands"].as_array().unwrap().iter().any(|i| i == other)).unwrap();
    let g = &f["geometry"];
    let first = match g["type"].as_str().unwrap() {
        "Point" => &g["coordinates"],
        "LineString" | "MultiPoint" => &g["coordinates"][0],
        "Polygon" | "MultiLineString" => &g["coordinates"][0][0],
        _ => &g["coordinates"][0][0][0],
    };
    let tile = xyz(first[0].as_f64().unwrap(), first[1].as_f64().unwrap(), 14);
    let id = f["id"].as_str().unwrap().to_owned();
    assert!(ids(&fetch(&app, &format!("{tile}?island={}", enc(island))).await).contains(&id), "{id} in {tile}");
    assert!(!ids(&fetch(&app, &format!("{tile}?island={}", enc(other))).await).contains(&id), "{id} not under {other}");
}

#[tokio::test]
async fn the_island_filter_on_sqlite() {
    the_island_filter(Kind::Sqlite).await;
}

#[tokio::test]
async fn the_island_filter_on_postgis() {
    the_island_filter(Kind::Postgis).await;
}

/// Moves a point from A to B over HTTP and checks exactly which cached tiles were re-drawn.
async fn exact_invalidation(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else { return };
    let planner = app.user("planner1", Role::Planner).await;
    let f = feature("tile-mover", point(A.0, A.1), json!({"status":"planned"}));
    assert_eq!(app.req(Method::POST, "/api/projects", Some(&planner)).json(&f).send().await.unwrap().status(), 201);
    let old14 = xyz(A.0, A.1, 14);
    let new14 = xyz(B.0, B.1, 14);
    assert_ne!(old14, new14);
    let both10 = xyz(A.0, A.1, 10);
    assert_eq!(both10, xyz(B.0, B.1, 10));
    let seeded = xyz(121.15, 27.85, 12);
    let far_filtered = format!("{}?status=completed", xyz(121.15, 27.85, 12));
    let all = [&old14, &new14, &both10, &seeded, &far_filtered];
    let mut before = Vec::new();
    for p in all {
        before.push(cached(&app, p).await);
    }
    assert_eq!(ids(&before[0]), ["tile-mover"]);
    assert_eq!(before[1].status, 204);
    // 304 for the same validator.
    let r = app.client.get(app.url(&old14)).header("if-none-match", &before[0].etag).send().await.unwrap();
    assert_eq!(r.status(), 304);
    assert_eq!(r.headers()["etag"].to_str().unwrap(), before[0].etag);

    // Move A → B.
    let mut moved = f.clone();
    moved["geometry"] = point(B.0, B.1);
    let r = app.req(Method::PUT, "/api/projects/tile-mover", Some(&planner)).header("if-match", "\"1\"").json(&moved).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let after_old = fetch(&app, &old14).await;
    assert_eq!((after_old.status, after_old.cache.as_str()), (204, "miss"), "the old place is re-drawn, empty");
    let after_new = fetch(&app, &new14).await;
    assert_eq!(after_new.cache, "miss");
    assert_eq!(ids(&after_new), ["tile-mover"]);
    let after_both = fetch(&app, &both10).await;
    assert_eq!(after_both.cache, "miss");
    for (i, p) in [(3, &seeded), (4, &far_filtered)] {
        let t = fetch(&app, p).await;
        assert_eq!((t.cache.as_str(), &t.etag), ("hit", &before[i].etag), "untouched tile {p} stays cached");
    }
    // The old validator no longer matches.
    let r = app.client.get(app.url(&old14)).header("if-none-match", &before[0].etag).send().await.unwrap();
    assert_eq!(r.status(), 204);

    // An attribute-only change re-draws the tiles the geometry is in, with the new value.
    let r = app
        .req(Method::PATCH, "/api/projects/tile-mover", Some(&planner))
        .header("if-match", "\"2\"")
        .json(&json!({"properties":{"status":"completed","planned_completion":"2027-03-31"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let t = fetch(&app, &new14).await;
    assert_eq!(t.cache, "miss");
    assert_eq!(t.features[0].props["status"], "completed");
    // Kept in a column of its own beside `props` (migrations 0012 / 0014), rewritten with it.
    assert_eq!(t.features[0].props["planned_completion"], "2027-03-31");
    assert_eq!(fetch(&app, &seeded).await.cache, "hit");

    // Archiving takes it off the map.
    let r = app.req(Method::DELETE, "/api/projects/tile-mover", Some(&planner)).header("if-match", "\"3\"").send().await.unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(fetch(&app, &new14).await.status, 204);

    // A write straight to the store (the command line, another process) is caught too.
    let p = crate::support::project("tile-direct", point(B.0, B.1), json!({}));
    app.store.create(&p, &planmap::store::RevisionMeta::by("import", None)).await.unwrap();
    let t = fetch(&app, &new14).await;
    assert_eq!(ids(&t), ["tile-direct"], "the next fetch already shows it");
    assert_eq!(fetch(&app, &seeded).await.cache, "hit");
}

#[tokio::test]
async fn a_write_evicts_exactly_the_tiles_it_touches_on_sqlite() {
    exact_invalidation(Kind::Sqlite).await;
}

#[tokio::test]
async fn a_write_evicts_exactly_the_tiles_it_touches_on_postgis() {
    exact_invalidation(Kind::Postgis).await;
}

#[tokio::test]
async fn a_second_instance_never_serves_a_tile_older_than_a_write_through_the_first() {
    let Some(a) = TestApp::spawn(Kind::Postgis).await else { return };
    let url = a.db_url();
    let b = TestApp::spawn_with(Kind::Postgis, move |c| c.database_url = url).await.unwrap();
    let planner = a.user("planner1", Role::Planner).await;
    let f = feature("tile-shared", point(A.0, A.1), json!({"status":"planned"}));
    assert_eq!(a.req(Method::POST, "/api/projects", Some(&planner)).json(&f).send().await.unwrap().status(), 201);
    let here = xyz(A.0, A.1, 13);
    cached(&b, &here).await;
    for (version, status) in [(1, "completed"), (2, "under_construction"), (3, "planned"), (4, "completed")] {
        let r = a
            .req(Method::PATCH, "/api/projects/tile-shared", Some(&planner))
            .header("if-match", format!("\"{version}\""))
            .json(&json!({"properties":{"status":status}}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        // Immediately, on the other instance.
        let t = fetch(&b, &here).await;
        assert_eq!(t.features.iter().find(|f| f.props.get("id") == Some(&json!("tile-shared"))).map(|f| f.props["status"].clone()), Some(json!(status)));
        assert_ne!(t.cache, "hit");
        let again = fetch(&b, &here).await;
        assert_eq!(again.etag, t.etag);
    }
}

#[tokio::test]
async fn tilejson_and_ogc_tiles_describe_and_serve_the_same_tiles() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let (status, tj) = app.get_json("/tiles/projects.json?status=completed,planned").await;
    assert_eq!(status, 200);
    assert_eq!(tj["tilejson"], "3.0.0");
    assert_eq!(tj["vector_layers"][0]["id"], "projects");
    let url = tj["tiles"][0].as_str().unwrap();
    assert!(url.ends_with("/tiles/projects/{z}/{x}/{y}.mvt?status=completed%2Cplanned"), "{url}");
    assert_eq!(app.get_json("/tiles/projects.json?town=nowhere").await.0, 400);

    let (_, conf) = app.get_json("/ogcapi/conformance").await;
    for class in ["ogcapi-tiles-1/1.0/conf/core", "ogcapi-tiles-1/1.0/conf/tileset", "ogcapi-tiles-1/1.0/conf/mvt", "tms/2.0/conf/tilematrixset"] {
        assert!(conf["conformsTo"].as_array().unwrap().iter().any(|c| c.as_str().unwrap().ends_with(class)), "{class}");
    }
    let (_, coll) = app.get_json("/ogcapi/collections/projects").await;
    let rel = coll["links"].as_array().unwrap().iter().find(|l| l["rel"] == "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector").unwrap();
    assert_eq!(rel["href"], app.url("/ogcapi/collections/projects/tiles"));
    let (_, islands) = app.get_json("/ogcapi/collections/islands").await;
    assert!(!islands["links"].as_array().unwrap().iter().any(|l| l["rel"] == "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"));
    let (status, sets) = app.get_json("/ogcapi/collections/projects/tiles").await;
    assert_eq!(status, 200);
    assert_eq!(sets["tilesets"][0]["tileMatrixSetURI"], "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad");
    let (status, ts) = app.get_json("/ogcapi/collections/projects/tiles/WebMercatorQuad").await;
    assert_eq!(status, 200);
    assert_eq!(ts["dataType"], "vector");
    // Each attribute is described by a JSON Schema, as OGC API – Tiles' tileset schema requires.
    let props = &ts["layers"][0]["propertiesSchema"]["properties"];
    assert_eq!(props["point_count"]["type"], "integer");
    assert!(props.as_object().unwrap().values().all(|p| p["type"].is_string()), "{props}");
    assert_eq!(tj["vector_layers"][0]["fields"]["investment_total"], "Number: total investment, 万元");
    let item = ts["links"].as_array().unwrap().iter().find(|l| l["rel"] == "item").unwrap();
    assert!(item["href"].as_str().unwrap().ends_with("/collections/projects/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}"));
    assert_eq!(item["type"], "application/vnd.mapbox-vector-tile");
    let (status, tms) = app.get_json("/ogcapi/tileMatrixSets/WebMercatorQuad").await;
    assert_eq!(status, 200);
    assert_eq!(tms["tileMatrices"][0]["matrixWidth"], 1);
    assert_eq!(tms["tileMatrices"][14]["matrixWidth"], 16384);
    assert_eq!(app.get_json("/ogcapi/collections/projects/tiles/WorldCRS84Quad").await.0, 404);

    // {tileMatrix}/{tileRow}/{tileCol} is z/y/x: the same bytes as the XYZ route.
    let (x, y, _) = tile_of(121.15, 27.85, 11);
    let xyz_tile = fetch(&app, &format!("/tiles/projects/11/{x}/{y}.mvt")).await;
    let ogc_tile = fetch(&app, &format!("/ogcapi/collections/projects/tiles/WebMercatorQuad/11/{y}/{x}")).await;
    assert_eq!(xyz_tile.status, 200);
    assert!(!xyz_tile.features.is_empty());
    assert_eq!(xyz_tile.etag, ogc_tile.etag);
    let (status, body) = app.get_json("/ogcapi/collections/projects/tiles/WebMercatorQuad/11/abc/0").await;
    assert_eq!((status, body["parameter"].as_str()), (400, Some("tileRow")));
    // gzip when asked for.
    let r = app.client.get(app.url(&format!("/tiles/projects/11/{x}/{y}.mvt"))).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
}

/// The embedded encoder and PostGIS's statement follow one set of rules: every tile over the
/// seed's projects, at every zoom the page asks for, holds the same projects and the same
/// clusters on both stores (now and as of an instant, which PostGIS reads from the revisions),
/// with tiles on both sides of the clustering threshold.
#[tokio::test]
async fn both_stores_cut_the_same_tiles() {
    const OVER: u32 = 4;
    let Some(lite) = TestApp::spawn_with(Kind::Sqlite, |c| c.tile_cluster_over = OVER).await else { return };
    let Some(pg) = TestApp::spawn_with(Kind::Postgis, |c| c.tile_cluster_over = OVER).await else { return };
    let (_, all) = lite.get_json("/api/projects").await;
    let mut paths = std::collections::BTreeSet::new();
    for f in all["features"].as_array().unwrap() {
        let mut c = &f["geometry"]["coordinates"];
        while c[0].is_array() {
            c = &c[0];
        }
        for z in [8, 10, 12, 13, 14, 16] {
            paths.insert(xyz(c[0].as_f64().unwrap(), c[1].as_f64().unwrap(), z));
        }
    }
    let now = chrono::Utc::now() + chrono::Duration::seconds(1);
    let as_of = format!("?as_of={}", now.format("%Y-%m-%dT%H:%M:%SZ"));
    let summary = |t: &Fetched| {
        let mut ids = ids(t);
        ids.sort();
        let mut counts: Vec<i64> = t.features.iter().filter_map(|f| f.props.get("point_count").and_then(Value::as_i64)).collect();
        counts.sort();
        (ids, counts)
    };
    // Clusters seen, and tiles at clustering zooms that hold more than one project but no more
    // than the threshold (so every project is drawn).
    let (mut clustered, mut sparse) = (0, 0);
    for p in &paths {
        for q in ["", as_of.as_str()] {
            let path = format!("{p}{q}");
            let (a, b) = (fetch(&lite, &path).await, fetch(&pg, &path).await);
            assert_eq!(a.status, b.status, "{path}");
            let (sa, sb) = (summary(&a), summary(&b));
            assert_eq!(sa, sb, "{path}: SQLite vs PostGIS");
            clustered += sa.1.len();
            let z: u32 = path.split('/').nth(3).and_then(|z| z.parse().ok()).unwrap();
            if z < 14 && sa.1.is_empty() && (2..=OVER as usize).contains(&sa.0.len()) {
                sparse += 1;
            }
        }
    }
    assert!(paths.len() > 50 && clustered > 0 && sparse > 0, "{} tiles, {clustered} clusters, {sparse} sparse", paths.len());
}
