-- Leora Jobs, PostgreSQL, migration 6: rate and concurrency limits (issue 12). {schema} is the configured schema, quoted.
-- A job may carry a concurrency key (a customer id, an account): at most N jobs of one type with one key run at once.
ALTER TABLE {schema}.jobs ADD COLUMN concurrency_key text NULL;
-- Whether the job is under a limit (keyed, or of a limited type or queue): set by the enqueue, by a retry, and by the
-- writing of limits at start. The fast claim's indexes leave limited rows out, so a backlog of limited jobs ahead in
-- claim order costs it nothing (it scanned past every one of them before: docs/benchmarks.md#limits).
ALTER TABLE {schema}.jobs ADD COLUMN limited boolean NOT NULL DEFAULT false;
DROP INDEX {schema}.jobs_pending;
DROP INDEX {schema}.jobs_pending_queue;
CREATE INDEX jobs_pending       ON {schema}.jobs (priority DESC, run_at, id) WHERE status = 'pending' AND NOT limited;
CREATE INDEX jobs_pending_queue ON {schema}.jobs (queue, priority DESC, run_at, id) WHERE status = 'pending' AND NOT limited;

-- One row per limited job type or queue, written at start from the starting node's declarations (the last start wins).
-- rate jobs may start per rate_period_ms, counted in windows aligned to the period (window_start, window_count: the
-- claim that starts jobs moves them on); concurrency caps the jobs running at once; key_concurrency caps those running
-- at once with one concurrency key (a type's limit only; 1 when no row says otherwise).
CREATE TABLE {schema}.limits (
    scope           text        NOT NULL CHECK (scope IN ('type', 'queue')),
    name            text        NOT NULL,
    rate            integer     NULL CHECK (rate >= 1),
    rate_period_ms  bigint      NULL CHECK (rate_period_ms >= 1),
    concurrency     integer     NULL CHECK (concurrency >= 1),
    key_concurrency integer     NULL CHECK (key_concurrency >= 1),
    window_start    timestamptz NULL,
    window_count    integer     NOT NULL DEFAULT 0,
    updated_at      timestamptz NOT NULL,
    updated_by      text        NOT NULL,
    PRIMARY KEY (scope, name),
    CHECK ((rate IS NULL) = (rate_period_ms IS NULL))
);

-- The serialised claim of limited jobs reads the pending jobs of one limited type, or of one limited queue, in claim order,
-- and the keyed jobs; only limited rows have entries, so unlimited work pays nothing for these indexes.
CREATE INDEX jobs_pending_limited_kind  ON {schema}.jobs (kind, priority DESC, run_at, id) WHERE status = 'pending' AND limited;
CREATE INDEX jobs_pending_limited_queue ON {schema}.jobs (queue, priority DESC, run_at, id) WHERE status = 'pending' AND limited;
CREATE INDEX jobs_pending_keyed ON {schema}.jobs (priority DESC, run_at, id) WHERE status = 'pending' AND concurrency_key IS NOT NULL;
