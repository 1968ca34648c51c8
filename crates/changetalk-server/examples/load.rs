//! Load driver for a running class server (see `scripts/load-class-server.sh`, which starts
//! the server and passes its address, token and process id).
//!
//! It publishes an exercise, uploads a roster of `--students` students, and has each of them
//! join and send one reply a second for `--seconds` seconds (joining again for a new attempt
//! when an attempt ends). It then counts the replies in the server's database and reports
//! replies sent, recorded and lost, the reply latency (p50, p99, max) and the server's peak
//! memory (`VmHWM` of `/proc/PID/status`).
//!
//! ```text
//! cargo run --release -p changetalk-server --example load -- --server URL --token TOKEN \
//!     --exercise EX.ron --scenario A.ron --scenario B.ron --students 200 --seconds 120 \
//!     [--pid PID] [--database sqlite://DIR/changetalk.db]
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Args {
    server: String,
    token: String,
    exercise: String,
    scenarios: Vec<String>,
    students: usize,
    seconds: u64,
    pid: Option<u32>,
    database: Option<String>,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        server: String::new(),
        token: String::new(),
        exercise: String::new(),
        scenarios: Vec::new(),
        students: 200,
        seconds: 120,
        pid: None,
        database: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut v = || it.next().ok_or_else(|| format!("{k} needs a value"));
        match k.as_str() {
            "--server" => a.server = v()?.trim_end_matches('/').to_string(),
            "--token" => a.token = v()?,
            "--exercise" => a.exercise = v()?,
            "--scenario" => a.scenarios.push(v()?),
            "--students" => a.students = v()?.parse().map_err(|e| format!("--students: {e}"))?,
            "--seconds" => a.seconds = v()?.parse().map_err(|e| format!("--seconds: {e}"))?,
            "--pid" => a.pid = Some(v()?.parse().map_err(|e| format!("--pid: {e}"))?),
            "--database" => a.database = Some(v()?),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if a.server.is_empty() || a.token.is_empty() || a.exercise.is_empty() {
        return Err("give --server URL --token TOKEN --exercise EX.ron --scenario S.ron…".into());
    }
    Ok(a)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(30)))
        .max_idle_connections_per_host(1000)
        .max_idle_connections(1000)
        .build()
        .into()
}

fn post(
    a: &ureq::Agent,
    url: &str,
    auth: Option<&str>,
    body: &Value,
) -> Result<(u16, Value), String> {
    let mut req = a.post(url);
    if let Some(t) = auth {
        req = req.header("Authorization", &format!("Bearer {t}"));
    }
    let mut r = req.send_json(body).map_err(|e| e.to_string())?;
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().map_err(|e| e.to_string())?;
    Ok((
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    ))
}

#[derive(Default)]
struct Counts {
    sent: AtomicU64,
    recorded: AtomicU64,
    lost: AtomicU64,
    joins: AtomicU64,
    refused_joins: AtomicU64,
}

/// One student: joins, then one reply a second until the end.
#[allow(clippy::too_many_arguments)]
fn student(
    a: ureq::Agent,
    server: String,
    code: String,
    n: usize,
    students: usize,
    start: Instant,
    end: Instant,
    counts: Arc<Counts>,
    latencies: Arc<Mutex<Vec<u64>>>,
) {
    let client = format!("load-{n}");
    let mut rng = 0x9E37_79B9_7F4A_7C15u64 ^ (n as u64).wrapping_mul(0x2545_F491_4F6C_DD1D);
    let mut next = |m: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % m.max(1) as u64) as usize
    };
    let mut token = String::new();
    let mut state = Value::Null;
    let mut local = Vec::new();
    // Spread the students over the second.
    let offset = Duration::from_micros((n as u64 * 1_000_000) / students.max(1) as u64);
    let mut tick = 0u64;
    loop {
        let at = start + offset + Duration::from_secs(tick);
        tick += 1;
        if at >= end {
            break;
        }
        if let Some(d) = at.checked_duration_since(Instant::now()) {
            std::thread::sleep(d);
        }
        if state["status"] != "playing" {
            counts.joins.fetch_add(1, Ordering::Relaxed);
            match post(
                &a,
                &format!("{server}/api/join"),
                None,
                &json!({"code": code, "client": client}),
            ) {
                Ok((200, j)) => {
                    token = j["token"].as_str().unwrap_or_default().to_string();
                    state = j["state"].clone();
                }
                Ok((s, j)) => {
                    counts.refused_joins.fetch_add(1, Ordering::Relaxed);
                    eprintln!("student {n}: join refused ({s}): {j}");
                    break;
                }
                Err(e) => {
                    counts.refused_joins.fetch_add(1, Ordering::Relaxed);
                    eprintln!("student {n}: join failed: {e}");
                    continue;
                }
            }
            if state["status"] != "playing" {
                continue;
            }
        }
        let options = state["options"].as_array().map_or(0, Vec::len);
        let number = 1 + next(options);
        counts.sent.fetch_add(1, Ordering::Relaxed);
        let t0 = Instant::now();
        let r = post(
            &a,
            &format!("{server}/api/reply"),
            Some(&token),
            &json!({"number": number, "expect_turn": state["turn"]}),
        );
        let us = t0.elapsed().as_micros() as u64;
        match r {
            Ok((200, step)) => {
                counts.recorded.fetch_add(1, Ordering::Relaxed);
                local.push(us);
                state = step["state"].clone();
            }
            Ok((s, body)) => {
                counts.lost.fetch_add(1, Ordering::Relaxed);
                eprintln!("student {n}: reply answered {s}: {body}");
                state = Value::Null;
            }
            Err(e) => {
                counts.lost.fetch_add(1, Ordering::Relaxed);
                eprintln!("student {n}: reply failed: {e}");
                state = Value::Null;
            }
        }
    }
    latencies
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .extend(local);
}

