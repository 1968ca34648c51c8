//! xAPI 1.0.3 statements for graded results, so they can go to any Learning Record Store.
//!
//! For every student and scenario that was graded, two statements: `completed` and then
//! `passed` or `failed` (against the exercise's pass criteria). A conversation stopped before
//! an ending gets only `failed`, with `completion: false`. The actor is identified by an
//! account (`homePage` = the LMS, `name` = the student's id), the object is the scenario, the
//! exercise is the parent activity in the context, and the result carries `score.scaled`
//! (overall / 100), `raw`, `min`, `max`, `success`, `completion` and an ISO 8601 `duration`.
//!
//! Statement ids are UUIDs derived from the content (SHA-256 of student, exercise hash,
//! scenario, attempt and verb, with the version-5 and RFC 4122 variant bits set), so
//! exporting the same results twice gives the same ids and an LRS stores them once.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::classroom::grade::{FlagKind, GradeRow, Gradebook, Pinned};
use crate::classroom::result::format_timestamp;

/// The xAPI version the statements follow.
pub const XAPI_VERSION: &str = "1.0.3";

/// ADL verb ids.
pub const VERB_COMPLETED: &str = "http://adlnet.gov/expapi/verbs/completed";
/// ADL verb id for passed.
pub const VERB_PASSED: &str = "http://adlnet.gov/expapi/verbs/passed";
/// ADL verb id for failed.
pub const VERB_FAILED: &str = "http://adlnet.gov/expapi/verbs/failed";

/// ADL activity type of a scenario.
pub const ACTIVITY_SIMULATION: &str = "http://adlnet.gov/expapi/activities/simulation";
/// ADL activity type of an exercise.
pub const ACTIVITY_ASSESSMENT: &str = "http://adlnet.gov/expapi/activities/assessment";

/// A name in one or more languages.
pub type LanguageMap = BTreeMap<String, String>;

/// A name in American English, the language of every statement here.
pub fn en(s: &str) -> LanguageMap {
    let mut m = LanguageMap::new();
    m.insert("en-US".to_string(), s.to_string());
    m
}

/// An account with a system (the LMS).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    /// The system's home page (an IRL).
    #[serde(rename = "homePage")]
    pub home_page: String,
    /// The student's id in that system.
    pub name: String,
}

/// The student.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agent {
    /// Always `Agent`.
    #[serde(rename = "objectType")]
    pub object_type: String,
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The inverse functional identifier.
    pub account: Account,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verb {
    /// The verb's IRI.
    pub id: String,
    /// Its name.
    pub display: LanguageMap,
}

/// An activity's definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityDefinition {
    /// Name.
    pub name: LanguageMap,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<LanguageMap>,
    /// Activity type IRI.
    #[serde(rename = "type")]
    pub kind: String,
}

/// A scenario or an exercise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// Always `Activity`.
    #[serde(rename = "objectType")]
    pub object_type: String,
    /// The activity's IRI.
    pub id: String,
    /// Name and type.
    pub definition: ActivityDefinition,
}

/// A score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct XScore {
    /// -1..1; here overall / 100.
    pub scaled: f64,
    /// The overall score.
    pub raw: f64,
    /// 0.
    pub min: f64,
    /// 100.
    pub max: f64,
}

/// The outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct XResult {
    /// The score.
    pub score: XScore,
    /// Passed the criteria.
    pub success: bool,
    /// Finished.
    pub completion: bool,
    /// ISO 8601 duration.
    pub duration: String,
}

/// Related activities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContextActivities {
    /// The exercise.
    pub parent: Vec<Activity>,
}

/// The context: the exercise, the attempt's registration, the platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Context {
    /// One UUID per student attempt.
    pub registration: String,
    /// The exercise.
    #[serde(rename = "contextActivities")]
    pub context_activities: ContextActivities,
    /// `ChangeTalk <version>`.
    pub platform: String,
    /// `en-US`.
    pub language: String,
    /// Seed, exercise hash and flags.
    pub extensions: BTreeMap<String, serde_json::Value>,
}

/// One xAPI statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    /// Content-derived UUID.
    pub id: String,
    /// The student.
    pub actor: Agent,
    /// completed, passed or failed.
    pub verb: Verb,
    /// The scenario.
    pub object: Activity,
    /// Score, success, completion, duration.
    pub result: XResult,
    /// The exercise.
    pub context: Context,
    /// When the scenario was finished (ISO 8601, UTC).
    pub timestamp: String,
    /// `1.0.3`.
    pub version: String,
}

