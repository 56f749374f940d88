//! Reported values of the plan's targets (issue 10, item 10): a value per period with its source
//! and who entered it, and whether the latest value is on a straight path to the 2027 target.

use rust_decimal::Decimal;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// The plan runs 2024–2027; its straight path starts from the end of 2023.
pub const BASELINE_YEAR: i32 = 2023;

/// The period a target value covers: a year (`2025`) or a month (`2026-11`, year to date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TargetPeriod {
    year: i32,
    month: Option<u32>,
}

impl TargetPeriod {
    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// Years since the start of [`BASELINE_YEAR`] + 1 at the period's end, e.g. 2025 → 2.0, 2026-06 → 2.5.
    fn elapsed(self) -> f64 {
        let months = self.month.unwrap_or(12);
        f64::from(self.year - BASELINE_YEAR - 1) + f64::from(months) / 12.0
    }
}

// A year is its end: 2025-06 < 2025 < 2026-01.
impl Ord for TargetPeriod {
    fn cmp(&self, o: &TargetPeriod) -> std::cmp::Ordering {
        (self.year, self.month.unwrap_or(12), self.month.is_none()).cmp(&(o.year, o.month.unwrap_or(12), o.month.is_none()))
    }
}

impl PartialOrd for TargetPeriod {
    fn partial_cmp(&self, o: &TargetPeriod) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

impl fmt::Display for TargetPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.month {
            Some(m) => write!(f, "{:04}-{m:02}", self.year),
            None => write!(f, "{:04}", self.year),
        }
    }
}

impl FromStr for TargetPeriod {
    type Err = String;
    fn from_str(s: &str) -> Result<TargetPeriod, String> {
        let bad = || format!("`{s}` is not a period; write a year (2025) or a month (2026-11)");
        let s = s.trim();
        let (y, m) = match s.split_once('-') {
            Some((y, m)) if m.len() == 2 => (y, Some(m.parse::<u32>().map_err(|_| bad())?)),
            Some(_) => return Err(bad()),
            None => (s, None),
        };
        if y.len() != 4 {
            return Err(bad());
        }
        let year = y.parse::<i32>().map_err(|_| bad())?;
        if !(2000..=2100).contains(&year) || m.is_some_and(|m| !(1..=12).contains(&m)) {
            return Err(bad());
        }
        Ok(TargetPeriod { year, month: m })
    }
}

impl Serialize for TargetPeriod {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A value to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTargetValue {
    /// The target's id in plan-targets.json.
    pub target_id: String,
    /// The period.
    pub period: TargetPeriod,
    /// The value, exact.
    pub value: Decimal,
    /// Its unit (亿元, %, 个 …).
    pub unit: String,
    /// Where it comes from: `{title, url, kind, retrieved, quote}` or `{"note": …}`.
    pub source: serde_json::Value,
    /// Who entered it (a user, or `data-import` for the sourced seed).
    pub entered_by: String,
}

/// A recorded value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetValue {
    /// Its row.
    pub id: i64,
    /// The target.
    pub target_id: String,
    /// The period.
    pub period: TargetPeriod,
    /// The value as decimal text.
    pub value: String,
    /// Its unit.
    pub unit: String,
    /// Where it comes from.
    pub source: serde_json::Value,
    /// Who entered it.
    pub entered_by: String,
    /// When (RFC 3339).
    pub created_at: String,
}

/// Which way a target counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Reach at least the value.
    AtLeast,
    /// Stay at or below it.
    AtMost,
    /// Reach exactly it (a count of things built).
    Equal,
}

impl FromStr for Direction {
    type Err = String;
    fn from_str(s: &str) -> Result<Direction, String> {
        match s {
            "at_least" => Ok(Direction::AtLeast),
            "at_most" => Ok(Direction::AtMost),
            "equal" => Ok(Direction::Equal),
            _ => Err(format!("`{s}` is not a direction; one of at_least, at_most, equal")),
        }
    }
}

/// Where a target stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Track {
    /// The target value is reached.
    Met,
    /// On or ahead of the straight path to it.
    OnTrack,
    /// Behind the straight path.
    Behind,
    /// Not enough values to judge (no value, or one value of a cumulative target).
    Unknown,
}

