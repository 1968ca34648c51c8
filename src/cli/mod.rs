//! The command line: a thin shell over the core. Every command prints clear messages and
//! exits non-zero on failure.

pub mod audit;
pub mod class;
pub mod code;
pub mod conversation;
pub mod exercise;
pub mod grade;
pub mod graph;
pub mod lint;
pub mod manpage;
pub mod new;
pub mod play;
pub mod play_course;
pub mod ratings;
pub mod score_csv;
pub mod serve;
pub mod text_report;
pub mod validate;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Motivational-interviewing practice with scripted clients, scored against MITI.
#[derive(Debug, Parser)]
#[command(name = "changetalk", version, about, long_about = None, after_help = EXAMPLES)]
// `exercise run --server URL --code CODE` plays on a class server (see `class.rs`).
#[command(mut_subcommand("exercise", class::add_server_flags))]
pub struct Cli {
    /// What to do; without a command the desktop app opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What the process's arguments ask for.
#[derive(Debug)]
pub enum Invocation {
    /// A command, or none (the app).
    Run(Box<Cli>),
    /// The hidden `changetalk manpage [DIR]` (see [`manpage`]).
    Manpage(Option<PathBuf>),
}

/// Parses the process's arguments; exits with clap's message when they are wrong. The hidden
/// `manpage` command is added beside [`Cli`]'s, not among them, so that neither the
/// completions nor the man pages offer it.
pub fn parse() -> Invocation {
    use clap::{CommandFactory as _, FromArgMatches as _};
    let matches = Cli::command().subcommand(manpage::command()).get_matches();
    if let Some(m) = matches.subcommand_matches(manpage::NAME) {
        return Invocation::Manpage(m.get_one::<PathBuf>("dir").cloned());
    }
    Invocation::Run(Box::new(
        Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit()),
    ))
}

