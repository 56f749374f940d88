//! Export and import formats: one writer per format (geozero naming: `<format>_writer.rs`), the
//! flat attribute table they share, and the GeoPackage reader for `planmap import`.
//!
//! Every attribute travels: the flat formats carry every field of a project as one column
//! ([`COLUMNS`]); lists and objects (`investment_by_year`, `responsible_units`, `targets`,
//! `sources`, `islands`) are JSON text, money is its exact decimal text, so nothing is rounded.
//! GeoJSON and GeoPackage exports import back identically (`planmap import`).
//!
//! Writers take projects, never the store: the export use case (`service/export.rs`) reads the
//! store, a page at a time for the streamed formats, and feeds them. Geometry is encoded from the
//! decoded `geo` value with geozero (GeoPackage WKB, FlatGeobuf), the `csv` crate writes CSV.

mod csv_writer;
mod flatgeobuf_writer;
mod geojson_writer;
mod gpkg;
mod kml_writer;
mod shapefile_writer;

pub use gpkg::read_gpkg;

use crate::project::Project;
use chrono::{FixedOffset, Utc};
use serde_json::Value;
use std::fmt;
use std::str::FromStr;

/// What can go wrong writing or reading a file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// Writing or reading a temporary or output file.
    #[error("file error while {action}: {source}")]
    Io {
        /// What planmap was doing.
        action: &'static str,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A format library refused the data.
    #[error("cannot write {format}: {reason}")]
    Encode {
        /// Which format.
        format: &'static str,
        /// Why.
        reason: String,
    },
    /// An input file that cannot be read as the format it claims.
    #[error("cannot read the file: {0}")]
    Unreadable(String),
}

pub(crate) fn io(action: &'static str) -> impl FnOnce(std::io::Error) -> FormatError {
    move |source| FormatError::Io { action, source }
}

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// RFC 7946 FeatureCollection, streamed.
    GeoJson,
    /// UTF-8 with BOM, a `WKT` column, lon/lat for points.
    Csv,
    /// OGC GeoPackage (SQLite).
    Gpkg,
    /// KML 2.2 (Google Earth, 奥维互动地图).
    Kml,
    /// Zipped ESRI Shapefiles, one per geometry type.
    Shapefile,
    /// FlatGeobuf with a spatial index.
    FlatGeobuf,
}

/// Every format, in menu order.
pub const EXPORT_FORMATS: &[ExportFormat] =
    &[ExportFormat::GeoJson, ExportFormat::Csv, ExportFormat::Gpkg, ExportFormat::Kml, ExportFormat::Shapefile, ExportFormat::FlatGeobuf];

impl ExportFormat {
    /// The `format=` value.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::GeoJson => "geojson",
            ExportFormat::Csv => "csv",
            ExportFormat::Gpkg => "gpkg",
            ExportFormat::Kml => "kml",
            ExportFormat::Shapefile => "shp",
            ExportFormat::FlatGeobuf => "fgb",
        }
    }
    /// Content type.
    pub fn media_type(self) -> &'static str {
        match self {
            ExportFormat::GeoJson => "application/geo+json",
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Gpkg => "application/geopackage+sqlite3",
            ExportFormat::Kml => "application/vnd.google-earth.kml+xml",
            ExportFormat::Shapefile => "application/zip",
            ExportFormat::FlatGeobuf => "application/flatgeobuf",
        }
    }
    /// File extension.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::GeoJson => "geojson",
            ExportFormat::Csv => "csv",
            ExportFormat::Gpkg => "gpkg",
            ExportFormat::Kml => "kml",
            ExportFormat::Shapefile => "shp.zip",
            ExportFormat::FlatGeobuf => "fgb",
        }
    }
    /// `planmap-projects-YYYY-MM-DD.ext`, dated in China Standard Time (UTC+8), the users' calendar.
    pub fn file_name(self) -> String {
        let cst = FixedOffset::east_opt(8 * 3600).map_or_else(|| Utc::now().date_naive(), |o| Utc::now().with_timezone(&o).date_naive());
        format!("planmap-projects-{cst}.{}", self.extension())
    }
    /// Streamed page by page (constant memory) rather than built whole.
    pub fn is_streamed(self) -> bool {
        matches!(self, ExportFormat::GeoJson | ExportFormat::Csv | ExportFormat::Kml)
    }
}

impl fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ExportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "geojson" | "json" => ExportFormat::GeoJson,
            "csv" => ExportFormat::Csv,
            "gpkg" | "geopackage" => ExportFormat::Gpkg,
            "kml" => ExportFormat::Kml,
            "shp" | "shapefile" | "zip" => ExportFormat::Shapefile,
            "fgb" | "flatgeobuf" => ExportFormat::FlatGeobuf,
            other => {
                return Err(format!(
                    "`{other}` is not an export format; use one of: {}",
                    EXPORT_FORMATS.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(", ")
                ))
            }
        })
    }
}

/// Column types of the flat table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    /// Text (also JSON text and exact decimals).
    Text,
    /// Whole number.
    Integer,
    /// Floating number.
    Real,
    /// true/false.
    Boolean,
    /// `YYYY-MM-DD`.
    Date,
}

/// One column: full name, Shapefile name (≤ 10 characters), type.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The property's name.
    pub name: &'static str,
    /// The dBase field name (10 characters at most).
    pub short: &'static str,
    /// Type.
    pub ty: ColType,
    /// Holds JSON text (a list or object).
    pub json: bool,
}

const fn col(name: &'static str, short: &'static str, ty: ColType, json: bool) -> Column {
    Column { name, short, ty, json }
}

