//! What the client remembers across a course: facts that options and lines `remember`, that
//! later `when` conditions test with `remembered(key)` and that line texts quote as `{key}`.
//!
//! A fact is written `"key"` (a flag: an agreement, a promise) or `"key = text"` (a flag that
//! also carries words a later line can quote: `"plan.step = the women's meeting at St. Luke's"`).
//! Keys are ids (letters, digits, `-`, `_`, `.`). Memory is ordered by key, so it prints the
//! same way every time.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use crate::source::check::{at_offset, checked};
use crate::source::text::is_valid_id;

/// Everything remembered so far: key → text (empty for a plain flag).
pub type Memory = BTreeMap<String, String>;

/// One fact an option or line remembers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    /// The memory key (`plan.chose_own`).
    pub key: String,
    /// The words a line may quote as `{key}`; `None` for a plain flag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl Fact {
    /// Reads `"key"` or `"key = text"`; an `Err` is `(byte offset, message)`.
    pub fn parse(s: &str) -> Result<Fact, (usize, String)> {
        let (key_part, text) = match s.split_once('=') {
            Some((k, t)) => (k, Some(t)),
            None => (s, None),
        };
        let lead = key_part.len() - key_part.trim_start().len();
        let key = key_part.trim();
        if !is_valid_id(key) {
            return Err((
                lead,
                format!(
                    "`{key}` is not a memory key: write \"key\" or \"key = text\", where the key uses letters, digits, `-`, `_` and `.` (\"plan.chose_own\")"
                ),
            ));
        }
        let text = match text.map(str::trim) {
            Some("") => {
                return Err((
                    s.len(),
                    format!(
                        "`{key} =` has no text after `=`: write the words a later line quotes as `{{{key}}}`, or drop the `=`"
                    ),
                ));
            }
            other => other.map(str::to_string),
        };
        Ok(Fact {
            key: key.to_string(),
            text,
        })
    }

    /// Adds the fact to `memory` (a later fact with text replaces earlier text; a plain flag
    /// keeps text already remembered under its key).
    pub fn apply(&self, memory: &mut Memory) {
        match &self.text {
            Some(t) => {
                memory.insert(self.key.clone(), t.clone());
            }
            None => {
                memory.entry(self.key.clone()).or_default();
            }
        }
    }
}

/// Applies every fact of a list to `memory`.
pub fn apply_all(facts: &[Fact], memory: &mut Memory) {
    for f in facts {
        f.apply(memory);
    }
}

/// `remember: ["plan.chose_own", "plan.step = call Marlene tonight"]`: each entry checked,
/// a mistake reported inside its string.
pub(crate) fn facts<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Fact>, D::Error> {
    struct One(Fact);
    impl<'de> Deserialize<'de> for One {
        fn deserialize<D2: Deserializer<'de>>(d: D2) -> Result<Self, D2::Error> {
            checked(
                d,
                One(Fact {
                    key: String::new(),
                    text: None,
                }),
                |s: String| Fact::parse(&s).map(One).map_err(|(o, m)| at_offset(o, m)),
            )
        }
    }
    Ok(Vec::<One>::deserialize(d)?
        .into_iter()
        .map(|o| o.0)
        .collect())
}

/// The `{key}` placeholders in a text, each with its byte offset (of the `{`). `{{` writes a
/// literal brace and is no placeholder.
pub fn placeholders(text: &str) -> Vec<(&str, usize)> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'{' {
            if b.get(i + 1) == Some(&b'{') {
                i += 2;
                continue;
            }
            if let Some(len) = text[i + 1..].find('}') {
                let key = &text[i + 1..i + 1 + len];
                if is_valid_id(key) {
                    out.push((key, i));
                }
                i += len + 2;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// The text with every `{key}` replaced by what memory holds for the key (a key not
/// remembered, or remembered without text, stays as written) and `{{` as `{`.
pub fn interpolate(text: &str, memory: &Memory) -> String {
    if !text.contains('{') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix('{') {
            out.push('{');
            rest = tail;
            continue;
        }
        match after.find('}') {
            Some(len) => {
                let key = &after[..len];
                match memory.get(key).filter(|t| !t.is_empty()) {
                    Some(t) if is_valid_id(key) => out.push_str(t),
                    _ => {
                        out.push('{');
                        out.push_str(key);
                        out.push('}');
                    }
                }
                rest = &after[len + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_parse_as_flags_or_with_text() {
        assert_eq!(
            Fact::parse("plan.chose_own").unwrap(),
            Fact {
                key: "plan.chose_own".into(),
                text: None
            }
        );
        let f = Fact::parse(" plan.step = call Marlene tonight ").unwrap();
        assert_eq!(f.key, "plan.step");
        assert_eq!(f.text.as_deref(), Some("call Marlene tonight"));
        assert_eq!(Fact::parse("bad key").unwrap_err().0, 0);
        assert!(
            Fact::parse("plan.step =")
                .unwrap_err()
                .1
                .contains("no text")
        );
    }

    #[test]
    fn text_quotes_memory_and_keeps_what_it_does_not_know() {
        let mut m = Memory::new();
        Fact::parse("plan.step = plant the tomatoes")
            .unwrap()
            .apply(&mut m);
        Fact::parse("plan.step").unwrap().apply(&mut m);
        assert_eq!(
            m["plan.step"], "plant the tomatoes",
            "a flag keeps the text"
        );
        assert_eq!(
            interpolate("Did you {plan.step}? {{not} {other}", &m),
            "Did you plant the tomatoes? {not} {other}"
        );
        assert_eq!(
            placeholders("a {plan.step} {{x} {bad key}"),
            vec![("plan.step", 2)]
        );
    }
}
