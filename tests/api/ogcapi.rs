//! OGC API – Features: what GDAL, QGIS and OWSLib require (shared/design/ogc-clients.md), and
//! GDAL's OAPIF driver as the judge.

use crate::support::{run, Kind, TestApp};
use serde_json::Value;

const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
const EPSG4490: &str = "http://www.opengis.net/def/crs/EPSG/0/4490";
const EPSG4326: &str = "http://www.opengis.net/def/crs/EPSG/0/4326";
const EPSG3857: &str = "http://www.opengis.net/def/crs/EPSG/0/3857";

fn links<'a>(v: &'a Value, rel: &str) -> Vec<&'a Value> {
    v["links"].as_array().unwrap().iter().filter(|l| l["rel"] == rel).collect()
}

async fn get_with(app: &TestApp, path: &str, accept: &str) -> (u16, String, Option<String>, String) {
    let r = app.client.get(app.url(path)).header("accept", accept).send().await.unwrap();
    let status = r.status().as_u16();
    let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    let crs = r.headers().get("content-crs").map(|v| v.to_str().unwrap().to_owned());
    (status, ct, crs, r.text().await.unwrap())
}

#[tokio::test]
async fn the_landing_page_links_service_desc_conformance_and_data_with_the_types_clients_want() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    for path in ["/ogcapi", "/ogcapi/"] {
        let (status, ct, _, body) = get_with(&app, path, "application/json").await;
        assert_eq!((status, ct.as_str()), (200, "application/json"), "{path}");
        let v: Value = serde_json::from_str(&body).unwrap();
        let desc = links(&v, "service-desc");
        assert_eq!(desc[0]["type"], "application/vnd.oai.openapi+json;version=3.0");
        assert_eq!(desc[0]["href"], app.url("/ogcapi/api"));
        assert_eq!(links(&v, "data")[0]["type"], "application/json");
        assert_eq!(links(&v, "data")[0]["href"], app.url("/ogcapi/collections"));
        assert_eq!(links(&v, "conformance")[0]["href"], app.url("/ogcapi/conformance"));
    }
    let (_, ct, _, body) = get_with(&app, "/ogcapi/conformance", "application/json").await;
    assert_eq!(ct, "application/json");
    let v: Value = serde_json::from_str(&body).unwrap();
    let classes: Vec<&str> = v["conformsTo"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    for needed in [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-operators",
    ] {
        assert!(classes.contains(&needed), "{needed}");
    }
}

#[tokio::test]
async fn the_openapi_document_validates_and_declares_limit_and_every_items_parameter() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let (status, ct, _, body) = get_with(&app, "/ogcapi/api", "*/*").await;
    assert_eq!((status, ct.as_str()), (200, "application/vnd.oai.openapi+json;version=3.0"));
    let doc: openapiv3::OpenAPI = serde_json::from_str(&body).expect("a valid OpenAPI 3.0 document");
    assert!(doc.openapi.starts_with("3.0"));
    let v: Value = serde_json::from_str(&body).unwrap();
    // QGIS and GDAL read the collection's own items path (or the generic one); GDAL follows the
    // $ref from it.
    let limit = &v["components"]["parameters"]["limit"]["schema"];
    assert_eq!((limit["default"].as_u64(), limit["maximum"].as_u64()), (Some(10), Some(10_000)));
    let params = v["paths"]["/collections/projects/items"]["get"]["parameters"].as_array().unwrap();
    let refs: Vec<&str> = params.iter().map(|p| p["$ref"].as_str().unwrap()).collect();
    assert!(refs.contains(&"#/components/parameters/limit"));
    // Every parameter the server accepts is declared (an undeclared one would be a 400 to clients).
    for name in [
        "limit",
        "offset",
        "bbox",
        "bbox-crs",
        "crs",
        "datetime",
        "filter",
        "filter-lang",
        "filter-crs",
        "f",
        "status",
        "kind",
        "town",
        "action",
        "task",
        "ids",
        "q",
    ] {
        assert!(refs.contains(&format!("#/components/parameters/{name}").as_str()), "{name}");
        let p = &v["components"]["parameters"][name];
        assert_eq!((p["in"].as_str(), p["style"].as_str(), p["explode"].as_bool()), (Some("query"), Some("form"), Some(false)), "{name}");
        assert!(p["schema"]["type"].is_string(), "{name}");
        // Declared parameters are understood: a bad value is a 400 naming it, never "unknown parameter".
        let (st, _, _, text) = get_with(&app, &format!("/ogcapi/collections/projects/items?{name}=@@bad@@"), "application/json").await;
        assert!(st == 200 || !text.contains("is not a known parameter"), "{name}: {text}");
    }
    assert!(v["info"]["contact"].is_object());
}

