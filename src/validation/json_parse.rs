//! Reading the validation events back (for `nr-compare`): a small JSON
//! parser for one document per line, RFC 8259 without extensions.

/// Parses one JSON document (the validation events, for `nr-compare`).
/// Object keys are owned; numbers are kept as i64/u64 when integral.
pub fn parse(text: &str) -> Result<Parsed, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    let v = p.value()?;
    p.ws();
    if p.i != p.s.len() {
        return Err(format!("trailing characters at {}", p.i));
    }
    Ok(v)
}

/// A parsed JSON value with owned keys.
#[derive(Clone, Debug, PartialEq)]
pub enum Parsed {
    Null,
    Bool(bool),
    Number(String),
    Str(String),
    List(Vec<Parsed>),
    Object(Vec<(String, Parsed)>),
}

impl Parsed {
    /// The field `name` of an object.
    pub fn get(&self, name: &str) -> Option<&Parsed> {
        match self {
            Parsed::Object(fields) => fields.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Parsed::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Compact text form (for reports and keys).
    pub fn render(&self) -> String {
        match self {
            Parsed::Null => "null".into(),
            Parsed::Bool(b) => b.to_string(),
            Parsed::Number(n) => n.clone(),
            Parsed::Str(s) => s.clone(),
            Parsed::List(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(Parsed::render)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Parsed::Object(fields) => format!(
                "{{{}}}",
                fields
                    .iter()
                    .map(|(k, v)| format!("{k}={}", v.render()))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        }
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.s.get(self.i).is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!("expected '{}' at {}", c as char, self.i))
        }
    }

    fn literal(&mut self, word: &str, value: Parsed) -> Result<Parsed, String> {
        if self.s.get(self.i..self.i + word.len()) == Some(word.as_bytes()) {
            self.i += word.len();
            Ok(value)
        } else {
            Err(format!("bad literal at {}", self.i))
        }
    }

    fn value(&mut self) -> Result<Parsed, String> {
        self.ws();
        match self.peek() {
            Some(b'{') => self.object(),
            Some(b'[') => self.list(),
            Some(b'"') => self.string().map(Parsed::Str),
            Some(b't') => self.literal("true", Parsed::Bool(true)),
            Some(b'f') => self.literal("false", Parsed::Bool(false)),
            Some(b'n') => self.literal("null", Parsed::Null),
            Some(c) if c == b'-' || c.is_ascii_digit() => {
                let start = self.i;
                while self.peek().is_some_and(|c| {
                    c == b'-'
                        || c == b'+'
                        || c == b'.'
                        || c == b'e'
                        || c == b'E'
                        || c.is_ascii_digit()
                }) {
                    self.i += 1;
                }
                Ok(Parsed::Number(
                    String::from_utf8_lossy(&self.s[start..self.i]).into_owned(),
                ))
            }
            _ => Err(format!("unexpected input at {}", self.i)),
        }
    }

    fn object(&mut self) -> Result<Parsed, String> {
        self.expect(b'{')?;
        let mut fields = Vec::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(Parsed::Object(fields));
        }
        loop {
            self.ws();
            let key = self.string()?;
            self.ws();
            self.expect(b':')?;
            fields.push((key, self.value()?));
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Parsed::Object(fields));
                }
                _ => return Err(format!("expected ',' or '}}' at {}", self.i)),
            }
        }
    }

    fn list(&mut self) -> Result<Parsed, String> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(Parsed::List(items));
        }
        loop {
            items.push(self.value()?);
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Parsed::List(items));
                }
                _ => return Err(format!("expected ',' or ']' at {}", self.i)),
            }
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.expect(b'"')?;
        let mut out = String::new();
        loop {
            let start = self.i;
            while self.peek().is_some_and(|c| c != b'"' && c != b'\\') {
                self.i += 1;
            }
            out.push_str(&String::from_utf8_lossy(&self.s[start..self.i]));
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let escaped = self.peek().ok_or("unterminated escape")?;
                    self.i += 1;
                    match escaped {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'u' => {
                            let hex = self.s.get(self.i..self.i + 4).ok_or("short \\u escape")?;
                            let code = u32::from_str_radix(&String::from_utf8_lossy(hex), 16)
                                .map_err(|e| e.to_string())?;
                            self.i += 4;
                            out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                        }
                        other => return Err(format!("bad escape \\{}", other as char)),
                    }
                }
                _ => return Err("unterminated string".into()),
            }
        }
    }
}

#[cfg(test)]
mod parse_tests {
    use super::*;
    use crate::validation::json::{write_value, Value};

    #[test]
    fn parses_what_the_writer_writes() {
        let mut text = String::new();
        write_value(
            &mut text,
            &Value::Object(vec![
                ("a", Value::from("x\"y\n\u{1}")),
                ("b", Value::from(vec![1u32, 2])),
                ("c", Value::Null),
                ("d", Value::Bool(false)),
                ("e", Value::Int(-7)),
            ]),
        );
        let parsed = parse(&text).unwrap();
        assert_eq!(
            parsed.get("a").and_then(Parsed::as_str),
            Some("x\"y\n\u{1}")
        );
        assert_eq!(
            parsed.get("b").map(Parsed::render).as_deref(),
            Some("[1,2]")
        );
        assert_eq!(parsed.get("c"), Some(&Parsed::Null));
        assert_eq!(parsed.get("e").map(Parsed::render).as_deref(), Some("-7"));
        assert!(parse("{\"a\":}").is_err());
        assert!(parse("[1,2").is_err());
        assert!(parse("{} x").is_err());
    }
}
