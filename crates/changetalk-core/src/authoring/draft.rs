//! A scenario file being edited, as the in-app editor holds it: the file's **text** is the
//! truth, and every edit replaces the text of exactly one value (found by its path through the
//! file and the span the reader kept) or inserts or removes one list item. Everything else —
//! comments, blank lines, the author's order and layout — stays byte for byte, so opening and
//! saving an untouched file changes nothing, and an edited file still reads as the author
//! wrote it. Each edit is checked by reading the file again; one that would not read is
//! refused. Undo and redo step through whole texts.
//!
//! Pure: no I/O. The app saves [`Draft::text`] atomically.

use std::fmt::Write as _;
use std::sync::OnceLock;

use crate::engine::model::Scenario;
use crate::source::diag::{Diagnostic, Span};
use crate::source::ron_tree::{self, Node, Value};
pub use crate::source::text::ron_string;

/// One step of a path into the file: a struct field by name, or a list (or tuple) item by
/// index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `field:` of a struct.
    Field(&'static str),
    /// The item at this index of a list or tuple.
    Item(usize),
}

/// A path from the top of the file to one value: `[Field("points"), Item(2),
/// Field("options"), Item(0), Field("text")]`.
pub type Path = [Step];

/// Why an edit was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    /// The file does not read, so no value can be found in it (fix it in a text editor, or
    /// undo).
    Unreadable(String),
    /// The path names nothing in the file.
    NoSuchValue(String),
    /// The edit would leave a file that does not read.
    WouldBreak(String),
}

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EditError::Unreadable(m) => write!(f, "the file does not read: {m}"),
            EditError::NoSuchValue(m) => write!(f, "nothing to edit at {m}"),
            EditError::WouldBreak(m) => write!(f, "the edit was not made: {m}"),
        }
    }
}

impl std::error::Error for EditError {}

/// A scenario file being edited, with its undo and redo history.
#[derive(Debug, Clone)]
pub struct Draft {
    text: String,
    /// The text read as a tree, once per text (every field the editor draws looks in it).
    tree: OnceLock<Result<Node, String>>,
    saved: String,
    undo: Vec<String>,
    redo: Vec<String>,
    /// Bumped whenever the text changes, so views of it (checks, audit) know when to redo
    /// their work without comparing whole texts.
    revision: u64,
}

/// How many edits undo remembers.
pub const UNDO_DEPTH: usize = 500;

impl Draft {
    /// A draft of `text` as it is on disk.
    pub fn open(text: impl Into<String>) -> Draft {
        let text = text.into();
        Draft {
            saved: text.clone(),
            text,
            tree: OnceLock::new(),
            undo: Vec::new(),
            redo: Vec::new(),
            revision: 0,
        }
    }

    /// A number that changes whenever the text does (edits, undo, redo).
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// The file's text now: what saving writes.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// True when the text differs from the last save (or the file as opened).
    pub fn is_dirty(&self) -> bool {
        self.text != self.saved
    }

    /// Call after the text was written to disk.
    pub fn mark_saved(&mut self) {
        self.saved = self.text.clone();
    }

    /// The scenario the text reads as, or its diagnostics.
    pub fn scenario(&self) -> Result<Scenario, Vec<Diagnostic>> {
        crate::format::load::load_scenario(&self.text)
    }

    /// The text read as a tree (once per text).
    fn root(&self) -> Result<&Node, EditError> {
        self.tree
            .get_or_init(|| ron_tree::parse(&self.text).map_err(|d| d.message))
            .as_ref()
            .map_err(|m| EditError::Unreadable(m.clone()))
    }

    /// The value at `path`, borrowed from the tree.
    fn at(&self, path: &Path) -> Result<&Node, EditError> {
        find(self.root()?, path).ok_or_else(|| EditError::NoSuchValue(describe(path)))
    }

    /// The value at `path`, with its span.
    pub fn node(&self, path: &Path) -> Result<Node, EditError> {
        self.at(path).cloned()
    }

