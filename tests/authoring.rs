//! End-to-end tests of the authoring commands — `new`, `lint` and `graph` — run as an author
//! would run them.

use std::path::{Path, PathBuf};
use std::process::Output;

mod common;
use common::{bin, checked, fails_with, root, stderr, stdout};

fn run_in(dir: Option<&Path>, args: &[&str]) -> Output {
    let mut c = bin();
    c.args(args);
    if let Some(d) = dir {
        c.current_dir(d);
    }
    checked(&mut c)
}

fn run(args: &[&str]) -> Output {
    run_in(None, args)
}

/// Every bundled scenario file with its loaded scenario.
fn bundled() -> Vec<(PathBuf, changetalk_core::Scenario)> {
    let mut v = Vec::new();
    for entry in std::fs::read_dir(root().join("scenarios")).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|x| x == "ron") {
            let text = std::fs::read_to_string(&p).unwrap();
            let s = changetalk_core::load_scenario(&text).expect("bundled scenario is valid");
            v.push((p, s));
        }
    }
    v.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(v.len() >= 2);
    v
}

/// The template with id `t`: valid, lint-clean, and the base every flawed file is made from.
fn template() -> String {
    changetalk_core::format::template::template_for("t").unwrap()
}

/// `path:line:col` of the first occurrence of `needle` in `text` (1-based; the column counts
/// characters), computed independently of the core's `LineIndex`.
fn at(path: &str, text: &str, needle: &str) -> String {
    let off = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the file"));
    position(path, text, off)
}

fn position(path: &str, text: &str, off: usize) -> String {
    let before = &text[..off];
    let line = before.matches('\n').count() + 1;
    let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    format!("{path}:{line}:{col}")
}

/// Replaces `from` (which must occur exactly once) with `to`.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} must occur once");
    text.replacen(from, to, 1)
}

/// Warning lines of `lint` on one file.
fn lint_warnings(path: &str, extra: &[&str]) -> (Output, Vec<String>) {
    let mut args = vec!["lint", path];
    args.extend_from_slice(extra);
    let o = run(&args);
    let lines = stderr(&o)
        .lines()
        .filter(|l| l.contains(": warning: "))
        .map(str::to_string)
        .collect();
    (o, lines)
}

struct Flaw {
    /// File name, which says which check it trips.
    name: &'static str,
    /// The flawed text.
    text: String,
    /// Where the warning must point: text to find (first occurrence, optionally after
    /// `after`), so the test states the item rather than a number that drifts with the file.
    needle: &'static str,
    after: Option<&'static str>,
    /// A piece of the message.
    message: &'static str,
    /// The other warnings the same edit must bring (pieces of their messages), when it
    /// breaks more than one thing.
    also: &'static [&'static str],
}

