//! CSV for Excel and GIS: UTF-8 with a byte-order mark (without it Excel shows Chinese as
//! mojibake), every attribute as a column, the geometry as a `WKT` column (GDAL's CSV driver
//! reads it as the geometry) and `lon`/`lat` for points. Quoting is the `csv` crate's (RFC 4180).

use super::{full_row, Cell, FormatError, PagedWriter, COLUMNS};
use crate::project::Project;
use wkt::ToWkt as _;

/// Streams CSV rows.
pub struct CsvWriter {
    builder: csv::WriterBuilder,
}

impl CsvWriter {
    /// A writer with CRLF line ends, as Excel writes them.
    pub fn new() -> CsvWriter {
        let mut builder = csv::WriterBuilder::new();
        builder.terminator(csv::Terminator::CRLF);
        CsvWriter { builder }
    }

    /// One record's bytes, appended to `out`.
    fn record<I: AsRef<[u8]>>(&self, out: &mut Vec<u8>, fields: impl IntoIterator<Item = I>) -> Result<(), FormatError> {
        let mut w = self.builder.from_writer(out);
        w.write_record(fields).map_err(enc)?;
        w.flush().map_err(super::io("writing CSV"))
    }
}

impl Default for CsvWriter {
    fn default() -> Self {
        CsvWriter::new()
    }
}

fn enc(e: csv::Error) -> FormatError {
    FormatError::Encode { format: "CSV", reason: e.to_string() }
}

/// Formula-injection guard: a spreadsheet runs a cell starting with `=`, `+`, `-` or `@` (or a
/// tab or carriage return before one) as a formula even when the CSV field is quoted, so such
/// text gets a leading `'`, which Excel and LibreOffice take as "this is text" (OWASP's advice).
fn guarded(s: String) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s
    }
}

impl PagedWriter for CsvWriter {
    fn head(&mut self) -> Result<Vec<u8>, FormatError> {
        let mut out = "\u{feff}".as_bytes().to_vec();
        self.record(&mut out, COLUMNS.iter().map(|c| c.name).chain(["WKT", "lon", "lat"]))?;
        Ok(out)
    }
    fn item(&mut self, _index: u64, p: &Project) -> Result<Vec<u8>, FormatError> {
        let g = p.geo().ok_or_else(|| FormatError::Encode { format: "CSV", reason: format!("project {} has an unreadable geometry", p.id) })?;
        let mut record: Vec<String> = full_row(p).into_iter().map(|c| if let Cell::Text(s) = c { guarded(s) } else { c.text() }).collect();
        record.push(g.wkt_string());
        match g {
            geo::Geometry::Point(pt) => record.extend([pt.x().to_string(), pt.y().to_string()]),
            _ => record.extend([String::new(), String::new()]),
        }
        let mut out = Vec::with_capacity(2048);
        self.record(&mut out, &record)?;
        Ok(out)
    }
    fn tail(&mut self) -> Result<Vec<u8>, FormatError> {
        Ok(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_a_spreadsheet_would_run_is_kept_as_text() {
        assert_eq!(guarded("=HYPERLINK(\"http://x\")".into()), "'=HYPERLINK(\"http://x\")");
        assert_eq!(guarded("@SUM(A1)".into()), "'@SUM(A1)");
        assert_eq!(guarded("-2+3".into()), "'-2+3");
        assert_eq!(guarded("状元岙港区".into()), "状元岙港区");
        let mut out = Vec::new();
        CsvWriter::new().record(&mut out, [guarded("=1+1".into()), "a,b".into(), "x\"y".into(), "line\nbreak".into(), "plain".into()]).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "'=1+1,\"a,b\",\"x\"\"y\",\"line\nbreak\",plain\r\n");
    }
}
