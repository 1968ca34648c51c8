//! Turns scenario text into a [`Scenario`], reporting every mistake with its position.
//!
//! Reading happens in three steps, and all diagnostics of all steps come back together:
//! 1. size and syntax ([`crate::source::ron_tree::parse`]);
//! 2. decoding the spanned tree into the model (unknown fields, wrong types, unknown codes,
//!    out-of-range values, conditions);
//! 3. semantic checks over the whole graph ([`crate::format::validate`]).

use crate::engine::condition::Condition;
use crate::engine::model::*;
use crate::format::decode::{Decoder, Obj};
use crate::format::validate;
use crate::miti::codes::MitiCode;
use crate::source::diag::{Diagnostic, Span, sort_diagnostics};
use crate::source::ron_tree::{self, Name, Node, Value};

/// Largest scenario file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

/// Reads, decodes and validates a scenario. On failure, every error found, sorted by position.
pub fn load_scenario(text: &str) -> Result<Scenario, Vec<Diagnostic>> {
    if text.len() > MAX_FILE_BYTES {
        return Err(vec![Diagnostic::error(
            Span::new(0, 0),
            format!(
                "file is {:.1} MB; scenario files are limited to 5 MB — split the client into several scenarios",
                text.len() as f64 / 1_048_576.0
            ),
        )]);
    }
    let tree = ron_tree::parse(text).map_err(|d| vec![d])?;
    let mut dec = Decoder {
        src: text,
        diags: Vec::new(),
    };
    let scenario = dec.scenario(&tree);
    let mut diags = dec.diags;
    if let Some(s) = &scenario {
        diags.extend(validate::validate(s));
    }
    if diags
        .iter()
        .any(|d| d.severity == crate::source::diag::Severity::Error)
    {
        sort_diagnostics(&mut diags);
        diags.dedup();
        return Err(diags);
    }
    scenario.ok_or_else(|| vec![Diagnostic::error(tree.span, "the file is not a scenario")])
}

fn placeholder_persona() -> Persona {
    Persona {
        name: String::new(),
        age: 30,
        pronouns: String::new(),
        background: String::new(),
        situation: String::new(),
        initial: ClientState {
            engagement: 5,
            discord: 0,
            importance: 5,
            confidence: 5,
        },
        face: Face::default(),
        portrait: None,
        reactions: Reactions::default(),
        walkout: None,
        spans: PersonaSpans::default(),
    }
}

mod persona;

pub use crate::source::text::{edit_distance, is_valid_id, suggest};

