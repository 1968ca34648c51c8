//! Colours, text sizes and the small widgets every screen shares; the theme and the focus
//! ring applied around the screens' egui systems ([`ScreenUi`]).

use bevy::prelude::*;
use bevy_egui::egui::{self, Color32, CornerRadius, RichText, Stroke, Vec2};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass};
use changetalk_core::engine::model::{Difficulty, Stage};
use changetalk_core::miti::score::Band;

use super::settings::Settings;

/// System set of the screens' egui systems (after the theme is applied, before the focus
/// ring is drawn over them).
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct ScreenUi;

/// The current palette.
pub fn palette(settings: &Settings) -> Palette {
    Palette::for_contrast(settings.high_contrast)
}

/// Applies theme and text scale when settings change.
fn apply_theme(
    mut contexts: EguiContexts,
    settings: Res<Settings>,
    mut clear: ResMut<ClearColor>,
    mut applied: Local<Option<Settings>>,
) -> Result {
    if applied.as_ref() == Some(&*settings) {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?;
    let p = palette(&settings);
    apply(ctx, &p, settings.text_scale, settings.high_contrast);
    let [r, g, b, _] = p.bg.to_array();
    clear.0 = bevy::color::Color::srgb_u8(r, g, b);
    *applied = Some(settings.clone());
    Ok(())
}

/// Draws a clear ring around whichever widget has keyboard focus, on every screen, so
/// keyboard-only use always shows where it is.
fn focus_ring(mut contexts: EguiContexts, settings: Res<Settings>) -> Result {
    let ctx = contexts.ctx_mut()?;
    // The window's name for screen readers (egui's root node stands for the window).
    ctx.accesskit_node_builder(egui::accesskit_root_id(), |n| {
        n.set_label("ChangeTalk — motivational interviewing practice");
    });
    let Some(id) = ctx.memory(|m| m.focused()) else {
        return Ok(());
    };
    let Some(r) = ctx.read_response(id) else {
        return Ok(());
    };
    let p = palette(&settings);
    let width = if settings.high_contrast { 4.0 } else { 3.0 };
    ctx.layer_painter(egui::LayerId::new(
        egui::Order::Foreground,
        egui::Id::new("focus-ring"),
    ))
    .rect_stroke(
        r.rect.expand(3.0),
        8.0,
        egui::Stroke::new(width, p.focus),
        egui::StrokeKind::Outside,
    );
    Ok(())
}

/// A root `Ui` covering the whole window, for showing panels (egui 0.36 shows panels inside a Ui).
pub fn root_ui(ctx: &egui::Context) -> egui::Ui {
    egui::Ui::new(
        ctx.clone(),
        "changetalk-root".into(),
        egui::UiBuilder::new()
            .layer_id(egui::LayerId::background())
            .max_rect(ctx.viewport_rect()),
    )
}

/// Shows a whole-window page (library, exercise, report, settings) with the theme's margins;
/// returns what `add` returns.
pub fn show_page<R>(ctx: &egui::Context, p: &Palette, add: impl FnOnce(&mut egui::Ui) -> R) -> R {
    let mut root = root_ui(ctx);
    egui::CentralPanel::default()
        .frame(page(p))
        .show(&mut root, add)
        .inner
}

/// Every screen opens at its top: when the screen changes, every scroll area's remembered
/// offset is dropped (the chat sticks to its bottom by itself).
fn open_screens_at_top(
    mut contexts: EguiContexts,
    screen: Res<State<super::state::Screen>>,
    mut shown: Local<Option<super::state::Screen>>,
) -> Result {
    if *shown != Some(*screen.get()) {
        *shown = Some(*screen.get());
        contexts
            .ctx_mut()?
            .data_mut(|d| d.remove_by_type::<egui::containers::scroll_area::State>());
    }
    Ok(())
}

/// Applies the theme before the screens draw and the focus ring after.
pub fn plugin(app: &mut App) {
    app.configure_sets(EguiPrimaryContextPass, ScreenUi);
    app.add_systems(
        EguiPrimaryContextPass,
        (
            (apply_theme, open_screens_at_top).before(ScreenUi),
            focus_ring.after(ScreenUi),
        ),
    );
}

/// Call last inside a scroll area's content: when keyboard focus has just moved to a widget
/// in it (Tab, Shift+Tab), scrolls that widget into view — egui does not on its own. Each
/// widget is scrolled to once per visit, so the trainee can still scroll away from it.
pub fn keep_focus_in_view(ui: &mut egui::Ui) {
    let ctx = ui.ctx().clone();
    let key = ui.id().with("focus-scrolled-to");
    let done: Option<egui::Id> = ctx.data(|d| d.get_temp(key)).flatten();
    let inside = ctx.memory(|m| m.focused()).and_then(|id| {
        let r = ctx.read_response(id)?;
        ui.min_rect().contains_rect(r.rect).then_some((id, r.rect))
    });
    match inside {
        Some((id, _)) if done == Some(id) => {}
        Some((id, rect)) => {
            ui.scroll_to_rect(rect.expand(12.0), None);
            ctx.data_mut(|d| d.insert_temp(key, Some(id)));
        }
        None if done.is_some() => {
            ctx.data_mut(|d| d.insert_temp(key, None::<egui::Id>));
        }
        None => {}
    }
}

/// The palette in use (normal or high contrast).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Palette {
    /// Window background (also behind the face).
    pub bg: Color32,
    /// Cards and panels.
    pub panel: Color32,
    /// Body text.
    pub text: Color32,
    /// Secondary text.
    pub muted: Color32,
    /// Buttons and links.
    pub accent: Color32,
    /// Text on accent.
    pub on_accent: Color32,
    /// The client's chat bubbles.
    pub client_bubble: Color32,
    /// The trainee's chat bubbles.
    pub trainee_bubble: Color32,
    /// Good band.
    pub good: Color32,
    /// Fair band.
    pub fair: Color32,
    /// Below fair band, errors.
    pub bad: Color32,
    /// Keyboard focus ring.
    pub focus: Color32,
    /// Borders.
    pub border: Color32,
}

