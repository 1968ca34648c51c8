//! The validator's checks for courses and memory: where an ending sends the course
//! (`next_session`, `ends_course`), each later session's walkout, and every memory key read by
//! a `when` (`remembered(key)`) or quoted by a line (`{key}`) — each error at its line:col.

use crate::engine::memory::placeholders;
use crate::engine::model::{Ending, Point, Scenario};
use crate::source::diag::{Diagnostic, Span};
use crate::source::text::suggest;

/// Past this many distinct keys, unknown keys get no "did you mean" (it compares every pair).
const HINT_KEYS: usize = 2_000;

/// The points and endings of session `i` (0-based).
fn session_parts(s: &Scenario, i: usize) -> (&[Point], &[Ending]) {
    match i {
        0 => (&s.points, &s.endings),
        _ => (&s.sessions[i - 1].points, &s.sessions[i - 1].endings),
    }
}

/// The span of `len` bytes at `offset` inside the string value at `span`, when the file wrote
/// it without escapes (its span is then the text plus two quotes); else the whole value.
pub fn inside(span: Span, text: &str, offset: usize, len: usize) -> Span {
    if span.end.saturating_sub(span.start) == text.len() + 2 {
        let at = span.start + 1 + offset;
        Span::new(at, at + len.max(1))
    } else {
        span
    }
}

/// A fact remembered somewhere in the file.
struct Setter<'a> {
    key: &'a str,
    session: usize,
    has_text: bool,
    span: Span,
    by: String,
}

/// A memory key read somewhere in the file.
struct Reader<'a> {
    key: &'a str,
    session: usize,
    span: Span,
    /// `Some(line id)` when a line quotes it as `{key}`; `None` for a `when`.
    quoted_by: Option<&'a str>,
    /// For a quote: the line's `when` requires the key.
    guarded: bool,
}

/// Every course and memory error of a scenario.
pub fn check(s: &Scenario, diags: &mut Vec<Diagnostic>) {
    check_endings(s, diags);
    check_walkouts(s, diags);
    check_memory(s, diags);
}

fn check_endings(s: &Scenario, diags: &mut Vec<Diagnostic>) {
    let ids: Vec<&str> = s.sessions.iter().map(|x| x.id.as_str()).collect();
    for i in 0..s.session_count() {
        for e in session_parts(s, i).1 {
            let Some(next) = &e.next_session else {
                continue;
            };
            let at = e.spans.next_session;
            if e.ends_course {
                diags.push(Diagnostic::error(
                    e.spans.ends_course,
                    format!(
                        "ending `{}` both ends the course (`ends_course: true`) and names a next session (`{next}`); keep one of them",
                        e.id
                    ),
                ));
            }
            match s.session_index(next) {
                None if s.sessions.is_empty() => diags.push(Diagnostic::error(
                    at,
                    format!(
                        "ending `{}` continues with session `{next}`, but this client has no later sessions: add them in `sessions: [...]`, or remove `next_session`",
                        e.id
                    ),
                )),
                None => diags.push(Diagnostic::error(
                    at,
                    format!(
                        "ending `{}` continues with session `{next}`, which is not a session of this file{}",
                        e.id,
                        suggest(next, ids.iter().copied())
                    ),
                )),
                Some(j) if j <= i => diags.push(Diagnostic::error(
                    at,
                    format!(
                        "ending `{}` is in session {} and names session `{next}` (session {}): a course only moves forward; name a later session, or remove `next_session` to go on with the next one",
                        e.id,
                        i + 1,
                        j + 1
                    ),
                )),
                Some(_) => {}
            }
        }
    }
}

fn check_walkouts(s: &Scenario, diags: &mut Vec<Diagnostic>) {
    let Some(w) = &s.persona.walkout else {
        return;
    };
    for later in s.sessions.iter().filter(|x| x.walkout.is_none()) {
        diags.push(Diagnostic::error(
            later.spans.id,
            format!(
                "session `{}` has no walkout, but the persona walks out at discord {}: give it `walkout: Walkout(discord: {}, ending: \"…\")` naming one of its own endings (with `ends_course: true` if the client does not come back)",
                later.id, w.discord, w.discord
            ),
        ));
    }
}

