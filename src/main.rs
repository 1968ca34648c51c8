//! `changetalk`: the command line and (with the `gui` feature) the desktop app.

mod cli;
mod files;
mod library;

use clap::Parser;

fn main() {
    let args = cli::Cli::parse();
    let code = match args.command {
        Some(cmd) => cli::run(cmd),
        None => {
            eprintln!("no command given; try `changetalk --help`");
            2
        }
    };
    std::process::exit(code);
}
