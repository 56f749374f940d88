//! Exports: every format opens in GDAL with every feature, correct Chinese text and the CRS;
//! GeoJSON and GeoPackage round trips are lossless.

use crate::support::{run, Kind, TestApp, TestDb};
use planmap::formats::{self, ExportFormat};
use planmap::project::{Page, ProjectFilter, Rules};
use planmap::service::import::{self, Limits};
use planmap::store::{BatchMode, RevisionMeta, Store};

async fn download(app: &TestApp, query: &str) -> (String, String, Vec<u8>) {
    let r = app.get(&format!("/api/export?{query}")).await;
    assert_eq!(r.status(), 200, "{query}");
    let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
    let cd = r.headers()["content-disposition"].to_str().unwrap().to_owned();
    (ct, cd, r.bytes().await.unwrap().to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_export_format_opens_in_gdal_with_every_feature_and_chinese_text() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let today = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap()).date_naive().to_string();
    for (format, ext) in [("geojson", "geojson"), ("csv", "csv"), ("gpkg", "gpkg"), ("kml", "kml"), ("shp", "shp.zip"), ("fgb", "fgb")] {
        let (_, cd, bytes) = download(&app, &format!("format={format}")).await;
        let name = format!("planmap-projects-{today}.{ext}");
        assert_eq!(cd, format!("attachment; filename=\"{name}\""));
        let path = dir.path().join(&name);
        std::fs::write(&path, &bytes).unwrap();
        let src = if format == "shp" { format!("/vsizip/{}", path.display()) } else { path.display().to_string() };
        let all = run("ogrinfo", &["-ro", "-al", &src]).await;
        let features = all.matches("OGRFeature(").count();
        assert_eq!(features, 46, "{format}: {features} features");
        assert!(all.contains("浙江（华东）深远海风电母港"), "{format}: Chinese name intact");
        assert!(all.contains("区投资促进服务中心"), "{format}: list attribute travels");
        assert!(all.contains("under_construction"), "{format}: attributes travel");
        // GDAL prints dates it recognises as 2024/12/26, text as written.
        assert!(all.contains("2024-12-26") || all.contains("2024/12/26"), "{format}: dates travel");
        for geom in ["POINT", "LINESTRING", "POLYGON"] {
            assert!(all.contains(geom), "{format}: {geom}");
        }
        if format != "csv" {
            // Every format but CSV declares WGS 84 (EPSG:4326 / CRS84).
            assert!(all.contains("WGS 84") || all.contains("WGS_1984"), "{format}: CRS\n{}", &all[..all.len().min(3000)]);
        }
        if format == "shp" {
            for layer in ["projects_point", "projects_line", "projects_polygon"] {
                assert!(all.contains(&format!("Layer name: {layer}")), "{layer}");
            }
            assert!(all.contains("inv_total"), "10-character field names");
        }
    }
}

#[tokio::test]
async fn csv_has_a_bom_a_wkt_column_and_lon_lat_for_points() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let (ct, _, bytes) = download(&app, "format=csv&kind=school").await;
    assert_eq!(ct, "text/csv; charset=utf-8");
    assert!(bytes.starts_with("\u{feff}id,name_zh,".as_bytes()));
    let text = String::from_utf8(bytes).unwrap();
    let header = text.lines().next().unwrap();
    assert!(header.ends_with("WKT,lon,lat"));
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert!(!rows.is_empty());
    for r in rows {
        assert!(r.contains(",kind,") || r.contains(",school,"), "{r}");
        if r.contains("POINT(") {
            assert!(r.contains(",121.") && r.contains(",27."), "{r}");
        }
    }
}

#[tokio::test]
async fn exports_take_the_same_filters_as_the_api_and_a_selection_of_ids() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let (_, _, bytes) = download(&app, "format=geojson&ids=bailu-bay,menghuan-bay").await;
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let ids: Vec<&str> = v["features"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["bailu-bay", "menghuan-bay"]);
    let (_, _, bytes) = download(&app, "format=geojson&filter=kind%20%3D%20%27port%27").await;
    let api: serde_json::Value = app.get("/api/projects?kind=port").await.json().await.unwrap();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["features"], api["features"]);
    let r = app.get("/api/export?format=dwg").await;
    assert_eq!(r.status(), 400);
    let p: serde_json::Value = r.json().await.unwrap();
    assert_eq!(p["parameter"], "format");
    assert!(p["detail"].as_str().unwrap().contains("gpkg"));
}

