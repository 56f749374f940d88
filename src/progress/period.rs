//! `Period`: a reporting month, `YYYY-MM`.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A text that is not a reporting month.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a month; write YYYY-MM, e.g. 2026-11 (years 2000–2100)")]
pub struct BadPeriod(pub String);

/// A calendar month. Orders by time; prints and parses as `YYYY-MM`, which also sorts as text
/// (the stores keep it as text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Period {
    year: i32,
    month: u32,
}

impl Period {
    /// The month `date` falls in.
    pub fn of(date: NaiveDate) -> Period {
        Period { year: date.year(), month: date.month() }
    }
    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }
    /// 1–12.
    pub fn month(self) -> u32 {
        self.month
    }
    /// The first day of the month.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }
    /// The last day of the month.
    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or(NaiveDate::MAX)
    }
    /// The month after.
    pub fn next(self) -> Period {
        if self.month == 12 {
            Period { year: self.year + 1, month: 1 }
        } else {
            Period { year: self.year, month: self.month + 1 }
        }
    }
    /// The month before.
    pub fn prev(self) -> Period {
        if self.month == 1 {
            Period { year: self.year - 1, month: 12 }
        } else {
            Period { year: self.year, month: self.month - 1 }
        }
    }
}

impl FromStr for Period {
    type Err = BadPeriod;
    fn from_str(s: &str) -> Result<Period, BadPeriod> {
        let bad = || BadPeriod(s.to_owned());
        let t = s.trim();
        let (y, m) = t.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        if !(2000..=2100).contains(&year) || !(1..=12).contains(&month) {
            return Err(bad());
        }
        Ok(Period { year, month })
    }
}

impl TryFrom<String> for Period {
    type Error = BadPeriod;
    fn try_from(s: String) -> Result<Period, BadPeriod> {
        s.parse()
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_strictly_and_know_their_days() {
        let p: Period = "2026-11".parse().unwrap();
        assert_eq!(p.to_string(), "2026-11");
        assert_eq!(p.last_day().to_string(), "2026-11-30");
        assert_eq!("2026-12".parse::<Period>().unwrap().next().to_string(), "2027-01");
        assert_eq!("2027-01".parse::<Period>().unwrap().prev().to_string(), "2026-12");
        assert_eq!("2024-02".parse::<Period>().unwrap().last_day().to_string(), "2024-02-29");
        for bad in ["2026-13", "2026-1", "26-11", "2026/11", "", "1999-01", "2026-00", "2026-11-01", "+202-11"] {
            assert!(bad.parse::<Period>().is_err(), "{bad} should be refused");
        }
        assert!("2026-09".parse::<Period>().unwrap() < "2026-10".parse::<Period>().unwrap());
    }
}
