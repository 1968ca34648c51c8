//! An exercise open in the app: the app's side of a student's attempt — what to show
//! (problems, news, the results) around the steps of [`crate::classroom::Attempt`], the one
//! exercise driver, which `changetalk exercise run` plays through too. So the files written
//! are the ones the command line writes, and `changetalk grade` grades either.

use std::path::{Path, PathBuf};

use bevy::prelude::*;
use changetalk_core::classroom::result::{self, Derived};
use changetalk_core::{AutoPolicy, Session, Transcript};

use super::state::{Mode, Play};
use crate::classroom::{self, Attempt, LoadedExercise, Next, StepError};

/// An exercise being taken: before the student signs in, while playing, and when finished
/// (present while an exercise is open).
#[derive(Resource)]
pub struct ExerciseRun {
    /// The exercise and its pinned scenarios.
    pub loaded: LoadedExercise,
    /// Where progress and results are saved.
    pub results_dir: PathBuf,
    /// The attempt, once the student has started.
    pub attempt: Option<Attempt>,
    /// The last problem to show the student (a bad id, a save that failed…).
    pub message: Option<String>,
    /// News that is not a problem ("time is up, your result is saved").
    pub notice: Option<String>,
    /// The results, once every scenario is over.
    pub outcome: Option<Outcome>,
    /// Saved progress found for the id typed, under another name: the student chooses the
    /// name before continuing.
    pub conflict: Option<NameConflict>,
}

/// The student signed in with an id whose saved progress was started under another name.
/// The id is the key, so the attempt is theirs to continue, but the name goes into the
/// result the instructor grades: the student says which is right (or that the id is wrong).
pub struct NameConflict {
    /// The attempt found, not yet continued.
    attempt: Box<Attempt>,
    /// The name in the saved progress.
    pub saved: String,
    /// The name just typed.
    pub typed: String,
}

impl NameConflict {
    /// The student id of the saved progress.
    pub fn id(&self) -> &str {
        &self.attempt.record.student.id
    }
}

/// Which name a student continues under (see [`NameConflict`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhichName {
    /// The name the attempt was started with.
    Saved,
    /// The name just typed.
    Typed,
}

/// True when `play` is an exercise's conversation that has not begun: the client's briefing
/// comes first. A conversation resumed mid-way goes straight on.
pub fn needs_briefing(play: &Play) -> bool {
    play.exercise.is_some() && play.session.turns().is_empty() && !play.session.is_over()
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
    /// Loads an exercise file for the app, with results in the default folder unless given.
    pub fn open(path: &Path, results: Option<PathBuf>) -> Result<ExerciseRun, String> {
        let loaded = classroom::load(path)?;
        let dir = match results {
            Some(d) => d,
            None => classroom::default_results_dir().ok_or(
                "cannot find a data folder for results on this system; give --results DIR",
            )?,
        };
        Ok(ExerciseRun::new(loaded, dir))
    }

    /// An exercise opened, not yet started.
    pub fn new(loaded: LoadedExercise, results_dir: PathBuf) -> ExerciseRun {
        ExerciseRun {
            loaded,
            results_dir,
            attempt: None,
            message: None,
            notice: None,
            outcome: None,
            conflict: None,
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

    /// Starts (or resumes) the attempt of the student with this name and id (as typed); the
    /// session to play next, or `None` (with [`ExerciseRun::message`],
    /// [`ExerciseRun::outcome`] or [`ExerciseRun::conflict`] set). Saved progress under
    /// another name waits for the student to choose the name ([`ExerciseRun::use_name`]); an
    /// empty name, or the same one typed differently, continues under the saved name.
    pub fn sign_in(&mut self, name: &str, id: &str) -> Option<Play> {
        self.message = None;
        self.notice = None;
        self.conflict = None;
        let id = id.trim();
        match classroom::begin(self.loaded.clone(), name, id, &self.results_dir) {
            Ok(a) => {
                let saved = &a.record.student.name;
                if a.resumed
                    && !name.trim().is_empty()
                    && !classroom::same_student_name(saved, name)
                {
                    self.conflict = Some(NameConflict {
                        saved: saved.clone(),
                        typed: name.trim().to_string(),
                        attempt: Box::new(a),
                    });
                    return None;
                }
                self.attempt = Some(a);
                self.next_play()
            }
            Err(e) => {
                // Every attempt used: show the result instead of only refusing.
                if let Some((rec, path, transcripts)) =
                    classroom::completed_result(&self.loaded, id, &self.results_dir)
                {
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
                self.message = Some(e.message.clone());
                None
            }
        }
    }

    /// Continues the attempt waiting in [`ExerciseRun::conflict`] under the name chosen (the
    /// next save writes it into the progress, and the result names the student so); the
    /// session to play next, as [`ExerciseRun::sign_in`].
    pub fn use_name(&mut self, which: WhichName) -> Option<Play> {
        let c = self.conflict.take()?;
        let mut a = *c.attempt;
        if which == WhichName::Typed
            && let Err(e) = a.set_student_name(&c.typed)
        {
            self.message = Some(e.message);
            return None;
        }
        self.attempt = Some(a);
        self.next_play()
    }

    /// The student says the saved progress is not theirs: back to the sign-in form, to type
    /// their own id. Nothing is changed.
    pub fn not_me(&mut self) {
        if let Some(c) = self.conflict.take() {
            self.message = Some(format!(
                "The saved progress of student ID `{}` is not yours: check your student ID (the one your instructor knows you by) and start again.",
                c.id()
            ));
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
                    previewed: false,
                    pending_typed: None,
                    course: None,
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

    /// A reply typed in the student's own words, answered along option `n`, and saved.
    pub fn say(
        &mut self,
        play: &mut Play,
        reply: changetalk_core::engine::typed::TypedReply,
        n: usize,
    ) -> Result<(), StepError> {
        self.step(play, |a, i, s| a.say(i, s, reply, n))
    }

    /// The exercise lets students reply in their own words (its file pins a coder).
    pub fn allows_free_text(&self) -> bool {
        self.loaded.exercise.coder.is_some()
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
        // Replies given on the command line are recorded as a scripted run (`--auto` is, by
        // the attempt's own auto reply).
        if !choices.is_empty()
            && let Some(attempt) = self.attempt.as_mut()
        {
            attempt.mark_scripted("choices");
        }
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
        // A course's session: which one.
        if let Some(sref) = self.loaded.exercise.scenarios.get(i)
            && let Some(k) = sref.session
            && let Some(sc) = self.loaded.scenarios.get(i)
        {
            s.push_str(&format!(
                " · session {k} of {}: {}",
                sc.session_count(),
                sc.session_title_of(k - 1)
            ));
        }
        if let Some(a) = &self.attempt {
            s.push_str(&format!(" · {}", a.record.student.name));
            if let Some(ms) = a.remaining_ms() {
                s.push_str(&format!(" · {} min left", ms.div_ceil(60_000)));
            }
        }
        s
    }
}
