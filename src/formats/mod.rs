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

use crate::project::{Action, Project, Status, Task, Town, Wan};
use crate::time::rfc3339;
use chrono::{FixedOffset, NaiveDate, Utc};
use serde::Serialize;
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
    /// Text (also JSON text).
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

/// One column: full name, Shapefile name (≤ 10 characters), type, and how a project's value is read.
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
    /// The project's value, as the served Feature has it (money as an exact decimal, dates
    /// `YYYY-MM-DD`, lists as JSON text, an empty list as no value).
    pub value: fn(&Project) -> Cell,
}

const fn col(name: &'static str, short: &'static str, ty: ColType, json: bool, value: fn(&Project) -> Cell) -> Column {
    Column { name, short, ty, json, value }
}

fn text(s: Option<&str>) -> Cell {
    s.map_or(Cell::Null, |s| Cell::Text(s.to_owned()))
}

fn int(n: Option<u8>) -> Cell {
    n.map_or(Cell::Null, |n| Cell::Int(i64::from(n)))
}

fn money(w: Option<Wan>) -> Cell {
    w.map_or(Cell::Null, Cell::Money)
}

fn date(d: Option<NaiveDate>) -> Cell {
    d.map_or(Cell::Null, |d| Cell::Text(d.format("%Y-%m-%d").to_string()))
}

/// A list as the JSON text the Feature holds (keys in the order `serde_json::Value` prints them).
fn json<T: Serialize>(v: &[T]) -> Cell {
    if v.is_empty() {
        return Cell::Null;
    }
    // Plain data serializes infallibly; a failure would be a programming error, shown as no value.
    serde_json::to_value(v).map_or(Cell::Null, |v| Cell::Text(v.to_string()))
}

/// Every attribute of a project, in output order. A new project field is one line here.
pub const COLUMNS: &[Column] = &[
    col("id", "id", ColType::Text, false, |p| Cell::Text(p.id.to_string())),
    col("name_zh", "name_zh", ColType::Text, false, |p| Cell::Text(p.props.name_zh.clone())),
    col("name_en", "name_en", ColType::Text, false, |p| text(p.props.name_en.as_deref())),
    col("action", "action", ColType::Integer, false, |p| int(p.props.action.map(Action::get))),
    col("task", "task", ColType::Integer, false, |p| int(p.props.task.map(Task::get))),
    col("plan_ref", "plan_ref", ColType::Text, false, |p| text(p.props.plan_ref.as_deref())),
    col("kind", "kind", ColType::Text, false, |p| Cell::Text(p.props.kind.as_str().to_owned())),
    col("status", "status", ColType::Text, false, |p| text(p.props.status.map(Status::as_str))),
    col("investment_total", "inv_total", ColType::Real, false, |p| money(p.props.investment_total)),
    col("investment_completed", "inv_done", ColType::Real, false, |p| money(p.props.investment_completed)),
    col("investment_by_year", "inv_years", ColType::Text, true, |p| json(&p.props.investment_by_year)),
    col("progress_pct", "progress", ColType::Real, false, |p| p.props.progress_pct.map_or(Cell::Null, Cell::Real)),
    col("start_date", "start_date", ColType::Date, false, |p| date(p.props.start_date)),
    col("planned_completion", "plan_end", ColType::Date, false, |p| date(p.props.planned_completion)),
    col("actual_completion", "actual_end", ColType::Date, false, |p| date(p.props.actual_completion)),
    col("responsible_units", "resp_units", ColType::Text, true, |p| json(&p.props.responsible_units)),
    col("town", "town", ColType::Text, false, |p| text(p.props.town.as_ref().map(Town::as_str))),
    col("targets", "targets", ColType::Text, true, |p| json(&p.props.targets)),
    col("description", "descr", ColType::Text, false, |p| text(p.props.description.as_deref())),
    col("sources", "sources", ColType::Text, true, |p| json(&p.props.sources)),
    col("location_confidence", "loc_conf", ColType::Text, false, |p| Cell::Text(p.props.location_confidence.as_str().to_owned())),
    // The Feature leaves `synthetic` out when false; the flat formats spell it out.
    col("synthetic", "synthetic", ColType::Boolean, false, |p| Cell::Bool(p.props.synthetic)),
    col("islands", "islands", ColType::Text, true, |p| json(&p.islands)),
    col("version", "version", ColType::Integer, false, |p| Cell::Int(p.version.0)),
    col("updated_at", "updated_at", ColType::Text, false, |p| Cell::Text(rfc3339(p.updated_at))),
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
    /// An amount of 万元: a number column (REAL / Double / N(18,4)) in the binary formats, the
    /// exact decimal text where the format is text (CSV, KML).
    Money(Wan),
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
            Cell::Money(w) => w.to_string(),
            Cell::Bool(b) => b.to_string(),
        }
    }
}

