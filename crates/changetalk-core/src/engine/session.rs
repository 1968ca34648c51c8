//! The session engine: a deterministic state machine over a scenario.
//!
//! The same scenario, seed and choices always give the same transcript, byte for byte: the
//! random generator is ChaCha8 seeded by a fixed SplitMix64 expansion of the seed. Each time
//! the client speaks at a point the engine draws one number for the line variant and then
//! shuffles the point's options (Fisher–Yates, one draw per option after the first), so the
//! order a trainee sees carries no hint of which reply is best, and the same seed shows every
//! student the same order. Choices are numbers in that displayed order.

use std::sync::Arc;

use crate::engine::memory::{self, Memory};
use crate::engine::model::*;
use crate::engine::records::*;
use crate::engine::rng::SessionRng;
use crate::miti::codes::{normalize_turn, rate_reply};

/// A conversation in progress.
#[derive(Debug, Clone)]
pub struct Session {
    scenario: Arc<Scenario>,
    seed: u64,
    rng: SessionRng,
    state: ClientState,
    point: Option<usize>,
    current: Option<ClientLineRecord>,
    /// The current point's options in displayed order (indices into `Point::options`).
    order: Vec<usize>,
    turns: Vec<TurnRecord>,
    choices: Vec<usize>,
    /// Each reply typed in the trainee's own words (`None` for a scripted option), in step
    /// with `choices`.
    typed: Vec<Option<TypedReply>>,
    ending: Option<EndingRecord>,
    stopped: bool,
    preview: Option<PreviewStart>,
    /// What the course remembered before this session (kept for rewinding).
    initial_memory: Memory,
    /// What is remembered now: `initial_memory` plus the facts of the lines said and the
    /// replies given in this session.
    memory: Memory,
}

/// Where an instructor's preview started: a point other than `start`, with a chosen state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PreviewStart {
    point: usize,
    state: ClientState,
}

/// The 1–5 rating of one option, for a client line of type `line_target` (the option's
/// `responds_to` wins over it).
pub fn option_rating(o: &ReplyOption, line_target: Target) -> u8 {
    rate_reply(
        &o.codes,
        o.responds_to.unwrap_or(line_target),
        o.evokes_change_talk,
    )
}

/// The 1–5 rating of each option at a point in file order, for a client line of type
/// `line_target` (an option's `responds_to` wins over it).
pub fn option_ratings(point: &Point, line_target: Target) -> Vec<u8> {
    point
        .options
        .iter()
        .map(|o| option_rating(o, line_target))
        .collect()
}

/// Index of the highest-rated option (first on ties).
pub fn best_index(ratings: &[u8]) -> usize {
    let mut best = 0;
    for (i, r) in ratings.iter().enumerate() {
        if *r > ratings[best] {
            best = i;
        }
    }
    best
}

/// Index of the lowest-rated option (first on ties).
pub fn worst_index(ratings: &[u8]) -> usize {
    let mut worst = 0;
    for (i, r) in ratings.iter().enumerate() {
        if *r < ratings[worst] {
            worst = i;
        }
    }
    worst
}

/// The client's reaction to a reply: the persona's default for each code in the turn (plus
/// the reflecting-change-talk or reflecting-sustain-talk bonus for reflections), with any
/// value the option sets replacing the default for that variable.
pub fn reply_effect(persona: &Persona, option: &ReplyOption, target: Target) -> [i32; 4] {
    let codes = normalize_turn(&option.codes);
    let mut sum = [0i32; 4];
    let mut add = |e: [i32; 4]| {
        for i in 0..4 {
            sum[i] += e[i];
        }
    };
    for c in &codes {
        add(persona.reactions.effective(ReactionClass::Code(*c)));
    }
    if codes.iter().any(|c| c.is_reflection()) {
        match target {
            Target::ChangeTalk => add(persona
                .reactions
                .effective(ReactionClass::ReflectingChangeTalk)),
            Target::SustainTalk => add(persona
                .reactions
                .effective(ReactionClass::ReflectingSustainTalk)),
            _ => {}
        }
    }
    let mut out = [0; 4];
    for (i, var) in StateVar::ALL.into_iter().enumerate() {
        out[i] = option.effects.get(var).unwrap_or(sum[i]);
    }
    out
}

