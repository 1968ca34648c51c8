//! `changetalk graph SCENARIO [--format dot|svg] [-o FILE]`: the decision graph of a scenario.

use std::io::Write as _;
use std::path::Path;

use clap::ValueEnum;

/// Output formats of `graph`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Graphviz DOT text (render with `dot -Tsvg` or `dot -Tpng`).
    Dot,
    /// A standalone SVG drawn by ChangeTalk itself; no Graphviz needed.
    Svg,
}

/// Writes the graph of `scenario` (a file or a bundled id) to `output` or standard output.
/// Without `--format`, an output file ending in `.svg` gets SVG and anything else DOT.
pub fn run(scenario: &str, format: Option<Format>, output: Option<&Path>) -> i32 {
    let s = match crate::library::resolve(scenario) {
        Ok(s) => s,
        Err(e) => {
            crate::library::report_error(&e);
            return 1;
        }
    };
    let format = format.unwrap_or_else(|| {
        let svg = output
            .and_then(|p| p.extension())
            .is_some_and(|x| x.eq_ignore_ascii_case("svg"));
        if svg { Format::Svg } else { Format::Dot }
    });
    let text = match format {
        Format::Dot => changetalk_core::authoring::graph::to_dot(&s),
        Format::Svg => changetalk_core::authoring::graph::to_svg(&s),
    };
    match output {
        Some(p) => {
            if let Err(e) = crate::files::write_atomic(p, text.as_bytes()) {
                eprintln!("{e}");
                return 1;
            }
            eprintln!(
                "wrote {}: {}, {}",
                p.display(),
                super::text_report::count(s.points.len(), "decision point", "decision points"),
                super::text_report::count(s.endings.len(), "ending", "endings")
            );
            0
        }
        None => {
            let mut out = std::io::stdout().lock();
            if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                // A closed pipe (`| head`) is not worth a panic.
                eprintln!("error: cannot write the graph: {e}");
                return 1;
            }
            0
        }
    }
}
