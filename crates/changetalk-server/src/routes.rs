//! The HTTP routes (see the table in the crate documentation).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use changetalk_core::classroom::exercise::{ExerciseMode, load_exercise, pin_hash};
use changetalk_core::classroom::result::format_timestamp;
use changetalk_core::classroom::roster::parse_roster;
use changetalk_core::{Diagnostic, LineIndex, load_scenario};

use crate::api::*;
use crate::grading;
use crate::play::{self, LoadedEx, Replayed};
use crate::store::{AttemptRow, Event, ExerciseRow, Store, StudentRow, is_conflict};
use crate::token;
use crate::{Clock, Config};

/// Largest request body: an exercise with its scenario files.
const MAX_BODY: usize = 64 * 1024 * 1024;

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    clock: Arc<dyn Clock>,
    live_window_ms: i64,
    exercises: RwLock<HashMap<String, Arc<LoadedEx>>>,
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Wakes the xAPI sender (with `--lrs`) when replies or closings are recorded.
    lrs_wake: Option<Arc<tokio::sync::Notify>>,
}

impl AppState {
    /// The state of a server over `store`.
    pub fn new(store: Store, clock: Arc<dyn Clock>, config: &Config) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                store,
                clock,
                live_window_ms: config.live_window_ms,
                exercises: RwLock::new(HashMap::new()),
                locks: Mutex::new(HashMap::new()),
                lrs_wake: config
                    .lrs
                    .is_some()
                    .then(|| Arc::new(tokio::sync::Notify::new())),
            }),
        }
    }

    /// The xAPI sender's wake-up, when the server sends to an LRS.
    pub(crate) fn lrs_wake(&self) -> Option<Arc<tokio::sync::Notify>> {
        self.inner.lrs_wake.clone()
    }

    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    pub(crate) fn now(&self) -> i64 {
        self.inner.clock.now_ms()
    }

    /// One request at a time per key (a student, an attempt): steps are read, checked and
    /// appended without another request of the same student in between.
    async fn lock(&self, key: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let m = {
            let mut locks = self.inner.locks.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(locks.entry(key.to_string()).or_default())
        };
        m.lock_owned().await
    }

    /// A published exercise, parsed once.
    pub(crate) async fn exercise(&self, id: &str) -> Result<Arc<LoadedEx>, ApiError> {
        if let Some(e) = self
            .inner
            .exercises
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
        {
            return Ok(Arc::clone(e));
        }
        let Some((row, texts)) = self.store().exercise(id).await? else {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                format!("there is no exercise `{id}` on this server"),
            ));
        };
        let loaded = Arc::new(load(&row, texts).map_err(ApiError::internal)?);
        self.inner
            .exercises
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.to_string(), Arc::clone(&loaded));
        Ok(loaded)
    }
}

/// Parses a stored exercise and its scenarios.
fn load(row: &ExerciseRow, texts: Vec<String>) -> Result<LoadedEx, String> {
    let exercise = load_exercise(&row.source)
        .map_err(|d| render(&d, &row.file_name, &row.source).join("\n"))?;
    let mut scenarios = Vec::new();
    for (sref, text) in exercise.scenarios.iter().zip(&texts) {
        let s = load_scenario(text)
            .map_err(|d| render(&d, &format!("{}.ron", sref.id), text).join("\n"))?;
        scenarios.push(Arc::new(s));
    }
    if scenarios.len() != exercise.scenarios.len() {
        return Err(format!("exercise {}: scenarios are missing", row.id));
    }
    Ok(LoadedEx {
        id: row.id.clone(),
        hash: row.hash.clone(),
        file_name: row.file_name.clone(),
        source: row.source.clone(),
        exercise,
        scenarios,
        scenario_sources: texts,
    })
}

fn render(diags: &[Diagnostic], name: &str, text: &str) -> Vec<String> {
    let idx = LineIndex::new(text);
    diags.iter().map(|d| d.render(name, &idx)).collect()
}

/// An error answer: a status and a sentence.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }

    /// The sentence.
    pub(crate) fn message(&self) -> &str {
        &self.message
    }

    fn internal(message: String) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

