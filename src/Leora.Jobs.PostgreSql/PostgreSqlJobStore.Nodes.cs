using Leora.Jobs.Storage;

namespace Leora.Jobs.PostgreSql;

// Nodes and leadership: the heartbeat of each worker node and the maintenance leader's lease, on the database clock.
public sealed partial class PostgreSqlJobStore
{
    /// <inheritdoc />
    public Task NodeHeartbeatAsync(NodeHeartbeatParams node, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c =>
        {
            await using var cmd = Command(c, null, PostgreSqlSql.NodeHeartbeat);
            cmd.Parameters.AddWithValue("name", node.Name);
            cmd.Parameters.AddWithValue("queues", node.Queues);
            cmd.Parameters.AddWithValue("concurrency", node.Concurrency);
            cmd.Parameters.AddWithValue("running", node.Running);
            cmd.Parameters.Add(new Npgsql.NpgsqlParameter<string?>("kinds", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = node.Kinds });
            return await cmd.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    /// <inheritdoc />
    public Task NodeDeleteAsync(string name, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c =>
        {
            await using var cmd = Command(c, null, PostgreSqlSql.NodeDelete);
            cmd.Parameters.AddWithValue("name", name);
            return await cmd.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<int> NodeDeleteStaleAsync(TimeSpan olderThan, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c =>
        {
            await using var cmd = Command(c, null, PostgreSqlSql.NodeDeleteStale);
            cmd.Parameters.AddWithValue("older_ms", (long)olderThan.TotalMilliseconds);
            return await cmd.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<NodeRow>> NodeListAsync(CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<NodeRow>>(async c =>
        {
            await using var cmd = Command(c, null, PostgreSqlSql.NodeList);
            var rows = new List<NodeRow>();
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
                rows.Add(new NodeRow(r.GetString(0), Time(r, 1)!.Value, Time(r, 2)!.Value, r.GetString(3), r.GetInt32(4), r.GetInt32(5), r.GetBoolean(6))
                {
                    Kinds = r.IsDBNull(7) ? null : r.GetString(7),
                });
            return rows;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> LeaderElectAsync(string holder, TimeSpan ttl, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c =>
        {
            await using var cmd = Command(c, null, PostgreSqlSql.LeaderElect);
            cmd.Parameters.AddWithValue("holder", holder);
            cmd.Parameters.AddWithValue("ttl_ms", (long)ttl.TotalMilliseconds);
            return await cmd.ExecuteScalarAsync(cancellationToken) is string;
        }, cancellationToken);

    /// <inheritdoc />
    public Task LeaderResignAsync(string holder, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c =>
        {
            await using var cmd = Command(c, null, PostgreSqlSql.LeaderResign);
            cmd.Parameters.AddWithValue("holder", holder);
            return await cmd.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
}