#[tokio::test]
async fn collections_carry_item_type_extents_crs_storage_crs_and_item_count() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let (status, ct, _, body) = get_with(&app, "/ogcapi/collections", "application/json").await;
    assert_eq!((status, ct.as_str()), (200, "application/json"));
    let v: Value = serde_json::from_str(&body).unwrap();
    let cols = v["collections"].as_array().unwrap();
    assert_eq!(cols.iter().map(|c| c["id"].as_str().unwrap()).collect::<Vec<_>>(), ["projects", "islands"]);
    let p = &cols[0];
    assert_eq!(p["itemType"], "feature");
    assert_eq!(p["itemCount"], 44);
    assert_eq!(p["storageCrs"], CRS84);
    assert_eq!(p["extent"]["spatial"]["crs"], CRS84);
    let bbox: Vec<f64> = p["extent"]["spatial"]["bbox"][0].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
    assert!(bbox[0] > 120.8 && bbox[2] < 121.3 && bbox[1] > 27.7 && bbox[3] < 28.1, "{bbox:?}");
    assert!(p["extent"]["temporal"]["interval"][0][0].as_str().unwrap().starts_with("20"));
    let crs: Vec<&str> = p["crs"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert_eq!(crs, [CRS84, EPSG4326, EPSG4490, EPSG3857]);
    let items = links(p, "items");
    assert!(items.iter().any(|l| l["type"] == "application/geo+json" && l["href"] == app.url("/ogcapi/collections/projects/items")));
    assert!(cols[1]["itemCount"].as_u64().unwrap() > 100);
    let (status, _, _, body) = get_with(&app, "/ogcapi/collections/projects", "application/json").await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["id"], "projects");
    let (status, ct, _, body) = get_with(&app, "/ogcapi/collections/projects/queryables", "application/json").await;
    assert_eq!((status, ct.as_str()), (200, "application/schema+json"));
    let q: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(q["properties"]["start_date"]["format"], "date");
    assert_eq!(q["properties"]["action"]["type"], "integer");
    assert_eq!(get_with(&app, "/ogcapi/collections/nothing", "application/json").await.0, 404);
}

async fn walk(app: &TestApp, first: &str) -> (Vec<String>, u64) {
    let mut url = app.url(first);
    let mut seen = Vec::new();
    let mut matched = None;
    loop {
        let r = app.client.get(&url).header("accept", "application/geo+json, application/json").send().await.unwrap();
        assert_eq!(r.status(), 200, "{url}");
        assert_eq!(r.headers()["content-type"], "application/geo+json");
        let v: Value = r.json().await.unwrap();
        let n = v["numberMatched"].as_u64().unwrap();
        assert_eq!(*matched.get_or_insert(n), n);
        let feats = v["features"].as_array().unwrap();
        assert_eq!(v["numberReturned"].as_u64().unwrap(), feats.len() as u64);
        assert!(v["timeStamp"].is_string());
        assert_eq!(links(&v, "collection").len(), 1);
        seen.extend(feats.iter().map(|f| f["id"].to_string().trim_matches('"').to_owned()));
        match links(&v, "next").first() {
            Some(l) => {
                assert_eq!(l["type"], "application/geo+json");
                url = l["href"].as_str().unwrap().to_owned();
            }
            None => break,
        }
    }
    (seen, matched.unwrap_or(0))
}

