//! The conversation as chat bubbles, the practice feedback card and the meters.

use bevy_egui::egui::{self, Color32, RichText};
use changetalk_core::engine::Session;
use changetalk_core::engine::model::Target;

use crate::app::conversation::{Coding, Conversation};
use crate::app::state::Mode;
use crate::app::theme::{self, Palette};

fn talk_colour(p: &Palette, t: Target) -> Color32 {
    match t {
        Target::ChangeTalk => p.good,
        Target::SustainTalk => p.fair,
        Target::Discord => p.bad,
        Target::Neutral => p.muted,
    }
}

/// A rating's colour: the bands of `docs/scoring.md` §7 (green 4–5, amber 3, red 1–2), the
/// same everywhere in the app.
pub(super) fn rating_colour(p: &Palette, rating: u8) -> Color32 {
    theme::rating_colour(p, rating)
}

fn bubble(ui: &mut egui::Ui, fill: Color32, right: bool, add: impl FnOnce(&mut egui::Ui)) {
    let layout = if right {
        egui::Layout::right_to_left(egui::Align::Min)
    } else {
        egui::Layout::left_to_right(egui::Align::Min)
    };
    ui.with_layout(layout, |ui| {
        let max = (ui.available_width() * 0.86).max(200.0);
        egui::Frame::new()
            .fill(fill)
            .corner_radius(egui::CornerRadius::same(12))
            .inner_margin(egui::Margin::symmetric(12, 8))
            .show(ui, |ui| {
                ui.set_max_width(max);
                ui.with_layout(egui::Layout::top_down(egui::Align::Min), add);
            });
    });
}

/// The conversation so far, as chat bubbles. In practice each client line carries its talk
/// type once the trainee has replied to it; the line waiting for a reply shows it only when
/// `label_pending` (the "show talk type" setting, or instructor mode).
pub fn chat_ui(
    ui: &mut egui::Ui,
    conversation: &(impl Conversation + ?Sized),
    mode: Mode,
    label_pending: bool,
    p: &Palette,
) {
    let name = conversation.client_name().to_string();
    let practice = mode == Mode::Practice;
    let client = |ui: &mut egui::Ui, text: &str, talk: Option<Target>, labelled: bool| {
        bubble(ui, p.client_bubble, false, |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(&name).strong().small());
                if let Some(talk) = talk.filter(|_| practice && labelled) {
                    ui.label(
                        RichText::new(talk.label())
                            .small()
                            .color(talk_colour(p, talk)),
                    );
                }
            });
            ui.label(text);
        });
    };
    let exchanges = conversation.exchanges();
    let last = exchanges.len();
    for (i, turn) in exchanges.iter().enumerate() {
        client(ui, turn.client, turn.talk, true);
        let coding = turn.coding.as_ref().filter(|_| practice);
        bubble(ui, p.trainee_bubble, true, |ui| {
            ui.label(RichText::new("You").strong().small());
            ui.label(turn.reply);
            if let Some(c) = coding {
                let typed = c
                    .typed_confidence
                    .map(|x| format!(" · in your words, coded {:.0}% sure", x * 100.0))
                    .unwrap_or_default();
                ui.label(
                    RichText::new(format!("{} · {}/5{typed}", c.codes, c.rating))
                        .small()
                        .color(rating_colour(p, c.rating)),
                );
            }
        });
        if let Some(c) = coding
            && i + 1 == last
        {
            feedback_card(ui, c, p);
        }
    }
    if let Some(line) = conversation.waiting() {
        client(ui, line.text, line.talk, label_pending);
    }
    if let Some((title, text)) = conversation.ending() {
        ui.add_space(6.0);
        theme::card(p).show(ui, |ui| {
            ui.label(RichText::new(title).strong());
            ui.label(text);
        });
    }
}

/// The feedback card shown in practice mode after a reply.
pub fn feedback_card(ui: &mut egui::Ui, coding: &Coding, p: &Palette) {
    let colour = rating_colour(p, coding.rating);
    egui::Frame::new()
        .fill(p.panel)
        .stroke(egui::Stroke::new(2.0, colour))
        .corner_radius(egui::CornerRadius::same(10))
        .inner_margin(egui::Margin::same(10))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new("Your last reply:").strong());
                theme::chip(ui, &coding.codes, colour);
                ui.label(
                    RichText::new(format!("{}/5", coding.rating))
                        .strong()
                        .color(colour),
                );
            });
            if let Some(x) = coding.typed_confidence {
                ui.label(
                    RichText::new(format!(
                        "Your own words, coded by ChangeTalk's offline coder ({:.0}% sure).",
                        x * 100.0
                    ))
                    .small()
                    .color(p.muted),
                );
                if let Some(n) = coding.nearest {
                    ui.label(
                        RichText::new(format!(
                            "Nearest listed reply (the client answered as to this one): “{n}”"
                        ))
                        .small()
                        .color(p.muted),
                    );
                }
            }
            ui.label(coding.feedback);
            if let Some(b) = coding.better {
                ui.add_space(2.0);
                ui.label(
                    RichText::new(format!("A stronger reply ({}/5): “{}”", b.rating, b.text))
                        .color(rating_colour(p, b.rating)),
                );
                ui.label(RichText::new(&b.feedback).small());
            }
        });
}

/// The meters (practice mode).
pub fn meters_ui(ui: &mut egui::Ui, session: &Session, p: &Palette) {
    let s = session.state();
    theme::card(p).show(ui, |ui| {
        ui.set_width(ui.available_width());
        theme::meter(ui, p, "Engagement", s.engagement, p.accent);
        theme::meter(ui, p, "Discord", s.discord, p.bad);
        theme::meter(ui, p, "Importance", s.importance, p.good);
        theme::meter(ui, p, "Confidence", s.confidence, p.fair);
    });
}
