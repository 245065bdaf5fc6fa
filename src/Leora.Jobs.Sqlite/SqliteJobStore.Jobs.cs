using System.Globalization;
using Leora.Jobs.Storage;
using Microsoft.Data.Sqlite;

namespace Leora.Jobs.Sqlite;

public sealed partial class SqliteJobStore
{
    /// <inheritdoc />
    public Task<IReadOnlyList<JobRow>> JobClaimAsync(JobClaimParams claim, CancellationToken cancellationToken) =>
        WriteAsync<IReadOnlyList<JobRow>>(null, async (c, tx) =>
        {
            ArgumentNullException.ThrowIfNull(claim);
            var now = NowMs;
            // Limited jobs first when their claim is due (LimitedClaimGate), then the other claim for the slots left; the
            // limited claim again when that one left slots free. One transaction: SQLite's one writer serialises them all.
            var rows = _limitGate.Due ? await LimitedClaimAsync(c, tx, claim, now, cancellationToken) : null;
            var ranLimited = rows is not null;
            rows ??= [];
            var left = claim.Limit - rows.Count;
            if (left > 0)
            {
                await using var cmd = Command(c, tx, SqliteSql.JobClaimFor(claim.Queue is not null, claim.Kinds is not null));
                cmd.Parameters.AddWithValue("@now", now);
                cmd.Parameters.AddWithValue("@lease_ms", (long)claim.Lease.TotalMilliseconds);
                cmd.Parameters.AddWithValue("@worker", claim.Worker);
                cmd.Parameters.AddWithValue("@limit", left);
                if (claim.Queue is not null) cmd.Parameters.AddWithValue("@queue", claim.Queue);
                if (claim.Kinds is { } kinds) cmd.Parameters.AddWithValue("@kinds", KindsJson(kinds));
                var fast = await ReadRowsAsync(cmd, cancellationToken);
                rows.AddRange(fast);
                if (!ranLimited && fast.Count < left)
                    rows.AddRange(await LimitedClaimAsync(c, tx, claim with { Limit = left - fast.Count }, now, cancellationToken));
            }
            // RETURNING gives no order; hand the jobs out in claim order.
            rows.Sort(static (a, b) => a.Priority != b.Priority ? b.Priority.CompareTo(a.Priority)
                : a.RunAt != b.RunAt ? a.RunAt.CompareTo(b.RunAt) : a.Id.CompareTo(b.Id));
            return rows;
        }, cancellationToken, workerWrite: true);

    // One reference, swapped whole, so that producers claiming at once never read one list with another's JSON.
    private KindsJsonCache? _kindsJson;

    // A worker passes the same list on every claim: it is written as JSON once, not at each claim.
    private string KindsJson(IReadOnlyList<string> kinds)
    {
        if (_kindsJson is { } cached && ReferenceEquals(cached.Kinds, kinds)) return cached.Json;
        var json = System.Text.Json.JsonSerializer.Serialize(kinds);
        _kindsJson = new KindsJsonCache(kinds, json);
        return json;
    }

    private sealed record KindsJsonCache(IReadOnlyList<string> Kinds, string Json);

    /// <inheritdoc />
    public async Task<bool> JobCompleteAsync(JobCompleteParams complete, CancellationToken cancellationToken) =>
        (await JobCompleteManyAsync([complete], cancellationToken)).Count == 1;

    /// <inheritdoc />
    public Task<IReadOnlySet<long>> JobCompleteManyAsync(IReadOnlyList<JobCompleteParams> completes, CancellationToken cancellationToken) =>
        // One BEGIN IMMEDIATE transaction, one prepared statement re-bound per job: the cost of a commit (an fsync) is shared.
        WriteAsync<IReadOnlySet<long>>(null, async (c, tx) =>
        {
            var done = new HashSet<long>();
            await using var cmd = Command(c, tx, SqliteSql.JobComplete);
            foreach (var name in (string[])["@id", "@lock_token", "@now", "@result"]) cmd.Parameters.Add(new SqliteParameter(name, null));
            cmd.Prepare();
            var now = NowMs;
            foreach (var complete in completes)
            {
                cmd.Parameters["@id"].Value = complete.Id;
                cmd.Parameters["@lock_token"].Value = Token(complete.LockToken);
                cmd.Parameters["@now"].Value = now;
                cmd.Parameters["@result"].Value = (object?)complete.Result ?? DBNull.Value;
                if (await cmd.ExecuteNonQueryAsync(cancellationToken) == 1) done.Add(complete.Id);
            }
            await CountCompletedAsync(c, tx, now, done.Count, cancellationToken);
            return done;
        }, cancellationToken, workerWrite: true);

