//! CSV for Excel and GIS: UTF-8 with a byte-order mark (without it Excel shows Chinese as
//! mojibake), every attribute as a column, the geometry as a `WKT` column (GDAL's CSV driver
//! reads it as the geometry) and `lon`/`lat` for points.

use super::{full_row, FormatError, PagedWriter, COLUMNS};
use crate::project::Project;

/// Streams CSV rows.
pub struct CsvWriter;

fn field(s: &str, out: &mut String) {
    // Quote every field that needs it (RFC 4180); a leading `=`/`+`/`-`/`@` is left as text by
    // quoting too, so a spreadsheet does not run it as a formula.
    let needs = s.contains([',', '"', '\n', '\r']) || s.starts_with(['=', '+', '@']);
    if needs {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

impl PagedWriter for CsvWriter {
    fn head(&mut self) -> Vec<u8> {
        let mut s = String::from("\u{feff}");
        for c in COLUMNS {
            s.push_str(c.name);
            s.push(',');
        }
        s.push_str("WKT,lon,lat\r\n");
        s.into_bytes()
    }
    fn item(&mut self, _index: u64, p: &Project) -> Result<Vec<u8>, FormatError> {
        let mut s = String::with_capacity(2048);
        for c in full_row(p) {
            field(&c.text(), &mut s);
            s.push(',');
        }
        let g = p.geo().ok_or_else(|| FormatError::Encode { format: "CSV", reason: format!("project {} has an unreadable geometry", p.id) })?;
        {
            use wkt::ToWkt as _;
            field(&g.wkt_string(), &mut s);
        }
        match g {
            geo::Geometry::Point(pt) => s.push_str(&format!(",{},{}\r\n", pt.x(), pt.y())),
            _ => s.push_str(",,\r\n"),
        }
        Ok(s.into_bytes())
    }
    fn tail(&mut self) -> Vec<u8> {
        Vec::new()
    }
}
