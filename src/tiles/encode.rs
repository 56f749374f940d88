//! The embedded store's tile encoder: projects in, one Mapbox Vector Tile out.
//!
//! It follows the same rules as the PostGIS query (`src/store/tiles_postgis.rs`): geometries in
//! Web Mercator, clipped to the tile square plus `BUFFER`, snapped to the `EXTENT` grid with
//! repeated points removed and lines and rings simplified to half a tile unit; below
//! `CLUSTER_BELOW_ZOOM`, geometries smaller than a `CELL` are gathered per cell and a cell
//! holding two or more becomes one point (at their mean centre) with `point_count`. Protobuf
//! encoding is geozero's.

use super::{mercator, TileId, BUFFER, EXTENT, LAYER};
use crate::project::Project;
use geo::orient::{Direction, Orient};
use geo::{
    BooleanOps, BoundingRect, Coord, Geometry, Intersects, LineString, MapCoords, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon, Rect, Simplify,
};
use geozero::mvt::{tile, Message, TagsBuilder, TileValue};
use geozero::ToMvt;
use std::collections::BTreeMap;

/// A cluster cell: how many, the sum of their centres, and the one member while it is alone.
type Cell<'a> = (u64, Coord<f64>, Option<(&'a Project, Geometry<f64>)>);

/// Encodes the projects that intersect the tile (others are skipped), in the given order.
pub fn encode(tile: TileId, projects: &[Project]) -> Vec<u8> {
    let buffered = tile.buffered();
    let bounds = tile.bounds();
    let k = f64::from(EXTENT) / tile.size();
    let to_tile = |c: Coord<f64>| Coord { x: (c.x - bounds.min().x) * k, y: (bounds.max().y - c.y) * k };
    let lo = -f64::from(BUFFER);
    let hi = f64::from(EXTENT + BUFFER);
    let clip = Rect::new(Coord { x: lo, y: lo }, Coord { x: hi, y: hi });

    let mut tags = TagsBuilder::<String>::new();
    let mut features = Vec::new();
    // cell -> (count, sum of centres, the one member when alone)
    let mut cells: BTreeMap<(i64, i64), Cell<'_>> = BTreeMap::new();
    let cell = tile.cell_size();
    for p in projects {
        let Some(g) = p.geo() else { continue };
        let g = mercator(g);
        if !g.intersects(&buffered) {
            continue;
        }
        if tile.clusters() {
            if let Some(r) = g.bounding_rect() {
                if r.width() < cell && r.height() < cell {
                    let c = r.center();
                    let key = (((c.x - bounds.min().x) / cell).floor() as i64, ((bounds.max().y - c.y) / cell).floor() as i64);
                    let e = cells.entry(key).or_insert((0, Coord { x: 0.0, y: 0.0 }, None));
                    e.0 += 1;
                    e.1 = e.1 + c;
                    e.2 = if e.0 == 1 { Some((p, g)) } else { None };
                    continue;
                }
            }
        }
        push_project(&mut features, &mut tags, p, &g.map_coords(to_tile), clip);
    }
    for (n, sum, alone) in cells.into_values() {
        match alone {
            Some((p, g)) => push_project(&mut features, &mut tags, p, &g.map_coords(to_tile), clip),
            None => {
                let c = to_tile(Coord { x: sum.x / n as f64, y: sum.y / n as f64 });
                let Some(geom) = snap(&Geometry::Point(Point(c)), clip) else { continue };
                let mut tagv = Vec::new();
                for (key, v) in [("point_count", TileValue::Uint(n)), ("cluster", TileValue::Bool(true))] {
                    let (ki, vi) = tags.insert(key.to_owned(), v);
                    tagv.extend([ki, vi]);
                }
                push_geometry(&mut features, &geom, &tagv);
            }
        }
    }
    if features.is_empty() {
        return Vec::new();
    }
    let (keys, values) = tags.into_tags();
    let layer =
        tile::Layer { version: 2, name: LAYER.to_owned(), features, keys, values: values.into_iter().map(tile::Value::from).collect(), extent: Some(EXTENT) };
    geozero::mvt::Tile { layers: vec![layer] }.encode_to_vec()
}

/// The attributes the map draws; absent values are left out, as ST_AsMVT leaves out NULLs.
fn attributes(p: &Project) -> Vec<(&'static str, TileValue)> {
    use rust_decimal::prelude::ToPrimitive;
    let s = |v: &str| TileValue::Str(v.to_owned());
    let a = &p.props;
    let mut out = vec![("id", s(p.id.as_str())), ("name_zh", s(&a.name_zh))];
    if let Some(v) = &a.name_en {
        out.push(("name_en", s(v)));
    }
    if let Some(v) = a.status {
        out.push(("status", s(v.as_str())));
    }
    out.push(("kind", s(a.kind.as_str())));
    if let Some(v) = a.action {
        out.push(("action", TileValue::Uint(u64::from(v.get()))));
    }
    if let Some(v) = &a.town {
        out.push(("town", s(v.as_str())));
    }
    if let Some(v) = a.investment_total.and_then(|w| w.get().to_f64()) {
        out.push(("investment_total", TileValue::Double(v)));
    }
    if let Some(v) = a.planned_completion {
        out.push(("planned_completion", TileValue::Str(v.to_string())));
    }
    out
}

fn push_project(features: &mut Vec<tile::Feature>, tags: &mut TagsBuilder<String>, p: &Project, g: &Geometry<f64>, clip: Rect<f64>) {
    let Some(geom) = snap(g, clip) else { return };
    let mut tagv = Vec::new();
    for (key, v) in attributes(p) {
        let (ki, vi) = tags.insert(key.to_owned(), v);
        tagv.extend([ki, vi]);
    }
    push_geometry(features, &geom, &tagv);
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
