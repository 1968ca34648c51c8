//! An exercise held by a class server (`changetalk gui --join URL`): the app's side of a
//! [`StudentLink`]. The server holds the exercise, the conversation and the clock; the app
//! shows what the server shows a student — the client's line, the replies in this student's
//! order and, in practice, how each reply was coded — and sends each step with the turn it
//! answers, so a step retried after a dropped connection is recorded once.
//!
//! Requests run on a background thread (one at a time); the answer wakes the window. While
//! one is on its way the session screen says so and takes no other step. When the network
//! drops, the client retries for two minutes and says so; after that the trainee can try
//! again, and the server answers the same step at the same point.

use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bevy::prelude::*;
use changetalk_core::engine::model::Mood;
use changetalk_core::engine::persona::Face;
use changetalk_core::miti::codes::{MitiCode, codes_label};
use changetalk_server::api::{
    EndingView, ExchangeView, JoinResponse, OptionView, PlayState, StepResponse,
};

use super::conversation::{Choice, ClientLine, Coding, Conversation, Exchange};
use super::state::Mode;
use crate::class_client::{CallError, Client, Connection, StudentLink};

/// What the app asks the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Join with this code.
    Join(String),
    /// Reply with option `n` (as displayed).
    Reply(usize),
    /// End the conversation in progress early.
    End,
    /// Take the last reply back (practice).
    Back,
    /// Ask where the attempt stands.
    Refresh,
}

impl Step {
    /// What the screen says while the step is on its way.
    pub fn doing(&self) -> &'static str {
        match self {
            Step::Join(_) => "Joining…",
            Step::Reply(_) => "Sending your reply…",
            Step::End => "Ending the conversation…",
            Step::Back => "Taking your reply back…",
            Step::Refresh => "Loading…",
        }
    }
}

/// The server's answer to a [`Step`].
enum Answer {
    Joined(Result<(StudentLink, JoinResponse), CallError>),
    Stepped(Result<StepResponse, CallError>),
    State(Result<PlayState, CallError>),
}

/// Where the app is with the exercise (the flow moves between screens on it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassStage {
    /// Not joined yet (or joining): the join-code page.
    Join,
    /// A conversation not begun: its briefing.
    Briefing,
    /// A conversation in progress (or just over, before "Next client").
    Conversation,
    /// The attempt is over: its result.
    Results,
}

/// The conversation on screen, as the server showed it.
#[derive(Debug, Clone, Default)]
pub struct ServerConversation {
    /// Its position in the exercise.
    pub index: usize,
    /// Title.
    pub title: String,
    /// The client's name.
    pub client: String,
    /// Why the client is here.
    pub situation: String,
    /// How the client looks.
    pub face: Face,
    /// The exchanges so far.
    pub history: Vec<ExchangeView>,
    /// The line waiting for a reply.
    pub line: Option<(String, Option<Mood>)>,
    /// The replies to choose from.
    pub options: Vec<OptionView>,
    /// The ending reached.
    pub ending: Option<EndingView>,
    /// Over: waiting for "Next client".
    pub over: bool,
    /// Practice: codes and ratings are shown.
    pub practice: bool,
    /// What is on its way to the server.
    pub busy: Option<&'static str>,
    codes: Vec<String>,
    keys: Vec<String>,
}

/// A mood from the server's spelling (serde's), and back.
fn mood_of(name: &str) -> Option<Mood> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
}

fn mood_name(mood: Mood) -> Option<String> {
    match serde_json::to_value(mood) {
        Ok(serde_json::Value::String(s)) => Some(s),
        _ => None,
    }
}

impl ServerConversation {
    /// The conversation in progress in `state`, if there is one.
    pub fn from_state(state: &PlayState) -> Option<ServerConversation> {
        let sc = state.scenario.as_ref()?;
        let mut c = ServerConversation {
            index: sc.index,
            title: sc.title.clone(),
            client: sc.client.clone(),
            situation: sc.situation.clone(),
            face: sc.face.clone(),
            history: state.history.clone(),
            line: state
                .line
                .as_ref()
                .map(|l| (l.text.clone(), mood_of(&l.mood))),
            options: state.options.clone(),
            ending: None,
            over: false,
            practice: state.exercise.mode == "practice",
            busy: None,
            codes: Vec::new(),
            keys: Vec::new(),
        };
        c.index_labels();
        Some(c)
    }

