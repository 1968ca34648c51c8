//! Developer aid: validates a scenario file and prints the best and worst auto-play scores.
//! Usage: cargo run -p changetalk-core --example check -- FILE.ron
use std::sync::Arc;

use changetalk_core::{AutoPolicy, LineIndex, Session, load_scenario, score_transcript};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: check FILE.ron");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    match load_scenario(&text) {
        Err(diags) => {
            let idx = LineIndex::new(&text);
            for d in diags {
                eprintln!("{}", d.render(&path, &idx));
            }
            std::process::exit(1);
        }
        Ok(s) => {
            let s = Arc::new(s);
            for policy in [AutoPolicy::Best, AutoPolicy::Worst] {
                let mut session = Session::new(Arc::clone(&s), 1);
                session.auto_play(policy, 200);
                let t = session.transcript();
                let sc = score_transcript(&t);
                println!(
                    "{policy:?}: turns {} ending {:?} overall {} R:Q {:?} ({:?}) %CR {:?} ({:?}) rel {} tech {} cts {:?}",
                    t.turns.len(),
                    t.ending.as_ref().map(|e| e.id.as_str()),
                    sc.overall,
                    sc.reflection_to_question,
                    sc.bands.reflection_to_question.band,
                    sc.percent_complex_reflections,
                    sc.bands.percent_complex_reflections.band,
                    sc.globals.relational,
                    sc.globals.technical,
                    sc.change_talk_share
                );
            }
        }
    }
}
