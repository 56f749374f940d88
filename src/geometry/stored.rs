//! `StoredGeometry`: a project's geometry as read back from a store.
//!
//! It carries the canonical GeoJSON text exactly as stored, because serving that text is the
//! fast path (a bbox answer of 10 000 features copies it without parsing), and the
//! [`ValidGeometry`] decoded from it at most once, on first use: the SQLite filter, the CQL2
//! evaluation, a CRS conversion and every export writer share that one decode instead of each
//! re-parsing the text. Decoding is deferred rather than done for every row because most reads
//! (a PostGIS listing, a single GET) never need the coordinates.
//!
//! The text was written by [`ValidGeometry::to_geojson_string`] after every rule passed, so
//! reading it back only parses it; text that does not parse is a corrupt row (`None`).

use super::{Bbox, ValidGeometry};
use geo::Geometry;
use std::fmt;
use std::sync::OnceLock;

/// Canonical RFC 7946 text plus its geometry, decoded once.
#[derive(Clone)]
pub struct StoredGeometry {
    text: String,
    decoded: OnceLock<Option<ValidGeometry>>,
}

impl StoredGeometry {
    /// Wraps canonical GeoJSON text (as a store kept it); decoded when first needed.
    pub fn from_text(text: String) -> StoredGeometry {
        StoredGeometry { text, decoded: OnceLock::new() }
    }

    /// From a geometry already decoded (a write, an as-of snapshot): nothing left to parse.
    pub fn from_valid(g: ValidGeometry) -> StoredGeometry {
        StoredGeometry { text: g.to_geojson_string(), decoded: OnceLock::from(Some(g)) }
    }

    /// From a GeoJSON geometry a store kept inside a JSON document (a revision's Feature), whose
    /// text may have been respaced or reordered (PostgreSQL `jsonb`): decoded now and printed
    /// again canonically, so it reads exactly like a current row. `None` when it cannot be read.
    pub fn from_stored_value(value: serde_json::Value) -> Option<StoredGeometry> {
        let g = geojson::Geometry::from_json_value(value).ok()?;
        let geo: Geometry<f64> = g.try_into().ok()?;
        trusted(geo).map(StoredGeometry::from_valid)
    }

    /// The canonical GeoJSON text, exactly as stored: what the API serves.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The checked geometry; `None` when the stored text cannot be read (a corrupt row).
    pub fn valid(&self) -> Option<&ValidGeometry> {
        self.decoded.get_or_init(|| decode(&self.text)).as_ref()
    }

    /// The `geo` geometry, for spatial predicates and writers.
    pub fn geo(&self) -> Option<&Geometry<f64>> {
        self.valid().map(ValidGeometry::geo)
    }

    /// Whether this is the geometry `g` (compared by canonical text, as stored).
    pub fn is(&self, g: &ValidGeometry) -> bool {
        self.text == g.to_geojson_string()
    }
}

fn decode(text: &str) -> Option<ValidGeometry> {
    let g: geojson::Geometry = text.parse().ok()?;
    trusted(g.try_into().ok()?)
}

/// A geometry planmap itself stored after checking it: only the bounding box is derived again.
fn trusted(geo: Geometry<f64>) -> Option<ValidGeometry> {
    let rect = geo::BoundingRect::bounding_rect(&geo)?;
    Some(ValidGeometry { geo, bbox: Bbox::from_rect(rect) })
}

/// Two stored geometries are equal when their canonical text is.
impl PartialEq for StoredGeometry {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl fmt::Debug for StoredGeometry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("StoredGeometry").field(&self.text).finish()
    }
}

impl fmt::Display for StoredGeometry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::Region;

    #[test]
    fn decodes_once_and_keeps_the_stored_text() {
        let v = ValidGeometry::parse(&serde_json::json!({"type": "Point", "coordinates": [121.1, 27.8]}), &Region::DONGTOU).unwrap();
        let s = StoredGeometry::from_text(v.to_geojson_string());
        assert_eq!(s.as_str(), r#"{"coordinates":[121.1,27.8],"type":"Point"}"#);
        assert_eq!(s.valid(), Some(&v));
        assert!(std::ptr::eq(s.valid().unwrap(), s.valid().unwrap()), "the second use must not decode again");
        assert!(s.is(&v));
        assert_eq!(StoredGeometry::from_valid(v.clone()), s);
    }

    #[test]
    fn unreadable_text_is_none() {
        assert!(StoredGeometry::from_text("{\"type\":\"Point\"}".into()).geo().is_none());
        assert!(StoredGeometry::from_text("not json".into()).valid().is_none());
    }
}
