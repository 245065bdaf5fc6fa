using System.Data.Common;
using Leora.Jobs.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Leora.Jobs.PostgreSql;

// Recurring schedules (issue 12): the schedules table's statements.
public sealed partial class PostgreSqlJobStore
{
    /// <inheritdoc />
    public Task<bool> ScheduleInsertAsync(ScheduleRow schedule, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c => await ScheduleWriteAsync(c, PostgreSqlSql.ScheduleInsert, schedule, cancellationToken) == 1, cancellationToken);

    /// <inheritdoc />
    public Task<bool> ScheduleUpdateAsync(ScheduleRow schedule, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c => await ScheduleWriteAsync(c, PostgreSqlSql.ScheduleUpdate, schedule, cancellationToken) == 1, cancellationToken);

    /// <inheritdoc />
    public Task ScheduleUpsertAsync(ScheduleRow schedule, CancellationToken cancellationToken) =>
        WithConnectionAsync(c => ScheduleWriteAsync(c, PostgreSqlSql.ScheduleUpsert, schedule, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<ScheduleRow?> ScheduleGetAsync(string name, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c =>
        {
            await using var cmd = Command(c, null, PostgreSqlSql.ScheduleGet);
            cmd.Parameters.AddWithValue("name", name);
            return (await ReadSchedulesAsync(cmd, cancellationToken)) is [var row] ? row : null;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<ScheduleRow>> ScheduleListAsync(CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<ScheduleRow>>(async c =>
        {
            await using var cmd = Command(c, null, PostgreSqlSql.ScheduleList);
            return await ReadSchedulesAsync(cmd, cancellationToken);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> ScheduleDeleteAsync(string name, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c =>
        {
            await using var cmd = Command(c, null, PostgreSqlSql.ScheduleDelete);
            cmd.Parameters.AddWithValue("name", name);
            return await cmd.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<ScheduleRow>> ScheduleDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<ScheduleRow>>(async c =>
        {
            await using var cmd = Command(c, null, PostgreSqlSql.ScheduleDue);
            cmd.Parameters.Add(new NpgsqlParameter("due", NpgsqlDbType.TimestampTz) { Value = now.UtcDateTime });
            cmd.Parameters.AddWithValue("limit", limit);
            return await ReadSchedulesAsync(cmd, cancellationToken);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlySet<string>> ScheduleAdvanceManyAsync(IReadOnlyList<ScheduleAdvanceParams> advances, DbTransaction transaction, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlySet<string>>(transaction ?? throw new ArgumentNullException(nameof(transaction)), async (c, tx) =>
        {
            var moved = new HashSet<string>(StringComparer.Ordinal);
            if (advances.Count == 0) return moved;
            await using var cmd = Command(c, tx, PostgreSqlSql.ScheduleAdvanceMany);
            cmd.Parameters.Add(new NpgsqlParameter<string[]>("names", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. advances.Select(a => a.Name)] });
            cmd.Parameters.Add(new NpgsqlParameter<DateTime[]>("expected", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz)
            {
                TypedValue = [.. advances.Select(a => a.Expected.UtcDateTime)],
            });
            cmd.Parameters.Add(new NpgsqlParameter<DateTime?[]>("next", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz)
            {
                TypedValue = [.. advances.Select(a => a.Next?.UtcDateTime)],
            });
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken)) moved.Add(r.GetString(0));
            return moved;
        }, cancellationToken);

    /// <inheritdoc />
    public Task ScheduleSetLastJobAsync(string name, long jobId, DbTransaction transaction, CancellationToken cancellationToken) =>
        WithConnectionAsync(transaction ?? throw new ArgumentNullException(nameof(transaction)), async (c, tx) =>
        {
            await using var cmd = Command(c, tx, PostgreSqlSql.ScheduleSetLastJob);
            cmd.Parameters.AddWithValue("name", name);
            cmd.Parameters.AddWithValue("job_id", jobId);
            return await cmd.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    /// <inheritdoc />
    public Task ScheduleSetLastJobManyAsync(IReadOnlyList<ScheduleLastJobParams> lastJobs, DbTransaction transaction, CancellationToken cancellationToken) =>
        WithConnectionAsync(transaction ?? throw new ArgumentNullException(nameof(transaction)), async (c, tx) =>
        {
            if (lastJobs.Count == 0) return 0;
            await using var cmd = Command(c, tx, PostgreSqlSql.ScheduleSetLastJobMany);
            cmd.Parameters.Add(new NpgsqlParameter<string[]>("names", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. lastJobs.Select(l => l.Name)] });
            cmd.Parameters.Add(new NpgsqlParameter<long[]>("job_ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. lastJobs.Select(l => l.JobId)] });
            return await cmd.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    private async Task<int> ScheduleWriteAsync(NpgsqlConnection c, string sql, ScheduleRow s, CancellationToken ct)
    {
        await using var cmd = Command(c, null, sql);
        var p = cmd.Parameters;
        p.AddWithValue("name", s.Name);
        p.AddWithValue("cron", s.Cron);
        p.AddWithValue("time_zone", s.TimeZone);
        p.AddWithValue("kind", s.Kind);
        p.AddWithValue("payload", s.Payload);
        p.Add(new NpgsqlParameter("queue", NpgsqlDbType.Text) { Value = (object?)s.Queue ?? DBNull.Value });
        p.Add(new NpgsqlParameter("priority", NpgsqlDbType.Integer) { Value = (object?)s.Priority ?? DBNull.Value });
        p.Add(new NpgsqlParameter("max_attempts", NpgsqlDbType.Integer) { Value = (object?)s.MaxAttempts ?? DBNull.Value });
        p.AddWithValue("enabled", s.Enabled);
        p.AddWithValue("misfire", s.Misfire);
        p.AddWithValue("misfire_limit", s.MisfireLimit);
        p.AddWithValue("overlap", s.Overlap);
        p.Add(new NpgsqlParameter("next_run_at", NpgsqlDbType.TimestampTz) { Value = s.NextRunAt is { } n ? n.UtcDateTime : DBNull.Value });
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<IReadOnlyList<ScheduleRow>> ReadSchedulesAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var rows = new List<ScheduleRow>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            rows.Add(new ScheduleRow
            {
                Name = r.GetString(0),
                Cron = r.GetString(1),
                TimeZone = r.GetString(2),
                Kind = r.GetString(3),
                Payload = r.GetString(4),
                Queue = r.IsDBNull(5) ? null : r.GetString(5),
                Priority = r.IsDBNull(6) ? null : r.GetInt32(6),
                MaxAttempts = r.IsDBNull(7) ? null : r.GetInt32(7),
                Enabled = r.GetBoolean(8),
                Misfire = r.GetString(9),
                MisfireLimit = r.GetInt32(10),
                Overlap = r.GetString(11),
                NextRunAt = Time(r, 12),
                LastJobId = r.IsDBNull(13) ? null : r.GetInt64(13),
                CreatedAt = Time(r, 14)!.Value,
                UpdatedAt = Time(r, 15)!.Value,
                LastJobStatus = r.IsDBNull(16) ? null : JobNames.ParseStatus(r.GetString(16)),
            });
        }
        return rows;
    }
}
