//! Coordinate systems planners copy coordinates from, and their conversion to WGS84.
//!
//! Chinese web maps do not show WGS84: Amap (高德) and Tencent use GCJ-02, an obfuscated datum
//! whose shift is a public formula (published in many open implementations, e.g. eviltransform),
//! and Baidu uses BD-09, a further rotation of GCJ-02. Around Dongtou the shift is about 500 m,
//! enough to put a pier in the sea. The forward formulas are exact; WGS84 is found by iterating
//! the forward formula to a fixed point (the "exact" inverse), which converges to well under a
//! millimetre in a handful of steps. CGCS2000 differs from WGS84 by centimetres and is taken as is.

use serde_json::Value;
use std::f64::consts::PI;
use std::fmt;
use std::str::FromStr;

/// A coordinate system an import may declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Crs {
    /// WGS84 longitude/latitude (GPS, RFC 7946). No change.
    #[default]
    Wgs84,
    /// China Geodetic Coordinate System 2000; within centimetres of WGS84. No change.
    Cgcs2000,
    /// GCJ-02 (Amap, Tencent, most Chinese apps).
    Gcj02,
    /// BD-09 (Baidu).
    Bd09,
}

/// A `crs` value that is not one of the four.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a supported coordinate system; one of: wgs84, cgcs2000, gcj02 (Amap, Tencent), bd09 (Baidu)")]
pub struct BadCrs(pub String);

impl FromStr for Crs {
    type Err = BadCrs;
    fn from_str(s: &str) -> Result<Crs, BadCrs> {
        match s.trim().to_ascii_lowercase().as_str() {
            "wgs84" | "epsg:4326" | "crs84" => Ok(Crs::Wgs84),
            "cgcs2000" | "epsg:4490" => Ok(Crs::Cgcs2000),
            "gcj02" | "gcj-02" => Ok(Crs::Gcj02),
            "bd09" | "bd-09" => Ok(Crs::Bd09),
            _ => Err(BadCrs(s.to_owned())),
        }
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Crs::Wgs84 => "wgs84",
            Crs::Cgcs2000 => "cgcs2000",
            Crs::Gcj02 => "gcj02",
            Crs::Bd09 => "bd09",
        })
    }
}

impl Crs {
    /// Converts one lon/lat pair to WGS84.
    pub fn to_wgs84(self, lon: f64, lat: f64) -> (f64, f64) {
        match self {
            Crs::Wgs84 | Crs::Cgcs2000 => (lon, lat),
            Crs::Gcj02 => gcj02_to_wgs84(lon, lat),
            Crs::Bd09 => {
                let (glon, glat) = bd09_to_gcj02(lon, lat);
                gcj02_to_wgs84(glon, glat)
            }
        }
    }

    /// Converts every position of a GeoJSON geometry object in place. Anything that is not a
    /// pair of finite numbers is left alone for the geometry rules to report with its position.
    pub fn geometry_to_wgs84(self, geometry: &mut Value) {
        if matches!(self, Crs::Wgs84 | Crs::Cgcs2000) {
            return;
        }
        if let Some(coords) = geometry.get_mut("coordinates") {
            self.positions(coords);
        }
    }

    fn positions(self, v: &mut Value) {
        let Value::Array(items) = v else { return };
        if let (Some(x), Some(y)) = (items.first().and_then(Value::as_f64), items.get(1).and_then(Value::as_f64)) {
            if x.is_finite() && y.is_finite() {
                let (lon, lat) = self.to_wgs84(x, y);
                items[0] = Value::from(lon);
                items[1] = Value::from(lat);
            }
            return;
        }
        for item in items {
            self.positions(item);
        }
    }
}

/// The GCJ-02 datum is only applied inside this box; outside it the formula is the identity.
fn out_of_china(lon: f64, lat: f64) -> bool {
    !(72.004..=137.8347).contains(&lon) || !(0.8293..=55.8271).contains(&lat)
}

