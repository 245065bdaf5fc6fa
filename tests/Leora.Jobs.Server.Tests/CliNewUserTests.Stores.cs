using Leora.Jobs.TestSupport;
using Microsoft.Data.Sqlite;
using static Leora.Jobs.TestSupport.ProcessRunner;

namespace Leora.Jobs.Server.Tests;

// Reading commands create nothing; a batch leaves job types it does not know pending.
public sealed partial class CliNewUserTests
{
    /// <summary>The verbs that find the database as it is: they never create or migrate it.</summary>
    private static readonly string[][] ExistingDatabaseVerbs =
        [["list"], ["status", "1"], ["stats"], ["cancel", "1"], ["retry", "1"], ["delete", "1"], ["cleanup"], ["batches", "show", "1"]];

    [Fact]
    public async Task Reading_commands_refuse_a_missing_database_and_create_no_folder_and_no_file()
    {
        var missing = Path.Combine(Db.Directory, "nonexist", "dir", "x.db");
        foreach (var verb in ExistingDatabaseVerbs)
        {
            var run = await RunAsync([.. verb, "-c", $"Data Source={missing}"]);
            Assert.True(run.ExitCode == 5, $"{string.Join(' ', verb)}: {run}");
            Assert.Contains($"{missing} does not exist", run.Err, StringComparison.Ordinal);
            Assert.Contains("nor does its folder", run.Err, StringComparison.Ordinal);
            Assert.DoesNotContain("No jobs", run.Out, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(Db.Directory, "nonexist")), $"{string.Join(' ', verb)} created the folder");
        }
        foreach (var verb in ExistingDatabaseVerbs)
        {
            var run = await RunAsync(verb);
            Assert.True(run.ExitCode == 5, $"{string.Join(' ', verb)}: {run}");
            Assert.False(File.Exists(Db.Path_), $"{string.Join(' ', verb)} created the database file");
        }
    }

    [Fact]
    public async Task Reading_commands_add_no_table_to_an_applications_own_database_and_say_it_is_not_migrated()
    {
        await using (var app = new SqliteConnection(Db.ConnectionString + ";Pooling=false"))
        {
            await app.OpenAsync();
            await using var create = app.CreateCommand();
            create.CommandText = "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)";
            await create.ExecuteNonQueryAsync();
        }
        foreach (var verb in ExistingDatabaseVerbs)
        {
            var run = await RunAsync(verb);
            Assert.True(run.ExitCode == 5, $"{string.Join(' ', verb)}: {run}");
            Assert.Contains("not migrated", run.Err, StringComparison.Ordinal);
            Assert.Contains("leora-jobs migrate", run.Err, StringComparison.Ordinal);
        }
        Assert.Equal(["customers"], await SqliteTablesAsync());

        // migrate is the verb that creates the tables; then the readers read.
        Assert.Equal(0, (await RunAsync("migrate")).ExitCode);
        var tables = await SqliteTablesAsync();
        var list = await RunAsync("list");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains("No jobs.", list.Out, StringComparison.Ordinal);
        Assert.Equal(tables, await SqliteTablesAsync());
    }

    private async Task<List<string>> SqliteTablesAsync()
    {
        await using var c = new SqliteConnection(Db.ConnectionString + ";Pooling=false");
        await c.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
        var names = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) names.Add(r.GetString(0));
        return names;
    }

    [Fact]
    public async Task Reading_commands_create_no_schema_or_table_on_PostgreSQL()
    {
        await using var database = TestDatabase.Create("postgresql", "cliro");
        var pg = database.ServerEnvironment().ToDictionary(p => p.Key, p => (string?)p.Value);
        foreach (var verb in ExistingDatabaseVerbs)
        {
            var run = await LeoraJobsAsync(Db.Directory, pg, verb);
            Assert.True(run.ExitCode == 5, $"{string.Join(' ', verb)}: {run}");
            Assert.Contains("not migrated", run.Err, StringComparison.Ordinal);
        }
        await using var c = new Npgsql.NpgsqlConnection(TestPostgres.Require());
        await c.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT count(*) FROM information_schema.schemata WHERE schema_name = @s", c);
        cmd.Parameters.AddWithValue("s", database.Schema!);
        Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Process_leaves_an_applications_job_type_pending_with_no_attempt_used(string provider)
    {
        await using var database = provider == "sqlite" ? null : TestDatabase.Create(provider, "cliapp");
        var env = database is null ? Env : new Dictionary<string, string?>(database.ServerEnvironment().ToDictionary(p => p.Key, p => (string?)p.Value))
        {
            ["Jobs__Webhook__AllowedHosts__0"] = "127.0.0.1",
        };
        Task<Result> Run(params string[] args) => LeoraJobsAsync(Db.Directory, env, args);

        Assert.Equal(0, (await Run("migrate")).ExitCode);
        // The application's own job, enqueued by its own process (the CLI does not know the type, so it cannot enqueue it),
        // with a higher priority than the webhook: without the type filter the batch would claim it first.
        if (database is null)
        {
            await using var c = new SqliteConnection(Db.ConnectionString + ";Pooling=false");
            await c.OpenAsync();
            await using var insert = c.CreateCommand();
            insert.CommandText = "INSERT INTO leora_jobs (kind, queue, status, priority, payload, max_attempts, created_at, run_at) VALUES ('send_welcome_email', 'default', 'pending', 5, '{}', 5, 0, 0)";
            await insert.ExecuteNonQueryAsync();
        }
        else
        {
            await database.ExecuteSqlAsync("", "INSERT INTO {schema}.jobs (kind, queue, status, priority, payload, max_attempts) VALUES ('send_welcome_email', 'default', 'pending', 5, '{}', 5)");
        }
        var appJob = Json(await Run("list", "--json")).GetProperty("items")[0].GetProperty("id").GetInt64();
        var webhook = Json(await Run("enqueue", "webhook", "--payload", $$"""{"url":"{{Receiver.IpUrl("/ok")}}"}""", "--json")).GetProperty("id").GetInt64();

        var batch = Json(await Run("process", "--max-jobs", "10", "--json"));
        Assert.Equal(1, batch.GetProperty("processed").GetInt32());
        Assert.Equal(webhook, batch.GetProperty("jobs")[0].GetProperty("id").GetInt64());
        Assert.Equal("completed", Json(await Run("status", $"{webhook}", "--json")).GetProperty("status").GetString());
        var app = Json(await Run("status", $"{appJob}", "--json"));
        Assert.Equal("pending", app.GetProperty("status").GetString());
        Assert.Equal(0, app.GetProperty("attempts").GetInt32());
        Assert.Empty(app.GetProperty("errors").EnumerateArray());

        var stats = Json(await Run("stats", "--json"));
        Assert.Equal(["send_welcome_email"], stats.GetProperty("typesWithoutWorker").EnumerateArray().Select(t => t.GetString()));
        var table = await Run("stats");
        Assert.Matches(@"send_welcome_email\s+1\s+0\s+no worker for this type", table.Out);
    }
}
