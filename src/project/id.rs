//! `ProjectId`: the stable slug that names a project in URLs, files and history.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Why a string is not a project id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a project id: use 3–80 characters of a–z, 0–9 and single hyphens between them (e.g. zhuangyuanao-port-phase2)")]
pub struct BadProjectId(pub String);

/// A slug such as `zhuangyuanao-port-phase2`: lower-case ASCII letters and digits in groups
/// joined by single hyphens. Kept ASCII so ids survive URLs, shapefile fields and Excel alike.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProjectId(String);

impl ProjectId {
    /// Parses a slug.
    pub fn parse(s: &str) -> Result<Self, BadProjectId> {
        let ok = (3..=80).contains(&s.len()) && s.split('-').all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        if ok {
            Ok(ProjectId(s.to_owned()))
        } else {
            Err(BadProjectId(s.to_owned()))
        }
    }
    /// The slug.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ProjectId {
    type Err = BadProjectId;
    fn from_str(s: &str) -> Result<Self, BadProjectId> {
        ProjectId::parse(s)
    }
}
impl TryFrom<String> for ProjectId {
    type Error = BadProjectId;
    fn try_from(s: String) -> Result<Self, BadProjectId> {
        ProjectId::parse(&s)
    }
}
impl From<ProjectId> for String {
    fn from(id: ProjectId) -> String {
        id.0
    }
}
impl AsRef<str> for ProjectId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}
impl fmt::Display for ProjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_accepted_and_everything_else_is_not() {
        for ok in ["abc", "zhuangyuanao-port-phase2", "s211-niyu-beiao", "a1b"] {
            assert!(ProjectId::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "ab", "Abc", "a--b", "-abc", "abc-", "a b", "港口", "../etc", &"a".repeat(81)] {
            assert!(ProjectId::parse(bad).is_err(), "{bad}");
        }
    }
}
