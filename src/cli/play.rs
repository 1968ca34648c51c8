//! `changetalk play SCENARIO`: interactive in a terminal, or scripted.

use std::sync::Arc;

use changetalk_core::engine::Session;
use changetalk_core::score_transcript;
use serde::Serialize;

pub use super::conversation::Scripted;
use super::conversation::{interactive, typed};
use super::text_report::{score_text, transcript_text};
use crate::library;

/// The `--json` output of `play`.
#[derive(Serialize)]
struct PlayOutput<'a> {
    transcript: &'a changetalk_core::Transcript,
    score: &'a changetalk_core::Score,
}

/// Runs `play`; returns the exit code. A client with several sessions is played as a course
/// ([`super::play_course`]); one with a single session as before.
pub fn run(scenario: &str, seed: u64, how: Scripted, json: bool, free_text: bool) -> i32 {
    let scenario = match library::resolve(scenario) {
        Ok(s) => s,
        Err(e) => {
            library::report_error(&e);
            return 1;
        }
    };
    if scenario.is_course() {
        return super::play_course::run(scenario, seed, how, json, free_text);
    }
    if let Some(n) = how.session.filter(|n| *n != 1) {
        eprintln!(
            "error: there is no session {n}: `{}` has one session; leave out --session",
            scenario.id
        );
        return 1;
    }
    let Scripted { choices, auto, .. } = how;
    let choices = match choices.map(|mut groups| {
        if groups.len() == 1 {
            Ok(groups.remove(0))
        } else {
            Err(groups.len())
        }
    }) {
        None => None,
        Some(Ok(c)) => Some(c),
        Some(Err(n)) => {
            eprintln!(
                "error: --choices gives {n} sessions separated by `/`, but `{}` has one session; give its replies without `/`",
                scenario.id
            );
            return 1;
        }
    };
    let mut session = Session::new(Arc::clone(&scenario), seed);
    let scripted = auto.is_some() || choices.is_some();
    if let Some(policy) = auto {
        session.auto_play(policy.into(), changetalk_core::engine::MAX_AUTO_TURNS);
    } else if let Some(choices) = choices {
        for (i, c) in choices.iter().enumerate() {
            if session.is_over() {
                eprintln!(
                    "error: the session ended after {}, but {} given; remove the extra {}",
                    super::text_report::count(i, "reply", "replies"),
                    super::text_report::count(choices.len(), "choice was", "choices were"),
                    choices.len() - i
                );
                return 1;
            }
            if let Err(e) = session.choose(*c) {
                eprintln!("error: {e}");
                return 1;
            }
        }
        session.stop();
    } else if free_text {
        // With --json, the conversation goes to standard error and the JSON to standard out.
        typed(&mut session, json);
    } else {
        interactive(&mut session);
    }
    let transcript = session.transcript();
    let score = score_transcript(&transcript);
    if json {
        match serde_json::to_string_pretty(&PlayOutput {
            transcript: &transcript,
            score: &score,
        }) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: cannot write JSON: {e}");
                return 1;
            }
        }
    } else {
        if scripted {
            println!(
                "{} — {} (seed {seed})\n",
                scenario.title, scenario.persona.name
            );
            print!("{}", transcript_text(&transcript, &scenario.persona.name));
        }
        print!("{}", score_text(&score));
    }
    0
}
