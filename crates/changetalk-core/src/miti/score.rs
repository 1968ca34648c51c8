//! MITI-style scoring of a coded conversation (mi-reference §1–2). Every number is explained,
//! with worked examples, in `docs/scoring.md`.
//!
//! Scoring works on a [`CodedSession`]: the counsellor's turns (codes and what each answered)
//! and the client's talk types. Simulator transcripts and hand-coded CSV role-plays both become
//! one, so the same conversation scores the same either way.

use crate::miti::codes::MitiCode;
use crate::miti::feedback::written_feedback;
pub use crate::miti::summary::*;
use crate::miti::talk::Target;

/// A 1–5 global from per-item credits (each 0–100): 1 + 4 × mean credit / 100, rounded half up,
/// computed in integers; 3 (the MITI default) when there are no items.
pub fn global_from_credits(credits: &[u32]) -> u8 {
    if credits.is_empty() {
        return 3;
    }
    let n = credits.len() as u64;
    let sum: u64 = credits.iter().map(|c| u64::from(*c)).sum();
    // 1 + floor((4·sum + 50·n) / (100·n))
    (1 + (4 * sum + 50 * n) / (100 * n)) as u8
}

/// Credit a turn earns toward Cultivating Change Talk: full credit for a complex reflection
/// or an open question that asks for change talk.
pub fn cct_credit(t: &CodedTurn) -> u32 {
    use MitiCode::*;
    if t.non_adherent() {
        0
    } else if t.has(ComplexReflection) || t.evokes_change_talk {
        100
    } else if t.has(SimpleReflection) || t.has(OpenQuestion) {
        75
    } else if t.adherent() {
        50
    } else {
        25
    }
}

/// Credit a turn earns toward Softening Sustain Talk.
pub fn sst_credit(t: &CodedTurn) -> u32 {
    use MitiCode::*;
    if t.non_adherent() {
        0
    } else if t.has(ComplexReflection) || t.has(EmphasizingAutonomy) {
        100
    } else if t.has(SimpleReflection) || t.adherent() {
        50
    } else {
        25
    }
}

/// Credit a turn earns toward Partnership.
pub fn partnership_credit(t: &CodedTurn) -> u32 {
    use MitiCode::*;
    if t.non_adherent() {
        0
    } else if t.has(SeekingCollaboration) || t.has(EmphasizingAutonomy) {
        100
    } else if t.has(ComplexReflection) || t.has(Affirm) {
        75
    } else if t.has(SimpleReflection) || t.has(OpenQuestion) || t.has(PersuadeWithPermission) {
        50
    } else {
        25
    }
}

/// Credit a turn earns toward Empathy.
pub fn empathy_credit(t: &CodedTurn) -> u32 {
    use MitiCode::*;
    if t.non_adherent() {
        0
    } else if t.has(ComplexReflection) {
        100
    } else if t.has(SimpleReflection) || t.has(Affirm) || t.has(OpenQuestion) {
        50
    } else {
        25
    }
}

fn ratio(num: u32, den: u32) -> Option<f64> {
    (den > 0).then(|| f64::from(num) / f64::from(den))
}