/// Every attribute of a project, in output order.
pub const COLUMNS: &[Column] = &[
    col("id", "id", ColType::Text, false),
    col("name_zh", "name_zh", ColType::Text, false),
    col("name_en", "name_en", ColType::Text, false),
    col("action", "action", ColType::Integer, false),
    col("task", "task", ColType::Integer, false),
    col("plan_ref", "plan_ref", ColType::Text, false),
    col("kind", "kind", ColType::Text, false),
    col("status", "status", ColType::Text, false),
    col("investment_total", "inv_total", ColType::Text, false),
    col("investment_completed", "inv_done", ColType::Text, false),
    col("investment_by_year", "inv_years", ColType::Text, true),
    col("progress_pct", "progress", ColType::Real, false),
    col("start_date", "start_date", ColType::Date, false),
    col("planned_completion", "plan_end", ColType::Date, false),
    col("actual_completion", "actual_end", ColType::Date, false),
    col("responsible_units", "resp_units", ColType::Text, true),
    col("town", "town", ColType::Text, false),
    col("targets", "targets", ColType::Text, true),
    col("description", "descr", ColType::Text, false),
    col("sources", "sources", ColType::Text, true),
    col("location_confidence", "loc_conf", ColType::Text, false),
    col("synthetic", "synthetic", ColType::Boolean, false),
    col("islands", "islands", ColType::Text, true),
    col("version", "version", ColType::Integer, false),
    col("updated_at", "updated_at", ColType::Text, false),
];

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// No value.
    Null,
    /// Text.
    Text(String),
    /// Whole number.
    Int(i64),
    /// Floating number.
    Real(f64),
    /// true/false.
    Bool(bool),
}

impl Cell {
    /// As text (empty for null), for CSV, KML and dBase.
    pub fn text(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Real(r) => r.to_string(),
            Cell::Bool(b) => b.to_string(),
        }
    }
}

/// A project's row, in [`COLUMNS`] order, read off its served Feature so the flat formats carry
/// exactly what `/api/projects` serves.
pub fn row(p: &Project) -> Vec<Cell> {
    let f = p.to_feature();
    let props = f.get("properties").cloned().unwrap_or(Value::Null);
    COLUMNS
        .iter()
        .map(|c| {
            let v = if c.name == "id" { Value::String(p.id.to_string()) } else { props.get(c.name).cloned().unwrap_or(Value::Null) };
            match (&v, c.ty) {
                (Value::Null, _) => Cell::Null,
                (Value::Array(a), _) if a.is_empty() && c.json => Cell::Null,
                (_, _) if c.json => Cell::Text(v.to_string()),
                (Value::String(s), _) => Cell::Text(s.clone()),
                (Value::Bool(b), _) => Cell::Bool(*b),
                (Value::Number(n), ColType::Integer) => n.as_i64().map_or(Cell::Null, Cell::Int),
                (Value::Number(n), _) => n.as_f64().map_or(Cell::Null, Cell::Real),
                (other, _) => Cell::Text(other.to_string()),
            }
        })
        .collect()
}

/// `synthetic` is absent from the Feature when false; the flat formats spell it out.
fn fill_defaults(cells: &mut [Cell]) {
    for (c, cell) in COLUMNS.iter().zip(cells.iter_mut()) {
        if c.ty == ColType::Boolean && *cell == Cell::Null {
            *cell = Cell::Bool(false);
        }
    }
}

/// Row with defaults filled.
pub fn full_row(p: &Project) -> Vec<Cell> {
    let mut r = row(p);
    fill_defaults(&mut r);
    r
}

/// A text format written page by page.
pub trait PagedWriter: Send {
    /// Bytes before the first project.
    fn head(&mut self) -> Result<Vec<u8>, FormatError>;
    /// One project (`index` from 0).
    fn item(&mut self, index: u64, p: &Project) -> Result<Vec<u8>, FormatError>;
    /// Bytes after the last project.
    fn tail(&mut self) -> Result<Vec<u8>, FormatError>;
}

/// The writer for a streamed format.
pub fn paged_writer(f: ExportFormat) -> Option<Box<dyn PagedWriter>> {
    match f {
        ExportFormat::GeoJson => Some(Box::new(geojson_writer::GeoJsonWriter)),
        ExportFormat::Csv => Some(Box::new(csv_writer::CsvWriter::new())),
        ExportFormat::Kml => Some(Box::new(kml_writer::KmlWriter)),
        _ => None,
    }
}

/// Writes a whole-file format (GeoPackage, Shapefile zip, FlatGeobuf) of `items` and returns its bytes.
pub async fn write_file(f: ExportFormat, items: &[Project]) -> Result<Vec<u8>, FormatError> {
    match f {
        ExportFormat::Gpkg => gpkg::write(items).await,
        ExportFormat::Shapefile => {
            let items = items.to_vec();
            tokio::task::spawn_blocking(move || shapefile_writer::write(&items))
                .await
                .map_err(|e| FormatError::Encode { format: "Shapefile", reason: e.to_string() })?
        }
        ExportFormat::FlatGeobuf => {
            let items = items.to_vec();
            tokio::task::spawn_blocking(move || flatgeobuf_writer::write(&items))
                .await
                .map_err(|e| FormatError::Encode { format: "FlatGeobuf", reason: e.to_string() })?
        }
        other => {
            let mut w = paged_writer(other).ok_or(FormatError::Encode { format: "export", reason: "no writer".into() })?;
            let mut out = w.head()?;
            for (i, p) in items.iter().enumerate() {
                out.extend(w.item(i as u64, p)?);
            }
            out.extend(w.tail()?);
            Ok(out)
        }
    }
}

/// WGS 84 as the ESRI `.prj` text GDAL and ArcGIS read.
pub const WGS84_PRJ: &str =
    r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;

/// WGS 84 as OGC WKT (GeoPackage `gpkg_spatial_ref_sys`).
pub const WGS84_WKT: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]"#;
