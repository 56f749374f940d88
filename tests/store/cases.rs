//! One function per behaviour of the `Store` contract.

use crate::support::{point, project};
use planmap::auth::{AuditEntry, Role, UserName};
use planmap::project::{Page, ProjectFilter, ProjectId, Towns, Version};
use planmap::store::{BatchAction, BatchMode, RevisionMeta, Store, StoreError};
use serde_json::json;

fn meta() -> RevisionMeta {
    RevisionMeta::by("tester", Some("contract"))
}

fn id(s: &str) -> ProjectId {
    ProjectId::parse(s).unwrap()
}

fn ids(items: &[planmap::project::Project]) -> Vec<String> {
    items.iter().map(|p| p.id.to_string()).collect()
}

pub async fn a_created_project_reads_back_identical(s: &dyn Store) {
    let new = project(
        "port-area",
        json!({"type":"Polygon","coordinates":[[[121.08,27.89],[121.09,27.89],[121.09,27.9],[121.08,27.9],[121.08,27.89]]]}),
        json!({"status":"under_construction","investment_total":"123456.7891","investment_completed":"0.1","progress_pct":42.5,
               "start_date":"2024-12-26","responsible_units":["区发改局"],"town":"元觉街道","targets":["150万标箱"],"task":5,
               "investment_by_year":[{"year":2025,"plan":"1000","actual":null}]}),
    );
    let created = s.create(&new, &meta()).await.unwrap();
    assert_eq!(created.version, Version(1));
    let got = s.get(&new.id).await.unwrap();
    assert_eq!(got, created);
    assert_eq!(got.props, new.props);
    assert_eq!(got.geometry.as_str(), new.geometry.to_geojson_string());
    // Decoded from the store's text, it is the very geometry that was written.
    assert_eq!(got.geometry.valid(), Some(&new.geometry));
    assert_eq!(got.props.investment_total.unwrap().to_string(), "123456.7891");
}

pub async fn getting_an_unknown_id_is_not_found(s: &dyn Store) {
    assert!(matches!(s.get(&id("nothing-here")).await, Err(StoreError::NotFound(_))));
}

pub async fn creating_an_existing_id_is_already_exists(s: &dyn Store) {
    let p = project("twice", point(121.1, 27.8), json!({}));
    s.create(&p, &meta()).await.unwrap();
    assert!(matches!(s.create(&p, &meta()).await, Err(StoreError::AlreadyExists(_))));
    assert_eq!(s.history(&p.id).await.unwrap().len(), 1);
}

pub async fn replace_with_the_current_version_bumps_it_and_appends_one_revision(s: &dyn Store) {
    let p = project("edited", point(121.1, 27.8), json!({}));
    s.create(&p, &meta()).await.unwrap();
    let changed = project("edited", point(121.11, 27.81), json!({"status":"completed"}));
    let after = s.replace(Version(1), &changed, &meta()).await.unwrap();
    assert_eq!(after.version, Version(2));
    assert_eq!(s.get(&p.id).await.unwrap().props.status, changed.props.status);
    let h = s.history(&p.id).await.unwrap();
    assert_eq!(h.iter().map(|r| r.version.0).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(h[1].feature["properties"]["status"], "completed");
    assert_eq!(h[1].author, "tester");
}

pub async fn replace_with_a_stale_version_is_a_mismatch_and_changes_nothing(s: &dyn Store) {
    let p = project("stale", point(121.1, 27.8), json!({}));
    s.create(&p, &meta()).await.unwrap();
    s.replace(Version(1), &project("stale", point(121.1, 27.8), json!({"status":"planned"})), &meta()).await.unwrap();
    let r = s.replace(Version(1), &project("stale", point(121.1, 27.8), json!({"status":"suspended"})), &meta()).await;
    match r {
        Err(StoreError::VersionMismatch { expected, current, .. }) => assert_eq!((expected, current), (Version(1), Version(2))),
        other => panic!("expected a mismatch, got {other:?}"),
    }
    assert_eq!(s.get(&p.id).await.unwrap().props.status.map(|x| x.as_str()), Some("planned"));
    assert_eq!(s.history(&p.id).await.unwrap().len(), 2);
    let missing = s.replace(Version(1), &project("never-made", point(121.1, 27.8), json!({})), &meta()).await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))));
}

pub async fn archive_hides_the_project_but_keeps_its_history(s: &dyn Store) {
    let p = project("to-archive", point(121.1, 27.8), json!({}));
    s.create(&p, &meta()).await.unwrap();
    assert!(matches!(s.archive(&p.id, Version(7), &meta()).await, Err(StoreError::VersionMismatch { .. })));
    let v = s.archive(&p.id, Version(1), &meta()).await.unwrap();
    assert_eq!(v, Version(2));
    assert!(matches!(s.get(&p.id).await, Err(StoreError::NotFound(_))));
    assert!(s.list(&ProjectFilter::default(), Page::ALL).await.unwrap().is_empty());
    let h = s.history(&p.id).await.unwrap();
    assert_eq!(h.len(), 2);
    assert!(h[1].archived);
    assert_eq!(h[1].feature["id"], "to-archive");
}

pub async fn a_recreated_id_continues_its_history(s: &dyn Store) {
    let p = project("phoenix", point(121.1, 27.8), json!({}));
    s.create(&p, &meta()).await.unwrap();
    s.archive(&p.id, Version(1), &meta()).await.unwrap();
    let again = s.create(&p, &meta()).await.unwrap();
    assert_eq!(again.version, Version(3));
    assert_eq!(s.history(&p.id).await.unwrap().len(), 3);
}

pub async fn bbox_returns_exactly_the_intersecting_projects(s: &dyn Store) {
    // The diagonal line's bounding box covers the query box, but the line itself passes beside it:
    // a store that only compared boxes would return it.
    let items = [
        project("inside", point(121.105, 27.805), json!({})),
        project("outside", point(121.3, 27.95), json!({})),
        project("diagonal", json!({"type":"LineString","coordinates":[[121.0,27.75],[121.2,27.95]]}), json!({})),
        project("crossing", json!({"type":"LineString","coordinates":[[121.0,27.81],[121.2,27.81]]}), json!({})),
        project("around", json!({"type":"Polygon","coordinates":[[[121.0,27.7],[121.3,27.7],[121.3,28.0],[121.0,28.0],[121.0,27.7]]]}), json!({})),
    ];
    s.apply_batch(&items, BatchMode::CreateOnly, &meta()).await.unwrap();
    let f = ProjectFilter { bbox: Some("121.10,27.80,121.12,27.82".parse().unwrap()), ..Default::default() };
    let got = s.list(&f, Page::ALL).await.unwrap();
    assert_eq!(ids(&got), ["around", "crossing", "inside"]);
    assert_eq!(s.count(&f).await.unwrap(), 3);
}

