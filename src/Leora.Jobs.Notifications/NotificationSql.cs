using System.Data.Common;
using Leora.Jobs.Storage;

namespace Leora.Jobs.Notifications;

/// <summary>
/// The notifier's statements, per database, side by side (as the stores' and the CRM's): its own state row (migration 8,
/// created by the stores) and three read-only questions about the jobs table (failures since a cursor, the failure ratio
/// of a window, the oldest due job). They run on a connection and transaction taken from the jobs client, so the state,
/// the reads and the notification jobs enqueued commit together. Optional filters are added to the text rather than
/// passed as NULL, which PostgreSQL cannot type.
/// </summary>
internal abstract class NotificationSql
{
    public const string StateName = "notifier";

    public static NotificationSql For(IJobStore store) => store.Provider switch
    {
        "sqlite" => new Sqlite(),
        "postgresql" => new PostgreSql(store.Schema ?? throw new InvalidOperationException("The postgresql jobs store names no schema.")),
        _ => throw new NotSupportedException($"Notifications do not support the '{store.Provider}' store."),
    };

    /// <summary>Takes the notifier's lock for the transaction (creating its row at first) and returns its state (JSON).</summary>
    public abstract Task<string> LockStateAsync(DbTransaction tx, DateTimeOffset now, CancellationToken cancellationToken);

    public abstract Task SaveStateAsync(DbTransaction tx, string state, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Failed jobs (not notification jobs) finished after (<paramref name="at"/>, <paramref name="afterId"/>) and by <paramref name="until"/>, in that order.</summary>
    public abstract Task<IReadOnlyList<FailedJobRow>> FailedSinceAsync(DbTransaction tx, DateTimeOffset at, long afterId, DateTimeOffset until, int limit, CancellationToken cancellationToken);

    /// <summary>Failed and finished (completed or failed) jobs since <paramref name="since"/>, of a type and a queue when given.</summary>
    public abstract Task<(long Failed, long Finished)> FailureCountsAsync(DbTransaction tx, DateTimeOffset since, string? type, string? queue, CancellationToken cancellationToken);

    /// <summary>
    /// The run time of the oldest due pending job (of a queue when given), or null. Notification jobs do not count: an alert
    /// waiting to be sent is not itself a backlog to alert about.
    /// </summary>
    public abstract Task<DateTimeOffset?> OldestDueAsync(DbTransaction tx, DateTimeOffset now, string? queue, CancellationToken cancellationToken);

    protected static DbCommand Command(DbTransaction tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = tx.Connection!.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            command.Parameters.Add(p);
        }
        return command;
    }

    protected static string Filters(string? type, string? queue) =>
        (type is null ? "" : " AND kind = @kind") + (queue is null ? "" : " AND queue = @queue");

    protected static (string, object?)[] FilterParams(string? type, string? queue) =>
        [.. new (string, object?)[] { ("@kind", type), ("@queue", queue) }.Where(p => p.Item2 is not null)];

