//! Text from a student's file, made safe to print: result files are written by students, so a
//! name or id may hold terminal escape sequences (`ESC[8m` hides everything after it), carriage
//! returns and line breaks (that fake gradebook rows), or bidirectional overrides (that reorder
//! what is shown). Every shell prints such text through [`printable`].

use std::borrow::Cow;

/// True for a character that must not reach a terminal or a one-line report: the C0 and C1
/// control characters and DEL (Unicode category Cc), the line and paragraph separators, and the
/// bidirectional formatting characters.
pub fn is_unprintable(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// `s` without control characters: line breaks, tabs and other spacing controls become one
/// space each, every other control character (ESC, BEL, NUL, DEL, the C1 range, bidirectional
/// overrides) is removed. Borrowed when there is nothing to remove.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unprintable) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !is_unprintable(c) {
            out.push(c);
        } else if c.is_whitespace() {
            out.push(' ');
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_line_breaks_are_removed() {
        assert!(matches!(printable("Ada Lovelace"), Cow::Borrowed(_)));
        assert_eq!(printable("Ada\u{1b}[8m hidden"), "Ada[8m hidden");
        assert_eq!(printable("a\r\nfake,row"), "a  fake,row");
        assert_eq!(printable("x\u{9b}31m\u{7f}\u{0}y"), "x31my");
        assert_eq!(printable("tab\there"), "tab here");
        assert_eq!(printable("\u{202e}evil\u{2066}"), "evil");
        assert_eq!(printable("Zoë 李"), "Zoë 李");
    }
}
