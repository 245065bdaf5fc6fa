namespace Leora.Jobs.PostgreSql;

// Workflows (issue 14, docs/workflows.md): the statements of a workflow insert, of a batch's reads and of its cancel. What
// happens when a workflow job finishes is the workflow triggers' work (migrations 11 and 12), so every statement that
// finishes a job does it.
internal static partial class PostgreSqlSql
{
    public const string BatchInsert = """
        INSERT INTO {s}.batches (description, total, pending, created_at) VALUES (@description, @count, @count, coalesce(@now, now()))
        RETURNING id
        """;

    // Only a batch that is still running takes more members: one that has finished has released its callbacks already. The
    // row lock orders this with the members' outcomes (the trigger updates the same row).
    public const string BatchAddMembers = """
        UPDATE {s}.batches SET total = total + @count, pending = pending + @count
        WHERE id = @id AND pending > 0 AND cancelled_at IS NULL
        """;

    // Marks the parents and locks them: a parent finishing now waits for this transaction, and its trigger then sees the new
    // edges; one that finished first is seen finished here.
    public const string WorkflowLockParents = "UPDATE {s}.jobs SET workflow = true WHERE id = ANY(@ids) RETURNING id, status";

    public const string WorkflowBatchJobInsert = """
        INSERT INTO {s}.batch_jobs (job_id, batch_id, role) SELECT t.id, @batch_id, t.role FROM unnest(@ids::bigint[], @roles::text[]) AS t(id, role)
        """;

    public const string WorkflowDependencyInsert = """
        INSERT INTO {s}.job_dependencies (parent_id, child_id, resolved)
        SELECT * FROM unnest(@parents::bigint[], @children::bigint[], @resolved::boolean[])
        ON CONFLICT DO NOTHING
        """;

    public const string WorkflowWaitInsert = """
        INSERT INTO {s}.job_waits (job_id, parents_left, run_anyway)
        SELECT * FROM unnest(@ids::bigint[], @parents_left::integer[], @run_anyway::boolean[])
        """;

    // A workflow's jobs: the store's bulk insert (JobInsertMany) with each row's workflow flag and first status, so a job
    // that waits for parents or for its batch is inserted waiting, never visible as pending, and no row is written twice
    // (an update after the insert left a dead version of every row and a second entry in each index for the claim to skip).
    public static readonly string JobInsertManyWorkflow = JobInsertMany
        .ReplaceOnce("trace_parent, trace_state)", "trace_parent, trace_state, workflow)")
        .ReplaceOnce("SELECT t.kind, t.queue, 'pending',", "SELECT t.kind, t.queue, CASE WHEN t.waiting THEN 'waiting' ELSE 'pending' END,")
        .ReplaceOnce("t.trace_parent, t.trace_state\n", "t.trace_parent, t.trace_state, t.workflow\n")
        .ReplaceOnce("@trace_states::text[])", "@trace_states::text[], @workflows::boolean[], @waitings::boolean[])")
        .ReplaceOnce("trace_parent, trace_state, ord)", "trace_parent, trace_state, workflow, waiting, ord)");

    private static string ReplaceOnce(this string sql, string from, string to) =>
        sql.IndexOf(from, StringComparison.Ordinal) is var at and >= 0 && sql.IndexOf(from, at + 1, StringComparison.Ordinal) < 0
            ? sql.Replace(from, to, StringComparison.Ordinal)
            : throw new InvalidOperationException($"The statement does not hold '{from}' exactly once.");

    // Dependants whose parent had already failed or been cancelled when they were enqueued: cancelled at once, with the
    // reason, which also tells their batch and their own dependants (the trigger).
    public const string WorkflowCancelAtBirth = """
        WITH c AS (
            UPDATE {s}.jobs j
            SET status = 'cancelled', completed_at = coalesce(@now, now()),
                errors = j.errors || jsonb_build_array(jsonb_build_object('attempt', 0, 'message', t.message, 'type', 'ParentNotCompleted',
                    'stackTrace', NULL, 'at', to_char(coalesce(@now, now()) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'worker', NULL))
            FROM unnest(@ids::bigint[], @messages::text[]) AS t(id, message)
            WHERE j.id = t.id AND j.status = 'waiting'
            RETURNING j.id, j.completed_at, t.message)
        INSERT INTO {s}.job_events (job_id, at, kind, status, attempt, message)
        SELECT id, completed_at, 'cancelled', 'cancelled', 0, message FROM c
        """;

    public const string JobHeld = "SELECT 1 FROM {s}.jobs WHERE id = @id AND lock_token = @lock_token AND status = 'processing' FOR UPDATE";

