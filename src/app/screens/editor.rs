//! The scenario editor (instructor mode → "Edit", or `changetalk gui --edit FILE`): an outline
//! of the client and its points on the left; a form for what is selected in the middle —
//! the persona, or a point's lines (text, talk type, mood, `when`) and replies (text, MITI
//! codes from a list, `next` from the points and endings, feedback); the file's problems on
//! the right, the selected point's first; and a preview that plays from the selected point.
//! Every field edits one value of the file's text (see [`changetalk_core::authoring::draft`]),
//! so comments and order survive; undo and redo step through edits.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use changetalk_core::Scenario;
use changetalk_core::authoring::draft::{Step, ron_string};
use changetalk_core::authoring::lint::Reach;
use changetalk_core::engine::Session;
use changetalk_core::engine::condition::{Clause, Condition, OPERATORS, VARIABLES, clauses_text};
use changetalk_core::engine::model::{Difficulty, Mood, Outcome, Stage};
use changetalk_core::engine::state::StateVar;
use changetalk_core::miti::codes::MitiCode;
use changetalk_core::source::diag::Span;
use egui::RichText;

use crate::app::editor::{self, Editor, Selection, TALK_TYPES};
use crate::app::settings::Settings;
use crate::app::state::Screen;
use crate::app::theme::{self, Palette, ScreenUi, palette, root_ui};

/// What the instructor did that leaves the form.
#[derive(Message, Debug, Clone, PartialEq, Eq)]
pub enum EditorAction {
    /// Save the file (atomically).
    Save,
    /// Back to the library.
    Back,
}

/// Draws the editor; edits go straight into `ed`'s draft, saving and leaving are returned.
pub fn editor_ui(ui: &mut egui::Ui, ed: &mut Editor, p: &Palette) -> Option<EditorAction> {
    let mut action = None;
    // Keyboard: Ctrl+S saves, Ctrl+Z undoes, Ctrl+Y or Ctrl+Shift+Z redoes.
    let (save, undo, redo) = ui.input(|i| {
        let cmd = i.modifiers.command;
        (
            cmd && i.key_pressed(egui::Key::S),
            cmd && !i.modifiers.shift && i.key_pressed(egui::Key::Z),
            cmd && (i.key_pressed(egui::Key::Y)
                || (i.modifiers.shift && i.key_pressed(egui::Key::Z))),
        )
    });
    let file = ed
        .path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    ui.horizontal_wrapped(|ui| {
        if ui.button("‹ Library").clicked() {
            action = Some(EditorAction::Back);
        }
        let dirty = if ed.draft.is_dirty() {
            " • unsaved"
        } else {
            ""
        };
        ui.heading(format!("Edit {file}{dirty}"));
        if ui
            .add_enabled(ed.draft.can_undo(), egui::Button::new("Undo"))
            .clicked()
            || undo
        {
            ed.draft.undo();
        }
        if ui
            .add_enabled(ed.draft.can_redo(), egui::Button::new("Redo"))
            .clicked()
            || redo
        {
            ed.draft.redo();
        }
        if theme::primary_button(ui, p, "Save").clicked() || save {
            action = Some(EditorAction::Save);
        }
        // In the header row, so a message does not push the form down under the pointer.
        if let Some((m, problem)) = &ed.message {
            ui.label(RichText::new(m).color(if *problem { p.bad } else { p.good }));
        }
    });
    ui.separator();
    let checked = ed.checked();
    let Some(scenario) = checked.scenario.clone() else {
        ui.label(
            RichText::new("The file does not load, so the form cannot show it. Fix these in a text editor (or undo), and it reloads here:")
                .color(p.bad),
        );
        problems_ui(ui, &checked.problems, None, p);
        return action;
    };
    let width = ui.available_width();
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.set_width((width * 0.2).max(160.0));
            egui::ScrollArea::vertical()
                .id_salt("editor-outline")
                .auto_shrink([false, false])
                .show(ui, |ui| outline_ui(ui, ed, &scenario, &checked.problems, p));
        });
        ui.separator();
        ui.vertical(|ui| {
            ui.set_width((width * 0.5).max(320.0));
            // Each point opens at its top: the scroll position is kept per selection.
            egui::ScrollArea::vertical()
                .id_salt(("editor-form", ed.selected))
                .auto_shrink([false, false])
                // The form gets the room the preview does not need yet.
                .max_height(if ed.preview.is_some() {
                    ui.available_height() * 0.55
                } else {
                    (ui.available_height() - 150.0).max(ui.available_height() * 0.5)
                })
                .show(ui, |ui| form_ui(ui, ed, &scenario, &checked, p));
            ui.separator();
            // Scrolls as a whole when large text needs more room than is left.
            egui::ScrollArea::vertical()
                .id_salt("editor-preview-outer")
                .auto_shrink([false, false])
                .show(ui, |ui| preview_ui(ui, ed, &scenario, p));
        });
        ui.separator();
        ui.vertical(|ui| {
            words_ui(ui, ed, &checked, p);
            ui.separator();
            audit_ui(ui, ed, &scenario, p);
            ui.separator();
            let span = ed.selected_span();
            problems_ui(ui, &checked.problems, span, p);
        });
    });
    action
}

