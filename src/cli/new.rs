//! `changetalk new ID [-o FILE] [--template KIND]`: writes the commented template scenario (or
//! a client-type template) for an author to edit.

use std::path::{Path, PathBuf};

/// Writes the template (or the client-type template `kind`) with `id` to `output` (default
/// `ID.ron` in the current folder); never overwrites an existing file. 0 on success, 1
/// otherwise.
pub fn run(id: &str, output: Option<&Path>, kind: Option<&str>) -> i32 {
    use crate::library::{NewScenarioError, write_new_scenario};
    let path = output.map_or_else(|| PathBuf::from(format!("{id}.ron")), Path::to_path_buf);
    let shown = path.display();
    match write_new_scenario(&path, id, kind) {
        Ok(()) => {}
        Err(NewScenarioError::Template(e)) => {
            eprintln!("error: {e}");
            return 1;
        }
        Err(NewScenarioError::Exists) => {
            eprintln!(
                "{shown}: error: already exists; `changetalk new` never overwrites a file: choose another name with -o FILE, or move the existing file away"
            );
            return 1;
        }
        Err(NewScenarioError::Write(e)) => {
            eprintln!("{e}");
            return 1;
        }
    }
    match kind {
        Some(k) => println!(
            "wrote {shown}: scenario `{id}`, a {k} client to make your own (its header says what to change first; docs/authoring.md explains every field)"
        ),
        None => println!(
            "wrote {shown}: scenario `{id}`, a complete client to edit (docs/authoring.md explains every field)"
        ),
    }
    println!("next:  changetalk validate {shown}");
    println!("       changetalk lint {shown}");
    println!("       changetalk play {shown} --auto best");
    0
}
