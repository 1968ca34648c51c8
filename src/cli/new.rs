//! `changetalk new ID [-o FILE] [--template KIND]`: writes the commented template scenario (or
//! a client-type template) for an author to edit.

use std::path::{Path, PathBuf};

use changetalk_core::format::template::{client_template_for, template_for};

/// Writes the template (or the client-type template `kind`) with `id` to `output` (default
/// `ID.ron` in the current folder); never overwrites an existing file. 0 on success, 1
/// otherwise.
pub fn run(id: &str, output: Option<&Path>, kind: Option<&str>) -> i32 {
    let text = match kind.map_or_else(|| template_for(id), |k| client_template_for(k, id)) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    let path = output.map_or_else(|| PathBuf::from(format!("{id}.ron")), Path::to_path_buf);
    let shown = path.display();
    // `symlink_metadata` also sees a dangling link, which a write would follow.
    if path.symlink_metadata().is_ok() {
        eprintln!(
            "{shown}: error: already exists; `changetalk new` never overwrites a file: choose another name with -o FILE, or move the existing file away"
        );
        return 1;
    }
    // The template is tested to load and lint clean; check anyway rather than write a bad file.
    if let Err(diags) = changetalk_core::load_scenario(&text) {
        for line in crate::library::render(&diags, "template", &text) {
            eprintln!("{line}");
        }
        eprintln!("error: the built-in template does not load; please report this");
        return 1;
    }
    if let Err(e) = crate::files::write_atomic(&path, text.as_bytes()) {
        eprintln!("{e}");
        return 1;
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
