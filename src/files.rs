//! File access for the shells: bounded reads with clear errors, and atomic writes.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use changetalk_core::format::load::MAX_FILE_BYTES;

/// The program's data folder (user scenarios, results, progress, reports, exercises):
/// `$CHANGETALK_HOME/data` when that is set, else the platform's
/// (`~/.local/share/changetalk` on Linux).
pub fn data_dir() -> Option<PathBuf> {
    match std::env::var_os("CHANGETALK_HOME") {
        Some(home) => Some(PathBuf::from(home).join("data")),
        None => project_dirs().map(|d| d.data_dir().to_path_buf()),
    }
}

/// The program's config folder (settings): `$CHANGETALK_HOME/config`, else the platform's.
pub fn config_dir() -> Option<PathBuf> {
    match std::env::var_os("CHANGETALK_HOME") {
        Some(home) => Some(PathBuf::from(home).join("config")),
        None => project_dirs().map(|d| d.config_dir().to_path_buf()),
    }
}

/// A failure a person reads: where it is (a file, and a line:col in it, when known) and what
/// to do. Every shell error is one of these; it is printed by one `Display`
/// (`path:line:col: error: message`, `path: error: message` or `error: message`), and the app
/// shows `message` alone — no text prefix is ever parsed back out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// The file the error is about, if any.
    pub file: Option<PathBuf>,
    /// 1-based line and column in that file, when the error points inside it.
    pub line_col: Option<(usize, usize)>,
    /// What is wrong and how to fix it, without any `error:` prefix.
    pub message: String,
}

impl FileError {
    /// An error about no file in particular.
    pub fn plain(message: impl Into<String>) -> FileError {
        FileError {
            file: None,
            line_col: None,
            message: message.into(),
        }
    }

    /// An error about a whole file.
    pub fn file(path: &Path, message: impl Into<String>) -> FileError {
        FileError {
            file: Some(path.to_path_buf()),
            line_col: None,
            message: message.into(),
        }
    }

    /// An error at a line and column of a file.
    pub fn at(path: &Path, line: usize, col: usize, message: impl Into<String>) -> FileError {
        FileError {
            file: Some(path.to_path_buf()),
            line_col: Some((line, col)),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.file, self.line_col) {
            (Some(p), Some((l, c))) => {
                write!(f, "{}:{l}:{c}: error: {}", p.display(), self.message)
            }
            (Some(p), None) => write!(f, "{}: error: {}", p.display(), self.message),
            (None, _) => write!(f, "error: {}", self.message),
        }
    }
}

impl std::error::Error for FileError {}

/// Shell functions that still return `String` errors take a `FileError` through `?`.
impl From<FileError> for String {
    fn from(e: FileError) -> String {
        e.to_string()
    }
}

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("org", "ChangeTalk", "changetalk")
}

/// What a path is when it is not a regular file, in words ("a named pipe (FIFO)"); `None` for
/// a regular file.
fn not_a_file(meta: &std::fs::Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if t.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if t.is_char_device() || t.is_block_device() {
            return Some("a device (such as /dev/zero)");
        }
        if t.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a regular file")
}

fn refuse_special(path: &Path, what: &str) -> FileError {
    if what == "a folder" {
        return FileError::file(path, "this is a folder; give a file");
    }
    FileError::file(
        path,
        format!("this is {what}, not a regular file; only regular files are read"),
    )
}

fn too_big(path: &Path, len: u64, limit: u64) -> FileError {
    let limit_text = if limit >= 1_048_576 {
        format!("{} MB", limit / 1_048_576)
    } else {
        format!("{} KB", limit.div_ceil(1024))
    };
    FileError::file(
        path,
        format!(
            "the file is {:.1} MB, over the {limit_text} limit; is this the right file?",
            len as f64 / 1_048_576.0
        ),
    )
}

