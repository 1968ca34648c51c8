//! The library: a card per client, search and filters; files that fail to load show their
//! diagnostics on a card instead of crashing the app. Below, classroom exercises to open.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use changetalk_core::engine::model::Stage;
use changetalk_core::format::template::CLIENT_TEMPLATES;
use egui::RichText;

use crate::app::course_views::CourseViews;
use crate::app::settings::{Paths, Progress, Settings};
use crate::app::state::{Catalog, Screen};
use crate::app::theme::{self, Palette, ScreenUi, palette, show_page};
use crate::library::Entry;

/// Search text and filters.
#[derive(Resource, Default, Debug, Clone)]
pub struct LibraryFilter {
    /// Text searched in name, title, summary, topic and tags.
    pub query: String,
    /// Only this stage.
    pub stage: Option<Stage>,
    /// Only this topic.
    pub topic: Option<String>,
}

/// What the trainee did on the library screen.
#[derive(Message, Debug, Clone, PartialEq)]
pub enum LibraryAction {
    /// Open the briefing of entry `i`.
    Open(usize),
    /// Open settings.
    Settings,
    /// Open a classroom exercise file.
    OpenExercise(std::path::PathBuf),
    /// Open entry `i`'s file in the scenario editor (the user's own files).
    Edit(usize),
    /// Write a new client from the client-type template `kind` with this id into the user's
    /// scenario folder, and open it in the editor (instructor mode).
    NewClient {
        /// The template's kind (see `CLIENT_TEMPLATES`).
        kind: String,
        /// The new scenario's id (also its file name).
        id: String,
    },
}

/// The "write a new client" form of instructor mode: a client-type template and an id.
#[derive(Resource, Debug, Clone)]
pub struct NewClientForm {
    /// The chosen template's kind.
    pub kind: String,
    /// The id typed.
    pub id: String,
    /// Why the last try failed (the flow says).
    pub error: Option<String>,
}

impl Default for NewClientForm {
    fn default() -> Self {
        NewClientForm {
            kind: CLIENT_TEMPLATES[0].kind.to_string(),
            id: String::new(),
            error: None,
        }
    }
}

/// What the client-type template `kind` models, in words.
fn template_about(kind: &str) -> &'static str {
    CLIENT_TEMPLATES
        .iter()
        .find(|t| t.kind == kind)
        .map_or("", |t| t.about)
}

/// Instructor mode's strip: start a new client from a client-type template, in the editor.
pub fn new_client_ui(
    ui: &mut egui::Ui,
    form: &mut NewClientForm,
    folder: Option<&std::path::Path>,
    p: &Palette,
) -> Option<LibraryAction> {
    let mut action = None;
    theme::card(p).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Write a new client").strong());
            let about = template_about(&form.kind);
            ui.label("Client type");
            egui::ComboBox::from_id_salt("new-client-kind")
                .selected_text(&form.kind)
                .show_ui(ui, |ui| {
                    for t in CLIENT_TEMPLATES {
                        ui.selectable_value(&mut form.kind, t.kind.to_string(), t.kind)
                            .on_hover_text(t.about);
                    }
                })
                .response
                .on_hover_text(about);
            ui.label("Id");
            let r = ui.add(
                egui::TextEdit::singleline(&mut form.id)
                    .hint_text("e.g. sam-gp-referral")
                    .desired_width(200.0),
            );
            let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui.button("Create and edit").clicked() || enter {
                if form.id.trim().is_empty() {
                    form.error = Some(
                        "Type an id for the new client first: letters, digits and `-`, e.g. sam-gp-referral".into(),
                    );
                } else {
                    action = Some(LibraryAction::NewClient {
                        kind: form.kind.clone(),
                        id: form.id.trim().to_string(),
                    });
                }
            }
        });
        let about = template_about(&form.kind);
        match (&form.error, folder) {
            (Some(e), _) => {
                ui.label(RichText::new(e).small().color(p.bad));
            }
            (None, Some(dir)) => {
                ui.label(
                    RichText::new(format!(
                        "A {} client: {about}. 6–8 points, every reply commented with its rating and why; saved in {}.",
                        form.kind,
                        dir.display()
                    ))
                    .small()
                    .color(p.muted),
                );
            }
            (None, None) => {}
        }
    });
    action
}

