//! Classroom exercises: one scored exercise for every student.
//!
//! An exercise file (RON) names the scenarios by id and pins each one by the SHA-256 of the
//! scenario file's exact bytes, so a changed scenario is detected before anyone plays or is
//! graded against it. It also fixes the seed, the mode, the pass criteria, the number of
//! attempts and an optional time limit. Reading reports every mistake as
//! `path:line:col: error: …` (render the [`Diagnostic`]s with [`crate::LineIndex`]).
//!
//! ```ron
//! Exercise(
//!     title: "Week 3: rolling with discord",
//!     instructions: "Talk with Dale until the session ends.",
//!     scenarios: [
//!         (id: "court-ordered-dui", hash: "<64 hex digits>"),
//!     ],
//!     seed: 42,
//!     mode: Assessment,
//!     pass: (overall: 60, min_reflection_to_question: 1.0, max_non_adherent: 2),
//!     attempts: 1,
//!     time_limit_minutes: 30,
//! )
//! ```

use std::fmt::Write as _;

use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};

use crate::format::de;
use crate::miti::score::Score;
use crate::source::check::{
    ListRules, SUBJECT, checked, id, int, list, number, opt_int, opt_number, text,
};
use crate::source::diag::{Diagnostic, Severity, Span, sort_diagnostics};
use crate::source::ron_tree;
use crate::source::text::ron_string;

/// Largest exercise file accepted, in bytes.
pub const MAX_EXERCISE_BYTES: usize = 1024 * 1024;

/// Most scenarios one exercise may name.
pub const MAX_SCENARIOS: usize = 50;

/// SHA-256 of `bytes` as 64 lowercase hex digits: the content hash that pins a scenario (and
/// identifies an exercise file in results).
pub fn content_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The hash that pins a scenario or identifies an exercise: [`content_hash`] of the text
/// with a byte-order mark stripped and CRLF and CR line endings made LF (see
/// [`crate::source::text::normalize_newlines`]). A Windows checkout or an editor's re-save
/// changes only those, so it keeps the pin; for an LF file without a mark it is the same as
/// `content_hash` of its bytes, so existing pins stay valid.
pub fn pin_hash(text: &str) -> String {
    content_hash(crate::source::text::normalize_newlines(text).as_bytes())
}

/// True for 64 hex digits.
pub fn is_valid_hash(h: &str) -> bool {
    h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Practice or assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExerciseMode {
    /// No feedback until the end; replies are final.
    Assessment,
    /// Feedback after every reply; a reply may be taken back.
    Practice,
}

impl ExerciseMode {
    /// The RON spelling.
    pub fn ron_name(self) -> &'static str {
        match self {
            ExerciseMode::Practice => "Practice",
            ExerciseMode::Assessment => "Assessment",
        }
    }
}

/// One scenario of an exercise, pinned by content hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "Scenario")]
pub struct ScenarioRef {
    /// The scenario's id.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// SHA-256 (hex) of the scenario file's exact bytes.
    #[serde(deserialize_with = "hash")]
    pub hash: String,
    /// Where to find the file, relative to the exercise file (absent for bundled scenarios
    /// and those in the user's scenario folder, which are found by id).
    #[serde(default, deserialize_with = "file")]
    pub file: Option<String>,
    /// Seed for this scenario; absent means the exercise's seed.
    #[serde(default, deserialize_with = "opt_int::<_, _, 0, { u64::MAX as i128 }>")]
    pub seed: Option<u64>,
    /// A course's session (1-based) this entry plays; absent: a single-session client, or a
    /// course's first session only. Session k > 1 follows the entry for session k − 1 of the
    /// same file, in the state and with the memory that session left.
    #[serde(default, deserialize_with = "opt_int::<_, _, 1, 100>")]
    pub session: Option<usize>,
    /// Where the entry is in the exercise file.
    #[serde(rename = "$span", default, skip_serializing)]
    pub span: Span,
}

