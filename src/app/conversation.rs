//! What the session screen draws from: a [`Conversation`]. The engine's `Session` is one (a
//! conversation played here); a conversation held by a class server is another (the app only
//! knows what the server shows a student: the lines, the replies to choose from and, in
//! practice, how each reply was coded). The screen is the same for both.

use changetalk_core::engine::Session;
use changetalk_core::engine::model::{Mood, Target};
use changetalk_core::miti::codes::codes_label;
use changetalk_core::miti::summary::BetterOption;

/// One exchange: the client's line and the trainee's reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange<'a> {
    /// What the client said.
    pub client: &'a str,
    /// Its talk type, when known here.
    pub talk: Option<Target>,
    /// What the trainee replied.
    pub reply: &'a str,
    /// How the reply was coded and rated, when the trainee may see it (practice).
    pub coding: Option<Coding<'a>>,
}

/// How a reply was coded and rated, with the principle behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Coding<'a> {
    /// The MITI codes, as a label (`Complex reflection`).
    pub codes: String,
    /// Its 1–5 rating.
    pub rating: u8,
    /// Why: the scenario's feedback.
    pub feedback: &'a str,
    /// The best-rated reply at that point, when it was rated higher.
    pub better: Option<&'a BetterOption>,
    /// A reply typed in the trainee's own words: how sure the coder was of its codes.
    pub typed_confidence: Option<f32>,
    /// A typed reply: the listed reply it was matched to (the client answered that one).
    pub nearest: Option<&'a str>,
}

/// The client's line waiting for a reply.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientLine<'a> {
    /// The words.
    pub text: &'a str,
    /// Its talk type, when known here.
    pub talk: Option<Target>,
    /// The mood the face shows.
    pub mood: Option<Mood>,
}

/// A reply to choose.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice<'a> {
    /// Stable within the decision (the option's id, or its number on a server).
    pub key: &'a str,
    /// What the counsellor says.
    pub text: &'a str,
}

/// A conversation as the session screen shows it.
pub trait Conversation {
    /// The client's name.
    fn client_name(&self) -> &str;
    /// The exchanges so far (with their codes' labels: built for drawing the chat).
    fn exchanges(&self) -> Vec<Exchange<'_>>;
    /// How many exchanges there are, without building them (asked several times a frame).
    fn exchange_count(&self) -> usize;
    /// The client's line waiting for a reply (none once the conversation is over).
    fn waiting(&self) -> Option<ClientLine<'_>>;
    /// The replies to choose from now, in the order shown.
    fn choices(&self) -> Vec<Choice<'_>>;
    /// The ending reached: its title and what happens.
    fn ending(&self) -> Option<(&str, &str)>;
    /// Nothing is left to reply to.
    fn is_over(&self) -> bool;
    /// Identifies the decision on screen, with the number of exchanges.
    fn point_key(&self) -> Option<&str>;
    /// The mood of the client's latest line (for the face).
    fn mood(&self) -> Option<Mood>;
    /// The engine behind it, when the conversation is played here: instructor tools and the
    /// meters need it.
    fn engine(&self) -> Option<&Session> {
        None
    }
    /// A step is on its way to the server: what to say meanwhile. Until it is answered no
    /// reply is taken.
    fn busy(&self) -> Option<&str> {
        None
    }
    /// The trainee may take the last reply back (practice, once there is one).
    fn can_take_back(&self) -> bool;
}

impl Conversation for Session {
    fn client_name(&self) -> &str {
        &self.scenario().persona.name
    }

    fn exchanges(&self) -> Vec<Exchange<'_>> {
        self.turns()
            .iter()
            .map(|t| Exchange {
                client: &t.client.text,
                talk: Some(t.client.talk.target()),
                reply: &t.reply.text,
                coding: Some(Coding {
                    codes: codes_label(&t.reply.codes),
                    rating: t.reply.rating,
                    feedback: &t.reply.feedback,
                    better: t.better.as_ref(),
                    typed_confidence: t.reply.confidence,
                    nearest: t.reply.matched_option.as_deref().and_then(|id| {
                        let point = self.scenario().point_index(&t.client.point)?;
                        let options = &self.scenario().points[point].options;
                        options.iter().find(|o| o.id == id).map(|o| o.text.as_str())
                    }),
                }),
            })
            .collect()
    }

    fn exchange_count(&self) -> usize {
        self.turns().len()
    }

    fn waiting(&self) -> Option<ClientLine<'_>> {
        self.current_line().map(|l| ClientLine {
            text: &l.text,
            talk: Some(l.talk.target()),
            mood: Some(l.mood),
        })
    }

    fn choices(&self) -> Vec<Choice<'_>> {
        self.current_options()
            .into_iter()
            .map(|o| Choice {
                key: &o.id,
                text: &o.text,
            })
            .collect()
    }

    fn ending(&self) -> Option<(&str, &str)> {
        Session::ending(self).map(|e| (e.title.as_str(), e.text.as_str()))
    }

    fn is_over(&self) -> bool {
        Session::is_over(self)
    }

    fn point_key(&self) -> Option<&str> {
        self.current_point().map(|p| p.id.as_str())
    }

    fn mood(&self) -> Option<Mood> {
        self.current_line()
            .map(|l| l.mood)
            .or_else(|| self.turns().last().map(|t| t.client.mood))
    }

    fn engine(&self) -> Option<&Session> {
        Some(self)
    }

    fn can_take_back(&self) -> bool {
        !self.turns().is_empty()
    }
}
