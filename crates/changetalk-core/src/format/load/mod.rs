//! Turns scenario text into a [`Scenario`], reporting every mistake with its position.
//!
//! Reading happens in three steps, and all diagnostics of all steps come back together:
//! 1. size and syntax ([`crate::source::ron_tree::parse`]);
//! 2. decoding the spanned tree into the model, which derives `Deserialize`
//!    ([`crate::format::de`]: unknown fields, wrong types, unknown codes, out-of-range values,
//!    conditions);
//! 3. semantic checks over the whole graph ([`crate::format::validate`]).

use crate::engine::model::Scenario;
use crate::format::{de, validate};
use crate::source::diag::{Diagnostic, Severity, Span, sort_diagnostics};
use crate::source::ron_tree;

pub use crate::source::text::{edit_distance, is_valid_id, suggest};

/// Largest scenario file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

/// How messages name the scenario's values (see [`de::Names`]).
const NAMES: de::Names = &[
    ("Scenario.id", "scenario `id`"),
    ("Point.id", "point `id`"),
    ("Line.id", "line `id`"),
    ("Line.text", "line `text`"),
    ("Line.after[]", "an `after` option id"),
    ("Option.id", "option `id`"),
    ("Option.text", "option `text`"),
    ("Ending.id", "ending `id`"),
    ("State.*", "initial"),
    ("Effects.*", "the change to"),
    ("Walkout.*", "walkout"),
    ("Stage", "stage of change"),
    ("Difficulty", "difficulty"),
    ("Mood", "mood"),
    ("Outcome", "outcome"),
    ("HairStyle", "hair style"),
    ("MitiCode", "MITI code"),
    ("DarnCat", "DARN-CAT kind"),
    ("TalkType", "talk type"),
    ("Target", "`responds_to`"),
];

/// Reads, decodes and validates a scenario. On failure, every error found: root causes
/// before what may follow from them, each group sorted by position — syntax errors first, then
/// mistakes in single values and duplicate ids, then links and the graph (a link to a renamed
/// or duplicated point is a consequence). After a syntax error the file is checked further
/// only when the reader could mend every error in place ([`ron_tree::Parsed::complete`]).
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
    let parsed = ron_tree::parse_all(text);
    let syntax = parsed.errors;
    let tree = match parsed.node {
        Some(tree) if parsed.complete => tree,
        _ if syntax.is_empty() => {
            return Err(vec![Diagnostic::error(
                Span::new(0, 0),
                "the file is empty",
            )]);
        }
        _ => return Err(syntax),
    };
    let (scenario, mut values) = de::decode::<Scenario>(text, &tree, NAMES);
    let mut links = Vec::new();
    if let Some(s) = &scenario {
        check_points(s, &mut values);
        let (ids, rest) = validate::validate(s);
        values.extend(ids);
        links = rest;
    }
    let tiers = [syntax, values, links];
    if tiers
        .iter()
        .flatten()
        .any(|d| d.severity == Severity::Error)
    {
        let mut all = Vec::new();
        for mut tier in tiers {
            sort_diagnostics(&mut tier);
            all.extend(tier);
        }
        all.dedup();
        return Err(all);
    }
    scenario.ok_or_else(|| vec![Diagnostic::error(tree.span, "the file is not a scenario")])
}

/// A point says something and offers replies. (A list whose entries all failed to decode is
/// reported already.)
fn check_points(s: &Scenario, diags: &mut Vec<Diagnostic>) {
    let mut starts: Vec<usize> = diags.iter().map(|d| d.span.start).collect();
    starts.sort_unstable();
    let failed = |span: Span| {
        let first = starts.partition_point(|&s| s < span.start);
        starts.get(first).is_some_and(|&s| s < span.end)
    };
    let mut found = Vec::new();
    for p in s
        .points
        .iter()
        .chain(s.sessions.iter().flat_map(|x| &x.points))
    {
        let (id, spans) = (&p.id, &p.spans);
        if p.lines.is_empty() && spans.lines != Span::default() && !failed(spans.lines) {
            let msg = format!("point `{id}` has no lines: the client must say something");
            found.push(Diagnostic::error(spans.lines, msg));
        }
        let at = match spans.options {
            Span { start: 0, end: 0 } => Span::new(spans.whole.start, spans.whole.start + 1),
            span if failed(span) => continue,
            span => span,
        };
        if p.options.is_empty() {
            found.push(Diagnostic::error(
                at,
                format!("point `{id}` has no options: give the trainee at least one reply (or make it an ending)"),
            ));
        }
    }
    diags.extend(found);
}
