//! The desktop app: Bevy for the window and the client's face, egui for everything else.
//! Screens are [`Screen`] states; each screen or concern is one plugin.

pub mod briefing;
pub mod exercise_screen;
pub mod face;
pub mod hot_reload;
pub mod library_screen;
pub mod low_power;
pub mod report_screen;
pub mod screenshot;
pub mod session_screen;
pub mod settings;
pub mod settings_screen;
pub mod theme;

use std::sync::Arc;

use bevy::prelude::*;
use bevy::window::{WindowResizeConstraints, WindowResolution};
use bevy_egui::{EguiContexts, EguiPlugin, EguiPrimaryContextPass, egui};
use changetalk_core::engine::{Session, Transcript};
use changetalk_core::score::Score;
use changetalk_core::{Scenario, score_transcript};

use crate::cli::{GuiArgs, ModeArg, ScreenArg};
use crate::library::{self, Entry};

/// The screens.
#[derive(States, Default, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Screen {
    /// The client library.
    #[default]
    Library,
    /// The chosen client's briefing.
    Briefing,
    /// The conversation.
    Session,
    /// The end-of-session report.
    Report,
    /// Preferences.
    Settings,
    /// A classroom exercise: sign-in, then its results.
    Exercise,
}

/// Practice (live feedback, rewind) or assessment (feedback at the end).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Meters, feedback after every reply, "try another reply".
    #[default]
    Practice,
    /// No hints until the report.
    Assessment,
}

impl From<changetalk_core::exercise::ExerciseMode> for Mode {
    fn from(m: changetalk_core::exercise::ExerciseMode) -> Self {
        match m {
            changetalk_core::exercise::ExerciseMode::Practice => Mode::Practice,
            changetalk_core::exercise::ExerciseMode::Assessment => Mode::Assessment,
        }
    }
}

impl Mode {
    /// "Practice" or "Assessment".
    pub fn name(self) -> &'static str {
        match self {
            Mode::Practice => "Practice",
            Mode::Assessment => "Assessment",
        }
    }
}

impl From<ModeArg> for Mode {
    fn from(m: ModeArg) -> Self {
        match m {
            ModeArg::Practice => Mode::Practice,
            ModeArg::Assessment => Mode::Assessment,
        }
    }
}

/// Every scenario file found: bundled clients, then the user's own.
#[derive(Resource, Default)]
pub struct Catalog(pub Vec<Entry>);

/// The client chosen in the library.
#[derive(Resource, Default)]
pub struct Selected(pub Option<Arc<Scenario>>);

/// The conversation in progress.
#[derive(Resource, Default)]
pub struct ActiveSession(pub Option<Play>);

/// A session being played.
pub struct Play {
    /// The engine.
    pub session: Session,
    /// Practice or assessment.
    pub mode: Mode,
    /// The scenario's index in the open exercise, when this session is part of one.
    pub exercise: Option<usize>,
}

impl Play {
    /// A new session.
    pub fn new(scenario: Arc<Scenario>, seed: u64, mode: Mode) -> Play {
        Play {
            session: Session::new(scenario, seed),
            mode,
            exercise: None,
        }
    }
}

/// The finished session shown on the report screen.
#[derive(Resource, Default)]
pub struct Report(pub Option<ReportData>);

/// What the report shows.
pub struct ReportData {
    /// The client.
    pub scenario: Arc<Scenario>,
    /// The conversation.
    pub transcript: Transcript,
    /// Its score.
    pub score: Score,
    /// Practice or assessment.
    pub mode: Mode,
    /// Result of the last export, shown to the trainee.
    pub export_message: Option<Result<String, String>>,
    /// A scenario of a classroom exercise (no "play again"; back goes to the results).
    pub from_exercise: bool,
}

impl ReportData {
    /// Scores a finished (or stopped) session.
    pub fn from_play(play: &Play) -> ReportData {
        let transcript = play.session.transcript();
        let score = score_transcript(&transcript);
        ReportData {
            scenario: Arc::clone(play.session.scenario()),
            transcript,
            score,
            mode: play.mode,
            export_message: None,
            from_exercise: play.exercise.is_some(),
        }
    }
}

/// Where the central free area of the session or briefing screen is, in logical pixels, so the
/// face can be drawn there. `None` hides the face.
#[derive(Resource, Default, Debug, Clone, Copy, PartialEq)]
pub struct FaceArea(pub Option<egui::Rect>);

