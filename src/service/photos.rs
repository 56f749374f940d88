//! Report photos (issue 10, item 6): an upload is sniffed, decoded within limits, thumbnailed
//! and its EXIF time and GPS position read, then stored with the report, so every instance
//! serves the same photo. A photo is read by whoever may read its report's project.

use super::progress::{Actor, ProgressError};
use crate::auth::{AuditEntry, User};
use crate::progress::{ImageType, NewPhoto, Photo, PhotoId, Position, ReportId, ReportState, PHOTO_MAX_BYTES, PHOTO_MAX_EDGE, THUMBNAIL_EDGE};
use crate::store::{Store, StoreError};
use image::{DynamicImage, ImageDecoder, ImageFormat};
use sha2::{Digest, Sha256};
use std::io::Cursor;

/// What can go wrong with a photo.
#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    /// Not a JPEG, PNG or WebP, or not what the request said it is (415).
    #[error("{0}")]
    Unsupported(String),
    /// Larger than [`PHOTO_MAX_BYTES`] (413).
    #[error("the photo is larger than the limit of {PHOTO_MAX_BYTES} bytes")]
    TooLarge,
    /// The bytes do not decode as the image they claim to be, or it is too large to decode (422).
    #[error("the image cannot be read: {0}")]
    Undecodable(String),
    /// The report cannot take photos any more (409).
    #[error("{0}")]
    Locked(String),
    /// Who may, reports, projects (403, 404, …).
    #[error(transparent)]
    Progress(#[from] ProgressError),
}

impl From<StoreError> for PhotoError {
    fn from(e: StoreError) -> PhotoError {
        PhotoError::Progress(e.into())
    }
}

/// The image checked and made ready: type, size, thumbnail, EXIF.
struct Processed {
    kind: ImageType,
    width: u32,
    height: u32,
    thumbnail: Vec<u8>,
    taken_at: Option<String>,
    position: Option<Position>,
}

fn process(bytes: &[u8], declared: Option<&str>) -> Result<Processed, PhotoError> {
    let kind = ImageType::sniff(bytes).ok_or_else(|| PhotoError::Unsupported("the content is not a JPEG, PNG or WebP image".into()))?;
    if let Some(d) = declared {
        match ImageType::from_mime(d) {
            Some(t) if t == kind => {}
            Some(t) => return Err(PhotoError::Unsupported(format!("Content-Type says {t} but the content is {kind}"))),
            None => return Err(PhotoError::Unsupported(format!("Content-Type `{d}` is not accepted; send image/jpeg, image/png or image/webp"))),
        }
    }
    let format = match kind {
        ImageType::Jpeg => ImageFormat::Jpeg,
        ImageType::Png => ImageFormat::Png,
        ImageType::Webp => ImageFormat::WebP,
    };
    let bad = |e: image::ImageError| PhotoError::Undecodable(e.to_string());
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    // A few kilobytes can claim gigapixels: refuse before the pixels are allocated.
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(PHOTO_MAX_EDGE);
    limits.max_image_height = Some(PHOTO_MAX_EDGE);
    limits.max_alloc = Some(768 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(bad)?;
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let img = DynamicImage::from_decoder(decoder).map_err(bad)?;
    let (width, height) = (img.width(), img.height());
    let mut thumb = img.thumbnail(THUMBNAIL_EDGE, THUMBNAIL_EDGE);
    // Phones store portrait photos sideways with an EXIF rotation: the thumbnail shows it upright.
    thumb.apply_orientation(orientation);
    drop(img);
    let mut thumbnail = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut thumbnail, 80).encode_image(&thumb.to_rgb8()).map_err(bad)?;
    let (taken_at, position) = exif_of(bytes);
    Ok(Processed { kind, width, height, thumbnail, taken_at, position })
}