pub async fn a_point_on_the_bbox_edge_is_included(s: &dyn Store) {
    s.create(&project("edge", point(121.1, 27.8), json!({})), &meta()).await.unwrap();
    let f = ProjectFilter { bbox: Some("121.1,27.8,121.2,27.9".parse().unwrap()), ..Default::default() };
    assert_eq!(ids(&s.list(&f, Page::ALL).await.unwrap()), ["edge"]);
}

pub async fn filters_combine_with_and(s: &dyn Store) {
    let items = [
        project("a-port", point(121.1, 27.8), json!({"kind":"port","status":"completed","task":5,"town":"元觉街道"})),
        project("b-port", point(121.1, 27.8), json!({"kind":"port","status":"planned","task":5,"town":"元觉街道"})),
        project("c-road", point(121.1, 27.8), json!({"kind":"road","status":"completed","task":8,"town":"北岙街道"})),
        project("d-unknown", point(121.1, 27.8), json!({"kind":"road"})),
    ];
    s.apply_batch(&items, BatchMode::CreateOnly, &meta()).await.unwrap();
    let towns = Towns::default();
    let parse = |q: &str| {
        let pairs: Vec<(String, String)> = form_urlencoded_pairs(q);
        ProjectFilter::from_pairs(&pairs, &towns, &[]).unwrap()
    };
    let cases: &[(&str, &[&str])] = &[
        ("status=completed", &["a-port", "c-road"]),
        ("status=completed&kind=port", &["a-port"]),
        ("status=completed,planned&task=5", &["a-port", "b-port"]),
        ("action=2", &["a-port", "b-port"]),
        ("action=3&town=北岙街道", &["c-road"]),
        ("kind=road", &["c-road", "d-unknown"]),
        ("kind=road&status=planned", &[]),
        ("ids=b-port,d-unknown", &["b-port", "d-unknown"]),
    ];
    for (q, want) in cases {
        let f = parse(q);
        assert_eq!(ids(&s.list(&f, Page::ALL).await.unwrap()), *want, "{q}");
        assert_eq!(s.count(&f).await.unwrap(), want.len() as u64, "{q}");
    }
}

fn form_urlencoded_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
}

pub async fn q_matches_either_name_ignoring_ascii_case(s: &dyn Store) {
    let items = [
        project("ring-road", point(121.1, 27.8), json!({"name_zh":"环岛路南线","name_en":"Ring Road South"})),
        project("school", point(121.1, 27.8), json!({"name_zh":"洞头一中","name_en":"Dongtou No.1 Middle School"})),
    ];
    s.apply_batch(&items, BatchMode::CreateOnly, &meta()).await.unwrap();
    for (q, want) in
        [("环岛", vec!["ring-road"]), ("ROAD", vec!["ring-road"]), ("school", vec!["school"]), ("o", vec!["ring-road", "school"]), ("无此", vec![])]
    {
        let f = ProjectFilter { q: Some(q.into()), ..Default::default() };
        assert_eq!(ids(&s.list(&f, Page::ALL).await.unwrap()), want, "{q}");
    }
}

pub async fn pages_walk_every_project_exactly_once(s: &dyn Store) {
    let items: Vec<_> = (0..23).map(|i| project(&format!("p-{i:03}"), point(121.1 + f64::from(i) * 0.001, 27.8), json!({}))).collect();
    s.apply_batch(&items, BatchMode::CreateOnly, &meta()).await.unwrap();
    for bbox in [None, Some("121.0,27.7,121.2,27.9".parse().unwrap())] {
        let f = ProjectFilter { bbox, ..Default::default() };
        let mut seen = Vec::new();
        let mut offset = 0;
        loop {
            let page = s.list(&f, Page { offset, limit: Some(5) }).await.unwrap();
            if page.is_empty() {
                break;
            }
            offset += page.len() as u64;
            seen.extend(ids(&page));
        }
        let want: Vec<String> = (0..23).map(|i| format!("p-{i:03}")).collect();
        assert_eq!(seen, want);
    }
}

/// Reads every page after the last id of the one before, as streamed answers do.
async fn walk_after(s: &dyn Store, f: &ProjectFilter, limit: u64) -> Vec<String> {
    let mut f = f.clone();
    let mut seen = Vec::new();
    loop {
        let page = s.list(&f, Page { offset: 0, limit: Some(limit) }).await.unwrap();
        seen.extend(ids(&page));
        match page.last() {
            Some(last) if page.len() as u64 == limit => f.after = Some(last.id.clone()),
            _ => return seen,
        }
    }
}

pub async fn keyset_pages_walk_every_project_exactly_once_under_every_filter(s: &dyn Store) {
    let items: Vec<_> = (0..23)
        .map(|i| {
            let status = if i % 3 == 0 { "planned" } else { "completed" };
            project(&format!("k-{i:03}"), point(121.1 + f64::from(i) * 0.001, 27.8), json!({ "status": status }))
        })
        .collect();
    s.apply_batch(&items, BatchMode::CreateOnly, &meta()).await.unwrap();
    let t = tick().await;
    let filters = [
        ProjectFilter::default(),
        ProjectFilter { bbox: Some("121.0,27.7,121.11,27.9".parse().unwrap()), ..Default::default() },
        cql("status = 'planned'"),
        ProjectFilter { statuses: vec!["completed".parse().unwrap()], ..Default::default() },
        ProjectFilter { as_of: Some(t), ..Default::default() },
        ProjectFilter { as_of: Some(t), bbox: Some("121.0,27.7,121.11,27.9".parse().unwrap()), ..Default::default() },
    ];
    for f in &filters {
        let all = ids(&s.list(f, Page::ALL).await.unwrap());
        assert!(!all.is_empty(), "{f:?}");
        for limit in [1, 4, 5, 100] {
            assert_eq!(walk_after(s, f, limit).await, all, "{f:?} by {limit}");
        }
    }
    // `after` is a condition like any other: it counts, and composes with offset.
    let after = ProjectFilter { after: Some(id("k-019")), ..Default::default() };
    assert_eq!(s.count(&after).await.unwrap(), 3);
    assert_eq!(ids(&s.list(&after, Page { offset: 1, limit: Some(1) }).await.unwrap()), ["k-021"]);
    // A project written behind the cursor between two pages neither repeats nor shifts the rest.
    let f = ProjectFilter { after: Some(id("k-010")), ..Default::default() };
    s.create(&project("k-000a", point(121.1, 27.8), json!({})), &meta()).await.unwrap();
    assert_eq!(ids(&s.list(&f, Page { offset: 0, limit: Some(2) }).await.unwrap()), ["k-011", "k-012"]);
}

