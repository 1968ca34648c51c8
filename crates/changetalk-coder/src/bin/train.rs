//! Trains the bundled coder model from the AnnoMI CSV files.
//!
//! ```text
//! cargo run --release --features train --manifest-path crates/changetalk-coder/Cargo.toml \
//!     --bin train -- DATA_DIR [--out FILE] [--cv]
//! ```
//!
//! `DATA_DIR` holds `AnnoMI-simple.csv` and `AnnoMI-full.csv`. Only transcripts with
//! `transcript_id % 5 != 0` are read for training; the evaluation fold is skipped here.
//! Without `--cv` it fits the chosen settings (below), tunes per-class logit offsets for
//! macro-F1 on 4-fold grouped cross-validation, refits on all four folds and writes the
//! model (default `model/coder.bin` in the crate). With `--cv` it prints the cross-validation
//! table of the settings tried instead. Runs single-threaded; the output is byte-identical on
//! every run.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use changetalk_coder::annomi::{self, fold_of};
use changetalk_coder::features::{FeatureConfig, extract};
use changetalk_coder::fit::{Sample, fit_softmax, macro_f1, predict, tune_offsets};
use changetalk_coder::model::{Head, Model};

/// Training examples of one head: text, context, class, transcript fold.
struct Task {
    name: &'static str,
    k: usize,
    items: Vec<(String, Option<String>, usize, u32)>,
}

#[derive(Clone, Copy, Debug)]
struct Settings {
    cfg: FeatureConfig,
    l2: f64,
    balanced: bool,
    min_df: u32,
}

const ITERS: u64 = 300;

fn samples(task: &Task, s: &Settings) -> Vec<Sample> {
    let mut counts = vec![0usize; task.k];
    for it in &task.items {
        counts[it.2] += 1;
    }
    let n = task.items.len() as f64;
    task.items
        .iter()
        .map(|(t, p, y, _)| Sample {
            x: extract(&s.cfg, t, p.as_deref()),
            y: *y,
            w: if s.balanced {
                n / (task.k as f64 * counts[*y].max(1) as f64)
            } else {
                1.0
            },
        })
        .collect()
}

/// Grouped CV (AnnoMI: folds 1..=4 by transcript; scenarios: leave one scenario out): out-of-fold logits (in item order) and golds.
fn cross_validate(task: &Task, s: &Settings) -> Result<(Vec<Vec<f64>>, Vec<usize>), String> {
    let all = samples(task, s);
    let mut logits = vec![Vec::new(); all.len()];
    let mut folds: Vec<u32> = task.items.iter().map(|it| it.3).collect();
    folds.sort_unstable();
    folds.dedup();
    for f in folds {
        let train: Vec<&Sample> = all
            .iter()
            .zip(&task.items)
            .filter(|(_, it)| it.3 != f)
            .map(|(s, _)| s)
            .collect();
        let fitted = fit_softmax(&train, task.k, s.l2, s.min_df, ITERS)?;
        for (i, (smp, it)) in all.iter().zip(&task.items).enumerate() {
            if it.3 == f {
                logits[i] = fitted.logits(&smp.x);
            }
        }
    }
    Ok((logits, task.items.iter().map(|it| it.2).collect()))
}

fn cv_report(task: &Task, s: &Settings) -> Result<(f64, f64, Vec<f64>), String> {
    let (logits, gold) = cross_validate(task, s)?;
    let raw: Vec<(usize, usize)> = gold
        .iter()
        .copied()
        .zip(predict(&logits, &vec![0.0; task.k]))
        .collect();
    let off = tune_offsets(&logits, &gold, task.k);
    let tuned: Vec<(usize, usize)> = gold.iter().copied().zip(predict(&logits, &off)).collect();
    Ok((macro_f1(&raw, task.k), macro_f1(&tuned, task.k), off))
}

