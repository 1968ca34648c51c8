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

/// Reads a UTF-8 text file of at most `limit` bytes; errors name the file and the fix.
pub fn read_text_limited(path: &Path, limit: u64) -> Result<String, FileError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| FileError::file(path, format!("cannot read: {}", io_reason(&e))))?;
    if meta.is_dir() {
        return Err(FileError::file(path, "this is a folder; give a file"));
    }
    if meta.len() > limit {
        return Err(FileError::file(
            path,
            format!(
                "the file is {:.1} MB, over the {} MB limit; is this the right file?",
                meta.len() as f64 / 1_048_576.0,
                limit / 1_048_576
            ),
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| FileError::file(path, format!("cannot read: {}", io_reason(&e))))?;
    String::from_utf8(bytes).map_err(|e| {
        let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = upto.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = upto.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
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
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
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
}
