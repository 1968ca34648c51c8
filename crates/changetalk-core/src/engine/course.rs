//! A course: one client over several sessions ("a week later…"). The driver plays session
//! after session, each a [`Session`] over the course's part ([`Scenario::part`]), carrying the
//! client's state (with [`drift`]) and what was remembered ([`crate::engine::memory`]).
//!
//! Deterministic like a session: the same scenario, seed and choices give the same sessions,
//! byte for byte. Session `i` (0-based) is seeded with [`session_seed`], so session 1 of a
//! course plays exactly as the same file played as a single session.
//!
//! Which session follows: an ending's `next_session`, else the next in the file; an ending
//! with `ends_course` (a walkout: the client does not come back) ends the course there.

use std::sync::Arc;

use serde::Serialize;

use crate::engine::memory::Memory;
use crate::engine::model::{ClientState, Ending, Scenario};
use crate::engine::records::{SessionError, Status};
use crate::engine::session::{AutoPolicy, Session, auto_turn_limit};

/// Added to the course seed once per session index: session `i` is seeded `seed + i × STEP`
/// (wrapping), the 64-bit golden-ratio constant, so neighbouring seeds never share sessions.
pub const SESSION_SEED_STEP: u64 = 0x9E37_79B9_7F4A_7C15;

/// The seed of session `index` (0-based) of a course played with `seed`; session 0 keeps it.
pub fn session_seed(seed: u64, index: usize) -> u64 {
    seed.wrapping_add((index as u64).wrapping_mul(SESSION_SEED_STEP))
}

/// The client's state at the start of the next session: engagement and discord relax halfway
/// back toward the persona's baseline (its `initial` state), rounded toward where the last
/// session left them; importance and confidence carry over unchanged — what the client came
/// to believe lasts the week, the mood of the room does not.
pub fn drift(carried: ClientState, baseline: ClientState) -> ClientState {
    let relax = |x: i32, base: i32| x + (base - x) / 2;
    ClientState {
        engagement: relax(carried.engagement, baseline.engagement),
        discord: relax(carried.discord, baseline.discord),
        importance: carried.importance,
        confidence: carried.confidence,
    }
}

/// The ending with this id in any session of the course.
pub fn course_ending<'a>(s: &'a Scenario, id: &str) -> Option<&'a Ending> {
    s.ending(id).or_else(|| {
        s.sessions
            .iter()
            .flat_map(|x| &x.endings)
            .find(|e| e.id == id)
    })
}

/// What follows session `index` (0-based) once it reached an ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Follows {
    /// That session (0-based) comes next.
    Session(usize),
    /// The ending has `ends_course`: the client does not come back.
    DidNotReturn,
    /// No later session: the course is complete.
    Completed,
}

/// What follows session `index` after ending `ending_id`: the ending's `next_session`, else
/// the next session in the file; an ending with `ends_course` ends the course. The one rule
/// the course driver and the classroom's course sessions share.
pub fn follows(s: &Scenario, index: usize, ending_id: &str) -> Follows {
    let ending = course_ending(s, ending_id);
    if ending.is_some_and(|e| e.ends_course) {
        return Follows::DidNotReturn;
    }
    let next = ending
        .and_then(|e| e.next_session.as_deref())
        .and_then(|id| s.session_index(id))
        .unwrap_or(index + 1);
    if next > index && next < s.session_count() {
        Follows::Session(next)
    } else {
        Follows::Completed
    }
}

/// How a course ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CourseEndKind {
    /// Still being played.
    InProgress,
    /// The last session reached an ending.
    Completed,
    /// An ending with `ends_course`: the client does not come back.
    ClientDidNotReturn,
    /// The trainee stopped a session before its ending.
    Stopped,
}

/// How a course ended, as shown to the trainee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CourseEnd {
    /// Completed, the client did not return, stopped, or in progress.
    pub how: CourseEndKind,
    /// The session (1-based) where it ended, or is now.
    pub session: usize,
    /// The last ending reached, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ending: Option<String>,
    /// In words.
    pub message: String,
}

