//! `dead-line`: a client line that can never be said, in any session.
//!
//! An interval analysis over the client's state. For every decision point it works out a range
//! for each of engagement, discord, importance and confidence (and for `turn`) that holds every
//! state a session can be in when it reaches the point: the persona's initial state at `start`,
//! then, along every option, the range moved by the option's effect on the client — the
//! persona's reactions to its codes, or its `effects` — for each line the point may say (what a
//! reply answers changes its effect), clamped to 0–10, and cut at the walkout: a session whose
//! discord reaches the walkout level ends there. Where several options lead to a point, their
//! ranges are joined, and the analysis repeats until no range grows (each can only grow, within
//! 0–10, so it ends; `turn` on a loop has no upper bound).
//!
//! The ranges hold more states than sessions really reach (they forget which variable went with
//! which), never fewer. So a line whose `when` holds in no state of its point's ranges is never
//! said: the warning is never wrong, though some dead lines go unnoticed. (A plain line that
//! `when` lines always outshine is not reported: every point needs one, as the fallback.)
//!
//! The analysis follows the options, as sessions in which the trainee picks them do. A typed
//! reply (free-text practice) is coded on its own and may move the state differently.

use std::collections::{HashMap, VecDeque};

use crate::engine::condition::{CmpOp, Condition, Expr, Var};
use crate::engine::model::{Line, Point, Scenario};
use crate::engine::reply_effect;
use crate::engine::state::{STATE_MAX, STATE_MIN, StateVar};
use crate::miti::talk::Target;
use crate::source::diag::Diagnostic;

/// Whole numbers from `lo` to `hi`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    /// The lowest.
    pub lo: i32,
    /// The highest.
    pub hi: i32,
}

impl Range {
    /// The whole 0–10 scale.
    pub const SCALE: Range = Range {
        lo: STATE_MIN,
        hi: STATE_MAX,
    };

    /// One value.
    pub fn exactly(v: i32) -> Range {
        Range { lo: v, hi: v }
    }

    fn join(self, o: Range) -> Range {
        Range {
            lo: self.lo.min(o.lo),
            hi: self.hi.max(o.hi),
        }
    }

    /// Moved by `delta`, each end kept within 0–10 as the client's state is.
    fn shifted(self, delta: i32) -> Range {
        let clamp = |v: i32| (v + delta).clamp(STATE_MIN, STATE_MAX);
        Range {
            lo: clamp(self.lo),
            hi: clamp(self.hi),
        }
    }

    fn words(self) -> String {
        match self.lo == self.hi {
            true => format!("always {}", self.lo),
            false => format!("{}–{}", self.lo, self.hi),
        }
    }
}

/// The replies already given when a point is reached: from `lo` up to `hi` (`None`: no upper
/// bound, as on a loop).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Turns {
    /// The fewest.
    pub lo: usize,
    /// The most, when there is a most.
    pub hi: Option<usize>,
}

/// Every state a session can be in when it reaches a point, as ranges (more states than
/// sessions reach, never fewer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reach {
    /// Each state variable's range, in [`StateVar::ALL`] order.
    pub state: [Range; 4],
    /// The `turn` values.
    pub turns: Turns,
}

impl Reach {
    /// The range of one variable.
    pub fn range(&self, var: StateVar) -> Range {
        self.state[var_index(var)]
    }

    /// Joins `o` in; true when a range grew.
    fn join(&mut self, o: &Reach) -> bool {
        let before = *self;
        for (a, b) in self.state.iter_mut().zip(o.state) {
            *a = a.join(b);
        }
        self.turns = Turns {
            lo: self.turns.lo.min(o.turns.lo),
            hi: self.turns.hi.zip(o.turns.hi).map(|(a, b)| a.max(b)),
        };
        *self != before
    }

