//! A serde `Deserializer` over the spanned RON tree. The scenario and exercise models derive
//! `Deserialize`, and every mistake in a file comes back as a [`Diagnostic`] at its item's
//! line:col — all of them, not only the first. After a mistake it reads on:
//! * a list entry that fails is reported and left out;
//! * a struct field that fails is reported and read again from no node at all, which gives
//!   an empty value of every type (`""`, `0`, `[]`, `None`, the first variant; a checked field
//!   answers with its fallback, see [`crate::source::check`]);
//! * unknown and repeated fields are reported ("did you mean") and skipped;
//! * a missing required field is reported at its struct and remembered for the type, and the
//!   struct read again with an empty value for it, as is every later one that lacks it.
//!
//! Spans reach the models through synthetic fields: a field renamed `$span` receives the item's
//! span; one renamed `$spans`, a struct whose fields receive the spans of the item's fields of
//! the same names (`$span` for the item, `a.b` inside a field, a list of spans for a list's
//! entries). `None` is an absent field and `Some(x)` is `x`. RON spells enum variants in
//! PascalCase, the models' serde names in snake_case.

use std::cell::RefCell;
use std::fmt;

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, DeserializeOwned, Error as _, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;

use crate::source::check::{CHECKED, REPORTED, SUBJECT, split_offset};
use crate::source::diag::{Diagnostic, Span};
use crate::source::ron_tree::{Node, Value};
use crate::source::text::suggest;

mod access;

use access::{Fields, Items, Variant};

/// Words for things in messages: `("Type.field", words)` for a field, `("Type.field[]",
/// words)` for its list's entries, `("Type.*", prefix)` for "prefix `field`", `("Enum",
/// words)` for an enum's values. Otherwise "`field`", "each entry of `field`", the type name.
pub type Names = &'static [(&'static str, &'static str)];

/// Reads `root` into a `T`, with every mistake found; the value is `None` only when the root
/// itself could not be read.
pub fn decode<T: DeserializeOwned>(
    src: &str,
    root: &Node,
    names: Names,
) -> (Option<T>, Vec<Diagnostic>) {
    let ctx = Ctx {
        src,
        names,
        diags: RefCell::default(),
        required: RefCell::default(),
    };
    let top = NodeDe {
        node: Some(root),
        ctx: &ctx,
        subject: Subject::default(),
    };
    let value = top.attempt(T::deserialize).ok();
    (value, ctx.diags.into_inner())
}

struct Ctx<'a> {
    src: &'a str,
    names: Names,
    diags: RefCell<Vec<Diagnostic>>,
    /// Required fields learnt so far: (type, field).
    required: RefCell<Vec<(&'static str, &'static str)>>,
}

/// What a value is, for messages: a field of a type, or each entry of one.
#[derive(Clone, Copy, Default)]
struct Subject {
    ty: &'static str,
    field: &'static str,
    entry: bool,
}

impl Ctx<'_> {
    fn push(&self, span: Span, message: String) {
        let d = Diagnostic::error(span, message.replace(SUBJECT, "the value"));
        self.diags.borrow_mut().push(d);
    }

    /// The words for `ty.key`, or for `ty` itself when `key` is empty.
    fn lookup(&self, ty: &str, key: &str) -> Option<&'static str> {
        self.names.iter().find_map(|(k, w)| {
            let rest = k.strip_prefix(ty)?;
            let hit = match key {
                "" => rest.is_empty(),
                _ => rest.strip_prefix('.') == Some(key),
            };
            hit.then_some(*w)
        })
    }

    fn words(&self, s: Subject) -> String {
        let field = format!("`{}`", s.field);
        match (s.field, s.entry) {
            ("", _) => "the value".into(),
            (_, true) => match self.lookup(s.ty, &format!("{}[]", s.field)) {
                Some(w) => w.into(),
                None => format!(
                    "each entry of {}",
                    self.words(Subject { entry: false, ..s })
                ),
            },
            _ => match (self.lookup(s.ty, s.field), self.lookup(s.ty, "*")) {
                (Some(w), _) => w.into(),
                (_, Some(prefix)) => format!("{prefix} {field}"),
                _ => field,
            },
        }
    }
}

/// A decoding error: where (the innermost node that knows sets it) and what.
#[derive(Debug)]
pub struct Error {
    span: Option<Span>,
    offset: Option<usize>,
    message: String,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// A mistake to report.
    Message,
    /// A required field is missing (from serde; its struct reports it).
    Missing(&'static str),
    /// Reported, and the struct learnt a required field: read the value again.
    Retry,
    /// Reported already.
    Reported,
}

impl Error {
    fn new(kind: Kind, span: Option<Span>, message: String) -> Self {
        let offset = None;
        Error {
            span,
            offset,
            message,
            kind,
        }
    }

