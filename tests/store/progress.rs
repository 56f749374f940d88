//! The progress-tracking part of the store contract (issue 10): units, users' units, monthly
//! reports with history and compare-and-swap, the approval's project write in the same
//! transaction, and milestones. Run on both stores like every case in `cases.rs`.

use crate::support::{point, project};
use planmap::auth::{AuditEntry, Role, UserName};
use planmap::progress::{Milestone, MilestoneKind, NewReport, ReportAction, ReportBody, ReportFigures, ReportId, ReportState, UnitName};
use planmap::project::{ProjectId, Version};
use planmap::store::{ReportChange, ReportQuery, RevisionMeta, Store, StoreError};
use serde_json::json;

fn unit(s: &str) -> UnitName {
    UnitName::parse(s).unwrap()
}

fn audit(action: &str) -> AuditEntry {
    AuditEntry::now("tester", action, None, Some("10.0.0.9"), Some("contract".into()))
}

fn body(month: &str, ytd: &str, reporter: &str) -> ReportBody {
    ReportBody {
        figures: ReportFigures::from_json(&json!({"investment_month": month, "investment_year_to_date": ytd, "progress_pct": 35, "problems": "用海审批"}), &[])
            .unwrap(),
        reporter: reporter.into(),
        submitted_by: None,
        submitted_at: None,
        reviewed_by: None,
        reviewed_at: None,
        return_reason: None,
        correction_reason: None,
    }
}

fn new_report(project: &str, period: &str) -> NewReport {
    NewReport { project_id: ProjectId::parse(project).unwrap(), period: period.parse().unwrap(), body: body("120.5", "800", "unit-user") }
}

pub async fn units_are_registered_once_and_users_are_tied_only_to_known_units(s: &dyn Store) {
    assert_eq!(s.ensure_units(&[unit("区交通运输局"), unit("区发改局")], "plan").await.unwrap(), 2);
    assert_eq!(s.ensure_units(&[unit("区发改局"), unit("区经信局")], "plan").await.unwrap(), 1);
    let all: Vec<String> = s.units().await.unwrap().into_iter().map(String::from).collect();
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted);
    assert_eq!(all.len(), 3);
    let u = s.add_user(&UserName::parse("traffic").unwrap(), Role::Planner, "x", &audit("user_add")).await.unwrap();
    assert!(s.user_units(u.id).await.unwrap().is_empty(), "a new user is district-wide");
    let set = s.set_user_units(&u.name, &[unit("区交通运输局"), unit("区发改局")], &audit("user_units")).await.unwrap();
    assert_eq!(set, [unit("区交通运输局"), unit("区发改局")].iter().cloned().collect::<std::collections::BTreeSet<_>>().into_iter().collect::<Vec<_>>());
    // An unknown unit changes nothing and writes no audit line.
    let before = s.audit_log(100).await.unwrap().len();
    assert!(matches!(s.set_user_units(&u.name, &[unit("区不存在局")], &audit("user_units")).await, Err(StoreError::UnknownUnit(_))));
    assert_eq!(s.user_units(u.id).await.unwrap().len(), 2);
    assert_eq!(s.audit_log(100).await.unwrap().len(), before);
    assert!(matches!(s.set_user_units(&UserName::parse("nobody").unwrap(), &[], &audit("user_units")).await, Err(StoreError::UnknownUser(_))));
    assert!(s.set_user_units(&u.name, &[], &audit("user_units")).await.unwrap().is_empty());
    let log = s.audit_log(100).await.unwrap();
    assert_eq!(log.iter().filter(|e| e.action == "user_units").count(), 2);
}

pub async fn the_reviewer_role_is_stored(s: &dyn Store) {
    s.add_user(&UserName::parse("plan-office").unwrap(), Role::Reviewer, "x", &audit("user_add")).await.unwrap();
    let u = s.users().await.unwrap().into_iter().find(|u| u.name.as_str() == "plan-office").unwrap();
    assert_eq!(u.role, Role::Reviewer);
    assert!(u.can(Role::Planner) && !u.can(Role::Admin));
}

