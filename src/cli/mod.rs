//! The command line: a thin shell over the core. Every command prints clear messages and
//! exits non-zero on failure.

pub mod play;
pub mod score_csv;
pub mod text_report;
pub mod validate;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Motivational-interviewing practice with scripted clients, scored against MITI.
#[derive(Debug, Parser)]
#[command(name = "changetalk", version, about, long_about = None)]
pub struct Cli {
    /// What to do; without a command the desktop app opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// `--auto` policies.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Auto {
    /// Take the highest-rated reply at every point (the model conversation).
    Best,
    /// Take the lowest-rated reply at every point.
    Worst,
}

impl From<Auto> for changetalk_core::AutoPolicy {
    fn from(a: Auto) -> Self {
        match a {
            Auto::Best => changetalk_core::AutoPolicy::Best,
            Auto::Worst => changetalk_core::AutoPolicy::Worst,
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check scenario files (or every .ron file in folders) and report every error.
    Validate {
        /// Files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Talk with a client in the terminal, or play scripted replies.
    Play {
        /// A scenario file, or the id of a bundled scenario.
        scenario: String,
        /// Seed for the client's line variants (same seed and replies, same session).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Replies to play, as option numbers: 2,1,3.
        #[arg(long, value_delimiter = ',', conflicts_with = "auto")]
        choices: Option<Vec<usize>>,
        /// Play the best- or worst-rated reply at every point.
        #[arg(long, value_enum)]
        auto: Option<Auto>,
        /// Print the transcript and score as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Score a hand-coded role-play transcript (CSV with header speaker,code,text).
    ScoreTranscript {
        /// The CSV file.
        file: PathBuf,
        /// Print the score as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a command; returns the process exit code.
pub fn run(command: Command) -> i32 {
    match command {
        Command::Validate { paths } => validate::run(&paths),
        Command::Play {
            scenario,
            seed,
            choices,
            auto,
            json,
        } => play::run(&scenario, seed, choices, auto, json),
        Command::ScoreTranscript { file, json } => score_csv::run(&file, json),
    }
}
