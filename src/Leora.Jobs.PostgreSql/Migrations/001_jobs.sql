-- Leora Jobs, PostgreSQL, migration 1: the jobs table. {schema} is the configured schema, quoted.
CREATE TABLE {schema}.jobs (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind             text        NOT NULL,
    queue            text        NOT NULL,
    status           text        NOT NULL CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'cancelled')),
    priority         integer     NOT NULL DEFAULT 0,
    payload          jsonb       NOT NULL,
    attempts         integer     NOT NULL DEFAULT 0,
    max_attempts     integer     NOT NULL CHECK (max_attempts >= 1),
    idempotency_key  text        NULL,
    lock_token       uuid        NULL,
    locked_until     timestamptz NULL,
    locked_by        text        NULL,
    progress         integer     NULL,
    progress_message text        NULL,
    result           jsonb       NULL,
    errors           jsonb       NOT NULL DEFAULT '[]',
    cancel_requested boolean     NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    run_at           timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz NULL,
    completed_at     timestamptz NULL
);

-- Claims read only pending rows through these partial indexes, so their cost stays flat as finished rows pile up.
CREATE INDEX jobs_pending       ON {schema}.jobs (priority DESC, run_at, id) WHERE status = 'pending';
CREATE INDEX jobs_pending_queue ON {schema}.jobs (queue, priority DESC, run_at, id) WHERE status = 'pending';
CREATE INDEX jobs_lease         ON {schema}.jobs (locked_until) WHERE status = 'processing';
CREATE INDEX jobs_finished      ON {schema}.jobs (completed_at) WHERE status IN ('completed', 'failed', 'cancelled');
CREATE UNIQUE INDEX jobs_idempotency ON {schema}.jobs (idempotency_key) WHERE idempotency_key IS NOT NULL;
-- Lists filter by one column and page by id.
CREATE INDEX jobs_status_id ON {schema}.jobs (status, id);
CREATE INDEX jobs_kind_id   ON {schema}.jobs (kind, id);
CREATE INDEX jobs_queue_id  ON {schema}.jobs (queue, id);
