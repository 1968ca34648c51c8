//! `changetalk score-transcript FILE.csv`

use std::path::Path;

use changetalk_core::miti::csv_transcript::read_coded_csv;
use changetalk_core::score;

use crate::{files, library};

/// Scores a hand-coded CSV transcript.
pub fn run(file: &Path, json: bool) -> i32 {
    let text = match files::read_text_limited(file, 50 * 1024 * 1024) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    let session = match read_coded_csv(&text) {
        Ok(s) => s,
        Err(diags) => {
            for line in library::render(&diags, &file.display().to_string(), &text) {
                eprintln!("{line}");
            }
            return 1;
        }
    };
    let sc = score(&session);
    if json {
        match serde_json::to_string_pretty(&sc) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: cannot write JSON: {e}");
                return 1;
            }
        }
    } else {
        print!("{}", super::text_report::score_text(&sc));
    }
    0
}
