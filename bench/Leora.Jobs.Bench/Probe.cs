using System.Collections.Concurrent;

namespace Leora.Jobs.Bench;

/// <summary>What handlers saw: how many started, their enqueue→start latencies, and a signal when a target count is reached.</summary>
internal sealed class Probe
{
    private long _started;
    private long _target = long.MaxValue;
    private readonly ConcurrentQueue<double> _latenciesMs = new();
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Count => Interlocked.Read(ref _started);

    public Task Reached => _reached.Task;

    public IReadOnlyList<double> LatenciesMs => [.. _latenciesMs];

    private long _warmMark = long.MaxValue;
    private long _warmAt;

    /// <summary>When the <c>n</c>-th job started (Stopwatch ticks), so that a drain can be timed after its warm-up too.</summary>
    public long WarmAt => Interlocked.Read(ref _warmAt);

    public void MarkAt(long n) => Interlocked.Exchange(ref _warmMark, n);

    public void Expect(long target)
    {
        Interlocked.Exchange(ref _target, target);
        if (Count >= target) _reached.TrySetResult();
    }

    public void Started(long enqueuedAtUs)
    {
        if (enqueuedAtUs > 0) _latenciesMs.Enqueue((NowUs() - enqueuedAtUs) / 1000.0);
        var n = Interlocked.Increment(ref _started);
        if (n == Interlocked.Read(ref _warmMark)) Interlocked.Exchange(ref _warmAt, System.Diagnostics.Stopwatch.GetTimestamp());
        if (n >= Interlocked.Read(ref _target)) _reached.TrySetResult();
    }

    // The wall clock (clock_gettime on Linux, µs resolution): processes on one host share it, so latency can be measured across them.
    public static long NowUs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
}
