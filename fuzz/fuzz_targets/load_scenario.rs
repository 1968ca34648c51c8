//! Loading and validating scenario text must never panic, whatever the bytes. When a file
//! loads, playing it and scoring the transcript must not panic either; when it does not,
//! rendering every diagnostic must not.

#![no_main]

use std::sync::Arc;

use changetalk_core::{LineIndex, Session, load_scenario, score_transcript};
use libfuzzer_sys::fuzz_target;

/// Most replies a fuzzed session plays.
const MAX_TURNS: usize = 64;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match load_scenario(text) {
        Ok(scenario) => {
            // Seed and choices come from the input bytes, so the fuzzer steers the play too.
            let seed = data
                .iter()
                .take(8)
                .fold(0u64, |acc, b| acc.rotate_left(8) ^ u64::from(*b));
            let mut session = Session::new(Arc::new(scenario), seed);
            let mut turns = 0;
            let mut bytes = data.iter().rev();
            while !session.is_over() && turns < MAX_TURNS {
                let available = session.current_point().map_or(0, |p| p.options.len());
                if available == 0 {
                    break;
                }
                // Mostly valid choices, sometimes out-of-range ones (0 or past the end).
                let b = usize::from(*bytes.next().unwrap_or(&0));
                let choice = if b % 16 == 15 {
                    b % (available + 2)
                } else {
                    b % available + 1
                };
                let _ = session.choose(choice);
                let _ = session.current_ratings();
                if b % 32 == 31 {
                    let _ = session.rewind();
                }
                turns += 1;
            }
            let transcript = session.transcript();
            let score = score_transcript(&transcript);
            assert!(score.overall.is_finite());
            assert!((0.0..=100.0).contains(&score.overall), "{}", score.overall);
        }
        Err(diags) => {
            assert!(!diags.is_empty(), "a failed load must say why");
            let index = LineIndex::new(text);
            for d in &diags {
                let line = d.render("fuzz.ron", &index);
                assert!(!line.is_empty());
            }
        }
    }
});
