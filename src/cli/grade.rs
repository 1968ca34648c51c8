//! `changetalk grade EXERCISE RESULTS_DIR`: recompute every result from its choices, flag
//! what does not add up, and write the gradebook CSV, the class report and xAPI statements.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use changetalk_core::classroom::grade::{
    self, Distribution, Gradebook, InputFile, ItemStat, Pinned, RosterEntry,
};
use changetalk_core::classroom::printable::printable;
use changetalk_core::classroom::result::MAX_RESULT_BYTES;
use changetalk_core::classroom::xapi::{self, XapiOptions};
use clap::Args;

use crate::classroom::{LoadedExercise, load_with};
use crate::export::esc;
use crate::files::{clean_stray_temps, read_bytes_limited, read_text_limited, write_atomic};

/// Options of `changetalk grade`.
#[derive(Debug, Args)]
pub struct GradeArgs {
    /// The exercise file.
    pub exercise: PathBuf,
    /// The folder of result files (`*.json`; progress files count as unfinished).
    pub results: PathBuf,
    /// Write the gradebook CSV (Moodle and Canvas import it; see docs/classroom.md).
    #[arg(long)]
    pub csv: Option<PathBuf>,
    /// Start the gradebook CSV with a UTF-8 byte-order mark, so Excel on Windows opens it
    /// as UTF-8 and shows accented names right (Moodle and Canvas accept it either way).
    #[arg(long, requires = "csv")]
    pub csv_bom: bool,
    /// Write the class report (HTML): distributions and item analysis.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Write xAPI 1.0.3 statements (a JSON array) for a Learning Record Store.
    #[arg(long)]
    pub xapi: Option<PathBuf>,
    /// Students expected (CSV or text, the id first on each line, optionally a name): those
    /// without a result get a row flagged `missing`.
    #[arg(long)]
    pub roster: Option<PathBuf>,
    /// The LMS address that student ids belong to (xAPI `actor.account.homePage`).
    #[arg(long, default_value = "https://lms.example.edu")]
    pub xapi_home_page: String,
    /// Base IRI of xAPI activities (scenarios become `<base>/scenarios/<id>`).
    #[arg(long, default_value = "https://changetalk.example.org/xapi")]
    pub xapi_activity_base: String,
    /// Read scenario `file:`s outside the exercise's folder (only for exercises you trust).
    #[arg(long)]
    pub allow_outside: bool,
}

/// The gradebook CSV as written: with a UTF-8 byte-order mark first when `bom`
/// (`--csv-bom`, for Excel), never two.
pub fn csv_bytes(csv: &str, bom: bool) -> Vec<u8> {
    let csv = changetalk_core::source::text::strip_bom(csv);
    let mut out = Vec::with_capacity(csv.len() + 3);
    if bom {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    out.extend_from_slice(csv.as_bytes());
    out
}

/// Runs `grade`; returns the exit code (0 once grading ran, whatever it flagged).
pub fn run(args: GradeArgs) -> i32 {
    match grade_folder(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

/// Every `*.json` entry directly in `dir` that is not a folder (hidden files, such as
/// half-written temporary files, are skipped), sorted. A FIFO or device among them is listed,
/// and [`read_input`] refuses it by name without opening it.
pub fn result_paths(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let rd = std::fs::read_dir(dir).map_err(|e| {
        format!(
            "{}: error: cannot read the results folder: {}",
            dir.display(),
            match e.kind() {
                std::io::ErrorKind::NotFound => "no such folder".to_string(),
                _ => e.to_string(),
            }
        )
    })?;
    let mut paths: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && !p.is_dir()
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| !n.starts_with('.'))
        })
        .collect();
    paths.sort();
    Ok(paths)
}

/// One result file's name and bytes, or why it could not be read: only a regular file of at
/// most [`MAX_RESULT_BYTES`], checked before it is opened (a FIFO would hang the grader, a
/// device such as `/dev/zero` would fill the memory).
pub fn read_input(p: &Path) -> InputFile {
    let name = p
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let bytes = read_bytes_limited(p, MAX_RESULT_BYTES as u64).map_err(|e| e.message);
    InputFile { name, bytes }
}