/// Where statements point.
#[derive(Debug, Clone, PartialEq)]
pub struct XapiOptions {
    /// The account home page: the LMS's address (e.g. `https://moodle.example.edu`).
    pub home_page: String,
    /// Base IRI of activities (scenario ids become `<base>/scenarios/<id>`).
    pub activity_base: String,
    /// `ChangeTalk <version>`.
    pub platform: String,
}

/// A name-based UUID: the first 16 bytes of SHA-256 over the parts (separated so that
/// `("ab","c")` and `("a","bc")` differ), with the version set to 5 and the RFC 4122
/// variant, written 8-4-4-4-12 in lowercase hex.
pub fn uuid_from(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(b"changetalk-xapi-v1");
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let mut s = String::with_capacity(36);
    for (i, x) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        let _ = write!(s, "{x:02x}");
    }
    s
}

/// An ISO 8601 duration such as `PT4M12S`, `PT1H2M3.45S` or `PT0S` (to 0.01 s, the
/// precision xAPI compares).
pub fn iso8601_duration(ms: u64) -> String {
    let cs = ms / 10;
    let h = cs / 360_000;
    let m = (cs / 6000) % 60;
    let s = (cs / 100) % 60;
    let frac = cs % 100;
    let mut out = String::from("PT");
    if h > 0 {
        let _ = write!(out, "{h}H");
    }
    if m > 0 {
        let _ = write!(out, "{m}M");
    }
    if s > 0 || frac > 0 || (h == 0 && m == 0) {
        if frac > 0 {
            let f = format!("{frac:02}");
            let _ = write!(out, "{s}.{}S", f.trim_end_matches('0'));
        } else {
            let _ = write!(out, "{s}S");
        }
    }
    out
}

/// Percent-encodes everything but unreserved characters, for IRIs built from names.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The statements for a graded class: for each row that counts in the statistics and each
/// scenario it scored, `completed` then `passed` or `failed`.
pub fn statements(p: &Pinned, book: &Gradebook, opts: &XapiOptions) -> Vec<Statement> {
    let (ex, exercise_stem) = (p.exercise, p.exercise_stem);
    let base = opts.activity_base.trim_end_matches('/');
    let exercise_activity = Activity {
        object_type: "Activity".to_string(),
        id: format!("{base}/exercises/{}", encode(exercise_stem)),
        definition: ActivityDefinition {
            name: en(&ex.title),
            description: (!ex.instructions.trim().is_empty()).then(|| en(&ex.instructions)),
            kind: ACTIVITY_ASSESSMENT.to_string(),
        },
    };
    let mut out = Vec::new();
    for row in book.rows.iter().filter(|r| r.counts_in_statistics()) {
        row_statements(p, &exercise_activity, row, opts, base, &mut out);
    }
    out
}