/// The Krasovsky 1940 semi-major axis the GCJ-02 formula is defined with (not WGS84's 6 378 137).
const EARTH_R: f64 = 6_378_245.0;
const EE: f64 = 0.006_693_421_622_965_943;

fn transform(x: f64, y: f64) -> (f64, f64) {
    let xy = x * y;
    let abs_x = x.abs().sqrt();
    let (x_pi, y_pi) = (x * PI, y * PI);
    let d = 20.0 * (6.0 * x_pi).sin() + 20.0 * (2.0 * x_pi).sin();
    let mut lat = d + 20.0 * y_pi.sin() + 40.0 * (y_pi / 3.0).sin() + 160.0 * (y_pi / 12.0).sin() + 320.0 * (y_pi / 30.0).sin();
    let mut lon = d + 20.0 * x_pi.sin() + 40.0 * (x_pi / 3.0).sin() + 150.0 * (x_pi / 12.0).sin() + 300.0 * (x_pi / 30.0).sin();
    lat = lat * 2.0 / 3.0 - 100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * xy + 0.2 * abs_x;
    lon = lon * 2.0 / 3.0 + 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * xy + 0.1 * abs_x;
    (lon, lat)
}

/// The GCJ-02 offset at a WGS84 position, in degrees.
fn delta(lon: f64, lat: f64) -> (f64, f64) {
    let (dlon, dlat) = transform(lon - 105.0, lat - 35.0);
    let rad_lat = lat / 180.0 * PI;
    let magic = 1.0 - EE * rad_lat.sin() * rad_lat.sin();
    let sqrt_magic = magic.sqrt();
    let dlat = dlat * 180.0 / ((EARTH_R * (1.0 - EE)) / (magic * sqrt_magic) * PI);
    let dlon = dlon * 180.0 / (EARTH_R / sqrt_magic * rad_lat.cos() * PI);
    (dlon, dlat)
}

/// WGS84 → GCJ-02 (the public forward formula).
pub fn wgs84_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    if out_of_china(lon, lat) {
        return (lon, lat);
    }
    let (dlon, dlat) = delta(lon, lat);
    (lon + dlon, lat + dlat)
}

/// GCJ-02 → WGS84: the WGS84 point whose forward transform is the given point.
pub fn gcj02_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    if out_of_china(lon, lat) {
        return (lon, lat);
    }
    invert(lon, lat, wgs84_to_gcj02)
}

const X_PI: f64 = PI * 3000.0 / 180.0;

/// GCJ-02 → BD-09 (Baidu's public forward formula).
pub fn gcj02_to_bd09(lon: f64, lat: f64) -> (f64, f64) {
    let z = (lon * lon + lat * lat).sqrt() + 0.000_02 * (lat * X_PI).sin();
    let theta = lat.atan2(lon) + 0.000_003 * (lon * X_PI).cos();
    (z * theta.cos() + 0.0065, z * theta.sin() + 0.006)
}

/// BD-09 → GCJ-02, exact inverse of [`gcj02_to_bd09`].
pub fn bd09_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    invert(lon, lat, gcj02_to_bd09)
}

