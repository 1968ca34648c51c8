//! `changetalk ratings FILE`: every option's rating and why, as the linter and the model
//! conversation see them — one row per option, in file order, session by session.
//!
//! An option is rated against its `responds_to`, or else against the talk type of its point's
//! first line without `when` (the line said when nothing special holds; [`point_target`]). In
//! a session the rating follows the line actually said, so an option of a point whose lines
//! differ in talk type may rate differently there; `lint` and `--auto best` use these ratings.

use serde::Serialize;

use crate::authoring::model_path::point_target;
use crate::engine::model::{Point, Scenario, Target};
use crate::engine::{best_index, option_ratings};
use crate::miti::codes::{MitiCode, normalize_turn};
use crate::miti::rating::{RatingRule, rating_rule};
use crate::source::diag::Span;

/// One option's rating and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatingRow {
    /// The session, from 1 (always 1 for a client of one session).
    pub session: usize,
    /// The decision point.
    pub point: String,
    /// The option.
    pub option: String,
    /// What the counsellor says.
    pub text: String,
    /// The codes as rated: each at most once, with MITI's precedence applied.
    pub codes: Vec<MitiCode>,
    /// What the reply answers.
    pub responds_to: Target,
    /// The client line it answers: the point's first line without `when`; `None` when the
    /// option's own `responds_to` says what it answers.
    pub line: Option<String>,
    /// The option is marked `evokes_change_talk`.
    pub evokes_change_talk: bool,
    /// 1–5 (`docs/scoring.md` §7).
    pub rating: u8,
    /// The row of the rating table that gives it.
    pub rule: RatingRule,
    /// The rule in words: "a complex reflection of change talk".
    pub why: String,
    /// The top-rated option at its point (the first on a tie): the model conversation's reply.
    pub best: bool,
    /// Where the option is written.
    #[serde(skip)]
    pub span: Span,
}

/// Every option of every session of `s`, rated, in file order.
pub fn ratings(s: &Scenario) -> Vec<RatingRow> {
    let sessions = std::iter::once(&s.points).chain(s.sessions.iter().map(|x| &x.points));
    sessions
        .enumerate()
        .flat_map(|(i, points)| points.iter().flat_map(move |p| point_rows(i + 1, p)))
        .collect()
}

fn point_rows(session: usize, p: &Point) -> Vec<RatingRow> {
    let target = point_target(p);
    let line = p.default_line().map(|l| l.id.clone());
    let ratings = option_ratings(p, target);
    let best = best_index(&ratings);
    p.options
        .iter()
        .zip(ratings)
        .enumerate()
        .map(|(i, (o, rating))| {
            let responds_to = o.responds_to.unwrap_or(target);
            let rule = rating_rule(&o.codes, responds_to, o.evokes_change_talk);
            RatingRow {
                session,
                point: p.id.clone(),
                option: o.id.clone(),
                text: o.text.clone(),
                codes: normalize_turn(&o.codes),
                responds_to,
                line: o.responds_to.is_none().then(|| line.clone()).flatten(),
                evokes_change_talk: o.evokes_change_talk,
                rating,
                rule,
                why: rule.explain(&o.codes, responds_to),
                best: i == best,
                span: o.spans.whole,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authoring::lint::point_ratings;
    use crate::format::load::load_scenario;

    #[test]
    fn every_option_is_rated_with_its_rule_and_one_best_per_point() {
        let text = crate::format::template::template_for("t").unwrap();
        let s = load_scenario(&text).unwrap();
        let rows = ratings(&s);
        let options: usize = s.points.iter().map(|p| p.options.len()).sum();
        assert_eq!(rows.len(), options);
        for p in &s.points {
            let mine: Vec<&RatingRow> = rows.iter().filter(|r| r.point == p.id).collect();
            let want = point_ratings(p);
            let got: Vec<u8> = mine.iter().map(|r| r.rating).collect();
            assert_eq!(got, want, "{}", p.id);
            assert_eq!(mine.iter().filter(|r| r.best).count(), 1, "{}", p.id);
            for r in &mine {
                assert_eq!(r.rule.rating(), r.rating, "{}", r.option);
                assert!(!r.why.is_empty());
            }
        }
        // The template's first reply: a closed question, rated 2, answering the opening line.
        let first = &rows[0];
        assert_eq!(first.option, "opening.ask");
        assert_eq!(first.rating, 2);
        assert_eq!(first.line.as_deref(), Some("opening.a"));
        assert_eq!(
            first.why,
            "closed question alone: no reflection, open question or adherent move"
        );
    }

    #[test]
    fn a_course_is_rated_session_by_session() {
        let text = include_str!("../../../../scenarios/recovery-burnout-course.ron");
        let s = load_scenario(text).unwrap();
        let rows = ratings(&s);
        let sessions: std::collections::BTreeSet<usize> = rows.iter().map(|r| r.session).collect();
        assert_eq!(sessions.len(), s.session_count());
        let json = serde_json::to_value(&rows[0]).unwrap();
        assert!(
            json.get("why").is_some() && json.get("span").is_none(),
            "{json}"
        );
    }
}