/// Streamed reads list the ids once and read their pages by id (`service::export::project_pages`):
/// the list holds every project the filter selects, in id order, and reading it back by id with
/// the same filter gives exactly the filter's projects.
pub async fn candidate_ids_hold_every_selected_project_in_id_order(s: &dyn Store) {
    let mut items: Vec<_> = (0..23)
        .map(|i| {
            let status = if i % 3 == 0 { "planned" } else { "completed" };
            project(&format!("c-{i:03}"), point(121.1 + f64::from(i) * 0.001, 27.8), json!({ "status": status }))
        })
        .collect();
    // Its box overlaps the query box below, the line does not: a candidate, not a match.
    items.push(project("diagonal", json!({"type":"LineString","coordinates":[[121.0,27.75],[121.2,27.95]]}), json!({})));
    s.apply_batch(&items, BatchMode::CreateOnly, &meta()).await.unwrap();
    let t = tick().await;
    let tiny = Some("121.10,27.79,121.105,27.81".parse().unwrap());
    let filters = [
        ProjectFilter::default(),
        ProjectFilter { bbox: tiny, ..Default::default() },
        ProjectFilter { bbox: tiny, after: Some(id("c-002")), ..Default::default() },
        cql("status = 'planned'"),
        ProjectFilter { statuses: vec!["completed".parse().unwrap()], ids: vec![id("c-001"), id("c-003"), id("c-004")], ..Default::default() },
        ProjectFilter { as_of: Some(t), bbox: tiny, ..Default::default() },
    ];
    for f in &filters {
        let want = ids(&s.list(f, Page::ALL).await.unwrap());
        assert!(!want.is_empty(), "{f:?}");
        let Some(listed) = s.candidate_ids(f, 100).await.unwrap() else {
            assert!(f.as_of.is_some(), "no id list for {f:?}");
            continue;
        };
        let listed: Vec<String> = listed.iter().map(|i| i.as_str().to_owned()).collect();
        assert!(listed.windows(2).all(|w| w[0] < w[1]), "{f:?}: {listed:?}");
        assert!(want.iter().all(|w| listed.contains(w)), "{f:?}: {listed:?} misses some of {want:?}");
        let by_id = ProjectFilter { ids: listed.iter().map(|i| id(i)).collect(), after: None, ..f.clone() };
        assert_eq!(ids(&s.list(&by_id, Page::ALL).await.unwrap()), want, "{f:?} read back by id");
    }
    // More than the cap: no list.
    assert!(s.candidate_ids(&ProjectFilter::default(), 23).await.unwrap().is_none());
    assert_eq!(s.candidate_ids(&ProjectFilter::default(), 24).await.unwrap().map(|l| l.len()), Some(24));
}

pub async fn the_extent_covers_every_live_project_and_its_time_span(s: &dyn Store) {
    let empty = s.extent().await.unwrap();
    assert_eq!((empty.count, empty.bbox, empty.first_start, empty.open_ended), (0, None, None, false));
    let items = [
        project("e-west", point(121.01, 27.81), json!({"start_date":"2024-03-01","planned_completion":"2026-06-30"})),
        project(
            "e-area",
            json!({"type":"Polygon","coordinates":[[[121.1,27.8],[121.2,27.8],[121.2,27.9],[121.1,27.9],[121.1,27.8]]]}),
            json!({"start_date":"2025-01-01","planned_completion":"2030-01-01","actual_completion":"2026-10-31"}),
        ),
        project("e-undated", point(121.15, 27.95), json!({})),
        project("e-gone", point(121.4, 28.1), json!({"start_date":"2020-01-01"})),
    ];
    s.apply_batch(&items, BatchMode::CreateOnly, &meta()).await.unwrap();
    s.archive(&id("e-gone"), Version(1), &meta()).await.unwrap();
    let e = s.extent().await.unwrap();
    assert_eq!(e.count, 3);
    let [min_x, min_y, max_x, max_y] = e.bbox.unwrap().to_array();
    // Containing (the embedded store's boxes are 32-bit floats rounded outward), and tight to a few metres.
    for (got, want) in [(min_x, 121.01), (min_y, 27.8), (max_x, 121.2), (max_y, 27.95)] {
        assert!((got - want).abs() < 5e-5, "{:?}", e.bbox);
    }
    assert!(min_x <= 121.01 && min_y <= 27.8 && max_x >= 121.2 && max_y >= 27.95, "{:?}", e.bbox);
    assert_eq!(e.first_start.map(|d| d.to_string()).as_deref(), Some("2024-03-01"));
    // The actual end counts over the planned one.
    assert_eq!(e.last_end.map(|d| d.to_string()).as_deref(), Some("2026-10-31"));
    assert!(!e.open_ended);
    s.create(&project("e-open", point(121.1, 27.8), json!({"start_date":"2026-01-01"})), &meta()).await.unwrap();
    assert!(s.extent().await.unwrap().open_ended);
}

pub async fn stats_group_by_responsible_unit_counting_a_project_in_each(s: &dyn Store) {
    let items = [
        project("u-1", point(121.1, 27.8), json!({"responsible_units":["区交通运输局","区发改局"],"investment_total":"10"})),
        project("u-2", point(121.1, 27.8), json!({"responsible_units":["区发改局"],"investment_total":"2.5"})),
        project("u-3", point(121.1, 27.8), json!({})),
    ];
    s.apply_batch(&items, BatchMode::CreateOnly, &meta()).await.unwrap();
    let st = s.stats(&ProjectFilter::default(), &Towns::default()).await.unwrap();
    let by_unit: Vec<(Option<String>, u64, String)> = st.by_unit.iter().map(|b| (b.key.clone(), b.count, b.investment_total.to_string())).collect();
    assert_eq!(by_unit, [(Some("区交通运输局".into()), 1, "10".into()), (Some("区发改局".into()), 2, "12.5".into()), (None, 1, "0".into())]);
    assert_eq!(st.count, 3);
}

pub async fn stats_sum_investment_exactly(s: &dyn Store) {
    let items = [
        project("money-1", point(121.1, 27.8), json!({"status":"completed","task":5,"investment_total":"0.1","investment_completed":"0.1"})),
        project("money-2", point(121.1, 27.8), json!({"status":"completed","task":5,"investment_total":"0.2"})),
        project("money-3", point(121.1, 27.8), json!({"task":8})),
    ];
    s.apply_batch(&items, BatchMode::CreateOnly, &meta()).await.unwrap();
    let st = s.stats(&ProjectFilter::default(), &Towns::default()).await.unwrap();
    assert_eq!(st.count, 3);
    assert_eq!(st.investment_total.to_string(), "0.3");
    assert_eq!(st.investment_completed.to_string(), "0.1");
    assert_eq!(st.investment_reported, 2);
    let by_status: Vec<(Option<String>, u64)> = st.by_status.iter().map(|b| (b.key.clone(), b.count)).collect();
    assert_eq!(by_status, [(Some("completed".into()), 2), (None, 1)]);
    let by_action: Vec<(Option<String>, u64)> = st.by_action.iter().map(|b| (b.key.clone(), b.count)).collect();
    assert_eq!(by_action, [(Some("2".into()), 2), (Some("3".into()), 1)]);
}

