//! The app's flow: every action the screens send is handled here, in one system set
//! ([`FlowSet`]), and every change of screen is made here, together with what the new screen
//! shows — a screen is never entered without its data, so there is no fallback for an empty
//! one. The screens only draw and send actions; this runs without a window, which is how the
//! tests drive the app.
//!
//! A classroom exercise is played through [`ExerciseRun`], the app's side of
//! [`crate::classroom::Attempt`]: every reply, take-back and early end is saved to the
//! progress file before the next frame.

pub mod class;

use std::sync::Arc;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use changetalk_core::engine::Session;

use super::class::ClassRun;
use super::exercise::{ExerciseRun, needs_briefing};
use super::hot_reload::ReloadNotice;
use super::screens::briefing::BriefingAction;
use super::screens::exercise::ExerciseAction;
use super::screens::library::{ExercisePicker, LibraryAction, NewClientForm};
use super::screens::report::ReportAction;
use super::screens::session::SessionAction;
use super::screens::settings::SettingsAction;
use super::settings::{Paths, Progress, Settings};
use super::state::{
    self, ClassPage, ExercisePage, Mode, Notice, Play, Report, ReturnTo, Screen, Selected,
};
use crate::classroom::StepError;
use crate::library::Entry;

pub use super::state::FlowSet;

/// Changing screens. The exercise screen's page follows the exercise: its results once there
/// are some, else the sign-in page.
#[derive(SystemParam)]
pub struct Nav<'w> {
    screen: Res<'w, State<Screen>>,
    next: ResMut<'w, NextState<Screen>>,
    page: ResMut<'w, NextState<ExercisePage>>,
    pub(crate) return_to: ResMut<'w, ReturnTo>,
}

impl Nav<'_> {
    /// Goes to `screen`.
    pub fn go(&mut self, screen: Screen) {
        self.next.set(screen);
    }

    /// Opens settings, to come back here.
    pub fn settings(&mut self) {
        self.return_to.0 = *self.screen.get();
        self.next.set(Screen::Settings);
    }

    /// Back from settings (to the exercise's page as it now is, when it came from there).
    pub fn back(&mut self, run: Option<&ExerciseRun>) {
        match (self.return_to.0, run) {
            (Screen::Exercise, Some(run)) => self.exercise(run),
            (screen, _) => self.next.set(screen),
        }
    }

    /// Shows the exercise's page: its results once it has them, else sign-in.
    pub fn exercise(&mut self, run: &ExerciseRun) {
        self.page.set(if run.outcome.is_some() {
            ExercisePage::Results
        } else {
            ExercisePage::SignIn
        });
        if *self.screen.get() != Screen::Exercise {
            self.next.set(Screen::Exercise);
        }
    }
}

/// Seed for a free practice session: varies run to run (the transcript records it).
fn fresh_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
}

/// The library: open a client's briefing or an exercise, or settings.
fn library(
    mut actions: MessageReader<LibraryAction>,
    catalog: Res<state::Catalog>,
    mut picker: ResMut<ExercisePicker>,
    mut new_client: ResMut<NewClientForm>,
    paths: Res<super::settings::Paths>,
    mut commands: Commands,
    mut nav: Nav,
) {
    for a in actions.read() {
        match a {
            LibraryAction::Open(i) => {
                if let Some(s) = catalog.0.get(*i).and_then(Entry::playable) {
                    commands.insert_resource(Selected(Arc::clone(s)));
                    nav.go(Screen::Briefing);
                }
            }
            LibraryAction::OpenExercise(path) => match ExerciseRun::open(path, None) {
                Ok(run) => {
                    picker.error = None;
                    nav.exercise(&run);
                    commands.insert_resource(run);
                }
                Err(e) => picker.error = Some(e),
            },
            LibraryAction::Settings => nav.settings(),
            LibraryAction::NewClient { kind, id } => {
                match new_client_file(paths.scenarios_dir().as_deref(), kind, id)
                    .and_then(|path| open_editor(&path))
                {
                    Ok(ed) => {
                        new_client.error = None;
                        new_client.id.clear();
                        commands.insert_resource(ed);
                        nav.go(Screen::Editor);
                    }
                    Err(e) => new_client.error = Some(e),
                }
            }
            LibraryAction::Edit(i) => {
                if let Some(path) = catalog.0.get(*i).and_then(Entry::path) {
                    match open_editor(path) {
                        Ok(ed) => {
                            commands.insert_resource(ed);
                            nav.go(Screen::Editor);
                        }
                        Err(e) => picker.error = Some(e),
                    }
                }
            }
        }
    }
}

