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
        await using (var cmd = ds.CreateCommand("""
            DROP TABLE IF EXISTS bench_ceiling;
            CREATE TABLE bench_ceiling (id integer PRIMARY KEY, n bigint NOT NULL);
            INSERT INTO bench_ceiling SELECT g, 0 FROM generate_series(1, 1000) g;
            """))
            await cmd.ExecuteNonQueryAsync(ct);
        var script = Path.Combine(Path.GetTempPath(), $"leora-bench-{Environment.ProcessId}.sql");
        await File.WriteAllTextAsync(script, "\\set id random(1, 1000)\nUPDATE bench_ceiling SET n = n + 1 WHERE id = :id;\n", ct);
        try
        {
            var cs = new NpgsqlConnectionStringBuilder(connection);
            foreach (var clients in new[] { 1, 4 })
            {
                var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var a in new[] { "-n", "-f", script, "-c", $"{clients}", "-j", $"{clients}", "-T", $"{seconds}",
                             "-h", cs.Host!, "-p", $"{cs.Port}", "-U", cs.Username ?? "postgres", cs.Database ?? "postgres" })
                    psi.ArgumentList.Add(a);
                if (cs.Password is { } pw) psi.Environment["PGPASSWORD"] = pw;
                using var p = Process.Start(psi)!;
                var stdout = p.StandardOutput.ReadToEndAsync(ct);
                var stderr = p.StandardError.ReadToEndAsync(ct);
                await p.WaitForExitAsync(ct);
                var m = Tps().Match(await stdout);
                if (p.ExitCode != 0 || !m.Success) throw new InvalidOperationException($"pgbench failed: {await stderr}");
                var tps = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                result[clients] = tps;
                report.Add("ceiling", "postgresql", $"pgbench_one_row_update_{clients}_client{(clients > 1 ? "s" : "")}", tps, "tx/s", note: $"pgbench -n -T {seconds} -c {clients}");
            }
        }
        finally
        {
            File.Delete(script);
        }
        return result;
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
