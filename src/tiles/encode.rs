//! The embedded store's tile encoder: projects in, one Mapbox Vector Tile out.
//!
//! It follows the same rules as the PostGIS query (`src/store/tiles_postgis.rs`): geometries in
//! Web Mercator, clipped to the tile square plus `BUFFER`, snapped to the `EXTENT` grid with
//! repeated points removed and lines and rings simplified to half a tile unit; below
//! `CLUSTER_BELOW_ZOOM`, in a tile of more projects than its clustering threshold, geometries
//! smaller than a `CELL` are gathered per cell and a cell holding two or more becomes one point
//! (at their mean centre) with `point_count`. Protobuf encoding is geozero's.

use super::{mercator, TileId, BUFFER, EXTENT, LAYER};
use crate::project::Project;
use chrono::NaiveDate;
use geo::orient::{Direction, Orient};
use geo::{
    BooleanOps, BoundingRect, Coord, Geometry, Intersects, LineString, MapCoords, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon, Rect, Simplify,
};
use geozero::mvt::{tile, Message, TagsBuilder, TileValue};
use geozero::ToMvt;
use std::collections::BTreeMap;

/// The attributes the map draws, borrowed from wherever a store read them. Absent values are
/// left out of the tile, as ST_AsMVT leaves out NULLs.
#[derive(Debug, Clone, Copy)]
pub struct Attributes<'a> {
    /// Project id.
    pub id: &'a str,
    /// Chinese name.
    pub name_zh: &'a str,
    /// English name.
    pub name_en: Option<&'a str>,
    /// Status code.
    pub status: Option<&'a str>,
    /// Kind code.
    pub kind: &'a str,
    /// The plan's action number.
    pub action: Option<u64>,
    /// Town code.
    pub town: Option<&'a str>,
    /// Total investment in 万元.
    pub investment_total: Option<f64>,
    /// Planned completion date.
    pub planned_completion: Option<NaiveDate>,
}