    fn reported(kind: Kind) -> Self {
        Error::new(kind, None, REPORTED.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        let text = msg.to_string();
        let (offset, message) = split_offset(&text);
        let e = Error::new(Kind::Message, None, message.into());
        Error { offset, ..e }
    }

    fn missing_field(field: &'static str) -> Self {
        Error::new(Kind::Missing(field), None, String::new())
    }
}

/// `None` is no value; `Some(x)` is `x`.
fn unwrap_some(n: &Node) -> Option<&Node> {
    match &n.value {
        Value::Ident(s) if s == "None" => None,
        Value::Tuple {
            name: Some(name),
            items,
        } if name.text == "Some" && items.len() == 1 => items.first(),
        _ => Some(n),
    }
}

/// The value of a struct node's field.
fn field<'a>(n: &'a Node, key: &str) -> Option<&'a Node> {
    let Value::Struct { fields, .. } = &n.value else {
        return None;
    };
    let (_, v) = fields.iter().find(|(k, _)| k.text == key)?;
    unwrap_some(v)
}

/// True when the PascalCase `ron` spells the snake_case `name`.
fn spells(ron: &str, name: &str) -> bool {
    let mut words = name.split('_').filter(|w| !w.is_empty());
    let mut rest = ron;
    words.all(|w| {
        let mut c = w.chars();
        let first = c.next().map(|f| f.to_ascii_uppercase());
        let ok = rest.chars().next() == first && rest[1..].starts_with(c.as_str());
        rest = rest.get(1 + c.as_str().len()..).unwrap_or("\u{0}");
        ok
    }) && rest.is_empty()
}

/// The PascalCase spelling of a snake_case name.
fn pascal(name: &str) -> String {
    let mut up = true;
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '_' => up = true,
            c if up => (out.push(c.to_ascii_uppercase()), up = false).1,
            c => out.push(c),
        }
    }
    out
}

/// `()`, from which a struct type shows the fields it needs.
static EMPTY: Node = Node {
    value: Value::Tuple {
        name: None,
        items: Vec::new(),
    },
    span: Span { start: 0, end: 0 },
};

/// Reads one node; with no node, an empty value (to read on after a mistake).
#[derive(Clone, Copy)]
struct NodeDe<'a> {
    node: Option<&'a Node>,
    ctx: &'a Ctx<'a>,
    subject: Subject,
}

impl<'a> NodeDe<'a> {
    fn with(self, node: &'a Node) -> Self {
        let node = Some(node);
        NodeDe { node, ..self }
    }

    fn empty(self) -> Self {
        NodeDe { node: None, ..self }
    }

