//! HTTP preconditions on writes (RFC 9110 §13.1): `If-Match` and `If-Unmodified-Since` read from
//! the request into a [`Condition`], which `service::edit` evaluates against the stored version
//! and time; and `Last-Modified` written from a stored time.
//!
//! `If-Match` is `*` or a list of entity-tags. A malformed value is a 400 naming the header. A
//! well-formed tag that names no version of ours (`"abc"`, `"0"`) is kept as a tag that cannot
//! match, so the write answers 412 like any other stale tag.
//!
//! The value is parsed here rather than with the `headers` crate because its `IfMatch` compares
//! strongly and skips malformed list members without saying so, where planmap answers 400 and
//! compares weakly (see [`VersionMatch`]).
//!
//! `If-Unmodified-Since` is an HTTP-date; RFC 9110 §13.1.4 says a recipient MUST ignore one that
//! is not a valid date (and ignore it whenever `If-Match` is present), so a malformed one is
//! ignored rather than refused.

use super::Problem;
use crate::project::Version;
use crate::service::edit::{Condition, VersionMatch};
use axum::http::{header, HeaderMap, HeaderValue};
use chrono::{DateTime, Utc};

/// Reads both precondition headers; 400 when `If-Match` is malformed.
pub fn condition(headers: &HeaderMap) -> Result<Condition, Problem> {
    Ok(Condition { if_match: if_match(headers)?, unmodified_since: unmodified_since(headers) })
}

/// `If-Match` (every header line taken as one list), `None` when absent.
pub fn if_match(headers: &HeaderMap) -> Result<Option<VersionMatch>, Problem> {
    let mut values = headers.get_all(header::IF_MATCH).iter().peekable();
    if values.peek().is_none() {
        return Ok(None);
    }
    let mut versions = Vec::new();
    let mut any = false;
    let mut members = 0;
    for v in values {
        let bytes = v.as_bytes();
        let shown = String::from_utf8_lossy(bytes);
        if bytes.trim_ascii() == b"*" {
            any = true;
            members += 1;
            continue;
        }
        let tags = entity_tags(bytes).ok_or_else(|| Problem::malformed_if_match(&shown))?;
        members += tags.len();
        versions.extend(tags.into_iter().filter_map(tag_version));
    }
    // `*` stands alone (`If-Match = "*" / #entity-tag`), and an empty list asks for nothing.
    if members == 0 || (any && members > 1) {
        let text: Vec<String> = headers.get_all(header::IF_MATCH).iter().map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()).collect();
        return Err(Problem::malformed_if_match(&text.join(", ")));
    }
    Ok(Some(if any { VersionMatch::Any } else { VersionMatch::OneOf(versions) }))
}

/// `If-Unmodified-Since` as a time; `None` when absent, repeated or not an HTTP-date.
pub fn unmodified_since(headers: &HeaderMap) -> Option<DateTime<Utc>> {
    let mut values = headers.get_all(header::IF_UNMODIFIED_SINCE).iter();
    let (Some(v), None) = (values.next(), values.next()) else { return None };
    httpdate::parse_http_date(v.to_str().ok()?.trim()).ok().map(DateTime::<Utc>::from)
}

/// `Last-Modified` for a stored time (HTTP-dates have whole seconds).
pub fn last_modified(at: DateTime<Utc>) -> Option<HeaderValue> {
    HeaderValue::from_str(&httpdate::fmt_http_date(at.into())).ok()
}

