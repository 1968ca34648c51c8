//! The decision graph as a standalone SVG drawn here (no Graphviz): layered columns, coloured
//! by rating and outcome, with its own legend.

use std::fmt::Write as _;

use super::*;

const NODE_W: f64 = 200.0;

const NODE_H: f64 = 72.0;

const COL_GAP: f64 = 90.0;

const ROW_GAP: f64 = 34.0;

const MARGIN: f64 = 24.0;

const TOP: f64 = 112.0;

const BELOW: f64 = 90.0;

/// The decision graph as a standalone SVG document (no Graphviz needed).
pub fn to_svg(s: &Scenario) -> String {
    let l = GraphLayout::new(s);
    let graph_w = l.cols as f64 * (NODE_W + COL_GAP) - COL_GAP;
    let width = (MARGIN * 2.0 + graph_w).max(840.0);
    let height = TOP + l.rows as f64 * (NODE_H + ROW_GAP) - ROW_GAP + BELOW;
    let pos = |n: usize| {
        let (col, row) = l.slots[n];
        (
            MARGIN + col as f64 * (NODE_W + COL_GAP),
            TOP + row as f64 * (NODE_H + ROW_GAP),
        )
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="Helvetica, Arial, sans-serif" font-size="12">"#
    );
    let _ = writeln!(
        out,
        "<title>{}</title>",
        xml_escape(&format!("{} — decision graph", s.title))
    );
    out.push_str("<defs>\n");
    for q in [Quality::Good, Quality::Fair, Quality::Poor] {
        let _ = writeln!(
            out,
            r#"<marker id="arrow-{}" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{}"/></marker>"#,
            q.name(),
            q.stroke()
        );
    }
    out.push_str("</defs>\n");
    let _ = writeln!(
        out,
        r##"<rect x="0" y="0" width="{width:.0}" height="{height:.0}" fill="#ffffff"/>"##
    );
    legend(&mut out, s);

    // Edges first, so nodes sit on top of them.
    out.push_str("<g class=\"edges\" fill=\"none\">\n");
    let geometry = Geometry {
        x0: MARGIN,
        y0: TOP,
        node_w: NODE_W,
        node_h: NODE_H,
        col_gap: COL_GAP,
        row_gap: ROW_GAP,
    };
    let routes = l.routes(&geometry);
    for (e, r) in l.edges.iter().zip(&routes) {
        let q = Quality::of(e.rating);
        let mut d = String::new();
        for (i, p) in r.pieces.iter().enumerate() {
            if i == 0 {
                let _ = write!(d, "M{:.1},{:.1} ", p[0].0, p[0].1);
            }
            let _ = write!(
                d,
                "C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1} ",
                p[1].0, p[1].1, p[2].0, p[2].1, p[3].0, p[3].1
            );
        }
        let d = d.trim_end();
        let (lx, ly) = r.label;
        let _ = writeln!(
            out,
            r##"<g class="edge {q}{bp}" data-from="{from}" data-to="{to}"><title>{title}</title><path d="{d}" stroke="{c}" stroke-width="{w}" marker-end="url(#arrow-{q})"/><text x="{lx:.1}" y="{ly:.1}" dy="4" text-anchor="middle" fill="{c}" stroke="#ffffff" stroke-width="3" paint-order="stroke" font-size="11" font-weight="bold">{n}</text></g>"##,
            q = q.name(),
            from = xml_escape(node_id(s, l.nodes[e.from])),
            to = xml_escape(node_id(s, l.nodes[e.to])),
            title = xml_escape(&format!(
                "option {} of {} → {} (rated {}{})",
                e.number,
                node_id(s, l.nodes[e.from]),
                node_id(s, l.nodes[e.to]),
                e.rating,
                if e.best { ", on the best path" } else { "" }
            )),
            c = q.stroke(),
            w = if e.best { "3.4" } else { "1.4" },
            bp = if e.best { " best" } else { "" },
            n = e.number,
        );
    }
    out.push_str("</g>\n");

    for (n, node) in l.nodes.iter().enumerate() {
        let (x, y) = pos(n);
        match *node {
            GraphNode::Point(i) => {
                let p = &s.points[i];
                let best = best_rating(p);
                let q = Quality::of(best);
                let start = p.id == s.start;
                let _ = write!(
                    out,
                    r##"<g class="point {q}" id="point-{id}"><title>{title}</title><rect x="{x:.1}" y="{y:.1}" width="{NODE_W}" height="{NODE_H}" rx="10" fill="{fill}" stroke="#333333" stroke-width="{sw}"/><text x="{tx:.1}" y="{ty:.1}" font-weight="bold">{idt}</text>"##,
                    q = q.name(),
                    id = xml_escape(&p.id),
                    title = xml_escape(&format!(
                        "{}{}: best reply rated {best}\n{}",
                        p.id,
                        if start { " (start)" } else { "" },
                        lines_summary(p)
                    )),
                    fill = q.fill(),
                    sw = if start { "3" } else { "1" },
                    tx = x + 10.0,
                    ty = y + 18.0,
                    idt = xml_escape(&wrap(&p.id, 28, 1).join("")),
                );
                let note = alternatives_note(p);
                let mut lines = wrap(point_text(p), 31, if note.is_some() { 2 } else { 3 });
                out.push_str(&lines_text(&lines, x + 10.0, y + 35.0, "#222222"));
                if let Some(note) = note {
                    lines.clear();
                    let _ = write!(
                        out,
                        r##"<text class="alternatives" x="{:.1}" y="{:.1}" fill="#444444" font-size="11" font-style="italic">{}</text>"##,
                        x + 10.0,
                        y + 35.0 + 28.0,
                        xml_escape(&note)
                    );
                }
                out.push_str("</g>\n");
            }
            GraphNode::Ending(e) => {
                let end = &s.endings[e];
                let walk = walkout(s) == Some(end.id.as_str());
                let _ = write!(
                    out,
                    r##"<g class="ending {oc}" id="ending-{id}"><title>{title}</title><rect x="{x:.1}" y="{y:.1}" width="{NODE_W}" height="{NODE_H}" rx="{r}" fill="{fill}" stroke="#333333" stroke-width="1" stroke-dasharray="{dash}"/><text x="{tx:.1}" y="{ty:.1}" font-weight="bold">{idt}</text>"##,
                    oc = end.outcome.name().to_lowercase(),
                    id = xml_escape(&end.id),
                    title = xml_escape(&format!("{}: {}", end.title, end.text)),
                    r = NODE_H / 2.0,
                    fill = outcome_fill(end.outcome),
                    dash = if walk { "5,3" } else { "none" },
                    tx = x + 18.0,
                    ty = y + 20.0,
                    idt = xml_escape(&wrap(&end.id, 26, 1).join("")),
                );
                let mut lines = wrap(&end.title, 28, 1);
                lines.push(format!(
                    "{}{}",
                    end.outcome.name(),
                    if walk { " · walkout" } else { "" }
                ));
                out.push_str(&lines_text(&lines, x + 18.0, y + 37.0, "#222222"));
                out.push_str("</g>\n");
            }
        }
    }
    out.push_str("</svg>\n");
    out
}

