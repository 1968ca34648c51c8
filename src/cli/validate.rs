//! `changetalk validate PATH...`

use std::path::{Path, PathBuf};

use changetalk_core::classroom::printable::printable;

use crate::library;

/// Validates files and folders; 0 when all are valid, 1 otherwise.
pub fn run(paths: &[PathBuf]) -> i32 {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut failed = 0usize;
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            collect(p, &mut found, 0);
            if found.is_empty() {
                eprintln!(
                    "{}: error: no .ron scenario files in this folder",
                    printable(&p.display().to_string())
                );
                failed += 1;
            }
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    let mut ok = 0usize;
    for f in &files {
        let entry = library::load_file(f);
        match entry.loaded {
            Ok(s) => {
                ok += 1;
                // A course counts every session's points and endings.
                let points =
                    s.points.len() + s.sessions.iter().map(|x| x.points.len()).sum::<usize>();
                let endings =
                    s.endings.len() + s.sessions.iter().map(|x| x.endings.len()).sum::<usize>();
                let sessions = if s.is_course() {
                    format!(", {} sessions", s.session_count())
                } else {
                    String::new()
                };
                println!(
                    "{}: ok ({} — {}, {}{sessions})",
                    printable(&f.display().to_string()),
                    s.id,
                    super::text_report::count(points, "point", "points"),
                    super::text_report::count(endings, "ending", "endings")
                );
            }
            Err(errs) => {
                failed += 1;
                // File names can hold control characters too; each message line is printed
                // without them.
                for e in errs {
                    for line in e.lines() {
                        eprintln!("{}", printable(line));
                    }
                }
            }
        }
    }
    let n = files.len();
    let bad = n - ok;
    eprintln!(
        "checked {n} file{}: {ok} valid, {bad} with errors",
        if n == 1 { "" } else { "s" }
    );
    i32::from(failed > 0)
}

/// Every `.ron` file under `dir`, sorted, at most 16 folders deep (also used by `lint`).
pub(crate) fn collect(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 16 {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out, depth + 1);
        } else if p.extension().is_some_and(|x| x == "ron") {
            out.push(p);
        }
    }
}
