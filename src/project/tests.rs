use super::*;
use chrono::NaiveDate;
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

#[test]
fn a_source_names_the_figures_it_states_and_round_trips() {
    let mut f = feature();
    f["properties"]["sources"] = json!([
        {"title": "plan", "url": null},
        {"title": "温州市交通运输局 2024-04-01", "url": "http://wzjt.wenzhou.gov.cn/x.html", "kind": "government",
         "retrieved": "2026-12-01", "fields": ["investment_total"], "quote": "工程总概算约为78.9亿元"}
    ]);
    let p = NewProject::from_feature(&f, None, &Rules::default()).unwrap();
    let s = &p.props.sources[1];
    assert_eq!(s.kind, Some(SourceKind::Government));
    assert_eq!(s.retrieved, NaiveDate::from_ymd_opt(2026, 12, 1));
    assert!(s.states("investment_total") && !s.states("status"));
    // Stored props are JSON: the provenance survives the round trip, and plain sources stay plain.
    let back: ProjectProps = serde_json::from_value(serde_json::to_value(&p.props).unwrap()).unwrap();
    assert_eq!(back.sources, p.props.sources);
    assert_eq!(serde_json::to_value(&p.props.sources[0]).unwrap(), json!({"title": "plan", "url": null}));
}

#[test]
fn a_bad_source_detail_is_reported_with_its_pointer() {
    let mut f = feature();
    f["properties"]["sources"] = json!([
        {"title": "a", "kind": "blog", "retrieved": "yesterday", "fields": ["colour"], "quote": 5, "page": 3}
    ]);
    let errs = NewProject::from_feature(&f, None, &Rules::default()).unwrap_err().0;
    let pointers: Vec<&str> = errs.iter().map(|e| e.pointer.as_str()).collect();
    for p in [
        "/properties/sources/0/kind",
        "/properties/sources/0/retrieved",
        "/properties/sources/0/fields/0",
        "/properties/sources/0/quote",
        "/properties/sources/0/page",
    ] {
        assert!(pointers.contains(&p), "{p} missing from {pointers:?}");
    }
    let kind = errs.iter().find(|e| e.pointer.ends_with("/kind")).unwrap();
    assert!(kind.reason.contains("aggregator"), "{}", kind.reason);
}
