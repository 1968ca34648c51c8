//! Strings, and the quote mistakes of people who write text in a text editor for the first
//! time: a `"` inside the text, a string never closed, curly quotes. Each is reported with its
//! likely cause and mended, so the rest of the file is read as the author meant it.

use super::Value;
use super::parser::{Parser, Read};
use super::scan::{
    CURLY_QUOTES, curly_at, field_ahead, ident_end, intended_close, is_closer, line_end,
    next_field, raw_line_break, skip_blanks, value_may_end,
};

/// The message for a `"` that ends a string inside its text.
pub(super) const INNER_QUOTE: &str = "a `\"` inside the text ends the string early: write `\\\"`";

/// The message for a string that is never closed.
pub(super) const NEVER_CLOSED: &str =
    "this string is never closed: add a closing `\"` at the end of its text";

impl Parser<'_> {
    /// A `"` string. When what follows it shows that it ended in the wrong place, the likely
    /// cause is reported and the string read as it was meant.
    pub(super) fn string_value(&mut self) -> Value {
        let start = self.pos;
        let text = self.string_body();
        let ran_on = text.is_none() || raw_line_break(self.bytes, start, self.pos);
        let after = skip_blanks(self.bytes, self.pos);
        let ended_early = !value_may_end(self.bytes, self.pos)
            && !field_ahead(self.bytes, after)
            && match self.bytes.get(after) {
                // Two strings in a row: a missing comma (or a string that ran on to the
                // opening quote of the next).
                Some(b'"') => ran_on,
                Some(b':') => false,
                _ => true,
            };
        match text {
            Some(text) if !ended_early => Value::Str(text),
            _ => Value::Str(self.mend_string(start, ran_on)),
        }
    }

    /// Reads a string's text from its opening quote to its closing one; `None` when the file
    /// ends first. A bad escape is reported and kept as written.
    fn string_body(&mut self) -> Option<String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let c = self.src[self.pos..].chars().next()?;
            self.pos += c.len_utf8();
            match c {
                '"' => return Some(out),
                '\\' => {
                    let esc_start = self.pos - 1;
                    let e = self.src[self.pos..].chars().next()?;
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
                        'u' => out.push(self.unicode_escape(esc_start)),
                        other => {
                            self.mend(
                                esc_start,
                                format!("unknown escape `\\{other}` in string (write `\\\\` for a backslash)"),
                            );
                            out.push('\\');
                            out.push(other);
                        }
                    }
                }
                c => out.push(c),
            }
        }
    }

    /// After `\u`: `{hex}`. A mistake is reported, and reads as U+FFFD.
    fn unicode_escape(&mut self, esc_start: usize) -> char {
        let written = "a unicode escape is written `\\u{1F600}`";
        if self.peek() != Some(b'{') {
            self.mend(esc_start, written);
            return char::REPLACEMENT_CHARACTER;
        }
        self.pos += 1;
        let hs = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_hexdigit()) {
            self.pos += 1;
        }
        let hex = &self.src[hs..self.pos];
        if self.peek() != Some(b'}') || hex.is_empty() || hex.len() > 6 {
            self.mend(esc_start, written);
            return char::REPLACEMENT_CHARACTER;
        }
        self.pos += 1;
        match u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
            Some(ch) => ch,
            None => {
                let msg = format!("`\\u{{{hex}}}` is not a valid character");
                self.mend(esc_start, msg);
                char::REPLACEMENT_CHARACTER
            }
        }
    }

    /// The string that starts at `start` ended in the wrong place (or never): reports why, in
    /// order of likelihood, and reads it as meant. `ran_on`: its text crossed a line end or
    /// reached the end of the file.
    fn mend_string(&mut self, start: usize, ran_on: bool) -> String {
        let end = line_end(self.bytes, start);
        // A curly quote at the end of the text on its first line: `"Hello”,`.
        if let Some((q, c)) = self.curly_close(start + 1, end) {
            self.mend(
                q,
                format!("curly quotes: use straight quotes: this text starts with `\"` but ends with `{c}`"),
            );
            self.pos = q + c.len_utf8();
            return self.src[start + 1..q].to_string();
        }
        if ran_on {
            self.mend(start, NEVER_CLOSED);
            // On a line that goes on with more fields (`text: "Hi, talk: Neutral)`), the text
            // ends before them.
            if let Some(comma) = next_field(self.bytes, start + 1, end) {
                self.pos = comma;
                return self.src[start + 1..comma].to_string();
            }
            return self.text_to_line_end(start + 1, end);
        }
        // The text swallowed the next field up to its opening quote: `"Hi, talk: "x"`.
        if let Some(comma) = next_field(self.bytes, start + 1, self.pos - 1) {
            self.mend(start, NEVER_CLOSED);
            self.pos = comma;
            return self.src[start + 1..comma].to_string();
        }
        // A quote inside the text: `"He said "stop" twice"`.
        self.mend(self.pos - 1, INNER_QUOTE);
        match intended_close(self.bytes, self.pos, end) {
            Some(q) => {
                self.pos = q + 1;
                self.src[start + 1..q].to_string()
            }
            None => self.text_to_line_end(start + 1, end),
        }
    }

    /// Reads a string's text as running to the end of its line, which also stands for the
    /// comma after it.
    fn text_to_line_end(&mut self, from: usize, end: usize) -> String {
        let mut text = &self.src[from..end];
        // Not a comment after it (` // ...`).
        if let Some(c) = text.find(" //").or_else(|| text.find("\t//")) {
            text = &text[..c];
        }
        let text = text.trim_end();
        // A `,` at the end, and closing brackets before it that close what is open, innermost
        // first (`after: ["opening.ask],`, `ending: "gone"),`), belong to the file, not to
        // the text.
        let bare = text.strip_suffix(',').unwrap_or(text);
        let mut keep = bare.len();
        let mut awaited = self.awaited().into_iter().rev();
        let bytes = bare.as_bytes();
        while keep > 0 && is_closer(bytes[keep - 1]) && awaited.next() == Some(bytes[keep - 1]) {
            keep -= 1;
        }
        if keep < text.len() {
            self.pos = from + keep;
        } else {
            self.pos = end;
            self.comma_mended = true;
        }
        text[..keep].to_string()
    }

    /// The first curly quote in `[from, end)` that a value may end after.
    fn curly_close(&self, from: usize, end: usize) -> Option<(usize, char)> {
        self.src[from..end]
            .char_indices()
            .map(|(i, c)| (from + i, c))
            .find(|&(i, c)| {
                CURLY_QUOTES.contains(&c) && value_may_end(self.bytes, i + c.len_utf8())
            })
    }

    /// Text whose opening quote is missing (`text: Hello there.",`): reported and read as the
    /// string, when a value may end after the next `"` on its line, and no comment or further
    /// field comes before that quote.
    pub(super) fn unopened_string(&mut self) -> Option<Value> {
        let start = self.pos;
        // After a name that is a value of its own (`Calm,`, `Change(`, `A]`), not text.
        let word_end = ident_end(self.bytes, start);
        let after = skip_blanks(self.bytes, word_end);
        let prose = |at: usize| {
            let w = ident_end(self.bytes, at);
            w > at
                && self.bytes.get(w) == Some(&b' ')
                && self
                    .bytes
                    .get(w + 1)
                    .is_some_and(|b| b.is_ascii_alphanumeric())
        };
        let plain_value = word_end > start
            && match self.bytes.get(after) {
                None | Some(b'\n' | b'\r' | b')' | b']' | b'}' | b':' | b'(' | b'/') => true,
                Some(b',') => !prose(skip_blanks(self.bytes, after + 1)),
                _ => false,
            };
        if plain_value {
            return None;
        }
        let end = line_end(self.bytes, start);
        let rest = &self.bytes[start..end];
        let q = start + rest.iter().position(|&b| b == b'"')?;
        let before = &self.bytes[start..q];
        let commented = before.windows(2).any(|w| w == b"//" || w == b"/*");
        // `Face(skin: "#c68e6a", …` is a record, whatever its quotes.
        let record = self
            .bytes
            .get(skip_blanks(self.bytes, ident_end(self.bytes, start)))
            == Some(&b'(');
        if commented
            || record
            || !value_may_end(self.bytes, q + 1)
            || next_field(self.bytes, start, q).is_some()
        {
            return None;
        }
        self.mend(start, "this text has no opening quote: add `\"` before it");
        self.pos = q + 1;
        Some(Value::Str(self.src[start..q].to_string()))
    }

    /// Text in curly quotes where a value belongs: reported, and read as a string up to the
    /// closing quote (curly or straight) on the same line.
    pub(super) fn curly_string(&mut self) -> Value {
        let start = self.pos;
        let open = curly_at(&self.src[start..]).unwrap_or('“');
        let from = start + open.len_utf8();
        let end = line_end(self.bytes, start);
        self.mend(
            start,
            format!(
                "curly quotes: use straight quotes: write text between `\"` and `\"`, not `{open}`"
            ),
        );
        let close = self.src[from..end]
            .char_indices()
            .map(|(i, c)| (from + i, c))
            .find(|&(i, c)| {
                (c == '"' || CURLY_QUOTES.contains(&c))
                    && value_may_end(self.bytes, i + c.len_utf8())
            });
        match close {
            Some((q, c)) => {
                self.pos = q + c.len_utf8();
                Value::Str(self.src[from..q].to_string())
            }
            None => Value::Str(self.text_to_line_end(from, end)),
        }
    }

    pub(super) fn raw_string(&mut self) -> Read<String> {
        let start = self.pos;
        self.pos += 1; // r
        let mut hashes = 0;
        while self.peek() == Some(b'#') {
            hashes += 1;
            self.pos += 1;
        }
        if self.peek() != Some(b'"') {
            return Err(self.fail(start, "a raw string is written r\"...\" or r#\"...\"#"));
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
            None => {
                self.pos = line_end(self.bytes, start);
                Err(self.fail(
                    start,
                    format!("this raw string is never closed: add `{closing}`"),
                ))
            }
        }
    }

    pub(super) fn char_lit(&mut self) -> Read<char> {
        let start = self.pos;
        self.pos += 1;
        let Some(c) = self.src[self.pos..].chars().next() else {
            return Err(self.fail(start, "this character literal is never closed"));
        };
        self.pos += c.len_utf8();
        let ch = if c == '\\' {
            let Some(e) = self.src[self.pos..].chars().next() else {
                return Err(self.fail(start, "this character literal is never closed"));
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
                _ => return Err(self.fail(start, format!("unknown escape `\\{e}`"))),
            }
        } else {
            c
        };
        if self.peek() != Some(b'\'') {
            return Err(self.fail(
                start,
                "a character literal holds one character; use double quotes for text",
            ));
        }
        self.pos += 1;
        Ok(ch)
    }
}