    fn index_labels(&mut self) {
        self.codes = self
            .history
            .iter()
            .map(|e| match &e.practice {
                Some(p) => {
                    let codes: Vec<MitiCode> = p
                        .codes
                        .iter()
                        .filter_map(|c| MitiCode::from_json_name(c))
                        .collect();
                    codes_label(&codes)
                }
                None => String::new(),
            })
            .collect();
        self.keys = self.options.iter().map(|o| o.number.to_string()).collect();
    }

    /// The conversation has ended with `reply` (the option's text): it stays on screen with
    /// its ending until the trainee moves on.
    fn close_with(&mut self, reply: Option<String>, answer: &StepResponse) {
        if let (Some(reply), Some((client, mood))) = (reply, self.line.take()) {
            self.history.push(ExchangeView {
                client,
                mood: mood.and_then(mood_name).unwrap_or_default(),
                reply,
                practice: answer.practice.clone(),
            });
        }
        self.line = None;
        self.options.clear();
        self.ending = answer.ending.clone();
        self.over = true;
        self.index_labels();
    }
}

impl Conversation for ServerConversation {
    fn client_name(&self) -> &str {
        &self.client
    }

    fn exchanges(&self) -> Vec<Exchange<'_>> {
        self.history
            .iter()
            .zip(&self.codes)
            .map(|(e, codes)| Exchange {
                client: &e.client,
                talk: None,
                reply: &e.reply,
                coding: e.practice.as_ref().map(|p| Coding {
                    codes: codes.clone(),
                    rating: p.rating,
                    feedback: &p.feedback,
                    better: None,
                    typed_confidence: None,
                    nearest: None,
                }),
            })
            .collect()
    }

    fn exchange_count(&self) -> usize {
        self.history.len()
    }

    fn waiting(&self) -> Option<ClientLine<'_>> {
        self.line.as_ref().map(|(text, mood)| ClientLine {
            text,
            talk: None,
            mood: *mood,
        })
    }

    fn choices(&self) -> Vec<Choice<'_>> {
        self.options
            .iter()
            .zip(&self.keys)
            .map(|(o, key)| Choice { key, text: &o.text })
            .collect()
    }

    fn ending(&self) -> Option<(&str, &str)> {
        self.ending
            .as_ref()
            .map(|e| (e.title.as_str(), e.text.as_str()))
    }

    fn is_over(&self) -> bool {
        self.over || self.line.is_none()
    }

    fn point_key(&self) -> Option<&str> {
        (!self.is_over()).then_some(self.title.as_str())
    }

    fn mood(&self) -> Option<Mood> {
        match &self.line {
            Some((_, mood)) => *mood,
            None => self.history.last().and_then(|e| mood_of(&e.mood)),
        }
    }

    fn busy(&self) -> Option<&str> {
        self.busy
    }

    fn can_take_back(&self) -> bool {
        self.practice && !self.history.is_empty() && !self.over
    }
}

/// An exercise on a class server, joined (or being joined) from the app.
#[derive(Resource)]
pub struct ClassRun {
    /// The server's address.
    pub server: String,
    client: Arc<Client>,
    link: Option<Arc<StudentLink>>,
    /// Where the attempt stands, as the server last said.
    pub state: Option<PlayState>,
    /// When that was said (the clock counts down from it).
    pub state_at: Instant,
    /// The conversation on screen.
    pub shown: Option<ServerConversation>,
    /// Where the app is.
    pub stage: ClassStage,
    /// This join continued an attempt in progress.
    pub resumed: bool,
    /// The step on its way, and where its answer comes.
    pending: Option<(Step, Mutex<Receiver<Answer>>)>,
    /// The step that failed to reach the server, to try again.
    pub failed: Option<Step>,
    /// What went wrong last (shown until the next step).
    pub problem: Option<String>,
    /// Set by the client while it retries a dropped connection.
    connection: Arc<Mutex<Option<String>>>,
    wake: Wake,
    /// The clock ran out here and the server was asked once where the attempt stands.
    clock_asked: bool,
}

/// How a background thread wakes the window (set once the window exists; nothing in the
/// headless tests, which update the app themselves).
#[derive(Clone, Default)]
pub struct Wake(Arc<Mutex<Option<WakeFn>>>);

/// What waking the window does.
type WakeFn = Box<dyn Fn() + Send>;