impl Palette {
    /// The default, calm palette.
    pub const NORMAL: Palette = Palette {
        bg: Color32::from_rgb(0xee, 0xf1, 0xf5),
        panel: Color32::from_rgb(0xff, 0xff, 0xff),
        text: Color32::from_rgb(0x1d, 0x24, 0x33),
        muted: Color32::from_rgb(0x55, 0x60, 0x75),
        accent: Color32::from_rgb(0x1f, 0x5f, 0xbf),
        on_accent: Color32::WHITE,
        client_bubble: Color32::from_rgb(0xf3, 0xf4, 0xf7),
        trainee_bubble: Color32::from_rgb(0xdf, 0xea, 0xff),
        good: Color32::from_rgb(0x1f, 0x7a, 0x45),
        fair: Color32::from_rgb(0x9a, 0x6a, 0x00),
        bad: Color32::from_rgb(0xb4, 0x23, 0x23),
        focus: Color32::from_rgb(0xe0, 0x8a, 0x00),
        border: Color32::from_rgb(0xd3, 0xd8, 0xe2),
    };

    /// High contrast: black on white, saturated bands, thick focus.
    pub const HIGH_CONTRAST: Palette = Palette {
        bg: Color32::WHITE,
        panel: Color32::WHITE,
        text: Color32::BLACK,
        muted: Color32::from_rgb(0x20, 0x20, 0x20),
        accent: Color32::from_rgb(0x00, 0x30, 0x99),
        on_accent: Color32::WHITE,
        client_bubble: Color32::from_rgb(0xf0, 0xf0, 0xf0),
        trainee_bubble: Color32::from_rgb(0xd8, 0xe6, 0xff),
        good: Color32::from_rgb(0x00, 0x55, 0x1e),
        fair: Color32::from_rgb(0x6b, 0x45, 0x00),
        bad: Color32::from_rgb(0x9b, 0x00, 0x00),
        focus: Color32::from_rgb(0xc8, 0x00, 0x78),
        border: Color32::BLACK,
    };

