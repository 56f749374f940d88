//! GeoPackage 1.3: written with sqlx's SQLite into a temporary file (a GeoPackage is a SQLite
//! file with `gpkg_spatial_ref_sys`, `gpkg_contents` and `gpkg_geometry_columns`, so its SQL
//! lives here, not in the store), and read back for `planmap import`. Geometry blobs (the `GP`
//! header and WKB) are encoded and decoded by geozero. Money stays exact decimal text, lists JSON
//! text, so the round trip through a GeoPackage is lossless.

use super::{full_row, io, Cell, ColType, FormatError, COLUMNS, WGS84_WKT};
use crate::project::Project;
use geo::BoundingRect;
use geozero::wkb::GpkgWkb;
use geozero::{CoordDimensions, ToJson, ToWkb};
use serde_json::{json, Map, Value};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{Column as _, ConnectOptions, Connection, Row, TypeInfo, ValueRef};

const TABLE: &str = "projects";

fn enc(e: sqlx::Error) -> FormatError {
    FormatError::Encode { format: "GeoPackage", reason: e.to_string() }
}

/// The GeoPackage geometry blob: header with SRS 4326 and the xy envelope
/// (`[minx, maxx, miny, maxy]`, what GIS readers use to skip features), then little-endian WKB.
fn encode_blob(g: &geo::Geometry<f64>) -> Result<Vec<u8>, FormatError> {
    let envelope = g.bounding_rect().map_or_else(Vec::new, |r| vec![r.min().x, r.max().x, r.min().y, r.max().y]);
    g.to_gpkg_wkb(CoordDimensions::xy(), Some(4326), envelope).map_err(|e| FormatError::Encode { format: "GeoPackage", reason: e.to_string() })
}

/// A blob as a GeoJSON geometry; `Null` for an empty one. geozero writes the GeoJSON text as it
/// reads, so a corrupt count in a blob runs into the blob's end instead of allocating.
fn decode_blob(b: &[u8]) -> Result<Value, String> {
    if b.len() < 8 || &b[..2] != b"GP" {
        return Err("not a GeoPackage geometry (no GP header)".into());
    }
    // Flag bit 4 marks an empty geometry, whose WKB geozero would read as NaN coordinates.
    if b[3] & 0b0001_0000 != 0 {
        return Ok(Value::Null);
    }
    let text = GpkgWkb(b).to_json().map_err(|e| format!("the geometry cannot be read: {e}"))?;
    serde_json::from_str(&text).map_err(|e| format!("the geometry cannot be read: {e}"))
}

fn sql_type(t: ColType) -> &'static str {
    match t {
        ColType::Text => "TEXT",
        ColType::Integer => "INTEGER",
        ColType::Real => "REAL",
        ColType::Boolean => "BOOLEAN",
        ColType::Date => "DATE",
    }
}

/// A GeoPackage being written into a temporary file, a page of projects at a time.
pub struct GpkgWriter {
    // Removed (with the file) when the writer or the finished file is dropped.
    dir: tempfile::TempDir,
    conn: sqlx::SqliteConnection,
    insert: String,
    bbox: Option<crate::geometry::Bbox>,
}