async fn pages_walk_every_item_exactly_once(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else { return };
    let (all, matched) = walk(&app, "/ogcapi/collections/projects/items?limit=1000").await;
    assert_eq!((all.len(), matched), (44, 44));
    let (paged, matched) = walk(&app, "/ogcapi/collections/projects/items?limit=7").await;
    assert_eq!(matched, 44);
    assert_eq!(paged, all, "limit=7 pages in order, no item twice or missed");
    // Default limit is 10; a filtered walk pages the filtered set.
    let (_, _, _, body) = get_with(&app, "/ogcapi/collections/projects/items", "application/geo+json").await;
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["numberReturned"], 10);
    let (filtered, m) = walk(&app, "/ogcapi/collections/projects/items?limit=3&filter=kind%20%3D%20%27port%27%20OR%20kind%20%3D%20%27road%27").await;
    assert_eq!(filtered.len() as u64, m);
    assert!(m > 3);
    // OWSLib pages by offset; prev links go back.
    let (_, _, _, body) = get_with(&app, "/ogcapi/collections/projects/items?limit=5&offset=5", "application/json").await;
    let v: Value = serde_json::from_str(&body).unwrap();
    let ids: Vec<String> = v["features"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids, all[5..10]);
    assert!(links(&v, "prev")[0]["href"].as_str().unwrap().contains("offset=0"));
    let (islands, m) = walk(&app, "/ogcapi/collections/islands/items?limit=50").await;
    assert_eq!(islands.len() as u64, m);
    assert_eq!(islands.first().map(String::as_str), Some("1"));
}

#[tokio::test]
async fn pages_walk_every_item_exactly_once_on_sqlite() {
    pages_walk_every_item_exactly_once(Kind::Sqlite).await;
}

#[tokio::test]
async fn pages_walk_every_item_exactly_once_on_postgis() {
    pages_walk_every_item_exactly_once(Kind::Postgis).await;
}

#[tokio::test]
async fn limit_one_reports_number_matched_and_oversized_limits_are_lowered() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let (_, _, _, body) = get_with(&app, "/ogcapi/collections/projects/items?limit=1", "application/geo+json, application/json").await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!((v["numberMatched"].as_u64(), v["numberReturned"].as_u64()), (Some(44), Some(1)));
    let (status, _, _, body) = get_with(&app, "/ogcapi/collections/projects/items?limit=50000", "application/json").await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["numberReturned"], 44);
    for bad in ["limit=0", "limit=x", "offset=-1", "colour=red", "crs=EPSG:2000", "bbox=1,2,3", "f=xml", "filter-lang=cql-json"] {
        let (status, ct, _, _) = get_with(&app, &format!("/ogcapi/collections/projects/items?{bad}"), "application/json").await;
        assert_eq!((status, ct.as_str()), (400, "application/problem+json"), "{bad}");
    }
}

#[tokio::test]
async fn latitude_first_crss_are_served_latitude_first_with_content_crs() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let (_, _, crs, _) = get_with(&app, "/ogcapi/collections/projects/items", "application/geo+json").await;
    assert_eq!(crs.as_deref(), Some(format!("<{CRS84}>").as_str()));
    latitude_first_on_any_point(&app).await;
}

