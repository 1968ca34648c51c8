//! Tests of grading, the gradebook, statistics and the item analysis.
use super::stats::quantile;
use super::*;
use serde_json::json;

#[test]
fn json_differences_are_named_by_path() {
    let mut out = Vec::new();
    diff_json(
        "score",
        &json!({"overall": 91.0, "counts": {"affirm": 1}, "x": [1, 2]}),
        &json!({"overall": 38.5, "counts": {"affirm": 1}, "x": [1, 3]}),
        &mut out,
    );
    assert_eq!(
        out,
        vec![
            "score.overall: stored 91, recomputed 38.5".to_string(),
            "score.x[1]: stored 2, recomputed 3".to_string()
        ]
    );
    out.clear();
    diff_json("s", &json!({"a": 0.1 + 0.2}), &json!({"a": 0.3}), &mut out);
    assert!(out.is_empty(), "{out:?}");
    diff_json("s", &json!({"a": null}), &json!({"a": 1.0}), &mut out);
    assert_eq!(out, vec!["s.a: stored null, recomputed 1".to_string()]);
}

#[test]
fn csv_fields_are_quoted_and_defused() {
    assert_eq!(csv_field("plain"), "plain");
    assert_eq!(csv_field("Doe, Jane"), "\"Doe, Jane\"");
    assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
}

fn class() -> (Exercise, Vec<Arc<Scenario>>) {
    let text = include_str!("../../../../../scenarios/court-ordered-dui.ron");
    let scenario =
        Arc::new(crate::format::load::load_scenario(text).expect("bundled scenario loads"));
    let ex = Exercise {
        title: "Week 3".into(),
        instructions: String::new(),
        scenarios: vec![crate::classroom::exercise::ScenarioRef {
            id: scenario.id.clone(),
            hash: crate::classroom::exercise::content_hash(text.as_bytes()),
            file: None,
            seed: None,
            session: None,
            span: Default::default(),
        }],
        seed: 42,
        mode: crate::classroom::exercise::ExerciseMode::Assessment,
        pass: crate::classroom::exercise::PassCriteria {
            overall: 60.0,
            ..Default::default()
        },
        attempts: 1,
        time_limit_minutes: Some(30),
        coder: None,
    };
    (ex, vec![scenario])
}

fn result_file(
    ex: &Exercise,
    sc: &[Arc<Scenario>],
    id: &str,
    policy: crate::AutoPolicy,
) -> ResultRecord {
    let mut s = crate::engine::Session::new(Arc::clone(&sc[0]), ex.seed);
    s.auto_play(policy, 1000);
    let mut rec = ResultRecord::new(
        crate::classroom::result::Student {
            name: id.to_uppercase(),
            id: id.into(),
        },
        crate::classroom::result::ExerciseInfo {
            title: ex.title.clone(),
            hash: "h".repeat(64),
            file: "week3.ron".into(),
        },
        ex,
        "test",
        1_700_000_000_000,
        1,
    );
    rec.scenarios.push(crate::classroom::result::ScenarioRun {
        id: sc[0].id.clone(),
        hash: ex.scenarios[0].hash.clone(),
        seed: ex.seed,
        choices: s
            .turns()
            .iter()
            .map(|t| crate::classroom::result::ChoiceRecord {
                number: t.reply.number,
                option_id: t.reply.option.clone(),
                at_ms: 10_000 * t.number as u64,
                typed: None,
            })
            .collect(),
        stopped: false,
        session: None,
        transcript: None,
    });
    rec.finish(ex, &[s.transcript()], 1_700_000_300_000);
    rec
}

fn file(name: &str, rec: &ResultRecord) -> InputFile {
    InputFile {
        name: name.into(),
        bytes: Ok(rec.to_json().into_bytes()),
    }
}

