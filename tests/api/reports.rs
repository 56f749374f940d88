//! Monthly reports over HTTP (issue 10): every role and every transition of
//! draft → submitted → approved | returned, If-Match (428/412), 409 on a second approval, 403 for
//! a unit outside its projects, the approval's project revision (as_of before it shows none of
//! it), corrections, milestones with their traffic lights, and the KPI figures — on both stores.

use crate::support::{Kind, TestApp};
use planmap::auth::{Role, UserName};
use planmap::progress::{Period, UnitName};
use reqwest::Method;
use serde_json::{json, Value};

const PORT: &str = "zhuangyuanao-port-phase3"; // 区交通运输局
const PORT_AREA: &str = "zhuangyuanao-port-area"; // 区交通运输局
const SCHOOL: &str = "kindergarten-no2"; // 区教育局

/// Last month: always a month that has begun, whatever day the tests run.
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

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    if_match: Option<i64>,
    body: Option<Value>,
) -> (u16, Value, reqwest::header::HeaderMap) {
    let mut b = app.req(method, path, token);
    if let Some(v) = if_match {
        b = b.header("if-match", format!("\"{v}\""));
    }
    if let Some(body) = body {
        b = b.json(&body);
    }
    let r = b.send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    if status >= 400 {
        assert_eq!(headers["content-type"], "application/problem+json", "{path} → {status}");
    }
    (status, r.json::<Value>().await.unwrap_or(Value::Null), headers)
}

fn november(period: &str) -> Value {
    json!({"period": period, "investment_month": "120.5", "investment_year_to_date": 800, "investment_to_date": "800",
           "progress_pct": 35, "progress_text": "桩基施工", "problems": "用海审批待批", "next_steps": "完成桩基"})
}

