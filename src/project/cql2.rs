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

use super::{ProjectId, ProjectProps};
use chrono::NaiveDate;
use geo::Intersects;
use rust_decimal::Decimal;
use std::fmt;
use std::str::FromStr;

/// A CQL2 text that cannot be used, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at character {position}: {message}")]
pub struct Cql2Error {
    /// 1-based character position in the filter text.
    pub position: usize,
    /// What is wrong and what would be accepted.
    pub message: String,
}

/// The type of a queryable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropType {
    /// Text.
    Text,
    /// Whole number.
    Integer,
    /// Exact decimal (万元).
    Decimal,
    /// Floating number.
    Number,
    /// Calendar date.
    Date,
    /// true / false.
    Boolean,
}

impl PropType {
    /// JSON Schema `type` and `format`.
    pub fn json_schema(self) -> (&'static str, Option<&'static str>) {
        match self {
            PropType::Text => ("string", None),
            PropType::Integer => ("integer", None),
            PropType::Decimal | PropType::Number => ("number", None),
            PropType::Date => ("string", Some("date")),
            PropType::Boolean => ("boolean", None),
        }
    }
}

macro_rules! props {
    ($($variant:ident = $name:literal : $ty:ident, $title:literal;)+) => {
        /// A project property a filter can name (a queryable).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Prop { $(#[doc = $title] $variant),+ }
        impl Prop {
            /// Every queryable, in documentation order.
            pub const ALL: &'static [Prop] = &[$(Prop::$variant),+];
            /// The property's name on the wire.
            pub fn name(self) -> &'static str { match self { $(Prop::$variant => $name),+ } }
            /// Its type.
            pub fn ty(self) -> PropType { match self { $(Prop::$variant => PropType::$ty),+ } }
            /// A short title.
            pub fn title(self) -> &'static str { match self { $(Prop::$variant => $title),+ } }
        }
    };
}

props! {
    Id = "id": Text, "项目编号 id (slug)";
    NameZh = "name_zh": Text, "项目名称 Chinese name";
    NameEn = "name_en": Text, "English name";
    Action = "action": Integer, "行动 action 1–5";
    Task = "task": Integer, "任务 task 1–16";
    PlanRef = "plan_ref": Text, "规划条目 plan section";
    Kind = "kind": Text, "类型 kind";
    Status = "status": Text, "状态 status";
    InvestmentTotal = "investment_total": Decimal, "总投资 (万元)";
    InvestmentCompleted = "investment_completed": Decimal, "累计完成投资 (万元)";
    ProgressPct = "progress_pct": Number, "形象进度 %";
    StartDate = "start_date": Date, "开工日期";
    PlannedCompletion = "planned_completion": Date, "计划完工日期";
    ActualCompletion = "actual_completion": Date, "实际完工日期";
    Town = "town": Text, "街道/镇/乡";
    LocationConfidence = "location_confidence": Text, "位置可信度 high/medium/low";
    Description = "description": Text, "说明";
    Synthetic = "synthetic": Boolean, "synthetic demo data";
}

impl Prop {
    /// Looks a queryable up by name (exact, as listed in `/queryables`).
    pub fn by_name(name: &str) -> Option<Prop> {
        Prop::ALL.iter().copied().find(|p| p.name() == name)
    }

    /// The project's value of this property; `None` when it has none.
    pub fn value(self, id: &ProjectId, p: &ProjectProps) -> Option<Scalar> {
        let text = |s: &str| Some(Scalar::Text(s.to_owned()));
        match self {
            Prop::Id => text(id.as_str()),
            Prop::NameZh => text(&p.name_zh),
            Prop::NameEn => p.name_en.as_deref().and_then(text),
            Prop::Action => p.action.map(|a| Scalar::Int(i64::from(a.get()))),
            Prop::Task => p.task.map(|t| Scalar::Int(i64::from(t.get()))),
            Prop::PlanRef => p.plan_ref.as_deref().and_then(text),
            Prop::Kind => text(p.kind.as_str()),
            Prop::Status => p.status.map(|s| Scalar::Text(s.as_str().to_owned())),
            Prop::InvestmentTotal => p.investment_total.map(|w| Scalar::Dec(w.get())),
            Prop::InvestmentCompleted => p.investment_completed.map(|w| Scalar::Dec(w.get())),
            Prop::ProgressPct => p.progress_pct.map(Scalar::Num),
            Prop::StartDate => p.start_date.map(Scalar::Date),
            Prop::PlannedCompletion => p.planned_completion.map(Scalar::Date),
            Prop::ActualCompletion => p.actual_completion.map(Scalar::Date),
            Prop::Town => p.town.as_ref().map(|t| Scalar::Text(t.as_str().to_owned())),
            Prop::LocationConfidence => text(p.location_confidence.as_str()),
            Prop::Description => p.description.as_deref().and_then(text),
            Prop::Synthetic => Some(Scalar::Bool(p.synthetic)),
        }
    }
}

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

