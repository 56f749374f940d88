//! The write path every door shares: `/api/projects`, the OGC API's transactions (which arrive
//! from QGIS without `If-Match`), and history (diff, restore).
//!
//! Each write takes who is acting, the project id and an *optional* expected version. `Some(v)`
//! is the HTTP `If-Match` contract: compare-and-swap on `v`, `VersionMismatch` when stale.
//! `None` means "whatever is current": the current version is read and used as the expected
//! one, so the write is still a compare-and-swap and two writers racing still cannot both win
//! silently — the loser gets `VersionMismatch`. Every accepted write is one revision (author,
//! time, comment, snapshot) and one audit line, written by the store in one transaction.

use super::import::raw_vertex_count;
use super::{Actor, ServiceError, ServiceResult};
use crate::project::{FieldError, Invalid, NewProject, Project, ProjectId, Rules, Version};
use crate::store::{Revision, RevisionMeta, Store, StoreError};
use serde::Serialize;
use serde_json::{json, Map, Value};

/// Longest revision comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 2000;

/// What project edits need: the store, the input rules and the vertex limit.
#[derive(Clone, Copy)]
pub struct Edits<'a> {
    /// The database.
    pub store: &'a dyn Store,
    /// Region, towns, islands.
    pub rules: &'a Rules,
    /// Vertices accepted per geometry.
    pub max_vertices: usize,
}

/// Splits the optional top-level `comment` member off a request body; it must be short text.
pub fn take_comment(v: &mut Value) -> ServiceResult<Option<String>> {
    match v.as_object_mut().and_then(|o| o.remove("comment")) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.chars().count() <= MAX_COMMENT_CHARS => Ok(Some(s)),
        Some(_) => Err(ServiceError::BadComment),
    }
}

/// Author, comment, address and audit action; the store writes the revision and the audit line
/// in one transaction with the change.
fn meta(by: &Actor, comment: Option<&str>, action: Option<&'static str>) -> RevisionMeta {
    RevisionMeta::by(&by.name, comment.map(str::trim).filter(|s| !s.is_empty())).audited(by.address.as_deref(), action)
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

/// What changed between two snapshots: each property that differs, and the geometry if it does.
pub fn diff_features(a: &Value, b: &Value) -> Vec<Value> {
    // Server-maintained members change on every write and say nothing about the edit.
    const SKIP: &[&str] = &["version", "updated_at"];
    let empty = Map::new();
    let pa = a.get("properties").and_then(Value::as_object).unwrap_or(&empty);
    let pb = b.get("properties").and_then(Value::as_object).unwrap_or(&empty);
    let mut keys: Vec<&String> = pa.keys().chain(pb.keys()).filter(|k| !SKIP.contains(&k.as_str())).collect();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for k in keys {
        let (x, y) = (pa.get(k).unwrap_or(&Value::Null), pb.get(k).unwrap_or(&Value::Null));
        if x != y {
            out.push(json!({"field": k, "pointer": format!("/properties/{k}"), "from": x, "to": y}));
        }
    }
    let (ga, gb) = (a.get("geometry").unwrap_or(&Value::Null), b.get("geometry").unwrap_or(&Value::Null));
    if ga != gb {
        out.push(json!({"field": "geometry", "pointer": "/geometry", "from": ga, "to": gb}));
    }
    out
}

/// One side of a diff: who wrote the revision, when and why.
#[derive(Debug, Clone, Serialize)]
pub struct DiffSide {
    /// Author.
    pub author: String,
    /// RFC 3339.
    pub created_at: String,
    /// Comment.
    pub comment: Option<String>,
    /// Whether the revision archived the project.
    pub archived: bool,
}

impl DiffSide {
    fn of(r: &Revision) -> DiffSide {
        DiffSide { author: r.author.clone(), created_at: crate::time::rfc3339(r.created_at), comment: r.comment.clone(), archived: r.archived }
    }
}

/// Two revisions compared.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    /// The project.
    pub id: ProjectId,
    /// Older version.
    pub from: Version,
    /// Newer version.
    pub to: Version,
    /// The older revision.
    pub from_revision: DiffSide,
    /// The newer revision.
    pub to_revision: DiffSide,
    /// Per field: pointer, from, to.
    pub changes: Vec<Value>,
}

