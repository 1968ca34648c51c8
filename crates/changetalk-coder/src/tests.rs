//! Unit tests of the bundled coder.

use super::*;
use MitiCode::*;

fn main_code(text: &str) -> Option<MitiCode> {
    Coder::bundled().code_counsellor(text, None).main_code()
}

#[test]
fn bundled_loads_and_hash_is_stable() {
    let t0 = std::time::Instant::now();
    let c = Coder::from_bytes(BUNDLED).expect("bundled model parses");
    // Generous bound for debug builds on a busy machine; release is far below 200 ms.
    assert!(t0.elapsed().as_millis() < 2000);
    assert_eq!(c.model_hash().len(), 64);
    assert_eq!(c.model_hash(), Coder::bundled().model_hash());
    assert!(!MODEL_VERSION.is_empty());
}

#[test]
fn corrupt_bytes_are_errors() {
    assert!(Coder::from_bytes(&[]).is_err());
    assert!(Coder::from_bytes(b"not a model at all").is_err());
    // Every truncation, and a spread of single-byte corruptions, error or load: never panic.
    let n = BUNDLED.len();
    for cut in [1, 8, 12, 20, 40, 56, 60, 61, 100, n / 2, n - 1] {
        assert!(
            Coder::from_bytes(&BUNDLED[..cut.min(n)]).is_err(),
            "cut {cut}"
        );
    }
    let mut bytes = BUNDLED.to_vec();
    bytes.push(0);
    assert!(Coder::from_bytes(&bytes).is_err(), "trailing byte");
    for i in (0..n).step_by(n / 11 + 1).take(12) {
        let mut b = BUNDLED.to_vec();
        b[i] ^= 0xa5;
        let _ = Coder::from_bytes(&b);
    }
    // A huge row count must not allocate or panic.
    let mut b = BUNDLED[..60].to_vec(); // header: magic, format, hash_bits, char_max, 10 weights
    b.extend_from_slice(&1u32.to_le_bytes());
    b.extend_from_slice(&1u32.to_le_bytes());
    b.push(b'x');
    b.extend_from_slice(&1u32.to_le_bytes());
    b.extend_from_slice(&0f32.to_le_bytes());
    b.extend_from_slice(&1f32.to_le_bytes());
    b.extend_from_slice(&u32::MAX.to_le_bytes());
    assert!(Coder::from_bytes(&b).is_err());
}

#[test]
fn round_trip_of_the_file_format() {
    let m = model::Model::from_bytes(BUNDLED).expect("parses");
    assert_eq!(m.to_bytes(), BUNDLED);
}

#[test]
fn deterministic() {
    let c = Coder::bundled();
    let d = Coder::from_bytes(BUNDLED).expect("parses");
    for (t, p) in [
        (
            "So you're not sure it's a problem.",
            Some("I drink, sure, but everyone does."),
        ),
        ("Tell me more.", None),
        ("", None),
        ("¿Qué? 🙂 ok", Some("…")),
    ] {
        let a = c.code_counsellor(t, p);
        let b = d.code_counsellor(t, p);
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        for (x, y) in a.main_probs.iter().zip(&b.main_probs) {
            assert_eq!(x.to_bits(), y.to_bits());
        }
        let a = c.code_client(t, p);
        let b = d.code_client(t, p);
        for (x, y) in a.probs.iter().zip(&b.probs) {
            assert_eq!(x.to_bits(), y.to_bits());
        }
        let s: f32 = a.probs.iter().sum();
        assert!((s - 1.0).abs() < 1e-4);
    }
}

#[test]
fn clear_replies() {
    assert_eq!(
        main_code("What would you like to be different?"),
        Some(OpenQuestion)
    );
    assert_eq!(main_code("Do you drink every day?"), Some(ClosedQuestion));
    assert_eq!(
        main_code("You're worried your kids are noticing, and that scares you."),
        Some(ComplexReflection)
    );
    assert_eq!(
        main_code("You really should stop drinking."),
        Some(Persuade)
    );
    assert_eq!(
        main_code("It's completely your decision what you do next."),
        Some(EmphasizingAutonomy)
    );
    assert_eq!(
        main_code("You took a big step coming here today."),
        Some(Affirm)
    );
    assert_eq!(
        main_code("You're in denial; you're an alcoholic."),
        Some(Confront)
    );
    let c = Coder::bundled().code_counsellor(
        "If you're interested, some people find it helps to cut down, but it may or may not fit you.",
        None,
    );
    assert!(!c.has(Persuade));
}

#[test]
fn main_probabilities_and_confidence() {
    let c = Coder::bundled().code_counsellor("Do you drink every day?", None);
    let s: f32 = c.main_probs.iter().sum();
    assert!((s - 1.0).abs() < 1e-4);
    assert_eq!(c.main_behaviour, MainBehaviour::Question);
    assert!(c.confidence > 0.0 && c.confidence <= 1.0);
}

#[test]
fn client_talk() {
    let c = Coder::bundled();
    assert_eq!(
        c.code_client("I really want to quit, I'm going to stop this week.", None)
            .talk,
        ClientTalk::Change
    );
    assert_eq!(
        c.code_client(
            "I don't think I have a problem. I like drinking and I'm not going to stop.",
            None
        )
        .talk,
        ClientTalk::Sustain
    );
}

#[test]
fn evaluate_reads_csv_and_rejects_bad_input() {
    let csv = "transcript_id,mi_quality,video_title,video_url,topic,utterance_id,interlocutor,timestamp,utterance_text,main_therapist_behaviour,client_talk_type\n\
        5,high,\"A \"\"quoted\"\", title\",u,t,0,therapist,0,\"How are you, today?\",question,n/a\n\
        5,high,x,u,t,1,client,0,I want to stop.,n/a,change\n\
        6,high,x,u,t,0,therapist,0,Hi.,other,n/a\n";
    let r = evaluate(csv, &Coder::bundled()).expect("evaluates");
    assert_eq!(r.therapist.n, 1);
    assert_eq!(r.client.n, 1);
    assert_eq!(r.transcripts, 1);
    assert!(r.to_string().contains("macro-F1"));
    assert!(evaluate("a,b\n1,2\n", &Coder::bundled()).is_err());
    let no_eval = "transcript_id,mi_quality,video_title,video_url,topic,utterance_id,interlocutor,timestamp,utterance_text,main_therapist_behaviour,client_talk_type\n\
        6,high,x,u,t,0,therapist,0,Hi.,other,n/a\n";
    assert_eq!(evaluate(no_eval, &Coder::bundled()), Err(EvalError::Empty));
}

#[test]
fn client_sequence_prior_is_deterministic_and_normalised() {
    let c = Coder::bundled();
    let d = Coder::from_bytes(BUNDLED).expect("parses");
    let earlier = [
        "I want to stop, I really do.",
        "I'm going to cut down.",
        "Yeah.",
    ];
    for n in 0..=earlier.len() {
        let a = c.code_client_in("I could try.", Some("What would help?"), &earlier[..n]);
        let b = d.code_client_in("I could try.", Some("What would help?"), &earlier[..n]);
        for (x, y) in a.probs.iter().zip(&b.probs) {
            assert_eq!(x.to_bits(), y.to_bits());
        }
        let s: f32 = a.probs.iter().sum();
        assert!((s - 1.0).abs() < 1e-4);
    }
    // Without earlier lines, code_client and code_client_in agree exactly.
    let a = c.code_client("I could try.", None);
    let b = c.code_client_in("I could try.", None, &[]);
    assert_eq!(a, b);
}
