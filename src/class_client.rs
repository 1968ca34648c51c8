//! A client of the class server (`changetalk serve`), shared by the instructor's commands,
//! the student's terminal client and the app's `gui --join`.
//!
//! Every request goes through [`Client`]: a blocking HTTP client (ureq) that honours
//! `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` and `NO_PROXY`, and retries when the connection
//! drops. A student plays through a [`StudentLink`]: every step carries the turn it answers,
//! so a retried reply returns the result the server recorded — a reply is never asked for or
//! recorded twice — and a heartbeat keeps the session live while the student reads.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use changetalk_server::api::{
    ErrorBody, JoinRequest, JoinResponse, PlayState, ReplyRequest, StepRequest, StepResponse,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Text from the server or a student, safe to print: control characters (terminal escapes,
/// line breaks) removed.
pub fn printable(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

// ---------------------------------------------------------------------------------------
// The HTTP client
// ---------------------------------------------------------------------------------------

/// A blocking client of one class server.
pub struct Client {
    agent: ureq::Agent,
    base: String,
    /// At least one request has reached the server (before that, a wrong address fails fast).
    reached: AtomicBool,
    /// How long to keep retrying a request whose connection failed.
    retry_for: Duration,
    /// Told when the connection fails and when it is back (the terminal prints it; the app
    /// shows it and redraws).
    on_connection: Box<dyn Fn(Connection) + Send + Sync>,
}

/// What [`Client`] says about its connection while it retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// A request failed for this reason; it is being retried.
    Retrying(String),
    /// A request got through again after failing.
    Back,
}

/// A request's failure.
#[derive(Debug)]
pub enum CallError {
    /// The server answered with an error status and this message.
    Status(u16, String),
    /// The server could not be reached (after retrying).
    Unreachable(String),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Status(_, m) => f.write_str(&printable(m)),
            CallError::Unreachable(m) => f.write_str(m),
        }
    }
}

/// A request's body.
pub(crate) enum Payload<'a> {
    /// None.
    None,
    /// JSON.
    Json(serde_json::Value),
    /// A CSV text.
    Text(&'a str),
}

impl Client {
    /// A client of the server at `server` (`http://…` or `https://…`).
    pub fn new(server: &str) -> Result<Client, String> {
        let base = server.trim().trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(format!(
                "error: --server `{}` must be an address starting with http:// or https://",
                printable(server)
            ));
        }
        // The proxy comes from the environment (ureq's default), NO_PROXY included.
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let retry_for = std::env::var("CHANGETALK_RETRY_SECONDS")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .map_or(Duration::from_secs(120), Duration::from_secs);
        Ok(Client {
            agent,
            base,
            reached: AtomicBool::new(false),
            retry_for,
            on_connection: Box::new(|c| match c {
                Connection::Retrying(why) => {
                    eprintln!("(the connection to the server failed: {why}; retrying…)")
                }
                Connection::Back => eprintln!("(connected again)"),
            }),
        })
    }

    /// The same client, telling `report` (instead of standard error) when the connection
    /// fails and comes back.
    pub fn reporting_to(mut self, report: impl Fn(Connection) + Send + Sync + 'static) -> Client {
        self.on_connection = Box::new(report);
        self
    }

    /// The same client, retrying a dropped connection for `d` (default: two minutes, or
    /// `CHANGETALK_RETRY_SECONDS`).
    pub fn retrying_for(mut self, d: Duration) -> Client {
        self.retry_for = d;
        self
    }

    /// The server's address, as given (without a trailing `/`).
    pub fn base(&self) -> &str {
        &self.base
    }

    pub(crate) fn once(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        payload: &Payload,
    ) -> Result<(u16, String), ureq::Error> {
        let url = format!("{}{path}", self.base);
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut resp = if method == "GET" {
            let mut r = self.agent.get(&url);
            if let Some(a) = &auth {
                r = r.header("Authorization", a);
            }
            r.call()?
        } else {
            let mut r = self.agent.post(&url);
            if let Some(a) = &auth {
                r = r.header("Authorization", a);
            }
            match payload {
                Payload::None => r.send_empty()?,
                Payload::Json(v) => r.send_json(v)?,
                Payload::Text(t) => r.content_type("text/csv; charset=utf-8").send(*t)?,
            }
        };
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(256 * 1024 * 1024)
            .read_to_string()?;
        Ok((status, body))
    }

    /// One request, retried while the connection fails (or a proxy says the server is
    /// unavailable); the answer's status and body.
    pub(crate) fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        payload: Payload,
    ) -> Result<(u16, String), CallError> {
        let start = Instant::now();
        let budget = if self.reached.load(Ordering::SeqCst) {
            self.retry_for
        } else {
            self.retry_for.min(Duration::from_secs(10))
        };
        let mut wait = Duration::from_millis(250);
        let mut said = false;
        loop {
            let failure = match self.once(method, path, token, &payload) {
                Ok((s, body)) if !matches!(s, 502..=504) => {
                    self.reached.store(true, Ordering::SeqCst);
                    if said {
                        (self.on_connection)(Connection::Back);
                    }
                    return Ok((s, body));
                }
                Ok((s, _)) => format!("the server is unavailable (HTTP {s})"),
                Err(e) => e.to_string(),
            };
            if start.elapsed() >= budget {
                return Err(CallError::Unreachable(format!(
                    "error: cannot reach the class server at {}: {failure}",
                    self.base
                )));
            }
            if !said {
                (self.on_connection)(Connection::Retrying(failure));
                said = true;
            }
            std::thread::sleep(wait);
            wait = (wait * 2).min(Duration::from_secs(4));
        }
    }

    pub(crate) fn decode<T: DeserializeOwned>(status: u16, body: &str) -> Result<T, CallError> {
        if (200..300).contains(&status) {
            serde_json::from_str(body).map_err(|e| {
                CallError::Unreachable(format!(
                    "error: the server's answer is not what this version of ChangeTalk reads ({e}); is it a ChangeTalk class server of the same version?"
                ))
            })
        } else {
            let msg = serde_json::from_str::<ErrorBody>(body)
                .map(|b| b.error)
                .unwrap_or_else(|_| format!("HTTP {status}: {}", body.trim()));
            Err(CallError::Status(status, msg))
        }
    }

    pub(crate) fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&str>,
    ) -> Result<T, CallError> {
        let (s, body) = self.call("GET", path, token, Payload::None)?;
        Self::decode(s, &body)
    }

    pub(crate) fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&str>,
        body: &B,
    ) -> Result<T, CallError> {
        let v = serde_json::to_value(body).unwrap_or(serde_json::Value::Null);
        let (s, text) = self.call("POST", path, token, Payload::Json(v))?;
        Self::decode(s, &text)
    }

    pub(crate) fn get_text(&self, path: &str, token: Option<&str>) -> Result<String, CallError> {
        let (s, body) = self.call("GET", path, token, Payload::None)?;
        if (200..300).contains(&s) {
            Ok(body)
        } else {
            Err(Self::decode::<serde_json::Value>(s, &body).unwrap_err())
        }
    }
}