fn flaws() -> Vec<Flaw> {
    let t = template();
    vec![
        Flaw {
            // `hearing` keeps a closed question and a confrontation; its best reply loses its
            // question and collaboration and becomes plain information (rated 2).
            name: "no-consistent-option.ron",
            text: edit(
                &t,
                "codes: [GivingInformation, OpenQuestion, SeekingCollaboration],",
                "codes: [GivingInformation],",
            ),
            needle: "\"hearing\"",
            after: Some("id: \"hearing\""),
            message: "point `hearing` has no MI-consistent option: the best reply is rated 2 of 5",
            also: &[],
        },
        Flaw {
            // The three weak replies at `instead` become strong: two complex reflections of
            // change talk, and the closed question an open one that seeks collaboration (4).
            name: "no-weaker-option.ron",
            text: edit(
                &edit(
                    &edit(
                        &t,
                        "codes: [GivingInformation],\n                    next: \"plan\"",
                        "codes: [ComplexReflection],\n                    next: \"plan\"",
                    ),
                    "codes: [ClosedQuestion],\n                    next: \"plan\"",
                    "codes: [OpenQuestion, SeekingCollaboration],\n                    next: \"plan\"",
                ),
                "codes: [Confront],\n                    next: \"plan\"",
                "codes: [ComplexReflection],\n                    next: \"plan\"",
            ),
            needle: "\"instead\"",
            after: Some("id: \"instead\""),
            message: "point `instead` has no weaker option: every reply is rated 4 or 5",
            also: &[],
        },
        Flaw {
            name: "question-without-mark.ron",
            text: edit(
                &t,
                "\"Did the doctor give you a leaflet?\"",
                "\"Did the doctor give you a leaflet.\"",
            ),
            needle: "\"Did the doctor",
            after: None,
            message: "option `hearing.leaflet` is coded ClosedQuestion but its text does not end with \"?\"",
            also: &[],
        },
        Flaw {
            name: "reflection-with-mark.ron",
            text: edit(
                &t,
                "not like giving something up.\"",
                "not like giving something up?\"",
            ),
            needle: "\"Knowing it can recover",
            after: None,
            message: "option `recover.reflect` is coded as a reflection but its text ends with \"?\"",
            also: &[],
        },
        Flaw {
            name: "generic-affirm.ron",
            text: edit(
                &t,
                "codes: [],                          // generic praise and reassurance are not coded",
                "codes: [Affirm],",
            ),
            needle: "\"That's great, well done!",
            after: None,
            message: "option `tuesday.praise` is coded Affirm but reads as generic praise",
            also: &[],
        },
        Flaw {
            name: "line-without-talk.ron",
            text: edit(&t, "                    talk: Change(TakingSteps),\n", ""),
            needle: "Line(",
            after: Some("id: \"tuesday\""),
            message: "line `tuesday.a` has no `talk`, so it counts as Neutral",
            also: &[],
        },
        Flaw {
            name: "unreachable-ending.ron",
            text: edit(&t, "next: \"not-yet\"", "next: \"walks-out\""),
            needle: "\"not-yet\"",
            after: None,
            message: "ending `not-yet` can never be reached",
            also: &[],
        },
        Flaw {
            // Every complex reflection becomes simple: the best path has 0% complex reflections.
            name: "best-path-percent-cr.ron",
            text: t.replace("ComplexReflection", "SimpleReflection"),
            needle: "\"opening\"",
            after: Some("start:"),
            message: "does not model deep listening: its share of complex reflections (%CR) is 0.0%, below the fair threshold 40.0%",
            also: &[],
        },
        Flaw {
            // The questions of the best path lose their question codes (the evocative one
            // becomes a reflection): R:Q is n/a.
            name: "best-path-r-q.ron",
            text: edit(
                &edit(
                    &edit(
                        &edit(
                            &t,
                            "codes: [OpenQuestion, SeekingCollaboration],",
                            "codes: [SeekingCollaboration],",
                        ),
                        "codes: [GivingInformation, OpenQuestion, SeekingCollaboration],",
                        "codes: [GivingInformation, SeekingCollaboration],",
                    ),
                    "codes: [PersuadeWithPermission, OpenQuestion, SeekingCollaboration],",
                    "codes: [PersuadeWithPermission, SeekingCollaboration],",
                ),
                "\"What was different about that next morning?\",\n                    codes: [OpenQuestion],",
                "\"Something was different about that next morning.\",\n                    codes: [ComplexReflection],",
            ),
            needle: "\"opening\"",
            after: Some("start:"),
            message: "its reflection-to-question ratio (R:Q) cannot be computed (n/a)",
            also: &[],
        },
        Flaw {
            // Nothing leads to a Disengaged ending once the walkout ending is only Mixed.
            name: "cannot-lose.ron",
            text: edit(&t, "outcome: Disengaged,", "outcome: Mixed,"),
            needle: "Ending(",
            after: None,
            message: "there is no way to lose this client",
            also: &[],
        },
        Flaw {
            // The best reply at the last point leads back to the start: the model loops (and the
            // one way to `open-door` is gone, which is reported too).
            name: "best-path-loops.ron",
            text: edit(
                &t,
                "codes: [ComplexReflection],         // a summary that collects change talk and ends on the plan\n                    next: \"open-door\",",
                "codes: [ComplexReflection],         // a summary that collects change talk and ends on the plan\n                    next: \"opening\",",
            ),
            needle: "\"opening\"",
            after: Some("start:"),
            message: "reaches no ending within",
            also: &["ending `open-door` can never be reached"],
        },
        Flaw {
            // A roadblock's own answering line is removed: the client no longer hears it.
            name: "deaf-client.ron",
            text: edit(&t, "\"test.after-warn\"", "\"test.after-warn-unused\"").replacen(
                "after: [\"opening.warn\"]",
                "after: [\"opening.ask\"]",
                1,
            ),
            needle: "\"opening.warn\"",
            after: None,
            message: "deaf-client: weak option `opening.warn`",
            also: &[],
        },
    ]
}

