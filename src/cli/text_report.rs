//! Plain-text rendering of sessions and scores for the terminal.

use std::fmt::Write as _;

use changetalk_core::engine::{ClientLineRecord, Transcript};
use changetalk_core::miti::codes::{MitiCode, codes_label};
use changetalk_core::miti::score::{BandedMetric, Score};

/// Counts with their noun ("1 turn"), from the core.
pub use changetalk_core::source::text::count;

/// One client line: `CLIENT (sustain talk, defensive): "…"`.
pub fn client_line(name: &str, l: &ClientLineRecord) -> String {
    format!(
        "{name} ({}, {}): {}",
        l.talk.flat_name().replace('_', " "),
        format!("{:?}", l.mood).to_lowercase(),
        l.text
    )
}

/// Which line the client said and the client's state when they said it, for an author
/// reading a play-through: `[line burnout.opening.a · engagement 3, discord 2, importance 4,
/// confidence 2]`.
pub fn line_facts(l: &ClientLineRecord, s: &changetalk_core::engine::model::ClientState) -> String {
    format!(
        "      [line {} · engagement {}, discord {}, importance {}, confidence {}]",
        l.line, s.engagement, s.discord, s.importance, s.confidence
    )
}

/// The whole conversation with codes, with each client line's id and the client's state.
pub fn transcript_text(t: &Transcript, client_name: &str) -> String {
    let mut out = String::new();
    let mut state = t.initial_state;
    for turn in &t.turns {
        let _ = writeln!(out, "{}", client_line(client_name, &turn.client));
        let _ = writeln!(out, "{}", line_facts(&turn.client, &state));
        state = turn.state_after;
        let _ = writeln!(
            out,
            "  YOU [{}]: {}\n      {} · rating {}/5",
            turn.reply.number,
            turn.reply.text,
            codes_label(&turn.reply.codes),
            turn.reply.rating
        );
        if let Some(b) = &turn.better {
            let _ = writeln!(out, "      better ({}/5): {}", b.rating, b.text);
        }
    }
    if let Some(p) = &t.pending {
        let _ = writeln!(out, "{}", client_line(client_name, p));
        let _ = writeln!(out, "{}", line_facts(p, &state));
    }
    if let Some(e) = &t.ending {
        let _ = writeln!(
            out,
            "\nENDING: {} ({:?})\n{}\n\nDebrief: {}",
            e.title, e.outcome, e.text, e.debrief
        );
    } else {
        let _ = writeln!(out, "\n(session stopped before an ending)");
    }
    out
}

fn metric(name: &str, m: &BandedMetric, unit: &str) -> String {
    match (m.value, m.band) {
        (Some(v), Some(b)) => format!(
            "  {name:<30} {v:>6.2}{unit:<2} {:<11} (fair ≥ {}{unit}, good ≥ {}{unit}; {})",
            b.label(),
            m.fair,
            m.good,
            m.source
        ),
        _ => format!(
            "  {name:<30} {:>8} {:<11} (not applicable: nothing to divide by)",
            "n/a", "—"
        ),
    }
}

/// The score as a readable report.
pub fn score_text(s: &Score) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nSCORE  overall {:.1}/100 over {}{}",
        s.overall,
        count(s.turns, "counsellor turn", "counsellor turns"),
        if s.complete {
            String::new()
        } else {
            format!(
                " — INCOMPLETE: ended before an ending, {:.0}% of the conversation played (the overall counts that share)",
                100.0 * s.completion
            )
        }
    );
    let b = &s.bands;
    for line in [
        metric("Relational global", &b.relational, ""),
        metric("Technical global", &b.technical, ""),
        metric("Reflection : question", &b.reflection_to_question, ""),
        metric("% complex reflections", &b.percent_complex_reflections, "%"),
        metric("% open questions", &b.percent_open_questions, "%"),
        metric("% MI-adherent", &b.percent_mi_adherent, "%"),
    ] {
        let _ = writeln!(out, "{line}");
    }
    let g = &s.globals;
    let _ = writeln!(
        out,
        "  Globals (estimated from the codes, not a coder's rating): cultivating change talk {}, softening sustain talk {}, partnership {}, empathy {}",
        g.cultivating_change_talk, g.softening_sustain_talk, g.partnership, g.empathy
    );
    let share = s
        .change_talk_share
        .map_or("n/a".to_string(), |v| format!("{:.0}%", v * 100.0));
    let _ = writeln!(
        out,
        "  Client: {} change talk, {} sustain talk, {} discord (change-talk share {share})",
        s.change_talk, s.sustain_talk, s.discord
    );
    let counts: Vec<String> = MitiCode::ALL
        .iter()
        .filter(|c| s.counts.get(**c) > 0)
        .map(|c| format!("{} {}", c.label(), s.counts.get(*c)))
        .collect();
    let _ = writeln!(
        out,
        "  Codes: {}",
        if counts.is_empty() {
            "none".into()
        } else {
            counts.join(", ")
        }
    );
    if !s.feedback.strengths.is_empty() {
        let _ = writeln!(out, "\nStrengths");
        for x in &s.feedback.strengths {
            let _ = writeln!(out, "  + {x}");
        }
    }
    if !s.feedback.growth_areas.is_empty() {
        let _ = writeln!(out, "\nTo work on");
        for x in &s.feedback.growth_areas {
            let _ = writeln!(out, "  - {x}");
        }
    }
    if !s.feedback.missed_moments.is_empty() {
        let _ = writeln!(out, "\nMoments with a better reply");
        for m in &s.feedback.missed_moments {
            let _ = writeln!(
                out,
                "  Turn {}: client said \"{}\"\n    you ({}/5): {}\n    better ({}/5): {}\n    why: {}",
                m.turn,
                m.client,
                m.chosen_rating,
                m.chosen,
                m.better.rating,
                m.better.text,
                m.better.feedback
            );
        }
    }
    out
}

/// Prints the replies the trainee can choose, numbered as shown; returns how many.
pub fn print_replies(session: &changetalk_core::Session) -> usize {
    let options = session.current_options();
    for (i, o) in options.iter().enumerate() {
        println!("  {}) {}", i + 1, o.text);
    }
    options.len()
}
