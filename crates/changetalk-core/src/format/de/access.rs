//! How the decoder walks into lists, struct fields and enum variants, and hands spans to the
//! models (see [`super`]).

use serde::de::value::{MapDeserializer, SeqDeserializer, UnitDeserializer};
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::{Deserialize, forward_to_deserialize_any};

use super::{Error, Kind, NodeDe, Subject, field};
use crate::source::ron_tree::{Node, Value};

/// The entries of a list: each one that fails is reported and left out.
pub(super) struct Items<'a> {
    pub(super) iter: std::slice::Iter<'a, Node>,
    pub(super) de: NodeDe<'a>,
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
        let mark = de.ctx.diags.borrow().len();
        let r = seed.deserialize(de);
        // After a retry the next call reads the entry again, and reports the same again.
        match &r {
            Err(e) if e.kind == Kind::Retry => de.ctx.diags.borrow_mut().truncate(mark),
            _ => _ = self.iter.next(),
        }
        r.map(Some).map_err(|e| de.report(e))
    }

    fn next_element<T: Deserialize<'de>>(&mut self) -> Result<Option<T>, Error> {
        let de = self.de;
        let mut read = |node| de.with(node).attempt(T::deserialize).ok();
        Ok(self.iter.by_ref().find_map(&mut read))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// The fields of a struct: the synthetic ones, then the file's in the file's order, then
/// empty values for the missing ones it is known to need.
pub(super) struct Fields<'a> {
    pub(super) ty: &'static str,
    pub(super) list: std::vec::IntoIter<(&'static str, Option<&'a Node>)>,
    pub(super) value: Option<(&'static str, Option<&'a Node>)>,
    pub(super) de: NodeDe<'a>,
}

impl<'de> de::MapAccess<'de> for Fields<'_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((field, node)) = self.list.next() else {
            return Ok(None);
        };
        self.value = Some((field, node));
        seed.deserialize(field.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.take() {
            Ok(de) => seed.deserialize(de).map_err(|e| de.report(e)),
            Err(spans) => seed.deserialize(spans),
        }
    }

    fn next_value<V: Deserialize<'de>>(&mut self) -> Result<V, Error> {
        match self.take() {
            Ok(de) => de.attempt(V::deserialize).or_else(|_| {
                V::deserialize(de.empty()).map_err(|_| Error::reported(Kind::Reported))
            }),
            Err(spans) => V::deserialize(spans),
        }
    }
}

impl<'a> Fields<'a> {
    /// The field's value to read: a node (or an empty value), or a synthetic field's spans.
    fn take(&mut self) -> Result<NodeDe<'a>, Spans<'a>> {
        let (field, node) = self.value.take().unwrap_or_default();
        if field.starts_with('$') {
            return Err(Spans(self.de.node));
        }
        let subject = Subject {
            ty: self.ty,
            field,
            entry: false,
        };
        Ok(NodeDe {
            node,
            subject,
            ..self.de
        })
    }
}

/// An enum variant and what the file wrote in its parentheses.
pub(super) struct Variant<'a> {
    pub(super) de: NodeDe<'a>,
    pub(super) variant: &'static str,
    pub(super) word: &'a str,
    pub(super) payload: Option<&'a [Node]>,
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
            Some([_, ..]) => Err(self.de.at(format!("`{}` takes no value", self.word))),
            _ => Ok(()),
        }
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, Error> {
        let w = self.word;
        match self.payload {
            _ if self.de.node.is_none() => seed.deserialize(self.de),
            Some([item]) => seed.deserialize(self.de.with(item)),
            Some(_) => Err(self.de.at(format!("write `{w}(...)` with one value"))),
            // Written without a value: an `Option` reads `None`.
            None => seed
                .deserialize(UnitDeserializer::<Error>::new())
                .map_err(|_| self.de.at(format!("`{w}` needs a value: write `{w}(...)`"))),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_tuple(self.de, len, v)
    }

    fn struct_variant<V: Visitor<'de>>(self, _: &[&str], _: V) -> Result<V::Value, Error> {
        Err(self.de.at(format!("`{}` cannot be read here", self.word)))
    }
}

/// Spans for the models: a node's span as `(start, end)`, the spans of a list's entries
/// (`deserialize_seq`), or the spans of a struct node's fields (`deserialize_struct`).
#[derive(Clone, Copy)]
pub(super) struct Spans<'a>(pub(super) Option<&'a Node>);

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
        let find = |path: &str| match path {
            "$span" => self.0,
            _ => path.split('.').try_fold(self.0?, field),
        };
        let spans = fields.iter().map(|f| (*f, Spans(find(f))));
        v.visit_map(MapDeserializer::new(spans))
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
