//! The decision graph of a scenario (`changetalk graph`): one node per decision point, one per
//! ending, an edge per option labelled with its number. As Graphviz DOT ([`to_dot`]) or as a
//! self-contained SVG drawn here without Graphviz ([`to_svg`]).
//!
//! Colours (both formats, and the legend says so): a point is filled by the rating of its best
//! reply — green 4–5, amber 3, red 1–2 (no MI-consistent reply) — and each edge is coloured by
//! the rating of its option on the same scale. Edges of the best path (the top-rated reply at
//! every point, seed 1, as `play --auto best` plays it) are drawn thick. Endings are filled by
//! outcome; the walkout ending has a dashed border.
//!
//! The SVG layout is layered: a point's column is its breadth-first depth from `start`; within a
//! column, nodes keep the order in which the search found them; endings take the last column.

use std::fmt::Write as _;

use crate::authoring::lint::point_ratings;
use crate::engine::model::{Outcome, Point, Scenario};

/// How good the replies at a point, or one reply, are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quality {
    /// Rated 4–5: a strong MI-consistent reply.
    Good,
    /// Rated 3: MI-consistent.
    Fair,
    /// Rated 1–2: not MI-consistent.
    Poor,
}

impl Quality {
    /// The quality of a 1–5 rating.
    pub fn of(rating: u8) -> Quality {
        match rating {
            4.. => Quality::Good,
            3 => Quality::Fair,
            _ => Quality::Poor,
        }
    }
    /// Fill colour of a point whose best reply has this quality.
    pub fn fill(self) -> &'static str {
        match self {
            Quality::Good => "#b9e4b3",
            Quality::Fair => "#ffd98a",
            Quality::Poor => "#f4a9a4",
        }
    }
    /// Colour of an edge whose option has this quality.
    pub fn stroke(self) -> &'static str {
        match self {
            Quality::Good => "#2e7d32",
            Quality::Fair => "#b26a00",
            Quality::Poor => "#c62828",
        }
    }
    /// CSS class suffix.
    pub fn name(self) -> &'static str {
        match self {
            Quality::Good => "good",
            Quality::Fair => "fair",
            Quality::Poor => "poor",
        }
    }
}

/// Fill colour of an ending.
fn outcome_fill(o: Outcome) -> &'static str {
    match o {
        Outcome::Positive => "#cfe3ff",
        Outcome::Mixed => "#e4dcf5",
        Outcome::Disengaged => "#dcdcdc",
    }
}

/// The rating of the best reply at a point (0 with no options).
pub fn best_rating(p: &Point) -> u8 {
    point_ratings(p).into_iter().max().unwrap_or(0)
}

/// What the client says at a point when nothing special holds.
fn point_text(p: &Point) -> &str {
    p.default_line().map_or("", |l| l.text.as_str())
}

/// The point's other lines (said when their `when` holds or right after a given reply), as
/// "+2 other lines (by state)", or nothing when it has one line.
pub fn alternatives_note(p: &Point) -> Option<String> {
    let others = p.lines.len().saturating_sub(1);
    (others > 0).then(|| {
        let by_state = p.lines.iter().any(|l| l.when.is_some());
        let by_reply = p.lines.iter().any(|l| !l.after.is_empty());
        let why = match (by_state, by_reply) {
            (true, true) => "by state or reply",
            (true, false) => "by state",
            (false, true) => "after a reply",
            (false, false) => "chosen at random",
        };
        format!(
            "+{others} other line{} ({why})",
            if others == 1 { "" } else { "s" }
        )
    })
}

