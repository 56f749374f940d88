//! The `islands` collection: the basemap's island outlines, held in memory (they are base data,
//! not edited). Feature ids are 1-based positions in `islands.geojson`.

use crate::geodata::Geodata;
use crate::geometry::Bbox;
use geo::BoundingRect;
use serde_json::{Map, Value};

/// One outline.
#[derive(Debug, Clone)]
pub struct Island {
    /// 1-based.
    pub id: u64,
    /// Properties as in the file.
    pub properties: Map<String, Value>,
    /// The outline.
    pub geo: geo::Geometry<f64>,
}

/// Every outline and their extent.
#[derive(Debug, Clone, Default)]
pub struct Islands {
    /// In file order.
    pub items: Vec<Island>,
    /// Union of their boxes.
    pub extent: Option<Bbox>,
}

impl Islands {
    /// Picks the `island` layer out of the merged basemap.
    pub fn from_geodata(g: &Geodata) -> Islands {
        let Ok(v) = serde_json::from_slice::<Value>(&g.basemap) else { return Islands::default() };
        let mut out = Islands::default();
        for f in v.get("features").and_then(Value::as_array).into_iter().flatten() {
            if f.pointer("/properties/layer").and_then(Value::as_str) != Some("island") {
                continue;
            }
            let Some(geom) = f.get("geometry").and_then(|g| geojson::Geometry::from_json_value(g.clone()).ok()) else { continue };
            let Ok(geo) = geo::Geometry::<f64>::try_from(geom) else { continue };
            let mut properties = f.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
            properties.remove("layer");
            if let Some(r) = geo.bounding_rect() {
                let b = Bbox::from_rect(r);
                out.extent = Some(out.extent.map_or(b, |e| e.union(b)));
            }
            out.items.push(Island { id: out.items.len() as u64 + 1, properties, geo });
        }
        out
    }
}
