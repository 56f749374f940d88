//! PostgreSQL going away under a running planmap, as an operator sees it: the app reaches the
//! database through a TCP relay the test controls, so "down" is real (connections cut, new ones
//! refused) without touching the shared server. While down, reads answer 503 problem+json with
//! `Retry-After` within the pool's short acquire timeout and `/readyz` turns false within two
//! seconds; when the database is back, everything answers again without a restart.

use crate::support::{pg_admin_url, Kind, TestApp};
use planmap::store::StoreUrl;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Relays 127.0.0.1:port to the PostgreSQL server; `cut` drops every relayed connection and
/// refuses new ones until `restore`; `drop_connections` only drops the open ones (a restart blip).
struct Relay {
    port: u16,
    down: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accept: JoinHandle<()>,
}

impl Relay {
    async fn start(target: String) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let down = Arc::new(AtomicBool::new(false));
        let links: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (d, l) = (down.clone(), links.clone());
        let accept = tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else { return };
                if d.load(Ordering::SeqCst) {
                    // Closed at once: the driver sees the server vanish during its handshake.
                    drop(client);
                    continue;
                }
                let target = target.clone();
                let link = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                l.lock().unwrap().push(link);
            }
        });
        Relay { port, down, links, accept }
    }

    fn drop_connections(&self) {
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }

    fn cut(&self) {
        self.down.store(true, Ordering::SeqCst);
        self.drop_connections();
    }

    fn restore(&self) {
        self.down.store(false, Ordering::SeqCst);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.accept.abort();
        self.drop_connections();
    }
}

/// `host:port` of the PostgreSQL server the tests use.
fn pg_target() -> String {
    let url = pg_admin_url();
    let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    let host = rest.split('/').next().unwrap_or("127.0.0.1:5432");
    if host.contains(':') {
        host.to_owned()
    } else {
        format!("{host}:5432")
    }
}

/// The same database URL, through the relay.
fn through(url: &StoreUrl, port: u16, target: &str) -> StoreUrl {
    let StoreUrl::Postgres(u) = url else { panic!("a PostGIS test") };
    StoreUrl::Postgres(u.replacen(target, &format!("127.0.0.1:{port}"), 1))
}

async fn status_and_retry_after(app: &TestApp, path: &str) -> (u16, Option<String>, Option<String>, Duration) {
    let started = Instant::now();
    let r = app.get(path).await;
    let took = started.elapsed();
    let status = r.status().as_u16();
    let retry = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
    let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
    (status, retry, ct, took)
}

#[tokio::test]
async fn a_database_outage_is_503_with_retry_after_and_readyz_false_then_recovers() {
    let target = pg_target();
    let relay = Relay::start(target.clone()).await;
    let port = relay.port;
    let t = target.clone();
    let Some(app) = TestApp::spawn_with(Kind::Postgis, move |c| c.database_url = through(&c.database_url, port, &t)).await else { return };
    assert_eq!(app.get("/api/projects?status=completed").await.status(), 200);
    assert_eq!(app.get("/readyz").await.status(), 200);

    // A restart blip: every open connection dies, new ones work. Reads do not fail.
    relay.drop_connections();
    for path in ["/api/projects?status=completed", "/api/projects/zhuangyuanao-port-phase2", "/readyz"] {
        assert_eq!(app.get(path).await.status(), 200, "{path} after the connections dropped");
    }

    relay.cut();
    let (status, retry, ct, took) = status_and_retry_after(&app, "/readyz").await;
    assert_eq!(status, 503, "readyz with the database down");
    assert!(took < Duration::from_millis(2500), "readyz took {took:?}");
    assert_eq!(ct.as_deref(), Some("application/problem+json"));
    assert!(retry.is_some(), "readyz 503 without Retry-After");
    for path in ["/api/projects?status=completed", "/api/projects/zhuangyuanao-port-phase2", "/ogcapi/collections/projects/items?limit=1", "/api/stats"] {
        let (status, retry, ct, took) = status_and_retry_after(&app, path).await;
        assert_eq!(status, 503, "{path} with the database down");
        assert_eq!(ct.as_deref(), Some("application/problem+json"), "{path}");
        let secs: u64 = retry.unwrap_or_else(|| panic!("{path}: 503 without Retry-After")).parse().unwrap();
        assert!((1..=60).contains(&secs), "{path}: Retry-After {secs}");
        assert!(took < Duration::from_secs(5), "{path} took {took:?}, not a prompt 503");
    }
    let r = app.get("/api/projects?status=completed").await;
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["status"], 503);
    assert!(body["retry_after_seconds"].as_u64().is_some(), "{body}");

    relay.restore();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let ready = app.get("/readyz").await.status() == 200;
        let listed = app.get("/api/projects?status=completed").await.status() == 200;
        if ready && listed {
            break;
        }
        assert!(Instant::now() < deadline, "planmap did not recover within 10 s of the database coming back");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
