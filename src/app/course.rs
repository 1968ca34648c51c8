//! Courses in the app: one client over several sessions ("two weeks later…"). Where the
//! trainee is in a course is saved as the course's seed and each session's replies
//! ([`CourseSave`], in `progress.json`), so session 2 can be tomorrow; the course is rebuilt
//! from it by replay, which is deterministic, so the client says exactly what they said.
//!
//! Also what the screens show of a course: the change plan as a card ([`plan_card`]) and the
//! client's state session by session ([`CourseView`]).

use std::sync::Arc;

use changetalk_core::Scenario;
use changetalk_core::engine::Session;
use changetalk_core::engine::course::Course;
use changetalk_core::engine::memory::Memory;
use changetalk_core::engine::model::ClientState;
use serde::{Deserialize, Serialize};

/// A course as saved: its seed and the replies given in each session so far (1-based option
/// numbers as shown; the last session may be unfinished).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseSave {
    /// The course's seed (session `i` is played with `session_seed(seed, i)`).
    pub seed: u64,
    /// Each session's replies, in order.
    pub sessions: Vec<Vec<usize>>,
}

impl CourseSave {
    /// A course not started yet.
    pub fn new(seed: u64) -> CourseSave {
        CourseSave {
            seed,
            sessions: Vec::new(),
        }
    }

    /// The save of a course whose earlier sessions were played with `earlier` and whose
    /// current session is `current`.
    pub fn of(seed: u64, earlier: &[Vec<usize>], current: &Session) -> CourseSave {
        let mut sessions = earlier.to_vec();
        sessions.push(current.choices().to_vec());
        CourseSave { seed, sessions }
    }
}

/// Rebuilds a course from its save: every finished session is replayed and filed, and the
/// last one is left open where the trainee stopped (a session ended early is resumed, not
/// counted as the course's end). An error means the file changed since the save (a reply
/// that no longer exists, or a session that no longer follows).
pub fn reopen(scenario: Arc<Scenario>, save: &CourseSave) -> Result<Course, String> {
    let mut course = Course::new(scenario, save.seed);
    for (g, group) in save.sessions.iter().enumerate() {
        let Some(session) = course.current_mut() else {
            return Err(format!(
                "the course ended before session {} of the saved replies",
                g + 1
            ));
        };
        for &n in group {
            session
                .choose(n)
                .map_err(|e| format!("session {}: {e}", g + 1))?;
        }
        if session.is_over() {
            course.advance();
        } else if g + 1 < save.sessions.len() {
            return Err(format!("session {} was saved unfinished", g + 1));
        }
    }
    Ok(course)
}

/// The replies of the sessions before the current one (all of them once the course ended).
pub fn earlier_choices(course: &Course) -> Vec<Vec<usize>> {
    let sessions = course.sessions();
    let n = if course.is_over() {
        sessions.len()
    } else {
        sessions.len().saturating_sub(1)
    };
    sessions[..n]
        .iter()
        .map(|(_, s)| s.choices().to_vec())
        .collect()
}

/// One row of the change-plan card: what it is and the client's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanItem {
    /// "Goal", "Step", "Who helps", "Likely obstacle", "Reward", …
    pub label: String,
    /// The words remembered.
    pub text: String,
}

/// The change plan as remembered: every `plan.…` fact that carries words, labelled, in a
/// fixed order (goal, steps, who helps, obstacles, reward, then any other), and how it was
/// made (`plan.chose_own`: the client's own; `plan.pushed`: set for them).
pub fn plan_card(memory: &Memory, client: &str) -> Vec<PlanItem> {
    const ORDER: [(&str, &str); 6] = [
        ("plan.goal", "Goal"),
        ("plan.step", "Step"),
        ("plan.added", "Added to it"),
        ("plan.helper", "Who helps"),
        ("plan.obstacle", "Likely obstacle"),
        ("plan.reward", "Reward"),
    ];
    let mut items: Vec<PlanItem> = ORDER
        .iter()
        .filter_map(|(key, label)| {
            memory
                .get(*key)
                .filter(|t| !t.is_empty())
                .map(|t| PlanItem {
                    label: label.to_string(),
                    text: t.clone(),
                })
        })
        .collect();
    for (key, text) in memory {
        let Some(rest) = key.strip_prefix("plan.") else {
            continue;
        };
        if text.is_empty() || ORDER.iter().any(|(k, _)| k == key) {
            continue;
        }
        let mut label = rest.replace(['_', '-', '.'], " ");
        if let Some(first) = label.get(..1) {
            label = first.to_uppercase() + &label[1..];
        }
        items.push(PlanItem {
            label,
            text: text.clone(),
        });
    }
    if items.is_empty() {
        return items;
    }
    let first_name = client.split_whitespace().next().unwrap_or(client);
    let made = if memory.contains_key("plan.pushed") {
        Some("set for them by the counsellor".to_string())
    } else if memory.contains_key("plan.chose_own") {
        Some(format!("{first_name}'s own"))
    } else {
        None
    };
    if let Some(text) = made {
        items.push(PlanItem {
            label: "How it was made".to_string(),
            text,
        });
    }
    items
}

