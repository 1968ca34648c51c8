//! Class statistics: how each metric is spread over the class, and the one-line summary.

use std::fmt::Write as _;

use serde::Serialize;

use crate::classroom::exercise::Exercise;
use crate::classroom::grade::GradeRow;
use crate::classroom::grade::Gradebook;
use crate::miti::score::{Band, BandedMetric, Score};

// Class statistics
// ---------------------------------------------------------------------------------------

/// How one metric is spread over the class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Distribution {
    /// Scenario id (none for the exercise total).
    pub scenario: Option<String>,
    /// The metric's key in the Score object (`overall`, `reflection_to_question`, …).
    pub metric: &'static str,
    /// Human label.
    pub label: &'static str,
    /// Students with a value.
    pub n: usize,
    /// Students without one (no denominator).
    pub missing: usize,
    /// Mean.
    pub mean: Option<f64>,
    /// Smallest.
    pub min: Option<f64>,
    /// First quartile.
    pub q1: Option<f64>,
    /// Median.
    pub median: Option<f64>,
    /// Third quartile.
    pub q3: Option<f64>,
    /// Largest.
    pub max: Option<f64>,
    /// Lower and upper ends of the histogram.
    pub range: (f64, f64),
    /// Ten equal bins over `range` (values outside go to the end bins).
    pub histogram: Vec<usize>,
    /// Students below fair, fair, good (for banded metrics).
    pub bands: Option<[usize; 3]>,
    /// The fair and good thresholds (for banded metrics).
    pub thresholds: Option<(f64, f64)>,
}

type Getter = fn(&Score) -> (Option<f64>, Option<BandedMetric>);

const METRICS: &[(&str, &str, (f64, f64), Getter)] = &[
    ("overall", "Overall score", (0.0, 100.0), |s| {
        (Some(s.overall), None)
    }),
    ("relational", "Relational global (1–5)", (1.0, 5.0), |s| {
        (Some(s.globals.relational), Some(s.bands.relational))
    }),
    ("technical", "Technical global (1–5)", (1.0, 5.0), |s| {
        (Some(s.globals.technical), Some(s.bands.technical))
    }),
    (
        "reflection_to_question",
        "Reflection-to-question ratio",
        (0.0, 4.0),
        |s| {
            (
                s.reflection_to_question,
                Some(s.bands.reflection_to_question),
            )
        },
    ),
    (
        "percent_complex_reflections",
        "% complex reflections",
        (0.0, 100.0),
        |s| {
            (
                s.percent_complex_reflections,
                Some(s.bands.percent_complex_reflections),
            )
        },
    ),
    (
        "percent_open_questions",
        "% open questions",
        (0.0, 100.0),
        |s| {
            (
                s.percent_open_questions,
                Some(s.bands.percent_open_questions),
            )
        },
    ),
    ("percent_mi_adherent", "% MI-adherent", (0.0, 100.0), |s| {
        (s.percent_mi_adherent, Some(s.bands.percent_mi_adherent))
    }),
    (
        "mi_non_adherent",
        "MI-non-adherent codes",
        (0.0, 10.0),
        |s| (Some(f64::from(s.mi_non_adherent)), None),
    ),
    (
        "change_talk_share",
        "Client change-talk share",
        (0.0, 1.0),
        |s| (s.change_talk_share, None),
    ),
];

pub(super) fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let frac = pos - lo as f64;
    Some(sorted[lo] + (sorted[hi] - sorted[lo]) * frac)
}

fn distribution(
    scenario: Option<String>,
    metric: &'static str,
    label: &'static str,
    range: (f64, f64),
    values: &[(Option<f64>, Option<BandedMetric>)],
) -> Distribution {
    let mut v: Vec<f64> = values
        .iter()
        .filter_map(|(x, _)| *x)
        .filter(|x| x.is_finite())
        .collect();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let mut histogram = vec![0usize; 10];
    let width = (range.1 - range.0) / 10.0;
    for x in &v {
        let bin = if width > 0.0 {
            ((x - range.0) / width).floor().clamp(0.0, 9.0) as usize
        } else {
            0
        };
        histogram[bin] += 1;
    }
    let banded: Vec<&BandedMetric> = values.iter().filter_map(|(_, b)| b.as_ref()).collect();
    let (bands, thresholds) = if banded.is_empty() {
        (None, None)
    } else {
        let mut c = [0usize; 3];
        for b in &banded {
            match b.band {
                Some(Band::BelowFair) => c[0] += 1,
                Some(Band::Fair) => c[1] += 1,
                Some(Band::Good) => c[2] += 1,
                None => {}
            }
        }
        (Some(c), Some((banded[0].fair, banded[0].good)))
    };
    Distribution {
        scenario,
        metric,
        label,
        n,
        missing: values.len() - n,
        mean: (n > 0).then(|| v.iter().sum::<f64>() / n as f64),
        min: v.first().copied(),
        q1: quantile(&v, 0.25),
        median: quantile(&v, 0.5),
        q3: quantile(&v, 0.75),
        max: v.last().copied(),
        range,
        histogram,
        bands,
        thresholds,
    }
}

/// Each metric's distribution: the exercise total, then every metric of every scenario, over
/// the students who count in the statistics.
pub fn distributions(ex: &Exercise, book: &Gradebook) -> Vec<Distribution> {
    let rows: Vec<&GradeRow> = book
        .rows
        .iter()
        .filter(|r| r.counts_in_statistics())
        .collect();
    let mut out = Vec::new();
    let totals: Vec<(Option<f64>, Option<BandedMetric>)> =
        rows.iter().map(|r| (r.total, None)).collect();
    out.push(distribution(
        None,
        "total",
        "Exercise total",
        (0.0, 100.0),
        &totals,
    ));
    for (i, s) in ex.scenarios.iter().enumerate() {
        for (metric, label, range, get) in METRICS {
            let values: Vec<(Option<f64>, Option<BandedMetric>)> = rows
                .iter()
                .filter_map(|r| r.scenarios.get(i).and_then(|g| g.score.as_ref()))
                .map(get)
                .collect();
            out.push(distribution(
                Some(s.id.clone()),
                metric,
                label,
                *range,
                &values,
            ));
        }
    }
    out
}

/// A one-line summary of the class, for the terminal.
pub fn summary_line(book: &Gradebook) -> String {
    let graded: Vec<&GradeRow> = book.rows.iter().filter(|r| r.total.is_some()).collect();
    let mut s = format!(
        "{} student{}, {} graded",
        book.rows.len(),
        if book.rows.len() == 1 { "" } else { "s" },
        graded.len()
    );
    if !graded.is_empty() {
        let mean = graded.iter().filter_map(|r| r.total).sum::<f64>() / graded.len() as f64;
        let passed = graded.iter().filter(|r| r.passed == Some(true)).count();
        let _ = write!(s, ", mean total {mean:.1}, {passed} passed");
    }
    let _ = write!(
        s,
        ", {} flagged, {} file{} not gradable",
        book.flagged(),
        book.problems.len(),
        if book.problems.len() == 1 { "" } else { "s" }
    );
    s
}
