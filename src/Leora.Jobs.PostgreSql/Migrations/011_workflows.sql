-- Leora Jobs, PostgreSQL, migration 11: workflows (issue 14, docs/workflows.md): jobs that wait for other jobs, batches
-- with callbacks. {schema} is the configured schema, quoted.
--
-- A job that waits for its parents (or a batch's callback, for its batch) has the status 'waiting'. Every claim index is
-- partial on status = 'pending', so a waiting job has no entry in any of them and the claim's plan is unchanged.
-- NOT VALID: the new constraint only allows more, so the stored rows need no scan.
ALTER TABLE {schema}.jobs DROP CONSTRAINT jobs_status_check;
ALTER TABLE {schema}.jobs ADD CONSTRAINT jobs_status_check
    CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'cancelled', 'waiting')) NOT VALID;

-- Whether the job takes part in a workflow (it has dependants, waits for parents, or belongs to a batch): the workflow
-- trigger fires only for these rows, so a plain job's outcome pays nothing but the WHEN clause. A constant default adds
-- the column without rewriting the table.
ALTER TABLE {schema}.jobs ADD COLUMN workflow boolean NOT NULL DEFAULT false;

-- One row per edge of a graph, read by parent when the parent finishes (the primary key), by child for the graph's view.
-- resolved: the parent has finished once and the child was counted down (or cancelled); a parent run again by a manual
-- retry never counts a child down twice.
CREATE TABLE {schema}.job_dependencies (
    parent_id bigint  NOT NULL,
    child_id  bigint  NOT NULL,
    resolved  boolean NOT NULL DEFAULT false,
    PRIMARY KEY (parent_id, child_id)
);
CREATE INDEX job_dependencies_child ON {schema}.job_dependencies (child_id);

-- A waiting dependant: how many of its parents have not finished yet, and whether it runs when one fails or is cancelled
-- (run_anyway) or is cancelled with it (the default).
CREATE TABLE {schema}.job_waits (
    job_id       bigint  PRIMARY KEY,
    parents_left integer NOT NULL,
    run_anyway   boolean NOT NULL DEFAULT false
);

-- A batch's progress, counted by the trigger below in the transaction of each member's outcome: pending is the members
-- not finished yet. The row lock of that update orders concurrent outcomes, so exactly one transaction takes pending to
-- zero, and that one releases the callbacks.
CREATE TABLE {schema}.batches (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    description  text        NULL,
    total        integer     NOT NULL,
    pending      integer     NOT NULL,
    completed    integer     NOT NULL DEFAULT 0,
    failed       integer     NOT NULL DEFAULT 0,
    cancelled    integer     NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz NULL,
    cancelled_at timestamptz NULL
);

-- The jobs of a batch: its members, and its callbacks (waiting until the batch finishes). By job (the trigger finds a
-- finishing job's batch) and by batch and role (the callbacks of a batch, its members' list) — never a scan of jobs.
CREATE TABLE {schema}.batch_jobs (
    job_id   bigint PRIMARY KEY,
    batch_id bigint NOT NULL,
    role     text   NOT NULL CHECK (role IN ('member', 'on_complete', 'on_success', 'on_failure'))
);
CREATE INDEX batch_jobs_batch ON {schema}.batch_jobs (batch_id, role, job_id);

-- A workflow job finished: its dependants and its batch learn it in the same transaction, whichever statement finished it
-- (complete, fail, cancel, rescue). In order: cancel the dependants that do not run after a failed or cancelled parent
-- (each cancel fires this trigger again for its own dependants); count the others down; release those left with no parent
-- to wait for; mark the edges resolved. Then the batch: count the outcome, and when no member is left, release the
-- callbacks that apply and cancel the others. Each change of another job writes its timeline event, as the store's own
-- statements do.
CREATE FUNCTION {schema}.job_workflow_finished() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    b_id bigint;
    b_pending integer;
    b_ok boolean;
