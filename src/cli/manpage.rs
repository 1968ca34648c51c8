//! `changetalk manpage [DIR]` (hidden): the man pages — `changetalk.1` and one
//! `changetalk-COMMAND.1` a command — from the clap definitions, for the Debian package
//! (`scripts/package-deb.sh`). Kept here, out of the core crates, like the completions.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::CommandFactory as _;
use clap_mangen::Man;

use super::Cli;

/// The hidden command's name.
pub const NAME: &str = "manpage";

/// The hidden command, added beside [`Cli`]'s by [`super::parse`].
pub fn command() -> clap::Command {
    clap::Command::new(NAME)
        .hide(true)
        .about(
            "Write the man pages (changetalk.1 and one a command) into DIR, or print changetalk.1",
        )
        .arg(
            clap::Arg::new("dir")
                .value_name("DIR")
                .value_parser(clap::value_parser!(PathBuf))
                .help("The folder to write them into (made if missing)"),
        )
}

/// The command line as the pages describe it: built, so every command knows its full name
/// (`changetalk-exercise-run`), and without the `help` command.
fn built() -> clap::Command {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// Renders `changetalk.1`: clap_mangen's sections, with the examples of `--help` as an
/// EXAMPLES section kept line by line (clap_mangen would fill them into a paragraph).
pub fn render_main(w: &mut dyn Write) -> std::io::Result<()> {
    let man = Man::new(built());
    man.render_title(w)?;
    man.render_name_section(w)?;
    man.render_synopsis_section(w)?;
    man.render_description_section(w)?;
    man.render_options_section(w)?;
    man.render_subcommands_section(w)?;
    let mut examples = roff::Roff::new();
    examples.control("SH", ["EXAMPLES"]).control("nf", []);
    for line in super::EXAMPLES.lines().skip(1) {
        examples.text([roff::roman(line.trim_start())]);
    }
    examples.control("fi", []);
    examples.to_writer(w)?;
    man.render_version_section(w)
}

/// Writes every page into `dir` (made if missing); returns their paths, `changetalk.1` first.
pub fn write_pages(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    fn commands(cmd: &clap::Command, dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            let man = Man::new(sub.clone());
            out.push(man.generate_to(dir)?);
            commands(sub, dir, out)?;
        }
        Ok(())
    }
    std::fs::create_dir_all(dir)?;
    let main = dir.join("changetalk.1");
    let mut file = std::fs::File::create(&main)?;
    render_main(&mut file)?;
    file.flush()?;
    let mut pages = vec![main];
    commands(&built(), dir, &mut pages)?;
    Ok(pages)
}

/// Runs `manpage`: with a folder, writes every page there and lists them; without one,
/// prints `changetalk.1` to standard output. Returns the exit code.
pub fn run(dir: Option<&Path>) -> i32 {
    let result = match dir {
        Some(dir) => write_pages(dir).map(|pages| {
            for p in pages {
                println!("{}", p.display());
            }
        }),
        None => render_main(&mut std::io::stdout().lock()),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            let place = dir.map_or_else(|| "standard output".into(), |d| d.display().to_string());
            eprintln!("error: could not write the man pages to {place}: {e}");
            1
        }
    }
}
