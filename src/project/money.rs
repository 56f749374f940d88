//! `Wan`: an amount in 万元 (10,000 yuan), held as an exact decimal.
//!
//! Investment figures are summed and compared with what the bulletins print, so a float's
//! 0.1 + 0.2 would show up on a leadership slide.
//!
//! The wire form is a JSON *number* whose text is the exact decimal (`7800`, `3200.5`), written
//! through a `RawValue` so it never passes through a float, which is what queryables, OpenAPI,
//! GDAL and QGIS expect of a numeric column. Amounts are bounded to 10^11 万元 with 4 decimal
//! places, so every amount has at most 15 significant digits: any client that reads JSON numbers
//! as doubles (JavaScript, GDAL) still gets exactly the decimal that was written, and reading one
//! back here from a double (serde_json without `arbitrary_precision`) gives the same decimal.
//! Inputs accept a number or a numeric string.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
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
    #[error("{0} has more than 4 decimal places or is too large (at most 10^11 万元)")]
    Precision(String),
}

/// A non-negative amount of 万元 with at most 4 decimal places (1 yuan), at most 10^11.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Wan(Decimal);

/// The largest amount: 10^11 万元 (10^15 yuan, far past any district's budget), so that an
/// amount never has more than 15 significant digits.
const MAX: i64 = 100_000_000_000;

impl Wan {
    /// Zero.
    pub const ZERO: Wan = Wan(Decimal::ZERO);

    /// Checks range and precision.
    pub fn new(d: Decimal) -> Result<Self, BadAmount> {
        if d.is_sign_negative() && !d.is_zero() {
            return Err(BadAmount::Negative(d.to_string()));
        }
        if d.normalize().scale() > 4 || d > Decimal::from(MAX) {
            return Err(BadAmount::Precision(d.to_string()));
        }
        Ok(Wan(d.normalize()))
    }
    /// The decimal.
    pub fn get(self) -> Decimal {
        self.0
    }
    /// Exact sum; saturates only beyond 7.9e28, far past any district budget. (A sum may pass
    /// 10^11; it is still written exactly, only a reader using doubles may round it.)
    pub fn plus(self, other: Wan) -> Wan {
        Wan(self.0.saturating_add(other.0).normalize())
    }
    /// The nearest double, for the binary export formats' number columns (exact to 15
    /// significant digits, which every amount fits in).
    pub fn to_f64(self) -> f64 {
        self.0.to_f64().unwrap_or(f64::NAN)
    }
}

impl Serialize for Wan {
    /// A JSON number with the decimal's own text (with serde_json, which every caller uses; a
    /// `RawValue` is its way to write number text as given).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let raw = serde_json::value::RawValue::from_string(self.to_string()).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Wan {
    /// A number or a numeric string (stored rows written before amounts were numbers have strings).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Wan, D::Error> {
        struct Amount;
        impl Visitor<'_> for Amount {
            type Value = Wan;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an amount of 万元: a decimal number or its text")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Wan, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Wan, E> {
                Wan::new(Decimal::from(v)).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Wan, E> {
                Wan::new(Decimal::from(v)).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Wan, E> {
                // The shortest text that reads back as this double is the decimal that was
                // written, for the at most 15 significant digits an amount has.
                if !v.is_finite() {
                    return Err(E::custom(BadAmount::NotDecimal(v.to_string())));
                }
                v.to_string().parse().map_err(E::custom)
            }
        }
        d.deserialize_any(Amount)
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
    fn amounts_are_json_numbers_with_their_exact_text_and_read_back_from_either_form() {
        for text in ["7800", "3200.5", "0.0001", "99999999999.9999", "100000000000", "0"] {
            let w: Wan = text.parse().unwrap();
            assert_eq!(serde_json::to_string(&w).unwrap(), text);
            assert_eq!(serde_json::to_value(w).unwrap(), serde_json::from_str::<serde_json::Value>(text).unwrap());
            assert_eq!(serde_json::from_str::<Wan>(text).unwrap(), w, "{text} as a number");
            assert_eq!(serde_json::from_str::<Wan>(&format!("\"{text}\"")).unwrap(), w, "{text} as a string");
            assert_eq!(serde_json::from_value::<Wan>(serde_json::to_value(w).unwrap()).unwrap(), w, "{text} through a Value");
        }
        assert!(serde_json::from_str::<Wan>("100000000000.0001").is_err());
        assert!(serde_json::from_str::<Wan>("true").is_err());
    }

    #[test]
    fn bad_amounts_are_refused_with_a_reason() {
        assert!(matches!("-1".parse::<Wan>(), Err(BadAmount::Negative(_))));
        assert!(matches!("abc".parse::<Wan>(), Err(BadAmount::NotDecimal(_))));
        assert!(matches!("1_000".parse::<Wan>(), Err(BadAmount::NotDecimal(_))));
        assert!(matches!("1.00001".parse::<Wan>(), Err(BadAmount::Precision(_))));
    }
}
