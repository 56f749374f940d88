//! Several planmap instances on one PostGIS share sign-ins, rate limits and history, and the
//! command line manages users and tokens the server honours.

use crate::support::{Kind, TestApp};
use planmap::auth::Role;
use reqwest::Method;
use serde_json::{json, Value};

const ID: &str = "zhuangyuanao-port-phase2";

#[tokio::test]
async fn two_instances_on_one_postgis_share_sessions_rate_limits_and_versions() {
    let Some(a) = TestApp::spawn(Kind::Postgis).await else { return };
    let url = a.db_url();
    let b = TestApp::spawn_with(Kind::Postgis, move |c| c.database_url = url).await.unwrap();
    a.user("planner1", Role::Planner).await;
    // Signed in on A, the cookie works on B.
    let r = a.client.post(a.url("/api/session")).json(&json!({"name":"planner1","password":"planner1-password"})).send().await.unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let r = b.client.get(b.url("/api/session")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["user"]["name"], "planner1");
    // A write through A makes B's view of the version stale.
    let r = a
        .client
        .patch(a.url(&format!("/api/projects/{ID}")))
        .header("cookie", &cookie)
        .header("if-match", "\"1\"")
        .json(&json!({"properties":{"progress_pct":5}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = b
        .client
        .patch(b.url(&format!("/api/projects/{ID}")))
        .header("cookie", &cookie)
        .header("if-match", "\"1\"")
        .json(&json!({"properties":{"progress_pct":6}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 412);
    // Signing out on B ends the session on A.
    b.client.delete(b.url("/api/session")).header("cookie", &cookie).send().await.unwrap();
    let r = a.client.get(a.url("/api/session")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["user"], Value::Null);
    // Failed sign-ins on A and B add up.
    for app in [&a, &b, &a, &b, &a] {
        let r = app.client.post(app.url("/api/session")).json(&json!({"name":"planner1","password":"wrong"})).send().await.unwrap();
        assert_eq!(r.status(), 401);
    }
    let r = b.client.post(b.url("/api/session")).json(&json!({"name":"planner1","password":"planner1-password"})).send().await.unwrap();
    assert_eq!(r.status(), 429);
}

fn planmap(db: &str, args: &[&str], stdin: Option<&str>) -> (bool, String) {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_planmap"))
        .args(args)
        .env("DATABASE_URL", db)
        .env_remove("RUST_LOG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[tokio::test]
async fn the_cli_adds_users_and_tokens_the_server_honours() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let db = app.db_url().to_string();
    let (ok, out) = planmap(&db, &["user", "add", "bot", "--role", "planner", "--password-stdin"], Some("a long enough password\n"));
    assert!(ok, "{out}");
    let (ok, generated) = planmap(&db, &["user", "add", "reader", "--role", "viewer"], None);
    assert!(ok && generated.contains("with password: "), "{generated}");
    let (ok, token) = planmap(&db, &["token", "add", "bot", "--label", "nightly sync"], None);
    assert!(ok);
    let token = token.trim().to_owned();
    assert!(token.starts_with("pm_"), "{token}");
    let (_, list) = planmap(&db, &["user", "list"], None);
    assert!(list.contains("bot") && list.contains("planner") && list.contains("reader"), "{list}");
    let r = app
        .req(Method::PATCH, &format!("/api/projects/{ID}"), Some(&token))
        .header("if-match", "\"1\"")
        .json(&json!({"properties":{"progress_pct":9}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = app.client.post(app.url("/api/session")).json(&json!({"name":"bot","password":"a long enough password"})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let (ok, _) = planmap(&db, &["user", "disable", "bot"], None);
    assert!(ok);
    let r = app
        .req(Method::PATCH, &format!("/api/projects/{ID}"), Some(&token))
        .header("if-match", "\"2\"")
        .json(&json!({"properties":{"progress_pct":10}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "a disabled user's token stops working at once");
    let (ok, _) = planmap(&db, &["user", "reset-password", "reader", "--password-stdin"], Some("another long password\n"));
    assert!(ok);
    let r = app.client.post(app.url("/api/session")).json(&json!({"name":"reader","password":"another long password"})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let (ok, _) = planmap(&db, &["user", "add", "bad name", "--role", "planner"], None);
    assert!(!ok);
    let actions: Vec<String> = app.store.audit_log(100).await.unwrap().into_iter().filter(|e| e.actor == "cli").map(|e| e.action).collect();
    assert_eq!(actions, ["user_password", "user_disable", "token_add", "user_add", "user_add"]);
}