impl Session {
    /// Starts a session: the client says their first line. It starts out remembering the
    /// scenario's `carried` facts (a course's part; nothing for a file as loaded).
    pub fn new(scenario: Arc<Scenario>, seed: u64) -> Session {
        let memory = scenario.carried.clone();
        Session::with_memory(scenario, seed, memory)
    }

    /// Starts a session of a course with what the earlier sessions remembered (the scenario
    /// is the course's part, [`Scenario::part`], whose persona starts in the carried state).
    pub fn with_memory(scenario: Arc<Scenario>, seed: u64, memory: Memory) -> Session {
        let point = scenario.point_index(&scenario.start);
        let state = scenario.persona.initial;
        Session::start(scenario, seed, point, state, None, memory)
    }

    /// A session at `point` in `state`: the client says their line, drawn with a fresh
    /// generator from `seed`.
    fn start(
        scenario: Arc<Scenario>,
        seed: u64,
        point: Option<usize>,
        state: ClientState,
        preview: Option<PreviewStart>,
        memory: Memory,
    ) -> Session {
        let mut s = Session {
            initial_memory: memory.clone(),
            memory,
            point,
            scenario,
            seed,
            rng: SessionRng::new(seed),
            state,
            current: None,
            order: Vec::new(),
            turns: Vec::new(),
            choices: Vec::new(),
            typed: Vec::new(),
            ending: None,
            stopped: false,
            preview,
        };
        s.speak();
        s
    }

    /// An instructor's preview that starts at decision point `point_id` with the client in
    /// `state` (instructor mode's "jump to a point"). `None` when there is no such point.
    /// Deterministic like any session: the same point, state, seed and choices give the same
    /// transcript, and rewinding replays from the same start.
    pub fn preview_from(
        scenario: Arc<Scenario>,
        seed: u64,
        point_id: &str,
        state: ClientState,
    ) -> Option<Session> {
        let point = scenario.point_index(point_id)?;
        let preview = Some(PreviewStart { point, state });
        let memory = scenario.carried.clone();
        Some(Session::start(
            scenario,
            seed,
            Some(point),
            state,
            preview,
            memory,
        ))
    }

    /// The point a preview started from, when this session is one.
    pub fn preview_start(&self) -> Option<&str> {
        self.preview
            .map(|p| self.scenario.points[p.point].id.as_str())
    }

    /// Rebuilds a session from its seed and 1-based choices.
    pub fn replay(
        scenario: Arc<Scenario>,
        seed: u64,
        choices: &[usize],
    ) -> Result<Session, SessionError> {
        let memory = scenario.carried.clone();
        Session::replay_with_memory(scenario, seed, memory, choices)
    }

    /// Rebuilds a course's session from what was remembered before it, its seed and 1-based
    /// choices.
    pub fn replay_with_memory(
        scenario: Arc<Scenario>,
        seed: u64,
        memory: Memory,
        choices: &[usize],
    ) -> Result<Session, SessionError> {
        let mut s = Session::with_memory(scenario, seed, memory);
        for &c in choices {
            s.choose(c)?;
        }
        Ok(s)
    }

    /// What is remembered now (earlier sessions' facts and this one's so far).
    pub fn memory(&self) -> &Memory {
        &self.memory
    }