fn outline_ui(
    ui: &mut egui::Ui,
    ed: &mut Editor,
    s: &Scenario,
    problems: &[editor::Problem],
    p: &Palette,
) {
    ui.label(RichText::new("Client").strong());
    if ui
        .selectable_label(ed.selected == Selection::Client, &s.persona.name)
        .clicked()
    {
        ed.selected = Selection::Client;
    }
    for session in 0..s.session_count() {
        ui.label(RichText::new(format!("Points — {}", s.session_title_of(session))).strong());
        for (i, point) in s.session_points(session).iter().enumerate() {
            let sel = Selection::Point { session, point: i };
            // A point with checks says how many, so they are found without opening each.
            let checks = span_of(ed, &Editor::point_path(session, i)).map_or(0, |sp| {
                problems
                    .iter()
                    .filter(|x| x.span.start >= sp.start && x.span.start < sp.end)
                    .count()
            });
            ui.horizontal(|ui| {
                if ui.selectable_label(ed.selected == sel, &point.id).clicked() {
                    ed.selected = sel;
                    ed.preview = None;
                }
                if checks > 0 {
                    ui.label(
                        RichText::new(format!(
                            "{checks} check{}",
                            if checks == 1 { "" } else { "s" }
                        ))
                        .small()
                        .color(p.fair),
                    );
                }
            });
        }
        // A new point comes after the selected one (or the last): the selected point's
        // first reply now leads to it, and its reply goes where that reply went, so the
        // client stays whole (every point reachable) while it grows.
        if ui
            .button("+ Point")
            .on_hover_text("Add a point after the selected one")
            .clicked()
        {
            let points = s.session_points(session);
            let after = match ed.selected {
                Selection::Point { session: se, point } if se == session => point,
                _ => points.len().saturating_sub(1),
            };
            let n = unique(s, points.len() + 1);
            let id = format!("point-{n}");
            let (next, link) = match points.get(after).and_then(|p| p.options.first()) {
                Some(o) => (o.next.clone(), true),
                None => (
                    s.session_endings(session)
                        .first()
                        .map_or("end", |e| e.id.as_str())
                        .to_string(),
                    false,
                ),
            };
            let r = ed.draft.insert_item(
                &Editor::points_path(session),
                after + 1,
                &editor::new_point(n, &next),
            );
            ed.apply(r);
            if link {
                let mut option = Editor::point_path(session, after);
                option.extend([Step::Field("options"), Step::Item(0)]);
                let r = ed.draft.set_field(&option, "next", &ron_string(&id));
                ed.apply(r);
            }
            ed.selected = Selection::Point {
                session,
                point: after + 1,
            };
        }
        ui.label(RichText::new(format!("Endings — {}", s.session_title_of(session))).strong());
        for (i, ending) in s.session_endings(session).iter().enumerate() {
            let sel = Selection::Ending { session, ending: i };
            if ui
                .selectable_label(ed.selected == sel, &ending.id)
                .clicked()
            {
                ed.selected = sel;
                ed.preview = None;
            }
        }
    }
}

/// A number `n` or above that no point id `point-N` uses yet.
fn unique(s: &Scenario, n: usize) -> usize {
    let used = |k: usize| {
        (0..s.session_count())
            .flat_map(|i| s.session_points(i))
            .any(|p| p.id == format!("point-{k}"))
    };
    (n..).find(|k| !used(*k)).unwrap_or(n)
}

/// A text field for the value at `path` whose text is `current`: what is typed is kept (in
/// `ed.typing`) until the field loses focus; then, if it differs, it is returned to become one
/// edit. `edit` builds the field around the buffer.
fn typed(
    ui: &mut egui::Ui,
    ed: &mut Editor,
    path: &[Step],
    current: &str,
    edit: impl for<'b> FnOnce(&'b mut String) -> egui::TextEdit<'b>,
) -> Option<String> {
    let key = format!("{path:?}");
    let mut buf = ed
        .typing
        .get(&key)
        .cloned()
        .unwrap_or_else(|| current.to_string());
    let r = ui.add(edit(&mut buf).id_salt(&key));
    if r.changed() {
        ed.typing.insert(key.clone(), buf.clone());
    }
    (r.lost_focus() && ed.typing.remove(&key).is_some() && buf != current).then_some(buf)
}

/// A text field bound to the string at `path`: typing is kept until the field loses focus,
/// then it becomes one edit.
fn text_field(ui: &mut egui::Ui, ed: &mut Editor, label: &str, path: Vec<Step>, multiline: bool) {
    let current = ed.draft.string(&path).unwrap_or_default();
    ui.label(RichText::new(label).small());
    let typed = typed(ui, ed, &path, &current, |buf| {
        let edit = if multiline {
            egui::TextEdit::multiline(buf).desired_rows(2)
        } else {
            egui::TextEdit::singleline(buf)
        };
        edit.desired_width(f32::INFINITY)
    });
    if let Some(text) = typed {
        let res = ed.draft.set_string(&path, &text);
        ed.apply(res);
    }
}

fn with(base: &[Step], more: &[Step]) -> Vec<Step> {
    let mut v = base.to_vec();
    v.extend_from_slice(more);
    v
}