/// Writes the client-type template `kind` with `id` as `ID.ron` in the user's scenario folder
/// (as `changetalk new --template`: never over an existing file); the path written.
pub fn new_client_file(
    dir: Option<&std::path::Path>,
    kind: &str,
    id: &str,
) -> Result<std::path::PathBuf, String> {
    use crate::library::NewScenarioError;
    let dir = dir.ok_or("there is no data folder to save a scenario in (set CHANGETALK_HOME)")?;
    let path = dir.join(format!("{id}.ron"));
    match crate::library::write_new_scenario(&path, id, Some(kind)) {
        Ok(()) => Ok(path),
        Err(NewScenarioError::Template(e)) => Err(e),
        Err(NewScenarioError::Exists) => Err(format!(
            "{} already exists: choose another id, or edit that file from its card",
            path.display()
        )),
        Err(NewScenarioError::Write(e)) => Err(e.to_string()),
    }
}

/// The editor on a scenario file.
pub fn open_editor(path: &std::path::Path) -> Result<super::editor::Editor, String> {
    let text =
        crate::files::read_text_limited(path, changetalk_core::format::load::MAX_FILE_BYTES as u64)
            .map_err(|e| e.to_string())?;
    Ok(super::editor::Editor::open(path.to_path_buf(), text))
}

/// The editor: save (atomically) or go back; leaving with unsaved edits asks once.
fn editor(
    mut actions: MessageReader<super::screens::editor::EditorAction>,
    editor: Option<ResMut<super::editor::Editor>>,
    mut commands: Commands,
    mut nav: Nav,
) {
    use super::screens::editor::EditorAction;
    let Some(mut ed) = editor else {
        return;
    };
    for a in actions.read() {
        match a {
            EditorAction::Save => {
                match crate::files::write_atomic(&ed.path, ed.draft.text().as_bytes()) {
                    Ok(()) => {
                        ed.draft.mark_saved();
                        ed.message = Some((format!("Saved {}", ed.path.display()), false));
                    }
                    Err(e) => ed.message = Some((e.to_string(), true)),
                }
            }
            EditorAction::Back => {
                let warned = ed
                    .message
                    .as_ref()
                    .is_some_and(|(m, _)| m.starts_with("Unsaved edits"));
                if ed.draft.is_dirty() && !warned {
                    ed.message = Some((
                        "Unsaved edits: Save them (Ctrl+S), or press ‹ Library again to leave without saving.".into(),
                        true,
                    ));
                } else {
                    commands.remove_resource::<super::editor::Editor>();
                    nav.go(Screen::Library);
                }
            }
        }
    }
}

/// The briefing: start a session with the client chosen.
#[allow(clippy::too_many_arguments)]
fn briefing(
    mut actions: MessageReader<BriefingAction>,
    selected: Option<Res<Selected>>,
    play: Option<Res<Play>>,
    run: Option<Res<ExerciseRun>>,
    catalog: Res<state::Catalog>,
    progress: Res<Progress>,
    mut commands: Commands,
    mut nav: Nav,
) {
    // The briefing of an exercise's next client: its conversation is ready, in the
    // exercise's mode; "back" keeps it for the exercise page.
    let exercise = run
        .as_deref()
        .filter(|_| play.as_ref().is_some_and(|p| p.exercise.is_some()));
    for a in actions.read() {
        match a {
            BriefingAction::Back => match exercise {
                Some(run) => nav.exercise(run),
                None => nav.go(Screen::Library),
            },
            BriefingAction::Settings => nav.settings(),
            BriefingAction::Start(_) if exercise.is_some() => nav.go(Screen::Session),
            BriefingAction::Start(mode) => {
                if let Some(s) = &selected {
                    let play = if s.0.is_course() {
                        course_play(&s.0, &catalog.0, &progress, *mode)
                    } else {
                        Some(Play::new(Arc::clone(&s.0), fresh_seed(), *mode))
                    };
                    if let Some(play) = play {
                        commands.insert_resource(play);
                        nav.go(Screen::Session);
                    }
                }
            }
        }
    }
}