    fn speak(&mut self) {
        let Some(pi) = self.point else {
            self.current = None;
            self.order.clear();
            return;
        };
        let point = &self.scenario.points[pi];
        let turn = self.turns.len();
        let last = self.turns.last().map(|t| t.reply.option.as_str());
        let pool = line_pool_in(point, &self.state, turn, last, &self.memory);
        let draw = self.rng.below(pool.len());
        let said = pool.get(draw).copied();
        if let Some(l) = said {
            memory::apply_all(&l.remember, &mut self.memory);
        }
        self.current = said.map(|l| ClientLineRecord {
            point: point.id.clone(),
            line: l.id.clone(),
            text: memory::interpolate(&l.text, &self.memory),
            talk: l.talk,
            mood: l.mood,
        });
        // Fisher–Yates: the displayed order of the options.
        let mut order: Vec<usize> = (0..point.options.len()).collect();
        for i in (1..order.len()).rev() {
            let j = self.rng.below(i + 1);
            order.swap(i, j);
        }
        self.order = order;
    }

    /// The scenario being played.
    pub fn scenario(&self) -> &Arc<Scenario> {
        &self.scenario
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The client's current state.
    pub fn state(&self) -> ClientState {
        self.state
    }

    /// The point waiting for a reply, if any.
    pub fn current_point(&self) -> Option<&Point> {
        if self.is_over() {
            return None;
        }
        self.point.map(|i| &self.scenario.points[i])
    }

    /// What the client just said, waiting for a reply.
    pub fn current_line(&self) -> Option<&ClientLineRecord> {
        if self.is_over() {
            return None;
        }
        self.current.as_ref()
    }

    /// What the current line gives a reply to answer.
    pub fn current_target(&self) -> Target {
        self.current
            .as_ref()
            .map_or(Target::Neutral, |l| l.talk.target())
    }

    /// The current options in the order the trainee sees them: option `n` (1-based) of a
    /// choice is `current_options()[n - 1]`. Empty when over.
    pub fn current_options(&self) -> Vec<&ReplyOption> {
        self.current_point()
            .map(|p| self.order.iter().map(|&i| &p.options[i]).collect())
            .unwrap_or_default()
    }

    /// Ratings of the current options in displayed order (empty when over).
    pub fn current_ratings(&self) -> Vec<u8> {
        let target = self.current_target();
        self.current_options()
            .into_iter()
            .map(|o| option_rating(o, target))
            .collect()
    }

    /// The displayed number (1-based) of the option with this id at the current point.
    pub fn displayed_number(&self, option_id: &str) -> Option<usize> {
        self.current_options()
            .iter()
            .position(|o| o.id == option_id)
            .map(|i| i + 1)
    }

    /// Exchanges so far.
    pub fn turns(&self) -> &[TurnRecord] {
        &self.turns
    }

    /// 1-based choices so far.
    pub fn choices(&self) -> &[usize] {
        &self.choices
    }

    /// The ending, once reached.
    pub fn ending(&self) -> Option<&EndingRecord> {
        self.ending.as_ref()
    }

    /// True once an ending is reached or the trainee stopped.
    pub fn is_over(&self) -> bool {
        self.ending.is_some() || self.stopped || self.point.is_none()
    }

    /// Where the session stands.
    pub fn status(&self) -> Status {
        if self.ending.is_some() {
            Status::Ended
        } else if self.stopped || self.point.is_none() {
            Status::StoppedEarly
        } else {
            Status::InProgress
        }
    }

    /// Chooses option `number` (1-based) at the current point.
    pub fn choose(&mut self, number: usize) -> Result<&TurnRecord, SessionError> {
        self.reply_with(number, None)
    }

    /// Replies in the trainee's own words: the reply is rated by its own codes against the
    /// client's line (the same rules as a scripted option), and the client answers along the
    /// branch of option `number` (as displayed), the scripted reply it matched.
    pub fn say(&mut self, reply: TypedReply, number: usize) -> Result<&TurnRecord, SessionError> {
        self.reply_with(number, Some(reply))
    }

    /// The replies typed so far, in step with [`Session::choices`] (`None` for a scripted one).
    pub fn typed(&self) -> &[Option<TypedReply>] {
        &self.typed
    }

    fn reply_with(
        &mut self,
        number: usize,
        typed: Option<TypedReply>,
    ) -> Result<&TurnRecord, SessionError> {
        if self.is_over() {
            return Err(SessionError::Over);
        }
        let scenario = Arc::clone(&self.scenario);
        let Some(pi) = self.point else {
            return Err(SessionError::Over);
        };
        let point = &scenario.points[pi];
        if number == 0 || number > point.options.len() {
            return Err(SessionError::NoSuchOption {
                number,
                available: point.options.len(),
                turn: self.turns.len() + 1,
            });
        }
        let idx = self.order.get(number - 1).copied().unwrap_or(number - 1);
        let option = &point.options[idx];
        let line_target = self.current_target();
        let target = option.responds_to.unwrap_or(line_target);
        // The best option is chosen in file order (first on ties), so the model conversation
        // does not depend on the displayed order; its number is where it is displayed.
        let ratings = option_ratings(point, line_target);
        // A typed reply is rated by its own codes, against the client's line; it inherits
        // "evokes change talk" only as the open question the matched option is.
        let typed_codes = typed.as_ref().map(|t| normalize_turn(&t.codes));
        let rating = match &typed_codes {
            Some(codes) => rate_reply(
                codes,
                line_target,
                option.evokes_change_talk && codes.contains(&crate::MitiCode::OpenQuestion),
            ),
            None => ratings[idx],
        };
        let best = best_index(&ratings);
        let better = (ratings[best] > rating).then(|| {
            let b = &point.options[best];
            BetterOption {
                option: b.id.clone(),
                number: self
                    .order
                    .iter()
                    .position(|&i| i == best)
                    .map_or(best + 1, |p| p + 1),
                text: b.text.clone(),
                codes: normalize_turn(&b.codes),
                rating: ratings[best],
                feedback: b.feedback.clone(),
            }
        });
        let before = self.state;
        // The client reacts to what was said: a typed reply's codes, with the author's explicit
        // effects only when it was the same move as the option.
        let delta = match &typed_codes {
            Some(codes) => {
                let mut said = option.clone();
                if *codes != normalize_turn(&option.codes) {
                    said.effects = Default::default();
                }
                said.codes = codes.clone();
                reply_effect(&scenario.persona, &said, line_target)
            }
            None => reply_effect(&scenario.persona, option, target),
        };
        for (i, var) in StateVar::ALL.into_iter().enumerate() {
            self.state.add(var, delta[i]);
        }
        let client = self.current.take().unwrap_or_else(|| ClientLineRecord {
            point: point.id.clone(),
            line: String::new(),
            text: String::new(),
            talk: TalkType::Neutral,
            mood: Mood::Calm,
        });
        self.turns.push(TurnRecord {
            number: self.turns.len() + 1,
            client,
            reply: match &typed {
                None => ReplyRecord {
                    option: option.id.clone(),
                    number,
                    text: option.text.clone(),
                    codes: normalize_turn(&option.codes),
                    responds_to: target,
                    evokes_change_talk: option.evokes_change_talk,
                    rating,
                    feedback: option.feedback.clone(),
                    confidence: None,
                    matched_option: None,
                },
                Some(t) => ReplyRecord {
                    option: option.id.clone(),
                    number,
                    text: t.text.clone(),
                    codes: typed_codes.clone().unwrap_or_default(),
                    responds_to: line_target,
                    evokes_change_talk: false,
                    rating,
                    // The author's note fits a typed reply only when it made the same move;
                    // otherwise the principle behind its main code.
                    feedback: match typed_codes.as_deref() {
                        Some(c) if c == normalize_turn(&option.codes).as_slice() => {
                            option.feedback.clone()
                        }
                        Some([main, ..]) => main.principle().to_string(),
                        _ => "No MITI behaviour was recognised in this reply: a reflection or an open question would move the conversation on.".to_string(),
                    },
                    confidence: Some(t.confidence),
                    matched_option: Some(option.id.clone()),
                },
            },
            state_before: before,
            state_after: self.state,
            better,
        });
        self.choices.push(number);
        self.typed.push(typed);
        memory::apply_all(&option.remember, &mut self.memory);
        let walkout = scenario
            .persona
            .walkout
            .as_ref()
            .filter(|w| self.state.discord >= w.discord)
            .and_then(|w| scenario.ending(&w.ending));
        if let Some(e) = walkout {
            self.end(e, EndReason::Walkout);
        } else if let Some(e) = scenario.ending(&option.next) {
            self.end(e, EndReason::Reached);
        } else {
            self.point = scenario.point_index(&option.next);
            self.speak();
        }
        Ok(self.turns.last().expect("a turn was just pushed"))
    }

    fn end(&mut self, e: &Ending, reason: EndReason) {
        self.order.clear();
        self.ending = Some(EndingRecord {
            id: e.id.clone(),
            title: e.title.clone(),
            outcome: e.outcome,
            text: e.text.clone(),
            debrief: e.debrief.clone(),
            reason,
        });
        self.current = None;
    }

    /// Takes back the last reply (practice mode's "try another reply"): the session is
    /// replayed from its seed without it, so the client says exactly what they said before.
    pub fn rewind(&mut self) -> Result<(), SessionError> {
        if self.choices.is_empty() {
            return Err(SessionError::NothingToRewind);
        }
        let keep = self.choices.len() - 1;
        let scenario = Arc::clone(&self.scenario);
        let mut s = match self.preview {
            Some(p) => Session::start(
                scenario,
                self.seed,
                Some(p.point),
                p.state,
                self.preview,
                self.initial_memory.clone(),
            ),
            None => Session::with_memory(scenario, self.seed, self.initial_memory.clone()),
        };
        for (&c, typed) in self.choices.iter().zip(&self.typed).take(keep) {
            s.reply_with(c, typed.clone())?;
        }
        *self = s;
        Ok(())
    }

    /// The trainee ends the session before an ending.
    pub fn stop(&mut self) {
        if !self.is_over() {
            self.stopped = true;
        }
    }

    /// The full transcript so far.
    pub fn transcript(&self) -> Transcript {
        Transcript {
            scenario: self.scenario.id.clone(),
            title: self.scenario.title.clone(),
            version: self.scenario.version.clone(),
            seed: self.seed,
            choices: self.choices.clone(),
            initial_state: self
                .preview
                .map_or(self.scenario.persona.initial, |p| p.state),
            turns: self.turns.clone(),
            pending: if self.is_over() {
                None
            } else {
                self.current.clone()
            },
            ending: self.ending.clone(),
            status: self.status(),
            final_state: self.state,
            remaining: if self.ending.is_some() {
                None
            } else {
                Some(self.model_remaining())
            },
            start_point: self.preview_start().map(str::to_string),
            memory: self.memory.clone(),
        }
    }

    /// How many replies the model conversation still needs from here: the best-rated reply at
    /// every point until an ending (a walkout counts). When the best replies loop, the fewest
    /// replies to any ending on the graph instead.
    pub fn model_remaining(&self) -> usize {
        let Some(point) = self.point else {
            return 1;
        };
        let limit = auto_turn_limit(&self.scenario);
        let mut s = self.clone();
        s.stopped = false;
        let start = s.turns.len();
        s.auto_play(AutoPolicy::Best, start.saturating_add(limit));
        if s.ending.is_some() {
            (s.turns.len() - start).max(1)
        } else {
            replies_to_ending(&self.scenario, point)
                .unwrap_or(self.scenario.points.len())
                .max(1)
        }
    }

    /// The option (1-based) `--auto` would choose now: the best- or worst-rated one; `None`
    /// when the session is over.
    pub fn auto_choice(&self, policy: AutoPolicy) -> Option<usize> {
        let point = self.current_point()?;
        let ratings = option_ratings(point, self.current_target());
        if ratings.is_empty() {
            return None;
        }
        // Best and worst are picked in file order (first on ties), so `--auto` plays the same
        // conversation whatever the displayed order.
        let idx = match policy {
            AutoPolicy::Best => best_index(&ratings),
            AutoPolicy::Worst => worst_index(&ratings),
        };
        self.order.iter().position(|&i| i == idx).map(|p| p + 1)
    }

    /// Plays to the end (or `max_turns`) choosing the best- or worst-rated option each time.
    pub fn auto_play(&mut self, policy: AutoPolicy, max_turns: usize) {
        while self.turns.len() < max_turns {
            let Some(n) = self.auto_choice(policy) else {
                break;
            };
            if self.choose(n).is_err() {
                break;
            }
        }
    }
}

/// Most replies a strategy that follows a rule (the model conversation, an audit strategy)
/// plays in `s` before its run counts as stuck in a loop: four visits per point.
pub fn auto_turn_limit(s: &Scenario) -> usize {
    s.points.len().saturating_mul(4).saturating_add(4)
}

/// Most turns `--auto` plays before it stops a scenario whose top-rated replies loop.
pub const MAX_AUTO_TURNS: usize = 10_000;

/// Which option `--auto` picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutoPolicy {
    /// The highest-rated option (the model conversation).
    Best,
    /// The lowest-rated option.
    Worst,
}