fn row_statements(
    p: &Pinned,
    exercise_activity: &Activity,
    row: &GradeRow,
    opts: &XapiOptions,
    base: &str,
    out: &mut Vec<Statement>,
) {
    let (ex, exercise_hash) = (p.exercise, p.exercise_hash);
    let actor = Agent {
        object_type: "Agent".to_string(),
        name: (!row.student_name.is_empty())
            .then(|| crate::classroom::printable::printable(&row.student_name).into_owned()),
        account: Account {
            home_page: opts.home_page.clone(),
            name: row.student_id.clone(),
        },
    };
    let attempt = row.attempt.to_string();
    let registration = uuid_from(&["registration", &row.student_id, exercise_hash, &attempt]);
    let flags: Vec<serde_json::Value> = {
        let mut k: Vec<FlagKind> = row.flags.iter().map(|f| f.kind).collect();
        k.sort();
        k.dedup();
        k.iter()
            .map(|f| serde_json::Value::from(f.code()))
            .collect()
    };
    for (i, g) in row.scenarios.iter().enumerate() {
        let (Some(score), Some(passed)) = (&g.score, g.passed) else {
            continue;
        };
        let Some(sref) = ex.scenarios.get(i) else {
            continue;
        };
        // A course's sessions are activities of their own: `…/scenarios/ID/sessions/K`.
        let (activity_id, name) = match sref.session {
            Some(k) => (
                format!("{base}/scenarios/{}/sessions/{k}", encode(&sref.id)),
                p.scenarios.get(i).map_or_else(
                    || sref.label(),
                    |s| format!("{}: {}", s.title, s.session_title_of(k.saturating_sub(1))),
                ),
            ),
            None => (
                format!("{base}/scenarios/{}", encode(&sref.id)),
                p.scenarios
                    .get(i)
                    .map_or_else(|| sref.id.clone(), |s| s.title.clone()),
            ),
        };
        let object = Activity {
            object_type: "Activity".to_string(),
            id: activity_id,
            definition: ActivityDefinition {
                name: en(&name),
                description: p
                    .scenarios
                    .get(i)
                    .filter(|s| !s.summary.trim().is_empty())
                    .map(|s| en(&s.summary)),
                kind: ACTIVITY_SIMULATION.to_string(),
            },
        };
        let mut extensions = BTreeMap::new();
        extensions.insert(
            format!("{base}/extensions/exercise-sha256"),
            serde_json::Value::from(exercise_hash),
        );
        extensions.insert(
            format!("{base}/extensions/scenario-sha256"),
            serde_json::Value::from(sref.hash.as_str()),
        );
        extensions.insert(
            format!("{base}/extensions/seed"),
            serde_json::Value::from(ex.seed_of(i)),
        );
        extensions.insert(
            format!("{base}/extensions/attempt"),
            serde_json::Value::from(row.attempt),
        );
        extensions.insert(
            format!("{base}/extensions/flags"),
            serde_json::Value::Array(flags.clone()),
        );
        let context = Context {
            registration: registration.clone(),
            context_activities: ContextActivities {
                parent: vec![exercise_activity.clone()],
            },
            platform: opts.platform.clone(),
            language: "en-US".to_string(),
            extensions,
        };
        let scaled = crate::miti::score::round_to((score.overall / 100.0).clamp(-1.0, 1.0), 4);
        let result = XResult {
            score: XScore {
                scaled,
                raw: score.overall.clamp(0.0, 100.0),
                min: 0.0,
                max: 100.0,
            },
            success: passed,
            // A conversation stopped before an ending is not completed (scoring.md §5).
            completion: score.complete,
            duration: iso8601_duration(g.duration_ms.unwrap_or(0)),
        };
        // Times from the file were checked when grading (flagged `timing` or `clock` when
        // impossible); whatever is left, the timestamp is clamped to a real date.
        let when = g
            .finished_ms
            .or(row.finished_ms)
            .or(row.started_ms)
            .unwrap_or(0);
        let timestamp = format_timestamp(when);
        let verbs = [
            score.complete.then_some(VERB_COMPLETED),
            Some(if passed { VERB_PASSED } else { VERB_FAILED }),
        ];
        for verb in verbs.into_iter().flatten() {
            let word = verb.rsplit('/').next().unwrap_or(verb);
            out.push(Statement {
                id: uuid_from(&[
                    "statement",
                    &row.student_id,
                    exercise_hash,
                    &sref.label(),
                    &sref.hash,
                    &attempt,
                    verb,
                ]),
                actor: actor.clone(),
                verb: Verb {
                    id: verb.to_string(),
                    display: en(word),
                },
                object: object.clone(),
                result: result.clone(),
                context: context.clone(),
                timestamp: timestamp.clone(),
                version: XAPI_VERSION.to_string(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_uuid(s: &str) -> bool {
        let b = s.as_bytes();
        b.len() == 36
            && b.iter().enumerate().all(|(i, c)| {
                if matches!(i, 8 | 13 | 18 | 23) {
                    *c == b'-'
                } else {
                    c.is_ascii_digit() || (b'a'..=b'f').contains(c)
                }
            })
            && b[14] == b'5'
            && matches!(b[19], b'8' | b'9' | b'a' | b'b')
    }

    #[test]
    fn uuids_are_deterministic_version_5_and_distinct() {
        let a = uuid_from(&["a", "bc"]);
        assert!(is_uuid(&a), "{a}");
        assert_eq!(a, uuid_from(&["a", "bc"]));
        assert_ne!(a, uuid_from(&["ab", "c"]));
    }

    #[test]
    fn durations_follow_iso_8601() {
        assert_eq!(iso8601_duration(0), "PT0S");
        assert_eq!(iso8601_duration(252_000), "PT4M12S");
        assert_eq!(iso8601_duration(3_723_450), "PT1H2M3.45S");
        assert_eq!(iso8601_duration(3_600_000), "PT1H");
        assert_eq!(iso8601_duration(500), "PT0.5S");
        assert_eq!(iso8601_duration(60_000), "PT1M");
    }

    #[test]
    fn names_are_encoded_in_iris() {
        assert_eq!(encode("week 3/é"), "week%203%2F%C3%A9");
    }
}