    /// After a reply that changes the state by `delta`: `None` when every such session ends
    /// in the walkout (discord at `walkout` or above). `max_turns`: more turns than this
    /// mean a loop, so no upper bound.
    fn after(&self, delta: [i32; 4], walkout: Option<i32>, max_turns: usize) -> Option<Reach> {
        let mut state = self.state;
        for (r, d) in state.iter_mut().zip(delta) {
            *r = r.shifted(d);
        }
        let discord = &mut state[var_index(StateVar::Discord)];
        if let Some(w) = walkout {
            discord.hi = discord.hi.min(w - 1);
        }
        if discord.lo > discord.hi {
            return None;
        }
        let turns = Turns {
            lo: self.turns.lo + 1,
            hi: self.turns.hi.map(|h| h + 1).filter(|&h| h <= max_turns),
        };
        Some(Reach { state, turns })
    }

    /// Every single state of the ranges, each as a `Reach` of its own (with these turns).
    fn each_state(&self) -> impl Iterator<Item = Reach> + '_ {
        let r = |v: StateVar| {
            let r = self.range(v);
            r.lo..=r.hi
        };
        let turns = self.turns;
        r(StateVar::Engagement).flat_map(move |e| {
            r(StateVar::Discord).flat_map(move |d| {
                r(StateVar::Importance).flat_map(move |i| {
                    r(StateVar::Confidence).map(move |c| Reach {
                        state: [e, d, i, c].map(Range::exactly),
                        turns,
                    })
                })
            })
        })
    }
}

fn var_index(var: StateVar) -> usize {
    StateVar::ALL.iter().position(|v| *v == var).unwrap_or(0)
}

/// Whether a condition holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Truth {
    No,
    Maybe,
    Yes,
}

/// Whether `e` holds in every state of `r` (`Yes`), in none (`No`), or it depends (on the
/// state within the ranges, or on what is remembered, which the analysis does not follow).
fn truth(e: &Expr, r: &Reach) -> Truth {
    use Truth::*;
    match e {
        Expr::And(a, b) => match (truth(a, r), truth(b, r)) {
            (No, _) | (_, No) => No,
            (Yes, Yes) => Yes,
            _ => Maybe,
        },
        Expr::Or(a, b) => match (truth(a, r), truth(b, r)) {
            (Yes, _) | (_, Yes) => Yes,
            (No, No) => No,
            _ => Maybe,
        },
        Expr::Not(a) => match truth(a, r) {
            Yes => No,
            No => Yes,
            Maybe => Maybe,
        },
        Expr::Remembered { .. } => Maybe,
        Expr::Compare(var, op, v) => {
            let (lo, hi) = match var {
                Var::State(s) => {
                    let x = r.range(*s);
                    (i64::from(x.lo), i64::from(x.hi))
                }
                Var::Turn => (r.turns.lo as i64, r.turns.hi.map_or(i64::MAX, |h| h as i64)),
            };
            let v = *v;
            // (every value holds, no value holds)
            let (all, none) = match op {
                CmpOp::Lt => (hi < v, lo >= v),
                CmpOp::Le => (hi <= v, lo > v),
                CmpOp::Gt => (lo > v, hi <= v),
                CmpOp::Ge => (lo >= v, hi < v),
                CmpOp::Eq => (lo == v && hi == v, v < lo || v > hi),
                CmpOp::Ne => (v < lo || v > hi, lo == v && hi == v),
            };
            match (all, none) {
                (true, _) => Yes,
                (_, true) => No,
                _ => Maybe,
            }
        }
    }
}

/// True when a line may be said somewhere in `r`, by its `when` alone.
fn may_say(line: &Line, r: &Reach) -> bool {
    line.when
        .as_ref()
        .is_none_or(|c| truth(&c.expr, r) != Truth::No)
}