#[test]
fn grading_replays_compares_and_flags() {
    let (ex, sc) = class();
    let hash = "h".repeat(64);
    let p = Pinned {
        exercise: &ex,
        exercise_hash: &hash,
        exercise_stem: "week3",
        scenarios: &sc,
        coder: None,
    };
    let best = result_file(&ex, &sc, "a", crate::AutoPolicy::Best);
    let worst = result_file(&ex, &sc, "b", crate::AutoPolicy::Worst);
    let mut edited = worst.clone();
    edited.student.id = "c".into();
    edited.score = best.score.clone();
    let mut late = best.clone();
    late.student.id = "d".into();
    if let Some(c) = late.scenarios[0].choices.last_mut() {
        c.at_ms = 31 * 60_000;
    }
    late.finished_at = Some(crate::classroom::result::format_timestamp(
        1_700_000_000_000 + 32 * 60_000,
    ));
    let files = vec![
        file("week3--a.json", &best),
        file("week3--b.json", &worst),
        file("week3--c.json", &edited),
        file("week3--d.json", &late),
        file("copy-of-a.json", &best),
        InputFile {
            name: "week3--e.json".into(),
            bytes: Ok(b"{\"format\": \"changetalk-result/1\"".to_vec()),
        },
        InputFile {
            name: "unreadable.json".into(),
            bytes: Err("permission denied".into()),
        },
    ];
    let roster = [
        RosterEntry {
            id: "a".into(),
            name: "Ann".into(),
        },
        RosterEntry {
            id: "z".into(),
            name: "Zed".into(),
        },
    ];
    let book = grade(&p, &files, Some(&roster[..]));
    let codes = |id: &str| {
        book.rows
            .iter()
            .find(|r| r.student_id == id)
            .map(GradeRow::flag_codes)
            .unwrap_or_else(|| panic!("no row for {id}"))
    };
    // The properly named file is the one graded; the copy is named as a duplicate.
    assert_eq!(codes("a"), "duplicate");
    // c is b's result (same replies, same times) with a better score pasted in.
    assert_eq!(codes("b"), "not_on_roster;copied");
    assert_eq!(codes("c"), "score_edited;not_on_roster;copied");
    assert_eq!(codes("d"), "not_on_roster;over_time");
    assert_eq!(codes("e"), "not_on_roster;corrupt");
    assert_eq!(codes("z"), "missing");
    assert_eq!(book.problems.len(), 2);
    assert!(
        book.problems[0].file == "unreadable.json" || book.problems[1].file == "unreadable.json"
    );
    // The gradebook uses the recomputed score, not the edited one.
    let row_b = book
        .rows
        .iter()
        .find(|r| r.student_id == "b")
        .map(|r| r.total);
    let row_c = book
        .rows
        .iter()
        .find(|r| r.student_id == "c")
        .map(|r| r.total);
    assert_eq!(row_b, row_c);
    // Statistics and the item analysis use the replayed rows.
    let dists = distributions(&ex, &book);
    assert_eq!(dists[0].metric, "total");
    assert!(dists[0].n >= 3);
    let items = item_analysis(&p, &book);
    assert!(!items.is_empty());
    assert!(
        items
            .windows(2)
            .all(|w| w[0].missed_share >= w[1].missed_share)
    );
    for it in &items {
        let chosen: usize = it.options.iter().map(|o| o.count).sum();
        assert_eq!(chosen, it.visits);
    }
    let csv = gradebook_csv(&ex, &book);
    assert!(csv.starts_with("Student,ID,SIS User ID,SIS Login ID,Section,Week 3 total,"));
    assert_eq!(csv.lines().count(), book.rows.len() + 1);
    // xAPI: two statements per replayed student.
    let st = crate::classroom::xapi::statements(
        &p,
        &book,
        &crate::classroom::xapi::XapiOptions {
            home_page: "https://lms.example.edu".into(),
            activity_base: "https://x.example.org/xapi".into(),
            platform: "test".into(),
        },
    );
    let counted = book
        .rows
        .iter()
        .filter(|r| r.counts_in_statistics())
        .count();
    assert_eq!(st.len(), 2 * counted);
    assert!(st.iter().all(|s| s.result.duration.starts_with("PT")));
}

/// A result of `id` replying `numbers` (stopped when `stop`), each reply about 7.3 s after the
/// one before (a few milliseconds more or less for each student), finished a minute after the
/// last reply.
fn record_of(
    ex: &Exercise,
    sc: &[Arc<Scenario>],
    id: &str,
    numbers: &[usize],
    stop: bool,
) -> ResultRecord {
    let mut s = crate::engine::Session::replay(Arc::clone(&sc[0]), ex.seed, numbers).unwrap();
    if stop {
        s.stop();
    }
    let mut rec = result_file(ex, sc, id, crate::AutoPolicy::Best);
    rec.scenarios[0].choices = s
        .turns()
        .iter()
        .map(|t| crate::classroom::result::ChoiceRecord {
            number: t.reply.number,
            option_id: t.reply.option.clone(),
            at_ms: 7_300 * t.number as u64 + id.bytes().map(u64::from).sum::<u64>(),
            typed: None,
        })
        .collect();
    rec.scenarios[0].stopped = stop;
    let last = rec.scenarios[0].choices.last().map_or(0, |c| c.at_ms);
    rec.finish(
        ex,
        &[s.transcript()],
        1_700_000_000_000 + last as i64 + 60_000,
    );
    rec
}