/// A project's row, in [`COLUMNS`] order: every attribute the served Feature carries, read
/// from the typed project (no JSON round trip per row).
pub fn full_row(p: &Project) -> Vec<Cell> {
    COLUMNS.iter().map(|c| (c.value)(p)).collect()
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

/// A finished file in a temporary folder; both are removed when it is dropped.
pub struct TempFile {
    dir: tempfile::TempDir,
    /// The file, opened for reading from the start.
    pub file: std::fs::File,
    /// Its size in bytes.
    pub len: u64,
}

impl TempFile {
    fn open(dir: tempfile::TempDir, name: &str) -> Result<TempFile, FormatError> {
        let file = std::fs::File::open(dir.path().join(name)).map_err(io("opening the finished file"))?;
        let len = file.metadata().map_err(io("reading the finished file's size"))?.len();
        Ok(TempFile { dir, file, len })
    }
    /// The folder, kept alive as long as the file is read.
    pub fn into_parts(self) -> (std::fs::File, u64, tempfile::TempDir) {
        (self.file, self.len, self.dir)
    }
}

/// A whole-file format (GeoPackage, Shapefile zip, FlatGeobuf) built on disk a page of projects
/// at a time, so memory stays flat however many projects go in; the finished file is then sent
/// from disk.
pub enum FileWriter {
    /// GeoPackage: SQLite writes it.
    Gpkg(gpkg::GpkgWriter),
    /// Shapefile zip; `None` only while a page is being written on a blocking thread. Boxed:
    /// four open writers with their buffers are kilobytes, the GeoPackage writer is a handle.
    Shapefile(Option<Box<shapefile_writer::ShapefileWriter>>),
    /// FlatGeobuf; `None` only while a page is being written on a blocking thread.
    FlatGeobuf(Option<Box<flatgeobuf_writer::FlatGeobufWriter>>),
}

/// Runs a synchronous encoder step off the async threads, moving the writer there and back.
async fn blocking<W: Send + 'static, T: Send + 'static>(
    format: &'static str,
    slot: &mut Option<W>,
    f: impl FnOnce(&mut W) -> Result<T, FormatError> + Send + 'static,
) -> Result<T, FormatError> {
    let mut w = slot.take().ok_or(FormatError::Encode { format, reason: "an earlier page failed".into() })?;
    let (w, r) = tokio::task::spawn_blocking(move || {
        let r = f(&mut w);
        (w, r)
    })
    .await
    .map_err(|e| FormatError::Encode { format, reason: e.to_string() })?;
    *slot = Some(w);
    r
}

impl FileWriter {
    /// The writer for a whole-file format; `None` for a streamed one.
    pub async fn create(f: ExportFormat) -> Result<Option<FileWriter>, FormatError> {
        Ok(Some(match f {
            ExportFormat::Gpkg => FileWriter::Gpkg(gpkg::GpkgWriter::create().await?),
            ExportFormat::Shapefile => FileWriter::Shapefile(Some(Box::new(shapefile_writer::ShapefileWriter::create()?))),
            ExportFormat::FlatGeobuf => FileWriter::FlatGeobuf(Some(Box::new(flatgeobuf_writer::FlatGeobufWriter::create()?))),
            ExportFormat::GeoJson | ExportFormat::Csv | ExportFormat::Kml => return Ok(None),
        }))
    }

    /// Appends a page of projects.
    pub async fn add(&mut self, page: Vec<Project>) -> Result<(), FormatError> {
        match self {
            FileWriter::Gpkg(w) => w.add(&page).await,
            FileWriter::Shapefile(slot) => blocking("Shapefile", slot, move |w| w.add(&page)).await,
            FileWriter::FlatGeobuf(slot) => blocking("FlatGeobuf", slot, move |w| w.add(&page)).await,
        }
    }

    /// Completes the file.
    pub async fn finish(self) -> Result<TempFile, FormatError> {
        let join = |format: &'static str| move |e: tokio::task::JoinError| FormatError::Encode { format, reason: e.to_string() };
        let gone = |format: &'static str| FormatError::Encode { format, reason: "an earlier page failed".into() };
        match self {
            FileWriter::Gpkg(w) => w.finish().await,
            FileWriter::Shapefile(w) => {
                let w = w.ok_or(gone("Shapefile"))?;
                tokio::task::spawn_blocking(move || w.finish()).await.map_err(join("Shapefile"))?
            }
            FileWriter::FlatGeobuf(w) => {
                let w = w.ok_or(gone("FlatGeobuf"))?;
                tokio::task::spawn_blocking(move || w.finish()).await.map_err(join("FlatGeobuf"))?
            }
        }
    }
}

/// WGS 84 as the ESRI `.prj` text GDAL and ArcGIS read.
pub const WGS84_PRJ: &str =
    r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;

/// WGS 84 as OGC WKT (GeoPackage `gpkg_spatial_ref_sys`).
pub const WGS84_WKT: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::StoredGeometry;
    use crate::project::{NewProject, Rules, Version};
    use serde_json::{json, Value};

    /// The row as the served Feature has it: what the flat formats must carry.
    fn from_feature(p: &Project) -> Vec<Cell> {
        let props = p.to_feature()["properties"].clone();
        COLUMNS
            .iter()
            .map(|c| {
                let v = if c.name == "id" { Value::String(p.id.to_string()) } else { props.get(c.name).cloned().unwrap_or(Value::Null) };
                match (&v, c.ty) {
                    (Value::Null, ColType::Boolean) => Cell::Bool(false),
                    (Value::Null, _) => Cell::Null,
                    (Value::Array(a), _) if a.is_empty() && c.json => Cell::Null,
                    (_, _) if c.json => Cell::Text(v.to_string()),
                    (Value::String(s), _) => Cell::Text(s.clone()),
                    (Value::Bool(b), _) => Cell::Bool(*b),
                    (Value::Number(n), ColType::Integer) => n.as_i64().map_or(Cell::Null, Cell::Int),
                    (Value::Number(n), _) if c.name.starts_with("investment_") => Cell::Money(n.to_string().parse().unwrap()),
                    (Value::Number(n), _) => n.as_f64().map_or(Cell::Null, Cell::Real),
                    (other, _) => Cell::Text(other.to_string()),
                }
            })
            .collect()
    }

    fn project(props: Value) -> Project {
        let f =
            json!({"type": "Feature", "id": "zhuangyuanao-port-phase2", "geometry": {"type": "Point", "coordinates": [121.088, 27.894]}, "properties": props});
        let n = NewProject::from_feature(&f, None, &Rules::default()).unwrap();
        let updated_at = chrono::DateTime::from_timestamp_micros(1_750_000_000_123_456).unwrap();
        Project { id: n.id, geometry: StoredGeometry::from_valid(n.geometry), props: n.props, islands: n.islands, version: Version(3), updated_at }
    }

    #[test]
    fn a_row_carries_exactly_what_the_served_feature_does() {
        let full = project(json!({
            "name_zh": "状元岙港区二期", "name_en": "Zhuangyuan'ao port, phase 2",
            "action": 2, "task": 5, "plan_ref": "二(二)5", "kind": "port", "status": "under_construction",
            "investment_total": "125000.50", "investment_completed": 3200.1,
            "investment_by_year": [{"year": 2025, "plan": "100", "actual": null}, {"year": 2024, "plan": "50.5", "actual": "20"}],
            "progress_pct": 42.25, "start_date": "2024-12-26", "planned_completion": "2027-06-30",
            "responsible_units": ["区发改局", "区交通运输局"], "town": "元觉街道", "targets": ["二期2个5万吨级集装箱泊位"],
            "description": "=cmd", "sources": [{"title": "plan", "url": "https://example.org/plan"}, {"title": "news"}],
            "location_confidence": "medium", "synthetic": true
        }));
        let sparse = project(json!({"name_zh": "白鹭湾", "kind": "port", "sources": ["plan"], "location_confidence": "low"}));
        for p in [&full, &sparse] {
            assert_eq!(full_row(p), from_feature(p), "{}", p.to_feature());
        }
        let row = full_row(&full);
        let cell = |name: &str| row[COLUMNS.iter().position(|c| c.name == name).unwrap()].clone();
        assert_eq!(cell("investment_total"), Cell::Money("125000.5".parse().unwrap()));
        assert_eq!(cell("investment_total").text(), "125000.5");
        assert_eq!(cell("updated_at"), Cell::Text("2025-06-15T15:06:40.123456Z".into()));
        assert_eq!(full_row(&sparse)[COLUMNS.iter().position(|c| c.name == "synthetic").unwrap()], Cell::Bool(false));
    }
}
