using System.Globalization;
using System.Text.Json;

namespace Leora.Jobs.Bench;

/// <summary>One measured figure: printed as one JSON line, and kept for the human summary.</summary>
internal sealed record Figure(string Scenario, string Store, string Name, double Value, string Unit, string? Target = null, bool? Met = null, string? Note = null);

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

    public void Add(string scenario, string store, string name, double value, string unit, double? atLeast = null, double? atMost = null, string? note = null)
    {
        string? target = atLeast is { } lo ? $">= {lo.ToString(CultureInfo.InvariantCulture)}" : atMost is { } hi ? $"<= {hi.ToString(CultureInfo.InvariantCulture)}" : null;
        bool? met = atLeast is { } l ? value >= l : atMost is { } h ? value <= h : null;
        Add(new Figure(scenario, store, name, Math.Round(value, 2), unit, target, met, note));
    }

    public static void Progress(string message) => Console.Error.WriteLine($"[bench {DateTime.Now:HH:mm:ss}] {message}");

    public void PrintSummary()
    {
        var w = Console.Error;
        w.WriteLine();
        w.WriteLine("| scenario | store | figure | value | unit | target | met |");
        w.WriteLine("| --- | --- | --- | ---: | --- | --- | --- |");
        foreach (var f in _figures)
            w.WriteLine($"| {f.Scenario} | {f.Store} | {f.Name} | {f.Value.ToString("#,0.##", CultureInfo.InvariantCulture)} | {f.Unit} | {f.Target ?? ""} | {(f.Met is null ? "" : f.Met.Value ? "yes" : "NO")} |");
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
