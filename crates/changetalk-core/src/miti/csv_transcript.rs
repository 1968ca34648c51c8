//! Hand-coded role-play transcripts in CSV (`speaker,code,text`), turned into a
//! [`CodedSession`] so they score exactly as the simulator does.
//!
//! Consecutive counsellor rows form one speaking turn (MITI codes per turn); each turn answers
//! the talk type of the most recent client row.

use crate::miti::codes::MitiCode;
use crate::miti::score::{CodedSession, CodedTurn};
use crate::miti::talk::Target;
pub use crate::source::csv::parse_csv;
use crate::source::diag::{Diagnostic, Span};

/// Client codes accepted in the `code` column.
pub const CLIENT_CODES: [&str; 4] = ["change_talk", "sustain_talk", "discord", "neutral"];

/// Reads a hand-coded transcript. Every bad row is reported, with its position.
pub fn read_coded_csv(text: &str) -> Result<CodedSession, Vec<Diagnostic>> {
    let records = parse_csv(text).map_err(|d| vec![d])?;
    let Some((header, rows)) = records.split_first() else {
        return Err(vec![Diagnostic::error(
            Span::new(0, 0),
            "the file is empty; expected a header `speaker,code,text` and one row per utterance",
        )]);
    };
    let names: Vec<String> = header
        .iter()
        .map(|(f, _)| f.trim().to_ascii_lowercase())
        .collect();
    if names != ["speaker", "code", "text"] {
        return Err(vec![Diagnostic::error(
            Span::new(header[0].1, header[0].1 + 1),
            format!(
                "the header must be `speaker,code,text`, found `{}`",
                crate::source::text::show_invisible(&names.join(","))
            ),
        )]);
    }
    let mut diags = Vec::new();
    let mut session = CodedSession::default();
    let mut last_client = Target::Neutral;
    let mut open_turn: Option<(Vec<MitiCode>, Target)> = None;
    for row in rows {
        let at = |k: usize| {
            let off = row.get(k).map_or(row[0].1, |f| f.1);
            Span::new(off, off + 1)
        };
        if row.len() != 3 {
            diags.push(Diagnostic::error(
                at(0),
                format!("expected 3 fields (speaker,code,text), found {}; quote text that contains commas", row.len()),
            ));
            continue;
        }
        let speaker = row[0].0.trim().to_ascii_lowercase();
        let code = row[1].0.trim();
        match speaker.as_str() {
            "counselor" | "counsellor" => {
                let mut codes = Vec::new();
                let mut ok = true;
                if !code.is_empty() {
                    for part in code.split('+') {
                        let part = part.trim();
                        match MitiCode::from_json_name(part) {
                            Some(c) => codes.push(c),
                            None => {
                                ok = false;
                                let hint = crate::source::text::suggest(
                                    part,
                                    MitiCode::ALL.iter().map(|c| c.json_name()),
                                );
                                diags.push(Diagnostic::error(
                                    at(1),
                                    format!(
                                        "unknown counselor code `{}`{hint}; codes are {}",
                                        crate::source::text::show_invisible(part),
                                        MitiCode::ALL.map(|c| c.json_name()).join(", ")
                                    ),
                                ));
                            }
                        }
                    }
                }
                if ok {
                    match &mut open_turn {
                        Some((acc, _)) => acc.extend(codes),
                        None => open_turn = Some((codes, last_client)),
                    }
                }
            }
            "client" => {
                if let Some((codes, target)) = open_turn.take() {
                    session.turns.push(CodedTurn::new(&codes, target));
                }
                let t = match code {
                    "" | "neutral" => Target::Neutral,
                    "change_talk" => Target::ChangeTalk,
                    "sustain_talk" => Target::SustainTalk,
                    "discord" => Target::Discord,
                    other => {
                        let hint = crate::source::text::suggest(other, CLIENT_CODES);
                        diags.push(Diagnostic::error(
                            at(1),
                            format!(
                                "unknown client code `{}`{hint}; use change_talk, sustain_talk, discord or neutral",
                                crate::source::text::show_invisible(other)
                            ),
                        ));
                        continue;
                    }
                };
                last_client = t;
                session.client.push(t);
            }
            other => diags.push(Diagnostic::error(
                at(0),
                format!("unknown speaker `{other}`; use `counselor` or `client`"),
            )),
        }
    }
    if let Some((codes, target)) = open_turn.take() {
        session.turns.push(CodedTurn::new(&codes, target));
    }
    if diags.is_empty() {
        Ok(session)
    } else {
        Err(diags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_and_turns() {
        let text = "speaker,code,text\r\nclient,sustain_talk,\"I don't drink, much\"\ncounselor,simple_reflection,\"You \"\"don't\"\" drink much\"\ncounselor,open_question,What else?\nclient,change_talk,I should cut down\ncounselor,complex_reflection+simple_reflection,x\n";
        let s = read_coded_csv(text).unwrap();
        assert_eq!(s.client, vec![Target::SustainTalk, Target::ChangeTalk]);
        assert_eq!(s.turns.len(), 2);
        assert_eq!(
            s.turns[0].codes,
            vec![MitiCode::OpenQuestion, MitiCode::SimpleReflection]
        );
        assert_eq!(s.turns[0].responds_to, Target::SustainTalk);
        assert_eq!(s.turns[1].codes, vec![MitiCode::ComplexReflection]);
        assert_eq!(s.turns[1].responds_to, Target::ChangeTalk);
    }

    #[test]
    fn bad_rows_are_all_reported() {
        let text = "speaker,code,text\nclient,chnage_talk,x\ntherapist,,y\ncounselor,reflect,z\n";
        let e = read_coded_csv(text).unwrap_err();
        assert_eq!(e.len(), 3);
        assert!(e[0].message.contains("did you mean `change_talk`"));
        assert!(parse_csv("a,\"b").is_err());
    }
}