impl Wake {
    /// Wakes the window, if there is one.
    pub fn wake(&self) {
        if let Ok(w) = self.0.lock()
            && let Some(w) = w.as_ref()
        {
            w();
        }
    }

    /// Sets what waking does.
    pub fn set(&self, f: impl Fn() + Send + 'static) {
        if let Ok(mut w) = self.0.lock() {
            *w = Some(Box::new(f));
        }
    }
}

impl ClassRun {
    /// A client of the server at `server` (not joined yet).
    pub fn new(server: &str) -> Result<ClassRun, String> {
        Ok(ClassRun::with_client(Client::new(server)?))
    }

    /// A run through `client` (not joined yet).
    pub fn with_client(client: Client) -> ClassRun {
        let wake = Wake::default();
        let connection: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
        let status = Arc::clone(&connection);
        let redraw = wake.clone();
        let client = client.reporting_to(move |c| {
            if let Ok(mut s) = status.lock() {
                *s = match c {
                    Connection::Retrying(why) => Some(format!(
                        "The connection to the class server dropped ({why}). Trying again… your replies so far are kept by the server."
                    )),
                    Connection::Back => None,
                };
            }
            redraw.wake();
        });
        ClassRun {
            server: client.base().to_string(),
            client: Arc::new(client),
            link: None,
            state: None,
            state_at: Instant::now(),
            shown: None,
            stage: ClassStage::Join,
            resumed: false,
            pending: None,
            failed: None,
            problem: None,
            connection,
            wake,
            clock_asked: false,
        }
    }

    /// What wakes the window when an answer comes.
    pub fn waker(&self) -> &Wake {
        &self.wake
    }

    /// The step on its way, if any.
    pub fn pending(&self) -> Option<&Step> {
        self.pending.as_ref().map(|(s, _)| s)
    }

    /// The connection's trouble while a step is retried.
    pub fn connection(&self) -> Option<String> {
        self.connection.lock().ok().and_then(|s| s.clone())
    }

    /// Practice or assessment.
    pub fn mode(&self) -> Mode {
        match self.state.as_ref().map(|s| s.exercise.mode.as_str()) {
            Some("practice") => Mode::Practice,
            _ => Mode::Assessment,
        }
    }

    /// Seconds left on the clock now, if the exercise has a limit.
    pub fn remaining_s(&self) -> Option<u64> {
        let left = self.state.as_ref()?.remaining_s?;
        Some(left.saturating_sub(self.state_at.elapsed().as_secs()))
    }

    /// Sends `step` on a background thread (nothing while another is on its way); the answer
    /// arrives through [`ClassRun::poll`].
    pub fn send(&mut self, step: Step) {
        if self.pending.is_some() {
            return;
        }
        let turn = self.state.as_ref().map_or(0, |s| s.turn);
        let (tx, rx) = channel();
        let client = Arc::clone(&self.client);
        let link = self.link.clone();
        let wake = self.wake.clone();
        let sent = step.clone();
        let spawned = std::thread::Builder::new()
            .name("class-server".into())
            .spawn(move || {
                let not_joined = || CallError::Unreachable("not joined yet".into());
                let answer = match (&sent, &link) {
                    (Step::Join(code), _) => Answer::Joined(StudentLink::join(client, code)),
                    (Step::Reply(n), Some(l)) => Answer::Stepped(l.reply(*n, turn)),
                    (Step::End, Some(l)) => Answer::Stepped(l.end(turn)),
                    (Step::Back, Some(l)) => Answer::Stepped(l.back(turn)),
                    (Step::Refresh, Some(l)) => Answer::State(l.state()),
                    (_, None) => Answer::State(Err(not_joined())),
                };
                let _ = tx.send(answer);
                wake.wake();
            });
        match spawned {
            Ok(_) => {
                if let Some(c) = &mut self.shown {
                    c.busy = Some(step.doing());
                }
                self.problem = None;
                self.failed = None;
                self.pending = Some((step, Mutex::new(rx)));
            }
            Err(e) => self.problem = Some(format!("Cannot start a request: {e}")),
        }
    }

