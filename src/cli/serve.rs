//! `changetalk serve`: the class server (the `changetalk-server` crate) in the foreground.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

/// Options of `changetalk serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The data folder: the SQLite database and `admin-token` (default: the app's data
    /// folder's `server`).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// A PostgreSQL database instead of SQLite: postgres://USER:PASSWORD@HOST/DB.
    #[arg(long)]
    pub database: Option<String>,
    /// Where to listen (put a TLS proxy in front for HTTPS).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// A Learning Record Store that gets every reply and each attempt's completion as an
    /// xAPI statement as it happens: its address (`http://HOST:8100` for Ralph, or the
    /// statements resource `…/xAPI/statements`). Undelivered statements are kept and sent
    /// when the LRS answers again, after a restart too.
    #[arg(long, value_name = "URL")]
    pub lrs: Option<String>,
    /// `USER:PASS` for the LRS (HTTP basic authentication).
    #[arg(long, value_name = "USER:PASS", requires = "lrs")]
    pub lrs_auth: Option<String>,
    /// The account home page of the students in the statements (your LMS).
    #[arg(long, default_value = "https://lms.example.edu")]
    pub xapi_home_page: String,
    /// Base IRI of the activities in the statements.
    #[arg(long, default_value = "https://changetalk.example.org/xapi")]
    pub xapi_activity_base: String,
}

/// Runs the server until Ctrl-C; returns the exit code.
pub fn run(args: ServeArgs) -> i32 {
    let Some(data) = args
        .data
        .or_else(|| crate::files::data_dir().map(|d| d.join("server")))
    else {
        eprintln!("error: cannot find a data folder on this system; give --data DIR");
        return 1;
    };
    if let Some(db) = &args.database
        && !(db.starts_with("postgres://")
            || db.starts_with("postgresql://")
            || db.starts_with("sqlite:"))
    {
        eprintln!(
            "error: --database `{}` is not a database address: give postgres://USER:PASSWORD@HOST/DB (without it the server keeps a SQLite file in --data)",
            changetalk_server::store::redact(db)
        );
        return 1;
    }
    let mut config = changetalk_server::Config::new(&data);
    config.database = args.database.clone();
    if let Some(url) = &args.lrs {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            eprintln!("error: --lrs `{url}` is not an address: give http(s)://HOST[:PORT][/PATH]");
            return 1;
        }
        if let Some(a) = &args.lrs_auth
            && !a.contains(':')
        {
            eprintln!("error: --lrs-auth takes USER:PASS");
            return 1;
        }
        config.lrs = Some(changetalk_server::lrs::LrsConfig {
            url: url.clone(),
            auth: args.lrs_auth.clone(),
            home_page: args.xapi_home_page.clone(),
            activity_base: args.xapi_activity_base.clone(),
        });
    }
    let lrs_line = config.lrs.as_ref().map(|l| l.statements_url());
    let storage = match &args.database {
        Some(db) => changetalk_server::store::redact(db),
        None => data.join("changetalk.db").display().to_string(),
    };
    let result = changetalk_server::serve_blocking(config, args.listen, |addr, token, path| {
        println!("ChangeTalk class server on http://{addr}");
        println!("  database: {storage}");
        if let Some(l) = &lrs_line {
            println!("  xAPI: every reply and completion goes to {l}");
        }
        match token {
            Some(t) => {
                println!(
                    "  admin token (shown once; also in {}, readable only by you):",
                    path.display()
                );
                println!("  {t}");
            }
            None => println!("  admin token: in {}", path.display()),
        }
        println!(
            "Publish:  changetalk class create EXERCISE.ron --server http://{addr} --roster roster.csv -o codes.csv --token TOKEN"
        );
        println!("Students: changetalk exercise run --server http://{addr} --code CODE");
        println!("Ctrl-C stops the server.");
    });
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}
