//! End-to-end tests of classroom exercises: `exercise new`, `exercise run` (scripted and
//! interactive, including a killed session that resumes), and `grade` with its gradebook and
//! flags. Run as a user would, through the binary. (xAPI: tests/xapi.rs; exercise files,
//! attempts and the class report: tests/exercise_files.rs.)

use std::io::Write as _;
use std::path::Path;
use std::process::Stdio;

use serde_json::Value;

#[path = "common/class.rs"]
mod class;
mod common;
use class::*;
use common::{bin, fails_with, stderr, stdout};

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
    assert!(
        r.get("scripted").is_none(),
        "typed replies are not scripted"
    );
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
        retime(&mut v, 7 * (i as u64 + 1));
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
    let play = |id: &str| play_as_student(&ex, &res, id, id, &["--auto", "best"]);
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
    class.play("Anon", "anon", &["--auto", "best"]);
    let mut anon = read_json(&class.result("anon"));
    std::fs::remove_file(class.result("anon")).unwrap();
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
// Forged and hostile result files (file-based grades are self-reported: each trick is flagged)
// ---------------------------------------------------------------------------------------

#[test]
fn forged_result_files_are_flagged_each_with_its_evidence() {
    let class = Class::new();
    class.play("Ann", "ann", &["--auto", "best"]);
    class.play("Honest", "honest", &["--auto", "best"]);
    // One good reply, then `end`.
    let path = best_path();
    class.play("Quit", "quit", &["--choices", &path[0].to_string()]);
    let ann = read_json(&class.result("ann"));
    let forge = |file: &str, id: &str, pace: u64, edit: &dyn Fn(&mut Value)| {
        let mut v = ann.clone();
        v["student"]["id"] = id.into();
        v["student"]["name"] = id.to_uppercase().into();
        retime(&mut v, pace);
        edit(&mut v);
        write_json(&class.results().join(file), &v);
    };
    // Handed in under another student's file name.
    forge("week3--eve.json", "mallory", 11, &|_| {});
    // Ann's file with Bob's name and id: the same replies at the same milliseconds.
    forge("week3--bob.json", "bob", 0, &|_| {});
    forge("week3--zero.json", "zero", 0, &|v| {
        for c in v["scenarios"][0]["choices"].as_array_mut().unwrap() {
            c["at_ms"] = 0.into();
        }
    });
    forge("week3--back.json", "back", 23, &|v| {
        v["scenarios"][0]["choices"][3]["at_ms"] = 1.into()
    });
    forge("week3--wrap.json", "wrap", 29, &|v| {
        let last = v["scenarios"][0]["choices"].as_array().unwrap().len() - 1;
        v["scenarios"][0]["choices"][last]["at_ms"] = (i64::MAX as u64 - 807).into();
    });
    forge("week3--clock.json", "clock", 31, &|v| {
        v["finished_at"] = "2020-01-01T00:00:00.000Z".into()
    });
    forge("week3--bot.json", "bot", 37, &|v| {
        v["scripted"] = "auto best".into()
    });
    forge("week3--prac.json", "prac", 41, &|v| {
        v["mode"] = "practice".into()
    });

    let xapi = class.path("x.json");
    let report = class.path("r.html");
    let (h, rows, o) = class.gradebook(&["--xapi", s(&xapi), "--report", s(&report)]);
    let flags = |id: &str| row_of(&h, &rows, id)[col(&h, "flags")].clone();
    for (id, want) in [
        ("ann", "copied"),
        ("bob", "copied"),
        ("honest", ""),
        ("mallory", "file_name"),
        ("zero", "timing"),
        ("back", "timing"),
        ("wrap", "timing"),
        ("clock", "clock"),
        ("bot", "scripted"),
        ("prac", "mode"),
        ("quit", "stopped"),
    ] {
        assert_eq!(flags(id), want, "{id}");
    }
    assert_eq!(row_of(&h, &rows, "quit")[col(&h, "Week 3 pass")], "fail");
    let err = stderr(&o);
    for evidence in [
        "flag file_name: week3--eve.json: the file's name gives student `eve`, but the file holds the result of student `mallory`",
        "flag copied: week3--bob.json: the same replies at the same milliseconds as week3--ann.json (student `ann`)",
        "flag timing: week3--zero.json: every reply is timed at 0 ms",
        "flag timing: week3--back.json: scenario `court-ordered-dui` reply 4 is timed at 1 ms, before",
        "flag timing: week3--wrap.json: scenario `court-ordered-dui` reply",
        "flag clock: week3--clock.json: finished_at 2020-01-01T00:00:00.000Z is before started_at",
        "flag scripted: week3--bot.json: the replies were played by the program (auto best)",
        "flag mode: week3--prac.json: played in practice mode, but the exercise is an assessment",
        "flag stopped: week3--quit.json: scenario `court-ordered-dui` was ended after 1 reply, before its ending",
    ] {
        assert!(err.contains(evidence), "`{evidence}` not in:\n{err}");
    }
    // No reply time wraps into an impossible xAPI timestamp.
    let sts = read_json(&xapi);
    let this_year = &ann["started_at"].as_str().unwrap()[..4];
    for st in sts.as_array().unwrap() {
        let t = st["timestamp"].as_str().unwrap();
        assert!(
            t.starts_with(this_year),
            "{}: {t}",
            st["actor"]["account"]["name"]
        );
        assert!(!st["result"]["duration"].as_str().unwrap().contains('-'));
    }
    assert!(
        std::fs::read_to_string(&report)
            .unwrap()
            .contains("week3--eve.json")
    );
}