/// The session of a course to play next: where the trainee stopped, or a new course when
/// none was started, the save no longer replays, or the course ended.
fn course_play(
    scenario: &Arc<changetalk_core::Scenario>,
    catalog: &[Entry],
    progress: &Progress,
    mode: Mode,
) -> Option<Play> {
    let key = crate::app::course::course_key(catalog, scenario);
    let course = progress
        .courses
        .get(&key)
        .and_then(|save| crate::app::course::reopen(Arc::clone(scenario), save).ok())
        .filter(|c| !c.is_over())
        .unwrap_or_else(|| {
            changetalk_core::engine::course::Course::new(Arc::clone(scenario), fresh_seed())
        });
    Play::in_course(&course, key, mode)
}

/// Applies an action to a free session (not an exercise's); returns the screen to go to,
/// if it changes.
fn apply(action: SessionAction, play: &mut Play) -> Option<Screen> {
    // Any step answers (or withdraws) a typed reply the coder was unsure about.
    let unsure = play.pending_typed.take();
    match action {
        SessionAction::Jump(i) => {
            let s = &play.session;
            if let Some(point) = s.scenario().points.get(i)
                && let Some(p) =
                    Session::preview_from(Arc::clone(s.scenario()), s.seed(), &point.id, s.state())
            {
                play.session = p;
            }
            None
        }
        SessionAction::PreviewState(state) => {
            let s = &play.session;
            if let Some(point) = s.current_point()
                && let Some(p) =
                    Session::preview_from(Arc::clone(s.scenario()), s.seed(), &point.id, state)
            {
                play.session = p;
            }
            None
        }
        SessionAction::Restart => {
            play.session = Session::new(Arc::clone(play.session.scenario()), play.session.seed());
            None
        }
        SessionAction::Choose(n) => {
            let _ = play.session.choose(n);
            None
        }
        SessionAction::Say(text) => {
            // The coder loads on the first typed reply (about 10 ms).
            let u = crate::free_text::understand(crate::free_text::coder(), &play.session, &text);
            match u.nearest() {
                Some(_) if u.unsure => play.pending_typed = Some(u),
                Some(n) => {
                    let _ = play.session.say(u.reply, n);
                }
                None => {}
            }
            None
        }
        SessionAction::Meant(n) => {
            if let Some(u) = unsure.filter(|u| u.two_nearest().contains(&n)) {
                let _ = play.session.say(u.reply, n);
            }
            None
        }
        SessionAction::Unsay => None,
        SessionAction::Rewind => {
            if play.mode == Mode::Practice {
                let _ = play.session.rewind();
            }
            None
        }
        SessionAction::End => {
            play.session.stop();
            Some(Screen::Report)
        }
        SessionAction::ShowReport => Some(Screen::Report),
        SessionAction::Back => Some(Screen::Library),
        // These change settings or files, not the session: `session` does them.
        // A class server's step: not a conversation played here.
        SessionAction::Settings
        | SessionAction::ToggleInstructor
        | SessionAction::ExportGraph
        | SessionAction::Retry => None,
    }
}

/// Where an action leaves a conversation of an exercise.
enum Moved {
    /// The same conversation.
    Stay,
    /// This conversation is over: on to the next client (or the results).
    Next,
    /// The exercise has ended (its time limit).
    Ended,
}

