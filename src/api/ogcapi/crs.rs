//! OGC API – Features Part 2: the coordinate reference systems planmap serves, axis order and
//! the `Content-Crs` header.
//!
//! Data are stored in lon/lat (CRS84, RFC 7946). EPSG:4326 and EPSG:4490 (CGCS2000, the datum of
//! Chinese government data; it differs from WGS 84 by centimetres, below the 7 decimals kept)
//! are the same numbers with the authority's axis order, latitude first: GDAL and QGIS swap
//! axes for them, so serving lon/lat under those names would put Dongtou in the Indian Ocean.
//! EPSG:3857 is spherical Web Mercator in metres.

use crate::geometry::Bbox;
use geo::{Coord, MapCoords};

/// One supported CRS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crs {
    /// WGS 84 longitude/latitude (the default, and the storage CRS).
    Crs84,
    /// WGS 84 latitude/longitude.
    Epsg4326,
    /// CGCS2000 latitude/longitude.
    Epsg4490,
    /// Web Mercator, metres, x/y.
    Epsg3857,
}

/// The URIs in the order `/collections` lists them.
pub const SUPPORTED: &[Crs] = &[Crs::Crs84, Crs::Epsg4326, Crs::Epsg4490, Crs::Epsg3857];

const R: f64 = 6_378_137.0;
/// Web Mercator stops here (the square world).
const MAX_MERC_LAT: f64 = 85.051_128_779_806_6;

impl Crs {
    /// The OGC URI.
    pub fn uri(self) -> &'static str {
        match self {
            Crs::Crs84 => "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
            Crs::Epsg4326 => "http://www.opengis.net/def/crs/EPSG/0/4326",
            Crs::Epsg4490 => "http://www.opengis.net/def/crs/EPSG/0/4490",
            Crs::Epsg3857 => "http://www.opengis.net/def/crs/EPSG/0/3857",
        }
    }

    /// Reads a URI, a safe CURIE `[EPSG:4326]` or `EPSG:4326`.
    pub fn parse(s: &str) -> Option<Crs> {
        let s = s.trim().trim_start_matches('<').trim_end_matches('>').trim_start_matches('[').trim_end_matches(']');
        let s = s.strip_prefix("https://").map(|r| format!("http://{r}")).unwrap_or_else(|| s.to_owned());
        SUPPORTED.iter().copied().find(|c| {
            c.uri() == s
                || match c {
                    Crs::Crs84 => s.eq_ignore_ascii_case("OGC:CRS84") || s == "http://www.opengis.net/def/crs/OGC/0/CRS84",
                    Crs::Epsg4326 => s.eq_ignore_ascii_case("EPSG:4326"),
                    Crs::Epsg4490 => s.eq_ignore_ascii_case("EPSG:4490"),
                    Crs::Epsg3857 => s.eq_ignore_ascii_case("EPSG:3857"),
                }
        })
    }

    /// The `Content-Crs` header value (the URI in angle brackets).
    pub fn header(self) -> String {
        format!("<{}>", self.uri())
    }

    /// Whether this CRS is the stored one (geometries are served as stored).
    pub fn is_storage(self) -> bool {
        self == Crs::Crs84
    }

    /// lon/lat → this CRS's coordinates, in its authority axis order.
    pub fn project_lonlat(self, c: Coord<f64>) -> Coord<f64> {
        match self {
            Crs::Crs84 => c,
            Crs::Epsg4326 | Crs::Epsg4490 => Coord { x: c.y, y: c.x },
            Crs::Epsg3857 => {
                let lat = c.y.clamp(-MAX_MERC_LAT, MAX_MERC_LAT).to_radians();
                let x = R * c.x.to_radians();
                let y = R * (std::f64::consts::FRAC_PI_4 + lat / 2.0).tan().ln();
                // Centimetres are finer than the data.
                Coord { x: (x * 100.0).round() / 100.0, y: (y * 100.0).round() / 100.0 }
            }
        }
    }

    /// This CRS's coordinates → lon/lat.
    pub fn unproject(self, c: Coord<f64>) -> Coord<f64> {
        match self {
            Crs::Crs84 => c,
            Crs::Epsg4326 | Crs::Epsg4490 => Coord { x: c.y, y: c.x },
            Crs::Epsg3857 => {
                let lon = (c.x / R).to_degrees();
                let lat = (2.0 * (c.y / R).exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees();
                Coord { x: lon, y: lat }
            }
        }
    }

    /// A `bbox=` given in this CRS (4 or 6 numbers, axis order of the CRS) as a lon/lat box.
    pub fn bbox_to_lonlat(self, text: &str) -> Result<Bbox, String> {
        let nums: Vec<f64> = text
            .split(',')
            .map(|p| p.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| format!("`{text}` is not a list of numbers"))?;
        let (a, b, c, d) = match nums.as_slice() {
            [a, b, c, d] => (*a, *b, *c, *d),
            [a, b, _, c, d, _] => (*a, *b, *c, *d),
            _ => return Err(format!("expected 4 numbers (or 6 with heights); got `{text}`")),
        };
        let lo = self.unproject(Coord { x: a, y: b });
        let hi = self.unproject(Coord { x: c, y: d });
        // Clients clamp geographic boxes to the world; tolerate tiny overshoots from rounding.
        let clamp_x = |v: f64| v.clamp(-180.0, 180.0);
        let clamp_y = |v: f64| v.clamp(-90.0, 90.0);
        Bbox::new(clamp_x(lo.x), clamp_y(lo.y), clamp_x(hi.x), clamp_y(hi.y)).map_err(|e| e.to_string())
    }

    /// Converts a stored lon/lat geometry.
    pub fn geometry(self, g: &geo::Geometry<f64>) -> geo::Geometry<f64> {
        g.map_coords(|c| self.project_lonlat(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latitude_first_crss_swap_and_mercator_round_trips() {
        let dongtou = Coord { x: 121.15, y: 27.84 };
        assert_eq!(Crs::Epsg4490.project_lonlat(dongtou), Coord { x: 27.84, y: 121.15 });
        assert_eq!(Crs::Epsg4326.unproject(Coord { x: 27.84, y: 121.15 }), dongtou);
        let m = Crs::Epsg3857.project_lonlat(dongtou);
        assert!((m.x - 13_486_356.31).abs() < 0.01 && (m.y - 3_228_816.39).abs() < 0.01, "{m:?}");
        let back = Crs::Epsg3857.unproject(m);
        assert!((back.x - dongtou.x).abs() < 1e-6 && (back.y - dongtou.y).abs() < 1e-6);
        let b = Crs::Epsg4326.bbox_to_lonlat("27.8,121.0,27.9,121.2").unwrap();
        assert_eq!(b.to_array(), [121.0, 27.8, 121.2, 27.9]);
        assert_eq!(Crs::parse("[EPSG:4490]"), Some(Crs::Epsg4490));
        assert_eq!(Crs::parse("http://www.opengis.net/def/crs/OGC/1.3/CRS84"), Some(Crs::Crs84));
        assert_eq!(Crs::parse("http://www.opengis.net/def/crs/EPSG/0/2000"), None);
    }
}
