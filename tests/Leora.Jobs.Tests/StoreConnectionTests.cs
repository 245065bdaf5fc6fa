using Leora.Jobs.Storage;

namespace Leora.Jobs.Tests;

/// <summary>
/// <see cref="IJobStore.OpenConnectionAsync"/>, the caller-transaction connection: a transaction begun on it is one the
/// store's insert joins, so its rollback removes the job and its commit keeps it. Run against every store.
/// </summary>
public abstract class StoreConnectionTests
{
    protected abstract string Provider { get; }

    private static JobInsertParams Job(string key) =>
        new("noop", "default", """{"n":1}""", 0, 3, null, null, key);

    [Fact]
    public async Task A_transaction_on_the_stores_connection_takes_the_insert_with_it()
    {
        await using var h = await Harness.CreateAsync(Provider);
        await using var connection = await h.Store.OpenConnectionAsync(CancellationToken.None);
        Assert.Equal(System.Data.ConnectionState.Open, connection.State);

        EnqueueResult dropped;
        await using (var tx = await connection.BeginTransactionAsync())
        {
            dropped = await h.Store.JobInsertAsync(Job("dropped"), tx, CancellationToken.None);
            await tx.RollbackAsync();
        }
        EnqueueResult kept;
        await using (var tx = await connection.BeginTransactionAsync())
        {
            kept = await h.Store.JobInsertAsync(Job("kept"), tx, CancellationToken.None);
            await tx.CommitAsync();
        }

        // By key, not by id: SQLite rolls its id sequence back with the transaction, so the kept job may reuse the id.
        var all = await h.Store.JobListAsync(new JobListParams(null, null, null, 10, null, JobListOrder.OldestFirst), CancellationToken.None);
        Assert.Equal(["kept"], all.Select(j => j.IdempotencyKey));
        Assert.Equal(kept.Id, all[0].Id);
        Assert.False(dropped.Existing);
    }

    [Fact]
    public async Task The_store_names_its_schema_only_where_the_database_has_schemas()
    {
        // Through the seam only: a consumer such as the CRM needs no concrete store type to find the jobs tables.
        await using var h = await Harness.CreateAsync(Provider);
        Assert.Equal(h.Schema, h.Store.Schema);
        Assert.Equal(Provider == "postgresql", h.Store.Schema is not null);
    }
}

public sealed class SqliteStoreConnectionTests : StoreConnectionTests
{
    protected override string Provider => "sqlite";
}

public sealed class PostgreSqlStoreConnectionTests : StoreConnectionTests
{
    protected override string Provider => "postgresql";
}