/// Applies an action to a conversation of the open exercise, through the exercise's steps
/// (saved at once); instructor tools never reach it.
fn exercise_step(a: SessionAction, run: &mut ExerciseRun, play: &mut Play) -> Moved {
    let ended = |r: Result<(), StepError>| match r {
        Err(StepError::TimeUp) => Moved::Ended,
        _ => Moved::Stay,
    };
    match a {
        SessionAction::Choose(n) => {
            play.pending_typed = None;
            ended(run.reply(play, n))
        }
        SessionAction::Say(text) if run.allows_free_text() => {
            let u = crate::free_text::understand(crate::free_text::coder(), &play.session, &text);
            match u.nearest() {
                Some(_) if u.unsure => {
                    play.pending_typed = Some(u);
                    Moved::Stay
                }
                Some(n) => ended(run.say(play, u.reply, n)),
                None => Moved::Stay,
            }
        }
        SessionAction::Meant(n) => match play.pending_typed.take() {
            Some(u) if u.two_nearest().contains(&n) => ended(run.say(play, u.reply, n)),
            _ => Moved::Stay,
        },
        SessionAction::Unsay => {
            play.pending_typed = None;
            Moved::Stay
        }
        SessionAction::Rewind => ended(run.take_back(play)),
        SessionAction::End => {
            // A failed save is shown; the conversation still ends.
            let _ = run.end_conversation(play);
            Moved::Next
        }
        SessionAction::ShowReport if play.session.is_over() => Moved::Next,
        _ => Moved::Stay,
    }
}

/// What the session's actions change besides the session.
#[derive(SystemParam)]
pub struct SessionFlow<'w, 's> {
    play: Option<ResMut<'w, Play>>,
    exercise: Option<ResMut<'w, ExerciseRun>>,
    paths: Res<'w, Paths>,
    settings: ResMut<'w, Settings>,
    progress: ResMut<'w, Progress>,
    catalog: Res<'w, state::Catalog>,
    notice: ResMut<'w, ReloadNotice>,
    commands: Commands<'w, 's>,
    nav: Nav<'w>,
}

/// The conversation: replies, take-backs, ending, instructor tools, and leaving.
fn session(mut actions: MessageReader<SessionAction>, mut f: SessionFlow) {
    for a in actions.read() {
        let Some(play) = f.play.as_deref_mut() else {
            return;
        };
        let in_exercise = play.exercise.is_some();
        // Instructor tools never touch a classroom exercise or an assessment.
        if (in_exercise || play.mode == Mode::Assessment) && a.is_instructor_tool() {
            continue;
        }
        match a {
            SessionAction::Settings => f.nav.settings(),
            SessionAction::ToggleInstructor => {
                f.settings.instructor_mode = !f.settings.instructor_mode;
            }
            SessionAction::ExportGraph => {
                let saved = export_graph(play.session.scenario(), &f.paths);
                f.notice.0 = Some(Notice::from_result(saved));
            }
            _ if in_exercise => {
                let Some(run) = f.exercise.as_deref_mut() else {
                    continue;
                };
                if *a == SessionAction::Back {
                    // "‹ Exercise" keeps everything; the page continues where it stopped.
                    f.nav.exercise(run);
                    continue;
                }
                let next = match exercise_step(a.clone(), run, play) {
                    Moved::Stay => continue,
                    Moved::Next => run.next_play(),
                    Moved::Ended => None,
                };
                match next {
                    Some(p) => {
                        open_exercise_play(&p, &mut f.commands, &mut f.nav);
                        *play = p;
                    }
                    None => {
                        f.commands.remove_resource::<Play>();
                        f.nav.exercise(run);
                        return;
                    }
                }
            }
            _ => match apply(a.clone(), play) {
                changed if play.course.is_some() => {
                    // A course is saved after every reply, so the next session can be
                    // tomorrow and a crash loses nothing.
                    if let Some(c) = &play.course
                        && let Err(e) =
                            f.progress
                                .save_course(&f.paths, &c.key, Some(c.save(&play.session)))
                    {
                        warn!("cannot save the course: {e}");
                    }
                    match changed {
                        Some(Screen::Report) => {
                            f.commands.insert_resource(Report::from_play(play));
                            f.nav.go(Screen::Report);
                        }
                        Some(screen) => f.nav.go(screen),
                        None => {}
                    }
                }
                Some(Screen::Report) => {
                    let report = Report::from_play(play);
                    // Previews (instructor mode, a jumped-to point) are not practice
                    // sessions, and only a finished conversation counts toward the best.
                    // Each card keeps its own best: a user's copy of a bundled client too.
                    let key = crate::library::entry_of(&f.catalog.0, &report.scenario)
                        .and_then(Entry::progress_key)
                        .unwrap_or_else(|| report.scenario.id.clone());
                    if !report.previewed
                        && report.score.complete
                        && let Err(e) = f.progress.record(&f.paths, &key, report.score.overall)
                    {
                        warn!("cannot save progress: {e}");
                    }
                    f.commands.insert_resource(report);
                    f.nav.go(Screen::Report);
                }
                Some(screen) => f.nav.go(screen),
                None => {}
            },
        }
    }
}