/// The pass criteria, checked against each scenario's score; the exercise is passed when
/// every scenario passes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Pass")]
pub struct PassCriteria {
    /// Minimum overall score (0–100).
    #[serde(deserialize_with = "number::<_, 0, 100>")]
    pub overall: f64,
    /// A scenario passes only when its conversation reached an ending (default `true`: a
    /// conversation ended early, or stopped by the time limit, fails). `false` lets an
    /// unfinished conversation pass on its (reduced) overall score.
    #[serde(default = "yes")]
    pub require_ending: bool,
    /// At least this many replies in each scenario.
    #[serde(default, deserialize_with = "opt_int::<_, _, 1, 1000>")]
    pub min_turns: Option<u32>,
    /// Minimum reflection-to-question ratio.
    #[serde(default, deserialize_with = "opt_number::<_, 0, 100>")]
    pub min_reflection_to_question: Option<f64>,
    /// Minimum % complex reflections.
    #[serde(default, deserialize_with = "opt_number::<_, 0, 100>")]
    pub min_percent_complex_reflections: Option<f64>,
    /// Minimum % open questions.
    #[serde(default, deserialize_with = "opt_number::<_, 0, 100>")]
    pub min_percent_open_questions: Option<f64>,
    /// Minimum % MI-adherent.
    #[serde(default, deserialize_with = "opt_number::<_, 0, 100>")]
    pub min_percent_mi_adherent: Option<f64>,
    /// Minimum relational global (1–5).
    #[serde(default, deserialize_with = "opt_number::<_, 1, 5>")]
    pub min_relational: Option<f64>,
    /// Minimum technical global (1–5).
    #[serde(default, deserialize_with = "opt_number::<_, 1, 5>")]
    pub min_technical: Option<f64>,
    /// At most this many MI-non-adherent codes (Persuade + Confront).
    #[serde(default, deserialize_with = "opt_int::<_, _, 0, 10_000>")]
    pub max_non_adherent: Option<u32>,
}

impl Default for PassCriteria {
    /// Overall 0 and no other threshold, but a conversation must still reach an ending.
    fn default() -> PassCriteria {
        PassCriteria {
            overall: 0.0,
            require_ending: true,
            min_turns: None,
            min_reflection_to_question: None,
            min_percent_complex_reflections: None,
            min_percent_open_questions: None,
            min_percent_mi_adherent: None,
            min_relational: None,
            min_technical: None,
            max_non_adherent: None,
        }
    }
}

fn yes() -> bool {
    true
}

/// One criterion checked against a score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionCheck {
    /// What was checked, in words ("R:Q ≥ 1").
    pub criterion: String,
    /// The value found (null when the metric has no denominator).
    pub value: Option<f64>,
    /// Whether it was met.
    pub met: bool,
}

impl PassCriteria {
    /// Checks every criterion against a score.
    ///
    /// A metric without a denominator counts as follows: R:Q with reflections but no
    /// questions is met (the ratio is unbounded), with neither it is not; % complex
    /// reflections with no reflections is not met; % open questions with no questions and %
    /// MI-adherent with no adherent or non-adherent codes are met (nothing was done wrong).
    pub fn check(&self, s: &Score) -> Vec<CriterionCheck> {
        fn min_check(
            out: &mut Vec<CriterionCheck>,
            label: &str,
            threshold: Option<f64>,
            value: Option<f64>,
            when_null: bool,
        ) {
            if let Some(t) = threshold {
                out.push(CriterionCheck {
                    criterion: format!("{label} ≥ {}", trim_num(t)),
                    value,
                    met: value.map_or(when_null, |v| v >= t),
                });
            }
        }
        let mut out = Vec::new();
        // Only a finished conversation can pass: stopping early is not a shortcut.
        if self.require_ending {
            out.push(CriterionCheck {
                criterion: "% of the conversation played = 100".to_string(),
                value: Some(crate::miti::score::round_to(100.0 * s.completion, 1)),
                met: s.complete,
            });
        }
        out.push(CriterionCheck {
            criterion: format!("overall ≥ {}", trim_num(self.overall)),
            value: Some(s.overall),
            met: s.overall >= self.overall,
        });
        if let Some(m) = self.min_turns {
            out.push(CriterionCheck {
                criterion: format!("replies ≥ {m}"),
                value: Some(s.turns as f64),
                met: s.turns >= m as usize,
            });
        }
        min_check(
            &mut out,
            "R:Q",
            self.min_reflection_to_question,
            s.reflection_to_question,
            s.reflections > 0,
        );
        min_check(
            &mut out,
            "% complex reflections",
            self.min_percent_complex_reflections,
            s.percent_complex_reflections,
            false,
        );
        min_check(
            &mut out,
            "% open questions",
            self.min_percent_open_questions,
            s.percent_open_questions,
            true,
        );
        min_check(
            &mut out,
            "% MI-adherent",
            self.min_percent_mi_adherent,
            s.percent_mi_adherent,
            true,
        );
        min_check(
            &mut out,
            "relational",
            self.min_relational,
            Some(s.globals.relational),
            false,
        );
        min_check(
            &mut out,
            "technical",
            self.min_technical,
            Some(s.globals.technical),
            false,
        );
        if let Some(m) = self.max_non_adherent {
            out.push(CriterionCheck {
                criterion: format!("MI-non-adherent ≤ {m}"),
                value: Some(f64::from(s.mi_non_adherent)),
                met: s.mi_non_adherent <= m,
            });
        }
        out
    }

