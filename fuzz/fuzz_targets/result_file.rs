//! Reading a result or progress file (what `grade` and a resuming student read) must never
//! panic; whatever reads must replay against its scenario or fail with an error, score, and
//! write back to JSON that reads again.

#![no_main]

use std::sync::{Arc, OnceLock};

use changetalk_core::classroom::result::{parse_result, replay_run};
use changetalk_core::{Scenario, load_scenario, score_transcript};
use libfuzzer_sys::fuzz_target;

fn dui() -> Arc<Scenario> {
    static S: OnceLock<Arc<Scenario>> = OnceLock::new();
    Arc::clone(S.get_or_init(|| {
        Arc::new(
            load_scenario(include_str!("../../scenarios/court-ordered-dui.ron"))
                .expect("the bundled client loads"),
        )
    }))
}

fuzz_target!(|data: &[u8]| {
    let Ok(rec) = parse_result(data) else {
        return;
    };
    for run in rec.scenarios.iter().take(8) {
        if run.choices.len() > 512 {
            continue;
        }
        if let Ok(session) = replay_run(dui(), run.seed, run) {
            let s = score_transcript(&session.transcript());
            assert!((0.0..=100.0).contains(&s.overall), "{}", s.overall);
        }
    }
    let again = rec.to_json();
    assert!(
        parse_result(again.as_bytes()).is_ok(),
        "a record written back must read again"
    );
});
