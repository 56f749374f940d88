//! Configured basemaps (issue 15): a local tile stub (XYZ, TMS, WMTS KVP, TileJSON, failing),
//! a PMTiles and an MBTiles file made here, served through `/basemap/{name}/{z}/{x}/{y}`.

use crate::support::{Kind, TestApp};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use planmap::basemap::Basemaps;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const KEY: &str = "stub-key-0123456789";

/// A PNG of one colour, different for every z/x/y so tiles can be told apart.
fn png(z: u32, x: u32, y: u32) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(8, 8, image::Rgb([(z * 20) as u8, (x % 256) as u8, (y % 256) as u8]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn png_response(z: u32, x: u32, y: u32) -> axum::response::Response {
    ([(header::CONTENT_TYPE, "image/png")], png(z, x, y)).into_response()
}

/// The stub: counts hits, serves XYZ and WMTS (checking the key), fails on `/fail`.
struct Stub {
    base: String,
    hits: Arc<AtomicUsize>,
}

async fn stub() -> Stub {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let app = Router::new()
        .route(
            "/xyz/{z}/{x}/{y}",
            get(|State(h): State<Arc<AtomicUsize>>, Path((z, x, y)): Path<(u32, u32, String)>| async move {
                h.fetch_add(1, Ordering::SeqCst);
                let y: u32 = y.trim_end_matches(".png").parse().unwrap();
                if z == 14 {
                    return StatusCode::NOT_FOUND.into_response();
                }
                png_response(z, x, y)
            }),
        )
        .route(
            "/wmts",
            get(|State(h): State<Arc<AtomicUsize>>, Query(q): Query<HashMap<String, String>>| async move {
                h.fetch_add(1, Ordering::SeqCst);
                let ok = q.get("tk").map(String::as_str) == Some(KEY)
                    && q.get("SERVICE").map(String::as_str) == Some("WMTS")
                    && q.get("LAYER").map(String::as_str) == Some("img");
                if !ok {
                    // 天地图 answers a bad key with XML and status 200.
                    return ([(header::CONTENT_TYPE, "text/xml")], "<ExceptionReport>bad key</ExceptionReport>").into_response();
                }
                let n = |k: &str| q.get(k).unwrap().parse::<u32>().unwrap();
                png_response(n("TILEMATRIX"), n("TILECOL"), n("TILEROW"))
            }),
        )
        .route("/fail/{z}/{x}/{y}", get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "upstream broke").into_response() }))
        .route(
            "/tiles.json",
            get(|| async {
                axum::Json(serde_json::json!({
                    "tilejson": "3.0.0", "tiles": ["xyz/{z}/{x}/{y}.png"], "minzoom": 2, "maxzoom": 12,
                    "attribution": "stub TileJSON", "bounds": [120.5, 27.5, 121.5, 28.2]
                }))
            }),
        )
        .with_state(h);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Stub { base, hits }
}

fn env(name: &str) -> Option<String> {
    (name == "STUB_TK").then(|| KEY.to_owned())
}

async fn app_with(kind: Kind, toml: &str, dir: &std::path::Path) -> Option<TestApp> {
    let basemaps = Basemaps::parse(toml, dir, &env).unwrap();
    TestApp::spawn_with(kind, |c| c.basemaps = basemaps).await
}

fn remote_config(stub: &Stub) -> String {
    let b = &stub.base;
    format!(
        r#"
[[basemap]]
name = "imagery"
title = "影像"
kind = "wmts"
url = "{b}/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=img&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk=${{STUB_TK}}"
attribution = "天地图 stub"
maxzoom = 18

[[basemap]]
name = "street"
kind = "xyz"
url = "{b}/xyz/{{z}}/{{x}}/{{y}}.png"
attribution = "stub XYZ"

[[basemap]]
name = "tms"
kind = "tms"
url = "{b}/xyz/{{z}}/{{x}}/{{y}}.png"
attribution = "stub TMS"

[[basemap]]
name = "broken"
kind = "xyz"
url = "{b}/fail/{{z}}/{{x}}/{{y}}"
attribution = "stub failing"

[[basemap]]
name = "badkey"
kind = "wmts"
url = "{b}/wmts?SERVICE=WMTS&LAYER=img&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk=wrong"
attribution = "stub"

[[basemap]]
name = "tj"
kind = "tilejson"
url = "{b}/tiles.json"
"#
    )
}

