-- Leora Jobs, PostgreSQL, migration 10: a job's timeline and the throughput history (issue 19, docs/dashboard.md).
-- {schema} is the configured schema, quoted.
--
-- The timeline: one row per event of a job's life after its enqueue (the enqueue is the job row's own created_at, so
-- enqueue and bulk enqueue write nothing more). Each statement that changes a job writes its event in the same statement
-- (a data-modifying CTE, PostgreSqlSql), so it commits or rolls back with the change. The primary key (job_id, id) is the
-- one index: a job's events are one range to read and to delete with the job. No foreign key: its check on every insert
-- (a row lock on the job) and its cascade would cost the hot path more than the delete statements' own CTEs do.
CREATE TABLE {schema}.job_events (
    job_id  bigint      NOT NULL,
    id      bigint      GENERATED ALWAYS AS IDENTITY,
    at      timestamptz NOT NULL,
    kind    text        NOT NULL,
    status  text        NOT NULL,
    attempt integer     NOT NULL,
    worker  text        NULL,
    message text        NULL,
    PRIMARY KEY (job_id, id)
);

-- The history: completed and failed (for good) jobs per minute, in a ring of 10,200 minutes (a week and two hours): the
-- slot of minute m is m % 10200, and a write for a newer minute resets its slot. Bounded by construction, nothing to
-- prune. Each minute is split over 8 shards (the writing backend's pid % 8) so that nodes completing at once do not queue
-- on one row lock until each other's commits. Counters are not indexed, so their updates are HOT (fillfactor leaves room).
CREATE TABLE {schema}.job_history (
    slot      integer  NOT NULL,
    shard     smallint NOT NULL,
    minute    bigint   NOT NULL,
    completed bigint   NOT NULL,
    failed    bigint   NOT NULL,
    PRIMARY KEY (slot, shard)
) WITH (fillfactor = 50);
CREATE INDEX job_history_minute ON {schema}.job_history (minute);
