//! Geometry rules: the only door through which a geometry enters planmap.
//!
//! Every way in (HTTP, import, seed, demo data) calls [`ValidGeometry::parse`]. It reads raw
//! GeoJSON rather than a typed `geojson::Geometry` so that each problem can be reported with a
//! JSON pointer to the offending coordinate, which the browser uses to mark the spot on the map.
//! Rules, in the order they are checked: known type → nesting and numbers → 2D → range and region
//! (with a hint when latitude and longitude look swapped) → enough points → closed rings →
//! `geo`'s OGC validity (no self-intersection, holes inside shells) after rounding to 7 decimals.
//! Polygon winding is fixed to RFC 7946 (exterior counter-clockwise), never rejected.

mod bbox;
pub mod crs;
mod islands;
pub mod prescan;
mod region;
mod stored;

pub use bbox::{BadBbox, Bbox};
pub use islands::IslandIndex;
pub use region::{BadRegion, Region};
pub use stored::{read_text, StoredGeometry};

use geo::orient::{Direction, Orient};
use geo::{BoundingRect, Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon, Validation};
use serde_json::Value;
use std::fmt;

/// Decimal places kept: 7 is about 1 cm, finer than any plan drawing.
pub const DECIMALS: i32 = 7;

/// One broken rule, with where it is broken.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GeometryError {
    /// Machine-readable rule name, e.g. `closed_ring`.
    pub rule: &'static str,
    /// JSON pointer inside the geometry, e.g. `/coordinates/0/3`.
    pub pointer: String,
    /// A sentence for the planner.
    pub message: String,
    /// The coordinate the problem is at, when there is one (for marking it on the map).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<[f64; 2]>,
}

impl fmt::Display for GeometryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at geometry{})", self.message, self.pointer)
    }
}

/// A geometry that passed every rule, normalised (rounded, RFC 7946 winding).
#[derive(Debug, Clone, PartialEq)]
pub struct ValidGeometry {
    geo: Geometry<f64>,
    bbox: Bbox,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Point,
    LineString,
    Polygon,
    MultiPoint,
    MultiLineString,
    MultiPolygon,
}

const TYPES: &str = "Point, LineString, Polygon, MultiPoint, MultiLineString, MultiPolygon";

struct Checker<'a> {
    region: &'a Region,
    errors: Vec<GeometryError>,
}

impl ValidGeometry {
    /// Checks `value` (a GeoJSON geometry object) against every rule; returns all problems found.
    pub fn parse(value: &Value, region: &Region) -> Result<ValidGeometry, Vec<GeometryError>> {
        let mut c = Checker { region, errors: Vec::new() };
        let geo = c.geometry(value);
        match geo {
            Some(g) if c.errors.is_empty() => {
                let g = round_and_orient(g);
                c.validity(&g);
                if !c.errors.is_empty() {
                    return Err(c.errors);
                }
                let rect = g.bounding_rect().ok_or_else(|| vec![err("empty", "", "the geometry has no coordinates", None)])?;
                let bbox = Bbox::from_rect(rect);
                Ok(ValidGeometry { geo: g, bbox })
            }
            _ => {
                if c.errors.is_empty() {
                    c.errors.push(err("type", "", "the geometry could not be read", None));
                }
                Err(c.errors)
            }
        }
    }

