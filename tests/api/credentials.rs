//! Credentials over their lifetime, tried as an operator and an attacker would: disabling and
//! enabling revives nothing, a password reset revokes tokens, tokens are listed, revoked and
//! expire, the last admin stays, and sign-in throttling is per (account, address) with backoff
//! and `Retry-After`, so the owner can still sign in from elsewhere.

use crate::support::{Kind, TestApp};
use planmap::auth::Role;
use reqwest::Method;
use serde_json::{json, Value};

async fn sign_in(app: &TestApp, name: &str, password: &str, from: &str) -> reqwest::Response {
    app.client.post(app.url("/api/session")).header("x-forwarded-for", from).json(&json!({"name": name, "password": password})).send().await.unwrap()
}

fn cookie(r: &reqwest::Response) -> String {
    r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned()
}

async fn whoami(app: &TestApp, token: Option<&str>, cookie: Option<&str>) -> u16 {
    let mut b = app.req(Method::GET, "/api/users", token);
    if let Some(c) = cookie {
        b = b.header("cookie", c);
    }
    b.send().await.unwrap().status().as_u16()
}

async fn patch_user(app: &TestApp, admin: &str, name: &str, body: Value) -> (u16, Value) {
    let r = app.req(Method::PATCH, &format!("/api/users/{name}"), Some(admin)).json(&body).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn disable_then_enable_revives_no_token_or_session_and_a_reset_revokes_tokens() {
    let app = TestApp::spawn_with(Kind::Sqlite, |c| c.edit.trust_proxy = true).await.unwrap();
    let root = app.user("root", Role::Admin).await;
    let token = app.user("ops", Role::Admin).await;
    let session = cookie(&sign_in(&app, "ops", "ops-password", "10.0.0.1").await);
    assert_eq!(whoami(&app, Some(&token), None).await, 200);
    assert_eq!(whoami(&app, None, Some(&session)).await, 200);

    assert_eq!(patch_user(&app, &root, "ops", json!({"disabled": true})).await.0, 200);
    assert_eq!(patch_user(&app, &root, "ops", json!({"disabled": false})).await.0, 200);
    assert_eq!(whoami(&app, Some(&token), None).await, 401, "the old token stays dead after enable");
    assert_eq!(whoami(&app, None, Some(&session)).await, 401, "the old session stays dead after enable");

    // A fresh token and session work until the password is reset.
    let r = app.req(Method::POST, "/api/users/ops/tokens", Some(&root)).json(&json!({"label": "ci"})).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let fresh = r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    let session = cookie(&sign_in(&app, "ops", "ops-password", "10.0.0.1").await);
    assert_eq!(whoami(&app, Some(&fresh), None).await, 200);
    assert_eq!(patch_user(&app, &root, "ops", json!({"password": "a-new-long-password"})).await.0, 200);
    assert_eq!(whoami(&app, Some(&fresh), None).await, 401, "reset-password revokes API tokens");
    assert_eq!(whoami(&app, None, Some(&session)).await, 401, "and ends sessions");
}

#[tokio::test]
async fn tokens_are_listed_revoked_and_expire_through_the_admin_api() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let root = app.user("root", Role::Admin).await;
    app.user("bot", Role::Planner).await; // its fixture token, label "test"
    let r = app.req(Method::POST, "/api/users/bot/tokens", Some(&root)).json(&json!({"label": "nightly", "expires_days": 30})).send().await.unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let made: Value = r.json().await.unwrap();
    let secret = made["token"].as_str().unwrap().to_owned();
    let id = made["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 12);
    let expires = chrono::DateTime::parse_from_rfc3339(made["expires_at"].as_str().unwrap()).unwrap();
    let days = (expires.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_hours();
    assert!((29 * 24..=30 * 24).contains(&days), "{made}");

    let r = app.req(Method::GET, "/api/users/bot/tokens", Some(&root)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let listed: Value = r.json().await.unwrap();
    let tokens = listed["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 2, "{listed}");
    assert!(tokens.iter().any(|t| t["id"] == id.as_str() && t["label"] == "nightly" && t["expires_at"].is_string()), "{listed}");
    assert!(!listed.to_string().contains(&secret), "the secret is never listed");

    assert_eq!(app.req(Method::GET, "/api/projects?status=completed", Some(&secret)).send().await.unwrap().status(), 200);
    let r = app.req(Method::DELETE, &format!("/api/users/bot/tokens/{id}"), Some(&root)).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(app.req(Method::GET, "/api/projects?status=completed", Some(&secret)).send().await.unwrap().status(), 401, "revoked");
    for (path, status) in
        [(format!("/api/users/bot/tokens/{id}"), 404), ("/api/users/bot/tokens/nothex".to_owned(), 404), (format!("/api/users/nobody/tokens/{id}"), 404)]
    {
        let r = app.req(Method::DELETE, &path, Some(&root)).send().await.unwrap();
        assert_eq!(r.status(), status, "{path}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }
    for bad in [json!({"expires_days": 0}), json!({"expires_days": 99999}), json!({"expires_days": "soon"}), json!({"label": 5})] {
        let r = app.req(Method::POST, "/api/users/bot/tokens", Some(&root)).json(&bad).send().await.unwrap();
        assert_eq!(r.status(), 422, "{bad}");
    }
    // Only admins manage tokens.
    let planner = app.user("planner1", Role::Planner).await;
    assert_eq!(app.req(Method::GET, "/api/users/bot/tokens", Some(&planner)).send().await.unwrap().status(), 403);
    // An expired token is refused like an unknown one.
    let u = app.store.user_with_hash(&planmap::auth::UserName::parse("bot").unwrap()).await.unwrap().unwrap().0;
    let old = planmap::auth::token::new_api_token();
    let now = planmap::time::now_micros();
    let line = planmap::auth::AuditEntry::now("seed", "token_add", Some("bot"), None, None);
    app.store.add_expiring_token(&planmap::auth::token::digest(&old), u.id, None, now, Some(now - chrono::Duration::seconds(1)), &line).await.unwrap();
    assert_eq!(app.req(Method::GET, "/api/projects?status=completed", Some(&old)).send().await.unwrap().status(), 401);
}

#[tokio::test]
async fn the_last_enabled_admin_cannot_disable_or_demote_itself() {
    for kind in [Kind::Sqlite, Kind::Postgis] {
        let Some(app) = TestApp::spawn(kind).await else { continue };
        let root = app.user("root", Role::Admin).await;
        for body in [json!({"disabled": true}), json!({"role": "planner"})] {
            let (status, p) = patch_user(&app, &root, "root", body.clone()).await;
            assert_eq!(status, 409, "{kind:?} {body}: {p}");
            assert!(p["detail"].as_str().unwrap().contains("last enabled admin"), "{p}");
        }
        assert_eq!(whoami(&app, Some(&root), None).await, 200, "{kind:?}: still an admin");
        app.user("second", Role::Admin).await;
        assert_eq!(patch_user(&app, &root, "root", json!({"role": "planner"})).await.0, 200, "{kind:?}");
    }
}

#[tokio::test]
async fn throttling_is_per_account_and_address_with_backoff_and_retry_after() {
    let app = TestApp::spawn_with(Kind::Sqlite, |c| {
        c.edit.trust_proxy = true;
        c.edit.max_failed_sign_ins = 2;
    })
    .await
    .unwrap();
    app.user("owner", Role::Planner).await;
    app.user("colleague", Role::Planner).await;
    let attacker = "203.0.113.9";
    for _ in 0..2 {
        assert_eq!(sign_in(&app, "owner", "guess", attacker).await.status(), 401);
    }
    // The attacker's address now waits, even with the right password …
    let r = sign_in(&app, "owner", "owner-password", attacker).await;
    assert_eq!(r.status(), 429);
    let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=30).contains(&retry), "first wait is 30 s: {retry}");
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["retry_after_seconds"], retry);
    // … while the owner at their own desk signs in, and so does anyone else from the attacker's address.
    assert_eq!(sign_in(&app, "owner", "owner-password", "198.51.100.7").await.status(), 200);
    assert_eq!(sign_in(&app, "colleague", "colleague-password", attacker).await.status(), 200);

    // Behind one office NAT, far more than the old 30 failures (over many names) lock nobody out …
    let office = "192.0.2.1";
    for i in 0..39 {
        assert_eq!(sign_in(&app, &format!("typo{i}"), "nope", office).await.status(), 401, "failure {i}");
    }
    assert_eq!(sign_in(&app, "colleague", "colleague-password", office).await.status(), 200);
    // … but the address allowance (20 × 2) is finite: past it, everyone there waits, with Retry-After.
    assert_eq!(sign_in(&app, "typo-last", "nope", office).await.status(), 401);
    let r = sign_in(&app, "colleague", "colleague-password", office).await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    let refused = app.store.audit_log(200).await.unwrap().iter().filter(|e| e.action == "sign_in_refused").count();
    assert_eq!(refused, 2);
}
