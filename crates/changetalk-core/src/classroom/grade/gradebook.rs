//! The gradebook CSV an LMS imports (Moodle, Canvas): identity columns, grades, flags.

use crate::classroom::exercise::Exercise;
use crate::classroom::grade::Gradebook;
use crate::classroom::printable::printable;
pub use crate::source::csv::csv_field;
use crate::source::csv::csv_record;

/// The gradebook's header: the five identity columns Canvas exports and imports (`Student`,
/// `ID`, `SIS User ID`, `SIS Login ID`, `Section`), then the grade columns, then `flags`.
/// The student's id is written as `SIS User ID` (map it to Moodle's "ID number").
pub fn csv_header(ex: &Exercise) -> Vec<String> {
    let mut h: Vec<String> = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let title = printable(&ex.title);
    h.push(format!("{title} total"));
    for s in &ex.scenarios {
        h.push(format!("{title}: {} overall", s.label()));
    }
    h.push(format!("{title} pass"));
    h.push("flags".to_string());
    h
}

/// A score as the gradebook writes it: one decimal.
fn grade_num(x: f64) -> String {
    format!("{x:.1}")
}

/// The gradebook: a header and one row per student (CRLF line ends, as RFC 4180 asks). Names
/// and ids come from students' files: their control characters are removed
/// ([`printable`]) before the fields are quoted, so a name cannot break a row or reach a
/// terminal that shows the file.
pub fn gradebook_csv(ex: &Exercise, book: &Gradebook) -> String {
    let mut out = String::new();
    out.push_str(&csv_record(&csv_header(ex)));
    for r in &book.rows {
        let mut f = vec![
            printable(&r.student_name).into_owned(),
            String::new(),
            printable(&r.student_id).into_owned(),
            String::new(),
            String::new(),
        ];
        f.push(r.total.map(grade_num).unwrap_or_default());
        for (i, _) in ex.scenarios.iter().enumerate() {
            f.push(
                r.scenarios
                    .get(i)
                    .and_then(|g| g.score.as_ref())
                    .map(|s| grade_num(s.overall))
                    .unwrap_or_default(),
            );
        }
        f.push(match r.passed {
            Some(true) => "pass".to_string(),
            Some(false) => "fail".to_string(),
            None => String::new(),
        });
        f.push(r.flag_codes());
        out.push_str(&csv_record(&f));
    }
    out
}
