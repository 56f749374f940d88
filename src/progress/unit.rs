//! `UnitName`: a responsible unit (责任单位) as the plan names it, e.g. 区交通运输局.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A text that cannot be a unit name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a unit name: use 2–64 characters, no line breaks, and one unit per name (no 、 or commas)")]
pub struct BadUnitName(pub String);

/// A responsible unit's name. Compared exactly: the plan's spelling is the key that ties a
/// project's `responsible_units` to the users who report for it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UnitName(String);

impl UnitName {
    /// Checks the rules.
    pub fn parse(s: &str) -> Result<UnitName, BadUnitName> {
        let t = s.trim();
        let n = t.chars().count();
        let ok = (2..=64).contains(&n) && !t.chars().any(|c| c.is_control() || matches!(c, '、' | ',' | '，' | ';' | '；'));
        if ok {
            Ok(UnitName(t.to_owned()))
        } else {
            Err(BadUnitName(s.to_owned()))
        }
    }
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// 各有关单位, 各有关部门, 各行业主管部门: the plan's "everyone concerned". Not a unit anyone
    /// can sign in as, so a project listing only these is reported by district-wide users.
    pub fn is_placeholder(&self) -> bool {
        self.0.starts_with('各')
    }

    /// The units the plan text names in its `(责任单位:…)` notes, in order of first mention,
    /// without placeholders. A note written without a separator before a placeholder
    /// (`区强城办<区住建局>各有关单位`) is split there.
    pub fn from_plan_text(text: &str) -> Vec<UnitName> {
        let mut out: Vec<UnitName> = Vec::new();
        for (i, _) in text.match_indices("责任单位") {
            let rest = &text[i + "责任单位".len()..];
            let rest = rest.trim_start_matches([':', '：']);
            let end = rest.find([')', '）']).unwrap_or(rest.len());
            for part in rest[..end].split(['、', ',', '，']) {
                let part = match part.find("各有关").or_else(|| part.find("各行业")) {
                    Some(at) if at > 0 => &part[..at],
                    _ => part,
                };
                if let Ok(u) = UnitName::parse(part) {
                    if !u.is_placeholder() && !out.contains(&u) {
                        out.push(u);
                    }
                }
            }
        }
        out
    }
}

/// The plan's units: its text's `(责任单位:…)` notes, then the seed projects'
/// `responsible_units` (a GeoJSON FeatureCollection text), without placeholders or repeats.
pub fn plan_units(plan_text: Option<&str>, projects_geojson: Option<&str>) -> Vec<UnitName> {
    let mut out = plan_text.map(UnitName::from_plan_text).unwrap_or_default();
    if let Some(v) = projects_geojson.and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok()) {
        for f in v.get("features").and_then(serde_json::Value::as_array).into_iter().flatten() {
            for u in f.pointer("/properties/responsible_units").and_then(serde_json::Value::as_array).into_iter().flatten() {
                if let Some(u) = u.as_str().and_then(|s| UnitName::parse(s).ok()).filter(|u| !u.is_placeholder()) {
                    if !out.contains(&u) {
                        out.push(u);
                    }
                }
            }
        }
    }
    out
}

impl TryFrom<String> for UnitName {
    type Error = BadUnitName;
    fn try_from(s: String) -> Result<UnitName, BadUnitName> {
        UnitName::parse(&s)
    }
}

impl From<UnitName> for String {
    fn from(u: UnitName) -> String {
        u.0
    }
}

impl fmt::Display for UnitName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_notes_become_units_without_placeholders() {
        let text = "…到2027年。(责任单位:区发改局、区投资促进服务中心、各有关部门)积极发展…(责任单位:区卫生健康局、区发改局)\
                    …(责任单位:区强城办<区住建局>各有关单位)";
        let names: Vec<String> = UnitName::from_plan_text(text).into_iter().map(String::from).collect();
        assert_eq!(names, ["区发改局", "区投资促进服务中心", "区卫生健康局", "区强城办<区住建局>"]);
    }

    #[test]
    fn unit_names_are_checked() {
        assert_eq!(UnitName::parse(" 区交通运输局 ").unwrap().as_str(), "区交通运输局");
        assert!(UnitName::parse("区发改局、区经信局").is_err());
        assert!(UnitName::parse("x").is_err());
        assert!(UnitName::parse("a\nb").is_err());
        assert!(UnitName::parse("各有关单位").unwrap().is_placeholder());
    }
}