/// A `<text>` of several lines.
fn lines_text(lines: &[String], x: f64, y: f64, fill: &str) -> String {
    let mut t = format!(r#"<text x="{x:.1}" y="{y:.1}" fill="{fill}" font-size="11">"#);
    for (i, line) in lines.iter().enumerate() {
        let _ = write!(
            t,
            r#"<tspan x="{x:.1}" dy="{}">{}</tspan>"#,
            if i == 0 { 0 } else { 14 },
            xml_escape(line)
        );
    }
    t.push_str("</text>");
    t
}

fn legend(out: &mut String, s: &Scenario) {
    out.push_str("<g class=\"legend\">\n");
    let _ = writeln!(
        out,
        r#"<text x="{MARGIN}" y="26" font-size="16" font-weight="bold">{}</text>"#,
        xml_escape(&s.title)
    );
    let mut x = MARGIN;
    let y = 44.0;
    for (q, label) in [
        (Quality::Good, "best reply rated 4–5"),
        (Quality::Fair, "best reply rated 3"),
        (
            Quality::Poor,
            "best reply rated 1–2: no MI-consistent reply",
        ),
    ] {
        let _ = writeln!(
            out,
            r##"<rect x="{x:.1}" y="{y:.1}" width="22" height="14" rx="4" fill="{}" stroke="#333333"/><text x="{:.1}" y="{:.1}">{}</text>"##,
            q.fill(),
            x + 28.0,
            y + 11.5,
            xml_escape(label)
        );
        x += 36.0 + label.chars().count() as f64 * 6.4;
    }
    let y = 68.0;
    let mut x = MARGIN;
    for (q, label) in [
        (Quality::Good, "option rated 4–5"),
        (Quality::Fair, "3"),
        (Quality::Poor, "1–2"),
    ] {
        let _ = writeln!(
            out,
            r#"<line x1="{x:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{c}" stroke-width="2" marker-end="url(#arrow-{n})"/><text x="{:.1}" y="{:.1}">{}</text>"#,
            y + 6.0,
            x + 26.0,
            y + 6.0,
            x + 32.0,
            y + 10.5,
            xml_escape(label),
            c = q.stroke(),
            n = q.name(),
        );
        x += 42.0 + label.chars().count() as f64 * 6.4;
    }
    let _ = writeln!(
        out,
        r#"<text x="{x:.1}" y="{:.1}">{}</text>"#,
        y + 10.5,
        xml_escape(
            "edge label: the option's number · thick edge: best path · thick border: start · pill: ending (blue positive, lilac mixed, grey disengaged; dashed: walkout)"
        )
    );
    out.push_str("</g>\n");
}
