//! Live xAPI (`changetalk serve --lrs URL --lrs-auth USER:PASS`): every recorded reply, and
//! each attempt's completion, goes to a Learning Record Store as it happens.
//!
//! Sending never holds up a student: a request only wakes the sender, a task of its own that
//! reads what is still to be sent from the log (replies and closings with no row in
//! `xapi_delivery`), builds the statements, POSTs them in batches and records the delivery.
//! A failure (network, 5xx, 429) is retried with a growing pause (1 s to 60 s); entries the
//! LRS refuses for good (another 4xx) are recorded as `rejected` with its answer. Because the
//! statements are rebuilt from the log, a restart sends whatever was not delivered, and their
//! ids are derived from the content, so a statement sent twice is stored once.
//!
//! * a reply: verb `responded`, actor = the student's account, object = the scenario (as in
//!   the core's export), the exercise as parent activity, `result.response` = the option's id;
//! * a closing: the core's `completed` and `passed`/`failed` statements
//!   ([`changetalk_core::classroom::xapi::statements`]) of that attempt, the same (ids
//!   included) as `changetalk class grade --xapi` exports.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use changetalk_core::classroom::grade::Pinned;
use changetalk_core::classroom::printable::printable;
use changetalk_core::classroom::result::format_timestamp;
use changetalk_core::classroom::xapi::{
    self, ACTIVITY_ASSESSMENT, ACTIVITY_SIMULATION, Account, Activity, ActivityDefinition, Agent,
    Context, ContextActivities, Verb, XAPI_VERSION, XapiOptions, en, encode, uuid_from,
};
use serde::Serialize;

use crate::grading;
use crate::play::LoadedEx;
use crate::routes::AppState;
use crate::store::PendingEvent;

/// ADL verb id for a reply.
pub const VERB_RESPONDED: &str = "http://adlnet.gov/expapi/verbs/responded";

/// Log entries sent per request.
const BATCH: i64 = 100;

/// Where statements go.
#[derive(Debug, Clone)]
pub struct LrsConfig {
    /// The LRS's address: its statements resource (`…/statements`), its xAPI root (`…/xAPI`),
    /// or the server's root (then `/xAPI/statements` is added, as Ralph serves it).
    pub url: String,
    /// `USER:PASS` for basic authentication.
    pub auth: Option<String>,
    /// The account home page of the actors (the LMS).
    pub home_page: String,
    /// Base IRI of the activities.
    pub activity_base: String,
}

impl LrsConfig {
    /// The statements resource.
    pub fn statements_url(&self) -> String {
        let u = self.url.trim_end_matches('/');
        let lower = u.to_ascii_lowercase();
        if lower.ends_with("/statements") {
            u.to_string()
        } else if lower.ends_with("/xapi") {
            format!("{u}/statements")
        } else {
            format!("{u}/xAPI/statements")
        }
    }

