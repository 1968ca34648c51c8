//! Small text helpers every file format shares: ids, "did you mean" hints, and numbers
//! written the way people write them.

use std::fmt::Write as _;

/// "1 turn", "2 turns": a count with its noun, singular or plural.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Edit distance between two short strings, counting a swap of neighbours as one edit
/// (for "did you mean" hints).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, slot) in d.iter_mut().enumerate().take(w) {
        *slot = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

/// A " (did you mean `x`?)" hint when a candidate is close, or "".
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let len = word.chars().count();
    let limit = (len / 3).max(1);
    // Words whose lengths differ by more than `limit` are more than `limit` edits apart and
    // could never be suggested; skipping them keeps a huge misspelt name from costing
    // (length × candidate length) time and memory.
    let best = candidates
        .into_iter()
        .filter(|c| *c != word && c.chars().count().abs_diff(len) <= limit)
        .map(|c| (edit_distance(word, c), c))
        .min_by_key(|(d, _)| *d);
    match best {
        Some((d, c)) if d <= limit && d < len => format!(" (did you mean `{c}`?)"),
        _ => String::new(),
    }
}

/// True for ids made of letters, digits, `-`, `_` and `.`.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// `60` for 60.0, `1.5` for 1.5.
pub fn trim_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Escapes text for HTML and XML, in content and in quoted attribute values: `& < > " '`
/// become entities, and the control characters XML 1.0 forbids (all but tab, newline and
/// return) are dropped. The one escaper of every HTML and SVG ChangeTalk writes.
pub fn escape_markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_xml_forbidden(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// The text as lowercase words: curly apostrophes become `'`, anything else that is not a
/// letter, digit or apostrophe separates words.
pub fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .replace(['’', '‘'], "'")
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_matches('\'').to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The UTF-8 byte-order mark Windows editors (Notepad, Excel) put at the start of a file.
pub const BOM: char = '\u{feff}';

/// The text without a leading byte-order mark. Every text file ChangeTalk reads goes through
/// this once, as it is read, so spans index (and line:col count) the text without the mark,
/// which is the text diagnostics print.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix(BOM).unwrap_or(text)
}

/// The bytes without a leading UTF-8 byte-order mark (`EF BB BF`).
pub fn strip_bom_bytes(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// The text with the byte-order mark stripped and Windows (CRLF) and old Mac (CR) line
/// endings made `\n`: what pinning hashes, so a Windows checkout or an editor's re-save
/// of a scenario does not break its pin. Borrows when there is nothing to change.
pub fn normalize_newlines(text: &str) -> std::borrow::Cow<'_, str> {
    let text = strip_bom(text);
    if !text.contains('\r') {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// True for characters that cannot be seen when printed: controls, format characters
/// (byte-order mark, zero-width spaces and joiners, direction marks, soft hyphen…), and
/// whitespace other than the plain space.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || (c.is_whitespace() && c != ' ')
        || matches!(
            c,
            '\u{ad}'
                | '\u{34f}'
                | '\u{61c}'
                | '\u{115f}'
                | '\u{1160}'
                | '\u{17b4}'
                | '\u{17b5}'
                | '\u{180b}'..='\u{180f}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{3164}'
                | '\u{fe00}'..='\u{fe0f}'
                | '\u{feff}'
                | '\u{ffa0}'
                | '\u{fff0}'..='\u{fffb}'
                | '\u{1d173}'..='\u{1d17a}'
                | '\u{e0000}'..='\u{e0fff}'
        )
}

/// A character as a diagnostic shows it: `` `x` `` when it can be seen, `U+FEFF` (its code
/// point) when it cannot (see [`is_invisible`]), so a message never quotes a blank.
pub fn show_char(c: char) -> String {
    if is_invisible(c) {
        format!("U+{:04X}", c as u32)
    } else {
        format!("`{c}`")
    }
}

/// Text as a diagnostic quotes it: invisible characters (see [`is_invisible`]) are written
/// `U+XXXX`, the rest as is.
pub fn show_invisible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_invisible(c) {
            let _ = std::fmt::Write::write_fmt(&mut out, format_args!("U+{:04X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// The characters XML 1.0 forbids: the controls other than tab, newline and return, and the
/// non-characters U+FFFE and U+FFFF. Escapers drop them.
pub fn is_xml_forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// `s` as a RON string literal: quoted, with `"`, `\` and control characters escaped.
pub fn ron_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `suggest` as it was before candidates were filtered by length.
    fn suggest_unfiltered(word: &str, candidates: &[&str]) -> String {
        let len = word.chars().count();
        let best = candidates
            .iter()
            .filter(|c| **c != word)
            .map(|c| (edit_distance(word, c), *c))
            .min_by_key(|(d, _)| *d);
        match best {
            Some((d, c)) if d <= (len / 3).max(1) && d < len => format!(" (did you mean `{c}`?)"),
            _ => String::new(),
        }
    }

    #[test]
    fn windows_text_is_normalised_and_invisible_characters_shown() {
        assert_eq!(strip_bom("\u{feff}a\u{feff}"), "a\u{feff}");
        assert_eq!(strip_bom_bytes(b"\xEF\xBB\xBFa"), b"a");
        assert_eq!(normalize_newlines("\u{feff}a\r\nb\rc\n"), "a\nb\nc\n");
        assert!(matches!(
            normalize_newlines("a\nb"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(show_char('\u{feff}'), "U+FEFF");
        assert_eq!(show_char('\u{200b}'), "U+200B");
        assert_eq!(show_char('\u{a0}'), "U+00A0");
        assert_eq!(show_char('é'), "`é`");
        assert_eq!(show_char(' '), "` `");
        assert_eq!(show_invisible("a\u{200d}b"), "aU+200Db");
    }

    #[test]
    fn length_filter_never_changes_a_suggestion() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "acb",
            "abcd",
            "abdc",
            "abcde",
            "abcdef",
            "abcdefgh",
            "xbcdefgh",
            "abcdefghijkl",
            "abdcefghijkl",
            "Persuade",
            "Persuaed",
            "Perusade",
            "persuadeWithPermission",
            "PersuadeWithPermision",
            "é",
            "éa",
            "aé",
        ];
        for w in words {
            for n in 0..words.len() {
                let cands = &words[n..];
                assert_eq!(
                    suggest(w, cands.iter().copied()),
                    suggest_unfiltered(w, cands),
                    "{w}"
                );
            }
        }
    }

    #[test]
    fn a_huge_unknown_name_is_cheap() {
        // Found by review: every candidate was compared in full, so a 5 MB misspelt field name
        // filled an edit-distance table of hundreds of megabytes.
        let huge = "x".repeat(5 * 1024 * 1024);
        assert_eq!(suggest(&huge, ["id", "title", "persona"]), "");
    }
}
