//! The reader: its state, values, names and numbers (what it does after a syntax error is in
//! the module notes of [`super`]). Containers are read in [`super::containers`], strings in
//! [`super::strings`].

use std::cell::OnceCell;

use super::scan::{
    curly_at, field_ahead, first_mismatch, ident_end, is_ident_char, is_ident_start, line_end,
};
use super::{MAX_DEPTH, MAX_SYNTAX_ERRORS, Name, Node, Parsed, Value};
use crate::source::diag::{Diagnostic, LineIndex, Span};
use crate::source::text::{BOM, show_char};

/// A value could not be read. Its error is recorded already; the caller skips to where
/// reading can resume.
pub(super) struct Failed;

pub(super) type Read<T> = Result<T, Failed>;

/// The reader's state over one document.
pub(super) struct Parser<'a> {
    pub(super) src: &'a str,
    pub(super) bytes: &'a [u8],
    pub(super) pos: usize,
    pub(super) depth: usize,
    pub(super) errors: Vec<Diagnostic>,
    pub(super) complete: bool,
    pub(super) open: Vec<Open>,
    /// Set by a mend that also stands for the `,` after the value (a string closed at the end
    /// of its line, a container closed early); the sequence around it reads on without one.
    pub(super) comma_mended: bool,
    /// Reading has stopped: a fatal error, or too many.
    pub(super) halted: bool,
    pub(super) eof_reported: bool,
    /// Errors mended by a guess at the brackets (see [`Parser::guess`]).
    pub(super) guesses: usize,
    /// The record a list about to be read is likely to hold (see `Open::entry`).
    pub(super) entry_hint: Option<String>,
    /// Items that stand left of where their container opened (see [`Dedent`]).
    pub(super) dedents: Vec<Dedent>,
    /// Built on first use (a message that names a line, an indentation).
    pub(super) lines: OnceCell<LineIndex>,
}

impl<'a> Parser<'a> {
    pub(super) fn new(src: &'a str) -> Self {
        Parser {
            src,
            bytes: src.as_bytes(),
            pos: 0,
            depth: 0,
            errors: Vec::new(),
            complete: true,
            open: Vec::new(),
            comma_mended: false,
            halted: false,
            eof_reported: false,
            guesses: 0,
            entry_hint: None,
            dedents: Vec::new(),
            lines: OnceCell::new(),
        }
    }

