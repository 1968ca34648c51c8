//! Authoring tools over a course: each session as the model conversation meets it (the state
//! and memory the best replies of the earlier sessions leave), which `lint` and `audit` check
//! like any scenario, and the course-wide lints — memory set but never read, a session no path
//! reaches, a later session that ignores the previous one's plan.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::authoring::audit::{AuditReport, audit};
use crate::authoring::model_path::BEST_PATH_SEED;
use crate::engine::AutoPolicy;
use crate::engine::course::Course;
use crate::engine::memory::placeholders;
use crate::engine::model::{Point, Scenario};
use crate::source::diag::{Diagnostic, Span};

/// Memory keys that name a plan: `plan` and every key under `plan.` (`plan.step`,
/// `plan.chose_own`). A later session should follow up on them (`ignored-plan`).
pub fn is_plan_key(key: &str) -> bool {
    key == "plan" || key.starts_with("plan.")
}

/// Every session of the file as a scenario of its own, with its 0-based index: a session the
/// model conversation (best replies, seed 1) reaches starts in the state and with the memory
/// it leaves; any other starts from the persona's initial state with nothing remembered.
pub fn model_parts(s: &Scenario) -> Vec<(usize, Scenario)> {
    let mut course = Course::new(Arc::new(s.clone()), BEST_PATH_SEED);
    let mut met: Vec<Option<Scenario>> = vec![None; s.session_count()];
    while let Some(session) = course.current() {
        // The part as the session started it: the carried state and memory.
        met[course.current_number() - 1] = Some(session.scenario().as_ref().clone());
        course.auto_play_session(AutoPolicy::Best);
    }
    met.into_iter()
        .enumerate()
        .filter_map(|(i, m)| {
            m.or_else(|| s.part(i, s.persona.initial, Default::default()))
                .map(|p| (i, p))
        })
        .collect()
}

/// The audit of every session (one report for a single-session client), each session met as
/// the model conversation meets it. A later session's report names it: `id (session 2: …)`.
pub fn audit_all(s: &Scenario) -> Vec<AuditReport> {
    if !s.is_course() {
        return vec![audit(s)];
    }
    model_parts(s)
        .into_iter()
        .map(|(i, part)| {
            let mut r = audit(&part);
            r.scenario = format!("{} (session {}: {})", s.id, i + 1, s.session_title_of(i));
            r
        })
        .collect()
}

/// The sessions (0-based) that may follow session `i`: an ending's `next_session`, else the
/// next in the file; none after an ending with `ends_course`.
fn successors(s: &Scenario, i: usize) -> BTreeSet<usize> {
    let endings = match i {
        0 => &s.endings,
        _ => &s.sessions[i - 1].endings,
    };
    endings
        .iter()
        .filter(|e| !e.ends_course)
        .filter_map(|e| match &e.next_session {
            Some(id) => s.session_index(id),
            None => Some(i + 1),
        })
        .filter(|j| *j < s.session_count())
        .collect()
}

fn points_of(s: &Scenario, i: usize) -> &[Point] {
    match i {
        0 => &s.points,
        _ => &s.sessions[i - 1].points,
    }
}

/// Keys a session reads: in `when` conditions and `{key}` quotes of its lines.
fn reads(s: &Scenario, i: usize) -> BTreeSet<&str> {
    let mut out = BTreeSet::new();
    for l in points_of(s, i).iter().flat_map(|p| &p.lines) {
        if let Some(c) = &l.when {
            out.extend(c.memory_keys().into_iter().map(|(k, _)| k));
        }
        out.extend(placeholders(&l.text).into_iter().map(|(k, _)| k));
    }
    out
}

/// Keys a session remembers, each with the span of its first `remember` entry.
fn sets(s: &Scenario, i: usize) -> Vec<(&str, Span)> {
    let mut out: Vec<(&str, Span)> = Vec::new();
    for p in points_of(s, i) {
        for l in &p.lines {
            for (j, f) in l.remember.iter().enumerate() {
                let span = l.spans.remember.get(j).copied().unwrap_or(l.spans.whole);
                out.push((&f.key, span));
            }
        }
        for o in &p.options {
            for (j, f) in o.remember.iter().enumerate() {
                let span = o.spans.remember.get(j).copied().unwrap_or(o.spans.whole);
                out.push((&f.key, span));
            }
        }
    }
    out
}

/// The course-wide lints: `unread-memory`, `unreached-session`, `ignored-plan`.
pub fn lint_course(s: &Scenario, d: &mut Vec<Diagnostic>) {
    let n = s.session_count();
    let all_reads: BTreeSet<&str> = (0..n).flat_map(|i| reads(s, i)).collect();
    let mut warned: BTreeSet<&str> = BTreeSet::new();
    // The change plan is read by the app's plan card too: a `plan.…` fact with words, and
    // how the plan was made (`plan.chose_own`, `plan.pushed`), so a last session may record
    // the revised plan.
    let on_plan_card = |key: &str, i: usize| {
        key.starts_with("plan.")
            && (matches!(key, "plan.chose_own" | "plan.pushed")
                || points_of(s, i)
                    .iter()
                    .flat_map(|p| {
                        p.lines
                            .iter()
                            .flat_map(|l| &l.remember)
                            .chain(p.options.iter().flat_map(|o| &o.remember))
                    })
                    .any(|f| f.key == key && f.text.is_some()))
    };
    for i in 0..n {
        for (key, span) in sets(s, i) {
            if !all_reads.contains(key) && !on_plan_card(key, i) && warned.insert(key) {
                d.push(Diagnostic::warning(
                    span,
                    format!(
                        "unread-memory: `{key}` is remembered but never read: no `when` tests `remembered({key})` and no line quotes `{{{key}}}`; let a later line answer it (the client's report on the week, a promise kept or broken), or remove it"
                    ),
                ));
            }
        }
    }
    if !s.is_course() {
        return;
    }
    let mut reached = vec![false; n];
    reached[0] = true;
    for i in 0..n {
        if reached[i] {
            for j in successors(s, i) {
                reached[j] = true;
            }
        }
    }
    for (j, later) in s.sessions.iter().enumerate() {
        if !reached[j + 1] {
            d.push(Diagnostic::warning(
                later.spans.id,
                format!(
                    "unreached-session: no path reaches session `{}`: every ending before it ends the course or names a session after it; let an ending go on to it (`next_session: \"{}\"`, or no `next_session` in the session before), or remove it",
                    later.id, later.id
                ),
            ));
        }
    }
    for i in (0..n).filter(|i| reached[*i]) {
        let plan: BTreeSet<&str> = sets(s, i)
            .into_iter()
            .map(|(k, _)| k)
            .filter(|k| is_plan_key(k))
            .collect();
        if plan.is_empty() {
            continue;
        }
        for j in successors(s, i) {
            let read = reads(s, j);
            if plan.iter().any(|k| read.contains(k)) {
                continue;
            }
            let later = &s.sessions[j - 1];
            let keys: Vec<String> = plan.iter().map(|k| format!("`{k}`")).collect();
            d.push(Diagnostic::warning(
                later.spans.id,
                format!(
                    "ignored-plan: session `{}` never reads the plan made in session {} ({}): reviewing the plan and following up on it is what the next session is for (mi-reference §6); open with lines whose `when` tests `remembered(…)` for each way the plan was made",
                    later.id,
                    i + 1,
                    keys.join(", ")
                ),
            ));
        }
    }
}
