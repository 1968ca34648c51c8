//! Hot reload: scenario files on disk (the user's scenario folder and any file opened with
//! `--scenario PATH`) are watched, and a saved edit appears in the running app.
//!
//! A background thread looks at the files' modification time and size four times a second
//! (a few `stat` calls; no frames are drawn) and wakes the app only when something changed.
//! The app then reloads the file: a good edit replaces the scenario — a session on it is
//! replayed with the same seed and replies, so the instructor sees the changed line at once —
//! and a broken edit keeps the last good version playable while the library, briefing and
//! session show the diagnostics.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use bevy::prelude::*;
use changetalk_core::{Scenario, Session};

use super::state::{Catalog, Notice, Play, Report, Selected};
use crate::library::{self, Entry};

/// How often the watcher looks at the files.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// What the watcher looks at: single files, and folders whose `.ron` files are all watched.
#[derive(Debug, Default, Clone)]
pub struct WatchList {
    /// Files watched.
    pub files: BTreeSet<PathBuf>,
    /// Folders watched for new, changed and removed `.ron` files.
    pub dirs: BTreeSet<PathBuf>,
    /// A hash of the text the app loaded from each file, so an edit saved between loading and
    /// the watcher's start is not missed.
    pub loaded: BTreeMap<PathBuf, u64>,
}

/// A hash of a file's text (for [`WatchList::loaded`]).
pub fn text_hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// The running watcher: changed paths arrive on `changes`.
#[derive(Resource)]
pub struct FileWatcher {
    changes: Mutex<Receiver<PathBuf>>,
}

impl FileWatcher {
    /// Starts watching `list` on a background thread; `wake` is called after changes are
    /// sent (the app passes its event-loop wake-up).
    pub fn start(list: WatchList, wake: Option<Box<dyn Fn() + Send>>) -> FileWatcher {
        let (tx, rx) = channel();
        let spawned = std::thread::Builder::new()
            .name("changetalk-watch".into())
            .spawn(move || watch_loop(&list, &tx, wake.as_deref()));
        if let Err(e) = spawned {
            warn!("hot reload is off: cannot start the file watcher ({e})");
        }
        FileWatcher {
            changes: Mutex::new(rx),
        }
    }

    /// Paths changed since the last call.
    pub fn drain(&self) -> BTreeSet<PathBuf> {
        self.changes
            .lock()
            .map(|rx| rx.try_iter().collect())
            .unwrap_or_default()
    }
}

type Stamp = Option<(SystemTime, u64)>;

fn stamp(path: &Path) -> Stamp {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

fn snapshot(list: &WatchList) -> BTreeSet<PathBuf> {
    let mut all = list.files.clone();
    for d in &list.dirs {
        all.extend(library::ron_files(d));
    }
    all
}

fn watch_loop(list: &WatchList, tx: &Sender<PathBuf>, wake: Option<&(dyn Fn() + Send)>) {
    let loaded = &list.loaded;
    let mut seen: BTreeMap<PathBuf, Stamp> = BTreeMap::new();
    let mut changed_at_start = false;
    for p in snapshot(list) {
        seen.insert(p.clone(), stamp(&p));
        // Changed since the app read it (or new since then)?
        let now = std::fs::read_to_string(&p).ok().map(|t| text_hash(&t));
        if loaded.get(&p).copied() != now {
            if tx.send(p).is_err() {
                return;
            }
            changed_at_start = true;
        }
    }
    if changed_at_start && let Some(w) = wake {
        w();
    }
    loop {
        std::thread::sleep(POLL_INTERVAL);
        let mut changed = false;
        let now = snapshot(list);
        // Files that disappeared from a watched folder are reported once, then forgotten.
        let gone: Vec<PathBuf> = seen.keys().filter(|p| !now.contains(*p)).cloned().collect();
        for p in gone {
            seen.remove(&p);
            if tx.send(p).is_err() {
                return;
            }
            changed = true;
        }
        for p in now {
            let s = stamp(&p);
            if seen.get(&p) != Some(&s) {
                seen.insert(p.clone(), s);
                if tx.send(p).is_err() {
                    return; // the app has closed
                }
                changed = true;
            }
        }
        if changed && let Some(w) = wake {
            w();
        }
    }
}

/// A line about the last reload (or instructor action, such as saving the graph), shown under
/// the session header for a few seconds (see [`Notice`]).
#[derive(Resource, Default, Debug, Clone, PartialEq)]
pub struct ReloadNotice(pub Option<Notice>);

/// The first moment at which one of `notices` changes on screen by itself (a fade starts), if
/// any is still to come.
pub fn next_notice_change<'a>(
    notices: impl IntoIterator<Item = &'a Notice>,
    now: Instant,
) -> Option<Instant> {
    notices.into_iter().filter_map(|n| n.next_change(now)).min()
}