/// One session of the course as played.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionPlayed {
    /// Its number in the course (1-based).
    pub number: usize,
    /// Its id (the first session has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its title.
    pub title: String,
    /// The scene before it (later sessions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intro: Option<String>,
    /// The seed it was played with.
    pub seed: u64,
    /// The client's state at its start.
    pub initial_state: ClientState,
    /// The ending it reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ending: Option<String>,
}

/// The course as a whole: which sessions were played, memory at the end, how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CourseRecord {
    /// The scenario id.
    pub scenario: String,
    /// The course's seed.
    pub seed: u64,
    /// Sessions in the file.
    pub total_sessions: usize,
    /// When play began after the model conversation of the earlier sessions (`--session N`):
    /// N; absent when it began with session 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<usize>,
    /// The sessions played, in order.
    pub played: Vec<SessionPlayed>,
    /// Everything remembered at the end.
    pub memory: Memory,
    /// How it ended.
    pub end: CourseEnd,
}

/// A mistake in driving a course.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CourseError {
    /// A reply in session `session` (1-based) was refused.
    Session {
        /// The session.
        session: usize,
        /// Why.
        error: SessionError,
    },
    /// Choices were given for a session after the course ended.
    Over {
        /// The last session played.
        after: usize,
        /// How many groups of choices were left over.
        extra: usize,
    },
    /// A session's choices ran out before its ending, but a later session's followed.
    Unfinished {
        /// The session.
        session: usize,
        /// Replies given in it.
        replies: usize,
    },
    /// There is no such session.
    NoSuchSession {
        /// The number asked for (1-based).
        number: usize,
        /// Sessions in the file.
        count: usize,
    },
    /// The model conversation of the earlier sessions does not lead to this session.
    NotReached {
        /// The number asked for (1-based).
        number: usize,
        /// Where the model conversation went instead.
        why: String,
    },
}

impl std::fmt::Display for CourseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CourseError::Session { session, error } => write!(f, "session {session}: {error}"),
            CourseError::Over { after, extra } => write!(
                f,
                "the course ended after session {after}, but choices for {extra} more session{} were given; remove them (sessions are separated by `/`)",
                if *extra == 1 { "" } else { "s" }
            ),
            CourseError::Unfinished { session, replies } => write!(
                f,
                "session {session} has not reached an ending after {replies} repl{}, but choices for the next session follow the `/`; give the rest of session {session}'s replies first",
                if *replies == 1 { "y" } else { "ies" }
            ),
            CourseError::NoSuchSession { number, count } => write!(
                f,
                "there is no session {number}: this client has {count} session{}; choose 1 to {count}",
                if *count == 1 { "" } else { "s" }
            ),
            CourseError::NotReached { number, why } => write!(
                f,
                "the model conversation of the earlier sessions does not reach session {number}: {why}"
            ),
        }
    }
}

impl std::error::Error for CourseError {}

/// A course in progress.
#[derive(Debug, Clone)]
pub struct Course {
    scenario: Arc<Scenario>,
    seed: u64,
    /// Sessions finished, in order, with their 0-based index.
    done: Vec<(usize, Session)>,
    /// The session being played and its index; `None` once the course has ended.
    current: Option<(usize, Session)>,
    started_at: usize,
    /// Played with [`Course::at_session`]: the course stops after that one session.
    alone: bool,
    end: Option<CourseEnd>,
}

impl Course {
    /// Starts a course with session 1.
    pub fn new(scenario: Arc<Scenario>, seed: u64) -> Course {
        let initial = scenario.persona.initial;
        Course::starting(scenario, seed, 0, initial, Memory::new())
    }

    /// Starts at session `index` (0-based) in `state` with `memory`.
    fn starting(
        scenario: Arc<Scenario>,
        seed: u64,
        index: usize,
        state: ClientState,
        memory: Memory,
    ) -> Course {
        let current = scenario.part(index, state, memory).map(|part| {
            let session = Session::new(Arc::new(part), session_seed(seed, index));
            (index, session)
        });
        Course {
            scenario,
            seed,
            done: Vec::new(),
            current,
            started_at: index,
            alone: false,
            end: None,
        }
    }

