//! Evaluates the bundled coder on AnnoMI's held-out fold (`transcript_id % 5 == 0`).
//!
//! ```text
//! cargo run --release --manifest-path crates/changetalk-coder/Cargo.toml --example eval -- AnnoMI-simple.csv
//! ```

use std::process::ExitCode;

use changetalk_coder::{Coder, evaluate};

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: eval AnnoMI-simple.csv");
        return ExitCode::FAILURE;
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let t0 = std::time::Instant::now();
    let coder = match Coder::from_bytes(include_bytes!("../model/coder.bin")) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "model loaded in {:.1} ms",
        t0.elapsed().as_secs_f64() * 1000.0
    );
    match evaluate(&text, &coder) {
        Ok(r) => {
            print!("{r}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