    /// Where the value at `path` is written, if the file has it (no copy of the value: the
    /// editor asks this for many fields every frame).
    pub fn span(&self, path: &Path) -> Option<Span> {
        self.at(path).ok().map(|n| n.span)
    }

    /// Makes `text` the draft's text (with its tree when already read); the old text.
    fn set_text(&mut self, text: String, tree: Option<Node>) -> String {
        self.tree = OnceLock::new();
        if let Some(t) = tree {
            let _ = self.tree.set(Ok(t));
        }
        self.revision += 1;
        std::mem::replace(&mut self.text, text)
    }

    /// Makes `next` (already read as `tree`) the text, as one undoable edit.
    fn commit(&mut self, next: String, tree: Node) {
        let old = self.set_text(next, Some(tree));
        self.undo.push(old);
        if self.undo.len() > UNDO_DEPTH {
            self.undo.remove(0);
        }
        self.redo.clear();
    }

    /// The string at `path` (unescaped), if it is one.
    pub fn string(&self, path: &Path) -> Option<String> {
        match &self.at(path).ok()?.value {
            Value::Str(s) => Some(s.clone()),
            _ => None,
        }
    }

    /// Replaces the value at `path` with `ron` (RON source text, e.g. `"text"`, `Sustain`,
    /// `[OpenQuestion]`). Nothing else in the file changes.
    pub fn replace(&mut self, path: &Path, ron: &str) -> Result<(), EditError> {
        let node = self.node(path)?;
        self.splice(node.span, ron)
    }

    /// Sets the string at `path` to `s` (quoted and escaped as RON needs).
    pub fn set_string(&mut self, path: &Path, s: &str) -> Result<(), EditError> {
        self.replace(path, &ron_string(s))
    }

    /// Sets field `field` of the struct at `path` to `ron`: replaces it when the struct has
    /// it, else adds it after the last field, on its own line, indented like the others.
    pub fn set_field(
        &mut self,
        path: &Path,
        field: &'static str,
        ron: &str,
    ) -> Result<(), EditError> {
        let node = self.node(path)?;
        let Value::Struct { fields, .. } = &node.value else {
            return Err(EditError::NoSuchValue(format!(
                "{} (not a struct)",
                describe(path)
            )));
        };
        if let Some((_, v)) = fields.iter().find(|(n, _)| n.text == field) {
            return self.splice(v.span, ron);
        }
        let one_line = !self.text[node.span.start..node.span.end].contains('\n');
        let (at, insert) = match fields.last() {
            Some((name, v)) => {
                let after = after_item(&self.text, v.span.end);
                let comma = after != v.span.end;
                let indent = line_indent(&self.text, name.span.start);
                match (one_line, comma) {
                    // `Line(id: "a", talk: Neutral)` stays on its line.
                    (true, true) => (after, format!(" {field}: {ron},")),
                    (true, false) => (v.span.end, format!(", {field}: {ron}")),
                    (false, true) => (after, format!("\n{indent}{field}: {ron},")),
                    (false, false) => (v.span.end, format!(",\n{indent}{field}: {ron},")),
                }
            }
            None => (
                node.span.end.saturating_sub(1),
                format!(
                    "\n{}{field}: {ron},",
                    line_indent(&self.text, node.span.start) + "    "
                ),
            ),
        };
        self.splice(Span::new(at, at), &insert)
    }

    /// Removes field `field` of the struct at `path` (with its line when it has one of its
    /// own); nothing when it is absent.
    pub fn remove_field(&mut self, path: &Path, field: &'static str) -> Result<(), EditError> {
        let node = self.node(path)?;
        let Value::Struct { fields, .. } = &node.value else {
            return Err(EditError::NoSuchValue(describe(path)));
        };
        let Some((name, v)) = fields.iter().find(|(n, _)| n.text == field) else {
            return Ok(());
        };
        let mut span = item_extent(&self.text, name.span.start, v.span.end);
        // The last field of a one-line struct, with no comma of its own: take the comma
        // before it instead (`talk: Neutral, when: "x")` → `talk: Neutral)`).
        let before = self.text[..span.start].trim_end_matches([' ', '\t']);
        if span.end == v.span.end {
            if let Some(b) = before.strip_suffix(',') {
                span = Span::new(b.len(), span.end);
            }
        } else if !before.ends_with('\n') && !before.is_empty() {
            // Within a line: the space before it goes too (`a: 1, when: "x", b: 2`).
            span = Span::new(before.len(), span.end);
        }
        self.splice(span, "")
    }

