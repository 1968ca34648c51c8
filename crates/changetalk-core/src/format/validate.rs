//! Semantic checks over a decoded scenario: ids, links, reachability, conditions, paths.

use std::collections::{HashMap, HashSet, VecDeque};

use crate::engine::model::Scenario;
use crate::source::diag::{Diagnostic, Span};
use crate::source::text::{edit_distance, suggest};

/// "Did you mean" hints and near-miss checks compare a broken id with every id of the file,
/// which is quadratic: a generated file of thousands of broken links (well inside the size
/// limit) took minutes. They are courtesies, so a file gets this many edit-distance table
/// cells for them — hundreds of broken links in a file the size of the shipped scenarios — and
/// past that its errors come without hints.
const HINT_BUDGET: u64 = 50_000_000;

/// Fixed cost charged per comparison, in table cells (the allocations).
const CELLS_PER_COMPARISON: u64 = 64;

/// Ids a misspelt id is compared with, and what comparing one word with all of them costs.
struct Candidates<'a> {
    ids: Vec<&'a str>,
    /// Σ (length + 1) over the ids.
    weight: u64,
}

impl<'a> Candidates<'a> {
    fn new(ids: Vec<&'a str>) -> Self {
        let weight = ids.iter().map(|c| c.len() as u64 + 1).sum();
        Candidates { ids, weight }
    }

    /// Table cells to compare a word of `len` bytes with every id.
    fn cost(&self, len: usize) -> u64 {
        (len as u64 + 1) * self.weight + CELLS_PER_COMPARISON * self.ids.len() as u64
    }
}

/// What is left of [`HINT_BUDGET`].
struct Budget(u64);

impl Budget {
    /// Spends `cost` if it is all still there.
    fn take(&mut self, cost: u64) -> bool {
        let ok = cost <= self.0;
        if ok {
            self.0 -= cost;
        }
        ok
    }

    /// [`suggest`] while the budget lasts, then "".
    fn suggest(&mut self, word: &str, c: &Candidates) -> String {
        if self.take(c.cost(word.len())) {
            suggest(word, c.ids.iter().copied())
        } else {
            String::new()
        }
    }
}

/// Every semantic error of a scenario, in two groups, each in no particular order: the
/// duplicate ids, then the rest. A duplicate id is a root cause: every check that looks the id
/// up (links, `after`, reachability) may fail because of it, so it is reported first. A
/// course's sessions are each checked as a scenario of their own ([`Scenario::part`]), then as
/// a course ([`crate::format::course`]: sessions, memory keys).
pub fn validate(s: &Scenario) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let mut ids = Vec::new();
    check_ids(s, &mut ids);
    (ids, validate_links(s))
}

/// Everything [`validate`] checks but the ids.
fn validate_links(s: &Scenario) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut budget = Budget(HINT_BUDGET);
    check_links(s, &mut budget, &mut diags);
    check_lines(s, &mut diags);
    check_graph(s, &mut budget, &mut diags);
    for i in 1..s.session_count() {
        let Some(part) = s.part(i, s.persona.initial, Default::default()) else {
            continue;
        };
        check_links(&part, &mut budget, &mut diags);
        check_lines(&part, &mut diags);
        check_graph(&part, &mut budget, &mut diags);
    }
    crate::format::course::check(s, &mut diags);
    if let Some(p) = &s.persona.portrait
        && let Err(msg) = check_asset_path(p)
    {
        diags.push(Diagnostic::error(s.persona.spans.portrait, msg));
    }
    diags
}

