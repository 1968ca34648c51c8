//! Decoding the persona: who the client is, their starting state, their face, and how they
//! react to each class of reply.

use super::*;

impl Decoder<'_> {
    pub(super) fn persona(&mut self, n: &Node) -> Option<Persona> {
        let o = self.obj(
            n,
            "Persona",
            &[
                "name",
                "age",
                "pronouns",
                "background",
                "situation",
                "initial",
                "face",
                "portrait",
                "reactions",
                "walkout",
            ],
        )?;
        let name = self.req_text(&o, "name");
        let age = self
            .req(&o, "age")
            .and_then(|n| self.int(n, 1, 120, "`age`"))
            .unwrap_or(30) as u32;
        let pronouns = self.opt_string(&o, "pronouns", "");
        let background = self.req_text(&o, "background");
        let situation = self.req_text(&o, "situation");
        let initial = self
            .req(&o, "initial")
            .and_then(|n| self.state(n))
            .unwrap_or(ClientState {
                engagement: 5,
                discord: 0,
                importance: 5,
                confidence: 5,
            });
        let face = match self.get(&o, "face") {
            Some(n) => self.face(n).unwrap_or_default(),
            None => Face::default(),
        };
        let mut spans = PersonaSpans::default();
        let portrait = match self.get(&o, "portrait") {
            Some(n) => {
                spans.portrait = n.span;
                self.string(n, "`portrait`")
            }
            None => None,
        };
        let reactions = match self.get(&o, "reactions") {
            Some(n) => self.reactions(n),
            None => Reactions::default(),
        };
        let walkout = match self.get(&o, "walkout") {
            Some(n) => self.walkout(n, &mut spans),
            None => None,
        };
        Some(Persona {
            name,
            age,
            pronouns,
            background,
            situation,
            initial,
            face,
            portrait,
            reactions,
            walkout,
            spans,
        })
    }

    pub(super) fn state(&mut self, n: &Node) -> Option<ClientState> {
        let names: Vec<&str> = StateVar::ALL.iter().map(|v| v.name()).collect();
        let o = self.obj(n, "State", &names)?;
        let mut s = ClientState {
            engagement: 0,
            discord: 0,
            importance: 0,
            confidence: 0,
        };
        for var in StateVar::ALL {
            let what = format!("initial `{}`", var.name());
            if let Some(v) = self
                .req(&o, var.name())
                .and_then(|n| self.int(n, 0, 10, &what))
            {
                s.add(var, v as i32);
            }
        }
        Some(s)
    }

    pub(super) fn effects(&mut self, n: &Node, type_name: &'static str) -> Effects {
        let names: Vec<&str> = StateVar::ALL.iter().map(|v| v.name()).collect();
        let Some(o) = self.obj(n, type_name, &names) else {
            return Effects::default();
        };
        let mut e = Effects::default();
        for var in StateVar::ALL {
            let what = format!("the change to `{}`", var.name());
            if let Some(v) = self
                .get(&o, var.name())
                .and_then(|n| self.int(n, -10, 10, &what))
            {
                e.set(var, Some(v as i32));
            }
        }
        e
    }

    pub(super) fn reactions(&mut self, n: &Node) -> Reactions {
        let classes = ReactionClass::all();
        let names: Vec<&str> = classes.iter().map(|c| c.name()).collect();
        let Some(o) = self.obj(n, "Reactions", &names) else {
            return Reactions::default();
        };
        let mut overrides = Vec::new();
        for class in classes {
            if let Some(v) = self.get(&o, class.name()) {
                overrides.push((class, self.effects(v, "Effects")));
            }
        }
        Reactions { overrides }
    }

    pub(super) fn walkout(&mut self, n: &Node, spans: &mut PersonaSpans) -> Option<Walkout> {
        let o = self.obj(n, "Walkout", &["discord", "ending"])?;
        let discord = self
            .req(&o, "discord")
            .and_then(|n| self.int(n, 1, 10, "walkout `discord`"));
        let ending = match self.req(&o, "ending") {
            Some(n) => {
                spans.walkout_ending = n.span;
                self.id(n, "walkout `ending`")
            }
            None => None,
        };
        Some(Walkout {
            discord: discord? as i32,
            ending: ending?,
        })
    }

    pub(super) fn color(&mut self, o: &Obj, key: &str, default: &str) -> String {
        let Some(n) = self.get(o, key) else {
            return default.to_string();
        };
        let what = format!("`{key}`");
        let Some(s) = self.string(n, &what) else {
            return default.to_string();
        };
        let ok =
            s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit());
        if !ok {
            self.err(
                n.span,
                format!("{what} must be a colour written \"#rrggbb\", found \"{s}\""),
            );
            return default.to_string();
        }
        s
    }

    pub(super) fn face(&mut self, n: &Node) -> Option<Face> {
        let o = self.obj(
            n,
            "Face",
            &[
                "skin",
                "hair",
                "eyes",
                "hair_style",
                "glasses",
                "beard",
                "lines",
            ],
        )?;
        let d = Face::default();
        let styles = [
            ("Short", HairStyle::Short),
            ("Long", HairStyle::Long),
            ("Curly", HairStyle::Curly),
            ("Bun", HairStyle::Bun),
            ("Buzz", HairStyle::Buzz),
            ("Bald", HairStyle::Bald),
        ];
        Some(Face {
            skin: self.color(&o, "skin", &d.skin),
            hair: self.color(&o, "hair", &d.hair),
            eyes: self.color(&o, "eyes", &d.eyes),
            hair_style: self
                .get(&o, "hair_style")
                .and_then(|n| self.variant(n, &styles, "hair style"))
                .unwrap_or(d.hair_style),
            glasses: self
                .get(&o, "glasses")
                .and_then(|n| self.boolean(n, "`glasses`"))
                .unwrap_or(false),
            beard: self
                .get(&o, "beard")
                .and_then(|n| self.boolean(n, "`beard`"))
                .unwrap_or(false),
            lines: self
                .get(&o, "lines")
                .and_then(|n| self.int(n, 0, 3, "`lines`"))
                .map_or(d.lines, |v| v as u32),
        })
    }
}
