//! A small RON reader that keeps the position of every value.
//!
//! Serde-based RON readers stop at the first error and forget where values were. Scenario
//! diagnostics must point at the offending item, so the loader first reads the file into this
//! spanned tree, then converts the tree into the scenario model (see [`crate::format::load`]).
//! The grammar is the RON subset scenario files use: structs (named or not), tuples, lists,
//! maps, strings (with escapes and raw strings), numbers, booleans, characters, identifiers
//! (enum variants), `//` and nested `/* */` comments, trailing commas and `#![enable(..)]`
//! attributes.
//!
//! The reader is written for people who have never seen RON. It does not stop at the first
//! syntax error: each error names its likely cause in plain words (a quote inside the text, curly
//! quotes, a `when` condition without quotes, a missing comma or bracket), is placed where the
//! fix goes, and is mended where the author's intent is clear, so the errors after it are found
//! in the same run ([`parse_all`]). Where it is not clear, the reader skips to the next `,` or
//! closing bracket at the same depth and reads on ([`Parsed::complete`] is then false).

mod containers;
mod fields;
mod parser;
mod scan;
mod strings;

use crate::source::diag::{Diagnostic, Span};

/// Deepest nesting a file may use; deeper input is refused rather than risk the stack.
pub const MAX_DEPTH: usize = 64;

/// Most syntax errors reported for one file; the reader stops after them (a file of binary
/// junk would otherwise give one error per comma).
pub const MAX_SYNTAX_ERRORS: usize = 50;

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

/// A document read with all of its syntax errors.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The document as far as it could be read; `None` when not even its first value could.
    pub node: Option<Node>,
    /// Every syntax error, in source order; empty when the document is well formed.
    pub errors: Vec<Diagnostic>,
    /// True when every error was mended in place (a missing comma or bracket added, a string's
    /// quotes put right, a `when` condition read as if quoted) and at most one mend guessed at
    /// the brackets: the tree then holds what the author wrote, and checks on it find real
    /// mistakes. False when some text had to be skipped, or the brackets are too uncertain:
    /// checks on the tree would report consequences of the syntax errors.
    pub complete: bool,
}

/// Parses a whole RON document into a spanned tree; the first syntax error if any.
pub fn parse(text: &str) -> Result<Node, Diagnostic> {
    let Parsed { node, errors, .. } = parse_all(text);
    match (node, errors.into_iter().next()) {
        (Some(node), None) => Ok(node),
        (_, Some(e)) => Err(e),
        (None, None) => Err(Diagnostic::error(
            Span::new(0, 0),
            "the file holds no value",
        )),
    }
}

/// Parses a whole RON document, reading on after each syntax error (see the module notes).
pub fn parse_all(text: &str) -> Parsed {
    parser::Parser::new(text).document()
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
        assert_eq!(e.message, "a `,` is missing before `b`");
        let e = parse("(a: [1, 2").unwrap_err();
        assert_eq!(e.span.start, 4);
        assert!(e.message.contains("never closed"));
        // The string, and the struct around it, are never closed.
        let starts: Vec<usize> = parse_all("(a: \"abc")
            .errors
            .iter()
            .map(|e| e.span.start)
            .collect();
        assert_eq!(starts, [0, 4]);
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
