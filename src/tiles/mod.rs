//! Vector tiles of the projects: tile math, the rules both stores follow when they encode a tile
//! (what goes in, how small things are clustered), the embedded encoder, and the cache with
//! exact invalidation.
//!
//! The grid is WebMercatorQuad (EPSG:3857, 256-pixel tiles at zoom 0, y down from the north).
//! A tile is `EXTENT` units wide with a `BUFFER`-unit margin so that symbols and strokes drawn
//! across a tile edge are not cut. A project belongs to a tile when its geometry intersects the
//! tile's square grown by that margin, on both stores; this is also the test the cache uses to
//! decide which tiles an edit touches.

mod cache;
mod encode;

pub use cache::{Freshness, TileCache, TileReply};
pub use encode::{Attributes, Encoder, Tags};

use geo::{Coord, MapCoords, Rect};
use std::fmt;

/// Tile units across a tile (the MVT default).
pub const EXTENT: u32 = 4096;
/// Margin around a tile, in tile units, within which geometries are still encoded.
pub const BUFFER: u32 = 64;
/// Below this zoom, geometries smaller than a cluster cell are gathered per cell, in a tile dense
/// enough (see [`CLUSTER_OVER`]).
pub const CLUSTER_BELOW_ZOOM: u8 = 14;
/// By default (`--tile-cluster-over`), a tile of at most this many projects draws every one on
/// its own at any zoom; only a denser one is clustered. Clustering is there to keep dense tiles
/// small (no tile over ~500 KB) and legible; a sparse tile gains nothing from it and costs the
/// server more (PostGIS, 10,000 projects, z12: grouping took ~40 % of a tile's time and merged
/// 109 projects into 105 cells). Tippecanoe's `--cluster-densest-as-needed` is the same idea.
/// 500 features with every attribute stay well under 100 KB.
pub const CLUSTER_OVER: u32 = 500;
/// Side of a cluster cell in tile units (64 cells across a tile: 4 px on a 256-px tile).
pub const CELL: u32 = 64;
/// Deepest zoom served; MapLibre overzooms beyond it.
pub const MAX_ZOOM: u8 = 22;
/// The one layer in every tile.
pub const LAYER: &str = "projects";
/// Content type of a Mapbox vector tile.
pub const MVT: &str = "application/vnd.mapbox-vector-tile";

/// Half the width of the Web Mercator world in metres.
const HALF: f64 = 20_037_508.342_789_244;
/// Web Mercator is undefined at the poles; latitudes are clamped like PostGIS' ST_Transform is
/// never asked to (tiles stop at ±85.05°).
const MAX_LAT: f64 = 85.051_128_779_806_59;

/// A tile of the WebMercatorQuad grid: zoom, column (x, from the west), row (y, from the north).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileId {
    z: u8,
    x: u32,
    y: u32,
}

/// Why a tile address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadTile {
    /// A part is not a whole number.
    #[error("`{value}` is not a whole number (the {part} of a tile)")]
    NotANumber {
        /// `zoom`, `column` or `row`.
        part: &'static str,
        /// What was given.
        value: String,
    },
    /// Zoom beyond what is served.
    #[error("zoom {0} is outside 0–{MAX_ZOOM}")]
    Zoom(u64),
    /// Column or row beyond the grid at that zoom.
    #[error("{part} {value} is outside 0–{max} at zoom {z}")]
    Range {
        /// `column` or `row`.
        part: &'static str,
        /// What was given.
        value: u64,
        /// Largest allowed.
        max: u64,
        /// The zoom.
        z: u8,
    },
}

impl TileId {
    /// Checks zoom and that column and row exist at that zoom.
    pub fn new(z: u64, x: u64, y: u64) -> Result<TileId, BadTile> {
        if z > u64::from(MAX_ZOOM) {
            return Err(BadTile::Zoom(z));
        }
        let z8 = z as u8;
        let max = (1u64 << z) - 1;
        for (part, value) in [("column", x), ("row", y)] {
            if value > max {
                return Err(BadTile::Range { part, value, max, z: z8 });
            }
        }
        Ok(TileId { z: z8, x: x as u32, y: y as u32 })
    }

    /// Parses the three path parts (`y` may end in `.mvt`, stripped by the caller).
    pub fn parse(z: &str, x: &str, y: &str) -> Result<TileId, BadTile> {
        let num = |part: &'static str, v: &str| v.parse::<u64>().map_err(|_| BadTile::NotANumber { part, value: v.chars().take(40).collect() });
        TileId::new(num("zoom", z)?, num("column", x)?, num("row", y)?)
    }

    /// Zoom.
    pub fn z(self) -> u8 {
        self.z
    }
    /// Column.
    pub fn x(self) -> u32 {
        self.x
    }
    /// Row.
    pub fn y(self) -> u32 {
        self.y
    }

    /// Width of the tile in Web Mercator metres.
    pub fn size(self) -> f64 {
        2.0 * HALF / f64::from(1u32 << self.z)
    }