/// Reads a roster (see [`changetalk_core::classroom::roster`]): a CSV whose id column is
/// found by its header (`SIS User ID`, `ID number`, `Student ID`, `ID`…), or ids one a line.
pub fn read_roster(path: &Path) -> Result<Vec<RosterEntry>, String> {
    let text = read_text_limited(path, 16 * 1024 * 1024)?;
    changetalk_core::classroom::roster::parse_roster(&text).map_err(|diags| {
        let idx = changetalk_core::LineIndex::new(&text);
        diags
            .iter()
            .map(|d| d.render(&path.display().to_string(), &idx))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

fn grade_folder(args: &GradeArgs) -> Result<i32, String> {
    let loaded = load_with(&args.exercise, args.allow_outside)?;
    let roster = match &args.roster {
        Some(p) => Some(read_roster(p)?),
        None => None,
    };
    let paths = result_paths(&args.results)?;
    let cleaned = clean_stray_temps(&args.results);
    if cleaned > 0 {
        eprintln!(
            "{}: note: removed {cleaned} temporary file{} left by interrupted saves",
            printable(&args.results.display().to_string()),
            if cleaned == 1 { "" } else { "s" }
        );
    }
    let pinned = Pinned {
        exercise: &loaded.exercise,
        exercise_hash: &loaded.hash,
        exercise_stem: &loaded.stem,
        scenarios: &loaded.scenarios,
        coder: Some(crate::free_text::OfflineCoder::shared()),
    };
    // Files are read one at a time as grading goes.
    let book = grade::grade(
        &pinned,
        paths.iter().map(|p| read_input(p)),
        roster.as_deref(),
    );
    // Everything printed from here on may come from students' files: control characters
    // (terminal escapes, line breaks) are removed first.
    for p in &book.problems {
        eprintln!(
            "{}: warning: {}",
            printable(&args.results.join(&p.file).display().to_string()),
            printable(&p.message)
        );
    }
    for r in &book.rows {
        for f in &r.flags {
            if f.kind == grade::FlagKind::Corrupt {
                continue; // reported above
            }
            eprintln!("flag {}: {}", f.kind.code(), printable(&f.detail));
        }
    }
    print_table(&book);
    if let Some(p) = &args.csv {
        let csv = grade::gradebook_csv(&loaded.exercise, &book);
        write_atomic(p, &csv_bytes(&csv, args.csv_bom))?;
        println!("gradebook written to {}", p.display());
    }
    let opts = XapiOptions {
        home_page: args.xapi_home_page.clone(),
        activity_base: args.xapi_activity_base.clone(),
        platform: format!("ChangeTalk {}", env!("CARGO_PKG_VERSION")),
    };
    write_report_and_xapi(
        &loaded,
        &pinned,
        &book,
        args.report.as_deref(),
        args.xapi.as_deref(),
        &opts,
    )?;
    Ok(0)
}

// ---------------------------------------------------------------------------------------
// The class report
// ---------------------------------------------------------------------------------------

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.4}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;vertical-align:top}
th{background:#f2f2f2;text-align:left}.num{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:inline-block;height:.8rem;background:#3b6ea8;vertical-align:middle}
.hist{display:flex;align-items:flex-end;gap:2px;height:3rem}.hist span{display:block;width:.9rem;background:#3b6ea8}
.best{font-weight:bold}.flag{color:#a33}small{color:#555}h2{margin-top:2rem}";

/// The gradebook as a table on standard output (student text made printable), then the
/// summary line: the same for `grade` and `class grade`.
pub fn print_table(book: &Gradebook) {
    for r in &book.rows {
        println!(
            "{:<24} {:<28} {:>6}  {:<4}  {}",
            printable(&r.student_id),
            printable(&r.student_name),
            r.total.map_or_else(|| "—".into(), |t| format!("{t:.1}")),
            match r.passed {
                Some(true) => "pass",
                Some(false) => "fail",
                None => "",
            },
            r.flag_codes()
        );
    }
    println!("{}", grade::summary_line(book));
}

/// Writes the class report (HTML) and the xAPI statements (JSON) where asked, atomically;
/// the same for `grade` and `class grade`.
pub fn write_report_and_xapi(
    loaded: &LoadedExercise,
    pinned: &Pinned,
    book: &Gradebook,
    report: Option<&Path>,
    xapi_out: Option<&Path>,
    opts: &XapiOptions,
) -> Result<(), String> {
    if let Some(p) = report {
        write_atomic(p, class_report_html(loaded, pinned, book).as_bytes())?;
        println!("class report written to {}", p.display());
    }
    if let Some(p) = xapi_out {
        let st = xapi::statements(pinned, book, opts);
        let json = serde_json::to_string_pretty(&st)
            .map_err(|e| format!("error: cannot write xAPI statements: {e}"))?;
        write_atomic(p, format!("{json}\n").as_bytes())?;
        println!("{} xAPI statements written to {}", st.len(), p.display());
    }
    Ok(())
}

fn num(x: Option<f64>) -> String {
    match x {
        Some(v) if v.fract() == 0.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.2}"),
        None => "—".to_string(),
    }
}

fn histogram_html(d: &Distribution) -> String {
    let max = d.histogram.iter().copied().max().unwrap_or(0).max(1);
    let width = (d.range.1 - d.range.0) / 10.0;
    let mut s = String::from("<div class=\"hist\">");
    for (i, c) in d.histogram.iter().enumerate() {
        let lo = d.range.0 + width * i as f64;
        let _ = write!(
            s,
            "<span style=\"height:{:.0}%\" title=\"{} to {}: {c}\"></span>",
            (*c as f64 / max as f64 * 100.0).max(if *c > 0 { 4.0 } else { 1.0 }),
            num(Some(lo)),
            num(Some(lo + width))
        );
    }
    s.push_str("</div>");
    s
}

/// The class report: summary, unreadable files, flagged results, each metric's
/// distribution, and the item analysis (most-missed moments first). Self-contained HTML.
pub fn class_report_html(loaded: &LoadedExercise, pinned: &Pinned, book: &Gradebook) -> String {
    let ex = &loaded.exercise;
    let dists = grade::distributions(ex, book);
    let items = grade::item_analysis(pinned, book);
    let mut o = String::new();
    let _ = write!(
        o,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{} — class report</title><style>{STYLE}</style></head><body>\n",
        esc(&printable(&ex.title))
    );
    let _ = writeln!(
        o,
        "<h1>{} — class report</h1>\n<p>{}</p>\n<p><small>Exercise file {} · SHA-256 {} · seed {} · {} mode · pass: {}</small></p>",
        esc(&ex.title),
        esc(&grade::summary_line(book)),
        esc(&loaded.file_name),
        esc(&loaded.hash),
        ex.seed,
        ex.mode.ron_name().to_lowercase(),
        esc(&ex.pass.describe().join(", "))
    );
    for (r, s) in ex.scenarios.iter().zip(&loaded.scenarios) {
        let _ = writeln!(
            o,
            "<p><small>Scenario <b>{}</b> — {} · SHA-256 {}</small></p>",
            esc(&r.id),
            esc(&s.title),
            esc(&r.hash)
        );
    }

    if !book.problems.is_empty() {
        o.push_str("<h2>Files that could not be graded</h2>\n<table><tr><th>File</th><th>Problem</th></tr>\n");
        for p in &book.problems {
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td></tr>",
                esc(&printable(&p.file)),
                esc(&printable(&p.message))
            );
        }
        o.push_str("</table>\n");
    }

    let flagged: Vec<_> = book.rows.iter().filter(|r| !r.is_clean()).collect();
    if !flagged.is_empty() {
        o.push_str("<h2>Flagged results</h2>\n<table><tr><th>Student</th><th>File</th><th>Flags</th></tr>\n");
        for r in flagged {
            let details: Vec<String> = r
                .flags
                .iter()
                .map(|f| format!("<b>{}</b>: {}", f.kind.code(), esc(&printable(&f.detail))))
                .collect();
            let _ = writeln!(
                o,
                "<tr><td>{} <small>{}</small></td><td>{}</td><td class=\"flag\">{}</td></tr>",
                esc(&printable(&r.student_name)),
                esc(&printable(&r.student_id)),
                esc(&printable(r.file.as_deref().unwrap_or("—"))),
                details.join("<br>")
            );
        }
        o.push_str("</table>\n");
    }

    o.push_str("<h2>Distributions</h2>\n<p>Over the students whose choices replayed against the pinned scenarios. Quartiles by linear interpolation; bands use the thresholds in docs/scoring.md.</p>\n");
    o.push_str("<table><tr><th>Scenario</th><th>Metric</th><th class=\"num\">n</th><th class=\"num\">n/a</th><th class=\"num\">mean</th><th class=\"num\">min</th><th class=\"num\">Q1</th><th class=\"num\">median</th><th class=\"num\">Q3</th><th class=\"num\">max</th><th>below fair / fair / good</th><th>histogram</th></tr>\n");
    for d in &dists {
        let bands = match (d.bands, d.thresholds) {
            (Some(b), Some((fair, good))) => format!(
                "{} / {} / {} <small>(fair ≥ {}, good ≥ {})</small>",
                b[0],
                b[1],
                b[2],
                num(Some(fair)),
                num(Some(good))
            ),
            _ => "—".to_string(),
        };
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            esc(d.scenario.as_deref().unwrap_or("exercise")),
            esc(d.label),
            d.n,
            d.missing,
            num(d.mean),
            num(d.min),
            num(d.q1),
            num(d.median),
            num(d.q3),
            num(d.max),
            bands,
            histogram_html(d)
        );
    }
    o.push_str("</table>\n");

    o.push_str("<h2>Item analysis</h2>\n<p>Every decision point students reached, the most-missed first: <i>missed</i> is the share of answers where a better-rated reply was available. Each option shows the share of answers that chose it; the best-rated options are in bold.</p>\n");
    for it in &items {
        item_html(&mut o, it);
    }
    o.push_str("</body></html>\n");
    o
}

fn item_html(o: &mut String, it: &ItemStat) {
    let _ = writeln!(
        o,
        "<h3>{} · {} — missed {:.0}% <small>({} of {}, {})</small></h3>\n<p>Client: “{}”</p>",
        esc(&it.scenario),
        esc(&it.point),
        it.missed_share * 100.0,
        it.missed,
        super::text_report::count(it.visits, "answer", "answers"),
        super::text_report::count(it.students, "student", "students"),
        esc(&it.client)
    );
    o.push_str("<table><tr><th>#</th><th>Reply</th><th class=\"num\">rating</th><th class=\"num\">chosen</th><th>share</th></tr>\n");
    for op in &it.options {
        let _ = writeln!(
            o,
            "<tr{}><td>{}</td><td>{}</td><td class=\"num\">{}/5</td><td class=\"num\">{}</td><td><span class=\"bar\" style=\"width:{:.1}rem\"></span> {:.0}%</td></tr>",
            if op.best { " class=\"best\"" } else { "" },
            op.number,
            esc(&op.text),
            op.rating,
            op.count,
            op.share * 10.0,
            op.share * 100.0
        );
    }
    o.push_str("</table>\n");
}

#[cfg(test)]
mod tests {
    use super::csv_bytes;

    #[test]
    fn csv_bom_writes_one_mark_or_none() {
        assert_eq!(csv_bytes("a,b\r\n", false), b"a,b\r\n");
        assert_eq!(csv_bytes("a,b\r\n", true), b"\xEF\xBB\xBFa,b\r\n");
        // A gradebook that already has one (from a server) gets exactly one, or none.
        assert_eq!(csv_bytes("\u{feff}a\r\n", true), b"\xEF\xBB\xBFa\r\n");
        assert_eq!(csv_bytes("\u{feff}a\r\n", false), b"a\r\n");
    }
}