impl Prop {
    /// `prop = value` from a query parameter such as `plan_ref=二(二)5` or `start_date=2025-01-10`
    /// (OGC API – Features Part 3, queryables as query parameters), the value read by the
    /// property's type.
    pub fn equals(self, value: &str) -> Result<Expr, String> {
        let v = value.trim();
        let scalar = match self.ty() {
            PropType::Text => Scalar::Text(value.to_owned()),
            PropType::Integer => Scalar::Int(v.parse().map_err(|_| format!("`{v}` is not a whole number"))?),
            PropType::Decimal => Scalar::Dec(Decimal::from_str(v).map_err(|_| format!("`{v}` is not a decimal number"))?),
            PropType::Number => Scalar::Num(v.parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| format!("`{v}` is not a number"))?),
            PropType::Date => Scalar::Date(NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| format!("`{v}` is not a date (YYYY-MM-DD)"))?),
            PropType::Boolean => Scalar::Bool(match v {
                "true" => true,
                "false" => false,
                _ => return Err(format!("`{v}` is not true or false")),
            }),
        };
        Ok(Expr::Compare { prop: self, op: CmpOp::Eq, value: scalar })
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

// ---------------------------------------------------------------------------------------------
// Tokens

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Quoted(String),
    Str(String),
    Num(String),
    LParen,
    RParen,
    Comma,
    Op(CmpOp),
    End,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    /// Byte offsets into the text.
    start: usize,
    end: usize,
}

fn tokenize(text: &str) -> Result<Vec<Token>, Cql2Error> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let at = |i: usize| chars.get(i).map_or(text.len(), |c| c.0);
    let pos = |i: usize| i + 1;
    while i < chars.len() {
        let (b, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start_i = i;
        let tok = match c {
            '(' => {
                i += 1;
                Tok::LParen
            }
            ')' => {
                i += 1;
                Tok::RParen
            }
            ',' => {
                i += 1;
                Tok::Comma
            }
            '=' => {
                i += 1;
                Tok::Op(CmpOp::Eq)
            }
            '<' => match chars.get(i + 1).map(|c| c.1) {
                Some('>') => {
                    i += 2;
                    Tok::Op(CmpOp::Ne)
                }
                Some('=') => {
                    i += 2;
                    Tok::Op(CmpOp::Le)
                }
                _ => {
                    i += 1;
                    Tok::Op(CmpOp::Lt)
                }
            },
            '>' => match chars.get(i + 1).map(|c| c.1) {
                Some('=') => {
                    i += 2;
                    Tok::Op(CmpOp::Ge)
                }
                _ => {
                    i += 1;
                    Tok::Op(CmpOp::Gt)
                }
            },
            '\'' | '"' => {
                let quote = c;
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i).map(|c| c.1) {
                        None => return Err(Cql2Error { position: pos(start_i), message: format!("the text starting here has no closing {quote}") }),
                        Some(ch) if ch == quote => {
                            if chars.get(i + 1).map(|c| c.1) == Some(quote) {
                                s.push(quote);
                                i += 2;
                            } else {
                                i += 1;
                                break;
                            }
                        }
                        Some(ch) => {
                            s.push(ch);
                            i += 1;
                        }
                    }
                }
                if quote == '\'' {
                    Tok::Str(s)
                } else {
                    Tok::Quoted(s)
                }
            }
            c if c.is_ascii_digit() || ((c == '-' || c == '+' || c == '.') && chars.get(i + 1).is_some_and(|n| n.1.is_ascii_digit() || n.1 == '.')) => {
                let mut j = i + 1;
                while chars.get(j).is_some_and(|n| n.1.is_ascii_digit() || n.1 == '.' || n.1 == 'e' || n.1 == 'E')
                    || (chars.get(j).is_some_and(|n| n.1 == '-' || n.1 == '+') && chars.get(j - 1).is_some_and(|p| p.1 == 'e' || p.1 == 'E'))
                {
                    j += 1;
                }
                let s = &text[b..at(j)];
                i = j;
                Tok::Num(s.to_owned())
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut j = i + 1;
                while chars.get(j).is_some_and(|n| n.1.is_alphanumeric() || n.1 == '_' || n.1 == ':' || n.1 == '.') {
                    j += 1;
                }
                let s = &text[b..at(j)];
                i = j;
                Tok::Ident(s.to_owned())
            }
            other => return Err(Cql2Error { position: pos(i), message: format!("unexpected character `{other}`") }),
        };
        out.push(Token { tok, start: b, end: at(i) });
    }
    out.push(Token { tok: Tok::End, start: text.len(), end: text.len() });
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Parser

