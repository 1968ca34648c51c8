//! A simulator transcript as scoring sees it: the coded turns, the client's talk, how much
//! of the conversation was done, and the missed moments where a better reply existed.

use crate::engine::records::Transcript;
use crate::miti::score::{CodedSession, CodedTurn, MissedMoment, Score, score};
use crate::miti::talk::Target;

impl CodedSession {
    /// The coded form of a simulator transcript: each reply with its codes and target, and
    /// every client line (including one still waiting for a reply).
    pub fn from_transcript(t: &Transcript) -> CodedSession {
        let mut client: Vec<Target> = t.turns.iter().map(|x| x.client.talk.target()).collect();
        if let Some(p) = &t.pending {
            client.push(p.talk.target());
        }
        CodedSession {
            turns: t
                .turns
                .iter()
                .map(|x| {
                    CodedTurn::new(&x.reply.codes, x.reply.responds_to)
                        .evoking(x.reply.evokes_change_talk)
                })
                .collect(),
            client,
            outcome_factor: t.ending.as_ref().map_or(1.0, |e| outcome_factor(e.outcome)),
            remaining: if t.ending.is_some() {
                None
            } else {
                Some(t.remaining.unwrap_or(1).max(1))
            },
        }
    }
}

/// Scores a simulator transcript, including the missed moments where a better reply existed.
pub fn score_transcript(t: &Transcript) -> Score {
    let mut sc = score(&CodedSession::from_transcript(t));
    sc.feedback.missed_moments = t
        .turns
        .iter()
        .filter_map(|turn| {
            turn.better.as_ref().map(|b| MissedMoment {
                turn: turn.number,
                client: turn.client.text.clone(),
                chosen: turn.reply.text.clone(),
                chosen_rating: turn.reply.rating,
                better: b.clone(),
            })
        })
        .collect();
    sc
}

/// What an ending makes of the overall (`docs/scoring.md` §5): a Positive ending keeps it
/// whole, a Mixed one 85%, a Disengaged one (shut down, walked out) 60%.
pub fn outcome_factor(o: crate::engine::model::Outcome) -> f64 {
    use crate::engine::model::Outcome;
    match o {
        Outcome::Positive => 1.0,
        Outcome::Mixed => 0.85,
        Outcome::Disengaged => 0.6,
    }
}
