//! Coding a role-play transcript that has no codes (`changetalk code`, `score-transcript
//! --auto-code`): every counsellor utterance gets its MITI codes (main behaviour first) and
//! every client utterance its talk type, from the offline coder (`changetalk-coder`). Pure:
//! text in, rows out.

use changetalk_coder::Coder;
use changetalk_core::miti::csv_transcript::parse_csv;
use changetalk_core::source::csv::csv_record;
use changetalk_core::source::diag::{Diagnostic, Span};

/// Who speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speaker {
    /// The counsellor (`counselor`, `counsellor` or `therapist` in the input).
    Counsellor,
    /// The client.
    Client,
}

impl Speaker {
    /// As `score-transcript` reads it.
    pub fn name(self) -> &'static str {
        match self {
            Speaker::Counsellor => "counselor",
            Speaker::Client => "client",
        }
    }
}

/// One utterance, coded.
#[derive(Debug, Clone, PartialEq)]
pub struct CodedRow {
    /// Who spoke.
    pub speaker: Speaker,
    /// The code in `score-transcript`'s vocabulary: counsellor codes joined by `+`, main
    /// first (empty when the utterance gets no MITI code); `change_talk`, `sustain_talk` or
    /// `neutral` for the client.
    pub code: String,
    /// The coder's confidence in the (main) code, 0–1.
    pub confidence: f32,
    /// What was said.
    pub text: String,
}

/// Reads a transcript: an RFC 4180 CSV whose header has `speaker` and `text` (in any order;
/// other columns, such as `code`, are ignored). Every bad row is reported.
pub fn read_raw_csv(text: &str) -> Result<Vec<(Speaker, String)>, Vec<Diagnostic>> {
    let records = parse_csv(text).map_err(|d| vec![d])?;
    let Some((header, rows)) = records.split_first() else {
        return Err(vec![Diagnostic::error(
            Span::new(0, 0),
            "the file is empty; expected a header with `speaker` and `text` and one row per utterance",
        )]);
    };
    let col = |name: &str| {
        header
            .iter()
            .position(|(f, _)| f.trim().eq_ignore_ascii_case(name))
    };
    let (Some(who), Some(said)) = (col("speaker"), col("text")) else {
        return Err(vec![Diagnostic::error(
            Span::new(header[0].1, header[0].1 + 1),
            format!(
                "the header must name the columns `speaker` and `text`, found `{}`",
                header
                    .iter()
                    .map(|(f, _)| f.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        )]);
    };
    let mut out = Vec::new();
    let mut diags = Vec::new();
    for row in rows {
        let at = |k: usize| {
            let off = row.get(k).map_or(row[0].1, |f| f.1);
            Span::new(off, off + 1)
        };
        let (Some((speaker, _)), Some((text, _))) = (row.get(who), row.get(said)) else {
            diags.push(Diagnostic::error(
                at(0),
                format!(
                    "expected {} fields, found {}; quote text that contains commas",
                    header.len(),
                    row.len()
                ),
            ));
            continue;
        };
        let speaker = match speaker.trim().to_ascii_lowercase().as_str() {
            "counselor" | "counsellor" | "therapist" => Speaker::Counsellor,
            "client" => Speaker::Client,
            other => {
                diags.push(Diagnostic::error(
                    at(who),
                    format!(
                        "unknown speaker `{other}`; use `counselor` (or `therapist`) or `client`"
                    ),
                ));
                continue;
            }
        };
        out.push((speaker, text.clone()));
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

/// Codes every utterance: a counsellor's in the light of the client's previous line, a
/// client's in the light of the counsellor's previous line and the client's earlier ones.
pub fn code_rows(rows: &[(Speaker, String)], coder: &Coder) -> Vec<CodedRow> {
    let mut last_client: Option<&str> = None;
    let mut last_counsellor: Option<&str> = None;
    // The client's earlier lines, oldest first: client talk runs in streaks.
    let mut earlier: Vec<&str> = Vec::new();
    rows.iter()
        .map(|(speaker, text)| {
            let (code, confidence) = match speaker {
                Speaker::Counsellor => {
                    let c = coder.code_counsellor(text, last_client);
                    last_counsellor = Some(text);
                    let names: Vec<&str> = c.codes.iter().map(|s| s.code.json_name()).collect();
                    (names.join("+"), c.confidence)
                }
                Speaker::Client => {
                    let c = coder.code_client_in(text, last_counsellor, &earlier);
                    earlier.push(text);
                    last_client = Some(text);
                    let name = match c.talk.target() {
                        changetalk_core::miti::talk::Target::ChangeTalk => "change_talk",
                        changetalk_core::miti::talk::Target::SustainTalk => "sustain_talk",
                        _ => "neutral",
                    };
                    (name.to_string(), c.confidence)
                }
            };
            CodedRow {
                speaker: *speaker,
                code,
                confidence,
                text: text.clone(),
            }
        })
        .collect()
}

/// The coded rows as `score-transcript` reads them: `speaker,code,text`.
pub fn to_csv(rows: &[CodedRow]) -> String {
    let mut out = String::from("speaker,code,text\n");
    for r in rows {
        out.push_str(&csv_record(&[r.speaker.name(), &r.code, &r.text]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raw_transcript_is_coded_in_order_and_reads_back() {
        let text = "text,speaker,code\n\"I only drink at weekends, honestly.\",client,\nSo the weekends are when it happens.,therapist,x\nWhat would you like to be different?,counselor,\n";
        let rows = read_raw_csv(text).unwrap();
        assert_eq!(rows.len(), 3);
        let coded = code_rows(&rows, &Coder::bundled());
        assert_eq!(coded[0].speaker, Speaker::Client);
        assert_eq!(coded[2].code, "open_question");
        let csv = to_csv(&coded);
        let session = changetalk_core::miti::csv_transcript::read_coded_csv(&csv).unwrap();
        assert_eq!(session.client.len(), 1);
        assert_eq!(
            session.turns.len(),
            1,
            "consecutive counsellor rows are one turn"
        );
    }

    #[test]
    fn bad_headers_and_speakers_are_reported() {
        assert!(read_raw_csv("who,what\na,b\n").is_err());
        let e = read_raw_csv("speaker,text\nnurse,hello\nclient\n").unwrap_err();
        assert_eq!(e.len(), 2);
        assert!(e[0].message.contains("unknown speaker"));
    }
}