    /// The tile's square in Web Mercator metres, without margin.
    pub fn bounds(self) -> Rect<f64> {
        let s = self.size();
        let min_x = -HALF + f64::from(self.x) * s;
        let max_y = HALF - f64::from(self.y) * s;
        Rect::new(Coord { x: min_x, y: max_y - s }, Coord { x: min_x + s, y: max_y })
    }

    /// The square grown by `BUFFER` tile units: what a tile's features are drawn from.
    pub fn buffered(self) -> Rect<f64> {
        let b = self.bounds();
        let m = self.size() * f64::from(BUFFER) / f64::from(EXTENT);
        Rect::new(Coord { x: b.min().x - m, y: b.min().y - m }, Coord { x: b.max().x + m, y: b.max().y + m })
    }

    /// The buffered square in lon/lat (a lon/lat rectangle too: Mercator keeps both axes apart),
    /// for a store's bbox prefilter.
    pub fn buffered_lonlat(self) -> Rect<f64> {
        let r = self.buffered();
        let a = to_lonlat(r.min());
        let b = to_lonlat(r.max());
        Rect::new(Coord { x: a.x.max(-180.0), y: a.y.max(-90.0) }, Coord { x: b.x.min(180.0), y: b.y.min(90.0) })
    }

    /// Whether clustering applies at this zoom.
    pub fn clusters(self) -> bool {
        self.z < CLUSTER_BELOW_ZOOM
    }

    /// Side of a cluster cell in metres.
    pub fn cell_size(self) -> f64 {
        self.size() * f64::from(CELL) / f64::from(EXTENT)
    }
}

impl fmt::Display for TileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.z, self.x, self.y)
    }
}

/// Lon/lat (EPSG:4326) to Web Mercator metres (EPSG:3857), the spherical formula PostGIS uses.
pub fn to_mercator(c: Coord<f64>) -> Coord<f64> {
    let lat = c.y.clamp(-MAX_LAT, MAX_LAT).to_radians();
    Coord { x: c.x * HALF / 180.0, y: (std::f64::consts::FRAC_PI_4 + lat / 2.0).tan().ln() * HALF / std::f64::consts::PI }
}

/// Web Mercator metres back to lon/lat.
pub fn to_lonlat(c: Coord<f64>) -> Coord<f64> {
    let lat = (2.0 * (c.y * std::f64::consts::PI / HALF).exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees();
    Coord { x: c.x * 180.0 / HALF, y: lat }
}

/// A lon/lat geometry in Web Mercator metres.
pub fn mercator(g: &geo::Geometry<f64>) -> geo::Geometry<f64> {
    g.map_coords(to_mercator)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn tile_addresses_are_checked() {
        assert!(TileId::new(0, 0, 0).is_ok());
        assert_eq!(TileId::new(23, 0, 0), Err(BadTile::Zoom(23)));
        assert!(matches!(TileId::new(2, 4, 0), Err(BadTile::Range { part: "column", value: 4, max: 3, z: 2 })));
        assert!(matches!(TileId::new(2, 0, 4), Err(BadTile::Range { part: "row", .. })));
        assert!(matches!(TileId::parse("1", "-1", "0"), Err(BadTile::NotANumber { part: "column", .. })));
        assert!(matches!(TileId::parse("99999999999999999999", "0", "0"), Err(BadTile::NotANumber { part: "zoom", .. })));
    }

    #[test]
    fn bounds_follow_web_mercator_quad() {
        let world = TileId::new(0, 0, 0).unwrap().bounds();
        assert!((world.min().x + HALF).abs() < 1e-6 && (world.max().y - HALF).abs() < 1e-6);
        // z1 (1, 0) is the north-east quarter.
        let ne = TileId::new(1, 1, 0).unwrap().bounds();
        assert!(ne.min().x.abs() < 1e-6 && ne.min().y.abs() < 1e-6 && (ne.max().x - HALF).abs() < 1e-6);
        // Dongtou (121.1 E, 27.85 N) is in z10 tile 856/429 (as every slippy-map tool computes).
        let t = TileId::new(10, 856, 429).unwrap();
        let ll = t.buffered_lonlat();
        assert!(ll.min().x < 121.1 && ll.max().x > 121.1 && ll.min().y < 27.85 && ll.max().y > 27.85, "{ll:?}");
        let round = to_lonlat(to_mercator(Coord { x: 121.1, y: 27.85 }));
        assert!((round.x - 121.1).abs() < 1e-9 && (round.y - 27.85).abs() < 1e-9);
    }

    #[test]
    fn clustering_stops_at_zoom_14() {
        assert!(TileId::new(13, 0, 0).unwrap().clusters());
        assert!(!TileId::new(14, 0, 0).unwrap().clusters());
        let t = TileId::new(10, 856, 425).unwrap();
        assert!((t.cell_size() * 64.0 - t.size()).abs() < 1e-6);
    }
}