    /// Reads back a geometry planmap stored itself. Still runs every rule: a stored row that
    /// fails them is corrupt and must not be served as if it were fine.
    pub fn from_stored(json: &str, region: &Region) -> Result<ValidGeometry, String> {
        let v: Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
        ValidGeometry::parse(&v, region).map_err(|errs| errs.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
    }

    /// The `geo` geometry, for spatial predicates.
    pub fn geo(&self) -> &Geometry<f64> {
        &self.geo
    }
    /// Bounding box.
    pub fn bbox(&self) -> Bbox {
        self.bbox
    }
    /// `Point`, `LineString`, …
    pub fn type_name(&self) -> &'static str {
        match &self.geo {
            Geometry::Point(_) => "Point",
            Geometry::LineString(_) => "LineString",
            Geometry::Polygon(_) => "Polygon",
            Geometry::MultiPoint(_) => "MultiPoint",
            Geometry::MultiLineString(_) => "MultiLineString",
            Geometry::MultiPolygon(_) => "MultiPolygon",
            _ => "Geometry",
        }
    }
    /// RFC 7946 GeoJSON.
    pub fn to_geojson(&self) -> Value {
        let g = geojson::Geometry::from(&self.geo);
        serde_json::to_value(g).unwrap_or(Value::Null)
    }
    /// GeoJSON text, the form both stores keep so that they serve identical bytes.
    pub fn to_geojson_string(&self) -> String {
        self.to_geojson().to_string()
    }
    /// Well-known text, for CSV exports and logs.
    pub fn to_wkt(&self) -> String {
        use wkt::ToWkt as _;
        self.geo.wkt_string()
    }
    /// A representative point: the point itself, or the bounding-box centre.
    pub fn center(&self) -> [f64; 2] {
        match &self.geo {
            Geometry::Point(p) => [p.x(), p.y()],
            _ => self.bbox.center(),
        }
    }
    /// Vertex count, for import limits.
    pub fn vertex_count(&self) -> usize {
        use geo::CoordsIter;
        self.geo.coords_count()
    }
    /// Builds from a `geo` geometry (demo data); runs the same rules.
    pub fn from_geo(g: &Geometry<f64>, region: &Region) -> Result<ValidGeometry, Vec<GeometryError>> {
        let v = serde_json::to_value(geojson::Geometry::from(g)).unwrap_or(Value::Null);
        ValidGeometry::parse(&v, region)
    }
}

fn err(rule: &'static str, pointer: &str, message: impl Into<String>, at: Option<[f64; 2]>) -> GeometryError {
    GeometryError { rule, pointer: pointer.to_owned(), message: message.into(), at }
}

fn round(x: f64) -> f64 {
    let f = 10f64.powi(DECIMALS);
    (x * f).round() / f
}

fn round_and_orient(g: Geometry<f64>) -> Geometry<f64> {
    use geo::MapCoords;
    let g = g.map_coords(|c| Coord { x: round(c.x), y: round(c.y) });
    match g {
        Geometry::Polygon(p) => Geometry::Polygon(p.orient(Direction::Default)),
        Geometry::MultiPolygon(mp) => Geometry::MultiPolygon(mp.orient(Direction::Default)),
        other => other,
    }
}

