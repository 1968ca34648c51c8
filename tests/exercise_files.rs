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
    // A student who misses the first moment, then ends the conversation.
    class.play("C", "c", &["--choices", &join(&mixed[..1])]);
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
        retime(&mut v, i as u64);
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

// ---------------------------------------------------------------------------------------
// The exercise format's pass criteria, and hostile files around an exercise
// ---------------------------------------------------------------------------------------

/// Runs the binary and fails the test if it has not finished within `secs` (a FIFO read would
/// hang it; `/dev/zero` would grow its memory without end).
fn output_within(args: &[&str], secs: u64) -> std::process::Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(secs);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("`changetalk {}` hung", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let o = child.wait_with_output().unwrap();
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    o
}

#[test]
fn min_turns_and_require_ending_are_pass_criteria_and_old_files_stay_valid() {
    let class = Class::with(&["--scenario", "court-ordered-dui", "--min-turns", "20"]);
    let text = std::fs::read_to_string(class.exercise()).unwrap();
    assert!(text.contains("        min_turns: 20,"), "{text}");
    assert!(
        text.contains("reaches an ending (require_ending)"),
        "{text}"
    );
    ok(&["exercise", "check", s(&class.exercise())]);
    // The model conversation has fewer than 20 replies: it fails on that criterion alone.
    let path = best_path();
    assert!(path.len() < 20);
    class.play("Ann", "ann", &["--auto", "best"]);
    let r = read_json(&class.result("ann"));
    assert_eq!(r["passed"], false);
    assert!(r["total"].as_f64().unwrap() >= 60.0);
    let (h, rows, _) = class.gradebook(&[]);
    let ann = row_of(&h, &rows, "ann");
    assert_eq!(ann[col(&h, "Week 3 pass")], "fail");
    assert_eq!(ann[col(&h, "flags")], "");

    // A file written before these fields (no min_turns, no require_ending) reads as before.
    let dir = class.path("old");
    std::fs::create_dir(&dir).unwrap();
    let hash = text
        .split("hash: \"")
        .nth(1)
        .and_then(|t| t.get(..64))
        .unwrap()
        .to_string();
    let old = dir.join("old.ron");
    std::fs::write(
        &old,
        format!(
            "Exercise(\n    title: \"Old\",\n    scenarios: [(id: \"court-ordered-dui\", hash: \"{hash}\")],\n    seed: 42,\n    mode: Assessment,\n    pass: (overall: 10.0),\n)\n"
        ),
    )
    .unwrap();
    ok(&["exercise", "check", s(&old)]);
    let res = dir.join("results");
    let stop_early = ["--choices", &join(&path[..path.len() - 3])];
    play_as_student(&old, &res, "Bo", "bo", &stop_early);
    assert_eq!(
        read_json(&res.join("old--bo.json"))["passed"],
        false,
        "an ending is still required"
    );
    // `require_ending: false` lets a conversation stopped early pass on its reduced overall.
    let lenient = dir.join("lenient.ron");
    std::fs::write(
        &lenient,
        std::fs::read_to_string(&old).unwrap().replace(
            "pass: (overall: 10.0)",
            "pass: (overall: 10.0, require_ending: false)",
        ),
    )
    .unwrap();
    play_as_student(&lenient, &res, "Bo", "bo", &stop_early);
    let r = read_json(&res.join("lenient--bo.json"));
    assert_eq!(r["passed"], true);
    assert!(r["score"]["complete"] == false);
}

