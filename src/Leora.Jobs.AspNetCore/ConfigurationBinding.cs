using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.AspNetCore;

/// <summary>
/// Binds an options object from a configuration section with the configuration binder, as <c>BindConfiguration</c>
/// does, and keeps the forms docs/configuration.md promises where the binder alone would differ:
/// durations are written for people (<c>30s</c>, <c>5m</c>, <c>00:05:00</c>: <see cref="DurationText"/>), a list of
/// strings may also be one comma-separated value, an empty value means "not set", and a value that does not parse
/// fails with a message naming the setting (an <see cref="OptionsValidationException"/>, like every other bad setting).
/// </summary>
internal static class ConfigurationBinding
{
    /// <summary>
    /// Binds <paramref name="options"/> from the section at <paramref name="path"/> of <paramref name="configuration"/>,
    /// leaving alone the properties named in <paramref name="except"/> (those another setting or reader owns).
    /// </summary>
    public static void Bind(IConfiguration configuration, string path, object options, params string[] except)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        var section = configuration.GetSection(path);
        var failures = new List<string>();
        // Values the binder must not see: durations and comma-separated lists (set below), and empty values.
        var withheld = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var after = new List<Action>();
        var excluded = new List<string>();
        foreach (var property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var child = section.GetSection(property.Name);
            if (except.Contains(property.Name, StringComparer.Ordinal))
            {
                excluded.Add(child.Path);
                continue;
            }
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (type == typeof(Dictionary<string, int>))
                foreach (var entry in child.GetChildren())
                    CheckNumber<int>(entry, int.TryParse, failures);
            if (child.Value is not { } text) continue;
            if (text.Length == 0)
            {
                withheld.Add(child.Path);
                continue;
            }
            if (type == typeof(TimeSpan) && property.SetMethod is { IsPublic: true })
            {
                withheld.Add(child.Path);
                try
                {
                    var duration = DurationText.Parse(text, child.Path);
                    after.Add(() => property.SetValue(options, duration));
                }
                catch (FormatException ex)
                {
                    failures.Add(ex.Message);
                }
            }
            else if (property.GetValue(options) is ICollection<string> list && type != typeof(string))
            {
                withheld.Add(child.Path);
                after.Add(() =>
                {
                    foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) list.Add(item);
                });
            }
            else if (type == typeof(int)) CheckNumber<int>(child, int.TryParse, failures);
            else if (type == typeof(long)) CheckNumber<long>(child, long.TryParse, failures);
            else if (type == typeof(bool) && !bool.TryParse(text, out _)) failures.Add($"{child.Path} '{text}' is not true or false.");
        }
        if (failures.Count > 0) throw new OptionsValidationException(path, options.GetType(), failures);

        var kept = section.AsEnumerable().Where(kv => kv.Value is { Length: > 0 } && !withheld.Contains(kv.Key)
            && !excluded.Exists(e => kv.Key.Equals(e, StringComparison.OrdinalIgnoreCase) || kv.Key.StartsWith(e + ConfigurationPath.KeyDelimiter, StringComparison.OrdinalIgnoreCase)));
        try
        {
            new ConfigurationBuilder().AddInMemoryCollection(kept).Build().GetSection(path).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            // A setting of a type the checks above do not cover; the binder's message names it.
            throw new OptionsValidationException(path, options.GetType(), [$"{path}: {ex.Message}"]);
        }
        foreach (var set in after) set();
    }

    private delegate bool TryParse<T>(string text, NumberStyles style, IFormatProvider provider, out T value);

    private static void CheckNumber<T>(IConfigurationSection setting, TryParse<T> parse, List<string> failures)
    {
        if (setting.Value is { Length: > 0 } text && !parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
            failures.Add($"{setting.Path} '{text}' is not a whole number.");
    }
}
