//! Everything that is not an API route: the web page and vendored files (`crate::web`).

use super::Problem;
use axum::http::{header, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};

/// Serves `/` as `index.html` and every other path from the embedded `web/` folder.
pub(super) async fn serve(uri: Uri) -> Response {
    let Some(a) = crate::web::asset(uri.path()) else {
        return Problem::not_found("no such page or file").into_response();
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_str(&a.mime).unwrap_or(HeaderValue::from_static("application/octet-stream"))),
            (header::CACHE_CONTROL, HeaderValue::from_static(a.cache)),
            (header::ETAG, HeaderValue::from_str(&a.etag).unwrap_or(HeaderValue::from_static("\"0\""))),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        ],
        a.data.into_owned(),
    )
        .into_response()
}