fn pinned<'a>(ex: &'a Exercise, sc: &'a [Arc<Scenario>], hash: &'a str) -> Pinned<'a> {
    Pinned {
        exercise: ex,
        exercise_hash: hash,
        exercise_stem: "week3",
        scenarios: sc,
        coder: None,
    }
}

fn best_numbers(ex: &Exercise, sc: &[Arc<Scenario>]) -> Vec<usize> {
    let mut s = crate::engine::Session::new(Arc::clone(&sc[0]), ex.seed);
    s.auto_play(crate::AutoPolicy::Best, 1000);
    s.turns().iter().map(|t| t.reply.number).collect()
}

/// Grades forged files; the flag codes of each student's row.
fn flags_of(ex: &Exercise, sc: &[Arc<Scenario>], files: &[InputFile]) -> BTreeMap<String, String> {
    let hash = "h".repeat(64);
    let book = grade(&pinned(ex, sc, &hash), files, None);
    book.rows
        .iter()
        .map(|r| (r.student_id.clone(), r.flag_codes()))
        .collect()
}

#[test]
fn a_file_name_that_names_another_student_is_flagged() {
    let (ex, sc) = class();
    let path = best_numbers(&ex, &sc);
    let ann = record_of(&ex, &sc, "ann", &path, false);
    // Eve hands in Ann's result under her own file name, and a result with a made-up name.
    let mut bob = record_of(&ex, &sc, "bob", &path, false);
    bob.student.name = "Bob".into();
    let files = [
        file("week3--eve.json", &ann),
        file("results (1).json", &bob),
        // An LMS that prefixes downloads keeps the name at the end: that is fine.
        file(
            "Cy Young_123_assignsubmission_file_week3--cy.json",
            &record_of(&ex, &sc, "cy", &path, false),
        ),
    ];
    let hash = "h".repeat(64);
    let book = grade(&pinned(&ex, &sc, &hash), &files, None);
    let row = |id: &str| book.rows.iter().find(|r| r.student_id == id).unwrap();
    assert_eq!(row("ann").flag_codes(), "file_name");
    assert!(
        row("ann").flags[0]
            .detail
            .contains("week3--eve.json: the file's name gives student `eve`, but the file holds the result of student `ann`"),
        "{:?}",
        row("ann").flags
    );
    assert_eq!(row("bob").flag_codes(), "file_name");
    assert!(
        row("bob").flags[0]
            .detail
            .contains("named `week3--bob.json`")
    );
    assert_eq!(row("cy").flag_codes(), "");
    // Scores are still recomputed for the misnamed files.
    assert!(row("ann").total.is_some() && row("bob").total.is_some());
}

#[test]
fn identical_replies_at_identical_times_are_flagged_as_copies() {
    let (ex, sc) = class();
    let path = best_numbers(&ex, &sc);
    let ann = record_of(&ex, &sc, "ann", &path, false);
    let mut eve = ann.clone();
    eve.student = crate::classroom::result::Student {
        name: "Eve".into(),
        id: "eve".into(),
    };
    // Ben chose the same replies, at his own pace: not a copy.
    let ben = record_of(&ex, &sc, "ben", &path, false);
    assert_ne!(ben.scenarios[0].choices, ann.scenarios[0].choices);
    let files = [
        file("week3--ann.json", &ann),
        file("week3--eve.json", &eve),
        file("week3--ben.json", &ben),
    ];
    let hash = "h".repeat(64);
    let book = grade(&pinned(&ex, &sc, &hash), &files, None);
    let row = |id: &str| book.rows.iter().find(|r| r.student_id == id).unwrap();
    assert_eq!(row("ann").flag_codes(), "copied");
    assert_eq!(row("eve").flag_codes(), "copied");
    assert_eq!(row("ben").flag_codes(), "");
    let detail = &row("eve").flags[0].detail;
    assert!(
        detail.contains("same replies at the same milliseconds as week3--ann.json (student `ann`)"),
        "{detail}"
    );
}