fn vm(pid: u32, key: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn pct(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

fn main() {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let http = agent();
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{p}: {e}"));
    let (status, published) = post(
        &http,
        &format!("{}/api/exercises", a.server),
        Some(&a.token),
        &json!({
            "exercise": read(&a.exercise),
            "file_name": std::path::Path::new(&a.exercise).file_name().map(|f| f.to_string_lossy().into_owned()),
            "scenarios": a.scenarios.iter().map(|s| read(s)).collect::<Vec<_>>(),
        }),
    )
    .expect("publish");
    assert_eq!(status, 201, "publish: {published}");
    let exercise_id = published["id"].as_str().unwrap().to_string();
    let mut roster = String::from("id,name\n");
    for i in 0..a.students {
        roster.push_str(&format!("s{i:04},Student {i}\n"));
    }
    let mut r = http
        .post(&format!("{}/api/exercises/{exercise_id}/roster", a.server))
        .header("Authorization", &format!("Bearer {}", a.token))
        .send(roster)
        .expect("roster");
    let codes: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    let codes: Vec<String> = codes["students"]
        .as_array()
        .expect("roster answer")
        .iter()
        .map(|s| s["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), a.students);
    println!(
        "published {exercise_id}; {} students reply once a second for {} s",
        a.students, a.seconds
    );

    let counts = Arc::new(Counts::default());
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let start = Instant::now() + Duration::from_millis(500);
    let end = start + Duration::from_secs(a.seconds);
    let mut peak_rss = 0;
    let threads: Vec<_> = codes
        .into_iter()
        .enumerate()
        .map(|(n, code)| {
            let (h, s, c, l) = (
                http.clone(),
                a.server.clone(),
                counts.clone(),
                latencies.clone(),
            );
            let students = a.students;
            std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || student(h, s, code, n, students, start, end, c, l))
                .expect("thread")
        })
        .collect();
    while let Some(left) = end.checked_duration_since(Instant::now()) {
        std::thread::sleep(left.min(Duration::from_secs(10)));
        if let Some(pid) = a.pid {
            peak_rss = peak_rss.max(vm(pid, "VmRSS:").unwrap_or(0));
        }
        println!(
            "  {:>4} s: {} replies recorded",
            start.elapsed().as_secs(),
            counts.recorded.load(Ordering::Relaxed)
        );
    }
    for t in threads {
        let _ = t.join();
    }
    let elapsed = start.elapsed().as_secs_f64();

    // What the server's log holds.
    let in_log = a.database.as_ref().map(|url| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let store = changetalk_server::Store::open(url).await.expect("database");
            let mut n = 0usize;
            for at in store
                .exercise_attempts(&exercise_id)
                .await
                .expect("attempts")
            {
                n += store
                    .events(&at.id)
                    .await
                    .expect("events")
                    .iter()
                    .filter(|e| e.kind == "reply")
                    .count();
            }
            store.close().await;
            n
        })
    });

    let mut l = latencies.lock().unwrap().clone();
    l.sort_unstable();
    let sent = counts.sent.load(Ordering::Relaxed);
    let recorded = counts.recorded.load(Ordering::Relaxed);
    println!();
    println!("students:            {}", a.students);
    println!("duration:            {elapsed:.1} s");
    println!(
        "joins (attempts):    {} ({} refused or failed)",
        counts.joins.load(Ordering::Relaxed),
        counts.refused_joins.load(Ordering::Relaxed)
    );
    println!(
        "replies sent:        {sent} ({:.1}/s)",
        sent as f64 / elapsed
    );
    println!("replies recorded:    {recorded} (answered 200)");
    if let Some(n) = in_log {
        println!("replies in the log:  {n}");
    }
    println!(
        "replies lost:        {}",
        counts.lost.load(Ordering::Relaxed)
    );
    println!(
        "reply latency:       p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        pct(&l, 0.5),
        pct(&l, 0.99),
        l.last().copied().unwrap_or(0) as f64 / 1000.0
    );
    if let Some(pid) = a.pid {
        println!(
            "server memory:       peak RSS (VmHWM) {:.1} MiB; RSS now {:.1} MiB (sampled peak {:.1} MiB)",
            vm(pid, "VmHWM:").unwrap_or(0) as f64 / 1024.0,
            vm(pid, "VmRSS:").unwrap_or(0) as f64 / 1024.0,
            peak_rss as f64 / 1024.0
        );
    }
    let lost =
        counts.lost.load(Ordering::Relaxed) > 0 || in_log.is_some_and(|n| n as u64 != recorded);
    std::process::exit(i32::from(lost));
}
