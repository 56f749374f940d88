//! Shared test support: a fresh store per test (SQLite temp file or a new PostGIS database),
//! the real app on 127.0.0.1:0, and project fixtures.
//!
//! PostGIS: the server URL comes from `PLANMAP_TEST_PG` (default
//! postgres://postgres@127.0.0.1:5432/postgres). Each test creates `planmap_test_<uuid>` and drops
//! it afterwards. When PostGIS is unreachable: with `CI=true` the test panics with the reason;
//! otherwise it prints one loud `SKIPPED` line.
#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use planmap::app::App;
use planmap::config::Config;
use planmap::project::{NewProject, Rules};
use planmap::store::{self, Store, StoreUrl};
use serde_json::{json, Value};
use std::sync::Arc;

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgis,
}

/// A database that disappears with the value.
pub struct TestDb {
    pub url: StoreUrl,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

pub fn pg_admin_url() -> String {
    std::env::var("PLANMAP_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

impl TestDb {
    pub async fn new(kind: Kind) -> Option<TestDb> {
        match kind {
            Kind::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = StoreUrl::Sqlite(format!("sqlite:{}", dir.path().join("planmap.db").display()));
                Some(TestDb { url, _dir: Some(dir), pg_name: None })
            }
            Kind::Postgis => {
                let admin = pg_admin_url();
                let name = format!("planmap_test_{}", uuid::Uuid::new_v4().simple());
                let created = async {
                    use sqlx::Connection;
                    let mut c = sqlx::PgConnection::connect(&admin).await.map_err(|e| format!("cannot connect to {admin}: {e}"))?;
                    sqlx::query(&format!("create database \"{name}\"")).execute(&mut c).await.map_err(|e| format!("cannot create a database: {e}"))?;
                    Ok::<(), String>(())
                }
                .await;
                if let Err(reason) = created {
                    return skip(&reason);
                }
                let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b).to_owned();
                let db = TestDb { url: StoreUrl::Postgres(format!("{base}/{name}")), _dir: None, pg_name: Some(name) };
                Some(db)
            }
        }
    }

    /// Opens the store (migrations run; PostGIS missing shows up here).
    pub async fn store(&self) -> Option<Arc<dyn Store>> {
        match store::open(&self.url, planmap::geometry::Region::DONGTOU).await {
            Ok(s) => Some(s),
            Err(e) if self.pg_name.is_some() => skip(&e.to_string()),
            Err(e) => panic!("cannot open the SQLite store: {e}"),
        }
    }
}

fn skip<T>(reason: &str) -> Option<T> {
    if in_ci() {
        panic!("PostGIS is required when CI=true and is not usable: {reason}");
    }
    eprintln!("SKIPPED postgis test: {reason} (set CI=true to make this a failure)");
    None
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else { return };
        let admin = pg_admin_url();
        // Drop runs inside the test's runtime, which cannot block on itself: use a thread with its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                use sqlx::Connection;
                if let Ok(mut c) = sqlx::PgConnection::connect(&admin).await {
                    let _ = sqlx::query(&format!("drop database if exists \"{name}\" with (force)")).execute(&mut c).await;
                }
            });
        })
        .join();
    }
}

/// The real app on a random port.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Arc<dyn Store>,
    _db: TestDb,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
    pub async fn spawn(kind: Kind) -> Option<TestApp> {
        Self::spawn_with(kind, |_| {}).await
    }

    pub async fn spawn_with(kind: Kind, tweak: impl FnOnce(&mut Config)) -> Option<TestApp> {
        planmap::telemetry::init_for_tests();
        let db = TestDb::new(kind).await?;
        // Open once first so that a missing PostGIS is reported as such, not as an app failure.
        let store = db.store().await?;
        drop(store);
        let mut config = Config::for_tests(db.url.clone());
        tweak(&mut config);
        let app = App::build(config).await.unwrap();
        let addr = app.local_addr().unwrap();
        let store = app.state().store.clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app.run(async move {
            let _ = rx.await;
        }));
        Some(TestApp { base: format!("http://{addr}"), client: reqwest::Client::new(), store, _db: db, stop: Some(tx) })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        let v = r.json::<Value>().await.unwrap_or(Value::Null);
        (status, v)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// A valid Feature with the given id and geometry, and `extra` properties merged in.
pub fn feature(id: &str, geometry: Value, extra: Value) -> Value {
    let mut props = json!({
        "name_zh": format!("测试项目 {id}"),
        "kind": "other",
        "sources": [{"title": "test fixture", "url": null}],
        "location_confidence": "low"
    });
    if let (Some(p), Some(e)) = (props.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            p.insert(k.clone(), v.clone());
        }
    }
    json!({"type": "Feature", "id": id, "geometry": geometry, "properties": props})
}

pub fn point(x: f64, y: f64) -> Value {
    json!({"type": "Point", "coordinates": [x, y]})
}

/// Checks a Feature into a project with default rules.
pub fn project(id: &str, geometry: Value, extra: Value) -> NewProject {
    NewProject::from_feature(&feature(id, geometry, extra), None, &Rules::default()).unwrap()
}

impl TestApp {
    /// Adds a user with a known password and returns an API token for them.
    pub async fn user(&self, name: &str, role: planmap::auth::Role) -> String {
        use planmap::auth::{password, token, AuditEntry, UserName};
        let hash = password::hash(&format!("{name}-password")).unwrap();
        // Fixture set-up is logged as `seed`, which the audit assertions leave out as they do the seed's own lines.
        let u = self.store.add_user(&UserName::parse(name).unwrap(), role, &hash, &AuditEntry::now("seed", "user_add", Some(name), None, None)).await.unwrap();
        let t = token::new_api_token();
        let line = AuditEntry::now("seed", "token_add", Some(name), None, None);
        self.store.add_token(&token::digest(&t), u.id, Some("test"), planmap::time::now_micros(), &line).await.unwrap();
        t
    }

    /// A request with an optional Bearer token.
    pub fn req(&self, method: reqwest::Method, path: &str, token: Option<&str>) -> reqwest::RequestBuilder {
        let b = self.client.request(method, self.url(path));
        match token {
            Some(t) => b.bearer_auth(t),
            None => b,
        }
    }

    /// The current version (ETag) of a project.
    pub async fn version(&self, id: &str) -> i64 {
        let r = self.get(&format!("/api/projects/{id}")).await;
        assert_eq!(r.status(), 200, "GET {id}");
        r.headers()["etag"].to_str().unwrap().trim_matches('"').parse().unwrap()
    }
}

impl TestApp {
    /// The store URL this app runs on, so a second instance can share it.
    pub fn db_url(&self) -> StoreUrl {
        self._db.url.clone()
    }
}

/// Runs a GDAL tool (or any command) and returns its output; fails the test when it fails.
pub async fn run(cmd: &str, args: &[&str]) -> String {
    let out = tokio::process::Command::new(cmd)
        .args(args)
        .env("CPL_DEBUG", "OFF")
        .output()
        .await
        .unwrap_or_else(|e| panic!("{cmd} is required (apt-get install gdal-bin; scripts/test installs it): {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{cmd} {args:?} failed:\n{text}");
    text
}
