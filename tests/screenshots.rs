//! Every screen rendered in a real window under Xvfb with Mesa's software Vulkan, written to a
//! PNG by `changetalk gui --screenshot`, and checked: the requested size, and not blank.
#![cfg(feature = "gui")]

mod common;

use std::path::Path;
use std::process::Command;

fn shoot(out: &Path, args: &[&str]) {
    let home = tempfile::tempdir().unwrap();
    let o = Command::new("xvfb-run")
        .args([
            "-a",
            "-s",
            "-screen 0 1920x1200x24",
            env!("CARGO_BIN_EXE_changetalk"),
            "gui",
            "--screenshot",
        ])
        .arg(out)
        .args(args)
        .env("CHANGETALK_HOME", home.path())
        .output()
        .expect("xvfb-run runs");
    assert!(
        o.status.success(),
        "screenshot {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Checks the size and that the picture has real content: many colours and enough pixels
/// that differ from the background.
fn check(path: &Path, w: u32, h: u32) {
    let img = image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8();
    assert_eq!(
        (img.width(), img.height()),
        (w, h),
        "{} has the wrong size",
        path.display()
    );
    let bg = *img.get_pixel(0, h - 1);
    let differing = img.pixels().filter(|p| **p != bg).count();
    let mut colours: Vec<[u8; 3]> = img.pixels().map(|p| p.0).collect();
    colours.sort_unstable();
    colours.dedup();
    assert!(
        differing > (w * h / 20) as usize,
        "{} is nearly blank ({differing} pixels differ)",
        path.display()
    );
    assert!(
        colours.len() > 64,
        "{} has only {} colours",
        path.display(),
        colours.len()
    );
}

#[test]
fn every_screen_renders_at_the_requested_size() {
    if !common::have_xvfb() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[&str], (u32, u32)); 6] = [
        (
            "library",
            &["--screen", "library", "--size", "1024x640"],
            (1024, 640),
        ),
        (
            "briefing",
            &[
                "--screen",
                "briefing",
                "--scenario",
                "recovery-burnout",
                "--size",
                "1024x640",
            ],
            (1024, 640),
        ),
        (
            "session",
            &[
                "--screen",
                "session",
                "--scenario",
                "court-ordered-dui",
                "--choices",
                "1,2",
                "--size",
                "1024x640",
            ],
            (1024, 640),
        ),
        (
            "report",
            &[
                "--screen",
                "report",
                "--scenario",
                "recovery-burnout",
                "--auto",
                "best",
                "--size",
                "1280x800",
            ],
            (1280, 800),
        ),
        (
            "settings",
            &["--screen", "settings", "--size", "1024x640"],
            (1024, 640),
        ),
        (
            "session-assessment",
            &[
                "--screen",
                "session",
                "--scenario",
                "recovery-burnout",
                "--mode",
                "assessment",
                "--choices",
                "1",
                "--size",
                "1366x768",
            ],
            (1366, 768),
        ),
    ];
    for (name, args, (w, h)) in cases {
        let out = dir.path().join(format!("{name}.png"));
        shoot(&out, args);
        check(&out, w, h);
    }
    // Instructor mode, and a classroom exercise's sign-in, session and results pages.
    let ex = common::two_client_exercise(dir.path(), "week5", &[]);
    let ex = ex.to_str().unwrap();
    let results = dir.path().join("results");
    let results = results.to_str().unwrap();
    let more: [(&str, Vec<&str>); 4] = [
        (
            "instructor",
            vec![
                "--scenario",
                "court-ordered-dui",
                "--screen",
                "session",
                "--choices",
                "1",
                "--instructor",
            ],
        ),
        ("exercise-sign-in", vec!["--exercise", ex]),
        (
            "exercise-session",
            vec![
                "--exercise",
                ex,
                "--student",
                "Sam Lee",
                "--id",
                "s1",
                "--results",
                results,
                "--choices",
                "2,1",
            ],
        ),
        (
            "exercise-results",
            vec![
                "--exercise",
                ex,
                "--student",
                "Ana Ruiz",
                "--id",
                "s2",
                "--results",
                results,
                "--auto",
                "best",
            ],
        ),
    ];
    for (name, mut args) in more {
        let out = dir.path().join(format!("{name}.png"));
        args.extend(["--size", "1024x640"]);
        shoot(&out, &args);
        check(&out, 1024, 640);
    }
}

#[test]
fn bad_arguments_fail_before_a_window_opens() {
    let o = Command::new(env!("CARGO_BIN_EXE_changetalk"))
        .args(["gui", "--screen", "session", "--scenario", "no-such-client"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no scenario file or id `no-such-client`"));
    let o = Command::new(env!("CARGO_BIN_EXE_changetalk"))
        .args(["gui", "--size", "10x10"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = Command::new(env!("CARGO_BIN_EXE_changetalk"))
        .args(["gui", "--exercise", "no-such-exercise.ron"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no-such-exercise.ron") && !err.contains("panicked"),
        "{err}"
    );
}

#[test]
fn without_a_display_the_app_says_so_instead_of_panicking() {
    let home = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_changetalk"))
        .arg("gui")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("CHANGETALK_HOME", home.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("error: no display") && !err.contains("panicked"),
        "{err}"
    );
}
