//! The seed's sourced start and completion dates are milestones from the first start (issue 11):
//! actual dates with the cited source's words, never an invented report.

use crate::support::{Kind, TestApp};
use serde_json::Value;

fn kind_of<'a>(ms: &'a Value, kind: &str) -> &'a Value {
    ms["milestones"].as_array().unwrap().iter().find(|m| m["kind"] == kind).unwrap()
}

async fn sourced_dates_are_milestones_after_seeding(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else { return };
    let (st, ms) = app.get_json("/api/projects/deep-sea-wind-home-port/milestones").await;
    assert_eq!(st, 200, "{ms}");
    let start = kind_of(&ms, "start");
    assert_eq!((start["actual"].as_str(), start["signal"].as_str()), (Some("2024-12-26"), Some("done")), "{start}");
    assert_eq!(start["updated_by"], "data-import");
    let note = start["note"].as_str().unwrap();
    assert!(note.contains("12月26日上午") && note.contains("https://news.66wz.com/system/2024/12/27/105666671.shtml"), "{note}");
    // Nothing else was invented for it.
    for k in ["approval", "land_sea", "main_works", "acceptance"] {
        assert_eq!(kind_of(&ms, k)["signal"], "unplanned", "{k}");
    }
    // A project no source dates has no milestone at all, and no report was written for anyone.
    let (_, none) = app.get_json("/api/projects/zhuangyuanao-port-phase3/milestones").await;
    assert!(none["milestones"].as_array().unwrap().iter().all(|m| m["signal"] == "unplanned"), "{none}");
    let seeded: Vec<_> = app.store.milestones(None).await.unwrap();
    let seed: Value = serde_json::from_str(include_str!("../../geodata/projects.geojson")).unwrap();
    let dated = seed["features"].as_array().unwrap().iter().filter(|f| f["properties"]["start_date"].is_string()).count();
    assert_eq!(seeded.iter().filter(|m| m.kind == planmap::progress::MilestoneKind::Start).count(), dated);
    assert!(seeded.iter().all(|m| m.updated_by == "data-import" && m.actual.is_some()));
    assert!(app.store.reports(&planmap::store::ReportQuery::default()).await.unwrap().is_empty());
}

#[tokio::test]
async fn sourced_dates_are_milestones_after_seeding_on_sqlite() {
    sourced_dates_are_milestones_after_seeding(Kind::Sqlite).await;
}

#[tokio::test]
async fn sourced_dates_are_milestones_after_seeding_on_postgis() {
    sourced_dates_are_milestones_after_seeding(Kind::Postgis).await;
}
