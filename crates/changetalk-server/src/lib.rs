//! ChangeTalk's class server (`changetalk serve`): it holds published exercises and their
//! scenarios, sends each student only the current client line and the options in that
//! student's order, stamps every reply with server time, enforces attempts, the time limit,
//! one live session per student and finished-only passing, and keeps an append-only log in
//! SQLite (one file under the data folder) or PostgreSQL. The gradebook and the class status
//! are computed from that log with the core's grader, so they match `changetalk grade`.
//!
//! With [`Config::lrs`] (`--lrs URL`), every reply and each attempt's completion also goes to a
//! Learning Record Store as xAPI statements, from a task of its own (see [`lrs`]).
//!
//! All motivational-interviewing logic stays in `changetalk-core`: the server drives
//! `engine::Session` and rebuilds every attempt by replaying its log.
//!
//! HTTP API (JSON; see [`api`]):
//!
//! | method and path | who | what |
//! |---|---|---|
//! | `POST /api/exercises` | instructor | publish an exercise and its scenario files → id |
//! | `GET /api/exercises` | instructor | the exercises, latest first |
//! | `POST /api/exercises/{id}/roster` | instructor | a roster CSV → a join code per student |
//! | `GET /api/exercises/{id}/status` | instructor | who is playing, finished, overdue |
//! | `GET /api/exercises/{id}/gradebook.csv` | instructor | the gradebook, as `changetalk grade` writes it |
//! | `GET /api/exercises/{id}/results` | instructor | the exercise, scenarios and result records (for reports) |
//! | `POST /api/join` | student | a join code → a session token and the state |
//! | `GET /api/play` | student | the state: the current line and options |
//! | `POST /api/reply` | student | `{number, expect_turn}`; a retried request gets the recorded result |
//! | `POST /api/end` | student | ends the current conversation early |
//! | `POST /api/back` | student | takes back the last reply (practice only) |
//! | `POST /api/heartbeat` | student | keeps the session marked as live |
//! | `POST /api/leave` | student | the client closes: the student may join again at once |
//!
//! Instructors send `Authorization: Bearer ADMIN_TOKEN`; students send the session token
//! that `join` returned.

pub mod api;
pub mod grading;
pub mod lrs;
pub mod play;
pub mod routes;
pub mod store;
pub mod token;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

pub use routes::router;
pub use store::Store;

/// Where the time comes from: the system clock, or a test's.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Unix time in milliseconds.
    fn now_ms(&self) -> i64;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64)
    }
}

/// The system clock moved forward by an adjustable offset (tests: "an hour later").
#[derive(Debug, Default)]
pub struct OffsetClock {
    offset_ms: std::sync::atomic::AtomicI64,
}

