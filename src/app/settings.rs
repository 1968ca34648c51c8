//! Trainee preferences (text scale, contrast, motion) and progress (best score per client),
//! persisted between runs with atomic writes.

use std::collections::BTreeMap;
use std::path::PathBuf;

use bevy::prelude::*;
use serde::{Deserialize, Serialize};

use crate::library::{self, Entry};

/// Preferences, saved in the config folder as `settings.json`.
#[derive(Resource, Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Text size multiplier, 1.0–2.0.
    pub text_scale: f32,
    /// Black-on-white theme with strong outlines.
    pub high_contrast: bool,
    /// No blinking, idle motion or animated transitions.
    pub reduced_motion: bool,
    /// Instructor mode: each reply shows its codes and rating, and a session can jump to any
    /// decision point (never in a classroom exercise).
    pub instructor_mode: bool,
    /// Practice: show the client line's talk type (change, sustain, discord) before the
    /// trainee replies. Off by default, so recognising change talk is part of the practice.
    pub show_talk_labels: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            text_scale: 1.0,
            high_contrast: false,
            reduced_motion: false,
            instructor_mode: false,
            show_talk_labels: false,
        }
    }
}

/// Where settings and progress live. `CHANGETALK_HOME` overrides both folders (tests use it).
#[derive(Resource, Debug, Clone)]
pub struct Paths {
    /// Config folder (settings).
    pub config: Option<PathBuf>,
    /// Data folder (progress, exported reports, user scenarios).
    pub data: Option<PathBuf>,
}

impl Paths {
    /// The platform's folders (XDG on Linux).
    pub fn discover() -> Paths {
        Paths {
            config: crate::files::config_dir(),
            data: crate::files::data_dir(),
        }
    }

    fn settings_file(&self) -> Option<PathBuf> {
        self.config.as_ref().map(|c| c.join("settings.json"))
    }

    fn progress_file(&self) -> Option<PathBuf> {
        self.data.as_ref().map(|d| d.join("progress.json"))
    }

    /// Folder the library lists classroom exercises from (`<data>/exercises`).
    pub fn exercises_dir(&self) -> Option<PathBuf> {
        self.data.as_ref().map(|d| d.join("exercises"))
    }

    /// The user's scenario folder (`<data>/scenarios`, as [`crate::library::user_dir`]).
    pub fn scenarios_dir(&self) -> Option<PathBuf> {
        self.data.as_ref().map(|d| d.join("scenarios"))
    }

    /// Saves `body` as `name` in the reports folder (atomically); the path written.
    pub fn save_to_reports(&self, name: &str, body: &[u8]) -> Result<PathBuf, String> {
        let path = self.reports_dir().join(name);
        crate::files::write_atomic(&path, body)?;
        Ok(path)
    }

    /// Folder for exported reports.
    pub fn reports_dir(&self) -> PathBuf {
        self.data
            .clone()
            .unwrap_or_else(std::env::temp_dir)
            .join("reports")
    }
}

impl Settings {
    /// Loads settings; a missing or unreadable file gives the defaults.
    pub fn load(paths: &Paths) -> Settings {
        let Some(f) = paths.settings_file() else {
            return Settings::default();
        };
        let Ok(text) = std::fs::read_to_string(&f) else {
            return Settings::default();
        };
        let mut s: Settings = serde_json::from_str(&text).unwrap_or_default();
        s.text_scale = s.text_scale.clamp(1.0, 2.0);
        s
    }

    /// Saves settings atomically.
    pub fn save(&self, paths: &Paths) -> Result<(), crate::files::FileError> {
        let Some(f) = paths.settings_file() else {
            return Ok(());
        };
        let json = serde_json::to_string_pretty(self)
            .map_err(|e| crate::files::FileError::plain(format!("cannot write settings: {e}")))?;
        crate::files::write_atomic(&f, json.as_bytes())
    }
}

/// The trainee's best overall score per library card, saved in the data folder as
/// `progress.json`.
#[derive(Resource, Debug, Clone, Default, Serialize, Deserialize)]
pub struct Progress {
    /// Best overall per [`library::progress_key`]: a bundled client's id, or
    /// `file:<path>#<id>` for a file. (Older files keyed everything by id: such a score still
    /// counts for a file with that id when no bundled client has it.)
    pub best: BTreeMap<String, f64>,
    /// Where the trainee is in each course (same keys): replayed to resume it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub courses: BTreeMap<String, crate::app::course::CourseSave>,
}

impl Progress {
    /// Loads progress; missing or unreadable gives none.
    pub fn load(paths: &Paths) -> Progress {
        paths
            .progress_file()
            .and_then(|f| std::fs::read_to_string(f).ok())
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    /// The best score kept under `key` (or, for a file, under its id by an older version).
    pub fn best_for_key(&self, key: &str) -> Option<f64> {
        self.best
            .get(key)
            .copied()
            .or_else(|| library::legacy_progress_id(key).and_then(|id| self.best.get(id).copied()))
    }

    /// The best score of a library card, if it has been played to the end.
    pub fn best_of(&self, entry: &Entry) -> Option<f64> {
        self.best_for_key(&entry.progress_key()?)
    }

    /// Saves where the trainee is in the course under `key` (atomically, with the rest);
    /// `None` forgets it (the course starts again).
    pub fn save_course(
        &mut self,
        paths: &Paths,
        key: &str,
        save: Option<crate::app::course::CourseSave>,
    ) -> Result<(), crate::files::FileError> {
        let unchanged = match save {
            Some(s) => self.courses.insert(key.to_string(), s.clone()) == Some(s),
            None => self.courses.remove(key).is_none(),
        };
        if unchanged {
            return Ok(());
        }
        self.write(paths)
    }

    fn write(&self, paths: &Paths) -> Result<(), crate::files::FileError> {
        let Some(f) = paths.progress_file() else {
            return Ok(());
        };
        let json = serde_json::to_string_pretty(self)
            .map_err(|e| crate::files::FileError::plain(format!("cannot write progress: {e}")))?;
        crate::files::write_atomic(&f, json.as_bytes())
    }

    /// Records a score under `key` (see [`library::progress_key`]); saves when it is a new
    /// best.
    pub fn record(
        &mut self,
        paths: &Paths,
        key: &str,
        overall: f64,
    ) -> Result<(), crate::files::FileError> {
        let best = self.best_for_key(key).unwrap_or(f64::MIN);
        if overall <= best {
            return Ok(());
        }
        self.best.insert(key.to_string(), overall);
        self.write(paths)
    }
}

/// Saves settings whenever they change.
fn save_on_change(settings: Res<Settings>, paths: Res<Paths>) {
    if settings.is_changed()
        && !settings.is_added()
        && let Err(e) = settings.save(&paths)
    {
        warn!("cannot save settings: {e}");
    }
}

/// Registers persistence.
pub fn plugin(app: &mut App) {
    app.add_systems(Update, save_on_change);
}
