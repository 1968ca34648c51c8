//! A small RON reader that keeps the position of every value.
//!
//! Serde-based RON readers stop at the first error and forget where values were. Scenario
//! diagnostics must point at the offending item, so the loader first reads the file into this
//! spanned tree, then converts the tree into the scenario model (see [`crate::format::load`]).
//! The grammar is the RON subset scenario files use: structs (named or not), tuples, lists,
//! maps, strings (with escapes and raw strings), numbers, booleans, characters, identifiers
//! (enum variants), `//` and nested `/* */` comments, trailing commas and `#![enable(..)]`
//! attributes.

use crate::source::diag::{Diagnostic, Span};

/// Deepest nesting a file may use; deeper input is refused rather than risk the stack.
pub const MAX_DEPTH: usize = 64;

/// A value and where it is in the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value itself.
    pub value: Value,
    /// Source range of the whole value.
    pub span: Span,
}

/// A name and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Name {
    /// The identifier text.
    pub text: String,
    /// Where it is.
    pub span: Span,
}

/// A RON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `true` or `false`.
    Bool(bool),
    /// An integer literal, from `i64::MIN` to `u64::MAX` (seeds use the whole `u64`).
    Int(i128),
    /// A floating-point literal.
    Float(f64),
    /// A string literal, unescaped.
    Str(String),
    /// A character literal.
    Char(char),
    /// A bare identifier: a unit enum variant, `None`, or a unit struct.
    Ident(String),
    /// `Name(field: value, ...)` or `(field: value, ...)`.
    Struct {
        /// The struct name, if written.
        name: Option<Name>,
        /// Fields in source order.
        fields: Vec<(Name, Node)>,
    },
    /// `Name(a, b)` or `(a, b)`; `()` is an empty unnamed tuple.
    Tuple {
        /// The tuple-struct or variant name, if written (`Some`, `Change`, ...).
        name: Option<Name>,
        /// Items in source order.
        items: Vec<Node>,
    },
    /// `[a, b, c]`.
    List(Vec<Node>),
    /// `{key: value, ...}`.
    Map(Vec<(Node, Node)>),
}

impl Value {
    /// A short description of the value's kind, for messages ("a string", "a list").
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Char(_) => "a character",
            Value::Ident(_) => "a name",
            Value::Struct { .. } => "a struct",
            Value::Tuple { .. } => "a tuple",
            Value::List(_) => "a list",
            Value::Map(_) => "a map",
        }
    }
}