/// Examples shown under `changetalk --help` and in `man changetalk`.
pub const EXAMPLES: &str = "Examples:
  changetalk                                        open the app with the bundled clients
  changetalk play court-ordered-dui                 talk with a client in the terminal
  changetalk play court-ordered-dui --free-text     reply in your own words (coded offline)
  changetalk play recovery-burnout-course --auto best   a client over three sessions
  changetalk validate my-client.ron                 check a client you are writing
  changetalk exercise new --scenario court-ordered-dui -o week3.ron
  changetalk grade week3.ron results/ --csv gradebook.csv --csv-bom
  changetalk gui --join http://class.example.edu:8080   a class exercise on the class server
  changetalk completions bash > ~/.local/share/bash-completion/completions/changetalk";

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
        /// Replies to play, as option numbers: 2,1,3. For a client with several sessions, `/`
        /// separates the sessions: 1,2,3/2,1.
        #[arg(long, value_parser = parse_choices, conflicts_with = "auto")]
        choices: Option<ChoiceGroups>,
        /// For a client with several sessions: play only session N (1-based), after the model
        /// conversation of the sessions before it.
        #[arg(long, value_name = "N")]
        session: Option<usize>,
        /// Play the best- or worst-rated reply at every point.
        #[arg(long, value_enum)]
        auto: Option<Auto>,
        /// Print the transcript and score as JSON.
        #[arg(long)]
        json: bool,
        /// Reply in your own words: one typed reply per line on standard input (a pipe works);
        /// each is coded offline and the client answers along the nearest scripted reply.
        #[arg(long, conflicts_with_all = ["choices", "auto"])]
        free_text: bool,
    },
    /// Open the desktop app (optionally on one screen), or render a screen to a PNG and exit.
    Gui(GuiArgs),
    /// Classroom exercises: `exercise new` pins scenarios, `exercise run` plays one as a student.
    Exercise(exercise::ExerciseArgs),
    /// Grade a folder of exercise results into a gradebook CSV, class report and xAPI.
    Grade(grade::GradeArgs),
    /// Run the class server: it holds assessments, stamps every reply and grades from its log.
    Serve(serve::ServeArgs),
    /// Instructors on a class server: `class create` publishes an exercise and writes join
    /// codes, `class status` shows who is playing, `class grade` writes the gradebook.
    Class(class::ClassArgs),
    /// Score a role-play transcript: a hand-coded CSV (header speaker,code,text), or with
    /// --auto-code one without codes (header with speaker and text), coded by the offline coder.
    ScoreTranscript {
        /// The CSV file.
        file: PathBuf,
        /// Print the score as JSON.
        #[arg(long)]
        json: bool,
        /// Code every utterance with the offline MITI coder first (any `code` column is
        /// ignored).
        #[arg(long)]
        auto_code: bool,
    },
    /// Code counsellor replies with MITI codes and client lines with their talk type, offline:
    /// a transcript CSV (header with speaker and text) or one reply (--text).
    Code(code::CodeArgs),
    /// Print shell completions for bash, zsh, fish, elvish or PowerShell to standard output.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Measure the offline coder on AnnoMI's evaluation fold (transcript_id % 5 == 0):
    /// macro-F1, per-class F1 and confusion matrices.
    CoderEval {
        /// AnnoMI-simple.csv (from github.com/uccollab/AnnoMI).
        file: PathBuf,
    },
    /// Write a commented template scenario to edit (it validates, lints clean and plays).
    New {
        /// The new scenario's id: letters, digits, - _ .
        id: String,
        /// Where to write it (default: ID.ron in the current folder); never overwritten.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Start from a client type instead of the generic template: rationalising, rebellious,
        /// reluctant, resigned (precontemplators), relapse or maintenance-burnout.
        #[arg(long, value_name = "KIND")]
        template: Option<String>,
    },
    /// Check how scenario files teach MI (after validating them); see docs/authoring.md.
    Lint {
        /// Files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// `--deny warnings`: exit 1 when there is any warning.
        #[arg(long, short = 'D', value_enum)]
        deny: Option<lint::Deny>,
        /// Fewest decision points the best path must pass through.
        #[arg(long, default_value_t = changetalk_core::authoring::lint::DEFAULT_MIN_POINTS)]
        min_points: usize,
    },
    /// What a trainee who knows no MI would score: surface strategies (always longest,
    /// shortest, first, last, random) against the model conversation. Exit 1 when one comes
    /// within 25 points of it or reaches its ending.
    Audit {
        /// Scenario files, folders, or ids of bundled scenarios.
        #[arg(required = true)]
        scenarios: Vec<String>,
        /// Print the reports as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Every reply option's rating (1–5) and the rule that gives it, point by point.
    Ratings {
        /// A scenario file, or the id of a bundled scenario.
        scenario: String,
        /// Print the ratings as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Draw a scenario's decision graph as Graphviz DOT or as SVG.
    Graph {
        /// A scenario file, or the id of a bundled scenario.
        scenario: String,
        /// dot or svg (default: svg when -o ends in .svg, else dot).
        #[arg(long, value_enum)]
        format: Option<graph::Format>,
        /// Write to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

/// Screens `gui --screen` can open.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum ScreenArg {
    /// The client library.
    #[default]
    Library,
    /// A client's briefing.
    Briefing,
    /// The conversation.
    Session,
    /// The end-of-session report.
    Report,
    /// Settings.
    Settings,
}

/// Practice or assessment.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum ModeArg {
    /// Live meters, feedback after every reply, rewind allowed.
    #[default]
    Practice,
    /// No hints; feedback only at the end.
    Assessment,
}

/// Options of `changetalk gui`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct GuiArgs {
    /// Render the screen to this PNG and exit once it is written.
    #[arg(long)]
    pub screenshot: Option<PathBuf>,
    /// The screen to open.
    #[arg(long, value_enum)]
    pub screen: Option<ScreenArg>,
    /// The scenario (file or id) for the briefing, session and report screens.
    #[arg(long)]
    pub scenario: Option<String>,
    /// Replies to play first, as option numbers: 1,2.
    #[arg(long, value_delimiter = ',', conflicts_with = "auto")]
    pub choices: Option<Vec<usize>>,
    /// Play the best- or worst-rated reply at every point first.
    #[arg(long, value_enum)]
    pub auto: Option<Auto>,
    /// Window size in logical pixels, WxH (default 1280x800).
    #[arg(long, value_parser = parse_size)]
    pub size: Option<(u32, u32)>,
    /// Seed of the session.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Practice or assessment.
    #[arg(long, value_enum, default_value_t = ModeArg::Practice)]
    pub mode: ModeArg,
    /// Open a classroom exercise file (the student signs in with name and id).
    #[arg(long, conflicts_with = "scenario")]
    pub exercise: Option<PathBuf>,
    /// With --exercise: the student's name (skips the sign-in page, with --id).
    #[arg(long, requires = "exercise")]
    pub student: Option<String>,
    /// With --exercise: the student's id in the LMS.
    #[arg(long, requires_all = ["exercise", "student"])]
    pub id: Option<String>,
    /// With --exercise: the results folder (default: `<data>/results`, as `exercise run`).
    #[arg(long, requires = "exercise")]
    pub results: Option<PathBuf>,
    /// Turn instructor mode on: codes and ratings on every reply, jump to any point.
    #[arg(long)]
    pub instructor: bool,
    /// Text size in percent, 100 to 200, for this run only (Settings saves a lasting one).
    #[arg(long, value_parser = clap::value_parser!(u16).range(100..=200))]
    pub text_size: Option<u16>,
    /// With --screenshot: also write every widget's rectangle to this JSON file (layout tests).
    #[arg(long, requires = "screenshot", hide = true)]
    pub layout: Option<PathBuf>,
    /// Join an exercise held by a class server at this address (the app asks for the join
    /// code; progress is kept by the server).
    #[arg(long, value_name = "URL", conflicts_with_all = ["scenario", "exercise", "choices", "auto", "screen"])]
    pub join: Option<String>,
    /// With --join: the join code (instead of typing it).
    #[arg(long, requires = "join")]
    pub code: Option<String>,
    /// A reply typed in your own words, played after --choices (repeat for more).
    #[arg(
        long,
        value_name = "TEXT",
        requires = "scenario",
        conflicts_with = "auto"
    )]
    pub say: Vec<String>,
    /// With a course: open session N, after the model conversation of the sessions before it
    /// (--choices and --auto then play in that session).
    #[arg(long, value_name = "N", requires = "scenario")]
    pub session: Option<usize>,
    /// Open this scenario file in the scenario editor (forms for the persona, points, lines
    /// and replies; undo, live checks, a preview; saves keep comments and order).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["scenario", "exercise", "join"])]
    pub edit: Option<PathBuf>,
    /// With --edit: the point to show (screenshots and scripts).
    #[arg(long, value_name = "POINT", requires = "edit", hide = true)]
    pub edit_point: Option<String>,
}

