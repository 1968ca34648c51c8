//! `changetalk play ID` for a client with several sessions (a course): every session in
//! order with a separator ("A week later…"), or one (`--session N`) after the model
//! conversation of the earlier ones; `--choices` separates sessions with `/`.

use std::sync::Arc;

use changetalk_core::engine::course::{Course, CourseRecord};
use changetalk_core::{Scenario, Score, Transcript, score_transcript};
use serde::Serialize;

use super::conversation::Scripted;
use super::text_report::{score_text, transcript_text};

/// One session of the `--json` output.
#[derive(Serialize)]
struct SessionOutput {
    transcript: Transcript,
    score: Score,
}

/// The `--json` output of a course.
#[derive(Serialize)]
struct CourseOutput {
    sessions: Vec<SessionOutput>,
    course: CourseRecord,
}

/// The separator printed before session `index` (0-based) of a course.
pub fn separator(s: &Scenario, index: usize) -> String {
    let title = s.session_title_of(index);
    let intro = index
        .checked_sub(1)
        .and_then(|i| s.sessions.get(i))
        .map(|x| format!("{}\n", x.intro))
        .unwrap_or_default();
    format!(
        "──── Session {} of {}: {title}… ────\n{intro}",
        index + 1,
        s.session_count()
    )
}

/// Plays a course; returns the exit code.
pub fn run(scenario: Arc<Scenario>, seed: u64, how: Scripted, json: bool, free_text: bool) -> i32 {
    if free_text {
        eprintln!(
            "error: `{}` has {} sessions; replies in your own words (--free-text) work with single-session clients for now: play it with numbers, --choices or --auto",
            scenario.id,
            scenario.session_count()
        );
        return 1;
    }
    let mut course = match how.session {
        Some(n) => match Course::at_session(Arc::clone(&scenario), seed, n) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: {e}");
                return 1;
            }
        },
        None => Course::new(Arc::clone(&scenario), seed),
    };
    let scripted = how.auto.is_some() || how.choices.is_some();
    if let Some(policy) = how.auto {
        course.auto_play(policy.into());
    } else if let Some(groups) = &how.choices {
        if let Err(e) = course.play_choices(groups) {
            eprintln!("error: {e}");
            return 1;
        }
        course.stop();
    } else {
        interactive(&mut course);
    }
    let sessions: Vec<SessionOutput> = course
        .sessions()
        .into_iter()
        .map(|(_, s)| {
            let transcript = s.transcript();
            let score = score_transcript(&transcript);
            SessionOutput { transcript, score }
        })
        .collect();
    let record = course.record();
    if json {
        let out = CourseOutput {
            sessions,
            course: record,
        };
        return match serde_json::to_string_pretty(&out) {
            Ok(s) => {
                println!("{s}");
                0
            }
            Err(e) => {
                eprintln!("error: cannot write JSON: {e}");
                1
            }
        };
    }
    if scripted {
        println!(
            "{} — {} (seed {seed})\n",
            scenario.title, scenario.persona.name
        );
    }
    for ((index, _), out) in course.sessions().into_iter().zip(&sessions) {
        if scripted {
            println!("{}", separator(&scenario, index));
            print!(
                "{}",
                transcript_text(&out.transcript, &scenario.persona.name)
            );
        } else {
            println!(
                "\nSession {}: {}",
                index + 1,
                scenario.session_title_of(index)
            );
        }
        print!("{}", score_text(&out.score));
        println!();
    }
    println!("COURSE: {}", record.end.message);
    0
}

/// Plays the course in the terminal, session after session; `q` ends the course.
fn interactive(course: &mut Course) {
    let scenario = Arc::clone(course.scenario());
    while !course.is_over() {
        let index = course.current_number() - 1;
        println!("{}", separator(&scenario, index));
        if let Some(session) = course.current_mut() {
            super::conversation::interactive(session);
            session.stop();
        }
        course.advance();
    }
}
