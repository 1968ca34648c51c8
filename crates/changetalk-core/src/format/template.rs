//! The commented template scenario that `changetalk new` writes: a complete, playable client
//! that passes `validate` and `lint --deny warnings`, for an author to edit.

use crate::source::text::is_valid_id;

/// The template's text, with [`ID_PLACEHOLDER`] where the scenario id goes.
pub const TEMPLATE: &str = include_str!("template.ron");

/// What [`template_for`] replaces with the scenario id.
pub const ID_PLACEHOLDER: &str = "__ID__";

/// A client-type template: a short (8-point) client of one kind, every option commented
/// with its rating and why, for `changetalk new ID --template KIND` and the editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientTemplate {
    /// The name `--template` takes.
    pub kind: &'static str,
    /// What kind of client it models, in words.
    pub about: &'static str,
    /// The RON, with [`ID_PLACEHOLDER`] where the id goes.
    pub text: &'static str,
}

/// The client-type templates: the four kinds of precontemplator (DiClemente's rationalising,
/// rebellious, reluctant and resigned), relapse, and maintenance burnout.
pub const CLIENT_TEMPLATES: [ClientTemplate; 6] = [
    ClientTemplate {
        kind: "rationalising",
        about: "a precontemplator with an answer for everything (debates, has reasons why it is not a problem)",
        text: include_str!("templates/rationalising.ron"),
    },
    ClientTemplate {
        kind: "rebellious",
        about: "a precontemplator who resists being told what to do (discord, autonomy)",
        text: include_str!("templates/rebellious.ron"),
    },
    ClientTemplate {
        kind: "reluctant",
        about: "a precontemplator who does not want to think about it (little information, inertia)",
        text: include_str!("templates/reluctant.ron"),
    },
    ClientTemplate {
        kind: "resigned",
        about: "a precontemplator who has given up hope of changing (instilling hope)",
        text: include_str!("templates/resigned.ron"),
    },
    ClientTemplate {
        kind: "relapse",
        about: "a client back after a relapse (re-entry without shame)",
        text: include_str!("templates/relapse.ron"),
    },
    ClientTemplate {
        kind: "maintenance-burnout",
        about: "a client long in recovery and worn out by it (maintenance burnout)",
        text: include_str!("templates/maintenance-burnout.ron"),
    },
];

/// The client's name in each client-type template (`Connor`, `Maureen`…): a file made from a
/// template that still names its client there has text left to rewrite.
pub fn template_client_names() -> Vec<String> {
    CLIENT_TEMPLATES
        .iter()
        .filter_map(|t| {
            let text = t.text.replace(ID_PLACEHOLDER, "template");
            let s = crate::format::load::load_scenario(&text).ok()?;
            s.persona.name.split_whitespace().next().map(str::to_string)
        })
        .collect()
}

/// The client-type template named `kind`, filled with `id`; the error lists the kinds.
pub fn client_template_for(kind: &str, id: &str) -> Result<String, String> {
    let Some(t) = CLIENT_TEMPLATES.iter().find(|t| t.kind == kind) else {
        let kinds: Vec<&str> = CLIENT_TEMPLATES.iter().map(|t| t.kind).collect();
        let hint = crate::source::text::suggest(kind, kinds.iter().copied());
        return Err(format!(
            "there is no template `{kind}`{hint}; the client types are: {}",
            kinds.join(", ")
        ));
    };
    template_for(id).map(|_| t.text.replace(ID_PLACEHOLDER, id))
}

/// The template with its id filled in. The id must be a valid scenario id (letters, digits,
/// `-`, `_` and `.`, at most 128 characters), so it can be written into the file as it is.
pub fn template_for(id: &str) -> Result<String, String> {
    if !is_valid_id(id) {
        return Err(format!(
            "`{id}` is not a valid scenario id: use letters, digits, `-`, `_` and `.` (at most 128), e.g. `sam-gp-referral`"
        ));
    }
    Ok(TEMPLATE.replace(ID_PLACEHOLDER, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_names_its_client() {
        assert_eq!(
            template_client_names(),
            ["Dale", "Connor", "Maureen", "Jo", "Chris", "Dana"]
        );
    }

    #[test]
    fn filled_template_loads_with_its_id() {
        let text = template_for("my-client_2.0").unwrap();
        assert!(!text.contains(ID_PLACEHOLDER));
        let s = crate::format::load::load_scenario(&text).expect("template is valid");
        assert_eq!(s.id, "my-client_2.0");
    }

    #[test]
    fn every_client_template_loads_lints_clean_and_passes_the_audit() {
        for t in CLIENT_TEMPLATES {
            let id = format!("my-{}", t.kind);
            let text = client_template_for(t.kind, &id).unwrap();
            assert_eq!(text.matches(&id).count(), 1, "{}: the id once", t.kind);
            let s = crate::format::load::load_scenario(&text)
                .unwrap_or_else(|d| panic!("{}: {d:#?}", t.kind));
            assert_eq!(s.id, id);
            let lint = crate::authoring::lint::lint(&s, &Default::default());
            assert!(lint.is_empty(), "{}: {lint:#?}", t.kind);
            let report = crate::authoring::audit::audit(&s);
            assert!(report.pass, "{}: {:#?}", t.kind, report.strategies);
        }
        let e = client_template_for("relaps", "x").unwrap_err();
        assert!(e.contains("did you mean `relapse`"), "{e}");
    }

    #[test]
    fn bad_ids_are_refused() {
        for bad in ["", "has space", "quote\"", "a/b", &"x".repeat(129)] {
            assert!(template_for(bad).is_err(), "{bad:?}");
        }
    }
}
