//! CQL2 text filters (OGC API – Features Part 3): parser, typed AST and in-process evaluation.
//!
//! `filter=status = 'completed' AND S_INTERSECTS(geometry, BBOX(121.0,27.8,121.2,27.9))` becomes an
//! [`Expr`] over the project [`Prop`]s listed in [`Prop::ALL`] (the collection's queryables). The
//! parser checks every literal against its property's type, so a store never sees an untyped
//! value; an error carries the 1-based character position where the text stops making sense.
//!
//! Supported: comparisons (`= <> < <= > >=`), `AND`/`OR`/`NOT`, parentheses, `LIKE` (`%`, `_`,
//! `\` escapes, case-sensitive), `IN (…)`, `BETWEEN … AND …`, `IS [NOT] NULL`, `TRUE`/`FALSE`,
//! `DATE('…')`, `TIMESTAMP('…')` (compared by its date), and `S_INTERSECTS(geometry, g)` where `g`
//! is a WKT literal in CRS84 or `BBOX(minx, miny, maxx, maxy)`.
//!
//! Logic is three-valued as in SQL and the CQL2 standard: a predicate on a property that has no
//! value is unknown, `NOT unknown` is unknown, and only a true result selects a project (so
//! `NOT status = 'planned'` does not match projects with no status; `status IS NULL` does).
//! PostGIS evaluates the translated SQL (`store/cql2_sql.rs`) with the same rules; the embedded
//! store evaluates [`Expr::eval`] in Rust. The contract suite checks they agree.
//!
//! CQL2-JSON (`filter-lang=cql2-json`) is read by `json.rs` into the same [`Expr`], through
//! the text parser, so both encodings accept the same filters.
//!
//! Where each rule lives:
//! - `schema.rs`: the queryables ([`Prop`]), their types and how a project's value is read;
//! - `lex.rs`: characters → tokens (quoting, numbers, operators);
//! - `parse.rs`: tokens → a typed [`Expr`] (grammar, literal checking by type, nesting limit,
//!   and `prop=value` query parameters via [`Prop::equals`]);
//! - `ast.rs`: the expression tree the stores consume;
//! - `eval.rs`: three-valued evaluation in Rust and SQL `LIKE` matching (the embedded store's
//!   filter; PostGIS uses `store/cql2_sql.rs`).

mod ast;
mod eval;
pub mod json;
mod lex;
mod parse;
mod schema;

pub use ast::{CmpOp, Expr, Scalar};
pub use eval::like;
pub use schema::{Prop, PropType};

/// A CQL2 text that cannot be used, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at character {position}: {message}")]
pub struct Cql2Error {
    /// 1-based character position in the filter text.
    pub position: usize,
    /// What is wrong and what would be accepted.
    pub message: String,
}
