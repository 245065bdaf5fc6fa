namespace Leora.Jobs.PostgreSql;

public sealed partial class PostgreSqlJobStore
{
    /// <inheritdoc />
    public Task<IReadOnlyList<JobEvent>> JobEventListAsync(long jobId, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<JobEvent>>(async c =>
        {
            var events = new List<JobEvent>();
            await using var cmd = Command(c, null, PostgreSqlSql.JobEventList);
            cmd.Parameters.AddWithValue("id", jobId);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
                events.Add(new JobEvent(JobEvent.ParseKind(r.GetString(1)), new DateTimeOffset(r.GetDateTime(0), TimeSpan.Zero),
                    JobNames.ParseStatus(r.GetString(2)), r.GetInt32(3), r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5)));
            events.Reverse();
            return events;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<JobHistory> JobHistoryAsync(JobHistoryRange range, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c =>
        {
            var (bucket, count) = JobHistory.Shape(range);
            var now = DateTimeOffset.UnixEpoch;
            var found = new Dictionary<long, (long Completed, long Failed)>();
            await using var cmd = Command(c, null, PostgreSqlSql.JobHistory);
            cmd.Parameters.AddWithValue("per", (long)bucket.TotalMinutes);
            cmd.Parameters.AddWithValue("count", (long)count);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
            {
                if (r.IsDBNull(0)) now = new DateTimeOffset(r.GetDateTime(3), TimeSpan.Zero);
                else found[r.GetInt64(0)] = (r.GetInt64(1), r.GetInt64(2));
            }
            return JobHistory.Fill(range, now, found);
        }, cancellationToken);
}
