//! The classroom grading bar (run with `cargo bench -p changetalk-core --bench grade`):
//! grading 1,000 result files takes at most 2 s. In memory: the files' bytes are given, as
//! the shell passes them after reading the folder. Each pass parses every result, replays
//! its choices against the pinned scenario, recomputes and compares every score, then builds
//! the gradebook CSV, the distributions, the item analysis and the xAPI statements.
//! The measured figure is printed before criterion's.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use changetalk_core::classroom::exercise::{
    Exercise, ExerciseMode, PassCriteria, ScenarioRef, content_hash,
};
use changetalk_core::classroom::grade::{self, InputFile, Pinned};
use changetalk_core::classroom::result::{
    ChoiceRecord, ExerciseInfo, ResultRecord, ScenarioRun, Student,
};
use changetalk_core::classroom::xapi::{self, XapiOptions};
use changetalk_core::{Scenario, Session, load_scenario};
use criterion::{Criterion, criterion_group, criterion_main};

const RESULTS: usize = 1_000;
const EXERCISE_HASH: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Knuth's MMIX LCG, so every run grades the same class.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

fn setup() -> (Exercise, Arc<Scenario>, Vec<InputFile>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/court-ordered-dui.ron");
    let text = std::fs::read_to_string(&path).expect("the bundled scenario is readable");
    let scenario = Arc::new(load_scenario(&text).expect("the bundled scenario loads"));
    let ex = Exercise {
        title: "Week 3".into(),
        instructions: String::new(),
        scenarios: vec![ScenarioRef {
            id: scenario.id.clone(),
            hash: content_hash(text.as_bytes()),
            file: None,
            seed: None,
            session: None,
            span: Default::default(),
        }],
        seed: 42,
        mode: ExerciseMode::Assessment,
        pass: PassCriteria {
            overall: 60.0,
            min_reflection_to_question: Some(1.0),
            max_non_adherent: Some(2),
            ..Default::default()
        },
        attempts: 1,
        time_limit_minutes: None,
        coder: None,
    };
    // Students choose mostly well, with random slips, so paths and scores vary.
    let mut rng = Lcg(0x5eed);
    let mut files = Vec::with_capacity(RESULTS);
    let mut bytes = 0usize;
    for i in 0..RESULTS {
        let mut s = Session::new(Arc::clone(&scenario), ex.seed);
        let slip = rng.below(5);
        while !s.is_over() {
            let ratings = s.current_ratings();
            let pick = if rng.below(5) < slip {
                rng.below(ratings.len())
            } else {
                changetalk_core::engine::best_index(&ratings)
            };
            if s.choose(pick + 1).is_err() {
                break;
            }
        }
        let mut rec = ResultRecord::new(
            Student {
                name: format!("Student {i}"),
                id: format!("s{i:04}"),
            },
            ExerciseInfo {
                title: ex.title.clone(),
                hash: EXERCISE_HASH.into(),
                file: "week3.ron".into(),
            },
            &ex,
            "bench",
            1_700_000_000_000,
            1,
        );
        rec.scenarios.push(ScenarioRun {
            id: scenario.id.clone(),
            hash: ex.scenarios[0].hash.clone(),
            seed: ex.seed,
            choices: s
                .turns()
                .iter()
                .enumerate()
                .map(|(k, t)| ChoiceRecord {
                    number: t.reply.number,
                    option_id: t.reply.option.clone(),
                    at_ms: 20_000 * (k as u64 + 1),
                    typed: None,
                })
                .collect(),
            stopped: false,
            session: None,
            transcript: None,
        });
        rec.finish(&ex, &[s.transcript()], 1_700_000_600_000);
        let json = rec.to_json().into_bytes();
        bytes += json.len();
        files.push(InputFile {
            name: format!("week3--s{i:04}.json"),
            bytes: Ok(json),
        });
    }
    eprintln!(
        "bench: {RESULTS} result files, {:.1} MB in all",
        bytes as f64 / 1e6
    );
    (ex, scenario, files)
}

fn grade_all(ex: &Exercise, scenarios: &[Arc<Scenario>], files: &[InputFile]) -> usize {
    let p = Pinned {
        exercise: ex,
        exercise_hash: EXERCISE_HASH,
        exercise_stem: "week3",
        scenarios,
        coder: None,
    };
    let book = grade::grade(&p, black_box(files), None);
    let csv = grade::gradebook_csv(ex, &book);
    let dists = grade::distributions(ex, &book);
    let items = grade::item_analysis(&p, &book);
    let st = xapi::statements(
        &p,
        &book,
        &XapiOptions {
            home_page: "https://lms.example.edu".into(),
            activity_base: "https://changetalk.example.org/xapi".into(),
            platform: "ChangeTalk bench".into(),
        },
    );
    let xapi_json = serde_json::to_string(&st).map_or(0, |s| s.len());
    assert!(
        book.rows.iter().all(|r| r.is_clean()),
        "a bench result was flagged"
    );
    book.rows.len() + csv.len() + dists.len() + items.len() + xapi_json
}

fn grading(c: &mut Criterion) {
    let (ex, scenario, files) = setup();
    let scenarios = vec![scenario];
    grade_all(&ex, &scenarios, &files);
    let best = (0..5)
        .map(|_| {
            let t = Instant::now();
            black_box(grade_all(&ex, &scenarios, &files));
            t.elapsed()
        })
        .min()
        .unwrap_or_default();
    eprintln!(
        "bench: grading {RESULTS} results (replay, compare, CSV, statistics, xAPI): {best:.2?} (bar: at most 2 s) — {}",
        if best <= Duration::from_secs(2) {
            "PASS"
        } else {
            "FAIL"
        }
    );
    let mut g = c.benchmark_group("grade");
    g.sample_size(10);
    g.bench_function("grade_1000_results", |b| {
        b.iter(|| grade_all(&ex, &scenarios, &files))
    });
    g.finish();
}

criterion_group!(benches, grading);
criterion_main!(benches);
