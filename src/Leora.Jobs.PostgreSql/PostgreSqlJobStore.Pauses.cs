namespace Leora.Jobs.PostgreSql;

// Paused queues and types (issue 12): rows the claim reads in its own statement, on every node.
public sealed partial class PostgreSqlJobStore
{
    /// <inheritdoc />
    public Task<JobPause> PauseInsertAsync(JobPauseScope scope, string name, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c =>
        {
            await using var cmd = Command(c, null, PostgreSqlSql.PauseInsert);
            cmd.Parameters.AddWithValue("scope", JobNames.PauseScope(scope));
            cmd.Parameters.AddWithValue("name", name);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            await r.ReadAsync(cancellationToken);
            return new JobPause(scope, name, Time(r, 0)!.Value);
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<bool> PauseDeleteAsync(JobPauseScope scope, string name, CancellationToken cancellationToken)
    {
        var deleted = await WithConnectionAsync(async c =>
        {
            await using var cmd = Command(c, null, PostgreSqlSql.PauseDelete);
            cmd.Parameters.AddWithValue("scope", JobNames.PauseScope(scope));
            cmd.Parameters.AddWithValue("name", name);
            return await cmd.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);
        // The resumed jobs are claimable now: the enqueue wake-up tells every node's idle workers to claim at once rather
        // than at their next poll.
        if (deleted) _wakeUp.Request();
        return deleted;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<JobPause>> PauseListAsync(CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<JobPause>>(async c =>
        {
            await using var cmd = Command(c, null, PostgreSqlSql.PauseList);
            var rows = new List<JobPause>();
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
                if (JobNames.TryParsePauseScope(r.GetString(0), out var scope)) rows.Add(new JobPause(scope, r.GetString(1), Time(r, 2)!.Value));
            return rows;
        }, cancellationToken);
}
