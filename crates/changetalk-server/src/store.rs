//! Storage: one SQL text for SQLite and PostgreSQL through sqlx's `Any` driver, with runtime
//! binds (`$1`, which both read) and the migrations in `migrations/`. The `events` table is
//! the append-only log; rows are only ever inserted.

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Row};

/// A database error in words.
pub type DbResult<T> = Result<T, String>;

fn db(e: sqlx::Error) -> String {
    format!("database: {e}")
}

/// True when an insert failed on a primary key or unique constraint (a raced step).
pub fn is_conflict(e: &str) -> bool {
    let l = e.to_ascii_lowercase();
    l.contains("unique") || l.contains("duplicate key") || l.contains("primary key")
}

/// The database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
}

/// A published exercise as stored.
#[derive(Debug, Clone)]
pub struct ExerciseRow {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// The exercise file's name.
    pub file_name: String,
    /// Its RON text.
    pub source: String,
    /// SHA-256 of the text.
    pub hash: String,
    /// When it was published.
    pub created_ms: i64,
}

/// A student on a roster.
#[derive(Debug, Clone)]
pub struct StudentRow {
    /// The exercise.
    pub exercise_id: String,
    /// The student's id.
    pub student_id: String,
    /// Name.
    pub name: String,
    /// Join code.
    pub code: String,
}

/// An attempt.
#[derive(Debug, Clone)]
pub struct AttemptRow {
    /// Id.
    pub id: String,
    /// The exercise.
    pub exercise_id: String,
    /// The student.
    pub student_id: String,
    /// 1 for the first.
    pub number: u32,
    /// Server time of the first join.
    pub started_ms: i64,
}

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Position in the attempt's log (0 is the first join).
    pub seq: i64,
    /// `join`, `reply`, `back`, `end` or `close`.
    pub kind: String,
    /// The scenario's index.
    pub scenario: i64,
    /// The reply's displayed number (replies), 0 otherwise.
    pub number: i64,
    /// The option's id (replies), the reason (`close`: `done` or `time_up`), else empty.
    pub option_id: String,
    /// Server time, unix ms.
    pub at_ms: i64,
}

/// A log entry still to be sent to the LRS, with its attempt.
#[derive(Debug, Clone)]
pub struct PendingEvent {
    /// The attempt.
    pub attempt: AttemptRow,
    /// The entry.
    pub event: Event,
}

/// Who holds an attempt's session.
#[derive(Debug, Clone)]
pub struct LiveRow {
    /// The attempt.
    pub attempt_id: String,
    /// SHA-256 of the session token.
    pub token_hash: String,
    /// SHA-256 of the client's id (empty when it sent none).
    pub client_hash: String,
    /// Last request with it.
    pub last_seen_ms: i64,
}

