-- Leora Jobs, PostgreSQL, migration 4: recurring schedules (issue 12). {schema} is the configured schema, quoted.
-- next_run_at is the next tick not yet enqueued; an evaluator moves it on with a compare-and-set (… WHERE next_run_at =
-- the value it read), so two evaluators never enqueue one tick twice. last_job_id is the job of the latest tick (or
-- trigger): the overlap policy reads its status.
CREATE TABLE {schema}.schedules (
    name          text        PRIMARY KEY,
    cron          text        NOT NULL,
    time_zone     text        NOT NULL,
    kind          text        NOT NULL,
    payload       jsonb       NOT NULL,
    queue         text        NULL,
    priority      integer     NULL,
    max_attempts  integer     NULL,
    enabled       boolean     NOT NULL DEFAULT true,
    misfire       text        NOT NULL CHECK (misfire IN ('latest', 'all', 'skip')),
    misfire_limit integer     NOT NULL CHECK (misfire_limit >= 1),
    overlap       text        NOT NULL CHECK (overlap IN ('allow', 'skip')),
    next_run_at   timestamptz NULL,
    last_job_id   bigint      NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);

-- Due schedules are found through this partial index: the cost of a look stays flat however many schedules wait.
CREATE INDEX schedules_due ON {schema}.schedules (next_run_at) WHERE enabled AND next_run_at IS NOT NULL;
