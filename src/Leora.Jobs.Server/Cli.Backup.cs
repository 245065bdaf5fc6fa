using System.CommandLine;
using Microsoft.Data.Sqlite;

namespace Leora.Jobs.Server;

// backup: a consistent copy of the SQLite database while the service and workers keep running.
internal static partial class Cli
{
    private static Command BackupCommand()
    {
        var file = new Argument<string>("file") { Description = "The copy to write, for example backups/jobs-2026-12-02.db. Must not exist yet." };
        var json = JsonOption();
        var command = NewCommand("backup",
            "Write a consistent copy of the SQLite database with SQLite's online backup API, while the service and workers run; " +
            "the copy is checked with PRAGMA integrity_check. For PostgreSQL, use pg_dump (docs/operations.md).");
        command.Arguments.Add(file);
        command.Options.Add(json);
        command.SetAction(async (parse, ct) => await WithHostAsync(parse, StoreUse.Existing, async (services, settings) =>
        {
            if (JobsServices.SqlitePath(JobsServices.ResolveStore(services)) is not { } source)
                return Fail(ExitCodes.Usage,
                    "backup copies a SQLite database; this one is PostgreSQL. Back it up with PostgreSQL's own tools, for example " +
                    "pg_dump --format=custom --schema=<Jobs:PostgreSql:Schema> (docs/operations.md).");
            var target = Path.GetFullPath(parse.GetValue(file)!);
            if (File.Exists(target)) return Fail(ExitCodes.Usage, $"{target} already exists; choose a new file (backup never overwrites one).");
            if (string.Equals(target, source, StringComparison.Ordinal)) return Fail(ExitCodes.Usage, "the copy cannot be the database itself.");
            if (Path.GetDirectoryName(target) is { Length: > 0 } dir) Directory.CreateDirectory(dir);

            // Written beside the target under another name and renamed when complete and checked: a backup that was cut
            // short (disk full, Ctrl+C) never sits under the name a restore would look for.
            var partial = target + ".partial";
            File.Delete(partial);
            try
            {
                // The backup reads one snapshot (a read transaction in WAL mode): writers go on meanwhile and the copy is
                // the database as of one commit. Pooling off: the files are closed when the connections are.
                await using (var from = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = source, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
                await using (var to = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = partial, Pooling = false }.ToString()))
                {
                    await from.OpenAsync(ct);
                    await using (var wait = from.CreateCommand())
                    {
                        wait.CommandText = "PRAGMA busy_timeout = 30000";
                        await wait.ExecuteNonQueryAsync(ct);
                    }
                    await to.OpenAsync(ct);
                    from.BackupDatabase(to);
                    // The copy stands alone: its WAL folded in, so the one file is the whole backup.
                    await using var single = to.CreateCommand();
                    single.CommandText = "PRAGMA journal_mode = DELETE";
                    await single.ExecuteNonQueryAsync(ct);
                }
                var (integrity, jobs) = await CheckCopyAsync(partial, ct);
                if (integrity != "ok") return Fail(ExitCodes.Failure, $"the copy failed PRAGMA integrity_check: {integrity}");
                File.Move(partial, target);
                var bytes = new FileInfo(target).Length;
                if (parse.GetValue(json)) WriteJson(new { file = target, bytes, jobs, integrity });
                else Console.Out.WriteLine($"Backed up the {settings.DescribeDatabase(source)} to {target} ({bytes:N0} bytes, {jobs:N0} jobs, integrity ok).");
                return ExitCodes.Ok;
            }
            finally
            {
                File.Delete(partial);
            }
        }, ct));
        return command;
    }

    private static async Task<(string Integrity, long Jobs)> CheckCopyAsync(string path, CancellationToken ct)
    {
        await using var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await copy.OpenAsync(ct);
        await using var check = copy.CreateCommand();
        check.CommandText = "PRAGMA integrity_check";
        var integrity = (string?)await check.ExecuteScalarAsync(ct) ?? "no answer";
        check.CommandText = "SELECT count(*) FROM leora_jobs";
        return (integrity, (long)(await check.ExecuteScalarAsync(ct))!);
    }
}
