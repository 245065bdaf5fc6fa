-- Leora Jobs, SQLite, migration 11: workflows (issue 14, docs/workflows.md): jobs that wait for other jobs, batches with
-- callbacks. Times are Unix milliseconds (UTC).
--
-- A job that waits for its parents (or a batch's callback, for its batch) has the status 'waiting'. Every claim index is
-- partial on status = 'pending', so a waiting job has no entry in any of them and the claim's plan is unchanged.
-- SQLite cannot alter a CHECK constraint; its documented procedure for loosening one that no stored row depends on is to
-- edit the table's text in the schema (sqlite.org/lang_altertable.html, "making other kinds of table schema changes").
-- RESET makes this connection read the edited schema at once; the CREATE TABLEs below change the schema cookie, so every
-- other connection reads it again on its next statement.
PRAGMA writable_schema = ON;
UPDATE sqlite_master SET sql = replace(sql, '''cancelled''))', '''cancelled'', ''waiting''))')
WHERE type = 'table' AND name = 'leora_jobs';
PRAGMA writable_schema = RESET;

-- Whether the job takes part in a workflow (it has dependants, waits for parents, or belongs to a batch): the workflow
-- triggers fire only for these rows, so a plain job's outcome pays nothing but this flag's test.
ALTER TABLE leora_jobs ADD COLUMN workflow INTEGER NOT NULL DEFAULT 0;

-- One row per edge of a graph, read by parent when the parent finishes (the primary key), by child for the graph's view.
-- resolved: the parent has finished once and the child was counted down (or cancelled); a parent run again by a manual
-- retry never counts a child down twice.
CREATE TABLE leora_job_dependencies (
    parent_id INTEGER NOT NULL,
    child_id  INTEGER NOT NULL,
    resolved  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (parent_id, child_id)
) WITHOUT ROWID;
CREATE INDEX leora_job_dependencies_child ON leora_job_dependencies (child_id);

-- A waiting dependant: how many of its parents have not finished yet, and whether it runs when one fails or is cancelled
-- (run_anyway) or is cancelled with it (the default).
CREATE TABLE leora_job_waits (
    job_id       INTEGER PRIMARY KEY,
    parents_left INTEGER NOT NULL,
    run_anyway   INTEGER NOT NULL DEFAULT 0
);

-- A batch's progress, counted by the trigger below in the transaction of each member's outcome: pending is the members
-- not finished yet. The transaction that takes it to zero releases the callbacks, exactly once.
CREATE TABLE leora_batches (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    description  TEXT    NULL,
    total        INTEGER NOT NULL,
    pending      INTEGER NOT NULL,
    completed    INTEGER NOT NULL DEFAULT 0,
    failed       INTEGER NOT NULL DEFAULT 0,
    cancelled    INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    finished_at  INTEGER NULL,
    cancelled_at INTEGER NULL
);

-- The jobs of a batch: its members, and its callbacks (waiting until the batch finishes). By job (the trigger finds a
-- finishing job's batch) and by batch and role (the callbacks of a batch, its members' list) — never a scan of jobs.
CREATE TABLE leora_batch_jobs (
    job_id   INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL,
    role     TEXT    NOT NULL CHECK (role IN ('member', 'on_complete', 'on_success', 'on_failure'))
);
CREATE INDEX leora_batch_jobs_batch ON leora_batch_jobs (batch_id, role, job_id);

-- The timeline's trigger (migration 10) again, with the workflow's changes: a waiting job records nothing until it is
-- released ('released': it became pending without an attempt) or cancelled.
DROP TRIGGER leora_jobs_event;
CREATE TRIGGER leora_jobs_event AFTER UPDATE OF status ON leora_jobs
WHEN old.status <> new.status AND new.status <> 'waiting'
BEGIN
    INSERT INTO leora_job_events (job_id, seq, at, kind, status, attempt, worker, message)
    SELECT new.id, coalesce((SELECT max(seq) FROM leora_job_events WHERE job_id = new.id), 0) + 1,
           coalesce(CASE e.kind WHEN 'claimed' THEN new.started_at WHEN 'rescued' THEN new.run_at WHEN 'retried' THEN new.run_at
                        ELSE coalesce(new.completed_at, CASE WHEN e.grew THEN
                            CAST(round((julianday(json_extract(new.errors, '$[#-1].at')) - 2440587.5) * 86400000) AS INTEGER) END) END,
                    CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)),
           e.kind, new.status, new.attempts,
           CASE WHEN e.kind = 'claimed' THEN new.locked_by WHEN old.status = 'processing' THEN old.locked_by END,
           CASE WHEN e.grew OR old.status = 'waiting' THEN json_extract(new.errors, '$[#-1].message') END
    FROM (SELECT g.grew,
                 CASE WHEN old.status = 'pending' AND new.status = 'processing' THEN 'claimed'
                      WHEN new.status = 'completed' THEN 'completed'
                      WHEN g.grew AND json_extract(new.errors, '$[#-1].type') = 'LeaseExpired' THEN 'rescued'
                      WHEN new.status = 'cancelled' THEN 'cancelled'
                      WHEN g.grew THEN 'failed'
                      WHEN old.status IN ('processing', 'waiting') AND new.status = 'pending' THEN 'released'
                      WHEN new.status = 'pending' THEN 'retried'
                      ELSE new.status END AS kind
          FROM (SELECT old.status = 'processing' AND new.errors <> old.errors AS grew) g) e;