/// Wakes the sleeping app once when a notice starts to fade, so that it fades and goes
/// without the app polling: a timer thread sends the window one wake-up at that moment (the
/// app otherwise sleeps until input, see `low_power`). The fade then draws itself frame by
/// frame for [`Notice::FADE`] and stops.
pub fn wake_for_notices(
    notice: Res<ReloadNotice>,
    report: Option<Res<Report>>,
    proxy: Option<Res<bevy::winit::EventLoopProxyWrapper>>,
    mut armed: Local<Option<Instant>>,
) {
    let Some(proxy) = proxy else {
        return;
    };
    let export = report.as_ref().and_then(|r| r.export_message.as_ref());
    let now = Instant::now();
    let Some(at) = next_notice_change(notice.0.iter().chain(export), now) else {
        return;
    };
    if *armed == Some(at) {
        return;
    }
    *armed = Some(at);
    let proxy = (**proxy).clone();
    let spawned = std::thread::Builder::new()
        .name("changetalk-notice".into())
        .spawn(move || {
            std::thread::sleep(at.saturating_duration_since(Instant::now()));
            let _ = proxy.send_event(bevy::winit::WinitUserEvent::WakeUp);
        });
    if let Err(e) = spawned {
        warn!("cannot time a notice ({e}); it goes at the next input");
    }
}

/// The catalog entry whose last good version `scenario` is, when its file is now broken:
/// the entry and its diagnostics.
pub fn file_problems<'a>(
    catalog: &'a [Entry],
    scenario: &Arc<Scenario>,
) -> Option<(&'a Entry, &'a [String])> {
    catalog.iter().find_map(|e| match (&e.loaded, &e.previous) {
        (Err(errors), Some(prev)) if Arc::ptr_eq(prev, scenario) => Some((e, errors.as_slice())),
        _ => None,
    })
}

/// What reloading a file did to the catalog.
#[derive(Debug, Clone)]
pub enum Reloaded {
    /// The file loads: `new` replaced `old` (the version that was playable before).
    Replaced {
        /// The scenario played until now.
        old: Option<Arc<Scenario>>,
        /// The new version.
        new: Arc<Scenario>,
    },
    /// A new file in a watched folder was added to the library.
    Added(Arc<Scenario>),
    /// The file has errors (its diagnostics are in the catalog entry); the last good
    /// version, if there is one, stays playable.
    Broken {
        /// How many diagnostics.
        errors: usize,
        /// A last good version is still playable.
        kept: bool,
    },
    /// The file is gone (deleted, or mid-rename by an editor): the library keeps what it has.
    Gone,
    /// The text is what the app already has.
    Unchanged,
}

/// Reloads `path` into the catalog. A broken edit keeps the last good version as the
/// entry's `previous`; a missing file changes nothing (editors that save by renaming make a
/// file vanish for a moment).
pub fn reload(catalog: &mut Vec<Entry>, path: &Path) -> Reloaded {
    if std::fs::metadata(path).is_err() {
        return Reloaded::Gone;
    }
    let mut fresh = library::load_file(path);
    let Some(i) = catalog.iter().position(|e| e.path() == Some(path)) else {
        let out = match &fresh.loaded {
            Ok(s) => Reloaded::Added(Arc::clone(s)),
            Err(e) => Reloaded::Broken {
                errors: e.len(),
                kept: false,
            },
        };
        catalog.push(fresh);
        return out;
    };
    if catalog[i].text == fresh.text && catalog[i].loaded.is_ok() == fresh.loaded.is_ok() {
        return Reloaded::Unchanged;
    }
    let old = catalog[i].playable().cloned();
    match fresh.loaded.as_ref().ok().cloned() {
        Some(new) => {
            catalog[i] = fresh;
            Reloaded::Replaced { old, new }
        }
        None => {
            let errors = fresh.loaded.as_ref().err().map_or(0, Vec::len);
            let kept = old.is_some();
            fresh.previous = old;
            catalog[i] = fresh;
            Reloaded::Broken { errors, kept }
        }
    }
}

/// The session rebuilt on a reloaded scenario: the same seed and replies (and, for an
/// instructor's preview, the same starting point and state).
pub fn rebuild(session: &Session, new: Arc<Scenario>) -> Result<Session, String> {
    let t = session.transcript();
    let mut s = match session.preview_start() {
        Some(start) => Session::preview_from(new, session.seed(), start, t.initial_state)
            .ok_or_else(|| format!("point `{start}` is no longer in the file"))?,
        None => Session::new(new, session.seed()),
    };
    for &c in session.choices() {
        s.choose(c).map_err(|e| e.to_string())?;
    }
    if t.status == changetalk_core::engine::Status::StoppedEarly {
        s.stop();
    }
    Ok(s)
}