    fn options(&self) -> XapiOptions {
        XapiOptions {
            home_page: self.home_page.clone(),
            activity_base: self.activity_base.clone(),
            platform: format!("ChangeTalk {}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// A reply's statement (its result holds the response, not a score).
#[derive(Debug, Clone, Serialize)]
pub struct ReplyStatement {
    /// Content-derived UUID.
    pub id: String,
    /// The student.
    pub actor: Agent,
    /// `responded`.
    pub verb: Verb,
    /// The scenario.
    pub object: Activity,
    /// The option chosen.
    pub result: ReplyResult,
    /// The exercise, the attempt's registration.
    pub context: Context,
    /// Server time of the reply.
    pub timestamp: String,
    /// `1.0.3`.
    pub version: String,
}

/// What a reply said.
#[derive(Debug, Clone, Serialize)]
pub struct ReplyResult {
    /// The option's id.
    pub response: String,
}

/// The statement of one recorded reply.
pub fn reply_statement(
    ex: &LoadedEx,
    student_name: &str,
    p: &PendingEvent,
    opts: &XapiOptions,
) -> ReplyStatement {
    let base = opts.activity_base.trim_end_matches('/');
    let e = &p.event;
    let a = &p.attempt;
    let i = e.scenario.max(0) as usize;
    let sref = ex.exercise.scenarios.get(i);
    let scenario_id = sref.map_or("", |s| s.id.as_str());
    let attempt = a.number.to_string();
    let exercise_activity = Activity {
        object_type: "Activity".to_string(),
        id: format!("{base}/exercises/{}", encode(&ex.id)),
        definition: ActivityDefinition {
            name: en(&ex.exercise.title),
            description: None,
            kind: ACTIVITY_ASSESSMENT.to_string(),
        },
    };
    let mut extensions = BTreeMap::new();
    extensions.insert(
        format!("{base}/extensions/exercise-sha256"),
        serde_json::Value::from(ex.hash.as_str()),
    );
    extensions.insert(
        format!("{base}/extensions/attempt"),
        serde_json::Value::from(a.number),
    );
    extensions.insert(
        format!("{base}/extensions/option-number"),
        serde_json::Value::from(e.number),
    );
    ReplyStatement {
        id: uuid_from(&[
            "reply",
            &a.student_id,
            &ex.hash,
            &attempt,
            &a.id,
            &e.seq.to_string(),
        ]),
        actor: Agent {
            object_type: "Agent".to_string(),
            name: (!student_name.is_empty()).then(|| printable(student_name).into_owned()),
            account: Account {
                home_page: opts.home_page.clone(),
                name: a.student_id.clone(),
            },
        },
        verb: Verb {
            id: VERB_RESPONDED.to_string(),
            display: en("responded"),
        },
        object: Activity {
            object_type: "Activity".to_string(),
            id: format!("{base}/scenarios/{}", encode(scenario_id)),
            definition: ActivityDefinition {
                name: en(ex
                    .scenarios
                    .get(i)
                    .map_or(scenario_id, |s| s.title.as_str())),
                description: None,
                kind: ACTIVITY_SIMULATION.to_string(),
            },
        },
        result: ReplyResult {
            response: e.option_id.clone(),
        },
        context: Context {
            registration: uuid_from(&["registration", &a.student_id, &ex.hash, &attempt]),
            context_activities: ContextActivities {
                parent: vec![exercise_activity],
            },
            platform: opts.platform.clone(),
            language: "en-US".to_string(),
            extensions,
        },
        timestamp: format_timestamp(e.at_ms),
        version: XAPI_VERSION.to_string(),
    }
}

/// The statements of one log entry: a reply's, or a closing's (the core's completion
/// statements for that attempt).
async fn entry_statements(
    st: &AppState,
    p: &PendingEvent,
    opts: &XapiOptions,
) -> Result<Vec<serde_json::Value>, String> {
    let ex = st
        .exercise(&p.attempt.exercise_id)
        .await
        .map_err(|e| e.message().to_string())?;
    let student = st
        .store()
        .student(&p.attempt.exercise_id, &p.attempt.student_id)
        .await?;
    if p.event.kind == "reply" {
        let s = reply_statement(&ex, &student.name, p, opts);
        return Ok(vec![serde_json::to_value(s).map_err(|e| e.to_string())?]);
    }
    // A closing: grade the student's attempts up to this one, as the gradebook does.
    let attempts: Vec<_> = st
        .store()
        .attempts(&p.attempt.exercise_id, &p.attempt.student_id)
        .await?
        .into_iter()
        .filter(|a| a.number <= p.attempt.number)
        .collect();
    let snap =
        grading::student_snapshot(st.store(), &ex, student, &attempts, st.now(), i64::MAX).await?;
    let book = grading::gradebook(&ex, std::slice::from_ref(&snap));
    let pinned = Pinned {
        exercise: &ex.exercise,
        exercise_hash: &ex.hash,
        exercise_stem: &ex.id,
        scenarios: &ex.scenarios,
        coder: None,
    };
    xapi::statements(&pinned, &book, opts)
        .into_iter()
        .map(|s| serde_json::to_value(s).map_err(|e| e.to_string()))
        .collect()
}

/// Standard base64 (for the basic-authentication header).
fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if c.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if c.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// What the LRS said to a POST.
enum Sent {
    /// Stored (2xx), or already stored.
    Ok,
    /// Refused for good (a 4xx other than 408 and 429): its status and answer.
    Refused(String),
    /// Try again later.
    Retry(String),
}

fn post(agent: &ureq::Agent, cfg: &LrsConfig, body: String) -> Sent {
    let mut req = agent
        .post(cfg.statements_url())
        .header("X-Experience-API-Version", XAPI_VERSION)
        .header("Content-Type", "application/json");
    if let Some(a) = &cfg.auth {
        req = req.header("Authorization", &format!("Basic {}", base64(a.as_bytes())));
    }
    match req.send(body) {
        Ok(mut r) => {
            let status = r.status().as_u16();
            if (200..300).contains(&status) {
                return Sent::Ok;
            }
            let text = r
                .body_mut()
                .with_config()
                .limit(4096)
                .read_to_string()
                .unwrap_or_default();
            let text: String = text.chars().take(300).collect();
            if (400..500).contains(&status) && status != 408 && status != 429 {
                Sent::Refused(format!("HTTP {status}: {text}"))
            } else {
                Sent::Retry(format!("HTTP {status}: {text}"))
            }
        }
        Err(e) => Sent::Retry(e.to_string()),
    }
}

async fn post_async(agent: &ureq::Agent, cfg: &Arc<LrsConfig>, body: String) -> Sent {
    let (agent, cfg) = (agent.clone(), Arc::clone(cfg));
    tokio::task::spawn_blocking(move || post(&agent, &cfg, body))
        .await
        .unwrap_or_else(|e| Sent::Retry(format!("the sender stopped: {e}")))
}

/// Starts the sender on the current runtime. `wake` is notified when entries are appended.
pub fn start(st: AppState, cfg: LrsConfig, wake: Arc<tokio::sync::Notify>) {
    tokio::spawn(run(st, Arc::new(cfg), wake));
}

async fn run(st: AppState, cfg: Arc<LrsConfig>, wake: Arc<tokio::sync::Notify>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let opts = cfg.options();
    let mut backoff = Duration::from_secs(1);
    let mut failing = false;
    loop {
        let pending = match st.store().undelivered(BATCH).await {
            Ok(p) => p,
            Err(e) => {
                eprintln!("xAPI: {e}");
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
        };
        if pending.is_empty() {
            // Woken by a new entry, or a look every 30 s.
            let _ = tokio::time::timeout(Duration::from_secs(30), wake.notified()).await;
            continue;
        }
        // Build the statements; an entry that cannot be built is rejected.
        let mut built: Vec<(&PendingEvent, Vec<serde_json::Value>)> = Vec::new();
        for p in &pending {
            match entry_statements(&st, p, &opts).await {
                Ok(s) => built.push((p, s)),
                Err(e) => {
                    let _ = st
                        .store()
                        .mark_delivered(
                            &p.attempt.id,
                            p.event.seq,
                            "rejected",
                            0,
                            st.now(),
                            &format!("cannot build the statements: {e}"),
                        )
                        .await;
                }
            }
        }
        let all: Vec<&serde_json::Value> = built.iter().flat_map(|(_, s)| s.iter()).collect();
        let outcome = if all.is_empty() {
            Sent::Ok
        } else {
            post_async(
                &agent,
                &cfg,
                serde_json::to_string(&all).unwrap_or_default(),
            )
            .await
        };
        match outcome {
            Sent::Ok => {
                for (p, _) in &built {
                    if let Err(e) = st
                        .store()
                        .mark_delivered(&p.attempt.id, p.event.seq, "sent", 1, st.now(), "")
                        .await
                    {
                        eprintln!("xAPI: {e}");
                    }
                }
                if failing {
                    eprintln!("xAPI: the LRS takes statements again");
                    failing = false;
                }
                backoff = Duration::from_secs(1);
            }
            Sent::Refused(why) if built.len() > 1 => {
                // Find which entries it refuses: one request each.
                let _ = why;
                for (p, s) in &built {
                    let body = serde_json::to_string(s).unwrap_or_default();
                    let (state, detail) = match post_async(&agent, &cfg, body).await {
                        Sent::Ok => ("sent", String::new()),
                        Sent::Refused(w) => ("rejected", w),
                        // Not recorded: it is sent again with the next round.
                        Sent::Retry(_) => continue,
                    };
                    if state == "rejected" {
                        eprintln!(
                            "xAPI: the LRS refused the statements of attempt {} entry {}: {detail}",
                            p.attempt.id, p.event.seq
                        );
                    }
                    let _ = st
                        .store()
                        .mark_delivered(&p.attempt.id, p.event.seq, state, 1, st.now(), &detail)
                        .await;
                }
            }
            Sent::Refused(why) => {
                for (p, _) in &built {
                    eprintln!(
                        "xAPI: the LRS refused the statements of attempt {} entry {}: {why}",
                        p.attempt.id, p.event.seq
                    );
                    let _ = st
                        .store()
                        .mark_delivered(&p.attempt.id, p.event.seq, "rejected", 1, st.now(), &why)
                        .await;
                }
            }
            Sent::Retry(why) => {
                if !failing {
                    eprintln!(
                        "xAPI: cannot reach the LRS at {} ({why}); retrying (replies are kept and sent later)",
                        cfg.statements_url()
                    );
                    failing = true;
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(60));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(b"u:p"), "dTpw");
    }

    #[test]
    fn statements_resource_from_the_address() {
        let c = |u: &str| LrsConfig {
            url: u.into(),
            auth: None,
            home_page: String::new(),
            activity_base: String::new(),
        };
        assert_eq!(
            c("http://lrs:8100").statements_url(),
            "http://lrs:8100/xAPI/statements"
        );
        assert_eq!(
            c("http://lrs:8100/xAPI/").statements_url(),
            "http://lrs:8100/xAPI/statements"
        );
        assert_eq!(
            c("https://x/data/xapi/statements").statements_url(),
            "https://x/data/xapi/statements"
        );
    }
}