#[test]
fn template_from_the_core_lints_clean() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.ron");
    std::fs::write(&p, template()).unwrap();
    let (o, w) = lint_warnings(p.to_str().unwrap(), &["--deny", "warnings"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(w, Vec::<String>::new());
    assert!(stdout(&o).contains("t.ron: ok"), "{}", stdout(&o));
}

#[test]
fn each_flaw_is_caught_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    for f in flaws() {
        let p = dir.path().join(f.name);
        std::fs::write(&p, &f.text).unwrap();
        let path = p.to_str().unwrap();
        let from = f.after.map_or(0, |a| {
            f.text
                .find(a)
                .unwrap_or_else(|| panic!("{}: {a:?} not in the file", f.name))
        });
        let off = from
            + f.text[from..]
                .find(f.needle)
                .unwrap_or_else(|| panic!("{}: {:?} not in the file", f.name, f.needle));
        let prefix = format!("{}: warning: ", position(path, &f.text, off));
        // Valid, so the file only warns: exit 0 without --deny, 1 with it.
        let (o, w) = lint_warnings(path, &[]);
        assert_eq!(o.status.code(), Some(0), "{}: {}", f.name, stderr(&o));
        assert_eq!(
            w.len(),
            1 + f.also.len(),
            "{}: exactly {} warning(s) expected: {w:#?}",
            f.name,
            1 + f.also.len()
        );
        assert!(
            w.iter()
                .any(|l| l.starts_with(&prefix) && l.contains(f.message)),
            "{}: expected {prefix:?} … {:?}, got {w:#?}",
            f.name,
            f.message,
        );
        for other in f.also {
            assert!(
                w.iter().any(|l| l.contains(other)),
                "{}: expected also {other:?}, got {w:#?}",
                f.name
            );
        }
        let (o, _) = lint_warnings(path, &["--deny", "warnings"]);
        assert_eq!(o.status.code(), Some(1), "{}: --deny warnings", f.name);
        assert!(stderr(&o).contains("(warnings denied)"), "{}", stderr(&o));
    }
}

