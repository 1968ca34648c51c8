//! End-to-end tests of classroom exercises: `exercise new`, `exercise run` (scripted and
//! interactive, including a killed session that resumes), and `grade` with its gradebook,
//! class report and xAPI statements. Run as a user would, through the binary.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;
use common::{bin, checked, fails_with, stderr, stdout};

fn run_in(home: Option<&Path>, args: &[&str]) -> Output {
    let mut c = bin();
    if let Some(h) = home {
        c.env("CHANGETALK_HOME", h);
    }
    checked(c.args(args))
}

fn run(args: &[&str]) -> Output {
    run_in(None, args)
}

fn ok(args: &[&str]) -> Output {
    let o = run(args);
    assert!(o.status.success(), "{args:?} failed:\n{}", stderr(&o));
    o
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

fn read_json(p: &Path) -> Value {
    let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn write_json(p: &Path, v: &Value) {
    std::fs::write(p, serde_json::to_string_pretty(v).unwrap()).unwrap();
}

/// A temp folder with `week3.ron` (court-ordered-dui, seed 42) and an empty `results/`.
struct Class {
    dir: tempfile::TempDir,
}

impl Class {
    fn new() -> Class {
        Class::with(&["--scenario", "court-ordered-dui"])
    }

    fn with(extra: &[&str]) -> Class {
        let dir = tempfile::tempdir().unwrap();
        let ex = dir.path().join("week3.ron");
        let mut args = vec![
            "exercise",
            "new",
            "-o",
            s(&ex),
            "--title",
            "Week 3",
            "--seed",
            "42",
            "--min-rq",
            "1",
            "--max-non-adherent",
            "2",
        ];
        args.extend_from_slice(extra);
        ok(&args);
        std::fs::create_dir(dir.path().join("results")).unwrap();
        Class { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn exercise(&self) -> PathBuf {
        self.path("week3.ron")
    }

    fn results(&self) -> PathBuf {
        self.path("results")
    }

    fn result(&self, id: &str) -> PathBuf {
        self.results().join(format!("week3--{id}.json"))
    }

    fn play(&self, name: &str, id: &str, how: &[&str]) {
        let ex = self.exercise();
        let res = self.results();
        let mut args = vec![
            "exercise",
            "run",
            s(&ex),
            "--student",
            name,
            "--id",
            id,
            "--results",
            s(&res),
        ];
        args.extend_from_slice(how);
        ok(&args);
    }

    fn grade(&self, extra: &[&str]) -> Output {
        let ex = self.exercise();
        let res = self.results();
        let mut args = vec!["grade", s(&ex), s(&res)];
        args.extend_from_slice(extra);
        let o = run(&args);
        assert!(o.status.success(), "grade failed:\n{}", stderr(&o));
        o
    }

    /// Grades into a CSV and returns its rows as maps from header to value.
    fn gradebook(&self, extra: &[&str]) -> (Vec<String>, Vec<Vec<String>>, Output) {
        let csv = self.path("gradebook.csv");
        let mut args = vec!["--csv", s(&csv)];
        args.extend_from_slice(extra);
        let o = self.grade(&args);
        let text = std::fs::read_to_string(&csv).unwrap();
        let mut lines = parse_csv(&text);
        let header = lines.remove(0);
        (header, lines, o)
    }
}

/// A small RFC 4180 reader (quoted fields, doubled quotes, CRLF).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column `{name}` in {header:?}"))
}

fn row_of<'a>(header: &[String], rows: &'a [Vec<String>], id: &str) -> &'a Vec<String> {
    let c = col(header, "SIS User ID");
    let found: Vec<&Vec<String>> = rows.iter().filter(|r| r[c] == id).collect();
    assert_eq!(found.len(), 1, "rows for `{id}`: {rows:?}");
    found[0]
}

/// The model conversation's option numbers for court-ordered-dui with seed 42.
fn best_path() -> Vec<usize> {
    let o = ok(&[
        "play",
        "court-ordered-dui",
        "--seed",
        "42",
        "--auto",
        "best",
        "--json",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    v["transcript"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_u64().unwrap() as usize)
        .collect()
}

fn join(c: &[usize]) -> String {
    c.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

fn play_json(choices: &[usize]) -> Value {
    let o = ok(&[
        "play",
        "court-ordered-dui",
        "--seed",
        "42",
        "--choices",
        &join(choices),
        "--json",
    ]);
    serde_json::from_slice(&o.stdout).unwrap()
}

fn wait_for_choices(progress: &Path, n: usize) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(text) = std::fs::read_to_string(progress)
            && let Ok(v) = serde_json::from_str::<Value>(&text)
            && v["scenarios"][0]["choices"].as_array().map(Vec::len) == Some(n)
        {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "progress never showed {n} choices: {}",
            std::fs::read_to_string(progress).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_killed_session_resumes_at_the_same_point_with_every_earlier_choice() {
    let class = Class::new();
    // The default results folder: $CHANGETALK_HOME/data/results, as the app uses.
    let home = class.path("home");
    let results = home.join("data").join("results");
    let progress = results.join("week3--s100.progress.json");
    let final_result = results.join("week3--s100.json");
    let path = best_path();
    assert!(path.len() > 3);
    let ex = class.exercise();
    let spawn = || {
        bin()
            .env("CHANGETALK_HOME", &home)
            .args([
                "exercise",
                "run",
                s(&ex),
                "--student",
                "Ada Lovelace",
                "--id",
                "s100",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("binary starts")
    };

    // First run: two replies, then the process is killed between turns 2 and 3.
    let mut child = spawn();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{}", path[0]).unwrap();
    stdin.flush().unwrap();
    wait_for_choices(&progress, 1);
    writeln!(stdin, "{}", path[1]).unwrap();
    stdin.flush().unwrap();
    let saved = wait_for_choices(&progress, 2);
    child.kill().expect("kill -9"); // SIGKILL on Unix: no chance to clean up
    let _ = child.wait();
    drop(stdin);
    assert!(!final_result.exists());
    let after_kill = read_json(&progress);
    assert_eq!(
        after_kill, saved,
        "the progress file survived the kill intact"
    );
    assert_eq!(after_kill["complete"], false);
    let first_two = after_kill["scenarios"][0]["choices"].clone();

    // Second run: resumes at turn 3 and finishes.
    let mut child = spawn();
    {
        let mut stdin = child.stdin.take().unwrap();
        for c in &path[2..] {
            writeln!(stdin, "{c}").unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{}\n{}", text, stderr(&out));
    assert!(
        text.contains("Resuming: 2 earlier replies restored")
            && text.contains("Continuing at turn 3 (2 earlier replies restored)"),
        "{text}"
    );
    // The same point: the client line waiting after the first two replies.
    let three = play_json(&path[..3]);
    let pending = three["transcript"]["turns"][2]["client"]["text"]
        .as_str()
        .unwrap();
    let turn3 = text.find("Turn 3\n").expect("turn 3 shown");
    assert!(
        !text[..turn3].contains("Turn 1\n") && !text[..turn3].contains("Turn 2\n"),
        "it must not replay turns 1 and 2 with the student: {text}"
    );
    assert!(
        text[turn3..].starts_with("Turn 3\nRick") && text[turn3..].contains(pending),
        "turn 3 shows `{pending}`:\n{text}"
    );

    // The final result: every choice, the earlier ones exactly as saved; progress removed.
    assert!(!progress.exists(), "progress file removed after finishing");
    let r = read_json(&final_result);
    assert_eq!(r["complete"], true);
    assert_eq!(r["student"]["id"], "s100");
    let choices = r["scenarios"][0]["choices"].as_array().unwrap();
    let numbers: Vec<usize> = choices
        .iter()
        .map(|c| c["number"].as_u64().unwrap() as usize)
        .collect();
    assert_eq!(numbers, path);
    assert_eq!(choices[..2], first_two.as_array().unwrap()[..]);
    for w in choices.windows(2) {
        assert!(w[0]["at_ms"].as_u64() <= w[1]["at_ms"].as_u64());
    }
    assert_eq!(r["score"], play_json(&path)["score"]);
    // …and it grades clean.
    std::fs::copy(&final_result, class.result("s100")).unwrap();
    let (h, rows, _) = class.gradebook(&[]);
    assert_eq!(row_of(&h, &rows, "s100")[col(&h, "flags")], "");
}

#[test]
fn a_result_carries_the_same_score_object_as_play_json() {
    let class = Class::new();
    let path = best_path();
    class.play("Ada", "s1", &["--choices", &join(&path)]);
    let r = read_json(&class.result("s1"));
    let p = play_json(&path);
    assert_eq!(r["score"], p["score"]);
    assert_eq!(r["scores"][0], p["score"]);
    assert_eq!(r["total"], p["score"]["overall"]);
    assert_eq!(r["passed"], true);
    for key in [
        "student",
        "exercise",
        "scenarios",
        "seed",
        "app_version",
        "started_at",
        "finished_at",
        "complete",
        "score",
    ] {
        assert!(r.get(key).is_some(), "result lacks `{key}`");
    }
    assert_eq!(r["seed"], 42);
    assert_eq!(r["scenarios"][0]["id"], "court-ordered-dui");
    assert_eq!(r["scenarios"][0]["hash"].as_str().unwrap().len(), 64);
    assert_eq!(r["app_version"], env!("CARGO_PKG_VERSION"));
    // One attempt only.
    let ex = class.exercise();
    let res = class.results();
    let o = run(&[
        "exercise",
        "run",
        s(&ex),
        "--student",
        "Ada",
        "--id",
        "s1",
        "--auto",
        "best",
        "--results",
        s(&res),
    ]);
    fails_with(&o, "has used 1 of 1 attempt");
}

#[test]
fn every_edit_of_a_stored_score_is_flagged() {
    let class = Class::new();
    class.play("Clean", "clean", &["--auto", "best"]);
    let original = read_json(&class.result("clean"));
    type Edit = fn(&mut Value);
    let edits: Vec<(&str, Edit)> = vec![
        ("overall", |v| v["score"]["overall"] = 99.0.into()),
        ("overall-both", |v| {
            v["score"]["overall"] = 99.0.into();
            v["scores"][0]["overall"] = 99.0.into();
            v["total"] = 99.0.into();
        }),
        ("total", |v| v["total"] = 100.0.into()),
        ("passed", |v| v["passed"] = false.into()),
        ("per-scenario", |v| v["scores"][0]["overall"] = 1.5.into()),
        ("count", |v| v["score"]["counts"]["confront"] = 5.into()),
        ("ratio", |v| {
            v["score"]["reflection_to_question"] = 9.99.into()
        }),
        ("band", |v| {
            v["score"]["bands"]["relational"]["band"] = "below_fair".into()
        }),
        ("global", |v| v["score"]["globals"]["empathy"] = 1.into()),
        ("feedback", |v| {
            v["score"]["feedback"]["strengths"][0] = "Perfect.".into()
        }),
        ("removed", |v| {
            v.as_object_mut().unwrap().remove("score");
        }),
        ("removed-scores", |v| {
            v.as_object_mut().unwrap().remove("scores");
        }),
        ("added-key", |v| v["score"]["bonus"] = 10.into()),
        ("tiny", |v| {
            let x = v["score"]["overall"].as_f64().unwrap();
            v["score"]["overall"] = (x + 0.1).into();
        }),
    ];
    for (i, (name, edit)) in edits.iter().enumerate() {
        let mut v = original.clone();
        let id = format!("e{i:02}-{name}");
        v["student"]["id"] = id.clone().into();
        edit(&mut v);
        write_json(&class.result(&id), &v);
    }
    // A worst-path student whose score was raised to the best student's.
    class.play("Worst", "worst", &["--auto", "worst"]);
    let mut w = read_json(&class.result("worst"));
    w["score"] = original["score"].clone();
    w["scores"] = original["scores"].clone();
    w["total"] = original["total"].clone();
    w["passed"] = true.into();
    write_json(&class.result("worst"), &w);
    // Choices edited to the best path but the option ids left as played.
    class.play("Chooser", "chooser", &["--auto", "worst"]);
    let mut c = read_json(&class.result("chooser"));
    for (k, ch) in c["scenarios"][0]["choices"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        ch["number"] = original["scenarios"][0]["choices"][k]["number"].clone();
    }
    write_json(&class.result("chooser"), &c);

    let (h, rows, o) = class.gradebook(&[]);
    let flags = col(&h, "flags");
    assert_eq!(row_of(&h, &rows, "clean")[flags], "", "the clean result");
    for (i, (name, _)) in edits.iter().enumerate() {
        let id = format!("e{i:02}-{name}");
        let f = &row_of(&h, &rows, &id)[flags];
        assert!(
            f.contains("score_edited"),
            "edit `{name}` not flagged: `{f}`"
        );
        // The gradebook shows the recomputed score, never the edited one.
        assert_eq!(
            row_of(&h, &rows, &id)[col(&h, "Week 3 total")],
            row_of(&h, &rows, "clean")[col(&h, "Week 3 total")]
        );
    }
    let wr = row_of(&h, &rows, "worst");
    assert!(wr[flags].contains("score_edited"), "{wr:?}");
    assert_eq!(wr[col(&h, "Week 3 pass")], "fail");
    let cr = &row_of(&h, &rows, "chooser")[flags];
    assert!(
        cr.contains("choice_mismatch") || cr.contains("invalid_choices"),
        "{cr}"
    );
    let err = stderr(&o);
    assert!(
        err.contains("week3--e00-overall.json: stored scores differ from the recorded choices: score.overall: stored 99"),
        "{err}"
    );
}

#[test]
fn every_scenario_hash_mismatch_is_flagged_and_a_changed_scenario_is_detected() {
    // The exercise pins a scenario file next to it.
    let dir = tempfile::tempdir().unwrap();
    let scen = dir.path().join("scenarios");
    std::fs::create_dir(&scen).unwrap();
    let original = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/court-ordered-dui.ron"),
    )
    .unwrap();
    // A local copy that differs from the bundled file, so only this file has the pinned hash.
    let original = format!("// local copy\n{original}");
    let file = scen.join("dui-local.ron");
    std::fs::write(&file, &original).unwrap();
    let ex = dir.path().join("week3.ron");
    let res = dir.path().join("results");
    ok(&[
        "exercise",
        "new",
        "--scenario",
        s(&file),
        "-o",
        s(&ex),
        "--seed",
        "42",
    ]);
    assert!(
        std::fs::read_to_string(&ex)
            .unwrap()
            .contains("file: \"scenarios/dui-local.ron\""),
        "the file is pinned relative to the exercise"
    );
    let play = |id: &str| {
        ok(&[
            "exercise",
            "run",
            s(&ex),
            "--student",
            id,
            "--id",
            id,
            "--auto",
            "best",
            "--results",
            s(&res),
        ])
    };
    play("a");
    play("b");
    play("c");
    // One result claims another version of the scenario, one another seed.
    let pb = res.join("week3--b.json");
    let mut b = read_json(&pb);
    b["scenarios"][0]["hash"] = "0".repeat(64).into();
    write_json(&pb, &b);
    let pc = res.join("week3--c.json");
    let mut c = read_json(&pc);
    c["scenarios"][0]["seed"] = 7.into();
    write_json(&pc, &c);
    let csv = dir.path().join("g.csv");
    let o = ok(&["grade", s(&ex), s(&res), "--csv", s(&csv)]);
    let rows = parse_csv(&std::fs::read_to_string(&csv).unwrap());
    let h = &rows[0];
    let flags = col(h, "flags");
    assert_eq!(row_of(h, &rows[1..], "a")[flags], "");
    assert!(row_of(h, &rows[1..], "b")[flags].contains("scenario_hash"));
    assert!(row_of(h, &rows[1..], "c")[flags].contains("seed"));
    assert!(
        stderr(&o).contains("scenario `dui-local`")
            || stderr(&o).contains("was played in version 000000000000"),
        "{}",
        stderr(&o)
    );

    // The scenario file changes (one comment): playing and grading refuse, naming the fix.
    std::fs::write(&file, format!("// edited\n{original}")).unwrap();
    for args in [
        vec!["grade", s(&ex), s(&res)],
        vec![
            "exercise",
            "run",
            s(&ex),
            "--student",
            "d",
            "--id",
            "d",
            "--auto",
            "best",
            "--results",
            s(&res),
        ],
        vec!["exercise", "check", s(&ex)],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let e = stderr(&o);
        assert!(
            e.contains("week3.ron:") && e.contains("has changed since the exercise was made"),
            "{e}"
        );
    }
    // Re-pinned to the new version: every earlier result is flagged.
    let ex2 = dir.path().join("week3b.ron");
    ok(&[
        "exercise",
        "new",
        "--scenario",
        s(&file),
        "-o",
        s(&ex2),
        "--seed",
        "42",
    ]);
    for f in ["a", "b", "c"] {
        std::fs::rename(
            res.join(format!("week3--{f}.json")),
            res.join(format!("week3b--{f}.json")),
        )
        .unwrap();
    }
    let csv2 = dir.path().join("g2.csv");
    ok(&["grade", s(&ex2), s(&res), "--csv", s(&csv2)]);
    let rows = parse_csv(&std::fs::read_to_string(&csv2).unwrap());
    for id in ["a", "b", "c"] {
        let f = &row_of(&rows[0], &rows[1..], id)[flags];
        assert!(f.contains("scenario_hash"), "{id}: {f}");
    }
}

#[test]
fn corrupt_and_truncated_files_are_reported_by_name_and_grading_goes_on() {
    let class = Class::new();
    class.play("Good One", "g1", &["--auto", "best"]);
    class.play("Good Two", "g2", &["--auto", "worst"]);
    class.play("Victim", "t1", &["--auto", "best"]);
    let full = std::fs::read(class.result("t1")).unwrap();
    std::fs::write(class.result("t1"), &full[..full.len() / 2]).unwrap();
    std::fs::write(class.results().join("binary.json"), b"\x00\xff\xfe garbage").unwrap();
    std::fs::write(class.results().join("empty.json"), b"").unwrap();
    std::fs::write(class.results().join("notes.json"), b"{\"hello\": 1}").unwrap();
    let mut missing_field = read_json(&class.result("g1"));
    missing_field.as_object_mut().unwrap().remove("student");
    write_json(&class.results().join("nofield.json"), &missing_field);
    std::fs::write(
        class.results().join("broken.json"),
        b"{\"format\": \"changetalk-result/1\",]",
    )
    .unwrap();

    let (h, rows, o) = class.gradebook(&[]);
    let err = stderr(&o);
    for (name, what) in [
        ("week3--t1.json", "truncated"),
        ("binary.json", "not UTF-8"),
        ("empty.json", "empty"),
        ("notes.json", "not a ChangeTalk result"),
        ("nofield.json", "missing field `student`"),
        ("broken.json", "corrupt"),
    ] {
        assert!(
            err.lines().any(|l| l.contains(name) && l.contains(what)),
            "`{name}` not reported as {what}:\n{err}"
        );
    }
    let total = col(&h, "Week 3 total");
    assert!(!row_of(&h, &rows, "g1")[total].is_empty());
    assert!(!row_of(&h, &rows, "g2")[total].is_empty());
    assert_eq!(row_of(&h, &rows, "g1")[col(&h, "flags")], "");
    // The truncated file's student, known from the file name, gets a flagged row.
    let t = row_of(&h, &rows, "t1");
    assert_eq!(t[total], "");
    assert_eq!(t[col(&h, "flags")], "corrupt");
    assert!(stdout(&o).contains("2 graded"), "{}", stdout(&o));
}

#[test]
fn duplicate_missing_and_unfinished_students_are_flagged() {
    let class = Class::new();
    class.play("Ann", "ann", &["--auto", "best"]);
    class.play("Ben", "ben", &["--auto", "worst"]);
    // Ben's result also sits under another name.
    std::fs::copy(class.result("ben"), class.results().join("ben-copy.json")).unwrap();
    // Cat started and stopped after one reply (progress only).
    let ex = class.exercise();
    let res = class.results();
    let mut child = bin()
        .args([
            "exercise",
            "run",
            s(&ex),
            "--student",
            "Cat",
            "--id",
            "cat",
            "--results",
            s(&res),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"1\nq\n").unwrap();
    assert!(child.wait().unwrap().success());
    assert!(res.join("week3--cat.progress.json").exists());
    // A result that names no student.
    let mut anon = read_json(&class.result("ann"));
    anon["student"]["id"] = "".into();
    write_json(&res.join("anonymous.json"), &anon);
    let roster = class.path("roster.csv");
    std::fs::write(&roster, "id,name\nann,Ann\nben,Ben\ncat,Cat\ndan,Dan\n").unwrap();

    let (h, rows, _) = class.gradebook(&["--roster", s(&roster)]);
    let flags = col(&h, "flags");
    let ids: Vec<&str> = rows
        .iter()
        .map(|r| r[col(&h, "SIS User ID")].as_str())
        .collect();
    assert_eq!(
        ids.iter().filter(|i| **i == "ben").count(),
        1,
        "one row per student: {ids:?}"
    );
    assert_eq!(row_of(&h, &rows, "ann")[flags], "");
    assert!(row_of(&h, &rows, "ben")[flags].contains("duplicate"));
    assert!(row_of(&h, &rows, "cat")[flags].contains("incomplete"));
    let dan = row_of(&h, &rows, "dan");
    assert_eq!(dan[flags], "missing");
    assert_eq!(dan[col(&h, "Student")], "Dan");
    assert!(row_of(&h, &rows, "")[flags].contains("no_student"));
}

#[test]
fn the_gradebook_has_the_lms_columns_one_row_per_student() {
    let class = Class::with(&[
        "--scenario",
        "court-ordered-dui",
        "--scenario",
        "recovery-burnout",
    ]);
    class.play("Doe, Jane", "s1", &["--auto", "best"]);
    class.play("=cmd()", "s2", &["--auto", "worst"]);
    let (h, rows, _) = class.gradebook(&[]);
    assert_eq!(
        h,
        vec![
            "Student",
            "ID",
            "SIS User ID",
            "SIS Login ID",
            "Section",
            "Week 3 total",
            "Week 3: court-ordered-dui overall",
            "Week 3: recovery-burnout overall",
            "Week 3 pass",
            "flags",
        ]
    );
    assert_eq!(rows.len(), 2);
    let r1 = row_of(&h, &rows, "s1");
    assert_eq!(r1[0], "Doe, Jane");
    assert_eq!(r1[col(&h, "Week 3 pass")], "pass");
    let a: f64 = r1[6].parse().unwrap();
    let b: f64 = r1[7].parse().unwrap();
    let total: f64 = r1[5].parse().unwrap();
    assert!(
        (total - (a + b) / 2.0).abs() <= 0.051,
        "total is the mean: {r1:?}"
    );
    assert_eq!(r1[col(&h, "flags")], "");
    let r2 = row_of(&h, &rows, "s2");
    assert_eq!(r2[0], "'=cmd()", "formula-like names are defused");
    assert_eq!(r2[col(&h, "Week 3 pass")], "fail");
    // The result's multi-scenario rule: total = mean of the scenarios' overall scores.
    let r = read_json(&class.result("s1"));
    assert_eq!(r["scores"].as_array().unwrap().len(), 2);
    assert_eq!(r["total"].as_f64().unwrap(), total);
}

// ---------------------------------------------------------------------------------------
// xAPI validators (xAPI 1.0.3, Data section)
// ---------------------------------------------------------------------------------------

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
        && (b'1'..=b'5').contains(&b[14])
        && matches!(b[19].to_ascii_lowercase(), b'8' | b'9' | b'a' | b'b')
}

/// ISO 8601 duration: P[nY][nM][nW][nD][T[nH][nM][n[.n]S]] with at least one part.
fn is_iso_duration(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('P') else {
        return false;
    };
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => {
            if t.is_empty() {
                return false;
            }
            (d, Some(t))
        }
        None => (rest, None),
    };
    let parts = |text: &str, units: &[char], frac_last: bool| -> Option<usize> {
        let mut count = 0;
        let mut num = String::new();
        let mut next_unit = 0;
        for c in text.chars() {
            if c.is_ascii_digit() || (c == '.' && frac_last) {
                num.push(c);
            } else {
                let pos = units.iter().position(|u| *u == c)?;
                if pos < next_unit || num.is_empty() || num.starts_with('.') || num.ends_with('.') {
                    return None;
                }
                if num.contains('.') && pos != units.len() - 1 {
                    return None;
                }
                next_unit = pos + 1;
                num.clear();
                count += 1;
            }
        }
        num.is_empty().then_some(count)
    };
    let Some(d) = parts(date, &['Y', 'M', 'W', 'D'], false) else {
        return false;
    };
    let t = match time {
        Some(t) => match parts(t, &['H', 'M', 'S'], true) {
            Some(n) if n > 0 => n,
            _ => return false,
        },
        None => 0,
    };
    d + t > 0
}

/// ISO 8601 timestamp in UTC: YYYY-MM-DDTHH:MM:SS[.fff]Z.
fn is_iso_timestamp_utc(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    if b.len() < 20
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
    {
        return false;
    }
    if b[10] != b'T'
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let month: u32 = s[5..7].parse().unwrap();
    let day: u32 = s[8..10].parse().unwrap();
    let hour: u32 = s[11..13].parse().unwrap();
    let min: u32 = s[14..16].parse().unwrap();
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || min > 59 {
        return false;
    }
    let rest = &s[19..];
    let rest = match rest.strip_prefix('.') {
        Some(f) => {
            let n = f.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return false;
            }
            &f[n..]
        }
        None => rest,
    };
    rest == "Z"
}

fn is_iri(s: &str) -> bool {
    match s.split_once(':') {
        Some((scheme, rest)) => {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !rest.is_empty()
                && !s.contains(' ')
        }
        None => false,
    }
}

fn check_activity(a: &Value, what: &str) {
    if let Some(t) = a.get("objectType") {
        assert_eq!(t, "Activity", "{what}");
    }
    assert!(
        is_iri(a["id"].as_str().unwrap_or("")),
        "{what}: id {}",
        a["id"]
    );
    if let Some(d) = a.get("definition") {
        assert!(
            d["name"]["en-US"].is_string(),
            "{what}: name is a language map"
        );
        if let Some(t) = d.get("type") {
            assert!(is_iri(t.as_str().unwrap()), "{what}: type");
        }
    }
}

/// Checks one statement against the specification's requirements.
fn check_statement(st: &Value) {
    let obj = st.as_object().expect("a statement is an object");
    for k in obj.keys() {
        assert!(
            [
                "id",
                "actor",
                "verb",
                "object",
                "result",
                "context",
                "timestamp",
                "stored",
                "authority",
                "version",
                "attachments"
            ]
            .contains(&k.as_str()),
            "unknown property `{k}`"
        );
    }
    assert!(
        !obj.contains_key("stored") && !obj.contains_key("authority"),
        "set by the LRS"
    );
    assert!(is_uuid(st["id"].as_str().unwrap()), "id {}", st["id"]);
    // Actor: an Agent identified by exactly one inverse functional identifier, an account.
    let actor = &st["actor"];
    assert_eq!(actor["objectType"], "Agent");
    for ifi in ["mbox", "mbox_sha1sum", "openid"] {
        assert!(actor.get(ifi).is_none(), "only one IFI");
    }
    let acc = &actor["account"];
    let home = acc["homePage"].as_str().unwrap();
    assert!(
        home.starts_with("https://") || home.starts_with("http://"),
        "homePage is an IRL"
    );
    assert!(!acc["name"].as_str().unwrap().is_empty());
    // Verb.
    let verb = st["verb"]["id"].as_str().unwrap();
    assert!(
        [
            "http://adlnet.gov/expapi/verbs/completed",
            "http://adlnet.gov/expapi/verbs/passed",
            "http://adlnet.gov/expapi/verbs/failed"
        ]
        .contains(&verb),
        "{verb}"
    );
    assert_eq!(
        st["verb"]["display"]["en-US"].as_str().unwrap(),
        verb.rsplit('/').next().unwrap()
    );
    // Object: the scenario.
    check_activity(&st["object"], "object");
    assert!(st["object"]["id"].as_str().unwrap().contains("/scenarios/"));
    // Result.
    let r = &st["result"];
    let scaled = r["score"]["scaled"].as_f64().unwrap();
    assert!((-1.0..=1.0).contains(&scaled), "scaled {scaled}");
    let (raw, min, max) = (
        r["score"]["raw"].as_f64().unwrap(),
        r["score"]["min"].as_f64().unwrap(),
        r["score"]["max"].as_f64().unwrap(),
    );
    assert!(min <= raw && raw <= max && min < max);
    assert!(r["success"].is_boolean() && r["completion"].is_boolean());
    match verb.rsplit('/').next().unwrap() {
        "passed" => assert_eq!(r["success"], true),
        "failed" => assert_eq!(r["success"], false),
        _ => assert_eq!(r["completion"], true),
    }
    assert!(
        is_iso_duration(r["duration"].as_str().unwrap()),
        "duration {}",
        r["duration"]
    );
    // Context: the exercise.
    let c = &st["context"];
    assert!(is_uuid(c["registration"].as_str().unwrap()));
    let parents = c["contextActivities"]["parent"].as_array().unwrap();
    assert_eq!(parents.len(), 1);
    check_activity(&parents[0], "parent");
    assert!(
        parents[0]["id"]
            .as_str()
            .unwrap()
            .contains("/exercises/week3")
    );
    for k in c["extensions"].as_object().unwrap().keys() {
        assert!(is_iri(k), "extension key {k}");
    }
    assert!(
        is_iso_timestamp_utc(st["timestamp"].as_str().unwrap()),
        "{}",
        st["timestamp"]
    );
    assert_eq!(st["version"], "1.0.3");
}

#[test]
fn the_validators_catch_bad_values() {
    assert!(is_uuid("888b44cc-5204-5a68-b2e3-7f7f02f1b26c"));
    assert!(!is_uuid("888b44cc-5204-5a68-c2e3-7f7f02f1b26c"));
    assert!(!is_uuid("888b44cc52045a68b2e37f7f02f1b26c"));
    for good in ["PT4M12S", "PT0S", "PT1H2M3.45S", "P1D", "P1DT2H", "PT0.5S"] {
        assert!(is_iso_duration(good), "{good}");
    }
    for bad in ["", "P", "PT", "4M12S", "PT4S12M", "PT1.5M", "PT.5S", "P1H"] {
        assert!(!is_iso_duration(bad), "{bad}");
    }
    assert!(is_iso_timestamp_utc("2025-03-01T09:30:05.123Z"));
    assert!(is_iso_timestamp_utc("2025-03-01T09:30:05Z"));
    for bad in [
        "2025-03-01T09:30:05",
        "2025-13-01T09:30:05Z",
        "2025-03-01 09:30:05Z",
        "2025-03-01T09:30:05+01:00",
    ] {
        assert!(!is_iso_timestamp_utc(bad), "{bad}");
    }
}

#[test]
fn xapi_statements_meet_the_specification() {
    let class = Class::new();
    let path = best_path();
    class.play("Ada Lovelace", "s1", &["--choices", &join(&path)]);
    class.play("Bob", "s2", &["--auto", "worst"]);
    class.play("Cy", "s3", &["--auto", "best"]);
    let mut cy = read_json(&class.result("s3"));
    cy["total"] = 1.into();
    write_json(&class.result("s3"), &cy);
    let xapi = class.path("statements.json");
    let o = class.grade(&[
        "--xapi",
        s(&xapi),
        "--xapi-home-page",
        "https://moodle.example.edu",
    ]);
    assert!(stdout(&o).contains("6 xAPI statements"), "{}", stdout(&o));
    let v = read_json(&xapi);
    let sts = v.as_array().unwrap();
    assert_eq!(sts.len(), 6, "completed + passed/failed for 3 students");
    let mut ids = std::collections::HashSet::new();
    for st in sts {
        check_statement(st);
        assert!(
            ids.insert(st["id"].as_str().unwrap().to_string()),
            "ids are unique"
        );
    }
    let by = |student: &str, verb: &str| {
        sts.iter()
            .find(|st| {
                st["actor"]["account"]["name"] == student
                    && st["verb"]["id"].as_str().unwrap().ends_with(verb)
            })
            .unwrap_or_else(|| panic!("no `{verb}` statement for {student}"))
    };
    let a = by("s1", "/passed");
    assert_eq!(a["actor"]["name"], "Ada Lovelace");
    assert_eq!(
        a["actor"]["account"]["homePage"],
        "https://moodle.example.edu"
    );
    let overall = play_json(&path)["score"]["overall"].as_f64().unwrap();
    assert!((a["result"]["score"]["scaled"].as_f64().unwrap() - overall / 100.0).abs() < 1e-9);
    assert_eq!(by("s2", "/failed")["result"]["success"], false);
    by("s2", "/completed");
    // The edited result is exported with its recomputed score and its flag.
    let c = by("s3", "/passed");
    let flags = c["context"]["extensions"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, _)| k.ends_with("/flags"))
        .unwrap()
        .1;
    assert_eq!(flags, &serde_json::json!(["score_edited"]));
    // Exporting again gives the same statements (an LRS stores them once).
    let again = class.path("again.json");
    class.grade(&[
        "--xapi",
        s(&again),
        "--xapi-home-page",
        "https://moodle.example.edu",
    ]);
    assert_eq!(read_json(&again), v);
}

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
