//! A serde [`Deserializer`](de::Deserializer) over the spanned RON tree: the scenario and
//! exercise models derive `Deserialize`, and every mistake in a file comes back as a
//! [`Diagnostic`] at its item's line:col — all of them, not only the first.
//!
//! After a mistake it reads on:
//! * a list entry that fails is reported and left out, and the next entry is read;
//! * a struct field that fails is reported and read again from no node at all, which gives an
//!   empty value of every type (`""`, `0`, `[]`, `None`, the first variant; checked fields
//!   answer with their fallback, see [`crate::source::check`]);
//! * unknown and repeated fields are reported ("did you mean") and skipped;
//! * a missing required field is reported at its struct and remembered for the type; the
//!   struct is read again with a fallback value for it, and so is every later one that lacks
//!   it — so each missing field is reported, and the struct kept for the semantic checks.
//!
//! Spans reach the model through synthetic fields: one renamed `$span` receives the item's
//! span; one renamed `$spans`, a struct whose fields receive the spans of the item's fields of
//! the same names (`$span` for the item itself, `a.b` inside a field, a list of spans for the
//! entries of a list). `None` is an absent field and `Some(x)` is `x`. RON spells enum variants
//! in PascalCase; the models' serde names are their snake_case.

use std::cell::RefCell;
use std::fmt;

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, DeserializeOwned, DeserializeSeed, Error as _, IntoDeserializer, Visitor};
use serde::{Deserialize, forward_to_deserialize_any};

use crate::source::check::{CHECKED, REPORTED, SUBJECT, split_offset};
use crate::source::diag::{Diagnostic, Span};
use crate::source::ron_tree::{Node, Value};
use crate::source::text::suggest;

/// Words for things in messages: `("Type.field", words)` for a field, `("Type.field[]",
/// words)` for each entry of a list field, `("Type.*", prefix)` to name every field of a type
/// "prefix `field`", and `("Enum", words)` for a value of an enum. Unlisted fields are
/// "`field`", their entries "each entry of `field`", enums their type name.
pub type Names = &'static [(&'static str, &'static str)];

/// Reads `root` into a `T`, with every mistake found (in the order found); the value is
/// `None` only when the root itself could not be read.
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

/// How often one value is read again after its struct learnt a required field.
const MAX_ATTEMPTS: usize = 64;

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
        self.diags
            .borrow_mut()
            .push(Diagnostic::error(span, message));
    }

    /// Reports `e` (unless it already was) and returns the error that says so.
    fn report(&self, e: Error) -> Error {
        match e.kind {
            Kind::Message => self.push(
                e.span.unwrap_or_default(),
                e.message.replace(SUBJECT, "the value"),
            ),
            Kind::Missing(f) => self.push(
                e.span.unwrap_or_default(),
                format!("missing the required field `{f}`"),
            ),
            Kind::Retry | Kind::Reported => {}
        }
        Error::reported()
    }

    fn lookup(&self, ty: &str, key: &str) -> Option<&'static str> {
        self.names.iter().find_map(|(k, w)| {
            let rest = k.strip_prefix(ty)?;
            (rest.strip_prefix('.') == Some(key) || (key.is_empty() && rest.is_empty()))
                .then_some(*w)
        })
    }

    fn words(&self, s: Subject) -> String {
        if s.field.is_empty() {
            return "the value".into();
        }
        if s.entry {
            if let Some(w) = self.lookup(s.ty, &format!("{}[]", s.field)) {
                return w.into();
            }
            let whole = Subject { entry: false, ..s };
            return format!("each entry of {}", self.words(whole));
        }
        if let Some(w) = self.lookup(s.ty, s.field) {
            w.into()
        } else if let Some(prefix) = self.lookup(s.ty, "*") {
            format!("{prefix} `{}`", s.field)
        } else {
            format!("`{}`", s.field)
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
    fn new(kind: Kind, message: String) -> Self {
        Error {
            span: None,
            offset: None,
            message,
            kind,
        }
    }

    fn reported() -> Self {
        Error::new(Kind::Reported, REPORTED.into())
    }

    fn at(span: Span, message: String) -> Self {
        Error {
            span: Some(span),
            ..Error::new(Kind::Message, message)
        }
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
        Error {
            offset,
            ..Error::new(Kind::Message, message.to_string())
        }
    }

    fn missing_field(field: &'static str) -> Self {
        Error::new(Kind::Missing(field), String::new())
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
    match &n.value {
        Value::Struct { fields, .. } => fields
            .iter()
            .find(|(k, _)| k.text == key)
            .and_then(|(_, v)| unwrap_some(v)),
        _ => None,
    }
}

/// True when the PascalCase `ron` spells the snake_case `name`.
fn spells(ron: &str, name: &str) -> bool {
    let mut r = ron.chars();
    let mut upper = true;
    for c in name.chars() {
        if c == '_' {
            upper = true;
            continue;
        }
        let want = if upper { c.to_ascii_uppercase() } else { c };
        upper = false;
        if r.next() != Some(want) {
            return false;
        }
    }
    r.next().is_none()
}

/// The PascalCase spelling of a snake_case name.
fn pascal(name: &str) -> String {
    name.split('_')
        .flat_map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase())
                .into_iter()
                .chain(c)
        })
        .collect()
}