impl Store {
    /// Connects (creating a SQLite file when needed) and brings the schema up to date.
    pub async fn open(url: &str) -> DbResult<Store> {
        install_default_drivers();
        let sqlite = url.starts_with("sqlite:");
        let pool = AnyPoolOptions::new()
            .max_connections(if sqlite { 4 } else { 16 })
            .connect(url)
            .await
            .map_err(|e| format!("cannot open the database {}: {e}", redact(url)))?;
        if sqlite {
            // One writer at a time, readers alongside; kept in the file.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await
                .map_err(db)?;
        }
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|e| format!("cannot bring the database schema up to date: {e}"))?;
        Ok(Store { pool })
    }

    /// A setting.
    pub async fn meta(&self, key: &str) -> DbResult<Option<String>> {
        let row = sqlx::query("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.map(|r| r.try_get::<String, _>(0).map_err(db))
            .transpose()
    }

    /// Sets a setting once; false when it was already set.
    pub async fn set_meta_once(&self, key: &str, value: &str) -> DbResult<bool> {
        let r = sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(r.rows_affected() == 1)
    }

    /// Stores an exercise and its scenarios (id, hash, text) in one transaction.
    pub async fn insert_exercise(
        &self,
        ex: &ExerciseRow,
        scenarios: &[(String, String, String)],
    ) -> DbResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query(
            "INSERT INTO exercises (id, title, file_name, source, hash, created_ms) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&ex.id)
        .bind(&ex.title)
        .bind(&ex.file_name)
        .bind(&ex.source)
        .bind(&ex.hash)
        .bind(ex.created_ms)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        for (i, (id, hash, text)) in scenarios.iter().enumerate() {
            sqlx::query(
                "INSERT INTO scenarios (exercise_id, position, scenario_id, hash, source) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&ex.id)
            .bind(i as i64)
            .bind(id)
            .bind(hash)
            .bind(text)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)
    }

    fn exercise_row(r: &sqlx::any::AnyRow) -> DbResult<ExerciseRow> {
        Ok(ExerciseRow {
            id: r.try_get("id").map_err(db)?,
            title: r.try_get("title").map_err(db)?,
            file_name: r.try_get("file_name").map_err(db)?,
            source: r.try_get("source").map_err(db)?,
            hash: r.try_get("hash").map_err(db)?,
            created_ms: r.try_get("created_ms").map_err(db)?,
        })
    }

    /// An exercise and its scenarios' texts, in order.
    pub async fn exercise(&self, id: &str) -> DbResult<Option<(ExerciseRow, Vec<String>)>> {
        let Some(row) = sqlx::query(
            "SELECT id, title, file_name, source, hash, created_ms FROM exercises WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?
        else {
            return Ok(None);
        };
        let ex = Self::exercise_row(&row)?;
        let rows =
            sqlx::query("SELECT source FROM scenarios WHERE exercise_id = $1 ORDER BY position")
                .bind(id)
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
        let texts = rows
            .iter()
            .map(|r| r.try_get::<String, _>(0).map_err(db))
            .collect::<DbResult<Vec<_>>>()?;
        Ok(Some((ex, texts)))
    }

    /// Every exercise, the latest first, with its roster's size.
    pub async fn exercises(&self) -> DbResult<Vec<(ExerciseRow, i64)>> {
        let rows = sqlx::query(
            "SELECT e.id, e.title, e.file_name, e.source, e.hash, e.created_ms, \
             (SELECT COUNT(*) FROM students s WHERE s.exercise_id = e.id) AS students \
             FROM exercises e ORDER BY e.created_ms DESC, e.id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| Ok((Self::exercise_row(r)?, r.try_get("students").map_err(db)?)))
            .collect()
    }

    /// Adds a student with a code; false when the student is already on the roster. A code
    /// that is taken fails with a conflict (the caller draws another).
    pub async fn insert_student(&self, s: &StudentRow) -> DbResult<bool> {
        let r = sqlx::query(
            "INSERT INTO students (exercise_id, student_id, name, code) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (exercise_id, student_id) DO NOTHING",
        )
        .bind(&s.exercise_id)
        .bind(&s.student_id)
        .bind(&s.name)
        .bind(&s.code)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(r.rows_affected() == 1)
    }

    fn student_row(r: &sqlx::any::AnyRow) -> DbResult<StudentRow> {
        Ok(StudentRow {
            exercise_id: r.try_get("exercise_id").map_err(db)?,
            student_id: r.try_get("student_id").map_err(db)?,
            name: r.try_get("name").map_err(db)?,
            code: r.try_get("code").map_err(db)?,
        })
    }

    /// The roster of an exercise, sorted by student id.
    pub async fn students(&self, exercise_id: &str) -> DbResult<Vec<StudentRow>> {
        let rows = sqlx::query(
            "SELECT exercise_id, student_id, name, code FROM students WHERE exercise_id = $1 ORDER BY student_id",
        )
        .bind(exercise_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(Self::student_row).collect()
    }

    /// The student with this join code.
    pub async fn student_by_code(&self, code: &str) -> DbResult<Option<StudentRow>> {
        let row =
            sqlx::query("SELECT exercise_id, student_id, name, code FROM students WHERE code = $1")
                .bind(code)
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
        row.as_ref().map(Self::student_row).transpose()
    }

    /// A student.
    pub async fn student(&self, exercise_id: &str, student_id: &str) -> DbResult<StudentRow> {
        let row = sqlx::query(
            "SELECT exercise_id, student_id, name, code FROM students WHERE exercise_id = $1 AND student_id = $2",
        )
        .bind(exercise_id)
        .bind(student_id)
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        Self::student_row(&row)
    }

    fn attempt_row(r: &sqlx::any::AnyRow) -> DbResult<AttemptRow> {
        Ok(AttemptRow {
            id: r.try_get("id").map_err(db)?,
            exercise_id: r.try_get("exercise_id").map_err(db)?,
            student_id: r.try_get("student_id").map_err(db)?,
            number: r.try_get::<i64, _>("number").map_err(db)?.clamp(0, 1000) as u32,
            started_ms: r.try_get("started_ms").map_err(db)?,
        })
    }

    /// A student's attempts, in order.
    pub async fn attempts(&self, exercise_id: &str, student_id: &str) -> DbResult<Vec<AttemptRow>> {
        let rows = sqlx::query(
            "SELECT id, exercise_id, student_id, number, started_ms FROM attempts \
             WHERE exercise_id = $1 AND student_id = $2 ORDER BY number",
        )
        .bind(exercise_id)
        .bind(student_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(Self::attempt_row).collect()
    }

    /// Every attempt at an exercise, by student and number.
    pub async fn exercise_attempts(&self, exercise_id: &str) -> DbResult<Vec<AttemptRow>> {
        let rows = sqlx::query(
            "SELECT id, exercise_id, student_id, number, started_ms FROM attempts \
             WHERE exercise_id = $1 ORDER BY student_id, number",
        )
        .bind(exercise_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(Self::attempt_row).collect()
    }

    /// An attempt.
    pub async fn attempt(&self, id: &str) -> DbResult<Option<AttemptRow>> {
        let row = sqlx::query(
            "SELECT id, exercise_id, student_id, number, started_ms FROM attempts WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.as_ref().map(Self::attempt_row).transpose()
    }

    /// Starts an attempt: its row and its first log entry (`join`), in one transaction.
    pub async fn insert_attempt(&self, a: &AttemptRow) -> DbResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query(
            "INSERT INTO attempts (id, exercise_id, student_id, number, started_ms) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&a.id)
        .bind(&a.exercise_id)
        .bind(&a.student_id)
        .bind(i64::from(a.number))
        .bind(a.started_ms)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        insert_event_in(
            &mut tx,
            &a.id,
            &Event {
                seq: 0,
                kind: "join".into(),
                scenario: 0,
                number: 0,
                option_id: String::new(),
                at_ms: a.started_ms,
            },
        )
        .await?;
        tx.commit().await.map_err(db)
    }

    /// An attempt's log, in order.
    pub async fn events(&self, attempt_id: &str) -> DbResult<Vec<Event>> {
        let rows = sqlx::query(
            "SELECT seq, kind, scenario, number, option_id, at_ms FROM events WHERE attempt_id = $1 ORDER BY seq",
        )
        .bind(attempt_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok(Event {
                    seq: r.try_get("seq").map_err(db)?,
                    kind: r.try_get("kind").map_err(db)?,
                    scenario: r.try_get("scenario").map_err(db)?,
                    number: r.try_get("number").map_err(db)?,
                    option_id: r.try_get("option_id").map_err(db)?,
                    at_ms: r.try_get("at_ms").map_err(db)?,
                })
            })
            .collect()
    }

    /// Appends entries to an attempt's log, all or none. Fails with a conflict when another
    /// request wrote one of these positions first.
    pub async fn append(&self, attempt_id: &str, events: &[Event]) -> DbResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        for e in events {
            insert_event_in(&mut tx, attempt_id, e).await?;
        }
        tx.commit().await.map_err(db)
    }

    /// Gives the attempt's session to a new token.
    pub async fn set_live(
        &self,
        attempt_id: &str,
        token_hash: &str,
        client_hash: &str,
        now_ms: i64,
    ) -> DbResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query("DELETE FROM live WHERE attempt_id = $1")
            .bind(attempt_id)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::query(
            "INSERT INTO live (attempt_id, token_hash, client_hash, last_seen_ms) VALUES ($1, $2, $3, $4)",
        )
        .bind(attempt_id)
        .bind(token_hash)
        .bind(client_hash)
        .bind(now_ms)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    /// The session of an attempt.
    pub async fn live(&self, attempt_id: &str) -> DbResult<Option<LiveRow>> {
        let row = sqlx::query(
            "SELECT attempt_id, token_hash, client_hash, last_seen_ms FROM live WHERE attempt_id = $1",
        )
        .bind(attempt_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(|r| {
            Ok(LiveRow {
                attempt_id: r.try_get("attempt_id").map_err(db)?,
                token_hash: r.try_get("token_hash").map_err(db)?,
                client_hash: r.try_get("client_hash").map_err(db)?,
                last_seen_ms: r.try_get("last_seen_ms").map_err(db)?,
            })
        })
        .transpose()
    }

    /// The attempt a session token holds.
    pub async fn live_by_token(&self, token_hash: &str) -> DbResult<Option<String>> {
        let row = sqlx::query("SELECT attempt_id FROM live WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.map(|r| r.try_get::<String, _>(0).map_err(db))
            .transpose()
    }

    /// Notes that a session token was used now.
    pub async fn touch(&self, token_hash: &str, now_ms: i64) -> DbResult<()> {
        sqlx::query("UPDATE live SET last_seen_ms = $1 WHERE token_hash = $2")
            .bind(now_ms)
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    /// Replies and closings not yet delivered to the LRS (no `xapi_delivery` row), oldest
    /// first, at most `limit`.
    pub async fn undelivered(&self, limit: i64) -> DbResult<Vec<PendingEvent>> {
        let rows = sqlx::query(
            "SELECT e.attempt_id, e.seq, e.kind, e.scenario, e.number, e.option_id, e.at_ms, \
             a.exercise_id, a.student_id, a.number AS attempt_number, a.started_ms \
             FROM events e JOIN attempts a ON a.id = e.attempt_id \
             LEFT JOIN xapi_delivery d ON d.attempt_id = e.attempt_id AND d.seq = e.seq \
             WHERE d.attempt_id IS NULL AND e.kind IN ('reply', 'close') \
             ORDER BY e.at_ms, e.attempt_id, e.seq LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok(PendingEvent {
                    attempt: AttemptRow {
                        id: r.try_get("attempt_id").map_err(db)?,
                        exercise_id: r.try_get("exercise_id").map_err(db)?,
                        student_id: r.try_get("student_id").map_err(db)?,
                        number: r.try_get::<i64, _>("attempt_number").map_err(db)?.max(0) as u32,
                        started_ms: r.try_get("started_ms").map_err(db)?,
                    },
                    event: Event {
                        seq: r.try_get("seq").map_err(db)?,
                        kind: r.try_get("kind").map_err(db)?,
                        scenario: r.try_get("scenario").map_err(db)?,
                        number: r.try_get("number").map_err(db)?,
                        option_id: r.try_get("option_id").map_err(db)?,
                        at_ms: r.try_get("at_ms").map_err(db)?,
                    },
                })
            })
            .collect()
    }

    /// Records that a log entry's statements were delivered (`sent`) or refused for good
    /// (`rejected`).
    pub async fn mark_delivered(
        &self,
        attempt_id: &str,
        seq: i64,
        state: &str,
        tries: i64,
        now_ms: i64,
        detail: &str,
    ) -> DbResult<()> {
        sqlx::query(
            "INSERT INTO xapi_delivery (attempt_id, seq, state, tries, at_ms, detail) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(attempt_id)
        .bind(seq)
        .bind(state)
        .bind(tries)
        .bind(now_ms)
        .bind(detail)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    /// How many log entries were delivered to the LRS, by state.
    pub async fn delivery_counts(&self) -> DbResult<Vec<(String, i64)>> {
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM xapi_delivery GROUP BY state")
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter()
            .map(|r| Ok((r.try_get("state").map_err(db)?, r.try_get("n").map_err(db)?)))
            .collect()
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

async fn insert_event_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    attempt_id: &str,
    e: &Event,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO events (attempt_id, seq, kind, scenario, number, option_id, at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(attempt_id)
    .bind(e.seq)
    .bind(&e.kind)
    .bind(e.scenario)
    .bind(e.number)
    .bind(&e.option_id)
    .bind(e.at_ms)
    .execute(&mut **tx)
    .await
    .map_err(db)?;
    Ok(())
}

/// A database address without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}
