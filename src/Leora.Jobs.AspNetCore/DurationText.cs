using System.Globalization;

namespace Leora.Jobs.AspNetCore;

/// <summary>Parses durations written for people: <c>30d</c>, <c>12h</c>, <c>5m</c>, <c>90s</c>, <c>250ms</c>, or a .NET TimeSpan (<c>00:05:00</c>).</summary>
public static class DurationText
{
    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> naming <paramref name="setting"/> when it is not a duration.</summary>
    public static TimeSpan Parse(string text, string setting) =>
        TryParse(text, out var value) ? value
            : throw new FormatException($"{setting}: '{text}' is not a duration; write for example 30d, 12h, 5m, 90s or 00:05:00.");

    /// <summary>Parses <paramref name="text"/>; false when it is not a duration.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var t = text.Trim().ToLowerInvariant();
        (string Suffix, double Ms)[] units = [("ms", 1), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)];
        foreach (var (suffix, ms) in units)
        {
            if (!t.EndsWith(suffix, StringComparison.Ordinal)) continue;
            if (!double.TryParse(t[..^suffix.Length], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)) return false;
            value = TimeSpan.FromMilliseconds(n * ms);
            return true;
        }
        return TimeSpan.TryParse(t, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
    }
}