/// What a `deserialize_*` method asks for.
#[derive(Clone, Copy, PartialEq)]
enum Want {
    Any,
    Bool,
    Int,
    I128,
    Float,
    Char,
    Str,
    Option,
    Unit,
    Seq,
    Tuple(usize),
    Map,
    Ident,
}

impl Want {
    fn words(self) -> &'static str {
        match self {
            Want::Bool => "`true` or `false`",
            Want::Int | Want::I128 => "a whole number",
            Want::Float => "a number",
            Want::Char => "a character in single quotes",
            Want::Str => "a string in double quotes",
            Want::Unit => "`()`",
            Want::Seq => "a list in `[...]`",
            Want::Tuple(_) => "a tuple in `(...)`",
            Want::Map => "a map in `{...}`",
            Want::Any | Want::Option | Want::Ident => "a name",
        }
    }
}

/// Reads one node; with no node, an empty value (to read on after a mistake).
#[derive(Clone, Copy)]
struct NodeDe<'a> {
    node: Option<&'a Node>,
    ctx: &'a Ctx<'a>,
    subject: Subject,
}

impl<'a> NodeDe<'a> {
    fn with(self, node: &'a Node) -> Self {
        NodeDe {
            node: Some(node),
            ..self
        }
    }

    fn empty(self) -> Self {
        NodeDe { node: None, ..self }
    }

