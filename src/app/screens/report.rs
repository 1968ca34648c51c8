//! The report: every metric with its value, band colour and threshold; engagement and discord
//! over the turns; the codes used; the better reply at each missed moment; the transcript;
//! export as JSON and HTML (written by the flow).

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use changetalk_core::miti::codes::{MitiCode, codes_label};
use changetalk_core::miti::score::{BandedMetric, Score};
use egui::RichText;
use egui_plot::{Bar, BarChart, Line, Plot, PlotPoints};

use crate::app::course::{CourseView, InCourse};

use crate::app::settings::Settings;
use crate::app::state::{Report, Screen};
use crate::app::theme::{self, Palette, ScreenUi, palette, show_page};

/// What the trainee did on the report.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportAction {
    /// Write the JSON export.
    ExportJson,
    /// Write the HTML report.
    ExportHtml,
    /// Play the same client again (a course: this session again).
    Again,
    /// A course: on to the next session's briefing.
    NextSession,
    /// Back to the library (or to the exercise's results).
    Library,
}

fn metric_row(
    ui: &mut egui::Ui,
    p: &Palette,
    name: &str,
    m: &BandedMetric,
    unit: &str,
    explain: &str,
) {
    ui.label(RichText::new(name).strong())
        .on_hover_text(explain);
    match (m.value, m.band) {
        (Some(v), Some(b)) => {
            let shown = if unit == "%" {
                format!("{v:.1}%")
            } else {
                format!("{v:.2}")
            };
            ui.label(RichText::new(shown).strong());
            theme::chip(ui, b.label(), p.band(Some(b)));
        }
        _ => {
            ui.label("n/a");
            theme::chip(ui, "not applicable", p.muted);
        }
    }
    ui.label(
        RichText::new(format!("fair ≥ {}{unit} · good ≥ {}{unit}", m.fair, m.good))
            .small()
            .color(p.muted),
    );
    ui.end_row();
}

/// The metrics table.
pub fn metrics_ui(ui: &mut egui::Ui, s: &Score, p: &Palette) {
    egui::Grid::new("metrics")
        .num_columns(4)
        .spacing([14.0, 8.0])
        .striped(true)
        .show(ui, |ui| {
            let b = &s.bands;
            metric_row(
                ui,
                p,
                "Relational global",
                &b.relational,
                "",
                "(Partnership + Empathy) / 2, MITI 4.2.1",
            );
            metric_row(
                ui,
                p,
                "Technical global",
                &b.technical,
                "",
                "(Cultivating change talk + Softening sustain talk) / 2",
            );
            metric_row(
                ui,
                p,
                "Reflection : question",
                &b.reflection_to_question,
                "",
                "Reflections divided by questions",
            );
            metric_row(
                ui,
                p,
                "% complex reflections",
                &b.percent_complex_reflections,
                "%",
                "Complex reflections as a share of all reflections",
            );
            metric_row(
                ui,
                p,
                "% open questions",
                &b.percent_open_questions,
                "%",
                "Open questions as a share of all questions (MITI 3.1.1)",
            );
            metric_row(
                ui,
                p,
                "% MI-adherent",
                &b.percent_mi_adherent,
                "%",
                "Adherent / (adherent + non-adherent) (MITI 3.1.1)",
            );
        });
    let g = &s.globals;
    ui.label(
        RichText::new(format!(
            "Globals (1–5), estimated from your codes by fixed rules, not rated by a human coder: cultivating change talk {} · softening sustain talk {} · partnership {} · empathy {}",
            g.cultivating_change_talk, g.softening_sustain_talk, g.partnership, g.empathy
        ))
        .small(),
    );
    let share = s
        .change_talk_share
        .map_or("n/a".to_string(), |v| format!("{:.0}%", v * 100.0));
    ui.label(
        RichText::new(format!(
            "The client: {} change talk, {} sustain talk, {} discord — change-talk share {share}",
            s.change_talk, s.sustain_talk, s.discord
        ))
        .small(),
    );
}

/// The engagement/discord line chart and the codes bar chart.
pub fn charts_ui(ui: &mut egui::Ui, data: &Report, p: &Palette) {
    let t = &data.transcript;
    let mut eng = vec![[0.0, f64::from(t.initial_state.engagement)]];
    let mut dis = vec![[0.0, f64::from(t.initial_state.discord)]];
    for turn in &t.turns {
        eng.push([turn.number as f64, f64::from(turn.state_after.engagement)]);
        dis.push([turn.number as f64, f64::from(turn.state_after.discord)]);
    }
    // Two charts side by side when they fit, else one under the other; they keep a
    // minimum height that grows with the text (axis labels and the legend).
    let em = ui.style().text_styles[&egui::TextStyle::Body].size;
    let half = (ui.available_width() / 2.0 - 12.0).max(240.0);
    let height = (12.0 * em).max(190.0);
    // The charts only show: disabled (drawn at full strength) so neither they nor their
    // axes are tab stops or react to the pointer.
    ui.scope(|ui| {
        ui.visuals_mut().disabled_alpha = 1.0;
        ui.disable();
        charts_row(ui, eng, dis, data, p, half, height);
    });
}

