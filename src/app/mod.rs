//! The desktop app: Bevy for the window and the client's face, egui for everything else.
//!
//! - `conversation`: what the session screen draws from — a conversation played here or one
//!   held by a class server (`class`, for `gui --join`);
//! - `state`: the screens (a Bevy state, with the exercise page and "the face is shown"
//!   derived from it) and what the app holds;
//! - `screens/`: one plugin per screen; they only draw and send actions;
//! - `flow`: every action handled, every change of screen, in one system set;
//! - `exercise`: an open classroom exercise, over the classroom driver;
//! - `face/`, `hot_reload`, `identity` (app id and window icon), `settings`, `low_power`
//!   (the one writer of `WinitSettings`), `screenshot`, `theme` (colours and shared widgets);
//! - `options` and `startup`: what the command line asks, resolved into the first screen.
//!
//! Imports run one way: `state`, `settings` and `theme` at the bottom; the screens above
//! them; `flow` above the screens; this file wires them. The app never imports the command
//! line: the command line fills in [`Options`].

pub mod class;
pub mod conversation;
pub mod course;
pub mod course_views;
pub mod editor;
pub mod exercise;
pub mod face;
pub mod flow;
pub mod hot_reload;
pub mod identity;
pub mod low_power;
pub mod options;
pub mod screens;
pub mod screenshot;
pub mod settings;
pub mod startup;
pub mod state;
pub mod theme;

use bevy::prelude::*;
use bevy::window::{WindowResizeConstraints, WindowResolution};
use bevy_egui::EguiPlugin;

pub use low_power::first_frame_exit;
pub use options::Options;
pub use startup::{Startup, prepare};
pub use state::{Mode, Screen};
pub use theme::root_ui;

use crate::library;

/// Builds the app (without running it). `size` is in physical pixels when given.
pub fn build_app(options: &Options, start: Startup) -> App {
    let (w, h) = options.size.unwrap_or((1280, 800));
    let mut resolution = WindowResolution::new(w, h);
    if options.screenshot.is_some() || options.size.is_some() {
        resolution = resolution.with_scale_factor_override(1.0);
    }
    let mut app = App::new();
    app.add_plugins(
        DefaultPlugins
            .set(WindowPlugin {
                primary_window: Some(Window {
                    title: "ChangeTalk — motivational interviewing practice".into(),
                    name: Some(identity::APP_ID.into()),
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
    if options.instructor {
        prefs.instructor_mode = true;
    }
    if let Some(t) = options.text_scale {
        prefs.text_scale = t.clamp(1.0, 2.0);
    }
    let page = (start.screen == Screen::Exercise).then(|| start.exercise_page());
    app.insert_resource(prefs)
        .insert_resource(settings::Progress::load(&paths))
        .insert_resource(paths)
        .insert_resource(state::Catalog(start.catalog))
        .insert_state(start.screen);
    if let Some(s) = start.selected {
        app.insert_resource(state::Selected(s));
    }
    if let Some(p) = start.play {
        app.insert_resource(p);
    }
    if let Some(r) = start.report {
        app.insert_resource(r);
    }
    if let Some(run) = start.exercise {
        app.insert_resource(run);
    }
    if let Some(run) = start.class {
        app.insert_resource(run);
    }
    if let Some(ed) = start.editor {
        app.insert_resource(ed);
    }
    app.add_systems(bevy::app::Startup, |mut commands: Commands| {
        commands.spawn(Camera2d);
    });
    app.add_systems(bevy::app::Startup, wake_for_class_server);
    app.add_plugins((
        flow::plugin,
        course_views::plugin,
        theme::plugin,
        screens::plugin,
        settings::plugin,
        low_power::plugin,
        face::plugin,
        hot_reload::plugin,
        identity::plugin,
    ));
    if let Some(page) = page {
        app.world_mut()
            .resource_mut::<NextState<state::ExercisePage>>()
            .set(page);
    }
    if let Some(path) = &options.screenshot {
        screenshot::install(&mut app, path.clone(), options.layout.clone());
    }
    if std::env::var_os("CHANGETALK_FRAME_LOG").is_some() {
        app.add_systems(Last, |mut n: Local<u64>, time: Res<Time<Real>>| {
            *n += 1;
            eprintln!("frame {} at {:.3}s", *n, time.elapsed_secs_f64());
        });
    }
    app
}

/// An answer from the class server wakes the window (it sleeps until input otherwise).
fn wake_for_class_server(
    run: Option<Res<class::ClassRun>>,
    proxy: Option<Res<bevy::winit::EventLoopProxyWrapper>>,
) {
    if let (Some(run), Some(proxy)) = (run, proxy) {
        let proxy = (**proxy).clone();
        run.waker().set(move || {
            let _ = proxy.send_event(bevy::winit::WinitUserEvent::WakeUp);
        });
    }
}

/// Opens the app; returns the exit code.
pub fn run(options: Options) -> i32 {
    let catalog = library::all();
    let start = match prepare(&options, catalog) {
        Ok(s) => s,
        Err(e) => {
            library::report_error(&e);
            return 1;
        }
    };
    // Options are checked first. The app is built for X11 (XWayland on Wayland desktops);
    // without a display winit can only panic, so say what is needed instead.
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
    let mut app = build_app(&options, start);
    match app.run() {
        AppExit::Success => 0,
        AppExit::Error(code) => i32::from(code.get()),
    }
}
