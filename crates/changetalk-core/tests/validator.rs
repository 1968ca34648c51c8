//! Every validator error, reported at its exact line and column.

use changetalk_core::{LineIndex, load_scenario};

const MINIMAL: &str = include_str!("data/minimal.ron");

/// Loads `text` and renders its diagnostics as `t.ron:line:col: error: message`.
fn errors(text: &str) -> Vec<String> {
    match load_scenario(text) {
        Ok(_) => Vec::new(),
        Err(d) => {
            let idx = LineIndex::new(text);
            d.iter().map(|d| d.render("t.ron", &idx)).collect()
        }
    }
}

/// Applies one edit to the minimal scenario (`count` occurrences) and returns its errors.
fn edit(old: &str, new: &str, count: usize) -> Vec<String> {
    assert!(MINIMAL.contains(old), "test edit does not apply: {old}");
    errors(&MINIMAL.replacen(old, new, count))
}

/// Asserts exactly one error, at `at` (line:col), whose message contains `msg`.
#[track_caller]
fn assert_one(errs: &[String], at: &str, msg: &str) {
    assert_eq!(errs.len(), 1, "expected one error, got {errs:#?}");
    let prefix = format!("t.ron:{at}: error: ");
    assert!(
        errs[0].starts_with(&prefix),
        "expected position {at}, got {}",
        errs[0]
    );
    assert!(
        errs[0].contains(msg),
        "expected message containing {msg:?}, got {}",
        errs[0]
    );
}

#[test]
fn the_minimal_scenario_is_valid() {
    assert_eq!(errors(MINIMAL), Vec::<String>::new());
}

#[test]
fn syntax_error_points_at_the_token() {
    let e = edit("next: \"b\", feedback", "next: \"b\" feedback", 1);
    assert_one(&e, "24:107", "a `,` is missing before `feedback`");
}

#[test]
fn truncated_file_points_at_the_unclosed_bracket() {
    let cut = MINIMAL.find("points: [").unwrap() + "points: [\n".len();
    let e = errors(&MINIMAL[..cut]);
    assert_one(&e, "16:13", "never closed");
}

#[test]
fn unknown_next_target() {
    let e = edit("next: \"b\"", "next: \"c\"", 1);
    assert_one(
        &e,
        "24:103",
        "leads to `c`, which is neither a decision point nor an ending",
    );
}

#[test]
fn duplicate_id() {
    let e = edit("id: \"b.q\"", "id: \"b.r\"", 1);
    assert_one(&e, "35:28", "duplicate id `b.r`: a option already uses it");
}

#[test]
fn unknown_code() {
    let e = edit("ClosedQuestion]", "ClosedQuestoin]", 1);
    assert_one(
        &e,
        "35:75",
        "unknown MITI code `ClosedQuestoin` (did you mean `ClosedQuestion`?)",
    );
}

#[test]
fn unreachable_point() {
    let e = edit("next: \"b\"", "next: \"good\"", 1);
    assert_one(&e, "29:17", "point `b` is unreachable");
}

#[test]
fn point_with_no_path_to_an_ending() {
    let e = edit("next: \"good\"", "next: \"b\"", 2);
    assert_one(&e, "29:17", "point `b` has no path to any ending");
}

#[test]
fn point_with_no_options() {
    let text = MINIMAL.replace(
        "                Option(id: \"b.r\", text: \"Part of you wonders about it.\", codes: [ComplexReflection], next: \"good\", feedback: \"Reflects change talk.\"),\n                Option(id: \"b.q\", text: \"How many drinks a day?\", codes: [ClosedQuestion], next: \"good\", feedback: \"Fact-finding.\"),\n",
        "",
    );
    assert_ne!(text, MINIMAL);
    assert_one(&errors(&text), "33:22", "point `b` has no options");
}

#[test]
fn condition_on_unknown_variable_points_inside_the_string() {
    let e = edit("when: \"discord >= 6\"", "when: \"mood >= 6\"", 1);
    assert_one(&e, "21:91", "unknown variable `mood` in condition");
}

