//! A class for the classroom tests: an exercise in a temporary folder, students who play it
//! (as a person does, through the exercise driver `exercise run` and the app share, or
//! scripted through the binary), and the grader's outputs read back.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use changetalk::classroom::{self as driver, Next};
use changetalk_core::AutoPolicy;

use serde_json::Value;

use crate::common::{bin, checked, stderr};

fn run_in(home: Option<&Path>, args: &[&str]) -> Output {
    let mut c = bin();
    if let Some(h) = home {
        c.env("CHANGETALK_HOME", h);
    }
    checked(c.args(args))
}

pub fn run(args: &[&str]) -> Output {
    run_in(None, args)
}

pub fn ok(args: &[&str]) -> Output {
    let o = run(args);
    assert!(o.status.success(), "{args:?} failed:\n{}", stderr(&o));
    o
}

pub fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

pub fn read_json(p: &Path) -> Value {
    let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

pub fn write_json(p: &Path, v: &Value) {
    std::fs::write(p, serde_json::to_string_pretty(v).unwrap()).unwrap();
}

/// A temp folder with `week3.ron` (court-ordered-dui, seed 42) and an empty `results/`.
pub struct Class {
    dir: tempfile::TempDir,
}

impl Class {
    pub fn new() -> Class {
        Class::with(&["--scenario", "court-ordered-dui"])
    }

    pub fn with(extra: &[&str]) -> Class {
        let dir = tempfile::tempdir().unwrap();
        let ex = dir.path().join("week3.ron");
        let mut args = vec![
            "exercise",
            "new",
            "-o",
            s(&ex),
            "--title",
            "Week 3",
            "--seed",
            "42",
            "--min-rq",
            "1",
            "--max-non-adherent",
            "2",
        ];
        args.extend_from_slice(extra);
        ok(&args);
        std::fs::create_dir(dir.path().join("results")).unwrap();
        Class { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn exercise(&self) -> PathBuf {
        self.path("week3.ron")
    }

    pub fn results(&self) -> PathBuf {
        self.path("results")
    }

    pub fn result(&self, id: &str) -> PathBuf {
        self.results().join(format!("week3--{id}.json"))
    }

    /// Student `id` plays the exercise as a person does — the replies `how` names
    /// (`--auto best|worst`, or `--choices 1,2` once per scenario), each a few milliseconds
    /// after the one before, at the student's own pace — and finishes it. The result is the
    /// one `exercise run` writes for typed replies (not marked scripted).
    pub fn play(&self, name: &str, id: &str, how: &[&str]) {
        play_as_student(&self.exercise(), &self.results(), name, id, how);
    }

    /// `exercise run … --auto/--choices` through the binary (a scripted run: practice
    /// exercises only).
    pub fn play_scripted(&self, name: &str, id: &str, how: &[&str]) {
        let ex = self.exercise();
        let res = self.results();
        let mut args = vec![
            "exercise",
            "run",
            s(&ex),
            "--student",
            name,
            "--id",
            id,
            "--results",
            s(&res),
        ];
        args.extend_from_slice(how);
        ok(&args);
    }

    pub fn grade(&self, extra: &[&str]) -> Output {
        let ex = self.exercise();
        let res = self.results();
        let mut args = vec!["grade", s(&ex), s(&res)];
        args.extend_from_slice(extra);
        let o = run(&args);
        assert!(o.status.success(), "grade failed:\n{}", stderr(&o));
        o
    }

    /// Grades into a CSV and returns its rows as maps from header to value.
    pub fn gradebook(&self, extra: &[&str]) -> (Vec<String>, Vec<Vec<String>>, Output) {
        let csv = self.path("gradebook.csv");
        let mut args = vec!["--csv", s(&csv)];
        args.extend_from_slice(extra);
        let o = self.grade(&args);
        let text = std::fs::read_to_string(&csv).unwrap();
        let mut lines = parse_csv(&text);
        let header = lines.remove(0);
        (header, lines, o)
    }
}

/// Each student's own pace: the first reply of the n-th student played in this process comes
/// 4·n ms later than the first student's, so no two students' reply times are the same (the
/// grader flags identical replies at identical times as a copy).
static STUDENTS: AtomicU64 = AtomicU64::new(0);

/// Plays `exercise` as student `id` (see [`Class::play`]), with results in `results`.
pub fn play_as_student(exercise: &Path, results: &Path, name: &str, id: &str, how: &[&str]) {
    let (auto, choices): (Option<AutoPolicy>, Vec<Vec<usize>>) = match how {
        ["--auto", "best"] => (Some(AutoPolicy::Best), Vec::new()),
        ["--auto", "worst"] => (Some(AutoPolicy::Worst), Vec::new()),
        _ => {
            let mut groups = Vec::new();
            let mut it = how.iter();
            while let Some(flag) = it.next() {
                assert_eq!(*flag, "--choices", "play: unknown option {how:?}");
                let g = it.next().expect("--choices takes a list");
                groups.push(
                    g.split(',')
                        .filter(|x| !x.is_empty())
                        .map(|x| x.trim().parse().expect("a number"))
                        .collect(),
                );
            }
            (None, groups)
        }
    };
    let loaded = driver::load(exercise).unwrap_or_else(|e| panic!("{e}"));
    let mut a = driver::begin(loaded, name, id, results).unwrap_or_else(|e| panic!("{e}"));
    let n = STUDENTS.fetch_add(1, Ordering::Relaxed);
    std::thread::sleep(Duration::from_millis(3 + 4 * (n % 200)));
    while let Next::Conversation { index, mut session } =
        a.next_conversation().unwrap_or_else(|e| panic!("{e}"))
    {
        let mut given = choices.get(index).cloned().unwrap_or_default().into_iter();
        while !session.is_over() && session.turns().len() < changetalk_core::engine::MAX_AUTO_TURNS
        {
            let next = match auto {
                Some(policy) => session.auto_choice(policy),
                None => given.next(),
            };
            let Some(number) = next else {
                break;
            };
            a.reply(index, &mut session, number)
                .unwrap_or_else(|e| panic!("{id}: reply {number}: {e}"));
            std::thread::sleep(Duration::from_millis(2));
        }
        if !session.is_over() {
            a.end_early(index, &mut session)
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    a.finish().unwrap_or_else(|e| panic!("{e}"));
}

/// Gives a forged result its own pace: every reply `ms` later (so a result copied from another
/// student for a test is not also flagged as a copy).
pub fn retime(v: &mut Value, ms: u64) {
    for run in v["scenarios"].as_array_mut().unwrap() {
        for c in run["choices"].as_array_mut().unwrap() {
            c["at_ms"] = (c["at_ms"].as_u64().unwrap() + ms).into();
        }
    }
}

/// A small RFC 4180 reader (quoted fields, doubled quotes, CRLF).
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

pub fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column `{name}` in {header:?}"))
}

pub fn row_of<'a>(header: &[String], rows: &'a [Vec<String>], id: &str) -> &'a Vec<String> {
    let c = col(header, "SIS User ID");
    let found: Vec<&Vec<String>> = rows.iter().filter(|r| r[c] == id).collect();
    assert_eq!(found.len(), 1, "rows for `{id}`: {rows:?}");
    found[0]
}

/// The model conversation's option numbers for court-ordered-dui with seed 42.
pub fn best_path() -> Vec<usize> {
    let o = ok(&[
        "play",
        "court-ordered-dui",
        "--seed",
        "42",
        "--auto",
        "best",
        "--json",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    v["transcript"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_u64().unwrap() as usize)
        .collect()
}

pub fn join(c: &[usize]) -> String {
    c.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

pub fn play_json(choices: &[usize]) -> Value {
    let o = ok(&[
        "play",
        "court-ordered-dui",
        "--seed",
        "42",
        "--choices",
        &join(choices),
        "--json",
    ]);
    serde_json::from_slice(&o.stdout).unwrap()
}

pub fn wait_for_choices(progress: &Path, n: usize) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(text) = std::fs::read_to_string(progress)
            && let Ok(v) = serde_json::from_str::<Value>(&text)
            && v["scenarios"][0]["choices"].as_array().map(Vec::len) == Some(n)
        {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "progress never showed {n} choices: {}",
            std::fs::read_to_string(progress).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
