//! CSV, the one reader and writer every CSV file of ChangeTalk goes through (RFC 4180):
//! hand-coded role-play transcripts, class rosters, and the gradebook an LMS imports.

use crate::source::diag::{Diagnostic, Span};

/// Splits CSV text into records of fields, per RFC 4180 (quoted fields, doubled quotes,
/// CRLF or LF). Each field carries the byte offset where it starts.
pub fn parse_csv(text: &str) -> Result<Vec<Vec<(String, usize)>>, Diagnostic> {
    let b = text.as_bytes();
    let mut i = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut records = Vec::new();
    let mut record: Vec<(String, usize)> = Vec::new();
    loop {
        // One field.
        let start = i;
        let mut field = String::new();
        if i < b.len() && b[i] == b'"' {
            i += 1;
            loop {
                match text[i..].find('"') {
                    None => {
                        return Err(Diagnostic::error(
                            Span::new(start, start + 1),
                            "this quoted field is never closed: add the closing `\"`",
                        ));
                    }
                    Some(rel) => {
                        field.push_str(&text[i..i + rel]);
                        i += rel + 1;
                        if i < b.len() && b[i] == b'"' {
                            field.push('"');
                            i += 1;
                        } else {
                            break;
                        }
                    }
                }
            }
            if i < b.len() && !matches!(b[i], b',' | b'\n' | b'\r') {
                return Err(Diagnostic::error(
                    Span::new(i, i + 1),
                    "unexpected text after a quoted field: put the whole field in quotes and double any `\"` inside",
                ));
            }
        } else {
            while i < b.len() && !matches!(b[i], b',' | b'\n' | b'\r') {
                i += 1;
            }
            field.push_str(&text[start..i]);
        }
        record.push((field, start));
        if i >= b.len() {
            if !(record.len() == 1 && record[0].0.is_empty()) {
                records.push(record);
            }
            break;
        }
        match b[i] {
            b',' => i += 1,
            _ => {
                if b[i] == b'\r' {
                    i += 1;
                }
                if i < b.len() && b[i] == b'\n' {
                    i += 1;
                }
                let r = std::mem::take(&mut record);
                if !(r.len() == 1 && r[0].0.trim().is_empty()) {
                    records.push(r);
                }
                if i >= b.len() {
                    break;
                }
            }
        }
    }
    Ok(records)
}

/// One CSV field: quoted when needed (RFC 4180), and a text starting with `=`, `+`, `-`, `@`
/// (which spreadsheets run as a formula) prefixed with `'`.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// One CSV record: the fields written with [`csv_field`], joined by commas, ended by CRLF
/// (as RFC 4180 asks).
pub fn csv_record<S: AsRef<str>>(fields: &[S]) -> String {
    let joined: Vec<String> = fields.iter().map(|f| csv_field(f.as_ref())).collect();
    format!("{}\r\n", joined.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip_through_the_reader() {
        let rec = csv_record(&["s1", "Ruiz, Ana", "say \"hi\"", "=SUM(A1)", ""]);
        assert_eq!(rec, "s1,\"Ruiz, Ana\",\"say \"\"hi\"\"\",'=SUM(A1),\r\n");
        let back = parse_csv(&rec).unwrap();
        let fields: Vec<&str> = back[0].iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["s1", "Ruiz, Ana", "say \"hi\"", "'=SUM(A1)", ""]);
    }
}