/// `#entity-tag` (RFC 9110 §5.6.1 lists, §8.8.3 entity-tag); `None` when malformed. Empty list
/// members (`"1", , "2"`) are allowed, as the list rule says recipients must accept them. Each tag
/// is its opaque text without the quotes; whether it was weak is dropped (see [`tag_version`]).
fn entity_tags(bytes: &[u8]) -> Option<Vec<&[u8]>> {
    let ows = |b: u8| b == b' ' || b == b'\t';
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < bytes.len() && (ows(bytes[i]) || bytes[i] == b',') {
            i += 1;
        }
        if i == bytes.len() {
            return Some(out);
        }
        if bytes[i..].starts_with(b"W/") {
            i += 2;
        }
        if bytes.get(i) != Some(&b'"') {
            return None;
        }
        i += 1;
        let start = i;
        // etagc = %x21 / %x23-7E / obs-text
        while i < bytes.len() && bytes[i] != b'"' {
            if !matches!(bytes[i], 0x21 | 0x23..=0x7E | 0x80..=0xFF) {
                return None;
            }
            i += 1;
        }
        if i == bytes.len() {
            return None;
        }
        out.push(&bytes[start..i]);
        i += 1;
        while i < bytes.len() && ows(bytes[i]) {
            i += 1;
        }
        if i < bytes.len() && bytes[i] != b',' {
            return None;
        }
    }
}

/// The version a tag names: planmap's ETags are `"N"`. The weak flag is ignored on purpose: the
/// tags are strong, but a proxy that compresses a response (nginx's gzip, for one) rewrites its
/// `ETag` as `W/"N"`, and a client then sends that back; under RFC 9110's strong comparison it
/// could never match and every such write would fail. A version names one state exactly, so the
/// weak comparison loses nothing here.
fn tag_version(opaque: &[u8]) -> Option<Version> {
    let text = std::str::from_utf8(opaque).ok()?;
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<i64>().ok().filter(|v| *v >= 1).map(Version)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(header::IF_MATCH, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn versions(values: &[&str]) -> Option<VersionMatch> {
        if_match(&headers(values)).unwrap()
    }

    #[test]
    fn if_match_reads_lists_star_weak_tags_and_tags_naming_no_version() {
        assert_eq!(versions(&[]), None);
        assert_eq!(versions(&["\"3\""]), Some(VersionMatch::OneOf(vec![Version(3)])));
        assert_eq!(versions(&["W/\"3\""]), Some(VersionMatch::OneOf(vec![Version(3)])));
        assert_eq!(versions(&["\"1\", W/\"4\" ,, \"abc\""]), Some(VersionMatch::OneOf(vec![Version(1), Version(4)])));
        assert_eq!(versions(&["\"2\"", "\"5\""]), Some(VersionMatch::OneOf(vec![Version(2), Version(5)])));
        assert_eq!(versions(&[" * "]), Some(VersionMatch::Any));
        // Well-formed tags that name no version: a list that cannot match (412), not a 400.
        for v in ["\"0\"", "\"abc\"", "\"-1\"", "\"+2\"", "\"\"", "\"a,b\""] {
            assert_eq!(versions(&[v]), Some(VersionMatch::OneOf(vec![])), "{v}");
        }
    }

    #[test]
    fn malformed_if_match_is_refused() {
        for v in ["3", "\"3", "w/\"3\"", "\"3\" \"4\"", "*, \"3\"", "", " , ", "\"a b\"", "W/ \"3\""] {
            assert!(if_match(&headers(&[v])).is_err(), "{v:?}");
        }
        assert!(if_match(&headers(&["*", "\"3\""])).is_err());
    }

    #[test]
    fn if_unmodified_since_is_an_http_date_or_ignored() {
        let mut h = HeaderMap::new();
        h.insert(header::IF_UNMODIFIED_SINCE, HeaderValue::from_static("Sun, 06 Nov 1994 08:49:37 GMT"));
        assert_eq!(unmodified_since(&h).map(|t| t.timestamp()), Some(784_111_777));
        h.insert(header::IF_UNMODIFIED_SINCE, HeaderValue::from_static("yesterday"));
        assert_eq!(unmodified_since(&h), None);
        let at = DateTime::<Utc>::from_timestamp(784_111_777, 500_000_000).unwrap();
        assert_eq!(last_modified(at).unwrap(), "Sun, 06 Nov 1994 08:49:37 GMT");
    }
}
