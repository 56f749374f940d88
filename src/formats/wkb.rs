//! Well-known binary for the 2D geometries planmap keeps, and the GeoPackage geometry blob
//! (header + WKB). Written little-endian; read in either byte order.

use geo::{BoundingRect, Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn put_f64(out: &mut Vec<u8>, v: f64) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn put_coords(out: &mut Vec<u8>, ls: &LineString<f64>) {
    put_u32(out, ls.0.len() as u32);
    for c in &ls.0 {
        put_f64(out, c.x);
        put_f64(out, c.y);
    }
}
fn put_polygon_body(out: &mut Vec<u8>, p: &Polygon<f64>) {
    put_u32(out, 1 + p.interiors().len() as u32);
    put_coords(out, p.exterior());
    for r in p.interiors() {
        put_coords(out, r);
    }
}

/// WKB (little-endian, 2D).
pub fn encode(g: &Geometry<f64>) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    write(g, &mut out);
    out
}

fn write(g: &Geometry<f64>, out: &mut Vec<u8>) {
    out.push(1);
    match g {
        Geometry::Point(p) => {
            put_u32(out, 1);
            put_f64(out, p.x());
            put_f64(out, p.y());
        }
        Geometry::LineString(l) => {
            put_u32(out, 2);
            put_coords(out, l);
        }
        Geometry::Polygon(p) => {
            put_u32(out, 3);
            put_polygon_body(out, p);
        }
        Geometry::MultiPoint(mp) => {
            put_u32(out, 4);
            put_u32(out, mp.0.len() as u32);
            for p in mp {
                write(&Geometry::Point(*p), out);
            }
        }
        Geometry::MultiLineString(ml) => {
            put_u32(out, 5);
            put_u32(out, ml.0.len() as u32);
            for l in ml {
                out.push(1);
                put_u32(out, 2);
                put_coords(out, l);
            }
        }
        Geometry::MultiPolygon(mp) => {
            put_u32(out, 6);
            put_u32(out, mp.0.len() as u32);
            for p in mp {
                out.push(1);
                put_u32(out, 3);
                put_polygon_body(out, p);
            }
        }
        // planmap's geometry rules admit only the six types above.
        _ => {
            put_u32(out, 7);
            put_u32(out, 0);
        }
    }
}

/// GeoPackage geometry blob: `GP`, version 0, little-endian with an xy envelope, SRS 4326, WKB.
pub fn encode_gpkg(g: &Geometry<f64>) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    out.extend_from_slice(b"GP");
    out.push(0);
    // flags: bit 0 = little-endian header, bits 1–3 = envelope kind 1 ([minx, maxx, miny, maxy]).
    out.push(0b0000_0011);
    out.extend_from_slice(&4326i32.to_le_bytes());
    let r = g.bounding_rect();
    let (a, b, c, d) = r.map_or((0.0, 0.0, 0.0, 0.0), |r| (r.min().x, r.max().x, r.min().y, r.max().y));
    for v in [a, b, c, d] {
        put_f64(&mut out, v);
    }
    write(g, &mut out);
    out
}

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

