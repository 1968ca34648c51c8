//! Courses: one client over several sessions, with carried state, drift, memory and seeds.

use std::sync::Arc;

use changetalk_core::engine::course::{
    Course, CourseEndKind, CourseError, SESSION_SEED_STEP, drift, session_seed,
};
use changetalk_core::engine::model::ClientState;
use changetalk_core::{AutoPolicy, Scenario, Session, load_scenario};

const COURSE: &str = include_str!("data/course.ron");
const MINIMAL: &str = include_str!("data/minimal.ron");

fn scenario(text: &str) -> Arc<Scenario> {
    Arc::new(load_scenario(text).unwrap_or_else(|e| panic!("test scenario is valid: {e:#?}")))
}

/// Replies with the option of this id in the course's current session.
fn say(c: &mut Course, id: &str) {
    let s = c.current_mut().expect("a session is in play");
    let n = s.displayed_number(id).expect("option is shown");
    s.choose(n).unwrap();
    c.advance();
}

fn json(c: &Course) -> String {
    let transcripts: Vec<_> = c.sessions().iter().map(|(_, s)| s.transcript()).collect();
    serde_json::to_string(&(transcripts, c.record())).unwrap()
}

#[test]
fn a_single_session_client_plays_as_a_course_of_one_exactly_as_before() {
    for seed in [0, 1, 42] {
        let s = scenario(MINIMAL);
        let mut c = Course::new(Arc::clone(&s), seed);
        c.auto_play(AutoPolicy::Best);
        let mut alone = Session::new(s, seed);
        alone.auto_play(AutoPolicy::Best, 100);
        let sessions = c.sessions();
        assert_eq!(sessions.len(), 1);
        assert_eq!(
            serde_json::to_string(&sessions[0].1.transcript()).unwrap(),
            serde_json::to_string(&alone.transcript()).unwrap()
        );
        assert_eq!(c.record().end.how, CourseEndKind::Completed);
    }
}

#[test]
fn the_plan_the_client_chose_comes_back_as_partial_progress() {
    let mut c = Course::new(scenario(COURSE), 3);
    say(&mut c, "a.own");
    let s = c.current().expect("the second session started");
    assert_eq!(
        s.current_line().unwrap().text,
        "I did skip the Friday drinks twice. Not every time."
    );
    assert!(s.memory().contains_key("plan.chose_own"));
    let r = c.record();
    assert_eq!(r.played.len(), 2);
    assert_eq!(r.played[1].title, "A week later");
    assert_eq!(r.played[1].seed, session_seed(3, 1));
}

#[test]
fn a_plan_pushed_by_persuasion_comes_back_undone() {
    let mut c = Course::new(scenario(COURSE), 3);
    say(&mut c, "a.push");
    let line = c.current().unwrap().current_line().unwrap().text.clone();
    assert_eq!(
        line,
        "I didn't do it. (stop drinking on Fridays, you said.)"
    );
}

#[test]
fn a_client_who_walks_out_does_not_come_back() {
    let mut c = Course::new(scenario(COURSE), 3);
    say(&mut c, "a.label");
    assert!(c.is_over());
    let r = c.record();
    assert_eq!(r.played.len(), 1);
    assert_eq!(r.end.how, CourseEndKind::ClientDidNotReturn);
    assert_eq!(r.end.ending.as_deref(), Some("s1.gone"));
    assert!(
        r.end.message.contains("did not come back"),
        "{}",
        r.end.message
    );
}

#[test]
fn state_carries_over_with_engagement_and_discord_relaxing_halfway_to_baseline() {
    let base = ClientState {
        engagement: 4,
        discord: 3,
        importance: 2,
        confidence: 5,
    };
    let carried = ClientState {
        engagement: 9,
        discord: 8,
        importance: 7,
        confidence: 1,
    };
    assert_eq!(
        drift(carried, base),
        ClientState {
            engagement: 7,
            discord: 6,
            importance: 7,
            confidence: 1
        }
    );
    assert_eq!(drift(base, base), base);
    let down = ClientState {
        engagement: 0,
        discord: 0,
        ..base
    };
    assert_eq!(drift(down, base).engagement, 2);
    assert_eq!(drift(down, base).discord, 1);
    // The course starts the next session in the drifted state.
    let s = scenario(COURSE);
    let mut c = Course::new(Arc::clone(&s), 3);
    say(&mut c, "a.push");
    let sessions = c.sessions();
    let end_of_first = sessions[0].1.state();
    assert_eq!(
        sessions[1].1.scenario().persona.initial,
        drift(end_of_first, s.persona.initial)
    );
}

