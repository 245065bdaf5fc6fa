using Leora.Jobs.Storage;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Leora.Jobs.ScaleOut.Tests;

/// <summary>
/// A fresh migrated schema (a <see cref="TestDatabase"/>) with the runs table the worker processes write to, and a
/// client to enqueue with.
/// </summary>
public sealed class ScaleOutDatabase : IAsyncDisposable
{
    private readonly TestDatabase _database;
    private readonly ServiceProvider _services;

    private ScaleOutDatabase(TestDatabase database, ServiceProvider services, NpgsqlDataSource db)
    {
        _database = database;
        _services = services;
        Db = db;
    }

    public string Connection => _database.ConnectionString;
    public string Schema => _database.Schema!;
    public NpgsqlDataSource Db { get; }
    public IJobClient Client => _services.GetRequiredService<IJobClient>();
    public IJobStore Store => _services.GetRequiredService<IJobStore>();

    /// <summary>Long runs (50,000 jobs) when LEORA_SCALEOUT_LONG=1; CI runs the short version.</summary>
    public static bool Long => Environment.GetEnvironmentVariable("LEORA_SCALEOUT_LONG") == "1";

    /// <summary>A new schema on the test server, or on the server of <paramref name="connection"/> (a cluster of the test's own).</summary>
    public static async Task<ScaleOutDatabase> CreateAsync(string? connection = null)
    {
        var database = TestDatabase.Create("postgresql", "so", connection);
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        database.Use(services.AddLeoraJobs(o => o.MigrateOnStart = false)).AddJob<ScaleArgs, NoHandler>();
        var sp = services.BuildServiceProvider();
        await sp.GetRequiredService<IJobStoreMigrator>().MigrateAsync();
        var db = NpgsqlDataSource.Create(database.ConnectionString);
        await using (var cmd = db.CreateCommand($"CREATE TABLE \"{database.Schema}\".runs (job_id bigint NOT NULL, pid integer NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())"))
            await cmd.ExecuteNonQueryAsync();
        return new ScaleOutDatabase(database, sp, db);
    }

    public async Task EnqueueAsync(int count)
    {
        for (var i = 0; i < count; i += 5000)
            await Client.EnqueueManyAsync(Enumerable.Range(i, Math.Min(5000, count - i)).Select(n => new ScaleArgs(n)));
    }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var cmd = Db.CreateCommand(sql.Replace("{s}", $"\"{Schema}\"", StringComparison.Ordinal));
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<string?> TextAsync(string sql)
    {
        await using var cmd = Db.CreateCommand(sql.Replace("{s}", $"\"{Schema}\"", StringComparison.Ordinal));
        return await cmd.ExecuteScalarAsync() as string;
    }

    public Task<long> CompletedAsync() => ScalarAsync("SELECT count(*) FROM {s}.jobs WHERE status = 'completed'");

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Db.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        try { await _database.DisposeAsync(); }
        catch (NpgsqlException) { }
    }

    /// <summary>This process only enqueues: the handler lives in the worker processes.</summary>
    private sealed class NoHandler : IJobHandler<ScaleArgs>
    {
        public Task HandleAsync(JobContext<ScaleArgs> job, CancellationToken ct) => throw new InvalidOperationException("Enqueue-only process.");
    }
}
