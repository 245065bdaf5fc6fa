using System.Diagnostics;

namespace Leora.Jobs.Tests;

/// <summary>A real OS process running tests/Leora.Jobs.TestWorker against a harness's database.</summary>
public sealed class ChildWorker : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Lock _lock = new();
    private readonly Dictionary<string, TaskCompletionSource<string>> _waiters = [];

    private ChildWorker(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_lock)
            {
                _lines.Add(e.Data);
                foreach (var (prefix, tcs) in _waiters)
                    if (e.Data.StartsWith(prefix, StringComparison.Ordinal)) tcs.TrySetResult(e.Data);
            }
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_lock) _lines.Add("stderr: " + e.Data); };
    }

    public int Pid => _process.Id;

    public string Output { get { lock (_lock) return string.Join('\n', _lines); } }

    public static ChildWorker Start(Harness h, string mode, params string[] extra) => StartWith(h, h.ConnectionString, mode, extra);

    /// <summary>Starts a worker on the harness's database through <paramref name="connectionString"/> (a relay, a pooler).</summary>
    public static ChildWorker StartWith(Harness h, string connectionString, string mode, params string[] extra)
    {
        var baseDir = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var tfm = Path.GetFileName(baseDir);
        var config = Path.GetFileName(Path.GetDirectoryName(baseDir));
        var dll = Path.GetFullPath(Path.Combine(baseDir, "..", "..", "..", "..", "Leora.Jobs.TestWorker", "bin", config!, tfm, "Leora.Jobs.TestWorker.dll"));
        if (!File.Exists(dll)) throw new FileNotFoundException("Build tests/Leora.Jobs.TestWorker first.", dll);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])[dll, "--mode", mode, "--provider", h.Provider, "--cs", connectionString, "--schema", h.Schema ?? "", .. extra])
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the worker process");
        var child = new ChildWorker(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for a line of output that starts with <paramref name="prefix"/>.</summary>
    public async Task<string> WaitForLineAsync(string prefix, TimeSpan timeout)
    {
        Task<string> task;
        lock (_lock)
        {
            var seen = _lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
            if (seen is not null) return seen;
            var tcs = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters[prefix] = tcs;
            task = tcs.Task;
        }
        var exited = _process.WaitForExitAsync();
        if (await Task.WhenAny(task, exited, Task.Delay(timeout)) != task)
            throw new TimeoutException($"No '{prefix}' line from worker {Pid} within {timeout}; exited: {_process.HasExited}. Output:\n{Output}");
        return await task;
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Worker {Pid} did not exit within {timeout}. Output:\n{Output}");
        }
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: the process gets no chance to clean up, as in a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) await KillAsync();
        _process.Dispose();
    }
}
