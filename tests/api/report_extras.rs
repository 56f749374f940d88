//! Photos, the 月报表 (XLSX and CSV), reminders and plan-target values over HTTP (issue 10, items
//! 6–10), on both stores.

use crate::support::{Kind, TestApp};
use planmap::auth::{Role, UserName};
use planmap::progress::{Period, UnitName};
use reqwest::Method;
use serde_json::{json, Value};
use std::io::Cursor;

const PORT: &str = "zhuangyuanao-port-phase3"; // 区交通运输局

fn period() -> String {
    Period::of(planmap::service::progress::today()).prev().to_string()
}

async fn unit_user(app: &TestApp, name: &str, role: Role, units: &[&str]) -> String {
    let token = app.user(name, role).await;
    let units: Vec<UnitName> = units.iter().map(|u| UnitName::parse(u).unwrap()).collect();
    let audit = planmap::auth::AuditEntry::now("test", "user_units", Some(name), None, None);
    app.store.set_user_units(&UserName::parse(name).unwrap(), &units, &audit).await.unwrap();
    token
}

async fn call(app: &TestApp, method: Method, path: &str, token: Option<&str>, if_match: Option<i64>, body: Option<Value>) -> (u16, Value) {
    let mut b = app.req(method, path, token);
    if let Some(v) = if_match {
        b = b.header("if-match", format!("\"{v}\""));
    }
    if let Some(body) = body {
        b = b.json(&body);
    }
    let r = b.send().await.unwrap();
    let status = r.status().as_u16();
    if status >= 400 {
        assert_eq!(r.headers()["content-type"], "application/problem+json", "{path} → {status}");
    }
    (status, r.json::<Value>().await.unwrap_or(Value::Null))
}

async fn post_image(app: &TestApp, rid: i64, token: &str, content_type: &str, bytes: Vec<u8>) -> (u16, Value) {
    let r = app.req(Method::POST, &format!("/api/reports/{rid}/photos"), Some(token)).header("content-type", content_type).body(bytes).send().await.unwrap();
    let status = r.status().as_u16();
    if status >= 400 {
        assert_eq!(r.headers()["content-type"], "application/problem+json", "photo → {status}");
    }
    (status, r.json::<Value>().await.unwrap_or(Value::Null))
}

