//! ChangeTalk's offline MITI coder.
//!
//! Codes a counsellor reply with MITI 4.2.1 behaviour codes and a client line with its talk
//! type (change / neutral / sustain), using linear models trained on the AnnoMI dataset
//! (Wu et al., ICASSP 2022; Future Internet 15(3):110, 2023) plus phrase rules for the codes
//! AnnoMI does not annotate (Affirm, Confront, Persuade with Permission). See `docs/coder.md`.
//!
//! Everything is pure: no file or network I/O, no threads, no hash-map iteration in scoring,
//! so the same input always gives bit-identical output.
//!
//! ```
//! use changetalk_coder::Coder;
//! use changetalk_core::MitiCode;
//! let coder = Coder::bundled();
//! let c = coder.code_counsellor("What would you like to be different?", None);
//! assert_eq!(c.main_code(), Some(MitiCode::OpenQuestion));
//! ```

#![forbid(unsafe_code)]

pub mod annomi;
mod eval;
pub mod features;
#[cfg(feature = "train")]
pub mod fit;
pub mod model;
pub mod rules;
pub mod text;

use std::fmt;
use std::sync::OnceLock;

use changetalk_core::miti::codes::MitiCode;
use changetalk_core::miti::talk::Target;
use sha2::{Digest, Sha256};

pub use eval::{ClassReport, EvalError, EvalReport, evaluate};
use features::{extract, extract_client, stack_features};
use model::{Head, Model};

/// Version of the bundled model (bumped whenever `model/coder.bin` changes).
pub const MODEL_VERSION: &str = "annomi-linear-3";

/// The bundled model file.
static BUNDLED: &[u8] = include_bytes!("../model/coder.bin");

/// Confidence given to a code that a phrase rule adds or changes (Persuade with Permission,
/// Emphasizing Autonomy from autonomy language, Seeking Collaboration from a permission
/// question); see docs/coder.md, "Codes AnnoMI does not annotate".
pub const RULE_CONFIDENCE: f32 = 0.7;

/// Why a model could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoderError {
    /// The bytes are not a valid model file.
    Corrupt(String),
    /// A head the coder needs is missing or has the wrong shape.
    MissingHead(String),
}

impl fmt::Display for CoderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CoderError::Corrupt(m) => write!(f, "corrupt coder model: {m}"),
            CoderError::MissingHead(m) => write!(f, "coder model lacks head {m}"),
        }
    }
}

impl std::error::Error for CoderError {}

/// AnnoMI's main therapist behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MainBehaviour {
    /// Any question.
    Question,
    /// A reflection.
    Reflection,
    /// Information, advice, negotiation or options.
    TherapistInput,
    /// Anything else (greetings, fillers…): no MITI code.
    Other,
}

impl MainBehaviour {
    /// All four, in the order of [`CounsellorCoding::main_probs`].
    pub const ALL: [MainBehaviour; 4] = [
        MainBehaviour::Question,
        MainBehaviour::Reflection,
        MainBehaviour::TherapistInput,
        MainBehaviour::Other,
    ];
    /// AnnoMI's spelling (`therapist_input`).
    pub fn annomi_name(self) -> &'static str {
        match self {
            MainBehaviour::Question => "question",
            MainBehaviour::Reflection => "reflection",
            MainBehaviour::TherapistInput => "therapist_input",
            MainBehaviour::Other => "other",
        }
    }
    /// Parses AnnoMI's spelling.
    pub fn from_annomi(s: &str) -> Option<MainBehaviour> {
        MainBehaviour::ALL
            .into_iter()
            .find(|m| m.annomi_name() == s)
    }
    /// Index in [`MainBehaviour::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// A client line's talk type (AnnoMI's three classes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClientTalk {
    /// Toward change.
    Change,
    /// Neither.
    Neutral,
    /// Against change.
    Sustain,
}

