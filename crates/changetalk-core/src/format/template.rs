//! The commented template scenario that `changetalk new` writes: a complete, playable client
//! that passes `validate` and `lint --deny warnings`, for an author to edit.

use crate::source::text::is_valid_id;

/// The template's text, with [`ID_PLACEHOLDER`] where the scenario id goes.
pub const TEMPLATE: &str = include_str!("template.ron");

/// What [`template_for`] replaces with the scenario id.
pub const ID_PLACEHOLDER: &str = "__ID__";

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
    fn filled_template_loads_with_its_id() {
        let text = template_for("my-client_2.0").unwrap();
        assert!(!text.contains(ID_PLACEHOLDER));
        let s = crate::format::load::load_scenario(&text).expect("template is valid");
        assert_eq!(s.id, "my-client_2.0");
    }

    #[test]
    fn bad_ids_are_refused() {
        for bad in ["", "has space", "quote\"", "a/b", &"x".repeat(129)] {
            assert!(template_for(bad).is_err(), "{bad:?}");
        }
    }
}
