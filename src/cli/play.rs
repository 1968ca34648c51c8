//! `changetalk play SCENARIO`: interactive in a terminal, or scripted.

use std::io::{BufRead, Write};
use std::sync::Arc;

use changetalk_core::engine::Session;
use changetalk_core::score_transcript;
use serde::Serialize;

use super::Auto;
use super::text_report::{client_line, print_replies, score_text, transcript_text};
use crate::library;
use changetalk_core::miti::codes::codes_label;

/// The `--json` output of `play`.
#[derive(Serialize)]
struct PlayOutput<'a> {
    transcript: &'a changetalk_core::Transcript,
    score: &'a changetalk_core::Score,
}

/// Runs `play`; returns the exit code.
pub fn run(
    scenario: &str,
    seed: u64,
    choices: Option<Vec<usize>>,
    auto: Option<Auto>,
    json: bool,
) -> i32 {
    let scenario = match library::resolve(scenario) {
        Ok(s) => s,
        Err(e) => {
            library::report_error(&e);
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

fn interactive(session: &mut Session) {
    let scenario = Arc::clone(session.scenario());
    let name = scenario.persona.name.clone();
    println!(
        "{} — {}\n{}\n",
        scenario.title, name, scenario.persona.situation
    );
    println!(
        "Type the number of your reply; `b` takes back the last reply, `q` ends the session.\n"
    );
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    while !session.is_over() {
        let Some(line) = session.current_line().cloned() else {
            break;
        };
        println!("{}", client_line(&name, &line));
        let shown = print_replies(session);
        print!("> ");
        let _ = std::io::stdout().flush();
        let Some(Ok(input)) = lines.next() else {
            println!();
            session.stop();
            break;
        };
        let input = input.trim();
        match input {
            "q" | "quit" => session.stop(),
            "b" | "back" => match session.rewind() {
                Ok(()) => println!("(took back the last reply)\n"),
                Err(e) => println!("({e})\n"),
            },
            _ => match input.parse::<usize>() {
                Ok(n) => match session.choose(n) {
                    Ok(turn) => println!(
                        "  [{} · rating {}/5] {}\n",
                        codes_label(&turn.reply.codes),
                        turn.reply.rating,
                        turn.reply.feedback
                    ),
                    Err(e) => println!("({e})\n"),
                },
                Err(_) => println!("(type a number from 1 to {}, `b` or `q`)\n", shown),
            },
        }
    }
    if let Some(e) = session.ending() {
        println!(
            "\nENDING: {}\n{}\n\nDebrief: {}",
            e.title, e.text, e.debrief
        );
    }
}