#[test]
fn scenario_files_outside_the_exercise_folder_are_refused_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("elsewhere");
    let exdir = dir.path().join("class");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::create_dir_all(&exdir).unwrap();
    let bundled =
        std::fs::read_to_string(common::root().join("scenarios/court-ordered-dui.ron")).unwrap();
    let scenario = outside.join("dui.ron");
    std::fs::write(&scenario, format!("// a local copy\n{bundled}")).unwrap();
    let ex = exdir.join("week3.ron");
    let o = ok(&["exercise", "new", "--scenario", s(&scenario), "-o", s(&ex)]);
    assert!(
        stderr(&o)
            .contains("scenario file `../elsewhere/dui.ron` is outside the exercise's folder"),
        "{}",
        stderr(&o)
    );
    let res = dir.path().join("results");
    let refused = "is outside the exercise's folder";
    fails_with(&run(&["exercise", "check", s(&ex)]), refused);
    let o = run(&[
        "exercise",
        "run",
        s(&ex),
        "--student",
        "A",
        "--id",
        "a",
        "--results",
        s(&res),
    ]);
    fails_with(&o, "week3.ron:");
    fails_with(
        &o,
        "`file: \"../elsewhere/dui.ron\"` is outside the exercise's folder",
    );
    assert!(!res.exists(), "nothing was started");
    fails_with(&run(&["grade", s(&ex), s(&res)]), refused);
    // The instructor who trusts the exercise says so.
    ok(&["exercise", "check", s(&ex), "--allow-outside"]);
    let o = ok(&[
        "exercise",
        "run",
        s(&ex),
        "--student",
        "A",
        "--id",
        "a",
        "--results",
        s(&res),
        "--allow-outside",
    ]);
    assert!(stdout(&o).contains("Progress saved"), "{}", stdout(&o));
    ok(&["grade", s(&ex), s(&res), "--allow-outside"]);

    // An absolute path, and a link inside the folder that leads out, are refused too.
    let text = std::fs::read_to_string(&ex).unwrap();
    let abs = exdir.join("abs.ron");
    std::fs::write(&abs, text.replace("../elsewhere/dui.ron", s(&scenario))).unwrap();
    fails_with(&run(&["exercise", "check", s(&abs)]), refused);
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&scenario, exdir.join("link.ron")).unwrap();
        let linked = exdir.join("linked.ron");
        std::fs::write(&linked, text.replace("../elsewhere/dui.ron", "link.ron")).unwrap();
        fails_with(&run(&["exercise", "check", s(&linked)]), refused);
        ok(&["exercise", "check", s(&linked), "--allow-outside"]);
    }
    // Inside the folder is fine.
    std::fs::create_dir(exdir.join("scenarios")).unwrap();
    std::fs::copy(&scenario, exdir.join("scenarios/dui.ron")).unwrap();
    let inside = exdir.join("inside.ron");
    std::fs::write(
        &inside,
        text.replace("../elsewhere/dui.ron", "scenarios/../scenarios/dui.ron"),
    )
    .unwrap();
    ok(&["exercise", "check", s(&inside)]);
}

#[test]
fn a_second_run_of_the_same_student_is_refused_while_the_first_is_open() {
    let class = Class::with(&["--scenario", "court-ordered-dui", "--attempts", "2"]);
    let ex = class.exercise();
    let res = class.results();
    let path = best_path();
    let args = [
        "exercise",
        "run",
        s(&ex),
        "--student",
        "Ada",
        "--id",
        "s1",
        "--results",
        s(&res),
    ];
    let mut first = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = first.stdin.take().unwrap();
    writeln!(stdin, "{}", path[0]).unwrap();
    stdin.flush().unwrap();
    let progress = res.join("week3--s1.progress.json");
    wait_for_choices(&progress, 1);
    // A second terminal, a scripted run in another process, and the driver itself: refused.
    let o = run(&args);
    fails_with(
        &o,
        "student `s1` is already taking this exercise in another window or terminal",
    );
    let loaded = changetalk::classroom::load(&ex).unwrap();
    let e = changetalk::classroom::begin(loaded, "Ada", "s1", &res).unwrap_err();
    assert!(e.message.contains("already taking this exercise"), "{e}");
    // Nothing was written over the first run's progress; another student plays meanwhile.
    assert_eq!(
        wait_for_choices(&progress, 1)["scenarios"][0]["choices"][0]["number"],
        path[0]
    );
    class.play("Ben", "s2", &["--auto", "worst"]);
    for c in &path[1..] {
        writeln!(stdin, "{c}").unwrap();
    }
    drop(stdin);
    assert!(first.wait().unwrap().success());
    assert_eq!(read_json(&class.result("s1"))["passed"], true);
    // Finished, the lock is free: the second attempt may start.
    assert!(res.join(".week3--s1.lock").exists());
    let loaded = changetalk::classroom::load(&ex).unwrap();
    let a = changetalk::classroom::begin(loaded, "Ada", "s1", &res).unwrap();
    assert_eq!(a.record.attempt, 2);
}