#[test]
fn session_seeds_are_pinned_and_the_first_keeps_the_course_seed() {
    assert_eq!(session_seed(42, 0), 42);
    assert_eq!(session_seed(1, 1), 1 + SESSION_SEED_STEP);
    assert_eq!(session_seed(u64::MAX, 1), SESSION_SEED_STEP - 1);
}

#[test]
fn same_seed_and_choices_give_a_byte_identical_course() {
    let s = scenario(COURSE);
    for seed in [0, 1, 9, u64::MAX] {
        let mut a = Course::new(Arc::clone(&s), seed);
        a.auto_play(AutoPolicy::Worst);
        let mut b = Course::new(Arc::clone(&s), seed);
        b.auto_play(AutoPolicy::Worst);
        assert_eq!(json(&a), json(&b));
        let choices: Vec<Vec<usize>> = a
            .sessions()
            .iter()
            .map(|(_, x)| x.choices().to_vec())
            .collect();
        let c = Course::replay(Arc::clone(&s), seed, &choices).unwrap();
        assert_eq!(json(&a), json(&c));
    }
}

#[test]
fn best_and_worst_courses_differ_in_the_second_session_or_end_early() {
    let s = scenario(COURSE);
    let mut best = Course::new(Arc::clone(&s), 1);
    best.auto_play(AutoPolicy::Best);
    let mut worst = Course::new(Arc::clone(&s), 1);
    worst.auto_play(AutoPolicy::Worst);
    assert_eq!(best.record().end.how, CourseEndKind::Completed);
    assert_eq!(best.sessions().len(), 2);
    let w = worst.record();
    assert!(w.end.how == CourseEndKind::ClientDidNotReturn || w.played.len() == 2);
}

#[test]
fn a_later_session_can_be_played_after_the_model_conversation() {
    let s = scenario(COURSE);
    let c = Course::at_session(Arc::clone(&s), 1, 2).unwrap();
    let r = c.record();
    assert_eq!(r.started_at, Some(2));
    assert_eq!(r.played.len(), 1);
    assert_eq!(r.played[0].number, 2);
    assert!(
        c.memory().contains_key("plan.chose_own"),
        "{:?}",
        c.memory()
    );
    assert!(matches!(
        Course::at_session(Arc::clone(&s), 1, 3),
        Err(CourseError::NoSuchSession {
            number: 3,
            count: 2
        })
    ));
    assert!(Course::at_session(s, 1, 0).is_err());
}

#[test]
fn choices_past_the_end_or_before_a_session_ends_are_refused() {
    let s = scenario(COURSE);
    let mut c = Course::new(Arc::clone(&s), 3);
    let label = c.current().unwrap().displayed_number("a.label").unwrap();
    let e = c.play_choices(&[vec![label], vec![1]]).unwrap_err();
    assert_eq!(e, CourseError::Over { after: 1, extra: 1 });
    assert!(e.to_string().contains("remove them"), "{e}");
    let mut c = Course::new(s, 3);
    let e = c.play_choices(&[vec![9]]).unwrap_err();
    assert!(e.to_string().starts_with("session 1: turn 1"), "{e}");
}

#[test]
fn stopping_ends_the_course_as_stopped() {
    let mut c = Course::new(scenario(COURSE), 3);
    c.play_choices(&[vec![]]).unwrap();
    let r = c.record();
    assert_eq!(r.end.how, CourseEndKind::Stopped);
    assert!(c.is_over());
}

/// Applies one edit to the course fixture and renders its errors as `t.ron:line:col: …`.
fn course_errors(old: &str, new: &str) -> Vec<String> {
    assert!(COURSE.contains(old), "test edit does not apply: {old}");
    let text = COURSE.replacen(old, new, 1);
    match load_scenario(&text) {
        Ok(_) => Vec::new(),
        Err(d) => {
            let idx = changetalk_core::LineIndex::new(&text);
            d.iter().map(|d| d.render("t.ron", &idx)).collect()
        }
    }
}

/// The line:col of the first `needle` in the fixture after the edit, plus `skip` bytes.
fn pos(old: &str, new: &str, needle: &str, skip: usize) -> String {
    let text = COURSE.replacen(old, new, 1);
    let off = text.find(needle).expect("needle") + skip;
    let (l, c) = changetalk_core::LineIndex::new(&text).line_col(off);
    format!("t.ron:{l}:{c}: error: ")
}

#[track_caller]
fn one(errs: &[String], at: &str, msg: &str) {
    assert_eq!(errs.len(), 1, "expected one error: {errs:#?}");
    assert!(errs[0].starts_with(at), "expected {at}, got {}", errs[0]);
    assert!(errs[0].contains(msg), "expected {msg:?} in {}", errs[0]);
}

