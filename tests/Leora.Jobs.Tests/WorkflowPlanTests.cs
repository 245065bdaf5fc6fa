using System.Text.RegularExpressions;
using Leora.Jobs.Sqlite;
using Leora.Jobs.Storage;
using Leora.Jobs.TestSupport;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Leora.Jobs.Tests;

/// <summary>
/// Issue 14: releasing a dependant and counting a batch never scan the jobs table (nor the workflow tables). Checked on the
/// plans of the statements of the workflow triggers themselves (migration 12's), read back from the database: on SQLite
/// each statement of each trigger's body and the dependants' trigger's WHEN test (EXPLAIN QUERY PLAN, no ANALYZE
/// statistics, as in production); on PostgreSQL each statement of the trigger function's body that reads a table (its
/// transition tables aside), with sequential scans priced out (so a plan without one proves an index serves it).
/// </summary>
public sealed partial class WorkflowPlanTests
{
    private static readonly string[] Tables = ["jobs", "job_dependencies", "job_waits", "batches", "batch_jobs"];

    [Fact]
    public async Task Sqlite_the_workflow_triggers_read_only_through_indexes()
    {
        using var file = new TempSqlite();
        await using var c = await FilledSqliteAsync(file);
        var statements = new List<string>();
        foreach (var trigger in (string[])["leora_jobs_workflow_dependants", "leora_jobs_workflow_batch", "leora_batches_finished", "leora_jobs_workflow_delete"])
        {
            await using var read = c.CreateCommand();
            read.CommandText = "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = @name";
            read.Parameters.AddWithValue("@name", trigger);
            var sql = (string)(await read.ExecuteScalarAsync())!;
            var begin = sql.IndexOf("\nBEGIN", StringComparison.Ordinal);
            if (WhenExists().Match(sql[..begin]) is { Success: true } gate) statements.Add(gate.Groups[1].Value);
            var body = sql[(begin + 6)..sql.LastIndexOf("END", StringComparison.Ordinal)];
            statements.AddRange(body.Split(";\n").Select(s => s.Trim()).Where(s => s.Length > 0));
        }
        Assert.Equal(11, statements.Count);
        foreach (var statement in statements)
            await AssertSqlitePlanAsync(c, statement, NewOrOld().Replace(statement, m => "@" + m.Groups[1].Value + "_" + m.Groups[2].Value),
                p =>
                {
                    foreach (var name in (string[])["@new_id", "@new_status", "@new_completed_at", "@new_failed", "@new_cancelled", "@old_id"])
                        p.AddWithValue(name, name == "@new_status" ? "failed" : 1L);
                });
    }

    [Fact]
    public async Task PostgreSql_the_workflow_trigger_functions_read_only_through_indexes()
    {
        await using var database = TestDatabase.Create("postgresql", "wfp");
        var (c, tx) = await FilledPostgreSqlAsync(database);
        await using var connection = c;
        var statements = new List<string>();
        foreach (var function in (string[])["job_workflow_finished", "job_workflow_deleted"])
        {
            await using var read = new NpgsqlCommand("SELECT prosrc FROM pg_proc WHERE proname = @name AND pronamespace = @schema::regnamespace", c, tx);
            read.Parameters.AddWithValue("name", function);
            read.Parameters.AddWithValue("schema", database.Schema!);
            var body = (string)(await read.ExecuteScalarAsync())!;
            // The dependants' gate, then each statement (a FOR loop's query without its LOOP).
            if (DependantsGate().Match(body) is { Success: true } gate) statements.Add(gate.Groups[1].Value);
            foreach (var chunk in body.Split(";\n"))
                if (Statement().Match(chunk) is { Success: true } m)
                {
                    var statement = chunk[m.Index..];
                    var loop = statement.IndexOf("\n    LOOP", StringComparison.Ordinal);
                    statements.Add(loop < 0 ? statement : statement[..loop]);
                }
        }
        Assert.Equal(11, statements.Count);
        foreach (var statement in statements)
        {
            var sql = Variable().Replace(statement, m => m.Value switch
            {
                "f_ids" => "ARRAY[1, 2]::bigint[]",
                "f_status" => "ARRAY['failed', 'completed']::text[]",
                "f_at" => "ARRAY[now(), now()]::timestamptz[]",
                "b.ok" => "true",
                _ => "1::bigint",
            });
            await AssertPostgreSqlPlanAsync(c, tx, statement, sql, _ => { });
        }
    }