/// For each point of `s`, by index, every state a session can be in when it reaches it; `None`
/// for a point no session reaches. `initial`: the ranges at `start` (the persona's initial
/// state; for a later session of a course, which starts as the earlier ones left the client,
/// the whole scale).
pub fn reachable(s: &Scenario, initial: [Range; 4]) -> Vec<Option<Reach>> {
    let n = s.points.len();
    let mut reach: Vec<Option<Reach>> = vec![None; n];
    let index: HashMap<&str, usize> = s
        .points
        .iter()
        .enumerate()
        .rev()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let Some(&start) = index.get(s.start.as_str()) else {
        return reach;
    };
    let walkout = s
        .persona
        .walkout
        .as_ref()
        .filter(|w| s.ending(&w.ending).is_some())
        .map(|w| w.discord);
    reach[start] = Some(Reach {
        state: initial,
        turns: Turns { lo: 0, hi: Some(0) },
    });
    let mut queue = VecDeque::from([start]);
    let mut queued = vec![false; n];
    queued[start] = true;
    while let Some(p) = queue.pop_front() {
        queued[p] = false;
        let Some(here) = reach[p] else {
            continue;
        };
        let point = &s.points[p];
        let mut talks: Vec<Target> = Vec::new();
        for l in point.lines.iter().filter(|l| may_say(l, &here)) {
            if !talks.contains(&l.talk.target()) {
                talks.push(l.talk.target());
            }
        }
        for o in &point.options {
            let Some(&q) = index.get(o.next.as_str()) else {
                continue;
            };
            let targets = match o.responds_to {
                Some(t) => vec![t],
                None => talks.clone(),
            };
            for t in targets {
                let delta = reply_effect(&s.persona, o, t);
                // A path without a loop passes each point once.
                let Some(next) = here.after(delta, walkout, n) else {
                    continue;
                };
                let grew = match &mut reach[q] {
                    Some(r) => r.join(&next),
                    slot => {
                        *slot = Some(next);
                        true
                    }
                };
                if grew && !queued[q] {
                    queued[q] = true;
                    queue.push_back(q);
                }
            }
        }
    }
    reach
}

/// The condition's variables as the message names them: "importance is 2–3".
fn ranges_named(c: &Condition, r: &Reach) -> String {
    fn walk(e: &Expr, out: &mut Vec<Var>) {
        match e {
            Expr::And(a, b) | Expr::Or(a, b) => {
                walk(a, out);
                walk(b, out);
            }
            Expr::Not(a) => walk(a, out),
            Expr::Compare(v, ..) if !out.contains(v) => out.push(*v),
            Expr::Compare(..) | Expr::Remembered { .. } => {}
        }
    }
    let mut vars = Vec::new();
    walk(&c.expr, &mut vars);
    let named: Vec<String> = vars
        .into_iter()
        .map(|v| match v {
            Var::State(s) => format!("{} is {}", s.name(), r.range(s).words()),
            Var::Turn => match r.turns.hi {
                Some(h) if h == r.turns.lo => format!("turn is always {h}"),
                Some(h) => format!("turn is {}–{h}", r.turns.lo),
                None => format!("turn is {} or more", r.turns.lo),
            },
        })
        .collect();
    named.join(" and ")
}

/// Warns at each line of `s` that no session can say. `first`: the first session of the file,
/// which starts in the persona's initial state.
pub(super) fn check_dead_lines(s: &Scenario, first: bool, d: &mut Vec<Diagnostic>) {
    let initial = match first {
        true => StateVar::ALL.map(|v| Range::exactly(s.persona.initial.get(v))),
        false => [Range::SCALE; 4],
    };
    for (p, r) in s.points.iter().zip(reachable(s, initial)) {
        let Some(r) = r else {
            continue;
        };
        for l in &p.lines {
            if let Some(c) = &l.when
                && !r.each_state().any(|x| truth(&c.expr, &x) != Truth::No)
            {
                d.push(never_holds(p, l, c, &r));
            }
        }
    }
}

