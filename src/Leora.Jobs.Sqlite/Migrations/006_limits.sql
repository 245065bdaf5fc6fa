-- Leora Jobs, SQLite, migration 6: rate and concurrency limits (issue 12). Times are Unix milliseconds (UTC).
-- A job may carry a concurrency key (a customer id, an account): at most N jobs of one type with one key run at once.
ALTER TABLE leora_jobs ADD COLUMN concurrency_key TEXT NULL;

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

-- The claim of limited jobs reads one limited type's pending jobs in claim order, and the keyed jobs of types that have no
-- limit row; the claim of everything else keeps reading leora_jobs_pending.
CREATE INDEX leora_jobs_pending_kind  ON leora_jobs (kind, priority DESC, run_at, id) WHERE status = 'pending';
CREATE INDEX leora_jobs_pending_keyed ON leora_jobs (priority DESC, run_at, id) WHERE status = 'pending' AND concurrency_key IS NOT NULL;
