//! SQL pieces both stores share: the non-spatial filter conditions and row decoding.
//!
//! The conditions are written once, generically over the sqlx database, so the two stores cannot
//! drift apart on what `status=…&q=…` means; only the spatial part and the substring function
//! differ per backend and are passed in.

use super::{StoreError, StoreResult};
use crate::geometry::StoredGeometry;
use crate::project::{Project, ProjectFilter, ProjectId, ProjectProps, Version};
use chrono::{DateTime, Utc};
use sqlx::{Database, QueryBuilder};

/// Appends ` and …` for every non-spatial condition of `f`. `substr` is the SQL function that
/// returns a 1-based position of a needle in a haystack (`instr` / `strpos`); `elements` the
/// rows of the `islands` JSON array as a table with a `value` column.
pub(crate) fn push_conditions<'a, DB: Database>(qb: &mut QueryBuilder<'a, DB>, f: &ProjectFilter, substr: &str, elements: &str)
where
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    fn any_of<'a, DB: Database, T>(qb: &mut QueryBuilder<'a, DB>, column: &str, values: Vec<T>)
    where
        T: 'a + sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    {
        if values.is_empty() {
            return;
        }
        qb.push(" and ").push(column).push(" in (");
        let mut sep = qb.separated(", ");
        for v in values {
            sep.push_bind(v);
        }
        qb.push(")");
    }
    any_of(qb, "status", f.statuses.iter().map(|s| s.as_str().to_owned()).collect());
    any_of(qb, "action", f.actions.iter().map(|a| i64::from(a.get())).collect());
    any_of(qb, "task", f.tasks.iter().map(|t| i64::from(t.get())).collect());
    any_of(qb, "kind", f.kinds.iter().map(|k| k.as_str().to_owned()).collect());
    any_of(qb, "town", f.towns.iter().map(|t| t.as_str().to_owned()).collect());
    any_of(qb, "id", f.ids.iter().map(|i| i.as_str().to_owned()).collect());
    if !f.islands.is_empty() {
        qb.push(" and exists (select 1 from ").push(elements).push(" where 1 = 1");
        any_of(qb, "value", f.islands.clone());
        qb.push(")");
    }
    if let Some(a) = &f.after {
        qb.push(" and id > ").push_bind(a.as_str().to_owned());
    }
    if let Some(q) = &f.q {
        // Lower-case on both sides with ASCII rules only: SQLite's lower() knows no other, and the
        // contract says the same query finds the same projects on both stores.
        let needle = q.to_ascii_lowercase();
        qb.push(" and (").push(substr).push("(lower(name_zh), ").push_bind(needle.clone()).push(") > 0 or ");
        qb.push(substr).push("(lower(coalesce(name_en, '')), ").push_bind(needle).push(") > 0)");
    }
}

/// Stored ids as [`ProjectId`]s, or `None` when there are more than `cap` (the query asked for
/// one more than that).
pub(crate) fn ids_within(ids: Vec<String>, cap: usize) -> StoreResult<Option<Vec<ProjectId>>> {
    if ids.len() > cap {
        return Ok(None);
    }
    let parse = |id: String| ProjectId::parse(&id).map_err(|e| StoreError::Corrupt { key: format!("project {id}"), reason: e.to_string() });
    ids.into_iter().map(parse).collect::<StoreResult<_>>().map(Some)
}

/// Turns stored columns back into a `Project`.
pub(crate) fn decode(id: String, version: i64, props: &str, islands: &str, geometry: String, updated_at: DateTime<Utc>) -> StoreResult<Project> {
    let corrupt = |reason: String| StoreError::Corrupt { key: format!("project {id}"), reason };
    let pid = ProjectId::parse(&id).map_err(|e| corrupt(e.to_string()))?;
    let props: ProjectProps = serde_json::from_str(props).map_err(|e| corrupt(format!("props: {e}")))?;
    let islands: Vec<String> = serde_json::from_str(islands).map_err(|e| corrupt(format!("islands: {e}")))?;
    Ok(Project { id: pid, geometry: StoredGeometry::from_text(geometry), props, islands, version: Version(version), updated_at })
}

/// Reads a revision's Feature back into a `Project`, for as-of reads. The geometry is decoded
/// here and printed again, so both stores print it exactly as they print current rows
/// (PostgreSQL's `jsonb` reorders keys and respaces).
pub(crate) fn decode_snapshot(id: &str, version: i64, feature: &str, at: DateTime<Utc>) -> StoreResult<Project> {
    let corrupt = |reason: String| StoreError::Corrupt { key: format!("revision {id} v{version}"), reason };
    let v: serde_json::Value = serde_json::from_str(feature).map_err(|e| corrupt(e.to_string()))?;
    let props_value = v.get("properties").cloned().unwrap_or_default();
    let islands: Vec<String> =
        props_value.get("islands").cloned().map(serde_json::from_value).transpose().map_err(|e| corrupt(format!("islands: {e}")))?.unwrap_or_default();
    let props: ProjectProps = serde_json::from_value(props_value).map_err(|e| corrupt(format!("props: {e}")))?;
    let geometry = StoredGeometry::from_stored_value(v.get("geometry").cloned().unwrap_or_default()).ok_or_else(|| corrupt("geometry".into()))?;
    let pid = ProjectId::parse(id).map_err(|e| corrupt(e.to_string()))?;
    Ok(Project { id: pid, geometry, props, islands, version: Version(version), updated_at: at })
}

/// What a batch does with one item, decided the same way by both stores.
pub(crate) enum BatchStep {
    /// No live project with that id.
    Create,
    /// Live and different: compare-and-swap on this version.
    Replace(Version),
    /// Live and identical: write nothing.
    Unchanged,
}

pub(crate) fn batch_step(current: Option<&Project>, new: &crate::project::NewProject, mode: super::BatchMode) -> StoreResult<BatchStep> {
    Ok(match current {
        None => BatchStep::Create,
        Some(_) if mode == super::BatchMode::CreateOnly => return Err(StoreError::AlreadyExists(new.id.clone())),
        Some(cur) if cur.props == new.props && cur.geometry.is(&new.geometry) => BatchStep::Unchanged,
        Some(cur) => BatchStep::Replace(cur.version),
    })
}