fn check_memory(s: &Scenario, diags: &mut Vec<Diagnostic>) {
    let mut setters: Vec<Setter> = Vec::new();
    let mut readers: Vec<Reader> = Vec::new();
    for i in 0..s.session_count() {
        for p in session_parts(s, i).0 {
            for l in &p.lines {
                let spans =
                    (l.remember.len() == l.spans.remember.len()).then_some(&l.spans.remember);
                for (j, f) in l.remember.iter().enumerate() {
                    setters.push(Setter {
                        key: &f.key,
                        session: i,
                        has_text: f.text.is_some(),
                        span: spans.map_or(l.spans.whole, |v| v[j]),
                        by: format!("line `{}`", l.id),
                    });
                }
                if let Some(c) = &l.when {
                    for (key, offset) in c.memory_keys() {
                        readers.push(Reader {
                            key,
                            session: i,
                            span: inside(l.spans.when, &c.source, offset, key.len()),
                            quoted_by: None,
                            guarded: false,
                        });
                    }
                }
                for (key, offset) in placeholders(&l.text) {
                    readers.push(Reader {
                        key,
                        session: i,
                        span: inside(l.spans.text, &l.text, offset, key.len() + 2),
                        quoted_by: Some(&l.id),
                        guarded: l.when.as_ref().is_some_and(|c| c.requires(key)),
                    });
                }
            }
            for o in &p.options {
                let spans =
                    (o.remember.len() == o.spans.remember.len()).then_some(&o.spans.remember);
                for (j, f) in o.remember.iter().enumerate() {
                    setters.push(Setter {
                        key: &f.key,
                        session: i,
                        has_text: f.text.is_some(),
                        span: spans.map_or(o.spans.whole, |v| v[j]),
                        by: format!("option `{}`", o.id),
                    });
                }
            }
        }
    }
    let mut keys: Vec<&str> = setters.iter().map(|x| x.key).collect();
    keys.sort_unstable();
    keys.dedup();
    let mut told_bare: Vec<Span> = Vec::new();
    for r in &readers {
        let set: Vec<&Setter> = setters.iter().filter(|x| x.key == r.key).collect();
        if set.is_empty() {
            let hint = if keys.len() <= HINT_KEYS {
                suggest(r.key, keys.iter().copied())
            } else {
                String::new()
            };
            diags.push(Diagnostic::error(
                r.span,
                format!(
                    "memory key `{}` is never remembered{hint}: add `remember: [\"{}\"]` to the option or line that makes it true, or fix the key",
                    r.key, r.key
                ),
            ));
            continue;
        }
        if set.iter().all(|x| x.session > r.session) {
            diags.push(Diagnostic::error(
                r.span,
                format!(
                    "memory key `{}` is only remembered in a later session (session {}), so it can never hold here in session {}: remember it earlier, or read it in a later session",
                    r.key,
                    set[0].session + 1,
                    r.session + 1
                ),
            ));
            continue;
        }
        let Some(line) = r.quoted_by else {
            continue;
        };
        if !r.guarded {
            diags.push(Diagnostic::error(
                r.span,
                format!(
                    "line `{line}` quotes `{{{}}}`, but its `when` does not require the key: add `when: \"remembered({})\"` (joined by `and` to any other test) so the client never quotes a fact that was not remembered",
                    r.key, r.key
                ),
            ));
        }
        if let Some(bare) = set.iter().find(|x| !x.has_text)
            && !told_bare.contains(&bare.span)
        {
            told_bare.push(bare.span);
            diags.push(Diagnostic::error(
                bare.span,
                format!(
                    "{} remembers `{}` without text, but line `{line}` quotes it as `{{{}}}`: write \"{} = the words to quote\"",
                    bare.by, r.key, r.key, r.key
                ),
            ));
        }
    }
}