/// Scores a coded conversation. Pure and deterministic.
pub fn score(s: &CodedSession) -> Score {
    let mut counts = Counts::default();
    for t in &s.turns {
        for c in &t.codes {
            counts.bump(*c);
        }
    }
    let reflections = counts.simple_reflection + counts.complex_reflection;
    let questions = counts.open_question + counts.closed_question;
    let mi_adherent = counts.affirm + counts.seeking_collaboration + counts.emphasizing_autonomy;
    let mi_non_adherent = counts.persuade + counts.confront;
    let change_talk = s
        .client
        .iter()
        .filter(|t| **t == Target::ChangeTalk)
        .count() as u32;
    let sustain_talk = s
        .client
        .iter()
        .filter(|t| **t == Target::SustainTalk)
        .count() as u32;
    let discord = s.client.iter().filter(|t| **t == Target::Discord).count() as u32;

    let rq = ratio(reflections, questions);
    let pcr = ratio(counts.complex_reflection, reflections).map(|x| 100.0 * x);
    let poq = ratio(counts.open_question, questions).map(|x| 100.0 * x);
    let padh = ratio(mi_adherent, mi_adherent + mi_non_adherent).map(|x| 100.0 * x);
    let cts = ratio(change_talk, change_talk + sustain_talk);

    let cct_items: Vec<u32> = s
        .turns
        .iter()
        .filter(|t| {
            t.responds_to == Target::ChangeTalk || t.has(MitiCode::Persuade) || t.evokes_change_talk
        })
        .map(cct_credit)
        .collect();
    let sst_items: Vec<u32> = s
        .turns
        .iter()
        .filter(|t| matches!(t.responds_to, Target::SustainTalk | Target::Discord))
        .map(sst_credit)
        .collect();
    let p_items: Vec<u32> = s.turns.iter().map(partnership_credit).collect();
    let e_items: Vec<u32> = s.turns.iter().map(empathy_credit).collect();
    let cct = global_from_credits(&cct_items);
    let sst = global_from_credits(&sst_items);
    let partnership = global_from_credits(&p_items);
    let empathy = global_from_credits(&e_items);
    let globals = Globals {
        cultivating_change_talk: cct,
        softening_sustain_talk: sst,
        partnership,
        empathy,
        technical: f64::from(cct + sst) / 2.0,
        relational: f64::from(partnership + empathy) / 2.0,
    };

    let bands = Bands {
        relational: BandedMetric::new(Some(globals.relational), 3.5, 4.0, "MITI 4.2.1"),
        technical: BandedMetric::new(Some(globals.technical), 3.0, 4.0, "MITI 4.2.1"),
        percent_complex_reflections: BandedMetric::new(
            pcr.map(|x| round_to(x, 1)),
            40.0,
            50.0,
            "MITI 4.2.1",
        ),
        reflection_to_question: BandedMetric::new(
            rq.map(|x| round_to(x, 2)),
            1.0,
            2.0,
            "MITI 4.2.1",
        ),
        percent_open_questions: BandedMetric::new(
            poq.map(|x| round_to(x, 1)),
            50.0,
            70.0,
            "MITI 3.1.1",
        ),
        percent_mi_adherent: BandedMetric::new(
            padh.map(|x| round_to(x, 1)),
            90.0,
            100.0,
            "MITI 3.1.1",
        ),
    };

    let evidence = Evidence {
        cct: !cct_items.is_empty(),
        sst: !sst_items.is_empty(),
        relational: !s.turns.is_empty(),
    };
    let completion = match s.remaining {
        None => 1.0,
        Some(left) => {
            let done = s.turns.len() as f64;
            done / (done + left.max(1) as f64)
        }
    };
    let outcome_factor = if s.outcome_factor.is_finite() {
        s.outcome_factor.clamp(0.0, 1.0)
    } else {
        1.0
    };
    let overall = round_to(
        overall_score(s, &globals, evidence, &counts, cts) * completion * outcome_factor,
        1,
    );

    let mut score = Score {
        turns: s.turns.len(),
        counts,
        reflections,
        questions,
        reflection_to_question: rq.map(|x| round_to(x, 2)),
        percent_complex_reflections: pcr.map(|x| round_to(x, 1)),
        percent_open_questions: poq.map(|x| round_to(x, 1)),
        mi_adherent,
        mi_non_adherent,
        percent_mi_adherent: padh.map(|x| round_to(x, 1)),
        change_talk,
        sustain_talk,
        discord,
        change_talk_share: cts.map(|x| round_to(x, 3)),
        globals,
        bands,
        overall,
        complete: s.remaining.is_none(),
        completion: round_to(completion, 3),
        globals_source: GLOBALS_SOURCE,
        outcome_factor: round_to(outcome_factor, 2),
        feedback: Feedback {
            strengths: Vec::new(),
            growth_areas: Vec::new(),
            missed_moments: Vec::new(),
        },
    };
    let (strengths, growth) = written_feedback(&score, s);
    score.feedback.strengths = strengths;
    score.feedback.growth_areas = growth;
    score
}

