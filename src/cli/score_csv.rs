//! `changetalk score-transcript FILE.csv [--auto-code]`

use std::path::Path;

use changetalk_core::miti::csv_transcript::read_coded_csv;
use changetalk_core::score;

use crate::{files, library};

/// Scores a hand-coded CSV transcript (or, with `auto_code`, one coded here first).
pub fn run(file: &Path, json: bool, auto_code: bool) -> i32 {
    let text = match files::read_text_limited(file, 50 * 1024 * 1024) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    let text = if auto_code {
        match crate::auto_code::read_raw_csv(&text) {
            Ok(rows) => {
                let coder = crate::free_text::coder();
                crate::auto_code::to_csv(&crate::auto_code::code_rows(&rows, coder))
            }
            Err(diags) => {
                for line in library::render(&diags, &file.display().to_string(), &text) {
                    eprintln!("{line}");
                }
                return 1;
            }
        }
    } else {
        text
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
