//! Instructor mode's tools above the replies: where the conversation is, jump to any
//! point, restart, save the graph, and preview the current point with another client state.

use bevy_egui::egui::{self, RichText};
use changetalk_core::engine::Session;
use changetalk_core::engine::model::ClientState;

use super::SessionAction;
use crate::app::theme::Palette;

/// Instructor mode's tools above the replies: where the conversation is, jump to any point,
/// restart.
pub fn instructor_bar(ui: &mut egui::Ui, session: &Session, p: &Palette) -> Option<SessionAction> {
    let mut action = None;
    let scenario = session.scenario();
    egui::Frame::new()
        .fill(p.panel)
        .stroke(egui::Stroke::new(1.0, p.accent))
        .corner_radius(egui::CornerRadius::same(8))
        .inner_margin(egui::Margin::same(8))
        .show(ui, |ui| {
            ui.set_max_width(ui.available_width());
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new("Instructor").strong().color(p.accent));
                let here = session
                    .current_point()
                    .map_or_else(|| "ended".to_string(), |pt| pt.id.clone());
                ui.label(RichText::new(format!("at `{here}`")).monospace());
                if let Some(line) = session.current_line() {
                    ui.label(
                        RichText::new(format!(
                            "line `{}` · {}",
                            line.line,
                            line.talk.target().label()
                        ))
                        .small()
                        .color(p.muted),
                    );
                }
            });
            let current = session
                .current_point()
                .and_then(|pt| scenario.point_index(&pt.id));
            ui.horizontal(|ui| {
                let width = (ui.available_width() - 190.0).clamp(120.0, 360.0);
                egui::ComboBox::from_id_salt("jump-to-point")
                    .selected_text("Jump to point…")
                    .width(width)
                    .show_ui(ui, |ui| {
                        for (i, pt) in scenario.points.iter().enumerate() {
                            let first = pt.lines.first().map_or("", |l| l.text.as_str());
                            let short: String = first.chars().take(48).collect();
                            let ellipsis = if first.chars().count() > 48 { "…" } else { "" };
                            if ui
                                .selectable_label(
                                    current == Some(i),
                                    format!("{}  —  {short}{ellipsis}", pt.id),
                                )
                                .clicked()
                            {
                                action = Some(SessionAction::Jump(i));
                            }
                        }
                    });
                if ui
                    .button("Restart")
                    .on_hover_text("Start the conversation again from the beginning")
                    .clicked()
                {
                    action = Some(SessionAction::Restart);
                }
                if ui
                    .button("Graph")
                    .on_hover_text("Save the decision graph as SVG (like `changetalk graph`)")
                    .clicked()
                {
                    action = Some(SessionAction::ExportGraph);
                }
            });
            egui::CollapsingHeader::new("Client state for a preview…")
                .id_salt("preview-state")
                .show(ui, |ui| {
                    if let Some(a) = state_editor(ui, session) {
                        action = Some(a);
                    }
                });
            if let Some(start) = session.preview_start() {
                ui.label(
                    RichText::new(format!(
                        "Preview from `{start}` with the client's state at the jump; not scored as practice."
                    ))
                    .small()
                    .color(p.muted),
                );
            }
        });
    action
}

/// Sliders for the four state variables, starting from the client's state now; "Preview
/// here" replays the current point with them, so a line's `when` condition can be tried.
fn state_editor(ui: &mut egui::Ui, session: &Session) -> Option<SessionAction> {
    let mut action = None;
    let id = ui.id().with("edited-state");
    let now = session.state();
    // (the state the edit started from, the edited state): a reply moves the client on, and
    // the sliders follow it.
    let (base, mut st): (ClientState, ClientState) =
        ui.data(|d| d.get_temp(id)).unwrap_or((now, now));
    if base != now {
        st = now;
    }
    egui::Grid::new("state-editor")
        .num_columns(2)
        .show(ui, |ui| {
            for (label, v) in [
                ("Engagement", &mut st.engagement),
                ("Discord", &mut st.discord),
                ("Importance", &mut st.importance),
                ("Confidence", &mut st.confidence),
            ] {
                ui.label(label);
                ui.add(egui::Slider::new(v, 0..=10));
                ui.end_row();
            }
        });
    ui.horizontal_wrapped(|ui| {
        if ui
            .add_enabled(
                session.current_point().is_some(),
                egui::Button::new("Preview here"),
            )
            .on_hover_text("Start this point again with the client in this state")
            .clicked()
        {
            action = Some(SessionAction::PreviewState(st));
        }
        if ui.button("Back to the state now").clicked() {
            st = now;
        }
    });
    ui.data_mut(|d| d.insert_temp(id, (now, st)));
    action
}
