-- Leora Jobs, SQLite, migration 6: rate and concurrency limits (issue 12). Times are Unix milliseconds (UTC).
-- A job may carry a concurrency key (a customer id, an account): at most N jobs of one type with one key run at once.
ALTER TABLE leora_jobs ADD COLUMN concurrency_key TEXT NULL;
-- Whether the job is under a limit (keyed, or of a limited type or queue): set by the enqueue, by a retry, and by the
-- writing of limits at start. The claim's indexes leave limited rows out, so a backlog of limited jobs ahead in claim
-- order costs it nothing (it scanned past every one of them before: docs/benchmarks.md#limits).
ALTER TABLE leora_jobs ADD COLUMN limited INTEGER NOT NULL DEFAULT 0;
DROP INDEX leora_jobs_pending;
DROP INDEX leora_jobs_pending_queue;
CREATE INDEX leora_jobs_pending       ON leora_jobs (priority DESC, run_at, id) WHERE status = 'pending' AND limited = 0;
CREATE INDEX leora_jobs_pending_queue ON leora_jobs (queue, priority DESC, run_at, id) WHERE status = 'pending' AND limited = 0;

-- One row per limited job type or queue, written at start from the starting node's declarations (the last start wins).
-- rate jobs may start per rate_period_ms, counted in windows aligned to the period (window_start, window_count: the
-- claim that starts jobs moves them on); concurrency caps the jobs running at once; key_concurrency caps those running
-- at once with one concurrency key (a type's limit only; 1 when no row says otherwise).
CREATE TABLE leora_limits (
    scope           TEXT    NOT NULL CHECK (scope IN ('type', 'queue')),
    name            TEXT    NOT NULL,
    rate            INTEGER NULL CHECK (rate >= 1),
    rate_period_ms  INTEGER NULL CHECK (rate_period_ms >= 1),
    concurrency     INTEGER NULL CHECK (concurrency >= 1),
    key_concurrency INTEGER NULL CHECK (key_concurrency >= 1),
    window_start    INTEGER NULL,
    window_count    INTEGER NOT NULL DEFAULT 0,
    updated_at      INTEGER NOT NULL,
    updated_by      TEXT    NOT NULL,
    PRIMARY KEY (scope, name),
    CHECK ((rate IS NULL) = (rate_period_ms IS NULL))
);

-- The claim of limited jobs reads the pending jobs of one limited type, or of one limited queue, in claim order, and the
-- keyed jobs; only limited rows have entries, so unlimited work pays nothing for these indexes.
CREATE INDEX leora_jobs_pending_limited_kind  ON leora_jobs (kind, priority DESC, run_at, id) WHERE status = 'pending' AND limited = 1;
CREATE INDEX leora_jobs_pending_limited_queue ON leora_jobs (queue, priority DESC, run_at, id) WHERE status = 'pending' AND limited = 1;
CREATE INDEX leora_jobs_pending_keyed ON leora_jobs (priority DESC, run_at, id) WHERE status = 'pending' AND concurrency_key IS NOT NULL;
