using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Leora.Jobs.Storage;
using Microsoft.Data.Sqlite;

namespace Leora.Jobs.Sqlite;

// Workflows (issue 14, docs/workflows.md): inserts with dependencies and batches, a completion with its handler's children,
// and a batch's reads and cancel. One writer at a time: the parents' statuses read here cannot change before the commit.
public sealed partial class SqliteJobStore
{
    /// <inheritdoc />
    public Task<WorkflowInsertResult> WorkflowInsertAsync(WorkflowInsertParams workflow, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        return WriteAsync(transaction, (c, tx) => WorkflowWriteAsync(c, tx, workflow, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<WorkflowInsertResult?> JobCompleteWithChildrenAsync(JobCompleteParams complete, WorkflowInsertParams children, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(complete);
        ArgumentNullException.ThrowIfNull(children);
        return WriteAsync<WorkflowInsertResult?>(null, async (c, tx) =>
        {
            // Checked first, under the write lock (nothing can take the job between this read and the completion): a lost
            // lease writes nothing. The children go before the completion, so that children added to the job's own batch
            // are counted before its outcome could take the batch to zero.
            await using (var held = Command(c, tx, SqliteSql.JobHeld))
            {
                held.Parameters.AddWithValue("@id", complete.Id);
                held.Parameters.AddWithValue("@lock_token", Token(complete.LockToken));
                if (await held.ExecuteScalarAsync(cancellationToken) is null) return null;
            }
            var result = await WorkflowWriteAsync(c, tx, children, cancellationToken);
            var now = NowMs;
            await using var cmd = Command(c, tx, SqliteSql.JobComplete);
            cmd.Parameters.AddWithValue("@id", complete.Id);
            cmd.Parameters.AddWithValue("@lock_token", Token(complete.LockToken));
            cmd.Parameters.AddWithValue("@now", now);
            cmd.Parameters.AddWithValue("@result", (object?)complete.Result ?? DBNull.Value);
            if (await cmd.ExecuteNonQueryAsync(cancellationToken) != 1)
                throw new InvalidOperationException("A job held under the write lock could not be completed.");
            await CountCompletedAsync(c, tx, now, 1, cancellationToken);
            return result;
        }, cancellationToken, workerWrite: true);
    }

    private async Task<WorkflowInsertResult> WorkflowWriteAsync(SqliteConnection c, SqliteTransaction tx, WorkflowInsertParams w, CancellationToken ct)
    {
        var now = NowMs;
        var members = w.Jobs.Count(j => j.BatchRole == JobBatchRole.Member);
        var batchId = w.BatchId;
        if (w.NewBatch)
        {
            await using var insert = Command(c, tx, SqliteSql.BatchInsert);
            insert.Parameters.AddWithValue("@description", (object?)w.Description ?? DBNull.Value);
            insert.Parameters.AddWithValue("@count", members);
            insert.Parameters.AddWithValue("@now", now);
            await insert.ExecuteNonQueryAsync(ct);
            batchId = SQLitePCL.raw.sqlite3_last_insert_rowid(c.Handle);
        }
        else if (batchId is { } id && members > 0)
        {
            await using var add = Command(c, tx, SqliteSql.BatchAddMembers);
            add.Parameters.AddWithValue("@id", id);
            add.Parameters.AddWithValue("@count", members);
            if (await add.ExecuteNonQueryAsync(ct) != 1) throw WorkflowErrors.BatchClosed(id);
        }

        // The existing parents: every one must exist; their statuses decide whether a dependant waits.
        var parentIds = w.Jobs.SelectMany(j => j.ParentIds).Distinct().ToList();
        var statuses = new Dictionary<long, string>();
        if (parentIds.Count > 0)
        {
            var idsJson = JsonSerializer.Serialize(parentIds);
            await using (var read = Command(c, tx, SqliteSql.WorkflowParentStatus))
            {
                read.Parameters.AddWithValue("@ids", idsJson);
                await using var r = await read.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct)) statuses[r.GetInt64(0)] = r.GetString(1);
            }
            foreach (var parent in parentIds)
                if (!statuses.ContainsKey(parent)) throw WorkflowErrors.UnknownParent(parent);
            await using var mark = Command(c, tx, SqliteSql.WorkflowMarkParents);
            mark.Parameters.AddWithValue("@ids", idsJson);
            await mark.ExecuteNonQueryAsync(ct);
        }

        var ids = new long[w.Jobs.Count];
        using (var insert = new RowInserter(c, tx, now))
            for (var i = 0; i < w.Jobs.Count; i++) ids[i] = (await insert.InsertAsync(w.Jobs[i].Job, ct)).Id;

        var hasDependants = new bool[w.Jobs.Count];
        foreach (var j in w.Jobs) foreach (var p in j.ParentIndexes) hasDependants[p] = true;

        await using var batchJob = Prepared(c, tx, SqliteSql.WorkflowBatchJobInsert, "@job_id", "@batch_id", "@role");
        await using var dependency = Prepared(c, tx, SqliteSql.WorkflowDependencyInsert, "@parent_id", "@child_id", "@resolved");
        await using var wait = Prepared(c, tx, SqliteSql.WorkflowWaitInsert, "@job_id", "@parents_left", "@run_anyway");
        await using var markJob = Prepared(c, tx, SqliteSql.WorkflowMarkJob, "@id", "@waiting");
        var doomed = new List<(long Id, long Parent, string Status)>();
        for (var i = 0; i < w.Jobs.Count; i++)
        {
            var job = w.Jobs[i];
            var id = ids[i];
            if (!job.HasParents && job.BatchRole is null && !hasDependants[i]) continue;
            if (job.BatchRole is { } role)
                await RunAsync(batchJob, ct, id, batchId ?? throw new InvalidOperationException("A batch job needs a batch."), JobBatchRoleNames.Name(role));
            var left = 0;
            var cancelAtBirth = false;
            if (job.HasParents)
            {
                (long Parent, string Status)? failedParent = null;
                foreach (var parent in job.ParentIds.Distinct())
                {
                    var status = statuses[parent];
                    var finished = status is "completed" or "failed" or "cancelled";
                    if (!finished) left++;
                    else if (status != "completed" && !job.RunAnyway) failedParent ??= (parent, status);
                    await RunAsync(dependency, ct, parent, id, finished ? 1 : 0);
                }
                foreach (var index in job.ParentIndexes.Distinct())
                {
                    left++;
                    await RunAsync(dependency, ct, ids[index], id, 0);
                }
                await RunAsync(wait, ct, id, left, job.RunAnyway ? 1 : 0);
                if (failedParent is { } f)
                {
                    doomed.Add((id, f.Parent, f.Status));
                    cancelAtBirth = true;
                }
            }
            var waiting = left > 0 || cancelAtBirth || job.BatchRole is not (null or JobBatchRole.Member);
            await RunAsync(markJob, ct, id, waiting ? 1 : 0);
        }

        // Last, once every edge is written: a cancel at birth cascades to the dependants inserted with it.
        foreach (var (id, parent, status) in doomed)
        {
            await using var cancel = Command(c, tx, SqliteSql.WorkflowCancelAtBirth);
            cancel.Parameters.AddWithValue("@id", id);
            cancel.Parameters.AddWithValue("@now", now);
            cancel.Parameters.AddWithValue("@now_iso", Iso(now));
            cancel.Parameters.AddWithValue("@message", WorkflowErrors.ParentNotCompleted(parent, status));
            await cancel.ExecuteNonQueryAsync(ct);
        }
        return new WorkflowInsertResult(batchId, ids);
    }

    private static SqliteCommand Prepared(SqliteConnection c, SqliteTransaction tx, string sql, params string[] names)
    {
        var cmd = Command(c, tx, sql);
        foreach (var name in names) cmd.Parameters.Add(new SqliteParameter(name, null));
        cmd.Prepare();
        return cmd;
    }

    private static async Task RunAsync(SqliteCommand cmd, CancellationToken ct, params object[] values)
    {
        for (var i = 0; i < values.Length; i++) cmd.Parameters[i].Value = values[i];
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static string Iso(long ms) => FromUnixMs(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public Task<BatchRow?> BatchGetAsync(long id, CancellationToken cancellationToken) =>
        ReadAsync<BatchRow?>(async c =>
        {
            await using var cmd = Command(c, null, SqliteSql.BatchGet);
            cmd.Parameters.AddWithValue("@id", id);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            return await r.ReadAsync(cancellationToken) ? ReadBatch(r) : null;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<JobCancelResult> BatchCancelAsync(long id, CancellationToken cancellationToken) =>
        WriteAsync(null, async (c, tx) =>
        {
            var now = NowMs;
            await using (var mark = Command(c, tx, SqliteSql.BatchMarkCancelled))
            {
                mark.Parameters.AddWithValue("@id", id);
                mark.Parameters.AddWithValue("@now", now);
                if (await mark.ExecuteNonQueryAsync(cancellationToken) == 0)
                    return Convert.ToInt64(await ScalarWithIdAsync(c, tx, SqliteSql.BatchExists, id, cancellationToken), CultureInfo.InvariantCulture) == 0
                        ? JobCancelResult.NotFound : JobCancelResult.AlreadyFinished;
            }
            await using (var callbacks = Command(c, tx, SqliteSql.BatchCancelCallbacks))
            {
                callbacks.Parameters.AddWithValue("@id", id);
                callbacks.Parameters.AddWithValue("@now", now);
                callbacks.Parameters.AddWithValue("@now_iso", Iso(now));
                callbacks.Parameters.AddWithValue("@message", WorkflowErrors.BatchCancelled(id));
                await callbacks.ExecuteNonQueryAsync(cancellationToken);
            }
            await using var members = Command(c, tx, SqliteSql.BatchCancelMembers);
            members.Parameters.AddWithValue("@id", id);
            members.Parameters.AddWithValue("@now", now);
            await members.ExecuteNonQueryAsync(cancellationToken);
            return JobCancelResult.Cancelled;
        }, cancellationToken);

    private static async Task<object?> ScalarWithIdAsync(SqliteConnection c, SqliteTransaction tx, string sql, long id, CancellationToken ct)
    {
        await using var cmd = Command(c, tx, sql);
        cmd.Parameters.AddWithValue("@id", id);
        return await cmd.ExecuteScalarAsync(ct);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<JobRow>> BatchJobListAsync(long batchId, long? afterId, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<JobRow>>(async c =>
        {
            await using var cmd = Command(c, null, SqliteSql.BatchJobList);
            cmd.Parameters.AddWithValue("@id", batchId);
            cmd.Parameters.AddWithValue("@after", afterId ?? 0);
            cmd.Parameters.AddWithValue("@limit", limit);
            return await ReadRowsAsync(cmd, cancellationToken);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<BatchRow>> BatchListAsync(long? beforeId, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<BatchRow>>(async c =>
        {
            await using var cmd = Command(c, null, SqliteSql.BatchList);
            cmd.Parameters.AddWithValue("@before", beforeId ?? long.MaxValue);
            cmd.Parameters.AddWithValue("@limit", limit);
            var rows = new List<BatchRow>();
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken)) rows.Add(ReadBatch(r));
            return rows;
        }, cancellationToken);

    // A row of BatchGet or BatchList: the batch's columns, then its callbacks' ids by role (null when it has none).
    private static BatchRow ReadBatch(SqliteDataReader r)
    {
        var callbacks = new List<(long, JobBatchRole)>(3);
        foreach (var (column, role) in CallbackColumns)
            if (!r.IsDBNull(column)) callbacks.Add((r.GetInt64(column), role));
        return new BatchRow
        {
            Id = r.GetInt64(0),
            Description = r.IsDBNull(1) ? null : r.GetString(1),
            Total = r.GetInt32(2),
            Pending = r.GetInt32(3),
            Completed = r.GetInt32(4),
            Failed = r.GetInt32(5),
            Cancelled = r.GetInt32(6),
            CreatedAt = FromUnixMs(r.GetInt64(7)),
            FinishedAt = Time(r, 8),
            CancelledAt = Time(r, 9),
            Callbacks = callbacks,
        };
    }

    private static readonly (int Column, JobBatchRole Role)[] CallbackColumns =
        [(10, JobBatchRole.OnComplete), (11, JobBatchRole.OnSuccess), (12, JobBatchRole.OnFailure)];

    /// <inheritdoc />
    public Task<(long BatchId, JobBatchRole Role)?> BatchJobGetAsync(long jobId, CancellationToken cancellationToken) =>
        ReadAsync<(long, JobBatchRole)?>(async c =>
        {
            await using var cmd = Command(c, null, SqliteSql.BatchJobGet);
            cmd.Parameters.AddWithValue("@id", jobId);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            return await r.ReadAsync(cancellationToken) ? (r.GetInt64(0), JobBatchRoleNames.Parse(r.GetString(1))) : null;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<JobRow>> JobParentListAsync(long jobId, long? afterId, int limit, CancellationToken cancellationToken) =>
        LinkListAsync(SqliteSql.JobParentList, jobId, afterId, limit, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<JobRow>> JobDependantListAsync(long jobId, long? afterId, int limit, CancellationToken cancellationToken) =>
        LinkListAsync(SqliteSql.JobDependantList, jobId, afterId, limit, cancellationToken);

    private Task<IReadOnlyList<JobRow>> LinkListAsync(string sql, long jobId, long? afterId, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<JobRow>>(async c =>
        {
            await using var cmd = Command(c, null, sql);
            cmd.Parameters.AddWithValue("@id", jobId);
            cmd.Parameters.AddWithValue("@after", afterId ?? 0);
            cmd.Parameters.AddWithValue("@limit", limit);
            return await ReadRowsAsync(cmd, cancellationToken);
        }, cancellationToken);
}
