using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Leora.Jobs.Bench;

/// <summary>The database's own ceiling: <c>pgbench</c> of a one-row UPDATE per transaction, from 1 and 4 clients.</summary>
internal static partial class PgBench
{
    public static async Task<Dictionary<int, double>> RunAsync(string connection, string? pgbenchPath, int seconds, Report report, CancellationToken ct)
    {
        var result = new Dictionary<int, double>();
        var exe = pgbenchPath ?? Find();
        if (exe is null)
        {
            Report.Progress("pgbench not found (install postgresql-contrib, or pass --pgbench PATH): ceiling skipped");
            return result;
        }
        await using (var ds = NpgsqlDataSource.Create(connection))
            await CreateTableAsync(ds, ct);
        foreach (var clients in new[] { 1, 4 })
        {
            var tps = await RunScriptAsync(exe, connection, "\\set id random(1, 1000)\n" + UpdateSql.Replace("@id", ":id", StringComparison.Ordinal) + ";\n",
                clients, seconds, prepared: false, ct);
            result[clients] = tps;
            report.Add("ceiling", "postgresql", $"pgbench_one_row_update_{clients}_client{(clients > 1 ? "s" : "")}", tps, "tx/s", note: $"pgbench -n -T {seconds} -c {clients}");
        }
        return result;
    }

    /// <summary>
    /// The server's own ceiling for an enqueue: the store's insert statement (<c>JobInsert</c>, its limits probe,
    /// <c>ON CONFLICT</c> and <c>RETURNING</c> of the row) with a no-op job's values written in, run by pgbench (a C
    /// client that costs next to nothing) against the bench's jobs table. Null when pgbench is not installed.
    /// </summary>
    public static async Task<double?> StoreInsertAsync(string connection, string? pgbenchPath, string schema, int clients, int seconds, CancellationToken ct)
    {
        if ((pgbenchPath ?? Find()) is not { } exe) return null;
        var sql = Leora.Jobs.PostgreSql.PostgreSqlSql.JobInsert.Replace("{s}", $"\"{schema}\"", StringComparison.Ordinal);
        foreach (var (name, value) in new[] { ("@kind", $"'{NoopArgs.Kind}'"), ("@queue", "'default'"), ("@priority", "0"), ("@payload", "'{\"enqueuedAtUs\":0}'"),
                     ("@max_attempts", "3"), ("@idempotency_key", "NULL::text"), ("@now", "NULL::timestamptz"), ("@run_at", "NULL::timestamptz"),
                     ("@delay_ms", "NULL::bigint"), ("@concurrency_key", "NULL"), ("@trace_parent", "NULL"), ("@trace_state", "NULL") })
            sql = sql.Replace(name, value, StringComparison.Ordinal);
        return await RunScriptAsync(exe, connection, sql + ";\n", clients, seconds, prepared: true, ct);
    }

    private static async Task<double> RunScriptAsync(string exe, string connection, string sql, int clients, int seconds, bool prepared, CancellationToken ct)
    {
        var script = Path.Combine(Path.GetTempPath(), $"leora-bench-{Environment.ProcessId}-{Guid.NewGuid():N}.sql");
        await File.WriteAllTextAsync(script, sql, ct);
        try
        {
            var cs = new NpgsqlConnectionStringBuilder(connection);
            var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "-n", "-f", script, "-c", $"{clients}", "-j", $"{clients}", "-T", $"{seconds}",
                         "-h", cs.Host!, "-p", $"{cs.Port}", "-U", cs.Username ?? "postgres", cs.Database ?? "postgres" })
                psi.ArgumentList.Add(a);
            if (prepared)
            {
                psi.ArgumentList.Add("-M");
                psi.ArgumentList.Add("prepared");
            }
            if (cs.Password is { } pw) psi.Environment["PGPASSWORD"] = pw;
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync(ct);
            var stderr = p.StandardError.ReadToEndAsync(ct);
            await p.WaitForExitAsync(ct);
            var m = Tps().Match(await stdout);
            if (p.ExitCode != 0 || !m.Success) throw new InvalidOperationException($"pgbench failed: {await stderr}");
            return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        }
        finally
        {
            File.Delete(script);
        }
    }

    /// <summary>The ceiling's transaction: one row of a 1,000-row table, updated.</summary>
    public const string UpdateSql = "UPDATE bench_ceiling SET n = n + 1 WHERE id = @id";

    /// <summary>The ceiling's table, created afresh.</summary>
    public static async Task CreateTableAsync(NpgsqlDataSource ds, CancellationToken ct)
    {
        await using var cmd = ds.CreateCommand("""
            DROP TABLE IF EXISTS bench_ceiling;
            CREATE TABLE bench_ceiling (id integer PRIMARY KEY, n bigint NOT NULL);
            INSERT INTO bench_ceiling SELECT g, 0 FROM generate_series(1, 1000) g;
            """);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static string? Find()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
            if (File.Exists(Path.Combine(dir, "pgbench"))) return Path.Combine(dir, "pgbench");
        if (Directory.Exists("/usr/lib/postgresql"))
            foreach (var dir in Directory.GetDirectories("/usr/lib/postgresql").OrderDescending())
                if (File.Exists(Path.Combine(dir, "bin", "pgbench"))) return Path.Combine(dir, "bin", "pgbench");
        return null;
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection")]
    private static partial Regex Tps();
}
