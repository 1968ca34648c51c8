//! Performance bars of the core (run with `cargo bench -p changetalk-core --bench core`):
//!
//! * validating 1,000 realistic scenario files costs at most 2× parsing the same bytes into
//!   `ron::Value` (the ratio is printed before the criterion figures);
//! * scoring 10,000 coded transcripts of 40 turns, both generated `CodedSession`s and real
//!   simulator transcripts.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use changetalk_core::engine::model::Target;
use changetalk_core::miti::codes::MitiCode;
use changetalk_core::miti::score::{CodedSession, CodedTurn};
use changetalk_core::{Session, Transcript, load_scenario, score, score_transcript};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const FILES: usize = 1_000;
const TRANSCRIPTS: usize = 10_000;
const TURNS: usize = 40;

/// A small deterministic generator (Knuth's MMIX LCG), so every run scores the same data.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as u32
    }

    fn below(&mut self, n: usize) -> usize {
        self.next() as usize % n
    }
}

/// The scenario template and every shipped scenario that loads, as (name, text).
fn realistic_sources() -> Vec<(String, String)> {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = vec![(
        "template.ron".to_string(),
        include_str!("../src/format/template.ron").replace("__ID__", "template"),
    )];
    let scenarios = crate_dir.join("../../scenarios");
    let mut paths: Vec<_> = std::fs::read_dir(&scenarios)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|e| e == "ron"));
    paths.sort();
    for p in paths {
        let name = p
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        match std::fs::read_to_string(&p) {
            Ok(text) if load_scenario(&text).is_ok() => sources.push((name, text)),
            Ok(_) => eprintln!("bench: skipping {name}: it does not validate"),
            Err(e) => eprintln!("bench: skipping {name}: {e}"),
        }
    }
    sources
}

/// 1,000 scenario texts cycling through the sources, each with its own scenario id so no two
/// are byte-identical. Every one is checked to load.
fn realistic_files() -> Vec<String> {
    let sources = realistic_sources();
    let texts: Vec<String> = (0..FILES)
        .map(|i| {
            let (_, text) = &sources[i % sources.len()];
            // The first `id:` of a scenario file is the scenario's own id.
            text.replacen("id: \"", &format!("id: \"copy{i}-"), 1)
        })
        .collect();
    for t in &texts {
        assert!(load_scenario(t).is_ok(), "a bench input does not load");
        assert!(
            ron::from_str::<ron::Value>(t).is_ok(),
            "ron cannot parse a bench input"
        );
    }
    let bytes: usize = texts.iter().map(String::len).sum();
    let names: Vec<&str> = sources.iter().map(|(n, _)| n.as_str()).collect();
    eprintln!(
        "bench: {FILES} scenario files from {names:?}, {:.1} MB in all",
        bytes as f64 / 1e6
    );
    texts
}

fn load_all(texts: &[String]) -> usize {
    texts
        .iter()
        .filter(|t| load_scenario(black_box(t)).is_ok())
        .count()
}

fn ron_all(texts: &[String]) -> usize {
    texts
        .iter()
        .filter(|t| ron::from_str::<ron::Value>(black_box(t)).is_ok())
        .count()
}

/// Fastest of `runs` timings of `f`.
fn best_of(runs: usize, mut f: impl FnMut() -> usize) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn validation(c: &mut Criterion) {
    let texts = realistic_files();
    let bytes: usize = texts.iter().map(String::len).sum();

    // The bar, measured directly: best of 7 passes each, interleaved warm-up first.
    load_all(&texts);
    ron_all(&texts);
    let ours = best_of(7, || load_all(&texts));
    let ron = best_of(7, || ron_all(&texts));
    let ratio = ours.as_secs_f64() / ron.as_secs_f64();
    eprintln!(
        "bench: load_scenario ×{FILES}: {ours:.2?}; ron::from_str::<ron::Value> ×{FILES}: {ron:.2?}; ratio {ratio:.2} (bar: at most 2.00) — {}",
        if ratio <= 2.0 { "PASS" } else { "FAIL" }
    );

    let mut g = c.benchmark_group("validate_1000_files");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("load_scenario", |b| b.iter(|| load_all(&texts)));
    g.bench_function("ron_value", |b| b.iter(|| ron_all(&texts)));
    g.finish();
}

fn coded_sessions() -> Vec<CodedSession> {
    let mut rng = Lcg(0x5eed);
    (0..TRANSCRIPTS)
        .map(|_| {
            let mut client = Vec::with_capacity(TURNS + 1);
            let mut turns = Vec::with_capacity(TURNS);
            for _ in 0..TURNS {
                let said = Target::ALL[rng.below(Target::ALL.len())];
                client.push(said);
                // Mostly one code per turn, sometimes two or three.
                let n = match rng.below(8) {
                    0 => 3,
                    1 | 2 => 2,
                    _ => 1,
                };
                let codes: Vec<MitiCode> = (0..n)
                    .map(|_| MitiCode::ALL[rng.below(MitiCode::ALL.len())])
                    .collect();
                turns.push(CodedTurn::new(&codes, said));
            }
            client.push(Target::ALL[rng.below(Target::ALL.len())]);
            CodedSession {
                turns,
                client,
                remaining: None,
                outcome_factor: 1.0,
            }
        })
        .collect()
}