impl GpkgWriter {
    /// Creates the file and its tables.
    pub async fn create() -> Result<GpkgWriter, FormatError> {
        let dir = tempfile::tempdir().map_err(io("creating a temporary folder"))?;
        let path = dir.path().join("export.gpkg");
        let mut conn =
            SqliteConnectOptions::new().filename(&path).create_if_missing(true).journal_mode(SqliteJournalMode::Delete).connect().await.map_err(enc)?;
        // 0x47504B47 = "GPKG"; 10300 = version 1.3.0.
        for stmt in [
            "pragma application_id = 1196444487",
            "pragma user_version = 10300",
            "create table gpkg_spatial_ref_sys (srs_name text not null, srs_id integer primary key, organization text not null,
                organization_coordsys_id integer not null, definition text not null, description text)",
            "create table gpkg_contents (table_name text not null primary key, data_type text not null, identifier text unique,
                description text default '', last_change datetime not null default (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
                min_x double, min_y double, max_x double, max_y double, srs_id integer references gpkg_spatial_ref_sys(srs_id))",
            "create table gpkg_geometry_columns (table_name text not null, column_name text not null, geometry_type_name text not null,
                srs_id integer not null, z tinyint not null, m tinyint not null, primary key (table_name, column_name))",
            "insert into gpkg_spatial_ref_sys values ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
                ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system')",
        ] {
            sqlx::query(stmt).execute(&mut conn).await.map_err(enc)?;
        }
        sqlx::query("insert into gpkg_spatial_ref_sys values ('WGS 84 geodetic', 4326, 'EPSG', 4326, ?, 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid')")
            .bind(WGS84_WKT)
            .execute(&mut conn)
            .await
            .map_err(enc)?;
        // Column names come from the fixed COLUMNS table, never from input.
        let cols: Vec<String> = COLUMNS.iter().map(|c| format!("\"{}\" {}", c.name, sql_type(c.ty))).collect();
        sqlx::query(&format!("create table {TABLE} (fid integer primary key autoincrement, geom GEOMETRY, {})", cols.join(", ")))
            .execute(&mut conn)
            .await
            .map_err(enc)?;
        let placeholders = vec!["?"; COLUMNS.len() + 1].join(", ");
        let names: Vec<String> = COLUMNS.iter().map(|c| format!("\"{}\"", c.name)).collect();
        let insert = format!("insert into {TABLE} (geom, {}) values ({placeholders})", names.join(", "));
        Ok(GpkgWriter { dir, conn, insert, bbox: None })
    }

    /// Appends a page of projects in one transaction.
    pub async fn add(&mut self, items: &[Project]) -> Result<(), FormatError> {
        let mut tx = self.conn.begin().await.map_err(enc)?;
        for p in items {
            let g = p.geo().ok_or_else(|| FormatError::Encode { format: "GeoPackage", reason: format!("project {} has an unreadable geometry", p.id) })?;
            if let Some(r) = g.bounding_rect() {
                let b = crate::geometry::Bbox::from_rect(r);
                self.bbox = Some(self.bbox.map_or(b, |e| e.union(b)));
            }
            let mut q = sqlx::query(&self.insert).bind(encode_blob(g)?);
            for c in full_row(p) {
                q = match c {
                    Cell::Null => q.bind(None::<String>),
                    Cell::Text(s) => q.bind(s),
                    Cell::Int(i) => q.bind(i),
                    Cell::Real(r) => q.bind(r),
                    Cell::Money(w) => q.bind(w.to_f64()),
                    Cell::Bool(b) => q.bind(b),
                };
            }
            q.execute(&mut *tx).await.map_err(enc)?;
        }
        tx.commit().await.map_err(enc)
    }

    /// Writes the contents and geometry column entries, closes the file and hands it over.
    pub async fn finish(mut self) -> Result<super::TempFile, FormatError> {
        let [min_x, min_y, max_x, max_y] = self.bbox.map_or([0.0; 4], |b| b.to_array());
        sqlx::query(
            "insert into gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id)
             values (?, 'features', ?, ?, ?, ?, ?, ?, 4326)",
        )
        .bind(TABLE)
        .bind(TABLE)
        .bind("planmap 洞头区规划项目")
        .bind(min_x)
        .bind(min_y)
        .bind(max_x)
        .bind(max_y)
        .execute(&mut self.conn)
        .await
        .map_err(enc)?;
        sqlx::query("insert into gpkg_geometry_columns values (?, 'geom', 'GEOMETRY', 4326, 0, 0)").bind(TABLE).execute(&mut self.conn).await.map_err(enc)?;
        self.conn.close().await.map_err(enc)?;
        super::TempFile::open(self.dir, "export.gpkg")
    }
}

fn unreadable(e: impl std::fmt::Display) -> FormatError {
    FormatError::Unreadable(e.to_string())
}