impl<'a> Attributes<'a> {
    /// A project's attributes.
    pub fn of(p: &'a Project) -> Attributes<'a> {
        use rust_decimal::prelude::ToPrimitive;
        let a = &p.props;
        Attributes {
            id: p.id.as_str(),
            name_zh: &a.name_zh,
            name_en: a.name_en.as_deref(),
            status: a.status.map(|s| s.as_str()),
            kind: a.kind.as_str(),
            action: a.action.map(|v| u64::from(v.get())),
            town: a.town.as_ref().map(|t| t.as_str()),
            investment_total: a.investment_total.and_then(|w| w.get().to_f64()),
            planned_completion: a.planned_completion,
        }
    }

    /// As tile attributes.
    pub fn tags(&self) -> Tags {
        let s = |v: &str| TileValue::Str(v.to_owned());
        let mut out = vec![("id", s(self.id)), ("name_zh", s(self.name_zh))];
        if let Some(v) = self.name_en {
            out.push(("name_en", s(v)));
        }
        if let Some(v) = self.status {
            out.push(("status", s(v)));
        }
        out.push(("kind", s(self.kind)));
        if let Some(v) = self.action {
            out.push(("action", TileValue::Uint(v)));
        }
        if let Some(v) = self.town {
            out.push(("town", s(v)));
        }
        if let Some(v) = self.investment_total {
            out.push(("investment_total", TileValue::Double(v)));
        }
        if let Some(v) = self.planned_completion {
            out.push(("planned_completion", TileValue::Str(v.to_string())));
        }
        out
    }
}

/// Owned attribute pairs of one feature.
pub type Tags = Vec<(&'static str, TileValue)>;

/// A cluster cell: how many, the sum of their centres, and the one member while it is alone.
type Cell<M> = (u64, Coord<f64>, Option<(M, Geometry<f64>)>);

/// Builds one tile from projects fed one at a time, so a store can stream rows into it: what it
/// holds is the features the tile will draw, one entry per cluster cell and, until the tile is
/// known to be dense, at most `cluster_over` small geometries; never every project.
/// `M` stands for a project until its attributes are needed: only the projects the tile draws
/// on their own need them, so a store can read attributes for those alone (`drawn`).
pub struct Encoder<M> {
    tile: TileId,
    buffered: Rect<f64>,
    bounds: Rect<f64>,
    k: f64,
    clip: Rect<f64>,
    /// Drawn on their own, in Web Mercator.
    pending: Vec<(M, Geometry<f64>)>,
    /// Projects in the tile so far.
    count: usize,
    /// A tile of more projects than this is clustered.
    cluster_over: usize,
    /// Small geometries (with their box centre) held while the tile is not known to be dense:
    /// drawn on their own in the end, unless the tile turns out dense, then gathered into `cells`.
    held: Vec<(M, Geometry<f64>, Coord<f64>)>,
    cells: BTreeMap<(i64, i64), Cell<M>>,
}

impl<M> Encoder<M> {
    /// An empty tile, clustered if it ends up holding more than `cluster_over` projects (and
    /// its zoom clusters).
    pub fn new(tile: TileId, cluster_over: u32) -> Encoder<M> {
        let lo = -f64::from(BUFFER);
        let hi = f64::from(EXTENT + BUFFER);
        Encoder {
            tile,
            buffered: tile.buffered(),
            bounds: tile.bounds(),
            k: f64::from(EXTENT) / tile.size(),
            clip: Rect::new(Coord { x: lo, y: lo }, Coord { x: hi, y: hi }),
            pending: Vec::new(),
            count: 0,
            cluster_over: cluster_over as usize,
            held: Vec::new(),
            cells: BTreeMap::new(),
        }
    }

    /// Adds a project given its lon/lat geometry; one that misses the tile is skipped.
    pub fn push(&mut self, lonlat: &Geometry<f64>, member: M) {
        let g = mercator(lonlat);
        if !g.intersects(&self.buffered) {
            return;
        }
        self.count += 1;
        if self.tile.clusters() {
            let dense = self.count > self.cluster_over;
            if dense && !self.held.is_empty() {
                for (m, g, c) in std::mem::take(&mut self.held) {
                    self.gather(m, g, c);
                }
            }
            let cell = self.tile.cell_size();
            if let Some(r) = g.bounding_rect().filter(|r| r.width() < cell && r.height() < cell) {
                if dense {
                    self.gather(member, g, r.center());
                } else {
                    self.held.push((member, g, r.center()));
                }
                return;
            }
        }
        self.pending.push((member, g));
    }

    /// Puts a small geometry into the cell of its box centre `c`.
    fn gather(&mut self, member: M, g: Geometry<f64>, c: Coord<f64>) {
        let cell = self.tile.cell_size();
        let key = (((c.x - self.bounds.min().x) / cell).floor() as i64, ((self.bounds.max().y - c.y) / cell).floor() as i64);
        let e = self.cells.entry(key).or_insert((0, Coord { x: 0.0, y: 0.0 }, None));
        e.0 += 1;
        e.1 = e.1 + c;
        e.2 = if e.0 == 1 { Some((member, g)) } else { None };
    }

    /// The projects the tile draws on their own (not in a cluster of two or more), so far.
    pub fn drawn(&self) -> impl Iterator<Item = &M> {
        self.pending.iter().map(|(m, _)| m).chain(self.held.iter().map(|(m, _, _)| m)).chain(self.cells.values().filter_map(|c| c.2.as_ref().map(|(m, _)| m)))
    }

    /// How many features and cluster cells the tile holds so far: a measure of the work left.
    pub fn parts(&self) -> usize {
        self.pending.len() + self.held.len() + self.cells.len()
    }

    /// The encoded tile (empty when nothing is in it); `tags` gives the attributes of each
    /// project drawn on its own.
    pub fn finish(self, mut tags: impl FnMut(M) -> Tags) -> Vec<u8> {
        let to_tile = |c: Coord<f64>| Coord { x: (c.x - self.bounds.min().x) * self.k, y: (self.bounds.max().y - c.y) * self.k };
        // Keys are the few attribute names: borrowed, not one String per feature and key.
        let mut builder = TagsBuilder::<&'static str>::new();
        let mut features = Vec::new();
        let mut feature = |g: &Geometry<f64>, t: Tags, features: &mut Vec<tile::Feature>| {
            let Some(geom) = snap(g, self.clip) else { return };
            let mut tagv = Vec::with_capacity(t.len() * 2);
            for (key, v) in t {
                let (ki, vi) = builder.insert(key, v);
                tagv.extend([ki, vi]);
            }
            push_geometry(features, &geom, &tagv);
        };
        for (m, g) in self.pending.into_iter().chain(self.held.into_iter().map(|(m, g, _)| (m, g))) {
            feature(&g.map_coords(to_tile), tags(m), &mut features);
        }
        for (n, sum, alone) in self.cells.into_values() {
            match alone {
                Some((m, g)) => feature(&g.map_coords(to_tile), tags(m), &mut features),
                None => {
                    let c = to_tile(Coord { x: sum.x / n as f64, y: sum.y / n as f64 });
                    feature(&Geometry::Point(Point(c)), vec![("point_count", TileValue::Uint(n)), ("cluster", TileValue::Bool(true))], &mut features);
                }
            }
        }
        if features.is_empty() {
            return Vec::new();
        }
        let (keys, values) = builder.into_tags();
        let layer = tile::Layer {
            version: 2,
            name: LAYER.to_owned(),
            features,
            keys: keys.into_iter().map(str::to_owned).collect(),
            values: values.into_iter().map(tile::Value::from).collect(),
            extent: Some(EXTENT),
        };
        geozero::mvt::Tile { layers: vec![layer] }.encode_to_vec()
    }
}

fn push_geometry(features: &mut Vec<tile::Feature>, g: &Geometry<f64>, tagv: &[u32]) {
    if let Geometry::GeometryCollection(gc) = g {
        for m in gc {
            push_geometry(features, m, tagv);
        }
        return;
    }
    // Coordinates are already whole tile units, so the unscaled writer copies them as they are.
    if let Ok(mut f) = g.to_mvt_unscaled() {
        f.tags = tagv.to_vec();
        features.push(f);
    }
}

/// Clips to the buffered square, simplifies, snaps to whole units; `None` when nothing is left.
fn snap(g: &Geometry<f64>, clip: Rect<f64>) -> Option<Geometry<f64>> {
    let inside =
        g.bounding_rect().is_some_and(|r| r.min().x >= clip.min().x && r.min().y >= clip.min().y && r.max().x <= clip.max().x && r.max().y <= clip.max().y);
    let round = |c: &Coord<f64>| Coord { x: c.x.round(), y: c.y.round() };
    let points = |pts: Vec<Point<f64>>| -> Option<Geometry<f64>> {
        let pts: Vec<Point<f64>> = pts.into_iter().filter(|p| clip.intersects(p)).map(|p| Point(round(&p.0))).collect();
        match pts.len() {
            0 => None,
            1 => Some(Geometry::Point(pts[0])),
            _ => Some(Geometry::MultiPoint(MultiPoint(pts))),
        }
    };
    let lines = |mls: MultiLineString<f64>| -> Option<Geometry<f64>> {
        let mls = if inside { mls } else { clip.to_polygon().clip(&mls, false) };
        let kept: Vec<LineString<f64>> = mls.0.iter().filter_map(|l| tidy_line(&l.simplify(&0.5), round, 2)).collect();
        match kept.len() {
            0 => None,
            1 => kept.into_iter().next().map(Geometry::LineString),
            _ => Some(Geometry::MultiLineString(MultiLineString(kept))),
        }
    };
    let polygons = |mp: MultiPolygon<f64>| -> Option<Geometry<f64>> {
        let mp = if inside { mp } else { mp.intersection(&clip.to_polygon()) };
        let mut kept = Vec::new();
        for poly in mp.simplify(&0.5) {
            let Some(ext) = tidy_line(poly.exterior(), round, 4) else { continue };
            let holes: Vec<LineString<f64>> = poly.interiors().iter().filter_map(|r| tidy_line(r, round, 4)).collect();
            let p = Polygon::new(ext, holes);
            if geo::Area::unsigned_area(&p) > 0.0 {
                kept.push(p);
            }
        }
        // MVT 2.1: in tile coordinates (y down) an exterior ring has positive surveyor's area.
        let kept = MultiPolygon(kept).orient(Direction::Default);
        match kept.0.len() {
            0 => None,
            1 => kept.0.into_iter().next().map(Geometry::Polygon),
            _ => Some(Geometry::MultiPolygon(kept)),
        }
    };
    match g {
        Geometry::Point(p) => points(vec![*p]),
        Geometry::MultiPoint(mp) => points(mp.0.clone()),
        Geometry::Line(l) => lines(MultiLineString(vec![LineString(vec![l.start, l.end])])),
        Geometry::LineString(l) => lines(MultiLineString(vec![l.clone()])),
        Geometry::MultiLineString(m) => lines(m.clone()),
        Geometry::Polygon(p) => polygons(MultiPolygon(vec![p.clone()])),
        Geometry::MultiPolygon(m) => polygons(m.clone()),
        Geometry::Rect(r) => polygons(MultiPolygon(vec![r.to_polygon()])),
        Geometry::Triangle(t) => polygons(MultiPolygon(vec![t.to_polygon()])),
        Geometry::GeometryCollection(gc) => {
            let parts: Vec<Geometry<f64>> = gc.iter().filter_map(|m| snap(m, clip)).collect();
            (!parts.is_empty()).then_some(Geometry::GeometryCollection(geo::GeometryCollection(parts)))
        }
    }
}

/// Rounds, drops repeated points; `None` when fewer than `min` points remain.
fn tidy_line(l: &LineString<f64>, round: impl Fn(&Coord<f64>) -> Coord<f64>, min: usize) -> Option<LineString<f64>> {
    let mut out: Vec<Coord<f64>> = Vec::with_capacity(l.0.len());
    for c in &l.0 {
        let c = round(c);
        if out.last() != Some(&c) {
            out.push(c);
        }
    }
    (out.len() >= min).then_some(LineString(out))
}
