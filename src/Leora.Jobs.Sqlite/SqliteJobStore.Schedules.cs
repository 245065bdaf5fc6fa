using System.Data.Common;
using System.Buffers;
using System.Text;
using System.Text.Json;
using Leora.Jobs.Storage;
using Microsoft.Data.Sqlite;

namespace Leora.Jobs.Sqlite;

// Recurring schedules (issue 12): the schedules table's statements.
public sealed partial class SqliteJobStore
{
    /// <inheritdoc />
    public Task<bool> ScheduleInsertAsync(ScheduleRow schedule, CancellationToken cancellationToken) =>
        WriteAsync(null, async (c, tx) => await ScheduleWriteAsync(c, tx, SqliteSql.ScheduleInsert, schedule, cancellationToken) == 1, cancellationToken);

    /// <inheritdoc />
    public Task<bool> ScheduleUpdateAsync(ScheduleRow schedule, CancellationToken cancellationToken) =>
        WriteAsync(null, async (c, tx) => await ScheduleWriteAsync(c, tx, SqliteSql.ScheduleUpdate, schedule, cancellationToken) == 1, cancellationToken);

    /// <inheritdoc />
    public Task ScheduleUpsertAsync(ScheduleRow schedule, CancellationToken cancellationToken) =>
        WriteAsync(null, (c, tx) => ScheduleWriteAsync(c, tx, SqliteSql.ScheduleUpsert, schedule, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<ScheduleRow?> ScheduleGetAsync(string name, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            await using var cmd = Command(c, null, SqliteSql.ScheduleGet);
            cmd.Parameters.AddWithValue("@name", name);
            return (await ReadSchedulesAsync(cmd, cancellationToken)) is [var row] ? row : null;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<ScheduleRow>> ScheduleListAsync(CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<ScheduleRow>>(async c =>
        {
            await using var cmd = Command(c, null, SqliteSql.ScheduleList);
            return await ReadSchedulesAsync(cmd, cancellationToken);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> ScheduleDeleteAsync(string name, CancellationToken cancellationToken) =>
        WriteAsync(null, async (c, tx) =>
        {
            await using var cmd = Command(c, tx, SqliteSql.ScheduleDelete);
            cmd.Parameters.AddWithValue("@name", name);
            return await cmd.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<ScheduleRow>> ScheduleDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<ScheduleRow>>(async c =>
        {
            await using var cmd = Command(c, null, SqliteSql.ScheduleDue);
            cmd.Parameters.AddWithValue("@now", now.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("@limit", limit);
            return await ReadSchedulesAsync(cmd, cancellationToken);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlySet<string>> ScheduleAdvanceManyAsync(IReadOnlyList<ScheduleAdvanceParams> advances, DbTransaction transaction, CancellationToken cancellationToken) =>
        WriteAsync<IReadOnlySet<string>>(transaction ?? throw new ArgumentNullException(nameof(transaction)), async (c, tx) =>
        {
            var moved = new HashSet<string>(StringComparer.Ordinal);
            if (advances.Count == 0) return moved;
            await using var cmd = Command(c, tx, SqliteSql.ScheduleAdvanceMany);
            cmd.Parameters.AddWithValue("@advances", JsonRows(advances, static (w, a) =>
            {
                w.WriteStringValue(a.Name);
                w.WriteNumberValue(a.Expected.ToUnixTimeMilliseconds());
                if (a.Next is { } n) w.WriteNumberValue(n.ToUnixTimeMilliseconds());
                else w.WriteNullValue();
            }));
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken)) moved.Add(r.GetString(0));
            return moved;
        }, cancellationToken);

    /// <inheritdoc />
    public Task ScheduleSetLastJobAsync(string name, long jobId, DbTransaction transaction, CancellationToken cancellationToken) =>
        WriteAsync(transaction ?? throw new ArgumentNullException(nameof(transaction)), async (c, tx) =>
        {
            await using var cmd = Command(c, tx, SqliteSql.ScheduleSetLastJob);
            cmd.Parameters.AddWithValue("@name", name);
            cmd.Parameters.AddWithValue("@job_id", jobId);
            return await cmd.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    /// <inheritdoc />
    public Task ScheduleSetLastJobManyAsync(IReadOnlyList<ScheduleLastJobParams> lastJobs, DbTransaction transaction, CancellationToken cancellationToken) =>
        WriteAsync(transaction ?? throw new ArgumentNullException(nameof(transaction)), async (c, tx) =>
        {
            if (lastJobs.Count == 0) return 0;
            await using var cmd = Command(c, tx, SqliteSql.ScheduleSetLastJobMany);
            cmd.Parameters.AddWithValue("@last_jobs", JsonRows(lastJobs, static (w, l) =>
            {
                w.WriteStringValue(l.Name);
                w.WriteNumberValue(l.JobId);
            }));
            return await cmd.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    /// <summary>A chunk's rows as one JSON array of arrays, the parameter a set-based statement reads with json_each.</summary>
    private static string JsonRows<T>(IReadOnlyList<T> rows, Action<Utf8JsonWriter, T> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var row in rows)
            {
                w.WriteStartArray();
                write(w, row);
                w.WriteEndArray();
            }
            w.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private async Task<int> ScheduleWriteAsync(SqliteConnection c, SqliteTransaction tx, string sql, ScheduleRow s, CancellationToken ct)
    {
        await using var cmd = Command(c, tx, sql);
        var p = cmd.Parameters;
        p.AddWithValue("@name", s.Name);
        p.AddWithValue("@cron", s.Cron);
        p.AddWithValue("@time_zone", s.TimeZone);
        p.AddWithValue("@kind", s.Kind);
        p.AddWithValue("@payload", s.Payload);
        p.AddWithValue("@queue", (object?)s.Queue ?? DBNull.Value);
        p.AddWithValue("@priority", (object?)s.Priority ?? DBNull.Value);
        p.AddWithValue("@max_attempts", (object?)s.MaxAttempts ?? DBNull.Value);
        p.AddWithValue("@enabled", s.Enabled ? 1 : 0);
        p.AddWithValue("@misfire", s.Misfire);
        p.AddWithValue("@misfire_limit", s.MisfireLimit);
        p.AddWithValue("@overlap", s.Overlap);
        p.AddWithValue("@next_run_at", s.NextRunAt is { } n ? n.ToUnixTimeMilliseconds() : DBNull.Value);
        p.AddWithValue("@now", NowMs);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<IReadOnlyList<ScheduleRow>> ReadSchedulesAsync(SqliteCommand cmd, CancellationToken ct)
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
                Enabled = r.GetInt64(8) != 0,
                Misfire = r.GetString(9),
                MisfireLimit = r.GetInt32(10),
                Overlap = r.GetString(11),
                NextRunAt = r.IsDBNull(12) ? null : FromUnixMs(r.GetInt64(12)),
                LastJobId = r.IsDBNull(13) ? null : r.GetInt64(13),
                CreatedAt = FromUnixMs(r.GetInt64(14)),
                UpdatedAt = FromUnixMs(r.GetInt64(15)),
                LastJobStatus = r.IsDBNull(16) ? null : JobNames.ParseStatus(r.GetString(16)),
            });
        }
        return rows;
    }
}
