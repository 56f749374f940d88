//! The checked expression tree: what a parsed filter is, independent of how it is evaluated
//! (in Rust by [`Expr::eval`], or as SQL by `store/cql2_sql.rs`).

use super::Prop;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// A typed literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    /// Text.
    Text(String),
    /// Whole number.
    Int(i64),
    /// Exact decimal.
    Dec(Decimal),
    /// Floating number.
    Num(f64),
    /// Date.
    Date(NaiveDate),
    /// Boolean.
    Bool(bool),
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// The SQL spelling.
    pub fn sql(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "<>",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// A checked CQL2 expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// Every one holds.
    And(Vec<Expr>),
    /// At least one holds.
    Or(Vec<Expr>),
    /// Does not hold.
    Not(Box<Expr>),
    /// `prop op value`.
    Compare {
        /// Property.
        prop: Prop,
        /// Operator.
        op: CmpOp,
        /// Literal of the property's type.
        value: Scalar,
    },
    /// `prop LIKE pattern` (text properties).
    Like {
        /// Property.
        prop: Prop,
        /// Pattern with `%`, `_` and `\` escapes.
        pattern: String,
    },
    /// `prop BETWEEN low AND high` (inclusive).
    Between {
        /// Property.
        prop: Prop,
        /// Lower bound.
        low: Scalar,
        /// Upper bound.
        high: Scalar,
    },
    /// `prop IN (values)`.
    In {
        /// Property.
        prop: Prop,
        /// Candidates.
        values: Vec<Scalar>,
    },
    /// `prop IS NULL`.
    IsNull(Prop),
    /// `S_INTERSECTS(geometry, literal)`, lon/lat (CRS84); touching counts.
    Intersects(geo::Geometry<f64>),
    /// `TRUE` / `FALSE`.
    Literal(bool),
}

impl Expr {
    /// Both hold.
    pub fn and(self, other: Expr) -> Expr {
        match self {
            Expr::And(mut v) => {
                v.push(other);
                Expr::And(v)
            }
            e => Expr::And(vec![e, other]),
        }
    }
}