impl From<String> for ApiError {
    fn from(message: String) -> ApiError {
        ApiError::internal(message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            eprintln!("error: {}", self.message);
        }
        (
            self.status,
            Json(ErrorBody {
                error: self.message,
            }),
        )
            .into_response()
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// The routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/exercises", post(publish).get(list_exercises))
        .route("/api/exercises/{id}/roster", post(upload_roster))
        .route("/api/exercises/{id}/status", get(class_status))
        .route("/api/exercises/{id}/gradebook.csv", get(gradebook_csv))
        .route("/api/exercises/{id}/results", get(results))
        .route("/api/join", post(join))
        .route("/api/play", get(play_state))
        .route("/api/reply", post(reply))
        .route("/api/end", post(end))
        .route("/api/back", post(back))
        .route("/api/heartbeat", post(heartbeat))
        .route("/api/leave", post(leave))
        .route("/api/health", get(|| async { "ok" }))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let t = v
        .strip_prefix("Bearer ")
        .or_else(|| v.strip_prefix("bearer "))?;
    Some(t.trim())
}

/// Instructor endpoints: the admin token.
async fn admin(st: &AppState, headers: &HeaderMap) -> ApiResult<()> {
    let Some(t) = bearer(headers) else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "this needs the server's admin token: give --token TOKEN or set CHANGETALK_TOKEN (it is in the server's DATA/admin-token)",
        ));
    };
    match st.store().meta("admin_token_sha256").await? {
        Some(h) if h == token::hash(t) => Ok(()),
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "the admin token is wrong: copy it again from the server's DATA/admin-token",
        )),
    }
}

// ---------------------------------------------------------------------------------------
// Instructors
// ---------------------------------------------------------------------------------------

async fn publish(
    State(st): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<PublishRequest>,
) -> ApiResult<(StatusCode, Json<PublishResponse>)> {
    admin(&st, &headers).await?;
    let file_name = if req.file_name.trim().is_empty() {
        "exercise.ron".to_string()
    } else {
        req.file_name.clone()
    };
    let unprocessable = |m: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, m);
    let exercise = load_exercise(&req.exercise)
        .map_err(|d| unprocessable(render(&d, &file_name, &req.exercise).join("\n")))?;
    if let Some(sref) = exercise.scenarios.iter().find(|r| r.session_index() > 0) {
        return Err(unprocessable(format!(
            "{file_name}: `{}` is a course (several sessions), which the class server does not hold yet: give it as an exercise file (`changetalk exercise run`), or pin single-session clients",
            sref.label()
        )));
    }
    let mut pinned: Vec<(String, String, String)> = Vec::new();
    for sref in &exercise.scenarios {
        let Some(text) = req.scenarios.iter().find(|t| pin_hash(t) == sref.hash) else {
            return Err(unprocessable(format!(
                "{file_name}: scenario `{}` is pinned to hash {}…, but no uploaded scenario file has that hash: upload the exact file the exercise pins",
                sref.id,
                &sref.hash[..12.min(sref.hash.len())]
            )));
        };
        let s = load_scenario(text)
            .map_err(|d| unprocessable(render(&d, &format!("{}.ron", sref.id), text).join("\n")))?;
        if s.id != sref.id {
            return Err(unprocessable(format!(
                "{file_name}: the file pinned as scenario `{}` is scenario `{}`",
                sref.id, s.id
            )));
        }
        pinned.push((sref.id.clone(), sref.hash.clone(), text.clone()));
    }
    let row = ExerciseRow {
        id: token::random_id()?,
        title: exercise.title.clone(),
        file_name,
        source: req.exercise.clone(),
        hash: pin_hash(&req.exercise),
        created_ms: st.now(),
    };
    st.store().insert_exercise(&row, &pinned).await?;
    Ok((
        StatusCode::CREATED,
        Json(PublishResponse {
            id: row.id,
            title: row.title,
            scenarios: pinned.into_iter().map(|(id, _, _)| id).collect(),
        }),
    ))
}