    /// The criteria in words ("overall ≥ 60", "R:Q ≥ 1"…), as [`PassCriteria::check`] names
    /// them (its wording does not depend on the score checked).
    pub fn describe(&self) -> Vec<String> {
        let empty = crate::miti::score::score(&crate::miti::score::CodedSession::default());
        self.check(&empty)
            .into_iter()
            .map(|c| c.criterion)
            .collect()
    }
}

pub use crate::source::text::trim_num;

/// A classroom exercise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exercise {
    /// Title shown to students and used for gradebook columns.
    #[serde(deserialize_with = "text")]
    pub title: String,
    /// What the student is asked to do.
    #[serde(default)]
    pub instructions: String,
    /// The scenarios, in the order they are played.
    #[serde(deserialize_with = "scenario_refs")]
    pub scenarios: Vec<ScenarioRef>,
    /// Seed of every scenario without its own.
    #[serde(deserialize_with = "int::<_, _, 0, { u64::MAX as i128 }>")]
    pub seed: u64,
    /// Practice or assessment.
    pub mode: ExerciseMode,
    /// Pass criteria.
    pub pass: PassCriteria,
    /// Attempts each student may make (at least 1).
    #[serde(default = "one", deserialize_with = "int::<_, _, 1, 100>")]
    pub attempts: u32,
    /// Time limit for the whole exercise, in minutes.
    #[serde(default, deserialize_with = "opt_int::<_, _, 1, 1440>")]
    pub time_limit_minutes: Option<u32>,
    /// Replies may be typed in the student's own words, coded by the offline coder whose
    /// model has this SHA-256 (the grader flags a different model; absent: options only).
    #[serde(default)]
    pub coder: Option<String>,
}

impl ScenarioRef {
    /// How students and reports name the entry: the id, with the session for a course's
    /// later sessions (`recovery-burnout-course, session 2`).
    pub fn label(&self) -> String {
        match self.session {
            Some(k) if k > 1 => format!("{}, session {k}", self.id),
            _ => self.id.clone(),
        }
    }

    /// The course session (0-based) the entry plays: 0 unless `session` says otherwise.
    pub fn session_index(&self) -> usize {
        self.session.map_or(0, |k| k.saturating_sub(1))
    }
}

impl Exercise {
    /// For entry `i` that plays session k > 1 of a course, the entry of session k − 1 of the
    /// same file (always earlier in the list once [`Exercise::check_sessions`] passed).
    pub fn previous_session(&self, i: usize) -> Option<usize> {
        let r = self.scenarios.get(i)?;
        let k = r.session.filter(|k| *k > 1)?;
        self.scenarios[..i]
            .iter()
            .rposition(|s| s.id == r.id && s.session.unwrap_or(1) == k - 1)
    }