async fn latitude_first_on_any_point(app: &TestApp) {
    let (_, _, _, body) = get_with(app, "/ogcapi/collections/projects/items?limit=100", "application/geo+json").await;
    let v: Value = serde_json::from_str(&body).unwrap();
    let f = v["features"].as_array().unwrap().iter().find(|f| f["geometry"]["type"] == "Point").unwrap().clone();
    let id = f["id"].as_str().unwrap();
    let lon = f["geometry"]["coordinates"][0].as_f64().unwrap();
    let lat = f["geometry"]["coordinates"][1].as_f64().unwrap();
    assert!((120.5..121.5).contains(&lon) && (27.5..28.2).contains(&lat));
    for crs in [EPSG4490, EPSG4326] {
        let (status, _, content_crs, body) = get_with(app, &format!("/ogcapi/collections/projects/items/{id}?crs={crs}"), "application/geo+json").await;
        assert_eq!(status, 200);
        assert_eq!(content_crs.as_deref(), Some(format!("<{crs}>").as_str()));
        let g: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(g["geometry"]["coordinates"], serde_json::json!([lat, lon]), "{crs} is latitude first");
        assert!(links(&g, "collection").len() == 1 && links(&g, "self").len() == 1);
    }
    let (_, _, content_crs, body) = get_with(app, &format!("/ogcapi/collections/projects/items/{id}?crs={EPSG3857}"), "application/geo+json").await;
    assert_eq!(content_crs.as_deref(), Some(format!("<{EPSG3857}>").as_str()));
    let g: Value = serde_json::from_str(&body).unwrap();
    let x = g["geometry"]["coordinates"][0].as_f64().unwrap();
    assert!((x - lon.to_radians() * 6_378_137.0).abs() < 0.01);
    // A latitude-first bbox (GDAL sends it that way with bbox-crs=EPSG:4490) finds the point.
    let bbox = format!("{},{},{},{}", lat - 0.001, lon - 0.001, lat + 0.001, lon + 0.001);
    let (_, _, _, body) =
        get_with(app, &format!("/ogcapi/collections/projects/items?bbox={bbox}&bbox-crs={EPSG4490}&crs={EPSG4490}"), "application/geo+json").await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert!(v["features"].as_array().unwrap().iter().any(|f| f["id"] == id), "{body}");
    // Read as lon/lat the same numbers are in the sea south of the district: nothing there.
    let (_, _, _, body) = get_with(app, &format!("/ogcapi/collections/projects/items?bbox={bbox}"), "application/geo+json").await;
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["numberMatched"], 0);
}

#[tokio::test]
async fn cql2_datetime_and_property_filters_work_through_the_api_on_both_stores() {
    let Some(pg) = TestApp::spawn(Kind::Postgis).await else { return };
    let lite = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let queries = [
        "filter=status%20%3D%20%27under_construction%27",
        "filter=name_zh%20LIKE%20%27%25%E6%B8%AF%25%27",
        "filter=S_INTERSECTS(geometry%2CBBOX(121.0%2C27.8%2C121.2%2C27.9))%20AND%20NOT%20kind%20IN%20(%27road%27)",
        "filter=investment_total%20%3E%2010000%20OR%20start_date%20IS%20NULL&filter-lang=cql2-text",
        "datetime=2025-01-01%2F2025-12-31",
        "datetime=..%2F2024-12-31&kind=port",
        "status=completed,under_construction&task=1",
        "bbox=121.0,27.8,121.2,27.9&datetime=2026-06-30",
        "start_date=2024-12-26&location_confidence=medium",
        "synthetic=false&plan_ref=%E4%BA%8C(%E4%B8%80)1",
    ];
    for q in queries {
        let path = format!("/ogcapi/collections/projects/items?limit=100&{q}");
        let (s1, _, _, a) = get_with(&lite, &path, "application/geo+json").await;
        let (s2, _, _, b) = get_with(&pg, &path, "application/geo+json").await;
        assert_eq!((s1, s2), (200, 200), "{q}: {a}");
        let ids = |t: &str| -> Vec<String> {
            serde_json::from_str::<Value>(t).unwrap()["features"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_owned()).collect()
        };
        assert_eq!(ids(&a), ids(&b), "{q}");
        // /api/projects answers from the same filters (queryables as parameters are OGC-only).
        if !q.contains("start_date=") && !q.contains("plan_ref=") {
            let (_, _, _, c) = get_with(&lite, &format!("/api/projects?{q}"), "application/geo+json").await;
            assert_eq!(ids(&c), ids(&a), "{q}");
        }
    }
    // Queryables as equality parameters select what they name.
    let (_, _, _, body) =
        get_with(&lite, "/ogcapi/collections/projects/items?start_date=2024-12-26&plan_ref=%E4%BA%8C(%E4%B8%80)1", "application/geo+json").await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["features"][0]["id"], "deep-sea-wind-home-port", "{body}");
    assert_eq!(get_with(&lite, "/ogcapi/collections/projects/items?start_date=soon", "application/json").await.0, 400);
}

