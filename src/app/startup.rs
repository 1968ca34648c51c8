//! From the options to the first screen: the client, conversation, report or exercise the
//! app opens on, prepared before the window opens so that bad options fail in the terminal.

use crate::files::FileError;
use std::path::Path;
use std::sync::Arc;

use changetalk_core::Scenario;

use super::class::ClassRun;
use super::exercise::{ExerciseRun, needs_briefing};
use super::options::Options;
use super::state::{ExercisePage, Play, Report, Screen};
use crate::library::{self, Entry};

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
    pub report: Option<Report>,
    /// The classroom exercise opened with `--exercise`.
    pub exercise: Option<ExerciseRun>,
    /// The class server to join (`--join`).
    pub class: Option<ClassRun>,
    /// The scenario editor on `--edit FILE`.
    pub editor: Option<super::editor::Editor>,
    /// Lines for the terminal once the window is sure to open (a resumed exercise, a draft
    /// that does not load yet).
    pub notes: Vec<String>,
}

/// Resolves the options into a starting screen; errors are for the terminal.
pub fn prepare(args: &Options, mut catalog: Vec<Entry>) -> Result<Startup, String> {
    if let Some(server) = &args.join {
        let mut run = ClassRun::new(server)?;
        if let Some(code) = &args.join_code {
            run.send(super::class::Step::Join(code.clone()));
        }
        return Ok(Startup {
            catalog,
            screen: Screen::Class,
            class: Some(run),
            ..Startup::default()
        });
    }
    if let Some(path) = &args.exercise {
        return prepare_exercise(args, path, catalog);
    }
    if let Some(path) = &args.edit {
        let mut ed = super::flow::open_editor(path)?;
        if let Some(id) = &args.edit_point
            && !ed.select_point(id)
        {
            return Err(FileError::plain(format!(
                "there is no point `{id}` in {}",
                path.display()
            ))
            .to_string());
        }
        return Ok(Startup {
            catalog,
            screen: Screen::Editor,
            editor: Some(ed),
            ..Startup::default()
        });
    }
    let screen = match args.screen {
        // Without a client there is no exercise page to open.
        Some(Screen::Exercise) => Screen::Library,
        Some(s) => s,
        None if args.scenario.is_none() => Screen::Library,
        None if args.choices.is_some() || args.auto.is_some() || !args.say.is_empty() => {
            Screen::Session
        }
        None => Screen::Briefing,
    };
    let needs_scenario = matches!(screen, Screen::Briefing | Screen::Session | Screen::Report);
    let selected = match &args.scenario {
        // A file is added to the catalog, so it is watched and reloads when saved.
        Some(s) if library::looks_like_path(s) => {
            let path = Path::new(s);
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
        return Err(
            FileError::plain("no scenario to show: pass --scenario ID_OR_FILE").to_string(),
        );
    }
    let mut play = None;
    let mut report = None;
    if let (Some(s), true) = (
        &selected,
        matches!(screen, Screen::Session | Screen::Report),
    ) {
        let mut p = if s.is_course() {
            course_play(s, &catalog, args)?
        } else if args.session.is_some_and(|n| n != 1) {
            return Err(FileError::plain(format!(
                "`{}` has one session: --session needs a course",
                s.id
            ))
            .to_string());
        } else {
            Play::new(Arc::clone(s), args.seed, args.mode)
        };
        if let Some(auto) = args.auto {
            p.session
                .auto_play(auto, changetalk_core::engine::MAX_AUTO_TURNS);
        } else if let Some(choices) = &args.choices {
            for c in choices {
                if p.session.is_over() {
                    return Err(FileError::plain(format!(
                        "the session ended before all {} were played",
                        crate::app::theme::count(choices.len(), "choice", "choices")
                    ))
                    .to_string());
                }
                p.session
                    .choose(*c)
                    .map_err(|e| FileError::plain(e.to_string()).to_string())?;
            }
        }
        // Replies typed in the trainee's own words, after any numbered ones (the nearest
        // scripted reply is taken when the coder is unsure).
        if !args.say.is_empty() {
            let coder = crate::free_text::coder();
            for text in &args.say {
                let u = crate::free_text::understand(coder, &p.session, text);
                let Some(n) = u.nearest() else {
                    return Err(FileError::plain(format!(
                        "the session ended before the typed reply “{text}”"
                    ))
                    .to_string());
                };
                p.session
                    .say(u.reply, n)
                    .map_err(|e| FileError::plain(e.to_string()).to_string())?;
            }
        }
        if screen == Screen::Report {
            p.session.stop();
            report = Some(Report::from_play(&p));
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

/// A course's session to open: `--session N` (default 1) after the model conversation of the
/// sessions before it, as `play --session N`.
fn course_play(
    s: &Arc<changetalk_core::Scenario>,
    catalog: &[library::Entry],
    args: &Options,
) -> Result<Play, String> {
    use changetalk_core::engine::course::Course;
    let n = args.session.unwrap_or(1);
    let count = s.session_count();
    if n == 0 || n > count {
        return Err(FileError::plain(format!(
            "there is no session {n}: this client has {count} sessions; choose 1 to {count}"
        ))
        .to_string());
    }
    let mut course = Course::new(Arc::clone(s), args.seed);
    while !course.is_over() && course.current_number() < n {
        course.auto_play_session(changetalk_core::engine::session::AutoPolicy::Best);
    }
    let key = crate::app::course::course_key(catalog, s);
    match Play::in_course(&course, key, args.mode) {
        Some(p) if course.current_number() == n => Ok(p),
        _ => Err(FileError::plain(format!(
            "the model conversation of the earlier sessions does not reach session {n}: {}",
            course.record().end.message
        ))
        .to_string()),
    }
}

/// `gui --exercise FILE [--student NAME --id ID [--choices …]]`: the exercise's sign-in page,
/// or, with a student, straight into their (resumed) attempt: the next client's briefing, or
/// the conversation where it stopped. A student who has finished sees their results; one whose
/// saved progress has another name is asked which name to use.
fn prepare_exercise(args: &Options, path: &Path, catalog: Vec<Entry>) -> Result<Startup, String> {
    let mut run = ExerciseRun::open(path, args.results.clone())?;
    let mut play = None;
    let mut screen = Screen::Exercise;
    let mut notes = Vec::new();
    let scripted = args.choices.is_some() || args.auto.is_some();
    if let (Some(name), Some(id)) = (&args.student, &args.id) {
        play = run.sign_in(name, id);
        if let Some(c) = &run.conflict {
            if scripted {
                return Err(FileError::plain(format!(
                    "student `{}` has saved progress under the name `{}`, not `{}`: pass --student \"{}\" to continue it with replies from the command line, or open it without --choices/--auto to choose the name in the window",
                    c.id(),
                    c.saved,
                    c.typed,
                    c.saved
                ))
                .to_string());
            }
            notes.push(format!(
                "changetalk: `{}` has saved progress under the name `{}`; the window asks which name to use",
                c.id(),
                c.saved
            ));
        } else if run.attempt.is_none() && run.outcome.is_none() {
            let why = run
                .message
                .take()
                .unwrap_or_else(|| format!("student `{id}` cannot start {}", run.loaded.file_name));
            return Err(FileError::plain(why).to_string());
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
        if run.attempt.is_none() && run.outcome.is_some() {
            // Finished before: the results page, replayed from the result file; there is
            // nothing left to play.
            if scripted {
                notes.push(format!(
                    "changetalk: `{id}` has already completed {}; showing the results (the replies given are not played)",
                    run.loaded.file_name
                ));
            }
        } else {
            // Replies given on the command line (`--choices`, or `--auto` for every client)
            // are played and saved one by one, exactly as if they were clicked.
            let given = args.choices.as_deref().unwrap_or_default();
            play = run
                .play_given(play, given, args.auto)
                .map_err(|e| FileError::plain(e).to_string())?;
        }
        if let Some(p) = &play {
            screen = if needs_briefing(p) {
                Screen::Briefing
            } else {
                Screen::Session
            };
        }
    }
    if let Some(s) = args.screen {
        screen = match s {
            Screen::Library | Screen::Settings => s,
            Screen::Session | Screen::Briefing if play.is_some() => s,
            _ => screen,
        };
    }
    // The briefing shows the conversation's client.
    let selected = play
        .as_ref()
        .filter(|_| screen == Screen::Briefing)
        .map(|p| Arc::clone(p.session.scenario()));
    Ok(Startup {
        catalog,
        screen,
        selected,
        play,
        exercise: Some(run),
        notes,
        ..Startup::default()
    })
}

impl Startup {
    /// The exercise screen's first page: the results of an exercise already finished.
    pub fn exercise_page(&self) -> ExercisePage {
        match &self.exercise {
            Some(run) if run.outcome.is_some() => ExercisePage::Results,
            _ => ExercisePage::SignIn,
        }
    }
}