pub async fn a_failing_batch_writes_nothing(s: &dyn Store) {
    s.create(&project("existing", point(121.1, 27.8), json!({})), &meta()).await.unwrap();
    let items = [project("fresh-one", point(121.1, 27.8), json!({})), project("existing", point(121.1, 27.8), json!({}))];
    assert!(matches!(s.apply_batch(&items, BatchMode::CreateOnly, &meta()).await, Err(StoreError::AlreadyExists(_))));
    assert!(matches!(s.get(&id("fresh-one")).await, Err(StoreError::NotFound(_))));
    assert!(matches!(s.history(&id("fresh-one")).await, Err(StoreError::NotFound(_))));
    assert_eq!(s.count(&ProjectFilter::default()).await.unwrap(), 1);
}

pub async fn an_upsert_batch_reports_created_updated_and_unchanged(s: &dyn Store) {
    s.apply_batch(&[project("same", point(121.1, 27.8), json!({})), project("changed", point(121.1, 27.8), json!({}))], BatchMode::CreateOnly, &meta())
        .await
        .unwrap();
    let out = s
        .apply_batch(
            &[
                project("same", point(121.1, 27.8), json!({})),
                project("changed", point(121.1, 27.8), json!({"status":"planned"})),
                project("new-one", point(121.1, 27.8), json!({})),
            ],
            BatchMode::Upsert,
            &meta(),
        )
        .await
        .unwrap();
    let actions: Vec<BatchAction> = out.items.iter().map(|(_, a)| *a).collect();
    assert_eq!(actions, [BatchAction::Unchanged, BatchAction::Updated, BatchAction::Created]);
    assert_eq!(s.get(&id("changed")).await.unwrap().version, Version(2));
    assert_eq!(s.get(&id("same")).await.unwrap().version, Version(1));
}

pub async fn concurrent_replaces_on_one_version_accept_exactly_one(s: &dyn Store) {
    s.create(&project("contested", point(121.1, 27.8), json!({})), &meta()).await.unwrap();
    let attempts: Vec<_> = (0..10).map(|i| project("contested", point(121.1, 27.8), json!({"progress_pct": i}))).collect();
    let m = meta();
    let results = futures::future::join_all(attempts.iter().map(|p| s.replace(Version(1), p, &m))).await;
    let won: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(won.len(), 1, "{results:?}");
    assert!(results.iter().filter(|r| r.is_err()).all(|r| matches!(r, Err(StoreError::VersionMismatch { .. }))), "{results:?}");
    let now = s.get(&id("contested")).await.unwrap();
    assert_eq!(now.version, Version(2));
    assert_eq!(now.props.progress_pct, won[0].props.progress_pct);
    assert_eq!(s.history(&id("contested")).await.unwrap().len(), 2);
}

pub async fn census_counts_real_and_synthetic_apart(s: &dyn Store) {
    s.create(&project("real-one", point(121.1, 27.8), json!({})), &meta()).await.unwrap();
    s.create(&project("synthetic-1-0000001", point(121.1, 27.8), json!({"synthetic": true})), &meta()).await.unwrap();
    let c = s.census().await.unwrap();
    assert_eq!((c.real, c.synthetic), (1, 1));
}

pub async fn a_revision_is_read_back_by_version(s: &dyn Store) {
    let p = project("versioned", point(121.1, 27.8), json!({"status":"planned"}));
    s.create(&p, &meta()).await.unwrap();
    s.replace(Version(1), &project("versioned", point(121.1, 27.8), json!({"status":"completed"})), &meta()).await.unwrap();
    let r1 = s.revision(&p.id, Version(1)).await.unwrap();
    let r2 = s.revision(&p.id, Version(2)).await.unwrap();
    assert_eq!((r1.version, r2.version), (Version(1), Version(2)));
    assert_eq!(r1.feature["properties"]["status"], "planned");
    assert_eq!(r2.feature["properties"]["status"], "completed");
    assert!(matches!(s.revision(&p.id, Version(3)).await, Err(StoreError::NoRevision(_, Version(3)))));
    assert!(matches!(s.revision(&id("no-such-thing"), Version(1)).await, Err(StoreError::NotFound(_))));
}

async fn tick() -> chrono::DateTime<chrono::Utc> {
    // Revisions are stamped in microseconds; a few milliseconds apart keeps instants distinct.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let t = planmap::time::now_micros();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    t
}