fn never_holds(p: &Point, l: &Line, c: &Condition, r: &Reach) -> Diagnostic {
    Diagnostic::warning(
        l.spans.when,
        format!(
            "dead-line: line `{}` can never be said: its `when` (\"{}\") holds in no state a session can reach at point `{}`, where {} on every path; change the condition to values the client reaches here, let a reply on the way change the state, or remove the line",
            l.id,
            c.source,
            p.id,
            ranges_named(c, r)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::load::load_scenario;

    const MINIMAL: &str = include_str!("../../../tests/data/minimal.ron");

    /// The line of the minimal client that needs discord 6 at its start, where discord is 3.
    const A2: &str = "                Line(id: \"a.2\", text: \"Leave it.\", talk: Discord, mood: Irritated, when: \"discord >= 6\"),\n";

    fn warnings(text: &str) -> Vec<String> {
        let s = load_scenario(text).expect("valid");
        let mut d = Vec::new();
        check_dead_lines(&s, true, &mut d);
        d.into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn ranges_follow_the_replies_and_stop_at_the_walkout() {
        let s = load_scenario(MINIMAL).unwrap();
        let initial = StateVar::ALL.map(|v| Range::exactly(s.persona.initial.get(v)));
        let r = reachable(&s, initial);
        // `a` is the start: the initial state, turn 0.
        let a = r[0].unwrap();
        assert_eq!(a.range(StateVar::Discord), Range::exactly(3));
        assert_eq!(a.turns, Turns { lo: 0, hi: Some(0) });
        // `b` is reached only by the simple reflection of `a`, one reply later.
        let b = r[1].unwrap();
        assert_eq!(b.turns, Turns { lo: 1, hi: Some(1) });
        assert_eq!(
            b.range(StateVar::Importance).lo,
            b.range(StateVar::Importance).hi
        );
    }

    #[test]
    fn a_line_whose_when_never_holds_is_flagged_with_the_range() {
        // Importance starts at 2 and no reply on the way to `b` raises it past 3.
        assert!(MINIMAL.contains(A2));
        let text = MINIMAL.replacen(A2, "", 1).replacen(
            "Line(id: \"b.1\", text: \"Maybe I drink a bit much.\", talk: Change(Reasons), mood: Thoughtful),",
            "Line(id: \"b.1\", text: \"Maybe I drink a bit much.\", talk: Change(Reasons), mood: Thoughtful),\n                Line(id: \"b.2\", text: \"It matters to me now.\", talk: Change(Need), mood: Hopeful, when: \"importance >= 4\"),",
            1,
        );
        let w = warnings(&text);
        assert_eq!(w.len(), 1, "{w:#?}");
        assert!(
            w[0].starts_with("dead-line: line `b.2` can never be said: its `when` (\"importance >= 4\") holds in no state a session can reach at point `b`, where importance is always 2 on every path"),
            "{w:#?}"
        );
        // A condition the client can reach passes.
        let ok = text.replace("importance >= 4", "importance >= 2");
        assert_eq!(warnings(&ok), Vec::<String>::new());
    }

    #[test]
    fn the_walkout_and_turns_bound_what_a_point_can_see() {
        // `a.2` needs discord 6 at the start, where it is 3 and turn is 0.
        let w = warnings(MINIMAL);
        assert_eq!(w.len(), 1, "{w:#?}");
        assert!(
            w[0].contains("line `a.2`") && w[0].contains("discord is always 3"),
            "{w:#?}"
        );
        // A `turn` condition.
        let text = MINIMAL.replace("when: \"discord >= 6\"", "when: \"turn > 0\"");
        let w = warnings(&text);
        assert!(w[0].contains("turn is always 0"), "{w:#?}");
        // A remembered fact may hold: no warning.
        let text = MINIMAL
            .replace("when: \"discord >= 6\"", "when: \"remembered(x)\"")
            .replace("next: \"b\",", "next: \"b\", remember: [\"x\"],");
        assert_eq!(warnings(&text), Vec::<String>::new());
    }

    #[test]
    fn truth_over_ranges() {
        let r = Reach {
            state: [Range { lo: 2, hi: 5 }; 4],
            turns: Turns { lo: 1, hi: None },
        };
        let t = |src: &str| truth(&Condition::parse(src).unwrap().expr, &r);
        assert_eq!(t("discord >= 2"), Truth::Yes);
        assert_eq!(t("discord > 5"), Truth::No);
        assert_eq!(t("discord == 3"), Truth::Maybe);
        assert_eq!(t("not (discord < 2)"), Truth::Yes);
        assert_eq!(t("discord > 5 or turn > 100"), Truth::Maybe);
        assert_eq!(t("turn == 0"), Truth::No);
        assert_eq!(t("discord != 9 and remembered(k)"), Truth::Maybe);
    }
}
