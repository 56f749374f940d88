//! Hostile requests, tried as an attacker would: cross-site writes riding the session cookie,
//! write bodies in media types any web page can send, framing and script sources, formula
//! injection in exports, NUL characters. Each on both stores where the store could differ.

use crate::support::{feature, point, Kind, TestApp};
use planmap::auth::Role;
use reqwest::Method;
use serde_json::{json, Value};

const ID: &str = "zhuangyuanao-port-phase2";
const ITEMS: &str = "/ogcapi/collections/projects/items";

async fn sign_in_cookie(app: &TestApp, name: &str) -> String {
    app.user(name, Role::Planner).await;
    let password = format!("{name}-password");
    let r = app.client.post(app.url("/api/session")).json(&json!({"name": name, "password": password})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned()
}

async fn problem(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    (status, r.json().await.unwrap())
}

/// A planner signed in by cookie visits another site: its page's writes are refused whatever
/// the route, by `Origin` or (when a browser sends none) `Referer`; the same write from the
/// service's own page, or with a Bearer token, goes through.
#[tokio::test]
async fn cookie_writes_from_another_origin_are_refused() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let cookie = sign_in_cookie(&app, "planner1").await;
    let own = app.base.clone();
    let v = app.version(ID).await;
    let patch = json!({"properties":{"progress_pct": 55}});
    let path = format!("/api/projects/{ID}");
    for (header, value) in [("origin", "http://evil.example"), ("origin", "null"), ("referer", "http://evil.example/page.html")] {
        let r = app
            .client
            .patch(app.url(&path))
            .header("cookie", &cookie)
            .header(header, value)
            .header("if-match", format!("\"{v}\""))
            .json(&patch)
            .send()
            .await
            .unwrap();
        let (status, p) = problem(r).await;
        assert_eq!(status, 403, "{header}: {value}: {p}");
        assert!(p["detail"].as_str().unwrap().contains(value), "{p}");
    }
    // The attack as found: a text/plain import and OGC deletes from another site.
    let fc = json!({"type":"FeatureCollection","features":[feature(ID, point(121.1, 27.9), json!({}))]});
    let r = app
        .client
        .post(app.url("/api/import"))
        .header("cookie", &cookie)
        .header("origin", "http://evil.example")
        .header("content-type", "text/plain")
        .body(fc.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = app.client.delete(app.url(&format!("{ITEMS}/{ID}"))).header("cookie", &cookie).header("origin", "http://evil.example").send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(app.version(ID).await, v, "nothing was written");
    // Reads are not writes.
    let r = app.client.get(app.url(&path)).header("cookie", &cookie).header("origin", "http://evil.example").send().await.unwrap();
    assert_eq!(r.status(), 200);
    // The service's own page, by Origin or Referer.
    let r = app
        .client
        .patch(app.url(&path))
        .header("cookie", &cookie)
        .header("origin", &own)
        .header("if-match", format!("\"{v}\""))
        .json(&patch)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = app
        .client
        .patch(app.url(&path))
        .header("cookie", &cookie)
        .header("referer", format!("{own}/edit.html"))
        .header("if-match", format!("\"{}\"", v + 1))
        .json(&json!({"properties":{"progress_pct": 56}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // A token is never sent by a browser on its own: the Origin does not matter.
    let t = app.user("script1", Role::Planner).await;
    let r = app
        .req(Method::PATCH, &path, Some(&t))
        .header("origin", "http://evil.example")
        .header("if-match", format!("\"{}\"", v + 2))
        .json(&patch)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// Write bodies must say they are JSON: none is 400, another type 415 naming the accepted ones,
/// on every JSON write route.
#[tokio::test]
async fn write_bodies_need_their_json_media_type() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let t = app.user("planner1", Role::Planner).await;
    let v = app.version(ID).await;
    let body = feature("media-type-test", point(121.1, 27.9), json!({})).to_string();
    let item = format!("/api/projects/{ID}");
    let routes: [(Method, String); 6] = [
        (Method::POST, "/api/projects".into()),
        (Method::PUT, item.clone()),
        (Method::PATCH, item.clone()),
        (Method::POST, "/api/import".into()),
        (Method::POST, ITEMS.into()),
        (Method::PATCH, format!("{ITEMS}/{ID}")),
    ];
    for (method, path) in routes {
        let r = app.req(method.clone(), &path, Some(&t)).header("if-match", format!("\"{v}\"")).body(body.clone()).send().await.unwrap();
        let (status, p) = problem(r).await;
        assert_eq!((status, p["parameter"].as_str()), (400, Some("Content-Type")), "{method} {path}: {p}");
        for sent in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
            let r = app
                .req(method.clone(), &path, Some(&t))
                .header("if-match", format!("\"{v}\""))
                .header("content-type", sent)
                .body(body.clone())
                .send()
                .await
                .unwrap();
            let (status, p) = problem(r).await;
            assert_eq!(status, 415, "{method} {path} {sent}: {p}");
            let accepted: Vec<&str> = p["accepted"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
            assert!(accepted.contains(&"application/json"), "{p}");
            assert!(p["detail"].as_str().unwrap().contains("application/json"), "{p}");
            if method == Method::PATCH {
                assert!(accepted.contains(&"application/merge-patch+json"), "{p}");
            }
        }
    }
    assert_eq!(app.version(ID).await, v, "nothing was written");
    let r = app
        .client
        .post(app.url("/api/session"))
        .header("content-type", "text/plain")
        .body(r#"{"name":"planner1","password":"planner1-password"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    // The accepted types, parameters and case aside.
    let r = app
        .req(Method::PATCH, &item, Some(&t))
        .header("if-match", format!("\"{v}\""))
        .header("content-type", "Application/Merge-Patch+JSON; charset=utf-8")
        .body(json!({"properties":{"progress_pct": 12}}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = app.req(Method::POST, "/api/projects", Some(&t)).header("content-type", "application/geo+json").body(body).send().await.unwrap();
    assert_eq!(r.status(), 201);
}

/// Pages may not be framed by other sites and run only this service's scripts (the editor's
/// import map by hash); they still load (the browser tests drive them under this policy).
#[tokio::test]
async fn pages_carry_a_content_security_policy() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    for path in ["/", "/edit.html", "/signin.html", "/ogcapi?f=html", "/ogcapi/collections/projects/items?f=html"] {
        let r = app.get(path).await;
        assert_eq!(r.status(), 200, "{path}");
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"), "{path}");
        let csp = r.headers()["content-security-policy"].to_str().unwrap().to_owned();
        for part in ["frame-ancestors 'none'", "object-src 'none'", "default-src 'self'"] {
            assert!(csp.contains(part), "{path}: {csp}");
        }
        let scripts = csp.split(';').map(str::trim).find(|d| d.starts_with("script-src")).unwrap_or_else(|| panic!("{path}: {csp}"));
        assert!(!scripts.contains("unsafe"), "{path}: inline scripts allowed: {csp}");
        assert_eq!(r.headers()["referrer-policy"], "same-origin", "{path}");
        assert_eq!(r.headers()["x-frame-options"], "DENY", "{path}");
    }
    let csp = app.get("/edit.html").await.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("'sha256-"), "the editor's import map is allowed by its hash: {csp}");
    assert_eq!(app.get("/api/meta").await.headers()["referrer-policy"], "same-origin");
}

/// A source link is a web address or nothing: `javascript:` and friends are refused by field.
#[tokio::test]
async fn source_urls_must_be_web_addresses() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let t = app.user("planner1", Role::Planner).await;
    for url in ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>", "file:///etc/passwd", "//evil.example"] {
        let f = feature("js-source", point(121.1, 27.9), json!({"sources": [{"title": "plan", "url": url}]}));
        let r = app.req(Method::POST, "/api/projects", Some(&t)).json(&f).send().await.unwrap();
        let (status, p) = problem(r).await;
        assert_eq!(status, 422, "{url}: {p}");
        assert!(p["errors"].as_array().unwrap().iter().any(|e| e["field"] == "sources/0/url"), "{url}: {p}");
    }
    let f = feature("https-source", point(121.1, 27.9), json!({"sources": [{"title": "plan", "url": "HTTPS://www.dongtou.gov.cn/"}]}));
    assert_eq!(app.req(Method::POST, "/api/projects", Some(&t)).json(&f).send().await.unwrap().status(), 201);
}

/// Text a spreadsheet would run as a formula leaves the CSV export as text.
#[tokio::test]
async fn csv_export_does_not_carry_formulas() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let t = app.user("planner1", Role::Planner).await;
    let name = "=HYPERLINK(\"http://evil.example\",\"点击\")";
    let f = feature("formula-name", point(121.1, 27.9), json!({"name_zh": name, "description": "@SUM(1+1)"}));
    assert_eq!(app.req(Method::POST, "/api/projects", Some(&t)).json(&f).send().await.unwrap().status(), 201);
    let csv = app.get("/api/export?format=csv&ids=formula-name").await.text().await.unwrap();
    assert!(csv.contains("'=HYPERLINK("), "{csv}");
    assert!(csv.contains("'@SUM(1+1)"), "{csv}");
    assert!(!csv.contains(",=HYPERLINK") && !csv.contains(",\"=HYPERLINK"), "{csv}");
}

/// NUL characters: PostgreSQL cannot hold one (it answered 500), SQLite stored it and then wrote
/// a raw 0x00 into KML. Both stores now refuse it in query parameters, filters and bodies.
#[tokio::test]
async fn nul_characters_are_refused_on_both_stores() {
    for kind in [Kind::Sqlite, Kind::Postgis] {
        let Some(app) = TestApp::spawn(kind).await else { continue };
        let t = app.user("planner1", Role::Planner).await;
        for (path, param) in [
            ("/api/projects?q=a%00b", "q"),
            ("/api/projects?filter=name_zh%20%3D%20%27a%00b%27", "filter"),
            ("/api/stats?town=%00", "town"),
            ("/api/export?format=csv&q=%00", "q"),
            ("/ogcapi/collections/projects/items?plan_ref=a%00b", "plan_ref"),
            ("/ogcapi/collections/projects/items?filter=plan_ref%3D%27%00%27", "filter"),
        ] {
            let (status, p) = problem(app.get(path).await).await;
            assert_eq!((status, p["parameter"].as_str()), (400, Some(param)), "{kind:?} {path}: {p}");
        }
        let f = feature("nul-name", point(121.1, 27.9), json!({"name_zh": "a\u{0}b"}));
        let r = app.req(Method::POST, "/api/projects", Some(&t)).json(&f).send().await.unwrap();
        let (status, p) = problem(r).await;
        assert_eq!((status, p["pointer"].as_str()), (400, Some("/properties/name_zh")), "{kind:?}: {p}");
        let r = app.req(Method::POST, ITEMS, Some(&t)).json(&f).send().await.unwrap();
        assert_eq!(r.status(), 400, "{kind:?}");
        let fc = json!({"type":"FeatureCollection","features":[f]});
        let r = app.req(Method::POST, "/api/import", Some(&t)).json(&fc).send().await.unwrap();
        let (status, p) = problem(r).await;
        assert_eq!((status, p["pointer"].as_str()), (400, Some("/features/0/properties/name_zh")), "{kind:?}: {p}");
        let (status, _) = app.get_json("/api/projects/nul-name").await;
        assert_eq!(status, 404, "{kind:?}: nothing stored");
    }
}
