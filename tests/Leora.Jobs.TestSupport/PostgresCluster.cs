using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Leora.Jobs.TestSupport;

/// <summary>A PostgreSQL cluster of this test's own in a temp folder on 127.0.0.1, like build.sh's, that the test may restart.</summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private readonly string _dir;
    private readonly string _bin;
    private readonly int _port;

    private PostgresCluster(string dir, string bin, int port)
    {
        _dir = dir;
        _bin = bin;
        _port = port;
    }

    public string ConnectionString => $"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres;Maximum Pool Size=40;Timeout=5";

    private static bool IsRoot => Environment.UserName == "root";

    public static async Task<PostgresCluster> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        if (bin is null) throw new InvalidOperationException("PostgreSQL server binaries not found under /usr/lib/postgresql (./build.sh test installs them).");
        var dir = Path.Combine(Path.GetTempPath(), $"leora-so-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        // PostgreSQL refuses to run as root: run it as the 'postgres' system user, as build.sh does.
        if (IsRoot) await RunAsync("chown", ["postgres", dir]);
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var cluster = new PostgresCluster(dir, bin, port);
        await cluster.PgAsync("initdb", ["-D", $"{dir}/data", "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
        await cluster.CtlAsync("start");
        return cluster;
    }

    public Task RestartAsync() => CtlAsync("restart", "-m", "fast");

    private Task CtlAsync(string verb, params string[] more) =>
        PgAsync("pg_ctl", ["-D", $"{_dir}/data", "-l", $"{_dir}/log", "-w", "-t", "60",
            "-o", $"-c listen_addresses=127.0.0.1 -p {_port} -k {_dir} -c max_connections=200", verb, .. more]);

    private Task PgAsync(string tool, string[] args) =>
        IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. args]) : RunAsync(Path.Combine(_bin, tool), args);

    private static async Task RunAsync(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {await stderr}{await stdout}");
    }

    public async ValueTask DisposeAsync()
    {
        try { await CtlAsync("stop", "-m", "immediate"); }
        catch (InvalidOperationException) { }
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}
