//! MBTiles files (the SQLite tile archive of the MBTiles 1.3 spec), read-only: the tiles of an
//! offline basemap copied next to the binary. The file is not planmap's database, so it gets its
//! own small pool and its own error type; nothing is ever written to it.

use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::Row;
use std::collections::HashMap;
use std::path::Path;

/// Why an MBTiles file could not be used.
#[derive(Debug, thiserror::Error)]
#[error("MBTiles {path}: {reason}")]
pub struct MbtilesError {
    /// The file.
    pub path: String,
    /// What failed (the SQLite message: the file is the operator's, not a user's).
    pub reason: String,
}

/// An open MBTiles file.
#[derive(Debug, Clone)]
pub struct Mbtiles {
    pool: SqlitePool,
    path: String,
}

impl Mbtiles {
    /// Opens the file read-only and checks that it has the `tiles` and `metadata` tables.
    pub async fn open(path: &Path) -> Result<Mbtiles, MbtilesError> {
        let shown = path.display().to_string();
        let err = |e: sqlx::Error| MbtilesError { path: shown.clone(), reason: e.to_string() };
        let opts = SqliteConnectOptions::new().filename(path).read_only(true).immutable(true);
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(opts).await.map_err(err)?;
        let tables: Vec<String> =
            sqlx::query_scalar::<_, String>("select name from sqlite_master where type in ('table', 'view') and name in ('tiles', 'metadata')")
                .fetch_all(&pool)
                .await
                .map_err(err)?;
        if tables.len() < 2 {
            return Err(MbtilesError { path: shown, reason: "has no `tiles` and `metadata` tables; is it an MBTiles file?".into() });
        }
        Ok(Mbtiles { pool, path: shown })
    }

    /// The `metadata` table as name → value.
    pub async fn metadata(&self) -> Result<HashMap<String, String>, MbtilesError> {
        let rows = sqlx::query("select name, value from metadata").fetch_all(&self.pool).await.map_err(|e| self.err(e))?;
        Ok(rows.iter().filter_map(|r| Some((r.try_get::<String, _>(0).ok()?, r.try_get::<String, _>(1).ok()?))).collect())
    }

    /// The tile at z/x/y in XYZ numbering (MBTiles rows count from the bottom, TMS-style).
    pub async fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>, MbtilesError> {
        let row = (1i64 << z) - 1 - i64::from(y);
        sqlx::query_scalar::<_, Vec<u8>>("select tile_data from tiles where zoom_level = $1 and tile_column = $2 and tile_row = $3")
            .bind(i64::from(z))
            .bind(i64::from(x))
            .bind(row)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.err(e))
    }

    fn err(&self, e: sqlx::Error) -> MbtilesError {
        MbtilesError { path: self.path.clone(), reason: e.to_string() }
    }
}
