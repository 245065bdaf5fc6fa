using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Leora.Jobs.TestSupport;

/// <summary>
/// A PostgreSQL primary and a streaming standby of this test's own on 127.0.0.1 (initdb, then pg_basebackup -R), with
/// synchronous or asynchronous replication; the test kills the primary with SIGKILL (the postmaster and every backend,
/// as a machine that dies) and promotes the standby. Clients use <see cref="ConnectionString"/>, which names both hosts
/// and lets Npgsql find the writable one.
/// </summary>
public sealed class PostgresFailoverPair : IAsyncDisposable
{
    private readonly string _dir;
    private readonly string _bin;
    private readonly bool _synchronous;

    private PostgresFailoverPair(string dir, string bin, int primaryPort, int standbyPort, bool synchronous)
    {
        _dir = dir;
        _bin = bin;
        PrimaryPort = primaryPort;
        StandbyPort = standbyPort;
        _synchronous = synchronous;
    }

    public int PrimaryPort { get; }
    public int StandbyPort { get; }

    /// <summary>Both hosts, the writable one chosen by Npgsql (what docs/operations.md tells users to write).</summary>
    public string ConnectionString =>
        $"Host=127.0.0.1:{PrimaryPort},127.0.0.1:{StandbyPort};Target Session Attributes=primary;Username=postgres;Database=postgres;Maximum Pool Size=40;Timeout=5";

    /// <summary>The standby alone (the new primary once promoted), for the test's own checks.</summary>
    public string StandbyConnectionString => $"Host=127.0.0.1;Port={StandbyPort};Username=postgres;Database=postgres;Pooling=false;Timeout=5";

    /// <summary>The primary alone, for the test's own checks before it is killed.</summary>
    public string PrimaryConnectionString => $"Host=127.0.0.1;Port={PrimaryPort};Username=postgres;Database=postgres;Pooling=false;Timeout=5";

    private static bool IsRoot => Environment.UserName == "root";

    private string Primary => Path.Combine(_dir, "primary");
    private string Standby => Path.Combine(_dir, "standby");

    /// <summary>
    /// Starts the primary, copies it with pg_basebackup -R, starts the standby and waits until it streams (and, with
    /// <paramref name="synchronous"/>, until the primary counts it as its synchronous standby).
    /// </summary>
    public static async Task<PostgresFailoverPair> StartAsync(bool synchronous)
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        if (bin is null) throw new InvalidOperationException("PostgreSQL server binaries not found under /usr/lib/postgresql (./build.sh test installs them).");
        var dir = Path.Combine(Path.GetTempPath(), $"leora-fo-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        // PostgreSQL refuses to run as root: run it as the 'postgres' system user, as build.sh does.
        if (IsRoot) await RunAsync("chown", ["postgres", dir]);
        var pair = new PostgresFailoverPair(dir, bin, FreePort(), FreePort(), synchronous);
        // initdb's pg_hba.conf trusts replication connections from 127.0.0.1 too (--auth=trust).
        await pair.PgAsync("initdb", ["-D", pair.Primary, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
        await pair.CtlAsync(pair.Primary, pair.PrimaryPort, "start");
        await pair.PgAsync("pg_basebackup", ["-h", "127.0.0.1", "-p", $"{pair.PrimaryPort}", "-U", "postgres", "-D", pair.Standby, "-R", "-X", "stream", "-c", "fast"]);
        await pair.CtlAsync(pair.Standby, pair.StandbyPort, "start");
        await Eventually.WaitAsync(async () => await pair.ScalarAsync(pair.PrimaryConnectionString,
                "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'" + (synchronous ? " AND sync_state = 'sync'" : "")) == 1,
            TimeSpan.FromSeconds(60), "the standby to stream from the primary");
        return pair;
    }

    /// <summary>
    /// SIGKILL to the primary's postmaster and every one of its processes at once: no shutdown checkpoint, no goodbye to
    /// clients or to the standby. Client sockets are reset by the kernel.
    /// </summary>
    public async Task KillPrimaryAsync()
    {
        var postmaster = int.Parse(File.ReadLines(Path.Combine(Primary, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        var pids = new List<int> { postmaster };
        foreach (var proc in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out var pid)) continue;
            try
            {
                // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so read after the last ')'.
                var stat = await File.ReadAllTextAsync(Path.Combine(proc, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == postmaster) pids.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        await RunAsync("kill", ["-KILL", .. pids.Select(p => p.ToString(CultureInfo.InvariantCulture))], ignoreFailure: true);
        await Eventually.WaitAsync(() => Task.FromResult(!Directory.Exists($"/proc/{postmaster}")), TimeSpan.FromSeconds(30), "the primary's postmaster to die");
    }

    /// <summary>pg_ctl promote, waiting until the standby accepts writes.</summary>
    public async Task PromoteStandbyAsync()
    {
        await PgAsync("pg_ctl", ["-D", Standby, "-w", "-t", "60", "promote"]);
        await Eventually.WaitAsync(async () => await ScalarAsync(StandbyConnectionString, "SELECT CASE WHEN pg_is_in_recovery() THEN 0 ELSE 1 END") == 1,
            TimeSpan.FromSeconds(60), "the standby to leave recovery");
    }

    /// <summary>One number from <paramref name="connectionString"/> (a connection of its own, outside any pool).</summary>
    public async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var c = new Npgsql.NpgsqlConnection(connectionString);
        await c.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand(sql, c);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    // Synchronous: every commit on the primary waits until the standby has flushed it ('*' names whichever standby
    // connects). The standby is started without it: once promoted it has no standby of its own, and with the setting
    // every commit would wait for one forever (after a real failover, a new standby is attached and the setting restored).
    private Task CtlAsync(string data, int port, string verb) =>
        PgAsync("pg_ctl", ["-D", data, "-l", $"{data}.log", "-w", "-t", "60",
            "-o", $"-c listen_addresses=127.0.0.1 -p {port} -k {_dir} -c max_connections=200" +
                  (_synchronous && data == Primary ? " -c synchronous_standby_names=* -c synchronous_commit=on" : " -c synchronous_commit=local"), verb]);

    private Task PgAsync(string tool, string[] args) =>
        IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. args]) : RunAsync(Path.Combine(_bin, tool), args);

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private static async Task RunAsync(string file, string[] args, bool ignoreFailure = false)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0 && !ignoreFailure) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {await stderr}{await stdout}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var data in new[] { Primary, Standby })
            if (File.Exists(Path.Combine(data, "postmaster.pid")))
            {
                try { await PgAsync("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]); }
                catch (InvalidOperationException) { }
            }
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}