    /// Puts this node's place and name into an error that has none yet.
    fn finish(&self, mut e: Error) -> Error {
        if e.kind != Kind::Message {
            return e;
        }
        if let (None, Some(n)) = (e.span, self.node) {
            e.span = Some(match (e.offset, &n.value) {
                // Inside the string when it is written without escapes.
                (Some(o), Value::Str(s)) => {
                    let raw = self
                        .ctx
                        .src
                        .get(n.span.start + 1..n.span.end.saturating_sub(1));
                    let at = n.span.start + if raw == Some(s.as_str()) { 1 + o } else { 0 };
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

    /// Reports `e` here (unless it already was) and returns the error that says so.
    fn report(&self, e: Error) -> Error {
        self.ctx.report(self.finish(e))
    }

    /// Reads this node with `read`, again while a struct learns a required field; other
    /// mistakes are reported.
    fn attempt<T>(self, read: impl Fn(Self) -> Result<T, Error>) -> Result<T, Error> {
        for _ in 0..MAX_ATTEMPTS {
            match read(self) {
                Err(e) if e.kind == Kind::Retry => {}
                Err(e) => return Err(self.report(e)),
                ok => return ok,
            }
        }
        Err(Error::reported())
    }

    fn items(self, items: &'a [Node]) -> Items<'a> {
        let subject = Subject {
            entry: true,
            ..self.subject
        };
        Items {
            iter: items.iter(),
            de: NodeDe { subject, ..self },
        }
    }

    fn read<'de, V: Visitor<'de>>(self, want: Want, v: V) -> Result<V::Value, Error> {
        use {Value as X, Want as W};
        let Some(node) = self.node else {
            return match want {
                W::Bool => v.visit_bool(false),
                W::Int | W::I128 => v.visit_u64(0),
                W::Float => v.visit_f64(0.0),
                W::Char => v.visit_char(' '),
                W::Str | W::Ident => v.visit_str(""),
                W::Option => v.visit_none(),
                // No size hint: a list that must have entries does not object to this one.
                W::Seq => v.visit_seq(SeqDeserializer::new(std::iter::from_fn(|| None::<Self>))),
                W::Tuple(n) => v.visit_seq(SeqDeserializer::new(std::iter::repeat_n(self, n))),
                W::Map => v.visit_map(MapDeserializer::new(std::iter::empty::<(&str, Self)>())),
                W::Any | W::Unit => v.visit_unit(),
            };
        };
        let r = match (want, &node.value) {
            (W::Option | W::Any, X::Ident(_) | X::Tuple { .. }) if unwrap_some(node).is_none() => {
                v.visit_none()
            }
            (W::Option, _) => v.visit_some(self.with(unwrap_some(node).unwrap_or(node))),
            (
                W::Any,
                X::Tuple {
                    name: Some(n),
                    items,
                },
            ) if n.text == "Some" && items.len() == 1 => v.visit_some(self.with(&items[0])),
            (W::Bool | W::Any, X::Bool(b)) => v.visit_bool(*b),
            (W::I128, X::Int(i)) => v.visit_i128(*i),
            (W::Int | W::Any, X::Int(i)) => match (i64::try_from(*i), u64::try_from(*i)) {
                (Ok(i), _) => v.visit_i64(i),
                (_, Ok(u)) => v.visit_u64(u),
                _ => v.visit_i128(*i),
            },
            (W::Float, X::Int(i)) => v.visit_f64(*i as f64),
            (W::Float | W::Any, X::Float(f)) => v.visit_f64(*f),
            (W::Char | W::Any, X::Char(c)) => v.visit_char(*c),
            (W::Str | W::Any | W::Ident, X::Str(s)) | (W::Any | W::Ident, X::Ident(s)) => {
                v.visit_str(s)
            }
            (W::Unit, X::Tuple { items, .. }) if items.is_empty() => v.visit_unit(),
            (W::Seq | W::Tuple(_) | W::Any, X::List(items))
            | (W::Tuple(_) | W::Any, X::Tuple { items, .. }) => v.visit_seq(self.items(items)),
            (W::Map | W::Any, X::Struct { fields, .. }) => v.visit_map(MapDeserializer::new(
                fields.iter().map(|(k, n)| (k.text.as_str(), self.with(n))),
            )),
            (W::Map | W::Any, X::Map(pairs)) => v.visit_map(MapDeserializer::new(
                pairs.iter().map(|(k, n)| (self.with(k), self.with(n))),
            )),
            (_, found) => {
                let found = match found {
                    X::Float(f) if want == W::Int || want == W::I128 => f.to_string(),
                    other => other.kind().to_string(),
                };
                let msg = format!("{SUBJECT} must be {}, found {found}", want.words());
                return Err(self.finish(Error::custom(msg)));
            }
        };
        r.map_err(|e| self.finish(e))
    }

    fn enum_of<'de, V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let what = self.ctx.lookup(name, "").unwrap_or(name);
        let names = || variants.iter().map(|v| pascal(v)).collect::<Vec<_>>();
        let first = variants.first().copied().unwrap_or_default();
        let Some(node) = self.node else {
            let (de, word) = (self, "");
            return visitor.visit_enum(Variant {
                de,
                variant: first,
                word,
                payload: None,
            });
        };
        let fail = |msg: String| Err(Error::at(node.span, msg));
        let (word, payload) = match &node.value {
            Value::Ident(s) => (s.as_str(), None),
            Value::Tuple {
                name: Some(n),
                items,
            } => (n.text.as_str(), Some(items.as_slice())),
            Value::Str(s) => {
                let names = names();
                return fail(match names.iter().find(|k| k.eq_ignore_ascii_case(s)) {
                    Some(h) => format!("{what} is written without quotes: `{h}`"),
                    None => format!(
                        "{what} is written without quotes, one of: {}",
                        names.join(", ")
                    ),
                });
            }
            other => {
                let list = names().join(", ");
                return fail(format!(
                    "{what} must be one of {list}; found {}",
                    other.kind()
                ));
            }
        };
        let Some(variant) = variants.iter().find(|v| spells(word, v)) else {
            if payload.is_some() {
                let list = names().join(", ");
                return fail(format!("{what} must be one of {list}; found a tuple"));
            }
            let names = names();
            let hint = suggest(word, names.iter().map(String::as_str));
            let list = names.join(", ");
            return fail(format!(
                "unknown {what} `{word}`{hint}; expected one of {list}"
            ));
        };
        let r = visitor.visit_enum(Variant {
            de: self,
            variant,
            word,
            payload,
        });
        r.map_err(|e| self.finish(e))
    }

    fn strukt<'de, V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let ctx = self.ctx;
        let Some(node) = self.node else {
            let all = fields.iter().map(|f| (*f, self));
            return visitor.visit_map(MapDeserializer::new(all));
        };
        let (written, entries) = match &node.value {
            Value::Struct { name, fields } => (name.as_ref(), fields.as_slice()),
            Value::Tuple { name, items } if items.is_empty() => (name.as_ref(), &[][..]),
            other => {
                let msg = format!(
                    "expected {name}(...) with named fields, found {}",
                    other.kind()
                );
                return Err(Error::at(node.span, msg));
            }
        };
        if let Some(n) = written
            && n.text != name
        {
            let msg = format!("expected `{name}(...)` here, found `{}(...)`", n.text);
            ctx.push(n.span, msg);
        }
        let known = || fields.iter().copied().filter(|f| !f.starts_with('$'));
        let mut list: Vec<(&'static str, Entry<'a>)> = Vec::with_capacity(fields.len());
        for &f in fields {
            if f == "$span" || f == "$spans" {
                list.push((f, Entry::Spans(node)));
            }
        }
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
                list.push((f, Entry::Node(v)));
            }
        }
        let at = Span::new(node.span.start, node.span.start + 1);
        let missing = |f: &str| format!("{name} is missing the required field `{f}`");
        for &(ty, f) in ctx.required.borrow().iter() {
            if ty == name && !list.iter().any(|(g, _)| *g == f) {
                ctx.push(at, missing(f));
                list.push((f, Entry::Empty));
            }
        }
        let access = Fields {
            ty: name,
            list: list.into_iter(),
            value: None,
            de: self,
        };
        match visitor.visit_map(access) {
            Err(Error {
                kind: Kind::Missing(f),
                ..
            }) => {
                ctx.push(at, missing(f));
                let mut required = ctx.required.borrow_mut();
                let learnt = !required.contains(&(name, f));
                required.push((name, f));
                Err(Error::new(
                    if learnt { Kind::Retry } else { Kind::Reported },
                    REPORTED.into(),
                ))
            }
            r => r.map_err(|e| self.finish(e)),
        }
    }
}

/// `deserialize_*` methods that read what [`Want`] names.
macro_rules! wants {
    ($($method:ident => $want:expr),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
            self.read($want, v)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for NodeDe<'_> {
    type Error = Error;

    wants! {
        deserialize_any => Want::Any, deserialize_bool => Want::Bool,
        deserialize_i8 => Want::Int, deserialize_i16 => Want::Int, deserialize_i32 => Want::Int,
        deserialize_i64 => Want::Int, deserialize_i128 => Want::I128,
        deserialize_u8 => Want::Int, deserialize_u16 => Want::Int, deserialize_u32 => Want::Int,
        deserialize_u64 => Want::Int, deserialize_u128 => Want::I128,
        deserialize_f32 => Want::Float, deserialize_f64 => Want::Float,
        deserialize_char => Want::Char, deserialize_str => Want::Str,
        deserialize_string => Want::Str, deserialize_bytes => Want::Str,
        deserialize_byte_buf => Want::Str, deserialize_option => Want::Option,
        deserialize_unit => Want::Unit, deserialize_seq => Want::Seq, deserialize_map => Want::Map,
        deserialize_identifier => Want::Ident, deserialize_ignored_any => Want::Unit,
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &str, v: V) -> Result<V::Value, Error> {
        self.read(Want::Unit, v)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &str,
        v: V,
    ) -> Result<V::Value, Error> {
        match (self.node, name) {
            (None, CHECKED) => v.visit_unit(),
            _ => v.visit_newtype_struct(self).map_err(|e| self.finish(e)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, Error> {
        self.read(Want::Tuple(len), v)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &str,
        len: usize,
        v: V,
    ) -> Result<V::Value, Error> {
        self.read(Want::Tuple(len), v)
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
}

impl<'de, 'a> IntoDeserializer<'de, Error> for NodeDe<'a> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

/// The entries of a list: each one that fails is reported and left out.
struct Items<'a> {
    iter: std::slice::Iter<'a, Node>,
    de: NodeDe<'a>,
}

impl<'de> de::SeqAccess<'de> for Items<'_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(node) = self.iter.as_slice().first() else {
            return Ok(None);
        };
        let de = self.de.with(node);
        let r = seed.deserialize(de);
        // After a retry the entry is read again, by the next call.
        if !matches!(
            r,
            Err(Error {
                kind: Kind::Retry,
                ..
            })
        ) {
            self.iter.next();
        }
        r.map(Some).map_err(|e| de.report(e))
    }

    fn next_element<T: Deserialize<'de>>(&mut self) -> Result<Option<T>, Error> {
        let de = self.de;
        Ok(self
            .iter
            .by_ref()
            .find_map(|node| de.with(node).attempt(T::deserialize).ok()))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// What a struct field is read from.
enum Entry<'a> {
    /// The field's value in the file.
    Node(&'a Node),
    /// `$span` or `$spans`: this struct node's span or its fields' spans.
    Spans(&'a Node),
    /// A required field the file lacks.
    Empty,
}

/// The fields of a struct: the synthetic ones, then the file's in the file's order.
struct Fields<'a> {
    ty: &'static str,
    list: std::vec::IntoIter<(&'static str, Entry<'a>)>,
    value: Option<(&'static str, Entry<'a>)>,
    de: NodeDe<'a>,
}

impl<'a> Fields<'a> {
    fn take(&mut self) -> (NodeDe<'a>, Entry<'a>) {
        let (field, entry) = self.value.take().unwrap_or(("", Entry::Empty));
        let subject = Subject {
            ty: self.ty,
            field,
            entry: false,
        };
        (NodeDe { subject, ..self.de }, entry)
    }
}

impl<'de> de::MapAccess<'de> for Fields<'_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((field, entry)) = self.list.next() else {
            return Ok(None);
        };
        self.value = Some((field, entry));
        seed.deserialize(field.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let (de, entry) = self.take();
        let r = match entry {
            Entry::Node(n) => seed.deserialize(de.with(n)),
            Entry::Spans(n) => seed.deserialize(Spans(Some(n))),
            Entry::Empty => seed.deserialize(de.empty()),
        };
        r.map_err(|e| de.report(e))
    }

    fn next_value<V: Deserialize<'de>>(&mut self) -> Result<V, Error> {
        let (de, entry) = self.take();
        let r = match entry {
            Entry::Node(n) => de.with(n).attempt(V::deserialize),
            Entry::Spans(n) => V::deserialize(Spans(Some(n))),
            Entry::Empty => V::deserialize(de.empty()),
        };
        r.or_else(|e| {
            de.report(e);
            V::deserialize(de.empty()).map_err(|_| Error::reported())
        })
    }
}

/// An enum variant and what the file wrote in its parentheses.
struct Variant<'a> {
    de: NodeDe<'a>,
    variant: &'static str,
    word: &'a str,
    payload: Option<&'a [Node]>,
}

