namespace Leora.Jobs.Sqlite;

// Workflows (issue 14, docs/workflows.md): the statements of a workflow insert, of a batch's reads and of its cancel. What
// happens when a workflow job finishes is the workflow triggers' work (migrations 11 and 12), so every statement that
// finishes a job does it.
internal static partial class SqliteSql
{
    public const string BatchInsert =
        "INSERT INTO leora_batches (description, total, pending, created_at) VALUES (@description, @count, @count, @now)";

    // Only a batch that is still running takes more members: one that has finished has released its callbacks already.
    public const string BatchAddMembers = """
        UPDATE leora_batches SET total = total + @count, pending = pending + @count
        WHERE id = @id AND pending > 0 AND cancelled_at IS NULL
        """;

    public const string WorkflowParentStatus = "SELECT id, status FROM leora_jobs WHERE id IN (SELECT value FROM json_each(@ids))";

    public const string WorkflowMarkParents = "UPDATE leora_jobs SET workflow = 1 WHERE id IN (SELECT value FROM json_each(@ids)) AND workflow = 0";

    public const string WorkflowBatchJobInsert = "INSERT INTO leora_batch_jobs (job_id, batch_id, role) VALUES (@job_id, @batch_id, @role)";

    public const string WorkflowDependencyInsert =
        "INSERT OR IGNORE INTO leora_job_dependencies (parent_id, child_id, resolved) VALUES (@parent_id, @child_id, @resolved)";

    public const string WorkflowWaitInsert = "INSERT INTO leora_job_waits (job_id, parents_left, run_anyway) VALUES (@job_id, @parents_left, @run_anyway)";

    // A new row is pending; a job that waits for parents or for its batch becomes waiting before anyone can see it (the
    // same transaction). The timeline's trigger records nothing for it.
    public const string WorkflowMarkJob = """
        UPDATE leora_jobs SET workflow = 1, status = CASE WHEN @waiting = 1 THEN 'waiting' ELSE status END WHERE id = @id
        """;

    // A dependant whose parent had already failed or been cancelled when it was enqueued: cancelled at once, with the reason,
    // which also tells its batch and its own dependants (the trigger).
    public const string WorkflowCancelAtBirth = """
        UPDATE leora_jobs
        SET status = 'cancelled', completed_at = @now,
            errors = json_insert(errors, '$[#]', json_object('attempt', 0, 'message', @message, 'type', 'ParentNotCompleted',
                                                             'stackTrace', NULL, 'at', @now_iso, 'worker', NULL))
        WHERE id = @id AND status = 'waiting'
        """;

    public const string JobHeld = "SELECT 1 FROM leora_jobs WHERE id = @id AND lock_token = @lock_token AND status = 'processing'";

    public const string BatchMarkCancelled = "UPDATE leora_batches SET cancelled_at = @now WHERE id = @id AND cancelled_at IS NULL AND pending > 0";

    public const string BatchExists = "SELECT count(*) FROM leora_batches WHERE id = @id";

    // The callbacks first: when the members' cancel takes the batch to zero, no callback is left waiting to be released.
    public const string BatchCancelCallbacks = """
        UPDATE leora_jobs
        SET status = 'cancelled', completed_at = @now,
            errors = json_insert(errors, '$[#]', json_object('attempt', attempts, 'message', @message, 'type', 'BatchCancelled',
                                                             'stackTrace', NULL, 'at', @now_iso, 'worker', NULL))
        WHERE status = 'waiting' AND id IN (
            SELECT job_id FROM leora_batch_jobs WHERE batch_id = @id AND role IN ('on_complete', 'on_success', 'on_failure'))
        """;

    // As JobCancel, for every member: pending and waiting ones end cancelled, running ones are asked to stop.
    public const string BatchCancelMembers = """
        UPDATE leora_jobs
        SET status = CASE WHEN status IN ('pending', 'waiting') THEN 'cancelled' ELSE status END,
            completed_at = CASE WHEN status IN ('pending', 'waiting') THEN @now ELSE completed_at END,
            cancel_requested = 1
        WHERE status IN ('pending', 'waiting', 'processing') AND id IN (
            SELECT job_id FROM leora_batch_jobs WHERE batch_id = @id AND role = 'member')
        """;

    public const string BatchJobList = """
        SELECT
        """ + " " + Columns + """
         FROM leora_jobs WHERE id IN (
            SELECT job_id FROM leora_batch_jobs WHERE batch_id = @id AND role = 'member' AND job_id > @after ORDER BY job_id LIMIT @limit)
        ORDER BY id
        """;

    // A batch's row and its callbacks, one per role, found through the batch jobs' index (batch_id, role, job_id): the
    // columns BatchGet and BatchList read (the stores' ReadBatch maps them).
    private const string BatchColumns = """
        SELECT b.id, b.description, b.total, b.pending, b.completed, b.failed, b.cancelled, b.created_at, b.finished_at, b.cancelled_at,
               (SELECT job_id FROM leora_batch_jobs WHERE batch_id = b.id AND role = 'on_complete' LIMIT 1),
               (SELECT job_id FROM leora_batch_jobs WHERE batch_id = b.id AND role = 'on_success' LIMIT 1),
               (SELECT job_id FROM leora_batch_jobs WHERE batch_id = b.id AND role = 'on_failure' LIMIT 1)
        """;

    public const string BatchGet = BatchColumns + " FROM leora_batches b WHERE b.id = @id";

    // The batches page and the CLI: newest first by the primary key.
    public const string BatchList = BatchColumns + " FROM leora_batches b WHERE b.id < @before ORDER BY b.id DESC LIMIT @limit";

    public const string BatchJobGet = "SELECT batch_id, role FROM leora_batch_jobs WHERE job_id = @id";

    // A job's parents: its edges by child (leora_job_dependencies_child), then each parent by primary key.
    public const string JobParentList = """
        SELECT
        """ + " " + Columns + """
         FROM leora_jobs WHERE id IN (
            SELECT parent_id FROM leora_job_dependencies WHERE child_id = @id AND parent_id > @after ORDER BY parent_id LIMIT @limit)
        ORDER BY id
        """;

    // A job's dependants: its edges by parent (the primary key, in child order), then each dependant by primary key.
    public const string JobDependantList = """
        SELECT
        """ + " " + Columns + """
         FROM leora_jobs WHERE id IN (
            SELECT child_id FROM leora_job_dependencies WHERE parent_id = @id AND child_id > @after ORDER BY child_id LIMIT @limit)
        ORDER BY id
        """;
}
