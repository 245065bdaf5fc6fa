using Leora.Jobs.Storage;

namespace Leora.Jobs.Sqlite;

// Nodes and leadership: the heartbeat of each worker process and the maintenance leader's lease (one machine, one clock).
// Worker writes: a heartbeat or lease renewal undone by a power cut is simply written again at the next beat.
public sealed partial class SqliteJobStore
{
    /// <inheritdoc />
    public Task NodeHeartbeatAsync(NodeHeartbeatParams node, CancellationToken cancellationToken) =>
        WriteAsync(null, async (c, tx) =>
        {
            await using var cmd = Command(c, tx, SqliteSql.NodeHeartbeat);
            cmd.Parameters.AddWithValue("@name", node.Name);
            cmd.Parameters.AddWithValue("@queues", node.Queues);
            cmd.Parameters.AddWithValue("@concurrency", node.Concurrency);
            cmd.Parameters.AddWithValue("@running", node.Running);
            cmd.Parameters.AddWithValue("@kinds", (object?)node.Kinds ?? DBNull.Value);
            cmd.Parameters.AddWithValue("@now", NowMs);
            return await cmd.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken, workerWrite: true);

    /// <inheritdoc />
    public Task NodeDeleteAsync(string name, CancellationToken cancellationToken) =>
        WriteAsync(null, async (c, tx) =>
        {
            await using var cmd = Command(c, tx, SqliteSql.NodeDelete);
            cmd.Parameters.AddWithValue("@name", name);
            return await cmd.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken, workerWrite: true);

    /// <inheritdoc />
    public Task<int> NodeDeleteStaleAsync(TimeSpan olderThan, CancellationToken cancellationToken) =>
        WriteAsync(null, async (c, tx) =>
        {
            await using var cmd = Command(c, tx, SqliteSql.NodeDeleteStale);
            cmd.Parameters.AddWithValue("@older_ms", (long)olderThan.TotalMilliseconds);
            cmd.Parameters.AddWithValue("@now", NowMs);
            return await cmd.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken, workerWrite: true);

    /// <inheritdoc />
    public Task<IReadOnlyList<NodeRow>> NodeListAsync(CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<NodeRow>>(async c =>
        {
            await using var cmd = Command(c, null, SqliteSql.NodeList);
            cmd.Parameters.AddWithValue("@now", NowMs);
            var rows = new List<NodeRow>();
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
                rows.Add(new NodeRow(r.GetString(0), Time(r, 1)!.Value, Time(r, 2)!.Value, r.GetString(3), r.GetInt32(4), r.GetInt32(5), r.GetInt64(6) != 0)
                {
                    Kinds = r.IsDBNull(7) ? null : r.GetString(7),
                });
            return rows;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> LeaderElectAsync(string holder, TimeSpan ttl, CancellationToken cancellationToken) =>
        WriteAsync(null, async (c, tx) =>
        {
            await using var cmd = Command(c, tx, SqliteSql.LeaderElect);
            cmd.Parameters.AddWithValue("@holder", holder);
            cmd.Parameters.AddWithValue("@ttl_ms", (long)ttl.TotalMilliseconds);
            cmd.Parameters.AddWithValue("@now", NowMs);
            return await cmd.ExecuteScalarAsync(cancellationToken) is string;
        }, cancellationToken, workerWrite: true);

    /// <inheritdoc />
    public Task LeaderResignAsync(string holder, CancellationToken cancellationToken) =>
        WriteAsync(null, async (c, tx) =>
        {
            await using var cmd = Command(c, tx, SqliteSql.LeaderResign);
            cmd.Parameters.AddWithValue("@holder", holder);
            return await cmd.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken, workerWrite: true);
}
