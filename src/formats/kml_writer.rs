//! KML 2.2 for Google Earth and 奥维互动地图: one Placemark per project named by `name_zh`,
//! every attribute in a typed `SchemaData` (GDAL's LIBKML driver reads them as fields).

use super::{full_row, ColType, FormatError, PagedWriter, COLUMNS};
use crate::project::Project;
use geo::{Geometry, LineString, Polygon};

/// Streams Placemarks.
pub struct KmlWriter;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn coords(ls: &LineString<f64>) -> String {
    ls.0.iter().map(|c| format!("{},{}", c.x, c.y)).collect::<Vec<_>>().join(" ")
}

fn polygon(p: &Polygon<f64>, out: &mut String) {
    out.push_str("<Polygon><outerBoundaryIs><LinearRing><coordinates>");
    out.push_str(&coords(p.exterior()));
    out.push_str("</coordinates></LinearRing></outerBoundaryIs>");
    for i in p.interiors() {
        out.push_str("<innerBoundaryIs><LinearRing><coordinates>");
        out.push_str(&coords(i));
        out.push_str("</coordinates></LinearRing></innerBoundaryIs>");
    }
    out.push_str("</Polygon>");
}

fn geometry(g: &Geometry<f64>, out: &mut String) {
    match g {
        Geometry::Point(p) => out.push_str(&format!("<Point><coordinates>{},{}</coordinates></Point>", p.x(), p.y())),
        Geometry::LineString(l) => out.push_str(&format!("<LineString><tessellate>1</tessellate><coordinates>{}</coordinates></LineString>", coords(l))),
        Geometry::Polygon(p) => polygon(p, out),
        Geometry::MultiPoint(mp) => {
            out.push_str("<MultiGeometry>");
            for p in mp {
                geometry(&Geometry::Point(*p), out);
            }
            out.push_str("</MultiGeometry>");
        }
        Geometry::MultiLineString(ml) => {
            out.push_str("<MultiGeometry>");
            for l in ml {
                geometry(&Geometry::LineString(l.clone()), out);
            }
            out.push_str("</MultiGeometry>");
        }
        Geometry::MultiPolygon(mp) => {
            out.push_str("<MultiGeometry>");
            for p in mp {
                polygon(p, out);
            }
            out.push_str("</MultiGeometry>");
        }
        _ => {}
    }
}

impl PagedWriter for KmlWriter {
    fn head(&mut self) -> Result<Vec<u8>, FormatError> {
        let mut s = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n<Document id=\"planmap\"><name>planmap 洞头区规划项目</name>\n<Schema name=\"projects\" id=\"projects\">",
        );
        for c in COLUMNS {
            let ty = match c.ty {
                ColType::Integer => "int",
                ColType::Real => "double",
                ColType::Boolean => "bool",
                ColType::Text | ColType::Date => "string",
            };
            s.push_str(&format!("<SimpleField name=\"{}\" type=\"{ty}\"/>", c.name));
        }
        s.push_str("</Schema>\n<Folder><name>projects</name>\n");
        Ok(s.into_bytes())
    }
    fn item(&mut self, _index: u64, p: &Project) -> Result<Vec<u8>, FormatError> {
        let g = p.geo().ok_or_else(|| FormatError::Encode { format: "KML", reason: format!("project {} has an unreadable geometry", p.id) })?;
        let mut s = String::with_capacity(4096);
        s.push_str(&format!("<Placemark id=\"{}\"><name>{}</name>", esc(p.id.as_str()), esc(&p.props.name_zh)));
        if let Some(d) = &p.props.description {
            s.push_str(&format!("<description>{}</description>", esc(d)));
        }
        s.push_str("<ExtendedData><SchemaData schemaUrl=\"#projects\">");
        for (c, v) in COLUMNS.iter().zip(full_row(p)) {
            if v != super::Cell::Null {
                s.push_str(&format!("<SimpleData name=\"{}\">{}</SimpleData>", c.name, esc(&v.text())));
            }
        }
        s.push_str("</SchemaData></ExtendedData>");
        geometry(g, &mut s);
        s.push_str("</Placemark>\n");
        Ok(s.into_bytes())
    }
    fn tail(&mut self) -> Result<Vec<u8>, FormatError> {
        Ok(b"</Folder></Document></kml>\n".to_vec())
    }
}
