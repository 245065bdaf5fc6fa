using System.Diagnostics;
using System.Text.Json;

namespace Leora.Jobs.Bench;

/// <summary>A <c>worker</c> child process of this same program.</summary>
internal sealed class ChildWorker : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildWorker(Process process) => _process = process;

    public static ChildWorker Start(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, UseShellExecute = false };
        var self = Environment.ProcessPath!;
        psi.FileName = self;
        // Under `dotnet Leora.Jobs.Bench.dll` the process is dotnet itself: pass the assembly first.
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") psi.ArgumentList.Add(typeof(ChildWorker).Assembly.Location);
        psi.ArgumentList.Add("worker");
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        var child = new ChildWorker(Process.Start(psi)!);
        child._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) { child._result.TrySetException(new InvalidOperationException("The worker process ended without a result.")); child._ready.TrySetException(new InvalidOperationException("The worker process ended before it was ready.")); return; }
            if (e.Data == "ready") child._ready.TrySetResult();
            else if (e.Data.StartsWith('{')) child._result.TrySetResult(e.Data);
        };
        child._process.BeginOutputReadLine();
        return child;
    }

    public int Pid => _process.Id;

    public Task Ready => _ready.Task;

    public async Task<WorkerResult> ResultAsync(TimeSpan timeout, CancellationToken ct)
    {
        var json = await _result.Task.WaitAsync(timeout, ct);
        await _process.WaitForExitAsync(ct);
        return JsonSerializer.Deserialize<WorkerResult>(json, JsonSerializerOptions.Web)!;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
