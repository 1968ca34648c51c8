//! Containers — structs, tuples, lists and maps — and what the reader does when their commas
//! and brackets are wrong: a missing `,` or closing bracket is reported where it belongs and
//! added, a bracket too many is skipped, an item that cannot be read is skipped to the next `,`.
//! Struct fields are read in [`super::fields`].

use super::parser::{Dedent, Kind, Open, Parser, Read};
use super::scan::{
    curly_at, field_ahead, first_mismatch, ident_end, is_closer, is_ident_start, record_ahead,
    skip_space, sync,
};
use super::{Name, Value};

impl Parser<'_> {
    /// The brackets open now wait for these bytes.
    pub(super) fn awaited(&self) -> Vec<u8> {
        self.open.iter().map(|o| o.close).collect()
    }

    /// Reads a comma-separated sequence of items up to its closing bracket (a trailing comma is
    /// fine); the opening bracket at `open_at` is read. After an item that cannot be read,
    /// skips to the next `,` or awaited bracket and reads on. The container is always
    /// produced, with the items read.
    pub(super) fn seq(
        &mut self,
        open_at: usize,
        kind: Kind,
        record: Option<&str>,
        mut item: impl FnMut(&mut Self) -> Read<()>,
    ) {
        let close = match kind {
            Kind::Struct | Kind::Tuple => b')',
            Kind::List => b']',
            Kind::Map => b'}',
        };
        let what = match (kind, record) {
            (Kind::Struct | Kind::Tuple, Some(name)) => format!("`{name}(`"),
            (Kind::Struct | Kind::Tuple, None) => "the `(`".to_string(),
            (Kind::List, _) => "the list `[`".to_string(),
            (Kind::Map, _) => "the map `{`".to_string(),
        };
        self.open.push(Open {
            close,
            at: open_at,
            what,
            item_at: None,
            entry: match kind {
                Kind::List => record.map(str::to_string),
                _ => None,
            },
        });
        let open_indent = self.indent(open_at);
        let mut body_indent = None;
        // The end of the last item read, and whether a `,` is still owed after it.
        let mut last_end: Option<usize> = None;
        let mut owed = false;
        loop {
            if self.halted {
                break;
            }
            self.skip_ws();
            let Some(c) = self.peek() else {
                self.unclosed_at_end();
                break;
            };
            if c == close {
                self.pos += 1;
                break;
            }
            if is_closer(c) {
                if self.closes_further_out(c) {
                    // A bracket further out closes here, so this one's closing is missing.
                    self.missing_close(last_end.unwrap_or(open_at + 1));
                    break;
                }
                let shown = c as char;
                self.guess(
                    self.pos,
                    format!(
                        "this `{shown}` is one too many: no bracket open here is closed by it; remove it"
                    ),
                );
                self.pos += 1;
                // A `,` after it is the comma after the last item.
                owed = last_end.is_some();
                continue;
            }
            if c == b',' && std::mem::take(&mut owed) {
                // The comma after an item, behind a bracket that was one too many.
                self.pos += 1;
                continue;
            }
            if let Some(end) = last_end
                && self.closed_before_here(kind, record)
            {
                self.missing_close(end);
                self.comma_mended = true;
                break;
            }
            if c == b',' {
                // A `,` where an item belongs: what stood between it and the last item (a
                // closing bracket) was left out, or it is one too many.
                let at = skip_space(self.bytes, self.pos + 1);
                let next = self.bytes.get(at).copied();
                if next.is_some_and(|n| is_closer(n) && n != close) {
                    // Where a closing bracket was left out; the bracket after it tells which.
                    self.pos += 1;
                    continue;
                }
                let dedented = last_end.is_some_and(|end| self.line_break_between(end, at))
                    && body_indent.is_some_and(|b| b > open_indent)
                    && self.indent(at) <= open_indent;
                if let (Some(end), true) = (last_end, dedented && next.is_some()) {
                    self.missing_close(end);
                    self.comma_mended = true;
                    break;
                }
                self.mend(self.pos, "this `,` is one too many: remove it");
                self.pos += 1;
                continue;
            }
            if let Some(end) = last_end {
                if self.line_break_between(end, self.pos)
                    && self.indent(self.pos) <= open_indent
                    && body_indent.is_none_or(|b| b > open_indent)
                {
                    self.note_dedent(end);
                }
                if std::mem::take(&mut owed) && !self.missing_comma(kind, end) {
                    continue;
                }
            } else if self.line_break_between(open_at, self.pos) {
                body_indent = Some(self.indent(self.pos));
            }
            let before = self.pos;
            let read = item(self).is_ok();
            if read {
                last_end = Some(self.pos);
                if let Some(open) = self.open.last_mut() {
                    open.item_at = Some(before);
                }
            } else {
                let awaited = self.awaited();
                self.pos = sync(self.bytes, self.pos.max(before), &awaited);
            }
            owed = false;
            let mended = std::mem::take(&mut self.comma_mended);
            self.skip_ws();
            if self.peek() == Some(b',') {
                self.pos += 1;
            } else {
                owed = read && !mended;
            }
        }
        self.open.pop();
    }

    /// At a closing bracket `c` that is not the innermost bracket's: true when it closes a
    /// bracket further out (the innermost one's closing is missing), false when it is one too
    /// many. Decided by which reading keeps the brackets of the rest of the file matched
    /// longer; on a tie, the missing bracket.
    fn closes_further_out(&self, c: u8) -> bool {
        let awaited = self.awaited();
        let Some(outer) = awaited.len().checked_sub(1).map(|n| &awaited[..n]) else {
            return false;
        };
        if !outer.contains(&c) {
            return false;
        }
        let never = usize::MAX;
        let missing = first_mismatch(self.bytes, self.pos, outer).unwrap_or(never);
        let extra = first_mismatch(self.bytes, self.pos + 1, &awaited).unwrap_or(never);
        extra <= missing
    }

    /// True when the item at the reading position (after a stray `,`, if one stands there)
    /// shows that this container's closing bracket was forgotten: a record of the container's
    /// own name where a field belongs (`Point(` inside `Point(`), or a field where a list or
    /// tuple entry belongs (`Sustain(Reasons,` before `mood:`).
    fn closed_before_here(&self, kind: Kind, record: Option<&str>) -> bool {
        let at = match self.peek() {
            Some(b',') => skip_space(self.bytes, self.pos + 1),
            _ => self.pos,
        };
        match kind {
            Kind::Struct => {
                record.is_some() && record_ahead(self.src, at).is_some_and(|r| Some(r) == record)
            }
            Kind::List => field_ahead(self.bytes, at) && self.entry_name_missing(at).is_none(),
            Kind::Tuple => field_ahead(self.bytes, at),
            Kind::Map => false,
        }
    }

    /// At a field `at` where an entry of the innermost list belongs, indented deeper than the
    /// entry before it: the entry's opening (`Option(`) was lost. Its name, from the entry
    /// before (empty when that one has none).
    pub(super) fn entry_name_missing(&self, at: usize) -> Option<String> {
        let open = self.open.last().filter(|o| o.close == b']')?;
        let before = open.item_at.unwrap_or(open.at);
        let deeper = field_ahead(self.bytes, at)
            && self.line_break_between(before, at)
            && self.indent(at) > self.indent(before);
        let name = match open.item_at {
            Some(prev) => record_ahead(self.src, prev).map(str::to_string),
            None => open.entry.clone(),
        };
        deeper.then(|| name.unwrap_or_default())
    }

    /// Reports the `,` missing between the item that ended at `prev_end` and the reading
    /// position. True when an item follows (read on as if the comma were there); false after
    /// skipping text that is no item.
    fn missing_comma(&mut self, kind: Kind, prev_end: usize) -> bool {
        let at = self.pos;
        let found = self.describe_token();
        let item_follows = match kind {
            Kind::Struct => field_ahead(self.bytes, at),
            Kind::Tuple | Kind::List | Kind::Map => self.value_starts_here(),
        };
        if item_follows {
            if self.line_break_between(prev_end, at) {
                let line = self.line(at);
                self.mend(
                    prev_end,
                    format!(
                        "a `,` is missing at the end of this line, before {found} on line {line}"
                    ),
                );
            } else {
                self.mend(at, format!("a `,` is missing before {found}"));
            }
            return true;
        }
        let close = self.open.last().map_or(')', |o| o.close as char);
        self.fail(
            at,
            format!("expected `,` or `{close}` after the value, found {found}"),
        );
        let awaited = self.awaited();
        self.pos = sync(self.bytes, self.pos, &awaited);
        if self.peek() == Some(b',') {
            self.pos += 1;
        }
        false
    }

    fn value_starts_here(&self) -> bool {
        match self.peek() {
            Some(b'"' | b'\'' | b'[' | b'(' | b'{' | b'-' | b'+' | b'.' | b'0'..=b'9') => true,
            Some(b) => is_ident_start(b) || curly_at(&self.src[self.pos..]).is_some(),
            None => false,
        }
    }

    /// Reports the innermost open bracket's closing bracket as missing at `at` — or, when a
    /// bracket inside it swallowed items indented as if it were closed, that one's.
    fn missing_close(&mut self, at: usize) {
        let Some(open) = self.open.last() else {
            return;
        };
        let (close, line) = (open.close as char, self.line(open.at));
        let what = open.what.clone();
        let inner = self
            .dedents
            .iter()
            .find(|d| d.open_at > open.at && d.at >= open.at)
            .map(|d| (d.at, d.close as char, d.open_at, d.what.clone()));
        match inner {
            Some((at, close, open_at, what)) => {
                let line = self.line(open_at);
                self.fail(
                    at,
                    format!(
                        "a `{close}` is missing here: it closes {what} on line {line} (the lines after it are indented as if it were closed)"
                    ),
                );
            }
            None => self.guess(
                at,
                format!("a `{close}` is missing here: it closes {what} on line {line}"),
            ),
        }
    }

    fn note_dedent(&mut self, at: usize) {
        if let Some(open) = self.open.last() {
            let d = Dedent {
                at,
                close: open.close,
                open_at: open.at,
                what: open.what.clone(),
            };
            self.dedents.push(d);
        }
    }

    /// The file ends with brackets open: reports the innermost, once.
    fn unclosed_at_end(&mut self) {
        if std::mem::replace(&mut self.eof_reported, true) || self.halted {
            return;
        }
        let Some(open) = self.open.last() else {
            return;
        };
        let (close, at, what) = (open.close as char, open.at, open.what.clone());
        if self.open.len() > 1 {
            self.fail(
                at,
                format!(
                    "this bracket is never closed: expected `{close}` to close {what} before the end of the file (is the file cut short?)"
                ),
            );
            return;
        }
        // Only the outermost bracket is open: one closing bracket is missing somewhere. In an
        // indented file, where an item first stands left of its container's first line.
        match self.dedents.first() {
            Some(d) => {
                let (close, line) = (d.close as char, self.line(d.open_at));
                let (d_at, d_what) = (d.at, d.what.clone());
                let outer = self.line(at);
                self.fail(
                    d_at,
                    format!(
                        "a `{close}` is missing here: it closes {d_what} on line {line} (the lines after it are indented as if it were closed, and the file ends with {what} on line {outer} still open)"
                    ),
                );
            }
            // (A file cut short looks the same, and its missing fields would be noise: the
            // checks after syntax wait for the bracket.)
            None => _ = self.fail(
                at,
                format!(
                    "this bracket is never closed: add `{close}` at the end of the file to close {what}"
                ),
            ),
        }
    }

    /// After `(`: a struct body (`a: 1, ...`) or a tuple body (`1, 2`).
    pub(super) fn paren_body(&mut self, name: Option<Name>) -> Value {
        let open_at = self.pos;
        self.pos += 1;
        self.skip_ws();
        // Look ahead: `ident :` (but not `::`), also across a line break, means struct fields.
        let end = ident_end(self.bytes, self.pos);
        let mut colon = end;
        while matches!(self.bytes.get(colon), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            colon += 1;
        }
        let is_struct = end > self.pos
            && (self.bytes.get(colon) == Some(&b':') && self.bytes.get(colon + 1) != Some(&b':')
                || self.colon_missing_at(end));
        let record = name.as_ref().map(|n| n.text.clone());
        if is_struct {
            self.struct_body(name, open_at)
        } else {
            let mut items = Vec::new();
            self.seq(open_at, Kind::Tuple, record.as_deref(), |p| {
                items.push(p.value()?);
                Ok(())
            });
            Value::Tuple { name, items }
        }
    }
}
