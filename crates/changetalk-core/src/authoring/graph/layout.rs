//! The decision graph's layout as data, for any drawing of it (the SVG here, the app's graph
//! window): a point's column is its breadth-first depth from `start`, endings take the last
//! column, rows keep the order the search found them in.

use std::collections::{HashMap, HashSet, VecDeque};

use crate::authoring::model_path::{best_path_session, point_ratings};
use crate::engine::model::Scenario;

/// One box of the decision graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphNode {
    /// Decision point `i` of the scenario.
    Point(usize),
    /// Ending `i`.
    Ending(usize),
}

/// One option as an arrow of the decision graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphEdge {
    /// Index of the node it leaves.
    pub from: usize,
    /// Index of the node it leads to.
    pub to: usize,
    /// The option's number at its point.
    pub number: usize,
    /// Its 1–5 rating.
    pub rating: u8,
    /// Taken by the best path (the top-rated reply at every point, seed 1).
    pub best: bool,
}

/// The decision graph laid out as `changetalk graph` draws it: a point's column is its
/// breadth-first depth from `start`, endings take the last column, rows keep the order the
/// search found them in.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphLayout {
    /// Points, then endings.
    pub nodes: Vec<GraphNode>,
    /// (column, row) of each node.
    pub slots: Vec<(usize, usize)>,
    /// Every option that leads somewhere.
    pub edges: Vec<GraphEdge>,
    /// Columns.
    pub cols: usize,
    /// Rows of the fullest column.
    pub rows: usize,
}

impl GraphLayout {
    /// Lays out `s`'s graph.
    pub fn new(s: &Scenario) -> GraphLayout {
        let point_ix: HashMap<&str, usize> = s
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i))
            .collect();
        let ending_ix: HashMap<&str, usize> = s
            .endings
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.as_str(), i))
            .collect();
        let mut depth: Vec<Option<usize>> = vec![None; s.points.len()];
        let mut order = Vec::new();
        let mut endings = Vec::new();
        let mut queue = VecDeque::new();
        if let Some(&i) = point_ix.get(s.start.as_str()) {
            depth[i] = Some(0);
            queue.push_back(i);
        }
        loop {
            while let Some(i) = queue.pop_front() {
                order.push(i);
                let d = depth[i].unwrap_or(0);
                for o in &s.points[i].options {
                    if let Some(&j) = point_ix.get(o.next.as_str()) {
                        if depth[j].is_none() {
                            depth[j] = Some(d + 1);
                            queue.push_back(j);
                        }
                    } else if let Some(&e) = ending_ix.get(o.next.as_str())
                        && !endings.contains(&e)
                    {
                        endings.push(e);
                    }
                }
            }
            // Points not reached from start (only in a draft with errors) start a new layer.
            let next = depth.iter().flatten().max().map_or(0, |m| m + 1);
            match depth.iter().position(Option::is_none) {
                Some(i) => {
                    depth[i] = Some(next);
                    queue.push_back(i);
                }
                None => break,
            }
        }
        let unreached: Vec<usize> = (0..s.endings.len())
            .filter(|e| !endings.contains(e))
            .collect();
        endings.extend(unreached);
        let ending_col = depth.iter().flatten().max().map_or(0, |m| m + 1);
        let mut per_col = vec![0usize; ending_col + 1];
        let mut nodes = Vec::new();
        let mut slots = Vec::new();
        let mut node_of_point = vec![0; s.points.len()];
        let mut node_of_ending = vec![0; s.endings.len()];
        for &i in &order {
            let col = depth[i].unwrap_or(0);
            node_of_point[i] = nodes.len();
            nodes.push(GraphNode::Point(i));
            slots.push((col, per_col[col]));
            per_col[col] += 1;
        }
        for &e in &endings {
            node_of_ending[e] = nodes.len();
            nodes.push(GraphNode::Ending(e));
            slots.push((ending_col, per_col[ending_col]));
            per_col[ending_col] += 1;
        }
        let best: HashSet<(String, usize)> = best_path_session(s)
            .map(|(session, _)| {
                session
                    .turns()
                    .iter()
                    .map(|t| (t.client.point.clone(), t.reply.number))
                    .collect()
            })
            .unwrap_or_default();
        let mut edges = Vec::new();
        for (i, p) in s.points.iter().enumerate() {
            let ratings = point_ratings(p);
            for (k, o) in p.options.iter().enumerate() {
                let to = match (
                    point_ix.get(o.next.as_str()),
                    ending_ix.get(o.next.as_str()),
                ) {
                    (Some(&j), _) => node_of_point[j],
                    (None, Some(&e)) => node_of_ending[e],
                    (None, None) => continue,
                };
                edges.push(GraphEdge {
                    from: node_of_point[i],
                    to,
                    number: k + 1,
                    rating: ratings[k],
                    best: best.contains(&(p.id.clone(), k + 1)),
                });
            }
        }
        GraphLayout {
            nodes,
            slots,
            edges,
            cols: ending_col + 1,
            rows: per_col.iter().copied().max().unwrap_or(0).max(1),
        }
    }
}