pub async fn as_of_returns_the_state_at_that_instant(s: &dyn Store) {
    let t0 = tick().await;
    s.create(&project("first", point(121.1, 27.8), json!({"status":"planned"})), &meta()).await.unwrap();
    let t1 = tick().await;
    s.replace(Version(1), &project("first", point(121.2, 27.9), json!({"status":"completed"})), &meta()).await.unwrap();
    s.create(&project("second", point(121.15, 27.85), json!({"status":"planned"})), &meta()).await.unwrap();
    let t2 = tick().await;
    s.archive(&id("first"), Version(2), &meta()).await.unwrap();
    let t3 = tick().await;
    let at = |t, extra: ProjectFilter| ProjectFilter { as_of: Some(t), ..extra };
    let all = ProjectFilter::default;
    assert!(s.list(&at(t0, all()), Page::ALL).await.unwrap().is_empty());
    let v1 = s.list(&at(t1, all()), Page::ALL).await.unwrap();
    assert_eq!(ids(&v1), ["first"]);
    assert_eq!((v1[0].version, v1[0].props.status.map(|x| x.as_str())), (Version(1), Some("planned")));
    assert_eq!(v1[0].geometry.as_str(), r#"{"coordinates":[121.1,27.8],"type":"Point"}"#);
    assert_eq!(v1[0].geo(), Some(&geo::Geometry::Point(geo::Point::new(121.1, 27.8))));
    let v2 = s.list(&at(t2, all()), Page::ALL).await.unwrap();
    assert_eq!(ids(&v2), ["first", "second"]);
    assert_eq!(v2[0].version, Version(2));
    assert_eq!(ids(&s.list(&at(t3, all()), Page::ALL).await.unwrap()), ["second"]);
    // The filters apply to the state at that instant, not to the current one.
    let planned = ProjectFilter { statuses: vec!["planned".parse().unwrap()], ..Default::default() };
    assert_eq!(ids(&s.list(&at(t2, planned.clone()), Page::ALL).await.unwrap()), ["second"]);
    assert_eq!(ids(&s.list(&at(t1, planned), Page::ALL).await.unwrap()), ["first"]);
    let near_old_spot = ProjectFilter { bbox: Some("121.09,27.79,121.11,27.81".parse().unwrap()), ..Default::default() };
    assert_eq!(ids(&s.list(&at(t1, near_old_spot.clone()), Page::ALL).await.unwrap()), ["first"]);
    assert!(s.list(&at(t2, near_old_spot.clone()), Page::ALL).await.unwrap().is_empty());
    assert_eq!(s.count(&at(t2, all())).await.unwrap(), 2);
    assert_eq!(s.count(&at(t1, near_old_spot)).await.unwrap(), 1);
    let page = s.list(&at(t2, all()), Page { offset: 1, limit: Some(1) }).await.unwrap();
    assert_eq!(ids(&page), ["second"]);
    // CQL2 filters, too, see the state at that instant.
    let cql_planned =
        ProjectFilter { cql: Some("status = 'planned' AND synthetic = false AND investment_total IS NULL".parse().unwrap()), ..Default::default() };
    assert_eq!(ids(&s.list(&at(t1, cql_planned.clone()), Page::ALL).await.unwrap()), ["first"]);
    assert_eq!(ids(&s.list(&at(t2, cql_planned), Page::ALL).await.unwrap()), ["second"]);
    // As of now equals the current state, byte for byte.
    let now = s.list(&at(tick().await, all()), Page::ALL).await.unwrap();
    assert_eq!(now, s.list(&all(), Page::ALL).await.unwrap());
}

fn uname(s: &str) -> UserName {
    UserName::parse(s).unwrap()
}

/// An audit line for a change made by an admin.
fn line(action: &str, target: &str) -> AuditEntry {
    AuditEntry::now("admin", action, Some(target), Some("127.0.0.1"), None)
}

async fn actions(s: &dyn Store) -> Vec<String> {
    let mut log = s.audit_log(1000).await.unwrap();
    log.reverse();
    log.into_iter().map(|e| format!("{} {}", e.action, e.target.unwrap_or_default())).collect()
}

pub async fn users_are_added_listed_disabled_and_unique(s: &dyn Store) {
    let u = s.add_user(&uname("张三"), Role::Planner, "hash-1", &line("user_add", "张三")).await.unwrap();
    assert_eq!((u.name.as_str(), u.role, u.disabled), ("张三", Role::Planner, false));
    assert!(matches!(s.add_user(&uname("张三"), Role::Viewer, "x", &line("user_add", "张三")).await, Err(StoreError::UserExists(_))));
    s.add_user(&uname("admin"), Role::Admin, "hash-2", &line("user_add", "admin")).await.unwrap();
    let names: Vec<String> = s.users().await.unwrap().iter().map(|u| u.name.to_string()).collect();
    assert_eq!(names, ["admin", "张三"]);
    let (got, hash) = s.user_with_hash(&uname("张三")).await.unwrap().unwrap();
    assert_eq!((got, hash.as_str()), (u.clone(), "hash-1"));
    assert!(s.set_disabled(&uname("张三"), true, &line("user_disable", "张三")).await.unwrap().disabled);
    assert!(matches!(s.set_disabled(&uname("nobody"), true, &line("user_disable", "nobody")).await, Err(StoreError::UnknownUser(_))));
    assert_eq!(s.set_role(&uname("张三"), Role::Viewer, &line("user_role", "张三")).await.unwrap().role, Role::Viewer);
    assert!(s.user_with_hash(&uname("nobody")).await.unwrap().is_none());
}

pub async fn sessions_and_tokens_resolve_by_digest_until_expiry_or_disable(s: &dyn Store) {
    let u = s.add_user(&uname("planner1"), Role::Planner, "h", &line("user_add", "planner1")).await.unwrap();
    let now = planmap::time::now_micros();
    let later = now + chrono::Duration::hours(1);
    s.add_session("digest-a", u.id, now, later, &line("sign_in", "planner1")).await.unwrap();
    s.add_token("digest-t", u.id, Some("script"), now, &line("token_add", "planner1")).await.unwrap();
    assert_eq!(s.session_user("digest-a", now).await.unwrap().map(|u| u.name), Some(uname("planner1")));
    assert_eq!(s.token_user("digest-t").await.unwrap().map(|u| u.role), Some(Role::Planner));
    assert!(s.session_user("digest-a", later).await.unwrap().is_none(), "expired");
    assert!(s.session_user("other", now).await.unwrap().is_none());
    s.set_disabled(&uname("planner1"), true, &line("user_disable", "planner1")).await.unwrap();
    assert!(s.session_user("digest-a", now).await.unwrap().is_none(), "disabled users have no session");
    assert!(s.token_user("digest-t").await.unwrap().is_none(), "disabled users have no token");
    s.set_disabled(&uname("planner1"), false, &line("user_disable", "planner1")).await.unwrap();
    assert!(s.session_user("digest-a", now).await.unwrap().is_none(), "enabling again revives no session");
    assert!(s.token_user("digest-t").await.unwrap().is_none(), "enabling again revives no token");
    s.add_session("digest-a", u.id, now, later, &line("sign_in", "planner1")).await.unwrap();
    assert!(s.session_user("digest-a", now).await.unwrap().is_some());
    s.remove_session("digest-a").await.unwrap();
    assert!(s.session_user("digest-a", now).await.unwrap().is_none());
    s.add_session("digest-b", u.id, now, later, &line("sign_in", "planner1")).await.unwrap();
    s.add_token("digest-u", u.id, None, now, &line("token_add", "planner1")).await.unwrap();
    s.set_password(&uname("planner1"), "new-hash", &line("user_password", "planner1")).await.unwrap();
    assert!(s.session_user("digest-b", now).await.unwrap().is_none(), "a new password ends every session");
    assert!(s.token_user("digest-u").await.unwrap().is_none(), "a new password revokes every token");
    assert_eq!(s.user_with_hash(&uname("planner1")).await.unwrap().unwrap().1, "new-hash");
}

pub async fn failed_sign_ins_are_counted_per_key_within_a_window(s: &dyn Store) {
    let t = planmap::time::now_micros();
    let keys = ["user:a".to_owned(), "addr:10.0.0.1".to_owned()];
    for i in 0..3 {
        s.record_failure(&keys, t + chrono::Duration::seconds(i), &line("sign_in_failed", "a")).await.unwrap();
    }
    s.record_failure(&["user:b".to_owned()], t, &line("sign_in_failed", "b")).await.unwrap();
    assert_eq!(s.failures_since("user:a", t).await.unwrap(), 3);
    assert_eq!(s.failures_since("user:a", t + chrono::Duration::seconds(1)).await.unwrap(), 2);
    assert_eq!(s.failures_since("addr:10.0.0.1", t).await.unwrap(), 3);
    s.clear_failures("user:a").await.unwrap();
    assert_eq!(s.failures_since("user:a", t).await.unwrap(), 0);
    assert_eq!(s.failures_since("addr:10.0.0.1", t).await.unwrap(), 3);
    assert_eq!(s.failures_since("user:b", t).await.unwrap(), 1);
}

pub async fn user_changes_write_their_audit_line_in_their_transaction(s: &dyn Store) {
    // Another admin, so that 张三 (made admin below) may be disabled.
    s.add_user(&uname("root"), Role::Admin, "h", &line("user_add", "root")).await.unwrap();
    s.add_user(&uname("张三"), Role::Planner, "h", &line("user_add", "张三")).await.unwrap();
    // Refused changes leave no line.
    assert!(matches!(s.add_user(&uname("张三"), Role::Viewer, "x", &line("user_add", "张三 again")).await, Err(StoreError::UserExists(_))));
    for refused in [
        s.set_disabled(&uname("nobody"), true, &line("user_disable", "nobody")).await,
        s.set_role(&uname("nobody"), Role::Admin, &line("user_role", "nobody")).await,
        s.set_password(&uname("nobody"), "h2", &line("user_password", "nobody")).await,
    ] {
        assert!(matches!(refused, Err(StoreError::UnknownUser(_))), "{refused:?}");
    }
    assert_eq!(actions(s).await, ["user_add root", "user_add 张三"]);
    s.set_role(&uname("张三"), Role::Admin, &line("user_role", "张三")).await.unwrap();
    s.set_disabled(&uname("张三"), true, &line("user_disable", "张三")).await.unwrap();
    s.set_password(&uname("张三"), "h2", &line("user_password", "张三")).await.unwrap();
    assert_eq!(actions(s).await, ["user_add root", "user_add 张三", "user_role 张三", "user_disable 张三", "user_password 张三"]);
    let last = &s.audit_log(1).await.unwrap()[0];
    assert_eq!((last.actor.as_str(), last.address.as_deref()), ("admin", Some("127.0.0.1")));
}

pub async fn sign_ins_tokens_and_failures_write_their_audit_line_with_them(s: &dyn Store) {
    let u = s.add_user(&uname("planner1"), Role::Planner, "h", &line("user_add", "planner1")).await.unwrap();
    let now = planmap::time::now_micros();
    let later = now + chrono::Duration::hours(1);
    s.add_session("digest-a", u.id, now, later, &line("sign_in", "planner1")).await.unwrap();
    s.add_token("digest-t", u.id, None, now, &line("token_add", "planner1")).await.unwrap();
    s.record_failure(&["user:x".to_owned(), "addr:10.0.0.9".to_owned()], now, &line("sign_in_failed", "x")).await.unwrap();
    let expected = ["user_add planner1", "sign_in planner1", "token_add planner1", "sign_in_failed x"];
    assert_eq!(actions(s).await, expected);
    // A session or token that cannot be stored (taken digest, unknown user) leaves no line.
    assert!(s.add_session("digest-a", u.id, now, later, &line("sign_in", "again")).await.is_err());
    assert!(s.add_session("digest-z", u.id + 1000, now, later, &line("sign_in", "ghost")).await.is_err());
    assert!(s.add_token("digest-t", u.id, None, now, &line("token_add", "again")).await.is_err());
    assert!(s.session_user("digest-z", now).await.unwrap().is_none());
    assert_eq!(actions(s).await, expected);
}

pub async fn the_audit_log_reads_back_newest_first(s: &dyn Store) {
    for (i, action) in ["sign_in", "create", "archive"].iter().enumerate() {
        s.audit(&AuditEntry::now("张三", action, Some("port-a"), Some("127.0.0.1"), Some(format!("v{i}")))).await.unwrap();
    }
    let log = s.audit_log(2).await.unwrap();
    assert_eq!(log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["archive", "create"]);
    assert_eq!((log[0].actor.as_str(), log[0].target.as_deref(), log[0].detail.as_deref()), ("张三", Some("port-a"), Some("v2")));
}

pub async fn every_accepted_write_is_audited_in_its_transaction(s: &dyn Store) {
    let m = RevisionMeta::by("planner1", None).audited(Some("10.0.0.7"), None);
    s.create(&project("audited", point(121.1, 27.8), json!({})), &m).await.unwrap();
    s.replace(Version(1), &project("audited", point(121.1, 27.8), json!({"status":"planned"})), &m.clone().audited(Some("10.0.0.7"), Some("patch")))
        .await
        .unwrap();
    // A refused write leaves no trace.
    assert!(s.replace(Version(1), &project("audited", point(121.1, 27.8), json!({})), &m).await.is_err());
    assert!(s.apply_batch(&[project("audited", point(121.1, 27.8), json!({}))], BatchMode::CreateOnly, &m).await.is_err());
    s.archive(&id("audited"), Version(2), &m).await.unwrap();
    let log = s.audit_log(10).await.unwrap();
    let got: Vec<String> = log.iter().map(|e| format!("{} {} {:?} {:?} {:?}", e.actor, e.action, e.target, e.address, e.detail)).collect();
    assert_eq!(
        got,
        [
            r#"planner1 archive Some("audited") Some("10.0.0.7") Some("version 3")"#,
            r#"planner1 patch Some("audited") Some("10.0.0.7") Some("version 2")"#,
            r#"planner1 create Some("audited") Some("10.0.0.7") Some("version 1")"#,
        ]
    );
}

fn cql(text: &str) -> ProjectFilter {
    ProjectFilter { cql: Some(text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))), ..Default::default() }
}