fn load(dir: &std::path::Path) -> Result<Vec<Task>, String> {
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name))
            .map_err(|e| format!("{}: {e}", dir.join(name).display()))
    };
    let rows = annomi::read_simple(&read("AnnoMI-simple.csv")?).map_err(|e| e.to_string())?;
    let full = annomi::read_full(&read("AnnoMI-full.csv")?).map_err(|e| e.to_string())?;
    let prev = annomi::previous_other(&rows);
    let ctx = |i: usize| prev[i].map(|j| rows[j].text.clone());
    let mut main = Task {
        name: "main",
        k: 4,
        items: vec![],
    };
    let mut client = Task {
        name: "client",
        k: 3,
        items: vec![],
    };
    let mut by_key: BTreeMap<(u32, u32), usize> = BTreeMap::new();
    for (i, u) in rows.iter().enumerate() {
        let f = fold_of(u.transcript_id);
        if f == 0 {
            continue; // evaluation fold: never read for training
        }
        by_key.insert((u.transcript_id, u.utterance_id), i);
        if let Some(m) = u.main {
            main.items.push((u.text.clone(), ctx(i), m.index(), f));
        }
        if let Some(t) = u.talk {
            client.items.push((u.text.clone(), ctx(i), t.index(), f));
        }
    }
    let mut question = Task {
        name: "question",
        k: 2,
        items: vec![],
    };
    let mut reflection = Task {
        name: "reflection",
        k: 2,
        items: vec![],
    };
    let mut input = Task {
        name: "input",
        k: 4,
        items: vec![],
    };
    for a in &full {
        let f = fold_of(a.transcript_id);
        if f == 0 {
            continue;
        }
        let Some(&i) = by_key.get(&(a.transcript_id, a.utterance_id)) else {
            continue;
        };
        let text = rows[i].text.clone();
        let pos = |v: &Option<String>, names: &[&str]| {
            v.as_deref()
                .and_then(|s| names.iter().position(|n| *n == s))
        };
        if let Some(y) = pos(&a.question, &["open", "closed"]) {
            question.items.push((text.clone(), ctx(i), y, f));
        }
        if let Some(y) = pos(&a.reflection, &["simple", "complex"]) {
            reflection.items.push((text.clone(), ctx(i), y, f));
        }
        if let Some(y) = pos(
            &a.input,
            &["information", "advice", "negotiation", "options"],
        ) {
            input.items.push((text.clone(), ctx(i), y, f));
        }
    }
    Ok(vec![main, question, reflection, input, client])
}

/// Scenario options with their expert-intended codes: (scenario number, text, RON code names).
/// A small line scanner (`text: "…"` then `codes: [...]`), enough for the bundled files.
fn load_scenarios(dir: &std::path::Path) -> Result<Vec<(u32, String, Vec<String>)>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for (n, f) in files.iter().enumerate() {
        let text = std::fs::read_to_string(f).map_err(|e| format!("{}: {e}", f.display()))?;
        let mut pending: Option<String> = None;
        for line in text.lines() {
            let t = line.trim();
            if let Some(rest) = t.strip_prefix("text:") {
                let r = rest.trim().trim_end_matches(',');
                pending = r
                    .strip_prefix('"')
                    .and_then(|r| r.strip_suffix('"'))
                    .map(|r| r.replace("\\\"", "\"").replace("\\\\", "\\"));
            } else if let Some(rest) = t.strip_prefix("codes:")
                && let Some(txt) = pending.take()
            {
                let inner = rest.trim().trim_end_matches(',').trim_matches(['[', ']']);
                let codes = inner
                    .split(',')
                    .map(|c| c.trim().to_string())
                    .filter(|c| !c.is_empty())
                    .collect();
                out.push((n as u32 + 1, txt, codes));
            }
        }
    }
    Ok(out)
}

/// Binary heads learned from the scenario options (codes AnnoMI does not annotate).
fn scenario_tasks(dir: &std::path::Path) -> Result<Vec<Task>, String> {
    let opts = load_scenarios(dir)?;
    let mut v = Vec::new();
    for (name, codes) in [
        ("affirm", &["Affirm"][..]),
        ("confront", &["Confront"][..]),
        ("persuade", &["Persuade", "PersuadeWithPermission"][..]),
    ] {
        let items = opts
            .iter()
            .map(|(sc, t, c)| {
                let y = usize::from(c.iter().any(|x| codes.contains(&x.as_str())));
                (t.clone(), None, y, *sc)
            })
            .collect();
        v.push(Task { name, k: 2, items });
    }
    Ok(v)
}

/// Leave-one-scenario-out precision, recall and F1 of the positive class.
fn loso_report(task: &Task, s: &Settings) -> Result<String, String> {
    let (logits, gold) = cross_validate(task, s)?;
    let off = tune_offsets(&logits, &gold, 2);
    let mut out = String::new();
    for (what, o) in [("threshold 0.5", vec![0.0, 0.0]), ("tuned offset", off)] {
        let pred = predict(&logits, &o);
        let tp = gold
            .iter()
            .zip(&pred)
            .filter(|(g, p)| **g == 1 && **p == 1)
            .count() as f64;
        let np = pred.iter().filter(|p| **p == 1).count() as f64;
        let ng = gold.iter().filter(|g| **g == 1).count() as f64;
        let pr = if np > 0.0 { tp / np } else { 0.0 };
        let rc = if ng > 0.0 { tp / ng } else { 0.0 };
        let f1 = if pr + rc > 0.0 {
            2.0 * pr * rc / (pr + rc)
        } else {
            0.0
        };
        out.push_str(&format!(
        "\n  LOSO {what} {:+.2}: {ng} intended, {np} coded, precision {pr:.2}, recall {rc:.2}, F1 {f1:.2}",
        o[1]
    ));
    }
    Ok(out)
}

