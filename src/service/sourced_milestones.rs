//! Milestones from the seed's sourced dates (issue 11): when planmap seeds an empty store, a
//! project's `start_date` becomes its 开工 milestone's actual date, `actual_completion` its 竣工验收
//! actual date and `planned_completion` that milestone's planned date. Each note quotes the source
//! the seed cites for the field, so the milestone says where it comes from; nothing is made up
//! (no monthly report is written, and a project without a sourced date gets no milestone).

use super::progress::ProgressResult;
use crate::auth::AuditEntry;
use crate::progress::{Milestone, MilestoneKind};
use crate::project::{Page, ProjectFilter, ProjectId, ProjectProps, Source};
use crate::store::Store;
use chrono::NaiveDate;

/// Who the milestones are entered by, as for the sourced target values.
pub const ENTERED_BY: &str = "data-import";

/// `title, url: quote` of the source cited for `field`, or `None` when no source states it.
fn citation(sources: &[Source], field: &str) -> Option<String> {
    let s = sources.iter().find(|s| s.states(field))?;
    let mut text = s.title.clone();
    if let Some(url) = &s.url {
        text.push_str(", ");
        text.push_str(url);
    }
    if let Some(q) = &s.quote {
        text.push_str(": “");
        text.push_str(q);
        text.push('”');
    }
    // The milestone note holds at most 2000 characters (the same limit as an edit through the API).
    Some(text.chars().take(1900).collect())
}

/// The milestones the projects' sourced dates give on `today`. A date no source states, or an
/// actual date after `today`, gives nothing.
pub fn sourced<'a>(projects: impl IntoIterator<Item = (&'a ProjectId, &'a ProjectProps)>, today: NaiveDate) -> Vec<Milestone> {
    let now = crate::time::now_micros();
    let milestone = |id: &ProjectId, kind, planned, actual, notes: Vec<String>| Milestone {
        project_id: id.clone(),
        kind,
        planned,
        actual,
        note: Some(notes.join("; ")),
        updated_by: ENTERED_BY.to_owned(),
        updated_at: now,
    };
    let mut out = Vec::new();
    for (id, props) in projects {
        let dated = |field: &str, d: Option<NaiveDate>, actual: bool| -> Option<(NaiveDate, String)> {
            let d = d.filter(|d| !actual || *d <= today)?;
            Some((d, format!("{field} {d} — {}", citation(&props.sources, field)?)))
        };
        if let Some((d, note)) = dated("start_date", props.start_date, true) {
            out.push(milestone(id, MilestoneKind::Start, None, Some(d), vec![note]));
        }
        let actual = dated("actual_completion", props.actual_completion, true);
        let planned = dated("planned_completion", props.planned_completion, false);
        if actual.is_some() || planned.is_some() {
            let notes = [&actual, &planned].into_iter().flatten().map(|(_, n)| n.clone()).collect();
            out.push(milestone(id, MilestoneKind::Acceptance, planned.map(|(d, _)| d), actual.map(|(d, _)| d), notes));
        }
    }
    out
}

/// Records the sourced milestones of the live projects that do not have that milestone yet, each
/// with its audit line (actor `seed`, like the seed's own revisions). Returns how many were written.
pub async fn seed(store: &dyn Store, today: NaiveDate) -> ProgressResult<u64> {
    let projects = store.list(&ProjectFilter::default(), Page::ALL).await?;
    let existing = store.milestones(None).await?;
    let mut written = 0;
    for m in sourced(projects.iter().map(|p| (&p.id, &p.props)), today) {
        if existing.iter().any(|e| e.project_id == m.project_id && e.kind == m.kind) {
            continue;
        }
        let detail = format!("{} planned {:?} actual {:?} from the seed's cited source", m.kind, m.planned, m.actual);
        let audit = AuditEntry::now("seed", "milestone_set", Some(m.project_id.as_str()), None, Some(detail));
        store.set_milestone(&m, &audit).await?;
        written += 1;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::{NewProject, Rules};
    use serde_json::json;

    fn project(id: &str, extra: serde_json::Value) -> (ProjectId, ProjectProps) {
        let mut props = json!({
            "name_zh": "测试", "kind": "road", "location_confidence": "low",
            "sources": [{"title": "plan", "url": null, "kind": "plan"}]
        });
        for (k, v) in extra.as_object().unwrap() {
            props[k] = v.clone();
        }
        let f = json!({"type": "Feature", "id": id, "geometry": {"type": "Point", "coordinates": [121.0, 27.85]}, "properties": props});
        let n = NewProject::from_feature(&f, None, &Rules::default()).unwrap();
        (n.id, n.props)
    }

    fn cited(fields: &[&str], quote: &str) -> serde_json::Value {
        json!({"title": "温州网", "url": "https://news.66wz.com/x.shtml", "kind": "news", "retrieved": "2026-12-01", "fields": fields, "quote": quote})
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_sourced_start_becomes_the_start_milestones_actual_date_with_its_quote() {
        let p = project(
            "wind-port",
            json!({"status": "under_construction", "start_date": "2024-12-26",
                   "sources": [{"title": "plan", "url": null, "kind": "plan"}, cited(&["status", "start_date"], "12月26日上午……正式开工")]}),
        );
        let ms = sourced([(&p.0, &p.1)], day("2026-12-01"));
        assert_eq!(ms.len(), 1);
        assert_eq!((ms[0].kind, ms[0].planned, ms[0].actual), (MilestoneKind::Start, None, Some(day("2024-12-26"))));
        let note = ms[0].note.as_deref().unwrap();
        assert!(note.contains("12月26日上午……正式开工") && note.contains("https://news.66wz.com/x.shtml"), "{note}");
        assert_eq!(ms[0].updated_by, ENTERED_BY);
    }

    #[test]
    fn completion_dates_fill_the_acceptance_milestone_and_future_actuals_are_left_out() {
        let p = project(
            "lng-berth",
            json!({"status": "completed", "actual_completion": "2023-02-20", "planned_completion": "2023-03-01",
                   "sources": [{"title": "plan", "url": null, "kind": "plan"},
                               cited(&["status", "actual_completion"], "2月20日完工"), cited(&["planned_completion"], "计划3月1日建成")]}),
        );
        let ms = sourced([(&p.0, &p.1)], day("2026-12-01"));
        assert_eq!(ms.len(), 1);
        assert_eq!((ms[0].kind, ms[0].planned, ms[0].actual), (MilestoneKind::Acceptance, Some(day("2023-03-01")), Some(day("2023-02-20"))));
        // On a day before the completion it had not happened: only the planned date is there.
        let earlier = sourced([(&p.0, &p.1)], day("2023-01-01"));
        assert_eq!((earlier[0].planned, earlier[0].actual), (Some(day("2023-03-01")), None));
    }

    #[test]
    fn a_project_without_sourced_dates_gets_no_milestone() {
        let p = project("no-dates", json!({}));
        assert!(sourced([(&p.0, &p.1)], day("2026-12-01")).is_empty());
    }
}