    /// <inheritdoc />
    public Task<bool> JobFailAsync(JobFailParams fail, CancellationToken cancellationToken) =>
        FencedAsync(SqliteSql.JobFail, fail.Id, fail.LockToken, p =>
        {
            p.AddWithValue("@retry_ms", fail.RetryDelay is { } d ? (long)d.TotalMilliseconds : DBNull.Value);
            p.AddWithValue("@final_status", fail.FinalStatus.ToName());
            p.AddWithValue("@error", fail.Error);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> JobReleaseAsync(long id, Guid lockToken, CancellationToken cancellationToken) =>
        FencedAsync(SqliteSql.JobRelease, id, lockToken, static _ => { }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> JobProgressAsync(JobProgressParams progress, CancellationToken cancellationToken) =>
        FencedAsync(SqliteSql.JobProgress, progress.Id, progress.LockToken, p =>
        {
            p.AddWithValue("@progress", progress.Percent);
            p.AddWithValue("@message", (object?)progress.Message ?? DBNull.Value);
        }, cancellationToken);

    // The completions' count in the history, once per batch (their completed_at is the one @now): SqliteSql.HistoryCompleted.
    private static async Task CountCompletedAsync(SqliteConnection c, SqliteTransaction tx, long now, int count, CancellationToken ct)
    {
        if (count == 0) return;
        await using var cmd = Command(c, tx, SqliteSql.HistoryCompleted);
        cmd.Parameters.AddWithValue("@now", now);
        cmd.Parameters.AddWithValue("@count", count);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private Task<bool> FencedAsync(string sql, long id, Guid lockToken, Action<SqliteParameterCollection> bind, CancellationToken ct) =>
        WriteAsync(null, async (c, tx) =>
        {
            await using var cmd = Command(c, tx, sql);
            cmd.Parameters.AddWithValue("@id", id);
            cmd.Parameters.AddWithValue("@lock_token", Token(lockToken));
            cmd.Parameters.AddWithValue("@now", NowMs);
            bind(cmd.Parameters);
            return await cmd.ExecuteNonQueryAsync(ct) == 1;
        }, ct, workerWrite: true);

    /// <inheritdoc />
    public Task<JobHeartbeatResult> JobHeartbeatAsync(long id, Guid lockToken, TimeSpan lease, CancellationToken cancellationToken) =>
        WriteAsync(null, async (c, tx) =>
        {
            await using var cmd = Command(c, tx, SqliteSql.JobHeartbeat);
            cmd.Parameters.AddWithValue("@id", id);
            cmd.Parameters.AddWithValue("@lock_token", Token(lockToken));
            cmd.Parameters.AddWithValue("@now", NowMs);
            cmd.Parameters.AddWithValue("@lease_ms", (long)lease.TotalMilliseconds);
            return await cmd.ExecuteScalarAsync(cancellationToken) switch
            {
                null or DBNull => JobHeartbeatResult.Lost,
                var v when Convert.ToInt64(v, CultureInfo.InvariantCulture) != 0 => JobHeartbeatResult.CancelRequested,
                _ => JobHeartbeatResult.Extended,
            };
        }, cancellationToken, workerWrite: true);

    /// <inheritdoc />
    public Task<int> JobRescueAsync(JobRescueParams rescue, CancellationToken cancellationToken) =>
        WriteAsync(null, async (c, tx) =>
        {
            var now = _time.GetUtcNow();
            await using var cmd = Command(c, tx, SqliteSql.JobRescue);
            cmd.Parameters.AddWithValue("@now", now.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("@now_iso", now.ToString("O", CultureInfo.InvariantCulture));
            cmd.Parameters.AddWithValue("@message", rescue.Error);
            cmd.Parameters.AddWithValue("@limit", rescue.Limit);
            return await cmd.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken, workerWrite: true);

    /// <inheritdoc />
    public Task<JobRow?> JobGetAsync(long id, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            await using var cmd = Command(c, null, SqliteSql.JobGet);
            cmd.Parameters.AddWithValue("@id", id);
            var rows = await ReadRowsAsync(cmd, cancellationToken);
            return rows.Count == 0 ? null : rows[0];
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<JobRow>> JobListAsync(JobListParams list, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<JobRow>>(async c =>
        {
            await using var cmd = Command(c, null, "");
            var where = ListWhere(list, cmd);
            var newest = list.Order == JobListOrder.NewestFirst;
            if (list.AfterId is { } after) { where.Append(newest ? " AND id < @after" : " AND id > @after"); cmd.Parameters.AddWithValue("@after", after); }
            cmd.Parameters.AddWithValue("@limit", list.Limit);
            if (list.IsSearch)
            {
                var search = SearchWhere(list, cmd);
                cmd.CommandText = string.Format(CultureInfo.InvariantCulture, SqliteSql.JobSearch, where, newest ? "DESC" : "ASC", search);
            }
            else
                cmd.CommandText = string.Format(CultureInfo.InvariantCulture, SqliteSql.JobList, where, newest ? "DESC" : "ASC");
            return await ReadRowsAsync(cmd, cancellationToken);
        }, cancellationToken);

    // A search reads a bounded window of the list (JobListParams.SearchScanLimit). lower() on both sides: SQLite's lower()
    // folds ASCII only, so the text is folded as the payload is.
    private static System.Text.StringBuilder SearchWhere(JobListParams list, SqliteCommand cmd)
    {
        var search = new System.Text.StringBuilder();
        if (list.PayloadContains is { } text) { search.Append(" AND instr(lower(payload), lower(@payload)) > 0"); cmd.Parameters.AddWithValue("@payload", text); }
        Range(search, cmd, "created_at", list.CreatedFrom, list.CreatedTo, "@created");
        Range(search, cmd, "completed_at", list.FinishedFrom, list.FinishedTo, "@finished");
        cmd.Parameters.AddWithValue("@scan", JobListParams.SearchScanLimit);
        return search;
    }

    private static void Range(System.Text.StringBuilder where, SqliteCommand cmd, string column, DateTimeOffset? from, DateTimeOffset? to, string name)
    {
        if (from is { } f) { where.Append(CultureInfo.InvariantCulture, $" AND {column} >= {name}_from"); cmd.Parameters.AddWithValue(name + "_from", f.ToUnixTimeMilliseconds()); }
        if (to is { } t) { where.Append(CultureInfo.InvariantCulture, $" AND {column} < {name}_to"); cmd.Parameters.AddWithValue(name + "_to", t.ToUnixTimeMilliseconds()); }
    }

    /// <inheritdoc />
    public Task<long> JobCountAsync(JobListParams list, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            await using var cmd = Command(c, null, "");
            var where = ListWhere(list, cmd);
            cmd.Parameters.AddWithValue("@limit", list.Limit);
            cmd.CommandText = list.IsSearch
                ? string.Format(CultureInfo.InvariantCulture, SqliteSql.JobSearchCount, where, list.Order == JobListOrder.NewestFirst ? "DESC" : "ASC", SearchWhere(list, cmd))
                : string.Format(CultureInfo.InvariantCulture, SqliteSql.JobCount, where);
            return (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);

    // The filters of a list and of its count, the same for both (the cursor is the list's alone).
    private System.Text.StringBuilder ListWhere(JobListParams list, SqliteCommand cmd)
    {
        var where = new System.Text.StringBuilder();
        if (list.Status is { } status) { where.Append(" AND status = @status"); cmd.Parameters.AddWithValue("@status", status.ToName()); }
        if (list.Kind is not null) { where.Append(" AND kind = @kind"); cmd.Parameters.AddWithValue("@kind", list.Kind); }
        if (list.Queue is not null) { where.Append(" AND queue = @queue"); cmd.Parameters.AddWithValue("@queue", list.Queue); }
        if (list.IdempotencyKey is not null) { where.Append(" AND idempotency_key = @key"); cmd.Parameters.AddWithValue("@key", list.IdempotencyKey); }
        if (list.Scheduled is { } scheduled)
        {
            where.Append(scheduled ? " AND status = 'pending' AND run_at > @now" : " AND status = 'pending' AND run_at <= @now");
            cmd.Parameters.AddWithValue("@now", NowMs);
        }
        if (list.Attempted is { } attempted) where.Append(attempted ? " AND attempts > 0" : " AND attempts = 0");
        if (list.Exhausted is { } exhausted) where.Append(exhausted ? " AND attempts >= max_attempts" : " AND attempts < max_attempts");
        return where;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<JobGroupCounts>> JobCountByGroupAsync(bool byType, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<JobGroupCounts>>(async c =>
        {
            var nowMs = NowMs;
            await using var cmd = Command(c, null, string.Format(CultureInfo.InvariantCulture, SqliteSql.JobCountByGroup, byType ? "kind" : "queue"));
            cmd.Parameters.AddWithValue("@now", nowMs);
            cmd.Parameters.AddWithValue("@since", nowMs - 3_600_000);
            var rows = new List<JobGroupCounts>();
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
                rows.Add(new JobGroupCounts(r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6),
                    r.IsDBNull(7) ? null : TimeSpan.FromMilliseconds(Math.Max(0, nowMs - r.GetInt64(7)))));
            return rows;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<JobActionResult> JobRunNowAsync(long id, CancellationToken cancellationToken) =>
        WriteAsync(null, async (c, tx) =>
        {
            var now = NowMs;
            object? attempt;
            await using (var cmd = Command(c, tx, SqliteSql.JobRunNow))
            {
                cmd.Parameters.AddWithValue("@id", id);
                cmd.Parameters.AddWithValue("@now", now);
                attempt = await cmd.ExecuteScalarAsync(cancellationToken);
            }
            if (attempt is null) return await StatusAsync(c, tx, id, cancellationToken) is null ? JobActionResult.NotFound : JobActionResult.Conflict;
            await using (var cmd = Command(c, tx, SqliteSql.JobRunNowEvent))
            {
                cmd.Parameters.AddWithValue("@id", id);
                cmd.Parameters.AddWithValue("@now", now);
                cmd.Parameters.AddWithValue("@attempt", attempt);
                await cmd.ExecuteNonQueryAsync(cancellationToken);
            }
            return JobActionResult.Done;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<JobStatus, long>> JobCountByStatusAsync(CancellationToken cancellationToken) =>
        ReadAsync(c => CountByStatusAsync(c, cancellationToken), cancellationToken);

    private static async Task<IReadOnlyDictionary<JobStatus, long>> CountByStatusAsync(SqliteConnection c, CancellationToken ct)
    {
        var counts = Enum.GetValues<JobStatus>().ToDictionary(s => s, _ => 0L);
        await using var cmd = Command(c, null, SqliteSql.JobCountByStatus);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) counts[JobNames.ParseStatus(r.GetString(0))] = r.GetInt64(1);
        return counts;
    }

    /// <inheritdoc />
    public Task<JobStats> JobStatsAsync(CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var now = _time.GetUtcNow();
            var nowMs = now.ToUnixTimeMilliseconds();
            var byStatus = await CountByStatusAsync(c, cancellationToken);
            var byKind = await GroupedAsync(c, SqliteSql.JobCountUnfinishedByKind, cancellationToken);
            var byQueue = await GroupedAsync(c, SqliteSql.JobCountUnfinishedByQueue, cancellationToken);
            long due, scheduled;
            TimeSpan? oldest;
            await using (var cmd = Command(c, null, SqliteSql.JobPendingSplit))
            {
                cmd.Parameters.AddWithValue("@now", nowMs);
                await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
                await r.ReadAsync(cancellationToken);
                due = r.GetInt64(0);
                scheduled = r.GetInt64(1);
                oldest = r.IsDBNull(2) ? null : TimeSpan.FromMilliseconds(Math.Max(0, nowMs - FromUnixMs(r.GetInt64(2)).ToUnixTimeMilliseconds()));
            }
            var points = await ThroughputAsync(c, TimeSpan.FromHours(1), now, cancellationToken);
            return JobStats.Create(byStatus, byKind, byQueue, due, scheduled, oldest, points, now);
        }, cancellationToken);

    private static async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<JobStatus, long>>> GroupedAsync(SqliteConnection c, string sql, CancellationToken ct)
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
        ReadAsync(c => ThroughputAsync(c, window, _time.GetUtcNow(), cancellationToken), cancellationToken);

    private static async Task<IReadOnlyList<JobThroughputPoint>> ThroughputAsync(SqliteConnection c, TimeSpan window, DateTimeOffset now, CancellationToken ct)
    {
        var minutes = Math.Max(1, (int)Math.Ceiling(window.TotalMinutes));
        var lastMinute = now.ToUnixTimeMilliseconds() / 60000;
        var firstMinute = lastMinute - minutes + 1;
        var found = new Dictionary<long, (long Completed, long Failed)>();
        await using (var cmd = Command(c, null, SqliteSql.JobThroughput))
        {
            cmd.Parameters.AddWithValue("@since", firstMinute * 60000);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) found[r.GetInt64(0)] = (r.GetInt64(1), r.GetInt64(2));
        }
        return JobThroughputPoints.Fill(firstMinute, lastMinute, found);
    }

    /// <inheritdoc />
    public Task<JobCancelResult> JobCancelAsync(long id, CancellationToken cancellationToken) =>
        WriteAsync(null, async (c, tx) =>
        {
            await using var cmd = Command(c, tx, SqliteSql.JobCancel);
            cmd.Parameters.AddWithValue("@id", id);
            cmd.Parameters.AddWithValue("@now", NowMs);
            return await cmd.ExecuteScalarAsync(cancellationToken) switch
            {
                "cancelled" => JobCancelResult.Cancelled,
                "processing" => JobCancelResult.CancelRequested,
                _ => await StatusAsync(c, tx, id, cancellationToken) is null ? JobCancelResult.NotFound : JobCancelResult.AlreadyFinished,
            };
        }, cancellationToken);

    private static async Task<string?> StatusAsync(SqliteConnection c, SqliteTransaction tx, long id, CancellationToken ct)
    {
        await using var cmd = Command(c, tx, SqliteSql.JobStatus);
        cmd.Parameters.AddWithValue("@id", id);
        return await cmd.ExecuteScalarAsync(ct) as string;
    }

    /// <inheritdoc />
    public Task<JobActionResult> JobRetryAsync(JobRetryParams retry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(retry);
        return ActionAsync(SqliteSql.JobRetry, retry.Id, p =>
        {
            p.AddWithValue("@attempts", retry.Attempts);
            p.AddWithValue("@max_attempts", retry.MaxAttempts);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<JobActionResult> JobDeleteAsync(long id, CancellationToken cancellationToken) =>
        ActionAsync(SqliteSql.JobDelete, id, null, cancellationToken);

    private Task<JobActionResult> ActionAsync(string sql, long id, Action<SqliteParameterCollection>? bind, CancellationToken ct) =>
        WriteAsync(null, async (c, tx) =>
        {
            await using var cmd = Command(c, tx, sql);
            cmd.Parameters.AddWithValue("@id", id);
            cmd.Parameters.AddWithValue("@now", NowMs);
            bind?.Invoke(cmd.Parameters);
            if (await cmd.ExecuteNonQueryAsync(ct) == 1) return JobActionResult.Done;
            return await StatusAsync(c, tx, id, ct) is null ? JobActionResult.NotFound : JobActionResult.Conflict;
        }, ct);

    /// <inheritdoc />
    public Task<int> JobDeleteFinishedAsync(TimeSpan olderThan, int limit, CancellationToken cancellationToken) =>
        WriteAsync(null, async (c, tx) =>
        {
            await using var cmd = Command(c, tx, SqliteSql.JobDeleteFinished);
            cmd.Parameters.AddWithValue("@cutoff", NowMs - (long)olderThan.TotalMilliseconds);
            cmd.Parameters.AddWithValue("@limit", limit);
            return await cmd.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken, workerWrite: true);
}