/// The settings chosen by `--cv` (see docs/coder.md for the table).
fn chosen() -> Settings {
    Settings {
        cfg: FeatureConfig::default(),
        l2: 1e-4,
        balanced: true,
        min_df: 2,
    }
}

/// Per-head settings: the feature settings are shared (one extraction at inference); the
/// penalty is per head (client talk prefers a stronger one in CV).
fn chosen_for(head: &str) -> Settings {
    let mut s = chosen();
    if matches!(head, "client" | "affirm" | "confront" | "persuade") {
        s.l2 = 1e-3;
    }
    s
}

fn grid() -> Vec<(String, Settings)> {
    let base = chosen();
    let mut v = vec![("chosen".to_string(), base)];
    let mut add = |name: &str, f: &dyn Fn(&mut Settings)| {
        let mut s = base;
        f(&mut s);
        v.push((name.to_string(), s));
    };
    add("no prev turn", &|s| s.cfg.w_prev = 0.0);
    add("no char n-grams", &|s| s.cfg.w_char = 0.0);
    add("no meta", &|s| s.cfg.w_meta = 0.0);
    add("no rule cues", &|s| s.cfg.w_rule = 0.0);
    add("unbalanced", &|s| s.balanced = false);
    add("l2 3e-5", &|s| s.l2 = 3e-5);
    add("l2 3e-4", &|s| s.l2 = 3e-4);
    add("prev 1.0", &|s| s.cfg.w_prev = 1.0);
    add("meta 1.0", &|s| s.cfg.w_meta = 1.0);
    add("min_df 1", &|s| s.min_df = 1);
    add("l2 1e-3", &|s| s.l2 = 1e-3);
    add("l2 3e-3", &|s| s.l2 = 3e-3);
    add("char 0.5", &|s| s.cfg.w_char = 0.5);
    add("prev 0.25", &|s| s.cfg.w_prev = 0.25);
    add("char 4", &|s| s.cfg.char_max = 4);
    v
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut dir: Option<PathBuf> = None;
    let mut out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("model/coder.bin");
    let mut cv = false;
    let mut only: Option<String> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--cv" => cv = true,
            "--only" => only = args.next(),
            "--out" => out = PathBuf::from(args.next().ok_or("--out needs a path")?),
            _ => dir = Some(PathBuf::from(a)),
        }
    }
    let dir = dir.ok_or("usage: train DATA_DIR [--out FILE] [--cv [--only HEAD]]")?;
    let mut tasks = load(&dir)?;
    let scen = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    tasks.extend(scenario_tasks(&scen)?);
    for t in &tasks {
        eprintln!("{}: {} training examples", t.name, t.items.len());
    }
    if cv {
        println!("| settings | head | CV macro-F1 | + tuned offsets |");
        println!("|---|---|---|---|");
        for (name, s) in grid() {
            for t in &tasks {
                if only.as_deref().is_some_and(|o| o != t.name) {
                    continue;
                }
                let t0 = Instant::now();
                let (raw, tuned, _) = cv_report(t, &s)?;
                println!(
                    "| {name} | {} | {raw:.3} | {tuned:.3} |   ({:.0}s)",
                    t.name,
                    t0.elapsed().as_secs_f64()
                );
            }
        }
        return Ok(());
    }
    let mut heads = Vec::new();
    for t in &tasks {
        let s = chosen_for(t.name);
        let t0 = Instant::now();
        if t.k == 2 && matches!(t.name, "affirm" | "confront" | "persuade") {
            eprintln!("{}: {}", t.name, loso_report(t, &s)?);
        }
        let (raw, tuned, off) = cv_report(t, &s)?;
        // Offsets are applied only where the task is the coder's own decision (main behaviour,
        // client talk); sub-heads keep plain arg-max.
        let off = if matches!(
            t.name,
            "main" | "client" | "affirm" | "confront" | "persuade"
        ) {
            off
        } else {
            vec![0.0; t.k]
        };
        let all = samples(t, &s);
        let refs: Vec<&Sample> = all.iter().collect();
        let fitted = fit_softmax(&refs, t.k, s.l2, s.min_df, ITERS)?;
        eprintln!(
            "{}: CV macro-F1 {raw:.3} (tuned offsets {tuned:.3}, {:?}); {} buckets; {:.0}s",
            t.name,
            off,
            fitted.buckets.len(),
            t0.elapsed().as_secs_f64()
        );
        heads.push(Head {
            name: t.name.to_string(),
            classes: t.k,
            bias: fitted
                .bias
                .iter()
                .zip(&off)
                .map(|(b, o)| b + *o as f32)
                .collect(),
            buckets: fitted.buckets,
            weights: fitted.weights,
        });
    }
    let model = Model {
        cfg: chosen().cfg,
        heads,
    };
    let bytes = model.to_bytes();
    std::fs::write(&out, &bytes).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!("wrote {} ({} bytes)", out.display(), bytes.len());
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
