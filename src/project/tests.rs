use super::*;
use serde_json::{json, Value};

fn feature() -> Value {
    json!({
        "type": "Feature",
        "id": "zhuangyuanao-port-phase2",
        "geometry": {"type": "Point", "coordinates": [121.088, 27.894]},
        "properties": {
            "name_zh": "状元岙港区二期",
            "action": 2, "task": 5, "plan_ref": "二(二)5",
            "kind": "port", "status": "completed",
            "investment_total": "125000.50",
            "responsible_units": ["区发改局", "区交通运输局"],
            "town": "元觉街道",
            "targets": ["二期2个5万吨级集装箱泊位"],
            "sources": [{"title": "plan", "url": null}],
            "location_confidence": "low"
        }
    })
}

#[test]
fn a_complete_feature_becomes_a_project_with_exact_money() {
    let p = NewProject::from_feature(&feature(), None, &Rules::default()).unwrap();
    assert_eq!(p.id.as_str(), "zhuangyuanao-port-phase2");
    assert_eq!(p.props.investment_total.map(|w| w.to_string()).as_deref(), Some("125000.5"));
    assert_eq!(p.props.status, Some(Status::Completed));
    assert_eq!(p.props.investment_completed, None);
}

#[test]
fn every_bad_field_is_reported_with_its_pointer() {
    let mut f = feature();
    f["properties"]["status"] = json!("in_progress");
    f["properties"]["task"] = json!(9);
    f["properties"]["investment_total"] = json!("-5");
    f["properties"]["town"] = json!("上海");
    f["properties"]["colour"] = json!("red");
    let errs = NewProject::from_feature(&f, None, &Rules::default()).unwrap_err().0;
    let pointers: Vec<&str> = errs.iter().map(|e| e.pointer.as_str()).collect();
    for p in ["/properties/status", "/properties/task", "/properties/investment_total", "/properties/town", "/properties/colour"] {
        assert!(pointers.contains(&p), "{p} missing from {pointers:?}");
    }
    let status = errs.iter().find(|e| e.field == "status").unwrap();
    assert!(status.reason.contains("under_construction"), "{}", status.reason);
}

#[test]
fn unknown_values_stay_empty_rather_than_zero() {
    let mut f = feature();
    f["properties"]["investment_total"] = json!(null);
    f["properties"]["status"] = json!("");
    let p = NewProject::from_feature(&f, None, &Rules::default()).unwrap();
    assert_eq!(p.props.investment_total, None);
    assert_eq!(p.props.status, None);
}

#[test]
fn a_task_fills_in_its_action() {
    let mut f = feature();
    f["properties"].as_object_mut().unwrap().remove("action");
    let p = NewProject::from_feature(&f, None, &Rules::default()).unwrap();
    assert_eq!(p.props.action.map(Action::get), Some(2));
}

#[test]
fn the_url_id_must_agree_with_the_body() {
    let other = ProjectId::parse("something-else").unwrap();
    let errs = NewProject::from_feature(&feature(), Some(&other), &Rules::default()).unwrap_err().0;
    assert_eq!(errs[0].field, "id");
}

#[test]
fn numbers_for_money_keep_their_written_digits() {
    let mut f = feature();
    f["properties"]["investment_total"] = json!(3200.1);
    let p = NewProject::from_feature(&f, None, &Rules::default()).unwrap();
    assert_eq!(p.props.investment_total.unwrap().to_string(), "3200.1");
}

#[test]
fn stats_sum_exactly_and_count_unreported_apart() {
    let a = NewProject::from_feature(&feature(), None, &Rules::default()).unwrap().props;
    let mut b = a.clone();
    b.investment_total = Some("0.1".parse().unwrap());
    let mut c = a.clone();
    c.investment_total = None;
    c.status = None;
    let s = Stats::from_props([&a, &b, &c], &Towns::default());
    assert_eq!(s.count, 3);
    assert_eq!(s.investment_total.to_string(), "125000.6");
    assert_eq!(s.investment_reported, 2);
    assert_eq!(s.by_status.last().unwrap().key, None);
}