#[allow(clippy::too_many_arguments)]
fn charts_row(
    ui: &mut egui::Ui,
    eng: Vec<[f64; 2]>,
    dis: Vec<[f64; 2]>,
    data: &Report,
    p: &Palette,
    half: f32,
    height: f32,
) {
    ui.horizontal_wrapped(|ui| {
        ui.vertical(|ui| {
            ui.set_width(half);
            ui.label(RichText::new("Engagement and discord, turn by turn").strong());
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new("— engagement").small().color(p.accent));
                ui.label(RichText::new("— discord").small().color(p.bad));
            });
            // The charts only show: not tab stops, no zoom or drag.
            Plot::new("state-plot")
                .height(height)
                .width(half)
                .sense(egui::Sense::hover())
                .include_y(0.0)
                .include_y(10.0)
                .allow_zoom(false)
                .allow_drag(false)
                .allow_scroll(false)
                .x_axis_label("turn")
                .show(ui, |plot| {
                    plot.line(
                        Line::new("engagement", PlotPoints::from(eng))
                            .color(p.accent)
                            .width(2.5),
                    );
                    plot.line(
                        Line::new("discord", PlotPoints::from(dis))
                            .color(p.bad)
                            .width(2.5),
                    );
                });
        });
        ui.vertical(|ui| {
            ui.set_width(half);
            ui.label(RichText::new("Your replies by MITI code").strong());
            let bars: Vec<Bar> = MitiCode::ALL
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let colour = match c.class() {
                        changetalk_core::miti::codes::CodeClass::Adherent => p.good,
                        changetalk_core::miti::codes::CodeClass::NonAdherent => p.bad,
                        changetalk_core::miti::codes::CodeClass::Neutral => p.accent,
                    };
                    Bar::new(i as f64, f64::from(data.score.counts.get(*c)))
                        .name(c.label())
                        .fill(colour)
                        .width(0.7)
                })
                .collect();
            Plot::new("codes-plot")
                .height(height)
                .width(half)
                .sense(egui::Sense::hover())
                .include_y(0.0)
                .allow_zoom(false)
                .allow_drag(false)
                .allow_scroll(false)
                .show_x(false)
                .x_axis_formatter(|mark, _| {
                    let i = mark.value.round() as usize;
                    if (mark.value - i as f64).abs() < 1e-6 && i < MitiCode::ALL.len() {
                        short_code(MitiCode::ALL[i]).to_string()
                    } else {
                        String::new()
                    }
                })
                .show(ui, |plot| plot.bar_chart(BarChart::new("codes", bars)));
        });
    });
}

/// A course's part of the report: which session this was, what comes next (or how the
/// course ended), the client's state session by session, and the plan as it stands.
fn course_ui(
    ui: &mut egui::Ui,
    session: &InCourse,
    course: &CourseView,
    p: &Palette,
) -> Option<ReportAction> {
    let mut action = None;
    theme::card(p).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new(session.label()).strong());
        match &course.ended {
            Some(end) => {
                ui.label(RichText::new(end).color(p.muted));
            }
            None if course.number > session.number => {
                ui.horizontal_wrapped(|ui| {
                    ui.label(format!(
                        "Next: session {} of {} — {}. Your place is saved; it can wait until tomorrow.",
                        course.number, course.total, course.title
                    ));
                    if theme::primary_button(ui, p, "Next session").clicked() {
                        action = Some(ReportAction::NextSession);
                    }
                });
            }
            None => {
                ui.label(
                    RichText::new(
                        "You ended this session before its ending. Your place is saved: it goes on from where you stopped when you open the client again.",
                    )
                    .color(p.muted),
                );
            }
        }
        ui.add_space(4.0);
        course_chart(ui, course, p);
        if !course.plan.is_empty() {
            ui.add_space(4.0);
            theme::plan_card(ui, p, &course.plan);
        }
    });
    action
}