    /// The palette for a setting.
    pub fn for_contrast(high: bool) -> Palette {
        if high {
            Palette::HIGH_CONTRAST
        } else {
            Palette::NORMAL
        }
    }

    /// Colour of a band.
    pub fn band(&self, band: Option<Band>) -> Color32 {
        match band {
            Some(Band::Good) => self.good,
            Some(Band::Fair) => self.fair,
            Some(Band::BelowFair) => self.bad,
            None => self.muted,
        }
    }
}

/// Applies palette and text scale to an egui context.
pub fn apply(ctx: &egui::Context, p: &Palette, text_scale: f32, high_contrast: bool) {
    ctx.set_theme(egui::ThemePreference::Light);
    let mut style = (*ctx.style_of(egui::Theme::Light)).clone();
    let base = |s: f32| s * text_scale;
    use egui::{FontFamily::Monospace, FontFamily::Proportional, FontId, TextStyle};
    style.text_styles = [
        (TextStyle::Heading, FontId::new(base(26.0), Proportional)),
        (TextStyle::Body, FontId::new(base(16.0), Proportional)),
        (TextStyle::Button, FontId::new(base(16.0), Proportional)),
        (TextStyle::Small, FontId::new(base(13.0), Proportional)),
        (TextStyle::Monospace, FontId::new(base(14.0), Monospace)),
    ]
    .into();
    style.spacing.item_spacing = Vec2::new(8.0, 8.0);
    style.spacing.button_padding = Vec2::new(12.0, 7.0);
    style.spacing.interact_size.y = 30.0;
    // Solid scroll bars, always shown: a list that scrolls says so.
    style.spacing.scroll = egui::style::ScrollStyle::solid();
    // Check boxes, radio buttons and a slider's rail grow with the text (egui sizes them in
    // points; a slider's handle follows the text height). The slider keeps its length, so the
    // text-size slider does not move under the pointer while it rescales the page.
    style.spacing.icon_width = 20.0 * text_scale;
    style.spacing.icon_width_inner = 12.0 * text_scale;
    style.spacing.icon_spacing = 8.0 * text_scale;
    style.spacing.slider_width = 240.0;
    style.spacing.slider_rail_height = 6.0 * text_scale;
    let mut v = egui::Visuals::light();
    v.panel_fill = p.bg;
    v.window_fill = p.panel;
    v.extreme_bg_color = p.panel;
    v.faint_bg_color = p.client_bubble;
    v.override_text_color = Some(p.text);
    v.hyperlink_color = p.accent;
    v.selection.bg_fill = p.accent;
    v.selection.stroke = Stroke::new(if high_contrast { 3.0 } else { 2.0 }, p.focus);
    let border = Stroke::new(if high_contrast { 2.0 } else { 1.0 }, p.border);
    v.widgets.noninteractive.bg_stroke = border;
    v.widgets.inactive.bg_stroke = border;
    v.widgets.inactive.weak_bg_fill = p.panel;
    v.widgets.inactive.bg_fill = p.panel;
    v.widgets.hovered.bg_stroke = Stroke::new(2.0, p.accent);
    v.widgets.active.bg_stroke = Stroke::new(2.0, p.accent);
    // A slider's rail is painted in the inactive fill, so it must show on a white card; the
    // part up to the handle is filled with the accent. A focused or pressed widget (egui's
    // "active") gets a light tint, never a dark fill that looks like a ticked check box.
    v.widgets.inactive.bg_fill = rail_colour(p, high_contrast);
    v.widgets.hovered.bg_fill = p.trainee_bubble;
    v.widgets.active.bg_fill = p.trainee_bubble;
    v.slider_trailing_fill = true;
    for w in [
        &mut v.widgets.inactive,
        &mut v.widgets.hovered,
        &mut v.widgets.active,
        &mut v.widgets.noninteractive,
    ] {
        w.corner_radius = CornerRadius::same(8);
        w.fg_stroke.color = p.text;
    }
    style.visuals = v;
    ctx.set_style_of(egui::Theme::Light, style);
}