/// Every line of a point with what makes the client say it: `[when discord >= 5] text`.
pub fn lines_summary(p: &Point) -> String {
    p.lines
        .iter()
        .map(|l| {
            let mut why = Vec::new();
            if let Some(w) = &l.when {
                why.push(format!("when {}", w.source));
            }
            if !l.after.is_empty() {
                why.push(format!("after {}", l.after.join(", ")));
            }
            if why.is_empty() {
                format!("• {}", l.text)
            } else {
                format!("• [{}] {}", why.join("; "), l.text)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Up to `lines` lines of at most `width` characters, broken at spaces, with "…" when cut.
fn wrap(text: &str, width: usize, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut cut = false;
    for word in text.split_whitespace() {
        let word: String = if word.chars().count() > width {
            word.chars().take(width).collect()
        } else {
            word.to_string()
        };
        let need = cur.chars().count() + usize::from(!cur.is_empty()) + word.chars().count();
        if need <= width {
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(&word);
        } else {
            out.push(std::mem::take(&mut cur));
            if out.len() == lines {
                cut = true;
                break;
            }
            cur = word;
        }
    }
    if !cut && !cur.is_empty() {
        out.push(cur);
    }
    if cut && let Some(last) = out.last_mut() {
        while last.chars().count() + 1 > width {
            last.pop();
        }
        last.push('…');
    }
    out
}

/// Escapes text for SVG (the crate's one markup escaper).
pub use crate::source::text::escape_markup as xml_escape;

/// Escapes text for a double-quoted DOT string; a newline becomes `\n`.
pub fn dot_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            c if crate::source::text::is_xml_forbidden(c) => {}
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The walkout ending's id, if the client can walk out.
fn walkout(s: &Scenario) -> Option<&str> {
    s.persona.walkout.as_ref().map(|w| w.ending.as_str())
}

/// The decision graph in Graphviz DOT: `dot -Tsvg graph.dot > graph.svg`.
pub fn to_dot(s: &Scenario) -> String {
    let l = GraphLayout::new(s);
    let mut out = String::new();
    let _ = writeln!(out, "digraph \"{}\" {{", dot_escape(&s.id));
    let _ = writeln!(
        out,
        "  graph [rankdir=LR, labelloc=t, fontname=\"Helvetica\", label=\"{}\\npoint fill: best reply rated 4-5 green, 3 amber, 1-2 red; edge: option number, coloured by its rating; thick edge: best path; thick border: start\"];",
        dot_escape(&s.title)
    );
    let _ = writeln!(
        out,
        "  node [fontname=\"Helvetica\", fontsize=10, shape=box, style=\"rounded,filled\"];"
    );
    let _ = writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=10];");
    for node in &l.nodes {
        match *node {
            GraphNode::Point(i) => {
                let p = &s.points[i];
                let best = best_rating(p);
                let q = Quality::of(best);
                let mut snippet = wrap(point_text(p), 30, 2);
                snippet.extend(alternatives_note(p));
                let snippet = snippet.join("\n");
                let _ = writeln!(
                    out,
                    "  \"{}\" [class=\"point\", fillcolor=\"{}\", penwidth={}, label=\"{}\\n{}\", tooltip=\"best reply rated {best}: {}\"];",
                    dot_escape(&p.id),
                    q.fill(),
                    if p.id == s.start { "3" } else { "1" },
                    dot_escape(&p.id),
                    dot_escape(&snippet),
                    dot_escape(&lines_summary(p)),
                );
            }
            GraphNode::Ending(e) => {
                let end = &s.endings[e];
                let walk = if walkout(s) == Some(end.id.as_str()) {
                    ", walkout"
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "  \"{}\" [class=\"ending\", shape=ellipse, style=filled, fillcolor=\"{}\", label=\"{}\\n{} ({}{walk})\", tooltip=\"{}\"];",
                    dot_escape(&end.id),
                    outcome_fill(end.outcome),
                    dot_escape(&end.id),
                    dot_escape(&end.title),
                    end.outcome.name(),
                    dot_escape(&end.text),
                );
            }
        }
    }
    for e in &l.edges {
        let q = Quality::of(e.rating);
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\" [label=\"{}\", color=\"{}\", fontcolor=\"{}\", penwidth={}, tooltip=\"option {} rated {}{}\"];",
            dot_escape(node_id(s, l.nodes[e.from])),
            dot_escape(node_id(s, l.nodes[e.to])),
            e.number,
            q.stroke(),
            q.stroke(),
            if e.best { "3" } else { "1" },
            e.number,
            e.rating,
            if e.best { ", on the best path" } else { "" },
        );
    }
    out.push_str("}\n");
    out
}

fn node_id(s: &Scenario, n: GraphNode) -> &str {
    match n {
        GraphNode::Point(i) => &s.points[i].id,
        GraphNode::Ending(e) => &s.endings[e].id,
    }
}

mod layout;
mod route;
mod svg;
pub use layout::{GraphEdge, GraphLayout, GraphNode};
pub use route::{Geometry, Route, Xy, bezier};
pub use svg::to_svg;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::load::load_scenario;

    const MINIMAL: &str = include_str!("../../../tests/data/minimal.ron");

    #[test]
    fn escapes() {
        assert_eq!(
            xml_escape("<a href=\"x\">&'\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(dot_escape("say \"hi\"\\\nnow"), "say \\\"hi\\\"\\\\\\nnow");
    }

    #[test]
    fn wrap_breaks_at_spaces_and_marks_cuts() {
        assert_eq!(wrap("one two three", 7, 2), ["one two", "three"]);
        let w = wrap("one two three four five", 7, 2);
        assert_eq!(w.len(), 2);
        assert!(w[1].ends_with('…') && w[1].chars().count() <= 7, "{w:?}");
        assert_eq!(wrap("", 7, 2), Vec::<String>::new());
    }

    #[test]
    fn minimal_graph_has_a_node_per_point_and_ending_and_an_edge_per_option() {
        let s = load_scenario(MINIMAL).unwrap();
        let dot = to_dot(&s);
        assert_eq!(dot.matches("class=\"point\"").count(), 2);
        assert_eq!(dot.matches("class=\"ending\"").count(), 2);
        assert_eq!(dot.matches(" -> ").count(), 4);
        assert!(
            dot.contains("\"a\" -> \"b\" [label=\"1\", color=\"#b26a00\""),
            "{dot}"
        );
        let svg = to_svg(&s);
        assert_eq!(svg.matches("<g class=\"point ").count(), 2);
        assert_eq!(svg.matches("<g class=\"ending ").count(), 2);
        assert_eq!(svg.matches("<g class=\"edge ").count(), 4);
        // Point `b`'s best reply is a complex reflection of change talk (5): green.
        assert!(
            svg.contains("<g class=\"point good\" id=\"point-b\">"),
            "{svg}"
        );
    }

    #[test]
    fn hostile_text_is_escaped() {
        let text = MINIMAL.replace(
            "I'm fine.",
            "</text><script>alert(1)</script> & \\\"quotes\\\" \\\\ back",
        );
        let s = load_scenario(&text).unwrap();
        let svg = to_svg(&s);
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        let dot = to_dot(&s);
        assert!(dot.contains("\\\"quotes\\\" \\\\ back"), "{dot}");
    }
}