fn form_ui(
    ui: &mut egui::Ui,
    ed: &mut Editor,
    s: &Scenario,
    checked: &editor::Checked,
    p: &Palette,
) {
    let mut inline = Inline::new(&checked.problems);
    match ed.selected {
        Selection::Client => {
            ui.label(RichText::new("The client").strong());
            let persona = [Step::Field("persona")];
            text_field(
                ui,
                ed,
                "Name",
                with(&persona, &[Step::Field("name")]),
                false,
            );
            text_field(
                ui,
                ed,
                "Why they are here",
                with(&persona, &[Step::Field("situation")]),
                true,
            );
            text_field(
                ui,
                ed,
                "Background",
                with(&persona, &[Step::Field("background")]),
                true,
            );
            number_field(
                ui,
                ed,
                "Age",
                with(&persona, &[Step::Field("age")]),
                0..=120,
            );
            text_field(
                ui,
                ed,
                "Pronouns",
                with(&persona, &[Step::Field("pronouns")]),
                false,
            );
            ui.label(RichText::new("Starting state (0–10)").small());
            ui.horizontal_wrapped(|ui| {
                let initial = with(&persona, &[Step::Field("initial")]);
                for (name, v) in [
                    ("engagement", s.persona.initial.engagement),
                    ("discord", s.persona.initial.discord),
                    ("importance", s.persona.initial.importance),
                    ("confidence", s.persona.initial.confidence),
                ] {
                    ui.label(RichText::new(name).small());
                    let mut n = v;
                    egui::ComboBox::from_id_salt(("initial", name))
                        .selected_text(n.to_string())
                        .width(48.0)
                        .height(320.0)
                        .show_ui(ui, |ui| {
                            for k in 0..=10 {
                                ui.selectable_value(&mut n, k, k.to_string());
                            }
                        });
                    if n != v {
                        let r = ed.draft.set_field(&initial, name, &n.to_string());
                        ed.apply(r);
                    }
                }
            });
            inline.show_within(ui, span_of(ed, &persona), p);
            ui.add_space(6.0);
            ui.label(RichText::new("In the library").strong());
            text_field(ui, ed, "Title", vec![Step::Field("title")], false);
            text_field(ui, ed, "Summary", vec![Step::Field("summary")], true);
            text_field(
                ui,
                ed,
                "Topic (e.g. alcohol)",
                vec![Step::Field("topic")],
                false,
            );
            list_field(
                ui,
                ed,
                "What the trainee practises (one objective per line; the briefing lists them)",
                vec![Step::Field("objectives")],
                "\n",
            );
            list_field(
                ui,
                ed,
                "Tags (separated by commas; the library's search finds them)",
                vec![Step::Field("tags")],
                ",",
            );
            text_field(ui, ed, "Author", vec![Step::Field("author")], false);
            number_field(
                ui,
                ed,
                "Minutes (about how long it takes)",
                vec![Step::Field("minutes")],
                1..=240,
            );
            ui.horizontal_wrapped(|ui| {
                enum_picker(
                    ui,
                    ed,
                    "Stage",
                    &[],
                    "stage",
                    s.stage.name(),
                    &Stage::ALL.map(|x| x.name()),
                );
                enum_picker(
                    ui,
                    ed,
                    "Difficulty",
                    &[],
                    "difficulty",
                    s.difficulty.name(),
                    &Difficulty::ALL.map(|x| x.name()),
                );
            });
            for f in [
                "title",
                "summary",
                "topic",
                "objectives",
                "tags",
                "author",
                "minutes",
                "stage",
                "difficulty",
            ] {
                inline.show_within(ui, field_span(ed, &[], f), p);
            }
        }
        Selection::Ending { session, ending } => {
            let Some(end) = s.session_endings(session).get(ending).cloned() else {
                ed.selected = Selection::Client;
                return;
            };
            let base = Editor::ending_path(session, ending);
            ui.label(RichText::new(format!("Ending {}", end.id)).strong());
            text_field(ui, ed, "Title", with(&base, &[Step::Field("title")]), false);
            ui.horizontal_wrapped(|ui| {
                enum_picker(
                    ui,
                    ed,
                    "Outcome",
                    &base,
                    "outcome",
                    end.outcome.name(),
                    &Outcome::ALL.map(|x| x.name()),
                );
            });
            text_field(
                ui,
                ed,
                "What happens (the trainee reads it at the end)",
                with(&base, &[Step::Field("text")]),
                true,
            );
            text_field(
                ui,
                ed,
                "Debrief (what the conversation teaches)",
                with(&base, &[Step::Field("debrief")]),
                true,
            );
            inline.show_within(ui, span_of(ed, &base), p);
        }
        Selection::Point { session, point } => {
            let Some(pt) = s.session_points(session).get(point).cloned() else {
                ed.selected = Selection::Client;
                return;
            };
            let base = Editor::point_path(session, point);
            ui.label(RichText::new(format!("Point {}", pt.id)).strong());
            // The point's own checks first (those about no line or reply in particular).
            let parts: Vec<Span> = ["lines", "options"]
                .into_iter()
                .filter_map(|f| field_span(ed, &base, f))
                .collect();
            inline.show_within_except(ui, span_of(ed, &base), &parts, p);
            let reach = checked
                .reach
                .get(session)
                .and_then(|r| r.get(point))
                .copied()
                .flatten();
            ui.label(
                RichText::new(reach_words(reach.as_ref()))
                    .small()
                    .color(p.muted),
            );
            ui.label(
                RichText::new("What the client says (a line with a condition replaces the plain one while it holds)").strong(),
            );
            // The replies (of this session) that lead here: a line may answer one of them.
            let leading_here: Vec<String> = s
                .session_points(session)
                .iter()
                .flat_map(|q| q.options.iter())
                .filter(|o| o.next == pt.id)
                .map(|o| o.id.clone())
                .collect();
            // The client needs a line with no condition for when none holds.
            let plain_lines = pt
                .lines
                .iter()
                .filter(|l| l.when.is_none() && l.after.is_empty())
                .count();
            for (k, line) in pt.lines.iter().enumerate() {
                let lp = with(&base, &[Step::Field("lines"), Step::Item(k)]);
                theme::card(p).show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    text_field(
                        ui,
                        ed,
                        &format!("Line {}", line.id),
                        with(&lp, &[Step::Field("text")]),
                        true,
                    );
                    ui.horizontal_wrapped(|ui| {
                        let talk = talk_ron(line.talk);
                        // Named per line: two pickers with one id would open together.
                        egui::ComboBox::new(("talk", &line.id), "talk")
                            .selected_text(&talk)
                            .height(480.0)
                            .show_ui(ui, |ui| {
                                for t in TALK_TYPES {
                                    if ui.selectable_label(t == talk, t).clicked() && t != talk {
                                        let r =
                                            ed.draft.replace(&with(&lp, &[Step::Field("talk")]), t);
                                        ed.apply(r);
                                    }
                                }
                            });
                        let mood = format!("{:?}", line.mood);
                        egui::ComboBox::new(("mood", &line.id), "mood")
                            .selected_text(&mood)
                            .show_ui(ui, |ui| {
                                for m in Mood::ALL {
                                    let name = format!("{m:?}");
                                    if ui.selectable_label(name == mood, &name).clicked()
                                        && name != mood
                                    {
                                        let r = ed.draft.set_field(&lp, "mood", &name);
                                        ed.apply(r);
                                    }
                                }
                            });
                        if pt.lines.len() > 1 && ui.button("Remove line").clicked() {
                            let r = ed
                                .draft
                                .remove_item(&with(&base, &[Step::Field("lines")]), k);
                            ed.apply(r);
                        }
                    });
                    if line.after.is_empty() {
                        when_ui(
                            ui,
                            ed,
                            &lp,
                            (&line.id, reach.as_ref(), plain_lines),
                            line.when.as_ref(),
                            leading_here.first(),
                        );
                    } else {
                        after_ui(ui, ed, &lp, &line.id, &line.after, &leading_here);
                    }
                    inline.show_within(ui, field_span(ed, &lp, "when"), p);
                    inline.show_within(ui, field_span(ed, &lp, "text"), p);
                    inline.show_within(ui, span_of(ed, &lp), p);
                });
            }
            if ui.button("+ Line").clicked() {
                let r = ed.draft.insert_item(
                    &with(&base, &[Step::Field("lines")]),
                    usize::MAX,
                    &editor::new_line(&pt.id, pt.lines.len() + 1),
                );
                ed.apply(r);
            }
            ui.add_space(6.0);
            ui.label(RichText::new("What the trainee can reply").strong());
            // A reply leads within its own session: that session's points and endings.
            let endings: Vec<String> = s
                .session_endings(session)
                .iter()
                .map(|e| e.id.clone())
                .collect();
            let targets: Vec<String> = s
                .session_points(session)
                .iter()
                .map(|p| p.id.clone())
                .chain(endings.iter().cloned())
                .collect();
            let here = pt.id.clone();
            let target_label = |t: &str| {
                if endings.iter().any(|e| e == t) {
                    format!("ending: {t}")
                } else if t == here {
                    format!("{t} (this point again)")
                } else {
                    t.to_string()
                }
            };
            for (k, o) in pt.options.iter().enumerate() {
                let op = with(&base, &[Step::Field("options"), Step::Item(k)]);
                theme::card(p).show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    text_field(
                        ui,
                        ed,
                        &format!("Reply {}", o.id),
                        with(&op, &[Step::Field("text")]),
                        true,
                    );
                    ui.label(RichText::new("MITI codes").small());
                    ui.horizontal_wrapped(|ui| {
                        for c in MitiCode::ALL {
                            let mut on = o.codes.contains(&c);
                            if ui.checkbox(&mut on, c.label()).changed() {
                                let mut codes: Vec<MitiCode> = o.codes.clone();
                                if on {
                                    codes.push(c);
                                } else {
                                    codes.retain(|x| *x != c);
                                }
                                let list: Vec<String> =
                                    codes.iter().map(|c| format!("{c:?}")).collect();
                                let r = ed.draft.set_field(
                                    &op,
                                    "codes",
                                    &format!("[{}]", list.join(", ")),
                                );
                                ed.apply(r);
                            }
                        }
                    });
                    if let Some(row) = checked.ratings.iter().find(|r| r.option == o.id) {
                        let colour = theme::rating_colour(p, row.rating);
                        ui.label(
                            RichText::new(format!(
                                "Rated {}/5: {}{}",
                                row.rating,
                                row.why,
                                if row.best {
                                    " · the model reply here"
                                } else {
                                    ""
                                }
                            ))
                            .small()
                            .color(colour),
                        );
                    }
                    ui.horizontal_wrapped(|ui| {
                        // Named by the reply, so a screen reader tells the pickers apart.
                        egui::ComboBox::new(("next", &o.id), format!("next ({})", o.id))
                            .selected_text(target_label(&o.next))
                            .show_ui(ui, |ui| {
                                for t in &targets {
                                    if ui.selectable_label(*t == o.next, target_label(t)).clicked()
                                        && *t != o.next
                                    {
                                        let r = ed.draft.set_field(&op, "next", &ron_string(t));
                                        ed.apply(r);
                                    }
                                }
                            });
                        if pt.options.len() > 1 && ui.button("Remove reply").clicked() {
                            let r = ed
                                .draft
                                .remove_item(&with(&base, &[Step::Field("options")]), k);
                            ed.apply(r);
                        }
                    });
                    text_field(
                        ui,
                        ed,
                        "Feedback (name the code, teach the principle)",
                        with(&op, &[Step::Field("feedback")]),
                        true,
                    );
                    for f in ["feedback", "codes", "next", "text"] {
                        inline.show_within(ui, field_span(ed, &op, f), p);
                    }
                    inline.show_within(ui, span_of(ed, &op), p);
                });
            }
            if ui.button("+ Reply").clicked() {
                let next = pt.options.first().map_or(String::new(), |o| o.next.clone());
                let r = ed.draft.insert_item(
                    &with(&base, &[Step::Field("options")]),
                    usize::MAX,
                    &editor::new_option(&pt.id, pt.options.len() + 1, &next),
                );
                ed.apply(r);
            }
        }
    }
}