/// Reads the first feature table of a GeoPackage as a GeoJSON FeatureCollection, so that
/// `import::check` applies the same rules and report as for GeoJSON. Text columns holding JSON
/// lists or objects (as planmap writes them) are decoded.
pub async fn read_gpkg(path: &std::path::Path) -> Result<Value, FormatError> {
    let mut conn = SqliteConnectOptions::new().filename(path).read_only(true).connect().await.map_err(unreadable)?;
    let table: Option<String> = sqlx::query_scalar("select table_name from gpkg_contents where data_type = 'features' order by table_name limit 1")
        .fetch_optional(&mut conn)
        .await
        .map_err(|e| FormatError::Unreadable(format!("not a GeoPackage: {e}")))?;
    let table = table.ok_or_else(|| FormatError::Unreadable("the GeoPackage has no feature table".into()))?;
    let geom_col: String = sqlx::query_scalar("select column_name from gpkg_geometry_columns where table_name = ?")
        .bind(&table)
        .fetch_one(&mut conn)
        .await
        .map_err(|e| FormatError::Unreadable(format!("{table} has no geometry column: {e}")))?;
    // The names come from the file being imported, not from a request; quoted as identifiers.
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let rows = sqlx::query(&format!("select * from {}", quote(&table))).fetch_all(&mut conn).await.map_err(unreadable)?;
    let json_cols: Vec<&str> = COLUMNS.iter().filter(|c| c.json).map(|c| c.name).collect();
    let mut features = Vec::with_capacity(rows.len());
    for (n, row) in rows.iter().enumerate() {
        let mut props = Map::new();
        let mut geometry = Value::Null;
        let mut id = Value::Null;
        for (i, col) in row.columns().iter().enumerate() {
            let name = col.name();
            let raw = row.try_get_raw(i).map_err(unreadable)?;
            if raw.is_null() {
                if name != "fid" && name != geom_col {
                    props.insert(name.to_owned(), Value::Null);
                }
                continue;
            }
            let storage = raw.type_info().name().to_owned();
            if name == geom_col {
                let blob: Vec<u8> = row.try_get(i).map_err(unreadable)?;
                geometry = decode_blob(&blob).map_err(|e| FormatError::Unreadable(format!("feature {n}: {e}")))?;
                continue;
            }
            if name == "fid" {
                continue;
            }
            let v = match storage.as_str() {
                "INTEGER" | "BOOLEAN" => {
                    let i: i64 = row.try_get(i).map_err(unreadable)?;
                    if name == "synthetic" || col.type_info().name() == "BOOLEAN" {
                        json!(i != 0)
                    } else {
                        json!(i)
                    }
                }
                "REAL" => json!(row.try_get::<f64, _>(i).map_err(unreadable)?),
                "BLOB" => continue,
                _ => {
                    let s: String = row.try_get(i).map_err(unreadable)?;
                    if json_cols.contains(&name) {
                        serde_json::from_str(&s).unwrap_or(Value::String(s))
                    } else {
                        Value::String(s)
                    }
                }
            };
            if name == "id" {
                id = v;
            } else {
                props.insert(name.to_owned(), v);
            }
        }
        features.push(json!({"type": "Feature", "id": id, "geometry": geometry, "properties": props}));
    }
    Ok(json!({"type": "FeatureCollection", "features": features}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};

    /// A blob header without envelope (little-endian, SRS 0) before raw WKB.
    fn gp(wkb: &[u8]) -> Vec<u8> {
        [b"GP\0\x01\0\0\0\0".as_slice(), wkb].concat()
    }

    #[test]
    fn every_geometry_type_round_trips_through_gpkg_blobs() {
        let poly = Polygon::new(LineString::from(vec![(121.0, 27.8), (121.1, 27.8), (121.1, 27.9), (121.0, 27.8)]), vec![]);
        let cases = vec![
            Geometry::Point(Point::new(121.1234567, 27.8)),
            Geometry::LineString(LineString::from(vec![(121.0, 27.8), (121.1, 27.9)])),
            Geometry::Polygon(poly.clone()),
            Geometry::MultiPoint(MultiPoint(vec![Point::new(121.0, 27.8), Point::new(121.1, 27.9)])),
            Geometry::MultiLineString(MultiLineString(vec![LineString::from(vec![(121.0, 27.8), (121.1, 27.9)])])),
            Geometry::MultiPolygon(MultiPolygon(vec![poly.clone(), poly])),
        ];
        for g in cases {
            let blob = encode_blob(&g).unwrap();
            assert_eq!(&blob[..8], b"GP\0\x03\xe6\x10\0\0", "header: version 0, little-endian, xy envelope, SRS 4326");
            let back: Geometry<f64> = geojson::Geometry::from_json_value(decode_blob(&blob).unwrap()).unwrap().try_into().unwrap();
            assert_eq!(back, g);
        }
        assert!(decode_blob(b"GP\0\x03").is_err());
        assert!(decode_blob(&gp(&[1, 9, 0, 0, 0])).is_err());
        assert!(decode_blob(&gp(&[1, 2, 0, 0, 0, 255, 255, 255, 255])).is_err());
        let mut empty = gp(&[1, 1, 0, 0, 0]);
        empty[3] |= 0b0001_0000;
        assert_eq!(decode_blob(&empty).unwrap(), Value::Null);
    }
}
