//! Feature out: a stored project as the GeoJSON Feature the API serves and exports write,
//! with the server-added properties (`islands`, `version`, `updated_at`). The stored geometry
//! text is passed through untouched.

use super::{Project, ProjectId, ProjectProps, Version};
use crate::time::rfc3339;
use serde::Serialize;
use serde_json::Value;

/// The JSON a project is served as: a GeoJSON Feature with the server-added properties.
#[derive(Serialize)]
struct FeatureOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a ProjectId,
    geometry: &'a serde_json::value::RawValue,
    properties: PropsOut<'a>,
}

#[derive(Serialize)]
struct PropsOut<'a> {
    #[serde(flatten)]
    props: &'a ProjectProps,
    islands: &'a [String],
    version: Version,
    updated_at: String,
}

impl Project {
    /// Writes the project as a GeoJSON Feature.
    pub fn write_feature<W: std::io::Write>(&self, w: W) -> serde_json::Result<()> {
        // The stored text is served as is: no decode on the hot path.
        let raw: &serde_json::value::RawValue = serde_json::from_str(self.geometry.as_str())?;
        serde_json::to_writer(
            w,
            &FeatureOut {
                kind: "Feature",
                id: &self.id,
                geometry: raw,
                properties: PropsOut { props: &self.props, islands: &self.islands, version: self.version, updated_at: rfc3339(self.updated_at) },
            },
        )
    }
    /// The Feature as a JSON value.
    pub fn to_feature(&self) -> Value {
        let mut buf = Vec::new();
        match self.write_feature(&mut buf) {
            Ok(()) => serde_json::from_slice(&buf).unwrap_or(Value::Null),
            Err(_) => Value::Null,
        }
    }
    /// The geometry as a `geo` value (decoded on first use, then shared); `None` for a corrupt row.
    pub fn geo(&self) -> Option<&geo::Geometry<f64>> {
        self.geometry.geo()
    }
}