/// The exercise files offered on the library screen, and the path typed.
#[derive(Resource, Default, Debug, Clone)]
pub struct ExercisePicker {
    /// Exercise files found in `<data>/exercises`, with their titles.
    pub found: Vec<(std::path::PathBuf, String)>,
    /// A path typed by the student.
    pub typed: String,
    /// Why the last exercise could not be opened (the flow says).
    pub error: Option<String>,
}

/// The "classroom exercise" strip: exercises in the exercises folder, or a path to open.
pub fn exercise_picker_ui(
    ui: &mut egui::Ui,
    picker: &mut ExercisePicker,
    folder: Option<&std::path::Path>,
    p: &Palette,
) -> Option<LibraryAction> {
    let mut action = None;
    theme::card(p).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Classroom exercise").strong());
            for (f, title) in &picker.found {
                if ui
                    .button(format!("📋 {title}"))
                    .on_hover_text(f.display().to_string())
                    .clicked()
                {
                    action = Some(LibraryAction::OpenExercise(f.clone()));
                }
            }
            let r = ui.add(
                egui::TextEdit::singleline(&mut picker.typed)
                    .hint_text("path to the exercise file from your instructor")
                    .desired_width(300.0),
            );
            let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if (ui.button("Open exercise").clicked() || enter) && !picker.typed.trim().is_empty() {
                action = Some(LibraryAction::OpenExercise(picker.typed.trim().into()));
            }
        });
        if let Some(e) = &picker.error {
            ui.label(RichText::new(e).small().color(p.bad));
        } else if picker.found.is_empty()
            && let Some(dir) = folder
        {
            ui.label(
                RichText::new(format!(
                    "Exercise files saved in {} are listed here.",
                    dir.display()
                ))
                .small()
                .color(p.muted),
            );
        }
    });
    action
}

/// True when an entry passes the filter.
pub fn matches(entry: &Entry, f: &LibraryFilter) -> bool {
    let Some(s) = entry.playable() else {
        // Broken files always show, so the author sees the error.
        return f.stage.is_none() && f.topic.is_none();
    };
    if f.stage.is_some_and(|st| st != s.stage) {
        return false;
    }
    if let Some(t) = &f.topic
        && !s.topic.eq_ignore_ascii_case(t)
    {
        return false;
    }
    let q = f.query.trim().to_lowercase();
    if q.is_empty() {
        return true;
    }
    let hay = format!(
        "{} {} {} {} {} {}",
        s.persona.name,
        s.title,
        s.summary,
        s.topic,
        s.tags.join(" "),
        s.persona.situation
    )
    .to_lowercase();
    q.split_whitespace().all(|w| hay.contains(w))
}

/// Draws the library; returns the trainee's action.
pub fn library_ui(
    ui: &mut egui::Ui,
    entries: &[Entry],
    progress: &Progress,
    courses: &CourseViews,
    filter: &mut LibraryFilter,
    p: &Palette,
) -> Option<LibraryAction> {
    let mut action = None;
    if let Some(a) = theme::bar(
        ui,
        "library-header",
        |ui| {
            ui.heading(RichText::new("ChangeTalk").strong().color(p.accent));
            ui.label(RichText::new("motivational interviewing practice").color(p.muted));
            None
        },
        |ui| {
            ui.button("⚙ Settings")
                .on_hover_text("Text size, contrast, motion")
                .clicked()
                .then_some(LibraryAction::Settings)
        },
    ) {
        action = Some(a);
    }
    ui.add_space(4.0);
    ui.horizontal_wrapped(|ui| {
        ui.label("Search");
        ui.add(
            egui::TextEdit::singleline(&mut filter.query)
                .hint_text("name, topic, situation…")
                .desired_width(220.0),
        );
        ui.label("Stage");
        egui::ComboBox::from_id_salt("stage-filter")
            .selected_text(filter.stage.map_or("All stages", |s| s.name()))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut filter.stage, None, "All stages");
                for s in Stage::ALL {
                    ui.selectable_value(&mut filter.stage, Some(s), s.name());
                }
            });
        ui.label("Topic");
        egui::ComboBox::from_id_salt("topic-filter")
            .selected_text(filter.topic.as_deref().unwrap_or("All topics"))
            .show_ui(ui, |ui| {
                // Built only while the list is open.
                let mut topics: Vec<&str> = entries
                    .iter()
                    .filter_map(|e| e.playable().map(|s| s.topic.as_str()))
                    .filter(|t| !t.is_empty())
                    .collect();
                topics.sort_unstable();
                topics.dedup();
                ui.selectable_value(&mut filter.topic, None, "All topics");
                for t in topics {
                    ui.selectable_value(&mut filter.topic, Some(t.to_string()), t);
                }
            });
    });
    ui.add_space(6.0);
    let shown: Vec<usize> = (0..entries.len())
        .filter(|i| matches(&entries[*i], filter))
        .collect();
    if shown.is_empty() {
        ui.label(RichText::new("No client matches. Clear the search or filters.").color(p.muted));
    }
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            // Columns from the width in text units: a card needs about 21 characters' widths
            // of the body font, so larger text means fewer, wider columns.
            let width = ui.available_width();
            let em = ui.style().text_styles[&egui::TextStyle::Body].size;
            let gap = ui.spacing().item_spacing.x;
            let columns = (((width + gap) / (21.0 * em + gap)).floor() as usize).clamp(1, 4);
            // Each card's frame adds its margin and stroke (14 + 1 on each side).
            let card_w = (width - gap * (columns as f32 - 1.0)) / columns as f32 - 30.0;
            for row in shown.chunks(columns) {
                ui.horizontal_top(|ui| {
                    for &i in row {
                        if let Some(a) =
                            entry_card(ui, &entries[i], i, progress, courses, p, card_w)
                        {
                            action = Some(a);
                        }
                    }
                });
                ui.add_space(4.0);
            }
            theme::keep_focus_in_view(ui);
        });
    action
}

