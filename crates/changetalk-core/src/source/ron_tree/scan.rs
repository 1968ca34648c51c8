//! Looking ahead in the raw text without reading values: where a line ends, whether a field
//! name or a closing quote comes next, and skipping text the reader could not make sense of.
//! Every function works on bytes and compares only ASCII, so the offsets it returns are
//! character boundaries.

pub(super) fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

pub(super) fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// True for the bytes that close a bracket.
pub(super) fn is_closer(b: u8) -> bool {
    matches!(b, b')' | b']' | b'}')
}

/// Quotes a word processor or web page writes instead of `"` and `'`.
pub(super) const CURLY_QUOTES: [char; 8] = ['“', '”', '„', '‟', '‘', '’', '‚', '‛'];

/// The curly quote at the start of `s`, if it starts with one.
pub(super) fn curly_at(s: &str) -> Option<char> {
    s.chars().next().filter(|c| CURLY_QUOTES.contains(c))
}

/// Offset of the end of the line holding `pos`: its LF or CR, or the end of the text.
pub(super) fn line_end(bytes: &[u8], pos: usize) -> usize {
    bytes[pos.min(bytes.len())..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map_or(bytes.len(), |i| pos + i)
}

/// Skips spaces and tabs (not line ends) from `pos`.
pub(super) fn skip_blanks(bytes: &[u8], mut pos: usize) -> usize {
    while matches!(bytes.get(pos), Some(b' ' | b'\t')) {
        pos += 1;
    }
    pos
}

/// Skips white space and comments from `pos` (to the end of the text in an unclosed comment).
pub(super) fn skip_space(bytes: &[u8], mut pos: usize) -> usize {
    loop {
        match bytes.get(pos) {
            Some(b' ' | b'\t' | b'\n' | b'\r') => pos += 1,
            Some(b'/') if bytes.get(pos + 1) == Some(&b'/') => pos = line_end(bytes, pos),
            Some(b'/') if bytes.get(pos + 1) == Some(&b'*') => {
                pos = bytes[pos + 2..]
                    .windows(2)
                    .position(|w| w == b"*/")
                    .map_or(bytes.len(), |i| pos + 2 + i + 2);
            }
            _ => return pos,
        }
    }
}

/// The end of the identifier at `pos` (`pos` itself when none starts there).
pub(super) fn ident_end(bytes: &[u8], pos: usize) -> usize {
    if !bytes.get(pos).copied().is_some_and(is_ident_start) {
        return pos;
    }
    let mut end = pos;
    while bytes.get(end).copied().is_some_and(is_ident_char) {
        end += 1;
    }
    end
}

/// True when a field name and its `:` come at `pos` (`name:`, not `name::`), on one line.
pub(super) fn field_ahead(bytes: &[u8], pos: usize) -> bool {
    let end = ident_end(bytes, pos);
    let colon = skip_blanks(bytes, end);
    end > pos && bytes.get(colon) == Some(&b':') && bytes.get(colon + 1) != Some(&b':')
}

/// The name of a record that starts at `pos` (`Point(`, also with spaces or line breaks
/// before the bracket), when one does.
pub(super) fn record_ahead(src: &str, pos: usize) -> Option<&str> {
    let bytes = src.as_bytes();
    let end = ident_end(bytes, pos);
    if end == pos || !bytes[pos].is_ascii_uppercase() {
        return None;
    }
    let mut after = end;
    while matches!(bytes.get(after), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        after += 1;
    }
    (bytes.get(after) == Some(&b'(')).then(|| &src[pos..end])
}

/// True when what follows `pos` on its line may end a value: nothing, a comment, `,` or a
/// closing bracket (after spaces).
pub(super) fn value_may_end(bytes: &[u8], pos: usize) -> bool {
    let at = skip_blanks(bytes, pos);
    match bytes.get(at) {
        None | Some(b'\n' | b'\r' | b',' | b')' | b']' | b'}') => true,
        Some(b'/') => matches!(bytes.get(at + 1), Some(b'/' | b'*')),
        _ => false,
    }
}

/// True when the text `[start, end)` holds a line break that is not a `\` line continuation.
pub(super) fn raw_line_break(bytes: &[u8], start: usize, end: usize) -> bool {
    (start..end.min(bytes.len())).any(|i| {
        let b = bytes[i];
        if b != b'\n' && b != b'\r' {
            return false;
        }
        // The byte before the line end: before CR for CRLF.
        let mut before = i.checked_sub(1);
        if b == b'\n' && before.is_some_and(|j| bytes[j] == b'\r') {
            before = i.checked_sub(2);
        }
        !before.is_some_and(|j| j >= start && bytes[j] == b'\\')
    })
}

/// Where the string whose text seems to run on from `from` was meant to end, on the line
/// ending at `end`: the last `"` that a value may end after ([`value_may_end`]), before the
/// next `, field:`. `None` when there is no such quote.
pub(super) fn intended_close(bytes: &[u8], from: usize, end: usize) -> Option<usize> {
    let mut found = None;
    let mut i = from;
    while i < end {
        match bytes[i] {
            b'\\' => i += 1,
            b'"' if value_may_end(bytes, i + 1) => found = Some(i),
            b',' if found.is_some() && field_ahead(bytes, skip_blanks(bytes, i + 1)) => break,
            _ => {}
        }
        i += 1;
    }
    found
}

/// The first `,` in `[from, end)` that a field name and its `:` follow.
pub(super) fn next_field(bytes: &[u8], from: usize, end: usize) -> Option<usize> {
    (from..end).find(|&i| bytes[i] == b',' && field_ahead(bytes, skip_blanks(bytes, i + 1)))
}

/// Skips text the reader could not read, from `pos`, to the next `,` at the same depth or to
/// a closing bracket that `expected` holds (one a bracket open now is waiting for), and returns
/// where it stopped: on that `,` or bracket, or at the end of the text. Brackets inside the
/// skipped text are matched; strings and comments in it are skipped whole, a string at most to
/// the end of its line.
pub(super) fn sync(bytes: &[u8], mut pos: usize, expected: &[u8]) -> usize {
    let mut depth = 0usize;
    while let Some(&b) = bytes.get(pos) {
        match b {
            b',' if depth == 0 => return pos,
            b')' | b']' | b'}' if depth == 0 && expected.contains(&b) => return pos,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'(' | b'[' | b'{' => depth += 1,
            b'"' | b'/' if let Some(past) = past_string_or_comment(bytes, pos) => {
                pos = past;
                continue;
            }
            _ => {}
        }
        pos += 1;
    }
    pos
}

/// Just past the string (to its closing `"`, or the end of its line when it has none) or the
/// `//` / `/* */` comment that starts at `pos`; `None` when neither starts there.
fn past_string_or_comment(bytes: &[u8], pos: usize) -> Option<usize> {
    match (bytes.get(pos), bytes.get(pos + 1)) {
        (Some(b'"'), _) => {
            let end = line_end(bytes, pos + 1);
            let mut i = pos + 1;
            while i < end && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            Some(if i < end { i + 1 } else { end })
        }
        (Some(b'/'), Some(b'/')) => Some(line_end(bytes, pos)),
        (Some(b'/'), Some(b'*')) => Some(
            bytes[pos + 2..]
                .windows(2)
                .position(|w| w == b"*/")
                .map_or(bytes.len(), |i| pos + 2 + i + 2),
        ),
        _ => None,
    }
}

/// Where the brackets from `pos` on first fail to match, when `open` are the closing brackets
/// awaited at `pos` (innermost last): the offset of the first closing bracket that does not
/// match, or the end of the text when brackets are still open there; `None` when everything
/// matches. Strings and comments are skipped as in [`sync`].
pub(super) fn first_mismatch(bytes: &[u8], mut pos: usize, open: &[u8]) -> Option<usize> {
    let mut stack = open.to_vec();
    while let Some(&b) = bytes.get(pos) {
        match b {
            b'(' => stack.push(b')'),
            b'[' => stack.push(b']'),
            b'{' => stack.push(b'}'),
            // (The guard pops the bracket this one closes.)
            b')' | b']' | b'}' if stack.pop() != Some(b) => return Some(pos),
            b'"' | b'/' if let Some(past) = past_string_or_comment(bytes, pos) => {
                pos = past;
                continue;
            }
            _ => {}
        }
        pos += 1;
    }
    (!stack.is_empty()).then_some(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookahead_helpers() {
        let b = b"  talk: x, a::b, Point (";
        assert!(field_ahead(b, 2));
        assert!(!field_ahead(b, 11));
        assert_eq!(record_ahead("  talk: x, a::b, Point (", 17), Some("Point"));
        assert_eq!(record_ahead("x(", 0), None);
        assert!(value_may_end(b"  // c", 0));
        assert!(!value_may_end(b" stop", 0));
        assert!(raw_line_break(b"\"a\nb\"", 0, 5));
        assert!(!raw_line_break(b"\"a\\\r\nb\"", 0, 7));
        assert_eq!(line_end(b"ab\r\ncd", 0), 2);
    }

    #[test]
    fn the_intended_close_is_the_last_quote_before_the_next_field() {
        let line = br#"He said "stop" now", codes: [], next: "b", feedback: "x"),"#;
        assert_eq!(intended_close(line, 9, line.len()), Some(18));
        let line = br#"stop", then left","#;
        assert_eq!(intended_close(line, 0, line.len()), Some(16));
        assert_eq!(intended_close(b"stop now", 0, 8), None);
    }

    #[test]
    fn brackets_are_matched_to_the_first_mismatch() {
        assert_eq!(first_mismatch(b"a) b]", 0, b"])"), None);
        assert_eq!(first_mismatch(b"a] b)", 0, b"])"), Some(1));
        assert_eq!(first_mismatch(b"(\")\" ))", 0, b")"), None);
        assert_eq!(first_mismatch(b"[", 0, b""), Some(1));
    }

    #[test]
    fn sync_stops_at_a_comma_or_an_awaited_bracket_at_the_same_depth() {
        let b = b"40 years (a, b) \"x, y\" // z,\n, next";
        assert_eq!(sync(b, 0, b")"), 29);
        assert_eq!(sync(b"a ] b )", 0, b")"), 6);
        assert_eq!(sync(b"a ] b )", 0, b"])"), 2);
        assert_eq!(sync(b"\"open", 0, b")"), 5);
    }
}
