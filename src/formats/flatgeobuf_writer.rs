//! FlatGeobuf with a packed Hilbert R-tree index, CRS EPSG:4326 (lon/lat as stored), every
//! attribute a typed column. The header's geometry type is Unknown so points, lines and polygons
//! share one layer (each feature records its own type).

use super::{full_row, Cell, ColType, FormatError, COLUMNS};
use crate::project::Project;
use flatgeobuf::{ColumnType, FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
use geozero::{ColumnValue, GeomProcessor, GeozeroGeometry, PropertyProcessor};

fn enc(e: impl std::fmt::Display) -> FormatError {
    FormatError::Encode { format: "FlatGeobuf", reason: e.to_string() }
}

/// A borrowed `geo` geometry for geozero, which implements its trait for owned geometries only:
/// the project's decoded geometry is encoded as is, not copied.
struct Geo<'a>(&'a geo::Geometry<f64>);

impl GeozeroGeometry for Geo<'_> {
    fn process_geom<P: GeomProcessor>(&self, processor: &mut P) -> geozero::error::Result<()> {
        geozero::geo_types::process_geom(self.0, processor)
    }
}

/// A FlatGeobuf being built a page of projects at a time. The crate keeps the features in a
/// temporary file and only the index entries in memory (tens of bytes per feature).
pub struct FlatGeobufWriter {
    fgb: FgbWriter<'static>,
}

impl FlatGeobufWriter {
    /// The header: every column nullable, CRS 4326.
    pub fn create() -> Result<FlatGeobufWriter, FormatError> {
        let opts = FgbWriterOptions {
            write_index: true,
            detect_type: false,
            promote_to_multi: false,
            crs: FgbCrs { code: 4326, ..Default::default() },
            ..Default::default()
        };
        let mut fgb = FgbWriter::create_with_options("projects", GeometryType::Unknown, opts).map_err(enc)?;
        for c in COLUMNS {
            let ty = match c.ty {
                ColType::Integer => ColumnType::Long,
                ColType::Real => ColumnType::Double,
                ColType::Boolean => ColumnType::Bool,
                ColType::Text | ColType::Date => ColumnType::String,
            };
            fgb.add_column(c.name, ty, |_, col| col.nullable = true);
        }
        Ok(FlatGeobufWriter { fgb })
    }

    /// Appends projects.
    pub fn add(&mut self, items: &[Project]) -> Result<(), FormatError> {
        for p in items {
            let cells = full_row(p);
            let g = p.geo().ok_or_else(|| enc(format!("project {} has an unreadable geometry", p.id)))?;
            let mut failed = None;
            self.fgb
                .add_feature_geom(Geo(g), |feat| {
                    for (i, (c, v)) in COLUMNS.iter().zip(&cells).enumerate() {
                        let r = match v {
                            Cell::Null => continue,
                            Cell::Text(s) => feat.property(i, c.name, &ColumnValue::String(s)),
                            Cell::Int(n) => feat.property(i, c.name, &ColumnValue::Long(*n)),
                            Cell::Real(x) => feat.property(i, c.name, &ColumnValue::Double(*x)),
                            Cell::Money(w) => feat.property(i, c.name, &ColumnValue::Double(w.to_f64())),
                            Cell::Bool(b) => feat.property(i, c.name, &ColumnValue::Bool(*b)),
                        };
                        if let Err(e) = r {
                            failed = Some(e.to_string());
                        }
                    }
                })
                .map_err(enc)?;
            if let Some(e) = failed {
                return Err(enc(e));
            }
        }
        Ok(())
    }

    /// Writes the header, the index and the features into a temporary file.
    pub fn finish(self) -> Result<super::TempFile, FormatError> {
        const NAME: &str = "export.fgb";
        let dir = tempfile::tempdir().map_err(super::io("creating a temporary folder"))?;
        let out = std::fs::File::create(dir.path().join(NAME)).map_err(super::io("creating the FlatGeobuf"))?;
        let mut out = std::io::BufWriter::new(out);
        self.fgb.write(&mut out).map_err(enc)?;
        std::io::Write::flush(&mut out).map_err(super::io("writing the FlatGeobuf"))?;
        drop(out);
        super::TempFile::open(dir, NAME)
    }
}