/// Applies changed files: reloads them, swaps in new versions, replays the session.
pub fn apply_reloads(
    watcher: Option<Res<FileWatcher>>,
    mut catalog: ResMut<Catalog>,
    mut selected: Option<ResMut<Selected>>,
    mut play: Option<ResMut<Play>>,
    mut notice: ResMut<ReloadNotice>,
) {
    let Some(watcher) = watcher else {
        return;
    };
    let changed = watcher.drain();
    if changed.is_empty() {
        return;
    }
    for path in changed {
        let name = path.display().to_string();
        let msg = match reload(&mut catalog.0, &path) {
            Reloaded::Unchanged => continue,
            Reloaded::Gone => format!(
                "{name} is no longer on disk; the library keeps the version it has until the app restarts."
            ),
            Reloaded::Added(_) => format!("Added {name} to the library."),
            Reloaded::Broken { errors, kept } => {
                let msg = format!(
                    "{name} has {errors} error{}; {}.",
                    if errors == 1 { "" } else { "s" },
                    if kept {
                        "the last version that loaded stays playable"
                    } else {
                        "it can be played once they are fixed"
                    }
                );
                // An instructor editing in a terminal sees the diagnostics there too.
                let diags = catalog
                    .0
                    .iter()
                    .find(|e| e.path() == Some(path.as_path()))
                    .and_then(|e| e.loaded.as_ref().err())
                    .map(|e| e.join("\n"))
                    .unwrap_or_default();
                eprintln!("changetalk: {msg}\n{diags}");
                notice.0 = Some(Notice::new(msg));
                continue;
            }
            Reloaded::Replaced { old: None, .. } => format!("Reloaded {name}."),
            Reloaded::Replaced {
                old: Some(old),
                new,
            } => {
                if let Some(selected) = selected.as_mut()
                    && Arc::ptr_eq(&selected.0, &old)
                {
                    selected.0 = Arc::clone(&new);
                }
                // Exercises play their pinned copies; they are never swapped.
                if let Some(play) = play.as_mut()
                    && play.exercise.is_none()
                    && Arc::ptr_eq(play.session.scenario(), &old)
                {
                    let n = play.session.choices().len();
                    match rebuild(&play.session, Arc::clone(&new)) {
                        Ok(s) => {
                            play.session = s;
                            format!(
                                "Reloaded {name}: the new version is playing, with your {n} repl{} replayed.",
                                if n == 1 { "y" } else { "ies" }
                            )
                        }
                        Err(e) => format!(
                            "Reloaded {name}, but your replies no longer fit it ({e}); start again to play the new version."
                        ),
                    }
                } else {
                    format!("Reloaded {name}.")
                }
            }
        };
        eprintln!("changetalk: {msg}");
        notice.0 = Some(Notice::new(msg));
    }
}

/// The files to watch for a catalog: every entry with a file, and the user's folder.
pub fn watch_list(catalog: &[Entry]) -> WatchList {
    WatchList {
        files: catalog
            .iter()
            .filter_map(|e| e.path().map(Path::to_path_buf))
            .collect(),
        dirs: library::user_dir().into_iter().collect(),
        loaded: catalog
            .iter()
            .filter_map(|e| e.path().map(|p| (p.to_path_buf(), text_hash(&e.text))))
            .collect(),
    }
}

/// Starts the watcher when the app starts, with the window's event loop as its wake-up.
fn start_watcher(
    mut commands: Commands,
    catalog: Res<Catalog>,
    proxy: Option<Res<bevy::winit::EventLoopProxyWrapper>>,
) {
    let wake: Option<Box<dyn Fn() + Send>> = proxy.map(|p| {
        let proxy = (**p).clone();
        Box::new(move || {
            let _ = proxy.send_event(bevy::winit::WinitUserEvent::WakeUp);
        }) as Box<dyn Fn() + Send>
    });
    commands.insert_resource(FileWatcher::start(watch_list(&catalog.0), wake));
}

/// The reload logic (tests insert their own [`FileWatcher`]).
pub fn logic_plugin(app: &mut App) {
    app.init_resource::<ReloadNotice>();
    app.add_systems(PreUpdate, apply_reloads);
}

/// Registers hot reload.
pub fn plugin(app: &mut App) {
    logic_plugin(app);
    app.add_systems(Startup, start_watcher)
        .add_systems(Last, wake_for_notices);
}
