//! Screen readers: the real app, in a virtual X server with a private D-Bus session and the
//! AT-SPI registry, exposes its session screen to assistive technology (Orca reads the same
//! tree). `scripts/a11y_tree.py` lists the app's accessible tree through AT-SPI and must find
//! the client's line, every reply and the main buttons by their text.
//!
//! Needs the Debian packages named in [`PACKAGES`] (CI installs them in `.ci/run`); without
//! them the test fails and says what to install.
#![cfg(all(feature = "gui", unix))]

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use changetalk::library;
use changetalk_core::Session;

/// What the test needs from the system, as Debian packages.
const PACKAGES: &str = "xvfb xauth dbus dbus-x11 at-spi2-core python3-gi gir1.2-atspi-2.0 \
                        python3-pyatspi mesa-vulkan-drivers";

/// The Python that has `gi` (Debian's, not a virtualenv's or pyenv's).
const PYTHON: &str = "/usr/bin/python3";

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/a11y_tree.py");

/// The whole run (X server, D-Bus, app start-up, the tree) must finish within this.
const LIMIT: Duration = Duration::from_secs(180);

fn succeeds(cmd: &str, args: &[&str]) -> bool {
    Command::new(cmd)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn on_path(prog: &str) -> bool {
    succeeds("sh", &["-c", &format!("command -v {prog}")])
}

/// Fails with the packages to install when a piece of the AT-SPI stack is missing.
fn require_system() {
    let mut missing = Vec::new();
    if !on_path("xvfb-run") || !on_path("xauth") {
        missing.push("xvfb-run (xvfb, xauth)");
    }
    if !on_path("dbus-run-session") {
        missing.push("dbus-run-session (dbus, dbus-daemon)");
    }
    let launcher = [
        "/usr/libexec/at-spi-bus-launcher",
        "/usr/lib/at-spi2-core/at-spi-bus-launcher",
    ];
    if !launcher.iter().any(|p| Path::new(p).exists()) {
        missing.push("at-spi-bus-launcher (at-spi2-core)");
    }
    let import =
        "import gi; gi.require_version('Atspi', '2.0'); from gi.repository import Atspi, Gio";
    if !succeeds(PYTHON, &["-c", import]) {
        missing.push("Python's AT-SPI bindings in /usr/bin/python3 (python3-gi, gir1.2-atspi-2.0)");
    }
    assert!(
        missing.is_empty(),
        "the screen-reader test needs {}.\nInstall the Debian packages: \
         apt-get install --no-install-recommends {PACKAGES}",
        missing.join(", ")
    );
}

/// The bundled client the test opens, and the seed.
const CLIENT: &str = "court-ordered-dui";
const SEED: u64 = 1;

fn session() -> Session {
    let scenario = library::find_id(CLIENT, &library::bundled()).expect("a bundled client");
    Session::new(scenario, SEED)
}

/// The texts a screen reader must be able to read on the session screen: the client's line
/// and every reply as the core computes them, and the main buttons.
fn expected(session: &Session) -> Vec<String> {
    let line = session
        .current_line()
        .expect("the client is waiting for a reply");
    let mut texts = vec![session.scenario().title.clone(), line.text.clone()];
    let options: Vec<String> = session
        .current_options()
        .iter()
        .map(|o| o.text.clone())
        .collect();
    assert!(options.len() >= 2, "the point offers replies");
    texts.extend(options);
    texts.extend(["End session", "Library", "Settings"].map(String::from));
    // The face, described with the client's mood, and the window's own name.
    texts.push(format!(
        "{}'s face: {}",
        session.scenario().persona.name,
        line.mood.name().to_lowercase()
    ));
    texts.push("ChangeTalk — motivational interviewing practice".into());
    texts
}

/// Runs `changetalk gui ARGS` under Xvfb and a private D-Bus session in which a screen
/// reader is said to be running, and `scripts/a11y_tree.py` against it; returns its exit
/// status and everything it printed.
fn tree_check(args: &[&str], expect: &[String]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let expect_file = dir.path().join("expect.json");
    std::fs::write(
        &expect_file,
        serde_json::to_vec(expect).expect("texts serialize"),
    )
    .expect("write the expected texts");
    let app_log = dir.path().join("app.log");
    // One shell inside the session: say a screen reader runs (AccessKit exposes its tree
    // only then), start the app, read its tree, stop the app.
    let script = r#"
        "$PY" "$SCRIPT" --enable-only || exit 2
        "$APP" gui "$@" >"$APP_LOG" 2>&1 &
        app=$!
        "$PY" "$SCRIPT" --pid "$app" --timeout 90 --json "$EXPECT"
        rc=$?
        kill "$app" 2>/dev/null
        wait "$app" 2>/dev/null
        exit "$rc"
    "#;
    let mut cmd = Command::new("xvfb-run");
    cmd.args([
        "-a",
        "-s",
        "-screen 0 1280x800x24",
        "dbus-run-session",
        "--",
    ])
    .args(["sh", "-c", script, "sh"])
    .args(args)
    .env("PY", PYTHON)
    .env("SCRIPT", SCRIPT)
    .env("APP", env!("CARGO_BIN_EXE_changetalk"))
    .env("APP_LOG", &app_log)
    .env("EXPECT", &expect_file)
    .env("CHANGETALK_HOME", dir.path().join("home"))
    // Toolkits that skip AT-SPI when these are set; the app must not be told to.
    .env_remove("NO_AT_BRIDGE")
    .env_remove("GTK_A11Y")
    .env_remove("DBUS_SESSION_BUS_ADDRESS")
    .env_remove("AT_SPI_BUS_ADDRESS")
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    // Its own process group, so a run past the limit is stopped whole.
    .process_group(0);
    let mut child = cmd.spawn().expect("xvfb-run starts");
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        let mut e = String::new();
        let _ = err.read_to_string(&mut e);
        s + &e
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait for the run") {
            break Some(s);
        }
        if start.elapsed() > LIMIT {
            let _ = Command::new("kill")
                .args(["-9", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut text = reader.join().unwrap_or_default();
    let log = std::fs::read_to_string(&app_log).unwrap_or_default();
    if status.is_none() {
        text.push_str(&format!("\n(stopped after {} s)", LIMIT.as_secs()));
    }
    if !status.is_some_and(|s| s.success()) && !log.trim().is_empty() {
        text.push_str("\n--- the app said ---\n");
        text.push_str(&log);
    }
    eprintln!(
        "tree check of `gui {}` took {:.1} s",
        args.join(" "),
        start.elapsed().as_secs_f64()
    );
    (status.and_then(|s| s.code()), text)
}

/// Xvfb servers are started one at a time (`xvfb-run -a` can race for a display number).
static XVFB: Mutex<()> = Mutex::new(());

#[track_caller]
fn assert_readable(args: &[&str], expect: &[String]) {
    let _one = XVFB.lock().unwrap_or_else(|e| e.into_inner());
    let (code, out) = tree_check(args, expect);
    println!("{out}");
    assert_eq!(
        code,
        Some(0),
        "the session screen's accessible tree lacks texts a screen reader needs \
         (the tree and the missing texts are printed above)"
    );
}

#[test]
fn a_screen_reader_can_read_the_clients_line_and_every_reply() {
    require_system();
    let seed = SEED.to_string();
    let args = ["--screen", "session", "--scenario", CLIENT, "--seed", &seed];
    assert_readable(&args, &expected(&session()));
}

#[test]
fn a_screen_reader_can_read_the_feedback_on_a_reply() {
    require_system();
    // The first reply that leaves the conversation going and has a stronger one to show.
    let start = session();
    let (n, after) = (1..=start.current_options().len())
        .find_map(|n| {
            let mut s = start.clone();
            s.choose(n).ok()?;
            let turn = s.turns().last()?;
            (!s.is_over() && turn.better.is_some()).then_some((n, s))
        })
        .expect("some first reply has a stronger alternative");
    let turn = after.turns().last().expect("one turn");
    let better = turn.better.as_ref().expect("a stronger reply");
    let mut expect = expected(&after);
    expect.extend([
        turn.client.text.clone(),
        turn.reply.text.clone(),
        turn.reply.feedback.clone(),
        better.text.clone(),
        better.feedback.clone(),
        "Try another reply".to_string(),
    ]);
    let (seed, choice) = (SEED.to_string(), n.to_string());
    let args = [
        "--screen",
        "session",
        "--scenario",
        CLIENT,
        "--seed",
        &seed,
        "--choices",
        &choice,
    ];
    assert_readable(&args, &expect);
}