/// Applies theme and text scale when settings change.
fn apply_theme(
    mut contexts: EguiContexts,
    settings: Res<settings::Settings>,
    mut clear: ResMut<ClearColor>,
    mut applied: Local<Option<settings::Settings>>,
) -> Result {
    if applied.as_ref() == Some(&*settings) {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?;
    let p = theme::Palette::for_contrast(settings.high_contrast);
    theme::apply(ctx, &p, settings.text_scale, settings.high_contrast);
    let [r, g, b, _] = p.bg.to_array();
    clear.0 = Color::srgb_u8(r, g, b);
    *applied = Some(settings.clone());
    Ok(())
}

/// Draws a clear ring around whichever widget has keyboard focus, on every screen, so
/// keyboard-only use always shows where it is.
fn focus_ring(mut contexts: EguiContexts, settings: Res<settings::Settings>) -> Result {
    let ctx = contexts.ctx_mut()?;
    let Some(id) = ctx.memory(|m| m.focused()) else {
        return Ok(());
    };
    let Some(r) = ctx.read_response(id) else {
        return Ok(());
    };
    let p = palette(&settings);
    let width = if settings.high_contrast { 4.0 } else { 3.0 };
    ctx.layer_painter(egui::LayerId::new(
        egui::Order::Foreground,
        egui::Id::new("focus-ring"),
    ))
    .rect_stroke(
        r.rect.expand(3.0),
        8.0,
        egui::Stroke::new(width, p.focus),
        egui::StrokeKind::Outside,
    );
    Ok(())
}

/// The current palette.
pub fn palette(settings: &settings::Settings) -> theme::Palette {
    theme::Palette::for_contrast(settings.high_contrast)
}

/// Everything the app needs before the window opens, prepared from the command line.
#[derive(Default)]
pub struct Startup {
    /// Every scenario file found (loaded once, at start).
    pub catalog: Vec<Entry>,
    /// The screen to open.
    pub screen: Screen,
    /// Selected client.
    pub selected: Option<Arc<Scenario>>,
    /// Session, when opening on the session or report screen.
    pub play: Option<Play>,
    /// Report, when opening on the report screen.
    pub report: Option<ReportData>,
    /// The classroom exercise opened with `--exercise`.
    pub exercise: Option<exercise_screen::ExerciseRun>,
    /// Lines for the terminal once the window is sure to open (a resumed exercise, a draft
    /// that does not load yet).
    pub notes: Vec<String>,
}

/// Resolves the command line into a starting screen; errors are for the terminal.
pub fn prepare(args: &GuiArgs, mut catalog: Vec<Entry>) -> Result<Startup, String> {
    if let Some(path) = &args.exercise {
        return prepare_exercise(args, path, catalog);
    }
    let screen = match args.screen.unwrap_or(if args.scenario.is_some() {
        if args.choices.is_some() || args.auto.is_some() {
            ScreenArg::Session
        } else {
            ScreenArg::Briefing
        }
    } else {
        ScreenArg::Library
    }) {
        ScreenArg::Library => Screen::Library,
        ScreenArg::Briefing => Screen::Briefing,
        ScreenArg::Session => Screen::Session,
        ScreenArg::Report => Screen::Report,
        ScreenArg::Settings => Screen::Settings,
    };
    let needs_scenario = matches!(screen, Screen::Briefing | Screen::Session | Screen::Report);
    let selected = match &args.scenario {
        // A file is added to the catalog, so it is watched and reloads when saved.
        Some(s) if library::looks_like_path(s) => {
            let path = std::path::Path::new(s);
            let entry = match catalog.iter().position(|e| e.path() == Some(path)) {
                Some(i) => catalog[i].clone(),
                None => {
                    let e = library::load_file(path);
                    catalog.push(e.clone());
                    e
                }
            };
            match entry.loaded {
                Ok(s) => Some(s),
                // An instructor opening a draft that does not load yet: the app opens on the
                // library, where the file's card shows its diagnostics and turns into the
                // client as soon as the file is fixed and saved. Scripts (screenshots) fail.
                Err(mut notes) if args.screenshot.is_none() && path.is_file() => {
                    notes.push(
                        "changetalk: opening the library; the file reloads when you save it".into(),
                    );
                    return Ok(Startup {
                        catalog,
                        screen: Screen::Library,
                        notes,
                        ..Startup::default()
                    });
                }
                Err(errs) => return Err(errs.join("\n")),
            }
        }
        Some(s) => Some(library::find_id(s, &catalog)?),
        None if needs_scenario => {
            // Default to the first client that loads.
            catalog.iter().find_map(|e| e.loaded.as_ref().ok().cloned())
        }
        None => None,
    };
    if needs_scenario && selected.is_none() {
        return Err("no scenario to show: pass --scenario ID_OR_FILE".into());
    }
    let mut play = None;
    let mut report = None;
    if let (Some(s), true) = (
        &selected,
        matches!(screen, Screen::Session | Screen::Report),
    ) {
        let mut p = Play::new(Arc::clone(s), args.seed, args.mode.into());
        if let Some(auto) = args.auto {
            p.session
                .auto_play(auto.into(), changetalk_core::engine::MAX_AUTO_TURNS);
        } else if let Some(choices) = &args.choices {
            for c in choices {
                if p.session.is_over() {
                    return Err(format!(
                        "the session ended before all {} choices were played",
                        choices.len()
                    ));
                }
                p.session.choose(*c).map_err(|e| e.to_string())?;
            }
        }
        if screen == Screen::Report {
            p.session.stop();
            report = Some(ReportData::from_play(&p));
        }
        play = Some(p);
    }
    Ok(Startup {
        catalog,
        screen,
        selected,
        play,
        report,
        ..Startup::default()
    })
}

/// `gui --exercise FILE [--student NAME --id ID [--choices …]]`: the exercise's sign-in page,
/// or, with a student, straight into their (resumed) attempt.
fn prepare_exercise(
    args: &GuiArgs,
    path: &std::path::Path,
    catalog: Vec<Entry>,
) -> Result<Startup, String> {
    let mut run = exercise_screen::open(path, args.results.clone())?;
    let mut play = None;
    let mut screen = Screen::Exercise;
    let mut notes = Vec::new();
    if let (Some(name), Some(id)) = (&args.student, &args.id) {
        run.name = name.clone();
        run.id = id.clone();
        play = run.start();
        if run.attempt.is_none() && run.outcome.is_none() {
            return Err(run.message.unwrap_or_default());
        }
        if let Some(a) = &run.attempt
            && a.resumed
        {
            let restored: usize = a.record.scenarios.iter().map(|r| r.choices.len()).sum();
            let at = play.as_ref().map_or_else(
                || "every scenario is over".to_string(),
                |p| {
                    format!(
                        "scenario {} of {}, turn {}",
                        p.exercise.unwrap_or(0) + 1,
                        run.len(),
                        p.session.turns().len() + 1
                    )
                },
            );
            notes.push(format!(
                "changetalk: resuming {} for `{}` at {at} ({restored} earlier repl{} restored from {})",
                run.loaded.file_name,
                a.record.student.id,
                if restored == 1 { "y" } else { "ies" },
                a.progress_path.display()
            ));
        }
        // Replies given on the command line (`--choices`, or `--auto` for every client) are
        // played and saved one by one, exactly as if they were clicked.
        let given = args.choices.as_deref().unwrap_or_default();
        play = run.play_given(
            play,
            given,
            args.auto.map(changetalk_core::AutoPolicy::from),
        )?;
        if play.is_some() {
            screen = Screen::Session;
        }
    }
    if let Some(s) = args.screen {
        screen = match s {
            ScreenArg::Library => Screen::Library,
            ScreenArg::Settings => Screen::Settings,
            ScreenArg::Session if play.is_some() => Screen::Session,
            _ => screen,
        };
    }
    Ok(Startup {
        catalog,
        screen,
        play,
        exercise: Some(run),
        notes,
        ..Startup::default()
    })
}

/// Builds the app (without running it). `size` is in physical pixels when given.
pub fn build_app(args: &GuiArgs, start: Startup) -> App {
    let (w, h) = args.size.unwrap_or((1280, 800));
    let mut resolution = WindowResolution::new(w, h);
    if args.screenshot.is_some() || args.size.is_some() {
        resolution = resolution.with_scale_factor_override(1.0);
    }
    let mut app = App::new();
    app.add_plugins(
        DefaultPlugins
            .set(WindowPlugin {
                primary_window: Some(Window {
                    title: "ChangeTalk — motivational interviewing practice".into(),
                    resolution,
                    resize_constraints: WindowResizeConstraints {
                        min_width: 1024.0,
                        min_height: 640.0,
                        ..default()
                    },
                    ..default()
                }),
                ..default()
            })
            .set(bevy::log::LogPlugin {
                level: bevy::log::Level::WARN,
                filter: "wgpu=error,naga=warn,bevy_render=warn".into(),
                ..default()
            }),
    );
    app.add_plugins(EguiPlugin::default());
    let paths = settings::Paths::discover();
    let mut prefs = settings::Settings::load(&paths);
    if args.instructor {
        prefs.instructor_mode = true;
    }
    app.insert_resource(prefs)
        .insert_resource(settings::Progress::load(&paths))
        .insert_resource(paths)
        .insert_resource(Catalog(start.catalog))
        .insert_resource(Selected(start.selected))
        .insert_resource(ActiveSession(start.play))
        .insert_resource(Report(start.report))
        .insert_resource(exercise_screen::ActiveExercise(start.exercise))
        .init_resource::<FaceArea>()
        .insert_state(start.screen)
        .add_systems(bevy::app::Startup, |mut commands: Commands| {
            commands.spawn(Camera2d);
        })
        .add_systems(
            EguiPrimaryContextPass,
            (apply_theme.before(ScreenUi), focus_ring.after(ScreenUi)),
        );
    app.configure_sets(EguiPrimaryContextPass, ScreenUi);
    app.add_plugins((
        settings::plugin,
        low_power::plugin,
        face::plugin,
        library_screen::plugin,
        briefing::plugin,
        session_screen::plugin,
        report_screen::plugin,
        settings_screen::plugin,
        exercise_screen::plugin,
        hot_reload::plugin,
    ));
    if let Some(path) = &args.screenshot {
        screenshot::install(&mut app, path.clone());
    }
    first_frame_exit(&mut app);
    if std::env::var_os("CHANGETALK_FRAME_LOG").is_some() {
        app.add_systems(Last, |mut n: Local<u64>, time: Res<Time<Real>>| {
            *n += 1;
            eprintln!("frame {} at {:.3}s", *n, time.elapsed_secs_f64());
        });
    }
    app
}

/// System set of the screens' egui systems (after the theme is applied).
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct ScreenUi;

/// Opens the app; returns the exit code.
pub fn run(args: GuiArgs) -> i32 {
    let start = match prepare(&args, library::all()) {
        Ok(s) => s,
        Err(e) => {
            library::report_error(&e);
            return 1;
        }
    };
    // Arguments are checked first. The app is built for X11 (XWayland on Wayland desktops); without a display winit can only
    // panic, so say what is needed instead.
    if cfg!(all(unix, not(target_os = "macos")))
        && std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty())
    {
        eprintln!(
            "error: no display: the desktop app needs a graphical session (DISPLAY is not set; on Wayland, XWayland provides it).\n\
             In a terminal, use `changetalk play ID`; to render a screen without a monitor, run under `xvfb-run`."
        );
        return 1;
    }
    for note in &start.notes {
        eprintln!("{note}");
    }
    let mut app = build_app(&args, start);
    match app.run() {
        AppExit::Success => 0,
        AppExit::Error(code) => i32::from(code.get()),
    }
}