/// Instructor mode on during a free practice session marks it as previewed (it sets no best
/// score); assessments and exercises never show instructor tools.
fn mark_previewed(settings: Res<Settings>, play: Option<ResMut<Play>>) {
    if let Some(mut play) = play
        && settings.instructor_mode
        && play.mode == Mode::Practice
        && play.exercise.is_none()
        && !play.previewed
    {
        play.previewed = true;
    }
}

/// Saves the scenario's decision graph as `<reports>/<id>-graph.svg` (atomically); says
/// where, or why not.
pub fn export_graph(scenario: &changetalk_core::Scenario, paths: &Paths) -> Result<String, String> {
    let svg = changetalk_core::authoring::graph::to_svg(scenario);
    match paths.save_to_reports(&format!("{}-graph.svg", scenario.id), svg.as_bytes()) {
        Ok(path) => Ok(format!("Saved the decision graph to {}", path.display())),
        Err(e) => Err(format!("Could not save the graph: {e}")),
    }
}

/// The exercise page: sign in, continue, see a client's report, or close the exercise.
fn exercise(
    mut actions: MessageReader<ExerciseAction>,
    run: Option<ResMut<ExerciseRun>>,
    mut commands: Commands,
    mut nav: Nav,
) {
    let Some(mut run) = run else {
        return;
    };
    for a in actions.read() {
        let play = match a {
            ExerciseAction::Library => {
                commands.remove_resource::<ExerciseRun>();
                commands.remove_resource::<Play>();
                nav.go(Screen::Library);
                return;
            }
            ExerciseAction::Settings => {
                nav.settings();
                continue;
            }
            ExerciseAction::ViewReport(i) => {
                if let Some(o) = &run.outcome
                    && let (Some(t), Some(s)) = (o.transcripts.get(*i), o.derived.scores.get(*i))
                {
                    commands.insert_resource(Report {
                        scenario: Arc::clone(&run.loaded.scenarios[*i]),
                        transcript: t.clone(),
                        score: s.clone(),
                        mode: run.mode(),
                        export_message: None,
                        from_exercise: true,
                        previewed: false,
                        course: None,
                    });
                    nav.go(Screen::Report);
                }
                continue;
            }
            _ if run.outcome.is_some() => continue,
            ExerciseAction::UseName(which) => run.use_name(*which),
            ExerciseAction::NotMe => {
                run.not_me();
                None
            }
            ExerciseAction::SignIn { name, id } if run.attempt.is_none() => run.sign_in(name, id),
            ExerciseAction::SignIn { .. } | ExerciseAction::Continue => run.next_play(),
        };
        match play {
            Some(play) => {
                open_exercise_play(&play, &mut commands, &mut nav);
                commands.insert_resource(play);
            }
            // A problem to show, a question, or the results.
            None => nav.exercise(&run),
        }
    }
}

/// Opens a conversation of the exercise (its `Play` is inserted by the caller): the client's
/// briefing first when the conversation has not begun — the exercise fixes the mode, so the
/// briefing only starts it — else straight back into it. The briefing writes nothing: the
/// progress file was saved when the conversation was handed out.
fn open_exercise_play(play: &Play, commands: &mut Commands, nav: &mut Nav) {
    if needs_briefing(play) {
        commands.insert_resource(Selected(Arc::clone(play.session.scenario())));
        nav.go(Screen::Briefing);
    } else {
        nav.go(Screen::Session);
    }
}

/// Ends the exercise when its time limit passes while a conversation is on screen. It runs
/// before the session's actions each frame, and the app wakes at least once a minute when
/// idle (see `low_power`), so nothing is recorded after the limit.
fn enforce_time_limit(run: Option<ResMut<ExerciseRun>>, mut commands: Commands, mut nav: Nav) {
    let Some(mut run) = run else {
        return;
    };
    if run.outcome.is_none() && run.time_is_up() {
        run.end_for_time();
        commands.remove_resource::<Play>();
        nav.exercise(&run);
    }
}

