//! Where scenarios come from: the clients bundled in the binary and the user's own folder.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::files::FileError;
use changetalk_core::{Diagnostic, LineIndex, Scenario, load_scenario};

/// Embeds one file of `scenarios/`.
macro_rules! bundled {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/", $name)),
        )
    };
}

/// The clients compiled into the binary: (file name, contents). Every `scenarios/*.ron` must be
/// listed here (a test checks it), so an installed binary carries them all.
pub static BUNDLED: &[(&str, &str)] = &[
    bundled!("cannabis-maintenance-burnout.ron"),
    bundled!("cannabis-maintenance-course.ron"),
    bundled!("court-ordered-dui-course.ron"),
    bundled!("court-ordered-dui.ron"),
    bundled!("gambling-resigned.ron"),
    bundled!("opioid-rationalising.ron"),
    bundled!("recovery-burnout-course.ron"),
    bundled!("recovery-burnout.ron"),
    bundled!("vaping-teen-reluctant.ron"),
];

/// Where a scenario came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Compiled into the binary (file name).
    Bundled(String),
    /// A file on disk.
    File(PathBuf),
}

impl Origin {
    /// How diagnostics name it.
    pub fn display_name(&self) -> String {
        match self {
            Origin::Bundled(n) => format!("scenarios/{n}"),
            Origin::File(p) => p.display().to_string(),
        }
    }
}

/// A scenario file, loaded or not.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Where it came from.
    pub origin: Origin,
    /// The text read.
    pub text: String,
    /// The scenario, or every diagnostic rendered as `path:line:col: error: …`.
    pub loaded: Result<Arc<Scenario>, Vec<String>>,
    /// The last version that loaded, kept playable while an edit on disk has errors (the
    /// app's hot reload).
    pub previous: Option<Arc<Scenario>>,
}

impl Entry {
    /// The scenario to play: the file as it is, or its last good version while it is broken.
    pub fn playable(&self) -> Option<&Arc<Scenario>> {
        self.loaded.as_ref().ok().or(self.previous.as_ref())
    }

    /// The file on disk, for entries that have one.
    pub fn path(&self) -> Option<&Path> {
        match &self.origin {
            Origin::File(p) => Some(p),
            Origin::Bundled(_) => None,
        }
    }

    /// The key of this card's best score in the trainee's progress (see [`progress_key`]);
    /// `None` while nothing is playable.
    pub fn progress_key(&self) -> Option<String> {
        self.playable().map(|s| progress_key(&self.origin, &s.id))
    }
}

/// Where a best score is kept: a bundled client by its id (as progress files always have
/// been), a file by `file:<absolute path>#<id>`. So a user's copy of a bundled client, which
/// keeps the bundled id, has a best score of its own, and so does every other file.
pub fn progress_key(origin: &Origin, id: &str) -> String {
    match origin {
        Origin::Bundled(_) => id.to_string(),
        Origin::File(p) => {
            let p = std::path::absolute(p).unwrap_or_else(|_| p.clone());
            format!("file:{}#{id}", p.display())
        }
    }
}

/// The id of a bundled client's progress key; for a file's key, the id an older progress file
/// (which kept every score under the bare id) would have used, unless a bundled client has
/// that id (then the old score was the bundled client's).
pub fn legacy_progress_id(key: &str) -> Option<&str> {
    let id = key.strip_prefix("file:")?.rsplit_once('#')?.1;
    (!bundled_ids().iter().any(|b| b == id)).then_some(id)
}

/// The ids of the bundled clients (read once).
pub fn bundled_ids() -> &'static [String] {
    static IDS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    IDS.get_or_init(|| {
        bundled()
            .iter()
            .filter_map(|e| e.loaded.as_ref().ok())
            .map(|s| s.id.clone())
            .collect()
    })
}

/// The catalog entry whose playable version `scenario` is (the same loaded value, not only
/// the same id).
pub fn entry_of<'a>(entries: &'a [Entry], scenario: &Arc<Scenario>) -> Option<&'a Entry> {
    entries
        .iter()
        .find(|e| e.playable().is_some_and(|s| Arc::ptr_eq(s, scenario)))
}

/// Renders diagnostics for `name`.
pub fn render(diags: &[Diagnostic], name: &str, text: &str) -> Vec<String> {
    let idx = LineIndex::new(text);
    diags.iter().map(|d| d.render(name, &idx)).collect()
}

/// Loads scenario text from an origin.
pub fn load_entry(origin: Origin, text: String) -> Entry {
    let name = origin.display_name();
    let loaded = load_scenario(&text)
        .map(Arc::new)
        .map_err(|d| render(&d, &name, &text));
    Entry {
        origin,
        text,
        loaded,
        previous: None,
    }
}