END;

-- A workflow job finished: its dependants and its batch learn it in the same transaction, whichever statement finished
-- it (complete, fail, cancel, rescue). In order: cancel the dependants that do not run after a failed or cancelled parent
-- (each cancel fires this trigger again for its own dependants: the store's connections set recursive_triggers); count
-- the others down; release those left with no parent to wait for; mark the edges resolved. Then the batch: count the
-- outcome, and when no member is left, release the callbacks that apply and cancel the others.
CREATE TRIGGER leora_jobs_workflow_finished AFTER UPDATE OF status ON leora_jobs
WHEN new.workflow = 1 AND old.status NOT IN ('completed', 'failed', 'cancelled') AND new.status IN ('completed', 'failed', 'cancelled')
BEGIN
    UPDATE leora_jobs
    SET status = 'cancelled', completed_at = coalesce(new.completed_at, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)),
        errors = json_insert(errors, '$[#]', json_object('attempt', attempts,
            'message', 'Parent job ' || new.id || ' ' || new.status || '; this job depends on it.',
            'type', 'ParentNotCompleted', 'stackTrace', NULL, 'at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'worker', NULL))
    WHERE new.status <> 'completed' AND status = 'waiting' AND id IN (
        SELECT d.child_id FROM leora_job_dependencies d JOIN leora_job_waits w ON w.job_id = d.child_id
        WHERE d.parent_id = new.id AND d.resolved = 0 AND w.run_anyway = 0);

    UPDATE leora_job_waits SET parents_left = parents_left - 1
    WHERE job_id IN (SELECT child_id FROM leora_job_dependencies WHERE parent_id = new.id AND resolved = 0);

    UPDATE leora_jobs
    SET status = 'pending', run_at = max(run_at, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER))
    WHERE status = 'waiting' AND id IN (
        SELECT d.child_id FROM leora_job_dependencies d JOIN leora_job_waits w ON w.job_id = d.child_id
        WHERE d.parent_id = new.id AND d.resolved = 0 AND w.parents_left <= 0);

    UPDATE leora_job_dependencies SET resolved = 1 WHERE parent_id = new.id AND resolved = 0;

    UPDATE leora_batches
    SET pending = pending - 1,
        completed = completed + (new.status = 'completed'),
        failed = failed + (new.status = 'failed'),
        cancelled = cancelled + (new.status = 'cancelled'),
        finished_at = CASE WHEN pending = 1 THEN CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) END
    WHERE id = (SELECT batch_id FROM leora_batch_jobs WHERE job_id = new.id AND role = 'member');

    UPDATE leora_jobs
    SET status = CASE WHEN c.fires THEN 'pending' ELSE 'cancelled' END,
        run_at = CASE WHEN c.fires THEN max(run_at, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) ELSE run_at END,
        completed_at = CASE WHEN c.fires THEN NULL ELSE CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) END,
        errors = CASE WHEN c.fires THEN errors ELSE json_insert(errors, '$[#]', json_object('attempt', attempts,
            'message', 'Batch ' || c.batch_id || ' ended ' || CASE WHEN c.ok THEN 'without a failure' ELSE 'with failures' END ||
                       '; this callback runs only ' || CASE WHEN c.ok THEN 'on failure.' ELSE 'on success.' END,
            'type', 'BatchCallbackSkipped', 'stackTrace', NULL, 'at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'worker', NULL)) END
    FROM (SELECT cb.job_id, b.id AS batch_id, b.failed + b.cancelled = 0 AS ok,
                 cb.role = 'on_complete' OR (cb.role = 'on_success') = (b.failed + b.cancelled = 0) AS fires
          FROM leora_batch_jobs m
          JOIN leora_batches b ON b.id = m.batch_id
          JOIN leora_batch_jobs cb ON cb.batch_id = b.id AND cb.role IN ('on_complete', 'on_success', 'on_failure')
          WHERE m.job_id = new.id AND m.role = 'member' AND b.pending = 0) c
    WHERE leora_jobs.id = c.job_id AND leora_jobs.status = 'waiting';
END;

-- A workflow job's rows go with it (delete, clean-up, pruning). An unfinished workflow job is never deleted (the delete
-- statements refuse it: cancel it first), so its dependants and batch have always learnt its outcome by then.
CREATE TRIGGER leora_jobs_workflow_delete AFTER DELETE ON leora_jobs
WHEN old.workflow = 1
BEGIN
    DELETE FROM leora_job_dependencies WHERE parent_id = old.id;
    DELETE FROM leora_job_dependencies WHERE child_id = old.id;
    DELETE FROM leora_job_waits WHERE job_id = old.id;
    DELETE FROM leora_batch_jobs WHERE job_id = old.id;
END;
