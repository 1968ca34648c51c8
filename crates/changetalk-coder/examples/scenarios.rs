//! Checks the coder against the expert-intended codes of the bundled scenario options
//! (`scenarios/*.ron`): per-code precision and recall for every MITI code, and how often the
//! main code is among the intended codes.
//!
//! ```text
//! cargo run --release --manifest-path crates/changetalk-coder/Cargo.toml --example scenarios -- scenarios
//! ```
//!
//! The options are read with a small line scanner (`text: "…"` followed by `codes: [...]`),
//! enough for the bundled files; nothing here is fitted to them.

use std::process::ExitCode;

use changetalk_coder::Coder;
use changetalk_core::MitiCode;

fn unquote(s: &str) -> Option<String> {
    let s = s.trim().trim_end_matches(',');
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    Some(inner.replace("\\\"", "\"").replace("\\\\", "\\"))
}

fn main() -> ExitCode {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: scenarios SCENARIO_DIR");
        return ExitCode::FAILURE;
    };
    let mut files: Vec<_> = match std::fs::read_dir(&dir) {
        Ok(d) => d
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "ron"))
            .collect(),
        Err(e) => {
            eprintln!("{dir}: {e}");
            return ExitCode::FAILURE;
        }
    };
    files.sort();
    let coder = Coder::bundled();
    let mut options: Vec<(String, String, Vec<MitiCode>)> = Vec::new();
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let name = f
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let mut pending: Option<String> = None;
        for line in text.lines() {
            let t = line.trim();
            if let Some(rest) = t.strip_prefix("text:") {
                pending = unquote(rest);
            } else if let Some(rest) = t.strip_prefix("codes:")
                && let Some(txt) = pending.take()
            {
                let inner = rest.trim().trim_end_matches(',').trim_matches(['[', ']']);
                let codes = inner
                    .split(',')
                    .filter_map(|c| MitiCode::ALL.into_iter().find(|m| m.ron_name() == c.trim()))
                    .collect();
                options.push((name.clone(), txt, codes));
            }
        }
    }
    println!("{} options in {} scenarios", options.len(), files.len());
    println!("| code | intended | coded | precision | recall | F1 |");
    println!("|---|---|---|---|---|---|");
    let coded: Vec<Vec<MitiCode>> = options
        .iter()
        .map(|o| coder.code_counsellor(&o.1, None).code_list())
        .collect();
    for code in MitiCode::ALL {
        let gold = options.iter().filter(|o| o.2.contains(&code)).count();
        let pred = coded.iter().filter(|c| c.contains(&code)).count();
        let tp = options
            .iter()
            .zip(&coded)
            .filter(|(o, c)| o.2.contains(&code) && c.contains(&code))
            .count();
        let p = if pred > 0 {
            tp as f64 / pred as f64
        } else {
            0.0
        };
        let r = if gold > 0 {
            tp as f64 / gold as f64
        } else {
            0.0
        };
        let f1 = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        println!(
            "| {} | {gold} | {pred} | {p:.2} | {r:.2} | {f1:.2} |",
            code.label()
        );
    }
    let hit = options
        .iter()
        .zip(&coded)
        .filter(|(o, c)| match c.first() {
            Some(m) => o.2.contains(m),
            None => o.2.is_empty(),
        })
        .count();
    println!(
        "main code among the intended codes (or both uncoded): {hit}/{} = {:.2}",
        options.len(),
        hit as f64 / options.len().max(1) as f64
    );
    if std::env::args().any(|a| a == "--errors") {
        for ((s, t, g), c) in options.iter().zip(&coded) {
            for code in [
                MitiCode::Affirm,
                MitiCode::Confront,
                MitiCode::PersuadeWithPermission,
            ] {
                if g.contains(&code) != c.contains(&code) {
                    println!(
                        "{s}: {code:?} intended={} coded={:?}: {t}",
                        g.contains(&code),
                        c
                    );
                }
            }
        }
    }
    ExitCode::SUCCESS
}