    /// Inserts `ron` as item `index` of the list at `path` (at the end when `index` is past
    /// it), on its own line, indented like its neighbours, with a trailing comma.
    pub fn insert_item(&mut self, path: &Path, index: usize, ron: &str) -> Result<(), EditError> {
        let node = self.node(path)?;
        let Value::List(items) = &node.value else {
            return Err(EditError::NoSuchValue(format!(
                "{} (not a list)",
                describe(path)
            )));
        };
        let (at, indent) = if let Some(next) = items.get(index) {
            let start = line_start(&self.text, next.span.start);
            let indent = line_indent(&self.text, next.span.start);
            // Before the next item's own line (its comments stay with it).
            let at = comment_block_start(&self.text, start);
            return self.splice(
                Span::new(at, at),
                &format!("{indent}{},\n", indent_rest(ron, &indent)),
            );
        } else if let Some(last) = items.last() {
            (
                after_item(&self.text, last.span.end),
                line_indent(&self.text, last.span.start),
            )
        } else {
            (
                node.span.start + 1,
                line_indent(&self.text, node.span.start) + "    ",
            )
        };
        let close_indent = line_indent(&self.text, node.span.start);
        let mut insert = format!("\n{indent}{},", indent_rest(ron, &indent));
        if items.is_empty() {
            let _ = write!(insert, "\n{close_indent}");
        }
        self.splice(Span::new(at, at), &insert)
    }

    /// Removes item `index` of the list at `path`, with the comments just above it.
    pub fn remove_item(&mut self, path: &Path, index: usize) -> Result<(), EditError> {
        let node = self.node(path)?;
        let Value::List(items) = &node.value else {
            return Err(EditError::NoSuchValue(describe(path)));
        };
        let Some(item) = items.get(index) else {
            return Err(EditError::NoSuchValue(format!(
                "{} item {index}",
                describe(path)
            )));
        };
        let mut span = item_extent(&self.text, item.span.start, item.span.end);
        span.start = comment_block_start(&self.text, span.start);
        self.splice(span, "")
    }

    /// Undoes the last edit; false when there is none.
    pub fn undo(&mut self) -> bool {
        match self.undo.pop() {
            Some(t) => {
                let old = self.set_text(t, None);
                self.redo.push(old);
                true
            }
            None => false,
        }
    }

    /// Redoes the last undone edit; false when there is none.
    pub fn redo(&mut self) -> bool {
        match self.redo.pop() {
            Some(t) => {
                let old = self.set_text(t, None);
                self.undo.push(old);
                true
            }
            None => false,
        }
    }

    /// True when there is an edit to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// True when there is an edit to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Replaces `span` of the text with `with`, if the result still reads.
    /// How many times `find` occurs in the file's words (see [`Draft::replace_in_words`]).
    pub fn count_in_words(&self, find: &str) -> usize {
        if find.is_empty() {
            return 0;
        }
        let Ok(root) = self.root() else {
            return 0;
        };
        let mut n = 0;
        words(root, false, &mut |_, s| n += s.matches(find).count());
        n
    }

