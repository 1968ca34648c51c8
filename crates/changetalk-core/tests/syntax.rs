//! Syntax errors as an instructor who has never seen RON makes them: each names its likely
//! cause, points where the fix goes, and the file is read on so later errors come in the same
//! run, root causes first.

use changetalk_core::source::ron_tree::{MAX_SYNTAX_ERRORS, parse_all};
use changetalk_core::{LineIndex, TEMPLATE, load_scenario};

const MINIMAL: &str = include_str!("data/minimal.ron");

/// The diagnostics of loading `text`, rendered as `t.ron:line:col: error: message`.
fn errors(text: &str) -> Vec<String> {
    match load_scenario(text) {
        Ok(_) => Vec::new(),
        Err(d) => {
            let idx = LineIndex::new(text);
            d.iter().map(|d| d.render("t.ron", &idx)).collect()
        }
    }
}

/// `text` with `from` (which must be there) replaced once by `to`.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "edit does not apply: {from:?}");
    text.replacen(from, to, 1)
}

/// `t.ron:line:col` of byte `skip` into the first `needle` in `text`, counted independently of
/// the core's `LineIndex`, so the tests state the item rather than numbers that drift.
fn at(text: &str, needle: &str, skip: usize) -> String {
    let off = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the text"))
        + skip;
    let before = &text[..off];
    let line = before.matches('\n').count() + 1;
    let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    format!("t.ron:{line}:{col}")
}

/// The template as `changetalk new` writes it.
fn template() -> String {
    TEMPLATE.replace("__ID__", "t")
}

const OPENING: &str =
    "text: \"The doctor made a big deal about one blood test. Everyone in my trade drinks.\",";

#[test]
fn a_quote_inside_the_text_is_named_as_the_cause_at_the_quote_that_ends_it() {
    let text = edit(
        &template(),
        OPENING,
        "text: \"The doctor made a \"big deal\" about one blood test. Everyone in my trade drinks.\",",
    );
    assert_eq!(
        errors(&text),
        [format!(
            "{}: error: a `\"` inside the text ends the string early: write `\\\"`",
            at(&text, "\"big deal", 0)
        )]
    );
    // The whole text is read as the string it was meant to be: nothing else is reported.
    let one_line = edit(
        MINIMAL,
        "text: \"I'm fine.\"",
        "text: \"I'm \"fine\" really.\"",
    );
    assert_eq!(
        errors(&one_line),
        ["t.ron:20:44: error: a `\"` inside the text ends the string early: write `\\\"`"]
    );
}

#[test]
fn curly_quotes_are_named_where_a_value_starts_and_where_text_ends() {
    let text = edit(
        &template(),
        OPENING,
        "text: “The doctor made a big deal about one blood test. Everyone in my trade drinks.”,",
    );
    assert_eq!(
        errors(&text),
        [format!(
            "{}: error: curly quotes: use straight quotes: write text between `\"` and `\"`, not `“`",
            at(&text, "“", 0)
        )]
    );
    let text = edit(MINIMAL, "text: \"Leave it.\"", "text: \"Leave it.”");
    assert_eq!(
        errors(&text),
        [
            "t.ron:21:49: error: curly quotes: use straight quotes: this text starts with `\"` but ends with `”`"
        ]
    );
    // Curly quotes inside text are text.
    let text = edit(
        MINIMAL,
        "text: \"Leave it.\"",
        "text: \"“Leave it,” she said.\"",
    );
    assert_eq!(errors(&text), Vec::<String>::new());
}

#[test]
fn a_when_condition_without_quotes_is_asked_to_be_quoted() {
    let text = edit(MINIMAL, "when: \"discord >= 6\"", "when: discord >= 6");
    assert_eq!(
        errors(&text),
        [
            "t.ron:21:90: error: the `when` condition must be in quotes: write `when: \"discord >= 6\"`"
        ]
    );
    let text = edit(
        &template(),
        "when: \"confidence >= 6\"",
        "when: confidence >= 6 and (discord < 4)",
    );
    assert_eq!(
        errors(&text),
        [format!(
            "{}: error: the `when` condition must be in quotes: write `when: \"confidence >= 6 and (discord < 4)\"`",
            at(&text, "confidence >= 6 and", 0)
        )]
    );
}