    // The reads behind a batch's page, the batches page, a job's Workflow section and the CLI: each by the primary key or
    // an index of batches, batch_jobs or job_dependencies, then the jobs by primary key.
    private static readonly (string Name, string Sqlite, string PostgreSql)[] Reads =
    [
        ("BatchGet", SqliteSql.BatchGet, Leora.Jobs.PostgreSql.PostgreSqlSql.BatchGet),
        ("BatchList", SqliteSql.BatchList, Leora.Jobs.PostgreSql.PostgreSqlSql.BatchList),
        ("BatchJobList", SqliteSql.BatchJobList, Leora.Jobs.PostgreSql.PostgreSqlSql.BatchJobList),
        ("BatchJobGet", SqliteSql.BatchJobGet, Leora.Jobs.PostgreSql.PostgreSqlSql.BatchJobGet),
        ("JobParentList", SqliteSql.JobParentList, Leora.Jobs.PostgreSql.PostgreSqlSql.JobParentList),
        ("JobDependantList", SqliteSql.JobDependantList, Leora.Jobs.PostgreSql.PostgreSqlSql.JobDependantList),
    ];

    [Fact]
    public async Task Sqlite_the_workflow_reads_use_indexes()
    {
        using var file = new TempSqlite();
        await using var c = await FilledSqliteAsync(file);
        foreach (var (name, sql, _) in Reads)
            await AssertSqlitePlanAsync(c, name, sql, p =>
            {
                foreach (var parameter in (string[])["@id", "@after", "@limit", "@before"]) p.AddWithValue(parameter, parameter == "@limit" ? 50L : 1L);
            });
    }

    [Fact]
    public async Task PostgreSql_the_workflow_reads_use_indexes()
    {
        await using var database = TestDatabase.Create("postgresql", "wfr");
        var (c, tx) = await FilledPostgreSqlAsync(database);
        await using var connection = c;
        foreach (var (name, _, template) in Reads)
            await AssertPostgreSqlPlanAsync(c, tx, name, template.Replace("{s}", "\"" + database.Schema + "\"", StringComparison.Ordinal), p =>
            {
                p.AddWithValue("id", 1L);
                p.AddWithValue("after", 0L);
                p.AddWithValue("before", long.MaxValue);
                p.AddWithValue("limit", 50);
            });
    }

    // A SQLite file migrated and filled, and a connection of its own to read plans with.
    private static async Task<SqliteConnection> FilledSqliteAsync(TempSqlite file)
    {
        using (var store = new SqliteJobStore(new SqliteJobStoreOptions { ConnectionString = file.ConnectionString }, TimeProvider.System))
        {
            await store.MigrateAsync(CancellationToken.None);
            await FillAsync(store);
        }
        SqliteConnection.ClearAllPools();
        var c = new SqliteConnection(file.ConnectionString);
        await c.OpenAsync();
        return c;
    }

    // A PostgreSQL schema migrated and filled, and a transaction on a connection of its own with sequential scans priced
    // out (so a plan without one proves an index serves it).
    private static async Task<(NpgsqlConnection Connection, NpgsqlTransaction Transaction)> FilledPostgreSqlAsync(TestDatabase database)
    {
        await using (var store = new Leora.Jobs.PostgreSql.PostgreSqlJobStore(new Leora.Jobs.PostgreSql.PostgreSqlJobStoreOptions
        {
            ConnectionString = TestPostgres.Require(),
            Schema = database.Schema!,
        }, TimeProvider.System))
        {
            await store.MigrateAsync(CancellationToken.None);
            await FillAsync(store);
        }
        var c = new NpgsqlConnection(TestPostgres.Require());
        await c.OpenAsync();
        var tx = await c.BeginTransactionAsync();
        await using (var off = new NpgsqlCommand("SET LOCAL enable_seqscan = off", c, tx)) await off.ExecuteNonQueryAsync();
        return (c, tx);
    }