impl<'a> Variant<'a> {
    fn fail<T>(&self, msg: String) -> Result<T, Error> {
        Err(Error::at(
            self.de.node.map(|n| n.span).unwrap_or_default(),
            msg,
        ))
    }
}

impl<'de> de::EnumAccess<'de> for Variant<'_> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Self), Error> {
        let v = seed.deserialize(self.variant.into_deserializer())?;
        Ok((v, self))
    }
}

impl<'de> de::VariantAccess<'de> for Variant<'_> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self.payload {
            Some([_, ..]) => self.fail(format!("`{}` takes no value in parentheses", self.word)),
            _ => Ok(()),
        }
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, Error> {
        match self.payload {
            _ if self.de.node.is_none() => seed.deserialize(self.de),
            Some([item]) => seed.deserialize(self.de.with(item)),
            Some(_) => self.fail(format!("write `{}(...)` with one value", self.word)),
            None => seed.deserialize(NoValue(self)),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, Error> {
        match self.payload {
            Some(items) => v.visit_seq(self.de.items(items)),
            None => self.de.read(Want::Tuple(len), v),
        }
    }

    fn struct_variant<V: Visitor<'de>>(self, _: &[&str], _: V) -> Result<V::Value, Error> {
        self.fail(format!("`{}` cannot be read here", self.word))
    }
}