/// The lines the client may say at `point`: those whose `after` lists the reply just given
/// (`last`) and whose `when` holds; else those without `after` whose `when` holds; else those
/// with neither. The engine draws one of them. Nothing is remembered (see [`line_pool_in`]).
pub fn line_pool<'a>(
    point: &'a Point,
    state: &ClientState,
    turn: usize,
    last: Option<&str>,
) -> Vec<&'a Line> {
    line_pool_in(point, state, turn, last, &Memory::new())
}

/// [`line_pool`] with the course's memory, which `remembered(key)` conditions read.
pub fn line_pool_in<'a>(
    point: &'a Point,
    state: &ClientState,
    turn: usize,
    last: Option<&str>,
    memory: &Memory,
) -> Vec<&'a Line> {
    let when_holds = |l: &Line| {
        l.when
            .as_ref()
            .is_none_or(|c| c.eval_in(state, turn, memory))
    };
    let answering: Vec<&Line> = point
        .lines
        .iter()
        .filter(|l| last.is_some_and(|id| l.after.iter().any(|a| a == id)) && when_holds(l))
        .collect();
    if !answering.is_empty() {
        return answering;
    }
    let matching: Vec<&Line> = point
        .lines
        .iter()
        .filter(|l| {
            l.after.is_empty()
                && l.when
                    .as_ref()
                    .is_some_and(|c| c.eval_in(state, turn, memory))
        })
        .collect();
    if !matching.is_empty() {
        return matching;
    }
    point
        .lines
        .iter()
        .filter(|l| l.after.is_empty() && l.when.is_none())
        .collect()
}

/// The fewest replies that lead from point `from` (an index) to any ending; `None` when no
/// ending can be reached from it.
pub fn replies_to_ending(s: &Scenario, from: usize) -> Option<usize> {
    let mut dist: Vec<Option<usize>> = vec![None; s.points.len()];
    let mut queue = std::collections::VecDeque::new();
    dist[from] = Some(0);
    queue.push_back(from);
    while let Some(pi) = queue.pop_front() {
        let d = dist[pi].unwrap_or(0);
        for o in &s.points[pi].options {
            if s.ending(&o.next).is_some() {
                return Some(d + 1);
            }
            if let Some(ni) = s.point_index(&o.next)
                && dist[ni].is_none()
            {
                dist[ni] = Some(d + 1);
                queue.push_back(ni);
            }
        }
    }
    None
}
