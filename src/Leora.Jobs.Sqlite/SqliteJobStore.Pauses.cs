namespace Leora.Jobs.Sqlite;

// Paused queues and types (issue 12): rows the claim reads in its own statement.
public sealed partial class SqliteJobStore
{
    /// <inheritdoc />
    public Task<JobPause> PauseInsertAsync(JobPauseScope scope, string name, CancellationToken cancellationToken) =>
        WriteAsync(null, async (c, tx) =>
        {
            await using var cmd = Command(c, tx, SqliteSql.PauseInsert);
            cmd.Parameters.AddWithValue("@scope", JobNames.PauseScope(scope));
            cmd.Parameters.AddWithValue("@name", name);
            cmd.Parameters.AddWithValue("@now", NowMs);
            var pausedAt = (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
            return new JobPause(scope, name, DateTimeOffset.FromUnixTimeMilliseconds(pausedAt));
        }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> PauseDeleteAsync(JobPauseScope scope, string name, CancellationToken cancellationToken) =>
        WriteAsync(null, async (c, tx) =>
        {
            await using var cmd = Command(c, tx, SqliteSql.PauseDelete);
            cmd.Parameters.AddWithValue("@scope", JobNames.PauseScope(scope));
            cmd.Parameters.AddWithValue("@name", name);
            return await cmd.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<JobPause>> PauseListAsync(CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<JobPause>>(async c =>
        {
            await using var cmd = Command(c, null, SqliteSql.PauseList);
            var rows = new List<JobPause>();
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
                if (JobNames.TryParsePauseScope(r.GetString(0), out var scope)) rows.Add(new JobPause(scope, r.GetString(1), Time(r, 2)!.Value));
            return rows;
        }, cancellationToken);
}