    fn value(&self) -> Option<&'a Value> {
        self.node.map(|n| &n.value)
    }

    fn at(&self, message: String) -> Error {
        let span = self.node.map(|n| n.span);
        Error::new(Kind::Message, span, message)
    }

    /// Puts this node's place and name into an error that has none yet.
    fn finish(&self, mut e: Error) -> Error {
        if let (Kind::Message, None, Some(n)) = (e.kind, e.span, self.node) {
            e.span = Some(match (e.offset, &n.value) {
                // Inside the string when it is written without escapes.
                (Some(o), Value::Str(s)) => {
                    let raw = self
                        .ctx
                        .src
                        .get(n.span.start + 1..n.span.end.saturating_sub(1));
                    let at = n.span.start + if raw == Some(s) { 1 + o } else { 0 };
                    Span::new(at, at + 1)
                }
                _ => n.span,
            });
        }
        if e.message.contains(SUBJECT) {
            e.message = e.message.replace(SUBJECT, &self.ctx.words(self.subject));
        }
        e
    }

    fn done<T>(&self, r: Result<T, Error>) -> Result<T, Error> {
        r.map_err(|e| self.finish(e))
    }

    /// "… must be `expected`, found a string".
    fn mismatch<T>(&self, expected: &str) -> Result<T, Error> {
        let found = match self.value() {
            Some(Value::Float(f)) if expected == WHOLE => f.to_string(),
            v => v.map_or("nothing", Value::kind).to_string(),
        };
        let msg = format!("{SUBJECT} must be {expected}, found {found}");
        Err(self.finish(Error::custom(msg)))
    }

    /// Reports `e` here (unless it already was) and returns the error that says so.
    fn report(&self, e: Error) -> Error {
        let e = self.finish(e);
        let at = e.span.unwrap_or_default();
        match e.kind {
            Kind::Message => self.ctx.push(at, e.message),
            Kind::Missing(f) => self
                .ctx
                .push(at, format!("missing the required field `{f}`")),
            Kind::Retry | Kind::Reported => {}
        }
        Error::reported(Kind::Reported)
    }

    /// Reads this node with `read`, again while a struct learns a required field; other
    /// mistakes are reported.
    fn attempt<T>(self, read: impl Fn(Self) -> Result<T, Error>) -> Result<T, Error> {
        loop {
            let mark = self.ctx.diags.borrow().len();
            match read(self) {
                Err(e) if e.kind == Kind::Retry => {
                    // Learn the rest of what the type needs from an empty struct, so the
                    // value is read once more, not once per missing field; the next read
                    // reports the same again.
                    let probe = self.with(&EMPTY);
                    while matches!(read(probe), Err(e) if e.kind == Kind::Retry) {}
                    self.ctx.diags.borrow_mut().truncate(mark);
                }
                r => return r.map_err(|e| self.report(e)),
            }
        }
    }

    fn items(self, items: &'a [Node]) -> Items<'a> {
        let subject = Subject {
            entry: true,
            ..self.subject
        };
        let de = NodeDe { subject, ..self };
        Items {
            iter: items.iter(),
            de,
        }
    }

    fn strukt<'de, V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let ctx = self.ctx;
        let (node, written, entries) = match self.node.map(|n| (n, &n.value)) {
            None => {
                return visitor.visit_map(MapDeserializer::new(fields.iter().map(|f| (*f, self))));
            }
            Some((n, Value::Struct { name, fields })) => (n, name.as_ref(), fields.as_slice()),
            Some((n, Value::Tuple { name, items })) if items.is_empty() => {
                (n, name.as_ref(), &[][..])
            }
            Some((_, other)) => {
                let found = other.kind();
                return Err(self.at(format!(
                    "expected {name}(...) with named fields, found {found}"
                )));
            }
        };
        if let Some(n) = written.filter(|n| n.text != name) {
            let msg = format!("expected `{name}(...)` here, found `{}(...)`", n.text);
            ctx.push(n.span, msg);
        }
        let known = || fields.iter().copied().filter(|f| !f.starts_with('$'));
        let mut list: Vec<(&'static str, Option<&'a Node>)> = fields
            .iter()
            .filter(|f| f.starts_with('$'))
            .map(|f| (*f, None))
            .collect();
        let mut seen: Vec<&str> = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let Some(f) = known().find(|f| *f == k.text) else {
                let hint = suggest(&k.text, known());
                let all: Vec<String> = known().map(|a| format!("`{a}`")).collect();
                let (word, all) = (&k.text, all.join(", "));
                let msg = format!("unknown field `{word}` in {name}{hint}; the fields are {all}");
                ctx.push(k.span, msg);
                continue;
            };
            if seen.contains(&f) {
                ctx.push(k.span, format!("field `{f}` is given twice in this {name}"));
                continue;
            }
            seen.push(f);
            if let Some(v) = unwrap_some(v) {
                list.push((f, Some(v)));
            }
        }
        let at = Span::new(node.span.start, node.span.start + 1);
        let missing = |f: &str| format!("{name} is missing the required field `{f}`");
        for &(ty, f) in ctx.required.borrow().iter() {
            if ty == name && !list.iter().any(|(g, _)| *g == f) {
                ctx.push(at, missing(f));
                list.push((f, None));
            }
        }
        let list = list.into_iter();
        let (ty, value) = (name, None);
        match visitor.visit_map(Fields {
            ty,
            list,
            value,
            de: self,
        }) {
            Err(Error {
                kind: Kind::Missing(f),
                ..
            }) => {
                ctx.push(at, missing(f));
                let mut required = ctx.required.borrow_mut();
                if required.contains(&(name, f)) {
                    return Err(Error::reported(Kind::Reported));
                }
                required.push((name, f));
                Err(Error::reported(Kind::Retry))
            }
            r => self.done(r),
        }
    }

    fn enum_of<'de, V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let what = self.ctx.lookup(name, "").unwrap_or(name);
        let names = || variants.iter().map(|v| pascal(v)).collect::<Vec<_>>();
        let list = || names().join(", ");
        let (word, payload) = match self.value() {
            None => ("", None),
            Some(Value::Ident(s)) => (s.as_str(), None),
            Some(Value::Tuple {
                name: Some(n),
                items,
            }) => (n.text.as_str(), Some(items.as_slice())),
            Some(Value::Str(s)) => {
                let hint = names().into_iter().find(|k| k.eq_ignore_ascii_case(s));
                return Err(self.at(match hint {
                    Some(h) => format!("{what} is written without quotes: `{h}`"),
                    None => format!("{what} is written without quotes, one of: {}", list()),
                }));
            }
            Some(other) => {
                let (list, found) = (list(), other.kind());
                return Err(self.at(format!("{what} must be one of {list}; found {found}")));
            }
        };
        let found = variants.iter().find(|v| spells(word, v));
        let variant = match (found, self.node, payload) {
            (Some(v), ..) => *v,
            (None, None, _) => variants.first().copied().unwrap_or_default(),
            (None, _, Some(_)) => {
                let list = list();
                return Err(self.at(format!("{what} must be one of {list}; found a tuple")));
            }
            (None, ..) => {
                let (names, list) = (names(), list());
                let hint = suggest(word, names.iter().map(String::as_str));
                let msg = format!("unknown {what} `{word}`{hint}; expected one of {list}");
                return Err(self.at(msg));
            }
        };
        let r = visitor.visit_enum(Variant {
            de: self,
            variant,
            word,
            payload,
        });
        self.done(r)
    }
}

