-- Leora Jobs, SQLite, migration 1: the jobs table.
-- Times are Unix milliseconds (UTC). Ids never repeat (AUTOINCREMENT), so a deleted job's id is never reused.
CREATE TABLE leora_jobs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT    NOT NULL,
    queue            TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'cancelled')),
    priority         INTEGER NOT NULL DEFAULT 0,
    payload          TEXT    NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL CHECK (max_attempts >= 1),
    idempotency_key  TEXT    NULL,
    lock_token       TEXT    NULL,
    locked_until     INTEGER NULL,
    locked_by        TEXT    NULL,
    progress         INTEGER NULL,
    progress_message TEXT    NULL,
    result           TEXT    NULL,
    errors           TEXT    NOT NULL DEFAULT '[]',
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    run_at           INTEGER NOT NULL,
    started_at       INTEGER NULL,
    completed_at     INTEGER NULL
);

-- Claims read only pending rows through these partial indexes, so their cost stays flat as finished rows pile up.
CREATE INDEX leora_jobs_pending       ON leora_jobs (priority DESC, run_at, id) WHERE status = 'pending';
CREATE INDEX leora_jobs_pending_queue ON leora_jobs (queue, priority DESC, run_at, id) WHERE status = 'pending';
CREATE INDEX leora_jobs_lease         ON leora_jobs (locked_until) WHERE status = 'processing';
CREATE INDEX leora_jobs_finished      ON leora_jobs (completed_at) WHERE status IN ('completed', 'failed', 'cancelled');
CREATE UNIQUE INDEX leora_jobs_idempotency ON leora_jobs (idempotency_key) WHERE idempotency_key IS NOT NULL;
-- Lists filter by one column and page by id.
CREATE INDEX leora_jobs_status_id ON leora_jobs (status, id);
CREATE INDEX leora_jobs_kind_id   ON leora_jobs (kind, id);
CREATE INDEX leora_jobs_queue_id  ON leora_jobs (queue, id);
