//! Shared decoding from the spanned RON tree into typed values, with a diagnostic at the
//! exact item for every mistake. Used by the scenario loader and the exercise reader.

use crate::source::diag::{Diagnostic, Span};
use crate::source::ron_tree::{Name, Node, Value};
use crate::source::text::{is_valid_id, suggest};

/// A struct read from the tree: its type name, where it is, and its known fields.
pub(crate) struct Obj<'a> {
    pub(crate) type_name: &'static str,
    pub(crate) span: Span,
    pub(crate) fields: Vec<(&'a Name, &'a Node)>,
}

/// Reads spanned RON values into typed values, collecting every error (shared by the
/// scenario loader and the exercise reader).
pub(crate) struct Decoder<'s> {
    pub(crate) src: &'s str,
    pub(crate) diags: Vec<Diagnostic>,
}

impl<'s> Decoder<'s> {
    pub(crate) fn err(&mut self, span: Span, msg: impl Into<String>) {
        self.diags.push(Diagnostic::error(span, msg));
    }

    /// Reads a struct, checking its name (if written) and its field names.
    pub(crate) fn obj<'a>(
        &mut self,
        node: &'a Node,
        type_name: &'static str,
        allowed: &[&str],
    ) -> Option<Obj<'a>> {
        let (name, fields): (Option<&Name>, Vec<(&Name, &Node)>) = match &node.value {
            Value::Struct { name, fields } => {
                (name.as_ref(), fields.iter().map(|(k, v)| (k, v)).collect())
            }
            Value::Tuple { name, items } if items.is_empty() => (name.as_ref(), Vec::new()),
            other => {
                self.err(
                    node.span,
                    format!(
                        "expected {type_name}(...) with named fields, found {}",
                        other.kind()
                    ),
                );
                return None;
            }
        };
        if let Some(n) = name
            && n.text != type_name
        {
            self.err(
                n.span,
                format!("expected `{type_name}(...)` here, found `{}(...)`", n.text),
            );
        }
        let mut kept = Vec::with_capacity(fields.len());
        for (k, v) in fields {
            if !allowed.contains(&k.text.as_str()) {
                let hint = suggest(&k.text, allowed.iter().copied());
                let list = allowed
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                self.err(
                    k.span,
                    format!(
                        "unknown field `{}` in {type_name}{hint}; the fields are {list}",
                        k.text
                    ),
                );
                continue;
            }
            if kept.iter().any(|(n, _): &(&Name, &Node)| n.text == k.text) {
                self.err(
                    k.span,
                    format!("field `{}` is given twice in this {type_name}", k.text),
                );
                continue;
            }
            kept.push((k, v));
        }
        Some(Obj {
            type_name,
            span: node.span,
            fields: kept,
        })
    }

    /// An optional field; `None` and absence are the same, `Some(x)` is unwrapped.
    pub(crate) fn get<'a>(&self, o: &Obj<'a>, key: &str) -> Option<&'a Node> {
        let node = o
            .fields
            .iter()
            .find(|(k, _)| k.text == key)
            .map(|(_, v)| *v)?;
        match &node.value {
            Value::Ident(s) if s == "None" => None,
            Value::Tuple {
                name: Some(n),
                items,
            } if n.text == "Some" && items.len() == 1 => Some(&items[0]),
            _ => Some(node),
        }
    }

    /// A required field; reports it missing at the struct.
    pub(crate) fn req<'a>(&mut self, o: &Obj<'a>, key: &str) -> Option<&'a Node> {
        let n = self.get(o, key);
        if n.is_none() {
            let span = Span::new(o.span.start, o.span.start + 1);
            self.err(
                span,
                format!("{} is missing the required field `{key}`", o.type_name),
            );
        }
        n
    }

    pub(crate) fn string(&mut self, n: &Node, what: &str) -> Option<String> {
        match &n.value {
            Value::Str(s) => Some(s.clone()),
            other => {
                self.err(
                    n.span,
                    format!(
                        "{what} must be a string in double quotes, found {}",
                        other.kind()
                    ),
                );
                None
            }
        }
    }

    pub(crate) fn text(&mut self, n: &Node, what: &str) -> Option<String> {
        let s = self.string(n, what)?;
        if s.trim().is_empty() {
            self.err(n.span, format!("{what} is empty; write the text"));
            return None;
        }
        Some(s)
    }

    pub(crate) fn req_text(&mut self, o: &Obj, key: &str) -> String {
        let what = format!("`{key}`");
        self.req(o, key)
            .and_then(|n| self.text(n, &what))
            .unwrap_or_default()
    }

    pub(crate) fn opt_string(&mut self, o: &Obj, key: &str, default: &str) -> String {
        let what = format!("`{key}`");
        match self.get(o, key) {
            Some(n) => self.string(n, &what).unwrap_or_default(),
            None => default.to_string(),
        }
    }

    pub(crate) fn id(&mut self, n: &Node, what: &str) -> Option<String> {
        let s = self.string(n, what)?;
        if !is_valid_id(&s) {
            self.err(
                n.span,
                format!("{what} `{s}` is not a valid id: use letters, digits, `-`, `_` and `.` (at most 128)"),
            );
            return None;
        }
        Some(s)
    }

    pub(crate) fn int(&mut self, n: &Node, lo: i64, hi: i64, what: &str) -> Option<i64> {
        match &n.value {
            Value::Int(i) if (lo..=hi).contains(i) => Some(*i),
            Value::Int(i) => {
                self.err(
                    n.span,
                    format!("{what} is {i}, outside the allowed range {lo} to {hi}"),
                );
                None
            }
            Value::Float(f) => {
                self.err(n.span, format!("{what} must be a whole number, found {f}"));
                None
            }
            other => {
                self.err(
                    n.span,
                    format!("{what} must be a whole number, found {}", other.kind()),
                );
                None
            }
        }
    }

    pub(crate) fn boolean(&mut self, n: &Node, what: &str) -> Option<bool> {
        match &n.value {
            Value::Bool(b) => Some(*b),
            other => {
                self.err(
                    n.span,
                    format!("{what} must be `true` or `false`, found {}", other.kind()),
                );
                None
            }
        }
    }

    pub(crate) fn list<'a>(&mut self, n: &'a Node, what: &str) -> Option<&'a [Node]> {
        match &n.value {
            Value::List(items) => Some(items),
            other => {
                self.err(
                    n.span,
                    format!("{what} must be a list in `[...]`, found {}", other.kind()),
                );
                None
            }
        }
    }

    pub(crate) fn strings(&mut self, o: &Obj, key: &str) -> Vec<String> {
        let what = format!("each entry of `{key}`");
        let Some(n) = self.get(o, key) else {
            return Vec::new();
        };
        let Some(items) = self.list(n, &format!("`{key}`")) else {
            return Vec::new();
        };
        items.iter().filter_map(|i| self.text(i, &what)).collect()
    }

    /// A unit enum variant such as `Precontemplation`.
    pub(crate) fn variant<T: Copy>(
        &mut self,
        n: &Node,
        options: &[(&'static str, T)],
        what: &str,
    ) -> Option<T> {
        let names = || {
            options
                .iter()
                .map(|(k, _)| *k)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let word = match &n.value {
            Value::Ident(s) => s.as_str(),
            Value::Str(s) => {
                let hint = options
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(s))
                    .map(|(k, _)| *k);
                self.err(
                    n.span,
                    match hint {
                        Some(h) => format!("{what} is written without quotes: `{h}`"),
                        None => format!("{what} is written without quotes, one of: {}", names()),
                    },
                );
                return None;
            }
            other => {
                self.err(
                    n.span,
                    format!("{what} must be one of {}; found {}", names(), other.kind()),
                );
                return None;
            }
        };
        if let Some((_, v)) = options.iter().find(|(k, _)| *k == word) {
            return Some(*v);
        }
        let hint = suggest(word, options.iter().map(|(k, _)| *k));
        self.err(
            n.span,
            format!("unknown {what} `{word}`{hint}; expected one of {}", names()),
        );
        None
    }

    pub(crate) fn number(&mut self, n: &Node, lo: f64, hi: f64, what: &str) -> Option<f64> {
        let v = match &n.value {
            Value::Int(i) => *i as f64,
            Value::Float(f) => *f,
            other => {
                self.err(
                    n.span,
                    format!("{what} must be a number, found {}", other.kind()),
                );
                return None;
            }
        };
        if !(lo..=hi).contains(&v) {
            let show = crate::source::text::trim_num;
            self.err(
                n.span,
                format!(
                    "{what} is {v}, outside the allowed range {} to {}",
                    show(lo),
                    show(hi)
                ),
            );
            return None;
        }
        Some(v)
    }
}