/// A scenario whose decision points loop, so a session can run 40 turns: ten points, each
/// with three client lines (two conditional) and four replies, the last of which ends it.
fn looping_scenario() -> String {
    const POINTS: usize = 10;
    let replies = [
        (
            "[ComplexReflection]",
            "It sounds like part of you is tired of this.",
        ),
        ("[OpenQuestion]", "What would you like to be different?"),
        (
            "[ClosedQuestion, SimpleReflection]",
            "You drink most nights. Is that right?",
        ),
        ("[Persuade]", "You really need to stop."),
        (
            "[Affirm, EmphasizingAutonomy]",
            "You came today; what you do next is up to you.",
        ),
        ("[Confront]", "You're in denial about this."),
        ("[SeekingCollaboration]", "Shall we look at this together?"),
        ("[GivingInformation]", "Alcohol affects sleep quality."),
    ];
    let mut points = String::new();
    for i in 0..POINTS {
        let mut options = String::new();
        for k in 0..3 {
            let (codes, text) = replies[(i + k * 3) % replies.len()];
            let next = (i + k + 1) % POINTS;
            options.push_str(&format!(
                "Option(id: \"p{i}.o{k}\", text: \"{text}\", codes: {codes}, next: \"p{next}\", feedback: \"Feedback on reply {k} at point {i}.\"),\n"
            ));
        }
        options.push_str(&format!(
            "Option(id: \"p{i}.end\", text: \"Let's stop here.\", codes: [GivingInformation], next: \"end\", feedback: \"Ends the session.\"),\n"
        ));
        points.push_str(&format!(
            "Point(id: \"p{i}\", lines: [
                Line(id: \"p{i}.a\", text: \"Everyone I know drinks like I do.\", talk: Sustain(Reasons), mood: Guarded),
                Line(id: \"p{i}.b\", text: \"I do want to sleep better.\", talk: Change(Desire), mood: Thoughtful, when: \"importance >= 5 and discord < 6\"),
                Line(id: \"p{i}.c\", text: \"Why do you keep pushing?\", talk: Discord, mood: Irritated, when: \"discord >= 6\"),
            ], options: [{options}]),\n"
        ));
    }
    format!(
        "Scenario(id: \"loop\", title: \"Loop\", summary: \"A client who keeps circling.\",
        stage: Contemplation, difficulty: Intermediate,
        persona: Persona(name: \"Lee\", age: 45, background: \"Bus driver.\", situation: \"Sent by the GP.\",
            initial: State(engagement: 5, discord: 3, importance: 4, confidence: 5)),
        start: \"p0\", points: [{points}],
        endings: [Ending(id: \"end\", title: \"Ends\", outcome: Mixed, text: \"Lee leaves.\", debrief: \"Done.\")])"
    )
}

/// `count` real 40-turn transcripts (replies 1–3 chosen by the LCG, never the ending reply).
fn real_transcripts(
    scenario: &Arc<changetalk_core::Scenario>,
    first: usize,
    count: usize,
) -> Vec<Transcript> {
    (first..first + count)
        .map(|i| {
            let mut rng = Lcg(i as u64);
            let mut s = Session::new(Arc::clone(scenario), i as u64);
            for _ in 0..TURNS {
                // The options are shown shuffled: pick one of the three looping replies by id.
                let looping: Vec<String> = s
                    .current_options()
                    .iter()
                    .filter(|o| !o.id.ends_with(".end"))
                    .map(|o| o.id.clone())
                    .collect();
                let n = s
                    .displayed_number(&looping[rng.below(looping.len())])
                    .expect("a looping reply is shown");
                s.choose(n).expect("looping replies are valid");
            }
            let t = s.transcript();
            assert_eq!(t.turns.len(), TURNS);
            t
        })
        .collect()
}

fn scoring(c: &mut Criterion) {
    let sessions = coded_sessions();
    let scenario =
        Arc::new(load_scenario(&looping_scenario()).expect("the looping scenario loads"));
    let mut g = c.benchmark_group("score_10000_transcripts_of_40_turns");
    g.throughput(Throughput::Elements(TRANSCRIPTS as u64));
    g.bench_function("score_coded_sessions", |b| {
        b.iter(|| {
            sessions
                .iter()
                .map(|s| score(black_box(s)).overall)
                .sum::<f64>()
        })
    });
    // Real transcripts carry every line's text, so 10,000 would take a few hundred MB; they are
    // generated 1,000 at a time outside the timed region and only the scoring is timed.
    const CHUNK: usize = 1_000;
    g.bench_function("score_transcript_simulated", |b| {
        b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                for chunk in 0..TRANSCRIPTS / CHUNK {
                    let ts = real_transcripts(&scenario, chunk * CHUNK, CHUNK);
                    let t = Instant::now();
                    for tr in &ts {
                        black_box(score_transcript(black_box(tr)));
                    }
                    timed += t.elapsed();
                }
            }
            timed
        })
    });
    g.finish();
}

/// `changetalk audit` and `lint` on every shipped client: 200 seeded runs of ten strategies
/// each, plus the menu's tells and the deaf-client check.
fn auditing(c: &mut Criterion) {
    let scenarios: Vec<changetalk_core::Scenario> = realistic_sources()
        .iter()
        .filter_map(|(_, t)| load_scenario(t).ok())
        .collect();
    let mut g = c.benchmark_group("audit_shipped_clients");
    g.throughput(Throughput::Elements(scenarios.len() as u64));
    g.bench_function("audit", |b| {
        b.iter(|| {
            scenarios
                .iter()
                .map(|s| {
                    changetalk_core::authoring::audit::audit(black_box(s))
                        .strategies
                        .len()
                })
                .sum::<usize>()
        })
    });
    g.bench_function("lint", |b| {
        b.iter(|| {
            let cfg = changetalk_core::authoring::lint::LintConfig::default();
            scenarios
                .iter()
                .map(|s| changetalk_core::authoring::lint::lint(black_box(s), &cfg).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = validation, scoring, auditing
}
criterion_main!(benches);
