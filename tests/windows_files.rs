//! Files made on Windows (issue 15): a UTF-8 byte-order mark and CRLF line endings on every
//! kind of file ChangeTalk reads, old-Mac CR-only endings, invisible characters named in
//! diagnostics, and a gradebook CSV Excel opens as UTF-8 (`--csv-bom`).

use std::path::Path;

#[path = "common/class.rs"]
mod class;
mod common;
use class::{col, parse_csv, play_as_student, row_of, s};
use common::{fails_with, root, run, stderr, stdout};

/// `text` as Notepad saves it: a byte-order mark, then CRLF line endings.
fn windows(text: &str) -> String {
    format!(
        "\u{feff}{}",
        text.replace("\r\n", "\n").replace('\n', "\r\n")
    )
}

fn bundled(name: &str) -> String {
    std::fs::read_to_string(root().join("scenarios").join(name)).unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    s(&p).to_string()
}

fn ok_json(args: &[&str]) -> serde_json::Value {
    let o = run(args);
    assert!(o.status.success(), "{args:?} failed:\n{}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("valid JSON")
}

#[test]
fn a_scenario_saved_on_windows_validates_and_plays_like_the_original() {
    let dir = tempfile::tempdir().unwrap();
    let lf = bundled("court-ordered-dui.ron");
    let unix = write(dir.path(), "unix.ron", &lf);
    let win = write(dir.path(), "win.ron", &windows(&lf));
    let mac = write(dir.path(), "mac.ron", &lf.replace('\n', "\r"));
    for p in [&win, &mac] {
        let o = run(&["validate", p]);
        assert!(o.status.success(), "{p}: {}", stderr(&o));
        let o = run(&["lint", p]);
        let out = format!("{}{}", stdout(&o), stderr(&o));
        assert!(out.contains(" 0 errors"), "{p}: {out}");
    }
    for how in ["best", "worst"] {
        let want = ok_json(&["play", &unix, "--auto", how, "--json"]);
        for p in [&win, &mac] {
            let got = ok_json(&["play", p, "--auto", how, "--json"]);
            assert_eq!(got["transcript"], want["transcript"], "{p} --auto {how}");
            assert_eq!(got["score"], want["score"], "{p} --auto {how}");
        }
    }
}

#[test]
fn diagnostics_in_a_windows_file_point_where_the_editor_shows() {
    let dir = tempfile::tempdir().unwrap();
    let bad = bundled("court-ordered-dui.ron").replacen("Point(", "Pointt(", 1);
    let unix = write(dir.path(), "x.ron", &bad);
    let want = stderr(&run(&["validate", &unix]));
    assert!(want.contains("found `Pointt(...)`"), "{want}");
    let win = write(dir.path(), "x.ron", &windows(&bad));
    assert_eq!(stderr(&run(&["validate", &win])), want);
    let mac = write(dir.path(), "x.ron", &bad.replace('\n', "\r"));
    assert_eq!(stderr(&run(&["validate", &mac])), want);
}

#[test]
fn invisible_characters_are_named_by_code_point_in_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    // A byte-order mark where a value belongs (two files pasted together), on line 2.
    let p = write(
        dir.path(),
        "pasted.ron",
        "Scenario(\r\n  id: \u{feff}\"x\",\r\n)\r\n",
    );
    let o = run(&["validate", &p]);
    fails_with(&o, "pasted.ron:2:7: error: expected a value, found U+FEFF");
    assert!(!stderr(&o).contains('\u{feff}'), "{}", stderr(&o));
    let p = write(
        dir.path(),
        "zwsp.ron",
        "Scenario(\n  id: \u{200b}\"x\",\n)\n",
    );
    fails_with(&run(&["validate", &p]), "found U+200B");
}