/// `play --choices`: each session's option numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoiceGroups(pub Vec<Vec<usize>>);

/// Parses `--choices`: numbers separated by `,`, sessions by `/` (`1,2,3/2,1`).
pub fn parse_choices(s: &str) -> Result<ChoiceGroups, String> {
    let groups: Result<Vec<Vec<usize>>, String> = s
        .split('/')
        .map(|group| {
            group
                .split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(|x| {
                    x.parse::<usize>().map_err(|_| {
                        format!(
                            "`{x}` is not an option number: write numbers separated by `,`, and sessions separated by `/` (1,2,3/2,1)"
                        )
                    })
                })
                .collect()
        })
        .collect();
    groups.map(ChoiceGroups)
}

/// Parses `WxH`.
pub fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("size `{s}` must be WIDTHxHEIGHT, e.g. 1024x640"))?;
    let w: u32 = w
        .trim()
        .parse()
        .map_err(|_| format!("width `{w}` is not a number"))?;
    let h: u32 = h
        .trim()
        .parse()
        .map_err(|_| format!("height `{h}` is not a number"))?;
    if !(320..=7680).contains(&w) || !(240..=4320).contains(&h) {
        return Err(format!("size {w}x{h} is outside 320x240 to 7680x4320"));
    }
    Ok((w, h))
}

