//! One action per decision. A reply, "try another reply" or "end session" is accepted once
//! for the state the trainee saw: input that arrives before the new client line and options
//! have been on screen for [`SETTLE_SECONDS`] — the second half of a double-click, a double
//! Enter, a key pressed twice — is ignored, whatever widget it lands on.

use bevy_egui::egui;

use crate::app::conversation::Conversation;

/// How long a new decision is shown before input counts for it: egui's double-click
/// interval, so the second click of a double-click never acts on what appeared under it.
pub const SETTLE_SECONDS: f64 = 0.3;

/// What the trainee is deciding: the turn, the decision point, whether the conversation is
/// over, and the question waiting under the replies. Any change is a new decision.
pub fn decision_id(conversation: &(impl Conversation + ?Sized), pending: PendingExit) -> egui::Id {
    egui::Id::new((
        "decision",
        conversation.exchange_count(),
        conversation.point_key(),
        conversation.is_over(),
        pending,
    ))
}

/// Records when `decision` was first drawn; true once it has been on screen long enough for
/// input to count. Nothing on screen changes when it settles, so no frame is asked for: the
/// next input brings its own.
pub fn settled(ui: &egui::Ui, decision: egui::Id) -> bool {
    let key = egui::Id::new("decision-shown-at");
    let now = ui.input(|i| i.time);
    let shown: Option<(egui::Id, f64)> = ui.data(|d| d.get_temp(key));
    match shown {
        Some((id, at)) if id == decision => now - at >= SETTLE_SECONDS,
        _ => {
            ui.data_mut(|d| d.insert_temp(key, (decision, now)));
            false
        }
    }
}

/// A question waiting under the replies before a conversation is left unfinished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PendingExit {
    /// Nothing asked.
    #[default]
    None,
    /// "End this conversation now?"
    End,
    /// "Leave this conversation for the library?"
    Leave,
}
