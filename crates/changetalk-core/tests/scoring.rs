//! Scoring formulas checked against a transcript computed by hand (see docs/scoring.md,
//! "A worked example"), and properties that must hold for every transcript.

use changetalk_core::engine::model::Target;
use changetalk_core::miti::codes::MitiCode;
use changetalk_core::miti::csv_transcript::read_coded_csv;
use changetalk_core::miti::score::{Band, CodedSession, CodedTurn, score};
use proptest::prelude::*;

const WORKED_EXAMPLE: &str = "speaker,code,text
client,sustain_talk,I don't have a problem. The judge does.
counselor,complex_reflection,\"Being sent here feels like being told you're someone you're not.\"
client,sustain_talk,Exactly. Everybody drinks after work.
counselor,open_question,What does a typical evening look like for you?
client,change_talk,\"Honestly, I'm tired of waking up foggy.\"
counselor,simple_reflection,You're tired of the fog.
client,change_talk,My daughter noticed too.
counselor,closed_question,Did she say something?
client,discord,Why does that matter to you?
counselor,emphasizing_autonomy+complex_reflection,\"That's private, and you decide what we talk about. It sounds like it stung.\"
client,change_talk,It did. I don't want her seeing me like that.
counselor,persuade,Then you need to stop drinking.
client,sustain_talk,Easy for you to say.
";

#[test]
fn worked_example_matches_the_hand_computation() {
    let s = score(&read_coded_csv(WORKED_EXAMPLE).expect("valid CSV"));
    // Counts after per-turn rules: 6 counsellor turns.
    assert_eq!(s.turns, 6);
    assert_eq!(s.counts.complex_reflection, 2);
    assert_eq!(s.counts.simple_reflection, 1);
    assert_eq!(s.counts.open_question, 1);
    assert_eq!(s.counts.closed_question, 1);
    assert_eq!(s.counts.emphasizing_autonomy, 1);
    assert_eq!(s.counts.persuade, 1);
    // R = 3, Q = 2.
    assert_eq!(s.reflection_to_question, Some(1.5));
    assert_eq!(s.bands.reflection_to_question.band, Some(Band::Fair));
    // 2 / 3 complex.
    assert_eq!(s.percent_complex_reflections, Some(66.7));
    assert_eq!(s.bands.percent_complex_reflections.band, Some(Band::Good));
    assert_eq!(s.percent_open_questions, Some(50.0));
    assert_eq!(s.bands.percent_open_questions.band, Some(Band::Fair));
    assert_eq!((s.mi_adherent, s.mi_non_adherent), (1, 1));
    assert_eq!(s.percent_mi_adherent, Some(50.0));
    assert_eq!(s.bands.percent_mi_adherent.band, Some(Band::BelowFair));
    // Client: 3 change, 3 sustain, 1 discord.
    assert_eq!((s.change_talk, s.sustain_talk, s.discord), (3, 3, 1));
    assert_eq!(s.change_talk_share, Some(0.5));
    // CCT items: T3 SR→75, T4 CQ→25, T6 Persuade→0: mean 33.3 → 1 + 1.33 → 2.
    assert_eq!(s.globals.cultivating_change_talk, 2);
    // SST items: T1 CR→100, T2 OQ→25, T5 EA+CR→100: mean 75 → 4.
    assert_eq!(s.globals.softening_sustain_talk, 4);
    // Partnership: 75, 50, 50, 25, 100, 0: mean 50 → 3.
    assert_eq!(s.globals.partnership, 3);
    // Empathy: 100, 50, 50, 25, 100, 0: mean 54.2 → 3.17 → 3.
    assert_eq!(s.globals.empathy, 3);
    assert_eq!(s.globals.technical, 3.0);
    assert_eq!(s.globals.relational, 3.0);
    assert_eq!(s.bands.technical.band, Some(Band::Fair));
    assert_eq!(s.bands.relational.band, Some(Band::BelowFair));
    // Overall: 10 + 10 + 15 + 11.25 + 12.5 + 3.571 + 5 = 67.32 → 67.3.
    assert_eq!(s.overall, 67.3);
}