    /// Checks the course sessions against the files: entry `i` names session `k` of a file
    /// with `counts[i]` sessions. Session k must exist, and session k > 1 must come after the
    /// entry for session k − 1 of the same file. Returns (entry, message) for each mistake.
    pub fn check_sessions(&self, counts: &[usize]) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        for (i, r) in self.scenarios.iter().enumerate() {
            let Some(k) = r.session else { continue };
            let count = counts.get(i).copied().unwrap_or(1);
            if k > count {
                out.push((
                    i,
                    format!(
                        "scenario `{}` has {count} session{}, so there is no session {k}; use 1 to {count}",
                        r.id,
                        if count == 1 { "" } else { "s" }
                    ),
                ));
            } else if k > 1 && self.previous_session(i).is_none() {
                out.push((
                    i,
                    format!(
                        "session {k} of `{}` must come after session {} of it: a later session starts where the one before it ended",
                        r.id,
                        k - 1
                    ),
                ));
            }
        }
        out
    }

    /// The seed scenario `i` is played with.
    pub fn seed_of(&self, i: usize) -> u64 {
        self.scenarios
            .get(i)
            .and_then(|s| s.seed)
            .unwrap_or(self.seed)
    }

    /// Writes the exercise as RON that [`load_exercise`] reads back, with comments that
    /// explain each field to an instructor.
    pub fn to_ron(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "// ChangeTalk classroom exercise. Play: changetalk exercise run FILE --student NAME --id ID\n\
             // Grade:  changetalk grade FILE RESULTS_DIR --csv gradebook.csv --report class.html\n\
             // Each scenario is pinned by the SHA-256 of its file: if the file changes, playing\n\
             // and grading stop with a message. Re-run `changetalk exercise new` to re-pin.\n\
             Exercise("
        );
        let _ = writeln!(o, "    title: {},", ron_string(&self.title));
        let _ = writeln!(o, "    instructions: {},", ron_string(&self.instructions));
        let _ = writeln!(o, "    scenarios: [");
        for s in &self.scenarios {
            let _ = write!(
                o,
                "        (id: {}, hash: {}",
                ron_string(&s.id),
                ron_string(&s.hash)
            );
            if let Some(f) = &s.file {
                let _ = write!(o, ", file: {}", ron_string(f));
            }
            if let Some(seed) = s.seed {
                let _ = write!(o, ", seed: {seed}");
            }
            if let Some(k) = s.session {
                let _ = write!(o, ", session: {k}");
            }
            let _ = writeln!(o, "),");
        }
        let _ = writeln!(o, "    ],");
        let _ = writeln!(
            o,
            "    // Same seed and replies give the same conversation, for every student.\n    seed: {},",
            self.seed
        );
        let _ = writeln!(
            o,
            "    // Assessment: feedback only at the end. Practice: feedback after every reply.\n    mode: {},",
            self.mode.ron_name()
        );
        let p = &self.pass;
        let _ = writeln!(
            o,
            "    // Checked against each scenario's score; all must pass. See docs/classroom.md.\n    \
             // A scenario passes only when its conversation reaches an ending (require_ending);\n    \
             // min_turns asks for at least that many replies in each scenario."
        );
        let _ = writeln!(o, "    pass: (");
        let _ = writeln!(o, "        overall: {},", ron_f64(p.overall));
        if !p.require_ending {
            let _ = writeln!(o, "        require_ending: false,");
        }
        if let Some(m) = p.min_turns {
            let _ = writeln!(o, "        min_turns: {m},");
        }
        let opt = |o: &mut String, k: &str, v: Option<f64>| {
            if let Some(v) = v {
                let _ = writeln!(o, "        {k}: {},", ron_f64(v));
            }
        };
        opt(
            &mut o,
            "min_reflection_to_question",
            p.min_reflection_to_question,
        );
        opt(
            &mut o,
            "min_percent_complex_reflections",
            p.min_percent_complex_reflections,
        );
        opt(
            &mut o,
            "min_percent_open_questions",
            p.min_percent_open_questions,
        );
        opt(&mut o, "min_percent_mi_adherent", p.min_percent_mi_adherent);
        opt(&mut o, "min_relational", p.min_relational);
        opt(&mut o, "min_technical", p.min_technical);
        if let Some(m) = p.max_non_adherent {
            let _ = writeln!(o, "        max_non_adherent: {m},");
        }
        let _ = writeln!(o, "    ),");
        let _ = writeln!(o, "    attempts: {},", self.attempts);
        if let Some(t) = self.time_limit_minutes {
            let _ = writeln!(o, "    time_limit_minutes: {t},");
        }
        if let Some(c) = &self.coder {
            let _ = writeln!(
                o,
                "    // Replies may be typed in the student's own words, coded by this model.\n    coder: Some({}),",
                ron_string(c)
            );
        }
        let _ = writeln!(o, ")");
        o
    }
}

fn ron_f64(x: f64) -> String {
    let s = format!("{x}");
    if s.contains('.') || s.contains('e') || s.contains("inf") || s.contains("NaN") {
        s
    } else {
        format!("{s}.0")
    }
}