/// The span of the value at `path`, if the file has it.
fn span_of(ed: &Editor, path: &[Step]) -> Option<Span> {
    ed.draft.span(path)
}

/// The span of field `field` of the struct at `path`, if the file has it.
fn field_span(ed: &Editor, path: &[Step], field: &'static str) -> Option<Span> {
    span_of(ed, &with(path, &[Step::Field(field)]))
}

/// The checks shown in the form this frame, each once: under the narrowest field, reply,
/// line or point that holds it (the side panel lists them all).
struct Inline<'a> {
    problems: &'a [editor::Problem],
    shown: Vec<bool>,
}

impl<'a> Inline<'a> {
    fn new(problems: &'a [editor::Problem]) -> Self {
        Inline {
            problems,
            shown: vec![false; problems.len()],
        }
    }

    /// Shows the checks inside `span` not shown yet.
    fn show_within(&mut self, ui: &mut egui::Ui, span: Option<Span>, p: &Palette) {
        self.show_within_except(ui, span, &[], p);
    }

    /// Shows the checks inside `span` but outside every span of `except`, not shown yet.
    fn show_within_except(
        &mut self,
        ui: &mut egui::Ui,
        span: Option<Span>,
        except: &[Span],
        p: &Palette,
    ) {
        let Some(span) = span else {
            return;
        };
        let within =
            |s: &Span, x: &editor::Problem| x.span.start >= s.start && x.span.start < s.end;
        for (i, x) in self.problems.iter().enumerate() {
            if self.shown[i] || !within(&span, x) || except.iter().any(|e| within(e, x)) {
                continue;
            }
            self.shown[i] = true;
            let (what, colour) = if x.error {
                ("Error", p.bad)
            } else {
                ("Check", p.fair)
            };
            ui.label(
                RichText::new(format!("{what}: {}", x.message))
                    .small()
                    .color(colour),
            )
            .on_hover_text(format!("line:column {} of the file", x.at));
        }
    }
}