/// The app's options from `gui`'s arguments.
#[cfg(feature = "gui")]
pub fn app_options(args: GuiArgs) -> crate::app::Options {
    use crate::app::{Mode, Screen};
    crate::app::Options {
        screenshot: args.screenshot,
        screen: args.screen.map(|s| match s {
            ScreenArg::Library => Screen::Library,
            ScreenArg::Briefing => Screen::Briefing,
            ScreenArg::Session => Screen::Session,
            ScreenArg::Report => Screen::Report,
            ScreenArg::Settings => Screen::Settings,
        }),
        scenario: args.scenario,
        choices: args.choices,
        auto: args.auto.map(changetalk_core::AutoPolicy::from),
        size: args.size,
        seed: args.seed,
        mode: match args.mode {
            ModeArg::Practice => Mode::Practice,
            ModeArg::Assessment => Mode::Assessment,
        },
        exercise: args.exercise,
        student: args.student,
        id: args.id,
        results: args.results,
        instructor: args.instructor,
        text_scale: args.text_size.map(|t| f32::from(t) / 100.0),
        layout: args.layout,
        join: args.join,
        join_code: args.code,
        say: args.say,
        session: args.session,
        edit: args.edit,
        edit_point: args.edit_point,
    }
}

/// Opens the desktop app; returns the exit code.
pub fn open_app(args: GuiArgs) -> i32 {
    #[cfg(feature = "gui")]
    {
        crate::app::run(app_options(args))
    }
    #[cfg(not(feature = "gui"))]
    {
        let _ = args;
        eprintln!(
            "error: this build has no desktop app (built without the `gui` feature); use the commands in `changetalk --help`"
        );
        1
    }
}

/// Runs a command; returns the process exit code.
pub fn run(command: Command) -> i32 {
    match command {
        Command::Validate { paths } => validate::run(&paths),
        Command::Play {
            scenario,
            seed,
            choices,
            session,
            auto,
            json,
            free_text,
        } => play::run(
            &scenario,
            seed,
            play::Scripted {
                choices: choices.map(|c| c.0),
                session,
                auto,
            },
            json,
            free_text,
        ),
        Command::ScoreTranscript {
            file,
            json,
            auto_code,
        } => score_csv::run(&file, json, auto_code),
        Command::Code(args) => code::run(args),
        Command::CoderEval { file } => code::eval(&file),
        Command::Completions { shell } => {
            use clap::CommandFactory as _;
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "changetalk", &mut std::io::stdout());
            0
        }
        Command::New {
            id,
            output,
            template,
        } => new::run(&id, output.as_deref(), template.as_deref()),
        Command::Lint {
            paths,
            deny,
            min_points,
        } => lint::run(&paths, deny, min_points),
        Command::Graph {
            scenario,
            format,
            output,
        } => graph::run(&scenario, format, output.as_deref()),
        Command::Audit { scenarios, json } => audit::run(&scenarios, json),
        Command::Ratings { scenario, json } => ratings::run(&scenario, json),
        Command::Gui(args) => open_app(args),
        Command::Exercise(args) => match class::server_flags_given() {
            Some((server, code)) => class::run_student(&server, &code),
            None => exercise::run(args),
        },
        Command::Serve(args) => serve::run(args),
        Command::Class(args) => class::run(args),
        Command::Grade(args) => grade::run(args),
    }
}
