//! Text normalisation and tokenisation shared by the feature extractor (`features`) and the
//! phrase rules (`rules`). It imports from neither, so neither module depends on the other
//! for these helpers (`features` uses `rules::cues`; `rules` uses only this module).

/// Lower-cases, unifies apostrophes and quotes, collapses whitespace.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = true;
    for ch in text.chars() {
        let ch = match ch {
            '\u{2018}' | '\u{2019}' | '`' => '\'',
            '\u{201c}' | '\u{201d}' => '"',
            '\u{2013}' | '\u{2014}' => '-',
            c => c,
        };
        if ch.is_whitespace() {
            if !space {
                out.push(' ');
                space = true;
            }
        } else {
            for l in ch.to_lowercase() {
                out.push(l);
            }
            space = false;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Word tokens of normalised text: runs of letters, digits and inner apostrophes; `?` and `!`
/// are tokens of their own.
pub fn tokens(norm: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, ch) in norm.char_indices() {
        let word = ch.is_alphanumeric() || ch == '\'';
        if word {
            if start.is_none() {
                start = Some(i);
            }
        } else {
            if let Some(s) = start.take() {
                push_word(&mut out, &norm[s..i]);
            }
            if ch == '?' || ch == '!' {
                out.push(&norm[i..i + ch.len_utf8()]);
            }
        }
    }
    if let Some(s) = start {
        push_word(&mut out, &norm[s..]);
    }
    out
}

fn push_word<'a>(out: &mut Vec<&'a str>, w: &'a str) {
    let w = w.trim_matches('\'');
    if !w.is_empty() {
        out.push(w);
    }
}