impl Decoder<'_> {
    fn scenario(&mut self, root: &Node) -> Option<Scenario> {
        let o = self.obj(
            root,
            "Scenario",
            &[
                "id",
                "title",
                "version",
                "author",
                "summary",
                "objectives",
                "topic",
                "stage",
                "difficulty",
                "minutes",
                "tags",
                "persona",
                "start",
                "points",
                "endings",
            ],
        )?;
        let mut spans = ScenarioSpans {
            whole: root.span,
            ..Default::default()
        };
        let id = match self.req(&o, "id") {
            Some(n) => {
                spans.id = n.span;
                self.id(n, "scenario `id`").unwrap_or_default()
            }
            None => String::new(),
        };
        let title = self.req_text(&o, "title");
        let version = self.opt_string(&o, "version", "1.0");
        let author = self.opt_string(&o, "author", "");
        let summary = self.req_text(&o, "summary");
        let objectives = self.strings(&o, "objectives");
        let topic = self.opt_string(&o, "topic", "");
        let stage_opts: Vec<(&'static str, Stage)> =
            Stage::ALL.iter().map(|s| (s.name(), *s)).collect();
        let stage = self
            .req(&o, "stage")
            .and_then(|n| self.variant(n, &stage_opts, "stage of change"))
            .unwrap_or(Stage::Precontemplation);
        let diff_opts: Vec<(&'static str, Difficulty)> =
            Difficulty::ALL.iter().map(|s| (s.name(), *s)).collect();
        let difficulty = self
            .req(&o, "difficulty")
            .and_then(|n| self.variant(n, &diff_opts, "difficulty"))
            .unwrap_or(Difficulty::Intermediate);
        let minutes = match self.get(&o, "minutes") {
            Some(n) => self.int(n, 1, 240, "`minutes`").unwrap_or(10) as u32,
            None => 10,
        };
        let tags = self.strings(&o, "tags");
        let persona = self.req(&o, "persona").and_then(|n| self.persona(n));
        let start = match self.req(&o, "start") {
            Some(n) => {
                spans.start = n.span;
                self.id(n, "`start`").unwrap_or_default()
            }
            None => String::new(),
        };
        let mut points = Vec::new();
        if let Some(n) = self.req(&o, "points")
            && let Some(items) = self.list(n, "`points`")
        {
            if items.is_empty() {
                self.err(
                    n.span,
                    "`points` is empty: a scenario needs at least one decision point",
                );
            }
            points = items.iter().filter_map(|i| self.point(i)).collect();
        }
        let mut endings = Vec::new();
        if let Some(n) = self.req(&o, "endings")
            && let Some(items) = self.list(n, "`endings`")
        {
            if items.is_empty() {
                self.err(
                    n.span,
                    "`endings` is empty: a scenario needs at least one ending",
                );
            }
            endings = items.iter().filter_map(|i| self.ending(i)).collect();
        }
        Some(Scenario {
            id,
            title,
            version,
            author,
            summary,
            objectives,
            topic,
            stage,
            difficulty,
            minutes,
            tags,
            persona: persona.unwrap_or_else(placeholder_persona),
            start,
            points,
            endings,
            spans,
        })
    }

    fn point(&mut self, n: &Node) -> Option<Point> {
        let o = self.obj(n, "Point", &["id", "lines", "options"])?;
        let mut spans = PointSpans {
            whole: n.span,
            ..Default::default()
        };
        let id = match self.req(&o, "id") {
            Some(n) => {
                spans.id = n.span;
                self.id(n, "point `id`").unwrap_or_default()
            }
            None => String::new(),
        };
        let mut lines = Vec::new();
        if let Some(ln) = self.req(&o, "lines") {
            spans.lines = ln.span;
            if let Some(items) = self.list(ln, "`lines`") {
                if items.is_empty() {
                    self.err(
                        ln.span,
                        format!("point `{id}` has no lines: the client must say something"),
                    );
                }
                lines = items.iter().filter_map(|i| self.line(i)).collect();
            }
        }
        let mut options = Vec::new();
        match o
            .fields
            .iter()
            .find(|(k, _)| k.text == "options")
            .map(|(_, v)| *v)
        {
            Some(on) => {
                spans.options = on.span;
                if let Some(items) = self.list(on, "`options`") {
                    if items.is_empty() {
                        self.err(
                            on.span,
                            format!("point `{id}` has no options: give the trainee at least one reply (or make it an ending)"),
                        );
                    }
                    options = items.iter().filter_map(|i| self.option(i)).collect();
                }
            }
            None => {
                self.err(
                    Span::new(n.span.start, n.span.start + 1),
                    format!("point `{id}` has no options: give the trainee at least one reply (or make it an ending)"),
                );
            }
        }
        Some(Point {
            id,
            lines,
            options,
            spans,
        })
    }

    fn line(&mut self, n: &Node) -> Option<Line> {
        let o = self.obj(n, "Line", &["id", "text", "talk", "mood", "when", "after"])?;
        let mut spans = LineSpans {
            whole: n.span,
            ..Default::default()
        };
        let id = match self.req(&o, "id") {
            Some(n) => {
                spans.id = n.span;
                self.id(n, "line `id`").unwrap_or_default()
            }
            None => String::new(),
        };
        let text = match self.req(&o, "text") {
            Some(n) => {
                spans.text = n.span;
                self.text(n, "line `text`").unwrap_or_default()
            }
            None => String::new(),
        };
        let talk = match self.get(&o, "talk") {
            Some(n) => {
                spans.talk = n.span;
                self.talk(n).unwrap_or(TalkType::Neutral)
            }
            None => TalkType::Neutral,
        };
        let moods: Vec<(&'static str, Mood)> = Mood::ALL.iter().map(|m| (m.name(), *m)).collect();
        let mood = self
            .get(&o, "mood")
            .and_then(|n| self.variant(n, &moods, "mood"))
            .unwrap_or(Mood::Calm);
        let when = self.get(&o, "when").and_then(|n| self.condition(n));
        let mut after = Vec::new();
        if let Some(an) = self.get(&o, "after")
            && let Some(items) = self.list(an, "`after`")
        {
            for item in items {
                if let Some(id) = self.id(item, "an `after` option id") {
                    spans.after.push(item.span);
                    after.push(id);
                }
            }
        }
        Some(Line {
            id,
            text,
            talk,
            mood,
            when,
            after,
            spans,
        })
    }

    fn talk(&mut self, n: &Node) -> Option<TalkType> {
        let kinds: Vec<(&'static str, DarnCat)> =
            DarnCat::ALL.iter().map(|k| (k.name(), *k)).collect();
        match &n.value {
            Value::Ident(s) if s == "Discord" => Some(TalkType::Discord),
            Value::Ident(s) if s == "Neutral" => Some(TalkType::Neutral),
            Value::Ident(s) if s == "Change" || s == "Sustain" => {
                self.err(
                    n.span,
                    format!("{s} talk needs its DARN-CAT kind, for example `{s}(Reasons)`"),
                );
                None
            }
            Value::Tuple {
                name: Some(name),
                items,
            } if name.text == "Change" || name.text == "Sustain" => {
                if items.len() != 1 {
                    self.err(
                        n.span,
                        format!("write `{}(Kind)` with one DARN-CAT kind", name.text),
                    );
                    return None;
                }
                let k = self.variant(&items[0], &kinds, "DARN-CAT kind")?;
                Some(if name.text == "Change" {
                    TalkType::Change(k)
                } else {
                    TalkType::Sustain(k)
                })
            }
            Value::Ident(s)
            | Value::Tuple {
                name: Some(Name { text: s, .. }),
                ..
            } => {
                let hint = suggest(s, ["Change", "Sustain", "Discord", "Neutral"]);
                self.err(
                    n.span,
                    format!("unknown talk type `{s}`{hint}; write Change(Kind), Sustain(Kind), Discord or Neutral"),
                );
                None
            }
            other => {
                self.err(
                    n.span,
                    format!(
                        "talk must be Change(Kind), Sustain(Kind), Discord or Neutral; found {}",
                        other.kind()
                    ),
                );
                None
            }
        }
    }

    fn condition(&mut self, n: &Node) -> Option<Condition> {
        let s = self.string(n, "`when`")?;
        match Condition::parse(&s) {
            Ok(c) => Some(c),
            Err(e) => {
                // Point inside the string when it is written without escapes.
                let raw = self.src.get(n.span.start + 1..n.span.end.saturating_sub(1));
                let at = if raw == Some(s.as_str()) {
                    n.span.start + 1 + e.offset
                } else {
                    n.span.start
                };
                self.err(Span::new(at, at + 1), e.message);
                None
            }
        }
    }

    fn option(&mut self, n: &Node) -> Option<ReplyOption> {
        let o = self.obj(
            n,
            "Option",
            &[
                "id",
                "text",
                "codes",
                "responds_to",
                "evokes_change_talk",
                "effects",
                "next",
                "feedback",
            ],
        )?;
        let mut spans = OptionSpans {
            whole: n.span,
            ..Default::default()
        };
        let id = match self.req(&o, "id") {
            Some(n) => {
                spans.id = n.span;
                self.id(n, "option `id`").unwrap_or_default()
            }
            None => String::new(),
        };
        let text = match self.req(&o, "text") {
            Some(n) => {
                spans.text = n.span;
                self.text(n, "option `text`").unwrap_or_default()
            }
            None => String::new(),
        };
        let mut codes = Vec::new();
        if let Some(cn) = self.req(&o, "codes") {
            spans.codes = cn.span;
            let opts: Vec<(&'static str, MitiCode)> =
                MitiCode::ALL.iter().map(|c| (c.ron_name(), *c)).collect();
            if let Some(items) = self.list(cn, "`codes`") {
                for item in items {
                    if let Some(c) = self.variant(item, &opts, "MITI code") {
                        if codes.contains(&c) {
                            self.err(
                                item.span,
                                format!("code `{}` is listed twice", c.ron_name()),
                            );
                        }
                        codes.push(c);
                    }
                }
            }
        }
        let targets: Vec<(&'static str, Target)> =
            Target::ALL.iter().map(|t| (t.name(), *t)).collect();
        let responds_to = self
            .get(&o, "responds_to")
            .and_then(|n| self.variant(n, &targets, "`responds_to`"));
        let evokes_change_talk = self
            .get(&o, "evokes_change_talk")
            .and_then(|n| self.boolean(n, "`evokes_change_talk`"))
            .unwrap_or(false);
        let effects = match self.get(&o, "effects") {
            Some(n) => self.effects(n, "Effects"),
            None => Effects::default(),
        };
        let next = match self.req(&o, "next") {
            Some(n) => {
                spans.next = n.span;
                self.id(n, "`next`").unwrap_or_default()
            }
            None => String::new(),
        };
        let feedback = match self.req(&o, "feedback") {
            Some(n) => {
                spans.feedback = n.span;
                self.text(n, "`feedback`").unwrap_or_default()
            }
            None => String::new(),
        };
        Some(ReplyOption {
            id,
            text,
            codes,
            responds_to,
            evokes_change_talk,
            effects,
            next,
            feedback,
            spans,
        })
    }

    fn ending(&mut self, n: &Node) -> Option<Ending> {
        let o = self.obj(n, "Ending", &["id", "title", "outcome", "text", "debrief"])?;
        let mut spans = EndingSpans {
            whole: n.span,
            ..Default::default()
        };
        let id = match self.req(&o, "id") {
            Some(n) => {
                spans.id = n.span;
                self.id(n, "ending `id`").unwrap_or_default()
            }
            None => String::new(),
        };
        let outcomes: Vec<(&'static str, Outcome)> =
            Outcome::ALL.iter().map(|x| (x.name(), *x)).collect();
        let outcome = self
            .req(&o, "outcome")
            .and_then(|n| self.variant(n, &outcomes, "outcome"))
            .unwrap_or(Outcome::Mixed);
        Some(Ending {
            id,
            title: self.req_text(&o, "title"),
            outcome,
            text: self.req_text(&o, "text"),
            debrief: self.req_text(&o, "debrief"),
            spans,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `suggest` as it was before candidates were filtered by length.
    fn suggest_unfiltered(word: &str, candidates: &[&str]) -> String {
        let len = word.chars().count();
        let best = candidates
            .iter()
            .filter(|c| **c != word)
            .map(|c| (edit_distance(word, c), *c))
            .min_by_key(|(d, _)| *d);
        match best {
            Some((d, c)) if d <= (len / 3).max(1) && d < len => format!(" (did you mean `{c}`?)"),
            _ => String::new(),
        }
    }

    #[test]
    fn length_filter_never_changes_a_suggestion() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "acb",
            "abcd",
            "abdc",
            "abcde",
            "abcdef",
            "abcdefgh",
            "xbcdefgh",
            "abcdefghijkl",
            "abdcefghijkl",
            "Persuade",
            "Persuaed",
            "Perusade",
            "persuadeWithPermission",
            "PersuadeWithPermision",
            "é",
            "éa",
            "aé",
        ];
        for w in words {
            for n in 0..words.len() {
                let cands = &words[n..];
                assert_eq!(
                    suggest(w, cands.iter().copied()),
                    suggest_unfiltered(w, cands),
                    "{w}"
                );
            }
        }
    }

    #[test]
    fn a_huge_unknown_name_is_cheap() {
        // Found by review: every candidate was compared in full, so a 5 MB misspelt field name
        // filled an edit-distance table of hundreds of megabytes.
        let huge = "x".repeat(MAX_FILE_BYTES);
        assert_eq!(suggest(&huge, ["id", "title", "persona"]), "");
    }
}