#[tokio::test]
async fn a_malformed_filter_is_a_400_with_the_position_of_the_error() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    for (filter, position) in [("status%20%3D%3D%20%27x%27", 9), ("colour%20%3D%201", 1), ("task%20%3D%20%27five%27", 8), ("(status%20%3D%20%27x%27", 14)] {
        let (status, ct, _, body) = get_with(&app, &format!("/ogcapi/collections/projects/items?filter={filter}"), "application/json").await;
        assert_eq!((status, ct.as_str()), (400, "application/problem+json"), "{filter}");
        let p: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(p["parameter"], "filter");
        assert_eq!(p["position"], position, "{body}");
        assert!(p["detail"].as_str().unwrap().contains(&format!("at character {position}")));
    }
}

#[tokio::test]
async fn html_is_served_by_accept_header_or_f_parameter() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    for path in ["/ogcapi", "/ogcapi/collections", "/ogcapi/collections/projects", "/ogcapi/collections/projects/items", "/ogcapi/conformance"] {
        let (status, ct, _, body) = get_with(&app, path, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8").await;
        assert_eq!((status, ct.as_str()), (200, "text/html; charset=utf-8"), "{path}");
        assert!(body.starts_with("<!doctype html>"));
        let (_, ct, _, _) = get_with(&app, &format!("{path}?f=html"), "application/json").await;
        assert_eq!(ct, "text/html; charset=utf-8", "{path}");
    }
    let (_, _, _, body) = get_with(&app, "/ogcapi/collections/projects/items?limit=44&f=html", "*/*").await;
    assert!(body.contains("深远海风电母港"));
    assert!(!body.contains("<script"));
    let (_, ct, _, _) = get_with(&app, "/ogcapi/collections/projects/items?f=json", "text/html").await;
    assert_eq!(ct, "application/geo+json");
    let (_, ct, _, _) = get_with(&app, "/ogcapi/collections/projects/items", "application/json").await;
    assert_eq!(ct, "application/json");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gdal_oapif_lists_the_collections_and_reads_every_project_with_chinese_text() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let conn = format!("OAPIF:{}", app.url("/ogcapi"));
    let summary = run("ogrinfo", &["-ro", "-so", &conn, "projects"]).await;
    assert!(summary.contains("Feature Count: 44"), "{summary}");
    assert!(summary.contains("name_zh: String"), "{summary}");
    let layers = run("ogrinfo", &["-ro", "-q", &conn]).await;
    assert!(layers.contains("projects") && layers.contains("islands"), "{layers}");
    // Every feature, through GDAL's paging (small pages force several `next` links).
    let all = run("ogrinfo", &["-ro", "-al", "-q", "-oo", "PAGE_SIZE=7", &conn, "projects"]).await;
    assert_eq!(all.matches("OGRFeature(projects)").count(), 44, "{all}");
    assert!(all.contains("浙江（华东）深远海风电母港"), "Chinese text intact");
    assert!(all.contains("POLYGON") && all.contains("POINT") && all.contains("LINESTRING"));
    // GDAL's spatial filter becomes a bbox request.
    let spat = run("ogrinfo", &["-ro", "-so", "-spat", "121.0", "27.8", "121.2", "27.9", &conn, "projects"]).await;
    assert!(!spat.contains("Feature Count: 44"), "{spat}");
}