/// The client's state across the course: each session's start and end, four measures.
fn course_chart(ui: &mut egui::Ui, course: &CourseView, p: &Palette) {
    let series = |f: fn(&changetalk_core::engine::model::ClientState) -> i32| -> Vec<[f64; 2]> {
        course
            .chart
            .iter()
            .flat_map(|s| {
                let x = s.number as f64;
                let start = [x - 0.4, f64::from(f(&s.start))];
                let end = [x + 0.4, f64::from(f(&s.end))];
                if s.played {
                    vec![start, end]
                } else {
                    vec![start]
                }
            })
            .collect()
    };
    let lines = [
        ("engagement", series(|s| s.engagement), p.accent),
        ("discord", series(|s| s.discord), p.bad),
        ("importance", series(|s| s.importance), p.good),
        ("confidence", series(|s| s.confidence), p.fair),
    ];
    ui.label(RichText::new("The client across the sessions (start and end of each)").strong());
    ui.horizontal_wrapped(|ui| {
        for (name, _, colour) in &lines {
            ui.label(RichText::new(format!("— {name}")).small().color(*colour));
        }
    });
    let em = ui.style().text_styles[&egui::TextStyle::Body].size;
    let total = course.total as f64;
    ui.scope(|ui| {
        ui.visuals_mut().disabled_alpha = 1.0;
        ui.disable();
        Plot::new("course-plot")
            .height((10.0 * em).max(170.0))
            .sense(egui::Sense::hover())
            .include_x(0.5)
            .include_x(total + 0.5)
            .include_y(0.0)
            .include_y(10.0)
            .allow_zoom(false)
            .allow_drag(false)
            .allow_scroll(false)
            .x_axis_label("session")
            .x_axis_formatter(move |mark, _| {
                let n = mark.value.round();
                if (mark.value - n).abs() < 1e-6 && n >= 1.0 && n <= total {
                    format!("{n:.0}")
                } else {
                    String::new()
                }
            })
            .show(ui, |plot| {
                for (name, points, colour) in lines {
                    plot.line(
                        Line::new(name, PlotPoints::from(points))
                            .color(colour)
                            .width(2.5),
                    );
                }
            });
    });
}

fn short_code(c: MitiCode) -> &'static str {
    match c {
        MitiCode::GivingInformation => "GI",
        MitiCode::Persuade => "Pers",
        MitiCode::PersuadeWithPermission => "PwP",
        MitiCode::OpenQuestion => "OQ",
        MitiCode::ClosedQuestion => "CQ",
        MitiCode::SimpleReflection => "SR",
        MitiCode::ComplexReflection => "CR",
        MitiCode::Affirm => "AF",
        MitiCode::SeekingCollaboration => "Seek",
        MitiCode::EmphasizingAutonomy => "Auto",
        MitiCode::Confront => "Conf",
    }
}

