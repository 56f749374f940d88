//! `Wan`: an amount in 万元 (10,000 yuan), held as an exact decimal.
//!
//! Investment figures are summed and compared with what the bulletins print, so a float's
//! 0.1 + 0.2 would show up on a leadership slide. The wire form is a decimal string.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Why a value is not an amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadAmount {
    /// Not a decimal number.
    #[error("`{0}` is not a decimal number of 万元 (write e.g. \"12500\" or \"3200.5\")")]
    NotDecimal(String),
    /// Negative.
    #[error("{0} is negative; an investment amount is 0 or more")]
    Negative(String),
    /// More than 4 decimal places (below 1 yuan) or absurdly large.
    #[error("{0} has more than 4 decimal places or is too large (at most 10^12 万元)")]
    Precision(String),
}

/// A non-negative amount of 万元 with at most 4 decimal places (1 yuan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "Decimal", into = "String")]
pub struct Wan(Decimal);

impl Wan {
    /// Zero.
    pub const ZERO: Wan = Wan(Decimal::ZERO);

    /// Checks range and precision.
    pub fn new(d: Decimal) -> Result<Self, BadAmount> {
        if d.is_sign_negative() && !d.is_zero() {
            return Err(BadAmount::Negative(d.to_string()));
        }
        if d.normalize().scale() > 4 || d > Decimal::from(1_000_000_000_000_i64) {
            return Err(BadAmount::Precision(d.to_string()));
        }
        Ok(Wan(d.normalize()))
    }
    /// The decimal.
    pub fn get(self) -> Decimal {
        self.0
    }
    /// Exact sum; saturates only beyond 7.9e28, far past any district budget.
    pub fn plus(self, other: Wan) -> Wan {
        Wan(self.0.saturating_add(other.0).normalize())
    }
}

impl TryFrom<Decimal> for Wan {
    type Error = BadAmount;
    fn try_from(d: Decimal) -> Result<Self, BadAmount> {
        Wan::new(d)
    }
}

impl FromStr for Wan {
    type Err = BadAmount;
    fn from_str(s: &str) -> Result<Self, BadAmount> {
        let t = s.trim();
        // Decimal::from_str accepts "1_000"; planners' figures never contain underscores, so refuse them.
        if t.is_empty() || t.contains('_') {
            return Err(BadAmount::NotDecimal(s.to_owned()));
        }
        let d = Decimal::from_str_exact(t).or_else(|_| Decimal::from_scientific(t)).map_err(|_| BadAmount::NotDecimal(s.to_owned()))?;
        Wan::new(d)
    }
}

impl From<Wan> for String {
    fn from(w: Wan) -> String {
        w.to_string()
    }
}

impl fmt::Display for Wan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_exactly_and_print_without_trailing_zeros() {
        let a: Wan = "0.1".parse().unwrap();
        let b: Wan = "0.2".parse().unwrap();
        assert_eq!(a.plus(b).to_string(), "0.3");
        assert_eq!("125000.00".parse::<Wan>().unwrap().to_string(), "125000");
    }

    #[test]
    fn bad_amounts_are_refused_with_a_reason() {
        assert!(matches!("-1".parse::<Wan>(), Err(BadAmount::Negative(_))));
        assert!(matches!("abc".parse::<Wan>(), Err(BadAmount::NotDecimal(_))));
        assert!(matches!("1_000".parse::<Wan>(), Err(BadAmount::NotDecimal(_))));
        assert!(matches!("1.00001".parse::<Wan>(), Err(BadAmount::Precision(_))));
    }
}