/// A 640×480 JPEG with EXIF DateTimeOriginal and a GPS position (27°50'24"N 121°4'12"E), as a
/// phone writes them.
fn jpeg_with_exif() -> Vec<u8> {
    use exif::{experimental::Writer, Field, In, Rational, Tag, Value as V};
    let img = image::RgbImage::from_fn(640, 480, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85).encode_image(&img).unwrap();
    let r = |num, denom| Rational { num, denom };
    let fields = [
        Field { tag: Tag::DateTimeOriginal, ifd_num: In::PRIMARY, value: V::Ascii(vec![b"2026:11:20 10:30:05".to_vec()]) },
        Field { tag: Tag::GPSLatitudeRef, ifd_num: In::PRIMARY, value: V::Ascii(vec![b"N".to_vec()]) },
        Field { tag: Tag::GPSLatitude, ifd_num: In::PRIMARY, value: V::Rational(vec![r(27, 1), r(50, 1), r(2400, 100)]) },
        Field { tag: Tag::GPSLongitudeRef, ifd_num: In::PRIMARY, value: V::Ascii(vec![b"E".to_vec()]) },
        Field { tag: Tag::GPSLongitude, ifd_num: In::PRIMARY, value: V::Rational(vec![r(121, 1), r(4, 1), r(12, 1)]) },
    ];
    let mut w = Writer::new();
    for f in &fields {
        w.push_field(f);
    }
    let mut tiff = Cursor::new(Vec::new());
    w.write(&mut tiff, false).unwrap();
    let tiff = tiff.into_inner();
    let len = u16::try_from(2 + 6 + tiff.len()).unwrap();
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(&tiff);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(w, h, image::Rgba([10, 120, 200, 255]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn webp(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(w, h, image::Rgba([200, 120, 10, 255]));
    let mut out = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut out).encode(&img, w, h, image::ExtendedColorType::Rgba8).unwrap();
    out
}

async fn draft(app: &TestApp, token: &str, p: &str, problems: &str) -> i64 {
    let body = json!({"period": p, "investment_month": "120.5", "investment_year_to_date": "800", "investment_to_date": "800",
                      "progress_pct": 35, "progress_text": "桩基施工", "problems": problems});
    let (st, r) = call(app, Method::POST, &format!("/api/projects/{PORT}/reports"), Some(token), None, Some(body)).await;
    assert_eq!(st, 201, "{r}");
    r["id"].as_i64().unwrap()
}

async fn photos_are_sniffed_thumbnailed_and_served_to_readers(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else { return };
    let p = period();
    let traffic = unit_user(&app, "traffic", Role::Planner, &["区交通运输局"]).await;
    let school = unit_user(&app, "school", Role::Planner, &["区教育局"]).await;
    let office = app.user("office", Role::Reviewer).await;
    let viewer = app.user("viewer", Role::Viewer).await;
    let rid = draft(&app, &traffic, &p, "无").await;

    let jpeg = jpeg_with_exif();
    let (st, ph) = post_image(&app, rid, &traffic, "image/jpeg", jpeg.clone()).await;
    assert_eq!(st, 201, "{ph}");
    assert_eq!((ph["content_type"].as_str(), ph["width"].as_i64(), ph["height"].as_i64()), (Some("image/jpeg"), Some(640), Some(480)));
    assert_eq!(ph["taken_at"], "2026-11-20T10:30:05");
    assert!((ph["position"]["lat"].as_f64().unwrap() - 27.84).abs() < 1e-9, "{ph}");
    assert!((ph["position"]["lon"].as_f64().unwrap() - 121.07).abs() < 1e-9, "{ph}");
    assert_eq!(ph["uploaded_by"], "traffic");
    let url = ph["url"].as_str().unwrap().to_owned();
    let thumb_url = ph["thumbnail_url"].as_str().unwrap().to_owned();

    // Readers: signed-in users; the image comes back byte for byte with immutable caching.
    assert_eq!(app.get(&url).await.status(), 401);
    let r = app.req(Method::GET, &url, Some(&viewer)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(r.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(r.bytes().await.unwrap().to_vec(), jpeg);
    let again = app.req(Method::GET, &url, Some(&viewer)).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    // The thumbnail is a JPEG at most 320 px wide, made on the server.
    let t = app.req(Method::GET, &thumb_url, Some(&viewer)).send().await.unwrap();
    assert_eq!((t.status().as_u16(), t.headers()["content-type"].to_str().unwrap()), (200, "image/jpeg"));
    assert_ne!(t.headers()["etag"].to_str().unwrap(), etag);
    let thumb = image::load_from_memory(&t.bytes().await.unwrap()).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (320, 240));

    // PNG and WebP are accepted too; the content decides, not the name or the header.
    let (st, ph2) = post_image(&app, rid, &traffic, "image/png", png(50, 20)).await;
    assert_eq!((st, ph2["content_type"].as_str(), ph2["taken_at"].clone()), (201, Some("image/png"), Value::Null), "{ph2}");
    let (st, ph3) = post_image(&app, rid, &traffic, "image/webp", webp(30, 40)).await;
    assert_eq!((st, ph3["content_type"].as_str(), ph3["width"].as_i64()), (201, Some("image/webp"), Some(30)), "{ph3}");
    let (st, mislabelled) = post_image(&app, rid, &traffic, "image/jpeg", png(5, 5)).await;
    assert_eq!(st, 415, "{mislabelled}");
    assert!(mislabelled["detail"].as_str().unwrap().contains("image/png"), "{mislabelled}");
    assert_eq!(post_image(&app, rid, &traffic, "image/gif", b"GIF89a\x01\0\x01\0".to_vec()).await.0, 415);
    assert_eq!(post_image(&app, rid, &traffic, "image/png", b"%PDF-1.7 not an image".to_vec()).await.0, 415);
    let (st, cut) = post_image(&app, rid, &traffic, "image/jpeg", jpeg[..300].to_vec()).await;
    assert_eq!(st, 422, "a truncated JPEG: {cut}");
    let mut huge = vec![0u8; planmap::progress::PHOTO_MAX_BYTES + 1];
    huge[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
    let (st, big) = post_image(&app, rid, &traffic, "image/jpeg", huge).await;
    assert_eq!((st, big["limit"].as_u64()), (413, Some(planmap::progress::PHOTO_MAX_BYTES as u64)), "{big}");
    // Who may: the project's unit, not another unit, not a viewer.
    assert_eq!(post_image(&app, rid, &school, "image/png", png(5, 5)).await.0, 403);
    assert_eq!(post_image(&app, rid, &viewer, "image/png", png(5, 5)).await.0, 403);
    assert_eq!(post_image(&app, rid + 1000, &traffic, "image/png", png(5, 5)).await.0, 404);

    let (st, list) = call(&app, Method::GET, &format!("/api/reports/{rid}/photos"), Some(&viewer), None, None).await;
    assert_eq!(st, 200);
    assert_eq!(list["photos"].as_array().unwrap().len(), 3, "{list}");
    assert_eq!(call(&app, Method::GET, "/api/photos/999999", Some(&viewer), None, None).await.0, 404);

    // Once approved the report is immutable: no more photos.
    assert_eq!(call(&app, Method::POST, &format!("/api/reports/{rid}/submit"), Some(&traffic), Some(1), None).await.0, 200);
    assert_eq!(call(&app, Method::POST, &format!("/api/reports/{rid}/approve"), Some(&office), Some(2), None).await.0, 200);
    assert_eq!(post_image(&app, rid, &traffic, "image/png", png(5, 5)).await.0, 409);
    let log = app.store.audit_log(200).await.unwrap();
    assert_eq!(log.iter().filter(|e| e.action == "report_photo").count(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_are_sniffed_thumbnailed_and_served_to_readers_sqlite() {
    photos_are_sniffed_thumbnailed_and_served_to_readers(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_are_sniffed_thumbnailed_and_served_to_readers_postgis() {
    photos_are_sniffed_thumbnailed_and_served_to_readers(Kind::Postgis).await;
}

async fn the_month_table_opens_with_its_columns_and_figures(kind: Kind) {
    use calamine::{Data, Reader};
    let Some(app) = TestApp::spawn(kind).await else { return };
    let p = period();
    let year: i32 = p[..4].parse().unwrap();
    let traffic = unit_user(&app, "traffic", Role::Planner, &["区交通运输局"]).await;
    let office = app.user("office", Role::Reviewer).await;
    // An annual plan so 完成率 has something to divide by (test values).
    let v = app.version(PORT).await;
    let patch = json!({"properties": {"investment_total": "10000", "investment_by_year": [{"year": year, "plan": "2000"}]}});
    assert_eq!(call(&app, Method::PATCH, &format!("/api/projects/{PORT}"), Some(&office), Some(v), Some(patch)).await.0, 200);
    let rid = draft(&app, &traffic, &p, "=1+1 用海审批待批").await;
    assert_eq!(call(&app, Method::POST, &format!("/api/reports/{rid}/submit"), Some(&traffic), Some(1), None).await.0, 200);
    assert_eq!(call(&app, Method::POST, &format!("/api/reports/{rid}/approve"), Some(&office), Some(2), None).await.0, 200);

    let path = format!("/api/reports/export?period={p}&format=xlsx");
    assert_eq!(app.get(&path).await.status(), 401);
    let r = app.req(Method::GET, &path, Some(&traffic)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let disposition = r.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.contains(&format!("filename=\"report-{p}.xlsx\"")) && disposition.contains("filename*=UTF-8''"), "{disposition}");
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert!(matches!(&rows[0][0], Data::String(t) if t.contains("重点项目月报表")), "{:?}", rows[0]);
    let header: Vec<String> = rows[1].iter().map(|c| c.to_string()).collect();
    assert_eq!(header, planmap::progress::report_table::COLUMNS);
    let name = app.store.get(&planmap::project::ProjectId::parse(PORT).unwrap()).await.unwrap().props.name_zh;
    let row = rows.iter().find(|r| r[1] == Data::String(name.clone())).expect("the reported project's row");
    assert!(matches!(&row[2], Data::String(u) if u.contains("区交通运输局")), "{row:?}");
    assert_eq!(
        (row[3].clone(), row[4].clone(), row[5].clone(), row[6].clone()),
        (Data::Float(10000.0), Data::Float(2000.0), Data::Float(120.5), Data::Float(800.0))
    );
    assert_eq!(row[7], Data::Float(0.4), "完成率 = 800 / 2000");
    assert_eq!(row[8], Data::String("桩基施工（35%）".into()));
    // Formula-like text stays text: a string cell, not a formula.
    assert_eq!(row[9], Data::String("=1+1 用海审批待批".into()));
    let formulas = book.worksheet_formula(&book.sheet_names()[0].clone()).unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no formulas in the table");
    // Every other due project is listed as not reported, its figures empty (never 0).
    let others: Vec<&&[Data]> = rows[2..].iter().filter(|r| r[1] != Data::String(name.clone())).collect();
    assert!(!others.is_empty());
    assert!(others.iter().all(|r| r[8] == Data::String("未填报".into()) && r[5] == Data::Empty), "{:?}", others.first());
    let numbers: Vec<f64> = rows[2..].iter().map(|r| if let Data::Float(n) = r[0] { n } else { panic!("序号 {:?}", r[0]) }).collect();
    assert_eq!(numbers, (1..=numbers.len()).map(|n| n as f64).collect::<Vec<_>>());

    // CSV: the same rows, a BOM for Excel, the formula guard as a leading quote.
    let r = app.req(Method::GET, &format!("/api/reports/export?period={p}&format=csv"), Some(&traffic)).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let text = r.text().await.unwrap();
    assert!(text.starts_with('\u{feff}'));
    let mut csv = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(csv.headers().unwrap().iter().collect::<Vec<_>>(), planmap::progress::report_table::COLUMNS);
    let recs: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(recs.len(), rows.len() - 2);
    let rec = recs.iter().find(|r| r[1] == name).unwrap();
    assert_eq!((&rec[5], &rec[6], &rec[7], &rec[9]), ("120.5", "800", "40.0%", "'=1+1 用海审批待批"));

    // Bad parameters name themselves.
    for (q, param) in [("period=2026-13", "period"), ("format=pdf&period=2026-10", "format"), ("", "period"), ("period=2026-10&x=1", "x")] {
        let (st, bad) = call(&app, Method::GET, &format!("/api/reports/export?{q}"), Some(&traffic), None, None).await;
        assert_eq!(st, 400, "{q}: {bad}");
        assert!(bad.to_string().contains(param), "{q}: {bad}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_month_table_opens_with_its_columns_and_figures_sqlite() {
    the_month_table_opens_with_its_columns_and_figures(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_month_table_opens_with_its_columns_and_figures_postgis() {
    the_month_table_opens_with_its_columns_and_figures(Kind::Postgis).await;
}

/// A stand-in group robot: records each body and answers with `answer`.
async fn robot(answer: Value) -> (String, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = seen.clone();
    let app = axum::Router::new().route(
        "/robot/send",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let keep = keep.clone();
            let answer = answer.clone();
            async move {
                keep.lock().unwrap().push(body);
                axum::Json(answer)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/robot/send?access_token=test"), seen)
}

async fn reminders_list_late_units_and_reach_a_group_robot(kind: Kind) {
    let (url, seen) = robot(json!({"errcode": 0, "errmsg": "ok"})).await;
    let hook = url.clone();
    let Some(app) = TestApp::spawn_with(kind, move |c| c.edit.reminder_webhook = Some(hook)).await else { return };
    let p = period();
    let traffic = unit_user(&app, "traffic", Role::Planner, &["区交通运输局"]).await;
    let office = app.user("office", Role::Reviewer).await;
    let path = format!("/api/reports/reminders?period={p}");
    assert_eq!(call(&app, Method::GET, &path, None, None, None).await.0, 401);
    let (st, before) = call(&app, Method::GET, &path, Some(&traffic), None, None).await;
    assert_eq!(st, 200, "{before}");
    let units = |v: &Value| -> Vec<(String, Vec<String>)> {
        v["reminder"]["units"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                (
                    u["unit"].as_str().unwrap().to_owned(),
                    u["projects"].as_array().unwrap().iter().map(|p| p["project_id"].as_str().unwrap().to_owned()).collect(),
                )
            })
            .collect()
    };
    let traffic_before = units(&before).into_iter().find(|(u, _)| u == "区交通运输局").expect("区交通运输局 is late").1;
    assert!(traffic_before.contains(&PORT.to_owned()));
    // The default deadline: the 10th of the following month.
    let expected = planmap::service::reminders::deadline(p.parse().unwrap(), 10).to_string();
    assert_eq!(before["reminder"]["deadline"].as_str(), Some(expected.as_str()));
    assert!(expected.ends_with("-10"));
    // A submitted report takes the project off the list.
    let rid = draft(&app, &traffic, &p, "无").await;
    assert_eq!(call(&app, Method::POST, &format!("/api/reports/{rid}/submit"), Some(&traffic), Some(1), None).await.0, 200);
    let (_, after) = call(&app, Method::GET, &path, Some(&traffic), None, None).await;
    let traffic_after = units(&after).into_iter().find(|(u, _)| u == "区交通运输局").map(|(_, p)| p).unwrap_or_default();
    assert!(!traffic_after.contains(&PORT.to_owned()));
    assert_eq!(traffic_after.len() + 1, traffic_before.len());
    assert_eq!(after["webhook_configured"], true);

    // Posting to the robot: reviewers only; the robot gets a DingTalk/WeCom text message.
    let send = format!("/api/reports/reminders/send?period={p}");
    assert_eq!(call(&app, Method::POST, &send, Some(&traffic), None, None).await.0, 403);
    let (st, sent) = call(&app, Method::POST, &send, Some(&office), None, None).await;
    assert_eq!(st, 200, "{sent}");
    let bodies = seen.lock().unwrap().clone();
    assert_eq!(bodies.len(), 1);
    assert_eq!(bodies[0]["msgtype"], "text");
    let text = bodies[0]["text"]["content"].as_str().unwrap();
    assert!(text.contains("月报提醒") && text.contains(&p), "{text}");
    let first_late = &units(&after)[0].0;
    assert!(text.contains(first_late.as_str()), "{text}");
    assert_eq!(call(&app, Method::GET, "/api/reports/reminders?period=2026-1", Some(&traffic), None, None).await.0, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_list_late_units_and_reach_a_group_robot_sqlite() {
    reminders_list_late_units_and_reach_a_group_robot(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_list_late_units_and_reach_a_group_robot_postgis() {
    reminders_list_late_units_and_reach_a_group_robot(Kind::Postgis).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_robot_that_refuses_is_a_bad_gateway_and_no_robot_is_a_conflict() {
    let (url, seen) = robot(json!({"errcode": 310000, "errmsg": "keywords not in content"})).await;
    let Some(app) = TestApp::spawn_with(Kind::Sqlite, move |c| c.edit.reminder_webhook = Some(url)).await else { return };
    let office = app.user("office", Role::Reviewer).await;
    let (st, p) = call(&app, Method::POST, "/api/reports/reminders/send", Some(&office), None, None).await;
    assert_eq!(st, 502, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("310000"), "{p}");
    assert_eq!(seen.lock().unwrap().len(), 1);
    let Some(plain) = TestApp::spawn(Kind::Sqlite).await else { return };
    let office = plain.user("office", Role::Reviewer).await;
    assert_eq!(call(&plain, Method::POST, "/api/reports/reminders/send", Some(&office), None, None).await.0, 409);
}

async fn plan_targets_carry_reported_values_with_history(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else { return };
    let planner = app.user("planner", Role::Planner).await;
    let office = app.user("office", Role::Reviewer).await;
    let stats = app.user("stats", Role::Viewer).await;
    let (_, targets) = app.get_json("/api/plan/targets").await;
    let gdp = targets.as_array().unwrap().iter().find(|t| t["id"] == "gdp").unwrap().clone();
    assert_eq!((gdp["target_value"].as_str(), gdp["latest"].clone(), gdp["track"].as_str()), (Some("240"), Value::Null, Some("unknown")));

    let path = "/api/plan/targets/gdp/values";
    let value = |period: &str, v: &str| json!({"period": period, "value": v, "source": {"title": "洞头区统计公报 (test value)", "url": "https://example.org"}});
    assert_eq!(call(&app, Method::POST, path, None, None, Some(value("2024", "150"))).await.0, 401);
    assert_eq!(call(&app, Method::POST, path, Some(&planner), None, Some(value("2024", "150"))).await.0, 403);
    assert_eq!(call(&app, Method::POST, path, Some(&stats), None, Some(value("2024", "150"))).await.0, 403);
    let audit = planmap::auth::AuditEntry::now("admin", "user_statistics", Some("stats"), None, None);
    app.store.set_statistics_user(&UserName::parse("stats").unwrap(), true, &audit).await.unwrap();
    let (st, v) = call(&app, Method::POST, path, Some(&stats), None, Some(value("2024", "150"))).await;
    assert_eq!((st, v["entered_by"].as_str(), v["unit"].as_str()), (201, Some("stats"), Some("亿元")), "{v}");
    assert_eq!(call(&app, Method::POST, path, Some(&office), None, Some(value("2025", "170"))).await.0, 201);
    // A correction of 2025: the latest entry counts, the first is kept.
    assert_eq!(call(&app, Method::POST, path, Some(&office), None, Some(value("2025", "190.5"))).await.0, 201);

    let (_, targets) = app.get_json("/api/plan/targets").await;
    let gdp = targets.as_array().unwrap().iter().find(|t| t["id"] == "gdp").unwrap().clone();
    assert_eq!(gdp["latest"]["value"], "190.5");
    assert_eq!(gdp["values"].as_array().unwrap().len(), 2);
    assert_eq!(gdp["history"].as_array().unwrap().len(), 3);
    // 150 (2024) → 240 (2027): the path is at 180 at the end of 2025; 190.5 is ahead of it.
    assert_eq!(gdp["track"], "on_track");
    let (st, hist) = call(&app, Method::GET, path, None, None, None).await;
    assert_eq!((st, hist["values"].as_array().unwrap().len()), (200, 3));

    let (st, bad) = call(&app, Method::POST, path, Some(&office), None, Some(json!({"period": "2025-13", "value": "x", "colour": 1}))).await;
    assert_eq!(st, 422);
    let mut fields: Vec<&str> = bad["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["colour", "period", "source", "value"], "{bad}");
    assert_eq!(call(&app, Method::POST, "/api/plan/targets/no-such/values", Some(&office), None, Some(value("2025", "1"))).await.0, 404);
    assert_eq!(call(&app, Method::GET, "/api/plan/targets/no-such/values", None, None, None).await.0, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_targets_carry_reported_values_with_history_sqlite() {
    plan_targets_carry_reported_values_with_history(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_targets_carry_reported_values_with_history_postgis() {
    plan_targets_carry_reported_values_with_history(Kind::Postgis).await;
}
