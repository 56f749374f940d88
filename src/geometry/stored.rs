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
    trusted(read_text(text).ok()?)
}

/// Reads stored GeoJSON geometry text straight into `geo`: positions as pairs of numbers,
/// rings as vectors of them. The `geojson` crate builds a `serde_json::Value` tree first, one
/// allocation per position; reading candidates this way is what an embedded tile or a bbox
/// answer spends on each row before it can test it. Extra position members (an altitude) are
/// skipped, as the `geojson` conversion does.
pub fn read_text(text: &str) -> Result<Geometry<f64>, String> {
    let raw: Raw<'_> = serde_json::from_str(text).map_err(|e| e.to_string())?;
    raw.into_geo()
}

/// A geometry object with its coordinates still unread (their shape depends on `type`).
#[derive(serde::Deserialize)]
struct Raw<'a> {
    #[serde(rename = "type", borrow)]
    kind: std::borrow::Cow<'a, str>,
    #[serde(borrow, default)]
    coordinates: Option<&'a serde_json::value::RawValue>,
    #[serde(borrow, default)]
    geometries: Option<Vec<Raw<'a>>>,
}

impl Raw<'_> {
    fn into_geo(self) -> Result<Geometry<f64>, String> {
        use geo::{LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
        fn read<'de, T: serde::Deserialize<'de>>(c: Option<&'de serde_json::value::RawValue>) -> Result<T, String> {
            let c = c.ok_or("no coordinates")?;
            serde_json::from_str(c.get()).map_err(|e| e.to_string())
        }
        let line = |ps: Vec<Pos>| LineString(ps.into_iter().map(|p| p.0).collect());
        let polygon = |rings: Vec<Vec<Pos>>| -> Result<Polygon<f64>, String> {
            let mut rings = rings.into_iter().map(line);
            let exterior = rings.next().ok_or("a polygon without rings")?;
            Ok(Polygon::new(exterior, rings.collect()))
        };
        Ok(match self.kind.as_ref() {
            "Point" => Geometry::Point(Point(read::<Pos>(self.coordinates)?.0)),
            "MultiPoint" => Geometry::MultiPoint(MultiPoint(read::<Vec<Pos>>(self.coordinates)?.into_iter().map(|p| Point(p.0)).collect())),
            "LineString" => Geometry::LineString(line(read(self.coordinates)?)),
            "MultiLineString" => Geometry::MultiLineString(MultiLineString(read::<Vec<Vec<Pos>>>(self.coordinates)?.into_iter().map(line).collect())),
            "Polygon" => Geometry::Polygon(polygon(read(self.coordinates)?)?),
            "MultiPolygon" => {
                Geometry::MultiPolygon(MultiPolygon(read::<Vec<Vec<Vec<Pos>>>>(self.coordinates)?.into_iter().map(polygon).collect::<Result<_, _>>()?))
            }
            "GeometryCollection" => Geometry::GeometryCollection(geo::GeometryCollection(
                self.geometries.ok_or("no geometries")?.into_iter().map(Raw::into_geo).collect::<Result<_, _>>()?,
            )),
            other => return Err(format!("unknown geometry type `{other}`")),
        })
    }
}

/// A position: its first two numbers.
struct Pos(geo::Coord<f64>);

impl<'de> serde::Deserialize<'de> for Pos {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Pos, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Pos;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a position: an array of two or more numbers")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Pos, A::Error> {
                use serde::de::Error;
                let x: f64 = seq.next_element()?.ok_or_else(|| A::Error::invalid_length(0, &self))?;
                let y: f64 = seq.next_element()?.ok_or_else(|| A::Error::invalid_length(1, &self))?;
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Pos(geo::Coord { x, y }))
            }
        }
        d.deserialize_seq(Visit)
    }
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

    /// Every geometry type reads as the `geojson` crate's conversion reads it.
    #[test]
    fn reads_every_type_as_the_geojson_crate_does() {
        let texts = [
            r#"{"type":"Point","coordinates":[121.1,27.9]}"#,
            r#"{"type":"MultiPoint","coordinates":[[121.1,27.9],[121.2,27.8]]}"#,
            r#"{"type":"LineString","coordinates":[[121.1,27.9],[121.2,27.8],[121.3,27.85]]}"#,
            r#"{"type":"MultiLineString","coordinates":[[[121.1,27.9],[121.2,27.8]],[[121.0,27.7],[121.05,27.75]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[121,27],[122,27],[122,28],[121,28],[121,27]],[[121.2,27.2],[121.2,27.4],[121.4,27.4],[121.2,27.2]]]}"#,
            r#"{"type":"MultiPolygon","coordinates":[[[[121,27],[122,27],[122,28],[121,27]]],[[[120,26],[120.5,26],[120.5,26.5],[120,26]]]]}"#,
            r#"{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[121.1,27.9]},{"type":"LineString","coordinates":[[121.1,27.9],[121.2,27.8]]}]}"#,
            r#"{"coordinates":[121.1,27.9,12.5],"type":"Point"}"#,
            r#"{"type":"LineString","coordinates":[[121.1,27.9,1],[121.2,27.8,2]],"bbox":[121.1,27.8,121.2,27.9]}"#,
        ];
        for t in texts {
            let theirs: geo::Geometry<f64> = t.parse::<geojson::Geometry>().unwrap().try_into().unwrap();
            assert_eq!(read_text(t).unwrap(), theirs, "{t}");
        }
    }

    #[test]
    fn says_what_is_wrong_with_text_it_cannot_read() {
        for (t, says) in [
            (r#"{"type":"Circle","coordinates":[1,2]}"#, "unknown geometry type `Circle`"),
            (r#"{"type":"Point"}"#, "no coordinates"),
            (r#"{"type":"Point","coordinates":[1]}"#, "two or more numbers"),
            (r#"{"type":"Polygon","coordinates":[]}"#, "without rings"),
            (r#"{"type":"GeometryCollection"}"#, "no geometries"),
            (r#"{"type":"LineString","coordinates":[[1,"a"]]}"#, "invalid type"),
            ("", "EOF"),
        ] {
            let e = read_text(t).unwrap_err();
            assert!(e.contains(says), "{t}: {e}");
        }
    }
}