#[test]
fn out_of_range_values() {
    assert_one(
        &edit("age: 40", "age: 400", 1),
        "9:14",
        "`age` is 400, outside the allowed range 1 to 120",
    );
    assert_one(
        &edit("engagement: 4", "engagement: 14", 1),
        "12:36",
        "outside the allowed range 0 to 10",
    );
}

#[test]
fn asset_path_escaping_the_folder() {
    let e = edit("age: 40,", "age: 40,\n        portrait: \"../x.png\",", 1);
    assert_one(&e, "10:19", "leaves the scenario's folder");
}

#[test]
fn unknown_and_missing_fields() {
    assert_one(
        &edit("mood: Guarded", "mod: Guarded", 1),
        "20:73",
        "unknown field `mod` in Line (did you mean `mood`?)",
    );
    assert_one(
        &edit(", feedback: \"Labels.\"", "", 1),
        "25:17",
        "Option is missing the required field `feedback`",
    );
}

#[test]
fn unknown_walkout_ending_and_start() {
    assert_one(
        &edit("ending: \"gone\"", "ending: \"gon\"", 1),
        "13:46",
        "walkout ending `gon` is not an ending (did you mean `gone`?)",
    );
    assert_one(
        &edit("start: \"a\"", "start: \"z\"", 1),
        "15:12",
        "`start` names `z`, which is not a decision point",
    );
}

#[test]
fn all_errors_of_a_file_in_one_run() {
    let text = MINIMAL
        .replacen("age: 40", "age: 400", 1)
        .replacen("ClosedQuestion]", "ClosedQuestoin]", 1)
        .replacen("id: \"b.q\"", "id: \"b.r\"", 1)
        .replacen("when: \"discord >= 6\"", "when: \"mood >= 6\"", 1);
    let e = errors(&text);
    let at: Vec<&str> = e
        .iter()
        .map(|l| l.split(": error").next().unwrap())
        .collect();
    assert_eq!(
        at,
        ["t.ron:9:14", "t.ron:21:91", "t.ron:35:28", "t.ron:35:75"],
        "{e:#?}"
    );
}

#[test]
fn oversized_and_overnested_files_are_refused() {
    let big = format!("{}{}", MINIMAL, " ".repeat(5 * 1024 * 1024));
    let e = errors(&big);
    assert_eq!(e.len(), 1);
    assert!(e[0].contains("limited to 5 MB"), "{}", e[0]);
    let deep = format!("Scenario(id: {}", "[".repeat(10_000));
    let e = errors(&deep);
    assert_eq!(e.len(), 1);
    assert!(e[0].contains("nested more than 64 levels"), "{}", e[0]);
}

#[test]
fn wrong_types_are_reported_where_they_are() {
    assert_one(
        &edit("age: 40", "age: \"forty\"", 1),
        "9:14",
        "`age` must be a whole number, found a string",
    );
    assert_one(
        &edit("stage: Precontemplation", "stage: \"Precontemplation\"", 1),
        "5:12",
        "written without quotes",
    );
    assert_one(
        &edit("talk: Change(Reasons)", "talk: Change", 1),
        "31:74",
        "needs its DARN-CAT kind",
    );
}

#[test]
fn bundled_template_is_valid() {
    let t = include_str!("../src/format/template.ron").replace("__ID__", "template-check");
    assert_eq!(errors(&t), Vec::<String>::new());
}

#[test]
fn a_misspelt_option_id_key_is_reported_once_not_again_by_the_lines_that_answer_it() {
    let text = include_str!("../../../scenarios/court-ordered-dui.ron").replacen(
        "id: \"dui.opening.warn\"",
        "idd: \"dui.opening.warn\"",
        1,
    );
    let errs = changetalk_core::load_scenario(&text).unwrap_err();
    let msgs: Vec<&str> = errs.iter().map(|d| d.message.as_str()).collect();
    assert!(
        msgs.iter().any(|m| m.contains("unknown field `idd`")),
        "{msgs:#?}"
    );
    assert!(
        !msgs.iter().any(|m| m.contains("which is not an option")),
        "{msgs:#?}"
    );
}
