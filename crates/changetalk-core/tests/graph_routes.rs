//! The decision graph's arrows never cross a box they do not join: every bundled scenario,
//! every session of every course and every client template, at the SVG's sizes and at a
//! tighter app-like size.

use changetalk_core::Scenario;
use changetalk_core::authoring::graph::{Geometry, GraphLayout, bezier};

/// A point strictly inside a box (a pixel in from its edges).
fn inside(r: [f64; 4], p: (f64, f64)) -> bool {
    p.0 > r[0] + 1.0 && p.0 < r[2] - 1.0 && p.1 > r[1] + 1.0 && p.1 < r[3] - 1.0
}

const SIZES: [Geometry; 2] = [
    // The SVG's.
    Geometry {
        x0: 24.0,
        y0: 112.0,
        node_w: 200.0,
        node_h: 72.0,
        col_gap: 90.0,
        row_gap: 34.0,
    },
    // Tighter, like the app's window at small text.
    Geometry {
        x0: 12.0,
        y0: 12.0,
        node_w: 150.0,
        node_h: 54.0,
        col_gap: 50.0,
        row_gap: 20.0,
    },
];

/// Every crossing, in words.
fn crossings(s: &Scenario, g: &Geometry) -> Vec<String> {
    let l = GraphLayout::new(s);
    let mut out = Vec::new();
    let routes = l.routes(g);
    assert_eq!(routes.len(), l.edges.len());
    for (e, r) in l.edges.iter().zip(&routes) {
        for (n, slot) in l.slots.iter().enumerate() {
            let b = g.rect(*slot);
            let crosses = r
                .pieces
                .iter()
                .any(|p| (1..400).any(|i| inside(b, bezier(*p, f64::from(i) / 400.0))));
            if crosses {
                out.push(format!(
                    "{}: option {} of node {} → node {} crosses node {n}",
                    s.id, e.number, e.from, e.to
                ));
            }
        }
        // It starts on the source's border and ends on the target's.
        let (first, last) = (r.pieces[0][0], r.pieces[r.pieces.len() - 1][3]);
        let on = |b: [f64; 4], (x, y): (f64, f64)| {
            let near = |a: f64, b: f64| (a - b).abs() < 0.01;
            ((near(x, b[0]) || near(x, b[2])) && y >= b[1] && y <= b[3])
                || ((near(y, b[1]) || near(y, b[3])) && x >= b[0] && x <= b[2])
        };
        assert!(
            on(g.rect(l.slots[e.from]), first),
            "{}: starts off its box",
            s.id
        );
        assert!(
            on(g.rect(l.slots[e.to]), last),
            "{}: ends off its box",
            s.id
        );
        // The pieces join up.
        for w in r.pieces.windows(2) {
            assert_eq!(w[0][3], w[1][0], "{}: a route has a hole", s.id);
        }
    }
    out
}

fn scenarios() -> Vec<Scenario> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let mut texts: Vec<String> = std::fs::read_dir(&dir)
        .expect("the bundled scenarios folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .map(|p| std::fs::read_to_string(p).expect("a bundled scenario"))
        .collect();
    texts.extend(
        changetalk_core::format::template::CLIENT_TEMPLATES
            .iter()
            .map(|t| t.text.to_string()),
    );
    let mut out = Vec::new();
    for text in texts {
        let s = changetalk_core::load_scenario(&text).expect("bundled files load");
        for i in 0..s.session_count() {
            out.push(
                s.part(i, s.persona.initial, Default::default())
                    .expect("a session"),
            );
        }
    }
    out
}

#[test]
fn no_arrow_crosses_a_box() {
    let all = scenarios();
    assert!(all.len() >= 19, "{} sessions", all.len());
    for s in &all {
        for g in &SIZES {
            let c = crossings(s, g);
            assert!(c.is_empty(), "{c:#?}");
        }
    }
}