/// Finds p with forward(p) = target by fixed-point iteration p ← p − (forward(p) − target). The
/// shifts vary slowly (their derivative is ~1e-5), so each step gains about five digits.
fn invert(lon: f64, lat: f64, forward: fn(f64, f64) -> (f64, f64)) -> (f64, f64) {
    let (mut x, mut y) = (lon, lat);
    for _ in 0..30 {
        let (fx, fy) = forward(x, y);
        let (ex, ey) = (fx - lon, fy - lat);
        x -= ex;
        y -= ey;
        if ex.abs() < 1e-12 && ey.abs() < 1e-12 {
            break;
        }
    }
    (x, y)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: (f64, f64), b: (f64, f64), tol: f64) -> bool {
        (a.0 - b.0).abs() < tol && (a.1 - b.1).abs() < tol
    }

    /// Reference pairs (WGS84 → GCJ-02) from eviltransform's published test suite
    /// (googollee/eviltransform, `python/test.py`): Shanghai, Shenzhen, Beijing; lon, lat order here.
    const WGS_GCJ: [((f64, f64), (f64, f64)); 3] = [
        ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),
        ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),
        ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),
    ];

    #[test]
    fn wgs84_to_gcj02_matches_the_published_reference_points() {
        for (wgs, gcj) in WGS_GCJ {
            assert!(close(wgs84_to_gcj02(wgs.0, wgs.1), gcj, 1e-9), "{wgs:?} {:?}", wgs84_to_gcj02(wgs.0, wgs.1));
        }
        // coordtransform's published vector.
        assert!(close(wgs84_to_gcj02(116.404, 39.915), (116.41024449916938, 39.91640428150164), 1e-9));
    }

    #[test]
    fn gcj02_to_wgs84_recovers_the_reference_points_to_a_millimetre() {
        for (wgs, gcj) in WGS_GCJ {
            // 1e-8 degrees is about 1 mm.
            assert!(close(Crs::Gcj02.to_wgs84(gcj.0, gcj.1), wgs, 1e-8), "{gcj:?}");
        }
    }

    #[test]
    fn bd09_to_wgs84_matches_the_published_reference_points() {
        // coordtransform's published vector (116.404, 39.915) GCJ-02 → BD-09, and back exactly.
        assert!(close(gcj02_to_bd09(116.404, 39.915), (116.41036949371029, 39.92133699351021), 1e-12));
        assert!(close(bd09_to_gcj02(116.41036949371029, 39.92133699351021), (116.404, 39.915), 1e-10));
        // coordtransform's BD-09 → GCJ-02 vector comes from the one-step approximate inverse;
        // the exact inverse agrees to within 1e-6 degrees (about 10 cm).
        assert!(close(bd09_to_gcj02(116.404, 39.915), (116.39762729119315, 39.90865673957631), 1e-6), "{:?}", bd09_to_gcj02(116.404, 39.915));
    }

    #[test]
    fn at_dongtou_the_shift_is_hundreds_of_metres_and_round_trips() {
        let wgs = (121.15, 27.84);
        let gcj = wgs84_to_gcj02(wgs.0, wgs.1);
        let metres = ((gcj.0 - wgs.0) * 98_500.0).hypot((gcj.1 - wgs.1) * 111_000.0);
        assert!((300.0..800.0).contains(&metres), "{metres}");
        assert!(close(Crs::Gcj02.to_wgs84(gcj.0, gcj.1), wgs, 1e-9));
        let bd = gcj02_to_bd09(gcj.0, gcj.1);
        assert!(close(Crs::Bd09.to_wgs84(bd.0, bd.1), wgs, 1e-9));
    }

    #[test]
    fn outside_china_and_for_wgs84_nothing_moves() {
        assert_eq!(wgs84_to_gcj02(2.35, 48.85), (2.35, 48.85));
        assert_eq!(Crs::Cgcs2000.to_wgs84(121.1, 27.8), (121.1, 27.8));
    }

    #[test]
    fn every_position_of_a_geometry_is_converted() {
        let mut g = serde_json::json!({"type":"MultiPoint","coordinates":[[121.1,27.8],[121.2,27.9]]});
        Crs::Gcj02.geometry_to_wgs84(&mut g);
        let first = (g["coordinates"][0][0].as_f64().unwrap(), g["coordinates"][0][1].as_f64().unwrap());
        assert!(close(first, gcj02_to_wgs84(121.1, 27.8), 1e-12));
        assert!(g["coordinates"][1][0].as_f64().unwrap() < 121.2);
        assert_eq!("BD09".parse::<Crs>(), Ok(Crs::Bd09));
        assert!("mercator".parse::<Crs>().is_err());
    }
}