#[test]
fn impossible_reply_times_are_flagged_without_panic_or_wrap() {
    let (ex, sc) = class();
    let path = best_numbers(&ex, &sc);
    let base = record_of(&ex, &sc, "x", &path, false);
    let forge = |id: &str, edit: &dyn Fn(&mut ResultRecord)| {
        let mut r = base.clone();
        r.student.id = id.into();
        // Each student at their own pace (identical times would be flagged as copies).
        for c in &mut r.scenarios[0].choices {
            c.at_ms += id.bytes().map(u64::from).sum::<u64>();
        }
        edit(&mut r);
        file(&format!("week3--{id}.json"), &r)
    };
    let files = [
        forge("zero", &|r| {
            for c in &mut r.scenarios[0].choices {
                c.at_ms = 0;
            }
        }),
        forge("back", &|r| r.scenarios[0].choices[2].at_ms = 5),
        forge("huge", &|r| {
            r.scenarios[0].choices.last_mut().unwrap().at_ms = i64::MAX as u64 - 3;
        }),
        forge("max", &|r| {
            r.scenarios[0].choices.last_mut().unwrap().at_ms = u64::MAX;
        }),
        forge("after", &|r| {
            // A reply timed an hour after the attempt finished.
            r.scenarios[0].choices.last_mut().unwrap().at_ms += 3_600_000;
        }),
        forge("clock", &|r| {
            r.finished_at = Some("2023-11-14T22:00:00.000Z".into());
        }),
        forge("year0", &|r| {
            r.started_at = "0000-01-01T00:00:00.000Z".into()
        }),
        forge("feb30", &|r| {
            r.started_at = "2023-02-30T10:00:00.000Z".into()
        }),
        forge("nofinish", &|r| r.finished_at = None),
        forge("clean", &|_| {}),
    ];
    let flags = flags_of(&ex, &sc, &files);
    for (id, want) in [
        ("zero", "timing"),
        ("back", "timing"),
        // Replies timed past the 30-minute limit are also over time.
        ("huge", "over_time;timing"),
        ("max", "over_time;timing"),
        ("after", "over_time;timing"),
        ("clock", "clock"),
        ("year0", "clock"),
        ("feb30", "clock"),
        ("nofinish", "clock"),
        ("clean", ""),
    ] {
        assert_eq!(flags[id], want, "{id}");
    }
    // xAPI timestamps stay real times, whatever the file says.
    let hash = "h".repeat(64);
    let p = pinned(&ex, &sc, &hash);
    let book = grade(&p, &files, None);
    let st = crate::classroom::xapi::statements(
        &p,
        &book,
        &crate::classroom::xapi::XapiOptions {
            home_page: "https://lms.example.edu".into(),
            activity_base: "https://x.example.org/xapi".into(),
            platform: "test".into(),
        },
    );
    assert_eq!(st.len(), 2 * files.len());
    for s in &st {
        let t = &s.timestamp;
        assert!(
            crate::classroom::result::parse_timestamp(t).is_some() && t.starts_with("2023-"),
            "{}: {t}",
            s.actor.account.name
        );
        assert!(!s.result.duration.contains('-'), "{}", s.result.duration);
    }
}

#[test]
fn scripted_stopped_and_other_mode_results_are_flagged() {
    let (ex, sc) = class();
    let path = best_numbers(&ex, &sc);
    let mut scripted = record_of(&ex, &sc, "bot", &path, false);
    scripted.scripted = Some("auto best".into());
    let mut practice = record_of(&ex, &sc, "prac", &path, false);
    practice.mode = crate::classroom::exercise::ExerciseMode::Practice;
    // One best reply, then `end`.
    let stopped = record_of(&ex, &sc, "quit", &path[..1], true);
    // The same, with `stopped` removed to hide it.
    let mut hidden = record_of(&ex, &sc, "hide", &path[..3], true);
    hidden.scenarios[0].stopped = false;
    let files = [
        file("week3--bot.json", &scripted),
        file("week3--prac.json", &practice),
        file("week3--quit.json", &stopped),
        file("week3--hide.json", &hidden),
    ];
    let hash = "h".repeat(64);
    let book = grade(&pinned(&ex, &sc, &hash), &files, None);
    let row = |id: &str| book.rows.iter().find(|r| r.student_id == id).unwrap();
    assert_eq!(row("bot").flag_codes(), "scripted");
    assert!(
        row("bot").flags[0]
            .detail
            .contains("played by the program (auto best)")
    );
    assert_eq!(row("prac").flag_codes(), "mode");
    assert!(
        row("prac").flags[0]
            .detail
            .contains("played in practice mode, but the exercise is an assessment")
    );
    assert_eq!(row("quit").flag_codes(), "stopped");
    assert!(
        row("quit").flags[0]
            .detail
            .contains("was ended after 1 reply")
    );
    // A good first reply and `end` never passes.
    assert_eq!(row("quit").passed, Some(false));
    assert_eq!(row("hide").flag_codes(), "stopped");
    assert!(row("hide").flags[0].detail.contains("not marked stopped"));
    assert_eq!(row("hide").passed, Some(false));
}

