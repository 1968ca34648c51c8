//! The derive-based decoder reads on after every mistake: each is reported at its place, and
//! the rest of the file is still decoded and validated.

use changetalk_core::classroom::exercise::load_exercise;
use changetalk_core::{LineIndex, load_scenario};

const MINIMAL: &str = include_str!("data/minimal.ron");

fn errors(text: &str) -> Vec<String> {
    let idx = LineIndex::new(text);
    match load_scenario(text) {
        Ok(_) => Vec::new(),
        Err(d) => d.iter().map(|d| d.render("t.ron", &idx)).collect(),
    }
}

#[test]
fn every_missing_field_of_a_struct_is_reported_and_the_file_still_validated() {
    let text = MINIMAL
        .replacen("id: \"a.c\", text: \"You're in denial.\", ", "", 1)
        .replacen("next: \"good\"", "next: \"nowhere\"", 1);
    let e = errors(&text);
    assert_eq!(e.len(), 3, "{e:#?}");
    assert!(e[0].starts_with("t.ron:25:17: error: Option is missing the required field `id`"));
    assert!(e[1].starts_with("t.ron:25:17: error: Option is missing the required field `text`"));
    assert!(e[2].contains("leads to `nowhere`"), "{e:#?}");
}

#[test]
fn a_bad_field_keeps_its_struct() {
    // The persona's age is wrong, but its walkout is still checked against the endings.
    let text = MINIMAL.replacen("age: 40", "age: true", 1).replacen(
        "ending: \"gone\"",
        "ending: \"gon\"",
        1,
    );
    let e = errors(&text);
    assert_eq!(e.len(), 2, "{e:#?}");
    assert!(e[0].contains("9:14: error: `age` must be a whole number, found a boolean"));
    assert!(e[1].contains("walkout ending `gon` is not an ending"));
}

#[test]
fn wrong_kinds_name_the_field_and_what_was_found() {
    let e = errors(
        &MINIMAL
            .replacen("summary: \"A two", "summary: [\"A two", 1)
            .replacen("by the validator tests.\"", "by the validator tests.\"]", 1),
    );
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(
        e[0].contains("4:14: error: `summary` must be a string in double quotes, found a list")
    );
    let e = errors(&MINIMAL.replacen("codes: [Confront]", "codes: [Confront, Confront]", 1));
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(
        e[0].contains("25:80: error: code `Confront` is listed twice"),
        "{e:#?}"
    );
    let e = errors(&MINIMAL.replacen("outcome: Positive", "outcome: Positve", 1));
    assert!(
        e[0].contains("unknown outcome `Positve` (did you mean `Positive`?)"),
        "{e:#?}"
    );
}

#[test]
fn none_is_absent_and_some_is_its_value() {
    let text = MINIMAL
        .replacen("walkout: Walkout(", "walkout: Some(Walkout(", 1)
        .replacen("ending: \"gone\")", "ending: \"gone\"))", 1)
        .replacen("title: \"Mini\"", "title: None", 1);
    let e = errors(&text);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(e[0].contains("Scenario is missing the required field `title`"));
}

#[test]
fn exercise_seeds_take_the_whole_u64() {
    let h = "ab".repeat(32);
    let text = format!(
        "Exercise(title: \"T\", scenarios: [(id: \"a\", hash: \"{h}\", seed: 18446744073709551615)], seed: 18446744073709551615, mode: Practice, pass: (overall: 50))"
    );
    let ex = load_exercise(&text).unwrap_or_else(|d| panic!("{d:?}"));
    assert_eq!(ex.seed, u64::MAX);
    assert_eq!(ex.seed_of(0), u64::MAX);
    assert_eq!(load_exercise(&ex.to_ron()).map(|e| e.seed), Ok(u64::MAX));
    let too_big = text.replacen(
        "seed: 18446744073709551615",
        "seed: 18446744073709551616",
        1,
    );
    let d = load_exercise(&too_big).unwrap_err();
    assert!(d[0].message.contains("too large"), "{d:?}");
}

#[test]
fn truncated_and_mangled_files_never_panic() {
    for cut in (0..MINIMAL.len()).step_by(7) {
        if MINIMAL.is_char_boundary(cut) {
            assert!(load_scenario(&MINIMAL[..cut]).is_err());
        }
    }
    for (i, _) in MINIMAL.match_indices([',', '(', '"', ':']) {
        for with in ["", "((", "None", "Some(", "\"\"", "-1", "[]"] {
            let text = format!("{}{with}{}", &MINIMAL[..i], &MINIMAL[i + 1..]);
            let _ = load_scenario(&text);
        }
    }
}
