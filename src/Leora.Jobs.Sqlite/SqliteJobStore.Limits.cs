using System.Text.Json;
using Leora.Jobs.Storage;
using Microsoft.Data.Sqlite;

namespace Leora.Jobs.Sqlite;

// Rate and concurrency limits (docs/limits.md): the claim of limited jobs, and the limit rows.
public sealed partial class SqliteJobStore
{
    /// <summary>
    /// Claims limited jobs within their limits, in the caller's write transaction: reads the limits and what runs, and runs
    /// one statement per lane of the plan (the rooms are computed here, between statements of one transaction that no other
    /// writer can interleave with; each statement selects and updates its rows itself).
    /// </summary>
    private async Task<List<JobRow>> LimitedClaimAsync(SqliteConnection c, SqliteTransaction tx, JobClaimParams claim, long now, CancellationToken ct)
    {
        var rows = new List<JobRow>();
        var limits = new List<LimitState>();
        await using (var cmd = Command(c, tx, SqliteSql.LimitClaimState))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                limits.Add(new LimitState(JobLimit.ParseScope(r.GetString(0)), r.GetString(1),
                    r.IsDBNull(2) ? null : r.GetInt32(2), r.IsDBNull(3) ? null : r.GetInt64(3),
                    r.IsDBNull(4) ? null : r.GetInt32(4), r.IsDBNull(5) ? null : r.GetInt32(5),
                    r.IsDBNull(6) ? null : r.GetInt64(6), r.GetInt32(7), r.GetInt32(8)));
            }
        }
        var keys = new List<(string, string, int)>();
        await using (var cmd = Command(c, tx, SqliteSql.LimitKeysRunning))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) keys.Add((r.GetString(0), r.GetString(1), r.GetInt32(2)));

        var plan = new LimitedClaimPlan(limits, keys, now, claim);
        foreach (var lane in plan.Lanes())
        {
            await using var cmd = Command(c, tx, SqliteSql.LimitClaimLaneFor(lane.Kind is not null, lane.Queue is not null,
                claim.Queue is not null, claim.Kinds is not null));
            var p = cmd.Parameters;
            p.AddWithValue("@now", now);
            p.AddWithValue("@lease_ms", (long)claim.Lease.TotalMilliseconds);
            p.AddWithValue("@worker", claim.Worker);
            p.AddWithValue("@limit", lane.Cap);
            p.AddWithValue("@scan", LimitedClaimPlan.Scan(lane.Cap));
            p.AddWithValue("@full_keys", JsonSerializer.Serialize(plan.FullKeys));
            if (lane.Kind is { } kind) p.AddWithValue("@lane_kind", kind);
            else p.AddWithValue("@limited_kinds", JsonSerializer.Serialize(plan.LimitedTypes));
            if (lane.Queue is { } queue) p.AddWithValue("@lane_queue", queue);
            else p.AddWithValue("@limited_queues", JsonSerializer.Serialize(plan.LimitedQueues));
            if (claim.Queue is not null) p.AddWithValue("@queue", claim.Queue);
            if (claim.Kinds is { } kinds) p.AddWithValue("@kinds", KindsJson(kinds));
            var laneRows = await ReadRowsAsync(cmd, ct);
            plan.Claimed(lane, laneRows);
            rows.AddRange(laneRows);
        }
        foreach (var (scope, name, startMs, count) in plan.WindowUpdates())
        {
            await using var cmd = Command(c, tx, SqliteSql.LimitWindowUpdate);
            cmd.Parameters.AddWithValue("@window_start", startMs);
            cmd.Parameters.AddWithValue("@window_count", count);
            cmd.Parameters.AddWithValue("@scope", JobLimit.ScopeName(scope));
            cmd.Parameters.AddWithValue("@name", name);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        _limitGate.Ran(rows.Count);
        return rows;
    }

    /// <inheritdoc />
    public Task LimitSetAsync(IReadOnlyList<JobLimit> limits, string node, CancellationToken cancellationToken) =>
        WriteAsync(null, async (c, tx) =>
        {
            ArgumentNullException.ThrowIfNull(limits);
            await using (var delete = Command(c, tx, SqliteSql.LimitDeleteOthers))
            {
                delete.Parameters.AddWithValue("@ids", JsonSerializer.Serialize(limits.Select(l => JobLimit.ScopeName(l.Scope) + LimitedClaimPlan.KeySeparator + l.Name)));
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }
            foreach (var limit in limits)
            {
                await using var upsert = Command(c, tx, SqliteSql.LimitUpsert);
                var p = upsert.Parameters;
                p.AddWithValue("@scope", JobLimit.ScopeName(limit.Scope));
                p.AddWithValue("@name", limit.Name);
                p.AddWithValue("@rate", (object?)limit.Rate ?? DBNull.Value);
                p.AddWithValue("@rate_period_ms", limit.EffectiveRatePeriod is { } rp ? (long)rp.TotalMilliseconds : DBNull.Value);
                p.AddWithValue("@concurrency", (object?)limit.Concurrency ?? DBNull.Value);
                p.AddWithValue("@key_concurrency", (object?)limit.KeyConcurrency ?? DBNull.Value);
                p.AddWithValue("@now", NowMs);
                p.AddWithValue("@node", node);
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }
            await ExecAsync(c, tx, SqliteSql.LimitFlagJobs, cancellationToken);
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<JobLimitUsage>> LimitListAsync(CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<JobLimitUsage>>(async c =>
        {
            var now = _time.GetUtcNow();
            var list = new List<JobLimitUsage>();
            await using var cmd = Command(c, null, SqliteSql.LimitList);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
            {
                list.Add(JobLimitUsage.Create(JobLimit.ParseScope(r.GetString(0)), r.GetString(1), r.IsDBNull(2) ? null : r.GetInt32(2),
                    r.IsDBNull(3) ? null : r.GetInt64(3), r.IsDBNull(4) ? null : r.GetInt32(4), r.IsDBNull(5) ? null : r.GetInt32(5),
                    r.IsDBNull(6) ? null : FromUnixMs(r.GetInt64(6)), r.GetInt32(7), r.GetInt32(8), r.GetInt32(9),
                    FromUnixMs(r.GetInt64(10)), r.GetString(11), now));
            }
            return list;
        }, cancellationToken);
}
