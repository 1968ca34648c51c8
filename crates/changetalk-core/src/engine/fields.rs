//! How the scenario model's fields are read from a file, beyond what `#[derive(Deserialize)]`
//! and [`crate::source::check`] give: defaults, the talk type, conditions, colours, codes and
//! the persona's reactions. Named in the model's `#[serde(…)]` attributes.

use serde::{Deserialize, Deserializer};

use crate::engine::condition::Condition;
use crate::miti::codes::MitiCode;
use crate::miti::talk::{DarnCat, TalkType};
use crate::source::check::{ListRules, SUBJECT, at_offset, checked, list};
use crate::source::text::is_valid_id;

pub(crate) fn version() -> String {
    "1.0".into()
}

pub(crate) fn minutes() -> u32 {
    10
}

pub(crate) fn neutral() -> TalkType {
    TalkType::Neutral
}

/// `talk: Change(Reasons)`, `Sustain(Need)`, `Discord` or `Neutral`.
pub(crate) fn talk<'de, D: Deserializer<'de>>(d: D) -> Result<TalkType, D::Error> {
    #[derive(Deserialize)]
    #[serde(rename = "TalkType", rename_all = "snake_case")]
    enum Talk {
        Change(Option<DarnCat>),
        Sustain(Option<DarnCat>),
        Discord,
        Neutral,
    }
    checked(d, TalkType::Neutral, |t: Talk| match t {
        Talk::Change(Some(k)) => Ok(TalkType::Change(k)),
        Talk::Sustain(Some(k)) => Ok(TalkType::Sustain(k)),
        Talk::Discord => Ok(TalkType::Discord),
        Talk::Neutral => Ok(TalkType::Neutral),
        Talk::Change(None) => Err(KIND.replace("{s}", "Change")),
        Talk::Sustain(None) => Err(KIND.replace("{s}", "Sustain")),
    })
}

const KIND: &str = "{s} talk needs its DARN-CAT kind, for example `{s}(Reasons)`";

/// `when: "discord >= 6"`; a mistake is reported inside the string.
pub(crate) fn condition<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Condition>, D::Error> {
    checked(d, None, |s: String| {
        Condition::parse(&s)
            .map(Some)
            .map_err(|e| at_offset(e.offset, e.message))
    })
}

/// A colour written `"#rrggbb"`.
pub(crate) fn colour<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    checked(d, String::new(), |s: String| {
        let hex = s.strip_prefix('#').unwrap_or_default();
        if s.len() == 7 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(s)
        } else {
            Err(format!(
                "{SUBJECT} must be a colour written \"#rrggbb\", found \"{s}\""
            ))
        }
    })
}

/// MITI codes, each at most once.
pub(crate) fn codes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<MitiCode>, D::Error> {
    static RULES: ListRules<MitiCode> = ListRules {
        empty: None,
        most: None,
        repeated: Some(|c, seen| {
            let msg = format!("code `{}` is listed twice", c.ron_name());
            seen.contains(c).then_some(msg)
        }),
    };
    list(d, &RULES)
}

/// An optional id (`next_session: "week-later"`).
pub(crate) fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    checked(d, None, |s: String| {
        if is_valid_id(&s) {
            Ok(Some(s))
        } else {
            Err(format!(
                "{SUBJECT} `{s}` is not a valid id: use letters, digits, `-`, `_` and `.` (at most 128)"
            ))
        }
    })
}

/// An optional text that is not blank (`session_title`).
pub(crate) fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    checked(d, None, |s: String| {
        if s.trim().is_empty() {
            Err(format!(
                "{SUBJECT} is empty; write the text or leave the field out"
            ))
        } else {
            Ok(Some(s))
        }
    })
}