/// EXIF DateTimeOriginal (else DateTime) and the GPS position, when present and sane.
pub fn exif_of(bytes: &[u8]) -> (Option<String>, Option<Position>) {
    use exif::{In, Tag, Value};
    let Ok(ex) = exif::Reader::new().read_from_container(&mut Cursor::new(bytes)) else { return (None, None) };
    let taken_at = [Tag::DateTimeOriginal, Tag::DateTime]
        .iter()
        .filter_map(|t| ex.get_field(*t, In::PRIMARY))
        .find_map(|f| match &f.value {
            Value::Ascii(v) => v.first().and_then(|a| exif::DateTime::from_ascii(a).ok()),
            _ => None,
        })
        .and_then(|d| {
            let date = chrono::NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))?;
            let time = chrono::NaiveTime::from_hms_opt(u32::from(d.hour), u32::from(d.minute), u32::from(d.second))?;
            Some(date.and_time(time).format("%Y-%m-%dT%H:%M:%S").to_string())
        });
    let coord = |tag: Tag, ref_tag: Tag, negative: u8| -> Option<f64> {
        let Value::Rational(v) = &ex.get_field(tag, In::PRIMARY)?.value else { return None };
        let [d, m, s] = v.get(0..3)? else { return None };
        let deg = d.to_f64() + m.to_f64() / 60.0 + s.to_f64() / 3600.0;
        let hemisphere = match &ex.get_field(ref_tag, In::PRIMARY)?.value {
            Value::Ascii(a) => a.first().and_then(|s| s.first().copied()),
            _ => None,
        };
        Some(if hemisphere == Some(negative) { -deg } else { deg })
    };
    let position = coord(Tag::GPSLongitude, Tag::GPSLongitudeRef, b'W')
        .zip(coord(Tag::GPSLatitude, Tag::GPSLatitudeRef, b'S'))
        .and_then(|(lon, lat)| Position::new(lon, lat));
    (taken_at, position)
}

/// Attaches a photo to a report. Who may write the report may add photos until it is approved
/// (an approved report is immutable).
pub async fn add_photo(store: &dyn Store, actor: &Actor, report: ReportId, declared: Option<&str>, bytes: Vec<u8>) -> Result<Photo, PhotoError> {
    if bytes.len() > PHOTO_MAX_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let r = store.report(report).await?;
    let project = store.get(&r.project_id).await?;
    if !actor.may_report(&project) {
        return Err(ProgressError::Forbidden(format!(
            "user `{}` may not add photos to reports of project `{}` (its units: {})",
            actor.user.name,
            project.id,
            project.props.responsible_units.join("、")
        ))
        .into());
    }
    if r.state == ReportState::Approved {
        return Err(PhotoError::Locked(format!("report {report} is approved and cannot change; a reviewer can correct it")));
    }
    let declared = declared.map(str::to_owned);
    let (bytes, done) = tokio::task::spawn_blocking(move || {
        let done = process(&bytes, declared.as_deref());
        (bytes, done)
    })
    .await
    .map_err(|e| PhotoError::Undecodable(format!("the image decoder stopped: {e}")))?;
    let p = done?;
    let sha256 = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect::<String>();
    let new = NewPhoto {
        report_id: report,
        image_type: p.kind,
        sha256,
        bytes,
        thumbnail: p.thumbnail,
        width: p.width,
        height: p.height,
        taken_at: p.taken_at,
        position: p.position,
        uploaded_by: actor.user.name.to_string(),
    };
    let audit = AuditEntry::now(
        actor.user.name.as_str(),
        "report_photo",
        None,
        actor.address.as_deref(),
        Some(format!("{} {}×{} {} bytes", p.kind, p.width, p.height, new.bytes.len())),
    );
    Ok(store.add_photo(&new, &audit).await?)
}

/// The photos of a report.
pub async fn photos(store: &dyn Store, report: ReportId) -> Result<Vec<Photo>, PhotoError> {
    let r = store.report(report).await?;
    store.get(&r.project_id).await?;
    Ok(store.photos(report).await?)
}

/// One photo (or its thumbnail) for a signed-in user; 404 once its project is archived.
pub async fn photo(store: &dyn Store, user: Option<&User>, id: PhotoId, thumbnail: bool) -> Result<(Photo, Vec<u8>), PhotoError> {
    user.ok_or(ProgressError::SignInRequired)?;
    let (photo, bytes) = store.photo_bytes(id, thumbnail).await?;
    let r = store.report(photo.report_id).await?;
    store.get(&r.project_id).await?;
    Ok((photo, bytes))
}