impl Reader<'_> {
    fn bytes<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let s = self.b.get(self.i..self.i + N).ok_or("the geometry blob ends early")?;
        self.i += N;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }
    fn u32(&mut self, le: bool) -> Result<u32, String> {
        let a = self.bytes::<4>()?;
        Ok(if le { u32::from_le_bytes(a) } else { u32::from_be_bytes(a) })
    }
    fn f64(&mut self, le: bool) -> Result<f64, String> {
        let a = self.bytes::<8>()?;
        Ok(if le { f64::from_le_bytes(a) } else { f64::from_be_bytes(a) })
    }
    fn count(&mut self, le: bool) -> Result<usize, String> {
        let n = self.u32(le)? as usize;
        // Each element needs at least 16 bytes; a larger count is a corrupt blob, not an allocation.
        if n > self.b.len() {
            return Err("a count in the geometry blob is larger than the blob".into());
        }
        Ok(n)
    }
    fn coords(&mut self, le: bool) -> Result<LineString<f64>, String> {
        let n = self.count(le)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(Coord { x: self.f64(le)?, y: self.f64(le)? });
        }
        Ok(LineString(v))
    }
    fn polygon_body(&mut self, le: bool) -> Result<Polygon<f64>, String> {
        let n = self.count(le)?;
        let mut rings = Vec::with_capacity(n);
        for _ in 0..n {
            rings.push(self.coords(le)?);
        }
        if rings.is_empty() {
            return Err("a polygon without rings".into());
        }
        let ext = rings.remove(0);
        Ok(Polygon::new(ext, rings))
    }
    fn geometry(&mut self, depth: usize) -> Result<Geometry<f64>, String> {
        if depth > 2 {
            return Err("nested collections are not supported".into());
        }
        let le = self.bytes::<1>()?[0] == 1;
        let ty = self.u32(le)?;
        Ok(match ty {
            1 => Geometry::Point(Point::new(self.f64(le)?, self.f64(le)?)),
            2 => Geometry::LineString(self.coords(le)?),
            3 => Geometry::Polygon(self.polygon_body(le)?),
            4..=6 => {
                let n = self.count(le)?;
                let mut parts = Vec::with_capacity(n);
                for _ in 0..n {
                    parts.push(self.geometry(depth + 1)?);
                }
                match ty {
                    4 => Geometry::MultiPoint(MultiPoint(parts.into_iter().filter_map(|g| if let Geometry::Point(p) = g { Some(p) } else { None }).collect())),
                    5 => Geometry::MultiLineString(MultiLineString(
                        parts.into_iter().filter_map(|g| if let Geometry::LineString(l) = g { Some(l) } else { None }).collect(),
                    )),
                    _ => Geometry::MultiPolygon(MultiPolygon(
                        parts.into_iter().filter_map(|g| if let Geometry::Polygon(p) = g { Some(p) } else { None }).collect(),
                    )),
                }
            }
            other => return Err(format!("WKB geometry type {other} is not supported (2D Point, LineString, Polygon and their Multi- forms only)")),
        })
    }
}

/// Reads WKB.
pub fn decode(b: &[u8]) -> Result<Geometry<f64>, String> {
    Reader { b, i: 0 }.geometry(0)
}

/// Reads a GeoPackage geometry blob; `Ok(None)` for an empty geometry.
pub fn decode_gpkg(b: &[u8]) -> Result<Option<Geometry<f64>>, String> {
    if b.len() < 8 || &b[..2] != b"GP" {
        return Err("not a GeoPackage geometry (no GP header)".into());
    }
    let flags = b[3];
    if flags & 0b0001_0000 != 0 {
        return Ok(None);
    }
    let envelope = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        other => return Err(format!("envelope code {other} is invalid")),
    };
    let start = 8 + envelope;
    let wkb = b.get(start..).ok_or("the geometry blob ends in its header")?;
    decode(wkb).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_geometry_type_round_trips_through_gpkg_blobs() {
        let poly = Polygon::new(LineString::from(vec![(121.0, 27.8), (121.1, 27.8), (121.1, 27.9), (121.0, 27.8)]), vec![]);
        let cases = vec![
            Geometry::Point(Point::new(121.1234567, 27.8)),
            Geometry::LineString(LineString::from(vec![(121.0, 27.8), (121.1, 27.9)])),
            Geometry::Polygon(poly.clone()),
            Geometry::MultiPoint(MultiPoint(vec![Point::new(121.0, 27.8), Point::new(121.1, 27.9)])),
            Geometry::MultiLineString(MultiLineString(vec![LineString::from(vec![(121.0, 27.8), (121.1, 27.9)])])),
            Geometry::MultiPolygon(MultiPolygon(vec![poly.clone(), poly])),
        ];
        for g in cases {
            assert_eq!(decode_gpkg(&encode_gpkg(&g)).unwrap(), Some(g.clone()));
        }
        assert!(decode_gpkg(b"GP\0\x03").is_err());
        assert!(decode(&[1, 9, 0, 0, 0]).is_err());
        assert!(decode(&[1, 2, 0, 0, 0, 255, 255, 255, 255]).is_err());
    }
}
