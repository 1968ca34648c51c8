-- The class server's tables. One SQL text for SQLite and PostgreSQL: only TEXT and BIGINT
-- columns, no auto-increment (ids and sequence numbers are chosen by the server), and
-- `ON CONFLICT` in the queries.

-- Settings of this server (the admin token's SHA-256).
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- A published exercise: its RON text as uploaded.
CREATE TABLE exercises (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    file_name TEXT NOT NULL,
    source TEXT NOT NULL,
    hash TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);

-- Its scenarios, in the exercise's order, as uploaded (students never receive them).
CREATE TABLE scenarios (
    exercise_id TEXT NOT NULL REFERENCES exercises (id),
    position BIGINT NOT NULL,
    scenario_id TEXT NOT NULL,
    hash TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (exercise_id, position)
);

-- The roster: one join code per student and exercise.
CREATE TABLE students (
    exercise_id TEXT NOT NULL REFERENCES exercises (id),
    student_id TEXT NOT NULL,
    name TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    PRIMARY KEY (exercise_id, student_id)
);

-- One row per attempt, written once when it starts.
CREATE TABLE attempts (
    id TEXT PRIMARY KEY,
    exercise_id TEXT NOT NULL REFERENCES exercises (id),
    student_id TEXT NOT NULL,
    number BIGINT NOT NULL,
    started_ms BIGINT NOT NULL,
    UNIQUE (exercise_id, student_id, number)
);

-- The append-only log: every join, reply, take-back, early end and closing, stamped with
-- the server's time. Rows are only ever inserted; (attempt_id, seq) makes a step that two
-- requests race to write land once.
CREATE TABLE events (
    attempt_id TEXT NOT NULL REFERENCES attempts (id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    scenario BIGINT NOT NULL,
    number BIGINT NOT NULL,
    option_id TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    PRIMARY KEY (attempt_id, seq)
);

-- Who holds an attempt's session now (not part of the log): the session token's SHA-256,
-- the SHA-256 of the joining client's own random id (a client that retries a join whose
-- answer was lost gets a session again), and when it was last used. Replaced when the
-- student joins again.
CREATE TABLE live (
    attempt_id TEXT PRIMARY KEY REFERENCES attempts (id),
    token_hash TEXT NOT NULL UNIQUE,
    client_hash TEXT NOT NULL,
    last_seen_ms BIGINT NOT NULL
);