    /// Starts at session `number` (1-based) after the model conversation (the best-rated
    /// reply everywhere, with this seed) of the earlier sessions: their state and memory carry
    /// over, and they are not part of what this course reports. The course ends with that
    /// session.
    pub fn at_session(
        scenario: Arc<Scenario>,
        seed: u64,
        number: usize,
    ) -> Result<Course, CourseError> {
        let count = scenario.session_count();
        if number == 0 || number > count {
            return Err(CourseError::NoSuchSession { number, count });
        }
        let mut model = Course::new(Arc::clone(&scenario), seed);
        while let Some(index) = model.current.as_ref().map(|(i, _)| *i) {
            if index + 1 == number {
                // The session as the model conversation starts it: nothing played in it yet.
                return Ok(Course {
                    scenario,
                    seed,
                    done: Vec::new(),
                    current: model.current.take(),
                    started_at: index,
                    alone: true,
                    end: None,
                });
            }
            if index + 1 > number {
                break;
            }
            model.auto_play_session(AutoPolicy::Best);
        }
        let why = match &model.end {
            Some(e) => e.message.clone(),
            None => "it passes over it".to_string(),
        };
        Err(CourseError::NotReached { number, why })
    }

    /// Replays a course from its seed and each session's 1-based choices.
    pub fn replay(
        scenario: Arc<Scenario>,
        seed: u64,
        choices: &[Vec<usize>],
    ) -> Result<Course, CourseError> {
        let mut c = Course::new(scenario, seed);
        c.play_choices(choices)?;
        Ok(c)
    }

    /// Plays each group of choices in its session; a group that ends its session moves on to
    /// the next one. The last group may stop short: the session and the course stop there.
    pub fn play_choices(&mut self, groups: &[Vec<usize>]) -> Result<(), CourseError> {
        for (g, group) in groups.iter().enumerate() {
            let Some((index, session)) = self.current.as_mut() else {
                return Err(CourseError::Over {
                    after: self.last_number(),
                    extra: groups.len() - g,
                });
            };
            let number = *index + 1;
            for &c in group {
                if session.is_over() {
                    return Err(CourseError::Session {
                        session: number,
                        error: SessionError::Over,
                    });
                }
                session.choose(c).map_err(|error| CourseError::Session {
                    session: number,
                    error,
                })?;
            }
            if !session.is_over() {
                if g + 1 < groups.len() {
                    return Err(CourseError::Unfinished {
                        session: number,
                        replies: session.turns().len(),
                    });
                }
                session.stop();
            }
            self.advance();
        }
        Ok(())
    }

    /// Plays the rest of the course choosing the best- or worst-rated reply everywhere.
    pub fn auto_play(&mut self, policy: AutoPolicy) {
        while self.current.is_some() {
            self.auto_play_session(policy);
        }
    }

    /// Plays the current session to its end with `policy` (stopping it when its top-rated
    /// replies loop), then moves on ([`Course::advance`]).
    pub fn auto_play_session(&mut self, policy: AutoPolicy) {
        if let Some((_, session)) = self.current.as_mut() {
            let limit = auto_turn_limit(session.scenario());
            session.auto_play(policy, limit);
            session.stop();
        }
        self.advance();
    }

