using System.Data.Common;
using Leora.Jobs.PostgreSql;
using Leora.Jobs.Sqlite;
using Leora.Jobs.Storage;
using Leora.Jobs.TestSupport;
using Microsoft.Data.Sqlite;
using Npgsql;

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

    /// <summary>A second jobs database, migrated, with the same schema name: the one a transaction must not be taken on.</summary>
    protected abstract Task<OtherDatabase> CreateOtherDatabaseAsync(Harness h);

    /// <summary>A connection of the caller's own (not the store's) to the jobs database, its connection string spelled differently.</summary>
    protected abstract Task<DbConnection> OpenOwnConnectionAsync(Harness h);

    [Fact]
    public async Task A_transaction_on_another_database_is_refused_and_nothing_is_written_anywhere()
    {
        // Issue 11: the insert joined any transaction of the store's type, and the job was committed where this store's
        // workers never look.
        await using var h = await Harness.CreateAsync(Provider);
        await using var other = await CreateOtherDatabaseAsync(h);
        await using (var connection = await other.Store.OpenConnectionAsync(CancellationToken.None))
        await using (var tx = await connection.BeginTransactionAsync())
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(() => h.Client.EnqueueAsync(new NoopArgs(1), tx));
            Assert.Equal("transaction", error.ParamName);
            Assert.Contains("another database", error.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<ArgumentException>(() => h.Client.EnqueueManyAsync(new[] { new NoopArgs(2), new NoopArgs(3) }, tx));
            await tx.CommitAsync();
        }
        Assert.Empty(await other.Store.JobListAsync(new JobListParams(null, null, null, 10, null, JobListOrder.OldestFirst), CancellationToken.None));
        Assert.Empty((await h.Client.ListAsync(new JobQuery())).Items);
    }

    [Fact]
    public async Task A_transaction_on_the_callers_own_connection_to_the_jobs_database_is_accepted()
    {
        await using var h = await Harness.CreateAsync(Provider);
        EnqueueResult enqueued;
        await using (var connection = await OpenOwnConnectionAsync(h))
        await using (var tx = await connection.BeginTransactionAsync())
        {
            enqueued = await h.Client.EnqueueAsync(new NoopArgs(1), tx);
            await tx.CommitAsync();
        }
        Assert.Equal(JobStatus.Pending, (await h.Client.GetAsync(enqueued.Id))?.Status);
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

/// <summary>A second database for <see cref="StoreConnectionTests"/>, removed on dispose.</summary>
public sealed class OtherDatabase(IJobStore store, Func<ValueTask> remove) : IAsyncDisposable
{
    public IJobStore Store { get; } = store;

    public ValueTask DisposeAsync() => remove();
}

public sealed class SqliteStoreConnectionTests : StoreConnectionTests
{
    protected override string Provider => "sqlite";

    protected override async Task<OtherDatabase> CreateOtherDatabaseAsync(Harness h)
    {
        var file = new TempSqlite();
        var store = new SqliteJobStore(new SqliteJobStoreOptions { ConnectionString = file.ConnectionString }, TimeProvider.System);
        await store.MigrateAsync(CancellationToken.None);
        return new OtherDatabase(store, () =>
        {
            store.Dispose();
            file.Dispose();
            return ValueTask.CompletedTask;
        });
    }

    protected override async Task<DbConnection> OpenOwnConnectionAsync(Harness h)
    {
        // The same file through "./": SQLite and the store must still see one database.
        var path = new SqliteConnectionStringBuilder(h.ConnectionString).DataSource;
        var connection = new SqliteConnection($"Data Source={Path.Combine(Path.GetDirectoryName(path)!, ".", Path.GetFileName(path))}");
        await connection.OpenAsync();
        return connection;
    }
}

public sealed class PostgreSqlStoreConnectionTests : StoreConnectionTests
{
    protected override string Provider => "postgresql";

    protected override async Task<OtherDatabase> CreateOtherDatabaseAsync(Harness h)
    {
        var name = "leora_other_" + Guid.NewGuid().ToString("N")[..12];
        await TestPostgres.ExecuteAsync($"CREATE DATABASE {name}");
        var connectionString = new NpgsqlConnectionStringBuilder(TestPostgres.Require()) { Database = name }.ConnectionString;
        // The same schema name as the jobs database's: the insert would succeed there.
        var store = new PostgreSqlJobStore(new PostgreSqlJobStoreOptions { ConnectionString = connectionString, Schema = h.Schema! }, TimeProvider.System);
        await store.MigrateAsync(CancellationToken.None);
        return new OtherDatabase(store, async () =>
        {
            await store.DisposeAsync();
            await TestPostgres.ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        });
    }

    protected override async Task<DbConnection> OpenOwnConnectionAsync(Harness h)
    {
        // Another connection string (its own pool) to the same database: the store asks the server which database it is.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(h.ConnectionString) { ApplicationName = "leora-own-connection" }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}