// ---------------------------------------------------------------------------------------
// A student's session
// ---------------------------------------------------------------------------------------

/// A student's session on the server: the join token, and a heartbeat that keeps it live
/// (one live session per student) until it is left or dropped.
pub struct StudentLink {
    client: Arc<Client>,
    token: String,
    stop: Arc<AtomicBool>,
    beat: Option<std::thread::JoinHandle<()>>,
}

impl StudentLink {
    /// Joins with `code`: the session, and where the attempt stands.
    pub fn join(client: Arc<Client>, code: &str) -> Result<(StudentLink, JoinResponse), CallError> {
        let me = changetalk_server::token::random_token().map_err(CallError::Unreachable)?;
        let joined: JoinResponse = client.post(
            "/api/join",
            None,
            &JoinRequest {
                code: code.to_string(),
                client: me,
            },
        )?;
        let stop = Arc::new(AtomicBool::new(false));
        let beat = heartbeat(Arc::clone(&client), joined.token.clone(), Arc::clone(&stop));
        let link = StudentLink {
            client,
            token: joined.token.clone(),
            stop,
            beat: Some(beat),
        };
        Ok((link, joined))
    }

    /// The client it talks through.
    pub fn client(&self) -> &Arc<Client> {
        &self.client
    }

    /// Replies with option `number` (as displayed) to the state of `turn`.
    pub fn reply(&self, number: usize, turn: u64) -> Result<StepResponse, CallError> {
        self.client.post(
            "/api/reply",
            Some(&self.token),
            &ReplyRequest {
                number,
                expect_turn: turn,
            },
        )
    }

    /// Ends the conversation in progress early.
    pub fn end(&self, turn: u64) -> Result<StepResponse, CallError> {
        self.step("/api/end", turn)
    }

    /// Takes the last reply back (practice exercises).
    pub fn back(&self, turn: u64) -> Result<StepResponse, CallError> {
        self.step("/api/back", turn)
    }

    fn step(&self, path: &str, turn: u64) -> Result<StepResponse, CallError> {
        self.client
            .post(path, Some(&self.token), &StepRequest { expect_turn: turn })
    }

    /// Where the attempt stands now.
    pub fn state(&self) -> Result<PlayState, CallError> {
        self.client.get("/api/play", Some(&self.token))
    }

    fn release(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(beat) = self.beat.take() {
            let _ = beat.join();
            // Release the session, so that joining again works at once (one try: the
            // server also lets a silent session go after a while).
            let _ = self
                .client
                .once("POST", "/api/leave", Some(&self.token), &Payload::None);
        }
    }
}

impl Drop for StudentLink {
    fn drop(&mut self) {
        self.release();
    }
}

/// Keeps the session marked as live while the student reads and thinks.
fn heartbeat(
    client: Arc<Client>,
    token: String,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut last = Instant::now();
        while !stop.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(200));
            if last.elapsed() >= Duration::from_secs(15) {
                last = Instant::now();
                let _ = client.once("POST", "/api/heartbeat", Some(&token), &Payload::None);
            }
        }
    })
}
