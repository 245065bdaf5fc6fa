using System.Diagnostics;

namespace Leora.Jobs.ScaleOut.Tests;

/// <summary>One Leora.Jobs.ScaleOut.Worker process: started, killed with SIGKILL, or stopped gracefully with SIGTERM.</summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _log = new();

    private WorkerProcess(Process process) => _process = process;

    public static WorkerProcess Start(string connection, string schema, string name, int handlerMs = 5, int leaseMs = 15000, int nodeHeartbeatMs = 200, int leaderLeaseMs = 1500)
    {
        // The worker is built next to this assembly's folder: tests/Leora.Jobs.ScaleOut.Worker/bin/<config>/<tfm>/.
        var dll = AppContext.BaseDirectory.Replace("Leora.Jobs.ScaleOut.Tests", "Leora.Jobs.ScaleOut.Worker", StringComparison.Ordinal);
        dll = Path.Combine(dll, "Leora.Jobs.ScaleOut.Worker.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("The scale-out worker is not built.", dll);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, connection, schema, name, $"{handlerMs}", $"{leaseMs}", $"{nodeHeartbeatMs}", $"{leaderLeaseMs}" }) psi.ArgumentList.Add(a);
        var worker = new WorkerProcess(Process.Start(psi)!);
        worker._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == "ready") worker._ready.TrySetResult();
            if (e.Data is null) worker._ready.TrySetException(new InvalidOperationException($"Worker {name} exited before it was ready."));
        };
        worker._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) worker._log.Enqueue(e.Data); };
        worker._process.BeginOutputReadLine();
        worker._process.BeginErrorReadLine();
        return worker;
    }

    public int Pid => _process.Id;

    /// <summary>What the worker logged (warnings and errors), for failure messages.</summary>
    public string Log => string.Join('\n', _log);

    public Task Ready => _ready.Task;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>kill -9: no cleanup, no goodbye; its leases must expire.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM: the host stops the worker gracefully.</summary>
    public async Task TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", $"{_process.Id}"])) await kill.WaitForExitAsync();
        await _process.WaitForExitAsync().WaitAsync(timeout);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