/// Parses a whole RON document into a spanned tree.
pub fn parse(text: &str) -> Result<Node, Diagnostic> {
    let mut p = Parser {
        src: text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    // A byte-order mark (a file saved by a Windows editor) is not part of the document; the
    // file readers strip it, and text that reaches here with one skips it.
    if text.starts_with(crate::source::text::BOM) {
        p.pos = crate::source::text::BOM.len_utf8();
    }
    p.skip_ws()?;
    p.skip_attributes()?;
    let node = p.value()?;
    p.skip_ws()?;
    if p.pos < p.bytes.len() {
        return Err(p.err_here("unexpected text after the end of the document"));
    }
    Ok(node)
}

struct Parser<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn err_at(&self, pos: usize, msg: impl Into<String>) -> Diagnostic {
        Diagnostic::error(
            Span::new(pos, (pos + 1).min(self.bytes.len()).max(pos)),
            msg,
        )
    }

    fn err_here(&self, msg: impl Into<String>) -> Diagnostic {
        self.err_at(self.pos, msg)
    }

    fn describe_here(&self) -> String {
        match self.src[self.pos..].chars().next() {
            None => "the end of the file".to_string(),
            Some(c) if c.is_control() => format!("{c:?}"),
            Some(c) => crate::source::text::show_char(c),
        }
    }

    fn skip_ws(&mut self) -> Result<(), Diagnostic> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.pos += 1,
                Some(b'/') if self.bytes.get(self.pos + 1) == Some(&b'/') => {
                    // A line comment ends at the line's end: LF, CRLF or a lone CR.
                    while let Some(b) = self.peek() {
                        if b == b'\n' || b == b'\r' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                Some(b'/') if self.bytes.get(self.pos + 1) == Some(&b'*') => {
                    let start = self.pos;
                    self.pos += 2;
                    let mut level = 1usize;
                    while level > 0 {
                        match self.peek() {
                            None => {
                                return Err(
                                    self.err_at(start, "unterminated block comment: add `*/`")
                                );
                            }
                            Some(b'*') if self.bytes.get(self.pos + 1) == Some(&b'/') => {
                                level -= 1;
                                self.pos += 2;
                            }
                            Some(b'/') if self.bytes.get(self.pos + 1) == Some(&b'*') => {
                                level += 1;
                                self.pos += 2;
                            }
                            Some(_) => self.pos += 1,
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// Skips `#![enable(...)]` attributes at the top of the file.
    fn skip_attributes(&mut self) -> Result<(), Diagnostic> {
        while self.bytes[self.pos..].starts_with(b"#!") {
            let start = self.pos;
            while let Some(b) = self.peek() {
                self.pos += 1;
                if b == b']' {
                    break;
                }
            }
            if self.bytes.get(self.pos - 1) != Some(&b']') {
                return Err(self.err_at(start, "unterminated `#![...]` attribute"));
            }
            self.skip_ws()?;
        }
        Ok(())
    }

    fn expect(&mut self, b: u8, what: &str) -> Result<(), Diagnostic> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.err_here(format!("expected {what}, found {}", self.describe_here())))
        }
    }

    fn value(&mut self) -> Result<Node, Diagnostic> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err_here(format!(
                "values are nested more than {MAX_DEPTH} levels deep; a scenario never needs this — check for unbalanced brackets"
            )));
        }
        let r = self.value_inner();
        self.depth -= 1;
        r
    }

    fn value_inner(&mut self) -> Result<Node, Diagnostic> {
        let start = self.pos;
        let Some(b) = self.peek() else {
            return Err(self
                .err_here("expected a value, found the end of the file (is the file truncated?)"));
        };
        let value = match b {
            b'"' => Value::Str(self.string()?),
            b'r' if matches!(self.bytes.get(self.pos + 1), Some(b'"' | b'#')) => {
                Value::Str(self.raw_string()?)
            }
            b'\'' => Value::Char(self.char_lit()?),
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                self.seq(b']', "`]` to close the list", |p| {
                    items.push(p.value()?);
                    Ok(())
                })?;
                Value::List(items)
            }
            b'{' => {
                self.pos += 1;
                let mut entries = Vec::new();
                self.seq(b'}', "`}` to close the map", |p| {
                    let k = p.value()?;
                    p.skip_ws()?;
                    p.expect(b':', "`:` between a map key and its value")?;
                    p.skip_ws()?;
                    let v = p.value()?;
                    entries.push((k, v));
                    Ok(())
                })?;
                Value::Map(entries)
            }
            b'(' => self.paren_body(None)?,
            b'-' | b'+' | b'0'..=b'9' | b'.' => self.number()?,
            b if is_ident_start(b) => {
                let name = self.ident();
                match name.text.as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    "inf" | "NaN" => {
                        return Err(Diagnostic::error(
                            name.span,
                            "non-finite numbers are not allowed",
                        ));
                    }
                    _ => {
                        let save = self.pos;
                        self.skip_ws()?;
                        if self.peek() == Some(b'(') {
                            self.paren_body(Some(name))?
                        } else {
                            self.pos = save;
                            Value::Ident(name.text)
                        }
                    }
                }
            }
            _ => {
                return Err(
                    self.err_here(format!("expected a value, found {}", self.describe_here()))
                );
            }
        };
        Ok(Node {
            value,
            span: Span::new(start, self.pos),
        })
    }

    /// Parses a comma-separated sequence up to `close`, allowing a trailing comma.
    fn seq(
        &mut self,
        close: u8,
        close_desc: &str,
        mut item: impl FnMut(&mut Self) -> Result<(), Diagnostic>,
    ) -> Result<(), Diagnostic> {
        let open = self.pos - 1;
        loop {
            self.skip_ws()?;
            if self.peek() == Some(close) {
                self.pos += 1;
                return Ok(());
            }
            if self.peek().is_none() {
                return Err(self.err_at(
                    open,
                    format!("this bracket is never closed: expected {close_desc} before the end of the file"),
                ));
            }
            item(self)?;
            self.skip_ws()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(c) if c == close => {}
                None => {
                    return Err(self.err_at(
                        open,
                        format!("this bracket is never closed: expected {close_desc} before the end of the file"),
                    ));
                }
                _ => {
                    return Err(self.err_here(format!(
                        "expected `,` or {close_desc}, found {} (is a comma missing?)",
                        self.describe_here()
                    )));
                }
            }
        }
    }

    /// After `(`: a struct body (`a: 1, ...`) or a tuple body (`1, 2`).
    fn paren_body(&mut self, name: Option<Name>) -> Result<Value, Diagnostic> {
        self.expect(b'(', "`(`")?;
        // Look ahead: `ident :` (but not `::`) means struct fields.
        self.skip_ws()?;
        let save = self.pos;
        let is_struct = if self.peek().is_some_and(is_ident_start) {
            self.ident();
            self.skip_ws()?;
            let s = self.peek() == Some(b':') && self.bytes.get(self.pos + 1) != Some(&b':');
            self.pos = save;
            s
        } else {
            false
        };
        if is_struct {
            let mut fields = Vec::new();
            self.seq(b')', "`)` to close the struct", |p| {
                if !p.peek().is_some_and(is_ident_start) {
                    return Err(p.err_here(format!(
                        "expected a field name, found {}",
                        p.describe_here()
                    )));
                }
                let key = p.ident();
                p.skip_ws()?;
                p.expect(b':', "`:` after the field name")?;
                p.skip_ws()?;
                let v = p.value()?;
                fields.push((key, v));
                Ok(())
            })?;
            Ok(Value::Struct { name, fields })
        } else {
            let mut items = Vec::new();
            self.seq(b')', "`)`", |p| {
                items.push(p.value()?);
                Ok(())
            })?;
            Ok(Value::Tuple { name, items })
        }
    }

    fn ident(&mut self) -> Name {
        let start = self.pos;
        while self.peek().is_some_and(is_ident_char) {
            self.pos += 1;
        }
        Name {
            text: self.src[start..self.pos].to_string(),
            span: Span::new(start, self.pos),
        }
    }

    fn number(&mut self) -> Result<Value, Diagnostic> {
        let start = self.pos;
        if matches!(self.peek(), Some(b'-' | b'+')) {
            self.pos += 1;
        }
        let mut is_float = false;
        while let Some(b) = self.peek() {
            match b {
                b'0'..=b'9' | b'_' => self.pos += 1,
                b'.' | b'e' | b'E' => {
                    is_float = true;
                    self.pos += 1;
                    if matches!(b, b'e' | b'E') && matches!(self.peek(), Some(b'-' | b'+')) {
                        self.pos += 1;
                    }
                }
                _ => break,
            }
        }
        let text: String = self.src[start..self.pos]
            .chars()
            .filter(|c| *c != '_')
            .collect();
        let span = Span::new(start, self.pos.max(start + 1));
        if is_float {
            match text.parse::<f64>() {
                Ok(f) if f.is_finite() => Ok(Value::Float(f)),
                _ => Err(Diagnostic::error(
                    span,
                    format!("`{text}` is not a valid number"),
                )),
            }
        } else {
            let range = i128::from(i64::MIN)..=i128::from(u64::MAX);
            match text.parse::<i128>() {
                Ok(i) if range.contains(&i) => Ok(Value::Int(i)),
                _ if text.len() > 1 && text[1..].bytes().all(|b| b.is_ascii_digit()) => Err(
                    Diagnostic::error(span, format!("the number `{text}` is too large")),
                ),
                _ => Err(Diagnostic::error(
                    span,
                    format!("`{text}` is not a valid number"),
                )),
            }
        }
    }

    fn string(&mut self) -> Result<String, Diagnostic> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.src[self.pos..].chars().next() else {
                return Err(self.err_at(start, "this string is never closed: add a closing `\"`"));
            };
            self.pos += c.len_utf8();
            match c {
                '"' => return Ok(out),
                '\\' => {
                    let esc_start = self.pos - 1;
                    let Some(e) = self.src[self.pos..].chars().next() else {
                        return Err(
                            self.err_at(start, "this string is never closed: add a closing `\"`")
                        );
                    };
                    self.pos += e.len_utf8();
                    match e {
                        'n' => out.push('\n'),
                        't' => out.push('\t'),
                        'r' => out.push('\r'),
                        '0' => out.push('\0'),
                        '\\' => out.push('\\'),
                        '"' => out.push('"'),
                        '\'' => out.push('\''),
                        '\n' | '\r' => {
                            // Line continuation (after LF, CRLF or a lone CR): skip leading
                            // whitespace on the next line.
                            while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                                self.pos += 1;
                            }
                        }
                        'u' => {
                            if self.peek() != Some(b'{') {
                                return Err(self.err_at(
                                    esc_start,
                                    "a unicode escape is written `\\u{1F600}`",
                                ));
                            }
                            self.pos += 1;
                            let hs = self.pos;
                            while self.peek().is_some_and(|b| b.is_ascii_hexdigit()) {
                                self.pos += 1;
                            }
                            let hex = &self.src[hs..self.pos];
                            if self.peek() != Some(b'}') || hex.is_empty() || hex.len() > 6 {
                                return Err(self.err_at(
                                    esc_start,
                                    "a unicode escape is written `\\u{1F600}`",
                                ));
                            }
                            self.pos += 1;
                            match u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                                Some(ch) => out.push(ch),
                                None => {
                                    return Err(self.err_at(
                                        esc_start,
                                        format!("`\\u{{{hex}}}` is not a valid character"),
                                    ));
                                }
                            }
                        }
                        other => {
                            return Err(self.err_at(
                                esc_start,
                                format!("unknown escape `\\{other}` in string (write `\\\\` for a backslash)"),
                            ));
                        }
                    }
                }
                c => out.push(c),
            }
        }
    }

    fn raw_string(&mut self) -> Result<String, Diagnostic> {
        let start = self.pos;
        self.pos += 1; // r
        let mut hashes = 0;
        while self.peek() == Some(b'#') {
            hashes += 1;
            self.pos += 1;
        }
        if self.peek() != Some(b'"') {
            return Err(self.err_at(start, "a raw string is written r\"...\" or r#\"...\"#"));
        }
        self.pos += 1;
        let body_start = self.pos;
        let mut closing = String::from("\"");
        closing.push_str(&"#".repeat(hashes));
        match self.src[body_start..].find(&closing) {
            Some(rel) => {
                self.pos = body_start + rel + closing.len();
                Ok(self.src[body_start..body_start + rel].to_string())
            }
            None => Err(self.err_at(
                start,
                format!("this raw string is never closed: add `{closing}`"),
            )),
        }
    }

    fn char_lit(&mut self) -> Result<char, Diagnostic> {
        let start = self.pos;
        self.pos += 1;
        let Some(c) = self.src[self.pos..].chars().next() else {
            return Err(self.err_at(start, "this character literal is never closed"));
        };
        self.pos += c.len_utf8();
        let ch = if c == '\\' {
            let Some(e) = self.src[self.pos..].chars().next() else {
                return Err(self.err_at(start, "this character literal is never closed"));
            };
            self.pos += e.len_utf8();
            match e {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                '0' => '\0',
                '\\' => '\\',
                '\'' => '\'',
                '"' => '"',
                _ => return Err(self.err_at(start, format!("unknown escape `\\{e}`"))),
            }
        } else {
            c
        };
        if self.peek() != Some(b'\'') {
            return Err(self.err_at(
                start,
                "a character literal holds one character; use double quotes for text",
            ));
        }
        self.pos += 1;
        Ok(ch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn val(s: &str) -> Value {
        parse(s).unwrap().value
    }

    #[test]
    fn parses_structs_lists_and_spans() {
        let n = parse(
            "Point(id: \"a\", xs: [1, -2, 3.5,], s: Some(\"x\"), e: Change(Desire), u: None)",
        )
        .unwrap();
        let Value::Struct { name, fields } = n.value else {
            panic!()
        };
        assert_eq!(name.unwrap().text, "Point");
        assert_eq!(fields.len(), 5);
        assert_eq!(fields[0].1.span, Span::new(10, 13));
        assert_eq!(
            fields[1].1.value,
            Value::List(vec![
                Node {
                    value: Value::Int(1),
                    span: Span::new(20, 21)
                },
                Node {
                    value: Value::Int(-2),
                    span: Span::new(23, 25)
                },
                Node {
                    value: Value::Float(3.5),
                    span: Span::new(27, 30)
                },
            ])
        );
        assert!(
            matches!(&fields[3].1.value, Value::Tuple { name: Some(n), items } if n.text == "Change" && items.len() == 1)
        );
        assert_eq!(fields[4].1.value, Value::Ident("None".into()));
    }

    #[test]
    fn strings_comments_and_maps() {
        assert_eq!(val("\"a\\\"b\\u{e9}\""), Value::Str("a\"bé".into()));
        assert_eq!(val("r#\"raw \"q\"\"#"), Value::Str("raw \"q\"".into()));
        assert_eq!(val("/* a /* nested */ c */ // x\n true"), Value::Bool(true));
        assert!(matches!(val("{\"k\": 1}"), Value::Map(m) if m.len() == 1));
        assert_eq!(
            val("#![enable(implicit_some)]\n()"),
            Value::Tuple {
                name: None,
                items: vec![]
            }
        );
    }

    #[test]
    fn errors_point_at_the_problem() {
        let e = parse("(a: 1 b: 2)").unwrap_err();
        assert_eq!(e.span.start, 6);
        assert!(e.message.contains("comma"), "{}", e.message);
        let e = parse("(a: [1, 2").unwrap_err();
        assert_eq!(e.span.start, 4);
        assert!(e.message.contains("never closed"));
        let e = parse("(a: \"abc").unwrap_err();
        assert_eq!(e.span.start, 4);
        let deep = "[".repeat(100);
        assert!(parse(&deep).unwrap_err().message.contains("nested"));
        assert!(
            parse("99999999999999999999")
                .unwrap_err()
                .message
                .contains("too large")
        );
    }

    fn shapes(items: &[Node]) -> String {
        items
            .iter()
            .map(|i| shape(&i.value))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The value with its spans left out, to compare files whose offsets differ.
    fn shape(v: &Value) -> String {
        let name = |n: &Option<Name>| n.as_ref().map_or(String::new(), |n| n.text.clone());
        match v {
            Value::Struct { name: n, fields } => format!(
                "{}({})",
                name(n),
                fields
                    .iter()
                    .map(|(k, v)| format!("{}: {}", k.text, shape(&v.value)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Value::Tuple { name: n, items } => format!("{}({})", name(n), shapes(items)),
            Value::List(items) => format!("[{}]", shapes(items)),
            Value::Map(entries) => format!(
                "{{{}}}",
                entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", shape(&k.value), shape(&v.value)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn crlf_and_cr_only_line_endings_read_like_lf() {
        let lf = "// a comment\n(\n  a: \"x\", // another\n  b: [1, 2],\n)\n";
        let crlf = lf.replace('\n', "\r\n");
        let cr = lf.replace('\n', "\r");
        assert_eq!(shape(&val(&crlf)), shape(&val(lf)));
        assert_eq!(shape(&val(&cr)), shape(&val(lf)));
        assert_eq!(shape(&val(lf)), "(a: Str(\"x\"), b: [Int(1), Int(2)])");
    }

    #[test]
    fn line_continuations_before_crlf_and_cr() {
        let want = Value::Str("one two".into());
        assert_eq!(val("\"one \\\n   two\""), want);
        assert_eq!(val("\"one \\\r\n   two\""), want);
        assert_eq!(val("\"one \\\r   two\""), want);
    }

    #[test]
    fn a_byte_order_mark_is_skipped_and_invisible_characters_are_named() {
        assert_eq!(shape(&val("\u{feff}(a: 1)")), shape(&val("(a: 1)")));
        let e = parse("(a: \u{feff}1)").unwrap_err();
        assert!(e.message.contains("U+FEFF"), "{}", e.message);
        assert!(!e.message.contains('\u{feff}'), "{}", e.message);
        let e = parse("(a: \u{200b}1)").unwrap_err();
        assert!(e.message.contains("U+200B"), "{}", e.message);
    }
}
