//! Base data: island outlines, the 2017 land fill, the district outline, the seed projects and the
//! plan's targets. Built into the binary from `geodata/` so a bare machine needs nothing else;
//! `--geodata DIR` reads a folder instead (for a district other than Dongtou, or fresher data).

use crate::geometry::{Bbox, IslandIndex};
use rust_embed::Embed;
use serde_json::{json, Value};
use std::path::Path;

#[derive(Embed)]
#[folder = "geodata/"]
#[include = "*.geojson"]
#[include = "*.json"]
#[include = "plan-text.txt"]
struct Embedded;

/// The loaded base data.
#[derive(Debug, Clone)]
pub struct Geodata {
    /// Named island outlines, for deriving `islands`.
    pub islands: IslandIndex,
    /// `/api/basemap` body: every layer merged, each feature tagged with `layer`.
    pub basemap: Vec<u8>,
    /// The extent of the district outline (`district.geojson`), which the map page opens on.
    pub district_bbox: Option<Bbox>,
    /// `/api/basemap/attribution` body.
    pub attribution: Value,
    /// The seed FeatureCollection text.
    pub projects: Option<String>,
    /// The plan's district targets.
    pub plan_targets: Value,
    /// Plan programmes with no place on the map.
    pub plan_programmes: Value,
    /// The plan's text, whose `(责任单位:…)` notes name the responsible units.
    pub plan_text: Option<String>,
}

/// Basemap layers: (file, `layer` value). Drawn in this order.
pub const LAYERS: &[(&str, &str)] = &[("land-2017.geojson", "land2017"), ("islands.geojson", "island"), ("district.geojson", "district")];

fn read(dir: Option<&Path>, name: &str) -> Result<Option<String>, String> {
    match dir {
        Some(d) => {
            let p = d.join(name);
            match std::fs::read_to_string(&p) {
                Ok(s) => Ok(Some(s)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(format!("cannot read {}: {e}", p.display())),
            }
        }
        None => match Embedded::get(name) {
            Some(f) => String::from_utf8(f.data.into_owned()).map(Some).map_err(|_| format!("{name} is not UTF-8")),
            None => Ok(None),
        },
    }
}

/// A basemap feature's extent; none for a feature without a geometry (`null` is valid GeoJSON).
fn extent(feature: &Value) -> Result<Option<Bbox>, String> {
    use geo::BoundingRect;
    let g = match feature.get("geometry") {
        None | Some(Value::Null) => return Ok(None),
        Some(g) => g.clone(),
    };
    let g = geojson::Geometry::from_json_value(g).map_err(|e| e.to_string())?;
    let g = geo::Geometry::<f64>::try_from(g).map_err(|e| e.to_string())?;
    Ok(g.bounding_rect().map(Bbox::from_rect))
}

fn parse_json(name: &str, text: Option<String>, default: Value) -> Result<Value, String> {
    match text {
        Some(t) => serde_json::from_str(&t).map_err(|e| format!("{name}: {e}")),
        None => Ok(default),
    }
}

impl Geodata {
    /// The plan's responsible units: its text's `(责任单位:…)` notes and the seed projects' units.
    pub fn plan_units(&self) -> Vec<crate::progress::UnitName> {
        crate::progress::plan_units(self.plan_text.as_deref(), self.projects.as_deref())
    }

    /// Loads from `dir`, or from the copy built into the binary.
    pub fn load(dir: Option<&Path>) -> Result<Geodata, String> {
        let islands_text = read(dir, "islands.geojson")?.ok_or("geodata has no islands.geojson")?;
        let islands = IslandIndex::from_geojson(&islands_text).map_err(|e| format!("islands.geojson: {e}"))?;
        let mut features = Vec::new();
        let mut district_bbox = None;
        for (file, layer) in LAYERS {
            let Some(text) = read(dir, file)? else { continue };
            let v: Value = serde_json::from_str(&text).map_err(|e| format!("{file}: {e}"))?;
            let Some(fs) = v.get("features").and_then(Value::as_array) else { return Err(format!("{file} is not a FeatureCollection")) };
            for f in fs {
                if *layer == "district" {
                    if let Some(b) = extent(f).map_err(|e| format!("{file}: {e}"))? {
                        district_bbox = Some(district_bbox.map_or(b, |d: Bbox| d.union(b)));
                    }
                }
                let mut f = f.clone();
                if let Some(props) = f.get_mut("properties").and_then(Value::as_object_mut) {
                    props.insert("layer".into(), json!(layer));
                } else if let Some(o) = f.as_object_mut() {
                    o.insert("properties".into(), json!({ "layer": layer }));
                }
                features.push(f);
            }
        }
        let basemap = serde_json::to_vec(&json!({"type": "FeatureCollection", "features": features})).map_err(|e| e.to_string())?;
        Ok(Geodata {
            islands,
            basemap,
            district_bbox,
            attribution: parse_json("attribution.json", read(dir, "attribution.json")?, json!([]))?,
            projects: read(dir, "projects.geojson")?,
            plan_targets: parse_json("plan-targets.json", read(dir, "plan-targets.json")?, json!([]))?,
            plan_programmes: parse_json("plan-programmes.json", read(dir, "plan-programmes.json")?, json!([]))?,
            plan_text: read(dir, "plan-text.txt")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Geodata;

    /// A district file may hold features without a geometry (valid GeoJSON): they are kept and add
    /// nothing to the extent; a broken geometry stops the load with the file named.
    #[test]
    fn the_district_extent_skips_null_geometries_and_names_a_broken_file() {
        let dir = tempfile::tempdir().unwrap();
        let islands = r#"{"type":"FeatureCollection","features":[]}"#;
        std::fs::write(dir.path().join("islands.geojson"), islands).unwrap();
        let district = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{},"geometry":null},
            {"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[121.0,27.8],[121.2,27.9]]}}]}"#;
        std::fs::write(dir.path().join("district.geojson"), district).unwrap();
        let g = Geodata::load(Some(dir.path())).unwrap();
        assert_eq!(g.district_bbox.map(|b| b.to_array()), Some([121.0, 27.8, 121.2, 27.9]));
        std::fs::write(dir.path().join("district.geojson"), r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point"}}]}"#)
            .unwrap();
        let err = Geodata::load(Some(dir.path())).unwrap_err();
        assert!(err.starts_with("district.geojson: "), "{err}");
    }
}
