//! The page and vendored files come from the binary; no path escapes `web/`.

use crate::support::{Kind, TestApp};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn the_map_page_and_vendored_maplibre_are_served() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let r = app.get("/").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = r.text().await.unwrap();
    assert!(html.contains("vendor/maplibre-gl/maplibre-gl.js"), "page must load the vendored MapLibre");
    assert!(!html.contains("https://"), "the page must not load anything from the internet");
    for path in ["/vendor/maplibre-gl/maplibre-gl.js", "/vendor/maplibre-gl/maplibre-gl.css", "/vendor/maplibre-gl/LICENSE.txt", "/app.js", "/i18n.js"] {
        let r = app.get(path).await;
        assert_eq!(r.status(), 200, "{path}");
        assert!(!r.bytes().await.unwrap().is_empty(), "{path}");
    }
}

/// reqwest normalises `..` away, so the request is written by hand on a raw socket.
async fn raw_get(app: &TestApp, path: &str) -> String {
    let addr = app.base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out
}

#[tokio::test]
async fn no_path_escapes_the_web_folder() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    for path in [
        "/../../etc/passwd",
        "/..%2f..%2fetc/passwd",
        "/vendor/../../Cargo.toml",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/vendor/..%5c..%5cCargo.toml",
        "/.%2e/src/main.rs",
    ] {
        let resp = raw_get(&app, path).await;
        let status_line = resp.lines().next().unwrap_or_default().to_owned();
        assert!(status_line.contains(" 404 ") || status_line.contains(" 400 "), "{path}: {status_line}");
        assert!(!resp.contains("root:x:0:0"), "{path} leaked /etc/passwd");
        assert!(!resp.contains("[package]"), "{path} leaked Cargo.toml");
    }
}
