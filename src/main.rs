//! `changetalk`: the command line and (with the `gui` feature) the desktop app.

fn main() {
    restore_sigpipe();
    std::process::exit(changetalk::main_entry());
}

/// Output piped into a program that stops reading (`changetalk code raw.csv | head`) ends
/// this one quietly, as it does any Unix tool, instead of a panic in `println!`: Rust starts
/// programs with SIGPIPE ignored, and this puts back the default.
#[cfg(unix)]
fn restore_sigpipe() {
    // SAFETY: called first thing in `main`, before any thread exists; SIG_DFL is a valid
    // disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn restore_sigpipe() {}