    /// Takes the answer to the step on its way, if it has come; true when something changed.
    pub fn poll(&mut self) -> bool {
        let Some((step, rx)) = &self.pending else {
            return false;
        };
        let received = match rx.lock() {
            Ok(rx) => rx.try_recv(),
            Err(_) => Err(TryRecvError::Disconnected),
        };
        let answer = match received {
            Ok(a) => a,
            Err(TryRecvError::Empty) => return false,
            Err(TryRecvError::Disconnected) => Answer::State(Err(CallError::Unreachable(
                "the request stopped without an answer".into(),
            ))),
        };
        let step = step.clone();
        self.pending = None;
        if let Some(c) = &mut self.shown {
            c.busy = None;
        }
        if let Ok(mut s) = self.connection.lock() {
            *s = None;
        }
        match answer {
            Answer::Joined(Ok((link, joined))) => {
                self.link = Some(Arc::new(link));
                self.resumed = joined.resumed;
                self.adopt(joined.state);
            }
            Answer::Stepped(Ok(answer)) => self.stepped(&step, answer),
            Answer::State(Ok(state)) => self.adopt(state),
            Answer::Joined(Err(e)) | Answer::Stepped(Err(e)) | Answer::State(Err(e)) => {
                self.failure(step, e)
            }
        }
        true
    }

    fn failure(&mut self, step: Step, e: CallError) {
        match e {
            // The attempt moved on (another window, or the clock): load where it stands.
            CallError::Status(409, m) if self.link.is_some() => {
                self.problem = Some(m);
                self.send(Step::Refresh);
            }
            CallError::Status(_, m) => self.problem = Some(m),
            CallError::Unreachable(m) => {
                self.problem = Some(format!(
                    "{}. Your replies so far are kept by the server: try again when the network is back.",
                    m.trim_start_matches("error: ")
                ));
                self.failed = Some(step);
            }
        }
    }

    /// The answer to a step: the conversation continues, or it is over and stays on screen
    /// with its ending until "Next client".
    fn stepped(&mut self, step: &Step, answer: StepResponse) {
        let same = answer.state.status == "playing"
            && answer.state.scenario.as_ref().map(|s| s.index)
                == self.shown.as_ref().map(|c| c.index);
        if answer.late {
            self.problem = Some("Time is up: the exercise ended with this reply.".into());
        }
        match step {
            Step::Reply(n) if !same => {
                let reply = self
                    .shown
                    .as_ref()
                    .and_then(|c| c.options.iter().find(|o| o.number == *n))
                    .map(|o| o.text.clone());
                if let Some(c) = &mut self.shown {
                    c.close_with(reply, &answer);
                }
                self.state = Some(answer.state);
                self.state_at = Instant::now();
                if answer.late {
                    self.stage = ClassStage::Results;
                }
            }
            _ => self.adopt(answer.state),
        }
    }

    /// Takes `state` as where the attempt stands, and moves to its stage: a conversation
    /// not begun opens on its briefing; the one on screen stays.
    fn adopt(&mut self, state: PlayState) {
        let before = self.shown.as_ref().filter(|c| !c.over).map(|c| c.index);
        self.shown = ServerConversation::from_state(&state);
        self.stage = match &self.shown {
            _ if state.status != "playing" => ClassStage::Results,
            None => ClassStage::Results,
            Some(c) if Some(c.index) == before && self.stage == ClassStage::Conversation => {
                ClassStage::Conversation
            }
            Some(c) if c.history.is_empty() => ClassStage::Briefing,
            Some(_) => ClassStage::Conversation,
        };
        self.state = Some(state);
        self.state_at = Instant::now();
    }

    /// "Next client": the next conversation's briefing, or the results.
    pub fn next(&mut self) {
        if let Some(state) = self.state.clone() {
            self.adopt(state);
        }
    }

    /// The briefing is read: the conversation starts.
    pub fn start(&mut self) {
        if self.shown.is_some() {
            self.stage = ClassStage::Conversation;
        }
    }

    /// When the clock has run out here, asks the server once where the attempt stands (it
    /// closes the attempt; the results follow). True when it asked.
    pub fn check_clock(&mut self) -> bool {
        let playing = matches!(self.stage, ClassStage::Briefing | ClassStage::Conversation);
        if playing && !self.clock_asked && self.pending.is_none() && self.remaining_s() == Some(0) {
            self.clock_asked = true;
            self.send(Step::Refresh);
            return true;
        }
        false
    }

    /// Tries the failed step again (the server answers it at the same point).
    pub fn retry(&mut self) {
        if let Some(step) = self.failed.take() {
            self.send(step);
        }
    }
}