/// Width of the text column beside the client's face (briefing, session): `share` of the
/// window and at least `min` pixels, and wider with large text — 26 characters' widths of
/// the body font, up to 75% of the window — so it stays readable at 200%.
pub fn text_column_width(ui: &egui::Ui, share: f32, min: f32) -> f32 {
    let em = ui.style().text_styles[&egui::TextStyle::Body].size;
    let full = ui.available_width();
    (full * share).max(min).max((26.0 * em).min(full * 0.75))
}

/// A frame for cards.
pub fn card(p: &Palette) -> egui::Frame {
    egui::Frame::new()
        .fill(p.panel)
        .stroke(Stroke::new(1.0, p.border))
        .corner_radius(CornerRadius::same(12))
        .inner_margin(egui::Margin::same(14))
}

/// The chips that describe a client: stage of change, difficulty, topic and minutes.
pub fn scenario_chips(ui: &mut egui::Ui, p: &Palette, s: &changetalk_core::Scenario) {
    ui.horizontal_wrapped(|ui| {
        chip(ui, s.stage.name(), stage_colour(p, s.stage));
        chip(ui, s.difficulty.name(), difficulty_colour(p, s.difficulty));
        if !s.topic.is_empty() {
            chip(ui, &s.topic, p.muted);
        }
        if s.is_course() {
            chip(
                ui,
                &format!("course · {} sessions", s.session_count()),
                p.accent,
            );
        }
        ui.add(
            egui::Label::new(
                RichText::new(format!("about {} min", s.minutes))
                    .small()
                    .color(p.muted),
            )
            .wrap_mode(egui::TextWrapMode::Extend),
        );
    });
}

/// The change plan a course remembers, as a card: each part in the client's words. Shown in
/// a later session's briefing and beside the conversation, so the trainee can follow up on
/// it, and on a course's report.
pub fn plan_card(ui: &mut egui::Ui, p: &Palette, items: &[crate::app::course::PlanItem]) {
    card(p).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new("The change plan").strong());
        egui::Grid::new(ui.id().with("plan-card"))
            .num_columns(2)
            .spacing([10.0, 3.0])
            .show(ui, |ui| {
                for item in items {
                    ui.label(RichText::new(&item.label).small().color(p.muted));
                    ui.add(egui::Label::new(&item.text).wrap());
                    ui.end_row();
                }
            });
    });
}

/// The frame of a full-page screen (library, settings, report).
pub fn page(p: &Palette) -> egui::Frame {
    egui::Frame::new()
        .fill(p.bg)
        .inner_margin(egui::Margin::same(18))
}

/// A small coloured label ("Precontemplation", "good"). A chip is one unit: in a wrapping
/// row it moves to the next row rather than break ("c a n n a b i s"); only a chip wider
/// than the whole row wraps, between words.
pub fn chip(ui: &mut egui::Ui, text: &str, colour: Color32) -> egui::Response {
    let rich = RichText::new(text).small().color(colour);
    let text_w = egui::WidgetText::from(rich.clone())
        .into_galley(
            ui,
            Some(egui::TextWrapMode::Extend),
            f32::INFINITY,
            egui::TextStyle::Small,
        )
        .size()
        .x;
    let chip_w = text_w + 18.0;
    if ui.layout().main_wrap
        && chip_w > ui.available_size_before_wrap().x
        && ui.available_size_before_wrap().x < ui.max_rect().width() - 1.0
    {
        ui.end_row();
    }
    // Only a chip wider than a whole wrapping row wraps (between words); anywhere else (a
    // grid cell, a fixed row) it keeps its one line and the layout makes room.
    let fits = !ui.layout().main_wrap || chip_w <= ui.available_size_before_wrap().x + 0.5;
    egui::Frame::new()
        .fill(colour.gamma_multiply(0.14))
        .stroke(Stroke::new(1.0, colour))
        .corner_radius(CornerRadius::same(10))
        .inner_margin(egui::Margin::symmetric(8, 2))
        .show(ui, |ui| {
            let mode = if fits {
                egui::TextWrapMode::Extend
            } else {
                egui::TextWrapMode::Wrap
            };
            ui.add(egui::Label::new(rich).wrap_mode(mode))
        })
        .response
}

