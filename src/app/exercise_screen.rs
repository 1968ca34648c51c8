//! Classroom exercises in the app: the exercise's start page (instructions, the student's
//! name and id), playing its scenarios in order with progress saved after every turn, and the
//! results page at the end. The files written are the ones `changetalk exercise run` writes
//! (both go through [`crate::classroom::Attempt`]), so `changetalk grade` grades either.

use std::path::{Path, PathBuf};

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use changetalk_core::exercise::ExerciseMode;
use changetalk_core::result::{self, Derived};
use changetalk_core::{AutoPolicy, Session, Transcript};
use egui::RichText;

use super::settings::Settings;
use super::settings_screen::{ReturnTo, open_settings};
use super::theme::{self, HeaderClick, Palette, header};
use super::{ActiveSession, Mode, Play, Report, ReportData, Screen, ScreenUi, palette, show_page};
use crate::classroom::{self, Attempt, LoadedExercise, Next, StepError};

/// The exercise open in the app, if any.
#[derive(Resource, Default)]
pub struct ActiveExercise(pub Option<ExerciseRun>);

/// An exercise being taken: before the student signs in, while playing, and when finished.
pub struct ExerciseRun {
    /// The exercise and its pinned scenarios.
    pub loaded: LoadedExercise,
    /// Where progress and results are saved.
    pub results_dir: PathBuf,
    /// The student's name as typed.
    pub name: String,
    /// The student's id as typed.
    pub id: String,
    /// The attempt, once the student has started.
    pub attempt: Option<Attempt>,
    /// The last problem to show the student (a bad id, a save that failed…).
    pub message: Option<String>,
    /// News that is not a problem ("time is up, your result is saved").
    pub notice: Option<String>,
    /// The results, once every scenario is over.
    pub outcome: Option<Outcome>,
}

/// A finished exercise as the results page shows it.
pub struct Outcome {
    /// Each scenario's transcript.
    pub transcripts: Vec<Transcript>,
    /// Their scores, criteria checks, total and pass/fail (as in the result file).
    pub derived: Derived,
    /// The result file written.
    pub result_path: PathBuf,
}

impl ExerciseRun {
    /// An exercise opened, not yet started.
    pub fn new(loaded: LoadedExercise, results_dir: PathBuf) -> ExerciseRun {
        ExerciseRun {
            loaded,
            results_dir,
            name: String::new(),
            id: String::new(),
            attempt: None,
            message: None,
            notice: None,
            outcome: None,
        }
    }

    /// The app's mode for this exercise.
    pub fn mode(&self) -> Mode {
        self.loaded.exercise.mode.into()
    }

    /// Number of scenarios.
    pub fn len(&self) -> usize {
        self.loaded.scenarios.len()
    }

    /// True for an exercise without scenarios (never loaded: an exercise has at least one).
    pub fn is_empty(&self) -> bool {
        self.loaded.scenarios.is_empty()
    }

    /// Starts (or resumes) the student's attempt with the name and id typed; the session to
    /// play next, or `None` (with [`ExerciseRun::message`] or [`ExerciseRun::outcome`] set).
    pub fn start(&mut self) -> Option<Play> {
        self.message = None;
        self.notice = None;
        match classroom::begin(
            self.loaded.clone(),
            &self.name,
            self.id.trim(),
            &self.results_dir,
        ) {
            Ok(a) => {
                if a.resumed {
                    // The saved name wins: it is the one the instructor will see.
                    self.name = a.record.student.name.clone();
                }
                self.attempt = Some(a);
                self.next_play()
            }
            Err(e) => {
                // Every attempt used: show the result instead of only refusing.
                if let Some((rec, path, transcripts)) =
                    classroom::completed_result(&self.loaded, self.id.trim(), &self.results_dir)
                {
                    self.name = rec.student.name.clone();
                    self.outcome = Some(Outcome {
                        derived: result::derive(&self.loaded.exercise, &transcripts),
                        transcripts,
                        result_path: path,
                    });
                    self.notice = Some(format!(
                        "You have completed this exercise ({} of {} attempt{} used). These are your results.",
                        rec.attempt,
                        self.loaded.exercise.attempts,
                        if self.loaded.exercise.attempts == 1 {
                            ""
                        } else {
                            "s"
                        }
                    ));
                    return None;
                }
                self.message = Some(e.trim_start_matches("error: ").to_string());
                None
            }
        }
    }

