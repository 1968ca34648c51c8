//! Exercise files, attempts and practice mode, the class report, and grading speed — run
//! through the binary as an instructor would.

use std::time::{Duration, Instant};

use std::io::Write as _;
use std::process::Stdio;

#[path = "common/class.rs"]
mod class;
mod common;
use class::*;
use common::{bin, fails_with, stderr, stdout};

#[test]
fn the_class_report_shows_distributions_and_the_most_missed_moments_first() {
    let class = Class::new();
    let path = best_path();
    class.play("A", "a", &["--auto", "best"]);
    class.play("B", "b", &["--auto", "worst"]);
    let mut mixed = path.clone();
    mixed[0] = if path[0] == 1 { 2 } else { 1 };
    // A student who misses the first moment then plays well (as far as the path allows).
    let o = run(&[
        "exercise",
        "run",
        s(&class.exercise()),
        "--student",
        "C",
        "--id",
        "c",
        "--choices",
        &join(&mixed[..1]),
        "--results",
        s(&class.results()),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report = class.path("class.html");
    class.grade(&["--report", s(&report)]);
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    for needle in [
        "Distributions",
        "Overall score",
        "Reflection-to-question ratio",
        "% complex reflections",
        "Item analysis",
        "below fair / fair / good",
    ] {
        assert!(html.contains(needle), "report lacks `{needle}`");
    }
    // Item headings are ordered by missed share, highest first.
    let shares: Vec<f64> = html
        .match_indices(" — missed ")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            rest[..rest.find('%').unwrap()].parse().unwrap()
        })
        .collect();
    assert!(
        shares.len() >= 10,
        "one heading per decision point reached: {shares:?}"
    );
    assert!(shares.windows(2).all(|w| w[0] >= w[1]), "{shares:?}");
    assert!(shares[0] > 0.0);
    // No raw `<` from scenario text leaks into the markup.
    assert!(!html.contains("<script"));
}

#[test]
fn exercise_files_get_clear_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let ex = dir.path().join("bad.ron");
    std::fs::write(
        &ex,
        "Exercise(\n  title: \"T\",\n  scenarios: [(id: \"court-ordered-dui\", hash: \"abc\")],\n  seed: 1,\n  mode: Asessment,\n  pass: (overal: 60),\n)\n",
    )
    .unwrap();
    let o = run(&["exercise", "check", s(&ex)]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("bad.ron:3:") && e.contains("64 hex digits"),
        "{e}"
    );
    assert!(
        e.contains("bad.ron:5:9: error: unknown mode `Asessment`"),
        "{e}"
    );
    assert!(
        e.contains("bad.ron:6:10: error: unknown field `overal`")
            && e.contains("did you mean `overall`"),
        "{e}"
    );
    // Unknown scenario ids get a suggestion; an existing file is never overwritten.
    let out = dir.path().join("new.ron");
    let o = run(&[
        "exercise",
        "new",
        "--scenario",
        "court-ordered-du",
        "-o",
        s(&out),
    ]);
    fails_with(&o, "did you mean `court-ordered-dui`?");
    let o = run(&[
        "exercise",
        "new",
        "--scenario",
        "court-ordered-dui",
        "-o",
        s(&ex),
    ]);
    fails_with(&o, "never overwrites");
    // Bad student ids and a missing results folder.
    ok(&[
        "exercise",
        "new",
        "--scenario",
        "court-ordered-dui",
        "-o",
        s(&out),
    ]);
    let o = run(&[
        "exercise",
        "run",
        s(&out),
        "--student",
        "X",
        "--id",
        "../etc",
        "--auto",
        "best",
    ]);
    fails_with(&o, "student id `../etc` cannot be used");
    let o = run(&["grade", s(&out), s(&dir.path().join("nowhere"))]);
    fails_with(
        &o,
        "nowhere: error: cannot read the results folder: no such folder",
    );
}

#[test]
fn attempts_and_practice_mode() {
    let class = Class::with(&[
        "--scenario",
        "court-ordered-dui",
        "--attempts",
        "2",
        "--mode",
        "practice",
    ]);
    class.play("Ann", "ann", &["--auto", "worst"]);
    class.play("Ann", "ann", &["--auto", "best"]);
    let r = read_json(&class.result("ann"));
    assert_eq!(r["attempt"], 2);
    assert_eq!(r["mode"], "practice");
    assert_eq!(r["passed"], true, "the last attempt counts");
    let ex = class.exercise();
    let res = class.results();
    let o = run(&[
        "exercise",
        "run",
        s(&ex),
        "--student",
        "Ann",
        "--id",
        "ann",
        "--auto",
        "best",
        "--results",
        s(&res),
    ]);
    fails_with(&o, "has used 2 of 2 attempts");
    // In practice mode `b` takes a reply back; the progress file follows.
    let path = best_path();
    let mut child = bin()
        .args([
            "exercise",
            "run",
            s(&ex),
            "--student",
            "Bo",
            "--id",
            "bo",
            "--results",
            s(&res),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut stdin = child.stdin.take().unwrap();
        let mut script = format!("{}\nb\n", if path[0] == 1 { 2 } else { 1 });
        for c in &path {
            script.push_str(&format!("{c}\n"));
        }
        stdin.write_all(script.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(stdout(&out).contains("took back the last reply"));
    let r = read_json(&class.result("bo"));
    let numbers: Vec<u64> = r["scenarios"][0]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, path.iter().map(|x| *x as u64).collect::<Vec<_>>());
}

/// The performance bar: grading 1,000 result files takes at most 2 s (checked in release
/// builds, which CI runs; debug builds print the time only).
#[test]
fn grading_a_thousand_results_is_fast() {
    let class = Class::new();
    class.play("Best", "best", &["--auto", "best"]);
    class.play("Worst", "worst", &["--auto", "worst"]);
    let templates = [
        read_json(&class.result("best")),
        read_json(&class.result("worst")),
    ];
    std::fs::remove_file(class.result("best")).unwrap();
    std::fs::remove_file(class.result("worst")).unwrap();
    for i in 0..1000 {
        let mut v = templates[i % 2].clone();
        let id = format!("s{i:04}");
        v["student"]["id"] = id.clone().into();
        v["student"]["name"] = format!("Student {i}").into();
        std::fs::write(class.result(&id), serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    }
    let csv = class.path("g.csv");
    let report = class.path("r.html");
    let xapi = class.path("x.json");
    let start = Instant::now();
    let o = class.grade(&["--csv", s(&csv), "--report", s(&report), "--xapi", s(&xapi)]);
    let took = start.elapsed();
    eprintln!("graded 1,000 result files (CSV + report + xAPI) in {took:?}");
    assert!(
        stdout(&o).contains("1000 students, 1000 graded"),
        "{}",
        stdout(&o)
    );
    assert_eq!(
        parse_csv(&std::fs::read_to_string(&csv).unwrap()).len(),
        1001
    );
    if !cfg!(debug_assertions) {
        assert!(took <= Duration::from_secs(2), "took {took:?}");
    }
}