impl Checker<'_> {
    fn geometry(&mut self, v: &Value) -> Option<Geometry<f64>> {
        let Some(obj) = v.as_object() else {
            self.errors.push(err("type", "", "a geometry must be a GeoJSON object with `type` and `coordinates`", None));
            return None;
        };
        let kind = match obj.get("type").and_then(Value::as_str) {
            Some("Point") => Kind::Point,
            Some("LineString") => Kind::LineString,
            Some("Polygon") => Kind::Polygon,
            Some("MultiPoint") => Kind::MultiPoint,
            Some("MultiLineString") => Kind::MultiLineString,
            Some("MultiPolygon") => Kind::MultiPolygon,
            Some("GeometryCollection") => {
                self.errors.push(err("type", "/type", format!("GeometryCollection is not supported; use one of {TYPES}"), None));
                return None;
            }
            Some(other) => {
                self.errors.push(err("type", "/type", format!("`{other}` is not a geometry type; use one of {TYPES}"), None));
                return None;
            }
            None => {
                self.errors.push(err("type", "/type", format!("`type` is missing; use one of {TYPES}"), None));
                return None;
            }
        };
        let Some(coords) = obj.get("coordinates") else {
            self.errors.push(err("coordinates", "/coordinates", "`coordinates` is missing", None));
            return None;
        };
        let p = "/coordinates";
        match kind {
            Kind::Point => self.position(coords, p).map(|c| Geometry::Point(Point(c))),
            Kind::LineString => self.line(coords, p).map(Geometry::LineString),
            Kind::Polygon => self.polygon(coords, p).map(Geometry::Polygon),
            Kind::MultiPoint => {
                let items = self.array(coords, p, 1, "a MultiPoint needs at least one position")?;
                let pts: Vec<Option<Point>> = items.iter().enumerate().map(|(i, v)| self.position(v, &format!("{p}/{i}")).map(Point)).collect();
                pts.into_iter().collect::<Option<Vec<_>>>().map(|v| Geometry::MultiPoint(MultiPoint(v)))
            }
            Kind::MultiLineString => {
                let items = self.array(coords, p, 1, "a MultiLineString needs at least one line")?;
                let ls: Vec<Option<LineString>> = items.iter().enumerate().map(|(i, v)| self.line(v, &format!("{p}/{i}"))).collect();
                ls.into_iter().collect::<Option<Vec<_>>>().map(|v| Geometry::MultiLineString(MultiLineString(v)))
            }
            Kind::MultiPolygon => {
                let items = self.array(coords, p, 1, "a MultiPolygon needs at least one polygon")?;
                let ps: Vec<Option<Polygon>> = items.iter().enumerate().map(|(i, v)| self.polygon(v, &format!("{p}/{i}"))).collect();
                ps.into_iter().collect::<Option<Vec<_>>>().map(|v| Geometry::MultiPolygon(MultiPolygon(v)))
            }
        }
    }

    fn array<'v>(&mut self, v: &'v Value, pointer: &str, min: usize, too_few: &str) -> Option<&'v Vec<Value>> {
        match v.as_array() {
            Some(a) if a.is_empty() => {
                self.errors.push(err("empty", pointer, "the geometry is empty: it has no coordinates", None));
                None
            }
            Some(a) if a.len() < min => {
                self.errors.push(err("too_few_points", pointer, format!("{too_few} (found {})", a.len()), None));
                None
            }
            Some(a) => Some(a),
            None => {
                self.errors.push(err("coordinates", pointer, "expected an array here", None));
                None
            }
        }
    }

    fn position(&mut self, v: &Value, pointer: &str) -> Option<Coord<f64>> {
        let Some(a) = v.as_array() else {
            self.errors.push(err("coordinates", pointer, "a position must be an array [longitude, latitude]", None));
            return None;
        };
        if a.len() > 2 {
            self.errors.push(err(
                "dimension",
                pointer,
                format!("a position must have 2 numbers [longitude, latitude]; found {} (3D coordinates are not supported)", a.len()),
                None,
            ));
            return None;
        }
        if a.len() < 2 {
            self.errors.push(err("coordinates", pointer, "a position must have 2 numbers [longitude, latitude]", None));
            return None;
        }
        let (Some(x), Some(y)) = (a[0].as_f64(), a[1].as_f64()) else {
            self.errors.push(err("finite", pointer, "coordinates must be finite numbers", None));
            return None;
        };
        if !x.is_finite() || !y.is_finite() {
            self.errors.push(err("finite", pointer, "coordinates must be finite numbers", None));
            return None;
        }
        if !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y) {
            let hint = if (-90.0..=90.0).contains(&x) && (-180.0..=180.0).contains(&y) && self.region.contains(y, x) {
                "; it looks like latitude and longitude are swapped (GeoJSON is [longitude, latitude])"
            } else {
                ""
            };
            self.errors.push(err("range", pointer, format!("[{x}, {y}] is not a valid longitude/latitude{hint}"), Some([x, y])));
            return None;
        }
        if !self.region.contains(x, y) {
            let hint = if self.region.contains(y, x) { " It looks like latitude and longitude are swapped (GeoJSON is [longitude, latitude])." } else { "" };
            self.errors.push(err("region", pointer, format!("[{x}, {y}] lies outside the configured region {}.{hint}", self.region), Some([x, y])));
            return None;
        }
        Some(Coord { x, y })
    }

    fn positions(&mut self, v: &Value, pointer: &str, min: usize, too_few: &str) -> Option<Vec<Coord<f64>>> {
        let items = self.array(v, pointer, min, too_few)?;
        let cs: Vec<Option<Coord<f64>>> = items.iter().enumerate().map(|(i, v)| self.position(v, &format!("{pointer}/{i}"))).collect();
        cs.into_iter().collect()
    }

    fn line(&mut self, v: &Value, pointer: &str) -> Option<LineString<f64>> {
        let cs = self.positions(v, pointer, 2, "a line needs at least 2 positions")?;
        if cs.windows(2).all(|w| w[0] == w[1]) {
            self.errors.push(err("too_few_points", pointer, "a line needs at least 2 distinct positions", Some([cs[0].x, cs[0].y])));
            return None;
        }
        Some(LineString(cs))
    }

    fn ring(&mut self, v: &Value, pointer: &str) -> Option<LineString<f64>> {
        let cs = self.positions(v, pointer, 4, "a polygon ring needs at least 4 positions, the last equal to the first")?;
        let (first, last) = (cs[0], cs[cs.len() - 1]);
        if first != last {
            self.errors.push(err(
                "closed_ring",
                &format!("{pointer}/{}", cs.len() - 1),
                format!("the ring is not closed: its last position [{}, {}] must equal its first [{}, {}]", last.x, last.y, first.x, first.y),
                Some([last.x, last.y]),
            ));
            return None;
        }
        Some(LineString(cs))
    }

    fn polygon(&mut self, v: &Value, pointer: &str) -> Option<Polygon<f64>> {
        let rings = self.array(v, pointer, 1, "a polygon needs an exterior ring")?;
        let parsed: Vec<Option<LineString>> = rings.iter().enumerate().map(|(i, r)| self.ring(r, &format!("{pointer}/{i}"))).collect();
        let mut parsed: Vec<LineString> = parsed.into_iter().collect::<Option<Vec<_>>>()?;
        let exterior = parsed.remove(0);
        Some(Polygon::new(exterior, parsed))
    }

    fn validity(&mut self, g: &Geometry<f64>) {
        use geo::algorithm::validation::{InvalidGeometry, InvalidMultiPolygon, InvalidPolygon, RingRole};
        let at_ring = |poly: &Polygon<f64>, role: &RingRole| -> (String, Option<[f64; 2]>) {
            let (idx, ring) = match role {
                RingRole::Exterior => (0, poly.exterior()),
                RingRole::Interior(i) => (i + 1, poly.interiors().get(*i).unwrap_or(poly.exterior())),
            };
            (format!("/{idx}"), self_intersection_point(ring))
        };
        let describe = |poly: &Polygon<f64>, e: &InvalidPolygon| -> (String, String, Option<[f64; 2]>) {
            match e {
                InvalidPolygon::SelfIntersection(role) => {
                    let (p, at) = at_ring(poly, role);
                    (p, format!("the {} crosses itself (a bow-tie or loop); redraw it so its edges do not cross", ring_name(role)), at)
                }
                InvalidPolygon::TooFewPointsInRing(role) => {
                    let (p, at) = at_ring(poly, role);
                    (p, format!("the {} has too few distinct points after rounding to 7 decimals", ring_name(role)), at)
                }
                InvalidPolygon::InteriorRingNotContainedInExteriorRing(role) => {
                    let (p, at) = at_ring(poly, role);
                    (p, format!("the {} (a hole) is not inside the exterior ring", ring_name(role)), at)
                }
                other => (String::new(), other.to_string(), None),
            }
        };
        for e in g.validation_errors() {
            let (pointer, message, at) = match (&e, g) {
                (InvalidGeometry::InvalidPolygon(pe), Geometry::Polygon(poly)) => describe(poly, pe),
                (InvalidGeometry::InvalidMultiPolygon(InvalidMultiPolygon::InvalidPolygon(i, pe)), Geometry::MultiPolygon(mp)) => {
                    let idx = i.0;
                    match mp.0.get(idx) {
                        Some(poly) => {
                            let (p, m, at) = describe(poly, pe);
                            (format!("/{idx}{p}"), format!("polygon {idx}: {m}"), at)
                        }
                        None => (String::new(), e.to_string(), None),
                    }
                }
                _ => (String::new(), e.to_string(), None),
            };
            self.errors.push(err("valid", &format!("/coordinates{pointer}"), message, at));
        }
    }
}

fn ring_name(role: &geo::algorithm::validation::RingRole) -> String {
    match role {
        geo::algorithm::validation::RingRole::Exterior => "exterior ring".into(),
        geo::algorithm::validation::RingRole::Interior(i) => format!("interior ring {i}"),
    }
}

/// Where a ring first crosses itself, so the UI can put a marker there.
fn self_intersection_point(ring: &LineString<f64>) -> Option<[f64; 2]> {
    use geo::line_intersection::{line_intersection, LineIntersection};
    let lines: Vec<_> = ring.lines().collect();
    let n = lines.len();
    for i in 0..n {
        for j in (i + 2)..n {
            if i == 0 && j == n - 1 {
                continue; // the closing edge meets the first at the ring's start by construction
            }
            if let Some(LineIntersection::SinglePoint { intersection, .. }) = line_intersection(lines[i], lines[j]) {
                return Some([intersection.x, intersection.y]);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests;