impl ClientTalk {
    /// All three, in the order of [`ClientCoding::probs`].
    pub const ALL: [ClientTalk; 3] = [ClientTalk::Change, ClientTalk::Neutral, ClientTalk::Sustain];
    /// AnnoMI's spelling.
    pub fn annomi_name(self) -> &'static str {
        match self {
            ClientTalk::Change => "change",
            ClientTalk::Neutral => "neutral",
            ClientTalk::Sustain => "sustain",
        }
    }
    /// Parses AnnoMI's spelling.
    pub fn from_annomi(s: &str) -> Option<ClientTalk> {
        ClientTalk::ALL.into_iter().find(|m| m.annomi_name() == s)
    }
    /// The core's [`Target`] (AnnoMI has no discord class).
    pub fn target(self) -> Target {
        match self {
            ClientTalk::Change => Target::ChangeTalk,
            ClientTalk::Neutral => Target::Neutral,
            ClientTalk::Sustain => Target::SustainTalk,
        }
    }
    /// Index in [`ClientTalk::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// One code with the coder's confidence in it (0–1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredCode {
    /// The MITI code.
    pub code: MitiCode,
    /// Confidence, 0–1.
    pub confidence: f32,
}

/// The coding of one counsellor reply.
#[derive(Debug, Clone, PartialEq)]
pub struct CounsellorCoding {
    /// MITI codes, main code first; empty when the reply gets no code ("other").
    pub codes: Vec<ScoredCode>,
    /// AnnoMI main behaviour (the arg-max of `main_probs`).
    pub main_behaviour: MainBehaviour,
    /// Probabilities of the four main behaviours, in [`MainBehaviour::ALL`] order.
    pub main_probs: [f32; 4],
    /// Confidence of the main code (of "no code" when `codes` is empty).
    pub confidence: f32,
}

impl CounsellorCoding {
    /// The main code, if any.
    pub fn main_code(&self) -> Option<MitiCode> {
        self.codes.first().map(|c| c.code)
    }
    /// The codes without confidences, main first.
    pub fn code_list(&self) -> Vec<MitiCode> {
        self.codes.iter().map(|c| c.code).collect()
    }
    /// True when `code` is among the codes.
    pub fn has(&self, code: MitiCode) -> bool {
        self.codes.iter().any(|c| c.code == code)
    }
}

/// The coding of one client line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClientCoding {
    /// The most likely talk type.
    pub talk: ClientTalk,
    /// Probabilities in [`ClientTalk::ALL`] order.
    pub probs: [f32; 3],
    /// Probability of `talk`.
    pub confidence: f32,
}

/// The coder: the parsed model.
#[derive(Debug, Clone)]
pub struct Coder {
    model: Model,
    hash: String,
    heads: [usize; 8],
    /// The first-stage client head (`client1`), when the model stacks (see `code_client_in`).
    client1: Option<usize>,
}

/// Heads the coder needs: AnnoMI's main behaviour and its three sub-codes, client talk, and
/// three binary heads learned from the scenario options (Affirm, Confront, Persuade).
const HEADS: [(&str, usize); 8] = [
    ("main", 4),
    ("question", 2),
    ("reflection", 2),
    ("input", 4),
    ("client", 3),
    ("affirm", 2),
    ("confront", 2),
    ("persuade", 2),
];

fn argmax(p: &[f32]) -> usize {
    let mut best = 0;
    for (i, v) in p.iter().enumerate() {
        if *v > p[best] {
            best = i;
        }
    }
    best
}

impl Coder {
    /// The model bundled with the crate (parsed once per process, then cloned).
    ///
    /// # Panics
    /// Only if the bundled file is corrupt, which the crate's tests rule out.
    pub fn bundled() -> Coder {
        static CELL: OnceLock<Coder> = OnceLock::new();
        CELL.get_or_init(|| {
            Coder::from_bytes(BUNDLED).expect("the bundled coder model is valid (tested)")
        })
        .clone()
    }

