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
            })
            .collect(),
        stopped: false,
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
    assert_eq!(codes("a"), "duplicate");
    assert_eq!(codes("b"), "not_on_roster");
    assert_eq!(codes("c"), "score_edited;not_on_roster");
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

#[test]
fn quantiles_interpolate() {
    let v = [1.0, 2.0, 3.0, 4.0];
    assert_eq!(quantile(&v, 0.5), Some(2.5));
    assert_eq!(quantile(&v, 0.0), Some(1.0));
    assert_eq!(quantile(&v, 1.0), Some(4.0));
    assert_eq!(quantile(&[], 0.5), None);
}