/// One session on the course chart: the client's state when it began and where it ended
/// (or stands now).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionStates {
    /// 1-based.
    pub number: usize,
    /// Its title.
    pub title: String,
    /// At its start (after the drift between sessions).
    pub start: ClientState,
    /// At its end, or now.
    pub end: ClientState,
    /// The ending's title, if it reached one.
    pub ending: Option<String>,
    /// At least one reply was given in it (a session about to start has only its start).
    pub played: bool,
}

/// Where a course stands, for the library card, the briefing and the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseView {
    /// The session being played or next (1-based); the last one played once it ended.
    pub number: usize,
    /// Sessions in the file.
    pub total: usize,
    /// The current (or next) session's title.
    pub title: String,
    /// Its scene ("Two weeks later, Denise is back…"); sessions after the first.
    pub intro: Option<String>,
    /// Replies already given in the current session (0: not started).
    pub replies: usize,
    /// How the course ended, in words; `None` while it goes on.
    pub ended: Option<String>,
    /// The change plan as remembered now.
    pub plan: Vec<PlanItem>,
    /// Every session played so far.
    pub chart: Vec<SessionStates>,
}

impl CourseView {
    /// Where `course` stands.
    pub fn of(course: &Course) -> CourseView {
        let scenario = course.scenario();
        let record = course.record();
        let chart = course
            .sessions()
            .into_iter()
            .map(|(i, s)| SessionStates {
                number: i + 1,
                title: scenario.session_title_of(i),
                start: s.scenario().persona.initial,
                end: s.state(),
                ending: s.ending().map(|e| e.title.clone()),
                played: !s.choices().is_empty() || s.is_over(),
            })
            .collect();
        let number = course.current_number();
        let intro = number
            .checked_sub(2)
            .and_then(|j| scenario.sessions.get(j))
            .map(|s| s.intro.clone());
        CourseView {
            number,
            total: scenario.session_count(),
            title: scenario.session_title_of(number.saturating_sub(1)),
            intro,
            replies: course.current().map_or(0, |s| s.choices().len()),
            ended: course.is_over().then(|| record.end.message.clone()),
            plan: plan_card(&course.memory(), &scenario.persona.name),
            chart,
        }
    }