    /// Replaces `find` with `with` in the file's words: what the client, the trainee and the
    /// library show (lines, replies, feedback, names, titles, summaries, situations,
    /// backgrounds, debriefs, objectives, tags…), never ids, links (`next`, `after`, `start`)
    /// or conditions. One edit (one undo step); how many strings changed.
    pub fn replace_in_words(&mut self, find: &str, with: &str) -> Result<usize, EditError> {
        if find.is_empty() {
            return Ok(0);
        }
        let mut changed: Vec<(Span, String)> = Vec::new();
        words(self.root()?, false, &mut |span, s| {
            if s.contains(find) {
                changed.push((span, ron_string(&s.replace(find, with))));
            }
        });
        let n = changed.len();
        if n == 0 {
            return Ok(0);
        }
        changed.sort_by_key(|(span, _)| span.start);
        let mut next = String::with_capacity(self.text.len());
        let mut at = 0;
        for (span, ron) in &changed {
            next.push_str(&self.text[at..span.start]);
            next.push_str(ron);
            at = span.end;
        }
        next.push_str(&self.text[at..]);
        let tree = ron_tree::parse(&next).map_err(|d| EditError::WouldBreak(d.message))?;
        self.commit(next, tree);
        Ok(n)
    }

    fn splice(&mut self, span: Span, with: &str) -> Result<(), EditError> {
        let mut next = String::with_capacity(self.text.len() + with.len());
        next.push_str(&self.text[..span.start]);
        next.push_str(with);
        next.push_str(&self.text[span.end..]);
        if next == self.text {
            return Ok(());
        }
        let tree = ron_tree::parse(&next).map_err(|d| EditError::WouldBreak(d.message))?;
        self.commit(next, tree);
        Ok(())
    }
}

/// Fields whose strings are words people read (not ids, links or conditions).
const WORD_FIELDS: [&str; 14] = [
    "text",
    "feedback",
    "title",
    "summary",
    "situation",
    "background",
    "debrief",
    "name",
    "objectives",
    "tags",
    "session_title",
    "pronouns",
    "instructions",
    "plan",
];

/// Calls `f` with every string under a word field (`inside`: already under one) and its span.
fn words(node: &Node, inside: bool, f: &mut impl FnMut(Span, &str)) {
    match &node.value {
        Value::Str(s) if inside => f(node.span, s),
        Value::Struct { fields, .. } => {
            for (name, v) in fields {
                words(v, WORD_FIELDS.contains(&name.text.as_str()), f);
            }
        }
        Value::List(items) | Value::Tuple { items, .. } => {
            for i in items {
                words(i, inside, f);
            }
        }
        Value::Map(entries) => {
            for (_, v) in entries {
                words(v, inside, f);
            }
        }
        _ => {}
    }
}

fn find<'a>(node: &'a Node, path: &Path) -> Option<&'a Node> {
    let Some((first, rest)) = path.split_first() else {
        return Some(node);
    };
    let next = match (first, &node.value) {
        (Step::Field(f), Value::Struct { fields, .. }) => {
            fields.iter().find(|(n, _)| n.text == *f).map(|(_, v)| v)
        }
        (Step::Item(i), Value::List(items)) | (Step::Item(i), Value::Tuple { items, .. }) => {
            items.get(*i)
        }
        // `Some(x)` is transparent to a field path.
        (Step::Field(_), Value::Tuple { items, .. }) if items.len() == 1 => {
            return find(&items[0], path);
        }
        _ => None,
    }?;
    find(next, rest)
}

fn describe(path: &Path) -> String {
    let mut s = String::new();
    for step in path {
        match step {
            Step::Field(f) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(f);
            }
            Step::Item(i) => {
                let _ = write!(s, "[{i}]");
            }
        }
    }
    if s.is_empty() { "the file".into() } else { s }
}

