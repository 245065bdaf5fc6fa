using System.Globalization;

namespace Leora.Jobs.AspNetCore;

/// <summary>
/// Durations written for people, both ways: parses <c>30d</c>, <c>12h</c>, <c>5m</c>, <c>90s</c>, <c>250ms</c>, or a .NET
/// TimeSpan (<c>00:05:00</c>); formats in the same short form (<see cref="Format"/>, what the CLI prints and
/// <see cref="Parse"/> reads back) or as prose for a page (<see cref="Describe"/>, what the dashboard shows).
/// </summary>
internal static class DurationText
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

    /// <summary>
    /// The short form <see cref="Parse"/> reads back: the largest whole unit (<c>30d</c>, <c>12h</c>, <c>90m</c>), else
    /// seconds with up to three decimals (<c>1.5s</c>).
    /// </summary>
    public static string Format(TimeSpan value) =>
        value.TotalDays >= 1 && value.TotalDays == Math.Floor(value.TotalDays) ? string.Create(CultureInfo.InvariantCulture, $"{value.TotalDays:0}d")
        : value.TotalHours >= 1 && value.TotalHours == Math.Floor(value.TotalHours) ? string.Create(CultureInfo.InvariantCulture, $"{value.TotalHours:0}h")
        : value.TotalMinutes >= 1 && value.TotalMinutes == Math.Floor(value.TotalMinutes) ? string.Create(CultureInfo.InvariantCulture, $"{value.TotalMinutes:0}m")
        : string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds:0.###}s");

    /// <summary>Prose, rounded for reading: <c>45 s</c> under 90 s, <c>12 min</c> under 90 min, <c>7.5 h</c> under 48 h, else <c>3.5 days</c>.</summary>
    public static string Describe(TimeSpan value) =>
        value.TotalSeconds < 90 ? string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds:0} s")
        : value.TotalMinutes < 90 ? string.Create(CultureInfo.InvariantCulture, $"{value.TotalMinutes:0} min")
        : value.TotalHours < 48 ? string.Create(CultureInfo.InvariantCulture, $"{value.TotalHours:0.#} h")
        : string.Create(CultureInfo.InvariantCulture, $"{value.TotalDays:0.#} days");
}
