//! `Region`: the configured area every geometry must lie in.
//!
//! The check exists mostly to catch swapped latitude/longitude, the commonest planner error:
//! [27.8, 121.1] is a valid coordinate in the Indian Ocean, so only a region can refuse it.

use std::fmt;
use std::str::FromStr;

/// Why a region string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("region must be minLon,minLat,maxLon,maxLat with min < max inside -180..180/-90..90; got `{0}`")]
pub struct BadRegion(pub String);

/// A lon/lat rectangle (inclusive).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Region {
    min_x: f64,
    min_y: f64,
    max_x: f64,
    max_y: f64,
}

impl Region {
    /// Dongtou District's extent (its outline spans about 120.69–121.27 E, 27.75–28.07 N) with a
    /// margin of roughly 10 km, wide enough for the expressway's mainland end near the airport.
    pub const DONGTOU: Region = Region { min_x: 120.55, min_y: 27.55, max_x: 121.45, max_y: 28.15 };

    /// Whether a lon/lat lies inside.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        (self.min_x..=self.max_x).contains(&x) && (self.min_y..=self.max_y).contains(&y)
    }
    /// `[minx, miny, maxx, maxy]`.
    pub fn to_array(self) -> [f64; 4] {
        [self.min_x, self.min_y, self.max_x, self.max_y]
    }
}

impl Default for Region {
    fn default() -> Self {
        Region::DONGTOU
    }
}

impl FromStr for Region {
    type Err = BadRegion;
    fn from_str(s: &str) -> Result<Region, BadRegion> {
        let v: Vec<f64> = s.split(',').map(|p| p.trim().parse::<f64>()).collect::<Result<_, _>>().map_err(|_| BadRegion(s.to_owned()))?;
        match v[..] {
            [a, b, c, d]
                if [a, b, c, d].iter().all(|x| x.is_finite())
                    && a < c
                    && b < d
                    && (-180.0..=180.0).contains(&a)
                    && (-180.0..=180.0).contains(&c)
                    && (-90.0..=90.0).contains(&b)
                    && (-90.0..=90.0).contains(&d) =>
            {
                Ok(Region { min_x: a, min_y: b, max_x: c, max_y: d })
            }
            _ => Err(BadRegion(s.to_owned())),
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{},{},{}", self.min_x, self.min_y, self.max_x, self.max_y)
    }
}
