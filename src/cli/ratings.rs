//! `changetalk ratings SCENARIO [--json]`: every reply option with its rating (1–5) and the
//! rule that gives it, point by point and session by session — what an author checks before
//! trainees meet the client (docs/scoring.md §7 is the rating table).

use changetalk_core::engine::model::{Point, Scenario};
use changetalk_core::engine::option_rating;
use changetalk_core::miti::codes::{codes_label, rating_reason};
use changetalk_core::miti::talk::Target;
use serde::Serialize;

/// One option's rating and why.
#[derive(Debug, Serialize)]
pub struct OptionRating {
    /// The option id.
    pub id: String,
    /// Its MITI codes, as the file gives them.
    pub codes: String,
    /// Its rating against the point's first line.
    pub rating: u8,
    /// The rule that gave it.
    pub why: String,
    /// Its rating against the point's other kinds of client line, where it differs:
    /// (talk, rating).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub otherwise: Vec<(String, u8)>,
    /// What it says.
    pub text: String,
}

/// One decision point.
#[derive(Debug, Serialize)]
pub struct PointRatings {
    /// The session (1-based).
    pub session: usize,
    /// The point id.
    pub point: String,
    /// What the client says there first, and its talk.
    pub client: String,
    /// The talk the ratings are against.
    pub talk: String,
    /// Every option, best first (file order among equals).
    pub options: Vec<OptionRating>,
}

fn target_name(t: Target) -> &'static str {
    match t {
        Target::ChangeTalk => "change talk",
        Target::SustainTalk => "sustain talk",
        Target::Discord => "discord",
        Target::Neutral => "neutral talk",
    }
}

/// Every point's ratings, session by session.
pub fn ratings(s: &Scenario) -> Vec<PointRatings> {
    let mut out = Vec::new();
    for session in 0..s.session_count() {
        for p in s.session_points(session) {
            out.push(point_ratings(session + 1, p));
        }
    }
    out
}

fn point_ratings(session: usize, p: &Point) -> PointRatings {
    let first = p.lines.first();
    let target = first.map_or(Target::Neutral, |l| l.talk.target());
    let mut others: Vec<Target> = p.lines.iter().map(|l| l.talk.target()).collect();
    others.retain(|t| *t != target);
    others.dedup();
    let mut options: Vec<OptionRating> = p
        .options
        .iter()
        .map(|o| {
            let rating = option_rating(o, target);
            let mut otherwise: Vec<(String, u8)> = Vec::new();
            for t in &others {
                let r = option_rating(o, *t);
                let name = target_name(*t).to_string();
                if r != rating && !otherwise.iter().any(|(n, _)| *n == name) {
                    otherwise.push((name, r));
                }
            }
            OptionRating {
                id: o.id.clone(),
                codes: codes_label(&o.codes),
                rating,
                why: rating_reason(&o.codes, target, o.evokes_change_talk).to_string(),
                otherwise,
                text: o.text.clone(),
            }
        })
        .collect();
    options.sort_by(|a, b| b.rating.cmp(&a.rating));
    PointRatings {
        session,
        point: p.id.clone(),
        client: first.map(|l| l.text.clone()).unwrap_or_default(),
        talk: target_name(target).to_string(),
        options,
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
    let all = ratings(&s);
    if json {
        match serde_json::to_string_pretty(&all) {
            Ok(j) => println!("{j}"),
            Err(e) => {
                eprintln!("error: {e}");
                return 1;
            }
        }
        return 0;
    }
    let courses = s.is_course();
    for p in &all {
        let session = if courses {
            format!("session {} · ", p.session)
        } else {
            String::new()
        };
        println!(
            "{session}{} — {} ({}): {}",
            p.point,
            s.persona.name,
            p.talk,
            short(&p.client, 90)
        );
        for o in &p.options {
            let otherwise: Vec<String> = o
                .otherwise
                .iter()
                .map(|(t, r)| format!("{r} against {t}"))
                .collect();
            let otherwise = if otherwise.is_empty() {
                String::new()
            } else {
                format!(" ({})", otherwise.join(", "))
            };
            println!("  {}/5  {}  {}{otherwise}", o.rating, o.id, o.codes);
            println!("        why: {}", o.why);
            println!("        “{}”", short(&o.text, 100));
        }
        println!();
    }
    0
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let cut: String = s.chars().take(n).collect();
    format!("{}…", cut.trim_end())
}