async fn list_exercises(
    State(st): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<Json<Vec<ExerciseSummary>>> {
    admin(&st, &headers).await?;
    let rows = st.store().exercises().await?;
    Ok(Json(
        rows.into_iter()
            .map(|(e, n)| ExerciseSummary {
                id: e.id,
                title: e.title,
                created_at: format_timestamp(e.created_ms),
                students: n.max(0) as usize,
            })
            .collect(),
    ))
}

async fn upload_roster(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: String,
) -> ApiResult<Json<RosterResponse>> {
    admin(&st, &headers).await?;
    let ex = st.exercise(&id).await?;
    let entries = parse_roster(&body).map_err(|d| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&d, "roster.csv", &body).join("\n"),
        )
    })?;
    if entries.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "roster.csv: no students: give one per line (`id,name`), or a Canvas or Moodle export",
        ));
    }
    let _guard = st.lock(&format!("roster:{}", ex.id)).await;
    let mut added = 0;
    for e in entries {
        let name = e.name.clone();
        // A code already taken (by any exercise) is drawn again.
        let mut tries = 0;
        loop {
            let row = StudentRow {
                exercise_id: ex.id.clone(),
                student_id: e.id.clone(),
                name: name.clone(),
                code: token::join_code()?,
            };
            match st.store().insert_student(&row).await {
                Ok(true) => {
                    added += 1;
                    break;
                }
                Ok(false) => break,
                Err(err) if is_conflict(&err) && tries < 5 => tries += 1,
                Err(err) => return Err(err.into()),
            }
        }
    }
    let students = st
        .store()
        .students(&ex.id)
        .await?
        .into_iter()
        .map(|s| CodeRow {
            id: s.student_id,
            name: s.name,
            code: s.code,
        })
        .collect();
    Ok(Json(RosterResponse {
        exercise: ex.id.clone(),
        added,
        students,
    }))
}

async fn class_status(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<StatusResponse>> {
    admin(&st, &headers).await?;
    let ex = st.exercise(&id).await?;
    let now = st.now();
    let class = grading::snapshot(st.store(), &ex, now, st.inner.live_window_ms).await?;
    Ok(Json(StatusResponse {
        exercise: ex.id.clone(),
        title: ex.exercise.title.clone(),
        now: format_timestamp(now),
        students: grading::status(&ex, &class),
    }))
}

async fn gradebook_csv(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    admin(&st, &headers).await?;
    let ex = st.exercise(&id).await?;
    let class = grading::snapshot(st.store(), &ex, st.now(), st.inner.live_window_ms).await?;
    let csv = grading::gradebook_text(&ex, &class);
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv).into_response())
}

