//! The real app in a real window (Xvfb + Mesa's software Vulkan): killed with SIGKILL between
//! two turns of a classroom exercise, it loses nothing and resumes at the same point; and a
//! scenario file edited under the running app reloads within 2 s, and a broken edit shows
//! its diagnostic while the app keeps running.
#![cfg(feature = "gui")]

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use changetalk_core::classroom::result::parse_result;

/// Xvfb servers are started one at a time (`xvfb-run -a` can race for a display number).
static XVFB: Mutex<()> = Mutex::new(());

/// `changetalk gui ARGS` in a virtual X server. The app's process id is written to
/// `pid_file` (the shell `exec`s the app, so it keeps the shell's pid).
fn gui(home: &Path, pid_file: &Path, args: &[&str]) -> Command {
    let mut script = format!(
        "echo $$ > '{}'; exec '{}' gui",
        pid_file.display(),
        env!("CARGO_BIN_EXE_changetalk")
    );
    for a in args {
        script.push_str(&format!(" '{a}'"));
    }
    let mut c = Command::new("xvfb-run");
    c.args(["-a", "-s", "-screen 0 1280x800x24", "sh", "-c", &script])
        .env("CHANGETALK_HOME", home);
    c
}

fn wait_for(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

fn kill_app(pid_file: &Path, child: &mut Child) {
    let pid = std::fs::read_to_string(pid_file).unwrap_or_default();
    let pid = pid.trim();
    if !pid.is_empty() {
        let _ = Command::new("kill").args(["-9", pid]).status();
    }
    // xvfb-run stops its server once the app is gone.
    let _ = child.wait();
}

fn choices(path: &Path) -> Option<Vec<Vec<usize>>> {
    let rec = parse_result(&std::fs::read(path).ok()?).ok()?;
    Some(
        rec.scenarios
            .iter()
            .map(|r| r.choices.iter().map(|c| c.number).collect())
            .collect(),
    )
}

#[test]
fn the_app_killed_between_two_turns_resumes_at_the_same_point() {
    if !common::have_xvfb() {
        return;
    }
    let _x = XVFB.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let file = common::two_client_exercise(dir.path(), "week5", &[]);
    let results = dir.path().join("results");
    let progress = results.join("week5--s1.progress.json");
    let pid_file = dir.path().join("pid");
    let (f, r) = (file.to_str().unwrap(), results.to_str().unwrap());

    // Two replies, then the app sits on turn 3 until it is killed.
    let signed_in = [
        "--exercise",
        f,
        "--student",
        "Sam Lee",
        "--id",
        "s1",
        "--results",
        r,
    ];
    let mut child = gui(
        &home,
        &pid_file,
        &[&signed_in[..], &["--choices", "2,1"]].concat(),
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .expect("xvfb-run starts");
    let saved = wait_for(Duration::from_secs(120), || {
        choices(&progress) == Some(vec![vec![2, 1]])
    });
    // Let the window come up, so the kill lands in a running app, not in start-up.
    std::thread::sleep(Duration::from_secs(2));
    kill_app(&pid_file, &mut child);
    assert!(
        saved,
        "progress after two replies: {:?}",
        choices(&progress)
    );
    assert_eq!(choices(&progress), Some(vec![vec![2, 1]]), "nothing lost");

    // Reopened: the same point, every earlier reply, and the next reply is added.
    let shot = dir.path().join("resumed.png");
    let shot_arg = shot.to_str().unwrap();
    let o = gui(
        &home,
        &pid_file,
        &[
            &signed_in[..],
            &["--choices", "3", "--screenshot", shot_arg],
        ]
        .concat(),
    )
    .output()
    .expect("xvfb-run runs");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains(
            "resuming week5.ron for `s1` at scenario 1 of 2, turn 3 (2 earlier replies restored"
        ),
        "{err}"
    );
    let after = choices(&progress).expect("progress is still there");
    assert_eq!(
        after[0],
        vec![2, 1, 3],
        "the earlier replies, then the new one"
    );
    assert!(shot.exists());
}

/// Lines of the app's standard error as they arrive.
fn lines(child: &mut Child) -> Receiver<String> {
    let (tx, rx) = channel();
    let err = child.stderr.take().expect("piped");
    std::thread::spawn(move || {
        for l in BufReader::new(err).lines().map_while(Result::ok) {
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits for a line containing `needle`; the lines seen on the way.
fn expect_line(
    rx: &Receiver<String>,
    needle: &str,
    limit: Duration,
) -> Result<Vec<String>, Vec<String>> {
    let start = Instant::now();
    let mut seen = Vec::new();
    while let Some(left) = limit.checked_sub(start.elapsed()) {
        match rx.recv_timeout(left) {
            Ok(l) => {
                let hit = l.contains(needle);
                seen.push(l);
                if hit {
                    return Ok(seen);
                }
            }
            Err(_) => break,
        }
    }
    Err(seen)
}

#[test]
fn a_running_app_reloads_an_edited_scenario_within_two_seconds() {
    if !common::have_xvfb() {
        return;
    }
    let _x = XVFB.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let scenario: PathBuf = dir.path().join("dui-draft.ron");
    let original =
        std::fs::read_to_string(common::root().join("scenarios/court-ordered-dui.ron")).unwrap();
    std::fs::write(&scenario, &original).unwrap();
    let pid_file = dir.path().join("pid");
    let mut child = gui(
        &dir.path().join("home"),
        &pid_file,
        &[
            "--scenario",
            scenario.to_str().unwrap(),
            "--screen",
            "session",
        ],
    )
    .env("CHANGETALK_FRAME_LOG", "1")
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .expect("xvfb-run starts");
    let rx = lines(&mut child);
    let up = expect_line(&rx, "frame 3 ", Duration::from_secs(120));
    if up.is_err() {
        kill_app(&pid_file, &mut child);
        panic!("the app did not start: {up:?}");
    }
    // Let the app go idle (it draws nothing while idle), so the reload has to wake it.
    std::thread::sleep(Duration::from_secs(2));
    while rx.try_recv().is_ok() {}

    // A good edit.
    let edited = original.replacen("title: \"", "title: \"(draft) ", 1);
    assert_ne!(edited, original);
    let t0 = Instant::now();
    std::fs::write(&scenario, &edited).unwrap();
    let reloaded = expect_line(&rx, "changetalk: Reloaded", Duration::from_secs(10));
    let took = t0.elapsed();
    // A broken edit.
    let broken = edited.replacen("persona:", "persona_typo:", 1);
    let t1 = Instant::now();
    std::fs::write(&scenario, &broken).unwrap();
    let diag = expect_line(&rx, "error", Duration::from_secs(10));
    let took_broken = t1.elapsed();
    let more = expect_line(&rx, "persona_typo", Duration::from_secs(2));
    let alive = child.try_wait().ok().flatten().is_none();
    kill_app(&pid_file, &mut child);

    eprintln!("reload shown after {took:?}; broken edit reported after {took_broken:?}");
    let reloaded = reloaded.unwrap_or_else(|seen| panic!("no reload reported: {seen:?}"));
    assert!(
        reloaded
            .last()
            .unwrap()
            .contains("the new version is playing"),
        "{reloaded:?}"
    );
    assert!(took < Duration::from_secs(2), "the reload took {took:?}");
    let diag = diag.unwrap_or_else(|seen| panic!("no diagnostic reported: {seen:?}"));
    assert!(
        diag.last()
            .unwrap()
            .contains("; the last version that loaded stays playable"),
        "{diag:?}"
    );
    assert!(took_broken < Duration::from_secs(2), "took {took_broken:?}");
    let more = more.unwrap_or_else(|seen| panic!("no diagnostic line: {seen:?}"));
    let line = more.last().unwrap();
    assert!(
        line.starts_with(&format!("{}:", scenario.display())) && line.contains(": error: "),
        "{line}"
    );
    assert!(alive, "the app keeps running after a broken edit");
}

#[test]
fn a_draft_that_does_not_load_yet_opens_the_library_and_loads_once_fixed() {
    if !common::have_xvfb() {
        return;
    }
    let _x = XVFB.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let draft = dir.path().join("draft.ron");
    let good = std::fs::read_to_string(common::root().join("scenarios/court-ordered-dui.ron"))
        .unwrap()
        .replacen("id: \"court-ordered-dui\"", "id: \"draft\"", 1);
    std::fs::write(&draft, good.replacen("persona:", "persona_typo:", 1)).unwrap();
    let pid_file = dir.path().join("pid");
    let mut child = gui(
        &dir.path().join("home"),
        &pid_file,
        &["--scenario", draft.to_str().unwrap(), "--instructor"],
    )
    .env("CHANGETALK_FRAME_LOG", "1")
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .expect("xvfb-run starts");
    let rx = lines(&mut child);
    let opened = expect_line(&rx, "frame 3 ", Duration::from_secs(120));
    std::thread::sleep(Duration::from_secs(1));
    std::fs::write(&draft, &good).unwrap();
    let fixed = expect_line(&rx, "changetalk: Reloaded", Duration::from_secs(10));
    kill_app(&pid_file, &mut child);
    let opened = opened.unwrap_or_else(|seen| panic!("the app did not open: {seen:?}"));
    assert!(
        opened.iter().any(|l| l.contains("persona_typo")),
        "the diagnostics are printed: {opened:?}"
    );
    assert!(
        opened.iter().any(|l| l.contains("opening the library")),
        "{opened:?}"
    );
    fixed.unwrap_or_else(|seen| panic!("the fixed file was not reloaded: {seen:?}"));
}
