//! The write path every door shares: `/api/projects`, the OGC API's transactions (which arrive
//! from QGIS without `If-Match`), and history (diff, restore).
//!
//! Each write takes who is acting, the project id and a [`Condition`]: HTTP's `If-Match` and
//! `If-Unmodified-Since`, evaluated as RFC 9110 §13.2.2 orders them against the current state
//! (a missing project is `NotFound` before any precondition is looked at; a failed one is
//! `Precondition`). The write is then a compare-and-swap on the version the condition was
//! checked against, so two writers racing cannot both win silently, with or without a
//! condition (QGIS sends none) — the loser gets `VersionMismatch`. Every accepted write is one
//! revision (author, time, comment, snapshot) and one audit line, written by the store in one
//! transaction.

use super::import::raw_vertex_count;
use super::{Actor, ServiceError, ServiceResult};
use crate::project::{FieldError, Invalid, NewProject, Project, ProjectId, Rules, Version, Wan};
use crate::store::{Revision, RevisionMeta, Store, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Map, Value};

/// What `If-Match` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionMatch {
    /// `*`: any current state.
    Any,
    /// One of these versions; tags that named no version are left out, so an empty list never
    /// matches.
    OneOf(Vec<Version>),
}

/// The preconditions of a write (RFC 9110 §13.1), already read from the request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Condition {
    /// `If-Match`.
    pub if_match: Option<VersionMatch>,
    /// `If-Unmodified-Since` (whole seconds, as HTTP-dates have them).
    pub unmodified_since: Option<DateTime<Utc>>,
}

impl Condition {
    /// No precondition: the write applies to whatever is current.
    pub const NONE: Condition = Condition { if_match: None, unmodified_since: None };

    /// `If-Match` on one version.
    pub fn version(v: Version) -> Condition {
        Condition { if_match: Some(VersionMatch::OneOf(vec![v])), unmodified_since: None }
    }

    /// Whether the request sent a precondition at all.
    pub fn is_given(&self) -> bool {
        self.if_match.is_some() || self.unmodified_since.is_some()
    }

    /// Evaluates against the current state: `If-Match` when sent, else `If-Unmodified-Since`
    /// (RFC 9110 §13.2.2 ignores the date when both are sent). The date is compared in whole
    /// seconds, so a second write within the same second as the one the client saw is not
    /// detected by it: the version (`If-Match`) is exact and should be preferred.
    pub fn check(&self, id: &ProjectId, current: Version, modified: DateTime<Utc>) -> ServiceResult<()> {
        let failed = |reason: String| Err(ServiceError::Precondition { id: id.clone(), current, reason });
        match (&self.if_match, self.unmodified_since) {
            (Some(VersionMatch::Any), _) => Ok(()),
            (Some(VersionMatch::OneOf(vs)), _) if vs.contains(&current) => Ok(()),
            (Some(VersionMatch::OneOf(vs)), _) => {
                let asked: Vec<String> = vs.iter().map(|v| format!("\"{v}\"")).collect();
                let asked = if asked.is_empty() { "no version of it".to_owned() } else { asked.join(", ") };
                failed(format!("If-Match names {asked}; the current version is \"{current}\""))
            }
            (None, Some(since)) if modified.timestamp() > since.timestamp() => {
                failed(format!("it was modified at {} (version {current}), after If-Unmodified-Since", crate::time::rfc3339(modified)))
            }
            (None, _) => Ok(()),
        }
    }
}

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
        if !same(x, y) {
            out.push(json!({"field": k, "pointer": format!("/properties/{k}"), "from": x, "to": y}));
        }
    }
    let (ga, gb) = (a.get("geometry").unwrap_or(&Value::Null), b.get("geometry").unwrap_or(&Value::Null));
    if ga != gb {
        out.push(json!({"field": "geometry", "pointer": "/geometry", "from": ga, "to": gb}));
    }
    out
}

/// Equal, taking an amount that an older revision stored as text (`"7800"`, before amounts were
/// written as JSON numbers) as the number it names, so that a diff across that change shows
/// only real edits.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(s), Value::Number(n)) | (Value::Number(n), Value::String(s)) => {
            s.parse::<Wan>().ok().zip(n.to_string().parse::<Wan>().ok()).is_some_and(|(x, y)| x == y)
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        (Value::Object(x), Value::Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w))),
        _ => a == b,
    }
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

/// An archived project as the editor lists it, to find it again and restore it.
#[derive(Debug, Clone, Serialize)]
pub struct ArchivedProject {
    /// The project.
    pub id: ProjectId,
    /// Its names in the last state, so the list reads like the map.
    pub name_zh: Option<String>,
    /// English name, when it had one.
    pub name_en: Option<String>,
    /// The archive's version: the expected version (`If-Match`) of a restore.
    pub version: Version,
    /// The version before the archive: the one a restore brings back.
    pub last_live_version: Version,
    /// Who archived it.
    pub archived_by: String,
    /// When (RFC 3339).
    pub archived_at: String,
    /// Their comment.
    pub comment: Option<String>,
}

