//! Diagnostics: compiler-style messages that point at a line and column of a file.

use std::fmt;

use serde::{Deserialize, Deserializer};

/// A byte range in the source text, half-open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Span {
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset just past the last character.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (byte offsets).
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

/// Read as `(start, end)`: the RON decoder hands spans to the models this way.
impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (start, end) = <(usize, usize)>::deserialize(d)?;
        Ok(Span { start, end })
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The file cannot be used until this is fixed.
    Error,
    /// The file works but teaches something poorly (used by `lint`).
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One message about one place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Where in the source the problem is.
    pub span: Span,
    /// What is wrong, and where useful how to fix it.
    pub message: String,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn error(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            span,
            message: message.into(),
        }
    }

    /// A warning at `span`.
    pub fn warning(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            span,
            message: message.into(),
        }
    }

    /// Renders as `path:line:col: error: message`.
    pub fn render(&self, path: &str, index: &LineIndex) -> String {
        let (line, col) = index.line_col(self.span.start);
        format!("{path}:{line}:{col}: {}: {}", self.severity, self.message)
    }
}

/// Maps byte offsets to 1-based line and column numbers (columns count characters). Lines
/// end at LF, CRLF or a lone CR (files saved on Windows or old Macs); a leading byte-order
/// mark is not counted as a column.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    text: String,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let bom = if text.starts_with(crate::source::text::BOM) {
            crate::source::text::BOM.len_utf8()
        } else {
            0
        };
        let mut line_starts = vec![bom];
        let bytes = text.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            match b {
                b'\n' => line_starts.push(i + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => line_starts.push(i + 1),
                _ => {}
            }
        }
        LineIndex {
            line_starts,
            text: text.to_owned(),
        }
    }

    /// Byte offset of the start of the line that holds `offset`.
    pub fn line_start(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        match self.line_starts.binary_search(&offset) {
            Ok(i) => self.line_starts[i],
            Err(0) => 0,
            Err(i) => self.line_starts[i - 1],
        }
    }

    /// 1-based (line, column) of a byte offset; the column counts characters, not bytes.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            // Inside the byte-order mark: the first column.
            Err(0) => return (1, 1),
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let mut end = offset;
        while end > start && !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let col = self.text[start..end].chars().count() + 1;
        (line + 1, col)
    }
}

/// Sorts diagnostics by position, errors before warnings at the same place.
pub fn sort_diagnostics(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (a.span.start, a.severity, &a.message).cmp(&(b.span.start, b.severity, &b.message))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let idx = LineIndex::new("ab\ncé d\n");
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(3), (2, 1));
        // 'd' is at byte 7 (c=3, é=4..6, space=6)
        assert_eq!(idx.line_col(7), (2, 4));
        assert_eq!(idx.line_col(100), (3, 1));
        assert_eq!(idx.line_start(7), 3);
        assert_eq!(idx.line_start(2), 0);
    }

    #[test]
    fn line_col_with_crlf_cr_and_a_byte_order_mark() {
        let idx = LineIndex::new("ab\r\ncd\ref\n");
        assert_eq!(idx.line_col(1), (1, 2));
        assert_eq!(idx.line_col(4), (2, 1));
        assert_eq!(idx.line_col(7), (3, 1));
        assert_eq!(idx.line_col(8), (3, 2));
        let idx = LineIndex::new("\u{feff}ab\r\nc");
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(3), (1, 1));
        assert_eq!(idx.line_col(4), (1, 2));
        assert_eq!(idx.line_col(7), (2, 1));
    }
}
