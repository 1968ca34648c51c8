//! `changetalk lint PATH... [--deny warnings] [--min-points N]`: validation plus the teaching
//! checks of [`changetalk_core::lint`].

use std::path::{Path, PathBuf};

use changetalk_core::authoring::lint::{LintConfig, lint};
use changetalk_core::{LineIndex, Severity, load_scenario};
use clap::ValueEnum;

/// What `--deny` turns into errors.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Deny {
    /// Fail (exit 1) when there is any warning.
    Warnings,
}

/// Lints files and folders (every `.ron` file inside, recursively). Exit code 0 when there is
/// no error (and, with `--deny warnings`, no warning); 1 otherwise.
pub fn run(paths: &[PathBuf], deny: Option<Deny>, min_points: usize) -> i32 {
    let cfg = LintConfig { min_points };
    let mut files: Vec<PathBuf> = Vec::new();
    let mut errors = 0usize;
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            super::validate::collect(p, &mut found, 0);
            if found.is_empty() {
                eprintln!(
                    "{}: error: no .ron scenario files in this folder",
                    p.display()
                );
                errors += 1;
            }
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    let mut warnings = 0usize;
    for f in &files {
        let (e, w) = lint_file(f, &cfg);
        errors += e;
        warnings += w;
    }
    let n = files.len();
    eprintln!(
        "linted {n} file{}: {errors} error{}, {warnings} warning{}{}",
        if n == 1 { "" } else { "s" },
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" },
        if deny.is_some() && warnings > 0 {
            " (warnings denied)"
        } else {
            ""
        }
    );
    i32::from(errors > 0 || (deny == Some(Deny::Warnings) && warnings > 0))
}

/// Validates and lints one file, printing its diagnostics; returns (errors, warnings).
fn lint_file(path: &Path, cfg: &LintConfig) -> (usize, usize) {
    let name = path.display().to_string();
    let text = match crate::files::read_text(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            return (1, 0);
        }
    };
    let idx = LineIndex::new(&text);
    let diags = match load_scenario(&text) {
        Ok(s) => lint(&s, cfg),
        Err(diags) => diags,
    };
    for d in &diags {
        eprintln!("{}", d.render(&name, &idx));
    }
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags.len() - errors;
    if diags.is_empty() {
        println!("{name}: ok");
    }
    (errors, warnings)
}