/// The whole report body; returns the trainee's action.
pub fn report_ui(ui: &mut egui::Ui, data: &Report, p: &Palette) -> Option<ReportAction> {
    let mut action = None;
    let s = &data.score;
    if let Some(a) = theme::bar(
        ui,
        "report-header",
        |ui| {
            let back = if data.from_exercise {
                "‹ Exercise results"
            } else {
                "‹ Library"
            };
            let clicked = ui.button(back).clicked();
            ui.heading(format!("Report — {}", data.scenario.persona.name));
            ui.label(RichText::new(data.mode.name().to_lowercase()).color(p.muted));
            clicked.then_some(ReportAction::Library)
        },
        |ui| {
            let mut action = None;
            let again = if data.course.is_some() {
                "Play this session again"
            } else {
                "Play again"
            };
            if !data.from_exercise && theme::primary_button(ui, p, again).clicked() {
                action = Some(ReportAction::Again);
            }
            if ui.button("Export JSON").clicked() {
                action = Some(ReportAction::ExportJson);
            }
            if ui.button("Export HTML").clicked() {
                action = Some(ReportAction::ExportHtml);
            }
            action
        },
    ) {
        action = Some(a);
    }
    // Esc goes back, as everywhere (unless typing).
    if !theme::typing(ui.ctx()) && ui.input(|i| i.key_pressed(egui::Key::Escape)) {
        action = Some(ReportAction::Library);
    }
    if let Some(n) = &data.export_message {
        n.show(ui, if n.problem { p.bad } else { p.good });
    }
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            theme::card(p).show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.horizontal_wrapped(|ui| {
                    ui.label(
                        RichText::new(theme::score_text(s.overall))
                            .size(44.0)
                            .strong()
                            .color(p.accent),
                    );
                    ui.vertical(|ui| {
                        ui.label(RichText::new("overall score out of 100").strong());
                        let ending = match &data.transcript.ending {
                            Some(e) => format!("Ending: {}", e.title),
                            None => "You ended the session before an ending.".to_string(),
                        };
                        ui.label(
                            RichText::new(format!("{} · {ending}", theme::count(s.turns, "turn", "turns")))
                                .color(p.muted),
                        );
                        if data.previewed {
                            ui.label(
                                RichText::new(
                                    "Previewed with instructor mode on (every reply's rating was visible), so it does not count as your best score.",
                                )
                                .color(p.muted),
                            );
                        }
                        if !s.complete {
                            ui.label(
                                RichText::new(format!(
                                    "Incomplete: about {:.0}% of the conversation was played, so the overall counts that share of the score. It does not count as your best score.",
                                    100.0 * s.completion
                                ))
                                .strong()
                                .color(p.bad),
                            );
                        }
                    });
                });
                metrics_ui(ui, s, p);
            });
            if let Some((session, course)) = &data.course {
                ui.add_space(6.0);
                if let Some(a) = course_ui(ui, session, course, p) {
                    action = Some(a);
                }
            }
            ui.add_space(6.0);
            theme::card(p).show(ui, |ui| {
                ui.set_width(ui.available_width());
                charts_ui(ui, data, p);
            });
            ui.add_space(6.0);
            theme::card(p).show(ui, |ui| {
                ui.set_width(ui.available_width());
                if !s.feedback.strengths.is_empty() {
                    ui.label(RichText::new("What went well").strong().color(p.good));
                    for x in &s.feedback.strengths {
                        ui.label(format!("+  {x}"));
                    }
                }
                if !s.feedback.growth_areas.is_empty() {
                    ui.label(RichText::new("What to work on").strong().color(p.fair));
                    for x in &s.feedback.growth_areas {
                        ui.label(format!("–  {x}"));
                    }
                }
                if let Some(e) = &data.transcript.ending {
                    ui.add_space(4.0);
                    ui.label(RichText::new("Debrief").strong());
                    ui.label(&e.debrief);
                }
            });
            if !s.feedback.missed_moments.is_empty() {
                ui.add_space(6.0);
                theme::card(p).show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    ui.label(
                        RichText::new(format!(
                            "Where a better reply was available ({})",
                            s.feedback.missed_moments.len()
                        ))
                        .strong(),
                    );
                    for m in &s.feedback.missed_moments {
                        ui.separator();
                        ui.label(
                            RichText::new(format!(
                                "Turn {} — the client said: “{}”",
                                m.turn, m.client
                            ))
                            .small(),
                        );
                        ui.label(
                            RichText::new(format!("You ({}/5): {}", m.chosen_rating, m.chosen))
                                .color(theme::rating_colour(p, m.chosen_rating)),
                        );
                        ui.label(
                            RichText::new(format!(
                                "Better ({}/5): {}",
                                m.better.rating, m.better.text
                            ))
                            .color(theme::rating_colour(p, m.better.rating)),
                        );
                        ui.label(RichText::new(&m.better.feedback).small());
                    }
                });
            }
            ui.add_space(6.0);
            egui::CollapsingHeader::new(RichText::new("Transcript with codes").strong())
                .default_open(false)
                .show(ui, |ui| {
                    for turn in &data.transcript.turns {
                        ui.label(RichText::new(format!(
                            "{}: {}",
                            data.scenario.persona.name, turn.client.text
                        )));
                        let codes = codes_label(&turn.reply.codes);
                        ui.label(
                            RichText::new(format!("You: {}", turn.reply.text)).color(p.accent),
                        );
                        ui.label(
                            RichText::new(format!("    {codes} · {}/5", turn.reply.rating))
                                .small()
                                .color(p.muted),
                        );
                        if let Some(b) = &turn.better {
                            ui.label(
                                RichText::new(format!("    Better ({}/5): {}", b.rating, b.text))
                                    .small()
                                    .color(theme::rating_colour(p, b.rating)),
                            );
                        }
                    }
                });
            theme::keep_focus_in_view(ui);
        });
    action
}

fn report_system(
    mut contexts: EguiContexts,
    settings: Res<Settings>,
    report: Res<Report>,
    mut actions: MessageWriter<ReportAction>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let p = palette(&settings);
    if let Some(a) = show_page(ctx, &p, |ui| report_ui(ui, &report, &p)) {
        actions.write(a);
        ctx.request_repaint();
    }
    Ok(())
}

/// Registers the report screen.
pub fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        report_system
            .run_if(in_state(Screen::Report))
            .run_if(resource_exists::<Report>)
            .in_set(ScreenUi),
    );
}