fn check_ids(s: &Scenario, diags: &mut Vec<Diagnostic>) {
    let mut all: Vec<(&str, &'static str, Span)> = Vec::new();
    for i in 0..s.session_count() {
        if let Some(later) = i.checked_sub(1).and_then(|k| s.sessions.get(k)) {
            all.push((&later.id, "session", later.spans.id));
        }
        for p in s.session_points(i) {
            all.push((&p.id, "decision point", p.spans.id));
            all.extend(p.lines.iter().map(|l| (l.id.as_str(), "line", l.spans.id)));
            all.extend(
                p.options
                    .iter()
                    .map(|o| (o.id.as_str(), "option", o.spans.id)),
            );
        }
        all.extend(
            s.session_endings(i)
                .iter()
                .map(|e| (e.id.as_str(), "ending", e.spans.id)),
        );
    }
    let mut seen: HashMap<&str, &'static str> = HashMap::new();
    for (id, what, span) in all {
        // Ids that failed to decode are empty and already reported.
        if id.is_empty() {
            continue;
        }
        if let Some(first_what) = seen.get(id) {
            diags.push(Diagnostic::error(
                span,
                format!("duplicate id `{id}`: a {first_what} already uses it; every id in a scenario must be unique"),
            ));
        } else {
            seen.insert(id, what);
        }
    }
}

fn targets(s: &Scenario) -> Vec<&str> {
    s.points
        .iter()
        .map(|p| p.id.as_str())
        .chain(s.endings.iter().map(|e| e.id.as_str()))
        .collect()
}

fn check_links(s: &Scenario, budget: &mut Budget, diags: &mut Vec<Diagnostic>) {
    let all = Candidates::new(targets(s));
    let known: HashSet<&str> = all.ids.iter().copied().collect();
    if !s.start.is_empty() && s.point(&s.start).is_none() {
        let msg = if s.ending(&s.start).is_some() {
            format!(
                "`start` names the ending `{}`; it must name a decision point",
                s.start
            )
        } else {
            format!(
                "`start` names `{}`, which is not a decision point{}",
                s.start,
                budget.suggest(
                    &s.start,
                    &Candidates::new(s.points.iter().map(|p| p.id.as_str()).collect())
                )
            )
        };
        diags.push(Diagnostic::error(s.spans.start, msg));
    }
    for p in &s.points {
        for o in &p.options {
            if o.next.is_empty() || known.contains(o.next.as_str()) {
                continue;
            }
            diags.push(Diagnostic::error(
                o.spans.next,
                format!(
                    "option `{}` leads to `{}`, which is neither a decision point nor an ending{}",
                    o.id,
                    o.next,
                    budget.suggest(&o.next, &all)
                ),
            ));
        }
    }
    // An ending that failed to decode is empty and already reported.
    if let Some(w) = &s.persona.walkout
        && !w.ending.is_empty()
        && s.ending(&w.ending).is_none()
    {
        diags.push(Diagnostic::error(
            s.persona.spans.walkout_ending,
            format!(
                "walkout ending `{}` is not an ending{}",
                w.ending,
                budget.suggest(
                    &w.ending,
                    &Candidates::new(s.endings.iter().map(|e| e.id.as_str()).collect())
                )
            ),
        ));
    }
}

fn check_lines(s: &Scenario, diags: &mut Vec<Diagnostic>) {
    // Which point each option leads to, for `after`.
    let leads_to: HashMap<&str, &str> = s
        .points
        .iter()
        .flat_map(|p| p.options.iter())
        .map(|o| (o.id.as_str(), o.next.as_str()))
        .collect();
    let unnamed_option = s
        .points
        .iter()
        .flat_map(|p| &p.options)
        .any(|o| o.id.is_empty());
    for p in &s.points {
        // (When an `after` entry failed to decode, the ids no longer match their spans.)
        for l in p
            .lines
            .iter()
            .filter(|l| l.after.len() == l.spans.after.len())
        {
            for (id, span) in l.after.iter().zip(&l.spans.after) {
                match leads_to.get(id.as_str()) {
                    // An option whose id did not decode is already reported; the `after`
                    // may well name it, so saying "not an option" would only add noise.
                    None if unnamed_option => {}
                    None => diags.push(Diagnostic::error(
                        *span,
                        format!(
                            "line `{}` answers `{id}`, which is not an option: `after` lists the ids of the replies this line answers",
                            l.id
                        ),
                    )),
                    Some(next) if *next != p.id => diags.push(Diagnostic::error(
                        *span,
                        format!(
                            "line `{}` answers option `{id}`, but that option leads to `{next}`, not to point `{}`: the line could never be said; list only options whose `next` is this point",
                            l.id, p.id
                        ),
                    )),
                    Some(_) => {}
                }
            }
        }
        if !p.lines.is_empty()
            && p.lines
                .iter()
                .all(|l| l.when.is_some() || !l.after.is_empty())
        {
            diags.push(Diagnostic::error(
                p.spans.lines,
                format!(
                    "every line of point `{}` has a `when` or `after` condition; add one line without either for the client to say when no condition holds",
                    p.id
                ),
            ));
        }
    }
}

fn check_graph(s: &Scenario, budget: &mut Budget, diags: &mut Vec<Diagnostic>) {
    // The points of each id. A duplicated id is reported as such; a link to it counts as
    // leading to each of its points, so the duplicate brings no errors of its own here.
    let mut index: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in s.points.iter().enumerate() {
        index.entry(p.id.as_str()).or_default().push(i);
    }
    let points_of = |id: &str| index.get(id).map_or(&[][..], Vec::as_slice);
    // Forward reachability from start.
    let mut reached = vec![false; s.points.len()];
    let mut queue = VecDeque::new();
    if points_of(&s.start).is_empty() {
        // Without a valid start, reachability says nothing useful.
        return;
    }
    for &i in points_of(&s.start) {
        reached[i] = true;
        queue.push_back(i);
    }
    while let Some(i) = queue.pop_front() {
        for o in &s.points[i].options {
            for &j in points_of(&o.next) {
                if !reached[j] {
                    reached[j] = true;
                    queue.push_back(j);
                }
            }
        }
    }
    // Backward: which points can reach an ending — a search from the points that lead to one,
    // along links followed in reverse (linear, where repeating passes was quadratic).
    let endings: HashSet<&str> = s.endings.iter().map(|e| e.id.as_str()).collect();
    let mut finishes = vec![false; s.points.len()];
    let mut leads_here: Vec<Vec<usize>> = vec![Vec::new(); s.points.len()];
    for (i, p) in s.points.iter().enumerate() {
        for o in &p.options {
            if endings.contains(o.next.as_str()) && !finishes[i] {
                finishes[i] = true;
                queue.push_back(i);
            }
            for &j in points_of(&o.next) {
                leads_here[j].push(i);
            }
        }
    }
    while let Some(j) = queue.pop_front() {
        for &i in &leads_here[j] {
            if !finishes[i] {
                finishes[i] = true;
                queue.push_back(i);
            }
        }
    }
    // Links that go nowhere, for the near-miss check below.
    let broken = Candidates::new(
        s.points
            .iter()
            .flat_map(|q| &q.options)
            .map(|o| o.next.as_str())
            .filter(|n| !n.is_empty() && !index.contains_key(n) && !endings.contains(n))
            .collect(),
    );
    for (i, p) in s.points.iter().enumerate() {
        if p.id.is_empty() {
            continue;
        }
        // A broken `next` that is a near-miss of this id already explains why it is unreachable.
        // (Ids differing in length by more than 2 are more than 2 edits apart.)
        let mut typo_of_this = || {
            let len = p.id.chars().count();
            budget.take(broken.cost(p.id.len()))
                && broken
                    .ids
                    .iter()
                    .any(|n| n.chars().count().abs_diff(len) <= 2 && edit_distance(n, &p.id) <= 2)
        };
        if !reached[i] && !typo_of_this() {
            diags.push(Diagnostic::error(
                p.spans.id,
                format!(
                    "point `{}` is unreachable: no option leads to it from `start`; link it with `next` or remove it",
                    p.id
                ),
            ));
        } else if !finishes[i]
            && !p.options.is_empty()
            && p.options.iter().all(|o| {
                o.next.is_empty()
                    || index.contains_key(o.next.as_str())
                    || endings.contains(o.next.as_str())
            })
        {
            // (A point with a broken `next` already has that error; no second one here.)
            diags.push(Diagnostic::error(
                p.spans.id,
                format!(
                    "point `{}` has no path to any ending: every reply from here loops forever; let one option lead toward an ending",
                    p.id
                ),
            ));
        }
    }
}

/// Checks that an asset path stays inside the scenario's folder: relative, no escaping `..`.
pub fn check_asset_path(p: &str) -> Result<(), String> {
    if p.is_empty() {
        return Err("asset path is empty".into());
    }
    let bad_root = p.starts_with('/')
        || p.starts_with('\\')
        || p.as_bytes().get(1) == Some(&b':')
        || p.contains('\0');
    if bad_root {
        return Err(format!(
            "asset path `{p}` is absolute; write it relative to the scenario's folder, e.g. \"images/face.png\""
        ));
    }
    let mut depth: i32 = 0;
    for part in p.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return Err(format!(
                        "asset path `{p}` leaves the scenario's folder; keep assets beside the scenario file"
                    ));
                }
            }
            _ => depth += 1,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_paths() {
        assert!(check_asset_path("images/a.png").is_ok());
        assert!(check_asset_path("images/../a.png").is_ok());
        assert!(check_asset_path("../a.png").is_err());
        assert!(check_asset_path("images/../../a.png").is_err());
        assert!(check_asset_path("/etc/passwd").is_err());
        assert!(check_asset_path("C:\\x.png").is_err());
    }

    /// The test scenario with a chain of `chain` more points between its two (a → c0 → c1 → …
    /// → b) and `broken` unreachable points whose links lead nowhere.
    fn big_scenario(chain: usize, broken: usize) -> String {
        let point = |id: String, next: String| {
            format!(
                "Point(id: \"{id}\", lines: [Line(id: \"{id}.l\", text: \"x\")], options: [Option(id: \"{id}.o\", text: \"x\", codes: [], next: \"{next}\", feedback: \"x\")]),\n"
            )
        };
        let mut points = String::new();
        for i in 0..chain {
            let next = if i + 1 < chain {
                format!("c{}", i + 1)
            } else {
                "b".into()
            };
            points.push_str(&point(format!("c{i}"), next));
        }
        for i in 0..broken {
            points.push_str(&point(format!("q{i}"), format!("nowhere{i}")));
        }
        include_str!("../../tests/data/minimal.ron")
            .replacen("next: \"b\"", "next: \"c0\"", 1)
            .replacen("points: [\n", &format!("points: [\n{points}"), 1)
    }

    #[test]
    fn huge_files_validate_in_linear_time() {
        // Before: 30,000 chained points took 7 minutes (the search for points that can finish
        // repeated a pass over every point until nothing changed, once per link of the chain),
        // and 20,000 broken links over 5 minutes (each compared with every id for hints).
        let text = big_scenario(15_000, 15_000);
        let t = std::time::Instant::now();
        let errors = crate::format::load::load_scenario(&text).unwrap_err();
        assert!(
            t.elapsed() < std::time::Duration::from_secs(60),
            "took {:?}",
            t.elapsed()
        );
        let count = |what: &str| errors.iter().filter(|d| d.message.contains(what)).count();
        assert_eq!(
            count("which is neither a decision point nor an ending"),
            15_000
        );
        // Each broken point is unreachable; the chain is reached and finishes.
        assert_eq!(count("is unreachable"), 15_000);
        assert_eq!(count("no path to any ending"), 0);
    }

    #[test]
    fn a_long_chain_is_valid_and_early_hints_survive() {
        assert!(crate::format::load::load_scenario(&big_scenario(2_000, 0)).is_ok());
        // The first broken links still get their "did you mean".
        let text = big_scenario(50, 3).replace("nowhere0", "c17x");
        let errors = crate::format::load::load_scenario(&text).unwrap_err();
        assert!(
            errors.iter().any(|d| d.message.contains("leads to `c17x`")
                && d.message.contains("did you mean `c17`")),
            "{errors:#?}"
        );
    }
}
