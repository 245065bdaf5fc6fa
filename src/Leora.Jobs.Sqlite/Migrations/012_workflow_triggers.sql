-- Leora Jobs, SQLite, migration 12: the workflow trigger of migration 11 in three parts, each paid only by the jobs it
-- concerns (issue 14's bench: a batch's children ran at half the rate of plain jobs). Times are Unix milliseconds (UTC).
--
-- The one trigger ran six statements for every finished workflow job. Four of them read the dependencies of a job that, as
-- a batch member, has none, and the callbacks' statement read the batch for every member. Each `IN (list)` and
-- `IN (subquery)` in a trigger builds a temporary table at every firing (SQLite codes the trigger once per statement, but
-- its IN tables once per row), which cost more than the work itself: measured with the sqlite3 shell on 100,000 members
-- completed 2,000 per transaction, 21.5 s against 1.4 s for plain jobs. Now: the dependants' part fires only for a job
-- that has unresolved dependants; the batch's count is one update; and the callbacks are released by a trigger on the
-- batch's row, once, when its last member's outcome takes pending to zero. Conditions are comparisons, not IN lists.
DROP TRIGGER leora_jobs_workflow_finished;

-- A parent finished: cancel the dependants that do not run after a failed or cancelled parent (each cancel fires these
-- triggers again for its own dependants: the store's connections set recursive_triggers); count the others down; release
-- those left with no parent to wait for; mark the edges resolved.
CREATE TRIGGER leora_jobs_workflow_dependants AFTER UPDATE OF status ON leora_jobs
WHEN new.workflow = 1 AND old.status <> 'completed' AND old.status <> 'failed' AND old.status <> 'cancelled'
    AND (new.status = 'completed' OR new.status = 'failed' OR new.status = 'cancelled')
    AND EXISTS (SELECT 1 FROM leora_job_dependencies WHERE parent_id = new.id AND resolved = 0)
BEGIN
    UPDATE leora_jobs
    SET status = 'cancelled', completed_at = coalesce(new.completed_at, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)),
        errors = json_insert(errors, '$[#]', json_object('attempt', attempts,
            'message', 'Parent job ' || new.id || ' ' || new.status || '; this job depends on it.',
            'type', 'ParentNotCompleted', 'stackTrace', NULL, 'at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'worker', NULL))
    FROM leora_job_dependencies d JOIN leora_job_waits w ON w.job_id = d.child_id
    WHERE new.status <> 'completed' AND d.parent_id = new.id AND d.resolved = 0 AND w.run_anyway = 0
        AND leora_jobs.id = d.child_id AND leora_jobs.status = 'waiting';

    UPDATE leora_job_waits SET parents_left = parents_left - 1
    FROM leora_job_dependencies d
    WHERE d.parent_id = new.id AND d.resolved = 0 AND leora_job_waits.job_id = d.child_id;

    UPDATE leora_jobs
    SET status = 'pending', run_at = max(run_at, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER))
    FROM leora_job_dependencies d JOIN leora_job_waits w ON w.job_id = d.child_id
    WHERE d.parent_id = new.id AND d.resolved = 0 AND w.parents_left <= 0
        AND leora_jobs.id = d.child_id AND leora_jobs.status = 'waiting';

    UPDATE leora_job_dependencies SET resolved = 1 WHERE parent_id = new.id AND resolved = 0;
END;

-- A batch member finished: its outcome counted into the batch's row.
CREATE TRIGGER leora_jobs_workflow_batch AFTER UPDATE OF status ON leora_jobs
WHEN new.workflow = 1 AND old.status <> 'completed' AND old.status <> 'failed' AND old.status <> 'cancelled'
    AND (new.status = 'completed' OR new.status = 'failed' OR new.status = 'cancelled')
BEGIN
    UPDATE leora_batches
    SET pending = pending - 1,
        completed = completed + (new.status = 'completed'),
        failed = failed + (new.status = 'failed'),
        cancelled = cancelled + (new.status = 'cancelled'),
        finished_at = CASE WHEN pending = 1 THEN CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) END
    WHERE id = (SELECT batch_id FROM leora_batch_jobs WHERE job_id = new.id AND role = 'member');
END;

-- A batch's last member finished (its count reached zero, once: members are added only while some are pending): release
-- the callbacks that apply and cancel the others.
CREATE TRIGGER leora_batches_finished AFTER UPDATE OF pending ON leora_batches
WHEN new.pending = 0 AND old.pending > 0
BEGIN
    UPDATE leora_jobs
    SET status = CASE WHEN c.fires THEN 'pending' ELSE 'cancelled' END,
        run_at = CASE WHEN c.fires THEN max(run_at, CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)) ELSE run_at END,
        completed_at = CASE WHEN c.fires THEN NULL ELSE CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER) END,
        errors = CASE WHEN c.fires THEN errors ELSE json_insert(errors, '$[#]', json_object('attempt', attempts,
            'message', 'Batch ' || new.id || ' ended ' || CASE WHEN c.ok THEN 'without a failure' ELSE 'with failures' END ||
                       '; this callback runs only ' || CASE WHEN c.ok THEN 'on failure.' ELSE 'on success.' END,
            'type', 'BatchCallbackSkipped', 'stackTrace', NULL, 'at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'worker', NULL)) END
    FROM (SELECT cb.job_id, new.failed + new.cancelled = 0 AS ok,
                 cb.role = 'on_complete' OR (cb.role = 'on_success') = (new.failed + new.cancelled = 0) AS fires
          FROM leora_batch_jobs cb
          WHERE cb.batch_id = new.id AND cb.role IN ('on_complete', 'on_success', 'on_failure')) c
    WHERE leora_jobs.id = c.job_id AND leora_jobs.status = 'waiting';
END;
