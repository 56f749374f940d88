//! Report photos, target values and statistics users (issue 10, items 6 and 10) in the store
//! contract, run on both stores like every case in `cases.rs`.

use crate::support::{point, project};
use planmap::auth::{AuditEntry, Role, UserName};
use planmap::progress::{ImageType, NewPhoto, NewReport, NewTargetValue, PhotoId, Position, ReportBody, ReportFigures, ReportId};
use planmap::project::ProjectId;
use planmap::store::{RevisionMeta, Store, StoreError};
use serde_json::json;

fn audit(action: &str) -> AuditEntry {
    AuditEntry::now("tester", action, None, Some("10.0.0.9"), Some("contract".into()))
}

async fn a_report(s: &dyn Store) -> ReportId {
    s.create(&project("photo-site", point(121.1, 27.8), json!({})), &RevisionMeta::by("seed", None)).await.unwrap();
    let body = ReportBody {
        figures: ReportFigures::from_json(&json!({"investment_month": "1", "investment_year_to_date": "1"}), &[]).unwrap(),
        reporter: "unit-user".into(),
        submitted_by: None,
        submitted_at: None,
        reviewed_by: None,
        reviewed_at: None,
        return_reason: None,
        correction_reason: None,
    };
    let new = NewReport { project_id: ProjectId::parse("photo-site").unwrap(), period: "2026-10".parse().unwrap(), body };
    s.create_report(&new, &audit("report_create")).await.unwrap().id
}

fn photo(report: ReportId, bytes: &[u8]) -> NewPhoto {
    NewPhoto {
        report_id: report,
        image_type: ImageType::Png,
        sha256: "ab".repeat(32),
        bytes: bytes.to_vec(),
        thumbnail: vec![0xFF, 0xD8, 0xFF, 1, 2, 3],
        width: 4000,
        height: 3000,
        taken_at: Some("2026-10-21T09:15:00".into()),
        position: Position::new(121.0712, 27.8401),
        uploaded_by: "unit-user".into(),
    }
}

pub async fn photos_are_kept_with_their_report_and_read_back_byte_for_byte(s: &dyn Store) {
    let rid = a_report(s).await;
    // Every byte value, so no encoding on the way in or out can pass unnoticed.
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let before = s.audit_log(100).await.unwrap().len();
    let p = s.add_photo(&photo(rid, &bytes), &audit("report_photo")).await.unwrap();
    assert_eq!((p.report_id, p.content_type.as_str(), p.size, p.width, p.height), (rid, "image/png", 70_000, 4000, 3000));
    assert_eq!(p.taken_at.as_deref(), Some("2026-10-21T09:15:00"));
    assert_eq!(p.position, Position::new(121.0712, 27.8401));
    assert_eq!(p.url, format!("/api/photos/{}", p.id));
    assert_eq!(p.thumbnail_url, format!("/api/photos/{}/thumbnail", p.id));
    let (again, full) = s.photo_bytes(p.id, false).await.unwrap();
    assert_eq!(again, p);
    assert_eq!(full, bytes);
    assert_eq!(s.photo_bytes(p.id, true).await.unwrap().1, vec![0xFF, 0xD8, 0xFF, 1, 2, 3]);
    // A photo without EXIF has no time and no place.
    let mut bare = photo(rid, b"second");
    bare.taken_at = None;
    bare.position = None;
    let q = s.add_photo(&bare, &audit("report_photo")).await.unwrap();
    assert_eq!((q.taken_at.clone(), q.position), (None, None));
    assert_eq!(s.photos(rid).await.unwrap(), vec![p.clone(), q]);
    assert!(s.photos(ReportId(rid.0 + 99)).await.unwrap().is_empty());
    // Unknown report or photo: refused, nothing written.
    assert!(matches!(s.add_photo(&photo(ReportId(rid.0 + 99), b"x"), &audit("report_photo")).await, Err(StoreError::NoReport(_))));
    assert!(matches!(s.photo_bytes(PhotoId(p.id.0 + 99), false).await, Err(StoreError::NoPhoto(_))));
    let log = s.audit_log(100).await.unwrap();
    assert_eq!(log.len(), before + 2, "one audit line per stored photo");
    assert_eq!(log.iter().filter(|e| e.action == "report_photo").count(), 2);
}

fn value(target: &str, period: &str, v: &str, by: &str) -> NewTargetValue {
    NewTargetValue {
        target_id: target.into(),
        period: period.parse().unwrap(),
        value: v.parse().unwrap(),
        unit: "亿元".into(),
        source: json!({"title": "2025年洞头区国民经济和社会发展统计公报", "url": "https://example.org/gb"}),
        entered_by: by.into(),
    }
}

pub async fn target_values_keep_their_history_and_seed_once(s: &dyn Store) {
    assert!(s.target_values(None).await.unwrap().is_empty());
    let a = s.add_target_value(&value("gdp", "2025", "150.30", "office"), Some(&audit("target_value"))).await.unwrap();
    assert_eq!((a.target_id.as_str(), a.period.to_string().as_str(), a.value.as_str()), ("gdp", "2025", "150.3"));
    assert_eq!(a.source["title"], "2025年洞头区国民经济和社会发展统计公报");
    // A correction is a new row; the first stays as history.
    let b = s.add_target_value(&value("gdp", "2025", "151", "office"), Some(&audit("target_value"))).await.unwrap();
    s.add_target_value(&value("gdp", "2024-12", "140", "office"), None).await.unwrap();
    s.add_target_value(&value("routes", "2025", "18", "office"), None).await.unwrap();
    let gdp = s.target_values(Some("gdp")).await.unwrap();
    let seen: Vec<(String, String)> = gdp.iter().map(|v| (v.period.to_string(), v.value.clone())).collect();
    assert_eq!(seen, [("2024-12".to_owned(), "140".to_owned()), ("2025".into(), "150.3".into()), ("2025".into(), "151".into())]);
    assert!(gdp[1].id < gdp[2].id && gdp[2].id == b.id);
    assert_eq!(s.target_values(None).await.unwrap().len(), 4);
    let log = s.audit_log(100).await.unwrap();
    assert_eq!(log.iter().filter(|e| e.action == "target_value").count(), 2, "audited when a person entered it");
    // The sourced seed is recorded once, however often the server starts.
    let seed = [value("routes", "2025", "18", "data-import"), value("berths", "2024-12", "2", "data-import")];
    assert_eq!(s.seed_target_values(&seed).await.unwrap(), 2);
    assert_eq!(s.seed_target_values(&seed).await.unwrap(), 0);
    assert_eq!(s.target_values(None).await.unwrap().len(), 6);
}

pub async fn statistics_users_are_designated_and_withdrawn(s: &dyn Store) {
    let u = s.add_user(&UserName::parse("stats").unwrap(), Role::Viewer, "x", &audit("user_add")).await.unwrap();
    assert!(!s.is_statistics_user(u.id).await.unwrap());
    s.set_statistics_user(&u.name, true, &audit("user_statistics")).await.unwrap();
    s.set_statistics_user(&u.name, true, &audit("user_statistics")).await.unwrap();
    assert!(s.is_statistics_user(u.id).await.unwrap());
    s.set_statistics_user(&u.name, false, &audit("user_statistics")).await.unwrap();
    assert!(!s.is_statistics_user(u.id).await.unwrap());
    assert!(matches!(s.set_statistics_user(&UserName::parse("nobody").unwrap(), true, &audit("user_statistics")).await, Err(StoreError::UnknownUser(_))));
    assert_eq!(s.audit_log(100).await.unwrap().iter().filter(|e| e.action == "user_statistics").count(), 3);
}