#[test]
fn per_turn_rules_apply_to_csv_turns() {
    // Two counsellor rows in a row are one turn: one question, complex beats simple.
    let csv = "speaker,code,text\nclient,neutral,Hi.\ncounselor,simple_reflection,a\ncounselor,complex_reflection+open_question,b\ncounselor,closed_question,c\n";
    let s = score(&read_coded_csv(csv).unwrap());
    assert_eq!(s.turns, 1);
    assert_eq!(s.counts.open_question, 1);
    assert_eq!(s.counts.closed_question, 0);
    assert_eq!(s.counts.complex_reflection, 1);
    assert_eq!(s.counts.simple_reflection, 0);
    assert_eq!(s.reflection_to_question, Some(1.0));
}

#[test]
fn empty_and_zero_denominators_give_null_not_nan() {
    let s = score(&CodedSession::default());
    assert_eq!(s.overall, 0.0);
    let json = serde_json::to_string(&s).unwrap();
    assert!(!json.contains("NaN"));
    assert!(json.contains("\"percent_open_questions\":null"));
    assert!(json.contains("\"change_talk_share\":null"));
}

fn any_code() -> impl Strategy<Value = MitiCode> {
    proptest::sample::select(MitiCode::ALL.to_vec())
}

fn any_target() -> impl Strategy<Value = Target> {
    proptest::sample::select(Target::ALL.to_vec())
}

fn any_turn() -> impl Strategy<Value = CodedTurn> {
    (proptest::collection::vec(any_code(), 0..4), any_target())
        .prop_map(|(c, t)| CodedTurn::new(&c, t))
}

fn any_session() -> impl Strategy<Value = CodedSession> {
    (
        proptest::collection::vec(any_turn(), 0..40),
        proptest::collection::vec(any_target(), 0..40),
    )
        .prop_map(|(turns, client)| CodedSession {
            turns,
            client,
            remaining: None,
            outcome_factor: 1.0,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// A confrontation never improves a session, wherever it is said and whatever it answers.
    #[test]
    fn adding_a_confront_never_raises_overall(s in any_session(), at in 0usize..41, target in any_target()) {
        let before = score(&s).overall;
        let mut with = s.clone();
        let at = at.min(with.turns.len());
        with.turns.insert(at, CodedTurn::new(&[MitiCode::Confront], target));
        let after = score(&with).overall;
        prop_assert!(after <= before, "overall rose from {before} to {after}");
    }

    /// Scores are rates: the same conversation twice over scores exactly the same.
    #[test]
    fn a_transcript_repeated_twice_keeps_the_same_rates(s in any_session()) {
        let once = score(&s);
        let mut twice = s.clone();
        twice.turns.extend(s.turns.iter().cloned());
        twice.client.extend(s.client.iter().cloned());
        let two = score(&twice);
        prop_assert_eq!(once.reflection_to_question, two.reflection_to_question);
        prop_assert_eq!(once.percent_complex_reflections, two.percent_complex_reflections);
        prop_assert_eq!(once.percent_open_questions, two.percent_open_questions);
        prop_assert_eq!(once.percent_mi_adherent, two.percent_mi_adherent);
        prop_assert_eq!(once.change_talk_share, two.change_talk_share);
        prop_assert_eq!(once.globals, two.globals);
        prop_assert_eq!(once.bands, two.bands);
        prop_assert_eq!(once.overall, two.overall);
    }

    /// Overall always stays within 0–100 and JSON never carries NaN.
    #[test]
    fn overall_is_bounded(s in any_session()) {
        let sc = score(&s);
        prop_assert!((0.0..=100.0).contains(&sc.overall));
        let json = serde_json::to_string(&sc).unwrap();
        prop_assert!(!json.contains("NaN"));
    }
}
