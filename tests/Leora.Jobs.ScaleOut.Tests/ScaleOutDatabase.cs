using Leora.Jobs.PostgreSql;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Leora.Jobs.ScaleOut.Tests;

/// <summary>A fresh migrated schema with the runs table the worker processes write to, and a client to enqueue with.</summary>
public sealed class ScaleOutDatabase : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private ScaleOutDatabase(string connection, string schema, ServiceProvider services, NpgsqlDataSource db)
    {
        Connection = connection;
        Schema = schema;
        _services = services;
        Db = db;
    }

    public string Connection { get; }
    public string Schema { get; }
    public NpgsqlDataSource Db { get; }
    public IJobClient Client => _services.GetRequiredService<IJobClient>();
    public PostgreSqlJobStore Store => _services.GetRequiredService<PostgreSqlJobStore>();

    /// <summary>Long runs (50,000 jobs) when LEORA_SCALEOUT_LONG=1; CI runs the short version.</summary>
    public static bool Long => Environment.GetEnvironmentVariable("LEORA_SCALEOUT_LONG") == "1";

    public static async Task<ScaleOutDatabase> CreateAsync(string? connection = null)
    {
        connection ??= TestPostgres.Require();
        var schema = TestPostgres.NewSchemaName("so");
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddLeoraJobs(o => o.MigrateOnStart = false).UsePostgreSql(connection, o => o.Schema = schema).AddJob<ScaleArgs, NoHandler>();
        var sp = services.BuildServiceProvider();
        await sp.GetRequiredService<PostgreSqlJobStore>().MigrateAsync(CancellationToken.None);
        var db = NpgsqlDataSource.Create(connection);
        await using (var cmd = db.CreateCommand($"CREATE TABLE \"{schema}\".runs (job_id bigint NOT NULL, pid integer NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())"))
            await cmd.ExecuteNonQueryAsync();
        return new ScaleOutDatabase(connection, schema, sp, db);
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
        try { await TestPostgres.DropSchemaAsync(Schema); }
        catch (NpgsqlException) { }
    }

    /// <summary>This process only enqueues: the handler lives in the worker processes.</summary>
    private sealed class NoHandler : IJobHandler<ScaleArgs>
    {
        public Task HandleAsync(JobContext<ScaleArgs> job, CancellationToken ct) => throw new InvalidOperationException("Enqueue-only process.");
    }
}
