//! Reading a hand-coded CSV transcript must never panic, and whatever it reads must score.

#![no_main]

use changetalk_core::miti::csv_transcript::read_coded_csv;
use changetalk_core::{LineIndex, score};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match read_coded_csv(text) {
        Ok(session) => {
            let s = score(&session);
            assert!(s.overall.is_finite());
            assert!((0.0..=100.0).contains(&s.overall), "{}", s.overall);
        }
        Err(diags) => {
            assert!(!diags.is_empty(), "a failed read must say why");
            let index = LineIndex::new(text);
            for d in &diags {
                let _ = d.render("fuzz.csv", &index);
            }
        }
    }
});