#[test]
fn an_unclosed_string_is_reported_where_it_starts() {
    // The text runs on over the next lines to the next `"`.
    let cut = OPENING.trim_end_matches("\",");
    let text = edit(&template(), OPENING, cut);
    assert_eq!(
        errors(&text),
        [format!(
            "{}: error: this string is never closed: add a closing `\"` at the end of its text",
            at(&text, "\"The doctor made", 0)
        )]
    );
    // With the comma inside, and with the rest of the record on the same line.
    let text = edit(&template(), OPENING, &format!("{cut},"));
    assert_eq!(errors(&text).len(), 1, "{:#?}", errors(&text));
    let text = edit(
        MINIMAL,
        "text: \"Maybe I drink a bit much.\"",
        "text: \"Maybe I drink a bit much.",
    );
    assert_eq!(
        errors(&text),
        [
            "t.ron:31:39: error: this string is never closed: add a closing `\"` at the end of its text"
        ]
    );
}

#[test]
fn a_missing_comma_is_reported_at_the_end_of_the_line_that_lacks_it() {
    let text = edit(&template(), OPENING, OPENING.trim_end_matches(','));
    let line_end = at(&text, "trade drinks.\"", "trade drinks.\"".len());
    let talk_line = at(&text, "talk: Sustain(Reasons)", 0);
    let talk_line = talk_line.split(':').nth(1).unwrap();
    assert_eq!(
        errors(&text),
        [format!(
            "{line_end}: error: a `,` is missing at the end of this line, before `talk` on line {talk_line}"
        )]
    );
    // On one line, before the next field.
    let text = edit(MINIMAL, "name: \"Pat\",", "name: \"Pat\"");
    assert_eq!(
        errors(&text),
        ["t.ron:8:20: error: a `,` is missing at the end of this line, before `age` on line 9"]
    );
}

#[test]
fn a_missing_final_bracket_is_reported_at_the_bracket_it_closes() {
    let t = template();
    let text = t.trim_end().strip_suffix(')').unwrap();
    assert_eq!(
        errors(text),
        [format!(
            "{}: error: this bracket is never closed: add `)` at the end of the file to close `Scenario(`",
            at(text, "Scenario(", "Scenario".len())
        )]
    );
    let text = MINIMAL.trim_end().strip_suffix(')').unwrap();
    assert_eq!(
        errors(text),
        [
            "t.ron:1:9: error: this bracket is never closed: add `)` at the end of the file to close `Scenario(`"
        ]
    );
    // A file cut short looks the same: what it lacks is not reported until the bracket is
    // there (the app's banner counts one error for `Scenario(id: "x"`).
    assert_eq!(
        errors("Scenario(id: \"x\""),
        [
            "t.ron:1:9: error: this bracket is never closed: add `)` at the end of the file to close `Scenario(`"
        ]
    );
}

#[test]
fn a_missing_inner_bracket_is_reported_where_it_belongs() {
    let cases = [
        // A point's `)`: the next `Point(` shows it.
        (
            "            ],\n        ),\n        Point(\n            id: \"b\",",
            "            ],\n        Point(\n            id: \"b\",",
            "t.ron:26:14: error: a `)` is missing here: it closes `Point(` on line 17",
        ),
        // An option's `)`, on a one-line record.
        (
            "feedback: \"Reflects.\"),",
            "feedback: \"Reflects.\",",
            "t.ron:24:129: error: a `)` is missing here: it closes `Option(` on line 24",
        ),
        // A list's `]`: a field follows the last point.
        (
            "        ),\n    ],\n    endings: [",
            "        ),\n    endings: [",
            "t.ron:37:10: error: a `]` is missing here: it closes the list `[` on line 16",
        ),
        // The persona's `)`: only the indentation shows where.
        (
            "        walkout: Walkout(discord: 9, ending: \"gone\"),\n    ),",
            "        walkout: Walkout(discord: 9, ending: \"gone\"),",
            "t.ron:13:53: error: a `)` is missing here: it closes `Persona(` on line 7 (the lines after it are indented as if it were closed, and the file ends with `Scenario(` on line 1 still open)",
        ),
    ];
    for (from, to, want) in cases {
        assert_eq!(errors(&edit(MINIMAL, from, to)), [want], "{to}");
    }
}

