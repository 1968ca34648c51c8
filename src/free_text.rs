//! Replies in the trainee's own words, for the terminal (`play --free-text`) and the app: the
//! offline coder codes what was typed (in the light of the client's line), the core matches it
//! to the scripted options — codes first, then meaning — and the session goes on along the
//! nearest option's branch. When the coder is unsure, or two options are about as near, the
//! trainee is asked which of the two they meant.

use changetalk_coder::Coder;
use changetalk_core::engine::Session;
use changetalk_core::engine::typed::{OptionMatch, TypedReply, is_unsure, match_options};
use changetalk_core::miti::codes::codes_label;

/// A typed reply, coded and matched.
#[derive(Debug, Clone, PartialEq)]
pub struct Understood {
    /// The reply with its codes.
    pub reply: TypedReply,
    /// The options, nearest first.
    pub matches: Vec<OptionMatch>,
    /// The trainee should say which of the two nearest options they meant.
    pub unsure: bool,
}

impl Understood {
    /// The nearest option's number (as displayed), if there is one.
    pub fn nearest(&self) -> Option<usize> {
        self.matches.first().map(|m| m.number)
    }

    /// The two nearest options' numbers, for "which did you mean?".
    pub fn two_nearest(&self) -> Vec<usize> {
        self.matches.iter().take(2).map(|m| m.number).collect()
    }

    /// How the reply was coded, for people: "Complex reflection (84% sure)".
    pub fn coded_as(&self) -> String {
        format!(
            "{} ({:.0}% sure)",
            codes_label(&self.reply.codes),
            self.reply.confidence * 100.0
        )
    }
}

/// Codes `text` as a reply to the client's line now, and matches it to the options.
pub fn understand(coder: &Coder, session: &Session, text: &str) -> Understood {
    let after = session.current_line().map(|l| l.text.as_str());
    let c = coder.code_counsellor(text, after);
    let reply = TypedReply {
        text: text.trim().to_string(),
        codes: c.code_list(),
        confidence: c.confidence,
    };
    let matches = match_options(session, &reply);
    let unsure = is_unsure(&reply, &matches);
    Understood {
        reply,
        matches,
        unsure,
    }
}

/// The feedback on a typed reply once it is in the session: how it was coded and how sure the
/// coder is, its rating, the principle, and the nearest scripted options.
pub fn feedback_lines(u: &Understood, session: &Session) -> Vec<String> {
    let Some(turn) = session.turns().last() else {
        return Vec::new();
    };
    let mut out = vec![format!(
        "Coded as {} · rating {}/5",
        u.coded_as(),
        turn.reply.rating
    )];
    if let Some(main) = turn.reply.codes.first() {
        out.push(main.principle().to_string());
    } else {
        out.push("No MITI behaviour was recognised: a reflection or an open question would move the conversation on.".to_string());
    }
    out
}

/// The nearest scripted options before the reply is sent: "2 · “…” (Complex reflection)".
pub fn nearest_lines(u: &Understood, session: &Session, how_many: usize) -> Vec<String> {
    let options = session.current_options();
    u.matches
        .iter()
        .take(how_many)
        .filter_map(|m| {
            let o = options.get(m.number.checked_sub(1)?)?;
            Some(format!(
                "{} · “{}” ({})",
                m.number,
                o.text,
                codes_label(&changetalk_core::miti::codes::normalize_turn(&o.codes))
            ))
        })
        .collect()
}

/// The bundled coder, parsed once per process and shared by every caller (the model is
/// about 2 MB: one copy, however many commands, screens and graders use it).
pub fn coder() -> &'static Coder {
    &OfflineCoder::shared().0
}

/// The bundled coder as the core's grader and exercise driver use it.
#[derive(Debug)]
pub struct OfflineCoder(pub Coder);

impl OfflineCoder {
    /// The bundled coder, loaded once per process.
    pub fn shared() -> &'static OfflineCoder {
        static CELL: std::sync::OnceLock<OfflineCoder> = std::sync::OnceLock::new();
        CELL.get_or_init(|| OfflineCoder(Coder::bundled()))
    }
}

impl changetalk_core::engine::typed::ReplyCoder for OfflineCoder {
    fn code_reply(&self, text: &str, after: Option<&str>) -> TypedReply {
        let c = self.0.code_counsellor(text, after);
        TypedReply {
            text: text.trim().to_string(),
            codes: c.code_list(),
            confidence: c.confidence,
        }
    }

    fn model_hash(&self) -> String {
        self.0.model_hash()
    }
}
