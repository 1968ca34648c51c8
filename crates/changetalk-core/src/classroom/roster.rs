//! The class roster `grade --roster` reads: who should have handed in a result. A CSV (or a
//! plain list of ids, one a line). With a header line, the id column is chosen by its name —
//! Canvas's `SIS User ID`, Moodle's `ID number`, or `Student ID`, `ID`, `Username`, `Email` —
//! and the name column by `Student`, `Name` or `Full name`; without one, the id comes first and
//! the name second.

use crate::classroom::grade::RosterEntry;
use crate::classroom::result::is_valid_student_id;
use crate::source::csv::parse_csv;
use crate::source::diag::{Diagnostic, Span};

/// Header names of the id column, most specific first.
const ID_HEADERS: [&str; 8] = [
    "sis user id",
    "id number",
    "idnumber",
    "student id",
    "student number",
    "id",
    "username",
    "email",
];

/// Header names of the name column.
const NAME_HEADERS: [&str; 4] = ["student", "name", "full name", "student name"];

/// Header names of a first-name and a last-name column (Moodle exports the name in two
/// columns), used when there is no whole-name column.
const FIRST_NAME_HEADERS: [&str; 3] = ["first name", "firstname", "given name"];
const LAST_NAME_HEADERS: [&str; 4] = ["last name", "lastname", "surname", "family name"];

/// Reads a roster. Every bad row is reported at its line; ids listed twice count once.
pub fn parse_roster(text: &str) -> Result<Vec<RosterEntry>, Vec<Diagnostic>> {
    // Lines starting with `#` are comments.
    let cleaned: String = text
        .split_inclusive('\n')
        .map(|l| {
            if l.trim_start().starts_with('#') {
                // Keep the byte offsets of every later line: blank it out.
                l.chars()
                    .map(|c| if c == '\n' { '\n' } else { ' ' })
                    .collect()
            } else {
                l.to_string()
            }
        })
        .collect();
    let records = parse_csv(&cleaned).map_err(|d| vec![d])?;
    let Some(first) = records.first() else {
        return Ok(Vec::new());
    };
    let lower: Vec<String> = first
        .iter()
        .map(|(f, _)| f.trim().to_ascii_lowercase())
        .collect();
    let find = |names: &[&str]| names.iter().find_map(|n| lower.iter().position(|h| h == n));
    let header_id = find(&ID_HEADERS);
    let (id_col, name_col, body) = match header_id {
        Some(i) => (i, find(&NAME_HEADERS), &records[1..]),
        None => (0, Some(1), &records[..]),
    };
    // Without a whole-name column, a first and a last name column make the name.
    let split_name = match (header_id, name_col) {
        (Some(_), None) => find(&FIRST_NAME_HEADERS).zip(find(&LAST_NAME_HEADERS)),
        _ => None,
    };
    let mut out: Vec<RosterEntry> = Vec::new();
    let mut bad = Vec::new();
    for row in body {
        let cell = |c: Option<usize>| {
            c.and_then(|c| row.get(c))
                .map(|(f, _)| f.trim().to_string())
                .unwrap_or_default()
        };
        let id = cell(Some(id_col));
        let name = match split_name {
            Some((first, last)) => format!("{} {}", cell(Some(first)), cell(Some(last)))
                .trim()
                .to_string(),
            None => cell(name_col),
        };
        let at = row
            .get(id_col)
            .or(row.first())
            .map_or(0, |(_, offset)| *offset);
        if id.is_empty() {
            // Canvas exports a "Points Possible" row (and test students) without an SIS id.
            if header_id.is_some() {
                continue;
            }
            bad.push(Diagnostic::error(
                Span::new(at, at + 1),
                "this row has no student id: put the id first, or add a header line naming the id column (`SIS User ID`, `ID number`, `Student ID`, `ID`)",
            ));
            continue;
        }
        if !is_valid_student_id(&id) {
            bad.push(Diagnostic::error(
                Span::new(at, at + id.len().max(1)),
                format!("`{id}` is not a student id (1 to 128 letters, digits, - _ . @ +); with a header line, name the id column `SIS User ID`, `ID number`, `Student ID` or `ID`"),
            ));
            continue;
        }
        if !out.iter().any(|e| e.id == id) {
            out.push(RosterEntry { id, name });
        }
    }
    if bad.is_empty() { Ok(out) } else { Err(bad) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<(String, String)> {
        parse_roster(text)
            .unwrap()
            .into_iter()
            .map(|e| (e.id, e.name))
            .collect()
    }

    #[test]
    fn quoted_names_keep_their_commas() {
        assert_eq!(
            ids("s1,\"Ruiz, Ana\",sec1\ns2,Bo Chen\n"),
            [
                ("s1".to_string(), "Ruiz, Ana".to_string()),
                ("s2".to_string(), "Bo Chen".to_string())
            ]
        );
    }

    #[test]
    fn a_canvas_export_uses_the_sis_user_id_column() {
        let canvas = "Student,ID,SIS User ID,SIS Login ID,Section\n\
                      Points Possible,,,,\n\
                      \"Ruiz, Ana\",4411,s123,aruiz,Sec 1\n\
                      Bo Chen,4412,s124,bchen,Sec 1\n";
        assert_eq!(
            ids(canvas),
            [
                ("s123".to_string(), "Ruiz, Ana".to_string()),
                ("s124".to_string(), "Bo Chen".to_string())
            ]
        );
    }

    #[test]
    fn a_moodle_export_joins_first_and_last_name() {
        let moodle = "First name,Surname,ID number,Email address\n\
                      Ana,Ruiz,s123,ana@example.edu\n\
                      Bo,Chen,s124,bo@example.edu\n";
        assert_eq!(
            ids(moodle),
            [
                ("s123".to_string(), "Ana Ruiz".to_string()),
                ("s124".to_string(), "Bo Chen".to_string())
            ]
        );
    }

    #[test]
    fn plain_lists_comments_and_duplicates() {
        assert_eq!(
            ids("# week 5\ns1\ns2\ns1\n"),
            [
                ("s1".to_string(), String::new()),
                ("s2".to_string(), String::new())
            ]
        );
        let e = parse_roster("id,name\ns 1,Ana\n").unwrap_err();
        assert_eq!(e.len(), 1);
        assert!(e[0].message.contains("`s 1` is not a student id"));
    }
}
