//! `changetalk audit SCENARIO… [--json]`: the gameability report an instructor reads before
//! using a client — what a trainee who knows no MI would score (see
//! [`changetalk_core::audit`] and `docs/authoring.md`, "Auditing a client").

use std::path::{Path, PathBuf};

use changetalk_core::authoring::audit::{AuditReport, SURFACE_MARGIN};
use changetalk_core::authoring::course::audit_all;
use changetalk_core::authoring::lint::{MAX_BEST_IS_LONGEST, MAX_BEST_WORDS_RATIO};
use serde::Serialize;

/// The `--json` output.
#[derive(Serialize)]
struct AuditOutput<'a> {
    /// True when every scenario passes.
    pass: bool,
    /// One report per scenario.
    reports: &'a [AuditReport],
}

/// Runs `audit`; exit 0 when every scenario passes, 1 when a surface strategy comes within
/// 25 points of the model conversation or reaches its ending (or a scenario cannot be read).
pub fn run(scenarios: &[String], json: bool) -> i32 {
    let mut names: Vec<String> = Vec::new();
    for s in scenarios {
        let p = Path::new(s);
        if p.is_dir() {
            let mut found: Vec<PathBuf> = Vec::new();
            super::validate::collect(p, &mut found, 0);
            if found.is_empty() {
                eprintln!(
                    "{}: error: no .ron scenario files in this folder",
                    p.display()
                );
                return 1;
            }
            names.extend(found.iter().map(|f| f.display().to_string()));
        } else {
            names.push(s.clone());
        }
    }
    let mut reports = Vec::new();
    let mut failed = false;
    for name in &names {
        let scenario = match crate::library::resolve(name) {
            Ok(s) => s,
            Err(e) => {
                crate::library::report_error(&e);
                failed = true;
                continue;
            }
        };
        // A course is audited session by session, each as the model conversation meets it.
        for r in audit_all(&scenario) {
            failed |= !r.pass;
            if !json {
                print!("{}", report_text(&r));
            }
            reports.push(r);
        }
    }
    if json {
        let out = AuditOutput {
            pass: !failed,
            reports: &reports,
        };
        match serde_json::to_string_pretty(&out) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("error: could not write the report as JSON: {e}");
                return 1;
            }
        }
    }
    i32::from(failed)
}

/// The report as a table an instructor reads.
pub fn report_text(r: &AuditReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — what a trainee who knows no MI would score ({} seeded runs per strategy)",
        r.scenario, r.runs
    );
    let _ = writeln!(
        out,
        "  {:<22} {:>7} {:>6} {:>6}  {:<28} {:>12}",
        "strategy", "overall", "p95", "gap", "ending (most runs)", "model ending"
    );
    for s in &r.strategies {
        let verdict = if !s.fails.is_empty() {
            "  FAIL"
        } else if !s.surface && s.strategy != changetalk_core::authoring::audit::Strategy::Model {
            "  (reported only)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {:<22} {:>7.1} {:>6.1} {:>6}  {:<28} {:>11.0}%{verdict}",
            s.label,
            s.overall,
            s.p95,
            if s.strategy == changetalk_core::authoring::audit::Strategy::Model {
                "-".to_string()
            } else {
                format!("{:.1}", s.gap)
            },
            s.ending.as_deref().unwrap_or("(none: stopped)"),
            100.0 * s.reaches_model_ending,
        );
    }
    let l = &r.length;
    let _ = writeln!(
        out,
        "  length: the best option is the longest at {} of {} ({:.0}%; lint allows {:.0}%); best options average {:.1} words, the others {:.1} ({:.2}×; lint allows {MAX_BEST_WORDS_RATIO}×)",
        l.best_is_longest,
        super::text_report::count(l.points, "point", "points"),
        100.0 * l.share,
        100.0 * MAX_BEST_IS_LONGEST,
        l.best_words,
        l.other_words,
        l.ratio
    );
    let _ = writeln!(
        out,
        "  the longest option is a weak reply at {} of {}, the shortest at {} (lint allows {:.0}% each)",
        l.longest_is_weak,
        super::text_report::count(l.points, "point", "points"),
        l.shortest_is_weak,
        100.0 * changetalk_core::authoring::lint::MAX_EXTREME_IS_WEAK
    );
    if r.cue_tells.is_empty() {
        let _ = writeln!(out, "  cue tells: none");
    } else {
        let list: Vec<String> = r
            .cue_tells
            .iter()
            .map(|c| format!("{} ({} options, all {})", c.cue, c.options, c.all))
            .collect();
        let _ = writeln!(out, "  cue tells: {}", list.join("; "));
    }
    let d = &r.deaf_client;
    let _ = writeln!(
        out,
        "  client answers a weak reply exactly as the best one: {} of {} along the model conversation ({:.0}%){}",
        d.answered_like_best,
        super::text_report::count(d.weak_replies, "weak reply", "weak replies"),
        100.0 * d.share,
        if d.options.is_empty() {
            String::new()
        } else {
            format!(": {}", d.options.join(", "))
        }
    );
    if r.pass {
        let _ = writeln!(
            out,
            "  verdict: ok — every surface strategy scores more than {SURFACE_MARGIN:.0} points below the model conversation and none reaches its ending\n"
        );
    } else {
        let fails: Vec<&str> = r
            .strategies
            .iter()
            .flat_map(|s| s.fails.iter().map(String::as_str))
            .collect();
        let _ = writeln!(out, "  verdict: FAIL — {}\n", fails.join("; "));
    }
    out
}