    /// The next conversation, replayed from the record; when every scenario is over (or the
    /// time is up), finishes the attempt and returns `None`.
    pub fn next_play(&mut self) -> Option<Play> {
        let mode = self.mode();
        let next = self.attempt.as_mut()?.next_conversation();
        match next {
            Ok(Next::Conversation { index, session }) => {
                self.message = None;
                Some(Play {
                    session: *session,
                    mode,
                    exercise: Some(index),
                })
            }
            Ok(Next::AllOver) => {
                self.finish();
                None
            }
            Ok(Next::TimeUp) => {
                self.end_for_time();
                None
            }
            Err(StepError::NotSaved(e)) => {
                self.message = Some(format!(
                    "Your progress cannot be saved, so the exercise cannot continue: {e}. Make the results folder writable (or ask your instructor), then try again."
                ));
                None
            }
            Err(e) => {
                self.message = Some(e.to_string());
                None
            }
        }
    }

    /// True when the attempt has a time limit and it has passed.
    pub fn time_is_up(&self) -> bool {
        self.attempt.as_ref().is_some_and(Attempt::time_is_up)
    }

    /// Ends the exercise at its time limit and says so (or why the result is not saved).
    pub fn end_for_time(&mut self) {
        self.finish();
        if self.outcome.is_some() {
            self.notice =
                Some("Time is up: the exercise has ended and your result is saved.".into());
        } else if let Some(m) = &self.message {
            self.message = Some(format!("Time is up. {m}"));
        }
    }

    /// Scores the attempt and writes the result file; scenarios not over count as ended early.
    fn finish(&mut self) {
        let Some(a) = self.attempt.as_mut() else {
            return;
        };
        match a.finish() {
            Ok((transcripts, derived)) => {
                self.outcome = Some(Outcome {
                    transcripts,
                    derived,
                    result_path: a.result_path.clone(),
                });
            }
            Err(e) => {
                self.message = Some(format!(
                    "Your result could not be saved: {e}. Your replies are kept in this window; make the results folder writable, then press \"Continue the exercise\" to save again."
                ));
            }
        }
    }

    /// Runs a step of the attempt on the conversation `play` shows. A step that was taken but
    /// not saved says so; one the session refused changes nothing; at the time limit the
    /// exercise ends.
    fn step(
        &mut self,
        play: &mut Play,
        step: impl FnOnce(&mut Attempt, usize, &mut Session) -> Result<(), StepError>,
    ) -> Result<(), StepError> {
        let (Some(i), Some(a)) = (play.exercise, self.attempt.as_mut()) else {
            return Err(StepError::Refused("not an exercise conversation".into()));
        };
        match step(a, i, &mut play.session) {
            Ok(()) => {
                self.message = None;
                Ok(())
            }
            Err(StepError::NotSaved(e)) => {
                self.message = Some(format!("Your last reply could not be saved: {e}"));
                Err(StepError::NotSaved(e))
            }
            Err(StepError::TimeUp) => {
                self.end_for_time();
                Err(StepError::TimeUp)
            }
            Err(e) => Err(e),
        }
    }

    /// Reply `n` in the conversation on screen, saved at once.
    pub fn reply(&mut self, play: &mut Play, n: usize) -> Result<(), StepError> {
        self.step(play, |a, i, s| a.reply(i, s, n))
    }

    /// `--auto`: the best- or worst-rated reply; `Ok(false)` when there is none to play.
    pub fn auto_reply(&mut self, play: &mut Play, policy: AutoPolicy) -> Result<bool, StepError> {
        let mut played = false;
        self.step(play, |a, i, s| {
            played = a.auto_reply(i, s, policy)?;
            Ok(())
        })?;
        Ok(played)
    }

    /// Takes back the last reply (practice exercises).
    pub fn take_back(&mut self, play: &mut Play) -> Result<(), StepError> {
        self.step(play, |a, i, s| a.take_back(i, s))
    }

    /// Ends the conversation on screen early.
    pub fn end_conversation(&mut self, play: &mut Play) -> Result<(), StepError> {
        self.step(play, |a, i, s| a.end_early(i, s))
    }