fn entry_card(
    ui: &mut egui::Ui,
    entry: &Entry,
    i: usize,
    progress: &Progress,
    courses: &CourseViews,
    p: &Palette,
    width: f32,
) -> Option<LibraryAction> {
    let mut action = None;
    theme::card(p).show(ui, |ui| {
        ui.vertical(|ui| {
            ui.set_width(width);
            ui.set_min_height(180.0);
            match entry.playable() {
                Some(s) => {
                    ui.label(
                        RichText::new(format!("{}, {}", s.persona.name, s.persona.age))
                            .heading()
                            .size(ui.style().text_styles[&egui::TextStyle::Heading].size * 0.8),
                    );
                    ui.label(RichText::new(&s.title).strong());
                    theme::scenario_chips(ui, p, s);
                    ui.label(RichText::new(&s.persona.situation).color(p.muted));
                    if let Err(errors) = &entry.loaded {
                        ui.label(
                            RichText::new(format!(
                                "⚠ {} has {} error{}; the last version that loaded is shown",
                                entry.origin.display_name(),
                                errors.len(),
                                if errors.len() == 1 { "" } else { "s" }
                            ))
                            .small()
                            .color(p.bad),
                        )
                        .on_hover_text(errors.join("\n"));
                    }
                    // A course: how many sessions and where the trainee is, then the button.
                    if let Some(view) = entry
                        .progress_key()
                        .and_then(|k| courses.0.get(&k))
                        .filter(|_| s.is_course())
                    {
                        ui.horizontal_wrapped(|ui| {
                            ui.label(RichText::new(view.status()).strong());
                            let started =
                                view.ended.is_none() && (view.number > 1 || view.replies > 0);
                            // Not "Meet …": the single-session card of the same client has that.
                            let label = if started {
                                format!("Continue the course with {}", s.persona.name)
                            } else {
                                format!("Start the course with {}", s.persona.name)
                            };
                            if theme::primary_button(ui, p, &label).clicked() {
                                action = Some(LibraryAction::Open(i));
                            }
                        });
                        return;
                    }
                    // The score, then the button; they wrap onto two rows when narrow.
                    ui.horizontal_wrapped(|ui| {
                        match progress.best_of(entry) {
                            Some(b) => ui.label(
                                RichText::new(format!("Your best: {}/100", theme::score_text(b)))
                                    .strong(),
                            ),
                            None => {
                                ui.label(RichText::new("Not played yet").small().color(p.muted))
                            }
                        };
                        if theme::primary_button(ui, p, &format!("Meet {}", s.persona.name))
                            .clicked()
                        {
                            action = Some(LibraryAction::Open(i));
                        }
                        // Your own files open in the editor.
                        if matches!(entry.origin, crate::library::Origin::File(_))
                            && ui
                                .button("Edit")
                                .on_hover_text("Open this file in the scenario editor")
                                .clicked()
                        {
                            action = Some(LibraryAction::Edit(i));
                        }
                    });
                }
                None => {
                    let errors: &[String] = entry.loaded.as_ref().err().map_or(&[], |e| e);
                    ui.label(
                        RichText::new(format!(
                            "⚠ {} could not be loaded",
                            entry.origin.display_name()
                        ))
                        .strong()
                        .color(p.bad),
                    );
                    ui.label(
                        RichText::new("Fix the file and it will appear here.")
                            .small()
                            .color(p.muted),
                    );
                    theme::error_list(ui, p, errors, 20, ("errors", i));
                }
            }
        });
    });
    action
}

