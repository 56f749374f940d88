//! The `planmap` command line: import is all-or-nothing with a per-feature report, demo data is
//! deterministic and never mixes with real projects, export writes what the store holds.
#![allow(clippy::unwrap_used, clippy::panic)]

use serde_json::{json, Value};
use std::process::{Command, Output};

fn planmap(db: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_planmap"))
        .args(args)
        .env("DATABASE_URL", format!("sqlite:{}", db.display()))
        .env_remove("PLANMAP_GEODATA")
        .output()
        .unwrap()
}

fn feature(id: &str, coords: Value) -> Value {
    json!({"type":"Feature","id":id,"geometry":{"type":"Point","coordinates":coords},
           "properties":{"name_zh":"项目","kind":"other","sources":[{"title":"t","url":null}],"location_confidence":"low"}})
}

fn exported(db: &std::path::Path) -> Value {
    let out = planmap(db, &["export"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn an_import_with_one_bad_feature_writes_nothing_and_reports_each_feature() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let file = dir.path().join("in.geojson");
    let fc = json!({"type":"FeatureCollection","features":[feature("good-one", json!([121.1, 27.8])), feature("swapped", json!([27.8, 121.1]))]});
    std::fs::write(&file, fc.to_string()).unwrap();
    let out = planmap(&db, &["import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(report.contains("good-one") && report.contains("Valid"), "{report}");
    assert!(report.contains("swapped") && report.contains("Rejected") && report.contains("swapped (GeoJSON is [longitude, latitude])"), "{report}");
    assert!(report.contains("nothing written"), "{report}");
    assert_eq!(exported(&db)["features"].as_array().unwrap().len(), 0);

    let fc = json!({"type":"FeatureCollection","features":[feature("good-one", json!([121.1, 27.8])), feature("good-two", json!([121.12, 27.81]))]});
    std::fs::write(&file, fc.to_string()).unwrap();
    let out = planmap(&db, &["import", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ids: Vec<Value> = exported(&db)["features"].as_array().unwrap().iter().map(|f| f["id"].clone()).collect();
    assert_eq!(ids, [json!("good-one"), json!("good-two")]);
}

#[test]
fn a_file_that_is_not_a_feature_collection_is_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.geojson");
    std::fs::write(&file, r#"{"type":"Feature"}"#).unwrap();
    let out = planmap(&dir.path().join("p.db"), &["import", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("FeatureCollection"));
    std::fs::write(&file, "not json").unwrap();
    let out = planmap(&dir.path().join("p.db"), &["import", file.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid JSON"));
}

#[test]
fn demo_data_is_deterministic_marked_synthetic_and_refuses_a_real_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let a = dir.path().join("a.geojson");
    let b = dir.path().join("b.geojson");
    assert!(planmap(&db, &["demo-data", "--count", "200", "--seed", "7", "-o", a.to_str().unwrap()]).status.success());
    assert!(planmap(&db, &["demo-data", "--count", "200", "--seed", "7", "-o", b.to_str().unwrap()]).status.success());
    let (ta, tb) = (std::fs::read_to_string(&a).unwrap(), std::fs::read_to_string(&b).unwrap());
    assert_eq!(ta, tb);
    let fc: Value = serde_json::from_str(&ta).unwrap();
    let fs = fc["features"].as_array().unwrap();
    assert_eq!(fs.len(), 200);
    assert!(fs.iter().all(|f| f["properties"]["synthetic"] == true && f["id"].as_str().unwrap().starts_with("synthetic-")));
    let types: std::collections::BTreeSet<&str> = fs.iter().map(|f| f["geometry"]["type"].as_str().unwrap()).collect();
    assert_eq!(types.into_iter().collect::<Vec<_>>(), ["LineString", "Point", "Polygon"]);

    // Loading into an empty store works; every generated feature passes the real rules.
    let out = planmap(&db, &["demo-data", "--count", "200", "--seed", "7"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(exported(&db)["features"].as_array().unwrap().len(), 200);

    // A store with real projects refuses synthetic ones.
    let real = dir.path().join("real.db");
    let file = dir.path().join("in.geojson");
    std::fs::write(&file, json!({"type":"FeatureCollection","features":[feature("real-one", json!([121.1, 27.8]))]}).to_string()).unwrap();
    assert!(planmap(&real, &["import", file.to_str().unwrap()]).status.success());
    let out = planmap(&real, &["demo-data", "--count", "10"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("never mixes"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn bad_configuration_is_refused_with_the_setting_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_planmap")).args(["export"]).env("DATABASE_URL", "mysql://x").output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("DATABASE_URL"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = Command::new(env!("CARGO_BIN_EXE_planmap"))
        .args(["export"])
        .env("DATABASE_URL", format!("sqlite:{}", dir.path().join("p.db").display()))
        .env("PLANMAP_REGION", "121,28,120,27")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("region"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn server_flags_are_accepted_before_and_after_serve() {
    for args in [&["serve", "--help"][..], &["--help"][..]] {
        let out = Command::new(env!("CARGO_BIN_EXE_planmap")).args(args).output().unwrap();
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(help.contains("--bind") && help.contains("PLANMAP_BIND"), "{args:?}: {help}");
    }
}

/// `--bind` is honoured before the subcommand, after it, and without one (bench/browser.mjs
/// passes it first).
#[test]
fn bind_is_honoured_in_every_position() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("p.db").display());
    let free_port = || std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    for shape in ["before", "after", "alone"] {
        let addr = format!("127.0.0.1:{}", free_port());
        let args: Vec<&str> = match shape {
            "before" => vec!["--bind", &addr, "serve"],
            "after" => vec!["serve", "--bind", &addr],
            _ => vec!["--bind", &addr],
        };
        let mut child = Command::new(env!("CARGO_BIN_EXE_planmap"))
            .args(&args)
            .env("DATABASE_URL", &db)
            .env_remove("PLANMAP_BIND")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut up = false;
        for _ in 0..200 {
            if let Ok(mut s) = std::net::TcpStream::connect(&addr) {
                use std::io::{Read, Write};
                s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
                let mut out = String::new();
                let _ = s.read_to_string(&mut out);
                up = out.starts_with("HTTP/1.1 200");
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        assert!(up, "planmap {args:?} did not answer on {addr}");
    }
}

#[test]
fn serve_refuses_a_bad_basemap_configuration_naming_the_entry_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("basemaps.toml");
    let run = |text: &str, key: Option<&str>| {
        std::fs::write(&cfg, text).unwrap();
        let mut c = Command::new(env!("CARGO_BIN_EXE_planmap"));
        c.args(["serve", "--bind", "127.0.0.1:0", "--basemap-config", cfg.to_str().unwrap()])
            .env("DATABASE_URL", format!("sqlite:{}", dir.path().join("p.db").display()))
            .env_remove("PLANMAP_GEODATA")
            .env_remove("TEST_TIANDITU_KEY");
        if let Some(k) = key {
            c.env("TEST_TIANDITU_KEY", k);
        }
        c.output().unwrap()
    };
    let gcj = "[[basemap]]\nname = \"imagery\"\nkind = \"xyz\"\nurl = \"http://127.0.0.1:9/{z}/{x}/{y}\"\nattribution = \"t\"\n\n\
               [[basemap]]\nname = \"amap\"\nkind = \"xyz\"\nurl = \"http://127.0.0.1:9/{z}/{x}/{y}\"\nattribution = \"高德\"\ncrs = \"gcj02\"\n";
    let out = run(gcj, None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("basemaps.toml") && err.contains("#2 \"amap\"") && err.contains("`crs`") && err.contains("offset_ack"), "{err}");

    let keyed = "[[basemap]]\nname = \"imagery\"\nkind = \"wmts\"\nattribution = \"天地图\"\n\
                 url = \"https://t0.tianditu.gov.cn/img_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=${TEST_TIANDITU_KEY}\"\n";
    let out = run(keyed, None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("\"imagery\"") && err.contains("`url`") && err.contains("TEST_TIANDITU_KEY"), "{err}");

    let pm = "[[basemap]]\nname = \"offline\"\nkind = \"pmtiles\"\npath = \"missing.pmtiles\"\n";
    let out = run(pm, None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("\"offline\"") && err.contains("`path`") && err.contains("missing.pmtiles"), "{err}");
}

#[test]
fn tokens_are_added_with_an_expiry_listed_and_revoked_and_the_last_admin_stays() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let ok = |out: &Output| assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    ok(&planmap(&db, &["user", "add", "root", "--role", "admin"]));
    ok(&planmap(&db, &["user", "add", "bot", "--role", "planner"]));
    let out = planmap(&db, &["token", "add", "bot", "--label", "nightly", "--expires-days", "7"]);
    ok(&out);
    let token = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(token.starts_with("pm_"), "{token}");
    let out = planmap(&db, &["token", "list", "bot"]);
    ok(&out);
    let listed = String::from_utf8_lossy(&out.stdout).to_string();
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 1, "{listed}");
    assert!(lines[0].contains("nightly") && !lines[0].contains("expires never") && !listed.contains(&token), "{listed}");
    let id = lines[0].split_whitespace().next().unwrap();
    assert_eq!(id.len(), 12);
    let out = planmap(&db, &["token", "add", "bot", "--expires-days", "0"]);
    assert!(!out.status.success());
    ok(&planmap(&db, &["token", "revoke", "bot", id]));
    assert_eq!(String::from_utf8_lossy(&planmap(&db, &["token", "list", "bot"]).stdout).trim(), "");
    let out = planmap(&db, &["token", "revoke", "bot", id]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no API token"), "{}", String::from_utf8_lossy(&out.stderr));
    // The only admin cannot be disabled or demoted from the command line either.
    let out = planmap(&db, &["user", "disable", "root"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("last enabled admin"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!planmap(&db, &["user", "set-role", "root", "planner"]).status.success());
}
