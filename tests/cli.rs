//! End-to-end tests of the `changetalk` command line, run as a user would.

use std::path::Path;

mod common;
use common::{bin, fails_with, root, run, stderr, stdout};

fn bundled_ids() -> Vec<String> {
    let mut ids = Vec::new();
    for entry in std::fs::read_dir(root().join("scenarios")).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|x| x == "ron") {
            let text = std::fs::read_to_string(&p).unwrap();
            let s = changetalk_core::load_scenario(&text).expect("bundled scenario is valid");
            ids.push(s.id);
        }
    }
    ids.sort();
    ids
}

fn json(args: &[&str]) -> serde_json::Value {
    let o = run(args);
    assert!(o.status.success(), "{args:?} failed: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("valid JSON")
}

#[test]
fn every_scenario_file_is_bundled_in_the_binary() {
    let mut on_disk: Vec<String> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".ron"))
        .collect();
    on_disk.sort();
    let mut bundled: Vec<String> = changetalk::library::BUNDLED
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    bundled.sort();
    assert_eq!(
        bundled, on_disk,
        "list every scenarios/*.ron in BUNDLED (src/library.rs)"
    );
}

#[test]
fn bundled_scenarios_validate() {
    let o = run(&["validate", root().join("scenarios").to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(bundled_ids().len() >= 2);
}

/// The first session of `play --json`: the whole output for a single-session client, the
/// first of `sessions` for a course.
fn first_session(v: serde_json::Value) -> serde_json::Value {
    match v.get("sessions") {
        Some(s) => s[0].clone(),
        None => v,
    }
}

#[test]
fn best_path_beats_worst_by_forty_points_in_the_good_band() {
    for id in bundled_ids() {
        let best = first_session(json(&["play", &id, "--auto", "best", "--json"]));
        let worst = first_session(json(&["play", &id, "--auto", "worst", "--json"]));
        let b = best["score"]["overall"].as_f64().unwrap();
        let w = worst["score"]["overall"].as_f64().unwrap();
        assert!(b >= w + 40.0, "{id}: best {b} vs worst {w}");
        assert_eq!(
            best["score"]["bands"]["reflection_to_question"]["band"], "good",
            "{id}: R:Q"
        );
        assert_eq!(
            best["score"]["bands"]["percent_complex_reflections"]["band"], "good",
            "{id}: %CR"
        );
        assert_eq!(
            worst["transcript"]["ending"]["outcome"], "disengaged",
            "{id}: worst path should lose the client"
        );
        let turns = best["transcript"]["turns"].as_array().unwrap().len();
        assert!(turns >= 12, "{id}: best path has {turns} decision points");
    }
}

#[test]
fn play_json_is_byte_identical_for_the_same_inputs() {
    let a = run(&[
        "play",
        "court-ordered-dui",
        "--seed",
        "42",
        "--choices",
        "1,2,1",
        "--json",
    ]);
    let b = run(&[
        "play",
        "court-ordered-dui",
        "--seed",
        "42",
        "--choices",
        "1,2,1",
        "--json",
    ]);
    assert!(a.status.success(), "{}", stderr(&a));
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn score_object_has_the_documented_keys() {
    let v = json(&["play", "recovery-burnout", "--auto", "best", "--json"]);
    let s = &v["score"];
    for key in [
        "counts",
        "reflection_to_question",
        "percent_complex_reflections",
        "percent_open_questions",
        "mi_adherent",
        "mi_non_adherent",
        "change_talk_share",
        "globals",
        "bands",
        "overall",
    ] {
        assert!(s.get(key).is_some(), "score lacks `{key}`");
    }
    for g in [
        "cultivating_change_talk",
        "softening_sustain_talk",
        "partnership",
        "empathy",
        "technical",
        "relational",
    ] {
        assert!(s["globals"].get(g).is_some(), "globals lack `{g}`");
    }
    for c in changetalk_core::MitiCode::ALL {
        assert!(
            s["counts"].get(c.json_name()).is_some(),
            "counts lack `{}`",
            c.json_name()
        );
    }
}

#[test]
fn score_transcript_scores_a_hand_coded_csv() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("r.csv");
    std::fs::write(
        &p,
        "speaker,code,text\nclient,sustain_talk,I'm fine.\ncounselor,complex_reflection,You're fed up with being asked.\nclient,change_talk,\"Well, my wife worries.\"\ncounselor,open_question,What does she worry about?\n",
    )
    .unwrap();
    let v = json(&["score-transcript", p.to_str().unwrap(), "--json"]);
    assert_eq!(v["reflection_to_question"], 1.0);
    assert_eq!(v["percent_complex_reflections"], 100.0);
    assert_eq!(v["change_talk_share"], 0.5);
    // A bad code is reported at its line and column.
    std::fs::write(&p, "speaker,code,text\ncounselor,reflect,x\n").unwrap();
    let o = run(&["score-transcript", p.to_str().unwrap()]);
    fails_with(&o, "r.csv:2:11: error: unknown counselor code `reflect`");
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn broken_files_get_clear_messages_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(root().join("scenarios/court-ordered-dui.ron")).unwrap();
    // Truncated RON.
    let p = write(dir.path(), "truncated.ron", &good[..good.len() / 2]);
    let o = run(&["validate", &p]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("truncated.ron:")
            && (e.contains("never closed") || e.contains("end of the file")),
        "{e}"
    );
    // Unknown node names.
    let p = write(
        dir.path(),
        "unknown.ron",
        &good.replacen("Point(", "Pointt(", 1),
    );
    let o = run(&["validate", &p]);
    fails_with(&o, "expected `Point(...)` here, found `Pointt(...)`");
    // A 50 MB file.
    let p = dir.path().join("huge.ron");
    std::fs::write(&p, vec![b' '; 50 * 1024 * 1024]).unwrap();
    let o = run(&["validate", p.to_str().unwrap()]);
    fails_with(
        &o,
        "huge.ron: error: the file is 50.0 MB, over the 5 MB limit",
    );
    // Not UTF-8, a missing file, and an empty file.
    let p = write(dir.path(), "empty.ron", "");
    let o = run(&["validate", &p, "/nonexistent/x.ron"]);
    fails_with(
        &o,
        "empty.ron:1:1: error: expected a value, found the end of the file",
    );
    assert!(
        stderr(&o).contains("/nonexistent/x.ron: error: cannot read: no such file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn scenarios_in_the_users_folder_are_found_by_id() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("data/scenarios");
    std::fs::create_dir_all(&dir).unwrap();
    let text = changetalk_core::TEMPLATE.replace("__ID__", "my-own-client");
    std::fs::write(dir.join("mine.ron"), text).unwrap();
    let o = bin()
        .args(["play", "my-own-client", "--auto", "best", "--json"])
        .env("CHANGETALK_HOME", home.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn playing_a_broken_file_reports_its_diagnostics_once() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "typo.ron",
        &std::fs::read_to_string(root().join("scenarios/court-ordered-dui.ron"))
            .unwrap()
            .replacen("Point(", "Pnt(", 1),
    );
    for cmd in ["play", "graph"] {
        let o = run(&[cmd, &p]);
        assert_eq!(o.status.code(), Some(1));
        let e = stderr(&o);
        assert!(
            e.starts_with(&p) && e.contains(": error: expected `Point(...)` here"),
            "{cmd}: {e}"
        );
        assert!(
            !e.contains("error: error") && !e.starts_with("error:"),
            "{cmd}: {e}"
        );
    }
    let o = run(&["graph", "no-such-client"]);
    assert!(
        stderr(&o).starts_with("error: no scenario file or id `no-such-client`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bad_choices_and_unknown_ids_fail_cleanly() {
    let o = run(&["play", "court-ordered-dui", "--choices", "9"]);
    fails_with(&o, "turn 1: there is no option 9");
    let o = run(&["play", "court-ordered-du"]);
    fails_with(&o, "did you mean `court-ordered-dui`?");
    let o = run(&[
        "play",
        "court-ordered-dui",
        "--choices",
        &["1"; 200].join(","),
    ]);
    fails_with(&o, "choices were given");
}

#[test]
fn interactive_play_reads_numbers_from_standard_input() {
    use std::io::Write;
    let mut child = bin()
        .args(["play", "court-ordered-dui"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"1\nb\n2\nq\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(
        out.contains("1)") && out.contains("took back the last reply"),
        "{out}"
    );
    assert!(out.contains("SCORE"), "{out}");
}

/// `validate` reads only regular files, checked before they are opened: a device such as
/// `/dev/zero` would fill the memory, a FIFO would wait for a writer forever.
#[cfg(unix)]
#[test]
fn validate_refuses_devices_and_fifos_by_name_without_hanging() {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.ron");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    write(
        dir.path(),
        "good.ron",
        &std::fs::read_to_string(root().join("scenarios/court-ordered-dui.ron")).unwrap(),
    );
    for args in [
        vec!["validate", "/dev/zero"],
        vec!["validate", fifo.to_str().unwrap()],
        vec!["validate", dir.path().to_str().unwrap()],
    ] {
        let mut child = bin()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("{args:?} hung");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let o = child.wait_with_output().unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        if args[1] == "/dev/zero" {
            assert!(
                err.contains(
                    "/dev/zero: error: this is a device (such as /dev/zero), not a regular file"
                ),
                "{err}"
            );
        } else {
            assert!(
                err.contains("pipe.ron: error: this is a named pipe (FIFO), not a regular file"),
                "{err}"
            );
        }
    }
    let o = run(&["validate", dir.path().to_str().unwrap()]);
    assert!(stdout(&o).contains("good.ron: ok"), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("checked 2 files: 1 valid, 1 with errors"),
        "{}",
        stderr(&o)
    );
}

const COURSE: &str = "recovery-burnout-course";

#[test]
fn every_bundled_course_remembers_session_one_in_session_two() {
    // Issue 14's bar: the first client line of session 2 differs between the model
    // conversation and the worst one because session 1 is remembered — or, after the worst
    // path, the client does not come back.
    for id in [
        "recovery-burnout-course",
        "cannabis-maintenance-course",
        "court-ordered-dui-course",
    ] {
        let best = json(&["play", id, "--auto", "best", "--json"]);
        let worst = json(&["play", id, "--auto", "worst", "--json"]);
        let first_line = |v: &serde_json::Value| {
            v["sessions"][1]["transcript"]["turns"][0]["client"]["text"]
                .as_str()
                .map(str::to_string)
        };
        let b = first_line(&best)
            .unwrap_or_else(|| panic!("{id}: the model conversation reaches session 2"));
        assert!(best["course"]["total_sessions"].as_u64() >= Some(2), "{id}");
        match first_line(&worst) {
            Some(w) => assert_ne!(
                b, w,
                "{id}: session 2 opens the same after the worst session 1"
            ),
            None => assert_eq!(
                worst["course"]["end"]["how"], "client_did_not_return",
                "{id}"
            ),
        }
    }
}

#[test]
fn a_single_session_client_keeps_its_json_shape() {
    let v = json(&["play", "recovery-burnout", "--auto", "best", "--json"]);
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["score", "transcript"]);
    assert!(v["transcript"].get("memory").is_none());
}

#[test]
fn a_course_plays_every_session_and_remembers_the_first_in_the_second() {
    let best = json(&["play", COURSE, "--auto", "best", "--json"]);
    let sessions = best["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 3);
    for s in sessions {
        assert!(s["score"]["overall"].as_f64().is_some());
        assert_eq!(s["transcript"]["status"], "ended");
    }
    let course = &best["course"];
    assert_eq!(course["end"]["how"], "completed");
    assert_eq!(course["total_sessions"], 3);
    assert_eq!(course["played"][1]["title"], "Two weeks later");
    assert!(course["memory"].get("plan.chose_own").is_some(), "{course}");
    let opening = sessions[1]["transcript"]["turns"][0]["client"]["text"]
        .as_str()
        .unwrap();
    assert!(
        opening.contains("We did it, the tomatoes with Ada on Saturday"),
        "{opening}"
    );
    // After the worst first session the client does not come back.
    let worst = json(&["play", COURSE, "--auto", "worst", "--json"]);
    assert_eq!(worst["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(worst["course"]["end"]["how"], "client_did_not_return");
    // As text: a separator before each session, and how the course ended.
    let o = run(&["play", COURSE, "--auto", "best"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Session 2 of 3: Two weeks later…"), "{out}");
    assert!(out.contains("COURSE: completed"), "{out}");
    let o = run(&["play", COURSE, "--auto", "worst"]);
    assert!(stdout(&o).contains("did not come back"), "{}", stdout(&o));
}

#[test]
fn course_choices_separate_sessions_with_a_slash_and_replay_byte_for_byte() {
    let best = json(&["play", COURSE, "--seed", "7", "--auto", "best", "--json"]);
    let groups: Vec<String> = best["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let c: Vec<String> = s["transcript"]["choices"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.to_string())
                .collect();
            c.join(",")
        })
        .collect();
    let choices = groups.join("/");
    let args = [
        "play",
        COURSE,
        "--seed",
        "7",
        "--choices",
        &choices,
        "--json",
    ];
    let a = run(&args);
    let b = run(&args);
    assert!(a.status.success(), "{}", stderr(&a));
    assert_eq!(a.stdout, b.stdout);
    let replayed: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    assert_eq!(replayed, best);
}

#[test]
fn one_session_of_a_course_plays_after_the_model_conversation() {
    let v = json(&[
        "play",
        COURSE,
        "--session",
        "2",
        "--auto",
        "worst",
        "--json",
    ]);
    assert_eq!(v["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(v["course"]["started_at"], 2);
    assert_eq!(v["course"]["played"][0]["number"], 2);
    assert!(v["course"]["memory"].get("plan.chose_own").is_some());
    let o = run(&["play", COURSE, "--session", "4"]);
    fails_with(&o, "there is no session 4: this client has 3 sessions");
    let o = run(&["play", "court-ordered-dui", "--session", "2"]);
    fails_with(&o, "has one session");
    let o = run(&["play", "court-ordered-dui", "--choices", "1/1"]);
    fails_with(&o, "separated by `/`");
    let o = run(&["play", COURSE, "--choices", "1,x"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("`x` is not an option number"),
        "{}",
        stderr(&o)
    );
    let o = run(&["play", COURSE, "--choices", "1/1"]);
    fails_with(&o, "session 1 has not reached an ending after 1 reply");
}

#[test]
fn a_course_is_audited_session_by_session() {
    let o = run(&["audit", COURSE, "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let reports = v["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 3);
    assert!(
        reports[1]["scenario"]
            .as_str()
            .unwrap()
            .contains("session 2: Two weeks later")
    );
}

#[test]
fn shell_completions_and_help_examples() {
    for shell in ["bash", "zsh", "fish"] {
        let o = run(&["completions", shell]);
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        let text = stdout(&o);
        assert!(
            text.contains("play") && text.contains("score-transcript"),
            "{shell}"
        );
    }
    let o = run(&["completions", "tcsh"]);
    assert!(!o.status.success(), "an unknown shell is refused");
    let help = stdout(&run(&["--help"]));
    assert!(help.contains("Examples:") && help.contains("changetalk play court-ordered-dui"));
}