pub async fn a_report_is_created_once_per_project_and_month_and_reads_back(s: &dyn Store) {
    let r = s.create_report(&new_report("port-a", "2026-11"), &audit("report_create")).await.unwrap();
    assert_eq!((r.version, r.state), (1, ReportState::Draft));
    assert_eq!(r.body.figures.investment_month.to_string(), "120.5");
    assert_eq!(s.report(r.id).await.unwrap(), r);
    assert!(matches!(s.create_report(&new_report("port-a", "2026-11"), &audit("report_create")).await, Err(StoreError::ReportExists { .. })));
    let oct = s.create_report(&new_report("port-a", "2026-10"), &audit("report_create")).await.unwrap();
    s.create_report(&new_report("road-b", "2026-11"), &audit("report_create")).await.unwrap();
    let nov = s.reports(&ReportQuery { period: Some("2026-11".parse().unwrap()), ..ReportQuery::default() }).await.unwrap();
    assert_eq!(nov.iter().map(|r| r.project_id.to_string()).collect::<Vec<_>>(), ["port-a", "road-b"]);
    let port = s.reports(&ReportQuery { project: Some(ProjectId::parse("port-a").unwrap()), ..ReportQuery::default() }).await.unwrap();
    assert_eq!(port.iter().map(|r| r.period.to_string()).collect::<Vec<_>>(), ["2026-10", "2026-11"]);
    assert_eq!(port[0].id, oct.id);
    assert!(s.reports(&ReportQuery { states: vec![ReportState::Approved], ..ReportQuery::default() }).await.unwrap().is_empty());
    assert!(matches!(s.report(ReportId(999_999)).await, Err(StoreError::NoReport(_))));
    let h = s.report_history(r.id).await.unwrap();
    assert_eq!((h.len(), h[0].action.as_str(), h[0].author.as_str()), (1, "create", "unit-user"));
    let log = s.audit_log(10).await.unwrap();
    assert_eq!(log.iter().filter(|e| e.action == "report_create").count(), 3);
    assert_eq!(log.last().unwrap().target.as_deref(), Some(format!("report {}", r.id).as_str()));
}

pub async fn report_changes_are_compare_and_swap_and_kept_in_history(s: &dyn Store) {
    let r = s.create_report(&new_report("port-a", "2026-11"), &audit("report_create")).await.unwrap();
    let next = ReportBody { submitted_by: Some("unit-user".into()), ..r.body.clone() };
    let c = ReportChange {
        id: r.id,
        expected: 1,
        action: ReportAction::Submit,
        state: ReportState::Submitted,
        body: &next,
        author: "unit-user",
        reason: None,
        project: None,
    };
    let after = s.change_report(&c, &audit("report_submit")).await.unwrap();
    assert_eq!((after.version, after.state), (2, ReportState::Submitted));
    assert_eq!(after.body.submitted_by.as_deref(), Some("unit-user"));
    match s.change_report(&c, &audit("report_submit")).await {
        Err(StoreError::ReportVersion { expected, current, .. }) => assert_eq!((expected, current), (1, 2)),
        other => panic!("expected a version mismatch, got {other:?}"),
    }
    let ret =
        ReportChange { expected: 2, action: ReportAction::Return, state: ReportState::Returned, author: "office", reason: Some("数字不符"), ..c.clone() };
    s.change_report(&ret, &audit("report_return")).await.unwrap();
    let h = s.report_history(r.id).await.unwrap();
    let lines: Vec<String> = h.iter().map(|v| format!("{} {} {} {} {:?}", v.version, v.state, v.action, v.author, v.reason)).collect();
    assert_eq!(lines, ["1 draft create unit-user None", "2 submitted submit unit-user None", "3 returned return office Some(\"数字不符\")"]);
    let log = s.audit_log(10).await.unwrap();
    assert_eq!(log.iter().map(|e| e.action.as_str()).take(3).collect::<Vec<_>>(), ["report_return", "report_submit", "report_create"]);
    assert!(matches!(s.change_report(&ReportChange { id: ReportId(424_242), ..c.clone() }, &audit("x")).await, Err(StoreError::NoReport(_))));
}

