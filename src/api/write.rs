//! The write path every route shares: `/api/projects` here, and (issue 5) the OGC API's
//! transactions, which arrive from QGIS without `If-Match`.
//!
//! Each function takes the caller (already authorised as a planner), the project id and an
//! *optional* expected version. `Some(v)` is the HTTP `If-Match` contract: compare-and-swap on
//! `v`, 412 when stale. `None` means "whatever is current": the current version is read and
//! used as the expected one, so the write is still a compare-and-swap and two writers racing
//! still cannot both win silently — the loser gets 412. Every accepted write is one revision
//! (author, time, comment, snapshot) and one audit line.

use super::caller::Caller;
use super::{AppState, Problem};
use crate::project::{FieldError, Invalid, NewProject, Project, ProjectId, Version};
use crate::store::{RevisionMeta, StoreError};
use axum::http::StatusCode;
use serde_json::{Map, Value};

/// Author, comment, address and audit action; the store writes the revision and the audit line
/// in one transaction with the change.
fn meta(c: &Caller, comment: Option<&str>, action: Option<&'static str>) -> RevisionMeta {
    RevisionMeta::by(c.actor(), comment.map(str::trim).filter(|s| !s.is_empty())).audited(c.address.as_deref(), action)
}

/// Checks a Feature, with the vertex limit as a 413 naming the limit.
pub(crate) fn check(s: &AppState, feature: &Value, url_id: Option<&ProjectId>) -> Result<NewProject, Problem> {
    let count = crate::import::raw_vertex_count(feature.get("geometry").unwrap_or(&Value::Null));
    if count > s.edit.max_vertices {
        return Err(Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Geometry too large",
            format!("the geometry has {count} vertices; at most {} are accepted per geometry", s.edit.max_vertices),
        )
        .with("limit", Value::from(s.edit.max_vertices)));
    }
    Ok(NewProject::from_feature(feature, url_id, &s.rules)?)
}

async fn expected_or_current(s: &AppState, id: &ProjectId, expected: Option<Version>) -> Result<Version, Problem> {
    match expected {
        Some(v) => Ok(v),
        None => Ok(s.store.get(id).await?.version),
    }
}

/// Creates a project.
pub(crate) async fn create(s: &AppState, c: &Caller, feature: &Value, comment: Option<&str>) -> Result<Project, Problem> {
    let new = check(s, feature, None)?;
    Ok(s.store.create(&new, &meta(c, comment, None)).await?)
}

/// Replaces a project with a whole new Feature.
pub(crate) async fn replace(
    s: &AppState,
    c: &Caller,
    id: &ProjectId,
    expected: Option<Version>,
    feature: &Value,
    comment: Option<&str>,
) -> Result<Project, Problem> {
    let new = check(s, feature, Some(id))?;
    let expected = expected_or_current(s, id, expected).await?;
    Ok(s.store.replace(expected, &new, &meta(c, comment, None)).await?)
}

/// RFC 7396 JSON merge patch: objects merge member by member, `null` removes, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(t) = target {
        for (k, v) in p {
            if v.is_null() {
                t.remove(k);
            } else {
                merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

/// Applies a merge patch (of `properties` and/or `geometry`) to the current Feature, then
/// checks and writes the result as a replace.
pub(crate) async fn patch(
    s: &AppState,
    c: &Caller,
    id: &ProjectId,
    expected: Option<Version>,
    patch: &Value,
    comment: Option<&str>,
) -> Result<Project, Problem> {
    let Some(obj) = patch.as_object() else {
        return Err(Invalid(vec![FieldError {
            pointer: String::new(),
            field: "patch".into(),
            reason: "a merge patch must be a JSON object".into(),
            at: None,
        }])
        .into());
    };
    if let Some(k) = obj.keys().find(|k| !matches!(k.as_str(), "properties" | "geometry" | "type" | "id")) {
        return Err(Invalid(vec![FieldError {
            pointer: format!("/{k}"),
            field: k.clone(),
            reason: "a patch may change `properties` and `geometry` only".into(),
            at: None,
        }])
        .into());
    }
    let current = s.store.get(id).await?;
    let expected = expected.unwrap_or(current.version);
    if expected != current.version {
        // Checked before merging so the planner learns about the conflict, not about a field error
        // in someone else's newer state.
        return Err(StoreError::VersionMismatch { id: id.clone(), expected, current: current.version }.into());
    }
    let mut feature = current.to_feature();
    merge_patch(&mut feature, patch);
    let new = check(s, &feature, Some(id))?;
    Ok(s.store.replace(expected, &new, &meta(c, comment, Some("patch"))).await?)
}

/// Archives a project (it leaves the map, its history stays). Returns the archive's version.
pub(crate) async fn archive(s: &AppState, c: &Caller, id: &ProjectId, expected: Option<Version>, comment: Option<&str>) -> Result<Version, Problem> {
    let expected = expected_or_current(s, id, expected).await?;
    Ok(s.store.archive(id, expected, &meta(c, comment, None)).await?)
}

/// Writes an old revision's snapshot as a new revision, re-checked against today's rules; an
/// archived project comes back to the map. `expected` is the latest revision's version.
pub(crate) async fn restore(
    s: &AppState,
    c: &Caller,
    id: &ProjectId,
    expected: Option<Version>,
    version: Version,
    comment: Option<&str>,
) -> Result<Project, Problem> {
    let rev = s.store.revision(id, version).await?;
    let new = check(s, &rev.feature, Some(id))?;
    let default_comment = format!("restored version {version}");
    let m = meta(c, Some(comment.unwrap_or(&default_comment)), Some("restore"));
    let p = match s.store.get(id).await {
        Ok(cur) => s.store.replace(expected.unwrap_or(cur.version), &new, &m).await?,
        Err(StoreError::NotFound(_)) => {
            let last = s.store.history(id).await?.last().map_or(Version(0), |r| r.version);
            if let Some(e) = expected.filter(|e| *e != last) {
                return Err(StoreError::VersionMismatch { id: id.clone(), expected: e, current: last }.into());
            }
            s.store.create(&new, &m).await?
        }
        Err(e) => return Err(e.into()),
    };
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::merge_patch;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7396() {
        // The RFC's own example (appendix A, abridged).
        let mut t = json!({"title":"Goodbye!","author":{"givenName":"John","familyName":"Doe"},"tags":["example","sample"],"content":"x"});
        merge_patch(&mut t, &json!({"title":"Hello!","phoneNumber":"+01-123-456-7890","author":{"familyName":null},"tags":["example"]}));
        assert_eq!(t, json!({"title":"Hello!","author":{"givenName":"John"},"tags":["example"],"content":"x","phoneNumber":"+01-123-456-7890"}));
    }
}