/// Start of the line holding byte `at`.
fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// The whitespace that starts the line holding byte `at`.
fn line_indent(text: &str, at: usize) -> String {
    let start = line_start(text, at);
    text[start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

/// Just past an item ending at `end`: past its comma, if one follows (spaces between).
fn after_item(text: &str, end: usize) -> usize {
    let rest = &text[end..];
    let skipped = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    if rest[skipped..].starts_with(',') {
        end + skipped + 1
    } else {
        end
    }
}

/// The text an item from `start` to `end` occupies: with its comma, and its whole lines
/// when it has them to itself.
fn item_extent(text: &str, start: usize, end: usize) -> Span {
    let end = after_item(text, end);
    let ls = line_start(text, start);
    let own_line_before = text[ls..start].trim().is_empty();
    let rest = &text[end..];
    let line_end = rest.find('\n').map_or(text.len(), |i| end + i + 1);
    let own_line_after = text[end..line_end].trim().is_empty();
    if own_line_before && own_line_after {
        Span::new(ls, line_end)
    } else {
        Span::new(start, end)
    }
}

/// Where the `//` comment lines directly above the line starting at `ls` begin (`ls` when
/// there are none).
fn comment_block_start(text: &str, ls: usize) -> usize {
    let mut at = line_start(text, ls);
    while at > 0 {
        let prev = line_start(text, at - 1);
        if text[prev..at].trim_start().starts_with("//") {
            at = prev;
        } else {
            break;
        }
    }
    at
}

/// `ron` with every line after the first indented by `indent` (a multi-line item).
fn indent_rest(ron: &str, indent: &str) -> String {
    ron.lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 || l.is_empty() {
                l.to_string()
            } else {
                format!("{indent}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::Step::{Field, Item};
    use super::*;

    const TINY: &str = "// a client\nScenario(\n    id: \"x\", // the id\n    tags: [\n        \"a\",\n        // about b\n        \"b\",\n    ],\n    empty: [],\n)\n";

    #[test]
    fn an_untouched_file_saves_byte_for_byte() {
        let d = Draft::open(TINY);
        assert_eq!(d.text(), TINY);
        assert!(!d.is_dirty());
    }

    #[test]
    fn a_string_edit_changes_only_that_string_and_undoes() {
        let mut d = Draft::open(TINY);
        d.set_string(&[Field("id")], "say \"hi\"").unwrap();
        assert_eq!(d.text(), TINY.replace("\"x\"", "\"say \\\"hi\\\"\""));
        assert_eq!(d.string(&[Field("id")]).as_deref(), Some("say \"hi\""));
        assert!(d.is_dirty());
        assert!(d.undo());
        assert_eq!(d.text(), TINY);
        assert!(d.redo());
        assert_eq!(d.string(&[Field("id")]).as_deref(), Some("say \"hi\""));
        assert!(!d.redo());
    }

    #[test]
    fn items_are_inserted_and_removed_on_their_own_lines_with_their_comments() {
        let mut d = Draft::open(TINY);
        d.insert_item(&[Field("tags")], 9, "\"c\"").unwrap();
        assert!(
            d.text().contains("        \"b\",\n        \"c\",\n    ],"),
            "{}",
            d.text()
        );
        d.insert_item(&[Field("tags")], 0, "\"z\"").unwrap();
        assert!(
            d.text()
                .contains("    tags: [\n        \"z\",\n        \"a\","),
            "{}",
            d.text()
        );
        d.remove_item(&[Field("tags")], 2).unwrap(); // "b" and its comment
        assert!(
            !d.text().contains("about b") && !d.text().contains("\"b\""),
            "{}",
            d.text()
        );
        d.insert_item(&[Field("empty")], 0, "\"e\"").unwrap();
        assert!(
            d.text().contains("    empty: [\n        \"e\",\n    ],"),
            "{}",
            d.text()
        );
        for _ in 0..4 {
            assert!(d.undo());
        }
        assert_eq!(d.text(), TINY);
    }

    #[test]
    fn replacing_in_words_leaves_ids_links_and_conditions_and_is_one_undo_step() {
        let text = "(\n    title: \"Connor\",\n    lines: [\n        Line(id: \"connor.a\", text: \"Connor here. Connor.\", when: \"discord >= 5\"),\n    ],\n    next: \"Connor\",\n    objectives: [\"Help Connor\"],\n)\n";
        let mut d = Draft::open(text);
        assert_eq!(d.count_in_words("Connor"), 4);
        assert_eq!(d.replace_in_words("Connor", "Sam \"S\""), Ok(3));
        assert!(
            d.text().contains("title: \"Sam \\\"S\\\"\""),
            "{}",
            d.text()
        );
        assert!(d.text().contains("id: \"connor.a\""));
        assert!(d.text().contains("next: \"Connor\""), "links stay");
        assert!(d.text().contains("[\"Help Sam \\\"S\\\"\"]"));
        assert_eq!(d.count_in_words("Connor"), 0);
        assert!(d.undo());
        assert_eq!(d.text(), text);
    }

    #[test]
    fn a_field_added_to_a_one_line_struct_stays_on_its_line_and_comes_off_cleanly() {
        let text = "(\n    lines: [\n        Line(id: \"a\", talk: Neutral),\n        Line(id: \"b\", talk: Neutral,),\n        Line(\n            id: \"c\",\n            talk: Neutral\n        ),\n    ],\n)\n";
        let mut d = Draft::open(text);
        let line = |k| vec![Step::Field("lines"), Step::Item(k)];
        for k in 0..3 {
            d.set_field(&line(k), "when", "\"discord >= 5\"").unwrap();
        }
        assert!(
            d.text()
                .contains("Line(id: \"a\", talk: Neutral, when: \"discord >= 5\")"),
            "{}",
            d.text()
        );
        assert!(
            d.text()
                .contains("Line(id: \"b\", talk: Neutral, when: \"discord >= 5\",)"),
            "{}",
            d.text()
        );
        assert!(
            d.text()
                .contains("talk: Neutral,\n            when: \"discord >= 5\",\n"),
            "{}",
            d.text()
        );
        ron_tree::parse(d.text()).expect("still RON");
        for k in 0..3 {
            d.remove_field(&line(k), "when").unwrap();
        }
        ron_tree::parse(d.text()).expect("still RON");
        assert!(
            d.text().contains("Line(id: \"a\", talk: Neutral)"),
            "{}",
            d.text()
        );
        assert!(
            d.text().contains("Line(id: \"b\", talk: Neutral,)"),
            "{}",
            d.text()
        );
    }

    #[test]
    fn fields_are_added_replaced_and_removed() {
        let mut d = Draft::open(TINY);
        d.set_field(&[], "minutes", "15").unwrap();
        assert!(
            d.text().contains("    empty: [],\n    minutes: 15,\n)"),
            "{}",
            d.text()
        );
        d.set_field(&[], "minutes", "20").unwrap();
        assert!(d.text().contains("minutes: 20,"));
        d.remove_field(&[], "minutes").unwrap();
        assert_eq!(d.text(), TINY);
    }

    #[test]
    fn an_edit_that_would_break_the_file_is_refused() {
        let mut d = Draft::open(TINY);
        assert!(matches!(
            d.replace(&[Field("id")], "\"open"),
            Err(EditError::WouldBreak(_))
        ));
        assert!(matches!(
            d.set_string(&[Field("nope")], "x"),
            Err(EditError::NoSuchValue(_))
        ));
        assert_eq!(d.text(), TINY);
        assert!(!d.can_undo());
    }

    #[test]
    fn every_bundled_scenario_round_trips_through_the_editor_model() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
        let mut n = 0;
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_none_or(|x| x != "ron") {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            let mut d = Draft::open(text.clone());
            assert_eq!(d.text(), text, "{}", p.display());
            // An edit and its undo give the same bytes back.
            let path = [
                Field("points"),
                Item(0),
                Field("options"),
                Item(0),
                Field("text"),
            ];
            let old = d.string(&path).expect("a first option");
            d.set_string(&path, "edited").unwrap();
            let s = d.scenario().expect("still loads");
            assert_eq!(s.points[0].options[0].text, "edited");
            d.set_string(&path, &old).unwrap();
            assert_eq!(d.text(), text, "{}: setting it back", p.display());
            d.undo();
            d.undo();
            assert_eq!(d.text(), text);
            n += 1;
        }
        assert!(n >= 9, "{n} files");
    }
}