    protected static async Task<IReadOnlyList<FailedJobRow>> ReadFailedAsync(DbCommand command, Func<DbDataReader, int, DateTimeOffset> time, CancellationToken cancellationToken)
    {
        var rows = new List<FailedJobRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new FailedJobRow(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetString(4), time(reader, 5)));
        return rows;
    }

    private sealed class Sqlite : NotificationSql
    {
        public override async Task<string> LockStateAsync(DbTransaction tx, DateTimeOffset now, CancellationToken cancellationToken)
        {
            // The insert is a write: it takes SQLite's one write lock at once (even when the row exists), so two evaluations
            // (the leader's, a batch's, another process's) run one after the other and the second sees the first's state.
            await using (var insert = Command(tx, "INSERT INTO leora_alert_state (name, state, updated_at) VALUES (@name, '{}', @now) ON CONFLICT (name) DO NOTHING",
                ("@name", StateName), ("@now", now.ToUnixTimeMilliseconds())))
                await insert.ExecuteNonQueryAsync(cancellationToken);
            await using var select = Command(tx, "SELECT state FROM leora_alert_state WHERE name = @name", ("@name", StateName));
            return (string)(await select.ExecuteScalarAsync(cancellationToken))!;
        }

        public override async Task SaveStateAsync(DbTransaction tx, string state, DateTimeOffset now, CancellationToken cancellationToken)
        {
            await using var update = Command(tx, "UPDATE leora_alert_state SET state = @state, updated_at = @now WHERE name = @name",
                ("@state", state), ("@now", now.ToUnixTimeMilliseconds()), ("@name", StateName));
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        public override async Task<IReadOnlyList<FailedJobRow>> FailedSinceAsync(DbTransaction tx, DateTimeOffset at, long afterId, DateTimeOffset until, int limit, CancellationToken cancellationToken)
        {
            await using var command = Command(tx, """
                SELECT id, kind, queue, attempts, errors, completed_at FROM leora_jobs
                WHERE status = 'failed' AND kind <> @self AND completed_at <= @until
                  AND (completed_at > @at OR (completed_at = @at AND id > @id))
                ORDER BY completed_at, id LIMIT @limit
                """, ("@self", NotificationArgs.Kind), ("@until", until.ToUnixTimeMilliseconds()), ("@at", at.ToUnixTimeMilliseconds()),
                ("@id", afterId), ("@limit", limit));
            return await ReadFailedAsync(command, (r, i) => DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(i)), cancellationToken);
        }

        public override async Task<(long Failed, long Finished)> FailureCountsAsync(DbTransaction tx, DateTimeOffset since, string? type, string? queue, CancellationToken cancellationToken)
        {
            await using var command = Command(tx, $"""
                SELECT coalesce(sum(status = 'failed'), 0), count(*) FROM leora_jobs
                WHERE status IN ('completed', 'failed') AND completed_at >= @since AND kind <> @self{Filters(type, queue)}
                """, [("@since", since.ToUnixTimeMilliseconds()), ("@self", NotificationArgs.Kind), .. FilterParams(type, queue)]);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return (reader.GetInt64(0), reader.GetInt64(1));
        }

        public override async Task<DateTimeOffset?> OldestDueAsync(DbTransaction tx, DateTimeOffset now, string? queue, CancellationToken cancellationToken)
        {
            await using var command = Command(tx, $"SELECT min(run_at) FROM leora_jobs WHERE status = 'pending' AND run_at <= @now AND kind <> @self{Filters(null, queue)}",
                [("@now", now.ToUnixTimeMilliseconds()), ("@self", NotificationArgs.Kind), .. FilterParams(null, queue)]);
            return await command.ExecuteScalarAsync(cancellationToken) is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        }
    }

    // The schema name is validated by the jobs store (lower-case letters, digits, '_'), so it is safe in SQL text.
    private sealed class PostgreSql(string schema) : NotificationSql
    {
        private readonly string _schema = $"\"{schema}\"";

        public override async Task<string> LockStateAsync(DbTransaction tx, DateTimeOffset now, CancellationToken cancellationToken)
        {
            // FOR UPDATE on the one row: evaluations on every node run one after the other, each seeing the last one's state.
            await using (var insert = Command(tx, $"INSERT INTO {_schema}.alert_state (name, state) VALUES (@name, '{{}}') ON CONFLICT (name) DO NOTHING", ("@name", StateName)))
                await insert.ExecuteNonQueryAsync(cancellationToken);
            await using var select = Command(tx, $"SELECT state::text FROM {_schema}.alert_state WHERE name = @name FOR UPDATE", ("@name", StateName));
            return (string)(await select.ExecuteScalarAsync(cancellationToken))!;
        }

        public override async Task SaveStateAsync(DbTransaction tx, string state, DateTimeOffset now, CancellationToken cancellationToken)
        {
            await using var update = Command(tx, $"UPDATE {_schema}.alert_state SET state = @state::jsonb, updated_at = now() WHERE name = @name",
                ("@state", state), ("@name", StateName));
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        public override async Task<IReadOnlyList<FailedJobRow>> FailedSinceAsync(DbTransaction tx, DateTimeOffset at, long afterId, DateTimeOffset until, int limit, CancellationToken cancellationToken)
        {
            await using var command = Command(tx, $"""
                SELECT id, kind, queue, attempts, errors::text, completed_at FROM {_schema}.jobs
                WHERE status = 'failed' AND kind <> @self AND completed_at <= @until
                  AND (completed_at, id) > (@at, @id)
                ORDER BY completed_at, id LIMIT @limit
                """, ("@self", NotificationArgs.Kind), ("@until", until.ToUniversalTime()), ("@at", at.ToUniversalTime()), ("@id", afterId), ("@limit", limit));
            return await ReadFailedAsync(command, (r, i) => r.GetFieldValue<DateTimeOffset>(i), cancellationToken);
        }

        public override async Task<(long Failed, long Finished)> FailureCountsAsync(DbTransaction tx, DateTimeOffset since, string? type, string? queue, CancellationToken cancellationToken)
        {
            await using var command = Command(tx, $"""
                SELECT count(*) FILTER (WHERE status = 'failed'), count(*) FROM {_schema}.jobs
                WHERE status IN ('completed', 'failed') AND completed_at >= @since AND kind <> @self{Filters(type, queue)}
                """, [("@since", since.ToUniversalTime()), ("@self", NotificationArgs.Kind), .. FilterParams(type, queue)]);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return (reader.GetInt64(0), reader.GetInt64(1));
        }

        public override async Task<DateTimeOffset?> OldestDueAsync(DbTransaction tx, DateTimeOffset now, string? queue, CancellationToken cancellationToken)
        {
            await using var command = Command(tx, $"SELECT min(run_at) FROM {_schema}.jobs WHERE status = 'pending' AND run_at <= @now AND kind <> @self{Filters(null, queue)}",
                [("@now", now.ToUniversalTime()), ("@self", NotificationArgs.Kind), .. FilterParams(null, queue)]);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) && !reader.IsDBNull(0) ? reader.GetFieldValue<DateTimeOffset>(0) : null;
        }
    }
}

/// <summary>A job that failed for good, as the failure feed reads it (<see cref="Errors"/>: its attempts' errors, JSON).</summary>
internal sealed record FailedJobRow(long Id, string Kind, string Queue, int Attempts, string Errors, DateTimeOffset CompletedAt);