async fn bytes_of(app: &TestApp, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let r = app.get(path).await;
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn without_a_configuration_no_basemap_is_listed_on_either_store() {
    for kind in [Kind::Sqlite, Kind::Postgis] {
        let Some(app) = TestApp::spawn(kind).await else { continue };
        let (status, body) = app.get_json("/basemaps.json").await;
        assert_eq!(status, 200);
        assert_eq!(body["basemaps"], Value::Array(vec![]), "{kind:?}");
        let (status, body) = app.get_json("/basemap/imagery/1/0/0").await;
        assert_eq!(status, 404, "{body}");
    }
}

#[tokio::test]
async fn the_list_names_every_basemap_without_keys_or_upstream_urls() {
    let stub = stub().await;
    let dir = tempfile::tempdir().unwrap();
    let app = app_with(Kind::Sqlite, &remote_config(&stub), dir.path()).await.unwrap();
    let r = app.get("/basemaps.json").await;
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(!text.contains(KEY) && !text.contains(&stub.base) && !text.contains("wmts"), "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    let list = v["basemaps"].as_array().unwrap();
    let names: Vec<&str> = list.iter().map(|b| b["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["imagery", "street", "tms", "broken", "badkey", "tj"]);
    let first = &list[0];
    assert_eq!(first["title"], "影像");
    assert_eq!(first["type"], "raster");
    assert_eq!(first["tiles"], "basemap/imagery/{z}/{x}/{y}");
    assert_eq!(first["attribution"], "天地图 stub");
    assert_eq!(first["crs"], "wgs84");
    assert_eq!(first["offset"], false);
    assert_eq!(first["maxzoom"], 18);
    // The TileJSON source was read for its zooms, bounds and credit.
    let tj = &list[5];
    assert_eq!((tj["minzoom"].as_u64(), tj["maxzoom"].as_u64()), (Some(2), Some(12)));
    assert_eq!(tj["attribution"], "stub TileJSON");
    assert!(tj.get("unavailable").is_none(), "{tj}");
}

#[tokio::test]
async fn a_wmts_tile_is_fetched_with_the_servers_key_then_served_from_the_cache() {
    let stub = stub().await;
    let dir = tempfile::tempdir().unwrap();
    let app = app_with(Kind::Sqlite, &remote_config(&stub), dir.path()).await.unwrap();
    let (status, headers, body) = bytes_of(&app, "/basemap/imagery/12/3418/1712").await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(body, png(12, 3418, 1712), "TILEMATRIX/TILECOL/TILEROW must be z/x/y");
    assert_eq!(stub.hits.load(Ordering::SeqCst), 1);
    let etag = headers["etag"].to_str().unwrap().to_owned();
    assert!(headers["cache-control"].to_str().unwrap().contains("max-age"));

    let (status, _, again) = bytes_of(&app, "/basemap/imagery/12/3418/1712").await;
    assert_eq!((status, again), (200, body));
    assert_eq!(stub.hits.load(Ordering::SeqCst), 1, "the second request is answered from the cache");

    let r = app.client.get(app.url("/basemap/imagery/12/3418/1712")).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(r.status(), 304);
    assert_eq!(r.headers()["etag"].to_str().unwrap(), etag);
}

#[tokio::test]
async fn xyz_and_tms_sources_number_rows_as_their_scheme_says() {
    let stub = stub().await;
    let dir = tempfile::tempdir().unwrap();
    let app = app_with(Kind::Sqlite, &remote_config(&stub), dir.path()).await.unwrap();
    let (status, _, body) = bytes_of(&app, "/basemap/street/5/26/12").await;
    assert_eq!((status, body), (200, png(5, 26, 12)));
    // TMS counts rows from the bottom: row 12 of 32 is 19.
    let (status, _, body) = bytes_of(&app, "/basemap/tms/5/26/12").await;
    assert_eq!((status, body), (200, png(5, 26, 19)));
    // The stub has no tiles at zoom 14: a 404 upstream is a 404 here, not a failure.
    let (status, body) = app.get_json("/basemap/street/14/0/0").await;
    assert_eq!(status, 404, "{body}");
}

#[tokio::test]
async fn a_tilejson_source_is_followed_to_its_tiles_and_its_zoom_range() {
    let stub = stub().await;
    let dir = tempfile::tempdir().unwrap();
    let app = app_with(Kind::Sqlite, &remote_config(&stub), dir.path()).await.unwrap();
    let (status, _, body) = bytes_of(&app, "/basemap/tj/7/106/52").await;
    assert_eq!((status, body), (200, png(7, 106, 52)));
    let (status, body) = app.get_json("/basemap/tj/13/0/0").await;
    assert_eq!(status, 404, "above the TileJSON's maxzoom: {body}");
}

#[tokio::test]
async fn an_upstream_failure_is_a_502_problem_naming_the_basemap_and_not_the_url() {
    let stub = stub().await;
    let dir = tempfile::tempdir().unwrap();
    let app = app_with(Kind::Sqlite, &remote_config(&stub), dir.path()).await.unwrap();
    for (path, why) in [("/basemap/broken/3/6/3", "500"), ("/basemap/badkey/3/6/3", "text/xml")] {
        let r = app.get(path).await;
        assert_eq!(r.status(), 502, "{path}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let v: Value = r.json().await.unwrap();
        let detail = v["detail"].as_str().unwrap();
        assert!(detail.contains(why) && !detail.contains(&stub.base), "{detail}");
        assert_eq!(v["basemap"], path.split('/').nth(2).unwrap());
    }
    // A service that cannot be reached at all is a 502 too.
    let cfg = "[[basemap]]\nname='down'\nkind='xyz'\nurl='http://127.0.0.1:9/{z}/{x}/{y}'\nattribution='x'\n";
    let app = app_with(Kind::Sqlite, cfg, dir.path()).await.unwrap();
    let (status, v) = app.get_json("/basemap/down/1/1/1").await;
    assert_eq!(status, 502, "{v}");
}

#[tokio::test]
async fn bad_tile_addresses_are_client_errors() {
    let stub = stub().await;
    let dir = tempfile::tempdir().unwrap();
    let app = app_with(Kind::Sqlite, &remote_config(&stub), dir.path()).await.unwrap();
    let (status, v) = app.get_json("/basemap/street/a/0/0").await;
    assert_eq!((status, v["parameter"].as_str()), (400, Some("z")), "{v}");
    let (status, v) = app.get_json("/basemap/street/3/0/-1").await;
    assert_eq!((status, v["parameter"].as_str()), (400, Some("y")), "{v}");
    let (status, _) = app.get_json("/basemap/street/3/8/0").await;
    assert_eq!(status, 404, "x outside the 8×8 grid of zoom 3");
    let (status, _) = app.get_json("/basemap/street/19/0/0").await;
    assert_eq!(status, 404, "above maxzoom 18");
    let (status, v) = app.get_json("/basemap/nope/1/0/0").await;
    assert_eq!(status, 404);
    assert!(v["detail"].as_str().unwrap().contains("nope"));
    assert_eq!(stub.hits.load(Ordering::SeqCst), 0, "none of these reached the upstream");
}

#[tokio::test]
async fn a_pmtiles_file_made_here_is_served_with_its_own_zooms() {
    use pmtiles::{PmTilesWriter, TileCoord, TileType};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("offline.pmtiles");
    let file = std::fs::File::create(&path).unwrap();
    let mut w = PmTilesWriter::new(TileType::Png)
        .min_zoom(10)
        .max_zoom(11)
        .bounds(120.9, 27.8, 121.2, 28.0)
        .metadata(r#"{"attribution": "洞头影像 2024"}"#)
        .create(file)
        .unwrap();
    for (z, x, y) in [(10, 856, 428), (11, 1712, 856), (11, 1713, 856)] {
        w.add_tile(TileCoord::new(z, x, y).unwrap(), &png(u32::from(z), x, y)).unwrap();
    }
    w.finalize().unwrap();
    let cfg = "[[basemap]]\nname = \"offline-imagery\"\nkind = \"pmtiles\"\npath = \"offline.pmtiles\"\n";
    let app = app_with(Kind::Sqlite, cfg, dir.path()).await.unwrap();

    let (_, v) = app.get_json("/basemaps.json").await;
    let b = &v["basemaps"][0];
    assert_eq!((b["type"].as_str(), b["minzoom"].as_u64(), b["maxzoom"].as_u64()), (Some("raster"), Some(10), Some(11)), "{b}");
    assert_eq!(b["attribution"], "洞头影像 2024", "the archive's own credit when the entry gives none");
    let (status, headers, body) = bytes_of(&app, "/basemap/offline-imagery/11/1713/856").await;
    assert_eq!((status, body), (200, png(11, 1713, 856)));
    assert_eq!(headers["content-type"], "image/png");
    let (status, _) = app.get_json("/basemap/offline-imagery/11/1714/856").await;
    assert_eq!(status, 404, "a tile the archive does not hold");
}

#[tokio::test]
async fn an_mbtiles_file_made_here_is_served_with_its_rows_flipped() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("city.mbtiles");
    let mut c = sqlx::SqliteConnection::connect(&format!("sqlite:{}?mode=rwc", path.display())).await.unwrap();
    for sql in [
        "create table metadata (name text, value text)",
        "create table tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob)",
        "insert into metadata values ('format', 'png'), ('minzoom', '3'), ('maxzoom', '6'), ('attribution', '市局影像'), ('bounds', '120.5,27.5,121.5,28.2')",
    ] {
        sqlx::query(sql).execute(&mut c).await.unwrap();
    }
    // MBTiles rows count from the bottom: XYZ row 12 at zoom 5 is stored as row 19.
    sqlx::query("insert into tiles values (5, 26, 19, $1)").bind(png(5, 26, 12)).execute(&mut c).await.unwrap();
    c.close().await.unwrap();
    let cfg = "[[basemap]]\nname = \"city\"\nkind = \"mbtiles\"\npath = \"city.mbtiles\"\nattribution = \"温州市\"\n";
    let app = app_with(Kind::Sqlite, cfg, dir.path()).await.unwrap();
    let (status, headers, body) = bytes_of(&app, "/basemap/city/5/26/12").await;
    assert_eq!((status, body), (200, png(5, 26, 12)));
    assert_eq!(headers["content-type"], "image/png");
    let (_, v) = app.get_json("/basemaps.json").await;
    let b = &v["basemaps"][0];
    assert_eq!((b["minzoom"].as_u64(), b["maxzoom"].as_u64()), (Some(3), Some(6)));
    assert_eq!(b["attribution"], "温州市", "the entry's credit wins over the file's");
    assert_eq!(b["bounds"], serde_json::json!([120.5, 27.5, 121.5, 28.2]));
}

#[tokio::test]
async fn a_gcj02_source_is_refused_unless_acknowledged_and_then_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = "[[basemap]]\nname='amap'\nkind='xyz'\nurl='http://127.0.0.1:9/{z}/{x}/{y}'\nattribution='高德'\ncrs='gcj02'\n";
    let err = Basemaps::parse(cfg, dir.path(), &env).unwrap_err().to_string();
    assert!(err.contains("\"amap\"") && err.contains("`crs`") && err.contains("offset_ack"), "{err}");
    let app = app_with(Kind::Sqlite, &format!("{cfg}offset_ack = true\n"), dir.path()).await.unwrap();
    let (_, v) = app.get_json("/basemaps.json").await;
    let b = &v["basemaps"][0];
    assert_eq!((b["crs"].as_str(), b["offset"].as_bool()), (Some("gcj02"), Some(true)));
}

#[tokio::test]
async fn with_signed_in_reads_the_tiles_need_a_user() {
    let stub = stub().await;
    let dir = tempfile::tempdir().unwrap();
    let basemaps = Basemaps::parse(&remote_config(&stub), dir.path(), &env).unwrap();
    let app = TestApp::spawn_with(Kind::Sqlite, |c| {
        c.basemaps = basemaps;
        c.edit.read_access = planmap::config::ReadAccess::SignedIn;
    })
    .await
    .unwrap();
    let (status, _) = app.get_json("/basemap/street/5/26/12").await;
    assert_eq!(status, 401);
    assert_eq!(stub.hits.load(Ordering::SeqCst), 0, "an anonymous caller cannot spend the key");
    let token = app.user("viewer1", planmap::auth::Role::Viewer).await;
    let r = app.req(reqwest::Method::GET, "/basemap/street/5/26/12", Some(&token)).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_vector_pmtiles_is_listed_with_its_layers_and_served_gzip_encoded() {
    use pmtiles::{PmTilesWriter, TileCoord, TileType};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vector.pmtiles");
    let file = std::fs::File::create(&path).unwrap();
    let mut w = PmTilesWriter::new(TileType::Mvt)
        .min_zoom(0)
        .max_zoom(14)
        .metadata(r#"{"vector_layers": [{"id": "roads", "fields": {}}, {"id": "buildings", "fields": {}}], "attribution": "OSM"}"#)
        .create(file)
        .unwrap();
    // Not a real MVT: the server passes the bytes through as stored, which is what is checked.
    let body = b"not-really-mvt-but-bytes".to_vec();
    w.add_tile(TileCoord::new(5, 26, 12).unwrap(), &body).unwrap();
    w.finalize().unwrap();
    let cfg = "[[basemap]]\nname = \"vector\"\nkind = \"pmtiles\"\npath = \"vector.pmtiles\"\n";
    let app = app_with(Kind::Sqlite, cfg, dir.path()).await.unwrap();
    let (_, v) = app.get_json("/basemaps.json").await;
    let b = &v["basemaps"][0];
    assert_eq!(b["type"], "vector");
    let ids: Vec<&str> = b["vector_layers"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["roads", "buildings"]);
    // The test client does not decompress: the bytes arrive as stored, gzip, and say so.
    let (status, headers, bytes) = bytes_of(&app, "/basemap/vector/5/26/12").await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/vnd.mapbox-vector-tile");
    assert_eq!(headers["content-encoding"], "gzip");
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes.as_slice()), &mut plain).unwrap();
    assert_eq!(plain, body);
}