    /// Plays replies given on the command line (`--choices` across the scenarios in order, or
    /// `--auto` for every client) from `play` on, one by one through the same steps as
    /// clicks; returns the conversation left on screen (`None` when the exercise is over).
    pub fn play_given(
        &mut self,
        mut play: Option<Play>,
        choices: &[usize],
        auto: Option<AutoPolicy>,
    ) -> Result<Option<Play>, String> {
        let mut given = choices.iter().copied();
        while let Some(p) = play.as_mut() {
            let taken = match (auto, p.session.is_over()) {
                (_, true) => Ok(false),
                (Some(policy), false) => self.auto_reply(p, policy),
                (None, false) => match given.next() {
                    Some(n) => self.reply(p, n).map(|()| true),
                    None => break,
                },
            };
            match taken {
                Ok(true) => {}
                // `--auto` found no reply (or the conversation loops): it ends there.
                Ok(false) if !p.session.is_over() => {
                    self.end_conversation(p).map_err(|e| self.failed(e))?;
                }
                Ok(false) => {}
                // Out of time: the exercise has ended (its page says so).
                Err(StepError::TimeUp) => {
                    play = None;
                    break;
                }
                Err(e) => return Err(self.failed(e)),
            }
            if p.session.is_over() {
                play = self.next_play();
            }
        }
        if given.next().is_some() {
            return Err("the exercise ended before all --choices were played".into());
        }
        Ok(play)
    }

    /// What to say about a step that failed: the message shown, else the error.
    fn failed(&self, e: StepError) -> String {
        self.message.clone().unwrap_or_else(|| e.to_string())
    }

    /// A short status for the session header: "Scenario 1 of 2 · Sam Lee · 12 min left".
    pub fn status(&self, i: usize) -> String {
        let mut s = format!("Exercise · scenario {} of {}", i + 1, self.len());
        if let Some(a) = &self.attempt {
            s.push_str(&format!(" · {}", a.record.student.name));
            if let Some(ms) = a.remaining_ms() {
                s.push_str(&format!(" · {} min left", ms.div_ceil(60_000)));
            }
        }
        s
    }
}

/// What the student did on the exercise page.
#[derive(Message, Debug, Clone, PartialEq, Eq)]
pub enum ExerciseAction {
    /// Start or continue with the name and id typed.
    Start,
    /// Open scenario `i`'s report (finished exercises).
    ViewReport(usize),
    /// Close the exercise and go to the library.
    Library,
    /// Open settings.
    Settings,
}

fn mode_text(mode: ExerciseMode) -> &'static str {
    match mode {
        ExerciseMode::Assessment => "Assessment: no hints or take-backs; feedback at the end",
        ExerciseMode::Practice => "Practice: feedback after every reply; you may take a reply back",
    }
}

/// The exercise page: instructions and sign-in, or the results.
pub fn exercise_ui(
    ui: &mut egui::Ui,
    run: &mut ExerciseRun,
    p: &Palette,
) -> Option<ExerciseAction> {
    let mut action = match header(
        ui,
        "‹ Library",
        &run.loaded.exercise.title,
        "Classroom exercise",
        None,
        p,
    ) {
        Some(HeaderClick::Back) => Some(ExerciseAction::Library),
        Some(HeaderClick::Settings) => Some(ExerciseAction::Settings),
        _ => None,
    };
    ui.add_space(6.0);
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.set_max_width(880.0);
            for (text, colour) in [(&run.message, p.bad), (&run.notice, p.accent)] {
                if let Some(text) = text {
                    theme::banner(p, colour).show(ui, |ui| {
                        ui.set_width(ui.available_width());
                        ui.label(RichText::new(text).strong().color(colour));
                    });
                    ui.add_space(6.0);
                }
            }
            if run.outcome.is_some() {
                results_ui(ui, run, p, &mut action);
            } else {
                about_ui(ui, run, p);
                ui.add_space(8.0);
                sign_in_ui(ui, run, p, &mut action);
            }
        });
    action
}

fn about_ui(ui: &mut egui::Ui, run: &ExerciseRun, p: &Palette) {
    let ex = &run.loaded.exercise;
    theme::card(p).show(ui, |ui| {
        ui.set_width(ui.available_width());
        if !ex.instructions.trim().is_empty() {
            ui.label(RichText::new("Instructions").strong());
            ui.label(ex.instructions.trim());
            ui.add_space(4.0);
        }
        ui.label(RichText::new("Clients, in order").strong());
        for (i, s) in run.loaded.scenarios.iter().enumerate() {
            ui.label(format!(
                "{}.  {} — {}, {}",
                i + 1,
                s.title,
                s.persona.name,
                s.persona.age
            ));
        }
        ui.add_space(4.0);
        ui.label(mode_text(ex.mode));
        let mut facts = vec![format!(
            "To pass: overall at least {}",
            changetalk_core::exercise::trim_num(ex.pass.overall)
        )];
        facts.push(format!(
            "{} attempt{}",
            ex.attempts,
            if ex.attempts == 1 { "" } else { "s" }
        ));
        if let Some(t) = ex.time_limit_minutes {
            facts.push(format!("{t}-minute time limit"));
        }
        ui.label(RichText::new(facts.join(" · ")).color(p.muted));
    });
}

