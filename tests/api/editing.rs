//! Writing over HTTP: roles, sessions, If-Match, PATCH, history, restore, concurrency.

use crate::support::{feature, point, Kind, TestApp};
use planmap::auth::Role;
use reqwest::Method;
use serde_json::{json, Value};

const ID: &str = "zhuangyuanao-port-phase2";

fn square(x: f64, y: f64, d: f64) -> Value {
    json!({"type":"Polygon","coordinates":[[[x,y],[x+d,y],[x+d,y+d],[x,y+d],[x,y]]]})
}

/// Every write route, called as each kind of caller: anonymous, viewer, planner, admin, and a
/// disabled planner. Viewers and the disabled can never write; user management is admin-only.
#[tokio::test]
async fn the_role_matrix_holds_for_every_write_endpoint() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let viewer = app.user("viewer1", Role::Viewer).await;
    let planner = app.user("planner1", Role::Planner).await;
    let admin = app.user("admin1", Role::Admin).await;
    let disabled = app.user("gone1", Role::Planner).await;
    let line = planmap::auth::AuditEntry::now("seed", "user_disable", Some("gone1"), None, None);
    app.store.set_disabled(&planmap::auth::UserName::parse("gone1").unwrap(), true, &line).await.unwrap();
    let callers: [(&str, Option<&str>); 5] =
        [("anonymous", None), ("viewer", Some(&viewer)), ("planner", Some(&planner)), ("admin", Some(&admin)), ("disabled", Some(&disabled))];
    let mut n = 0;
    for (who, token) in callers {
        n += 1;
        let new_id = format!("matrix-{n}-project");
        let is_writer = matches!(who, "planner" | "admin");
        let want = |ok: u16| match who {
            "anonymous" | "disabled" => 401,
            "viewer" => 403,
            _ => ok,
        };
        // POST /api/projects
        let r = app.req(Method::POST, "/api/projects", token).json(&feature(&new_id, point(121.1, 27.8), json!({}))).send().await.unwrap();
        assert_eq!(r.status(), want(201), "{who} POST");
        assert_eq!(r.headers()["content-type"], if is_writer { "application/geo+json" } else { "application/problem+json" }, "{who}");
        // PUT
        let v = app.version(ID).await;
        let mut f: Value = app.get_json(&format!("/api/projects/{ID}")).await.1;
        f["properties"]["progress_pct"] = json!(10 + n);
        let r = app.req(Method::PUT, &format!("/api/projects/{ID}"), token).header("if-match", format!("\"{v}\"")).json(&f).send().await.unwrap();
        assert_eq!(r.status(), want(200), "{who} PUT");
        // PATCH
        let v = app.version(ID).await;
        let r = app
            .req(Method::PATCH, &format!("/api/projects/{ID}"), token)
            .header("if-match", format!("\"{v}\""))
            .json(&json!({"properties":{"status":"under_construction"}}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), want(200), "{who} PATCH");
        // restore
        let v = app.version(ID).await;
        let r = app
            .req(Method::POST, &format!("/api/projects/{ID}/restore"), token)
            .header("if-match", format!("\"{v}\""))
            .json(&json!({"version": 1}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), want(200), "{who} restore");
        // import
        let fc = json!({"type":"FeatureCollection","features":[feature(&format!("matrix-{n}-import"), point(121.1, 27.8), json!({}))]});
        let r = app.req(Method::POST, "/api/import", token).json(&fc).send().await.unwrap();
        assert_eq!(r.status(), want(200), "{who} import");
        // DELETE (archive)
        let target = if is_writer { new_id.clone() } else { ID.to_owned() };
        let v = app.version(&target).await;
        let r = app.req(Method::DELETE, &format!("/api/projects/{target}"), token).header("if-match", format!("\"{v}\"")).send().await.unwrap();
        assert_eq!(r.status(), want(200), "{who} DELETE");
        // user management: admin only
        let admin_only = |ok: u16| match who {
            "anonymous" | "disabled" => 401,
            "viewer" | "planner" => 403,
            _ => ok,
        };
        let r = app.req(Method::GET, "/api/users", token).send().await.unwrap();
        assert_eq!(r.status(), admin_only(200), "{who} GET users");
        let r = app
            .req(Method::POST, "/api/users", token)
            .json(&json!({"name": format!("new-user-{n}"), "role": "viewer", "password": "long enough password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), admin_only(201), "{who} POST users");
        let r = app.req(Method::PATCH, "/api/users/viewer1", token).json(&json!({"role": "viewer"})).send().await.unwrap();
        assert_eq!(r.status(), admin_only(200), "{who} PATCH users");
        let r = app.req(Method::GET, "/api/audit", token).send().await.unwrap();
        assert_eq!(r.status(), admin_only(200), "{who} GET audit");
    }
    // Nothing a viewer, anonymous or disabled caller tried left a trace in the history.
    let (_, h) = app.get_json(&format!("/api/projects/{ID}/history")).await;
    let authors: Vec<&str> = h.as_array().unwrap().iter().map(|r| r["author"].as_str().unwrap()).collect();
    assert!(authors.iter().all(|a| ["seed", "planner1", "admin1"].contains(a)), "{authors:?}");
    assert_eq!(authors.len(), 1 + 2 * 3, "{authors:?}");
    // Every write is in the audit log.
    let (_, log) = app.get_json("/api/projects").await;
    assert!(log["features"].is_array());
    let audit = app.store.audit_log(1000).await.unwrap();
    let mut writes: Vec<(&str, &str)> =
        audit.iter().filter(|e| e.actor != "seed" && !e.action.starts_with("user_")).map(|e| (e.actor.as_str(), e.action.as_str())).collect();
    writes.sort();
    let want: Vec<(&str, &str)> =
        ["admin1", "planner1"].iter().flat_map(|a| ["archive", "create", "import", "patch", "replace", "restore"].map(move |x| (*a, x))).collect();
    assert_eq!(writes, want);
}

fn cookie_of(r: &reqwest::Response) -> (String, String) {
    let set = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    let pair = set.split(';').next().unwrap().to_owned();
    (pair, set)
}

#[tokio::test]
async fn sign_in_sets_a_strict_http_only_cookie_that_signs_out() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    app.user("张三", Role::Planner).await;
    let r = app.client.post(app.url("/api/session")).json(&json!({"name":"张三","password":"张三-password"})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let (cookie, set) = cookie_of(&r);
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Path=/"), "{set}");
    assert!(!set.contains("Secure"), "plain HTTP must not get a Secure cookie it could never send back: {set}");
    let (_, me) = {
        let r = app.client.get(app.url("/api/session")).header("cookie", &cookie).send().await.unwrap();
        (r.status(), r.json::<Value>().await.unwrap())
    };
    assert_eq!(me["user"]["name"], "张三");
    assert_eq!(me["user"]["role"], "planner");
    let v = app.version(ID).await;
    let r = app
        .client
        .patch(app.url(&format!("/api/projects/{ID}")))
        .header("cookie", &cookie)
        .header("if-match", format!("\"{v}\""))
        .json(&json!({"properties":{"progress_pct": 55}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = app.client.delete(app.url("/api/session")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let v = app.version(ID).await;
    let r = app
        .client
        .patch(app.url(&format!("/api/projects/{ID}")))
        .header("cookie", &cookie)
        .header("if-match", format!("\"{v}\""))
        .json(&json!({"properties":{"progress_pct": 56}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "a signed-out cookie must not work");
    let log: Vec<_> = app.store.audit_log(1000).await.unwrap().into_iter().filter(|e| e.actor != "seed").collect();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["sign_out", "patch", "sign_in"]);
    assert_eq!(log[2].address.as_deref(), Some("127.0.0.1"));
}

#[tokio::test]
async fn behind_a_trusted_tls_proxy_the_cookie_is_secure() {
    let app = TestApp::spawn_with(Kind::Sqlite, |c| c.edit.trust_proxy = true).await.unwrap();
    app.user("planner2", Role::Planner).await;
    let r = app
        .client
        .post(app.url("/api/session"))
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-for", "10.1.2.3, 10.0.0.1")
        .json(&json!({"name":"planner2","password":"planner2-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(cookie_of(&r).1.contains("; Secure"));
    assert_eq!(app.store.audit_log(1).await.unwrap()[0].address.as_deref(), Some("10.1.2.3"));
}

#[tokio::test]
async fn failed_sign_ins_are_rate_limited_per_account_even_with_the_right_password() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    app.user("target", Role::Planner).await;
    for i in 0..5 {
        let r = app.client.post(app.url("/api/session")).json(&json!({"name":"target","password":format!("wrong {i}")})).send().await.unwrap();
        assert_eq!(r.status(), 401);
    }
    let r = app.client.post(app.url("/api/session")).json(&json!({"name":"target","password":"target-password"})).send().await.unwrap();
    assert_eq!(r.status(), 429);
    let p: Value = r.json().await.unwrap();
    assert!(p["detail"].as_str().unwrap().contains("too many failed sign-ins"), "{p}");
    // Other accounts are not locked by it.
    app.user("other", Role::Viewer).await;
    let r = app.client.post(app.url("/api/session")).json(&json!({"name":"other","password":"other-password"})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let failed = app.store.audit_log(100).await.unwrap().iter().filter(|e| e.action == "sign_in_failed").count();
    assert_eq!(failed, 5);
}

#[tokio::test]
async fn writes_need_if_match_and_a_stale_one_is_412_with_the_current_version() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let t = app.user("planner1", Role::Planner).await;
    let path = format!("/api/projects/{ID}");
    let r = app.req(Method::PATCH, &path, Some(&t)).json(&json!({"properties":{"progress_pct": 1}})).send().await.unwrap();
    assert_eq!(r.status(), 428);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["current_version"], 1);
    let r = app.req(Method::PATCH, &path, Some(&t)).header("if-match", "\"1\"").json(&json!({"properties":{"progress_pct": 2}})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "\"2\"");
    for (method, body) in [(Method::PATCH, json!({"properties":{"progress_pct": 3}})), (Method::PUT, app.get_json(&path).await.1)] {
        let r = app.req(method.clone(), &path, Some(&t)).header("if-match", "\"1\"").json(&body).send().await.unwrap();
        assert_eq!(r.status(), 412, "{method}");
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["current_version"], 2, "{method}");
    }
    let r = app.req(Method::DELETE, &path, Some(&t)).header("if-match", "\"1\"").send().await.unwrap();
    assert_eq!(r.status(), 412);
    let r = app.req(Method::DELETE, &path, Some(&t)).header("if-match", "soon").send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(app.version(ID).await, 2);
}

#[tokio::test]
async fn field_errors_come_back_per_field_and_geometry_errors_with_their_point() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let t = app.user("planner1", Role::Planner).await;
    let r = app
        .req(Method::PATCH, &format!("/api/projects/{ID}"), Some(&t))
        .header("if-match", "\"1\"")
        .json(&json!({"properties":{"status":"finished","progress_pct":140,"start_date":"tomorrow"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: Value = r.json().await.unwrap();
    let mut fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    fields.sort();
    assert_eq!(fields, ["progress_pct", "start_date", "status"]);
    let bowtie = json!({"type":"Polygon","coordinates":[[[121.1,27.8],[121.2,27.9],[121.2,27.8],[121.1,27.9],[121.1,27.8]]]});
    let r = app.req(Method::POST, "/api/projects", Some(&t)).json(&feature("bow-tie", bowtie, json!({}))).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    let e = &p["errors"][0];
    assert_eq!(e["field"], "geometry");
    let at = e["at"].as_array().unwrap_or_else(|| panic!("{p}"));
    assert!((at[0].as_f64().unwrap() - 121.15).abs() < 1e-6 && (at[1].as_f64().unwrap() - 27.85).abs() < 1e-6, "{p}");
    let r = app.req(Method::POST, "/api/projects", Some(&t)).header("content-type", "application/json").body("{not json").send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(app.version(ID).await, 1);
}

#[tokio::test]
async fn history_diff_and_restore_undo_an_archive() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let t = app.user("planner1", Role::Planner).await;
    let path = format!("/api/projects/{ID}");
    let r = app
        .req(Method::PATCH, &path, Some(&t))
        .header("if-match", "\"1\"")
        .json(&json!({"properties":{"status":"suspended"},"comment":"paused by the district"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = app.req(Method::DELETE, &format!("{path}?comment=duplicate"), Some(&t)).header("if-match", "\"2\"").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(app.get(&path).await.status(), 404);
    let (_, h) = app.get_json(&format!("{path}/history")).await;
    let h = h.as_array().unwrap();
    assert_eq!(h.len(), 3);
    assert_eq!((h[1]["author"].as_str(), h[1]["comment"].as_str()), (Some("planner1"), Some("paused by the district")));
    assert_eq!(h[2]["archived"], true);
    let (s, one) = app.get_json(&format!("{path}/history/2")).await;
    assert_eq!((s, one["feature"]["properties"]["status"].as_str()), (200, Some("suspended")));
    let (s, d) = app.get_json(&format!("{path}/diff?from=1&to=2")).await;
    assert_eq!(s, 200);
    assert_eq!(d["changes"].as_array().unwrap().len(), 1, "{d}");
    assert_eq!(d["changes"][0]["field"], "status");
    assert_eq!(d["changes"][0]["to"], "suspended");
    let r = app.req(Method::POST, &format!("{path}/restore"), Some(&t)).header("if-match", "\"3\"").json(&json!({"version": 1})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "\"4\"");
    let (_, f) = app.get_json(&path).await;
    assert_eq!(f["properties"]["status"], "completed");
    let (_, h) = app.get_json(&format!("{path}/history")).await;
    assert_eq!(h[3]["comment"], "restored version 1");
    let (s, _) = app.get_json(&format!("{path}/history/9")).await;
    assert_eq!(s, 404);
}

/// The archived list names who archived each project and when, and gives what a restore needs;
/// a restored project leaves the list. Planners only: it is the editor's, not the public map's.
#[tokio::test]
async fn archived_projects_are_listed_for_planners_and_leave_the_list_when_restored() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let t = app.user("planner1", Role::Planner).await;
    let viewer = app.user("viewer1", Role::Viewer).await;
    assert_eq!(app.req(Method::GET, "/api/archived", None).send().await.unwrap().status(), 401);
    assert_eq!(app.req(Method::GET, "/api/archived", Some(&viewer)).send().await.unwrap().status(), 403);
    let list = |app: &TestApp| {
        let r = app.req(Method::GET, "/api/archived", Some(&t));
        async move {
            let r = r.send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()
        }
    };
    assert_eq!(list(&app).await, json!([]));
    let path = format!("/api/projects/{ID}");
    let name = app.get_json(&path).await.1["properties"]["name_zh"].clone();
    let r = app.req(Method::DELETE, &format!("{path}?comment=merged"), Some(&t)).header("if-match", "\"1\"").send().await.unwrap();
    assert_eq!(r.status(), 200);
    let a = list(&app).await;
    assert_eq!(a.as_array().unwrap().len(), 1, "{a}");
    let one = &a[0];
    assert_eq!((one["id"].as_str(), &one["name_zh"]), (Some(ID), &name));
    assert_eq!((one["archived_by"].as_str(), one["comment"].as_str()), (Some("planner1"), Some("merged")));
    assert_eq!((one["version"].as_i64(), one["last_live_version"].as_i64()), (Some(2), Some(1)));
    assert!(one["archived_at"].as_str().unwrap().ends_with('Z'), "{one}");
    // What the list gives is exactly what a restore takes.
    let r = app
        .req(Method::POST, &format!("{path}/restore"), Some(&t))
        .header("if-match", format!("\"{}\"", one["version"]))
        .json(&json!({"version": one["last_live_version"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(list(&app).await, json!([]));
}

/// 20 clients update one project at once, each retrying on 412 until it gets through: every
/// accepted write is in the history exactly once and the final state is the last accepted write.
async fn twenty_concurrent_editors_lose_nothing(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else { return };
    let t = app.user("planner1", Role::Planner).await;
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for i in 0..20 {
        let (app, t) = (app.clone(), t.clone());
        tasks.push(tokio::spawn(async move {
            let marker = format!("editor {i}");
            for _ in 0..200 {
                let v = app.version(ID).await;
                let r = app
                    .req(Method::PATCH, &format!("/api/projects/{ID}"), Some(&t))
                    .header("if-match", format!("\"{v}\""))
                    .json(&json!({"properties":{"description": marker}}))
                    .send()
                    .await
                    .unwrap();
                match r.status().as_u16() {
                    200 => return (r.headers()["etag"].to_str().unwrap().trim_matches('"').parse::<i64>().unwrap(), marker),
                    412 => continue,
                    other => panic!("unexpected {other}: {}", r.text().await.unwrap()),
                }
            }
            panic!("editor {i} never got through");
        }));
    }
    let mut accepted = Vec::new();
    for t in tasks {
        accepted.push(t.await.unwrap());
    }
    accepted.sort();
    let versions: Vec<i64> = accepted.iter().map(|a| a.0).collect();
    assert_eq!(versions, (2..=21).collect::<Vec<_>>(), "every accepted write got its own version");
    let (_, h) = app.get_json(&format!("/api/projects/{ID}/history")).await;
    let h = h.as_array().unwrap();
    assert_eq!(h.len(), 21);
    for (v, marker) in &accepted {
        let in_history: Vec<&Value> = h.iter().filter(|r| r["feature"]["properties"]["description"] == json!(marker)).collect();
        assert_eq!(in_history.len(), 1, "{marker}");
        assert_eq!(in_history[0]["version"], json!(v));
    }
    let (_, now) = app.get_json(&format!("/api/projects/{ID}")).await;
    assert_eq!(now["properties"]["description"], json!(accepted.last().unwrap().1));
    assert_eq!(now["properties"]["version"], 21);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_editors_lose_nothing_on_sqlite() {
    twenty_concurrent_editors_lose_nothing(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_editors_lose_nothing_on_postgis() {
    twenty_concurrent_editors_lose_nothing(Kind::Postgis).await;
}

async fn as_of_answers_the_map_as_it_was(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else { return };
    let t = app.user("planner1", Role::Planner).await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let before = planmap::time::rfc3339(planmap::time::now_micros());
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let r = app
        .req(Method::POST, "/api/projects", Some(&t))
        .json(&feature("new-pier", square(121.1, 27.8, 0.01), json!({"status":"planned"})))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = app
        .req(Method::PATCH, &format!("/api/projects/{ID}"), Some(&t))
        .header("if-match", "\"1\"")
        .json(&json!({"properties":{"status":"suspended"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let enc = |s: &str| s.replace('+', "%2B").replace(':', "%3A");
    let (s, then) = app.get_json(&format!("/api/projects?as_of={}", enc(&before))).await;
    assert_eq!(s, 200);
    let ids: Vec<&str> = then["features"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert!(!ids.contains(&"new-pier"));
    let old = then["features"].as_array().unwrap().iter().find(|f| f["id"] == ID).unwrap();
    assert_eq!(old["properties"]["status"], "completed");
    let (_, now) = app.get_json("/api/projects?status=suspended").await;
    assert!(now["features"].as_array().unwrap().iter().any(|f| f["id"] == ID));
    let (_, then_suspended) = app.get_json(&format!("/api/projects?status=suspended&as_of={}", enc(&before))).await;
    assert!(!then_suspended["features"].as_array().unwrap().iter().any(|f| f["id"] == ID));
    let (s, stats) = app.get_json(&format!("/api/stats?as_of={}", enc(&before))).await;
    assert_eq!(s, 200);
    assert_eq!(stats["count"].as_u64().unwrap() as usize, ids.len());
    let (s, p) = app.get_json("/api/projects?as_of=yesterday").await;
    assert_eq!((s, p["parameter"].as_str()), (400, Some("as_of")));
    let (_, far_past) = app.get_json("/api/projects?as_of=2000-01-01").await;
    assert_eq!(far_past["features"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn as_of_answers_the_map_as_it_was_on_sqlite() {
    as_of_answers_the_map_as_it_was(Kind::Sqlite).await;
}

#[tokio::test]
async fn as_of_answers_the_map_as_it_was_on_postgis() {
    as_of_answers_the_map_as_it_was(Kind::Postgis).await;
}

#[tokio::test]
async fn sign_in_only_reads_turn_anonymous_callers_away() {
    let app = TestApp::spawn_with(Kind::Sqlite, |c| c.edit.read_access = planmap::config::ReadAccess::SignedIn).await.unwrap();
    let viewer = app.user("viewer1", Role::Viewer).await;
    assert_eq!(app.get("/api/projects").await.status(), 401);
    assert_eq!(app.get("/api/stats").await.status(), 401);
    assert_eq!(app.get(&format!("/api/projects/{ID}/history")).await.status(), 401);
    let no_redirect = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = no_redirect.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/signin.html");
    assert_eq!(app.get("/signin.html").await.status(), 200);
    assert_eq!(app.get("/healthz").await.status(), 200);
    assert_eq!(app.req(Method::GET, "/api/projects", Some(&viewer)).send().await.unwrap().status(), 200);
    assert_eq!(app.req(Method::GET, "/api/projects", Some("pm_not-a-token")).send().await.unwrap().status(), 401);
}

#[tokio::test]
async fn the_editing_pages_and_vendored_terra_draw_are_served_offline() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    for page in ["/edit.html", "/signin.html"] {
        let html = app.get(page).await.text().await.unwrap();
        assert!(!html.contains("https://") && !html.contains("http://"), "{page} must load nothing from the internet");
    }
    let edit = app.get("/edit.html").await.text().await.unwrap();
    assert!(edit.contains("vendor/terra-draw/terra-draw.modern.js"), "the import map points at the vendored terra-draw");
    for path in [
        "/edit.js",
        "/signin.js",
        "/edit.css",
        "/vendor/terra-draw/terra-draw.modern.js",
        "/vendor/terra-draw/terra-draw-maplibre-gl-adapter.modern.js",
        "/vendor/terra-draw/LICENSE",
        "/vendor/terra-draw/VERSION",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status(), 200, "{path}");
        assert!(!r.bytes().await.unwrap().is_empty(), "{path}");
    }
}
