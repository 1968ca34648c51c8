//! The feedback in words: strengths and growth areas, each with the evidence and the MI
//! principle behind it (`docs/scoring.md`).

use crate::miti::summary::{Band, CodedSession, Score};
use crate::miti::talk::Target;

pub(crate) fn written_feedback(sc: &Score, s: &CodedSession) -> (Vec<String>, Vec<String>) {
    let mut good = Vec::new();
    let mut grow = Vec::new();
    if sc.turns == 0 {
        grow.push(
            "No replies were scored yet: a session needs at least one counsellor turn.".to_string(),
        );
        return (good, grow);
    }
    if !sc.complete {
        grow.push(format!(
            "The conversation was ended before it reached an ending: {} repl{} of about {} needed, so the overall counts {:.0}% of the score of the part played. Stay with the client to an ending; a good opening alone is not a good session.",
            sc.turns,
            if sc.turns == 1 { "y" } else { "ies" },
            s.remaining.map_or(sc.turns, |r| sc.turns + r),
            100.0 * sc.completion
        ));
    }
    let b = &sc.bands;
    match (b.reflection_to_question.band, sc.reflection_to_question) {
        (Some(Band::Good), Some(v)) => good.push(format!(
            "You reflected more than you asked (R:Q {v:.2}:1, good ≥ 2:1). Reflections keep the client talking and show you are listening."
        )),
        (Some(band), Some(v)) => grow.push(format!(
            "Reflection-to-question ratio {v:.2}:1 is {} (fair ≥ 1:1, good ≥ 2:1). Try answering a statement with a reflection before asking another question — a run of questions becomes the question-answer trap.",
            band.label()
        )),
        (_, None) if sc.reflections > 0 => good.push(
            "You asked no questions and reflected throughout — reflective listening carried the conversation.".to_string(),
        ),
        _ => {}
    }
    match (b.percent_complex_reflections.band, sc.percent_complex_reflections) {
        (Some(Band::Good), Some(v)) => good.push(format!(
            "{v:.0}% of your reflections were complex (good ≥ 50%): you added meaning, not just repetition."
        )),
        (Some(band), Some(v)) => grow.push(format!(
            "Only {v:.0}% of your reflections were complex ({}; fair ≥ 40%, good ≥ 50%). Go past the words: name the feeling, the unspoken meaning, or both sides of the ambivalence.",
            band.label()
        )),
        _ => grow.push(
            "You made no reflections. Reflective listening is the core MI skill: give back what the client said, ideally with its meaning."
                .to_string(),
        ),
    }
    if let (Some(band), Some(v)) = (b.percent_open_questions.band, sc.percent_open_questions) {
        if band == Band::Good {
            good.push(format!(
                "{v:.0}% of your questions were open (MITI 3 competency ≥ 70%)."
            ));
        } else {
            grow.push(format!(
                "{v:.0}% of your questions were open ({}; beginning ≥ 50%, competent ≥ 70%). Open questions (\"what\", \"how\") invite the client's own reasons; closed ones collect facts.",
                band.label()
            ));
        }
    }
    if sc.mi_non_adherent == 0 {
        good.push("No persuading or confronting: you held back the righting reflex, which a resistant client punishes.".to_string());
    } else {
        grow.push(format!(
            "{} of your replies persuaded or confronted (MI-non-adherent). With a client who does not want help these bring sustain talk and discord; ask permission first, or reflect instead.",
            sc.mi_non_adherent
        ));
    }
    if sc.mi_adherent > 0 {
        good.push(format!(
            "{} MI-adherent moves (affirming, seeking collaboration, emphasising autonomy) built partnership.",
            sc.mi_adherent
        ));
    } else {
        grow.push("No affirmations, collaboration or autonomy support: recognise a specific strength, ask the client's ideas, or put the choice with them.".to_string());
    }
    let ct_reflected = s
        .turns
        .iter()
        .filter(|t| {
            t.responds_to == Target::ChangeTalk && t.codes.iter().any(|c| c.is_reflection())
        })
        .count();
    if ct_reflected > 0 {
        good.push(format!(
            "You reflected the client's change talk {ct_reflected} time(s) — reflecting change talk is the strongest known way to hear more of it."
        ));
    }
    if sc.globals.softening_sustain_talk <= 2
        && s.turns.iter().any(|t| t.responds_to != Target::ChangeTalk)
    {
        grow.push("Sustain talk and discord were met with arguments or questions. Try a double-sided or amplified reflection, or emphasise that the choice is theirs.".to_string());
    }
    (good, grow)
}