/// A whole number at `path`, typed; it becomes one edit when the field loses focus and the
/// number is in `range`.
fn number_field(
    ui: &mut egui::Ui,
    ed: &mut Editor,
    label: &str,
    path: Vec<Step>,
    range: std::ops::RangeInclusive<i128>,
) {
    let current = match ed.draft.node(&path).map(|n| n.value) {
        Ok(changetalk_core::source::ron_tree::Value::Int(n)) => n.to_string(),
        _ => String::new(),
    };
    ui.horizontal(|ui| {
        ui.label(RichText::new(label).small());
        let Some(text) = typed(ui, ed, &path, &current, |buf| {
            egui::TextEdit::singleline(buf).desired_width(60.0)
        }) else {
            return;
        };
        match text.trim().parse::<i128>() {
            Ok(n) if range.contains(&n) => {
                let res = ed.draft.replace(&path, &n.to_string());
                ed.apply(res);
            }
            _ => {
                ed.message = Some((
                    format!(
                        "{label}: type a whole number from {} to {}",
                        range.start(),
                        range.end()
                    ),
                    true,
                ));
            }
        }
    });
}

/// A list of strings at `path`, edited as text: one item per line (`sep` "\n") or separated
/// by commas; it becomes one edit when the field loses focus.
fn list_field(ui: &mut egui::Ui, ed: &mut Editor, label: &str, path: Vec<Step>, sep: &str) {
    use changetalk_core::source::ron_tree::Value;
    let items: Vec<String> = match ed.draft.node(&path).map(|n| n.value) {
        Ok(Value::List(items)) => items
            .into_iter()
            .filter_map(|i| match i.value {
                Value::Str(s) => Some(s),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let one_per_line = sep == "\n";
    let current = items.join(if one_per_line { "\n" } else { ", " });
    ui.label(RichText::new(label).small());
    let typed = typed(ui, ed, &path, &current, |buf| {
        let edit = if one_per_line {
            egui::TextEdit::multiline(buf).desired_rows(2)
        } else {
            egui::TextEdit::singleline(buf)
        };
        edit.desired_width(f32::INFINITY)
    });
    let (Some(text), Some((Step::Field(field), parent))) = (typed, path.split_last()) else {
        return;
    };
    let list: Vec<String> = text
        .split(sep)
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(ron_string)
        .collect();
    let res = ed
        .draft
        .set_field(parent, field, &format!("[{}]", list.join(", ")));
    ed.apply(res);
}

/// Find and replace in the file's words (lines, replies, feedback, names, titles…; never ids,
/// links or conditions), and a nudge when a template's client is still named.
fn words_ui(ui: &mut egui::Ui, ed: &mut Editor, checked: &editor::Checked, p: &Palette) {
    if let Some((name, n)) = &checked.template_leftover
        && let Some(s) = &checked.scenario
    {
        let own = editor::first_name(&s.persona.name).to_string();
        ui.label(
            RichText::new(format!(
                "“{name}”, the template's client, is still named {n} time{} in what people read.",
                if *n == 1 { "" } else { "s" }
            ))
            .small()
            .color(p.fair),
        );
        if !own.is_empty()
            && ui
                .button(format!("Replace “{name}” with “{own}” everywhere"))
                .clicked()
        {
            let r = ed.draft.replace_in_words(name, &own);
            replaced(ed, r);
        }
    }
    ui.label(RichText::new("Find and replace").strong());
    ui.horizontal_wrapped(|ui| {
        ui.add(
            egui::TextEdit::singleline(&mut ed.find_replace.0)
                .hint_text("find")
                .desired_width(110.0),
        );
        ui.add(
            egui::TextEdit::singleline(&mut ed.find_replace.1)
                .hint_text("replace with")
                .desired_width(110.0),
        );
        let found = ed.draft.count_in_words(&ed.find_replace.0);
        if ui
            .add_enabled(found > 0, egui::Button::new(format!("Replace all ({found})")))
            .on_hover_text("In lines, replies, feedback, names, titles and the like; never in ids, links or conditions. One undo step.")
            .clicked()
        {
            let (f, w) = ed.find_replace.clone();
            let r = ed.draft.replace_in_words(&f, &w);
            replaced(ed, r);
        }
    });
}

/// The message after a replace.
fn replaced(ed: &mut Editor, r: Result<usize, changetalk_core::authoring::draft::EditError>) {
    ed.message = Some(match r {
        Ok(n) => (
            format!(
                "Replaced in {n} text{} (Ctrl+Z undoes it)",
                if n == 1 { "" } else { "s" }
            ),
            false,
        ),
        Err(e) => (e.to_string(), true),
    });
}

/// A picker for an enum field `field` of the struct at `path` (its RON names in `names`).
fn enum_picker(
    ui: &mut egui::Ui,
    ed: &mut Editor,
    label: &str,
    path: &[Step],
    field: &'static str,
    current: &str,
    names: &[&'static str],
) {
    egui::ComboBox::new(("enum", field, format!("{path:?}")), label)
        .selected_text(current)
        .show_ui(ui, |ui| {
            for n in names {
                if ui.selectable_label(*n == current, *n).clicked() && *n != current {
                    let r = ed.draft.set_field(path, field, n);
                    ed.apply(r);
                }
            }
        });
}

/// Which replies a line answers (`after`), ticked from the replies that lead to its point: a
/// line that answers a reply is said right after it, whatever the client's state.
fn after_ui(
    ui: &mut egui::Ui,
    ed: &mut Editor,
    lp: &[Step],
    line_id: &str,
    after: &[String],
    leading_here: &[String],
) {
    let mut ticked: Vec<String> = after.to_vec();
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Said right after the reply").small());
        // Replies named in `after` that no longer lead here stay listed, to untick.
        let mut all: Vec<&String> = leading_here.iter().collect();
        all.extend(after.iter().filter(|a| !leading_here.contains(a)));
        for id in all {
            let mut on = ticked.contains(id);
            if ui
                .checkbox(&mut on, id.as_str())
                .on_hover_text(format!("{line_id} answers the reply {id}"))
                .changed()
            {
                if on {
                    ticked.push(id.clone());
                } else {
                    ticked.retain(|x| x != id);
                }
            }
        }
    });
    if ticked != after {
        let r = if ticked.is_empty() {
            ed.draft.remove_field(lp, "after")
        } else {
            let list: Vec<String> = ticked.iter().map(|x| ron_string(x)).collect();
            ed.draft
                .set_field(lp, "after", &format!("[{}]", list.join(", ")))
        };
        ed.apply(r);
    }
}

/// What the client's state can be at a point, in words.
fn reach_words(reach: Option<&Reach>) -> String {
    let Some(r) = reach else {
        return "No conversation reaches this point yet: link a reply to it.".into();
    };
    let ranges: Vec<String> = StateVar::ALL
        .into_iter()
        .map(|v| {
            let x = r.range(v);
            if x.lo == x.hi {
                format!("{} {}", v.name(), x.lo)
            } else {
                format!("{} {}–{}", v.name(), x.lo, x.hi)
            }
        })
        .collect();
    let turns = match r.turns.hi {
        Some(hi) if hi == r.turns.lo => format!("after {hi} replies"),
        Some(hi) => format!("after {}–{hi} replies", r.turns.lo),
        None => format!("after {} or more replies", r.turns.lo),
    };
    format!("Here the client can be at {} · {turns}", ranges.join(" · "))
}

/// The line's `when`, built from pickers: tests joined by "and" (variable, operator, number,
/// or a memory key). A condition with `or` or `not` is shown as text to edit.
fn when_ui(
    ui: &mut egui::Ui,
    ed: &mut Editor,
    lp: &[Step],
    (line_id, reach, plain_lines): (&str, Option<&Reach>, usize),
    when: Option<&Condition>,
    a_reply_here: Option<&String>,
) {
    let Some(c) = when else {
        ui.horizontal_wrapped(|ui| {
            // Plain lines are variants: the engine picks one at random (seeded).
            let said = match plain_lines {
                0 | 1 => "Said in any state".to_string(),
                n => format!("Said in any state (one of {n} plain lines, picked at random)"),
            };
            ui.label(RichText::new(said).small());
            // A first test that can hold here: the variable that varies most at this point,
            // from the middle of its range up. Where nothing varies (the start), no condition
            // could ever switch, so none is offered.
            let first = reach.and_then(|r| {
                StateVar::ALL
                    .into_iter()
                    .map(|v| (v, r.range(v)))
                    .filter(|(_, x)| x.hi > x.lo)
                    .max_by_key(|(v, x)| (x.hi - x.lo, *v == StateVar::Discord))
                    .map(|(v, x)| format!("{} >= {}", v.name(), (x.lo + x.hi + 1) / 2))
            });
            match first {
                Some(_) if plain_lines <= 1 => {
                    ui.add_enabled(false, egui::Button::new("+ Only when…").small())
                        .on_disabled_hover_text("This is the point's only line with no condition, which the client says when no condition holds: add another line first");
                }
                Some(cond) => {
                    if ui
                        .small_button("+ Only when…")
                        .on_hover_text("Say this line only when the client's state meets a condition")
                        .clicked()
                    {
                        let r = ed.draft.set_field(lp, "when", &ron_string(&cond));
                        ed.apply(r);
                    }
                }
                None => {
                    ui.add_enabled(false, egui::Button::new("+ Only when…").small())
                        .on_disabled_hover_text("Here the client's state is always the same, so a condition would always or never hold: give conditional lines to later points");
                }
            }
            if let Some(reply) = a_reply_here
                && ui
                    .small_button("+ Only right after a reply…")
                    .on_hover_text(
                        "Say this line only right after a given reply (it answers that reply)",
                    )
                    .clicked()
            {
                let r = ed
                    .draft
                    .set_field(lp, "after", &format!("[{}]", ron_string(reply)));
                ed.apply(r);
            }
        });
        return;
    };
    let Some(clauses) = c.clauses() else {
        text_field(
            ui,
            ed,
            "When (uses `or` or `not`: edit it as text)",
            with(lp, &[Step::Field("when")]),
            false,
        );
        return;
    };
    let mut edited = clauses.clone();
    let mut remove = None;
    ui.label(RichText::new("Said only when").small());
    for (i, clause) in edited.iter_mut().enumerate() {
        ui.horizontal_wrapped(|ui| {
            if i > 0 {
                ui.label(RichText::new("and").small());
            }
            match clause {
                Clause::Compare { var, op, value } => {
                    egui::ComboBox::from_id_salt(("when-var", line_id, i))
                        .selected_text(*var)
                        .show_ui(ui, |ui| {
                            for v in VARIABLES {
                                ui.selectable_value(var, v, v);
                            }
                        })
                        .response
                        .on_hover_text("engagement, discord, importance, confidence: 0–10; turn: replies chosen so far");
                    egui::ComboBox::from_id_salt(("when-op", line_id, i))
                        .selected_text(*op)
                        .width(48.0)
                        .show_ui(ui, |ui| {
                            for o in OPERATORS {
                                ui.selectable_value(op, o, o);
                            }
                        });
                    let top = if *var == "turn" { 30 } else { 10 };
                    egui::ComboBox::from_id_salt(("when-value", line_id, i))
                        .selected_text(value.to_string())
                        .width(48.0)
                        .height(if top > 10 { 400.0 } else { 320.0 })
                        .show_ui(ui, |ui| {
                            for n in 0..=top {
                                ui.selectable_value(value, n, n.to_string());
                            }
                        });
                }
                Clause::Remembered(key) => {
                    ui.label(RichText::new(format!("remembered({key})")).monospace());
                }
            }
            if ui
                .small_button("Remove test")
                .on_hover_text("Remove this test from the condition")
                .clicked()
            {
                remove = Some(i);
            }
        });
    }
    if ui.small_button("+ and…").clicked() {
        edited.push(Clause::Compare {
            var: "engagement",
            op: ">=",
            value: 5,
        });
    }
    if let Some(i) = remove {
        edited.remove(i);
    }
    if edited != clauses {
        let r = if edited.is_empty() {
            ed.draft.remove_field(lp, "when")
        } else {
            ed.draft
                .set_field(lp, "when", &ron_string(&clauses_text(&edited)))
        };
        ed.apply(r);
    }
}

fn talk_ron(t: changetalk_core::miti::talk::TalkType) -> String {
    use changetalk_core::miti::talk::TalkType;
    match t {
        TalkType::Change(k) => format!("Change({})", k.name()),
        TalkType::Sustain(k) => format!("Sustain({})", k.name()),
        TalkType::Discord => "Discord".into(),
        TalkType::Neutral => "Neutral".into(),
    }
}

/// Plays the edited client from the selected point (or its start): the client's line and the
/// replies as buttons, to the ending.
fn preview_ui(ui: &mut egui::Ui, ed: &mut Editor, s: &std::sync::Arc<Scenario>, p: &Palette) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Preview").strong());
        let from = match ed.selected {
            Selection::Point { session: 0, point } => s.points.get(point).map(|x| x.id.clone()),
            _ => None,
        };
        let label = match &from {
            Some(id) => format!("Play from {id}"),
            None => "Play from the start".to_string(),
        };
        if ui.button(label).clicked() {
            let state = ed.preview_state.unwrap_or(s.persona.initial);
            ed.preview = match &from {
                Some(id) => Session::preview_from(std::sync::Arc::clone(s), 1, id, state),
                None => Some(Session::new(std::sync::Arc::clone(s), 1)),
            };
        }
    });
    // The client's state a preview from a point starts in: try a line's `when` here.
    if matches!(ed.selected, Selection::Point { session: 0, .. }) {
        let mut st = ed.preview_state.unwrap_or(s.persona.initial);
        let before = st;
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("starting state:").small());
            for (name, v) in [
                ("engagement", &mut st.engagement),
                ("discord", &mut st.discord),
                ("importance", &mut st.importance),
                ("confidence", &mut st.confidence),
            ] {
                ui.label(RichText::new(name).small());
                ui.add(egui::DragValue::new(v).range(0..=10));
            }
        });
        if st != before {
            ed.preview_state = Some(st);
        }
    }
    let Some(session) = ed.preview.as_mut() else {
        ui.label(RichText::new("Plays the client as the file stands now, from the selected point of the first session.").small().color(p.muted));
        return;
    };
    // Keys 1–9 choose a reply, as in a session, unless a field has the keyboard.
    if !theme::typing(ui.ctx()) && session.ending().is_none() {
        let shown = session.current_options().len();
        if let Some(n) = ui.input(|i| theme::number_key(i, shown)) {
            let _ = session.choose(n);
        }
    }
    // A new scroll position each turn: the client's answer shows from its top.
    egui::ScrollArea::vertical()
        .id_salt(("editor-preview", session.turns().len()))
        .auto_shrink([false, true])
        .show(ui, |ui| {
            if let Some(t) = session.turns().last() {
                ui.label(
                    RichText::new(format!("You: {} ({}/5)", t.reply.text, t.reply.rating))
                        .color(p.accent),
                );
            }
            if let Some(e) = session.ending() {
                ui.label(RichText::new(format!("Ending: {}", e.title)).strong());
                ui.label(&e.text);
                return;
            }
            if let Some(line) = session.current_line() {
                ui.label(format!("{}: {}", s.persona.name, line.text));
            }
            // Each reply with its codes and rating, as instructor mode shows them in a session.
            let ratings = session
                .current_point()
                .map(changetalk_core::authoring::model_path::point_ratings)
                .unwrap_or_default();
            let options: Vec<(usize, String, String)> = session
                .current_options()
                .iter()
                .enumerate()
                .map(|(i, o)| {
                    let codes: Vec<&str> = o.codes.iter().map(|c| c.label()).collect();
                    let rating = ratings.get(i).copied().unwrap_or(0);
                    (
                        i + 1,
                        o.text.clone(),
                        format!("{} · {rating}/5", codes.join(" + ")),
                    )
                })
                .collect();
            for (n, text, codes) in options {
                if ui.button(format!("{n}  {text}")).clicked() {
                    let _ = session.choose(n);
                }
                ui.label(RichText::new(codes).small().color(p.muted));
            }
        });
}

