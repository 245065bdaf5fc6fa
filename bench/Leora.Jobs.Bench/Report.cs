using System.Globalization;
using System.Text.Json;

namespace Leora.Jobs.Bench;

/// <summary>
/// One measured figure: printed as one JSON line, and kept for the human summary. A figure timed over a loop also carries
/// the CPU it took (<see cref="CpuMeter"/>): the machine's busy share of all its cores, and CPU per call, the machine's
/// and this process's.
/// </summary>
internal sealed record Figure(string Scenario, string Store, string Name, double Value, string Unit, string? Target = null, bool? Met = null, string? Note = null,
    double? MachineBusyPercent = null, double? MachineCpuUsPerCall = null, double? ProcessCpuUsPerCall = null, double? StealPercent = null)
{
    public string CpuText => MachineBusyPercent is { } busy
        ? $"{busy:0} % busy{(StealPercent >= 1 ? $" ({StealPercent:0} % stolen)" : "")}; {MachineCpuUsPerCall:#,0} / {ProcessCpuUsPerCall:#,0} µs"
        : ProcessCpuUsPerCall is { } own ? $"– / {own:#,0} µs" : "";
}

/// <summary>Prints figures as JSON lines on stdout and a table at the end.</summary>
internal sealed class Report
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
    private readonly List<Figure> _figures = [];

    public IReadOnlyList<Figure> Figures => _figures;

    public void Add(Figure figure)
    {
        _figures.Add(figure);
        Console.Out.WriteLine(JsonSerializer.Serialize(figure, Json));
        Console.Out.Flush();
    }

    public void Add(string scenario, string store, string name, double value, string unit, double? atLeast = null, double? atMost = null, string? note = null,
        CpuUse? cpu = null, double calls = 0)
    {
        string? target = atLeast is { } lo ? $">= {lo.ToString(CultureInfo.InvariantCulture)}" : atMost is { } hi ? $"<= {hi.ToString(CultureInfo.InvariantCulture)}" : null;
        bool? met = atLeast is { } l ? value >= l : atMost is { } h ? value <= h : null;
        var per = cpu is not null && calls > 0;
        Add(new Figure(scenario, store, name, Math.Round(value, 2), unit, target, met, note,
            MachineBusyPercent: cpu?.MachineBusyPercent is { } b ? Math.Round(b, 1) : null,
            MachineCpuUsPerCall: per && cpu!.MachineSeconds is { } m ? Math.Round(1e6 * m / calls, 1) : null,
            ProcessCpuUsPerCall: per ? Math.Round(1e6 * cpu!.ProcessSeconds / calls, 1) : null,
            StealPercent: cpu?.StealPercent is { } st ? Math.Round(st, 1) : null));
    }

    /// <summary>A timed loop's figure: its rate, with the CPU its calls took.</summary>
    public void Add(string scenario, string store, string name, LoopResult loop, string unit, double scale = 1, double? atLeast = null, string? note = null) =>
        Add(scenario, store, name, loop.Rate * scale, unit, atLeast: atLeast, note: note, cpu: loop.Cpu, calls: loop.Calls);

    public static void Progress(string message) => Console.Error.WriteLine($"[bench {DateTime.Now:HH:mm:ss}] {message}");

    public void PrintSummary()
    {
        var w = Console.Error;
        w.WriteLine();
        w.WriteLine("| scenario | store | figure | value | unit | target | met | CPU: machine busy; per call, machine / this process |");
        w.WriteLine("| --- | --- | --- | ---: | --- | --- | --- | --- |");
        foreach (var f in _figures)
            w.WriteLine($"| {f.Scenario} | {f.Store} | {f.Name} | {f.Value.ToString("#,0.##", CultureInfo.InvariantCulture)} | {f.Unit} | {f.Target ?? ""} | {(f.Met is null ? "" : f.Met.Value ? "yes" : "NO")} | {f.CpuText} |");
    }

    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.OrderBy(v => v).ToArray();
        var rank = p / 100.0 * (sorted.Length - 1);
        var lo = (int)Math.Floor(rank);
        var hi = (int)Math.Ceiling(rank);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }
}