const WHOLE: &str = "a whole number";

impl<'de> de::Deserializer<'de> for NodeDe<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        let r = match self.value() {
            None => v.visit_unit(),
            Some(Value::Bool(b)) => v.visit_bool(*b),
            Some(Value::Int(i)) => match u64::try_from(*i) {
                Ok(u) => v.visit_u64(u),
                Err(_) => v.visit_i128(*i),
            },
            Some(Value::Float(f)) => v.visit_f64(*f),
            Some(Value::Char(c)) => v.visit_char(*c),
            Some(Value::Str(s) | Value::Ident(s)) => v.visit_str(s),
            Some(Value::List(items) | Value::Tuple { items, .. }) => v.visit_seq(self.items(items)),
            Some(_) => return self.mismatch("a plain value"),
        };
        self.done(r)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.value() {
            None => v.visit_bool(false),
            Some(Value::Bool(b)) => self.done(v.visit_bool(*b)),
            _ => self.mismatch("`true` or `false`"),
        }
    }

    fn deserialize_i128<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.value() {
            None => v.visit_i128(0),
            Some(Value::Int(i)) => self.done(v.visit_i128(*i)),
            _ => self.mismatch(WHOLE),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.value() {
            None => v.visit_f64(0.0),
            Some(Value::Int(i)) => self.done(v.visit_f64(*i as f64)),
            Some(Value::Float(f)) => self.done(v.visit_f64(*f)),
            _ => self.mismatch("a number"),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.value() {
            None => v.visit_str(""),
            Some(Value::Str(s)) => self.done(v.visit_str(s)),
            _ => self.mismatch("a string in double quotes"),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_str(v)
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.node.and_then(unwrap_some) {
            None => v.visit_none(),
            Some(n) => self.done(v.visit_some(self.with(n))),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.value() {
            // No size hint: a list that must have entries does not object to this one.
            None => v.visit_seq(SeqDeserializer::new(std::iter::from_fn(|| None::<Self>))),
            Some(Value::List(items)) => self.done(v.visit_seq(self.items(items))),
            _ => self.mismatch("a list in `[...]`"),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, Error> {
        match self.value() {
            None => v.visit_seq(SeqDeserializer::new(std::iter::repeat_n(0u64, len))),
            Some(Value::List(items) | Value::Tuple { items, .. }) => {
                self.done(v.visit_seq(self.items(items)))
            }
            _ => self.mismatch("a tuple in `(...)`"),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &str,
        v: V,
    ) -> Result<V::Value, Error> {
        match (self.node, name) {
            (None, CHECKED) => v.visit_unit(),
            _ => self.done(v.visit_newtype_struct(self)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        self.strukt(name, fields, v)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        self.enum_of(name, variants, v)
    }

    forward_to_deserialize_any! {
        i8 i16 i32 i64 u8 u16 u32 u64 u128 f32 char bytes byte_buf unit unit_struct
        tuple_struct map identifier
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_unit()
    }
}

impl<'de, 'a> IntoDeserializer<'de, Error> for NodeDe<'a> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}
