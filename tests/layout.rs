//! Every screen in a real window under Xvfb, at 100%, 150% and 200% text and at 1024×640 and
//! 1920×1080: `changetalk gui --screenshot … --layout FILE` writes the rectangle of every
//! widget drawn, and this checks that no two widgets overlap and that none is cut off at the
//! edge of the window or of the panel that holds it.
#![cfg(feature = "gui")]

mod common;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// Widgets a trainee reads or uses, by their AccessKit role (containers and scroll bars are
/// left out: they hold the others).
const CHECKED: [&str; 11] = [
    "Label",
    "Link",
    "TextInput",
    "MultilineTextInput",
    "Button",
    "CheckBox",
    "RadioButton",
    "ComboBox",
    "Slider",
    "SpinButton",
    "ProgressIndicator",
];

/// What Tab may stop at: controls with a name a screen reader can say.
const TAB_STOPS: [&str; 9] = [
    "Button",
    "CheckBox",
    "ComboBox",
    "Link",
    "RadioButton",
    "Slider",
    "SpinButton",
    "TextInput",
    "MultilineTextInput",
];

/// Widgets that Tab stops at but should not: charts, axes, anything without a control's
/// role or a name.
fn stray_tab_stops(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let v: Value = serde_json::from_str(&text).expect("layout JSON");
    v["widgets"]
        .as_array()
        .expect("widgets")
        .iter()
        .filter(|w| w["tab_stop"] == true && w["role"] != "ScrollBar")
        .filter(|w| {
            // Value controls are named by a label beside them (AccessKit's labelled-by).
            let named = w["label"].as_str().is_some_and(|l| !l.trim().is_empty())
                || ["TextInput", "Slider", "SpinButton"]
                    .contains(&w["role"].as_str().unwrap_or(""));
            !(named && w["role"].as_str().is_some_and(|r| TAB_STOPS.contains(&r)))
        })
        .map(|w| {
            format!(
                "a tab stop that is not a named control: {} {}",
                w["role"], w["rect"]
            )
        })
        .collect()
}

/// A widget as the layout file records it.
#[derive(Debug, Clone)]
struct Widget {
    typ: String,
    label: String,
    rect: [f32; 4],
    visible: [f32; 4],
    layer: String,
}

fn area(r: [f32; 4]) -> f32 {
    (r[2] - r[0]).max(0.0) * (r[3] - r[1]).max(0.0)
}

fn intersection(a: [f32; 4], b: [f32; 4]) -> [f32; 4] {
    [
        a[0].max(b[0]),
        a[1].max(b[1]),
        a[2].min(b[2]),
        a[3].min(b[3]),
    ]
}

fn rect(v: &Value) -> [f32; 4] {
    let a = v.as_array().expect("a rectangle is an array");
    let f = |i: usize| a[i].as_f64().expect("a number") as f32;
    [f(0), f(1), f(2), f(3)]
}

/// The checked widgets of one layout file, and the window's size.
fn read_layout(path: &Path) -> (Vec<Widget>, f32, f32) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v: Value = serde_json::from_str(&text).expect("layout JSON");
    let window = v["window"].as_array().expect("window size");
    let (w, h) = (
        window[0].as_f64().unwrap() as f32,
        window[1].as_f64().unwrap() as f32,
    );
    let widgets = v["widgets"]
        .as_array()
        .expect("widgets")
        .iter()
        .filter(|w| w["order"] == "Background" || w["order"] == "Middle")
        .filter_map(|w| {
            let typ = w["role"].as_str()?.to_string();
            CHECKED.contains(&typ.as_str()).then(|| Widget {
                typ,
                label: w["label"].as_str().unwrap_or("").to_string(),
                rect: rect(&w["rect"]),
                visible: rect(&w["visible"]),
                layer: w["layer"].as_str().unwrap_or("").to_string(),
            })
        })
        .collect();
    (widgets, w, h)
}

/// What is wrong with one screen's layout: overlapping widgets, widgets cut off.
fn problems(widgets: &[Widget], w: f32, h: f32) -> Vec<String> {
    let mut out = Vec::new();
    let name = |x: &Widget| format!("{} {:?} at {:?}", x.typ, x.label, x.rect);
    for x in widgets {
        // Cut off sideways: by the window, or by the panel or card that holds it. (Vertical
        // clipping is a scroll area doing its job; the window's own bottom edge is checked.)
        let clipped_x = (x.rect[2] - x.rect[0]) - (x.visible[2] - x.visible[0]);
        if area(x.visible) > 0.0 && clipped_x > 1.5 {
            out.push(format!(
                "cut off at the side by {clipped_x:.0} px: {}",
                name(x)
            ));
        }
        if x.rect[2] > w + 0.5 || x.rect[0] < -0.5 {
            out.push(format!("outside the window: {}", name(x)));
        }
        // Text broken letter by letter into a column ("c a n n a b i s").
        let (rw, rh) = (x.rect[2] - x.rect[0], x.rect[3] - x.rect[1]);
        let longest_word = x.label.split_whitespace().map(|w| w.chars().count()).max();
        if longest_word.is_some_and(|n| n >= 3) && rw >= 1.0 && rh > 2.5 * rw {
            out.push(format!("text broken into a column: {}", name(x)));
        }
        let not_scrolled = (x.visible[3] - x.visible[1]) >= (x.rect[3] - x.rect[1]) - 0.5;
        if not_scrolled && x.rect[3] > h + 0.5 {
            out.push(format!("below the window's bottom edge: {}", name(x)));
        }
    }
    for (i, a) in widgets.iter().enumerate() {
        for b in &widgets[i + 1..] {
            if a.layer != b.layer {
                continue;
            }
            let overlap = area(intersection(a.visible, b.visible));
            if overlap > 4.0 {
                out.push(format!(
                    "overlap of {overlap:.0} px²: {} and {}",
                    name(a),
                    name(b)
                ));
            }
        }
    }
    out
}