async fn results(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<ResultsExport>> {
    admin(&st, &headers).await?;
    let ex = st.exercise(&id).await?;
    let class = grading::snapshot(st.store(), &ex, st.now(), st.inner.live_window_ms).await?;
    Ok(Json(ResultsExport {
        id: ex.id.clone(),
        file_name: ex.file_name.clone(),
        exercise: ex.source.clone(),
        scenarios: ex.scenario_sources.clone(),
        roster: class
            .iter()
            .map(|s| CodeRow {
                id: s.student.student_id.clone(),
                name: s.student.name.clone(),
                code: s.student.code.clone(),
            })
            .collect(),
        results: grading::result_files(&ex, &class),
    }))
}

// ---------------------------------------------------------------------------------------
// Students
// ---------------------------------------------------------------------------------------

/// An attempt being played: everything a student request needs, read under its lock.
struct Playing {
    ex: Arc<LoadedEx>,
    student: StudentRow,
    attempt: AttemptRow,
    events: Vec<Event>,
    r: Replayed,
}

impl Playing {
    async fn read(st: &AppState, attempt: AttemptRow) -> ApiResult<Playing> {
        let ex = st.exercise(&attempt.exercise_id).await?;
        let student = st
            .store()
            .student(&attempt.exercise_id, &attempt.student_id)
            .await?;
        let events = st.store().events(&attempt.id).await?;
        let r = play::replay(&ex, &attempt, &events)?;
        Ok(Playing {
            ex,
            student,
            attempt,
            events,
            r,
        })
    }

    fn next_seq(&self) -> i64 {
        self.events.last().map_or(0, |e| e.seq + 1)
    }

    fn deadline_passed(&self, now: i64) -> bool {
        self.ex
            .deadline(self.attempt.started_ms)
            .is_some_and(|d| now > d)
    }

    /// Appends entries and replays them.
    async fn append(&mut self, st: &AppState, new: Vec<Event>) -> ApiResult<()> {
        st.store().append(&self.attempt.id, &new).await.map_err(|e| {
            if is_conflict(&e) {
                ApiError::new(
                    StatusCode::CONFLICT,
                    "another request changed this attempt at the same moment; load the state again",
                )
            } else {
                ApiError::internal(e)
            }
        })?;
        if let Some(w) = &st.inner.lrs_wake
            && new.iter().any(|e| e.kind == "reply" || e.kind == "close")
        {
            w.notify_one();
        }
        self.events.extend(new);
        self.r = play::replay(&self.ex, &self.attempt, &self.events)?;
        Ok(())
    }

    /// Closes an attempt whose time is up (nothing else is recorded after that).
    async fn close_if_late(&mut self, st: &AppState, now: i64) -> ApiResult<()> {
        if self.r.closed.is_none() && self.deadline_passed(now) {
            let e = self.close_event(now, "time_up");
            self.append(st, vec![e]).await?;
        }
        Ok(())
    }

    fn close_event(&self, now: i64, reason: &str) -> Event {
        Event {
            seq: self.next_seq(),
            kind: "close".into(),
            scenario: 0,
            number: 0,
            option_id: reason.into(),
            at_ms: now,
        }
    }

    fn state(&self, now: i64) -> PlayState {
        play::state(&self.ex, &self.student, &self.attempt, &self.r, now)
    }
}

async fn join(
    State(st): State<AppState>,
    Json(req): Json<JoinRequest>,
) -> ApiResult<Json<JoinResponse>> {
    let unknown = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "this join code is not known here: check it against the one your instructor gave you",
        )
    };
    let code = token::normalize_code(&req.code).ok_or_else(unknown)?;
    let student = st
        .store()
        .student_by_code(&code)
        .await?
        .ok_or_else(unknown)?;
    let ex = st.exercise(&student.exercise_id).await?;
    let _guard = st
        .lock(&format!("student:{}:{}", ex.id, student.student_id))
        .await;
    let now = st.now();
    let client_hash = if req.client.is_empty() {
        String::new()
    } else {
        token::hash(&req.client)
    };
    let attempts = st.store().attempts(&ex.id, &student.student_id).await?;
    if let Some(last) = attempts.last() {
        let mut p = Playing::read(&st, last.clone()).await?;
        p.close_if_late(&st, now).await?;
        if p.r.closed.is_none() {
            if let Some(live) = st.store().live(&last.id).await?
                && now - live.last_seen_ms <= st.inner.live_window_ms
                && (client_hash.is_empty() || live.client_hash != client_hash)
            {
                let ago = ((now - live.last_seen_ms).max(0) / 1000) as u64;
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    format!(
                        "this code is in use in another window (active {ago} s ago): one session per student. Close the other window, or wait a minute and join again"
                    ),
                ));
            }
            let token = token::random_token()?;
            st.store()
                .set_live(&last.id, &token::hash(&token), &client_hash, now)
                .await?;
            let e = Event {
                seq: p.next_seq(),
                kind: "join".into(),
                scenario: p.r.current().unwrap_or(0) as i64,
                number: 0,
                option_id: String::new(),
                at_ms: now,
            };
            p.append(&st, vec![e]).await?;
            return Ok(Json(JoinResponse {
                token,
                resumed: true,
                state: p.state(now),
            }));
        }
        if attempts.len() as u32 >= ex.exercise.attempts {
            let result = p
                .state(now)
                .result
                .map(|r| {
                    format!(
                        "; your result: {:.1}, {}",
                        r.total,
                        if r.passed { "pass" } else { "fail" }
                    )
                })
                .unwrap_or_default();
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                format!(
                    "you have used {} of {} attempt{} at this exercise{result}",
                    attempts.len(),
                    ex.exercise.attempts,
                    if ex.exercise.attempts == 1 { "" } else { "s" }
                ),
            ));
        }
    }
    let attempt = AttemptRow {
        id: token::random_id()?,
        exercise_id: ex.id.clone(),
        student_id: student.student_id.clone(),
        number: attempts.len() as u32 + 1,
        started_ms: now,
    };
    st.store().insert_attempt(&attempt).await?;
    let token = token::random_token()?;
    st.store()
        .set_live(&attempt.id, &token::hash(&token), &client_hash, now)
        .await?;
    let p = Playing::read(&st, attempt).await?;
    Ok(Json(JoinResponse {
        token,
        resumed: false,
        state: p.state(now),
    }))
}