/// A variant that needs a value, written without one: says what the value would be.
struct NoValue<'a>(Variant<'a>);

impl<'de> de::Deserializer<'de> for NoValue<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Error> {
        let w = self.0.word;
        self.0
            .fail(format!("`{w}` needs a value: write `{w}(...)`"))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Error> {
        let w = self.0.word;
        let what = self.0.de.ctx.lookup(name, "").unwrap_or(name);
        let example = variants.first().map_or_else(String::new, |v| pascal(v));
        let msg = format!("`{w}` needs its {what}, for example `{w}({example})`");
        self.0.fail(msg)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct identifier
        ignored_any
    }
}

/// Spans for the models: a node's span as `(start, end)`, the spans of a list's entries
/// (`deserialize_seq`), or the spans of a struct node's fields (`deserialize_struct`).
#[derive(Clone, Copy)]
struct Spans<'a>(Option<&'a Node>);

impl<'de> de::Deserializer<'de> for Spans<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        let s = self.0.map(|n| n.span).unwrap_or_default();
        v.visit_seq(SeqDeserializer::new([s.start, s.end].into_iter()))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        let items = match self.0.map(|n| &n.value) {
            Some(Value::List(items)) => items.as_slice(),
            _ => &[],
        };
        v.visit_seq(SeqDeserializer::new(items.iter().map(|n| Spans(Some(n)))))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        let find = |path: &str| match (path, self.0) {
            ("$span", n) => n,
            (_, n) => path.split('.').try_fold(n?, field),
        };
        v.visit_map(MapDeserializer::new(
            fields.iter().map(|f| (*f, Spans(find(f)))),
        ))
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct tuple tuple_struct map enum identifier
        ignored_any
    }
}

impl<'de, 'a> IntoDeserializer<'de, Error> for Spans<'a> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}