    /// Once the current session is over, files it and starts the next one (or ends the
    /// course); returns true when a new session started. Does nothing while it is in play.
    pub fn advance(&mut self) -> bool {
        let over = self.current.as_ref().is_some_and(|(_, s)| s.is_over());
        if !over {
            return false;
        }
        let Some((index, session)) = self.current.take() else {
            return false;
        };
        let number = index + 1;
        let count = self.scenario.session_count();
        let reached = session.ending().map(|e| e.id.clone());
        let state = session.state();
        let memory = session.memory().clone();
        self.done.push((index, session));
        let end = |how, message: String| CourseEnd {
            how,
            session: number,
            ending: reached.clone(),
            message,
        };
        let Some(ending_id) = reached.clone() else {
            self.end = Some(end(
                CourseEndKind::Stopped,
                format!("stopped during session {number} of {count}"),
            ));
            return false;
        };
        let (how, message) = match follows(&self.scenario, index, &ending_id) {
            Follows::Session(next) if !self.alone => {
                let baseline = self.scenario.persona.initial;
                if let Some(part) = self.scenario.part(next, drift(state, baseline), memory) {
                    let seed = session_seed(self.seed, next);
                    self.current = Some((next, Session::new(Arc::new(part), seed)));
                    return true;
                }
                (
                    CourseEndKind::Completed,
                    format!("completed: session {number} of {count} reached its ending"),
                )
            }
            Follows::DidNotReturn => (
                CourseEndKind::ClientDidNotReturn,
                format!(
                    "{} did not come back after session {number} of {count}: the course ends here",
                    self.scenario.persona.name
                ),
            ),
            _ if self.alone => (
                CourseEndKind::Completed,
                format!(
                    "session {number} of {count} played on its own, after the model conversation of the sessions before it"
                ),
            ),
            _ => (
                CourseEndKind::Completed,
                format!("completed: session {number} of {count} reached its ending"),
            ),
        };
        self.end = Some(end(how, message));
        false
    }

    /// The session being played, if the course has not ended.
    pub fn current(&self) -> Option<&Session> {
        self.current.as_ref().map(|(_, s)| s)
    }

    /// The session being played, to reply in.
    pub fn current_mut(&mut self) -> Option<&mut Session> {
        self.current.as_mut().map(|(_, s)| s)
    }

    /// The 1-based number of the session being played (or the last one played).
    pub fn current_number(&self) -> usize {
        match &self.current {
            Some((i, _)) => i + 1,
            None => self.last_number(),
        }
    }

    fn last_number(&self) -> usize {
        self.done.last().map_or(self.started_at + 1, |(i, _)| i + 1)
    }

    /// The course's seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The course's scenario (the whole file).
    pub fn scenario(&self) -> &Arc<Scenario> {
        &self.scenario
    }

    /// Every session played so far, in order, with its 0-based index (the current one last).
    pub fn sessions(&self) -> Vec<(usize, &Session)> {
        self.done
            .iter()
            .chain(self.current.iter())
            .map(|(i, s)| (*i, s))
            .collect()
    }

    /// True once the course has ended.
    pub fn is_over(&self) -> bool {
        self.current.is_none()
    }

    /// Stops the session being played; the course ends there.
    pub fn stop(&mut self) {
        if let Some((_, s)) = self.current.as_mut() {
            s.stop();
        }
        self.advance();
    }

    /// What is remembered now.
    pub fn memory(&self) -> Memory {
        self.sessions()
            .last()
            .map(|(_, s)| s.memory().clone())
            .unwrap_or_default()
    }

    /// The course record: sessions played, memory at the end, how it ended.
    pub fn record(&self) -> CourseRecord {
        let s = &self.scenario;
        let played = self
            .sessions()
            .into_iter()
            .map(|(i, session)| SessionPlayed {
                number: i + 1,
                id: i.checked_sub(1).map(|j| s.sessions[j].id.clone()),
                title: s.session_title_of(i),
                intro: i.checked_sub(1).map(|j| s.sessions[j].intro.clone()),
                seed: session.seed(),
                initial_state: session.scenario().persona.initial,
                ending: session.ending().map(|e| e.id.clone()),
            })
            .collect();
        let end = self.end.clone().unwrap_or_else(|| CourseEnd {
            how: CourseEndKind::InProgress,
            session: self.current_number(),
            ending: None,
            message: format!(
                "in session {} of {}",
                self.current_number(),
                s.session_count()
            ),
        });
        CourseRecord {
            scenario: s.id.clone(),
            seed: self.seed,
            total_sessions: s.session_count(),
            started_at: (self.started_at > 0).then_some(self.started_at + 1),
            played,
            memory: self.memory(),
            end,
        }
    }

    /// Whether the current session is waiting for a reply.
    pub fn status(&self) -> Status {
        match self.current() {
            Some(s) => s.status(),
            None => Status::Ended,
        }
    }
}