    // SQLite names a table by its alias in the plan ("SCAN d" for leora_job_dependencies d): a scan of either name fails.
    // A scan of a subquery's rows (the callbacks' "SCAN c") is not a table's.
    private static async Task AssertSqlitePlanAsync(SqliteConnection c, string label, string sql, Action<SqliteParameterCollection> bind)
    {
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "EXPLAIN QUERY PLAN " + sql;
        bind(cmd.Parameters);
        var plan = new List<string>();
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) plan.Add(r.GetString(3));
        var shown = string.Join(" | ", plan);
        var names = SqliteTableNames(sql);
        Assert.True(plan.All(step => !names.Contains(ScannedName().Match(step) is { Success: true } m ? m.Groups[1].Value : "")),
            $"no scan of a workflow table or of jobs: {shown} in {label}");
        Assert.True(plan.Any(step => step.StartsWith("SEARCH ", StringComparison.Ordinal)), $"an index is searched: {shown} in {label}");
    }

    private static async Task AssertPostgreSqlPlanAsync(NpgsqlConnection c, NpgsqlTransaction tx, string label, string sql, Action<NpgsqlParameterCollection> bind)
    {
        await using var explain = new NpgsqlCommand("EXPLAIN " + sql, c, tx);
        bind(explain.Parameters);
        var plan = new List<string>();
        try
        {
            await using var r = await explain.ExecuteReaderAsync();
            while (await r.ReadAsync()) plan.Add(r.GetString(0));
        }
        catch (PostgresException ex)
        {
            throw new InvalidOperationException($"EXPLAIN failed ({ex.MessageText}) for: {sql}", ex);
        }
        var shown = string.Join(" | ", plan);
        Assert.DoesNotContain(plan, step => Regex.IsMatch(step, @"Seq Scan on (" + string.Join("|", Tables) + @")\b"));
        Assert.True(plan.Any(step => step.Contains("Index", StringComparison.Ordinal)), $"an index is read: {shown} in {label}");
    }

    /// <summary>The names under which a SQLite plan may show a workflow table or jobs in <paramref name="statement"/>: each table's, and its aliases.</summary>
    private static HashSet<string> SqliteTableNames(string statement)
    {
        var names = new HashSet<string>(Tables.Select(t => "leora_" + t), StringComparer.Ordinal);
        foreach (Match m in SqliteAlias().Matches(statement))
            if (!AliasKeywords.Contains(m.Groups[2].Value.ToUpperInvariant())) names.Add(m.Groups[2].Value);
        return names;
    }

    private static readonly HashSet<string> AliasKeywords = ["WHERE", "SET", "JOIN", "ON", "USING", "ORDER", "GROUP", "LIMIT", "LEFT", "INNER",
        "CROSS", "WHEN", "VALUES", "SELECT", "AND", "OR", "AS", "INDEXED", "NOT", "UNION", "DEFAULT", "FROM"];

    // Enough rows that a scan would show: a batch of 500 with a callback, and a chain of dependants.
    private static async Task FillAsync(IJobStore store)
    {
        static JobInsertParams Job(int i) => new("echo", "default", $$"""{"message":"m{{i}}"}""", 0, 3, null, null, null);
        await store.WorkflowInsertAsync(new WorkflowInsertParams(
            [.. Enumerable.Range(0, 500).Select(i => new WorkflowJobParams(Job(i)) { BatchRole = JobBatchRole.Member }),
             new WorkflowJobParams(Job(-1)) { BatchRole = JobBatchRole.OnComplete }]) { NewBatch = true }, null, CancellationToken.None);
        await store.WorkflowInsertAsync(new WorkflowInsertParams(
            [.. Enumerable.Range(0, 200).Select(i => new WorkflowJobParams(Job(i)) { ParentIndexes = i == 0 ? [] : [i - 1] })]), null, CancellationToken.None);
    }

    [GeneratedRegex(@"\b(leora_(?:jobs|job_dependencies|job_waits|batches|batch_jobs))\s+(?:AS\s+)?([A-Za-z_]\w*)", RegexOptions.IgnoreCase)]
    private static partial Regex SqliteAlias();

    [GeneratedRegex(@"^SCAN (\w+)")]
    private static partial Regex ScannedName();

    [GeneratedRegex(@"\b(new|old)\.(id|status|completed_at|failed|cancelled)\b")]
    private static partial Regex NewOrOld();

    [GeneratedRegex(@"\bEXISTS \((SELECT 1 FROM leora_job_dependencies [^)]*)\)")]
    private static partial Regex WhenExists();

    [GeneratedRegex(@"\bIF EXISTS \((SELECT 1 FROM \S+\.job_dependencies [^)]*\)[^)]*)\) THEN")]
    private static partial Regex DependantsGate();

    [GeneratedRegex(@"\b(OLD\.id|f_ids|f_status|f_at|b\.id|b\.ok)\b")]
    private static partial Regex Variable();

    [GeneratedRegex(@"(?m)^\s*(WITH|UPDATE|INSERT|DELETE)\b")]
    private static partial Regex Statement();
}