/// The attempt a session token holds, locked for this request.
async fn session(
    st: &AppState,
    headers: &HeaderMap,
) -> ApiResult<(Playing, tokio::sync::OwnedMutexGuard<()>)> {
    let gone = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "this session is no longer valid (it was continued in another window); join again with your code",
        )
    };
    let t = bearer(headers).ok_or_else(gone)?;
    let h = token::hash(t);
    let attempt_id = st.store().live_by_token(&h).await?.ok_or_else(gone)?;
    let guard = st.lock(&format!("attempt:{attempt_id}")).await;
    // The token may have been replaced while this request waited.
    if st.store().live_by_token(&h).await?.as_deref() != Some(attempt_id.as_str()) {
        return Err(gone());
    }
    st.store().touch(&h, st.now()).await?;
    let attempt = st.store().attempt(&attempt_id).await?.ok_or_else(gone)?;
    Ok((Playing::read(st, attempt).await?, guard))
}

async fn play_state(State(st): State<AppState>, headers: HeaderMap) -> ApiResult<Json<PlayState>> {
    let (mut p, _guard) = session(&st, &headers).await?;
    let now = st.now();
    p.close_if_late(&st, now).await?;
    Ok(Json(p.state(now)))
}

async fn heartbeat(State(st): State<AppState>, headers: HeaderMap) -> ApiResult<StatusCode> {
    let (_p, _guard) = session(&st, &headers).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The client is closing: the session stops counting as live, so the student may join
/// again at once (the attempt goes on).
async fn leave(State(st): State<AppState>, headers: HeaderMap) -> ApiResult<StatusCode> {
    let (_p, _guard) = session(&st, &headers).await?;
    if let Some(t) = bearer(&headers) {
        st.store().touch(&token::hash(t), 0).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// A step asked again: the recorded result when it is the same step, else a conflict.
fn retried(
    p: &Playing,
    expect_turn: u64,
    same: impl Fn(&Event) -> bool,
    now: i64,
) -> ApiResult<Option<StepResponse>> {
    let turn = p.r.turn();
    if expect_turn == turn {
        return Ok(None);
    }
    if expect_turn == 0 || expect_turn > turn {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!(
                "turn {expect_turn} is not the turn to answer (it is turn {turn}); load the state again"
            ),
        ));
    }
    let step = &p.r.steps[(expect_turn - 1) as usize];
    if !same(step) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!("turn {expect_turn} was already answered differently; load the state again"),
        ));
    }
    let i = step.scenario as usize;
    let later_in_same = p.r.steps[expect_turn as usize..]
        .iter()
        .any(|s| s.scenario as usize == i);
    Ok(Some(StepResponse {
        replayed: true,
        late: p
            .ex
            .deadline(p.attempt.started_ms)
            .is_some_and(|d| step.at_ms > d),
        ending: if later_in_same {
            None
        } else {
            play::ending(&p.r, i)
        },
        practice: if later_in_same {
            None
        } else {
            play::practice_feedback(&p.ex, &p.r, i)
        },
        state: p.state(now),
    }))
}

fn finished_error() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "this attempt is finished; nothing more can be recorded",
    )
}