fn sign_in_ui(
    ui: &mut egui::Ui,
    run: &mut ExerciseRun,
    p: &Palette,
    action: &mut Option<ExerciseAction>,
) {
    theme::card(p).show(ui, |ui| {
        ui.set_width(ui.available_width());
        if let Some(a) = &run.attempt {
            ui.label(
                RichText::new(format!(
                    "Signed in as {} ({})",
                    a.record.student.name, a.record.student.id
                ))
                .strong(),
            );
            ui.label("Your progress is saved after every reply.");
            if theme::primary_button(ui, p, "Continue the exercise (Enter)").clicked() {
                *action = Some(ExerciseAction::Start);
            }
        } else {
            ui.label(RichText::new("Who is taking this exercise?").strong());
            egui::Grid::new("student-form")
                .num_columns(2)
                .spacing([12.0, 8.0])
                .show(ui, |ui| {
                    ui.label("Your name");
                    let name = ui.add(
                        egui::TextEdit::singleline(&mut run.name)
                            .hint_text("as your instructor knows you")
                            .desired_width(320.0),
                    );
                    // The cursor starts in the name field, so typing works at once.
                    let once = egui::Id::new("exercise-name-focused");
                    if !ui.data(|d| d.get_temp::<bool>(once)).unwrap_or(false) {
                        name.request_focus();
                        ui.data_mut(|d| d.insert_temp(once, true));
                    }
                    ui.end_row();
                    ui.label("Student ID");
                    ui.add(
                        egui::TextEdit::singleline(&mut run.id)
                            .hint_text("student number or e-mail")
                            .desired_width(320.0),
                    );
                    ui.end_row();
                });
            ui.label(
                RichText::new(
                    "If you have started this exercise before, the same ID continues exactly where you left off.",
                )
                .small()
                .color(p.muted),
            );
            let ready = !run.name.trim().is_empty() && !run.id.trim().is_empty();
            if ui
                .add_enabled(
                    ready,
                    egui::Button::new(RichText::new("Start the exercise (Enter)").strong())
                        .fill(p.accent)
                        .min_size(egui::vec2(0.0, 38.0)),
                )
                .clicked()
            {
                *action = Some(ExerciseAction::Start);
            }
            if ready && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                *action = Some(ExerciseAction::Start);
            }
        }
        ui.label(
            RichText::new(format!("Results folder: {}", run.results_dir.display()))
                .small()
                .color(p.muted),
        );
    });
    if run.attempt.is_some()
        && !ui.ctx().egui_wants_keyboard_input()
        && ui.input(|i| i.key_pressed(egui::Key::Enter))
    {
        *action = Some(ExerciseAction::Start);
    }
}

fn results_ui(
    ui: &mut egui::Ui,
    run: &ExerciseRun,
    p: &Palette,
    action: &mut Option<ExerciseAction>,
) {
    let Some(o) = &run.outcome else {
        return;
    };
    let (verdict, colour) = if o.derived.passed {
        ("Exercise complete — passed", p.good)
    } else {
        ("Exercise complete — not passed", p.bad)
    };
    theme::banner(p, colour).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new(verdict).heading().color(colour));
        ui.label(RichText::new(format!("Total: {:.1} / 100", o.derived.total)).strong());
        ui.label(
            RichText::new(format!(
                "Your result is saved in {}. Your instructor grades it from the replies you chose.",
                o.result_path.display()
            ))
            .small()
            .color(p.muted),
        );
    });
    ui.add_space(6.0);
    for (i, score) in o.derived.scores.iter().enumerate() {
        let s = &run.loaded.scenarios[i];
        let checks = &o.derived.checks[i];
        theme::card(p).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(format!("{}. {}", i + 1, s.title)).strong());
                ui.label(RichText::new(format!("{:.1}/100", score.overall)).strong());
            });
            for c in checks {
                let colour = if c.met { p.good } else { p.bad };
                let value = c.value.map_or("no value".to_string(), |v| {
                    changetalk_core::exercise::trim_num((v * 100.0).round() / 100.0)
                });
                ui.label(
                    RichText::new(format!(
                        "{} {} (yours: {value})",
                        if c.met { "✔" } else { "✘" },
                        c.criterion
                    ))
                    .color(colour),
                );
            }
            if ui
                .button(format!("See the report for {}", s.persona.name))
                .clicked()
            {
                *action = Some(ExerciseAction::ViewReport(i));
            }
        });
        ui.add_space(4.0);
    }
}