struct Parser<'a> {
    text: &'a str,
    toks: Vec<Token>,
    i: usize,
}

/// Parses CQL2 text into a checked expression.
impl FromStr for Expr {
    type Err = Cql2Error;
    fn from_str(text: &str) -> Result<Expr, Cql2Error> {
        if text.chars().count() > 10_000 {
            return Err(Cql2Error { position: 10_001, message: "the filter is longer than 10,000 characters".into() });
        }
        let toks = tokenize(text)?;
        let mut p = Parser { text, toks, i: 0 };
        if p.peek() == &Tok::End {
            return Err(p.err_here("the filter is empty"));
        }
        let e = p.or_expr(0)?;
        if p.peek() != &Tok::End {
            return Err(p.err_here("expected AND, OR or the end of the filter"));
        }
        Ok(e)
    }
}

const MAX_DEPTH: usize = 50;

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.toks[self.i.min(self.toks.len() - 1)].tok
    }
    fn next(&mut self) -> Token {
        let t = self.toks[self.i.min(self.toks.len() - 1)].clone();
        if self.i < self.toks.len() - 1 {
            self.i += 1;
        }
        t
    }
    fn char_pos(&self, byte: usize) -> usize {
        self.text[..byte.min(self.text.len())].chars().count() + 1
    }
    fn err_at(&self, t: &Token, msg: impl Into<String>) -> Cql2Error {
        Cql2Error { position: self.char_pos(t.start), message: msg.into() }
    }
    fn err_here(&self, msg: &str) -> Cql2Error {
        let t = &self.toks[self.i.min(self.toks.len() - 1)];
        let found = match &t.tok {
            Tok::End => "the end of the filter".to_owned(),
            _ => format!("`{}`", &self.text[t.start..t.end]),
        };
        Cql2Error { position: self.char_pos(t.start), message: format!("{msg}; found {found}") }
    }
    fn keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Tok::Ident(s) if s.eq_ignore_ascii_case(kw))
    }
    fn eat_keyword(&mut self, kw: &str) -> bool {
        if self.keyword(kw) {
            self.next();
            true
        } else {
            false
        }
    }
    fn expect(&mut self, tok: Tok, what: &str) -> Result<Token, Cql2Error> {
        if *self.peek() == tok {
            Ok(self.next())
        } else {
            Err(self.err_here(&format!("expected {what}")))
        }
    }
    fn depth(&self, depth: usize) -> Result<(), Cql2Error> {
        if depth > MAX_DEPTH {
            Err(self.err_here("the filter nests more than 50 levels deep"))
        } else {
            Ok(())
        }
    }

    fn or_expr(&mut self, depth: usize) -> Result<Expr, Cql2Error> {
        self.depth(depth)?;
        let mut v = vec![self.and_expr(depth)?];
        while self.eat_keyword("OR") {
            v.push(self.and_expr(depth)?);
        }
        Ok(if v.len() == 1 { v.remove(0) } else { Expr::Or(v) })
    }
    fn and_expr(&mut self, depth: usize) -> Result<Expr, Cql2Error> {
        let mut v = vec![self.not_expr(depth)?];
        while self.eat_keyword("AND") {
            v.push(self.not_expr(depth)?);
        }
        Ok(if v.len() == 1 { v.remove(0) } else { Expr::And(v) })
    }
    fn not_expr(&mut self, depth: usize) -> Result<Expr, Cql2Error> {
        if self.eat_keyword("NOT") {
            self.depth(depth + 1)?;
            return Ok(Expr::Not(Box::new(self.not_expr(depth + 1)?)));
        }
        self.primary(depth)
    }
    fn primary(&mut self, depth: usize) -> Result<Expr, Cql2Error> {
        if *self.peek() == Tok::LParen {
            self.next();
            let e = self.or_expr(depth + 1)?;
            self.expect(Tok::RParen, "`)`")?;
            return Ok(e);
        }
        if self.eat_keyword("TRUE") {
            return Ok(Expr::Literal(true));
        }
        if self.eat_keyword("FALSE") {
            return Ok(Expr::Literal(false));
        }
        if self.keyword("S_INTERSECTS") || self.keyword("INTERSECTS") {
            return self.intersects();
        }
        self.predicate()
    }

    fn intersects(&mut self) -> Result<Expr, Cql2Error> {
        self.next();
        self.expect(Tok::LParen, "`(` after S_INTERSECTS")?;
        let a = self.spatial_arg()?;
        self.expect(Tok::Comma, "`,` between the two geometries of S_INTERSECTS")?;
        let b = self.spatial_arg()?;
        self.expect(Tok::RParen, "`)` closing S_INTERSECTS")?;
        match (a, b) {
            (None, Some(g)) | (Some(g), None) => Ok(Expr::Intersects(g)),
            _ => Err(self.err_here("S_INTERSECTS needs the property `geometry` and one geometry literal (WKT or BBOX)")),
        }
    }

    /// `None` for the `geometry` property, `Some` for a literal.
    fn spatial_arg(&mut self) -> Result<Option<geo::Geometry<f64>>, Cql2Error> {
        let t = self.next();
        let name = match &t.tok {
            Tok::Ident(s) | Tok::Quoted(s) => s.clone(),
            _ => return Err(self.err_at(&t, "expected `geometry`, a WKT geometry or BBOX(…)")),
        };
        if name == "geometry" || name == "geom" {
            return Ok(None);
        }
        let upper = name.to_ascii_uppercase();
        if upper == "BBOX" {
            self.expect(Tok::LParen, "`(` after BBOX")?;
            let mut v = Vec::new();
            loop {
                let n = self.next();
                match &n.tok {
                    Tok::Num(s) => v.push(s.parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| self.err_at(&n, format!("`{s}` is not a number")))?),
                    _ => return Err(self.err_at(&n, "BBOX takes four numbers: minLon, minLat, maxLon, maxLat")),
                }
                if *self.peek() == Tok::Comma {
                    self.next();
                } else {
                    break;
                }
            }
            self.expect(Tok::RParen, "`)` closing BBOX")?;
            let b = match v.as_slice() {
                [a, b, c, d] => crate::geometry::Bbox::new(*a, *b, *c, *d),
                [a, b, _, c, d, _] => crate::geometry::Bbox::new(*a, *b, *c, *d),
                _ => return Err(self.err_at(&t, "BBOX takes four numbers: minLon, minLat, maxLon, maxLat")),
            };
            let b = b.map_err(|e| self.err_at(&t, e.to_string()))?;
            return Ok(Some(geo::Geometry::Polygon(b.rect().to_polygon())));
        }
        const WKT: &[&str] = &["POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION"];
        if !WKT.contains(&upper.as_str()) {
            return Err(self.err_at(
                &t,
                format!("`{name}` is not the geometry property nor a geometry literal; use `geometry`, BBOX(…) or WKT such as POINT(121.1 27.8)"),
            ));
        }
        // Find the matching `)` and hand the text to the WKT reader.
        let mut level = 0usize;
        let mut end = t.end;
        loop {
            let n = self.next();
            match n.tok {
                Tok::LParen => level += 1,
                Tok::RParen => {
                    level = level.saturating_sub(1);
                    if level == 0 {
                        end = n.end;
                        break;
                    }
                }
                Tok::End => return Err(self.err_at(&n, "the geometry literal is not closed with `)`")),
                _ if level == 0 => return Err(self.err_at(&n, "expected `(` after the geometry type")),
                _ => {}
            }
            let _ = end;
        }
        let src = &self.text[t.start..end];
        let w = wkt::Wkt::<f64>::from_str(src).map_err(|e| self.err_at(&t, format!("the WKT geometry cannot be read: {e}")))?;
        let g: geo::Geometry<f64> = w.try_into().map_err(|e: wkt::conversion::Error| self.err_at(&t, format!("the WKT geometry cannot be used: {e}")))?;
        Ok(Some(g))
    }

    fn property(&mut self) -> Result<Prop, Cql2Error> {
        let t = self.next();
        match &t.tok {
            Tok::Ident(s) | Tok::Quoted(s) => Prop::by_name(s).ok_or_else(|| {
                self.err_at(&t, format!("`{s}` is not a queryable property; known: {}", Prop::ALL.iter().map(|p| p.name()).collect::<Vec<_>>().join(", ")))
            }),
            _ => Err(self.err_at(&t, "expected a property name such as status or start_date (the left side of a comparison must be a property)")),
        }
    }

    fn predicate(&mut self) -> Result<Expr, Cql2Error> {
        let prop = self.property()?;
        let negated = self.eat_keyword("NOT");
        let op_tok = self.toks[self.i.min(self.toks.len() - 1)].clone();
        let e = if self.eat_keyword("LIKE") {
            if prop.ty() != PropType::Text {
                return Err(self.err_at(&op_tok, format!("LIKE needs a text property; `{}` is not text", prop.name())));
            }
            let t = self.next();
            match t.tok {
                Tok::Str(s) => Expr::Like { prop, pattern: s },
                _ => return Err(self.err_at(&t, "LIKE needs a quoted pattern such as '%港%'")),
            }
        } else if self.eat_keyword("BETWEEN") {
            let low = self.literal(prop)?;
            if !self.eat_keyword("AND") {
                return Err(self.err_here("expected AND between the two bounds of BETWEEN"));
            }
            let high = self.literal(prop)?;
            Expr::Between { prop, low, high }
        } else if self.eat_keyword("IN") {
            self.expect(Tok::LParen, "`(` after IN")?;
            let mut values = vec![self.literal(prop)?];
            while *self.peek() == Tok::Comma {
                self.next();
                values.push(self.literal(prop)?);
            }
            self.expect(Tok::RParen, "`)` closing the IN list")?;
            Expr::In { prop, values }
        } else if negated {
            return Err(self.err_here("expected LIKE, BETWEEN or IN after NOT"));
        } else if self.eat_keyword("IS") {
            let not = self.eat_keyword("NOT");
            if !self.eat_keyword("NULL") {
                return Err(self.err_here("expected NULL after IS"));
            }
            let e = Expr::IsNull(prop);
            return Ok(if not { Expr::Not(Box::new(e)) } else { e });
        } else if let Tok::Op(op) = *self.peek() {
            self.next();
            let value = self.literal(prop)?;
            Expr::Compare { prop, op, value }
        } else {
            return Err(self.err_here("expected a comparison (=, <>, <, <=, >, >=), LIKE, BETWEEN, IN or IS NULL"));
        };
        Ok(if negated { Expr::Not(Box::new(e)) } else { e })
    }

    /// A literal of `prop`'s type.
    fn literal(&mut self, prop: Prop) -> Result<Scalar, Cql2Error> {
        let t = self.next();
        let ty = prop.ty();
        let wrong = |p: &Self, what: &str| p.err_at(&t, format!("`{}` is {what}; expected {}", prop.name(), type_words(ty)));
        let date_of = |p: &Self, s: &str| -> Result<NaiveDate, Cql2Error> {
            s.get(..10).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()).ok_or_else(|| p.err_at(&t, format!("`{s}` is not a date (YYYY-MM-DD)")))
        };
        match (&t.tok, ty) {
            (Tok::Str(s), PropType::Text) => Ok(Scalar::Text(s.clone())),
            (Tok::Str(s), PropType::Date) => Ok(Scalar::Date(date_of(self, s)?)),
            (Tok::Ident(k), PropType::Date) if k.eq_ignore_ascii_case("DATE") || k.eq_ignore_ascii_case("TIMESTAMP") => {
                self.expect(Tok::LParen, "`(` after DATE")?;
                let s = self.next();
                let Tok::Str(text) = &s.tok else { return Err(self.err_at(&s, "DATE needs a quoted date such as DATE('2025-06-30')")) };
                let d = text
                    .get(..10)
                    .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                    .ok_or_else(|| self.err_at(&s, format!("`{text}` is not a date (YYYY-MM-DD)")))?;
                self.expect(Tok::RParen, "`)` closing DATE")?;
                Ok(Scalar::Date(d))
            }
            (Tok::Num(s), PropType::Integer) => s.parse::<i64>().map(Scalar::Int).map_err(|_| self.err_at(&t, format!("`{s}` is not a whole number"))),
            (Tok::Num(s), PropType::Decimal) => Decimal::from_str(s)
                .or_else(|_| Decimal::from_scientific(s))
                .map(Scalar::Dec)
                .map_err(|_| self.err_at(&t, format!("`{s}` is not a decimal number"))),
            (Tok::Num(s), PropType::Number) => {
                s.parse::<f64>().ok().filter(|x| x.is_finite()).map(Scalar::Num).ok_or_else(|| self.err_at(&t, format!("`{s}` is not a number")))
            }
            (Tok::Ident(k), PropType::Boolean) if k.eq_ignore_ascii_case("TRUE") => Ok(Scalar::Bool(true)),
            (Tok::Ident(k), PropType::Boolean) if k.eq_ignore_ascii_case("FALSE") => Ok(Scalar::Bool(false)),
            (Tok::Str(_), _) => Err(wrong(self, "compared with text")),
            (Tok::Num(_), _) => Err(wrong(self, "compared with a number")),
            (Tok::End, _) => Err(self.err_at(&t, format!("the filter ends where a value was expected ({})", type_words(ty)))),
            _ => Err(self.err_at(&t, format!("expected a value: {}", type_words(ty)))),
        }
    }
}