#[test]
fn a_backslash_continuation_before_crlf_joins_the_lines() {
    let dir = tempfile::tempdir().unwrap();
    let lf = bundled("court-ordered-dui.ron");
    let want = ok_json(&[
        "play",
        &write(dir.path(), "lf.ron", &lf),
        "--auto",
        "best",
        "--json",
    ]);
    // Every `text: "…"` written across two lines with a `\` continuation at its first space.
    let mut split = String::new();
    let mut rest = lf.as_str();
    while let Some(i) = rest.find("text: \"") {
        let start = i + "text: \"".len();
        let end = start + rest[start..].find('"').unwrap();
        let body = &rest[start..end];
        split.push_str(&rest[..start]);
        match body.find(' ') {
            Some(cut) => {
                split.push_str(&body[..cut]);
                split.push_str(" \\\n            ");
                split.push_str(&body[cut + 1..]);
            }
            None => split.push_str(body),
        }
        rest = &rest[end..];
    }
    split.push_str(rest);
    assert!(
        split.matches("\\\n").count() > 10,
        "the file uses continuations"
    );
    for (name, text) in [
        ("crlf.ron", windows(&split)),
        ("cr.ron", split.replace('\n', "\r")),
    ] {
        let p = write(dir.path(), name, &text);
        let got = ok_json(&["play", &p, "--auto", "best", "--json"]);
        assert_eq!(got["transcript"], want["transcript"], "{name}");
    }
}

#[test]
fn a_hand_coded_transcript_from_excel_scores() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "speaker,code,text\nclient,sustain_talk,I'm fine.\ncounselor,complex_reflection,You're fed up with being asked.\nclient,change_talk,\"Well, my wife worries.\"\ncounselor,open_question,What does she worry about?\n";
    let p = write(dir.path(), "r.csv", &windows(csv));
    let v = ok_json(&["score-transcript", &p, "--json"]);
    assert_eq!(v["reflection_to_question"], 1.0);
    assert_eq!(v["change_talk_share"], 0.5);
    // A bad code is still reported at its line and column.
    let p = write(
        dir.path(),
        "r.csv",
        &windows("speaker,code,text\ncounselor,reflect,x\n"),
    );
    fails_with(
        &run(&["score-transcript", &p]),
        "r.csv:2:11: error: unknown counselor code `reflect`",
    );
}

/// A practice exercise pinning a scenario file beside it, both re-saved on Windows after
/// `exercise new` pinned them; two students' results, one of them re-saved too.
#[test]
fn an_exercise_its_scenario_results_and_roster_from_windows_grade_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenario = write(d, "dui.ron", &bundled("court-ordered-dui.ron"));
    let ex = d.join("week3.ron");
    let o = run(&[
        "exercise",
        "new",
        "--scenario",
        &scenario,
        "-o",
        s(&ex),
        "--title",
        "Week 3",
        "--seed",
        "42",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Pins hash the text with line endings normalised, so a Windows checkout keeps them.
    for p in [Path::new(&scenario), ex.as_path()] {
        let text = std::fs::read_to_string(p).unwrap();
        std::fs::write(p, windows(&text)).unwrap();
    }
    let o = run(&["exercise", "check", s(&ex)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let results = d.join("results");
    std::fs::create_dir(&results).unwrap();
    play_as_student(&ex, &results, "Ann Ångström", "ann", &["--auto", "best"]);
    play_as_student(&ex, &results, "Ben", "ben", &["--auto", "worst"]);
    let ben = results.join("week3--ben.json");
    let text = std::fs::read_to_string(&ben).unwrap();
    std::fs::write(&ben, windows(&text)).unwrap();
    let roster = write(
        d,
        "roster.csv",
        &windows("ID,Name\nann,Ann Ångström\nben,Ben\ncat,Cat\n"),
    );
    let csv = d.join("gradebook.csv");
    let o = run(&[
        "grade",
        s(&ex),
        s(&results),
        "--csv",
        s(&csv),
        "--roster",
        &roster,
        "--csv-bom",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("corrupt"), "{}", stderr(&o));
    let bytes = std::fs::read(&csv).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "--csv-bom writes the mark"
    );
    assert!(!bytes[3..].starts_with(b"\xEF\xBB\xBF"), "once");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let mut rows = parse_csv(&text);
    let h = rows.remove(0);
    let total = col(&h, "Week 3 total");
    let flags = col(&h, "flags");
    for id in ["ann", "ben"] {
        let r = row_of(&h, &rows, id);
        assert!(!r[total].is_empty(), "{id} graded: {r:?}");
        assert_eq!(r[flags], "", "{id}: {r:?}");
    }
    assert_eq!(row_of(&h, &rows, "cat")[flags], "missing");
    assert!(text.contains("Ann Ångström"), "{text}");
    // Without the option there is no mark.
    let o = run(&["grade", s(&ex), s(&results), "--csv", s(&csv)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!std::fs::read(&csv).unwrap().starts_with(b"\xEF\xBB\xBF"));
}