/// Compares two revisions; `to` defaults to the latest, `from` to the one before `to`.
pub async fn diff(store: &dyn Store, id: &ProjectId, from: Option<Version>, to: Option<Version>) -> ServiceResult<Diff> {
    let history = store.history(id).await?;
    let latest = history.last().map_or(Version(1), |r| r.version);
    let to = to.unwrap_or(latest);
    let from = from.unwrap_or(Version((to.0 - 1).max(1)));
    let find = |version: Version, param: &'static str| {
        history.iter().find(|r| r.version == version).ok_or_else(|| ServiceError::NoSuchVersion { param, id: id.clone(), version, latest })
    };
    let (a, b) = (find(from, "from")?, find(to, "to")?);
    Ok(Diff { id: id.clone(), from, to, from_revision: DiffSide::of(a), to_revision: DiffSide::of(b), changes: diff_features(&a.feature, &b.feature) })
}

impl Edits<'_> {
    /// Checks a Feature, the vertex limit first (before the geometry is parsed).
    pub fn check(&self, feature: &Value, url_id: Option<&ProjectId>) -> ServiceResult<NewProject> {
        let count = raw_vertex_count(feature.get("geometry").unwrap_or(&Value::Null));
        if count > self.max_vertices {
            return Err(ServiceError::GeometryTooLarge { count, max: self.max_vertices });
        }
        Ok(NewProject::from_feature(feature, url_id, self.rules)?)
    }

    async fn expected_or_current(&self, id: &ProjectId, expected: Option<Version>) -> ServiceResult<Version> {
        match expected {
            Some(v) => Ok(v),
            None => Ok(self.store.get(id).await?.version),
        }
    }

    /// Creates a project.
    pub async fn create(&self, by: &Actor, feature: &Value, comment: Option<&str>) -> ServiceResult<Project> {
        let new = self.check(feature, None)?;
        Ok(self.store.create(&new, &meta(by, comment, None)).await?)
    }

    /// Replaces a project with a whole new Feature.
    pub async fn replace(&self, by: &Actor, id: &ProjectId, expected: Option<Version>, feature: &Value, comment: Option<&str>) -> ServiceResult<Project> {
        let new = self.check(feature, Some(id))?;
        let expected = self.expected_or_current(id, expected).await?;
        Ok(self.store.replace(expected, &new, &meta(by, comment, None)).await?)
    }

    /// Applies a merge patch (of `properties` and/or `geometry`) to the current Feature, then
    /// checks and writes the result as a replace.
    pub async fn patch(&self, by: &Actor, id: &ProjectId, expected: Option<Version>, patch: &Value, comment: Option<&str>) -> ServiceResult<Project> {
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
        let current = self.store.get(id).await?;
        let expected = expected.unwrap_or(current.version);
        if expected != current.version {
            // Checked before merging so the planner learns about the conflict, not about a field
            // error in someone else's newer state.
            return Err(StoreError::VersionMismatch { id: id.clone(), expected, current: current.version }.into());
        }
        let mut feature = current.to_feature();
        merge_patch(&mut feature, patch);
        let new = self.check(&feature, Some(id))?;
        Ok(self.store.replace(expected, &new, &meta(by, comment, Some("patch"))).await?)
    }

    /// Archives a project (it leaves the map, its history stays). Returns the archive's version.
    pub async fn archive(&self, by: &Actor, id: &ProjectId, expected: Option<Version>, comment: Option<&str>) -> ServiceResult<Version> {
        let expected = self.expected_or_current(id, expected).await?;
        Ok(self.store.archive(id, expected, &meta(by, comment, None)).await?)
    }

    /// Writes an old revision's snapshot as a new revision, re-checked against today's rules; an
    /// archived project comes back to the map. `expected` is the latest revision's version.
    pub async fn restore(&self, by: &Actor, id: &ProjectId, expected: Option<Version>, version: Version, comment: Option<&str>) -> ServiceResult<Project> {
        let rev = self.store.revision(id, version).await?;
        let new = self.check(&rev.feature, Some(id))?;
        let default_comment = format!("restored version {version}");
        let m = meta(by, Some(comment.unwrap_or(&default_comment)), Some("restore"));
        let p = match self.store.get(id).await {
            Ok(cur) => self.store.replace(expected.unwrap_or(cur.version), &new, &m).await?,
            Err(StoreError::NotFound(_)) => {
                let last = self.store.history(id).await?.last().map_or(Version(0), |r| r.version);
                if let Some(e) = expected.filter(|e| *e != last) {
                    return Err(StoreError::VersionMismatch { id: id.clone(), expected: e, current: last }.into());
                }
                self.store.create(&new, &m).await?
            }
            Err(e) => return Err(e.into()),
        };
        Ok(p)
    }
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
