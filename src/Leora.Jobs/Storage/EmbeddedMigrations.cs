using System.Globalization;
using System.Reflection;

namespace Leora.Jobs.Storage;

/// <summary>
/// Numbered SQL migrations embedded in a store's assembly: resources named <c>{prefix}NNN_name.sql</c>, applied in
/// number order. Both stores use the same numbers for the same change.
/// </summary>
internal static class EmbeddedMigrations
{
    /// <summary>Reads every migration under <paramref name="prefix"/> in <paramref name="assembly"/>, sorted by number.</summary>
    public static IReadOnlyList<(int Version, string Sql)> Load(Assembly assembly, string prefix)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var migrations = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => (Version: int.Parse(n.AsSpan(prefix.Length, 3), CultureInfo.InvariantCulture), Sql: Read(assembly, n)))
            .OrderBy(m => m.Version)
            .ToList();
        if (migrations.Count == 0) throw new InvalidOperationException($"No migrations named {prefix}NNN_*.sql in {assembly.GetName().Name}.");
        if (migrations.Select(m => m.Version).Distinct().Count() != migrations.Count)
            throw new InvalidOperationException($"Two migrations share a number in {assembly.GetName().Name}.");
        return migrations;
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