fn exercise_system(
    mut contexts: EguiContexts,
    settings: Res<Settings>,
    mut exercise: ResMut<ActiveExercise>,
    mut actions: MessageWriter<ExerciseAction>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let p = palette(&settings);
    let Some(run) = exercise.0.as_mut() else {
        return Ok(()); // `leave_empty_screen` goes elsewhere
    };
    if let Some(a) = show_page(ctx, &p, |ui| exercise_ui(ui, run, &p)) {
        actions.write(a);
        ctx.request_repaint();
    }
    Ok(())
}

/// Applies the exercise page's actions.
pub fn handle_exercise_actions(
    mut actions: MessageReader<ExerciseAction>,
    mut exercise: ResMut<ActiveExercise>,
    mut active: ResMut<ActiveSession>,
    mut report: ResMut<Report>,
    mut next: ResMut<NextState<Screen>>,
    mut ret: ResMut<ReturnTo>,
) {
    for a in actions.read() {
        match a {
            ExerciseAction::Library => {
                exercise.0 = None;
                active.0 = None;
                next.set(Screen::Library);
            }
            ExerciseAction::Settings => open_settings(Screen::Exercise, &mut ret, &mut next),
            ExerciseAction::Start => {
                let Some(run) = exercise.0.as_mut() else {
                    continue;
                };
                if run.outcome.is_some() {
                    continue;
                }
                let play = if run.attempt.is_some() {
                    run.next_play()
                } else {
                    run.start()
                };
                if let Some(play) = play {
                    active.0 = Some(play);
                    next.set(Screen::Session);
                }
            }
            ExerciseAction::ViewReport(i) => {
                let Some(run) = exercise.0.as_ref() else {
                    continue;
                };
                let Some(o) = &run.outcome else {
                    continue;
                };
                if let (Some(t), Some(s)) = (o.transcripts.get(*i), o.derived.scores.get(*i)) {
                    report.0 = Some(ReportData {
                        scenario: run.loaded.scenarios[*i].clone(),
                        transcript: t.clone(),
                        score: s.clone(),
                        mode: run.mode(),
                        export_message: None,
                        from_exercise: true,
                    });
                    next.set(Screen::Report);
                }
            }
        }
    }
}

/// Ends the exercise when its time limit passes while a conversation is on screen. It runs
/// before the session's actions each frame, and the app wakes at least once a minute when
/// idle (see `low_power`), so nothing is recorded after the limit.
fn enforce_time_limit(
    mut exercise: ResMut<ActiveExercise>,
    mut active: ResMut<ActiveSession>,
    mut next: ResMut<NextState<Screen>>,
) {
    let Some(run) = exercise.0.as_mut() else {
        return;
    };
    if run.outcome.is_none() && run.time_is_up() {
        run.end_for_time();
        active.0 = None;
        next.set(Screen::Exercise);
    }
}

/// Loads an exercise file for the app, with results in the default folder unless given.
pub fn open(path: &Path, results: Option<PathBuf>) -> Result<ExerciseRun, String> {
    let loaded = classroom::load(path)?;
    let dir = match results {
        Some(d) => d,
        None => classroom::default_results_dir()
            .ok_or("cannot find a data folder for results on this system; give --results DIR")?,
    };
    Ok(ExerciseRun::new(loaded, dir))
}

/// The exercise logic without drawing.
pub fn logic_plugin(app: &mut App) {
    app.init_resource::<ActiveExercise>();
    app.add_message::<ExerciseAction>();
    app.add_systems(
        Update,
        (
            handle_exercise_actions,
            // Before the session's actions, so a reply after the limit is never recorded.
            enforce_time_limit
                .run_if(in_state(Screen::Session))
                .before(super::session_screen::handle_session_actions),
        ),
    );
}

/// Registers the exercise screen.
pub fn plugin(app: &mut App) {
    logic_plugin(app);
    app.add_systems(
        EguiPrimaryContextPass,
        exercise_system
            .run_if(in_state(Screen::Exercise))
            .in_set(ScreenUi),
    );
}
