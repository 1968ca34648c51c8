//! Helpers shared by the end-to-end tests that run the `changetalk` binary.
#![allow(dead_code)] // each test file uses its own subset

use std::path::PathBuf;
use std::process::{Command, Output};

/// The binary, with its folders pointed away from the real user's (override per test with
/// another `CHANGETALK_HOME`).
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_changetalk"));
    c.env(
        "CHANGETALK_HOME",
        std::env::temp_dir().join("changetalk-tests-home"),
    );
    c
}

/// Runs a prepared command and fails the test if the binary panicked.
pub fn checked(c: &mut Command) -> Output {
    let out = c.output().expect("binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "the CLI panicked: {stderr}");
    out
}

/// Runs `changetalk ARGS`.
pub fn run(args: &[&str]) -> Output {
    checked(bin().args(args))
}

/// Writes `dir/<stem>.ron` with `changetalk exercise new`: the DUI client, then the
/// recovery-burnout client, with `extra` options (`--mode practice`, `--time-limit 1`…).
pub fn two_client_exercise(dir: &std::path::Path, stem: &str, extra: &[&str]) -> PathBuf {
    let f = dir.join(format!("{stem}.ron"));
    let mut args = vec![
        "exercise",
        "new",
        "--scenario",
        "court-ordered-dui",
        "recovery-burnout",
        "-o",
    ];
    let path = f.to_str().expect("temporary paths are UTF-8").to_string();
    args.push(&path);
    args.extend_from_slice(extra);
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    f
}

/// Asserts that a run failed with exit code 1 and said `needle` on standard error.
#[track_caller]
pub fn fails_with(o: &Output, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains(needle), "expected `{needle}` in:\n{err}");
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A Bevy app without a window: the app's flow (states, actions, navigation) with folders
/// under `dir`, on `screen`. Tests insert what the screen shows (a client, an exercise…).
#[cfg(feature = "gui")]
pub fn headless_app(dir: &std::path::Path, screen: changetalk::app::Screen) -> bevy::prelude::App {
    use bevy::prelude::*;
    use changetalk::app::settings::{Paths, Progress, Settings};
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, bevy::state::app::StatesPlugin));
    app.insert_resource(Paths {
        config: Some(dir.join("config")),
        data: Some(dir.join("data")),
    })
    .insert_resource(Settings::default())
    .insert_resource(Progress::default())
    .insert_state(screen)
    .add_plugins(changetalk::app::flow::plugin);
    app
}

/// Sends a message to a headless app and runs two frames (the second applies a state change).
#[cfg(feature = "gui")]
pub fn send<M: bevy::prelude::Message>(app: &mut bevy::prelude::App, m: M) {
    app.world_mut().write_message(m);
    app.update();
    app.update();
}

/// The screen a headless app is on.
#[cfg(feature = "gui")]
pub fn screen(app: &bevy::prelude::App) -> changetalk::app::Screen {
    *app.world()
        .resource::<bevy::prelude::State<changetalk::app::Screen>>()
        .get()
}

/// True when `xvfb-run` is installed, for the tests that open a real window. Without it the
/// test is skipped with a note, except in CI (`CI` set), where it must be there (`.ci/run`
/// installs it).
pub fn have_xvfb() -> bool {
    let ok = Command::new("sh")
        .args(["-c", "command -v xvfb-run"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have xvfb-run (see .ci/run)"
        );
        eprintln!("skipping: xvfb-run is not installed (apt-get install xvfb mesa-vulkan-drivers)");
    }
    ok
}
