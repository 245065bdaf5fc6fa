namespace Leora.Jobs.Server;

/// <summary>A plain-text table for people: left-aligned columns, long cells shortened with an ellipsis.</summary>
internal sealed class ConsoleTable(params string[] headers)
{
    private const int MaxCell = 60;
    private readonly List<string[]> _rows = [];

    public ConsoleTable Add(params object?[] cells)
    {
        _rows.Add([.. cells.Select(Cell)]);
        return this;
    }

    public int Count => _rows.Count;

    public void Write(TextWriter output)
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        output.WriteLine(Line(headers, widths));
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in _rows) output.WriteLine(Line(row, widths));
    }

    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd();

    private static string Cell(object? value)
    {
        var text = value switch
        {
            null => "-",
            DateTimeOffset d => d.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        text = text.ReplaceLineEndings(" ");
        return text.Length > MaxCell ? text[..(MaxCell - 1)] + "…" : text;
    }
}
