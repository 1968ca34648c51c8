//! Instructor mode's tools above the replies: where the conversation is, jump to any
//! point, restart, the decision graph (shown in a window, saved as SVG on request), and
//! preview the current point with another client state.

use std::sync::Arc;

use bevy_egui::egui::{self, Color32, Pos2, RichText, Stroke, Vec2, epaint::CubicBezierShape};
use changetalk_core::Scenario;
use changetalk_core::authoring::graph::{
    Geometry, GraphLayout, GraphNode, Quality, alternatives_note, bezier, lines_summary,
};
use changetalk_core::authoring::model_path::point_ratings;
use changetalk_core::engine::Session;
use changetalk_core::engine::model::{ClientState, Outcome};

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
                    .on_hover_text("Show the decision graph (and save it as SVG)")
                    .clicked()
                {
                    let open = graph_open(ui.ctx());
                    ui.ctx().data_mut(|d| d.insert_temp(graph_open_id(), !open));
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
    if let Some(a) = graph_window(ui.ctx(), session, p) {
        action = Some(a);
    }
    action
}

fn graph_open_id() -> egui::Id {
    egui::Id::new("decision-graph-open")
}

/// True while the decision graph's window is open.
pub fn graph_open(ctx: &egui::Context) -> bool {
    ctx.data(|d| d.get_temp::<bool>(graph_open_id()))
        .unwrap_or(false)
}

/// The decision graph's window, while open: the graph, drawn from the scenario (a click on a
/// point jumps there), and "Save as SVG".
fn graph_window(ctx: &egui::Context, session: &Session, p: &Palette) -> Option<SessionAction> {
    let mut open = graph_open(ctx);
    if !open {
        return None;
    }
    let mut action = None;
    egui::Window::new("Decision graph")
        .id(egui::Id::new("decision-graph"))
        .open(&mut open)
        .default_size([900.0, 520.0])
        .resizable(true)
        .collapsible(false)
        .show(ctx, |ui| action = graph_ui(ui, session, p));
    if !open {
        ctx.data_mut(|d| d.insert_temp(graph_open_id(), false));
    }
    action
}

/// The layout of `s`, computed once per loaded scenario (kept in egui's memory).
fn layout_of(ctx: &egui::Context, s: &Arc<Scenario>) -> Arc<GraphLayout> {
    let id = egui::Id::new(("decision-graph-layout", Arc::as_ptr(s) as usize));
    if let Some(l) = ctx.data(|d| d.get_temp::<Arc<GraphLayout>>(id)) {
        return l;
    }
    let l = Arc::new(GraphLayout::new(s));
    ctx.data_mut(|d| d.insert_temp(id, Arc::clone(&l)));
    l
}

fn hex(c: &str) -> Color32 {
    Color32::from_hex(c).unwrap_or(Color32::LIGHT_GRAY)
}

/// Fill of an ending (as in the SVG).
fn outcome_fill(o: Outcome) -> Color32 {
    match o {
        Outcome::Positive => hex("#cfe3ff"),
        Outcome::Mixed => hex("#e4dcf5"),
        Outcome::Disengaged => hex("#dcdcdc"),
    }
}

