//! Reading the AnnoMI CSV files (github.com/uccollab/AnnoMI) with the `csv` crate (RFC 4180
//! quoting). Nothing here touches the file system: callers pass the text.

use std::fmt;

use crate::{ClientTalk, MainBehaviour};

/// Transcripts with `transcript_id % EVAL_MODULUS == 0` form the held-out evaluation fold.
pub const EVAL_MODULUS: u32 = 5;

/// The cross-validation fold of a transcript: 0 is the evaluation fold, 1–4 the training folds.
pub fn fold_of(transcript_id: u32) -> u32 {
    transcript_id % EVAL_MODULUS
}

/// A problem reading an AnnoMI CSV file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    /// 1-based record number where it happened (0 for the header).
    pub record: u64,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AnnoMI CSV, record {}: {}", self.record, self.message)
    }
}

impl std::error::Error for CsvError {}

/// One row of `AnnoMI-simple.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Utterance {
    /// Transcript number.
    pub transcript_id: u32,
    /// True for the high-quality MI demonstrations.
    pub high_quality: bool,
    /// Position in the transcript.
    pub utterance_id: u32,
    /// True for the therapist, false for the client.
    pub therapist: bool,
    /// What was said.
    pub text: String,
    /// The therapist's main behaviour (therapist rows).
    pub main: Option<MainBehaviour>,
    /// The client's talk type (client rows).
    pub talk: Option<ClientTalk>,
}

/// Sub-code labels of one annotation in `AnnoMI-full.csv` (one row per annotator).
#[derive(Debug, Clone, PartialEq)]
pub struct SubAnnotation {
    /// Transcript number.
    pub transcript_id: u32,
    /// Position in the transcript.
    pub utterance_id: u32,
    /// `open` / `closed`, when the annotator marked a question.
    pub question: Option<String>,
    /// `simple` / `complex`, when the annotator marked a reflection.
    pub reflection: Option<String>,
    /// `information` / `advice` / `negotiation` / `options`, when marked.
    pub input: Option<String>,
}

fn index(headers: &csv::StringRecord, name: &str) -> Result<usize, CsvError> {
    headers
        .iter()
        .position(|h| h.trim() == name)
        .ok_or_else(|| CsvError {
            record: 0,
            message: format!("missing column `{name}`"),
        })
}

fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes())
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty() && s != "n/a").then(|| s.to_string())
}

/// Parses `AnnoMI-simple.csv`; rows come back sorted by transcript, then utterance.
pub fn read_simple(text: &str) -> Result<Vec<Utterance>, CsvError> {
    let mut rdr = reader(text);
    let headers = rdr
        .headers()
        .map_err(|e| CsvError {
            record: 0,
            message: e.to_string(),
        })?
        .clone();
    let [tid, q, uid, who, txt, main, talk] = [
        "transcript_id",
        "mi_quality",
        "utterance_id",
        "interlocutor",
        "utterance_text",
        "main_therapist_behaviour",
        "client_talk_type",
    ]
    .map(|n| index(&headers, n));
    let (tid, q, uid, who, txt, main, talk) = (tid?, q?, uid?, who?, txt?, main?, talk?);
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let n = i as u64 + 1;
        let err = |m: String| CsvError {
            record: n,
            message: m,
        };
        let rec = rec.map_err(|e| err(e.to_string()))?;
        let field = |k: usize| rec.get(k).unwrap_or("").trim();
        let transcript_id = field(tid)
            .parse::<u32>()
            .map_err(|_| err(format!("bad transcript_id `{}`", field(tid))))?;
        let utterance_id = field(uid)
            .parse::<u32>()
            .map_err(|_| err(format!("bad utterance_id `{}`", field(uid))))?;
        let therapist = match field(who) {
            "therapist" => true,
            "client" => false,
            other => return Err(err(format!("bad interlocutor `{other}`"))),
        };
        let main = match field(main) {
            "n/a" | "" => None,
            s => Some(
                MainBehaviour::from_annomi(s)
                    .ok_or_else(|| err(format!("bad main_therapist_behaviour `{s}`")))?,
            ),
        };
        let talk = match field(talk) {
            "n/a" | "" => None,
            s => Some(
                ClientTalk::from_annomi(s)
                    .ok_or_else(|| err(format!("bad client_talk_type `{s}`")))?,
            ),
        };
        out.push(Utterance {
            transcript_id,
            high_quality: field(q) == "high",
            utterance_id,
            therapist,
            text: rec.get(txt).unwrap_or("").to_string(),
            main,
            talk,
        });
    }
    out.sort_by_key(|u| (u.transcript_id, u.utterance_id));
    Ok(out)
}

/// Parses the sub-code columns of `AnnoMI-full.csv` (therapist rows only).
pub fn read_full(text: &str) -> Result<Vec<SubAnnotation>, CsvError> {
    let mut rdr = reader(text);
    let headers = rdr
        .headers()
        .map_err(|e| CsvError {
            record: 0,
            message: e.to_string(),
        })?
        .clone();
    let [tid, uid, who, qs, rs, is] = [
        "transcript_id",
        "utterance_id",
        "interlocutor",
        "question_subtype",
        "reflection_subtype",
        "therapist_input_subtype",
    ]
    .map(|n| index(&headers, n));
    let (tid, uid, who, qs, rs, is) = (tid?, uid?, who?, qs?, rs?, is?);
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let n = i as u64 + 1;
        let err = |m: String| CsvError {
            record: n,
            message: m,
        };
        let rec = rec.map_err(|e| err(e.to_string()))?;
        let field = |k: usize| rec.get(k).unwrap_or("").trim();
        if field(who) != "therapist" {
            continue;
        }
        out.push(SubAnnotation {
            transcript_id: field(tid)
                .parse()
                .map_err(|_| err(format!("bad transcript_id `{}`", field(tid))))?,
            utterance_id: field(uid)
                .parse()
                .map_err(|_| err(format!("bad utterance_id `{}`", field(uid))))?,
            question: opt(field(qs)),
            reflection: opt(field(rs)),
            input: opt(field(is)),
        });
    }
    Ok(out)
}

/// For each utterance (sorted as [`read_simple`] returns them), the index of the most recent
/// earlier utterance of the other speaker in the same transcript.
pub fn previous_other(rows: &[Utterance]) -> Vec<Option<usize>> {
    let mut out = Vec::with_capacity(rows.len());
    let mut last_t: Option<usize> = None;
    let mut last_c: Option<usize> = None;
    for (i, u) in rows.iter().enumerate() {
        if i > 0 && rows[i - 1].transcript_id != u.transcript_id {
            last_t = None;
            last_c = None;
        }
        if u.therapist {
            out.push(last_c);
            last_t = Some(i);
        } else {
            out.push(last_t);
            last_c = Some(i);
        }
    }
    out
}

/// For each utterance (sorted as [`read_simple`] returns them), the indices of the earlier
/// client utterances of the same transcript, oldest first (empty for therapist rows).
pub fn earlier_client(rows: &[Utterance]) -> Vec<Vec<usize>> {
    let mut out = Vec::with_capacity(rows.len());
    let mut seen: Vec<usize> = Vec::new();
    for (i, u) in rows.iter().enumerate() {
        if i > 0 && rows[i - 1].transcript_id != u.transcript_id {
            seen.clear();
        }
        if u.therapist {
            out.push(Vec::new());
        } else {
            out.push(seen.clone());
            seen.push(i);
        }
    }
    out
}
