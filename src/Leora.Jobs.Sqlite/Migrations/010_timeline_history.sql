-- Leora Jobs, SQLite, migration 10: a job's timeline and the throughput history (issue 19, docs/dashboard.md).
--
-- The timeline: one row per event of a job's life after its enqueue (the enqueue is the job row's own created_at, so
-- enqueue and bulk enqueue write nothing more). Written by the triggers below, in the statement that changes the job, so
-- every path (claim, limited claim, complete, fail, rescue, release, cancel, retry) records its event in the same
-- transaction, whichever process runs it. WITHOUT ROWID, keyed by (job_id, seq): one b-tree insert per event, and a job's
-- events are read (and deleted with it) as one range.
CREATE TABLE leora_job_events (
    job_id  INTEGER NOT NULL,
    seq     INTEGER NOT NULL,
    at      INTEGER NOT NULL,
    kind    TEXT    NOT NULL,
    status  TEXT    NOT NULL,
    attempt INTEGER NOT NULL,
    worker  TEXT    NULL,
    message TEXT    NULL,
    PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;

-- The history: completed and failed (for good) jobs per minute, in a ring of 10,200 minutes (a week and two hours): the
-- slot of minute m is m % 10200, and a write for a newer minute resets its slot. Bounded by construction, nothing to
-- prune; read by minute (the hour view) or summed by hour (the day and week views), never from the jobs table.
CREATE TABLE leora_job_history (
    slot      INTEGER PRIMARY KEY,
    minute    INTEGER NOT NULL,
    completed INTEGER NOT NULL,
    failed    INTEGER NOT NULL
);
CREATE INDEX leora_job_history_minute ON leora_job_history (minute);

-- Every change of status is an event. Its kind comes from the change (and from the error the statement appended, if any);
-- its time from the column the statement stamped with its @now (started_at, run_at, completed_at, the error's "at"),
-- so it is the store's clock as the job's own times are. A release (graceful shutdown) stamps nothing: SQLite's clock.
CREATE TRIGGER leora_jobs_event AFTER UPDATE OF status ON leora_jobs
WHEN old.status <> new.status
BEGIN
    INSERT INTO leora_job_events (job_id, seq, at, kind, status, attempt, worker, message)
    SELECT new.id, coalesce((SELECT max(seq) FROM leora_job_events WHERE job_id = new.id), 0) + 1,
           coalesce(CASE e.kind WHEN 'claimed' THEN new.started_at WHEN 'rescued' THEN new.run_at WHEN 'retried' THEN new.run_at
                        ELSE coalesce(new.completed_at, CASE WHEN e.grew THEN
                            CAST(round((julianday(json_extract(new.errors, '$[#-1].at')) - 2440587.5) * 86400000) AS INTEGER) END) END,
                    CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)),
           e.kind, new.status, new.attempts,
           CASE WHEN e.kind = 'claimed' THEN new.locked_by WHEN old.status = 'processing' THEN old.locked_by END,
           CASE WHEN e.grew THEN json_extract(new.errors, '$[#-1].message') END
    FROM (SELECT g.grew,
                 CASE WHEN old.status = 'pending' AND new.status = 'processing' THEN 'claimed'
                      WHEN new.status = 'completed' THEN 'completed'
                      WHEN g.grew AND json_extract(new.errors, '$[#-1].type') = 'LeaseExpired' THEN 'rescued'
                      WHEN new.status = 'cancelled' THEN 'cancelled'
                      WHEN g.grew THEN 'failed'
                      WHEN old.status = 'processing' AND new.status = 'pending' THEN 'released'
                      WHEN new.status = 'pending' THEN 'retried'
                      ELSE new.status END AS kind
          FROM (SELECT old.status = 'processing' AND new.errors <> old.errors AS grew) g) e;
END;

-- A cancel asked of a running job changes no status: its own event.
CREATE TRIGGER leora_jobs_cancel_event AFTER UPDATE OF cancel_requested ON leora_jobs
WHEN new.cancel_requested = 1 AND old.cancel_requested = 0 AND old.status = 'processing' AND new.status = 'processing'
BEGIN
    INSERT INTO leora_job_events (job_id, seq, at, kind, status, attempt, worker, message)
    VALUES (new.id, coalesce((SELECT max(seq) FROM leora_job_events WHERE job_id = new.id), 0) + 1,
            CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER), 'cancel_requested', new.status, new.attempts, new.locked_by, NULL);
END;

-- A job that ends completed or failed counts in its minute. A write for an older minute than the slot holds (a week
-- behind) is dropped rather than let it reset a newer minute.
CREATE TRIGGER leora_jobs_history AFTER UPDATE OF status ON leora_jobs
WHEN old.status <> new.status AND new.status IN ('completed', 'failed') AND new.completed_at IS NOT NULL
BEGIN
    INSERT INTO leora_job_history (slot, minute, completed, failed)
    VALUES ((new.completed_at / 60000) % 10200, new.completed_at / 60000, new.status = 'completed', new.status = 'failed')
    ON CONFLICT (slot) DO UPDATE SET
        completed = CASE WHEN minute = excluded.minute THEN completed + excluded.completed ELSE excluded.completed END,
        failed    = CASE WHEN minute = excluded.minute THEN failed + excluded.failed ELSE excluded.failed END,
        minute    = excluded.minute
    WHERE excluded.minute >= minute;
END;

-- A job's events go with it (delete, clean-up, pruning).
CREATE TRIGGER leora_jobs_delete_events AFTER DELETE ON leora_jobs
BEGIN
    DELETE FROM leora_job_events WHERE job_id = old.id;
END;
