//! A conversation with a client in the terminal, shared by `play` and `play` of a course:
//! numbered replies (`interactive`) or the trainee's own words (`typed`), and how `play` is
//! scripted (`Scripted`).

use std::io::{BufRead, Write};
use std::sync::Arc;

use changetalk_core::engine::Session;
use changetalk_core::miti::codes::codes_label;

use super::Auto;
use super::text_report::{client_line, line_facts, print_replies};

/// How `play` is driven besides the terminal: `--choices`, `--session`, `--auto`.
#[derive(Debug, Clone, Default)]
pub struct Scripted {
    /// `--choices`: each session's option numbers.
    pub choices: Option<Vec<Vec<usize>>>,
    /// `--session N` (1-based).
    pub session: Option<usize>,
    /// `--auto best|worst`.
    pub auto: Option<Auto>,
}

pub(super) fn interactive(session: &mut Session) {
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
        println!("{}", line_facts(&line, &session.state()));
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

/// `play --free-text`: one typed reply per line. When the coder is unsure the trainee picks
/// which of the two nearest options they meant — asked on a terminal; in a pipe the nearest
/// is taken and the note says so.
pub(super) fn typed(session: &mut Session, json: bool) {
    use std::io::IsTerminal;
    let coder = crate::free_text::coder();
    let ask = std::io::stdin().is_terminal();
    let out = |s: String| {
        if json {
            eprintln!("{s}");
        } else {
            println!("{s}");
        }
    };
    let scenario = Arc::clone(session.scenario());
    let name = scenario.persona.name.clone();
    out(format!(
        "{} — {}\n{}\n",
        scenario.title, name, scenario.persona.situation
    ));
    out("Type what you would say, one reply per line; `b` takes back the last reply, `q` ends the session.\n".into());
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    while !session.is_over() {
        let Some(line) = session.current_line().cloned() else {
            break;
        };
        out(client_line(&name, &line));
        if !json {
            print!("> ");
            let _ = std::io::stdout().flush();
        }
        let Some(Ok(input)) = lines.next() else {
            session.stop();
            break;
        };
        let input = input.trim();
        match input {
            "" => continue,
            "q" | "quit" => session.stop(),
            "b" | "back" => match session.rewind() {
                Ok(()) => out("(took back the last reply)\n".into()),
                Err(e) => out(format!("({e})\n")),
            },
            said => {
                let u = crate::free_text::understand(coder, session, said);
                let Some(mut number) = u.nearest() else {
                    break;
                };
                let two = crate::free_text::nearest_lines(&u, session, 2);
                if u.unsure {
                    if ask && two.len() == 2 {
                        out(format!(
                            "  Coded as {}. Which did you mean?\n    {}\n    {}",
                            u.coded_as(),
                            two[0],
                            two[1]
                        ));
                        print!("  [{}/{}] > ", u.two_nearest()[0], u.two_nearest()[1]);
                        let _ = std::io::stdout().flush();
                        if let Some(Ok(pick)) = lines.next()
                            && let Ok(n) = pick.trim().parse::<usize>()
                            && u.two_nearest().contains(&n)
                        {
                            number = n;
                        }
                    } else if let Some(first) = two.first() {
                        out(format!(
                            "  (the coder was unsure; nearest scripted reply: {first})"
                        ));
                    }
                }
                match session.say(u.reply.clone(), number) {
                    Ok(_) => {
                        for l in crate::free_text::feedback_lines(&u, session) {
                            out(format!("  {l}"));
                        }
                        out("  Nearest scripted replies:".into());
                        for l in &two {
                            out(format!("    {l}"));
                        }
                        out(String::new());
                    }
                    Err(e) => out(format!("({e})\n")),
                }
            }
        }
    }
    if let Some(e) = session.ending() {
        out(format!(
            "\nENDING: {}\n{}\n\nDebrief: {}",
            e.title, e.text, e.debrief
        ));
    }
}
