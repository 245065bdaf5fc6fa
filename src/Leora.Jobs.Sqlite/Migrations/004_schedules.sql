-- Leora Jobs, SQLite, migration 4: recurring schedules (issue 12). Times are Unix milliseconds (UTC).
-- next_run_at is the next tick not yet enqueued; an evaluator moves it on with a compare-and-set (… WHERE next_run_at =
-- the value it read), so two evaluators never enqueue one tick twice. last_job_id is the job of the latest tick (or
-- trigger): the overlap policy reads its status.
CREATE TABLE leora_schedules (
    name          TEXT    PRIMARY KEY,
    cron          TEXT    NOT NULL,
    time_zone     TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    payload       TEXT    NOT NULL,
    queue         TEXT    NULL,
    priority      INTEGER NULL,
    max_attempts  INTEGER NULL,
    enabled       INTEGER NOT NULL DEFAULT 1,
    misfire       TEXT    NOT NULL CHECK (misfire IN ('latest', 'all', 'skip')),
    misfire_limit INTEGER NOT NULL CHECK (misfire_limit >= 1),
    overlap       TEXT    NOT NULL CHECK (overlap IN ('allow', 'skip')),
    next_run_at   INTEGER NULL,
    last_job_id   INTEGER NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- Due schedules are found through this partial index: the cost of a look stays flat however many schedules wait.
CREATE INDEX leora_schedules_due ON leora_schedules (next_run_at) WHERE enabled = 1 AND next_run_at IS NOT NULL;
