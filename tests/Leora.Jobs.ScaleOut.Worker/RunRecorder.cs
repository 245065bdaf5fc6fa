using Npgsql;

namespace Leora.Jobs.ScaleOut.Worker;

/// <summary>Records (job id, pid) in the runs table, then waits the configured time: a handler that can be caught running twice.</summary>
internal sealed class RunRecorder(NpgsqlDataSource db, RunRecorder.Settings settings) : IJobHandler<ScaleArgs>
{
    public sealed record Settings(string Schema, int HandlerMs);

    public async Task HandleAsync(JobContext<ScaleArgs> job, CancellationToken ct)
    {
        await using (var cmd = db.CreateCommand($"INSERT INTO \"{settings.Schema}\".runs (job_id, pid) VALUES ($1, $2)"))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = job.Id });
            cmd.Parameters.Add(new NpgsqlParameter { Value = Environment.ProcessId });
            await cmd.ExecuteNonQueryAsync(ct);
        }
        if (settings.HandlerMs > 0) await Task.Delay(settings.HandlerMs, ct);
    }
}