/// Loads a scenario file from disk.
pub fn load_file(path: &Path) -> Entry {
    match crate::files::read_text(path) {
        Ok(text) => load_entry(Origin::File(path.to_path_buf()), text),
        Err(e) => Entry {
            origin: Origin::File(path.to_path_buf()),
            text: String::new(),
            loaded: Err(vec![format!("{e}")]),
            previous: None,
        },
    }
}

/// The bundled clients.
pub fn bundled() -> Vec<Entry> {
    BUNDLED
        .iter()
        .map(|(name, text)| load_entry(Origin::Bundled((*name).to_string()), (*text).to_string()))
        .collect()
}

/// The user's scenario folder (`$XDG_DATA_HOME/changetalk/scenarios` on Linux).
/// `CHANGETALK_HOME` overrides it with `$CHANGETALK_HOME/data/scenarios`, like the app's other
/// folders.
pub fn user_dir() -> Option<PathBuf> {
    crate::files::data_dir().map(|d| d.join("scenarios"))
}

/// Every `.ron` file directly in a folder, sorted.
pub fn ron_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "ron"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Bundled clients followed by the user's own files.
pub fn all() -> Vec<Entry> {
    let mut v = bundled();
    if let Some(dir) = user_dir() {
        v.extend(ron_files(&dir).iter().map(|p| load_file(p)));
    }
    v
}

/// Resolves a command-line SCENARIO: an existing file path, or the id of a bundled or user
/// scenario.
pub fn resolve(arg: &str) -> Result<Arc<Scenario>, String> {
    if looks_like_path(arg) {
        load_file(Path::new(arg))
            .loaded
            .map_err(|errs| errs.join("\n"))
    } else {
        find_id(arg, &all())
    }
}

/// Prints a [`resolve`] error: every line of it is already a whole message
/// (`path:line:col: error: …` or `error: …`).
pub fn report_error(e: &str) {
    eprintln!("{e}");
}

/// True when a command-line SCENARIO names a file rather than an id.
pub fn looks_like_path(arg: &str) -> bool {
    Path::new(arg).exists() || arg.ends_with(".ron") || arg.contains(std::path::MAIN_SEPARATOR)
}

/// The scenario with id `arg` among `entries`; the error is whole printable lines.
pub fn find_id(arg: &str, entries: &[Entry]) -> Result<Arc<Scenario>, String> {
    find_entry(arg, entries)
        .map_err(|e| e.to_string())
        .and_then(|e| e.loaded.clone().map_err(|errs| errs.join("\n")))
}

/// The entry whose scenario has id `arg`; the error lists the known ids with a "did you
/// mean".
pub fn find_entry<'a>(arg: &str, entries: &'a [Entry]) -> Result<&'a Entry, FileError> {
    let loaded = || entries.iter().filter_map(|e| e.loaded.as_ref().ok());
    if let Some(e) = entries
        .iter()
        .find(|e| e.loaded.as_ref().is_ok_and(|s| s.id == arg))
    {
        return Ok(e);
    }
    let ids: Vec<&str> = loaded().map(|s| s.id.as_str()).collect();
    let hint = changetalk_core::format::load::suggest(arg, ids.iter().copied());
    Err(FileError::plain(format!(
        "no scenario file or id `{arg}`{hint}; known ids: {}",
        ids.join(", ")
    )))
}

/// Why [`write_new_scenario`] wrote nothing.
#[derive(Debug)]
pub enum NewScenarioError {
    /// The template or the id was refused (the message lists the kinds, or says what an id
    /// may hold).
    Template(String),
    /// Something is already at the path (even a dangling link): nothing is ever overwritten.
    Exists,
    /// The file could not be written.
    Write(FileError),
}

/// Writes a new scenario `id` at `path`: the commented template, or the client-type template
/// `kind`. Never over anything already there; atomic; checked to load first. What
/// `changetalk new` and the app's "Write a new client" both do.
pub fn write_new_scenario(
    path: &Path,
    id: &str,
    kind: Option<&str>,
) -> Result<(), NewScenarioError> {
    use changetalk_core::format::template::{client_template_for, template_for};
    let text = kind
        .map_or_else(|| template_for(id), |k| client_template_for(k, id))
        .map_err(NewScenarioError::Template)?;
    // `symlink_metadata` also sees a dangling link, which a write would follow.
    if path.symlink_metadata().is_ok() {
        return Err(NewScenarioError::Exists);
    }
    // The templates are tested to load and lint clean; check anyway rather than write a bad file.
    if load_scenario(&text).is_err() {
        return Err(NewScenarioError::Template(
            "the built-in template does not load; please report this".into(),
        ));
    }
    crate::files::write_atomic(path, text.as_bytes()).map_err(NewScenarioError::Write)
}
