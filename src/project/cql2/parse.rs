//! Tokens to a typed [`Expr`]: the grammar (OR < AND < NOT < primary), literals checked against
//! their property's type, the nesting and length limits, and `prop=value` query parameters.

use super::lex::{tokenize, Tok, Token};
use super::schema::type_words;
use super::{CmpOp, Cql2Error, Expr, Prop, PropType, Scalar};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::str::FromStr;

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
}
