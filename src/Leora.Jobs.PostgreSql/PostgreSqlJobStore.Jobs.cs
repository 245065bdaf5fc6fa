using System.Data.Common;
using System.Text;
using Leora.Jobs.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Leora.Jobs.PostgreSql;

public sealed partial class PostgreSqlJobStore
{
    /// <inheritdoc />
    public Task<EnqueueResult> JobInsertAsync(JobInsertParams job, DbTransaction? transaction, CancellationToken cancellationToken) =>
        WithConnectionAsync(transaction, async (c, tx) =>
        {
            await using var cmd = Command(c, tx, PostgreSqlSql.JobInsert);
            var p = cmd.Parameters;
            p.AddWithValue("kind", job.Kind);
            p.AddWithValue("queue", job.Queue);
            p.AddWithValue("priority", job.Priority);
            p.AddWithValue("payload", job.Payload);
            p.AddWithValue("max_attempts", job.MaxAttempts);
            p.Add(new NpgsqlParameter("idempotency_key", NpgsqlDbType.Text) { Value = (object?)job.IdempotencyKey ?? DBNull.Value });
            p.Add(new NpgsqlParameter("run_at", NpgsqlDbType.TimestampTz) { Value = job.RunAt is { } r ? r.UtcDateTime : DBNull.Value });
            p.Add(new NpgsqlParameter("delay_ms", NpgsqlDbType.Bigint) { Value = job.Delay is { } d ? (long)d.TotalMilliseconds : DBNull.Value });
            p.Add(new NpgsqlParameter("concurrency_key", NpgsqlDbType.Text) { Value = (object?)job.ConcurrencyKey ?? DBNull.Value });
            p.Add(new NpgsqlParameter("trace_parent", NpgsqlDbType.Text) { Value = (object?)job.TraceParent ?? DBNull.Value });
            p.Add(new NpgsqlParameter("trace_state", NpgsqlDbType.Text) { Value = (object?)job.TraceState ?? DBNull.Value });
            if ((await ReadRowsAsync(cmd, cancellationToken)) is [var inserted])
            {
                await WakeUpAsync(c, tx, cancellationToken);
                return new EnqueueResult(inserted, false);
            }

            await using var existing = Command(c, tx, PostgreSqlSql.JobGetByIdempotencyKey);
            existing.Parameters.AddWithValue("idempotency_key", job.IdempotencyKey!);
            return new EnqueueResult((await ReadRowsAsync(existing, cancellationToken)) is [var found]
                ? found
                : throw new InvalidOperationException("The job insert wrote no row and found no job with its idempotency key."), true);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<EnqueueResult>> JobInsertManyAsync(IReadOnlyList<JobInsertParams> jobs, DbTransaction? transaction, CancellationToken cancellationToken) =>
        JobInsertManyAsync(jobs, null, transaction, cancellationToken);

    // flags: a workflow's jobs (WorkflowWriteAsync), each row's workflow flag and whether it starts waiting.
    private async Task<IReadOnlyList<EnqueueResult>> JobInsertManyAsync(IReadOnlyList<JobInsertParams> jobs, (bool[] Workflow, bool[] Waiting)? flags,
        DbTransaction? transaction, CancellationToken cancellationToken)
    {
        var written = await WithConnectionAsync<IReadOnlyList<EnqueueResult>>(transaction, async (c, tx) =>
        {
            await using var cmd = Command(c, tx, flags is not null ? PostgreSqlSql.JobInsertManyWorkflow
                : jobs.Any(j => j.IdempotencyKey is not null) ? PostgreSqlSql.JobInsertMany : PostgreSqlSql.JobInsertManyUnkeyed);
            var p = cmd.Parameters;
            if (flags is var (workflow, waiting))
            {
                p.AddWithValue("workflows", workflow);
                p.AddWithValue("waitings", waiting);
            }
            p.AddWithValue("kinds", jobs.Select(j => j.Kind).ToArray());
            p.AddWithValue("queues", jobs.Select(j => j.Queue).ToArray());
            p.AddWithValue("priorities", jobs.Select(j => j.Priority).ToArray());
            p.AddWithValue("payloads", jobs.Select(j => j.Payload).ToArray());
            p.AddWithValue("max_attempts", jobs.Select(j => j.MaxAttempts).ToArray());
            p.Add(new NpgsqlParameter("idempotency_keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = jobs.Select(j => j.IdempotencyKey).ToArray() });
            p.Add(new NpgsqlParameter("run_ats", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = jobs.Select(j => j.RunAt?.UtcDateTime).ToArray() });
            p.Add(new NpgsqlParameter("delays_ms", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = jobs.Select(j => j.Delay is { } d ? (long?)d.TotalMilliseconds : null).ToArray() });
            p.Add(new NpgsqlParameter("concurrency_keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = jobs.Select(j => j.ConcurrencyKey).ToArray() });
            p.Add(new NpgsqlParameter("trace_parents", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = jobs.Select(j => j.TraceParent).ToArray() });
            p.Add(new NpgsqlParameter("trace_states", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = jobs.Select(j => j.TraceState).ToArray() });

            var inserted = new List<(long Id, string? Key)>(jobs.Count);
            await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
                while (await reader.ReadAsync(cancellationToken))
                    inserted.Add((reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1)));

            // Rows were inserted in input order, so ids ascend with it; keyed rows that inserted nothing get the existing id.
            inserted.Sort((a, b) => a.Id.CompareTo(b.Id));
            var byKey = inserted.Where(i => i.Key is not null).ToDictionary(i => i.Key!, i => i.Id, StringComparer.Ordinal);
            var keyless = new Queue<long>(inserted.Where(i => i.Key is null).Select(i => i.Id));
            var missingKeys = jobs.Select(j => j.IdempotencyKey).OfType<string>().Where(k => !byKey.ContainsKey(k)).Distinct().ToArray();
            var existing = new Dictionary<string, long>(StringComparer.Ordinal);
            if (missingKeys.Length > 0)
            {
                await using var lookup = Command(c, tx, PostgreSqlSql.JobIdsByIdempotencyKeys);
                lookup.Parameters.AddWithValue("idempotency_keys", missingKeys);
                await using var reader = await lookup.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken)) existing[reader.GetString(0)] = reader.GetInt64(1);
            }
            if (inserted.Count > 0) await WakeUpAsync(c, tx, cancellationToken);
            var results = new EnqueueResult[jobs.Count];
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < jobs.Count; i++)
            {
                results[i] = jobs[i].IdempotencyKey is not { } key ? new EnqueueResult(keyless.Dequeue(), false)
                    : byKey.TryGetValue(key, out var id) ? new EnqueueResult(id, !seen.Add(key))
                    : new EnqueueResult(existing[key], true);
            }
            return results;
        }, cancellationToken);
        // A batch committed by this call (not in a caller's transaction, whose rows no other session sees yet): the table may
        // have just outgrown its statistics, and the workers' first claims would be planned without them (PostgreSqlJobStore.Statistics.cs).
        if (transaction is null) RequestStatisticsCheck(jobs.Count);
        return written;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<JobRow>> JobClaimAsync(JobClaimParams claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        // Limited jobs first when their claim is due (LimitedClaimGate), then the fast claim for the slots left; the limited
        // claim again when the fast one left slots free.
        var limited = _limitGate.Due ? await LimitedClaimAsync(claim, cancellationToken) : null;
        var left = claim.Limit - (limited?.Count ?? 0);
        var rows = left > 0 ? await FastClaimAsync(left == claim.Limit ? claim : claim with { Limit = left }, cancellationToken) : [];
        if (limited is null && rows.Count < left) limited = await LimitedClaimAsync(claim with { Limit = left - rows.Count }, cancellationToken);
        if (limited is not { Count: > 0 }) return rows;
        var all = new List<JobRow>(limited.Count + rows.Count);
        all.AddRange(limited);
        all.AddRange(rows);
        SortClaimOrder(all);
        return all;
    }

    private Task<List<JobRow>> FastClaimAsync(JobClaimParams claim, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c =>
        {
            await using var cmd = Command(c, null, PostgreSqlSql.JobClaimFor(claim.Queue is not null, claim.Kinds is not null));
            cmd.Parameters.AddWithValue("lease_ms", (long)claim.Lease.TotalMilliseconds);
            cmd.Parameters.AddWithValue("worker", claim.Worker);
            cmd.Parameters.AddWithValue("limit", claim.Limit);
            if (claim.Queue is not null) cmd.Parameters.AddWithValue("queue", claim.Queue);
            if (claim.Kinds is { } kinds) cmd.Parameters.Add(new NpgsqlParameter("kinds", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = kinds as string[] ?? [.. kinds] });
            var rows = await ReadRowsAsync(cmd, cancellationToken);
            SortClaimOrder(rows);
            RequestStatisticsCheck(rows.Count);
            return rows;
        }, cancellationToken);

    // RETURNING gives no order; hand the jobs out in claim order.
    private static void SortClaimOrder(List<JobRow> rows) =>
        rows.Sort(static (a, b) => a.Priority != b.Priority ? b.Priority.CompareTo(a.Priority)
            : a.RunAt != b.RunAt ? a.RunAt.CompareTo(b.RunAt) : a.Id.CompareTo(b.Id));

    /// <inheritdoc />
    public Task<bool> JobCompleteAsync(JobCompleteParams complete, CancellationToken cancellationToken) =>
        FencedAsync(PostgreSqlSql.JobComplete, complete.Id, complete.LockToken,
            p => p.Add(new NpgsqlParameter("result", NpgsqlDbType.Text) { Value = (object?)complete.Result ?? DBNull.Value }), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlySet<long>> JobCompleteManyAsync(IReadOnlyList<JobCompleteParams> completes, CancellationToken cancellationToken) =>
        RetriedOnDeadlockAsync(() => WithConnectionAsync<IReadOnlySet<long>>(async c =>
        {
            await using var cmd = Command(c, null, PostgreSqlSql.JobCompleteMany);
            cmd.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = completes.Select(x => x.Id).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter("lock_tokens", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = completes.Select(x => x.LockToken).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter("results", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = completes.Select(x => x.Result).ToArray() });
            var done = new HashSet<long>();
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) done.Add(reader.GetInt64(0));
            return done;
        }, cancellationToken));

    /// <inheritdoc />
    public Task<bool> JobFailAsync(JobFailParams fail, CancellationToken cancellationToken) =>
        FencedAsync(PostgreSqlSql.JobFail, fail.Id, fail.LockToken, p =>
        {
            p.Add(new NpgsqlParameter("retry_ms", NpgsqlDbType.Bigint) { Value = fail.RetryDelay is { } d ? (long)d.TotalMilliseconds : DBNull.Value });
            p.AddWithValue("final_status", fail.FinalStatus.ToName());
            p.AddWithValue("error", fail.Error);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> JobReleaseAsync(long id, Guid lockToken, CancellationToken cancellationToken) =>
        FencedAsync(PostgreSqlSql.JobRelease, id, lockToken, static _ => { }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> JobProgressAsync(JobProgressParams progress, CancellationToken cancellationToken) =>
        FencedAsync(PostgreSqlSql.JobProgress, progress.Id, progress.LockToken, p =>
        {
            p.AddWithValue("progress", progress.Percent);
            p.Add(new NpgsqlParameter("message", NpgsqlDbType.Text) { Value = (object?)progress.Message ?? DBNull.Value });
        }, cancellationToken);

    private Task<bool> FencedAsync(string sql, long id, Guid lockToken, Action<NpgsqlParameterCollection> bind, CancellationToken ct) =>
        RetriedOnDeadlockAsync(() => WithConnectionAsync(async c =>
        {
            await using var cmd = Command(c, null, sql);
            cmd.Parameters.AddWithValue("id", id);
            cmd.Parameters.AddWithValue("lock_token", lockToken);
            bind(cmd.Parameters);
            // Each fenced statement returns the job's id when it held the job and wrote (its events rows are not a count of it).
            return await cmd.ExecuteScalarAsync(ct) is long;
        }, ct));

    // An outcome write that PostgreSQL chose as a deadlock's victim is written again: the victim's transaction was rolled back
    // whole (each caller is one statement, or one transaction begun inside write), and the other one has gone on, so the
    // second try finds the locks free. Outcome transactions can lock the same rows in opposite orders once a batch is
    // involved: a completion counts its minute in the history row of its shard, then (the workflow trigger, at the end of
    // its statement) locks the batch's row; a handler that adds children to its batch locks the batch's row first, then
    // counts its own completion in the history (issue 14: WorkflowTests, a handler adding children beside a member
    // finishing, in CI). At most three tries, then the error goes to the caller as before.
    private static async Task<T> RetriedOnDeadlockAsync<T>(Func<Task<T>> write)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await write();
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < 3)
            {
            }
        }
    }

    /// <inheritdoc />
    public Task<JobHeartbeatResult> JobHeartbeatAsync(long id, Guid lockToken, TimeSpan lease, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c =>
        {
            await using var cmd = Command(c, null, PostgreSqlSql.JobHeartbeat);
            cmd.Parameters.AddWithValue("id", id);
            cmd.Parameters.AddWithValue("lock_token", lockToken);
            cmd.Parameters.AddWithValue("lease_ms", (long)lease.TotalMilliseconds);
            return await cmd.ExecuteScalarAsync(cancellationToken) switch
            {
                true => JobHeartbeatResult.CancelRequested,
                false => JobHeartbeatResult.Extended,
                _ => JobHeartbeatResult.Lost,
            };
        }, cancellationToken);

    /// <inheritdoc />
    public Task<int> JobRescueAsync(JobRescueParams rescue, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c =>
        {
            await using var cmd = Command(c, null, PostgreSqlSql.JobRescue);
            cmd.Parameters.AddWithValue("message", rescue.Error);
            cmd.Parameters.AddWithValue("limit", rescue.Limit);
            return (int)(long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<JobRow?> JobGetAsync(long id, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c =>
        {
            await using var cmd = Command(c, null, PostgreSqlSql.JobGet);
            cmd.Parameters.AddWithValue("id", id);
            var rows = await ReadRowsAsync(cmd, cancellationToken);
            return rows.Count == 0 ? null : rows[0];
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<JobRow>> JobListAsync(JobListParams list, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<JobRow>>(async c =>
        {
            await using var cmd = Command(c, null, "");
            var where = ListWhere(list, cmd);
            var p = cmd.Parameters;
            var newest = list.Order == JobListOrder.NewestFirst;
            if (list.AfterId is { } after) { where.Append(newest ? " AND id < @after" : " AND id > @after"); p.AddWithValue("after", after); }
            p.AddWithValue("limit", list.Limit);
            if (list.IsSearch)
            {
                var search = SearchWhere(list, p);
                cmd.CommandText = Sql(PostgreSqlSql.JobSearch).Replace("{where}", where.ToString(), StringComparison.Ordinal)
                    .Replace("{search}", search.ToString(), StringComparison.Ordinal)
                    .Replace("{order}", newest ? "DESC" : "ASC", StringComparison.Ordinal);
            }
            else
                cmd.CommandText = Sql(PostgreSqlSql.JobList).Replace("{where}", where.ToString(), StringComparison.Ordinal)
                    .Replace("{order}", newest ? "DESC" : "ASC", StringComparison.Ordinal);
            return await ReadRowsAsync(cmd, cancellationToken);
        }, cancellationToken);

    // A search reads a bounded window of the list (JobListParams.SearchScanLimit); strpos, not ILIKE, so the text needs no
    // escaping of % and _.
    private static StringBuilder SearchWhere(JobListParams list, NpgsqlParameterCollection p)
    {
        var search = new StringBuilder();
        if (list.PayloadContains is { } text) { search.Append(" AND strpos(lower(payload::text), lower(@payload)) > 0"); p.AddWithValue("payload", text); }
        Range(search, p, "created_at", list.CreatedFrom, list.CreatedTo, "created");
        Range(search, p, "completed_at", list.FinishedFrom, list.FinishedTo, "finished");
        p.AddWithValue("scan", JobListParams.SearchScanLimit);
        return search;
    }

    private static void Range(StringBuilder where, NpgsqlParameterCollection p, string column, DateTimeOffset? from, DateTimeOffset? to, string name)
    {
        if (from is { } f) { where.Append(System.Globalization.CultureInfo.InvariantCulture, $" AND {column} >= @{name}_from"); p.AddWithValue(name + "_from", f.UtcDateTime); }
        if (to is { } t) { where.Append(System.Globalization.CultureInfo.InvariantCulture, $" AND {column} < @{name}_to"); p.AddWithValue(name + "_to", t.UtcDateTime); }
    }

    /// <inheritdoc />
    public Task<long> JobCountAsync(JobListParams list, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c =>
        {
            await using var cmd = Command(c, null, "");
            var where = ListWhere(list, cmd);
            cmd.Parameters.AddWithValue("limit", list.Limit);
            cmd.CommandText = list.IsSearch
                ? Sql(PostgreSqlSql.JobSearchCount).Replace("{where}", where.ToString(), StringComparison.Ordinal)
                    .Replace("{search}", SearchWhere(list, cmd.Parameters).ToString(), StringComparison.Ordinal)
                    .Replace("{order}", list.Order == JobListOrder.NewestFirst ? "DESC" : "ASC", StringComparison.Ordinal)
                : Sql(PostgreSqlSql.JobCount).Replace("{where}", where.ToString(), StringComparison.Ordinal);
            return (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);

    // The filters of a list and of its count, the same for both (the cursor is the list's alone).
    private static StringBuilder ListWhere(JobListParams list, NpgsqlCommand cmd)
    {
        var where = new StringBuilder();
        var p = cmd.Parameters;
        if (list.Status is { } status) { where.Append(" AND status = @status"); p.AddWithValue("status", status.ToName()); }
        if (list.Kind is not null) { where.Append(" AND kind = @kind"); p.AddWithValue("kind", list.Kind); }
        if (list.Queue is not null) { where.Append(" AND queue = @queue"); p.AddWithValue("queue", list.Queue); }
        if (list.IdempotencyKey is not null) { where.Append(" AND idempotency_key = @key"); p.AddWithValue("key", list.IdempotencyKey); }
        if (list.Scheduled is { } scheduled)
            where.Append(scheduled ? " AND status = 'pending' AND run_at > coalesce(@now, now())" : " AND status = 'pending' AND run_at <= coalesce(@now, now())");
        if (list.Attempted is { } attempted) where.Append(attempted ? " AND attempts > 0" : " AND attempts = 0");
        if (list.Exhausted is { } exhausted) where.Append(exhausted ? " AND attempts >= max_attempts" : " AND attempts < max_attempts");
        return where;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<JobGroupCounts>> JobCountByGroupAsync(bool byType, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<JobGroupCounts>>(async c =>
        {
            await using var cmd = Command(c, null, PostgreSqlSql.JobCountByGroup.Replace("{group}", byType ? "kind" : "queue", StringComparison.Ordinal));
            var rows = new List<JobGroupCounts>();
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
                rows.Add(new JobGroupCounts(r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6),
                    r.IsDBNull(7) ? null : TimeSpan.FromSeconds(Math.Max(0, r.GetDouble(7)))));
            return rows;
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<JobActionResult> JobRunNowAsync(long id, CancellationToken cancellationToken)
    {
        var result = await ActionAsync(PostgreSqlSql.JobRunNow, id, null, cancellationToken);
        if (result == JobActionResult.Done) _wakeUp.Request();
        return result;
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<JobStatus, long>> JobCountByStatusAsync(CancellationToken cancellationToken) =>
        WithConnectionAsync(c => CountByStatusAsync(c, cancellationToken), cancellationToken);

    private async Task<IReadOnlyDictionary<JobStatus, long>> CountByStatusAsync(NpgsqlConnection c, CancellationToken ct)
    {
        var counts = Enum.GetValues<JobStatus>().ToDictionary(s => s, _ => 0L);
        await using var cmd = Command(c, null, PostgreSqlSql.JobCountByStatus);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) counts[JobNames.ParseStatus(r.GetString(0))] = r.GetInt64(1);
        return counts;
    }

    /// <inheritdoc />
    public Task<JobStats> JobStatsAsync(CancellationToken cancellationToken) =>
        WithConnectionAsync(async c =>
        {
            var byStatus = await CountByStatusAsync(c, cancellationToken);
            var byKind = await GroupedAsync(c, PostgreSqlSql.JobCountUnfinishedByKind, cancellationToken);
            var byQueue = await GroupedAsync(c, PostgreSqlSql.JobCountUnfinishedByQueue, cancellationToken);
            long due, scheduled;
            DateTimeOffset now;
            TimeSpan? oldest;
            await using (var cmd = Command(c, null, PostgreSqlSql.JobPendingSplit))
            {
                await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
                await r.ReadAsync(cancellationToken);
                due = r.GetInt64(0);
                scheduled = r.GetInt64(1);
                now = new DateTimeOffset(r.GetDateTime(3), TimeSpan.Zero);
                oldest = r.IsDBNull(2) ? null : now - Time(r, 2)!.Value;
                if (oldest < TimeSpan.Zero) oldest = TimeSpan.Zero;
            }
            var points = await ThroughputAsync(c, TimeSpan.FromHours(1), now, cancellationToken);
            return JobStats.Create(byStatus, byKind, byQueue, due, scheduled, oldest, points, now);
        }, cancellationToken);

    private async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<JobStatus, long>>> GroupedAsync(NpgsqlConnection c, string sql, CancellationToken ct)
    {
        var result = new SortedDictionary<string, Dictionary<JobStatus, long>>(StringComparer.Ordinal);
        await using var cmd = Command(c, null, sql);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            if (!result.TryGetValue(r.GetString(0), out var byStatus)) result[r.GetString(0)] = byStatus = [];
            byStatus[JobNames.ParseStatus(r.GetString(1))] = r.GetInt64(2);
        }
        return result.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<JobStatus, long>)kv.Value, StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<JobThroughputPoint>> JobThroughputAsync(TimeSpan window, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c =>
        {
            DateTimeOffset now;
            await using (var cmd = Command(c, null, PostgreSqlSql.DbNow))
                now = new DateTimeOffset((DateTime)(await cmd.ExecuteScalarAsync(cancellationToken))!, TimeSpan.Zero);
            return await ThroughputAsync(c, window, now, cancellationToken);
        }, cancellationToken);

    private async Task<IReadOnlyList<JobThroughputPoint>> ThroughputAsync(NpgsqlConnection c, TimeSpan window, DateTimeOffset now, CancellationToken ct)
    {
        var minutes = Math.Max(1, (int)Math.Ceiling(window.TotalMinutes));
        var lastMinute = now.ToUnixTimeMilliseconds() / 60000;
        var firstMinute = lastMinute - minutes + 1;
        var found = new Dictionary<long, (long Completed, long Failed)>();
        await using (var cmd = Command(c, null, PostgreSqlSql.JobThroughput))
        {
            cmd.Parameters.AddWithValue("since_minute", (double)firstMinute);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) found[r.GetInt64(0)] = (r.GetInt64(1), r.GetInt64(2));
        }
        return JobThroughputPoints.Fill(firstMinute, lastMinute, found);
    }

    /// <inheritdoc />
    public Task<JobCancelResult> JobCancelAsync(long id, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c =>
        {
            await using var cmd = Command(c, null, PostgreSqlSql.JobCancel);
            cmd.Parameters.AddWithValue("id", id);
            return await cmd.ExecuteScalarAsync(cancellationToken) switch
            {
                "cancelled" => JobCancelResult.Cancelled,
                "processing" => JobCancelResult.CancelRequested,
                _ => await StatusAsync(c, id, cancellationToken) is null ? JobCancelResult.NotFound : JobCancelResult.AlreadyFinished,
            };
        }, cancellationToken);

    private async Task<string?> StatusAsync(NpgsqlConnection c, long id, CancellationToken ct)
    {
        await using var cmd = Command(c, null, PostgreSqlSql.JobStatus);
        cmd.Parameters.AddWithValue("id", id);
        return await cmd.ExecuteScalarAsync(ct) as string;
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<long, JobHeartbeatResult>> JobHeartbeatManyAsync(IReadOnlyList<JobLease> leases, TimeSpan lease, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyDictionary<long, JobHeartbeatResult>>(async c =>
        {
            await using var cmd = Command(c, null, PostgreSqlSql.JobHeartbeatMany);
            cmd.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = leases.Select(x => x.Id).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter("lock_tokens", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = leases.Select(x => x.LockToken).ToArray() });
            cmd.Parameters.AddWithValue("lease_ms", (long)lease.TotalMilliseconds);
            var answer = new Dictionary<long, JobHeartbeatResult>(leases.Count);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                answer[reader.GetInt64(0)] = reader.GetBoolean(1) ? JobHeartbeatResult.CancelRequested : JobHeartbeatResult.Extended;
            return answer;
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<JobActionResult> JobRetryAsync(JobRetryParams retry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(retry);
        var result = await ActionAsync(PostgreSqlSql.JobRetry, retry.Id, p =>
        {
            p.AddWithValue("attempts", retry.Attempts);
            p.AddWithValue("max_attempts", retry.MaxAttempts);
        }, cancellationToken);
        if (result == JobActionResult.Done) _wakeUp.Request();
        return result;
    }

    // Idle workers in other processes hear of new jobs through LISTEN (PostgreSqlJobListener). In the caller's
    // transaction the notification rides on its commit (none on rollback); in our own, it is sent after the commit.
    private async Task WakeUpAsync(NpgsqlConnection c, NpgsqlTransaction? tx, CancellationToken ct)
    {
        if (tx is not null) await _wakeUp.NotifyInAsync(c, tx, ct);
        else _wakeUp.Request();
    }

    /// <inheritdoc />
    public Task<JobActionResult> JobDeleteAsync(long id, CancellationToken cancellationToken) =>
        ActionAsync(PostgreSqlSql.JobDelete, id, null, cancellationToken, counted: true);

    // counted: the statement answers the number of jobs it changed as a scalar (a delete whose CTE also deletes the events,
    // so its own row count is not the jobs').
    private Task<JobActionResult> ActionAsync(string sql, long id, Action<NpgsqlParameterCollection>? bind, CancellationToken ct, bool counted = false) =>
        WithConnectionAsync(async c =>
        {
            await using var cmd = Command(c, null, sql);
            cmd.Parameters.AddWithValue("id", id);
            bind?.Invoke(cmd.Parameters);
            var changed = counted ? (long)(await cmd.ExecuteScalarAsync(ct))! : await cmd.ExecuteNonQueryAsync(ct);
            if (changed == 1) return JobActionResult.Done;
            return await StatusAsync(c, id, ct) is null ? JobActionResult.NotFound : JobActionResult.Conflict;
        }, ct);

    /// <inheritdoc />
    public Task<int> JobDeleteFinishedAsync(TimeSpan olderThan, int limit, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c =>
        {
            await using var cmd = Command(c, null, PostgreSqlSql.JobDeleteFinished);
            cmd.Parameters.AddWithValue("older_ms", (long)olderThan.TotalMilliseconds);
            cmd.Parameters.AddWithValue("limit", limit);
            return (int)(long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);
}