/// The audit (what a trainee who knows no MI would score), run on demand: one line per session.
fn audit_ui(ui: &mut egui::Ui, ed: &mut Editor, s: &Scenario, p: &Palette) {
    let revision = ed.draft.revision();
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Audit").strong());
        let stale = ed.audit.as_ref().is_none_or(|(r, _)| *r != revision);
        let label = if stale {
            "Run the audit"
        } else {
            "Audit is up to date"
        };
        if ui.add_enabled(stale, egui::Button::new(label)).clicked() {
            ed.audit = Some((revision, changetalk_core::authoring::course::audit_all(s)));
        }
    });
    let Some((r, reports)) = &ed.audit else {
        ui.label(RichText::new("Plays surface strategies (always the longest reply, the shortest, random…) against the model conversation.").small().color(p.muted));
        return;
    };
    if *r != revision {
        ui.label(
            RichText::new("The file changed since: run it again.")
                .small()
                .color(p.muted),
        );
    }
    for r in reports {
        let model = r.strategies.first().map_or(0.0, |m| m.overall);
        let closest = r
            .strategies
            .iter()
            .skip(1)
            .filter(|x| x.surface)
            .max_by(|a, b| a.overall.total_cmp(&b.overall));
        let verdict = if r.pass { "ok" } else { "FAILS" };
        let colour = if r.pass { p.good } else { p.bad };
        let closest = closest.map_or(String::new(), |c| {
            format!(" · closest: {} {:.1}", c.label, c.overall)
        });
        ui.label(
            RichText::new(format!(
                "{verdict}: model {model:.1}{closest} — {}",
                r.scenario
            ))
            .small()
            .color(colour),
        );
    }
}