/// Renders one screen and returns its layout problems.
fn check_screen(
    dir: &Path,
    name: &str,
    args: &[String],
    text: u16,
    size: (u32, u32),
) -> Vec<String> {
    let home = tempfile::tempdir().unwrap();
    let stem = format!("{name}-{text}-{}x{}", size.0, size.1);
    let png = dir.join(format!("{stem}.png"));
    let layout = dir.join(format!("{stem}.json"));
    let o = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1920x1200x24"])
        .arg(env!("CARGO_BIN_EXE_changetalk"))
        .args(["gui", "--screenshot"])
        .arg(&png)
        .arg("--layout")
        .arg(&layout)
        .args(["--text-size", &text.to_string()])
        .args(["--size", &format!("{}x{}", size.0, size.1)])
        .args(args)
        .env("CHANGETALK_HOME", home.path())
        .output()
        .expect("xvfb-run runs");
    assert!(
        o.status.success(),
        "{stem} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let (widgets, w, h) = read_layout(&layout);
    assert_eq!(
        (w, h),
        (size.0 as f32, size.1 as f32),
        "{stem}: window size"
    );
    assert!(
        widgets.len() >= 5,
        "{stem}: only {} widgets recorded",
        widgets.len()
    );
    problems(&widgets, w, h)
        .into_iter()
        .chain(stray_tab_stops(&layout))
        .map(|p| format!("{stem}: {p}"))
        .collect()
}

#[test]
fn no_screen_overlaps_or_cuts_off_at_any_text_size_or_window_size() {
    if !common::have_xvfb() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ex = common::two_client_exercise(dir.path(), "week5", &[]);
    let ex = ex.to_str().unwrap().to_string();
    let results = dir.path().join("results");
    let results = results.to_str().unwrap().to_string();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let screens: Vec<(&str, Vec<String>)> = vec![
        ("library", s(&["--screen", "library"])),
        (
            "briefing",
            s(&["--screen", "briefing", "--scenario", "recovery-burnout"]),
        ),
        (
            "session",
            s(&[
                "--screen",
                "session",
                "--scenario",
                "court-ordered-dui",
                "--choices",
                "1,1,2",
            ]),
        ),
        (
            "session-assessment",
            s(&[
                "--screen",
                "session",
                "--scenario",
                "recovery-burnout",
                "--mode",
                "assessment",
                "--choices",
                "1",
            ]),
        ),
        (
            "instructor",
            s(&[
                "--screen",
                "session",
                "--scenario",
                "court-ordered-dui",
                "--choices",
                "1",
                "--instructor",
            ]),
        ),
        (
            "report",
            s(&[
                "--screen",
                "report",
                "--scenario",
                "recovery-burnout",
                "--auto",
                "best",
            ]),
        ),
        ("settings", s(&["--screen", "settings"])),
        ("exercise-sign-in", s(&["--exercise", &ex])),
        (
            "exercise-results",
            s(&[
                "--exercise",
                &ex,
                "--student",
                "Ana Ruiz",
                "--id",
                "s2",
                "--results",
                &results,
                "--auto",
                "best",
            ]),
        ),
    ];
    let keep = std::env::var_os("CHANGETALK_LAYOUT_OUT").map(std::path::PathBuf::from);
    let out_dir = keep.as_deref().unwrap_or(dir.path());
    std::fs::create_dir_all(out_dir).unwrap();
    let mut all = Vec::new();
    for (name, args) in &screens {
        for text in [100, 150, 200] {
            for size in [(1024, 640), (1920, 1080)] {
                all.extend(check_screen(out_dir, name, args, text, size));
            }
        }
    }
    assert!(
        all.is_empty(),
        "{} layout problems:\n{}",
        all.len(),
        all.join("\n")
    );
}

#[test]
fn the_checker_finds_an_overlap_and_a_cut_off_widget() {
    let w = |typ: &str, rect: [f32; 4], visible: [f32; 4]| Widget {
        typ: typ.into(),
        label: String::new(),
        rect,
        visible,
        layer: "a".into(),
    };
    let fine = [
        w("Button", [0., 0., 100., 30.], [0., 0., 100., 30.]),
        w("Label", [108., 0., 300., 30.], [108., 0., 300., 30.]),
    ];
    assert!(problems(&fine, 1024., 640.).is_empty());
    let overlapping = [
        w("Button", [0., 0., 100., 30.], [0., 0., 100., 30.]),
        w("Label", [60., 10., 300., 30.], [60., 10., 300., 30.]),
    ];
    assert_eq!(problems(&overlapping, 1024., 640.).len(), 1);
    let cut = [w("Label", [900., 0., 1100., 30.], [900., 0., 1024., 30.])];
    assert_eq!(problems(&cut, 1024., 640.).len(), 2, "clipped and outside");
    let mut column = w("Label", [10., 10., 24., 130.], [10., 10., 24., 130.]);
    column.label = "good".into();
    assert_eq!(
        problems(&[column], 1024., 640.).len(),
        1,
        "a word in a column"
    );
}
