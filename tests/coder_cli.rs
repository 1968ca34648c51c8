//! The offline coder on the command line: `code` (a transcript and one reply), `score-transcript
//! --auto-code`, and `play --free-text` in a pipe — typed first replies of the kinds an MI
//! trainer tells apart are coded so and rated accordingly.

mod common;

use common::{run, stderr, stdout};
use serde_json::Value;

fn json_of(args: &[&str]) -> Value {
    let o = run(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    serde_json::from_str(&stdout(&o)).expect("JSON")
}

/// The first reply typed to a bundled client, as the transcript records it.
fn first_reply(scenario: &str, typed: &str) -> Value {
    let mut c = common::bin();
    c.args(["play", scenario, "--free-text", "--json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().expect("runs");
    {
        use std::io::Write;
        let mut input = child.stdin.take().expect("stdin");
        writeln!(input, "{typed}\nq").expect("writes");
    }
    let o = child.wait_with_output().expect("finishes");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    v["transcript"]["turns"][0]["reply"].clone()
}

#[test]
fn typed_first_replies_are_coded_and_rated_as_a_trainer_would() {
    // Rick's first line is discord/sustain talk: "I don't have a problem". Ratings follow
    // docs/scoring.md §7: an adherent move alone rates 3, a complex reflection 4–5, a
    // roadblock 1.
    let cases: [(&str, &str, &str, u64, u64); 7] = [
        (
            "court-ordered-dui",
            "Being ordered here when you don't think you have a problem must feel like a real insult.",
            "complex_reflection",
            4,
            5,
        ),
        (
            "court-ordered-dui",
            "What would you like to get out of these sessions, if anything?",
            "open_question",
            3,
            5,
        ),
        (
            "court-ordered-dui",
            "Do you drink every day?",
            "closed_question",
            2,
            3,
        ),
        (
            "court-ordered-dui",
            "You really should stop drinking before you lose your job.",
            "persuade",
            1,
            2,
        ),
        (
            "court-ordered-dui",
            "It's completely your decision what you do with these sessions.",
            "emphasizing_autonomy",
            3,
            5,
        ),
        (
            "court-ordered-dui",
            "You took a big step just by turning up today.",
            "affirm",
            3,
            5,
        ),
        (
            "court-ordered-dui",
            "You're in denial. You're an alcoholic and you need to admit it.",
            "confront",
            1,
            2,
        ),
    ];
    for (scenario, typed, code, low, high) in cases {
        let r = first_reply(scenario, typed);
        let codes: Vec<&str> = r["codes"]
            .as_array()
            .expect("codes")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(
            codes.contains(&code),
            "{typed:?} coded {codes:?}, not {code}"
        );
        let rating = r["rating"].as_u64().expect("rating");
        assert!(
            (low..=high).contains(&rating),
            "{typed:?} rated {rating}, expected {low}–{high}"
        );
        assert_eq!(r["text"], typed);
        assert!(
            r["confidence"]
                .as_f64()
                .is_some_and(|c| (0.0..=1.0).contains(&c))
        );
        assert!(r["matched_option"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

#[test]
fn free_text_play_is_deterministic() {
    let a = first_reply(
        "recovery-burnout",
        "You're worried about what this means for your job.",
    );
    let b = first_reply(
        "recovery-burnout",
        "You're worried about what this means for your job.",
    );
    assert_eq!(a, b);
}

#[test]
fn code_writes_the_same_rows_in_order_and_score_transcript_auto_codes() {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw.csv");
    std::fs::write(
        &raw,
        "speaker,code,text\nclient,,\"I only drink at weekends, honestly.\"\ncounselor,x,So weekends are when it happens.\ncounselor,,What would you like to be different?\nclient,,I'd like to stop waking up feeling awful.\ncounselor,,You want to feel better in the mornings.\n",
    )
    .unwrap();
    let out = dir.path().join("coded.csv");
    let o = run(&["code", raw.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let coded = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = coded.lines().collect();
    assert_eq!(lines[0], "speaker,code,text");
    assert_eq!(lines.len(), 6, "{coded}");
    assert!(
        lines[1].starts_with("client,")
            && lines[1].ends_with("\"I only drink at weekends, honestly.\"")
    );
    assert!(
        lines[3].starts_with("counselor,open_question,"),
        "{}",
        lines[3]
    );
    // The coded file scores as a hand-coded one does, and --auto-code gives the same score.
    let hand = json_of(&["score-transcript", out.to_str().unwrap(), "--json"]);
    let auto = json_of(&[
        "score-transcript",
        raw.to_str().unwrap(),
        "--auto-code",
        "--json",
    ]);
    assert_eq!(hand, auto);
    // Without --auto-code the raw file's empty codes are read as they are; a file without a
    // text column is refused with its position.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "who,said\nclient,hello\n").unwrap();
    let o = run(&["code", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("bad.csv:1:1"), "{}", stderr(&o));
}

#[test]
fn code_one_reply_as_json_names_the_model() {
    let v = json_of(&[
        "code",
        "--text",
        "You're not sure this is worth your time.",
        "--after",
        "I don't know why I'm here.",
        "--json",
    ]);
    assert!(
        v["codes"][0]["code"]
            .as_str()
            .is_some_and(|c| c.ends_with("reflection"))
    );
    assert_eq!(v["model"]["sha256"].as_str().map(str::len), Some(64));
}

/// Runs `exercise run` with `input` on standard input.
fn exercise_run(
    ex: &std::path::Path,
    results: &std::path::Path,
    input: &str,
) -> std::process::Output {
    use std::io::Write;
    let mut c = common::bin();
    c.args([
        "exercise",
        "run",
        ex.to_str().unwrap(),
        "--student",
        "Ana Ruiz",
        "--id",
        "s1",
        "--results",
        results.to_str().unwrap(),
    ])
    .stdin(std::process::Stdio::piped())
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().expect("runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("writes");
    child.wait_with_output().expect("finishes")
}

#[test]
fn typed_replies_in_an_exercise_are_recorded_and_graded_with_the_pinned_coder() {
    let dir = tempfile::tempdir().unwrap();
    let ex = dir.path().join("week7.ron");
    let o = run(&[
        "exercise",
        "new",
        "--scenario",
        "court-ordered-dui",
        "--free-text",
        "--seed",
        "5",
        "-o",
        ex.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&ex).unwrap();
    assert!(text.contains("coder: Some(\""), "{text}");
    let results = dir.path().join("results");
    std::fs::create_dir(&results).unwrap();
    let o = exercise_run(
        &ex,
        &results,
        "The court can make you come, but what you do with this hour is up to you.\n1\nend\n",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let result = results.join("week7--s1.json");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&result).unwrap()).unwrap();
    let choices = v["scenarios"][0]["choices"].as_array().unwrap();
    assert_eq!(choices.len(), 2);
    assert!(
        choices[0]["typed"]
            .as_str()
            .is_some_and(|t| t.starts_with("The court"))
    );
    assert!(choices[1].get("typed").is_none());

    // The grader codes the typed reply again with the pinned coder: no flag but "stopped".
    let book = dir.path().join("book.csv");
    let o = run(&[
        "grade",
        ex.to_str().unwrap(),
        results.to_str().unwrap(),
        "--csv",
        book.to_str().unwrap(),
    ]);
    let csv = std::fs::read_to_string(&book).unwrap_or_default();
    assert!(
        !csv.contains("coder_changed") && !csv.contains("invalid_choices"),
        "{csv}\n{}",
        stderr(&o)
    );

    // Another model than the one pinned is a flag, not a silent regrade.
    let changed = text.replace(
        &text[text.find("coder: Some(\"").unwrap() + 13..text.find("coder: Some(\"").unwrap() + 77],
        &"0".repeat(64),
    );
    std::fs::write(&ex, changed).unwrap();
    let _ = run(&[
        "grade",
        ex.to_str().unwrap(),
        results.to_str().unwrap(),
        "--csv",
        book.to_str().unwrap(),
    ]);
    let csv = std::fs::read_to_string(&book).unwrap();
    assert!(csv.contains("coder_changed"), "{csv}");
}
