//! Struct fields — `name: value` — and the mistakes made in them: a field name in quotes or
//! without its `:`, a list without its `[`, a record standing where a field belongs, a `when`
//! condition without quotes.

use super::parser::Kind;
use super::parser::{Parser, Read};
use super::scan::{field_ahead, ident_end, is_ident_start, line_end, record_ahead, skip_blanks};
use super::{Name, Node, Value};
use crate::source::diag::Span;

impl Parser<'_> {
    /// The fields of a struct up to its `)`; its `(` (at `open_at`, or missing there) is read.
    pub(super) fn struct_body(&mut self, name: Option<Name>, open_at: usize) -> Value {
        let record = name.as_ref().map(|n| n.text.clone());
        let mut fields = Vec::new();
        self.seq(open_at, Kind::Struct, record.as_deref(), |p| {
            p.field(&mut fields)
        });
        Value::Struct { name, fields }
    }

    /// True when the name that ends at `end` is followed on its line by a value that no tuple
    /// entry could be followed by (`id "x"`, `age 40`): a field whose `:` is missing.
    pub(super) fn colon_missing_at(&self, end: usize) -> bool {
        let at = skip_blanks(self.bytes, end);
        let value = match self.bytes.get(at) {
            Some(b'"' | b'\'' | b'0'..=b'9' | b'-' | b'+' | b'[' | b'{' | b'=') => true,
            // `mood Calm`; not `name (...)`, a record with a space before its bracket.
            Some(&b) if is_ident_start(b) => {
                let after = skip_blanks(self.bytes, ident_end(self.bytes, at));
                self.bytes.get(after) != Some(&b'(') && !field_ahead(self.bytes, at)
            }
            _ => false,
        };
        at > end && value
    }

    /// One `name: value` of a struct.
    fn field(&mut self, fields: &mut Vec<(Name, Node)>) -> Read<()> {
        if let Some(r) = record_ahead(self.src, self.pos) {
            let r = r.to_string();
            fields.push(self.unnamed_list(&r));
            return Ok(());
        }
        let key = match self.quoted_field_name() {
            Some(key) => key,
            None => self.field_name()?,
        };
        let end = self.pos;
        if self.colon_missing_at(end) {
            let at = skip_blanks(self.bytes, end);
            let (k, eq) = (&key.text, self.bytes[at] == b'=');
            let msg = match eq {
                true => format!("write `{k}:`, with a colon, not `{k} =`"),
                false => format!("a `:` is missing after the field name: write `{k}:`"),
            };
            self.mend(if eq { at } else { end }, msg);
            self.pos = if eq { at + 1 } else { at };
            self.skip_ws();
            let value = self.value()?;
            fields.push((key, value));
            return Ok(());
        }
        self.skip_ws();
        if self.peek() != Some(b':') {
            let found = self.describe_token();
            return Err(self.fail(
                self.pos,
                format!(
                    "expected `:` after the field name `{}`, found {found}",
                    key.text
                ),
            ));
        }
        self.pos += 1;
        self.skip_ws();
        let value = match key.text.as_str() {
            "when" => self.condition_value()?,
            _ if self.list_opening_missing() => self.list_without_opening(),
            k => {
                // A list's entries are likely records named after it: `options` → `Option`.
                self.entry_hint = k.strip_suffix('s').map(|one| {
                    let mut c = one.chars();
                    c.next().map_or(String::new(), |f| {
                        f.to_uppercase().collect::<String>() + c.as_str()
                    })
                });
                self.value()?
            }
        };
        fields.push((key, value));
        Ok(())
    }

    /// True when the first bracket in the rest of a field's value on its line (outside strings,
    /// up to the next field) is a `]`: the value is a list whose `[` is missing (`codes:
    /// OpenQuestion, Affirm],`). In a well-formed file the first closing bracket after a field
    /// of a struct is the struct's `)`.
    fn list_opening_missing(&self) -> bool {
        let end = line_end(self.bytes, self.pos);
        let mut i = self.pos;
        while i < end {
            match self.bytes[i] {
                b']' => return true,
                b'(' | b'[' | b'{' | b')' | b'}' => return false,
                // The next field: this value ended without a bracket.
                b',' if field_ahead(self.bytes, skip_blanks(self.bytes, i + 1)) => return false,
                b'/' if matches!(self.bytes.get(i + 1), Some(b'/' | b'*')) => return false,
                b'"' => {
                    i += 1;
                    while i < end && self.bytes[i] != b'"' {
                        i += if self.bytes[i] == b'\\' { 2 } else { 1 };
                    }
                }
                _ => {}
            }
            i += 1;
        }
        false
    }

    /// A list whose `[` is missing, read up to its `]`.
    fn list_without_opening(&mut self) -> Node {
        let start = self.pos;
        self.mend(
            start,
            "a `[` is missing before this value: a list is written `[a, b]`",
        );
        let mut items = Vec::new();
        self.seq(start, Kind::List, None, |p| {
            items.push(p.value()?);
            Ok(())
        });
        Node {
            value: Value::List(items),
            span: Span::new(start, self.pos),
        }
    }

    /// A field name written in quotes (`"age": 40`): reported, and read as the name.
    fn quoted_field_name(&mut self) -> Option<Name> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let start = self.pos + 1;
        let end = ident_end(self.bytes, start);
        if end == start || self.bytes.get(end) != Some(&b'"') {
            return None;
        }
        let colon = skip_blanks(self.bytes, end + 1);
        if self.bytes.get(colon) != Some(&b':') {
            return None;
        }
        let text = self.src[start..end].to_string();
        self.mend(
            self.pos,
            format!("field names are written without quotes: write `{text}:`"),
        );
        self.pos = end + 1;
        Some(Name {
            text,
            span: Span::new(start, end),
        })
    }

    fn field_name(&mut self) -> Read<Name> {
        if !self.peek().is_some_and(is_ident_start) {
            let found = self.describe_token();
            return Err(self.fail(
                self.pos,
                format!("expected a field name (like `id:`), found {found}"),
            ));
        }
        Ok(self.ident())
    }

    /// Records where a field belongs (`Line(` inside a `Point(`, no `lines: [` before it): the
    /// likely cause is a list field whose first line was lost. Reported, and read as that list
    /// up to its `]`, under the name the record suggests (`lines`), so that the rest of the
    /// file reads as written; the guess is not checked further.
    fn unnamed_list(&mut self, r: &str) -> (Name, Node) {
        let start = self.pos;
        let field = format!("{}s", r.to_lowercase());
        self.fail(
            start,
            format!(
                "expected a field name (like `id:`), found `{r}(`: is `{field}: [` missing before it?"
            ),
        );
        let mut items = Vec::new();
        self.seq(start, Kind::List, None, |p| {
            items.push(p.value()?);
            Ok(())
        });
        let key = Name {
            text: field,
            span: Span::new(start, start),
        };
        let node = Node {
            value: Value::List(items),
            span: Span::new(start, self.pos),
        };
        (key, node)
    }

    /// The value of a `when` field: a string, or a condition written without its quotes,
    /// read as if quoted.
    fn condition_value(&mut self) -> Read<Node> {
        let start = self.pos;
        let word = &self.src[start..ident_end(self.bytes, start)];
        let bare = match self.peek() {
            Some(b'(') => true,
            Some(b) if is_ident_start(b) => !matches!(word, "None" | "Some"),
            _ => false,
        };
        if !bare {
            return self.value();
        }
        // The condition runs to the next `,` or closing bracket of its line.
        let stop = line_end(self.bytes, start);
        let (mut end, mut depth) = (start, 0usize);
        while end < stop {
            match self.bytes[end] {
                b'(' => depth += 1,
                b')' if depth > 0 => depth -= 1,
                b')' | b']' | b'}' => break,
                b',' if depth == 0 => break,
                b'/' if self.bytes.get(end + 1) == Some(&b'/') => break,
                _ => {}
            }
            end += 1;
        }
        // (Without its opening quote, the closing one may still be there.)
        let text = self.src[start..end].trim_end().trim_end_matches('"');
        self.mend(
            start,
            format!("the `when` condition must be in quotes: write `when: \"{text}\"`"),
        );
        self.pos = end;
        Ok(Node {
            value: Value::Str(text.to_string()),
            span: Span::new(start, end),
        })
    }
}