/// What a backup must preserve: id, geometry, every field and the derived islands.
async fn snapshot(s: &dyn Store) -> Vec<(String, String, serde_json::Value, Vec<String>)> {
    s.list(&ProjectFilter::default(), Page::ALL)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.id.to_string(), p.geometry.as_str().to_owned(), serde_json::to_value(&p.props).unwrap(), p.islands.clone()))
        .collect()
}

async fn round_trip(format: ExportFormat, kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("backup.{}", format.extension()));
    let mut file = std::fs::File::create(&path).unwrap();
    planmap::service::export::export_to(app.store.clone(), ProjectFilter::default(), format, &mut file).await.unwrap();
    drop(file);
    let value = match format {
        ExportFormat::Gpkg => formats::read_gpkg(&path).await.unwrap(),
        _ => serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap(),
    };
    let Some(db) = TestDb::new(kind).await else { return };
    let empty = db.store().await.unwrap();
    let geodata = planmap::geodata::Geodata::load(None).unwrap();
    let rules = Rules { islands: std::sync::Arc::new(geodata.islands), ..Rules::default() };
    let report =
        import::run(empty.as_ref(), &value, &rules, Limits::default(), BatchMode::CreateOnly, false, &RevisionMeta::by("restore", None)).await.unwrap();
    assert!(report.written, "{:?}", report.items.iter().find(|i| !i.errors.is_empty()));
    let (before, after) = (snapshot(app.store.as_ref()).await, snapshot(empty.as_ref()).await);
    assert_eq!(before.len(), 46);
    assert_eq!(after, before, "{format} round trip");
}

#[tokio::test]
async fn the_geojson_round_trip_is_lossless() {
    round_trip(ExportFormat::GeoJson, Kind::Sqlite).await;
}

#[tokio::test]
async fn the_geopackage_round_trip_is_lossless() {
    round_trip(ExportFormat::Gpkg, Kind::Sqlite).await;
}

#[tokio::test]
async fn the_geopackage_round_trip_is_lossless_on_postgis() {
    round_trip(ExportFormat::Gpkg, Kind::Postgis).await;
}

fn cli(args: &[&str]) -> Vec<u8> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_planmap")).args(args).env_remove("DATABASE_URL").output().unwrap();
    assert!(out.status.success(), "planmap {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// Features without the properties a write sets (version, updated_at).
fn comparable(geojson: &[u8]) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_slice(geojson).unwrap();
    v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let mut f = f.clone();
            let props = f["properties"].as_object_mut().unwrap();
            props.remove("version");
            props.remove("updated_at");
            f
        })
        .collect()
}

#[test]
fn the_cli_backs_up_to_a_geopackage_and_restores_it_identically() {
    let dir = tempfile::tempdir().unwrap();
    let a = format!("sqlite:{}", dir.path().join("a.db").display());
    let b = format!("sqlite:{}", dir.path().join("b.db").display());
    let seed = concat!(env!("CARGO_MANIFEST_DIR"), "/geodata/projects.geojson");
    cli(&["import", seed, "--database-url", &a]);
    let backup = dir.path().join("backup.gpkg");
    let backup = backup.to_str().unwrap();
    cli(&["export", "--format", "gpkg", "-o", backup, "--database-url", &a]);
    cli(&["import", backup, "--database-url", &b]);
    let before = cli(&["export", "--database-url", &a]);
    let after = cli(&["export", "--format", "geojson", "--database-url", &b]);
    assert_eq!(comparable(&after), comparable(&before));
    assert_eq!(comparable(&before).len(), 46);
    let csv = cli(&["export", "-f", "csv", "--filter", "kind = 'school'", "--database-url", &a]);
    let text = String::from_utf8(csv).unwrap();
    assert!(text.starts_with('\u{feff}'));
    assert!(text.lines().skip(1).all(|l| l.contains(",school,")), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_exports_complete_when_the_browser_asks_for_gzip() {
    // Browsers send Accept-Encoding: gzip; the compression layer then polls the streamed body
    // once more after its end, which must not cut the download short.
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    for format in ["geojson", "csv", "kml"] {
        let r = app.client.get(app.url(&format!("/api/export?format={format}"))).header("accept-encoding", "gzip").send().await.unwrap();
        assert_eq!(r.status(), 200, "{format}");
        assert_eq!(r.headers()["content-encoding"], "gzip", "{format}");
        let body = r.bytes().await;
        assert!(body.is_ok(), "{format}: the compressed download was cut short: {body:?}");
        let body = body.unwrap();
        assert!(body.len() > 1000 && body.starts_with(&[0x1f, 0x8b]), "{format}: {} bytes", body.len());
    }
}
