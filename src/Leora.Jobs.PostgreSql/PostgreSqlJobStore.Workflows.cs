using System.Data.Common;
using Leora.Jobs.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Leora.Jobs.PostgreSql;

// Workflows (issue 14, docs/workflows.md): inserts with dependencies and batches, a completion with its handler's children,
// and a batch's reads and cancel. Each step is one statement over arrays, so a batch of 100,000 jobs is a few round trips.
public sealed partial class PostgreSqlJobStore
{
    /// <inheritdoc />
    public Task<WorkflowInsertResult> WorkflowInsertAsync(WorkflowInsertParams workflow, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        return WithConnectionAsync(transaction, async (c, callerTx) =>
        {
            if (callerTx is not null) return await WorkflowWriteAsync(c, callerTx, workflow, cancellationToken);
            await using var tx = await c.BeginTransactionAsync(cancellationToken);
            var result = await WorkflowWriteAsync(c, tx, workflow, cancellationToken);
            await tx.CommitAsync(cancellationToken);
            return result;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<WorkflowInsertResult?> JobCompleteWithChildrenAsync(JobCompleteParams complete, WorkflowInsertParams children, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(complete);
        ArgumentNullException.ThrowIfNull(children);
        return RetriedOnDeadlockAsync(() => WithConnectionAsync<WorkflowInsertResult?>(null, async (c, _) =>
        {
            await using var tx = await c.BeginTransactionAsync(cancellationToken);
            // The row lock keeps the job ours until the commit: a lost lease writes nothing. The children go before the
            // completion, so that children added to the job's own batch are counted before its outcome could take it to zero.
            await using (var held = Command(c, tx, PostgreSqlSql.JobHeld))
            {
                held.Parameters.AddWithValue("id", complete.Id);
                held.Parameters.AddWithValue("lock_token", complete.LockToken);
                if (await held.ExecuteScalarAsync(cancellationToken) is null) return null;
            }
            var result = await WorkflowWriteAsync(c, tx, children, cancellationToken);
            await using (var cmd = Command(c, tx, PostgreSqlSql.JobComplete))
            {
                cmd.Parameters.AddWithValue("id", complete.Id);
                cmd.Parameters.AddWithValue("lock_token", complete.LockToken);
                cmd.Parameters.Add(new NpgsqlParameter("result", NpgsqlDbType.Text) { Value = (object?)complete.Result ?? DBNull.Value });
                if (await cmd.ExecuteScalarAsync(cancellationToken) is not long)
                    throw new InvalidOperationException("A job held under its row lock could not be completed.");
            }
            await tx.CommitAsync(cancellationToken);
            return result;
        }, cancellationToken));
    }

    private async Task<WorkflowInsertResult> WorkflowWriteAsync(NpgsqlConnection c, NpgsqlTransaction tx, WorkflowInsertParams w, CancellationToken ct)
    {
        var members = w.Jobs.Count(j => j.BatchRole == JobBatchRole.Member);
        var batchId = w.BatchId;
        if (w.NewBatch)
        {
            await using var insert = Command(c, tx, PostgreSqlSql.BatchInsert);
            insert.Parameters.Add(new NpgsqlParameter("description", NpgsqlDbType.Text) { Value = (object?)w.Description ?? DBNull.Value });
            insert.Parameters.AddWithValue("count", members);
            batchId = (long)(await insert.ExecuteScalarAsync(ct))!;
        }
        else if (batchId is { } id && members > 0)
        {
            await using var add = Command(c, tx, PostgreSqlSql.BatchAddMembers);
            add.Parameters.AddWithValue("id", id);
            add.Parameters.AddWithValue("count", members);
            if (await add.ExecuteNonQueryAsync(ct) != 1) throw WorkflowErrors.BatchClosed(id);
        }

        // A parent that had already finished when its dependant was enqueued: counted as resolved (and, failed or
        // cancelled, dooms the dependant unless it runs anyway).
        static bool IsFinished(string status) => status is "completed" or "failed" or "cancelled";

        var parentIds = w.Jobs.SelectMany(j => j.ParentIds).Distinct().ToArray();
        var statuses = new Dictionary<long, string>();
        if (parentIds.Length > 0)
        {
            await using var read = Command(c, tx, PostgreSqlSql.WorkflowLockParents);
            read.Parameters.AddWithValue("ids", parentIds);
            await using (var r = await read.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct)) statuses[r.GetInt64(0)] = r.GetString(1);
            foreach (var parent in parentIds)
                if (!statuses.ContainsKey(parent)) throw WorkflowErrors.UnknownParent(parent);
        }

        // Each job's place in the workflow, known before its insert: whether it takes part (its flag), how many parents it
        // still waits for, and whether it starts waiting (for parents, for its batch as a callback, or to be cancelled at
        // once because a parent had already failed).
        var hasDependants = new bool[w.Jobs.Count];
        foreach (var j in w.Jobs) foreach (var p in j.ParentIndexes) hasDependants[p] = true;
        var flagged = new bool[w.Jobs.Count];
        var waiting = new bool[w.Jobs.Count];
        var parentsLeft = new int[w.Jobs.Count];
        var doomedBy = new string?[w.Jobs.Count];
        for (var i = 0; i < w.Jobs.Count; i++)
        {
            var job = w.Jobs[i];
            flagged[i] = job.HasParents || job.BatchRole is not null || hasDependants[i];
            foreach (var parent in job.ParentIds.Distinct())
            {
                var status = statuses[parent];
                if (!IsFinished(status)) parentsLeft[i]++;
                else if (status != "completed" && !job.RunAnyway) doomedBy[i] ??= WorkflowErrors.ParentNotCompleted(parent, status);
            }
            parentsLeft[i] += job.ParentIndexes.Distinct().Count();
            waiting[i] = parentsLeft[i] > 0 || doomedBy[i] is not null || job.BatchRole is not (null or JobBatchRole.Member);
        }

        // The insert of the jobs themselves is the store's own, in this transaction, with those flags.
        var inserted = await JobInsertManyAsync([.. w.Jobs.Select(j => j.Job)], (flagged, waiting), tx, ct);
        var ids = inserted.Select(r => r.Id).ToArray();

        List<long> batchIds = [], waitIds = [], depParents = [], depChildren = [], doomedIds = [];
        List<string> roles = [], doomedMessages = [];
        List<bool> runAnyway = [], resolved = [];
        List<int> left = [];
        for (var i = 0; i < w.Jobs.Count; i++)
        {
            var job = w.Jobs[i];
            var id = ids[i];
            if (job.BatchRole is { } role)
            {
                batchIds.Add(id);
                roles.Add(JobBatchRoleNames.Name(role));
            }
            if (!job.HasParents) continue;
            foreach (var parent in job.ParentIds.Distinct())
            {
                depParents.Add(parent);
                depChildren.Add(id);
                resolved.Add(IsFinished(statuses[parent]));
            }
            foreach (var index in job.ParentIndexes.Distinct())
            {
                depParents.Add(ids[index]);
                depChildren.Add(id);
                resolved.Add(false);
            }
            waitIds.Add(id);
            left.Add(parentsLeft[i]);
            runAnyway.Add(job.RunAnyway);
            if (doomedBy[i] is { } message)
            {
                doomedIds.Add(id);
                doomedMessages.Add(message);
            }
        }

        if (batchIds.Count > 0)
            await ExecAsync(PostgreSqlSql.WorkflowBatchJobInsert, p =>
            {
                p.AddWithValue("batch_id", batchId ?? throw new InvalidOperationException("A batch job needs a batch."));
                p.AddWithValue("ids", batchIds.ToArray());
                p.AddWithValue("roles", roles.ToArray());
            });
        if (depParents.Count > 0)
            await ExecAsync(PostgreSqlSql.WorkflowDependencyInsert, p =>
            {
                p.AddWithValue("parents", depParents.ToArray());
                p.AddWithValue("children", depChildren.ToArray());
                p.AddWithValue("resolved", resolved.ToArray());
            });
        if (waitIds.Count > 0)
            await ExecAsync(PostgreSqlSql.WorkflowWaitInsert, p =>
            {
                p.AddWithValue("ids", waitIds.ToArray());
                p.AddWithValue("parents_left", left.ToArray());
                p.AddWithValue("run_anyway", runAnyway.ToArray());
            });
        // Last, once every edge is written: a cancel at birth cascades to the dependants inserted with it.
        if (doomedIds.Count > 0)
            await ExecAsync(PostgreSqlSql.WorkflowCancelAtBirth, p =>
            {
                p.AddWithValue("ids", doomedIds.ToArray());
                p.AddWithValue("messages", doomedMessages.ToArray());
            });
        return new WorkflowInsertResult(batchId, ids);

        async Task ExecAsync(string sql, Action<NpgsqlParameterCollection> bind)
        {
            await using var cmd = Command(c, tx, sql);
            bind(cmd.Parameters);
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <inheritdoc />
    public Task<BatchRow?> BatchGetAsync(long id, CancellationToken cancellationToken) =>
        WithConnectionAsync<BatchRow?>(async c =>
        {
            await using var cmd = Command(c, null, PostgreSqlSql.BatchGet);
            cmd.Parameters.AddWithValue("id", id);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            return await r.ReadAsync(cancellationToken) ? ReadBatch(r) : null;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<JobCancelResult> BatchCancelAsync(long id, CancellationToken cancellationToken) =>
        WithConnectionAsync(null, async (c, _) =>
        {
            await using var tx = await c.BeginTransactionAsync(cancellationToken);
            await using (var mark = Command(c, tx, PostgreSqlSql.BatchMarkCancelled))
            {
                mark.Parameters.AddWithValue("id", id);
                if (await mark.ExecuteNonQueryAsync(cancellationToken) == 0)
                {
                    await using var exists = Command(c, tx, PostgreSqlSql.BatchExists);
                    exists.Parameters.AddWithValue("id", id);
                    return (long)(await exists.ExecuteScalarAsync(cancellationToken))! == 0 ? JobCancelResult.NotFound : JobCancelResult.AlreadyFinished;
                }
            }
            await using (var callbacks = Command(c, tx, PostgreSqlSql.BatchCancelCallbacks))
            {
                callbacks.Parameters.AddWithValue("id", id);
                callbacks.Parameters.AddWithValue("message", WorkflowErrors.BatchCancelled(id));
                await callbacks.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var members = Command(c, tx, PostgreSqlSql.BatchCancelMembers))
            {
                members.Parameters.AddWithValue("id", id);
                await members.ExecuteNonQueryAsync(cancellationToken);
            }
            await tx.CommitAsync(cancellationToken);
            return JobCancelResult.Cancelled;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<JobRow>> BatchJobListAsync(long batchId, long? afterId, int limit, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<JobRow>>(async c =>
        {
            await using var cmd = Command(c, null, PostgreSqlSql.BatchJobList);
            cmd.Parameters.AddWithValue("id", batchId);
            cmd.Parameters.AddWithValue("after", afterId ?? 0L);
            cmd.Parameters.AddWithValue("limit", limit);
            return await ReadRowsAsync(cmd, cancellationToken);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<BatchRow>> BatchListAsync(long? beforeId, int limit, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<BatchRow>>(async c =>
        {
            await using var cmd = Command(c, null, PostgreSqlSql.BatchList);
            cmd.Parameters.AddWithValue("before", beforeId ?? long.MaxValue);
            cmd.Parameters.AddWithValue("limit", limit);
            var rows = new List<BatchRow>();
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken)) rows.Add(ReadBatch(r));
            return rows;
        }, cancellationToken);

    // A row of BatchGet or BatchList: the batch's columns, then its callbacks' ids by role (null when it has none).
    private static BatchRow ReadBatch(NpgsqlDataReader r)
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
            CreatedAt = Time(r, 7)!.Value,
            FinishedAt = Time(r, 8),
            CancelledAt = Time(r, 9),
            Callbacks = callbacks,
        };
    }

    private static readonly (int Column, JobBatchRole Role)[] CallbackColumns =
        [(10, JobBatchRole.OnComplete), (11, JobBatchRole.OnSuccess), (12, JobBatchRole.OnFailure)];

    /// <inheritdoc />
    public Task<(long BatchId, JobBatchRole Role)?> BatchJobGetAsync(long jobId, CancellationToken cancellationToken) =>
        WithConnectionAsync<(long, JobBatchRole)?>(async c =>
        {
            await using var cmd = Command(c, null, PostgreSqlSql.BatchJobGet);
            cmd.Parameters.AddWithValue("id", jobId);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            return await r.ReadAsync(cancellationToken) ? (r.GetInt64(0), JobBatchRoleNames.Parse(r.GetString(1))) : null;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<JobRow>> JobParentListAsync(long jobId, long? afterId, int limit, CancellationToken cancellationToken) =>
        LinkListAsync(PostgreSqlSql.JobParentList, jobId, afterId, limit, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<JobRow>> JobDependantListAsync(long jobId, long? afterId, int limit, CancellationToken cancellationToken) =>
        LinkListAsync(PostgreSqlSql.JobDependantList, jobId, afterId, limit, cancellationToken);

    private Task<IReadOnlyList<JobRow>> LinkListAsync(string sql, long jobId, long? afterId, int limit, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<JobRow>>(async c =>
        {
            await using var cmd = Command(c, null, sql);
            cmd.Parameters.AddWithValue("id", jobId);
            cmd.Parameters.AddWithValue("after", afterId ?? 0L);
            cmd.Parameters.AddWithValue("limit", limit);
            return await ReadRowsAsync(cmd, cancellationToken);
        }, cancellationToken);
}