#[test]
fn min_turns_and_require_ending_are_pass_criteria() {
    let (mut ex, sc) = class();
    let path = best_numbers(&ex, &sc);
    ex.pass.min_turns = Some(path.len() as u32 + 1);
    let full = record_of(&ex, &sc, "full", &path, false);
    let d = &full.scores;
    assert_eq!(d.len(), 1);
    assert_eq!(full.passed, Some(false), "one reply short of min_turns");
    let hash = "h".repeat(64);
    let book = grade(
        &pinned(&ex, &sc, &hash),
        &[file("week3--full.json", &full)],
        None,
    );
    let checks = &book.rows[0].scenarios[0].checks;
    let c = checks
        .iter()
        .find(|c| c.criterion.starts_with("replies ≥"))
        .expect("a min_turns check");
    assert_eq!(c.value, Some(path.len() as f64));
    assert!(!c.met);
    ex.pass.min_turns = Some(path.len() as u32);
    assert_eq!(record_of(&ex, &sc, "full", &path, false).passed, Some(true));
    // Without require_ending, a stopped conversation may pass on its reduced overall.
    ex.pass.min_turns = None;
    ex.pass.overall = 10.0;
    let stopped = record_of(&ex, &sc, "stop", &path[..path.len() - 2], true);
    assert_eq!(
        stopped.passed,
        Some(false),
        "an ending is required by default"
    );
    ex.pass.require_ending = false;
    let stopped = record_of(&ex, &sc, "stop", &path[..path.len() - 2], true);
    assert_eq!(stopped.passed, Some(true));
}

#[test]
fn control_characters_never_reach_the_gradebook() {
    let (ex, sc) = class();
    let path = best_numbers(&ex, &sc);
    let mut hidden = record_of(&ex, &sc, "s1", &path, false);
    hidden.student.name = "Ada\u{1b}[8m\r\nfake,row,99".into();
    let mut bad_id = record_of(&ex, &sc, "s2", &path[..4], false);
    bad_id.student.id = "s2\u{1b}[2J\n".into();
    let files = [
        file("week3--s1.json", &hidden),
        file("week3--s2.json", &bad_id),
    ];
    let hash = "h".repeat(64);
    let book = grade(&pinned(&ex, &sc, &hash), &files, None);
    let csv = gradebook_csv(&ex, &book);
    assert!(
        !csv.chars()
            .any(|c| c.is_control() && c != '\r' && c != '\n'),
        "{csv:?}"
    );
    assert_eq!(csv.lines().count(), 3, "one header and two rows: {csv:?}");
    let back = crate::source::csv::parse_csv(&csv).unwrap();
    assert_eq!(back[1][0].0, "Ada[8m  fake,row,99");
    let bad = book
        .rows
        .iter()
        .find(|r| r.student_id.starts_with("s2"))
        .unwrap();
    assert!(bad.has(FlagKind::NoStudent), "{:?}", bad.flags);
    assert!(
        bad.flags
            .iter()
            .all(|f| !f.detail.chars().any(char::is_control)),
        "{:?}",
        bad.flags
    );
}

#[test]
fn quantiles_interpolate() {
    let v = [1.0, 2.0, 3.0, 4.0];
    assert_eq!(quantile(&v, 0.5), Some(2.5));
    assert_eq!(quantile(&v, 0.0), Some(1.0));
    assert_eq!(quantile(&v, 1.0), Some(4.0));
    assert_eq!(quantile(&[], 0.5), None);
}
