//! The model conversation as authoring tools see it: what a reply at a point answers, the
//! options' ratings, and the best path (the top-rated reply everywhere, seed 1) that `lint`,
//! `audit` and `play --auto best` share.

use std::sync::Arc;

use crate::engine::model::{Point, Scenario, Target};
use crate::engine::{AutoPolicy, Session, auto_turn_limit, option_ratings};
use crate::source::diag::Span;

/// The seed of the best path the linter plays.
pub const BEST_PATH_SEED: u64 = 1;

/// What a reply at this point answers when its option has no `responds_to`: the talk type of
/// the point's first line without `when` (the line said when nothing special holds).
pub fn point_target(p: &Point) -> Target {
    p.default_line()
        .map_or(Target::Neutral, |l| l.talk.target())
}

/// The 1–5 rating of each option at a point, answering its `responds_to` or the point's
/// [`point_target`].
pub fn point_ratings(p: &Point) -> Vec<u8> {
    option_ratings(p, point_target(p))
}

/// The best path: the top-rated reply at every point, seed 1, as `play --auto best` plays
/// it, within a generous turn limit (also returned). `None` without a start point.
pub fn best_path_session(s: &Scenario) -> Option<(Session, usize)> {
    s.point(&s.start)?;
    let limit = auto_turn_limit(s);
    let mut session = Session::new(Arc::new(s.clone()), BEST_PATH_SEED);
    session.auto_play(AutoPolicy::Best, limit);
    Some((session, limit))
}

/// Where whole-path warnings point: the `start` value.
/// Where a file-level finding about the model conversation is reported: the `start` value.
pub fn path_span(s: &Scenario) -> Span {
    s.spans.start
}