fn type_words(ty: PropType) -> &'static str {
    match ty {
        PropType::Text => "quoted text such as 'completed'",
        PropType::Integer => "a whole number",
        PropType::Decimal | PropType::Number => "a number",
        PropType::Date => "a date such as DATE('2025-06-30')",
        PropType::Boolean => "TRUE or FALSE",
    }
}

impl fmt::Display for Prop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Expr, Cql2Error> {
        s.parse()
    }

    #[test]
    fn comparisons_logic_and_predicates_parse_into_typed_expressions() {
        let e = parse("status = 'completed' AND (task IN (1, 2) OR NOT name_zh LIKE '%港%') AND investment_total >= 100.5").unwrap();
        let Expr::And(v) = e else { panic!("{e:?}") };
        assert_eq!(v.len(), 3);
        assert_eq!(v[0], Expr::Compare { prop: Prop::Status, op: CmpOp::Eq, value: Scalar::Text("completed".into()) });
        assert_eq!(v[2], Expr::Compare { prop: Prop::InvestmentTotal, op: CmpOp::Ge, value: Scalar::Dec(Decimal::from_str("100.5").unwrap()) });
        assert!(parse("start_date BETWEEN DATE('2024-01-01') AND DATE('2025-12-31')").is_ok());
        assert!(parse("actual_completion IS NULL AND town IS NOT NULL").is_ok());
        assert!(parse("S_INTERSECTS(geometry, BBOX(121.0, 27.8, 121.2, 27.9))").is_ok());
        assert!(parse("s_intersects(geometry, POLYGON((121 27.8, 121.2 27.8, 121.2 27.9, 121 27.8)))").is_ok());
        assert!(parse("S_INTERSECTS(POINT(121.1 27.8), geometry) or false").is_ok());
        assert!(parse("\"name_en\" NOT IN ('a', 'b''c')").is_ok());
    }

    #[test]
    fn malformed_filters_say_where_they_go_wrong() {
        let cases: &[(&str, usize, &str)] = &[
            ("status = ", 10, "ends where a value"),
            ("status == 'x'", 9, "expected a value"),
            ("colour = 'red'", 1, "not a queryable"),
            ("status = 'completed", 10, "no closing"),
            ("task = 'five'", 8, "compared with text"),
            ("status = 3", 10, "compared with a number"),
            ("(status = 'x'", 14, "expected `)`"),
            ("status = 'x' AND", 17, "property name"),
            ("status = 'x' status", 14, "expected AND, OR"),
            ("action LIKE '1%'", 8, "text property"),
            ("S_INTERSECTS(geometry, BBOX(1,2,3))", 24, "four numbers"),
            ("S_INTERSECTS(geometry, POINT(121.1))", 24, "WKT"),
            ("start_date > DATE('2025-13-01')", 19, "not a date"),
            ("", 1, "empty"),
            ("status = 'a' ; drop table project", 14, "unexpected character"),
        ];
        for (text, pos, needle) in cases {
            let e = parse(text).unwrap_err();
            assert_eq!(e.position, *pos, "{text}: {e}");
            assert!(e.message.contains(needle), "{text}: {e}");
        }
        let deep = format!("{}status = 'x'{}", "(".repeat(60), ")".repeat(60));
        assert!(parse(&deep).unwrap_err().message.contains("50 levels"));
    }

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