async fn reply(
    State(st): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<ReplyRequest>,
) -> ApiResult<Json<StepResponse>> {
    let (mut p, _guard) = session(&st, &headers).await?;
    let now = st.now();
    if let Some(r) = retried(
        &p,
        req.expect_turn,
        |e| e.kind == "reply" && e.number == req.number as i64,
        now,
    )? {
        return Ok(Json(r));
    }
    if p.r.closed.is_some() {
        return Err(finished_error());
    }
    let Some(i) = p.r.current() else {
        return Err(finished_error());
    };
    let late = p.deadline_passed(now);
    let mut s = p.r.sessions[i].clone();
    let option_id = s
        .choose(req.number)
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?
        .reply
        .option
        .clone();
    let mut new = vec![Event {
        seq: p.next_seq(),
        kind: "reply".into(),
        scenario: i as i64,
        number: req.number as i64,
        option_id,
        at_ms: now,
    }];
    let all_over = s.is_over() && p.r.sessions.iter().skip(i + 1).all(|x| x.is_over());
    if late || all_over {
        new.push(Event {
            seq: p.next_seq() + 1,
            kind: "close".into(),
            scenario: 0,
            number: 0,
            option_id: if late { "time_up" } else { "done" }.into(),
            at_ms: now,
        });
    }
    p.append(&st, new).await?;
    Ok(Json(StepResponse {
        replayed: false,
        late,
        ending: play::ending(&p.r, i),
        practice: play::practice_feedback(&p.ex, &p.r, i),
        state: p.state(now),
    }))
}

async fn end(
    State(st): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<StepRequest>,
) -> ApiResult<Json<StepResponse>> {
    let (mut p, _guard) = session(&st, &headers).await?;
    let now = st.now();
    if let Some(r) = retried(&p, req.expect_turn, |e| e.kind == "end", now)? {
        return Ok(Json(r));
    }
    p.close_if_late(&st, now).await?;
    let Some(i) = p.r.current() else {
        return Err(finished_error());
    };
    let mut new = vec![Event {
        seq: p.next_seq(),
        kind: "end".into(),
        scenario: i as i64,
        number: 0,
        option_id: String::new(),
        at_ms: now,
    }];
    if p.r.sessions.iter().skip(i + 1).all(|x| x.is_over()) {
        new.push(Event {
            seq: p.next_seq() + 1,
            kind: "close".into(),
            scenario: 0,
            number: 0,
            option_id: "done".into(),
            at_ms: now,
        });
    }
    p.append(&st, new).await?;
    Ok(Json(StepResponse {
        replayed: false,
        late: false,
        ending: None,
        practice: None,
        state: p.state(now),
    }))
}

async fn back(
    State(st): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<StepRequest>,
) -> ApiResult<Json<StepResponse>> {
    let (mut p, _guard) = session(&st, &headers).await?;
    if p.ex.exercise.mode != ExerciseMode::Practice {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "replies are final in an assessment",
        ));
    }
    let now = st.now();
    if let Some(r) = retried(&p, req.expect_turn, |e| e.kind == "back", now)? {
        return Ok(Json(r));
    }
    p.close_if_late(&st, now).await?;
    let Some(i) = p.r.current() else {
        return Err(finished_error());
    };
    if p.r.choices[i].is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "there is no reply to take back in this conversation",
        ));
    }
    let e = Event {
        seq: p.next_seq(),
        kind: "back".into(),
        scenario: i as i64,
        number: 0,
        option_id: String::new(),
        at_ms: now,
    };
    p.append(&st, vec![e]).await?;
    Ok(Json(StepResponse {
        replayed: false,
        late: false,
        ending: None,
        practice: None,
        state: p.state(now),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moodle_names_come_from_first_and_last_name() {
        let moodle = "First name,Last name,ID number,Email address\n\
                      Ana,\"Ruiz, Jr.\",s1,ana@example.edu\n\
                      Bo,Chen,s2,bo@example.edu\n";
        let entries = parse_roster(moodle).unwrap();
        assert_eq!(entries[0].id, "s1");
        assert_eq!(entries[0].name, "Ana Ruiz, Jr.");
        assert_eq!(entries[1].name, "Bo Chen");
    }
}
