//! `changetalk`: the command line and (with the `gui` feature) the desktop app.

fn main() {
    std::process::exit(changetalk::main_entry());
}
