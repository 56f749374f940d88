//! `IslandIndex`: which named islands a geometry touches, from the basemap's coastline.
//!
//! `islands` on a project is derived, never typed in: a planner who moves a polygon from 霓屿 to
//! 状元岙 changes the island list by moving it. "Touches" allows a small distance so a quay line
//! drawn just off the shore, or a bridge landing, still counts for its island.

use geo::{BoundingRect, Distance, Euclidean, Geometry, Rect};

/// How far off the shore still counts as "on" an island, in degrees (about 300 m here).
pub const NEAR_DEGREES: f64 = 0.003;

/// The GSHHG shoreline predates recent reclamation (the 状元岙 port extensions, the 灵霓 dike), so a
/// project on new land can lie well off the surveyed shore. When nothing is within
/// [`NEAR_DEGREES`], the nearest island within this distance (about 1.5 km) is taken instead.
pub const RECLAIMED_DEGREES: f64 = 0.015;

/// Named island outlines.
#[derive(Debug, Clone, Default)]
pub struct IslandIndex {
    islands: Vec<(String, Geometry<f64>, Rect<f64>)>,
}

impl IslandIndex {
    /// Reads a FeatureCollection whose features carry `name_zh`; unnamed features are skipped.
    pub fn from_geojson(text: &str) -> Result<IslandIndex, String> {
        let fc: geojson::FeatureCollection =
            text.parse::<geojson::GeoJson>().map_err(|e| e.to_string()).and_then(|g| geojson::FeatureCollection::try_from(g).map_err(|e| e.to_string()))?;
        let mut islands = Vec::new();
        for f in fc.features {
            let Some(name) = f.property("name_zh").and_then(|v| v.as_str()).map(str::to_owned) else { continue };
            let Some(g) = f.geometry else { continue };
            let g: Geometry<f64> = g.try_into().map_err(|e: geojson::Error| e.to_string())?;
            if let Some(r) = g.bounding_rect() {
                islands.push((name, g, r));
            }
        }
        Ok(IslandIndex { islands })
    }

    /// Names of the islands within [`NEAR_DEGREES`] of `g`, sorted and without repeats.
    pub fn islands_for(&self, g: &Geometry<f64>) -> Vec<String> {
        let Some(gr) = g.bounding_rect() else { return Vec::new() };
        let reach = RECLAIMED_DEGREES;
        let candidates: Vec<(&String, f64)> = self
            .islands
            .iter()
            .filter(|(_, _, r)| {
                r.min().x - reach <= gr.max().x && gr.min().x <= r.max().x + reach && r.min().y - reach <= gr.max().y && gr.min().y <= r.max().y + reach
            })
            .map(|(n, ig, _)| (n, Euclidean.distance(ig, g)))
            .filter(|(_, d)| *d <= reach)
            .collect();
        let mut out: Vec<String> = candidates.iter().filter(|(_, d)| *d <= NEAR_DEGREES).map(|(n, _)| (*n).clone()).collect();
        if out.is_empty() {
            if let Some((n, _)) = candidates.iter().min_by(|a, b| a.1.total_cmp(&b.1)) {
                out.push((*n).clone());
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Number of named outlines loaded.
    pub fn len(&self) -> usize {
        self.islands.len()
    }
    /// No outlines loaded.
    pub fn is_empty(&self) -> bool {
        self.islands.is_empty()
    }
}