#[test]
fn lost_openings_are_named_where_they_belong() {
    let t = template();
    // The `Option(` line of an option.
    let text = edit(
        &t,
        "                Option(\n                    id: \"opening.ask\",",
        "                    id: \"opening.ask\",",
    );
    assert_eq!(
        errors(&text),
        [format!(
            "{}: error: `Option(` is missing before this field: each entry of the list starts with it",
            at(&text, "id: \"opening.ask\"", 0)
        )]
    );
    // Its `(` only.
    let text = edit(
        &t,
        "                Option(\n                    id: \"opening.ask\",",
        "                Option\n                    id: \"opening.ask\",",
    );
    assert_eq!(
        errors(&text),
        [format!(
            "{}: error: a `(` is missing after `Option`: write `Option(`",
            at(&text, "Option\n", "Option".len())
        )]
    );
    // The `lines: [` line of a point: only the syntax is checked until it is back.
    let text = edit(
        &t,
        "            id: \"opening\",\n            lines: [\n",
        "            id: \"opening\",\n",
    );
    assert_eq!(
        errors(&text),
        [format!(
            "{}: error: expected a field name (like `id:`), found `Line(`: is `lines: [` missing before it?",
            at(&text, "Line(\n                    id: \"opening.a\"", 0)
        )]
    );
}

#[test]
fn a_missing_bracket_in_a_value_is_found_by_its_line() {
    let t = template();
    // `Sustain(Reasons,`: the next field shows the tuple is not closed.
    let text = edit(&t, "talk: Sustain(Reasons),", "talk: Sustain(Reasons,");
    assert_eq!(
        errors(&text),
        [format!(
            "{}: error: a `)` is missing here: it closes `Sustain(` on {}",
            at(&text, "Sustain(Reasons,", "Sustain(Reasons".len()),
            at(&text, "Sustain(Reasons,", 0)
                .split(':')
                .nth(1)
                .map(|l| format!("line {l}"))
                .unwrap()
        )]
    );
    // `effects: (discord: 6,`: the next field stands where `effects` starts.
    let text = edit(&t, "effects: (discord: 6),", "effects: (discord: 6,");
    let got = errors(&text);
    assert_eq!(got.len(), 1, "{got:#?}");
    assert!(
        got[0].starts_with(&format!(
            "{}: error: a `)` is missing here: it closes the `(` on line",
            at(&text, "discord: 6,", "discord: 6".len())
        )) && got[0].ends_with("(the lines after it are indented as if it were closed)"),
        "{got:#?}"
    );
    // A string left open before the brackets that close a list.
    let text = edit(&t, "after: [\"opening.ask\"],", "after: [\"opening.ask],");
    assert_eq!(
        errors(&text),
        [format!(
            "{}: error: this string is never closed: add a closing `\"` at the end of its text",
            at(&text, "\"opening.ask]", 0)
        )]
    );
}

/// Every other bracket, quote, comma or colon deleted from the template, one at a time (about
/// 1000 files): a clear message, and rarely more than one.
#[test]
fn a_single_deleted_character_gives_one_error_nearly_always() {
    let t = template();
    let mut counts = [0usize; 6];
    let mut offsets = 0;
    let mut seen = 0;
    for (i, c) in t.char_indices() {
        let line_start = t[..i].rfind('\n').map_or(0, |n| n + 1);
        let in_comment = t[line_start..i].contains("//");
        if in_comment || !matches!(c, '"' | '(' | ')' | '[' | ']' | ',' | ':') {
            continue;
        }
        seen += 1;
        if seen % 2 == 0 {
            continue;
        }
        offsets += 1;
        let text = format!("{}{}", &t[..i], &t[i + 1..]);
        let n = errors(&text).len();
        assert!(n <= 4, "{n} errors without byte {i}: {:#?}", errors(&text));
        counts[n.min(5)] += 1;
    }
    let failing = offsets - counts[0];
    assert!(
        counts[1] * 100 >= failing * 95,
        "of {failing} broken files, {} give one error ({counts:?})",
        counts[1]
    );
}