BEGIN
    IF NEW.status <> 'completed' THEN
        WITH c AS (
            UPDATE {schema}.jobs j
            SET status = 'cancelled', completed_at = coalesce(NEW.completed_at, now()),
                errors = j.errors || jsonb_build_array(jsonb_build_object('attempt', j.attempts,
                    'message', format('Parent job %s %s; this job depends on it.', NEW.id, NEW.status),
                    'type', 'ParentNotCompleted', 'stackTrace', NULL,
                    'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'worker', NULL))
            WHERE j.status = 'waiting' AND j.id IN (
                SELECT d.child_id FROM {schema}.job_dependencies d JOIN {schema}.job_waits w ON w.job_id = d.child_id
                WHERE d.parent_id = NEW.id AND NOT d.resolved AND NOT w.run_anyway)
            RETURNING j.id, j.completed_at, j.attempts)
        INSERT INTO {schema}.job_events (job_id, at, kind, status, attempt, message)
        SELECT id, completed_at, 'cancelled', 'cancelled', attempts, format('Parent job %s %s; this job depends on it.', NEW.id, NEW.status) FROM c;
    END IF;

    UPDATE {schema}.job_waits SET parents_left = parents_left - 1
    WHERE job_id IN (SELECT child_id FROM {schema}.job_dependencies WHERE parent_id = NEW.id AND NOT resolved);

    WITH r AS (
        UPDATE {schema}.jobs j SET status = 'pending', run_at = greatest(j.run_at, now())
        WHERE j.status = 'waiting' AND j.id IN (
            SELECT d.child_id FROM {schema}.job_dependencies d JOIN {schema}.job_waits w ON w.job_id = d.child_id
            WHERE d.parent_id = NEW.id AND NOT d.resolved AND w.parents_left <= 0)
        RETURNING j.id, j.run_at, j.attempts)
    INSERT INTO {schema}.job_events (job_id, at, kind, status, attempt)
    SELECT id, run_at, 'released', 'pending', attempts FROM r;

    UPDATE {schema}.job_dependencies SET resolved = true WHERE parent_id = NEW.id AND NOT resolved;

    UPDATE {schema}.batches
    SET pending = pending - 1,
        completed = completed + (NEW.status = 'completed')::int,
        failed = failed + (NEW.status = 'failed')::int,
        cancelled = cancelled + (NEW.status = 'cancelled')::int,
        finished_at = CASE WHEN pending = 1 THEN now() END
    WHERE id = (SELECT batch_id FROM {schema}.batch_jobs WHERE job_id = NEW.id AND role = 'member')
    RETURNING id, pending, failed + cancelled = 0 INTO b_id, b_pending, b_ok;

    IF b_id IS NOT NULL AND b_pending = 0 THEN
        WITH c AS (
            SELECT cb.job_id, cb.role = 'on_complete' OR (cb.role = 'on_success') = b_ok AS fires
            FROM {schema}.batch_jobs cb
            WHERE cb.batch_id = b_id AND cb.role IN ('on_complete', 'on_success', 'on_failure')),
        u AS (
            UPDATE {schema}.jobs j
            SET status = CASE WHEN c.fires THEN 'pending' ELSE 'cancelled' END,
                run_at = CASE WHEN c.fires THEN greatest(j.run_at, now()) ELSE j.run_at END,
                completed_at = CASE WHEN c.fires THEN NULL ELSE now() END,
                errors = CASE WHEN c.fires THEN j.errors ELSE j.errors || jsonb_build_array(jsonb_build_object('attempt', j.attempts,
                    'message', format('Batch %s ended %s; this callback runs only %s.', b_id,
                                      CASE WHEN b_ok THEN 'without a failure' ELSE 'with failures' END,
                                      CASE WHEN b_ok THEN 'on failure' ELSE 'on success' END),
                    'type', 'BatchCallbackSkipped', 'stackTrace', NULL,
                    'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'worker', NULL)) END
            FROM c
            WHERE j.id = c.job_id AND j.status = 'waiting'
            RETURNING j.id, j.status, j.run_at, j.completed_at, j.attempts, j.errors)
        INSERT INTO {schema}.job_events (job_id, at, kind, status, attempt, message)
        SELECT id, coalesce(completed_at, run_at), CASE WHEN status = 'pending' THEN 'released' ELSE 'cancelled' END, status, attempts,
               CASE WHEN status = 'cancelled' THEN errors -> -1 ->> 'message' END
        FROM u;
    END IF;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER jobs_workflow_finished AFTER UPDATE OF status ON {schema}.jobs
FOR EACH ROW
WHEN (NEW.workflow AND OLD.status NOT IN ('completed', 'failed', 'cancelled') AND NEW.status IN ('completed', 'failed', 'cancelled'))
EXECUTE FUNCTION {schema}.job_workflow_finished();

-- A workflow job's rows go with it (delete, clean-up, pruning). An unfinished workflow job is never deleted (the delete
-- statements refuse it: cancel it first), so its dependants and batch have always learnt its outcome by then.
CREATE FUNCTION {schema}.job_workflow_deleted() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    DELETE FROM {schema}.job_dependencies WHERE parent_id = OLD.id;
    DELETE FROM {schema}.job_dependencies WHERE child_id = OLD.id;
    DELETE FROM {schema}.job_waits WHERE job_id = OLD.id;
    DELETE FROM {schema}.batch_jobs WHERE job_id = OLD.id;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER jobs_workflow_deleted AFTER DELETE ON {schema}.jobs
FOR EACH ROW WHEN (OLD.workflow)
EXECUTE FUNCTION {schema}.job_workflow_deleted();
