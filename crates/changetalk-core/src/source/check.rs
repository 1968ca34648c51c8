//! The checks a file's values must pass, as serde helpers that the models name in
//! `#[serde(deserialize_with = "…")]`, and the conventions they share with the RON decoder
//! ([`crate::format::de`], which lower layers may not import):
//!
//! * a message names its value where it holds [`SUBJECT`]; the decoder writes the field's
//!   words there ("`age`", "initial `discord`", "each entry of `tags`");
//! * [`at_offset`] marks a mistake inside a string, which the decoder points at;
//! * [`checked`] reads a value and then checks it. After a mistake the decoder reads the field
//!   again from no value at all, and the check answers with its fallback so decoding goes on.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};

use crate::source::text::is_valid_id;

/// Stands for the value's name in a message.
pub const SUBJECT: &str = "\u{1}";

/// The newtype-struct name through which [`checked`] asks for its value.
pub const CHECKED: &str = "$checked";

/// How an error that the decoder has already reported displays; [`list`] reads on past it.
pub const REPORTED: &str = "(reported)";

const OFFSET: char = '\u{2}';

/// A message about a mistake `offset` bytes into the string being read.
pub fn at_offset(offset: usize, message: impl fmt::Display) -> String {
    format!("{OFFSET}{offset}{OFFSET}{message}")
}

/// Splits what [`at_offset`] wrote back into the offset and the message.
pub fn split_offset(message: &str) -> (Option<usize>, &str) {
    let parts = message
        .strip_prefix(OFFSET)
        .and_then(|rest| rest.split_once(OFFSET))
        .and_then(|(n, m)| Some((n.parse().ok()?, m)));
    match parts {
        Some((offset, m)) => (Some(offset), m),
        None => (None, message),
    }
}

/// Reads a `T`, then turns it into the field's value with `check` (an `Err` is the message);
/// `fallback` is the value after a mistake.
pub fn checked<'de, D, T, U, F>(d: D, fallback: U, check: F) -> Result<U, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
    F: FnOnce(T) -> Result<U, String>,
{
    struct Check<T, U, F>(U, F, PhantomData<T>);
    impl<'de, T: Deserialize<'de>, U, F: FnOnce(T) -> Result<U, String>> Visitor<'de>
        for Check<T, U, F>
    {
        type Value = U;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a value")
        }
        fn visit_newtype_struct<D2: Deserializer<'de>>(self, d: D2) -> Result<U, D2::Error> {
            (self.1)(T::deserialize(d)?).map_err(de::Error::custom)
        }
        fn visit_unit<E: de::Error>(self) -> Result<U, E> {
            Ok(self.0)
        }
    }
    d.deserialize_newtype_struct(CHECKED, Check(fallback, check, PhantomData))
}

/// Text that is not blank.
pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    checked(d, String::new(), |s: String| {
        if s.trim().is_empty() {
            Err(format!("{SUBJECT} is empty; write the text"))
        } else {
            Ok(s)
        }
    })
}

/// An id: letters, digits, `-`, `_` and `.`.
pub fn id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    checked(d, String::new(), |s: String| {
        if is_valid_id(&s) {
            Ok(s)
        } else {
            Err(format!(
                "{SUBJECT} `{s}` is not a valid id: use letters, digits, `-`, `_` and `.` (at most 128)"
            ))
        }
    })
}

fn whole<T: TryFrom<i128>>(v: i128, lo: i128, hi: i128) -> Result<T, String> {
    match T::try_from(v) {
        Ok(t) if (lo..=hi).contains(&v) => Ok(t),
        _ => Err(format!(
            "{SUBJECT} is {v}, outside the allowed range {lo} to {hi}"
        )),
    }
}

/// A whole number from `LO` to `HI`.
pub fn int<'de, D, T, const LO: i128, const HI: i128>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i128> + Default,
{
    checked(d, T::default(), |v: i128| whole(v, LO, HI))
}

/// [`int`] for an optional field.
pub fn opt_int<'de, D, T, const LO: i128, const HI: i128>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i128>,
{
    checked(d, None, |v: i128| whole(v, LO, HI).map(Some))
}

fn within(v: f64, lo: i64, hi: i64) -> Result<f64, String> {
    if (lo as f64..=hi as f64).contains(&v) {
        Ok(v)
    } else {
        Err(format!(
            "{SUBJECT} is {v}, outside the allowed range {lo} to {hi}"
        ))
    }
}

/// A number from `LO` to `HI`.
pub fn number<'de, D: Deserializer<'de>, const LO: i64, const HI: i64>(
    d: D,
) -> Result<f64, D::Error> {
    checked(d, 0.0, |v: f64| within(v, LO, HI))
}

/// [`number`] for an optional field.
pub fn opt_number<'de, D: Deserializer<'de>, const LO: i64, const HI: i64>(
    d: D,
) -> Result<Option<f64>, D::Error> {
    checked(d, None, |v: f64| within(v, LO, HI).map(Some))
}

/// A list of texts that are not blank.
pub fn texts<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    struct Text(#[serde(deserialize_with = "text")] String);
    Ok(Vec::<Text>::deserialize(d)?
        .into_iter()
        .map(|t| t.0)
        .collect())
}

/// A list of ids.
pub fn ids<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    struct Id(#[serde(deserialize_with = "id")] String);
    Ok(Vec::<Id>::deserialize(d)?
        .into_iter()
        .map(|t| t.0)
        .collect())
}

/// What a list must be, for [`list`].
pub struct ListRules<T: 'static> {
    /// The message when the file writes `[]`.
    pub empty: Option<&'static str>,
    /// The most entries, and the message for more.
    pub most: Option<(usize, &'static str)>,
    /// The message when an entry repeats one of the earlier ones, if entries may not repeat.
    pub repeated: Option<Repeated<T>>,
}

/// The message for an entry that repeats one of the earlier ones, if it does.
pub type Repeated<T> = fn(&T, &[T]) -> Option<String>;

impl<T> ListRules<T> {
    /// A list that must have entries: `message` when the file writes `[]`.
    pub const fn nonempty(message: &'static str) -> Self {
        ListRules {
            empty: Some(message),
            most: None,
            repeated: None,
        }
    }
}

/// A list read by `rules`. A repeated entry is reported at the entry and left out.
pub fn list<'de, D, T>(d: D, rules: &'static ListRules<T>) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Entry<'s, T>(&'s [T], Repeated<T>);
    impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for Entry<'_, T> {
        type Value = T;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
            let x = T::deserialize(d)?;
            match (self.1)(&x, self.0) {
                Some(msg) => Err(de::Error::custom(msg)),
                None => Ok(x),
            }
        }
    }
    struct List<T: 'static>(&'static ListRules<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for List<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let n = seq.size_hint();
            match (self.0.empty, self.0.most) {
                (Some(msg), _) if n == Some(0) => return Err(de::Error::custom(msg)),
                (_, Some((most, msg))) if n.is_some_and(|n| n > most) => {
                    return Err(de::Error::custom(msg));
                }
                _ => {}
            }
            let mut out = Vec::new();
            let Some(repeated) = self.0.repeated else {
                while let Some(x) = seq.next_element()? {
                    out.push(x);
                }
                return Ok(out);
            };
            loop {
                match seq.next_element_seed(Entry(&out, repeated)) {
                    Ok(Some(x)) => out.push(x),
                    Ok(None) => return Ok(out),
                    // Reported by the decoder, which reads on with the next entry.
                    Err(e) if e.to_string() == REPORTED => {}
                    Err(e) => return Err(e),
                }
            }
        }
    }
    d.deserialize_seq(List(rules))
}