/// CQL2 is evaluated in Rust by the embedded store and translated into SQL by PostGIS; every
/// operator must select the same projects on both.
pub async fn cql2_filters_select_the_same_projects_on_both_stores(s: &dyn Store) {
    let items = [
        project(
            "a-port",
            point(121.105, 27.805),
            json!({"name_zh":"状元岙港区","kind":"port","status":"completed","task":5,"town":"元觉街道","investment_total":"1200.5",
                   "progress_pct":100,"start_date":"2024-03-01","actual_completion":"2025-06-30","plan_ref":"二(二)5"}),
        ),
        project(
            "b-road",
            json!({"type":"LineString","coordinates":[[121.0,27.9],[121.2,27.95]]}),
            json!({"name_zh":"环岛路","name_en":"Ring Road","kind":"road","status":"under_construction","task":8,"investment_total":"300",
                   "progress_pct":40.5,"start_date":"2025-01-10","planned_completion":"2026-12-31"}),
        ),
        project(
            "c-park",
            json!({"type":"Polygon","coordinates":[[[121.1,27.79],[121.12,27.79],[121.12,27.81],[121.1,27.81],[121.1,27.79]]]}),
            json!({"name_zh":"产业园 50%","kind":"industrial_park","status":"planned","investment_total":"99999.9999"}),
        ),
        project("d-empty", point(121.3, 28.0), json!({"name_zh":"Zebra 项目","kind":"other"})),
    ];
    s.apply_batch(&items, BatchMode::CreateOnly, &meta()).await.unwrap();
    let cases: &[(&str, &[&str])] = &[
        ("status = 'completed'", &["a-port"]),
        ("status <> 'completed'", &["b-road", "c-park"]),
        ("NOT status = 'completed'", &["b-road", "c-park"]),
        ("NOT (status = 'completed' OR status IS NULL)", &["b-road", "c-park"]),
        ("NOT (status = 'completed' AND task = 5)", &["b-road", "c-park"]),
        ("status IS NULL", &["d-empty"]),
        ("status IS NOT NULL AND task IS NULL", &["c-park"]),
        ("task = 5 OR task = 8", &["a-port", "b-road"]),
        ("task IN (5, 16)", &["a-port"]),
        ("task NOT IN (5)", &["b-road"]),
        ("action = 2", &["a-port"]),
        ("investment_total > 300", &["a-port", "c-park"]),
        ("investment_total >= 300 AND investment_total < 1200.5", &["b-road"]),
        ("investment_total BETWEEN 300 AND 1200.5", &["a-port", "b-road"]),
        ("progress_pct > 40.4", &["a-port", "b-road"]),
        ("progress_pct NOT BETWEEN 0 AND 50", &["a-port"]),
        ("start_date >= DATE('2025-01-01')", &["b-road"]),
        ("start_date < '2025-01-01'", &["a-port"]),
        ("actual_completion IS NULL AND planned_completion > DATE('2026-01-01')", &["b-road"]),
        ("name_zh LIKE '%港%'", &["a-port"]),
        ("name_zh LIKE '%50\\%'", &["c-park"]),
        ("name_zh LIKE '环_路'", &["b-road"]),
        ("name_zh NOT LIKE '%园%'", &["a-port", "b-road", "d-empty"]),
        ("name_en LIKE 'ring%'", &[]),
        ("name_zh > 'Zz'", &["a-port", "b-road", "c-park"]),
        ("name_zh < 'a'", &["d-empty"]),
        ("plan_ref = '二(二)5'", &["a-port"]),
        ("location_confidence = 'low' AND kind IN ('road', 'other')", &["b-road", "d-empty"]),
        ("synthetic = false AND id LIKE '%-p%'", &["a-port", "c-park"]),
        ("S_INTERSECTS(geometry, BBOX(121.10, 27.80, 121.11, 27.81))", &["a-port", "c-park"]),
        ("S_INTERSECTS(geometry, POLYGON((121.0 27.85, 121.25 27.85, 121.25 28.0, 121.0 28.0, 121.0 27.85)))", &["b-road"]),
        ("S_INTERSECTS(geometry, POINT(121.3 28.0)) OR status = 'planned'", &["c-park", "d-empty"]),
        ("NOT (S_INTERSECTS(geometry, BBOX(121.0,27.7,121.2,27.85)) OR kind = 'road')", &["d-empty"]),
        ("TRUE AND NOT FALSE", &["a-port", "b-road", "c-park", "d-empty"]),
    ];
    for (text, want) in cases {
        let f = cql(text);
        assert_eq!(ids(&s.list(&f, Page::ALL).await.unwrap()), *want, "{text}");
        assert_eq!(s.count(&f).await.unwrap(), want.len() as u64, "{text}");
    }
    // Combined with the plain filters and paging.
    let mut f = cql("investment_total > 0");
    f.kinds = vec!["port".parse().unwrap(), "industrial_park".parse().unwrap()];
    assert_eq!(ids(&s.list(&f, Page { offset: 1, limit: Some(1) }).await.unwrap()), ["c-park"]);
}

