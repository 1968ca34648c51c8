//! `changetalk code` (a transcript, or one reply, coded offline) and `changetalk coder-eval`
//! (the coder measured on AnnoMI's evaluation fold).

use std::path::{Path, PathBuf};

use changetalk_coder::{Coder, MODEL_VERSION, evaluate};
use clap::Args;
use serde_json::json;

use crate::auto_code::{code_rows, read_raw_csv, to_csv};
use crate::files::{read_text_limited, write_atomic};
use crate::library;

/// Options of `changetalk code`.
#[derive(Debug, Args)]
pub struct CodeArgs {
    /// A transcript CSV: a header with `speaker` and `text` (a `code` column is ignored).
    #[arg(required_unless_present = "text", conflicts_with = "text")]
    pub file: Option<PathBuf>,
    /// Write the coded transcript here (`speaker,code,text`) instead of standard output.
    #[arg(short, long, requires = "file")]
    pub output: Option<PathBuf>,
    /// Code this one counsellor reply instead of a file.
    #[arg(long)]
    pub text: Option<String>,
    /// With --text: the client's line it answers.
    #[arg(long, requires = "text")]
    pub after: Option<String>,
    /// With --text: print the coding as JSON.
    #[arg(long, requires = "text")]
    pub json: bool,
}

/// Runs `changetalk code`; returns the exit code.
pub fn run(args: CodeArgs) -> i32 {
    let coder = crate::free_text::coder();
    if let Some(text) = &args.text {
        return one_reply(coder, text, args.after.as_deref(), args.json);
    }
    let Some(file) = &args.file else {
        eprintln!("error: give a transcript CSV, or --text \"a reply\"");
        return 2;
    };
    let text = match read_text_limited(file, 50 * 1024 * 1024) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    let rows = match read_raw_csv(&text) {
        Ok(r) => r,
        Err(diags) => {
            for line in library::render(&diags, &file.display().to_string(), &text) {
                eprintln!("{line}");
            }
            return 1;
        }
    };
    let csv = to_csv(&code_rows(&rows, coder));
    match &args.output {
        Some(out) => match write_atomic(out, csv.as_bytes()) {
            Ok(()) => {
                eprintln!(
                    "coded {} utterance{} into {}",
                    rows.len(),
                    if rows.len() == 1 { "" } else { "s" },
                    out.display()
                );
                0
            }
            Err(e) => {
                eprintln!("{e}");
                1
            }
        },
        None => {
            print!("{csv}");
            0
        }
    }
}

fn one_reply(coder: &Coder, text: &str, after: Option<&str>, as_json: bool) -> i32 {
    let c = coder.code_counsellor(text, after);
    if as_json {
        let v = json!({
            "text": text,
            "after": after,
            "codes": c.codes.iter().map(|s| json!({
                "code": s.code.json_name(),
                "confidence": round3(s.confidence),
            })).collect::<Vec<_>>(),
            "main_behaviour": c.main_behaviour.annomi_name(),
            "confidence": round3(c.confidence),
            "model": { "version": MODEL_VERSION, "sha256": coder.model_hash() },
        });
        match serde_json::to_string_pretty(&v) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: cannot write JSON: {e}");
                return 1;
            }
        }
    } else if c.codes.is_empty() {
        println!(
            "no MITI code ({}, {:.0}% sure)",
            c.main_behaviour.annomi_name(),
            c.confidence * 100.0
        );
    } else {
        let parts: Vec<String> = c
            .codes
            .iter()
            .map(|s| format!("{} ({:.0}%)", s.code.json_name(), s.confidence * 100.0))
            .collect();
        println!("{}", parts.join(" + "));
    }
    0
}

fn round3(x: f32) -> f64 {
    (f64::from(x) * 1000.0).round() / 1000.0
}

/// Runs `changetalk coder-eval AnnoMI-simple.csv`; returns the exit code.
pub fn eval(file: &Path) -> i32 {
    let text = match read_text_limited(file, 200 * 1024 * 1024) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    let coder = crate::free_text::coder();
    match evaluate(&text, coder) {
        Ok(report) => {
            println!("{report}");
            0
        }
        Err(e) => {
            eprintln!("error: {}: {e}", file.display());
            1
        }
    }
}