pub async fn an_approval_writes_the_project_in_the_same_transaction_or_not_at_all(s: &dyn Store) {
    let p = project("port-a", point(121.1, 27.8), json!({"investment_total": "1000", "status": "preparing"}));
    s.create(&p, &RevisionMeta::by("seed", None)).await.unwrap();
    let r = s.create_report(&new_report("port-a", "2026-11"), &audit("report_create")).await.unwrap();
    let mut figured = p.clone();
    figured.props.investment_completed = Some("800".parse().unwrap());
    figured.props.status = Some(planmap::project::Status::UnderConstruction);
    let meta = RevisionMeta::by("unit-user", Some("月报 2026-11 approved")).audited(None, Some("report_approve"));
    // The project moved on (version 2 expected, 1 stored): nothing is written, the report included.
    let stale = ReportChange {
        id: r.id,
        expected: 1,
        action: ReportAction::Approve,
        state: ReportState::Approved,
        body: &r.body,
        author: "office",
        reason: None,
        project: Some((Version(2), &figured, &meta)),
    };
    assert!(matches!(s.change_report(&stale, &audit("report_approve")).await, Err(StoreError::VersionMismatch { .. })));
    assert_eq!(s.report(r.id).await.unwrap().version, 1);
    assert_eq!(s.report_history(r.id).await.unwrap().len(), 1);
    assert_eq!(s.get(&p.id).await.unwrap().version, Version(1));
    let ok = ReportChange { project: Some((Version(1), &figured, &meta)), ..stale.clone() };
    let approved = s.change_report(&ok, &audit("report_approve")).await.unwrap();
    assert_eq!(approved.state, ReportState::Approved);
    let now = s.get(&p.id).await.unwrap();
    assert_eq!(now.version, Version(2));
    assert_eq!(now.props.investment_completed.map(|w| w.to_string()).as_deref(), Some("800"));
    let h = s.history(&p.id).await.unwrap();
    assert_eq!((h[1].author.as_str(), h[1].comment.as_deref()), ("unit-user", Some("月报 2026-11 approved")));
    let log = s.audit_log(10).await.unwrap();
    assert_eq!(log.iter().map(|e| e.action.as_str()).take(2).collect::<Vec<_>>(), ["report_approve", "report_approve"]);
}

pub async fn milestones_are_set_per_project_and_kind(s: &dyn Store) {
    let m = |project: &str, kind: MilestoneKind, planned: &str, actual: Option<&str>| Milestone {
        project_id: ProjectId::parse(project).unwrap(),
        kind,
        planned: Some(planned.parse().unwrap()),
        actual: actual.map(|a| a.parse().unwrap()),
        note: Some("依据年度计划".into()),
        updated_by: "planner".into(),
        updated_at: planmap::time::now_micros(),
    };
    s.set_milestone(&m("port-a", MilestoneKind::Start, "2026-10-31", None), &audit("milestone_set")).await.unwrap();
    s.set_milestone(&m("port-a", MilestoneKind::Approval, "2026-01-15", Some("2026-02-01")), &audit("milestone_set")).await.unwrap();
    s.set_milestone(&m("road-b", MilestoneKind::Acceptance, "2027-12-31", None), &audit("milestone_set")).await.unwrap();
    let changed = m("port-a", MilestoneKind::Start, "2026-12-31", Some("2026-11-20"));
    s.set_milestone(&changed, &audit("milestone_set")).await.unwrap();
    let port = s.milestones(Some(&ProjectId::parse("port-a").unwrap())).await.unwrap();
    assert_eq!(port.iter().map(|m| m.kind).collect::<Vec<_>>(), [MilestoneKind::Approval, MilestoneKind::Start]);
    assert_eq!(port[1], changed);
    assert_eq!(s.milestones(None).await.unwrap().len(), 3);
    assert_eq!(s.audit_log(10).await.unwrap().iter().filter(|e| e.action == "milestone_set").count(), 4);
}
