//! The item analysis: at every decision point students reached, who chose what, and which
//! moments most students missed.

use std::collections::HashMap;

use serde::Serialize;

use crate::classroom::grade::{Gradebook, Pinned};
use crate::engine::option_ratings;

/// How often one option was chosen at a point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionStat {
    /// Position in the scenario file (1-based); students saw the options in a shuffled order,
    /// so options are counted by id.
    pub number: usize,
    /// Option id.
    pub id: String,
    /// What it says.
    pub text: String,
    /// Its 1–5 rating (for the line most often said here).
    pub rating: u8,
    /// The best-rated option here.
    pub best: bool,
    /// Times chosen.
    pub count: usize,
    /// count / visits.
    pub share: f64,
}

/// One decision point across the class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemStat {
    /// Scenario id (with the session for a course's later session: `id, session 2`).
    pub scenario: String,
    /// Point id.
    pub point: String,
    /// What the client said there (the line most often drawn).
    pub client: String,
    /// Times the point was answered (a student who came back counts again).
    pub visits: usize,
    /// Students who reached it.
    pub students: usize,
    /// Answers where a better-rated option existed.
    pub missed: usize,
    /// missed / visits.
    pub missed_share: f64,
    /// Every option with its share.
    pub options: Vec<OptionStat>,
}

/// The item analysis: for every decision point reached, the share of students choosing each
/// option; most-missed moments first (then most visited, then file order).
pub fn item_analysis(p: &Pinned, book: &Gradebook) -> Vec<ItemStat> {
    struct Acc {
        visits: usize,
        students: usize,
        missed: usize,
        options: HashMap<String, usize>,
        lines: HashMap<String, usize>,
    }
    let mut acc: HashMap<(usize, String), Acc> = HashMap::new();
    for r in book.rows.iter().filter(|r| r.counts_in_statistics()) {
        for (si, g) in r.scenarios.iter().enumerate() {
            let mut seen: Vec<&str> = Vec::new();
            for t in &g.turns {
                let a = acc.entry((si, t.point.clone())).or_insert_with(|| Acc {
                    visits: 0,
                    students: 0,
                    missed: 0,
                    options: HashMap::new(),
                    lines: HashMap::new(),
                });
                a.visits += 1;
                if !seen.contains(&t.point.as_str()) {
                    seen.push(&t.point);
                    a.students += 1;
                }
                a.missed += usize::from(t.missed);
                *a.options.entry(t.option.clone()).or_default() += 1;
                *a.lines.entry(t.line.clone()).or_default() += 1;
            }
        }
    }
    let mut out: Vec<(usize, usize, ItemStat)> = Vec::new();
    for ((si, point_id), a) in acc {
        let Some(scenario) = p.scenarios.get(si) else {
            continue;
        };
        // A course's later session: its own points.
        let sref = p.exercise.scenarios.get(si);
        let points = scenario.session_points(sref.map_or(0, |r| r.session_index()));
        let Some(pi) = points.iter().position(|x| x.id == point_id) else {
            continue;
        };
        let point = &points[pi];
        let line_id = a
            .lines
            .iter()
            .max_by(|x, y| x.1.cmp(y.1).then_with(|| y.0.cmp(x.0)))
            .map(|(l, _)| l.clone())
            .unwrap_or_default();
        let line = point.lines.iter().find(|l| l.id == line_id);
        let target = line.map_or(crate::engine::model::Target::Neutral, |l| l.talk.target());
        let ratings = option_ratings(point, target);
        let best_rating = ratings.iter().copied().max().unwrap_or(0);
        let options = point
            .options
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let count = a.options.get(&o.id).copied().unwrap_or(0);
                OptionStat {
                    number: i + 1,
                    id: o.id.clone(),
                    text: o.text.clone(),
                    rating: ratings[i],
                    best: ratings[i] == best_rating,
                    count,
                    share: count as f64 / a.visits.max(1) as f64,
                }
            })
            .collect();
        out.push((
            si,
            pi,
            ItemStat {
                scenario: sref.map_or_else(|| scenario.id.clone(), |r| r.label()),
                point: point_id,
                client: line.map(|l| l.text.clone()).unwrap_or_default(),
                visits: a.visits,
                students: a.students,
                missed: a.missed,
                missed_share: a.missed as f64 / a.visits.max(1) as f64,
                options,
            },
        ));
    }
    out.sort_by(|(sa, pa, a), (sb, pb, b)| {
        b.missed_share
            .total_cmp(&a.missed_share)
            .then(b.visits.cmp(&a.visits))
            .then(sa.cmp(sb))
            .then(pa.cmp(pb))
    });
    out.into_iter().map(|(_, _, s)| s).collect()
}
