using Leora.Jobs.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Leora.Jobs.PostgreSql;

// Rate and concurrency limits (docs/limits.md): the serialised claim of limited jobs, and the limit rows.
public sealed partial class PostgreSqlJobStore
{
    /// <summary>
    /// Claims limited jobs within their limits: one transaction that holds the limits' advisory lock (or claims nothing when
    /// another claimer holds it), reads the limits and what runs, and runs one statement per lane of the plan.
    /// </summary>
    private async Task<List<JobRow>> LimitedClaimAsync(JobClaimParams claim, CancellationToken cancellationToken)
    {
        var claimed = await WithConnectionAsync(async c =>
        {
            var rows = new List<JobRow>();
            await using var tx = await c.BeginTransactionAsync(cancellationToken);
            await using (var lockCmd = new NpgsqlCommand(PostgreSqlSql.LimitClaimLock, c, tx))
            {
                lockCmd.Parameters.AddWithValue("schema", Schema);
                if (await lockCmd.ExecuteScalarAsync(cancellationToken) is not true) return rows;
            }
            var limits = new List<LimitState>();
            long nowMs = 0;
            await using (var cmd = Command(c, tx, PostgreSqlSql.LimitClaimState))
            await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            {
                while (await r.ReadAsync(cancellationToken))
                {
                    nowMs = r.GetInt64(9);
                    if (r.IsDBNull(0)) continue;
                    limits.Add(new LimitState(JobLimit.ParseScope(r.GetString(0)), r.GetString(1),
                        r.IsDBNull(2) ? null : r.GetInt32(2), r.IsDBNull(3) ? null : r.GetInt64(3),
                        r.IsDBNull(4) ? null : r.GetInt32(4), r.IsDBNull(5) ? null : r.GetInt32(5),
                        r.IsDBNull(6) ? null : r.GetInt64(6), r.GetInt32(7), r.GetInt32(8)));
                }
            }
            var keys = new List<(string, string, int)>();
            await using (var cmd = Command(c, tx, PostgreSqlSql.LimitKeysRunning))
            await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
                while (await r.ReadAsync(cancellationToken)) keys.Add((r.GetString(0), r.GetString(1), r.GetInt32(2)));

            var plan = new LimitedClaimPlan(limits, keys, nowMs, claim);
            foreach (var lane in plan.Lanes())
            {
                await using var cmd = Command(c, tx, PostgreSqlSql.LimitClaimLaneFor(lane.Kind is not null, lane.Queue is not null,
                    claim.Queue is not null, claim.Kinds is not null));
                var p = cmd.Parameters;
                p.AddWithValue("lease_ms", (long)claim.Lease.TotalMilliseconds);
                p.AddWithValue("worker", claim.Worker);
                p.AddWithValue("limit", lane.Cap);
                p.AddWithValue("scan", LimitedClaimPlan.Scan(lane.Cap));
                p.Add(new NpgsqlParameter("full_keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = plan.FullKeys });
                if (lane.Kind is { } kind) p.AddWithValue("lane_kind", kind);
                else p.Add(new NpgsqlParameter("limited_kinds", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = plan.LimitedTypes });
                if (lane.Queue is { } queue) p.AddWithValue("lane_queue", queue);
                else p.Add(new NpgsqlParameter("limited_queues", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = plan.LimitedQueues });
                if (claim.Queue is not null) p.AddWithValue("queue", claim.Queue);
                if (claim.Kinds is { } kinds) p.Add(new NpgsqlParameter("kinds", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = kinds as string[] ?? [.. kinds] });
                var laneRows = await ReadRowsAsync(cmd, cancellationToken);
                plan.Claimed(lane, laneRows);
                rows.AddRange(laneRows);
            }
            if (plan.WindowUpdates() is { Count: > 0 } windows)
            {
                await using var cmd = Command(c, tx, PostgreSqlSql.LimitWindowUpdate);
                cmd.Parameters.AddWithValue("scopes", windows.Select(w => JobLimit.ScopeName(w.Scope)).ToArray());
                cmd.Parameters.AddWithValue("names", windows.Select(w => w.Name).ToArray());
                cmd.Parameters.AddWithValue("starts_ms", windows.Select(w => w.WindowStartMs).ToArray());
                cmd.Parameters.AddWithValue("counts", windows.Select(w => w.Count).ToArray());
                await cmd.ExecuteNonQueryAsync(cancellationToken);
            }
            await tx.CommitAsync(cancellationToken);
            return rows;
        }, cancellationToken);
        _limitGate.Ran(claimed.Count);
        return claimed;
    }

    /// <inheritdoc />
    public Task LimitSetAsync(IReadOnlyList<JobLimit> limits, string node, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c =>
        {
            ArgumentNullException.ThrowIfNull(limits);
            await using var tx = await c.BeginTransactionAsync(cancellationToken);
            await using (var lockJobs = Command(c, tx, PostgreSqlSql.LimitJobsLock))
                await lockJobs.ExecuteNonQueryAsync(cancellationToken);
            await using (var delete = Command(c, tx, PostgreSqlSql.LimitDeleteOthers))
            {
                delete.Parameters.AddWithValue("scopes", limits.Select(l => JobLimit.ScopeName(l.Scope)).ToArray());
                delete.Parameters.AddWithValue("names", limits.Select(l => l.Name).ToArray());
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }
            foreach (var limit in limits)
            {
                await using var upsert = Command(c, tx, PostgreSqlSql.LimitUpsert);
                var p = upsert.Parameters;
                p.AddWithValue("scope", JobLimit.ScopeName(limit.Scope));
                p.AddWithValue("name", limit.Name);
                p.Add(new NpgsqlParameter("rate", NpgsqlDbType.Integer) { Value = (object?)limit.Rate ?? DBNull.Value });
                p.Add(new NpgsqlParameter("rate_period_ms", NpgsqlDbType.Bigint) { Value = limit.EffectiveRatePeriod is { } rp ? (long)rp.TotalMilliseconds : DBNull.Value });
                p.Add(new NpgsqlParameter("concurrency", NpgsqlDbType.Integer) { Value = (object?)limit.Concurrency ?? DBNull.Value });
                p.Add(new NpgsqlParameter("key_concurrency", NpgsqlDbType.Integer) { Value = (object?)limit.KeyConcurrency ?? DBNull.Value });
                p.AddWithValue("node", node);
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var flag = Command(c, tx, PostgreSqlSql.LimitFlagJobs))
            {
                flag.CommandTimeout = 0;
                await flag.ExecuteNonQueryAsync(cancellationToken);
            }
            await tx.CommitAsync(cancellationToken);
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<JobLimitUsage>> LimitListAsync(CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<JobLimitUsage>>(async c =>
        {
            var list = new List<JobLimitUsage>();
            await using var cmd = Command(c, null, PostgreSqlSql.LimitList);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
            {
                var periodMs = r.IsDBNull(3) ? (long?)null : r.GetInt64(3);
                var now = new DateTimeOffset(r.GetDateTime(12), TimeSpan.Zero);
                list.Add(JobLimitUsage.Create(JobLimit.ParseScope(r.GetString(0)), r.GetString(1), r.IsDBNull(2) ? null : r.GetInt32(2), periodMs,
                    r.IsDBNull(4) ? null : r.GetInt32(4), r.IsDBNull(5) ? null : r.GetInt32(5),
                    r.IsDBNull(6) ? null : new DateTimeOffset(r.GetDateTime(6), TimeSpan.Zero), r.GetInt32(7), r.GetInt32(8), r.GetInt32(9),
                    new DateTimeOffset(r.GetDateTime(10), TimeSpan.Zero), r.GetString(11), now));
            }
            return list;
        }, cancellationToken);
}
