//! Characters to tokens. Positions are kept as byte offsets so the parser can report the
//! 1-based character where a filter stops making sense.

use super::{CmpOp, Cql2Error};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
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
pub(super) struct Token {
    pub(super) tok: Tok,
    /// Byte offsets into the text.
    pub(super) start: usize,
    pub(super) end: usize,
}

pub(super) fn tokenize(text: &str) -> Result<Vec<Token>, Cql2Error> {
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