    public const string BatchMarkCancelled = """
        UPDATE {s}.batches SET cancelled_at = coalesce(@now, now()) WHERE id = @id AND cancelled_at IS NULL AND pending > 0
        """;

    public const string BatchExists = "SELECT count(*) FROM {s}.batches WHERE id = @id";

    // The callbacks first: when the members' cancel takes the batch to zero, no callback is left waiting to be released.
    public const string BatchCancelCallbacks = """
        WITH c AS (
            UPDATE {s}.jobs j
            SET status = 'cancelled', completed_at = coalesce(@now, now()),
                errors = j.errors || jsonb_build_array(jsonb_build_object('attempt', j.attempts, 'message', @message, 'type', 'BatchCancelled',
                    'stackTrace', NULL, 'at', to_char(coalesce(@now, now()) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'worker', NULL))
            WHERE j.status = 'waiting' AND j.id IN (
                SELECT job_id FROM {s}.batch_jobs WHERE batch_id = @id AND role IN ('on_complete', 'on_success', 'on_failure'))
            RETURNING j.id, j.completed_at, j.attempts)
        INSERT INTO {s}.job_events (job_id, at, kind, status, attempt, message)
        SELECT id, completed_at, 'cancelled', 'cancelled', attempts, @message FROM c
        """;

    // As JobCancel, for every member: pending and waiting ones end cancelled, running ones are asked to stop.
    public static readonly string BatchCancelMembers = """
        WITH u AS (
            UPDATE {s}.jobs
            SET status = CASE WHEN status IN ('pending', 'waiting') THEN 'cancelled' ELSE status END,
                completed_at = CASE WHEN status IN ('pending', 'waiting') THEN coalesce(@now, now()) ELSE completed_at END,
                cancel_requested = true
            WHERE status IN ('pending', 'waiting', 'processing') AND id IN (
                SELECT job_id FROM {s}.batch_jobs WHERE batch_id = @id AND role = 'member')
            RETURNING id, status, attempts, locked_by, started_at, CASE WHEN status = 'processing' THEN attempts END AS claimed_attempt),
        """ + AttemptEventsOf(CancelEvent) + "\nSELECT count(*) FROM u";

    public const string BatchJobList = """
        SELECT
        """ + " " + Columns + """
         FROM {s}.jobs WHERE id = ANY(ARRAY(
            SELECT job_id FROM {s}.batch_jobs WHERE batch_id = @id AND role = 'member' AND job_id > @after ORDER BY job_id LIMIT @limit))
        ORDER BY id
        """;

    // A batch's row and its callbacks, one per role, found through the batch jobs' index (batch_id, role, job_id): the
    // columns BatchGet and BatchList read (the stores' ReadBatch maps them).
    private const string BatchColumns = """
        SELECT b.id, b.description, b.total, b.pending, b.completed, b.failed, b.cancelled, b.created_at, b.finished_at, b.cancelled_at,
               (SELECT job_id FROM {s}.batch_jobs WHERE batch_id = b.id AND role = 'on_complete' LIMIT 1),
               (SELECT job_id FROM {s}.batch_jobs WHERE batch_id = b.id AND role = 'on_success' LIMIT 1),
               (SELECT job_id FROM {s}.batch_jobs WHERE batch_id = b.id AND role = 'on_failure' LIMIT 1)
        """;

    public const string BatchGet = BatchColumns + " FROM {s}.batches b WHERE b.id = @id";

    // The batches page and the CLI: newest first by the primary key.
    public const string BatchList = BatchColumns + " FROM {s}.batches b WHERE b.id < @before ORDER BY b.id DESC LIMIT @limit";

    public const string BatchJobGet = "SELECT batch_id, role FROM {s}.batch_jobs WHERE job_id = @id";

    // A job's parents: its edges by child (job_dependencies_child), then each parent by primary key.
    public const string JobParentList = """
        SELECT
        """ + " " + Columns + """
         FROM {s}.jobs WHERE id = ANY(ARRAY(
            SELECT parent_id FROM {s}.job_dependencies WHERE child_id = @id AND parent_id > @after ORDER BY parent_id LIMIT @limit))
        ORDER BY id
        """;

    // A job's dependants: its edges by parent (the primary key, in child order), then each dependant by primary key.
    public const string JobDependantList = """
        SELECT
        """ + " " + Columns + """
         FROM {s}.jobs WHERE id = ANY(ARRAY(
            SELECT child_id FROM {s}.job_dependencies WHERE parent_id = @id AND child_id > @after ORDER BY child_id LIMIT @limit))
        ORDER BY id
        """;
}