/// `datetime` overlaps the span start_date → actual (else planned) completion, open when unknown.
pub async fn datetime_selects_projects_whose_time_span_overlaps(s: &dyn Store) {
    let items = [
        project("done", point(121.1, 27.8), json!({"start_date":"2024-01-01","planned_completion":"2026-01-01","actual_completion":"2024-12-31"})),
        project("planned-end", point(121.1, 27.8), json!({"start_date":"2025-01-01","planned_completion":"2025-12-31"})),
        project("open-ended", point(121.1, 27.8), json!({"start_date":"2026-01-01"})),
        project("timeless", point(121.1, 27.8), json!({})),
    ];
    s.apply_batch(&items, BatchMode::CreateOnly, &meta()).await.unwrap();
    let cases: &[(&str, &[&str])] = &[
        ("2024-06-01", &["done"]),
        ("2025-06-01T08:00:00Z", &["planned-end"]),
        ("2025-01-01/2025-12-31", &["planned-end"]),
        ("2024-12-31/2025-01-01", &["done", "planned-end"]),
        ("../2024-01-01", &["done"]),
        ("2027-01-01/..", &["open-ended"]),
        ("../..", &["done", "open-ended", "planned-end"]),
        ("2030-01-01", &["open-ended"]),
    ];
    for (text, want) in cases {
        let f = ProjectFilter { datetime: Some(text.parse().unwrap()), ..Default::default() };
        assert_eq!(ids(&s.list(&f, Page::ALL).await.unwrap()), *want, "{text}");
        assert_eq!(s.count(&f).await.unwrap(), want.len() as u64, "{text}");
    }
}

pub async fn concurrent_creates_of_one_id_accept_exactly_one(s: &dyn Store) {
    let p = project("raced", point(121.1, 27.8), json!({}));
    s.create(&p, &meta()).await.unwrap();
    s.archive(&p.id, Version(1), &meta()).await.unwrap();
    // Re-creating after an archive reads the last revision number; racing creators must not both win.
    let m = meta();
    let results = futures::future::join_all((0..8).map(|_| s.create(&p, &m))).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    assert!(results.iter().filter(|r| r.is_err()).all(|r| matches!(r, Err(StoreError::AlreadyExists(_)))), "{results:?}");
    let versions: Vec<i64> = s.history(&p.id).await.unwrap().iter().map(|r| r.version.0).collect();
    assert_eq!(versions, [1, 2, 3]);
}

pub async fn archived_lists_each_archived_project_once_with_who_and_when(s: &dyn Store) {
    for slug in ["gone-a", "gone-b", "back-again", "still-live"] {
        s.create(&project(slug, point(121.1, 27.8), json!({})), &meta()).await.unwrap();
    }
    assert!(s.archived().await.unwrap().is_empty());
    let by = |who: &str| RevisionMeta::by(who, Some("no longer planned"));
    s.archive(&id("gone-a"), Version(1), &by("alice")).await.unwrap();
    tick().await;
    // Edited, then archived: the archive is version 3 and its feature the last state.
    let b = project("gone-b", point(121.2, 27.9), json!({"name_zh": "乙项目"}));
    s.replace(Version(1), &b, &meta()).await.unwrap();
    s.archive(&id("gone-b"), Version(2), &by("bob")).await.unwrap();
    // Archived and created again: live, so not listed.
    s.archive(&id("back-again"), Version(1), &by("carol")).await.unwrap();
    s.create(&project("back-again", point(121.1, 27.8), json!({})), &meta()).await.unwrap();

    let a = s.archived().await.unwrap();
    let listed: Vec<&str> = a.iter().map(|r| r.project_id.as_str()).collect();
    assert_eq!(listed, ["gone-b", "gone-a"], "newest archive first, live projects left out");
    assert!(a.iter().all(|r| r.archived));
    assert_eq!((a[0].author.as_str(), a[0].version, a[0].comment.as_deref()), ("bob", Version(3), Some("no longer planned")));
    assert_eq!(a[0].feature["properties"]["name_zh"], "乙项目");
    assert_eq!((a[1].author.as_str(), a[1].version), ("alice", Version(2)));
    assert!(a[0].created_at > a[1].created_at);
    assert_eq!(a[0], s.history(&id("gone-b")).await.unwrap().pop().unwrap(), "the same revision history reads");
}

