//! `Bbox`: a lon/lat box from a `bbox=minx,miny,maxx,maxy` query or a geometry's extent.

use geo::{Coord, Intersects, Rect};
use std::fmt;
use std::str::FromStr;

/// Why a bbox string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadBbox {
    /// Not four comma-separated numbers.
    #[error("expected four comma-separated numbers minLon,minLat,maxLon,maxLat (e.g. 121.0,27.8,121.2,27.9); got `{0}`")]
    Shape(String),
    /// A value is not a finite number.
    #[error("`{0}` is not a finite number")]
    NotANumber(String),
    /// Outside lon/lat range.
    #[error("longitudes must lie in -180..180 and latitudes in -90..90; got `{0}`")]
    Range(String),
    /// min above max.
    #[error("the minimum must not exceed the maximum (minLon ≤ maxLon, minLat ≤ maxLat); got `{0}`")]
    Order(String),
}

/// A closed lon/lat rectangle; edges count as inside.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bbox {
    min_x: f64,
    min_y: f64,
    max_x: f64,
    max_y: f64,
}

impl Bbox {
    /// Checks range and order.
    pub fn new(min_x: f64, min_y: f64, max_x: f64, max_y: f64) -> Result<Bbox, BadBbox> {
        let text = format!("{min_x},{min_y},{max_x},{max_y}");
        if ![min_x, min_y, max_x, max_y].iter().all(|v| v.is_finite()) {
            return Err(BadBbox::NotANumber(text));
        }
        if !(-180.0..=180.0).contains(&min_x) || !(-180.0..=180.0).contains(&max_x) || !(-90.0..=90.0).contains(&min_y) || !(-90.0..=90.0).contains(&max_y) {
            return Err(BadBbox::Range(text));
        }
        if min_x > max_x || min_y > max_y {
            return Err(BadBbox::Order(text));
        }
        Ok(Bbox { min_x, min_y, max_x, max_y })
    }
    pub(crate) fn from_rect(r: Rect<f64>) -> Bbox {
        Bbox { min_x: r.min().x, min_y: r.min().y, max_x: r.max().x, max_y: r.max().y }
    }
    /// `[minx, miny, maxx, maxy]`.
    pub fn to_array(self) -> [f64; 4] {
        [self.min_x, self.min_y, self.max_x, self.max_y]
    }
    /// As a `geo` rectangle.
    pub fn rect(self) -> Rect<f64> {
        Rect::new(Coord { x: self.min_x, y: self.min_y }, Coord { x: self.max_x, y: self.max_y })
    }
    /// Centre point.
    pub fn center(self) -> [f64; 2] {
        [(self.min_x + self.max_x) / 2.0, (self.min_y + self.max_y) / 2.0]
    }
    /// Boxes overlap (touching edges count).
    pub fn overlaps(self, o: Bbox) -> bool {
        self.min_x <= o.max_x && o.min_x <= self.max_x && self.min_y <= o.max_y && o.min_y <= self.max_y
    }
    /// Exact test used by the embedded store after the R*Tree prefilter; boundary contact counts.
    pub fn intersects(self, g: &geo::Geometry<f64>) -> bool {
        self.rect().intersects(g)
    }
    /// The smallest box holding both.
    pub fn union(self, o: Bbox) -> Bbox {
        Bbox { min_x: self.min_x.min(o.min_x), min_y: self.min_y.min(o.min_y), max_x: self.max_x.max(o.max_x), max_y: self.max_y.max(o.max_y) }
    }
}

impl FromStr for Bbox {
    type Err = BadBbox;
    fn from_str(s: &str) -> Result<Bbox, BadBbox> {
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        if parts.len() != 4 {
            return Err(BadBbox::Shape(s.to_owned()));
        }
        let mut v = [0f64; 4];
        for (slot, p) in v.iter_mut().zip(&parts) {
            *slot = p.parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| BadBbox::NotANumber((*p).to_owned()))?;
        }
        Bbox::new(v[0], v[1], v[2], v[3])
    }
}

impl fmt::Display for Bbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{},{},{}", self.min_x, self.min_y, self.max_x, self.max_y)
    }
}