/// A large primary button.
pub fn primary_button(ui: &mut egui::Ui, p: &Palette, text: &str) -> egui::Response {
    ui.add(
        egui::Button::new(RichText::new(text).strong().color(p.on_accent))
            .fill(p.accent)
            .min_size(Vec2::new(0.0, 38.0)),
    )
}

/// A 0–10 meter: its name and value on one line, the bar under them at the full width (so
/// it fits any column at any text size).
pub fn meter(ui: &mut egui::Ui, p: &Palette, label: &str, value: i32, colour: Color32) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(label).small());
        ui.label(RichText::new(format!("{value}/10")).small().strong());
    });
    let (rect, _) = ui.allocate_exact_size(
        Vec2::new(ui.available_width().max(40.0), 10.0),
        egui::Sense::hover(),
    );
    let painter = ui.painter();
    painter.rect_filled(rect, 5.0, p.border);
    let mut fill = rect;
    fill.set_width(rect.width() * (value.clamp(0, 10) as f32 / 10.0));
    painter.rect_filled(fill, 5.0, colour);
}

/// Colour for a stage-of-change chip.
pub fn stage_colour(p: &Palette, s: Stage) -> Color32 {
    match s {
        Stage::Precontemplation => p.bad,
        Stage::Contemplation => p.fair,
        Stage::Preparation | Stage::Action => p.good,
        Stage::Maintenance => p.accent,
        Stage::Relapse => Color32::from_rgb(0x7a, 0x3d, 0x9a),
    }
}

/// Colour for a difficulty chip.
pub fn difficulty_colour(p: &Palette, d: Difficulty) -> Color32 {
    match d {
        Difficulty::Beginner => p.good,
        Difficulty::Intermediate => p.fair,
        Difficulty::Advanced => p.bad,
    }
}

/// What was clicked in the header bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderClick {
    /// The back button.
    Back,
    /// Settings.
    Settings,
    /// The instructor-mode toggle.
    Instructor,
}

/// Header bar shared by the briefing and session screens. `instructor` shows the
/// instructor-mode toggle in that state (`None` hides it).
pub fn header(
    ui: &mut egui::Ui,
    back_label: &str,
    title: &str,
    subtitle: &str,
    instructor: Option<bool>,
    p: &Palette,
) -> Option<HeaderClick> {
    bar(
        ui,
        "header",
        |ui| {
            let back = ui.button(back_label).clicked();
            ui.label(
                RichText::new(title)
                    .strong()
                    .size(ui.style().text_styles[&egui::TextStyle::Heading].size * 0.8),
            );
            ui.label(RichText::new(subtitle).color(p.muted));
            back.then_some(HeaderClick::Back)
        },
        |ui| {
            let mut click = None;
            if let Some(on) = instructor
                && ui
                    .add(
                        egui::Button::new(if on {
                            "✔ Instructor mode"
                        } else {
                            "Instructor mode"
                        })
                        .selected(on),
                    )
                    .on_hover_text("Show each reply's codes and rating; jump to any point")
                    .clicked()
            {
                click = Some(HeaderClick::Instructor);
            }
            if ui.button("⚙ Settings").clicked() {
                click = Some(HeaderClick::Settings);
            }
            click
        },
    )
}

/// A bar that reflows: `left` from the left, then `right` pushed to the right edge while it
/// fits on the same row, and wrapping below it when it does not (large text never slides
/// under the buttons). Both are added left to right, so the tab order is the reading order.
/// Each side returns what was clicked; the bar returns the right side's, else the left's.
pub fn bar<R>(
    ui: &mut egui::Ui,
    salt: &str,
    left: impl FnOnce(&mut egui::Ui) -> Option<R>,
    right: impl FnOnce(&mut egui::Ui) -> Option<R>,
) -> Option<R> {
    let key = ui.id().with(("bar-right-width", salt));
    ui.horizontal_wrapped(|ui| {
        let l = left(ui);
        // The right side's natural width, measured last frame.
        let needed: f32 = ui.data(|d| d.get_temp(key)).unwrap_or(0.0);
        let gap = ui.spacing().item_spacing.x;
        // What is left of the current row (not the whole width: that is the next row's).
        let row_left = ui.available_size_before_wrap().x;
        if needed > 0.0 && needed + gap > row_left && row_left < ui.max_rect().width() - 1.0 {
            ui.end_row();
        }
        let free = ui.available_size_before_wrap().x - needed - gap;
        if needed > 0.0 && free > 0.0 {
            ui.add_space(free);
        }
        // Buttons keep their one-line labels; the row wraps instead.
        let r = ui.horizontal(|ui| {
            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
            right(ui)
        });
        let group = r.response.rect.width();
        if (group - needed).abs() > 0.5 {
            ui.data_mut(|d| d.insert_temp(key, group));
            ui.ctx().request_repaint();
        }
        r.inner.or(l)
    })
    .inner
}

