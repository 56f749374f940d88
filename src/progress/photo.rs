//! Site photos of a monthly report (issue 10, item 6): what an upload must be, and what is kept.

use super::ReportId;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// Largest photo accepted, in bytes: a phone photo is 2–6 MB.
pub const PHOTO_MAX_BYTES: usize = 8 * 1024 * 1024;
/// Largest width or height decoded; larger images are refused before their pixels are allocated.
pub const PHOTO_MAX_EDGE: u32 = 12_000;
/// Longer side of a thumbnail, in pixels.
pub const THUMBNAIL_EDGE: u32 = 320;

/// The image types a report photo may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageType {
    /// image/jpeg
    Jpeg,
    /// image/png
    Png,
    /// image/webp
    Webp,
}

impl ImageType {
    /// Every accepted type.
    pub const ALL: [ImageType; 3] = [ImageType::Jpeg, ImageType::Png, ImageType::Webp];

    /// The media type.
    pub fn mime(self) -> &'static str {
        match self {
            ImageType::Jpeg => "image/jpeg",
            ImageType::Png => "image/png",
            ImageType::Webp => "image/webp",
        }
    }

    /// The type a `Content-Type` value names (parameters ignored), if accepted.
    pub fn from_mime(s: &str) -> Option<ImageType> {
        let base = s.split(';').next().unwrap_or("").trim();
        ImageType::ALL.into_iter().find(|t| t.mime().eq_ignore_ascii_case(base) || (base.eq_ignore_ascii_case("image/jpg") && *t == ImageType::Jpeg))
    }

    /// The type the content's first bytes show (the name and the declared type are not trusted).
    pub fn sniff(bytes: &[u8]) -> Option<ImageType> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageType::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(ImageType::Png)
        } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(ImageType::Webp)
        } else {
            None
        }
    }
}

impl fmt::Display for ImageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.mime())
    }
}

/// A photo's number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct PhotoId(pub i64);

impl fmt::Display for PhotoId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for PhotoId {
    type Err = String;
    fn from_str(s: &str) -> Result<PhotoId, String> {
        s.parse::<i64>().ok().filter(|n| *n >= 1).map(PhotoId).ok_or_else(|| format!("`{s}` is not a photo id (a positive whole number)"))
    }
}

/// Where a photo was taken (WGS 84), from its EXIF GPS tags.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Position {
    /// Longitude, degrees east.
    pub lon: f64,
    /// Latitude, degrees north.
    pub lat: f64,
}

impl Position {
    /// A position when both are finite and on the globe.
    pub fn new(lon: f64, lat: f64) -> Option<Position> {
        (lon.is_finite() && lat.is_finite() && (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat) && !(lon == 0.0 && lat == 0.0))
            .then_some(Position { lon, lat })
    }
}

/// A decoded, checked upload, ready to store.
#[derive(Debug, Clone)]
pub struct NewPhoto {
    /// The report it belongs to.
    pub report_id: ReportId,
    /// The sniffed type.
    pub image_type: ImageType,
    /// Hex SHA-256 of `bytes`.
    pub sha256: String,
    /// The image as uploaded.
    pub bytes: Vec<u8>,
    /// A JPEG of at most [`THUMBNAIL_EDGE`] pixels.
    pub thumbnail: Vec<u8>,
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
    /// EXIF DateTimeOriginal (camera local time), `YYYY-MM-DDTHH:MM:SS`.
    pub taken_at: Option<String>,
    /// EXIF GPS position.
    pub position: Option<Position>,
    /// Who uploaded it.
    pub uploaded_by: String,
}

/// A stored photo, as listed (without its bytes).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Photo {
    /// Its number.
    pub id: PhotoId,
    /// The report.
    pub report_id: ReportId,
    /// image/jpeg, image/png, image/webp.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// Hex SHA-256 of the image.
    pub sha256: String,
    /// Pixels.
    pub width: i64,
    /// Pixels.
    pub height: i64,
    /// EXIF time taken (camera local time).
    pub taken_at: Option<String>,
    /// EXIF GPS position.
    pub position: Option<Position>,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// When (RFC 3339).
    pub created_at: String,
    /// The image.
    pub url: String,
    /// Its thumbnail (JPEG).
    pub thumbnail_url: String,
}

impl Photo {
    /// The URLs a photo is served at.
    pub fn urls(id: PhotoId) -> (String, String) {
        (format!("/api/photos/{id}"), format!("/api/photos/{id}/thumbnail"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content_not_by_name() {
        assert_eq!(ImageType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some(ImageType::Jpeg));
        assert_eq!(ImageType::sniff(b"\x89PNG\r\n\x1a\n...."), Some(ImageType::Png));
        assert_eq!(ImageType::sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some(ImageType::Webp));
        assert_eq!(ImageType::sniff(b"RIFF\x10\0\0\0WAVEfmt "), None);
        assert_eq!(ImageType::sniff(b"GIF89a"), None);
        assert_eq!(ImageType::sniff(b""), None);
    }

    #[test]
    fn reads_content_types() {
        assert_eq!(ImageType::from_mime("image/jpeg"), Some(ImageType::Jpeg));
        assert_eq!(ImageType::from_mime("IMAGE/PNG; charset=binary"), Some(ImageType::Png));
        assert_eq!(ImageType::from_mime("image/jpg"), Some(ImageType::Jpeg));
        assert_eq!(ImageType::from_mime("image/gif"), None);
        assert_eq!(ImageType::from_mime("application/octet-stream"), None);
    }

    #[test]
    fn positions_must_be_on_the_globe() {
        assert!(Position::new(121.06, 27.84).is_some());
        assert!(Position::new(181.0, 27.0).is_none());
        assert!(Position::new(121.0, f64::NAN).is_none());
        // Cameras without a fix write zeros.
        assert!(Position::new(0.0, 0.0).is_none());
    }
}