/// Reads an exercise. On failure, every error found, sorted by position.
pub fn load_exercise(text: &str) -> Result<Exercise, Vec<Diagnostic>> {
    if text.len() > MAX_EXERCISE_BYTES {
        return Err(vec![Diagnostic::error(
            Span::new(0, 0),
            "exercise file is over 1 MB; is this the right file?",
        )]);
    }
    let parsed = ron_tree::parse_all(text);
    let tree = match parsed.node {
        Some(tree) if parsed.errors.is_empty() => tree,
        _ => return Err(parsed.errors),
    };
    let (ex, mut diags) = de::decode::<Exercise>(text, &tree, NAMES);
    match ex {
        Some(ex) if !diags.iter().any(|d| d.severity == Severity::Error) => Ok(ex),
        _ => {
            if diags.is_empty() {
                diags.push(Diagnostic::error(tree.span, "the file is not an exercise"));
            }
            sort_diagnostics(&mut diags);
            diags.dedup();
            Err(diags)
        }
    }
}

/// How messages name the exercise's values (see [`de::Names`]).
const NAMES: de::Names = &[
    ("Scenario.*", "scenario"),
    ("Pass.*", "pass"),
    ("ExerciseMode", "mode"),
];

fn one() -> u32 {
    1
}

const _: () = assert!(MAX_SCENARIOS == 50, "update the message below");

/// The scenarios: at least one, at most [`MAX_SCENARIOS`], each once.
fn scenario_refs<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ScenarioRef>, D::Error> {
    static RULES: ListRules<ScenarioRef> = ListRules {
        empty: Some(
            "`scenarios` is empty: name at least one scenario, e.g. (id: \"court-ordered-dui\", hash: \"…\")",
        ),
        most: Some((
            MAX_SCENARIOS,
            "an exercise may name at most 50 scenarios; split it into several exercises",
        )),
        repeated: Some(|r, seen| {
            let msg = match r.session {
                Some(k) => format!(
                    "session {k} of scenario `{}` is named twice; each session may appear once",
                    r.id
                ),
                None => format!(
                    "scenario `{}` is named twice; each scenario may appear once",
                    r.id
                ),
            };
            let same =
                |s: &ScenarioRef| s.id == r.id && s.session.unwrap_or(1) == r.session.unwrap_or(1);
            (!r.id.is_empty() && seen.iter().any(same)).then_some(msg)
        }),
    };
    list(d, &RULES)
}

/// 64 hex digits, read in lower case.
fn hash<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    checked(d, String::new(), |s: String| match is_valid_hash(&s) {
        true => Ok(s.to_ascii_lowercase()),
        false => Err(format!(
            "{SUBJECT} must be the 64 hex digits of the scenario file's SHA-256; let `changetalk exercise new` fill it in"
        )),
    })
}