/// The projects archived now, the most recently archived first.
pub async fn archived(store: &dyn Store) -> ServiceResult<Vec<ArchivedProject>> {
    let name = |r: &Revision, key: &str| r.feature["properties"][key].as_str().map(str::to_owned);
    Ok(store
        .archived()
        .await?
        .into_iter()
        .map(|r| ArchivedProject {
            name_zh: name(&r, "name_zh"),
            name_en: name(&r, "name_en"),
            // An archive is a write after the last live one, so it is never version 1.
            last_live_version: Version((r.version.0 - 1).max(1)),
            archived_at: crate::time::rfc3339(r.created_at),
            archived_by: r.author,
            comment: r.comment,
            version: r.version,
            id: r.project_id,
        })
        .collect())
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

    /// The current version once `cond` holds for it (404 first when there is no project).
    async fn current_if(&self, id: &ProjectId, cond: &Condition) -> ServiceResult<Version> {
        let current = self.store.get(id).await?;
        cond.check(id, current.version, current.updated_at)?;
        Ok(current.version)
    }

    /// Creates a project.
    pub async fn create(&self, by: &Actor, feature: &Value, comment: Option<&str>) -> ServiceResult<Project> {
        let new = self.check(feature, None)?;
        Ok(self.store.create(&new, &meta(by, comment, None)).await?)
    }

    /// Replaces a project with a whole new Feature.
    pub async fn replace(&self, by: &Actor, id: &ProjectId, cond: &Condition, feature: &Value, comment: Option<&str>) -> ServiceResult<Project> {
        let new = self.check(feature, Some(id))?;
        let expected = self.current_if(id, cond).await?;
        Ok(self.store.replace(expected, &new, &meta(by, comment, None)).await?)
    }

    /// Applies a merge patch (of `properties` and/or `geometry`) to the current Feature, then
    /// checks and writes the result as a replace.
    pub async fn patch(&self, by: &Actor, id: &ProjectId, cond: &Condition, patch: &Value, comment: Option<&str>) -> ServiceResult<Project> {
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
        // Checked before merging so the planner learns about the conflict, not about a field
        // error in someone else's newer state.
        cond.check(id, current.version, current.updated_at)?;
        let expected = current.version;
        let mut feature = current.to_feature();
        merge_patch(&mut feature, patch);
        let new = self.check(&feature, Some(id))?;
        Ok(self.store.replace(expected, &new, &meta(by, comment, Some("patch"))).await?)
    }

    /// Archives a project (it leaves the map, its history stays). Returns the archive's version.
    pub async fn archive(&self, by: &Actor, id: &ProjectId, cond: &Condition, comment: Option<&str>) -> ServiceResult<Version> {
        let expected = self.current_if(id, cond).await?;
        Ok(self.store.archive(id, expected, &meta(by, comment, None)).await?)
    }

    /// Writes an old revision's snapshot as a new revision, re-checked against today's rules; an
    /// archived project comes back to the map. `cond` is checked against the latest revision
    /// (an archived project has no current row, but its archive is a version).
    pub async fn restore(&self, by: &Actor, id: &ProjectId, cond: &Condition, version: Version, comment: Option<&str>) -> ServiceResult<Project> {
        let history = self.store.history(id).await?;
        let Some(last) = history.last() else { return Err(StoreError::NotFound(id.clone()).into()) };
        cond.check(id, last.version, last.created_at)?;
        let rev = self.store.revision(id, version).await?;
        let new = self.check(&rev.feature, Some(id))?;
        let default_comment = format!("restored version {version}");
        let m = meta(by, Some(comment.unwrap_or(&default_comment)), Some("restore"));
        let p = if last.archived { self.store.create(&new, &m).await? } else { self.store.replace(last.version, &new, &m).await? };
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::merge_patch;
    use serde_json::json;

    #[test]
    fn a_diff_counts_an_amount_stored_as_text_as_the_same_number() {
        let old = json!({"properties": {"investment_total": "7800", "investment_by_year": [{"year": 2025, "plan": "100.50"}], "name_zh": "港"}});
        let new = json!({"properties": {"investment_total": 7800, "investment_by_year": [{"year": 2025, "plan": 100.5}], "name_zh": "港"}});
        assert!(super::diff_features(&old, &new).is_empty());
        let changed = json!({"properties": {"investment_total": 7801, "investment_by_year": [{"year": 2025, "plan": 100.5}], "name_zh": "港"}});
        assert_eq!(super::diff_features(&old, &changed).len(), 1);
    }

    #[test]
    fn merge_patch_follows_rfc_7396() {
        // The RFC's own example (appendix A, abridged).
        let mut t = json!({"title":"Goodbye!","author":{"givenName":"John","familyName":"Doe"},"tags":["example","sample"],"content":"x"});
        merge_patch(&mut t, &json!({"title":"Hello!","phoneNumber":"+01-123-456-7890","author":{"familyName":null},"tags":["example"]}));
        assert_eq!(t, json!({"title":"Hello!","author":{"givenName":"John"},"tags":["example"],"content":"x","phoneNumber":"+01-123-456-7890"}));
    }
}
