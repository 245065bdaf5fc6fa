using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Leora.Jobs.TestSupport;

/// <summary>
/// One isolated jobs database for one test (or one test class): a fresh SQLite file, or a fresh schema on the test
/// PostgreSQL server. The one harness every test project builds its hosts on; disposing it deletes the file or drops
/// the schema. Several hosts may share one (nodes of one cluster): only the creator disposes it.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    /// <summary>The provider names, for a <c>[Theory]</c> run on both stores.</summary>
    public static TheoryData<string> Providers => ["sqlite", "postgresql"];

    private TestDatabase(string provider, string connectionString, TempSqlite? sqlite, string? schema)
    {
        Provider = provider;
        ConnectionString = connectionString;
        Sqlite = sqlite;
        Schema = schema;
    }

    /// <summary><c>sqlite</c> or <c>postgresql</c>.</summary>
    public string Provider { get; }

    /// <summary>The connection string the store uses (on PostgreSQL, the server's: the schema is <see cref="Schema"/>).</summary>
    public string ConnectionString { get; }

    /// <summary>The SQLite file and its folder (null on PostgreSQL).</summary>
    public TempSqlite? Sqlite { get; }

    /// <summary>The PostgreSQL schema (null on SQLite).</summary>
    public string? Schema { get; }

    /// <summary>
    /// A new database for <paramref name="provider"/> (or <see cref="TestPgBouncer.Transaction"/>,
    /// <see cref="TestPgBouncer.Session"/>: PostgreSQL through a pooler). On PostgreSQL the schema is named with <paramref name="prefix"/>
    /// and created by the store's migrations; <paramref name="postgresConnectionString"/> replaces the test server's
    /// (a relay in front of it, for instance).
    /// </summary>
    public static TestDatabase Create(string provider, string prefix = "t", string? postgresConnectionString = null) => provider switch
    {
        "sqlite" => FromSqlite(new TempSqlite()),
        "postgresql" => new TestDatabase(provider, postgresConnectionString ?? TestPostgres.Require(), null, TestPostgres.NewSchemaName(prefix)),
        // The test server through one of build.sh's PgBouncers, with the settings documented for that pool mode.
        TestPgBouncer.Transaction or TestPgBouncer.Session =>
            new TestDatabase("postgresql", TestPgBouncer.Require(provider), null, TestPostgres.NewSchemaName(prefix)),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Expected sqlite or postgresql."),
    };

    private static TestDatabase FromSqlite(TempSqlite file) => new("sqlite", file.ConnectionString, file, null);

    /// <summary>
    /// Points <paramref name="jobs"/> at this database. <paramref name="timeProviderClock"/>: on PostgreSQL, the store's
    /// statements take the time from the test's TimeProvider (a fake clock) instead of the database's.
    /// </summary>
    public LeoraJobsBuilder Use(LeoraJobsBuilder jobs, bool timeProviderClock = false) => Sqlite is not null
        ? jobs.UseSqlite(ConnectionString)
        : jobs.UsePostgreSql(ConnectionString, o =>
        {
            o.Schema = Schema!;
            o.UseTimeProviderClock = timeProviderClock;
        });

    /// <summary>The <c>leora-jobs</c> command-line arguments (configuration keys) that point the service at this database.</summary>
    public IReadOnlyList<string> ServerArguments() => [.. ServerSettings().Select(s => $"--{s.Key}={s.Value}")];

    /// <summary>The environment variables that point a <c>leora-jobs</c> process at this database (configuration only).</summary>
    public IReadOnlyDictionary<string, string> ServerEnvironment() =>
        ServerSettings().ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value, StringComparer.Ordinal);

    private IEnumerable<(string Key, string Value)> ServerSettings() => Sqlite is not null
        ? [("ConnectionStrings:Jobs", ConnectionString)]
        : [("Jobs:Provider", "postgresql"), ("ConnectionStrings:Jobs", ConnectionString), ("Jobs:PostgreSql:Schema", Schema!)];

    /// <summary>
    /// Runs SQL on this database through a connection of the test's own (outside any service's pools):
    /// <paramref name="sqlite"/> or <paramref name="postgres"/>, where <c>{schema}</c> stands for the schema.
    /// </summary>
    public async Task ExecuteSqlAsync(string sqlite, string postgres)
    {
        if (Sqlite is not null)
        {
            await using var c = new Microsoft.Data.Sqlite.SqliteConnection(ConnectionString + ";Pooling=false");
            await c.OpenAsync();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA busy_timeout = 10000; " + sqlite;
            await cmd.ExecuteNonQueryAsync();
        }
        else
        {
            await using var c = new Npgsql.NpgsqlConnection(TestPostgres.Require());
            await c.OpenAsync();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = postgres.Replace("{schema}", Schema, StringComparison.Ordinal);
            await cmd.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Deletes the SQLite file's folder, or drops the PostgreSQL schema.</summary>
    public async ValueTask DisposeAsync()
    {
        Sqlite?.Dispose();
        if (Schema is not null) await TestPostgres.DropSchemaAsync(Schema);
    }
}