#[test]
fn the_course_fixture_is_valid() {
    assert_eq!(course_errors("", ""), Vec::<String>::new());
}

#[test]
fn an_unknown_memory_key_in_a_condition_is_reported_at_the_key() {
    let (old, new) = (
        "when: \"remembered(plan.pushed) and",
        "when: \"remembered(plan.pushd) and",
    );
    let e = course_errors(old, new);
    one(
        &e,
        &pos(old, new, "plan.pushd", 0),
        "memory key `plan.pushd` is never remembered (did you mean `plan.pushed`?)",
    );
}

#[test]
fn a_quoted_key_must_be_remembered_with_text_and_required_by_the_line() {
    let (old, new) = ("I did {plan.step} twice", "I did {plan.stepp} twice");
    let e = course_errors(old, new);
    one(&e, &pos(old, new, "{plan.stepp}", 0), "is never remembered");
    let (old, new) = (
        "when: \"remembered(plan.chose_own) and remembered(plan.step)\"",
        "when: \"remembered(plan.chose_own)\"",
    );
    let e = course_errors(old, new);
    one(
        &e,
        &pos(old, new, "{plan.step} twice", 0),
        "does not require the key",
    );
    let (old, new) = ("\"plan.step = skip the Friday drinks\"", "\"plan.step\"");
    let e = course_errors(old, new);
    one(&e, &pos(old, new, "\"plan.step\"]", 0), "without text");
}

#[test]
fn an_unknown_or_backward_session_is_reported_at_next_session() {
    let (old, new) = (
        "debrief: \"Planning.\")",
        "debrief: \"Planning.\", next_session: \"week-latr\")",
    );
    let e = course_errors(old, new);
    one(
        &e,
        &pos(old, new, "\"week-latr\"", 0),
        "session `week-latr`, which is not a session of this file (did you mean `week-later`?)",
    );
    let (old, new) = (
        "debrief: \"Review.\")",
        "debrief: \"Review.\", next_session: \"week-later\")",
    );
    let e = course_errors(old, new);
    one(
        &e,
        &pos(old, new, "next_session: \"week-later\"", 14),
        "a course only moves forward",
    );
}

#[test]
fn a_later_session_needs_its_own_walkout() {
    let (old, new) = ("walkout: Walkout(discord: 9, ending: \"w.gone\"),", "");
    let e = course_errors(old, new);
    one(
        &e,
        &pos(old, new, "\"week-later\"", 0),
        "session `week-later` has no walkout",
    );
}

#[test]
fn ids_are_unique_across_sessions_and_bad_facts_point_inside_the_string() {
    let (old, new) = ("Option(id: \"w.a.r\"", "Option(id: \"a.own\"");
    let e = course_errors(old, new);
    one(
        &e,
        &pos(old, new, "\"a.own\", text: \"You made", 0),
        "duplicate id `a.own`",
    );
    let (old, new) = (
        "\"plan.pushed\", \"plan.step",
        "\"plan pushed\", \"plan.step",
    );
    let e = course_errors(old, new);
    assert!(
        e.iter()
            .any(|x| x.starts_with(&pos(old, new, "plan pushed", 0))
                && x.contains("is not a memory key")),
        "{e:#?}"
    );
}

/// The course lints (`unread-memory`, `unreached-session`, `ignored-plan`) of the fixture
/// after edits, rendered.
fn course_lints(edits: &[(&str, &str)]) -> Vec<String> {
    use changetalk_core::authoring::lint::{LintConfig, lint};
    let mut text = COURSE.to_string();
    for (old, new) in edits {
        assert!(text.contains(old), "test edit does not apply: {old}");
        text = text.replacen(old, new, 1);
    }
    let s = load_scenario(&text).unwrap_or_else(|e| panic!("{e:#?}"));
    let idx = changetalk_core::LineIndex::new(&text);
    lint(&s, &LintConfig::default())
        .iter()
        .map(|d| d.render("t.ron", &idx))
        .filter(|m| {
            ["unread-memory", "unreached-session", "ignored-plan"]
                .iter()
                .any(|k| m.contains(k))
        })
        .collect()
}

#[test]
fn the_course_fixture_has_no_course_lints() {
    assert_eq!(course_lints(&[]), Vec::<String>::new());
}