    /// One line for the library card: "Session 2 of 3 next: Two weeks later", "In session 2
    /// of 3", or how the course ended.
    pub fn status(&self) -> String {
        if let Some(end) = &self.ended {
            return capitalised(end);
        }
        if self.number == 1 && self.replies == 0 {
            return format!("{} sessions · not started", self.total);
        }
        if self.replies == 0 {
            format!(
                "Session {} of {} next: {}",
                self.number, self.total, self.title
            )
        } else {
            format!(
                "In session {} of {}: {}",
                self.number, self.total, self.title
            )
        }
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The course a session in play belongs to: enough to save it after every reply and to
/// rebuild the course when the session ends.
#[derive(Debug, Clone)]
pub struct InCourse {
    /// The whole course file (a session plays only its own part of it).
    pub scenario: Arc<Scenario>,
    /// Where its save is kept (the library card's progress key).
    pub key: String,
    /// The course's seed.
    pub seed: u64,
    /// The replies of the sessions before this one.
    pub earlier: Vec<Vec<usize>>,
    /// This session's number (1-based).
    pub number: usize,
    /// Sessions in the file.
    pub total: usize,
    /// This session's title.
    pub title: String,
}

impl InCourse {
    /// The course's current session to play, and what it belongs to; `None` once the
    /// course has ended.
    pub fn of(course: &Course, key: String) -> Option<(InCourse, Session)> {
        let session = course.current()?.clone();
        let number = course.current_number();
        let ctx = InCourse {
            scenario: Arc::clone(course.scenario()),
            key,
            seed: course.seed(),
            earlier: earlier_choices(course),
            number,
            total: course.scenario().session_count(),
            title: course.scenario().session_title_of(number - 1),
        };
        Some((ctx, session))
    }

    /// The save with `session` as played so far.
    pub fn save(&self, session: &Session) -> CourseSave {
        CourseSave::of(self.seed, &self.earlier, session)
    }

    /// The course as it was when this session began (its replies not played yet): to play
    /// the session again.
    pub fn restart(&self) -> Option<Course> {
        let save = CourseSave {
            seed: self.seed,
            sessions: self.earlier.clone(),
        };
        reopen(Arc::clone(&self.scenario), &save).ok()
    }

    /// "Session 2 of 3 · Two weeks later".
    pub fn label(&self) -> String {
        format!("Session {} of {} · {}", self.number, self.total, self.title)
    }
}

/// Where the course saved as `save` stands (not started when there is none, or when the file
/// changed so that it no longer replays).
pub fn saved_view(scenario: &Arc<Scenario>, save: Option<&CourseSave>) -> CourseView {
    let course = save
        .and_then(|s| reopen(Arc::clone(scenario), s).ok())
        .unwrap_or_else(|| Course::new(Arc::clone(scenario), 0));
    CourseView::of(&course)
}

/// The course as it stands after a session, for its report: the whole course rebuilt from
/// its save (a finished session is filed and the next one, or the course's end, follows).
pub fn after_session(scenario: Arc<Scenario>, save: &CourseSave) -> Option<CourseView> {
    reopen(scenario, save).ok().map(|c| CourseView::of(&c))
}

/// Where a course's save is kept: its library card's progress key.
pub fn course_key(catalog: &[crate::library::Entry], scenario: &Arc<Scenario>) -> String {
    crate::library::entry_of(catalog, scenario)
        .and_then(crate::library::Entry::progress_key)
        .unwrap_or_else(|| scenario.id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use changetalk_core::engine::session::AutoPolicy;

    fn denise() -> Arc<Scenario> {
        crate::library::find_id("recovery-burnout-course", &crate::library::bundled())
            .expect("the bundled course")
    }

    #[test]
    fn a_save_reopens_where_the_trainee_stopped_mid_session() {
        let s = denise();
        let mut model = Course::new(Arc::clone(&s), 7);
        model.auto_play_session(AutoPolicy::Best);
        let first: Vec<usize> = model.sessions()[0].1.choices().to_vec();
        // Session 2, two replies in.
        let session = model.current_mut().expect("session 2 follows the model");
        let a = session.auto_choice(AutoPolicy::Best).expect("a reply");
        session.choose(a).expect("it is offered");
        let save = CourseSave::of(
            7,
            std::slice::from_ref(&first),
            model.current().expect("open"),
        );
        let back = reopen(Arc::clone(&s), &save).expect("it replays");
        assert_eq!(back.current_number(), 2);
        assert_eq!(back.current().map(|s| s.choices().to_vec()), Some(vec![a]));
        assert_eq!(earlier_choices(&back), vec![first]);
        // The client says the same, word for word.
        assert_eq!(
            back.current().map(|s| s.transcript()),
            model.current().map(|s| s.transcript())
        );
        let view = CourseView::of(&back);
        assert_eq!(
            view.status(),
            format!("In session 2 of {}: {}", view.total, view.title)
        );
        assert!(
            !view.plan.is_empty(),
            "the plan of session 1 is on the card"
        );
        assert_eq!(view.chart.len(), 2);
    }

    #[test]
    fn a_save_from_a_changed_file_is_refused_not_guessed() {
        let save = CourseSave {
            seed: 1,
            sessions: vec![vec![99]],
        };
        assert!(reopen(denise(), &save).is_err());
        let save = CourseSave {
            seed: 1,
            sessions: vec![vec![1], vec![1]],
        };
        let e = reopen(denise(), &save).expect_err("session 1 is unfinished");
        assert!(e.contains("session 1"), "{e}");
    }

    #[test]
    fn the_plan_card_labels_the_clients_words_and_how_the_plan_was_made() {
        let mut m = Memory::new();
        m.insert("plan.step".into(), "the tomatoes with Ada".into());
        m.insert("plan.reward".into(), "a film on Friday".into());
        m.insert("plan.chose_own".into(), String::new());
        m.insert("plan.first_call".into(), "Marlene tonight".into());
        m.insert("safety.plan".into(), String::new());
        let card = plan_card(&m, "Denise");
        let rows: Vec<(&str, &str)> = card
            .iter()
            .map(|i| (i.label.as_str(), i.text.as_str()))
            .collect();
        assert_eq!(
            rows,
            vec![
                ("Step", "the tomatoes with Ada"),
                ("Reward", "a film on Friday"),
                ("First call", "Marlene tonight"),
                ("How it was made", "Denise's own"),
            ]
        );
        assert!(plan_card(&Memory::new(), "Denise").is_empty());
    }
}