/// The report: export it, play the client again, or go back.
fn report(
    mut actions: MessageReader<ReportAction>,
    report: Option<ResMut<Report>>,
    run: Option<Res<ExerciseRun>>,
    paths: Res<Paths>,
    mut commands: Commands,
    mut nav: Nav,
) {
    let Some(mut report) = report else {
        return;
    };
    for a in actions.read() {
        match a {
            ReportAction::ExportJson => {
                report.export_message =
                    Some(Notice::from_result(export_report(&report, &paths, false)));
            }
            ReportAction::ExportHtml => {
                report.export_message =
                    Some(Notice::from_result(export_report(&report, &paths, true)));
            }
            ReportAction::Again if report.course.is_some() => {
                // This session of the course again, from where it began.
                if let Some((c, _)) = &report.course
                    && let Some(course) = c.restart()
                    && let Some(play) = Play::in_course(&course, c.key.clone(), report.mode)
                {
                    commands.insert_resource(play);
                    nav.go(Screen::Session);
                }
            }
            ReportAction::NextSession => {
                // The next session's briefing: its scene and the plan to review.
                if let Some((c, _)) = &report.course {
                    commands.insert_resource(Selected(Arc::clone(&c.scenario)));
                    nav.go(Screen::Briefing);
                }
            }
            ReportAction::Again => {
                let scenario = Arc::clone(&report.scenario);
                let seed = report.transcript.seed.wrapping_add(1);
                commands.insert_resource(Selected(Arc::clone(&scenario)));
                commands.insert_resource(Play::new(scenario, seed, report.mode));
                nav.go(Screen::Session);
            }
            ReportAction::Library => match (&run, report.from_exercise) {
                (Some(run), true) => nav.exercise(run),
                _ => nav.go(Screen::Library),
            },
        }
    }
}

/// Writes the report as JSON or HTML in the reports folder; says where, or why not.
fn export_report(report: &Report, paths: &Paths, html: bool) -> Result<String, String> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (name, body) = if html {
        (
            format!("{}-{stamp}.html", report.scenario.id),
            crate::export::session_html(&report.scenario, &report.transcript, &report.score),
        )
    } else {
        (
            format!("{}-{stamp}.json", report.scenario.id),
            crate::export::session_json(&report.transcript, &report.score),
        )
    };
    match paths.save_to_reports(&name, body.as_bytes()) {
        Ok(path) => Ok(format!("Saved {}", path.display())),
        Err(e) => Err(format!("Could not save: {e}")),
    }
}

/// Settings: apply an edit (saved by `settings`), or go back.
fn settings(
    mut actions: MessageReader<SettingsAction>,
    mut settings: ResMut<Settings>,
    run: Option<Res<ExerciseRun>>,
    class: Option<Res<ClassRun>>,
    mut class_page: ResMut<NextState<ClassPage>>,
    mut nav: Nav,
) {
    for a in actions.read() {
        match a {
            SettingsAction::Change(s) => {
                if *settings != *s {
                    *settings = s.clone();
                }
            }
            SettingsAction::Back => match class.as_deref() {
                Some(class) if nav.return_to.0 == Screen::Class => {
                    class::back_from_settings(class, &mut nav, &mut class_page)
                }
                _ => nav.back(run.as_deref()),
            },
        }
    }
}

/// The app's logic without any drawing: the states, the actions and the flow. The app adds
/// it after inserting [`Screen`]; headless tests run it alone.
pub fn plugin(app: &mut App) {
    app.add_plugins(state::plugin)
        .init_resource::<ReloadNotice>()
        .init_resource::<ExercisePicker>()
        .init_resource::<NewClientForm>()
        .add_message::<LibraryAction>()
        .add_message::<BriefingAction>()
        .add_message::<SessionAction>()
        .add_message::<ExerciseAction>()
        .add_message::<ReportAction>()
        .add_message::<SettingsAction>()
        .add_message::<super::screens::editor::EditorAction>()
        .add_plugins(class::plugin)
        .add_systems(
            Update,
            (
                enforce_time_limit
                    .run_if(in_state(Screen::Session).or_else(in_state(Screen::Briefing))),
                library,
                briefing,
                exercise,
                session,
                mark_previewed,
                report,
                settings,
                editor,
            )
                .chain()
                .in_set(FlowSet),
        );
}
