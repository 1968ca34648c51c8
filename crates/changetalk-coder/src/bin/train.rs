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
//! every run. `--client-from FILE` keeps every head of the model FILE except the client head
//! bit for bit and refits only the client head (how `annomi-linear-3` was made from
//! `annomi-linear-2`: the counsellor heads are unchanged).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use changetalk_coder::annomi::{self, fold_of};
use changetalk_coder::features::{
    ClientConfig, FeatureConfig, extract, extract_client, stack_features,
};
use changetalk_coder::fit::{Fitted, Sample, fit_softmax, macro_f1, predict, tune_offsets};
use changetalk_coder::model::{ClientPrior, Head, Model};

/// One training example: text, previous turn of the other speaker, the client's own earlier
/// lines (client head only; oldest first), class, transcript fold.
#[derive(Clone)]
struct Item {
    text: String,
    prev: Option<String>,
    earlier: Vec<String>,
    /// Client head: indices (in the task) of the three previous client lines, most recent first.
    prev_items: Vec<usize>,
    y: usize,
    fold: u32,
}

fn item(text: String, prev: Option<String>, y: usize, fold: u32) -> Item {
    Item {
        text,
        prev,
        earlier: Vec::new(),
        prev_items: Vec::new(),
        y,
        fold,
    }
}

/// Training examples of one head.
struct Task {
    name: &'static str,
    k: usize,
    items: Vec<Item>,
}

#[derive(Clone, Copy, Debug)]
struct Settings {
    cfg: FeatureConfig,
    client: ClientConfig,
    l2: f64,
    balanced: bool,
    min_df: u32,
}

const ITERS: u64 = 300;

