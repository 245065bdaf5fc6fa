using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Leora.Jobs.Bench;

/// <summary>
/// The <c>worker</c> verb: one worker process that runs no-op jobs until it has started <c>--expect</c> of them, stops
/// gracefully (outcomes written), and prints one JSON line: jobs/s, peak RSS, latencies. The bench starts it as a child.
/// </summary>
internal static class WorkerMode
{
    public static async Task<int> RunAsync(Args a)
    {
        var target = Target.FromArgs(a);
        var expect = a.Int("expect", 1000);
        var concurrency = a.Int("concurrency", 32);
        var probe = new Probe();
        probe.Expect(expect);
        var warm = Math.Max(1, expect / 10);
        probe.MarkAt(warm);
        await using var sp = target.Build(probe, o =>
        {
            o.Concurrency = concurrency;
            o.PollInterval = TimeSpan.FromMilliseconds(a.Int("poll-ms", 1000));
            o.ShutdownGrace = TimeSpan.FromSeconds(30);
            // The growth scenario's history rows are old on purpose: the leader must not prune them mid-measurement.
            o.Retention = null;
        });
        var worker = sp.GetRequiredService<JobWorker>();
        foreach (var hosted in sp.GetServices<Microsoft.Extensions.Hosting.IHostedService>())
            if (hosted is not JobWorker) await hosted.StartAsync(CancellationToken.None);
        var start = Stopwatch.GetTimestamp();
        var jit = JitInfo.GetCompilationTime();
        var jitMethods = JitInfo.GetCompiledMethodCount();
        await worker.StartAsync(CancellationToken.None);
        Console.Out.WriteLine("ready");
        Console.Out.Flush();
        // --seconds: a worker of the limits scenarios, which run it for a time rather than to a count.
        if (a.Get("seconds") is { } seconds) await Task.WhenAny(probe.Reached, Task.Delay(TimeSpan.FromSeconds(double.Parse(seconds, CultureInfo.InvariantCulture))));
        else await probe.Reached;
        var end = Stopwatch.GetTimestamp();
        var jitMs = (JitInfo.GetCompilationTime() - jit).TotalMilliseconds;
        var compiled = JitInfo.GetCompiledMethodCount() - jitMethods;
        await worker.StopAsync(CancellationToken.None);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var steady = probe.WarmAt > 0 && expect > warm ? (expect - warm) / Stopwatch.GetElapsedTime(probe.WarmAt, end).TotalSeconds : (double?)null;
        var lat = probe.LatenciesMs;
        var result = new WorkerResult(probe.Count, elapsed, probe.Count / elapsed, steady, PeakRssMb(),
            lat.Count > 0 ? Report.Percentile(lat, 50) : null, lat.Count > 0 ? Report.Percentile(lat, 95) : null, lat.Count > 0 ? Report.Percentile(lat, 99) : null)
        {
            JitMs = jitMs,
            JitMethods = compiled,
            WarmSeconds = probe.WarmAt > 0 ? Stopwatch.GetElapsedTime(start, probe.WarmAt).TotalSeconds : null,
        };
        Console.Out.WriteLine(JsonSerializer.Serialize(result, JsonSerializerOptions.Web));
        return 0;
    }

    /// <summary>The process's peak resident set (VmHWM) in MB.</summary>
    public static double PeakRssMb()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        return double.NaN;
    }
}

internal sealed record WorkerResult(long Jobs, double Seconds, double JobsPerSecond, double? SteadyJobsPerSecond, double PeakRssMb, double? P50Ms, double? P95Ms, double? P99Ms)
{
    /// <summary>The machine's CPU over the drain (measured by the parent, around the worker process's whole life).</summary>
    public CpuUse? Cpu { get; init; }

    /// <summary>The JIT's compile time in the worker from its start to its last job (all threads), and the methods it compiled.</summary>
    public double? JitMs { get; init; }

    public long? JitMethods { get; init; }

    /// <summary>From the worker's start to its 10th-percentile job: the part of the drain the start-up (and the JIT) slows.</summary>
    public double? WarmSeconds { get; init; }
}