#[test]
fn memory_set_but_never_read_is_a_warning_at_the_fact() {
    let w = course_lints(&[(
        "\"plan.chose_own\", \"plan.step",
        "\"plan.chose_own\", \"promise.call\", \"plan.step",
    )]);
    assert_eq!(w.len(), 1, "{w:#?}");
    let text = COURSE.replacen(
        "\"plan.chose_own\", \"plan.step",
        "\"plan.chose_own\", \"promise.call\", \"plan.step",
        1,
    );
    let (l, c) =
        changetalk_core::LineIndex::new(&text).line_col(text.find("\"promise.call\"").unwrap());
    assert!(
        w[0].starts_with(&format!(
            "t.ron:{l}:{c}: warning: unread-memory: `promise.call`"
        )),
        "{}",
        w[0]
    );
}

#[test]
fn a_session_no_path_reaches_is_a_warning_at_its_id() {
    let w = course_lints(&[(
        "debrief: \"Planning.\")",
        "debrief: \"Planning.\", ends_course: true)",
    )]);
    assert!(
        w.iter()
            .any(|m| m.contains("unreached-session: no path reaches session `week-later`")),
        "{w:#?}"
    );
}

#[test]
fn a_later_session_that_ignores_the_plan_is_a_warning_at_its_id() {
    let w = course_lints(&[
        (
            "I did {plan.step} twice. Not every time.\", talk: Change(TakingSteps), mood: Hopeful, when: \"remembered(plan.chose_own) and remembered(plan.step)\"",
            "I did it twice.\", talk: Change(TakingSteps), mood: Hopeful, when: \"engagement > 4\"",
        ),
        (
            "I didn't do it. ({plan.step}, you said.)\", talk: Sustain(Ability), mood: Guarded, when: \"remembered(plan.pushed) and remembered(plan.step)\"",
            "I didn't do it.\", talk: Sustain(Ability), mood: Guarded, when: \"engagement < 3\"",
        ),
    ]);
    assert!(
        w.iter().any(|m| m.contains(
            "warning: ignored-plan: session `week-later` never reads the plan made in session 1"
        )),
        "{w:#?}"
    );
}

const DENISE: &str = include_str!("../../../scenarios/recovery-burnout-course.ron");

#[test]
fn the_bundled_denise_course_lints_clean_and_passes_the_audit_in_every_session() {
    use changetalk_core::authoring::course::audit_all;
    use changetalk_core::authoring::lint::{LintConfig, lint};
    let s = load_scenario(DENISE).unwrap_or_else(|e| {
        let idx = changetalk_core::LineIndex::new(DENISE);
        let shown: Vec<String> = e.iter().map(|d| d.render("denise", &idx)).collect();
        panic!("{shown:#?}")
    });
    let idx = changetalk_core::LineIndex::new(DENISE);
    let warnings: Vec<String> = lint(&s, &LintConfig::default())
        .iter()
        .map(|d| d.render("denise", &idx))
        .collect();
    assert!(warnings.is_empty(), "{warnings:#?}");
    let reports = audit_all(&s);
    assert_eq!(reports.len(), 3);
    for r in &reports {
        assert!(r.pass, "{}: {:#?}", r.scenario, r.strategies);
    }
}

#[test]
fn denise_remembers_the_first_session_in_the_second() {
    let s = scenario(DENISE);
    let mut best = Course::new(Arc::clone(&s), 1);
    best.auto_play(AutoPolicy::Best);
    let b = best.record();
    assert_eq!(b.end.how, CourseEndKind::Completed, "{:?}", b.end);
    assert_eq!(b.played.len(), 3);
    let second = &best.sessions()[1].1.transcript();
    assert!(
        second.turns[0]
            .client
            .text
            .contains("We did it, the tomatoes with Ada on Saturday"),
        "{}",
        second.turns[0].client.text
    );
    let mut worst = Course::new(Arc::clone(&s), 1);
    worst.auto_play(AutoPolicy::Worst);
    let w = worst.record();
    assert_eq!(w.end.how, CourseEndKind::ClientDidNotReturn, "{:?}", w.end);
    // A plan pushed by persuasion: "I didn't do it", and the slip comes with bravado.
    let mut pushed = Course::new(Arc::clone(&s), 1);
    while pushed.current_number() == 1 && !pushed.is_over() {
        let session = pushed.current_mut().unwrap();
        let n = session
            .displayed_number("burnout.wants.ninety")
            .or_else(|| session.auto_choice(AutoPolicy::Best))
            .unwrap();
        session.choose(n).unwrap();
        pushed.advance();
    }
    let second = pushed
        .current_mut()
        .expect("she comes back after complying");
    let opening = second.current_line().unwrap().text.clone();
    assert!(
        opening.contains("I didn't do it. You said ninety meetings in ninety days"),
        "{opening}"
    );
    let n = second.displayed_number("review.opening.honest").unwrap();
    second.choose(n).unwrap();
    assert_eq!(second.current_line().unwrap().line, "review.slip.bravado");
}