impl OffsetClock {
    /// Moves the clock forward.
    pub fn advance_ms(&self, ms: i64) {
        self.offset_ms
            .fetch_add(ms, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for OffsetClock {
    fn now_ms(&self) -> i64 {
        SystemClock.now_ms() + self.offset_ms.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// How a server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The data folder: the SQLite file (`changetalk.db`) and `admin-token`.
    pub data_dir: PathBuf,
    /// A database address (`postgres://…` or `sqlite://…`); default: SQLite in `data_dir`.
    pub database: Option<String>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// How long after its last request a session still counts as live (a second join is
    /// refused meanwhile). Clients send a heartbeat every 15 seconds.
    pub live_window_ms: i64,
    /// A Learning Record Store that gets every reply and completion as it happens.
    pub lrs: Option<lrs::LrsConfig>,
}

impl Config {
    /// Defaults: SQLite in `data_dir`, the system clock, a 60-second live window.
    pub fn new(data_dir: impl Into<PathBuf>) -> Config {
        Config {
            data_dir: data_dir.into(),
            database: None,
            clock: Arc::new(SystemClock),
            live_window_ms: 60_000,
            lrs: None,
        }
    }
}

/// A server ready to accept connections.
pub struct Prepared {
    /// The HTTP routes.
    pub app: axum::Router,
    /// The admin token, when this start created it (print it once).
    pub new_admin_token: Option<String>,
    /// Where it is written.
    pub token_path: PathBuf,
    /// The database.
    pub store: Store,
}

/// Opens the database (creating it and the admin token at first start).
pub async fn prepare(config: &Config) -> Result<Prepared, String> {
    std::fs::create_dir_all(&config.data_dir).map_err(|e| {
        format!(
            "{}: cannot create the data folder: {e}",
            config.data_dir.display()
        )
    })?;
    let url = match &config.database {
        Some(u) => u.clone(),
        None => format!(
            "sqlite://{}?mode=rwc",
            config.data_dir.join("changetalk.db").display()
        ),
    };
    let store = Store::open(&url).await?;
    let token_path = config.data_dir.join("admin-token");
    let new_admin_token = admin_token(&store, &token_path).await?;
    let state = routes::AppState::new(store.clone(), Arc::clone(&config.clock), config);
    if let (Some(cfg), Some(wake)) = (&config.lrs, state.lrs_wake()) {
        lrs::start(state.clone(), cfg.clone(), wake);
    }
    Ok(Prepared {
        app: router(state),
        new_admin_token,
        token_path,
        store,
    })
}

/// The admin token: created once, its SHA-256 kept in the database and the token itself
/// written to `path` with mode 0600. Returns it when created now.
async fn admin_token(store: &Store, path: &Path) -> Result<Option<String>, String> {
    if store.meta("admin_token_sha256").await?.is_some() {
        return Ok(None);
    }
    let token = token::random_token()?;
    write_private(path, format!("{token}\n").as_bytes())?;
    if !store
        .set_meta_once("admin_token_sha256", &token::hash(&token))
        .await?
    {
        // Another server process on the same database created one first.
        let _ = std::fs::remove_file(path);
        return Ok(None);
    }
    Ok(Some(token))
}

/// Writes a new file only its owner can read.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write as _;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        o.mode(0o600);
    }
    let mut f = o
        .open(path)
        .map_err(|e| format!("{}: cannot write the admin token: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let _ = f.set_permissions(std::fs::Permissions::from_mode(0o600));
    }
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("{}: cannot write the admin token: {e}", path.display()))
}

/// Serves on `listener` until `shutdown` completes.
pub async fn serve_on(
    app: axum::Router,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| format!("the server stopped: {e}"))
}

/// A server running on its own thread (tests, and the load script): its address and a way
/// to stop it.
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The admin token, when this start created it.
    pub admin_token: Option<String>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    /// `http://ADDR`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the server and waits for it.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Starts a server on `listen` (port 0 picks a free one) on a thread of its own.
pub fn spawn(config: Config, listen: SocketAddr) -> Result<Running, String> {
    let (tx, rx) = std::sync::mpsc::channel::<Result<(SocketAddr, Option<String>), String>>();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let rt = match tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => {
                let _ = tx.send(Err(format!("cannot start the runtime: {e}")));
                return;
            }
        };
        rt.block_on(async move {
            let prepared = match prepare(&config).await {
                Ok(p) => p,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            };
            let listener = match tokio::net::TcpListener::bind(listen).await {
                Ok(l) => l,
                Err(e) => {
                    let _ = tx.send(Err(format!("cannot listen on {listen}: {e}")));
                    return;
                }
            };
            let addr = listener.local_addr().unwrap_or(listen);
            let _ = tx.send(Ok((addr, prepared.new_admin_token.clone())));
            let _ = serve_on(prepared.app, listener, async {
                let _ = stop_rx.await;
            })
            .await;
            prepared.store.close().await;
        });
    });
    let (addr, admin_token) = rx
        .recv()
        .map_err(|_| "the server thread stopped before it started".to_string())??;
    Ok(Running {
        addr,
        admin_token,
        stop: Some(stop_tx),
        thread: Some(thread),
    })
}

/// Runs a server in the foreground until Ctrl-C (or SIGTERM): `changetalk serve`. `ready` is
/// called once it listens, with its address and the admin token when this start created it.
pub fn serve_blocking(
    config: Config,
    listen: SocketAddr,
    ready: impl FnOnce(SocketAddr, Option<&str>, &Path),
) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    rt.block_on(async move {
        let prepared = prepare(&config).await?;
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        let addr = listener.local_addr().unwrap_or(listen);
        ready(
            addr,
            prepared.new_admin_token.as_deref(),
            &prepared.token_path,
        );
        let result = serve_on(prepared.app, listener, shutdown_signal()).await;
        prepared.store.close().await;
        result
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