/// A file path: not blank, no NUL.
fn file<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let path = text(d)?;
    match path.contains('\0') {
        true => Err(serde::de::Error::custom(format!(
            "{SUBJECT} contains a NUL character"
        ))),
        false => Ok(Some(path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::diag::LineIndex;

    const H: &str = "ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12";

    fn sample() -> String {
        format!(
            "Exercise(\n  title: \"Week 3\",\n  instructions: \"Talk.\",\n  scenarios: [(id: \"court-ordered-dui\", hash: \"{H}\")],\n  seed: 42,\n  mode: Assessment,\n  pass: (overall: 60, min_reflection_to_question: 1.0, max_non_adherent: 2),\n  attempts: 2,\n  time_limit_minutes: 30,\n)\n"
        )
    }

    #[test]
    fn sha256_of_known_text() {
        assert_eq!(
            content_hash(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(is_valid_hash(&content_hash(b"")));
    }

    #[test]
    fn pin_hash_ignores_byte_order_mark_and_line_endings() {
        let lf = "Scenario(\n  id: \"x\",\n)\n";
        // An LF file without a mark hashes as its bytes did: existing pins stay valid.
        assert_eq!(pin_hash(lf), content_hash(lf.as_bytes()));
        let windows = format!("\u{feff}{}", lf.replace('\n', "\r\n"));
        assert_eq!(pin_hash(&windows), pin_hash(lf));
        assert_eq!(pin_hash(&lf.replace('\n', "\r")), pin_hash(lf));
        assert_ne!(pin_hash("a b"), pin_hash("a  b"));
    }

    #[test]
    fn loads_a_valid_exercise() {
        let ex = load_exercise(&sample()).unwrap();
        assert_eq!(ex.title, "Week 3");
        assert_eq!(ex.scenarios[0].id, "court-ordered-dui");
        assert_eq!(ex.seed, 42);
        assert_eq!(ex.mode, ExerciseMode::Assessment);
        assert_eq!(ex.pass.overall, 60.0);
        assert_eq!(ex.pass.min_reflection_to_question, Some(1.0));
        assert_eq!(ex.pass.max_non_adherent, Some(2));
        assert_eq!(ex.attempts, 2);
        assert_eq!(ex.time_limit_minutes, Some(30));
        assert_eq!(ex.seed_of(0), 42);
        // Files written before `min_turns` and `require_ending` keep their meaning.
        assert_eq!(ex.pass.min_turns, None);
        assert!(ex.pass.require_ending);
        assert!(PassCriteria::default().require_ending);
    }

    #[test]
    fn min_turns_and_require_ending_are_read_and_checked() {
        let text = sample().replace(
            "pass: (overall: 60,",
            "pass: (overall: 60, min_turns: 8, require_ending: false,",
        );
        let ex = load_exercise(&text).unwrap_or_else(|d| panic!("{d:?}"));
        assert_eq!(ex.pass.min_turns, Some(8));
        assert!(!ex.pass.require_ending);
        let described = ex.pass.describe();
        assert!(
            described.contains(&"replies ≥ 8".to_string()),
            "{described:?}"
        );
        assert!(
            !described
                .iter()
                .any(|c| c.starts_with("% of the conversation")),
            "{described:?}"
        );
        let bad = sample().replace("pass: (overall: 60,", "pass: (overall: 60, min_turns: 0,");
        let all = load_exercise(&bad)
            .unwrap_err()
            .iter()
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(all.contains("`min_turns` is 0"), "{all}");
        let bad = sample().replace(
            "pass: (overall: 60,",
            "pass: (overall: 60, require_ending: 1,",
        );
        assert!(load_exercise(&bad).is_err());
    }

    #[test]
    fn to_ron_round_trips() {
        let mut ex = load_exercise(&sample()).unwrap();
        ex.title = "Quote \" and \\ and\nnewline".into();
        ex.scenarios[0].file = Some("../scenarios/x.ron".into());
        ex.scenarios[0].seed = Some(7);
        ex.pass.min_relational = Some(3.5);
        ex.pass.min_turns = Some(6);
        ex.pass.require_ending = false;
        let text = ex.to_ron();
        let mut back = load_exercise(&text).unwrap_or_else(|d| panic!("{d:?}\n{text}"));
        back.scenarios[0].span = ex.scenarios[0].span;
        assert_eq!(back, ex);
    }

    #[test]
    fn every_mistake_is_reported_with_its_position() {
        let text = sample()
            .replace("seed: 42", "seeed: 42")
            .replace("Assessment", "Assesment")
            .replace(H, "abc");
        let diags = load_exercise(&text).unwrap_err();
        let idx = LineIndex::new(&text);
        let rendered: Vec<String> = diags.iter().map(|d| d.render("ex.ron", &idx)).collect();
        let all = rendered.join("\n");
        assert!(
            all.contains("ex.ron:4:") && all.contains("64 hex digits"),
            "{all}"
        );
        assert!(
            all.contains("ex.ron:5:3: error: unknown field `seeed`")
                && all.contains("did you mean `seed`"),
            "{all}"
        );
        assert!(all.contains("missing the required field `seed`"), "{all}");
        assert!(
            all.contains(
                "ex.ron:6:9: error: unknown mode `Assesment` (did you mean `Assessment`?)"
            ),
            "{all}"
        );
    }

    #[test]
    fn ranges_and_duplicates_are_checked() {
        let text = sample()
            .replace("attempts: 2", "attempts: 0")
            .replace("overall: 60", "overall: 160")
            .replace(
                &format!("[(id: \"court-ordered-dui\", hash: \"{H}\")]"),
                &format!("[(id: \"a\", hash: \"{H}\"), (id: \"a\", hash: \"{H}\")]"),
            );
        let all = load_exercise(&text)
            .unwrap_err()
            .iter()
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(all.contains("`attempts` is 0"), "{all}");
        assert!(all.contains("pass `overall` is 160"), "{all}");
        assert!(all.contains("scenario `a` is named twice"), "{all}");
    }

    #[test]
    fn garbage_never_panics() {
        for t in [
            "",
            "(",
            "Exercise",
            "Exercise()",
            "[1,2]",
            "Exercise(scenarios: 3)",
        ] {
            assert!(load_exercise(t).is_err(), "{t}");
        }
    }
}