// Progress tracking (issue 10): its own file, part of the same contract.
#[path = "progress.rs"]
mod progress;
pub use progress::*;

#[path = "extras.rs"]
mod extras;
pub use extras::*;

pub async fn tokens_are_listed_revoked_and_expire(s: &dyn Store) {
    let u = s.add_user(&uname("bot1"), Role::Planner, "h", &line("user_add", "bot1")).await.unwrap();
    let other = s.add_user(&uname("bot2"), Role::Planner, "h", &line("user_add", "bot2")).await.unwrap();
    let now = planmap::time::now_micros();
    let (a, b, c) = ("a".repeat(64), "b".repeat(64), "c".repeat(64));
    s.add_token(&a, u.id, Some("nightly"), now, &line("token_add", "bot1")).await.unwrap();
    s.add_expiring_token(&b, u.id, None, now, Some(now + chrono::Duration::days(2)), &line("token_add", "bot1")).await.unwrap();
    s.add_expiring_token(&c, other.id, None, now, Some(now - chrono::Duration::seconds(1)), &line("token_add", "bot2")).await.unwrap();
    let listed = s.tokens(&uname("bot1")).await.unwrap();
    let ids: Vec<&str> = listed.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["aaaaaaaaaaaa", "bbbbbbbbbbbb"]);
    assert_eq!(listed[0].label.as_deref(), Some("nightly"));
    assert_eq!(listed[0].expires_at, None);
    assert_eq!(listed[1].expires_at, Some(now + chrono::Duration::days(2)));
    assert!(s.token_user(&b).await.unwrap().is_some(), "not yet expired");
    assert!(s.token_user(&c).await.unwrap().is_none(), "expired");
    assert_eq!(s.tokens(&uname("bot2")).await.unwrap().len(), 1, "an expired token is listed until revoked");
    assert!(matches!(s.tokens(&uname("nobody")).await, Err(StoreError::UnknownUser(_))));
    // Another user's token is not this user's to revoke; a refused revocation leaves no line.
    let before = actions(s).await;
    assert!(matches!(s.revoke_token(&uname("bot2"), "aaaaaaaaaaaa", &line("token_revoke", "bot2")).await, Err(StoreError::NoToken { .. })));
    assert_eq!(actions(s).await, before);
    s.revoke_token(&uname("bot1"), "aaaaaaaaaaaa", &line("token_revoke", "bot1")).await.unwrap();
    assert!(s.token_user(&a).await.unwrap().is_none(), "revoked");
    assert!(s.token_user(&b).await.unwrap().is_some(), "the other token still works");
    assert_eq!(s.tokens(&uname("bot1")).await.unwrap().len(), 1);
    assert_eq!(actions(s).await.last().map(String::as_str), Some("token_revoke bot1"));
}

pub async fn the_last_enabled_admin_cannot_be_disabled_or_demoted(s: &dyn Store) {
    s.add_user(&uname("root"), Role::Admin, "h", &line("user_add", "root")).await.unwrap();
    s.add_user(&uname("planner1"), Role::Planner, "h", &line("user_add", "planner1")).await.unwrap();
    let before = actions(s).await;
    assert!(matches!(s.set_disabled(&uname("root"), true, &line("user_disable", "root")).await, Err(StoreError::LastAdmin(_))));
    assert!(matches!(s.set_role(&uname("root"), Role::Planner, &line("user_role", "root")).await, Err(StoreError::LastAdmin(_))));
    assert_eq!(actions(s).await, before, "a refused change leaves no line");
    let root = s.users().await.unwrap().into_iter().find(|u| u.name.as_str() == "root").unwrap();
    assert_eq!((root.role, root.disabled), (Role::Admin, false), "and changes nothing");
    // With a second admin, either may go.
    s.set_role(&uname("planner1"), Role::Admin, &line("user_role", "planner1")).await.unwrap();
    assert!(s.set_disabled(&uname("root"), true, &line("user_disable", "root")).await.unwrap().disabled);
    assert!(matches!(s.set_disabled(&uname("planner1"), true, &line("user_disable", "planner1")).await, Err(StoreError::LastAdmin(_))));
    // Other users' changes are not held up by the rule.
    s.add_user(&uname("viewer1"), Role::Viewer, "h", &line("user_add", "viewer1")).await.unwrap();
    assert!(s.set_disabled(&uname("viewer1"), true, &line("user_disable", "viewer1")).await.unwrap().disabled);
}

pub async fn concurrent_demotions_leave_an_admin(s: &dyn Store) {
    for n in ["root1", "root2", "root3"] {
        s.add_user(&uname(n), Role::Admin, "h", &line("user_add", n)).await.unwrap();
    }
    let (n1, n2, n3) = (uname("root1"), uname("root2"), uname("root3"));
    let (l1, l2, l3) = (line("user_disable", "root1"), line("user_disable", "root2"), line("user_role", "root3"));
    let (a, b, c) = tokio::join!(s.set_disabled(&n1, true, &l1), s.set_disabled(&n2, true, &l2), s.set_role(&n3, Role::Viewer, &l3));
    let refused = [a.is_err(), b.is_err(), c.is_err()].iter().filter(|e| **e).count();
    assert_eq!(refused, 1, "{a:?} {b:?} {c:?}");
    let admins = s.users().await.unwrap().into_iter().filter(|u| u.can(Role::Admin)).count();
    assert_eq!(admins, 1);
}

pub async fn failures_tell_their_count_and_latest(s: &dyn Store) {
    let t = planmap::time::now_micros();
    assert_eq!(s.failures("pair:10.0.0.1 a", t).await.unwrap(), (0, None));
    for i in 0..3 {
        s.record_failure(&["pair:10.0.0.1 a".to_owned()], t + chrono::Duration::seconds(i), &line("sign_in_failed", "a")).await.unwrap();
    }
    assert_eq!(s.failures("pair:10.0.0.1 a", t).await.unwrap(), (3, Some(t + chrono::Duration::seconds(2))));
    assert_eq!(s.failures("pair:10.0.0.1 a", t + chrono::Duration::seconds(2)).await.unwrap().0, 1);
    assert_eq!(s.failures("pair:10.0.0.2 a", t).await.unwrap(), (0, None));
}
