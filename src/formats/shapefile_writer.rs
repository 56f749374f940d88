//! Zipped ESRI Shapefiles: one per geometry type (`projects_point`, `projects_multipoint`,
//! `projects_line`, `projects_polygon`), each with a `.prj` (WGS 84) and a `.cpg` saying UTF-8,
//! plus `fields.txt` mapping the 10-character dBase names back to planmap's property names.
//! dBase text fields hold at most 254 bytes: longer values (long descriptions) are cut at a
//! character boundary, and `fields.txt` says so; GeoPackage and GeoJSON carry them whole.

use super::{full_row, Cell, ColType, FormatError, COLUMNS, WGS84_PRJ};
use crate::project::Project;
use geo::Geometry;
use shapefile::{dbase, Point, PolygonRing};
use std::fs::File;
use std::io::{BufWriter, Write};

fn enc(e: impl std::fmt::Display) -> FormatError {
    FormatError::Encode { format: "Shapefile", reason: e.to_string() }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Group {
    Point,
    MultiPoint,
    Line,
    Polygon,
}

impl Group {
    fn of(g: &Geometry<f64>) -> Option<Group> {
        match g {
            Geometry::Point(_) => Some(Group::Point),
            Geometry::MultiPoint(_) => Some(Group::MultiPoint),
            Geometry::LineString(_) | Geometry::MultiLineString(_) => Some(Group::Line),
            Geometry::Polygon(_) | Geometry::MultiPolygon(_) => Some(Group::Polygon),
            _ => None,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Group::Point => "projects_point",
            Group::MultiPoint => "projects_multipoint",
            Group::Line => "projects_line",
            Group::Polygon => "projects_polygon",
        }
    }
}

fn pts(ls: &geo::LineString<f64>) -> Vec<Point> {
    ls.0.iter().map(|c| Point::new(c.x, c.y)).collect()
}

fn rings(p: &geo::Polygon<f64>, out: &mut Vec<PolygonRing<Point>>) {
    out.push(PolygonRing::Outer(pts(p.exterior())));
    for i in p.interiors() {
        out.push(PolygonRing::Inner(pts(i)));
    }
}

fn cut(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

fn table() -> Result<dbase::TableWriterBuilder, FormatError> {
    let mut b = dbase::TableWriterBuilder::new();
    for c in COLUMNS {
        let name = dbase::FieldName::try_from(c.short).map_err(enc)?;
        b = match c.ty {
            ColType::Integer => b.add_numeric_field(name, 18, 0),
            ColType::Real => b.add_numeric_field(name, 18, 4),
            ColType::Boolean => b.add_logical_field(name),
            ColType::Date => b.add_character_field(name, 10),
            ColType::Text => b.add_character_field(name, 254),
        };
    }
    Ok(b)
}

fn record(p: &Project) -> dbase::Record {
    let mut r = dbase::Record::default();
    for (c, v) in COLUMNS.iter().zip(full_row(p)) {
        let value = match (c.ty, v) {
            (ColType::Integer, Cell::Int(i)) => dbase::FieldValue::Numeric(Some(i as f64)),
            (ColType::Integer | ColType::Real, Cell::Real(x)) => dbase::FieldValue::Numeric(Some(x)),
            (ColType::Real, Cell::Money(w)) => dbase::FieldValue::Numeric(Some(w.to_f64())),
            (ColType::Integer | ColType::Real, _) => dbase::FieldValue::Numeric(None),
            (ColType::Boolean, Cell::Bool(b)) => dbase::FieldValue::Logical(Some(b)),
            (ColType::Boolean, _) => dbase::FieldValue::Logical(None),
            (_, Cell::Null) => dbase::FieldValue::Character(None),
            (_, other) => dbase::FieldValue::Character(Some(cut(&other.text(), 254))),
        };
        r.insert(c.short.to_owned(), value);
    }
    r
}

fn write_one(w: &mut shapefile::Writer<BufWriter<File>>, p: &Project, g: &Geometry<f64>) -> Result<(), FormatError> {
    let rec = record(p);
    match g {
        Geometry::Point(pt) => w.write_shape_and_record(&Point::new(pt.x(), pt.y()), &rec),
        Geometry::MultiPoint(mp) => w.write_shape_and_record(&shapefile::Multipoint::new(mp.0.iter().map(|p| Point::new(p.x(), p.y())).collect()), &rec),
        Geometry::LineString(l) => w.write_shape_and_record(&shapefile::Polyline::new(pts(l)), &rec),
        Geometry::MultiLineString(ml) => w.write_shape_and_record(&shapefile::Polyline::with_parts(ml.0.iter().map(pts).collect()), &rec),
        Geometry::Polygon(poly) => {
            let mut r = Vec::new();
            rings(poly, &mut r);
            w.write_shape_and_record(&shapefile::Polygon::with_rings(r), &rec)
        }
        Geometry::MultiPolygon(mp) => {
            let mut r = Vec::new();
            for poly in mp {
                rings(poly, &mut r);
            }
            w.write_shape_and_record(&shapefile::Polygon::with_rings(r), &rec)
        }
        _ => Ok(()),
    }
    .map_err(enc)
}

const GROUPS: [Group; 4] = [Group::Point, Group::MultiPoint, Group::Line, Group::Polygon];

/// The shapefiles being written into a temporary folder, a page of projects at a time; one
/// writer per geometry type, opened when its first project arrives.
pub struct ShapefileWriter {
    dir: tempfile::TempDir,
    writers: [Option<shapefile::Writer<BufWriter<File>>>; 4],
}

impl ShapefileWriter {
    /// An empty folder.
    pub fn create() -> Result<ShapefileWriter, FormatError> {
        Ok(ShapefileWriter { dir: tempfile::tempdir().map_err(super::io("creating a temporary folder"))?, writers: [None, None, None, None] })
    }

    /// Appends projects to the shapefile of their geometry type.
    pub fn add(&mut self, items: &[Project]) -> Result<(), FormatError> {
        for p in items {
            let Some(g) = p.geo() else { continue };
            let Some(i) = Group::of(g).and_then(|group| GROUPS.iter().position(|x| *x == group)) else { continue };
            let w = match &mut self.writers[i] {
                Some(w) => w,
                slot => slot.insert(shapefile::Writer::from_path(self.dir.path().join(format!("{}.shp", GROUPS[i].name())), table()?).map_err(enc)?),
            };
            write_one(w, p, g)?;
        }
        Ok(())
    }

    /// Closes the shapefiles and zips them, with `fields.txt`, into a file in the same folder.
    pub fn finish(mut self) -> Result<super::TempFile, FormatError> {
        let mut written = Vec::new();
        for (i, group) in GROUPS.iter().enumerate() {
            // Dropping a writer writes the final headers (record counts, extent).
            if self.writers[i].take().is_none() {
                continue;
            }
            let path = self.dir.path().join(format!("{}.shp", group.name()));
            std::fs::write(path.with_extension("prj"), WGS84_PRJ).map_err(super::io("writing a .prj"))?;
            std::fs::write(path.with_extension("cpg"), "UTF-8").map_err(super::io("writing a .cpg"))?;
            for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
                written.push(path.with_extension(ext));
            }
        }
        let mut mapping = String::from("dBase field\tplanmap property\ttype\n");
        for c in COLUMNS {
            mapping.push_str(&format!("{}\t{}\t{:?}{}\n", c.short, c.name, c.ty, if c.json { " (JSON text)" } else { "" }));
        }
        mapping.push_str(
            "\nText fields hold at most 254 bytes (about 84 Chinese characters); longer values are cut. GeoPackage and GeoJSON exports carry them whole.\n",
        );
        const ZIP: &str = "export.shp.zip";
        let out = File::create(self.dir.path().join(ZIP)).map_err(super::io("creating the zip"))?;
        let mut zip = zip::ZipWriter::new(BufWriter::new(out));
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for path in written {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file").to_owned();
            zip.start_file(name, opts).map_err(enc)?;
            let mut part = File::open(&path).map_err(super::io("reading a shapefile part"))?;
            std::io::copy(&mut part, &mut zip).map_err(super::io("zipping"))?;
        }
        zip.start_file("fields.txt", opts).map_err(enc)?;
        zip.write_all(mapping.as_bytes()).map_err(super::io("zipping"))?;
        zip.finish().map_err(enc)?.flush().map_err(super::io("zipping"))?;
        super::TempFile::open(self.dir, ZIP)
    }
}
