-- Leora Jobs, SQLite, migration 13: a job that runs once and completes writes no timeline row, and its count in the
-- history is written once per batch of completions (issue 16; docs/http-api.md, "Timeline"). Times are Unix milliseconds
-- (UTC).
--
-- A job's latest claim is its row's own started_at, attempts and locked_by, and its completion the row's completed_at, as
-- its enqueue is created_at (JobTimeline reads them there). So the claim and the completion fire no event: a drain of no-op
-- jobs ran a third faster (docs/benchmarks.md, "Issue 16, sixth round"). A claim becomes a row only when another event of
-- its attempt follows it while it is running (a failure, a rescue, a release, a cancel request): the trigger writing that
-- event writes the attempt's claim first, from the row as it was, unless the job's latest row is already that attempt's
-- claim or its cancel request (which wrote the claim before itself). Rows written before this migration keep every claim
-- and completion; JobTimeline does not add them again.
DROP TRIGGER leora_jobs_event;
CREATE TRIGGER leora_jobs_event AFTER UPDATE OF status ON leora_jobs
WHEN old.status <> new.status AND new.status NOT IN ('waiting', 'completed') AND NOT (old.status = 'pending' AND new.status = 'processing')
BEGIN
    INSERT INTO leora_job_events (job_id, seq, at, kind, status, attempt, worker, message)
    SELECT new.id, coalesce(l.seq, 0) + 1, old.started_at, 'claimed', 'processing', old.attempts, old.locked_by, NULL
    FROM (SELECT 1) AS one
    LEFT JOIN (SELECT seq, kind, attempt FROM leora_job_events WHERE job_id = new.id ORDER BY seq DESC LIMIT 1) AS l ON 1
    WHERE old.status = 'processing' AND NOT coalesce(l.kind IN ('claimed', 'cancel_requested') AND l.attempt = old.attempts, 0);

    INSERT INTO leora_job_events (job_id, seq, at, kind, status, attempt, worker, message)
    SELECT new.id, coalesce((SELECT max(seq) FROM leora_job_events WHERE job_id = new.id), 0) + 1,
           coalesce(CASE e.kind WHEN 'rescued' THEN new.run_at WHEN 'retried' THEN new.run_at
                        ELSE coalesce(new.completed_at, CASE WHEN e.grew THEN
                            CAST(round((julianday(json_extract(new.errors, '$[#-1].at')) - 2440587.5) * 86400000) AS INTEGER) END) END,
                    CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)),
           e.kind, new.status, new.attempts,
           CASE WHEN old.status = 'processing' THEN old.locked_by END,
           CASE WHEN e.grew OR old.status = 'waiting' THEN json_extract(new.errors, '$[#-1].message') END
    FROM (SELECT g.grew,
                 CASE WHEN g.grew AND json_extract(new.errors, '$[#-1].type') = 'LeaseExpired' THEN 'rescued'
                      WHEN new.status = 'cancelled' THEN 'cancelled'
                      WHEN g.grew THEN 'failed'
                      WHEN old.status IN ('processing', 'waiting') AND new.status = 'pending' THEN 'released'
                      WHEN new.status = 'pending' THEN 'retried'
                      ELSE new.status END AS kind
          FROM (SELECT old.status = 'processing' AND new.errors <> old.errors AS grew) g) e;
END;

-- A cancel asked of a running job changes no status: its own event, after its attempt's claim.
DROP TRIGGER leora_jobs_cancel_event;
CREATE TRIGGER leora_jobs_cancel_event AFTER UPDATE OF cancel_requested ON leora_jobs
WHEN new.cancel_requested = 1 AND old.cancel_requested = 0 AND old.status = 'processing' AND new.status = 'processing'
BEGIN
    INSERT INTO leora_job_events (job_id, seq, at, kind, status, attempt, worker, message)
    SELECT new.id, coalesce(l.seq, 0) + 1, old.started_at, 'claimed', 'processing', old.attempts, old.locked_by, NULL
    FROM (SELECT 1) AS one
    LEFT JOIN (SELECT seq, kind, attempt FROM leora_job_events WHERE job_id = new.id ORDER BY seq DESC LIMIT 1) AS l ON 1
    WHERE NOT coalesce(l.kind IN ('claimed', 'cancel_requested') AND l.attempt = old.attempts, 0);

    INSERT INTO leora_job_events (job_id, seq, at, kind, status, attempt, worker, message)
    VALUES (new.id, coalesce((SELECT max(seq) FROM leora_job_events WHERE job_id = new.id), 0) + 1,
            CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER), 'cancel_requested', new.status, new.attempts, new.locked_by, NULL);
END;

-- The history counts a completion in the statement that completes (SqliteSql.HistoryCompleted: one upsert per batch of
-- completions, which share their time), no longer in a trigger per job: the drain ran about 5 % faster. A job that fails
-- for good is still counted here (failures are one job per statement).
DROP TRIGGER leora_jobs_history;
CREATE TRIGGER leora_jobs_history AFTER UPDATE OF status ON leora_jobs
WHEN old.status <> new.status AND new.status = 'failed' AND new.completed_at IS NOT NULL
BEGIN
    INSERT INTO leora_job_history (slot, minute, completed, failed)
    VALUES ((new.completed_at / 60000) % 10200, new.completed_at / 60000, 0, 1)
    ON CONFLICT (slot) DO UPDATE SET
        completed = CASE WHEN minute = excluded.minute THEN completed ELSE 0 END,
        failed    = CASE WHEN minute = excluded.minute THEN failed + excluded.failed ELSE excluded.failed END,
        minute    = excluded.minute
    WHERE excluded.minute >= minute;
END;