fn problems_ui(
    ui: &mut egui::Ui,
    problems: &[editor::Problem],
    span: Option<changetalk_core::source::diag::Span>,
    p: &Palette,
) {
    ui.label(RichText::new(format!("Checks ({})", problems.len())).strong());
    if problems.is_empty() {
        ui.label(RichText::new("Loads and lints clean.").color(p.good));
    }
    let inside =
        |x: &editor::Problem| span.is_some_and(|s| x.span.start >= s.start && x.span.start < s.end);
    let mut ordered: Vec<&editor::Problem> = problems.iter().filter(|x| inside(x)).collect();
    if !ordered.is_empty() {
        ui.label(RichText::new("In this point:").small());
    }
    let here = ordered.len();
    ordered.extend(problems.iter().filter(|x| !inside(x)));
    egui::ScrollArea::vertical()
        .id_salt("editor-problems")
        .show(ui, |ui| {
            for (i, x) in ordered.iter().enumerate() {
                if i == here && here > 0 {
                    ui.label(RichText::new("Elsewhere:").small());
                }
                let colour = if x.error { p.bad } else { p.fair };
                ui.label(
                    RichText::new(format!("{} {}", x.at, x.message))
                        .small()
                        .color(colour),
                );
            }
        });
}

fn editor_system(
    mut contexts: EguiContexts,
    settings: Res<Settings>,
    editor: Option<ResMut<Editor>>,
    mut actions: MessageWriter<EditorAction>,
) -> Result {
    let Some(mut ed) = editor else {
        return Ok(());
    };
    let ctx = contexts.ctx_mut()?;
    let p = palette(&settings);
    let mut root = root_ui(ctx);
    let a = egui::CentralPanel::default()
        .frame(theme::page(&p))
        .show(&mut root, |ui| editor_ui(ui, &mut ed, &p))
        .inner;
    if let Some(a) = a {
        actions.write(a);
        ctx.request_repaint();
    }
    Ok(())
}

/// Registers the editor screen.
pub fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        editor_system
            .run_if(in_state(Screen::Editor))
            .in_set(ScreenUi),
    );
}