#[test]
fn the_minimum_number_of_points_is_configurable_and_defaults_to_eight() {
    let dir = tempfile::tempdir().unwrap();
    let text = template();
    let p = dir.path().join("t.ron");
    std::fs::write(&p, &text).unwrap();
    let path = p.to_str().unwrap();
    // The template's best path passes through 10 points.
    let (o, w) = lint_warnings(path, &["--min-points", "11", "-D", "warnings"]);
    assert_eq!(o.status.code(), Some(1));
    let prefix = format!(
        "{}: warning: ",
        at(path, &text, "\"opening\",\n\n    points")
    );
    assert_eq!(w.len(), 1, "{w:#?}");
    assert!(
        w[0].starts_with(&prefix)
            && w[0].contains("passes through 10 decision points, fewer than the minimum of 11"),
        "{w:#?}"
    );
    let (o, _) = lint_warnings(path, &["--min-points", "10", "--deny", "warnings"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The core's two-point test scenario falls short of the default of 8.
    let mini = root().join("crates/changetalk-core/tests/data/minimal.ron");
    let (o, w) = lint_warnings(mini.to_str().unwrap(), &[]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        w.iter()
            .any(|l| l.contains("passes through 2 decision points, fewer than the minimum of 8")),
        "{w:#?}"
    );
}

#[test]
fn lint_reports_validation_errors_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let text = edit(&template(), "next: \"not-yet\"", "next: \"not-yte\"");
    let p = dir.path().join("broken.ron");
    std::fs::write(&p, &text).unwrap();
    let path = p.to_str().unwrap();
    let o = run(&["lint", path]);
    assert_eq!(o.status.code(), Some(1));
    let expected = format!(
        "{}: error: option `plan.more` leads to `not-yte`",
        at(path, &text, "\"not-yte\"")
    );
    assert!(stderr(&o).contains(&expected), "{}", stderr(&o));
    // A folder without scenarios and a missing file are errors too.
    let empty = tempfile::tempdir().unwrap();
    let o = run(&["lint", empty.path().to_str().unwrap(), "/nonexistent/x.ron"]);
    fails_with(&o, "no .ron scenario files in this folder");
    assert!(stderr(&o).contains("/nonexistent/x.ron: error: cannot read: no such file"));
}

#[test]
fn bundled_scenarios_lint_clean_with_warnings_denied() {
    let o = run(&[
        "lint",
        root().join("scenarios").to_str().unwrap(),
        "--deny",
        "warnings",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(" 0 errors, 0 warnings"),
        "{}",
        stderr(&o)
    );
    // And each file alone, so a failure names the file.
    for (p, _) in bundled() {
        let o = run(&["lint", p.to_str().unwrap(), "--deny", "warnings"]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
}

#[test]
fn new_writes_a_template_that_validates_lints_clean_and_plays() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(Some(dir.path()), &["new", "my-client"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let p = dir.path().join("my-client.ron");
    let text = std::fs::read_to_string(&p).unwrap();
    assert_eq!(
        text,
        changetalk_core::TEMPLATE.replace("__ID__", "my-client")
    );
    let path = p.to_str().unwrap();
    let o = run(&["validate", path]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("(my-client —"), "{}", stdout(&o));
    let o = run(&["lint", path, "--deny", "warnings"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["play", path, "--auto", "best", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["transcript"]["ending"]["outcome"], "positive");
    let o = run(&["play", path, "--auto", "worst", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["transcript"]["ending"]["outcome"], "disengaged");
    // No temporary file is left beside it.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn new_with_a_client_type_template_writes_a_client_that_plays_and_names_the_kinds() {
    let dir = tempfile::tempdir().unwrap();
    for kind in [
        "rationalising",
        "rebellious",
        "reluctant",
        "resigned",
        "relapse",
        "maintenance-burnout",
    ] {
        let id = format!("my-{kind}");
        let o = run_in(Some(dir.path()), &["new", &id, "--template", kind]);
        assert!(o.status.success(), "{kind}: {}", stderr(&o));
        let p = dir.path().join(format!("{id}.ron"));
        let path = p.to_str().unwrap();
        let o = run(&["lint", path, "--deny", "warnings"]);
        assert!(o.status.success(), "{kind}: {}", stderr(&o));
        let o = run(&["play", path, "--auto", "best", "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["transcript"]["ending"]["outcome"], "positive", "{kind}");
    }
    let o = run_in(Some(dir.path()), &["new", "x", "--template", "rebelious"]);
    fails_with(
        &o,
        "there is no template `rebelious` (did you mean `rebellious`?)",
    );
}

#[test]
fn new_never_overwrites_and_refuses_bad_ids() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("mine.ron");
    std::fs::write(&p, "my own work").unwrap();
    let o = run(&["new", "x", "-o", p.to_str().unwrap()]);
    fails_with(&o, "mine.ron: error: already exists");
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "my own work");
    // -o into a folder that does not exist yet.
    let q = dir.path().join("sub/other.ron");
    let o = run(&["new", "other", "--output", q.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(q.is_file());
    for bad in ["two words", "a/b", "quote\"d", ""] {
        let o = run_in(Some(dir.path()), &["new", bad]);
        assert_eq!(o.status.code(), Some(1), "{bad:?}");
        assert!(
            stderr(&o).contains("is not a valid scenario id"),
            "{bad:?}: {}",
            stderr(&o)
        );
    }
}

/// The `<g>` elements whose class list holds `class`.
fn groups_with_class<'a>(
    doc: &'a roxmltree::Document,
    class: &str,
) -> Vec<roxmltree::Node<'a, 'a>> {
    doc.descendants()
        .filter(|n| {
            n.has_tag_name("g")
                && n.attribute("class")
                    .is_some_and(|c| c.split_whitespace().any(|x| x == class))
        })
        .collect()
}

#[test]
fn svg_graph_is_well_formed_with_one_node_per_point() {
    for (p, s) in bundled() {
        let o = run(&["graph", p.to_str().unwrap(), "--format", "svg"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let svg = stdout(&o);
        let doc = roxmltree::Document::parse(&svg)
            .unwrap_or_else(|e| panic!("{}: not well-formed XML: {e}", p.display()));
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        let points = groups_with_class(&doc, "point");
        assert_eq!(points.len(), s.points.len(), "{}", p.display());
        let mut ids: Vec<&str> = points.iter().filter_map(|n| n.attribute("id")).collect();
        ids.sort_unstable();
        let mut want: Vec<String> = s.points.iter().map(|x| format!("point-{}", x.id)).collect();
        want.sort();
        assert_eq!(ids, want);
        assert_eq!(groups_with_class(&doc, "ending").len(), s.endings.len());
        let options: usize = s.points.iter().map(|x| x.options.len()).sum();
        assert_eq!(groups_with_class(&doc, "edge").len(), options);
        assert_eq!(groups_with_class(&doc, "legend").len(), 1);
        // The best path is drawn, and it starts at `start`.
        let best = groups_with_class(&doc, "best");
        assert!(!best.is_empty());
        assert!(
            best.iter()
                .any(|n| n.attribute("data-from") == Some(s.start.as_str())),
            "{}",
            p.display()
        );
    }
}

#[test]
fn dot_graph_has_one_node_per_point_and_an_edge_per_option() {
    for (p, s) in bundled() {
        // By id, as `play` accepts.
        let o = run(&["graph", &s.id]);
        assert!(o.status.success(), "{}", stderr(&o));
        let dot = stdout(&o);
        assert!(
            dot.starts_with(&format!("digraph \"{}\" {{", s.id)),
            "{dot}"
        );
        assert!(dot.trim_end().ends_with('}'));
        for pt in &s.points {
            let node = format!("  \"{}\" [class=\"point\"", pt.id);
            assert_eq!(dot.matches(&node).count(), 1, "{}: {}", p.display(), pt.id);
        }
        assert_eq!(dot.matches("[class=\"point\"").count(), s.points.len());
        assert_eq!(dot.matches("[class=\"ending\"").count(), s.endings.len());
        let options: usize = s.points.iter().map(|x| x.options.len()).sum();
        assert_eq!(dot.matches("\" -> \"").count(), options);
    }
}

#[test]
fn graph_writes_files_escapes_text_and_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    // Text that would break XML or DOT if it were not escaped.
    let text = edit(
        &template(),
        "\"The doctor made a big deal about one blood test. Everyone in my trade drinks.\"",
        "\"</text><script>alert('x')</script> & \\\"quoted\\\" \\\\ done\"",
    );
    let src = dir.path().join("hostile.ron");
    std::fs::write(&src, &text).unwrap();
    // The format follows the output's extension.
    let out = dir.path().join("g.svg");
    let o = run(&["graph", src.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let svg = std::fs::read_to_string(&out).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("well-formed");
    assert_eq!(groups_with_class(&doc, "point").len(), 10);
    assert!(!svg.contains("<script>"));
    let tooltip = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("point-opening"))
        .and_then(|n| n.children().find(|c| c.has_tag_name("title")))
        .and_then(|t| t.text())
        .unwrap_or_default()
        .to_string();
    assert!(
        tooltip.contains("</text><script>alert('x')</script> & \"quoted\" \\ done"),
        "{tooltip}"
    );
    let out = dir.path().join("g.dot");
    let o = run(&["graph", src.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dot = std::fs::read_to_string(&out).unwrap();
    assert!(dot.contains("& \\\"quoted\\\" \\\\ done"), "{dot}");
    // An invalid scenario and an unknown id fail with the usual messages.
    let bad = dir.path().join("bad.ron");
    std::fs::write(&bad, "Scenario(").unwrap();
    let o = run(&["graph", bad.to_str().unwrap()]);
    fails_with(&o, "bad.ron:1:9: error: this bracket is never closed");
    let o = run(&["graph", "court-ordered-du"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("did you mean `court-ordered-dui`?"));
}

#[test]
fn the_guide_shows_the_current_template() {
    let guide = std::fs::read_to_string(root().join("docs/authoring.md")).unwrap();
    let example = changetalk_core::format::template::template_for("sam-gp-referral").unwrap();
    assert!(
        guide.contains(&example),
        "docs/authoring.md, \"A complete example\", must be the template with id sam-gp-referral"
    );
}