#[test]
fn a_bracket_too_many_is_reported_and_skipped() {
    let text = edit(
        MINIMAL,
        "feedback: \"Labels.\"),",
        "feedback: \"Labels.\")),",
    );
    assert_eq!(
        errors(&text),
        [
            "t.ron:25:115: error: this `)` is one too many: no bracket open here is closed by it; remove it"
        ]
    );
}

#[test]
fn a_truncated_file_names_the_innermost_open_bracket() {
    let cut = MINIMAL.find("Point(\n            id: \"b\"").unwrap() + 20;
    assert_eq!(
        errors(&MINIMAL[..cut]),
        [
            "t.ron:28:14: error: this bracket is never closed: expected `)` to close `Point(` before the end of the file (is the file cut short?)"
        ]
    );
}

#[test]
fn every_error_of_a_file_comes_in_one_run_syntax_first() {
    let text = edit(
        &edit(
            &edit(
                &edit(
                    MINIMAL,
                    "text: \"I'm fine.\"",
                    "text: \"I'm \"fine\" really.\"",
                ),
                "when: \"discord >= 6\"",
                "when: discord >= 6",
            ),
            "name: \"Pat\",",
            "name: \"Pat\"",
        ),
        "ClosedQuestion]",
        "ClosedQuestoin]",
    );
    let text = edit(
        &text,
        "next: \"good\", feedback: \"Fact",
        "next: \"god\", feedback: \"Fact",
    );
    let text = edit(&text, "age: 40", "age: 400");
    let got = errors(&text);
    let want = [
        "t.ron:8:20: error: a `,` is missing at the end of this line, before `age` on line 9",
        "t.ron:20:44: error: a `\"` inside the text ends the string early: write `\\\"`",
        "t.ron:21:90: error: the `when` condition must be in quotes: write `when: \"discord >= 6\"`",
        // Then the values, then the links.
        "t.ron:9:14: error: `age` is 400, outside the allowed range 1 to 120",
        "t.ron:35:75: error: unknown MITI code `ClosedQuestoin` (did you mean `ClosedQuestion`?)",
        "t.ron:35:98: error: option `b.q` leads to `god`, which is neither a decision point nor an ending (did you mean `good`?)",
    ];
    assert_eq!(got.len(), want.len(), "{got:#?}");
    for (g, w) in got.iter().zip(want) {
        assert!(g.starts_with(w), "{g}\n  does not start with\n{w}");
    }
}

#[test]
fn text_that_cannot_be_read_is_skipped_to_the_next_comma_and_reading_goes_on() {
    let text = edit(
        &edit(MINIMAL, "age: 40,", "age: 40 years,"),
        "mood: Thoughtful",
        "mood: Thoughtfull",
    );
    // Skipped text may leave a gap, so nothing else is checked: the syntax errors only.
    let text = edit(&text, "text: \"Leave it.\"", "text: \"Leave it.”");
    assert_eq!(
        errors(&text),
        [
            "t.ron:9:17: error: expected `,` or `)` after the value, found `years`",
            "t.ron:21:49: error: curly quotes: use straight quotes: this text starts with `\"` but ends with `”`",
        ]
    );
}

#[test]
fn small_mistakes_of_form_name_their_fix() {
    assert_eq!(
        errors(&edit(MINIMAL, "age: 40,", "\"age\": 40,")),
        ["t.ron:9:9: error: field names are written without quotes: write `age:`"]
    );
    assert_eq!(
        errors(&edit(MINIMAL, "age: 40,", "age = 40,")),
        ["t.ron:9:13: error: write `age:`, with a colon, not `age =`"]
    );
    assert_eq!(
        errors(&edit(MINIMAL, "age: 40,", "age 40,")),
        ["t.ron:9:12: error: a `:` is missing after the field name: write `age:`"]
    );
    assert_eq!(
        errors(&edit(MINIMAL, "age: 40,", "age: 40,,")),
        ["t.ron:9:17: error: this `,` is one too many: remove it"]
    );
    assert_eq!(
        errors(&edit(MINIMAL, "text: \"I'm fine.\"", "text: I'm fine.\"")),
        ["t.ron:20:39: error: this text has no opening quote: add `\"` before it"]
    );
    assert_eq!(
        errors(&edit(MINIMAL, "codes: [Confront]", "codes: Confront]")),
        ["t.ron:25:69: error: a `[` is missing before this value: a list is written `[a, b]`"]
    );
    assert_eq!(
        errors(&edit(MINIMAL, "initial: State(", "initial: State ")),
        ["t.ron:12:23: error: a `(` is missing after `State`: write `State(`"]
    );
    assert_eq!(
        errors(&edit(MINIMAL, "age: 40,", "age: ,")),
        ["t.ron:9:14: error: expected a value, found `,`"]
    );
}

