namespace Leora.Jobs.Sqlite;

public sealed partial class SqliteJobStore
{
    /// <inheritdoc />
    public Task<IReadOnlyList<JobEvent>> JobEventListAsync(long jobId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<JobEvent>>(async c =>
        {
            var events = new List<JobEvent>();
            await using var cmd = Command(c, null, SqliteSql.JobEventList);
            cmd.Parameters.AddWithValue("@id", jobId);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
                events.Add(new JobEvent(JobEvent.ParseKind(r.GetString(1)), FromUnixMs(r.GetInt64(0)), JobNames.ParseStatus(r.GetString(2)),
                    r.GetInt32(3), r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5)));
            events.Reverse();
            return events;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<JobHistory> JobHistoryAsync(JobHistoryRange range, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var now = _time.GetUtcNow();
            var (first, per) = JobHistory.Window(range, now);
            var found = new Dictionary<long, (long Completed, long Failed)>();
            await using var cmd = Command(c, null, SqliteSql.JobHistory);
            cmd.Parameters.AddWithValue("@per", per);
            cmd.Parameters.AddWithValue("@first", first);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken)) found[r.GetInt64(0)] = (r.GetInt64(1), r.GetInt64(2));
            return JobHistory.Fill(range, now, found);
        }, cancellationToken);
}