/// Reads a regular file of at most `limit` bytes. What the path is, and its size, are checked
/// before it is opened, so a FIFO is never opened (which would wait for a writer) and a device
/// such as `/dev/zero` is never read (which would never end); the open file is checked again
/// and read no further than the limit, in case the path was swapped or the file grows.
pub fn read_bytes_limited(path: &Path, limit: u64) -> Result<Vec<u8>, FileError> {
    use std::io::Read as _;
    let cannot =
        |e: std::io::Error| FileError::file(path, format!("cannot read: {}", io_reason(&e)));
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if let Some(what) = not_a_file(&meta) {
        return Err(refuse_special(path, what));
    }
    if meta.len() > limit {
        return Err(too_big(path, meta.len(), limit));
    }
    let file = std::fs::File::open(path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    if let Some(what) = not_a_file(&meta) {
        return Err(refuse_special(path, what));
    }
    let mut bytes = Vec::with_capacity(meta.len().min(limit) as usize);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > limit {
        return Err(too_big(path, bytes.len() as u64, limit));
    }
    Ok(bytes)
}

/// Reads a UTF-8 text file of at most `limit` bytes (a regular file only, see
/// [`read_bytes_limited`]); errors name the file and the fix. The one reader of every text
/// file (scenarios, exercises, rosters, transcripts): a leading byte-order mark, which
/// Windows editors write, is dropped here, so the text returned — the text spans index and
/// diagnostics print — starts at the first real character. Line endings are kept as they
/// are (LF, CRLF or CR); the parsers and [`changetalk_core::LineIndex`] accept all three.
pub fn read_text_limited(path: &Path, limit: u64) -> Result<String, FileError> {
    let mut bytes = read_bytes_limited(path, limit)?;
    let bom = bytes.len() - changetalk_core::source::text::strip_bom_bytes(&bytes).len();
    bytes.drain(..bom);
    String::from_utf8(bytes).map_err(|e| {
        let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let is_break =
            |i: usize, b: u8| b == b'\n' || (b == b'\r' && upto.get(i + 1).copied() != Some(b'\n'));
        let line = upto
            .iter()
            .enumerate()
            .filter(|(i, b)| is_break(*i, **b))
            .count()
            + 1;
        let line_start = upto
            .iter()
            .enumerate()
            .rposition(|(i, b)| is_break(i, *b))
            .map_or(0, |i| i + 1);
        // The column counts characters, like every other diagnostic.
        let col = String::from_utf8_lossy(&upto[line_start..]).chars().count() + 1;
        FileError::at(
            path,
            line,
            col,
            "the file is not UTF-8 text; save it as UTF-8 in your editor",
        )
    })
}

/// Reads a scenario-sized text file (5 MB limit).
pub fn read_text(path: &Path) -> Result<String, FileError> {
    read_text_limited(path, MAX_FILE_BYTES as u64)
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// The temporary file [`write_atomic`] writes before renaming it over `name`:
/// `.<name>.<process id>.tmp`, hidden (the grader and folder listings skip it).
fn temp_name(name: &str, pid: u32) -> String {
    format!(".{name}.{pid}.tmp")
}

/// How old a temporary file must be before [`clean_stray_temps`] takes it for a leftover of
/// an interrupted write (a write takes milliseconds).
pub const STRAY_TEMP_AGE: std::time::Duration = std::time::Duration::from_secs(120);

/// Removes the temporary files that interrupted [`write_atomic`]s (a crash, `kill -9`, a full
/// disk) left in `dir`: `.<name>.<pid>.tmp` files whose process is gone (where that can be
/// told) or that are older than [`STRAY_TEMP_AGE`]; a write in progress elsewhere is left
/// alone. Returns how many were removed. Called when a results folder is next used.
pub fn clean_stray_temps(dir: &Path) -> usize {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    let me = std::process::id();
    let mut removed = 0;
    for entry in rd.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        let Some(pid) = name
            .strip_prefix('.')
            .and_then(|n| n.strip_suffix(".tmp"))
            .and_then(|n| n.rsplit_once('.'))
            .and_then(|(_, pid)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        // Only plain files (never follow a link).
        let Ok(meta) = entry.path().symlink_metadata() else {
            continue;
        };
        if !meta.file_type().is_file() {
            continue;
        }
        let old = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age >= STRAY_TEMP_AGE);
        if (old || (pid != me && process_is_gone(pid)))
            && std::fs::remove_file(entry.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

/// True when the process is known to have ended (Linux: no `/proc/<pid>`); false when it runs
/// or cannot be told.
fn process_is_gone(pid: u32) -> bool {
    cfg!(target_os = "linux")
        && Path::new("/proc/self").exists()
        && !Path::new("/proc").join(pid.to_string()).exists()
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder is written,
/// flushed to disk, then renamed over the target, so readers see the old or the new file,
/// never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)
        .map_err(|e| FileError::file(&dir, format!("cannot create the folder: {e}")))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = dir.join(temp_name(name, std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        FileError::file(path, format!("cannot write: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn stray_temp_files_of_ended_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        // A process that has ended: spawn one and wait for it.
        let gone = std::process::Command::new("true")
            .spawn()
            .and_then(|mut c| c.wait().map(|_| c.id()))
            .unwrap_or(u32::MAX - 1);
        let stray = d.join(temp_name("week3--s1.progress.json", gone));
        let live = d.join(temp_name("week3--s2.json", std::process::id()));
        let other = d.join(".notes.tmp");
        let result = d.join("week3--s1.json");
        for p in [&stray, &live, &other, &result] {
            std::fs::write(p, b"x").unwrap();
        }
        if cfg!(target_os = "linux") {
            assert_eq!(clean_stray_temps(d), 1);
            assert!(!stray.exists());
        }
        assert!(live.exists(), "a write of a running process stays");
        assert!(other.exists() && result.exists(), "other files stay");
        // Old enough, it goes whatever its process.
        let f = std::fs::File::options().write(true).open(&live).unwrap();
        f.set_modified(std::time::SystemTime::now() - STRAY_TEMP_AGE * 2)
            .unwrap();
        assert!(clean_stray_temps(d) >= 1);
        assert!(!live.exists());
        assert!(other.exists() && result.exists());
    }

    #[cfg(unix)]
    #[test]
    fn fifos_and_devices_are_refused_without_being_opened() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.json");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        if made {
            // Opening a FIFO with no writer would block: this returns at once.
            let e = read_bytes_limited(&fifo, 1024).unwrap_err().to_string();
            assert!(
                e.contains("pipe.json: error: this is a named pipe (FIFO), not a regular file"),
                "{e}"
            );
        }
        let e = read_text(Path::new("/dev/zero")).unwrap_err().to_string();
        assert!(e.contains("/dev/zero: error: this is a device"), "{e}");
        let e = read_text(dir.path()).unwrap_err().to_string();
        assert!(e.contains("this is a folder"), "{e}");
    }

    #[test]
    fn refuses_big_and_binary_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.ron");
        std::fs::write(&p, vec![b' '; 2048]).unwrap();
        assert!(
            read_text_limited(&p, 1024)
                .unwrap_err()
                .to_string()
                .contains("over the")
        );
        std::fs::write(&p, b"ok\n\xff").unwrap();
        assert!(
            read_text(&p)
                .unwrap_err()
                .to_string()
                .contains(":2:1: error: the file is not UTF-8")
        );
    }

    #[test]
    fn a_byte_order_mark_is_dropped_and_line_endings_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("win.ron");
        std::fs::write(&p, b"\xEF\xBB\xBF(a: 1)\r\n").unwrap();
        assert_eq!(read_text(&p).unwrap(), "(a: 1)\r\n");
        // Only one mark is dropped: a second is text (and the parser names it).
        std::fs::write(&p, b"\xEF\xBB\xBF\xEF\xBB\xBFx").unwrap();
        assert_eq!(read_text(&p).unwrap(), "\u{feff}x");
        // Not-UTF-8 is placed by line and column whatever the line endings; the mark is not
        // a column.
        for text in [&b"\xEF\xBB\xBFab\xff"[..], b"x\r\nab\xff", b"x\rab\xff"] {
            std::fs::write(&p, text).unwrap();
            let e = read_text(&p).unwrap_err().to_string();
            let want = if text.starts_with(b"x") {
                ":2:3:"
            } else {
                ":1:3:"
            };
            assert!(e.contains(want), "{text:?}: {e}");
        }
    }
}