#[test]
fn a_result_saved_meanwhile_is_never_replaced() {
    // Where locks cannot help (another machine on a shared folder), finishing still never
    // writes over a result of the same or a later attempt.
    let class = Class::with(&["--scenario", "court-ordered-dui", "--attempts", "3"]);
    let res = class.results();
    let loaded = changetalk::classroom::load(&class.exercise()).unwrap();
    let mut slow = changetalk::classroom::begin(loaded, "Ada", "s1", &res).unwrap();
    let worst = {
        let mut a = slow.clone();
        let changetalk::classroom::Next::Conversation { index, mut session } =
            a.next_conversation().unwrap()
        else {
            panic!("a conversation");
        };
        while a
            .auto_reply(index, &mut session, changetalk_core::AutoPolicy::Worst)
            .unwrap()
        {}
        a
    };
    slow.record = worst.record.clone();
    // Meanwhile a passing attempt 1 was saved (forged here as that other run's file).
    class.play("Other", "other", &["--auto", "best"]);
    let mut passing = read_json(&class.result("other"));
    passing["student"] = serde_json::json!({"name": "Ada", "id": "s1"});
    write_json(&class.result("s1"), &passing);
    let e = slow.finish().unwrap_err();
    assert!(
        e.contains(
            "another run of student `s1` saved attempt 1 while this one (attempt 1) was open"
        ),
        "{e}"
    );
    assert_eq!(read_json(&class.result("s1"))["passed"], true, "kept");
    assert!(
        res.join("week3--s1.progress.json").exists(),
        "the replies are kept"
    );
}

#[test]
fn stray_temporary_files_are_removed_when_the_folder_is_next_used() {
    let class = Class::new();
    let res = class.results();
    // A process that has ended left a half-written progress file.
    let dead = std::process::Command::new("true")
        .spawn()
        .and_then(|mut c| c.wait().map(|_| c.id()))
        .unwrap();
    let stray = res.join(format!(".week3--s1.progress.json.{dead}.tmp"));
    let unrelated = res.join(".notes.tmp");
    std::fs::write(&stray, b"{\"format\": \"changetal").unwrap();
    std::fs::write(&unrelated, b"mine").unwrap();
    // `exercise run` uses the folder: the stray file goes, the rest stays.
    let ex = class.exercise();
    let o = run(&[
        "exercise",
        "run",
        s(&ex),
        "--student",
        "A",
        "--id",
        "s2",
        "--results",
        s(&res),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    if cfg!(target_os = "linux") {
        assert!(!stray.exists(), "removed by exercise run");
    }
    assert!(unrelated.exists());
    // An old one (whatever its process) goes when the folder is graded.
    let old = res.join(format!(".week3--s3.json.{}.tmp", std::process::id()));
    std::fs::write(&old, b"x").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&old)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - Duration::from_secs(3600))
        .unwrap();
    let o = class.grade(&[]);
    assert!(!old.exists(), "removed by grade");
    assert!(
        stderr(&o).contains("note: removed 1 temporary file left by interrupted saves"),
        "{}",
        stderr(&o)
    );
    assert!(unrelated.exists());
}

#[cfg(unix)]
#[test]
fn fifos_and_devices_are_refused_by_name_and_never_hang() {
    let class = Class::new();
    class.play("Ann", "ann", &["--auto", "best"]);
    let res = class.results();
    let fifo = res.join("week3--pipe.json");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    std::os::unix::fs::symlink("/dev/zero", res.join("week3--zero.json")).unwrap();
    let csv = class.path("g.csv");
    let ex = class.exercise();
    let o = output_within(&["grade", s(&ex), s(&res), "--csv", s(&csv)], 60);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("week3--pipe.json: warning: cannot read: this is a named pipe (FIFO), not a regular file"),
        "{err}"
    );
    assert!(
        err.contains(
            "week3--zero.json: warning: cannot read: this is a device (such as /dev/zero)"
        ),
        "{err}"
    );
    let rows = parse_csv(&std::fs::read_to_string(&csv).unwrap());
    let (h, rows) = (&rows[0], &rows[1..]);
    assert_eq!(row_of(h, rows, "ann")[col(h, "flags")], "");
    assert_eq!(row_of(h, rows, "pipe")[col(h, "flags")], "corrupt");
    assert_eq!(row_of(h, rows, "zero")[col(h, "flags")], "corrupt");
    // An exercise, a roster or saved progress that is a FIFO or a device: refused by name.
    let o = output_within(&["exercise", "check", "/dev/zero"], 30);
    fails_with(&o, "/dev/zero: error: this is a device");
    let o = output_within(&["grade", s(&ex), s(&res), "--roster", s(&fifo)], 30);
    fails_with(&o, "week3--pipe.json: error: this is a named pipe (FIFO)");
    std::os::unix::fs::symlink(&fifo, res.join("week3--s9.progress.json")).unwrap();
    let o = output_within(
        &[
            "exercise",
            "run",
            s(&ex),
            "--student",
            "S",
            "--id",
            "s9",
            "--results",
            s(&res),
        ],
        30,
    );
    fails_with(
        &o,
        "the saved progress cannot be read (this is a named pipe (FIFO)",
    );
}