/// A card with a coloured outline, for messages: red for problems, the accent for news, the
/// band colour for a result.
pub fn banner(p: &Palette, colour: Color32) -> egui::Frame {
    card(p).stroke(Stroke::new(2.0, colour))
}

/// A page's message in a full-width banner of `colour`, with room under it for a button
/// (`more`); a space follows it.
pub fn message_banner<R>(
    ui: &mut egui::Ui,
    p: &Palette,
    colour: Color32,
    text: &str,
    more: impl FnOnce(&mut egui::Ui) -> R,
) -> R {
    let r = banner(p, colour)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(egui::RichText::new(text).strong().color(colour));
            more(ui)
        })
        .inner;
    ui.add_space(6.0);
    r
}

/// Diagnostics as a scrolling list of at most `limit` lines, then "… and N more".
pub fn error_list(
    ui: &mut egui::Ui,
    p: &Palette,
    errors: &[String],
    limit: usize,
    salt: impl std::hash::Hash + std::fmt::Debug,
) {
    egui::ScrollArea::vertical()
        .id_salt(salt)
        .max_height(110.0)
        .show(ui, |ui| {
            for e in errors.iter().take(limit) {
                ui.label(RichText::new(e).monospace().small().color(p.bad));
            }
            if errors.len() > limit {
                ui.label(RichText::new(format!("… and {} more", errors.len() - limit)).small());
            }
        });
}

/// A red banner: the scenario file on disk has errors, and the last good version is what
/// is being played (hot reload keeps it playable).
pub fn file_errors_banner(ui: &mut egui::Ui, name: &str, errors: &[String], p: &Palette) {
    banner(p, p.bad).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(
                RichText::new(format!(
                    "⚠ {name} has {} error{} — you are playing the last version that loaded. Fix the file and save; it reloads by itself.",
                    errors.len(),
                    if errors.len() == 1 { "" } else { "s" }
                ))
                .strong()
                .color(p.bad),
            );
            error_list(ui, p, errors, 12, "reload-errors");
        });
}

/// True while a text field has keyboard focus: single-key shortcuts (1–9, B, E, P, A) are
/// then typed text, not commands. A focused button does not count — shortcuts still work.
pub fn typing(ctx: &egui::Context) -> bool {
    ctx.memory(|m| m.focused())
        .is_some_and(|id| egui::text_edit::TextEditState::load(ctx, id).is_some())
}

/// The reply number (1–9) pressed this frame among the first `shown`, if any: the session's
/// shortcut, and the editor preview's.
pub fn number_key(i: &egui::InputState, shown: usize) -> Option<usize> {
    const KEYS: [egui::Key; 9] = [
        egui::Key::Num1,
        egui::Key::Num2,
        egui::Key::Num3,
        egui::Key::Num4,
        egui::Key::Num5,
        egui::Key::Num6,
        egui::Key::Num7,
        egui::Key::Num8,
        egui::Key::Num9,
    ];
    KEYS.iter()
        .take(shown)
        .position(|k| i.key_pressed(*k))
        .map(|k| k + 1)
}

/// The rail of a slider and the fill of an idle widget: a tint that shows on white.
fn rail_colour(p: &Palette, high_contrast: bool) -> Color32 {
    if high_contrast {
        Color32::from_gray(0xc8)
    } else {
        p.border
    }
}