/// Lists the exercise files in `<data>/exercises` each time the library opens.
fn find_exercises(paths: Res<Paths>, mut picker: ResMut<ExercisePicker>) {
    let files = paths
        .exercises_dir()
        .map(|d| crate::library::ron_files(&d))
        .unwrap_or_default();
    picker.found = files
        .into_iter()
        .map(|f| {
            // The title when the file reads as an exercise; its name otherwise (opening it
            // then shows what is wrong).
            let title = crate::files::read_text_limited(
                &f,
                changetalk_core::classroom::exercise::MAX_EXERCISE_BYTES as u64,
            )
            .ok()
            .and_then(|t| changetalk_core::classroom::exercise::load_exercise(&t).ok())
            .map(|e| e.title)
            .unwrap_or_else(|| {
                f.file_stem()
                    .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
            });
            (f, title)
        })
        .collect();
}

/// What the library draws from.
#[derive(SystemParam)]
struct LibraryData<'w> {
    catalog: Res<'w, Catalog>,
    progress: Res<'w, Progress>,
    courses: Res<'w, CourseViews>,
    settings: Res<'w, Settings>,
    paths: Res<'w, Paths>,
}

fn library_system(
    mut contexts: EguiContexts,
    data: LibraryData,
    mut filter: ResMut<LibraryFilter>,
    mut picker: ResMut<ExercisePicker>,
    mut new_client: ResMut<NewClientForm>,
    mut actions: MessageWriter<LibraryAction>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let p = palette(&data.settings);
    let mut action = None;
    let folder = data.paths.exercises_dir();
    show_page(ctx, &p, |ui| {
        // The cards above, the exercise strip along the bottom — drawn in reading order, so
        // Tab goes header, search, cards, then the strip (a bottom panel would come first).
        // The strip keeps the height it needed last frame.
        let full = ui.available_rect_before_wrap();
        let key = ui.id().with("exercise-strip-height");
        let strip_h: f32 = ui.data(|d| d.get_temp(key)).unwrap_or(90.0);
        let gap = 12.0;
        let split = (full.max.y - strip_h).max(full.min.y + 120.0);
        let top = egui::Rect::from_min_max(full.min, egui::pos2(full.max.x, split - gap));
        let bottom = egui::Rect::from_min_max(egui::pos2(full.min.x, split), full.max);
        ui.scope_builder(egui::UiBuilder::new().max_rect(top), |ui| {
            if let Some(a) = library_ui(
                ui,
                &data.catalog.0,
                &data.progress,
                &data.courses,
                &mut filter,
                &p,
            ) {
                action = Some(a);
            }
        });
        let strip = ui.scope_builder(egui::UiBuilder::new().max_rect(bottom), |ui| {
            if let Some(a) = exercise_picker_ui(ui, &mut picker, folder.as_deref(), &p) {
                action = Some(a);
            }
            if data.settings.instructor_mode {
                let dir = data.paths.scenarios_dir();
                if let Some(a) = new_client_ui(ui, &mut new_client, dir.as_deref(), &p) {
                    action = Some(a);
                }
            }
        });
        let needed = strip.response.rect.height();
        if (needed - strip_h).abs() > 0.5 {
            ui.data_mut(|d| d.insert_temp(key, needed));
            ui.ctx().request_repaint();
        }
    });
    if let Some(a) = action {
        actions.write(a);
        ctx.request_repaint();
    }
    Ok(())
}

/// Registers the library screen.
pub fn plugin(app: &mut App) {
    app.init_resource::<LibraryFilter>();
    app.init_resource::<ExercisePicker>();
    app.init_resource::<NewClientForm>();
    app.add_systems(OnEnter(Screen::Library), find_exercises);
    app.add_systems(
        EguiPrimaryContextPass,
        library_system
            .run_if(in_state(Screen::Library))
            .in_set(ScreenUi),
    );
}
