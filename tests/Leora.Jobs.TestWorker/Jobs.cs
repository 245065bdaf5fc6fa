using System.Globalization;

namespace Leora.Jobs.TestWorker;

public sealed record MpNoopArgs(int N) : IJobArgs
{
    public static string Kind => "mp_noop";
}

public sealed record MpHangArgs(string Note) : IJobArgs
{
    public static string Kind => "mp_hang";
}

/// <summary>The completion callback of the workflow scale test's batch (WorkflowScaleTests).</summary>
public sealed record MpBatchDoneArgs(string Note) : IJobArgs
{
    public static string Kind => "mp_batch_done";
}

/// <summary>
/// Appends each executed job id to this process's log file, one per line, flushed at once. With a progress step, also
/// prints "ran &lt;n&gt;" on stdout after every step-th record (a test waits for it to know how far this process got).
/// </summary>
public sealed class ExecutionLog : IDisposable
{
    private readonly StreamWriter? _writer;
    private readonly Lock _lock = new();
    private readonly int _progress;
    private long _count;

    public ExecutionLog(string? path, int progress = 0)
    {
        if (path is not null) _writer = new StreamWriter(path, append: true) { AutoFlush = true };
        _progress = progress;
    }

    public void Record(long id)
    {
        long count;
        lock (_lock)
        {
            _writer?.WriteLine(id.ToString(CultureInfo.InvariantCulture));
            count = ++_count;
        }
        if (_progress > 0 && count % _progress == 0) Console.Out.WriteLine($"ran {count.ToString(CultureInfo.InvariantCulture)}");
    }

    public void Dispose() => _writer?.Dispose();
}

public sealed class MpNoopHandler(ExecutionLog log) : IJobHandler<MpNoopArgs>
{
    public Task HandleAsync(JobContext<MpNoopArgs> job, CancellationToken cancellationToken)
    {
        log.Record(job.Id);
        return Task.CompletedTask;
    }
}

/// <summary>Records the callback's run in the log like any other job (the test finds it there by its id).</summary>
public sealed class MpBatchDoneHandler(ExecutionLog log) : IJobHandler<MpBatchDoneArgs>
{
    public Task HandleAsync(JobContext<MpBatchDoneArgs> job, CancellationToken cancellationToken)
    {
        log.Record(job.Id);
        return Task.CompletedTask;
    }
}

public sealed class MpHangHandler : IJobHandler<MpHangArgs>
{
    public async Task HandleAsync(JobContext<MpHangArgs> job, CancellationToken cancellationToken)
    {
        await Console.Out.WriteLineAsync($"started {job.Id}");
        await Console.Out.FlushAsync(cancellationToken);
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
}

/// <summary>The file whose appearance lets <see cref="MpHeldHandler"/> return (the partition test's signal).</summary>
public sealed record ReleaseFile(string Path);

/// <summary>
/// The partition test's handler: prints "started &lt;id&gt;", returns once the release file exists (whatever its
/// cancellation token says: the test wants the outcome written after the job was rescued), printing "finished &lt;id&gt;".
/// </summary>
public sealed class MpHeldHandler(ReleaseFile release, ExecutionLog log) : IJobHandler<MpHangArgs>
{
    public async Task HandleAsync(JobContext<MpHangArgs> job, CancellationToken cancellationToken)
    {
        await Console.Out.WriteLineAsync($"started {job.Id}");
        await Console.Out.FlushAsync(CancellationToken.None);
        while (!File.Exists(release.Path)) await Task.Delay(50, CancellationToken.None);
        log.Record(job.Id);
        await Console.Out.WriteLineAsync($"finished {job.Id}");
        await Console.Out.FlushAsync(CancellationToken.None);
    }
}

internal sealed class Args
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static Args Parse(string[] argv)
    {
        var a = new Args();
        for (var i = 0; i + 1 < argv.Length; i += 2) a._values[argv[i].TrimStart('-')] = argv[i + 1];
        return a;
    }

    public string Get(string name) => _values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");

    public string? TryGet(string name) => _values.GetValueOrDefault(name);
}