#[test]
fn a_duplicated_id_comes_before_the_errors_it_causes() {
    let text = include_str!("../../../scenarios/court-ordered-dui.ron");
    let text = edit(text, "id: \"dui.licence\",", "id: \"dui.bac\",");
    let got = errors(&text);
    assert!(
        got[0].ends_with(
            "error: duplicate id `dui.bac`: a decision point already uses it; every id in a scenario must be unique"
        ),
        "{got:#?}"
    );
    assert!(got.len() > 1, "{got:#?}");
    // Links to the duplicated id reach both points: neither is called unreachable.
    assert!(!got.iter().any(|e| e.contains("unreachable")), "{got:#?}");
}

#[test]
fn well_formed_files_read_complete_with_no_errors() {
    for text in [
        MINIMAL.to_string(),
        template(),
        include_str!("../../../scenarios/recovery-burnout-course.ron").to_string(),
    ] {
        let p = parse_all(&text);
        assert!(p.errors.is_empty() && p.complete, "{:#?}", p.errors);
    }
}

/// A small deterministic generator, so the garbling below is the same on every run.
fn next(seed: &mut u64) -> usize {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    (*seed >> 11) as usize
}

#[test]
fn garbled_files_never_panic_and_errors_stay_inside_the_file() {
    let pieces = [
        "\"",
        "(",
        ")",
        "[",
        "]",
        ",",
        ":",
        "“",
        "”",
        "\n",
        "//",
        "/*",
        "Point(",
        "when: x > 1",
        "\\",
        "'",
        "r#\"",
        "}",
        "{",
    ];
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    for base in [MINIMAL.to_string(), template()] {
        for _ in 0..400 {
            let mut text = base.clone();
            for _ in 0..(1 + next(&mut seed) % 4) {
                let mut at = next(&mut seed) % (text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                if next(&mut seed).is_multiple_of(3) {
                    let mut end = (at + 1 + next(&mut seed) % 30).min(text.len());
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    text.replace_range(at..end, "");
                } else {
                    text.insert_str(at, pieces[next(&mut seed) % pieces.len()]);
                }
            }
            let p = parse_all(&text);
            assert!(p.errors.len() <= MAX_SYNTAX_ERRORS + 1, "{text}");
            assert!(
                p.errors.iter().all(|e| e.span.start <= text.len()),
                "{text}"
            );
            if let Err(d) = load_scenario(&text) {
                assert!(!d.is_empty());
            }
        }
    }
}

#[test]
fn a_long_file_on_one_line_reads_in_linear_time() {
    // A 4 MB document without line breaks: looking back to a line's start or ahead to the
    // next quote for every value would take minutes.
    let items = "Affirm, ".repeat(250_000);
    let text = format!(
        "(codes: [{items}], texts: [{}], next: \"b\")",
        "\"a\", ".repeat(100_000)
    );
    let t = std::time::Instant::now();
    let p = parse_all(&text);
    assert!(p.errors.is_empty(), "{:?}", p.errors.first());
    assert!(
        t.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        t.elapsed()
    );
    // And with an error at its end.
    let p = parse_all(&text.replace("next: \"b\"", "next: b\""));
    assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
}

#[test]
fn junk_stops_after_the_most_errors_worth_reading() {
    let junk = "(a: ".to_string() + &"1 x, ".repeat(500) + ")";
    let p = parse_all(&junk);
    assert_eq!(p.errors.len(), MAX_SYNTAX_ERRORS + 1);
    assert!(
        p.errors
            .last()
            .unwrap()
            .message
            .starts_with("too many syntax errors"),
        "{:?}",
        p.errors.last()
    );
}
