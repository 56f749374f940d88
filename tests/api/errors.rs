//! Bad input answers 4xx problem+json naming what is wrong; never a 500.

use crate::support::{Kind, TestApp};

async fn problem(app: &TestApp, path: &str) -> (u16, serde_json::Value) {
    let r = app.get(path).await;
    let status = r.status().as_u16();
    assert_eq!(r.headers()["content-type"], "application/problem+json", "{path}");
    (status, r.json().await.unwrap())
}

#[tokio::test]
async fn bad_query_parameters_are_400_naming_the_parameter_and_allowed_values() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let cases = [
        ("/api/projects?bbox=1,2,3", "bbox", "four comma-separated numbers"),
        ("/api/projects?bbox=a,b,c,d", "bbox", "not a finite number"),
        ("/api/projects?bbox=121.2,27.8,121.1,27.9", "bbox", "must not exceed"),
        ("/api/projects?status=done", "status", "under_construction"),
        ("/api/projects?action=9", "action", "1–5"),
        ("/api/projects?task=x", "task", "not a number"),
        ("/api/projects?kind=airport", "kind", "industrial_park"),
        ("/api/projects?town=上海", "town", "北岙街道"),
        ("/api/projects?colour=red", "colour", "not a known parameter"),
        ("/api/stats?status=bad", "status", "planned"),
        ("/api/projects?ids=../etc", "ids", "not a project id"),
    ];
    for (path, param, needle) in cases {
        let (status, p) = problem(&app, path).await;
        assert_eq!(status, 400, "{path}");
        assert_eq!(p["status"], 400, "{path}");
        assert_eq!(p["parameter"], param, "{path}");
        assert!(p["detail"].as_str().unwrap().contains(needle), "{path}: {}", p["detail"]);
    }
}

#[tokio::test]
async fn unknown_ids_and_paths_are_404_problems() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    for path in ["/api/projects/no-such-project", "/api/projects/NOT%20A%20SLUG", "/api/projects/no-such-project/history", "/no/such/page"] {
        let (status, p) = problem(&app, path).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(p["status"], 404);
    }
}

#[tokio::test]
async fn the_frameworks_own_rejections_are_problems_too() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let (status, p) = problem(&app, "/api/projects/%FF%FE").await;
    assert_eq!((status, p["status"].as_u64()), (400, Some(400)));
    let r = app.client.delete(app.url("/api/stats")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    assert!(r.headers().contains_key("allow"));
    let too_big = vec![b' '; 11 * 1024 * 1024];
    let r = app.client.post(app.url("/api/session")).header("content-type", "application/json").body(too_big).send().await.unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn unknown_query_parameters_are_answered_the_same_way_everywhere() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    for path in [
        "/api/projects?colour=red",
        "/api/stats?colour=red",
        "/api/export?colour=red",
        "/api/projects/some-project/diff?colour=red",
        "/ogcapi?colour=red",
        "/ogcapi/collections?colour=red",
        "/ogcapi/collections/islands/items?colour=red",
        "/ogcapi/collections/islands/items/1?colour=red",
    ] {
        let (status, p) = problem(&app, path).await;
        assert_eq!(status, 400, "{path}");
        assert_eq!(p["parameter"], "colour", "{path}");
        let detail = p["detail"].as_str().unwrap();
        assert!(detail.starts_with("query parameter `colour`: is not a known parameter; known: "), "{path}: {detail}");
    }
}