    pub(super) fn document(mut self) -> Parsed {
        // A byte-order mark (a file saved by a Windows editor) is not part of the document; the
        // file readers strip it, and text that reaches here with one skips it.
        if self.src.starts_with(BOM) {
            self.pos = BOM.len_utf8();
        }
        self.skip_ws();
        self.skip_attributes();
        let node = if self.halted { None } else { self.value().ok() };
        self.skip_ws();
        if !self.halted && node.is_some() && self.pos < self.bytes.len() {
            let found = self.describe_token();
            // Text left over means the brackets went wrong somewhere: nothing after this is
            // read, so nothing is checked further.
            self.fail(
                self.pos,
                format!(
                    "unexpected {found} after the end of the document: everything belongs inside the outermost `(...)`; remove it, or look for a bracket closed too early before it"
                ),
            );
        }
        let mut errors = self.errors;
        errors.sort_by_key(|d| d.span.start);
        Parsed {
            complete: self.complete && node.is_some(),
            node,
            errors,
        }
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// 1-based line number of a byte offset.
    pub(super) fn line(&self, pos: usize) -> usize {
        self.lines().line_col(pos).0
    }

    /// True when a line ends between `a` and `b`.
    pub(super) fn line_break_between(&self, a: usize, b: usize) -> bool {
        self.bytes[a.min(b)..b.max(a)]
            .iter()
            .any(|&c| c == b'\n' || c == b'\r')
    }

    /// Columns of blank space at the start of the line holding `pos` (a tab counts 4).
    pub(super) fn indent(&self, pos: usize) -> usize {
        let start = self.lines().line_start(pos);
        self.bytes[start..]
            .iter()
            .map_while(|&b| match b {
                b' ' => Some(1),
                b'\t' => Some(4),
                _ => None,
            })
            .sum()
    }

    /// Where the lines start, built on first use.
    fn lines(&self) -> &LineIndex {
        let src = self.src;
        self.lines.get_or_init(|| LineIndex::new(src))
    }

    fn record(&mut self, d: Diagnostic) {
        if self.halted {
            return;
        }
        self.errors.push(d);
        if self.errors.len() >= MAX_SYNTAX_ERRORS {
            let at = self.pos;
            self.errors.push(Diagnostic::error(
                span_at(at, self.bytes.len()),
                format!(
                    "too many syntax errors: reading stops here after {MAX_SYNTAX_ERRORS}; fix the ones above and check again"
                ),
            ));
            self.halted = true;
            self.complete = false;
        }
    }

    /// Records an error whose mistake the reader has mended: the tree holds what was meant.
    pub(super) fn mend(&mut self, at: usize, message: impl Into<String>) {
        self.record(Diagnostic::error(span_at(at, self.bytes.len()), message));
    }

    /// Records an error mended by a guess at the file's brackets (a bracket missing or one too
    /// many in the middle of the file). One such guess is trusted; after two, what the tree
    /// holds is too uncertain to check further ([`Parsed::complete`] is false).
    pub(super) fn guess(&mut self, at: usize, message: impl Into<String>) {
        self.mend(at, message);
        self.guesses += 1;
        if self.guesses > 1 {
            self.complete = false;
        }
    }

    /// Records an error after which some text cannot be read.
    pub(super) fn fail(&mut self, at: usize, message: impl Into<String>) -> Failed {
        self.record(Diagnostic::error(span_at(at, self.bytes.len()), message));
        self.complete = false;
        Failed
    }

    /// Records an error that ends reading (the rest of the file is in a comment, or nested
    /// too deep).
    pub(super) fn halt(&mut self, at: usize, message: impl Into<String>) -> Failed {
        let f = self.fail(at, message);
        self.halted = true;
        f
    }

    /// What is at the reading position, for messages: a whole word, a character, or the end
    /// of the file.
    pub(super) fn describe_token(&self) -> String {
        let rest = &self.src[self.pos..];
        let end = ident_end(self.bytes, self.pos);
        if end > self.pos {
            return format!("`{}`", &self.src[self.pos..end]);
        }
        match rest.chars().next() {
            None => "the end of the file".to_string(),
            Some(c) if c.is_control() => format!("{c:?}"),
            Some(c) if curly_at(rest).is_some() => format!("a curly quote `{c}`"),
            Some(c) => show_char(c),
        }
    }

    pub(super) fn skip_ws(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.pos += 1,
                Some(b'/') if self.bytes.get(self.pos + 1) == Some(&b'/') => {
                    // A line comment ends at the line's end: LF, CRLF or a lone CR.
                    self.pos = line_end(self.bytes, self.pos);
                }
                Some(b'/') if self.bytes.get(self.pos + 1) == Some(&b'*') => {
                    let start = self.pos;
                    self.pos += 2;
                    let mut level = 1usize;
                    while level > 0 {
                        match self.peek() {
                            None => {
                                self.halt(start, "unterminated block comment: add `*/`");
                                return;
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
                _ => return,
            }
        }
    }

    /// Skips `#![enable(...)]` attributes at the top of the file.
    pub(super) fn skip_attributes(&mut self) {
        while !self.halted && self.bytes[self.pos..].starts_with(b"#!") {
            let start = self.pos;
            match self.bytes[self.pos..].iter().position(|&b| b == b']') {
                Some(i) => self.pos += i + 1,
                None => {
                    self.halt(start, "unterminated `#![...]` attribute");
                    return;
                }
            }
            self.skip_ws();
        }
    }

    pub(super) fn value(&mut self) -> Read<Node> {
        if self.halted {
            return Err(Failed);
        }
        if self.depth >= MAX_DEPTH {
            return Err(self.halt(
                self.pos,
                format!(
                    "values are nested more than {MAX_DEPTH} levels deep; a scenario never needs this — check for unbalanced brackets"
                ),
            ));
        }
        self.depth += 1;
        let r = self.value_inner();
        self.depth -= 1;
        r
    }

    fn value_inner(&mut self) -> Read<Node> {
        let start = self.pos;
        let entry = self.entry_hint.take();
        let Some(b) = self.peek() else {
            if self.open.is_empty() {
                return Err(self.fail(
                    start,
                    "expected a value, found the end of the file (is the file truncated?)",
                ));
            }
            // The bracket left open is reported by its sequence.
            self.complete = false;
            return Err(Failed);
        };
        let value = match b {
            b'"' => self.string_value(),
            b'r' if matches!(self.bytes.get(self.pos + 1), Some(b'"' | b'#')) => {
                Value::Str(self.raw_string()?)
            }
            b'\'' => Value::Char(self.char_lit()?),
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                self.seq(start, Kind::List, entry.as_deref(), |p| {
                    items.push(p.value()?);
                    Ok(())
                });
                Value::List(items)
            }
            b'{' => {
                self.pos += 1;
                let mut entries = Vec::new();
                self.seq(start, Kind::Map, None, |p| {
                    let k = p.value()?;
                    p.skip_ws();
                    if p.peek() != Some(b':') {
                        let found = p.describe_token();
                        return Err(p.fail(
                            p.pos,
                            format!("expected `:` between a map key and its value, found {found}"),
                        ));
                    }
                    p.pos += 1;
                    p.skip_ws();
                    let v = p.value()?;
                    entries.push((k, v));
                    Ok(())
                });
                Value::Map(entries)
            }
            b'(' => self.paren_body(None),
            b'-' | b'+' | b'0'..=b'9' | b'.' => self.number()?,
            b if is_ident_start(b) => {
                if let Some(r) = self.entry_name_missing(start) {
                    let open = if r.is_empty() {
                        "(".to_string()
                    } else {
                        format!("{r}(")
                    };
                    self.guess(
                        start,
                        format!(
                            "`{open}` is missing before this field: each entry of the list starts with it"
                        ),
                    );
                    let name = Name {
                        text: r,
                        span: Span::new(start, start),
                    };
                    let value = self.struct_body((!name.text.is_empty()).then_some(name), start);
                    return Ok(Node {
                        value,
                        span: Span::new(start, self.pos),
                    });
                }
                if let Some(text) = self.unopened_string() {
                    return Ok(Node {
                        value: text,
                        span: Span::new(start, self.pos),
                    });
                }
                let name = self.ident();
                match name.text.as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    "inf" | "NaN" => {
                        return Err(
                            self.fail(name.span.start, "non-finite numbers are not allowed")
                        );
                    }
                    _ => {
                        let save = self.pos;
                        self.skip_ws();
                        if self.peek() == Some(b'(') {
                            self.paren_body(Some(name))
                        } else if name.text.starts_with(|c: char| c.is_ascii_uppercase())
                            && field_ahead(self.bytes, self.pos)
                            && match self.line_break_between(save, self.pos) {
                                true => self.indent(self.pos) > self.indent(save),
                                false => self.paren_missing_fits(),
                            }
                        {
                            // `State engagement: 4`, or `Option` alone on its line with its
                            // fields indented below: the `(` is missing. (A field below at the
                            // same indentation is the next field: a comma is missing.)
                            let text = &name.text;
                            self.guess(
                                save,
                                format!("a `(` is missing after `{text}`: write `{text}(`"),
                            );
                            self.struct_body(Some(name), save)
                        } else {
                            self.pos = save;
                            Value::Ident(name.text)
                        }
                    }
                }
            }
            _ if curly_at(&self.src[start..]).is_some() => self.curly_string(),
            _ => match self.unopened_string() {
                Some(text) => text,
                None => {
                    let found = self.describe_token();
                    return Err(self.fail(start, format!("expected a value, found {found}")));
                }
            },
        };
        Ok(Node {
            value,
            span: Span::new(start, self.pos),
        })
    }

    /// At a field right after a name on its line (`State engagement: 4` or `Short glasses:
    /// false`): true when a `(` missing after the name keeps the brackets of the rest of the
    /// file matched longer than a `,` missing before the field does.
    fn paren_missing_fits(&self) -> bool {
        let awaited = self.awaited();
        let mut with_paren = awaited.clone();
        with_paren.push(b')');
        let never = usize::MAX;
        let paren = first_mismatch(self.bytes, self.pos, &with_paren).unwrap_or(never);
        let comma = first_mismatch(self.bytes, self.pos, &awaited).unwrap_or(never);
        paren > comma
    }

    pub(super) fn ident(&mut self) -> Name {
        let start = self.pos;
        while self.peek().is_some_and(is_ident_char) {
            self.pos += 1;
        }
        Name {
            text: self.src[start..self.pos].to_string(),
            span: Span::new(start, self.pos),
        }
    }

    fn number(&mut self) -> Read<Value> {
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
        if is_float {
            return match text.parse::<f64>() {
                Ok(f) if f.is_finite() => Ok(Value::Float(f)),
                _ => Err(self.fail(start, format!("`{text}` is not a valid number"))),
            };
        }
        let range = i128::from(i64::MIN)..=i128::from(u64::MAX);
        match text.parse::<i128>() {
            Ok(i) if range.contains(&i) => Ok(Value::Int(i)),
            _ if text.len() > 1 && text[1..].bytes().all(|b| b.is_ascii_digit()) => {
                Err(self.fail(start, format!("the number `{text}` is too large")))
            }
            _ => Err(self.fail(start, format!("`{text}` is not a valid number"))),
        }
    }
}

/// A one-byte span at `pos` (empty at the end of the text).
fn span_at(pos: usize, len: usize) -> Span {
    Span::new(pos, (pos + 1).min(len).max(pos))
}

/// What a container holds, which decides what may stand where an item belongs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Struct,
    Tuple,
    List,
    Map,
}

/// A bracket open now.
pub(super) struct Open {
    /// The byte that closes it.
    pub(super) close: u8,
    /// Where it is.
    pub(super) at: usize,
    /// How messages name it: "`Point(`", "the list `[`".
    pub(super) what: String,
    /// Where its last item read starts.
    pub(super) item_at: Option<usize>,
    /// For a list that is a field's value, the record its entries are likely to be, from the
    /// field's name (`Option` for `options`).
    pub(super) entry: Option<String>,
}

/// An item on a line of its own that stands no further right than the line its container
/// opened on, though the container's first item was indented or on that line: in a
/// well-indented file, the container's closing bracket was forgotten before it. Used only to
/// explain a bracket found missing later (valid RON does not care about indentation).
pub(super) struct Dedent {
    /// The end of the item before it, where the bracket belongs.
    pub(super) at: usize,
    pub(super) close: u8,
    pub(super) open_at: usize,
    pub(super) what: String,
}
