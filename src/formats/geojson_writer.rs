//! RFC 7946 FeatureCollection, written a feature at a time (constant memory). The features are
//! exactly what `/api/projects` serves, so `planmap import` reads them back unchanged.

use super::{FormatError, PagedWriter};
use crate::project::Project;

/// Streams a FeatureCollection.
pub struct GeoJsonWriter;

impl PagedWriter for GeoJsonWriter {
    fn head(&mut self) -> Result<Vec<u8>, FormatError> {
        Ok(br#"{"type":"FeatureCollection","features":["#.to_vec())
    }
    fn item(&mut self, index: u64, p: &Project) -> Result<Vec<u8>, FormatError> {
        let mut buf = Vec::with_capacity(2048);
        if index > 0 {
            buf.extend_from_slice(b",\n");
        } else {
            buf.push(b'\n');
        }
        p.write_feature(&mut buf).map_err(|e| FormatError::Encode { format: "GeoJSON", reason: e.to_string() })?;
        Ok(buf)
    }
    fn tail(&mut self) -> Result<Vec<u8>, FormatError> {
        Ok(b"\n]}\n".to_vec())
    }
}