/// A root `Ui` covering the whole window, for showing panels (egui 0.36 shows panels inside a Ui).
pub fn root_ui(ctx: &egui::Context) -> egui::Ui {
    egui::Ui::new(
        ctx.clone(),
        "changetalk-root".into(),
        egui::UiBuilder::new()
            .layer_id(egui::LayerId::background())
            .max_rect(ctx.viewport_rect()),
    )
}

/// Shows a whole-window page (library, exercise, report, settings) with the theme's margins;
/// returns what `add` returns.
pub fn show_page<R>(
    ctx: &egui::Context,
    p: &theme::Palette,
    add: impl FnOnce(&mut egui::Ui) -> R,
) -> R {
    let mut root = root_ui(ctx);
    egui::CentralPanel::default()
        .frame(theme::page(p))
        .show(&mut root, add)
        .inner
}

/// With `CHANGETALK_FIRST_FRAME_EXIT=1`, exits as soon as the first frame has been rendered
/// (used by `scripts/measure-app.sh` to time start-up against a bare bevy_egui window).
pub fn first_frame_exit(app: &mut App) {
    if std::env::var_os("CHANGETALK_FIRST_FRAME_EXIT").is_none() {
        return;
    }
    app.insert_resource(bevy::winit::WinitSettings::continuous());
    app.add_systems(
        Last,
        |mut frames: Local<u32>, mut exit: MessageWriter<AppExit>| {
            *frames += 1;
            // Frame 1 is extracted and rendered while frame 2 updates: by the end of update 2
            // the first frame has been presented.
            if *frames == 2 {
                exit.write(AppExit::Success);
            }
        },
    );
}
