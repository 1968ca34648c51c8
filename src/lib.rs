//! The `changetalk` shells over the pure core: the command line and, with the `gui`
//! feature, the desktop app. Both only translate between the core and the outside world.

pub mod auto_code;
pub mod class_client;
pub mod classroom;
pub mod cli;
pub mod export;
pub mod files;
pub mod free_text;
pub mod library;

#[cfg(feature = "gui")]
pub mod app;

/// Runs the program with the process's arguments; returns the exit code.
pub fn main_entry() -> i32 {
    match cli::parse() {
        cli::Invocation::Run(args) => match args.command {
            Some(cmd) => cli::run(cmd),
            None => cli::open_app(cli::GuiArgs::default()),
        },
        cli::Invocation::Manpage(dir) => cli::manpage::run(dir.as_deref()),
    }
}