async fn the_monthly_cycle_holds_for_every_role_and_transition(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else { return };
    let p = period();
    let traffic = unit_user(&app, "traffic", Role::Planner, &["区交通运输局"]).await;
    let school = unit_user(&app, "school", Role::Planner, &["区教育局"]).await;
    let district = app.user("district", Role::Planner).await;
    let office = app.user("office", Role::Reviewer).await;
    let viewer = app.user("viewer", Role::Viewer).await;
    let admin = app.user("admin", Role::Admin).await;

    // A total investment so the completion rate has something to divide by (test value).
    let v = app.version(PORT).await;
    let (st, _, _) =
        call(&app, Method::PATCH, &format!("/api/projects/{PORT}"), Some(&district), Some(v), Some(json!({"properties": {"investment_total": "10000"}}))).await;
    assert_eq!(st, 200);
    let before = planmap::time::rfc3339(planmap::time::now_micros());
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;

    // Who may write a report for a 区交通运输局 project.
    let path = format!("/api/projects/{PORT}/reports");
    assert_eq!(call(&app, Method::POST, &path, None, None, Some(november(&p))).await.0, 401);
    assert_eq!(call(&app, Method::POST, &path, Some(&viewer), None, Some(november(&p))).await.0, 403);
    let (st, refused, _) = call(&app, Method::POST, &path, Some(&school), None, Some(november(&p))).await;
    assert_eq!(st, 403, "a unit outside the project's units: {refused}");
    assert!(refused["detail"].as_str().unwrap().contains("区交通运输局"), "{refused}");

    // Bad input names the field.
    let (st, bad, _) = call(&app, Method::POST, &path, Some(&traffic), None, Some(json!({"period": "2026-13", "investment_month": "abc"}))).await;
    assert_eq!(st, 422);
    let fields: Vec<&str> = bad["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["period", "investment_month", "investment_year_to_date"], "{bad}");
    let future = Period::of(planmap::service::progress::today()).next().to_string();
    assert_eq!(call(&app, Method::POST, &path, Some(&traffic), None, Some(november(&future))).await.0, 422);

    // draft
    let (st, r, h) = call(&app, Method::POST, &path, Some(&traffic), None, Some(november(&p))).await;
    assert_eq!(st, 201, "{r}");
    assert_eq!(r["state"], "draft");
    assert_eq!(r["investment_month"], 120.5);
    assert_eq!(h["etag"], "\"1\"");
    let rid = r["id"].as_i64().unwrap();
    assert_eq!(h["location"], format!("/api/reports/{rid}").as_str());
    assert_eq!(call(&app, Method::POST, &path, Some(&traffic), None, Some(november(&p))).await.0, 409, "one report per project and month");

    // submit: If-Match required, the unit's user may, another unit's may not
    let submit = format!("/api/reports/{rid}/submit");
    assert_eq!(call(&app, Method::POST, &submit, Some(&traffic), None, None).await.0, 428);
    assert_eq!(call(&app, Method::POST, &submit, Some(&school), Some(1), None).await.0, 403);
    let (st, r, h) = call(&app, Method::POST, &submit, Some(&traffic), Some(1), None).await;
    assert_eq!((st, r["state"].as_str()), (200, Some("submitted")));
    assert_eq!(h["etag"], "\"2\"");
    assert_eq!(
        call(&app, Method::PUT, &format!("/api/reports/{rid}"), Some(&traffic), Some(2), Some(november(&p))).await.0,
        409,
        "a submitted report is not edited"
    );

    // approve: reviewer only; stale If-Match 412; twice 409
    let approve = format!("/api/reports/{rid}/approve");
    assert_eq!(call(&app, Method::POST, &approve, Some(&traffic), Some(2), None).await.0, 403);
    assert_eq!(call(&app, Method::POST, &approve, Some(&district), Some(2), None).await.0, 403);
    let (st, stale, _) = call(&app, Method::POST, &approve, Some(&office), Some(1), None).await;
    assert_eq!((st, stale["current_version"].as_i64()), (412, Some(2)));
    let (st, r, _) = call(&app, Method::POST, &approve, Some(&office), Some(2), None).await;
    assert_eq!((st, r["state"].as_str(), r["reviewed_by"].as_str()), (200, Some("approved"), Some("office")));
    let (st, twice, _) = call(&app, Method::POST, &approve, Some(&office), Some(3), None).await;
    assert_eq!((st, twice["state"].as_str()), (409, Some("approved")));
    assert_eq!(call(&app, Method::POST, &format!("/api/reports/{rid}/return"), Some(&office), Some(3), Some(json!({"reason": "x"}))).await.0, 409);

    // The project carries the figures, as a revision authored by the reporter.
    let (_, f) = app.get_json(&format!("/api/projects/{PORT}")).await;
    assert_eq!(f["properties"]["investment_completed"], 800);
    assert_eq!(f["properties"]["progress_pct"], 35.0);
    assert_eq!(f["properties"]["status"], "under_construction");
    let (_, hist) = app.get_json(&format!("/api/projects/{PORT}/history")).await;
    let last = hist.as_array().unwrap().last().unwrap();
    assert_eq!(last["author"], "traffic");
    assert!(last["comment"].as_str().unwrap().contains(&p), "{last}");
    // As of before the approval, the map shows none of it.
    let (_, then) = app.get_json(&format!("/api/projects?ids={PORT}&as_of={before}")).await;
    let old = &then["features"][0]["properties"];
    assert_eq!((old["investment_completed"].clone(), old["status"].clone()), (Value::Null, Value::Null), "{old}");

    // KPIs: the completed investment and its rate, with the number of projects they cover.
    let (_, stats) = app.get_json(&format!("/api/stats?period={p}")).await;
    let k = &stats["kpis"];
    assert_eq!(k["investment_completed"], json!({"value": 800, "projects": 1}), "{k}");
    assert_eq!(k["completion_rate"], json!({"value": 0.08, "projects": 1}));
    assert_eq!(k["reports"]["approved"], 1);
    let seeded = app.get_json("/api/projects").await.1["features"].as_array().map_or(0, Vec::len);
    assert!(seeded > 0);
    assert_eq!(k["count"], seeded, "every live project is counted");
    let (st, units, _) = call(&app, Method::GET, &format!("/api/stats/units?period={p}"), None, None, None).await;
    assert_eq!(st, 200);
    let row = units["units"].as_array().unwrap().iter().find(|r| r["key"] == "区交通运输局").unwrap();
    assert_eq!(row["reports"]["approved"], 1);
    assert_eq!(row["reports"]["missing"].as_u64().unwrap(), row["reports"]["due"].as_u64().unwrap() - 1);
    assert_eq!(row["investment_completed"]["projects"], 1);
    let edu = units["units"].as_array().unwrap().iter().find(|r| r["key"] == "区教育局").unwrap();
    assert_eq!(edu["investment_completed"], json!({"value": 0, "projects": 0}), "nobody reported: covered by 0 projects, not a figure");
    assert_eq!(edu["completion_rate"]["value"], Value::Null);
    assert!(units["towns"].as_array().unwrap().iter().any(|r| r["key"] == "元觉街道"));

    // Lists: missing excludes the reported project; unit and state filter.
    assert_eq!(call(&app, Method::GET, &format!("/api/reports?period={p}&state=missing"), None, None, None).await.0, 401, "reading reports needs a sign-in");
    let (st, missing, _) = call(
        &app,
        Method::GET,
        &format!("/api/reports?period={p}&state=missing&unit=%E5%8C%BA%E4%BA%A4%E9%80%9A%E8%BF%90%E8%BE%93%E5%B1%80"),
        Some(&viewer),
        None,
        None,
    )
    .await;
    assert_eq!(st, 200);
    let ids: Vec<&str> = missing["items"].as_array().unwrap().iter().map(|i| i["project_id"].as_str().unwrap()).collect();
    assert!(ids.contains(&PORT_AREA) && !ids.contains(&PORT) && !ids.contains(&SCHOOL), "{ids:?}");
    let (_, approved, _) = call(&app, Method::GET, &format!("/api/reports?period={p}&state=approved"), Some(&viewer), None, None).await;
    assert_eq!(approved["items"][0]["report"]["id"], rid);
    assert_eq!(call(&app, Method::GET, "/api/reports?state=missing", Some(&viewer), None, None).await.0, 400);
    assert_eq!(call(&app, Method::GET, "/api/reports?state=lost", Some(&viewer), None, None).await.0, 400);

    // Return with a reason, edit, submit again.
    let (_, r2, _) = call(&app, Method::POST, &format!("/api/projects/{PORT_AREA}/reports"), Some(&district), None, Some(november(&p))).await;
    let rid2 = r2["id"].as_i64().unwrap();
    call(&app, Method::POST, &format!("/api/reports/{rid2}/submit"), Some(&traffic), Some(1), None).await;
    let ret = format!("/api/reports/{rid2}/return");
    assert_eq!(call(&app, Method::POST, &ret, Some(&traffic), Some(2), Some(json!({"reason": "x"}))).await.0, 403);
    let (st, why, _) = call(&app, Method::POST, &ret, Some(&office), Some(2), Some(json!({}))).await;
    assert_eq!((st, why["errors"][0]["field"].as_str()), (422, Some("reason")));
    let (st, r, _) = call(&app, Method::POST, &ret, Some(&office), Some(2), Some(json!({"reason": "本年累计与上月不衔接"}))).await;
    assert_eq!((st, r["state"].as_str(), r["return_reason"].as_str()), (200, Some("returned"), Some("本年累计与上月不衔接")));
    let mut fixed = november(&p);
    fixed["investment_year_to_date"] = json!("820.5");
    fixed["investment_to_date"] = json!("820.5");
    let (st, r, _) = call(&app, Method::PUT, &format!("/api/reports/{rid2}"), Some(&traffic), Some(3), Some(fixed)).await;
    assert_eq!((st, r["state"].as_str(), r["investment_year_to_date"].as_f64()), (200, Some("draft"), Some(820.5)));
    assert_eq!(call(&app, Method::POST, &format!("/api/reports/{rid2}/submit"), Some(&traffic), Some(4), None).await.0, 200);

    // A correction of an approved report: a new version with its reason, and a new project revision.
    let correct = format!("/api/reports/{rid}/correct");
    let mut corrected = november(&p);
    corrected["investment_to_date"] = json!("850");
    assert_eq!(call(&app, Method::POST, &correct, Some(&traffic), Some(3), Some(corrected.clone())).await.0, 403);
    assert_eq!(call(&app, Method::POST, &correct, Some(&office), Some(3), Some(corrected.clone())).await.0, 422, "a correction needs a reason");
    corrected["reason"] = json!("财政决算调整");
    let (st, r, _) = call(&app, Method::POST, &correct, Some(&office), Some(3), Some(corrected)).await;
    assert_eq!((st, r["state"].as_str(), r["version"].as_i64(), r["correction_reason"].as_str()), (200, Some("approved"), Some(4), Some("财政决算调整")));
    let (_, f) = app.get_json(&format!("/api/projects/{PORT}")).await;
    assert_eq!(f["properties"]["investment_completed"], 850);
    let (_, h, _) = call(&app, Method::GET, &format!("/api/reports/{rid}/history"), Some(&viewer), None, None).await;
    let actions: Vec<&str> = h["versions"].as_array().unwrap().iter().map(|v| v["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["create", "submit", "approve", "correct"]);
    assert_eq!(h["versions"][2]["body"]["investment_to_date"], 800, "the approved figures stay in the history");

    // Every step is in the audit log.
    let (_, log, _) = call(&app, Method::GET, "/api/audit?limit=200", Some(&admin), None, None).await;
    let acts: Vec<&str> = log["entries"].as_array().map(|a| a.iter().map(|e| e["action"].as_str().unwrap()).collect()).unwrap_or_default();
    for a in ["report_create", "report_submit", "report_approve", "report_return", "report_edit", "report_correct"] {
        assert!(acts.contains(&a), "{a} missing from {acts:?} ({log})");
    }
    let (_, list, _) = call(&app, Method::GET, &format!("/api/projects/{PORT}/reports"), Some(&viewer), None, None).await;
    assert_eq!(list["reports"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_monthly_cycle_holds_for_every_role_and_transition_on_sqlite() {
    the_monthly_cycle_holds_for_every_role_and_transition(Kind::Sqlite).await;
}

#[tokio::test]
async fn the_monthly_cycle_holds_for_every_role_and_transition_on_postgis() {
    the_monthly_cycle_holds_for_every_role_and_transition(Kind::Postgis).await;
}

async fn milestones_have_traffic_lights_and_make_projects_late(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else { return };
    let traffic = unit_user(&app, "traffic", Role::Planner, &["区交通运输局"]).await;
    let school = unit_user(&app, "school", Role::Planner, &["区教育局"]).await;
    let (_, ms) = app.get_json(&format!("/api/projects/{PORT}/milestones")).await;
    assert_eq!(ms["lateness"]["late"], false);
    let kinds: Vec<&str> = ms["milestones"].as_array().unwrap().iter().map(|m| m["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["approval", "land_sea", "start", "main_works", "acceptance"]);
    assert!(ms["milestones"].as_array().unwrap().iter().all(|m| m["signal"] == "unplanned"));
    let (_, before) = app.get_json("/api/stats").await;
    let late_before = before["kpis"]["late"].as_u64().unwrap();

    let today = planmap::service::progress::today();
    let yesterday = (today - chrono::TimeDelta::days(1)).to_string();
    let soon = (today + chrono::TimeDelta::days(10)).to_string();
    let tomorrow = (today + chrono::TimeDelta::days(1)).to_string();
    let path = |k: &str| format!("/api/projects/{PORT}/milestones/{k}");
    assert_eq!(call(&app, Method::PUT, &path("start"), None, None, Some(json!({"planned": yesterday}))).await.0, 401);
    assert_eq!(call(&app, Method::PUT, &path("start"), Some(&school), None, Some(json!({"planned": yesterday}))).await.0, 403);
    assert_eq!(call(&app, Method::PUT, &path("groundbreaking"), Some(&traffic), None, Some(json!({"planned": yesterday}))).await.0, 422);
    let (st, bad, _) = call(&app, Method::PUT, &path("start"), Some(&traffic), None, Some(json!({"planned": "2026-02-30", "actual": tomorrow}))).await;
    assert_eq!(st, 422);
    assert_eq!(bad["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect::<Vec<_>>(), ["planned", "actual"]);
    let (st, m, _) = call(&app, Method::PUT, &path("start"), Some(&traffic), None, Some(json!({"planned": yesterday, "note": "按年度计划"}))).await;
    assert_eq!((st, m["signal"].as_str()), (200, Some("overdue")), "{m}");
    let (_, m, _) = call(&app, Method::PUT, &path("land_sea"), Some(&traffic), None, Some(json!({"planned": soon}))).await;
    assert_eq!(m["signal"], "due_soon");
    let (_, after) = app.get_json("/api/stats").await;
    assert_eq!(after["kpis"]["late"].as_u64().unwrap(), late_before + 1);
    let (_, ms) = app.get_json(&format!("/api/projects/{PORT}/milestones")).await;
    assert_eq!((ms["lateness"]["late"].clone(), ms["lateness"]["overdue_milestones"].clone()), (json!(true), json!(["start"])));
    assert!(after["kpis"]["late_ids"].as_array().unwrap().iter().any(|i| i == PORT));
    // Done: no longer overdue, no longer late.
    let (_, m, _) = call(&app, Method::PUT, &path("start"), Some(&traffic), None, Some(json!({"planned": yesterday, "actual": today.to_string()}))).await;
    assert_eq!(m["signal"], "done");
    let (_, done) = app.get_json("/api/stats").await;
    assert_eq!(done["kpis"]["late"].as_u64().unwrap(), late_before);
}

#[tokio::test]
async fn milestones_have_traffic_lights_and_make_projects_late_on_sqlite() {
    milestones_have_traffic_lights_and_make_projects_late(Kind::Sqlite).await;
}

#[tokio::test]
async fn milestones_have_traffic_lights_and_make_projects_late_on_postgis() {
    milestones_have_traffic_lights_and_make_projects_late(Kind::Postgis).await;
}

#[tokio::test]
async fn the_plan_units_are_listed_and_users_are_tied_to_them_from_the_cli() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let (_, u) = app.get_json("/api/units").await;
    let names: Vec<&str> = u["units"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
    for want in ["区交通运输局", "区发改局", "国网洞头供电公司", "区强城办<区住建局>", "区人力社保局"] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    assert!(!names.iter().any(|n| n.starts_with('各')), "placeholders are not units: {names:?}");

    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("cli.db").display());
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_planmap")).args(args).env("DATABASE_URL", &db).env_remove("PLANMAP_GEODATA").output().unwrap()
    };
    let out = run(&["user", "add", "jt", "--role", "planner", "--unit", "区交通运输局", "--unit", "区发改局"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run(&["user", "add", "typo", "--role", "planner", "--unit", "区交通局"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("区交通局"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run(&["user", "add", "office", "--role", "reviewer"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let list = String::from_utf8_lossy(&run(&["user", "list"]).stdout).to_string();
    assert!(list.contains("jt") && list.contains("区交通运输局、区发改局") || list.contains("区发改局、区交通运输局"), "{list}");
    assert!(list.lines().any(|l| l.starts_with("office") && l.contains("reviewer") && l.contains("district-wide")), "{list}");
    assert!(!list.contains("typo"), "a bad unit adds nobody: {list}");

    // Over HTTP: an admin ties a user to units; the user sees theirs and the projects they owe.
    let admin = app.user("admin", Role::Admin).await;
    let jt = app.user("jt", Role::Planner).await;
    let other = app.user("other", Role::Planner).await;
    let path = "/api/users/jt/units";
    assert_eq!(call(&app, Method::PUT, path, Some(&jt), None, Some(json!({"units": ["区交通运输局"]}))).await.0, 403);
    let (st, bad, _) = call(&app, Method::PUT, path, Some(&admin), None, Some(json!({"units": ["区交通局"]}))).await;
    assert_eq!((st, bad["title"].as_str()), (422, Some("No such unit")));
    let (st, bad, _) = call(&app, Method::PUT, path, Some(&admin), None, Some(json!({"units": ["a、b", 3]}))).await;
    assert_eq!((st, bad["errors"].as_array().map(Vec::len)), (422, Some(2)), "{bad}");
    let (st, set, _) = call(&app, Method::PUT, path, Some(&admin), None, Some(json!({"units": ["区交通运输局"]}))).await;
    assert_eq!((st, set["units"].clone()), (200, json!(["区交通运输局"])));
    assert_eq!(call(&app, Method::GET, path, Some(&jt), None, None).await.1["units"], json!(["区交通运输局"]));
    assert_eq!(call(&app, Method::GET, path, Some(&other), None, None).await.0, 403);
    let (st, due, _) = call(&app, Method::GET, "/api/reports/due", Some(&jt), None, None).await;
    assert_eq!(st, 200);
    assert_eq!(due["period"], period());
    let ids: Vec<&str> = due["items"].as_array().unwrap().iter().map(|i| i["project_id"].as_str().unwrap()).collect();
    assert!(ids.contains(&PORT) && !ids.contains(&SCHOOL), "{ids:?}");
    assert!(!ids.contains(&"zhuangyuanao-port-phase2"), "a completed project reports no more: {ids:?}");
    assert!(due["items"].as_array().unwrap().iter().all(|i| i["state"] == "missing"));
    let (_, all, _) = call(&app, Method::GET, "/api/reports/due", Some(&other), None, None).await;
    assert!(all["count"].as_u64().unwrap() > due["count"].as_u64().unwrap(), "a district-wide planner owes every due project");
    assert_eq!(call(&app, Method::GET, "/api/reports/due?month=1", Some(&jt), None, None).await.0, 400);
}
