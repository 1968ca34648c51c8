//! An exercise that pins a course: `exercise new` pins every session, the attempt plays
//! them in order (session 2 starts where session 1 left the client, with what was
//! remembered), a killed run resumes between and inside sessions, and the grader replays
//! every session, scores each, and says when the client did not come back.

use std::path::Path;

use changetalk::classroom::{self, Next};
use changetalk_core::engine::Session;
use changetalk_core::engine::session::AutoPolicy;

mod common;
use common::{checked, stderr, stdout};

const COURSE: &str = "recovery-burnout-course";

fn new_exercise(dir: &Path) -> std::path::PathBuf {
    let ex = dir.join("course.ron");
    checked(common::bin().args([
        "exercise",
        "new",
        "--scenario",
        COURSE,
        "--mode",
        "practice",
        "--title",
        "Denise over three sessions",
        "-o",
        ex.to_str().unwrap(),
    ]));
    ex
}

/// The conversation the attempt offers next.
fn next(a: &mut classroom::Attempt) -> (usize, Session) {
    match a.next_conversation().expect("it can be saved") {
        Next::Conversation { index, session } => (index, *session),
        other => panic!("expected a conversation, got {other:?}"),
    }
}

fn play_to_end(a: &mut classroom::Attempt, i: usize, s: &mut Session, p: AutoPolicy) {
    while !s.is_over() {
        assert!(
            a.auto_reply(i, s, p).expect("recorded"),
            "a reply is offered"
        );
    }
}

#[test]
fn a_course_exercise_plays_every_session_resumes_after_a_kill_and_grades() {
    let dir = tempfile::tempdir().unwrap();
    let ex = new_exercise(dir.path());
    let text = std::fs::read_to_string(&ex).unwrap();
    for k in 1..=3 {
        assert!(text.contains(&format!("session: {k})")), "{text}");
    }
    let results = dir.path().join("results");
    let loaded = classroom::load(&ex).expect("the exercise loads");
    assert_eq!(loaded.scenarios.len(), 3, "one entry per session");

    // First run: session 1 to its ending, one reply in session 2, then the process dies.
    let mut a = classroom::begin(loaded.clone(), "Ana Ruiz", "s1", &results).unwrap();
    let (i, mut s) = next(&mut a);
    assert_eq!(i, 0);
    play_to_end(&mut a, 0, &mut s, AutoPolicy::Best);
    let (i, mut s) = next(&mut a);
    assert_eq!(i, 1, "session 2 follows");
    assert!(
        s.memory().contains_key("plan.chose_own"),
        "session 1 is remembered"
    );
    let opening = s.current_line().expect("Denise speaks").text.clone();
    assert!(opening.contains("We did it"), "{opening}");
    assert!(a.auto_reply(1, &mut s, AutoPolicy::Best).unwrap());
    let before = s.transcript();
    drop(a); // no finish: the progress file is all that is left

    // Second run: resumes in session 2 after that reply, word for word.
    let mut a = classroom::begin(loaded.clone(), "Ana Ruiz", "s1", &results).unwrap();
    assert!(a.resumed);
    let (i, mut s) = next(&mut a);
    assert_eq!(i, 1);
    assert_eq!(s.transcript(), before);
    play_to_end(&mut a, 1, &mut s, AutoPolicy::Best);
    let (i, mut s) = next(&mut a);
    assert_eq!(i, 2, "session 3 follows");
    play_to_end(&mut a, 2, &mut s, AutoPolicy::Best);
    assert!(matches!(a.next_conversation().unwrap(), Next::AllOver));
    let (transcripts, derived) = a.finish().expect("the result is written");
    assert_eq!(transcripts.len(), 3);
    assert!(derived.passed, "{:?}", derived.checks);

    // A second student loses the client in session 1: the later sessions are not reached.
    let mut b = classroom::begin(loaded, "Bo Chen", "s2", &results).unwrap();
    let (_, mut s) = next(&mut b);
    play_to_end(&mut b, 0, &mut s, AutoPolicy::Worst);
    assert!(matches!(b.next_conversation().unwrap(), Next::AllOver));
    b.finish().expect("the result is written");

    // The grader replays every session of both.
    let csv = dir.path().join("gradebook.csv");
    let out = checked(common::bin().args([
        "grade",
        ex.to_str().unwrap(),
        results.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
    ]));
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        text.contains("scenario `recovery-burnout-course, session 2` was not reached: Denise Okafor did not come back after session 1"),
        "{text}"
    );
    let book = std::fs::read_to_string(&csv).unwrap();
    let header = book.lines().next().unwrap();
    assert!(
        header.contains("recovery-burnout-course, session 3 overall"),
        "{header}"
    );
    let ana = book.lines().find(|l| l.contains(",s1,")).unwrap();
    assert!(ana.ends_with(",pass,scripted"), "{ana}");
    let bo = book.lines().find(|l| l.contains(",s2,")).unwrap();
    assert!(bo.contains(",fail,") && bo.contains("stopped"), "{bo}");
}

#[test]
fn a_session_listed_before_the_one_it_follows_is_refused_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let ex = new_exercise(dir.path());
    let text = std::fs::read_to_string(&ex).unwrap();
    // Drop session 2: session 3 no longer follows anything.
    let without: String = text
        .lines()
        .filter(|l| !l.contains("session: 2)"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&ex, &without).unwrap();
    let e = classroom::load(&ex).expect_err("session 3 has no session 2 before it");
    assert!(
        e.contains("session 3 of `recovery-burnout-course` must come after session 2"),
        "{e}"
    );
    assert!(e.contains("course.ron:"), "{e}");
    // A session the file does not have.
    std::fs::write(&ex, text.replace("session: 3)", "session: 4)")).unwrap();
    let e = classroom::load(&ex).expect_err("no session 4");
    assert!(
        e.contains("has 3 sessions, so there is no session 4"),
        "{e}"
    );
}
