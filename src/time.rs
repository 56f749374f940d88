//! Time in one place: the stamps both stores keep (microseconds, UTC) and the `as_of` instant.
//!
//! Planners think in Dongtou's local dates (China Standard Time, UTC+8, no daylight saving), so
//! `as_of=2025-06-30` means "at the end of 30 June in Dongtou": every write stamped before
//! 2025-07-01T00:00+08:00 counts. A full RFC 3339 instant is taken as given.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};

/// China Standard Time.
fn cst() -> Option<FixedOffset> {
    FixedOffset::east_opt(8 * 3600)
}

/// Parses `YYYY-MM-DD` (end of that day, UTC+8) or an RFC 3339 instant, to microseconds.
pub fn parse_as_of(s: &str) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    let bad = || format!("`{s}` is not a date (YYYY-MM-DD, e.g. 2025-06-30) or an RFC 3339 time (e.g. 2025-06-30T18:00:00+08:00)");
    let t = if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let next = d.succ_opt().ok_or_else(bad)?.and_hms_opt(0, 0, 0).ok_or_else(bad)?;
        let start_of_next = cst().ok_or_else(bad)?.from_local_datetime(&next).single().ok_or_else(bad)?;
        start_of_next.with_timezone(&Utc) - chrono::Duration::microseconds(1)
    } else {
        DateTime::parse_from_rfc3339(s).map_err(|_| bad())?.with_timezone(&Utc)
    };
    // Both stores keep microseconds; finer digits would make the two compare differently.
    DateTime::from_timestamp_micros(t.timestamp_micros()).ok_or_else(bad)
}

/// Timestamps are served with microsecond precision, PostgreSQL's, so both stores print the same.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// Truncates to microseconds, the precision both stores keep.
pub fn now_micros() -> DateTime<Utc> {
    let t = Utc::now();
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_means_the_end_of_that_day_in_dongtou() {
        assert_eq!(rfc3339(parse_as_of("2025-06-30").unwrap()), "2025-06-30T15:59:59.999999Z");
        assert_eq!(rfc3339(parse_as_of("2025-06-30T18:00:00+08:00").unwrap()), "2025-06-30T10:00:00.000000Z");
        assert!(parse_as_of("30/06/2025").unwrap_err().contains("YYYY-MM-DD"));
    }
}