/// A check box that reads as one at every text size: a square white box with a clear border,
/// a bold tick when checked, and a light tint (no tick) when it merely has focus or the
/// pointer. Its size follows the text ([`apply`] scales `icon_width`).
pub fn checkbox(ui: &mut egui::Ui, p: &Palette, checked: &mut bool, text: &str) -> egui::Response {
    ui.scope(|ui| {
        let size = ui.spacing().icon_width;
        let radius = CornerRadius::same((size / 6.0).round().clamp(2.0, 6.0) as u8);
        let tick = Stroke::new((size / 8.0).max(2.0), p.text);
        let w = &mut ui.visuals_mut().widgets;
        for (state, fill) in [
            (&mut w.inactive, p.panel),
            (&mut w.hovered, p.trainee_bubble),
            (&mut w.active, p.trainee_bubble),
        ] {
            state.bg_fill = fill;
            state.corner_radius = radius;
            state.fg_stroke = tick;
        }
        w.inactive.bg_stroke = Stroke::new(w.inactive.bg_stroke.width.max(1.5), p.muted);
        ui.checkbox(checked, text)
    })
    .inner
}

/// A score out of 100 as the app shows it everywhere: one decimal, as in the exports.
pub fn score_text(score: f64) -> String {
    format!("{score:.1}")
}

/// A colour for a reply's 1–5 rating, by the bands of `docs/scoring.md` §7 (as the graph
/// draws them): green 4–5, amber 3, red 1–2.
pub fn rating_colour(p: &Palette, rating: u8) -> Color32 {
    match rating {
        4.. => p.good,
        3 => p.fair,
        _ => p.bad,
    }
}

/// Counts with their noun ("1 turn"), from the core.
pub use changetalk_core::source::text::count;

#[cfg(test)]
mod format_tests {
    use super::*;

    #[test]
    fn scores_counts_and_rating_colours() {
        assert_eq!(score_text(82.5), "82.5");
        assert_eq!(score_text(82.0), "82.0");
        assert_eq!(score_text(82.46), "82.5");
        assert_eq!(count(1, "turn", "turns"), "1 turn");
        assert_eq!(count(0, "turn", "turns"), "0 turns");
        assert_eq!(count(2, "reply", "replies"), "2 replies");
        let p = Palette::NORMAL;
        assert_eq!(rating_colour(&p, 5), p.good);
        assert_eq!(rating_colour(&p, 4), p.good);
        assert_eq!(rating_colour(&p, 3), p.fair);
        assert_eq!(rating_colour(&p, 2), p.bad);
        assert_eq!(rating_colour(&p, 1), p.bad);
    }

    /// The settings' check boxes and slider show and grow with the text, and a focused check
    /// box is tinted, never filled dark like a ticked one.
    #[test]
    fn check_boxes_and_sliders_show_and_scale() {
        for high_contrast in [false, true] {
            let p = Palette::for_contrast(high_contrast);
            let mut sizes = Vec::new();
            for scale in [1.0, 1.5, 2.0] {
                let ctx = egui::Context::default();
                apply(&ctx, &p, scale, high_contrast);
                let style = ctx.style_of(egui::Theme::Light);
                let (sp, w) = (&style.spacing, &style.visuals.widgets);
                sizes.push((sp.icon_width, sp.icon_width_inner, sp.slider_rail_height));
                // The rail is painted in the inactive fill: it must differ from the card.
                assert_ne!(w.inactive.bg_fill, p.panel);
                assert!(style.visuals.slider_trailing_fill);
                // Focus ("active") and hover: a light tint, far from the tick's colour.
                for fill in [w.active.bg_fill, w.hovered.bg_fill] {
                    let [r, g, b, _] = fill.to_array();
                    assert!(r.min(g).min(b) > 180, "{fill:?} is too dark");
                }
            }
            assert!(
                sizes
                    .windows(2)
                    .all(|s| s[1].0 > s[0].0 && s[1].1 > s[0].1 && s[1].2 > s[0].2)
            );
            assert_eq!(sizes[2].0, 2.0 * sizes[0].0);
        }
    }
}
