//! Does the coder separate high- from low-quality MI? Codes every AnnoMI transcript with the
//! bundled coder, scores each one with the core's transcript scoring (the same path as
//! `changetalk score-transcript`: a `speaker,code,text` CSV read by `read_coded_csv`, then
//! `score`) and reports the AUC of the overall score for high vs low quality.
//!
//! ```text
//! cargo run --release --manifest-path crates/changetalk-coder/Cargo.toml --example auc -- AnnoMI-simple.csv
//! ```
//!
//! The coder was trained on the transcripts with `transcript_id % 5 != 0`, so the figure over
//! all 133 transcripts is optimistic; the evaluation-fold figure (26 transcripts) is not.

use std::process::ExitCode;

use changetalk_coder::Coder;
use changetalk_coder::annomi::{self, Utterance};
use changetalk_core::miti::csv_transcript::read_coded_csv;
use changetalk_core::score;

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The coded CSV of one transcript.
fn coded_csv(coder: &Coder, rows: &[Utterance], prev: &[Option<usize>], idx: &[usize]) -> String {
    let mut csv = String::from("speaker,code,text\n");
    let mut earlier: Vec<&str> = Vec::new();
    for &i in idx {
        let u = &rows[i];
        let ctx = prev[i].map(|j| rows[j].text.as_str());
        if u.therapist {
            let c = coder.code_counsellor(&u.text, ctx);
            let codes: Vec<&str> = c.code_list().iter().map(|c| c.json_name()).collect();
            csv.push_str(&format!(
                "counselor,{},{}\n",
                codes.join("+"),
                quote(&u.text)
            ));
        } else {
            let t = coder.code_client_in(&u.text, ctx, &earlier).talk.target();
            earlier.push(&u.text);
            csv.push_str(&format!("client,{},{}\n", t.json_name(), quote(&u.text)));
        }
    }
    csv
}

/// Mann–Whitney AUC: P(score of a high transcript > score of a low one), ties count half.
fn auc(items: &[(bool, f64)]) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for (hi, a) in items.iter().filter(|x| x.0) {
        let _ = hi;
        for (_, b) in items.iter().filter(|x| !x.0) {
            den += 1.0;
            num += if a > b {
                1.0
            } else if a == b {
                0.5
            } else {
                0.0
            };
        }
    }
    if den > 0.0 { num / den } else { f64::NAN }
}

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: auc AnnoMI-simple.csv");
        return ExitCode::FAILURE;
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let rows = match annomi::read_simple(&text) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let prev = annomi::previous_other(&rows);
    let coder = Coder::bundled();
    let mut groups: Vec<(u32, bool, Vec<usize>)> = Vec::new();
    for (i, u) in rows.iter().enumerate() {
        match groups.last_mut() {
            Some(g) if g.0 == u.transcript_id => g.2.push(i),
            _ => groups.push((u.transcript_id, u.high_quality, vec![i])),
        }
    }
    let mut all = Vec::new();
    let mut eval = Vec::new();
    for (tid, high, idx) in &groups {
        let csv = coded_csv(&coder, &rows, &prev, idx);
        let session = match read_coded_csv(&csv) {
            Ok(s) => s,
            Err(d) => {
                eprintln!("transcript {tid}: {} problems in the coded CSV", d.len());
                return ExitCode::FAILURE;
            }
        };
        let overall = score(&session).overall;
        all.push((*high, overall));
        if annomi::fold_of(*tid) == 0 {
            eval.push((*high, overall));
        }
    }
    let n = |v: &[(bool, f64)]| {
        (
            v.iter().filter(|x| x.0).count(),
            v.iter().filter(|x| !x.0).count(),
        )
    };
    let (ah, al) = n(&all);
    let (eh, el) = n(&eval);
    println!("statistic: overall score (0-100) of each transcript, coded by the bundled coder");
    println!(
        "all transcripts ({ah} high, {al} low): AUC {:.3}",
        auc(&all)
    );
    println!(
        "evaluation fold ({eh} high, {el} low): AUC {:.3}",
        auc(&eval)
    );
    ExitCode::SUCCESS
}