/// The decision graph, drawn with egui from the scenario: points filled by their best reply's
/// rating, arrows coloured by the option's rating and thick on the best path, the point the
/// conversation is at outlined. A click on a point jumps there (a preview); "Save as SVG"
/// writes the same graph as `changetalk graph`.
pub fn graph_ui(ui: &mut egui::Ui, session: &Session, p: &Palette) -> Option<SessionAction> {
    let mut action = None;
    let s = session.scenario();
    let layout = layout_of(ui.ctx(), s);
    ui.label(RichText::new(&s.title).strong());
    ui.horizontal_wrapped(|ui| {
        let swatch = |ui: &mut egui::Ui, q: Quality, text: &str| {
            ui.label(RichText::new("■").color(hex(q.fill())));
            ui.label(RichText::new(text).small());
        };
        swatch(ui, Quality::Good, "best reply rated 4–5");
        swatch(ui, Quality::Fair, "3");
        swatch(ui, Quality::Poor, "1–2");
        ui.label(
            RichText::new(
                "· arrow: the option's number, coloured by its rating · thick: best path · outlined: where the conversation is · click a point to jump there",
            )
            .small()
            .color(p.muted),
        );
        if ui
            .button("Save as SVG")
            .on_hover_text("Save this graph next to the reports (like `changetalk graph`)")
            .clicked()
        {
            action = Some(SessionAction::ExportGraph);
        }
    });
    ui.separator();
    let row = ui.text_style_height(&egui::TextStyle::Small);
    let (node_w, node_h) = (row * 15.0, row * 4.0 + 14.0);
    let (col_gap, row_gap, margin) = (row * 5.0, row * 2.0, 12.0);
    let size = Vec2::new(
        margin * 2.0 + layout.cols as f32 * (node_w + col_gap) - col_gap + 40.0,
        margin * 2.0 + layout.rows as f32 * (node_h + row_gap) - row_gap + 50.0,
    );
    let here = session.current_point().map(|pt| pt.id.as_str());
    egui::ScrollArea::both()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            let (canvas, _) = ui.allocate_exact_size(size, egui::Sense::hover());
            let painter = ui.painter_at(canvas);
            painter.rect_filled(canvas, 6.0, Color32::WHITE);
            let rect_of = |n: usize| {
                let (c, r) = layout.slots[n];
                egui::Rect::from_min_size(
                    canvas.min
                        + Vec2::new(
                            margin + c as f32 * (node_w + col_gap),
                            margin + r as f32 * (node_h + row_gap),
                        ),
                    Vec2::new(node_w, node_h),
                )
            };
            let small = egui::TextStyle::Small.resolve(ui.style());
            // Arrows first, so the boxes sit on top of them; they run only through the gaps
            // between columns and rows (see `authoring::graph::route`).
            let geometry = Geometry {
                x0: f64::from(canvas.min.x + margin),
                y0: f64::from(canvas.min.y + margin),
                node_w: f64::from(node_w),
                node_h: f64::from(node_h),
                col_gap: f64::from(col_gap),
                row_gap: f64::from(row_gap),
            };
            let pos = |(x, y): (f64, f64)| Pos2::new(x as f32, y as f32);
            for (e, route) in layout.edges.iter().zip(layout.routes(&geometry)) {
                let colour = hex(Quality::of(e.rating).stroke());
                let stroke = Stroke::new(if e.best { 3.0 } else { 1.2 }, colour);
                for piece in &route.pieces {
                    painter.add(CubicBezierShape::from_points_stroke(
                        piece.map(pos),
                        false,
                        Color32::TRANSPARENT,
                        stroke,
                    ));
                }
                let Some(last) = route.pieces.last() else {
                    continue;
                };
                let tip = pos(last[3]);
                let dir = (tip - pos(bezier(*last, 0.93))).normalized();
                let side = dir.rot90() * 4.5;
                painter.add(egui::Shape::convex_polygon(
                    vec![tip, tip - dir * 9.0 + side, tip - dir * 9.0 - side],
                    colour,
                    Stroke::NONE,
                ));
                let label = painter.layout_no_wrap(e.number.to_string(), small.clone(), colour);
                let r =
                    egui::Rect::from_center_size(pos(route.label), label.size() + Vec2::splat(4.0));
                painter.rect_filled(r, 3.0, Color32::WHITE);
                painter.galley(r.min + Vec2::splat(2.0), label, colour);
            }
            let ink = hex("#222222");
            for (n, node) in layout.nodes.iter().enumerate() {
                let r = rect_of(n);
                let (title, body, fill, radius, border, info, jump) = match *node {
                    GraphNode::Point(i) => {
                        let pt = &s.points[i];
                        let best = point_ratings(pt).into_iter().max().unwrap_or(0);
                        let start = pt.id == s.start;
                        let line = pt.default_line().map_or("", |l| l.text.as_str());
                        let at_here = here == Some(pt.id.as_str());
                        let border = if at_here {
                            Stroke::new(3.5, p.accent)
                        } else {
                            Stroke::new(if start { 2.5 } else { 1.0 }, hex("#333333"))
                        };
                        let info = format!(
                            "point `{}`{}{} — best reply rated {best}\n{}",
                            pt.id,
                            if start { " (start)" } else { "" },
                            if at_here {
                                " (the conversation is here)"
                            } else {
                                ""
                            },
                            lines_summary(pt),
                        );
                        (
                            pt.id.clone(),
                            line.to_string(),
                            hex(Quality::of(best).fill()),
                            10.0,
                            border,
                            info,
                            Some(i),
                        )
                    }
                    GraphNode::Ending(e) => {
                        let end = &s.endings[e];
                        let walkout = s
                            .persona
                            .walkout
                            .as_ref()
                            .is_some_and(|w| w.ending == end.id);
                        let kind = format!(
                            "{}{}",
                            end.outcome.name(),
                            if walkout { " · walkout" } else { "" }
                        );
                        let info = format!("ending `{}` — {kind}: {}", end.id, end.title);
                        (
                            end.id.clone(),
                            format!("{}\n{kind}", end.title),
                            outcome_fill(end.outcome),
                            node_h / 2.0,
                            Stroke::new(1.0, hex("#333333")),
                            info,
                            None,
                        )
                    }
                };
                painter.rect(r, radius, fill, border, egui::StrokeKind::Inside);
                let pad = if jump.is_some() { 8.0 } else { node_h / 4.0 };
                let title_g = painter.layout_no_wrap(
                    title,
                    egui::FontId::new(small.size * 1.05, small.family.clone()),
                    ink,
                );
                let title_h = title_g.size().y;
                painter.with_clip_rect(r.shrink(2.0)).galley(
                    r.min + Vec2::new(pad, 5.0),
                    title_g,
                    ink,
                );
                let mut job =
                    egui::text::LayoutJob::simple(body, small.clone(), ink, node_w - 2.0 * pad);
                let note = match *node {
                    GraphNode::Point(i) => alternatives_note(&s.points[i]),
                    GraphNode::Ending(_) => None,
                };
                job.wrap.max_rows = if note.is_some() { 2 } else { 3 };
                job.wrap.break_anywhere = false;
                let body_g = painter.layout_job(job);
                painter.galley(r.min + Vec2::new(pad, 7.0 + title_h), body_g, ink);
                if let Some(note) = note {
                    let g = painter.layout_no_wrap(
                        note,
                        egui::FontId::new(small.size * 0.95, small.family.clone()),
                        hex("#444444"),
                    );
                    let at = Pos2::new(r.left() + pad, r.bottom() - g.size().y - 4.0);
                    painter.with_clip_rect(r.shrink(2.0)).galley(at, g, ink);
                }
                let sense = if jump.is_some() {
                    egui::Sense::click()
                } else {
                    egui::Sense::hover()
                };
                let resp = ui.interact(r, ui.id().with(("graph-node", n)), sense);
                let kind = if jump.is_some() {
                    egui::WidgetType::Button
                } else {
                    egui::WidgetType::Label
                };
                resp.widget_info(|| egui::WidgetInfo::labeled(kind, true, &info));
                if resp.hovered() {
                    painter.rect_stroke(
                        r,
                        radius,
                        Stroke::new(2.0, p.accent),
                        egui::StrokeKind::Outside,
                    );
                }
                let resp = resp.on_hover_text(&info);
                if let Some(i) = jump
                    && resp.clicked()
                {
                    action = Some(SessionAction::Jump(i));
                }
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