#[test]
fn control_characters_in_names_and_ids_never_reach_the_terminal() {
    let class = Class::new();
    class.play("Ann", "ann", &["--auto", "best"]);
    class.play("Eve", "eve", &["--auto", "worst"]);
    // Eve's name hides the rest of the line, and fakes a gradebook row.
    let mut eve = read_json(&class.result("eve"));
    eve["student"]["name"] = "Eve\u{1b}[8m\r\nann  Ann  100.0  pass\u{9b}2J\u{7}".into();
    write_json(&class.result("eve"), &eve);
    // An id with an escape sequence, in a file of its own name.
    let mut odd = read_json(&class.result("ann"));
    retime(&mut odd, 17);
    odd["student"]["id"] = "x\u{1b}]0;owned\u{7}".into();
    write_json(&class.results().join("odd.json"), &odd);
    let report = class.path("r.html");
    let (h, rows, o) = class.gradebook(&["--report", s(&report)]);
    for text in [stdout(&o), stderr(&o)] {
        assert!(
            !text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t'),
            "a control character was printed: {text:?}"
        );
    }
    let out = stdout(&o);
    assert_eq!(
        out.lines().filter(|l| l.starts_with("ann ")).count(),
        1,
        "no faked row: {out}"
    );
    assert!(out.contains("Eve[8m  ann  Ann  100.0  pass2J"), "{out}");
    // The CSV keeps one row per student, quoted correctly.
    assert_eq!(rows.len(), 3, "{rows:?}");
    let e = row_of(&h, &rows, "eve");
    assert_eq!(e[0], "Eve[8m  ann  Ann  100.0  pass2J");
    let odd_row = row_of(&h, &rows, "x]0;owned");
    assert!(
        odd_row[col(&h, "flags")].contains("no_student"),
        "{odd_row:?}"
    );
    assert!(stderr(&o).contains("the student id `x]0;owned` is not a usable id"));
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(!html.contains('\u{1b}'));

    // The status line of a resumed run, from a progress file with a hostile name.
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
    let progress = res.join("week3--cat.progress.json");
    let mut p = read_json(&progress);
    p["student"]["name"] = "Cat\u{1b}[2J\rFAKE".into();
    write_json(&progress, &p);
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
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"q\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let text = stdout(&out);
    assert!(text.contains("Student: Cat[2J FAKE (cat)"), "{text}");
    assert!(!text.contains('\u{1b}') && !text.contains('\r'), "{text:?}");
}

#[test]
fn scripted_runs_are_refused_in_an_assessment_and_flagged_in_practice() {
    let class = Class::new();
    let ex = class.exercise();
    let res = class.results();
    let path = join(&best_path());
    for how in [["--auto", "best"], ["--choices", path.as_str()]] {
        let mut args = vec![
            "exercise",
            "run",
            s(&ex),
            "--student",
            "Bot",
            "--id",
            "bot",
            "--results",
            s(&res),
        ];
        args.extend_from_slice(&how);
        let o = run(&args);
        fails_with(&o, "week3.ron: error: this exercise is an assessment");
        fails_with(&o, &format!("{} is refused", how[0]));
    }
    assert_eq!(
        std::fs::read_dir(&res).unwrap().count(),
        0,
        "a refused run leaves nothing"
    );
    // In a practice exercise scripted runs play, and say so.
    let practice = Class::with(&["--scenario", "court-ordered-dui", "--mode", "practice"]);
    practice.play_scripted("Bot", "bot", &["--auto", "best"]);
    practice.play_scripted("Cho", "cho", &["--choices", &path]);
    practice.play("Pat", "pat", &["--auto", "best"]);
    assert_eq!(read_json(&practice.result("bot"))["scripted"], "auto best");
    assert_eq!(read_json(&practice.result("cho"))["scripted"], "choices");
    let (h, rows, _) = practice.gradebook(&[]);
    let flags = col(&h, "flags");
    assert!(row_of(&h, &rows, "bot")[flags].contains("scripted"));
    assert!(row_of(&h, &rows, "cho")[flags].contains("scripted"));
    assert_eq!(row_of(&h, &rows, "pat")[flags], "");
}

// ---------------------------------------------------------------------------------------
// xAPI validators (xAPI 1.0.3, Data section)
// ---------------------------------------------------------------------------------------
