using System.Globalization;
using Leora.Jobs.Storage;
using Microsoft.Data.Sqlite;

namespace Leora.Jobs.Sqlite;

public sealed partial class SqliteJobStore
{
    /// <inheritdoc />
    public Task<IReadOnlyDictionary<long, JobHeartbeatResult>> JobHeartbeatManyAsync(IReadOnlyList<JobLease> leases, TimeSpan lease, CancellationToken cancellationToken) =>
        // The node's batched heartbeat: one BEGIN IMMEDIATE transaction, one prepared statement re-bound per job.
        WriteAsync<IReadOnlyDictionary<long, JobHeartbeatResult>>(null, async (c, tx) =>
        {
            var answer = new Dictionary<long, JobHeartbeatResult>(leases.Count);
            await using var cmd = Command(c, tx, SqliteSql.JobHeartbeat);
            foreach (var name in (string[])["@id", "@lock_token", "@now", "@lease_ms"]) cmd.Parameters.Add(new SqliteParameter(name, null));
            cmd.Prepare();
            cmd.Parameters["@now"].Value = NowMs;
            cmd.Parameters["@lease_ms"].Value = (long)lease.TotalMilliseconds;
            foreach (var held in leases)
            {
                cmd.Parameters["@id"].Value = held.Id;
                cmd.Parameters["@lock_token"].Value = Token(held.LockToken);
                switch (await cmd.ExecuteScalarAsync(cancellationToken))
                {
                    case null or DBNull: break;
                    case var v: answer[held.Id] = Convert.ToInt64(v, CultureInfo.InvariantCulture) != 0 ? JobHeartbeatResult.CancelRequested : JobHeartbeatResult.Extended; break;
                }
            }
            return answer;
        }, cancellationToken, workerWrite: true);
}
