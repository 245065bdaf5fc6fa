using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Leora.Jobs.TestSupport;
using static Leora.Jobs.TestSupport.ProcessRunner;

namespace Leora.Jobs.Server.Tests;

/// <summary>A running <c>leora-jobs</c> process (serve or work): its output line by line, its address, and a stop by SIGTERM.</summary>
internal sealed partial class LeoraJobsProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<string> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The process id (for its memory in /proc, or a SIGKILL).</summary>
    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Standard output's lines (the banner, tables).</summary>
    public ConcurrentQueue<string> Out { get; } = new();
    /// <summary>Standard error's lines (the logs).</summary>
    public ConcurrentQueue<string> Err { get; } = new();

    [GeneratedRegex(@"listening on (http://[^\s,]+)")]
    private static partial Regex Listening();

    private LeoraJobsProcess(string directory, IReadOnlyDictionary<string, string?> environment, string[] args)
    {
        _process = new Process { StartInfo = Start("dotnet", [LeoraJobsDll, .. args], directory, environment) };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            Out.Enqueue(e.Data);
            if (Listening().Match(e.Data) is { Success: true } m) _address.TrySetResult(m.Groups[1].Value);
            // serve's banner ends with this line, work's one line ends with it.
            if (e.Data.EndsWith("Press Ctrl+C to stop.", StringComparison.Ordinal)) _ready.TrySetResult();
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Err.Enqueue(e.Data); };
    }

    /// <summary>Starts <c>leora-jobs</c> with <paramref name="args"/> and waits until it says it is running.</summary>
    public static async Task<LeoraJobsProcess> StartAsync(string directory, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var process = new LeoraJobsProcess(directory, environment, args);
        process._process.Start();
        process._process.BeginOutputReadLine();
        process._process.BeginErrorReadLine();
        var exited = process._process.WaitForExitAsync();
        var first = await Task.WhenAny(process._ready.Task, exited).WithTimeout(TimeSpan.FromMinutes(2), $"leora-jobs {args[0]} to start");
        if (first != process._ready.Task) throw new InvalidOperationException($"leora-jobs {args[0]} exited with {process._process.ExitCode}:\n{process}");
        return process;
    }

    /// <summary>The service's address from its banner (serve).</summary>
    public Task<string> AddressAsync() => _address.Task.WithTimeout(TimeSpan.FromSeconds(5), "serve to say where it listens");

    /// <summary>Stops the process with SIGTERM and waits for it to exit; its exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            var kill = await RunAsync("kill", ["-TERM", $"{_process.Id}"], Environment.CurrentDirectory);
            Assert.True(kill.ExitCode == 0, kill.ToString());
        }
        await _process.WaitForExitAsync().WithTimeout(TimeSpan.FromMinutes(1), "leora-jobs to stop on SIGTERM");
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no cleanup, no goodbye; its jobs' leases must expire.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill();
        await _process.WaitForExitAsync();
    }

    public override string ToString() => $"--- stdout\n{string.Join('\n', Out)}\n--- stderr\n{string.Join('\n', Err)}";

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
