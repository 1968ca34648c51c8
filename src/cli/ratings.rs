//! `changetalk ratings SCENARIO [--json]`: every reply option with its rating (1–5) and the
//! rule of the rating table that gives it, point by point and session by session
//! ([`changetalk_core::authoring::ratings`]) — what an author checks before trainees meet the
//! client.

use changetalk_core::LineIndex;
use changetalk_core::authoring::ratings::{RatingRow, ratings};
use changetalk_core::miti::codes::codes_label;
use changetalk_core::miti::talk::Target;

fn target_name(t: Target) -> &'static str {
    match t {
        Target::ChangeTalk => "change talk",
        Target::SustainTalk => "sustain talk",
        Target::Discord => "discord",
        Target::Neutral => "neutral talk",
    }
}

/// Runs `ratings`; 0, or 1 when the scenario cannot be read.
pub fn run(scenario: &str, json: bool) -> i32 {
    let s = match crate::library::resolve(scenario) {
        Ok(s) => s,
        Err(e) => {
            crate::library::report_error(&e);
            return 1;
        }
    };
    let rows = ratings(&s);
    if json {
        match serde_json::to_string_pretty(&rows) {
            Ok(j) => println!("{j}"),
            Err(e) => {
                eprintln!("error: {e}");
                return 1;
            }
        }
        return 0;
    }
    // Where each option is written, when the scenario came from a file.
    let text = crate::library::looks_like_path(scenario)
        .then(|| std::fs::read_to_string(scenario).ok())
        .flatten();
    let idx = text.as_deref().map(LineIndex::new);
    let mut last: Option<(usize, &str)> = None;
    for r in &rows {
        if last != Some((r.session, r.point.as_str())) {
            if last.is_some() {
                println!();
            }
            let session = if s.is_course() {
                format!("session {} · ", r.session)
            } else {
                String::new()
            };
            println!(
                "{session}{} — replies to {}{}",
                r.point,
                target_name(r.responds_to),
                r.line
                    .as_deref()
                    .map_or(String::new(), |l| format!(" (line {l})"))
            );
            last = Some((r.session, r.point.as_str()));
        }
        print_row(r, idx.as_ref());
    }
    0
}

fn print_row(r: &RatingRow, idx: Option<&LineIndex>) {
    let at = idx.map_or(String::new(), |i| {
        let (l, c) = i.line_col(r.span.start);
        format!(" [{l}:{c}]")
    });
    let best = if r.best {
        "  ← the model conversation's reply"
    } else {
        ""
    };
    println!(
        "  {}/5  {}  {}{at}{best}",
        r.rating,
        r.option,
        codes_label(&r.codes)
    );
    println!("        why: {}", r.why);
    println!("        “{}”", short(&r.text, 100));
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let cut: String = s.chars().take(n).collect();
    format!("{}…", cut.trim_end())
}
