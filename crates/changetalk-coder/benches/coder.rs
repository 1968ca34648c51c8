//! Coding speed: counsellor replies and client lines, one at a time on one core.

use std::hint::black_box;

use changetalk_coder::Coder;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const REPLIES: [(&str, Option<&str>); 8] = [
    (
        "What would you like to be different?",
        Some("I don't know, things just aren't great."),
    ),
    ("Do you drink every day?", None),
    (
        "You're worried your kids are noticing, and that scares you.",
        Some("My son asked why I was asleep on the couch again."),
    ),
    (
        "You really should stop drinking.",
        Some("I only have a few beers after work."),
    ),
    ("It's completely your decision what you do next.", None),
    (
        "You took a big step coming here today.",
        Some("I almost didn't come."),
    ),
    (
        "So on the one hand the gambling is the only time you feel switched on, and on the other hand you're scared of what it's doing to the savings you and Tom built up over the years. Where does that leave you?",
        Some("It's the only time I feel anything, honestly. But the account is nearly empty."),
    ),
    ("Okay.", Some("Yeah.")),
];

fn bench(c: &mut Criterion) {
    let coder = Coder::bundled();
    let mut g = c.benchmark_group("coder");
    g.throughput(Throughput::Elements(REPLIES.len() as u64));
    g.bench_function("code_counsellor x8", |b| {
        b.iter(|| {
            for (t, p) in REPLIES {
                black_box(coder.code_counsellor(black_box(t), p));
            }
        })
    });
    g.bench_function("code_client x8", |b| {
        b.iter(|| {
            for (t, p) in REPLIES {
                black_box(coder.code_client(black_box(t), p));
            }
        })
    });
    let earlier = [
        "I drink, sure, but everyone does.",
        "My son asked why I was asleep on the couch again.",
        "I guess I could cut down a bit.",
    ];
    g.bench_function("code_client_in x8 (3 earlier lines)", |b| {
        b.iter(|| {
            for (t, p) in REPLIES {
                black_box(coder.code_client_in(black_box(t), p, &earlier));
            }
        })
    });
    g.finish();
    c.bench_function("Coder::from_bytes (bundled model)", |b| {
        let bytes = include_bytes!("../model/coder.bin");
        b.iter(|| black_box(Coder::from_bytes(black_box(bytes)).is_ok()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