/// Which globals had items to rate.
#[derive(Debug, Clone, Copy)]
struct Evidence {
    cct: bool,
    sst: bool,
    relational: bool,
}

/// The overall 0–100 score: a weighted sum of rates (see `docs/scoring.md`).
fn overall_score(
    s: &CodedSession,
    g: &Globals,
    evidence: Evidence,
    counts: &Counts,
    cts: Option<f64>,
) -> f64 {
    let reflections = counts.simple_reflection + counts.complex_reflection;
    let questions = counts.open_question + counts.closed_question;
    let (complex, open) = (counts.complex_reflection, counts.open_question);
    let turns = s.turns.len().max(1) as f64;
    let non_adherent_turns = s.turns.iter().filter(|t| t.non_adherent()).count() as f64;
    let adherence_part = if s.turns.is_empty() {
        0.0
    } else {
        1.0 - non_adherent_turns / turns
    };
    // Globals enter only when there was evidence for them (a global with no items shows the
    // MITI default of 3 in the report, but earns nothing here).
    let evidenced = |pairs: &[(bool, u8)]| -> f64 {
        let used: Vec<f64> = pairs
            .iter()
            .filter(|(e, _)| *e)
            .map(|(_, g)| f64::from(*g))
            .collect();
        if used.is_empty() {
            0.0
        } else {
            (used.iter().sum::<f64>() / used.len() as f64 - 1.0) / 4.0
        }
    };
    let technical_part = evidenced(&[
        (evidence.cct, g.cultivating_change_talk),
        (evidence.sst, g.softening_sustain_talk),
    ]);
    let relational_part = evidenced(&[
        (evidence.relational, g.partnership),
        (evidence.relational, g.empathy),
    ]);
    let cr_part = if reflections > 0 {
        (f64::from(complex) / f64::from(reflections) / 0.5).min(1.0)
    } else {
        0.0
    };
    let (rq_part, oq_part) = if questions > 0 {
        (
            (f64::from(reflections) / f64::from(questions) / 2.0).min(1.0),
            (f64::from(open) / f64::from(questions) / 0.7).min(1.0),
        )
    } else if reflections > 0 {
        (1.0, 1.0)
    } else {
        (0.0, 0.0)
    };
    let total = 20.0 * relational_part
        + 20.0 * technical_part
        + 15.0 * cr_part
        + 15.0 * rq_part
        + 15.0 * adherence_part
        + 5.0 * oq_part
        + 10.0 * cts.unwrap_or(0.0);
    round_to(total, 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use MitiCode::*;

    #[test]
    fn globals_round_half_up_in_integers() {
        assert_eq!(global_from_credits(&[]), 3);
        assert_eq!(global_from_credits(&[0]), 1);
        assert_eq!(global_from_credits(&[100]), 5);
        // mean 62.5 → 1 + 2.5 = 3.5 → 4
        assert_eq!(global_from_credits(&[100, 25]), 4);
        // mean 37.5 → 2.5 → 3
        assert_eq!(global_from_credits(&[50, 25]), 3);
    }

    #[test]
    fn zero_denominators_are_null() {
        let s = score(&CodedSession {
            turns: vec![CodedTurn::new(&[Affirm], Target::Neutral)],
            client: vec![Target::Neutral],
            remaining: None,
            outcome_factor: 1.0,
        });
        assert_eq!(s.reflection_to_question, None);
        assert_eq!(s.percent_complex_reflections, None);
        assert_eq!(s.change_talk_share, None);
        assert_eq!(s.bands.reflection_to_question.band, None);
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains("\"reflection_to_question\":null"));
        assert!(!json.contains("NaN"));
    }
}