    /// Parses a model file. Never panics: corrupt bytes give an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<Coder, CoderError> {
        let model = Model::from_bytes(bytes).map_err(CoderError::Corrupt)?;
        let mut heads = [0usize; 8];
        for (slot, (name, k)) in heads.iter_mut().zip(HEADS) {
            let i = model
                .heads
                .iter()
                .position(|h| h.name == name && h.classes == k)
                .ok_or_else(|| CoderError::MissingHead(format!("`{name}` with {k} classes")))?;
            *slot = i;
        }
        let client1 = model
            .heads
            .iter()
            .position(|h| h.name == "client1" && h.classes == 3);
        if model.client.w_stack != 0.0 && client1.is_none() {
            return Err(CoderError::MissingHead("`client1` with 3 classes".into()));
        }
        let hash = hex(&Sha256::digest(bytes));
        Ok(Coder {
            model,
            hash,
            heads,
            client1,
        })
    }

    /// SHA-256 (lower-case hex) of the model bytes this coder was loaded from.
    pub fn model_hash(&self) -> String {
        self.hash.clone()
    }

    fn head(&self, i: usize) -> &Head {
        &self.model.heads[self.heads[i]]
    }

    /// Codes a counsellor reply, given the client line it answers (if any).
    pub fn code_counsellor(&self, text: &str, previous_client: Option<&str>) -> CounsellorCoding {
        use MitiCode::*;
        let x = extract(&self.model.cfg, text, previous_client);
        let pm = self.head(0).probs(&x);
        let main_probs = [pm[0], pm[1], pm[2], pm[3]];
        let main = MainBehaviour::ALL[argmax(&main_probs)];
        let pmain = main_probs[main.index()];
        let mut codes: Vec<ScoredCode> = Vec::with_capacity(3);
        let push = |codes: &mut Vec<ScoredCode>, code, confidence| {
            if !codes.iter().any(|c: &ScoredCode| c.code == code) {
                codes.push(ScoredCode { code, confidence });
            }
        };
        match main {
            MainBehaviour::Question => {
                let p = self.head(1).probs(&x);
                let (code, q) = if p[0] >= p[1] {
                    (OpenQuestion, p[0])
                } else {
                    (ClosedQuestion, p[1])
                };
                push(&mut codes, code, pmain * q);
            }
            MainBehaviour::Reflection => {
                let p = self.head(2).probs(&x);
                let (code, q) = if p[1] > p[0] {
                    (ComplexReflection, p[1])
                } else if rules::adds_meaning(text, previous_client) {
                    // Names a feeling the client did not, or is double-sided: complex.
                    (ComplexReflection, RULE_CONFIDENCE)
                } else {
                    (SimpleReflection, p[0])
                };
                push(&mut codes, code, pmain * q);
            }
            MainBehaviour::TherapistInput => {
                let p = self.head(3).probs(&x);
                let k = argmax(&p);
                let code = [
                    GivingInformation,
                    Persuade,
                    SeekingCollaboration,
                    EmphasizingAutonomy,
                ][k];
                push(&mut codes, code, pmain * p[k]);
            }
            MainBehaviour::Other => {}
        }
        let cues = rules::cues(text);
        let rc = RULE_CONFIDENCE;
        let p_affirm = self.head(5).probs(&x)[1];
        let p_confront = self.head(6).probs(&x)[1];
        let p_persuade = self.head(7).probs(&x)[1];
        // The learned Confront head is small (scenario options): it overturns a reflection
        // only with a confronting phrase to back it (which also lowers its bar); a label
        // always counts.
        let confronting = (cues.confront && p_confront > 0.3)
            || (p_confront > 0.5 && main != MainBehaviour::Reflection);
        if confronting || rules::labels(text) {
            // Confront beats Question; when a reflection and Confront compete, the label or
            // argument decides (mi-reference §1).
            codes.retain(|c| {
                !c.code.is_question()
                    && !c.code.is_reflection()
                    && !matches!(c.code, GivingInformation | Persuade)
            });
            codes.insert(
                0,
                ScoredCode {
                    code: Confront,
                    confidence: p_confront.max(RULE_CONFIDENCE),
                },
            );
        } else if p_persuade > 0.5 {
            // Information or a restatement offered to argue for change is Persuade: the code
            // follows its purpose.
            let replace = codes
                .first()
                .is_none_or(|c| matches!(c.code, GivingInformation | SimpleReflection | Persuade));
            if replace {
                codes
                    .retain(|c| !matches!(c.code, GivingInformation | SimpleReflection | Persuade));
                codes.insert(
                    0,
                    ScoredCode {
                        code: Persuade,
                        confidence: p_persuade,
                    },
                );
            }
        }
        let softened = cues.permission || cues.autonomy || cues.hedge;
        if softened {
            for c in codes.iter_mut() {
                if c.code == Persuade {
                    c.code = PersuadeWithPermission;
                    c.confidence = c.confidence.min(rc);
                }
            }
        }
        if !codes.iter().any(|c| c.code == Confront)
            && rules::persuade_with_permission(text, p_persuade)
        {
            // Advice given with permission (asked for, agreed to, or hedged with autonomy):
            // Persuade with Permission replaces Persuade and information; it follows a
            // leading reflection and comes before a closing question.
            codes.retain(|c| {
                !matches!(
                    c.code,
                    GivingInformation | Persuade | PersuadeWithPermission
                )
            });
            let at = usize::from(codes.first().is_some_and(|c| c.code.is_reflection()));
            codes.insert(
                at,
                ScoredCode {
                    code: PersuadeWithPermission,
                    confidence: rc,
                },
            );
        }
        // As for Confront: an affirming phrase lowers the small head's bar.
        let affirming = p_affirm > 0.5 || (cues.affirm && p_affirm > 0.3);
        if affirming && !codes.iter().any(|c| c.code == Confront) {
            // An affirmation replaces a plain restatement or information; it joins a complex
            // reflection or a question.
            let replace = codes
                .first()
                .is_none_or(|c| matches!(c.code, GivingInformation | SimpleReflection));
            let a = ScoredCode {
                code: Affirm,
                confidence: p_affirm,
            };
            if replace {
                codes.retain(|c| !matches!(c.code, GivingInformation | SimpleReflection));
                codes.insert(0, a);
            } else {
                push(&mut codes, Affirm, p_affirm);
            }
        }
        if cues.autonomy && !codes.iter().any(|c| c.code == PersuadeWithPermission) {
            let empty = codes.is_empty();
            push(&mut codes, EmphasizingAutonomy, rc);
            if !empty && codes[0].code == GivingInformation {
                // "It's your decision" is autonomy support, not information.
                codes.remove(0);
            }
        }
        if cues.permission && main == MainBehaviour::Question {
            push(&mut codes, SeekingCollaboration, rc);
        }
        let confidence = codes.first().map_or(main_probs[3], |c| c.confidence);
        CounsellorCoding {
            codes,
            main_behaviour: main,
            main_probs,
            confidence,
        }
    }

    /// Codes a client line, given the counsellor turn it answers (if any). Same as
    /// [`Coder::code_client_in`] with no earlier client lines (as at the start of a session).
    pub fn code_client(&self, text: &str, previous_counsellor: Option<&str>) -> ClientCoding {
        self.code_client_in(text, previous_counsellor, &[])
    }

    /// Codes a client line with richer context: the counsellor turn it answers (if any) and
    /// the client's own earlier lines in the session, oldest first (the most recent last). The
    /// client head uses the last two earlier lines and how many there are (conversation
    /// position); pass every earlier client line of the session for the best results.
    pub fn code_client_in(
        &self,
        text: &str,
        previous_counsellor: Option<&str>,
        earlier_client: &[&str],
    ) -> ClientCoding {
        let cfg = &self.model.cfg;
        let cc = &self.model.client;
        let mut x = extract_client(cfg, cc, text, previous_counsellor, earlier_client);
        if let Some(h1) = self.client1.filter(|_| cc.w_stack != 0.0) {
            // Stacking: the first-stage head codes the two previous client lines (from their
            // own text and earlier lines), and its probabilities become features.
            let mut prev_probs: Vec<[f32; 3]> = Vec::with_capacity(2);
            for j in (0..earlier_client.len()).rev().take(2) {
                let xe = extract_client(cfg, cc, earlier_client[j], None, &earlier_client[..j]);
                let p = self.model.heads[h1].probs(&xe);
                prev_probs.push([p[0], p[1], p[2]]);
            }
            x = stack_features(cfg, cc.w_stack, x, &prev_probs);
        }
        let head = self.head(4);
        let pr = &self.model.prior;
        let mut z = head.logits(&x);
        if pr.lambda != 0.0 && !earlier_client.is_empty() {
            // Sequence prior: the head codes the last `depth` earlier client lines (from their
            // own text and the lines before them; their counsellor turns are not known here).
            let d = (pr.depth as usize).min(earlier_client.len());
            let n = earlier_client.len();
            let prev: Vec<[f32; 3]> = (n - d..n)
                .map(|j| {
                    let xe = extract_client(cfg, cc, earlier_client[j], None, &earlier_client[..j]);
                    let l = head.logits(&xe);
                    [l[0], l[1], l[2]]
                })
                .collect();
            for (zc, t) in z.iter_mut().zip(pr.term(&prev)) {
                *zc += t;
            }
        }
        for (zc, o) in z.iter_mut().zip(pr.offsets) {
            *zc += o;
        }
        let p = model::softmax(&z);
        let probs = [p[0], p[1], p[2]];
        let k = argmax(&probs);
        ClientCoding {
            talk: ClientTalk::ALL[k],
            probs,
            confidence: probs[k],
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

#[cfg(test)]
mod tests;
