//! Evaluation in process (the embedded store's filter). Logic is three-valued as in SQL: a
//! missing value makes a predicate unknown, and only `Some(true)` selects a project.

use super::{CmpOp, Expr, Scalar};
use crate::project::{ProjectId, ProjectProps};
use geo::Intersects;

impl Scalar {
    fn partial_cmp(&self, o: &Scalar) -> Option<std::cmp::Ordering> {
        match (self, o) {
            // Byte order, as PostgreSQL's `collate "C"` that the PostGIS translation uses.
            (Scalar::Text(a), Scalar::Text(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
            (Scalar::Int(a), Scalar::Int(b)) => Some(a.cmp(b)),
            (Scalar::Dec(a), Scalar::Dec(b)) => Some(a.cmp(b)),
            (Scalar::Num(a), Scalar::Num(b)) => a.partial_cmp(b),
            (Scalar::Date(a), Scalar::Date(b)) => Some(a.cmp(b)),
            (Scalar::Bool(a), Scalar::Bool(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

impl Expr {
    /// Whether the project is selected: the expression is true (not false, not unknown).
    pub fn matches(&self, id: &ProjectId, p: &ProjectProps, geometry: Option<&geo::Geometry<f64>>) -> bool {
        self.eval(id, p, geometry) == Some(true)
    }

    /// Three-valued (Kleene) evaluation as in SQL: `None` is unknown, from a missing value.
    pub fn eval(&self, id: &ProjectId, p: &ProjectProps, geometry: Option<&geo::Geometry<f64>>) -> Option<bool> {
        use std::cmp::Ordering::*;
        match self {
            Expr::And(v) => {
                let mut unknown = false;
                for e in v {
                    match e.eval(id, p, geometry) {
                        Some(false) => return Some(false),
                        None => unknown = true,
                        Some(true) => {}
                    }
                }
                if unknown {
                    None
                } else {
                    Some(true)
                }
            }
            Expr::Or(v) => {
                let mut unknown = false;
                for e in v {
                    match e.eval(id, p, geometry) {
                        Some(true) => return Some(true),
                        None => unknown = true,
                        Some(false) => {}
                    }
                }
                if unknown {
                    None
                } else {
                    Some(false)
                }
            }
            Expr::Not(e) => e.eval(id, p, geometry).map(|b| !b),
            Expr::Compare { prop, op, value } => {
                let o = prop.value(id, p)?.partial_cmp(value)?;
                Some(match op {
                    CmpOp::Eq => o == Equal,
                    CmpOp::Ne => o != Equal,
                    CmpOp::Lt => o == Less,
                    CmpOp::Le => o != Greater,
                    CmpOp::Gt => o == Greater,
                    CmpOp::Ge => o != Less,
                })
            }
            Expr::Like { prop, pattern } => match prop.value(id, p)? {
                Scalar::Text(s) => Some(like(&s, pattern)),
                _ => None,
            },
            Expr::Between { prop, low, high } => {
                let v = prop.value(id, p)?;
                Some(v.partial_cmp(low)? != Less && v.partial_cmp(high)? != Greater)
            }
            Expr::In { prop, values } => {
                let v = prop.value(id, p)?;
                Some(values.iter().any(|c| v.partial_cmp(c) == Some(Equal)))
            }
            Expr::IsNull(prop) => Some(prop.value(id, p).is_none()),
            Expr::Intersects(g) => geometry.map(|own| own.intersects(g)),
            Expr::Literal(b) => Some(*b),
        }
    }
}

/// SQL LIKE semantics on characters: `%` any run, `_` one character, `\` escapes the next.
pub fn like(s: &str, pattern: &str) -> bool {
    #[derive(Clone, Copy, PartialEq)]
    enum T {
        Any,
        One,
        Ch(char),
    }
    let mut toks = Vec::new();
    let mut it = pattern.chars();
    while let Some(c) = it.next() {
        toks.push(match c {
            '%' => T::Any,
            '_' => T::One,
            '\\' => T::Ch(it.next().unwrap_or('\\')),
            c => T::Ch(c),
        });
    }
    let s: Vec<char> = s.chars().collect();
    // Classic two-pointer wildcard match with backtracking to the last `%`.
    let (mut i, mut j) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        match toks.get(j) {
            Some(T::One) => {
                i += 1;
                j += 1;
            }
            Some(T::Ch(c)) if *c == s[i] => {
                i += 1;
                j += 1;
            }
            Some(T::Any) => {
                star = Some((j, i));
                j += 1;
            }
            _ => match star {
                Some((sj, si)) => {
                    j = sj + 1;
                    i = si + 1;
                    star = Some((sj, si + 1));
                }
                None => return false,
            },
        }
    }
    toks[j..].iter().all(|t| *t == T::Any)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_follows_sql_wildcards_and_escapes() {
        assert!(like("洞头港区", "%港%"));
        assert!(like("abc", "a_c"));
        assert!(!like("abc", "a_"));
        assert!(like("50%", "50\\%"));
        assert!(!like("500", "50\\%"));
        assert!(like("", "%"));
        assert!(like("aXbXc", "a%b%c"));
        assert!(!like("Abc", "abc"));
    }
}
