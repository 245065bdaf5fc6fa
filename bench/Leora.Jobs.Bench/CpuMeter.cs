using System.Diagnostics;
using System.Globalization;

namespace Leora.Jobs.Bench;

/// <summary>
/// CPU used over an interval: the whole machine's (every core, from <c>/proc/stat</c>; everything that ran, the database
/// server and child processes included) and this process's own. A figure whose machine was busy near 100 % of its cores
/// was limited by CPU; the CPU per call then says who spent it.
/// </summary>
internal sealed class CpuMeter
{
    // /proc/stat counts in USER_HZ, 100 per second on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100;
    private readonly (long Busy, long Steal, long Total)? _machine;
    private readonly TimeSpan _process;

    private CpuMeter((long, long, long)? machine, TimeSpan process) => (_machine, _process) = (machine, process);

    public static CpuMeter Start() => new(ReadMachine(), Process.GetCurrentProcess().TotalProcessorTime);

    public CpuUse Stop()
    {
        var process = (Process.GetCurrentProcess().TotalProcessorTime - _process).TotalSeconds;
        if (_machine is not var (busy0, steal0, total0) || ReadMachine() is not var (busy1, steal1, total1) || total1 <= total0)
            return new CpuUse(null, null, process);
        return new CpuUse(100.0 * (busy1 - busy0) / (total1 - total0), (busy1 - busy0) / TicksPerSecond, process,
            100.0 * (steal1 - steal0) / (total1 - total0));
    }

    // The first line of /proc/stat: cpu user nice system idle iowait irq softirq steal … Busy is user to softirq without
    // idle and iowait; steal (a virtual machine's CPU taken by its host for others) is apart: neither ours nor idle.
    private static (long Busy, long Steal, long Total)? ReadMachine()
    {
        try
        {
            var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
                .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var total = f.Sum();
            var steal = f.Length > 7 ? f[7] : 0;
            return (total - f[3] - f[4] - steal, steal, total);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }
}

/// <summary>
/// CPU over an interval: the machine's busy share of all its cores and CPU seconds (null off Linux), this process's CPU
/// seconds, and the share of the cores' time the host stole for other machines.
/// </summary>
internal sealed record CpuUse(double? MachineBusyPercent, double? MachineSeconds, double ProcessSeconds, double? StealPercent = null);

/// <summary>A timed loop's outcome: calls per second, how many calls, and the CPU they took.</summary>
internal sealed record LoopResult(double Rate, long Calls, CpuUse Cpu);