fn samples(task: &Task, s: &Settings) -> Vec<Sample> {
    let mut counts = vec![0usize; task.k];
    for it in &task.items {
        counts[it.y] += 1;
    }
    let n = task.items.len() as f64;
    task.items
        .iter()
        .map(|it| Sample {
            x: if task.name == "client" {
                let e: Vec<&str> = it.earlier.iter().map(String::as_str).collect();
                extract_client(&s.cfg, &s.client, &it.text, it.prev.as_deref(), &e)
            } else {
                extract(&s.cfg, &it.text, it.prev.as_deref())
            },
            y: it.y,
            w: if s.balanced {
                n / (task.k as f64 * counts[it.y].max(1) as f64)
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
    let mut folds: Vec<u32> = task.items.iter().map(|it| it.fold).collect();
    folds.sort_unstable();
    folds.dedup();
    for f in folds {
        let train: Vec<&Sample> = all
            .iter()
            .zip(&task.items)
            .filter(|(_, it)| it.fold != f)
            .map(|(s, _)| s)
            .collect();
        let fitted = fit_softmax(&train, task.k, s.l2, s.min_df, ITERS)?;
        for (i, (smp, it)) in all.iter().zip(&task.items).enumerate() {
            if it.fold == f {
                logits[i] = fitted.logits(&smp.x);
            }
        }
    }
    Ok((logits, task.items.iter().map(|it| it.y).collect()))
}

/// First-stage client samples without the counsellor turn: how an earlier client line is
/// coded for the stacking features (`Coder::code_client_in` has only the texts of the earlier
/// client lines, not the counsellor turns before them).
fn samples_noprev(task: &Task, s: &Settings) -> Vec<Sample> {
    task.items
        .iter()
        .map(|it| {
            let e: Vec<&str> = it.earlier.iter().map(String::as_str).collect();
            Sample {
                x: extract_client(&s.cfg, &s.client, &it.text, None, &e),
                y: it.y,
                w: 1.0,
            }
        })
        .collect()
}

fn probs3(z: &[f64]) -> [f32; 3] {
    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|v| (v - m).exp()).collect();
    let t: f64 = e.iter().sum();
    [(e[0] / t) as f32, (e[1] / t) as f32, (e[2] / t) as f32]
}

/// Fits a head on the samples whose fold satisfies `keep`.
fn fit_where(
    task: &Task,
    all: &[Sample],
    s: &Settings,
    keep: &dyn Fn(u32) -> bool,
) -> Result<changetalk_coder::fit::Fitted, String> {
    let train: Vec<&Sample> = all
        .iter()
        .zip(&task.items)
        .filter(|(_, it)| keep(it.fold))
        .map(|(s, _)| s)
        .collect();
    fit_softmax(&train, task.k, s.l2, s.min_df, ITERS)
}

/// First-stage probabilities, out of fold within `folds`: each fold's lines are coded by a
/// first-stage head fitted on the other folds of `folds`.
fn oof_stage1(
    task: &Task,
    x1: &[Sample],
    x1n: &[Sample],
    s: &Settings,
    folds: &[u32],
    p1: &mut [Option<[f32; 3]>],
) -> Result<(), String> {
    for &g in folds {
        let fitted = fit_where(task, x1, s, &|f| f != g && folds.contains(&f))?;
        for (i, it) in task.items.iter().enumerate() {
            if it.fold == g {
                p1[i] = Some(probs3(&fitted.logits(&x1n[i].x)));
            }
        }
    }
    Ok(())
}

/// Second-stage samples: first-stage samples plus the stacking features of each line's
/// previous client lines.
fn stage2(task: &Task, s: &Settings, x1: &[Sample], p1: &[Option<[f32; 3]>]) -> Vec<Sample> {
    x1.iter()
        .zip(&task.items)
        .map(|(smp, it)| {
            let probs: Vec<[f32; 3]> = it.prev_items.iter().filter_map(|&j| p1[j]).collect();
            Sample {
                x: stack_features(&s.cfg, s.client.w_stack, smp.x.clone(), &probs),
                y: smp.y,
                w: smp.w,
            }
        })
        .collect()
}

/// Grouped CV of the stacked client head. For each held-out fold, the training folds' lines
/// get first-stage probabilities from an inner grouped CV over the training folds only, and
/// the held-out fold's lines from a first-stage head fitted on all training folds: nothing of
/// the held-out fold reaches any fit.
fn stacked_cv(task: &Task, s: &Settings) -> Result<(Vec<Vec<f64>>, Vec<usize>), String> {
    let x1 = samples(task, s);
    let x1n = samples_noprev(task, s);
    let mut folds: Vec<u32> = task.items.iter().map(|it| it.fold).collect();
    folds.sort_unstable();
    folds.dedup();
    let mut logits = vec![Vec::new(); x1.len()];
    for &f in &folds {
        let tr: Vec<u32> = folds.iter().copied().filter(|&g| g != f).collect();
        let mut p1 = vec![None; x1.len()];
        oof_stage1(task, &x1, &x1n, s, &tr, &mut p1)?;
        let fitted = fit_where(task, &x1, s, &|g| g != f)?;
        for (i, it) in task.items.iter().enumerate() {
            if it.fold == f {
                p1[i] = Some(probs3(&fitted.logits(&x1n[i].x)));
            }
        }
        let x2 = stage2(task, s, &x1, &p1);
        let fitted2 = fit_where(task, &x2, s, &|g| g != f)?;
        for (i, it) in task.items.iter().enumerate() {
            if it.fold == f {
                logits[i] = fitted2.logits(&x2[i].x);
            }
        }
    }
    Ok((logits, task.items.iter().map(|it| it.y).collect()))
}

fn is_stacked(task: &Task, s: &Settings) -> bool {
    task.name == "client" && s.client.w_stack != 0.0
}

fn cv_report(task: &Task, s: &Settings) -> Result<(f64, f64, Vec<f64>), String> {
    let (logits, gold) = if is_stacked(task, s) {
        stacked_cv(task, s)?
    } else {
        cross_validate(task, s)?
    };
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
    let earlier = annomi::earlier_client(&rows);
    let mut client_item: BTreeMap<usize, usize> = BTreeMap::new();
    let mut by_key: BTreeMap<(u32, u32), usize> = BTreeMap::new();
    for (i, u) in rows.iter().enumerate() {
        let f = fold_of(u.transcript_id);
        if f == 0 {
            continue; // evaluation fold: never read for training
        }
        by_key.insert((u.transcript_id, u.utterance_id), i);
        if let Some(m) = u.main {
            main.items.push(item(u.text.clone(), ctx(i), m.index(), f));
        }
        if let Some(t) = u.talk {
            let mut it = item(u.text.clone(), ctx(i), t.index(), f);
            it.earlier = earlier[i].iter().map(|&j| rows[j].text.clone()).collect();
            it.prev_items = earlier[i]
                .iter()
                .rev()
                .take(3)
                .filter_map(|j| client_item.get(j).copied())
                .collect();
            client_item.insert(i, client.items.len());
            client.items.push(it);
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
            question.items.push(item(text.clone(), ctx(i), y, f));
        }
        if let Some(y) = pos(&a.reflection, &["simple", "complex"]) {
            reflection.items.push(item(text.clone(), ctx(i), y, f));
        }
        if let Some(y) = pos(
            &a.input,
            &["information", "advice", "negotiation", "options"],
        ) {
            input.items.push(item(text.clone(), ctx(i), y, f));
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
    let mut seen = std::collections::BTreeSet::new();
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
                // An option repeated in another file (a course repeats its first session)
                // is one example, kept where it first appears: a duplicate would leak across
                // the leave-one-scenario-out folds.
                if seen.insert(txt.clone()) {
                    out.push((n as u32 + 1, txt, codes));
                }
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
                item(t.clone(), None, y, *sc)
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

/// Persuade with Permission on the scenario options, leave-one-scenario-out: the rule of
/// `rules::persuade_with_permission` fed with the persuade head's out-of-fold probability.
fn pwp_loso(dir: &std::path::Path, task: &Task, s: &Settings) -> Result<String, String> {
    let opts = load_scenarios(dir)?;
    let (logits, _) = cross_validate(task, s)?;
    let (mut tp, mut np, mut ng) = (0, 0, 0);
    let mut missed = Vec::new();
    for ((_, text, codes), z) in opts.iter().zip(&logits) {
        let p = probs3_2(z);
        let coded = changetalk_coder::rules::persuade_with_permission(text, p);
        let gold = codes.iter().any(|c| c == "PersuadeWithPermission");
        tp += usize::from(coded && gold);
        np += usize::from(coded);
        ng += usize::from(gold);
        if coded != gold {
            missed.push(format!(
                "    {} (intended {gold}): {text}",
                if coded { "FP" } else { "FN" }
            ));
        }
    }
    Ok(format!(
        "PwP LOSO: {ng} intended, {np} coded, {tp} correct\n{}",
        missed.join("\n")
    ))
}

fn probs3_2(z: &[f64]) -> f32 {
    let m = z[0].max(z[1]);
    ((z[1] - m).exp() / ((z[0] - m).exp() + (z[1] - m).exp())) as f32
}

/// The settings chosen by `--cv` (see docs/coder.md for the table).
fn chosen() -> Settings {
    Settings {
        cfg: FeatureConfig::default(),
        client: ClientConfig::default(),
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
    if head == "client" {
        // Chosen by `--cv --only client` (docs/coder.md): all client groups, talk cues at
        // 1.0, no character n-grams.
        s.client = ClientConfig {
            w_earlier: 0.5,
            w_talk: 1.0,
            w_topic: 0.5,
            w_ctx: 0.5,
            w_stack: 0.0,
            w_char: 0.0,
        };
    }
    s
}

/// Client-head variants tried by `--cv --only client` (feature groups added one at a time,
/// then together).
fn client_grid() -> Vec<(String, Settings)> {
    let base = chosen_for("client");
    let mut v = Vec::new();
    let mut add = |name: &str, f: &dyn Fn(&mut Settings)| {
        let mut s = base;
        f(&mut s);
        v.push((name.to_string(), s));
    };
    let none = ClientConfig {
        w_char: 1.0,
        ..ClientConfig::default()
    };
    add("client: no client groups", &|s| s.client = none);
    add("client: + talk 0.5", &|s| {
        s.client = ClientConfig {
            w_talk: 0.5,
            ..none
        }
    });
    add("client: + talk 1.0", &|s| {
        s.client = ClientConfig {
            w_talk: 1.0,
            ..none
        }
    });
    add("client: + earlier 0.5", &|s| {
        s.client = ClientConfig {
            w_earlier: 0.5,
            ..none
        }
    });
    add("client: + topic 0.5", &|s| {
        s.client = ClientConfig {
            w_topic: 0.5,
            ..none
        }
    });
    add("client: + ctx 0.5", &|s| {
        s.client = ClientConfig { w_ctx: 0.5, ..none }
    });
    let all = ClientConfig {
        w_earlier: 0.5,
        w_talk: 0.5,
        w_topic: 0.5,
        w_ctx: 0.5,
        w_stack: 0.0,
        w_char: 1.0,
    };
    add("client: all 0.5", &|s| s.client = all);
    add("client: all 0.5, l2 3e-4", &|s| {
        s.client = all;
        s.l2 = 3e-4;
    });
    add("client: all 0.5, l2 3e-3", &|s| {
        s.client = all;
        s.l2 = 3e-3;
    });
    add("client: all 0.5, no char", &|s| {
        s.client = ClientConfig { w_char: 0.0, ..all };
    });
    add("client: all 0.5 + stack 1.0", &|s| {
        s.client = ClientConfig {
            w_stack: 1.0,
            ..all
        };
    });
    add("client: all 0.5 + stack 2.0", &|s| {
        s.client = ClientConfig {
            w_stack: 2.0,
            ..all
        };
    });
    add("client: talk 1.0, ctx/earlier 0.5 + stack 1.0", &|s| {
        s.client = ClientConfig {
            w_talk: 1.0,
            w_stack: 1.0,
            ..all
        };
    });
    add("client: all 0.5 + stack 1.0, l2 3e-3", &|s| {
        s.client = ClientConfig {
            w_stack: 1.0,
            ..all
        };
        s.l2 = 3e-3;
    });
    let t1 = ClientConfig { w_talk: 1.0, ..all };
    add("client: all 0.5, talk 1.0", &|s| s.client = t1);
    add("client: all 0.5, talk 1.0, no char", &|s| {
        s.client = ClientConfig { w_char: 0.0, ..t1 };
    });
    add("client: all 1.0", &|s| {
        s.client = ClientConfig {
            w_earlier: 1.0,
            w_talk: 1.0,
            w_topic: 1.0,
            w_ctx: 1.0,
            w_stack: 0.0,
            w_char: 1.0,
        }
    });
    add("client: all 0.5, talk 1.0, unbalanced", &|s| {
        s.client = t1;
        s.balanced = false;
    });
    add("client: all 0.5, talk 1.0, min df 1", &|s| {
        s.client = t1;
        s.min_df = 1;
    });
    add("client: all 0.5, talk 1.0, ctx 1.0", &|s| {
        s.client = ClientConfig { w_ctx: 1.0, ..t1 };
    });
    let nc = ClientConfig { w_char: 0.0, ..t1 };
    add("client: talk 1.0, no char, talk 2.0", &|s| {
        s.client = ClientConfig { w_talk: 2.0, ..nc };
    });
    add("client: talk 1.0, no char, l2 3e-3", &|s| {
        s.client = nc;
        s.l2 = 3e-3;
    });
    add("client: talk 1.0, no char, l2 3e-4", &|s| {
        s.client = nc;
        s.l2 = 3e-4;
    });
    add("client: talk 1.0, no char, char 0.3", &|s| {
        s.client = ClientConfig { w_char: 0.3, ..nc };
    });
    add("client: talk 1.0, no char, + stack 1.0", &|s| {
        s.client = ClientConfig { w_stack: 1.0, ..nc };
    });
    add("client: talk 1.0, no char, earlier 0, topic 0", &|s| {
        s.client = ClientConfig {
            w_earlier: 0.0,
            w_topic: 0.0,
            ..nc
        };
    });
    v
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

// ---------------------------------------------------------------------------------------
// Client-talk ensemble experiments (`--cv --only client-ens`): NB-LR (Wang & Manning 2012),
// logit pooling with the soft-max head and a character-n-gram head, and an HMM-style
// sequence prior from the coder's own predictions for the previous client lines.

/// How an NB-LR head is fitted.
#[derive(Clone, Copy, Debug)]
struct NbOpts {
    /// Laplace smoothing of the naive-Bayes counts.
    alpha: f64,
    /// Count presence (1) instead of feature values.
    binarize: bool,
    /// L2 penalty of each one-vs-rest logistic fit.
    l2: f64,
    /// Balance each one-vs-rest problem (positives and negatives weigh the same).
    balanced: bool,
}

/// NB-LR, one-vs-rest: for each class, features are scaled by the naive-Bayes log-count ratio
/// of that class against the rest, and a logistic regression is fitted on the scaled features.
/// The ratio is folded into the weights, so the result is an ordinary linear head whose
/// logit per class is that class's one-vs-rest log-odds.
#[allow(clippy::needless_range_loop)] // classes by index
fn fit_nb(train: &[&Sample], k: usize, o: &NbOpts, min_df: u32) -> Result<Fitted, String> {
    // Buckets with document frequency ≥ min_df.
    let buckets = changetalk_coder::fit::frequent_buckets(train, min_df);
    let m = buckets.len();
    // Per-class feature sums.
    let mut sums = vec![vec![0.0f64; m]; k];
    for s in train {
        for &(b, v) in &s.x {
            if let Ok(c) = buckets.binary_search(&b) {
                sums[s.y][c] += if o.binarize { 1.0 } else { f64::from(v) };
            }
        }
    }
    let total: Vec<f64> = (0..m).map(|j| (0..k).map(|c| sums[c][j]).sum()).collect();
    let mut weights = vec![0.0f32; m * k];
    let mut bias = vec![0.0f32; k];
    for c in 0..k {
        let p: Vec<f64> = (0..m).map(|j| o.alpha + sums[c][j]).collect();
        let q: Vec<f64> = (0..m).map(|j| o.alpha + total[j] - sums[c][j]).collect();
        let (sp, sq): (f64, f64) = (p.iter().sum(), q.iter().sum());
        let r: Vec<f64> = (0..m)
            .map(|j| (p[j] / sp).ln() - (q[j] / sq).ln())
            .collect();
        let npos = train.iter().filter(|s| s.y == c).count().max(1) as f64;
        let nneg = (train.len() as f64 - npos).max(1.0);
        let n = train.len() as f64;
        let scaled: Vec<Sample> = train
            .iter()
            .map(|s| {
                let pos = s.y == c;
                Sample {
                    x: s.x
                        .iter()
                        .filter_map(|&(b, v)| {
                            buckets
                                .binary_search(&b)
                                .ok()
                                .map(|j| (b, (f64::from(v) * r[j]) as f32))
                        })
                        .collect(),
                    y: usize::from(pos),
                    w: if o.balanced {
                        n / (2.0 * if pos { npos } else { nneg })
                    } else {
                        1.0
                    },
                }
            })
            .collect();
        let refs: Vec<&Sample> = scaled.iter().collect();
        let f = fit_softmax(&refs, 2, o.l2, 1, ITERS)?;
        bias[c] = f.bias[1] - f.bias[0];
        for (fj, &b) in f.buckets.iter().enumerate() {
            let j = buckets.binary_search(&b).map_err(|_| "bucket lost")?;
            let w = f64::from(f.weights[fj * 2 + 1] - f.weights[fj * 2]);
            weights[j * k + c] = (w * r[j]) as f32;
        }
    }
    Ok(Fitted {
        buckets,
        weights,
        bias,
        k,
    })
}

/// `Σ coef_i × head_i` as one linear head (bucket lists merged; f64 sums, then f32).
#[allow(clippy::needless_range_loop)] // classes by index
fn pool(heads: &[(&Fitted, f64)]) -> Fitted {
    let k = heads[0].0.k;
    let mut b: Vec<u32> = heads.iter().flat_map(|(h, _)| h.buckets.clone()).collect();
    b.sort_unstable();
    b.dedup();
    let mut w = vec![0.0f64; b.len() * k];
    let mut bias = vec![0.0f64; k];
    for (h, a) in heads {
        for c in 0..k {
            bias[c] += a * f64::from(h.bias[c]);
        }
        for (i, bk) in h.buckets.iter().enumerate() {
            let j = b.binary_search(bk).expect("merged");
            for c in 0..k {
                w[j * k + c] += a * f64::from(h.weights[i * k + c]);
            }
        }
    }
    Fitted {
        buckets: b,
        weights: w.iter().map(|v| *v as f32).collect(),
        bias: bias.iter().map(|v| *v as f32).collect(),
        k,
    }
}

/// Transition matrix `t[prev][next]` (add-one smoothed) and class shares of the client
/// lines whose fold satisfies `keep`, from the expert labels of consecutive client lines.
fn transitions(task: &Task, keep: &dyn Fn(u32) -> bool) -> ([[f64; 3]; 3], [f64; 3]) {
    let mut t = [[1.0f64; 3]; 3];
    let mut pi = [1.0f64; 3];
    for it in task.items.iter().filter(|it| keep(it.fold)) {
        pi[it.y] += 1.0;
        if let Some(&j) = it.prev_items.first() {
            t[task.items[j].y][it.y] += 1.0;
        }
    }
    for row in t.iter_mut() {
        let s: f64 = row.iter().sum();
        row.iter_mut().for_each(|v| *v /= s);
    }
    let s: f64 = pi.iter().sum();
    pi.iter_mut().for_each(|v| *v /= s);
    (t, pi)
}

fn softmax64(z: &[f64]) -> [f64; 3] {
    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|v| (v - m).exp()).collect();
    let s: f64 = e.iter().sum();
    [e[0] / s, e[1] / s, e[2] / s]
}

/// The sequence-prior term `λ·(ln Σ_y' f(y') t[y'][y] − ln π(y))` for a line whose previous
/// client lines are `prev` (most recent first), each coded by its own logits `zn` (without the
/// counsellor turn, as `code_client_in` sees them). `f` is the filtered distribution of the
/// previous line: its balanced-head probabilities times the class shares, times the same
/// prior term from the line before it, `depth` lines deep.
#[allow(clippy::needless_range_loop)] // classes by index
fn seq_term(
    zn: &dyn Fn(usize) -> Vec<f64>,
    prev: &[usize],
    t: &[[f64; 3]; 3],
    pi: &[f64; 3],
    lambda: f64,
    depth: usize,
) -> [f64; 3] {
    let mut out = [0.0; 3];
    if lambda == 0.0 || depth == 0 || prev.is_empty() {
        return out;
    }
    let d = depth.min(prev.len());
    // Oldest line first: plain coding, then filtered forward.
    let mut term = [0.0f64; 3];
    for s in (0..d).rev() {
        let z = zn(prev[s]);
        let mut l = [0.0f64; 3];
        for c in 0..3 {
            l[c] = z[c] + pi[c].ln() + term[c];
        }
        let f = softmax64(&l);
        for c in 0..3 {
            let pr: f64 = (0..3).map(|a| f[a] * t[a][c]).sum();
            term[c] = lambda * (pr.ln() - pi[c].ln());
        }
    }
    out.copy_from_slice(&term);
    out
}

/// Out-of-fold logits of one component: with the counsellor turn, and without it (how an
/// earlier client line is coded).
struct Oof {
    name: String,
    z: Vec<Vec<f64>>,
    zn: Vec<Vec<f64>>,
}

fn oof_component(
    task: &Task,
    x: &[Sample],
    xn: &[Sample],
    fit: &dyn Fn(&[&Sample]) -> Result<Fitted, String>,
    name: &str,
) -> Result<Oof, String> {
    let mut z = vec![Vec::new(); x.len()];
    let mut zn = vec![Vec::new(); x.len()];
    for f in 1..=4u32 {
        let train: Vec<&Sample> = x
            .iter()
            .zip(&task.items)
            .filter(|(_, it)| it.fold != f)
            .map(|(s, _)| s)
            .collect();
        let h = fit(&train)?;
        for (i, it) in task.items.iter().enumerate() {
            if it.fold == f {
                z[i] = h.logits(&x[i].x);
                zn[i] = h.logits(&xn[i].x);
            }
        }
    }
    Ok(Oof {
        name: name.to_string(),
        z,
        zn,
    })
}

/// Macro-F1 of logits, raw and with offsets tuned on them.
fn f1_pair(z: &[Vec<f64>], gold: &[usize]) -> (f64, f64, Vec<f64>) {
    let raw: Vec<(usize, usize)> = gold.iter().copied().zip(predict(z, &[0.0; 3])).collect();
    let off = tune_offsets(z, gold, 3);
    let tuned: Vec<(usize, usize)> = gold.iter().copied().zip(predict(z, &off)).collect();
    (macro_f1(&raw, 3), macro_f1(&tuned, 3), off)
}

/// Pooled logits of components with weights, plus the sequence-prior term.
#[allow(clippy::needless_range_loop)] // classes by index
fn combine(task: &Task, comps: &[&Oof], w: &[f64], lambda: f64, depth: usize) -> Vec<Vec<f64>> {
    let tw: f64 = w.iter().sum();
    let mix = |zs: &dyn Fn(&Oof) -> &Vec<f64>| -> Vec<f64> {
        let mut z = vec![0.0; 3];
        for (c, a) in comps.iter().zip(w) {
            for (zz, v) in z.iter_mut().zip(zs(c)) {
                *zz += a / tw * v;
            }
        }
        z
    };
    let tr: Vec<([[f64; 3]; 3], [f64; 3])> =
        (0..=4u32).map(|f| transitions(task, &|g| g != f)).collect();
    (0..task.items.len())
        .map(|i| {
            let mut z = mix(&|c: &Oof| &c.z[i]);
            let it = &task.items[i];
            let (t, pi) = &tr[it.fold as usize];
            let zn = |j: usize| mix(&|c: &Oof| &c.zn[j]);
            let s = seq_term(&zn, &it.prev_items, t, pi, lambda, depth);
            for c in 0..3 {
                z[c] += s[c];
            }
            z
        })
        .collect()
}

fn client_ens() -> Vec<NbOpts> {
    let mut v = Vec::new();
    for (alpha, binarize, l2) in [
        (1.0, true, 1e-3),
        (1.0, true, 1e-4),
        (1.0, true, 3e-3),
        (1.0, false, 1e-3),
        (0.25, true, 1e-3),
        (1.0, true, 5e-4),
        (1.0, true, 2e-3),
        (2.0, true, 1e-3),
    ] {
        v.push(NbOpts {
            alpha,
            binarize,
            l2,
            balanced: true,
        });
    }
    v.push(NbOpts {
        balanced: false,
        ..CLIENT_NB
    });
    v
}

/// The shipped client decision (chosen by `--cv --only client-ens`): the soft-max head and an
/// NB-LR head pooled in logit space (weight `CLIENT_NB_WEIGHT` on NB-LR), then the sequence
/// prior (`CLIENT_LAMBDA`, `CLIENT_DEPTH`), then offsets tuned for macro-F1.
const CLIENT_NB: NbOpts = NbOpts {
    alpha: 1.0,
    binarize: true,
    l2: 1e-3,
    balanced: true,
};
const CLIENT_NB_WEIGHT: f64 = 0.75;
const CLIENT_LAMBDA: f64 = 0.75;
const CLIENT_DEPTH: usize = 2;

fn fit_client(train: &[&Sample], s: &Settings) -> Result<Fitted, String> {
    let a = fit_softmax(train, 3, s.l2, s.min_df, ITERS)?;
    let nb = fit_nb(train, 3, &CLIENT_NB, s.min_df)?;
    Ok(pool(&[
        (&a, 1.0 - CLIENT_NB_WEIGHT),
        (&nb, CLIENT_NB_WEIGHT),
    ]))
}

/// Grouped CV of the shipped client decision (pooled head fitted per fold, sequence prior from
/// the training folds' transitions and the held-out lines' own predictions).
fn client_cv(task: &Task, s: &Settings) -> Result<(f64, f64, Vec<f64>), String> {
    let x = samples(task, s);
    let xn = samples_noprev(task, s);
    let o = oof_component(task, &x, &xn, &|tr| fit_client(tr, s), "shipped")?;
    let z = combine(task, &[&o], &[1.0], CLIENT_LAMBDA, CLIENT_DEPTH);
    let gold: Vec<usize> = task.items.iter().map(|it| it.y).collect();
    Ok(f1_pair(&z, &gold))
}

fn run_client_ens(task: &Task, pick: Option<&str>) -> Result<(), String> {
    if pick == Some("shipped") {
        let (r, t, off) = client_cv(task, &chosen_for("client"))?;
        println!("| shipped (pooled head) | {r:.3} | {t:.3} | {off:?}");
        return Ok(());
    }
    let base = chosen_for("client");
    let gold: Vec<usize> = task.items.iter().map(|it| it.y).collect();
    let xa = samples(task, &base);
    let xan = samples_noprev(task, &base);
    let mut comps: Vec<Oof> = Vec::new();
    let t0 = Instant::now();
    comps.push(oof_component(
        task,
        &xa,
        &xan,
        &|tr| fit_softmax(tr, 3, base.l2, base.min_df, ITERS),
        "soft-max (chosen)",
    )?);
    let want_char = pick.is_none_or(|p| p.contains('c'));
    if want_char {
        for wc in [0.5f32, 1.0] {
            let sc = Settings {
                client: ClientConfig {
                    w_char: wc,
                    ..base.client
                },
                ..base
            };
            let xc = samples(task, &sc);
            let xcn = samples_noprev(task, &sc);
            comps.push(oof_component(
                task,
                &xc,
                &xcn,
                &|tr| fit_softmax(tr, 3, sc.l2, sc.min_df, ITERS),
                &format!("soft-max + char {wc}"),
            )?);
        }
    }
    for (n, o) in client_ens().into_iter().enumerate() {
        if pick.is_some_and(|p| !p.split(',').any(|x| x == n.to_string())) {
            continue;
        }
        comps.push(oof_component(
            task,
            &xa,
            &xan,
            &|tr| fit_nb(tr, 3, &o, base.min_df),
            &format!(
                "NB-LR alpha {} {} l2 {:e}{}",
                o.alpha,
                if o.binarize { "binary" } else { "values" },
                o.l2,
                if o.balanced { "" } else { " unbalanced" }
            ),
        )?);
    }
    eprintln!("components fitted in {:.0}s", t0.elapsed().as_secs_f64());
    println!("| client variant | CV macro-F1 | + offsets |");
    println!("|---|---|---|");
    for c in &comps {
        let (r, t, off) = f1_pair(&combine(task, &[c], &[1.0], 0.0, 0), &gold);
        println!("| {} | {r:.3} | {t:.3} | {off:?}", c.name);
    }
    // Pairs with the chosen soft-max head.
    for c in comps.iter().skip(1) {
        for a in [0.25, 0.5, 0.75] {
            let z = combine(task, &[&comps[0], c], &[1.0 - a, a], 0.0, 0);
            let (r, t, _) = f1_pair(&z, &gold);
            println!(
                "| soft-max {:.2} + {} {a:.2} | {r:.3} | {t:.3} |",
                1.0 - a,
                c.name
            );
        }
    }
    // Sequence prior on the chosen head alone.
    for depth in [1usize, 2, 3] {
        for lambda in [0.25, 0.5, 0.75, 1.0, 1.5] {
            let z = combine(task, &[&comps[0]], &[1.0], lambda, depth);
            let (r, t, _) = f1_pair(&z, &gold);
            println!("| soft-max + seq prior lambda {lambda} depth {depth} | {r:.3} | {t:.3} |");
        }
    }
    // Soft-max + NB-LR + sequence prior.
    for c in comps.iter().skip(1).filter(|c| c.name.starts_with("NB")) {
        for a in [0.5, 0.75, 1.0] {
            for depth in [1usize, 2] {
                for lambda in [0.25, 0.5, 0.75, 1.0] {
                    let z = combine(task, &[&comps[0], c], &[1.0 - a, a], lambda, depth);
                    let (r, t, _) = f1_pair(&z, &gold);
                    println!(
                        "| soft-max {:.2} + {} {a:.2} + seq prior lambda {lambda} depth {depth} | {r:.3} | {t:.3} |",
                        1.0 - a,
                        c.name
                    );
                }
            }
        }
    }
    Ok(())
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut dir: Option<PathBuf> = None;
    let mut out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("model/coder.bin");
    let mut cv = false;
    let mut only: Option<String> = None;
    let mut base: Option<PathBuf> = None;
    let mut pick: Option<String> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--cv" => cv = true,
            "--only" => only = args.next(),
            "--pick" => pick = args.next(),
            "--client-from" => {
                base = Some(PathBuf::from(
                    args.next().ok_or("--client-from needs a path")?,
                ))
            }
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
    if cv && only.as_deref() == Some("client-ens") {
        let t = tasks
            .iter()
            .find(|t| t.name == "client")
            .ok_or("no client task")?;
        return run_client_ens(t, pick.as_deref());
    }
    if cv {
        println!("| settings | head | CV macro-F1 | + tuned offsets |");
        println!("|---|---|---|---|");
        let g = if only.as_deref() == Some("client") {
            client_grid()
        } else {
            grid()
        };
        for (i, (name, s)) in g.into_iter().enumerate() {
            if pick
                .as_deref()
                .is_some_and(|p| !p.split(',').any(|x| x == i.to_string()))
            {
                continue;
            }
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
    let mut prior = ClientPrior::default();
    // `--client-from FILE`: keep every other head of FILE bit for bit, refit only the client
    // head (and its decision section).
    let kept = match &base {
        Some(p) => {
            let b = std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?;
            Some(Model::from_bytes(&b).map_err(|e| format!("{}: {e}", p.display()))?)
        }
        None => None,
    };
    for t in &tasks {
        let s = chosen_for(t.name);
        if let Some(m) = &kept
            && t.name != "client"
        {
            let h = m
                .head(t.name)
                .ok_or(format!("{} lacks head {}", "base", t.name))?;
            heads.push(h.clone());
            continue;
        }
        let t0 = Instant::now();
        if t.k == 2 && matches!(t.name, "affirm" | "confront" | "persuade") {
            eprintln!("{}: {}", t.name, loso_report(t, &s)?);
            if t.name == "persuade" {
                eprintln!("{}", pwp_loso(&scen, t, &s)?);
            }
        }
        if t.name == "client" {
            let (raw, tuned, off) = client_cv(t, &s)?;
            let all = samples(t, &s);
            let fitted = fit_client(&all.iter().collect::<Vec<_>>(), &s)?;
            let (tr, pi) = transitions(t, &|_| true);
            prior = ClientPrior {
                lambda: CLIENT_LAMBDA as f32,
                depth: CLIENT_DEPTH as u32,
                trans: tr.map(|row| row.map(|v| v as f32)),
                shares: pi.map(|v| v as f32),
                offsets: [off[0] as f32, off[1] as f32, off[2] as f32],
            };
            eprintln!(
                "client: CV macro-F1 {raw:.3} (tuned offsets {tuned:.3}, {prior:?}); {} buckets; {:.0}s",
                fitted.buckets.len(),
                t0.elapsed().as_secs_f64()
            );
            heads.push(Head {
                name: t.name.to_string(),
                classes: t.k,
                bias: fitted.bias,
                buckets: fitted.buckets,
                weights: fitted.weights,
            });
            continue;
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
        let mut all = samples(t, &s);
        if is_stacked(t, &s) {
            // First stage on all four folds (shipped as `client1`); the second stage learns
            // from 4-fold out-of-fold first-stage probabilities.
            let f1 = fit_softmax(&all.iter().collect::<Vec<_>>(), t.k, s.l2, s.min_df, ITERS)?;
            let x1n = samples_noprev(t, &s);
            let mut p1 = vec![None; all.len()];
            oof_stage1(t, &all, &x1n, &s, &[1, 2, 3, 4], &mut p1)?;
            all = stage2(t, &s, &all, &p1);
            heads.push(Head {
                name: "client1".to_string(),
                classes: t.k,
                bias: f1.bias,
                buckets: f1.buckets,
                weights: f1.weights,
            });
        }
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
    if let Some(m) = &kept
        && (m.cfg != chosen().cfg || m.client != chosen_for("client").client)
    {
        return Err("--client-from: the base model's feature settings differ".into());
    }
    let model = Model {
        cfg: chosen().cfg,
        client: chosen_for("client").client,
        prior,
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