/// Where the latest of `values` (oldest first) stands against `target` in `target_year`.
///
/// A rate (unit `%`, 个百分点, 倍) is a yearly figure, so the latest value is compared with the
/// target itself. Any other target is cumulative: the path runs straight from the earliest value
/// to the target at the end of `target_year`, and the latest value is compared with the path
/// at its period; with a single value only "met" can be told.
pub fn track(values: &[(TargetPeriod, Decimal)], unit: &str, target: Decimal, direction: Direction, target_year: i32) -> Track {
    let Some(&(last_p, last)) = values.iter().max_by_key(|(p, _)| *p) else { return Track::Unknown };
    let reached = |v: Decimal, goal: Decimal| match direction {
        Direction::AtLeast => v >= goal,
        Direction::AtMost => v <= goal,
        Direction::Equal => v == goal,
    };
    if reached(last, target) {
        return Track::Met;
    }
    if matches!(unit.trim(), "%" | "个百分点" | "倍") {
        return if direction == Direction::Equal { Track::Unknown } else { Track::Behind };
    }
    let Some(&(first_p, first)) = values.iter().min_by_key(|(p, _)| *p) else { return Track::Unknown };
    if first_p == last_p {
        return Track::Unknown;
    }
    let (t0, t1, t) = (first_p.elapsed(), f64::from(target_year - BASELINE_YEAR), last_p.elapsed());
    if t1 <= t0 {
        return Track::Behind;
    }
    let f = |d: Decimal| d.to_string().parse::<f64>().unwrap_or(0.0);
    let expected = f(first) + (f(target) - f(first)) * ((t - t0) / (t1 - t0)).clamp(0.0, 1.0);
    let rising = target >= first;
    let ok = match direction {
        Direction::AtLeast => f(last) >= expected,
        Direction::AtMost => f(last) <= expected,
        Direction::Equal if rising => f(last) >= expected,
        Direction::Equal => f(last) <= expected,
    };
    if ok {
        Track::OnTrack
    } else {
        Track::Behind
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> TargetPeriod {
        s.parse().expect("period")
    }
    fn d(s: &str) -> Decimal {
        s.parse().expect("decimal")
    }

    #[test]
    fn periods_are_years_or_months() {
        assert_eq!(p("2025").to_string(), "2025");
        assert_eq!(p("2026-03").to_string(), "2026-03");
        assert!(p("2025-06") < p("2025") && p("2025-12") < p("2025") && p("2025") < p("2026-01"));
        for bad in ["25", "2025-13", "2025-1", "2025-00", "1899", "abcd", "2025-1x", ""] {
            assert!(bad.parse::<TargetPeriod>().is_err(), "{bad}");
        }
    }

    #[test]
    fn cumulative_targets_follow_a_straight_path() {
        // 20 routes by 2027 from 12 in 2024: the path is at 14.67 at the end of 2025.
        let on = [(p("2024"), d("12")), (p("2025"), d("15"))];
        assert_eq!(track(&on, "条", d("20"), Direction::AtLeast, 2027), Track::OnTrack);
        let behind = [(p("2024"), d("12")), (p("2025"), d("13"))];
        assert_eq!(track(&behind, "条", d("20"), Direction::AtLeast, 2027), Track::Behind);
        assert_eq!(track(&[(p("2025"), d("18"))], "条", d("20"), Direction::AtLeast, 2027), Track::Unknown);
        assert_eq!(track(&[(p("2024-12"), d("2"))], "个", d("2"), Direction::Equal, 2027), Track::Met);
        assert_eq!(track(&[], "个", d("2"), Direction::Equal, 2027), Track::Unknown);
    }

    #[test]
    fn rates_compare_with_the_target_itself() {
        assert_eq!(track(&[(p("2025"), d("11.2"))], "%", d("10"), Direction::AtLeast, 2027), Track::Met);
        assert_eq!(track(&[(p("2025"), d("8"))], "%", d("10"), Direction::AtLeast, 2027), Track::Behind);
        assert_eq!(track(&[(p("2025"), d("0.5"))], "%", d("0.8"), Direction::AtMost, 2027), Track::Met);
    }
}
